"""Evaluating a ticket against an SLA policy: per metric, met / breached / running, and why.

An ``Evaluation`` is an immutable state. Feed it a ticket's events one at
a time (``Evaluation.feed``) and ask for a ``Report`` at any moment;
``Policy.evaluate`` does exactly that for a whole history,
so streaming and all-at-once evaluation agree by construction.

Each metric is counted by ``Clock`` values on the metric's
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
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from slaclock.engine._time import to_us
from slaclock.engine.calendar import Calendar
from slaclock.errors import EventError
from slaclock.sla._tracking import Tracker, metric_report, target_us
from slaclock.sla.events import TicketEvent
from slaclock.sla.results import Report
from slaclock.sla.targets import MetricSpec

__all__ = ["METRICS", "Evaluation", "Rules"]

#: The metrics a policy tier may set targets for, in report order.
METRICS: tuple[str, ...] = ("first_response", "next_update", "resolution", "periodic_update")


class Rules(Protocol):
    """What an evaluation reads of a policy (``Policy`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def tiers(self) -> Mapping[str, Mapping[str, MetricSpec]]: ...
    @property
    def calendars(self) -> Mapping[str, Calendar]: ...
    @property
    def pause_when(self) -> frozenset[str]: ...
    @property
    def warn_at(self) -> float: ...
    @property
    def statuses(self) -> frozenset[str]: ...
    def metrics_of(self, priority: str) -> tuple[str, ...]: ...


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """A ticket's SLA state after the events fed so far: immutable, one event at a time.

    >>> from slaclock import Policy
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

    policy: Rules
    events: tuple[TicketEvent, ...] = ()
    priority: str | None = None
    status: str | None = None
    resolved: bool = False
    trackers: tuple[Tracker, ...] = ()
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

    def _new_tracker(self, metric: str, priority: str, at: dt.datetime) -> Tracker:
        spec = self.policy.tiers[priority][metric]
        tracker = Tracker(metric, spec, self.policy.calendars[spec.calendar])
        # A cycle metric other than periodic_update opens its first cycle on a customer message.
        return tracker if metric == "next_update" else tracker.start_run(at)

    def _advance(self, tracker: Tracker, event: TicketEvent, pausing: frozenset[str]) -> Tracker:
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
                    target_us(spec.target, calendar, run.segments[0].clock.started_at),
                    calendar,
                    spec.calendar,
                    at,
                )
                for run in tracker.runs
            )
            trackers.append(dataclasses.replace(tracker, spec=spec, calendar=calendar, runs=runs))
        return dataclasses.replace(self, priority=event.priority, trackers=tuple(trackers))

    def _replayed(self, metric: str, priority: str) -> Tracker:
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
            tracker.metric: metric_report(tracker, now, warn_at) for tracker in self.trackers
        }
        return Report(self.policy.name, self.priority, now, metrics)
