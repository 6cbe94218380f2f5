"""Odoo-aware, fail-closed rules: a rule of a module not installed is skipped and said so; a missing table
or column of an installed module (schema drift) stops mask, rewire, `rewire check` and refresh before any
change; a database without ir_module_module is refused."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from formwork.errors import InputError
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules as load_masking_rules
from formwork.rewiring.engine import Rewirer, Settings
from formwork.rewiring.rules import DEFAULT_RULES, load_rules
from tests.support.clusters import drop_database
from tests.support.seeded import copy
from tests.test_mask_cli import SALT_ENV, one_line, register
from tests.test_refresh_cli import DIGEST

MASKING_RULES = "masking_rules/odoo17.yaml"
SETTINGS = Settings(environment="staging", base_url="https://staging.example.com", mail_host="mailpit", mail_port=1025)
SALT = b"drift-tests-salt-0123456789"

ODOO = """
CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL, state varchar NOT NULL);
INSERT INTO ir_module_module (name, state) VALUES ('base', 'installed'), ('mail', 'installed'), ('payment', 'uninstalled');
CREATE TABLE ir_model_fields (id serial PRIMARY KEY, model varchar NOT NULL, name varchar NOT NULL, ttype varchar NOT NULL, store boolean);
"""
TABLES = """
CREATE TABLE ir_mail_server (id serial PRIMARY KEY, name varchar, active boolean, smtp_host varchar, smtp_port integer,
                             smtp_user varchar, smtp_pass varchar);
INSERT INTO ir_mail_server (name, active, smtp_host, smtp_port, smtp_user, smtp_pass)
VALUES ('Production relay', true, 'smtp.northbridge.example', 587, 'relay@northbridge.example', 'Wh4rf-relay-pass');
"""
REWIRING = """\
version: 1
rules:
  - name: smtp
    about: outgoing servers are off, their credentials cleared
    table: ir_mail_server
    module: base
    live: "active OR smtp_user IS NOT NULL OR smtp_pass IS NOT NULL"
    set: {active: false, smtp_user: null, smtp_pass: null}
  - name: gmail-tokens
    about: Gmail tokens of mail servers are cleared
    table: ir_mail_server
    module: base
    clear: "^google_gmail_.*token"
  - name: payment-providers
    about: payment providers are disabled
    table: payment_provider
    module: payment
    live: "state = 'enabled'"
    set: {state: "'disabled'"}
"""
MASKING = """\
version: 1
locale: en_GB
tables:
  - table: ir_mail_server
    module: base
    columns:
      smtp_user: {faker: email}
      smtp_pass: null
  - table: payment_provider
    module: payment
    columns:
      name: {faker: company}
