"""The working calendar: when is it business time, and how much of it lies between instants.

``Calendar`` is a thin, immutable facade over the period index
(``_index.py``). Every query takes and returns aware datetimes; results
are in the calendar's own zone. ``docs/semantics.md``
state exactly what each answer means.

This module and everything it imports use only the standard library, so the
engine can be vendored on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from ._index import PeriodIndex, PeriodSource
from ._sources import CompositeSource, ConstantSource, WeeklySource
from ._text import brief
from ._time import ONE_US, UTC, duration_us, from_us, to_us, zone
from ._windows import window_source
from .errors import NoBusinessTimeError, NoClosingTimeError, ScheduleError
from .schedule import ShiftsSpec, WeeklyHours

__all__ = ["Calendar", "Period"]


@dataclasses.dataclass(frozen=True)
class Period:
    """One span of open time ``[start, end)``, as aware datetimes."""

    start: dt.datetime
    end: dt.datetime

    @property
    def duration(self) -> dt.timedelta:
        """Return the real time between start and end.

        Computed in UTC: Python subtracts two datetimes of the same zone by wall
        clock, which is wrong across a daylight-saving change.
        """
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    def to_dict(self) -> dict[str, str]:
        """Return ``{"start": ISO 8601, "end": ISO 8601}``."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    def __reduce__(self) -> tuple[type[Period], tuple[dt.datetime, dt.datetime]]:
        # Copy and pickle through the constructor: the compiled build's frozen class
        # has no __dict__ to restore, and its __setattr__ refuses every assignment.
        return (type(self), (self.start, self.end))


