"""How one metric is counted: runs of SLA clocks across calendar changes, and their judgement.

A ``Tracker`` holds one metric of one ticket: its spec and its runs (the
whole metric, or one per cycle). A ``Run`` is a sequence of
``Segment`` clocks, one per calendar the metric counted on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

from slaclock.engine._time import to_us
from slaclock.engine.calendar import Calendar
from slaclock.engine.clock import Clock, ClockState
from slaclock.sla.results import CycleReport, Interval, MetricReport, Status
from slaclock.sla.targets import BusinessDays, MetricSpec, Target

#: Metrics judged per cycle rather than once.
CYCLIC = frozenset({"next_update", "periodic_update"})


@dataclasses.dataclass(frozen=True)
class Segment:
    """A clock on one calendar, and the business time counted before it began."""

    clock: Clock
    calendar_name: str
    carried_us: int
    #: Why each of the clock's pauses happened, in order.
    pause_reasons: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Run:
    """One counted run of a metric (the whole metric, or one cycle), across calendar changes."""

    segments: tuple[Segment, ...]
    target_us: int
    target: Target

    @property
    def current(self) -> Segment:
        return self.segments[-1]

    @property
    def clock(self) -> Clock:
        return self.segments[-1].clock

    @property
    def finished(self) -> bool:
        return self.clock.state is ClockState.STOPPED

    def elapsed_us(self, now: dt.datetime | None) -> int:
        segment = self.current
        return segment.carried_us + segment.clock.elapsed(now) // dt.timedelta(microseconds=1)

    def breached_at(self, now: dt.datetime | None) -> dt.datetime | None:
        for segment in self.segments:
            if segment is not self.current:
                done = segment.carried_us + us(segment.clock.elapsed())
                if done <= self.target_us:
                    continue
            left = dt.timedelta(microseconds=self.target_us - segment.carried_us)
            crossed = segment.clock.breached_at(left, now if segment is self.current else None)
            if crossed is not None:
                return crossed
        return None

    def due(self) -> dt.datetime | None:
        segment = self.current
        if segment.carried_us > self.target_us:
            return self.breached_at(None)
        return segment.clock.due(dt.timedelta(microseconds=self.target_us - segment.carried_us))

    def transition(self, action: str, at: dt.datetime, reason: str = "") -> Run:
        segment = self.current
        clock = segment.clock
        if action == "pause" and clock.state is not ClockState.RUNNING:
            return self
        if action == "resume" and clock.state is not ClockState.PAUSED:
            return self
        if action == "stop" and clock.state is ClockState.STOPPED:
            return self
        moved = clock.apply(action, at)
        reasons = segment.pause_reasons + ((reason,) if action == "pause" else ())
        # Built directly rather than with dataclasses.replace: this is the hot path.
        updated = Segment(moved, segment.calendar_name, segment.carried_us, reasons)
        return Run((*self.segments[:-1], updated), self.target_us, self.target)

    def retarget(
        self, target: Target, target_us: int, calendar: Calendar, name: str, at: dt.datetime
    ) -> Run:
        segment = self.current
        run = dataclasses.replace(self, target=target, target_us=target_us)
        if segment.clock.calendar == calendar or self.finished:
            return run
        # Another calendar from here on: close this segment and go on counting on the new one.
        state = segment.clock.state
        carried = segment.carried_us + us(segment.clock.elapsed(at))
        closed = dataclasses.replace(segment, clock=segment.clock.stop(at))
        fresh = Clock.start(calendar, at)
        reasons: tuple[str, ...] = ()
        if state is ClockState.PAUSED:
            fresh = fresh.pause(at)
            reasons = (segment.pause_reasons[-1],) if segment.pause_reasons else ("paused",)
        return dataclasses.replace(
            run, segments=(*self.segments[:-1], closed, Segment(fresh, name, carried, reasons))
        )


def before(first: dt.datetime, second: dt.datetime) -> bool:
    """Return whether ``first`` is an earlier instant than ``second``.

    Python compares two datetimes with the same ``tzinfo`` by wall clock,
    ignoring ``fold``, which is wrong inside a repeated autumn hour.
    """
    return to_us(first) < to_us(second)


def us(delta: dt.timedelta) -> int:
    return delta // dt.timedelta(microseconds=1)


def target_us(target: Target, calendar: Calendar, start: dt.datetime) -> int:
    return us(target.duration_from(calendar, start))


@dataclasses.dataclass(frozen=True)
class Tracker:
    """The state of one metric: its spec, its finished cycles and its open run."""

    metric: str
    spec: MetricSpec
    calendar: Calendar
    runs: tuple[Run, ...] = ()
    #: For resolution: paused by the ticket being resolved (not by a status).
    resolved: bool = False

    @property
    def open_run(self) -> Run | None:
        if self.runs and not self.runs[-1].finished:
            return self.runs[-1]
        return None

    def start_run(self, at: dt.datetime) -> Tracker:
        run = Run(
            (Segment(Clock.start(self.calendar, at), self.spec.calendar, 0),),
            target_us(self.spec.target, self.calendar, at),
            self.spec.target,
        )
        return dataclasses.replace(self, runs=(*self.runs, run))

    def with_open(self, run: Run) -> Tracker:
        return Tracker(self.metric, self.spec, self.calendar, (*self.runs[:-1], run), self.resolved)

    def act(self, action: str, at: dt.datetime, reason: str = "") -> Tracker:
        run = self.open_run
        return self if run is None else self.with_open(run.transition(action, at, reason))


def run_status(run: Run, now: dt.datetime, warn_at: float) -> tuple[Status, int]:
    elapsed = run.elapsed_us(now)
    state = run.clock.state
    if elapsed > run.target_us:
        return Status.BREACHED, elapsed
    if state is ClockState.STOPPED:
        return Status.MET, elapsed
    if state is ClockState.PAUSED:
        return Status.PAUSED, elapsed
    if elapsed >= warn_at * run.target_us:
        return Status.AT_RISK, elapsed
    return Status.RUNNING, elapsed


def metric_report(tracker: Tracker, now: dt.datetime, warn_at: float) -> MetricReport:
    spec = tracker.spec
    cycles = []
    worst: Status | None = None
    first_breach: dt.datetime | None = None
    for run in tracker.runs:
        status, elapsed = run_status(run, now, warn_at)
        if tracker.resolved and status is Status.PAUSED:
            status = Status.MET
        breached = run.breached_at(now)
        if breached is not None and (first_breach is None or before(breached, first_breach)):
            first_breach = breached
        if status is Status.BREACHED:
            worst = Status.BREACHED
        # A resolved ticket's resolution clock is paused (a reopen resumes it), but the
        # resolution is where it stopped.
        ended = run.finished or (tracker.resolved and run is tracker.runs[-1])
        stopped = run.clock.last_event_at if ended else None
        cycles.append(
            CycleReport(
                run.segments[0].clock.started_at,
                stopped,
                status,
                dt.timedelta(microseconds=elapsed),
                dt.timedelta(microseconds=run.target_us),
                None if status is Status.MET else run.due(),
                breached,
            )
        )
    zone = tracker.calendar.tz
    story = functools.partial(_explain, tracker, now)
    if not cycles:
        target = spec.target
        target_us = 0 if isinstance(target, BusinessDays) else us(target.amount)
        return MetricReport(
            tracker.metric,
            Status.IDLE,
            dt.timedelta(microseconds=target_us),
            str(target),
            spec.calendar,
            None,
            None,
            None,
            None,
            dt.timedelta(0),
            dt.timedelta(microseconds=target_us),
            0.0,
            (),
            story,
        )
    current = cycles[-1]
    status = worst if worst is not None else current.status
    if tracker.metric in CYCLIC and tracker.open_run is None and status is not Status.BREACHED:
        status = Status.MET
    return MetricReport(
        metric=tracker.metric,
        status=status,
        target=current.target,
        target_text=str(tracker.runs[-1].target),
        calendar=tracker.runs[-1].current.calendar_name,
        started_at=current.started_at.astimezone(zone),
        stopped_at=current.stopped_at,
        due=current.due,
        breached_at=first_breach,
        elapsed=current.elapsed,
        remaining=current.target - current.elapsed,
        used=current.elapsed / current.target if current.target else 0.0,
        cycles=tuple(cycles) if tracker.metric in CYCLIC else (),
        _story=story,
    )


def _explain(tracker: Tracker, now: dt.datetime) -> tuple[Interval, ...]:
    return tuple(
        interval for run in tracker.runs for interval in intervals(tracker.metric, run, now)
    )


def intervals(metric: str, run: Run, now: dt.datetime) -> list[Interval]:
    """Return the counted, closed and paused intervals of one run, up to ``now``."""
    found: list[Interval] = []
    for segment in run.segments:
        clock = segment.clock
        calendar = clock.calendar
        events = list(clock.events)
        reasons = iter(segment.pause_reasons)
        running_since: dt.datetime | None = None
        paused_since: dt.datetime | None = None
        paused_reason = ""
        for at, action in events:
            if action in ("start", "resume"):
                if paused_since is not None and before(paused_since, at):
                    found.append(Interval(metric, paused_since, at, "paused", paused_reason))
                paused_since = None
                running_since = at
            else:
                if running_since is not None:
                    found.extend(open_and_closed(metric, calendar, segment, running_since, at))
                running_since = None
                if action == "pause":
                    paused_since, paused_reason = at, next(reasons, "paused")
        if running_since is not None and before(running_since, now):
            found.extend(open_and_closed(metric, calendar, segment, running_since, now))
        if (
            paused_since is not None
            and clock.state is ClockState.PAUSED
            and before(paused_since, now)
        ):
            found.append(Interval(metric, paused_since, now, "paused", paused_reason))
    return found


def open_and_closed(
    metric: str, calendar: Calendar, segment: Segment, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    found: list[Interval] = []
    cursor = start
    name = segment.calendar_name
    for period in calendar.periods(start, end):
        if before(cursor, period.start):
            found.append(Interval(metric, cursor, period.start, "closed", f"outside {name} hours"))
        found.append(Interval(metric, period.start, period.end, "counted", f"{name} open"))
        cursor = period.end
    if before(cursor, end):
        found.append(Interval(metric, cursor, end, "closed", f"outside {name} hours"))
    return found
