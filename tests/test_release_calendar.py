"""The release calendar, computed for real: English bank holidays, construction freezes, DST, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from formwork.errors import InputError
from formwork.release.calendar import Freeze
from formwork.release.calendar_file import load_calendar

LONDON = ZoneInfo("Europe/London")
NORTHBRIDGE = Path(__file__).resolve().parent.parent / "calendars" / "northbridge.yaml"
HEAD = "company: Test Co\ntimezone: Europe/London\nholidays: {country: GB, subdivision: ENG}\n"


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def calendar(tmp_path: Path, freezes: str, head: str = HEAD):
    path = tmp_path / "calendar.yaml"
    path.write_text(head + "freezes:\n" + freezes)
    return load_calendar(path)


def windows(cal, name: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    return [(f.starts, f.ends) for f in cal.freezes_between(start, end) if f.name == name]


# -- business days --------------------------------------------------------------------


def test_english_bank_holidays_and_weekends_are_not_business_days():
    cal = load_calendar(NORTHBRIDGE)
    assert [cal.is_business_day(date(2026, 12, d)) for d in range(24, 32)] == [
        True,
        False,
        False,
        False,
        False,
        True,
        True,
        True,
    ]  # 25 Christmas, 26-27 weekend, 28 Boxing Day (observed)
    assert not cal.is_business_day(date(2027, 1, 1))
    assert cal.is_business_day(date(2027, 1, 4))
    assert not cal.is_business_day(date(2026, 8, 31))  # Late Summer Bank Holiday (England, not Scotland)


def test_without_holidays_only_weekends_are_closed(tmp_path):
    cal = calendar(tmp_path, "  one_off: []\n", head="company: Test Co\ntimezone: Europe/London\n")
    assert cal.is_business_day(date(2026, 12, 25))
    assert not cal.is_business_day(date(2026, 12, 26))
    assert cal.freezes_between(london(2026, 1, 1), london(2027, 1, 1)) == []


# -- month-end close ------------------------------------------------------------------


def test_month_end_close_of_november_and_december_2026(tmp_path):
    cal = calendar(tmp_path, "  month_end_close: {last_business_days: 2, first_business_days: 3}\n")
    assert windows(cal, "month-end close", london(2026, 11, 15), london(2027, 1, 15)) == [
        (london(2026, 11, 27), london(2026, 12, 4)),  # Fri 27 + Mon 30 Nov, then 1-3 Dec
        (london(2026, 12, 30), london(2027, 1, 7)),  # 30-31 Dec, then 4-6 Jan (1 Jan is a bank holiday)
    ]


def test_month_end_close_counts_only_business_days(tmp_path):
    cal = calendar(tmp_path, "  month_end_close: {last_business_days: 4, first_business_days: 1}\n")
    # Last 4 business days of December 2026: 31, 30, 29, then back past 28 (observed), the weekend and 25 to 24.
    assert windows(cal, "month-end close", london(2026, 12, 15), london(2027, 1, 15)) == [
        (london(2026, 12, 24), london(2027, 1, 5))
    ]


@pytest.mark.parametrize(
    "rule, window",
    [
        ("{first_business_days: 2}", (london(2027, 1, 4), london(2027, 1, 6))),  # opens on the first business day
        ("{last_business_days: 1}", (london(2026, 12, 31), london(2027, 1, 1))),  # ends after the last one
    ],
)
def test_month_end_close_on_one_side_only(tmp_path, rule, window):
    cal = calendar(tmp_path, f"  month_end_close: {rule}\n")
    assert windows(cal, "month-end close", london(2026, 12, 15), london(2027, 1, 15)) == [window]


def test_next_open_inside_month_end_close_is_the_instant_it_ends(tmp_path):
    cal = calendar(tmp_path, "  month_end_close: {last_business_days: 2, first_business_days: 3}\n")
    freeze = cal.freeze_at(london(2026, 12, 31, 15, 0))
    assert freeze == Freeze("month-end close", london(2026, 12, 30), london(2027, 1, 7))
    assert cal.next_open(london(2026, 12, 31, 15, 0)) == london(2027, 1, 7)
    assert cal.freeze_at(london(2027, 1, 7)) is None  # the end is exclusive
    assert cal.freeze_at(london(2027, 1, 6, 23, 59, 59)) == freeze
    just_before = london(2026, 12, 29, 23, 59, 59)
    assert cal.freeze_at(just_before) is None and cal.next_open(just_before) == just_before


# -- payroll cut-off -----------------------------------------------------------------

PAYROLL = (
    '  payroll_cutoff: {every_weeks: 2, anchor: 2026-01-08, weekday: thursday, from: "12:00",'
    ' until_weekday: friday, until: "18:00"}\n'
)


def test_payroll_cutoff_every_other_thursday_noon_to_friday_evening(tmp_path):
    cal = calendar(tmp_path, PAYROLL)
    assert windows(cal, "payroll cut-off", london(2026, 1, 1), london(2026, 2, 1)) == [
        (london(2026, 1, 8, 12), london(2026, 1, 9, 18)),
        (london(2026, 1, 22, 12), london(2026, 1, 23, 18)),
    ]
    assert cal.freeze_at(london(2026, 1, 8, 11, 59)) is None
    assert cal.freeze_at(london(2026, 1, 8, 12)).name == "payroll cut-off"
    assert cal.next_open(london(2026, 1, 8, 13)) == london(2026, 1, 9, 18)
    assert cal.freeze_at(london(2026, 1, 9, 18)) is None
    for off_week in (london(2026, 1, 15, 14), london(2026, 1, 16, 9), london(2026, 12, 17, 14)):
        assert cal.freeze_at(off_week) is None and cal.next_open(off_week) == off_week
    assert cal.freeze_at(london(2026, 12, 24, 14)) is not None  # 50 weeks after the anchor
    assert cal.freeze_at(london(2025, 12, 25, 14)) is not None  # the cadence runs backwards too


def test_payroll_cutoff_keeps_company_time_across_the_clock_change(tmp_path):
    cal = calendar(tmp_path, PAYROLL)
    # Clocks go back on 25 Oct 2026: noon is 11:00 UTC on 15 Oct (BST) and 12:00 UTC on 29 Oct (GMT).
    assert cal.freeze_at(utc(2026, 10, 15, 11, 30)) is not None
    assert cal.freeze_at(utc(2026, 10, 29, 11, 30)) is None
    assert cal.next_open(utc(2026, 10, 30, 17, 30)) == utc(2026, 10, 30, 18)


# -- billing runs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "day_of_month, month, run_day",
    [
        (25, (2026, 10), date(2026, 10, 23)),  # Sunday 25th -> Friday
        (25, (2027, 4), date(2027, 4, 23)),  # Sunday 25th -> Friday
        (25, (2026, 12), date(2026, 12, 24)),  # Christmas Day -> Christmas Eve
        (25, (2026, 11), date(2026, 11, 25)),  # a Wednesday stays
        (31, (2027, 2), date(2027, 2, 26)),  # past the month's end -> 28th, a Sunday -> Friday 26th
        (1, (2026, 8), date(2026, 7, 31)),  # Saturday 1 Aug -> Friday 31 Jul
    ],
)
def test_billing_run_not_on_a_business_day_moves_to_the_business_day_before(tmp_path, day_of_month, month, run_day):
    cal = calendar(tmp_path, f'  billing_runs: [{{day_of_month: {day_of_month}, from: "06:00", until: "20:00"}}]\n')
    month_start = london(*month, 1)
    runs = windows(cal, "billing run", month_start - timedelta(days=3), month_start + timedelta(days=31))
    ymd = (run_day.year, run_day.month, run_day.day)
    assert (london(*ymd, 6), london(*ymd, 20)) in runs
    assert cal.freeze_at(london(*ymd, 5, 59)) is None
    assert cal.next_open(london(*ymd, 7)) == london(*ymd, 20)


def test_billing_run_on_a_weekend_leaves_the_weekend_open(tmp_path):
    cal = calendar(tmp_path, '  billing_runs: [{day_of_month: 25, from: "06:00", until: "20:00"}]\n')
    assert cal.freeze_at(london(2026, 10, 25, 12)) is None
    assert cal.freeze_at(london(2026, 10, 24, 12)) is None


# -- one-off windows, chains -------------------------------------------------------------


def test_one_off_window(tmp_path):
    cal = calendar(
        tmp_path,
        "  one_off:\n"
        '    - {from: "2026-12-23T00:00", until: "2027-01-04T08:00", reason: Christmas shutdown}\n'
        '    - {from: "2026-07-01T09:00+02:00", until: "2026-07-01T10:00+02:00", reason: DC move}\n',
    )
    assert cal.freeze_at(london(2026, 12, 22, 23, 59)) is None
    assert cal.freeze_at(london(2026, 12, 23)) == Freeze("Christmas shutdown", london(2026, 12, 23), london(2027, 1, 4, 8))
    assert cal.next_open(london(2026, 12, 28, 10)) == london(2027, 1, 4, 8)
    assert cal.freeze_at(london(2026, 7, 1, 8, 30)).name == "DC move"  # 09:00+02:00 is 08:00 in London (BST)
    assert cal.freeze_at(london(2026, 7, 1, 9)) is None


def test_overlapping_and_adjacent_freezes_chain(tmp_path):
    cal = calendar(
        tmp_path,
        PAYROLL + "  one_off:\n"
        '    - {from: "2026-01-08T09:00", until: "2026-01-08T13:00", reason: ledger migration}\n'
        '    - {from: "2026-01-09T18:00", until: "2026-01-09T19:30", reason: index rebuild}\n',
    )
    assert [f.name for f in cal.freezes_between(london(2026, 1, 8), london(2026, 1, 10))] == [
        "ledger migration",
        "payroll cut-off",
        "index rebuild",
    ]
    assert cal.freeze_at(london(2026, 1, 8, 12, 30)).name == "payroll cut-off"  # of two, the one ending last
    assert cal.next_open(london(2026, 1, 8, 10)) == london(2026, 1, 9, 19, 30)


def test_northbridge_christmas_chains_into_the_month_end_close():
    cal = load_calendar(NORTHBRIDGE)
    assert cal.company == "Northbridge Construction Ltd" and cal.timezone == LONDON
    # Shutdown until 4 Jan 08:00, but the December close runs to 00:00 on 7 Jan; payroll starts at noon that day.
    assert cal.next_open(london(2026, 12, 29, 10)) == london(2027, 1, 7)
    assert cal.freeze_at(london(2027, 1, 7, 12)).name == "payroll cut-off"


def test_freezes_that_never_open_are_refused(tmp_path):
    cal = calendar(tmp_path, '  payroll_cutoff: {weekday: monday, from: "00:00", until_weekday: sunday, until: "24:00"}\n')
    with pytest.raises(InputError, match="no open slot within 400 days"):
        cal.next_open(london(2026, 3, 3))


# -- time zones ----------------------------------------------------------------------------


def test_month_end_close_across_the_autumn_clock_change(tmp_path):
    cal = calendar(tmp_path, "  month_end_close: {last_business_days: 2, first_business_days: 3}\n")
    # October 2027 close: Thu 28 Oct 00:00 BST to Thu 4 Nov 00:00 GMT; clocks go back on Sunday 31 Oct.
    freeze = cal.freeze_at(utc(2027, 10, 27, 23, 30))  # 00:30 BST on the 28th
    assert freeze == Freeze("month-end close", london(2027, 10, 28), london(2027, 11, 4))
    assert freeze.starts.utcoffset() == timedelta(hours=1) and freeze.ends.utcoffset() == timedelta(0)
    assert freeze.ends.astimezone(UTC) - freeze.starts.astimezone(UTC) == timedelta(days=7, hours=1)
    assert cal.freeze_at(utc(2027, 10, 27, 22, 59)) is None  # 23:59 BST on the 27th
    assert cal.next_open(utc(2027, 11, 1, 9)) == utc(2027, 11, 4)


def test_times_in_the_repeated_hour_are_told_apart(tmp_path):
    # 25 Oct 2026 01:00-02:00 happens twice in London; a one-off given in UTC pins the second one.
    cal = calendar(tmp_path, '  one_off: [{from: "2026-10-25T01:00+00:00", until: "2026-10-25T02:00+00:00", reason: patch}]\n')
    assert cal.freeze_at(utc(2026, 10, 25, 0, 30)) is None  # 01:30 BST
    assert cal.freeze_at(utc(2026, 10, 25, 1, 30)) is not None  # 01:30 GMT
    assert cal.next_open(utc(2026, 10, 25, 1, 30)) == utc(2026, 10, 25, 2)


def test_instants_in_any_zone_and_naive_ones_refused():
    cal = load_calendar(NORTHBRIDGE)
    new_york = datetime(2026, 12, 31, 10, tzinfo=ZoneInfo("America/New_York"))  # 15:00 in London
    assert cal.freeze_at(new_york) == cal.freeze_at(london(2026, 12, 31, 15))
    assert cal.next_open(new_york).tzinfo == LONDON
    naive = datetime(2026, 12, 31, 15)
    for call in (
        lambda: cal.freeze_at(naive),
        lambda: cal.next_open(naive),
        lambda: cal.freezes_between(naive, london(2027, 1, 1)),
        lambda: cal.freezes_between(london(2026, 12, 1), naive),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()


# -- errors ----------------------------------------------------------------------------------

FULL = """\
company: Test Co
timezone: Europe/London
holidays:
  country: GB
  subdivision: ENG
