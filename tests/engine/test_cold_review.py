"""An adversarial review of two cold-start speed-ups, each against the path it skips.

* The week read as integers (``quick_week``, ``WeeklySource.build``'s quick path), its
  templates shifted rather than placed, unions merged by sorted starts and ends, and
  "24x7 minus X" as X's gaps: compared with the general reader (the quick path turned
  off), with a warm index, and with the brute-force reference, in zones with odd
  offsets (Lord Howe's half hour of DST, Chatham's 45 minutes, Kathmandu), negative
  DST (Dublin) and Apia's skipped day.
* The on-disk cache of a ``holidays`` object's years: answers with the cache on equal
  those with it off, for objects differing only in their options, expanded or changed
  before being passed, changed after; files spoiled in every way; writers at once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import threading
from collections import OrderedDict
from pathlib import Path
from types import MappingProxyType
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import RefCalendar, engine_hours
from test_cold_weekly_paths import built as source_parts
from test_template import DAY_US, EPOCH, HOUR_US, MINUTE_US, UTC, us

from slaclock import Calendar
from slaclock.engine import _holiday_cache, _sources
from slaclock.engine._holiday_cache import Attributes, Entry
from slaclock.engine._index import PeriodIndex
from slaclock.engine._sources import _MAX_COMPOSED, CompositeSource
from slaclock.engine._steady import transitions
from slaclock.engine._template import WEEK_US, Template
from slaclock.errors import NoBusinessTimeError, OutOfRangeError

SETTINGS = settings(
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ODD_ZONES = (
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "Europe/Dublin",
    "Pacific/Apia",
    "America/St_Johns",
    "UTC",
)


@pytest.fixture(autouse=True, scope="module")
def _zones_read() -> None:
    """Read the zones' transitions: until then, short questions skip the templates."""
    for name in ODD_ZONES:
        transitions(ZoneInfo(name))


# -- the week read quickly against the general reader ------------------------------------

KEYS = [
    *["mon", "Mon", " mon ", "mon-fri", "Mon-Fri", "sun-tue", "mon,wed", "mon-mon", "sun-sun"],
    *["mon-sun", "tue-mon", "monday", "monday-friday", "mon-friday", "fri-mon", "sat,sun"],
    *["mon-", "-mon", "", "mon-tue-wed", "xyz", "sun-mon", "mon,tue,wed,thu,fri,sat,sun"],
]
TEXTS = [
    *["09:00-17:00", "22:00-06:00", "00:00-24:00", "24:00", "00:00-00:00", "24:00-01:00"],
    *["23:59-00:00", "00:00-23:59", "9:00-17:00", "09:00-17:00,17:00-18:00", "20:00-08:00"],
    *["09:00-12:00,11:00-13:00", "13:00-14:00,09:00-10:00", "closed", "", " 09:00-17:00"],
    *["09:00-24:00", "23:00-24:00", "12:00-12:00", "06:00-13:45,14:00-21:45,22:00-05:45"],
    *["00:00-06:00", "18:00-06:00", "09:60-10:00", "25:00-26:00", "09:00-17:00,"],
    ",".join(f"{h:02d}:00-{h:02d}:30" for h in range(24)),  # 24 shifts
    ",".join(f"{h:02d}:00-{h:02d}:20,{h:02d}:30-{h:02d}:40" for h in range(24)),  # 48
    ",".join(f"{h:02d}:{m:02d}-{h:02d}:{m + 5:02d}" for h in range(24) for m in (0, 20, 40)),
]


def built(hours: Any, holidays: Any = None, overrides: Any = None) -> tuple[object, ...]:
    """Return a calendar's source's parts and the calendar's faces, or the error's type and
    message."""
    parts = source_parts(hours, holidays, overrides)
    if isinstance(parts, tuple) and len(parts) == 2:
        return parts
    assert isinstance(parts, tuple)
    calendar = Calendar.weekly(hours, tz="Europe/London", holidays=holidays, overrides=overrides)
    return (*parts, repr(calendar), calendar.to_dict(), hash(calendar), calendar)


def general(*args: Any) -> tuple[object, ...]:
    with mock.patch.object(_sources, "quick_week", return_value=None):
        return built(*args)


