"""Cold answers from the weekly template (engine/_template.py) equal the period index's.

A new calendar answers its first questions by arithmetic on its week's template
between irregularities (transitions, holidays, overrides) and places only the
irregular days; the index answers from built levels. Both must agree everywhere:
across the transitions of zones with odd ones, overnight shifts crossing week
ends and DST nights, holidays and overrides, compositions of calendars in
different zones, amounts landing on interval edges, reversed and equal instants.
The index itself is checked against the brute-force reference elsewhere
(test_calendar_properties.py, whose fresh calendars now go through the template
path first), and here directly for a few cases.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import RefCalendar, engine_hours, engine_overrides
from test_calendar_properties import ZONES as PROPERTY_ZONES
from test_calendar_properties import Scenario, scenarios
from test_steady_placement import WEEKS
from test_steady_placement import ZONES as STEADY_ZONES

from slaclock import Calendar
from slaclock.engine import _template
from slaclock.engine._index import COLD_ANSWERS, PeriodIndex
from slaclock.engine._sources import _MAX_COMPOSED, CompositeSource
from slaclock.engine._steady import transitions
from slaclock.engine._template import WEEK_US, Holed, Template, compose
from slaclock.engine.windows import Windows
from slaclock.errors import NoBusinessTimeError, OutOfRangeError

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = dt.timedelta(microseconds=1)
MINUTE_US = 60_000_000
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US

SETTINGS = settings(
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True, scope="module")
def _zones_read() -> None:
    """Read every zone's transitions: until then, short questions are left to the index."""
    for name in {*STEADY_ZONES, *COMPOSED_ZONES, *PROPERTY_ZONES}:
        transitions(ZoneInfo(name))


def warm(calendar: Calendar) -> PeriodIndex:
    """Return a new index on the calendar's source that never answers from templates."""
    index = PeriodIndex(calendar._source)
    index._cold_left = 0
    return index


def us(t: dt.datetime) -> int:
    return (t - EPOCH) // US


def add_or_error(index: PeriodIndex, t: int, d: int) -> int | type[Exception]:
    try:
        return index.add(t, d)
    except (NoBusinessTimeError, OutOfRangeError) as error:
        return type(error)


def assert_same_answers(calendar: Calendar, a: int, b: int, amounts: list[int]) -> None:
    """Check the template walks against the index at ``a``, ``b`` and their elapsed time."""
    source = calendar._source
    index = warm(calendar)
    expected = index.elapsed(a, b)
    assert _template.cold_elapsed(source, a, b) == expected  # type: ignore[arg-type]
    for amount in [*amounts, expected, expected + 1, max(expected - 1, 1)]:
        if amount <= 0:
            continue
        got = _template.cold_add(source, a, amount)  # type: ignore[arg-type]
        if got is not None:  # None: left to the index (no open time for years)
            assert got == add_or_error(index, a, amount)
    # And through a fresh calendar's own index, which answers from templates first.
    fresh = PeriodIndex(source)
    assert fresh.elapsed(a, b) == expected
    assert fresh.elapsed(b, a) == -expected
    assert fresh.elapsed(a, a) == 0
    assert fresh.add(a, 0) == a
    for amount in amounts:
        assert add_or_error(PeriodIndex(source), a, amount) == add_or_error(index, a, amount)
        assert add_or_error(PeriodIndex(source), b, -amount) == add_or_error(index, b, -amount)


# -- random weekly calendars near transitions, holidays and overrides ----------------------

