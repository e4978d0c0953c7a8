"""What a compliance report counts: one outcome per ticket and metric, and rows of them.

An ``Outcome`` is one ticket's judgement on one metric (for a cycle metric, its
worst cycle); a ``ComplianceRow`` counts the outcomes of one group.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from array import array
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from slaclock.engine._time import iso_or_none
from slaclock.errors import SlaclockError
from slaclock.reports._render import (
    human_duration,
    iso_duration,
    seconds,
)
from slaclock.sla.results import MetricReport, Report, Status
from slaclock.sla.targets import Duration, parse_target
from slaclock.sla.tickets import Ticket

#: The statuses of a metric still counting.
OPEN_STATUSES = frozenset({Status.RUNNING, Status.AT_RISK, Status.PAUSED})


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one metric of one ticket stands at the report's ``now``.

    ``result`` is ``met``, ``breached``, ``open`` or ``idle``. ``started_at``,
    ``stopped_at``, ``due`` and ``breached_at`` are those of the judged run
    (for a cycle metric, its worst cycle).
    """

    ticket: str
    customer: str
    tier: str
    metric: str
    status: Status
    target: dt.timedelta
    elapsed: dt.timedelta
    logged_at: dt.datetime
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None
    due: dt.datetime | None
    breached_at: dt.datetime | None
    #: The target as the policy writes it (``3d``, ``4h``), and the calendar it counts on.
    target_text: str = ""
    calendar: str = ""
    #: The policy that judged the ticket and its version, as ``Report`` names them.
    policy: str = ""
    policy_version: str | None = None
    #: The tier the metric first breached under (a breach made at P1 stays a P1 breach
    #: after the ticket is lowered to P3); empty when it did not breach.
    breached_tier: str = ""

    @property
    def target_label(self) -> str:
        """Return the target as written, or as business time when that is unknown."""
        return self.target_text or human_duration(self.target)

    @property
    def result(self) -> str:
        """Return ``met``, ``breached``, ``open`` or ``idle``."""
        if self.status is Status.BREACHED:
            return "breached"
        if self.status is Status.MET:
            return "met"
        if self.status in (Status.IDLE, Status.CANCELLED, Status.MEASURED):
            # Not judged: never started, cancelled, or a total measured without a target.
            return "idle"
        return "open"

    @property
    def overrun(self) -> dt.timedelta:
        """Return the business time used beyond the target (negative when within it)."""
        return self.elapsed - self.target

    def group(self, by: Sequence[str]) -> tuple[str, ...]:
        """Return the values of the fields ``by`` names, in that order."""
        return tuple(str(getattr(self, name)) for name in by)

    def to_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data (ISO 8601 instants and durations)."""
        return {
            "ticket": self.ticket,
            "customer": self.customer,
            "tier": self.tier,
            "metric": self.metric,
            "status": self.status.value,
            "result": self.result,
            "target": iso_duration(self.target),
            "target_seconds": seconds(self.target),
            "target_text": self.target_label,
            "calendar": self.calendar,
            "elapsed": iso_duration(self.elapsed),
            "elapsed_seconds": seconds(self.elapsed),
            "overrun": iso_duration(self.overrun),
            "overrun_seconds": seconds(self.overrun),
            "logged_at": self.logged_at.isoformat(),
            "started_at": iso_or_none(self.started_at),
            "stopped_at": iso_or_none(self.stopped_at),
            "due": iso_or_none(self.due),
            "breached_at": iso_or_none(self.breached_at),
        }


def _outcome(ticket: Ticket, report: Report, metric: MetricReport) -> Outcome:
    target, elapsed, text = metric.target, metric.elapsed, metric.target_text
    started, stopped, due, breached = (
        metric.started_at,
        metric.stopped_at,
        metric.due,
        metric.breached_at,
    )
    if stopped is None and metric.status in (Status.MET, Status.BREACHED):
        # A resolved ticket's resolution clock is paused (a reopen resumes it), not
        # stopped: its end is where the pause for "resolved" began.
        ends = [
            interval.start
            for interval in metric.intervals
            if interval.kind == "paused" and interval.reason == "resolved"
        ]
        if ends:
            stopped = ends[-1]
    if metric.cycles:
        worst = max(metric.cycles, key=lambda cycle: cycle.elapsed - cycle.target)
        target, elapsed, text = worst.target, worst.elapsed, worst.target_text or text
        started, stopped, due, breached = (
            worst.started_at,
            worst.stopped_at,
            worst.due,
            worst.breached_at,
        )
    breached_tier = ""
    if metric.status is Status.BREACHED:
        breached_tier = next(
            (segment.tier for segment in metric.segments if segment.status is Status.BREACHED),
            report.priority,
        )
    return Outcome(
        ticket=ticket.id,
        customer=ticket.customer,
        tier=report.priority,
        metric=metric.metric,
        status=metric.status,
        target=target,
        elapsed=elapsed,
        logged_at=ticket.logged_at,
        started_at=started,
        stopped_at=stopped,
        due=due,
        breached_at=breached,
        target_text=text,
        calendar=metric.calendar,
        policy=report.policy,
        policy_version=report.policy_version,
        breached_tier=breached_tier,
    )


def outcomes(ticket: Ticket, report: Report) -> list[Outcome]:
    """Return one ``Outcome`` per metric of ``report``, the report of ``ticket``."""
    return [_outcome(ticket, report, metric) for metric in report.values()]


def _tightness(text: str) -> tuple[int, Any]:
    """Return a sort key for a target as written: durations by length, then business days."""
    try:
        target = parse_target(text)
    except SlaclockError:
        return (2, text)
    if isinstance(target, Duration):
        return (0, target.amount)
    return (1, target.days)


def _quantile(values: Sequence[int], q: Fraction) -> int:
    """Return the ``q`` quantile of sorted ``values``, interpolated linearly, to the microsecond."""
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    fraction = position - low
    return round(values[low] + (values[high] - values[low]) * fraction)


class Tally:
    """What a compliance row needs of a group, kept small: counts, time used, targets.

    A report over a million tickets keeps one integer per judged metric (for the
    exact median and 90th percentile), not the outcomes themselves. A tally counts
    either outcomes (``add``: one per ticket and metric) or whole tickets
    (``add_ticket``), never both.
    """

    __slots__ = ("counts", "targets", "used")

    def __init__(self) -> None:
        self.counts = {"met": 0, "breached": 0, "open": 0, "idle": 0}
        self.used = array("q")
        self.targets: dict[str, None] = {}

    def add(self, item: Outcome) -> None:
        """Count one outcome, with the business time it used if it was judged."""
        result = item.result
        self.counts[result] += 1
        if result in ("met", "breached"):
            self.used.append(item.elapsed // dt.timedelta(microseconds=1))
        if item.target_text:
            self.targets.setdefault(item.target_text)

    def add_ticket(self, items: Iterable[Outcome]) -> None:
        """Count one ticket given the outcomes of its metrics.

        A ticket is ``breached`` if any metric breached, else ``open`` if any still
        counts, else ``met`` if any was met, else ``idle``. Business time used is
        not pooled across different metrics, so a ticket tally has no quantiles.
        """
        results = {item.result for item in items}
        for result in ("breached", "open", "met", "idle"):
            if result in results:
                self.counts[result] += 1
                return

    def merge(self, other: Tally) -> None:
        """Count what ``other`` counted as well, as if its outcomes came after this tally's."""
        for result, number in other.counts.items():
            self.counts[result] += number
        self.used.extend(other.used)
        for target in other.targets:
            self.targets.setdefault(target)

    def row(self, group: Mapping[str, str]) -> ComplianceRow:
        """Return the row of what was counted so far."""
        used = sorted(self.used)
        median = p90 = None
        if used:
            median = dt.timedelta(microseconds=_quantile(used, Fraction(1, 2)))
            p90 = dt.timedelta(microseconds=_quantile(used, Fraction(9, 10)))
        # Tightest first, so that the row does not depend on the order tickets came in.
        targets = tuple(sorted(self.targets, key=_tightness))
        return ComplianceRow(dict(group), median=median, p90=p90, targets=targets, **self.counts)