"""
# Every table of the small database, as one text: a refused run must leave it as it was.
SMALL_DIGEST = "SELECT string_agg(t::text, '|' ORDER BY t::text) FROM ir_mail_server t"


@pytest.fixture
def small(pg, database, tmp_path):
    """(dsn, rewiring rules, masking rules): a hand-made Odoo database with one live mail server."""
    with psycopg.connect(pg.dsn(database)) as conn:
        conn.execute(ODOO + TABLES)
    (tmp_path / "rewiring.yaml").write_text(REWIRING)
    (tmp_path / "masking.yaml").write_text(MASKING)
    return pg.dsn(database), str(tmp_path / "rewiring.yaml"), str(tmp_path / "masking.yaml")


def digest(dsn: str, query: str = SMALL_DIGEST) -> str:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchone()[0]


def test_a_rule_of_a_module_not_installed_is_skipped_and_reported(small):
    dsn, rewiring, masking = small
    with psycopg.connect(dsn) as conn:
        report = Rewirer(conn, load_rules([rewiring]), SETTINGS).apply()
        plan = Masker(conn, load_masking_rules(masking), SALT).plan()
    assert [(rule.name, why) for rule, why in report.skipped] == [
        ("gmail-tokens", "no text column of ir_mail_server matches /^google_gmail_.*token/ (nothing to clear)"),
        ("payment-providers", "module payment not installed"),
    ]
    assert "- payment-providers: module payment not installed" in report.markdown()
    assert [(rule.name, rows) for rule, rows in report.applied] == [("smtp", 1)] and report.live == []
    assert "skipped: payment_provider (module payment not installed): skipped" in plan.lines()


def test_a_dropped_column_of_an_installed_module_stops_rewire_and_check(small):
    """The bug: the whole rule was skipped and the check said nothing was live, with the SMTP login still there."""
    dsn, rewiring, _ = small
    with psycopg.connect(dsn) as conn:
        conn.execute("ALTER TABLE ir_mail_server DROP COLUMN smtp_pass")
        conn.commit()
    before = digest(dsn)
    for run in (lambda r: r.check(), lambda r: r.apply()):
        with psycopg.connect(dsn) as conn, pytest.raises(InputError) as refused:
            run(Rewirer(conn, load_rules([rewiring]), SETTINGS))
        message = str(refused.value)
        assert message.startswith(f"{rewiring}:3: rules[0] (smtp): schema drift: ir_mail_server.smtp_pass does not exist"), (
            message
        )
        assert "module base is installed" in message and "\n" not in message
    assert digest(dsn) == before and "relay@northbridge.example" in before


def test_a_dropped_column_of_an_installed_module_stops_masking(small):
    dsn, _, masking = small
    with psycopg.connect(dsn) as conn:
        conn.execute("ALTER TABLE ir_mail_server DROP COLUMN smtp_pass")
        conn.commit()
    before = digest(dsn)
    with psycopg.connect(dsn) as conn, pytest.raises(InputError) as refused:
        Masker(conn, load_masking_rules(masking), SALT).run()
    assert str(refused.value) == (
        f"{masking}:8: tables[0].columns.smtp_pass: table ir_mail_server has no column 'smtp_pass' "
        "(schema drift: module base is installed)"
    )
    assert digest(dsn) == before


def test_a_stored_field_declared_in_ir_model_fields_but_missing_is_drift(small):
    """ir_model_fields says an installed module stores ir.mail_server.google_gmail_refresh_token: its column must be there."""
    dsn, rewiring, _ = small
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO ir_model_fields (model, name, ttype, store) VALUES "
            "('ir.mail_server', 'google_gmail_refresh_token', 'char', true), ('payment.provider', 'state', 'selection', true)"
        )
        conn.commit()
    before = digest(dsn)
    with psycopg.connect(dsn) as conn, pytest.raises(InputError) as refused:
        Rewirer(conn, load_rules([rewiring]), SETTINGS).apply()
    assert "rules[1] (gmail-tokens): schema drift: ir_mail_server.google_gmail_refresh_token does not exist" in str(refused.value)
    assert digest(dsn) == before
    with psycopg.connect(dsn) as conn:  # a module not installed whose field an installed one stores: the rule applies
        conn.execute("DELETE FROM ir_model_fields WHERE model = 'ir.mail_server'")
        conn.commit()
        with pytest.raises(InputError, match=r"rules\[2\] \(payment-providers\): schema drift: payment_provider does not exist"):
            Rewirer(conn, load_rules([rewiring]), SETTINGS)


def test_a_database_without_ir_module_module_is_refused(pg, database, small):
    _, rewiring, masking = small
    dsn = pg.dsn(database + "_bare")
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}_bare"')
    try:
        with psycopg.connect(dsn) as conn:
            conn.execute(TABLES)
        before = digest(dsn)
        for make in (
            lambda c: Rewirer(c, load_rules([rewiring]), SETTINGS).apply(),
            lambda c: Masker(c, load_masking_rules(masking), SALT).run(),
        ):
            with psycopg.connect(dsn) as conn, pytest.raises(InputError) as refused:
                make(conn)
            assert str(refused.value).startswith(f"database {database}_bare: no ir_module_module table, so not an Odoo database")
        assert digest(dsn) == before
    finally:
        drop_database(pg, database + "_bare")


@pytest.fixture(scope="module")
def drifted(pg, seeded_source, tmp_path_factory):
    """A copy of the seeded production whose ir_mail_server lost smtp_pass and hr_employee lost private_email."""
    source, files = seeded_source
    name = f"drift_{uuid.uuid4().hex[:6]}"
    copy(pg, source, name, files, tmp_path_factory.mktemp(name))
    with psycopg.connect(pg.dsn(name)) as conn:
        conn.execute("ALTER TABLE ir_mail_server DROP COLUMN smtp_pass")
        conn.execute("ALTER TABLE hr_employee DROP COLUMN private_email")
    yield name, tmp_path_factory.getbasetemp() / name
    drop_database(pg, name)


def test_the_seeded_copy_untouched_by_mask_and_rewire_on_drift(pg, drifted):
    name, _ = drifted
    dsn = pg.dsn(name)
    before = digest(dsn, DIGEST)
    with psycopg.connect(dsn) as conn, pytest.raises(InputError) as refused:
        Rewirer(conn, load_rules([DEFAULT_RULES]), SETTINGS).apply()
    assert "(outgoing-mail-servers): schema drift: ir_mail_server.smtp_pass does not exist, but module base is installed" in str(
        refused.value
    )
    with psycopg.connect(dsn) as conn, pytest.raises(InputError) as refused:
        Masker(conn, load_masking_rules(MASKING_RULES), SALT).run()
    assert (
        ".columns.private_email: table hr_employee has no column 'private_email' (schema drift: module hr is installed)"
        in str(refused.value)
    )
    assert digest(dsn, DIGEST) == before


def test_rewire_check_and_refresh_stop_on_a_drifted_source_naming_it(pg, drifted, formwork_here, tmp_path):
    name, files = drifted
    before = digest(pg.dsn(name), DIGEST)
    env = register(pg, name, files, "--production")
    check = formwork_here("rewire", "check", env)
    assert check.returncode == 2, check.stdout + check.stderr
    assert "odoo17.yaml:" in one_line(check) and "(outgoing-mail-servers): schema drift: ir_mail_server.smtp_pass" in one_line(
        check
    )
    assert "nothing live" not in check.stdout and "Wh4rf" not in check.stdout + check.stderr
    target_db = f"drift_stg_{uuid.uuid4().hex[:6]}"
    staging = register(pg, target_db, tmp_path / "staging-files", "--base-url", "https://staging.example.com")
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{target_db}"')
    with psycopg.connect(pg.dsn(target_db)) as conn:
        conn.execute("CREATE TABLE marker AS SELECT 'the old staging' AS text")
    refresh = formwork_here("refresh", env, staging, "--yes", env=SALT_ENV)
    assert refresh.returncode != 0, refresh.stdout[-2000:]
    assert (
        "(outgoing-mail-servers): schema drift: ir_mail_server.smtp_pass does not exist, but module base is installed"
        in refresh.stderr
    )
    with psycopg.connect(
        pg.dsn(), autocommit=True
    ) as admin:  # the target as it was; the side copy is left for the next run's clean-up
        made = [n for (n,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (target_db + "%",))]
    assert digest(pg.dsn(target_db), "SELECT text FROM marker") == "the old staging"
    assert all(n == target_db or n.startswith(f"{target_db}__formwork_") for n in made), made
    for db in made:
        drop_database(pg, db)
    assert digest(pg.dsn(name), DIGEST) == before
