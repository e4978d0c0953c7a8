"""Tables of named cases for the working calendar, each checked against SEMANTICS.md.

Instants are compared as instants (``x - EPOCH``), never with ``==`` between
datetimes: Python compares two datetimes in the same zone by wall clock and
ignores ``fold``, which would hide exactly the DST mistakes these cases are for.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from reference import RefCalendar

from slaclock import DAY_NAMES, Calendar, Period, WeeklyHours
from slaclock.errors import NoClosingTimeError

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
TOKYO = ZoneInfo("Asia/Tokyo")
APIA = ZoneInfo("Pacific/Apia")
MINUS_FIVE = dt.timezone(dt.timedelta(hours=-5))

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
US = dt.timedelta(microseconds=1)
ZERO = dt.timedelta(0)


def at(zone: dt.tzinfo, *args: int, fold: int = 0) -> dt.datetime:
    """Return the aware datetime ``datetime(*args)`` in ``zone``."""
    return dt.datetime(*args, tzinfo=zone, fold=fold)  # type: ignore[misc]


def utc(text: str) -> dt.datetime:
    """Return the UTC instant written ``"2026-03-29T01:00"``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def assert_instant(result: dt.datetime, expected: dt.datetime, cal: Calendar) -> None:
    """Assert ``result`` is the instant ``expected``, given in the calendar's zone."""
    assert result - EPOCH == expected - EPOCH, f"{result.isoformat()} != {expected.isoformat()}"
    assert result.tzinfo is cal.tz


