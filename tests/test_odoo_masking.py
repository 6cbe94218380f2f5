"""The default masking rules on a real Odoo 17 database (28 community modules, demo data, the construction
company added through the ORM): every personal-looking column is classified, the run finishes without a leak,
and an independent search of the whole masked database and its files finds none of the company's people."""

from __future__ import annotations

import ast
import html
import subprocess
from pathlib import Path

import psycopg
import pytest

from blocks.local_directory_store import LocalDirectoryStore
from formwork.masking.coverage import UncoveredColumns
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules
from formwork.pgbin import program

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "masking_rules" / "odoo17.yaml"
SALT = b"odoo-masking-salt-0123456789abcdef"


def company_people() -> list[str]:
    """Every name, address, phone, email, ID and IBAN of the people formwork/seed/odoo_company.py creates."""
    tree = ast.parse((ROOT / "formwork" / "seed" / "odoo_company.py").read_text())
    rows = next(
        node.value.elts for node in tree.body if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "PEOPLE"
    )
    people = [[getattr(field, "value", None) for field in row.elts] for row in rows]  # birthdays are calls, not literals
    values = [v for person in people for v in (person[0], person[2], person[3], person[4], person[7], person[9])]
    return values + ["Jonas Becker", "jonas.becker@web.example", "+49 160 555 0707", "Knee surgery at St James's"]


def written_forms(value: str) -> set[str]:
    """The value as a database or a file may hold it: as typed, and escaped in HTML bodies."""
    return {value, html.escape(value), html.escape(value).replace("&#x27;", "&#39;")}


def digest(conn) -> str:
    return conn.execute("SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM res_partner x").fetchone()[0]


@pytest.fixture(scope="module")
def masked(odoo):
    """(copy, plan before, report): one copy of the real template masked with the default rules."""
    copy = odoo.copy("masked")
    with psycopg.connect(odoo.cluster.dsn(copy.name)) as conn:
        masker = Masker(conn, load_rules(str(RULES)), SALT, LocalDirectoryStore(path=str(copy.filestore)), "Staging-Pass-1!")
        plan = masker.plan()
        report = masker.run()
    yield copy, plan, report
    odoo.drop(copy)


def test_every_personal_looking_column_of_real_odoo_is_masked_or_kept_with_a_reason(masked):
    _copy, plan, report = masked
    assert plan.uncovered == []
    assert "hr_payslip (module hr_payroll not installed): skipped" in plan.skipped  # Enterprise: the synthetic seed covers it
    assert any(line.startswith("account_fiscal_position.zip_from: ") for line in plan.kept)
    assert report.leaks == []


def data_text(odoo, database: str) -> str:
    return subprocess.run(
        [program("pg_dump"), "--data-only", "-d", odoo.cluster.dsn(database)], capture_output=True, text=True, check=True
    ).stdout


def test_no_person_of_the_company_is_left_in_the_masked_database_or_its_files(odoo, masked):
    """Searched outside the engine: a plain-text dump of every table and every file of the filestore. The same
    search finds every one of them in the unmasked template."""
    copy, _plan, _report = masked
    people = company_people()
    before = data_text(odoo, odoo.template.name)
    assert len(people) > 20 and [value for value in people if value not in before] == []
    dump = data_text(odoo, copy.name)
    files = {path: path.read_bytes().decode("utf-8", "replace") for path in copy.filestore.rglob("*") if path.is_file()}
    found = [value for value in people for form in written_forms(value) if form in dump]
    found += [
        f"{value} in {path.name}"
        for value in people
        for path, text in files.items()
        for form in written_forms(value)
        if form in text
    ]
    assert found == []


def test_a_personal_column_no_rule_covers_stops_the_run_before_any_change(odoo, odoo_copy):
    """A column a customisation added (Studio's x_ prefix) that looks personal by name, and one by content: both
    named in one refusal, and the copy and its files are as they were."""
    with psycopg.connect(odoo.cluster.dsn(odoo_copy.name)) as conn:
        conn.execute("ALTER TABLE hr_employee ADD COLUMN x_studio_private_mobile varchar")
        conn.execute("ALTER TABLE project_task ADD COLUMN x_site_contact text")
        # Filled in by a user through Odoo (write_uid 2): the template's tasks are demo data modules ship, whose
        # content coverage does not judge (module_records: keep).
        conn.execute("UPDATE project_task SET x_site_contact = 'ask for Dave: dave.foreman@brickwell.example', write_uid = 2")
        conn.commit()
        before = digest(conn)
        files_before = sorted(p.name for p in odoo_copy.filestore.rglob("*") if p.is_file())
        masker = Masker(conn, load_rules(str(RULES)), SALT, LocalDirectoryStore(path=str(odoo_copy.filestore)))
        with pytest.raises(UncoveredColumns) as refused:
            masker.run()
        conn.rollback()
        assert digest(conn) == before
    assert set(refused.value.notes) == {
        "hr_employee.x_studio_private_mobile: name looks personal",
        "project_task.x_site_contact: content looks like email",
    }
    assert str(refused.value).startswith(f"{RULES}: 2 personal-looking column(s)")
    assert sorted(p.name for p in odoo_copy.filestore.rglob("*") if p.is_file()) == files_before


def test_no_tracked_value_of_a_masked_employee_or_contract_field_survives(odoo, masked):
    """The template tracks a wage change and a corrected birth date (formwork/seed/odoo_company.py), among others;
    every tracked value of a field a rule masks is changed (formwork.masking.history)."""
    rules = load_rules(str(RULES))
    masked_columns = {(e.table, c.column) for e in rules.tables if not e.delete for c in e.columns if c.strategy != "keep"}
    query = (
        "SELECT v.id, f.model, f.name, v.old_value_char, v.new_value_char, v.old_value_text, v.new_value_text, v.old_value_integer, "
        "v.new_value_integer, v.old_value_float, v.new_value_float, v.old_value_datetime, v.new_value_datetime "
        "FROM mail_tracking_value v JOIN ir_model_fields f ON f.id = v.field_id WHERE f.model IN ('hr.employee', 'hr.contract') ORDER BY v.id"
    )
    with psycopg.connect(odoo.cluster.dsn(odoo.template.name)) as conn:
        before = [row for row in conn.execute(query) if (row[1].replace(".", "_"), row[2]) in masked_columns]
    assert {("hr.contract", "wage"), ("hr.employee", "birthday")} <= {row[1:3] for row in before}
    with psycopg.connect(odoo.cluster.dsn(masked[0].name)) as conn:
        after = {row[0]: row for row in conn.execute(query)}
    survived = [(row[1:3], value) for row in before for value, new in zip(row[3:], after[row[0]][3:]) if value and value == new]
    assert survived == []


def test_a_tracked_wage_change_of_real_odoo_ends_at_the_fresh_wage(odoo, masked):
    """Community Odoo has contracts and their tracked wage, not payslips: the history still agrees with the contract."""
    copy, _plan, _report = masked
    with psycopg.connect(odoo.cluster.dsn(copy.name)) as conn:
        history = conn.execute("""
            SELECT c.wage::float, v.old_value_float, v.new_value_float FROM mail_tracking_value v
            JOIN ir_model_fields f ON f.id = v.field_id AND f.model = 'hr.contract' AND f.name = 'wage'
            JOIN mail_message m ON m.id = v.mail_message_id JOIN hr_contract c ON c.id = m.res_id""").fetchall()
    assert len(history) == 1
    ((wage, old, new),) = history
    assert new == wage and old < new and wage not in (4200.0, 4650.0) and old != 4200.0
