"""Evaluating a ticket against an SLA policy: per metric, met / breached / running, and why.

An ``Evaluation`` is an immutable state. Feed it a ticket's events one at
a time (``Evaluation.feed``) and ask for a ``Report`` at any moment;
``Policy.evaluate`` does exactly that for a whole history,
so streaming and all-at-once evaluation agree by construction.

The evaluation routes each event to one small object per metric
(``_tracking.Tracker``); ``docs/semantics.md`` ("Policy rules") is the contract:

- ``first_response``: from logging to the first public agent reply; a resolution
  without one ends it and a reopen resumes it.
- ``next_update``: from each customer message after the first public reply (when
  no cycle is open) to the next public agent reply; every cycle is judged.
- ``resolution``: from logging to resolution, paused while the ticket's status
  is one of the policy's ``pause_when``.
- ``periodic_update``: from logging, and from each public agent reply, to the
  next public agent reply while the ticket is open; every cycle is judged.

Resolving a ticket ends every metric's open run; a ``reopened`` event resumes
each of them (paused if the reopen's status pauses). Events after a resolution
other than ``reopened`` are accepted and change no metric (a priority change
then takes effect at the reopen). Events at one instant apply in a canonical
order (``canonical_rank``). A priority change closes each open run's tier
segment and opens one under the new tier (``retroactive`` or ``from_change``);
a metric the new tier lacks is cancelled, keeping any breach.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import weakref
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple, Protocol

from slaclock.engine._time import to_us
from slaclock.engine.calendar import Calendar
from slaclock.errors import EventError, PolicyError
from slaclock.sla._tracking import (
    MutableTracker,
    Rule,
    Run,
    Segment,
    Tracker,
    metric_report,
    reaching,
)
from slaclock.sla.conditions import PRESETS, MetricDefinition, status_pauses
from slaclock.sla.events import TicketEvent
from slaclock.sla.results import Escalation, Report, built
from slaclock.sla.targets import MetricSpec

__all__ = ["METRICS", "Evaluation", "Rules", "canonical_order"]

#: The built-in metrics (``conditions.PRESETS``), in report order.
METRICS: tuple[str, ...] = tuple(PRESETS)


class Rules(Protocol):
    """What an evaluation reads of a policy (``Policy`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str | None: ...
    @property
    def tiers(self) -> Mapping[str, Mapping[str, MetricSpec]]: ...
    @property
    def calendars(self) -> Mapping[str, Calendar]: ...
    @property
    def pause_when(self) -> frozenset[str]: ...
    @property
    def warn_at(self) -> float: ...
    @property
    def escalation_levels(self) -> tuple[float, ...]: ...
    @property
    def statuses(self) -> frozenset[str]: ...
    @property
    def priority_change(self) -> str: ...
    @property
    def definitions(self) -> Mapping[str, MetricDefinition]: ...
    def metrics_of(self, priority: str) -> tuple[str, ...]: ...


def canonical_order(events: Iterable[TicketEvent], resolved: bool) -> list[TicketEvent]:
    """Return events that share one instant in the order they apply.

    ``resolved`` says whether the ticket was resolved before that instant. Each
    ``reopened`` starts an episode; within an episode, priority changes, status
    changes and replies come first (as given), then ``resolved``. If the ticket
    was resolved, its first reopen comes before the events given ahead of it
    (a customer message that reopens a ticket is a message on the open ticket).

    >>> from slaclock import TicketEvent
    >>> import datetime as dt
    >>> t = dt.datetime(2026, 11, 23, 9, tzinfo=dt.timezone.utc)
    >>> order = canonical_order([TicketEvent(t, "resolved"), TicketEvent(t, "agent_reply")], False)
    >>> " then ".join(event.kind for event in order)
    'agent_reply then resolved'
    """
    episodes: list[list[TicketEvent]] = [[]]
    for event in events:
        if event.kind == "reopened":
            episodes.append([event])
        else:
            episodes[-1].append(event)
    first = episodes[0]
    if resolved and len(episodes) > 1 and all(event.kind != "resolved" for event in first):
        reopen, *rest = episodes[1]
        episodes[:2] = [[reopen, *first, *rest]]
    return [
        event
        for episode in episodes
        for event in sorted(episode, key=lambda event: event.kind == "resolved")
    ]


class _Instant(NamedTuple):
    """The events fed at the last instant (newest first) and the state before them."""

    base: _Ticket | None
    events: _EventLink | None = None
    #: Whether a reopen is among them, and whether a resolution is in the last episode.
    reopened: bool = False
    resolved: bool = False

    def appends(self, event: TicketEvent) -> bool:
        """Return whether ``event`` applies last among this instant's events (no reordering)."""
        if event.kind == "reopened":
            resolved_before = self.base is not None and self.base.resolved
            return self.reopened or self.resolved or not resolved_before
        return event.kind == "resolved" or not self.resolved

    @classmethod
    def first(cls, base: _Ticket | None, event: TicketEvent) -> _Instant:
        """Return the instant of ``event``, the first event fed at it (``_Instant(base).plus``)."""
        kind = event.kind
        return cls(base, _EventLink(event, None), kind == "reopened", kind == "resolved")

    def plus(self, event: TicketEvent) -> _Instant:
        """Return the instant with ``event`` fed too."""
        kind = event.kind
        reopened = self.reopened or kind == "reopened"
        resolved = kind == "resolved" or (self.resolved and kind != "reopened")
        return _Instant(self.base, _EventLink(event, self.events), reopened, resolved)


class _EventLink(NamedTuple):
    """An event and the events before it (a cons cell, newest first)."""

    event: TicketEvent
    previous: _EventLink | None

    def oldest_first(self) -> list[TicketEvent]:
        found = []
        link: _EventLink | None = self
        while link is not None:
            found.append(link.event)
            link = link.previous
        found.reverse()
        return found


class _Ticket(NamedTuple):
    """The ticket's facts and its metrics after some events (in canonical order)."""

    priority: str
    status: str
    resolved: bool
    #: Whether a public agent reply has been given (update cycles start only after one).
    replied: bool
    trackers: tuple[Tracker, ...]
    #: The events applied, newest first: a metric a new tier adds is replayed from them.
    log: _EventLink
    last_us: int
    #: A priority asked for while resolved: it applies at the reopen.
    pending: str | None = None


class _Desk:
    """A ticket being moved through events: a ``_Ticket``'s facts, changed in place.

    Every ticket-level step (``Evaluation._apply_to`` and the steps it takes) works
    on one of these. A whole ticket keeps one from event to event (``feed_all``);
    a streamed event thaws the ``_Ticket`` it was fed to and freezes the one after.
    """

    __slots__ = (
        "last_us",
        "log",
        "pending",
        "priority",
        "replied",
        "resolved",
        "status",
        "trackers",
    )

    def __init__(  # noqa: PLR0917 - a _Ticket's fields, in its order
        self,
        priority: str,
        status: str,
        resolved: bool,
        replied: bool,
        trackers: list[MutableTracker],
        log: _EventLink,
        last_us: int,
        pending: str | None,
    ) -> None:
        self.priority = priority
        self.status = status
        self.resolved = resolved
        self.replied = replied
        self.trackers = trackers
        self.log = log
        self.last_us = last_us
        self.pending = pending

    @classmethod
    def thaw(cls, ticket: _Ticket) -> _Desk:
        """Return ``ticket`` to change in place (``ticket`` itself is left as it is)."""
        thaw = MutableTracker.thaw
        return cls(
            ticket.priority,
            ticket.status,
            ticket.resolved,
            ticket.replied,
            [thaw(tracker) for tracker in ticket.trackers],
            ticket.log,
            ticket.last_us,
            ticket.pending,
        )

    def freeze(self) -> _Ticket:
        """Return the immutable record of the ticket as it stands."""
        return _Ticket(
            self.priority,
            self.status,
            self.resolved,
            self.replied,
            tuple([tracker.freeze() for tracker in self.trackers]),
            self.log,
            self.last_us,
            self.pending,
        )


def _rules(policy: Rules) -> dict[tuple[str, str], Rule]:
    """Return the ``Rule`` of every tier and metric of ``policy``."""
    for tier, metrics in policy.tiers.items():
        for metric, spec in metrics.items():
            if spec.choice is not None:
                raise PolicyError(
                    f"policy {policy.name!r}: tier {tier}'s {metric} counts on a calendar a "
                    f"ticket field chooses ({spec.calendar}); evaluate with the ticket's "
                    "fields: policy.select(ticket), or policy.evaluation(fields=...)"
                )
    return {
        (tier, metric): Rule(
            tier,
            spec.target,
            spec.calendar,
            policy.calendars[spec.calendar],
            spec.priority_change or policy.priority_change,
        )
        for tier, metrics in policy.tiers.items()
        for metric, spec in metrics.items()
    }


@dataclasses.dataclass(frozen=True, slots=True)
class _Book:
    """What an evaluation looks up in its policy, built once per policy."""

    rules: dict[tuple[str, str], Rule]
    #: Trackers are immutable values: one fresh tracker per tier and metric serves every ticket.
    fresh: dict[tuple[str, str], Tracker]
    #: Each metric's place in a report.
    order: dict[str, int]


#: Books by policy, dropped with the policy.
_BOOKS: weakref.WeakKeyDictionary[Any, _Book] = weakref.WeakKeyDictionary()


#: The last policy asked for (weakly) and its book: a batch asks for one policy's book
#: per ticket, and this costs less than a look-up in ``_BOOKS``.
_LAST: tuple[weakref.ref[Any], _Book] | None = None


def _book_of(policy: Rules) -> _Book:
    """Return the rules, fresh trackers and report order of ``policy`` (cached while it lives)."""
    global _LAST  # noqa: PLW0603 - a one-entry cache in front of _BOOKS
    last = _LAST
    if last is not None and last[0]() is policy:
        return last[1]
    try:
        book = _BOOKS[policy]
    except (KeyError, TypeError):
        pass
    else:
        _LAST = (weakref.ref(policy), book)
        return book
    rules = _rules(policy)
    definitions = policy.definitions

    def pauses(metric: str) -> frozenset[str]:
        # The policy's pause statuses, unless the metric names its own.
        own = definitions[metric].pause_when
        return policy.pause_when if own is None else status_pauses(own)

    fresh = {
        key: Tracker.fresh(key[1], rule, definitions[key[1]], pauses(key[1]))
        for key, rule in rules.items()
    }
    book = _Book(rules, fresh, {metric: index for index, metric in enumerate(definitions)})
    # A Rules object that cannot be weakly referenced gets a book per ticket.
    with contextlib.suppress(TypeError):
        _BOOKS[policy] = book
    return book


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
    _ticket: _Ticket | None = dataclasses.field(default=None, repr=False)
    #: The last instant's events and the state before them: an event that belongs
    #: earlier among them (``canonical_order``) applies them again, in order.
    _instant: _Instant | None = dataclasses.field(default=None, repr=False)
    _events: _EventLink | None = dataclasses.field(default=None, repr=False)
    _count: int = dataclasses.field(default=0, repr=False)

    @classmethod
    def empty(cls, policy: Rules) -> Evaluation:
        """Return ``Evaluation(policy)``, no event fed yet, with the policy's book at hand.

        Built without the dataclass's ``__init__`` (what ``Policy.evaluate`` asks
        for each ticket): the same value, at a fraction of the cost.
        """
        state = object.__new__(cls)
        state.__dict__.update(
            {
                "policy": policy,
                "_ticket": None,
                "_instant": None,
                "_events": None,
                "_count": 0,
                "_book": _book_of(policy),
            }
        )
        return state

    # -- the ticket's facts ----------------------------------------------------

    @functools.cached_property
    def events(self) -> tuple[TicketEvent, ...]:
        """Return the events fed so far, in the order they were fed."""
        return () if self._events is None else tuple(self._events.oldest_first())

    @property
    def priority(self) -> str | None:
        """Return the tier the metrics are judged under (None before ``logged``)."""
        return None if self._ticket is None else self._ticket.priority

    @property
    def status(self) -> str | None:
        """Return the ticket's status (``new`` when logged, ``open`` after a reopen)."""
        return None if self._ticket is None else self._ticket.status

    @property
    def resolved(self) -> bool:
        """Return whether the ticket is resolved."""
        return self._ticket is not None and self._ticket.resolved

    @property
    def last_us(self) -> int:
        """Return the last event's instant in µs since the epoch (0 before any)."""
        return 0 if self._ticket is None else self._ticket.last_us

    @property
    def last_at(self) -> dt.datetime | None:
        """Return the instant of the last event fed, if any."""
        return None if self._events is None else self._events.event.at

    # -- feeding -----------------------------------------------------------------

    def feed(self, event: TicketEvent | Mapping[str, Any]) -> Evaluation:
        """Return the state after ``event``; raise EventError (state unchanged) if it cannot be."""
        if not isinstance(event, TicketEvent):
            # Numbered from 0, like a JSON path into the ticket's "events" list.
            event = TicketEvent.from_dict(event, f"events[{self._count}]")
        previous = None if self._events is None else self._events.event
        ticket, instant = self._step(self._ticket, self._instant, previous, event, self._count)
        return self._after(ticket, instant, _EventLink(event, self._events), self._count + 1)

    def feed_all(self, events: Iterable[TicketEvent | Mapping[str, Any]]) -> Evaluation:
        """Return the state after every event in ``events``, in order.

        The same steps as ``feed`` one event at a time, without building the states between.
        """
        ticket, instant, log, count = self._run(events, keep_instant=True)
        if log is None or count == self._count:
            return self
        assert ticket is not None
        assert instant is not None
        return self._after(ticket, instant, log, count)

    def _run(
        self, events: Iterable[TicketEvent | Mapping[str, Any]], *, keep_instant: bool
    ) -> tuple[_Ticket | None, _Instant | None, _EventLink | None, int]:
        """Return the ticket, its last instant, the log and the count after ``events``.

        The whole-ticket path (``feed_all``, ``Policy.evaluate``, the CLI). While each
        event comes at a later instant than the one before and the next one, it is
        applied in place to one ``_Desk``; an event that shares its instant with
        another goes through ``_step``, as streamed, which records the instant so the
        events at it apply in canonical order. ``keep_instant=False`` (a report is
        all that is wanted) leaves the last instant's record unmade (None) and the
        log holds the last event alone.
        """
        ticket, instant, log, count = self._ticket, self._instant, self._events, self._count
        previous = None if log is None else log.event
        desk: _Desk | None = None
        step, check, apply_to = self._step, self._check, self._apply_to
        tiers, statuses = self.policy.tiers, self.policy.statuses
        read, problem = _read(events, count)
        last = len(read) - 1
        for index, (event, t) in enumerate(read):
            # Is the next event at this instant? (The last: only a state kept may get more.)
            crowded = read[index + 1][1] == t if index < last else keep_instant and problem is None
            if desk is not None and not crowded:
                if (
                    t < desk.last_us
                    or event.kind == "logged"
                    or (event.priority is not None and event.priority not in tiers)
                    or (event.status is not None and event.status not in statuses)
                ):
                    check(desk.last_us, previous, event, t, count)  # says why it cannot come
                apply_to(desk, event, t, count)
            elif not crowded and (ticket is None or t > ticket.last_us):
                check(None if ticket is None else ticket.last_us, previous, event, t, count)
                if ticket is None:
                    desk = self._logged(event, t)
                else:
                    desk = _Desk.thaw(ticket)
                    apply_to(desk, event, t, count)
            else:
                if desk is not None:
                    ticket, desk = desk.freeze(), None
                ticket, instant = step(ticket, instant, previous, event, count)
            if keep_instant:
                log = _EventLink(event, log)
            previous = event
            count += 1
        if problem is not None:
            raise problem
        if desk is not None:
            ticket, instant = desk.freeze(), None
        if not keep_instant and previous is not None:
            log = _EventLink(previous, None)
        return ticket, instant, log, count

    def _after(
        self, ticket: _Ticket | None, instant: _Instant | None, log: _EventLink, count: int
    ) -> Evaluation:
        """Return the state of this policy with the given parts (its book handed on)."""
        state = Evaluation(self.policy, ticket, instant, log, count)
        state.__dict__["_book"] = self._book
        return state

    def _step(
        self,
        ticket: _Ticket | None,
        instant: _Instant | None,
        previous: TicketEvent | None,
        event: TicketEvent,
        count: int,
    ) -> tuple[_Ticket, _Instant]:
        """Return the ticket and its last instant after ``event``, the ``count``-th fed.

        ``previous`` is the event fed before it (None before any).
        """
        t = to_us(event.at)
        self._check(None if ticket is None else ticket.last_us, previous, event, t, count)
        if ticket is None or t > ticket.last_us:
            return self._apply(ticket, event, t, count), _Instant.first(ticket, event)
        assert instant is not None  # a logged ticket always has its last instant
        appends = instant.appends(event)
        instant = instant.plus(event)
        if appends:
            return self._apply(ticket, event, t, count), instant
        # It belongs earlier among this instant's events: apply them again, in order.
        assert instant.events is not None
        base = instant.base
        resolved = base is not None and base.resolved
        for item in canonical_order(instant.events.oldest_first(), resolved):
            base = self._apply(base, item, t, count)
        assert base is not None
        return base, instant

    def _check(
        self,
        last_us: int | None,
        previous: TicketEvent | None,
        event: TicketEvent,
        t: int,
        count: int,
    ) -> None:
        """Raise EventError if ``event`` at ``t``, the ``count``-th fed, cannot come next.

        ``last_us`` is the instant of the last event applied (None before any), and
        ``previous`` the last event fed.
        """
        if last_us is None:
            if event.kind != "logged":
                raise _refused(event, count, "the first event must be 'logged'")
        else:
            if event.kind == "logged":
                raise _refused(event, count, "the ticket was already logged")
            if t < last_us:
                assert previous is not None
                raise _refused(
                    event,
                    count,
                    f"it is earlier than the previous event ({previous.describe()}); "
                    "events must come in time order",
                )
        policy = self.policy
        if event.priority is not None and event.priority not in policy.tiers:
            raise _refused(
                event,
                count,
                f"unknown priority {event.priority!r}; policy {policy.name!r} has tiers "
                f"{sorted(policy.tiers)}",
            )
        if event.status is not None and event.status not in policy.statuses:
            raise _refused(
                event,
                count,
                f"unknown status {event.status!r}; policy {policy.name!r} knows "
                f"{sorted(policy.statuses)}",
            )

    # -- applying one event --------------------------------------------------------

    @functools.cached_property
    def _book(self) -> _Book:
        # Handed on to every later state (see feed); built once per policy (_book_of).
        return _book_of(self.policy)

    def _rule(self, tier: str, metric: str) -> Rule:
        return self._book.rules[tier, metric]

    def _apply(self, ticket: _Ticket | None, event: TicketEvent, t: int, count: int) -> _Ticket:
        """Return the ticket after ``event`` at ``t`` (µs)."""
        if ticket is None:
            return self._logged(event, t).freeze()
        desk = _Desk.thaw(ticket)
        self._apply_to(desk, event, t, count)
        return desk.freeze()

    def _logged(self, event: TicketEvent, t: int) -> _Desk:
        """Return the ticket ``event`` (a ``logged`` one) opens at ``t``."""
        priority = event.priority
        assert priority is not None  # a logged event; checked by _check
        thaw = MutableTracker.thaw
        trackers = [
            thaw(self._tracker(metric, priority)) for metric in self.policy.metrics_of(priority)
        ]
        for tracker in trackers:
            tracker.on(event, t, "new")
        return _Desk(priority, "new", False, False, trackers, _EventLink(event, None), t, None)

    def _apply_to(self, desk: _Desk, event: TicketEvent, t: int, count: int) -> None:
        """Apply ``event`` at ``t`` (µs), the ``count``-th fed, to the logged ticket ``desk``."""
        kind = event.kind
        if kind == "reopened" and not desk.resolved:
            raise _refused(event, count, "the ticket is not resolved")
        desk.log = tuple.__new__(_EventLink, (event, desk.log))  # _EventLink(...), at half the cost
        desk.last_us = t
        if kind == "reopened":
            self._reopen(desk, event, t)
        elif desk.resolved:
            # Accepted, and no metric changes until a reopen; a new priority waits for it.
            if kind == "priority_changed":
                desk.pending = event.priority
        else:
            if kind == "priority_changed":
                assert event.priority is not None
                self._reprioritize(desk, event.priority, t)
            self._route(desk, event, t)

    def _reopen(self, desk: _Desk, event: TicketEvent, t: int) -> None:
        """Reopen the resolved ``desk`` by ``event`` at ``t``, in the event's status."""
        status = event.status or "open"
        for tracker in desk.trackers:
            tracker.reopened(t, event, status)
        desk.status = status
        desk.resolved = False
        pending, desk.pending = desk.pending, None
        if pending is not None:
            self._reprioritize(desk, pending, t)

    def _route(self, desk: _Desk, event: TicketEvent, t: int) -> None:
        """Apply an event other than a reopen to the open ticket: each metric reads it."""
        kind = event.kind
        if kind == "resolved":
            for tracker in desk.trackers:
                tracker.resolved(t, event)
            desk.resolved = True
            return
        if kind == "status":
            assert event.status is not None
            desk.status = event.status
        elif kind == "agent_reply" and event.public:
            desk.replied = True
        status = desk.status
        for tracker in desk.trackers:
            # What ``on`` does first, here: most metrics read few kinds of event.
            if kind in tracker.definition.plans or (kind == "status" and tracker.pauses):
                tracker.on(event, t, status)

    def _tracker(self, metric: str, tier: str, previous: Tracker | None = None) -> Tracker:
        fresh = self._book.fresh[tier, metric]
        if previous is None:
            return fresh
        return Tracker.fresh(metric, fresh.rule, fresh.definition, fresh.pauses, previous)

    def _reprioritize(self, desk: _Desk, priority: str, t: int) -> None:
        """Judge ``desk`` under tier ``priority`` from ``t``."""
        if priority == desk.priority:
            return
        wanted = self.policy.metrics_of(priority)
        trackers: list[MutableTracker] = []
        for tracker in desk.trackers:
            if tracker.metric not in wanted:
                # A metric the new tier lacks ends here, keeping its verdict so far.
                tracker.cancel(t)
                trackers.append(tracker)
            elif tracker.cancelled:
                trackers.append(self._added(desk, tracker.metric, priority, t, tracker.freeze()))
            else:
                tracker.retier(self._rule(priority, tracker.metric), t)
                trackers.append(tracker)
        have = {tracker.metric for tracker in desk.trackers}
        for metric in wanted:
            if metric not in have:
                trackers.append(self._added(desk, metric, priority, t, None))
        order = self._book.order
        trackers.sort(key=lambda tracker: order[tracker.metric])
        desk.priority = priority
        desk.trackers = trackers

    def _added(
        self, desk: _Desk, metric: str, priority: str, t: int, previous: Tracker | None
    ) -> MutableTracker:
        """Return a metric the new tier adds, replayed from the ticket's events before ``t``."""
        rule = self._rule(priority, metric)
        logged, *later = desk.log.oldest_first()
        start = to_us(logged.at)
        replayed = MutableTracker.thaw(self._tracker(metric, priority, previous))
        replayed.on(logged, start, "new")
        assert logged.priority is not None
        shadow = _Desk(
            logged.priority, "new", False, False, [replayed], _EventLink(logged, None), start, None
        )
        for event in later:
            at = to_us(event.at)
            if event.kind == "reopened":
                if shadow.resolved:
                    self._reopen(shadow, event, at)
            elif not shadow.resolved:
                self._route(shadow, event, at)
        if rule.priority_change == "retroactive":
            # Counted since logging, but no target is reached before its rule applied.
            replayed.with_runs([_applied_from(run, t) for run in replayed.runs()])
        else:
            # From the change: only what is still open then is judged, and from then on.
            run = replayed.open
            replayed.with_runs([] if run is None else [_from_change(run, t)])
        return replayed

    # -- reporting ------------------------------------------------------------

    def report(self, now: dt.datetime | None = None) -> Report:
        """Return where every metric of the ticket's tier stands at ``now`` (default: the clock).

        ``now`` must not be before the last event fed. Metrics an earlier tier had
        and the current one lacks are reported too (``cancelled``, or ``breached``).
        """
        return self._report(self._ticket, self._events, now)

    def report_after(
        self, events: Iterable[TicketEvent | Mapping[str, Any]], now: dt.datetime | None = None
    ) -> Report:
        """Return ``feed_all(events).report(now)``, without building the state after the events.

        What ``Policy.evaluate`` asks for a ticket's whole history.
        """
        ticket, _, log, _ = self._run(events, keep_instant=False)
        return self._report(ticket, log, now)

    def _report(
        self, ticket: _Ticket | None, log: _EventLink | None, now: dt.datetime | None
    ) -> Report:
        """Return the report of ``ticket``, whose events are ``log``, at ``now``."""
        if ticket is None:
            raise EventError("no events yet: the first event must be 'logged'")
        if now is None:
            now = dt.datetime.now(dt.timezone.utc)
        now_us = to_us(now, "now")
        if now_us < ticket.last_us:
            assert log is not None
            raise EventError(
                f"now {now.isoformat()} is before the last event "
                f"({log.event.describe()}); a report cannot look back past its events"
            )
        warn_at = self.policy.warn_at
        levels = self.policy.escalation_levels
        metrics = {
            tracker.metric: metric_report(tracker, now_us, warn_at, levels)
            for tracker in ticket.trackers
        }
        policy = self.policy
        return built(
            Report,
            {
                "policy": policy.name,
                "priority": ticket.priority,
                "now": now,
                "metrics": metrics,
                "policy_version": policy.version,
            },
        )

    def next_escalation(self, now: dt.datetime | None = None) -> Escalation | None:
        """Return the earliest escalation level or breach any running metric reaches after ``now``.

        What a scheduler sets its next timer for: until then, with no new event, no
        metric reaches a new level. None when nothing is counting towards one.
        See ``Report.next_escalation``.

        >>> from slaclock import Policy
        >>> policy = Policy.from_dict({"name": "Desk", "warn_at": [0.5, 0.9], "tiers": {
        ...     "P3": {"resolution": {"target": "4h", "calendar": "always"}}}})
        >>> state = policy.evaluation().feed({"at": "2026-11-23T09:00Z", "type": "logged",
        ...                                    "priority": "P3"})
        >>> level = state.next_escalation(dt.datetime(2026, 11, 23, 11, 30, tzinfo=dt.timezone.utc))
        >>> level.metric, level.label, level.at.isoformat()
        ('resolution', '90%', '2026-11-23T12:36:00+00:00')
        """
        return self.report(now).next_escalation

    def _reaching(
        self, now: int, end: int, rooms: dict[int, int]
    ) -> Iterator[tuple[int, str, float, int, Segment]]:
        """Yield ``(instant, metric, level, left, segment)`` per level reached in ``(now, end]``.

        Instants in µs since the epoch; ``now`` is not before the last event fed.
        Read from each metric's clock state, without building a report
        (``Policy.upcoming`` asks this of every open ticket). ``rooms`` is shared
        by the tickets of one query (see ``_tracking.reaching``).
        """
        ticket = self._ticket
        if ticket is None or ticket.resolved:
            return
        levels = self.policy.escalation_levels
        for tracker in ticket.trackers:
            for when, level, left, segment in reaching(tracker, now, end, levels, rooms):
                yield when, tracker.metric, level, left, segment


#: Where the first events of a ticket are (``events[0]``...), written once, not per event.
_PLACES: tuple[str, ...] = tuple(f"events[{count}]" for count in range(256))


def _read(
    events: Iterable[TicketEvent | Mapping[str, Any]], count: int
) -> tuple[list[tuple[TicketEvent, int]], Exception | None]:
    """Return each event of ``events`` and its instant in µs (the first numbered ``count``).

    A problem reading one is returned beside the events before it, not raised: the
    steps (``Evaluation._run``) raise it in its turn, after refusing any event before it.
    """
    from_dict = TicketEvent.from_dict
    read: list[tuple[TicketEvent, int]] = []
    try:
        for given in events:
            if isinstance(given, TicketEvent):
                event = given
            else:
                where = _PLACES[count] if count < len(_PLACES) else f"events[{count}]"
                event = from_dict(given, where)
            read.append((event, to_us(event.at)))
            count += 1
    except Exception as exc:  # raised by the steps, in the order fed
        return read, exc
    return read, None


def _refused(event: TicketEvent, count: int, problem: str) -> EventError:
    """Return the error refusing ``event``, the ``count``-th fed (from 0), for ``problem``."""
    return EventError(f"events[{count}] ({event.describe()}): {problem}")


def _applied_from(run: Run, t: int) -> Run:
    """Return a replayed run whose tier applies from ``t`` (its one segment opens then)."""
    return Run(run.started, run.current._replace(opened=max(run.started, t)))


def _from_change(run: Run, t: int) -> Run:
    """Return a replayed open run judged from ``t`` only: the replayed stretch is not judged."""
    return Run(run.started, run.retier(run.current.rule, t).current)
