"""Placing shifts by integer arithmetic far from transitions gives the day-by-day answer.

``WeeklySource.intervals`` places days far from any transition of the zone with
one UTC offset (``engine/_steady.py``) and the others with datetimes, day by day;
``steady=False`` places every day the exact way. The two must agree for every
zone, span, set of shifts, holidays and overrides, across daylight saving
changes of an hour and of half an hour (Lord Howe), negative DST (Dublin),
whole skipped days (Apia, Kwajalein) and zones that left DST behind.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.resources
import io
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from slaclock import Calendar
from slaclock.engine import _steady
from slaclock.engine._index import CHUNK_BITS, CHUNK_US, PIECE_US
from slaclock.engine._sources import WeeklySource
from slaclock.engine._steady import transitions
from slaclock.errors import ScheduleError

ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Europe/Dublin",
    "Pacific/Apia",
    "Pacific/Kwajalein",
    "America/Sao_Paulo",
    "Africa/Casablanca",
    "Asia/Gaza",
    "America/St_Johns",
    "Asia/Kolkata",
    "Antarctica/Troll",
    "UTC",
)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
US = dt.timedelta(microseconds=1)
DAY_US = 86_400_000_000

times = st.integers(0, 24 * 60 - 1).map(lambda minute: f"{minute // 60:02d}:{minute % 60:02d}")


@st.composite
def shifts(draw: st.DrawFn) -> str:
    """Return one day's shifts: up to three, overnight ones included, never overlapping."""
    minutes = sorted(draw(st.sets(st.integers(0, 24 * 60 - 1), min_size=2, max_size=6)))
    pairs = list(zip(minutes[::2], minutes[1::2], strict=False))
    texts = [f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in pairs]
    if draw(st.booleans()):  # an overnight shift after the last one
        start = minutes[-1] + 1 if len(minutes) % 2 == 0 else minutes[-1]
        if start < 24 * 60:
            end = draw(st.integers(0, min(minutes[0], 60)))
            if end != start:
                texts.append(f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")
    return ",".join(texts)


@st.composite
def sources(draw: st.DrawFn) -> tuple[WeeklySource, int]:
    """Return a weekly source and a random instant (µs) to look around."""
    zone = draw(st.sampled_from(ZONES))
    days = draw(
        st.lists(
            st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
            max_size=7,
            unique=True,
        )
    )
    hours = {day: draw(shifts()) for day in days} or {"mon-fri": "09:00-17:00"}
    year = draw(st.integers(1900, 2100))
    anchor = dt.date(year, 1, 1) + dt.timedelta(days=draw(st.integers(0, 364)))
    nearby = st.integers(-30, 30).map(lambda n: anchor + dt.timedelta(days=n))
    holidays = draw(st.lists(nearby, max_size=4))
    overrides = {
        day: draw(st.sampled_from(["closed", "09:00-13:00", "22:00-02:00"]))
        for day in draw(st.lists(nearby, max_size=3, unique=True))
    }
    try:
        calendar = Calendar.weekly(hours, tz=zone, holidays=holidays, overrides=overrides)
    except ScheduleError:  # an overnight shift running into the next day's first
        reject()
    source = calendar._source
    assert isinstance(source, WeeklySource)
    at = (dt.datetime.combine(anchor, dt.time(), dt.timezone.utc) - EPOCH) // US
    return source, at


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    sources(), st.sampled_from([PIECE_US, 40 * DAY_US, 120 * DAY_US, CHUNK_US]), st.integers(-5, 5)
)
def test_steady_placement_equals_the_day_by_day_path(
    found: tuple[WeeklySource, int], span: int, shift: int
) -> None:
    source, at = found
    transitions(source.zone)  # read, so that short spans use them too
    lo = at + shift * 3_600_000_000 - span // 2
    hi = lo + span
    assert source.intervals(lo, hi) == source.intervals(lo, hi, steady=False)


