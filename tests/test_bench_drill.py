"""The refresh and backup-and-drill benches, end to end at scale 1: a smoke test of their parts, not a timed test."""

from __future__ import annotations

import pytest

from tests.support.bench import run_at_scale_1


@pytest.mark.slow
def test_the_refresh_and_drill_benches_run_at_scale_1_and_end_with_every_figure_against_its_goal(prefect_api):
    figures = run_at_scale_1(
        "refresh",
        "drill",
        lines=(
            "baseline: pg_dump -Fd -j2 + copytree",
            "Formwork backup (whole flow, incl. retention)",
            "baseline: createdb + pg_restore -j2 --no-owner",
            "Formwork drill: RTO (start to verified database)",
            "Prefect overhead outside the phases",
        ),
        prefect_api=prefect_api,
    )
    assert figures == [
        ("1", "refresh, whole flow / dump + restore + copy"),
        ("1", "backup, whole flow / pg_dump -Fd -j2 + copy"),
        ("1", "drill RTO (start to verified database) / restore"),
    ], figures
