"""Masked pay: a fresh wage per employee from their job's band, payslips recomputed from the pay
structure, wage history that agrees, and nothing from which the original wage can be solved back."""

from __future__ import annotations

import itertools

import psycopg
import pytest

from blocks.local_directory_store import LocalDirectoryStore
from formwork import pay_structure as structure
from formwork.errors import OperationError
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules
from tests.support.clusters import drop_database
from tests.support.seeded import copy
from tests.test_masking import RULES, SALT, digest, rows

TRACKED_WAGE = """
    SELECT m.res_id, v.old_value_float, v.new_value_float FROM mail_tracking_value v
    JOIN ir_model_fields f ON f.id = v.field_id AND f.model = 'hr.contract' AND f.name = 'wage'
    JOIN mail_message m ON m.id = v.mail_message_id ORDER BY m.res_id, m.date DESC, m.id DESC"""


def pay(dsn: str) -> dict[str, list]:
    with psycopg.connect(dsn) as conn:
        return {
            "contracts": rows(conn, "SELECT id, employee_id, job_id, wage::float FROM hr_contract ORDER BY id"),
            "slips": rows(
                conn, "SELECT id, contract_id, basic_wage::float, gross_wage::float, net_wage::float FROM hr_payslip ORDER BY id"
            ),
            "lines": rows(conn, "SELECT id, slip_id, code, amount::float, total::float FROM hr_payslip_line ORDER BY id"),
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


def test_payslips_contracts_and_history_agree(masked):
    _, after, _ = masked
    wage = {contract: wage for contract, _, _, wage in after["contracts"]}
    lines: dict[int, dict[str, float]] = {}
    for _, slip, code, amount, total in after["lines"]:
        assert amount == total
        lines.setdefault(slip, {})[code] = total
    for slip, contract, basic, gross, net in after["slips"]:
        line = lines[slip]
        assert basic == line["BASIC"] == wage[contract] and gross == line["GROSS"] and net == line["NET"]
        assert line["GROSS"] == pytest.approx(line["BASIC"] + line["OT"], abs=0.001)
        assert line["GROSS"] + sum(line[code] for code in structure.DEDUCTIONS) == pytest.approx(line["NET"], abs=0.001)
        assert line == pytest.approx(structure.lines({"BASIC": basic, "OT": line["OT"]}), abs=0.001)
    newest = {}
    for contract, _old, new in after["tracked"]:
        newest.setdefault(contract, new)
    assert len(newest) == 50 and all(abs(newest[c] - wage[c]) < 0.001 for c in newest)


def test_wages_are_fresh_draws_within_the_job_band(masked):
    before, after, _ = masked
    band: dict[int, list[float]] = {}
    for _, _, job, wage in before["contracts"]:
        band.setdefault(job, []).append(float(wage))
    original = {c: float(w) for c, _, _, w in before["contracts"]}
    for contract, _, job, wage in after["contracts"]:
        low, high = min(band[job]), max(band[job])
        if len(band[job]) < 3:
            low, high = min(original.values()), max(original.values())
        assert low * 0.85 <= float(wage) <= high * 1.15, (contract, wage, low, high)
        assert abs(float(wage) / original[contract] - 1) >= 0.05
    # The masked wages do not follow the originals: ranks are reshuffled.
    order = sorted(original, key=original.get)
    masked_wage = {c: float(w) for c, _, _, w in after["contracts"]}
    assert sum(masked_wage[a] < masked_wage[b] for a, b in itertools.pairwise(order)) < len(order) - 10


def test_same_salt_same_pay_other_salt_other_wages(pg, seeded_source, masked):
    """The masked copy's pay is what the salt alone gives on the source; another salt gives other wages."""
    from formwork.masking import introspect
    from formwork.masking.keyed import Keyed
    from formwork.masking.pay import Pay

    _, _, dsn = masked
    with psycopg.connect(pg.dsn(seeded_source[0])) as source, psycopg.connect(dsn) as copy_:
        tables = introspect.columns(source)
        ours, theirs = Pay(source, Keyed(SALT), tables), Pay(source, Keyed(b"another-salt-0123456789"), tables)
        for table, column in (("hr_contract", "wage"), ("hr_payslip_line", "total"), ("mail_tracking_value", "old_value_float")):
            written = dict(
                rows(
                    copy_,
                    f"SELECT id::text, {column}::float FROM {table} WHERE id = ANY(%s::int[])",
                    [int(i) for i, _ in ours.pairs(table, column)],
                )
            )
            assert {i: float(v) for i, v in ours.pairs(table, column)} == written
        other = dict(theirs.pairs("hr_contract", "wage"))
        assert all(other[i] != v for i, v in ours.pairs("hr_contract", "wage"))


def test_contract_notes_do_not_keep_the_agreed_salary(masked):
    """Scrubbing replaces people in text, not amounts: 'Salary agreed ...: £51,752.52 a year' kept the wage."""
    before, _, dsn = masked
    with psycopg.connect(dsn) as conn:
        notes = " ".join(n or "" for (n,) in rows(conn, "SELECT notes FROM hr_contract"))
    assert [w for _, _, _, w in before["contracts"] if f"{w * 12:,.2f}" in notes] == []


def test_a_payslip_line_the_structure_does_not_know_is_refused_and_nothing_changes(pg, seeded_source, tmp_path):
    """A line masking cannot recompute would keep an amount derived from the original wage: the run stops."""
    source, source_files = seeded_source
    copy(pg, source, "pay_bonus", source_files, tmp_path / "files")
    try:
        with psycopg.connect(pg.dsn("pay_bonus")) as conn:
            conn.execute(
                "INSERT INTO hr_payslip_line (id, name, code, sequence, slip_id, salary_rule_id, employee_id, contract_id, "
                "quantity, rate, amount, total) SELECT 999999, 'Bonus', 'BONUS', 50, id, 1, employee_id, contract_id, 1, 100, 500, 500 "
                "FROM hr_payslip ORDER BY id LIMIT 1"
            )
            conn.commit()
            tables = ("hr_contract", "hr_payslip", "hr_payslip_line", "mail_tracking_value", "res_partner")
            before = {t: digest(conn, f"SELECT * FROM {t}") for t in tables}
            with pytest.raises(OperationError, match=r"hr_payslip_line 999999: code 'BONUS' is not in the pay structure"):
                Masker(conn, load_rules(str(RULES)), SALT, LocalDirectoryStore(path=str(tmp_path / "files"))).run()
            conn.rollback()
            assert {t: digest(conn, f"SELECT * FROM {t}") for t in tables} == before
    finally:
        drop_database(pg, "pay_bonus")


def test_no_mail_quotes_an_original_net_pay(masked):
    """Payslip mails say 'Net pay £3,167.76': with the pay structure that gives the wage back exactly."""
    before, _, dsn = masked
    with psycopg.connect(dsn) as conn:
        text = " ".join(b or "" for (b,) in rows(conn, "SELECT body FROM mail_message UNION ALL SELECT body_html FROM mail_mail"))
    nets = {f"{net:,.2f}" for _, _, _, _, net in before["slips"]}
    assert nets and [net for net in nets if net in text] == []
