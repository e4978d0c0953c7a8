"""Hypothesis properties of the working calendar, and agreement with the brute-force reference.

A scenario is a random weekly calendar (shifts on random days, overnight ones
included, in one of several zones), random holidays and overrides near an
anchor instant, the anchor itself (often a DST transition of the zone), and
the engine's and the reference's view of it. Instants are drawn near the
anchor, at minute or second resolution, and handed to the engine in a random
zone: UTC, the calendar's, a fixed offset, or another IANA zone.

Instants are compared as ``x - EPOCH``: ``==`` between datetimes in one zone
compares wall clocks and ignores ``fold``. For the same reason arithmetic on
results (which are in the calendar's zone) is done in UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import RefCalendar, RefShift, engine_hours, engine_overrides, shift_minutes

from slaclock import Calendar
from slaclock.engine._index import CHUNK_BITS, SPAN_BITS
from slaclock.errors import NoBusinessTimeError, NoClosingTimeError

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = dt.timedelta(microseconds=1)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
ZERO = dt.timedelta(0)

ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Apia",
)
OTHER_ZONES = tuple(ZoneInfo(name) for name in (*ZONES, "Asia/Tokyo", "America/St_Johns"))

SETTINGS = settings(
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW_SETTINGS = settings(SETTINGS, max_examples=80)


def us(t: dt.datetime) -> int:
    """Return an aware instant as microseconds since the epoch (``fold`` respected)."""
    return (t - EPOCH) // US


def in_utc(t: dt.datetime) -> dt.datetime:
    """Return ``t`` in UTC, where adding a timedelta adds real time.

    (Adding to a datetime in a zone with DST adds wall-clock time.)
    """
    return t.astimezone(UTC)


# -- zones and their transitions ------------------------------------------------------


@functools.cache
def transitions(zone_name: str) -> tuple[dt.datetime, ...]:
    """Return the UTC instants (whole minutes) at which ``zone_name``'s offset changes.

    Scans 2024 to 2028 hour by hour (and, for Pacific/Apia, the years it still
    had DST and the day it skipped), then narrows each change to the minute.
    """
    zone = ZoneInfo(zone_name)
    spans = [(dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2029, 1, 1, tzinfo=UTC))]
    if zone_name == "Pacific/Apia":
        spans += [
            (dt.datetime(2011, 9, 1, tzinfo=UTC), dt.datetime(2012, 5, 1, tzinfo=UTC)),
            (dt.datetime(2020, 3, 1, tzinfo=UTC), dt.datetime(2021, 5, 1, tzinfo=UTC)),
        ]
    found = []
    for lo, hi in spans:
        t, offset = lo, lo.astimezone(zone).utcoffset()
        while t < hi:
            nxt = t + HOUR
            next_offset = nxt.astimezone(zone).utcoffset()
            if next_offset != offset:
                a, b = t, nxt  # the offset changes in (a, b]
                while b - a > MINUTE:
                    mid = a + (b - a) // 2 // MINUTE * MINUTE
                    if mid.astimezone(zone).utcoffset() == offset:
                        a = mid
                    else:
                        b = mid
                found.append(b)
            t, offset = nxt, next_offset
    return tuple(found)


@st.composite
def anchors(
    draw: st.DrawFn, zone_name: str
) -> tuple[dt.datetime, tuple[dt.datetime, dt.datetime] | None]:
    """Return a UTC instant on a whole minute, and the wall-clock span to aim shifts at.

    Two times in three (for zones that have transitions) the instant lies within
    30 hours of a transition, and the span is the naive wall-clock readings
    around it: the skipped or repeated readings, with 30 minutes either side.
    Otherwise the instant is anywhere in 2024-2028 and there is no span.
    """
    near = transitions(zone_name)
    if near and draw(st.integers(0, 2)):
        change = draw(st.sampled_from(near))
        zone = ZoneInfo(zone_name)
        # The reading the clock was about to show, and the one it showed instead.
        before = ((change - MINUTE).astimezone(zone) + MINUTE).replace(tzinfo=None)
        after = change.astimezone(zone).replace(tzinfo=None)
        span = (min(before, after) - 30 * MINUTE, max(before, after) + 30 * MINUTE)
        return change + draw(st.integers(-30 * 60, 30 * 60)) * MINUTE, span
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    return start + draw(st.integers(0, 5 * 365 * 24 * 60)) * MINUTE, None


# -- calendars --------------------------------------------------------------------------

DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
#: Times of day near the usual DST transitions (00:00-05:00), on quarter hours.
NIGHT_TIMES = [m * 15 for m in range(0, 5 * 4 + 1)]

start_minutes = st.one_of(
    st.sampled_from(NIGHT_TIMES),
    st.integers(0, 95).map(lambda q: q * 15),
    st.integers(0, DAY_MINUTES - 1),
)
lengths = st.one_of(
    st.integers(1, 96).map(lambda q: q * 15),
    st.integers(1, DAY_MINUTES),
    st.sampled_from([30, 60, 90, 120, 150, 180, 240, 480]),
)

#: A shift as drawn: (a day number or a date, start minute of that day, length in minutes).
Drawn = tuple[int, int, int]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def shift_text(start: int, length: int, midnight_as_zero: bool) -> RefShift:
    """Return the shift ``start`` for ``length`` minutes as ``("HH:MM", "HH:MM")``."""
    end = start + length
    if end == DAY_MINUTES:
        return hhmm(start), "00:00" if midnight_as_zero and start else "24:00"
    return hhmm(start), hhmm(end % DAY_MINUTES)


def disjoint(candidates: list[Drawn], cycle: int | None) -> list[Drawn]:
    """Return the candidates that overlap none kept before them.

    ``(day, start, length)`` covers minutes ``[day * 1440 + start, ... + length)``,
    on a cycle of ``cycle`` minutes (a week) or on a line (one override day).
    """
    kept: list[Drawn] = []
    for day, start, length in candidates:
        if length == DAY_MINUTES and start:
            continue  # a shift of exactly 24 h can only be written 00:00-24:00
        lo = day * DAY_MINUTES + start
        hi = lo + length
        clashes = False
        for other_day, other_start, other_length in kept:
            other_lo = other_day * DAY_MINUTES + other_start
            other_hi = other_lo + other_length
            for k in (0,) if cycle is None else (-cycle, 0, cycle):
                clashes = clashes or (lo < other_hi + k and other_lo + k < hi)
        if not clashes:
            kept.append((day, start, length))
    return kept


random_shifts = st.lists(
    st.tuples(st.integers(0, 6), start_minutes, lengths), min_size=1, max_size=8
)


@st.composite
def focus_shifts(
    draw: st.DrawFn, span: tuple[dt.datetime, dt.datetime]
) -> list[tuple[dt.date, int, int]]:
    """Return 1-3 shifts that start or end at a wall-clock reading within ``span``."""
    lo, hi = span
    found = []
    for _ in range(draw(st.integers(1, 3))):
        wall = lo + draw(st.integers(0, (hi - lo) // MINUTE)) * MINUTE
        length = draw(lengths)
        if draw(st.booleans()):
            wall -= length * MINUTE  # the shift ends at the reading, not starts
        found.append((wall.date(), wall.hour * 60 + wall.minute, length))
    return found


@dataclasses.dataclass
class Scenario:
    """A random calendar near an anchor instant, as the engine and the reference see it."""

    zone: str
    week: dict[int, list[RefShift]]
    holidays: set[dt.date]
    overrides: dict[dt.date, list[RefShift]]
    anchor: dt.datetime

    @functools.cached_property
    def calendar(self) -> Calendar:
        return Calendar.weekly(
            engine_hours(self.week),
            tz=self.zone,
            holidays=self.holidays,
            overrides=engine_overrides(self.overrides),
        )

    @functools.cached_property
    def reference(self) -> RefCalendar:
        return RefCalendar(self.week, self.zone, self.holidays, self.overrides)

    @property
    def has_weekly_hours(self) -> bool:
        return any(self.week.values())

    def __repr__(self) -> str:
        return (
            f"Calendar.weekly({engine_hours(self.week)!r}, tz={self.zone!r}, "
            f"holidays={sorted(self.holidays)!r}, "
            f"overrides={engine_overrides(dict(sorted(self.overrides.items())))!r})"
            f"  # anchor {self.anchor.isoformat()}"
        )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone = draw(st.sampled_from(ZONES))
    anchor, span = draw(anchors(zone))
    local = anchor.astimezone(ZoneInfo(zone)).date()
    near = [local + n * DAY for n in range(-4, 5)]
    # Shifts aimed at the transition go into the week or into an override of their date.
    week_candidates: list[Drawn] = []
    override_candidates: dict[dt.date, list[Drawn]] = {}
    for day, start, length in draw(focus_shifts(span)) if span else []:
        if draw(st.booleans()):
            week_candidates.append((day.weekday(), start, length))
        else:
            override_candidates.setdefault(day, []).append((0, start, length))
    for day in sorted(draw(st.sets(st.sampled_from(near), max_size=3))):
        override_candidates.setdefault(day, [])
        override_candidates[day] += [
            (0, start, length)
            for _, start, length in draw(
                st.lists(st.tuples(st.just(0), start_minutes, lengths), max_size=3)
            )
        ]
    week: dict[int, list[RefShift]] = {}
    for day, start, length in sorted(disjoint(week_candidates + draw(random_shifts), WEEK_MINUTES)):
        week.setdefault(day, []).append(shift_text(start, length, draw(st.booleans())))
    overrides = {
        day: [
            shift_text(start, length, False)
            for _, start, length in sorted(disjoint(candidates, None))
        ]
        for day, candidates in override_candidates.items()
    }
    holidays = draw(st.sets(st.sampled_from(near), max_size=4))
    return Scenario(zone, week, holidays, overrides, anchor)


# -- instants ---------------------------------------------------------------------------


def as_seen_in(t: dt.datetime, how: object, cal: Calendar) -> dt.datetime:
    """Return the instant ``t`` written in another zone: ``how`` names or is that zone."""
    if how == "calendar":
        return t.astimezone(cal.tz)
    assert isinstance(how, dt.tzinfo)
    return t.astimezone(how)


zone_choices = st.one_of(
    st.just("calendar"),
    st.just(UTC),
    st.sampled_from(OTHER_ZONES),
    st.integers(-12 * 4, 14 * 4).map(lambda q: dt.timezone(q * 15 * MINUTE)),
)


@st.composite
def instants(
    draw: st.DrawFn, scenario: Scenario, span: dt.timedelta = 2 * DAY, seconds: bool = True
) -> dt.datetime:
    """Return an instant within ``span`` of the scenario's anchor, in a random zone."""
    reach = span // MINUTE
    t = scenario.anchor + draw(st.integers(-reach, reach)) * MINUTE
    if seconds and draw(st.booleans()):
        t += draw(st.integers(0, 59)) * dt.timedelta(seconds=1)
    return as_seen_in(t, draw(zone_choices), scenario.calendar)


