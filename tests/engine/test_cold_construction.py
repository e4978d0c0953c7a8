"""Building a calendar cheaply: how a ``holidays`` object is captured and how hours are read.

A calendar keeps a private copy of the caller's ``holidays`` object (made without
``copy.deepcopy``'s walk, see ``_holidays._private_copy``) and works out a year's
holidays only when a query reaches it. Weekly hours written the usual way
(``"09:00-17:00"``, ``"mon-fri"``) are read by a quick path. None of that may change
an answer or an error message: these tests hold each quick path to the general one.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any
from unittest import mock

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock import Calendar, ScheduleError
from slaclock.engine import schedule
from slaclock.engine._holidays import (
    PackageHolidays,
    _attribute,
    _private_copy,
    holiday_source,
)
from slaclock.engine.schedule import (
    MAX_SHIFTS_PER_DAY,
    WeeklyHours,
    _parse_days,
    _parse_shifts,
    _quick_days,
    _quick_shifts,
    _read_days,
    parse_shifts,
)

LONDON = "Europe/London"
H = dt.timedelta(hours=1)
ZERO = dt.timedelta(0)
SETTINGS = settings(
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
YEARS = (2019, 2026, 2031)


def england(**kwargs: Any) -> Any:
    return holidays.country_holidays("GB", subdiv="ENG", **kwargs)


def desk(holiday_object: object) -> Calendar:
    return Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=LONDON, holidays=holiday_object)


def day_total(cal: Calendar, day: dt.date) -> dt.timedelta:
    start = dt.datetime.combine(day, dt.time(), tzinfo=cal.tz)
    return cal.elapsed(start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), cal.tz))


def snapshot(obj: Any) -> dict[str, Any]:
    """Return what could change in a holidays object: its dates and its mutable attributes."""
    state: dict[str, Any] = {"dates": dict(obj), "years": set(obj.years)}
    for name, value in vars(obj).items():
        if isinstance(value, (set, dict, list)):
            state[name] = copy.deepcopy(value)
        elif name != "tr":
            state[name] = (
                value if isinstance(value, (str, int, float, bool, type(None))) else id(value)
            )
    return state


# -- the private copy of a holidays object ---------------------------------------------


def entities() -> list[Any]:
    """Return one object of every country and market the installed package has, unexpanded."""
    found = []
    for code in sorted(holidays.list_supported_countries(include_aliases=False)):
        found.append(pytest.param("country", code, id=f"country-{code}"))
    for code in sorted(holidays.list_supported_financial(include_aliases=False)):
        found.append(pytest.param("market", code, id=f"market-{code}"))
    return found


def make(kind: str, code: str, **kwargs: Any) -> Any:
    if kind == "market":
        return holidays.financial_holidays(code, **kwargs)
    return holidays.country_holidays(code, **kwargs)


@pytest.mark.parametrize(("kind", "code"), entities())
def test_private_copy_answers_as_a_deep_copy_and_leaves_the_original_alone(
    kind: str, code: str
) -> None:
    original = make(kind, code, years=2025)
    before = snapshot(original)
    private = _private_copy(original)
    deep = copy.deepcopy(original)
    assert type(private) is type(original)
    assert dict(private) == dict(deep)
    for year in YEARS:
        assert year not in original.years
        dt.date(year, 1, 1) in private  # noqa: B015 - expands the year
        dt.date(year, 1, 1) in deep  # noqa: B015
    assert dict(private) == dict(deep)
    assert set(private.years) == set(deep.years) == {2025, *YEARS}
    assert snapshot(original) == before


def test_private_copy_shares_no_mutable_attribute() -> None:
    original = england(years=2026)
    private = _private_copy(original)
    for name, value in vars(original).items():
        if isinstance(value, (set, list)) or (
            isinstance(value, dict) and not name.startswith(("special_", "_observed_rule"))
        ):
            assert getattr(private, name) is not value, name
    # Two attributes naming one set keep naming one set, as in a deep copy.
    shared: set[int] = set()
    original.__dict__["one"] = original.__dict__["two"] = shared
    private = _private_copy(original)
    assert private.one is private.two
    assert private.one is not shared
    # An attribute naming the object itself names the copy.
    original.__dict__["me"] = [original]
    private = _private_copy(original)
    assert private.me[0] is private


def test_a_holidays_subclass_that_copies_itself_its_own_way_is_deep_copied() -> None:
    base: Any = type(england())

    class Mine(base):  # type: ignore[misc,valid-type]
        copies = 0

        def __getstate__(self) -> dict[str, Any]:
            Mine.copies += 1
            state: dict[str, Any] = super().__getstate__()
            return state

    original = Mine(subdiv="ENG", years=2026)
    Mine.copies = 0
    private = _private_copy(original)
    assert Mine.copies == 1  # through deepcopy, which asks for the state itself
    assert dict(private) == dict(original)
    assert private is not original


# -- holiday years worked out lazily -------------------------------------------------

SOURCES = {
    "england": england,
    "england-expanded": lambda: england(years=[2025, 2026]),
    "us": lambda: holidays.country_holidays("US"),
    "germany-bavaria": lambda: holidays.country_holidays("DE", subdiv="BY"),
    "nyse": lambda: holidays.financial_holidays("NYSE"),
}
EAGER_YEARS = range(2016, 2037)


def eager_dates(name: str) -> frozenset[dt.date]:
    """Return every holiday of ``EAGER_YEARS`` from one object expanded up front."""
    obj = SOURCES[name]()
    for year in EAGER_YEARS:
        dt.date(year, 1, 1) in obj  # noqa: B015
    return frozenset(day for day in obj if day.year in EAGER_YEARS)


EAGER = {name: eager_dates(name) for name in SOURCES}
instants = st.datetimes(min_value=dt.datetime(2017, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
    lambda t: t.replace(tzinfo=dt.timezone.utc)
)


@SETTINGS
@given(
    name=st.sampled_from(sorted(SOURCES)),
    days=st.lists(
        st.dates(min_value=dt.date(2017, 1, 1), max_value=dt.date(2035, 12, 31)),
        min_size=1,
        max_size=20,
    ),
)
def test_lazy_years_answer_as_eager_ones_in_any_order(name: str, days: list[dt.date]) -> None:
    # Each fresh source expands the years in the order the days ask for them, with
    # the days around New Year (where a year's observed days may lie) asked too.
    source = holiday_source(SOURCES[name]())
    for day in days:
        for probe in (day, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)):
            assert (probe in source) is (probe in EAGER[name]), probe


@SETTINGS
@given(
    name=st.sampled_from(sorted(SOURCES)),
    queries=st.lists(st.tuples(instants, instants), min_size=1, max_size=3),
)
def test_lazy_calendar_answers_as_one_with_every_date_up_front(
    name: str, queries: list[tuple[dt.datetime, dt.datetime]]
) -> None:
    lazy = desk(SOURCES[name]())
    eager = desk(sorted(EAGER[name]))
    for start, end in queries:
        assert lazy.elapsed(start, end) == eager.elapsed(start, end)
        # Across several years: the amount from one instant to the other, and back.
        amount = abs(eager.elapsed(start, end))
        assert lazy.add(min(start, end), amount) == eager.add(min(start, end), amount)


def test_a_query_expands_only_the_years_it_reaches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACLOCK_CACHE", "off")  # the package works the years out
    cal = desk(england())
    source = cal._source.holidays  # type: ignore[attr-defined]
    assert isinstance(source, PackageHolidays)
    friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=cal.tz)
    cal.elapsed(friday, friday + dt.timedelta(days=1))
    assert set(source._years) == {2026}
    assert set(source._object().years) == {2026}


def test_a_query_reads_only_the_cached_years_it_reaches() -> None:
    desk(england()).elapsed(
        dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
        dt.datetime(2029, 1, 1, tzinfo=dt.timezone.utc),
    )
    cal = desk(england())  # the years 2026-2028 are in the on-disk cache now
    source = cal._source.holidays  # type: ignore[attr-defined]
    assert isinstance(source, PackageHolidays)
    assert source._cache is not None
    friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=cal.tz)
    cal.elapsed(friday, friday + dt.timedelta(days=1))
    assert set(source._cache.years) == {2026}
    assert set(source._object().years) == set()  # the caller's rules never ran


# -- the caller's object: never changed, later changes never seen --------------------


def test_an_unexpanded_object_stays_unexpanded_and_its_later_changes_are_not_seen() -> None:
    gb = england()
    cal = desk(gb)
    assert day_total(cal, dt.date(2027, 12, 27)) == ZERO  # Christmas Day (substitute)
    assert day_total(cal, dt.date(2030, 7, 1)) == 8 * H
    assert len(gb) == 0
    assert set(gb.years) == set()
    # The caller changes the object afterwards: the calendar keeps what it was given.
    gb[dt.date(2030, 7, 1)] = "Company day"
    gb.observed = False
    gb.pop(dt.date(2031, 12, 25))
    assert day_total(cal, dt.date(2030, 7, 1)) == 8 * H
    assert day_total(cal, dt.date(2027, 12, 27)) == ZERO
    assert day_total(cal, dt.date(2031, 12, 25)) == ZERO
    assert day_total(cal, dt.date(2032, 12, 27)) == ZERO  # a year first reached now


def test_dates_added_and_removed_by_hand_count_in_every_year_they_lie_in() -> None:
    gb = england()
    gb[dt.date(2030, 7, 1)] = "Company day"
    gb.pop(dt.date(2031, 12, 25))
    gb.update({dt.date(2032, 3, 3): "Offsite"})
    before = (dict(gb), set(gb.years))
    cal = desk(gb)
    assert day_total(cal, dt.date(2030, 7, 1)) == ZERO
    assert day_total(cal, dt.date(2031, 12, 25)) == 8 * H
    assert day_total(cal, dt.date(2032, 3, 3)) == ZERO
    # Years the caller never touched come from the package's rules.
    assert day_total(cal, dt.date(2029, 12, 25)) == ZERO
    assert day_total(cal, dt.date(2033, 7, 1)) == 8 * H
    assert (dict(gb), set(gb.years)) == before
    again = Calendar.from_json(cal.to_json())
    assert again == cal
    for day in (dt.date(2030, 7, 1), dt.date(2031, 12, 25), dt.date(2032, 3, 3)):
        assert day_total(again, day) == day_total(cal, day)


def test_an_expanded_object_is_compared_with_the_rules_only_when_written_down() -> None:
    gb = england(years=range(2020, 2031))
    gb[dt.date(2026, 7, 1)] = "Company day"
    gb.pop(dt.date(2026, 12, 28))
    cal = desk(gb)
    source = cal._source.holidays  # type: ignore[attr-defined]
    assert day_total(cal, dt.date(2026, 7, 1)) == ZERO
    assert day_total(cal, dt.date(2026, 12, 28)) == 8 * H
    assert day_total(cal, dt.date(2026, 12, 25)) == ZERO
    assert day_total(cal, dt.date(2035, 12, 25)) == ZERO
    # Building, hashing and querying compared nothing with a fresh object...
    assert source._pending is not None
    hash(cal)
    assert source._pending is not None
    # ... writing it down does, once.
    data = cal.to_dict()["holidays"]
    assert data["add"] == ["2026-07-01"]
    assert data["remove"] == ["2026-12-28"]
    assert source._pending is None
    again = Calendar.from_dict(cal.to_dict())
    assert again == cal
    assert hash(again) == hash(cal)
    assert desk(england(years=2026)) != cal
    assert desk(england(years=2026)) == desk(england())


def test_a_source_read_from_data_applies_its_additions_and_removals() -> None:
    data = {"country": "GB", "subdiv": "ENG", "add": ["2030-07-01"], "remove": ["2031-12-25"]}
    source = holiday_source(data)
    assert dt.date(2030, 7, 1) in source
    assert dt.date(2031, 12, 25) not in source
    assert dt.date(2031, 12, 26) in source
    # Asked again once the year is known: the same answers from the year's set.
    assert dt.date(2030, 7, 1) in source
    assert dt.date(2031, 12, 25) not in source


# -- weekly hours: the quick path and the general one agree --------------------------


def quarter_hours(count: int) -> str:
    """Return ``count`` quarter-hour shifts, one each half hour from midnight."""
    starts = [dt.timedelta(minutes=30 * number) for number in range(count)]
    return ",".join(f"{clock(start)}-{clock(start + dt.timedelta(minutes=15))}" for start in starts)


def clock(offset: dt.timedelta) -> str:
    minutes = offset // dt.timedelta(minutes=1)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


times = st.one_of(
    st.builds("{:02d}:{:02d}".format, st.integers(0, 30), st.integers(0, 65)),
    st.builds(
        "{:02d}:{:02d}".format, st.sampled_from([0, 9, 23, 24, 25]), st.sampled_from([0, 1, 59, 60])
    ),
    st.sampled_from(["00:00", "09:00", "17:00", "23:59", "24:00", "24:30", "25:00", "12:60"]),
    st.from_regex(r" ?[0-9]{1,3}:[0-9]{1,2}(:[0-9]{2})? ?", fullmatch=True),
)
shift_texts = st.builds(lambda a, b: f"{a}-{b}", times, times) | st.text(
    alphabet="0123456789:-, ", max_size=14
)
hour_texts = st.one_of(
    st.lists(shift_texts, min_size=1, max_size=4).map(",".join),
    st.integers(1, MAX_SHIFTS_PER_DAY + 2).map(quarter_hours),
    st.sampled_from(["closed", "", " ", "09:00-17:00 ", "09:00-17:00,", "9:00-17:00"]),
    st.text(max_size=12),
)


def outcome(read: Any, given: Any) -> object:
    """Return what reading ``given`` gives: its value, or the error's type and message."""
    try:
        return read(given, "hours['mon']")
    except ScheduleError as exc:
        return (type(exc), str(exc))


