"""Sources of open time for the period index: weekly hours, and always / never open.

Each source is an immutable, hashable value that can write itself down as
JSON-ready data (``to_data``) and list its open intervals for any span.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast
from zoneinfo import ZoneInfo

from ._holidays import DateHolidays, PackageHolidays, UnionHolidays, holiday_source
from ._index import Intervals, PeriodIndex
from ._steady import transitions
from ._template import (
    WEEK_US,
    Template,
    TemplatedSource,
    combine,
    compose,
)
from ._time import MAX_US, MIN_US, ONE_US, US_PER_DAY, first_instant_at, wall
from .errors import ScheduleError
from .schedule import Shift, ShiftsSpec, WeeklyHours, parse_date, parse_shifts

_ONE_DAY = dt.timedelta(days=1)
_MIDNIGHT = dt.time()
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_MAX_ORDINAL = dt.date.max.toordinal()
#: The first and last local dates whose shifts the engine places in time.
_FIRST_DAY = dt.date(1, 1, 3)
_LAST_DAY = dt.date(9999, 12, 27)
#: The fewest days a span must hold to be placed at steady offsets (``_steady``).
_STEADY_DAYS = 31
#: How many dates one ``WeeklySource.steady`` looks through for holidays and overrides.
_SCAN_DAYS = 400
#: Zones a short question has asked about while their transitions were unread.
_ASKED: set[str] = set()
#: How many composed templates a composition keeps (one per mix of offsets met).
_MAX_COMPOSED = 64


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
        "_irregular",
        "_override_days",
        "_templates",
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
        # Worked out when first asked (a composition asks; a lone calendar seldom does).
        self._hash: int | None = None
        self._override_days = [day.toordinal() for day in self.overrides]
        self._working_days = [number for number, shifts in enumerate(week.days) if shifts]
        # The week's template (``_template``) at each UTC offset it has been asked at.
        self._templates: dict[int, Template] = {}
        # Whether some dates differ from the week (holidays, overrides).
        self._irregular = bool(self.overrides) or not (
            isinstance(holidays, DateHolidays) and not holidays.dates
        )
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
            and hash(other) == hash(self)
            and other.zone.key == self.zone.key
            and other.week == self.week
            and other.holidays == self.holidays
            and other.overrides == self.overrides
        )

    def __hash__(self) -> int:
        found = self._hash
        if found is None:
            overrides = tuple(self.overrides.items())
            found = self._hash = hash((self.zone.key, self.week, self.holidays, overrides))
        return found

    def shifts_on(self, day: dt.date) -> tuple[Shift, ...]:
        """Return the shifts that start on local date ``day``."""
        override = self.overrides.get(day)
        if override is not None:
            return override
        shifts = self.week.days[day.weekday()]
        if shifts and day in self.holidays:
            return ()
        return shifts

    #: Answers ``steady`` and ``between`` (see ``_template``).
    templated = True

    def steady(self, t: int, limit: int) -> tuple[int, Template | None] | None:
        """Return how far from ``t`` the open time repeats the week's template (``_template``).

        Between two transitions of the zone (once a clock set back has caught up with
        what it read before), an instant is open exactly when its wall-clock reading
        lies in a shift: the week's shifts at one UTC offset. Holidays and overrides
        change the shifts of their day, whose readings reach into the next day: those
        two days are irregular, placed exactly by ``between``.
        """
        # Reading the zone's transitions costs a few milliseconds, once per process: the
        # first question of a few weeks about the zone is left to the index's pieces (a
        # one-question process would not win the time back); a long one or a second reads.
        key = self.zone.key
        read = limit - t > _STEADY_DAYS * US_PER_DAY or key in _ASKED
        known = transitions(self.zone, read=read)
        if known is None:
            if not read and key is not None:
                _ASKED.add(key)
            return None
        settled, hi, offset = known.segment(t)
        if t < settled:  # the hour a clock set back reads again
            return settled, None
        if self._irregular:
            day = (t + offset) // US_PER_DAY + _EPOCH_ORDINAL
            last = (min(hi, limit) - 1 + offset) // US_PER_DAY + _EPOCH_ORDINAL
            last = min(last, day + _SCAN_DAYS)  # the dates looked at: a year at a time
            special = self._first_special(day - 1, last)
            if special is None:
                hi = min(hi, (last + 1 - _EPOCH_ORDINAL) * US_PER_DAY - offset)
            elif special > day:
                hi = min(hi, (special - _EPOCH_ORDINAL) * US_PER_DAY - offset)
            else:
                return min(hi, (special + 2 - _EPOCH_ORDINAL) * US_PER_DAY - offset), None
        template = self._templates.get(offset)
        if template is None:
            template = self._template(offset)
        return hi, template

    def _template(self, offset: int) -> Template:
        """Return the week's template with local midnights ``offset`` µs ahead of UTC."""
        # Ordinal 1 (0001-01-01) is a Monday: its local midnight, in µs from the epoch.
        template = Template.placed(
            self._week_starts, self._week_ends, (1 - _EPOCH_ORDINAL) * US_PER_DAY - offset
        )
        self._templates[offset] = template
        return template

    def _first_special(self, first: int, last: int) -> int | None:
        """Return the first day (ordinal) in ``first..last`` with an override or a holiday on a
        working day, or None."""
        found = None
        overridden = self._override_days
        if overridden:
            i = bisect_left(overridden, first)
            if i < len(overridden) and overridden[i] <= last:
                found = last = overridden[i]
        holidays = self.holidays
        if isinstance(holidays, DateHolidays) and not holidays.dates:
            return found
        days = self.week.days
        # A year at a time, as asking day by day would meet them: a year's holidays are
        # worked out only if a working day of it comes before the first special day.
        # (Ordinals past either end of the calendar name no date, so no holiday.)
        first, last = max(first, 1), min(last, _MAX_ORDINAL)
        while first <= last:
            stop = min(last, dt.date(dt.date.fromordinal(first).year, 12, 31).toordinal())
            if stop - first >= 6 or any(days[(n - 1) % 7] for n in range(first, stop + 1)):
                for ordinal in holidays.ordinals(first, stop):
                    if days[(ordinal - 1) % 7]:
                        return ordinal
            first = stop + 1
        return found

    def between(self, lo: int, hi: int) -> Intervals:
        """Return the open intervals within ``[lo, hi)`` (placed, as ``intervals``)."""
        return self.intervals(lo, hi)

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
        working = self._working_days
        days = self.week.days
        # The holidays of the working days' span, in one look-up rather than one a day.
        return not any(
            days[(ordinal - 1) % 7]
            for ordinal in holidays.ordinals(monday + working[0], monday + working[-1])
        )

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


