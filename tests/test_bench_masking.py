"""The seed and masking benchmarks at scale 1: a smoke test of their parts (no time asserted).

Both run their work in spawned children, which must guard production as the parent does (bench/measured.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_seed_and_masking_benches_run_at_scale_1_and_end_with_every_figure_against_its_goal():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "1", "seed", "masking"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=360,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for line in (
        "baseline: pg_dump + pg_restore -j2",
        "baseline: constants into every masked column",
        "Formwork, whole run (incl. files and leak check)",
        "leak check (every text column of every table, every file)",
        "peak RSS of the masking process",
    ):
        assert line in done.stdout, done.stdout[-3000:]
    table = done.stdout.split("== every figure against its goal ==")[1].strip().splitlines()[1:]
    assert [(row.split()[0], row[7:55].strip()) for row in table] == [
        ("1", "seed / pg_dump + pg_restore -j2 of its result"),
        ("1", "masking, whole run with leak check / constants"),
        ("1", "masking process peak RSS (largest of it, workers)"),
        ("1", "pynonymizer / Formwork on its columns (faster)"),
    ], table
