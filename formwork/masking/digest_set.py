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

from formwork.masking import offload

_blake2b = hashlib.blake2b


class DigestSet:
    def __init__(self):
        self._sorted = np.empty(0, dtype=np.int64)
        self._added = array("q")  # digests not yet merged into _sorted
        self._filter, self._slots = b"\0", 0  # one bit per slot: set where a member's digest falls (see _bits)

    def add(self, values: Iterable[str]) -> None:
        offload.run(digests, list(values), then=self.add_digests)

    def add_digests(self, data: bytes) -> None:
        """Members given as their digests (`digests(values)`)."""
        self._added.frombytes(data)

    def freeze(self) -> None:
        """Merge what was added: before forking, so each worker does not merge (and hold) its own copy."""
        offload.drain()
        if self._added:
            self._sorted = _distinct(np.sort(np.concatenate([self._sorted, np.frombuffer(self._added, dtype=np.int64)])))
            self._added = array("q")
            self._filter, self._slots = _bits(self._sorted)

    def __contains__(self, value: str) -> bool:
        self.freeze()
        digest = _digest(value)
        slot = digest & self._slots
        if not self._filter[slot >> 3] >> (slot & 7) & 1:
            return False  # most values asked about are no members: answered without a search
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
        self.setdefault_digests(digests(values), value)

    def setdefault_digests(self, data: bytes, value: int) -> None:
        """setdefault with the strings given as their digests (`digests(values)`)."""
        before = len(self._added)
        self._added.frombytes(data)
        self._added_values.extend([value] * (len(self._added) - before))

    def remove(self, values: Iterable[str]) -> None:
        """At once (freeze merges what was added before what is removed): a string added later is a member again."""
        self._removed.frombytes(digests(values))
        self.freeze()

    def freeze(self) -> None:
        offload.drain()
        if self._added:  # earlier members first: a stable sort keeps the first of equal digests first
            merged = np.concatenate([self._sorted, np.frombuffer(self._added, dtype=np.int64)])
            values = np.concatenate([self._values, np.frombuffer(self._added_values, dtype=np.int32)])
            order = np.argsort(merged, kind="stable")
            merged = merged[order]
            first = np.r_[True, merged[1:] != merged[:-1]] if len(merged) else np.empty(0, dtype=bool)
            self._sorted, self._values = merged[first], values[order[first]]
            self._added, self._added_values = array("q"), array("i")
        if self._removed:
            removed = np.sort(np.frombuffer(self._removed, dtype=np.int64))
            at = np.minimum(removed.searchsorted(self._sorted), len(removed) - 1)
            keep = removed[at] != self._sorted  # np.isin, ten times faster on millions (numpy 2)
            self._sorted, self._values = self._sorted[keep], self._values[keep]
            self._removed = array("q")

    def found(self, values: list[str]) -> list[tuple[str, int]]:
        """(value, its int) of each of `values` that is a member, in order: one vectorised lookup for all of them."""
        self.freeze()
        if not values or not len(self._sorted):
            return []
        found = np.frombuffer(digests(values), dtype=np.int64)
        at = np.minimum(self._sorted.searchsorted(found), len(self._sorted) - 1)
        hit = self._sorted[at] == found
        return [(values[i], int(self._values[at[i]])) for i in np.flatnonzero(hit)]

    def __len__(self) -> int:
        self.freeze()
        return len(self._sorted)


def _bits(members: np.ndarray) -> tuple[bytes, int]:
    """A bitmap of 16 slots per member (2 bytes, a quarter of the member's own 8), each member setting the bit its
    digest's low bits name, and the mask of those bits: a clear bit proves a value is no member, 94 % of the time
    for a value that is not."""
    slots = 1 << max(6, (16 * len(members) - 1).bit_length())
    low = members & (slots - 1)
    bitmap = np.zeros(slots >> 3, dtype=np.uint8)
    np.bitwise_or.at(bitmap, low >> 3, np.left_shift(1, low & 7).astype(np.uint8))
    return bitmap.tobytes(), slots - 1


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """A sorted array without its repeats. np.unique does the same, ten times slower on millions (numpy 2)."""
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def digests(values: Iterable[str]) -> bytes:
    """The members' digests as add_digests takes them: pure, so a worker can compute them (formwork.masking.offload)."""
    return b"".join(_blake2b(value.encode(), digest_size=8).digest() for value in values)


def _digest(value: str) -> int:
    """The member as `add` stores it: the digest's bytes read as a native int64 (array "q" is native-endian)."""
    return int.from_bytes(_blake2b(value.encode(), digest_size=8).digest(), sys.byteorder, signed=True)
