"""RFC 5545 recurring windows: a period source open on the days a rule picks.

python-dateutil expands the rules; it is imported only when a rule is checked or
expanded, so the rest of the engine runs on the standard library alone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ._index import Intervals
from ._sources import local_days, place_shifts
from ._text import brief
from .errors import ScheduleError
from .schedule import CLOSED_WORDS, Shift, parse_date, parse_shifts

if TYPE_CHECKING:
    from dateutil.rrule import rrule

__all__ = ["DEFAULT_START", "RecurringSource", "parse_rule", "rule_parts"]

#: The anchor (DTSTART) of a recurring rule that names none: 1970-01-01, local.
DEFAULT_START = dt.date(1970, 1, 1)
#: Days in the Gregorian 400-year cycle: a whole number of weeks, so shifting a
#: rule's anchor by it changes nothing but where iteration starts.
_CYCLE_DAYS = 146_097
_ALLOWED_FREQ = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_SUBDAILY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_DTSTART_RE = re.compile(r"DTSTART(?:;VALUE=DATE(?:-TIME)?)?:(\d{8})(?:T(\d{6}))?", re.IGNORECASE)
#: ``f(anchor, day)``: the latest anchor on or before ``day`` that gives the same windows.
_Step = Callable[[dt.date, dt.date], dt.date]
_UNTIL_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")

#: A rule must first occur within this many years of its start (DTSTART), or it is refused:
#: 400 years hold every pattern of the Gregorian calendar.
RULE_HORIZON_YEARS = 400
#: The largest COUNT a rule may have; its occurrences are expanded once and kept.
MAX_RULE_COUNT = 10_000
#: The allowed values of each BY-part, as (smallest, largest, zero allowed, negative allowed).
_BY_RANGES = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
}
_WEEKDAYS = frozenset({"MO", "TU", "WE", "TH", "FR", "SA", "SU"})
_BYDAY_RE = re.compile(r"([+-]?)(\d{1,3})?([A-Z]{2})")


def _rrulestr(text: str, dtstart: dt.datetime) -> rrule:
    """Return dateutil's expansion of ``text``; python-dateutil is needed only here."""
    try:
        from dateutil.rrule import rrulestr
    except ImportError:  # pragma: no cover - exercised by the vendoring check
        raise ImportError(
            "recurring windows (RFC 5545 rules) need python-dateutil: pip install python-dateutil"
        ) from None
    return rrulestr(text, dtstart=dtstart)  # type: ignore[return-value]


def parse_rule(rule: object) -> tuple[str, dt.date | None]:
    """Return ``rule`` as a normalized RRULE body and the date of its DTSTART line, if any.

    Raises ``ScheduleError`` naming the rule when it is not a valid RFC 5545
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
    """Return the NAME=VALUE parts of a normalized RRULE body from ``parse_rule``."""
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
    _check_ranges(parts, rule)
    if "COUNT" in parts and "UNTIL" in parts:
        raise ScheduleError(f"invalid RRULE {rule!r}: COUNT and UNTIL exclude each other")
    for name in ("INTERVAL", "COUNT"):
        number = parts.get(name)
        if number is not None and not (number.isdigit() and int(number) >= 1):
            raise ScheduleError(
                f"invalid RRULE {rule!r}: {name}={number} is not a whole number >= 1"
            )
    try:
        _rrulestr("RRULE:" + _without(body, "UNTIL"), dt.datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ScheduleError(f"invalid RRULE {rule!r}: {exc}") from None
    if "UNTIL" in parts and _UNTIL_RE.fullmatch(parts["UNTIL"]) is None:
        raise ScheduleError(
            f"invalid RRULE {rule!r}: UNTIL={parts['UNTIL']} is not YYYYMMDD or YYYYMMDDTHHMMSS[Z]"
        )
    return parts


def _check_ranges(parts: Mapping[str, str], rule: str) -> None:
    """Refuse BY-parts outside RFC 5545's ranges, which dateutil accepts and then never meets."""
    for name, (low, high, negative) in _BY_RANGES.items():
        text = parts.get(name)
        if text is None:
            continue
        for item in text.split(","):
            value = item.lstrip("+-")
            sign = item[: len(item) - len(value)]
            if (
                not value.isdigit()
                or len(value) > 3
                or not low <= int(value) <= high
                or (sign == "-" and not negative)
                or len(sign) > 1
            ):
                span = f"{'-' if negative else ''}{high}..-{low}, {low}..{high}"
                if not negative:
                    span = f"{low}..{high}"
                raise ScheduleError(
                    f"invalid RRULE {brief(rule)}: {name}={brief(item)} is outside {span}"
                )
    byday = parts.get("BYDAY")
    if byday is not None:
        freq = parts.get("FREQ")
        most = 53 if freq == "YEARLY" and "BYMONTH" not in parts else 5
        for item in byday.split(","):
            match = _BYDAY_RE.fullmatch(item)
            if match is None or match[3] not in _WEEKDAYS:
                raise ScheduleError(
                    f"invalid RRULE {brief(rule)}: invalid 'BYDAY' value {brief(item)}: not a "
                    "weekday such as MO, 1SU or -1FR"
                )
            if match[2] is not None:
                if freq not in ("MONTHLY", "YEARLY"):
                    raise ScheduleError(
                        f"invalid RRULE {brief(rule)}: BYDAY={item} has a number, which only "
                        "MONTHLY and YEARLY rules take"
                    )
                if not 1 <= int(match[2]) <= most:
                    raise ScheduleError(
                        f"invalid RRULE {brief(rule)}: BYDAY={item}: there is no "
                        f"{match[2]}th {match[3]} (1 to {most})"
                    )
    count = parts.get("COUNT")
    if count is not None and count.isdigit() and int(count) > MAX_RULE_COUNT:
        raise ScheduleError(
            f"invalid RRULE {brief(rule)}: COUNT={brief(count)} is more than the limit "
            f"MAX_RULE_COUNT ({MAX_RULE_COUNT})"
        )


