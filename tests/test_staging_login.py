"""The staging password: Odoo's own hash of it for internal users only, never the secret (or its hash) in a report,
a log, a message or a statement's text; a mis-set one refused in one line before anything changes.

A small hand-made res_users table on a throwaway database, masked with the default rules' res_users entries."""

from __future__ import annotations

import base64
import io
import logging
import sys
import uuid

import psycopg
import pytest
from prefect.blocks.system import Secret

from blocks.odoo_environment import OdooEnvironment
from formwork.dsn import parse_dsn
from formwork.errors import InputError
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules
from formwork.masking.staging_login import NO_PASSWORD, UNUSED, odoo_password_hash
from tests.support.cli import command_line as formwork
from tests.support.login_rules import login_rules

SALT = b"staging-login-tests-salt"
STAGING = "St4ging-never-printed"
# (login, share, production hash): admin and two people inside, a customer on the portal, and a user whose share
# flag nobody computed (treated as not internal).
USERS = [
    ("admin", False),
    ("__system__", False),
    ("anna.kent@brickwell.example", False),
    ("jo.reid@brickwell.example", False),
    ("bob.hale@customer.example", True),
    ("no.flag@brickwell.example", None),
]


@pytest.fixture
def users(pg, database, tmp_path):
    """(dsn, rules path): res_users as Odoo 17 lays it out (the columns the rules name), every user with a
    production password hash and a TOTP secret."""
    dsn = pg.dsn(database)
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar, state varchar)")
        conn.execute("INSERT INTO ir_module_module (name, state) VALUES ('base', 'installed')")
        conn.execute(
            "CREATE TABLE res_users (id serial PRIMARY KEY, login varchar NOT NULL UNIQUE, password varchar, "
            "signature text, totp_secret varchar, share boolean)"
        )
        for login, share in USERS:
            conn.execute(
                "INSERT INTO res_users (login, password, signature, totp_secret, share) VALUES (%s, %s, %s, %s, %s)",
                (login, odoo_password_hash(f"prod-{login}", rounds=1000), f"<p>{login}</p>", "JBSWY3DPEHPK3PXP", share),
            )
    return dsn, login_rules(tmp_path)