spans = st.one_of(
    st.integers(0, 3 * DAY_US // MINUTE_US).map(lambda m: m * MINUTE_US),
    st.integers(0, 60 * DAY_US // HOUR_US).map(lambda h: h * HOUR_US),
    st.integers(0, 800).map(lambda d: d * DAY_US),
    st.integers(1, 10**9),
)
amounts = st.lists(spans.filter(bool), min_size=1, max_size=3)


@SETTINGS
@given(scenarios(), st.integers(-5 * DAY_US, 5 * DAY_US), spans, amounts)
def test_weekly_calendars_agree_with_the_index(
    s: Scenario, shift: int, span: int, amounts: list[int]
) -> None:
    a = us(s.anchor) + shift
    assert_same_answers(s.calendar, a, a + span, amounts)


@pytest.mark.parametrize("hours", WEEKS)
@pytest.mark.parametrize("name", STEADY_ZONES)
def test_every_transition_of_1990_to_2045_agrees(name: str, hours: dict[str, str]) -> None:
    """Around each transition: questions starting before, on and after it, short and long."""
    known = transitions(ZoneInfo(name))
    assert known is not None
    holidays = [dt.date(year, 12, 25) for year in range(1990, 2046)]
    overrides = {dt.date(year, 7, 1): "10:00-11:00" for year in range(1990, 2046, 3)}
    calendar = Calendar.weekly(hours, tz=name, holidays=holidays, overrides=overrides)
    source = calendar._source
    index = warm(calendar)
    first, last = us(dt.datetime(1990, 1, 1, tzinfo=UTC)), us(dt.datetime(2045, 1, 1, tzinfo=UTC))
    changes = [t for t in known.times if first <= t < last] or [first + 400 * DAY_US]
    for change in changes[::3] if len(changes) > 60 else changes:
        for start in (change - 3 * DAY_US - 7, change - HOUR_US, change, change + 30 * MINUTE_US):
            for span in (5 * HOUR_US, 2 * DAY_US, 9 * DAY_US, 200 * DAY_US):
                end = start + span
                assert _template.cold_elapsed(source, start, end) == index.elapsed(start, end)  # type: ignore[arg-type]
            for amount in (HOUR_US, 9 * HOUR_US + 1, 40 * HOUR_US, 2000 * HOUR_US):
                got = _template.cold_add(source, start, amount)  # type: ignore[arg-type]
                assert got is not None
                assert got == index.add(start, amount)


# -- compositions of calendars in different zones -----------------------------------------

COMPOSED_ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Europe/Dublin",
    "Pacific/Apia",
    "Africa/Casablanca",
    "Asia/Kolkata",
)
DESK_HOURS = (
    {"mon-fri": "09:00-17:00"},
    {"mon-fri": "06:00-13:45,14:00-21:45,22:00-05:45"},
    {"sun": "01:00-05:00"},
    {"sat,sun": "22:00-02:30"},
    {"mon-sun": "00:00-24:00"},
    {"mon-sat": "07:30-16:30"},
)


@st.composite
def calendars(draw: st.DrawFn, depth: int = 2) -> Calendar:
    """Return a weekly calendar, 24x7, never, or a composition of such in different zones."""
    if depth and draw(st.integers(0, 2)):
        kind = draw(st.sampled_from(["union", "intersection", "difference"]))
        count = 2 if kind == "difference" else draw(st.integers(2, 3))
        parts = [draw(calendars(depth - 1)) for _ in range(count)]
        if kind == "difference":
            return parts[0] - parts[1]
        return Calendar.union(*parts) if kind == "union" else Calendar.intersection(*parts)
    zone = draw(st.sampled_from(COMPOSED_ZONES))
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return Calendar.always(zone)
    if choice == 1:
        return Calendar.never(zone)
    base = dt.date(2026, 3, 20)
    near = st.integers(-20, 230).map(lambda n: base + dt.timedelta(days=n))
    return Calendar.weekly(
        draw(st.sampled_from(DESK_HOURS)),
        tz=zone,
        holidays=draw(st.lists(near, max_size=3)),
        overrides={day: "10:00-12:00" for day in draw(st.lists(near, max_size=2))},
    )


# DST changes of 2026 in several of the zones above, and quiet times.
COMPOSED_STARTS = [
    us(dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
    us(dt.datetime(2026, 3, 8, 6, 59, tzinfo=UTC)),
    us(dt.datetime(2026, 4, 4, 15, 0, tzinfo=UTC)),
    us(dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
    us(dt.datetime(2026, 10, 3, 16, 0, tzinfo=UTC)),
    us(dt.datetime(2026, 11, 20, 16, 55, tzinfo=UTC)),
    us(dt.datetime(2026, 6, 14, 12, 0, tzinfo=UTC)),
]


@SETTINGS
@given(
    calendars(),
    st.sampled_from(COMPOSED_STARTS),
    st.integers(-4 * DAY_US, 4 * DAY_US),
    spans,
    amounts,
)
def test_compositions_agree_with_the_index(
    calendar: Calendar, start: int, shift: int, span: int, amounts: list[int]
) -> None:
    a = start + shift
    assert_same_answers(calendar, a, a + span, amounts)


@pytest.mark.parametrize("weekday", range(7))
def test_the_week_boundary_on_every_weekday(weekday: int) -> None:
    """Overnight shifts that cross the week's end, asked about from every weekday."""
    hours = {"sun": "20:00-08:00", "mon": "08:00-09:00", "sat": "23:00-05:00"}
    for zone in ("Europe/London", "Pacific/Apia", "Australia/Lord_Howe"):
        calendar = Calendar.weekly(hours, tz=zone)
        local = dt.datetime(2026, 3, 23, 7, 30, tzinfo=ZoneInfo(zone)) + dt.timedelta(days=weekday)
        for hour in range(0, 24 * 14, 5):
            a = us(local) + hour * HOUR_US
            assert_same_answers(calendar, a, a + 9 * DAY_US + 1, [HOUR_US, 30 * HOUR_US])


# -- against the brute-force reference ------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "at"),
    [
        ("Europe/London", dt.datetime(2026, 10, 25, 0, 10, tzinfo=UTC)),
        ("Europe/Dublin", dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),
        ("Australia/Lord_Howe", dt.datetime(2026, 4, 4, 13, 0, tzinfo=UTC)),
        ("America/New_York", dt.datetime(2026, 11, 1, 4, 0, tzinfo=UTC)),
    ],
)
def test_a_night_shift_over_a_transition_matches_the_reference(zone: str, at: dt.datetime) -> None:
    week = {day: [("22:00", "02:30"), ("02:30", "03:15")] for day in range(7)}
    reference = RefCalendar(week, zone, holidays=[at.date()])
    calendar = Calendar.weekly(engine_hours(week), tz=zone, holidays=[at.date()])
    for start in range(-36, 36, 5):
        a = at + dt.timedelta(hours=start)
        for length in (1, 7, 30):
            b = a + dt.timedelta(hours=length)
            fresh = Calendar.weekly(engine_hours(week), tz=zone, holidays=[at.date()])
            assert fresh.elapsed(a, b) == reference.elapsed(a, b)
        amount = dt.timedelta(hours=3, minutes=15)
        assert (calendar.add(a, amount) - EPOCH) == (reference.add(a, amount) - EPOCH)


# -- templates, and when the index takes over -----------------------------------------------


def test_templates_fold_into_one_week_and_compose() -> None:
    day = DAY_US
    # A Sunday night shift placed so that it wraps past the week's end.
    template = Template.placed([6 * day + 22 * HOUR_US], [7 * day + 6 * HOUR_US], 0)
    assert template.starts == [0, 6 * day + 22 * HOUR_US]
    assert template.ends == [6 * HOUR_US, WEEK_US]
    assert template.total == 8 * HOUR_US
    assert template.before(WEEK_US) == 8 * HOUR_US
    assert template.before(-1) == -1  # the open minute before the epoch's week
    assert template.instant_at(6 * HOUR_US) == 6 * HOUR_US  # the earliest, not the next start
    assert template.instant_at(8 * HOUR_US) == WEEK_US
    assert Template.placed([0], [WEEK_US + 1], 5) == Template([0], [WEEK_US])
    other = Template([HOUR_US], [10 * HOUR_US])
    assert compose("union", [template, other]).starts == [0, 6 * day + 22 * HOUR_US]
    assert compose("intersection", [template, other]).ends == [6 * HOUR_US]
    assert compose("difference", [template, other]).key == (
        (0, 6 * day + 22 * HOUR_US),
        (HOUR_US, WEEK_US),
    )
    assert template.expand(-HOUR_US, HOUR_US) == ([-HOUR_US], [HOUR_US])


def test_a_new_calendar_answers_from_templates_then_builds_its_index() -> None:
    desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    index = desk._index
    monday = dt.datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Europe/London"))
    for _ in range(COLD_ANSWERS):
        assert desk.elapsed(monday, monday + dt.timedelta(days=300)) == dt.timedelta(hours=1720)
    assert not index._chunks
    assert not index._spans
    assert not index._pieces
    assert desk.elapsed(monday, monday + dt.timedelta(days=300)) == dt.timedelta(hours=1720)
    assert index._chunks or index._spans or index._pieces


def test_a_question_of_many_stretches_goes_to_the_index_at_once() -> None:
    """A walk longer than COLD_STEPS stretches would cost more each time than the index once."""
    holidays = [
        dt.date(year, month, day)
        for year in range(2026, 2037)
        for month, day in ((1, 1), (5, 1), (8, 3), (12, 25), (12, 28))
    ]
    desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=holidays)
    fresh = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=holidays)
    index = desk._index
    monday = dt.datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Europe/London"))
    ten_years = desk.elapsed(monday, monday + dt.timedelta(days=3652))
    assert index._cold_left == COLD_ANSWERS  # not answered from templates
    assert index._chunks
    fresh._index._cold_left = 0
    assert ten_years == fresh.elapsed(monday, monday + dt.timedelta(days=3652))
    short = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=holidays)
    short.elapsed(monday, monday + dt.timedelta(days=300))
    assert short._index._cold_left == COLD_ANSWERS - 1  # a few stretches: from templates