durations = st.one_of(
    st.just(ZERO),
    st.integers(1, 72 * 60).map(lambda m: m * MINUTE),
    st.integers(1, 72 * 3600).map(lambda s: s * dt.timedelta(seconds=1)),
    st.integers(1, 10**6).map(lambda u: u * US),
)


def assert_in_calendar_zone(cal: Calendar, *results: dt.datetime) -> None:
    for result in results:
        assert result.tzinfo is cal.tz


def add_or_none(cal: Calendar, t: dt.datetime, d: dt.timedelta, s: Scenario) -> dt.datetime | None:
    """Return ``cal.add(t, d)``, or None when the calendar has run out of open time.

    That may only happen to a calendar with no weekly hours (overrides only).
    """
    try:
        return cal.add(t, d)
    except NoBusinessTimeError:
        assert not s.has_weekly_hours, "a calendar with weekly hours ran out of open time"
        return None


# -- elapsed ------------------------------------------------------------------------------


@SETTINGS
@given(st.data(), scenarios())
def test_elapsed_is_additive(data: st.DataObject, s: Scenario) -> None:
    a, b, c = (data.draw(instants(s)) for _ in range(3))
    cal = s.calendar
    assert cal.elapsed(a, c) == cal.elapsed(a, b) + cal.elapsed(b, c)


