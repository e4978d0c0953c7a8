"""The working-time engine: calendars, composition, windows, batch queries and the SLA clock.

Standard library only, relative imports only: copy this folder into a project
(``cp -r engine yourapp/worktime``) and it works under its new name. The few
features that need a third-party package import it on first use and say so when
it is missing: recurring windows need python-dateutil, ``holidays`` objects are
duck-typed (``date in obj``), and ``elapsed_many``/``add_many`` use NumPy, pandas
or pyarrow only when given their arrays.

It may import: the standard library. Nothing in it imports the rest of slaclock.
"""

from importlib.machinery import EXTENSION_SUFFIXES

from . import _index
from .calendar import Calendar, Period
from .clock import Clock, ClockAction, ClockEvent, ClockState
from .errors import (
    ClockError,
    NaiveDatetimeError,
    NoBusinessTimeError,
    NoClosingTimeError,
    OutOfRangeError,
    ScheduleError,
    SlaclockError,
    TimeZoneError,
)
from .schedule import DAY_NAMES, Shift, WeeklyHours
from .windows import Windows

#: Whether this engine runs compiled: True in the optional mypyc build
#: (``SLACLOCK_COMPILE=1 pip install .``), False in the pure-Python one that
#: ``pip install slaclock`` gives and that is vendored. The answers are the same.
COMPILED: bool = (_index.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))

__all__ = [
    "COMPILED",
    "DAY_NAMES",
    "Calendar",
    "Clock",
    "ClockAction",
    "ClockError",
    "ClockEvent",
    "ClockState",
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
    "Windows",
]
