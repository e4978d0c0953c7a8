"""A slow brute-force reference for working calendars, written without the engine.

It answers the same questions as :class:`slaclock.Calendar` by walking time one
minute at a time, straight from the rules in SEMANTICS.md:

- a shift belongs to the local day it starts on; a holiday on day D removes
  the shifts that start on D; an override on D replaces them (and wins over a
  holiday);
- a shift opens at the first instant the zone's wall clock reads its start
  time or later, and closes at the first instant from then on when the wall
  clock reads its end time or later (so a shift whose two ends fall in the
  same spring-forward gap is empty);
- an instant is open when some shift's span contains it.

It imports nothing from ``slaclock``. It is exact for instants on whole
minutes, shift times on whole minutes and zones whose offsets and transitions
are on whole minutes (every zone the tests use, from 1970 on): then the wall
clock's reading only jumps at whole minutes, so the first instant it reads a
whole-minute time is itself a whole minute, and each minute ``[m, m + 1 min)``
is either wholly open or wholly closed. ``wall`` checks the offset part of that
assumption every time it is used.

Instants are handled as integer minutes since 1970-01-01T00:00Z.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)
ONE_DAY = dt.timedelta(days=1)

#: A shift as two wall-clock times, ``("22:00", "06:00")``; an end at or before
#: the start runs past midnight, and ``"24:00"`` is the end of the day.
RefShift = tuple[str, str]


def parse_hhmm(text: str) -> int:
    """Return ``"HH:MM"`` (00:00 to 24:00) as minutes after midnight."""
    hours_text, minutes_text = text.split(":")
    hours, minutes = int(hours_text), int(minutes_text)
    assert 0 <= minutes < 60, text
    assert 0 <= hours < 24 or (hours, minutes) == (24, 0), text
    return hours * 60 + minutes


def shift_minutes(shift: RefShift) -> tuple[int, int]:
    """Return a shift's start and end as minutes after its own day's midnight."""
    start, end = parse_hhmm(shift[0]), parse_hhmm(shift[1])
    assert start < 24 * 60, shift
    if end <= start:
        end += 24 * 60
    return start, end


def minute_of(instant: dt.datetime) -> int:
    """Return an aware instant on a whole minute as minutes since the epoch."""
    assert instant.utcoffset() is not None, f"{instant} is naive"
    since = instant - EPOCH
    assert since % MINUTE == dt.timedelta(0), f"{instant} is not on a whole minute"
    return since // MINUTE


def instant_of(minute: int) -> dt.datetime:
    """Return minute ``minute`` since the epoch as a UTC datetime."""
    return EPOCH + minute * MINUTE


class RefCalendar:
    """A weekly calendar in one zone, with holiday dates and per-date overrides.

    ``week`` maps weekday numbers (Monday is 0) to shifts; ``overrides`` maps
    dates to the shifts that replace that day's (an empty list is a closed day).
    """

    def __init__(
        self,
        week: Mapping[int, Sequence[RefShift]],
        zone: str,
        holidays: Iterable[dt.date] = (),
        overrides: Mapping[dt.date, Sequence[RefShift]] | None = None,
    ) -> None:
        self.week = {day: list(shifts) for day, shifts in week.items()}
        self.zone = ZoneInfo(zone)
        self.holidays = frozenset(holidays)
        self.overrides = {day: list(shifts) for day, shifts in (overrides or {}).items()}
        self._walls: dict[int, dt.datetime] = {}
        self._spans: dict[dt.date, list[tuple[int, int]]] = {}

    # -- the rules ----------------------------------------------------------

    def wall(self, minute: int) -> dt.datetime:
        """Return the zone's naive wall-clock reading at ``minute`` (memoised)."""
        found = self._walls.get(minute)
        if found is None:
            found = instant_of(minute).astimezone(self.zone).replace(tzinfo=None)
            assert found.second == 0, "offset not on a whole minute"
            assert found.microsecond == 0, "offset not on a whole minute"
            self._walls[minute] = found
        return found

    def shifts_starting_on(self, day: dt.date) -> list[RefShift]:
        """Return the shifts that start on local date ``day``."""
        if day in self.overrides:
            return self.overrides[day]
        if day in self.holidays:
            return []
        return self.week.get(day.weekday(), [])

    def first_minute_reading(self, local: dt.datetime, not_before: int | None = None) -> int:
        """Return the first minute (at or after ``not_before``) the wall clock reads ``local``+.

        The scan starts 16 hours of real time before ``local`` read as UTC: no
        zone is 16 hours ahead of UTC, so the wall clock then still reads less.
        """
        minute = minute_of(local.replace(tzinfo=UTC)) - 16 * 60
        assert self.wall(minute) < local
        if not_before is not None:
            minute = max(minute, not_before)
        while self.wall(minute) < local:
            minute += 1
        return minute

    def spans_of(self, day: dt.date) -> list[tuple[int, int]]:
        """Return ``[open, close)`` in minutes for each non-empty shift starting on ``day``."""
        found = self._spans.get(day)
        if found is None:
            found = []
            midnight = dt.datetime.combine(day, dt.time())
            for shift in self.shifts_starting_on(day):
                start, end = shift_minutes(shift)
                opens = self.first_minute_reading(midnight + start * MINUTE)
                closes = self.first_minute_reading(midnight + end * MINUTE, not_before=opens)
                if closes > opens:
                    found.append((opens, closes))
            self._spans[day] = found
        return found

    def minute_is_open(self, minute: int) -> bool:
        """Return whether the minute ``[minute, minute + 1)`` is open.

        Only shifts starting on the local day D of ``minute`` or on D - 1 can
        cover it (a shift lasts at most a day, and ends when the wall clock
        reaches its end); D + 1 is looked at too, which costs nothing.
        """
        today = self.wall(minute).date()
        return any(
            opens <= minute < closes
            for day in (today - ONE_DAY, today, today + ONE_DAY)
            for opens, closes in self.spans_of(day)
        )

    # -- queries, one minute at a time ----------------------------------------

    def is_open(self, t: dt.datetime) -> bool:
        """Return whether the whole-minute instant ``t`` is open."""
        return self.minute_is_open(minute_of(t))

    def elapsed(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Return the open time in ``[a, b)``, negated when ``b < a``."""
        lo, hi = minute_of(a), minute_of(b)
        if hi < lo:
            return -self.elapsed(b, a)
        return sum(self.minute_is_open(m) for m in range(lo, hi)) * MINUTE

    def add(self, a: dt.datetime, d: dt.timedelta, limit_days: int = 60) -> dt.datetime | None:
        """Return the earliest ``t >= a`` with ``elapsed(a, t) == d`` (whole minutes, ``d >= 0``).

        Returns None when ``d`` is not reached within ``limit_days``.
        """
        needed = d // MINUTE
        assert needed >= 0
        assert needed * MINUTE == d
        minute = minute_of(a)
        if needed == 0:
            return instant_of(minute)
        for m in range(minute, minute + limit_days * 24 * 60):
            if self.minute_is_open(m):
                needed -= 1
                if needed == 0:
                    return instant_of(m + 1)
        return None

    def subtract(self, b: dt.datetime, d: dt.timedelta, limit_days: int = 60) -> dt.datetime | None:
        """Return the latest ``t <= b`` with ``elapsed(t, b) == d`` (whole minutes, ``d >= 0``).

        Returns None when ``d`` is not reached within ``limit_days``.
        """
        needed = d // MINUTE
        assert needed >= 0
        assert needed * MINUTE == d
        minute = minute_of(b)
        if needed == 0:
            return instant_of(minute)
        for m in range(minute - 1, minute - 1 - limit_days * 24 * 60, -1):
            if self.minute_is_open(m):
                needed -= 1
                if needed == 0:
                    return instant_of(m)
        return None

    def next_open(self, t: dt.datetime, limit_days: int = 60) -> dt.datetime | None:
        """Return the earliest open instant ``>= t``, or None if none within ``limit_days``."""
        minute = minute_of(t)
        for m in range(minute, minute + limit_days * 24 * 60):
            if self.minute_is_open(m):
                return instant_of(m)
        return None

    def next_close(self, t: dt.datetime, limit_days: int = 60) -> dt.datetime | None:
        """Return the earliest closed instant ``>= t``, or None if none within ``limit_days``."""
        minute = minute_of(t)
        for m in range(minute, minute + limit_days * 24 * 60):
            if not self.minute_is_open(m):
                return instant_of(m)
        return None

    def periods(self, a: dt.datetime, b: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """Return the maximal runs of open minutes in ``[a, b)`` as ``(start, end)`` pairs."""
        runs: list[tuple[int, int]] = []
        for m in range(minute_of(a), minute_of(b)):
            if not self.minute_is_open(m):
                continue
            if runs and runs[-1][1] == m:
                runs[-1] = (runs[-1][0], m + 1)
            else:
                runs.append((m, m + 1))
        return [(instant_of(start), instant_of(end)) for start, end in runs]


def engine_hours(week: Mapping[int, Sequence[RefShift]]) -> dict[str, str]:
    """Return ``week`` in the engine's input form, ``{"mon": "09:00-12:00,22:00-06:00"}``."""
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {
        names[day]: ",".join(f"{start}-{end}" for start, end in shifts)
        for day, shifts in sorted(week.items())
        if shifts
    }


def engine_overrides(
    overrides: Mapping[dt.date, Sequence[RefShift]],
) -> dict[dt.date, str | None]:
    """Return ``overrides`` in the engine's input form (None for a closed day)."""
    return {
        day: ",".join(f"{start}-{end}" for start, end in shifts) or None
        for day, shifts in overrides.items()
    }
