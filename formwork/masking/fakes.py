"""Fake values that look like the originals: names, emails, phones, IBANs, national ids, addresses.

Faker is called only to fill pools (a few thousand values per provider); each
original is then mapped into a pool, or reshaped digit by digit, by a keyed hash.
That is ~100x faster than calling Faker per row and gives the same fake for the
same original everywhere. The pools are the same for every salt (the keyed index
into them is what the salt decides), so a process fills each once: about 0.4 s of
Faker per run otherwise.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Callable

from faker import Faker

from formwork.masking.keyed import Keyed
from formwork.seed.iban import check_digits

POOL = 4000
PHONE_DIGITS = 9  # a number's fake is keyed by its last digits: the same number in any layout gets the same fake
ROLE_MAILBOXES = frozenset(
    {
        "accounts",
        "admin",
        "billing",
        "contact",
        "enquiries",
        "finance",
        "hello",
        "help",
        "hr",
        "info",
        "invoices",
        "mail",
        "noreply",
        "no-reply",
        "notifications",
        "office",
        "payroll",
        "purchasing",
        "sales",
        "support",
        "bounce",
        "catchall",
        "civils",
        "ap",
        "ar",
        "odoobot",
        "postmaster",
        "webmaster",
    }
)
NI_PREFIX_LETTERS = "ABCEGHJKLMNPRSTWXYZ"
_SEPARATORS = re.compile(r"([._+\-])")
# A number's layout as a %-format: each ASCII digit becomes a %c field (via NUL, which no text holds).
_NOT_DIGITS = bytes(b for b in range(256) if not 48 <= b <= 57)
_DIGIT_TO_MARK = bytes.maketrans(b"0123456789", b"\x00" * 10)


def _case_like(template: str, value: str) -> str:
    if template.isupper() and len(template) > 1:
        return value.upper()
    if template.islower():
        return value.lower()
    return value


class Fakes:
    """Deterministic fakes for one salt and locale."""

    def __init__(self, keyed: Keyed, locale: str):
        self.keyed = keyed
        self.locale = locale
        self._variants: dict[int, Fakes] = {}
        # Names repeat token by token and addresses local part by local part: map each once.
        self._first: dict[str, str] = {}
        self._last: dict[str, str] = {}
        self._locals: dict[str, str] = {}

    def variant(self, n: int) -> Fakes:
        """The same fakes drawn again under an independent key."""
        if n not in self._variants:
            self._variants[n] = Fakes(self.keyed.with_variant(n), self.locale)
        return self._variants[n]

    def pool(self, provider: str, locale: str | None = None) -> tuple[str, ...]:
        return _pool(provider, locale or self.locale)

    def pick(self, provider: str, kind: str, original: str, locale: str | None = None) -> str:
        pool = self.pool(provider, locale)
        return pool[self.keyed.index(kind, original, len(pool))]

    # ---- people ------------------------------------------------------------
    def first_name(self, original: str) -> str:
        fake = self._first.get(original)
        if fake is None:
            fake = self._first[original] = _case_like(original, self.pick("first_name", "first_name", original.lower()))
        return fake

    def last_name(self, original: str) -> str:
        fake = self._last.get(original)
        if fake is None:
            fake = self._last[original] = _case_like(original, self.pick("last_name", "last_name", original.lower()))
        return fake

    def name(self, original: str) -> str:
        """Token by token: every token but the last is a first name, the last a family name."""
        tokens = original.split()
        if not tokens:
            return original
        if len(tokens) == 1:
            return self.last_name(tokens[0])
        return " ".join([self.first_name(t) for t in tokens[:-1]] + [self.last_name(tokens[-1])])

    def email(self, original: str, domain: str = "keep") -> str:
        """The local part's name tokens go through the name maps, so john.smith@ follows John Smith.
        Made from the casefolded address: every case of an address gets the one fake."""
        local, at, host = original.casefold().partition("@")
        if not at:
            return original  # not an address (e.g. the login 'admin'): nothing personal to replace
        new_local = self._locals.get(local)
        if new_local is None:
            new_local = self._locals[local] = self._local_part(local)
        return f"{new_local}@{host if domain == 'keep' else domain}"

    def _local_part(self, local: str) -> str:
        if local.lower() in ROLE_MAILBOXES:
            new_local = local
        else:
            parts = _SEPARATORS.split(local)
            words = [i for i, p in enumerate(parts) if p and not _SEPARATORS.fullmatch(p)]
            for position, i in enumerate(words):
                word = parts[i]
                letters = word.rstrip("0123456789")
                digits = word[len(letters) :]
                if not letters:
                    continue
                mapped = self.last_name(letters) if position == len(words) - 1 and len(words) > 1 else self.first_name(letters)
                parts[i] = re.sub(r"[^a-z0-9]", "", mapped.lower()) + digits
            new_local = "".join(parts)
        return new_local

    def phone(self, original: str) -> str:
        """Keep the country/area prefix and the layout; new digits after it. The new digits come from the
        number's last PHONE_DIGITS digits, the same with or without country code: "+44 7700 900123",
        "07700900123" and "(07700) 900-123" get the same fake number, each in its own layout."""
        raw = original.encode()
        digits = raw.translate(None, _NOT_DIGITS).decode()
        # The country code or trunk zero and the number's first digit stay: a mobile still looks like one.
        head = digits[: len(digits) - PHONE_DIGITS + 1] if len(digits) >= PHONE_DIGITS else digits[:2]
        fresh = (
            head + self.keyed.chars("phone", digits[-PHONE_DIGITS:], "0123456789", PHONE_DIGITS)[: len(digits) - len(head)]
        ).encode()
        return (raw.replace(b"%", b"%%").translate(_DIGIT_TO_MARK).replace(b"\x00", b"%c") % tuple(fresh)).decode()

    def iban(self, original: str) -> str:
        """Same country and bank code, new account number, valid check digits; spacing kept."""
        compact = re.sub(r"\s", "", original).upper()
        if len(compact) < 8 or not compact[:2].isalpha():
            return self.keyed.like("iban", compact, original)
        country, bank, rest = compact[:2], compact[4:8], compact[8:]
        new_bban = bank + self.keyed.like("iban", compact, rest)
        new = country + check_digits(country, new_bban) + new_bban
        if " " in original.strip():
            return " ".join(new[i : i + 4] for i in range(0, len(new), 4))
        return new

    def national_id(self, original: str) -> str:
        """UK NI numbers keep a valid-looking prefix and suffix; other ids keep their shape."""
        compact = original.strip().upper().replace(" ", "")
        if re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", compact):
            letters, attempt = self.keyed.chars("ni", compact, NI_PREFIX_LETTERS, 2), 0
            while letters in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):  # never issued
                attempt += 1
                letters = self.keyed.chars("ni", f"{compact}/{attempt}", NI_PREFIX_LETTERS, 2)
            return (
                letters
                + self.keyed.chars("ni-digits", compact, "0123456789", 6)
                + self.keyed.chars("ni-suffix", compact, "ABCD", 1)
            )
        return self.keyed.like("national_id", compact, original)

    def street_address(self, original: str) -> str:
        match = re.match(r"^(?:(Unit|Flat|Apartment)\s+\d+,\s*)?(\d+[A-Za-z]?)\s+", original)
        street = self.pick("street_name", "street", original)
        if match:
            return f"{self.keyed.index('house', original, 240) + 1} {street}"
        return street

    def generic(self, provider: str, original: str, locale: str | None = None) -> str:
        return self.pick(provider, provider, original, locale)

    def maker(self, provider: str, *, locale: str | None = None, domain: str = "keep") -> Callable[[str], str]:
        """original -> fake for a Faker provider name, format-preserving where it matters."""
        special = {
            "name": self.name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "phone_number": self.phone,
            "iban": self.iban,
            "ssn": self.national_id,
            "passport_number": self.national_id,
            "street_address": self.street_address,
        }
        if provider == "email":
            return self.email if domain == "keep" else lambda original: self.email(original, domain)
        if provider in special and (locale is None or locale == self.locale):
            return special[provider]
        return lambda original: self.generic(provider, original, locale)


@functools.cache
def _pool(provider: str, locale: str) -> tuple[str, ...]:
    """POOL draws of a Faker provider, distinct and sorted: a fixed seed, so every run and salt sees the same pool."""
    fake = Faker(locale)
    fake.seed_instance(zlib.crc32(f"{provider}/{locale}".encode()))
    make = getattr(fake, provider)
    return tuple(sorted({str(make()) for _ in range(POOL)}))
