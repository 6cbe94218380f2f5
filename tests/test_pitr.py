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
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from blocks import catalogue
from formwork.environments import EnvironmentSpec
from formwork.errors import OperationError
from tests.support.cli import command_line as formwork
from tests.support.seeded import seed
from tests.support.webhook import WebhookReceiver
from tests.test_refresh_cli import latest_report


@pytest.fixture(scope="module")
def hook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def protected(clusters, prefect_api, hook, tmp_path_factory):
    """A tier-1 production environment on its own cluster, archiving to a local pgBackRest repository, one full backup taken."""
    from blocks import pitr_protection as protection
    from flows.backup import backup
    from flows.pitr_setup import pitr_setup

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
    catalogue.add(
        EnvironmentSpec(
            name, cluster.dsn("erp"), filestore=f"file://{files}", tier=1, production=True, alert_webhook=hook.url("/hook-secret")
        )
    )
    repo = Path(clusters.base) / f"{name}-repo"
    protection.declare(
        name, catalogue.load(name), repo=f"file://{repo}", stanza=None, pg_data=None, config_path=None, managed=True
    )
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
    time.sleep(1.1)  # pgBackRest restores from the second after the base backup's stop second: the point must lie past it
    first = write(cluster, 1)
    time.sleep(0.3)
    between = server_now(cluster)
    time.sleep(0.3)
    second = write(cluster, 2)
    switch_and_wait(cluster)
    assert first < between < second

    leftover = Path(f"/var/tmp/formwork-pitr-drill-{name}.killed")  # from a drill killed earlier
    (leftover / "data").mkdir(parents=True)
    result = dr_drill(environment=name, target_time=between.isoformat())
    assert result.passed, result.summary()
    assert not leftover.exists()
    assert result.tables["ledger"] == 1  # row 1 committed before the point, row 2 after
    assert result.last_transaction is not None and first <= result.last_transaction < between
    assert result.rpo < result.rpo_target and result.rto is not None and result.rto < result.rto_target
    report = latest_report(prefect_api, "drill-report")
    for check in (
        "WAL archive continuous",
        "row counts at that point",
        "isolated (nothing live)",
        "foreign keys valid",
        "filestore objects present",
        "Odoo sanity",
        "RPO within target",
        "RTO within target",
    ):
        assert f"| {check} | pass |" in report, check
    assert result.scratch.startswith(f"/var/tmp/formwork-pitr-drill-{name}.") and not Path(result.scratch).exists(), (
        "the scratch server was not removed"
    )


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
    from blocks import pitr_protection as protection
    from flows.dr_drill import dr_drill
    from formwork.pitr import backups, pgbackrest

    name, cluster, repo = protected
    write(cluster, 3)
    switch_and_wait(cluster)
    write(cluster, 4)
    switch_and_wait(cluster)
    base = backups.from_info(pgbackrest.info(protection.load(name)))[-1]
    archived = sorted(p for p in repo.glob("archive/*/*/*/*-*") if p.name[:24] > base.wal_start)
    victim = archived[-2]
    aside = victim.with_suffix(".aside")
    shutil.move(victim, aside)
    try:
        with pytest.raises(OperationError) as failed:
            dr_drill(environment=name, target_time="latest")
    finally:
        shutil.move(aside, victim)
    assert f"segment {victim.name[:24]} missing from the archive" in str(failed.value), str(failed.value)
    assert hook.received and hook.received[-1]["drill"]["passed"] is False


def test_the_rpo_alert_fires_when_archiving_stops(protected, hook, prefect_api):
    from flows.pitr_setup import pitr_setup
    from flows.pitr_watch import pitr_watch

    name, cluster, repo = protected
    assert not pitr_watch(environment=name).at_risk  # archiving works: nothing to say
    before = len(hook.received)
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
    assert len(hook.received) == before + 1
    sent = hook.received[-1]
    assert sent["environment"] == name and sent["age_seconds"] > 15 * 60 and "WAL archive behind" in sent["text"]
    assert "hook-secret" not in json.dumps(sent) and "AT RISK" in latest_report(prefect_api, "pitr-watch-report")


def test_an_s3_repository_takes_the_bucket_settings_and_prints_its_keys_redacted(prefect_api):
    from pydantic import SecretStr

    from blocks.pitr_protection import PitrProtection, open_repo
    from blocks.s3_store import S3Store
    from blocks.stores import s3_block_name
    from formwork.pitr import config

    bucket = f"pitr-{uuid.uuid4().hex[:8]}"
    S3Store(
        bucket=bucket,
        endpoint_url="https://127.0.0.1:5443",
        region="eu-west-2",
        access_key_id=SecretStr("AKIDPITR"),
        secret_access_key=SecretStr("s3cr3t-pitr"),
    ).save(s3_block_name(bucket), overwrite=True)
    declared = PitrProtection(
        stanza="erp", repo_url=f"s3://{bucket}/pgbackrest/erp", pg_data="/srv/pg/data", config_path="/srv/pg/pgbr/pgbackrest.conf"
    )
    repo = open_repo(declared.repo_url)
    shown, written = (
        config.render(declared, repo, 5432, None, redact=True),
        config.render(declared, repo, 5432, None, redact=False),
    )
    for line in (
        "repo1-type=s3",
        f"repo1-s3-bucket={bucket}",
        "repo1-path=/pgbackrest/erp",
        "repo1-s3-endpoint=127.0.0.1",
        "repo1-storage-port=5443",
        "repo1-s3-region=eu-west-2",
        "repo1-s3-uri-style=path",
        "repo1-storage-verify-tls=n",
    ):
        assert line in shown.splitlines() and line in written.splitlines(), line
    assert "s3cr3t-pitr" not in shown and "AKIDPITR" not in shown and "repo1-s3-key-secret=********" in shown
    assert "repo1-s3-key-secret=s3cr3t-pitr" in written and "repo1-s3-key=AKIDPITR" in written


