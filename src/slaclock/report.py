"""Compliance reports: for a period, per tier and metric, how many tickets met their SLA.

:meth:`ComplianceReport.build` evaluates every ticket logged in a
:class:`~slaclock.periods.ReportingPeriod` against a policy, as things stood at
``now``, and counts per group (by default per tier and metric):

- ``met`` and ``breached``: the tickets judged; ``compliance_percent`` is
  ``100 * met / (met + breached)``;
- ``open``: tickets whose metric is still counting (running, at risk, paused)
  and has not breached yet; a running metric past its target is already breached;
- ``idle``: tickets where the metric never started (``next_update`` with no
  customer message); they are in no other count;
- the median and 90th percentile of the business time used by the judged
  tickets (linear interpolation between the nearest ranks, as NumPy's default);
- the worst breaches of the whole report, by business time over the target.

For the cycle metrics (``next_update``, ``periodic_update``) a ticket's figures
are those of its worst cycle: the one furthest over (or least under) its target.
The tier is the ticket's priority at ``now``.

The report renders as plain text (:meth:`~ComplianceReport.to_text`), JSON,
CSV and a self-contained HTML page with inline SVG charts
(:meth:`~ComplianceReport.to_html`). ``docs/reports.md`` describes each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from slaclock._render import (
    csv_text,
    human_duration,
    iso_duration,
    json_text,
    percent_text,
    seconds,
    text_table,
)
from slaclock._time import to_us
from slaclock.errors import InputError
from slaclock.evaluate import METRICS, MetricReport, Report, Status
from slaclock.periods import ReportingPeriod
from slaclock.tickets import Ticket, evaluate_tickets

if TYPE_CHECKING:
    from slaclock.policy import Policy

__all__ = ["GROUP_FIELDS", "ComplianceReport", "ComplianceRow", "Outcome", "outcomes"]

#: The fields a report can be grouped by, in the order they are shown.
GROUP_FIELDS: tuple[str, ...] = ("tier", "metric", "customer")
_OPEN = frozenset({Status.RUNNING, Status.AT_RISK, Status.PAUSED})


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

    @property
    def result(self) -> str:
        """Return ``met``, ``breached``, ``open`` or ``idle``."""
        if self.status is Status.BREACHED:
            return "breached"
        if self.status is Status.MET:
            return "met"
        if self.status is Status.IDLE:
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
            "elapsed": iso_duration(self.elapsed),
            "overrun": iso_duration(self.overrun),
            "logged_at": self.logged_at.isoformat(),
            "started_at": _iso(self.started_at),
            "stopped_at": _iso(self.stopped_at),
            "due": _iso(self.due),
            "breached_at": _iso(self.breached_at),
        }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _outcome(ticket: Ticket, report: Report, metric: MetricReport) -> Outcome:
    target, elapsed = metric.target, metric.elapsed
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
        target, elapsed = worst.target, worst.elapsed
        started, stopped, due, breached = (
            worst.started_at,
            worst.stopped_at,
            worst.due,
            worst.breached_at,
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
    )


def outcomes(ticket: Ticket, report: Report) -> list[Outcome]:
    """Return one :class:`Outcome` per metric of ``report``, the report of ``ticket``."""
    return [_outcome(ticket, report, metric) for metric in report.values()]


def _quantile(values: Sequence[int], q: Fraction) -> int:
    """Return the ``q`` quantile of sorted ``values``, interpolated linearly, to the microsecond."""
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    fraction = position - low
    return round(values[low] + (values[high] - values[low]) * fraction)


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
    def of(cls, group: Mapping[str, str], items: Sequence[Outcome]) -> ComplianceRow:
        """Return the row for ``items``, the outcomes of one group."""
        counts = {"met": 0, "breached": 0, "open": 0, "idle": 0}
        used: list[int] = []
        for item in items:
            counts[item.result] += 1
            if item.result in ("met", "breached"):
                used.append(item.elapsed // dt.timedelta(microseconds=1))
        used.sort()
        median = p90 = None
        if used:
            median = dt.timedelta(microseconds=_quantile(used, Fraction(1, 2)))
            p90 = dt.timedelta(microseconds=_quantile(used, Fraction(9, 10)))
        return cls(dict(group), median=median, p90=p90, **counts)

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
        }


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
        so are events after it. ``by`` names the grouping fields (:data:`GROUP_FIELDS`).
        A ticket the policy refuses raises :class:`~slaclock.errors.InputError`,
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
        """Return :meth:`to_dict` as indented JSON text."""
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
                        human_duration(item.target),
                        human_duration(item.elapsed),
                        human_duration(item.overrun),
                        _iso(item.breached_at) or "-",
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
        return _html_page(self)


# -- HTML -------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 64rem; color: #1f2328; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
p.meta { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #d0d7de; text-align: left; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; border-top: 2px solid #8c959f; }
tr.below td.pct { color: #cf222e; font-weight: 600; }
svg { display: block; margin: .5rem 0 1rem; }
svg text { font-family: inherit; font-size: 12px; fill: #1f2328; }
footer { margin-top: 3rem; color: #8c959f; font-size: .8rem; }
"""
_GREEN, _RED, _GREY, _BLUE = "#2da44e", "#cf222e", "#afb8c1", "#0969da"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _row_label(report: ComplianceReport, row: ComplianceRow) -> str:
    return " ".join(row.group[name] or "-" for name in report.by) or "all"


