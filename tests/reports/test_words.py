"""Words for people (report pages), and the one duration formatter/parser and instant parser."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock.engine._time import iso_datetime, parse_instant
from slaclock.errors import InputError, PolicyError
from slaclock.reports._words import (
    calendar_words,
    duration_words,
    instant_words,
    metric_label,
    period_words,
    target_words,
    zone_words,
)
from slaclock.reports.periods import parse_period
from slaclock.sla.targets import format_duration, parse_duration

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("2026-10", "October 2026"),
        ("2026-Q4", "Q4 2026"),
        ("2026", "2026"),
        ("2026-10-05", "5 October 2026"),
        ("2026-10-01..2026-10-15", "1 to 15 October 2026"),
        ("2026-10-25..2026-11-03", "25 October to 3 November 2026"),
        ("2026-12-24..2027-01-02", "24 December 2026 to 2 January 2027"),
    ],
)
def test_period_words(period: str, words: str) -> None:
    for zone in ("UTC", "Europe/London", "Australia/Sydney"):
        parsed = parse_period(period, zone)
        # Local days, so a month in London (which starts at 23:00 UTC) is still October.
        assert period_words(parsed.start, parsed.end) == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("3d", "3 business days"),
        ("1d", "1 business day"),
        ("4h", "4 hours"),
        ("1h", "1 hour"),
        ("30m", "30 minutes"),
        ("1h30m", "1 hour 30 minutes"),
        ("PT15M", "15 minutes"),
        ("45s", "45 seconds"),
        ("not a target", "not a target"),
    ],
)
def test_targets_as_the_contract_writes_them(text: str, words: str) -> None:
    assert target_words(text) == words


@pytest.mark.parametrize(
    ("amount", "long", "short"),
    [
        (dt.timedelta(0), "0 seconds", "0 s"),
        (dt.timedelta(seconds=59.6), "1 minute", "1 min"),
        (dt.timedelta(hours=30, minutes=52), "30 hours 52 minutes", "30 h 52 min"),
        (dt.timedelta(hours=1, seconds=59 * 60 + 45), "2 hours", "2 h"),
        (-dt.timedelta(minutes=90), "minus 1 hour 30 minutes", "minus 1 h 30 min"),
    ],
)
def test_duration_words(amount: dt.timedelta, long: str, short: str) -> None:
    assert duration_words(amount) == long
    assert duration_words(amount, short=True) == short


def test_zones_instants_metrics_and_calendars_in_words() -> None:
    assert zone_words(LONDON) == "UK time"
    assert zone_words(ZoneInfo("Europe/Berlin")) == "German time"
    assert zone_words(ZoneInfo("America/Argentina/Buenos_Aires")) == "Buenos Aires time"
    assert zone_words(dt.timezone.utc) == "UTC"
    assert zone_words(None) == "UTC"
    summer = dt.datetime(2026, 7, 3, 15, 55, tzinfo=dt.timezone.utc)
    assert instant_words(summer, LONDON) == "3 Jul 16:55"  # in the report's zone
    assert instant_words(summer, LONDON, year=True) == "3 Jul 2026 16:55"
    assert metric_label("first_response") == "First response"
    assert metric_label("custom_metric") == "Custom metric"
    assert calendar_words({"kind": "never", "tz": "UTC"}) == "never open"
    assert calendar_words({"kind": "union", "of": []}) == "a combined calendar (union)"
    listed = {"kind": "weekly", "tz": "UTC", "hours": {"sat": "10:00-12:00"}, "holidays": ["x"]}
    assert calendar_words(listed) == "Sat 10:00-12:00 UTC, closed on listed holidays"


# -- one duration formatter and parser --------------------------------------------------

durations = st.timedeltas(min_value=dt.timedelta(days=-400), max_value=dt.timedelta(days=400))


@given(durations)
def test_durations_round_trip_in_both_forms(amount: dt.timedelta) -> None:
    assert parse_duration(format_duration(amount)) == amount
    assert parse_duration(format_duration(amount, iso=True)) == amount


@pytest.mark.parametrize("text", ["", "-", "PT", "1d", "P1D", "h", "1h-30m", "PT1H30"])
def test_not_a_duration(text: str) -> None:
    with pytest.raises(PolicyError, match="is not a duration"):
        parse_duration(text, "x")


# -- one instant parser -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-11-20T16:55Z", "2026-11-20T16:55:00+00:00"),
        ("2026-11-20T16:55z", "2026-11-20T16:55:00+00:00"),
        (" 2026-11-20T16:55:00.5+01:00 ", "2026-11-20T16:55:00.500000+01:00"),
        ("2026-11-20T16:55:00.123456Z", "2026-11-20T16:55:00.123456+00:00"),
    ],
)
def test_instants_with_z_on_every_python(text: str, iso: str) -> None:
    assert parse_instant(text, "at").isoformat() == iso
    assert iso_datetime(text).isoformat() == iso


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-11-20T16:55", "has no UTC offset; write it as '2026-11-20T16:55:00+00:00'"),
        ("2026-11-31T10:00Z", "is not an ISO 8601 instant such as 2026-11-20T16:55+00:00"),
        ("soon", "is not an ISO 8601 instant"),
        ("Z", "is not an ISO 8601 instant"),
    ],
)
def test_bad_instants_say_where_and_what(text: str, problem: str) -> None:
    with pytest.raises(InputError, match=rf"^events\[0\]\.at: {text!r}.*") as caught:
        parse_instant(text, "events[0].at", InputError)
    assert problem in str(caught.value)


def test_python_version_does_not_matter() -> None:
    # fromisoformat accepts "Z" only from 3.11; the parser must not depend on that.
    assert sys.version_info >= (3, 10)
    assert parse_instant("2026-01-01T00:00Z", "x").utcoffset() == dt.timedelta(0)


def test_timeline_ticks_fall_on_round_local_times_across_a_clock_change() -> None:
    from slaclock.engine._time import to_us
    from slaclock.reports._html import _ticks

    start = dt.datetime(2026, 10, 23, 12, tzinfo=LONDON)  # BST
    end = dt.datetime(2026, 10, 28, 12, tzinfo=LONDON)  # GMT: the clocks went back on the 25th
    ticks = _ticks(to_us(start), to_us(end), LONDON)
    assert [label for _, label in ticks] == ["24 Oct", "25 Oct", "26 Oct", "27 Oct", "28 Oct"]
    # Each at local midnight, so the 25th (25 hours long) is wider than the others.
    positions = [position for position, _ in ticks]
    widths = [b - a for a, b in itertools.pairwise(positions)]
    assert widths[1] > widths[0] == pytest.approx(widths[2])
    hourly = _ticks(to_us(start), to_us(start + dt.timedelta(hours=5)), LONDON)
    assert [label for _, label in hourly] == [
        "23 Oct 12:00",
        "13:00",
        "14:00",
        "15:00",
        "16:00",
        "17:00",
    ]
