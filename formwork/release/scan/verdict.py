"""The release policy on findings: blocked, waived or allowed, and the report of it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from formwork.release.scan.finding import Finding
from formwork.release.scan.severity import BLOCKING
from formwork.release.scan.waivers import Waiver


@dataclass
class Verdict:
    blocked: list[Finding] = field(default_factory=list)
    waived: list[tuple[Finding, Waiver]] = field(default_factory=list)
    allowed: list[Finding] = field(default_factory=list)
    expired_waivers: list[Waiver] = field(default_factory=list)
    today: date | None = None

    @property
    def passed(self) -> bool:
        return not self.blocked

    def markdown(self, title: str = "Vulnerability scan") -> str:
        def cell(text: Any) -> str:
            return str(text if text not in (None, "") else "-").replace("|", "\\|").replace("\n", " ")

        status = "PASSED" if self.passed else f"BLOCKED ({len(self.blocked)} finding(s) at {'/'.join(sorted(BLOCKING))})"
        lines = [f"# {title}: {status}", ""]
        lines.append(
            f"{len(self.blocked)} blocked, {len(self.waived)} waived, {len(self.allowed)} allowed, "
            f"{len(self.expired_waivers)} expired waiver(s)" + (f" (as of {self.today.isoformat()})" if self.today else ""),
        )
        header = "| Severity | ID | Package | Version | Fixed in | Summary |"
        rule = "|---|---|---|---|---|---|"

        def row(f: Finding) -> str:
            return f"| {f.severity} | {cell(f.id)} | {cell(f.package)} | {cell(f.version)} | {cell(f.fixed_in)} | {cell(f.summary)} |"

        if self.blocked:
            lines += ["", "## Blocked", "", header, rule, *map(row, self.blocked)]
        if self.waived:
            lines += [
                "",
                "## Waived",
                "",
                "| Severity | ID | Package | Version | Owner | Expires | Reason |",
                "|---|---|---|---|---|---|---|",
            ]
            lines += [
                f"| {f.severity} | {cell(f.id)} | {cell(f.package)} | {cell(f.version)} | {cell(w.owner)} | "
                f"{w.expires.isoformat()} | {cell(w.reason)} |"
                for f, w in self.waived
            ]
        if self.expired_waivers:
            lines += [
                "",
                "## Expired waivers (no longer waive anything)",
                "",
                "| ID | Package | Owner | Expired | Reason |",
                "|---|---|---|---|---|",
            ]
            lines += [
                f"| {cell(w.id)} | {cell(w.package)} | {cell(w.owner)} | {w.expires.isoformat()} | {cell(w.reason)} |"
                for w in self.expired_waivers
            ]
        if self.allowed:
            lines += ["", "## Allowed", "", header, rule, *map(row, self.allowed)]
        return "\n".join(lines) + "\n"


def evaluate(findings: Iterable[Finding], waivers: Sequence[Waiver], today: date) -> Verdict:
    """Block CRITICAL/HIGH findings no active waiver covers; every expired waiver is listed."""
    verdict = Verdict(today=today)
    verdict.expired_waivers = [w for w in waivers if not w.active(today)]
    for finding in findings:
        waiver = next((w for w in waivers if w.active(today) and w.covers(finding)), None)
        if waiver is not None:
            verdict.waived.append((finding, waiver))
        elif finding.severity in BLOCKING:
            verdict.blocked.append(finding)
        else:
            verdict.allowed.append(finding)
    return verdict
