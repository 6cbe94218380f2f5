"""Waivers: who accepted which finding, why, and until when; loaded with one-line errors naming file:line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from packaging.utils import canonicalize_name

from formwork.release.scan.finding import Finding
from formwork.rulefile import Map, Seq, Source, show


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
        return self.package is None or canonicalize_name(self.package) == canonicalize_name(finding.package)

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
        waivers.append(
            Waiver(
                id=values["id"],
                package=values.get("package"),
                owner=values["owner"],
                reason=values["reason"],
                expires=expires,
                origin=f"{source.file}:{item.line}",
            )
        )
    return waivers
