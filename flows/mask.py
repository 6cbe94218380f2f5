"""Mask an environment's personal data in place: never production, all or nothing."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from blocks import catalogue
from formwork.masking.engine import MaskingLeak
from tasks.guards import refuse_production
from tasks.masking import DEFAULT_RULES, mask_database, plan_masking


@flow(name="mask", flow_run_name="mask-{environment}", log_prints=True)
def mask_environment(environment: str, rules: str = DEFAULT_RULES):
    """Guard, plan (validates rules before any data is touched), mask + leak check, report.
    RULES: deployed, a file in the project's masking_rules/ (or one the environment's configuration names)."""
    env = catalogue.load(environment)
    refuse_production(environment, env, "mask")
    plan = plan_masking(environment, env, rules)
    for note in plan.skipped:
        print(note)
    try:
        report = mask_database(environment, env, rules)
    except MaskingLeak as leak:
        create_markdown_artifact(leak.report.markdown(), key="mask-report", description="masking FAILED: leaks found")
        raise
    create_markdown_artifact(report.markdown(), key="mask-report", description=report.summary())
    print(report.summary())
    return report
