"""The period index: the one mechanism every calendar query goes through.

A source (weekly hours, 24x7, a composition) lists its open intervals for any
span of time. The index cuts time into fixed chunks of ``2**45`` µs (about 407
days), asks the source for each chunk once, and keeps for it the sorted
starts and ends of its open intervals plus the running total of open time.
A query then costs a bisection inside the chunks at its two ends and one
addition per whole chunk between them, so a 10-year ``elapsed`` costs about
what a 1-day one does.

Building a chunk costs about 400 days of the source's work, which a short
question on a new calendar (a script, a serverless call, the command line)
should not pay. So, until a chunk is built, a query that stays within a few
*pieces* of ``2**39`` µs (about 6.4 days) is answered from pieces, each built
on its own the same way; one that reaches further but stays within a few
*spans* of ``2**42`` µs (about 51 days, so up to about 15 months) from spans;
a query that reaches further still builds chunks. A search on pieces or spans
that runs past their reach starts again on the next coarser level. Every
level comes from the same ``source.intervals`` clipped to its cells, so they
give the same answers.

Before any of that, a new index answers its first few ``elapsed`` and ``add``
questions (``COLD_ANSWERS``) without building a level at all, where its source
can say where it repeats one week (weekly hours, 24x7, and compositions of
those): between the zones' transitions, the open time is one week's template
repeated but for holidays and overrides, so the answer is arithmetic on the
template, corrected day by day for those (``_template``). After those questions
the levels are built as above, and the index answers from them.

All instants here are integer microseconds since the epoch (see ``_time``).
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from itertools import accumulate
from operator import sub
from typing import Any, Protocol

from ._template import TemplatedSource, cold_add, cold_elapsed
from ._time import MAX_US, MIN_US
from .errors import NoBusinessTimeError, NoClosingTimeError, OutOfRangeError

CHUNK_BITS = 45
CHUNK_US = 1 << CHUNK_BITS
#: How many consecutive chunks (about 53 years) a search crosses before it gives up.
HORIZON_CHUNKS = 48
#: How many chunks an index keeps (about 570 years); the oldest built is dropped first.
MAX_CACHED_CHUNKS = 512

PIECE_BITS = 39
PIECE_US = 1 << PIECE_BITS
#: How many pieces past its first a query may reach before spans answer instead.
PIECE_REACH = 8
#: How many pieces an index keeps (about 18 years); the oldest built is dropped first.
MAX_CACHED_PIECES = 1024

SPAN_BITS = 42
SPAN_US = 1 << SPAN_BITS
#: How many spans past its first a query may reach before chunks are built instead.
SPAN_REACH = 8
#: A query that needs more than this many spans of the chunk where it starts builds the chunk.
SPAN_MOST = 5
_LAST_SPAN_IN_CHUNK = (1 << (CHUNK_BITS - SPAN_BITS)) - 1
#: How many spans an index keeps (about 18 years); the oldest built is dropped first.
MAX_CACHED_SPANS = 128

#: How many questions an index answers from its source's weekly template (``_template``)
#: before it builds levels: a few questions on a new calendar build nothing, many
#: share the index that makes each one cheaper.
COLD_ANSWERS = 16
#: The most stretches (runs between transitions, within one local year) one template
#: answer may walk. A question that needs more (a desk in a zone with daylight saving,
#: four stretches a year and the hour after the clocks go back, over about eight years
#: or more) costs more walked than the index costs built, and is asked again warm; it
#: goes to the index at once.
COLD_STEPS = 32

_PAST_THE_END = "the search ran past the range a datetime can hold (years 1 to 9999)"

FIRST_CHUNK = MIN_US >> CHUNK_BITS
LAST_CHUNK = MAX_US >> CHUNK_BITS
_FIRST_PIECE = MIN_US >> PIECE_BITS
_LAST_PIECE = MAX_US >> PIECE_BITS

Intervals = tuple[list[int], list[int]]


class PeriodSource(Protocol):
    """Anything that can list its open time: sorted, disjoint, merged intervals."""

    def intervals(self, lo: int, hi: int) -> Intervals:
        """Return the open intervals within ``[lo, hi)`` as parallel start and end lists.

        Intervals are sorted, disjoint, non-empty, clipped to ``[lo, hi)``, and
        adjacent ones are merged.
        """
        ...

    def to_data(self) -> dict[str, Any]:
        """Return the source as JSON-ready data that ``Calendar.from_dict`` reads back."""
        ...


class Chunk:
    """The open intervals of one chunk (or piece) and their running totals."""

    __slots__ = ("cum_end", "ends", "hi", "lo", "starts", "total")

    def __init__(self, lo: int, hi: int, starts: list[int], ends: list[int]) -> None:
        self.lo = lo
        self.hi = hi
        self.starts = starts
        self.ends = ends
        if len(starts) != len(ends):
            raise ValueError("an interval list needs as many ends as starts")
        cum_end: list[int] = list(accumulate(map(sub, ends, starts)))
        self.cum_end = cum_end
        self.total = cum_end[-1] if cum_end else 0

    def before(self, t: int) -> int:
        """Return the open time in ``[self.lo, t)``, for ``t`` inside the chunk."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        overshoot = self.ends[i] - t
        return self.cum_end[i] - overshoot if overshoot > 0 else self.cum_end[i]

    def instant_at(self, target: int) -> int:
        """Return the earliest instant by which ``target`` (``0 < target <= total``) has run."""
        j = bisect_left(self.cum_end, target)
        return self.ends[j] - (self.cum_end[j] - target)


