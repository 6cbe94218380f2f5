"""The masking engine on a real seeded Odoo 17 database and filestore."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import psycopg
import pytest
from schwifty import IBAN

from blocks.local_directory_store import LocalDirectoryStore
from formwork.errors import OperationError
from formwork.masking import indexes
from formwork.masking.engine import Masker, MaskingLeak
from formwork.masking.rules import RulesError, load_rules
from tests.support.clusters import drop_database
from tests.support.seeded import copy

RULES = Path(__file__).resolve().parent.parent / "masking_rules" / "odoo17.yaml"
SALT = b"tests-salt-0123456789abcdef"
BUSINESS_TABLES = (
    "account_move_line",
    "account_payment",
    "account_journal",
    "hr_department",
    "hr_job",
    "ir_cron",
    "hr_payslip_run",
)


def rows(conn, query, *args):
    return conn.execute(query, args or None).fetchall()


def digest(conn, query: str) -> str:
    return conn.execute(f"SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM ({query}) x").fetchone()[0]


@pytest.fixture
def staging(pg, seeded_source, tmp_path):
    """A fresh copy of the seeded database and filestore; returns (dsn, filestore path)."""
    source, source_files = seeded_source
    name = f"staging_{tmp_path.name[-20:].lower().replace('-', '_')}"
    files = tmp_path / "filestore"
    copy(pg, source, name, source_files, files)
    yield pg.dsn(name), files
    drop_database(pg, name)


@pytest.fixture(scope="module")
def masked(pg, seeded_source, tmp_path_factory):
    """One copy of the seeded database masked with SALT, shared by the tests that only read its result: (the source's
    dsn and filestore, as the copy was before masking; the copy's dsn and filestore; the run's report). Five masking
    runs of the same copy with the same salt cost the suite 20 s; the determinism test proves they would agree."""
    source, source_files = seeded_source
    files = tmp_path_factory.mktemp("masked") / "filestore"
    copy(pg, source, "masked_once", source_files, files)
    report = mask(pg.dsn("masked_once"), files)
    yield (pg.dsn(source), source_files), (pg.dsn("masked_once"), files), report
    drop_database(pg, "masked_once")


def mask(dsn: str, files: Path, rules: Path = RULES, salt: bytes = SALT):
    with psycopg.connect(dsn) as conn:
        return Masker(conn, load_rules(str(rules)), salt, LocalDirectoryStore(path=str(files))).run()


def originals(dsn: str) -> dict[str, list[str]]:
    """Personal values read before masking, to look for afterwards with plain SQL (not the engine's own check)."""
    with psycopg.connect(dsn) as conn:
        return {
            "names": [r[0] for r in rows(conn, "SELECT name FROM hr_employee ORDER BY id LIMIT 25")]
            + [r[0] for r in rows(conn, "SELECT name FROM res_partner WHERE parent_id IS NOT NULL ORDER BY id LIMIT 25")],
            "emails": [r[0] for r in rows(conn, "SELECT private_email FROM hr_employee ORDER BY id LIMIT 25")]
            + [r[0] for r in rows(conn, "SELECT login FROM res_users WHERE login LIKE '%%@%%' ORDER BY id LIMIT 10")],
            "ibans": [
                r[0]
                for r in rows(
                    conn, "SELECT b.acc_number FROM res_partner_bank b JOIN hr_employee e ON e.bank_account_id = b.id LIMIT 25"
                )
            ],
            "ni": [r[0] for r in rows(conn, "SELECT ssnid FROM hr_employee ORDER BY id LIMIT 25")],
            "phones": [r[0] for r in rows(conn, "SELECT private_phone FROM hr_employee ORDER BY id LIMIT 25")],
            "streets": [r[0] for r in rows(conn, "SELECT private_street FROM hr_employee ORDER BY id LIMIT 25")],
        }


def text_columns(conn) -> list[tuple[str, str]]:
    return rows(
        conn,
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND data_type IN ('character varying', 'text', 'jsonb')",
    )


def test_no_personal_value_survives_anywhere(masked):
    (source, _), (dsn, files), report = masked
    before = originals(source)
    spaced = [" ".join(i[k : k + 4] for k in range(0, len(i), 4)) for i in before["ibans"]]
    assert report.leaks == [] and report.originals > 500 and report.files_replaced == 700
    needles = [v for values in before.values() for v in values] + spaced
    with psycopg.connect(dsn) as conn:
        for table, column in text_columns(conn):
            found = conn.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE ANY(%s)', ([f"%{n}%" for n in needles],)
            ).fetchone()[0]
            assert found == 0, f"{table}.{column}"
        referenced = {r[0] for r in rows(conn, "SELECT store_fname FROM ir_attachment")}
    for path in files.rglob("*"):
        if path.is_file():
            content = path.read_bytes().decode("latin-1")
            assert not any(n in content for n in needles), path.name
            assert path.relative_to(files).as_posix() in referenced  # originals of replaced files are gone


