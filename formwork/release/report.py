"""What a promotion did, for the person who approved it and the one who audits it; the GitOps trailers of its commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

_STEPS = {
    "approval": "",
    "emergency-override": "emergency override ",
    "database-change": "database change ",
    "migration-overrun": "migration past the release window ",
}  # approval form keys


@dataclass
class PromotionReport:
    image: str
    to: str
    outcome: str = "running"
    previous: str | None = None
    approver: str = ""
    change_reference: str = ""
    requested_by: str = ""
    window: str = ""
    commits: list[str] = field(default_factory=list)
    rollout: str = ""
    schema_changes: list[str] = field(default_factory=list)
    database_approver: str = ""
    checkpoint: str = ""
    rehearsal: str = ""  # production: the migration rehearsed on the checkpoint, and whether it fits the window
    migration: str = ""  # the module upgrade: what, with which image, how long; or why Formwork did not run it
    migration_log: str = ""  # the lines of its log a person reads first
    migrated: bool = False  # the upgrade ran and succeeded: a failed rollout must put the checkpoint back
    data_restored: str = ""  # after a failed release: the checkpoint put back, and how long it took
    approvals: list[str] = field(default_factory=list)  # how each was given: in the form, or on the command line by whom
    promoted_from: str = ""  # the upstream environment, when the target has one
    artifact_key: ClassVar[str] = "promotion-report"

    def summary(self) -> str:
        return f"promote {self.image} to {self.to}: {self.outcome}"

    def rejected(self, step: str, approver: str, change_reference: str, said: str) -> None:
        """The answer to the form `step` was no: who and why, and that nothing changed."""
        self.outcome = f"{_STEPS[step]}{said}; nothing changed"
        if step == "approval":
            self.approver, self.change_reference = approver, change_reference
        elif step == "database-change":
            self.database_approver = approver

    def trailers(self) -> dict[str, str]:
        """The promotion commit's trailers: what, from where, who asked, who approved and why; a database change
        adds its approver and the backup checkpoint taken before it."""
        trailers = {
            "Image": self.image,
            "From": self.promoted_from or "-",
            "To": self.to,
            "Requested-by": self.requested_by or "-",
            "Approved-by": self.approver or "-",
            "Change": self.change_reference or "-",
            "Window": self.window,
        }
        if self.schema_changes:
            trailers |= {
                "Database-change": "; ".join(self.schema_changes),
                "Database-approved-by": self.database_approver,
                "Backup-checkpoint": self.checkpoint,
                "Rehearsal": self.rehearsal or "-",
                "Migration": self.migration or "-",
            }
        return trailers

    def rollback_trailers(self, digest: str, reason: str) -> dict[str, str]:
        """The trailers of the commit that pins the previous digest back after `digest` did not come up."""
        return {**self.trailers(), "Rollback-of": digest, "Reason": reason}

    def markdown(self) -> str:
        rows = [
            ("image", f"`{self.image}`"),
            ("previous digest", f"`{self.previous or '-'}`"),
            ("requested by", self.requested_by or "-"),
            ("approved by", self.approver or "-"),
            ("change", self.change_reference or "-"),
            ("release window", self.window),
            ("database change", "; ".join(self.schema_changes) or "none"),
            ("database change approved by", self.database_approver or "-"),
            ("backup checkpoint", f"`{self.checkpoint}`" if self.checkpoint else "-"),
            ("rehearsal", self.rehearsal or "-"),
            ("migration", self.migration or "-"),
            ("data restored", self.data_restored or "-"),
            ("approvals", "; ".join(self.approvals) or "-"),
            ("GitOps commits", ", ".join(f"`{c[:12]}`" for c in self.commits) or "-"),
            ("rollout", self.rollout or "-"),
        ]
        log = ["", "## Migration log", "", "```", self.migration_log, "```"] if self.migration_log else []
        return "\n".join(
            [f"# Promotion to {self.to}", "", f"**{self.summary()}**", "", "| | |", "|---|---|"]
            + [f"| {k} | {v} |" for k, v in rows]
            + log
        )
