"""Cold answers by arithmetic on a weekly template, before any of the index is built.

Between a zone's UTC-offset transitions, a calendar of weekly hours is open on a
set that repeats every week in real time: in UTC µs, one week's open intervals
shifted by whole weeks. On such a *steady stretch*, the open time in ``[x, y)``
is whole weeks times the week's open total plus two partial weeks looked up by
bisection in the one-week *template*, and ``add`` is a ``divmod`` by that total
and one bisection. Holidays and overrides change the shifts of their own day
only, which lie within that day and the next: a run of them is a *hole* in the
stretch whose open intervals are listed (``Holed``), and the stretch counts the
template plus each hole's difference from it. A composition of calendars that
are all steady over a stretch is steady there too, with the composed template
(a union, intersection or difference of a few intervals, not of months of them)
and the operands' holes merged.

A source that can answer this way (``templated`` true) offers two methods:

* ``steady(t, limit)``: ``(hi, template)`` saying that ``[t, hi)`` (``hi > t``) is
  open exactly where the template's weekly repetition is (a ``Template``, or a
  ``Holed`` one where its holes say otherwise), ``(hi, None)`` saying
  ``[t, hi)`` is irregular (ask ``between``), or None when it cannot tell (then
  the period index answers as before). ``limit`` says how far the caller needs
  to see; a stretch may stop there.
* ``between(lo, hi)``: the open intervals within ``[lo, hi)``, placed directly
  (no index), for the few irregular days.

The walks here go stretch by stretch and give the answers the index gives (the
tests compare both across zones with odd transitions, holidays, overrides and
compositions). They keep nothing but the templates, which the sources cache.

All instants are integer µs since the epoch, as in ``_index``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate, chain, compress, islice, repeat
from operator import add, lt, sub
from typing import Protocol

from ._time import MAX_US, MIN_US, US_PER_DAY

#: One week of real time, the period of every template.
WEEK_US = 7 * US_PER_DAY
#: The most stretches one walk visits before leaving the question to the index.
MAX_STEPS = 4096
#: How far (µs) an ``add`` walks before leaving the question to the index: eight chunks
#: (about 9 years), well inside the index's horizon, so a calendar the index finds no
#: open time in gets its error from the index.
MAX_WALK = 1 << 48
#: Walks keep this far from the ends of the range a datetime can hold.
_EDGE = 2 * WEEK_US
_LOW, _HIGH = MIN_US + _EDGE, MAX_US - _EDGE

Intervals = tuple[list[int], list[int]]


def append_merged(starts: list[int], ends: list[int], start: int, end: int) -> None:
    """Append ``[start, end)`` (starts non-decreasing), merging it into a touching last one."""
    if ends and start <= ends[-1]:
        if end > ends[-1]:  # noqa: PLR1730 - a comparison costs less than a call of max
            ends[-1] = end
    else:
        starts.append(start)
        ends.append(end)


class Template:
    """One week of open time in UTC µs, repeated weekly: sorted intervals within ``[0, WEEK_US)``.

    The repetition is anchored ``shift`` µs before the epoch: instant ``t`` is open when
    ``(t + shift) mod WEEK_US`` falls in one of the intervals. A week's shifts from its
    local Monday 00:00 make one template for every UTC offset that way, each a shift
    of the same lists (``moved``).

    >>> day = 86_400_000_000
    >>> monday = Template.placed([0], [day], 4 * day)  # the epoch was a Thursday
    >>> monday.before(7 * day) // day, monday.total // day
    (1, 1)
    >>> mondays = Template([0], [day], shift=-4 * day)  # the same Mondays, from their own
    >>> (mondays.before(5 * day) - mondays.before(4 * day)) // day
    1
    """

    __slots__ = ("_hash", "cum_end", "ends", "shift", "starts", "total")

    def __init__(self, starts: list[int], ends: list[int], shift: int = 0) -> None:
        self.starts = starts
        self.ends = ends
        self.shift = shift % WEEK_US
        self.cum_end: list[int] = list(accumulate(map(sub, ends, starts)))
        self.total = self.cum_end[-1] if self.cum_end else 0
        # Worked out when first asked: compositions look templates up by them at every stretch.
        self._hash: int | None = None

    def moved(self, shift: int) -> Template:
        """Return this template repeated ``shift`` µs earlier (the same lists, shared)."""
        moved = Template.__new__(Template)
        moved.starts = self.starts
        moved.ends = self.ends
        moved.shift = (self.shift + shift) % WEEK_US
        moved.cum_end = self.cum_end
        moved.total = self.total
        moved._hash = None
        return moved

    def anchored(self) -> Intervals:
        """Return the intervals of ``t mod WEEK_US`` that are open: the template unshifted."""
        if not self.shift:
            return self.starts, self.ends
        placed = Template.placed(self.starts, self.ends, -self.shift)
        return placed.starts, placed.ends

    @property
    def key(self) -> tuple[tuple[int, ...], ...]:
        """Return what the template compares and hashes by: its intervals, and any shift."""
        if self.shift:
            return tuple(self.starts), tuple(self.ends), (self.shift,)
        return tuple(self.starts), tuple(self.ends)

    @classmethod
    def placed(cls, starts: Sequence[int], ends: Sequence[int], shift: int) -> Template:
        """Return the template of intervals given from some origin that lies ``shift`` µs after a
        multiple of the week from the epoch (intervals may be longer than a week, or overlap)."""
        shift %= WEEK_US
        if (
            starts
            and ends[-1] < starts[0] + WEEK_US
            and all(map(lt, starts, ends))
            and all(map(lt, ends[:-1], starts[1:]))
        ):
            # Sorted intervals, apart and within a week of the first start (a week's
            # shifts, merged as placed), land as a rotation of themselves: those carried
            # past the week's end come first, the last one perhaps wrapping round.
            move = (starts[0] + shift) % WEEK_US - starts[0]
            cut = bisect_left(starts, WEEK_US - move)
            back = move - WEEK_US
            firsts = [start + back for start in starts[cut:]]
            firsts += [start + move for start in starts[:cut]]
            lasts = [end + back for end in ends[cut:]]
            lasts += [end + move for end in ends[:cut]]
            if lasts[-1] > WEEK_US:
                firsts.insert(0, 0)
                lasts.insert(0, lasts[-1] - WEEK_US)
                lasts[-1] = WEEK_US
            return cls(firsts, lasts)
        return cls.merged(starts, ends, shift)

    @classmethod
    def merged(cls, starts: Sequence[int], ends: Sequence[int], shift: int) -> Template:
        """Return ``placed``'s template for any intervals: each placed, all sorted and merged."""
        shift %= WEEK_US
        pairs: list[tuple[int, int]] = []
        for start, end in zip(starts, ends, strict=True):
            if end - start >= WEEK_US:
                return cls([0], [WEEK_US])
            first = (start + shift) % WEEK_US
            last = first + end - start
            if last > WEEK_US:
                pairs += [(first, WEEK_US), (0, last - WEEK_US)]
            elif first < last:
                pairs.append((first, last))
        pairs.sort()
        merged_starts: list[int] = []
        merged_ends: list[int] = []
        for start, end in pairs:
            if merged_ends and start <= merged_ends[-1]:
                merged_ends[-1] = max(merged_ends[-1], end)
            else:
                merged_starts.append(start)
                merged_ends.append(end)
        return cls(merged_starts, merged_ends)

    def __eq__(self, other: object) -> bool:
        # What ``key`` compares, without building its tuples: compositions compare
        # their operands' templates at every cached lookup.
        return (
            isinstance(other, Template)
            and other.shift == self.shift
            and other.starts == self.starts
            and other.ends == self.ends
        )

    def __hash__(self) -> int:
        # From a few numbers the key decides, not the key's tuples: equal templates hash
        # alike, and a composition's lookup by its operands' templates stays cheap.
        found = self._hash
        if found is None:
            starts = self.starts
            found = self._hash = hash(
                (self.total, self.shift, len(starts), starts[0] if starts else -1)
            )
        return found

    def __repr__(self) -> str:
        shift = f", shift={self.shift!r}" if self.shift else ""
        return f"Template({self.starts!r}, {self.ends!r}{shift})"

    def before(self, t: int) -> int:
        """Return the open time from the epoch to ``t`` (negative before it), repeating weekly."""
        weeks, into = divmod(t + self.shift, WEEK_US)
        i = bisect_right(self.starts, into) - 1
        if i < 0:
            return weeks * self.total
        overshoot = self.ends[i] - into
        inside = self.cum_end[i] - overshoot if overshoot > 0 else self.cum_end[i]
        return weeks * self.total + inside

    def instant_at(self, target: int) -> int:
        """Return the earliest instant ``s`` with ``before(s) == target`` (a non-empty template)."""
        weeks, rest = divmod(target, self.total)
        if not rest:
            weeks -= 1
            rest = self.total
        j = bisect_left(self.cum_end, rest)
        return weeks * WEEK_US + self.ends[j] - (self.cum_end[j] - rest) - self.shift

    def expand(self, lo: int, hi: int) -> Intervals:
        """Return the open intervals within ``[lo, hi)``, clipped, merged across weeks."""
        starts: list[int] = []
        ends: list[int] = []
        if lo >= hi or not self.starts:
            return starts, ends
        # Weeks counted from the template's anchor, ``shift`` µs before the epoch.
        week = lo - (lo + self.shift) % WEEK_US
        if hi - lo < WEEK_US:
            # A short span (a day, the hour a clock set back): from the first interval
            # ending after ``lo`` (bisected), only those that reach into the span.
            firsts, lasts = self.starts, self.ends
            count = len(firsts)
            i = bisect_right(lasts, lo - week)
            while True:
                if i == count:
                    i = 0
                    week += WEEK_US
                start = firsts[i] + week
                if start >= hi:
                    return starts, ends
                end = lasts[i] + week
                append_merged(starts, ends, max(start, lo), min(end, hi))
                i += 1
        while week < hi:
            for first, last in zip(self.starts, self.ends, strict=True):
                start, end = max(first + week, lo), min(last + week, hi)
                if start < end:
                    append_merged(starts, ends, start, end)
            week += WEEK_US
        return starts, ends


