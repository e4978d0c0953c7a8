"""Conversions between aware datetimes, zone wall-clock time and integer microseconds.

The engine works on integers: microseconds since 1970-01-01T00:00Z. They are
exact (no float rounding) and cheap to compare and bisect.
"""

from __future__ import annotations

import datetime as dt
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._iso import iso_instant
from ._text import brief
from .errors import NaiveDatetimeError, OutOfRangeError, TimeZoneError

UTC: Final = dt.timezone.utc
_DATETIME: Final = dt.datetime
EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=UTC)
ONE_US: Final = dt.timedelta(microseconds=1)
US_PER_SECOND: Final = 1_000_000
US_PER_DAY: Final = 86_400 * US_PER_SECOND

#: The first and last instants a ``datetime`` can hold, as microseconds.
#: A day of margin keeps conversion into any zone (offsets < 24 h) in range.
MIN_US: Final = (dt.datetime(1, 1, 2, tzinfo=UTC) - EPOCH) // ONE_US
MAX_US: Final = (dt.datetime(9999, 12, 30, tzinfo=UTC) - EPOCH) // ONE_US
#: ``MIN_US`` to ``MAX_US`` as errors name the range.
RANGE_TEXT: Final = "0001-01-02 to 9999-12-30 UTC"
#: Where ``from_us`` stops using ``fromtimestamp`` (3000-01-01, Windows' gmtime limit).
_FROMTIMESTAMP_US: Final = (dt.datetime(3000, 1, 1, tzinfo=UTC) - EPOCH) // ONE_US


def zone(tz: str | dt.tzinfo) -> ZoneInfo:
    """Return the IANA zone named by ``tz`` (a key such as ``"Europe/London"``)."""
    if isinstance(tz, ZoneInfo):
        if tz.key is None:
            raise TimeZoneError(
                f"time zone {tz!r} has no IANA key; build it with ZoneInfo('Area/City')"
            )
        return tz
    if tz is UTC:
        return ZoneInfo("UTC")
    if isinstance(tz, str):
        if not tz or tz != tz.strip():
            raise TimeZoneError(f"unknown time zone {tz!r}")
        try:
            return ZoneInfo(tz)
        # A folder of zones ("Europe") or an over-long name is an OSError from the file lookup.
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise TimeZoneError(f"unknown time zone {tz!r}: not an IANA zone name") from exc
    raise TimeZoneError(
        f"time zone must be an IANA name such as 'Europe/London' or a ZoneInfo, not {tz!r}"
    )


def to_us(instant: dt.datetime, what: str = "instant") -> int:
    """Return ``instant`` as microseconds since the epoch; refuse naive datetimes."""
    if type(instant) is _DATETIME:
        # The common case first, on the hot path of every query. A naive datetime, or
        # a zone whose offset is None, makes the subtraction raise TypeError, and
        # ``_checked_us`` says why; so does an instant out of range. Summing the
        # timedelta's fields costs less than ``// ONE_US`` (compiled, much less).
        try:
            since = instant - EPOCH
        except TypeError:
            pass
        else:
            us = (since.days * 86_400 + since.seconds) * US_PER_SECOND + since.microseconds
            if MIN_US <= us <= MAX_US:
                return us
    return _checked_us(instant, what)


def _checked_us(instant: dt.datetime, what: str) -> int:
    """Return ``to_us`` of an instant off the fast path: a subclass, or one to refuse."""
    if not isinstance(instant, dt.datetime):
        raise TypeError(f"{what} must be a datetime, not {type(instant).__name__}: {instant!r}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{what} {instant.isoformat()} is naive; give it a tzinfo such as "
            "ZoneInfo('Europe/London') or datetime.timezone.utc"
        )
    us: int = (instant - EPOCH) // ONE_US
    if not MIN_US <= us <= MAX_US:
        raise OutOfRangeError(
            f"{what} {instant.isoformat()} is too near the ends of the range a datetime can "
            f"hold ({RANGE_TEXT})"
        )
    return us


def duration_us(duration: dt.timedelta, what: str = "duration") -> int:
    """Return a ``timedelta`` as whole microseconds."""
    if not isinstance(duration, dt.timedelta):
        raise TypeError(f"{what} must be a timedelta, not {type(duration).__name__}: {duration!r}")
    return duration // ONE_US


