"""The estate's posture: verdicts in words, `formwork status`, the metrics endpoint and the posture flow's webhook.

Verdicts are judged on plain facts (formwork.posture.facts.Facts); the command, the endpoint and the flow run
against the test's Prefect server with environments of their own. Facts read from real backups, drills and
refreshes are checked where those are made: tests/test_backup_drill.py and tests/test_refresh_cli.py."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from blocks import catalogue
from formwork.environments import EnvironmentSpec
from formwork.posture import charts, render
from formwork.posture.facts import Drill, Facts
from formwork.posture.verdict import AT_RISK, INSIDE, OUTSIDE, judge
from formwork.tiers import TIER_TARGETS
from tests.support.cli import FORMWORK, checkout_env
from tests.support.webhook import WebhookReceiver

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def facts(tier: int = 1, **given) -> Facts:
    rpo, rto = TIER_TARGETS[tier]
    return Facts("erp", tier, given.pop("production", True), rpo, rto, NOW, backed_up=True, **given)


def drill(days_ago: float, passed: bool = True, rto_minutes: float | None = 5) -> Drill:
    return Drill(
        NOW - timedelta(days=days_ago),
        passed,
        timedelta(minutes=rto_minutes) if rto_minutes is not None else None,
        "b1",
        () if passed else ("row counts match the manifest",),
    )


FRESH = [NOW - timedelta(minutes=5)]

VERDICTS = {  # label -> (facts, state, words in the first reason)
    "all inside": (facts(backups=FRESH, drills=[drill(1)]), INSIDE, None),
    "backup older than the RPO": (
        facts(backups=[NOW - timedelta(hours=2)], drills=[drill(1)]),
        OUTSIDE,
        "over its RPO of 15 min",
    ),
    "four fifths of the RPO used": (facts(backups=[NOW - timedelta(minutes=13)], drills=[drill(1)]), AT_RISK, "87% of its RPO"),
    "no backup at all": (facts(drills=[]), OUTSIDE, "no restorable point yet"),
    "never drilled": (facts(backups=FRESH), AT_RISK, "never drilled"),
    "last drill failed": (
        facts(backups=FRESH, drills=[drill(1, passed=False)]),
        OUTSIDE,
        "last drill failed (row counts match the manifest)",
    ),
    "RTO over target": (
        facts(backups=FRESH, drills=[drill(1, rto_minutes=90)]),
        OUTSIDE,
        "took 1.5 h to recover, over its RTO of 1 h",
    ),
    "stale drill": (facts(backups=FRESH, drills=[drill(8)]), AT_RISK, "last drill is stale: 8 d ago, drills are due every 7 d"),
    "monthly drills for tier 3": (facts(3, backups=FRESH, drills=[drill(20)]), INSIDE, None),
    "image drift": (
        facts(backups=FRESH, drills=[drill(1)], pinned="sha256:" + "a" * 64, running="sha256:" + "b" * 64),
        AT_RISK,
        "runs bbbbbbbbbbbb, its overlay pins aaaaaaaaaaaa",
    ),
    "unusable backups": (facts(backups=FRESH, drills=[drill(1)], invalid=1), AT_RISK, "1 unusable and 0 unfinished backups"),
    "a fact that cannot be read": (
        facts(backups=FRESH, drills=[drill(1)], unknown=["backups: connection refused"]),
        OUTSIDE,
        "cannot tell backups: connection refused",
    ),
    "production without a backup store": (
        Facts("erp", 2, True, *TIER_TARGETS[2], NOW),
        OUTSIDE,
        "production has no backup store",
    ),
    "a copy without backups": (Facts("dev", 3, False, *TIER_TARGETS[3], NOW), INSIDE, None),
}


@pytest.mark.parametrize("label", list(VERDICTS))
def test_a_verdict_names_why(label):
    given, state, words = VERDICTS[label]
    posture = judge(given)
    assert posture.state == state, posture.reasons
    if words is None:
        assert posture.reasons == []
    else:
        assert words in posture.reasons[0], posture.reasons


def test_the_table_the_report_and_the_charts():
    postures = [
        judge(facts(backups=[NOW - timedelta(hours=h) for h in (30, 20, 2)], drills=[drill(1), drill(8, rto_minutes=9)])),
        judge(Facts("dev", 3, False, *TIER_TARGETS[3], NOW)),
    ]
    shown = render.table(postures)
    assert shown.splitlines()[0].split()[:3] == ["ENVIRONMENT", "TIER", "STATE"]
    assert "  erp: newest restorable point 2 h old, over its RPO of 15 min" in shown
    assert render.summary(postures) == "2 environments: 1 inside, 0 at risk, 1 outside"
    rto = charts.rto_over_time([p.facts for p in postures])
    age = charts.point_age_over_the_day([p.facts for p in postures], NOW)
    assert rto.startswith(b"\x89PNG") and age.startswith(b"\x89PNG")
    report = render.markdown(postures, {"RTO": charts.data_uri(rto)})
    assert "| erp | 1 | outside |" in report and "![RTO](data:image/png;base64," in report


@pytest.fixture
def estate(pg, prefect_api):
    """A copy with nothing to back up (inside) and a production database without a backup store (outside)."""
    suffix = uuid.uuid4().hex[:6]
    copy, prod = f"dev-{suffix}", f"erp-{suffix}"
    catalogue.add(EnvironmentSpec(copy, pg.dsn("postgres"), tier=3))
    catalogue.add(EnvironmentSpec(prod, pg.dsn("postgres"), tier=2, production=True))
    return copy, prod


def test_status_exits_1_naming_who_is_outside_and_why(estate, formwork_here):
    copy, prod = estate
    shown = formwork_here("status", copy, prod)
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert f"  {prod}: production has no backup store" in shown.stdout
    assert "2 environments: 1 inside, 0 at risk, 1 outside" in shown.stdout
    inside = formwork_here("status", copy, "--json")
    assert inside.returncode == 0 and json.loads(inside.stdout)[0]["state"] == "inside"
    unknown = formwork_here("status", "no-such-env")
    assert unknown.returncode == 2 and "no-such-env" in unknown.stderr and len(unknown.stderr.strip().splitlines()) == 1


def test_the_metrics_endpoint_is_scraped_and_parsed(estate, prefect_api, tmp_path):
    from formwork.postgres_cluster import free_port

    copy, prod = estate
    port = free_port()
    env = checkout_env({**os.environ, "PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(tmp_path / "ph")})
    server = subprocess.Popen(
        [*FORMWORK, "metrics", "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline, text = time.monotonic() + 60, None
        while text is None and time.monotonic() < deadline:
            try:
                scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30)
                text = scraped.text if scraped.status_code == 200 else pytest.fail(scraped.text)
            except httpx.TransportError:
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(10)
    samples = {
        (s.name, s.labels.get("environment"), s.labels.get("state")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert (
        samples[("formwork_objectives_state", prod, "outside")] == 1
        and samples[("formwork_objectives_state", prod, "inside")] == 0
    )
    assert samples[("formwork_objectives_state", copy, "inside")] == 1
    assert samples[("formwork_rpo_target_seconds", prod, None)] == 3600 and samples[("formwork_backups_kept", prod, None)] == 0


def test_the_posture_flow_calls_the_webhooks_once_per_change(pg, prefect_api):
    from prefect.blocks.webhook import Webhook

    from deployments.notifications import WEBHOOK_BLOCK
    from flows.posture import posture

    hook = WebhookReceiver()
    name = f"erp-{uuid.uuid4().hex[:6]}"
    Webhook(url=hook.url("/estate")).save(WEBHOOK_BLOCK, overwrite=True)  # what `formwork deploy --notify-webhook` saves
    try:
        catalogue.add(EnvironmentSpec(name, pg.dsn("postgres"), tier=2, production=True, alert_webhook=hook.url("/erp")))
        assert posture(names=[name])[0]["state"] == "outside"
        assert posture(names=[name])[0]["state"] == "outside"
        env = catalogue.load(name)
        env.production = False  # now a copy, which needs no backups
        env.save(name, overwrite=True)
        assert posture(names=[name])[0]["state"] == "inside"
        time.sleep(0.5)
        assert sorted((call["state"], call["previous_state"]) for call in hook.received) == [
            ("inside", "outside"),
            ("inside", "outside"),
            ("outside", "inside"),
            ("outside", "inside"),
        ]  # each to both webhooks
        assert "production has no backup store" in hook.received[0]["text"]
    finally:
        hook.stop()
        Webhook.delete(WEBHOOK_BLOCK)
