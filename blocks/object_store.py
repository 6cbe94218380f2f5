"""One interface for the places Formwork keeps files: filestores and backups.

Keys are '/'-separated and relative to the store's root. Writes are atomic from a
reader's point of view (a key either holds the whole object or nothing), which is
what lets a killed run be re-run safely.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prefect.blocks.core import Block

# Called with the number of bytes moved since the previous call.
ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int


class ObjectStore(Block):
    """Abstract base: a flat namespace of immutable-once-written objects."""

    @abstractmethod
    def url(self, key: str = "") -> str: ...

    @abstractmethod
    def put_file(self, key: str, source: Path, progress: ProgressCallback | None = None) -> None: ...

    @abstractmethod
    def get_file(self, key: str, target: Path, progress: ProgressCallback | None = None) -> None: ...

    @abstractmethod
    def put_bytes(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def get_bytes(self, key: str) -> bytes: ...

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    @abstractmethod
    def folders(self) -> list[str]:
        """The first path segments of the keys, without listing everything below them."""

    @abstractmethod
    def delete(self, key: str) -> None: ...

    def delete_many(self, keys: Iterable[str]) -> None:
        """Stores that can delete in bulk (S3 by the thousand, a directory in its own order) do."""
        for key in keys:
            self.delete(key)

    @abstractmethod
    def copy(self, source_key: str, target_key: str) -> None:
        """Copy inside this store without passing the bytes through this process."""


class ObjectNotFound(KeyError):
    """The key does not exist in the store."""