def test_short_questions_wait_for_the_zone_to_be_read() -> None:
    """A zone's transitions are read for a long question or a second short one, not a first."""
    for name, days, hours in (
        ("America/Argentina/Ushuaia", 70, 400),  # zones read by no other test here
        ("America/Argentina/Salta", 1, 8),
    ):
        zone = ZoneInfo(name)
        assert transitions(zone, read=False) is None
        desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone)
        monday = dt.datetime(2026, 11, 23, 9, tzinfo=zone)
        assert desk.elapsed(monday, monday + dt.timedelta(days=1)) == dt.timedelta(hours=8)
        assert transitions(zone, read=False) is None
        again = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone)
        assert again.elapsed(monday, monday + dt.timedelta(days=days)) == dt.timedelta(hours=hours)
        assert transitions(zone, read=False) is not None


def test_sources_that_cannot_say_leave_the_question_to_the_index() -> None:
    nine = dt.datetime(2026, 11, 23, 9, tzinfo=UTC)
    windows = Windows.between([(nine, nine + dt.timedelta(hours=1))])
    desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
    both = windows | desk
    assert not getattr(both._source, "templated", True)
    monday = dt.datetime(2026, 11, 23, 8, tzinfo=UTC)
    assert both.elapsed(monday, monday + dt.timedelta(days=1)) == dt.timedelta(hours=8)


