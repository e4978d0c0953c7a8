"""Evaluating a ticket against an SLA policy: per metric, met / breached / running, and why.

An :class:`Evaluation` is an immutable state. Feed it a ticket's events one at
a time (:meth:`Evaluation.feed`) and ask for a :class:`Report` at any moment;
:meth:`slaclock.policy.Policy.evaluate` does exactly that for a whole history,
so streaming and all-at-once evaluation agree by construction.

Each metric is counted by :class:`~slaclock.clock.Clock` values on the metric's
calendar:

- ``first_response``: from logging to the first public agent reply.
- ``next_update``: from each customer message (when no cycle is open) to the
  next public agent reply; every cycle is judged.
- ``resolution``: from logging to resolution, paused while the ticket's status
  is one of the policy's ``pause_when``; a reopen resumes it with the time
  already used kept.
- ``periodic_update``: from logging, and from each public agent reply, to the
  next public agent reply while the ticket is open; every cycle is judged.

Resolving a ticket ends every metric's open clock (it is judged as it stands).
When the priority changes, every metric is re-judged against the new tier's
target with the business time already counted; if the new tier puts a metric on
another calendar, time from the change on counts on the new calendar.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from slaclock._time import to_us
from slaclock.calendar import Calendar
from slaclock.clock import Clock, ClockState
from slaclock.errors import EventError, NaiveDatetimeError
from slaclock.targets import BusinessDays, Target

if TYPE_CHECKING:
    from slaclock.policy import MetricSpec, Policy

__all__ = [
    "EVENT_KINDS",
    "METRICS",
    "CycleReport",
    "Evaluation",
    "Explanation",
    "Interval",
    "MetricReport",
    "Report",
    "Status",
    "TicketEvent",
    "iso_duration",
]

#: The metrics a policy tier may set targets for, in report order.
METRICS: tuple[str, ...] = ("first_response", "next_update", "resolution", "periodic_update")
#: The kinds of ticket event the evaluator reads.
EVENT_KINDS: tuple[str, ...] = (
    "logged",
    "status",
    "agent_reply",
    "customer_reply",
    "priority_changed",
    "resolved",
    "reopened",
)
_CYCLIC = frozenset({"next_update", "periodic_update"})


class Status(str, enum.Enum):
    """How a metric stands; each member compares equal to its string value."""

    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"
    AT_RISK = "at_risk"
    PAUSED = "paused"
    #: A cycle metric with nothing to judge yet (no customer message for next_update).
    IDLE = "idle"

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class TicketEvent:
    """One thing that happened to a ticket.

    ``kind`` is one of :data:`EVENT_KINDS`. ``logged`` and ``priority_changed``
    carry a ``priority``; ``status`` carries a ``status``; ``agent_reply`` may be
    private (``public=False``), and then it is no reply to the customer.
    """

    at: dt.datetime
    kind: str
    priority: str | None = None
    status: str | None = None
    public: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "event") -> TicketEvent:
        """Return the event ``{"at": ISO 8601, "type": kind, ...}`` (``kind`` also accepted)."""
        if not isinstance(data, Mapping):
            raise EventError(f"{where}: an event is a mapping with 'at' and 'type', not {data!r}")
        unknown = set(data) - {"at", "type", "kind", "priority", "status", "public"}
        if unknown:
            raise EventError(f"{where}: unknown field(s) {sorted(unknown)}")
        kind = data.get("type", data.get("kind"))
        at = data.get("at")
        if isinstance(at, str):
            try:
                at = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
            except ValueError:
                raise EventError(
                    f"{where}: 'at' {data['at']!r} is not an ISO 8601 instant"
                ) from None
        public = data.get("public", True)
        if not isinstance(public, bool):
            raise EventError(f"{where}: 'public' must be true or false, not {public!r}")
        priority, status = data.get("priority"), data.get("status")
        cls._validate(at, kind, priority, status, where=where)
        assert isinstance(at, dt.datetime)  # checked just above; this tells mypy
        return cls(at, kind, priority, status, public)

    @staticmethod
    def _validate(
        at: object, kind: object, priority: object, status: object, *, where: str
    ) -> None:
        if not isinstance(at, dt.datetime):
            raise EventError(f"{where}: 'at' must be a datetime, not {at!r}")
        if at.tzinfo is None or at.utcoffset() is None:
            raise NaiveDatetimeError(f"{where}: 'at' {at.isoformat()} has no time zone")
        if kind not in EVENT_KINDS:
            raise EventError(f"{where}: unknown event type {kind!r}; use one of {EVENT_KINDS}")
        if kind in ("logged", "priority_changed") and not isinstance(priority, str):
            raise EventError(f"{where}: a {kind} event needs a 'priority', such as 'P1'")
        if kind == "status" and not isinstance(status, str):
            raise EventError(
                f"{where}: a status event needs a 'status', such as 'pending-customer'"
            )
        for name, value in (("priority", priority), ("status", status)):
            if value is not None and not isinstance(value, str):
                raise EventError(f"{where}: '{name}' must be text, not {value!r}")

    def __post_init__(self) -> None:
        self._validate(self.at, self.kind, self.priority, self.status, where="event")
        if not isinstance(self.public, bool):
            raise EventError(f"event: 'public' must be true or false, not {self.public!r}")

    def to_dict(self) -> dict[str, Any]:
        """Return the event as JSON-ready data that :meth:`from_dict` reads back."""
        data: dict[str, Any] = {"at": self.at.isoformat(), "type": self.kind}
        if self.priority is not None:
            data["priority"] = self.priority
        if self.status is not None:
            data["status"] = self.status
        if not self.public:
            data["public"] = False
        return data

    def describe(self) -> str:
        """Return a short description: ``status 'pending-customer' at 2026-…``."""
        detail = self.priority or self.status
        return f"{self.kind}{f' {detail!r}' if detail else ''} at {self.at.isoformat()}"


# -- the counting of one metric ---------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Segment:
    """A clock on one calendar, and the business time counted before it began."""

    clock: Clock
    calendar_name: str
    carried_us: int
    #: Why each of the clock's pauses happened, in order.
    pause_reasons: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class _Run:
    """One counted run of a metric (the whole metric, or one cycle), across calendar changes."""

    segments: tuple[_Segment, ...]
    target_us: int
    target: Target

    @property
    def current(self) -> _Segment:
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
                done = segment.carried_us + _us(segment.clock.elapsed())
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

    def transition(self, action: str, at: dt.datetime, reason: str = "") -> _Run:
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
        updated = _Segment(moved, segment.calendar_name, segment.carried_us, reasons)
        return _Run((*self.segments[:-1], updated), self.target_us, self.target)

    def retarget(
        self, target: Target, target_us: int, calendar: Calendar, name: str, at: dt.datetime
    ) -> _Run:
        segment = self.current
        run = dataclasses.replace(self, target=target, target_us=target_us)
        if segment.clock.calendar == calendar or self.finished:
            return run
        # Another calendar from here on: close this segment and go on counting on the new one.
        state = segment.clock.state
        carried = segment.carried_us + _us(segment.clock.elapsed(at))
        closed = dataclasses.replace(segment, clock=segment.clock.stop(at))
        fresh = Clock.start(calendar, at)
        reasons: tuple[str, ...] = ()
        if state is ClockState.PAUSED:
            fresh = fresh.pause(at)
            reasons = (segment.pause_reasons[-1],) if segment.pause_reasons else ("paused",)
        return dataclasses.replace(
            run, segments=(*self.segments[:-1], closed, _Segment(fresh, name, carried, reasons))
        )


def _before(first: dt.datetime, second: dt.datetime) -> bool:
    """Return whether ``first`` is an earlier instant than ``second``.

    Python compares two datetimes with the same ``tzinfo`` by wall clock,
    ignoring ``fold``, which is wrong inside a repeated autumn hour.
    """
    return to_us(first) < to_us(second)


def _us(delta: dt.timedelta) -> int:
    return delta // dt.timedelta(microseconds=1)


def _target_us(target: Target, calendar: Calendar, start: dt.datetime) -> int:
    return _us(target.duration_from(calendar, start))


@dataclasses.dataclass(frozen=True)
class _Tracker:
    """The state of one metric: its spec, its finished cycles and its open run."""

    metric: str
    spec: MetricSpec
    calendar: Calendar
    runs: tuple[_Run, ...] = ()
    #: For resolution: paused by the ticket being resolved (not by a status).
    resolved: bool = False

    @property
    def open_run(self) -> _Run | None:
        if self.runs and not self.runs[-1].finished:
            return self.runs[-1]
        return None

    def start_run(self, at: dt.datetime) -> _Tracker:
        run = _Run(
            (_Segment(Clock.start(self.calendar, at), self.spec.calendar, 0),),
            _target_us(self.spec.target, self.calendar, at),
            self.spec.target,
        )
        return dataclasses.replace(self, runs=(*self.runs, run))

    def with_open(self, run: _Run) -> _Tracker:
        return _Tracker(
            self.metric, self.spec, self.calendar, (*self.runs[:-1], run), self.resolved
        )

    def act(self, action: str, at: dt.datetime, reason: str = "") -> _Tracker:
        run = self.open_run
        return self if run is None else self.with_open(run.transition(action, at, reason))


# -- reports ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Interval:
    """A stretch of time in a metric's story: counted, paused or closed, and why."""

    metric: str
    start: dt.datetime
    end: dt.datetime
    kind: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """Return the interval as JSON-ready data."""
        return {
            "metric": self.metric,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "kind": self.kind,
            "reason": self.reason,
        }


