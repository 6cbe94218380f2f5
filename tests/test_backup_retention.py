"""Retention policy: keep-daily/weekly/monthly over simulated calendars (pure computation)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from formwork.backup.retention import RetentionPolicy, plan
from formwork.errors import InputError

UTC = UTC


@dataclass(frozen=True)
class Backup:
    id: str
    taken_at: datetime


def at(day: str, hour: int = 1) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(hour=hour)


def backup(day: str, hour: int = 1) -> Backup:
    return Backup(f"{day}T{hour:02d}", at(day, hour))


def ids(items: list[Backup]) -> list[str]:
    return [b.id for b in items]


def run(items, policy):
    return plan(items, lambda b: b.taken_at, policy)


# One backup per day at 01:00 UTC for 400 days ending Tuesday 2026-11-24,
# plus a second one at 13:00 on a few days.
LAST_DAY = date(2026, 11, 24)
SECOND_BACKUP_DAYS = ["2026-11-22", "2026-06-30", "2026-03-10", "2025-12-31"]


def calendar() -> list[Backup]:
    days = [(LAST_DAY - timedelta(days=n)).isoformat() for n in range(399, -1, -1)]
    items = [backup(day) for day in days]
    items += [backup(day, 13) for day in SECOND_BACKUP_DAYS]
    return sorted(items, key=lambda b: b.taken_at)


def test_calendar_keeps_exactly_what_the_default_policy_says():
    items = calendar()
    assert len(items) == 404
    assert items[0].id == "2025-10-21T01"

    decision = run(items, RetentionPolicy())

    daily = {  # the 7 newest days; 11-22 has two backups, the 13:00 one is newer
        "2026-11-24T01",
        "2026-11-23T01",
        "2026-11-22T13",
        "2026-11-21T01",
        "2026-11-20T01",
        "2026-11-19T01",
        "2026-11-18T01",
    }
    weekly = {  # newest of ISO weeks 48, 47, 46, 45 (Tuesday, then three Sundays)
        "2026-11-24T01",
        "2026-11-22T13",
        "2026-11-15T01",
        "2026-11-08T01",
    }
    monthly = {  # newest of Nov 2026 back to Dec 2025
        "2026-11-24T01",
        "2026-10-31T01",
        "2026-09-30T01",
        "2026-08-31T01",
        "2026-07-31T01",
        "2026-06-30T13",
        "2026-05-31T01",
        "2026-04-30T01",
        "2026-03-31T01",
        "2026-02-28T01",
        "2026-01-31T01",
        "2025-12-31T13",
    }
    expected = daily | weekly | monthly
    assert len(expected) == 20

    assert set(ids(decision.keep)) == expected
    assert set(ids(decision.remove)) == set(ids(items)) - expected
    assert len(decision.keep) + len(decision.remove) == len(items)
    assert {b.id for b in decision.reasons} == expected

    reasons = {b.id: r for b, r in decision.reasons.items()}
    assert reasons["2026-11-24T01"] == ["daily 2026-11-24", "weekly 2026-W48", "monthly 2026-11"]
    assert reasons["2026-11-22T13"] == ["daily 2026-11-22", "weekly 2026-W47"]
    assert reasons["2026-11-15T01"] == ["weekly 2026-W46"]
    assert reasons["2026-11-18T01"] == ["daily 2026-11-18"]
    assert reasons["2025-12-31T13"] == ["monthly 2025-12"]
    # The earlier backups of the two-backup days are gone, kept months or not.
    for day in SECOND_BACKUP_DAYS:
        assert f"{day}T01" in ids(decision.remove)
    assert "2026-03-10T13" in ids(decision.remove)


def test_keep_and_remove_follow_input_order():
    items = calendar()
    random.Random(7).shuffle(items)
    decision = run(items, RetentionPolicy())
    assert decision.keep == [b for b in items if b in decision.reasons]
    assert decision.remove == [b for b in items if b not in decision.reasons]


def test_two_backups_the_same_day_only_the_newer_is_kept_by_daily():
    later, earlier, day_before = backup("2026-11-24", 18), backup("2026-11-24", 2), backup("2026-11-23")
    decision = run([later, earlier, day_before], RetentionPolicy(daily=7, weekly=0, monthly=0))
    assert decision.keep == [later, day_before]
    assert decision.remove == [earlier]
    assert decision.reasons == {later: ["daily 2026-11-24"], day_before: ["daily 2026-11-23"]}


def test_zero_policy_still_keeps_the_newest_backup():
    items = [backup("2026-11-20"), backup("2026-11-24"), backup("2026-11-22")]
    decision = run(items, RetentionPolicy.parse("0d,0w,0m"))
    assert ids(decision.keep) == ["2026-11-24T01"]
    assert ids(decision.remove) == ["2026-11-20T01", "2026-11-22T01"]
    assert list(decision.reasons.values()) == [["newest"]]


def test_no_backups_nothing_to_decide():
    decision = run([], RetentionPolicy())
    assert (decision.keep, decision.remove, decision.reasons) == ([], [], {})


def test_weeks_without_backups_do_not_count_as_kept_periods():
    # W48, (no backup in W47), W46, W45, W44
    items = [backup(d) for d in ["2026-10-27", "2026-11-03", "2026-11-10", "2026-11-24"]]
    decision = run(items, RetentionPolicy(daily=0, weekly=3, monthly=0))
    assert ids(decision.keep) == ["2026-11-03T01", "2026-11-10T01", "2026-11-24T01"]
    assert ids(decision.remove) == ["2026-10-27T01"]
    assert decision.reasons[items[1]] == ["weekly 2026-W45"]


def test_days_and_months_without_backups_do_not_count_either():
    items = [backup(d) for d in ["2026-05-15", "2026-08-01", "2026-08-09", "2026-11-01", "2026-11-05"]]
    daily = run(items, RetentionPolicy(daily=3, weekly=0, monthly=0))
    assert ids(daily.keep) == ["2026-08-09T01", "2026-11-01T01", "2026-11-05T01"]
    monthly = run(items, RetentionPolicy(daily=0, weekly=0, monthly=3))
    assert ids(monthly.keep) == ["2026-05-15T01", "2026-08-09T01", "2026-11-05T01"]


def test_periods_are_utc_days():
    plus_two = timezone(timedelta(hours=2))
    late = Backup("late", datetime(2026, 11, 25, 0, 30, tzinfo=plus_two))  # 2026-11-24 22:30 UTC
    morning = Backup("morning", at("2026-11-24", 10))
    before = Backup("before", at("2026-11-23", 12))
    decision = run([before, morning, late], RetentionPolicy(daily=2, weekly=0, monthly=0))
    assert ids(decision.keep) == ["before", "late"]
    assert decision.reasons[late] == ["daily 2026-11-24"]


def test_same_instant_later_input_counts_as_newer():
    a, b = Backup("a", at("2026-11-24")), Backup("b", at("2026-11-24"))
    decision = run([a, b], RetentionPolicy(daily=1, weekly=0, monthly=0))
    assert ids(decision.keep) == ["b"]


def test_plain_ids_work_as_items():
    taken = {"b1": at("2026-11-23"), "b2": at("2026-11-24")}
    decision = plan(["b1", "b2"], taken.__getitem__, RetentionPolicy(daily=1, weekly=0, monthly=0))
    assert decision.keep == ["b2"] and decision.remove == ["b1"]


def test_naive_datetime_is_refused():
    items = [backup("2026-11-24"), Backup("naive", datetime(2026, 11, 23, 1))]
    with pytest.raises(ValueError, match="naive"):
        run(items, RetentionPolicy())


def test_parse_any_order_and_subset():
    assert RetentionPolicy.parse("7d,4w,12m") == RetentionPolicy()
    assert RetentionPolicy.parse("12m,7d") == RetentionPolicy(daily=7, weekly=0, monthly=12)
    assert RetentionPolicy.parse(" 3w , 1D ") == RetentionPolicy(daily=1, weekly=3, monthly=0)
    assert RetentionPolicy.parse("0d") == RetentionPolicy(0, 0, 0)


@pytest.mark.parametrize("text", ["7x", "", "7", "d", "-1d", "7d;4w", "7d,,4w", "1.5d"])
def test_parse_errors_name_the_option_and_value(text):
    with pytest.raises(InputError) as caught:
        RetentionPolicy.parse(text, option="--retention")
    message = str(caught.value)
    assert message == f"--retention '{text}': expected counts like 7d,4w,12m"
    assert "\n" not in message


def test_parse_refuses_a_kind_given_twice():
    with pytest.raises(InputError, match=r"^--keep '7d,3d': daily count given twice$"):
        RetentionPolicy.parse("7d,3d")


def test_str_and_validation():
    assert str(RetentionPolicy()) == "7 daily, 4 weekly, 12 monthly"
    assert str(RetentionPolicy.parse("2w")) == "0 daily, 2 weekly, 0 monthly"
    with pytest.raises(ValueError):
        RetentionPolicy(daily=-1)
