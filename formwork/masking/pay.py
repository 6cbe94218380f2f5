"""Masked pay that no payslip structure solves back (strategy `pay`).

Moving every amount of an employee by one factor keeps the ratios the payslip structure fixes
(PAYE / gross = 20 % * (1 - allowance / gross)), so one payslip gives the factor and the wage back.
Here nothing masked is computed from an original amount's level:
- each employee gets a fresh wage, drawn with the salt from their job's band (the lowest to the
  highest wage of that job, widened by BAND_MARGIN; a job with fewer than BAND_MIN contracts takes
  the band of all contracts, so no band is one person's wage). A draw within EXCLUDED of the
  original is drawn again: the masked wage only says the original is not that close to it;
- payslip earnings keep their ratio to the contract wage (a month's overtime over basic, which
  depends on hours, not on the wage level), and gross, deductions and net are recomputed from the
  fresh earnings with formwork.pay_structure;
- the tracked wage history ends at the fresh wage; each older value moves from the newer one by a
  fresh drawn step (STEP) in the original direction (raise or cut): the original raise percentages
  are personal too and are not kept.
Every value is computed from the originals read before any rewrite, and written by row id.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import psycopg

from formwork import pay_structure as structure
from formwork.errors import OperationError
from formwork.masking.keyed import Keyed

# (table, column) -> what the strategy writes there.
COLUMNS = {
    ("hr_contract", "wage"): "wage",
    ("hr_payslip", "basic_wage"): "BASIC",
    ("hr_payslip", "gross_wage"): "GROSS",
    ("hr_payslip", "net_wage"): "NET",
    ("hr_payslip_line", "amount"): "amount",
    ("hr_payslip_line", "total"): "total",
    ("mail_tracking_value", "old_value_float"): "old",
    ("mail_tracking_value", "new_value_float"): "new",
}
BAND_MIN = 3
BAND_MARGIN = 0.15
EXCLUDED = 0.05
STEP = (0.01, 0.10)
DRAWS = 64


@dataclass
class Pay:
    """New values by (table, column): (row id as text, new value as text or None) for every row (Amounts)."""

    conn: psycopg.Connection
    keyed: Keyed
    tables: dict[str, dict[str, str]]
    values: dict[tuple[str, str], Amounts] = field(default_factory=dict)

    def pairs(self, table: str, column: str) -> Amounts:
        """Call before any rewrite: the first call reads every original it needs."""
        if not self.values:
            self._compute()
        return self.values[(table, column)]

    def _compute(self) -> None:
        if "hr_contract" not in self.tables:  # no contracts, so no tracked wage either
            self.values.update({key: Amounts() for key in COLUMNS})
            return
        contracts = self.conn.execute("SELECT id, employee_id, job_id, wage::float FROM hr_contract").fetchall()
        fresh = self._fresh_wages(contracts)
        out = self.values
        out[("hr_contract", "wage")] = Amounts((c, fresh.get(c)) for c, *_ in contracts)
        scale = {c: fresh[c] / wage for c, _, _, wage in contracts if wage and c in fresh}
        if "hr_payslip" in self.tables and "hr_payslip_line" in self.tables:
            self._payslips(scale)
        out[("mail_tracking_value", "old_value_float")], out[("mail_tracking_value", "new_value_float")] = self._history(fresh)

    def _fresh_wages(self, contracts: list[tuple]) -> dict[int, float]:
        wages = [w for *_, w in contracts if w is not None]
        by_job: dict[int | None, list[float]] = {}
        for _, _, job, wage in contracts:
            if wage is not None:
                by_job.setdefault(job, []).append(wage)
        fresh = {}
        for contract, employee, job, wage in contracts:
            if wage is None:
                continue
            band = by_job[job] if job is not None and len(by_job[job]) >= BAND_MIN else wages
            low, high = min(band) * (1 - BAND_MARGIN), max(band) * (1 + BAND_MARGIN)
            fresh[contract] = self._draw(str(employee if employee is not None else f"contract {contract}"), low, high, wage)
        return fresh

    def _draw(self, who: str, low: float, high: float, original: float) -> float:
        for variant in range(DRAWS):
            wage = round(low + (high - low) * self.keyed.with_variant(variant).fraction("pay/wage", who), 2)
            if abs(wage - original) >= EXCLUDED * abs(original):
                return wage
        raise OperationError(
            f"hr_contract: no fresh wage for employee {who} in the band {low:.2f}-{high:.2f} "
            f"after {DRAWS} draws; nothing was changed"
        )

    def _payslips(self, scale: dict[int, float]) -> None:
        slips = self.conn.execute("SELECT id, contract_id, basic_wage::float, gross_wage::float FROM hr_payslip").fetchall()
        lines: dict[int, list[tuple]] = {}
        for line in self.conn.execute(
            "SELECT id, slip_id, code, amount::float, total::float, quantity::float, rate::float FROM hr_payslip_line"
        ):
            lines.setdefault(line[1], []).append(line)
        columns = {key: Amounts() for key in COLUMNS if key[0] in ("hr_payslip", "hr_payslip_line")}
        for slip, contract, basic, gross in slips:
            if contract not in scale:
                raise OperationError(
                    f"hr_payslip {slip}: its contract {contract} has no wage to draw a masked one from; nothing was changed"
                )
            k = scale[contract]
            earned = [(code, total) for _, _, code, _, total, *_ in lines.get(slip, []) if code in structure.EARNINGS]
            if not lines.get(slip):  # a slip without lines: its basic and the rest of its gross are its earnings
                earned = [("BASIC", basic or 0.0), ("OT", (gross or 0.0) - (basic or 0.0))]
            new = structure.lines({code: round((total or 0.0) * k, 2) for code, total in earned})
            new.setdefault(
                "BASIC", round((basic or 0.0) * k, 2)
            )  # a slip paying no basic line keeps its basic's share of the wage
            for column, code in (("basic_wage", "BASIC"), ("gross_wage", "GROSS"), ("net_wage", "NET")):
                columns[("hr_payslip", column)].append(slip, new[code])
            for line_id, _, code, _amount, _, quantity, rate in lines.get(slip, []):
                if code not in new:
                    raise OperationError(
                        f"hr_payslip_line {line_id}: code {code!r} is not in the pay structure "
                        f"(formwork/pay_structure.py: {', '.join(structure.CODES)}); cannot recompute it; nothing was changed"
                    )
                share = (quantity or 0.0) * (rate or 0.0) / 100
                columns[("hr_payslip_line", "total")].append(line_id, new[code])
                columns[("hr_payslip_line", "amount")].append(line_id, round(new[code] / share, 2) if share else 0.0)
        self.values.update(columns)

    def _history(self, fresh: dict[int, float]) -> tuple[Amounts, Amounts]:
        tracked = self.conn.execute("""
            SELECT v.id, c.id, v.old_value_float, v.new_value_float FROM mail_tracking_value v
            JOIN ir_model_fields f ON f.id = v.field_id AND f.model = 'hr.contract' AND f.name = 'wage'
            JOIN mail_message m ON m.id = v.mail_message_id
            LEFT JOIN hr_contract c ON m.model = 'hr.contract' AND c.id = m.res_id
            ORDER BY c.id, m.date DESC, m.id DESC, v.id DESC""").fetchall()
        old, new, current = Amounts(), Amounts(), {}
        for value, contract, was, became in tracked:
            if contract not in fresh:
                raise OperationError(
                    f"mail_tracking_value {value}: a wage change of a contract that no longer exists (or has no wage); "
                    "cannot give it a masked wage; nothing was changed"
                )
            now = current.get(contract, fresh[contract])
            step = 1 + STEP[0] + (STEP[1] - STEP[0]) * self.keyed.fraction("pay/step", str(value))
            before = (
                None
                if was is None
                else round(now / step if was < (became or 0) else now * step if was > (became or 0) else now, 2)
            )
            old.append(value, before)
            new.append(value, now)
            current[contract] = before if before is not None else now
        return old, new


class Amounts:
    """(row id as text, amount as text or None) pairs, as load_map reads them, held in two arrays: a million
    payslip lines as tuples of strings would take about 170 MB, here 17."""

    def __init__(self, pairs: Iterable[tuple[int, float | None]] = ()):
        self.ids = array("q")
        self.amounts = array("d")  # rounded to cents
        self.null = array("b")  # 1: the amount is NULL
        for row_id, amount in pairs:
            self.append(row_id, amount)

    def append(self, row_id: int, amount: float | None) -> None:
        self.ids.append(row_id)
        self.amounts.append(0.0 if amount is None else round(amount, 2))
        self.null.append(amount is None)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[tuple[str, str | None]]:
        return ((str(i), None if null else repr(a)) for i, a, null in zip(self.ids, self.amounts, self.null))
