"""Windows: calendars open during one-off spans or RFC 5545 recurring windows.

A window calendar is open during its windows and closed otherwise, so it
composes like any other calendar: ``Calendar.always("UTC") - maintenance``
is uptime less the maintenance windows, ``support & access`` is support hours
while the building is open.

>>> import datetime as dt
>>> from zoneinfo import ZoneInfo
>>> maint = Windows.recurring("FREQ=MONTHLY;BYDAY=1SU", "02:00-06:00", tz="Europe/London")
>>> sunday = dt.datetime(2026, 3, 1, 3, 0, tzinfo=ZoneInfo("Europe/London"))
>>> maint.is_open(sunday), maint.is_open(sunday + dt.timedelta(days=7))
(True, False)

This module (with ``slaclock.config``) is the only one that needs
python-dateutil; the engine stays standard-library only.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from slaclock._index import Intervals
from slaclock._sources import append_merged, local_days, place_shifts
from slaclock._time import from_us, to_us, zone
from slaclock.calendar import Calendar
from slaclock.errors import ScheduleError
from slaclock.schedule import Shift, parse_date, parse_shifts

__all__ = [
    "OneOffSource",
    "RecurringSource",
    "Windows",
    "parse_rule",
    "rule_parts",
    "windows_from_data",
]

_ONE_DAY = dt.timedelta(days=1)
#: The anchor (DTSTART) of a recurring rule that names none: 1970-01-01, local.
DEFAULT_START = dt.date(1970, 1, 1)
#: Days in the Gregorian 400-year cycle: a whole number of weeks, so shifting a
#: rule's anchor by it changes nothing but where iteration starts.
_CYCLE_DAYS = 146_097
_ALLOWED_FREQ = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
_SUBDAILY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_DTSTART_RE = re.compile(r"DTSTART(?:;VALUE=DATE(?:-TIME)?)?:(\d{8})(?:T(\d{6}))?", re.IGNORECASE)
#: ``f(anchor, day)``: the latest anchor on or before ``day`` that gives the same windows.
_Step = Callable[[dt.date, dt.date], dt.date]
_UNTIL_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")


class Windows:
    """Build calendars that are open only during given windows.

    ``Windows.between`` takes one-off spans; ``Windows.recurring`` takes an
    RFC 5545 recurrence rule and the hours of each occurrence. Both return a
    plain :class:`~slaclock.calendar.Calendar`.
    """

    def __init__(self) -> None:
        raise TypeError("Windows only builds calendars: use Windows.between or Windows.recurring")

    @classmethod
    def between(
        cls,
        intervals: Iterable[tuple[dt.datetime, dt.datetime]],
        tz: str | dt.tzinfo = "UTC",
    ) -> Calendar:
        """Return a calendar open during the given ``(start, end)`` spans, answering in ``tz``.

        Each start and end is an aware datetime and ``end > start``; windows that
        overlap or touch merge into one.

        >>> import datetime as dt
        >>> utc = dt.timezone.utc
        >>> eve = dt.datetime(2026, 12, 24, tzinfo=utc)
        >>> christmas = (eve, eve + dt.timedelta(days=3))
        >>> freeze = Windows.between([christmas])
        >>> december = dt.datetime(2026, 12, 1, tzinfo=utc)
        >>> freeze.elapsed(december, december + dt.timedelta(days=31))
        datetime.timedelta(days=3)
        """
        zone_info = zone(tz)
        return Calendar(OneOffSource.build(zone_info, intervals), zone_info)

    @classmethod
    def recurring(
        cls,
        rule: str,
        hours: str | Sequence[str],
        *,
        tz: str | dt.tzinfo,
        start: dt.date | str | None = None,
    ) -> Calendar:
        """Return a calendar open for ``hours`` on each local day that ``rule`` picks.

        ``rule`` is an RFC 5545 RRULE (``"FREQ=MONTHLY;BYDAY=1SU"``, the
        ``RRULE:`` prefix optional) that picks days: FREQ is DAILY, WEEKLY,
        MONTHLY or YEARLY, and BYHOUR / BYMINUTE / BYSECOND are refused, since
        ``hours`` (``"02:00-06:00"``, overnight ``"22:00-02:00"``, or several
        shifts) gives the time of day in zone ``tz``, under the SEMANTICS
        daylight-saving rule. ``start`` (a date, or a ``DTSTART`` line in
        ``rule``) anchors the rule: INTERVAL and COUNT count from it, and no
        window opens before it. It defaults to 1970-01-01; a rule with COUNT
        must give it. UNTIL ends the rule (compared with each window's local
        start; a ``Z`` value is converted to ``tz``).
        """
        zone_info = zone(tz)
        return Calendar(RecurringSource.build(zone_info, rule, hours, start), zone_info)


def windows_from_data(data: Mapping[str, Any]) -> Calendar:
    """Return the window calendar described by ``data`` (as written by ``Calendar.to_dict``)."""
    tz = data.get("tz")
    if not isinstance(tz, str):
        raise ScheduleError(f"window calendar data needs a 'tz' zone name, got {tz!r}")
    if "rule" in data:
        unknown = set(data) - {"kind", "tz", "rule", "hours", "start"}
        if unknown:
            raise ScheduleError(f"unknown keys in recurring window data: {sorted(unknown)}")
        hours = data.get("hours")
        if not isinstance(hours, (str, list)):
            raise ScheduleError("recurring window data needs 'hours' such as '02:00-06:00'")
        return Windows.recurring(data["rule"], hours, tz=tz, start=data.get("start"))
    spans = data.get("between")
    if not isinstance(spans, list):
        raise ScheduleError(
            f"window calendar data needs 'between' (a list of [start, end]) or 'rule', got {data!r}"
        )
    pairs: list[tuple[dt.datetime, dt.datetime]] = []
    for number, span in enumerate(spans):
        if not isinstance(span, (list, tuple)) or len(span) != 2:
            raise ScheduleError(f"between[{number}]: expected [start, end], got {span!r}")
        pairs.append(
            (
                parse_instant(span[0], f"between[{number}][0]"),
                parse_instant(span[1], f"between[{number}][1]"),
            )
        )
    return Windows.between(pairs, tz=tz)


def parse_instant(value: object, where: str) -> dt.datetime:
    """Return an aware datetime from a datetime or an ISO 8601 string (``Z`` allowed)."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ScheduleError(
                f"{where}: {value!r} is not an ISO 8601 date-time such as "
                "'2026-03-01T02:00:00+00:00'"
            ) from None
    if not isinstance(value, dt.datetime):
        raise ScheduleError(f"{where}: expected a date-time, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ScheduleError(
            f"{where}: {value.isoformat()} has no UTC offset; write it as "
            f"'{value.isoformat()}+00:00' or with its zone's offset"
        )
    return value


