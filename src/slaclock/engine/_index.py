"""The period index: the one mechanism every calendar query goes through.

A source (weekly hours, 24x7, a composition) lists its open intervals for any
span of time. The index cuts time into fixed chunks of ``2**45`` µs (about 407
days), asks the source for each chunk once, and keeps for it the sorted
starts and ends of its open intervals plus the running total of open time.
A query then costs a bisection inside the chunks at its two ends and one
addition per whole chunk between them, so a 10-year ``elapsed`` costs about
what a 1-day one does.

All instants here are integer microseconds since the epoch (see ``_time``).
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any, Protocol

from ._time import MAX_US, MIN_US
from .errors import NoBusinessTimeError, NoClosingTimeError, OutOfRangeError

CHUNK_BITS = 45
CHUNK_US = 1 << CHUNK_BITS
#: How many consecutive chunks (about 53 years) a search crosses before it gives up.
HORIZON_CHUNKS = 48
#: How many chunks an index keeps (about 570 years); the oldest built is dropped first.
MAX_CACHED_CHUNKS = 512

_PAST_THE_END = "the search ran past the range a datetime can hold (years 1 to 9999)"

FIRST_CHUNK = MIN_US >> CHUNK_BITS
LAST_CHUNK = MAX_US >> CHUNK_BITS

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
    """The open intervals of one chunk and their running totals."""

    __slots__ = ("cum_end", "ends", "hi", "lo", "starts", "total")

    def __init__(self, lo: int, hi: int, starts: list[int], ends: list[int]) -> None:
        self.lo = lo
        self.hi = hi
        self.starts = starts
        self.ends = ends
        running = 0
        cum_end: list[int] = []
        for start, end in zip(starts, ends, strict=True):
            running += end - start
            cum_end.append(running)
        self.cum_end = cum_end
        self.total = running

    def before(self, t: int) -> int:
        """Return the open time in ``[self.lo, t)``, for ``t`` inside the chunk."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        overshoot = self.ends[i] - t
        return self.cum_end[i] - overshoot if overshoot > 0 else self.cum_end[i]