class Holed:
    """A template over one stretch, except in a few *holes* whose open intervals are listed.

    Holidays and overrides change the shifts of their day only, and those shifts lie
    within that day and the next: a stretch of steady UTC offset keeps the week's
    template everywhere else. So a stretch with a few such days is the template plus,
    per hole, the difference between what is open there and what the template says:
    ``before`` adds the differences of the holes before ``t``, ``instant_at`` skips
    from hole to hole. Only valid within the stretch it was made for (the holes lie
    inside it), unlike a ``Template``, which repeats for ever.

    >>> day = 86_400_000_000
    >>> week = Template([0], [day])  # open the first day of each week
    >>> closed = Holed(week, [7 * day], [8 * day], [([], [])])  # but not in the second week
    >>> closed.before(14 * day) // day, closed.instant_at(2 * day) // day
    (1, 15)
    """

    __slots__ = ("cum", "exact", "his", "los", "template")

    def __init__(
        self, template: Template, los: list[int], his: list[int], exact: list[Intervals]
    ) -> None:
        self.template = template
        #: The holes ``[los[i], his[i])``: sorted, disjoint, none empty.
        self.los = los
        self.his = his
        #: The open intervals within each hole, clipped to it.
        self.exact = exact
        before = template.before
        deltas = [
            sum(map(sub, ends, starts)) - (before(hi) - before(lo))
            for lo, hi, (starts, ends) in zip(los, his, exact, strict=True)
        ]
        #: ``cum[i]``: how much more (or less) is open before hole ``i`` than the template says.
        self.cum: list[int] = [0, *accumulate(deltas)]

    def __repr__(self) -> str:
        return f"Holed({self.template!r}, {len(self.los)} holes)"

    def before(self, t: int) -> int:
        """Return the open time from the epoch to ``t`` (``t`` within the stretch), as the
        template counts it outside the holes."""
        i = bisect_right(self.los, t) - 1
        if i < 0:
            return self.template.before(t)
        if t >= self.his[i]:
            return self.template.before(t) + self.cum[i + 1]
        inside = 0
        starts, ends = self.exact[i]
        for start, end in zip(starts, ends, strict=True):
            if start >= t:
                break
            inside += min(end, t) - start
        return self.template.before(self.los[i]) + self.cum[i] + inside

    def instant_at(self, target: int) -> int:
        """Return the earliest instant ``s`` with ``before(s) == target`` (one in the stretch)."""
        template = self.template
        los, cum = self.los, self.cum
        for i, lo in enumerate(los):
            # Before hole i, the template's count shifted by the holes already passed.
            if template.total:
                found = template.instant_at(target - cum[i])
                if found <= lo:
                    return found
            # Within hole i: its own intervals, from what is open before it.
            done = template.before(lo) + cum[i]
            starts, ends = self.exact[i]
            for start, end in zip(starts, ends, strict=True):
                if done + end - start >= target:
                    return start + target - done
                done += end - start
        return template.instant_at(target - cum[-1])

    def expand(self, lo: int, hi: int) -> Intervals:
        """Return the open intervals within ``[lo, hi)`` (within the stretch), merged."""
        starts: list[int] = []
        ends: list[int] = []
        cursor = lo
        for hole_lo, hole_hi, (inside_starts, inside_ends) in zip(
            self.los, self.his, self.exact, strict=True
        ):
            if hole_hi <= cursor:
                continue
            if hole_lo >= hi:
                break
            parts = [self.template.expand(cursor, hole_lo)] if cursor < hole_lo else []
            parts.append(
                (
                    [max(start, cursor) for start in inside_starts],
                    [min(end, hi) for end in inside_ends],
                )
            )
            for part_starts, part_ends in parts:
                for start, end in zip(part_starts, part_ends, strict=True):
                    if start < end:
                        append_merged(starts, ends, start, end)
            cursor = hole_hi
        if cursor < hi:
            for start, end in zip(*self.template.expand(cursor, hi), strict=True):
                append_merged(starts, ends, start, end)
        return starts, ends


