"""Pools of realistic values drawn once from Faker, then sampled with a seeded RNG.

Calling Faker per row costs ~150 µs; sampling pools keeps `--scale 100` (about a
million partners) within minutes while every value still looks real.
"""

from __future__ import annotations

import random
import string
import zlib
from dataclasses import dataclass

from faker import Faker

LOCALE = "en_GB"
MAIL_DOMAINS = ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk", "icloud.com", "sky.com")
TRADES = (
    "Groundworks",
    "Scaffolding",
    "Steel Erectors",
    "Roofing",
    "Electrical",
    "Plumbing & Heating",
    "Concrete",
    "Glazing",
    "Drylining",
    "Plant Hire",
    "Demolition",
    "Civil Engineering",
    "Surveying",
    "Joinery",
    "Asphalt",
    "Fire Protection",
    "Lifts",
    "Landscaping",
    "Piling",
    "Brickwork",
)
# Faker's en_GB street names are "<first or last name> <suffix>", and some suffixes are surnames too
# ("Roger Brooks"): a company's street would then read as a person's full name, which the leak check
# rightly flags. Streets here end in a word that is no name in Faker's en_GB lists.
STREET_TYPES = (
    "Road",
    "Street",
    "Close",
    "Avenue",
    "Crescent",
    "Drive",
    "Terrace",
    "Gardens",
    "Mews",
    "Grove",
    "Walk",
    "Square",
    "Rise",
    "Parade",
)
SUFFIXES = ("Ltd", "Limited", "& Sons Ltd", "Group plc", "Contractors Ltd", "Services Ltd", "LLP")


@dataclass
class Pools:
    first_names: list[str]
    last_names: list[str]
    streets: list[str]
    cities: list[str]
    postcodes: list[str]
    places: list[str]


def build_pools(seed: int) -> Pools:
    fake = Faker(LOCALE)
    fake.seed_instance(seed)
    unique = lambda make, n: sorted({make() for _ in range(n)})  # noqa: E731
    return Pools(
        first_names=unique(fake.first_name, 3000),
        last_names=unique(fake.last_name, 3000),
        streets=unique(lambda: f"{fake.last_name()} {fake.random_element(STREET_TYPES)}", 1500),
        cities=unique(fake.city, 800),
        postcodes=unique(fake.postcode, 2000),
        places=unique(fake.city, 400),
    )


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    street: str
    city: str
    zip: str
    phone: str
    mobile: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def email_at(self, domain: str) -> str:
        return f"{self.first}.{self.last}@{domain}".lower().replace(" ", "").replace("'", "")


def person(rng: random.Random, pools: Pools) -> Person:
    digits = lambda n: "".join(rng.choices(string.digits, k=n))  # noqa: E731
    return Person(
        first=rng.choice(pools.first_names),
        last=rng.choice(pools.last_names),
        street=f"{rng.randint(1, 240)} {rng.choice(pools.streets)}",
        city=rng.choice(pools.cities),
        zip=rng.choice(pools.postcodes),
        phone=f"+44 20 {digits(4)} {digits(4)}",
        mobile=f"+44 7{digits(3)} {digits(6)}",
    )


def private_email(rng: random.Random, who: Person) -> str:
    return f"{who.first}.{who.last}{rng.randint(1, 99)}@{rng.choice(MAIL_DOMAINS)}".lower().replace(" ", "").replace("'", "")


def company_name(rng: random.Random, pools: Pools) -> str:
    stem = rng.choice(pools.last_names if rng.random() < 0.6 else pools.places)
    return f"{stem} {rng.choice(TRADES)} {rng.choice(SUFFIXES)}"


def domain_of(company: str) -> str:
    stem = "".join(ch for ch in company.lower().split(" ")[0] if ch.isalnum())
    return f"{stem}-{zlib.crc32(company.encode()) % 997}.co.uk"


def ni_number(rng: random.Random) -> str:
    """A UK National Insurance number in its real format (prefixes BG, GB, NK, KN, TN, NT, ZZ are never issued)."""
    letters = "ABCEGHJKLMNPRSTWXYZ"
    prefix = rng.choice(letters) + rng.choice(letters.replace("O", ""))
    while prefix in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
        prefix = rng.choice(letters) + rng.choice(letters)
    return f"{prefix}{rng.randint(0, 999999):06d}{rng.choice('ABCD')}"


def passport_number(rng: random.Random) -> str:
    return f"{rng.randint(100000000, 999999999)}"
