"""How one metric is counted and judged: runs, tier segments, and the steps that explain them.

A metric of a ticket is a ``Tracker`` (one small object per metric, ``_metrics``
routes events to it). Its ``Run`` values are counted runs (the whole metric, or
one per cycle); a run is a sequence of ``Segment`` values, one per priority
tier it was judged under. A segment counts business time on one calendar in
integer microseconds and keeps its ``Step`` list for ``explain()``.

Runs, segments and steps are immutable values; a transition returns a new value
and costs O(1) (lists that grow with the history are cons cells, turned into
tuples only when a report asks), so an evaluation is linear in its events. The
values that an event creates are named tuples: several times cheaper to build
than frozen dataclasses, and as immutable. Only the per-metric holder of them is
mutable while events are applied (``MutableTracker``); its record is a ``Tracker``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from collections.abc import Iterator
from typing import Any, NamedTuple

from slaclock.engine._time import from_us, to_us
from slaclock.engine.calendar import Calendar
from slaclock.errors import NoBusinessTimeError
from slaclock.sla.conditions import ALWAYS, Condition, MetricDefinition
from slaclock.sla.events import TicketEvent
from slaclock.sla.results import (
    CycleReport,
    Escalation,
    Interval,
    MetricReport,
    SegmentReport,
    Status,
    built,
)
from slaclock.sla.targets import Duration, Target

ONE_US = dt.timedelta(microseconds=1)

#: Segment states. ENDED is "ended by the ticket's resolution": a reopen resumes it.
RUNNING, PAUSED, STOPPED, ENDED = "running", "paused", "stopped", "ended"

#: Each state by its text: a state read back from a pickle is a new string, and the
#: transitions test states by identity (``state is RUNNING``), so it is swapped for
#: this module's own (``Step.__reduce__``, ``Segment.__reduce__``).
_STATES = {state: state for state in (RUNNING, PAUSED, STOPPED, ENDED)}

#: The report statuses, as globals: ``Status.MET`` looks the member up through the
#: enum's class each time, several times slower, and every report reads a few dozen.
_MET, _BREACHED, _RUNNING, _AT_RISK = Status.MET, Status.BREACHED, Status.RUNNING, Status.AT_RISK
_PAUSED, _IDLE, _CANCELLED, _MEASURED = (
    Status.PAUSED,
    Status.IDLE,
    Status.CANCELLED,
    Status.MEASURED,
)


# -- integer arithmetic on a calendar ---------------------------------------------


def elapsed_us(calendar: Calendar, start: int, end: int) -> int:
    """Return the open time of ``calendar`` in ``[start, end)``, in µs."""
    # Straight to the calendar's period index: the instants are already integers.
    return calendar._index.elapsed(start, end)


def add_us(calendar: Calendar, start: int, amount: int) -> int:
    """Return the instant ``amount`` µs of open time after ``start``."""
    try:
        return calendar._index.add(start, amount)
    except NoBusinessTimeError:
        # Let the calendar say it, with the instant and the calendar in the message.
        calendar.add(from_us(start, calendar.tz), dt.timedelta(microseconds=amount))
        raise


#: The target of a total measured without one: more business time than any run can use.
NEVER_US = 2**62


def target_us(target: Target | None, calendar: Calendar, start: int) -> int:
    """Return the business time ``target`` allows for a run counted from ``start``.

    A total measured without a target (None) allows more than any run uses, so it
    never reaches it; reports show it as ``measured``.
    """
    if target is None:
        return NEVER_US
    if isinstance(target, Duration):
        return target.amount // ONE_US  # the same from any start
    # ``target.duration_from`` (business time from ``start`` to the due instant) on integers.
    due = target.due_from(calendar, from_us(start, calendar.tz))
    return elapsed_us(calendar, start, to_us(due))


def at(us: int, calendar: Calendar) -> dt.datetime:
    """Return the instant ``us`` in the calendar's zone."""
    return from_us(us, calendar.tz)


# -- values -------------------------------------------------------------------

#: Builds a named tuple from a tuple of all its fields, in order: what calling the class
#: does, without the Python-level ``__new__`` it generates (half the cost, on the paths
#: every event takes). Every field must be given.
_new = tuple.__new__


class Step(NamedTuple):
    """One transition of a segment (a cons cell: ``previous`` is the step before)."""

    at: int
    state: str
    reason: str
    previous: Step | None

    def __reduce__(self) -> tuple[Any, ...]:
        return _revived_step, tuple(self)