def test_same_value_same_fake_across_tables_and_text(masked):
    (source, _), (dsn, _), _ = masked
    with psycopg.connect(source) as conn:
        first = conn.execute(
            "SELECT e.id, e.name, e.work_email, b.acc_number FROM hr_employee e "
            "JOIN res_partner_bank b ON b.id = e.bank_account_id WHERE e.id = 1"
        ).fetchone()
    with psycopg.connect(dsn) as conn:
        name, work_email, login, partner_name, partner_email, resource = conn.execute(
            "SELECT e.name, e.work_email, u.login, p.name, p.email, r.name FROM hr_employee e JOIN res_users u ON u.id = e.user_id "
            "JOIN res_partner p ON p.id = e.work_contact_id JOIN resource_resource r ON r.id = e.resource_id WHERE e.id = 1"
        ).fetchone()
        assert name != first[1] and work_email != first[2]
        assert name == partner_name == resource
        assert work_email == login == partner_email
        first_token, last_token = name.split()[0].lower(), name.split()[-1].lower()
        assert work_email.startswith(f"{first_token}.{last_token}")  # the address follows the masked name
        # Chatter of employees who changed bank quotes the new account: it reads the masked IBAN, spaced as typed.
        ibans = [
            iban
            for (iban,) in conn.execute(
                "SELECT b.acc_number FROM hr_employee e JOIN res_partner_bank b ON b.id = e.bank_account_id"
            )
        ]
        bodies = " ".join(
            body
            for (body,) in conn.execute(
                "SELECT body FROM mail_message WHERE model = 'hr.employee' AND body LIKE '%%new account%%'"
            )
        )
        assert bodies and any(" ".join(iban[k : k + 4] for k in range(0, len(iban), 4)) in bodies for iban in ibans)
        assert conn.execute("SELECT count(*) FROM mail_message WHERE body LIKE %s", (f"%{name}%",)).fetchone()[0] >= 1


def test_unique_derived_and_valid_values(masked):
    (source, _), (dsn, _), _ = masked
    with psycopg.connect(source) as conn:
        countries_before = rows(conn, "SELECT id, left(acc_number, 2) FROM res_partner_bank ORDER BY id")
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) - count(DISTINCT login) FROM res_users").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) - count(DISTINCT work_email) FROM hr_employee").fetchone()[0] == 0
        assert (
            conn.execute(
                "SELECT count(*) FROM res_partner_bank WHERE sanitized_acc_number <> upper(replace(acc_number, ' ', ''))"
            ).fetchone()[0]
            == 0
        )
        for (acc,) in rows(conn, "SELECT acc_number FROM res_partner_bank"):
            IBAN(acc)
        assert rows(conn, "SELECT id, left(acc_number, 2) FROM res_partner_bank ORDER BY id") == countries_before
        assert conn.execute("SELECT count(*) FROM res_partner WHERE email_normalized <> lower(email)").fetchone()[0] == 0
        for (ni,) in rows(conn, "SELECT ssnid FROM hr_employee"):
            assert re.fullmatch(r"[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]", ni), ni


