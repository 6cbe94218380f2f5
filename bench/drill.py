"""Backup throughput and DR-drill restore time, each measured against doing the same by hand.

A backup is, at its core, `pg_dump -Fd -j2` plus a copy of the filestore; a drill is, at its
core, `pg_restore -j2` of that dump. Everything else (an exported snapshot, row counts and
attachment list in the manifest, SHA-256 of every file; verifying every file before the
restore, row-count / foreign-key / attachment / Odoo checks, rewiring, dropping the scratch
database) is what Formwork adds. So the baselines are what an operator would run:
1. backup: `pg_dump -Fd -j2` of the same database into a temp folder + shutil.copytree of the
   filestore, against the whole `backup` flow into a local (file://) backup store;
2. drill: `createdb` + `pg_restore -j2 --no-owner` of the SAME dump (the backup's
   `<id>/database` folder in the store) on the same server, against the drill's "restore"
   phase (goal ≤ 1.2×) and against the whole `dr_drill` flow (its RTO).
One run, one throwaway cluster, one seeded source database; the flows run in-process against
a temporary Prefect server (as the tests do). Scale with BENCH_SCALE (default 100).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from bench import source
from bench.cluster import throwaway_cluster
from bench.prefect_server import prefect_server
from bench.seed import timed
from bench.summary import record
from formwork.pgbin import program
from formwork.postgres_cluster import LocalCluster

GOAL = 1.2
ENVIRONMENT = "bench-prod"


def megabytes(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def baseline_backup(cluster: LocalCluster, source_files: Path, work: Path) -> float:
    """pg_dump -Fd -j2 + copytree of the filestore; returns the MB written."""
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        dump, files = Path(scratch) / "dump", Path(scratch) / "files"
        subprocess.run([program("pg_dump"), "-Fd", "-j2", "-f", str(dump), cluster.dsn("source")], check=True)
        shutil.copytree(source_files, files)
        return megabytes(dump) + megabytes(files)


def baseline_restore(cluster: LocalCluster, dump: Path) -> None:
    subprocess.run([program("createdb"), f"--maintenance-db={cluster.dsn()}", "restored"], check=True)
    subprocess.run([program("pg_restore"), "-j2", "--no-owner", "-d", cluster.dsn("restored"), str(dump)], check=True)


def drop_restored(cluster: LocalCluster) -> None:
    """Not timed: the drill starts on the same server state as the baseline did."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute('DROP DATABASE "restored"')


def main() -> None:
    scale = int(os.environ.get("BENCH_SCALE", "100"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no telemetry from the temporary server
    from blocks import catalogue
    from flows.backup import backup
    from flows.dr_drill import dr_drill
    from formwork.backup.manifest import DATABASE
    from formwork.environments import EnvironmentSpec

    with throwaway_cluster("formwork-bench-drill-") as (cluster, work):
        source_files, store = work / "files-source", work / "backups"
        source.seeded(cluster, "source", source_files, scale)
        with psycopg.connect(cluster.dsn("source")) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        files = sum(1 for p in source_files.rglob("*") if p.is_file())
        print(
            f"\nbackup and drill at --scale {scale}: {size / 1e6:.0f} MB database, {files:,} files ({megabytes(source_files):.0f} MB), one server"
        )

        with prefect_server(ENVIRONMENT):
            # Tier 3 (24 h RPO/RTO): the targets never fail the bench, which measures time, not the policy. Not
            # production: a production drill restores on a separate scratch server, and the bench has one server.
            catalogue.add(
                EnvironmentSpec(
                    ENVIRONMENT, cluster.dsn("source"), filestore=f"file://{source_files}", backup_store=f"file://{store}", tier=3
                )
            )
            print(f"{'backup':52} {'seconds':>8} {'MB':>8} {'MB/s':>8} {'ratio':>8}")
            started = time.perf_counter()
            written = baseline_backup(cluster, source_files, work)
            plain = time.perf_counter() - started
            print(
                f"{'baseline: pg_dump -Fd -j2 + copytree':52} {plain:8.2f} {written:8.0f} {written / plain:8.1f} {1:8.2f}",
                flush=True,
            )
            started = time.perf_counter()
            manifest = backup(environment=ENVIRONMENT)
            backed = time.perf_counter() - started
            mb = manifest.size / 1e6
            print(
                f"{'Formwork backup (whole flow, incl. retention)':52} {backed:8.2f} {mb:8.0f} {mb / backed:8.1f} {backed / plain:7.2f}x",
                flush=True,
            )
            record("backup, whole flow / pg_dump -Fd -j2 + copy", backed / plain, goal=GOAL)

            dump = store / manifest.id / DATABASE
            print(f"\n{'drill (same dump: ' + manifest.id + '/' + DATABASE + ')':52} {'seconds':>8} {'ratio':>8}")
            restored = timed(lambda: baseline_restore(cluster, dump))
            drop_restored(cluster)
            print(f"{'baseline: createdb + pg_restore -j2 --no-owner':52} {restored:8.2f} {1:8.2f}", flush=True)
            started = time.perf_counter()
            result = dr_drill(environment=ENVIRONMENT)
            drilled = time.perf_counter() - started
        assert result.passed and result.rto is not None, result.summary()

        restore = result.phases["restore"]
        rto = result.rto.total_seconds()
        print(f"{'Formwork drill: restore phase':52} {restore:8.2f} {restore / restored:7.2f}x   (goal ≤ {GOAL:.1f}x)")
        print(f"{'Formwork drill: RTO (start to verified database)':52} {rto:8.2f} {rto / restored:7.2f}x")
        print(f"{'Formwork drill: whole flow':52} {drilled:8.2f} {drilled / restored:7.2f}x")
        record("drill RTO (start to verified database) / restore", rto / restored, goal=GOAL)
        print("drill phases: " + ", ".join(f"{name} {s:.2f} s" for name, s in result.phases.items()))
        print(f"Prefect overhead outside the phases: {drilled - sum(result.phases.values()):.2f} s")
