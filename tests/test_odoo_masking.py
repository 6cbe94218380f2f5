"""Masking rules meet a real Odoo 17 database (community modules, the construction company's data)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from blocks.local_directory_store import LocalDirectoryStore
from formwork.masking.coverage import UncoveredColumns
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules

RULES = Path(__file__).resolve().parent.parent / "masking_rules" / "odoo17.yaml"
SALT = b"odoo-masking-salt-0123456789abcdef"


def digest(conn) -> str:
    return conn.execute("SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM "
                        "res_partner x").fetchone()[0]


def test_payroll_is_skipped_and_uncovered_personal_columns_stop_the_run_before_any_change(odoo, odoo_copy):
    """hr_payroll is Enterprise: its rules are skipped as not installed. Columns the rules do not cover yet
    (CRM leads, applicants...) stop the run, all of them named, and the copy stays as it was."""
    store = LocalDirectoryStore(path=str(odoo_copy.filestore))
    with psycopg.connect(odoo.cluster.dsn(odoo_copy.name)) as conn:
        masker = Masker(conn, load_rules(str(RULES)), SALT, store)
        plan = masker.plan()
        assert "hr_payslip (module hr_payroll not installed): skipped" in plan.skipped
        assert "hr_payslip_line (module hr_payroll not installed): skipped" in plan.skipped
        before = digest(conn)
        files_before = sorted(p.name for p in odoo_copy.filestore.rglob("*") if p.is_file())
        with pytest.raises(UncoveredColumns) as refused:
            masker.run()
        conn.rollback()
        assert digest(conn) == before
    assert set(refused.value.notes) == set(plan.uncovered) and len(plan.uncovered) > 5
    assert all(f"{note};" in f"{refused.value};" for note in plan.uncovered)  # every one named, not the first few
    assert sorted(p.name for p in odoo_copy.filestore.rglob("*") if p.is_file()) == files_before