def test_pay_stays_consistent_with_the_masked_wage(masked):
    (source, _), (dsn, _), _ = masked
    with psycopg.connect(source) as conn:
        wages_before = dict(rows(conn, "SELECT employee_id, wage FROM hr_contract"))
    with psycopg.connect(dsn) as conn:
        wages = dict(rows(conn, "SELECT employee_id, wage FROM hr_contract"))
        changed = [e for e in wages if wages[e] != wages_before[e]]
        assert len(changed) > 40
        for employee, wage in wages.items():  # fresh draws, never close to the original (tests/test_masking_pay.py)
            assert abs(float(wage) / float(wages_before[employee]) - 1) >= 0.05
        mismatched = rows(
            conn,
            """
            SELECT s.id FROM hr_payslip s JOIN hr_contract c ON c.id = s.contract_id
            JOIN hr_payslip_line b ON b.slip_id = s.id AND b.code = 'BASIC'
            JOIN hr_payslip_line n ON n.slip_id = s.id AND n.code = 'NET'
            WHERE s.basic_wage <> c.wage OR b.amount <> c.wage OR abs(n.amount - s.net_wage) > 0.01""",
        )
        assert mismatched == []
        off = rows(
            conn,
            """
            SELECT slip_id FROM hr_payslip_line GROUP BY slip_id
            HAVING abs(sum(amount) FILTER (WHERE code IN ('GROSS', 'PAYE', 'NIC', 'PENSION', 'CITB'))
                       - sum(amount) FILTER (WHERE code = 'NET')) > 0.05""",
        )
        assert off == []
        history = rows(
            conn,
            """
            SELECT v.new_value_float, c.wage FROM mail_tracking_value v JOIN ir_model_fields f ON f.id = v.field_id AND f.name = 'wage'
            JOIN mail_message m ON m.id = v.mail_message_id JOIN hr_contract c ON c.id = m.res_id""",
        )
        assert len(history) == 50 and all(abs(new - float(wage)) < 0.011 for new, wage in history)


def test_business_data_and_business_files_are_untouched(masked):
    (source, _), (dsn, files), _ = masked
    queries = [f"SELECT * FROM {t}" for t in BUSINESS_TABLES] + [
        # Companies keep who they are; their contact details are masked (a sole trader's are his own).
        "SELECT id, name, vat, city, country_id FROM res_partner WHERE is_company",
        "SELECT id, name, partner_id, currency_id FROM res_company",
        "SELECT id, name, ref, amount_total, amount_residual, state, partner_id, partner_bank_id FROM account_move",
        "SELECT id, name, project_id, state, partner_id FROM project_task",
        "SELECT id, name, partner_id, user_id, date_start, date FROM project_project",
        "SELECT * FROM res_partner_bank WHERE partner_id IN (SELECT id FROM res_partner WHERE is_company)",
        "SELECT id, store_fname, checksum, file_size FROM ir_attachment WHERE res_model IN ('project.project', 'account.move')",
    ]
    contacts = (
        "SELECT id, email, phone FROM res_partner WHERE is_company AND (email IS NOT NULL OR phone IS NOT NULL) ORDER BY id"
    )
    with psycopg.connect(source) as conn:
        before = {q: digest(conn, q) for q in queries}
        company_contacts = rows(conn, contacts)
        business_files = {
            r[0]: r[1]
            for r in rows(
                conn, "SELECT store_fname, checksum FROM ir_attachment WHERE res_model IN ('project.project', 'account.move')"
            )
        }
    with psycopg.connect(dsn) as conn:
        for query in queries:
            assert digest(conn, query) == before[query], query
        masked = dict((i, (e, p)) for i, e, p in rows(conn, contacts))
        assert company_contacts and all(masked[i] != (e, p) for i, e, p in company_contacts)
        personal = rows(
            conn,
            "SELECT store_fname, checksum, file_size FROM ir_attachment WHERE res_model IN ('hr.payslip', 'hr.contract', 'hr.employee')",
        )
    for fname, checksum in business_files.items():
        assert hashlib.sha1((files / fname).read_bytes()).hexdigest() == checksum
    for fname, checksum, size in personal:
        content = (files / fname).read_bytes()
        assert hashlib.sha1(content).hexdigest() == checksum and len(content) == size
        assert fname == f"{checksum[:2]}/{checksum}"


