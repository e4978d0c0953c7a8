"""Weekly hours: shifts, days of the week, and the parser for ``{"mon-fri": "09:00-17:00"}``.

Everything here is a small immutable value; parsing errors raise
``ScheduleError`` naming the offending text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from operator import le
from typing import Union

from ._text import brief
from ._time import US_PER_DAY, US_PER_SECOND
from .errors import ScheduleError

__all__ = [
    "CLOSED_WORDS",
    "DAY_NAMES",
    "MAX_SHIFTS_PER_DAY",
    "Shift",
    "ShiftsSpec",
    "WeeklyHours",
    "parse_shifts",
    "quick_week",
    "week_of",
]

#: Short day names in ``date.weekday()`` order.
DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_INDEX = {name: i for names in (DAY_NAMES, _FULL_DAY_NAMES) for i, name in enumerate(names)}

_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?")
CLOSED_WORDS = frozenset({"closed", "off", "none"})

#: What a day's hours may be given as: ``"09:00-12:30,13:30-17:00"``, a list of
#: such strings, ``None`` or ``"closed"`` (no shifts), or parsed ``Shift`` values.
ShiftsSpec = Union[str, Sequence[Union[str, "Shift"]], None]


def _parse_time(text: str, where: str) -> int:
    """Return a time of day ``HH:MM[:SS[.ffffff]]`` (``24:00`` allowed) as µs after midnight."""
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        raise ScheduleError(
            f"{where}: {text.strip()!r} is not a time of day (HH:MM or HH:MM:SS, 00:00 to 24:00)"
        )
    hours, minutes = int(match[1]), int(match[2])
    seconds = int(match[3] or 0)
    micros = int((match[4] or "0").ljust(6, "0"))
    if (
        minutes > 59
        or seconds > 59
        or hours > 24
        or (hours == 24 and (minutes or seconds or micros))
    ):
        raise ScheduleError(
            f"{where}: {text.strip()!r} is not a time of day (HH:MM or HH:MM:SS, 00:00 to 24:00)"
        )
    return ((hours * 60 + minutes) * 60 + seconds) * US_PER_SECOND + micros


def _format_time(us: int) -> str:
    seconds, micros = divmod(us, US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    text = f"{hour:02d}:{minute:02d}"
    if second or micros:
        text += f":{second:02d}"
    if micros:
        text += f".{micros:06d}".rstrip("0")
    return text


@dataclasses.dataclass(frozen=True, order=True)
class Shift:
    """One span of open time on a day: ``start`` to ``end`` after that day's local midnight.

    ``end`` beyond 24 hours means the shift runs past midnight into the next day
    (``Shift.parse("22:00-06:00")`` has ``end`` of 30 hours).

    >>> Shift.parse("22:00-06:00")
    Shift('22:00-06:00')
    >>> Shift.parse("22:00-06:00").duration
    datetime.timedelta(seconds=28800)
    """

    start_us: int
    end_us: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_us < US_PER_DAY:
            raise ScheduleError(f"shift start {self.start_us} µs is not within one day")
        if not self.start_us < self.end_us < self.start_us + US_PER_DAY + 1:
            raise ScheduleError(
                f"shift {self.start_us}-{self.end_us} µs must end after it starts and "
                "within 24 hours"
            )

    @classmethod
    def parse(cls, text: str, where: str = "shift") -> Shift:
        """Return the shift written ``HH:MM-HH:MM``; an end before the start runs past midnight."""
        if not isinstance(text, str):
            raise ScheduleError(f"{where}: expected 'HH:MM-HH:MM', got {text!r}")
        parts = text.split("-")
        if len(parts) != 2:
            raise ScheduleError(f"{where}: {text.strip()!r} is not HH:MM-HH:MM")
        start = _parse_time(parts[0], where)
        end = _parse_time(parts[1], where)
        if start == US_PER_DAY:
            raise ScheduleError(f"{where}: {text.strip()!r} starts at 24:00; start at 00:00")
        if end == start:
            raise ScheduleError(
                f"{where}: {text.strip()!r} is empty (its end equals its start); "
                "a whole day is 00:00-24:00"
            )
        if end < start:
            end += US_PER_DAY
        return cls(start, end)

    @functools.cached_property
    def start(self) -> dt.timedelta:
        """Return the start as a time after the day's local midnight."""
        return dt.timedelta(microseconds=self.start_us)

    @functools.cached_property
    def end(self) -> dt.timedelta:
        """Return the end as a time after the start day's local midnight (may exceed 24 h)."""
        return dt.timedelta(microseconds=self.end_us)

    @property
    def duration(self) -> dt.timedelta:
        """Return the wall-clock length of the shift (real time differs on DST days)."""
        return dt.timedelta(microseconds=self.end_us - self.start_us)

    @property
    def overnight(self) -> bool:
        """Return whether the shift runs past midnight into the next day."""
        return self.end_us > US_PER_DAY

    def __str__(self) -> str:
        end = self.end_us - US_PER_DAY if self.end_us > US_PER_DAY else self.end_us
        return f"{_format_time(self.start_us)}-{_format_time(end)}"

    def __repr__(self) -> str:
        return f"Shift({str(self)!r})"

    def __reduce__(self) -> tuple[type[Shift], tuple[int, int]]:
        # Pickled by its fields: the compiled build's frozen classes refuse the
        # attribute-by-attribute restore pickle would otherwise do.
        return Shift, (self.start_us, self.end_us)


