"""The SLA clock: named cases, properties, a stateful model, threads, errors, serialization."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import pickle
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from slaclock.engine._index import PeriodIndex
from slaclock.engine.calendar import Calendar
from slaclock.engine.clock import Clock, ClockState
from slaclock.errors import ClockError, NaiveDatetimeError, SlaclockError

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.timezone.utc
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)

#: Monday to Friday 09:00-17:00 in London, closed on Christmas and Boxing Day (observed).
DESK = Calendar.weekly(
    {"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=["2026-12-25", "2026-12-28"]
)
#: A night desk in New York with a Saturday morning, across the November DST change.
NIGHTS = Calendar.weekly({"mon-fri": "22:00-06:00", "sat": "10:00-14:00"}, tz="America/New_York")
#: Open all the time, answering in London.
ALWAYS = Calendar.always("Europe/London")


def london(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> dt.datetime:
    """Return a London wall-clock instant (November 2026 unless told)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


# 2026-11-20 is a Friday, 2026-11-23 the Monday after.
FRIDAY_1655 = london(20, 16, 55)


def later(t: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Return ``t + delta`` in real time, in ``t``'s zone.

    Python adds a timedelta to a zoned datetime on the wall clock, which is not
    real time across a DST change (and can even go backwards).
    """
    return (t.astimezone(UTC) + delta).astimezone(t.tzinfo)


def build(calendar: Calendar, events: list[tuple[dt.datetime, str]]) -> Clock:
    """Return the clock reached by applying ``events`` one transition at a time."""
    (first, action), *rest = events
    assert action == "start"
    clock = Clock.start(calendar, first)
    for at, what in rest:
        clock = {"pause": clock.pause, "resume": clock.resume, "stop": clock.stop}[what](at)
    return clock


def running_spans(
    events: list[tuple[dt.datetime, str]], now: dt.datetime | None
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Yield the running spans of an event list, the open one cut at ``now``."""
    since: dt.datetime | None = None
    for at, action in events:
        if action in {"start", "resume"}:
            since = at
        elif since is not None:
            yield since, at
            since = None
    if since is not None and now is not None:
        yield since, max(since, now)


def reference_elapsed(
    calendar: Calendar, events: list[tuple[dt.datetime, str]], now: dt.datetime | None
) -> dt.timedelta:
    """Return the calendar's elapsed time summed over the running spans up to ``now``."""
    total = dt.timedelta(0)
    for start, end in running_spans(events, now):
        if now is not None and start >= now:
            break
        total += calendar.elapsed(start, end if now is None else min(end, now))
    return total


def reference_reached(
    calendar: Calendar,
    events: list[tuple[dt.datetime, str]],
    now: dt.datetime,
    target: dt.timedelta,
) -> dt.datetime | None:
    """Return where the count first reaches ``target`` by ``now``, scanning every span."""
    counted = dt.timedelta(0)
    for start, end in running_spans(events, now):
        if start > now:
            break
        inside = calendar.elapsed(start, min(end, now))
        if counted + inside >= target:
            return calendar.add(start, target - counted)
        counted += inside
    return None


def reference_breached_at(
    calendar: Calendar,
    events: list[tuple[dt.datetime, str]],
    now: dt.datetime,
    target: dt.timedelta,
) -> dt.datetime | None:
    """Return the due instant missed by ``now``: set once the count exceeds ``target``."""
    if reference_elapsed(calendar, events, now) <= target:
        return None
    return reference_reached(calendar, events, now, target)


# -- the Friday call ----------------------------------------------------------


def test_friday_call_is_due_monday_0905() -> None:
    clock = Clock.start(DESK, FRIDAY_1655)
    due = clock.due(10 * MIN)
    assert due == london(23, 9, 5)
    assert due is not None
    assert due.tzinfo == LONDON


@pytest.mark.parametrize(
    ("name", "replied", "remaining", "breached_at"),
    [
        ("reply at 09:04 meets it", london(23, 9, 4), MIN, None),
        ("reply at the due instant meets it", london(23, 9, 5), dt.timedelta(0), None),
        ("reply at Friday 16:59 meets it", london(20, 16, 59), 6 * MIN, None),
        ("reply over the weekend meets it", london(22, 12), 5 * MIN, None),
        (
            "reply a microsecond late breaches",
            london(23, 9, 5) + dt.timedelta(microseconds=1),
            dt.timedelta(microseconds=-1),
            london(23, 9, 5),
        ),
        ("reply at 09:06 breaches", london(23, 9, 6), -MIN, london(23, 9, 5)),
        ("reply next day breaches", london(24, 9, 0), -7 * HOUR - 55 * MIN, london(23, 9, 5)),
    ],
)
def test_friday_call_reply(
    name: str, replied: dt.datetime, remaining: dt.timedelta, breached_at: dt.datetime | None
) -> None:
    target = 10 * MIN
    clock = Clock.start(DESK, FRIDAY_1655)
    stopped = clock.stop(replied)
    assert stopped.state == "stopped"
    assert stopped.remaining(target) == remaining, name
    assert stopped.elapsed() == target - remaining
    assert stopped.breached_at(target) == breached_at
    # The running clock gives the same answers at the reply instant.
    assert clock.remaining(target, replied) == remaining
    assert clock.breached_at(target, replied) == breached_at


# -- closed time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "events", "now", "elapsed", "due_4h"),
    [
        (
            "logged Saturday: counting starts at Monday's opening",
            [(london(21, 10), "start")],
            london(23, 9, 30),
            30 * MIN,
            london(23, 13),
        ),
        (
            "logged at Friday 17:00, the closing instant: closed",
            [(london(20, 17), "start")],
            london(23, 10),
            HOUR,
            london(23, 13),
        ),
        (
            "logged at Monday 09:00, the opening instant: open",
            [(london(23, 9), "start")],
            london(23, 10),
            HOUR,
            london(23, 13),
        ),
        (
            "logged on Christmas Day: counting starts on 29 December",
            [(london(25, 11, month=12), "start")],
            london(29, 9, 30, month=12),
            30 * MIN,
            london(29, 13, month=12),
        ),
        (
            "paused and resumed while closed: nothing changes",
            [(london(20, 16), "start"), (london(21, 10), "pause"), (london(22, 10), "resume")],
            london(23, 10),
            2 * HOUR,
            london(23, 12),
        ),
        (
            "paused while closed, resumed while open: the closed time was never counted",
            [(london(20, 16), "start"), (london(20, 18), "pause"), (london(23, 11), "resume")],
            london(23, 12),
            2 * HOUR,
            london(23, 14),
        ),
        (
            "resumed while closed: counting resumes at the next opening",
            [(london(20, 16), "start"), (london(20, 16, 30), "pause"), (london(21, 12), "resume")],
            london(23, 9, 30),
            HOUR,
            london(23, 12, 30),
        ),
        (
            "paused while open, resumed while open: the gap does not count",
            [(london(23, 9), "start"), (london(23, 10), "pause"), (london(23, 14), "resume")],
            london(23, 15),
            2 * HOUR,
            london(23, 17),
        ),
        (
            "pause and resume at one instant: nothing lost",
            [(london(23, 9), "start"), (london(23, 10), "pause"), (london(23, 10), "resume")],
            london(23, 11),
            2 * HOUR,
            london(23, 13),
        ),
    ],
)
def test_closed_time_rules(
    name: str,
    events: list[tuple[dt.datetime, str]],
    now: dt.datetime,
    elapsed: dt.timedelta,
    due_4h: dt.datetime,
) -> None:
    clock = build(DESK, events)
    assert clock.state == "running", name
    assert clock.elapsed(now) == elapsed, name
    assert clock.due(4 * HOUR) == due_4h, name
    assert clock.elapsed(due_4h) == 4 * HOUR, name


