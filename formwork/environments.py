"""What `formwork env add` is given, checked: the settings of a new Odoo environment, ready to save.

Every check happens here, before anything is saved, so a refused `env add` leaves the
catalogue exactly as it was. Where the settings are kept (Prefect blocks: `blocks/catalogue.py`)
is the caller's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from formwork.backup.retention import RetentionPolicy
from formwork.dsn import ConnectionSpec, parse_dsn, redact
from formwork.errors import InputError
from formwork.locations import parse_base_url, parse_location
from formwork.masking.staging_login import check_staging_password
from formwork.production_guard import (
    DatabaseIdentity,
    identify_spec,
    production_databases,
    refuse_production_filestore,
)
from formwork.tiers import check_tier

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InputError(
            f"environment name '{name}': use 1-40 lowercase letters, digits and dashes, starting with a letter or digit"
        )
    return name


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
        raise InputError(
            f"--dsn '{redact(spec.dsn)}': holds a password and --password-stdin/--password-env/--password-file "
            "gives one too: give only one"
        )
    return replace(conn, password=spec.password)


def build(spec: EnvironmentSpec) -> tuple[dict, str | None]:
    """Validate a spec; return the settings to save (without secrets) and the password, if any."""
    check_name(spec.name)
    conn = connection(spec)
    for option, value in (("--filestore", spec.filestore), ("--backup-store", spec.backup_store)):
        if value is not None:
            parse_location(value, option=option)
    base_url = parse_base_url(spec.base_url) if spec.base_url is not None else None
    for option, minutes in (("--rpo-minutes", spec.rpo_minutes), ("--rto-minutes", spec.rto_minutes)):
        if minutes is not None and minutes <= 0:
            raise InputError(f"{option} '{minutes}': must be a positive number of minutes")
    settings = dict(
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
    return settings, conn.password


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


def vet(spec: EnvironmentSpec) -> tuple[dict, str | None]:
    """`build`, then what would make the new environment dangerous: a store inside production's, a non-production
    DSN that reaches a production database, a production drilled on its own server."""
    settings, password = build(spec)
    if settings["filestore_url"] and not spec.production:
        refuse_production_filestore(settings["filestore_url"], "write", label="--filestore")
    if settings["backup_store_url"]:
        refuse_production_filestore(settings["backup_store_url"], "write", label="--backup-store")
    identity = _reachable_identity(connection(spec))
    if spec.production:
        settings["db_identity"] = identity.recorded() if identity else None
        _refuse_scratch_on_production(spec, identity)
    elif identity is not None:
        _refuse_reaching_production(spec, identity)
    return settings, password


def _reachable_identity(conn) -> DatabaseIdentity | None:
    try:
        return identify_spec(conn)
    except Exception:  # not reachable from here (yet): nothing to compare
        return None


def _refuse_reaching_production(spec: EnvironmentSpec, identity: DatabaseIdentity) -> None:
    for name, prod in production_databases("register"):
        if prod.same_database(identity):
            raise InputError(
                f"--dsn '{parse_dsn(spec.dsn).uri()}' reaches the database of production environment '{name}': "
                f"a non-production environment must be a different database (or add it with --production)"
            )


def _refuse_scratch_on_production(spec: EnvironmentSpec, identity: DatabaseIdentity | None) -> None:
    """Checked again at every drill; here so a wrong setting is caught when it is made."""
    scratch = _reachable_identity(parse_dsn(spec.scratch_dsn)) if spec.scratch_dsn and identity else None
    if scratch is not None and scratch.same_server(identity):
        raise InputError(
            f"--scratch-dsn '{spec.scratch_dsn}' reaches the server of --dsn: production is drilled on another server"
        )
