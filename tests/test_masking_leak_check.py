"""The leak check looks for every original, in every spelling a person would write it: not a sample, not one format.

A small Odoo-shaped database: people with names, emails, phones and IBANs that the rules mask, and business columns
no rule touches (a note, a translated jsonb field, a bytea column) where a variant of an original is planted."""

from __future__ import annotations

import psycopg
import pytest

from formwork.masking.engine import Masker, MaskingLeak
from formwork.masking.rules import load_rules
from tests.support.clusters import create_database, drop_database
from tests.support.leak_findings import counted

SALT = b"leak-check-salt-0123456789abcdef"
RULES = """\
version: 1
locale: en_GB
tables:
  - table: res_partner
    module: base
    columns:
      name: {faker: name}
      email: {faker: email}
      phone: {faker: phone_number}
  - table: res_partner_bank
    module: base
    columns:
      acc_number: {faker: iban}
keep:  # business columns: the leak check, not the coverage check, must be what finds a person in them
  - column: x_job.x_note
    reason: site notes
  - column: x_job.x_title
    reason: job titles
  - column: x_job.x_blob
    reason: job sheets
"""
PEOPLE = 2_000
CHOSEN = 1_777  # not among any sample of a few hundred: every original is checked
PERSON = "John Smith"


@pytest.fixture
def people(pg, tmp_path):
    """(dsn, rules): PEOPLE partners, the CHOSEN one John Smith, each with an email, a phone and an IBAN; a business
    table (x_job) with a note, a translated name and a bytea blob that no rule touches."""
    name = create_database(pg, "leakcheck")
    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        conn.execute(f"""
            CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar, state varchar);
            INSERT INTO ir_module_module (name, state) VALUES ('base', 'installed');
            CREATE TABLE res_partner (id integer PRIMARY KEY, name varchar, email varchar, phone varchar);
            INSERT INTO res_partner SELECT i, CASE WHEN i = {CHOSEN} THEN '{PERSON}' ELSE 'Person' || i || ' Surname' || i END,
                   CASE WHEN i = {CHOSEN} THEN 'John.Smith@Example.com' ELSE 'p' || i || '@example.org' END,
                   CASE WHEN i = {CHOSEN} THEN '07700 900123' ELSE '0161 496 ' || lpad(i::text, 4, '0') END
            FROM generate_series(1, {PEOPLE}) i;
            CREATE TABLE res_partner_bank (id integer PRIMARY KEY, partner_id integer, acc_number varchar);
            INSERT INTO res_partner_bank SELECT i, i, CASE WHEN i = {CHOSEN} THEN 'GB29 NWBK 6016 1331 9268 19'
                   ELSE 'GB' || lpad((i % 97)::text, 2, '0') || 'BANK' || lpad(i::text, 14, '0') END
            FROM generate_series(1, {PEOPLE}) i;
            CREATE TABLE x_job (id serial PRIMARY KEY, x_note text, x_title jsonb, x_blob bytea);
            INSERT INTO x_job (x_note, x_title, x_blob) VALUES ('Pour the slab on level 2', '{{"en_US": "Slab"}}', 'concrete');
        """)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    yield pg.dsn(name), rules
    drop_database(pg, name)


def digest(conn) -> str:
    return conn.execute(
        "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (SELECT p::text t FROM res_partner p UNION ALL "
        "SELECT b::text FROM res_partner_bank b UNION ALL SELECT j::text FROM x_job j) s"
    ).fetchone()[0]


