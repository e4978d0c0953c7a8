"""Composed calendars: ``&``, ``|``, ``-`` between any calendars, nested, across zones.

Set laws and the engine's arithmetic properties are checked by hypothesis on
random calendar trees (weekly hours in several zones, one-off and recurring
windows, always/never); the worked on-site example and a follow-the-sun desk are
checked as named cases, the latter minute by minute against a brute-force
wall-clock reference written here.

Instants are compared as ``t - EPOCH``: ``==`` between datetimes in one zone
compares wall clocks and ignores ``fold``.
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from slaclock import Calendar
from slaclock.engine.windows import Windows
from slaclock.errors import NoBusinessTimeError, NoClosingTimeError, ScheduleError

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = dt.timedelta(microseconds=1)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
ZERO = dt.timedelta(0)
LONDON = ZoneInfo("Europe/London")

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC")
SETTINGS = settings(
    deadline=None,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: For tests whose searches may cross the whole horizon (about 48 chunks per operand).
SEARCH_SETTINGS = settings(SETTINGS, max_examples=25)


def us(t: dt.datetime) -> int:
    """Return an aware instant as microseconds since the epoch."""
    return (t - EPOCH) // US


# -- random calendars -----------------------------------------------------------


def _clock(quarter: int) -> str:
    return f"{quarter // 4:02d}:{quarter % 4 * 15:02d}"


@st.composite
def weekly_calendars(draw: st.DrawFn) -> Calendar:
    """Return a random weekly calendar: 0-2 shifts a day on a 15-minute grid, some overnight."""
    tz = draw(st.sampled_from(ZONES))
    days: list[list[tuple[int, int]]] = []
    for _ in range(7):
        count = draw(st.sampled_from([0, 1, 1, 2]))
        points = sorted(draw(st.lists(st.integers(0, 96), min_size=2 * count, max_size=2 * count,
                                      unique=True)))  # fmt: skip
        days.append([(points[i], points[i + 1]) for i in range(0, len(points), 2)])
    for day in range(7):
        # Sometimes run the day's last shift past midnight, up to the next day's first.
        shifts = days[day]
        if shifts and shifts[-1][0] < 96 and draw(st.booleans()):
            following = days[(day + 1) % 7]
            limit = min(following[0][0] if following else 96, shifts[-1][0])
            if limit >= 1:
                shifts[-1] = (shifts[-1][0], 96 + draw(st.integers(1, limit)))
    hours = {
        name: ",".join(f"{_clock(a)}-{_clock(b % 96 if b > 96 else b)}" for a, b in shifts)
        for name, shifts in zip(
            ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), days, strict=True
        )
        if shifts
    }
    holidays = draw(st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), max_size=3))
    try:
        return Calendar.weekly(hours, tz=tz, holidays=holidays)
    except ScheduleError:
        assume(False)
        raise


@st.composite
def window_calendars(draw: st.DrawFn) -> Calendar:
    """Return one-off windows near 2026, a few hours to a few days long."""
    count = draw(st.integers(0, 4))
    spans = []
    for _ in range(count):
        start = (
            dt.datetime(2026, 1, 1, tzinfo=UTC) + draw(st.integers(0, 365 * 24 * 4)) * 15 * MINUTE
        )
        spans.append((start, start + draw(st.integers(1, 4 * 24 * 3)) * 15 * MINUTE))
    return Windows.between(spans, tz=draw(st.sampled_from(ZONES)))


recurring_calendars = st.builds(
    lambda rule, hours, tz: Windows.recurring(rule, hours, tz=tz),
    st.sampled_from(
        [
            "FREQ=WEEKLY;BYDAY=SA,SU",
            "FREQ=MONTHLY;BYDAY=1SU",
            "FREQ=DAILY;INTERVAL=3",
            "FREQ=WEEKLY",
        ]
    ),
    st.sampled_from(["02:00-06:00", "22:00-02:00", "00:00-24:00", "09:30-10:00,12:00-13:00"]),
    st.sampled_from(ZONES),
)

leaves = st.one_of(
    weekly_calendars(),
    weekly_calendars(),
    window_calendars(),
    recurring_calendars,
    st.builds(Calendar.always, st.sampled_from(ZONES)),
    st.builds(Calendar.never, st.sampled_from(ZONES)),
)


def _combine(children: st.SearchStrategy[Calendar]) -> st.SearchStrategy[Calendar]:
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda p: p[0] & p[1]),
        pairs.map(lambda p: p[0] | p[1]),
        pairs.map(lambda p: p[0] - p[1]),
    )


#: Calendar trees up to three operators deep.
calendars = st.recursive(leaves, _combine, max_leaves=4)

#: Instants across 2026 (both hemispheres' DST changes), at microsecond resolution.
instants = st.builds(
    lambda minutes, micro: dt.datetime(2026, 1, 1, tzinfo=UTC) + minutes * MINUTE + micro * US,
    st.integers(0, 366 * 24 * 60),
    st.sampled_from([0, 0, 1, 999_999, 30_000_000]),
)
durations = st.builds(lambda minutes: minutes * MINUTE, st.integers(0, 30 * 24 * 60))


def outcome(cal: Calendar, query: str, *args: object) -> int | str:
    """Return a query's answer as µs since the epoch, or the name of the error it raised."""
    try:
        answer: dt.datetime = getattr(cal, query)(*args)
    except (NoBusinessTimeError, NoClosingTimeError) as exc:
        return type(exc).__name__
    return us(answer)


