"""One dictionary per kind of value: original -> fake, shared by every column and text of that kind.

A fake is a pure function of the original (and the salt), so it can be drawn
lazily, in any order, by any column or text, and still be the same everywhere.
Two facts are needed first, from every column of the kind: the originals (a fake
must never be somebody's real value) and, for kinds that feed unique columns,
the originals those columns hold: these are made one-to-one by suffixing
clashing fakes in the order of the keyed hash (not row order), so a copy
restored in another physical order masks identically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from formwork.masking.digest_set import DigestSet
from formwork.masking.keyed import Keyed


class Dictionary:
    def __init__(
        self, kind: str, first: Callable[[str], str], redraw: Callable[[str, int], str], keyed: Keyed, texts: bool = False
    ):
        """`first(original)` draws a fake, `redraw(original, n)` the n-th other one: a fake equal to
        another original of the kind is drawn again. `texts`: keep the originals themselves too (the
        scrubber looks for them in free text), not only their digests."""
        self.kind = kind
        self.first = first
        self.redraw = redraw
        self.keyed = keyed
        self.fakes: dict[str, str] = {}
        self.originals = DigestSet()  # every original the columns of this kind hold
        self.texts: set[str] | None = set() if texts else None
        self.in_unique_columns: set[str] = set()
        self.sample: str | None = None  # one original: drawing its fake builds the Faker pools

    def add_originals(self, originals: Iterable[str]) -> None:
        originals = list(originals)
        self.originals.add(originals)
        if self.texts is not None:
            self.texts.update(originals)
        if originals and self.sample is None:
            self.sample = originals[0]

    def settle(self) -> None:
        """Once every column's originals are known: fix the one-to-one fakes of unique columns."""
        self.originals.freeze()
        used: set[str] = set()
        for original in sorted(self.in_unique_columns - self.fakes.keys(), key=lambda o: self.keyed.digest(self.kind, o)):
            fake = base = self._draw(original)
            n = 1
            while fake in used:
                n += 1
                fake = _suffixed(base, n)
            used.add(fake)
            self.fakes[original] = fake

    def get(self, original: str) -> str:
        fake = self.fakes.get(original)
        if fake is None:
            fake = self.fakes[original] = self._draw(original)
        return fake

    def _draw(self, original: str) -> str:
        fake = self.first(original)
        attempt = 0
        while fake != original and fake in self.originals and attempt < 8:
            attempt += 1  # someone's real value: draw again under another key, still deterministic
            fake = self.redraw(original, attempt)
        return fake


def _suffixed(fake: str, n: int) -> str:
    """`anna.kent@x.com` -> `anna.kent2@x.com`; other values get `-2`."""
    local, at, host = fake.partition("@")
    return f"{local}{n}@{host}" if at else f"{fake}-{n}"
