"""The catalogue of Odoo environments, kept as Prefect blocks.

Every check happens before anything is saved, so a refused `env add` leaves the
catalogue exactly as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from prefect import get_client
from prefect.blocks.system import Secret
from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError

from blocks.odoo_environment import OdooEnvironment
from formwork.backup.retention import RetentionPolicy
from formwork.dsn import ConnectionSpec, parse_dsn, redact
from formwork.errors import InputError
from formwork.locations import parse_base_url, parse_location
from formwork.masking.staging_login import check_staging_password
from formwork.production_guard import (
    DatabaseIdentity,
    KnownEnvironment,
    identify_spec,
    production_databases,
    refuse_production_filestore,
)
from formwork.tiers import check_tier

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
SLUG = OdooEnvironment.get_block_type_slug()


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InputError(
            f"environment name '{name}': use 1-40 lowercase letters, digits and dashes, starting with a letter or digit"
        )
    return name


def password_block_name(name: str) -> str:
    return f"{name}-db-password"


def webhook_block_name(name: str) -> str:
    return f"{name}-alert-webhook"


def staging_password_block_name(name: str) -> str:
    return f"{name}-staging-password"


@dataclass
class EnvironmentSpec:
    """What `formwork env add` was given, before validation."""

    name: str
    dsn: str = field(repr=False)  # may hold a password
    password: str | None = field(default=None, repr=False)  # given apart from the DSN (stdin, a variable, a file), never both
    filestore: str | None = None
    backup_store: str | None = None
    base_url: str | None = None
    tier: int | str = 3
    production: bool = False
    rpo_minutes: int | None = None
    rto_minutes: int | None = None
    k8s_namespace: str | None = None
    gitops_overlay: str | None = None
    mail_catcher: str | None = None
    keep_crons: tuple[str, ...] = ()
    rewiring_rules: tuple[str, ...] = ()
    keep: str | None = None
    alert_webhook: str | None = field(default=None, repr=False)  # its URL is a secret
    gitops_repo: str | None = None
    image_repository: str | None = None
    promotes_from: str | None = None
    release_calendar: str | None = None
    refresh_from: str | None = None
    scratch_dsn: str | None = None
    staging_password: str | None = field(default=None, repr=False)  # what testers log in to masked copies with


def connection(spec: EnvironmentSpec) -> ConnectionSpec:
    """The DSN with the password given apart from it, if any; both at once is refused."""
    conn = parse_dsn(spec.dsn)
    if spec.password is None:
        return conn
    if conn.password:
        raise InputError(f"--dsn '{redact(spec.dsn)}': holds a password and --password-stdin/--password-env/--password-file "
                         "gives one too: give only one")
    return replace(conn, password=spec.password)


def build(spec: EnvironmentSpec) -> tuple[OdooEnvironment, str | None]:
    """Validate a spec; return the block (without its secret) and the password, if any."""
    check_name(spec.name)
    conn = connection(spec)
    for option, value in (("--filestore", spec.filestore), ("--backup-store", spec.backup_store)):
        if value is not None:
            parse_location(value, option=option)
    base_url = parse_base_url(spec.base_url) if spec.base_url is not None else None
    for option, minutes in (("--rpo-minutes", spec.rpo_minutes), ("--rto-minutes", spec.rto_minutes)):
        if minutes is not None and minutes <= 0:
            raise InputError(f"{option} '{minutes}': must be a positive number of minutes")
    env = OdooEnvironment(
        tier=check_tier(spec.tier),
        rpo_minutes=spec.rpo_minutes,
        rto_minutes=spec.rto_minutes,
        production=spec.production,
        db_host=conn.host,
        db_port=conn.port,
        db_name=conn.dbname,
        db_user=conn.user,
        db_options=conn.options,
        filestore_url=str(parse_location(spec.filestore, option="--filestore")) if spec.filestore else None,
        backup_store_url=str(parse_location(spec.backup_store, option="--backup-store")) if spec.backup_store else None,
        scratch_dsn=check_scratch_dsn(spec.scratch_dsn) if spec.scratch_dsn else None,
        base_url=base_url,
        k8s_namespace=spec.k8s_namespace,
        gitops_overlay=spec.gitops_overlay,
        gitops_repo=spec.gitops_repo,
        image_repository=check_image_repository(spec.image_repository) if spec.image_repository else None,
        promotes_from=check_name(spec.promotes_from) if spec.promotes_from else None,
        refresh_from=check_refresh_from(spec.refresh_from, spec.production) if spec.refresh_from else None,
        release_calendar=check_calendar(spec.release_calendar) if spec.release_calendar else None,
        mail_catcher=check_mail_catcher(spec.mail_catcher) if spec.mail_catcher else "localhost:1025",
        cron_allowlist=["base.autovacuum_job", *(check_xml_id(x) for x in spec.keep_crons)],
        rewiring_rules=[check_rewiring_rules(path) for path in spec.rewiring_rules],
        retention=RetentionPolicy.parse(spec.keep, option="--keep").spec() if spec.keep else "7d,4w,12m",
    )
    if spec.alert_webhook is not None:
        parse_base_url(spec.alert_webhook, option="--alert-webhook")
    if spec.staging_password is not None:
        if spec.production:
            raise InputError("staging password: production is never masked, so it has no staging password (leave it out)")
        check_staging_password(spec.staging_password)
    return env, conn.password


def check_refresh_from(source: str, production: bool) -> str:
    if production:
        raise InputError(f"--refresh-from '{source}': a production environment is never refreshed")
    return check_name(source)


def check_scratch_dsn(value: str) -> str:
    """Stored in the block as plain text, so never with a password."""
    if parse_dsn(value, option="--scratch-dsn").password:
        raise InputError("--scratch-dsn: leave the password out (it would be stored in plain text); use PGPASSWORD or ~/.pgpass")
    return value


def check_image_repository(value: str) -> str:
    from formwork.release.reference import ImageRef

    ImageRef.parse(value, option="--image-repository")
    return value


def check_calendar(path: str) -> str:
    """The file must load; errors name file, key and value."""
    from formwork.release.calendar_file import load_calendar

    load_calendar(path)
    return str(Path(path).resolve())


def check_mail_catcher(value: str) -> str:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--mail-catcher '{value}': use HOST:PORT, e.g. localhost:1025")
    return value


def check_xml_id(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+\.[A-Za-z0-9_.]+", value):
        raise InputError(f"--keep-cron '{value}': use the scheduled action's XML id, module.name (e.g. base.autovacuum_job)")
    return value


def check_rewiring_rules(path: str) -> str:
    """The file must load on top of the defaults; RulesError names file, line and key."""
    from formwork.rewiring.rules import DEFAULT_RULES, load_rules

    load_rules([DEFAULT_RULES, path])
    return str(Path(path).resolve())


def exists(name: str) -> bool:
    with get_client(sync_client=True) as client:
        try:
            client.read_block_document_by_name(name=name, block_type_slug=SLUG, include_secrets=False)
            return True
        except ObjectNotFound:
            return False


def add(spec: EnvironmentSpec) -> OdooEnvironment:
    env, password = build(spec)
    if exists(spec.name):
        raise InputError(f"environment '{spec.name}' already exists (remove it first: formwork env remove {spec.name})")
    if env.filestore_url and not spec.production:
        refuse_production_filestore(env.filestore_url, "write", label="--filestore")
    if env.backup_store_url:
        refuse_production_filestore(env.backup_store_url, "write", label="--backup-store")
    identity = _reachable_identity(connection(spec))
    if spec.production:
        env.db_identity = identity.recorded() if identity else None
        _refuse_scratch_on_production(spec, identity)
    elif identity is not None:
        _refuse_reaching_production(spec, identity)
    secrets = [("db_password", password_block_name(spec.name), password),
               ("alert_webhook", webhook_block_name(spec.name), spec.alert_webhook),
               ("staging_password", staging_password_block_name(spec.name), spec.staging_password)]
    try:
        for attribute, block_name, value in secrets:
            if value:
                secret = Secret(value=value)
                secret.save(block_name, overwrite=True)
                setattr(env, attribute, secret)
        env.save(spec.name)
    except BaseException:
        for _, block_name, _ in secrets:
            _delete_block(Secret, block_name)
        raise
    return env


def _reachable_identity(conn) -> DatabaseIdentity | None:
    try:
        return identify_spec(conn)
    except Exception:  # not reachable from here (yet): nothing to compare
        return None


def _refuse_reaching_production(spec: EnvironmentSpec, identity: DatabaseIdentity) -> None:
    for name, prod in production_databases("register"):
        if prod.same_database(identity):
            raise InputError(f"--dsn '{parse_dsn(spec.dsn).uri()}' reaches the database of production environment '{name}': "
                             f"a non-production environment must be a different database (or add it with --production)")


def _refuse_scratch_on_production(spec: EnvironmentSpec, identity: DatabaseIdentity | None) -> None:
    """Checked again at every drill; here so a wrong setting is caught when it is made."""
    scratch = _reachable_identity(parse_dsn(spec.scratch_dsn)) if spec.scratch_dsn and identity else None
    if scratch is not None and scratch.same_server(identity):
        raise InputError(f"--scratch-dsn '{spec.scratch_dsn}' reaches the server of --dsn: production is drilled on another server")


def known_environments() -> list[KnownEnvironment]:
    """The production guard's default catalogue: every environment, with its database and filestore."""
    found = []
    for name in all_environments():
        env = load(name)  # with its password: the listing leaves secrets out
        found.append(KnownEnvironment(name, env.production, env.connection(), env.filestore_url,
                                      DatabaseIdentity.from_record(env.db_identity) if env.db_identity else None))
    return found


def load(name: str) -> OdooEnvironment:
    check_name(name)
    try:
        return OdooEnvironment.load(name)
    except (ValueError, ObjectNotFound):
        raise InputError(f"unknown environment '{name}' (formwork env list shows the known ones)") from None


def all_environments() -> dict[str, OdooEnvironment]:
    with get_client(sync_client=True) as client:
        try:
            documents = client.read_block_documents_by_type(SLUG, include_secrets=False)
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
    _delete_block(OdooEnvironment, name)
    _delete_block(Secret, password_block_name(name))
    _delete_block(Secret, webhook_block_name(name))
    _delete_block(Secret, staging_password_block_name(name))


def _delete_block(block_class, name: str) -> None:
    try:
        block_class.delete(name)
    except (ValueError, ObjectNotFound):
        pass
