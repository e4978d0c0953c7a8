"""SLA targets: business time (``"4h"``, ``"1h30m"``, ``"PT4H"``) or business days (``"3d"``).

A duration target counts business time on the metric's calendar. A
business-days target is relative: ``"3d"`` means "by the end of the 3rd
business day of the calendar after the call was logged"; it becomes a
duration once the logging instant is known (``BusinessDays.duration_from``).
An optional ``cutoff`` (``"15:00"``) moves day 0 to the next open day for
calls logged at or after it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Union

from slaclock.engine._time import day_start, from_us, to_us
from slaclock.engine.calendar import Calendar
from slaclock.errors import NoBusinessTimeError, PolicyError

__all__ = [
    "PRIORITY_CHANGES",
    "BusinessDays",
    "Duration",
    "MetricSpec",
    "Target",
    "parse_cutoff",
    "parse_target",
]

#: How a priority change treats a metric's count: ``retroactive`` (the new target
#: counts the business time used since the run started) or ``from_change``.
PRIORITY_CHANGES: tuple[str, ...] = ("retroactive", "from_change")

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
    round the clock). The day the call is logged on is day 0. With a ``cutoff``
    (a local time of day), day 0 is the day of logging only if that is a
    business day and the call came before the cut-off; otherwise it is the next
    business day.

    >>> cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
    >>> friday_4pm = dt.datetime(2026, 11, 20, 16, tzinfo=dt.timezone.utc)
    >>> BusinessDays(1).due_from(cal, friday_4pm).isoformat()
    '2026-11-23T17:00:00+00:00'
    >>> BusinessDays(1, dt.time(15)).due_from(cal, friday_4pm).isoformat()
    '2026-11-24T17:00:00+00:00'
    """

    days: int
    cutoff: dt.time | None = None

    def due_from(self, calendar: Calendar, logged_at: dt.datetime) -> dt.datetime:
        """Return the end of the ``days``-th business day after day 0 (see the class)."""
        zone = calendar.tz
        local = logged_at.astimezone(zone)
        day = local.date()
        counted = 0
        if self.cutoff is not None and (
            local.time() >= self.cutoff or _last_open(calendar, day) is None
        ):
            # Logged after the cut-off, or on a closed day: day 0 is the next business day.
            counted = -1
        # Bounded like every calendar search: at most about 50 years of days.
        for _ in range(366 * 50):
            day += dt.timedelta(days=1)
            last = _last_open(calendar, day)
            if last is not None:
                counted += 1
                if counted == self.days:
                    return last
        raise NoBusinessTimeError(
            f"{calendar!r} has no {self.days} business days after {logged_at.isoformat()}"
        )

    def duration_from(self, calendar: Calendar, logged_at: dt.datetime) -> dt.timedelta:
        """Return the business time from ``logged_at`` to the end of the N-th business day."""
        return calendar.elapsed(logged_at, self.due_from(calendar, logged_at))

    def __str__(self) -> str:
        return f"{self.days}d"

    @property
    def rule(self) -> str:
        """Return the target with its cut-off, if any: ``"3d (cut-off 15:00)"``."""
        if self.cutoff is None:
            return str(self)
        return f"{self.days}d (cut-off {self.cutoff.isoformat(timespec='minutes')})"

    def tighter_than(self, other: Target) -> bool | None:
        """Return whether this target is strictly tighter, or None if they are not comparable."""
        return self.days < other.days if isinstance(other, BusinessDays) else None


def _last_open(calendar: Calendar, day: dt.date) -> dt.datetime | None:
    """Return where the last open time of local ``day`` ends, or None if the day is closed."""
    zone = calendar.tz
    start = to_us(day_start(day, zone))
    end = to_us(day_start(day + dt.timedelta(1), zone))
    last = None
    # Straight to the calendar's period index: one day's periods as integers.
    for _, close in calendar._index.iter_periods(start, end):
        last = close
    return None if last is None else from_us(last, zone)


Target = Union[Duration, BusinessDays]


@dataclasses.dataclass(frozen=True)
class MetricSpec:
    """One metric's target, the name of the calendar it counts on, and its priority-change rule.

    ``priority_change`` is ``"retroactive"``, ``"from_change"``, or None for the
    policy's setting; it applies when a priority change moves a ticket into this tier.
    """

    target: Target
    calendar: str
    priority_change: str | None = None


def parse_cutoff(value: object, where: str = "cutoff") -> dt.time:
    """Return the local time of day written ``"15:00"``; raise PolicyError otherwise.

    >>> parse_cutoff("15:00")
    datetime.time(15, 0)
    """
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", value.strip())
        if match:
            return dt.time(int(match[1]), int(match[2]))
    raise PolicyError(f"{_at(where)}{value!r} is not a time of day such as '15:00'")


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
    BusinessDays(days=3, cutoff=None)
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
