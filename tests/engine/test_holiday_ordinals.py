"""A holiday source's ``ordinals(first, last)`` names exactly the days that ``in`` does.

The weekly source finds holidays between two dates in one look-up (engine/_sources.py)
where it used to ask day by day; these check the range against day-by-day
membership for package holidays (with dates the caller added and removed, and
from data with ``add``/``remove``), fixed dates, and unions, over ranges that
cross year boundaries.
"""

from __future__ import annotations

import datetime as dt

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.engine._holidays import (
    DateHolidays,
    PackageHolidays,
    UnionHolidays,
    holiday_source,
)

FIRST = dt.date(2018, 11, 1).toordinal()
LAST = dt.date(2031, 2, 28).toordinal()
days = st.integers(FIRST, LAST)
dates = st.builds(dt.date.fromordinal, days)
#: Removals that hit: real holidays of both countries asked about, around the years asked.
real = st.sampled_from(
    sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(2018, 2032)))
    + sorted(holidays.country_holidays("DE", subdiv="BY", years=range(2018, 2032)))
)


def _by_day(source: object, first: int, last: int) -> list[int]:
    return [n for n in range(first, last + 1) if dt.date.fromordinal(n) in source]  # type: ignore[operator]


def _ranges() -> st.SearchStrategy[tuple[int, int]]:
    # Spans of a day to a few years, often around a new year.
    new_years = st.integers(2019, 2030).map(lambda year: dt.date(year, 1, 1).toordinal())
    start = st.one_of(days, st.builds(lambda n, d: n + d, new_years, st.integers(-10, 3)))
    return st.tuples(start, st.integers(-3, 1200)).map(lambda pair: (pair[0], pair[0] + pair[1]))


def _caller_object(added: list[dt.date], removed: list[dt.date]) -> object:
    obj = holidays.country_holidays("GB", subdiv="ENG")
    for day in added:
        obj[day] = "Own day"
    for day in removed:
        if day in obj:  # the package's ``pop`` raises even with a default
            obj.pop(day)
    return obj


@settings(max_examples=60, deadline=None)
@given(
    span=_ranges(),
    added=st.lists(dates, max_size=6),
    removed=st.lists(st.one_of(dates, real), max_size=6),
)
def test_package_object_ordinals_match_membership(
    span: tuple[int, int], added: list[dt.date], removed: list[dt.date]
) -> None:
    source = holiday_source(_caller_object(added, removed))
    assert isinstance(source, PackageHolidays)
    first, last = span
    # Asked first by range (years filled by ``ordinals``), then day by day, and again.
    found = source.ordinals(first, last)
    assert found == _by_day(source, first, last)
    assert source.ordinals(first, last) == found


@settings(max_examples=60, deadline=None)
@given(
    span=_ranges(),
    added=st.lists(dates, max_size=6),
    removed=st.lists(st.one_of(dates, real), max_size=6),
)
def test_package_data_overrides_match_membership(
    span: tuple[int, int], added: list[dt.date], removed: list[dt.date]
) -> None:
    data = {
        "country": "DE",
        "subdiv": "BY",
        "add": [day.isoformat() for day in added],
        "remove": [day.isoformat() for day in removed],
    }
    source = holiday_source(data)
    assert isinstance(source, PackageHolidays)
    first, last = span
    expected = _by_day(source, first, last)  # years filled day by day first here
    assert source.ordinals(first, last) == expected
    for day in added:
        if first <= day.toordinal() <= last and day not in set(removed):
            assert day.toordinal() in expected
    for day in removed:
        assert day.toordinal() not in expected


@settings(max_examples=60, deadline=None)
@given(span=_ranges(), own=st.frozensets(dates, max_size=40))
def test_own_dates_and_unions_match_membership(
    span: tuple[int, int], own: frozenset[dt.date]
) -> None:
    first, last = span
    fixed = DateHolidays(own)
    assert fixed.ordinals(first, last) == _by_day(fixed, first, last)
    union = holiday_source(holidays.country_holidays("US") + holidays.country_holidays("FR"))
    assert isinstance(union, UnionHolidays)
    assert union.ordinals(first, last) == _by_day(union, first, last)
    mixed = UnionHolidays((fixed, PackageHolidays.from_object(holidays.country_holidays("GB"))))
    assert mixed.ordinals(first, last) == _by_day(mixed, first, last)


def test_empty_and_reversed_ranges() -> None:
    source = holiday_source(holidays.country_holidays("GB"))
    christmas = dt.date(2026, 12, 25).toordinal()
    assert source.ordinals(christmas, christmas) == [christmas]
    assert source.ordinals(christmas + 1, christmas) == []
    assert DateHolidays(frozenset()).ordinals(1, 3_000_000) == []
