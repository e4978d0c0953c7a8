"""Bad input gets the named error, naming the bad text; searches with no answer end."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slaclock import Calendar
from slaclock.errors import (
    NaiveDatetimeError,
    NoBusinessTimeError,
    NoClosingTimeError,
    OutOfRangeError,
    ScheduleError,
    SlaclockError,
    TimeZoneError,
)

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
H = dt.timedelta(hours=1)

NAIVE = dt.datetime(2026, 11, 20, 16, 55)
AWARE = dt.datetime(2026, 11, 20, 16, 55, tzinfo=LONDON)


class NoOffset(dt.tzinfo):
    """A tzinfo that does not know its offset: datetimes carrying it are naive."""

    def utcoffset(self, when: dt.datetime | None) -> None:
        return None

    def dst(self, when: dt.datetime | None) -> None:
        return None

    def tzname(self, when: dt.datetime | None) -> str:
        return "unknown"


CALENDARS = [
    pytest.param(Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London"), id="weekly"),
    pytest.param(Calendar.always("Europe/London"), id="always"),
    pytest.param(Calendar.never("Europe/London"), id="never"),
]

#: Every query, each given one naive datetime (``n``) where an instant is needed.
QUERIES: dict[str, Callable[[Calendar, dt.datetime], object]] = {
    "is_open": lambda cal, n: cal.is_open(n),
    "next_open": lambda cal, n: cal.next_open(n),
    "next_close": lambda cal, n: cal.next_close(n),
    "elapsed-start": lambda cal, n: cal.elapsed(n, AWARE),
    "elapsed-end": lambda cal, n: cal.elapsed(AWARE, n),
    "add": lambda cal, n: cal.add(n, H),
    "add-zero": lambda cal, n: cal.add(n, dt.timedelta(0)),
    "add-negative": lambda cal, n: cal.add(n, -H),
    "subtract": lambda cal, n: cal.subtract(n, H),
    "subtract-zero": lambda cal, n: cal.subtract(n, dt.timedelta(0)),
    "periods-start": lambda cal, n: cal.periods(n, AWARE + H),
    "periods-end": lambda cal, n: cal.periods(AWARE, n),
    "periods-listed": lambda cal, n: list(cal.periods(n, AWARE + H)),
}


@pytest.mark.parametrize(
    "naive", [NAIVE, NAIVE.replace(tzinfo=NoOffset())], ids=["plain", "no-offset"]
)
@pytest.mark.parametrize("query", list(QUERIES))
@pytest.mark.parametrize("cal", CALENDARS)
def test_naive_datetime_is_refused(cal: Calendar, query: str, naive: dt.datetime) -> None:
    with pytest.raises(NaiveDatetimeError) as excinfo:
        QUERIES[query](cal, naive)
    assert isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value, SlaclockError)
    assert "naive" in str(excinfo.value)
    assert "2026-11-20T16:55:00" in str(excinfo.value)


@pytest.mark.parametrize("not_a_datetime", [dt.date(2026, 11, 20), "2026-11-20T16:55Z", 0])
def test_non_datetime_instant_is_a_type_error(not_a_datetime: Any) -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    with pytest.raises(TypeError):
        cal.is_open(not_a_datetime)
    with pytest.raises(TypeError):
        cal.elapsed(AWARE, not_a_datetime)


# -- zones ------------------------------------------------------------------------------

BAD_ZONES = [
    pytest.param("Mars/Olympus_Mons", "Mars/Olympus_Mons", id="unknown-name"),
    pytest.param("Europe/Londn", "Europe/Londn", id="misspelt"),
    pytest.param("", "''", id="empty"),
    pytest.param(" Europe/London", "' Europe/London'", id="leading-space"),
    pytest.param("../../etc/passwd", "../../etc/passwd", id="path"),
    pytest.param("Europe", "Europe", id="a-folder-of-zones"),
    pytest.param("Europe/" + "x" * 300, "Europe/xxx", id="longer-than-a-file-name"),
    pytest.param(dt.timezone(dt.timedelta(hours=1)), "UTC+01:00", id="fixed-offset-tzinfo"),
    pytest.param(5, "5", id="a-number"),
]


@pytest.mark.parametrize(("tz", "named"), BAD_ZONES)
@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda tz: Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=tz), id="weekly"),
        pytest.param(Calendar.always, id="always"),
        pytest.param(Calendar.never, id="never"),
        pytest.param(lambda tz: Calendar.from_dict({"kind": "weekly", "tz": tz}), id="from_dict"),
    ],
)
def test_unknown_zone_is_refused(build: Callable[[Any], Calendar], tz: Any, named: str) -> None:
    with pytest.raises((TimeZoneError, ScheduleError)) as excinfo:
        build(tz)
    assert isinstance(excinfo.value, ValueError)
    if isinstance(tz, str):
        assert isinstance(excinfo.value, TimeZoneError)
        assert named in str(excinfo.value)


def test_zone_object_is_accepted_like_its_name() -> None:
    by_name = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    by_object = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=LONDON)
    assert by_name == by_object
    assert by_object.tz is LONDON


# -- schedules ----------------------------------------------------------------------

#: (hours, overrides, texts the message must quote)
BAD_SCHEDULES = [
    pytest.param({"mon": "25:00-26:00"}, None, ["25:00"], id="hour-25"),
    pytest.param({"mon": "09:00-25:00"}, None, ["25:00"], id="end-hour-25"),
    pytest.param({"mon": "9am-17:00"}, None, ["9am"], id="9am"),
    pytest.param({"mon": "09:00-5pm"}, None, ["5pm"], id="5pm"),
    pytest.param({"mon": "09:60-17:00"}, None, ["09:60"], id="minute-60"),
    pytest.param({"mon": "09:00-24:30"}, None, ["24:30"], id="24-30"),
    pytest.param({"mon": "24:00-06:00"}, None, ["24:00-06:00"], id="start-at-24-00"),
    pytest.param({"mon": "09:00-09:00"}, None, ["09:00-09:00"], id="empty-shift"),
    pytest.param({"mon": "09:00"}, None, ["09:00"], id="no-end"),
    pytest.param({"mon": "09:00-12:00-17:00"}, None, ["09:00-12:00-17:00"], id="three-times"),
    pytest.param({"mon": ""}, None, ["''"], id="empty-hours"),
    pytest.param({"mon": 9}, None, ["9"], id="a-number"),
    pytest.param(
        {"mon": "09:00-12:00,11:00-13:00"},
        None,
        ["09:00-12:00", "11:00-13:00", "overlap"],
        id="overlapping-shifts-in-one-day",
    ),
    pytest.param(
        {"mon-fri": ["13:00-17:00", "09:00-13:30"]},
        None,
        ["09:00-13:30", "13:00-17:00"],
        id="overlapping-shifts-as-a-list",
    ),
    pytest.param(
        {"mon": "22:00-06:00", "tue": "05:00-09:00"},
        None,
        ["mon", "22:00-06:00", "tue", "05:00-09:00"],
        id="monday-night-runs-into-tuesday-shift",
    ),
    pytest.param(
        {"sun": "20:00-02:00", "mon": "01:00-09:00"},
        None,
        ["sun", "20:00-02:00", "mon", "01:00-09:00"],
        id="sunday-night-runs-into-monday-shift",
    ),
    pytest.param({"mon-fry": "09:00-17:00"}, None, ["mon-fry"], id="unknown-day-in-range"),
    pytest.param({"funday": "09:00-17:00"}, None, ["funday"], id="unknown-day"),
    pytest.param({"mon-wed-fri": "09:00-17:00"}, None, ["mon-wed-fri"], id="range-of-three"),
    pytest.param(
        {"mon-fri": "09:00-17:00", "fri": "10:00-12:00"}, None, ["fri"], id="friday-named-twice"
    ),
    pytest.param(
        {"sat,sun": "10:00-12:00", "sun": "closed"}, None, ["sun"], id="sunday-named-twice"
    ),
    pytest.param(
        {"mon-fri": "09:00-17:00"},
        {dt.date(2026, 12, 24): "09:00-12:00,11:00-13:00"},
        ["2026-12-24", "09:00-12:00", "11:00-13:00"],
        id="overlapping-override",
    ),
    pytest.param(
        {"mon-fri": "09:00-17:00"},
        {"2026-13-01": "09:00-13:00"},
        ["2026-13-01"],
        id="override-not-a-date",
    ),
    pytest.param(
        {"mon-fri": "09:00-17:00"},
        {dt.date(2026, 12, 24): "9-13"},
        ["2026-12-24", "'9'"],
        id="override-bad-hours",
    ),
    pytest.param(
        {"mon-fri": "09:00-17:00"},
        {dt.datetime(2026, 12, 24, 9, 0): "09:00-13:00"},
        ["datetime.datetime(2026, 12, 24, 9, 0)"],
        id="override-keyed-by-a-datetime",
    ),
]


@pytest.mark.parametrize(("hours", "overrides", "quoted"), BAD_SCHEDULES)
def test_bad_schedule_is_refused_naming_the_text(
    hours: dict[str, Any], overrides: dict[Any, Any] | None, quoted: list[str]
) -> None:
    with pytest.raises(ScheduleError) as excinfo:
        Calendar.weekly(hours, tz="Europe/London", overrides=overrides)
    assert isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value, SlaclockError)
    message = str(excinfo.value)
    for text in quoted:
        assert text in message, f"{text!r} not in {message!r}"


@pytest.mark.parametrize(
    "holidays",
    [
        pytest.param("2026-12-25", id="a-string"),
        pytest.param(20261225, id="a-number"),
        pytest.param(["2026-12-32"], id="not-a-date"),
        pytest.param([dt.datetime(2026, 12, 25, 0, 0)], id="a-datetime"),
    ],
)
def test_bad_holidays_are_refused(holidays: Any) -> None:
    with pytest.raises(ScheduleError):
        Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=holidays)


GOOD_SCHEDULES = [
    pytest.param({"mon": "00:00-24:00"}, id="whole-day"),
    pytest.param({"mon-sun": "00:00-24:00"}, id="whole-week"),
    pytest.param({"mon": "22:00-00:00", "tue": "00:00-06:00"}, id="adjacent-across-midnight"),
    pytest.param({"mon": "09:00-12:00,12:00-17:00"}, id="adjacent-in-a-day"),
    pytest.param({"mon": "22:00-06:00", "tue": "06:00-09:00"}, id="overnight-meets-next-shift"),
    pytest.param({"fri-mon": "10:00-11:00"}, id="range-wrapping-past-sunday"),
    pytest.param({"Monday": "09:00:30-17:00:15.5"}, id="full-name-and-seconds"),
    pytest.param({"mon": None, "tue": "closed", "wed": []}, id="closed-days"),
    pytest.param({}, id="no-days"),
]


@pytest.mark.parametrize("hours", GOOD_SCHEDULES)
def test_good_schedules_are_accepted(hours: dict[str, Any]) -> None:
    cal = Calendar.weekly(hours, tz="Europe/London")
    assert Calendar.from_json(cal.to_json()) == cal


# -- searches that find nothing -------------------------------------------------------

T = dt.datetime(2026, 11, 20, 16, 55, tzinfo=UTC)

EMPTY_CALENDARS = [
    pytest.param(Calendar.never("Europe/London"), id="never"),
    pytest.param(Calendar.weekly({}, tz="Europe/London"), id="weekly-no-days"),
    pytest.param(Calendar.weekly({"mon-sun": None}, tz="Europe/London"), id="weekly-all-closed"),
]

SEARCHES: dict[str, Callable[[Calendar], object]] = {
    "add": lambda cal: cal.add(T, H),
    "add-a-microsecond": lambda cal: cal.add(T, dt.timedelta(microseconds=1)),
    "add-negative": lambda cal: cal.add(T, -H),
    "subtract": lambda cal: cal.subtract(T, H),
    "subtract-negative": lambda cal: cal.subtract(T, -H),
    "next_open": lambda cal: cal.next_open(T),
}


@pytest.mark.parametrize("search", list(SEARCHES))
@pytest.mark.parametrize("cal", EMPTY_CALENDARS)
def test_search_on_calendar_without_open_time_raises_and_ends(cal: Calendar, search: str) -> None:
    with pytest.raises(NoBusinessTimeError) as excinfo:
        SEARCHES[search](cal)
    assert isinstance(excinfo.value, LookupError)
    assert isinstance(excinfo.value, SlaclockError)


@pytest.mark.parametrize("cal", EMPTY_CALENDARS)
def test_calendar_without_open_time_answers_the_other_queries(cal: Calendar) -> None:
    assert not cal.is_open(T)
    assert cal.elapsed(T, T + 1000 * H) == dt.timedelta(0)
    assert list(cal.periods(T, T + 1000 * H)) == []
    assert cal.next_close(T) - EPOCH == T - EPOCH
    assert cal.add(T, dt.timedelta(0)) - EPOCH == T - EPOCH


def test_one_override_decades_ago_is_found_looking_back_only() -> None:
    cal = Calendar.weekly({}, tz="Europe/London", overrides={dt.date(1990, 1, 1): "09:00-17:00"})
    for search in ("add", "add-a-microsecond", "subtract-negative", "next_open"):
        with pytest.raises(NoBusinessTimeError):
            SEARCHES[search](cal)
    closes = dt.datetime(1990, 1, 1, 17, 0, tzinfo=UTC)
    assert cal.subtract(T, H) - EPOCH == closes - H - EPOCH
    assert cal.add(T, -H) - EPOCH == closes - H - EPOCH
    assert cal.elapsed(dt.datetime(1989, 1, 1, tzinfo=UTC), T) == 8 * H


def test_one_override_is_found_from_before_and_looking_back() -> None:
    cal = Calendar.weekly({}, tz="Europe/London", overrides={dt.date(2026, 12, 24): "09:00-13:00"})
    opens = dt.datetime(2026, 12, 24, 9, 0, tzinfo=LONDON)
    assert cal.next_open(dt.datetime(2026, 1, 1, tzinfo=UTC)) - EPOCH == opens - EPOCH
    after = dt.datetime(2027, 1, 1, tzinfo=UTC)
    assert cal.subtract(after, H) - EPOCH == opens + 3 * H - EPOCH
    with pytest.raises(NoBusinessTimeError):
        cal.next_open(after)
    with pytest.raises(NoBusinessTimeError):
        cal.add(after, H)
    with pytest.raises(NoBusinessTimeError):
        cal.add(opens, 5 * H)  # only 4 h exist


@pytest.mark.parametrize(
    "cal",
    [
        pytest.param(Calendar.always("UTC"), id="always"),
        pytest.param(Calendar.weekly({"mon-sun": "00:00-24:00"}, tz="UTC"), id="weekly-24x7"),
    ],
)
def test_next_close_on_24x7_raises_and_ends(cal: Calendar) -> None:
    with pytest.raises(NoClosingTimeError) as excinfo:
        cal.next_close(T)
    assert isinstance(excinfo.value, LookupError)
    assert isinstance(excinfo.value, SlaclockError)


# -- the ends of time ---------------------------------------------------------------


def test_add_beyond_the_datetime_range_raises_out_of_range() -> None:
    cal = Calendar.always("UTC")
    with pytest.raises(OutOfRangeError) as excinfo:
        cal.add(dt.datetime(9999, 12, 1, tzinfo=UTC), dt.timedelta(days=60))
    assert isinstance(excinfo.value, OverflowError)


def test_subtract_beyond_the_datetime_range_raises_out_of_range() -> None:
    # A 24x7 calendar has open time enough: the answer is just not a datetime.
    cal = Calendar.always("UTC")
    with pytest.raises(OutOfRangeError) as excinfo:
        cal.subtract(dt.datetime(1, 1, 10, tzinfo=UTC), dt.timedelta(days=60))
    assert isinstance(excinfo.value, OverflowError)


@pytest.mark.parametrize(
    "t",
    [
        pytest.param(dt.datetime(1, 3, 1, 12, 0, tzinfo=UTC), id="year-1"),
        pytest.param(dt.datetime(9999, 12, 1, 12, 0, tzinfo=UTC), id="year-9999"),
    ],
)
def test_instants_near_the_ends_of_the_datetime_range_are_answered(t: dt.datetime) -> None:
    # Every day 09:00-17:00 UTC: noon is open, whatever the year.
    cal = Calendar.weekly({"mon-sun": "09:00-17:00"}, tz="UTC")
    assert cal.is_open(t)
    assert cal.elapsed(t, t + H) == H
    assert cal.next_close(t) - EPOCH == t + 5 * H - EPOCH


# -- values ---------------------------------------------------------------------------


def test_calendar_is_immutable() -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    before = cal.to_json()
    with pytest.raises(AttributeError):
        cal.tz = ZoneInfo("America/New_York")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        cal.hours = {}  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        cal._zone = ZoneInfo("America/New_York")
    with pytest.raises(AttributeError):
        cal._source = Calendar.never("UTC")._source
    with pytest.raises(AttributeError):
        del cal.tz  # type: ignore[misc]
    assert cal.to_json() == before
    assert cal.tz is LONDON


def test_period_is_immutable() -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    (period,) = cal.periods(AWARE, AWARE + H)
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.start = AWARE  # type: ignore[misc]


def test_calendars_are_hashable_values() -> None:
    a = Calendar.weekly(
        {"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays={dt.date(2026, 12, 25)}
    )
    b = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=["2026-12-25"])
    c = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert len({a, b, c, Calendar.always("UTC"), Calendar.always("UTC")}) == 3
    assert {a: "desk"}[b] == "desk"
    assert a != "Calendar.weekly"
