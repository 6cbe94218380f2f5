"""Construction projects and their site tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from formwork.seed.plan import ANCHOR, SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit, tr

KINDS = (
    "Primary School Extension",
    "Office Refurbishment",
    "Warehouse",
    "Residential Block",
    "Bridge Deck Repair",
    "Health Centre",
    "Retail Fit-out",
    "Student Accommodation",
    "Highways Junction",
    "Care Home",
)
TASKS = (
    "Site setup and hoarding",
    "Excavation and groundworks",
    "Foundations pour",
    "Drainage",
    "Steel frame erection",
    "Roof coverings",
    "First fix electrics",
    "First fix plumbing",
    "Drylining",
    "Second fix",
    "Snagging",
    "Handover",
)
STATES = ("01_in_progress", "1_done", "03_approved", "02_changes_requested", "04_waiting_normal")


def project_client(plan: SeedPlan, p: int) -> int:
    """A client company (every tenth business partner is a client)."""
    return (p * 10) % plan.counts.companies


def project_name(plan: SeedPlan, p: int) -> str:
    return f"{plan.company(project_client(plan, p)).city} {KINDS[p % len(KINDS)]} (P{2400 + p})"


def tables(plan: SeedPlan) -> Iterator[TableRows]:
    c = plan.counts
    yield TableRows(
        "project_project",
        (
            "id",
            "name",
            "description",
            "active",
            "sequence",
            "partner_id",
            "company_id",
            "user_id",
            "alias_id",
            "privacy_visibility",
            "date_start",
            "date",
            "rating_status",
            "rating_status_period",
            "last_update_status",
            *AUDIT,
        ),
        _projects(plan),
        c.projects,
    )
    yield TableRows(
        "project_task",
        (
            "id",
            "name",
            "description",
            "active",
            "priority",
            "sequence",
            "state",
            "project_id",
            "partner_id",
            "company_id",
            "date_deadline",
            "allocated_hours",
            "display_in_project",
            *AUDIT,
        ),
        _tasks(plan),
        c.projects * c.tasks_per_project,
    )


def _projects(plan: SeedPlan) -> Iterator[tuple]:
    for p in range(plan.counts.projects):
        client = plan.company(project_client(plan, p))
        manager = plan.employee(p % plan.counts.users)
        start = (ANCHOR - timedelta(days=30 + p * 11 % 600)).date()
        description = (
            f"<p>Client: {client.name}. Site address: {client.street}, {client.city} {client.zip}.</p>"
            f"<p>Project manager {manager.who.name} ({manager.who.mobile}).</p>"
        )
        yield (
            p + 1,
            tr(project_name(plan, p)),
            description,
            True,
            10,
            plan.company_partner_id(project_client(plan, p)),
            1,
            plan.user_id(p % plan.counts.users),
            p + 1,
            "employees",
            start,
            start + timedelta(days=540),
            "stage",
            "monthly",
            "on_track",
            *audit(ANCHOR - timedelta(days=30 + p * 11 % 600)),
        )


def _tasks(plan: SeedPlan) -> Iterator[tuple]:
    per = plan.counts.tasks_per_project
    contacts = plan.counts.companies * plan.counts.contacts_per_company
    for p in range(plan.counts.projects):
        for t in range(per):
            tid = p * per + t + 1
            rng = plan.rng("task", tid)
            contact_index = rng.randrange(contacts)
            who, company = plan.contact(contact_index)
            employee = plan.employee(rng.randrange(plan.counts.employees))
            description = (
                f"<p>Site contact: {who.name}, {who.mobile}, {who.email_at(plan.company(company).domain)}.</p>"
                f"<p>Supervisor on site: {employee.who.name} (personal mobile {employee.who.mobile}).</p>"
            )
            created = ANCHOR - timedelta(days=rng.randint(1, 500), hours=rng.randint(0, 9))
            yield (
                tid,
                f"{TASKS[t % len(TASKS)]} - block {chr(65 + t // len(TASKS))}",
                description,
                True,
                str(rng.randint(0, 1)),
                t,
                rng.choice(STATES),
                p + 1,
                plan.contact_partner_id(contact_index),
                1,
                created + timedelta(days=rng.randint(7, 90)),
                float(rng.choice((8, 16, 24, 40, 80))),
                True,
                *audit(created),
            )
