"""Schedules derived from the registered environments, in the company's time zone.

- nightly refresh of every non-production environment that names its source (`env add --refresh-from`);
- backups at the cadence of the environment's recovery point objective (tier 1: every 15 min);
- drills weekly for tier 1, monthly otherwise;
- a watch of the WAL archive of every environment with point-in-time protection, three times per RPO period;
- the estate's posture every 15 minutes, once there is an environment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blocks.odoo_environment import OdooEnvironment
from formwork.errors import InputError

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_NIGHTLY = "02:00"
WEEKLY_DRILL = "0 4 * * 0"  # Sunday 04:00
MONTHLY_DRILL = "0 4 1 * *"  # the 1st, 04:00
DAILY_BACKUP = "0 1 * * *"
POSTURE = "*/15 * * * *"


@dataclass(frozen=True)
class PlannedSchedule:
    deployment: str
    slug: str
    cron: str
    timezone: str
    parameters: dict = field(default_factory=dict)

    def describe(self) -> str:
        return f"{self.deployment}/{self.slug}: '{self.cron}' {self.timezone}"


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"--timezone '{name}': not an IANA time zone (e.g. Europe/London, America/Chicago)") from None
    return name


def nightly_cron(at: str) -> str:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at)
    if not match:
        raise InputError(f"--nightly-at '{at}': use HH:MM, e.g. 02:00")
    return f"{int(match.group(2))} {int(match.group(1))} * * *"


def backup_cron(env: OdooEnvironment) -> str:
    """As often as the recovery point objective asks."""
    return _every(int(env.rpo_target.total_seconds() // 60))


def watch_cron(env: OdooEnvironment) -> str:
    """Three checks per RPO period, so an archive that stops is reported within a third of the target."""
    return _every(int(env.rpo_target.total_seconds() // 180))


def _every(minutes: int) -> str:
    """At most every `minutes`, on a step that divides the hour or the day."""
    if minutes < 60:
        return f"*/{max(step for step in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) if step <= max(minutes, 1))} * * * *"
    if minutes < 24 * 60:
        hours = max(step for step in (1, 2, 3, 4, 6, 8, 12) if step <= minutes // 60)
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    return DAILY_BACKUP


def drill_cron(env: OdooEnvironment) -> str:
    return WEEKLY_DRILL if env.tier == 1 else MONTHLY_DRILL


def plan(
    environments: dict[str, OdooEnvironment],
    timezone: str,
    nightly_at: str,
    approved_by: str,
    archiving: frozenset[str] = frozenset(),
) -> list[PlannedSchedule]:
    """`approved_by`: whoever runs `formwork deploy` gives the standing approval a 02:00 refresh needs.
    `archiving`: the environments with point-in-time protection, whose WAL archive is watched."""
    nightly = nightly_cron(nightly_at)
    planned = []
    for name, env in environments.items():
        if env.refresh_from and not env.production:
            if env.refresh_from not in environments:
                raise InputError(f"environment '{name}': refreshes from '{env.refresh_from}', which is not registered")
            planned.append(
                PlannedSchedule(
                    "refresh",
                    f"nightly-{name}",
                    nightly,
                    timezone,
                    {
                        "source": env.refresh_from,
                        "target": name,
                        "approver": f"standing approval of {approved_by} (nightly schedule)",
                        "change_reference": f"nightly refresh of {name}",
                    },
                )
            )
        if env.backup_store_url:
            planned.append(PlannedSchedule("backup", f"backup-{name}", backup_cron(env), timezone, {"environment": name}))
            planned.append(PlannedSchedule("dr_drill", f"drill-{name}", drill_cron(env), timezone, {"environment": name}))
        if name in archiving:
            planned.append(PlannedSchedule("pitr_watch", f"watch-{name}", watch_cron(env), timezone, {"environment": name}))
    if environments:
        planned.append(PlannedSchedule("posture", "estate", POSTURE, timezone))
    return planned