#: The most shifts one day may have: each costs work in every query over that day.
MAX_SHIFTS_PER_DAY = 48


#: The usual way to write a day's hours, ``"09:00-12:30,13:30-17:00"``: read by ``_quick_shifts``.
_PLAIN_SHIFT = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]-(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)"
_PLAIN_SHIFTS_RE = re.compile(f"{_PLAIN_SHIFT}(?:,{_PLAIN_SHIFT})*")
_US_PER_MINUTE = 60 * US_PER_SECOND
_US_PER_HOUR = 60 * _US_PER_MINUTE
#: Two digits as text, to their number: what ``_quick_spans`` reads each field with.
_TWO_DIGITS = {f"{number:02d}": number for number in range(100)}


def parse_shifts(spec: ShiftsSpec | Shift, where: str) -> tuple[Shift, ...]:
    """Return one day's shifts, sorted, from ``"09:00-12:30,13:30-17:00"``, a list, or ``None``.

    Shifts that overlap raise ``ScheduleError``: they usually mean a mistyped break.
    """
    if type(spec) is str:
        quick = _quick_shifts(spec)
        if quick is not None:
            return quick
    return _parse_shifts(spec, where)


def _quick_shifts(text: str) -> tuple[Shift, ...] | None:
    """Return the shifts of ``text`` if it is written the usual way and valid, else None.

    ``HH:MM-HH:MM`` shifts, comma-separated, no spaces: what almost every calendar
    says, read with one split instead of a regular expression per time. Whatever
    this does not accept (other shapes, and every mistake) ``_parse_shifts`` reads,
    so answers and error messages are the same either way (tests check it).
    """
    spans = _quick_spans(text)
    if spans is None:
        return None
    return tuple([_shift(start, end) for start, end in spans])


