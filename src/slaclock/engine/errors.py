"""The engine's exceptions: the root of slaclock's one hierarchy, ``SlaclockError``.

Each also subclasses the built-in exception that fits (``ValueError``,
``LookupError``, ``OverflowError``), so callers may catch either. They live in
the engine so that a vendored copy raises the same classes; ``slaclock.errors``
draws the whole tree and adds the errors of files, policies and ticket events.
"""

from __future__ import annotations

__all__ = [
    "ClockError",
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


class ClockError(SlaclockError, ValueError):
    """An SLA clock event or query makes no sense in the clock's state, or a stored clock is bad.

    Raised for an event earlier than the clock's last one, a transition that does
    not fit (resume while running, anything after stop), and serialized clock
    data that fails validation. The clock it was raised on is left unchanged.
    """
