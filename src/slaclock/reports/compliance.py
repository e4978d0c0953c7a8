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
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from slaclock.engine._time import iso_or_none
from slaclock.errors import InputError
from slaclock.reports._outcomes import ComplianceRow, Outcome, outcomes
from slaclock.reports._render import (
    csv_text,
    human_duration,
    json_text,
    percent_text,
    text_table,
)
from slaclock.reports.periods import ReportingPeriod
from slaclock.sla.evaluation import METRICS
from slaclock.sla.tickets import Ticket, evaluate_tickets

if TYPE_CHECKING:
    from slaclock.sla.policy import Policy

__all__ = ["GROUP_FIELDS", "ComplianceReport", "ComplianceRow", "Outcome", "outcomes"]

#: The fields a report can be grouped by, in the order they are shown.
GROUP_FIELDS: tuple[str, ...] = ("tier", "metric", "customer")


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
        on_bad: Callable[[InputError], None] | None = None,
    ) -> ComplianceReport:
        """Return the report on ``tickets`` logged in ``period``, as they stood at ``now``.

        ``now`` defaults to the clock; tickets logged after it are left out, and
        so are events after it. ``by`` names the grouping fields (``GROUP_FIELDS``).
        A ticket the policy refuses raises ``InputError``,
        or is passed to ``on_bad`` and skipped.
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
        if now is None:
            now = dt.datetime.now(dt.timezone.utc)
        in_period = (ticket for ticket in tickets if period.contains(ticket.logged_at))
        groups: dict[tuple[str, ...], list[Outcome]] = {}
        everything: list[Outcome] = []
        count = 0
        for ticket, report in evaluate_tickets(policy, in_period, now, on_bad):
            count += 1
            for item in outcomes(ticket, report):
                groups.setdefault(item.group(fields), []).append(item)
                everything.append(item)
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
            ComplianceRow.of(dict(zip(fields, key, strict=True)), groups[key])
            for key in sorted(groups, key=order)
        )
        breaches = sorted(
            (item for item in everything if item.result == "breached"),
            key=lambda item: (-item.overrun, item.ticket, item.metric),
        )
        return cls(
            policy=policy.name,
            period=period,
            now=now,
            by=fields,
            rows=rows,
            total=ComplianceRow.of({}, everything),
            worst=tuple(breaches[:worst]),
            tickets=count,
            goal=goal,
        )

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
            "worst": [item.to_dict() for item in self.worst],
        }

    def to_json(self) -> str:
        """Return ``to_dict`` as indented JSON text."""
        return json_text(self.to_dict())

    def to_csv(self) -> str:
        """Return the rows as CSV: the group fields, then the figures (see ``docs/reports.md``)."""
        figures = list(self.total.to_dict())
        rows = [[row.to_dict()[name] for name in (*self.by, *figures)] for row in self.rows]
        return csv_text([*self.by, *figures], [["" if v is None else v for v in r] for r in rows])

    def _heading(self) -> str:
        period = self.period
        return (
            f"SLA compliance: policy {self.policy}, period {period.label} "
            f"({period.start.isoformat()} to {period.end.isoformat()})\n"
            f"as at {self.now.isoformat()}: {self.tickets} tickets"
            + (f", {self.skipped} skipped as bad input" if self.skipped else "")
            + (f", goal {self.goal:g} %" if self.goal is not None else "")
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
        return text

    def to_html(self) -> str:
        """Return a self-contained HTML page: tables, a compliance bar chart and a timeline.

        Styles and charts (inline SVG) are in the page; it loads nothing from anywhere.
        """
        from slaclock.reports._html import html_page

        return html_page(self)
