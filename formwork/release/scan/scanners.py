"""Trivy and Grype when installed, else the OSV directory: the scanner a build uses."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from formwork import commands
from formwork.errors import InputError, OperationError
from formwork.release.reference import ImageRef
from formwork.release.registry import default_insecure
from formwork.release.sbom import Component
from formwork.release.scan.finding import Finding, Scanner
from formwork.release.scan.osv import OsvDirectoryScanner
from formwork.release.scan.severity import normalize_severity

SCANNER_TIMEOUT = 900


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
                findings.append(
                    Finding(
                        id=vuln.get("VulnerabilityID", "?"),
                        package=vuln.get("PkgName", "?"),
                        version=vuln.get("InstalledVersion", ""),
                        severity=normalize_severity(vuln.get("Severity")),
                        fixed_in=vuln.get("FixedVersion") or None,
                        summary=vuln.get("Title") or "",
                    )
                )
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
            findings.append(
                Finding(
                    id=vuln.get("id", "?"),
                    package=artifact.get("name", "?"),
                    version=artifact.get("version", ""),
                    severity=normalize_severity(vuln.get("severity")),
                    fixed_in=fixes[0] if fixes else None,
                    summary=(vuln.get("description") or "").split("\n")[0],
                )
            )
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
