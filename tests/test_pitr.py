"""Point-in-time recovery with real PostgreSQL and pgBackRest: archive, drill to a moment between two
writes, a gap in the archive, and the freshness alert when archiving stops.

One archiving cluster for the module (seeded Odoo database, local repository, one
full backup); segment switches are forced in their own transaction, never waited for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import HTTPServer
from pathlib import Path

import psycopg
import pytest

from formwork import environments
from formwork.environments import EnvironmentSpec
from formwork.errors import OperationError
from tests.support.seeded import seed
from tests.test_backup_drill import Receiver
from tests.test_refresh_cli import latest_report


@pytest.fixture(scope="module")
def hook():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def protected(clusters, prefect_api, hook, tmp_path_factory):
    """A tier-1 production environment on its own cluster, archiving to a local pgBackRest repository, one full backup taken."""
    from flows.backup import backup
    from flows.pitr_setup import pitr_setup
    from formwork.pitr import protection

    if shutil.which("pgbackrest") is None:
        subprocess.run([str(Path(__file__).resolve().parent.parent / "tools" / "ensure-pgbackrest.sh")], check=False)
        if shutil.which("pgbackrest") is None:
            pytest.skip("pgbackrest not found and tools/ensure-pgbackrest.sh could not install it")
    cluster = clusters.start(f"pitr-{uuid.uuid4().hex[:6]}")
    files = tmp_path_factory.mktemp("pitr-filestore")
    seed(cluster, "erp", files)
    with psycopg.connect(cluster.dsn("erp"), autocommit=True) as conn:
        conn.execute("CREATE TABLE ledger (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())")
    name = f"t1-{uuid.uuid4().hex[:6]}"
    environments.add(EnvironmentSpec(name, cluster.dsn("erp"), filestore=f"file://{files}", tier=1, production=True,
                                     alert_webhook=f"http://127.0.0.1:{hook.server_port}/hook-secret"))
    repo = Path(clusters.base) / f"{name}-repo"
    protection.declare(name, environments.load(name), repo=f"file://{repo}", stanza=None, pg_data=None, config_path=None, managed=True)
    assert "archive_mode" in pitr_setup(environment=name)  # the restart it needed happened
    backup(environment=name, kind="pgbackrest")  # the schedule calls for a full one first
    return name, cluster, repo


def write(cluster, n: int) -> datetime:
    with psycopg.connect(cluster.dsn("erp"), autocommit=True) as conn:
        return conn.execute("INSERT INTO ledger (n) VALUES (%s) RETURNING at", (n,)).fetchone()[0]


def server_now(cluster) -> datetime:
    with psycopg.connect(cluster.dsn("erp"), autocommit=True) as conn:
        return conn.execute("SELECT clock_timestamp()").fetchone()[0]


def switch_and_wait(cluster, timeout: float = 30) -> str:
    """Close the current segment (its own transaction: the commits before it are in it) and wait until it is archived."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        segment = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            archived = conn.execute("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").fetchone()[0]
            if archived >= segment:
                return segment
            time.sleep(0.1)
    raise AssertionError(f"segment {segment} was not archived within {timeout} s")


def test_drill_to_a_moment_between_two_writes_finds_exactly_the_rows_committed_before_it(protected, prefect_api):
    from flows.dr_drill import dr_drill

    name, cluster, _ = protected
    first = write(cluster, 1)
    time.sleep(0.3)
    between = server_now(cluster)
    time.sleep(0.3)
    second = write(cluster, 2)
    switch_and_wait(cluster)
    assert first < between < second

    result = dr_drill(environment=name, target_time=between.isoformat())
    assert result.passed, result.summary()
    assert result.tables["ledger"] == 1  # row 1 committed before the point, row 2 after
    assert result.last_transaction is not None and first <= result.last_transaction < between
    assert result.rpo < result.rpo_target and result.rto is not None and result.rto < result.rto_target
    report = latest_report(prefect_api, "drill-report")
    for check in ("WAL archive continuous", "row counts at that point", "isolated (nothing live)", "foreign keys valid",
                  "filestore objects present", "Odoo sanity", "RPO within target", "RTO within target"):
        assert f"| {check} | pass |" in report, check
    assert not list(Path("/var/tmp").glob("formwork-pitr-drill-*")), "the scratch server was not removed"


