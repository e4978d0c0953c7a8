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
the zone's transitions over the table's dates come from the engine's reading
of the zone's file (``engine._steady.transitions``; ``_Offsets``).
Better still, time can be cut into buckets of one width (an hour for most
zones) such that every day start, transition, and cut-off falls on a bucket
edge: then every instant of a bucket has the same answer, and a ticket's due
instant is one division and one look-up in a table of answers per bucket
(``_Buckets``). The buckets serve whenever the batch lies inside them; a
zone whose offsets are not whole minutes of a common width (local mean time
before 1900, say) or a very long span is answered by ``_Days.place`` per row.

A batch whose dates lie far apart (rows centuries apart, or a target of more
days than ``due_from`` looks ahead) would need a table of every date between;
it is answered by asking ``due_from`` once per local date instead (``_by_date``),
so it never costs much more than a loop. Rows ``due_from`` refuses (its search
leaves the datetime range or its horizon; a cut-off on a day 0 that begins
before the range) raise its error, the first such row's, naming the row.

The answers are ``due_from``'s: the same day boundaries, the same last open
instant, the wall-clock date and time read with the zone's offset at the
instant (as ``astimezone`` reads them), so a day whose clock falls back across
midnight reads as ``due_from`` reads it.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slaclock.engine._batch import NAT, _instants, _Lookup, _numpy_or_none, _shape_instants
from slaclock.engine._steady import transitions
from slaclock.engine._time import (
    EPOCH,
    MAX_US,
    MIN_US,
    ONE_US,
    RANGE_TEXT,
    US_PER_DAY,
    first_instant_at,
    from_us,
    offset_us,
    to_us,
)
from slaclock.engine.calendar import Calendar
from slaclock.errors import OutOfRangeError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    BoolArray = npt.NDArray[np.bool_]

__all__ = ["due_many"]

#: ``BusinessDays``' one-row answer: ``due(calendar, logged_at, where)``, ``where`` naming
#: the row in its errors.
Due = Callable[[Calendar, dt.datetime, str], dt.datetime]

_ONE_DAY = dt.timedelta(days=1)
_EPOCH_DATE = dt.date(1970, 1, 1)
#: After how many rows placed one by one a day table reads the zone's transitions (if no
#: query has yet): reading them first costs milliseconds, as much as placing about so many.
_READ_ROWS = 2048
#: A batch whose dates need a longer day table than this, and longer than asking
#: ``due_from`` once per date would cost, is answered per date (``_by_date``).
_TABLE_DATES = 3660
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
        #: The zone's offsets over these dates, and the day either side where a ticket's
        #: day 0 may lie (within the range a datetime can hold).
        self.span = (max(edges[0] - US_PER_DAY, MIN_US), min(edges[-1] + US_PER_DAY, MAX_US))
        self.zone_offsets = _Offsets(zone, *self.span, read=False)
        #: How many rows this table has placed one by one.
        self.placed = 0
        self.buckets: dict[tuple[int, int | None], _Buckets] = {}

    def prepare(self, rows: int) -> None:
        """Take the zone's transitions once they can be had: read since by another query, or
        read now if this table has placed (or is to place) ``_READ_ROWS`` rows one by one,
        which costs about as much as reading them. Until then rows are placed one by one."""
        if self.zone_offsets.final:
            return
        read = self.placed + rows >= _READ_ROWS
        found = _Offsets(self.zone, *self.span, read=read)
        if found.final:
            self.zone_offsets = found
            self.buckets.clear()  # those built without the transitions had no buckets

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
        if self.zone_offsets.changes is None:
            self.placed += t.size
        day, late = self.zone_offsets.place(t, cutoff_us)
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

    def settle(
        self, t: IntArray, days: int, cutoff_us: int | None, horizon: int, ceiling: dt.date
    ) -> tuple[IntArray, BoolArray, BoolArray]:
        """Return the due instants of ``t`` (µs), which of them are answered, and which a wider
        table could answer.

        As ``due_from``: a row is answered if its day 0 is known (a cut-off needs
        its open time), and its due date lies in the table within ``horizon``
        dates after day 0. The rest are refused by ``due_from`` unless the table
        ends before both that horizon and ``ceiling`` (the last date it may hold).
        """
        import numpy as np

        dates, late = self.place(t, cutoff_us)
        size = self.last_open.size
        # Day 0 may lie one date before the table (its start before the range) or past it.
        before = dates < 0
        past = dates >= size
        spot = np.clip(dates, 0, size - 1)
        base = self.business[spot]
        base[before] = 0
        wanted = base + days
        known = ~past
        if late is not None:
            # Logged after the cut-off or on a closed day: one more business day. A day 0
            # before the table has open time nobody can know.
            known &= late | ~before
            wanted += late | ((self.last_open[spot] == NAT) & ~before)
        top = int(self.business[-1])
        found = self.firsts[np.clip(wanted, 0, top)]
        moving = known & (wanted > base)
        done = moving & (wanted <= top) & (found - dates <= horizon)
        last = self.first + (size - 1) * _ONE_DAY
        wider = moving & (wanted > top)
        if last >= ceiling:
            wider[...] = False
        else:
            wider &= dates + horizon > size - 1
        due = self.last_open[found]
        return due, done, wider