def midnight(zone: ZoneInfo, day: dt.date) -> dt.datetime:
    """Return the first instant of local ``day`` in ``zone`` (midnight exists in these cases)."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    assert local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)
    return local


def test_example_dates_fall_on_the_weekdays_the_cases_assume() -> None:
    days = {
        "fri": ["2026-11-20", "2026-03-27", "2026-10-23", "2026-03-06", "2026-10-30"],
        "mon": ["2026-11-16", "2026-11-23", "2026-12-28"],
        "sat": ["2026-03-07", "2026-10-31", "2026-10-24", "2026-03-28", "2026-10-03"],
        "sun": ["2026-03-29", "2026-10-25", "2026-03-08", "2026-11-01", "2026-04-05"],
    }
    for name, dates in days.items():
        for text in dates:
            assert DAY_NAMES[dt.date.fromisoformat(text).weekday()] == name, text


# -- the Friday 16:55 call ------------------------------------------------------

NINE_TO_FIVE = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
FRIDAY_1655 = at(LONDON, 2026, 11, 20, 16, 55)
FRIDAY_1700 = at(LONDON, 2026, 11, 20, 17, 0)
MONDAY_0900 = at(LONDON, 2026, 11, 23, 9, 0)
MONDAY_0905 = at(LONDON, 2026, 11, 23, 9, 5)

ADD_CASES = [
    pytest.param(FRIDAY_1655, 10 * MIN, MONDAY_0905, id="friday-1655-plus-10-min-is-monday-0905"),
    pytest.param(FRIDAY_1655, 5 * MIN, FRIDAY_1700, id="friday-1655-plus-5-min-is-friday-1700"),
    pytest.param(FRIDAY_1655, ZERO, FRIDAY_1655, id="plus-zero-is-itself"),
    pytest.param(FRIDAY_1700, ZERO, FRIDAY_1700, id="plus-zero-at-closing-is-itself"),
    pytest.param(
        FRIDAY_1655, 4 * H, at(LONDON, 2026, 11, 23, 12, 55), id="plus-4-h-is-monday-1255"
    ),
    pytest.param(
        FRIDAY_1655, 5 * MIN + US, at(LONDON, 2026, 11, 23, 9, 0, 0, 1), id="microseconds-kept"
    ),
    pytest.param(FRIDAY_1700, 1 * MIN, at(LONDON, 2026, 11, 23, 9, 1), id="from-closing-time"),
    pytest.param(
        at(LONDON, 2026, 11, 21, 12, 0), H, at(LONDON, 2026, 11, 23, 10, 0), id="from-saturday"
    ),
    pytest.param(
        FRIDAY_1655, 40 * H, at(LONDON, 2026, 11, 27, 16, 55), id="a-whole-working-week-later"
    ),
    pytest.param(MONDAY_0905, -10 * MIN, FRIDAY_1655, id="negative-duration-subtracts"),
]


@pytest.mark.parametrize(("start", "duration", "expected"), ADD_CASES)
def test_friday_call_add(start: dt.datetime, duration: dt.timedelta, expected: dt.datetime) -> None:
    assert_instant(NINE_TO_FIVE.add(start, duration), expected, NINE_TO_FIVE)


SUBTRACT_CASES = [
    pytest.param(MONDAY_0905, 10 * MIN, FRIDAY_1655, id="monday-0905-minus-10-min-is-friday-1655"),
    pytest.param(MONDAY_0905, 5 * MIN, MONDAY_0900, id="minus-5-min-is-monday-0900-the-latest"),
    pytest.param(MONDAY_0900, 5 * MIN, FRIDAY_1655, id="monday-0900-minus-5-min-is-friday-1655"),
    pytest.param(FRIDAY_1700, 5 * MIN, FRIDAY_1655, id="friday-1700-minus-5-min"),
    pytest.param(MONDAY_0905, ZERO, MONDAY_0905, id="minus-zero-is-itself"),
    pytest.param(
        at(LONDON, 2026, 11, 22, 12, 0), H, at(LONDON, 2026, 11, 20, 16, 0), id="from-sunday"
    ),
    pytest.param(FRIDAY_1655, -10 * MIN, MONDAY_0905, id="negative-duration-adds"),
]


@pytest.mark.parametrize(("end", "duration", "expected"), SUBTRACT_CASES)
def test_friday_call_subtract(
    end: dt.datetime, duration: dt.timedelta, expected: dt.datetime
) -> None:
    assert_instant(NINE_TO_FIVE.subtract(end, duration), expected, NINE_TO_FIVE)


ELAPSED_CASES = [
    pytest.param(FRIDAY_1655, MONDAY_0905, 10 * MIN, id="friday-1655-to-monday-0905-is-10-min"),
    pytest.param(MONDAY_0905, FRIDAY_1655, -10 * MIN, id="reversed-is-negative"),
    pytest.param(FRIDAY_1655, FRIDAY_1700, 5 * MIN, id="to-closing-time"),
    pytest.param(FRIDAY_1700, MONDAY_0900, ZERO, id="the-weekend-is-closed"),
    pytest.param(FRIDAY_1655, FRIDAY_1655, ZERO, id="empty-span"),
    pytest.param(
        at(LONDON, 2026, 11, 16, 0, 0), at(LONDON, 2026, 11, 23, 0, 0), 40 * H, id="a-whole-week"
    ),
    pytest.param(
        at(LONDON, 2026, 1, 1, 0, 0),
        at(LONDON, 2027, 1, 1, 0, 0),
        261 * 8 * H,
        id="a-whole-year-of-261-weekdays",
    ),
]


@pytest.mark.parametrize(("start", "end", "expected"), ELAPSED_CASES)
def test_friday_call_elapsed(start: dt.datetime, end: dt.datetime, expected: dt.timedelta) -> None:
    assert NINE_TO_FIVE.elapsed(start, end) == expected


IS_OPEN_CASES = [
    pytest.param(at(LONDON, 2026, 11, 20, 9, 0), True, id="opening-instant-is-open"),
    pytest.param(at(LONDON, 2026, 11, 20, 8, 59, 59, 999999), False, id="just-before-opening"),
    pytest.param(at(LONDON, 2026, 11, 20, 16, 59, 59, 999999), True, id="just-before-closing"),
    pytest.param(FRIDAY_1700, False, id="closing-instant-is-closed"),
    pytest.param(at(LONDON, 2026, 11, 21, 12, 0), False, id="saturday-noon"),
]


@pytest.mark.parametrize(("t", "expected"), IS_OPEN_CASES)
def test_friday_call_is_open(t: dt.datetime, expected: bool) -> None:
    assert NINE_TO_FIVE.is_open(t) is expected


NEXT_CASES = [
    pytest.param(FRIDAY_1655, FRIDAY_1655, FRIDAY_1700, id="open-instant"),
    pytest.param(FRIDAY_1700, MONDAY_0900, FRIDAY_1700, id="closing-instant"),
    pytest.param(at(LONDON, 2026, 11, 22, 12, 0), MONDAY_0900, None, id="sunday"),
    pytest.param(MONDAY_0900, MONDAY_0900, at(LONDON, 2026, 11, 23, 17, 0), id="opening-instant"),
]


@pytest.mark.parametrize(("t", "next_open", "next_close"), NEXT_CASES)
def test_friday_call_next_open_and_close(
    t: dt.datetime, next_open: dt.datetime, next_close: dt.datetime | None
) -> None:
    assert_instant(NINE_TO_FIVE.next_open(t), next_open, NINE_TO_FIVE)
    assert_instant(NINE_TO_FIVE.next_close(t), next_close or t, NINE_TO_FIVE)


def test_friday_call_results_read_as_the_story_says() -> None:
    assert NINE_TO_FIVE.add(FRIDAY_1655, 10 * MIN).isoformat() == "2026-11-23T09:05:00+00:00"
    assert NINE_TO_FIVE.add(FRIDAY_1655, 5 * MIN).isoformat() == "2026-11-20T17:00:00+00:00"
    assert NINE_TO_FIVE.subtract(MONDAY_0905, 10 * MIN).isoformat() == "2026-11-20T16:55:00+00:00"
    assert NINE_TO_FIVE.add(FRIDAY_1655, ZERO) == FRIDAY_1655
    assert NINE_TO_FIVE.subtract(FRIDAY_1655, ZERO) == FRIDAY_1655


def test_friday_call_periods_over_a_weekend() -> None:
    got = list(NINE_TO_FIVE.periods(FRIDAY_1655, at(LONDON, 2026, 11, 23, 10, 0)))
    assert got == [
        Period(FRIDAY_1655, FRIDAY_1700),
        Period(MONDAY_0900, at(LONDON, 2026, 11, 23, 10)),
    ]
    assert [p.duration for p in got] == [5 * MIN, H]


def test_shift_times_with_seconds_and_microseconds_are_exact() -> None:
    cal = Calendar.weekly({"mon": "09:00:30-17:00:15.5"}, tz="Europe/London")
    monday = dt.date(2026, 11, 23)
    assert day_total(cal, monday) == dt.timedelta(hours=7, minutes=59, seconds=45.5)
    assert not cal.is_open(at(LONDON, 2026, 11, 23, 9, 0, 29, 999999))
    assert cal.is_open(at(LONDON, 2026, 11, 23, 9, 0, 30))
    assert cal.is_open(at(LONDON, 2026, 11, 23, 17, 0, 15, 499999))
    assert not cal.is_open(at(LONDON, 2026, 11, 23, 17, 0, 15, 500000))
    assert_instant(
        cal.add(at(LONDON, 2026, 11, 23, 17, 0), 15 * dt.timedelta(seconds=1) + 500000 * US),
        at(LONDON, 2026, 11, 23, 17, 0, 15, 500000),
        cal,
    )


# -- daylight saving ------------------------------------------------------------

#: (zone, daily hours, local day, open time that day, the periods as UTC instants)
DST_DAY_CASES = [
    # Europe/London: spring 2026-03-29 01:00 GMT -> 02:00 BST,
    # autumn 2026-10-25 02:00 BST -> 01:00 GMT.
    pytest.param(
        LONDON,
        "00:00-04:00",
        "2026-03-29",
        3 * H,
        [("2026-03-29T00:00", "2026-03-29T03:00")],
        id="london-spring-00-04-holds-3h",
    ),
    pytest.param(
        LONDON,
        "00:00-04:00",
        "2026-10-25",
        5 * H,
        [("2026-10-24T23:00", "2026-10-25T04:00")],
        id="london-autumn-00-04-holds-5h",
    ),
    pytest.param(
        LONDON,
        "01:30-03:00",
        "2026-03-29",
        H,
        [("2026-03-29T01:00", "2026-03-29T02:00")],
        id="london-spring-0130-0300-opens-at-0200-bst-holds-1h",
    ),
    pytest.param(
        LONDON,
        "01:30-03:00",
        "2026-10-25",
        150 * MIN,
        [("2026-10-25T00:30", "2026-10-25T03:00")],
        id="london-autumn-0130-0300-first-0130-bst-to-0300-gmt-holds-2h30",
    ),
    pytest.param(
        LONDON,
        "00:00-01:30",
        "2026-10-25",
        90 * MIN,
        [("2026-10-24T23:00", "2026-10-25T00:30")],
        id="london-autumn-00-0130-closes-at-first-0130-holds-1h30",
    ),
    pytest.param(
        LONDON,
        "01:00-02:00",
        "2026-10-25",
        2 * H,
        [("2026-10-25T00:00", "2026-10-25T02:00")],
        id="london-autumn-repeated-hour-shift-holds-2h",
    ),
    pytest.param(
        LONDON,
        "01:15-01:45",
        "2026-10-25",
        30 * MIN,
        [("2026-10-25T00:15", "2026-10-25T00:45")],
        id="london-autumn-inside-repeated-hour-takes-first-occurrence",
    ),
    pytest.param(
        LONDON,
        "01:10-01:50",
        "2026-03-29",
        ZERO,
        [],
        id="london-spring-shift-inside-the-gap-is-empty",
    ),
    pytest.param(
        LONDON,
        "09:00-17:00",
        "2026-03-29",
        8 * H,
        [("2026-03-29T08:00", "2026-03-29T16:00")],
        id="london-spring-day-shift-unaffected",
    ),
    pytest.param(
        LONDON,
        "00:00-24:00",
        "2026-03-29",
        23 * H,
        [("2026-03-29T00:00", "2026-03-29T23:00")],
        id="london-spring-whole-day-is-23h",
    ),
    pytest.param(
        LONDON,
        "00:00-24:00",
        "2026-10-25",
        25 * H,
        [("2026-10-24T23:00", "2026-10-26T00:00")],
        id="london-autumn-whole-day-is-25h",
    ),
    # America/New_York: spring 2026-03-08 02:00 EST -> 03:00 EDT,
    # autumn 2026-11-01 02:00 EDT -> 01:00 EST.
    pytest.param(
        NEW_YORK,
        "00:00-04:00",
        "2026-03-08",
        3 * H,
        [("2026-03-08T05:00", "2026-03-08T08:00")],
        id="new-york-spring-00-04-holds-3h",
    ),
    pytest.param(
        NEW_YORK,
        "00:00-04:00",
        "2026-11-01",
        5 * H,
        [("2026-11-01T04:00", "2026-11-01T09:00")],
        id="new-york-autumn-00-04-holds-5h",
    ),
    pytest.param(
        NEW_YORK,
        "01:30-03:00",
        "2026-03-08",
        30 * MIN,
        [("2026-03-08T06:30", "2026-03-08T07:00")],
        id="new-york-spring-0130-0300-holds-30min",
    ),
    pytest.param(
        NEW_YORK,
        "02:30-04:00",
        "2026-03-08",
        H,
        [("2026-03-08T07:00", "2026-03-08T08:00")],
        id="new-york-spring-start-in-gap-opens-at-0300-edt",
    ),
    pytest.param(
        NEW_YORK,
        "01:30-03:00",
        "2026-11-01",
        150 * MIN,
        [("2026-11-01T05:30", "2026-11-01T08:00")],
        id="new-york-autumn-0130-0300-holds-2h30",
    ),
    pytest.param(
        NEW_YORK,
        "00:00-01:30",
        "2026-11-01",
        90 * MIN,
        [("2026-11-01T04:00", "2026-11-01T05:30")],
        id="new-york-autumn-00-0130-holds-1h30",
    ),
    # Australia/Lord_Howe, a 30-minute shift: autumn 2026-04-05 02:00 (+11) -> 01:30 (+10:30),
    # spring 2026-10-04 02:00 (+10:30) -> 02:30 (+11).
    pytest.param(
        LORD_HOWE,
        "00:00-04:00",
        "2026-04-05",
        270 * MIN,
        [("2026-04-04T13:00", "2026-04-04T17:30")],
        id="lord-howe-autumn-00-04-holds-4h30",
    ),
    pytest.param(
        LORD_HOWE,
        "00:00-04:00",
        "2026-10-04",
        210 * MIN,
        [("2026-10-03T13:30", "2026-10-03T17:00")],
        id="lord-howe-spring-00-04-holds-3h30",
    ),
    pytest.param(
        LORD_HOWE,
        "01:30-03:00",
        "2026-04-05",
        2 * H,
        [("2026-04-04T14:30", "2026-04-04T16:30")],
        id="lord-howe-autumn-0130-0300-holds-2h",
    ),
    pytest.param(
        LORD_HOWE,
        "01:30-03:00",
        "2026-10-04",
        H,
        [("2026-10-03T15:00", "2026-10-03T16:00")],
        id="lord-howe-spring-0130-0300-holds-1h",
    ),
    pytest.param(
        LORD_HOWE,
        "00:00-01:45",
        "2026-04-05",
        105 * MIN,
        [("2026-04-04T13:00", "2026-04-04T14:45")],
        id="lord-howe-autumn-00-0145-closes-at-first-0145",
    ),
    pytest.param(
        LORD_HOWE,
        "01:45-02:00",
        "2026-04-05",
        45 * MIN,
        [("2026-04-04T14:45", "2026-04-04T15:30")],
        id="lord-howe-autumn-end-after-repeat-closes-when-clock-reads-0200",
    ),
    pytest.param(
        LORD_HOWE,
        "02:10-03:00",
        "2026-10-04",
        30 * MIN,
        [("2026-10-03T15:30", "2026-10-03T16:00")],
        id="lord-howe-spring-start-in-gap-opens-at-0230",
    ),
    pytest.param(
        LORD_HOWE,
        "02:00-02:15",
        "2026-10-04",
        ZERO,
        [],
        id="lord-howe-spring-shift-inside-gap-is-empty",
    ),
    # Zones without DST: every day is the same.
    pytest.param(
        KOLKATA,
        "00:00-04:00",
        "2026-03-29",
        4 * H,
        [("2026-03-28T18:30", "2026-03-28T22:30")],
        id="kolkata-00-04-holds-4h-in-march",
    ),
    pytest.param(
        KOLKATA,
        "00:00-04:00",
        "2026-10-25",
        4 * H,
        [("2026-10-24T18:30", "2026-10-24T22:30")],
        id="kolkata-00-04-holds-4h-in-october",
    ),
    pytest.param(
        TOKYO,
        "01:30-03:00",
        "2026-11-01",
        90 * MIN,
        [("2026-10-31T16:30", "2026-10-31T18:00")],
        id="tokyo-0130-0300-holds-1h30",
    ),
]


@pytest.mark.parametrize(("zone", "hours", "day", "expected", "expected_periods"), DST_DAY_CASES)
def test_dst_day_holds_exactly(
    zone: ZoneInfo,
    hours: str,
    day: str,
    expected: dt.timedelta,
    expected_periods: list[tuple[str, str]],
) -> None:
    cal = Calendar.weekly({"mon-sun": hours}, tz=zone.key)
    local_day = dt.date.fromisoformat(day)
    start, end = midnight(zone, local_day), midnight(zone, local_day + dt.timedelta(days=1))
    assert cal.elapsed(start, end) == expected
    got = [(p.start - EPOCH, p.end - EPOCH) for p in cal.periods(start, end)]
    assert got == [(utc(a) - EPOCH, utc(b) - EPOCH) for a, b in expected_periods]
    for opens, closes in expected_periods:
        assert cal.is_open(utc(opens))
        assert cal.is_open(utc(closes) - US)
        assert_instant(cal.next_open(start), utc(opens), cal)
        assert_instant(cal.add(start, expected), utc(closes), cal)
        assert_instant(cal.subtract(end, expected), utc(opens), cal)
        if hours != "00:00-24:00":  # a whole day runs on into the next one
            assert not cal.is_open(utc(opens) - US)
            assert not cal.is_open(utc(closes))
            assert_instant(cal.next_close(utc(opens)), utc(closes), cal)


@pytest.mark.parametrize(("zone", "hours", "day", "expected", "expected_periods"), DST_DAY_CASES)
def test_dst_day_table_agrees_with_brute_force_reference(
    zone: ZoneInfo,
    hours: str,
    day: str,
    expected: dt.timedelta,
    expected_periods: list[tuple[str, str]],
) -> None:
    # The reference is checked against the same hand-worked table, so the
    # property tests that compare the engine with it stand on something.
    start_text, end_text = hours.split("-")
    ref = RefCalendar({n: [(start_text, end_text)] for n in range(7)}, zone.key)
    local_day = dt.date.fromisoformat(day)
    start, end = midnight(zone, local_day), midnight(zone, local_day + dt.timedelta(days=1))
    assert ref.elapsed(start, end) == expected
    assert ref.periods(start, end) == [(utc(a), utc(b)) for a, b in expected_periods]


PERIOD_DURATION_CASES = [
    pytest.param(LONDON, "00:00-04:00", "2026-10-25", 5 * H, id="london-autumn-5h"),
    pytest.param(LONDON, "00:00-04:00", "2026-03-29", 3 * H, id="london-spring-3h"),
    pytest.param(LORD_HOWE, "00:00-04:00", "2026-10-04", 210 * MIN, id="lord-howe-spring-3h30"),
    pytest.param(NEW_YORK, "00:00-04:00", "2026-11-01", 5 * H, id="new-york-autumn-5h"),
    pytest.param(KOLKATA, "00:00-04:00", "2026-10-25", 4 * H, id="kolkata-no-dst-4h"),
]


@pytest.mark.parametrize(("zone", "hours", "day", "expected"), PERIOD_DURATION_CASES)
def test_period_duration_is_real_time_on_dst_days(
    zone: ZoneInfo, hours: str, day: str, expected: dt.timedelta
) -> None:
    # Period.duration promises "the real time between start and end"; both ends are in
    # the calendar's zone, where ``end - start`` would be wall-clock time.
    cal = Calendar.weekly({"mon-sun": hours}, tz=zone.key)
    local_day = dt.date.fromisoformat(day)
    start, end = midnight(zone, local_day), midnight(zone, local_day + dt.timedelta(days=1))
    (period,) = cal.periods(start, end)
    assert period.end.astimezone(UTC) - period.start.astimezone(UTC) == expected
    assert period.duration == expected


#: Overnight shifts across a DST night, on the weekday of the night's first day only:
#: (zone, hours, the night's first day, open time, the period as UTC instants).
DST_NIGHT_CASES = [
    pytest.param(
        NEW_YORK,
        "22:00-06:00",
        "2026-03-07",
        7 * H,
        ("2026-03-08T03:00", "2026-03-08T10:00"),
        id="new-york-spring-night-holds-7h",
    ),
    pytest.param(
        NEW_YORK,
        "22:00-06:00",
        "2026-10-31",
        9 * H,
        ("2026-11-01T02:00", "2026-11-01T11:00"),
        id="new-york-autumn-night-holds-9h",
    ),
    pytest.param(
        LONDON,
        "23:30-01:30",
        "2026-10-24",
        2 * H,
        ("2026-10-24T22:30", "2026-10-25T00:30"),
        id="london-autumn-night-closes-at-first-0130",
    ),
    pytest.param(
        LONDON,
        "23:00-01:30",
        "2026-03-28",
        2 * H,
        ("2026-03-28T23:00", "2026-03-29T01:00"),
        id="london-spring-night-end-in-gap-closes-at-0200-bst",
    ),
    pytest.param(
        LORD_HOWE,
        "20:00-04:00",
        "2026-10-03",
        450 * MIN,
        ("2026-10-03T09:30", "2026-10-03T17:00"),
        id="lord-howe-spring-night-holds-7h30",
    ),
]


@pytest.mark.parametrize(("zone", "hours", "day", "expected", "expected_period"), DST_NIGHT_CASES)
def test_dst_night_holds_exactly(
    zone: ZoneInfo,
    hours: str,
    day: str,
    expected: dt.timedelta,
    expected_period: tuple[str, str],
) -> None:
    local_day = dt.date.fromisoformat(day)
    cal = Calendar.weekly({DAY_NAMES[local_day.weekday()]: hours}, tz=zone.key)
    start, end = midnight(zone, local_day), midnight(zone, local_day + dt.timedelta(days=2))
    assert cal.elapsed(start, end) == expected
    assert [(p.start - EPOCH, p.end - EPOCH) for p in cal.periods(start, end)] == [
        (utc(expected_period[0]) - EPOCH, utc(expected_period[1]) - EPOCH)
    ]


#: 09:00-17:00 on weekdays: Friday 16:00 to Monday 10:00 is 2 h across a DST weekend.
DST_WEEKEND_CASES = [
    pytest.param(LONDON, "2026-03-27", id="london-spring"),
    pytest.param(LONDON, "2026-10-23", id="london-autumn"),
    pytest.param(NEW_YORK, "2026-03-06", id="new-york-spring"),
    pytest.param(NEW_YORK, "2026-10-30", id="new-york-autumn"),
    pytest.param(LORD_HOWE, "2026-04-03", id="lord-howe-autumn"),
    pytest.param(LORD_HOWE, "2026-10-02", id="lord-howe-spring"),
    pytest.param(KOLKATA, "2026-03-27", id="kolkata-no-dst"),
    pytest.param(TOKYO, "2026-10-30", id="tokyo-no-dst"),
]


@pytest.mark.parametrize(("zone", "friday"), DST_WEEKEND_CASES)
def test_nine_to_five_stays_exact_across_dst_weekend(zone: ZoneInfo, friday: str) -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone.key)
    fri = dt.date.fromisoformat(friday)
    mon = fri + dt.timedelta(days=3)
    fri_1600 = dt.datetime.combine(fri, dt.time(16), tzinfo=zone)
    mon_1000 = dt.datetime.combine(mon, dt.time(10), tzinfo=zone)
    assert cal.elapsed(fri_1600, mon_1000) == 2 * H
    assert_instant(cal.add(fri_1600, 2 * H), mon_1000, cal)
    assert_instant(cal.subtract(mon_1000, 2 * H), fri_1600, cal)
    assert_instant(cal.next_open(fri_1600 + H), mon_1000 - H, cal)
    # The whole week, Monday to Monday, is 40 h whatever the clocks did.
    week_start = dt.datetime.combine(fri - dt.timedelta(days=4), dt.time(), tzinfo=zone)
    week_end = dt.datetime.combine(mon, dt.time(), tzinfo=zone)
    assert cal.elapsed(week_start, week_end) == 40 * H


def test_apia_skipped_day_2011_12_30() -> None:
    # Samoa moved across the date line: 2011-12-29 23:59:59 (-10) was followed by
    # 2011-12-31 00:00 (+14). Friday 2011-12-30 never happened there, so its shifts hold nothing.
    cal = Calendar.weekly({"mon-sun": "09:00-17:00"}, tz="Pacific/Apia")
    thursday_0900 = at(APIA, 2011, 12, 29, 9, 0)
    saturday_1700 = at(APIA, 2011, 12, 31, 17, 0)
    assert cal.elapsed(thursday_0900, saturday_1700) == 16 * H
    assert_instant(cal.add(at(APIA, 2011, 12, 29, 16, 0), 2 * H), at(APIA, 2011, 12, 31, 10), cal)


# -- overnight shifts -------------------------------------------------------------

NIGHTS = Calendar.weekly({"mon-sun": "22:00-06:00"}, tz="Europe/London")
NIGHTS_TUESDAY_HOLIDAY = Calendar.weekly(
    {"mon-sun": "22:00-06:00"}, tz="Europe/London", holidays={dt.date(2026, 11, 17)}
)
MON = dt.date(2026, 11, 16)


def on(day: dt.date, hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
    """Return ``hour:minute`` London time ``days`` after ``day``."""
    return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=LONDON)


OVERNIGHT_ELAPSED_CASES = [
    pytest.param(NIGHTS, on(MON, 21), on(MON, 7, days=1), 8 * H, id="monday-2100-to-tuesday-0700"),
    pytest.param(NIGHTS, on(MON, 23), on(MON, 1, days=1), 2 * H, id="across-midnight"),
    pytest.param(NIGHTS, on(MON, 6, days=1), on(MON, 22, days=1), ZERO, id="daytime-is-closed"),
    pytest.param(
        NIGHTS_TUESDAY_HOLIDAY,
        on(MON, 21),
        on(MON, 7, days=1),
        8 * H,
        id="tuesday-holiday-keeps-monday-night",
    ),
    pytest.param(
        NIGHTS_TUESDAY_HOLIDAY,
        on(MON, 21, days=1),
        on(MON, 7, days=2),
        ZERO,
        id="tuesday-holiday-removes-tuesday-night",
    ),
    pytest.param(
        NIGHTS_TUESDAY_HOLIDAY,
        on(MON, 21),
        on(MON, 7, days=3),
        16 * H,
        id="tuesday-holiday-three-nights-hold-two",
    ),
    pytest.param(
        Calendar.weekly({"sun": "22:00-06:00"}, tz="Europe/London"),
        on(MON, 21, days=-1),
        on(MON, 7),
        8 * H,
        id="sunday-night-runs-into-next-week",
    ),
]


@pytest.mark.parametrize(("cal", "start", "end", "expected"), OVERNIGHT_ELAPSED_CASES)
def test_overnight_elapsed(
    cal: Calendar, start: dt.datetime, end: dt.datetime, expected: dt.timedelta
) -> None:
    assert cal.elapsed(start, end) == expected


def test_overnight_shift_is_open_across_midnight_and_closes_at_six() -> None:
    assert NIGHTS.is_open(on(MON, 22))
    assert NIGHTS.is_open(on(MON, 0, days=1))
    assert NIGHTS.is_open(on(MON, 5, 59, days=1))
    assert not NIGHTS.is_open(on(MON, 6, days=1))
    assert not NIGHTS.is_open(on(MON, 21, 59))
    assert_instant(NIGHTS.next_close(on(MON, 23)), on(MON, 6, days=1), NIGHTS)
    assert_instant(NIGHTS.add(on(MON, 21), 8 * H), on(MON, 6, days=1), NIGHTS)
    assert_instant(NIGHTS.add(on(MON, 21), 8 * H + MIN), on(MON, 22, 1, days=1), NIGHTS)


def test_tuesday_holiday_keeps_monday_night_but_drops_tuesday_night() -> None:
    cal = NIGHTS_TUESDAY_HOLIDAY
    assert cal.is_open(on(MON, 3, days=1))  # Tuesday 03:00: Monday's shift
    assert not cal.is_open(on(MON, 23, days=1))  # Tuesday 23:00: Tuesday's own shift, removed
    assert not cal.is_open(on(MON, 3, days=2))  # Wednesday 03:00: still Tuesday's shift
    assert cal.is_open(on(MON, 23, days=2))  # Wednesday 23:00
    assert_instant(cal.next_open(on(MON, 6, days=1)), on(MON, 22, days=2), cal)


def test_adjacent_shifts_across_midnight_merge_into_one_period() -> None:
    cal = Calendar.weekly({"mon": "22:00-24:00", "tue": "00:00-06:00"}, tz="Europe/London")
    assert list(cal.periods(on(MON, 12), on(MON, 12, days=1))) == [
        Period(on(MON, 22), on(MON, 6, days=1))
    ]
    assert_instant(cal.next_close(on(MON, 23)), on(MON, 6, days=1), cal)
    assert cal.elapsed(on(MON, 12), on(MON, 12, days=1)) == 8 * H


def test_adjacent_shifts_within_a_day_merge_into_one_period() -> None:
    cal = Calendar.weekly({"mon": "09:00-12:00,12:00-17:00"}, tz="Europe/London")
    assert list(cal.periods(on(MON, 0), on(MON, 0, days=1))) == [Period(on(MON, 9), on(MON, 17))]


def test_nightly_periods_are_one_per_night() -> None:
    got = list(NIGHTS.periods(on(MON, 12), on(MON, 12, days=3)))
    assert got == [Period(on(MON, 22, days=n), on(MON, 6, days=n + 1)) for n in range(3)]


def test_periods_are_clipped_to_the_span() -> None:
    got = list(NIGHTS.periods(on(MON, 23), on(MON, 5, days=1)))
    assert got == [Period(on(MON, 23), on(MON, 5, days=1))]


# -- holidays and overrides -----------------------------------------------------------


def gb_calendar(overrides: dict[Any, Any] | None = None, **kwargs: Any) -> Calendar:
    return Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="Europe/London",
        holidays=kwargs.get("holidays", holidays.country_holidays("GB", subdiv="ENG")),
        overrides=overrides,
    )


DESK = gb_calendar({dt.date(2026, 12, 24): "09:00-13:00"})


def day_total(cal: Calendar, day: dt.date) -> dt.timedelta:
    return cal.elapsed(on(day, 0), on(day, 0, days=1))


HOLIDAY_CASES = [
    pytest.param(DESK, "2026-12-25", ZERO, id="christmas-day-closed"),
    pytest.param(DESK, "2026-12-28", ZERO, id="boxing-day-substitute-closed"),
    pytest.param(DESK, "2026-12-24", 4 * H, id="christmas-eve-half-day"),
    pytest.param(DESK, "2026-12-23", 8 * H, id="ordinary-wednesday"),
    pytest.param(DESK, "2026-12-29", 8 * H, id="tuesday-after-is-open"),
    pytest.param(DESK, "2027-01-01", ZERO, id="new-year-2027-years-expand"),
    pytest.param(DESK, "2030-12-25", ZERO, id="christmas-2030"),
    pytest.param(DESK, "2025-12-25", ZERO, id="christmas-2025"),
    pytest.param(
        gb_calendar({dt.date(2026, 12, 25): "10:00-12:00"}),
        "2026-12-25",
        2 * H,
        id="override-wins-over-holiday",
    ),
    pytest.param(
        gb_calendar({"2026-12-25": ["10:00-11:00", "14:00-15:00"]}),
        "2026-12-25",
        2 * H,
        id="override-by-iso-string-with-two-shifts",
    ),
    pytest.param(
        gb_calendar({dt.date(2026, 12, 23): None}), "2026-12-23", ZERO, id="closure-by-none"
    ),
    pytest.param(
        gb_calendar({dt.date(2026, 12, 23): "closed"}), "2026-12-23", ZERO, id="closure-by-closed"
    ),
    pytest.param(
        gb_calendar({dt.date(2026, 12, 19): "10:00-14:00"}),
        "2026-12-19",
        4 * H,
        id="saturday-opened",
    ),
    pytest.param(
        gb_calendar(holidays={dt.date(2026, 12, 25), dt.date(2026, 12, 28)}),
        "2026-12-28",
        ZERO,
        id="plain-set-of-dates",
    ),
    pytest.param(
        gb_calendar(holidays={dt.date(2026, 12, 25), dt.date(2026, 12, 28)}),
        "2027-01-01",
        8 * H,
        id="plain-set-has-only-its-dates",
    ),
    pytest.param(
        gb_calendar(holidays=["2026-12-25", "2026-12-28"]),
        "2026-12-25",
        ZERO,
        id="list-of-iso-strings",
    ),
    pytest.param(
        gb_calendar(holidays=frozenset()), "2026-12-25", 8 * H, id="no-holidays-christmas-is-open"
    ),
]


@pytest.mark.parametrize(("cal", "day", "expected"), HOLIDAY_CASES)
def test_holidays_and_overrides(cal: Calendar, day: str, expected: dt.timedelta) -> None:
    local_day = dt.date.fromisoformat(day)
    assert day_total(cal, local_day) == expected
    assert cal.is_open(on(local_day, 10)) is (expected > ZERO)


def test_desk_christmas_week() -> None:
    assert DESK.elapsed(on(dt.date(2026, 12, 24), 0), on(dt.date(2026, 12, 29), 0)) == 4 * H
    assert_instant(
        DESK.next_open(on(dt.date(2026, 12, 24), 13)), on(dt.date(2026, 12, 29), 9), DESK
    )
    assert_instant(
        DESK.add(on(dt.date(2026, 12, 24), 12), 2 * H), on(dt.date(2026, 12, 29), 10), DESK
    )
    assert_instant(
        DESK.subtract(on(dt.date(2026, 12, 29), 10), 2 * H), on(dt.date(2026, 12, 24), 12), DESK
    )


def test_callers_holidays_object_and_overrides_are_not_mutated() -> None:
    gb = holidays.country_holidays("GB", subdiv="ENG", years=2026)
    gb_before = (set(gb.years), dict(gb))
    overrides: dict[Any, Any] = {dt.date(2026, 12, 24): "09:00-13:00", "2026-12-31": None}
    overrides_before = copy.deepcopy(overrides)
    cal = Calendar.weekly(
        {"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=gb, overrides=overrides
    )
    # Queries over other years make the engine's copy expand; the caller's object must not.
    assert day_total(cal, dt.date(2031, 12, 25)) == ZERO
    assert cal.elapsed(on(dt.date(2024, 1, 1), 0), on(dt.date(2029, 1, 1), 0)) > ZERO
    assert (set(gb.years), dict(gb)) == gb_before
    assert overrides == overrides_before
    # And later changes by the caller do not reach the calendar.
    gb[dt.date(2026, 12, 23)] = "Office party"
    overrides[dt.date(2026, 12, 22)] = None
    assert day_total(cal, dt.date(2026, 12, 23)) == 8 * H
    assert day_total(cal, dt.date(2026, 12, 22)) == 8 * H


def test_holidays_object_with_own_additions_and_removals() -> None:
    gb = holidays.country_holidays("GB", subdiv="ENG", years=2026)
    gb[dt.date(2026, 7, 1)] = "Company day"
    gb.pop(dt.date(2026, 12, 28))
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=gb)
    assert day_total(cal, dt.date(2026, 7, 1)) == ZERO
    assert day_total(cal, dt.date(2026, 12, 28)) == 8 * H
    assert day_total(cal, dt.date(2026, 12, 25)) == ZERO
    again = Calendar.from_json(cal.to_json())
    assert again == cal
    assert day_total(again, dt.date(2026, 7, 1)) == ZERO
    assert day_total(again, dt.date(2026, 12, 28)) == 8 * H
    assert day_total(again, dt.date(2026, 12, 25)) == ZERO


# -- the same instant in any zone ---------------------------------------------------

REPRESENTATIONS: dict[str, Callable[[dt.datetime, Calendar], dt.datetime]] = {
    "utc": lambda t, cal: t.astimezone(UTC),
    "calendar-zone": lambda t, cal: t.astimezone(cal.tz),
    "fixed-minus-5": lambda t, cal: t.astimezone(MINUS_FIVE),
    "new-york": lambda t, cal: t.astimezone(NEW_YORK),
    "lord-howe": lambda t, cal: t.astimezone(LORD_HOWE),
}

SAME_INSTANT_CALENDARS = [
    pytest.param(DESK, utc("2026-12-24T12:30"), id="desk-christmas-eve"),
    pytest.param(NINE_TO_FIVE, utc("2026-11-20T16:55"), id="friday-call"),
    # 01:30 GMT on 2026-10-25 is the second 01:30 in London (fold=1).
    pytest.param(
        Calendar.weekly({"mon-sun": "00:00-01:45"}, tz="Europe/London"),
        utc("2026-10-25T01:30"),
        id="london-repeated-hour",
    ),
    pytest.param(
        Calendar.weekly({"mon-sun": "22:00-06:00"}, tz="America/New_York"),
        utc("2026-11-01T05:30"),
        id="new-york-overnight-repeated-hour",
    ),
]


def _answers(cal: Calendar, t: dt.datetime, u: dt.datetime, w: dt.datetime) -> list[object]:
    """Return every query's answer for instants ``t <= u <= w``, instants as offsets from EPOCH."""
    results: list[object] = [cal.is_open(t), cal.elapsed(t, u), cal.elapsed(u, t)]
    instants = [
        cal.next_open(t),
        cal.next_close(t),
        cal.add(t, 90 * MIN),
        cal.subtract(t, 90 * MIN),
        cal.add(u, -3 * H),
    ]
    for period in cal.periods(t, w):
        instants += [period.start, period.end]
    for instant in instants:
        assert instant.tzinfo is cal.tz
    return results + [instant - EPOCH for instant in instants]


