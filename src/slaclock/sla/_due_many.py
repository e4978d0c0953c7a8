"""Business-day targets for many tickets at once: ``BusinessDays.due_many``.

``BusinessDays.due_from`` walks day by day from the day a ticket was logged,
asking the calendar for each day's open periods; for 100,000 tickets that is
minutes. Here the walk is done once for the whole batch: for every local date
the batch can reach, where its day starts (``day_start``) and where its last
open time ends, and a running count of business days (``_Days``). The
calendar keeps the day tables of its last few batches (beside the batch
functions' own tables), so a repeated batch reads them instead of walking the
dates again.

A ticket's answer depends only on its wall-clock date and, with a cut-off,
on whether its wall-clock time is before the cut-off. Both follow from the
instant by integer arithmetic once the zone's UTC offset at it is known, and
the day table finds the zone's transitions over its dates (``_Days.place``).
Better still, time can be cut into buckets of one width (an hour for most
zones) such that every day start, transition, and cut-off falls on a bucket
edge: then every instant of a bucket has the same answer, and a ticket's due
instant is one division and one look-up in a table of answers per bucket
(``_Buckets``). The buckets serve whenever the batch lies inside them; a
zone whose offsets are not whole minutes of a common width (local mean time
before 1900, say) or a very long span is answered by ``_Days.place`` per row.

The answers are ``due_from``'s: the same day boundaries, the same last open
instant, the wall-clock date and time read with the zone's offset at the
instant (as ``astimezone`` reads them), so a day whose clock falls back across
midnight reads as ``due_from`` reads it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slaclock.engine._batch import NAT, _instants, _Lookup, _numpy_or_none, _shape_instants
from slaclock.engine._time import (
    MAX_US,
    MIN_US,
    US_PER_DAY,
    first_instant_at,
    from_us,
    offset_us,
)
from slaclock.engine.calendar import Calendar
from slaclock.errors import NoBusinessTimeError, OutOfRangeError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    BoolArray = npt.NDArray[np.bool_]

__all__ = ["due_many"]

_ONE_DAY = dt.timedelta(days=1)
_EPOCH_DATE = dt.date(1970, 1, 1)
#: How far past the last logging date a batch looks for business days (as ``due_from``).
_HORIZON_DAYS = 366 * 50
#: The most buckets one table of answers holds (4 MB: 60 years by the hour); a longer
#: span answers row by row.
_MAX_BUCKETS = 1 << 19
#: How many tables of answers (targets and cut-offs) a day table keeps.
_BUCKETS_KEPT = 8


def _time_us(cutoff: dt.time) -> int:
    """Return a time of day as µs after midnight."""
    return ((cutoff.hour * 60 + cutoff.minute) * 60 + cutoff.second) * 10**6 + cutoff.microsecond


class _Days:
    """Local dates from ``first`` on: where each starts, where its open time ends, counts."""

    def __init__(self, calendar: Calendar, first: dt.date, count: int) -> None:
        import numpy as np

        zone = calendar.tz
        index = calendar._index
        self.zone = zone
        self.first = first
        self.first_day = (first - _EPOCH_DATE).days
        edges = [
            first_instant_at(dt.datetime.combine(first + n * _ONE_DAY, dt.time()), zone)
            for n in range(count + 1)
        ]
        last_open: list[int] = []
        for lo, hi in itertools.pairwise(edges):
            end = NAT
            for _, close_at in index.iter_periods(lo, hi):
                end = close_at
            last_open.append(end)
        self.starts = np.array(edges, dtype="int64")
        self.last_open = np.array(last_open, dtype="int64")
        # business[n]: how many of dates 0..n have open time.
        self.business = np.cumsum(self.last_open != NAT)
        # firsts[k]: the first date by which k business days have passed, so a
        # ticket's answer is an index, not a binary search per ticket.
        self.firsts = np.searchsorted(
            self.business, np.arange(int(self.business[-1]) + 1), side="left"
        )
        #: The zone's transitions over these dates and the offsets between them (None at the
        #: edges of the datetime range).
        self.transitions = _transitions(zone, edges)
        # Which stretch between transitions each instant lies in: a bucket table, not a
        # binary search per instant.
        self.stretches = None if self.transitions is None else _Lookup(self.transitions[0])
        self.buckets: dict[tuple[int, int | None], _Buckets] = {}

    def covers(self, first: dt.date, count: int) -> bool:
        """Return whether this table holds dates ``first`` to ``first + count`` (exclusive)."""
        return self.first <= first and first + count * _ONE_DAY <= self.first + (
            len(self.last_open) * _ONE_DAY
        )

    def place(self, t: IntArray, cutoff_us: int | None) -> tuple[IntArray, BoolArray | None]:
        """Return each instant's local date (a position here) and whether it is past the cut-off.

        The positions may fall outside the table (the caller checks); with no
        cut-off the second array is None.
        """
        import numpy as np

        if self.transitions is None:
            # Dates at the edge of the datetime range: the zone is asked row by row.
            wall = [from_us(int(each), self.zone) for each in t.tolist()]
            dates = np.array([(w.date() - self.first).days for w in wall], dtype="int64")
            if cutoff_us is None:
                return dates, None
            clock = np.array([_time_us(w.time()) for w in wall], dtype="int64")
            return dates, clock >= cutoff_us
        assert self.stretches is not None  # with the transitions
        local = t + self.transitions[1][self.stretches.count_le(t)]
        day = local // US_PER_DAY
        late = None if cutoff_us is None else local - day * US_PER_DAY >= cutoff_us
        day -= self.first_day
        return day, late

    def wanted(self, dates: IntArray, late: BoolArray | None, days: int) -> IntArray:
        """Return the business-day count each date's due date reaches (``firsts``' index).

        Dates must lie in the table. With a cut-off, a ticket logged after it or
        on a closed day counts from the next business day, as ``due_from`` does.
        """
        wanted = self.business[dates] + days
        if late is not None:
            wanted += late | (self.last_open[dates] == NAT)
        return wanted


def _transitions(zone: ZoneInfo, edges: list[int]) -> tuple[IntArray, IntArray] | None:
    """Return the zone's transitions (µs) over the days ``edges`` bound, and the offsets between.

    ``offsets[k]`` is the UTC offset (µs) from ``changes[k - 1]`` to ``changes[k]``.
    A transition is found where the offsets at a day's start and end (or at one
    day's end and the next day's start) differ: no zone in the tz database
    changes its clocks twice within two days, so there is one, and a bisection
    finds its first instant. None at the edges of the datetime range.
    """
    import numpy as np

    if edges[0] < MIN_US or edges[-1] - 1 > MAX_US:
        return None
    points = [point for lo, hi in itertools.pairwise(edges) for point in (lo, hi - 1)]
    readings = [(point, offset_us(point, zone)) for point in points]
    changes: list[int] = []
    offsets = [readings[0][1]]
    for (a, before), (b, after) in itertools.pairwise(readings):
        if before != after:
            changes.append(_change(zone, a, b, after))
            offsets.append(after)
    return np.array(changes, dtype="int64"), np.array(offsets, dtype="int64")


def _change(zone: ZoneInfo, lo: int, hi: int, after: int) -> int:
    """Return the first instant in (``lo``, ``hi``] with offset ``after`` (one change between)."""
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if offset_us(middle, zone) == after:
            hi = middle
        else:
            lo = middle
    return hi


class _Buckets:
    """Due instants by bucket of time: ``due[(t - low) // width]`` for ``low <= t < high``.

    ``width`` divides a day, every UTC offset and transition of the zone over the
    table's dates, and the cut-off, and ``low`` is a day start: so no bucket holds
    a midnight, a change of offset, or a cut-off (in wall-clock time) inside it,
    and every instant of a bucket has its start's wall-clock date and side of the
    cut-off, hence its answer. ``due`` is None where no table of reasonable size fits.
    """

    def __init__(self, table: _Days, days: int, cutoff_us: int | None) -> None:
        import numpy as np

        self.low = self.high = 0
        self.width = 1
        self.due: IntArray | None = None
        if table.transitions is None:
            return
        changes, offsets = table.transitions
        base = int(table.starts[0])
        parts = [US_PER_DAY, base, cutoff_us or 0, *offsets.tolist(), *changes.tolist()]
        width = math.gcd(*parts)
        count = (int(table.starts[-1]) - base) // width
        if count > _MAX_BUCKETS:
            return
        dates, late = table.place(base + width * np.arange(count, dtype="int64"), cutoff_us)
        inside = (dates >= 0) & (dates < table.last_open.size)
        np.clip(dates, 0, table.last_open.size - 1, out=dates)
        wanted = table.wanted(dates, late, days)
        inside &= wanted <= table.business[-1]
        # The longest run of buckets inside (it misses at most a few at either end).
        outside = np.flatnonzero(~inside)
        bounds = np.concatenate(([-1], outside, [count]))
        run = int(np.argmax(np.diff(bounds)))
        begin, end = int(bounds[run]) + 1, int(bounds[run + 1])
        if begin >= end:
            return
        self.width = width
        self.low = base + begin * width
        self.high = base + end * width
        self.due = table.last_open[table.firsts[wanted[begin:end]]]

    def covers(self, low: int, high: int) -> bool:
        """Return whether every instant from ``low`` to ``high`` (inclusive) has a bucket."""
        return self.due is not None and self.low <= low and high < self.high

    def answer(self, t: IntArray, *, spare: bool) -> IntArray:
        """Return the due instant of each of ``t`` (all covered) in three passes.

        The answers take ``t``'s place if it is ``spare`` (the caller's own copy),
        else one new array: a new array costs as much as a pass (its pages are new).
        """
        import numpy as np

        due = self.due
        assert due is not None  # covered
        index = np.subtract(t, self.low, out=t if spare else None)
        np.floor_divide(index, self.width, out=index)
        # Each element is read before it is written over, so the answers can reuse
        # the indices' array ("clip" takes indices as they are; they are in range).
        return np.take(due, index, out=index, mode="clip")


def _buckets(table: _Days, days: int, cutoff_us: int | None) -> _Buckets:
    """Return the table of answers for ``days`` and the cut-off, built once per day table."""
    key = (days, cutoff_us)
    found = table.buckets.get(key)
    if found is None:
        found = _Buckets(table, days, cutoff_us)
        # Two threads may both build one here; either answers the same, so no lock.
        if len(table.buckets) >= _BUCKETS_KEPT:
            table.buckets.pop(next(iter(table.buckets)), None)
        table.buckets[key] = found
    return found


#: How many day tables a calendar keeps for repeated batches.
_TABLES_KEPT = 8


def _days(calendar: Calendar, first: dt.date, count: int) -> _Days:
    """Return a day table covering ``count`` dates from ``first``, reusing one the calendar kept."""
    kept: list[_Days] = calendar._index.day_tables
    for table in reversed(kept):
        if table.covers(first, count):
            return table
    table = _Days(calendar, first, count)
    # Two threads may both build a table here; either answers the same, so no lock.
    kept.append(table)
    del kept[:-_TABLES_KEPT]
    return table


def _answers(
    calendar: Calendar,
    days: int,
    cutoff_us: int | None,
    t: IntArray,
    *,
    low: int,
    high: int,
    spare: bool = False,
) -> IntArray:
    """Return the due instant (µs) of each of ``t`` (no NaT; ``low``/``high`` its extremes).

    With ``spare`` the answers may be written over ``t``.
    """
    zone = calendar.tz
    # The dates a table may hold: those whose start and end a datetime can hold.
    floor = from_us(MIN_US, zone).date() + _ONE_DAY
    ceiling = from_us(MAX_US, zone).date()
    first = max(from_us(low, zone).date(), floor + _ONE_DAY) - _ONE_DAY
    last = from_us(high, zone).date()
    span = (last - first).days + 1
    # Look ahead far enough for ``days`` business days after the last date, widening as needed.
    ahead = max(2 * days + 2, 14)
    while True:
        room = (ceiling - first).days
        table = _days(calendar, first, min(span + ahead, room))
        if days > 0:
            buckets = _buckets(table, days, cutoff_us)
            if buckets.covers(low, high):
                return buckets.answer(t, spare=spare)
        dates, late = table.place(t, cutoff_us)
        if int(dates.min()) < 0:
            raise OutOfRangeError("logged_at: an element lies within a day of year 1")
        if int(dates.max()) < table.last_open.size:
            wanted = table.wanted(dates, late, days)
            if days <= 0 and int((wanted - table.business[dates]).min()) <= 0:
                # A 0th business day: ``due_from`` never reaches one, it searches to its horizon.
                break
            if int(wanted.max()) <= int(table.business[-1]):
                return table.last_open[table.firsts[wanted]]
        if span + ahead >= room:
            # As ``due_from`` does when its walk reaches the end of the datetime range.
            raise OutOfRangeError(
                "logged_at: the search for an element's due date ran past the range "
                "a datetime can hold"
            )
        if ahead > _HORIZON_DAYS:
            break
        ahead *= 4
    raise NoBusinessTimeError(
        f"{calendar!r} has no {days} business days after some element of the batch"
    )


def due_many(
    calendar: Calendar,
    days: int,
    cutoff: dt.time | None,
    logged_at: Any,
    due_from: Callable[[Calendar, dt.datetime], dt.datetime],
) -> Any:
    """Return ``due_from(calendar, t)`` (the ``days``-th business day) for each ``t`` given.

    ``logged_at`` is any container ``Calendar.elapsed_many`` takes; the result
    is shaped like it (as ``Calendar.add_many`` shapes its answers), missing
    values staying missing. ``cutoff`` is the target's cut-off, if any.
    ``due_from`` (``BusinessDays.due_from``) answers one at a time where NumPy
    is missing.
    """
    np = _numpy_or_none()
    column = _instants(logged_at, "logged_at")
    if np is None:  # pragma: no cover - exercised only without numpy
        return [
            None if t == NAT else due_from(calendar, from_us(t, calendar.tz)) for t in column.data
        ]
    zone = calendar.tz
    data = column.data
    if not data.size:
        return _shape_instants(column, np.full(data.shape, NAT, dtype="int64"), zone)
    if days <= 0 and cutoff is None:
        # ``due_from`` never reaches a 0th business day: it searches to its horizon.
        raise NoBusinessTimeError(f"{calendar!r} has no {days}th business day after a date")
    cutoff_us = None if cutoff is None else _time_us(cutoff)
    low = int(data.min())
    high = int(data.max())
    if low != NAT:
        # Nothing missing (the common case): no mask, no copies.
        result = _answers(calendar, days, cutoff_us, data, low=low, high=high)
        return _shape_instants(column, result, zone)
    if high == NAT:
        return _shape_instants(column, np.full(data.shape, NAT, dtype="int64"), zone)
    # NaT is the least int64, so ``high`` is the latest instant given. Missing values
    # stand in as it and are put back after: whole arrays, no gathers or scatters.
    missing = data == NAT
    filled = np.where(missing, high, data)
    result = _answers(
        calendar, days, cutoff_us, filled, low=int(filled.min()), high=high, spare=True
    )
    np.putmask(result, missing, NAT)
    return _shape_instants(column, result, zone)
