"""``BusinessDays.due_many`` gives ``due_from``'s answer for every element, in every container."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock import Calendar
from slaclock.engine import _steady
from slaclock.engine._time import day_start
from slaclock.errors import NaiveDatetimeError, NoBusinessTimeError, OutOfRangeError, SlaclockError
from slaclock.sla import _due_many
from slaclock.sla.targets import BusinessDays

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
#: Zones with daylight saving at 01:00 UTC, at local midnight (Havana, Santiago), and none.
ZONES = ("Europe/London", "America/Havana", "America/Santiago", "Asia/Kolkata", "Pacific/Apia")
HOURS = (
    {"mon-fri": "09:00-17:00"},
    {"mon-fri": "22:00-06:00"},
    {"mon-sat": "00:00-01:00,23:30-24:00"},
    {"sun": "10:00-12:00"},
)


@pytest.fixture(autouse=True)
def read_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read the zone's transitions however small the batch (one test keeps the threshold)."""
    monkeypatch.setattr(_due_many, "_READ_ROWS", 0)


def as_us(t: dt.datetime) -> int:
    return (t - EPOCH) // dt.timedelta(microseconds=1)


def calendar(zone: str, hours: dict[str, str]) -> Calendar:
    return Calendar.weekly(hours, tz=zone, holidays=[dt.date(2026, 12, 25), dt.date(2027, 1, 1)])


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    hours=st.sampled_from(HOURS),
    days=st.integers(1, 12),
    offsets=st.lists(st.integers(0, 2 * 365 * 24 * 60), min_size=1, max_size=40),
)
def test_due_many_equals_due_from(
    zone: str, hours: dict[str, str], days: int, offsets: list[int]
) -> None:
    cal = calendar(zone, hours)
    target = BusinessDays(days)
    logged = [dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=m) for m in offsets]
    array = np.array([as_us(t) for t in logged], dtype="int64").view("datetime64[us]")
    expected = [as_us(target.due_from(cal, t)) for t in logged]
    assert target.due_many(cal, array).view("int64").tolist() == expected
    listed = target.due_many(cal, logged)
    assert [as_us(t) for t in listed] == expected
    assert all(t.tzinfo is cal.tz for t in listed)


def test_due_many_on_daylight_saving_days_reads_the_wall_clock_date() -> None:
    # Havana moves its clocks at local midnight: instants around the change, minute by minute.
    cal = calendar("America/Havana", {"mon-sun": "09:00-17:00"})
    changes = [dt.datetime(2026, 3, 8, 5, tzinfo=UTC), dt.datetime(2026, 11, 1, 5, tzinfo=UTC)]
    logged = [c + dt.timedelta(minutes=m) for c in changes for m in range(-90, 91, 7)]
    target = BusinessDays(2)
    assert [as_us(t) for t in target.due_many(cal, logged)] == [
        as_us(target.due_from(cal, t)) for t in logged
    ]


def test_due_many_keeps_missing_values_and_shapes_pandas_columns() -> None:
    pd = pytest.importorskip("pandas")
    cal = calendar("Europe/London", {"mon-fri": "09:00-17:00"})
    column = pd.Series(pd.to_datetime(["2026-11-20T16:55Z", None, "2026-12-24T10:00Z"], utc=True))
    due = BusinessDays(3).due_many(cal, column)
    assert str(due.dt.tz) == "Europe/London"
    assert due[0] == pd.Timestamp("2026-11-25T17:00", tz="Europe/London")
    assert pd.isna(due[1])
    # Thursday 24th; Friday 25th is a holiday: Monday 28th, Tuesday, Wednesday 30th.
    assert due[2] == pd.Timestamp("2026-12-30T17:00", tz="Europe/London")