@SETTINGS
@given(
    st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(TEXTS)), max_size=4).map(dict),
    st.sampled_from([None, ["2026-12-25"], []]),
    st.sampled_from([None, {}, [], "", {"2026-12-24": "09:00-13:00"}]),
)
def test_any_hours_build_as_the_general_reader_builds_them(
    hours: dict[str, str], holidays: Any, overrides: Any
) -> None:
    quick = built(hours, holidays, overrides)
    assert quick == general(hours, holidays, overrides)
    if len(quick) > 2:
        calendar = quick[-1]
        assert isinstance(calendar, Calendar)
        assert pickle.loads(pickle.dumps(calendar)) == calendar
        assert Calendar.from_dict(json.loads(json.dumps(calendar.to_dict()))) == calendar


def test_other_mappings_and_weeks_build_as_before() -> None:
    for hours in (
        MappingProxyType({"mon-fri": "09:00-17:00"}),
        OrderedDict({"sun": "22:00-06:00"}),
        {},
        {"mon": "09:00-17:00", "mon-mon": "10:00-11:00"},  # Monday twice
        {"sun": "22:00-06:00", "mon": "05:59-07:00"},  # Sunday's night into Monday's
        {"sun": "22:00-06:00", "mon": "06:00-07:00"},  # touching: allowed
    ):
        assert built(hours) == general(hours)
    week = general({"mon-fri": "09:00-17:00"})[0]
    assert built(week) == general(week)
    assert built({"mon-fri": "09:00-17:00"})[-1] == general(week)[-1]


# -- fresh calendars in odd zones against the brute-force reference ----------------------

REF_WEEKS = [
    {6: [("22:00", "06:00")], 0: [("06:00", "07:00")]},  # Sunday's night touching Monday's
    {6: [("20:00", "08:00")], 5: [("23:00", "05:00")]},
    {day: [("23:30", "00:15")] for day in range(7)},  # every midnight crossed
    {day: [("00:00", "24:00")] for day in range(7)},  # 24x7 as hours
    {0: [("00:00", "24:00")], 6: [("12:00", "24:00")]},
    {0: [("09:00", "17:00")], 2: [("01:45", "02:30"), ("02:30", "03:15")], 4: [("09:00", "17:00")]},
]
# Transitions of the odd zones, and Apia's skipped 2011-12-30.
REF_STARTS = [
    dt.datetime(2011, 12, 29, 8, tzinfo=UTC),
    dt.datetime(2026, 4, 4, 14, 30, tzinfo=UTC),  # Lord Howe back, Chatham back
    dt.datetime(2026, 9, 26, 13, tzinfo=UTC),  # Chatham forward
    dt.datetime(2026, 10, 3, 15, tzinfo=UTC),  # Lord Howe forward
    dt.datetime(2026, 3, 29, 0, 0, tzinfo=UTC),  # Dublin (negative DST in winter)
    dt.datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
    dt.datetime(2026, 6, 15, 0, 0, tzinfo=UTC),
]


@SETTINGS
@given(
    st.sampled_from(REF_WEEKS),
    st.sampled_from(ODD_ZONES),
    st.sampled_from(REF_STARTS),
    st.integers(-48 * 60, 48 * 60),
    st.integers(0, 3 * 24 * 60),
    st.integers(1, 8 * 60),
)
def test_fresh_calendars_in_odd_zones_match_the_reference(  # noqa: PLR0917 - hypothesis passes them by position
    week: dict[int, list[tuple[str, str]]],
    zone: str,
    start: dt.datetime,
    minutes: int,
    span: int,
    amount: int,
) -> None:
    reference = RefCalendar(week, zone)
    a = start + dt.timedelta(minutes=minutes)
    b = a + dt.timedelta(minutes=span)
    fresh = Calendar.weekly(engine_hours(week), tz=zone)
    assert fresh.elapsed(a, b) == reference.elapsed(a, b)
    assert Calendar.weekly(engine_hours(week), tz=zone).elapsed(b, a) == -reference.elapsed(a, b)
    expected = reference.add(a, dt.timedelta(minutes=amount), limit_days=25)
    assert expected is not None
    got = Calendar.weekly(engine_hours(week), tz=zone).add(a, dt.timedelta(minutes=amount))
    assert got - EPOCH == expected - EPOCH
    before = reference.subtract(b, dt.timedelta(minutes=amount), limit_days=25)
    assert before is not None
    got = Calendar.weekly(engine_hours(week), tz=zone).subtract(b, dt.timedelta(minutes=amount))
    assert got - EPOCH == before - EPOCH