def _quick_spans(text: str) -> list[tuple[int, int]] | None:
    """Return ``_quick_shifts``'s shifts as sorted ``(start_us, end_us)`` pairs, or None."""
    # The pattern admits only times of day (a start before 24:00, an end up to 24:00):
    # what is left to check is the order of the shifts.
    if _PLAIN_SHIFTS_RE.fullmatch(text) is None:
        return None
    # Every field is two digits: one split reads them all (hour, minute, hour, minute...),
    # each looked up rather than read by ``int``, which costs several times more.
    numbers = list(
        map(_TWO_DIGITS.__getitem__, text.replace("-", ":").replace(",", ":").split(":"))
    )
    count = len(numbers)
    if count == 4:  # one shift: most days
        start = numbers[0] * _US_PER_HOUR + numbers[1] * _US_PER_MINUTE
        end = numbers[2] * _US_PER_HOUR + numbers[3] * _US_PER_MINUTE
        if end <= start:
            if end == start:
                return None
            end += US_PER_DAY
        return [(start, end)]
    if count > 4 * MAX_SHIFTS_PER_DAY:
        return None
    spans: list[tuple[int, int]] = []
    for at in range(0, count, 4):
        start = numbers[at] * _US_PER_HOUR + numbers[at + 1] * _US_PER_MINUTE
        end = numbers[at + 2] * _US_PER_HOUR + numbers[at + 3] * _US_PER_MINUTE
        if end <= start:
            if end == start:
                return None
            end += US_PER_DAY
        spans.append((start, end))
    spans.sort()
    last = 0
    for start, end in spans:
        if start < last:
            return None
        last = end
    return spans


#: A week read by ``quick_week``: each day's ``(start_us, end_us)`` pairs (None: closed),
#: and the week's shifts from Monday 00:00 as start and end lists.
QuickWeek = tuple[list[list[tuple[int, int]] | None], list[int], list[int]]


def quick_week(hours: object) -> QuickWeek | None:
    """Return the week ``hours`` describes, if written the usual way and valid; else None.

    A plain ``dict`` of day keys ``_quick_days`` reads to shift text ``_quick_spans``
    reads, no day named twice: each day's pairs, and the week's shifts from Monday
    00:00 (µs) in order, as the calendar places them, without a ``Shift`` or a
    ``WeeklyHours`` made (``week_of`` makes them when asked). Whatever this does not
    accept, including every mistake, ``WeeklyHours.parse`` reads, with the same
    answer or error (tests check it).
    """
    if type(hours) is not dict:
        return None
    days: list[list[tuple[int, int]] | None] = [None, None, None, None, None, None, None]
    for key, spec in hours.items():
        named = _DAY_RANGES.get(key) if type(key) is str else None
        if named is None:
            quick = _quick_days(key) if type(key) is str else None
            if quick is None:
                return None
            named = tuple(quick)
        spans = _quick_spans(spec) if type(spec) is str else None
        if spans is None:
            return None
        for day in named:
            if days[day] is not None:
                return None  # named twice: the general reader says where
            days[day] = spans
    starts: list[int] = []
    ends: list[int] = []
    base = 0
    for spans in days:
        if spans is not None:
            for start, end in spans:
                starts.append(base + start)
                ends.append(base + end)
        base += US_PER_DAY
    # A shift past midnight running into the next day's first (Sunday's into Monday's):
    # the error ``WeeklyHours`` raises, with its message.
    if starts and (
        not all(map(le, ends[:-1], starts[1:])) or ends[-1] - 7 * US_PER_DAY > starts[0]
    ):
        return None
    return days, starts, ends


def week_of(days: list[list[tuple[int, int]] | None]) -> WeeklyHours:
    """Return the ``WeeklyHours`` of a week ``quick_week`` read (and so checked)."""
    made: dict[int, tuple[Shift, ...]] = {}
    week: list[tuple[Shift, ...]] = []
    for spans in days:
        if spans is None:
            week.append(())
            continue
        # Days named together share their pairs, and so their shifts.
        shifts = made.get(id(spans))
        if shifts is None:
            shifts = made[id(spans)] = tuple([_shift(start, end) for start, end in spans])
        week.append(shifts)
    return WeeklyHours(tuple(week))


def _shift(start_us: int, end_us: int) -> Shift:
    """Return ``Shift(start_us, end_us)`` for bounds already checked, without checking again."""
    # ``Shift.__new__``, not ``object.__new__``: compiled (mypyc), Shift has its own.
    shift = Shift.__new__(Shift)
    object.__setattr__(shift, "start_us", start_us)
    object.__setattr__(shift, "end_us", end_us)
    return shift