VARIANTS = {
    "upper case": ("x_note", "Site visit by JOHN SMITH"),
    "surname first": ("x_note", "Foreman: Smith, John"),
    "two spaces": ("x_note", "John  Smith signed"),
    "nbsp entity": ("x_note", "<p>John&nbsp;Smith</p>"),
    "html tags": ("x_note", "<b>John</b> Smith"),
    "email lower case": ("x_note", "write to john.smith@example.com"),
    "email upper case": ("x_note", "JOHN.SMITH@EXAMPLE.COM"),
    "phone e164": ("x_note", "call +447700900123"),
    "phone grouped": ("x_note", "call (07700) 900-123"),
    "iban compact": ("x_note", "paid to GB29NWBK60161331926819"),
    "iban lower grouped": ("x_note", "iban gb29 nwbk 6016 1331 9268 19"),
    "jsonb": ("x_title", '{"en_US": "Slab", "fr_FR": "Dalle de JOHN SMITH"}'),
    "jsonb escaped": ("x_title", '{"en_US": "Jo\\u0068n Smith"}'),
    "bytea": ("x_blob", "\\x" + b"Smith, John".hex()),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_variant_of_an_original_is_found_counted_and_named_never_shown(people, variant):
    dsn, rules = people
    column, planted = VARIANTS[variant]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"INSERT INTO x_job ({column}) VALUES (%s)", (planted,))
        before = digest(conn)
    with psycopg.connect(dsn) as conn:
        with pytest.raises(MaskingLeak) as leak:
            Masker(conn, load_rules(str(rules)), SALT).run()
        conn.rollback()
        assert digest(conn) == before  # rolled back: the copy is as it was
    findings = [counted(found) for found in leak.value.report.leaks]
    assert findings and all(
        found.startswith(f"x_job.{column}: N occurrence(s) of originals of res_partner") for found in findings
    )
    message = str(leak.value)
    assert all(secret not in message.casefold() for secret in ("smith", "7700", "nwbk", "example.com"))


def test_every_column_with_findings_is_listed_with_its_count(people):
    dsn, rules = people
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("""INSERT INTO x_job (x_note, x_title, x_blob) VALUES
            ('JOHN SMITH and Smith, John', '{"en_US": "John Smith"}', 'paid to GB29NWBK60161331926819')""")
    with psycopg.connect(dsn) as conn, pytest.raises(MaskingLeak) as leak:
        Masker(conn, load_rules(str(rules)), SALT).run()
    assert set(leak.value.report.leaks) == {
        "x_job.x_note: 2 occurrence(s) of originals of res_partner.name survive masking",
        "x_job.x_title: 1 occurrence(s) of originals of res_partner.name survive masking",
        "x_job.x_blob: 1 occurrence(s) of originals of res_partner_bank.acc_number survive masking",
    }


def test_a_clean_copy_passes_having_checked_every_original(people):
    dsn, rules = people
    with psycopg.connect(dsn) as conn:
        report = Masker(conn, load_rules(str(rules)), SALT).run()
        assert report.leaks == [] and report.originals == 4 * PEOPLE
        assert conn.execute("SELECT count(*) FROM res_partner WHERE name = %s", (PERSON,)).fetchone()[0] == 0


SPLIT_RULES = (
    RULES.replace(
        "    columns:\n      name: {faker: name}\n",
        '    where: "is_company"\n    columns:\n      email: {faker: email}\n      phone: {faker: phone_number}\n'
        '  - table: res_partner\n    module: base\n    where: "NOT is_company"\n    columns:\n      name: {faker: name}\n',
        1,
    )
    + "  - column: res_partner.name\n    reason: company names stay\n"
)


@pytest.mark.parametrize("planted", ["call +447700900123", "write to JOHN.SMITH@example.com"])
def test_a_column_masked_by_two_entries_keeps_no_original_of_either_out_of_the_check(people, tmp_path, planted):
    """Companies and people are masked by two entries of one table: the rows one entry leaves alone are the other's,
    so their values are originals too, not business data that stays (only a row no entry masks keeps its value)."""
    dsn, _ = people
    rules = tmp_path / "split.yaml"
    rules.write_text(SPLIT_RULES)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE res_partner ADD COLUMN is_company boolean NOT NULL DEFAULT false")
        conn.execute("UPDATE res_partner SET is_company = true WHERE id <= 10")
        conn.execute("INSERT INTO x_job (x_note) VALUES (%s)", (planted,))
    with psycopg.connect(dsn) as conn, pytest.raises(MaskingLeak) as leak:
        Masker(conn, load_rules(str(rules)), SALT).run()
    assert [counted(found) for found in leak.value.report.leaks] == [
        "x_job.x_note: N occurrence(s) of originals of res_partner."
        + ("phone" if "+44" in planted else "email")
        + " survive masking"
    ]
