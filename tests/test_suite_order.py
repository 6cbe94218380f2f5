"""The order `make test` hands files to its two workers (tests/support/scheduling.py): the heaviest units first,
each file in one piece, and every file that starts real Odoo in one unit."""

from __future__ import annotations

import pytest

from tests.support.scheduling import ODOO_FILES, REAL_ODOO, rank, unit


def test_the_heaviest_units_come_first_and_each_file_stays_in_one_piece(request):
    items = request.session.items
    ranks = [rank(item.nodeid) for item in items]
    assert ranks == sorted(ranks), "a lighter unit comes before a heavier one"
    runs = [path for i, path in enumerate(item.path for item in items) if i == 0 or items[i - 1].path != path]
    assert len(runs) == len(set(runs)), "a file is split: its module fixtures would be set up twice"


def test_every_file_that_needs_real_odoo_is_in_the_one_odoo_unit(request):
    needing = {item.path.name for item in request.session.items if {"odoo", "odoo_copy", "odoo_served"} & set(item.fixturenames)}
    assert needing <= set(ODOO_FILES), (
        f"add {sorted(needing - set(ODOO_FILES))} to ODOO_FILES: Odoo's template would be restored twice"
    )
    assert {unit(f"tests/{name}::test") for name in ODOO_FILES} == {REAL_ODOO}


def test_the_scheduler_keeps_the_collection_order(request):
    if not request.config.pluginmanager.hasplugin("xdist"):
        pytest.skip("pytest-xdist is not loaded: nothing schedules files")
    assert request.config.option.loadscopereorder is False, "xdist would reorder the files by their number of tests"