def _parse_shifts(spec: ShiftsSpec | Shift, where: str) -> tuple[Shift, ...]:
    """Return one day's shifts as ``parse_shifts`` does, in any form it accepts."""
    if spec is None:
        return ()
    if isinstance(spec, Shift):
        items: list[str | Shift] = [spec]
    elif isinstance(spec, str):
        if spec.strip().lower() in CLOSED_WORDS:
            return ()
        if not spec.strip():
            raise ScheduleError(f"{where}: empty hours ''; write None or 'closed' for no shifts")
        items = list(spec.split(","))
    elif isinstance(spec, Sequence):
        items = list(spec)
    else:
        raise ScheduleError(
            f"{where}: expected shifts such as '09:00-17:00', a list of them, or None; "
            f"got {brief(spec)}"
        )
    if len(items) > MAX_SHIFTS_PER_DAY:
        raise ScheduleError(
            f"{where}: {len(items)} shifts in one day, more than the limit MAX_SHIFTS_PER_DAY "
            f"({MAX_SHIFTS_PER_DAY})"
        )
    shifts = sorted(item if isinstance(item, Shift) else Shift.parse(item, where) for item in items)
    for before, after in pairwise(shifts):
        if after.start_us < before.end_us:
            raise ScheduleError(f"{where}: shifts {str(before)!r} and {str(after)!r} overlap")
    return tuple(shifts)


def _parse_days(key: str, where: str) -> list[int]:
    """Return the weekday numbers named by ``"mon-fri"``, ``"sat,sun"`` or ``"mon"``."""
    if type(key) is str:
        quick = _quick_days(key)
        if quick is not None:
            return quick
    return _read_days(key, where)


def _quick_days(key: str) -> list[int] | None:
    """Return the days of ``key`` if it is one day or one range, lower case and unspaced.

    None for anything else (lists, capitals, spaces, mistakes): ``_read_days``
    reads those, with the same answers and errors (tests check it).
    """
    found = _DAY_RANGES.get(key)
    if found is not None:
        return list(found)
    if "," in key:
        return None
    head, dash, tail = key.partition("-")
    first, last = _DAY_INDEX.get(head), _DAY_INDEX.get(tail if dash else head)
    if first is None or last is None:
        return None
    return [(first + offset) % 7 for offset in range((last - first) % 7 + 1)]


#: The days of each short day name and range of them (``"mon"``, ``"mon-fri"``, ``"fri-mon"``),
#: looked up at once by ``_quick_days`` and ``quick_week``.
_DAY_RANGES: dict[str, tuple[int, ...]] = {
    (DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]}-{DAY_NAMES[last]}"): tuple(
        [(first + offset) % 7 for offset in range((last - first) % 7 + 1)]
    )
    for first in range(7)
    for last in range(7)
}
_DAY_RANGES.update({f"{name}-{name}": (number,) for number, name in enumerate(DAY_NAMES)})


def _read_days(key: str, where: str) -> list[int]:
    """Return the weekday numbers of ``key`` as ``_parse_days`` does, in any form it accepts."""
    if not isinstance(key, str):
        raise ScheduleError(f"{where}: day names must be strings such as 'mon-fri', not {key!r}")
    days: list[int] = []
    for part in key.split(","):
        ends = [name.strip().lower() for name in part.split("-")]
        if len(ends) > 2 or any(name not in _DAY_INDEX for name in ends):
            raise ScheduleError(
                f"{where}: unknown day {part.strip()!r} in {key!r}; use mon, tue, wed, thu, "
                "fri, sat, sun, ranges such as 'mon-fri' and lists such as 'sat,sun'"
            )
        first, last = _DAY_INDEX[ends[0]], _DAY_INDEX[ends[-1]]
        # A range may wrap past Sunday: "fri-mon" is Friday to Monday.
        span = (last - first) % 7
        days.extend((first + offset) % 7 for offset in range(span + 1))
    return days