def test_paused_while_closed_changes_nothing() -> None:
    plain = Clock.start(DESK, london(20, 16))
    paused = plain.pause(london(21, 10))
    resumed = paused.resume(london(22, 10))
    assert paused.elapsed() == plain.elapsed(london(21, 10)) == HOUR
    for target in (30 * MIN, HOUR, 2 * HOUR, 9 * HOUR):
        assert resumed.due(target) == plain.due(target)
        assert resumed.elapsed(london(24, 12)) == plain.elapsed(london(24, 12))


def test_daylight_saving_counts_real_time() -> None:
    # London springs forward at 01:00 GMT on 2026-03-29: 00:00 to 03:00 local is 2 hours.
    clock = Clock.start(ALWAYS, london(29, 0, month=3))
    assert clock.elapsed(london(29, 3, month=3)) == 2 * HOUR
    # Paused over the repeated hour in autumn: 01:00 BST to 01:00 GMT is an hour not counted.
    autumn = Clock.start(ALWAYS, london(25, 0, month=10))
    first_one = dt.datetime(2026, 10, 25, 1, tzinfo=LONDON, fold=0)
    second_one = dt.datetime(2026, 10, 25, 1, tzinfo=LONDON, fold=1)
    autumn = autumn.pause(first_one).resume(second_one)
    assert autumn.elapsed(london(25, 3, month=10)) == 3 * HOUR
    assert autumn.due(3 * HOUR) == london(25, 3, month=10)


def test_results_are_in_the_calendar_zone_whatever_the_input_zone() -> None:
    clock = Clock.start(NIGHTS, FRIDAY_1655.astimezone(UTC))
    due = clock.due(HOUR)
    assert due is not None
    assert due.tzinfo == NEW_YORK
    assert clock.started_at.tzinfo == NEW_YORK
    assert clock.started_at == FRIDAY_1655
    # Same instant, different tzinfo: same clock.
    assert Clock.start(NIGHTS, FRIDAY_1655) == clock


# -- pauses, elapsed and due ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "events", "elapsed"),
    [
        ("started and stopped", [(london(23, 9), "start"), (london(23, 12), "stop")], 3 * HOUR),
        (
            "paused time never counts",
            [
                (london(23, 9), "start"),
                (london(23, 10), "pause"),
                (london(23, 15), "resume"),
                (london(23, 16), "stop"),
            ],
            2 * HOUR,
        ),
        (
            "stopped while paused: the pause does not count",
            [(london(23, 9), "start"), (london(23, 10), "pause"), (london(24, 12), "stop")],
            HOUR,
        ),
        (
            "many short pauses",
            [(london(23, 9), "start")]
            + [
                (london(23, 9, minute) + dt.timedelta(seconds=seconds), action)
                for minute in range(1, 59)
                for seconds, action in ((0, "pause"), (30, "resume"))
            ]
            + [(london(23, 10), "stop")],
            31 * MIN,
        ),
        (
            "a pause over the weekend and a holiday",
            [
                (london(24, 16, month=12), "start"),
                (london(24, 16, 30, month=12), "pause"),
                (london(30, 8, month=12), "resume"),
                (london(30, 10, month=12), "stop"),
            ],
            HOUR + 30 * MIN,
        ),
    ],
)
def test_paused_time_never_counts(
    name: str, events: list[tuple[dt.datetime, str]], elapsed: dt.timedelta
) -> None:
    clock = build(DESK, events)
    assert clock.elapsed() == elapsed, name
    assert clock.elapsed() == reference_elapsed(DESK, events, None), name
    assert Clock.replay(DESK, events) == clock