#: What a source's ``steady`` may answer for a stretch: the plain template, or one with holes.
Stretch = Template | Holed

#: The templates of a week all open and of one never open.
ALWAYS = Template([0], [WEEK_US])
NEVER = Template([], [])


def compose(kind: str, templates: Sequence[Template]) -> Template:
    """Return the template of a union, intersection or difference of templates.

    A week all open or never open (a 24x7 calendar, the hour a clock set back
    reads again) decides a union or an intersection, or drops out of it, without
    merging the others' intervals: the template returned is then one of those given,
    open on the same set as the merged one (its intervals may touch where merging
    would have joined them; every answer is the same).
    """
    if kind == "difference":
        left, right = templates
        if not left.total or not right.total:
            return left
        if right.total == WEEK_US:
            return NEVER
        if left.total == WEEK_US:
            # All open less the other (24x7 less maintenance): the other's gaps, in its frame.
            starts: list[int] = []
            ends: list[int] = []
            cursor = 0
            for start, end in zip(right.starts, right.ends, strict=True):
                if start > cursor:
                    starts.append(cursor)
                    ends.append(start)
                cursor = end
            if cursor < WEEK_US:
                starts.append(cursor)
                ends.append(WEEK_US)
            return Template(starts, ends, right.shift)
    else:
        absorbing, neutral = (WEEK_US, 0) if kind == "union" else (0, WEEK_US)
        if any(template.total == absorbing for template in templates):
            return ALWAYS if absorbing else NEVER
        rest = [template for template in templates if template.total != neutral]
        if len(rest) <= 1:
            return rest[0] if rest else (NEVER if kind == "union" else ALWAYS)
    if kind == "union":
        return united(templates)
    shift = templates[0].shift
    if all(template.shift == shift for template in templates):
        # Templates of one zone at one offset (a desk and its site): the same anchoring,
        # so their lists combine as they are, without placing each at the epoch's.
        return Template(
            *combine(kind, [(template.starts, template.ends) for template in templates]), shift
        )
    return Template(*combine(kind, [template.anchored() for template in templates]))