def test_same_salt_same_output_other_salt_other_output(pg, seeded_source, masked, tmp_path):
    source, source_files = seeded_source
    tables = (
        "res_partner",
        "hr_employee",
        "res_users",
        "mail_message",
        "mail_mail",
        "hr_payslip_line",
        "res_partner_bank",
        "ir_attachment",
    )
    with psycopg.connect(masked[1][0]) as conn:
        results = {"salt_a1": {t: digest(conn, f"SELECT * FROM {t}") for t in tables}}
    for name, salt in (("salt_a2", SALT), ("salt_b", b"another-salt-0123456789")):
        copy(pg, source, name, source_files, tmp_path / name)
        try:
            mask(pg.dsn(name), tmp_path / name, salt=salt)
            with psycopg.connect(pg.dsn(name)) as conn:
                results[name] = {t: digest(conn, f"SELECT * FROM {t}") for t in tables}
        finally:
            drop_database(pg, name)
    assert results["salt_a1"] == results["salt_a2"]
    assert all(results["salt_a1"][t] != results["salt_b"][t] for t in tables if t != "ir_attachment")


def test_a_missing_rule_is_caught_and_nothing_is_changed(staging, tmp_path):
    """Drop the scrub of chatter bodies: the leak check must fail the run and roll everything back."""
    dsn, files = staging
    weakened = tmp_path / "weak.yaml"
    text = RULES.read_text()
    weakened.write_text(text.replace("      body: scrub\n", "      body: keep\n"))
    with psycopg.connect(dsn) as conn:
        before = digest(conn, "SELECT * FROM res_partner")
    with pytest.raises(MaskingLeak) as failure:
        mask(dsn, files, rules=weakened)
    assert any(leak.startswith("mail_message.body") for leak in failure.value.report.leaks)
    assert all("@" not in leak and "GB" not in leak.split(":")[0] for leak in failure.value.report.leaks)
    with psycopg.connect(dsn) as conn:
        assert digest(conn, "SELECT * FROM res_partner") == before
    assert len([p for p in files.rglob("*") if p.is_file()]) == 1036  # original files all still there


def test_plan_lists_columns_counts_and_uncovered(staging):
    dsn, files = staging
    with psycopg.connect(dsn) as conn:
        plan = Masker(conn, load_rules(str(RULES)), SALT, LocalDirectoryStore(path=str(files))).plan()
        assert conn.execute("SELECT count(*) FROM res_partner WHERE name LIKE '% %' AND NOT is_company").fetchone()[0] > 0
    lines = plan.lines()
    assert any(line.startswith("res_partner.name: faker name (8,052 rows") for line in lines)
    assert any(line.startswith("hr_contract.wage: pay") for line in lines)
    assert any(line.startswith("res_users_apikeys: delete 5 rows") for line in lines)
    assert (
        "ir_attachment files: replace 700 with a placeholder where res_model IN ('hr.payslip', 'hr.contract', 'hr.employee')"
        in lines
    )
    assert any(line.startswith("kept: ir_mail_server.smtp_pass: rewiring replaces it") for line in lines)
    assert lines[0].startswith("coverage: ") and lines[0].endswith(" kept, 0 uncovered personal-looking columns")


def test_tables_of_missing_modules_are_skipped_and_reported(staging, tmp_path):
    dsn, files = staging
    rules = tmp_path / "extra.yaml"
    rules.write_text(
        RULES.read_text().replace(
            "tables:\n", "tables:\n  - table: sign_request_item\n    module: sign_oca\n    columns:\n      signed_on: null\n", 1
        )
    )
    report = mask(dsn, files, rules=rules)
    assert any("sign_request_item" in note and "sign_oca" in note for note in report.skipped)


def test_two_rules_rewriting_the_same_cells_are_refused_before_any_change(staging, tmp_path):
    dsn, files = staging
    rules = tmp_path / "twice.yaml"
    rules.write_text(
        RULES.read_text().replace("tables:\n", "tables:\n  - table: res_partner\n    columns:\n      email: null\n", 1)
    )
    with psycopg.connect(dsn) as conn:
        before = digest(conn, "SELECT * FROM res_partner")
        with pytest.raises(RulesError, match=r"^.*twice\.yaml:\d+: .*rewrites res_partner\.email in rows that .*twice\.yaml:\d+"):
            Masker(conn, load_rules(str(rules)), SALT, LocalDirectoryStore(path=str(files)))
        assert digest(conn, "SELECT * FROM res_partner") == before