def test_paused_clock_has_no_due_and_a_fixed_elapsed() -> None:
    paused = Clock.start(DESK, london(23, 9)).pause(london(23, 10))
    assert paused.state == "paused"
    assert paused.due(4 * HOUR) is None
    assert paused.elapsed() == HOUR
    assert paused.elapsed(london(30, 12)) == HOUR
    assert paused.remaining(4 * HOUR) == 3 * HOUR
    assert paused.remaining(4 * HOUR, london(30, 12)) == 3 * HOUR


def test_due_is_calendar_add_from_last_resume_with_the_remaining_time() -> None:
    clock = (
        Clock.start(DESK, london(20, 16))
        .pause(london(20, 16, 20))
        .resume(london(23, 11, 7))
        .pause(london(23, 12))
        .resume(london(23, 13, 30))
    )
    counted = clock.elapsed(london(23, 13, 30))
    assert counted == 20 * MIN + 53 * MIN
    for target in (2 * HOUR, 8 * HOUR, 40 * HOUR):
        assert clock.due(target) == DESK.add(london(23, 13, 30), target - counted)


def test_due_stays_fixed_after_the_breach_however_often_paused() -> None:
    target = 2 * HOUR
    clock = Clock.start(DESK, london(23, 9))
    due = clock.due(target)
    assert due == london(23, 11)
    assert clock.breached_at(target, london(23, 11)) is None
    assert clock.breached_at(target, london(23, 11, 1)) == due
    t = london(23, 11, 30)
    for _ in range(5):
        clock = clock.pause(t).resume(t + 10 * MIN)
        t += HOUR
        assert clock.due(target) == due
        assert clock.breached_at(target, t) == due
    paused = clock.pause(t)
    assert paused.due(target) == due
    assert paused.breached_at(target) == due
    assert paused.stop(t + HOUR).due(target) == due
    assert paused.stop(t + HOUR).breached_at(target) == due


def test_reaching_the_target_exactly_at_a_pause_is_not_a_breach() -> None:
    target = HOUR
    paused = Clock.start(DESK, london(23, 9)).pause(london(23, 10))
    assert paused.remaining(target) == dt.timedelta(0)
    assert paused.breached_at(target) is None
    assert paused.due(target) == london(23, 10)  # reached, so known and fixed
    resumed = paused.resume(london(23, 11))
    assert resumed.due(target) == london(23, 10)
    assert resumed.breached_at(target, london(23, 11)) is None
    assert resumed.breached_at(target, london(23, 11, 1)) == london(23, 10)


def test_breached_at_finds_the_span_where_the_target_was_reached() -> None:
    events: list[tuple[dt.datetime, str]] = [(london(23, 9), "start")]
    t = london(23, 9)
    for _ in range(30):  # 30 spans of 10 counted minutes, each followed by a 5-minute pause
        t += 10 * MIN
        events.append((t, "pause"))
        t += 5 * MIN
        events.append((t, "resume"))
    clock = Clock.replay(DESK, events).stop(t)
    for minutes in (0, 1, 10, 11, 99, 100, 101, 299, 300, 301):
        target = minutes * MIN
        assert clock.breached_at(target) == reference_breached_at(DESK, events, t, target)
        assert clock.due(target) == reference_reached(DESK, events, t, target)
    # 10 minutes are reached at the end of the first span, not after the first pause.
    assert clock.due(10 * MIN) == london(23, 9, 10)
    assert clock.breached_at(10 * MIN) == london(23, 9, 10)
    # The last span ends exactly on 300 minutes: reached, not breached.
    assert t == london(23, 16, 30)
    assert clock.due(300 * MIN) == t - 5 * MIN
    assert clock.breached_at(300 * MIN) is None
    assert clock.due(301 * MIN) is None


def test_zero_target_is_breached_once_anything_counts() -> None:
    clock = Clock.start(DESK, london(21, 12))  # Saturday
    assert clock.due(dt.timedelta(0)) == london(21, 12)
    assert clock.breached_at(dt.timedelta(0), london(23, 9)) is None
    assert clock.breached_at(dt.timedelta(0), london(23, 9, 1)) == london(21, 12)


def test_elapsed_before_the_last_event_is_answered_from_history() -> None:
    events = [
        (london(23, 9), "start"),
        (london(23, 10), "pause"),
        (london(23, 12), "resume"),
        (london(23, 13), "pause"),
        (london(23, 16), "resume"),
    ]
    clock = Clock.replay(DESK, events)
    for hour in range(9, 18):
        for minute in (0, 30):
            now = london(23, hour, minute)
            assert clock.elapsed(now) == reference_elapsed(DESK, events, now)
    with pytest.raises(ClockError, match="before the clock started"):
        clock.elapsed(london(23, 8, 59))