def _revived_step(at: int, state: str, reason: str, previous: Step | None) -> Step:
    """Return a pickled ``Step``, its state this module's own string."""
    return _new(Step, (at, _STATES[state], reason, previous))


@dataclasses.dataclass(frozen=True, slots=True)
class Rule:
    """What a tier says about a metric: its target on a calendar, and the tier's name."""

    tier: str
    #: None: a total measured without a target.
    target: Target | None
    calendar_name: str
    calendar: Calendar
    #: How a priority change into this tier counts: "retroactive" or "from_change".
    priority_change: str
    #: The target as written ("4h", "3d"), "" for a total measured without one; every
    #: report of the rule shows it, so it is formatted once.
    target_text: str = dataclasses.field(init=False, compare=False, repr=False)
    #: The calendar's zone, read once: reports put every instant in it.
    tz: dt.tzinfo = dataclasses.field(init=False, compare=False, repr=False)

    #: What ``target_us`` answers for every start, when that is one amount (a fixed
    #: duration, or none); None for a business-days target, which depends on the start.
    fixed_us: int | None = dataclasses.field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        text = "" if self.target is None else str(self.target)
        object.__setattr__(self, "target_text", text)
        object.__setattr__(self, "tz", self.calendar.tz)
        fixed = None
        if self.target is None or isinstance(self.target, Duration):
            fixed = target_us(self.target, self.calendar, 0)
        object.__setattr__(self, "fixed_us", fixed)


class Segment(NamedTuple):
    """The part of a run judged under one tier: counted on one calendar, in µs.

    The run's business time by ``since`` is ``carried + counted``; the segment
    judges ``carried + counted - base`` against ``target``.
    """

    rule: Rule
    target: int
    opened: int
    carried: int
    base: int
    counted: int
    since: int
    state: str
    steps: Step
    #: When the judged time first reached the target, once known (never before ``opened``).
    reached: int | None = None
    #: When a priority change closed this segment (None while it is the run's current one).
    closed: int | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return _revived_segment, tuple(self)

    def judged(self, now: int) -> int:
        """Return the business time judged against the target by ``now``."""
        used = self.carried + self.counted - self.base
        if self.state is RUNNING and self.closed is None:
            used += elapsed_us(self.rule.calendar, self.since, now)
        return used

    def _counted_to(self, t: int) -> tuple[int, int | None]:
        """Return the business time counted by ``t``, and when the target was reached by then."""
        counted, reached = self.counted, self.reached
        if self.state is RUNNING:
            calendar = self.rule.calendar
            span = elapsed_us(calendar, self.since, t)
            before = self.carried + counted - self.base
            counted += span
            if reached is None and before + span >= self.target:
                reached = add_us(calendar, self.since, self.target - before)
        return counted, reached

    def moved(self, t: int, state: str, reason: str) -> Segment:
        """Return the segment counted up to ``t`` and then in ``state``."""
        # ``_counted_to`` written out: this is the transition of nearly every event.
        rule, target, opened, carried, base, counted, since, was, steps, reached = self[:10]
        if was is RUNNING:
            calendar = rule.calendar
            span = calendar._index.elapsed(since, t)  # elapsed_us, one call less
            before = carried + counted - base
            counted += span
            if reached is None and before + span >= target:
                reached = add_us(calendar, since, target - before)
        step = _new(Step, (t, state, reason, steps))
        return _new(
            Segment, (rule, target, opened, carried, base, counted, t, state, step, reached, None)
        )

    def close(self, t: int) -> Segment:
        """Return the segment counted up to ``t`` and closed there, in the state it was in."""
        counted, reached = self._counted_to(t)
        return self._replace(counted=counted, reached=reached, closed=t)

    def due(self) -> int | None:
        """Return the instant the judged time reaches the target; None while paused short of it."""
        if self.reached is not None:
            return max(self.reached, self.opened)
        if self.state is not RUNNING or self.closed is not None:
            return None
        left = self.target - (self.carried + self.counted - self.base)
        return max(add_us(self.rule.calendar, self.since, left), self.opened)

    def steps_in_order(self) -> list[Step]:
        """Return the segment's steps, oldest first."""
        found = []
        step: Step | None = self.steps
        while step is not None:
            found.append(step)
            step = step.previous
        found.reverse()
        return found


def _revived_segment(*fields: Any) -> Segment:
    """Return a pickled ``Segment``, its state this module's own string."""
    return _new(Segment, (*fields[:7], _STATES[fields[7]], *fields[8:]))


