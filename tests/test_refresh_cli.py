"""`formwork refresh` between two real servers: production on one, staging on the other."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid

import psycopg
import pytest

from blocks.odoo_environment import OdooEnvironment
from formwork.postgres_cluster import free_port
from tests.support import rest
from tests.support.cli import FORMWORK, checkout_env
from tests.support.clusters import drop_database
from tests.support.env_add import env_add
from tests.support.slots import free_slots_of_killed_runs
from tests.test_mask_cli import SALT_ENV, one_line
from tests.test_release_promote import runs_and_reports

DIGEST = (
    "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (SELECT format('%s:%s', c.relname, "
    "(xpath('/row/n/text()', query_to_xml(format('SELECT md5(string_agg(t::text, '','' ORDER BY t::text)) AS n FROM %I t', c.relname), false, true, '')))[1]::text) AS x "
    "FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace) d"
)


@pytest.fixture
def pair(pg, pg_other, seeded_source, prefect_api, tmp_path):
    """(prod, staging, staging's database): production on one server, an existing staging on the other."""
    source, source_files = seeded_source
    prod, staging, db = f"p-{uuid.uuid4().hex[:6]}", f"s-{uuid.uuid4().hex[:6]}", f"stg_{uuid.uuid4().hex[:6]}"
    env_add(prod, pg.dsn(source), source_files, "--production")
    env_add(staging, pg_other.dsn(db), tmp_path / "filestore" / db, "--base-url", "https://staging.example.com")
    with psycopg.connect(pg_other.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db}"')
    with psycopg.connect(pg_other.dsn(db)) as conn:
        conn.execute("CREATE TABLE marker AS SELECT 'the old staging' AS text")
    yield prod, staging, db
    with psycopg.connect(pg_other.dsn(), autocommit=True) as admin:
        for (name,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (db + "%",)).fetchall():
            drop_database(pg_other, name)


def in_background(prefect_api, tmp_path, *args: str) -> subprocess.Popen:
    env = {**os.environ, **SALT_ENV, "PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    return subprocess.Popen(
        [*FORMWORK, *args],
        env=checkout_env(env),
        cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def databases(pg_other, db: str) -> set[str]:
    with psycopg.connect(pg_other.dsn(), autocommit=True) as admin:
        return {n for (n,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (db + "%",))}


def marker(cluster, db: str) -> str:
    with psycopg.connect(cluster.dsn(db)) as conn:
        return conn.execute("SELECT text FROM marker").fetchone()[0]


def latest_report(prefect_api, key: str = "refresh-report") -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), sort=ArtifactSort.CREATED_DESC, limit=1
        )
    return found[0].data