class _Offsets:
    """The zone's UTC offsets over instants ``lo`` to ``hi``: where they change, and to what.

    The changes are the engine's reading of the zone's transitions
    (``engine._steady.transitions``), each offset asked of the zone itself.
    ``changes`` is None where that reading cannot be had (a zone not the one
    its key names, a Python without ``zoneinfo``'s pure-Python reader): then
    ``place`` asks the zone row by row.
    """

    def __init__(self, zone: ZoneInfo, lo: int, hi: int, *, read: bool) -> None:
        import numpy as np

        self.zone = zone
        self.changes: IntArray | None = None
        #: ``offsets[k]`` is the UTC offset (µs) from ``changes[k - 1]`` to ``changes[k]``.
        self.offsets: IntArray | None = None
        self.stretches: _Lookup | None = None
        # Reading a zone the process has not read costs milliseconds (the first time,
        # importing ``zoneinfo``'s Python reader): a small batch places its rows one by one.
        reading = transitions(zone, read=read)
        #: Whether asking again could not find more.
        self.final = read or reading is not None
        if reading is None:
            return
        offsets = [offset_us(lo, zone)]
        changes: list[int] = []
        for change in reading.between(lo, hi):
            offset = offset_us(change, zone)
            if offset != offsets[-1]:  # not one that changes nothing (a new year, a name)
                changes.append(change)
                offsets.append(offset)
        self.changes = np.array(changes, dtype="int64")
        self.offsets = np.array(offsets, dtype="int64")
        # Which stretch between changes each instant lies in: a bucket table, not a
        # binary search per instant.
        self.stretches = _Lookup(self.changes)

    def place(self, t: IntArray, cutoff_us: int | None) -> tuple[IntArray, BoolArray | None]:
        """Return each instant's local date (days since 1970-01-01) and whether it is past the
        cut-off (None without one), as ``astimezone`` reads them."""
        import numpy as np

        if self.stretches is None or self.offsets is None:
            wall = [from_us(each, self.zone) for each in t.tolist()]
            epoch = _EPOCH_DATE.toordinal()
            dates = np.array([w.toordinal() - epoch for w in wall], dtype="int64")
            if cutoff_us is None:
                return dates, None
            clock = np.array([_time_us(w.time()) for w in wall], dtype="int64")
            return dates, clock >= cutoff_us
        local = t + self.offsets[self.stretches.count_le(t)]
        day = local // US_PER_DAY
        late = None if cutoff_us is None else local - day * US_PER_DAY >= cutoff_us
        return day, late


class _Buckets:
    """Due instants by bucket of time: ``due[(t - low) // width]`` for ``low <= t < high``.

    ``width`` divides a day, every UTC offset and transition of the zone over the
    table's dates, and the cut-off, and ``low`` is a day start: so no bucket holds
    a midnight, a change of offset, or a cut-off (in wall-clock time) inside it,
    and every instant of a bucket has its start's wall-clock date and side of the
    cut-off, hence its answer. ``due`` is None where no table of reasonable size fits.
    """

    def __init__(self, table: _Days, days: int, cutoff_us: int | None, horizon: int) -> None:
        import numpy as np

        self.low = self.high = 0
        self.width = 1
        self.due: IntArray | None = None
        changes, offsets = table.zone_offsets.changes, table.zone_offsets.offsets
        if changes is None or offsets is None:
            return
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
        top = int(table.business[-1])
        inside &= wanted <= top
        # As ``due_from``: the due date lies within ``horizon`` dates after day 0.
        inside &= table.firsts[np.minimum(wanted, top)] - dates <= horizon
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


