"""Rewiring as Prefect tasks: the engine in formwork.rewiring does the work."""

from __future__ import annotations

import psycopg
from prefect import task

from blocks.odoo_environment import OdooEnvironment
from formwork.rewiring.engine import Live, Rewirer, RewireReport, Settings
from formwork.rewiring.model import Rule
from formwork.rewiring.rules import DEFAULT_RULES, load_rules
from tasks.guards import refuse_production

# Odoo's own default when a duplicate has no URL of its own (ir.config_parameter init).
DEFAULT_BASE_URL = "http://localhost:8069"


def settings_for(name: str, env: OdooEnvironment) -> Settings:
    host, _, port = env.mail_catcher.rpartition(":")
    return Settings(
        environment=name,
        base_url=env.base_url or DEFAULT_BASE_URL,
        mail_host=host,
        mail_port=int(port),
        cron_allowlist=tuple(env.cron_allowlist),
    )


def _rewirer(conn: psycopg.Connection, name: str, env: OdooEnvironment) -> Rewirer:
    return Rewirer(conn, load_rules([DEFAULT_RULES, *env.rewiring_rules]), settings_for(name, env))


def check_rules(env: OdooEnvironment) -> None:
    """Loads the environment's rule files; RulesError names file, line and key."""
    load_rules([DEFAULT_RULES, *env.rewiring_rules])


@task(name="find live endpoints")
def find_live(name: str, env: OdooEnvironment) -> tuple[list[Live], list[tuple[Rule, str]]]:
    """Read-only: what in this database could still reach the outside world."""
    with psycopg.connect(**env.connection().kwargs()) as conn:
        return _rewirer(conn, name, env).check()


@task(name="rewire database")
def rewire_database(name: str, env: OdooEnvironment) -> RewireReport:
    refuse_production(name, env, "rewire")
    with psycopg.connect(**env.connection().kwargs()) as conn:
        return _rewirer(conn, name, env).apply()
