"""What a rollback put back, from what to what, who asked and who approved: a release's GitOps pin, or a
refresh's database and filestore copies."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RollbackReport:
    pipeline: str  # "release" (the overlay's pin) or "refresh" (the target's database and filestore copies)
    environment: str
    requested_by: str = ""
    change_reference: str = ""
    outcome: str = "running"
    current: str = ""  # what the environment had before the rollback
    previous: str = ""  # what it was rolled back to
    approver: str = ""
    approvals: list[str] = field(default_factory=list)  # how each was given: in the form, or on the command line by whom
    commit: str = ""  # the GitOps commit of a release rollback

    @property
    def artifact_key(self) -> str:
        return f"{self.pipeline}-rollback-report"

    def summary(self) -> str:
        return f"{self.pipeline} rollback of {self.environment}: {self.outcome}"

    def rejected(self, step: str, approver: str, change_reference: str, said: str) -> None:
        self.outcome, self.approver, self.change_reference = f"{said}; nothing changed", approver, change_reference

    def trailers(self) -> dict[str, str]:
        """A release rollback's commit trailers."""
        return {
            "Rollback-of": self.current or "-",
            "Requested-by": self.requested_by or "-",
            "Approved-by": self.approver or "-",
            "Change": self.change_reference or "-",
        }

    def markdown(self) -> str:
        rows = [
            ("rolled back from", self.current or "-"),
            ("rolled back to", self.previous or "-"),
            ("requested by", self.requested_by or "-"),
            ("approved by", self.approver or "-"),
            ("change", self.change_reference or "-"),
            ("approvals", "; ".join(self.approvals) or "-"),
            ("GitOps commit", f"`{self.commit[:12]}`" if self.commit else "-"),
        ]
        return "\n".join(
            [
                f"# {self.pipeline.capitalize()} rollback of {self.environment}",
                "",
                f"**{self.summary()}**",
                "",
                "| | |",
                "|---|---|",
            ]
            + [f"| {k} | {v} |" for k, v in rows]
        )
