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
from slaclock.errors import (
    ClockError,
    NaiveDatetimeError,
    NoBusinessTimeError,
    NoClosingTimeError,
    OutOfRangeError,
    ScheduleError,
    SlaclockError,
    TimeZoneError,
)
from slaclock.schedule import DAY_NAMES, Shift, WeeklyHours

__version__ = "0.1.0"

__all__ = [
    "DAY_NAMES",
    "Calendar",
    "NaiveDatetimeError",
    "NoBusinessTimeError",
    "NoClosingTimeError",
    "OutOfRangeError",
    "Period",
    "ScheduleError",
    "Shift",
    "SlaclockError",
    "TimeZoneError",
    "WeeklyHours",
    "__version__",
]
