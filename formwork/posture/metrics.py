"""The posture as Prometheus metrics (prometheus_client), one sample per environment, for a scrape or a push."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge

from formwork.posture.verdict import STATES, Posture

PREFIX = "formwork_"


def registry(postures: list[Posture]) -> CollectorRegistry:
    """A fresh registry holding the postures given (the endpoint builds one per scrape: never a stale value)."""
    found = CollectorRegistry()

    def gauge(name: str, doc: str, labels: tuple[str, ...] = ("environment",)) -> Gauge:
        return Gauge(PREFIX + name, doc, labels, registry=found)

    backup_age = gauge("restorable_point_age_seconds", "Age of the newest restorable point (backup or archived WAL).")
    rpo = gauge("rpo_target_seconds", "Recovery point objective.")
    rto_target = gauge("rto_target_seconds", "Recovery time objective.")
    archive_lag = gauge(
        "pitr_archive_age_seconds", "Age of the newest archived WAL, for environments with point-in-time recovery."
    )
    drill_ok = gauge("last_drill_success", "1 when the last drill passed, 0 when it failed.")
    drill_age = gauge("last_drill_age_seconds", "Time since the last drill started.")
    rto = gauge("last_drill_rto_seconds", "Recovery time the last drill measured.")
    kept = gauge("backups_kept", "Complete backups in the store.")
    drift = gauge("image_drift", "1 when the environment's Odoo runs another digest than its GitOps overlay pins.")
    waiting = gauge("runs_waiting_for_approval", "Runs about the environment paused for an approver.")
    unknown = gauge("facts_unreadable", "Facts about the environment that could not be read.")
    state = gauge(
        "objectives_state", "1 for the environment's current state (inside, at risk, outside).", ("environment", "state")
    )
    for posture in postures:
        f, name = posture.facts, posture.environment
        rpo.labels(name).set(f.rpo_target.total_seconds())
        rto_target.labels(name).set(f.rto_target.total_seconds())
        kept.labels(name).set(len(f.backups))
        waiting.labels(name).set(f.waiting)
        unknown.labels(name).set(len(f.unknown))
        drift.labels(name).set(int(bool(f.pinned and f.running and f.running != f.pinned)))
        if f.point_age is not None:
            backup_age.labels(name).set(f.point_age.total_seconds())
        if f.archive is not None and f.archive.age is not None:
            archive_lag.labels(name).set(f.archive.age.total_seconds())
        if f.drills:
            drill_ok.labels(name).set(int(f.drills[0].passed))
            drill_age.labels(name).set((f.checked_at - f.drills[0].started_at).total_seconds())
            if f.drills[0].rto is not None:
                rto.labels(name).set(f.drills[0].rto.total_seconds())
        for each in STATES:
            state.labels(name, each).set(int(posture.state == each))
    return found
