"""Sources of open time for the period index: weekly hours, and always / never open.

Each source is an immutable, hashable value that can write itself down as
JSON-ready data (``to_data``) and list its open intervals for any span.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from operator import lt
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from ._holidays import DateHolidays, PackageHolidays, UnionHolidays, holiday_source
from ._index import Intervals, PeriodIndex
from ._steady import transitions
from ._template import (
    ALWAYS,
    NEVER,
    WEEK_US,
    Holed,
    Stretch,
    Template,
    TemplatedSource,
    append_merged,
    combine,
    compose,
)
from ._time import MAX_US, MIN_US, ONE_US, US_PER_DAY, first_instant_at, wall
from .errors import ScheduleError
from .schedule import (
    Shift,
    ShiftsSpec,
    WeeklyHours,
    parse_date,
    parse_shifts,
    quick_week,
    week_of,
)

_ONE_DAY = dt.timedelta(days=1)
_MIDNIGHT = dt.time()
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_MAX_ORDINAL = dt.date.max.toordinal()
#: The first and last local dates whose shifts the engine places in time.
_FIRST_DAY = dt.date(1, 1, 3)
_LAST_DAY = dt.date(9999, 12, 27)
_LAST_ORDINAL = _LAST_DAY.toordinal()
#: The fewest days a span must hold to be placed at steady offsets (``_steady``).
_STEADY_DAYS = 31
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
    # Comparisons rather than calls of max and min: this runs once per shift placed.
    if start < lo:  # noqa: PLR1730
        start = lo
    if end > hi:  # noqa: PLR1730
        end = hi
    if start < end:
        if ends and start <= ends[-1]:
            if end > ends[-1]:  # noqa: PLR1730
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)


#: The local midnight of ordinal 1 (0001-01-01, a Monday), in µs from the epoch's.
_MONDAY = (1 - _EPOCH_ORDINAL) * US_PER_DAY


def local_template(starts: list[int], ends: list[int], shift: int = 0) -> Template:
    """Return the template of a week's merged shifts from Monday 00:00 (``WeeklySource``'s),
    repeated ``shift`` µs earlier (see ``Template``).

    Shifts within the week are the template as they are (their lists shared); only a
    Sunday shift running into Monday, or one touching Monday's first round the week,
    needs ``Template.placed`` to fold it.
    """
    if starts and ends[-1] <= WEEK_US and ends[-1] < starts[0] + WEEK_US:
        return Template(starts, ends, shift)
    return Template.placed(starts, ends, 0).moved(shift)


class WeeklySource:
    """Weekly shifts in one zone, less holidays, with per-date overrides."""

    __slots__ = (
        "_days",
        "_hash",
        "_irregular",
        "_local",
        "_override_days",
        "_override_shifts",
        "_templates",
        "_week",
        "_week_ends",
        "_week_starts",
        "_working_days",
        "holidays",
        "overrides",
        "zone",
    )

    def __init__(
        self,
        zone: ZoneInfo,
        week: WeeklyHours,
        holidays: DateHolidays | PackageHolidays | UnionHolidays,
        overrides: Mapping[dt.date, tuple[Shift, ...]],
    ) -> None:
        # A week without holidays or overrides, from Monday 00:00 (µs), merged as placed:
        # copied whole into each such week at a steady UTC offset (see ``_place_steady``).
        starts = [
            number * US_PER_DAY + shift.start_us
            for number, shifts in enumerate(week.days)
            for shift in shifts
        ]
        ends = [
            number * US_PER_DAY + shift.end_us
            for number, shifts in enumerate(week.days)
            for shift in shifts
        ]
        self._setup(zone, week, None, holidays, overrides, starts, ends)

    def _setup(  # noqa: PLR0917 - the parts ``__init__`` and ``build`` have worked out
        self,
        zone: ZoneInfo,
        week: WeeklyHours | None,
        days: list[list[tuple[int, int]] | None] | None,
        holidays: DateHolidays | PackageHolidays | UnionHolidays,
        overrides: Mapping[dt.date, tuple[Shift, ...]],
        starts: list[int],
        ends: list[int],
    ) -> None:
        """Set the source's fields: ``week``, or the ``days`` it is made from when first asked."""
        self.zone = zone
        self._week = week
        self._days = days
        self.holidays = holidays
        if overrides:
            self.overrides = dict(sorted(overrides.items()))
            self._override_days = [day.toordinal() for day in self.overrides]
            self._override_shifts = {
                day.toordinal(): shifts for day, shifts in self.overrides.items()
            }
        else:
            self.overrides = {}
            self._override_days = []
            self._override_shifts = {}
        # Worked out when first asked (a composition asks; a lone calendar seldom does).
        self._hash: int | None = None
        self._working_days: list[int] | None = None
        # The week's template (``_template``) at each UTC offset it has been asked at, and
        # the week's own, from Monday 00:00 local, that each of those is a shift of.
        self._templates: dict[int, Template] = {}
        self._local: Template | None = None
        # Whether some dates differ from the week (holidays, overrides).
        self._irregular = bool(overrides) or not (
            isinstance(holidays, DateHolidays) and not holidays.dates
        )
        if not all(map(lt, ends[:-1], starts[1:])):
            # Shifts that touch (an overnight shift running into the next day's): merged
            # one by one as placed. Apart, they are already what merging would give.
            pairs = zip(starts, ends, strict=True)
            starts, ends = [], []
            for start, end in pairs:
                append_merged(starts, ends, start, end)
        self._week_starts = starts
        self._week_ends = ends

    @property
    def week(self) -> WeeklyHours:
        """Return the weekly hours (made from the pairs ``quick_week`` read, when first asked)."""
        found = self._week
        if found is None:
            days = self._days
            if days is None:  # pragma: no cover - one of the two is always set
                raise ScheduleError("a weekly source without its week")
            found = self._week = week_of(days)
        return found

    @classmethod
    def build(
        cls,
        zone: ZoneInfo,
        hours: Mapping[str, ShiftsSpec] | WeeklyHours,
        holidays: object,
        overrides: Mapping[Any, ShiftsSpec] | None,
    ) -> WeeklySource:
        """Return a source from user-facing arguments, validating each."""
        quick = quick_week(hours) if not overrides else None
        if quick is not None:
            # The usual hours, read and checked as integers: the ``Shift`` values and the
            # ``WeeklyHours`` are made only if something asks for them.
            days, starts, ends = quick
            source = holiday_source(holidays) if holidays is not None else _NO_HOLIDAYS
            if overrides is not None and not isinstance(overrides, Mapping):
                raise _not_a_mapping(overrides)
            built = cls.__new__(cls)
            built._setup(zone, None, days, source, {}, starts, ends)
            return built
        week = WeeklyHours.parse(hours)
        source = holiday_source(holidays)
        parsed: dict[dt.date, tuple[Shift, ...]] = {}
        if overrides is not None:
            if not isinstance(overrides, Mapping):
                raise _not_a_mapping(overrides)
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

    def steady(self, t: int, limit: int) -> tuple[int, Stretch | None] | None:
        """Return how far from ``t`` the open time repeats the week's template (``_template``).

        Between two transitions of the zone (once a clock set back has caught up with
        what it read before), an instant is open exactly when its wall-clock reading
        lies in a shift of a day that keeps the week's shifts: the week's shifts at one
        UTC offset. Holidays and overrides change the shifts of their day, whose
        readings reach into the next day: those days are *holes* in the stretch
        (``Holed``), their open intervals placed by integer arithmetic at that offset.
        A stretch stays within one local year, so a year's holidays are worked out
        only when a walk gets to it.
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
            return settled, self._repeated(known.around(t)[0], settled, hi)
        template = self._templates.get(offset)
        if template is None:
            template = self._template(offset)
        if not self._irregular:
            return hi, template
        day = (t + offset) // US_PER_DAY + _EPOCH_ORDINAL
        last = (min(hi, limit) - 1 + offset) // US_PER_DAY + _EPOCH_ORDINAL
        # The dates looked at: to the end of the local year at most (never past the last
        # date a shift can be placed on).
        year_end = dt.date(dt.date.fromordinal(max(min(day, _LAST_ORDINAL), 1)).year, 12, 31)
        last = max(min(last, year_end.toordinal(), _LAST_ORDINAL), day)
        hi = min(hi, (last + 1 - _EPOCH_ORDINAL) * US_PER_DAY - offset)
        specials = self._specials(day - 1, last)
        if not specials:
            return hi, template
        return hi, self._holed(template, specials, offset, t, hi, day - 1, last)

    def _holed(  # noqa: PLR0917 - one stretch's parts, worked out by ``steady``
        self,
        template: Template,
        specials: list[int],
        offset: int,
        lo: int,
        hi: int,
        first: int,
        last: int,
    ) -> Holed:
        """Return the stretch ``[lo, hi)`` at UTC offset ``offset``: the template, with a hole
        for each run of consecutive special days (ordinals ``specials``, sorted, all those in
        ``first..last``).

        A run's shifts and those of the days either side reach from the run's first
        midnight to the midnight two days after its last: its hole. Within it, the
        open intervals are those days' own shifts, placed at the offset.
        """
        los: list[int] = []
        his: list[int] = []
        exact: list[Intervals] = []
        runs = set(specials)
        overridden = self._override_shifts
        days = self.week.days
        i = 0
        while i < len(specials):
            j = i
            while j + 1 < len(specials) and specials[j + 1] == specials[j] + 1:
                j += 1
            run_first, run_last = specials[i], specials[j]
            i = j + 1
            if not overridden or not any(n in overridden for n in range(run_first, run_last + 1)):
                # Holidays only (on working days): no shift of another day overlaps theirs
                # (``WeeklyHours`` checks), so the hole is their span and nothing is open in it.
                midnight = (run_first - _EPOCH_ORDINAL) * US_PER_DAY - offset
                earliest = min(shift.start_us for shift in days[(run_first - 1) % 7])
                hole_lo = max(midnight + earliest, lo)
                midnight += (run_last - run_first) * US_PER_DAY
                latest = max(shift.end_us for shift in days[(run_last - 1) % 7])
                hole_hi = min(midnight + latest, hi)
                if hole_lo < hole_hi:
                    los.append(hole_lo)
                    his.append(hole_hi)
                    exact.append(([], []))
                continue
            base = (run_first - 1 - _EPOCH_ORDINAL) * US_PER_DAY - offset
            hole_lo = max(base + US_PER_DAY, lo)
            hole_hi = min(base + (run_last - run_first + 3) * US_PER_DAY, hi)
            if hole_lo >= hole_hi:
                continue
            starts: list[int] = []
            ends: list[int] = []
            for ordinal in range(run_first - 1, run_last + 2):
                # Each day's shifts lie within it and the next: only those reaching the hole.
                if base < hole_hi and base + 2 * US_PER_DAY > hole_lo:
                    if ordinal in runs:  # an override's shifts, or none on a holiday
                        shifts = overridden.get(ordinal, ())
                    elif first <= ordinal <= last:  # a day the scan found plain
                        shifts = days[(ordinal - 1) % 7]
                    else:
                        shifts = self.shifts_on(dt.date.fromordinal(ordinal))
                    for shift in shifts:
                        append_clipped(
                            starts,
                            ends,
                            base + shift.start_us,
                            base + shift.end_us,
                            hole_lo,
                            hole_hi,
                        )
                base += US_PER_DAY
            los.append(hole_lo)
            his.append(hole_hi)
            exact.append((starts, ends))
        return Holed(template, los, his, exact)

    def _repeated(self, before: int, settled: int, hi: int) -> Template | None:
        """Return the template of ``[before, settled)``, the hour a clock set back at ``before``
        reads again: all open or all closed, as at the instant before it; None if unknown.

        Every reading of that hour was first read before ``before``, and a shift boundary is
        placed at the first instant the clock reads it (docs/semantics.md, "Daylight
        saving"): none lies in the hour, so its state is that of the instant just before,
        which the stretch before it tells when that one is regular.
        """
        if settled > hi:  # another transition within the hour: the days are placed
            return None
        found = self.steady(before - 1, before)
        if found is None or found[1] is None or found[0] < before:
            return None
        template = found[1]
        return ALWAYS if template.before(before) > template.before(before - 1) else NEVER

    def _template(self, offset: int) -> Template:
        """Return the week's template with local midnights ``offset`` µs ahead of UTC."""
        # The local week, repeated from each Monday 00:00 local: ordinal 1 (0001-01-01) is a
        # Monday, whose local midnight lies ``_MONDAY - offset`` µs from the epoch in UTC.
        local = self._local
        if local is None:
            template = self._local = local_template(
                self._week_starts, self._week_ends, offset - _MONDAY
            )
        else:
            template = local.moved(offset - _MONDAY - local.shift)
        self._templates[offset] = template
        return template

    def _specials(self, first: int, last: int) -> list[int]:
        """Return the days (ordinals) in ``first..last`` with an override, or a holiday on a
        working day, sorted."""
        found: list[int] = []
        overridden = self._override_days
        if overridden:
            found = overridden[bisect_left(overridden, first) : bisect_right(overridden, last)]
        holidays = self.holidays
        if isinstance(holidays, DateHolidays) and not holidays.dates:
            return found
        # Only whether each weekday has shifts matters here: the pairs ``quick_week`` read
        # (None on a day off) tell it without the ``WeeklyHours`` being made.
        days: Sequence[object] = self._days if self._days is not None else self.week.days
        # A year at a time; a few days of a year that are not working days (the day
        # before a stretch of January 1st) do not work its holidays out. (Ordinals
        # past either end of the calendar name no date, so no holiday.)
        first, last = max(first, 1), min(last, _MAX_ORDINAL)
        holiday_days: list[int] = []
        while first <= last:
            stop = min(last, dt.date(dt.date.fromordinal(first).year, 12, 31).toordinal())
            if stop - first >= 6 or any(days[(n - 1) % 7] for n in range(first, stop + 1)):
                holiday_days += [n for n in holidays.ordinals(first, stop) if days[(n - 1) % 7]]
            first = stop + 1
        if not found:
            return holiday_days
        return sorted(set(found).union(holiday_days))

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
        days = self.week.days
        working = self._working_days
        if working is None:
            working = self._working_days = [number for number, shifts in enumerate(days) if shifts]
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


#: No holidays: the one value every calendar built without them shares (it is immutable).
_NO_HOLIDAYS = DateHolidays(frozenset())


def _not_a_mapping(overrides: object) -> ScheduleError:
    return ScheduleError(
        "overrides must be a mapping of date to hours, such as "
        f"{{date(2026, 12, 24): '09:00-13:00'}}, not {overrides!r}"
    )


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

    def steady(self, t: int, limit: int) -> tuple[int, Stretch | None]:
        """Return the whole range and the template of every week: all open, or all closed."""
        return MAX_US, ALWAYS if self.open else NEVER

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

    depth: int
    templated: bool

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
        # One pass over the operands: how deep they nest, and whether all have templates.
        deepest = 0
        templated = True
        sources: list[Any] = []
        for index in operands:
            source = index.source
            sources.append(source)
            if type(source) is CompositeSource:
                deepest = max(deepest, source.depth)
                templated = templated and source.templated
            elif type(source) is not WeeklySource and type(source) is not ConstantSource:
                deepest = max(deepest, getattr(source, "depth", 0))
                templated = templated and getattr(source, "templated", False)
        self.depth = 1 + deepest
        if self.depth > self.MAX_DEPTH:
            raise ScheduleError(
                f"compositions nest deeper than the limit MAX_DEPTH ({self.MAX_DEPTH})"
            )
        self.kind = kind
        self.operands = tuple(operands)
        self._hash: int | None = None  # worked out when first asked
        # Templates compose only if every operand answers ``steady`` (``_template``).
        self.templated = templated
        self._parts: tuple[TemplatedSource, ...] = tuple(sources) if templated else ()
        # Composed templates by their operands' templates (a few: one per offsets met).
        self._composed: dict[tuple[Template, ...], Template] = {}
        # Each operand's last answer to ``steady``, as ``(from, hi, template)``: a stretch
        # steady (or irregular) from ``from`` to ``hi`` is so from any instant within it,
        # so a walk asks only the operand whose stretch ended (one entry per operand).
        self._stretches: list[tuple[int, int, Stretch | None] | None] = [None] * len(self._parts)

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

    def steady(self, t: int, limit: int) -> tuple[int, Stretch | None] | None:
        """Return how far from ``t`` every operand is steady, and the composed stretch.

        Outside the operands' holes (``Holed``) the composed template holds; the holes
        of all operands, merged, become the composition's, their intervals combined
        from each operand's there.
        """
        hi = MAX_US
        stretches: list[Stretch] = []
        regular = True
        for number, part in enumerate(self._parts):
            found = self._stretch(number, part, t, limit)
            if found is None:
                return None
            end, stretch = found
            hi = min(hi, end)
            if stretch is None:
                regular = False
            else:
                stretches.append(stretch)
        if not regular:
            return hi, None
        templates = [
            stretch.template if isinstance(stretch, Holed) else stretch for stretch in stretches
        ]
        key = tuple(templates)
        composed = self._composed.get(key)
        if composed is None:
            if 0 < min(hi, limit) - t <= US_PER_DAY:
                # A day or less to see (a one-day question, the hour a clock set back): the
                # operands' few intervals there (``between``) cost less than composing weeks.
                return min(hi, limit), None
            if len(self._composed) >= _MAX_COMPOSED:
                self._composed.clear()
            composed = self._composed[key] = compose(self.kind, templates)
        holes: list[tuple[int, int]] = []
        for stretch in stretches:
            if isinstance(stretch, Holed):
                holes += [
                    (max(lo, t), min(end, hi))
                    for lo, end in zip(stretch.los, stretch.his, strict=True)
                    if end > t and lo < hi
                ]
        if not holes:
            return hi, composed
        holes.sort()
        los: list[int] = []
        his: list[int] = []
        for lo, end in holes:
            append_merged(los, his, lo, end)
        exact = [self._combined(stretches, lo, end) for lo, end in zip(los, his, strict=True)]
        return hi, Holed(composed, los, his, exact)

    def _combined(self, stretches: list[Stretch], lo: int, hi: int) -> Intervals:
        """Return the composition of the operands' open intervals within ``[lo, hi)``."""
        parts: list[Intervals] = []
        for number, stretch in enumerate(stretches):
            part = stretch.expand(lo, hi)
            # Nothing open in an intersection's operand, or a difference's first: nothing.
            empties = self.kind == "intersection" or (self.kind == "difference" and not number)
            if empties and not part[0]:
                return part
            parts.append(part)
        return combine(self.kind, parts)

    def _stretch(
        self, number: int, part: TemplatedSource, t: int, limit: int
    ) -> tuple[int, Stretch | None] | None:
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
