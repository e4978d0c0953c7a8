"""The exceptions slaclock raises: one hierarchy under :class:`SlaclockError`.

Every error also subclasses the built-in exception that fits, so callers may
catch either ``SlaclockError`` or, say, ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "ClockError",
    "ConfigError",
    "EventError",
    "InputError",
    "NaiveDatetimeError",
    "NoBusinessTimeError",
    "NoClosingTimeError",
    "OutOfRangeError",
    "PolicyError",
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


class PolicyError(SlaclockError, ValueError):
    """An SLA policy is malformed: an unknown priority or calendar, a bad or missing target."""


class EventError(SlaclockError, ValueError):
    """A ticket event is malformed, out of time order, or makes no sense at that point."""


class ConfigError(SlaclockError, ValueError):
    """A configuration file or mapping is malformed.

    The message names the file, the dotted field path and the problem:
    ``site.toml: calendars.site.hours.mon: '8-18' is not HH:MM-HH:MM``.
    """


class InputError(SlaclockError, ValueError):
    """A data file (tickets, outages) or a command-line value is malformed.

    The message names the file, the line and the field:
    ``tickets.jsonl:17: events[2].at: '2026-13-01' is not an ISO 8601 instant``.
    """