freezes:
  month_end_close:
    last_business_days: 2
    first_business_days: 3
  payroll_cutoff:
    every_weeks: 2
    anchor: 2026-01-08
    weekday: thursday
    from: "12:00"
    until_weekday: friday
    until: "18:00"
  billing_runs:
    - day_of_month: 25
      from: "06:00"
      until: "20:00"
  one_off:
    - from: "2026-12-23T00:00"
      until: "2027-01-04T08:00"
      reason: Christmas shutdown
"""


def test_the_block_style_file_means_the_same_as_northbridge(tmp_path):
    (tmp_path / "full.yaml").write_text(FULL)
    ours, theirs = load_calendar(tmp_path / "full.yaml"), load_calendar(NORTHBRIDGE)
    span = (london(2026, 1, 1), london(2027, 3, 1))
    assert ours.freezes_between(*span) == theirs.freezes_between(*span)


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        (
            "weekday: thursday",
            "weekday: thursdy",
            13,
            "freezes.payroll_cutoff.weekday: 'thursdy': expected a weekday name (monday..sunday)",
        ),
        (
            "  month_end_close:",
            "  month_end:",
            7,
            "freezes.month_end: unknown key (expected one of month_end_close, payroll_cutoff, billing_runs, one_off)",
        ),
        (
            "company: Test Co",
            "compnay: Test Co",
            1,
            "compnay: unknown key (expected one of company, timezone, holidays, freezes)",
        ),
        ("timezone: Europe/London\n", "", 1, "timezone: missing required key"),
        (
            "timezone: Europe/London",
            "timezone: Europe/Lundon",
            2,
            "timezone: 'Europe/Lundon': expected an IANA time zone name such as Europe/London",
        ),
        ("country: GB", "country: XX", 4, "holidays.country: 'XX': not a country code of the holidays library"),
        (
            "subdivision: ENG",
            "subdivision: XYZ",
            5,
            "holidays.subdivision: 'XYZ': not a subdivision of GB (known: ENG, NIR, SCT, WLS)",
        ),
        (
            "last_business_days: 2",
            "last_business_days: two",
            8,
            "freezes.month_end_close.last_business_days: 'two': expected a whole number from 0 to 10",
        ),
        (
            "anchor: 2026-01-08",
            "anchor: 2026-01-09",
            12,
            "freezes.payroll_cutoff.anchor: '2026-01-09': is a friday, not a thursday",
        ),
        (
            "anchor: 2026-01-08",
            "anchor: 8 Jan 2026",
            12,
            "freezes.payroll_cutoff.anchor: '8 Jan 2026': expected a date YYYY-MM-DD",
        ),
        ("    anchor: 2026-01-08\n", "", 10, "freezes.payroll_cutoff.anchor: missing required key"),
        (
            'from: "12:00"\n    until_weekday: friday',
            'from: "19:00"\n    until_weekday: thursday',
            16,
            "freezes.payroll_cutoff.until: '18:00': before from '19:00' on the same day",
        ),
        (
            'until: "18:00"',
            "until: 18:00",
            16,
            'freezes.payroll_cutoff.until: 1080: expected a time "HH:MM" or "24:00" (unquoted HH:MM is a number to YAML: quote it)',
        ),
        ('from: "06:00"', 'from: "25:00"', 19, "freezes.billing_runs[0].from: '25:00': expected a time \"HH:MM\""),
        ('until: "20:00"', 'until: "05:00"', 20, "freezes.billing_runs[0].until: '05:00': not after from '06:00'"),
        (
            "- day_of_month: 25",
            "- day_of_month: 32",
            18,
            "freezes.billing_runs[0].day_of_month: 32: expected a whole number from 1 to 31",
        ),
        (
            "- day_of_month: 25",
            "- day: 25",
            18,
            "freezes.billing_runs[0].day: unknown key (expected one of day_of_month, from, until)",
        ),
        (
            'until: "2027-01-04T08:00"',
            'until: "2026-12-22T08:00"',
            23,
            "freezes.one_off[0].until: '2026-12-22T08:00': not after from '2026-12-23T00:00'",
        ),
        (
            'from: "2026-12-23T00:00"',
            'from: "23/12/2026"',
            22,
            "freezes.one_off[0].from: '23/12/2026': expected a date-time YYYY-MM-DDTHH:MM (company time)",
        ),
    ],
)
def test_errors_name_file_line_key_and_value(tmp_path, old, new, line, message):
    assert FULL.count(old) == 1
    path = tmp_path / "calendars" / "x.yaml"
    path.parent.mkdir()
    path.write_text(FULL.replace(old, new))
    with pytest.raises(InputError) as caught:
        load_calendar(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"{path}:{line}: {message}")


def test_unreadable_and_malformed_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_calendar(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- company: x\n")
    with pytest.raises(InputError, match="top level must be a mapping"):
        load_calendar(tmp_path / "list.yaml")