def united(templates: Sequence[Template]) -> Template:
    """Return the template of the union of ``templates``, each moved to the epoch's anchoring.

    Starts and ends sorted apart (each in C): where the ``k``-th end comes before the
    next start, every interval begun so far has ended, which is a gap of the union
    and nothing else is. Each template's intervals land within a week either side of
    the epoch; a copy of them a week later covers the rest of ``[0, WEEK_US)``, which
    the union is then cut to. No step runs once per interval in Python.
    """
    starts = [start - template.shift for template in templates for start in template.starts]
    ends = [end - template.shift for template in templates for end in template.ends]
    starts += [start + WEEK_US for start in starts]
    ends += [end + WEEK_US for end in ends]
    if not starts:
        return NEVER
    starts.sort()
    ends.sort()
    gaps = list(compress(range(len(ends) - 1), map(lt, ends, islice(starts, 1, None))))
    # The union's intervals: from the first start and each start after a gap, to the end
    # before each gap and the last end.
    merged_starts = [starts[0], *map(starts.__getitem__, map(add, gaps, repeat(1)))]
    merged_ends = [*map(ends.__getitem__, gaps), ends[-1]]
    first = bisect_right(merged_ends, 0)
    last = bisect_left(merged_starts, WEEK_US)
    merged_starts = merged_starts[first:last]
    merged_ends = merged_ends[first:last]
    if merged_starts:
        merged_starts[0] = max(merged_starts[0], 0)
        merged_ends[-1] = min(merged_ends[-1], WEEK_US)
    return Template(merged_starts, merged_ends)


def combine(kind: str, parts: Sequence[Intervals]) -> Intervals:
    """Return sorted, disjoint interval lists combined by ``kind`` (union, intersection...)."""
    if kind == "union":
        return union(parts)
    if kind == "difference":
        return difference(parts[0], parts[1])
    result = parts[0]
    for part in parts[1:]:
        if not result[0]:
            break
        result = intersection(result, part)
    return result


