"""``BusinessDays.due_many`` gives ``due_from``'s answer for every element, in every container."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock import Calendar
from slaclock.errors import NoBusinessTimeError
from slaclock.sla.targets import BusinessDays

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
#: Zones with daylight saving at 01:00 UTC, at local midnight (Havana, Santiago), and none.
ZONES = ("Europe/London", "America/Havana", "America/Santiago", "Asia/Kolkata", "Pacific/Apia")
HOURS = (
    {"mon-fri": "09:00-17:00"},
    {"mon-fri": "22:00-06:00"},
    {"mon-sat": "00:00-01:00,23:30-24:00"},
    {"sun": "10:00-12:00"},
)


def as_us(t: dt.datetime) -> int:
    return (t - EPOCH) // dt.timedelta(microseconds=1)


def calendar(zone: str, hours: dict[str, str]) -> Calendar:
    return Calendar.weekly(hours, tz=zone, holidays=[dt.date(2026, 12, 25), dt.date(2027, 1, 1)])


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    hours=st.sampled_from(HOURS),
    days=st.integers(1, 12),
    offsets=st.lists(st.integers(0, 2 * 365 * 24 * 60), min_size=1, max_size=40),
)
def test_due_many_equals_due_from(
    zone: str, hours: dict[str, str], days: int, offsets: list[int]
) -> None:
    cal = calendar(zone, hours)
    target = BusinessDays(days)
    logged = [dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=m) for m in offsets]
    array = np.array([as_us(t) for t in logged], dtype="int64").view("datetime64[us]")
    expected = [as_us(target.due_from(cal, t)) for t in logged]
    assert target.due_many(cal, array).view("int64").tolist() == expected
    listed = target.due_many(cal, logged)
    assert [as_us(t) for t in listed] == expected
    assert all(t.tzinfo is cal.tz for t in listed)


def test_due_many_on_daylight_saving_days_reads_the_wall_clock_date() -> None:
    # Havana moves its clocks at local midnight: instants around the change, minute by minute.
    cal = calendar("America/Havana", {"mon-sun": "09:00-17:00"})
    changes = [dt.datetime(2026, 3, 8, 5, tzinfo=UTC), dt.datetime(2026, 11, 1, 5, tzinfo=UTC)]
    logged = [c + dt.timedelta(minutes=m) for c in changes for m in range(-90, 91, 7)]
    target = BusinessDays(2)
    assert [as_us(t) for t in target.due_many(cal, logged)] == [
        as_us(target.due_from(cal, t)) for t in logged
    ]


def test_due_many_keeps_missing_values_and_shapes_pandas_columns() -> None:
    pd = pytest.importorskip("pandas")
    cal = calendar("Europe/London", {"mon-fri": "09:00-17:00"})
    column = pd.Series(pd.to_datetime(["2026-11-20T16:55Z", None, "2026-12-24T10:00Z"], utc=True))
    due = BusinessDays(3).due_many(cal, column)
    assert str(due.dt.tz) == "Europe/London"
    assert due[0] == pd.Timestamp("2026-11-25T17:00", tz="Europe/London")
    assert pd.isna(due[1])
    # Thursday 24th; Friday 25th is a holiday: Monday 28th, Tuesday, Wednesday 30th.
    assert due[2] == pd.Timestamp("2026-12-30T17:00", tz="Europe/London")


def test_due_many_without_open_time_raises_like_due_from() -> None:
    never = Calendar.never("UTC")
    logged = np.array(["2026-11-20T16:55"], dtype="datetime64[us]")
    with pytest.raises(NoBusinessTimeError):
        BusinessDays(1).due_many(never, logged)
    with pytest.raises(NoBusinessTimeError):
        BusinessDays(0).due_many(calendar("UTC", {"mon-fri": "09:00-17:00"}), logged)


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    batches=st.lists(
        st.tuples(
            st.integers(1, 12),
            st.lists(st.integers(0, 3 * 365 * 24 * 60), min_size=1, max_size=20),
        ),
        min_size=2,
        max_size=5,
    ),
)
def test_repeated_batches_on_one_calendar_reuse_tables_and_agree(
    zone: str, batches: list[tuple[int, list[int]]]
) -> None:
    # Later batches may be answered from a day table an earlier batch built (narrower,
    # wider or shifted ranges, other day counts): every answer is still due_from's.
    cal = calendar(zone, {"mon-fri": "09:00-17:00"})
    other = calendar(zone, {"sat-sun": "10:00-11:00"})
    for days, offsets in batches:
        logged = [dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=m) for m in offsets]
        for each in (cal, other):
            target = BusinessDays(days)
            assert [as_us(t) for t in target.due_many(each, logged)] == [
                as_us(target.due_from(each, t)) for t in logged
            ]