# -- set laws -------------------------------------------------------------------


@SETTINGS
@given(a=calendars, b=calendars, t=instants)
def test_is_open_follows_the_set_operations(a: Calendar, b: Calendar, t: dt.datetime) -> None:
    assert (a & b).is_open(t) == (a.is_open(t) and b.is_open(t))
    assert (a | b).is_open(t) == (a.is_open(t) or b.is_open(t))
    assert (a - b).is_open(t) == (a.is_open(t) and not b.is_open(t))


@SETTINGS
@given(a=calendars, b=calendars, s=instants, e=instants)
def test_elapsed_is_inclusion_exclusion(
    a: Calendar, b: Calendar, s: dt.datetime, e: dt.datetime
) -> None:
    both = (a & b).elapsed(s, e)
    assert (a | b).elapsed(s, e) == a.elapsed(s, e) + b.elapsed(s, e) - both
    assert (a - b).elapsed(s, e) == a.elapsed(s, e) - both


@SEARCH_SETTINGS
@given(a=calendars, t=instants, d=durations)
def test_a_and_a_answers_like_a(a: Calendar, t: dt.datetime, d: dt.timedelta) -> None:
    for same in (a & a, a | a, a - Calendar.never("UTC"), a & Calendar.always("Asia/Tokyo")):
        assert same.is_open(t) == a.is_open(t)
        assert same.elapsed(t, t + 40 * DAY) == a.elapsed(t, t + 40 * DAY)
        assert [(us(p.start), us(p.end)) for p in same.periods(t, t + 20 * DAY)] == [
            (us(p.start), us(p.end)) for p in a.periods(t, t + 20 * DAY)
        ]
        for query, args in (
            ("next_open", ()),
            ("next_close", ()),
            ("add", (d,)),
            ("subtract", (d,)),
        ):
            assert outcome(same, query, t, *args) == outcome(a, query, t, *args)
    assert (a - a).elapsed(t, t + 40 * DAY) == ZERO


@SETTINGS
@given(c=calendars, a=instants, b=instants, m=instants)
def test_composed_elapsed_is_additive_and_antisymmetric(
    c: Calendar, a: dt.datetime, b: dt.datetime, m: dt.datetime
) -> None:
    assert c.elapsed(a, b) == c.elapsed(a, m) + c.elapsed(m, b)
    assert c.elapsed(b, a) == -c.elapsed(a, b)
    assert c.elapsed(a, a) == ZERO


@SETTINGS
@given(c=calendars, t=instants, d1=durations, d2=durations)
def test_composed_add_is_earliest_monotone_and_inverts_elapsed(
    c: Calendar, t: dt.datetime, d1: dt.timedelta, d2: dt.timedelta
) -> None:
    assume(c.elapsed(t, t + 90 * DAY) > max(d1, d2))
    end = c.add(t, d1)
    assert end.tzinfo == c.tz
    assert c.elapsed(t, end) == d1
    if d1 > ZERO:
        assert c.elapsed(t, end - US) < d1  # earliest
        assert c.is_open(end - US)
    else:
        assert us(end) == us(t)
    low, high = sorted((d1, d2))
    assert us(c.add(t, low)) <= us(c.add(t, high))  # monotone
    if c.elapsed(t - 90 * DAY, t) > d1:
        start = c.subtract(t, d1)
        assert c.elapsed(start, t) == d1
        if d1 > ZERO:
            assert c.elapsed(start + US, t) < d1  # latest
        assert us(c.add(t, -d1)) == us(start)


