"""An environment's PITR settings saved as a Prefect block (`<env>-pitr`) beside the environment, so
declaring them changes nothing else about the environment; the settings themselves are formwork.pitr.settings."""

from __future__ import annotations

from typing import ClassVar

from prefect.blocks.core import Block

from formwork.pitr import settings


class PitrProtection(settings.PitrProtection, Block):
    _block_type_name: ClassVar[str] = "Formwork PITR Protection"
    _block_type_slug: ClassVar[str] = "formwork-pitr-protection"
    _description: ClassVar[str] = "pgBackRest WAL archiving and backups of an Odoo environment's PostgreSQL server."


def block_name(environment: str) -> str:
    return f"{environment}-pitr"