def from_us(us: int, tz: dt.tzinfo) -> dt.datetime:
    """Return the aware datetime in ``tz`` for ``us`` microseconds since the epoch."""
    if not MIN_US <= us <= MAX_US:
        raise OutOfRangeError(
            f"the result lies outside the range a datetime can hold ({us} µs from 1970)"
        )
    if 0 <= us < _FROMTIMESTAMP_US and not us % US_PER_SECOND:
        # A whole second (most answers: shifts and targets are whole minutes). From an
        # integer, fromtimestamp is exact and calls ``tz.fromutc`` as astimezone does,
        # at half the cost; it is kept to 1970-2999, where every platform's gmtime works.
        return dt.datetime.fromtimestamp(us // US_PER_SECOND, tz)
    return (EPOCH + ONE_US * us).astimezone(tz)


def offset_us(us: int, tz: dt.tzinfo) -> int:
    """Return ``tz``'s UTC offset (µs) at the instant ``us`` µs since the epoch."""
    offset = from_us(us, tz).utcoffset()
    return 0 if offset is None else offset // ONE_US


def wall(us: int, tz: dt.tzinfo) -> dt.datetime:
    """Return the naive wall-clock reading of ``tz`` at ``us``."""
    return from_us(us, tz).replace(tzinfo=None)


def first_instant_at(local: dt.datetime, tz: dt.tzinfo) -> int:
    """Return the first instant (µs) at which ``tz``'s wall clock reads ``local`` or later.

    In a repeated (autumn) hour that is the first occurrence; in a skipped
    (spring) hour it is the end of the gap. See docs/semantics.md, "Daylight saving".
    """
    earlier = (local.replace(tzinfo=tz, fold=0) - EPOCH) // ONE_US
    if wall(earlier, tz) == local:
        return earlier
    # ``local`` falls in a gap. fold=0 applied the offset before the jump, fold=1
    # the one after, so the jump lies between the two readings: bisect for it.
    lo = (local.replace(tzinfo=tz, fold=1) - EPOCH) // ONE_US
    hi = earlier
    if lo >= hi or wall(lo, tz) >= local:
        lo = hi - 2 * US_PER_DAY
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if wall(mid, tz) >= local:
            hi = mid
        else:
            lo = mid
    return hi


def day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """Return the first instant of local date ``day`` in ``tz`` (after any gap at midnight)."""
    return from_us(first_instant_at(dt.datetime.combine(day, dt.time()), tz), tz)


def iso_or_none(value: dt.datetime | None) -> str | None:
    """Return ``value.isoformat()``, or None for None: how JSON output writes optional instants."""
    return None if value is None else iso_instant(value)


def iso_datetime(text: str) -> dt.datetime:
    """Return the datetime ISO 8601 ``text`` names, ``Z`` accepted on every Python (3.10 too).

    Raises ``ValueError`` if it is not one. The result may be naive; ``parse_instant``
    refuses that.

    >>> iso_datetime("2026-11-20T16:55Z").isoformat()
    '2026-11-20T16:55:00+00:00'
    """
    value = text.strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    return dt.datetime.fromisoformat(value)


def parse_instant(text: str, where: str, error: type[Exception] = ValueError) -> dt.datetime:
    """Return the instant ISO 8601 ``text`` names, with its UTC offset (``Z`` allowed).

    The one reader of instants from text for the whole package. Text that is not an
    instant, or has no offset, raises ``error`` with a message that starts with ``where``.

    >>> parse_instant("2026-07-03T16:55+01:00", "start").isoformat()
    '2026-07-03T16:55:00+01:00'
    >>> parse_instant("2026-07-03T16:55", "start")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: start: '2026-07-03T16:55' has no UTC offset; write it as '...+00:00' or ...
    """
    try:
        instant = iso_datetime(text)
    except ValueError:
        raise error(
            f"{where}: {brief(text)} is not an ISO 8601 instant such as 2026-11-20T16:55+00:00"
        ) from None
    if instant.utcoffset() is None:
        raise error(
            f"{where}: {brief(text)} has no UTC offset; write it as "
            f"'{instant.isoformat()}+00:00' or with its zone's offset"
        )
    return instant