class PeriodIndex:
    """Answers calendar queries on integer instants over a cached chunk index."""

    __slots__ = ("_chunks", "_lock", "_totals", "source")

    def __init__(self, source: PeriodSource) -> None:
        self.source = source
        self._chunks: dict[int, Chunk] = {}
        # Each chunk's open time, kept for every chunk ever built (at most one int for
        # each of the ~9,000 chunks between years 1 and 9999), so spans longer than
        # the chunk cache add up totals instead of rebuilding evicted chunks.
        self._totals: dict[int, int] = {}
        self._lock = threading.Lock()

    # -- chunks -------------------------------------------------------------

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
        return built

    def total(self, number: int) -> int:
        """Return the open time in chunk ``number``."""
        found = self._totals.get(number)
        return found if found is not None else self.chunk(number).total

    def intervals(self, lo: int, hi: int) -> Intervals:
        """Return the open intervals within ``[lo, hi)``, merged across chunk edges."""
        if hi - lo == CHUNK_US and not lo & (CHUNK_US - 1):
            # Exactly one chunk (how compositions ask): its lists, shared, never mutated.
            chunk = self.chunk(lo >> CHUNK_BITS)
            return chunk.starts, chunk.ends
        starts: list[int] = []
        ends: list[int] = []
        for start, end in self.iter_periods(lo, hi):
            starts.append(start)
            ends.append(end)
        return starts, ends

    # -- point queries ------------------------------------------------------

    def is_open(self, t: int) -> bool:
        chunk = self.chunk(t >> CHUNK_BITS)
        i = bisect_right(chunk.starts, t) - 1
        return i >= 0 and t < chunk.ends[i]

    def next_open(self, t: int) -> int:
        """Return the earliest open instant ``>= t``."""
        number = t >> CHUNK_BITS
        chunk = self.chunk(number)
        i = bisect_right(chunk.starts, t) - 1
        if i >= 0 and t < chunk.ends[i]:
            return t
        if i + 1 < len(chunk.starts):
            return chunk.starts[i + 1]
        for ahead in range(number + 1, min(number + HORIZON_CHUNKS, LAST_CHUNK) + 1):
            chunk = self.chunk(ahead)
            if chunk.starts:
                return chunk.starts[0]
        if number + HORIZON_CHUNKS > LAST_CHUNK:
            raise OutOfRangeError(_PAST_THE_END)
        raise NoBusinessTimeError("no open time")

    def next_close(self, t: int) -> int:
        """Return the earliest closed instant ``>= t``."""
        number = t >> CHUNK_BITS
        chunk = self.chunk(number)
        i = bisect_right(chunk.starts, t) - 1
        if i < 0 or t >= chunk.ends[i]:
            return t
        end = chunk.ends[i]
        ahead = number
        # An interval ending at the chunk edge may go on in the next chunk.
        while end == chunk.hi:
            ahead += 1
            if ahead - number > HORIZON_CHUNKS:
                raise NoClosingTimeError("no closed time")
            if ahead > LAST_CHUNK:
                raise OutOfRangeError(_PAST_THE_END)
            chunk = self.chunk(ahead)
            if not chunk.starts or chunk.starts[0] != end:
                break
            end = chunk.ends[0]
        return end

    # -- measures -----------------------------------------------------------

    def elapsed(self, a: int, b: int) -> int:
        """Return the open time in ``[a, b)`` (negative when ``b < a``)."""
        if b < a:
            return -self.elapsed(b, a)
        first, last = a >> CHUNK_BITS, b >> CHUNK_BITS
        head = self.chunk(first)
        if first == last:
            return head.before(b) - head.before(a)
        total = head.total - head.before(a)
        for number in range(first + 1, last):
            total += self.total(number)
        return total + self.chunk(last).before(b)

    def add(self, t: int, duration: int) -> int:
        """Return the earliest instant ``s >= t`` with ``elapsed(t, s) == duration``."""
        if duration <= 0:
            return t if duration == 0 else self.subtract(t, -duration)
        if t + duration > MAX_US:  # open time never outruns real time: fail before walking
            raise OutOfRangeError(_PAST_THE_END)
        number = t >> CHUNK_BITS
        chunk = self.chunk(number)
        target = chunk.before(t) + duration
        total = chunk.total
        empty_run = 0
        if target > total:
            while target > total:
                target -= total
                empty_run = empty_run + 1 if not total else 0
                number += 1
                if empty_run >= HORIZON_CHUNKS:
                    raise NoBusinessTimeError("no open time")
                if number > LAST_CHUNK:
                    raise OutOfRangeError(_PAST_THE_END)
                total = self.total(number)
            chunk = self.chunk(number)
        j = bisect_left(chunk.cum_end, target)
        return chunk.ends[j] - (chunk.cum_end[j] - target)

    def subtract(self, t: int, duration: int) -> int:
        """Return the latest instant ``s <= t`` with ``elapsed(s, t) == duration``."""
        if duration <= 0:
            return t if duration == 0 else self.add(t, -duration)
        if t - duration < MIN_US:
            raise OutOfRangeError(_PAST_THE_END)
        number = t >> CHUNK_BITS
        chunk = self.chunk(number)
        # ``target`` is the open time in [chunk.lo, s) that leaves ``duration`` before t.
        target = chunk.before(t) - duration
        total = chunk.total
        empty_run = 0
        if target < 0:
            while target < 0:
                empty_run = empty_run + 1 if not total else 0
                number -= 1
                if empty_run >= HORIZON_CHUNKS:
                    raise NoBusinessTimeError("no open time")
                if number < FIRST_CHUNK:
                    raise OutOfRangeError(_PAST_THE_END)
                total = self.total(number)
                target += total
            chunk = self.chunk(number)
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
        pending_start = pending_end = None
        for number in range(a >> CHUNK_BITS, ((b - 1) >> CHUNK_BITS) + 1):
            chunk = self.chunk(number)
            starts, ends = chunk.starts, chunk.ends
            i = max(bisect_right(ends, a), 0) if number == a >> CHUNK_BITS else 0
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
