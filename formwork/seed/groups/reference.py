"""The company itself and the reference data everything else points at."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from formwork.seed.plan import ANCHOR, BANKS, COMPANY_DOMAIN, COMPANY_NAME, DEPARTMENTS, JOBS, SUBSIDIARY_NAME, SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit, tr

CURRENCIES = [(1, "EUR", "Euro", "€"), (2, "GBP", "Pound Sterling", "£"), (3, "USD", "US Dollar", "$")]
GBP = 2
COUNTRIES = [
    (1, "United Kingdom", "GB", 44, GBP),
    (2, "Ireland", "IE", 353, 1),
    (3, "Netherlands", "NL", 31, 1),
    (4, "Germany", "DE", 49, 1),
    (5, "Belgium", "BE", 32, 1),
    (6, "United States", "US", 1, 3),
]
COUNTRY_ID = {code: cid for cid, _, code, _, _ in COUNTRIES}
UK = COUNTRY_ID["GB"]

# Odoo modules a UK construction company on Odoo 17 Enterprise typically runs.
MODULES = [
    "base",
    "web",
    "mail",
    "bus",
    "auth_totp",
    "auth_signup",
    "auth_oauth",
    "iap",
    "phone_validation",
    "resource",
    "hr",
    "hr_contract",
    "hr_payroll",
    "hr_holidays",
    "hr_expense",
    "project",
    "account",
    "account_accountant",
    "account_online_synchronization",
    "payment",
    "payment_stripe",
    "payment_adyen",
    "delivery",
    "delivery_fedex",
    "purchase",
    "sale",
    "stock",
    "fetchmail",
    "l10n_uk",
    "documents",
    "sign",
    "web_enterprise",
]

# (code, name, account_type, reconcile)
ACCOUNTS = [
    ("200000", "Trade Debtors", "asset_receivable", True),
    ("210000", "Trade Creditors", "liability_payable", True),
    ("211000", "Retentions Payable (Subcontractors)", "liability_current", False),
    ("120000", "Retentions Receivable", "asset_current", False),
    ("500000", "Subcontractor Costs", "expense_direct_cost", False),
    ("501000", "Materials", "expense_direct_cost", False),
    ("502000", "Plant Hire", "expense_direct_cost", False),
    ("220000", "VAT Input", "asset_current", False),
    ("700000", "Wages and Salaries", "expense", False),
    ("101000", "Bank Current Account", "asset_cash", False),
]
ACCOUNT_ID = {code: i for i, (code, *_rest) in enumerate(ACCOUNTS, start=1)}
JOURNALS = [
    (1, "Vendor Bills", "BILL", "purchase", "210000"),
    (2, "Bank", "BNK1", "bank", "101000"),
    (3, "Salaries", "SAL", "general", "700000"),
]
PURCHASE_JOURNAL, BANK_JOURNAL = 1, 2
CALENDAR = 1

# (code, name, sequence): the lines of a UK payslip, one salary rule each.
PAYSLIP_LINES = [
    ("BASIC", "Basic Salary", 1),
    ("OT", "Overtime", 5),
    ("GROSS", "Gross", 100),
    ("PAYE", "Income Tax (PAYE)", 150),
    ("NIC", "Employee National Insurance", 160),
    ("PENSION", "Pension (5%)", 170),
    ("CITB", "CITB Levy", 180),
    ("NET", "Net Salary", 200),
]


def tables(plan: SeedPlan) -> Iterator[TableRows]:
    created = ANCHOR - timedelta(days=3 * 365)
    a = audit(created)
    yield TableRows(
        "res_currency",
        ("id", "name", "full_name", "symbol", "rounding", "active", "position", *AUDIT),
        [(cid, code, full, sym, 0.01, cid == GBP, "before", *a) for cid, code, full, sym in CURRENCIES],
        len(CURRENCIES),
    )
    yield TableRows(
        "res_country",
        ("id", "name", "code", "phone_code", "currency_id", *AUDIT),
        [(cid, tr(name), code, phone, cur, *a) for cid, name, code, phone, cur in COUNTRIES],
        len(COUNTRIES),
    )
    yield TableRows(
        "res_company",
        (
            "id",
            "name",
            "partner_id",
            "currency_id",
            "sequence",
            "parent_id",
            "email",
            "phone",
            "layout_background",
            "active",
            *AUDIT,
        ),
        [
            (
                1,
                COMPANY_NAME,
                plan.MAIN_COMPANY_PARTNER,
                GBP,
                10,
                None,
                f"accounts@{COMPANY_DOMAIN}",
                "+44 20 7946 0100",
                "Blank",
                True,
                *a,
            ),
            (
                2,
                SUBSIDIARY_NAME,
                plan.SUBSIDIARY_PARTNER,
                GBP,
                20,
                1,
                f"civils@{COMPANY_DOMAIN}",
                "+44 161 496 0200",
                "Blank",
                True,
                *a,
            ),
        ],
        2,
    )
    yield TableRows(
        "res_bank",
        ("id", "name", "bic", "country", "street", "city", "email", "phone", "active", *AUDIT),
        [
            (
                i,
                name,
                bic,
                COUNTRY_ID[country],
                f"{i} Bank Street",
                "London" if country == "GB" else None,
                f"corporate@{bic.lower()[:4]}.example",
                f"+44 345 {600 + i:03d} {1000 + i * 7:04d}",
                True,
                *a,
            )
            for i, (name, bic, country) in enumerate(BANKS, start=1)
        ],
        len(BANKS),
    )
    yield TableRows(
        "ir_module_module",
        ("id", "name", "state", "latest_version", "shortdesc", "author", "application", "license", *AUDIT),
        [
            (
                i,
                name,
                "installed",
                f"17.0.1.{i % 4}",
                tr(name.replace("_", " ").title()),
                "Odoo S.A.",
                name in ("hr", "project", "account", "hr_payroll"),
                "OEEL-1"
                if name
                in (
                    "hr_payroll",
                    "documents",
                    "sign",
                    "web_enterprise",
                    "account_accountant",
                    "delivery_fedex",
                    "account_online_synchronization",
                )
                else "LGPL-3",
                *a,
            )
            for i, name in enumerate(MODULES, start=1)
        ],
        len(MODULES),
    )
    yield TableRows(
        "resource_calendar",
        ("id", "name", "active", "company_id", "hours_per_day", "tz", "two_weeks_calendar", "full_time_required_hours", *AUDIT),
        [(CALENDAR, "Standard 40 hours/week", True, 1, 8.0, "Europe/London", False, 40.0, *a)],
        1,
    )
    yield TableRows(
        "hr_salary_rule",
        (
            "id",
            "name",
            "code",
            "sequence",
            "active",
            "appears_on_payslip",
            "condition_select",
            "amount_select",
            "amount_python_compute",
            *AUDIT,
        ),
        [
            (rid, tr(name), code, seq, True, True, "none", "code", f"result = payslip.compute('{code}')", *a)
            for rid, (code, name, seq) in enumerate(PAYSLIP_LINES, start=1)
        ],
        len(PAYSLIP_LINES),
    )
    yield TableRows(
        "hr_department",
        ("id", "name", "complete_name", "company_id", "active", *AUDIT),
        [(i, tr(name), name, 1, True, *a) for i, name in enumerate(DEPARTMENTS, start=1)],
        len(DEPARTMENTS),
    )
    yield TableRows(
        "hr_job",
        ("id", "name", "company_id", "active", *AUDIT),
        [(i, tr(name), 1, True, *a) for i, (name, _) in enumerate(JOBS, start=1)],
        len(JOBS),
    )
    yield TableRows(
        "account_account",
        ("id", "code", "name", "account_type", "company_id", "reconcile", *AUDIT),
        [(i, code, tr(name), kind, 1, rec, *a) for i, (code, name, kind, rec) in enumerate(ACCOUNTS, start=1)],
        len(ACCOUNTS),
    )
    yield TableRows(
        "account_journal",
        (
            "id",
            "name",
            "code",
            "type",
            "company_id",
            "default_account_id",
            "bank_account_id",
            "active",
            "sequence",
            "invoice_reference_type",
            "invoice_reference_model",
            *AUDIT,
        ),
        [
            (
                jid,
                tr(name),
                code,
                kind,
                1,
                ACCOUNT_ID[acc],
                plan.own_bank_account_id if kind == "bank" else None,
                True,
                jid,
                "invoice",
                "odoo",
                *a,
            )
            for jid, name, code, kind, acc in JOURNALS
        ],
        len(JOURNALS),
    )