@pytest.mark.parametrize("representation", list(REPRESENTATIONS))
@pytest.mark.parametrize(("cal", "t"), SAME_INSTANT_CALENDARS)
def test_same_instant_in_any_zone_gives_the_same_answers(
    cal: Calendar, t: dt.datetime, representation: str
) -> None:
    u, w = t + 26 * H, t + 98 * H  # t is in UTC: this is real time
    expected = _answers(cal, t, u, w)
    convert = REPRESENTATIONS[representation]
    assert _answers(cal, convert(t, cal), convert(u, cal), convert(w, cal)) == expected


def test_second_occurrence_in_calendar_zone_is_its_own_instant() -> None:
    cal = Calendar.weekly({"mon-sun": "00:00-01:45"}, tz="Europe/London")
    first = at(LONDON, 2026, 10, 25, 1, 30)  # 00:30 UTC, BST
    second = at(LONDON, 2026, 10, 25, 1, 30, fold=1)  # 01:30 UTC, GMT
    assert cal.is_open(first)
    assert not cal.is_open(second)  # the shift closed at the first 01:45
    assert cal.elapsed(first, second) == 15 * MIN


# -- 24x7 -------------------------------------------------------------------------------

ALWAYS_CALENDARS = [
    pytest.param(Calendar.always("Europe/London"), id="always"),
    pytest.param(Calendar.weekly({"mon-sun": "00:00-24:00"}, tz="Europe/London"), id="weekly-24x7"),
]