class _PastReachError(Exception):
    """A query on pieces or spans reached past its level's reach or the range."""


class _Level:
    """One way of cutting time: chunks (searches to the horizon), spans or pieces (a few steps)."""

    __slots__ = ("bits", "coarser", "first", "get", "last", "reach", "total")

    def __init__(
        self,
        bits: int,
        get: Callable[[int], Chunk],
        total: Callable[[int], int],
        reach: int | None,
        coarser: _Level | None = None,
    ) -> None:
        self.bits = bits
        self.get = get
        self.total = total
        self.reach = reach
        #: The level that answers when a search here runs past ``reach``.
        self.coarser = coarser
        self.first = MIN_US >> bits
        self.last = MAX_US >> bits

    def step(self, origin: int, number: int, empty_run: int) -> None:
        """Check a search that moved from ``origin`` to ``number`` may go on there."""
        if self.reach is not None:
            if abs(number - origin) > self.reach or not self.first <= number <= self.last:
                raise _PastReachError
            return
        if empty_run >= HORIZON_CHUNKS:
            raise NoBusinessTimeError("no open time")
        if not self.first <= number <= self.last:
            raise OutOfRangeError(_PAST_THE_END)


class PeriodIndex:
    """Answers calendar queries on integer instants over a cached chunk index."""

    __slots__ = (
        "_chunks",
        "_cold",
        "_cold_left",
        "_levels",
        "_lock",
        "_pieces",
        "_spans",
        "_totals",
        "batch_tables",
        "day_tables",
        "source",
    )

    def __init__(self, source: PeriodSource) -> None:
        self.source = source
        self._chunks: dict[int, Chunk] = {}
        self._pieces: dict[int, Chunk] = {}
        self._spans: dict[int, Chunk] = {}
        # Each chunk's open time, kept for every chunk ever built (at most one int for
        # each of the ~9,000 chunks between years 1 and 9999), so spans longer than
        # the chunk cache add up totals instead of rebuilding evicted chunks.
        self._totals: dict[int, int] = {}
        self._lock = threading.Lock()
        #: The batch functions' lookup tables over runs of chunks (see ``_batch``), kept
        #: here so that repeated batches on one calendar do not rebuild them.
        self.batch_tables: dict[tuple[int, int], Any] = {}
        #: Business-day tables of ``BusinessDays.due_many`` (``sla._due_many``), newest
        #: last, kept here for the same reason and dropped with the calendar.
        self.day_tables: list[Any] = []
        # Chunks, spans and pieces, made when a query first needs one of them.
        self._levels: tuple[_Level, _Level, _Level] | None = None
        #: The source, if it answers by its weekly template while nothing is built.
        self._cold: TemplatedSource | None = (
            source  # type: ignore[assignment] # ``templated`` says it is one
            if getattr(source, "templated", False)
            else None
        )
        self._cold_left = COLD_ANSWERS

    # -- chunks and pieces --------------------------------------------------

    def chunk(self, number: int) -> Chunk:
        """Return chunk ``number``, building it from the source on first use."""
        found = self._chunks.get(number)
        if found is not None:
            return found
        lo = number << CHUNK_BITS
        hi = lo + CHUNK_US
        starts, ends = self.source.intervals(lo, hi)
        built = Chunk(lo, hi, starts, ends)
        with self._lock:
            chunks = self._chunks
            if len(chunks) >= MAX_CACHED_CHUNKS:
                del chunks[next(iter(chunks))]
            chunks[number] = built
            self._totals[number] = built.total
            # The chunk answers for its pieces and spans from now on.
            _drop_within(self._pieces, CHUNK_BITS - PIECE_BITS, number)
            _drop_within(self._spans, CHUNK_BITS - SPAN_BITS, number)
        return built

    def total(self, number: int) -> int:
        """Return the open time in chunk ``number``."""
        found = self._totals.get(number)
        return found if found is not None else self.chunk(number).total

    def span(self, number: int) -> Chunk:
        """Return span ``number`` (an 8th of a chunk), from its chunk if that is built."""
        found = self._spans.get(number)
        if found is not None:
            return found
        lo = number << SPAN_BITS
        hi = lo + SPAN_US
        chunk = self._chunks.get(number >> (CHUNK_BITS - SPAN_BITS))
        if chunk is not None:
            return _clipped(chunk, lo, hi)
        built = Chunk(lo, hi, *self.source.intervals(lo, hi))
        with self._lock:
            spans = self._spans
            if len(spans) >= MAX_CACHED_SPANS:
                del spans[next(iter(spans))]
            spans[number] = built
            # The span answers for its pieces from now on.
            _drop_within(self._pieces, SPAN_BITS - PIECE_BITS, number)
        return built

    def _span_total(self, number: int) -> int:
        found = self._spans.get(number)
        return (found if found is not None else self.span(number)).total

    def piece(self, number: int) -> Chunk:
        """Return piece ``number`` (a 64th of a chunk), from its span or chunk if built."""
        found = self._pieces.get(number)
        if found is not None:
            return found
        lo = number << PIECE_BITS
        hi = lo + PIECE_US
        whole = self._spans.get(number >> (SPAN_BITS - PIECE_BITS))
        if whole is None:
            whole = self._chunks.get(number >> (CHUNK_BITS - PIECE_BITS))
        if whole is not None:
            return _clipped(whole, lo, hi)
        built = Chunk(lo, hi, *self.source.intervals(lo, hi))
        with self._lock:
            pieces = self._pieces
            if len(pieces) >= MAX_CACHED_PIECES:
                del pieces[next(iter(pieces))]
            pieces[number] = built
        return built

    def _piece_total(self, number: int) -> int:
        found = self._pieces.get(number)
        return (found if found is not None else self.piece(number)).total

    def _level(self, a: int, b: int) -> _Level:
        """Return the level that should answer a query about ``[a, b]``.

        A level already built where the query starts answers it (if it reaches);
        otherwise the finest level whose reach covers the query.
        """
        levels = self._levels
        if levels is None:
            chunks = _Level(CHUNK_BITS, self.chunk, self.total, None)
            spans = _Level(SPAN_BITS, self.span, self._span_total, SPAN_REACH, chunks)
            pieces = _Level(PIECE_BITS, self.piece, self._piece_total, PIECE_REACH, spans)
            levels = self._levels = (chunks, spans, pieces)
        if (a >> CHUNK_BITS) in self._chunks:
            return levels[0]
        spans_apart = (b >> SPAN_BITS) - (a >> SPAN_BITS)
        if (a >> SPAN_BITS) in self._spans and spans_apart <= SPAN_REACH:
            return levels[1]
        if (b >> PIECE_BITS) - (a >> PIECE_BITS) <= PIECE_REACH:
            return levels[2]
        # Spans, where they build less than the chunks the query would otherwise need:
        # most of one chunk's spans cost more than that chunk built whole.
        first = a >> SPAN_BITS
        in_first_chunk = min(b >> SPAN_BITS, first | _LAST_SPAN_IN_CHUNK) - first
        if spans_apart <= SPAN_REACH and in_first_chunk < SPAN_MOST:
            return levels[1]
        return levels[0]

    def intervals(self, lo: int, hi: int) -> Intervals:
        """Return the open intervals within ``[lo, hi)``, merged across chunk edges."""
        if hi - lo == CHUNK_US and not lo & (CHUNK_US - 1):
            # Exactly one chunk (how compositions ask): its lists, shared, never mutated.
            chunk = self.chunk(lo >> CHUNK_BITS)
            return chunk.starts, chunk.ends
        if hi - lo == SPAN_US and not lo & (SPAN_US - 1):
            # Exactly one span (how compositions ask before their chunks are built).
            span = self.span(lo >> SPAN_BITS)
            return span.starts, span.ends
        if hi - lo == PIECE_US and not lo & (PIECE_US - 1):
            # Exactly one piece (how compositions ask before their spans are built).
            piece = self.piece(lo >> PIECE_BITS)
            return piece.starts, piece.ends
        starts: list[int] = []
        ends: list[int] = []
        for start, end in self.iter_periods(lo, hi):
            starts.append(start)
            ends.append(end)
        return starts, ends

    # -- point queries ------------------------------------------------------

    def is_open(self, t: int) -> bool:
        level = self._level(t, t)
        chunk = level.get(t >> level.bits)
        i = bisect_right(chunk.starts, t) - 1
        return i >= 0 and t < chunk.ends[i]

    def next_open(self, t: int) -> int:
        """Return the earliest open instant ``>= t``."""
        level = self._level(t, t)
        while level.coarser is not None:
            try:
                return self._next_open(level, t)
            except _PastReachError:
                level = level.coarser
        return self._next_open(level, t)

    def _next_open(self, level: _Level, t: int) -> int:
        number = t >> level.bits
        chunk = level.get(number)
        i = bisect_right(chunk.starts, t) - 1
        if i >= 0 and t < chunk.ends[i]:
            return t
        if i + 1 < len(chunk.starts):
            return chunk.starts[i + 1]
        if level.reach is not None:
            ahead = number
            while True:
                ahead += 1
                level.step(number, ahead, 0)
                chunk = level.get(ahead)
                if chunk.starts:
                    return chunk.starts[0]
        for ahead in range(number + 1, min(number + HORIZON_CHUNKS, LAST_CHUNK) + 1):
            chunk = level.get(ahead)
            if chunk.starts:
                return chunk.starts[0]
        if number + HORIZON_CHUNKS > LAST_CHUNK:
            raise OutOfRangeError(_PAST_THE_END)
        raise NoBusinessTimeError("no open time")

    def next_close(self, t: int) -> int:
        """Return the earliest closed instant ``>= t``."""
        level = self._level(t, t)
        while level.coarser is not None:
            try:
                return self._next_close(level, t)
            except _PastReachError:
                level = level.coarser
        return self._next_close(level, t)

    def _next_close(self, level: _Level, t: int) -> int:
        number = t >> level.bits
        chunk = level.get(number)
        i = bisect_right(chunk.starts, t) - 1
        if i < 0 or t >= chunk.ends[i]:
            return t
        end = chunk.ends[i]
        ahead = number
        # An interval ending at the chunk edge may go on in the next chunk.
        while end == chunk.hi:
            ahead += 1
            if level.reach is not None:
                level.step(number, ahead, 0)
            else:
                if ahead - number > HORIZON_CHUNKS:
                    raise NoClosingTimeError("no closed time")
                if ahead > LAST_CHUNK:
                    raise OutOfRangeError(_PAST_THE_END)
            chunk = level.get(ahead)
            if not chunk.starts or chunk.starts[0] != end:
                break
            end = chunk.ends[0]
        return end

    # -- measures -----------------------------------------------------------

    def elapsed(self, a: int, b: int) -> int:
        """Return the open time in ``[a, b)`` (negative when ``b < a``)."""
        if b < a:
            return -self.elapsed(b, a)
        # A new calendar's first questions first (nothing holds ``a`` yet, so no level
        # below could answer): from the source's template, if it has one.
        if self._cold_left > 0 and self._cold is not None and self._unbuilt(a):
            found = cold_elapsed(self._cold, a, b, COLD_STEPS)
            if found is not None:
                self._cold_left -= 1
                return found
        if a >> CHUNK_BITS == b >> CHUNK_BITS:
            # The common warm cases: both ends in one built chunk, or in built pieces
            # (what the piece level below would walk, without its calls).
            head = self._chunks.get(a >> CHUNK_BITS)
            if head is not None:
                return head.before(b) - head.before(a)
            if a >> SPAN_BITS == b >> SPAN_BITS:
                head = self._spans.get(a >> SPAN_BITS)
                if head is not None:
                    return head.before(b) - head.before(a)
            first, last = a >> PIECE_BITS, b >> PIECE_BITS
            pieces = self._pieces
            head, tail = pieces.get(first), pieces.get(last)
            if head is not None and tail is not None and last - first <= PIECE_REACH:
                total = tail.before(b) - head.before(a)
                for number in range(first, last):
                    piece = pieces.get(number)
                    if piece is None:
                        break
                    total += piece.total
                else:
                    return total
        level = self._level(a, b)
        bits, get = level.bits, level.get
        first, last = a >> bits, b >> bits
        head = get(first)
        if first == last:
            return head.before(b) - head.before(a)
        total = head.total - head.before(a)
        count = level.total
        for number in range(first + 1, last):
            total += count(number)
        return total + get(last).before(b)

    def add(self, t: int, duration: int) -> int:
        """Return the earliest instant ``s >= t`` with ``elapsed(t, s) == duration``."""
        if duration <= 0:
            return t if duration == 0 else self.subtract(t, -duration)
        if t + duration > MAX_US:  # open time never outruns real time: fail before walking
            raise OutOfRangeError(_PAST_THE_END)
        # A new calendar's first questions, as in ``elapsed``.
        if self._cold_left > 0 and self._cold is not None and self._unbuilt(t):
            found = cold_add(self._cold, t, duration, COLD_STEPS)
            if found is not None:
                self._cold_left -= 1
                return found
        # The common warm case: the answer lies in the built chunk (or, before it is
        # built, the built piece) that holds t, as ``_add`` would find without walking.
        head = self._chunks.get(t >> CHUNK_BITS)
        if head is None:
            head = self._spans.get(t >> SPAN_BITS)
            if head is not None:
                # Warm on spans: walk the built spans ahead as ``_add`` would, without its calls.
                spans, number = self._spans, t >> SPAN_BITS
                target = head.before(t) + duration
                for _ in range(SPAN_REACH):
                    if target <= head.total:
                        return head.instant_at(target)
                    target -= head.total
                    number += 1
                    head = spans.get(number)
                    if head is None:
                        break
                head = None
            else:
                head = self._pieces.get(t >> PIECE_BITS)
        if head is not None:
            target = head.before(t) + duration
            if target <= head.total:
                return head.instant_at(target)
        # Past the piece (or span, or chunk) that holds t: the answer is at least
        # ``duration`` of real time away, so beyond the pieces' reach spans or chunks answer.
        reach = t + duration
        if (reach >> PIECE_BITS) - (t >> PIECE_BITS) > PIECE_REACH:
            reach = self._reach(t, duration)
        level = self._level(t, reach)
        while level.coarser is not None:
            try:
                return self._add(level, t, duration)
            except _PastReachError:
                level = level.coarser
        return self._add(level, t, duration)

    def _unbuilt(self, t: int) -> bool:
        """Return whether no level holds ``t`` yet (a cold question there)."""
        if not (self._chunks or self._spans or self._pieces):
            return True  # nothing built at all: a new calendar's first questions
        return (
            (t >> CHUNK_BITS) not in self._chunks
            and (t >> SPAN_BITS) not in self._spans
            and (t >> PIECE_BITS) not in self._pieces
        )

    def _reach(self, t: int, duration: int) -> int:
        """Return about where ``add(t, duration)`` lands, past the pieces' reach, to choose a level.

        The open share of the piece holding ``t`` scales ``duration`` up: a desk open
        40 hours a week runs 2,000 hours in about a year, which one chunk holds more
        cheaply than most of its spans. Only the cost depends on this guess; every
        level gives the same answer.
        """
        reach = t + duration
        if (t >> CHUNK_BITS) not in self._chunks and (t >> SPAN_BITS) not in self._spans:
            open_time = self.piece(t >> PIECE_BITS).total
            if open_time:
                reach = max(reach, t + duration * PIECE_US // open_time)
        return reach

    def _add(self, level: _Level, t: int, duration: int) -> int:
        origin = number = t >> level.bits
        chunk = level.get(number)
        target = chunk.before(t) + duration
        total = chunk.total
        empty_run = 0
        if target > total:
            count = level.total
            while target > total:
                target -= total
                empty_run = empty_run + 1 if not total else 0
                number += 1
                level.step(origin, number, empty_run)
                total = count(number)
            chunk = level.get(number)
        return chunk.instant_at(target)

    def subtract(self, t: int, duration: int) -> int:
        """Return the latest instant ``s <= t`` with ``elapsed(s, t) == duration``."""
        if duration <= 0:
            return t if duration == 0 else self.add(t, -duration)
        if t - duration < MIN_US:
            raise OutOfRangeError(_PAST_THE_END)
        level = self._level(t - duration, t)
        while level.coarser is not None:
            try:
                return self._subtract(level, t, duration)
            except _PastReachError:
                level = level.coarser
        return self._subtract(level, t, duration)

    def _subtract(self, level: _Level, t: int, duration: int) -> int:
        origin = number = t >> level.bits
        chunk = level.get(number)
        # ``target`` is the open time in [chunk.lo, s) that leaves ``duration`` before t.
        target = chunk.before(t) - duration
        total = chunk.total
        empty_run = 0
        if target < 0:
            count = level.total
            while target < 0:
                empty_run = empty_run + 1 if not total else 0
                number -= 1
                level.step(origin, number, empty_run)
                total = count(number)
                target += total
            chunk = level.get(number)
        # target < chunk.total here, so some interval j holds the instant where the open
        # time since chunk.lo first exceeds target. When target falls exactly at an
        # interval edge, the latest such s is where interval j opens.
        j = bisect_right(chunk.cum_end, target)
        end = chunk.ends[j]
        return end - (chunk.cum_end[j] - target)

    # -- iteration ----------------------------------------------------------

    def iter_periods(self, a: int, b: int) -> Iterator[tuple[int, int]]:
        """Yield the open periods within ``[a, b)``, clipped, merged across chunk edges."""
        if b <= a:
            return
        level = self._level(a, b - 1)
        bits, get = level.bits, level.get
        pending_start = pending_end = None
        for number in range(a >> bits, ((b - 1) >> bits) + 1):
            chunk = get(number)
            starts, ends = chunk.starts, chunk.ends
            i = max(bisect_right(ends, a), 0) if number == a >> bits else 0
            while i < len(starts):
                start, end = starts[i], ends[i]
                if start >= b:
                    break
                start, end = max(start, a), min(end, b)
                if pending_end == start:
                    pending_end = end
                else:
                    if pending_start is not None and pending_end is not None:
                        yield pending_start, pending_end
                    pending_start, pending_end = start, end
                i += 1
        if pending_start is not None and pending_end is not None:
            yield pending_start, pending_end


def _clipped(whole: Chunk, lo: int, hi: int) -> Chunk:
    """Return the part of a built chunk (or span) within ``[lo, hi)``, its intervals clipped."""
    i, j = bisect_right(whole.ends, lo), bisect_left(whole.starts, hi)
    starts = [max(start, lo) for start in whole.starts[i:j]]
    ends = [min(end, hi) for end in whole.ends[i:j]]
    return Chunk(lo, hi, starts, ends)


def _drop_within(cells: dict[int, Chunk], shift: int, number: int) -> None:
    """Drop the cells (pieces or spans) that lie in the coarser cell ``number``."""
    if cells:
        for key in [key for key in cells if key >> shift == number]:
            del cells[key]