class TemplatedSource(Protocol):
    """A source that knows where it is steady (see the module's docstring)."""

    def steady(self, t: int, limit: int) -> tuple[int, Stretch | None] | None:
        """Return ``(hi, template)`` for ``[t, hi)``, ``(hi, None)`` if irregular, or None."""
        ...

    def between(self, lo: int, hi: int) -> Intervals:
        """Return the open intervals within ``[lo, hi)``, placed without an index."""
        ...


def cold_elapsed(source: TemplatedSource, a: int, b: int, steps: int = MAX_STEPS) -> int | None:
    """Return the open time in ``[a, b)`` (``a <= b``), or None to leave it to the index.

    None too when the answer needs more than ``steps`` stretches.
    """
    if a < _LOW or b > _HIGH:
        return None
    total = 0
    x = a
    for _ in range(steps):
        if x >= b:
            return total
        found = source.steady(x, b)
        if found is None:
            return None
        hi, template = found
        y = min(hi, b)
        if template is None:
            starts, ends = source.between(x, y)
            total += sum(map(sub, ends, starts))
        else:
            total += template.before(y) - template.before(x)
        x = y
    return None


def cold_add(source: TemplatedSource, t: int, duration: int, steps: int = MAX_STEPS) -> int | None:
    """Return the earliest ``s >= t`` with ``duration`` (> 0) open in ``[t, s)``, or None.

    None too when the answer needs more than ``steps`` stretches.
    """
    if t < _LOW:
        return None
    rest = duration
    x = t
    # How far to look ahead; open time never outruns real time, so at least ``duration``.
    reach = max(duration, WEEK_US)
    for _ in range(steps):
        if x >= _HIGH or x - t > MAX_WALK:
            return None
        found = source.steady(x, min(x + reach, _HIGH))
        if found is None:
            return None
        hi, template = found
        hi = min(hi, _HIGH)
        if template is None:
            starts, ends = source.between(x, hi)
            for start, end in zip(starts, ends, strict=True):
                if end - start >= rest:
                    return start + rest
                rest -= end - start
        else:
            here = template.before(x)
            ahead = template.before(hi) - here
            if rest <= ahead:
                return template.instant_at(here + rest)
            rest -= ahead
        x = hi
        reach = min(2 * reach, MAX_WALK)
    return None


# -- merging sorted interval lists (the index's compositions use these too) ---


def union(parts: Sequence[Intervals]) -> Intervals:
    """Return the merged union of several sorted, disjoint interval lists."""
    # Pairs zipped from the chained lists, not one generator step per pair: the same
    # pairs, sorted, at a fraction of the interpreter's work.
    pairs = sorted(
        zip(
            chain.from_iterable([starts for starts, _ in parts]),
            chain.from_iterable([ends for _, ends in parts]),
            strict=True,
        )
    )
    starts: list[int] = []
    ends: list[int] = []
    if not pairs:
        return starts, ends
    # The span being merged is kept in locals, not in the lists: this loop runs once
    # per shift of every operand when a union's chunk is built.
    current_start, current_end = pairs[0]
    for start, end in pairs:
        if start <= current_end:
            # A comparison, not a call of max: this runs once per interval merged.
            if end > current_end:  # noqa: PLR1730
                current_end = end
        else:
            starts.append(current_start)
            ends.append(current_end)
            current_start, current_end = start, end
    starts.append(current_start)
    ends.append(current_end)
    return starts, ends


def intersection(left: Intervals, right: Intervals) -> Intervals:
    """Return where both sorted, disjoint interval lists are open."""
    left_starts, left_ends = left
    right_starts, right_ends = right
    starts: list[int] = []
    ends: list[int] = []
    i = j = 0
    while i < len(left_starts) and j < len(right_starts):
        start = max(left_starts[i], right_starts[j])
        end = min(left_ends[i], right_ends[j])
        if start < end:
            starts.append(start)
            ends.append(end)
        if left_ends[i] < right_ends[j]:
            i += 1
        else:
            j += 1
    return starts, ends


def difference(left: Intervals, right: Intervals) -> Intervals:
    """Return where the first sorted, disjoint interval list is open and the second is not."""
    left_starts, left_ends = left
    right_starts, right_ends = right
    starts: list[int] = []
    ends: list[int] = []
    j = 0
    for start, end in zip(left_starts, left_ends, strict=True):
        while j < len(right_starts) and right_ends[j] <= start:
            j += 1
        k, cursor = j, start
        while k < len(right_starts) and right_starts[k] < end:
            if right_starts[k] > cursor:
                starts.append(cursor)
                ends.append(right_starts[k])
            cursor = max(cursor, right_ends[k])
            k += 1
        if cursor < end:
            starts.append(cursor)
            ends.append(end)
    return starts, ends
