"""An environment's PITR settings saved as a Prefect block (`<env>-pitr`) beside the environment, so
declaring them changes nothing else about the environment; the settings themselves are formwork.pitr.settings."""

from __future__ import annotations

from typing import ClassVar

from prefect.blocks.core import Block
from prefect.exceptions import ObjectNotFound

from blocks.stores import open_store
from formwork.environment_settings import EnvironmentSettings
from formwork.errors import InputError
from formwork.pitr import protection, settings


class PitrProtection(settings.PitrProtection, Block):
    _block_type_name: ClassVar[str] = "Formwork PITR Protection"
    _block_type_slug: ClassVar[str] = "formwork-pitr-protection"
    _description: ClassVar[str] = "pgBackRest WAL archiving and backups of an Odoo environment's PostgreSQL server."


def block_name(environment: str) -> str:
    return f"{environment}-pitr"


def find(environment: str) -> PitrProtection | None:
    try:
        return PitrProtection.load(block_name(environment))
    except (ValueError, ObjectNotFound):
        return None


def load(environment: str) -> PitrProtection:
    found = find(environment)
    if found is None:
        raise InputError(
            f"environment '{environment}' has no point-in-time protection: declare it with "
            f"formwork pitr setup {environment} --repo URL"
        )
    return found


def declare(environment: str, env: EnvironmentSettings, **given) -> PitrProtection:
    """The saved declaration updated with what was given (formwork.pitr.protection.declare checks it all), then saved."""
    declared = protection.declare(environment, env, find(environment), open_repo=open_repo, **given)
    saved = PitrProtection(**declared.model_dump())
    saved.save(block_name(environment), overwrite=True)
    return saved


def open_repo(url: str):
    """A repository URL as a store: on S3, with the bucket's saved keys."""
    return open_store(url, option="--repo")