@pytest.mark.parametrize("cal", ALWAYS_CALENDARS)
def test_24x7_counts_real_time(cal: Calendar) -> None:
    a = at(LONDON, 2026, 3, 28, 12, 0)
    for b in (at(LONDON, 2026, 3, 30, 12, 0), at(LONDON, 2026, 10, 26, 12, 0)):
        real = b.astimezone(UTC) - a.astimezone(UTC)
        assert cal.elapsed(a, b) == real
        assert cal.elapsed(b, a) == -real
        assert_instant(cal.add(a, real), b, cal)
        assert_instant(cal.subtract(b, real), a, cal)
    assert cal.is_open(a)
    assert_instant(cal.next_open(a), a, cal)


@pytest.mark.parametrize("cal", ALWAYS_CALENDARS)
def test_24x7_has_no_closing_time(cal: Calendar) -> None:
    with pytest.raises(NoClosingTimeError):
        cal.next_close(at(LONDON, 2026, 3, 28, 12, 0))


@pytest.mark.parametrize("cal", ALWAYS_CALENDARS)
def test_24x7_periods_merge_into_one(cal: Calendar) -> None:
    a, b = at(LONDON, 2025, 6, 1, 12, 0), at(LONDON, 2029, 6, 1, 12, 0)
    assert list(cal.periods(a, b)) == [Period(a, b)]


