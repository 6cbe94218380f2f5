"""How fresh the WAL archive is, and whether the server holds WAL the archive does not.

The newest segment in the repository (as pgBackRest stored it) is the archive's
point; WAL the server wrote after that segment is what a recovery now would lose.
A server with nothing beyond the archived segment is idle, not lagging.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from formwork.backup.drill import _span
from formwork.dsn import connect_maintenance
from formwork.environment_settings import EnvironmentSettings
from formwork.pitr import archive
from formwork.pitr.archive import ArchivedSegment
from formwork.pitr.settings import PitrProtection


@dataclass
class ArchiveStatus:
    environment: str
    checked_at: datetime
    rpo_target: timedelta
    newest: ArchivedSegment | None
    unarchived_bytes: int | None = None  # None: the server did not answer
    server_segment: str = ""
    last_failed: str = ""  # pg_stat_archiver's last failure, when newer than its last success

    @property
    def age(self) -> timedelta | None:
        return self.checked_at - self.newest.archived_at if self.newest else None

    @property
    def at_risk(self) -> bool:
        """Older than the RPO target while the server has WAL the archive lacks (or cannot tell)."""
        if self.newest is None:
            return True
        return self.age > self.rpo_target and (self.unarchived_bytes is None or self.unarchived_bytes > 0)

    def summary(self) -> str:
        if self.newest is None:
            head = f"{self.environment}: no WAL archived yet"
        else:
            head = (
                f"{self.environment}: newest archived WAL {self.newest.name} at {self.newest.archived_at:%Y-%m-%d %H:%M:%S} UTC, "
                f"{_span(self.age)} old (RPO target {_span(self.rpo_target)})"
            )
        if self.unarchived_bytes is None:
            tail = "; server not reachable"
        else:
            tail = (
                f"; {self.unarchived_bytes:,} bytes of WAL not yet archived"
                if self.unarchived_bytes > 0
                else "; nothing left to archive"
            )
        failed = f"; archiving failing: {self.last_failed}" if self.last_failed else ""
        return head + tail + failed + (" — AT RISK" if self.at_risk else " — OK")


def lsn_number(lsn: str) -> int:
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def read(
    environment: str, env: EnvironmentSettings, protection: PitrProtection, stanza_info: dict, now: datetime
) -> ArchiveStatus:
    segments = archive.archived_segments(protection, stanza_info)
    status = ArchiveStatus(environment, now, env.rpo_target, archive.newest(segments))
    try:
        with connect_maintenance(env.connection()) as conn:
            lsn, walfile, segment_bytes, failed_wal, failed_at, archived_at = conn.execute(
                "SELECT pg_current_wal_lsn()::text, pg_walfile_name(pg_current_wal_lsn()), "
                "(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'), last_failed_wal, last_failed_time, last_archived_time "
                "FROM pg_stat_archiver"
            ).fetchone()
    except psycopg.Error:
        return status
    status.server_segment = walfile
    on_timeline = [s for s in segments if s.name[:8] == walfile[:8]]
    archived_end = (
        (archive.segment_number(max(s.name for s in on_timeline), segment_bytes) + 1) * segment_bytes if on_timeline else 0
    )
    status.unarchived_bytes = max(0, lsn_number(lsn) - archived_end)
    if failed_wal and (archived_at is None or failed_at > archived_at):
        status.last_failed = f"{failed_wal} at {failed_at:%Y-%m-%d %H:%M:%S} UTC"
    return status