_ALWAYS = Template([0], [WEEK_US])
_NEVER = Template([], [])


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

    #: Answers ``steady`` and ``between`` (see ``_template``).
    templated = True

    def intervals(self, lo: int, hi: int) -> Intervals:
        return ([lo], [hi]) if self.open else ([], [])

    def between(self, lo: int, hi: int) -> Intervals:
        """Return the open intervals within ``[lo, hi)``."""
        return self.intervals(lo, hi)

    def steady(self, t: int, limit: int) -> tuple[int, Template | None]:
        """Return the whole range and the template of every week: all open, or all closed."""
        return MAX_US, _ALWAYS if self.open else _NEVER

    def to_data(self) -> dict[str, Any]:
        return {"kind": "always" if self.open else "never", "tz": self.zone.key}

    def __repr__(self) -> str:
        return f"Calendar.{'always' if self.open else 'never'}(tz={self.zone.key!r})"


class CompositeSource:
    """Open time combined from other calendars' indexes: union, intersection or difference.

    Each operand is a period index, which caches its own chunks; its ``source``
    is the operand's value, so compositions compare and serialize by value.
    """

    __slots__ = (
        "_composed",
        "_hash",
        "_parts",
        "_stretches",
        "depth",
        "kind",
        "operands",
        "templated",
    )

    # Class constants (ClassVar): calendar.py reads them through the class, which a
    # compiled (mypyc) class allows only for class variables.
    KINDS: ClassVar[tuple[str, ...]] = ("union", "intersection", "difference")
    #: The most calendars one composition may combine: each costs work in every query.
    MAX_OPERANDS: ClassVar[int] = 64
    #: How deeply compositions may nest (a composition of compositions of ...).
    MAX_DEPTH: ClassVar[int] = 64

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
        self._hash: int | None = None  # worked out when first asked
        # Templates compose only if every operand answers ``steady`` (``_template``).
        sources = [index.source for index in operands]
        self.templated = all(getattr(source, "templated", False) for source in sources)
        self._parts: tuple[TemplatedSource, ...] = (
            tuple(cast("TemplatedSource", source) for source in sources) if self.templated else ()
        )
        # Composed templates by their operands' templates (a few: one per offsets met).
        self._composed: dict[tuple[Template, ...], Template] = {}
        # Each operand's last answer to ``steady``, as ``(from, hi, template)``: a stretch
        # steady (or irregular) from ``from`` to ``hi`` is so from any instant within it,
        # so a walk asks only the operand whose stretch ended (one entry per operand).
        self._stretches: list[tuple[int, int, Template | None] | None] = [None] * len(self._parts)

    @property
    def keys(self) -> tuple[object, ...]:
        """Return the operands' sources, which compare by value."""
        return tuple(index.source for index in self.operands)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, CompositeSource)
            and hash(other) == hash(self)
            and other.kind == self.kind
            and other.keys == self.keys
        )

    def __hash__(self) -> int:
        found = self._hash
        if found is None:
            found = self._hash = hash((self.kind, self.keys))
        return found

    def intervals(self, lo: int, hi: int) -> Intervals:
        return combine(self.kind, [index.intervals(lo, hi) for index in self.operands])

    def between(self, lo: int, hi: int) -> Intervals:
        """Return the open intervals within ``[lo, hi)``, from the operands' sources (no index).

        An operand steady over the whole span lists its template's intervals there;
        only the others place their days.
        """
        parts: list[Intervals] = []
        for number, part in enumerate(self._parts):
            found = self._stretch(number, part, lo, hi)
            if found is not None and found[1] is not None and found[0] >= hi:
                parts.append(found[1].expand(lo, hi))
            else:
                parts.append(part.between(lo, hi))
        return combine(self.kind, parts)

    def steady(self, t: int, limit: int) -> tuple[int, Template | None] | None:
        """Return how far from ``t`` every operand is steady, and the composed template."""
        hi = MAX_US
        templates: list[Template] = []
        regular = True
        for number, part in enumerate(self._parts):
            found = self._stretch(number, part, t, limit)
            if found is None:
                return None
            end, template = found
            hi = min(hi, end)
            if template is None:
                regular = False
            else:
                templates.append(template)
        if not regular:
            return hi, None
        key = tuple(templates)
        composed = self._composed.get(key)
        if composed is None:
            if len(self._composed) >= _MAX_COMPOSED:
                self._composed.clear()
            composed = self._composed[key] = compose(self.kind, templates)
        return hi, composed

    def _stretch(
        self, number: int, part: TemplatedSource, t: int, limit: int
    ) -> tuple[int, Template | None] | None:
        """Return operand ``number``'s ``steady(t, limit)``, or the stretch it gave before if that
        covers ``t``."""
        known = self._stretches[number]  # one read: another thread may replace it
        if known is not None and known[0] <= t < known[1]:
            return known[1], known[2]
        found = part.steady(t, limit)
        if found is not None:
            self._stretches[number] = (t, *found)
        return found

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "of": [index.source.to_data() for index in self.operands],
        }

    def __repr__(self) -> str:
        symbol = {"union": " | ", "intersection": " & ", "difference": " - "}[self.kind]
        return "(" + symbol.join(repr(index.source) for index in self.operands) + ")"