def test_always_less_a_desk_elsewhere_matches_the_reference() -> None:
    """24x7 in one zone less a desk in another: the desk's gaps, in its own frame."""
    week = {day: [("09:00", "17:30")] for day in range(5)}
    week[6] = [("22:00", "06:00")]
    for zone in ("Asia/Kathmandu", "Pacific/Chatham", "Australia/Lord_Howe"):
        desk = RefCalendar(week, zone)
        for start in REF_STARTS[1:4]:
            for hours in (-30, -1, 0, 7):
                a = start + dt.timedelta(hours=hours)
                b = a + dt.timedelta(days=2, minutes=17)
                rest = Calendar.always("America/New_York") - Calendar.weekly(
                    engine_hours(week), tz=zone
                )
                assert rest.elapsed(a, b) == (b - a) - desk.elapsed(a, b)


# -- compositions of fresh calendars against a warm index ----------------------------------

HOURS = [
    {"mon-fri": "09:00-17:00"},
    {"sun": "22:00-06:00", "mon": "06:00-07:00"},
    {"sun": "20:00-08:00"},
    {"mon-sun": "00:00-24:00"},
    {"sat-mon": "23:00-01:00"},
    {"fri-mon": "18:00-06:00"},
    {"mon-sun": "23:30-00:15"},
    {"mon,wed,fri": "00:00-00:01,23:59-24:00"},
    {},
]
STARTS = [us(start) for start in REF_STARTS]


@st.composite
def specs(draw: st.DrawFn, depth: int = 2) -> tuple[Any, ...]:
    """Return how to build a calendar: weekly, constant, or a composition of such."""
    if depth and draw(st.integers(0, 2)):
        kind = draw(st.sampled_from(["union", "intersection", "difference"]))
        count = 2 if kind == "difference" else draw(st.integers(2, 3))
        return (kind, [draw(specs(depth - 1)) for _ in range(count)])
    zone = draw(st.sampled_from(ODD_ZONES))
    choice = draw(st.integers(0, 7))
    if choice < 2:
        return ("always" if choice else "never", zone)
    near = st.dates(dt.date(2011, 12, 27), dt.date(2012, 1, 3)) | st.dates(
        dt.date(2026, 3, 25), dt.date(2026, 4, 8)
    )
    return ("weekly", draw(st.sampled_from(HOURS)), zone, draw(st.lists(near, max_size=2)))


def make(spec: tuple[Any, ...]) -> Calendar:
    kind = spec[0]
    if kind in ("always", "never"):
        return Calendar.always(spec[1]) if kind == "always" else Calendar.never(spec[1])
    if kind == "weekly":
        return Calendar.weekly(spec[1], tz=spec[2], holidays=spec[3])
    parts = [make(part) for part in spec[1]]
    if kind == "difference":
        return parts[0] - parts[1]
    return Calendar.union(*parts) if kind == "union" else Calendar.intersection(*parts)


def answers(index: PeriodIndex, a: int, b: int, amount: int) -> list[object]:
    found: list[object] = [index.elapsed(a, b), index.elapsed(b, a)]
    for t, d in ((a, amount), (b, -amount)):
        try:
            found.append(index.add(t, d))
        except (NoBusinessTimeError, OutOfRangeError) as error:
            found.append(type(error))
    return found