def formwork(capsys, *args: str) -> tuple[int, str, str]:
    """The command line in this process (same Prefect server), as a user would type it."""
    from formwork.cli.main import main

    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_lists_and_refuses_bad_input_from_the_command_line(protected, capsys):
    name, _, _ = protected
    code, out, err = formwork(capsys, "pitr", "check", name)
    assert code == 0 and "pgbackrest check passed; " in out and f"{name}: newest archived WAL 0000000" in out, out + err
    code, out, err = formwork(capsys, "backups", "list", name)
    assert code == 0 and "PGBACKREST LABEL" in out and "F " in out and " full " in out, out + err
    code, out, err = formwork(capsys, "drill", name, "--target-time", "yesterday-ish")
    assert code == 2 and "--target-time 'yesterday-ish'" in err, err
    code, out, err = formwork(capsys, "drill", name, "--target-time", "2001-01-01T00:00:00Z")
    assert code == 2 and "outside the retention window" in err, err
    code, out, err = formwork(capsys, "pitr", "setup", name, "--repo", "ftp://nowhere/repo")
    assert code == 2 and "--repo 'ftp://nowhere/repo'" in err, err


def test_a_segment_missing_from_the_archive_fails_the_drill_naming_it(protected, hook):
    from flows.dr_drill import dr_drill
    from formwork.pitr import backups, pgbackrest, protection

    name, cluster, repo = protected
    write(cluster, 3)
    switch_and_wait(cluster)
    write(cluster, 4)
    switch_and_wait(cluster)
    base = backups.from_info(pgbackrest.info(protection.load(name)))[-1]
    archived = sorted(p for p in repo.glob("archive/*/*/*/*.gz") if p.name[:24] > base.wal_start)
    victim = archived[-2]
    aside = victim.with_suffix(".aside")
    shutil.move(victim, aside)
    try:
        with pytest.raises(OperationError) as failed:
            dr_drill(environment=name, target_time="latest")
    finally:
        shutil.move(aside, victim)
    assert f"segment {victim.name[:24]} missing from the archive" in str(failed.value), str(failed.value)
    assert Receiver.received and Receiver.received[-1]["drill"]["passed"] is False


def test_the_rpo_alert_fires_when_archiving_stops(protected, hook, prefect_api):
    from flows.pitr_setup import pitr_setup
    from flows.pitr_watch import pitr_watch

    name, cluster, repo = protected
    assert not pitr_watch(environment=name).at_risk  # archiving works: nothing to say
    before = len(Receiver.received)
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET archive_command = '/bin/false'")  # archiving stops
        conn.execute("SELECT pg_reload_conf()")
    try:
        write(cluster, 5)
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            conn.execute("SELECT pg_switch_wal()")
        # The RPO target is 15 minutes: let the archive's newest segment be 20 minutes old, as if they had passed.
        aged = (datetime.now(UTC) - timedelta(minutes=20)).timestamp()
        for segment in repo.glob("archive/*/*/*/*"):
            os.utime(segment, (aged, aged))
        found = pitr_watch(environment=name)
    finally:
        pitr_setup(environment=name)  # puts archive_command back
    assert found.at_risk and found.unarchived_bytes > 0, found.summary()
    assert len(Receiver.received) == before + 1
    sent = Receiver.received[-1]
    assert sent["environment"] == name and sent["age_seconds"] > 15 * 60 and "WAL archive behind" in sent["text"]
    assert "hook-secret" not in json.dumps(sent) and "AT RISK" in latest_report(prefect_api, "pitr-watch-report")
