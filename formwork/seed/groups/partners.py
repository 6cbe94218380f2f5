"""Contacts: the company, its people, and the subcontractors, suppliers and clients it works with."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from formwork.seed.groups.reference import UK
from formwork.seed.plan import ANCHOR, BANKS, COMPANY_DOMAIN, COMPANY_NAME, SUBSIDIARY_NAME, SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit

PARTNER_COLUMNS = (
    "id",
    "name",
    "complete_name",
    "company_id",
    "parent_id",
    "commercial_partner_id",
    "type",
    "is_company",
    "active",
    "ref",
    "vat",
    "company_registry",
    "website",
    "function",
    "street",
    "zip",
    "city",
    "country_id",
    "email",
    "email_normalized",
    "phone",
    "mobile",
    "comment",
    "lang",
    "tz",
    "supplier_rank",
    "customer_rank",
    *AUDIT,
)


def work_email(plan: SeedPlan, i: int) -> str:
    return plan.work_emails[i]


def tables(plan: SeedPlan) -> Iterator[TableRows]:
    yield TableRows("res_partner", PARTNER_COLUMNS, _partners(plan), plan.partner_count)
    c = plan.counts
    yield TableRows(
        "res_partner_bank",
        (
            "id",
            "acc_number",
            "sanitized_acc_number",
            "acc_holder_name",
            "partner_id",
            "bank_id",
            "company_id",
            "allow_out_payment",
            "active",
            *AUDIT,
        ),
        _bank_accounts(plan),
        c.companies + c.employees + 1,
    )


def _partners(plan: SeedPlan) -> Iterator[tuple]:
    c = plan.counts
    start = ANCHOR - timedelta(days=3 * 365)
    a = audit(start)

    def row(
        pid,
        name,
        *,
        complete=None,
        company=1,
        parent=None,
        commercial=None,
        is_company=False,
        ref=None,
        vat=None,
        registry=None,
        website=None,
        function=None,
        street=None,
        zip_=None,
        city=None,
        email=None,
        phone=None,
        mobile=None,
        comment=None,
        supplier=0,
        customer=0,
        stamp=a,
    ):
        return (
            pid,
            name,
            complete or name,
            company,
            parent,
            commercial or pid,
            "contact",
            is_company,
            True,
            ref,
            vat,
            registry,
            website,
            function,
            street,
            zip_,
            city,
            UK,
            email,
            email.lower() if email else None,
            phone,
            mobile,
            comment,
            "en_GB",
            "Europe/London",
            supplier,
            customer,
            *stamp,
        )

    yield row(
        1,
        COMPANY_NAME,
        is_company=True,
        vat="GB123456789",
        registry="04567123",
        website=f"https://www.{COMPANY_DOMAIN}",
        street="1 Wharf Road",
        zip_="N1 7GR",
        city="London",
        email=f"accounts@{COMPANY_DOMAIN}",
        phone="+44 20 7946 0100",
    )
    yield row(2, "OdooBot", email="odoobot@example.com")
    yield row(3, "Helen Carter", email=f"helen.carter@{COMPANY_DOMAIN}", function="ERP Administrator", phone="+44 20 7946 0101")
    yield row(
        4,
        SUBSIDIARY_NAME,
        company=2,
        is_company=True,
        vat="GB987654321",
        registry="09876543",
        street="Trafford Park",
        zip_="M17 1AB",
        city="Manchester",
        email=f"civils@{COMPANY_DOMAIN}",
        phone="+44 161 496 0200",
    )
    for i in range(c.employees):
        e = plan.employee(i)
        yield row(
            plan.employee_partner_id(i),
            e.who.name,
            email=work_email(plan, i),
            phone=e.who.phone,
            mobile=e.who.mobile,
            function=None,
            stamp=audit(ANCHOR.replace(hour=9) - (ANCHOR.date() - e.hired)),
        )
    for j in range(c.companies):
        co = plan.company(j)
        pid = plan.company_partner_id(j)
        note = f"<p>Accounts contact: {co.phone}. Remittances to {co.iban[:4]} account on file.</p>"
        yield row(
            pid,
            co.name,
            is_company=True,
            ref=f"V{j:06d}",
            vat=co.vat,
            registry=co.registry,
            website=f"https://www.{co.domain}",
            street=co.street,
            zip_=co.zip,
            city=co.city,
            email=f"accounts@{co.domain}",
            phone=co.phone,
            comment=note,
            supplier=0 if co.is_client else 1,
            customer=1 if co.is_client else 0,
        )
    per = c.contacts_per_company
    for m in range(c.companies * per):
        who, j = plan.contact(m)
        co = plan.company(j)
        parent = plan.company_partner_id(j)
        function = ("Director", "Contracts Manager", "Site Supervisor", "Accounts")[m % per] if per <= 4 else "Staff"
        comment = f"<p>Personal mobile {who.mobile}; home {who.street}, {who.city} {who.zip}.</p>" if m % 5 == 0 else None
        yield row(
            plan.contact_partner_id(m),
            who.name,
            complete=f"{co.name}, {who.name}",
            parent=parent,
            commercial=parent,
            function=function,
            street=co.street,
            zip_=co.zip,
            city=co.city,
            email=who.email_at(co.domain),
            phone=who.phone,
            mobile=who.mobile,
            comment=comment,
        )


def _bank_accounts(plan: SeedPlan) -> Iterator[tuple]:
    c = plan.counts
    a = audit(ANCHOR - timedelta(days=700))
    for j in range(c.companies):
        co = plan.company(j)
        yield (plan.company_bank_id(j), co.iban, co.iban, co.name, plan.company_partner_id(j), co.bank + 1, 1, True, True, *a)
    for i in range(c.employees):
        e = plan.employee(i)
        yield (plan.employee_bank_id(i), e.iban, e.iban, e.who.name, plan.employee_partner_id(i), e.bank + 1, 1, True, True, *a)
    own = "GB29NWBK60161331926819"
    yield (plan.own_bank_account_id, own, own, COMPANY_NAME, 1, BANKS.index(("NatWest", "NWBKGB2L", "GB")) + 1, 1, True, True, *a)