@SETTINGS
@given(
    calendars(),
    st.lists(
        st.tuples(st.sampled_from(COMPOSED_STARTS), st.integers(-4 * DAY_US, 4 * DAY_US), spans),
        min_size=2,
        max_size=6,
    ),
)
def test_one_composition_asked_again_and_again_agrees_with_the_index(
    calendar: Calendar, questions: list[tuple[int, int, int]]
) -> None:
    # A composition keeps its operands' last stretches and its composed templates:
    # questions back and forth across its zones' DST changes, on the one source, still
    # give the index's answers, and what it keeps stays bounded.
    source = calendar._source
    index = warm(calendar)
    for start, shift, span in [*questions, *reversed(questions)]:
        a = start + shift
        expected = index.elapsed(a, a + span)
        assert _template.cold_elapsed(source, a, a + span) == expected  # type: ignore[arg-type]
        if span:
            got = _template.cold_add(source, a, span)  # type: ignore[arg-type]
            if got is not None:
                assert got == add_or_error(index, a, span)
    if isinstance(source, CompositeSource):
        assert len(source._stretches) == len(source.operands)
        assert len(source._composed) <= _MAX_COMPOSED


# -- stretches with holes: holidays and overrides inside a steady stretch ---------------------

HOLED_WEEKS = [
    *WEEKS,
    {"mon-fri": "09:00-17:00"},
    {"mon-fri": "22:00-06:00", "sat": "06:00-12:00"},  # overnight, Saturday's meeting Friday's
    {"mon": "20:00-19:59", "tue": "20:00-21:00", "fri-sun": "23:00-23:30"},  # a day-long shift
]
HOLED_ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "UTC"]
HOLED_BASE = dt.date(2026, 1, 1)


