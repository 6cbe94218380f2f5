"""A throwaway PostgreSQL cluster for one benchmark run."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from formwork.postgres_cluster import LocalCluster, free_port


@contextmanager
def throwaway_cluster(prefix: str) -> Iterator[tuple[LocalCluster, Path]]:
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(work, 0o755)  # the unprivileged server account must enter it
    cluster = LocalCluster(work / "pg", free_port())
    cluster.init()
    cluster.start()
    try:
        yield cluster, work
    finally:
        cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)
