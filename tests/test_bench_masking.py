"""The masking bench's own parts, on the scale-1 seed: not a timed test."""

from __future__ import annotations

import psycopg

from bench.masking import PYNONYMIZER_TYPES, RULES, SALT, pynonymizer_rules
from bench.measured import measured
from formwork.masking import introspect
from formwork.masking.rules import load_rules
from tests.support.clusters import drop_database
from tests.support.seeded import copy


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
