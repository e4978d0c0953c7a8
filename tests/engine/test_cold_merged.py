"""The cold path after merging holes (``Holed``) with templated repeated hours.

A weekly source's stretch may now be a ``Holed`` one (holidays and overrides
inside it), and the hour a clock set back reads again is answered from the
stretch before it (``WeeklySource._repeated``), which may itself be holed. Each
was tested on its own; here they meet: holidays and overrides within three days
of the transitions of zones with odd ones (30-minute and negative daylight
saving, +13/+14 and +13:45 offsets), overnight override shifts running into or
out of the changed night, questions starting inside the repeated hour, stretches
ending at a local year's end with holidays on December 31st and January 1st,
and compositions of such desks in zones that change on different dates. The
template walks are compared with a fully built index (``_cold_left = 0``), and
short questions with the brute-force reference.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import RefCalendar, engine_hours, engine_overrides
from test_template import DAY_US, HOUR_US, MINUTE_US, assert_same_answers, us, warm

from slaclock import Calendar
from slaclock.engine import _template
from slaclock.engine._steady import transitions
from slaclock.engine._template import ALWAYS, NEVER, Holed

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

SETTINGS = settings(
    deadline=None,
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30 minutes of daylight saving
    "Europe/Dublin",  # negative daylight saving (winter is the "saving" time)
    "Pacific/Apia",  # +13/+14 until 2021, a skipped day in 2011
    "Pacific/Chatham",  # +12:45/+13:45
)


def changes(name: str, first: int = 2010, last: int = 2028) -> list[int]:
    """Return the instants (µs) in ``[first, last)`` (years) where the zone's offset changes."""
    zone = ZoneInfo(name)
    known = transitions(zone)
    assert known is not None
    t = us(dt.datetime(first, 1, 1, tzinfo=UTC))
    stop = us(dt.datetime(last, 1, 1, tzinfo=UTC))
    found: list[int] = []
    while True:
        _, t = known.around(t)
        if t >= stop:
            return found
        before = (EPOCH + dt.timedelta(microseconds=t - 1)).astimezone(zone).utcoffset()
        after = (EPOCH + dt.timedelta(microseconds=t)).astimezone(zone).utcoffset()
        if before != after:
            found.append(t)


CHANGES = {name: changes(name) for name in ZONES}


def local_date(name: str, t: int) -> dt.date:
    return (EPOCH + dt.timedelta(microseconds=t)).astimezone(ZoneInfo(name)).date()


WEEKS = (
    {"mon-fri": "09:00-17:00"},
    {"mon-sun": "00:30-02:30"},  # all of a London / New York changed hour, and around it
    {"mon-sun": "22:00-01:30,01:45-03:00"},  # overnight, ending inside the repeated hour
    {"mon-sun": "00:00-24:00"},
    {"fri-sat": "23:00-06:00", "sun": "22:00-01:59", "mon": "01:59-02:01"},
    {"mon-fri": "06:00-13:45,14:00-21:45,22:00-05:45"},
    {"sat,sun": "01:00-01:30,02:00-02:30"},
)
# Override shifts: closed, inside the changed hour, running into or out of midnight.
OVERRIDES = (
    None,
    "01:15-01:45",
    "00:00-02:00",
    "23:00-01:30",
    "22:30-03:30",
    "01:30-01:20",  # a day less ten minutes, from inside the changed hour to inside the next's
    "02:00-02:30,23:59-00:01",
    "03:10-03:50",  # inside Apia's and Chatham's repeated hours
    "00:00-24:00",
)


@st.composite
def desks(draw: st.DrawFn, name: str | None = None, around: int | None = None) -> Calendar:
    """Return a desk with holidays and overrides within three days of one of its zone's
    changes (``around``, or one drawn), and sometimes on December 31st and January 1st."""
    if name is None:
        name = draw(st.sampled_from(ZONES))
    if around is None:
        around = draw(st.sampled_from(CHANGES[name]))
    day = local_date(name, around)
    near = st.integers(-3, 3).map(lambda n: day + dt.timedelta(days=n))
    holidays = set(draw(st.lists(near, max_size=4)))
    if draw(st.booleans()):
        holidays |= {dt.date(day.year - 1, 12, 31), dt.date(day.year, 1, 1)}
    overrides = {
        when: draw(st.sampled_from(OVERRIDES)) for when in draw(st.lists(near, max_size=3))
    }
    return Calendar.weekly(
        draw(st.sampled_from(WEEKS)), tz=name, holidays=holidays, overrides=overrides
    )