@SETTINGS
@given(st.data(), scenarios())
def test_elapsed_is_antisymmetric_and_bounded_by_real_time(
    data: st.DataObject, s: Scenario
) -> None:
    a, b = data.draw(instants(s)), data.draw(instants(s))
    cal = s.calendar
    assert cal.elapsed(b, a) == -cal.elapsed(a, b)
    assert cal.elapsed(a, a) == ZERO
    if us(a) > us(b):
        a, b = b, a
    assert ZERO <= cal.elapsed(a, b) <= (b - EPOCH) - (a - EPOCH)


# -- add and subtract -----------------------------------------------------------------


@SETTINGS
@given(st.data(), scenarios(), durations)
def test_add_reaches_the_duration_at_the_earliest_instant(
    data: st.DataObject, s: Scenario, d: dt.timedelta
) -> None:
    a = data.draw(instants(s))
    cal = s.calendar
    r = add_or_none(cal, a, d, s)
    if r is None:
        return
    assert_in_calendar_zone(cal, r)
    assert us(r) >= us(a)
    assert cal.elapsed(a, r) == d
    if d > ZERO:
        assert cal.elapsed(a, in_utc(r) - US) < d
        assert cal.is_open(in_utc(r) - US)
    else:
        assert us(r) == us(a)
    assert us(cal.subtract(a, -d)) == us(r)


