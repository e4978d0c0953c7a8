"""Business-day targets for many tickets at once: ``BusinessDays.due_many``.

``BusinessDays.due_from`` walks day by day from the day a ticket was logged,
asking the calendar for each day's open periods; for 100,000 tickets that is
minutes. Here the walk is done once for the whole batch: for every local date
the batch can reach, where its day starts (``day_start``) and where its last
open time ends, and a running count of business days. A ticket is then two
look-ups in those arrays: which local date it was logged on (a bucket table,
``engine._batch._Lookup``), and the first date whose count is ``days`` higher
(a table indexed by count). The calendar keeps the day tables of its last
few batches (beside the batch functions' own tables), so a repeated batch
reads them instead of walking the dates again.

The answers are ``due_from``'s: the same day boundaries, the same last open
instant. A logging instant on a day whose UTC offset changes between its first
and last instants (a daylight-saving day) has its wall-clock date read as
``due_from`` reads it, since there the date may not follow from the day
boundaries alone (a clock falling back across midnight).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from slaclock.engine._batch import NAT, _instants, _Lookup, _numpy_or_none, _shape_instants
from slaclock.engine._time import MAX_US, MIN_US, first_instant_at, from_us
from slaclock.engine.calendar import Calendar
from slaclock.errors import NoBusinessTimeError

__all__ = ["due_many"]

_ONE_DAY = dt.timedelta(days=1)
#: How far past the last logging date a batch looks for business days (as ``due_from``).
_HORIZON_DAYS = 366 * 50


class _Days:
    """Local dates from ``first`` on: where each starts, where its open time ends, counts."""

    def __init__(self, calendar: Calendar, first: dt.date, count: int) -> None:
        import numpy as np

        zone = calendar.tz
        index = calendar._index
        self.first = first
        edges = [
            first_instant_at(dt.datetime.combine(first + n * _ONE_DAY, dt.time()), zone)
            for n in range(count + 1)
        ]
        last_open: list[int] = []
        clean: list[bool] = []
        for n in range(count):
            lo, hi = edges[n], edges[n + 1]
            end = NAT
            for _, close_at in index.iter_periods(lo, hi):
                end = close_at
            last_open.append(end)
            clean.append(
                from_us(lo, zone).utcoffset() == from_us(hi - 1, zone).utcoffset()
                if lo >= MIN_US and hi - 1 <= MAX_US
                else False
            )
        self.starts = np.array(edges, dtype="int64")
        self.last_open = np.array(last_open, dtype="int64")
        self.clean = np.array(clean, dtype=bool)
        # business[n]: how many of dates 0..n have open time.
        self.business = np.cumsum(self.last_open != NAT)

        self.dates = _Lookup(self.starts)
        # firsts[k]: the first date by which k business days have passed, so a
        # ticket's answer is an index, not a binary search per ticket.
        self.firsts = np.searchsorted(
            self.business, np.arange(int(self.business[-1]) + 1), side="left"
        )

    def covers(self, first: dt.date, count: int) -> bool:
        """Return whether this table holds dates ``first`` to ``first + count`` (exclusive)."""
        return self.first <= first and first + count * _ONE_DAY <= self.first + (
            len(self.last_open) * _ONE_DAY
        )


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


def due_many(
    calendar: Calendar,
    days: int,
    logged_at: Any,
    due_from: Callable[[Calendar, dt.datetime], dt.datetime],
) -> Any:
    """Return ``due_from(calendar, t)`` (the ``days``-th business day) for each ``t`` given.

    ``logged_at`` is any container ``Calendar.elapsed_many`` takes; the result
    is shaped like it (as ``Calendar.add_many`` shapes its answers), missing
    values staying missing. ``due_from`` (``BusinessDays.due_from``) answers
    one at a time where NumPy is missing.
    """
    np = _numpy_or_none()
    column = _instants(logged_at, "logged_at")
    if np is None:  # pragma: no cover - exercised only without numpy
        return [
            None if t == NAT else due_from(calendar, from_us(t, calendar.tz)) for t in column.data
        ]
    if days <= 0:
        # ``due_from`` never reaches a 0th business day: it searches to its horizon.
        raise NoBusinessTimeError(f"{calendar!r} has no {days}th business day after a date")
    zone = calendar.tz
    data = column.data
    valid = data != NAT
    result = np.full(data.shape, NAT, dtype="int64")
    if not valid.any():
        return _shape_instants(column, result, zone)
    present = data[valid]
    first = from_us(int(present.min()), zone).date() - _ONE_DAY
    last = from_us(int(present.max()), zone).date()
    span = (last - first).days + 1
    # Look ahead far enough for ``days`` business days after the last date, widening as needed.
    ahead = max(2 * days, 14)
    while True:
        table = _days(calendar, first, span + ahead)
        logged = table.dates.count_le(present) - 1
        unclear = np.flatnonzero(~table.clean[logged])
        for position in unclear.tolist():
            # On a day whose offset changes, read the wall-clock date as due_from does.
            instant = from_us(int(present[position]), zone)
            logged[position] = (instant.date() - table.first).days
        wanted = table.business[logged] + days
        if int(wanted.max()) <= int(table.business[-1]):
            break
        if ahead > _HORIZON_DAYS:
            raise NoBusinessTimeError(
                f"{calendar!r} has no {days} business days after some element of the batch"
            )
        ahead *= 4
    answers = table.last_open[table.firsts[wanted]]
    result[valid] = answers
    return _shape_instants(column, result, zone)