def test_always_elapsed_over_a_century_is_real_time() -> None:
    cal = Calendar.always("Asia/Kolkata")
    a, b = utc("1990-01-01T00:00"), utc("2090-01-01T00:00")
    assert cal.elapsed(a, b) == b - a
    assert_instant(cal.add(a, b - a), b, cal)


# -- serialization ----------------------------------------------------------------------

SERIALIZATION_CASES = [
    pytest.param(NINE_TO_FIVE, id="nine-to-five"),
    pytest.param(DESK, id="gb-eng-holidays-and-half-day"),
    pytest.param(
        gb_calendar({dt.date(2026, 12, 25): "10:00-12:00", dt.date(2026, 12, 23): None}),
        id="override-and-closure",
    ),
    pytest.param(NIGHTS_TUESDAY_HOLIDAY, id="overnight-with-date-holidays"),
    pytest.param(
        Calendar.weekly(
            {"mon-fri": "09:30-16:00"},
            tz="America/New_York",
            holidays=holidays.financial_holidays("NYSE"),
        ),
        id="nyse-market-holidays",
    ),
    pytest.param(
        Calendar.weekly(
            {"mon-thu": "08:00-12:30,13:15-17:45:30", "fri": "08:00-15:00", "sun": "23:00-02:00"},
            tz="Australia/Lord_Howe",
        ),
        id="split-shifts-seconds-and-sunday-night",
    ),
    pytest.param(Calendar.always("Asia/Kolkata"), id="always"),
    pytest.param(Calendar.never("Pacific/Apia"), id="never"),
    pytest.param(Calendar.weekly({}, tz="UTC"), id="weekly-empty"),
]

