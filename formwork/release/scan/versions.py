"""Version order per ecosystem (dpkg, PEP 440, SemVer, from maintained libraries) and OSV range evaluation."""

from __future__ import annotations

from functools import cmp_to_key
from typing import Any

import semver
from debian.debian_support import version_compare
from packaging.version import InvalidVersion, Version


def debian_compare(a: str, b: str) -> int:
    """<0, 0, >0 as dpkg --compare-versions orders Debian versions `[epoch:]upstream[-revision]`."""
    result = version_compare(a.strip(), b.strip())
    return (result > 0) - (result < 0)


def semver_key(text: str) -> semver.Version:
    """Semantic version order, tolerating a leading `v` and a missing minor or patch; ValueError otherwise."""
    return semver.Version.parse(text.strip().lstrip("vV"), optional_minor_and_patch=True)


def key_function(ecosystem: str, range_type: str):
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


def in_range(version: str, events: list[dict], key) -> tuple[bool, str | None]:
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