def open_segment(
    rule: Rule, run_start: int, t: int, carried: int, *, state: str, reason: str
) -> Segment:
    """Return a segment opened at ``t`` under ``rule``, the run having counted ``carried``.

    A retroactive rule judges the run's time since it started against a target
    counted from its start; a ``from_change`` rule judges only the time from ``t``
    against a target counted from ``t``.
    """
    retroactive = rule.priority_change == "retroactive"
    target = rule.fixed_us
    if target is None:
        target = target_us(rule.target, rule.calendar, run_start if retroactive else t)
    base = 0 if retroactive else carried
    # A target already used up when its rule applied is reached then, not before.
    reached = t if carried - base >= target else None
    step = _new(Step, (t, state, reason, None))
    return _new(Segment, (rule, target, t, carried, base, 0, t, state, step, reached, None))


class Run(NamedTuple):
    """One counted run of a metric (the whole metric, or one cycle): its tier segments."""

    started: int
    current: Segment
    #: Segments closed by priority changes, oldest first.
    closed: tuple[Segment, ...] = ()

    @property
    def state(self) -> str:
        return self.current.state

    @property
    def finished(self) -> bool:
        """Return whether the run takes no more events (stopped by its event, or cancelled)."""
        return self.current.state is STOPPED or self.current.closed is not None

    @property
    def segments(self) -> tuple[Segment, ...]:
        return (*self.closed, self.current)

    def retier(self, rule: Rule, t: int) -> Run:
        """Return the run judged under ``rule`` from ``t``: its current segment closed at ``t``."""
        ended = self.current.close(t)
        fresh = open_segment(
            rule,
            self.started,
            t,
            ended.carried + ended.counted,
            state=ended.state,
            reason=ended.steps.reason,
        )
        return Run(self.started, fresh, (*self.closed, ended))

    def cancel(self, t: int) -> Run:
        """Return the run ended at ``t`` because the ticket's new tier lacks its metric."""
        return Run(self.started, self.current.close(t), self.closed)


def judge(segment: Segment, now: int) -> tuple[int, int | None]:
    """Return the business time ``segment`` judged by ``now`` and the due instant it missed.

    A segment closed by a priority change is judged as it stood when it closed. The
    missed instant is never before ``opened``: no target is missed before its rule applied.
    """
    used = segment.judged(now)
    if used <= segment.target:
        return used, None
    reached = segment.reached
    if reached is None:
        # Not reached by the last transition: it was in the running span since then.
        before = segment.carried + segment.counted - segment.base
        reached = add_us(segment.rule.calendar, segment.since, segment.target - before)
    return used, max(reached, segment.opened)


def segment_status(segment: Segment, used: int, missed: bool, last: bool, warn_at: float) -> Status:
    """Return how a segment stands; closed, it is ``met`` (``cancelled`` if it ended its run)."""
    if missed:
        return _BREACHED
    if segment.closed is not None:
        # Only a cancellation closes a run's current segment; a priority change the others.
        return _CANCELLED if last else _MET
    if segment.state is STOPPED or segment.state is ENDED:
        return _MET
    if segment.state is PAUSED:
        return _PAUSED
    if used >= threshold_us(warn_at, segment.target):
        return _AT_RISK
    return _RUNNING


#: What ``run_report`` tells of a run: its figures (a ``CycleReport``'s fields, by name),
#: and the first instant one of its segments missed its target, in µs and as reported.
RunFigures = tuple[dict[str, Any], int | None, dt.datetime | None]