@given(
    st.lists(st.integers(min_value=0, max_value=4 * 24 * 60), min_size=2, max_size=12),
    st.lists(st.integers(min_value=0, max_value=8 * 24 * 60), min_size=2, max_size=8),
)
@settings(max_examples=60, deadline=None)
def test_elapsed_never_decreases_and_sums_the_running_spans(
    gaps: list[int], probes: list[int]
) -> None:
    start = london(19, 13, 17)
    events: list[tuple[dt.datetime, str]] = [(start, "start")]
    t = start
    for number, gap in enumerate(gaps):
        t += gap * MIN
        events.append((t, "pause" if number % 2 == 0 else "resume"))
    clock = Clock.replay(DESK, events)
    previous = dt.timedelta(0)
    for probe in sorted(probes):
        now = start + probe * MIN
        value = clock.elapsed(now)
        assert value >= previous
        assert value == reference_elapsed(DESK, events, now)
        previous = value


def test_each_query_costs_the_same_calendar_calls_whatever_the_pauses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real_elapsed, real_add = PeriodIndex.elapsed, PeriodIndex.add

    def elapsed(self: PeriodIndex, a: int, b: int) -> int:
        calls.append("elapsed")
        return real_elapsed(self, a, b)

    def add(self: PeriodIndex, t: int, d: int) -> int:
        calls.append("add")
        return real_add(self, t, d)

    def clock_with(pauses: int) -> Clock:
        events: list[tuple[dt.datetime, str]] = [(london(2, 9, month=11), "start")]
        t = london(2, 9, month=11)
        for _ in range(pauses):
            t += MIN
            events.append((t, "pause"))
            t += MIN
            events.append((t, "resume"))
        return Clock.replay(ALWAYS, events)

    few, many = clock_with(2), clock_with(2000)
    monkeypatch.setattr(PeriodIndex, "elapsed", elapsed)
    monkeypatch.setattr(PeriodIndex, "add", add)
    counts = []
    for clock in (few, many):
        calls.clear()
        now = clock.last_event_at + HOUR
        clock.elapsed(now)
        clock.remaining(100 * HOUR, now)
        clock.due(100 * HOUR)
        counts.append(list(calls))
    assert counts[0] == counts[1] == ["elapsed", "elapsed", "add"]


# -- values, threads, sharing ---------------------------------------------------


def test_state_compares_equal_to_strings() -> None:
    clock = Clock.start(DESK, FRIDAY_1655)
    assert clock.state == "running"
    assert clock.state is ClockState.RUNNING
    assert clock.pause(london(23, 10)).state == "paused"
    assert clock.stop(london(23, 10)).state == ClockState.STOPPED
    assert str(ClockState.PAUSED) == "paused"
    assert {state.value for state in ClockState} == {"running", "paused", "stopped"}


def test_clocks_are_immutable_hashable_values() -> None:
    clock = Clock.start(DESK, FRIDAY_1655)
    paused = clock.pause(london(23, 10))
    assert clock.state == "running"  # the original is unchanged
    assert clock == Clock.start(DESK, FRIDAY_1655)
    assert hash(clock) == hash(Clock.start(DESK, FRIDAY_1655))
    assert len({clock, paused, Clock.start(DESK, FRIDAY_1655)}) == 2
    assert clock != paused
    for name in ("_state", "_total", "foo"):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(clock, name, 0)
        with pytest.raises(AttributeError, match="immutable"):
            delattr(clock, name)
    with pytest.raises(TypeError, match=r"Clock\.start"):
        Clock()
    assert copy.copy(paused) is paused
    assert copy.deepcopy(paused) is paused


def test_clocks_over_one_calendar_share_nothing_mutable() -> None:
    base = Clock.start(DESK, london(23, 9)).pause(london(23, 10))
    a = base.resume(london(23, 11)).pause(london(23, 12))
    b = base.resume(london(23, 13))
    assert base.elapsed() == HOUR
    assert a.elapsed() == 2 * HOUR
    assert b.elapsed(london(23, 14)) == 2 * HOUR
    assert base.events == ((london(23, 9), "start"), (london(23, 10), "pause"))
    for clock in (base, a, b):
        for name in Clock.__slots__:
            value = getattr(clock, name)
            assert isinstance(value, (int, tuple, ClockState, Calendar)), name
            if isinstance(value, tuple):
                assert all(type(item) is int for item in value), name
    with pytest.raises(AttributeError):
        setattr(DESK, "_zone", UTC)  # noqa: B010 - the point is that it is refused


def test_one_clock_from_many_threads() -> None:
    # A fresh calendar, so the threads also race to build its period index.
    calendar = Calendar.weekly(
        {"mon-fri": "08:00-12:00,13:00-18:00", "sat": "09:00-13:00"},
        tz="Europe/Paris",
        holidays=["2026-12-25", "2027-01-01", "2030-05-01"],
    )
    events: list[tuple[dt.datetime, str]] = [(london(2, 10), "start")]
    t = london(2, 10)
    for _ in range(300):
        t = later(t, 7 * HOUR + 13 * MIN)
        events.append((t, "pause"))
        t = later(t, 19 * HOUR + 2 * MIN)
        events.append((t, "resume"))
    clock = Clock.replay(calendar, events)
    probes = [t + day * dt.timedelta(days=37) for day in range(40)]
    targets = [hours * HOUR for hours in (1, 100, 900, 3000)]

    def answers(clock: Clock) -> list[object]:
        out: list[object] = []
        for now in probes:
            out += [clock.elapsed(now), clock.remaining(targets[0], now)]
        for target in targets:
            out += [clock.due(target), clock.breached_at(target, probes[-1])]
        out.append(clock.to_json())
        return out

    barrier = threading.Barrier(8)

    def work(_: int) -> list[object]:
        barrier.wait()
        return answers(clock)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(16)))
    fresh = Calendar.from_dict(calendar.to_dict())
    expected = answers(Clock.replay(fresh, events))
    assert all(result == expected for result in results)