@dataclasses.dataclass(frozen=True)
class CycleReport:
    """One judged cycle of a cycle metric (next_update, periodic_update)."""

    started_at: dt.datetime
    stopped_at: dt.datetime | None
    status: Status
    elapsed: dt.timedelta
    target: dt.timedelta
    due: dt.datetime | None
    breached_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Return the cycle as JSON-ready data."""
        return {
            "started_at": self.started_at.isoformat(),
            "stopped_at": _iso(self.stopped_at),
            "status": self.status.value,
            "elapsed": iso_duration(self.elapsed),
            "target": iso_duration(self.target),
            "due": _iso(self.due),
            "breached_at": _iso(self.breached_at),
        }


@dataclasses.dataclass(frozen=True)
class MetricReport:
    """Where one metric stands: status, due and breach instants, time used, and why.

    For cycle metrics the figures are the open cycle's (or the last one's when
    none is open), the status is ``BREACHED`` if any cycle breached, and
    ``cycles`` lists every cycle.
    """

    metric: str
    status: Status
    target: dt.timedelta
    target_text: str
    calendar: str
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None
    due: dt.datetime | None
    breached_at: dt.datetime | None
    elapsed: dt.timedelta
    remaining: dt.timedelta
    used: float
    cycles: tuple[CycleReport, ...]
    #: What ``intervals`` is computed from, on first use: explaining costs more than judging.
    _story: tuple[_Tracker, dt.datetime] | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    @functools.cached_property
    def intervals(self) -> tuple[Interval, ...]:
        """Return the counted, paused and closed intervals behind this metric, oldest first."""
        if self._story is None:
            return ()
        tracker, now = self._story
        return tuple(
            interval for run in tracker.runs for interval in _intervals(tracker.metric, run, now)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (ISO 8601 instants and durations)."""
        return {
            "metric": self.metric,
            "status": self.status.value,
            "target": iso_duration(self.target),
            "target_text": self.target_text,
            "calendar": self.calendar,
            "started_at": _iso(self.started_at),
            "stopped_at": _iso(self.stopped_at),
            "due": _iso(self.due),
            "breached_at": _iso(self.breached_at),
            "elapsed": iso_duration(self.elapsed),
            "remaining": iso_duration(self.remaining),
            "used": self.used,
            "cycles": [cycle.to_dict() for cycle in self.cycles],
            "intervals": [interval.to_dict() for interval in self.intervals],
        }