WEEKS = [
    {"mon-fri": "01:00-01:30,02:00-03:00,23:30-00:45", "sat": "00:50-24:00", "sun": "00:00-23:00"},
    {"mon-sun": "00:00-24:00"},  # every week's first span merges into the last
    {"sun": "22:00-02:00", "mon": "02:00-03:00"},  # a Sunday shift running into Monday's
    {"mon-fri": "06:00-13:45,14:00-21:45,22:00-05:45"},
]


@pytest.mark.parametrize("hours", WEEKS)
@pytest.mark.parametrize("name", ZONES)
def test_whole_chunks_around_every_transition_agree(name: str, hours: dict[str, str]) -> None:
    """Each chunk holding a transition of 1990-2045, placed both ways, with holidays."""
    zone = ZoneInfo(name)
    known = transitions(zone)
    assert known is not None
    holidays = [dt.date(year, 12, 25) for year in range(1990, 2046)]
    overrides = {dt.date(year, 7, 1): "10:00-11:00" for year in range(1990, 2046, 3)}
    calendar = Calendar.weekly(hours, tz=name, holidays=holidays, overrides=overrides)
    source = calendar._source
    assert isinstance(source, WeeklySource)
    first = (dt.datetime(1990, 1, 1, tzinfo=dt.timezone.utc) - EPOCH) // US
    last = (dt.datetime(2045, 1, 1, tzinfo=dt.timezone.utc) - EPOCH) // US
    chunks = sorted(
        {t >> CHUNK_BITS for t in known.times if first <= t < last} | {first >> CHUNK_BITS}
    )
    for number in chunks:
        lo = number << CHUNK_BITS
        assert source.intervals(lo, lo + CHUNK_US) == source.intervals(
            lo, lo + CHUNK_US, steady=False
        )


def test_a_zone_from_a_file_is_placed_day_by_day(tmp_path: object) -> None:
    import zoneinfo

    path = next(
        f"{folder}/Europe/London" for folder in zoneinfo.TZPATH if ZoneInfo("UTC") and folder
    )
    with open(path, "rb") as handle:
        zone = ZoneInfo.from_file(handle, key="Europe/London")
    assert transitions(zone) is None
    assert transitions(ZoneInfo("Europe/London")) is not None


SLIM_ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Europe/Dublin",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "UTC",
)


@pytest.mark.parametrize("name", SLIM_ZONES)
def test_the_rule_after_a_slim_files_transitions_agrees(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A "slim" zone file (the ``tzdata`` package's) lists few transitions, then a rule:
    the rule's transitions, worked out year by year, place like the day-by-day path."""
    pytest.importorskip("tzdata")
    data = importlib.resources.files("tzdata.zoneinfo").joinpath(name).read_bytes()
    pure = importlib.import_module("zoneinfo._zoneinfo").ZoneInfo.from_file(
        io.BytesIO(data), key=name
    )
    zone = ZoneInfo(name)
    slim = _steady.from_python_zone(zone, pure)
    assert slim is not None
    monkeypatch.setitem(_steady._FOUND, name, slim)
    if slim.rule is not None:  # the rule decides from before 2030: the case under test
        assert slim.last is not None
        assert slim.last < (dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc) - EPOCH) // US
        assert slim.steady_run(dt.date(2050, 1, 15).toordinal()) is not None
    calendar = Calendar.weekly(WEEKS[0], tz=name, holidays=[dt.date(2040, 12, 25)])
    source = calendar._source
    assert isinstance(source, WeeklySource)
    first = (dt.datetime(1990, 1, 1, tzinfo=dt.timezone.utc) - EPOCH) // US >> CHUNK_BITS
    last = (dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc) - EPOCH) // US >> CHUNK_BITS
    for number in range(first, last + 1):
        lo = number << CHUNK_BITS
        assert source.intervals(lo, lo + CHUNK_US) == source.intervals(
            lo, lo + CHUNK_US, steady=False
        )