class OneOffSource:
    """Open during a fixed list of spans (integer µs), answering in one zone."""

    __slots__ = ("_hash", "ends", "starts", "zone")

    def __init__(self, zone: ZoneInfo, starts: Sequence[int], ends: Sequence[int]) -> None:
        self.zone = zone
        self.starts = tuple(starts)
        self.ends = tuple(ends)
        self._hash = hash((zone.key, self.starts, self.ends))

    @classmethod
    def build(
        cls, zone: ZoneInfo, intervals: Iterable[tuple[dt.datetime, dt.datetime]]
    ) -> OneOffSource:
        """Return a source from ``(start, end)`` aware datetimes, validated and merged."""
        if isinstance(intervals, (str, bytes, Mapping)) or not isinstance(intervals, Iterable):
            raise ScheduleError(
                f"windows must be a list of (start, end) datetimes, not {intervals!r}"
            )
        spans: list[tuple[int, int]] = []
        for number, span in enumerate(intervals):
            if not isinstance(span, (tuple, list)) or len(span) != 2:
                raise ScheduleError(f"window {number}: expected (start, end), got {span!r}")
            start = to_us(span[0], f"window {number} start")
            end = to_us(span[1], f"window {number} end")
            if end <= start:
                raise ScheduleError(
                    f"window {number}: end {span[1].isoformat()} is not after "
                    f"start {span[0].isoformat()}"
                )
            spans.append((start, end))
        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted(spans):
            append_merged(starts, ends, start, end)
        return cls(zone, starts, ends)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, OneOffSource)
            and other._hash == self._hash
            and other.zone.key == self.zone.key
            and other.starts == self.starts
            and other.ends == self.ends
        )

    def __hash__(self) -> int:
        return self._hash

    def intervals(self, lo: int, hi: int) -> Intervals:
        starts: list[int] = []
        ends: list[int] = []
        i = bisect_right(self.ends, lo)
        while i < len(self.starts) and self.starts[i] < hi:
            starts.append(max(self.starts[i], lo))
            ends.append(min(self.ends[i], hi))
            i += 1
        return starts, ends

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": "windows",
            "tz": self.zone.key,
            "between": [
                [from_us(start, self.zone).isoformat(), from_us(end, self.zone).isoformat()]
                for start, end in zip(self.starts, self.ends, strict=True)
            ],
        }

    def __repr__(self) -> str:
        return f"Windows.between(<{len(self.starts)} windows>, tz={self.zone.key!r})"


