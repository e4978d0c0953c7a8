"""One way to write an instant as text: ``iso_instant``, what ``isoformat`` writes.

Reports write every instant (JSON, CSV, tables) through it, ``_time.iso_or_none``
(optional instants in JSON) too. ``isoformat`` costs a
few µs; the parts it writes (the day, the hour and minute, the seconds, the
offset) come here from small tables, the offset from ``utcoffset`` (which the
fold counts in, as ``isoformat`` counts it).
"""

from __future__ import annotations

import datetime as dt

__all__ = ["iso_instant"]

#: How many days and offsets the tables keep (the days' is cleared when full).
_KEPT = 4096

#: ``THH:MM:`` of each minute of a day, and ``SS`` of each second: how ``isoformat`` writes them.
_CLOCK = [f"T{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60)]
_SECONDS = [f"{second:02d}" for second in range(60)]
#: ``YYYY-MM-DD`` of recent days, by ordinal.
_DAYS: dict[int, str] = {}
#: ``+HH:MM`` of each offset seen (``""`` for none), as ``isoformat`` writes it.
_OFFSETS: dict[dt.timedelta | None, str] = {None: ""}


def iso_instant(value: dt.datetime) -> str:
    """Return ``value.isoformat()``, put together from kept parts.

    >>> iso_instant(dt.datetime(2026, 11, 20, 16, 5, tzinfo=dt.timezone.utc))
    '2026-11-20T16:05:00+00:00'
    """
    if type(value) is not dt.datetime:  # a subclass may write itself otherwise
        return value.isoformat()
    offset = value.utcoffset()
    zone = _OFFSETS.get(offset)
    if zone is None:
        assert offset is not None  # _OFFSETS holds None's
        zone = _offset(offset)
    day = _DAYS.get(value.toordinal()) or _day(value)
    micro = value.microsecond
    clock = _CLOCK[value.hour * 60 + value.minute] + _SECONDS[value.second]
    return f"{day}{clock}.{micro:06d}{zone}" if micro else f"{day}{clock}{zone}"


def _day(value: dt.datetime) -> str:
    """Return ``YYYY-MM-DD`` of ``value``, kept in ``_DAYS``."""
    text = value.date().isoformat()
    if len(_DAYS) >= _KEPT:
        _DAYS.clear()
    _DAYS[value.toordinal()] = text
    return text


def _offset(offset: dt.timedelta) -> str:
    """Return the ``+HH:MM`` ``isoformat`` writes for a UTC ``offset``, kept in ``_OFFSETS``."""
    text = dt.datetime(2000, 1, 1, tzinfo=dt.timezone(offset)).isoformat()[19:]
    if len(_OFFSETS) < _KEPT:
        _OFFSETS[offset] = text
    return text
