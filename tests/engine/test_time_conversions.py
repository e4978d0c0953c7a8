"""The integer-instant conversions on the hot path agree with plain datetime arithmetic."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock.engine._time import EPOCH, MAX_US, MIN_US, ONE_US, from_us, to_us
from slaclock.errors import NaiveDatetimeError

ZONES = [
    ZoneInfo("Europe/London"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Lord_Howe"),  # a half-hour daylight-saving change
    ZoneInfo("Pacific/Apia"),  # skipped a whole day in 2011
    dt.timezone.utc,
    dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
]
#: Whole seconds (where from_us takes its fromtimestamp path) and odd microseconds, near DST.
INSTANTS = st.one_of(
    st.integers(MIN_US, MAX_US),
    st.integers(-(10**9), 40 * 10**8).map(lambda s: s * 1_000_000),
    st.integers(1_700_000_000, 1_800_000_000).map(lambda s: s * 1_000_000 + 1),
)


@given(INSTANTS, st.sampled_from(ZONES))
def test_from_us_is_astimezone_of_the_instant(us: int, tz: dt.tzinfo) -> None:
    expected = (EPOCH + dt.timedelta(microseconds=us)).astimezone(tz)
    got = from_us(us, tz)
    assert got == expected
    assert (got.replace(tzinfo=None), got.fold, got.tzinfo) == (
        expected.replace(tzinfo=None),
        expected.fold,
        expected.tzinfo,
    )
    assert to_us(got) == us


@given(st.datetimes(timezones=st.sampled_from(ZONES)))
def test_to_us_counts_real_microseconds(instant: dt.datetime) -> None:
    us = (instant - EPOCH) // ONE_US
    if MIN_US <= us <= MAX_US:
        assert to_us(instant) == us


def test_to_us_refuses_naive_and_offsetless() -> None:
    class Nowhere(dt.tzinfo):
        def utcoffset(self, _: dt.datetime | None) -> None:
            return None

    with pytest.raises(NaiveDatetimeError, match="start 2026-11-20T16:55:00 is naive"):
        to_us(dt.datetime(2026, 11, 20, 16, 55), "start")
    with pytest.raises(NaiveDatetimeError, match="is naive"):
        to_us(dt.datetime(2026, 11, 20, 16, 55, tzinfo=Nowhere()))
    with pytest.raises(TypeError, match="end must be a datetime, not str"):
        to_us("2026-11-20", "end")  # type: ignore[arg-type]