@SETTINGS
@given(st.data(), scenarios(), durations, durations)
def test_add_is_monotone_in_duration_and_start(
    data: st.DataObject, s: Scenario, d1: dt.timedelta, d2: dt.timedelta
) -> None:
    a1, a2 = data.draw(instants(s)), data.draw(instants(s))
    if us(a1) > us(a2):
        a1, a2 = a2, a1
    d1, d2 = min(d1, d2), max(d1, d2)
    cal = s.calendar
    results = [add_or_none(cal, a, d, s) for a, d in ((a1, d1), (a1, d2), (a2, d1))]
    r11, r12, r21 = results
    if r11 is not None and r12 is not None:
        assert us(r11) <= us(r12)
    if r11 is not None and r21 is not None:
        assert us(r11) <= us(r21)


@SETTINGS
@given(st.data(), scenarios(), durations)
def test_subtract_mirrors_add_at_the_latest_instant(
    data: st.DataObject, s: Scenario, d: dt.timedelta
) -> None:
    b = data.draw(instants(s))
    cal = s.calendar
    try:
        r = cal.subtract(b, d)
    except NoBusinessTimeError:
        assert not s.has_weekly_hours
        return
    assert_in_calendar_zone(cal, r)
    assert us(r) <= us(b)
    assert cal.elapsed(r, b) == d
    if d > ZERO:
        assert cal.elapsed(in_utc(r) + US, b) < d
        assert cal.is_open(r)
    else:
        assert us(r) == us(b)
    assert us(cal.add(b, -d)) == us(r)


@SETTINGS
@given(st.data(), scenarios())
def test_add_and_subtract_of_elapsed_time_stop_at_the_edges_of_open_time(
    data: st.DataObject, s: Scenario
) -> None:
    # d is exactly the open time in [a, x): add lands on the end of an open period
    # (or on x) and subtract on the start of one (or on a), never beyond.
    a, x = data.draw(instants(s)), data.draw(instants(s))
    if us(a) > us(x):
        a, x = x, a
    cal = s.calendar
    d = cal.elapsed(a, x)
    earliest = cal.add(a, d)
    assert us(a) <= us(earliest) <= us(x)
    assert cal.elapsed(a, earliest) == d
    assert cal.elapsed(earliest, x) == ZERO
    if d > ZERO:
        assert cal.is_open(in_utc(earliest) - US)
    latest = cal.subtract(x, d)
    assert us(a) <= us(latest) <= us(x)
    assert cal.elapsed(latest, x) == d
    assert cal.elapsed(a, latest) == ZERO
    if d > ZERO:
        assert cal.is_open(latest)


