"""The seed and masking benchmarks at scale 1: a smoke test of their parts (no time asserted).

Both run their work in spawned children, which must guard production as the parent does (bench/measured.py)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.support.bench import run_at_scale_1

# pynonymizer comes with the bench extra (make bench installs it), not with make test's.
PYNONYMIZER = importlib.util.find_spec("pynonymizer") is not None


@pytest.mark.slow
def test_the_seed_and_masking_benches_run_at_scale_1_and_end_with_every_figure_against_its_goal(prefect_api):
    figures = run_at_scale_1(
        "seed",
        "masking",
        lines=(
            "baseline: pg_dump + pg_restore -j2",
            "baseline: constants into every masked column",
            "Formwork, whole run (incl. files and leak check)",
            "leak check (every text column of every table, every file)",
            "peak RSS of the masking process",
            "Formwork on those columns (up to its leak check)",
        ),
        prefect_api=prefect_api,
    )
    assert figures == [
        ("1", "seed / pg_dump + pg_restore -j2 of its result"),
        ("1", "masking, whole run with leak check / constants"),
        ("1", "masking process peak RSS (largest of it, workers)"),
        *([("1", "pynonymizer / Formwork on its columns (faster)")] if PYNONYMIZER else []),
    ], figures
