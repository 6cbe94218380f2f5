"""What is known of one environment's posture, each fact read where it lives.

A fact that cannot be read (a store that does not answer, a record that does not parse) is not left
out: it is kept in `unknown` with the reason, and the verdict counts it against the environment.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

import httpx
import psycopg

from formwork.backup import catalog, records
from formwork.dsn import ConnectionSpec
from formwork.errors import first_line
from formwork.pitr.status import ArchiveStatus
from formwork.release.calendar_file import load_calendar
from formwork.release.gitops.repository import GitOpsRepo
from formwork.release.rollout import observe
from formwork.stores.object_store import ObjectStore

REFRESH_RECORD = "formwork.refreshed"  # ir_config_parameter key a refresh writes into its copy
WEEKLY, MONTHLY = timedelta(days=7), timedelta(days=31)


class PostureSettings(Protocol):
    """What the posture reads of an environment's settings (the OdooEnvironment block is one)."""

    tier: int
    production: bool
    backup_store_url: str | None
    gitops_repo: str | None
    gitops_overlay: str | None
    base_url: str | None
    release_calendar: str | None

    @property
    def rpo_target(self) -> timedelta: ...

    @property
    def rto_target(self) -> timedelta: ...

    def connection(self) -> ConnectionSpec: ...


@dataclass(frozen=True)
class Drill:
    started_at: datetime
    passed: bool
    rto: timedelta | None
    backup: str
    failed: tuple[str, ...] = ()


@dataclass
class Facts:
    environment: str
    tier: int
    production: bool
    rpo_target: timedelta
    rto_target: timedelta
    checked_at: datetime
    backed_up: bool = False  # it has a backup store
    backups: list[datetime] = field(default_factory=list)  # complete backups' times, oldest first
    incomplete: int = 0
    invalid: int = 0
    drills: list[Drill] = field(default_factory=list)  # newest first
    drilled_backup: str | None = None  # the newest backup a drill restored and found usable
    archive: ArchiveStatus | None = None  # point-in-time protection's WAL archive, when it has one
    pinned: str | None = None  # the digest its GitOps overlay pins
    running: str | None = None  # the digest its Odoo reports
    odoo: str = ""  # what its Odoo answered
    refresh: dict | None = None  # the copy's own record of the refresh that made it
    waiting: int = 0  # runs waiting for an approval about it
    next_window: str = ""  # production: when a release may next go out
    unknown: list[str] = field(default_factory=list)  # facts that could not be read, and why

    @property
    def drill_every(self) -> timedelta:
        """The drill schedule `formwork deploy` plans: weekly for tier 1, monthly otherwise."""
        return WEEKLY if self.tier == 1 else MONTHLY

    @property
    def newest_point(self) -> datetime | None:
        """The newest point it can be restored to: its newest backup, or its newest archived WAL."""
        points = self.backups[-1:] + ([self.archive.newest.archived_at] if self.archive and self.archive.newest else [])
        return max(points, default=None)

    @property
    def point_age(self) -> timedelta | None:
        newest = self.newest_point
        return self.checked_at - newest if newest else None


def gather(
    name: str,
    env: PostureSettings,
    store: ObjectStore | None,
    *,
    archive: ArchiveStatus | None = None,
    waiting: int = 0,
    now: datetime | None = None,
) -> Facts:
    """Every fact of `name`; `store` is its backup store (None: it has none)."""
    facts = Facts(
        name,
        env.tier,
        env.production,
        env.rpo_target,
        env.rto_target,
        now or datetime.now(UTC),
        backed_up=store is not None,
        archive=archive,
        waiting=waiting,
    )
    steps: list[tuple[str, Callable[[], None]]] = [("its copy's refresh record", lambda: _refresh(facts, env.connection()))]
    if store is not None:
        steps += [("backups", lambda: _backups(facts, store)), ("drill records", lambda: _drills(facts, store))]
    if env.gitops_repo and env.gitops_overlay:  # released through GitOps: what it pins, and what its Odoo runs
        steps.append(("the digest its overlay pins", lambda: _pinned(facts, env.gitops_repo, env.gitops_overlay)))
        if env.base_url:
            steps.append(("what its Odoo runs", lambda: _running(facts, env.base_url)))
    if env.production and env.release_calendar:
        steps.append(("the release calendar", lambda: _window(facts, env.release_calendar)))
    for what, step in steps:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - any failure to read is an unknown, never a pass
            facts.unknown.append(f"{what}: {first_line(exc)}")
    return facts


def _backups(facts: Facts, store: ObjectStore) -> None:
    found = catalog.read(store, facts.environment)
    facts.backups = [manifest.taken_at for manifest in found.complete]
    facts.incomplete, facts.invalid = len(found.incomplete), len(found.invalid)
    proven = records.passed(store, facts.environment)
    facts.drilled_backup = next((m.id for m in reversed(found.complete) if m.id in proven), None)


def _drills(facts: Facts, store: ObjectStore) -> None:
    for record in records.records(store, facts.environment):
        rto = record.get("rto_seconds")
        facts.drills.append(
            Drill(
                datetime.fromisoformat(record["started_at"]),
                record.get("passed") is True,
                timedelta(seconds=rto) if isinstance(rto, int | float) else None,
                str(record.get("backup")),
                tuple(record.get("failed_checks") or ()),
            )
        )


def _pinned(facts: Facts, repo: str, overlay: str) -> None:
    facts.pinned = GitOpsRepo(repo).current(overlay)  # the `odoo` image, as promotions pin it


def _running(facts: Facts, base_url: str) -> None:
    with httpx.Client(timeout=5) as client:
        healthy, facts.running, facts.odoo = observe(client, base_url.rstrip("/"))
    if not healthy:
        facts.odoo = f"not healthy: {facts.odoo}"


def _refresh(facts: Facts, spec: ConnectionSpec) -> None:
    if facts.production:
        return  # production is never a refresh's target
    with psycopg.connect(**{"connect_timeout": 5, **spec.kwargs()}) as conn:
        if conn.execute("SELECT to_regclass('ir_config_parameter')").fetchone()[0] is None:
            return
        row = conn.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (REFRESH_RECORD,)).fetchone()
    facts.refresh = json.loads(row[0]) if row else None


def _window(facts: Facts, path: str) -> None:
    calendar = load_calendar(path)
    freeze = calendar.freeze_at(facts.checked_at)
    if freeze is None:
        facts.next_window = "open now"
    else:
        facts.next_window = f"frozen for {freeze.name}; opens {calendar.next_open(facts.checked_at).astimezone(calendar.timezone):%a %d %b %H:%M %Z}"
