"""The compliance and uptime reports as self-contained HTML pages, rendered with Jinja2.

The packaged templates (``templates/*.html.j2``) hold the markup and styles; this
module turns a report into plain values for them: words instead of identifiers,
times in the report's zone, chart geometry in percent so the inline SVG stretches
to any width. A user's own template is searched first, so it can replace a page or
``{% extends "compliance.html.j2" %}`` and override blocks (``docs/reports.md``).

Jinja2 is imported here only, and only when a page is rendered.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from slaclock.engine._time import to_us
from slaclock.errors import InputError
from slaclock.reports._outcomes import ComplianceRow, Outcome
from slaclock.reports._render import percent_text
from slaclock.reports._words import (
    calendar_words,
    duration_words,
    instant_words,
    metric_label,
    period_words,
    target_words,
    zone_words,
)
from slaclock.reports.credits import Credit, html_rows
from slaclock.reports.periods import ReportingPeriod

__all__ = ["TEMPLATES", "Branding", "compliance_page", "uptime_page"]

#: The folder of the packaged templates.
TEMPLATES = Path(__file__).parent / "templates"

_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


@dataclasses.dataclass(frozen=True)
class Branding:
    """How a page is branded: the user's template file, a logo (a data URL), a contact line."""

    template: Path | None = None
    logo: str | None = None
    contact: str | None = None

    @classmethod
    def of(
        cls,
        template: str | os.PathLike[str] | None = None,
        logo: str | os.PathLike[str] | None = None,
        contact: str | None = None,
    ) -> Branding:
        """Return the branding for a template file, a logo image file and a contact line.

        The logo is read now and kept as a ``data:`` URL, so the page stays self-contained.
        An image type other than PNG, JPEG, GIF, SVG or WebP raises ``InputError``; a file
        that cannot be read raises ``OSError``.
        """
        template_path = None
        if template is not None:
            template_path = Path(template)
            if not template_path.is_file():
                raise InputError(f"template: {template_path}: no such file")
        logo_url = None
        if logo is not None:
            path = Path(logo)
            kind = _IMAGE_TYPES.get(path.suffix.lower())
            if kind is None:
                raise InputError(
                    f"logo: {path}: not an image type a page can embed; "
                    f"use one of {', '.join(sorted(_IMAGE_TYPES))}"
                )
            logo_url = f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode()
        return cls(template_path, logo_url, contact.strip() if contact else None)


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
    def metric_totals(self) -> tuple[ComplianceRow, ...]: ...
    @property
    def worst(self) -> tuple[Outcome, ...]: ...
    @property
    def tickets(self) -> int: ...
    @property
    def goal(self) -> float | None: ...
    @property
    def skipped(self) -> int: ...
    @property
    def customer(self) -> str | None: ...
    @property
    def calendars(self) -> tuple[tuple[str, dict[str, Any]], ...]: ...
    @property
    def pauses(self) -> tuple[str, ...]: ...
    @property
    def warn_at(self) -> float | None: ...
    @property
    def verdict(self) -> str: ...
    @property
    def credits(self) -> tuple[Credit, ...]: ...

    def below_goal(self, row: ComplianceRow) -> bool:
        """Return whether ``row`` falls short of the goal."""
        ...


class _Availability(Protocol):
    """One service's figures, as the uptime page shows them."""

    @property
    def service(self) -> str: ...
    @property
    def availability(self) -> float | None: ...
    @property
    def downtime(self) -> dt.timedelta: ...
    @property
    def incidents(self) -> int: ...
    @property
    def longest(self) -> dt.timedelta: ...


class _Incident(Protocol):
    """One outage, as the uptime page lists it."""

    @property
    def service(self) -> str: ...
    @property
    def start(self) -> dt.datetime: ...
    @property
    def end(self) -> dt.datetime: ...
    @property
    def downtime(self) -> dt.timedelta: ...
    @property
    def counted(self) -> bool: ...


class _Uptime(Protocol):
    """What the uptime page shows of an ``AvailabilityReport``."""

    @property
    def period(self) -> ReportingPeriod: ...
    @property
    def calendar(self) -> str: ...
    @property
    def excluded(self) -> tuple[str, ...]: ...
    @property
    def measured(self) -> dt.timedelta: ...
    @property
    def services(self) -> Sequence[_Availability]: ...
    @property
    def combined(self) -> _Availability: ...
    @property
    def skipped(self) -> int: ...
    @property
    def goal(self) -> float | None: ...
    @property
    def incidents(self) -> Sequence[_Incident]: ...
    @property
    def verdict(self) -> str: ...
    @property
    def credits(self) -> tuple[Credit, ...]: ...

    def below_goal(self, row: Any) -> bool:
        """Return whether ``row`` falls short of the goal."""
        ...


