"""Declare and apply an environment's physical protection.

Every value is checked before the declaration is returned for saving (blocks/pitr_protection.py
saves it), so a refused `pitr setup` leaves the catalogue as it was. Applying touches only the server's
configuration (ALTER SYSTEM, reload, a restart when archive_mode changes), and only
for a server Formwork runs itself; for any other server the same settings are
printed for its administrator.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from formwork import commands
from formwork.dsn import connect_maintenance
from formwork.environment_settings import EnvironmentSettings
from formwork.errors import InputError, first_line
from formwork.locations import parse_location
from formwork.pgbin import program
from formwork.pitr import config, pgbackrest
from formwork.pitr.pgbackrest import as_account, server_account
from formwork.pitr.settings import PitrProtection
from formwork.stores.object_store import ObjectStore

_STANZA = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
RESTART_SETTINGS = ("wal_level", "archive_mode")


def declare(
    environment: str,
    env: EnvironmentSettings,
    current: PitrProtection | None,
    *,
    repo: str | None,
    stanza: str | None,
    pg_data: str | None,
    config_path: str | None,
    managed: bool | None,
    open_repo: Callable[[str], ObjectStore],
    **schedule: int | None,
) -> PitrProtection:
    """The `current` declaration (None: none yet) updated with what was given, every value checked, for the caller to save;
    `open_repo` opens a repository URL as a store (an S3 bucket's saved keys)."""
    if current is None and repo is None:
        raise InputError(
            f"--repo: environment '{environment}' has no protection yet; give its repository (file:///path or s3://bucket/prefix)"
        )
    values = current.model_dump(exclude={"block_type_slug"}) if current else {}
    if repo is not None:
        parse_location(repo, option="--repo")
        values["repo_url"] = repo
    stanza = stanza or values.get("stanza") or environment
    if not _STANZA.fullmatch(stanza):
        raise InputError(f"--stanza '{stanza}': use letters, digits, '-' and '_' (pgBackRest stanza name)")
    values["stanza"] = stanza
    values["pg_data"] = pg_data or values.get("pg_data") or _data_directory(env)
    if not Path(values["pg_data"]).is_absolute():
        raise InputError(f"--pg-data '{values['pg_data']}': expected the server's absolute data directory")
    values["config_path"] = (
        config_path
        or values.get("config_path")
        or str(Path(values["pg_data"]).parent / f"pgbackrest-{stanza}" / "pgbackrest.conf")
    )
    if managed is not None:
        values["managed"] = managed
    for key, value in schedule.items():
        if value is not None:
            if value < 1:
                raise InputError(f"--{key.replace('_', '-')} '{value}': must be 1 or more")
            values[key] = value
    protection = PitrProtection(**{k: v for k, v in values.items() if k in PitrProtection.model_fields})
    config.render(protection, open_repo(protection.repo_url), env.db_port, None, redact=True)  # S3 settings must resolve
    return protection


def _data_directory(env: EnvironmentSettings) -> str:
    try:
        with connect_maintenance(env.connection()) as conn:
            return conn.execute("SHOW data_directory").fetchone()[0]
    except psycopg.Error as exc:
        raise InputError(f"--pg-data: not given, and the server would not say ({first_line(exc)})") from None


def socket_directory(env: EnvironmentSettings) -> str | None:
    """Where pgBackRest finds the server's socket (it connects locally, never over TCP)."""
    if env.db_host.startswith("/"):
        return env.db_host
    with connect_maintenance(env.connection()) as conn:
        directories = conn.execute("SHOW unix_socket_directories").fetchone()[0]
    return directories.split(",")[0].strip() or None


def write_config(protection: PitrProtection, env: EnvironmentSettings, repo: ObjectStore) -> Path:
    """The configuration file, its state folders and a local repository, owned by the server's account;
    `repo` is the repository opened as a store (an S3 bucket's saved keys go into the file)."""
    account = server_account(protection.pg_data)
    state = protection.state_dir
    folders = [state, state / "log", state / "lock", state / "spool"]
    location = parse_location(protection.repo_url, option="--repo")
    if location.scheme == "file":
        folders.append(Path(location.path))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        if account:
            shutil.chown(folder, user=account)
    path = Path(protection.config_path)
    path.touch(mode=0o600)
    path.chmod(0o600)  # before the keys go in
    path.write_text(config.render(protection, repo, env.db_port, socket_directory(env), redact=False))
    if account:
        shutil.chown(path, user=account)
    return path


def apply_server_settings(protection: PitrProtection, env: EnvironmentSettings) -> list[str]:
    """ALTER SYSTEM what differs, reload, restart when a setting needs it; returns what changed."""
    wanted = config.server_settings(protection)
    with connect_maintenance(env.connection()) as conn:
        current = dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", (list(wanted),)).fetchall())
        changed = [name for name, value in wanted.items() if _normal(current.get(name)) != _normal(value)]
        for name in changed:
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(wanted[name])))
        if changed:
            conn.execute("SELECT pg_reload_conf()")
    if any(name in RESTART_SETTINGS for name in changed):
        restart(protection)
    return changed


def _normal(value: str | None) -> str:
    """pg_settings shows archive_timeout in seconds without a unit."""
    return (value or "").removesuffix("s") if (value or "").removesuffix("s").isdigit() else (value or "")


def restart(protection: PitrProtection) -> None:
    log = Path(protection.pg_data).parent / "postgres.log"  # where Formwork's own clusters log (LocalCluster)
    args = [program("pg_ctl"), "-D", protection.pg_data, "-l", str(log), "-m", "fast", "-w", "-t", "120", "restart"]
    commands.run(
        as_account(server_account(protection.pg_data), args),
        f"restarting the server in {protection.pg_data}",
        cwd="/",
        env={**os.environ, "PGCTLTIMEOUT": "120"},
        timeout=300,
    )


def create_stanza(protection: PitrProtection) -> None:
    """Idempotent: pgBackRest accepts stanza-create again on a matching stanza."""
    pgbackrest.run(protection, "stanza-create")