def run_report(run: Run, now: int, warn_at: float, segments: list[SegmentReport]) -> RunFigures:
    """Return one run's figures (its current ones, its worst status), adding its segments.

    Each segment, as reported, goes on the end of ``segments``. The figures are a
    ``CycleReport``'s fields: only a cyclic metric reports its runs as cycles, so
    the others' are not built.
    """
    current = run.current
    first_miss: int | None = None
    first_at: dt.datetime | None = None
    missed: int | None = None
    for segment in run.closed or ():
        used, missed = judge(segment, now)
        status = segment_status(segment, used, missed is not None, False, warn_at)
        report = segment_report(segment, used, missed, status)
        segments.append(report)
        if missed is not None and (first_miss is None or missed < first_miss):
            first_miss, first_at = missed, report.breached_at
    used, missed = judge(current, now)
    status = segment_status(current, used, missed is not None, True, warn_at)
    # The current segment's report is on the run's calendar: its instants serve the run's
    # figures where they are the same instant (made once, as datetimes are immutable).
    last = segment_report(current, used, missed, status)
    segments.append(last)
    tz = current.rule.tz
    if missed is not None and (first_miss is None or missed < first_miss):
        first_miss, first_at = missed, last.breached_at
    stopped_at: dt.datetime | None = None
    if current.closed is not None:
        stopped_at = last.ended_at
    elif current.state is STOPPED or current.state is ENDED:
        stopped_at = from_us(current.since, tz)
    if first_miss is None:
        breached_at = None
    elif first_miss == missed:
        breached_at = last.breached_at
    else:
        breached_at = from_us(first_miss, tz)
    figures = {
        "started_at": last.started_at
        if current.opened == run.started
        else from_us(run.started, tz),
        "stopped_at": stopped_at,
        "status": status if first_miss is None else _BREACHED,
        "elapsed": last.used,
        "target": last.target,
        "due": last.due,
        "breached_at": breached_at,
        "target_text": last.target_text,
    }
    return figures, first_miss, first_at


def segment_report(
    segment: Segment, used: int, missed: int | None, status: Status
) -> SegmentReport:
    """Return one segment as reported, judged ``used`` µs with the due instant ``missed``."""
    rule = segment.rule
    tz = rule.tz
    measured = rule.target is None
    if measured and status is not _CANCELLED:
        status = _MEASURED  # counted, never judged: no target, no due instant
    due = None if measured or status is _MET or status is _CANCELLED else segment.due()
    closed = segment.closed
    # ``ONE_US * n`` is ``timedelta(microseconds=n)`` at half the cost.
    return built(
        SegmentReport,
        {
            "tier": rule.tier,
            "started_at": from_us(segment.opened, tz),
            "ended_at": None if closed is None else from_us(closed, tz),
            "target": ONE_US * (0 if measured else segment.target),
            "target_text": "" if measured else rule.target_text,
            "calendar": rule.calendar_name,
            "used": ONE_US * used,
            "status": status,
            "due": None if due is None else from_us(due, tz),
            "breached_at": None if missed is None else from_us(missed, tz),
        },
    )


# -- explaining -----------------------------------------------------------------


def intervals(metric: str, run: Run, now: int) -> Iterator[Interval]:
    """Yield the counted, closed and paused intervals of one run, up to ``now``."""
    for segment in run.segments:
        steps = segment.steps_in_order()
        finish = segment.closed if segment.closed is not None else now
        for step, following in zip(steps, [*steps[1:], None], strict=True):
            if following is not None:
                end = following.at
            elif step.state is STOPPED or step.state is ENDED:
                break  # nothing counts after a stop or a resolution
            else:
                end = finish
            if end <= step.at:
                continue
            calendar = segment.rule.calendar
            if step.state is RUNNING:
                yield from open_and_closed(metric, segment.rule, step.at, end)
            else:
                # A pause says its status; a resolution that a reopen ended says "resolved".
                yield Interval(
                    metric, at(step.at, calendar), at(end, calendar), "paused", step.reason
                )


def open_and_closed(metric: str, rule: Rule, start: int, end: int) -> Iterator[Interval]:
    """Yield the open (counted) and closed stretches of ``[start, end)`` on the rule's calendar."""
    calendar, name = rule.calendar, rule.calendar_name
    cursor = start
    for open_at, close_at in calendar._index.iter_periods(start, end):
        if cursor < open_at:
            yield Interval(
                metric,
                at(cursor, calendar),
                at(open_at, calendar),
                "closed",
                f"outside {name} hours",
            )
        yield Interval(
            metric, at(open_at, calendar), at(close_at, calendar), "counted", f"{name} open"
        )
        cursor = close_at
    if cursor < end:
        yield Interval(
            metric, at(cursor, calendar), at(end, calendar), "closed", f"outside {name} hours"
        )


# -- one small object per metric ----------------------------------------------------


class RunLink(NamedTuple):
    """A finished run and the finished runs before it (a cons cell)."""

    run: Run
    previous: RunLink | None


