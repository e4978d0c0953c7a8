"""SLA targets: business time (``"4h"``, ``"1h30m"``, ``"PT4H"``) or business days (``"3d"``).

A duration target counts business time on the metric's calendar. A
business-days target is relative: ``"3d"`` means "by the end of the 3rd
business day of the calendar after the call was logged"; it becomes a
duration once the logging instant is known (``BusinessDays.duration_from``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any, Union

from slaclock.engine._time import day_start
from slaclock.engine.calendar import Calendar
from slaclock.errors import NoBusinessTimeError, PolicyError

__all__ = ["BusinessDays", "Duration", "MetricSpec", "Target", "parse_target"]

_SHORT = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_DAYS = re.compile(r"(\d+)d")
_ISO = re.compile(
    r"PT(?:(\d+(?:[.,]\d{1,6})?)H)?(?:(\d+(?:[.,]\d{1,6})?)M)?(?:(\d+(?:[.,]\d{1,6})?)S)?"
)


@dataclasses.dataclass(frozen=True)
class Duration:
    """A target of a fixed amount of business time."""

    amount: dt.timedelta

    def duration_from(self, calendar: Calendar, logged_at: dt.datetime) -> dt.timedelta:
        """Return the business time allowed: the amount itself."""
        return self.amount

    def __str__(self) -> str:
        return format_duration(self.amount)

    def tighter_than(self, other: Target) -> bool | None:
        """Return whether this target is strictly tighter, or None if they are not comparable."""
        return self.amount < other.amount if isinstance(other, Duration) else None


@dataclasses.dataclass(frozen=True)
class BusinessDays:
    """A target of "by the end of the N-th business day after logging" on a calendar.

    A business day is a local date (in the calendar's zone) with open time; it
    ends where its last open time ends that day (at midnight for a calendar open
    round the clock). The day the call is logged on is day 0.
    """

    days: int

    def due_from(self, calendar: Calendar, logged_at: dt.datetime) -> dt.datetime:
        """Return the end of the ``days``-th business day after the day of ``logged_at``."""
        zone = calendar.tz
        day = logged_at.astimezone(zone).date()
        counted = 0
        # Bounded like every calendar search: at most about 50 years of days.
        for _ in range(366 * 50):
            day += dt.timedelta(days=1)
            start = day_start(day, zone)
            end = day_start(day + dt.timedelta(days=1), zone)
            last = None
            for period in calendar.periods(start, end):
                last = period.end
            if last is not None:
                counted += 1
                if counted == self.days:
                    return last
        raise NoBusinessTimeError(
            f"{calendar!r} has no {self.days} business days after {logged_at.isoformat()}"
        )

    def due_many(self, calendar: Calendar, logged_at: Any) -> Any:
        """Return ``due_from`` for each instant of ``logged_at``, shaped like it.

        ``logged_at`` may be any container ``Calendar.elapsed_many`` takes (NumPy
        ``datetime64`` read as UTC, zoned pandas or Arrow columns, lists of aware
        datetimes); the answers come back as ``Calendar.add_many`` gives them,
        missing values staying missing. Hundreds of times faster than a loop.
        """
        from slaclock.sla._due_many import due_many

        return due_many(calendar, self.days, logged_at, self.due_from)

    def duration_from(self, calendar: Calendar, logged_at: dt.datetime) -> dt.timedelta:
        """Return the business time from ``logged_at`` to the end of the N-th business day."""
        return calendar.elapsed(logged_at, self.due_from(calendar, logged_at))

    def __str__(self) -> str:
        return f"{self.days}d"

    def tighter_than(self, other: Target) -> bool | None:
        """Return whether this target is strictly tighter, or None if they are not comparable."""
        return self.days < other.days if isinstance(other, BusinessDays) else None


Target = Union[Duration, BusinessDays]


@dataclasses.dataclass(frozen=True)
class MetricSpec:
    """One metric's target and the name of the calendar it counts on."""

    target: Target
    calendar: str


def format_duration(amount: dt.timedelta) -> str:
    """Return ``amount`` as ``"1h30m"``-style text (``"0s"`` for zero).

    >>> format_duration(dt.timedelta(hours=1, minutes=30))
    '1h30m'
    """
    micros = amount // dt.timedelta(microseconds=1)
    sign = "-" if micros < 0 else ""
    seconds, fraction = divmod(abs(micros), 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    if seconds or fraction or not text:
        text += f"{seconds}.{fraction:06d}".rstrip("0").rstrip(".") + "s"
    return sign + text


def _at(where: str) -> str:
    return f"{where}: " if where else ""


def _number(text: str | None) -> float:
    return float(text.replace(",", ".")) if text else 0.0


def parse_target(value: object, where: str = "target") -> Target:
    """Return the target written ``"15m"``, ``"4h"``, ``"1h30m"``, ``"PT4H"`` or ``"3d"``.

    >>> parse_target("1h30m")
    Duration(amount=datetime.timedelta(seconds=5400))
    >>> parse_target("3d")
    BusinessDays(days=3)
    """
    if isinstance(value, (Duration, BusinessDays)):
        target = value
    elif isinstance(value, dt.timedelta):
        target = Duration(value)
    elif isinstance(value, str):
        target = _parse_text(value.strip(), where)
    else:
        raise PolicyError(
            f"{_at(where)}{value!r} is not a target; write a duration such as '4h', '1h30m', "
            "'PT4H', or business days such as '3d'"
        )
    if isinstance(target, Duration) and target.amount <= dt.timedelta(0):
        raise PolicyError(f"{_at(where)}{value!r} must be more than zero")
    if isinstance(target, BusinessDays) and target.days <= 0:
        raise PolicyError(f"{_at(where)}{value!r} must be at least one business day")
    return target


def _parse_text(text: str, where: str) -> Target:
    days = _DAYS.fullmatch(text)
    if days:
        return BusinessDays(int(days[1]))
    short = _SHORT.fullmatch(text)
    if text and short:
        hours, minutes, seconds = (int(part or 0) for part in short.groups())
        return Duration(dt.timedelta(hours=hours, minutes=minutes, seconds=seconds))
    iso = _ISO.fullmatch(text.upper())
    if iso and any(iso.groups()):
        amounts = [_number(part) for part in iso.groups()]
        return Duration(dt.timedelta(hours=amounts[0], minutes=amounts[1], seconds=amounts[2]))
    if re.fullmatch(r"P\d+D.*", text.upper()):
        raise PolicyError(
            f"{_at(where)}{text!r}: ISO 8601 days are ambiguous here; write '3d' for business "
            "days or 'PT72H' for 72 hours of business time"
        )
    raise PolicyError(
        f"{_at(where)}{text!r} is not a target; write a duration such as '4h', '1h30m', 'PT4H', "
        "or business days such as '3d'"
    )