@SETTINGS
@given(st.data(), scenarios(), durations, durations)
def test_subtract_is_monotone(
    data: st.DataObject, s: Scenario, d1: dt.timedelta, d2: dt.timedelta
) -> None:
    b1, b2 = data.draw(instants(s)), data.draw(instants(s))
    if us(b1) > us(b2):
        b1, b2 = b2, b1
    d1, d2 = min(d1, d2), max(d1, d2)
    cal = s.calendar
    try:
        assert us(cal.subtract(b2, d2)) <= us(cal.subtract(b2, d1))
        assert us(cal.subtract(b1, d1)) <= us(cal.subtract(b2, d1))
    except NoBusinessTimeError:
        assert not s.has_weekly_hours


# -- is_open, next_open, next_close, periods -------------------------------------------------


@SETTINGS
@given(st.data(), scenarios())
def test_is_open_agrees_with_periods(data: st.DataObject, s: Scenario) -> None:
    a, b = data.draw(instants(s)), data.draw(instants(s))
    if us(a) > us(b):
        a, b = b, a
    cal = s.calendar
    periods = list(cal.periods(a, b))
    total = ZERO
    previous_end: int | None = None
    for p in periods:
        assert_in_calendar_zone(cal, p.start, p.end)
        assert us(a) <= us(p.start) < us(p.end) <= us(b)
        # Sorted, and merged: something closed lies between two periods.
        assert previous_end is None or previous_end < us(p.start)
        previous_end = us(p.end)
        assert cal.is_open(p.start)
        assert cal.is_open(in_utc(p.end) - US)
        if us(p.start) > us(a):
            assert not cal.is_open(in_utc(p.start) - US)
        if us(p.end) < us(b):
            assert not cal.is_open(p.end)
        total += in_utc(p.end) - in_utc(p.start)
    assert total == cal.elapsed(a, b)
    for t in data.draw(st.lists(instants(s), max_size=8)):
        if us(a) <= us(t) < us(b):
            inside = any(us(p.start) <= us(t) < us(p.end) for p in periods)
            assert cal.is_open(t) is inside


@SETTINGS
@given(st.data(), scenarios())
def test_next_open_and_next_close(data: st.DataObject, s: Scenario) -> None:
    t = data.draw(instants(s))
    cal = s.calendar
    try:
        o = cal.next_open(t)
    except NoBusinessTimeError:
        assert not s.has_weekly_hours
    else:
        assert_in_calendar_zone(cal, o)
        assert us(o) >= us(t)
        assert cal.is_open(o)
        assert cal.elapsed(t, o) == ZERO
        assert (us(o) == us(t)) is cal.is_open(t)
    try:
        c = cal.next_close(t)
    except NoClosingTimeError:
        # Only a week of shifts that covers every minute may have no closed time.
        assert sum(ref_week_minutes(s.week)) == WEEK_MINUTES
        return
    assert_in_calendar_zone(cal, c)
    assert us(c) >= us(t)
    assert not cal.is_open(c)
    assert cal.elapsed(t, c) == (c - EPOCH) - (t - EPOCH)
    assert (us(c) == us(t)) is (not cal.is_open(t))


def ref_week_minutes(week: dict[int, list[RefShift]]) -> list[int]:
    """Return the wall-clock length of each weekly shift, in minutes."""
    return [end - start for shifts in week.values() for start, end in map(shift_minutes, shifts)]


# -- the same instant in any zone ---------------------------------------------------------


def answers(cal: Calendar, t: dt.datetime, u: dt.datetime, d: dt.timedelta) -> list[object]:
    """Return every query's answer for ``t`` and ``u``, instants as microseconds."""
    found: list[object] = [cal.is_open(t), cal.elapsed(t, u), cal.elapsed(u, t)]
    for query in (
        lambda: cal.next_open(t),
        lambda: cal.next_close(t),
        lambda: cal.add(t, d),
        lambda: cal.subtract(t, d),
        lambda: cal.add(u, -d),
    ):
        try:
            result = query()
        except (NoBusinessTimeError, NoClosingTimeError) as exc:
            found.append(type(exc))
        else:
            assert result.tzinfo is cal.tz
            found.append(us(result))
    for p in cal.periods(t, u):
        assert p.start.tzinfo is cal.tz
        assert p.end.tzinfo is cal.tz
        found.append((us(p.start), us(p.end)))
    return found


