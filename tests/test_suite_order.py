"""The suite's own schedule: under `make test` (xdist, one file per worker at a time) the slow files start first, so no
worker runs the two-demo file alone at the end (the suite stays within 15 minutes on 2 cores)."""

from __future__ import annotations

import pytest


def test_slow_files_come_first_and_xdist_keeps_that_order(request):
    if not request.config.pluginmanager.hasplugin("xdist"):
        pytest.skip("pytest-xdist is not loaded: nothing schedules files")
    assert request.config.option.loadscopereorder is False, "xdist would reorder the files by their number of tests"
    slow = [item.get_closest_marker("slow") is not None for item in request.session.items]
    assert slow == sorted(slow, reverse=True), "a slow file comes after a quicker one"