def _bar_chart(report: ComplianceReport) -> str:
    """Return an SVG bar chart of each row's compliance, with the goal as a dashed line."""
    rows = report.rows
    label_width, bar_width, height = 260, 480, 22
    total_height = height * len(rows) + 30
    parts = [
        f'<svg role="img" aria-label="Compliance by group" width="{label_width + bar_width + 80}" '
        f'height="{total_height}" viewBox="0 0 {label_width + bar_width + 80} {total_height}">'
    ]
    for index, row in enumerate(rows):
        y = index * height + 4
        label = _row_label(report, row)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end">{_e(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 2}" width="{bar_width}" height="{height - 6}" '
            f'fill="#f6f8fa"/>'
        )
        compliance = row.compliance
        if compliance is None:
            parts.append(
                f'<text x="{label_width + 6}" y="{y + 14}" fill="#57606a">no ticket judged</text>'
            )
            continue
        colour = _RED if report.below_goal(row) else (_GREEN if report.goal is not None else _BLUE)
        width = bar_width * compliance / 100
        parts.append(
            f'<rect x="{label_width}" y="{y + 2}" width="{width:.1f}" height="{height - 6}" '
            f'fill="{colour}"><title>{_e(label)}: {row.met} of {row.judged} met</title></rect>'
        )
        parts.append(
            f'<text x="{label_width + bar_width + 6}" y="{y + 14}">'
            f"{_e(percent_text(compliance))}</text>"
        )
    axis_y = height * len(rows) + 8
    for tick in (0, 25, 50, 75, 100):
        x = label_width + bar_width * tick / 100
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle" fill="#57606a">'
            f"{tick}%</text>"
        )
    if report.goal is not None:
        x = label_width + bar_width * report.goal / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{axis_y}" stroke="#1f2328" '
            f'stroke-dasharray="4 3"><title>goal {report.goal:g} %</title></line>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _timeline(report: ComplianceReport) -> str:
    """Return an SVG timeline of the worst breaches: time within target, then over it."""
    items = report.worst
    spans: list[tuple[Outcome, int, int, int]] = []
    for item in items:
        finished = to_us(item.stopped_at or report.now)
        spans.append(
            (
                item,
                to_us(item.started_at or item.logged_at),
                to_us(item.breached_at) if item.breached_at is not None else finished,
                finished,
            )
        )
    low = min(span[1] for span in spans)
    high = max(span[3] for span in spans)
    if high <= low:
        high = low + 1
    label_width, chart_width, height = 220, 560, 22
    total_height = height * len(spans) + 56
    zone = report.period.start.tzinfo

    def x(us: int) -> float:
        return label_width + chart_width * (us - low) / (high - low)

    parts = [
        f'<svg role="img" aria-label="Timeline of the worst breaches" '
        f'width="{label_width + chart_width + 20}" height="{total_height}" '
        f'viewBox="0 0 {label_width + chart_width + 20} {total_height}">'
    ]
    for index, (item, begin, breached, finished) in enumerate(spans):
        y = index * height + 4
        label = f"{item.ticket} {item.tier} {item.metric}"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end">{_e(label)}</text>'
        )
        parts.append(
            f'<rect x="{x(begin):.1f}" y="{y + 3}" width="{max(x(breached) - x(begin), 1):.1f}" '
            f'height="{height - 8}" fill="{_GREY}"><title>{_e(label)}: within target from '
            f"{_e(_iso(item.started_at) or '')}</title></rect>"
        )
        parts.append(
            f'<rect x="{x(breached):.1f}" y="{y + 3}" '
            f'width="{max(x(finished) - x(breached), 1):.1f}" '
            f'height="{height - 8}" fill="{_RED}"><title>{_e(label)}: breached at '
            f"{_e(_iso(item.breached_at) or '')}, {_e(human_duration(item.overrun))} of business "
            "time over</title></rect>"
        )
    axis_y = height * len(spans) + 8
    parts.append(
        f'<line x1="{label_width}" y1="{axis_y}" x2="{label_width + chart_width}" y2="{axis_y}" '
        'stroke="#8c959f"/>'
    )
    for step in range(5):
        us = low + (high - low) * step // 4
        when = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=us)
        if zone is not None:
            when = when.astimezone(zone)
        anchor = "start" if step == 0 else "end" if step == 4 else "middle"
        parts.append(
            f'<text x="{x(us):.1f}" y="{axis_y + 16}" text-anchor="{anchor}" fill="#57606a">'
            f"{_e(when.strftime('%d %b %H:%M'))}</text>"
        )
    legend_y = axis_y + 30
    for offset, colour, text in ((0, _GREY, "within target"), (130, _RED, "over target")):
        parts.append(
            f'<rect x="{label_width + offset}" y="{legend_y}" width="14" height="10" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + offset + 20}" y="{legend_y + 10}">{text}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _html_page(report: ComplianceReport) -> str:
    from slaclock import __version__

    period = report.period
    title = f"SLA compliance: {report.policy}, {period.label}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">From {_e(period.start.isoformat())} to {_e(period.end.isoformat())}, '
        f"as at {_e(report.now.isoformat())}: {report.tickets} tickets"
        + (f", {report.skipped} skipped as bad input" if report.skipped else "")
        + (f"; goal {report.goal:g} %" if report.goal is not None else "")
        + ".</p>",
        "<h2>Compliance</h2>",
    ]
    if report.rows:
        out.append(_bar_chart(report))
    headers = [*report.by, "tickets", "met", "breached", "open", "compliance", "median used"]
    headers.append("p90 used")
    out.append("<table>")
    out.append("<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers) + "</tr></thead>")
    out.append("<tbody>")
    for row in (*report.rows, report.total):
        classes = []
        if row is report.total:
            classes.append("total")
            group = ["all"] + [""] * (len(report.by) - 1)
        else:
            group = [row.group[name] or "-" for name in report.by]
        if report.below_goal(row):
            classes.append("below")
        cells = [f"<td>{_e(value)}</td>" for value in group]
        cells += [f'<td class="num">{value}</td>' for value in (row.tickets, row.met, row.breached)]
        cells.append(f'<td class="num">{row.open}</td>')
        cells.append(f'<td class="num pct">{_e(percent_text(row.compliance))}</td>')
        cells.append(f'<td class="num">{_e(human_duration(row.median))}</td>')
        cells.append(f'<td class="num">{_e(human_duration(row.p90))}</td>')
        attribute = f' class="{" ".join(classes)}"' if classes else ""
        out.append(f"<tr{attribute}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    out.append("<h2>Worst breaches</h2>")
    if report.worst:
        out.append(_timeline(report))
        worst_headers = [
            "ticket",
            "customer",
            "tier",
            "metric",
            "target",
            "used",
            "over",
            "logged",
            "breached at",
        ]
        out.append("<table>")
        out.append(
            "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in worst_headers) + "</tr></thead>"
        )
        out.append("<tbody>")
        for item in report.worst:
            values = [item.ticket, item.customer or "-", item.tier, item.metric]
            cells = [f"<td>{_e(value)}</td>" for value in values]
            cells += [
                f'<td class="num">{_e(human_duration(value))}</td>'
                for value in (item.target, item.elapsed, item.overrun)
            ]
            cells.append(f"<td>{_e(item.logged_at.isoformat())}</td>")
            cells.append(f"<td>{_e(_iso(item.breached_at) or '-')}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>No breaches.</p>")
    out.append(f"<footer>Generated by slaclock {_e(__version__)}.</footer>")
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"
