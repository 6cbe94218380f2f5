"""How `make test` spreads the suite over its two workers (pytest-xdist, --dist loadfile).

xdist hands out whole files, the ones with most tests first, so a long file of one test (the demo) was
handed out last and ran while the other worker sat idle. Here the heaviest units go first, the way a
longest-job-first packing evens out two queues, and every file that needs real Odoo is one unit, so
Odoo's template database is restored on one worker instead of on both.
"""

from __future__ import annotations

from xdist.scheduler import LoadFileScheduling

REAL_ODOO = "real Odoo"
# The files that start real Odoo (the session fixtures `odoo`, `odoo_served`): one unit.
ODOO_FILES = (
    "test_odoo_pipelines.py",
    "test_seed_odoo.py",
    "test_odoo_real.py",
    "test_odoo_masking.py",
    "test_odoo_fixture_masking.py",
    "test_odoo_login.py",
    "test_masking_shipped.py",
    "test_masking_transient.py",
)
# Units by what they cost on CI, heaviest first (`make test PYTEST_ARGS=--durations=0` to measure again);
# the files not named follow in collection order, those marked slow first (tests/conftest.py). The demo seeds
# through real Odoo too: on a new machine it would wait for the Odoo unit's database build (one builder at a
# time, formwork.seed.odoo_build), three minutes of a worker, so the other worker builds the release images first.
HEAVIEST = (
    REAL_ODOO,
    "test_release_odoo.py",
    "test_demo.py",
    "test_release_promote.py",
    "test_refresh_cli.py",
    "test_seed.py",
    "test_masking.py",
    "test_operating_surface.py",
    "test_bench_masking.py",
    "test_pitr.py",
    "test_backup_drill.py",
    "test_bench_drill.py",
    "test_trigger.py",
    "test_hostile_approvals.py",
    "test_hostile_filestores.py",
    "test_env_cli.py",
    "test_refresh_deployed.py",
    "test_cli_launch.py",
    "test_masking_leak_check.py",
    "test_hostile_sidecopy.py",
)


def unit(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return REAL_ODOO if path.rsplit("/", 1)[-1] in ODOO_FILES else path


def rank(nodeid: str) -> int:
    name = unit(nodeid).rsplit("/", 1)[-1]
    return HEAVIEST.index(name) if name in HEAVIEST else len(HEAVIEST)


class HeaviestFirst(LoadFileScheduling):
    """Real-Odoo files as one unit; units in collection order (sorted by `rank`; conftest turns xdist's own
    reordering off)."""

    def _split_scope(self, nodeid: str) -> str:
        return unit(nodeid)
