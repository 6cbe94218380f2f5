"""Recovery tiers and their default recovery-point / recovery-time objectives."""

from __future__ import annotations

from datetime import timedelta

from formwork.errors import InputError

# tier -> (RPO, RTO)
TIER_TARGETS: dict[int, tuple[timedelta, timedelta]] = {
    1: (timedelta(minutes=15), timedelta(minutes=60)),
    2: (timedelta(minutes=60), timedelta(hours=4)),
    3: (timedelta(hours=24), timedelta(hours=24)),
}


def check_tier(tier: int | str, *, option: str = "--tier") -> int:
    try:
        value = int(tier)
    except (TypeError, ValueError):
        value = 0
    if value not in TIER_TARGETS:
        raise InputError(f"{option} '{tier}': unknown tier (choose 1, 2 or 3)")
    return value


def format_minutes(minutes: float) -> str:
    if minutes >= 60 and minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours} h"
    return f"{minutes:g} min"