def test_due_many_without_open_time_raises_like_due_from() -> None:
    never = Calendar.never("UTC")
    logged = np.array(["2026-11-20T16:55"], dtype="datetime64[us]")
    with pytest.raises(NoBusinessTimeError):
        BusinessDays(1).due_many(never, logged)
    with pytest.raises(NoBusinessTimeError):
        BusinessDays(0).due_many(calendar("UTC", {"mon-fri": "09:00-17:00"}), logged)


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    batches=st.lists(
        st.tuples(
            st.integers(1, 12),
            st.sampled_from([None, dt.time(15), dt.time(8, 45)]),
            st.lists(st.integers(0, 3 * 365 * 24 * 60), min_size=1, max_size=20),
        ),
        min_size=2,
        max_size=5,
    ),
)
def test_repeated_batches_on_one_calendar_reuse_tables_and_agree(
    zone: str, batches: list[tuple[int, dt.time | None, list[int]]]
) -> None:
    # Later batches may be answered from a day table an earlier batch built (narrower,
    # wider or shifted ranges, other day counts and cut-offs): every answer is still due_from's.
    cal = calendar(zone, {"mon-fri": "09:00-17:00"})
    other = calendar(zone, {"sat-sun": "10:00-11:00"})
    for days, cutoff, offsets in batches:
        logged = [dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=m) for m in offsets]
        for each in (cal, other):
            target = BusinessDays(days, cutoff)
            assert [as_us(t) for t in target.due_many(each, logged)] == [
                as_us(target.due_from(each, t)) for t in logged
            ]


#: Zones with half-hour and 45-minute offsets and half-hour daylight saving (Lord Howe),
#: besides those above.
MORE_ZONES = (*ZONES, "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns")
CUTOFFS = (
    None,
    dt.time(15),
    dt.time(0),
    dt.time(9, 7, 30),
    dt.time(23, 59, 59, 999_999),
    dt.time(0, 30),
)


def answers_or_error(
    target: BusinessDays, cal: Calendar, logged: list[dt.datetime | None]
) -> list[int | None] | type[Exception]:
    """Return ``due_from`` for each element (None stays None), or the error it raises."""
    try:
        return [None if t is None else as_us(target.due_from(cal, t)) for t in logged]
    except NoBusinessTimeError:
        return NoBusinessTimeError


def due_many_or_error(
    target: BusinessDays, cal: Calendar, logged: list[dt.datetime | None]
) -> list[int | None] | type[Exception]:
    stamps = [NAT_US if t is None else as_us(t) for t in logged]
    array = np.array(stamps, dtype="int64").view("datetime64[us]")
    before = array.copy()
    try:
        due = target.due_many(cal, array)
    except NoBusinessTimeError:
        return NoBusinessTimeError
    assert (array.view("int64") == before.view("int64")).all()  # the input is not touched
    assert not np.shares_memory(due, array)
    return [None if v == NAT_US else v for v in due.view("int64").tolist()]


NAT_US = -(2**63)


