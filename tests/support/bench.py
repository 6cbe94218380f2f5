"""Running `python -m bench` at scale 1 as the suite's smoke test of the benchmarks (no time asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def run_at_scale_1(*benches: str, lines: tuple[str, ...], prefect_api: str | None = None) -> list[tuple[str, str]]:
    """Runs the benches, checks that each of `lines` was printed and that every figure got a verdict against its
    goal (met or NOT met, or none for a figure without a goal); returns the final table's (scale, figure) rows.
    `prefect_api`: the flows run on that server instead of a temporary one of their own (10 s or more to start)."""
    server = {"BENCH_PREFECT_API_URL": prefect_api} if prefect_api else {}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "1", *benches],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=360,
        env={**os.environ, **server, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for line in lines:
        assert line in done.stdout, done.stdout[-3000:]
    table = done.stdout.split("== every figure against its goal ==")[1].strip().splitlines()[1:]
    assert all(row.endswith("met") for row in table if "≤" in row or "≥" in row), table
    return [tuple(re.split(r"\s{2,}", row.strip())[:2]) for row in table]  # columns: two spaces or more apart