@st.composite
def holed_calendars(draw: st.DrawFn) -> tuple[Calendar, dt.date]:
    """Return a weekly calendar with many holidays and a few overrides over two years,
    often in runs of consecutive days, and a date to ask from."""
    day = st.integers(-10, 740).map(lambda n: HOLED_BASE + dt.timedelta(days=n))
    runs = draw(st.lists(st.tuples(day, st.integers(1, 4)), max_size=30))
    holidays = {first + dt.timedelta(days=n) for first, length in runs for n in range(length)}
    overrides = {
        when: draw(st.sampled_from([None, "10:00-12:00", "23:00-01:00,02:00-03:00"]))
        for when in draw(st.lists(day, max_size=4))
    }
    calendar = Calendar.weekly(
        draw(st.sampled_from(HOLED_WEEKS)),
        tz=draw(st.sampled_from(HOLED_ZONES)),
        holidays=holidays,
        overrides=overrides,
    )
    near = sorted(holidays | set(overrides)) or [HOLED_BASE]
    return calendar, draw(st.sampled_from(near))


@SETTINGS
@given(
    holed_calendars(),
    st.integers(-3 * DAY_US, 3 * DAY_US),
    st.one_of(spans, st.integers(0, 800 * DAY_US)),
    amounts,
)
def test_holidays_and_overrides_inside_stretches_agree_with_the_index(
    drawn: tuple[Calendar, dt.date], shift: int, span: int, amounts: list[int]
) -> None:
    """Queries starting on, just before or after a holiday run, over a day to two years."""
    calendar, day = drawn
    zone = calendar._source.zone
    a = us(dt.datetime.combine(day, dt.time(), tzinfo=zone)) + shift
    assert_same_answers(calendar, a, a + span, [*amounts, 700 * HOUR_US, 2000 * HOUR_US])


@SETTINGS
@given(
    calendars(),
    st.sampled_from(COMPOSED_STARTS),
    st.integers(-4 * DAY_US, 4 * DAY_US),
    st.integers(0, 500 * DAY_US),
    amounts,
)
def test_compositions_agree_with_the_index_over_long_spans(
    calendar: Calendar, start: int, shift: int, span: int, amounts: list[int]
) -> None:
    """Compositions whose operands' holes (holidays, overrides) fall inside one stretch."""
    a = start + shift
    assert_same_answers(calendar, a, a + span, [*amounts, 1000 * HOUR_US])


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Australia/Lord_Howe"])
def test_a_desk_with_runs_of_holidays_matches_the_reference(zone: str) -> None:
    """Overnight shifts, holidays on and around both transitions of 2026, against brute force."""
    week = {
        0: [("09:00", "17:00")],
        1: [("22:00", "02:30")],
        2: [("22:00", "02:30")],
        3: [("09:00", "17:00"), ("23:00", "07:00")],
        4: [("07:00", "12:00")],
        5: [("01:00", "03:00")],
    }
    transitions_2026 = {
        "Europe/London": (dt.date(2026, 3, 29), dt.date(2026, 10, 25)),
        "America/New_York": (dt.date(2026, 3, 8), dt.date(2026, 11, 1)),
        "Australia/Lord_Howe": (dt.date(2026, 4, 5), dt.date(2026, 10, 4)),
    }[zone]
    holidays = {day + dt.timedelta(days=n) for day in transitions_2026 for n in (-2, -1, 0, 2)}
    holidays |= {dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.date(2026, 12, 31)}
    overrides = {dt.date(2026, 6, 12): [("23:30", "01:00")]}
    reference = RefCalendar(week, zone, holidays=holidays, overrides=overrides)
    local = ZoneInfo(zone)
    starts = [dt.datetime.combine(day, dt.time(), tzinfo=local) for day in sorted(holidays)]
    for number, start in enumerate(starts):
        for hours in (-30, -1, 0, 23) if number else (0,):
            a = start + dt.timedelta(hours=hours)
            for days in (1, 9, 45) if hours or number else (200,):
                fresh = Calendar.weekly(
                    engine_hours(week),
                    tz=zone,
                    holidays=holidays,
                    overrides=engine_overrides(overrides),
                )
                b = a + dt.timedelta(days=days)
                assert fresh.elapsed(a, b) == reference.elapsed(a, b)
        fresh = Calendar.weekly(
            engine_hours(week), tz=zone, holidays=holidays, overrides=engine_overrides(overrides)
        )
        amount = dt.timedelta(hours=333, minutes=20)
        expected = reference.add(start, amount, limit_days=200)
        assert expected is not None
        assert (fresh.add(start, amount) - EPOCH) == (expected - EPOCH)