@SETTINGS
@given(text=hour_texts)
def test_quick_shifts_read_what_the_general_parser_reads(text: str) -> None:
    quick = _quick_shifts(text)
    if quick is not None:
        assert quick == _parse_shifts(text, "hours['mon']")
    assert outcome(parse_shifts, text) == outcome(_parse_shifts, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00-26:00", "'25:00' is not a time of day"),
        ("09:00-25:00", "'25:00' is not a time of day"),
        ("09:00-24:30", "'24:30' is not a time of day"),
        ("24:00-09:00", "starts at 24:00"),
        ("09:60-17:00", "'09:60' is not a time of day"),
        ("09:00-09:00", "is empty"),
        ("09:00-12:00,11:00-13:00", "overlap"),
        ("13:00-17:00,09:00-13:30", "overlap"),
        (",".join(["00:00-00:01"] * (MAX_SHIFTS_PER_DAY + 1)), "MAX_SHIFTS_PER_DAY"),
    ],
)
def test_usual_looking_mistakes_give_the_general_error(text: str, message: str) -> None:
    assert _quick_shifts(text) is None
    with pytest.raises(ScheduleError, match=message):
        parse_shifts(text, "hours['mon']")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-17:00", ["09:00-17:00"]),
        ("13:30-17:00,09:00-12:30", ["09:00-12:30", "13:30-17:00"]),
        ("22:00-06:00", ["22:00-06:00"]),
        ("00:00-24:00", ["00:00-24:00"]),
        ("09:00-12:00,12:00-13:00", ["09:00-12:00", "12:00-13:00"]),
    ],
)
def test_usual_hours_are_read_quickly(text: str, expected: list[str]) -> None:
    quick = _quick_shifts(text)
    assert quick is not None
    assert [str(shift) for shift in quick] == expected


