"""One interface for the places Formwork keeps files: filestores and backups.

Keys are '/'-separated and relative to the store's root. Writes are atomic from a
reader's point of view (a key either holds the whole object or nothing), which is
what lets a killed run be re-run safely. Keys read from a manifest, a listing or a
database are someone else's input: `safe_key` checks each before it is used, so none
can name a file outside its folder.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Called with the number of bytes moved since the previous call.
ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int


class ObjectStore(ABC):
    """Abstract base: a flat namespace of immutable-once-written objects. Plain Python: the library
    receives a store; how it was configured (a Prefect block, a test) is the caller's business."""

    @abstractmethod
    def url(self, key: str = "") -> str: ...

    @abstractmethod
    def put_file(self, key: str, source: Path, progress: ProgressCallback | None = None) -> None: ...

    @abstractmethod
    def get_file(self, key: str, target: Path, progress: ProgressCallback | None = None) -> None: ...

    @abstractmethod
    def put_bytes(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def get_bytes(self, key: str, limit: int | None = None) -> bytes:
        """The object's bytes; with `limit`, at most its first `limit` (a size trusted no further: a manifest's)."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    @abstractmethod
    def folders(self) -> list[str]:
        """The first path segments of the keys, without listing everything below them."""

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def beside(self, suffix: str) -> ObjectStore:
        """The sibling folder (or prefix) `<this one><suffix>`, e.g. a refresh's side copy."""

    def delete_many(self, keys: Iterable[str]) -> None:
        """Stores that can delete in bulk (S3 by the thousand, a directory in its own order) do."""
        for key in keys:
            self.delete(key)

    @abstractmethod
    def copy(self, source_key: str, target_key: str) -> None:
        """Copy inside this store without passing the bytes through this process."""


class ObjectNotFound(KeyError):
    """The key does not exist in the store."""


class UnsafeKey(ValueError):
    """A key that could name something outside its folder."""


def safe_key(key: str, within: str = "") -> str:
    """`key` itself when it is relative, normalised (no empty, `.` or `..` segment), free of NUL and,
    given `within` (a folder key), inside that folder; refused naming the key otherwise."""
    why = _unsafe(key)
    if why is None and within and not key.startswith(within.rstrip("/") + "/"):
        why = f"outside {within.rstrip('/')}/"
    if why is not None:
        raise UnsafeKey(f"key {key!r} refused: {why}")
    return key


def refusals(keys: Iterable[str], within: str = "") -> list[str]:
    """What `safe_key` says of each key it refuses: all of them checked before any is used."""
    found = []
    for key in keys:
        try:
            safe_key(key, within)
        except UnsafeKey as exc:
            found.append(str(exc))
    return found


def _unsafe(key: object) -> str | None:
    if not isinstance(key, str) or not key:
        return "empty" if key == "" else "not a string"
    if "\0" in key:
        return "contains a NUL byte"
    if key.startswith("/"):
        return "absolute"
    segments = key.split("/")
    if ".." in segments:
        return "climbs out with '..'"
    if "" in segments or "." in segments:
        return "not normalised (empty or '.' segment)"
    return None