def test_many_clocks_over_one_calendar_from_many_threads() -> None:
    calendar = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")

    def life(number: int) -> tuple[dt.timedelta, dt.datetime | None, str]:
        start = london(2, 9) + number * 37 * MIN
        clock = Clock.start(calendar, start)
        for step in range(50):
            at = start + step * 3 * HOUR
            clock = clock.pause(at + HOUR).resume(at + 2 * HOUR)
        stopped = clock.stop(start + 200 * HOUR)
        return stopped.elapsed(), stopped.breached_at(40 * HOUR), stopped.to_json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(life, range(64)))
    assert together == [life(number) for number in range(64)]


# -- serialization ----------------------------------------------------------------


def test_serialized_form() -> None:
    clock = Clock.start(DESK, FRIDAY_1655).pause(london(23, 9, 4)).resume(london(23, 10))
    data = clock.to_dict()
    assert data == {
        "version": 1,
        "calendar": DESK.to_dict(),
        "state": "running",
        "started_at": "2026-11-20T16:55:00+00:00",
        "last_event_at": "2026-11-23T10:00:00+00:00",
        "elapsed_us": 540_000_000,
        "spans": [["2026-11-20T16:55:00+00:00", "2026-11-23T09:04:00+00:00", 540_000_000]],
    }
    assert json.loads(clock.to_json()) == data


@pytest.mark.parametrize(
    "clock",
    [
        Clock.start(DESK, FRIDAY_1655),
        Clock.start(DESK, FRIDAY_1655).pause(london(23, 9, 4)),
        Clock.start(DESK, FRIDAY_1655).pause(london(23, 9, 4)).resume(london(23, 10)),
        Clock.start(DESK, FRIDAY_1655).stop(london(23, 9, 4)),
        Clock.start(DESK, FRIDAY_1655).pause(london(23, 9, 4)).stop(london(24, 9)),
        Clock.start(NIGHTS, dt.datetime(2026, 11, 1, 1, 30, 0, 123457, tzinfo=NEW_YORK, fold=1))
        .pause(dt.datetime(2026, 11, 3, 23, 0, 0, 1, tzinfo=NEW_YORK))
        .resume(dt.datetime(2026, 11, 3, 23, 0, 0, 1, tzinfo=NEW_YORK)),
        Clock.start(ALWAYS, london(29, 0, month=3)).pause(london(29, 3, month=3)),
    ],
    ids=["running", "paused", "resumed", "stopped", "stopped-while-paused", "dst-µs", "always"],
)
def test_round_trips_are_exact(clock: Clock) -> None:
    assert Clock.from_json(clock.to_json()) == clock
    assert Clock.from_json(clock.to_json()) == clock
    assert Clock.from_dict(json.loads(json.dumps(clock.to_dict()))) == clock
    assert pickle.loads(pickle.dumps(clock)) == clock
    assert Clock.replay(clock.calendar, clock.events) == clock
    assert Clock.from_json(clock.to_json()).to_json() == clock.to_json()


def test_round_trip_keeps_package_holidays() -> None:
    holidays = pytest.importorskip("holidays")
    calendar = Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="Europe/London",
        holidays=holidays.country_holidays("GB", subdiv="ENG"),
    )
    clock = Clock.start(calendar, london(24, 16, month=12)).pause(london(29, 10, month=12))
    back = Clock.from_json(clock.to_json())
    assert back == clock
    assert back.elapsed() == 2 * HOUR  # 24 Dec 16:00-17:00, then 29 Dec 09:00-10:00


@pytest.mark.parametrize(
    ("name", "events", "pauses"),
    [
        ("running", [(london(23, 9), "start")], 0),
        ("paused", [(london(23, 9), "start"), (london(23, 10), "pause")], 1),
        (
            "resumed",
            [(london(23, 9), "start"), (london(23, 10), "pause"), (london(23, 11), "resume")],
            1,
        ),
        ("stopped while running", [(london(23, 9), "start"), (london(23, 10), "stop")], 0),
        (
            "stopped while paused",
            [(london(23, 9), "start"), (london(23, 10), "pause"), (london(23, 12), "stop")],
            1,
        ),
        (
            "all at one instant",
            [(london(23, 9), "start"), (london(23, 9), "pause"), (london(23, 9), "resume")],
            1,
        ),
    ],
)
def test_events_read_back_as_given(
    name: str, events: list[tuple[dt.datetime, str]], pauses: int
) -> None:
    clock = Clock.replay(DESK, events)
    assert list(clock.events) == events, name
    assert clock.pauses == pauses, name
    assert all(at.tzinfo == LONDON for at, _ in clock.events)


def test_events_fold_a_pause_and_stop_at_one_instant_into_the_stop() -> None:
    clock = Clock.start(DESK, london(23, 9)).pause(london(23, 10)).stop(london(23, 10))
    assert clock.events == ((london(23, 9), "start"), (london(23, 10), "stop"))
    assert clock == Clock.start(DESK, london(23, 9)).stop(london(23, 10))


def _running() -> dict[str, Any]:
    return Clock.start(DESK, FRIDAY_1655).pause(london(23, 9, 4)).resume(london(23, 10)).to_dict()


