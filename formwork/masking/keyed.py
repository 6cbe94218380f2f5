"""Keyed, deterministic choices: the same (salt, kind, value) always gives the same answer.

BLAKE2b in keyed mode is a PRF: without the salt, knowing the algorithm does not
let anyone map a fake back to its original.
"""

from __future__ import annotations

import hashlib
import string

_TABLES: dict[str, bytes] = {}  # alphabet -> byte translation table


class Keyed:
    def __init__(self, salt: bytes, variant: int = 0):
        if len(salt) < 16:
            raise ValueError("the masking salt must be at least 16 bytes")
        self.salt = salt[:64]
        self.variant = variant
        self._suffix = f"\x00#{variant}" if variant else ""
        self._started: dict[tuple[str, int], hashlib._Hash] = {}

    def with_variant(self, variant: int) -> Keyed:
        """Another, independent draw under the same salt (used when a fake must be drawn again)."""
        return Keyed(self.salt, variant)

    def digest(self, kind: str, value: str, size: int = 16) -> bytes:
        """BLAKE2b(salt; kind NUL value [NUL #variant]), from a copy of the state after the key and the
        kind: the same digest as hashing the whole message, at half the cost per value."""
        started = self._started.get((kind, size))
        if started is None:
            started = self._started[(kind, size)] = hashlib.blake2b(f"{kind}\x00".encode(), key=self.salt, digest_size=size)
        h = started.copy()
        h.update(f"{value}{self._suffix}".encode())
        return h.digest()

    def number(self, kind: str, value: str) -> int:
        return int.from_bytes(self.digest(kind, value, 8), "big")

    def index(self, kind: str, value: str, n: int) -> int:
        return self.number(kind, value) % n

    def fraction(self, kind: str, value: str) -> float:
        """Uniform in [0, 1)."""
        return self.number(kind, value) / 2**64

    def chars(self, kind: str, value: str, alphabet: str, count: int) -> str:
        """`count` characters of `alphabet` (ASCII), the i-th being alphabet[byte i % len(alphabet)]."""
        stream = self.digest(kind, value, 64)
        while len(stream) < count:
            stream += self.digest(kind, value + str(len(stream)), 64)
        table = _TABLES.get(alphabet)
        if table is None:
            table = _TABLES[alphabet] = bytes(ord(alphabet[b % len(alphabet)]) for b in range(256))
        return stream[:count].translate(table).decode("ascii")

    def like(self, kind: str, value: str, template: str) -> str:
        """Same shape as `template`: digits stay digits, letters stay letters (case kept), the rest stays."""
        stream = self.digest(kind, value, 64)
        out = []
        for i, ch in enumerate(template):
            b = stream[i % len(stream)] ^ (i // len(stream))
            if ch.isdigit():
                out.append(string.digits[b % 10])
            elif ch.isalpha() and ch.isascii():
                letter = string.ascii_uppercase[b % 26]
                out.append(letter if ch.isupper() else letter.lower())
            else:
                out.append(ch)
        return "".join(out)
