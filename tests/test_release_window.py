"""A production promotion in a release freeze waits for the next open slot when asked to."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from blocks import catalogue
from formwork.environments import EnvironmentSpec
from formwork.errors import InputError
from formwork.release.calendar import BusinessCalendar, Freeze
from formwork.release.window import wait_until_open
from local.gitops_repo import pinned_digest
from tests.support.approvals import resume_paused
from tests.support.gitops import make_gitops_repo
from tests.test_release_promote import build, promote


class Recorded:
    def __init__(self):
        self.label, self.total, self.done, self.finished = "", 0, 0, False

    def start(self, label, total):
        self.label, self.total = label, total

    def advance(self, done):
        self.done += done

    def finish(self):
        self.finished = True


def test_chained_freezes_are_waited_through_with_progress():
    now = datetime.now(UTC)
    first_ends, second_ends = now + timedelta(seconds=0.6), now + timedelta(seconds=1.2)
    calendar = BusinessCalendar(
        "Northbridge",
        ZoneInfo("Europe/London"),
        one_off=(
            Freeze("month-end close", now - timedelta(hours=1), first_ends),
            Freeze("payroll cut-off", first_ends, second_ends),
        ),
    )
    progress = Recorded()
    waited = wait_until_open(calendar, progress, step=0.2)
    assert datetime.now(UTC) >= second_ends and timedelta(seconds=1) <= waited < timedelta(seconds=3)
    assert progress.total == 2 and progress.finished and progress.done >= 1 and "waiting until" in progress.label


@pytest.fixture
def frozen_prod(prefect_api, registry, tmp_path):
    """A production environment alone (no upstream, rollout not observed) and a way to set its freeze."""
    repo = make_gitops_repo(tmp_path, overlays=("prod",))
    name = f"prod-{uuid.uuid4().hex[:6]}"
    calendar = tmp_path / "calendar.yaml"

    def freeze_until(ends: datetime) -> None:
        calendar.write_text(
            "company: Northbridge Construction Ltd\ntimezone: Europe/London\nfreezes:\n  one_off:\n"
            f'    - {{from: "{ends - timedelta(hours=2):%Y-%m-%dT%H:%M:%S}+00:00", '
            f'until: "{ends:%Y-%m-%dT%H:%M:%S}+00:00", reason: month-end close}}\n'
        )

    freeze_until(datetime.now(UTC) + timedelta(hours=1))
    catalogue.add(
        EnvironmentSpec(
            name,
            "postgresql://odoo@127.0.0.1:5432/prod",
            production=True,
            gitops_repo=repo,
            gitops_overlay="overlays/prod",
            image_repository=f"{registry.host}/odoo/prod",
            release_calendar=str(calendar),
        )
    )
    return name, repo, freeze_until


def test_a_frozen_production_promotion_waits_for_the_slot_instead_of_refusing(frozen_prod, registry):
    name, repo, freeze_until = frozen_prod
    image = build(registry, "ci-wait")
    with pytest.raises(InputError, match="frozen for month-end close .*next open slot .*wait for it with --wait-for-window"):
        promote(image, name, approver="alice", change_reference="CR-W")
    assert pinned_digest(repo, "prod") is None

    ends = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)  # finance closes early
    freeze_until(ends)
    report = promote(image, name, approver="alice", change_reference="CR-W", wait_for_window=True)
    assert datetime.now(UTC) >= ends
    assert report.outcome == "done" and "after waiting" in report.window and "month-end close to end" in report.window
    assert pinned_digest(repo, "prod") == image.split("@")[1]


def test_a_freeze_that_began_while_the_approver_thought_it_over_still_refuses(frozen_prod, registry, prefect_api):
    import threading

    name, repo, freeze_until = frozen_prod
    freeze_until(datetime.now(UTC) - timedelta(hours=1))  # open when the promotion is asked for
    image = build(registry, "ci-late-approval")
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["report"] = promote(image, name)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    resume_paused(
        prefect_api,
        f"promote-to-{name}",
        {"approver": "alice", "change_reference": "CR-L", "approve": True},
        before=lambda: freeze_until(datetime.now(UTC) + timedelta(hours=1)),
    )
    worker.join(timeout=60)
    assert "frozen for month-end close" in str(outcome.get("error")), outcome
    assert pinned_digest(repo, "prod") is None