def test_rows_that_slip_out_of_a_rewrite_fail_the_run_and_change_nothing(staging, tmp_path):
    """Bank accounts picked by their holder's name: masking the names first moves the rows the
    second rule means, so the join would leave some accounts unmasked. The run must refuse."""
    # The full rules (a partial file is refused as incomplete), with the bank accounts picked by name.
    picked = 'where: "partner_id IN (SELECT id FROM res_partner WHERE NOT is_company)"'
    refused_as_moved(
        staging, tmp_path, "res_partner_bank", picked, "where: \"partner_id IN (SELECT id FROM res_partner WHERE name < 'M')\""
    )


def test_rows_that_slip_out_while_read_ahead_from_a_copy_fail_the_run_and_change_nothing(staging, tmp_path):
    """The people are picked by their company's postcode, which the rule before them masks on the same table: their
    rows are read ahead from a copy taken before that rewrite (_RowStream.detach), and must still be refused."""
    people = 'where: "NOT is_company AND id NOT IN (SELECT partner_id FROM res_company)"'
    by_zip = "parent_id IS NULL OR parent_id NOT IN (SELECT id FROM res_partner WHERE is_company AND zip < 'M')"
    refused_as_moved(staging, tmp_path, "res_partner", people, people[:-1] + f' AND ({by_zip})"')


def refused_as_moved(staging, tmp_path: Path, table: str, where: str, moving: str) -> None:
    """The shipped rules with `where` replaced by `moving`: the run fails naming the table whose rows moved, and
    leaves it as it was."""
    dsn, files = staging
    assert where in RULES.read_text()
    rules = tmp_path / "moving.yaml"
    rules.write_text(RULES.read_text().replace(where, moving))
    with psycopg.connect(dsn) as conn:
        before = digest(conn, f"SELECT * FROM {table}")
    with pytest.raises(OperationError, match=rf"^{table}: the rows the rule covers changed while masking"):
        mask(dsn, files, rules=rules)
    with psycopg.connect(dsn) as conn:
        assert digest(conn, f"SELECT * FROM {table}") == before


def test_every_rewrite_rebuilding_its_indexes_while_later_entries_are_read_ahead_completes(staging, monkeypatch):
    """Each entry's first rows are read ahead of its turn, through a cursor: never one on a table whose indexes an
    earlier entry is still to rebuild (PostgreSQL refuses CREATE INDEX on a table a cursor of the session reads)."""
    dsn, files = staging
    monkeypatch.setattr(indexes, "MIN_ROWS", 1)  # every rewrite rebuilds its indexes, as a million-row one does
    with psycopg.connect(dsn) as conn:
        before = rows(conn, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'res_partner' ORDER BY 1")
    report = mask(dsn, files)
    assert not report.leaks and [t for t, _, _ in report.tables].count("res_partner") >= 2
    with psycopg.connect(dsn) as conn:
        assert rows(conn, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'res_partner' ORDER BY 1") == before


def test_indexes_over_a_large_rewrite_are_rebuilt_as_they_were(staging):
    dsn, _ = staging
    listing = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'res_partner' ORDER BY 1"
    with psycopg.connect(dsn) as conn:
        before = rows(conn, listing)
        with conn.transaction():
            with indexes.set_aside(conn, "res_partner", ["name", "phone"], rows=indexes.MIN_ROWS):
                during = {name for name, _ in rows(conn, listing)}
            after = rows(conn, listing)
        with pytest.raises(psycopg.errors.DivisionByZero), conn.transaction():
            with indexes.set_aside(conn, "res_partner", ["name"], rows=indexes.MIN_ROWS):
                conn.execute("SELECT 1 / 0")
        assert rows(conn, listing) == before
    assert {"res_partner__name_index", "res_partner_phone_partial_tgm"} & during == set()
    assert "res_partner_pkey" in during and "res_partner__vat_index" in during
    assert after == before
