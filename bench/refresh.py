"""Refresh time, measured against copying the same database and filestore by hand.

A refresh is, at its core, a copy of production onto another server; everything else
(guards, masking, rewiring, row-count check, atomic swap) is what Formwork adds. So the
baseline is the copy an operator would make: `pg_dump -Fd -j2`, `createdb`, `pg_restore -j2`
and a byte-for-byte copy of the filestore folder (shutil.copytree). Formwork's own filestore
step hard-links local files instead, so the baseline's file copy is the more expensive one.

One run, two throwaway clusters ("prod" and "staging"), one seeded source database:
1. baseline: dump, restore into a new database on the staging server, copy the filestore;
2. Formwork: the whole `refresh` flow into a staging environment that does not exist yet,
   run in-process against a temporary Prefect server (as the tests do).
Goal: Formwork ≤ 1.2× the baseline (issue 20). Scale with BENCH_SCALE (default 100).
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
SALT = "bench-salt-0123456789abcdef"


def baseline(prod: LocalCluster, staging: LocalCluster, source_files: Path, work: Path) -> None:
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        dump = Path(scratch) / "dump"
        subprocess.run([program("pg_dump"), "-Fd", "-j2", "-f", str(dump), prod.dsn("source")], check=True)
        subprocess.run([program("createdb"), f"--maintenance-db={staging.dsn()}", "copied"], check=True)
        subprocess.run([program("pg_restore"), "-j2", "--no-owner", "-d", staging.dsn("copied"), str(dump)], check=True)
    shutil.copytree(source_files, work / "files-copied")


def formwork_refresh(prod: LocalCluster, staging: LocalCluster, source_files: Path, work: Path):
    from blocks import catalogue
    from flows.refresh import refresh
    from formwork.environments import EnvironmentSpec

    with prefect_server("bench-prod", "bench-staging"):
        catalogue.add(EnvironmentSpec("bench-prod", prod.dsn("source"), filestore=f"file://{source_files}", production=True))
        catalogue.add(
            EnvironmentSpec(
                "bench-staging",
                staging.dsn("staging"),
                filestore=f"file://{work / 'files-staging'}",
                base_url="https://staging.example.com",
            )
        )
        started = time.perf_counter()
        report = refresh(source="bench-prod", target="bench-staging", approver="bench")
        seconds = time.perf_counter() - started
    assert report.outcome == "done", report.outcome
    return seconds, report


def main() -> None:
    scale = int(os.environ.get("BENCH_SCALE", "100"))
    os.environ.setdefault("FORMWORK_MASKING_SALT", SALT)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no telemetry from the temporary server
    with throwaway_cluster("formwork-bench-prod-") as (prod, work), throwaway_cluster("formwork-bench-staging-") as (staging, _):
        source_files = work / "files-source"
        source.seeded(prod, "source", source_files, scale)
        with psycopg.connect(prod.dsn("source")) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        files = sum(1 for p in source_files.rglob("*") if p.is_file())
        megabytes = sum(p.stat().st_size for p in source_files.rglob("*") if p.is_file()) / 1e6

        print(
            f"\nrefresh at --scale {scale}: {size / 1e6:.0f} MB database, {files:,} files ({megabytes:.0f} MB), prod -> staging server"
        )
        print(f"{'run':52} {'seconds':>8} {'ratio':>8}")
        copied = timed(lambda: baseline(prod, staging, source_files, work))
        print(f"{'baseline: pg_dump -Fd -j2 + pg_restore -j2 + copytree':52} {copied:8.2f} {1:8.2f}", flush=True)
        seconds, report = formwork_refresh(prod, staging, source_files, work)
        print(
            f"{'Formwork refresh (whole flow, approved up front)':52} {seconds:8.2f} {seconds / copied:7.2f}x   (goal ≤ {GOAL:.1f}x)"
        )
        print("  (baseline copies filestore bytes; Formwork hard-links local files)")
        record("refresh, whole flow / dump + restore + copy", seconds / copied, goal=GOAL)
        print("Formwork steps: " + ", ".join(f"{name} {s:.2f} s" for name, s in report.steps))
        print(f"Prefect overhead outside the steps: {seconds - sum(s for _, s in report.steps):.2f} s")
