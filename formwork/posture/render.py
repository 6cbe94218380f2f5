"""The posture as one screen of text, as JSON for monitors, and as the flow's markdown report."""

from __future__ import annotations

import json

from formwork.posture.verdict import Posture, span

COLUMNS = (
    "ENVIRONMENT",
    "TIER",
    "STATE",
    "RESTORABLE POINT",
    "LAST DRILL",
    "BACKUPS",
    "IMAGE",
    "LAST REFRESH",
    "WAITING",
    "RELEASE WINDOW",
)


def cells(posture: Posture) -> tuple[str, ...]:
    f = posture.facts
    age = f.point_age
    point = f"{span(age)} old / RPO {span(f.rpo_target)}" if age is not None else f"none / RPO {span(f.rpo_target)}"
    if f.drills:
        last = f.drills[0]
        rto = f", RTO {span(last.rto)} / {span(f.rto_target)}" if last.rto is not None else ""
        drill = f"{'passed' if last.passed else 'FAILED'} {span(f.checked_at - last.started_at)} ago{rto}"
    else:
        drill = "never" if f.backed_up else "-"
    backups = f"{len(f.backups)} kept, drilled: {f.drilled_backup or 'none'}" if f.backed_up else "no store"
    if f.pinned:
        image = (
            "as pinned"
            if f.running == f.pinned
            else f"DRIFT ({f.running or 'not reported'})"
            if f.running
            else "pinned, not reported"
        )
    else:
        image = "-"
    refresh = "-"
    if f.refresh:
        refresh = f"{f.refresh.get('at', '?')[:16]} from {f.refresh.get('source', '?')} by {f.refresh.get('approver') or '?'}"
    return (
        f.environment,
        str(f.tier),
        posture.state,
        point,
        drill,
        backups,
        image,
        refresh,
        str(f.waiting),
        f.next_window or "-",
    )


def table(postures: list[Posture]) -> str:
    """One row per environment, then why each one not inside is where it is."""
    rows = [COLUMNS, *(cells(p) for p in postures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    for posture in postures:
        lines += [f"  {posture.environment}: {reason}" for reason in posture.reasons]
    return "\n".join(lines)


def summary(postures: list[Posture]) -> str:
    counts = {state: sum(p.state == state for p in postures) for state in ("inside", "at risk", "outside")}
    return f"{len(postures)} environments: " + ", ".join(f"{n} {state}" for state, n in counts.items())


def as_json(postures: list[Posture]) -> str:
    return json.dumps([record(p) for p in postures], indent=2)


def record(posture: Posture) -> dict:
    f = posture.facts
    return {
        "environment": f.environment,
        "tier": f.tier,
        "production": f.production,
        "state": posture.state,
        "reasons": posture.reasons,
        "rpo_target_seconds": f.rpo_target.total_seconds(),
        "rto_target_seconds": f.rto_target.total_seconds(),
        "newest_restorable_point": f.newest_point.isoformat() if f.newest_point else None,
        "restorable_point_age_seconds": f.point_age.total_seconds() if f.point_age is not None else None,
        "last_drill": {
            "started_at": f.drills[0].started_at.isoformat(),
            "passed": f.drills[0].passed,
            "backup": f.drills[0].backup,
            "rto_seconds": f.drills[0].rto.total_seconds() if f.drills[0].rto is not None else None,
        }
        if f.drills
        else None,
        "drilled_backup": f.drilled_backup,
        "backups_kept": len(f.backups),
        "backups_unusable": f.invalid,
        "backups_unfinished": f.incomplete,
        "archive_age_seconds": f.archive.age.total_seconds() if f.archive and f.archive.age is not None else None,
        "pinned_digest": f.pinned,
        "running_digest": f.running,
        "last_refresh": f.refresh,
        "waiting_for_approval": f.waiting,
        "release_window": f.next_window or None,
        "unknown": f.unknown,
    }


def markdown(postures: list[Posture], charts: dict[str, str] | None = None) -> str:
    """`charts`: title -> an image's address (a data: URI works in the Prefect UI)."""
    lines = [
        "# Estate posture",
        "",
        f"**{summary(postures)}**",
        "",
        "| " + " | ".join(c.lower() for c in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(cells(p)) + " |" for p in postures]
    reasons = [f"- **{p.environment}** ({p.state}): {reason}" for p in postures for reason in p.reasons]
    if reasons:
        lines += ["", "## Why", "", *reasons]
    for title, address in (charts or {}).items():
        lines += ["", f"## {title}", "", f"![{title}]({address})"]
    return "\n".join(lines)