def _tamper(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    data = _running()
    change(data)
    return data


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("negative elapsed", _tamper(lambda d: d.update(elapsed_us=-1)), "negative"),
        ("unknown state", _tamper(lambda d: d.update(state="ticking")), "unknown state"),
        ("state not a string", _tamper(lambda d: d.update(state=["running"])), "unknown state"),
        ("elapsed as float", _tamper(lambda d: d.update(elapsed_us=540e6)), "whole microseconds"),
        ("elapsed as bool", _tamper(lambda d: d.update(elapsed_us=True)), "whole microseconds"),
        ("elapsed disagrees", _tamper(lambda d: d.update(elapsed_us=1)), "spans count"),
        ("span negative", _tamper(lambda d: d["spans"][0].__setitem__(2, -5)), "negative"),
        (
            "span counts a microsecond more than real time",
            _tamper(
                lambda d: (
                    d["spans"][0].__setitem__(2, 230_940_000_001),
                    d.update(elapsed_us=230_940_000_001),
                )
            ),
            "real time",
        ),
        (
            "span counts more than real time",
            _tamper(lambda d: (d["spans"][0].__setitem__(2, 10**12), d.update(elapsed_us=10**12))),
            "real time",
        ),
        (
            "span backwards",
            _tamper(lambda d: d["spans"][0].__setitem__(1, "2026-11-20T16:00:00+00:00")),
            "out of time order",
        ),
        (
            "first span not at the start",
            _tamper(lambda d: d["spans"][0].__setitem__(0, "2026-11-20T16:56:00+00:00")),
            "not when the clock started",
        ),
        ("span malformed", _tamper(lambda d: d["spans"].append(["x"])), r"\[start, end"),
        ("spans not a list", _tamper(lambda d: d.update(spans={})), "spans must be a list"),
        (
            "naive instant",
            _tamper(lambda d: d.update(last_event_at="2026-11-23T10:00:00")),
            "no UTC offset",
        ),
        (
            "not an instant",
            _tamper(lambda d: d.update(started_at="Friday")),
            "not an ISO 8601 instant",
        ),
        (
            "last event before the spans end",
            _tamper(lambda d: d.update(last_event_at="2026-11-23T09:00:00+00:00")),
            "before its spans end",
        ),
        (
            "paused but last event is not a span end",
            _tamper(lambda d: d.update(state="paused")),
            "paused clock",
        ),
        (
            "stopped without spans",
            _tamper(lambda d: d.update(state="stopped", spans=[], elapsed_us=0)),
            "stopped clock",
        ),
        (
            "running, never paused, last event after start",
            _tamper(lambda d: d.update(spans=[], elapsed_us=0)),
            "never paused",
        ),
        ("unknown key", _tamper(lambda d: d.update(breach="yes")), "unknown keys"),
        ("missing key", _tamper(lambda d: d.pop("spans")), "missing keys"),
        ("wrong version", _tamper(lambda d: d.update(version=2)), "version"),
        ("version as bool", _tamper(lambda d: d.update(version=True)), "version"),
        ("bad calendar", _tamper(lambda d: d.update(calendar={"tz": "Mars/Olympus"})), "calendar"),
        ("not a mapping", [1, 2], "mapping"),
    ],
)
def test_tampered_data_is_refused(name: str, data: Any, message: str) -> None:
    with pytest.raises(ClockError, match=message):
        Clock.from_dict(data)
    with pytest.raises(ClockError, match=message):
        Clock.from_json(json.dumps(data))


def test_malformed_json_is_refused() -> None:
    with pytest.raises(ClockError, match="malformed"):
        Clock.from_json("{not json")
    with pytest.raises(ClockError, match="malformed"):
        Clock.from_json(b"")


# -- bad events -------------------------------------------------------------------

RUNNING = Clock.start(DESK, london(23, 9)).pause(london(23, 10)).resume(london(23, 11))
PAUSED = RUNNING.pause(london(23, 12))
STOPPED = RUNNING.stop(london(23, 12))


@dataclasses.dataclass(frozen=True)
class BadEvent:
    name: str
    clock: Clock
    action: str
    at: object
    error: type[Exception]
    words: tuple[str, ...]


