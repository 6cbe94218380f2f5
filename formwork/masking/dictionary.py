"""One dictionary per kind of value: original -> fake, shared by every column and text of that kind.

Kinds that feed unique columns are made one-to-one by suffixing clashing fakes,
assigning in the order of the keyed hash (not row order), so a copy restored in
another physical order masks identically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from formwork.masking.keyed import Keyed


class Dictionary:
    def __init__(self, kind: str, make: Callable[[str, int], str], keyed: Keyed, unique: bool = False):
        """`make(original, variant)` draws a fake; variant 0 is the usual one, others are redraws."""
        self.kind = kind
        self.make = make
        self.keyed = keyed
        self.unique = unique
        self.fakes: dict[str, str] = {}
        self.used: set[str] = set()
        self.forbidden: set[str] = set()  # originals: a fake must never be someone's real value

    def add_all(self, originals: Iterable[str], drawn: dict[str, str] | None = None) -> None:
        """`drawn` may hold first draws computed elsewhere (in parallel); they equal make(original, 0)."""
        fresh = {o for o in originals if o is not None and o not in self.fakes}
        self.forbidden |= fresh
        drawn = drawn or {}
        # Only one-to-one dictionaries depend on the order of assignment (who gets the suffix).
        order = sorted(fresh, key=lambda o: self.keyed.digest(self.kind, o)) if self.unique else fresh
        for original in order:
            self.fakes[original] = self._assign(original, drawn.get(original))

    def get(self, original: str) -> str:
        fake = self.fakes.get(original)
        if fake is None:
            fake = self.fakes[original] = self._assign(original)
        return fake

    def _assign(self, original: str, first: str | None = None) -> str:
        fake = first if first is not None else self.make(original, 0)
        attempt = 0
        while fake != original and fake in self.forbidden and attempt < 8:
            attempt += 1  # someone's real value: draw again under another key, still deterministic
            fake = self.make(original, attempt)
        if self.unique:
            base, n = fake, 1
            while fake in self.used:
                n += 1
                fake = _suffixed(base, n)
            self.used.add(fake)
        return fake


def _suffixed(fake: str, n: int) -> str:
    """`anna.kent@x.com` -> `anna.kent2@x.com`; other values get `-2`."""
    local, at, host = fake.partition("@")
    return f"{local}{n}@{host}" if at else f"{fake}-{n}"
