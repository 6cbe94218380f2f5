"""`formwork seed`: an Odoo-17-shaped construction company, checked on a real PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path

import boto3
import psycopg
import pytest
from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from schwifty import IBAN

from tests.support.cli import FORMWORK, checkout_env
from tests.support.clusters import drop_database
from tests.support.s3 import ACCESS_KEY, SECRET_KEY

REQUIRED_TABLES = [
    "res_company",
    "res_partner",
    "res_users",
    "res_users_apikeys",
    "res_bank",
    "res_partner_bank",
    "hr_employee",
    "hr_contract",
    "hr_payslip",
    "hr_payslip_line",
    "mail_tracking_value",
    "project_project",
    "project_task",
    "account_move",
    "account_move_line",
    "account_payment",
    "mail_message",
    "mail_mail",
    "ir_mail_server",
    "fetchmail_server",
    "ir_cron",
    "ir_model_data",
    "payment_provider",
    "delivery_carrier",
    "ir_act_server",
    "iap_account",
    "ir_config_parameter",
    "ir_attachment",
]


def one(conn, query, *args):
    return conn.execute(query, args or None).fetchone()[0]


def table_digest(conn, table: str) -> str:
    return one(conn, f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t")


@pytest.fixture(autouse=True)
def synthetic(monkeypatch):
    """These tests are about the synthetic seed: a FORMWORK_ODOO_BIN set for the real-Odoo tests must not make
    `formwork seed` (without --scale or --seed) build through Odoo."""
    monkeypatch.delenv("FORMWORK_ODOO_BIN", raising=False)


@pytest.fixture(scope="module")
def seeded(pg, tmp_path_factory, prefect_api):
    """One scale-1 database with a local filestore, seeded through the command line."""
    import os
    import subprocess

    filestore = tmp_path_factory.mktemp("filestore")
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    result = subprocess.run(
        [*FORMWORK, "seed", pg.dsn("seeded"), "--filestore", f"file://{filestore}", "--scale", "1", "--seed", "7"],
        capture_output=True,
        text=True,
        env=checkout_env(env),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "seeded postgresql://postgres@127.0.0.1" in result.stdout
    yield pg.dsn("seeded"), filestore
    drop_database(pg, "seeded")


def test_every_listed_table_is_there_with_rows(seeded):
    dsn, _ = seeded
    with psycopg.connect(dsn) as conn:
        for table in REQUIRED_TABLES:
            assert one(conn, f"SELECT count(*) FROM {table}") > 0, table
        assert 9000 <= one(conn, "SELECT count(*) FROM res_partner") <= 11000
        assert one(conn, "SELECT count(*) FROM res_partner WHERE is_company") > 1000
        assert one(conn, "SELECT count(*) FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY'") > 200


def test_business_addresses_never_read_as_a_persons_name(seeded):
    """The leak check rightly fails on a person's full name in kept business text, so the seed must not
    make one by chance (Faker's "Roger Brooks" street next to a partner called Roger Brooks)."""
    dsn, _ = seeded
    with psycopg.connect(dsn) as conn:
        people = {
            name
            for (name,) in conn.execute("SELECT name FROM res_partner WHERE NOT is_company UNION SELECT name FROM hr_employee")
        }
        streets = {street for (street,) in conn.execute("SELECT street FROM res_partner WHERE is_company AND street IS NOT NULL")}
    assert people and streets
    assert not [street for street in streets if street.split(", ", 1)[-1] in people]


def test_personal_data_is_in_each_named_place(seeded):
    dsn, _ = seeded
    with psycopg.connect(dsn) as conn:
        # employees: every private field filled
        for column in (
            "private_street",
            "private_email",
            "private_phone",
            "birthday",
            "ssnid",
            "passport_id",
            "place_of_birth",
            "emergency_contact",
            "emergency_phone",
            "bank_account_id",
            "work_contact_id",
            "private_car_plate",
            "pin",
            "barcode",
        ):
            assert one(conn, f"SELECT count(*) FROM hr_employee WHERE {column} IS NULL") == 0, column
        assert one(conn, "SELECT count(*) FROM hr_employee WHERE spouse_complete_name IS NOT NULL") > 0
        # users: hashed passwords, TOTP secrets, signatures, API keys
        assert one(conn, "SELECT count(*) FROM res_users WHERE password LIKE '$pbkdf2-sha512$%'") >= 20
        assert one(conn, "SELECT count(*) FROM res_users WHERE totp_secret ~ '^[A-Z2-7]{32}$'") > 5
        assert one(conn, "SELECT count(*) FROM res_users WHERE signature LIKE '%Mobile +44%'") > 5
        assert (
            one(conn, "SELECT count(*) FROM res_users_apikeys WHERE length(index) = 8 AND key LIKE '$pbkdf2-sha512$6000$%'") >= 2
        )
        # bank accounts with valid IBANs
        for (iban,) in conn.execute("SELECT acc_number FROM res_partner_bank ORDER BY id LIMIT 200"):
            IBAN(iban)  # raises on a bad checksum or layout
        # money and history
        assert one(conn, "SELECT count(*) FROM hr_contract WHERE wage > 1000 AND notes LIKE '%GB%'") == 50
        assert one(conn, "SELECT count(*) FROM hr_payslip WHERE net_wage > 0 AND name LIKE 'Salary Slip - %'") == 600
        assert (
            one(
                conn,
                "SELECT count(*) FROM mail_tracking_value v JOIN ir_model_fields f ON f.id = v.field_id "
                "WHERE f.name = 'wage' AND v.old_value_float > 0 AND v.old_value_float < v.new_value_float",
            )
            == 50
        )
        assert (
            one(
                conn,
                "SELECT count(*) FROM mail_tracking_value v JOIN ir_model_fields f ON f.id = v.field_id "
                "WHERE f.name = 'private_street' AND v.old_value_char IS NOT NULL",
            )
            > 10
        )
        # free text holding personal data
        iban, name = conn.execute(
            "SELECT b.acc_number, e.name FROM hr_employee e JOIN res_partner_bank b ON b.id = e.bank_account_id WHERE e.id = 1"
        ).fetchone()
        spaced = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        assert one(conn, "SELECT count(*) FROM mail_mail WHERE body_html LIKE %s", f"%{spaced}%") == 1
        assert one(conn, "SELECT count(*) FROM mail_message WHERE body LIKE %s", f"%{name.split()[0]}%") > 0
        assert one(conn, "SELECT count(*) FROM mail_mail WHERE state = 'outgoing' AND email_to LIKE '%@%'") == 50
        assert (
            one(conn, "SELECT count(*) FROM account_move WHERE narration LIKE '%Retention%' AND narration ~ 'GB[0-9]{2}'") > 100
        )
        assert one(conn, "SELECT count(*) FROM project_task WHERE description ~ '\\+44 7[0-9]{3} [0-9]{6}'") == 360
        assert (
            one(
                conn,
                "SELECT count(*) FROM ir_attachment WHERE res_model = 'hr.payslip' AND index_content LIKE %s",
                "%NI number: %",
            )
            == 600
        )


def test_integrations_are_live_like_production(seeded):
    dsn, _ = seeded
    with psycopg.connect(dsn) as conn:
        assert (
            one(
                conn,
                "SELECT count(*) FROM ir_mail_server WHERE active AND smtp_pass IS NOT NULL AND smtp_host NOT IN ('localhost', 'invalid')",
            )
            == 2
        )
        assert (
            one(conn, 'SELECT count(*) FROM fetchmail_server WHERE active AND password IS NOT NULL AND "user" IS NOT NULL') == 1
        )
        assert (
            one(
                conn,
                "SELECT count(*) FROM ir_cron c JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id "
                "WHERE d.module = 'base' AND d.name = 'autovacuum_job' AND c.active",
            )
            == 1
        )
        assert one(conn, "SELECT count(*) FROM ir_cron WHERE active") >= 8
        assert (
            one(conn, "SELECT count(*) FROM payment_provider WHERE state = 'enabled' AND stripe_secret_key LIKE 'sk_live_%'") == 1
        )
        assert one(conn, "SELECT count(*) FROM delivery_carrier WHERE prod_environment AND fedex_developer_key IS NOT NULL") == 1
        assert one(conn, "SELECT count(*) FROM ir_act_server WHERE state = 'webhook' AND webhook_url LIKE 'https://%'") == 2
        assert one(conn, "SELECT count(*) FROM iap_account WHERE account_token NOT LIKE '%+disabled'") == 3
        assert one(conn, "SELECT count(*) FROM ir_ui_view WHERE key = 'web.neutralize_banner' AND NOT active") == 1
        params = dict(conn.execute("SELECT key, value FROM ir_config_parameter").fetchall())
        for key in (
            "web.base.url",
            "database.uuid",
            "database.secret",
            "database.create_date",
            "database.enterprise_code",
            "database.expiration_date",
            "report.url",
            "mail.web_push_vapid_private_key",
        ):
            assert params.get(key), key
        assert "database.is_neutralized" not in params


def test_filestore_is_laid_out_as_odoo_does(seeded):
    dsn, filestore = seeded
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT store_fname, checksum, file_size, res_model FROM ir_attachment").fetchall()
    assert len(rows) == 1036
    assert {r[3] for r in rows} == {"hr.payslip", "hr.employee", "hr.contract", "project.project", "account.move"}
    for store_fname, checksum, size, _ in rows:
        path = Path(filestore) / store_fname
        content = path.read_bytes()
        assert store_fname == f"{checksum[:2]}/{checksum}"
        assert hashlib.sha1(content).hexdigest() == checksum and len(content) == size
        assert content.startswith(b"%PDF-1.4")


def test_same_seed_same_data_other_seed_other_data(pg, run_formwork, seeded):
    dsn, _ = seeded
    for name, seed in (("again", "7"), ("other", "8")):
        result = run_formwork("seed", pg.dsn(name), "--seed", seed)
        assert result.returncode == 0, result.stderr
    try:
        with psycopg.connect(dsn) as a, psycopg.connect(pg.dsn("again")) as b, psycopg.connect(pg.dsn("other")) as c:
            for table in (
                "res_partner",
                "res_users",
                "hr_employee",
                "hr_payslip_line",
                "mail_message",
                "ir_attachment",
                "ir_config_parameter",
            ):
                assert table_digest(a, table) == table_digest(b, table), table
                assert table_digest(a, table) != table_digest(c, table), table
    finally:
        drop_database(pg, "again")
        drop_database(pg, "other")


def test_existing_database_is_refused_then_replaced(formwork_here, pg, run_formwork):
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE keepme")
    with psycopg.connect(pg.dsn("keepme"), autocommit=True) as conn:
        conn.execute("CREATE TABLE precious (x int)")
    try:
        refused = formwork_here("seed", pg.dsn("keepme"))
        assert refused.returncode == 2
        assert refused.stderr.strip().count("\n") == 0 and "'keepme' already exists" in refused.stderr
        with psycopg.connect(pg.dsn("keepme")) as conn:
            assert one(conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'precious'") == 1
        replaced = run_formwork("seed", pg.dsn("keepme"), "--replace")
        assert replaced.returncode == 0, replaced.stderr
        with psycopg.connect(pg.dsn("keepme")) as conn:
            assert one(conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'precious'") == 0
            assert one(conn, "SELECT count(*) FROM res_partner") > 9000
    finally:
        drop_database(pg, "keepme")


def test_rerun_after_a_killed_build_works(pg, run_formwork):
    """A crash leaves only the half-built `<db>__formwork_seeding`; the next run clears it and succeeds."""
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute('CREATE DATABASE "crashed__formwork_seeding"')
    with psycopg.connect(pg.dsn("crashed__formwork_seeding"), autocommit=True) as conn:
        conn.execute("CREATE TABLE res_partner (id int)")
    try:
        result = run_formwork("seed", pg.dsn("crashed"))
        assert result.returncode == 0, result.stderr
        with psycopg.connect(pg.dsn()) as conn:
            names = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        assert "crashed" in names and "crashed__formwork_seeding" not in names
    finally:
        drop_database(pg, "crashed")


def test_filestore_on_s3_through_the_default_credential_chain(pg, run_formwork, s3_server, s3_bucket):
    env = {
        "AWS_ENDPOINT_URL": s3_server.endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    try:
        result = run_formwork("seed", pg.dsn("s3seeded"), "--filestore", f"s3://{s3_bucket}/filestore/prod", env=env)
        assert result.returncode == 0, result.stderr
        client = boto3.client(
            "s3",
            endpoint_url=s3_server.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )
        keys = [
            o["Key"]
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=s3_bucket, Prefix="filestore/prod/")
            for o in page.get("Contents", [])
        ]
        with psycopg.connect(pg.dsn("s3seeded")) as conn:
            expected = {f"filestore/prod/{r[0]}" for r in conn.execute("SELECT store_fname FROM ir_attachment")}
        assert set(keys) == expected
    finally:
        drop_database(pg, "s3seeded")


def test_the_flow_run_leaves_a_report(seeded, prefect_api):
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["seed-report"])))
    # Other tests (the real-Odoo fixture) seed on the same server: pick this database's report.
    ours = [a for a in artifacts if f"`{seeded[0]}`" in a.data]
    assert ours and "| res_partner |" in ours[0].data and "Personal data to mask" in ours[0].data


def test_bad_input_is_refused_before_anything_is_created(formwork_here, pg):
    result = formwork_here("seed", pg.dsn("never"), "--filestore", "ftp://x/y")
    assert result.returncode == 2 and "unsupported URL scheme 'ftp'" in result.stderr
    result = formwork_here("seed", "mysql://localhost/never")
    assert result.returncode == 2 and "DSN 'mysql://localhost/never'" in result.stderr
    with psycopg.connect(pg.dsn()) as conn:
        assert one(conn, "SELECT count(*) FROM pg_database WHERE datname LIKE 'never%'") == 0
