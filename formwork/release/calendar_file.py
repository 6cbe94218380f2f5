"""The release calendar's YAML file, read into a `calendar.BusinessCalendar`.

One YAML file per company (and time zone). A production promotion that falls in a
freeze waits for the next open slot, or is refused with that slot named.

    company: Northbridge Construction Ltd
    timezone: Europe/London                       # IANA zone; every time below is company time
    holidays: {country: GB, subdivision: ENG}     # optional; the `holidays` library's codes
    freezes:                                      # every key optional
      month_end_close: {last_business_days: 2, first_business_days: 3}
      payroll_cutoff: {every_weeks: 2, anchor: 2026-01-08, weekday: thursday, from: "12:00",
                       until_weekday: friday, until: "18:00"}
      billing_runs: [{day_of_month: 25, from: "06:00", until: "20:00"}]
      one_off: [{from: "2026-12-23T00:00", until: "2027-01-04T08:00", reason: Christmas shutdown}]

A business day is Monday to Friday and not a public holiday of country/subdivision.

- month_end_close: one continuous window from 00:00 of the Nth-last business day of a
  month to 00:00 after the Mth business day of the next (N = last_business_days,
  M = first_business_days, each 0..10, default 0; with N = 0 it opens at 00:00 of the
  next month's first business day, with M = 0 it ends at 00:00 after the last one).
- payroll_cutoff: weekday `from` to until_weekday (default: the same day) `until`, every
  `every_weeks` weeks (default 1) counted from `anchor` (a date on that weekday,
  required when every_weeks > 1), and backwards from it too.
- billing_runs: `from`-`until` on day_of_month (a day past the month's end means its
  last day); if that is not a business day, on the business day before it.
- one_off: ISO date-times (company time unless they carry an offset), until exclusive.

Times are quoted "HH:MM" (unquoted 18:00 is a number to YAML); an `until` may be "24:00".
Windows are [starts, ends). Every complaint is one line naming file, line, key and value.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_lib

from formwork.release.calendar import (
    BillingRun,
    BusinessCalendar,
    Freeze,
    MonthEndClose,
    PayrollCutoff,
)
from formwork.rulefile import Source, show

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_CLOSE_DAYS = 10
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_TOP = ("company", "timezone", "holidays", "freezes")
_FREEZES = ("month_end_close", "payroll_cutoff", "billing_runs", "one_off")


def load_calendar(path: str | Path) -> BusinessCalendar:
    src = Source(str(path), ", ".join(_TOP))
    doc = src.doc
    _keys(src, [], doc, _TOP, required=("company", "timezone"))
    company = doc["company"]
    if not isinstance(company, str) or not company.strip():
        raise src.error(["company"], f"{show(company)}: expected the company's name")
    zone = _zone(src, doc["timezone"])
    public_holidays = _holidays(src, doc["holidays"]) if "holidays" in doc else None
    freezes = {} if doc.get("freezes") is None else doc["freezes"]
    _keys(src, ["freezes"], freezes, _FREEZES)
    base = ["freezes"]
    one_off = _list(src, base + ["one_off"], freezes.get("one_off", []))
    billing = _list(src, base + ["billing_runs"], freezes.get("billing_runs", []))
    return BusinessCalendar(
        company,
        zone,
        public_holidays,
        month_end_close=_month_end_close(src, base + ["month_end_close"], freezes["month_end_close"])
        if "month_end_close" in freezes
        else None,
        payroll_cutoff=_payroll(src, base + ["payroll_cutoff"], freezes["payroll_cutoff"])
        if "payroll_cutoff" in freezes
        else None,
        billing_runs=tuple(_billing_run(src, base + ["billing_runs", i], run) for i, run in enumerate(billing)),
        one_off=tuple(_one_off(src, base + ["one_off", i], entry, zone) for i, entry in enumerate(one_off)),
    )


def _keys(src: Source, path: list, value: Any, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
    if not isinstance(value, dict):
        raise src.error(path, f"expected a mapping, got {show(value)}")
    for key in value:
        if key not in allowed:
            raise src.error(path + [key], f"unknown key (expected one of {', '.join(allowed)})")
    for key in required:
        if key not in value:
            raise src.error(path + [key], "missing required key", src.line(path))


def _list(src: Source, path: list, value: Any) -> list:
    if not isinstance(value, list):
        raise src.error(path, f"expected a list, got {show(value)}")
    return value


def _zone(src: Source, name: Any) -> ZoneInfo:
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise src.error(["timezone"], f"{show(name)}: expected an IANA time zone name such as Europe/London")


def _holidays(src: Source, spec: Any) -> holiday_lib.HolidayBase:
    path = ["holidays"]
    _keys(src, path, spec, ("country", "subdivision"), required=("country",))
    country, subdivision = spec["country"], spec.get("subdivision")
    supported = holiday_lib.list_supported_countries()
    if not isinstance(country, str) or country not in supported:
        raise src.error(path + ["country"], f"{show(country)}: not a country code of the holidays library (e.g. GB, IE, US)")
    if subdivision is not None and not isinstance(subdivision, str):
        raise src.error(path + ["subdivision"], f"{show(subdivision)}: expected a subdivision code such as ENG")
    try:
        return holiday_lib.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        known = ", ".join(supported[country]) or "none"
        raise src.error(path + ["subdivision"], f"{show(subdivision)}: not a subdivision of {country} (known: {known})") from None


def _int(src: Source, path: list, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise src.error(path, f"{show(value)}: expected a whole number from {low} to {high}")
    return value


def _time(src: Source, path: list, value: Any, *, until: bool = False) -> tuple[int, int]:
    match = _TIME.match(value) if isinstance(value, str) else None
    hour, minute = (int(match[1]), int(match[2])) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59 or until and (hour, minute) == (24, 0)):
        wanted = '"HH:MM" or "24:00"' if until else '"HH:MM"'
        hint = " (unquoted HH:MM is a number to YAML: quote it)" if isinstance(value, int) and not isinstance(value, bool) else ""
        raise src.error(path, f"{show(value)}: expected a time {wanted}{hint}")
    return hour, minute


def _weekday(src: Source, path: list, value: Any) -> int:
    if not isinstance(value, str) or value.lower() not in WEEKDAYS:
        raise src.error(path, f"{show(value)}: expected a weekday name (monday..sunday)")
    return WEEKDAYS.index(value.lower())


def _month_end_close(src: Source, path: list, spec: Any) -> MonthEndClose:
    _keys(src, path, spec, ("last_business_days", "first_business_days"))
    last = _int(src, path + ["last_business_days"], spec.get("last_business_days", 0), 0, MAX_CLOSE_DAYS)
    first = _int(src, path + ["first_business_days"], spec.get("first_business_days", 0), 0, MAX_CLOSE_DAYS)
    if not last and not first:
        raise src.error(path, "freezes nothing: give last_business_days and/or first_business_days above 0")
    return MonthEndClose(last, first)


def _payroll(src: Source, path: list, spec: Any) -> PayrollCutoff:
    keys = ("every_weeks", "anchor", "weekday", "from", "until_weekday", "until")
    _keys(src, path, spec, keys, required=("weekday", "from", "until"))
    every = _int(src, path + ["every_weeks"], spec.get("every_weeks", 1), 1, 52)
    weekday = _weekday(src, path + ["weekday"], spec["weekday"])
    until_weekday = _weekday(src, path + ["until_weekday"], spec["until_weekday"]) if "until_weekday" in spec else weekday
    starts, ends = _time(src, path + ["from"], spec["from"]), _time(src, path + ["until"], spec["until"], until=True)
    days = (until_weekday - weekday) % 7
    if days == 0 and ends <= starts:
        raise src.error(path + ["until"], f"{show(spec['until'])}: before from {show(spec['from'])} on the same day")
    if "anchor" in spec:
        anchor = _date(src, path + ["anchor"], spec["anchor"])
        if anchor.weekday() != weekday:
            actual = WEEKDAYS[anchor.weekday()]
            raise src.error(path + ["anchor"], f"{show(spec['anchor'])}: is a {actual}, not a {WEEKDAYS[weekday]}")
    elif every > 1:
        raise src.error(
            path + ["anchor"], f"missing required key: the date of one cut-off, to count every {every} weeks from", src.line(path)
        )
    else:
        anchor = date(2001, 1, 1) + timedelta(days=weekday)  # 2001-01-01 was a Monday
    return PayrollCutoff(every, anchor, starts, days, ends)


def _date(src: Source, path: list, value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise src.error(path, f"{show(value)}: expected a date YYYY-MM-DD") from None


def _billing_run(src: Source, path: list, spec: Any) -> BillingRun:
    _keys(src, path, spec, ("day_of_month", "from", "until"), required=("day_of_month", "from", "until"))
    day = _int(src, path + ["day_of_month"], spec["day_of_month"], 1, 31)
    starts, ends = _time(src, path + ["from"], spec["from"]), _time(src, path + ["until"], spec["until"], until=True)
    if ends <= starts:
        raise src.error(path + ["until"], f"{show(spec['until'])}: not after from {show(spec['from'])}")
    return BillingRun(day, starts, ends)


def _one_off(src: Source, path: list, spec: Any, zone: ZoneInfo) -> Freeze:
    _keys(src, path, spec, ("from", "until", "reason"), required=("from", "until", "reason"))
    reason = spec["reason"]
    if not isinstance(reason, str) or not reason.strip():
        raise src.error(path + ["reason"], f"{show(reason)}: expected a few words saying why")
    starts, ends = (_moment(src, path + [key], spec[key], zone) for key in ("from", "until"))
    if ends.timestamp() <= starts.timestamp():
        raise src.error(path + ["until"], f"{show(spec['until'])}: not after from {show(spec['from'])}")
    return Freeze(reason.strip(), starts, ends)


def _moment(src: Source, path: list, value: Any, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise src.error(path, f"{show(value)}: expected a date-time YYYY-MM-DDTHH:MM (company time)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC).astimezone(zone)