def _buckets(table: _Days, days: int, cutoff_us: int | None, horizon: int) -> _Buckets:
    """Return the table of answers for ``days`` and the cut-off, built once per day table."""
    key = (days, cutoff_us)
    found = table.buckets.get(key)
    if found is None:
        found = _Buckets(table, days, cutoff_us, horizon)
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


@functools.lru_cache(maxsize=64)
def _date_range(zone: ZoneInfo) -> tuple[dt.date, dt.date]:
    """Return the first and last local dates whose start and end a datetime can hold.

    The dates a day table may hold: a ticket's day 0 may lie one date either side
    (the dates holding the first and last instants a query accepts).
    """
    first = from_us(MIN_US, zone).date()
    try:
        starts_inside = first_instant_at(dt.datetime.combine(first, dt.time()), zone) >= MIN_US
    except OutOfRangeError:
        starts_inside = False
    if not starts_inside:
        first += _ONE_DAY
    return first, from_us(MAX_US, zone).date() - _ONE_DAY


class _Rows:
    """The batch's rows as ``due_from`` sees them: where each is, and the instant it holds."""

    def __init__(self, column: Any, data: IntArray, due: Due) -> None:
        self.column = column
        self.data = data
        self.due = due

    def where(self, flat: int) -> str:
        """Return how an error names the row at C-order position ``flat``: ``logged_at[3]``."""
        import numpy as np

        shape = self.data.shape
        place = flat if len(shape) < 2 else ", ".join(map(str, np.unravel_index(flat, shape)))
        return f"logged_at[{place}]"

    def instant(self, flat: int) -> dt.datetime:
        """Return the row's instant as the caller gave it (a list's own datetime), else in UTC."""
        if self.column.kind == "list":
            given: dt.datetime = self.column.values[flat]
            return given
        return EPOCH + ONE_US * int(self.data.flat[flat])

    def answer(self, calendar: Calendar, flat: int) -> int:
        """Return ``due_from`` of one row (µs); its error names the row."""
        return to_us(self.due(calendar, self.instant(flat), self.where(flat)))

    def refuse_outside(self, real: BoolArray | None) -> None:
        """Raise OutOfRangeError for the first row a query would refuse as out of range."""
        import numpy as np

        data = self.data
        outside = (data < MIN_US) | (data > MAX_US)
        if real is not None:
            outside &= real
        flat = int(np.argmax(outside.reshape(-1)))
        us = int(data.flat[flat])
        try:
            text = (EPOCH + ONE_US * us).isoformat()
        except OverflowError:
            text = f"{np.datetime64(us, 'us')}+00:00"
        # As ``to_us`` says it of a list's element.
        raise OutOfRangeError(
            f"{self.where(flat)} {text} is too near the ends of the range a datetime can hold "
            f"({RANGE_TEXT})"
        )


def _answers(
    calendar: Calendar,
    days: int,
    cutoff_us: int | None,
    t: IntArray,
    rows: _Rows,
    *,
    real: BoolArray | None,
    low: int,
    high: int,
    horizon: int,
    spare: bool = False,
) -> IntArray:
    """Return the due instant (µs) of each of ``t`` (no NaT; ``low``/``high`` its extremes).

    Rows outside ``real`` (None: all) are stand-ins for missing values: their
    answers are not used. With ``spare`` the answers may be written over ``t``.
    A row ``due_from`` refuses raises its error, the first such row's, naming it.
    """
    import numpy as np

    zone = calendar.tz
    floor, ceiling = _date_range(zone)
    low_date = from_us(low, zone).date()
    high_date = from_us(high, zone).date()
    span = (high_date - low_date).days + 1
    # Look ahead far enough for ``days`` business days after the last date, widening as
    # needed, but never past ``due_from``'s horizon.
    ahead = min(max(2 * days + 2, 14), horizon + 1)
    keys = min(t.size, 2 * span)
    if span + ahead > max(_TABLE_DATES, keys * ahead):
        # Dates far apart: a table of every date between would cost more than asking
        # ``due_from`` once for each date a row lies on (a walk of about ``ahead`` dates).
        return _by_date(calendar, cutoff_us, t, rows, real)
    first = max(low_date, floor + _ONE_DAY) - _ONE_DAY
    while True:
        count = min((high_date - first).days + 1 + ahead, (ceiling - first).days + 1)
        table = _days(calendar, first, count)
        table.prepare(t.size)
        if days > 0:
            buckets = _buckets(table, days, cutoff_us, horizon)
            if buckets.covers(low, high):
                return buckets.answer(t, spare=spare)
        due, done, wider = table.settle(t, days, cutoff_us, horizon, ceiling)
        if real is not None:
            done |= ~real
            wider &= real
        if wider.any() and ahead <= horizon and count < (ceiling - first).days + 1:
            ahead = min(ahead * 4, horizon + 1)
            continue
        if not done.all():
            # Rows ``due_from`` refuses (or, were the table wrong, answers): ask it, in order.
            for flat in np.flatnonzero(~done.reshape(-1)).tolist():
                due.flat[flat] = rows.answer(calendar, flat)
        return due