def parse_rule(rule: object) -> tuple[str, dt.date | None]:
    """Return ``rule`` as a normalized RRULE body and the date of its DTSTART line, if any.

    Raises :class:`ScheduleError` naming the rule when it is not a valid RFC 5545
    RRULE that picks days.

    >>> parse_rule("RRULE:FREQ=MONTHLY;BYDAY=1SU")
    ('FREQ=MONTHLY;BYDAY=1SU', None)
    """
    if not isinstance(rule, str):
        raise ScheduleError(f"a recurrence rule is a string such as 'FREQ=WEEKLY', not {rule!r}")
    body: str | None = None
    start: dt.date | None = None
    for raw in rule.strip().splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _DTSTART_RE.fullmatch(line)
        if match is not None:
            if start is not None:
                raise ScheduleError(f"invalid RRULE {rule!r}: DTSTART is given twice")
            start = _date8(match[1], rule)
            continue
        if line.upper().startswith("DTSTART"):
            raise ScheduleError(
                f"invalid RRULE {rule!r}: DTSTART must be a local date or date-time "
                "(DTSTART:20260104 or DTSTART:20260104T000000); the zone is the tz argument"
            )
        if body is not None:
            raise ScheduleError(f"invalid RRULE {rule!r}: only one RRULE line is allowed")
        if line.upper().startswith("RRULE:"):
            line = line[len("RRULE:") :]
        if ":" in line:
            raise ScheduleError(
                f"invalid RRULE {rule!r}: only RRULE and DTSTART lines are understood"
            )
        body = "".join(line.split()).upper().strip(";")
    if not body:
        raise ScheduleError(f"invalid RRULE {rule!r}: it has no rule such as FREQ=WEEKLY")
    _parts(body, rule)
    return body, start


def _date8(text: str, rule: str) -> dt.date:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise ScheduleError(f"invalid RRULE {rule!r}: {text!r} is not a date") from None


def rule_parts(body: str) -> dict[str, str]:
    """Return the NAME=VALUE parts of a normalized RRULE body from :func:`parse_rule`."""
    return _parts(body, body)


