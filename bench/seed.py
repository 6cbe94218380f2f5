"""How close generating a seeded database is to merely copying one.

Baselines, measured in the same run on the same throwaway cluster:
- `pg_dump -Fd -j2` + `pg_restore -j2` of the seeded database (what a restore costs),
- `CREATE DATABASE ... TEMPLATE` (a server-side file copy, the floor).
Scale with BENCH_SCALE (default 10, about 100k partners).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import psycopg

from bench import source
from bench.cluster import throwaway_cluster
from bench.summary import record
from formwork.pgbin import program
from formwork.postgres_cluster import LocalCluster
from tests.support.seeded import seed


def timed(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def dump_restore(cluster: LocalCluster, source: str, target: str, workdir: Path) -> None:
    dump = workdir / "dump"
    subprocess.run([program("pg_dump"), "-Fd", "-j2", "-f", str(dump), cluster.dsn(source)], check=True)
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{target}"')
    subprocess.run([program("pg_restore"), "-j2", "-d", cluster.dsn(target), str(dump)], check=True)


def template_copy(cluster: LocalCluster, source: str, target: str) -> None:
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def main() -> None:
    scale = int(os.environ.get("BENCH_SCALE", "10"))
    with throwaway_cluster("formwork-bench-") as (cluster, work):
        seconds = timed(lambda: seed(cluster, "seeded", work / "filestore", scale=scale))
        with psycopg.connect(cluster.dsn("seeded")) as conn:
            partners = conn.execute("SELECT count(*) FROM res_partner").fetchone()[0]
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        restore = timed(lambda: dump_restore(cluster, "seeded", "restored", work))
        template = timed(lambda: template_copy(cluster, "seeded", "copied"))
        # The later benchmarks of this run restore it, from the dump the baseline made.
        source.keep(cluster, "seeded", work / "filestore", scale, dump=work / "dump")
        print(f"seed --scale {scale}: {partners:,} partners, {size / 1e6:.0f} MB database")
        print(f"{'step':34} {'seconds':>8} {'ratio':>8}")
        print(f"{'seed (generate + load + filestore)':34} {seconds:8.2f} {1.0:8.2f}")
        print(f"{'baseline: pg_dump + pg_restore -j2':34} {restore:8.2f} {seconds / restore:8.2f}x")
        print(f"{'baseline: CREATE DATABASE TEMPLATE':34} {template:8.2f} {seconds / template:8.2f}x")
        print(f"partners per second while seeding: {partners / seconds:,.0f}")
        record("seed / pg_dump + pg_restore -j2 of its result", seconds / restore)
