"""Words for people: metric labels, targets as the contract says them, times in a zone.

The HTML pages (and the plain-text headings) use these so that a service manager
reads "First response", "3 business days" and "2 Nov 09:00" rather than
identifiers, ``30h52m`` and ISO 8601 instants.

>>> metric_label("first_response")
'First response'
>>> target_words("3d"), target_words("4h"), target_words("1h30m"), target_words("PT15M")
('3 business days', '4 hours', '1 hour 30 minutes', '15 minutes')
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from slaclock.errors import PolicyError
from slaclock.sla.targets import BusinessDays, parse_target

__all__ = [
    "METRIC_LABELS",
    "calendar_words",
    "duration_words",
    "instant_words",
    "metric_label",
    "period_words",
    "target_words",
    "zone_words",
]

#: What each metric is called in a report.
METRIC_LABELS: dict[str, str] = {
    "first_response": "First response",
    "next_update": "Next update",
    "resolution": "Resolution",
    "periodic_update": "Periodic update",
}

#: Zones whose people name their time after a country rather than a city.
_ZONE_NAMES: dict[str, str] = {
    "UTC": "UTC",
    "Etc/UTC": "UTC",
    "Europe/London": "UK time",
    "Europe/Dublin": "Irish time",
    "Europe/Paris": "French time",
    "Europe/Berlin": "German time",
    "Europe/Amsterdam": "Dutch time",
    "Australia/Sydney": "Sydney time",
    "America/New_York": "US Eastern time",
    "America/Chicago": "US Central time",
    "America/Denver": "US Mountain time",
    "America/Los_Angeles": "US Pacific time",
    "Asia/Kolkata": "India time",
    "Asia/Tokyo": "Japan time",
}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def metric_label(name: str) -> str:
    """Return the label a report shows for metric ``name`` (``First response``)."""
    return METRIC_LABELS.get(name) or name.replace("_", " ").capitalize()


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


def duration_words(amount: dt.timedelta, *, short: bool = False) -> str:
    """Return ``amount`` in words, to the minute (to the second below one minute).

    ``short`` writes the units as ``h``, ``min`` and ``s``, for tables.

    >>> duration_words(dt.timedelta(hours=30, minutes=52))
    '30 hours 52 minutes'
    >>> duration_words(dt.timedelta(hours=30, minutes=52), short=True)
    '30 h 52 min'
    >>> duration_words(dt.timedelta(seconds=40))
    '40 seconds'
    """
    total = round(amount / dt.timedelta(seconds=1))
    sign = "minus " if total < 0 else ""
    total = abs(total)

    def unit(count: int, name: str, abbreviation: str) -> str:
        return f"{count} {abbreviation}" if short else _plural(count, name)

    if total < 60:
        return sign + unit(total, "second", "s")
    hours, rest = divmod(total, 3600)
    minutes = round(rest / 60)
    if minutes == 60:
        hours, minutes = hours + 1, 0
    parts = ([unit(hours, "hour", "h")] if hours else []) + (
        [unit(minutes, "minute", "min")] if minutes else []
    )
    return sign + " ".join(parts)


def target_words(text: str) -> str:
    """Return a target as the contract says it: ``3d`` is ``3 business days``, ``4h`` ``4 hours``.

    Text that is not a target is returned as it is.
    """
    try:
        target = parse_target(text)
    except PolicyError:
        return text
    if isinstance(target, BusinessDays):
        return _plural(target.days, "business day")
    return duration_words(target.amount)


def zone_words(tz: dt.tzinfo | None) -> str:
    """Return what people call the time in ``tz``: ``UK time``, ``Berlin time``, ``UTC``."""
    if tz is None:
        return "UTC"
    key = tz.key if isinstance(tz, ZoneInfo) else str(tz)
    if key in _ZONE_NAMES:
        return _ZONE_NAMES[key]
    if "/" in key:
        return key.rsplit("/", 1)[1].replace("_", " ") + " time"
    return key


def instant_words(when: dt.datetime, tz: dt.tzinfo | None, *, year: bool = False) -> str:
    """Return ``when`` in ``tz`` as ``2 Nov 09:00`` (``2 Nov 2026 09:00`` with ``year``).

    >>> utc = dt.timezone.utc
    >>> instant_words(dt.datetime(2026, 11, 2, 9, 0, tzinfo=utc), utc)
    '2 Nov 09:00'
    """
    local = when.astimezone(tz) if tz is not None else when
    day = f"{local.day} {_MONTHS[local.month - 1][:3]}"
    if year:
        day += f" {local.year}"
    return f"{day} {local:%H:%M}"


def period_words(start: dt.datetime, end: dt.datetime) -> str:
    """Return the local days ``[start, end)`` in words: ``October 2026``, ``Q4 2026``, days.

    >>> utc = dt.timezone.utc
    >>> period_words(dt.datetime(2026, 10, 1, tzinfo=utc), dt.datetime(2026, 11, 1, tzinfo=utc))
    'October 2026'
    >>> period_words(dt.datetime(2026, 10, 5, tzinfo=utc), dt.datetime(2026, 10, 6, tzinfo=utc))
    '5 October 2026'
    """
    first = start.date()
    last = (end - dt.timedelta(microseconds=1)).date()
    if first.day == 1 and (last + dt.timedelta(days=1)).day == 1:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months == 1:
            return f"{_MONTHS[first.month - 1]} {first.year}"
        if months == 3 and first.month % 3 == 1:
            return f"Q{(first.month + 2) // 3} {first.year}"
        if months == 12 and first.month == 1:
            return str(first.year)
    if first == last:
        return f"{first.day} {_MONTHS[first.month - 1]} {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {last.day} {_MONTHS[first.month - 1]} {first.year}"
    if first.year == last.year:
        return (
            f"{first.day} {_MONTHS[first.month - 1]} to "
            f"{last.day} {_MONTHS[last.month - 1]} {first.year}"
        )
    return (
        f"{first.day} {_MONTHS[first.month - 1]} {first.year} to "
        f"{last.day} {_MONTHS[last.month - 1]} {last.year}"
    )


def calendar_words(data: dict[str, object]) -> str:
    """Return a calendar (as ``Calendar.to_dict`` gives it) in words, for a report's legend.

    >>> calendar_words({"kind": "always", "tz": "UTC"})
    'round the clock'
    >>> calendar_words({"kind": "weekly", "tz": "Europe/London",
    ...                 "hours": {"mon-fri": "09:00-17:00"}, "holidays": {"country": "GB"}})
    'Mon-Fri 09:00-17:00 UK time, closed on public holidays (GB)'
    """
    kind = data.get("kind", "weekly")
    if kind == "always":
        return "round the clock"
    if kind == "never":
        return "never open"
    if kind != "weekly":
        return f"a combined calendar ({kind})"
    hours = data.get("hours")
    days = (
        "; ".join(f"{day.title()} {shifts}" for day, shifts in hours.items())
        if isinstance(hours, dict)
        else "weekly hours"
    )
    tz = data.get("tz")
    text = f"{days} {zone_words(ZoneInfo(tz)) if isinstance(tz, str) else 'UTC'}"
    holidays = data.get("holidays")
    if isinstance(holidays, dict) and holidays.get("country"):
        where = " ".join(str(holidays[key]) for key in ("country", "subdiv") if holidays.get(key))
        text += f", closed on public holidays ({where})"
    elif holidays:
        text += ", closed on listed holidays"
    if data.get("overrides"):
        text += ", with days of changed hours"
    return text
