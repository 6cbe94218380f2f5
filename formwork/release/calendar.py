"""The business calendar that gates production releases: working days, public holidays, freezes.

The model and its arithmetic; `calendar_file` reads it from YAML. A production promotion that
falls in a freeze waits for the next open slot, or is refused with that slot named. Windows are
[starts, ends).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_lib

from formwork.errors import InputError

# next_open gives up when freezes chain for longer than this: the calendar leaves no slot.
HORIZON = timedelta(days=400)


@dataclass(frozen=True)
class Freeze:
    name: str  # "month-end close", "payroll cut-off", "billing run", or the one-off's reason
    starts: datetime  # tz-aware, in the calendar's zone
    ends: datetime  # exclusive


@dataclass(frozen=True)
class MonthEndClose:
    last_business_days: int
    first_business_days: int


@dataclass(frozen=True)
class PayrollCutoff:
    every_weeks: int
    anchor: date  # falls on the start weekday
    starts: tuple[int, int]  # (hour, minute) on the anchor's weekday
    days: int  # from the start day to the end day, 0..6
    ends: tuple[int, int]


@dataclass(frozen=True)
class BillingRun:
    day_of_month: int
    starts: tuple[int, int]
    ends: tuple[int, int]


class BusinessCalendar:
    def __init__(
        self,
        company: str,
        timezone: ZoneInfo,
        public_holidays: holiday_lib.HolidayBase | None = None,
        *,
        month_end_close: MonthEndClose | None = None,
        payroll_cutoff: PayrollCutoff | None = None,
        billing_runs: tuple[BillingRun, ...] = (),
        one_off: tuple[Freeze, ...] = (),
    ):
        self.company, self.timezone, self.public_holidays = company, timezone, public_holidays
        self.month_end_close, self.payroll_cutoff = month_end_close, payroll_cutoff
        self.billing_runs, self.one_off = tuple(billing_runs), tuple(one_off)

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.company!r}, {self.timezone.key!r})"

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and (self.public_holidays is None or day not in self.public_holidays)

    def freeze_at(self, when: datetime) -> Freeze | None:
        """The freeze in force at `when`; of overlapping ones, the one that ends last."""
        moment = _utc(when, "when")
        active = list(self._windows(moment, moment + timedelta(microseconds=1)))
        return max(active, key=_end_key) if active else None

    def next_open(self, when: datetime) -> datetime:
        """The first instant >= `when` in no freeze, in the calendar's zone; chained freezes are skipped."""
        moment = _utc(when, "when")
        while (freeze := self.freeze_at(moment)) is not None:
            moment = freeze.ends.astimezone(UTC)
            if moment - when > HORIZON:
                raise InputError(
                    f"calendar of {self.company}: freezes leave no open slot within {HORIZON.days} days after {when.isoformat()}"
                )
        return moment.astimezone(self.timezone)

    def open_until(self, when: datetime) -> datetime | None:
        """When the next freeze after `when` starts (`when` itself while one is in force); None when none does
        within the horizon."""
        moment = _utc(when, "when")
        starts = [f.starts for f in self.freezes_between(moment, moment + HORIZON) if f.ends > moment]
        return max(min(starts), moment) if starts else None

    def freezes_between(self, start: datetime, end: datetime) -> list[Freeze]:
        """Every freeze overlapping [start, end), by start."""
        return sorted(self._windows(start, end), key=lambda f: (f.starts.timestamp(), f.ends.timestamp(), f.name))

    # -- computing windows -------------------------------------------------------------

    def _windows(self, start: datetime, end: datetime) -> Iterator[Freeze]:
        start, end = _utc(start, "start"), _utc(end, "end")
        first, last = start.astimezone(self.timezone).date(), end.astimezone(self.timezone).date()
        candidates: list[Freeze] = list(self.one_off)
        if self.month_end_close:
            candidates += (self._month_end(y, m) for y, m in _months(first, last, before=2, after=1))
        if self.payroll_cutoff:
            candidates += self._payrolls(first, last)
        for run in self.billing_runs:
            candidates += (self._billing(run, y, m) for y, m in _months(first, last, before=1, after=1))
        for freeze in candidates:
            if freeze.starts < end and freeze.ends > start:
                yield freeze

    def _month_end(self, year: int, month: int) -> Freeze:
        """The close of `month`, reaching into the next one."""
        rule = self.month_end_close
        month_end = _month_start(year, month + 1) - timedelta(days=1)
        if rule.last_business_days:
            opens = self._nth_business_day(month_end, rule.last_business_days, step=-1)
        else:
            opens = self._nth_business_day(month_end + timedelta(days=1), 1, step=1)
        if rule.first_business_days:
            closes = self._nth_business_day(month_end + timedelta(days=1), rule.first_business_days, step=1)
        else:
            closes = self._nth_business_day(month_end, 1, step=-1)
        return Freeze("month-end close", self._at(opens, (0, 0)), self._at(closes + timedelta(days=1), (0, 0)))

    def _payrolls(self, first: date, last: date) -> Iterator[Freeze]:
        rule = self.payroll_cutoff
        period = 7 * rule.every_weeks
        k = (first - rule.anchor).days // period - 1
        while (day := rule.anchor + timedelta(days=k * period)) <= last + timedelta(days=1):
            yield Freeze("payroll cut-off", self._at(day, rule.starts), self._at(day + timedelta(days=rule.days), rule.ends))
            k += 1

    def _billing(self, run: BillingRun, year: int, month: int) -> Freeze:
        last = (_month_start(year, month + 1) - timedelta(days=1)).day
        day = date(year, month, min(run.day_of_month, last))
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return Freeze("billing run", self._at(day, run.starts), self._at(day, run.ends))

    def _nth_business_day(self, day: date, n: int, step: int) -> date:
        """The nth business day counting from `day` (included) by `step` days."""
        while True:
            if self.is_business_day(day):
                n -= 1
                if n == 0:
                    return day
            day += timedelta(days=step)

    def _at(self, day: date, hour_minute: tuple[int, int]) -> datetime:
        """Company wall time on `day` ("24:00" is the next midnight), normalised through UTC
        so a time in the spring-forward gap becomes the instant it denotes."""
        hour, minute = hour_minute
        local = datetime.combine(day + timedelta(days=hour // 24), time(hour % 24, minute), tzinfo=self.timezone)
        return local.astimezone(UTC).astimezone(self.timezone)


def _utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be time-zone aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _end_key(freeze: Freeze) -> float:
    return freeze.ends.timestamp()  # not the datetimes: same-zone comparison is by wall clock


def _month_start(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def _months(first: date, last: date, before: int, after: int) -> Iterator[tuple[int, int]]:
    index, stop = first.year * 12 + first.month - 1 - before, last.year * 12 + last.month - 1 + after
    for i in range(index, stop + 1):
        yield i // 12, i % 12 + 1