def _render(name: str, branding: Branding, context: dict[str, Any]) -> str:
    import jinja2

    folders = [str(TEMPLATES)]
    if branding.template is not None:
        folders.insert(0, str(branding.template.parent))
        name = branding.template.name
    # "slaclock/NAME" always names the packaged template, so a user's file of the same
    # name can still extend it.
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(folders),
            jinja2.PrefixLoader({"slaclock": jinja2.FileSystemLoader(str(TEMPLATES))}),
        ]
    )
    environment = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from slaclock._version import __version__

    try:
        return environment.get_template(name).render(
            version=__version__, logo=branding.logo, contact=branding.contact, **context
        )
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        )
        raise InputError(f"template: {where}{exc}") from None


def _ticks(low: int, high: int, zone: dt.tzinfo | None) -> list[tuple[float, str]]:
    """Return up to about six axis ticks on round local times between ``low`` and ``high`` (µs)."""
    span_hours = (high - low) / 3_600_000_000
    step = next(
        (h for h in (1, 2, 3, 6, 12, 24, 48, 96, 168, 336, 720) if span_hours / h <= 6), 720
    )
    tz = zone or dt.timezone.utc
    first = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=low)
    local = first.astimezone(tz)
    wall = dt.datetime(local.year, local.month, local.day)
    ticks: list[tuple[float, str]] = []
    previous_day = None
    for _ in range(2000):
        at = to_us(wall.replace(tzinfo=tz))
        if at > high:
            break
        if at >= low:
            day = wall.date()
            if step >= 24:
                label = f"{wall.day} {wall:%b}"
            elif day != previous_day:
                label = f"{wall.day} {wall:%b} {wall:%H:%M}"
            else:
                label = f"{wall:%H:%M}"
            previous_day = day
            ticks.append((100 * (at - low) / (high - low), label))
        wall += dt.timedelta(hours=step)
    return ticks


def _words(text: str) -> str:
    """Return ``text`` with each ``%`` kept on the line of its number (a no-break space)."""
    return text.replace(" %", "\u00a0%")


def _percent(value: float | None) -> float:
    return 0.0 if value is None else round(max(0.0, min(value, 100.0)), 2)


def _group_cells(report: _Summary, row: ComplianceRow) -> list[tuple[str, str]]:
    cells = []
    for name in report.by:
        value = row.group.get(name) or "-"
        cells.append((name.capitalize(), metric_label(value) if name == "metric" else value))
    return cells


def _row(report: _Summary, row: ComplianceRow) -> dict[str, Any]:
    compliance = row.compliance
    return {
        "group": _group_cells(report, row),
        "label": " · ".join(value for _, value in _group_cells(report, row)),
        "target": ", ".join(target_words(text) for text in row.targets) or "-",
        "tickets": row.tickets,
        "met": row.met,
        "breached": row.breached,
        "open": row.open,
        "idle": row.idle,
        "judged": row.judged,
        "compliance": _words(percent_text(compliance)),
        "percent": _percent(compliance),
        "judged_any": compliance is not None,
        "median": "-" if row.median is None else duration_words(row.median, short=True),
        "p90": "-" if row.p90 is None else duration_words(row.p90, short=True),
        "below": report.below_goal(row),
    }


def _worst(report: _Summary) -> tuple[list[dict[str, Any]], list[tuple[float, str]]]:
    zone = report.period.start.tzinfo
    spans = []
    for item in report.worst:
        finished = to_us(item.stopped_at or report.now)
        begin = to_us(item.started_at or item.logged_at)
        breached = to_us(item.breached_at) if item.breached_at is not None else finished
        spans.append((item, begin, breached, finished))
    if not spans:
        return [], []
    low = min(span[1] for span in spans)
    high = max(span[3] for span in spans)
    high = max(high, low + 1)

    def x(us: int) -> float:
        return round(100 * (us - low) / (high - low), 3)

    rows = []
    for item, begin, breached, finished in spans:
        rows.append(
            {
                "ticket": item.ticket,
                "customer": item.customer or "-",
                "tier": item.tier,
                "metric": metric_label(item.metric),
                "target": target_words(item.target_text) if item.target_text else "-",
                "used": duration_words(item.elapsed, short=True),
                "over": duration_words(item.overrun, short=True),
                "logged": instant_words(item.logged_at, zone),
                "breached_at": "-"
                if item.breached_at is None
                else instant_words(item.breached_at, zone),
                "within_x": x(begin),
                "within_width": max(x(breached) - x(begin), 0.4),
                "over_x": x(breached),
                "over_width": max(x(finished) - x(breached), 0.4),
            }
        )
    return rows, _ticks(low, high, zone)