class Calendar:
    """Open and closed time in one IANA zone, and arithmetic over the open time.

    >>> import datetime as dt
    >>> from zoneinfo import ZoneInfo
    >>> cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=ZoneInfo("Europe/London"))
    >>> cal.add(friday, dt.timedelta(minutes=10)).isoformat()
    '2026-11-23T09:05:00+00:00'
    >>> monday = dt.datetime(2026, 11, 23, 9, 5, tzinfo=ZoneInfo("Europe/London"))
    >>> cal.elapsed(friday, monday)
    datetime.timedelta(seconds=600)
    """

    __slots__ = ("_index", "_source", "_zone")

    _index: PeriodIndex
    _source: PeriodSource
    _zone: ZoneInfo

    def __init__(self, source: PeriodSource, zone: ZoneInfo) -> None:
        """Wrap a period source; build calendars with ``weekly`` or ``always``."""
        # Set past ``__setattr__``, which refuses assignment once ``_index`` is set: its
        # check costs more than the assignments on every calendar built.
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_index", PeriodIndex(source))

    # -- construction -------------------------------------------------------

    @classmethod
    def weekly(
        cls,
        hours: Mapping[str, ShiftsSpec] | WeeklyHours,
        *,
        tz: str | dt.tzinfo,
        holidays: object = None,
        overrides: Mapping[Any, ShiftsSpec] | None = None,
    ) -> Calendar:
        """Return a calendar open on weekly shifts in zone ``tz``, less holidays.

        ``hours`` maps days (``"mon-fri"``, ``"sat,sun"``, ``"mon"``) to shifts
        (``"09:00-12:30,13:30-17:00"``, ``"22:00-06:00"`` overnight, ``None``
        closed). ``holidays`` is a ``holidays`` package object or any collection
        of dates; ``overrides`` maps dates to the hours that replace that day's
        shifts (``None`` for closed). An override wins over a holiday.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-12:30,13:30-17:00"}, tz="Europe/London")
        >>> monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=desk.tz)
        >>> desk.elapsed(monday, monday + dt.timedelta(hours=8))  # less the lunch hour
        datetime.timedelta(seconds=25200)
        """
        zone_info = zone(tz)
        return cls(WeeklySource.build(zone_info, hours, holidays, overrides), zone_info)

    @classmethod
    def always(cls, tz: str | dt.tzinfo = "UTC") -> Calendar:
        """Return a 24x7 calendar (one endless open period), answering in zone ``tz``.

        >>> Calendar.always().is_open(dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc))
        True
        """
        zone_info = zone(tz)
        return cls(ConstantSource(zone_info, True), zone_info)

    @classmethod
    def never(cls, tz: str | dt.tzinfo = "UTC") -> Calendar:
        """Return a calendar that is never open; searches on it raise NoBusinessTimeError.

        >>> Calendar.never().is_open(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc))
        False
        """
        zone_info = zone(tz)
        return cls(ConstantSource(zone_info, False), zone_info)

    # -- composition --------------------------------------------------------

    def __and__(self, other: Calendar) -> Calendar:
        """Return a calendar open where both are open (support hours & site access)."""
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._compose("intersection", other)

    def __or__(self, other: Calendar) -> Calendar:
        """Return a calendar open where either is open (a follow-the-sun desk)."""
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._compose("union", other)

    def __sub__(self, other: Calendar) -> Calendar:
        """Return a calendar open where this one is and ``other`` is not (less maintenance)."""
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._compose("difference", other)

    def _compose(self, kind: str, *others: Calendar) -> Calendar:
        # Flatten chains (a | b | c) so one merge serves all operands.
        operands: list[PeriodIndex] = []
        for part in (self, *others):
            source = part._source
            if kind != "difference" and isinstance(source, CompositeSource) and source.kind == kind:
                operands.extend(source.operands)
            else:
                operands.append(part._index)
        return Calendar(CompositeSource(kind, operands), self._zone)

    @classmethod
    def union(cls, *calendars: Calendar) -> Calendar:
        """Return a calendar open where any of ``calendars`` is open.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> evening = Calendar.weekly({"mon-fri": "17:00-20:00"}, tz="UTC")
        >>> Calendar.union(desk, evening).next_close(friday).isoformat()
        '2026-11-20T20:00:00+00:00'
        """
        return cls._fold("union", calendars)

    @classmethod
    def intersection(cls, *calendars: Calendar) -> Calendar:
        """Return a calendar open where all of ``calendars`` are open.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> site = Calendar.weekly({"mon-sat": "08:00-12:00"}, tz="UTC")
        >>> monday = dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone.utc)
        >>> Calendar.intersection(desk, site).next_close(monday).isoformat()
        '2026-11-23T12:00:00+00:00'
        """
        return cls._fold("intersection", calendars)

    @classmethod
    def _fold(cls, kind: str, calendars: tuple[Calendar, ...]) -> Calendar:
        if not calendars or not all(isinstance(cal, Calendar) for cal in calendars):
            raise ScheduleError(f"a {kind} needs one or more calendars, got {calendars!r}")
        if len(calendars) == 1:
            return calendars[0]
        # One composition of all (as composing them in turn would flatten to).
        return calendars[0]._compose(kind, *calendars[1:])

    # -- values -------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        """Return the calendar's zone: its hours are wall-clock hours there.

        >>> Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London").tz
        zoneinfo.ZoneInfo(key='Europe/London')
        """
        return self._zone

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Calendar) and other._source == self._source

    def __hash__(self) -> int:
        return hash(self._source)

    def __repr__(self) -> str:
        return repr(self._source)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # Ship the spec, not the index: the receiving side rebuilds it lazily.
        return (_rebuild, (self.to_dict(),))

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "_index"):
            raise AttributeError(f"Calendar is immutable; cannot set {name!r}")
        object.__setattr__(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        """Return the calendar as JSON-ready data that ``from_dict`` reads back.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> desk.to_dict()
        {'kind': 'weekly', 'tz': 'UTC', 'hours': {'mon-fri': '09:00-17:00'}}
        """
        return self._source.to_data()

    def to_json(self) -> str:
        """Return the calendar as a JSON string.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> desk.to_json()
        '{"hours": {"mon-fri": "09:00-17:00"}, "kind": "weekly", "tz": "UTC"}'
        """
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calendar:
        """Return the calendar described by ``data`` (as written by ``to_dict``).

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> Calendar.from_dict(desk.to_dict()) == desk
        True
        """
        return cls._from_dict(data, 0)

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], depth: int) -> Calendar:
        if depth > CompositeSource.MAX_DEPTH:  # refused before recursing any deeper
            raise ScheduleError(
                f"compositions nest deeper than the limit MAX_DEPTH ({CompositeSource.MAX_DEPTH})"
            )
        if not isinstance(data, Mapping):
            raise ScheduleError(f"a calendar is described by a mapping, not {brief(data)}")
        kind = data.get("kind", "weekly")
        if kind in CompositeSource.KINDS:
            parts = data.get("of")
            if not isinstance(parts, list) or len(parts) < 2:
                raise ScheduleError(f"a {kind} needs a list 'of' two or more calendars")
            if len(parts) > CompositeSource.MAX_OPERANDS:
                raise ScheduleError(
                    f"a {kind} of {len(parts)} calendars is more than the limit "
                    f"MAX_OPERANDS ({CompositeSource.MAX_OPERANDS})"
                )
            calendars = tuple(cls._from_dict(part, depth + 1) for part in parts)
            if kind == "difference":
                if len(calendars) != 2:
                    raise ScheduleError("a difference needs exactly two calendars in 'of'")
                return calendars[0] - calendars[1]
            return cls._fold(kind, calendars)
        if kind == "windows":
            source = window_source(data)
            return cls(source, source.zone)
        tz = data.get("tz")
        if not isinstance(tz, str):
            raise ScheduleError(f"calendar data needs a 'tz' zone name, got {brief(tz)}")
        if kind == "always":
            return cls.always(tz)
        if kind == "never":
            return cls.never(tz)
        if kind == "weekly":
            return cls.weekly(
                data.get("hours", {}),
                tz=tz,
                holidays=data.get("holidays"),
                overrides=data.get("overrides"),
            )
        raise ScheduleError(f"unknown calendar kind {kind!r}")

    @classmethod
    def from_json(cls, text: str | bytes) -> Calendar:
        """Return the calendar described by a JSON string from ``to_json``.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> Calendar.from_json(desk.to_json()) == desk
        True
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScheduleError(f"calendar JSON is malformed: {exc}") from exc
        return cls.from_dict(data)

    # -- queries ------------------------------------------------------------

    def is_open(self, t: dt.datetime) -> bool:
        """Return whether ``t`` is business time (shifts are half-open: 17:00 is closed).

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> desk.is_open(friday)
        True
        >>> desk.is_open(friday + dt.timedelta(minutes=5))
        False
        """
        return self._index.is_open(to_us(t, "t"))

    def next_open(self, t: dt.datetime) -> dt.datetime:
        """Return the earliest open instant at or after ``t`` (``t`` itself if open).

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> desk.next_open(dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.timezone.utc)).isoformat()
        '2026-11-23T09:00:00+00:00'
        """
        at = to_us(t, "t")
        try:
            return from_us(self._index.next_open(at), self._zone)
        except NoBusinessTimeError:
            raise self._no_time(t, "after") from None

    def next_close(self, t: dt.datetime) -> dt.datetime:
        """Return the earliest closed instant at or after ``t`` (``t`` itself if closed).

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> desk.next_close(friday).isoformat()
        '2026-11-20T17:00:00+00:00'
        """
        at = to_us(t, "t")
        try:
            return from_us(self._index.next_close(at), self._zone)
        except NoClosingTimeError:
            raise NoClosingTimeError(
                f"{self!r} has no closed time in the search horizon after {t.isoformat()}"
            ) from None

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Return the open time in ``[start, end)``; negative if ``end`` is before ``start``.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> monday = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.timezone.utc)
        >>> desk.elapsed(friday, monday)
        datetime.timedelta(seconds=600)
        """
        # ``ONE_US * n`` builds the timedelta at half the cost of ``timedelta(microseconds=n)``.
        return ONE_US * self._index.elapsed(to_us(start, "start"), to_us(end, "end"))

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """Return the earliest instant by which ``duration`` of open time has run since ``start``.

        Friday 16:55 plus 5 minutes on 09:00-17:00 is Friday 17:00; plus 10
        minutes is Monday 09:05. A negative duration subtracts.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> desk.add(friday, dt.timedelta(minutes=10)).isoformat()
        '2026-11-23T09:05:00+00:00'
        >>> desk.add(friday, dt.timedelta(minutes=5)).isoformat()
        '2026-11-20T17:00:00+00:00'
        """
        at = to_us(start, "start")
        amount = duration_us(duration)
        try:
            return from_us(self._index.add(at, amount), self._zone)
        except NoBusinessTimeError:
            raise self._no_time(start, "after" if amount >= 0 else "before") from None

    def subtract(self, end: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """Return the latest instant from which ``duration`` of open time runs to ``end``.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> monday = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.timezone.utc)
        >>> desk.subtract(monday, dt.timedelta(minutes=10)).isoformat()
        '2026-11-20T16:55:00+00:00'
        """
        at = to_us(end, "end")
        amount = duration_us(duration)
        try:
            return from_us(self._index.subtract(at, amount), self._zone)
        except NoBusinessTimeError:
            raise self._no_time(end, "before" if amount >= 0 else "after") from None

    def periods(self, start: dt.datetime, end: dt.datetime) -> Iterator[Period]:
        """Yield the open periods inside ``[start, end)``, clipped to it, merged where adjacent.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> monday = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
        >>> for period in desk.periods(friday, monday):
        ...     print(period.start.isoformat(), period.duration)
        2026-11-20T16:55:00+00:00 0:05:00
        2026-11-23T09:00:00+00:00 3:00:00
        """
        lo, hi = to_us(start, "start"), to_us(end, "end")
        return _periods(self._index.iter_periods(lo, hi), self._zone)

    # -- batches ------------------------------------------------------------

    def elapsed_many(self, starts: Any, ends: Any) -> Any:
        """Return the open time between each ``starts[i]`` and ``ends[i]``, shaped like ``starts``.

        ``starts`` and ``ends`` may be NumPy ``datetime64`` arrays (read as UTC),
        zoned pandas columns or indexes, zoned Arrow timestamp arrays, or lists of
        aware datetimes. The result is the matching container of durations
        (``timedelta64[us]``, a pandas timedelta column, an Arrow duration array, or
        a list of ``timedelta``); missing values (NaT, null, ``None``) stay missing.
        Each element equals ``elapsed`` on that pair.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> monday = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.timezone.utc)
        >>> desk.elapsed_many([friday, friday], [monday, friday])
        [datetime.timedelta(seconds=600), datetime.timedelta(0)]
        """
        from ._batch import elapsed_many

        return elapsed_many(self._index, starts, ends)

    def add_many(self, starts: Any, durations: Any) -> Any:
        """Return ``add`` of each ``durations[i]`` to ``starts[i]``, shaped like ``starts``.

        Accepts the containers ``elapsed_many`` accepts, with durations as
        ``timedelta64`` arrays, pandas or Arrow duration columns, or lists of
        ``timedelta``. NumPy results are ``datetime64[us]`` in UTC; pandas and Arrow
        results carry the calendar's zone; lists hold aware datetimes in it.

        >>> desk = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=dt.timezone.utc)
        >>> targets = [dt.timedelta(minutes=5), dt.timedelta(minutes=10)]
        >>> for due in desk.add_many([friday, friday], targets):
        ...     print(due.isoformat())
        2026-11-20T17:00:00+00:00
        2026-11-23T09:05:00+00:00
        """
        from ._batch import add_many

        try:
            return add_many(self._index, starts, durations, self._zone)
        except NoBusinessTimeError:
            raise NoBusinessTimeError(
                f"{self!r} has no open time within the search horizon (about 50 years) "
                "for some element of the batch"
            ) from None

    def _no_time(self, t: dt.datetime, direction: str) -> NoBusinessTimeError:
        return NoBusinessTimeError(
            f"{self!r} has no open time within the search horizon (about 50 years) "
            f"{direction} {t.isoformat()}"
        )


def _periods(spans: Iterator[tuple[int, int]], zone_info: ZoneInfo) -> Iterator[Period]:
    """Yield each span of integer instants as a ``Period`` in ``zone_info``, lazily.

    A generator function rather than a generator expression: the compiled build
    (mypyc) would turn the expression into a list, which is neither lazy nor an iterator.
    """
    for open_at, close_at in spans:
        yield Period(from_us(open_at, zone_info), from_us(close_at, zone_info))


#: Calendars unpickled in this process, by description: see ``_rebuild``.
_REBUILT: dict[str, Calendar] = {}
_REBUILT_LOCK = threading.Lock()
#: How many unpickled calendars a process keeps (the oldest is dropped first).
MAX_REBUILT = 16


def _rebuild(data: Mapping[str, Any]) -> Calendar:
    """Return the calendar ``data`` describes: how pickle rebuilds one.

    A module-level function (not the classmethod) so that cloudpickle, as used
    by Dask and Spark, ships it by reference rather than by value. Dask unpickles
    a task's arguments for every partition; calendars are immutable values, so
    the same description returns the same calendar in one process, and its
    index is built once per worker process rather than once per partition.
    """
    try:
        key = json.dumps(data, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        # Not JSON-ready (or nested past what json walks): build it unshared, so that
        # from_dict says what is wrong with it.
        return Calendar.from_dict(data)
    found = _REBUILT.get(key)
    if found is not None:
        return found
    built = Calendar.from_dict(data)
    with _REBUILT_LOCK:
        found = _REBUILT.get(key)
        if found is not None:
            return found
        if len(_REBUILT) >= MAX_REBUILT:
            del _REBUILT[next(iter(_REBUILT))]
        _REBUILT[key] = built
    return built