PROBES = [
    utc("2026-11-20T16:55"),
    utc("2026-12-24T12:00"),
    utc("2026-12-25T12:00"),
    utc("2026-12-28T15:00"),
    utc("2026-11-26T15:00"),  # Thanksgiving, for the NYSE calendar
    utc("2027-07-05T15:00"),  # Independence Day observed
    utc("2026-10-04T13:00"),
    utc("2030-12-25T12:00"),
]


def _probe(cal: Calendar) -> list[object]:
    answers: list[object] = [cal.is_open(t) for t in PROBES]
    answers.append(cal.elapsed(utc("2025-06-01T00:00"), utc("2031-06-01T00:00")))
    for t in PROBES:
        try:
            answers.append(cal.add(t, 10 * H) - EPOCH)
        except LookupError as exc:
            answers.append(type(exc))
    return answers


@pytest.mark.parametrize("cal", SERIALIZATION_CASES)
def test_json_round_trip(cal: Calendar) -> None:
    text = cal.to_json()
    json.loads(text)  # it is JSON
    again = Calendar.from_json(text)
    assert again == cal
    assert hash(again) == hash(cal)
    assert again.tz == cal.tz
    assert again.to_json() == text
    assert _probe(again) == _probe(cal)
    assert Calendar.from_dict(json.loads(json.dumps(cal.to_dict()))) == cal


