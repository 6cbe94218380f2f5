"""The image-reference grammar: `host[:port]/repository[:tag][@sha256:<64 hex>]` and its parts.

Apart from the registry client so that flows, the SBOM and the scanner read a reference
without speaking to any registry.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from formwork.errors import InputError

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::[0-9]{1,5})?")
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_SHAPE = "host[:port]/repository[:tag][@sha256:<64 hex>]"


def valid_digest(text: str) -> bool:
    return bool(_DIGEST.fullmatch(text))


def valid_repository(text: str) -> bool:
    return bool(text) and len(text) <= 255 and all(_COMPONENT.fullmatch(part) for part in text.split("/"))


def valid_tag(text: str) -> bool:
    return bool(_TAG.fullmatch(text))


def valid_host(text: str) -> bool:
    return bool(_HOST.fullmatch(text))


def sha256_digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class ImageRef:
    registry: str  # host[:port]
    repository: str  # e.g. odoo/app
    tag: str | None = None
    digest: str | None = None  # sha256:<64 hex>

    @classmethod
    def parse(cls, text: str, *, option: str = "IMAGE") -> ImageRef:
        """`reg:5000/odoo/app@sha256:...`, `reg/odoo/app:tag` or `reg/odoo/app:tag@sha256:...`."""
        shown = text.strip()

        def refuse(reason: str) -> InputError:
            return InputError(f"{option} {shown!r}: {reason}; expected {_SHAPE}")

        first, slash, rest = shown.partition("/")
        if not slash or not rest:
            raise refuse("no registry host")
        if not (first == "localhost" or "." in first or ":" in first or first.startswith("[")):
            raise refuse(f"no registry host ('{first}' is not host[:port])")
        if not _HOST.fullmatch(first):
            raise refuse(f"registry host '{first}' is not host[:port]")
        name, at, digest = rest.partition("@")
        if at and not valid_digest(digest):
            raise refuse(f"digest '{digest}' is not sha256:<64 lowercase hex>")
        repository, tag = name, None
        last_slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > last_slash:
            repository, tag = name[:colon], name[colon + 1 :]
            if not valid_tag(tag):
                raise refuse(f"tag '{tag}' is not a valid tag")
        if not valid_repository(repository):
            raise refuse(f"repository '{repository}' is not a valid repository name (lowercase path components)")
        return cls(registry=first, repository=repository, tag=tag, digest=digest or None)

    @property
    def reference(self) -> str | None:
        """What to ask the registry for: the digest when known, else the tag."""
        return self.digest or self.tag

    def __str__(self) -> str:
        name = f"{self.registry}/{self.repository}"
        if self.digest:
            return f"{name}@{self.digest}"
        if self.tag:
            return f"{name}:{self.tag}"
        return name