class Tracker(NamedTuple):
    """One metric of one ticket: its rule, its definition, its finished runs and its open run.

    The immutable record of a metric. The evaluation hands each ticket event to a
    ``MutableTracker`` (``on``; a resolution to ``resolved``, a reopen to
    ``reopened``), which changes in place and freezes into a ``Tracker``. What an
    event means is the metric's ``definition``: every metric, built in or the
    policy's own, is counted by that one class.
    """

    metric: str
    rule: Rule
    definition: MetricDefinition
    #: The statuses that pause this metric.
    pauses: frozenset[str]
    done: RunLink | None = None
    open: Run | None = None
    cancelled: bool = False
    #: The metric's earlier life, when a tier without it came between (its breaches stay).
    previous: Tracker | None = None
    #: Whether a ``start_after`` event has happened (always, when there is none).
    armed: bool = False
    #: Cancelled by a ``cancel_when`` event: the metric is not judged at all.
    void: bool = False

    @classmethod
    def fresh(
        cls,
        metric: str,
        rule: Rule,
        definition: MetricDefinition,
        pauses: frozenset[str],
        previous: Tracker | None = None,
    ) -> Tracker:
        """Return the tracker of a metric no event has reached yet."""
        armed = not definition.start_after
        return cls(metric, rule, definition, pauses, None, None, False, previous, armed)

    @property
    def cyclic(self) -> bool:
        """Return whether the metric is judged per cycle (several runs) rather than once."""
        return self.definition.cyclic

    def runs(self) -> tuple[Run, ...]:
        """Return every run, oldest first."""
        return runs_of(self.done, self.open)


def runs_of(done: RunLink | None, run: Run | None) -> tuple[Run, ...]:
    """Return the finished runs ``done`` and the open ``run``, oldest first."""
    found = [] if run is None else [run]
    link = done
    while link is not None:
        found.append(link.run)
        link = link.previous
    found.reverse()
    return tuple(found)


