"""Batch queries give, element by element, exactly what the single calls give."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import Calendar, NaiveDatetimeError, NoBusinessTimeError

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")

CALENDARS = {
    "london desk": Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="Europe/London",
        holidays=holidays.country_holidays("GB", subdiv="ENG"),
        overrides={dt.date(2026, 12, 24): "09:00-13:00"},
    ),
    "overnight new york": Calendar.weekly(
        {"mon-fri": "22:00-06:00", "sat": "10:00-10:00:01"}, tz="America/New_York"
    ),
    "follow the sun": Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    | Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Australia/Sydney"),
    "always": Calendar.always("UTC"),
}

instants = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2029, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=dt.timedelta(hours=-3000), max_value=dt.timedelta(hours=3000))


def to_numpy(values: list[dt.datetime]) -> np.ndarray:
    return np.array([(value - EPOCH) // dt.timedelta(microseconds=1) for value in values]).astype(
        "datetime64[us]"
    )


def from_numpy(value: np.datetime64) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=int(value.astype("int64")))


@pytest.mark.parametrize("name", CALENDARS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_batches_equal_single_calls(name: str, data: st.DataObject) -> None:
    cal = CALENDARS[name]
    size = data.draw(st.integers(1, 30))
    starts = data.draw(st.lists(instants, min_size=size, max_size=size))
    ends = data.draw(st.lists(instants, min_size=size, max_size=size))
    amounts = data.draw(st.lists(durations, min_size=size, max_size=size))

    elapsed = cal.elapsed_many(to_numpy(starts), to_numpy(ends))
    added = cal.add_many(to_numpy(starts), np.array(amounts, dtype="timedelta64[us]"))
    for i in range(size):
        assert elapsed[i] == np.timedelta64(cal.elapsed(starts[i], ends[i]), "us")
        assert from_numpy(added[i]) == cal.add(starts[i], amounts[i])

    assert cal.elapsed_many(starts, ends) == [
        cal.elapsed(a, b) for a, b in zip(starts, ends, strict=True)
    ]
    assert cal.add_many(starts, amounts) == [
        cal.add(a, d) for a, d in zip(starts, amounts, strict=True)
    ]


def test_the_friday_call_in_every_container() -> None:
    cal = CALENDARS["london desk"]
    friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=LONDON)
    monday = dt.datetime(2026, 11, 23, 9, 5, tzinfo=LONDON)
    ten = dt.timedelta(minutes=10)

    assert cal.add_many([friday], [ten]) == [monday]
    assert cal.elapsed_many([friday], [monday]) == [ten]

    series = pd.Series([friday, friday], name="logged").dt.tz_convert("UTC")
    due = cal.add_many(series, pd.Series([ten, dt.timedelta(minutes=5)]))
    assert isinstance(due, pd.Series)
    assert due.name == "logged"
    assert str(due.dt.tz) == "Europe/London"
    assert list(due) == [monday, dt.datetime(2026, 11, 20, 17, 0, tzinfo=LONDON)]

    index = pd.DatetimeIndex([friday]).tz_convert("America/New_York")
    assert list(cal.elapsed_many(index, pd.DatetimeIndex([monday]))) == [pd.Timedelta(ten)]

    arrow = pa.array([friday]).cast(pa.timestamp("us", tz="UTC"))
    due_arrow = cal.add_many(arrow, pa.array([ten]))
    assert due_arrow.type == pa.timestamp("us", tz="Europe/London")
    assert due_arrow.to_pylist() == [monday]
    used = cal.elapsed_many(arrow, pa.array([monday]).cast(pa.timestamp("us", tz="UTC")))
    assert used.to_pylist() == [ten]


def test_missing_values_stay_missing() -> None:
    cal = CALENDARS["london desk"]
    friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=UTC)
    starts = to_numpy([friday, friday])
    starts[1] = np.datetime64("NaT")
    ends = to_numpy([friday, friday + dt.timedelta(days=3)])
    used = cal.elapsed_many(starts, ends)
    assert used[0] == np.timedelta64(0, "us")
    assert np.isnat(used[1])
    assert cal.add_many([friday, None], [dt.timedelta(0), dt.timedelta(hours=1)])[1] is None
    assert cal.elapsed_many([None], [friday]) == [None]


def test_empty_batches() -> None:
    cal = CALENDARS["london desk"]
    empty = np.array([], dtype="datetime64[us]")
    assert cal.elapsed_many(empty, empty).size == 0
    assert cal.add_many(empty, np.array([], dtype="timedelta64[us]")).size == 0
    assert cal.add_many([], []) == []


def test_bad_batches_are_refused() -> None:
    cal = CALENDARS["london desk"]
    naive = pd.Series(pd.to_datetime(["2026-11-20 16:55"]))
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        cal.elapsed_many(naive, naive)
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        cal.add_many(pa.array([dt.datetime(2026, 11, 20)]), pa.array([dt.timedelta(0)]))
    with pytest.raises(NaiveDatetimeError, match=r"starts\[1\]"):
        cal.add_many([dt.datetime(2026, 11, 20, tzinfo=UTC), dt.datetime(2026, 11, 20)], [])
    with pytest.raises(ValueError, match="differ in length"):
        cal.elapsed_many(to_numpy([dt.datetime(2026, 1, 1, tzinfo=UTC)]), to_numpy([]))
    with pytest.raises(TypeError, match="datetime64"):
        cal.elapsed_many(np.array([1, 2]), np.array([1, 2]))
    with pytest.raises(NoBusinessTimeError):
        Calendar.never().add_many([dt.datetime(2026, 1, 1, tzinfo=UTC)], [dt.timedelta(1)])


def test_inputs_are_not_mutated() -> None:
    cal = CALENDARS["london desk"]
    starts = to_numpy([dt.datetime(2026, 11, 20, 16, 55, tzinfo=UTC)])
    amounts = np.array([dt.timedelta(hours=5)], dtype="timedelta64[us]")
    before = (starts.copy(), amounts.copy())
    cal.add_many(starts, amounts)
    assert (starts == before[0]).all()
    assert (amounts == before[1]).all()
    # µs arrays are read in place, never copied: read-only ones work, and no answer is
    # (or shares memory with) an input, even where nothing moves (a calendar never open).
    starts.flags.writeable = False
    amounts.flags.writeable = False
    for each in (cal, Calendar.never("UTC")):
        added = each.add_many(starts, np.zeros(1, dtype="timedelta64[us]"))
        elapsed = each.elapsed_many(starts, starts)
        assert not np.shares_memory(added, starts)
        assert not np.shares_memory(elapsed, starts)
    assert (cal.add_many(starts, amounts) > before[0]).all()


def test_cached_tables_serve_later_batches_exactly() -> None:
    """Tables kept from a wide batch answer a narrow one; adds reaching past them widen them."""
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    wide = [dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2029, 1, 1, tzinfo=UTC)]
    cal.elapsed_many(to_numpy(wide), to_numpy(wide[::-1]))
    assert cal._index.batch_tables
    starts = [dt.datetime(2026, 11, 20, 16, 55, tzinfo=UTC), dt.datetime(2024, 2, 1, tzinfo=UTC)]
    amounts = [dt.timedelta(hours=20_000), dt.timedelta(hours=-9_000)]
    added = cal.add_many(to_numpy(starts), np.array(amounts, dtype="timedelta64[us]"))
    assert [from_numpy(value) for value in added] == [
        cal.add(start, amount) for start, amount in zip(starts, amounts, strict=True)
    ]
    ends = [start + dt.timedelta(days=3) for start in starts]
    assert cal.elapsed_many(starts, ends) == [
        cal.elapsed(a, b) for a, b in zip(starts, ends, strict=True)
    ]
    assert len(cal._index.batch_tables) <= 4