def _parts(body: str, rule: str) -> dict[str, str]:
    """Return the rule's NAME=VALUE parts, checking the ones slaclock adds meaning to."""
    parts: dict[str, str] = {}
    for item in body.split(";"):
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise ScheduleError(f"invalid RRULE {rule!r}: {item!r} is not NAME=VALUE")
        if name in parts:
            raise ScheduleError(f"invalid RRULE {rule!r}: {name} is given twice")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise ScheduleError(f"invalid RRULE {rule!r}: FREQ is required")
    if freq not in _ALLOWED_FREQ:
        raise ScheduleError(
            f"invalid RRULE {rule!r}: FREQ={freq} is not DAILY, WEEKLY, MONTHLY or YEARLY; "
            "the rule picks days and the hours argument gives the time of day"
        )
    for name in _SUBDAILY_PARTS:
        if name in parts:
            raise ScheduleError(
                f"invalid RRULE {rule!r}: {name} is not allowed; the rule picks days and "
                "the hours argument gives the time of day"
            )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ScheduleError(f"invalid RRULE {rule!r}: COUNT and UNTIL exclude each other")
    for name in ("INTERVAL", "COUNT"):
        number = parts.get(name)
        if number is not None and not (number.isdigit() and int(number) >= 1):
            raise ScheduleError(
                f"invalid RRULE {rule!r}: {name}={number} is not a whole number >= 1"
            )
    try:
        rrulestr("RRULE:" + _without(body, "UNTIL"), dtstart=dt.datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ScheduleError(f"invalid RRULE {rule!r}: {exc}") from None
    if "UNTIL" in parts and _UNTIL_RE.fullmatch(parts["UNTIL"]) is None:
        raise ScheduleError(
            f"invalid RRULE {rule!r}: UNTIL={parts['UNTIL']} is not YYYYMMDD or YYYYMMDDTHHMMSS[Z]"
        )
    return parts


def _without(body: str, name: str) -> str:
    return ";".join(item for item in body.split(";") if item.partition("=")[0] != name)


class RecurringSource:
    """Open for the same shifts on each local day an RFC 5545 rule picks, in one zone.

    Occurrences are generated per chunk with ``rrule`` on naive local date-times:
    the anchor is fast-forwarded by a whole number of the rule's periods where
    that provably changes nothing, and iteration is capped at the chunk's end, so
    a chunk costs about the occurrences in it.
    """

    __slots__ = (
        "_base",
        "_count",
        "_hash",
        "_step",
        "_until",
        "rule",
        "shifts",
        "start",
        "zone",
    )

    def __init__(
        self, zone: ZoneInfo, rule: str, shifts: tuple[Shift, ...], start: dt.date
    ) -> None:
        parts = _parts(rule, rule)
        if not shifts:
            raise ScheduleError(f"recurring windows for {rule!r} need hours such as '02:00-06:00'")
        self.zone = zone
        self.rule = rule
        self.shifts = shifts
        self.start = start
        self._hash = hash((zone.key, rule, shifts, start))
        count = parts.get("COUNT")
        self._count = int(count) if count is not None else None
        self._until = self._until_local(parts.get("UNTIL"))
        base: rrule = rrulestr(  # type: ignore[assignment]
            "RRULE:" + _without(_without(rule, "UNTIL"), "COUNT"),
            dtstart=self._at(start),
        )
        self._base = base
        self._step = _fast_forward_step(parts, start)

    @classmethod
    def build(
        cls,
        zone: ZoneInfo,
        rule: object,
        hours: object,
        start: object,
    ) -> RecurringSource:
        """Return a source from user-facing arguments, validating each."""
        body, rule_start = parse_rule(rule)
        if start is not None and rule_start is not None:
            raise ScheduleError(
                f"rule {rule!r} has a DTSTART and start={start!r} is given too; give one"
            )
        anchor = parse_date(start, "start") if start is not None else rule_start
        if anchor is None:
            if "COUNT" in _parts(body, body):
                raise ScheduleError(
                    f"rule {rule!r} has a COUNT, which counts from the rule's start: "
                    "give a start date (start=, or a DTSTART line)"
                )
            anchor = DEFAULT_START
        if isinstance(hours, str) and hours.strip().lower() in ("", "closed", "off", "none"):
            raise ScheduleError(f"recurring windows for {rule!r} need hours, not {hours!r}")
        shifts = parse_shifts(hours, "hours")  # type: ignore[arg-type]
        return cls(zone, body, shifts, anchor)

    def _at(self, day: dt.date) -> dt.datetime:
        """Return the naive local date-time at which the day's first window opens on the wall."""
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(
            microseconds=self.shifts[0].start_us
        )

    def _until_local(self, text: str | None) -> dt.datetime | None:
        if text is None:
            return None
        match = _UNTIL_RE.fullmatch(text)
        assert match is not None  # checked by _parts
        day = _date8(text[:8], self.rule)
        if match[4] is None:
            # A date UNTIL includes windows opening any time that day.
            return dt.datetime.combine(day, dt.time.max)
        try:
            moment = dt.datetime.combine(day, dt.time(int(match[4]), int(match[5]), int(match[6])))
        except ValueError:
            raise ScheduleError(
                f"invalid RRULE {self.rule!r}: UNTIL={text} is not a time"
            ) from None
        if match[7]:
            moment = moment.replace(tzinfo=dt.timezone.utc).astimezone(self.zone)
            moment = moment.replace(tzinfo=None)
        return moment

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RecurringSource)
            and other._hash == self._hash
            and other.zone.key == self.zone.key
            and other.rule == self.rule
            and other.shifts == self.shifts
            and other.start == self.start
        )

    def __hash__(self) -> int:
        return self._hash

    def days(self, first: dt.date, last: dt.date) -> Iterator[dt.date]:
        """Yield the local days in ``[first, last]`` on which windows open, in order."""
        if last < first:
            return
        cap = self._at(last)
        if self._until is not None:
            cap = min(cap, self._until)
        low = self._at(first)
        if self._count is not None:
            # COUNT counts from the anchor: iterate from it, at most COUNT times.
            rule = self._base.replace(until=cap)
            for number, occurrence in enumerate(rule):
                if number >= self._count:
                    return
                if occurrence >= low:
                    yield occurrence.date()
            return
        anchor = self.start
        if self._step is not None and first > anchor:
            anchor = self._step(anchor, first)
        rule = self._base.replace(dtstart=self._at(anchor), until=cap)
        for occurrence in rule:
            if occurrence >= low:
                yield occurrence.date()

    def intervals(self, lo: int, hi: int) -> Intervals:
        starts: list[int] = []
        ends: list[int] = []
        for day in self.days(*local_days(lo, hi, self.zone)):
            place_shifts(starts, ends, day, self.shifts, zone=self.zone, lo=lo, hi=hi)
        return starts, ends

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": "windows",
            "tz": self.zone.key,
            "rule": self.rule,
            "hours": ",".join(str(shift) for shift in self.shifts),
        }
        if self.start != DEFAULT_START:
            data["start"] = self.start.isoformat()
        return data

    def __repr__(self) -> str:
        hours = ",".join(str(shift) for shift in self.shifts)
        start = f", start={self.start.isoformat()!r}" if self.start != DEFAULT_START else ""
        return f"Windows.recurring({self.rule!r}, {hours!r}, tz={self.zone.key!r}{start})"


