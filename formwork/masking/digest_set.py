"""Sets and maps of millions of strings that are only ever asked "is this one of them?", in 8 bytes a member.

A run's dictionaries know every original of their kind (a fake must never be somebody's real value), the
scrubber every phone number the masked columns held and the leak check every email, phone and code form:
at a million people that is millions of strings, about 100 bytes each in a Python set or dict. Here each
member is a 64-bit BLAKE2b digest in one sorted numpy array (and a map's value an int32 beside it). Two
different strings share a digest with a chance of one in 2^64 per pair; the digest is deterministic, so
such a clash would act the same way in every run (a fake drawn again, a text reported: never a miss).
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Iterable

import numpy as np

_blake2b = hashlib.blake2b


class DigestSet:
    def __init__(self):
        self._sorted = np.empty(0, dtype=np.int64)
        self._added = array("q")  # digests not yet merged into _sorted

    def add(self, values: Iterable[str]) -> None:
        self._added.frombytes(_digests(values))

    def freeze(self) -> None:
        """Merge what was added: before forking, so each worker does not merge (and hold) its own copy."""
        if self._added:
            self._sorted = np.unique(np.concatenate([self._sorted, np.frombuffer(self._added, dtype=np.int64)]))
            self._added = array("q")

    def __contains__(self, value: str) -> bool:
        self.freeze()
        digest = _digest(value)
        at = int(self._sorted.searchsorted(digest))
        return at < len(self._sorted) and int(self._sorted[at]) == digest

    def __len__(self) -> int:
        self.freeze()
        return len(self._sorted)


class DigestMap:
    """str -> int (a small index), where the first value given for a string stays, as dict.setdefault does."""

    def __init__(self):
        self._sorted = np.empty(0, dtype=np.int64)
        self._values = np.empty(0, dtype=np.int32)
        self._added, self._added_values = array("q"), array("i")
        self._removed = array("q")

    def setdefault(self, values: Iterable[str], value: int) -> None:
        before = len(self._added)
        self._added.frombytes(_digests(values))
        self._added_values.extend([value] * (len(self._added) - before))

    def remove(self, values: Iterable[str]) -> None:
        """At once (freeze merges what was added before what is removed): a string added later is a member again."""
        self._removed.frombytes(_digests(values))
        self.freeze()

    def freeze(self) -> None:
        if self._added:  # earlier members first: np.unique keeps the first of equal digests
            digests = np.concatenate([self._sorted, np.frombuffer(self._added, dtype=np.int64)])
            values = np.concatenate([self._values, np.frombuffer(self._added_values, dtype=np.int32)])
            self._sorted, first = np.unique(digests, return_index=True)
            self._values = values[first]
            self._added, self._added_values = array("q"), array("i")
        if self._removed:
            keep = ~np.isin(self._sorted, np.frombuffer(self._removed, dtype=np.int64))
            self._sorted, self._values = self._sorted[keep], self._values[keep]
            self._removed = array("q")

    def found(self, values: list[str]) -> list[tuple[str, int]]:
        """(value, its int) of each of `values` that is a member, in order: one vectorised lookup for all of them."""
        self.freeze()
        if not values or not len(self._sorted):
            return []
        digests = np.frombuffer(_digests(values), dtype=np.int64)
        at = np.minimum(self._sorted.searchsorted(digests), len(self._sorted) - 1)
        hit = self._sorted[at] == digests
        return [(values[i], int(self._values[at[i]])) for i in np.flatnonzero(hit)]

    def __len__(self) -> int:
        self.freeze()
        return len(self._sorted)


def _digests(values: Iterable[str]) -> bytes:
    return b"".join(_blake2b(value.encode(), digest_size=8).digest() for value in values)


def _digest(value: str) -> int:
    """The member as `add` stores it: the digest's bytes read as a native int64 (array "q" is native-endian)."""
    return int.from_bytes(_blake2b(value.encode(), digest_size=8).digest(), sys.byteorder, signed=True)
