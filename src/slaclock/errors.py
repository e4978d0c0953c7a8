"""The exceptions slaclock raises: one hierarchy under :class:`SlaclockError`.

Every error also subclasses the built-in exception that fits, so callers may
catch either ``SlaclockError`` or, say, ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "NaiveDatetimeError",
    "NoBusinessTimeError",
    "NoClosingTimeError",
    "OutOfRangeError",
    "ScheduleError",
    "SlaclockError",
    "TimeZoneError",
]


class SlaclockError(Exception):
    """Base class of every error slaclock raises on purpose."""


class NaiveDatetimeError(SlaclockError, ValueError):
    """A datetime without a time zone was given where an instant is needed."""


class ScheduleError(SlaclockError, ValueError):
    """A weekly schedule, shift, holiday list or override is malformed."""


class TimeZoneError(SlaclockError, ValueError):
    """A time zone name is unknown, or a ``tzinfo`` is not an IANA zone."""


class NoBusinessTimeError(SlaclockError, LookupError):
    """A search found no open time within the search horizon."""


class NoClosingTimeError(SlaclockError, LookupError):
    """A search found no closed time within the search horizon (24x7)."""


class OutOfRangeError(SlaclockError, OverflowError):
    """A result would fall outside the range ``datetime`` can represent."""
