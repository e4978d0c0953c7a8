"""Where a zone's UTC offset holds steady: local days whose shifts place by integer arithmetic.

Placing a shift in real time is exact but slow per boundary (``_sources.place_shifts``
builds datetimes and asks the zone for both folds). Far from any transition of the
zone, every wall-clock reading of a day and the next is neither skipped nor repeated
and has one UTC offset, so a boundary is the day's midnight in µs plus the shift's
offset into the day, less that UTC offset: the answer the exact path gives there.

Where the transitions are comes from the standard library's own reading of the
zone's file (``zoneinfo``'s pure-Python implementation, the same data the zone
object uses): the transitions the file lists, then those of its POSIX TZ rule
(files of the "slim" kind, such as the ``tzdata`` package's, list few). Where that
cannot be had (a zone made from a file, a Python without it) ``steady_run`` says
None, as it does for days near a transition, and the exact path places the day.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import threading
from bisect import bisect_left, bisect_right
from typing import Any
from zoneinfo import ZoneInfo

from ._time import ONE_US, US_PER_DAY, offset_us

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_US_PER_SECOND = 1_000_000
_HOUR_US = 3_600 * _US_PER_SECOND


class Transitions:
    """A zone's transitions (µs) and how far from one a day must lie to be steady.

    ``times`` lists the transitions the zone's file spells out; past the last of
    them, a zone that still changes its clocks follows ``rule`` (a POSIX TZ rule
    as ``zoneinfo`` reads it), whose transitions are worked out year by year.
    """

    __slots__ = ("_offsets", "_rules", "_segments", "last", "margin", "rule", "times", "zone")

    def __init__(self, zone: ZoneInfo, times: list[int], margin: int, rule: Any) -> None:
        self.zone = zone
        self.times = times
        #: How far (µs) a day's midnight must be from every transition.
        self.margin = margin
        self.rule = rule
        #: Past this instant (µs) the rule decides (None: the zone has no rule).
        self.last: int | None = None if rule is None else (times[-1] if times else -(1 << 62))
        # The UTC offset (µs) up to each transition, read from the zone object.
        self._offsets: dict[int, int] = {}
        # ``segment``'s answers by the transition they start at, and the rule's
        # transitions by year.
        self._segments: dict[int, tuple[int, int, int]] = {}
        self._rules: dict[int, list[int]] = {}

    def steady_run(self, ordinal: int) -> tuple[int, int] | None:
        """Return the UTC offset (µs) of the readings from day ``ordinal`` on, and its last day.

        Every reading of each day of the run and of the day after has that one
        offset: every transition is at least ``margin`` from the days' midnights.
        None if day ``ordinal`` itself is too close to a transition.
        """
        midnight = (ordinal - _EPOCH_ORDINAL) * US_PER_DAY
        margin = self.margin
        last = self.last
        if last is None or midnight + margin < last:
            times = self.times
            bound = last
        elif midnight - margin > last:
            times = self._rule_times(dt.date.fromordinal(ordinal).year)
            bound = None
        else:  # where the file's transitions give way to the rule: one by one
            return None
        i = bisect_left(times, midnight - margin)
        limit = bound
        if i < len(times):
            if times[i] <= midnight + margin:
                return None
            limit = times[i] if bound is None else min(bound, times[i])
        if limit is None:
            run_last = dt.date.max.toordinal()
            key = 1 << 63
        else:  # the last day whose midnight is more than the margin before the limit
            run_last = (limit - margin - 1) // US_PER_DAY + _EPOCH_ORDINAL
            key = limit
        found = self._offsets.get(key)
        if found is None:
            local = dt.datetime.combine(dt.date.fromordinal(ordinal), dt.time())
            offset = self.zone.utcoffset(local)
            if offset is None or offset != self.zone.utcoffset(local.replace(fold=1)):
                return None  # pragma: no cover - the margin keeps transitions away
            found = offset // ONE_US
            self._offsets[key] = found
        return found, run_last

    def around(self, t: int) -> tuple[int, int]:
        """Return the last transition (µs) at or before ``t`` and the first after it.

        ``-BEYOND`` and ``BEYOND`` stand for none. Past the file's transitions the
        rule's are listed year by year, with every UTC new year between (where the
        offset does not change, a transition that changes nothing).
        """
        last = self.last
        if last is None or t < last:
            times = self.times
            i = bisect_right(times, t)
            before = times[i - 1] if i else -BEYOND
            return before, times[i] if i < len(times) else (BEYOND if last is None else last)
        year = (_EPOCH + ONE_US * t).year
        found = self._rules.get(year)
        if found is None:
            found = self._rules[year] = self._rule_times(year)
        i = bisect_right(found, t)
        return max(found[i - 1] if i else last, last), found[i] if i < len(found) else BEYOND

    def between(self, lo: int, hi: int) -> list[int]:
        """Return the transitions (µs) after ``lo`` up to ``hi``, in order, as ``around`` lists
        them (so past the file's, with the UTC new years between)."""
        found: list[int] = []
        _, after = self.around(lo)
        while after <= hi:
            found.append(after)
            _, after = self.around(after)
        return found

    def segment(self, t: int) -> tuple[int, int, int]:
        """Return ``(settled, after, offset)``: from ``settled`` (<= ``t`` or later) to ``after``,
        the wall clock reads the instant plus ``offset`` (µs) and has read nothing later before.

        So, for any reading, the first instant the clock reads it or later (where a
        shift boundary goes: docs/semantics.md, "Daylight saving") lies before
        ``settled``, or is the reading less ``offset``. ``settled`` follows the last
        transition by the hour (or more) a clock set back reads again.
        """
        before, after = self.around(t)
        found = self._segments.get(before)
        if found is not None and found[1] == after:
            return found
        zone = self.zone
        offset = offset_us(t, zone)
        settled = before
        if before > -BEYOND:
            # The latest reading before ``before``: the clock's running maximum there.
            # Transitions within three days before may have set it (offsets stay
            # within a day, so readings earlier than that lie below every later one).
            latest = before + offset_us(before - 1, zone)
            earlier, _ = self.around(before - 1)
            while earlier > -BEYOND and earlier >= before - 3 * US_PER_DAY:
                latest = max(latest, earlier + offset_us(earlier - 1, zone))
                earlier, _ = self.around(earlier - 1)
            settled = max(before, latest - offset)
        found = (settled, after, offset)
        self._segments[before] = found
        return found

    def _rule_times(self, year: int) -> list[int]:
        """Return the rule's transitions (µs) around ``year``, sorted.

        Each year's two (DST on: its start less the standard offset; off: its end
        less the DST offset, as ``zoneinfo`` works them out), and every UTC new year
        between, where ``zoneinfo`` moves on to the next year's pair.
        """
        rule = self.rule
        std = rule.std.utcoff // ONE_US
        dst = rule.dst.utcoff // ONE_US
        found: list[int] = []
        for number in range(max(year - 1, 1), min(year + 2, 9999) + 1):
            start, end = rule.transitions(number)
            found += [start * _US_PER_SECOND - std, end * _US_PER_SECOND - dst]
            new_year = dt.datetime(number, 1, 1, tzinfo=dt.timezone.utc)
            found.append((new_year - _EPOCH) // ONE_US)
        return sorted(found)


#: Beyond every instant a datetime can hold (µs): "no transition" in ``around``.
BEYOND = 1 << 62


_FOUND: dict[str, Transitions | None] = {}
_LOCK = threading.Lock()


def transitions(zone: ZoneInfo, *, read: bool = True) -> Transitions | None:
    """Return the transitions of ``zone``, or None if they cannot be known for certain.

    With ``read=False``, only if this process has read them already (reading them
    the first time costs a few milliseconds).
    """
    key = zone.key
    if key is None:
        return None
    try:
        if ZoneInfo(key) is not zone:
            return None  # made from a file, or from a cache since cleared: the data may differ
    except (ValueError, OSError):  # pragma: no cover - the zone was made from this key
        return None
    if key in _FOUND:
        found = _FOUND[key]
        if found is None or found.zone is zone:
            return found
    if not read:
        return None
    found = _read(zone)
    with _LOCK:
        _FOUND[key] = found
    return found


def _read(zone: ZoneInfo) -> Transitions | None:
    """Return the transitions read from the zone's file by ``zoneinfo``'s Python implementation."""
    try:
        python_zoneinfo = importlib.import_module("zoneinfo._zoneinfo")
        return from_python_zone(zone, python_zoneinfo.ZoneInfo.no_cache(zone.key))
    except Exception:  # any other Python, or a zone it cannot read
        return None


def from_python_zone(zone: ZoneInfo, pure: Any) -> Transitions | None:
    """Return the transitions of ``zone`` from ``pure``, the same zone read by ``zoneinfo``'s
    Python implementation (whose file lists transitions, and its rule after them)."""
    times = [int(seconds) * _US_PER_SECOND for seconds in pure._trans_utc]
    offsets = [info.utcoff for info in pure._ttinfos]
    before = pure._tti_before
    after = pure._tz_after
    if times != sorted(times):
        return None
    if before is not None:
        offsets.insert(0, before.utcoff)
    rule = after if hasattr(after, "transitions") else None  # clocks still change by rule
    if rule is not None:
        offsets += [rule.std.utcoff, rule.dst.utcoff]
    elif after is not None:
        offsets.append(after.utcoff)
    jumps = [abs(b - a) for a, b in itertools.pairwise(offsets)]
    jump = max(jumps, default=dt.timedelta(0)) // ONE_US
    # A day's boundaries lie within two days of its midnight, and its midnight within
    # a day of the UTC midnight used here; a transition's skipped or repeated readings
    # lie within one jump of it. Four days and the largest jump, and an hour to spare.
    margin = 4 * US_PER_DAY + jump + _HOUR_US
    return Transitions(zone, times, margin, rule)
