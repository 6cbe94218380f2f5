"""Attachments and their files, laid out as Odoo's filestore (`<sha1[:2]>/<sha1>`).

Personal documents (payslip PDFs, ID scans, signed contracts) sit beside business
ones (drawings, vendor bills) so masking can prove it replaced the first kind
and left the second byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from formwork.seed.documents import pdf
from formwork.seed.groups.accounting import bill
from formwork.seed.groups.payroll import amounts, period
from formwork.seed.groups.projects import project_name
from formwork.seed.iban import format_iban
from formwork.seed.plan import ANCHOR, JOBS, SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit

COLUMNS = (
    "id",
    "name",
    "description",
    "res_model",
    "res_field",
    "res_id",
    "company_id",
    "type",
    "public",
    "store_fname",
    "file_size",
    "checksum",
    "mimetype",
    "index_content",
    *AUDIT,
)
DRAWINGS = ("A-101 Ground Floor Plan rev C", "S-201 Foundation Layout rev B", "M-301 Drainage Schematic rev A")

# Writes one filestore object: (store_fname, content).
WriteFile = Callable[[str, bytes], None]


@dataclass(frozen=True)
class Document:
    name: str
    res_model: str
    res_id: int
    res_field: str | None
    title: str
    lines: list[str]
    when: datetime
    description: str | None = None

    def content(self) -> bytes:
        return pdf(self.title, self.lines)


def store_fname(content: bytes) -> tuple[str, str]:
    """Odoo's content address: sha1 of the bytes, stored under its first two hex digits."""
    digest = hashlib.sha1(content).hexdigest()
    return f"{digest[:2]}/{digest}", digest


def count(plan: SeedPlan) -> int:
    c = plan.counts
    return c.employees * (c.payslip_months + 2) + c.projects * len(DRAWINGS) + c.bills


def tables(plan: SeedPlan, write_file: WriteFile) -> Iterator[TableRows]:
    yield TableRows("ir_attachment", COLUMNS, _rows(plan, write_file), count(plan))


def _rows(plan: SeedPlan, write_file: WriteFile) -> Iterator[tuple]:
    for aid, doc in enumerate(documents(plan), start=1):
        content = doc.content()
        fname, checksum = store_fname(content)
        write_file(fname, content)
        index = " ".join(doc.lines)
        yield (
            aid,
            doc.name,
            doc.description,
            doc.res_model,
            doc.res_field,
            doc.res_id,
            1,
            "binary",
            False,
            fname,
            len(content),
            checksum,
            "application/pdf",
            index,
            *audit(doc.when),
        )


def documents(plan: SeedPlan) -> Iterator[Document]:
    c = plan.counts
    for i in range(c.employees):
        e = plan.employee(i)
        for m in range(c.payslip_months):
            start, end, stamp = period(plan, m)
            money = amounts(e.wage, m, i)
            lines = [
                f"Employee: {e.who.name}",
                f"Address: {e.who.street}, {e.who.city} {e.who.zip}",
                f"NI number: {e.ssnid}",
                f"Period: {start:%d/%m/%Y} - {end:%d/%m/%Y}",
            ]
            lines += [f"{code}: {value:,.2f}" for code, value in money.items()]
            lines.append(f"Paid to: {format_iban(e.iban)}")
            yield Document(
                f"Payslip - {e.who.name} - {start:%B %Y}.pdf",
                "hr.payslip",
                plan.payslip_id(i, m),
                None,
                "Northbridge Construction Ltd - Payslip",
                lines,
                stamp[1],
            )
        hired = datetime(e.hired.year, e.hired.month, e.hired.day, 10, 0)
        yield Document(
            "id_card",
            "hr.employee",
            i + 1,
            "id_card",
            "Identity document (scan)",
            [
                f"Surname: {e.who.last.upper()}",
                f"Given names: {e.who.first}",
                f"Date of birth: {e.birthday:%d %b %Y}",
                f"Place of birth: {e.place_of_birth}",
                f"Passport no: {e.passport}",
            ],
            hired,
        )
        yield Document(
            f"Signed contract - {e.who.name}.pdf",
            "hr.contract",
            i + 1,
            None,
            "Contract of Employment",
            [
                f"Between Northbridge Construction Ltd and {e.who.name}",
                f"of {e.who.street}, {e.who.city} {e.who.zip}",
                f"Position: {JOBS[e.job][0]}",
                f"Annual salary: {e.wage * 12:,.2f} GBP",
                f"Signed: {e.who.name}",
            ],
            hired,
        )
    for p in range(c.projects):
        for d, drawing in enumerate(DRAWINGS):
            yield Document(
                f"{drawing}.pdf",
                "project.project",
                p + 1,
                None,
                drawing,
                [
                    f"Project: {project_name(plan, p)}",
                    "Scale 1:100 @ A1",
                    f"Drawing no. P{2400 + p}-{d + 1:03d}",
                    "Status: Construction issue",
                ],
                ANCHOR - timedelta(days=20 + (p * 13 + d) % 500),
                description="Construction drawing",
            )
    for b in range(c.bills):
        x = bill(plan, b)
        vendor = plan.company(x.vendor)
        yield Document(
            f"{vendor.name} - INV-{(x.vendor * 37 + b) % 100000:05d}.pdf",
            "account.move",
            b + 1,
            None,
            f"{vendor.name} - Invoice",
            [
                f"VAT reg {vendor.vat}",
                f"Works: {x.works:,.2f}",
                f"VAT: {x.vat:,.2f}",
                f"Retention 5%: -{x.retainage:,.2f}",
                f"Total due: {x.total:,.2f}",
                f"Bank: {format_iban(vendor.iban)}",
            ],
            datetime(x.invoice_date.year, x.invoice_date.month, x.invoice_date.day, 11, 0),
        )
