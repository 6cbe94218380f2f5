"""One masking run in a process of its own: its time, its report and its peak memory.

Spawned, not forked, as the seed is: the bench's own heap would count toward the run's peak, and
every worker the engine forks would start as a copy of it. The peak of the forked workers is read
with RUSAGE_CHILDREN inside that process once the engine has joined them.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from bench.prefect_server import prefect_server
from blocks.local_directory_store import LocalDirectoryStore
from formwork.masking.engine import Masker, MaskingLeak, MaskReport
from formwork.masking.model import RuleSet

GB = 1024.0  # MB


@dataclass
class MeasuredRun:
    seconds: float
    report: MaskReport
    peak_mb: float  # ru_maxrss of the masking process
    workers_peak_mb: float  # the largest ru_maxrss among its forked workers (pages shared with it counted again)

    @property
    def within_1gb(self) -> bool:
        return max(self.peak_mb, self.workers_peak_mb) <= GB


@contextmanager
def catalogue_server() -> Iterator[None]:
    """One Prefect server for the whole bench (bench.prefect_server), named to the spawned runs in PREFECT_API_URL: the
    production guard reads its (empty) catalogue, as a deployed run reads its server's, instead of each run
    starting a temporary server of its own inside the time measured."""
    from prefect.settings import PREFECT_API_URL

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no telemetry from the temporary server
    with prefect_server():
        before = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = PREFECT_API_URL.value()
        try:
            yield
        finally:
            if before is None:
                del os.environ["PREFECT_API_URL"]
            else:
                os.environ["PREFECT_API_URL"] = before


def measured(dsn: str, rules: RuleSet, salt: bytes, files: str | None) -> MeasuredRun:
    """Masker(...).run() on `dsn` in a spawned process; `files`: the filestore folder, or None for no files."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(_run, dsn, rules, salt, files).result()


def _run(dsn: str, rules: RuleSet, salt: bytes, files: str | None) -> MeasuredRun:
    with psycopg.connect(dsn) as conn:
        started = time.perf_counter()
        try:
            report = Masker(conn, rules, salt, LocalDirectoryStore(path=files) if files else None).run()
        except MaskingLeak as exc:  # rolled back; the caller reads the leaks in the report
            report = exc.report
        except Exception as exc:  # the engine's errors take their report along and do not unpickle
            raise RuntimeError(f"{type(exc).__name__}: {exc}") from None
        seconds = time.perf_counter() - started
    return MeasuredRun(seconds, report, _peak_mb(resource.RUSAGE_SELF), _peak_mb(resource.RUSAGE_CHILDREN))


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # kilobytes on Linux