@SEARCH_SETTINGS
@given(a=calendars, b=calendars, t=instants)
def test_next_open_and_close_of_compositions(a: Calendar, b: Calendar, t: dt.datetime) -> None:
    c = (a | b) - (a & b)
    try:
        opens = c.next_open(t)
    except NoBusinessTimeError:
        assert c.elapsed(t, t + 60 * DAY) == ZERO
        return
    assert us(opens) >= us(t)
    assert c.is_open(opens)
    assert c.elapsed(t, opens) == ZERO
    try:
        closes = c.next_close(opens)
    except NoClosingTimeError:
        return
    assert us(closes) > us(opens)
    assert not c.is_open(closes)
    # Real time: both are in the calendar's zone, where "closes - opens" would be wall-clock time.
    assert c.elapsed(opens, closes) == dt.timedelta(microseconds=us(closes) - us(opens))


@SETTINGS
@given(a=calendars, b=calendars)
def test_compositions_round_trip_through_data(a: Calendar, b: Calendar) -> None:
    for c in ((a & b) | a, a - (b | a), Calendar.union(a, b, a & b)):
        again = Calendar.from_json(c.to_json())
        assert again == c
        assert again.tz == c.tz


# -- named cases ----------------------------------------------------------------


SUPPORT = Calendar.weekly({"mon-sun": "07:00-22:00"}, tz="Europe/London")
SITE = Calendar.weekly({"mon-sat": "08:00-18:00"}, tz="Europe/London")


def test_onsite_worked_example() -> None:
    """A P1 4-hour on-site fix logged Saturday 16:00 is due Monday 10:00."""
    onsite = SUPPORT & SITE
    logged = dt.datetime(2026, 11, 21, 16, 0, tzinfo=LONDON)  # a Saturday
    due = onsite.add(logged, 4 * HOUR)
    assert due == dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    assert due.tzinfo == LONDON
    saturday, sunday, monday = (dt.datetime(2026, 11, d, tzinfo=LONDON) for d in (21, 22, 23))
    assert onsite.elapsed(logged, sunday) == 2 * HOUR
    assert onsite.elapsed(sunday, monday) == ZERO
    assert onsite.elapsed(monday, due) == 2 * HOUR
    assert onsite.next_open(sunday) == dt.datetime(2026, 11, 23, 8, 0, tzinfo=LONDON)
    assert [(p.start.hour, p.end.hour) for p in onsite.periods(saturday, monday + DAY)] == [
        (8, 18),
        (8, 18),
    ]
    # No building access on Sundays, so Sunday support hours never count on site.
    assert not onsite.is_open(dt.datetime(2026, 11, 22, 12, tzinfo=LONDON))
    assert SUPPORT.is_open(dt.datetime(2026, 11, 22, 12, tzinfo=LONDON))


def test_results_are_in_the_left_operands_zone() -> None:
    sydney = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Australia/Sydney")
    london = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    t = dt.datetime(2026, 6, 1, tzinfo=UTC)
    assert (sydney | london).tz == ZoneInfo("Australia/Sydney")
    assert (london | sydney).tz == LONDON
    assert (london | sydney).next_open(t).tzinfo == LONDON
    assert (sydney - london).add(t, HOUR).tzinfo == ZoneInfo("Australia/Sydney")
    assert Calendar.union(london, sydney).tz == LONDON


def test_nesting_to_any_depth() -> None:
    maint = Windows.recurring("FREQ=MONTHLY;BYDAY=1SU", "02:00-06:00", tz="Europe/London")
    freeze = Windows.between(
        [(dt.datetime(2026, 12, 24, tzinfo=LONDON), dt.datetime(2026, 12, 27, tzinfo=LONDON))]
    )
    nested = ((SUPPORT & SITE) | (Calendar.always("UTC") - maint)) - freeze
    t = dt.datetime(2026, 12, 25, 12, tzinfo=LONDON)
    assert not nested.is_open(t)
    assert nested.next_open(t) == dt.datetime(2026, 12, 27, tzinfo=LONDON)
    december = (dt.datetime(2026, 12, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC))
    # All of December but the maintenance window (6 Dec) and the freeze.
    assert nested.elapsed(*december) == 31 * DAY - 4 * HOUR - 3 * DAY
    assert Calendar.from_dict(nested.to_dict()) == nested


# -- follow the sun ---------------------------------------------------------------

OFFICES = ("Europe/London", "America/New_York", "Australia/Sydney")