@pytest.mark.parametrize("cal", SERIALIZATION_CASES)
def test_pickle_round_trip(cal: Calendar) -> None:
    again = pickle.loads(pickle.dumps(cal))
    assert again == cal
    assert hash(again) == hash(cal)
    assert _probe(again) == _probe(cal)


def test_shifts_and_weeks_pickle_and_copy_as_values() -> None:
    # The compiled build's frozen classes need their own __reduce__ (schedule.py).
    week = WeeklyHours.parse({"mon-fri": "09:00-12:30,13:30-17:00", "sat": "22:00-06:00"})
    shift = week.days[5][0]
    for value in (shift, week):
        for again in (pickle.loads(pickle.dumps(value)), copy.deepcopy(value), copy.copy(value)):
            assert again == value
            assert hash(again) == hash(value)
            assert repr(again) == repr(value)
    assert pickle.loads(pickle.dumps(shift)).end == dt.timedelta(hours=30)


def test_json_of_gb_holidays_names_the_source_not_the_dates() -> None:
    data = json.loads(DESK.to_json())
    assert data["tz"] == "Europe/London"
    assert data["holidays"]["country"] == "GB"
    assert data["holidays"]["subdiv"] == "ENG"
    assert data["overrides"] == {"2026-12-24": "09:00-13:00"}


def test_equal_specs_written_differently_are_equal_calendars() -> None:
    a = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    b = Calendar.weekly(
        {"monday": ["09:00-17:00"], "tue,wed": "09:00-17:00", "thu-fri": "09:00-17:00"},
        tz=LONDON,
    )
    assert a == b
    assert hash(a) == hash(b)
    assert a != Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/Dublin")
    assert a != Calendar.weekly({"mon-fri": "09:00-17:01"}, tz="Europe/London")
    assert a != gb_calendar()
    assert Calendar.always("UTC") != Calendar.never("UTC")
    assert Calendar.always("UTC") == Calendar.always(UTC)