def test_a_stretch_keeps_going_over_holidays() -> None:
    """A desk's stretch runs to the end of the local year, its holidays holes in it."""
    holidays = [dt.date(2026, 12, 25), dt.date(2026, 12, 28), dt.date(2027, 1, 1)]
    desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=holidays)
    source = desk._source
    t = us(dt.datetime(2026, 11, 20, 16, 55, tzinfo=UTC))
    hi, stretch = source.steady(t, t + 365 * DAY_US)
    assert isinstance(stretch, Holed)
    assert hi == us(dt.datetime(2027, 1, 1, tzinfo=UTC))  # the end of the local year
    # Each holiday's hole is its own shifts' span: no other day's shift reaches into it.
    assert stretch.los == [
        us(dt.datetime(2026, 12, 25, 9, tzinfo=UTC)),
        us(dt.datetime(2026, 12, 28, 9, tzinfo=UTC)),
    ]
    assert stretch.his == [
        us(dt.datetime(2026, 12, 25, 17, tzinfo=UTC)),
        us(dt.datetime(2026, 12, 28, 17, tzinfo=UTC)),
    ]
    assert stretch.exact == [([], []), ([], [])]
    assert stretch.before(hi) - stretch.before(t) == 27 * 8 * HOUR_US + 5 * MINUTE_US
    closed = us(dt.datetime(2026, 12, 25, 9, tzinfo=UTC))
    assert stretch.instant_at(stretch.before(closed) + 1) == closed + 4 * DAY_US + 1  # Tuesday
    # A run with an override: its hole reaches from its first midnight to two days after its
    # last, and lists the open intervals there (the override's, and the next day's).
    half = Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="Europe/London",
        holidays=holidays,
        overrides={dt.date(2026, 12, 24): "09:00-13:00"},
    )
    _, stretch = half._source.steady(t, t + 365 * DAY_US)
    assert isinstance(stretch, Holed)
    christmas_eve = us(dt.datetime(2026, 12, 24, tzinfo=UTC))
    assert (stretch.los[0], stretch.his[0]) == (christmas_eve, christmas_eve + 3 * DAY_US)
    assert stretch.exact[0] == ([christmas_eve + 9 * HOUR_US], [christmas_eve + 13 * HOUR_US])