def first_minute_reading(local: dt.datetime, tz: ZoneInfo) -> int:
    """Return the first whole minute (since the epoch) at which ``tz`` reads ``local`` or later."""
    minute = local.replace(tzinfo=UTC) - 15 * HOUR
    while minute.astimezone(tz).replace(tzinfo=None) < local:
        minute += MINUTE
    return (minute - EPOCH) // MINUTE


def brute_force_open_minutes(zone: str, lo: dt.datetime, hi: dt.datetime) -> set[int]:
    """Return the minutes in ``[lo, hi)`` when a Mon-Fri 09:00-17:00 office in ``zone`` is open.

    Straight from SEMANTICS.md: a shift opens at the first instant the wall clock
    reads its start and closes at the first instant from then on it reads its end.
    """
    tz = ZoneInfo(zone)
    open_minutes: set[int] = set()
    day = lo.astimezone(tz).date() - DAY
    while day <= hi.astimezone(tz).date() + DAY:
        if day.weekday() < 5:
            opens = first_minute_reading(dt.datetime.combine(day, dt.time(9)), tz)
            closes = first_minute_reading(dt.datetime.combine(day, dt.time(17)), tz)
            open_minutes.update(range(opens, closes))
        day += DAY
    first, last = (lo - EPOCH) // MINUTE, (hi - EPOCH) // MINUTE
    return {m for m in open_minutes if first <= m < last}


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        # US DST starts 8 Mar, UK 29 Mar, Sydney's ends 5 Apr.
        (dt.datetime(2026, 3, 2, tzinfo=UTC), dt.datetime(2026, 4, 13, tzinfo=UTC)),
        # Sydney's DST starts 4 Oct, UK's ends 25 Oct, US's ends 1 Nov.
        (dt.datetime(2026, 9, 28, tzinfo=UTC), dt.datetime(2026, 11, 9, tzinfo=UTC)),
    ],
    ids=["march-april", "october-november"],
)
def test_follow_the_sun_union_matches_brute_force_minute_by_minute(
    lo: dt.datetime, hi: dt.datetime
) -> None:
    offices = [Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone) for zone in OFFICES]
    sun = offices[0] | offices[1] | offices[2]
    reference: set[int] = set()
    for zone in OFFICES:
        reference |= brute_force_open_minutes(zone, lo, hi)
    minute = lo
    mismatches = []
    while minute < hi:
        if sun.is_open(minute) != (((minute - EPOCH) // MINUTE) in reference):
            mismatches.append(minute.isoformat())
        minute += MINUTE
    assert mismatches == []
    assert sun.elapsed(lo, hi) == len(reference) * MINUTE
    got = {
        m
        for p in sun.periods(lo, hi)
        for m in range((p.start - EPOCH) // MINUTE, (p.end - EPOCH) // MINUTE)
    }
    assert got == reference
    # add agrees with the reference's n-th open minute.
    ordered = sorted(reference)
    for n in (1, 60, 600, len(ordered) // 2, len(ordered) - 1):
        due = sun.add(lo, n * MINUTE)
        assert (due - EPOCH) // MINUTE == ordered[n - 1] + 1


# -- never overlapping ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (
            Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London"),
            Calendar.weekly({"sat-sun": "10:00-16:00"}, tz="Europe/London"),
        ),
        (
            # 09:00-10:00 in London is evening in Sydney, whatever either's DST.
            Calendar.weekly({"mon-sun": "09:00-10:00"}, tz="Europe/London"),
            Calendar.weekly({"mon-sun": "09:00-10:00"}, tz="Australia/Sydney"),
        ),
        (Calendar.always("UTC"), Calendar.never("UTC")),
    ],
    ids=["weekdays-weekends", "london-sydney", "always-never"],
)
def test_never_overlapping_intersection_raises_within_a_bounded_horizon(
    left: Calendar, right: Calendar
) -> None:
    never = left & right
    t = dt.datetime(2026, 1, 1, tzinfo=UTC)
    began = time.perf_counter()
    with pytest.raises(NoBusinessTimeError):
        never.next_open(t)
    with pytest.raises(NoBusinessTimeError):
        never.add(t, MINUTE)
    with pytest.raises(NoBusinessTimeError):
        never.subtract(t, MINUTE)
    assert time.perf_counter() - began < 20
    assert never.elapsed(t, t + 400 * DAY) == ZERO
    assert list(never.periods(t, t + 400 * DAY)) == []
    assert not never.is_open(t)
    assert never.next_close(t) == t