def _horizon(anchor: dt.datetime, spans: int = 1) -> dt.datetime:
    """Return ``spans`` times ``RULE_HORIZON_YEARS`` after ``anchor``, or the last datetime."""
    days = spans * RULE_HORIZON_YEARS * _CYCLE_DAYS // 400
    if anchor.year + spans * RULE_HORIZON_YEARS >= dt.MAXYEAR:
        return dt.datetime.max
    return anchor + dt.timedelta(days=days)


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
        "_occurrences",
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
        self._base = _rrulestr(
            "RRULE:" + _without(_without(rule, "UNTIL"), "COUNT"), self._at(start)
        )
        self._step = _fast_forward_step(parts, start)
        self._occurrences: list[dt.date] | None = None
        self._check_occurs()

    def _check_occurs(self) -> None:
        """Refuse a rule with no occurrence within ``RULE_HORIZON_YEARS`` of its start.

        This also runs dateutil's expansion once, so a rule it accepts but cannot
        expand (such as an impossible BYSETPOS) fails here, at load, not at a query.
        """
        anchor = self._at(self.start)
        horizon = _horizon(anchor)
        cap = horizon if self._until is None else min(horizon, self._until)
        try:
            first = next(iter(self._base.replace(until=cap)), None)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
            raise ScheduleError(f"invalid RRULE {brief(self.rule)}: {exc}") from None
        if first is None and cap == horizon:
            # A rule that ended (UNTIL) before occurring is empty but harmless: dateutil
            # stops at UNTIL. One with no end would make every query search to year 9999.
            raise ScheduleError(
                f"rule {brief(self.rule)} never occurs within the limit RULE_HORIZON_YEARS "
                f"({RULE_HORIZON_YEARS} years) of its start {self.start.isoformat()}"
            )

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
        if isinstance(hours, str) and hours.strip().lower() in {"", *CLOSED_WORDS}:
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
            # COUNT counts from the anchor: expand the (bounded) occurrences once and keep
            # them, rather than walking from the anchor again for every chunk.
            occurrences = self._counted()
            begin = bisect.bisect_left(occurrences, first)
            end = bisect.bisect_right(occurrences, last)
            yield from occurrences[begin:end]
            return
        anchor = self.start
        if self._step is not None and first > anchor:
            anchor = self._step(anchor, first)
        rule = self._base.replace(dtstart=self._at(anchor), until=cap)
        for occurrence in rule:
            if occurrence >= low:
                yield occurrence.date()

    def _counted(self) -> list[dt.date]:
        """Return the local days of a COUNT rule's occurrences (at most ``MAX_RULE_COUNT``)."""
        if self._occurrences is None:
            assert self._count is not None
            days: list[dt.date] = []
            for occurrence in self._base.replace(until=_horizon(self._at(self.start), 3)):
                days.append(occurrence.date())
                if len(days) >= self._count:
                    break
            self._occurrences = days
        return self._occurrences

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
