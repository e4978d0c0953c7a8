"""Calendars are shared between threads: concurrent first use must not poison the index."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import holidays
import pytest

from slaclock import Calendar

UTC = dt.timezone.utc


def desk() -> Calendar:
    return Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="Europe/London",
        holidays=holidays.country_holidays("GB", subdiv="ENG"),
    )


@pytest.fixture
def eager_switching() -> Iterator[None]:
    """Switch threads as often as possible, to make races show."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("eager_switching")
def test_holidays_package_calendar_under_concurrent_first_use() -> None:
    spans = [
        (dt.datetime(year, 1, 1, tzinfo=UTC), dt.datetime(year, 12, 31, tzinfo=UTC))
        for year in range(1990, 2050)
    ]
    reference = desk()
    expected = [reference.elapsed(a, b) for a, b in spans]
    shared = desk()

    def work(offset: int) -> list[dt.timedelta]:
        return [shared.elapsed(a, b) for a, b in spans[offset::3] + spans]

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    assert [shared.elapsed(a, b) for a, b in spans] == expected
