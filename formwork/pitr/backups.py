"""pgBackRest's backups of a stanza, as Formwork lists them, and which kind the schedule calls for next.

pgBackRest's own `info` is the record: its retention (repo1-retention-full/diff)
expires backups and their WAL, so a list read from it is never stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from formwork.pitr.settings import PitrProtection

KINDS = ("full", "diff", "incr")


@dataclass(frozen=True)
class PhysicalBackup:
    label: str
    kind: str  # full, diff, incr
    started_at: datetime
    stopped_at: datetime  # when it finished, in pgBackRest's whole seconds
    size: int  # the database, bytes
    repo_size: int  # what it added to the repository, bytes
    wal_start: str  # the first WAL segment a restore of it needs
    wal_stop: str

    @property
    def id(self) -> str:
        return self.label

    @property
    def restorable_from(self) -> datetime:
        """The earliest target a restore from it accepts: pgBackRest cuts a target to whole seconds and
        needs it after the stop second, so a target in the second the backup finished is refused."""
        return self.stopped_at.replace(microsecond=0) + timedelta(seconds=1)

    @property
    def timeline(self) -> str:
        return self.wal_start[:8]


def from_info(stanza_info: dict) -> list[PhysicalBackup]:
    """Complete backups, oldest first."""
    return [
        PhysicalBackup(
            b["label"],
            b["type"],
            _at(b["timestamp"]["start"]),
            _at(b["timestamp"]["stop"]),
            b["info"]["size"],
            b["info"]["repository"]["delta"],
            b["archive"]["start"],
            b["archive"]["stop"],
        )
        for b in stanza_info.get("backup") or []
        if not b.get("error")
    ]


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def next_kind(backups: list[PhysicalBackup], now: datetime, protection: PitrProtection) -> str:
    """Full every `full_every_days`, differential every `diff_every_hours`, incremental in between."""
    fulls = [b for b in backups if b.kind == "full"]
    if not fulls or now - fulls[-1].stopped_at >= timedelta(days=protection.full_every_days):
        return "full"
    last_base = [b for b in backups if b.kind in ("full", "diff")][-1]
    if now - last_base.stopped_at >= timedelta(hours=protection.diff_every_hours):
        return "diff"
    return "incr"


def base_for(backups: list[PhysicalBackup], target: datetime | None) -> PhysicalBackup | None:
    """The backup pgBackRest restores from for a target: the newest that finished before it."""
    usable = [b for b in backups if target is None or b.restorable_from <= target]
    return usable[-1] if usable else None


def markdown(environment: str, taken: PhysicalBackup, found: list[PhysicalBackup], protection: PitrProtection) -> tuple[str, str]:
    """The run's report and its one-line summary."""
    summary = (
        f"pgBackRest {taken.kind} backup {taken.label} of {environment}: {taken.size / 1e6:,.1f} MB database, "
        f"{taken.repo_size / 1e6:,.1f} MB added to the repository in {(taken.stopped_at - taken.started_at).total_seconds():.0f} s"
    )
    lines = [
        f"# pgBackRest backup: {environment}",
        "",
        f"**{summary}**",
        "",
        f"Stanza `{protection.stanza}` in `{protection.repo_url}`. Retention by pgBackRest: {protection.retention_full} full, "
        f"{protection.retention_diff} differential (with their WAL). Schedule: full every {protection.full_every_days} d, "
        f"differential every {protection.diff_every_hours} h, incremental between.",
        "",
        "| label | type | finished (UTC) | database | added | WAL from |",
        "|---|---|---|---:|---:|---|",
    ]
    lines += [
        f"| {b.label} | {b.kind} | {b.stopped_at:%Y-%m-%d %H:%M:%S} | {b.size / 1e6:,.1f} MB | {b.repo_size / 1e6:,.1f} MB | {b.wal_start} |"
        for b in reversed(found)
    ]
    return "\n".join(lines), summary
