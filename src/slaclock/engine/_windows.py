"""One-off windows: a period source open during a fixed list of spans.

Also reads the ``{"kind": "windows", ...}`` data that ``Calendar.to_dict`` writes
for one-off and recurring windows alike.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from ._index import Intervals
from ._recurring import RecurringSource
from ._template import append_merged
from ._time import from_us, to_us, zone
from ._time import parse_instant as _parse_instant
from .errors import ScheduleError

__all__ = ["OneOffSource", "parse_instant", "window_source"]


def window_source(data: Mapping[str, Any]) -> OneOffSource | RecurringSource:
    """Return the period source of window calendar data, as ``Calendar.to_dict`` writes it."""
    tz = data.get("tz")
    if not isinstance(tz, str):
        raise ScheduleError(f"window calendar data needs a 'tz' zone name, got {tz!r}")
    if "rule" in data:
        unknown = set(data) - {"kind", "tz", "rule", "hours", "start"}
        if unknown:
            raise ScheduleError(f"unknown keys in recurring window data: {sorted(unknown)}")
        hours = data.get("hours")
        if not isinstance(hours, (str, list)):
            raise ScheduleError("recurring window data needs 'hours' such as '02:00-06:00'")
        return RecurringSource.build(zone(tz), data["rule"], hours, data.get("start"))
    spans = data.get("between")
    if not isinstance(spans, list):
        raise ScheduleError(
            f"window calendar data needs 'between' (a list of [start, end]) or 'rule', got {data!r}"
        )
    pairs: list[tuple[dt.datetime, dt.datetime]] = []
    for number, span in enumerate(spans):
        if not isinstance(span, (list, tuple)) or len(span) != 2:
            raise ScheduleError(f"between[{number}]: expected [start, end], got {span!r}")
        pairs.append(
            (
                parse_instant(span[0], f"between[{number}][0]"),
                parse_instant(span[1], f"between[{number}][1]"),
            )
        )
    return OneOffSource.build(zone(tz), pairs)


def parse_instant(value: object, where: str) -> dt.datetime:
    """Return an aware datetime from a datetime or an ISO 8601 string (``Z`` allowed)."""
    if isinstance(value, str):
        return _parse_instant(value, where, ScheduleError)
    if not isinstance(value, dt.datetime):
        raise ScheduleError(f"{where}: expected a date-time, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ScheduleError(
            f"{where}: {value.isoformat()} has no UTC offset; write it as "
            f"'{value.isoformat()}+00:00' or with its zone's offset"
        )
    return value


class OneOffSource:
    """Open during a fixed list of spans (integer µs), answering in one zone."""

    __slots__ = ("_hash", "ends", "starts", "zone")

    def __init__(self, zone: ZoneInfo, starts: Sequence[int], ends: Sequence[int]) -> None:
        self.zone = zone
        self.starts = tuple(starts)
        self.ends = tuple(ends)
        self._hash = hash((zone.key, self.starts, self.ends))

    @classmethod
    def build(
        cls, zone: ZoneInfo, intervals: Iterable[tuple[dt.datetime, dt.datetime]]
    ) -> OneOffSource:
        """Return a source from ``(start, end)`` aware datetimes, validated and merged."""
        if isinstance(intervals, (str, bytes, Mapping)) or not isinstance(intervals, Iterable):
            raise ScheduleError(
                f"windows must be a list of (start, end) datetimes, not {intervals!r}"
            )
        spans: list[tuple[int, int]] = []
        for number, span in enumerate(intervals):
            if not isinstance(span, (tuple, list)) or len(span) != 2:
                raise ScheduleError(f"window {number}: expected (start, end), got {span!r}")
            start = to_us(span[0], f"window {number} start")
            end = to_us(span[1], f"window {number} end")
            if end <= start:
                raise ScheduleError(
                    f"window {number}: end {span[1].isoformat()} is not after "
                    f"start {span[0].isoformat()}"
                )
            spans.append((start, end))
        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted(spans):
            append_merged(starts, ends, start, end)
        return cls(zone, starts, ends)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, OneOffSource)
            and other._hash == self._hash
            and other.zone.key == self.zone.key
            and other.starts == self.starts
            and other.ends == self.ends
        )

    def __hash__(self) -> int:
        return self._hash

    def intervals(self, lo: int, hi: int) -> Intervals:
        starts: list[int] = []
        ends: list[int] = []
        i = bisect_right(self.ends, lo)
        while i < len(self.starts) and self.starts[i] < hi:
            starts.append(max(self.starts[i], lo))
            ends.append(min(self.ends[i], hi))
            i += 1
        return starts, ends

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": "windows",
            "tz": self.zone.key,
            "between": [
                [from_us(start, self.zone).isoformat(), from_us(end, self.zone).isoformat()]
                for start, end in zip(self.starts, self.ends, strict=True)
            ],
        }

    def __repr__(self) -> str:
        return f"Windows.between(<{len(self.starts)} windows>, tz={self.zone.key!r})"
