"""``iso_instant`` writes what ``isoformat`` writes, for every instant reports hold."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.engine import _iso
from slaclock.engine._iso import iso_instant
from slaclock.engine._time import iso_or_none

UTC = dt.timezone.utc

#: Offsets as odd as they come: a quarter hour (+05:45), local mean time in seconds
#: (Dublin's -00:25:21), microseconds, and the extremes a tzinfo may give.
ODD_OFFSETS = [
    dt.timedelta(hours=5, minutes=45),
    -dt.timedelta(minutes=25, seconds=21),
    dt.timedelta(hours=-4, minutes=-56, seconds=-2),
    dt.timedelta(seconds=1, microseconds=5),
    -dt.timedelta(microseconds=1),
    dt.timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999),
    -dt.timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999),
    dt.timedelta(0),
]
ZONES = [ZoneInfo(key) for key in ("Europe/Dublin", "Asia/Kathmandu", "America/New_York", "UTC")]


class Stamp(dt.datetime):
    """A datetime subclass that writes itself its own way."""

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return "stamp " + super().isoformat(sep, timespec)


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(1, 1, 1, tzinfo=UTC),
        dt.datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45))),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        dt.datetime(1880, 6, 1, 12, tzinfo=ZoneInfo("Europe/Dublin")),  # -00:25:21
        dt.datetime(1, 1, 3, 17, tzinfo=ZoneInfo("America/New_York")),  # -04:56:02
        # The repeated hour of a clock set back: fold 0 and 1 read different offsets.
        dt.datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York")),
        dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
        dt.datetime(2026, 10, 25, 1, 30, 0, 500, fold=1, tzinfo=ZoneInfo("Europe/Dublin")),
        dt.datetime(2026, 11, 20, 16, 5),  # naive: no offset
        Stamp(2026, 11, 20, 16, 5, tzinfo=UTC),
    ],
    ids=repr,
)
def test_iso_instant_writes_what_isoformat_writes(value: dt.datetime) -> None:
    assert iso_instant(value) == value.isoformat()
    assert iso_instant(value) == value.isoformat()  # and again, from the kept parts
    assert iso_or_none(value) == value.isoformat()
    assert iso_or_none(None) is None


@settings(max_examples=400)
@given(
    naive=st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    fold=st.integers(0, 1),
    zone=st.one_of(
        st.sampled_from(ODD_OFFSETS).map(dt.timezone),
        st.sampled_from(ZONES),
        st.none(),
    ),
)
def test_iso_instant_equals_isoformat(
    naive: dt.datetime, fold: int, zone: dt.tzinfo | None
) -> None:
    value = naive.replace(tzinfo=zone, fold=fold)
    assert iso_instant(value) == value.isoformat()


def test_the_tables_stay_bounded() -> None:
    day = dt.datetime(2000, 1, 1, tzinfo=UTC)
    for n in range(2 * _iso._KEPT):
        assert iso_instant(day + dt.timedelta(days=n)) == (day + dt.timedelta(days=n)).isoformat()
    assert len(_iso._DAYS) <= _iso._KEPT
