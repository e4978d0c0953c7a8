"""Window calendars: one-off spans and RFC 5545 recurring windows.

Recurring windows are checked three ways: named cases (first Sundays, DST
nights, overnight windows, COUNT and UNTIL), agreement of the per-chunk
generation (with its anchor fast-forward) with plain ``rrule`` iteration from
the anchor, and agreement with a brute-force wall-clock scan of the DST rule.
"""

from __future__ import annotations

import datetime as dt
import pickle
import re
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock import Calendar
from slaclock.engine._recurring import RecurringSource, parse_rule
from slaclock.engine.windows import Windows, windows_from_data
from slaclock.errors import NaiveDatetimeError, NoBusinessTimeError, ScheduleError

UTC = dt.timezone.utc
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def at(*args: int, tz: dt.tzinfo = LONDON) -> dt.datetime:
    """Return an aware datetime in ``tz`` (London by default)."""
    return dt.datetime(*args, tzinfo=tz)


def spans(cal: Calendar, start: dt.datetime, end: dt.datetime) -> list[tuple[str, str]]:
    """Return the calendar's open periods in ``[start, end)`` as UTC ISO strings."""
    return [
        (p.start.astimezone(UTC).isoformat(), p.end.astimezone(UTC).isoformat())
        for p in cal.periods(start, end)
    ]


# -- one-off windows ----------------------------------------------------------


def test_between_merges_overlapping_and_touching_windows() -> None:
    cal = Windows.between(
        [
            (at(2026, 3, 2, 10), at(2026, 3, 2, 12)),
            (at(2026, 3, 1, 9), at(2026, 3, 1, 10)),
            (at(2026, 3, 2, 11), at(2026, 3, 2, 13)),
            (at(2026, 3, 2, 13), at(2026, 3, 2, 14)),
        ],
        tz="Europe/London",
    )
    assert spans(cal, at(2026, 1, 1), at(2027, 1, 1)) == [
        ("2026-03-01T09:00:00+00:00", "2026-03-01T10:00:00+00:00"),
        ("2026-03-02T10:00:00+00:00", "2026-03-02T14:00:00+00:00"),
    ]
    assert cal.elapsed(at(2026, 1, 1), at(2027, 1, 1)) == 5 * HOUR
    assert cal.is_open(at(2026, 3, 2, 13, 59))
    assert not cal.is_open(at(2026, 3, 2, 14))
    assert cal.tz == LONDON
    assert cal.next_open(at(2026, 3, 1, 10)).isoformat() == "2026-03-02T10:00:00+00:00"


