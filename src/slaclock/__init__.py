"""slaclock: business time, SLA clocks and SLA policies, exactly.

>>> import datetime as dt
>>> from zoneinfo import ZoneInfo
>>> from slaclock import Calendar
>>> cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
>>> logged = dt.datetime(2026, 11, 20, 16, 55, tzinfo=ZoneInfo("Europe/London"))
>>> cal.add(logged, dt.timedelta(minutes=10)).isoformat()
'2026-11-23T09:05:00+00:00'
"""

from slaclock.calendar import Calendar, Period
from slaclock.clock import Clock, ClockAction, ClockEvent, ClockState
from slaclock.config import dump_calendars, dumps_calendars, load_calendars, loads_calendars
from slaclock.errors import (
    ClockError,
    ConfigError,
    EventError,
    InputError,
    NaiveDatetimeError,
    NoBusinessTimeError,
    NoClosingTimeError,
    OutOfRangeError,
    PolicyError,
    ScheduleError,
    SlaclockError,
    TimeZoneError,
)
from slaclock.evaluate import (
    CycleReport,
    Evaluation,
    Explanation,
    Interval,
    MetricReport,
    Report,
    Status,
    TicketEvent,
)
from slaclock.periods import ReportingPeriod, parse_period
from slaclock.policy import MetricSpec, Policy, Underpin
from slaclock.report import ComplianceReport
from slaclock.schedule import DAY_NAMES, Shift, WeeklyHours
from slaclock.targets import BusinessDays, Duration, Target, parse_target
from slaclock.tickets import Ticket
from slaclock.uptime import availability
from slaclock.windows import Windows

__version__ = "0.1.0"

__all__ = [
    "DAY_NAMES",
    "BusinessDays",
    "Calendar",
    "Clock",
    "ClockAction",
    "ClockError",
    "ClockEvent",
    "ClockState",
    "ComplianceReport",
    "ConfigError",
    "CycleReport",
    "Duration",
    "Evaluation",
    "EventError",
    "Explanation",
    "InputError",
    "Interval",
    "MetricReport",
    "MetricSpec",
    "NaiveDatetimeError",
    "NoBusinessTimeError",
    "NoClosingTimeError",
    "OutOfRangeError",
    "Period",
    "Policy",
    "PolicyError",
    "Report",
    "ReportingPeriod",
    "ScheduleError",
    "Shift",
    "SlaclockError",
    "Status",
    "Target",
    "Ticket",
    "TicketEvent",
    "TimeZoneError",
    "Underpin",
    "WeeklyHours",
    "Windows",
    "__version__",
    "availability",
    "dump_calendars",
    "dumps_calendars",
    "load_calendars",
    "loads_calendars",
    "parse_period",
    "parse_target",
]
