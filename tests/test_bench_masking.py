"""The seed and masking benchmarks at scale 1: a smoke test of their parts (no time asserted).

Both run their work in spawned children, which must guard production as the parent does (bench/measured.py)."""

from __future__ import annotations

import importlib.util

import psycopg
import pytest

from bench.masking import PYNONYMIZER_TYPES, RULES, SALT, pynonymizer_rules
from bench.measured import measured
from formwork.masking import introspect
from formwork.masking.rules import load_rules
from tests.support.bench import run_at_scale_1
from tests.support.clusters import drop_database
from tests.support.seeded import copy

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
        ),
        prefect_api=prefect_api,
    )
    assert figures == [
        ("1", "seed / pg_dump + pg_restore -j2 of its result"),
        ("1", "masking, whole run with leak check / constants"),
        ("1", "masking process peak RSS (largest of it, workers)"),
        *([("1", "pynonymizer / Formwork on its columns (faster)")] if PYNONYMIZER else []),
    ], figures


def test_the_pynonymizer_subset_runs_in_a_child_that_reports_its_peak_memory(pg, seeded_source, tmp_path):
    source, filestore = seeded_source
    copy(pg, source, "bench_subset", filestore, tmp_path / "files")
    try:
        with psycopg.connect(pg.dsn("bench_subset")) as conn:
            rules = pynonymizer_rules(load_rules(str(RULES)), introspect.columns(conn))
        run = measured(pg.dsn("bench_subset"), rules, SALT, None)
    finally:
        drop_database(pg, "bench_subset")
    # Its leak check refuses: the columns left out still hold originals.
    assert run.report.columns and run.report.leaks and run.report.files_replaced == 0
    providers = {how.split()[1].rstrip(",") for how in run.report.columns.values() if how.startswith("faker ")}
    assert providers <= PYNONYMIZER_TYPES, providers
    assert 0 < run.peak_mb and 0 < run.workers_peak_mb and run.within_1gb
