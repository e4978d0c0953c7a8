"""Reporting periods: a calendar month, quarter, year or run of days, in one zone.

A report covers the instants ``[start, end)`` of a ``ReportingPeriod``.
``parse_period`` reads the forms a service manager writes::

    2026-10                  October 2026
    2026-Q4                  October to December 2026
    2026                     the whole year
    2026-10-05               one day
    2026-10-01..2026-10-15   a run of days, both ends included

Days begin at local midnight in the period's zone (the first instant the wall
clock reads 00:00, after any daylight-saving gap), so ``2026-10`` in
``Europe/London`` begins at 2026-09-30T23:00Z and lasts 31 days and one hour.

>>> october = parse_period("2026-10", "Europe/London")
>>> october.start.isoformat(), october.end.isoformat()
('2026-10-01T00:00:00+01:00', '2026-11-01T00:00:00+00:00')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from slaclock.engine._time import day_start, to_us, zone
from slaclock.errors import InputError, SlaclockError
from slaclock.sla.tickets import FIRST_YEAR, LAST_YEAR

__all__ = ["ReportingPeriod", "parse_period"]

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_YEAR = re.compile(r"(\d{4})")
_FORMS = (
    "write a month (2026-10), a quarter (2026-Q4), a year (2026), a day (2026-10-05) "
    "or a run of days (2026-10-01..2026-10-15)"
)


@dataclasses.dataclass(frozen=True)
class ReportingPeriod:
    """The instants ``[start, end)`` a report covers, with the label it was written as."""

    label: str
    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if to_us(self.end, "end") <= to_us(self.start, "start"):
            raise InputError(
                f"period {self.label!r}: end {self.end.isoformat()} is not after "
                f"start {self.start.isoformat()}"
            )

    def contains(self, instant: dt.datetime) -> bool:
        """Return whether ``instant`` lies in ``[start, end)``."""
        at = to_us(instant)
        return to_us(self.start) <= at < to_us(self.end)

    @property
    def duration(self) -> dt.timedelta:
        """Return the real time the period lasts."""
        return dt.timedelta(microseconds=to_us(self.end) - to_us(self.start))

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"label", "start", "end"}`` with ISO 8601 instants."""
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


def _date(text: str, label: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"period {label!r}: {text!r} is not a date; {_FORMS}") from None


def parse_period(text: str, tz: str | dt.tzinfo = "UTC") -> ReportingPeriod:
    """Return the period written ``text`` (``2026-10``, ``2026-Q4``, ``2026``, days), in ``tz``.

    Raises ``InputError`` naming the text if it is none of
    the forms, or ``TimeZoneError`` for an unknown zone.

    >>> parse_period("2026-Q4").end.isoformat()
    '2027-01-01T00:00:00+00:00'
    >>> parse_period("2026-10-01..2026-10-15").duration
    datetime.timedelta(days=15)
    """
    zone_info = zone(tz)
    label = text.strip()
    first: dt.date
    after: dt.date
    try:
        if month := _MONTH.fullmatch(label):
            year, number = int(month[1]), int(month[2])
            first = dt.date(year, number, 1)
            after = dt.date(year + number // 12, number % 12 + 1, 1)
        elif quarter := _QUARTER.fullmatch(label):
            year, number = int(quarter[1]), int(quarter[2])
            first = dt.date(year, 3 * number - 2, 1)
            after = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
        elif year_match := _YEAR.fullmatch(label):
            year = int(year_match[1])
            first, after = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        elif ".." in label:
            left, right = (part.strip() for part in label.split("..", 1))
            first = _date(left, label)
            last = _date(right, label)
            if last < first:
                raise InputError(f"period {label!r}: {right} is before {left}")
            after = last + dt.timedelta(days=1)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", label):
            first = _date(label, label)
            after = first + dt.timedelta(days=1)
        else:
            raise InputError(f"{label!r} is not a period; {_FORMS}")
    except ValueError as exc:
        if isinstance(exc, SlaclockError):
            raise
        raise InputError(f"{label!r} is not a period ({exc}); {_FORMS}") from None
    except OverflowError:  # a day past 9999-12-31
        raise InputError(f"{label!r} is not a period: it runs past the year 9999") from None
    if not FIRST_YEAR <= first.year <= LAST_YEAR or after > dt.date(LAST_YEAR + 1, 1, 1):
        raise InputError(
            f"period {label!r} is outside the years a ticket may use ({FIRST_YEAR} to {LAST_YEAR})"
        )
    return ReportingPeriod(label, day_start(first, zone_info), day_start(after, zone_info))
