"""Waiting out a release freeze: sleep until the business calendar opens, reporting progress.

Freezes that chain (a month-end close running into a payroll cut-off) are waited
through: the calendar is asked again each time the awaited slot comes. The wait
is a plain sleep in the run that asked for it. A deployed run keeps its worker slot
meanwhile; freezes last hours to days and a promotion is one small process, so
this is cheaper than what it would take to re-plan the run (a second flow run
scheduled at the slot, with its own approvals to carry over). `check_window`
refuses instead, naming the slot, unless the caller asked to wait.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from formwork.progress import NoProgress, Progress
from formwork.release.calendar import BusinessCalendar

STEP = 30.0  # seconds between checks (and progress updates) while waiting


def wait_until_open(
    calendar: BusinessCalendar,
    progress: Progress | None = None,
    *,
    step: float = STEP,
    sleep: Callable[[float], None] = time.sleep,
) -> timedelta:
    """Return once no freeze of `calendar` is in force; how long that took."""
    progress = progress or NoProgress()
    started = datetime.now(UTC)
    opens = calendar.next_open(started)
    progress.start(f"waiting until {opens:%a %d %b %H:%M:%S %Z}", math.ceil((opens - started).total_seconds()))
    done = 0
    while calendar.freeze_at(now := datetime.now(UTC)) is not None:
        remaining = (calendar.next_open(now) - now).total_seconds()
        sleep(min(step, max(remaining, 0.05)))
        waited = int((datetime.now(UTC) - started).total_seconds())
        progress.advance(waited - done)
        done = waited
    progress.finish()
    return datetime.now(UTC) - started
