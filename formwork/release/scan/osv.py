"""The offline scanner: SBOM components matched against a directory of OSV advisories."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

from formwork.errors import InputError
from formwork.release.sbom import Component
from formwork.release.scan.finding import Finding
from formwork.release.scan.severity import SEVERITIES, advisory_severity
from formwork.release.scan.versions import in_range, key_function


def _package_key(ecosystem: str, name: str) -> str:
    return canonicalize_name(name) if ecosystem.split(":")[0] == "PyPI" else name


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
                    hit, fixed_in, unordered = self._affects(file, advisory, affected, ecosystem, component.version)
                    if hit:
                        summary = str(advisory.get("summary") or advisory.get("details") or "").strip().split("\n")[0]
                        findings.add(
                            Finding(
                                id=advisory["id"],
                                package=component.name,
                                version=component.version,
                                severity=advisory_severity(advisory, affected),
                                fixed_in=fixed_in,
                                summary=f"treated as affected: {unordered}; {summary}" if unordered else summary,
                                aliases=tuple(str(alias) for alias in advisory.get("aliases") or []),
                            )
                        )
        return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.package, f.id))

    @staticmethod
    def _affects(file: Path, advisory: dict, affected: dict, ecosystem: str, version: str) -> tuple[bool, str | None, str]:
        """(affected?, the first fixed version, why it is taken as affected without proof: "" when proven).
        A version or range bound that the ecosystem's ordering cannot read proves nothing either way, so the
        package is taken as affected (fail closed): a waiver can accept it, silence cannot."""
        if version in (affected.get("versions") or []):
            fixed = None
            for entry in affected.get("ranges") or []:
                fixed = fixed or next((e["fixed"] for e in entry.get("events") or [] if "fixed" in e), None)
            return True, fixed, ""
        for entry in affected.get("ranges") or []:
            range_type = entry.get("type")
            if range_type not in ("ECOSYSTEM", "SEMVER"):
                continue  # GIT ranges need the source history
            key = key_function(ecosystem, range_type)
            try:
                hit, fixed_in = in_range(version, entry.get("events") or [], key)
            except (ValueError, TypeError):
                return True, None, f"version {version} cannot be ordered against its {range_type} range ({file.name})"
            if hit:
                return True, fixed_in, ""
        return False, None, ""