def test_holed_stretches_count_and_find_across_their_holes() -> None:
    week = Template([0], [DAY_US])  # open the first day of each week
    holed = Holed(
        week,
        [7 * DAY_US, 14 * DAY_US],
        [8 * DAY_US, 16 * DAY_US],
        [
            ([], []),
            ([14 * DAY_US + HOUR_US, 15 * DAY_US], [14 * DAY_US + 2 * HOUR_US, 16 * DAY_US]),
        ],
    )
    assert holed.cum == [0, -DAY_US, -DAY_US - 23 * HOUR_US + DAY_US]
    assert holed.before(7 * DAY_US + HOUR_US) == DAY_US
    assert holed.before(14 * DAY_US + 90 * MINUTE_US) == DAY_US + 30 * MINUTE_US
    assert holed.before(21 * DAY_US) == 3 * DAY_US + HOUR_US - DAY_US
    assert holed.instant_at(DAY_US) == DAY_US  # the earliest: the end of the first day
    assert holed.instant_at(DAY_US + 1) == 14 * DAY_US + HOUR_US + 1
    assert holed.instant_at(DAY_US + HOUR_US + 1) == 15 * DAY_US + 1
    assert holed.instant_at(2 * DAY_US + HOUR_US + 1) == 21 * DAY_US + 1
    assert holed.expand(6 * DAY_US, 22 * DAY_US) == (
        [14 * DAY_US + HOUR_US, 15 * DAY_US, 21 * DAY_US],
        [14 * DAY_US + 2 * HOUR_US, 16 * DAY_US, 22 * DAY_US],
    )


@SETTINGS
@given(
    calendars(),
    st.sampled_from(COMPOSED_STARTS),
    st.integers(-4 * DAY_US, 4 * DAY_US),
    st.integers(1, DAY_US) | st.sampled_from([1, HOUR_US, DAY_US]),
)
def test_a_short_stretch_of_a_composition_lists_what_its_composed_template_says(
    calendar: Calendar, start: int, shift: int, span: int
) -> None:
    # A day or less to see: ``steady`` leaves a composition's stretch to ``between`` (the
    # operands' intervals there) rather than compose templates; a new composition of the
    # same calendars, asked to see far, composes them. Both say the same open time.
    source = calendar._index.source
    if not isinstance(source, CompositeSource) or not source.templated:
        return
    t = start + shift
    short = source.steady(t, t + span)
    fresh = CompositeSource(source.kind, source.operands)
    far = fresh.steady(t, t + 400 * DAY_US)
    if short is None or far is None:
        assert short is None or short[1] is None or far is None
        return
    hi, stretch = short
    assert t < hi <= far[0] or far[1] is None
    listed = source.between(t, hi) if stretch is None else stretch.expand(t, hi)
    if far[1] is not None and hi <= far[0]:
        assert listed == far[1].expand(t, hi)
    assert listed == calendar._index.source.intervals(t, hi)


def week_by_week(template: Template, lo: int, hi: int) -> tuple[list[int], list[int]]:
    """Return ``Template.expand``'s intervals as its loop over whole weeks lists them."""
    starts: list[int] = []
    ends: list[int] = []
    week = lo - (lo + template.shift) % WEEK_US
    while week < hi and template.starts:
        for first, last in zip(template.starts, template.ends, strict=True):
            start, end = max(first + week, lo), min(last + week, hi)
            if start < end:
                _template.append_merged(starts, ends, start, end)
        week += WEEK_US
    return starts, ends


@SETTINGS
@given(
    st.lists(st.integers(0, 7 * 24 * 4), max_size=10, unique=True).map(sorted),
    st.integers(-3 * WEEK_US, 3 * WEEK_US),
    st.integers(-3 * WEEK_US, 3 * WEEK_US),
    st.integers(0, WEEK_US) | st.sampled_from([1, HOUR_US, DAY_US, WEEK_US - 1]),
)
def test_short_spans_expand_as_whole_weeks_do(
    cuts: list[int], shift: int, lo: int, span: int
) -> None:
    quarter = 15 * MINUTE_US
    if len(cuts) % 2:
        cuts = cuts[:-1]
    # Touching intervals too (an intersection may leave them), and the week's both ends.
    template = Template([c * quarter for c in cuts[::2]], [c * quarter for c in cuts[1::2]])
    moved = template.moved(shift)
    assert moved.expand(lo, lo + span) == week_by_week(moved, lo, lo + span)