class MutableTracker:
    """A metric of a ticket being moved through events: a ``Tracker``'s fields, changed in place.

    Every transition of a metric is written here, once. ``Tracker`` is its immutable
    record: ``freeze`` makes it, ``thaw`` takes it up again. A whole ticket keeps one
    of these per metric from its first event to its last; a streamed event thaws the
    state it was fed to and freezes the state after it.
    """

    __slots__ = (
        "armed",
        "cancelled",
        "definition",
        "done",
        "metric",
        "open",
        "origin",
        "pauses",
        "previous",
        "rule",
        "void",
    )

    def __init__(  # noqa: PLR0917 - a Tracker's fields, in its order (thaw)
        self,
        metric: str,
        rule: Rule,
        definition: MetricDefinition,
        pauses: frozenset[str],
        done: RunLink | None,
        open: Run | None,
        cancelled: bool,
        previous: Tracker | None,
        armed: bool,
        void: bool,
    ) -> None:
        self.metric = metric
        self.rule = rule
        self.definition = definition
        self.pauses = pauses
        self.done = done
        self.open = open
        self.cancelled = cancelled
        self.previous = previous
        self.armed = armed
        self.void = void
        #: The record this was thawed from (None: a new one), returned by ``freeze``
        #: while nothing has changed.
        self.origin: Tracker | None = None

    @classmethod
    def thaw(cls, tracker: Tracker) -> MutableTracker:
        """Return ``tracker`` to change in place (``tracker`` itself is left as it is)."""
        thawed = cls(*tracker)
        thawed.origin = tracker
        return thawed

    def freeze(self) -> Tracker:
        """Return the immutable record of the metric as it stands."""
        origin = self.origin
        if (
            origin is not None
            # The fields a transition changes (the others are set once).
            and origin.open is self.open
            and origin.done is self.done
            and origin.rule is self.rule
            and origin.cancelled is self.cancelled
            and origin.armed is self.armed
            and origin.void is self.void
        ):
            return origin
        fields = (
            self.metric,
            self.rule,
            self.definition,
            self.pauses,
            self.done,
            self.open,
            self.cancelled,
            self.previous,
            self.armed,
            self.void,
        )
        return _new(Tracker, fields)

    def runs(self) -> tuple[Run, ...]:
        """Return every run, oldest first."""
        return runs_of(self.done, self.open)

    def _file(self, run: Run) -> None:
        """Make ``run`` the open run, or file it with the finished runs if it finished."""
        if run is self.open:
            return
        if run.finished:
            self.done = _new(RunLink, (run, self.done))
            self.open = None
        else:
            self.open = run

    def _start(self, t: int, status: str) -> None:
        """Open a new run counting from ``t`` (none once cancelled)."""
        if self.cancelled:
            return  # a tier without this metric applies: nothing new starts
        if status in self.pauses:
            segment = open_segment(self.rule, t, t, 0, state=PAUSED, reason=_pause_reason(status))
        else:
            segment = open_segment(self.rule, t, t, 0, state=RUNNING, reason="")
        self._file(_new(Run, (t, segment, ())))

    def _move(self, t: int, state: str, reason: str = "") -> None:
        """Put the open run in ``state`` from ``t``; nothing if it is finished or already so.

        A pause while paused for another reason records the new reason. A stopped run
        is filed with the finished ones (``_file``, written out: the hot path).
        """
        run = self.open
        if run is None:
            return
        current = run.current
        if (
            current.state is STOPPED
            or current.closed is not None  # the run is finished
            or (current.state is state and current.steps.reason == reason)
        ):
            return
        moved = _new(Run, (run.started, current.moved(t, state, reason), run.closed))
        if state is STOPPED:
            self.done = _new(RunLink, (moved, self.done))
            self.open = None
        else:
            self.open = moved

    def _resume(self, t: int, status: str) -> None:
        """Count, or pause if ``status`` pauses the metric, from ``t``."""
        if status in self.pauses:
            self._move(t, PAUSED, _pause_reason(status))
        else:
            self._move(t, RUNNING)

    def on(self, event: TicketEvent, t: int, status: str) -> None:
        """Take ``event`` at ``t`` on the open ticket, now in ``status``.

        In this order: cancel, reset, pause or resume, stop, then start.
        """
        kind = event.kind
        plan = self.definition.plans.get(kind)
        if plan is None:
            # No condition reads this kind of event; a status change may still pause.
            if kind == "status" and self.pauses and not self.void:
                self._resume(t, status)
            return
        if self.void:
            return
        # Each list holds the conditions on this kind only; ALWAYS: any event of it meets them.
        cancel, reset, stop, after, start = plan
        if cancel and (cancel is ALWAYS or _any(cancel, event)):
            self.cancel(t, void=True)
            return
        if reset and self.open is not None and (reset is ALWAYS or _any(reset, event)):
            self.reset(t, status)
        if kind == "status" and self.pauses:
            self._resume(t, status)
        if stop and self.open is not None and (stop is ALWAYS or _any(stop, event)):
            self._move(t, STOPPED)
        if after and not self.armed and (after is ALWAYS or _any(after, event)):
            self.armed = True
        if (
            start
            and self.armed
            and self.open is None
            and (self.definition.cyclic or self.done is None)
            and (start is ALWAYS or _any(start, event))
        ):
            self._start(t, status)

    def reset(self, t: int, status: str) -> None:
        """End the open run at ``t`` and open a new one counting from zero."""
        assert self.open is not None
        self.done = RunLink(self.open.cancel(t), self.done)
        self.open = None
        self._start(t, status)

    def resolved(self, t: int, event: TicketEvent) -> None:
        """End the open run by the resolution at ``t``."""
        if not self.void and _any(self.definition.cancel_when, event):
            self.cancel(t, void=True)
        else:
            self._move(t, ENDED, "resolved")

    def reopened(self, t: int, event: TicketEvent, status: str) -> None:
        """Count again from ``t`` the run the resolution ended, then take the reopen."""
        # Resolution ended every open run, so an open run here is one to resume.
        self._resume(t, status)
        self.on(event, t, status)

    def retier(self, rule: Rule, t: int) -> None:
        """Judge the metric under ``rule`` from ``t``; finished runs keep their verdict."""
        if self.open is not None:
            self.open = self.open.retier(rule, t)
        self.rule = rule
        # Only a metric the tier keeps is retiered: it is not cancelled.
        self.cancelled = False

    def with_runs(self, runs: list[Run]) -> None:
        """Put ``runs`` (oldest first) in place of the metric's own, uncancelled."""
        self.done = self.open = None
        self.cancelled = False
        for run in runs:
            self._file(run)

    def cancel(self, t: int, *, void: bool = False) -> None:
        """End the metric at ``t``: a tier without it applies, or ``cancel_when`` (``void``)."""
        if self.open is not None:
            self.done = RunLink(self.open.cancel(t), self.done)
            self.open = None
        self.cancelled = True
        self.void = self.void or void


#: The reason a pause records for each status (``status pending-customer``), made once.
_PAUSE_REASONS: dict[str, str] = {}


def _pause_reason(status: str) -> str:
    """Return ``f"status {status}"``, kept: a policy names few statuses."""
    reason = _PAUSE_REASONS.get(status)
    if reason is None:
        reason = f"status {status}"
        if len(_PAUSE_REASONS) < 1024:  # statuses are the policy's; bounded all the same
            _PAUSE_REASONS[status] = reason
    return reason


