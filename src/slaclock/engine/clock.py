"""The SLA clock: business time counted on a calendar since a call was logged, with pauses.

A ``Clock`` is an immutable value. It starts when the call is logged,
counts only the open time of its ``Calendar``, and
moves between ``running``, ``paused`` and ``stopped`` through
``Clock.pause``, ``Clock.resume`` and ``Clock.stop``, each of which
returns a new clock. ``docs/semantics.md`` ("The SLA clock") is the contract and
``docs/clock.md`` explains it in plain words.

The clock keeps the business time counted up to its last event, so
``elapsed``, ``remaining`` and ``due`` cost
one calendar query however often it has been paused. It also keeps its running
spans (start, end, business time counted by the end), so
``breached_at`` finds the span in which a target was reached by
bisection, and the clock serializes and replays exactly.

This module uses only the standard library, like the calendar engine.

>>> import datetime as dt
>>> from zoneinfo import ZoneInfo
>>> from .calendar import Calendar
>>> london = ZoneInfo("Europe/London")
>>> cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=london)
>>> clock = Clock.start(cal, dt.datetime(2026, 11, 20, 16, 55, tzinfo=london))  # a Friday
>>> clock.due(dt.timedelta(minutes=10)).isoformat()
'2026-11-23T09:05:00+00:00'
>>> replied = clock.stop(dt.datetime(2026, 11, 23, 9, 4, tzinfo=london))
>>> replied.elapsed(), replied.remaining(dt.timedelta(minutes=10))
(datetime.timedelta(seconds=540), datetime.timedelta(seconds=60))
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from ._text import brief
from ._time import EPOCH as _EPOCH
from ._time import MAX_US, MIN_US, ONE_US, from_us, parse_instant, to_us
from .calendar import Calendar
from .calendar import _rebuild as rebuild_calendar
from .errors import ClockError, NaiveDatetimeError, NoBusinessTimeError, SlaclockError

__all__ = ["Clock", "ClockAction", "ClockEvent", "ClockState"]

#: The version of the serialized form written by ``Clock.to_dict``.
FORMAT_VERSION = 1

#: What can happen to a clock, in the words ``Clock.replay`` reads.
ClockAction = Literal["start", "pause", "resume", "stop"]

#: One stored event: the instant it happened and what happened.
ClockEvent = tuple[dt.datetime, str]

_KEYS = frozenset(
    {"version", "calendar", "state", "started_at", "last_event_at", "elapsed_us", "spans"}
)


class ClockState(str, enum.Enum):
    """The state of a clock; each member compares equal to its string value.

    >>> ClockState.PAUSED == "paused"
    True
    """

    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"

    def __str__(self) -> str:
        return self.value


_RUNNING = ClockState.RUNNING
_PAUSED = ClockState.PAUSED
_STOPPED = ClockState.STOPPED

#: For each action, the state it leads to from each state it is allowed in.
_NEXT_STATE: dict[str, dict[ClockState, ClockState]] = {
    "pause": {_RUNNING: _PAUSED},
    "resume": {_PAUSED: _RUNNING},
    "stop": {_RUNNING: _STOPPED, _PAUSED: _STOPPED},
}
#: Why an action is refused in a state that does not allow it.
_WHY_NOT = {
    _RUNNING: "it is running, not paused",
    _PAUSED: "it is already paused",
    _STOPPED: "a stopped clock takes no more events",
}


class Clock:
    """An SLA clock: business time counted since a call was logged, less paused time.

    Build one with ``start`` (or ``replay``, ``from_dict``,
    ``from_json``); every transition returns a new clock and leaves this
    one as it was. Clocks compare and hash by value.

    >>> import datetime as dt
    >>> cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
    >>> monday_9 = dt.datetime(2026, 11, 23, 9, tzinfo=dt.timezone.utc)
    >>> c = Clock.start(cal, monday_9).pause(monday_9 + dt.timedelta(hours=1))
    >>> c = c.resume(monday_9 + dt.timedelta(hours=3))
    >>> c.state, c.elapsed(monday_9 + dt.timedelta(hours=4))
    (<ClockState.RUNNING: 'running'>, datetime.timedelta(seconds=7200))
    """

    __slots__ = ("_calendar", "_cums", "_ends", "_last", "_started", "_starts", "_state", "_total")

    _calendar: Calendar
    _state: ClockState
    _started: int  # µs since the epoch: when the call was logged
    _last: int  # µs since the epoch: the last event (start, pause, resume or stop)
    _total: int  # µs of business time counted up to the last event
    _starts: tuple[int, ...]  # starts of the finished running spans
    _ends: tuple[int, ...]  # ends of the finished running spans
    _cums: tuple[int, ...]  # business time counted by the end of each finished span

    def __init__(self) -> None:
        """Refuse direct construction: clocks come from ``start`` and its siblings."""
        raise TypeError(
            "build a Clock with Clock.start(calendar, logged_at), Clock.replay, "
            "Clock.from_dict or Clock.from_json"
        )

    @classmethod
    def _make(
        cls,
        calendar: Calendar,
        state: ClockState,
        *,
        started: int,
        last: int,
        total: int,
        starts: tuple[int, ...] = (),
        ends: tuple[int, ...] = (),
        cums: tuple[int, ...] = (),
    ) -> Clock:
        """Return a clock with exactly these fields, unchecked."""
        clock = object.__new__(cls)
        setter = object.__setattr__
        setter(clock, "_calendar", calendar)
        setter(clock, "_state", state)
        setter(clock, "_started", started)
        setter(clock, "_last", last)
        setter(clock, "_total", total)
        setter(clock, "_starts", starts)
        setter(clock, "_ends", ends)
        setter(clock, "_cums", cums)
        return clock

    # -- building -----------------------------------------------------------

    @classmethod
    def start(cls, calendar: Calendar, logged_at: dt.datetime) -> Clock:
        """Return a running clock started when the call was logged.

        A call logged while the calendar is closed starts counting at the next opening.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> Clock.start(desk, friday).state
        <ClockState.RUNNING: 'running'>
        """
        if not isinstance(calendar, Calendar):
            raise TypeError(f"calendar must be a Calendar, not {type(calendar).__name__}")
        try:
            at = to_us(logged_at, "start instant")
        except NaiveDatetimeError as exc:
            raise NaiveDatetimeError(f"cannot start: {exc}; no clock was started") from None
        return cls._make(calendar, _RUNNING, started=at, last=at, total=0)

    @classmethod
    def replay(cls, calendar: Calendar, events: Iterable[ClockEvent]) -> Clock:
        """Return the clock that a stored list of ``(instant, action)`` events leads to.

        Actions are ``"start"`` (first, and only first), ``"pause"``, ``"resume"``
        and ``"stop"``. ``Clock.replay(c.calendar, c.events) == c`` for every
        clock. Takes time linear in the number of events.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> clock = clock.pause(friday + dt.timedelta(minutes=2))
        >>> Clock.replay(clock.calendar, clock.events) == clock
        True
        """
        clock: Clock | None = None
        starts: list[int] = []
        ends: list[int] = []
        cums: list[int] = []
        for number, event in enumerate(events, 1):
            try:
                at, action = event
            except (TypeError, ValueError):
                raise ClockError(
                    f"replay event #{number} {event!r} is not an (instant, action) pair"
                ) from None
            try:
                if clock is None:
                    if action != "start":
                        raise ClockError(
                            f"cannot {action} at {_show(at)}: the first event must be 'start'"
                        )
                    clock = cls.start(calendar, at)
                    continue
                state, t, span = clock._transition(action, at)
            except (ClockError, NaiveDatetimeError) as exc:
                raise type(exc)(f"replay event #{number}: {exc}") from None
            if span is not None:
                starts.append(span[0])
                ends.append(t)
                cums.append(span[1])
            # The next transition looks only at the state, the count and whether
            # there was a span, so the stand-in keeps the latest span alone: the
            # replay stays linear instead of copying the history at every event.
            clock = cls._make(
                calendar,
                state,
                started=clock._started,
                last=t,
                total=cums[-1] if cums else 0,
                starts=tuple(starts[-1:]),
                ends=tuple(ends[-1:]),
                cums=tuple(cums[-1:]),
            )
        if clock is None:
            raise ClockError("cannot replay an empty list of events: the first must be 'start'")
        return cls._make(
            calendar,
            clock._state,
            started=clock._started,
            last=clock._last,
            total=clock._total,
            starts=tuple(starts),
            ends=tuple(ends),
            cums=tuple(cums),
        )

    def apply(self, action: str, at: dt.datetime) -> Clock:
        """Return the clock after ``action`` (``"pause"``, ``"resume"`` or ``"stop"``) at ``at``.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> clock.apply("pause", friday + dt.timedelta(minutes=2)).state
        <ClockState.PAUSED: 'paused'>
        """
        state, t, span = self._transition(action, at)
        if span is None:
            return self._moved(state, t)
        start, total = span
        return self._make(
            self._calendar,
            state,
            started=self._started,
            last=t,
            total=total,
            starts=(*self._starts, start),
            ends=(*self._ends, t),
            cums=(*self._cums, total),
        )

    # -- transitions --------------------------------------------------------

    def pause(self, at: dt.datetime) -> Clock:
        """Return the clock paused at ``at``: time after ``at`` does not count until resumed.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> paused = clock.pause(friday + dt.timedelta(minutes=2))
        >>> paused.elapsed(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc))
        datetime.timedelta(seconds=120)
        """
        return self.apply("pause", at)

    def resume(self, at: dt.datetime) -> Clock:
        """Return the clock resumed at ``at``; it counts again from the next opening.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> paused = clock.pause(friday + dt.timedelta(minutes=2))
        >>> again = paused.resume(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc))
        >>> again.elapsed(dt.datetime(2026, 11, 23, 11, 0, tzinfo=dt.timezone.utc))
        datetime.timedelta(seconds=3720)
        """
        return self.apply("resume", at)

    def stop(self, at: dt.datetime) -> Clock:
        """Return the clock stopped at ``at``; its elapsed time is final.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> done = clock.stop(dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.timezone.utc))
        >>> done.state, done.elapsed()
        (<ClockState.STOPPED: 'stopped'>, datetime.timedelta(seconds=600))
        """
        return self.apply("stop", at)

    def _transition(
        self, action: str, at: dt.datetime
    ) -> tuple[ClockState, int, tuple[int, int] | None]:
        """Check ``action`` at ``at``; return the new state, the instant, and the span it ends.

        The span, when the clock was running, is its start and the count at its end.
        """
        if action not in _NEXT_STATE:
            reason = (
                "the clock has already started; start a new one with Clock.start"
                if action == "start"
                else f"unknown action {action!r}; use 'pause', 'resume' or 'stop'"
            )
            raise self._refuse(action, at, reason)
        try:
            t = to_us(at, f"{action} instant")
        except NaiveDatetimeError as exc:
            raise NaiveDatetimeError(f"cannot {action}: {exc}; {self._whereabouts()}") from None
        state = self._state
        new_state = _NEXT_STATE[action].get(state)
        if new_state is None:
            raise self._refuse(action, at, _WHY_NOT[state])
        if t < self._last:
            raise self._refuse(
                action, at, "that is before its last event; events must come in time order"
            )
        if state is _RUNNING:
            return new_state, t, (self._last, self._total + self._counted(self._last, t))
        return new_state, t, None

    def _moved(self, state: ClockState, t: int) -> Clock:
        """Return the clock in ``state`` since ``t``, its count and spans as they are."""
        return self._make(
            self._calendar,
            state,
            started=self._started,
            last=t,
            total=self._total,
            starts=self._starts,
            ends=self._ends,
            cums=self._cums,
        )

    def _refuse(self, action: str, at: object, reason: str) -> ClockError:
        return ClockError(f"cannot {action} at {_show(at)}: {reason}; {self._whereabouts()}")

    def _whereabouts(self, *, unchanged: bool = True) -> str:
        """Return 'the clock is paused (last event: pause at …) and is unchanged'."""
        text = (
            f"the clock is {self._state.value} (last event: {self._last_action()} at "
            f"{self._iso(self._last)})"
        )
        return text + " and is unchanged" if unchanged else text

    def _last_action(self) -> str:
        if self._state is _RUNNING:
            return "resume" if self._starts else "start"
        return "pause" if self._state is _PAUSED else "stop"

    # -- queries ------------------------------------------------------------

    @property
    def calendar(self) -> Calendar:
        """Return the calendar whose open time the clock counts.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> clock.calendar == desk
        True
        """
        return self._calendar

    @property
    def state(self) -> ClockState:
        """Return ``"running"``, ``"paused"`` or ``"stopped"`` (a ``ClockState``).

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> clock.state
        <ClockState.RUNNING: 'running'>
        >>> clock.pause(friday + dt.timedelta(minutes=2)).state
        <ClockState.PAUSED: 'paused'>
        """
        return self._state

    @property
    def started_at(self) -> dt.datetime:
        """Return the instant the call was logged, in the calendar's zone.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> clock.started_at.isoformat()
        '2026-11-20T16:55:00+00:00'
        """
        return self._at(self._started)

    @property
    def last_event_at(self) -> dt.datetime:
        """Return the instant of the clock's last event, in the calendar's zone.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> clock.pause(friday + dt.timedelta(minutes=2)).last_event_at.isoformat()
        '2026-11-20T16:57:00+00:00'
        """
        return self._at(self._last)

    @property
    def pauses(self) -> int:
        """Return how many times the clock has been paused.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> paused = clock.pause(friday + dt.timedelta(minutes=2))
        >>> paused.resume(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)).pauses
        1
        """
        return len(self._ends) - (self._state is _STOPPED and self._ends[-1:] == (self._last,))

    @property
    def events(self) -> tuple[tuple[dt.datetime, ClockAction], ...]:
        """Return the clock's events, oldest first, as ``replay`` reads them.

        A pause and a stop at one instant read back as the stop alone: the
        clocks are equal.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> for at, action in clock.pause(friday).events:
        ...     print(at.isoformat(), action)
        2026-11-20T16:55:00+00:00 start
        2026-11-20T16:55:00+00:00 pause
        """
        at = self._at
        events: list[tuple[dt.datetime, ClockAction]] = [(at(self._started), "start")]
        for number, (start, end) in enumerate(zip(self._starts, self._ends, strict=True)):
            if number:
                events.append((at(start), "resume"))
            events.append((at(end), "pause"))
        if self._state is _RUNNING and self._starts:
            events.append((at(self._last), "resume"))
        elif self._state is _STOPPED:
            if self._ends and self._ends[-1] == self._last:
                events.pop()
            events.append((at(self._last), "stop"))
        return tuple(events)

    def elapsed(self, now: dt.datetime | None = None) -> dt.timedelta:
        """Return the business time counted by ``now``: open time while running, nothing paused.

        ``now`` may be omitted when the clock is paused or stopped (the count
        is fixed then) and must be given while it runs. A ``now`` before the
        clock's last event is answered from its history; one before the call
        was logged raises ``ClockError``.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> clock.elapsed(dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.timezone.utc))
        datetime.timedelta(seconds=600)
        """
        return dt.timedelta(microseconds=self._elapsed_us(now, "elapsed"))

    def remaining(self, target: dt.timedelta, now: dt.datetime | None = None) -> dt.timedelta:
        """Return ``target`` less the business time counted by ``now``: negative once breached.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> monday = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.timezone.utc)
        >>> clock.remaining(dt.timedelta(hours=4), monday)
        datetime.timedelta(seconds=13800)
        """
        target_us = _target_us(target, "remaining")
        return dt.timedelta(microseconds=target_us - self._elapsed_us(now, "remaining"))

    def due(self, target: dt.timedelta) -> dt.datetime | None:
        """Return the instant the count reaches ``target``, or ``None`` if a paused clock can't say.

        While the count is short of the target and the clock runs, that is
        ``calendar.add(last resume, target - counted)``. Once the count has
        reached the target it is the instant it did, fixed however the clock
        is paused or stopped later. A paused or stopped clock short of the
        target has no due instant.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> clock.due(dt.timedelta(hours=4)).isoformat()
        '2026-11-23T12:55:00+00:00'
        """
        target_us = _target_us(target, "due")
        if self._total >= target_us or self._state is _RUNNING:
            return self._reached(target_us)
        return None

    def breached_at(
        self, target: dt.timedelta, now: dt.datetime | None = None
    ) -> dt.datetime | None:
        """Return the due instant that was missed, if the count exceeded ``target`` by ``now``.

        A clock is breached once it has counted more than ``target``, so a reply
        at exactly the due instant meets the target. The answer is
        ``due(target)``, which no longer changes once the target is reached.
        ``now`` follows the rules of ``elapsed``.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> later = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.timezone.utc)
        >>> clock.breached_at(dt.timedelta(hours=4), later).isoformat()
        '2026-11-23T12:55:00+00:00'
        >>> clock.breached_at(dt.timedelta(hours=8), later) is None
        True
        """
        target_us = _target_us(target, "breached_at")
        if self._elapsed_us(now, "breached_at") <= target_us:
            return None
        return self._reached(target_us)

    def _elapsed_us(self, now: dt.datetime | None, what: str) -> int:
        if now is None:
            if self._state is _RUNNING:
                raise ClockError(
                    f"{what}: a running clock needs `now`; {self._whereabouts(unchanged=False)}"
                )
            return self._total
        t = to_us(now, "now")
        if t >= self._last:
            if self._state is _RUNNING:
                return self._total + self._counted(self._last, t)
            return self._total
        if t < self._started:
            raise ClockError(
                f"{what}: now {_show(now)} is before the clock started "
                f"({self._iso(self._started)}); nothing was counted yet"
            )
        # A past instant: find the last span that began at or before it.
        i = bisect_right(self._starts, t) - 1
        if i < 0:
            return 0
        if t >= self._ends[i]:
            return self._cums[i]
        before = self._cums[i - 1] if i else 0
        return before + self._counted(self._starts[i], t)

    def _reached(self, target_us: int) -> dt.datetime:
        """Return the earliest instant the count reaches ``target_us`` if the clock keeps running.

        That lies in the first finished span whose count ends at or above the
        target (found by bisection) or, if there is none, in the running span.
        """
        j = bisect_left(self._cums, target_us)
        if j < len(self._cums):
            before = self._cums[j - 1] if j else 0
            start = self._starts[j]
        else:
            before, start = self._total, self._last
        try:
            return self._at(self._calendar._index.add(start, target_us - before))
        except NoBusinessTimeError:
            # Let the calendar say it, with the instant and the calendar in the message.
            return self._calendar.add(
                self._at(start), dt.timedelta(microseconds=target_us - before)
            )

    def _counted(self, a: int, b: int) -> int:
        """Return the calendar's open time in ``[a, b)`` in µs."""
        # Straight to the calendar's period index: the instants are already integers.
        return self._calendar._index.elapsed(a, b)

    def _at(self, us: int) -> dt.datetime:
        return from_us(us, self._calendar.tz)

    def _iso(self, us: int) -> str:
        return self._at(us).isoformat()

    # -- values -------------------------------------------------------------

    def _key(self) -> tuple[object, ...]:
        return (
            self._calendar,
            self._state,
            self._started,
            self._last,
            self._total,
            self._starts,
            self._ends,
            self._cums,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Clock):
            return NotImplemented
        return other._key() == self._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Clock is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Clock is immutable; cannot delete {name!r}")

    def __copy__(self) -> Clock:
        return self

    def __deepcopy__(self, memo: object) -> Clock:
        return self

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        return (_rebuild, (self.to_dict(),))

    def __repr__(self) -> str:
        counted = dt.timedelta(microseconds=self._total)
        return (
            f"<Clock {self._state.value}: {counted} counted by its last event "
            f"({self._last_action()} at {self._iso(self._last)}), started "
            f"{self._iso(self._started)}, {self.pauses} pause(s), on {self._calendar!r}>"
        )

    # -- serialization ------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the clock as JSON-ready data that ``from_dict`` reads back exactly.

        Instants are ISO 8601 strings in the calendar's zone, with microseconds
        when they have any; business time is whole microseconds. ``spans`` lists
        the finished running spans as ``[start, end, business µs in the span]``.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> clock.to_dict()["state"]
        'running'
        """
        iso = self._iso
        spans: list[list[Any]] = []
        before = 0
        for start, end, cum in zip(self._starts, self._ends, self._cums, strict=True):
            spans.append([iso(start), iso(end), cum - before])
            before = cum
        return {
            "version": FORMAT_VERSION,
            "calendar": self._calendar.to_dict(),
            "state": self._state.value,
            "started_at": iso(self._started),
            "last_event_at": iso(self._last),
            "elapsed_us": self._total,
            "spans": spans,
        }

    def to_json(self) -> str:
        """Return the clock as a JSON string, e.g. for a database column.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> Clock.from_json(clock.to_json()) == clock
        True
        """
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Clock:
        """Return the clock described by ``data``; refuse data that no clock could have written.

        Checks the version, the state, that instants are aware and in order,
        that each span counts between zero and its real length, and that the
        counts add up to ``elapsed_us``. It does not re-count the spans against
        the calendar: the stored counts are the record, even if the calendar's
        holiday data has changed since.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> Clock.from_dict(clock.to_dict()) == clock
        True
        """
        if not isinstance(data, Mapping):
            raise ClockError(f"clock data must be a mapping, not {type(data).__name__}")
        missing = sorted(_KEYS - data.keys())
        extra = sorted(str(key) for key in data.keys() - _KEYS)
        if missing or extra:
            raise ClockError(
                f"clock data has missing keys {missing} and unknown keys {extra}; "
                f"expected exactly {sorted(_KEYS)}"
            )
        version = data["version"]
        if type(version) is not int or version != FORMAT_VERSION:
            raise ClockError(f"clock data version {brief(version)} is not {FORMAT_VERSION}")
        try:
            # One calendar per description (see calendar._rebuild): clocks loaded from a
            # database or unpickled by the thousand share one calendar and its index.
            calendar = rebuild_calendar(data["calendar"])
        except SlaclockError as exc:
            raise ClockError(f"clock data: its calendar is invalid: {exc}") from exc
        state_text = data["state"]
        if not isinstance(state_text, str) or state_text not in {"running", "paused", "stopped"}:
            raise ClockError(
                f"clock data: unknown state {brief(state_text)}; "
                "expected running, paused or stopped"
            )
        state = ClockState(state_text)
        started = _load_instant(data["started_at"], "started_at")
        last = _load_instant(data["last_event_at"], "last_event_at")
        total = _load_us(data["elapsed_us"], "elapsed_us")
        raw_spans = data["spans"]
        if not isinstance(raw_spans, list):
            raise ClockError(f"clock data: spans must be a list, not {type(raw_spans).__name__}")
        starts: list[int] = []
        ends: list[int] = []
        cums: list[int] = []
        previous_end = started
        running_total = 0
        for number, span in enumerate(raw_spans):
            where = f"spans[{number}]"
            if not isinstance(span, list) or len(span) != 3:
                raise ClockError(f"clock data: {where} must be [start, end, business µs]")
            start = _load_instant(span[0], f"{where}[0]")
            end = _load_instant(span[1], f"{where}[1]")
            counted = _load_us(span[2], f"{where}[2]")
            if number == 0 and start != started:
                raise ClockError(
                    f"clock data: {where} starts at {span[0]}, not when the clock started "
                    f"({data['started_at']})"
                )
            if start < previous_end or end < start:
                raise ClockError(f"clock data: {where} [{span[0]}, {span[1]}) is out of time order")
            if counted > end - start:
                raise ClockError(
                    f"clock data: {where} counts {counted} µs in {end - start} µs of real time"
                )
            running_total += counted
            starts.append(start)
            ends.append(end)
            cums.append(running_total)
            previous_end = end
        if running_total != total:
            raise ClockError(
                f"clock data: elapsed_us is {total} but its spans count {running_total}"
            )
        if last < previous_end or last < started:
            raise ClockError(
                f"clock data: last_event_at {data['last_event_at']} is before its spans end"
            )
        if state is _RUNNING and not starts and last != started:
            raise ClockError(
                "clock data: a running clock that was never paused has its last event at its start"
            )
        if state is _PAUSED and (not ends or ends[-1] != last):
            raise ClockError(
                "clock data: a paused clock's last event must be the end of its last span"
            )
        if state is _STOPPED and not ends:
            raise ClockError("clock data: a stopped clock has at least one span")
        return cls._make(
            calendar,
            state,
            started=started,
            last=last,
            total=total,
            starts=tuple(starts),
            ends=tuple(ends),
            cums=tuple(cums),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Clock:
        """Return the clock described by a JSON string from ``to_json``.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> clock = Clock.start(desk, friday)
        >>> Clock.from_json(clock.to_json()).due(dt.timedelta(hours=4)).isoformat()
        '2026-11-23T12:55:00+00:00'
        """
        if not isinstance(text, (str, bytes, bytearray)):
            raise ClockError(f"clock JSON must be str or bytes, not {type(text).__name__}")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ClockError(f"clock JSON is malformed: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ClockError(f"clock JSON is not UTF-8 text: byte {exc.start}") from None
        except RecursionError:
            raise ClockError("clock JSON is nested too deeply") from None
        except ValueError as exc:  # a number past Python's digit limit
            raise ClockError(f"clock JSON is malformed: {exc}") from None
        return cls.from_dict(data)


def _target_us(target: dt.timedelta, what: str) -> int:
    if not isinstance(target, dt.timedelta):
        raise TypeError(f"{what}: target must be a timedelta, not {type(target).__name__}")
    if target < dt.timedelta(0):
        raise ClockError(f"{what}: target {target!r} is negative")
    return target // ONE_US


def _show(at: object) -> str:
    return at.isoformat() if isinstance(at, dt.datetime) else repr(at)


def _load_instant(value: object, where: str) -> int:
    if not isinstance(value, str):
        raise ClockError(f"clock data: {where} must be an ISO 8601 string, not {brief(value)}")
    instant = parse_instant(value, f"clock data: {where}", ClockError)
    us = (instant - _EPOCH) // ONE_US
    if not MIN_US <= us <= MAX_US:
        raise ClockError(
            f"clock data: {where} {brief(value)} is outside the range slaclock handles"
        )
    return us


def _load_us(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ClockError(f"clock data: {where} must be whole microseconds, not {brief(value)}")
    if value < 0:
        raise ClockError(f"clock data: {where} is negative ({value} µs)")
    return value


def _rebuild(data: Mapping[str, Any]) -> Clock:
    """Return the clock ``data`` describes: how pickle rebuilds one (by reference, not value)."""
    return Clock.from_dict(data)
