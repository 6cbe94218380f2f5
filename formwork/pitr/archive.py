"""The WAL archive in a pgBackRest repository: which segments are there, which are missing, how fresh it is.

Segment names are TTTTTTTT LLLLLLLL SSSSSSSS (timeline, log, segment); with the
default 16 MB segments a log holds 0x100 of them. A recovery replays them in
order, so one missing segment stops every recovery to a later point: the drill
names it before restoring rather than letting PostgreSQL report only that the
target was not reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from formwork.pitr import pgbackrest
from formwork.pitr.settings import PitrProtection

SEGMENT = re.compile(r"([0-9A-F]{24})-[0-9a-f]{40}(\.gz|\.lz4|\.zst|\.bz2)?")
DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ArchivedSegment:
    name: str
    archived_at: datetime  # when pgBackRest stored it: the newest is how fresh the archive is


def segment_number(name: str, segment_bytes: int = DEFAULT_SEGMENT_BYTES) -> int:
    per_log = 0x100000000 // segment_bytes
    return int(name[8:16], 16) * per_log + int(name[16:24], 16)


def segment_name(timeline: str, number: int, segment_bytes: int = DEFAULT_SEGMENT_BYTES) -> str:
    per_log = 0x100000000 // segment_bytes
    return f"{timeline}{number // per_log:08X}{number % per_log:08X}"


def archive_id(stanza_info: dict) -> str | None:
    """The current archive id (e.g. 15-1): the newest database the stanza archives."""
    archives = stanza_info.get("archive") or []
    return archives[-1]["id"] if archives else None


def archived_segments(protection: PitrProtection, stanza_info: dict, timeline: str | None = None) -> list[ArchivedSegment]:
    """Every segment in the current archive (of one timeline, if given), oldest first."""
    archive = archive_id(stanza_info)
    if archive is None:
        return []
    root = f"archive/{protection.stanza}/{archive}"
    found = []
    for path, entry in pgbackrest.repo_files(protection, root).items():
        match = SEGMENT.fullmatch(path.rpartition("/")[2])
        if match and (timeline is None or match.group(1).startswith(timeline)):
            found.append(ArchivedSegment(match.group(1), datetime.fromtimestamp(entry.get("time", 0), UTC)))
    return sorted(found, key=lambda s: s.name)


def gaps(names: list[str], first: str, last: str, segment_bytes: int = DEFAULT_SEGMENT_BYTES) -> list[str]:
    """Segments from `first` to `last` (same timeline) that are not in `names`."""
    have = {segment_number(n, segment_bytes) for n in names if n[:8] == first[:8]}
    start, stop = segment_number(first, segment_bytes), segment_number(last, segment_bytes)
    return [segment_name(first[:8], n, segment_bytes) for n in range(start, stop + 1) if n not in have]


def newest(segments: list[ArchivedSegment]) -> ArchivedSegment | None:
    return max(segments, key=lambda s: (s.archived_at, s.name)) if segments else None
