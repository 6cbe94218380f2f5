"""Set up WAL archiving for a protected environment: show the pgBackRest configuration and server settings,
and, for a server Formwork runs itself, apply them (config file, ALTER SYSTEM, restart if needed,
stanza-create) and prove them with `pgbackrest check`."""

from __future__ import annotations

import shlex

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from blocks import catalogue, pitr_protection
from formwork.pitr import config
from tasks.pitr import apply_archiving, check_archiving


def _literal(value: str) -> str:
    """An SQL string literal (archive_command may hold quotes from shell quoting)."""
    return "'" + value.replace("'", "''") + "'"


def instructions(environment: str) -> str:
    """What an administrator applies by hand (keys redacted)."""
    env, declared = catalogue.load(environment), pitr_protection.load(environment)
    settings = "\n".join(
        f"ALTER SYSTEM SET {name} = {_literal(value)};" for name, value in config.server_settings(declared).items()
    )
    socket = env.db_host if env.db_host.startswith("/") else "/var/run/postgresql"
    return (
        f"# {declared.config_path} (owned by the server's account, mode 0600)\n"
        f"{config.render(declared, pitr_protection.open_repo(declared.repo_url), env.db_port, socket, redact=True)}\n"
        f"-- on the server (archive_mode and wal_level need a restart), then: pgbackrest {shlex.quote(f'--config={declared.config_path}')} "
        f"--stanza={declared.stanza} stanza-create\n{settings}\nSELECT pg_reload_conf();\n"
    )


@flow(name="pitr_setup", flow_run_name="pitr-setup-{environment}", log_prints=True)
def pitr_setup(environment: str) -> str:
    env, declared = catalogue.load(environment), pitr_protection.load(environment)
    if not declared.managed:
        summary = (
            f"{environment}: apply the configuration above on the database server, then run formwork pitr check {environment}"
        )
    else:
        changed = apply_archiving(declared, env)
        check_archiving(declared)
        summary = (
            f"{environment}: archiving to {declared.repo_url} (stanza {declared.stanza}) applied"
            + (f", changed {', '.join(changed)}" if changed else ", already in place")
            + "; pgbackrest check passed"
        )
    create_markdown_artifact(
        f"# PITR setup: {environment}\n\n**{summary}**\n\n```\n{instructions(environment)}```",
        key="pitr-setup-report",
        description=summary,
    )
    print(summary)
    return summary
