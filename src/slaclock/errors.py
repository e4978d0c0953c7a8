"""Every exception slaclock raises: one hierarchy under ``SlaclockError``.

Every error also subclasses the built-in exception that fits, so callers may
catch either ``SlaclockError`` or, say, ``ValueError``::

    SlaclockError
    ├── NaiveDatetimeError   (ValueError)     a datetime without a zone
    ├── ScheduleError        (ValueError)     bad hours, shifts, holidays, overrides, rules
    ├── TimeZoneError        (ValueError)     an unknown zone name
    ├── NoBusinessTimeError  (LookupError)    no open time within the search horizon
    ├── NoClosingTimeError   (LookupError)    no closed time within the horizon (24x7)
    ├── OutOfRangeError      (OverflowError)  a result outside datetime's range
    ├── ClockError           (ValueError)     an SLA clock event that makes no sense
    ├── PolicyError          (ValueError)     a malformed SLA policy
    ├── EventError           (ValueError)     a malformed or out-of-order ticket event
    ├── ConfigError          (ValueError)     a malformed calendar file or mapping
    └── InputError           (ValueError)     a malformed data file or command-line value

The first eight live in the standard-library engine (``slaclock.engine.errors``),
so a vendored copy of the engine raises the same classes.
"""

from __future__ import annotations

from .engine.errors import (
    ClockError,
    NaiveDatetimeError,
    NoBusinessTimeError,
    NoClosingTimeError,
    OutOfRangeError,
    ScheduleError,
    SlaclockError,
    TimeZoneError,
)

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