@dataclasses.dataclass(frozen=True)
class WeeklyHours:
    """The shifts of each weekday, Monday first: a week's worth of opening hours.

    >>> week = WeeklyHours.parse({"mon-fri": "09:00-17:00"})
    >>> week.days[0], week.days[6]
    ((Shift('09:00-17:00'),), ())
    """

    days: tuple[tuple[Shift, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ScheduleError(f"a week has 7 days, got {len(self.days)}")
        for today in range(7):
            tomorrow = (today + 1) % 7
            for late in self.days[today]:
                spill = late.end_us - US_PER_DAY
                if spill <= 0:
                    continue  # ends by midnight: nothing of tomorrow to run into
                for early in self.days[tomorrow]:
                    if early.start_us < spill:
                        raise ScheduleError(
                            f"hours: {DAY_NAMES[today]} {str(late)!r} runs into "
                            f"{DAY_NAMES[tomorrow]} {str(early)!r}; shifts must not overlap"
                        )

    @classmethod
    def parse(cls, hours: Mapping[str, ShiftsSpec] | WeeklyHours) -> WeeklyHours:
        """Return the week described by ``{"mon-fri": "09:00-17:00", "sat": "10:00-14:00"}``.

        Days not named are closed. A day named twice is an error.
        """
        if isinstance(hours, WeeklyHours):
            return hours
        if not isinstance(hours, Mapping):
            raise ScheduleError(
                f"hours must be a mapping such as {{'mon-fri': '09:00-17:00'}}, not {hours!r}"
            )
        days: list[tuple[Shift, ...] | None] = [None] * 7
        named_by: dict[int, str] = {}
        for key, spec in hours.items():
            # The quick paths first: ``where`` is only needed to explain a mistake.
            shifts = _quick_shifts(spec) if type(spec) is str else None
            named = _quick_days(key) if type(key) is str else None
            if shifts is None or named is None:
                where = f"hours[{key!r}]"
                if shifts is None:
                    shifts = _parse_shifts(spec, where)
                if named is None:
                    named = _read_days(key, where)
            for day in named:
                if day in named_by:
                    raise ScheduleError(
                        f"hours: {DAY_NAMES[day]} is given twice, in {named_by[day]!r} and {key!r}"
                    )
                named_by[day] = key
                days[day] = shifts
        return cls(tuple([day or () for day in days]))

    def to_dict(self) -> dict[str, str]:
        """Return the week as ``{"mon-fri": "09:00-17:00", ...}``, runs of equal days joined.

        >>> WeeklyHours.parse({"mon": "09:00-17:00", "tue-fri": "09:00-17:00"}).to_dict()
        {'mon-fri': '09:00-17:00'}
        """
        result: dict[str, str] = {}
        day = 0
        while day < 7:
            shifts = self.days[day]
            last = day
            while last + 1 < 7 and self.days[last + 1] == shifts:
                last += 1
            if shifts:
                key = DAY_NAMES[day] if last == day else f"{DAY_NAMES[day]}-{DAY_NAMES[last]}"
                result[key] = ",".join(str(shift) for shift in shifts)
            day = last + 1
        return result

    @property
    def is_empty(self) -> bool:
        """Return whether no day of the week has a shift."""
        return not any(self.days)

    def __reduce__(self) -> tuple[type[WeeklyHours], tuple[tuple[tuple[Shift, ...], ...]]]:
        # As Shift's: by its field, which the compiled build needs.
        return WeeklyHours, (self.days,)


def parse_dates(values: Iterable[object], where: str) -> frozenset[dt.date]:
    """Return the dates in ``values`` (``date`` objects or ISO ``"YYYY-MM-DD"`` strings)."""
    return frozenset(parse_date(value, where) for value in values)


def parse_date(value: object, where: str) -> dt.date:
    """Return ``value`` as a ``date``; a datetime or other type is an error."""
    if isinstance(value, dt.datetime):
        raise ScheduleError(f"{where}: {value!r} is a datetime; give a date")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ScheduleError(f"{where}: {value!r} is not a date (a datetime.date or 'YYYY-MM-DD')")
