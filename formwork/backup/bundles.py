"""Small filestore files travel in bundles: one object holding many files end to end, as pgBackRest's repo-bundle does.

A construction company's filestore is a hundred thousand small files (site photos, scanned delivery notes):
one object each costs a request on S3 and a create, write and rename on a folder, which made a backup cost
more than twice its dump. Files up to LIMIT bytes are written back to back into objects of about SIZE bytes
(`<id>/bundles/000001`, ...); the manifest keeps one entry per file, with its SHA-256, its size, its bundle
and its offset there, so a drill still checks and names each file. Bigger files stay objects of their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from formwork.backup.manifest import Attachment, FileEntry

BUNDLES = "bundles"
LIMIT = 1024 * 1024  # files up to this size (by ir_attachment.file_size) go into bundles
SIZE = 8 * 1024 * 1024  # a bundle is closed once it holds this much: eight being written hold about 130 MB


def key(number: int) -> str:
    return f"{BUNDLES}/{number:06d}"


def packed(attachments: Iterable[Attachment]) -> tuple[list[list[Attachment]], list[Attachment]]:
    """The attachments to bundle, in bundles of about SIZE bytes (in the order given), and those to copy alone."""
    bundles: list[list[Attachment]] = []
    alone: list[Attachment] = []
    size = 0
    for attachment in attachments:
        if attachment.size > LIMIT:
            alone.append(attachment)
            continue
        if not bundles or (bundles[-1] and size + attachment.size > SIZE):
            bundles.append([])
            size = 0
        bundles[-1].append(attachment)
        size += attachment.size
    return bundles, alone


@dataclass
class Bundle:
    """One bundle's bytes and the manifest entry of each file in it; `outcomes`: per attachment, its entry,
    None when the filestore lacks the file, or why its name was refused."""

    data: bytes
    outcomes: list[FileEntry | str | None]


def bundled(name: str, attachments: list[Attachment], read: Callable[[str], bytes | FileEntry | str | None]) -> Bundle:
    """The bundle `name` of these attachments; `read(store_fname)` gives a file's bytes, or its outcome when it
    is not bundled: None when it is missing, a str: why its name is refused (never read), an entry: stored alone."""
    parts: list[bytes] = []
    outcomes: list[FileEntry | str | None] = []
    offset = 0
    for attachment in attachments:
        content = read(attachment.store_fname)
        if not isinstance(content, bytes):
            outcomes.append(content)
            continue
        parts.append(content)
        outcomes.append(FileEntry(hashlib.sha256(content).hexdigest(), len(content), bundle=name, offset=offset))
        offset += len(content)
    return Bundle(b"".join(parts), outcomes)


def content(data: bytes, entry: FileEntry) -> bytes:
    """A file's bytes inside its bundle's (short when the bundle was cut)."""
    return data[entry.offset : entry.offset + entry.size]
