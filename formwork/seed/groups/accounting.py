"""Subcontractor bills with retainage withheld, and the payments made against them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from formwork.seed.groups.projects import project_name
from formwork.seed.groups.reference import ACCOUNT_ID, BANK_JOURNAL, GBP, PURCHASE_JOURNAL
from formwork.seed.plan import ANCHOR, SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit

RETAINAGE = 0.05  # 5% held back on each subcontractor application until practical completion
VAT = 0.20


@dataclass(frozen=True)
class Bill:
    index: int
    vendor: int  # company index
    project: int
    invoice_date: date
    works: float

    @property
    def vat(self) -> float:
        return round(self.works * VAT, 2)

    @property
    def retainage(self) -> float:
        return round(self.works * RETAINAGE, 2)

    @property
    def total(self) -> float:
        return round(self.works + self.vat - self.retainage, 2)

    @property
    def name(self) -> str:
        return f"BILL/{self.invoice_date:%Y/%m}/{self.index + 1:05d}"


def bill(plan: SeedPlan, b: int) -> Bill:
    rng = plan.rng("bill", b)
    vendor = rng.randrange(plan.counts.companies)
    if vendor % 10 == 0:  # clients don't bill us
        vendor = (vendor + 1) % plan.counts.companies
    return Bill(
        b,
        vendor,
        rng.randrange(plan.counts.projects),
        (ANCHOR - timedelta(days=rng.randint(1, 720))).date(),
        round(rng.uniform(1500, 95000), 2),
    )


def tables(plan: SeedPlan) -> Iterator[TableRows]:
    c = plan.counts
    yield TableRows("account_move", MOVE_COLUMNS, _moves(plan), c.bills + c.payments)
    yield TableRows("account_move_line", LINE_COLUMNS, _lines(plan), c.bills * 4 + c.payments * 2)
    yield TableRows(
        "account_payment",
        (
            "id",
            "move_id",
            "partner_bank_id",
            "is_internal_transfer",
            "amount",
            "payment_type",
            "partner_type",
            "payment_reference",
            "currency_id",
            "partner_id",
            "outstanding_account_id",
            "destination_account_id",
            "is_reconciled",
            "is_matched",
            *AUDIT,
        ),
        _payments(plan),
        c.payments,
    )


MOVE_COLUMNS = (
    "id",
    "name",
    "ref",
    "date",
    "state",
    "move_type",
    "journal_id",
    "company_id",
    "auto_post",
    "invoice_date",
    "invoice_date_due",
    "partner_id",
    "commercial_partner_id",
    "partner_bank_id",
    "payment_reference",
    "currency_id",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "payment_state",
    "narration",
    "invoice_partner_display_name",
    "invoice_origin",
    "payment_id",
    *AUDIT,
)
LINE_COLUMNS = (
    "id",
    "move_id",
    "journal_id",
    "company_id",
    "company_currency_id",
    "move_name",
    "parent_state",
    "date",
    "sequence",
    "account_id",
    "name",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "currency_id",
    "partner_id",
    "display_type",
    "quantity",
    "price_unit",
    "price_subtotal",
    "price_total",
    "date_maturity",
    "reconciled",
    *AUDIT,
)


def payment_move_id(plan: SeedPlan, k: int) -> int:
    return plan.counts.bills + k + 1


def _moves(plan: SeedPlan) -> Iterator[tuple]:
    for b in range(plan.counts.bills):
        x = bill(plan, b)
        vendor = plan.company(x.vendor)
        contact, _ = plan.contact(x.vendor * plan.counts.contacts_per_company + 3)
        paid = b < plan.counts.payments
        narration = (
            f"<p>Application for payment no. {b % 12 + 1}. Retention of {RETAINAGE:.0%} (£{x.retainage:,.2f}) held until practical completion.</p>"
            f"<p>Remit to {vendor.iban} ({vendor.name}); queries to {contact.name} on {contact.mobile}.</p>"
        )
        partner = plan.company_partner_id(x.vendor)
        yield (
            b + 1,
            x.name,
            f"INV-{(x.vendor * 37 + b) % 100000:05d}",
            x.invoice_date,
            "posted",
            "in_invoice",
            PURCHASE_JOURNAL,
            1,
            "no",
            x.invoice_date,
            x.invoice_date + timedelta(days=30),
            partner,
            partner,
            plan.company_bank_id(x.vendor),
            x.name,
            GBP,
            round(x.works - x.retainage, 2),
            x.vat,
            x.total,
            0.0 if paid else x.total,
            "paid" if paid else "not_paid",
            narration,
            vendor.name,
            project_name(plan, x.project),
            None,
            *audit(_at(x.invoice_date)),
        )
    for k in range(plan.counts.payments):
        x = bill(plan, k)
        when = x.invoice_date + timedelta(days=28)
        partner = plan.company_partner_id(x.vendor)
        yield (
            payment_move_id(plan, k),
            f"PBNK1/{when:%Y}/{k + 1:05d}",
            x.name,
            when,
            "posted",
            "entry",
            BANK_JOURNAL,
            1,
            "no",
            None,
            None,
            partner,
            partner,
            plan.company_bank_id(x.vendor),
            x.name,
            GBP,
            x.total,
            0.0,
            x.total,
            0.0,
            None,
            None,
            None,
            None,
            k + 1,
            *audit(_at(when)),
        )


def _lines(plan: SeedPlan) -> Iterator[tuple]:
    lid = 0

    def line(move, name, kind, account, seq, when, debit, credit, partner, state="posted", journal=PURCHASE_JOURNAL):
        nonlocal lid
        lid += 1
        balance = round(debit - credit, 2)
        return (
            lid,
            move,
            journal,
            1,
            GBP,
            name,
            state,
            when,
            seq,
            ACCOUNT_ID[account],
            name,
            debit,
            credit,
            balance,
            balance,
            GBP,
            partner,
            kind,
            1.0,
            abs(balance),
            abs(balance),
            abs(balance),
            when,
            False,
            *audit(_at(when)),
        )

    for b in range(plan.counts.bills):
        x = bill(plan, b)
        partner = plan.company_partner_id(x.vendor)
        d = x.invoice_date
        yield line(
            b + 1, f"Subcontract works - {project_name(plan, x.project)}", "product", "500000", 10, d, x.works, 0.0, partner
        )
        yield line(b + 1, "Retention withheld (5%)", "product", "211000", 11, d, 0.0, x.retainage, partner)
        yield line(b + 1, "VAT 20%", "tax", "220000", 20, d, x.vat, 0.0, partner)
        yield line(b + 1, x.name, "payment_term", "210000", 30, d, 0.0, x.total, partner)
    for k in range(plan.counts.payments):
        x = bill(plan, k)
        partner = plan.company_partner_id(x.vendor)
        when = x.invoice_date + timedelta(days=28)
        move = payment_move_id(plan, k)
        yield line(move, f"Payment {x.name}", "payment_term", "210000", 10, when, x.total, 0.0, partner, journal=BANK_JOURNAL)
        yield line(move, f"Payment {x.name}", "payment_term", "101000", 20, when, 0.0, x.total, partner, journal=BANK_JOURNAL)


def _payments(plan: SeedPlan) -> Iterator[tuple]:
    for k in range(plan.counts.payments):
        x = bill(plan, k)
        when = x.invoice_date + timedelta(days=28)
        yield (
            k + 1,
            payment_move_id(plan, k),
            plan.company_bank_id(x.vendor),
            False,
            x.total,
            "outbound",
            "supplier",
            x.name,
            GBP,
            plan.company_partner_id(x.vendor),
            ACCOUNT_ID["101000"],
            ACCOUNT_ID["210000"],
            True,
            True,
            *audit(_at(when)),
        )


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0)
