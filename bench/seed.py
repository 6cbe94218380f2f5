"""How close generating a seeded database is to merely copying one.

Baselines, measured in the same run on the same throwaway cluster:
- `pg_dump -Fd -j2` + `pg_restore -j2` of the seeded database (what a restore costs),
- `CREATE DATABASE ... TEMPLATE` (a server-side file copy, the floor).
Scale with BENCH_SCALE (default 10, about 100k partners).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from blocks.local_directory_store import LocalDirectoryStore
from formwork.dsn import parse_dsn
from formwork.local.pgbin import program
from formwork.local.postgres import LocalCluster, free_port
from formwork.seed import builder
from formwork.seed.plan import SeedPlan


def timed(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def seed(cluster: LocalCluster, name: str, scale: int, filestore: Path) -> None:
    spec = parse_dsn(cluster.dsn(name))
    building = builder.prepare(spec, replace=True)
    info = {**spec.kwargs(), "dbname": building}
    builder.create_schema(info)
    plan = SeedPlan(scale, 1)
    for group in builder.GROUPS:
        builder.load(info, builder.group_tables(plan, group))
    builder.load_attachments(info, plan, LocalDirectoryStore(path=str(filestore)).put_bytes)
    builder.finish_schema(info)
    builder.publish(spec, building)


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
    work = Path(tempfile.mkdtemp(prefix="formwork-bench-"))
    os.chmod(work, 0o755)
    cluster = LocalCluster(work / "pg", free_port())
    cluster.init()
    cluster.start()
    try:
        seconds = timed(lambda: seed(cluster, "seeded", scale, work / "filestore"))
        with psycopg.connect(cluster.dsn("seeded")) as conn:
            partners = conn.execute("SELECT count(*) FROM res_partner").fetchone()[0]
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        restore = timed(lambda: dump_restore(cluster, "seeded", "restored", work))
        template = timed(lambda: template_copy(cluster, "seeded", "copied"))
        print(f"seed --scale {scale}: {partners:,} partners, {size / 1e6:.0f} MB database")
        print(f"{'step':34} {'seconds':>8} {'ratio':>8}")
        print(f"{'seed (generate + load + filestore)':34} {seconds:8.2f} {1.0:8.2f}")
        print(f"{'baseline: pg_dump + pg_restore -j2':34} {restore:8.2f} {seconds / restore:8.2f}x")
        print(f"{'baseline: CREATE DATABASE TEMPLATE':34} {template:8.2f} {seconds / template:8.2f}x")
        print(f"partners per second while seeding: {partners / seconds:,.0f}")
    finally:
        cluster.destroy()
        subprocess.run(["rm", "-rf", str(work)], check=False)
