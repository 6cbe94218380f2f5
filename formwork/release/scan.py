"""Vulnerability scanning of an image's SBOM, and the release policy on the findings.

Scanners share one small interface: Trivy or Grype when the binary is installed,
otherwise `OsvDirectoryScanner`, which matches the SBOM components against a
directory of OSV-format advisories (no vulnerability database is reachable from
the estate). The policy blocks CRITICAL and HIGH findings unless a waiver
(owner, reason, expiry) covers them; an expired waiver waives nothing and is
reported so somebody renews or drops it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cmp_to_key
from pathlib import Path
from typing import Any, Protocol

import semver
from cvss import CVSS3, CVSSError
from debian.debian_support import version_compare
from packaging.version import InvalidVersion, Version

from formwork import commands
from formwork.errors import InputError, OperationError
from formwork.release.reference import ImageRef
from formwork.release.registry import default_insecure
from formwork.release.sbom import Component
from formwork.rulefile import Map, RulesError, Seq, Source, show

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN")
BLOCKING = frozenset({"CRITICAL", "HIGH"})
SCANNER_TIMEOUT = 900


@dataclass(frozen=True)
class Finding:
    id: str
    package: str
    version: str
    severity: str  # one of SEVERITIES
    fixed_in: str | None
    summary: str
    aliases: tuple[str, ...] = ()  # e.g. the CVE of a GHSA advisory; waivers may name either


class Scanner(Protocol):
    name: str

    def scan(self, image: str, components: Sequence[Component]) -> list[Finding]: ...


# --- severities ------------------------------------------------------------------------------------------------

def normalize_severity(value: Any) -> str:
    text = str(value or "").strip().upper()
    text = {"MODERATE": "MEDIUM", "IMPORTANT": "HIGH", "NEGLIGIBLE": "LOW", "NONE": "LOW"}.get(text, text)
    return text if text in SEVERITIES else "UNKNOWN"


def rating(score: float) -> str:
    if score >= 9.0:
        return "CRITICAL"
    if score >= 7.0:
        return "HIGH"
    if score >= 4.0:
        return "MEDIUM"
    return "LOW"


def cvss3_base_score(vector: str) -> float | None:
    """Base score of a `CVSS:3.x/AV:../AC:../PR:../UI:../S:../C:../I:../A:..` vector; None if malformed."""
    try:
        return float(CVSS3(vector.strip()).base_score)
    except CVSSError:
        return None


def _advisory_severity(advisory: dict, affected: dict) -> str:
    for holder in (advisory.get("database_specific"), affected.get("ecosystem_specific"), affected.get("database_specific")):
        if isinstance(holder, dict) and holder.get("severity"):
            found = normalize_severity(holder["severity"])
            if found != "UNKNOWN":
                return found
    best = None
    for entry in list(affected.get("severity") or []) + list(advisory.get("severity") or []):
        score_text = str(entry.get("score", "")) if isinstance(entry, dict) else ""
        try:
            score = float(score_text)
        except ValueError:
            score = cvss3_base_score(score_text) if score_text.startswith("CVSS:3") else None
        if score is not None:
            best = score if best is None else max(best, score)
    return rating(best) if best is not None else "UNKNOWN"


# --- versions --------------------------------------------------------------------------------------------------

def debian_compare(a: str, b: str) -> int:
    """<0, 0, >0 as dpkg --compare-versions orders Debian versions `[epoch:]upstream[-revision]`."""
    result = version_compare(a.strip(), b.strip())
    return (result > 0) - (result < 0)


def semver_key(text: str) -> semver.Version:
    """Semantic version order, tolerating a leading `v` and a missing minor or patch; ValueError otherwise."""
    return semver.Version.parse(text.strip().lstrip("vV"), optional_minor_and_patch=True)


def _key_function(ecosystem: str, range_type: str):
    """A sort key for versions of `ecosystem`; raises ValueError on a version it cannot read."""
    base = ecosystem.split(":")[0]
    if range_type == "SEMVER":
        return semver_key
    if base in ("Debian", "Ubuntu"):
        return cmp_to_key(debian_compare)
    if base == "PyPI":
        def pypi(text: str) -> Version:
            try:
                return Version(text)
            except InvalidVersion as exc:
                raise ValueError(str(exc)) from None
        return pypi
    def generic(text: str) -> Any:
        try:
            return (0, Version(text))
        except InvalidVersion:
            return (1, semver_key(text))
    return generic


def _in_range(version: str, events: list[dict], key) -> tuple[bool, str | None]:
    """OSV range evaluation: (affected?, the first fixed version above `version`)."""
    def order(event: dict) -> tuple:
        kind, value = next(iter(event.items()))
        return (0,) if value == "0" and kind == "introduced" else (1, key(value))

    current = key(version)
    affected, fixed_in = False, None
    for event in sorted((e for e in events if isinstance(e, dict) and len(e) == 1), key=order):
        kind, value = next(iter(event.items()))
        if kind == "introduced" and (value == "0" or current >= key(value)):
            affected = True
        elif (kind == "fixed" and current >= key(value)) or (kind == "last_affected" and current > key(value)):
            affected = False
        elif kind == "fixed" and fixed_in is None:
            fixed_in = value
    return affected, (fixed_in if affected else None)


# --- scanners --------------------------------------------------------------------------------------------------

def _pypi_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _package_key(ecosystem: str, name: str) -> str:
    return _pypi_name(name) if ecosystem.split(":")[0] == "PyPI" else name


class OsvDirectoryScanner:
    """Match SBOM components against OSV JSON advisories (`*.json`, recursively) in a directory."""

    name = "osv-directory"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.is_dir():
            raise InputError(f"advisories directory {self.path} does not exist")
        self.advisories: list[tuple[Path, dict]] = []
        for file in sorted(self.path.rglob("*.json")):
            try:
                loaded = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{file}: cannot read: {exc}") from None
            except ValueError as exc:
                raise InputError(f"{file}: not JSON: {exc}") from None
            for number, advisory in enumerate(loaded if isinstance(loaded, list) else [loaded]):
                where = f"{file}" + (f"[{number}]" if isinstance(loaded, list) else "")
                if not isinstance(advisory, dict) or not isinstance(advisory.get("id"), str):
                    raise InputError(f"{where}: not an OSV advisory (no string 'id')")
                if not isinstance(advisory.get("affected", []), list):
                    raise InputError(f"{where}: 'affected' must be a list")
                self.advisories.append((file, advisory))

    def scan(self, image: str, components: Sequence[Component]) -> list[Finding]:
        by_package: dict[tuple[str, str], list[Component]] = {}
        for component in components:
            names = {component.name}
            source = component.qualifiers.get("upstream", "").split("@")[0].strip()
            if source:
                names.add(source)  # Debian advisories name the source package
            for name in names:
                by_package.setdefault((component.ecosystem, _package_key(component.ecosystem, name)), []).append(component)
        findings: set[Finding] = set()
        for file, advisory in self.advisories:
            for affected in advisory.get("affected") or []:
                package = affected.get("package") if isinstance(affected, dict) else None
                if not isinstance(package, dict) or not package.get("ecosystem") or not package.get("name"):
                    continue
                ecosystem = str(package["ecosystem"])
                base, _, release = ecosystem.partition(":")
                for component in by_package.get((base, _package_key(base, str(package["name"]))), []):
                    if release and base in ("Debian", "Ubuntu"):
                        distro = component.qualifiers.get("distro", "")
                        if distro and distro.partition("-")[2] not in (release, ""):
                            continue
                    hit, fixed_in = self._affects(file, advisory, affected, ecosystem, component.version)
                    if hit:
                        findings.add(Finding(
                            id=advisory["id"], package=component.name, version=component.version,
                            severity=_advisory_severity(advisory, affected), fixed_in=fixed_in,
                            summary=str(advisory.get("summary") or advisory.get("details") or "").strip().split("\n")[0],
                            aliases=tuple(str(alias) for alias in advisory.get("aliases") or []),
                        ))
        return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.package, f.id))

    @staticmethod
    def _affects(file: Path, advisory: dict, affected: dict, ecosystem: str, version: str) -> tuple[bool, str | None]:
        if version in (affected.get("versions") or []):
            fixed = None
            for entry in affected.get("ranges") or []:
                fixed = fixed or next((e["fixed"] for e in entry.get("events") or [] if "fixed" in e), None)
            return True, fixed
        for entry in affected.get("ranges") or []:
            range_type = entry.get("type")
            if range_type not in ("ECOSYSTEM", "SEMVER"):
                continue  # GIT ranges need the source history
            key = _key_function(ecosystem, range_type)
            try:
                hit, fixed_in = _in_range(version, entry.get("events") or [], key)
            except (ValueError, TypeError):
                continue  # a version this ecosystem's ordering cannot read: no claim either way
            if hit:
                return True, fixed_in
        return False, None


def _run_json(command: list[str], env: dict[str, str], what: str) -> Any:
    done = commands.run(command, what, env=env, timeout=SCANNER_TIMEOUT, input="")
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise OperationError(f"{what} did not print JSON") from None


class TrivyScanner:
    name = "trivy"

    def __init__(self, binary: str):
        self.binary = binary

    def scan(self, image: str, components: Sequence[Component]) -> list[Finding]:
        command = [self.binary, "image", "--quiet", "--format", "json"]
        if default_insecure(ImageRef.parse(image).registry):
            command.append("--insecure")
        report = _run_json([*command, image], dict(os.environ), f"trivy on {image}")
        findings = []
        for result in report.get("Results") or []:
            for vuln in result.get("Vulnerabilities") or []:
                findings.append(Finding(
                    id=vuln.get("VulnerabilityID", "?"), package=vuln.get("PkgName", "?"),
                    version=vuln.get("InstalledVersion", ""), severity=normalize_severity(vuln.get("Severity")),
                    fixed_in=vuln.get("FixedVersion") or None, summary=vuln.get("Title") or "",
                ))
        return findings


class GrypeScanner:
    name = "grype"

    def __init__(self, binary: str):
        self.binary = binary

    def scan(self, image: str, components: Sequence[Component]) -> list[Finding]:
        env = dict(os.environ, GRYPE_CHECK_FOR_APP_UPDATE="false")
        if default_insecure(ImageRef.parse(image).registry):
            env["GRYPE_REGISTRY_INSECURE_USE_HTTP"] = "true"
        report = _run_json([self.binary, f"registry:{image}", "-q", "-o", "json"], env, f"grype on {image}")
        findings = []
        for match in report.get("matches") or []:
            vuln, artifact = match.get("vulnerability") or {}, match.get("artifact") or {}
            fixes = (vuln.get("fix") or {}).get("versions") or []
            findings.append(Finding(
                id=vuln.get("id", "?"), package=artifact.get("name", "?"), version=artifact.get("version", ""),
                severity=normalize_severity(vuln.get("severity")), fixed_in=fixes[0] if fixes else None,
                summary=(vuln.get("description") or "").split("\n")[0],
            ))
        return findings


def choose_scanner(advisories_dir: Path | str | None) -> Scanner:
    """Trivy, else Grype, when on PATH; otherwise the offline OSV advisory directory."""
    for binary, kind in (("trivy", TrivyScanner), ("grype", GrypeScanner)):
        found = shutil.which(binary)
        if found:
            return kind(found)
    if advisories_dir is None:
        raise InputError("no vulnerability scanner: neither trivy nor grype is installed and no advisories directory was given")
    return OsvDirectoryScanner(advisories_dir)


# --- policy ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Waiver:
    id: str
    package: str | None
    owner: str
    reason: str
    expires: date
    origin: str = ""  # file:line, for reports

    def covers(self, finding: Finding) -> bool:
        if self.id != finding.id and self.id not in finding.aliases:
            return False
        return self.package is None or _pypi_name(self.package) == _pypi_name(finding.package)

    def active(self, today: date) -> bool:
        return today <= self.expires  # valid through its expiry day


_WAIVER_KEYS = ("id", "package", "owner", "reason", "expires")


def load_waivers(path: Path | str) -> list[Waiver]:
    """`waivers:` list of {id, package?, owner, reason, expires: YYYY-MM-DD}; one-line errors with file:line: key."""
    source = Source(str(path), "waivers")
    unknown = [key for key in source.doc if key != "waivers"]
    if unknown:
        raise source.error([unknown[0]], "unknown key (expected 'waivers')")
    items = source.doc.get("waivers")
    if items is None:
        return []
    if not isinstance(items, Seq):
        raise source.error(["waivers"], f"must be a list, got {show(items)}")
    waivers = []
    for index, item in enumerate(items):
        if not isinstance(item, Map):
            raise source.error(["waivers", index], f"must be a mapping with {', '.join(_WAIVER_KEYS)}, got {show(item)}")
        for key in item:
            if key not in _WAIVER_KEYS:
                raise source.error(["waivers", index, key], f"unknown key (expected one of {', '.join(_WAIVER_KEYS)})")
        values: dict[str, str] = {}
        for key in _WAIVER_KEYS:
            value = item.get(key)
            if value is None:
                if key == "package":
                    continue
                raise source.error(["waivers", index], f"missing '{key}'", line=item.line)
            if not isinstance(value, str) or not value.strip():
                raise source.error(["waivers", index, key], f"must be a non-empty string, got {show(value)}")
            values[key] = value.strip()
        try:
            expires = date.fromisoformat(values["expires"])
        except ValueError:
            raise source.error(["waivers", index, "expires"], f"{values['expires']!r} is not a date (YYYY-MM-DD)") from None
        waivers.append(Waiver(
            id=values["id"], package=values.get("package"), owner=values["owner"], reason=values["reason"],
            expires=expires, origin=f"{source.file}:{item.line}",
        ))
    return waivers


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
            lines += ["", "## Waived", "", "| Severity | ID | Package | Version | Owner | Expires | Reason |",
                      "|---|---|---|---|---|---|---|"]
            lines += [
                f"| {f.severity} | {cell(f.id)} | {cell(f.package)} | {cell(f.version)} | {cell(w.owner)} | "
                f"{w.expires.isoformat()} | {cell(w.reason)} |"
                for f, w in self.waived
            ]
        if self.expired_waivers:
            lines += ["", "## Expired waivers (no longer waive anything)", "", "| ID | Package | Owner | Expired | Reason |",
                      "|---|---|---|---|---|"]
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


__all__ = [
    "BLOCKING", "Finding", "GrypeScanner", "OsvDirectoryScanner", "RulesError", "Scanner", "TrivyScanner", "Verdict",
    "Waiver", "choose_scanner", "cvss3_base_score", "debian_compare", "evaluate", "load_waivers",
]
