"""Windows: calendars open during one-off spans or RFC 5545 recurring windows.

A window calendar is open during its windows and closed otherwise, so it
composes like any other calendar: ``Calendar.always("UTC") - maintenance``
is uptime less the maintenance windows, ``support & access`` is support hours
while the building is open.

>>> import datetime as dt
>>> from zoneinfo import ZoneInfo
>>> maint = Windows.recurring("FREQ=MONTHLY;BYDAY=1SU", "02:00-06:00", tz="Europe/London")
>>> sunday = dt.datetime(2026, 3, 1, 3, 0, tzinfo=ZoneInfo("Europe/London"))
>>> maint.is_open(sunday), maint.is_open(sunday + dt.timedelta(days=7))
(True, False)

Recurring windows need python-dateutil, imported only when a rule is used
(``_recurring.py``); one-off windows and the rest of the engine need only the
standard library.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._recurring import RecurringSource
from ._time import zone
from ._windows import OneOffSource, window_source
from .calendar import Calendar

__all__ = ["Windows", "windows_from_data"]


class Windows:
    """Build calendars that are open only during given windows.

    ``Windows.between`` takes one-off spans; ``Windows.recurring`` takes an
    RFC 5545 recurrence rule and the hours of each occurrence. Both return a
    plain ``Calendar``.
    """

    def __init__(self) -> None:
        raise TypeError("Windows only builds calendars: use Windows.between or Windows.recurring")

    @classmethod
    def between(
        cls,
        intervals: Iterable[tuple[dt.datetime, dt.datetime]],
        tz: str | dt.tzinfo = "UTC",
    ) -> Calendar:
        """Return a calendar open during the given ``(start, end)`` spans, answering in ``tz``.

        Each start and end is an aware datetime and ``end > start``; windows that
        overlap or touch merge into one.

        >>> import datetime as dt
        >>> utc = dt.timezone.utc
        >>> eve = dt.datetime(2026, 12, 24, tzinfo=utc)
        >>> christmas = (eve, eve + dt.timedelta(days=3))
        >>> freeze = Windows.between([christmas])
        >>> december = dt.datetime(2026, 12, 1, tzinfo=utc)
        >>> freeze.elapsed(december, december + dt.timedelta(days=31))
        datetime.timedelta(days=3)
        """
        zone_info = zone(tz)
        return Calendar(OneOffSource.build(zone_info, intervals), zone_info)

    @classmethod
    def recurring(
        cls,
        rule: str,
        hours: str | Sequence[str],
        *,
        tz: str | dt.tzinfo,
        start: dt.date | str | None = None,
    ) -> Calendar:
        """Return a calendar open for ``hours`` on each local day that ``rule`` picks.

        ``rule`` is an RFC 5545 RRULE (``"FREQ=MONTHLY;BYDAY=1SU"``, the
        ``RRULE:`` prefix optional) that picks days: FREQ is DAILY, WEEKLY,
        MONTHLY or YEARLY, and BYHOUR / BYMINUTE / BYSECOND are refused, since
        ``hours`` (``"02:00-06:00"``, overnight ``"22:00-02:00"``, or several
        shifts) gives the time of day in zone ``tz``, under the SEMANTICS
        daylight-saving rule. ``start`` (a date, or a ``DTSTART`` line in
        ``rule``) anchors the rule: INTERVAL and COUNT count from it, and no
        window opens before it. It defaults to 1970-01-01; a rule with COUNT
        must give it. UNTIL ends the rule (compared with each window's local
        start; a ``Z`` value is converted to ``tz``).
        """
        zone_info = zone(tz)
        return Calendar(RecurringSource.build(zone_info, rule, hours, start), zone_info)


def windows_from_data(data: Mapping[str, Any]) -> Calendar:
    """Return the window calendar described by ``data`` (as written by ``Calendar.to_dict``)."""
    source = window_source(data)
    return Calendar(source, source.zone)