def compliance_page(report: _Summary, branding: Branding | None = None) -> str:
    """Return the compliance report as one self-contained HTML page."""
    branding = branding or Branding()
    period = report.period
    zone = period.start.tzinfo
    when = period_words(period.start, period.end)
    title = "SLA compliance" + (f" for {report.customer}" if report.customer else "")
    total = report.total
    if total.compliance is None:
        tone = "neutral"
    elif report.goal is not None:
        tone = "good" if total.compliance >= report.goal else "bad"
    else:
        tone = "good" if not total.breached else "bad"
    warn = None if report.warn_at is None else f"{report.warn_at:.0%}"
    context: dict[str, Any] = {
        "title": title,
        "policy": report.policy,
        "customer": report.customer,
        "subtitle": f"{when}, {zone_words(zone)}; as at {instant_words(report.now, zone)}",
        "period_words": when,
        "zone_words": zone_words(zone),
        "verdict": _words(report.verdict),
        "tone": tone,
        "tickets": report.tickets,
        "skipped": report.skipped,
        "goal": None if report.goal is None else f"{report.goal:g}\u00a0%",
        "goal_percent": None if report.goal is None else _percent(report.goal),
        "total": _row(report, total),
        "metric_totals": [
            {**_row(report, row), "label": metric_label(row.group["metric"])}
            for row in report.metric_totals
        ],
        "rows": [_row(report, row) for row in report.rows],
        # Rows that count tickets (grouped without the metric) have no target or times.
        "show_targets": any(row.targets for row in report.rows),
        "show_times": any(row.median is not None for row in report.rows),
        "by": [name.capitalize() for name in report.by],
        "calendars": [(name, calendar_words(data)) for name, data in report.calendars],
        "pauses": list(report.pauses),
        "warn_at": warn,
    }
    worst, ticks = _worst(report)
    context["credits"] = html_rows(report.credits)
    context["worst"] = worst
    context["ticks"] = ticks
    return _render("compliance.html.j2", branding, context)


def uptime_page(
    report: _Uptime,
    branding: Branding | None = None,
) -> str:
    """Return the availability report as one self-contained HTML page."""
    branding = branding or Branding()
    period = report.period
    zone = period.start.tzinfo
    when = period_words(period.start, period.end)

    def service(row: _Availability) -> dict[str, Any]:
        value = row.availability
        return {
            "service": row.service,
            "availability": _words(percent_text(value, 3)),
            "percent": _percent(value),
            "measured_any": value is not None,
            "downtime": duration_words(row.downtime, short=True),
            "incidents": row.incidents,
            "longest": duration_words(row.longest, short=True) if row.incidents else "-",
            "below": report.below_goal(row),
        }

    # The chart's scale starts at the lowest figure shown (or the goal) less a margin,
    # since availabilities crowd near 100 % and a 0-100 axis would hide every difference.
    figures = [row.availability for row in (*report.services, report.combined)]
    known = [value for value in figures if value is not None]
    if report.goal is not None:
        known.append(report.goal)
    floor = 0.0
    if known:
        lowest = min(known)
        floor = max(0.0, float(int(lowest) - 1))

    def scaled(value: float | None) -> float:
        if value is None:
            return 0.0
        return round(100 * (value - floor) / (100 - floor), 3) if floor < 100 else 100.0

    services = [{**service(row), "scaled": scaled(row.availability)} for row in report.services]
    combined = {**service(report.combined), "scaled": scaled(report.combined.availability)}
    incidents = [
        {
            "service": item.service,
            "start": instant_words(item.start, zone),
            "end": instant_words(item.end, zone),
            "duration": duration_words(item.end - item.start, short=True),
            "downtime": duration_words(item.downtime, short=True),
            "counted": item.counted,
            "note": "counted" if item.counted else "outside the measured hours",
        }
        for item in report.incidents
    ]
    tone = "neutral"
    combined_value = report.combined.availability
    if report.goal is not None and combined_value is not None:
        tone = "good" if combined_value >= report.goal else "bad"
    context = {
        "title": "Service availability",
        "subtitle": f"{when}, {zone_words(zone)}",
        "zone_words": zone_words(zone),
        "verdict": _words(report.verdict),
        "tone": tone,
        "measured": duration_words(report.measured),
        "calendar": report.calendar,
        "excluded": list(report.excluded),
        "goal": None if report.goal is None else f"{report.goal:g}\u00a0%",
        "goal_scaled": None if report.goal is None else scaled(report.goal),
        "floor": f"{floor:g}\u00a0%",
        "services": services,
        "combined": combined,
        "incidents": [item for item in incidents if item["counted"]],
        "excluded_incidents": [item for item in incidents if not item["counted"]],
        "skipped": report.skipped,
        "credits": html_rows(report.credits),
    }
    return _render("uptime.html.j2", branding, context)
