"""Masking as Prefect tasks: the engine in formwork.masking does the work."""

from __future__ import annotations

from pathlib import Path

import psycopg
from prefect import task
from prefect.runtime import deployment

from blocks.masking_salt import masking_salt
from blocks.odoo_environment import OdooEnvironment
from blocks.stores import open_store
from formwork.masking.engine import Masker, MaskPlan, MaskReport
from formwork.masking.model import RuleSet
from formwork.masking.rules import load_rules
from formwork.rulepaths import confined
from tasks.guards import refuse_production
from tasks.progress import task_progress

DEFAULT_RULES = str(Path(__file__).resolve().parent.parent / "masking_rules" / "odoo17.yaml")


def load_masking_rules(rules: str, env: OdooEnvironment) -> RuleSet:
    """A deployed run's `rules` parameter reads only the project's rules files or the environment's own
    (formwork.rulepaths); a run started from a shell reads the operator's file, which they can read anyway."""
    if deployment.get_id():
        rules = confined(rules, env.rewiring_rules, option="rules")
    return load_rules(rules)


def _masker(conn: psycopg.Connection, env: OdooEnvironment, rules: str) -> Masker:
    store = open_store(env.filestore_url, option="filestore") if env.filestore_url else None
    return Masker(conn, load_masking_rules(rules, env), masking_salt(), store, env.staging_login_password())


def check_rules(env: OdooEnvironment, rules: str = DEFAULT_RULES) -> None:
    """Rules checked against the database's tables and columns; raises RulesError naming file and line."""
    with psycopg.connect(**env.connection().kwargs()) as conn:
        _masker(conn, env, rules)


@task(name="plan masking")
def plan_masking(name: str, env: OdooEnvironment, rules: str = DEFAULT_RULES) -> MaskPlan:
    """Read-only: validates the rules against the database and counts what would change."""
    with psycopg.connect(**env.connection().kwargs()) as conn:
        return _masker(conn, env, rules).plan()


@task(name="mask database and filestore")
def mask_database(name: str, env: OdooEnvironment, rules: str = DEFAULT_RULES) -> MaskReport:
    """One task, because the leak check's samples of original values must never leave memory."""
    refuse_production(name, env, "mask")
    with psycopg.connect(**env.connection().kwargs()) as conn:
        return _masker(conn, env, rules).run(task_progress())
