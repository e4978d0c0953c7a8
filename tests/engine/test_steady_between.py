"""``Transitions.between`` lists every change of a zone's UTC offset over a span."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from slaclock.engine import _steady
from slaclock.engine._time import EPOCH, ONE_US, offset_us


def brute_changes(zone: ZoneInfo, lo: int, hi: int) -> list[int]:
    """Return the first instants (µs) in (lo, hi] with a new offset, by a 15-minute scan."""
    step = 15 * 60 * 10**6
    found = []
    t = lo
    while t < hi:
        nxt = min(t + step, hi)
        if offset_us(t, zone) != offset_us(nxt, zone):
            a, b = t, nxt
            while b - a > 1:
                middle = (a + b) // 2
                if offset_us(middle, zone) == offset_us(t, zone):
                    a = middle
                else:
                    b = middle
            found.append(b)
        t = nxt
    return found


@pytest.mark.parametrize(
    "key", ["Australia/Lord_Howe", "Pacific/Apia", "Europe/Dublin", "America/Santiago", "UTC"]
)
@pytest.mark.parametrize("year", [1916, 2011, 2036, 2044])
def test_between_holds_every_change_of_offset(key: str, year: int) -> None:
    zone = ZoneInfo(key)
    reading = _steady.transitions(zone)
    assert reading is not None
    lo = (dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc) - EPOCH) // ONE_US
    hi = (dt.datetime(year + 2, 3, 1, tzinfo=dt.timezone.utc) - EPOCH) // ONE_US
    listed = reading.between(lo, hi)
    assert listed == sorted(set(listed))
    assert all(lo < t <= hi for t in listed)
    changing = [t for t in listed if offset_us(t - 1, zone) != offset_us(t, zone)]
    assert changing == brute_changes(zone, lo, hi)
