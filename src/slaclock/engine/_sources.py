"""Sources of open time for the period index: weekly hours, and always / never open.

Each source is an immutable, hashable value that can write itself down as
JSON-ready data (``to_data``) and list its open intervals for any span.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from ._holidays import DateHolidays, PackageHolidays, UnionHolidays, holiday_source
from ._index import Intervals, PeriodIndex
from ._steady import transitions
from ._time import MAX_US, MIN_US, ONE_US, US_PER_DAY, first_instant_at, wall
from .errors import ScheduleError
from .schedule import Shift, ShiftsSpec, WeeklyHours, parse_date, parse_shifts

_ONE_DAY = dt.timedelta(days=1)
_MIDNIGHT = dt.time()
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
#: The first and last local dates whose shifts the engine places in time.
_FIRST_DAY = dt.date(1, 1, 3)
_LAST_DAY = dt.date(9999, 12, 27)
#: The fewest days a span must hold to be placed at steady offsets (``_steady``).
_STEADY_DAYS = 31


def local_days(lo: int, hi: int, zone: ZoneInfo) -> tuple[dt.date, dt.date]:
    """Return the first and last local dates whose shifts may reach into ``[lo, hi)``.

    A shift starting on day D ends before D+2 00:00 local; a few days of margin on
    each side also cover zones that skip or repeat whole days. Chunks at the ends
    of time reach past what a datetime can hold, so the dates are clamped to those
    whose shifts can be placed (see ``_time.MIN_US`` and ``MAX_US``).
    """
    first = max(wall(max(lo, MIN_US), zone).date(), _FIRST_DAY + 3 * _ONE_DAY) - 3 * _ONE_DAY
    last = min(wall(min(hi - 1, MAX_US), zone).date(), _LAST_DAY - _ONE_DAY) + _ONE_DAY
    return first, last


def place_shifts(
    starts: list[int],
    ends: list[int],
    day: dt.date,
    shifts: Sequence[Shift],
    *,
    zone: ZoneInfo,
    lo: int,
    hi: int,
) -> None:
    """Append day ``day``'s shifts, placed in real time and clipped to ``[lo, hi)``.

    Each boundary is the first instant the wall clock reads it (docs/semantics.md,
    "Daylight saving"). Shifts must come after what is already in the lists; one
    that touches or overlaps the last interval (an overnight shift meeting the
    next day's, or an override) merges into it.
    """
    midnight = dt.datetime.combine(day, _MIDNIGHT)
    base = (day.toordinal() - _EPOCH_ORDINAL) * US_PER_DAY
    utcoffset = zone.utcoffset
    for shift in shifts:
        # Where the wall-clock reading is neither skipped nor repeated, both folds
        # give the same UTC offset and the instant is the reading less that offset;
        # only readings in a daylight-saving gap or overlap take the slower search.
        local = midnight + shift.start
        offset = utcoffset(local)
        if offset is not None and offset == utcoffset(local.replace(fold=1)):
            start = base + shift.start_us - offset // ONE_US
        else:
            start = first_instant_at(local, zone)
        local = midnight + shift.end
        offset = utcoffset(local)
        if offset is not None and offset == utcoffset(local.replace(fold=1)):
            end = base + shift.end_us - offset // ONE_US
        else:
            end = first_instant_at(local, zone)
        append_clipped(starts, ends, start, end, lo, hi)


def append_clipped(  # noqa: PLR0917 - called per shift, where keywords cost
    starts: list[int], ends: list[int], start: int, end: int, lo: int, hi: int
) -> None:
    """Append ``[start, end)`` clipped to ``[lo, hi)`` if anything is left, merging as below."""
    start = max(start, lo)
    end = min(end, hi)
    if start < end:
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)


def append_merged(starts: list[int], ends: list[int], start: int, end: int) -> None:
    """Append ``[start, end)`` (starts non-decreasing), merging it into a touching last one."""
    if ends and start <= ends[-1]:
        ends[-1] = max(ends[-1], end)
    else:
        starts.append(start)
        ends.append(end)


class WeeklySource:
    """Weekly shifts in one zone, less holidays, with per-date overrides."""

    __slots__ = (
        "_hash",
        "_override_days",
        "_week_ends",
        "_week_starts",
        "_working_days",
        "holidays",
        "overrides",
        "week",
        "zone",
    )

    def __init__(
        self,
        zone: ZoneInfo,
        week: WeeklyHours,
        holidays: DateHolidays | PackageHolidays | UnionHolidays,
        overrides: Mapping[dt.date, tuple[Shift, ...]],
    ) -> None:
        self.zone = zone
        self.week = week
        self.holidays = holidays
        self.overrides = dict(sorted(overrides.items()))
        self._hash = hash((zone.key, week, holidays, tuple(self.overrides.items())))
        self._override_days = [day.toordinal() for day in self.overrides]
        self._working_days = [number for number, shifts in enumerate(week.days) if shifts]
        # A week without holidays or overrides, from Monday 00:00 (µs), merged as placed:
        # copied whole into each such week at a steady UTC offset (see ``_place_steady``).
        self._week_starts: list[int] = []
        self._week_ends: list[int] = []
        for number, shifts in enumerate(week.days):
            for shift in shifts:
                midnight = number * US_PER_DAY
                append_merged(
                    self._week_starts,
                    self._week_ends,
                    midnight + shift.start_us,
                    midnight + shift.end_us,
                )

    @classmethod
    def build(
        cls,
        zone: ZoneInfo,
        hours: Mapping[str, ShiftsSpec] | WeeklyHours,
        holidays: object,
        overrides: Mapping[Any, ShiftsSpec] | None,
    ) -> WeeklySource:
        """Return a source from user-facing arguments, validating each."""
        week = WeeklyHours.parse(hours)
        source = holiday_source(holidays)
        parsed: dict[dt.date, tuple[Shift, ...]] = {}
        if overrides is not None:
            if not isinstance(overrides, Mapping):
                raise ScheduleError(
                    "overrides must be a mapping of date to hours, such as "
                    f"{{date(2026, 12, 24): '09:00-13:00'}}, not {overrides!r}"
                )
            for key, spec in overrides.items():
                day = parse_date(key, "overrides")
                if day in parsed:
                    raise ScheduleError(f"overrides: {day.isoformat()} is given twice")
                parsed[day] = parse_shifts(spec, f"overrides[{day.isoformat()}]")
        return cls(zone, week, source, parsed)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, WeeklySource)
            and other._hash == self._hash
            and other.zone.key == self.zone.key
            and other.week == self.week
            and other.holidays == self.holidays
            and other.overrides == self.overrides
        )

    def __hash__(self) -> int:
        return self._hash

    def shifts_on(self, day: dt.date) -> tuple[Shift, ...]:
        """Return the shifts that start on local date ``day``."""
        override = self.overrides.get(day)
        if override is not None:
            return override
        shifts = self.week.days[day.weekday()]
        if shifts and day in self.holidays:
            return ()
        return shifts

    def intervals(self, lo: int, hi: int, *, steady: bool = True) -> Intervals:
        """Return the open intervals within ``[lo, hi)``.

        Days far from the zone's transitions are placed by integer arithmetic
        (``_steady``); the others, or all with ``steady=False``, day by day with
        datetimes. Both give the same answer (tests/engine check it).
        """
        starts: list[int] = []
        ends: list[int] = []
        if self.week.is_empty and not any(self.overrides.values()):
            return starts, ends
        day, last = local_days(lo, hi, self.zone)
        ordinal, final = day.toordinal(), last.toordinal()
        # Reading the zone's transitions costs a few milliseconds, once per zone and
        # process: a piece's dozen days place faster one by one, so a short span
        # uses them only if they have been read already.
        long = final - ordinal > _STEADY_DAYS
        known = transitions(self.zone, read=long) if steady else None
        while ordinal <= final:
            run = None if known is None else known.steady_run(ordinal)
            if run is None:  # near a transition (or not known): the exact path, one day
                day = dt.date.fromordinal(ordinal)
                shifts = self.shifts_on(day)
                if shifts:
                    place_shifts(starts, ends, day, shifts, zone=self.zone, lo=lo, hi=hi)
                ordinal += 1
                continue
            offset, run_last = run
            stop = min(run_last, final)
            self._place_steady(starts, ends, ordinal, stop, offset=offset, lo=lo, hi=hi)
            ordinal = stop + 1
        return starts, ends

    def _place_steady(
        self,
        starts: list[int],
        ends: list[int],
        first: int,
        last: int,
        *,
        offset: int,
        lo: int,
        hi: int,
    ) -> None:
        """Append the shifts of days ``first`` to ``last`` (ordinals), all at UTC offset ``offset``.

        A boundary is then the day's midnight in µs plus the shift's time of day, less the
        offset: what ``place_shifts`` computes for readings neither skipped nor repeated.
        """
        days = self.week.days
        overrides = self.overrides
        holidays = self.holidays
        week_starts, week_ends = self._week_starts, self._week_ends
        ordinal = first
        base = (first - _EPOCH_ORDINAL) * US_PER_DAY - offset
        while ordinal <= last:
            weekday = (ordinal - 1) % 7  # ordinal 1, 0001-01-01, is a Monday
            if (
                weekday == 0
                and week_starts
                and ordinal + 6 <= last
                and base + week_starts[0] >= lo
                and base + week_ends[-1] <= hi
                and self._plain_week(ordinal)
                and self._extend_week(starts, ends, base)
            ):
                ordinal += 7
                base += 7 * US_PER_DAY
                continue
            shifts = days[weekday]
            if shifts or overrides:
                day = dt.date.fromordinal(ordinal)
                override = overrides.get(day)
                if override is not None:
                    shifts = override
                elif day in holidays:
                    shifts = ()
            for shift in shifts:
                append_clipped(starts, ends, base + shift.start_us, base + shift.end_us, lo, hi)
            ordinal += 1
            base += US_PER_DAY

    def _extend_week(self, starts: list[int], ends: list[int], base: int) -> bool:
        """Append the week template from ``base`` (µs) as placing its days would; False if not.

        Its first span may merge into the last one placed (a shift running into
        Monday); if the merged span would reach the template's second, nothing is
        appended and the days are placed one by one.
        """
        week_starts, week_ends = self._week_starts, self._week_ends
        first = base + week_starts[0]
        if ends and first <= ends[-1]:
            merged = max(ends[-1], base + week_ends[0])
            if len(week_starts) > 1 and base + week_starts[1] <= merged:
                return False
            ends[-1] = merged
            starts.extend([base + start for start in week_starts[1:]])
            ends.extend([base + end for end in week_ends[1:]])
            return True
        starts.extend([base + start for start in week_starts])
        ends.extend([base + end for end in week_ends])
        return True

    def _plain_week(self, monday: int) -> bool:
        """Return whether the week from ordinal ``monday`` has no override and no holiday."""
        overridden = self._override_days
        if overridden:
            i = bisect_left(overridden, monday)
            if i < len(overridden) and overridden[i] <= monday + 6:
                return False
        holidays = self.holidays
        if isinstance(holidays, DateHolidays) and not holidays.dates:
            return True
        for number in self._working_days:
            if dt.date.fromordinal(monday + number) in holidays:
                return False
        return True

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": "weekly", "tz": self.zone.key, "hours": self.week.to_dict()}
        holidays = self.holidays.to_data()
        if holidays:
            data["holidays"] = holidays
        if self.overrides:
            data["overrides"] = {
                day.isoformat(): ",".join(str(shift) for shift in shifts) or None
                for day, shifts in self.overrides.items()
            }
        return data

    def __repr__(self) -> str:
        parts = [f"{self.week.to_dict()!r}", f"tz={self.zone.key!r}"]
        if self.holidays != DateHolidays(frozenset()):
            parts.append(f"holidays={self.holidays!r}")
        if self.overrides:
            parts.append(f"overrides=<{len(self.overrides)} dates>")
        return f"Calendar.weekly({', '.join(parts)})"


class ConstantSource:
    """A calendar that is always open, or never open."""

    __slots__ = ("open", "zone")

    def __init__(self, zone: ZoneInfo, open: bool) -> None:
        self.zone = zone
        self.open = open

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ConstantSource)
            and other.open == self.open
            and other.zone.key == self.zone.key
        )

    def __hash__(self) -> int:
        return hash((self.zone.key, self.open))

    def intervals(self, lo: int, hi: int) -> Intervals:
        return ([lo], [hi]) if self.open else ([], [])

    def to_data(self) -> dict[str, Any]:
        return {"kind": "always" if self.open else "never", "tz": self.zone.key}

    def __repr__(self) -> str:
        return f"Calendar.{'always' if self.open else 'never'}(tz={self.zone.key!r})"


def union(parts: Sequence[Intervals]) -> Intervals:
    """Return the merged union of several sorted, disjoint interval lists."""
    pairs = sorted(pair for starts, ends in parts for pair in zip(starts, ends, strict=True))
    starts: list[int] = []
    ends: list[int] = []
    if not pairs:
        return starts, ends
    # The span being merged is kept in locals, not in the lists: this loop runs once
    # per shift of every operand when a union's chunk is built.
    current_start, current_end = pairs[0]
    for start, end in pairs:
        if start <= current_end:
            current_end = max(current_end, end)
        else:
            starts.append(current_start)
            ends.append(current_end)
            current_start, current_end = start, end
    starts.append(current_start)
    ends.append(current_end)
    return starts, ends


def intersection(left: Intervals, right: Intervals) -> Intervals:
    """Return where both sorted, disjoint interval lists are open."""
    left_starts, left_ends = left
    right_starts, right_ends = right
    starts: list[int] = []
    ends: list[int] = []
    i = j = 0
    while i < len(left_starts) and j < len(right_starts):
        start = max(left_starts[i], right_starts[j])
        end = min(left_ends[i], right_ends[j])
        if start < end:
            starts.append(start)
            ends.append(end)
        if left_ends[i] < right_ends[j]:
            i += 1
        else:
            j += 1
    return starts, ends


def difference(left: Intervals, right: Intervals) -> Intervals:
    """Return where the first sorted, disjoint interval list is open and the second is not."""
    left_starts, left_ends = left
    right_starts, right_ends = right
    starts: list[int] = []
    ends: list[int] = []
    j = 0
    for start, end in zip(left_starts, left_ends, strict=True):
        while j < len(right_starts) and right_ends[j] <= start:
            j += 1
        k, cursor = j, start
        while k < len(right_starts) and right_starts[k] < end:
            if right_starts[k] > cursor:
                starts.append(cursor)
                ends.append(right_starts[k])
            cursor = max(cursor, right_ends[k])
            k += 1
        if cursor < end:
            starts.append(cursor)
            ends.append(end)
    return starts, ends


class CompositeSource:
    """Open time combined from other calendars' indexes: union, intersection or difference.

    Each operand is a period index, which caches its own chunks; its ``source``
    is the operand's value, so compositions compare and serialize by value.
    """

    __slots__ = ("_hash", "depth", "kind", "operands")

    KINDS = ("union", "intersection", "difference")
    #: The most calendars one composition may combine: each costs work in every query.
    MAX_OPERANDS = 64
    #: How deeply compositions may nest (a composition of compositions of ...).
    MAX_DEPTH = 64

    def __init__(self, kind: str, operands: Sequence[PeriodIndex]) -> None:
        if kind not in self.KINDS:
            raise ScheduleError(f"unknown composition {kind!r}; use one of {self.KINDS}")
        wanted = "two" if kind == "difference" else "two or more"
        if len(operands) < 2 or (kind == "difference" and len(operands) != 2):
            raise ScheduleError(f"a {kind} needs {wanted} calendars, got {len(operands)}")
        if len(operands) > self.MAX_OPERANDS:
            raise ScheduleError(
                f"a {kind} of {len(operands)} calendars is more than the limit "
                f"MAX_OPERANDS ({self.MAX_OPERANDS}); combine them in steps"
            )
        self.depth = 1 + max(getattr(index.source, "depth", 0) for index in operands)
        if self.depth > self.MAX_DEPTH:
            raise ScheduleError(
                f"compositions nest deeper than the limit MAX_DEPTH ({self.MAX_DEPTH})"
            )
        self.kind = kind
        self.operands = tuple(operands)
        self._hash = hash((kind, self.keys))

    @property
    def keys(self) -> tuple[object, ...]:
        """Return the operands' sources, which compare by value."""
        return tuple(index.source for index in self.operands)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, CompositeSource)
            and other._hash == self._hash
            and other.kind == self.kind
            and other.keys == self.keys
        )

    def __hash__(self) -> int:
        return self._hash

    def intervals(self, lo: int, hi: int) -> Intervals:
        parts = [index.intervals(lo, hi) for index in self.operands]
        if self.kind == "union":
            return union(parts)
        if self.kind == "difference":
            return difference(parts[0], parts[1])
        result = parts[0]
        for part in parts[1:]:
            if not result[0]:
                break
            result = intersection(result, part)
        return result

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "of": [index.source.to_data() for index in self.operands],
        }

    def __repr__(self) -> str:
        symbol = {"union": " | ", "intersection": " & ", "difference": " - "}[self.kind]
        return "(" + symbol.join(repr(index.source) for index in self.operands) + ")"