def table(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT id, login, password, signature, totp_secret, share FROM res_users ORDER BY id").fetchall()


def verifies(password: str, stored: str) -> bool:
    """Odoo's check (passlib pbkdf2_sha512), redone with hashlib."""
    _, scheme, rounds, salt, checksum = stored.split("$")
    salt_bytes = base64.b64decode(salt.replace(".", "+") + "=" * (-len(salt) % 4))
    return scheme == "pbkdf2-sha512" and stored == odoo_password_hash(password, rounds=int(rounds), salt=salt_bytes)


def test_the_hash_is_the_one_passlib_makes_for_odoo():
    # passlib.hash.pbkdf2_sha512.using(rounds=1000, salt=b"0123456789abcdef").hash("s3cret-Stag1ng"), in Odoo 17's venv
    assert odoo_password_hash("s3cret-Stag1ng", rounds=1000, salt=b"0123456789abcdef") == (
        "$pbkdf2-sha512$1000$MDEyMzQ1Njc4OWFiY2RlZg$AiqtK.FqgoxI.RjYj7IQFSWyQWZa3p44no0T0dBvttKFDojJuDSpYBRZZB4gK88W5dmrFBfka18jZ.edwZYEKA"
    )
    assert odoo_password_hash("x").split("$")[2] == "600000"  # Odoo 17's minimum: it verifies without re-hashing


def test_internal_users_share_the_staging_hash_and_no_secret_reaches_a_report_log_or_statement(pg, users, caplog):
    dsn, rules = users
    logged_from = pg.logfile.stat().st_size
    with caplog.at_level(logging.DEBUG), psycopg.connect(dsn) as conn:
        conn.execute("SET log_statement = 'all'")  # every statement's text into the server log
        masker = Masker(conn, load_rules(rules), SALT, None, STAGING)
        plan = masker.plan()
        report = masker.run()
    after = table(dsn)  # rows in the order of USERS
    internal, outside = after[:4], after[4:]
    hashes = {row[2] for row in internal}
    assert len(hashes) == 1 and verifies(STAGING, internal[0][2])
    assert [row[2] for row in outside] == [None, None], "a portal or unflagged user keeps a password"
    assert [row[1] for row in after[:2]] == ["admin", "__system__"]
    assert all(row[1] != login and "@" in row[1] for row, (login, _) in zip(after[2:], USERS[2:]))
    assert all(row[4] is None for row in after)
    server_log = pg.logfile.read_bytes()[logged_from:].decode(errors="replace")
    assert "UPDATE" in server_log
    for text in (
        report.markdown(),
        report.summary(),
        repr(report),
        "\n".join(plan.lines()),
        repr(plan),
        caplog.text,
        server_log,
        repr(masker),
    ):
        assert STAGING not in text and internal[0][2] not in text
    assert NO_PASSWORD not in report.skipped and "res_users.password" in report.columns


def test_without_a_staging_password_nobody_can_log_in_and_the_report_says_so(users):
    dsn, rules = users
    with psycopg.connect(dsn) as conn:
        masker = Masker(conn, load_rules(rules), SALT)
        plan = masker.plan()
        report = masker.run()
    assert all(row[2] is None for row in table(dsn))
    assert f"skipped: {NO_PASSWORD}" in plan.lines() and NO_PASSWORD in report.skipped and "nobody can log in" in NO_PASSWORD


def test_a_staging_password_no_rule_writes_is_reported(users, tmp_path):
    dsn, _ = users
    rules = tmp_path / "no-login.yaml"
    rules.write_text(
        "version: 1\nlocale: en_GB\ntables:\n  - table: res_users\n    columns:\n      password: null\n"
        "      login: {faker: email, unique: true}\n      signature: scrub\n      totp_secret: null\n"
    )
    with psycopg.connect(dsn) as conn:
        report = Masker(conn, load_rules(rules), SALT, None, STAGING).run()
    assert UNUSED in report.skipped and all(row[2] is None for row in table(dsn))


@pytest.mark.parametrize("mis_set", ["", "   ", "\t\n"], ids=["empty", "spaces", "blank-lines"])
def test_a_mis_set_staging_password_is_one_input_error_line_and_nothing_changes(users, mis_set):
    dsn, rules = users
    before = table(dsn)
    with psycopg.connect(dsn) as conn, pytest.raises(InputError) as refused:
        Masker(conn, load_rules(rules), SALT, None, mis_set).run()
    message = str(refused.value)
    assert message.startswith("staging password: empty") and "\n" not in message
    assert table(dsn) == before


def test_the_mask_task_takes_the_password_from_the_environments_secret_block(prefect_api, pg, users, monkeypatch):
    from tasks.masking import mask_database

    dsn, rules = users
    monkeypatch.setenv("FORMWORK_MASKING_SALT", SALT.decode())
    spec = parse_dsn(dsn)
    env = OdooEnvironment(
        db_host=spec.host,
        db_port=spec.port,
        db_name=spec.dbname,
        db_user=spec.user,
        db_password=Secret(value=spec.password) if spec.password else None,
        staging_password=Secret(value=STAGING),
    )
    report = mask_database.fn("staging", env, rules)
    assert verifies(STAGING, table(dsn)[0][2]) and STAGING not in repr(report) + repr(env)


def test_a_refresh_to_a_target_with_a_blank_staging_password_stops_at_its_guards(tmp_path):
    """A Secret block edited to blanks by hand: refused before production is read or a copy is made."""
    from tasks.masking import DEFAULT_RULES
    from tasks.refresh import check_guards

    src = OdooEnvironment(
        db_host="127.0.0.1", db_port=1, db_name="prod", production=True, filestore_url=f"file://{tmp_path}/prod"
    )
    dst = OdooEnvironment(
        db_host="127.0.0.1", db_port=1, db_name="qa", filestore_url=f"file://{tmp_path}/qa", staging_password=Secret(value="  ")
    )
    with pytest.raises(InputError) as refused:
        check_guards.fn("prod", src, "qa", dst, DEFAULT_RULES)
    assert str(refused.value).startswith("environment 'qa': staging password: empty") and "\n" not in str(refused.value)
    assert list(tmp_path.iterdir()) == []


# -- env add: the staging password from stdin, a variable or a file, into a Secret block ------------------------------


def test_env_add_keeps_the_staging_password_in_a_secret_block_off_the_command_line(prefect_api, capsys, monkeypatch):
    from blocks import catalogue

    name = f"login-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(sys, "stdin", io.StringIO(STAGING + "\n"))
    argv = ["env", "add", name, "--dsn", f"postgresql://odoo@db.internal:5433/{name}", "--staging-password-stdin"]
    code, out, err = formwork(capsys, *argv)
    assert code == 0, err
    shown = formwork(capsys, "env", "show", name)[1]
    try:
        assert STAGING not in " ".join(argv) + out + err + shown + repr(catalogue.load(name))
        assert f"staging login:  ******** (secret block '{name}-staging-password')" in shown
        assert catalogue.load(name).staging_login_password() == STAGING
    finally:
        catalogue.remove(name)
    with pytest.raises(ValueError):
        Secret.load(catalogue.staging_password_block_name(name))


@pytest.mark.parametrize(
    "extra, stdin, needles",
    [
        (["--staging-password-file", "{blank}"], "", ["staging password", "empty"]),
        (["--staging-password-stdin"], "\n", ["--staging-password-stdin", "empty"]),
        (
            ["--password-stdin", "--staging-password-stdin"],
            f"{STAGING}\n{STAGING}\n",
            ["--password-stdin", "--staging-password-stdin"],
        ),
        (["--production", "--staging-password-env", "FW_TEST_STAGING"], "", ["staging password", "production"]),
    ],
    ids=["blank-file", "empty-stdin", "stdin-twice", "production"],
)
def test_env_add_refuses_a_mis_set_staging_password_and_saves_nothing(
    prefect_api, capsys, monkeypatch, tmp_path, extra, stdin, needles
):
    from blocks import catalogue

    name = f"login-{uuid.uuid4().hex[:8]}"
    (tmp_path / "blank").write_text("   \n")
    monkeypatch.setenv("FW_TEST_STAGING", STAGING)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    extra = [arg.replace("{blank}", str(tmp_path / "blank")) for arg in extra]
    code, out, err = formwork(capsys, "env", "add", name, "--dsn", f"postgresql://odoo@db.internal/{name}", *extra)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and all(n in lines[0] for n in needles), (out, err)
    assert STAGING not in out + err and not catalogue.exists(name)
    with pytest.raises(ValueError):
        Secret.load(catalogue.staging_password_block_name(name))
