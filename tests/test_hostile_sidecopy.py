"""The unmasked copy is never live, and production's capability tokens never reach a copy.

While a refresh builds its copy only Formwork may connect to it (Odoo's role may not),
the unmasked dump sits in a private folder, and a run killed with SIGKILL leaves nothing
the next run does not remove. Access tokens and sign-up links are regenerated in every
copy, so a reader of staging cannot open production's documents.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import tempfile
import time
import uuid

import psycopg
import pytest

from formwork.errors import OperationError
from formwork.refresh import access, dump_folder
from formwork.refresh.swap import building_name, drop, previous_name, swap_in
from formwork.rewiring.engine import Rewirer, Settings
from formwork.rewiring.rules import DEFAULT_RULES, load_rules
from tests.support.clusters import drop_database
from tests.support.env_add import env_add
from tests.support.odoo_base import BASE_TABLES, base_tables, installed
from tests.support.slots import free_slots_of_killed_runs
from tests.test_mask_cli import SALT_ENV
from tests.test_refresh_cli import databases, in_background, latest_report, marker

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
# Where production keeps capability tokens (column, table); the seed leaves them empty, so the test plants them.
TOKENS = [
    ("access_token", "ir_attachment"),
    ("access_token", "account_move"),
    ("access_token", "project_task"),
    ("signup_token", "res_partner"),
]


def tokens(conn: psycopg.Connection) -> dict[str, set[str]]:
    return {
        table: {v for (v,) in conn.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")}
        for column, table in TOKENS
    }


def can_connect(cluster, role: str, db: str) -> bool:
    try:
        with psycopg.connect(f"postgresql://{role}@127.0.0.1:{cluster.port}/{db}"):
            return True
    except psycopg.OperationalError as exc:
        assert f'permission denied for database "{db}"' in str(exc), str(exc)
        return False


@pytest.fixture
def role(pg, pg_other):
    """A login role like Odoo's, other than Formwork's; made on both servers, dropped afterwards."""
    name = f"odoo_{uuid.uuid4().hex[:8]}"
    for cluster in (pg, pg_other):
        with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
            admin.execute(f'CREATE ROLE "{name}" LOGIN')
    yield name
    for cluster in (pg, pg_other):
        with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
            admin.execute(f'DROP OWNED BY "{name}"')
            admin.execute(f'DROP ROLE "{name}"')


@pytest.fixture
def estate(pg, pg_other, seeded_source, run_formwork, tmp_path, monkeypatch):
    """(prod, staging, staging's database, production's database): production is a copy of the seed holding
    capability tokens, and claiming to be rewired for staging already; staging is on the other server."""
    source, files = seeded_source
    prod, staging, db, prod_db = (
        f"p-{uuid.uuid4().hex[:6]}",
        f"s-{uuid.uuid4().hex[:6]}",
        f"stg_{uuid.uuid4().hex[:6]}",
        f"ptok_{uuid.uuid4().hex[:6]}",
    )
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{prod_db}" TEMPLATE "{source}"')
    with psycopg.connect(pg.dsn(prod_db)) as conn:
        for column, table in TOKENS:
            conn.execute(f"UPDATE {table} SET {column} = gen_random_uuid()::text WHERE id % 2 = 0")
        conn.execute("UPDATE res_users SET oauth_access_token = 'ya29.' || md5(id::text)")
        conn.execute("INSERT INTO ir_config_parameter (key, value) VALUES ('formwork.rewired_for', %s)", (staging,))
    env_add(prod, pg.dsn(prod_db), files, "--production")
    env_add(staging, pg_other.dsn(db), tmp_path / "filestore" / db, "--base-url", "https://staging.example.com")
    with psycopg.connect(pg_other.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db}"')
    with psycopg.connect(pg_other.dsn(db)) as conn:
        conn.execute("CREATE TABLE marker AS SELECT 'the old staging' AS text")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the runs' dump folders, where the test can see them
    yield prod, staging, db, prod_db
    drop_database(pg, prod_db)
    for name in databases(pg_other, db):
        drop_database(pg_other, name)


def rewired_side(pg_other, db: str, running) -> str:
    """The side copy's name, once rewiring has committed (masking, one transaction, follows)."""
    for _ in range(2400):
        assert running.poll() is None, "the refresh ended early: " + running.communicate()[1][-3000:]
        for side in databases(pg_other, db) - {db}:
            try:
                with psycopg.connect(pg_other.dsn(side)) as conn:
                    if conn.execute("SELECT 1 FROM ir_config_parameter WHERE key = 'formwork.refresh_run'").fetchone():
                        return side
            except psycopg.Error:
                pass  # still being restored
        time.sleep(0.05)
    raise AssertionError("the copy was never rewired")