def test_targets_schedule_and_gaps_follow_the_repository():
    import random

    from blocks.pitr_protection import PitrProtection
    from formwork.errors import InputError
    from formwork.pitr import archive, backups, target

    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

    def taken(label: str, kind: str, hours_ago: float) -> backups.PhysicalBackup:
        at = now - timedelta(hours=hours_ago)
        return backups.PhysicalBackup(
            label, kind, at - timedelta(minutes=5), at, 1, 1, "000000010000000000000010", "000000010000000000000011"
        )

    found = [taken("F1", "full", 200), taken("D1", "diff", 30), taken("I1", "incr", 2)]
    declared = PitrProtection(stanza="s", repo_url="file:///r", pg_data="/d", config_path="/c/p.conf")
    assert backups.next_kind([], now, declared) == "full"
    assert backups.next_kind(found, now, declared) == "full"  # the full is older than 7 days
    assert backups.next_kind(found[:0] + [taken("F2", "full", 30), taken("I2", "incr", 1)], now, declared) == "diff"
    assert backups.next_kind([taken("F2", "full", 3)], now, declared) == "incr"

    picks = [target.choose("random", found, now - timedelta(minutes=1), now, rng=random.Random(seed)).at for seed in range(20)]
    assert all(found[0].stopped_at <= at <= now - timedelta(minutes=1) for at in picks) and len(set(picks)) == 20
    assert backups.base_for(found, now - timedelta(hours=10)).label == "D1"
    just_after = found[0].stopped_at + timedelta(milliseconds=500)  # pgBackRest refuses a target in the backup's stop second
    with pytest.raises(InputError, match="outside the retention window"):
        target.choose(just_after.isoformat(), found, now, now)
    assert backups.base_for(found, just_after) is None
    assert target.choose((found[0].stopped_at + timedelta(seconds=1)).isoformat(), found, now, now).at == found[0].restorable_from
    given = target.choose("2026-03-10T11:00:00", found, now, now)
    assert (
        given.at == datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
        and given.pgbackrest_options()[1] == "--target=2026-03-10 11:00:00.000+00"
    )
    for bad, why in (
        ("2026-03-01T00:00:00Z", "outside the retention window"),
        ("2026-03-11T00:00:00Z", "in the future"),
        ("soon", "expected an ISO time"),
    ):
        with pytest.raises(InputError, match=why):
            target.choose(bad, found, now, now)

    names = [
        "0000000100000000000000FE",
        "000000010000000100000000",
        "000000010000000100000002",
    ]  # 256 segments (00-FF) per log at 16 MB
    assert archive.gaps(names, "0000000100000000000000FE", "000000010000000100000002") == [
        "0000000100000000000000FF",
        "000000010000000100000001",
    ]


def test_archive_and_point_in_time_restore_through_s3_behind_tls(clusters, prefect_api, s3_server, s3_bucket):
    """pgBackRest speaks HTTPS only: moto behind an nginx TLS proxy, settings from the bucket's saved block."""
    from pydantic import SecretStr

    from blocks import pitr_protection as protection
    from blocks.s3_store import S3Store
    from blocks.stores import s3_block_name
    from flows.backup import backup
    from flows.pitr_setup import pitr_setup
    from formwork.pitr import scratch
    from formwork.pitr.target import RecoveryTarget
    from tests.support.s3 import ACCESS_KEY, SECRET_KEY
    from tests.support.tls_proxy import TlsProxy, nginx_binary

    if nginx_binary() is None:
        pytest.skip("nginx not installed (apt-get install nginx-light)")
    proxy = TlsProxy(s3_server.port)
    cluster = clusters.start(f"pitr-s3-{uuid.uuid4().hex[:6]}")
    try:
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE erp")
        with psycopg.connect(cluster.dsn("erp"), autocommit=True) as conn:
            conn.execute("CREATE TABLE ledger (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())")
        S3Store(
            bucket=s3_bucket,
            endpoint_url=proxy.endpoint,
            access_key_id=SecretStr(ACCESS_KEY),
            secret_access_key=SecretStr(SECRET_KEY),
        ).save(s3_block_name(s3_bucket), overwrite=True)
        name = f"s3-{uuid.uuid4().hex[:6]}"
        catalogue.add(EnvironmentSpec(name, cluster.dsn("erp"), tier=1))
        declared = protection.declare(
            name,
            catalogue.load(name),
            repo=f"s3://{s3_bucket}/pgbackrest",
            stanza=None,
            pg_data=None,
            config_path=None,
            managed=True,
        )
        assert "pgbackrest check passed" in pitr_setup(environment=name)
        assert backup(environment=name, kind="full").kind == "full"
        time.sleep(1.1)  # a target must lie after the backup's stop second (PhysicalBackup.restorable_from)
        write(cluster, 1)
        time.sleep(0.3)
        between = server_now(cluster)
        time.sleep(0.3)
        write(cluster, 2)
        switch_and_wait(cluster)

        restored = scratch.new_cluster(name)
        try:
            scratch.restore(declared, RecoveryTarget(between, "given"), restored)
            server = scratch.start(restored, "postgres", 120)
            with psycopg.connect(**server.on("erp").kwargs()) as conn:
                assert [n for (n,) in conn.execute("SELECT n FROM ledger ORDER BY n")] == [1]
        finally:
            scratch.remove(restored)
    finally:
        cluster.stop()  # while the proxy is up: a stopping server archives its last segment
        proxy.stop()
