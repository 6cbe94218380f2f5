"""Rewire a non-production copy so it never reaches the outside world; fail if anything stays live."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from blocks import catalogue
from formwork.errors import OperationError
from tasks.guards import refuse_production
from tasks.rewiring import check_rules, find_live, rewire_database


@flow(name="rewire", flow_run_name="rewire-{environment}", log_prints=True)
def rewire_environment(environment: str):
    """Guard, look, cut (one transaction, live rows only), look again, report."""
    env = catalogue.load(environment)
    refuse_production(environment, env, "rewire")
    check_rules(env)
    before, _ = find_live(environment, env)
    print(f"{environment}: {len(before)} kinds of live endpoint before rewiring")
    report = rewire_database(environment, env)
    create_markdown_artifact(report.markdown(), key="rewire-report", description=report.summary())
    print(report.summary())
    if report.live:
        raise OperationError(f"{environment}: still live after rewiring: " + "; ".join(live.rule.name for live in report.live))
    return report