def _any(conditions: tuple[Condition, ...], event: TicketEvent) -> bool:
    # A plain loop: no generator on the hot path.
    for condition in conditions:  # noqa: SIM110
        if condition.matches(event):
            return True
    return False


# -- reporting ----------------------------------------------------------------------


def reports(
    tracker: Tracker, now: int, warn_at: float, segments: list[SegmentReport]
) -> tuple[list[dict[str, Any]], dt.datetime | None]:
    """Return the figures of every run of ``tracker``, and its first breach as reported.

    Every segment, of its earlier lives too, is added to ``segments`` as reported.
    The first breach is the earliest instant a segment missed its target (the first
    such segment's, on a tie).
    """
    first_miss: int | None = None
    first_at: dt.datetime | None = None
    if tracker.previous is not None:
        first_at = reports(tracker.previous, now, warn_at, segments)[1]
        if first_at is not None:
            first_miss = to_us(first_at)
    found: list[dict[str, Any]] = []
    for run in tracker.runs():
        figures, missed, missed_at = run_report(run, now, warn_at, segments)
        found.append(figures)
        if missed is not None and (first_miss is None or missed < first_miss):
            first_miss, first_at = missed, missed_at
    return found, first_at


def metric_report(
    tracker: Tracker, now: int, warn_at: float, levels: tuple[float, ...] = ()
) -> MetricReport:
    """Return where ``tracker``'s metric stands at ``now`` (µs since the epoch).

    ``levels`` are the escalation levels, lowest first (default: ``warn_at`` alone).
    """
    found: list[SegmentReport] = []
    runs, first_breach = reports(tracker, now, warn_at, found)
    segments = tuple(found)
    # A metric cancel_when ended is not judged: no breach, whatever its runs used.
    if tracker.void:
        first_breach = None
    story = functools.partial(_explain, tracker, now)
    rule = tracker.rule
    if not runs:
        # What a run opened now would get (a "3d" target depends on when it starts).
        allowed = 0 if rule.target is None else target_us(rule.target, rule.calendar, now)
        target = dt.timedelta(microseconds=allowed)
        if first_breach is not None:
            status = _BREACHED
        else:
            status = _CANCELLED if tracker.cancelled else _IDLE
        return built(
            MetricReport,
            {
                "metric": tracker.metric,
                "status": status,
                "target": target,
                "target_text": rule.target_text,
                "calendar": rule.calendar_name,
                "started_at": None,
                "stopped_at": None,
                "due": None,
                "breached_at": first_breach,
                "elapsed": dt.timedelta(0),
                "remaining": target,
                "used": 0.0,
                "cycles": (),
                "segments": segments,
                "escalations": (),
                "next_escalation": None,
                "_story": story,
            },
        )
    current = runs[-1]
    crossed, following = escalations(tracker, now, levels or (warn_at,))
    if first_breach is not None:
        status = _BREACHED
    elif tracker.cancelled:
        status = _CANCELLED
    elif tracker.rule.target is None:
        status = _MEASURED
    elif tracker.cyclic and tracker.open is None:
        status = _MET
    else:
        status = current["status"]
    target, elapsed = current["target"], current["elapsed"]
    return built(
        MetricReport,
        {
            "metric": tracker.metric,
            "status": status,
            "target": target,
            "target_text": current["target_text"],
            "calendar": segments[-1].calendar,
            "started_at": current["started_at"],
            "stopped_at": current["stopped_at"],
            "due": None if tracker.void else current["due"],
            "breached_at": first_breach,
            "elapsed": elapsed,
            # A measured total has no target, so nothing remains of one.
            "remaining": dt.timedelta(0) if status is _MEASURED else target - elapsed,
            "used": elapsed / target if target else 0.0,
            "cycles": tuple([built(CycleReport, figures) for figures in runs])
            if tracker.definition.cyclic
            else (),
            "segments": segments,
            "escalations": crossed,
            "next_escalation": following,
            "_story": story,
        },
    )


# -- escalation levels, read from a clock's state when asked ---------------------------


def threshold_us(level: float, target: int) -> int:
    """Return the business time (µs) a share ``level`` of ``target`` µs is reached at."""
    # The least whole µs at or past the share: ``used >= level * target`` in integers.
    return math.ceil(level * target)