def test_between_answers_in_its_zone_and_accepts_any_offsets() -> None:
    start = dt.datetime(2026, 7, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    cal = Windows.between([(start, start + HOUR)], tz="Australia/Sydney")
    found = cal.next_open(at(2026, 6, 1))
    assert found.tzinfo == SYDNEY
    assert found.isoformat() == "2026-07-02T02:00:00+10:00"


def test_between_add_runs_out_of_windows() -> None:
    cal = Windows.between([(at(2026, 3, 1, 9), at(2026, 3, 1, 10))])
    assert cal.add(at(2026, 1, 1), 30 * MINUTE) == at(2026, 3, 1, 9, 30)
    with pytest.raises(NoBusinessTimeError):
        cal.add(at(2026, 1, 1), 2 * HOUR)
    with pytest.raises(NoBusinessTimeError):
        Windows.between([]).next_open(at(2026, 1, 1))


@pytest.mark.parametrize(
    ("intervals", "error", "match"),
    [
        ([(dt.datetime(2026, 1, 1), at(2026, 1, 2))], NaiveDatetimeError, "window 0 start"),
        ([(at(2026, 1, 2), at(2026, 1, 1))], ScheduleError, "window 0: end .* is not after"),
        ([(at(2026, 1, 1), at(2026, 1, 1))], ScheduleError, "is not after"),
        ([(at(2026, 1, 1),)], ScheduleError, r"window 0: expected \(start, end\)"),
        ("2026-01-01/2026-01-02", ScheduleError, "list of"),
        (None, ScheduleError, "list of"),
    ],
)
def test_between_refuses_bad_windows(intervals: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        Windows.between(intervals)  # type: ignore[arg-type]


def test_between_round_trips_and_compares_by_value() -> None:
    windows = [(at(2026, 3, 1, 9, 0, 0, 250), at(2026, 3, 1, 10)), (at(2026, 7, 1), at(2026, 7, 2))]
    cal = Windows.between(windows, tz="Europe/London")
    data = cal.to_dict()
    assert data["kind"] == "windows"
    assert data["between"][0] == ["2026-03-01T09:00:00.000250+00:00", "2026-03-01T10:00:00+00:00"]
    assert Calendar.from_dict(data) == cal
    assert Calendar.from_json(cal.to_json()) == cal
    assert windows_from_data(data) == cal
    assert pickle.loads(pickle.dumps(cal)) == cal
    assert hash(Windows.between(reversed(windows), tz=LONDON)) == hash(cal)
    assert Windows.between(windows, tz="UTC") != cal
    assert repr(cal) == "Windows.between(<2 windows>, tz='Europe/London')"


def test_windows_is_not_instantiated() -> None:
    with pytest.raises(TypeError, match=r"Windows\.between or Windows\.recurring"):
        Windows()


# -- recurring windows: named cases -------------------------------------------


def test_first_sunday_maintenance_in_2026() -> None:
    maint = Windows.recurring("RRULE:FREQ=MONTHLY;BYDAY=1SU", "02:00-06:00", tz="Europe/London")
    found = [p.start for p in maint.periods(at(2026, 1, 1), at(2027, 1, 1))]
    assert [t.date().isoformat() for t in found] == [
        "2026-01-04", "2026-02-01", "2026-03-01", "2026-04-05", "2026-05-03", "2026-06-07",
        "2026-07-05", "2026-08-02", "2026-09-06", "2026-10-04", "2026-11-01", "2026-12-06",
    ]  # fmt: skip
    assert all((t.hour, t.minute) == (2, 0) for t in found)
    assert maint.elapsed(at(2026, 1, 1), at(2027, 1, 1)) == 48 * HOUR
    uptime = Calendar.always("UTC") - maint
    assert uptime.elapsed(at(2026, 1, 1), at(2026, 2, 1)) == 31 * DAY - 4 * HOUR


def test_recurring_window_keeps_the_dst_rule() -> None:
    # Last Sunday of March and October: London's DST changes at 01:00 UTC.
    nights = Windows.recurring("FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU", "00:30-03:00", tz=LONDON)
    assert spans(nights, at(2026, 1, 1), at(2027, 1, 1)) == [
        # 00:30 GMT to 03:00 BST (the clock skips 01:00-02:00): 1 h 30 min.
        ("2026-03-29T00:30:00+00:00", "2026-03-29T02:00:00+00:00"),
        # 00:30 BST to 03:00 GMT (the clock repeats 01:00-02:00): 3 h 30 min.
        ("2026-10-24T23:30:00+00:00", "2026-10-25T03:00:00+00:00"),
    ]
    gap = Windows.recurring("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "01:30-03:00", tz=LONDON)
    # Opens at the end of the gap (02:00 BST), not RFC 5545's 02:30 BST.
    assert spans(gap, at(2026, 1, 1), at(2027, 1, 1)) == [
        ("2026-03-29T01:00:00+00:00", "2026-03-29T02:00:00+00:00")
    ]


def test_overnight_window_belongs_to_the_day_it_starts() -> None:
    cal = Windows.recurring("FREQ=WEEKLY;BYDAY=FR", "22:00-02:00", tz=LONDON, start="2026-01-01")
    assert spans(cal, at(2026, 1, 1), at(2026, 1, 12)) == [
        ("2026-01-02T22:00:00+00:00", "2026-01-03T02:00:00+00:00"),
        ("2026-01-09T22:00:00+00:00", "2026-01-10T02:00:00+00:00"),
    ]
    # A chunk edge does not lose the half of a window that starts the day before.
    assert cal.is_open(at(2026, 1, 10, 1, 59))
    assert not cal.is_open(at(2026, 1, 10, 2))


def test_several_shifts_and_adjacent_days_merge() -> None:
    cal = Windows.recurring("FREQ=DAILY", ["00:00-06:00", "20:00-24:00"], tz="UTC")
    periods = list(cal.periods(at(2026, 1, 1, tz=UTC), at(2026, 1, 3, tz=UTC)))
    assert [(p.start.isoformat(), p.end.isoformat()) for p in periods] == [
        ("2026-01-01T00:00:00+00:00", "2026-01-01T06:00:00+00:00"),
        ("2026-01-01T20:00:00+00:00", "2026-01-02T06:00:00+00:00"),
        ("2026-01-02T20:00:00+00:00", "2026-01-03T00:00:00+00:00"),
    ]


def test_count_ends_the_rule_and_searches_stop() -> None:
    cal = Windows.recurring("FREQ=WEEKLY;COUNT=3", "09:00-10:00", tz=LONDON, start="2026-01-05")
    assert [p.start.date().isoformat() for p in cal.periods(at(2025, 1, 1), at(2030, 1, 1))] == [
        "2026-01-05",
        "2026-01-12",
        "2026-01-19",
    ]
    assert cal.add(at(2026, 1, 1), 3 * HOUR) == at(2026, 1, 19, 10)
    with pytest.raises(NoBusinessTimeError):
        cal.add(at(2026, 1, 1), 3 * HOUR + MINUTE)
    with pytest.raises(NoBusinessTimeError):
        cal.next_open(at(2026, 1, 19, 10))


@pytest.mark.parametrize(
    ("until", "last"),
    [
        ("20260315", "2026-03-15"),  # a date includes windows opening that day
        ("20260315T085959", "2026-03-14"),  # local, compared with the window's start
        ("20260315T090000", "2026-03-15"),
        ("20260315T085959Z", "2026-03-14"),  # UTC, converted to London (GMT in March)
        ("20260615T080000Z", "2026-06-15"),  # 08:00 UTC is 09:00 BST
        ("20260615T075959Z", "2026-06-14"),
    ],
)
def test_until_ends_the_rule(until: str, last: str) -> None:
    cal = Windows.recurring(f"FREQ=DAILY;UNTIL={until}", "09:00-10:00", tz=LONDON)
    found = list(cal.periods(at(2026, 1, 1), at(2027, 1, 1)))
    assert found[-1].start.date().isoformat() == last


def test_dtstart_line_anchors_interval() -> None:
    rule = "DTSTART:20260105T000000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    cal = Windows.recurring(rule, "09:00-10:00", tz=LONDON)
    assert cal == Windows.recurring(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "09:00-10:00", tz=LONDON, start=dt.date(2026, 1, 5)
    )
    days = [p.start.date().isoformat() for p in cal.periods(at(2025, 1, 1), at(2026, 2, 10))]
    assert days == ["2026-01-05", "2026-01-19", "2026-02-02"]


def test_default_anchor_is_1970() -> None:
    cal = Windows.recurring("FREQ=DAILY", "09:00-10:00", tz="UTC")
    assert cal.next_open(at(1950, 1, 1, tz=UTC)) == at(1970, 1, 1, 9, tz=UTC)
    # Far from the anchor: the fast-forward keeps the phase.
    weekly = Windows.recurring("FREQ=WEEKLY;INTERVAL=3", "09:00-10:00", tz="UTC")
    t = weekly.next_open(at(2400, 6, 1, tz=UTC))
    assert (t.date() - dt.date(1970, 1, 1)).days % 21 == 0


def test_recurring_round_trips_and_compares_by_value() -> None:
    cal = Windows.recurring(" rrule:freq=monthly;byday=1su ", "02:00-06:00", tz="Europe/London")
    assert cal == Windows.recurring("FREQ=MONTHLY;BYDAY=1SU", "02:00-06:00", tz=LONDON)
    assert hash(cal) == hash(Windows.recurring("FREQ=MONTHLY;BYDAY=1SU", "02:00-06:00", tz=LONDON))
    assert cal != Windows.recurring("FREQ=MONTHLY;BYDAY=1SU", "02:00-07:00", tz=LONDON)
    assert cal != Windows.recurring("FREQ=MONTHLY;BYDAY=1SU", "02:00-06:00", tz="UTC")
    assert cal.to_dict() == {
        "kind": "windows",
        "tz": "Europe/London",
        "rule": "FREQ=MONTHLY;BYDAY=1SU",
        "hours": "02:00-06:00",
    }
    anchored = Windows.recurring("FREQ=DAILY;COUNT=2", "09:00-10:00", tz=LONDON, start="2026-01-01")
    assert anchored.to_dict()["start"] == "2026-01-01"
    for each in (cal, anchored):
        assert Calendar.from_dict(each.to_dict()) == each
        assert Calendar.from_json(each.to_json()) == each
        assert pickle.loads(pickle.dumps(each)) == each
    assert (
        repr(cal)
        == "Windows.recurring('FREQ=MONTHLY;BYDAY=1SU', '02:00-06:00', tz='Europe/London')"
    )


@pytest.mark.parametrize(
    ("rule", "match"),
    [
        ("FREQ=SOMETIMES", "FREQ=SOMETIMES is not DAILY"),
        ("FREQ=HOURLY", "FREQ=HOURLY is not DAILY"),
        ("FREQ=DAILY;BYHOUR=3", "BYHOUR is not allowed"),
        ("BYDAY=MO", "FREQ is required"),
        ("FREQ=MONTHLY;BYDAY=XX", "invalid 'BYDAY'"),
        ("FREQ=DAILY;FOO=1", "unknown parameter"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0 is not a whole number"),
        ("FREQ=DAILY;COUNT=-1", "COUNT=-1 is not a whole number"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20260101", "COUNT and UNTIL exclude each other"),
        ("FREQ=DAILY;UNTIL=2026", "UNTIL=2026 is not"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
        ("FREQ", "is not NAME=VALUE"),
        ("", "has no rule"),
        ("EXDATE:20260101\nRRULE:FREQ=DAILY", "only RRULE and DTSTART lines"),
        ("DTSTART;TZID=Europe/Paris:20260101T000000\nRRULE:FREQ=DAILY", "DTSTART must be"),
        ("DTSTART:20261301\nRRULE:FREQ=DAILY", "is not a date"),
        ("RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY", "only one RRULE"),
    ],
)
def test_invalid_rules_are_named(rule: str, match: str) -> None:
    with pytest.raises(ScheduleError, match=match) as info:
        Windows.recurring(rule, "02:00-06:00", tz="UTC")
    if rule:
        assert repr(rule)[:20] in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rule": 5, "hours": "02:00-03:00"}, "is a string"),
        ({"rule": "FREQ=DAILY", "hours": "closed"}, "need hours"),
        ({"rule": "FREQ=DAILY", "hours": "2-3"}, "not a time of day"),
        ({"rule": "FREQ=DAILY;COUNT=3", "hours": "02:00-03:00"}, "give a start date"),
        ({"rule": "DTSTART:20260101\nFREQ=DAILY", "hours": "02:00-03:00", "start": "2026-01-01"},
         "give one"),
        ({"rule": "FREQ=DAILY", "hours": "02:00-03:00", "start": "01/01/2026"}, "not a date"),
    ],
)  # fmt: skip
def test_bad_recurring_arguments(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ScheduleError, match=match):
        Windows.recurring(tz="UTC", **kwargs)  # type: ignore[arg-type]


def test_window_data_errors() -> None:
    with pytest.raises(ScheduleError, match="'tz'"):
        windows_from_data({"kind": "windows", "between": []})
    with pytest.raises(ScheduleError, match="'between'"):
        windows_from_data({"kind": "windows", "tz": "UTC"})
    with pytest.raises(ScheduleError, match=r"between\[0\]"):
        windows_from_data({"kind": "windows", "tz": "UTC", "between": [["2026-01-01T00:00Z"]]})
    with pytest.raises(ScheduleError, match="no UTC offset"):
        windows_from_data(
            {"kind": "windows", "tz": "UTC", "between": [["2026-01-01T00:00", "2026-01-02"]]}
        )
    with pytest.raises(ScheduleError, match="unknown keys"):
        windows_from_data({"kind": "windows", "tz": "UTC", "rule": "FREQ=DAILY", "x": 1})
    with pytest.raises(ScheduleError, match="'hours'"):
        windows_from_data({"kind": "windows", "tz": "UTC", "rule": "FREQ=DAILY"})
    assert parse_rule("RRULE:FREQ=DAILY") == ("FREQ=DAILY", None)


# -- recurring windows: generation against references -------------------------

_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@st.composite
def rules(draw: st.DrawFn) -> tuple[str, dt.date]:
    """Return a random day-picking RRULE body and its anchor date."""
    freq = draw(st.sampled_from(_FREQS))
    parts = [f"FREQ={freq}"]
    interval = draw(st.sampled_from([1, 1, 2, 3, 5]))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    choice = draw(st.integers(0, 4))
    if choice == 1:
        days = draw(st.lists(st.sampled_from(_BYDAY), min_size=1, max_size=3, unique=True))
        prefix = (
            draw(st.sampled_from(["", "1", "-1", "2"])) if freq in ("MONTHLY", "YEARLY") else ""
        )
        parts.append("BYDAY=" + ",".join(prefix + day for day in days))
    elif choice == 2:
        parts.append(f"BYMONTHDAY={draw(st.sampled_from([1, 15, 28, 29, 31, -1]))}")
    elif choice == 3:
        parts.append(f"BYMONTH={draw(st.integers(1, 12))}")
    elif choice == 4:
        parts.append("BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
    ending = draw(st.integers(0, 3))
    if ending == 1:
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    elif ending == 2:
        until = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(-400, 400)))
        parts.append(f"UNTIL={until:%Y%m%d}")
    anchor = dt.date(1990, 1, 1) + dt.timedelta(days=draw(st.integers(0, 13_000)))
    return ";".join(parts), anchor


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(rule_anchor=rules(), offset=st.integers(-400, 4000), length=st.integers(0, 500))
def test_days_agree_with_plain_rrule_iteration(
    rule_anchor: tuple[str, dt.date], offset: int, length: int
) -> None:
    """Fast-forwarded, capped per-chunk generation yields what rrule yields from the anchor."""
    rule, anchor = rule_anchor
    # A date UNTIL takes in the whole day (dateutil alone would read it as midnight).
    plain = re.sub(r"UNTIL=(\d{8})$", r"UNTIL=\1T235959", rule)
    start = dt.datetime.combine(anchor, dt.time(9))
    later = start + dt.timedelta(days=146_097)
    if "UNTIL" not in rule and not rrulestr("RRULE:" + plain, dtstart=start).between(
        start, later, inc=True
    ):
        # A rule with no end that never occurs in the 400 years holding every pattern
        # (MONTHLY;INTERVAL=2;BYMONTH=2 from January) is refused at load.
        with pytest.raises(ScheduleError, match="never occurs"):
            RecurringSource.build(LONDON, rule, "09:00-10:00", anchor)
        return
    source = RecurringSource.build(LONDON, rule, "09:00-10:00", anchor)
    first = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
    last = first + dt.timedelta(days=length)
    expected = [
        occurrence.date()
        for occurrence in rrulestr(
            "RRULE:" + plain, dtstart=dt.datetime.combine(anchor, dt.time(9))
        ).between(dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time.max))
    ]
    assert list(source.days(first, last)) == expected


def first_minute_reading(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Return the first whole UTC minute at which ``tz``'s wall clock reads ``local`` or later."""
    minute = local.replace(tzinfo=UTC) - 15 * HOUR
    while minute.astimezone(tz).replace(tzinfo=None) < local:
        minute += MINUTE
    return minute


@pytest.mark.parametrize(
    ("rule", "hours", "zone"),
    [
        ("FREQ=WEEKLY;BYDAY=SU", "00:30-02:30", "Europe/London"),
        ("FREQ=WEEKLY;BYDAY=SA,SU", "01:15-03:45", "Australia/Sydney"),
        ("FREQ=DAILY", "23:00-02:30", "America/New_York"),
        ("FREQ=MONTHLY;BYDAY=-1SU", "02:00-02:30", "Australia/Lord_Howe"),
    ],
)
def test_windows_match_a_brute_force_wall_clock_scan(rule: str, hours: str, zone: str) -> None:
    """Each window opens and closes at the first minute the wall clock reads its times."""
    tz = ZoneInfo(zone)
    cal = Windows.recurring(rule, hours, tz=zone)
    lo, hi = dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)
    start_text, end_text = hours.split("-")
    start_time = dt.time.fromisoformat(start_text)
    end_time = dt.time.fromisoformat(end_text)
    expected: list[tuple[dt.datetime, dt.datetime]] = []
    for occurrence in rrulestr("RRULE:" + rule, dtstart=dt.datetime(2025, 12, 25)).between(
        dt.datetime(2025, 12, 25), dt.datetime(2027, 1, 2), inc=True
    ):
        day = occurrence.date()
        end_day = day + DAY if end_time <= start_time else day
        opens = first_minute_reading(dt.datetime.combine(day, start_time), tz)
        closes = first_minute_reading(dt.datetime.combine(end_day, end_time), tz)
        opens, closes = max(opens, lo), min(closes, hi)
        if opens < closes:
            expected.append((opens, closes))
    got = [(p.start.astimezone(UTC), p.end.astimezone(UTC)) for p in cal.periods(lo, hi)]
    assert got == expected
