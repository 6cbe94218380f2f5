"""The pgBackRest configuration and server settings Formwork writes for a protected environment.

One configuration file per environment, in a folder of its own (log, lock and
spool beside it), so two environments on one host never share a lock. S3 keys are
in the file because archive_command runs as the server's account without our
environment; the file is readable by that account only and printed with them
redacted.
"""

from __future__ import annotations

import shlex
import shutil
from urllib.parse import urlsplit

from formwork.errors import InputError
from formwork.locations import Location, parse_location
from formwork.pitr.settings import PitrProtection
from formwork.stores.object_store import ObjectStore

REDACTED = "********"


def pgbackrest_binary() -> str:
    return shutil.which("pgbackrest") or "/usr/bin/pgbackrest"


def safe_path(value: str, option: str) -> str:
    """A path PostgreSQL's archive_command and pgBackRest's configuration file can carry as written.

    A line break would start a new line of the configuration (or a new shell command) and
    PostgreSQL reads `%` in archive_command as a placeholder (`%p`, `%f`), so both are refused.
    """
    if "%" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InputError(
            f"{option} {value!r}: a path with '%' or a control character (line break, tab) cannot be "
            "written into archive_command or pgbackrest.conf safely; choose another"
        )
    return value


def archive_command(protection: PitrProtection) -> str:
    """The shell command PostgreSQL runs per WAL segment; each path quoted for the shell."""
    binary = safe_path(pgbackrest_binary(), "pgbackrest binary")
    config = safe_path(protection.config_path, "--config")
    return f"{shlex.quote(binary)} {shlex.quote(f'--config={config}')} --stanza={shlex.quote(protection.stanza)} archive-push %p"


def server_settings(protection: PitrProtection) -> dict[str, str]:
    """What the server needs; archive_mode and wal_level take a restart, the rest a reload."""
    return {
        "wal_level": "replica",
        "archive_mode": "on",
        "archive_command": archive_command(protection),
        "archive_timeout": f"{protection.archive_timeout_seconds}s",
    }


def render(protection: PitrProtection, repo: ObjectStore, pg_port: int, pg_socket: str | None, *, redact: bool) -> str:
    """pgbackrest.conf: the repository, retention and the stanza's server; `repo` is protection.repo_url opened as a
    store (on S3, the bucket's saved endpoint and keys)."""
    safe_path(protection.config_path, "--config")
    state = protection.state_dir
    lines = [
        "[global]",
        *repo_lines(protection.repo_url, repo, redact=redact),
        f"repo1-retention-full={protection.retention_full}",
        f"repo1-retention-diff={protection.retention_diff}",
        f"log-path={state / 'log'}",
        f"lock-path={state / 'lock'}",
        f"spool-path={state / 'spool'}",
        "log-level-console=warn",
        "log-level-file=info",
        "start-fast=y",
        "compress-type=lz4",
        "process-max=2",
        "",
        f"[{protection.stanza}]",
        f"pg1-path={safe_path(protection.pg_data, '--pg-data')}",
        f"pg1-port={pg_port}",
    ]
    if pg_socket:
        lines.append(f"pg1-socket-path={safe_path(pg_socket, 'socket directory')}")
    return "\n".join(lines) + "\n"


def repo_lines(repo_url: str, store: ObjectStore, *, redact: bool) -> list[str]:
    location = parse_location(repo_url, option="--repo")
    if location.scheme == "file":
        return ["repo1-type=posix", f"repo1-path={safe_path(location.path, '--repo')}"]
    return _s3_lines(location, store, redact=redact)


def _s3_lines(location: Location, store: ObjectStore, *, redact: bool) -> list[str]:
    """The bucket's saved `formwork store add-s3` settings, as pgBackRest spells them."""
    endpoint = getattr(store, "endpoint_url", None) or "https://s3.amazonaws.com"
    parts = urlsplit(endpoint)
    key, secret = getattr(store, "access_key_id", None), getattr(store, "secret_access_key", None)
    if key is None or secret is None:
        raise InputError(
            f"--repo '{location}': pgBackRest needs keys for the bucket: save them with "
            f"formwork store add-s3 {location.bucket} --endpoint-url URL"
        )
    lines = [
        "repo1-type=s3",
        f"repo1-path=/{safe_path(location.path, '--repo')}",
        f"repo1-s3-bucket={location.bucket}",
        f"repo1-s3-endpoint={parts.hostname}",
        f"repo1-s3-region={getattr(store, 'region', None) or 'us-east-1'}",
        "repo1-s3-uri-style=path",
        f"repo1-s3-key={REDACTED if redact else key.get_secret_value()}",
        f"repo1-s3-key-secret={REDACTED if redact else secret.get_secret_value()}",
    ]
    if parts.port:
        lines.append(f"repo1-storage-port={parts.port}")
    if parts.scheme == "https" and parts.hostname in ("127.0.0.1", "localhost"):
        lines.append("repo1-storage-verify-tls=n")  # a local TLS proxy with a self-signed certificate
    return lines
