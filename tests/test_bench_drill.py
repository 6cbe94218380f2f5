"""The refresh and backup-and-drill benches, end to end at scale 1: a smoke test of their parts, not a timed test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_refresh_and_drill_benches_run_at_scale_1_and_end_with_every_figure_against_its_goal():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "1", "refresh", "drill"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=360,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for line in (
        "baseline: pg_dump -Fd -j2 + copytree",
        "Formwork backup (whole flow, incl. retention)",
        "baseline: createdb + pg_restore -j2 --no-owner",
        "Formwork drill: RTO (start to verified database)",
        "Prefect overhead outside the phases",
    ):
        assert line in done.stdout, done.stdout[-3000:]
    table = done.stdout.split("== every figure against its goal ==")[1].strip().splitlines()[1:]
    assert [(row.split()[0], row[7:55].strip()) for row in table] == [
        ("1", "refresh, whole flow / dump + restore + copy"),
        ("1", "backup, whole flow / pg_dump -Fd -j2 + copy"),
        ("1", "drill RTO (start to verified database) / restore"),
    ], table
    assert all(row.endswith("met") for row in table), table  # a verdict against each goal (met or NOT met)