def _by_date(
    calendar: Calendar, cutoff_us: int | None, t: IntArray, rows: _Rows, real: BoolArray | None
) -> IntArray:
    """Return ``due_from`` of each row, asked once per local date (and side of the cut-off).

    ``due_from``'s answer depends on nothing else; the dates are asked in the
    order their first rows come, so an error is the first failing row's.
    """
    import numpy as np

    zone = calendar.tz
    chosen = np.flatnonzero(real.reshape(-1)) if real is not None else np.arange(t.size)
    instants = t.reshape(-1)[chosen]
    low, high = int(instants.min()), int(instants.max())
    dates, late = _Offsets(zone, low, high, read=t.size >= _READ_ROWS).place(instants, cutoff_us)
    keys = dates * 2
    if late is not None:
        keys += late
    _, firsts, inverse = np.unique(keys, return_index=True, return_inverse=True)
    answers = np.empty(firsts.size, dtype="int64")
    for k in np.argsort(firsts, kind="stable").tolist():
        answers[k] = rows.answer(calendar, int(chosen[firsts[k]]))
    due = np.full(t.shape, NAT, dtype="int64")
    due.reshape(-1)[chosen] = answers[inverse.reshape(-1)]
    return due


def due_many(
    calendar: Calendar,
    days: int,
    cutoff: dt.time | None,
    logged_at: Any,
    due: Due,
    *,
    horizon: int,
) -> Any:
    """Return ``due(calendar, t, where)`` (the ``days``-th business day) for each ``t`` given.

    ``logged_at`` is any container ``Calendar.elapsed_many`` takes; the result
    is shaped like it (as ``Calendar.add_many`` shapes its answers), missing
    values staying missing. ``cutoff`` is the target's cut-off, if any. ``due``
    (``BusinessDays``' ``due_from`` naming its instant ``where``) answers one at
    a time where NumPy is missing, and raises the error of a row it refuses;
    ``horizon`` is how many days after day 0 it looks.

    Row for row the answers and errors are ``due_from``'s: a row it refuses raises
    its error class, naming the row (the first such row); rows outside the range
    a datetime can hold are refused first, as every batch function refuses them.
    """
    np = _numpy_or_none()
    column = _instants(logged_at, "logged_at")
    zone = calendar.tz
    if np is None:  # pragma: no cover - exercised only without numpy
        return [
            None
            if t == NAT
            else from_us(to_us(due(calendar, from_us(t, zone), f"logged_at[{i}]")), zone)
            for i, t in enumerate(column.data)
        ]
    data = column.data
    rows = _Rows(column, data, due)
    high = int(data.max()) if data.size else NAT
    if high == NAT:
        # Nothing given, or every value missing: nothing to answer or refuse.
        return _shape_instants(column, np.full(data.shape, NAT, dtype="int64"), zone)
    cutoff_us = None if cutoff is None else _time_us(cutoff)
    low = int(data.min())
    if low != NAT:
        # Nothing missing (the common case): no mask, no copies.
        if low < MIN_US or high > MAX_US:
            rows.refuse_outside(None)
        result = _answers(
            calendar, days, cutoff_us, data, rows, real=None, low=low, high=high, horizon=horizon
        )
        return _shape_instants(column, result, zone)
    # NaT is the least int64, so ``high`` is the latest instant given. Missing values
    # stand in as it and are put back after: whole arrays, no gathers or scatters.
    missing = data == NAT
    filled = np.where(missing, high, data)
    low = int(filled.min())
    if low < MIN_US or high > MAX_US:
        rows.refuse_outside(~missing)
    result = _answers(
        calendar,
        days,
        cutoff_us,
        filled,
        rows,
        real=~missing,
        low=low,
        high=high,
        horizon=horizon,
        spare=True,
    )
    np.putmask(result, missing, NAT)
    return _shape_instants(column, result, zone)
