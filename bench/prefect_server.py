"""The Prefect server a benchmark's flows run on: a temporary one of its own (its environments, a production one
among them, go with it), or the one BENCH_PREFECT_API_URL names (the suite's smoke test passes its session's:
a temporary server takes 10 s or more to start), the benchmark's environments removed from it afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

SERVER = "BENCH_PREFECT_API_URL"


@contextmanager
def prefect_server(*environments: str) -> Iterator[None]:
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    if not (url := os.environ.get(SERVER)):
        with prefect_test_harness(server_startup_timeout=60):
            yield
        return
    from blocks import catalogue

    with temporary_settings({PREFECT_API_URL: url}):
        try:
            yield
        finally:
            for name in environments:
                if catalogue.exists(name):
                    catalogue.remove(name)
