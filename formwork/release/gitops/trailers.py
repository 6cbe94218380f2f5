"""Git trailers (`Approved-by: alice`): checked before a commit, read back from history."""

from __future__ import annotations

import re

from formwork.errors import InputError

PREVIOUS_DIGEST = "Previous-digest"  # trailer written by `pin`: the digest the commit replaced
_TRAILER_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def check_trailers(trailers: dict[str, str], shown: str) -> dict[str, str]:
    out = {}
    for key, value in (trailers or {}).items():
        if not isinstance(key, str) or not _TRAILER_KEY.match(key):
            raise InputError(f"{shown}: '{key}' is not a valid git trailer key (letters, digits and '-')")
        flat = " ".join(str(value if value is not None else "").split())  # one line: git trailers cannot hold newlines
        out[key] = flat or "-"
    return out


def parse_trailers(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def without_trailers(body: str, trailers: dict[str, str]) -> str:
    body = body.strip()
    if not trailers:
        return body
    head, sep, last = body.rpartition("\n\n")
    if sep and all(":" in line for line in last.splitlines() if line.strip()):
        return head.strip()
    return body
