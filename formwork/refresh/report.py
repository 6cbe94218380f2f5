"""What a refresh run did, for the person who approved it and the one who debugs it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from formwork.masking.engine import MaskReport
from formwork.rewiring.engine import RewireReport


@dataclass
class RefreshReport:
    source: str
    target: str
    outcome: str = "running"
    approver: str = ""
    change_reference: str = ""
    steps: list[tuple[str, float]] = field(default_factory=list)
    rows: int = 0
    files: int = 0
    masked: dict[str, str] = field(default_factory=dict)  # "table.column" -> strategy
    deleted: dict[str, int] = field(default_factory=dict)  # table -> rows masking deleted
    rewired: list[tuple[str, str, int, str]] = field(default_factory=list)  # rule, table, rows changed, what it ensures
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    artifact_key: ClassVar[str] = "refresh-report"

    def summary(self) -> str:
        return f"refresh {self.source} -> {self.target}: {self.outcome} in {sum(s for _, s in self.steps):.1f} s"

    def rejected(self, step: str, approver: str, change_reference: str, said: str) -> None:
        self.outcome, self.approver, self.change_reference = f"{said}; target untouched", approver, change_reference

    def add_masking(self, masked: MaskReport) -> None:
        self.masked, self.deleted = dict(masked.columns), dict(masked.deleted)
        self.notes.append(masked.summary())
        self.warnings += [f"masking skipped {item}" for item in masked.skipped]

    def add_rewiring(self, rewired: RewireReport) -> None:
        self.rewired = [(rule.name, rule.table, rows, rule.about) for rule, rows in rewired.applied if rows]
        self.notes.append(rewired.summary())
        self.warnings += [f"rewiring rule {rule.name} skipped: {why}" for rule, why in rewired.skipped]

    def markdown(self) -> str:
        lines = [
            f"# Refresh {self.source} → {self.target}",
            "",
            f"**{self.summary()}**",
            "",
            f"Approved by **{self.approver or '-'}**, change reference **{self.change_reference or '-'}**.",
            "",
        ]
        if self.rows or self.files:
            lines += [f"{self.rows:,} rows verified against the source, {self.files:,} filestore objects copied.", ""]
        lines += ["| step | seconds |", "|---|---:|"] + [f"| {name} | {seconds:.1f} |" for name, seconds in self.steps]
        if self.masked or self.deleted:
            by_table: dict[str, list[str]] = {}
            for column, how in self.masked.items():
                table, _, name = column.partition(".")
                by_table.setdefault(table, []).append(f"{name} ({how})")
            lines += ["", "## Masked", "", "| table | columns |", "|---|---|"]
            lines += [f"| {table} | {', '.join(columns)} |" for table, columns in sorted(by_table.items())]
            lines += [f"| {table} | {rows:,} rows deleted |" for table, rows in sorted(self.deleted.items())]
        if self.rewired:
            lines += ["", "## Rewired endpoints", "", "| rule | table | rows | now |", "|---|---|---:|---|"]
            lines += [f"| {name} | {table} | {rows:,} | {about} |" for name, table, rows, about in self.rewired]
        for title, items in (("Warnings", self.warnings), ("Notes", self.notes)):
            if items:
                lines += ["", f"## {title}", ""] + [f"- {item}" for item in items]
        return "\n".join(lines)
