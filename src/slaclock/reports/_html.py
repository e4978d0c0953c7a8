"""The compliance report as one self-contained HTML page: tables, a bar chart and a timeline.

Styles and charts (inline SVG) are in the page; it loads nothing from anywhere.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Protocol

from slaclock.engine._time import iso_or_none, to_us
from slaclock.reports._outcomes import ComplianceRow, Outcome
from slaclock.reports._render import human_duration, percent_text
from slaclock.reports.periods import ReportingPeriod


class _Summary(Protocol):
    """What the page shows of a ``ComplianceReport`` (named here so rendering stays below it)."""

    @property
    def policy(self) -> str: ...
    @property
    def period(self) -> ReportingPeriod: ...
    @property
    def now(self) -> dt.datetime: ...
    @property
    def by(self) -> tuple[str, ...]: ...
    @property
    def rows(self) -> tuple[ComplianceRow, ...]: ...
    @property
    def total(self) -> ComplianceRow: ...
    @property
    def worst(self) -> tuple[Outcome, ...]: ...
    @property
    def tickets(self) -> int: ...
    @property
    def goal(self) -> float | None: ...
    @property
    def skipped(self) -> int: ...

    def below_goal(self, row: ComplianceRow) -> bool:
        """Return whether ``row`` falls short of the goal."""
        ...


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


def _row_label(report: _Summary, row: ComplianceRow) -> str:
    return " ".join(row.group[name] or "-" for name in report.by) or "all"


def _bar_chart(report: _Summary) -> str:
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


def _timeline(report: _Summary) -> str:
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
            f"{_e(iso_or_none(item.started_at) or '')}</title></rect>"
        )
        parts.append(
            f'<rect x="{x(breached):.1f}" y="{y + 3}" '
            f'width="{max(x(finished) - x(breached), 1):.1f}" '
            f'height="{height - 8}" fill="{_RED}"><title>{_e(label)}: breached at '
            f"{_e(iso_or_none(item.breached_at) or '')}, "
            f"{_e(human_duration(item.overrun))} of business time over</title></rect>"
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


def html_page(report: _Summary) -> str:
    from slaclock._version import __version__

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
            cells.append(f'<td class="num">{_e(item.target_label)}</td>')
            cells += [
                f'<td class="num">{_e(human_duration(value))}</td>'
                for value in (item.elapsed, item.overrun)
            ]
            cells.append(f"<td>{_e(item.logged_at.isoformat())}</td>")
            cells.append(f"<td>{_e(iso_or_none(item.breached_at) or '-')}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>No breaches.</p>")
    out.append(f"<footer>Generated by slaclock {_e(__version__)}.</footer>")
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"