@SETTINGS
@given(
    specs(),
    st.sampled_from(STARTS),
    st.integers(-4 * DAY_US // MINUTE_US, 4 * DAY_US // MINUTE_US),
    st.sampled_from([-1, 0, 1]),
    st.integers(0, 40 * DAY_US),
    st.integers(1, 30 * DAY_US),
)
def test_fresh_compositions_in_odd_zones_answer_as_a_warm_index(  # noqa: PLR0917 - hypothesis passes them by position
    spec: tuple[Any, ...], start: int, minutes: int, jitter: int, span: int, amount: int
) -> None:
    """Quick-built operands' shifted templates, composed, against general-built ones'
    index: on whole minutes and a µs either side (where boundaries lie)."""
    a = start + minutes * MINUTE_US + jitter
    calendar = make(spec)
    with mock.patch.object(_sources, "quick_week", return_value=None):
        checked = make(spec)
    assert calendar == checked
    assert hash(calendar) == hash(checked)
    warm = PeriodIndex(checked._source)
    warm._cold_left = 0
    assert answers(PeriodIndex(calendar._source), a, a + span, amount) == answers(
        warm, a, a + span, amount
    )


def test_constant_differences() -> None:
    monday = dt.datetime(2026, 3, 30, tzinfo=UTC)
    week = dt.timedelta(days=7)
    always, never = Calendar.always("Asia/Kathmandu"), Calendar.never("Pacific/Chatham")
    assert (always - Calendar.always("Pacific/Apia")).elapsed(
        monday, monday + week
    ) == dt.timedelta(0)
    assert (always - never).elapsed(monday, monday + week) == week
    assert (never - always).elapsed(monday, monday + week) == dt.timedelta(0)
    with pytest.raises(NoBusinessTimeError):
        (always - Calendar.always("UTC")).add(monday, dt.timedelta(hours=1))


def test_templates_with_equal_hashes_are_not_confused() -> None:
    """Template's hash reads a few numbers only: unequal templates may share it, and a
    composition's cache of composed templates must still tell them apart."""
    first = Template([0, 10 * HOUR_US], [HOUR_US, 12 * HOUR_US])
    second = Template([0, 20 * HOUR_US], [2 * HOUR_US, 21 * HOUR_US])
    assert hash(first) == hash(second)
    assert first != second
    assert Template([0], [DAY_US], shift=DAY_US) != Template([0], [DAY_US])
    assert Template([0], [DAY_US], shift=DAY_US) == Template([0], [DAY_US]).moved(DAY_US)
    assert Template([0], [DAY_US], shift=WEEK_US + 5) == Template([0], [DAY_US], shift=5)
    composite = (
        Calendar.weekly({"mon": "00:00-01:00,10:00-12:00"}, tz="UTC")
        | Calendar.weekly({"tue": "09:00-17:00"}, tz="UTC")
    )._source
    assert isinstance(composite, CompositeSource)
    other = Template([0, 20 * HOUR_US], [2 * HOUR_US, 21 * HOUR_US])
    composite._composed[(other, other)] = Template([], [])  # a stranger with the same hash
    monday = dt.datetime(2026, 3, 30, tzinfo=UTC)
    index = PeriodIndex(composite)
    assert index.elapsed(us(monday), us(monday) + WEEK_US) == 11 * HOUR_US
    assert len(composite._composed) <= _MAX_COMPOSED


# -- the on-disk cache of a holidays object's years ----------------------------------------

YEARS = (1900, 1950, 2011, 2026, 2099, 2100)
OBJECTS = {
    "US": holidays.US,
    "US, California": lambda: holidays.US(subdiv="CA"),
    "US, not observed": lambda: holidays.US(observed=False),
    "US, unofficial": lambda: holidays.US(categories=("public", "unofficial")),
    "US, in Thai": lambda: holidays.US(language="th"),
    "NYSE": holidays.NYSE,
    "XNYS": lambda: holidays.financial_holidays("XNYS"),
    "England": lambda: holidays.GB(subdiv="ENG"),
    "Scotland": lambda: holidays.GB(subdiv="SCT"),
    "Israel": holidays.IL,
    "US + Canada": lambda: holidays.US() + holidays.CA(),
    "US, not expanding": lambda: holidays.US(expand=False),
}


def year_dates(obj: Any) -> dict[int, list[int]]:
    """Return the holidays a desk with ``obj`` keeps, in each of ``YEARS``."""
    desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC", holidays=obj)
    source = desk._source.holidays  # type: ignore[attr-defined]
    return {
        year: source.ordinals(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal())
        for year in YEARS
    }


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SLACLOCK_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("SLACLOCK_CACHE", "on")
    return tmp_path


@pytest.mark.filterwarnings("ignore::UserWarning")  # NYSE's years the package warns of
def test_objects_answer_the_same_with_the_cache_on_or_off(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACLOCK_CACHE", "off")
    expected = {name: year_dates(make()) for name, make in OBJECTS.items()}
    monkeypatch.setenv("SLACLOCK_CACHE", "on")
    for _ in range(2):  # writing the files, then reading them (all side by side)
        assert {name: year_dates(make()) for name, make in OBJECTS.items()} == expected
    assert len(list((cache / "holidays").glob("object-*.json"))) >= len(OBJECTS) - 2


def changed(how: str) -> Any:
    obj = holidays.US()
    if how == "append":
        obj.append({dt.date(2026, 7, 1): "Company day"})
    elif how == "set":
        obj[dt.date(2026, 7, 2)] = "Company day"
    elif how == "pop":
        obj.pop(dt.date(2026, 7, 3))
    elif how == "observed":
        obj.observed = False
    elif how == "hook":
        obj.__dict__["hook"] = lambda: None
    elif how == "date":
        obj.__dict__["since"] = dt.date(2026, 1, 1)
    return obj


@pytest.mark.parametrize("how", ["append", "set", "pop", "observed", "hook", "date"])
def test_objects_changed_before_being_passed(
    cache: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.setenv("SLACLOCK_CACHE", "off")
    expected = year_dates(changed(how))
    monkeypatch.setenv("SLACLOCK_CACHE", "on")
    assert year_dates(holidays.US()) != expected or how in ("hook", "date")
    for _ in range(2):
        assert year_dates(changed(how)) == expected


def test_an_object_changed_after_being_passed_changes_no_calendar(cache: Path) -> None:
    obj = holidays.US()
    first = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC", holidays=obj)
    second = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC", holidays=obj)
    obj[dt.date(2026, 7, 1)] = "Company day"
    obj.pop(dt.date(2026, 12, 25))
    obj.observed = False
    wednesday = dt.datetime(2026, 7, 1, 12, tzinfo=UTC)
    christmas = dt.datetime(2026, 12, 25, 12, tzinfo=UTC)
    for desk in (first, second):
        assert desk.is_open(wednesday)
        assert not desk.is_open(christmas)
    assert first == second
    assert year_dates(holidays.US()) == year_dates(holidays.US())


@pytest.mark.parametrize(
    "spoil",
    [
        lambda path: path.write_text(path.read_text()[:-40]),  # truncated
        lambda path: path.write_text("[]"),  # wrong shape
        lambda path: path.write_text(path.read_text().replace('"format":2', '"format":1')),
        lambda path: path.write_text(path.read_text().replace('"2026":"', '"2026":"x ')),
        lambda path: path.write_text(path.read_text().replace('"2026":"', '"2026":"2026-02-30 ')),
        lambda path: path.write_text(path.read_text().replace('"2026":"', '"2026":"2027-01-01 ')),
        lambda path: path.write_text(path.read_text().replace('"2026":"', '"2026":7,"x":"')),
        lambda path: path.write_bytes(b" " * (_holiday_cache.MAX_BYTES + 1)),
        lambda path: (path.unlink(), path.mkdir()),
    ],
)
def test_a_spoiled_file_never_changes_an_answer(
    cache: Path, monkeypatch: pytest.MonkeyPatch, spoil: Any
) -> None:
    monkeypatch.setenv("SLACLOCK_CACHE", "off")
    expected = year_dates(holidays.US())
    monkeypatch.setenv("SLACLOCK_CACHE", "on")
    assert year_dates(holidays.US()) == expected
    (path,) = (cache / "holidays").glob("object-*.json")
    spoil(path)
    if path.is_file():
        os.chmod(path, 0o600)
    assert year_dates(holidays.US()) == expected
    assert year_dates(holidays.US()) == expected


def test_writers_at_once_leave_one_whole_file(tmp_path: Path) -> None:
    """Two threads saving one entry: each writes its own temporary file, so the file
    renamed into place is one of theirs, never a splice of both."""
    path = str(tmp_path / "holidays" / "object-test.json")
    attributes = Attributes("US", None, None, ("public",))
    written: dict[str, str] = {}
    first_half = threading.Event()
    second_done = threading.Event()
    real_dump = json.dump

    def dump(data: Any, handle: Any, **options: Any) -> None:
        text = json.dumps(data, **options)
        written[threading.current_thread().name] = text
        if threading.current_thread().name == "first":
            handle.write(text[: len(text) // 2])
            handle.flush()
            first_half.set()
            second_done.wait(10)
            handle.write(text[len(text) // 2 :])
        else:
            first_half.wait(10)
            real_dump(data, handle, **options)
            handle.flush()
            second_done.set()

    years = {
        "first": {year: frozenset({dt.date(year, 1, 1)}) for year in range(1900, 1990)},
        "second": {year: frozenset({dt.date(year, 12, 25)}) for year in range(1950, 2100)},
    }

    def save() -> None:
        Entry({"kind": "test"}, path).save(attributes, years[threading.current_thread().name])

    with mock.patch.object(_holiday_cache.json, "dump", dump):
        threads = [threading.Thread(target=save, name=name) for name in years]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert Path(path).read_text() in written.values()
    assert not [name for name in os.listdir(tmp_path / "holidays") if name.endswith(".tmp")]
