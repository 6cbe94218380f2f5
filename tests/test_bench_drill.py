"""The backup-and-drill bench, end to end at scale 1: a smoke test of its parts, not a timed test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_drill_bench_runs_at_scale_1_and_prints_every_ratio():
    done = subprocess.run([sys.executable, "-m", "bench", "drill"], cwd=ROOT, capture_output=True, text=True, timeout=240,
                          env={**os.environ, "BENCH_SCALE": "1", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    for line in ("baseline: pg_dump -Fd -j2 + copytree", "Formwork backup (whole flow, incl. retention)",
                 "baseline: createdb + pg_restore -j2 --no-owner", "Formwork drill: RTO (start to verified database)",
                 "Prefect overhead outside the phases"):
        assert line in done.stdout, done.stdout[-3000:]
