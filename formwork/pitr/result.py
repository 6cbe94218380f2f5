"""What a point-in-time drill found: the drill's checks, plus the point, the backup it started from and
the last transaction the archive gave back.

RPO here is the gap between the target (or, to the end of the archive, the drill's
start) and the last transaction recovered: what a recovery to that moment would lose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from formwork.backup.drill import DrillResult, _span
from formwork.pitr.target import RecoveryTarget


@dataclass
class PitrDrillResult(DrillResult):
    target: RecoveryTarget | None = None
    last_transaction: datetime | None = None  # None until recovered (or when nothing was replayed: the backup's end)
    tables: dict[str, int] = field(default_factory=dict)  # rows per table as restored

    @property
    def point(self) -> datetime:
        return self.target.at if self.target and self.target.at else self.started_at

    @property
    def rpo(self) -> timedelta:
        return self.point - (self.last_transaction or self.taken_at)

    def subject(self) -> str:
        return f"to {self.target} from pgBackRest backup {self.backup_id}"

    def restored_from(self) -> str:
        last = f"{self.last_transaction:%Y-%m-%d %H:%M:%S.%f}"[:-3] + " UTC" if self.last_transaction else "none replayed"
        rows = f"{len(self.tables)} tables, {sum(self.tables.values()):,} rows" if self.tables else "not reached"
        return (
            f"pgBackRest backup `{self.backup_id}` (finished {self.taken_at:%Y-%m-%d %H:%M:%S} UTC) recovered to {self.target} "
            f"in a scratch server in `{self.scratch}` (removed). Last transaction recovered: {last} (RPO {_span(self.rpo)}). Restored: {rows}."
        )

    def record(self) -> dict:
        return {**super().record(), "target": self.point.isoformat() if self.target and self.target.at else "latest"}
