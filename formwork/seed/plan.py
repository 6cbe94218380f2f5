"""What a seeded database contains, and where each record sits.

Every entity is derived from its own RNG stream (`seed/kind/index`), and every id
is arithmetic on the counts. So any table group can name the same employee, IBAN
or vendor as another group without passing state, and one seed always yields
the same database.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache

from formwork.seed import people
from formwork.seed.iban import random_iban

# All dates hang off this fixed point so a seed is reproducible on any day.
ANCHOR = datetime(2026, 10, 31, 17, 30, 0)
COMPANY_NAME = "Northbridge Construction Ltd"
COMPANY_DOMAIN = "northbridge-construction.co.uk"
SUBSIDIARY_NAME = "Northbridge Civils Ltd"

# (name, BIC, country) — res_bank rows; IBANs are generated to match the bank's country and code.
BANKS = [
    ("NatWest", "NWBKGB2L", "GB"),
    ("Barclays Bank", "BARCGB22", "GB"),
    ("HSBC UK", "HBUKGB4B", "GB"),
    ("Lloyds Bank", "LOYDGB2L", "GB"),
    ("Santander UK", "ABBYGB2L", "GB"),
    ("Nationwide", "NAIAGB21", "GB"),
    ("Metro Bank", "MYMBGB2L", "GB"),
    ("Monzo", "MONZGB2L", "GB"),
    ("Starling Bank", "SRLGGB2L", "GB"),
    ("Bank of Ireland", "BOFIIE2D", "IE"),
    ("AIB", "AIBKIE2D", "IE"),
    ("ING", "INGBNL2A", "NL"),
    ("Rabobank", "RABONL2U", "NL"),
    ("Deutsche Bank", "DEUTDEFF", "DE"),
    ("KBC", "KREDBEBB", "BE"),
]
DEPARTMENTS = [
    "Site Operations",
    "Estimating",
    "Commercial / QS",
    "Health & Safety",
    "Finance",
    "Payroll",
    "Plant & Fleet",
    "Design",
]
JOBS = [
    ("Site Manager", 52000),
    ("Project Manager", 68000),
    ("Quantity Surveyor", 55000),
    ("Estimator", 48000),
    ("Site Engineer", 42000),
    ("Plant Operator", 34000),
    ("Groundworker", 29000),
    ("Health & Safety Advisor", 46000),
    ("Payroll Officer", 36000),
    ("Accounts Payable Clerk", 31000),
    ("Design Coordinator", 50000),
    ("Foreman", 40000),
]


@dataclass(frozen=True)
class Counts:
    users: int  # internal users besides OdooBot and the administrator; each is also an employee
    employees: int
    companies: int  # business partners: subcontractors, suppliers, clients
    contacts_per_company: int
    projects: int
    tasks_per_project: int
    bills: int
    payments: int
    payslip_months: int = 12

    @classmethod
    def for_scale(cls, scale: int) -> Counts:
        return cls(
            users=10 + 10 * scale,
            employees=50 * scale,
            companies=2000 * scale,
            contacts_per_company=4,
            projects=12 * scale,
            tasks_per_project=30,
            bills=300 * scale,
            payments=200 * scale,
        )


@dataclass(frozen=True)
class Company:
    index: int
    name: str
    domain: str
    street: str
    city: str
    zip: str
    phone: str
    vat: str
    registry: str
    bank: int  # index into BANKS
    iban: str
    is_client: bool


@dataclass(frozen=True)
class Employee:
    index: int
    who: people.Person
    private_email: str
    birthday: date
    place_of_birth: str
    ssnid: str
    passport: str
    bank: int
    iban: str
    department: int
    job: int
    wage: float
    previous_wage: float
    previous_street: str
    gender: str
    marital: str
    children: int
    spouse: str | None
    emergency_contact: str
    emergency_phone: str
    car_plate: str
    km_home_work: int
    pin: str
    badge: str
    hired: date


class SeedPlan:
    def __init__(self, scale: int = 1, seed: int = 1):
        if scale < 1:
            raise ValueError("scale must be 1 or more")
        self.scale = scale
        self.seed = seed
        self.counts = Counts.for_scale(scale)
        # Per-plan caches (a class-level cache would keep every plan alive in a long-running worker).
        self.company = lru_cache(maxsize=4096)(self._company)
        self.employee = lru_cache(maxsize=8192)(self._employee)

    def rng(self, *key: object) -> random.Random:
        return random.Random("/".join(str(k) for k in (self.seed, *key)))

    @cached_property
    def pools(self) -> people.Pools:
        return people.build_pools(self.seed)

    # ---- ids -------------------------------------------------------------
    MAIN_COMPANY_PARTNER, ODOOBOT_PARTNER, ADMIN_PARTNER, SUBSIDIARY_PARTNER = 1, 2, 3, 4
    SYSTEM_USER, ADMIN_USER = 1, 2

    def employee_partner_id(self, i: int) -> int:
        return 5 + i

    def company_partner_id(self, j: int) -> int:
        return 5 + self.counts.employees + j

    def contact_partner_id(self, m: int) -> int:
        return 5 + self.counts.employees + self.counts.companies + m

    @property
    def partner_count(self) -> int:
        c = self.counts
        return 4 + c.employees + c.companies + c.companies * c.contacts_per_company

    def user_id(self, i: int) -> int:
        return 3 + i

    def company_bank_id(self, j: int) -> int:
        return 1 + j

    def employee_bank_id(self, i: int) -> int:
        return 1 + self.counts.companies + i

    @property
    def own_bank_account_id(self) -> int:
        return 1 + self.counts.companies + self.counts.employees

    def payslip_id(self, i: int, month: int) -> int:
        return 1 + i * self.counts.payslip_months + month

    def month_start(self, month: int) -> date:
        """Payslip month 0 is the oldest, payslip_months-1 the month of ANCHOR."""
        back = self.counts.payslip_months - 1 - month
        year, mon = ANCHOR.year, ANCHOR.month - back
        while mon < 1:
            year, mon = year - 1, mon + 12
        return date(year, mon, 1)

    # ---- entities --------------------------------------------------------
    def _company(self, j: int) -> Company:
        rng = self.rng("company", j)
        name = people.company_name(rng, self.pools)
        bank = rng.randrange(len(BANKS))
        return Company(
            index=j,
            name=name,
            domain=people.domain_of(name),
            street=f"Unit {rng.randint(1, 40)}, {rng.choice(self.pools.streets)}",
            city=rng.choice(self.pools.cities),
            zip=rng.choice(self.pools.postcodes),
            phone=f"+44 {rng.randint(1200, 1999)} {rng.randint(100000, 999999)}",
            vat=f"GB{rng.randint(100000000, 999999999)}",
            registry=f"{rng.randint(1000000, 16999999):08d}",
            bank=bank,
            iban=random_iban(rng, BANKS[bank][2], BANKS[bank][1]),
            is_client=j % 10 == 0,
        )

    def contact(self, m: int) -> tuple[people.Person, int]:
        """A person working for company m // contacts_per_company."""
        return people.person(self.rng("contact", m), self.pools), m // self.counts.contacts_per_company

    def _employee(self, i: int) -> Employee:
        rng = self.rng("employee", i)
        who = people.person(rng, self.pools)
        bank = rng.randrange(9)  # employees bank with UK banks
        job = rng.randrange(len(JOBS))
        wage = round(JOBS[job][1] * rng.uniform(0.85, 1.25) / 12, 2)
        married = rng.random() < 0.55
        gender = rng.choice(("male", "female"))
        return Employee(
            index=i,
            who=who,
            private_email=people.private_email(rng, who),
            birthday=date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 42)),
            place_of_birth=rng.choice(self.pools.places),
            ssnid=people.ni_number(rng),
            passport=people.passport_number(rng),
            bank=bank,
            iban=random_iban(rng, BANKS[bank][2], BANKS[bank][1]),
            department=rng.randrange(len(DEPARTMENTS)),
            job=job,
            wage=wage,
            previous_wage=round(wage / rng.uniform(1.03, 1.08), 2),
            previous_street=f"{rng.randint(1, 240)} {rng.choice(self.pools.streets)}",
            gender=gender,
            marital="married" if married else "single",
            children=rng.choice((0, 0, 1, 2, 3)) if married else 0,
            spouse=f"{rng.choice(self.pools.first_names)} {who.last}" if married else None,
            emergency_contact=f"{rng.choice(self.pools.first_names)} {who.last}",
            emergency_phone=f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            car_plate=f"{rng.choice('ABDEFGHKLMNOPRSVWY')}{rng.choice('ABDEFGHKLMNOPRSVWY')}{rng.randint(51, 75)} {''.join(rng.choices('ABCDEFGHJKLMNOPRSTUVWXYZ', k=3))}",
            km_home_work=rng.randint(2, 80),
            pin=f"{rng.randint(0, 9999):04d}",
            badge=f"04{i:06d}{rng.randint(1000, 9999)}",
            hired=ANCHOR.date() - timedelta(days=rng.randint(400, 365 * 15)),
        )

    @cached_property
    def work_emails(self) -> list[str]:
        """first.last@company, numbered on a clash (logins are unique in Odoo)."""
        seen: dict[str, int] = {}
        emails = []
        for i in range(self.counts.employees):
            local = self.employee(i).who.email_at(COMPANY_DOMAIN).split("@")[0]
            seen[local] = seen.get(local, 0) + 1
            emails.append(f"{local}{seen[local] if seen[local] > 1 else ''}@{COMPANY_DOMAIN}")
        return emails

    def database_uuid(self) -> str:
        return str(uuid.UUID(bytes=hashlib.sha256(f"{self.seed}/uuid".encode()).digest()[:16], version=1))

    def token(self, *key: object, length: int = 32) -> str:
        """A secret-looking, deterministic token."""
        return hashlib.sha256("/".join(map(str, (self.seed, *key))).encode()).hexdigest()[:length]