BAD_EVENTS = [
    BadEvent(
        "pause before the last event",
        RUNNING,
        "pause",
        london(23, 10, 30),
        ClockError,
        (
            "cannot pause at 2026-11-23T10:30:00+00:00",
            "before its last event",
            "running",
            "resume at 2026-11-23T11:00:00+00:00",
        ),
    ),
    BadEvent(
        "resume before the last event",
        PAUSED,
        "resume",
        london(23, 11),
        ClockError,
        ("cannot resume", "before its last event", "paused"),
    ),
    BadEvent(
        "stop before the last event",
        RUNNING,
        "stop",
        london(23, 9),
        ClockError,
        ("cannot stop", "before its last event", "running"),
    ),
    BadEvent(
        "pause while paused",
        PAUSED,
        "pause",
        london(23, 13),
        ClockError,
        (
            "cannot pause",
            "already paused",
            "the clock is paused",
            "pause at 2026-11-23T12:00:00+00:00",
        ),
    ),
    BadEvent(
        "resume while running",
        RUNNING,
        "resume",
        london(23, 13),
        ClockError,
        ("cannot resume", "running, not paused", "the clock is running"),
    ),
    BadEvent(
        "pause after stop",
        STOPPED,
        "pause",
        london(23, 13),
        ClockError,
        ("cannot pause", "stopped clock takes no more events", "the clock is stopped"),
    ),
    BadEvent(
        "resume after stop",
        STOPPED,
        "resume",
        london(23, 13),
        ClockError,
        ("cannot resume", "stopped clock", "stop at 2026-11-23T12:00:00+00:00"),
    ),
    BadEvent(
        "stop after stop",
        STOPPED,
        "stop",
        london(23, 13),
        ClockError,
        ("cannot stop", "stopped clock", "the clock is stopped"),
    ),
    BadEvent(
        "anything after stop, even back in time",
        STOPPED,
        "pause",
        london(23, 9),
        ClockError,
        ("cannot pause", "stopped clock"),
    ),
    BadEvent(
        "start again",
        RUNNING,
        "start",
        london(23, 13),
        ClockError,
        ("cannot start", "already started", "running"),
    ),
    BadEvent(
        "unknown action",
        PAUSED,
        "snooze",
        london(23, 13),
        ClockError,
        ("cannot snooze", "unknown action 'snooze'", "paused"),
    ),
    BadEvent(
        "naive pause",
        RUNNING,
        "pause",
        dt.datetime(2026, 11, 23, 13),
        NaiveDatetimeError,
        ("cannot pause", "naive", "the clock is running"),
    ),
    BadEvent(
        "naive resume",
        PAUSED,
        "resume",
        dt.datetime(2026, 11, 23, 13),
        NaiveDatetimeError,
        ("cannot resume", "naive", "the clock is paused"),
    ),
    BadEvent(
        "naive stop",
        RUNNING,
        "stop",
        dt.datetime(2026, 11, 23, 13),
        NaiveDatetimeError,
        ("cannot stop", "naive", "the clock is running"),
    ),
]


@pytest.mark.parametrize("bad", BAD_EVENTS, ids=[bad.name for bad in BAD_EVENTS])
def test_bad_events_raise_and_leave_the_clock_unchanged(bad: BadEvent) -> None:
    before = bad.clock.to_json()
    copy_before = Clock.from_json(before)
    with pytest.raises(bad.error) as caught:
        bad.clock.apply(bad.action, bad.at)  # type: ignore[arg-type]
    assert isinstance(caught.value, SlaclockError)
    assert isinstance(caught.value, ValueError)
    for word in bad.words:
        assert word in str(caught.value), (word, str(caught.value))
    assert bad.clock.to_json() == before
    assert bad.clock == copy_before
    if bad.action in {"pause", "resume", "stop"}:
        with pytest.raises(bad.error):
            getattr(bad.clock, bad.action)(bad.at)
        assert bad.clock == copy_before