def test_a_run_killed_while_its_copy_is_unmasked_leaves_it_closed_and_the_next_run_removes_it(
    pg, pg_other, estate, role, run_formwork, prefect_api, tmp_path
):
    prod, staging, db, prod_db = estate
    with psycopg.connect(pg.dsn(prod_db)) as conn:
        production_tokens = tokens(conn)
        employee = conn.execute("SELECT name FROM hr_employee WHERE id = 1").fetchone()[0]
    assert can_connect(pg_other, role, db)  # Odoo's role uses staging today

    running = in_background(prefect_api, tmp_path, "refresh", prod, staging, "--yes")
    side = rewired_side(pg_other, db, running)
    assert not can_connect(pg_other, role, side)
    run_folder = tmp_path / f"formwork-{os.getuid()}" / f"refresh-{staging}" / side.rsplit("_", 1)[1]
    assert any(run_folder.rglob("toc.dat"))
    for folder in (run_folder, run_folder.parent, run_folder.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    os.killpg(running.pid, signal.SIGKILL)
    running.communicate(timeout=30)
    free_slots_of_killed_runs()  # what the repossessor does once the killed run's lease runs out

    with psycopg.connect(pg_other.dsn(side)) as conn:  # what the killed run left is production's data, unmasked...
        assert conn.execute("SELECT name FROM hr_employee WHERE id = 1").fetchone()[0] == employee
    assert not can_connect(pg_other, role, side)  # ...and still closed to Odoo
    assert marker(pg_other, db) == "the old staging" and run_folder.is_dir()

    again = run_formwork("refresh", prod, staging, "--yes", env=SALT_ENV, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"removed the dump folder {run_folder.parent}" in latest_report(prefect_api)
    assert databases(pg_other, db) == {db, previous_name(db)} and not run_folder.parent.exists()
    assert can_connect(pg_other, role, db)  # the swap opened the new copy to Odoo
    with psycopg.connect(pg_other.dsn(db)) as conn, psycopg.connect(pg.dsn(prod_db)) as original:
        assert conn.execute("SELECT name FROM hr_employee WHERE id = 1").fetchone()[0] != employee
        copied = tokens(conn)
        assert conn.execute("SELECT count(*) FROM res_users WHERE oauth_access_token IS NOT NULL").fetchone()[0] == 0
        assert tokens(original) == production_tokens  # production only read
    for table, theirs in production_tokens.items():
        assert theirs and copied[table] and not copied[table] & theirs, table
        if table != "res_partner":  # masking empties people's sign-up tokens; companies keep fresh ones
            assert len(copied[table]) == len(theirs) and all(UUID.match(t) for t in copied[table]), table


def test_the_copy_is_closed_until_the_swap_opens_it_like_the_target_it_replaces(pg, role):
    target, intruder = f"acl_{uuid.uuid4().hex[:8]}", f"{role}_x"
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{intruder}" LOGIN')
        try:
            admin.execute(f'CREATE DATABASE "{target}"')  # a hardened target: Odoo's role only
            admin.execute(f'REVOKE ALL ON DATABASE "{target}" FROM PUBLIC')
            admin.execute(f'GRANT CONNECT ON DATABASE "{target}" TO "{role}"')
            for run in ("r1", "r2"):
                access.create_closed(admin, building_name(target, run))
                assert not can_connect(pg, role, building_name(target, run))
            swap_in(admin, target, building_name(target, "r1"))
            assert can_connect(pg, role, target) and not can_connect(pg, intruder, target)
            assert can_connect(pg, role, previous_name(target))
            assert not can_connect(pg, role, building_name(target, "r2"))  # the other copy is still closed

            drop(admin, target)
            drop(admin, previous_name(target))
            swap_in(admin, target, building_name(target, "r2"))  # a first refresh: PostgreSQL's default
            assert can_connect(pg, intruder, target)
        finally:
            for (name,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (target + "%",)).fetchall():
                drop(admin, name)
            admin.execute(f'DROP ROLE "{intruder}"')


def test_a_dump_folder_others_could_read_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shared = tmp_path / f"formwork-{os.getuid()}"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    with pytest.raises(OperationError, match=f"dump folder {shared} is not private to this user .*mode 755"):
        with dump_folder.holding("staging", "run1"):
            pass
    with pytest.raises(OperationError, match="is not private"):
        dump_folder.remove_left("staging")
    assert list(shared.iterdir()) == []  # nothing written there

    shared.chmod(0o700)
    with pytest.raises(RuntimeError), dump_folder.holding("staging", "run1") as folder:
        assert stat.S_IMODE(folder.stat().st_mode) == stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
        (folder / "toc.dat").write_text("production")
        raise RuntimeError("a failed step")
    assert list(shared.iterdir()) == []  # a failed run removes its dump


SETTINGS = Settings(environment="staging", base_url="https://staging.example.com")
HAND_MADE = """
CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar UNIQUE NOT NULL, value text, create_date timestamp, write_date timestamp);
CREATE TABLE ir_attachment (id serial PRIMARY KEY, access_token varchar);
CREATE TABLE res_partner (id serial PRIMARY KEY, signup_token varchar);
CREATE TABLE res_users (id serial PRIMARY KEY, oauth_access_token varchar);
CREATE TABLE auth_totp_device (id serial PRIMARY KEY, user_id integer, key varchar);
INSERT INTO ir_attachment (access_token) VALUES ('6b1e2d3c-prod-1'), ('6b1e2d3c-prod-2'), (NULL);
INSERT INTO res_partner (signup_token) VALUES ('Sg9fK2prod'), (NULL);
INSERT INTO res_users (oauth_access_token) VALUES ('ya29.prod');
INSERT INTO auth_totp_device (user_id, key) VALUES (1, '$pbkdf2-sha512$prod');
"""


def test_capability_tokens_are_regenerated_once_per_environment(pg, database):
    with psycopg.connect(pg.dsn(database)) as conn:
        conn.execute(
            HAND_MADE + installed("auth_signup", "auth_oauth", "auth_totp") + base_tables(BASE_TABLES + ("auth_oauth_provider",))
        )
        conn.commit()
        live, _ = Rewirer(conn, load_rules([DEFAULT_RULES]), SETTINGS).check()
        assert {"attachment-links", "signup-links", "oauth-user-tokens", "trusted-devices"} <= {item.rule.name for item in live}

        report = Rewirer(conn, load_rules([DEFAULT_RULES]), SETTINGS).apply()
        assert report.live == []
        regenerated = conn.execute("SELECT access_token FROM ir_attachment ORDER BY id").fetchall()
        assert regenerated[2] == (None,) and len({t for (t,) in regenerated[:2]}) == 2
        assert all(UUID.match(t) for (t,) in regenerated[:2])
        assert UUID.match(conn.execute("SELECT signup_token FROM res_partner WHERE id = 1").fetchone()[0])
        assert conn.execute("SELECT oauth_access_token FROM res_users").fetchall() == [(None,)]
        assert conn.execute("SELECT count(*) FROM auth_totp_device").fetchone()[0] == 0

        conn.execute("INSERT INTO ir_attachment (access_token) VALUES ('shared-in-staging')")  # the copy's own link
        conn.commit()
        Rewirer(conn, load_rules([DEFAULT_RULES]), SETTINGS).apply()
        assert conn.execute("SELECT access_token FROM ir_attachment ORDER BY id").fetchall() == regenerated + [
            ("shared-in-staging",)
        ]

        dev = Rewirer(conn, load_rules([DEFAULT_RULES]), Settings(environment="dev", base_url="https://dev.example.com")).apply()
        assert dev.live == []  # a copy of staging made into dev gets tokens of its own again
        again = {t for (t,) in conn.execute("SELECT access_token FROM ir_attachment WHERE access_token IS NOT NULL")}
        assert len(again) == 3 and not again & {t for (t,) in regenerated} and "shared-in-staging" not in again