def reached_at(segment: Segment, amount: int, now: int) -> int | None:
    """Return when ``segment``'s judged time reached ``amount`` µs, if it had by ``now``.

    Read from the segment's steps (kept for ``explain``), so it costs nothing while
    events are fed. Never before the segment opened: no level before its rule applied.
    """
    calendar = segment.rule.calendar
    judged = segment.carried - segment.base
    if judged >= amount:
        return segment.opened
    steps = segment.steps_in_order()
    finish = segment.closed if segment.closed is not None else now
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        if step.state is not RUNNING:
            continue
        end = following.at if following is not None else finish
        span = elapsed_us(calendar, step.at, end) if end > step.at else 0
        if judged + span >= amount:
            return max(add_us(calendar, step.at, amount - judged), segment.opened)
        judged += span
    return None


def counting(tracker: Tracker) -> Segment | None:
    """Return the tier segment ``tracker``'s open run is judged by, unless the run is over."""
    run = tracker.open
    if run is None or tracker.void:
        return None
    segment = run.current
    if segment.closed is not None or segment.state is STOPPED or segment.state is ENDED:
        return None
    return segment


def escalations(
    tracker: Tracker, now: int, levels: tuple[float, ...]
) -> tuple[tuple[Escalation, ...], Escalation | None]:
    """Return the levels the running clock has reached by ``now``, and the next one (or breach).

    A level is reached when the judged time reaches its share of the target; the
    breach level when it reaches the whole target, at the due instant. Levels of
    the open run's current tier segment; a paused clock's next level has no instant.
    """
    segment = counting(tracker)
    if segment is None or segment.rule.target is None:
        return (), None  # nothing running, or a total measured without a target
    calendar = segment.rule.calendar
    used = segment.judged(now)
    target = segment.target
    crossed: list[Escalation] = []
    following: tuple[float, int] | None = None
    for level in levels:
        if level >= 1.0:
            break  # a single warn_at of 1 is the breach level itself
        amount = threshold_us(level, target)
        if used < amount:
            following = level, amount
            break
        when = reached_at(segment, amount, now)
        crossed.append(
            Escalation(tracker.metric, level, None if when is None else at(when, calendar))
        )
    if following is None and used < target:
        following = 1.0, target
    if following is None:
        return tuple(crossed), None
    level, amount = following
    instant = None if segment.state is not RUNNING else at(reach_us(segment, amount), calendar)
    return tuple(crossed), Escalation(tracker.metric, level, instant)


def reach_us(segment: Segment, amount: int) -> int:
    """Return when a running ``segment``'s judged time reaches ``amount`` µs (not yet reached).

    Found as the due instant is (``Segment.due``): counted on from the last transition.
    """
    before = segment.carried + segment.counted - segment.base
    return max(add_us(segment.rule.calendar, segment.since, amount - before), segment.opened)


def reaching(
    tracker: Tracker,
    now: int,
    end: int,
    levels: tuple[float, ...],
    rooms: dict[int, int],
) -> Iterator[tuple[int, float, int, Segment]]:
    """Yield ``(instant, level, left, segment)`` for each level or breach reached in ``(now, end]``.

    ``left`` is the business time left to the breach at ``now``. ``rooms`` holds, by
    calendar, the business time in ``(now, end]``: one query per calendar, not per
    ticket, and a level further off than that is not searched for.
    """
    segment = counting(tracker)
    if segment is None or segment.state is not RUNNING or segment.rule.target is None:
        return  # a paused clock, or a total measured without a target, reaches no level
    calendar = segment.rule.calendar
    before = segment.carried + segment.counted - segment.base
    used = before + elapsed_us(calendar, segment.since, now)
    target = segment.target
    if used >= target:
        return
    key = id(calendar)
    room = rooms.get(key)
    if room is None:
        room = rooms[key] = elapsed_us(calendar, now, end)
    left = target - used
    for level in (*levels, 1.0):
        amount = target if level >= 1.0 else threshold_us(level, target)
        if amount <= used:
            continue
        if amount - used > room:
            return  # the later levels are further off still
        yield reach_us(segment, amount), min(level, 1.0), left, segment
        if level >= 1.0:
            return  # a single warn_at of 1 is the breach level itself


def _explain(tracker: Tracker, now: int) -> tuple[Interval, ...]:
    earlier = () if tracker.previous is None else _explain(tracker.previous, now)
    return earlier + tuple(
        interval for run in tracker.runs() for interval in intervals(tracker.metric, run, now)
    )