def test_naive_start_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"cannot start: start instant .* is naive"):
        Clock.start(DESK, dt.datetime(2026, 11, 23, 9))
    with pytest.raises(TypeError, match="Calendar"):
        Clock.start("09:00-17:00", london(23, 9))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "query", "error", "message"),
    [
        ("running clock needs now", RUNNING.elapsed, ClockError, "needs `now`"),
        (
            "running clock needs now for remaining",
            lambda: RUNNING.remaining(HOUR),
            ClockError,
            "remaining: a running clock needs `now`; the clock is running",
        ),
        ("breached_at needs now", lambda: RUNNING.breached_at(HOUR), ClockError, "needs `now`"),
        (
            "now before the start",
            lambda: STOPPED.elapsed(london(22, 9)),
            ClockError,
            "before the clock started",
        ),
        (
            "naive now",
            lambda: RUNNING.elapsed(dt.datetime(2026, 11, 23, 13)),
            NaiveDatetimeError,
            "naive",
        ),
        ("negative target", lambda: RUNNING.due(-HOUR), ClockError, "negative"),
        ("target not a timedelta", lambda: RUNNING.due(3600), TypeError, "timedelta"),  # type: ignore[arg-type]
    ],
)
def test_bad_queries(
    name: str, query: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        query()


@pytest.mark.parametrize(
    ("name", "events", "message"),
    [
        ("empty", [], "empty"),
        ("first is not start", [(london(23, 9), "pause")], "first event must be 'start'"),
        (
            "back in time",
            [(london(23, 9), "start"), (london(23, 10), "pause"), (london(23, 9, 30), "resume")],
            re.escape("replay event #3: cannot resume at 2026-11-23T09:30:00+00:00"),
        ),
        (
            "two starts",
            [(london(23, 9), "start"), (london(23, 10), "start")],
            "replay event #2: cannot start",
        ),
        ("not a pair", [(london(23, 9), "start"), "pause"], "#2 'pause' is not an"),
        ("naive", [(dt.datetime(2026, 11, 23, 9), "start")], "replay event #1: cannot start"),
    ],
)
def test_bad_replays(name: str, events: list[Any], message: str) -> None:
    with pytest.raises((ClockError, NaiveDatetimeError), match=message):
        Clock.replay(DESK, events)


def test_repr_names_state_and_last_event() -> None:
    text = repr(PAUSED)
    assert "paused" in text
    assert "pause at 2026-11-23T12:00:00+00:00" in text
    assert "2 pause(s)" in text


# -- the stateful model -------------------------------------------------------------

CALENDARS = (DESK, NIGHTS, ALWAYS)
TARGETS = tuple(minutes * MIN for minutes in (0, 1, 10, 60, 240, 480, 2400))
#: Starts around the October and November 2026 DST changes, before a holiday.
FIRST_START = dt.datetime(2026, 10, 22, 7, 0, tzinfo=UTC)

step_gaps = st.one_of(
    st.just(dt.timedelta(0)),
    st.integers(min_value=1, max_value=3 * 24 * 60).map(lambda m: m * MIN),
    st.integers(min_value=1, max_value=10**8).map(lambda us: dt.timedelta(microseconds=us)),
)
actions = st.sampled_from(("pause", "resume", "stop"))


class ClockMachine(RuleBasedStateMachine):
    """Drive a Clock and a list-of-events model side by side; they must always agree."""

    def __init__(self) -> None:
        super().__init__()
        self.calendar = DESK
        self.events: list[tuple[dt.datetime, str]] = []
        self.clock = Clock.start(DESK, FIRST_START)
        self.state = "running"
        #: The due instant of each target once the count has reached it: it must never move.
        self.reached: dict[dt.timedelta, dt.datetime] = {}

    @property
    def last(self) -> dt.datetime:
        return self.events[-1][0]

    @initialize(
        calendar=st.sampled_from(CALENDARS),
        offset=st.integers(min_value=0, max_value=60 * 24 * 60),
        zone=st.sampled_from((UTC, LONDON, NEW_YORK)),
    )
    def start(self, calendar: Calendar, offset: int, zone: dt.tzinfo) -> None:
        logged_at = (FIRST_START + offset * MIN).astimezone(zone)
        self.calendar = calendar
        self.clock = Clock.start(calendar, logged_at)
        self.events = [(logged_at, "start")]

    def expected_ok(self, action: str) -> bool:
        return (self.state, action) in {
            ("running", "pause"),
            ("running", "stop"),
            ("paused", "resume"),
            ("paused", "stop"),
        }

    @rule(action=actions, gap=step_gaps)
    def event(self, action: str, gap: dt.timedelta) -> None:
        at = later(self.last, gap)
        before = self.clock
        if not self.expected_ok(action):
            with pytest.raises(ClockError, match=f"cannot {action} .* the clock is {self.state}"):
                self.clock.apply(action, at)
            assert self.clock == before
            return
        self.clock = self.clock.apply(action, at)
        assert before.state == self.state  # the old value did not move
        self.events.append((at, action))
        self.state = {"pause": "paused", "resume": "running", "stop": "stopped"}[action]

    @precondition(lambda self: self.events[-1][0] > self.events[0][0])
    @rule(action=actions, back=st.integers(min_value=1, max_value=10**9))
    def event_back_in_time(self, action: str, back: int) -> None:
        at = later(self.last, -dt.timedelta(microseconds=back))
        before = self.clock.to_json()
        with pytest.raises(ClockError, match=f"cannot {action} at .* the clock is {self.state}"):
            self.clock.apply(action, at)
        assert self.clock.to_json() == before

    @rule(ahead=st.integers(min_value=0, max_value=10 * 24 * 60), goal=st.sampled_from(TARGETS))
    def query_now(self, ahead: int, goal: dt.timedelta) -> None:
        target = goal
        now = later(self.last, ahead * MIN)
        expected = reference_elapsed(self.calendar, self.events, now)
        if self.state == "stopped":
            expected = reference_elapsed(self.calendar, self.events, None)
        assert self.clock.elapsed(now) == expected
        assert self.clock.remaining(target, now) == target - expected
        cut = self.last if self.state == "stopped" else now
        breach = reference_breached_at(self.calendar, self.events, cut, target)
        assert self.clock.breached_at(target, now) == breach
        if breach is not None:
            # The missed due instant is the one ``due`` gives; it becomes fixed (checked in
            # ``due_matches_the_model``) once an event shows the count reached the target.
            assert self.clock.due(target) == breach
            assert self.clock.elapsed(breach) == target

    @rule(fraction=st.floats(min_value=0, max_value=1))
    def query_past(self, fraction: float) -> None:
        first = self.events[0][0].astimezone(UTC)
        now = first + (self.last.astimezone(UTC) - first) * fraction
        now = min(max(now, first), self.last)
        assert self.clock.elapsed(now) == reference_elapsed(self.calendar, self.events, now)

    def check_fixed(self, target: dt.timedelta, at: dt.datetime) -> None:
        seen = self.reached.setdefault(target, at)
        assert seen == at, f"the due instant of {target} moved from {seen} to {at}"

    @invariant()
    def state_matches(self) -> None:
        assert self.clock.state == self.state

    @invariant()
    def elapsed_when_fixed(self) -> None:
        if self.state != "running":
            assert self.clock.elapsed() == reference_elapsed(self.calendar, self.events, None)

    @invariant()
    def due_matches_the_model(self) -> None:
        counted = reference_elapsed(self.calendar, self.events, self.last)
        for target in TARGETS:
            due = self.clock.due(target)
            if counted >= target:
                assert due == reference_reached(self.calendar, self.events, self.last, target)
                assert due is not None
                self.check_fixed(target, due)
            elif self.state == "running":
                assert due == self.calendar.add(self.last, target - counted)
            else:
                assert due is None

    @invariant()
    def round_trips(self) -> None:
        text = self.clock.to_json()
        assert Clock.from_json(text) == self.clock
        assert Clock.from_json(text).to_json() == text
        assert Clock.replay(self.calendar, self.events) == self.clock
        assert Clock.replay(self.calendar, self.clock.events) == self.clock


ClockMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestClockMachine = ClockMachine.TestCase
