"""Masked pay: a fresh wage per employee from their job's band, payslips recomputed from the pay
structure, wage history that agrees, and nothing from which the original wage can be solved back."""

from __future__ import annotations

import psycopg
import pytest

from blocks.local_directory_store import LocalDirectoryStore
from formwork import pay_structure as structure
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules
from tests.support.clusters import drop_database
from tests.support.seeded import copy
from tests.test_masking import RULES, SALT, rows

TRACKED_WAGE = """
    SELECT m.res_id, v.old_value_float, v.new_value_float FROM mail_tracking_value v
    JOIN ir_model_fields f ON f.id = v.field_id AND f.model = 'hr.contract' AND f.name = 'wage'
    JOIN mail_message m ON m.id = v.mail_message_id ORDER BY m.res_id, m.date DESC, m.id DESC"""


def pay(dsn: str) -> dict[str, list]:
    with psycopg.connect(dsn) as conn:
        return {
            "contracts": rows(conn, "SELECT id, employee_id, job_id, wage FROM hr_contract ORDER BY id"),
            "slips": rows(conn, "SELECT id, contract_id, basic_wage, gross_wage, net_wage FROM hr_payslip ORDER BY id"),
            "lines": rows(conn, "SELECT id, slip_id, code, amount, total FROM hr_payslip_line ORDER BY id"),
            "tracked": rows(conn, TRACKED_WAGE),
        }


@pytest.fixture(scope="module")
def masked(pg, seeded_source, tmp_path_factory):
    """(pay before, pay after masking with SALT, dsn of the masked copy)."""
    source, source_files = seeded_source
    files = tmp_path_factory.mktemp("pay-filestore")
    copy(pg, source, "pay_masked", source_files, files)
    before = pay(pg.dsn("pay_masked"))
    with psycopg.connect(pg.dsn("pay_masked")) as conn:
        Masker(conn, load_rules(str(RULES)), SALT, LocalDirectoryStore(path=str(files))).run()
    yield before, pay(pg.dsn("pay_masked")), pg.dsn("pay_masked")
    drop_database(pg, "pay_masked")


def solved_wages(after: dict[str, list]) -> dict[int, float]:
    """The inversion that worked on one factor per employee: PAYE/GROSS = rate * (1 - allowance / gross)
    holds whatever the factor, so one masked payslip gives the original gross, hence the factor, hence the wage."""
    contract_of = {slip: contract for slip, contract, *_ in after["slips"]}
    by_slip: dict[int, dict[str, float]] = {}
    for _, slip, code, _, total in after["lines"]:
        by_slip.setdefault(slip, {})[code] = float(total)
    solved: dict[int, float] = {}
    for slip, line in by_slip.items():
        contract = contract_of[slip]
        if contract in solved or line["PAYE"] == 0:
            continue
        gross = structure.PAYE_ALLOWANCE / (1 - -line["PAYE"] / line["GROSS"] / structure.PAYE_RATE)
        factor = line["GROSS"] / gross
        solved[contract] = line["BASIC"] / factor
    return solved


def test_no_payslip_solves_back_to_the_original_wage(masked):
    before, after, _ = masked
    original = {contract: float(wage) for contract, _, _, wage in before["contracts"]}
    solved = solved_wages(after)
    assert len(solved) == len(original) == 50
    recovered = [c for c, wage in solved.items() if abs(wage / original[c] - 1) < 0.01]
    assert recovered == []
    # The same inversion on the unmasked payslips finds every wage: the attack is a real one.
    assert all(abs(wage / original[c] - 1) < 0.001 for c, wage in solved_wages(before).items())