@SETTINGS
@given(st.data(), scenarios(), durations)
def test_the_same_instant_in_any_zone_gives_the_same_answers(
    data: st.DataObject, s: Scenario, d: dt.timedelta
) -> None:
    t, u = data.draw(instants(s)), data.draw(instants(s))
    cal = s.calendar
    expected = answers(cal, t.astimezone(UTC), u.astimezone(UTC), d)
    for how in (data.draw(zone_choices), "calendar", data.draw(zone_choices)):
        assert answers(cal, as_seen_in(t, how, cal), as_seen_in(u, how, cal), d) == expected


@SETTINGS
@given(scenarios())
def test_serialization_round_trip(s: Scenario) -> None:
    cal = s.calendar
    again = Calendar.from_json(cal.to_json())
    assert again == cal
    assert hash(again) == hash(cal)
    a, b = s.anchor - 2 * DAY, s.anchor + 2 * DAY
    assert [(us(p.start), us(p.end)) for p in again.periods(a, b)] == [
        (us(p.start), us(p.end)) for p in cal.periods(a, b)
    ]


# -- agreement with the brute-force reference ---------------------------------------------------


@SLOW_SETTINGS
@given(scenarios())
def test_agrees_with_reference_minute_by_minute(s: Scenario) -> None:
    cal, ref = s.calendar, s.reference
    start, end = s.anchor - DAY, s.anchor + 2 * DAY
    minutes = (end - start) // MINUTE
    open_so_far = ZERO
    for n in range(minutes):
        t = start + n * MINUTE
        assert cal.elapsed(start, t) == open_so_far, t
        is_open = ref.minute_is_open((t - EPOCH) // MINUTE)
        assert cal.is_open(t) is is_open, t
        open_so_far += MINUTE if is_open else ZERO
    assert cal.elapsed(start, end) == open_so_far
    got = [(us(p.start), us(p.end)) for p in cal.periods(start, end)]
    assert got == [(us(a), us(b)) for a, b in ref.periods(start, end)]


@SLOW_SETTINGS
@given(st.data(), scenarios())
def test_queries_agree_with_reference(data: st.DataObject, s: Scenario) -> None:
    cal, ref = s.calendar, s.reference
    for _ in range(4):
        t = data.draw(instants(s, span=DAY, seconds=False))
        d = data.draw(st.integers(0, 12 * 60)) * MINUTE
        expected_add, got_add = ref.add(t, d, limit_days=3), add_or_none(cal, t, d, s)
        if expected_add is not None:
            assert got_add is not None
            assert us(got_add) == us(expected_add), (t, d)
        expected_sub = ref.subtract(t, d, limit_days=3)
        if expected_sub is not None:
            assert us(cal.subtract(t, d)) == us(expected_sub), (t, d)
        expected_open = ref.next_open(t, limit_days=3)
        if expected_open is not None:
            assert us(cal.next_open(t)) == us(expected_open), t
        expected_close = ref.next_close(t, limit_days=3)
        if expected_close is not None:
            assert us(cal.next_close(t)) == us(expected_close), t
        u = data.draw(instants(s, span=DAY, seconds=False))
        assert cal.elapsed(t, u) == ref.elapsed(t, u), (t, u)


# -- pieces and chunks ----------------------------------------------------------------------


def every_answer(
    calendar: Callable[[], Calendar], t: dt.datetime, u: dt.datetime, d: dt.timedelta
) -> list[object]:
    """Return each query's answer, each asked of ``calendar()``, as µs or the error's type."""

    def attempt(query: Callable[[Calendar], object]) -> object:
        try:
            result = query(calendar())
        except (NoBusinessTimeError, NoClosingTimeError) as exc:
            return type(exc)
        return us(result) if isinstance(result, dt.datetime) else result

    queries: list[Callable[[Calendar], object]] = [
        lambda cal: cal.elapsed(t, u),
        lambda cal: cal.elapsed(u, t),
        lambda cal: cal.add(t, d),
        lambda cal: cal.subtract(t, d),
        lambda cal: cal.is_open(t),
        lambda cal: cal.next_open(t),
        lambda cal: cal.next_close(t),
        lambda cal: [(us(p.start), us(p.end)) for p in cal.periods(min(t, u), max(t, u))],
    ]
    return [attempt(query) for query in queries]


def draw_query(
    data: st.DataObject, s: Scenario, reaches: list[dt.timedelta], *, hours: int
) -> tuple[dt.datetime, dt.datetime, dt.timedelta]:
    """Draw two instants, each within one of ``reaches``, and a duration up to ``hours``."""
    reach = st.sampled_from(reaches)
    t = data.draw(instants(s, span=data.draw(reach)))
    u = data.draw(instants(s, span=data.draw(reach)))
    d = data.draw(st.one_of(durations, st.integers(1, hours).map(lambda h: h * HOUR)))
    return t, u, d


def built_around(spec: dict[str, object], instants: tuple[dt.datetime, ...], bits: int) -> Calendar:
    """Return the calendar ``spec`` describes, its chunks (or spans) around ``instants`` built."""
    cal = Calendar.from_dict(spec)
    build = cal._index.chunk if bits == CHUNK_BITS else cal._index.span
    for instant in instants:
        number = us(instant) >> bits
        for near in (number - 1, number, number + 1):
            build(near)
    return cal


@SLOW_SETTINGS
@given(st.data(), scenarios())
def test_short_queries_on_pieces_agree_with_built_chunks(data: st.DataObject, s: Scenario) -> None:
    """A fresh calendar answers short queries from pieces; one with its chunks built agrees."""
    t, u, d = draw_query(data, s, [DAY, 7 * DAY, 40 * DAY, 120 * DAY], hours=2000)
    spec = s.calendar.to_dict()
    built = built_around(spec, (t, u), CHUNK_BITS)
    assert built._index._chunks
    assert every_answer(lambda: Calendar.from_dict(spec), t, u, d) == every_answer(
        lambda: built, t, u, d
    )
    # One calendar asked everything in turn mixes pieces and chunks: the same answers.
    warm = Calendar.from_dict(spec)
    assert every_answer(lambda: warm, t, u, d) == every_answer(lambda: built, t, u, d)


@SLOW_SETTINGS
@given(st.data(), scenarios())
def test_queries_on_spans_agree_with_built_chunks(data: st.DataObject, s: Scenario) -> None:
    """A calendar with spans built around its instants answers as one with chunks built."""
    t, u, d = draw_query(data, s, [DAY, 40 * DAY, 120 * DAY, 300 * DAY], hours=4000)
    spec = s.calendar.to_dict()
    built = built_around(spec, (t, u), CHUNK_BITS)
    spans = built_around(spec, (t, u), SPAN_BITS)
    assert spans._index._spans
    assert not spans._index._chunks
    assert every_answer(lambda: spans, t, u, d) == every_answer(lambda: built, t, u, d)


def test_a_cold_query_of_months_builds_spans_not_chunks() -> None:
    """Three months on a calendar build a few spans of about 51 days, not a chunk.

    (Once past its first answers, which come from its week's template and build
    nothing: see test_template.py.)
    """
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    cal._index._cold_left = 0
    start = dt.datetime(2026, 11, 20, 16, 55, tzinfo=ZoneInfo("Europe/London"))
    cal.elapsed(start, start + 90 * DAY)
    assert not cal._index._chunks
    assert 2 <= len(cal._index._spans) <= 3
    # A union's operands build the same spans, and the union merges only those.
    desks = [Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone) for zone in ("UTC", "Asia/Tokyo")]
    union = Calendar.union(*desks)
    union._index._cold_left = 0
    union.add(start, 1000 * HOUR)
    for index in (union._index, *(desk._index for desk in desks)):
        assert index._spans
        assert not index._chunks