@dataclasses.dataclass(frozen=True)
class ComplianceRow:
    """One group's figures: counts, compliance and the business time the judged tickets used."""

    group: Mapping[str, str]
    met: int
    breached: int
    open: int
    idle: int
    median: dt.timedelta | None
    p90: dt.timedelta | None
    #: The targets the group's outcomes had, as written (``("4h",)``); empty for ticket totals.
    targets: tuple[str, ...] = ()

    @property
    def judged(self) -> int:
        """Return the number of tickets judged: met plus breached."""
        return self.met + self.breached

    @property
    def tickets(self) -> int:
        """Return the number of tickets the metric counted for: met, breached or open."""
        return self.met + self.breached + self.open

    @property
    def compliance(self) -> float | None:
        """Return ``100 * met / judged``, or None when no ticket was judged."""
        return 100 * self.met / self.judged if self.judged else None

    @classmethod
    def of(cls, group: Mapping[str, str], items: Iterable[Outcome]) -> ComplianceRow:
        """Return the row for ``items``, the outcomes of one group."""
        tally = Tally()
        for item in items:
            tally.add(item)
        return tally.row(group)

    @classmethod
    def of_tickets(
        cls, group: Mapping[str, str], tickets: Iterable[Sequence[Outcome]]
    ) -> ComplianceRow:
        """Return a row that counts tickets, each given as the outcomes of its metrics."""
        tally = Tally()
        for items in tickets:
            tally.add_ticket(items)
        return tally.row(group)

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready data: group fields first, then the figures."""
        return {
            **self.group,
            "tickets": self.tickets,
            "judged": self.judged,
            "met": self.met,
            "breached": self.breached,
            "open": self.open,
            "idle": self.idle,
            "compliance_percent": self.compliance,
            "median": None if self.median is None else iso_duration(self.median),
            "median_seconds": None if self.median is None else seconds(self.median),
            "p90": None if self.p90 is None else iso_duration(self.p90),
            "p90_seconds": None if self.p90 is None else seconds(self.p90),
            "targets": list(self.targets),
        }
