"""The seeded source database of a benchmark: seeded once per scale in a run of `python -m bench`, then restored.

Each benchmark works on throwaway clusters of its own. Seeding each one's source took about 110 s at scale 100, four
times in a `make bench`; restoring the first one's dump and copying its files takes about half a minute. The seed
bench keeps the database it timed; otherwise the first benchmark at a scale seeds it, in a spawned child: the heap a
seed leaves behind would slow every run after it, and every worker a masking run forks would start as a copy of it.
"""

from __future__ import annotations

import atexit
import multiprocessing
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from formwork.pgbin import program
from formwork.postgres_cluster import LocalCluster
from tests.support.seeded import seed

_KEPT: dict[int, tuple[Path, Path]] = {}  # scale -> (its pg_dump -Fd folder, its filestore)


def seeded(cluster: LocalCluster, name: str, filestore: Path, scale: int) -> None:
    """Database `name` on `cluster` and its files in `filestore`: this run's seed at `scale`, restored if one is kept."""
    if scale not in _KEPT:
        print(f"seeding --scale {scale} ...", flush=True)
        child = multiprocessing.get_context("spawn").Process(target=seed_in_child, args=(cluster, name, filestore, scale))
        child.start()
        child.join()
        if child.exitcode:
            raise SystemExit(f"seeding failed (exit code {child.exitcode})")
        keep(cluster, name, filestore, scale)
        return
    print(f"restoring this run's seed at --scale {scale} ...", flush=True)
    dump, files = _KEPT[scale]
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run(
        [program("pg_restore"), "-j2", "--no-owner", "--no-privileges", "-d", cluster.dsn(name), str(dump)], check=True
    )
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        conn.execute("ANALYZE")  # as the seed leaves it
    shutil.copytree(files, filestore)


def keep(cluster: LocalCluster, name: str, filestore: Path, scale: int, dump: Path | None = None) -> None:
    """Keeps database `name` and its files for the later benchmarks of this run at `scale`; `dump`: a `pg_dump -Fd`
    of it already made (moved here), else one is made."""
    kept = Path(tempfile.mkdtemp(prefix=f"formwork-bench-seed-{scale}-"))
    atexit.register(shutil.rmtree, kept, ignore_errors=True)
    if dump is not None:
        shutil.move(dump, kept / "dump")
    else:
        subprocess.run([program("pg_dump"), "-Fd", "-j2", "-f", str(kept / "dump"), cluster.dsn(name)], check=True)
    shutil.copytree(filestore, kept / "files")
    _KEPT[scale] = (kept / "dump", kept / "files")


def seed_in_child(cluster: LocalCluster, name: str, filestore: Path, scale: int) -> None:
    """The seed, as the target of a spawned process: defined in this package so that the child imports it (and its
    guard catalogue, see bench/__init__.py); multiprocessing does not re-import a `python -m` package's __main__."""
    seed(cluster, name, filestore, scale)
