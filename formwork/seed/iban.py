"""Valid IBANs without a registry: ISO 13616 mod-97 check digits."""

from __future__ import annotations

import random
import string


def check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(ch, 36)) for ch in rearranged.upper()))
    return f"{98 - number % 97:02d}"


def make_iban(country: str, bban: str) -> str:
    return country + check_digits(country, bban) + bban


def random_iban(rng: random.Random, country: str, bank_code: str) -> str:
    """An IBAN for a bank: GB/IE use a 4-letter bank code + sort code, NL/DE/BE numeric layouts."""
    digits = lambda n: "".join(rng.choices(string.digits, k=n))  # noqa: E731
    if country in ("GB", "IE"):
        bban = bank_code[:4] + digits(6) + digits(8)
    elif country == "NL":
        bban = bank_code[:4] + digits(10)
    elif country == "DE":
        bban = digits(8) + digits(10)
    else:  # BE and others: 12 digits
        bban = digits(12)
    return make_iban(country, bban)


def format_iban(iban: str) -> str:
    """Printed form with a space every 4 characters, as on payslips and invoices."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
