"""Which backups to keep: keep-daily / keep-weekly / keep-monthly, as restic and borg do.

Each rule walks the backups newest first and keeps the newest backup of each
distinct UTC day (ISO week, month) until it has kept its count of periods; only
periods that actually hold a backup count, so a gap in the calendar does not use
up the policy. A backup stays if any rule keeps it, the newest backup always
stays, so a policy of zeros can never delete everything, and so does whatever the
caller pins (the newest backup a drill passed). Pure computation, so the
flow can show the plan before it deletes anything and tests can replay calendars.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from formwork.errors import InputError

T = TypeVar("T")

_PART = re.compile(r"(\d+)([dwm])")
_FIELDS = {"d": "daily", "w": "weekly", "m": "monthly"}
_PERIODS: dict[str, Callable[[datetime], str]] = {
    "daily": lambda t: t.date().isoformat(),
    "weekly": lambda t: t.strftime("%G-W%V"),  # ISO year and week
    "monthly": lambda t: f"{t.year:04d}-{t.month:02d}",
}


@dataclass(frozen=True)
class RetentionPolicy:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12

    def __post_init__(self) -> None:
        for name in _PERIODS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a count >= 0, got {value!r}")

    @classmethod
    def parse(cls, text: str, *, option: str = "--keep") -> RetentionPolicy:
        """`"7d,4w,12m"` in any order, any subset; a missing kind keeps 0."""
        counts: dict[str, int] = {}
        for part in text.split(","):
            match = _PART.fullmatch(part.strip().lower())
            if match is None:
                raise InputError(f"{option} '{text}': expected counts like 7d,4w,12m")
            name = _FIELDS[match[2]]
            if name in counts:
                raise InputError(f"{option} '{text}': {name} count given twice")
            counts[name] = int(match[1])
        return cls(**{name: counts.get(name, 0) for name in _PERIODS})

    def __str__(self) -> str:
        return f"{self.daily} daily, {self.weekly} weekly, {self.monthly} monthly"

    def spec(self) -> str:
        """The form `parse` reads back."""
        return f"{self.daily}d,{self.weekly}w,{self.monthly}m"


@dataclass(frozen=True)
class Decision(Generic[T]):
    keep: list[T]  # in input order
    remove: list[T]  # in input order
    reasons: dict[T, list[str]]  # kept item -> ["daily 2026-11-24", "weekly 2026-W48", ...]


def plan(
    items: Sequence[T], taken_at: Callable[[T], datetime], policy: RetentionPolicy, pinned: Mapping[T, str] | None = None
) -> Decision[T]:
    """Split `items` into kept and removed. Items must be hashable (they key `reasons`).
    `pinned` items stay whatever the policy says, for the reason given.

    Backups taken at the same instant are ordered by input position, the later one
    counting as newer.
    """
    stamps = []
    for item in items:
        when = taken_at(item)
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"backup {item!r} has a naive timestamp {when.isoformat()}; need a timezone")
        stamps.append(when.astimezone(UTC))
    newest_first = sorted(range(len(items)), key=lambda i: (stamps[i], i), reverse=True)

    why: dict[int, list[str]] = {}
    for name, period_of in _PERIODS.items():
        wanted, seen = getattr(policy, name), set()
        for i in newest_first:
            if len(seen) >= wanted:
                break
            period = period_of(stamps[i])
            if period not in seen:
                seen.add(period)
                why.setdefault(i, []).append(f"{name} {period}")
    if newest_first and newest_first[0] not in why:
        why[newest_first[0]] = ["newest"]
    for i, item in enumerate(items):
        if pinned and item in pinned:
            why.setdefault(i, []).append(pinned[item])

    return Decision(
        keep=[item for i, item in enumerate(items) if i in why],
        remove=[item for i, item in enumerate(items) if i not in why],
        reasons={items[i]: why[i] for i in sorted(why)},
    )
