"""A year of monthly payslips per employee, with their lines (Odoo Enterprise hr_payroll)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import datetime

from formwork import pay_structure
from formwork.seed.groups.reference import PAYSLIP_LINES as LINES
from formwork.seed.plan import SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit


def amounts(wage: float, month: int, index: int) -> dict[str, float]:
    overtime = round(wage * ((month * 7 + index * 3) % 11) / 100, 2)
    return pay_structure.lines({"BASIC": wage, "OT": overtime})


def period(plan: SeedPlan, month: int):
    start = plan.month_start(month)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start, end, audit(datetime(end.year, end.month, end.day, 16, 0))


def tables(plan: SeedPlan) -> Iterator[TableRows]:
    c = plan.counts
    yield TableRows(
        "hr_payslip_run", ("id", "name", "date_start", "date_end", "state", "company_id", *AUDIT), _runs(plan), c.payslip_months
    )
    yield TableRows(
        "hr_payslip",
        (
            "id",
            "name",
            "number",
            "employee_id",
            "contract_id",
            "date_from",
            "date_to",
            "state",
            "payslip_run_id",
            "company_id",
            "basic_wage",
            "gross_wage",
            "net_wage",
            "paid_date",
            *AUDIT,
        ),
        _payslips(plan),
        c.employees * c.payslip_months,
    )
    yield TableRows(
        "hr_payslip_line",
        (
            "id",
            "name",
            "code",
            "sequence",
            "slip_id",
            "salary_rule_id",
            "employee_id",
            "contract_id",
            "quantity",
            "rate",
            "amount",
            "total",
            *AUDIT,
        ),
        _lines(plan),
        c.employees * c.payslip_months * len(LINES),
    )


def _runs(plan: SeedPlan) -> Iterator[tuple]:
    for m in range(plan.counts.payslip_months):
        start, end, stamp = period(plan, m)
        yield (m + 1, f"Payroll {start:%B %Y}", start, end, "close", 1, *stamp)


def _payslips(plan: SeedPlan) -> Iterator[tuple]:
    for i in range(plan.counts.employees):
        e = plan.employee(i)
        for m in range(plan.counts.payslip_months):
            start, end, stamp = period(plan, m)
            money = amounts(e.wage, m, i)
            yield (
                plan.payslip_id(i, m),
                f"Salary Slip - {e.who.name} - {start:%B %Y}",
                f"SLIP/{start:%Y/%m}/{i + 1:05d}",
                i + 1,
                i + 1,
                start,
                end,
                "paid",
                m + 1,
                1,
                money["BASIC"],
                money["GROSS"],
                money["NET"],
                end,
                *stamp,
            )


def _lines(plan: SeedPlan) -> Iterator[tuple]:
    lid = 0
    for i in range(plan.counts.employees):
        wage = plan.employee(i).wage
        for m in range(plan.counts.payslip_months):
            stamp = period(plan, m)[2]
            money = amounts(wage, m, i)
            for rule, (code, name, seq) in enumerate(LINES, start=1):
                lid += 1
                yield (
                    lid,
                    name,
                    code,
                    seq,
                    plan.payslip_id(i, m),
                    rule,
                    i + 1,
                    i + 1,
                    1.0,
                    100.0,
                    money[code],
                    money[code],
                    *stamp,
                )