def _fast_forward_step(parts: Mapping[str, str], start: dt.date) -> _Step | None:
    """Return ``f(anchor, day)``: the latest anchor <= day equivalent to ``anchor``, or None.

    Moving a rule's anchor by whole periods (INTERVAL days, weeks, or months or
    years when the anchor's day exists in every one) keeps its phase and the
    defaults RRULE takes from DTSTART, so the occurrences from the new anchor on
    are the same. Rules with BYSETPOS over a period, BYWEEKNO and the like are
    unaffected, since whole periods move together.
    """
    interval = int(parts.get("INTERVAL", "1"))
    freq = parts["FREQ"]
    if freq in ("DAILY", "WEEKLY"):
        step = interval * (7 if freq == "WEEKLY" else 1)

        def by_days(anchor: dt.date, day: dt.date) -> dt.date:
            return anchor + dt.timedelta(days=(day - anchor).days // step * step)

        return by_days
    months = interval * (12 if freq == "YEARLY" else 1)
    if start.day <= 28:

        def by_months(anchor: dt.date, day: dt.date) -> dt.date:
            apart = (day.year - anchor.year) * 12 + day.month - anchor.month
            if day.day < anchor.day:
                apart -= 1
            shift = apart // months * months
            year, month = divmod(anchor.month - 1 + shift, 12)
            return anchor.replace(year=anchor.year + year, month=month + 1)

        return by_months
    if (4800 % months) == 0:
        # 400 Gregorian years repeat every date and weekday.
        def by_cycles(anchor: dt.date, day: dt.date) -> dt.date:
            return anchor + dt.timedelta(days=(day - anchor).days // _CYCLE_DAYS * _CYCLE_DAYS)

        return by_cycles
    return None
