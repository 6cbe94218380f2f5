"""The catalogue of Odoo environments, kept as Prefect blocks: `OdooEnvironment` plus a `Secret` per secret.

Importing it installs it as the production guard's catalogue. The checks are the library's
(formwork.environments.vet), all made before anything is saved, so a refused `env add`
leaves the catalogue exactly as it was.
"""

from __future__ import annotations

from prefect import get_client
from prefect.blocks.system import Secret
from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError

from blocks.odoo_environment import OdooEnvironment
from formwork import production_guard
from formwork.environments import EnvironmentSpec, check_name, vet
from formwork.errors import InputError
from formwork.production_guard import DatabaseIdentity, KnownEnvironment

SLUG = OdooEnvironment.get_block_type_slug()
SECRET_SLUG = Secret.get_block_type_slug()


def password_block_name(name: str) -> str:
    return f"{name}-db-password"


def webhook_block_name(name: str) -> str:
    return f"{name}-alert-webhook"


def staging_password_block_name(name: str) -> str:
    return f"{name}-staging-password"


def exists(name: str) -> bool:
    with get_client(sync_client=True) as client:
        try:
            client.read_block_document_by_name(name=name, block_type_slug=SLUG, include_secrets=False)
            return True
        except ObjectNotFound:
            return False


def add(spec: EnvironmentSpec) -> OdooEnvironment:
    check_name(spec.name)
    if exists(spec.name):
        raise InputError(f"environment '{spec.name}' already exists (remove it first: formwork env remove {spec.name})")
    settings, password = vet(spec)
    env = OdooEnvironment(**settings)
    secrets = [
        ("db_password", password_block_name(spec.name), password),
        ("alert_webhook", webhook_block_name(spec.name), spec.alert_webhook),
        ("staging_password", staging_password_block_name(spec.name), spec.staging_password),
    ]
    try:
        for attribute, block_name, value in secrets:
            if value:
                secret = Secret(value=value)
                secret.save(block_name, overwrite=True)
                setattr(env, attribute, secret)
        env.save(spec.name)
    except BaseException:
        _delete_blocks([(SECRET_SLUG, block_name) for _, block_name, _ in secrets])
        raise
    return env


def known_environments() -> list[KnownEnvironment]:
    """The production guard's default catalogue: every environment, with its database and filestore."""
    return [
        KnownEnvironment(
            name,
            env.production,
            env.connection(),
            env.filestore_url,
            DatabaseIdentity.from_record(env.db_identity) if env.db_identity else None,
        )
        for name, env in _environments(include_secrets=True).items()  # with passwords: the guard connects
    ]


def load(name: str) -> OdooEnvironment:
    check_name(name)
    try:
        return OdooEnvironment.load(name)
    except (ValueError, ObjectNotFound):
        raise InputError(f"unknown environment '{name}' (formwork env list shows the known ones)") from None


def all_environments() -> dict[str, OdooEnvironment]:
    return _environments(include_secrets=False)


def _environments(include_secrets: bool) -> dict[str, OdooEnvironment]:
    """Every environment in one request (a Prefect client costs a TLS context of its own, ~20 ms, even for http)."""
    with get_client(sync_client=True) as client:
        try:
            documents = client.read_block_documents_by_type(SLUG, include_secrets=include_secrets)
        except (ObjectNotFound, PrefectHTTPStatusError) as exc:
            if isinstance(exc, PrefectHTTPStatusError) and exc.response.status_code != 404:
                raise
            return {}  # block type not registered yet: no environment was ever added
    return {
        doc.name: OdooEnvironment._from_block_document(doc)
        for doc in sorted(documents, key=lambda d: d.name or "")
        if doc.name and not doc.is_anonymous
    }


def remove(name: str) -> None:
    load(name)
    _delete_blocks(
        [(SLUG, name)]
        + [
            (SECRET_SLUG, block)
            for block in (password_block_name(name), webhook_block_name(name), staging_password_block_name(name))
        ]
    )


def _delete_blocks(blocks: list[tuple[str, str]]) -> None:
    """Deletes the (block type slug, name) documents that exist, with one client."""
    with get_client(sync_client=True) as client:
        for slug, name in blocks:
            try:
                client.delete_block_document(
                    client.read_block_document_by_name(name=name, block_type_slug=slug, include_secrets=False).id
                )
            except ObjectNotFound:
                pass


production_guard.use_catalogue(known_environments)  # see the module docstring
