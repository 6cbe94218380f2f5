"""What a scanner reports, and the interface every scanner offers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from formwork.release.sbom import Component


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
