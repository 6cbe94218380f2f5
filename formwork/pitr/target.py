"""The point a drill restores to: a given time, a random point in the retention window, or the latest.

A random point, as AWS Backup's restore testing picks one, proves the whole window
restores, not just the moment after the newest backup.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from formwork.errors import InputError
from formwork.pitr.backups import PhysicalBackup

LATEST, RANDOM = "latest", "random"


@dataclass(frozen=True)
class RecoveryTarget:
    at: datetime | None  # None: the end of the archive
    how: str  # "given", "random" or "latest"

    def pgbackrest_options(self) -> list[str]:
        if self.at is None:
            return ["--type=default"]
        return ["--type=time", f"--target={pgbackrest_time(self.at)}", "--target-action=promote"]

    def __str__(self) -> str:
        return (
            "the end of the archive"
            if self.at is None
            else f"{self.at:%Y-%m-%d %H:%M:%S.%f}"[:-3] + " UTC" + (" (random)" if self.how == RANDOM else "")
        )


def pgbackrest_time(at: datetime) -> str:
    """pgBackRest takes milliseconds at most."""
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"[:-3] + "+00"


def choose(
    value: str,
    backups: list[PhysicalBackup],
    archived_until: datetime | None,
    now: datetime,
    *,
    option: str = "--target-time",
    rng: random.Random | None = None,
) -> RecoveryTarget:
    """Checked against the window the repository covers: from just after the oldest backup's end to the newest archived WAL."""
    if not backups:
        raise InputError(f"{option}: no pgBackRest backup to restore from yet (take one with formwork backup ENV --type full)")
    earliest = backups[0].restorable_from
    if value == LATEST:
        return RecoveryTarget(None, LATEST)
    if value == RANDOM:
        latest = max(archived_until or earliest, earliest)
        return RecoveryTarget(earliest + (latest - earliest) * (rng or random.Random()).random(), RANDOM)
    try:
        at = datetime.fromisoformat(value.replace(" UTC", "").replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{option} '{value}': expected an ISO time like 2026-01-31T17:45:00Z, 'random' or 'latest'") from None
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    if at < earliest:
        raise InputError(
            f"{option} '{value}': before {earliest:%Y-%m-%d %H:%M:%S} UTC, the first second after the oldest backup's end: outside the retention window"
        )
    if at > now:
        raise InputError(f"{option} '{value}': in the future")
    return RecoveryTarget(at.astimezone(UTC), "given")
