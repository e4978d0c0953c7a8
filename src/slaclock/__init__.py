"""slaclock: business time, SLA clocks and SLA policies, exactly.

>>> import datetime as dt
>>> from zoneinfo import ZoneInfo
>>> from slaclock import Calendar
>>> cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
>>> logged = dt.datetime(2026, 11, 20, 16, 55, tzinfo=ZoneInfo("Europe/London"))
>>> cal.add(logged, dt.timedelta(minutes=10)).isoformat()
'2026-11-23T09:05:00+00:00'

The public names below are imported on first use, so ``import slaclock`` loads
no third-party package: pydantic comes in with ``Policy`` or the calendar-file
readers, ``holidays`` with a holidays object, dateutil with a recurring window.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from slaclock._version import __version__

if TYPE_CHECKING:
    from slaclock.config import dump_calendars, dumps_calendars, load_calendars, loads_calendars
    from slaclock.engine.calendar import Calendar, Period
    from slaclock.engine.clock import Clock, ClockAction, ClockEvent, ClockState
    from slaclock.engine.schedule import DAY_NAMES, Shift, WeeklyHours
    from slaclock.engine.windows import Windows
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
    from slaclock.reports.compliance import ComplianceReport
    from slaclock.reports.credits import Credit
    from slaclock.reports.periods import ReportingPeriod, parse_period
    from slaclock.reports.uptime import Outage, availability, iter_outages, read_outages
    from slaclock.sla._calendars import CalendarChoice
    from slaclock.sla.conditions import PRESETS, Condition, MetricDefinition, parse_condition
    from slaclock.sla.credits import Credits
    from slaclock.sla.evaluation import Evaluation
    from slaclock.sla.events import TicketEvent
    from slaclock.sla.policy import Policy, PolicySet, Underpin
    from slaclock.sla.results import (
        CycleReport,
        Escalation,
        Explanation,
        Interval,
        MetricReport,
        Report,
        SegmentReport,
        Status,
    )
    from slaclock.sla.tables import evaluate_table, tickets_from_table
    from slaclock.sla.targets import BusinessDays, Duration, MetricSpec, Target, parse_target
    from slaclock.sla.tickets import Ticket, evaluate_tickets, iter_tickets, read_tickets
    from slaclock.sla.upcoming import Upcoming

#: Where each public name lives: ``from slaclock import X`` imports that module on first use.
_WHERE: dict[str, str] = {
    "Calendar": "slaclock.engine.calendar",
    "Period": "slaclock.engine.calendar",
    "Clock": "slaclock.engine.clock",
    "ClockAction": "slaclock.engine.clock",
    "ClockEvent": "slaclock.engine.clock",
    "ClockState": "slaclock.engine.clock",
    "DAY_NAMES": "slaclock.engine.schedule",
    "Shift": "slaclock.engine.schedule",
    "WeeklyHours": "slaclock.engine.schedule",
    "Windows": "slaclock.engine.windows",
    "ClockError": "slaclock.errors",
    "ConfigError": "slaclock.errors",
    "EventError": "slaclock.errors",
    "InputError": "slaclock.errors",
    "NaiveDatetimeError": "slaclock.errors",
    "NoBusinessTimeError": "slaclock.errors",
    "NoClosingTimeError": "slaclock.errors",
    "OutOfRangeError": "slaclock.errors",
    "PolicyError": "slaclock.errors",
    "ScheduleError": "slaclock.errors",
    "SlaclockError": "slaclock.errors",
    "TimeZoneError": "slaclock.errors",
    "dump_calendars": "slaclock.config",
    "dumps_calendars": "slaclock.config",
    "load_calendars": "slaclock.config",
    "loads_calendars": "slaclock.config",
    "BusinessDays": "slaclock.sla.targets",
    "Duration": "slaclock.sla.targets",
    "MetricSpec": "slaclock.sla.targets",
    "CalendarChoice": "slaclock.sla._calendars",
    "Target": "slaclock.sla.targets",
    "parse_target": "slaclock.sla.targets",
    "TicketEvent": "slaclock.sla.events",
    "Condition": "slaclock.sla.conditions",
    "MetricDefinition": "slaclock.sla.conditions",
    "PRESETS": "slaclock.sla.conditions",
    "parse_condition": "slaclock.sla.conditions",
    "CycleReport": "slaclock.sla.results",
    "SegmentReport": "slaclock.sla.results",
    "Escalation": "slaclock.sla.results",
    "Upcoming": "slaclock.sla.upcoming",
    "Explanation": "slaclock.sla.results",
    "Interval": "slaclock.sla.results",
    "MetricReport": "slaclock.sla.results",
    "Report": "slaclock.sla.results",
    "Status": "slaclock.sla.results",
    "Evaluation": "slaclock.sla.evaluation",
    "Policy": "slaclock.sla.policy",
    "PolicySet": "slaclock.sla.policy",
    "Underpin": "slaclock.sla.policy",
    "Ticket": "slaclock.sla.tickets",
    "evaluate_tickets": "slaclock.sla.tickets",
    "iter_tickets": "slaclock.sla.tickets",
    "read_tickets": "slaclock.sla.tickets",
    "evaluate_table": "slaclock.sla.tables",
    "tickets_from_table": "slaclock.sla.tables",
    "ReportingPeriod": "slaclock.reports.periods",
    "parse_period": "slaclock.reports.periods",
    "ComplianceReport": "slaclock.reports.compliance",
    "Outage": "slaclock.reports.uptime",
    "availability": "slaclock.reports.uptime",
    "iter_outages": "slaclock.reports.uptime",
    "read_outages": "slaclock.reports.uptime",
    "Credits": "slaclock.sla.credits",
    "Credit": "slaclock.reports.credits",
}

__all__ = [
    "DAY_NAMES",
    "PRESETS",
    "BusinessDays",
    "Calendar",
    "CalendarChoice",
    "Clock",
    "ClockAction",
    "ClockError",
    "ClockEvent",
    "ClockState",
    "ComplianceReport",
    "Condition",
    "ConfigError",
    "Credit",
    "Credits",
    "CycleReport",
    "Duration",
    "Escalation",
    "Evaluation",
    "EventError",
    "Explanation",
    "InputError",
    "Interval",
    "MetricDefinition",
    "MetricReport",
    "MetricSpec",
    "NaiveDatetimeError",
    "NoBusinessTimeError",
    "NoClosingTimeError",
    "OutOfRangeError",
    "Outage",
    "Period",
    "Policy",
    "PolicyError",
    "PolicySet",
    "Report",
    "ReportingPeriod",
    "ScheduleError",
    "SegmentReport",
    "Shift",
    "SlaclockError",
    "Status",
    "Target",
    "Ticket",
    "TicketEvent",
    "TimeZoneError",
    "Underpin",
    "Upcoming",
    "WeeklyHours",
    "Windows",
    "__version__",
    "availability",
    "dump_calendars",
    "dumps_calendars",
    "evaluate_table",
    "evaluate_tickets",
    "iter_outages",
    "iter_tickets",
    "load_calendars",
    "loads_calendars",
    "parse_condition",
    "parse_period",
    "parse_target",
    "read_outages",
    "read_tickets",
    "tickets_from_table",
]


def __getattr__(name: str) -> Any:
    """Return the public name ``name``, importing the module that defines it on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'slaclock' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
