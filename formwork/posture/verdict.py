"""Is an environment inside its objectives, at risk, or outside them, and why, in words.

Outside: the newest restorable point is older than the RPO, the last drill failed or took longer than the
RTO, the WAL archive is behind, a production environment has no backups, or a fact could not be read
(what cannot be told is never taken as fine). At risk: four fifths of the RPO used, no drill yet or the
last one older than its schedule, unusable backups in the store, or its Odoo not running what its overlay pins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from formwork.posture.facts import Facts

INSIDE, AT_RISK, OUTSIDE = "inside", "at risk", "outside"
STATES = (INSIDE, AT_RISK, OUTSIDE)
WARNING_SHARE = 0.8  # of the RPO used before the newest restorable point is at risk


@dataclass
class Posture:
    facts: Facts
    state: str = INSIDE
    reasons: list[str] = field(default_factory=list)  # worst first

    @property
    def environment(self) -> str:
        return self.facts.environment


def judge(facts: Facts) -> Posture:
    outside = [f"cannot tell {what}" for what in facts.unknown]
    at_risk: list[str] = []
    _recovery_point(facts, outside, at_risk)
    _drill(facts, outside, at_risk)
    if facts.invalid or facts.incomplete:
        at_risk.append(f"{facts.invalid} unusable and {facts.incomplete} unfinished backups in the store")
    if facts.archive is not None and facts.archive.at_risk:
        outside.append(f"WAL archive behind: {facts.archive.summary()}")
    if facts.pinned and facts.running and facts.running != facts.pinned:
        at_risk.append(f"runs {_short(facts.running)}, its overlay pins {_short(facts.pinned)}")
    elif facts.pinned and facts.odoo.startswith("not healthy"):
        at_risk.append(f"Odoo {facts.odoo}")
    state = OUTSIDE if outside else AT_RISK if at_risk else INSIDE
    return Posture(facts, state, outside + at_risk)


def _recovery_point(facts: Facts, outside: list[str], at_risk: list[str]) -> None:
    age = facts.point_age
    if age is None:
        if facts.backed_up or facts.archive is not None:
            outside.append("no restorable point yet (no complete backup)")
        elif facts.production:
            outside.append("production has no backup store")
        return
    if age > facts.rpo_target:
        outside.append(f"newest restorable point {span(age)} old, over its RPO of {span(facts.rpo_target)}")
    elif age > facts.rpo_target * WARNING_SHARE:
        at_risk.append(
            f"newest restorable point {span(age)} old, {age / facts.rpo_target:.0%} of its RPO of {span(facts.rpo_target)}"
        )


def _drill(facts: Facts, outside: list[str], at_risk: list[str]) -> None:
    if not facts.backed_up:
        return
    if not facts.drills:
        at_risk.append("never drilled: no backup has been proven to restore")
        return
    last = facts.drills[0]
    if not last.passed:
        outside.append(
            f"last drill failed ({', '.join(last.failed) or 'no restore'}) {span(facts.checked_at - last.started_at)} ago"
        )
    elif last.rto is not None and last.rto > facts.rto_target:
        outside.append(f"last drill took {span(last.rto)} to recover, over its RTO of {span(facts.rto_target)}")
    if facts.checked_at - last.started_at > facts.drill_every:
        at_risk.append(
            f"last drill is stale: {span(facts.checked_at - last.started_at)} ago, drills are due every {span(facts.drill_every)}"
        )


def span(delta: timedelta) -> str:
    seconds = max(delta.total_seconds(), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"
    return f"{seconds:.0f} s"


def _short(digest: str) -> str:
    return digest.split(":")[-1][:12]
