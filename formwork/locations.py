"""Storage locations given as URLs: `file:///abs/path` or `s3://bucket/prefix`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from formwork.errors import InputError

SCHEMES = ("file", "s3")


@dataclass(frozen=True)
class Location:
    scheme: str
    bucket: str  # empty for file://
    path: str  # absolute path for file://, key prefix (no leading slash) for s3://

    def __str__(self) -> str:
        if self.scheme == "file":
            return f"file://{self.path}"
        return f"s3://{self.bucket}/{self.path}".rstrip("/")


def parse_location(url: str, *, option: str) -> Location:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        scheme = parts.scheme or "(none)"
        raise InputError(f"{option} '{url}': unsupported URL scheme '{scheme}' (use file:///path or s3://bucket/prefix)")
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise InputError(f"{option} '{url}': a file URL needs an absolute path, like file:///srv/odoo/filestore/prod")
        path = unquote(parts.path).rstrip("/") or "/"
        return Location("file", "", path)
    if not parts.netloc:
        raise InputError(f"{option} '{url}': an s3 URL needs a bucket, like s3://bucket/prefix")
    return Location("s3", parts.netloc, unquote(parts.path).strip("/"))


def parse_base_url(url: str, *, option: str = "--base-url") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"{option} '{url}': expected an http:// or https:// URL with a host")
    return url.rstrip("/")


def overlaps(a: str, b: str) -> bool:
    """Whether two storage URLs share any object: equal, one inside the other (symlinks resolved), or the same
    S3 bucket with nested prefixes. Different kinds never overlap."""
    first, second = parse_location(a, option="location"), parse_location(b, option="location")
    if first.scheme != second.scheme or first.bucket != second.bucket:
        return False
    if first.scheme == "file":
        x, y = os.path.realpath(first.path), os.path.realpath(second.path)
    else:
        x, y = "/" + first.path, "/" + second.path
    return _nested(x, y) or _nested(y, x)


def _nested(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")
