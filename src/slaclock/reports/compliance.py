"""Compliance reports: for a period, per tier and metric, how many tickets met their SLA.

``ComplianceReport.build`` evaluates every ticket logged in a
``ReportingPeriod`` against a policy, as things stood at
``now``, and counts per group (by default per tier and metric):

- ``met`` and ``breached``: the tickets judged; ``compliance_percent`` is
  ``100 * met / (met + breached)``;
- ``open``: tickets whose metric is still counting (running, at risk, paused)
  and has not breached yet; a running metric past its target is already breached;
- ``idle``: tickets where the metric was not judged: it never started
  (``next_update`` with no customer message) or a priority change to a tier
  without it cancelled it before it breached; they are in no other count;
- the median and 90th percentile of the business time used by the judged
  tickets (linear interpolation between the nearest ranks, as NumPy's default);
- the worst breaches of the whole report, by business time over the target.

Grouped without ``metric`` (by customer, say), and in the ``total``, a row counts
tickets: a ticket is breached if any of its metrics breached, open if any is
still counting, else met; those rows have no median, since response and
resolution times do not pool.

For the cycle metrics (``next_update``, ``periodic_update``) a ticket's figures
are those of its worst cycle: the one furthest over (or least under) its target.
The tier is the ticket's priority at ``now``.

The report renders as plain text (``to_text``), JSON,
CSV and a self-contained HTML page with inline SVG charts
(``to_html``). ``docs/reports.md`` describes each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from slaclock.engine._time import iso_or_none
from slaclock.errors import InputError
from slaclock.reports._outcomes import ComplianceRow, Outcome, Tally, outcomes
from slaclock.reports._render import (
    csv_text,
    human_duration,
    json_text,
    percent_text,
    text_table,
)
from slaclock.reports._words import instant_words, period_words, zone_words
from slaclock.reports.credits import Credit, CreditBook, credits_csv, credits_text
from slaclock.reports.periods import ReportingPeriod
from slaclock.sla.evaluation import METRICS
from slaclock.sla.targets import MetricSpec
from slaclock.sla.tickets import Ticket, evaluate_tickets

if TYPE_CHECKING:
    from slaclock.sla.policy import Policy
    from slaclock.sla.results import Report

__all__ = ["GROUP_FIELDS", "ComplianceReport", "ComplianceRow", "Outcome", "outcomes"]

#: The fields a report can be grouped by, in the order they are shown.
GROUP_FIELDS: tuple[str, ...] = ("tier", "metric", "customer")


def _calendar_names(tier: Mapping[str, MetricSpec]) -> set[str]:
    # A calendar a ticket field chooses: the named calendars it can choose.
    return {
        name
        for spec in tier.values()
        for name in ((spec.calendar,) if spec.choice is None else spec.choice.names)
    }


class Tallies:
    """What a compliance report keeps of its tickets: per group, per metric, in total, owed.

    Grouped by ``fields``; the ``worst`` breaches are kept. Tallies merge: tickets
    counted in several parts (by ``--jobs`` worker processes, each on a stretch of
    the file) and merged in file order give exactly what counting them all in one
    does, since every figure is a sum or a sort.
    """

    __slots__ = (
        "book",
        "breaches",
        "by_metric",
        "count",
        "fields",
        "groups",
        "per_metric",
        "total",
        "worst",
    )

    def __init__(self, fields: tuple[str, ...], worst: int, book: CreditBook) -> None:
        self.fields = fields
        self.worst = worst
        #: The credits owed, counted ticket by ticket.
        self.book = book
        self.by_metric = "metric" in fields
        self.groups: dict[tuple[str, ...], Tally] = {}
        self.per_metric: dict[str, Tally] = {}
        self.total = Tally()
        self.breaches: list[Outcome] = []
        self.count = 0

    def add(self, judged: list[Outcome]) -> None:
        """Count one ticket, given the outcomes of its metrics."""
        fields = self.fields
        self.count += 1
        self.total.add_ticket(judged)
        self.book.add_ticket(judged)
        if judged and not self.by_metric:
            # Without a metric to tell them apart, a row counts tickets (as the total
            # does), never ticket x metric, and pools no times across metrics.
            self.groups.setdefault(judged[0].group(fields), Tally()).add_ticket(judged)
        for item in judged:
            if self.by_metric:
                self.groups.setdefault(item.group(fields), Tally()).add(item)
            self.per_metric.setdefault(item.metric, Tally()).add(item)
            if self.worst and item.result == "breached":
                self.breaches.append(item)
                if len(self.breaches) >= 2 * self.worst + 1024:
                    self.keep_worst()

    def begin(self, policy: Policy, period: ReportingPeriod | None) -> Tallies:
        """Return empty tallies like these, counting credits under ``policy`` for ``period``.

        What a ``--jobs`` worker counts its range into, with the policy it loaded.
        """
        assert period is not None  # a compliance report always has one
        return Tallies(self.fields, self.worst, CreditBook(policy, period))

    def take(self, ticket: Ticket, report: Report) -> None:
        """Count ``ticket`` judged by ``report`` (what a ``--jobs`` worker does per ticket)."""
        self.add(outcomes(ticket, report))

    def finish(self) -> Tallies:
        """Return these tallies: what a ``--jobs`` worker sends back for its range."""
        return self

    def merge(self, other: Tallies) -> None:
        """Count what ``other`` counted as well, as if its tickets came after these."""
        self.count += other.count
        self.total.merge(other.total)
        self.book.merge(other.book)
        for key, tally in other.groups.items():
            self.groups.setdefault(key, Tally()).merge(tally)
        for metric, tally in other.per_metric.items():
            self.per_metric.setdefault(metric, Tally()).merge(tally)
        self.breaches.extend(other.breaches)
        self.keep_worst()

    def keep_worst(self) -> None:
        """Drop all but the ``worst`` breaches, which it keeps worst first."""
        # (ticket, metric) is unique, so the order is total: any part's worst are the
        # candidates for the whole's.
        self.breaches.sort(key=worst_first)
        del self.breaches[self.worst :]


def worst_first(item: Outcome) -> tuple[Any, ...]:
    """Return the sort key that puts the breach furthest over its target first."""
    return (-item.overrun, item.ticket, item.metric)


@dataclasses.dataclass(frozen=True)
class ComplianceReport:
    """A policy's compliance over a period: one row per group, a total, the worst breaches.

    ``goal`` (a percentage) is optional: rows below it are flagged in the text and
    HTML renderings. ``skipped`` counts input lines or tickets left out as bad.
    """

    policy: str
    period: ReportingPeriod
    now: dt.datetime
    by: tuple[str, ...]
    rows: tuple[ComplianceRow, ...]
    total: ComplianceRow
    worst: tuple[Outcome, ...]
    tickets: int
    goal: float | None = None
    skipped: int = 0
    #: The customer the report is for (``build(customer=...)``), or None for every customer.
    customer: str | None = None
    #: Per metric, across tiers: ``{"metric": name}`` rows, in report order.
    metric_totals: tuple[ComplianceRow, ...] = ()
    #: The rules behind the figures, for the page's legend: the calendars the
    #: metrics counted on (name, ``Calendar.to_dict()``), the statuses that pause
    #: a clock, and the share of a target at which a metric is "at risk".
    calendars: tuple[tuple[str, dict[str, Any]], ...] = ()
    pauses: tuple[str, ...] = ()
    warn_at: float | None = None
    #: What is owed under the policy's ``[credits]``, per customer and period (empty
    #: when the policy prices nothing): see ``slaclock.reports.credits``.
    credits: tuple[Credit, ...] = ()

    @classmethod
    def build(
        cls,
        policy: Policy,
        tickets: Iterable[Ticket],
        period: ReportingPeriod,
        now: dt.datetime | None = None,
        *,
        by: Sequence[str] = ("tier", "metric"),
        worst: int = 10,
        goal: float | None = None,
        customer: str | None = None,
        on_bad: Callable[[InputError], None] | None = None,
    ) -> ComplianceReport:
        """Return the report on ``tickets`` logged in ``period``, as they stood at ``now``.

        ``now`` defaults to the clock; tickets logged after it are left out, and
        so are events after it. ``by`` names the grouping fields (``GROUP_FIELDS``).
        ``customer`` keeps only that customer's tickets (and titles the report).
        A ticket the policy refuses raises ``InputError``,
        or is passed to ``on_bad`` and skipped.
        """
        if now is None:
            now = dt.datetime.now(dt.timezone.utc)
        in_period = (
            ticket
            for ticket in tickets
            if period.contains(ticket.logged_at) and customer in (None, ticket.customer)
        )
        return cls.from_reports(
            policy,
            evaluate_tickets(policy, in_period, now, on_bad),
            period,
            now,
            by=by,
            worst=worst,
            goal=goal,
            customer=customer,
        )

    @classmethod
    def from_reports(
        cls,
        policy: Policy,
        reports: Iterable[tuple[Ticket, Report]],
        period: ReportingPeriod,
        now: dt.datetime,
        *,
        by: Sequence[str] = ("tier", "metric"),
        worst: int = 10,
        goal: float | None = None,
        customer: str | None = None,
    ) -> ComplianceReport:
        """Return the report on tickets already evaluated at ``now`` (what ``build`` does next).

        ``reports`` are the tickets logged in ``period`` (of ``customer``, if given)
        with their reports, in the order ``evaluate_tickets`` gives them.
        """
        return cls.from_outcomes(
            policy,
            (outcomes(ticket, report) for ticket, report in reports),
            period,
            now,
            by=by,
            worst=worst,
            goal=goal,
            customer=customer,
        )

    @classmethod
    def from_outcomes(
        cls,
        policy: Policy,
        tickets: Iterable[list[Outcome]],
        period: ReportingPeriod,
        now: dt.datetime,
        *,
        by: Sequence[str] = ("tier", "metric"),
        worst: int = 10,
        goal: float | None = None,
        customer: str | None = None,
    ) -> ComplianceReport:
        """Return the report on each ticket's ``outcomes`` (``from_reports`` without the reports).

        The arguments are checked before the first ticket is read. Only aggregates and
        the worst breaches are kept, so memory does not grow with the tickets
        (beyond one integer per judged metric, for the exact quantiles).
        """
        tallies = cls.tallies(policy, period, by=by, worst=worst, goal=goal)
        for judged in tickets:
            tallies.add(judged)
        return cls.from_tallies(policy, tallies, period, now, goal=goal, customer=customer)

    @staticmethod
    def tallies(
        policy: Policy,
        period: ReportingPeriod,
        *,
        by: Sequence[str] = ("tier", "metric"),
        worst: int = 10,
        goal: float | None = None,
    ) -> Tallies:
        """Return empty tallies for a report grouped ``by``; InputError if an argument is wrong.

        What ``slaclock report --jobs N`` hands each worker process to count its
        share of the tickets into; ``Tallies.merge`` adds up the shares.
        """
        fields = tuple(by)
        if not fields:
            raise InputError(f"by: name one or more of {', '.join(GROUP_FIELDS)}")
        for name in fields:
            if name not in GROUP_FIELDS:
                raise InputError(
                    f"by: unknown field {name!r}; group by any of {', '.join(GROUP_FIELDS)}"
                )
        if len(set(fields)) != len(fields):
            raise InputError(f"by: {', '.join(fields)} names a field twice")
        if goal is not None and not 0 <= goal <= 100:
            raise InputError(f"goal: {goal} is not a percentage between 0 and 100")
        if worst < 0:
            raise InputError(f"worst: {worst} is negative")
        return Tallies(fields, worst, CreditBook(policy, period))

    @classmethod
    def from_tallies(
        cls,
        policy: Policy,
        tallies: Tallies,
        period: ReportingPeriod,
        now: dt.datetime,
        *,
        goal: float | None = None,
        customer: str | None = None,
    ) -> ComplianceReport:
        """Return the report on the tickets ``tallies`` counted (see ``tallies``)."""
        fields, groups, per_metric = tallies.fields, tallies.groups, tallies.per_metric
        tiers = {name: index for index, name in enumerate(policy.tiers)}
        metrics = {name: index for index, name in enumerate(METRICS)}

        def order(key: tuple[str, ...]) -> tuple[Any, ...]:
            parts: list[Any] = []
            for name, value in zip(fields, key, strict=True):
                if name == "tier":
                    parts.append((tiers.get(value, len(tiers)), value))
                elif name == "metric":
                    parts.append((metrics.get(value, len(metrics)), value))
                else:
                    parts.append((0, value))
            return tuple(parts)

        rows = tuple(
            groups[key].row(dict(zip(fields, key, strict=True)))
            for key in sorted(groups, key=order)
        )
        worst = sorted(tallies.breaches, key=worst_first)[: tallies.worst]
        used = {name for tier in policy.tiers.values() for name in _calendar_names(tier)}
        return cls(
            policy=policy.name,
            period=period,
            now=now,
            by=fields,
            rows=rows,
            total=tallies.total.row({}),
            worst=tuple(worst),
            tickets=tallies.count,
            goal=goal,
            customer=customer,
            metric_totals=tuple(
                per_metric[name].row({"metric": name})
                for name in sorted(per_metric, key=lambda name: (metrics.get(name, 99), name))
            ),
            calendars=tuple(
                (name, calendar.to_dict())
                for name, calendar in policy.calendars.items()
                if name in used
            ),
            pauses=tuple(sorted(policy.pause_when)),
            warn_at=policy.warn_at,
            credits=tallies.book.credits(),
        )

    @property
    def verdict(self) -> str:
        """Return the report in one sentence: how many tickets met every target, against the goal.

        The figures are per ticket: a ticket met its SLA when no metric breached.
        """
        total = self.total
        if not self.tickets:
            return "No tickets were logged in this period."
        if total.compliance is None:
            return f"No ticket has been judged yet: {total.open} still open."
        share = percent_text(total.compliance)
        text = f"{share} of tickets met every target ({total.met} of {total.judged} judged"
        text += f", {total.open} still open)" if total.open else ")"
        if total.breached:
            text += f"; {total.breached} breached"
        if self.goal is not None:
            verdict = "Goal met" if total.compliance >= self.goal else "Below goal"
            text = f"{verdict} ({self.goal:g} %): {text}"
        return text + "."

    # -- renderings ---------------------------------------------------------------

    def below_goal(self, row: ComplianceRow) -> bool:
        """Return whether ``row`` has judged tickets and falls short of the goal."""
        compliance = row.compliance
        return self.goal is not None and compliance is not None and compliance < self.goal

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data with stable field names (``docs/reports.md``)."""
        return {
            "policy": self.policy,
            "period": self.period.to_dict(),
            "now": self.now.isoformat(),
            "by": list(self.by),
            "goal_percent": self.goal,
            "tickets": self.tickets,
            "skipped": self.skipped,
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
            "metric_totals": [row.to_dict() for row in self.metric_totals],
            "worst": [item.to_dict() for item in self.worst],
            "customer": self.customer,
            "verdict": self.verdict,
            "credits": [item.to_dict() for item in self.credits],
        }

    def to_json(self) -> str:
        """Return ``to_dict`` as indented JSON text."""
        return json_text(self.to_dict())

    def to_csv(self, *, neutralise: bool = True) -> str:
        """Return the rows as CSV: the group fields, then the figures (see ``docs/reports.md``).

        Cells a spreadsheet would run as formulas are made inert unless ``neutralise`` is false.
        """
        figures = [name for name in self.total.to_dict() if name != "targets"]

        def cell(value: Any) -> Any:
            if isinstance(value, list):
                return ";".join(value)
            return "" if value is None else value

        rows = [[cell(row.to_dict()[name]) for name in (*self.by, *figures)] for row in self.rows]
        return csv_text([*self.by, *figures], rows, neutralise=neutralise)

    def _heading(self) -> str:
        period = self.period
        zone = period.start.tzinfo
        customer = f" for {self.customer}" if self.customer else ""
        return (
            f"SLA compliance{customer}: policy {self.policy}, period {period.label} "
            f"({period_words(period.start, period.end)}, {zone_words(zone)})\n"
            f"as at {instant_words(self.now, zone, year=True)}: {self.tickets} tickets"
            + (f", {self.skipped} skipped as bad input" if self.skipped else "")
            + (f", goal {self.goal:g} %" if self.goal is not None else "")
            + "\n"
            + self.verdict
            + "\n"
        )

    def to_text(self) -> str:
        """Return the report as plain-text tables: the rows, the total, the worst breaches."""
        headers = [
            *self.by,
            "tickets",
            "met",
            "breached",
            "open",
            "compliance",
            "median used",
            "p90 used",
        ]
        if self.goal is not None:
            headers.append("goal")
        body: list[list[str]] = []
        for row in (*self.rows, self.total):
            group = (
                [row.group[name] or "-" for name in self.by]
                if row is not self.total
                else ["all"] + [""] * (len(self.by) - 1)
            )
            flag = []
            if self.goal is not None:
                flag = ["-" if row.compliance is None else "met"]
                if self.below_goal(row):
                    flag = ["below"]
            body.append(
                [
                    *group,
                    str(row.tickets),
                    str(row.met),
                    str(row.breached),
                    str(row.open),
                    percent_text(row.compliance),
                    human_duration(row.median),
                    human_duration(row.p90),
                    *flag,
                ]
            )
        width = len(self.by)
        text = self._heading() + "\n" + text_table(headers, body, set(range(width, width + 7)))
        if self.worst:
            text += "\nWorst breaches (business time over target)\n" + text_table(
                ["ticket", "customer", "tier", "metric", "target", "used", "over", "breached at"],
                [
                    [
                        item.ticket,
                        item.customer or "-",
                        item.tier,
                        item.metric,
                        item.target_label,
                        human_duration(item.elapsed),
                        human_duration(item.overrun),
                        iso_or_none(item.breached_at) or "-",
                    ]
                    for item in self.worst
                ],
                {4, 5, 6},
            )
        return text + credits_text(self.credits)

    def credits_csv(self, *, neutralise: bool = True) -> str:
        """Return the credits owed as CSV (``slaclock.reports.credits.credits_csv``)."""
        return credits_csv(self.credits, neutralise=neutralise)

    def to_html(
        self,
        *,
        template: str | os.PathLike[str] | None = None,
        logo: str | os.PathLike[str] | None = None,
        contact: str | None = None,
    ) -> str:
        """Return a self-contained HTML page: verdict, tables, charts and the rules legend.

        Styles, charts (inline SVG) and the logo (as a data URL) are in the page; it
        loads nothing from anywhere and needs no script. ``template`` names a Jinja2
        template file to use instead of the packaged ``compliance.html.j2`` (it may
        ``{% extends "compliance.html.j2" %}`` and override its blocks); ``logo`` is
        an image file shown in the header; ``contact`` is a line for the footer.
        """
        from slaclock.reports._html import Branding, compliance_page

        return compliance_page(self, Branding.of(template, logo, contact))