@pytest.fixture(params=["buckets", "rows"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Answer through the bucket tables, or (with none allowed) row by row."""
    if request.param == "rows":
        monkeypatch.setattr(_due_many, "_MAX_BUCKETS", 0)
    return str(request.param)


@settings(
    deadline=None,
    max_examples=60,
    # ``path`` only sets which way answers are found, the same for every example.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    zone=st.sampled_from(MORE_ZONES),
    hours=st.sampled_from(HOURS),
    days=st.integers(0, 12),
    cutoff=st.sampled_from(CUTOFFS),
    year=st.sampled_from((1790, 1890, 1916, 1975, 2026, 2038, 2150, 2499)),
    offsets=st.lists(
        st.one_of(st.none(), st.integers(0, 2 * 365 * 24 * 3600 * 10**6)), min_size=1, max_size=30
    ),
)
def test_due_many_with_cutoffs_far_past_and_future_equals_due_from(
    path: str,
    *,
    zone: str,
    hours: dict[str, str],
    days: int,
    cutoff: dt.time | None,
    year: int,
    offsets: list[int | None],
) -> None:
    # Unsorted µs instants (missing ones among them) over two years from a year with
    # local mean time (1790, 1890), wartime clocks (1916), the zone's POSIX rule (2038 on).
    cal = calendar(zone, hours)
    target = BusinessDays(days, cutoff)
    start = dt.datetime(year, 1, 1, tzinfo=UTC)
    logged = [None if m is None else start + dt.timedelta(microseconds=m) for m in offsets]
    expected = answers_or_error(target, cal, logged)
    # Row for row: every element missing is an answer even for a target never met.
    assert due_many_or_error(target, cal, logged) == expected


@pytest.mark.parametrize("zone", MORE_ZONES)
@pytest.mark.parametrize("cutoff", [None, dt.time(0, 30), dt.time(9, 7, 30)])
def test_due_many_at_midnights_transitions_and_cutoffs(
    path: str, zone: str, cutoff: dt.time | None
) -> None:
    # Every day start, offset change and cut-off of a year, and a microsecond either side.
    cal = calendar(zone, {"mon-fri": "09:00-17:00", "sat": "00:00-00:30"})
    tz = cal.tz
    moments: list[dt.datetime] = []
    day = dt.date(2026, 7, 1)
    while day < dt.date(2027, 7, 1):
        midnight = day_start(day, tz)
        moments.append(midnight)
        if cutoff is not None:
            moments.append(dt.datetime.combine(day, cutoff, tz).astimezone(UTC))
        noon = dt.datetime.combine(day, dt.time(12), tz)
        if midnight.utcoffset() != noon.utcoffset() or (
            noon.utcoffset() != day_start(day + dt.timedelta(1), tz).utcoffset()
        ):
            # A change of offset that day: every quarter of an hour of it.
            moments.extend(midnight + dt.timedelta(minutes=15 * k) for k in range(100))
        day += dt.timedelta(1)
    one = dt.timedelta(microseconds=1)
    logged: list[dt.datetime | None] = [m + d for m in moments for d in (-one, 0 * one, one)]
    for days in (1, 3):
        target = BusinessDays(days, cutoff)
        assert due_many_or_error(target, cal, logged) == answers_or_error(target, cal, logged)


def test_due_many_with_a_cutoff_moves_day_zero() -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
    friday_4pm = dt.datetime(2026, 11, 20, 16, tzinfo=UTC)
    early = dt.datetime(2026, 11, 20, 14, 59, tzinfo=UTC)
    due = BusinessDays(1, dt.time(15)).due_many(cal, [friday_4pm, early, None])
    assert due[:2] == [
        dt.datetime(2026, 11, 24, 17, tzinfo=UTC),
        dt.datetime(2026, 11, 23, 17, tzinfo=UTC),
    ]
    assert due[2] is None


def test_due_many_day_zero_with_a_cutoff_answers_only_where_due_from_does() -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
    late = [dt.datetime(2026, 11, 20, 16, tzinfo=UTC), dt.datetime(2026, 11, 21, 9, tzinfo=UTC)]
    target = BusinessDays(0, dt.time(15))
    assert due_many_or_error(target, cal, late) == answers_or_error(target, cal, late)
    early = [*late, dt.datetime(2026, 11, 20, 10, tzinfo=UTC)]
    assert due_many_or_error(target, cal, early) is NoBusinessTimeError
    assert answers_or_error(target, cal, early) is NoBusinessTimeError


def test_bucket_tables_are_kept_per_target_and_cutoff() -> None:
    cal = calendar("Asia/Kathmandu", {"mon-fri": "09:00-17:00"})
    logged = np.array(["2026-03-02T04:00", "2026-07-01T12:00"], dtype="datetime64[us]")
    for days, cutoff in ((3, None), (3, dt.time(15)), (5, None), (3, None)):
        BusinessDays(days, cutoff).due_many(cal, logged)
    (table,) = cal._index.day_tables
    assert set(table.buckets) == {(3, None), (3, 15 * 3600 * 10**6), (5, None)}
    # Kathmandu is 5:45 ahead of UTC: buckets of a quarter of an hour.
    assert {each.width for each in table.buckets.values()} == {900 * 10**6}


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Kiritimati", "Pacific/Niue"])
@pytest.mark.parametrize("cutoff", [None, dt.time(15)])
def test_due_many_at_the_end_of_the_datetime_range_answers_or_raises_like_due_from(
    zone: str, cutoff: dt.time | None
) -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone)
    target = BusinessDays(3, cutoff)
    # One batch each: a batch spanning the years 1 to 9999 would walk every date between.
    for near in (dt.datetime(9999, 12, 20, 10, tzinfo=UTC), dt.datetime(1, 1, 3, 10, tzinfo=UTC)):
        assert due_many_or_error(target, cal, [near]) == answers_or_error(target, cal, [near])
    past = [dt.datetime(9999, 12, 24, 10, tzinfo=UTC)]
    with pytest.raises(OutOfRangeError):
        target.due_from(cal, past[0])
    with pytest.raises(OutOfRangeError):
        target.due_many(cal, past)


def test_due_many_on_strided_two_dimensional_and_second_arrays_keeps_their_shape() -> None:
    cal = calendar("Europe/London", {"mon-fri": "09:00-17:00"})
    target = BusinessDays(2, dt.time(12))
    rng = np.random.default_rng(3)
    stamps = np.datetime64("2026-01-01", "us") + rng.integers(0, 365 * 86_400 * 10**6, 60)
    flat = target.due_many(cal, stamps).view("int64")
    strided = stamps[::3]
    assert target.due_many(cal, strided).view("int64").tolist() == flat[::3].tolist()
    square = stamps.reshape(6, 10)
    due = target.due_many(cal, square)
    assert due.shape == (6, 10)
    assert due.view("int64").ravel().tolist() == flat.tolist()
    seconds = stamps.astype("datetime64[s]")
    expected = [as_us(target.due_from(cal, t.item().replace(tzinfo=UTC))) for t in seconds]
    assert target.due_many(cal, seconds).view("int64").tolist() == expected


# --- The ends of the datetime range, row for row ---------------------------------------

MIN_INSTANT = dt.datetime(1, 1, 2, tzinfo=UTC)
MAX_INSTANT = dt.datetime(9999, 12, 30, tzinfo=UTC)
#: West of UTC (New York's local mean time, -4:56:02), east (Kiritimati +14, Tokyo),
#: far west (Niue -11:19:40), none.
EDGE_ZONES = ("America/New_York", "UTC", "Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Niue")


def loop_or_error(
    target: BusinessDays, cal: Calendar, logged: list[dt.datetime | None]
) -> list[int | None] | tuple[type[Exception], str]:
    """Return a loop of ``due_from`` naming each row as ``due_many`` does, or its error.

    Rows too near the ends of the range are refused first, as every batch function does.
    """
    for i, t in enumerate(logged):
        if t is not None and not MIN_INSTANT <= t <= MAX_INSTANT:
            return OutOfRangeError, (
                f"logged_at[{i}] {t.isoformat()} is too near the ends of the range a datetime "
                "can hold (0001-01-02 to 9999-12-30 UTC)"
            )
    answers: list[int | None] = []
    for i, t in enumerate(logged):
        try:
            answers.append(None if t is None else as_us(target._due(cal, t, f"logged_at[{i}]")))
        except SlaclockError as exc:
            return type(exc), str(exc)
    return answers


def many_or_error(
    target: BusinessDays, cal: Calendar, logged: list[dt.datetime | None], *, numpy: bool
) -> list[int | None] | tuple[type[Exception], str]:
    try:
        if numpy:
            stamps = [NAT_US if t is None else as_us(t) for t in logged]
            due = target.due_many(cal, np.array(stamps, dtype="int64").view("datetime64[us]"))
            return [None if v == NAT_US else v for v in due.view("int64").tolist()]
        return [None if t is None else as_us(t) for t in target.due_many(cal, logged)]
    except SlaclockError as exc:
        return type(exc), str(exc)


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Kiritimati"])
@pytest.mark.parametrize("cutoff", [None, dt.time(15)])
@pytest.mark.parametrize(
    ("when", "days"),
    [
        # Year 1: in New York 0001-01-02T03:00Z is still 0001-01-01 (day 0 starts before the
        # range: answered without a cut-off, refused with one before it).
        (dt.datetime(1, 1, 2, 3, tzinfo=UTC), 1),
        (dt.datetime(1, 1, 2, 0, tzinfo=UTC), 3),
        (dt.datetime(1, 1, 2, 23, 59, tzinfo=UTC), 1),
        (dt.datetime(1, 1, 1, 12, tzinfo=UTC), 1),  # within a day of year 1: refused
        (dt.datetime(1, 1, 1, 0, tzinfo=UTC), 1),
        # Year 9999: answered while the due date's end fits, refused after.
        (dt.datetime(9999, 12, 24, 10, tzinfo=UTC), 2),
        (dt.datetime(9999, 12, 28, 20, tzinfo=UTC), 1),
        (dt.datetime(9999, 12, 30, tzinfo=UTC), 1),
        (dt.datetime(9999, 12, 31, 20, tzinfo=UTC), 1),
        (dt.datetime(9990, 1, 1, tzinfo=UTC), 0),  # no 0th business day: the range ends first
        (dt.datetime(9990, 1, 1, tzinfo=UTC), 10**9),
    ],
)
def test_due_many_near_the_ends_of_the_range_answers_or_raises_as_due_from_row_for_row(
    zone: str, cutoff: dt.time | None, when: dt.datetime, days: int
) -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone)
    target = BusinessDays(days, cutoff)
    fine = dt.datetime(2026, 11, 20, 10, tzinfo=UTC)
    for logged in ([when], [fine, None, when, fine]):
        expected = loop_or_error(target, cal, logged)
        assert many_or_error(target, cal, logged, numpy=True) == expected
        assert many_or_error(target, cal, logged, numpy=False) == expected


def test_due_from_refuses_naive_and_out_of_range_instants_with_specific_errors() -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="America/New_York")
    with pytest.raises(NaiveDatetimeError, match="logged_at 2026-11-20T16:00:00 is naive"):
        BusinessDays(1).due_from(cal, dt.datetime(2026, 11, 20, 16))
    # Before: a bare OverflowError ("date value out of range") from the date arithmetic.
    with pytest.raises(OutOfRangeError, match=r"logged_at 0001-01-01T00:00:00\+00:00 is too near"):
        BusinessDays(1).due_from(cal, dt.datetime(1, 1, 1, tzinfo=UTC))
    with pytest.raises(OutOfRangeError, match="logged_at 9999-12-31T20:00:00"):
        BusinessDays(1).due_from(cal, dt.datetime(9999, 12, 31, 20, tzinfo=UTC))
    # Day 0 begins before the range: with a cut-off its open time is unknown.
    year_one = dt.datetime(1, 1, 2, 3, tzinfo=UTC)
    with pytest.raises(OutOfRangeError, match="its local date 0001-01-01 is not wholly within"):
        BusinessDays(1, dt.time(23)).due_from(cal, year_one)
    assert BusinessDays(1).due_from(cal, year_one) == dt.datetime(1, 1, 3, 17, tzinfo=cal.tz)


def test_due_many_names_the_row_of_a_two_dimensional_array() -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
    stamps = np.array(
        [["2026-11-20T10:00", "2026-11-20T10:00"], ["2026-11-20T10:00", "0000-12-31T20:00"]],
        dtype="datetime64[us]",
    )
    with pytest.raises(OutOfRangeError, match=r"logged_at\[1, 1\] 0000-12-31T20:00:00"):
        BusinessDays(1).due_many(cal, stamps)


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(EDGE_ZONES),
    days=st.sampled_from([1, 2, 5, 30, 10**6]),
    cutoff=st.sampled_from([None, dt.time(15), dt.time(0), dt.time(23, 59)]),
    rows=st.lists(
        st.one_of(
            st.none(),
            # Minutes from a day before the range's first instant, or from four days
            # before its last (to 9999-12-31, the last date a datetime holds).
            st.tuples(st.booleans(), st.integers(-1440, 5 * 1440)),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_due_many_at_the_ends_of_the_range_equals_a_loop_of_due_from(
    zone: str,
    days: int,
    cutoff: dt.time | None,
    rows: list[tuple[bool, int] | None],
) -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00", "sat": "00:00-00:30"}, tz=zone)
    target = BusinessDays(days, cutoff)
    logged = [
        None
        if row is None
        else (MIN_INSTANT if row[0] else MAX_INSTANT - dt.timedelta(days=4))
        + dt.timedelta(minutes=row[1])
        for row in rows
    ]
    expected = loop_or_error(target, cal, logged)
    assert many_or_error(target, cal, logged, numpy=True) == expected
    assert many_or_error(target, cal, logged, numpy=False) == expected


def test_a_batch_spanning_millennia_asks_per_date_instead_of_walking_every_date() -> None:
    # Two rows 9,996 years apart: a day table of every date between took over two minutes.
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="America/New_York")
    logged = np.array(["0002-01-05", "9998-01-01", "NaT", "0002-01-05T12:00"], "datetime64[us]")
    target = BusinessDays(3, dt.time(11))
    due = target.due_many(cal, logged).view("int64").tolist()
    expected = [
        as_us(target.due_from(cal, t.item().replace(tzinfo=UTC))) for t in logged[[0, 1, 3]]
    ]
    assert [due[0], due[1], due[3]] == expected
    assert due[2] == NAT_US
    assert cal._index.day_tables == []
    # A target of a billion days: the first row's error, with no table built either.
    with pytest.raises(NoBusinessTimeError, match=r"logged_at\[0\] 0002-01-05T00:00:00\+00:00"):
        BusinessDays(10**9).due_many(cal, logged)
    assert cal._index.day_tables == []


# --- The zone's offsets come from the engine's reading of its transitions ----------------


class OwnZone(ZoneInfo):
    """A ZoneInfo subclass: not the zone its key names, so the engine cannot read its
    transitions (``engine._steady.transitions`` says None) and rows are placed one by one."""


#: Lord Howe (half-hour daylight saving), Apia (skipped 2011-12-30), Chatham (+12:45/+13:45),
#: Dublin (negative daylight saving in winter), fixed offsets, UTC, and the fallback.
TRANSITION_ZONES: tuple[str | ZoneInfo, ...] = (
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Pacific/Chatham",
    "Europe/Dublin",
    "Etc/GMT-14",
    "Etc/GMT+12",
    "UTC",
    OwnZone("Europe/Dublin"),
    OwnZone("Australia/Lord_Howe"),
)


@pytest.mark.parametrize("zone", TRANSITION_ZONES, ids=str)
def test_the_fallback_applies_only_where_the_engine_cannot_read_the_zone(
    zone: str | ZoneInfo,
) -> None:
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone)
    table = _due_many._Days(cal, dt.date(2011, 12, 1), 60)
    table.prepare(_due_many._READ_ROWS)
    fallback = isinstance(zone, OwnZone)
    assert (table.zone_offsets.changes is None) is fallback
    assert (_steady.transitions(cal.tz) is None) is fallback


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(TRANSITION_ZONES),
    hours=st.sampled_from(HOURS),
    days=st.integers(1, 8),
    cutoff=st.sampled_from([None, dt.time(0), dt.time(0, 30), dt.time(15), dt.time(23, 45)]),
    year=st.sampled_from((1880, 1916, 1971, 2011, 2026, 2041, 2390)),
    offsets=st.lists(
        st.one_of(st.none(), st.integers(0, 3 * 365 * 24 * 3600 * 10**6)), min_size=1, max_size=25
    ),
    rows=st.booleans(),
)
def test_due_many_equals_a_loop_of_due_from_on_zones_with_many_transitions(
    *,
    zone: str | ZoneInfo,
    hours: dict[str, str],
    days: int,
    cutoff: dt.time | None,
    year: int,
    offsets: list[int | None],
    rows: bool,
) -> None:
    # Three years from local mean time (1880), wartime clocks (1916), Dublin's winter
    # "summer" time (1971 on), Apia's skipped day (2011), and POSIX rules (2041, 2390).
    cal = Calendar.weekly(hours, tz=zone)
    target = BusinessDays(days, cutoff)
    start = dt.datetime(year, 1, 1, tzinfo=UTC)
    logged = [None if m is None else start + dt.timedelta(microseconds=m) for m in offsets]
    limit, read = _due_many._MAX_BUCKETS, _due_many._READ_ROWS
    try:
        if rows:  # row by row, not through the tables of answers by bucket
            _due_many._MAX_BUCKETS = 0
        _due_many._READ_ROWS = 0  # read the zone's transitions however small the batch
        expected = loop_or_error(target, cal, logged)
        assert many_or_error(target, cal, logged, numpy=True) == expected
        assert many_or_error(target, cal, logged, numpy=False) == expected
    finally:
        _due_many._MAX_BUCKETS, _due_many._READ_ROWS = limit, read


@pytest.mark.parametrize("zone", TRANSITION_ZONES, ids=str)
def test_due_many_around_apias_skipped_day_and_every_change_of_a_year(zone: str | ZoneInfo) -> None:
    cal = Calendar.weekly({"mon-sun": "00:00-00:30,09:00-17:00"}, tz=zone)
    tz = cal.tz
    moments = []
    t = dt.datetime(2011, 6, 1, tzinfo=UTC)
    while t < dt.datetime(2012, 6, 1, tzinfo=UTC):
        before, after = t.astimezone(tz), (t + dt.timedelta(hours=6)).astimezone(tz)
        if before.utcoffset() != after.utcoffset() or before.date() != after.date():
            moments.extend(t + dt.timedelta(minutes=10 * k) for k in range(37))
        t += dt.timedelta(hours=6)
    for target in (BusinessDays(1), BusinessDays(2, dt.time(0, 15))):
        expected = loop_or_error(target, cal, moments)
        assert many_or_error(target, cal, moments, numpy=True) == expected


def test_small_batches_read_the_zone_once_they_placed_as_many_rows_as_a_read_costs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Reading a zone first costs milliseconds (importing zoneinfo's Python reader): small
    # batches place their rows one by one until they placed about as many as a read costs.
    monkeypatch.setattr(_due_many, "_READ_ROWS", 2048)
    monkeypatch.setattr(_steady, "_FOUND", {})
    reads: list[object] = []
    real = _steady._read

    def counted(zone: ZoneInfo) -> object:
        reads.append(zone)
        return real(zone)

    monkeypatch.setattr(_steady, "_read", counted)
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/Dublin")
    target = BusinessDays(2, dt.time(15))
    rng = np.random.default_rng(5)
    stamps = np.datetime64("2026-01-01", "us") + rng.integers(0, 300 * 86_400 * 10**6, 3000)
    small = stamps[:50]
    expected = [as_us(target.due_from(cal, t.item().replace(tzinfo=UTC))) for t in stamps]
    assert target.due_many(cal, small).view("int64").tolist() == expected[:50]
    assert reads == []
    (table,) = cal._index.day_tables
    assert table.zone_offsets.changes is None
    # Small batches again: once as many rows as a read costs were placed, it reads.
    for _ in range(2048 // 50 - 1):  # 40 batches of 50 rows in all
        assert target.due_many(cal, small).view("int64").tolist() == expected[:50]
    assert reads == []
    assert target.due_many(cal, small).view("int64").tolist() == expected[:50]
    assert reads == [cal.tz]
    assert table.zone_offsets.changes is not None
    assert target.due_many(cal, stamps).view("int64").tolist() == expected
    assert reads == [cal.tz]
    assert all(t.zone_offsets.changes is not None for t in cal._index.day_tables)
    assert any(b.due is not None for t in cal._index.day_tables for b in t.buckets.values())
