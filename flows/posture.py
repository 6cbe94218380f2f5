"""The estate's posture, every 15 minutes: is each environment inside its recovery and release objectives?

The runbook: read every environment's facts and judge them (formwork.posture); publish a table artifact, a
markdown report with the charts, and tell the estate's notification webhook (`formwork deploy --notify-webhook`)
and the environment's own alert webhook when its state *changed* since the last run (inside → at risk → outside and back), not on every run. The states are remembered in a Prefect
Variable; on the first run only an environment that is not inside is announced.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.variables import Variable

from blocks import catalogue
from formwork.errors import OperationError
from formwork.posture import charts, render
from formwork.posture.verdict import INSIDE, Posture
from tasks.alerts import post_alert, post_notification
from tasks.posture import estate

STATES_VARIABLE = "formwork-posture-states"


@flow(name="posture", log_prints=True)
def posture(names: list[str] | None = None) -> list[dict]:
    postures = judge_estate(names)
    publish_posture(postures)
    announced = announce_changes(postures)
    print(render.summary(postures) + (f"; state changes announced for {', '.join(announced)}" if announced else ""))
    return [render.record(p) for p in postures]


@task(name="judge every environment")
def judge_estate(names: list[str] | None) -> list[Posture]:
    return estate(names)


@task(name="publish the posture")
def publish_posture(postures: list[Posture]) -> None:
    now = max((p.facts.checked_at for p in postures), default=None)
    pictures = {"Drill RTO over time": charts.rto_over_time([p.facts for p in postures])}
    if now is not None:
        pictures["Age of the newest restorable point over the day"] = charts.point_age_over_the_day(
            [p.facts for p in postures], now
        )
    create_table_artifact(
        [dict(zip(render.COLUMNS, render.cells(p))) | {"WHY": "; ".join(p.reasons)} for p in postures],
        key="posture-table",
        description=render.summary(postures),
    )
    create_markdown_artifact(
        render.markdown(postures, {title: charts.data_uri(png) for title, png in pictures.items() if png}),
        key="posture-report",
        description=render.summary(postures),
    )


@task(name="announce state changes")
def announce_changes(postures: list[Posture]) -> list[str]:
    """Each environment whose state differs from the last run's is announced once, with the reasons, to the estate's
    notification webhook and its own alert webhook. One that could not be told keeps its old state, so the next
    run tells it again, and this run fails saying so."""
    states = Variable.get(STATES_VARIABLE, default=None) or {}
    announced, failed = [], []
    for p in postures:
        was = states.get(p.environment, INSIDE)
        if p.state == was:
            continue
        payload = {
            "text": f"{p.environment} is now {p.state} its objectives (was {was}): {'; '.join(p.reasons) or 'all objectives met'}",
            "environment": p.environment,
            "state": p.state,
            "previous_state": was,
            "reasons": p.reasons,
        }
        try:
            told = [post_notification(payload), post_alert(catalogue.load(p.environment), payload)]
        except OperationError as exc:
            failed.append(f"{p.environment}: {exc}")
            continue
        states[p.environment] = p.state
        announced.append(p.environment + ("" if any(told) else " (no webhook)"))
    Variable.set(STATES_VARIABLE, states, overwrite=True)
    if failed:
        raise OperationError("state changes not announced (told again on the next run): " + "; ".join(failed))
    return announced
