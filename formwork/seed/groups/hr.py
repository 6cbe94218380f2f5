"""Employees with every private field Odoo 17 keeps, and their contracts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from formwork.seed.groups.partners import work_email
from formwork.seed.groups.reference import CALENDAR, UK
from formwork.seed.plan import JOBS, SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit

EMPLOYEE_COLUMNS = (
    "id",
    "name",
    "resource_id",
    "resource_calendar_id",
    "company_id",
    "active",
    "user_id",
    "work_contact_id",
    "department_id",
    "job_id",
    "job_title",
    "work_email",
    "work_phone",
    "mobile_phone",
    "private_street",
    "private_city",
    "private_zip",
    "private_country_id",
    "private_phone",
    "private_email",
    "km_home_work",
    "bank_account_id",
    "gender",
    "marital",
    "spouse_complete_name",
    "spouse_birthdate",
    "children",
    "place_of_birth",
    "country_of_birth",
    "birthday",
    "ssnid",
    "identification_id",
    "passport_id",
    "emergency_contact",
    "emergency_phone",
    "notes",
    "additional_note",
    "barcode",
    "pin",
    "private_car_plate",
    "employee_type",
    "lang",
    *AUDIT,
)


def tables(plan: SeedPlan) -> Iterator[TableRows]:
    n = plan.counts.employees
    yield TableRows(
        "resource_resource",
        ("id", "name", "active", "company_id", "resource_type", "user_id", "time_efficiency", "calendar_id", "tz", *AUDIT),
        _resources(plan),
        n,
    )
    yield TableRows("hr_employee", EMPLOYEE_COLUMNS, _employees(plan), n)
    yield TableRows(
        "hr_contract",
        (
            "id",
            "name",
            "active",
            "employee_id",
            "department_id",
            "job_id",
            "date_start",
            "date_end",
            "wage",
            "notes",
            "state",
            "company_id",
            "resource_calendar_id",
            "hr_responsible_id",
            "kanban_state",
            *AUDIT,
        ),
        _contracts(plan),
        n,
    )


def user_of(plan: SeedPlan, i: int) -> int | None:
    return plan.user_id(i) if i < plan.counts.users else None


def _hired_stamp(plan: SeedPlan, i: int):
    hired = plan.employee(i).hired
    return audit(datetime(hired.year, hired.month, hired.day, 9, 0))


def _resources(plan: SeedPlan) -> Iterator[tuple]:
    for i in range(plan.counts.employees):
        yield (
            i + 1,
            plan.employee(i).who.name,
            True,
            1,
            "user",
            user_of(plan, i),
            100.0,
            CALENDAR,
            "Europe/London",
            *_hired_stamp(plan, i),
        )


def _employees(plan: SeedPlan) -> Iterator[tuple]:
    for i in range(plan.counts.employees):
        e = plan.employee(i)
        spouse_birth = (
            e.birthday.replace(year=e.birthday.year + (i % 5) - 2)
            if e.spouse and not (e.birthday.month == 2 and e.birthday.day == 29)
            else None
        )
        notes = f"Reference checked with previous employer. Home: {e.who.street}, {e.who.city}. NI {e.ssnid}."
        yield (
            i + 1,
            e.who.name,
            i + 1,
            CALENDAR,
            1,
            True,
            user_of(plan, i),
            plan.employee_partner_id(i),
            e.department + 1,
            e.job + 1,
            JOBS[e.job][0],
            work_email(plan, i),
            e.who.phone,
            e.who.mobile,
            e.who.street,
            e.who.city,
            e.who.zip,
            UK,
            e.who.mobile,
            e.private_email,
            e.km_home_work,
            plan.employee_bank_id(i),
            e.gender,
            e.marital,
            e.spouse,
            spouse_birth,
            e.children,
            e.place_of_birth,
            UK,
            e.birthday,
            e.ssnid,
            e.ssnid,
            e.passport,
            e.emergency_contact,
            e.emergency_phone,
            notes,
            f"Dietary/medical: see HR file for {e.who.first}.",
            e.badge,
            e.pin,
            e.car_plate,
            "employee",
            "en_GB",
            *_hired_stamp(plan, i),
        )


def _contracts(plan: SeedPlan) -> Iterator[tuple]:
    for i in range(plan.counts.employees):
        e = plan.employee(i)
        notes = f"<p>Salary agreed with {e.who.name}: £{e.wage * 12:,.2f} a year. Paid to {e.iban}.</p>"
        yield (
            i + 1,
            f"{e.who.name} - {JOBS[e.job][0]}",
            True,
            i + 1,
            e.department + 1,
            e.job + 1,
            e.hired,
            None,
            e.wage,
            notes,
            "open",
            1,
            CALENDAR,
            plan.ADMIN_USER,
            "normal",
            *_hired_stamp(plan, i),
        )