def test_refresh_between_servers_then_rollback(
    pg, pg_other, seeded_source, pair, run_formwork, formwork_here, prefect_api, tmp_path
):
    (prod, staging, db), source = pair, seeded_source[0]
    (tmp_path / "filestore" / db).mkdir(parents=True)
    (tmp_path / "filestore" / db / "old-file").write_text("old")
    with psycopg.connect(pg.dsn(source)) as conn:
        before = conn.execute(DIGEST).fetchone()[0]
    done = run_formwork("refresh", prod, staging, "--yes", "--change", "CR-42", env=SALT_ENV, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"refresh {prod} -> {staging}: done" in done.stdout
    with psycopg.connect(pg.dsn(source)) as conn:
        assert conn.execute(DIGEST).fetchone()[0] == before  # production only read
    with psycopg.connect(pg_other.dsn(db)) as new, psycopg.connect(pg.dsn(source)) as original:
        assert (
            new.execute("SELECT count(*) FROM res_partner").fetchone()
            == original.execute("SELECT count(*) FROM res_partner").fetchone()
        )
        assert (
            new.execute("SELECT name FROM hr_employee WHERE id = 1").fetchone()
            != original.execute("SELECT name FROM hr_employee WHERE id = 1").fetchone()
        )
        assert (
            new.execute("SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'").fetchone()[0]
            == "https://staging.example.com"
        )
    assert formwork_here("rewire", "check", staging).returncode == 0
    report = latest_report(prefect_api)
    for expected in (
        "Approved by",
        "CR-42",
        "## Masked",
        "hr_employee",
        "## Rewired endpoints",
        "ir_mail_server",
        "space checked",
    ):
        assert expected in report, expected
    assert marker(pg_other, f"{db}__prev") == "the old staging"
    assert (tmp_path / "filestore" / f"{db}__prev" / "old-file").exists()
    assert len(list((tmp_path / "filestore" / db).rglob("*"))) > 100
    # The copy says where it came from: `formwork status` shows the refresh (formwork.posture reads its record).
    [posture] = json.loads(formwork_here("status", staging, "--json").stdout)
    refreshed = posture["last_refresh"]
    assert (refreshed["source"], refreshed["change"]) == (prod, "CR-42") and refreshed["approver"], refreshed
    assert refreshed["leak_check"].startswith("passed: ") and refreshed["rules"].startswith("odoo17.yaml@"), refreshed

    rolled = formwork_here("refresh", "rollback", staging)
    assert rolled.returncode == 0, rolled.stderr
    assert marker(pg_other, db) == "the old staging"
    assert (tmp_path / "filestore" / db / "old-file").exists()
    assert f"{staging}: previous copy swapped back in (the replaced one is now {db}__prev)" in rolled.stdout
    [(state, rollback_report)] = runs_and_reports(prefect_api, f"refresh-rollback-{staging}", "refresh-rollback-report")
    assert state == "COMPLETED" and f"**refresh rollback of {staging}: done**" in rollback_report, rollback_report
    assert f"rolled back from | database `{db}` (refresh run " in rollback_report and f"swapped in as `{db}`" in rollback_report


def test_production_target_and_the_source_itself_are_refused(formwork_here, pg, seeded_source, tmp_path):
    source, source_files = seeded_source
    prod, alias, other_prod = (f"{kind}-{uuid.uuid4().hex[:6]}" for kind in ("p", "a", "q"))
    env_add(alias, f"postgresql://postgres@localhost:{pg.port}/{source}", tmp_path / "fs-a")  # before prod, which refuses it
    env_add(prod, pg.dsn(source), source_files, "--production")
    env_add(other_prod, pg.dsn("postgres"), tmp_path / "fs-q", "--production")
    refused = formwork_here("refresh", prod, other_prod, "--yes")
    assert refused.returncode == 2 and "is flagged production: Formwork never writes to production" in one_line(refused)
    itself = formwork_here("refresh", prod, alias, "--yes")
    assert itself.returncode == 2, itself.stderr[-2000:]
    assert f"database '{source}' is the database of production environment '{prod}'" in one_line(
        itself
    )  # by identity, not address


def test_a_rejected_approval_fails_the_run_with_the_reason_and_the_target_untouched(
    pg_other, pair, prefect_api, run_formwork, tmp_path
):
    prod, staging, db = pair
    waiting = in_background(prefect_api, tmp_path, "refresh", prod, staging)
    with rest.prefect(prefect_api) as api:
        paused = None
        for _ in range(120):
            runs = api.post("/flow_runs/filter", json={"flow_runs": {"name": {"any_": [f"refresh-{prod}-to-{staging}"]}}}).json()
            paused = next((r for r in runs if r["state"]["type"] == "PAUSED"), None)
            if paused:
                break
            time.sleep(0.5)
        assert paused, "the run never paused for approval: " + (
            waiting.communicate(timeout=60)[1][-3000:] if waiting.poll() is not None else "still running"
        )
        description = f"/flow_runs/{paused['id']}/input/{paused['state']['state_details']['run_input_keyset']['description']}"
        for _ in range(40):  # Prefect saves the form a moment after it marks the run paused
            if (described := api.get(description)).status_code == 200:
                break
            time.sleep(0.25)
        assert "will be replaced" in described.text
    rejected = run_formwork(
        "reject", paused["id"], "--reason", "not during month-end close", "--approver", "alice", "--change", "CR-7"
    )
    assert rejected.returncode == 0, rejected.stderr[-2000:]
    why = f"refresh {prod} -> {staging}: rejected by alice (CR-7): not during month-end close; target untouched"
    assert f"failed as asked: {why}" in rejected.stdout
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 1 and why in err, err[-2000:]
    assert databases(pg_other, db) == {db} and marker(pg_other, db) == "the old staging"  # nothing cloned, nothing swapped


def test_a_run_killed_mid_restore_leaves_staging_usable_and_the_next_run_succeeds(
    pg_other, pair, run_formwork, prefect_api, tmp_path
):
    prod, staging, db = pair
    running = in_background(prefect_api, tmp_path, "refresh", prod, staging, "--yes")
    for _ in range(1200):
        if databases(pg_other, db) - {db}:
            break
        time.sleep(0.05)
    assert databases(pg_other, db) - {db}, "the restore never started"
    time.sleep(0.3)  # well inside pg_restore
    os.killpg(running.pid, signal.SIGKILL)
    running.communicate(timeout=30)
    free_slots_of_killed_runs()  # what the repossessor does once the killed run's lease runs out
    assert marker(pg_other, db) == "the old staging"
    again = run_formwork("refresh", prod, staging, "--yes", env=SALT_ENV, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert databases(pg_other, db) == {db, f"{db}__prev"}  # the killed run's leftover is gone
    assert marker(pg_other, f"{db}__prev") == "the old staging"


def test_a_refresh_from_a_backup_never_reaches_production(
    formwork_here, pg, pg_other, seeded_source, pair, run_formwork, tmp_path
):
    (_, staging, db), (source, files) = pair, seeded_source
    unreachable = f"u-{uuid.uuid4().hex[:6]}"
    env_add(unreachable, pg.dsn(source), files, "--production", "--backup-store", f"file://{tmp_path}/backups")
    taken = formwork_here("backup", unreachable)
    assert taken.returncode == 0, taken.stderr[-2000:]
    # The same environment and backups, but production itself is down: nothing listens on its port.
    recorded = OdooEnvironment.load(unreachable).db_identity
    assert formwork_here("env", "remove", unreachable).returncode == 0
    env_add(
        unreachable,
        f"postgresql://postgres@127.0.0.1:{free_port()}/{source}",
        files,
        "--production",
        "--backup-store",
        f"file://{tmp_path}/backups",
    )
    block = OdooEnvironment.load(unreachable)  # as if added while it was up: the production guard knows it by identity
    block.db_identity = recorded
    block.save(unreachable, overwrite=True)

    done = run_formwork("refresh", unreachable, staging, "--yes", "--from-backup", "latest", env=SALT_ENV, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"restored backup {taken.stdout.split()[-1]}" in done.stdout and "production was not read" in done.stdout
    with psycopg.connect(pg_other.dsn(db)) as new, psycopg.connect(pg.dsn(source)) as original:
        assert (
            new.execute("SELECT count(*) FROM res_partner").fetchone()
            == original.execute("SELECT count(*) FROM res_partner").fetchone()
        )
        assert (
            new.execute("SELECT name FROM hr_employee WHERE id = 1").fetchone()
            != original.execute("SELECT name FROM hr_employee WHERE id = 1").fetchone()
        )
    assert formwork_here("rewire", "check", staging).returncode == 0
    assert (tmp_path / "filestore" / db).is_dir() and any((tmp_path / "filestore" / db).rglob("*"))

    missing = formwork_here("refresh", unreachable, staging, "--yes", "--from-backup", "20990101T000000Z-000000")
    assert missing.returncode == 2 and "--backup '20990101T000000Z-000000': no such complete backup" in one_line(missing)
