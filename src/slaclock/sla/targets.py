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
import functools
import re
from typing import TYPE_CHECKING, Any, Union

from slaclock.engine._text import brief
from slaclock.engine._time import RANGE_TEXT, day_start, from_us, to_us
from slaclock.engine.calendar import Calendar
from slaclock.errors import NoBusinessTimeError, OutOfRangeError, PolicyError

if TYPE_CHECKING:
    from slaclock.sla._calendars import CalendarChoice

__all__ = [
    "MAX_BUSINESS_DAYS",
    "MAX_TARGET",
    "PRIORITY_CHANGES",
    "BusinessDays",
    "Duration",
    "MetricSpec",
    "Target",
    "format_duration",
    "parse_cutoff",
    "parse_duration",
    "parse_target",
]

#: How a priority change treats a metric's count: ``retroactive`` (the new target
#: counts the business time used since the run started) or ``from_change``.
PRIORITY_CHANGES: tuple[str, ...] = ("retroactive", "from_change")

#: The longest business-time target: ten years (87,600 hours).
MAX_TARGET = dt.timedelta(days=3650)
#: The most business days a target may count.
MAX_BUSINESS_DAYS = 2500

_SHORT = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d{1,6})?)s)?")
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
        return self._due(calendar, logged_at, "logged_at")

    def _due(self, calendar: Calendar, logged_at: dt.datetime, where: str) -> dt.datetime:
        """Return ``due_from``; errors name ``logged_at`` as ``where`` (``due_many``: its row)."""
        # A naive instant, or one too near the ends of the datetime range, is refused as
        # every query refuses it (``astimezone`` would read a naive one as the machine's time).
        to_us(logged_at, where)
        zone = calendar.tz
        local = logged_at.astimezone(zone)
        day = local.date()
        late = self.cutoff is not None and local.time() >= self.cutoff
        # The answer depends on the local date (and the cut-off) only: many tickets share it.
        key = (id(calendar), self.days, self.cutoff, day, late)
        hit = _DUE_MEMO.get(key)
        if hit is not None and hit[0] is calendar:
            return hit[1]
        due = self._walk(calendar, day, late, f"{where} {logged_at.isoformat()}")
        if len(_DUE_MEMO) >= _DUE_MEMO_SIZE:
            _DUE_MEMO.clear()
        _DUE_MEMO[key] = (calendar, due)
        return due

    def _walk(self, calendar: Calendar, day: dt.date, late: bool, where: str) -> dt.datetime:
        """Return the end of the ``days``-th business day after local ``day``, walking days."""
        counted = 0
        if self.cutoff is not None:
            try:
                closed = not late and _last_open(calendar, day) is None
            except OutOfRangeError:
                raise OutOfRangeError(
                    f"{where}: its local date {day} is not wholly within the range a datetime "
                    f"can hold ({RANGE_TEXT}), so whether it has open time cannot be known"
                ) from None
            if late or closed:
                # Logged after the cut-off, or on a closed day: day 0 is the next business day.
                counted = -1
        # Bounded like every calendar search: at most about 50 years of days.
        try:
            for _ in range(HORIZON_DAYS):
                day += dt.timedelta(days=1)
                last = _last_open(calendar, day)
                if last is not None:
                    counted += 1
                    if counted == self.days:
                        return last
        except OutOfRangeError:
            raise OutOfRangeError(
                f"{where}: the search for business day {self.days} after it ran past the "
                f"range a datetime can hold ({RANGE_TEXT})"
            ) from None
        raise NoBusinessTimeError(
            f"{where}: {calendar!r} has no {self.days} business days in the "
            f"{HORIZON_DAYS} days after it"
        )

    def due_many(self, calendar: Calendar, logged_at: Any) -> Any:
        """Return ``due_from`` for each instant of ``logged_at``, shaped like it.

        ``logged_at`` may be any container ``Calendar.elapsed_many`` takes (NumPy
        ``datetime64`` read as UTC, zoned pandas or Arrow columns, lists of aware
        datetimes); the answers come back as ``Calendar.add_many`` gives them,
        missing values staying missing. The cut-off counts as in ``due_from``.
        Hundreds of times faster than a loop: after the first batch on a calendar,
        one division and one table look-up per element.

        >>> import numpy as np
        >>> cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="UTC")
        >>> logged = np.array(["2026-11-20T14:59", "2026-11-20T16:00"], dtype="datetime64[us]")
        >>> BusinessDays(1, dt.time(15)).due_many(cal, logged).tolist()
        [datetime.datetime(2026, 11, 23, 17, 0), datetime.datetime(2026, 11, 24, 17, 0)]
        """
        from slaclock.sla._due_many import due_many

        return due_many(
            calendar, self.days, self.cutoff, logged_at, self._due, horizon=HORIZON_DAYS
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


#: Due instants by (calendar, days, cut-off, local date, after the cut-off): the calendar is
#: kept beside its answer, so an id reused by another calendar never matches.
_DUE_MEMO: dict[tuple[int, int, dt.time | None, dt.date, bool], tuple[Calendar, dt.datetime]] = {}
_DUE_MEMO_SIZE = 65_536
#: How many days after day 0 ``due_from`` looks for business days: about 50 years.
HORIZON_DAYS = 366 * 50


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
    ``choice`` says how a ticket's fields choose the calendar, when they do
    (``calendar`` then describes the choice); ``Policy.select`` resolves it.
    """

    #: None: a total measured without a target (status ``measured``, never judged).
    target: Target | None
    calendar: str
    priority_change: str | None = None
    choice: CalendarChoice | None = None


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


def format_duration(amount: dt.timedelta, *, iso: bool = False) -> str:
    """Return ``amount`` as ``1h30m`` text, or as an ISO 8601 duration (``PT1H30M``) with ``iso``.

    The one duration formatter: hours, minutes and seconds (never days, which would be
    ambiguous for business time), to the microsecond; negative amounts lead with ``-``.

    >>> format_duration(dt.timedelta(hours=1, minutes=30))
    '1h30m'
    >>> format_duration(dt.timedelta(hours=-26, seconds=-0.5), iso=True)
    '-PT26H0.5S'
    >>> format_duration(dt.timedelta(0)), format_duration(dt.timedelta(0), iso=True)
    ('0s', 'PT0S')
    """
    return _format_us(amount // _ONE_MICROSECOND, iso)


_ONE_MICROSECOND = dt.timedelta(microseconds=1)


@functools.lru_cache(maxsize=4096)
def _format_us(micros: int, iso: bool) -> str:
    """Return ``format_duration`` of ``micros`` µs (cached: reports repeat the same few)."""
    sign = "-" if micros < 0 else ""
    seconds, fraction = divmod(abs(micros), 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    h, m, s = ("H", "M", "S") if iso else ("h", "m", "s")
    text = (f"{hours}{h}" if hours else "") + (f"{minutes}{m}" if minutes else "")
    if seconds or fraction or not text:
        text += f"{seconds}.{fraction:06d}".rstrip("0").rstrip(".") + s
    return sign + ("PT" if iso else "") + text


def iso_duration(value: dt.timedelta) -> str:
    """Return an ISO 8601 duration with hours, minutes and seconds (``-PT1H30M``)."""
    return format_duration(value, iso=True)


def parse_duration(text: str, where: str = "duration") -> dt.timedelta:
    """Return the duration written ``1h30m``, ``45s`` or ISO 8601 ``PT1H30M`` (``-`` allowed).

    The one duration parser (``parse_target`` uses it for duration targets). Raises
    ``PolicyError`` naming ``where`` for anything else.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    >>> parse_duration("-PT0.5S") == -dt.timedelta(seconds=0.5)
    True
    """
    value = text.strip()
    sign = -1 if value.startswith("-") else 1
    amount = _duration_or_none(value[1:] if sign < 0 else value, text, where)
    if amount is None:
        raise PolicyError(
            f"{_at(where)}{brief(text)} is not a duration; write it as '4h', '1h30m' or 'PT4H'"
        )
    return sign * amount


def _duration_or_none(body: str, text: str, where: str) -> dt.timedelta | None:
    """Return ``body`` read as ``1h30m`` or ``PT1H30M``, None if it is neither.

    Refuses an amount past ``MAX_TARGET`` before ``timedelta`` could overflow.
    """
    short = _SHORT.fullmatch(body)
    if body and short:
        hours, minutes, seconds = short.groups()
        # Seconds may carry microseconds ("0.5s"), as format_duration writes them.
        whole, _, fraction = (seconds or "0").partition(".")
        if (
            int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(whole)
            > MAX_TARGET.total_seconds()
        ):
            raise _too_long(text, where)
        return dt.timedelta(
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(whole),
            microseconds=int(fraction.ljust(6, "0")) if fraction else 0,
        )
    iso = _ISO.fullmatch(body.upper())
    if iso and any(iso.groups()):
        hours, minutes, seconds = (_number(part) for part in iso.groups())
        if hours * 3600 + minutes * 60 + seconds > MAX_TARGET.total_seconds():
            raise _too_long(text, where)
        exact = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        return dt.timedelta(microseconds=round(exact / dt.timedelta(microseconds=1)))
    return None


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
        raise PolicyError(f"{_at(where)}{brief(value)} must be more than zero")
    if isinstance(target, Duration) and target.amount > MAX_TARGET:
        raise _too_long(value, where)
    if isinstance(target, BusinessDays) and target.days <= 0:
        raise PolicyError(f"{_at(where)}{brief(value)} must be at least one business day")
    if isinstance(target, BusinessDays) and target.days > MAX_BUSINESS_DAYS:
        raise PolicyError(
            f"{_at(where)}{brief(value)} is more than the limit MAX_BUSINESS_DAYS "
            f"({MAX_BUSINESS_DAYS} business days)"
        )
    return target


def _too_long(value: object, where: str) -> PolicyError:
    return PolicyError(
        f"{_at(where)}{brief(value)} is longer than the limit MAX_TARGET "
        f"({MAX_TARGET.days * 24} hours of business time)"
    )


def _parse_text(text: str, where: str) -> Target:
    if len(text) > 40:
        raise PolicyError(f"{_at(where)}{brief(text)} is not a target: too long")
    days = _DAYS.fullmatch(text)
    if days:
        return BusinessDays(int(days[1]))
    if not text.startswith("-"):
        amount = _duration_or_none(text, text, where)
        if amount is not None:
            return Duration(amount)
    if re.fullmatch(r"P\d+D.*", text.upper()):
        raise PolicyError(
            f"{_at(where)}{text!r}: ISO 8601 days are ambiguous here; write '3d' for business "
            "days or 'PT72H' for 72 hours of business time"
        )
    raise PolicyError(
        f"{_at(where)}{text!r} is not a target; write a duration such as '4h', '1h30m', 'PT4H', "
        "or business days such as '3d'"
    )