day_names = st.sampled_from(
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "Sun", "xyz", "", " fri"]
)
day_keys = st.one_of(
    st.builds(lambda a, b: f"{a}-{b}", day_names, day_names),
    day_names,
    st.lists(day_names, min_size=2, max_size=3).map(",".join),
    st.text(alphabet="monthuesfriwdat-, ", max_size=12),
)


@SETTINGS
@given(key=day_keys)
def test_quick_days_read_what_the_general_reader_reads(key: str) -> None:
    quick = _quick_days(key)
    if quick is not None:
        assert quick == _read_days(key, "hours")
    assert outcome(_parse_days, key) == outcome(_read_days, key)


@SETTINGS
@given(
    hours=st.dictionaries(
        day_keys | st.sampled_from(["mon-fri", "sat", "sun", "fri-mon"]),
        hour_texts | st.sampled_from(["09:00-17:00", "22:00-06:00", "00:00-24:00"]),
        max_size=3,
    )
)
def test_weekly_hours_read_the_same_with_and_without_the_quick_paths(
    hours: dict[str, str],
) -> None:
    def read(mapping: dict[str, str], where: str) -> object:
        return WeeklyHours.parse(mapping)

    quick = outcome(read, hours)
    with (
        mock.patch.object(schedule, "_quick_shifts", return_value=None),
        mock.patch.object(schedule, "_quick_days", return_value=None),
    ):
        assert outcome(read, hours) == quick  # type: ignore[arg-type]


def test_attributes_read_quickly_are_those_getattr_reads() -> None:
    for obj in (england(), holidays.financial_holidays("NYSE"), england(years=2026) + england()):
        for name in ("country", "market", "subdiv", "holidays", "years", "observed", "nothing"):
            assert _attribute(obj, name, "missing") == getattr(obj, name, "missing"), name
        # The package's own names made on the fly still come from its __getattr__.
        assert callable(_attribute(obj, "_add_holiday_jan_1"))