@dataclasses.dataclass(frozen=True)
class Explanation:
    """The counted, paused and closed intervals behind a report; ``str()`` renders text."""

    intervals: tuple[Interval, ...]

    def to_dict(self) -> list[dict[str, str]]:
        """Return the intervals as JSON-ready data."""
        return [interval.to_dict() for interval in self.intervals]

    def __str__(self) -> str:
        lines: list[str] = []
        metric = None
        for interval in self.intervals:
            if interval.metric != metric:
                metric = interval.metric
                lines.append(f"{metric}:")
            lines.append(
                f"  {interval.start.isoformat()} .. {interval.end.isoformat()}  "
                f"{interval.kind:<7}  {interval.reason}"
            )
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class Report(Mapping[str, MetricReport]):
    """A ticket's SLA report: a mapping of metric name to :class:`MetricReport`."""

    policy: str
    priority: str
    now: dt.datetime
    metrics: Mapping[str, MetricReport]

    def __getitem__(self, metric: str) -> MetricReport:
        try:
            return self.metrics[metric]
        except KeyError:
            raise KeyError(
                f"no {metric!r} metric in tier {self.priority} of policy {self.policy!r}; "
                f"it has {list(self.metrics)}"
            ) from None

    def __iter__(self) -> Any:
        return iter(self.metrics)

    def __len__(self) -> int:
        return len(self.metrics)

    def explain(self) -> Explanation:
        """Return every metric's counted, paused and closed intervals, each with its reason."""
        return Explanation(
            tuple(interval for report in self.metrics.values() for interval in report.intervals)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the whole report as JSON-ready data."""
        return {
            "policy": self.policy,
            "priority": self.priority,
            "now": self.now.isoformat(),
            "metrics": {name: report.to_dict() for name, report in self.metrics.items()},
        }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def iso_duration(value: dt.timedelta) -> str:
    """Return an ISO 8601 duration with hours, minutes and seconds (``-PT1H30M``)."""
    micros = _us(value)
    sign = "-" if micros < 0 else ""
    seconds, fraction = divmod(abs(micros), 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if seconds or fraction or text.endswith("T"):
        text += f"{seconds}.{fraction:06d}".rstrip("0").rstrip(".") + "S"
    return text


# -- the evaluation state -----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """A ticket's SLA state after the events fed so far: immutable, one event at a time.

    >>> from slaclock.policy import Policy
    >>> policy = Policy.from_dict({
    ...     "name": "Desk",
    ...     "calendars": {"support": {"tz": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}}},
    ...     "tiers": {"P3": {"first_response": {"target": "4h", "calendar": "support"}}},
    ... })
    >>> state = policy.evaluation().feed({"at": "2026-11-20T16:55+00:00", "type": "logged",
    ...                                    "priority": "P3"})
    >>> state = state.feed({"at": "2026-11-23T09:05+00:00", "type": "agent_reply"})
    >>> report = state.report(now=state.last_at)
    >>> report["first_response"].status, report["first_response"].elapsed
    (<Status.MET: 'met'>, datetime.timedelta(seconds=600))
    """

    policy: Policy
    events: tuple[TicketEvent, ...] = ()
    priority: str | None = None
    status: str | None = None
    resolved: bool = False
    trackers: tuple[_Tracker, ...] = ()
    #: The last event's instant in µs, so order checks need no conversion.
    last_us: int = 0

    @property
    def last_at(self) -> dt.datetime | None:
        """Return the instant of the last event fed, if any."""
        return self.events[-1].at if self.events else None

    def feed(self, event: TicketEvent | Mapping[str, Any]) -> Evaluation:
        """Return the state after ``event``; raise EventError (state unchanged) if it cannot be."""
        # Numbered from 0, like a JSON path into the ticket's "events" list.
        where = f"events[{len(self.events)}]"
        if not isinstance(event, TicketEvent):
            event = TicketEvent.from_dict(event, where)
        self._check(event, where)
        return self._apply(event)

    def feed_all(self, events: Iterable[TicketEvent | Mapping[str, Any]]) -> Evaluation:
        """Return the state after every event in ``events``, in order."""
        state = self
        for event in events:
            state = state.feed(event)
        return state

    def _check(self, event: TicketEvent, where: str) -> None:
        def refuse(problem: str) -> EventError:
            return EventError(f"{where} ({event.describe()}): {problem}")

        if not self.events:
            if event.kind != "logged":
                raise refuse("the first event must be 'logged'")
        else:
            if event.kind == "logged":
                raise refuse("the ticket was already logged")
            if to_us(event.at) < self.last_us:
                raise refuse(
                    f"it is earlier than the previous event ({self.events[-1].describe()}); "
                    "events must come in time order"
                )
            if self.resolved and event.kind != "reopened":
                raise refuse("the ticket is resolved; only 'reopened' may follow")
            if event.kind == "reopened" and not self.resolved:
                raise refuse("the ticket is not resolved")
        if event.priority is not None and event.priority not in self.policy.tiers:
            raise refuse(
                f"unknown priority {event.priority!r}; policy {self.policy.name!r} has tiers "
                f"{sorted(self.policy.tiers)}"
            )
        if event.status is not None and event.status not in self.policy.statuses:
            raise refuse(
                f"unknown status {event.status!r}; policy {self.policy.name!r} knows "
                f"{sorted(self.policy.statuses)}"
            )

    def _apply(self, event: TicketEvent) -> Evaluation:
        at = event.at
        kind = event.kind
        events = (*self.events, event)
        last_us = to_us(at)
        if kind == "logged":
            assert event.priority is not None
            trackers = tuple(
                self._new_tracker(metric, event.priority, at)
                for metric in self.policy.metrics_of(event.priority)
            )
            return Evaluation(self.policy, events, event.priority, None, False, trackers, last_us)
        if kind == "priority_changed":
            moved = Evaluation(
                self.policy,
                events,
                self.priority,
                self.status,
                self.resolved,
                self.trackers,
                last_us,
            )
            return moved._reprioritize(event)
        pausing = self.policy.pause_when
        trackers = tuple(self._advance(tracker, event, pausing) for tracker in self.trackers)
        status, resolved = self.status, self.resolved
        if kind == "status":
            status = event.status
        elif kind == "resolved":
            resolved = True
        elif kind == "reopened":
            resolved, status = False, None
        return Evaluation(self.policy, events, self.priority, status, resolved, trackers, last_us)

    def _new_tracker(self, metric: str, priority: str, at: dt.datetime) -> _Tracker:
        spec = self.policy.tiers[priority][metric]
        tracker = _Tracker(metric, spec, self.policy.calendars[spec.calendar])
        # A cycle metric other than periodic_update opens its first cycle on a customer message.
        return tracker if metric == "next_update" else tracker.start_run(at)

    def _advance(self, tracker: _Tracker, event: TicketEvent, pausing: frozenset[str]) -> _Tracker:
        at, kind, metric = event.at, event.kind, tracker.metric
        reply = kind == "agent_reply" and event.public
        if kind == "resolved":
            if metric == "resolution":
                return dataclasses.replace(tracker.act("pause", at, "resolved"), resolved=True)
            return tracker.act("stop", at)
        if metric == "first_response":
            return tracker.act("stop", at) if reply else tracker
        if metric == "resolution":
            if kind == "status":
                if event.status in pausing:
                    return tracker.act("pause", at, f"status {event.status}")
                return tracker.act("resume", at)
            if kind == "reopened":
                resumed = dataclasses.replace(tracker, resolved=False)
                if self.status in pausing:
                    return resumed
                return resumed.act("resume", at)
            return tracker
        if metric == "next_update":
            if kind == "customer_reply" and tracker.open_run is None:
                return tracker.start_run(at)
            return tracker.act("stop", at) if reply else tracker
        # periodic_update: each public reply closes the cycle and opens the next.
        if reply or kind == "reopened":
            return tracker.act("stop", at).start_run(at)
        return tracker

    def _reprioritize(self, event: TicketEvent) -> Evaluation:
        assert event.priority is not None
        if event.priority == self.priority:
            return self
        at = event.at
        old = {tracker.metric: tracker for tracker in self.trackers}
        trackers = []
        for metric in self.policy.metrics_of(event.priority):
            spec = self.policy.tiers[event.priority][metric]
            calendar = self.policy.calendars[spec.calendar]
            tracker = old.get(metric)
            if tracker is None:
                trackers.append(self._replayed(metric, event.priority))
                continue
            # A finished run (a first response given, an update cycle closed) keeps the
            # judgement it had; what is still counting is re-judged on the new tier.
            runs = tuple(
                run
                if run.finished
                else run.retarget(
                    spec.target,
                    _target_us(spec.target, calendar, run.segments[0].clock.started_at),
                    calendar,
                    spec.calendar,
                    at,
                )
                for run in tracker.runs
            )
            trackers.append(dataclasses.replace(tracker, spec=spec, calendar=calendar, runs=runs))
        return dataclasses.replace(self, priority=event.priority, trackers=tuple(trackers))

    def _replayed(self, metric: str, priority: str) -> _Tracker:
        """Return a metric the old tier did not have, counted from logging on the new tier."""
        tracker = self._new_tracker(metric, priority, self.events[0].at)
        status: str | None = None
        pausing = self.policy.pause_when
        for event in self.events[1:-1]:
            if event.kind == "priority_changed":
                continue
            shadow = dataclasses.replace(self, status=status)
            tracker = shadow._advance(tracker, event, pausing)
            if event.kind == "status":
                status = event.status
            elif event.kind == "reopened":
                status = None
        return tracker

    # -- reporting ------------------------------------------------------------

    def report(self, now: dt.datetime | None = None) -> Report:
        """Return where every metric of the ticket's tier stands at ``now`` (default: the clock).

        ``now`` must not be before the last event fed.
        """
        if not self.events or self.priority is None:
            raise EventError("no events yet: the first event must be 'logged'")
        if now is None:
            now = dt.datetime.now(dt.timezone.utc)
        if to_us(now, "now") < to_us(self.events[-1].at):
            raise EventError(
                f"now {now.isoformat()} is before the last event "
                f"({self.events[-1].describe()}); a report cannot look back past its events"
            )
        warn_at = self.policy.warn_at
        metrics = {
            tracker.metric: _metric_report(tracker, now, warn_at) for tracker in self.trackers
        }
        return Report(self.policy.name, self.priority, now, metrics)


def _run_status(run: _Run, now: dt.datetime, warn_at: float) -> tuple[Status, int]:
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


def _metric_report(tracker: _Tracker, now: dt.datetime, warn_at: float) -> MetricReport:
    spec = tracker.spec
    cycles = []
    worst: Status | None = None
    first_breach: dt.datetime | None = None
    for run in tracker.runs:
        status, elapsed = _run_status(run, now, warn_at)
        if tracker.resolved and status is Status.PAUSED:
            status = Status.MET
        breached = run.breached_at(now)
        if breached is not None and (first_breach is None or _before(breached, first_breach)):
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
    story = (tracker, now)
    if not cycles:
        target = spec.target
        target_us = 0 if isinstance(target, BusinessDays) else _us(target.amount)
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
    if tracker.metric in _CYCLIC and tracker.open_run is None and status is not Status.BREACHED:
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
        cycles=tuple(cycles) if tracker.metric in _CYCLIC else (),
        _story=story,
    )


def _intervals(metric: str, run: _Run, now: dt.datetime) -> list[Interval]:
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
                if paused_since is not None and _before(paused_since, at):
                    found.append(Interval(metric, paused_since, at, "paused", paused_reason))
                paused_since = None
                running_since = at
            else:
                if running_since is not None:
                    found.extend(_open_and_closed(metric, calendar, segment, running_since, at))
                running_since = None
                if action == "pause":
                    paused_since, paused_reason = at, next(reasons, "paused")
        if running_since is not None and _before(running_since, now):
            found.extend(_open_and_closed(metric, calendar, segment, running_since, now))
        if (
            paused_since is not None
            and clock.state is ClockState.PAUSED
            and _before(paused_since, now)
        ):
            found.append(Interval(metric, paused_since, now, "paused", paused_reason))
    return found


def _open_and_closed(
    metric: str, calendar: Calendar, segment: _Segment, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    found: list[Interval] = []
    cursor = start
    name = segment.calendar_name
    for period in calendar.periods(start, end):
        if _before(cursor, period.start):
            found.append(Interval(metric, cursor, period.start, "closed", f"outside {name} hours"))
        found.append(Interval(metric, period.start, period.end, "counted", f"{name} open"))
        cursor = period.end
    if _before(cursor, end):
        found.append(Interval(metric, cursor, end, "closed", f"outside {name} hours"))
    return found