# Where questions start: whole minutes within an hour or two of the change (the repeated
# hour among them), or anywhere within four days.
offsets = st.one_of(
    st.integers(-120, 180).map(lambda m: m * MINUTE_US),
    st.integers(-4 * DAY_US, 4 * DAY_US),
)
spans = st.one_of(
    st.integers(0, 3 * 24 * 60).map(lambda m: m * MINUTE_US),
    st.integers(0, 400).map(lambda d: d * DAY_US),
    st.integers(1, 10**10),
)
amounts = st.lists(spans.filter(bool), min_size=1, max_size=3)


@pytest.fixture(autouse=True, scope="module")
def _zones_read() -> None:
    """Read every zone's transitions: until then, short questions are left to the index."""
    for name in ZONES:
        transitions(ZoneInfo(name))


@SETTINGS
@given(st.data(), st.sampled_from(ZONES), offsets, spans, amounts)
def test_holidays_and_overrides_near_a_change_agree_with_the_index(
    data: st.DataObject, name: str, offset: int, span: int, amounts: list[int]
) -> None:
    around = data.draw(st.sampled_from(CHANGES[name]))
    calendar = data.draw(desks(name, around))
    a = around + offset
    assert_same_answers(calendar, a, a + span, amounts)


@st.composite
def compositions(draw: st.DrawFn, depth: int = 2) -> Calendar:
    """Return a desk as above (near a change of 2026), 24x7, never, or a composition."""
    if depth and draw(st.integers(0, 2)):
        kind = draw(st.sampled_from(["union", "intersection", "difference"]))
        parts = [draw(compositions(depth - 1)) for _ in range(2)]
        if kind == "difference":
            return parts[0] - parts[1]
        extra = [draw(compositions(0))] if draw(st.booleans()) else []
        parts += extra
        return Calendar.union(*parts) if kind == "union" else Calendar.intersection(*parts)
    name = draw(st.sampled_from(ZONES))
    choice = draw(st.integers(0, 7))
    if choice == 0:
        return Calendar.always(name)
    if choice == 1:
        return Calendar.never(name)
    in_2026 = [t for t in CHANGES[name] if local_date(name, t).year == 2026]
    return draw(desks(name, draw(st.sampled_from(in_2026 or CHANGES[name]))))


# Every change of 2026 in the zones above: compositions are asked from near each.
STARTS_2026 = sorted(t for name in ZONES for t in CHANGES[name] if local_date(name, t).year == 2026)


@settings(SETTINGS, max_examples=50)  # each builds a few desks' indexes over a year or so
@given(compositions(), st.sampled_from(STARTS_2026), offsets, spans, amounts)
def test_compositions_of_desks_near_changes_agree_with_the_index(
    calendar: Calendar, start: int, offset: int, span: int, amounts: list[int]
) -> None:
    a = start + offset
    assert_same_answers(calendar, a, a + span, amounts)


@SETTINGS
@given(
    name=st.sampled_from(ZONES),
    year=st.integers(2015, 2027),
    week=st.sampled_from(WEEKS),
    days=st.sets(st.integers(-2, 2), max_size=3),
    override=st.sampled_from(OVERRIDES[1:]),
    offset=st.integers(-3 * DAY_US, 3 * DAY_US),
    span=spans,
    amounts=amounts,
)
def test_stretches_over_a_local_year_end_agree_with_the_index(
    *,
    name: str,
    year: int,
    week: dict[str, str],
    days: set[int],
    override: str,
    offset: int,
    span: int,
    amounts: list[int],
) -> None:
    """Holidays on December 31st and January 1st (and days around), an overnight override on
    New Year's Eve, questions from around local midnight."""
    new_year = dt.date(year, 1, 1)
    holidays = {new_year + dt.timedelta(days=n) for n in days}
    calendar = Calendar.weekly(
        week,
        tz=name,
        holidays=holidays,
        overrides={dt.date(year - 1, 12, 31): override} if -1 not in days else {},
    )
    a = us(dt.datetime.combine(new_year, dt.time(), tzinfo=ZoneInfo(name))) + offset
    assert_same_answers(calendar, a, a + span, amounts)


# -- every repeated hour: the stretch before it may be holed --------------------------------


