"""Pictures of the posture: each environment's drill RTO over time against its target, and the age of its
newest restorable point over the last day against its RPO. PNG bytes (matplotlib, no display needed)."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta

from formwork.posture.facts import Facts

STEP = timedelta(minutes=5)


def rto_over_time(estate: list[Facts]) -> bytes | None:
    """None when no environment has a drill with a measured RTO."""
    drilled = [f for f in estate if any(d.rto is not None for d in f.drills)]
    if not drilled:
        return None
    figure, axes = _figure("Drill RTO over time (dashed: target)", "minutes")
    for facts in drilled:
        points = sorted((d.started_at, d.rto.total_seconds() / 60) for d in facts.drills if d.rto is not None)
        (line,) = axes.plot([t for t, _ in points], [m for _, m in points], marker="o", label=facts.environment)
        axes.axhline(facts.rto_target.total_seconds() / 60, linestyle="--", color=line.get_color(), linewidth=1)
    return _png(figure, axes)


def point_age_over_the_day(estate: list[Facts], now: datetime) -> bytes | None:
    """The age each environment's newest backup had at every moment of the last 24 hours; None without backups."""
    backed = [f for f in estate if f.backups]
    if not backed:
        return None
    figure, axes = _figure("Age of the newest restorable point, last 24 h (dashed: RPO)", "minutes")
    moments = [now - timedelta(days=1) + STEP * i for i in range(int(timedelta(days=1) / STEP) + 1)]
    for facts in backed:
        ages = [_age(facts.backups, moment) for moment in moments]
        (line,) = axes.plot(moments, ages, label=facts.environment)
        axes.axhline(facts.rpo_target.total_seconds() / 60, linestyle="--", color=line.get_color(), linewidth=1)
    return _png(figure, axes)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _age(backups: list[datetime], moment: datetime) -> float | None:
    before = [taken for taken in backups if taken <= moment]
    return (moment - before[-1]).total_seconds() / 60 if before else None


def _figure(title: str, unit: str):
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 3.2), dpi=80)
    axes.set_title(title, fontsize=10)
    axes.set_ylabel(unit)
    axes.grid(alpha=0.3)
    return figure, axes


def _png(figure, axes) -> bytes:
    from matplotlib import pyplot

    axes.legend(fontsize=8, loc="upper left")
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    pyplot.close(figure)
    return out.getvalue()