@pytest.mark.parametrize("name", ZONES)
@pytest.mark.parametrize("week", WEEKS[1:5])
def test_every_repeated_hour_next_to_holidays_and_overrides(
    name: str, week: dict[str, str]
) -> None:
    """Each hour a clock set back in 2010-2027 reads again, with a holiday on the day before
    and an overnight override on the day of the change (the repeated hour's state comes
    from a holed stretch), and the other way round: each side of every repeated hour."""
    zone = ZoneInfo(name)
    known = transitions(zone)
    assert known is not None
    falls = [t for t in CHANGES[name] if known.segment(t)[0] > t]
    assert falls
    for turn, change in enumerate(falls):
        day = local_date(name, change - 1)
        holidays = [day - dt.timedelta(days=1)] if turn % 2 else [day]
        overrides = (
            {day: "22:30-03:30"} if turn % 2 else {day - dt.timedelta(days=1): "23:00-01:30"}
        )
        calendar = Calendar.weekly(week, tz=name, holidays=holidays, overrides=overrides)
        settled = known.segment(change)[0]
        source = calendar._source
        stretch = source.steady(change - 1, change)
        assert stretch is not None
        assert stretch[0] == change
        repeated = source.steady(change, settled + DAY_US)
        assert repeated is not None
        assert repeated[0] == settled
        index = warm(calendar)
        # The repeated hour is all open or all closed, as the instant before it.
        open_before = index.elapsed(change - 1, change) == 1
        assert repeated[1] is (ALWAYS if open_before else NEVER)
        assert index.elapsed(change, settled) == (settled - change if open_before else 0)
        for a in (change - HOUR_US, change - 1, change, (change + settled) // 2, settled - 1):
            for b in (settled, settled + 5 * MINUTE_US, a + 2 * DAY_US):
                assert _template.cold_elapsed(source, a, b) == index.elapsed(a, b)  # type: ignore[arg-type]
            for amount in (1, 20 * MINUTE_US, 3 * HOUR_US):
                got = _template.cold_add(source, a, amount)  # type: ignore[arg-type]
                assert got is not None
                assert got == index.add(a, amount)


def test_a_holed_stretch_before_a_repeated_hour_ends_at_the_change() -> None:
    """London, 2026-10-25 01:00 UTC: a holiday the day before and an overnight override on the
    eve make the stretch before the change holed; its hole stops at the change, and the
    repeated hour is open, as 01:59:59 BST is (the override runs to the first 03:00, GMT)."""
    change = us(dt.datetime(2026, 10, 25, 1, tzinfo=UTC))
    holidays = [dt.date(2026, 10, 23)]
    for override, state in (("23:00-03:00", ALWAYS), ("23:00-01:30", NEVER)):
        calendar = Calendar.weekly(
            {"mon-sun": "09:00-17:00"},
            tz="Europe/London",
            holidays=holidays,
            overrides={dt.date(2026, 10, 24): override},
        )
        source = calendar._source
        hi, stretch = source.steady(change - 1, change)
        assert hi == change
        assert isinstance(stretch, Holed)
        assert stretch.his[-1] == change
        assert stretch.before(change) - stretch.before(change - 1) == (state is ALWAYS)
        assert source.steady(change, change + DAY_US) == (change + HOUR_US, state)
        start, end = override.split("-")
        reference = RefCalendar(
            {day: [("09:00", "17:00")] for day in range(7)},
            "Europe/London",
            holidays=holidays,
            overrides={dt.date(2026, 10, 24): [(start, end)]},
        )
        a = dt.datetime(2026, 10, 24, 21, tzinfo=UTC)
        for hours in (4, 5, 6, 9):
            b = a + dt.timedelta(hours=hours)
            fresh = Calendar.weekly(
                {"mon-sun": "09:00-17:00"},
                tz="Europe/London",
                holidays=holidays,
                overrides={dt.date(2026, 10, 24): override},
            )
            assert fresh.elapsed(a, b) == reference.elapsed(a, b)


# -- short questions against the brute-force reference ---------------------------------------

REF_WEEK = {day: [("22:00", "01:30"), ("01:45", "03:00")] for day in range(7)}


@pytest.mark.parametrize(
    ("name", "change"),
    [
        (name, change)
        for name in ZONES
        for change in [t for t in CHANGES[name] if local_date(name, t).year == 2026][:2]
    ],
)
def test_short_questions_near_a_change_match_the_reference(name: str, change: int) -> None:
    """A night desk, a holiday on the changed day and an override running out of the night
    before it, asked for a few hours from around the change."""
    day = local_date(name, change - 1)
    holidays = [day]
    overrides = {day - dt.timedelta(days=1): [("23:30", "02:15")], day + dt.timedelta(days=1): []}
    reference = RefCalendar(REF_WEEK, name, holidays=holidays, overrides=overrides)
    at = EPOCH + dt.timedelta(microseconds=change)
    for hours in range(-5, 5):
        a = at + dt.timedelta(hours=hours, minutes=17)
        for length in (1, 3, 26):
            fresh = Calendar.weekly(
                engine_hours(REF_WEEK),
                tz=name,
                holidays=holidays,
                overrides=engine_overrides(overrides),
            )
            b = a + dt.timedelta(hours=length)
            assert fresh.elapsed(a, b) == reference.elapsed(a, b), (a, b)
        fresh = Calendar.weekly(
            engine_hours(REF_WEEK),
            tz=name,
            holidays=holidays,
            overrides=engine_overrides(overrides),
        )
        amount = dt.timedelta(hours=2, minutes=10)
        expected = reference.add(a, amount, limit_days=5)
        assert expected is not None
        assert (fresh.add(a, amount) - EPOCH) == (expected - EPOCH)


# -- a country's own holidays (the ``holidays`` package), around changes and new years -------

COUNTRIES = {
    "Europe/London": ("GB", "ENG"),
    "America/New_York": ("US", "NY"),
    "Australia/Sydney": ("AU", "NSW"),
    "Australia/Lord_Howe": ("AU", "NSW"),
    "Europe/Dublin": ("IE", None),
    "Pacific/Apia": ("WS", None),
    "Pacific/Chatham": ("NZ", "CIT"),
}


@pytest.mark.parametrize("name", ZONES)
def test_package_holidays_around_changes_and_new_years_agree_with_the_index(name: str) -> None:
    """Each change and local new year of 2024-2027 with the zone's country's holidays (Good
    Friday and Easter Monday near Europe's and Australia's changes, the US's Veterans Day
    after its fall-back, Christmas to New Year), a night desk and an overnight override."""
    country, subdiv = COUNTRIES[name]
    zone = ZoneInfo(name)
    new_years = [us(dt.datetime(year, 1, 1, tzinfo=zone)) for year in range(2024, 2028)]
    starts = [t for t in CHANGES[name] if 2024 <= local_date(name, t).year < 2028]
    for number, week in enumerate(WEEKS[:3]):
        overrides = {local_date(name, t - 1): OVERRIDES[3 + number] for t in starts}
        calendar = Calendar.weekly(
            week,
            tz=name,
            holidays=holidays.country_holidays(country, subdiv=subdiv),
            overrides=overrides,
        )
        for start in sorted([*starts, *new_years]):
            for shift in (-2 * DAY_US - 7, -HOUR_US, 0, 30 * MINUTE_US, DAY_US):
                a = start + shift
                assert_same_answers(calendar, a, a + 11 * DAY_US, [5 * HOUR_US, 300 * HOUR_US])


# -- every single special day next to one change of each kind ---------------------------------


@pytest.mark.parametrize("name", ZONES)
def test_each_holiday_or_override_next_to_a_change_agrees_with_the_index(name: str) -> None:
    """The last fall-back and spring-forward of 2019 on: every week above with one holiday
    or one override of each kind on the day before, of, or after the change, asked from
    an hour before to just after the repeated hour (or the skipped one)."""
    known = transitions(ZoneInfo(name))
    assert known is not None
    recent = [t for t in CHANGES[name] if local_date(name, t).year >= 2019]
    falls = [t for t in recent if known.segment(t)[0] > t][-1:]
    rises = [t for t in recent if known.segment(t)[0] == t][-1:]
    for change in [*falls, *rises]:
        settled = known.segment(change)[0]
        day = local_date(name, change - 1)
        for week in WEEKS:
            for days in (-1, 0, 1):
                when = day + dt.timedelta(days=days)
                for special in ("holiday", *OVERRIDES):
                    calendar = Calendar.weekly(
                        week,
                        tz=name,
                        holidays=[when] if special == "holiday" else [],
                        overrides={} if special == "holiday" else {when: special},
                    )
                    source = calendar._source
                    index = warm(calendar)
                    for a in (
                        change - HOUR_US,
                        change - 1,
                        change,
                        (change + settled) // 2,
                        settled,
                    ):
                        for b in (a + 1, settled + MINUTE_US, a + 26 * HOUR_US):
                            got = _template.cold_elapsed(source, a, b)  # type: ignore[arg-type]
                            assert got == index.elapsed(a, b), (week, when, special, a, b)
                        for amount in (1, 17 * MINUTE_US, 5 * HOUR_US):
                            found = _template.cold_add(source, a, amount)  # type: ignore[arg-type]
                            assert found == index.add(a, amount), (week, when, special, a, amount)
