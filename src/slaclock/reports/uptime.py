"""Availability: how much of the measured time each service was up, over a period.

The contract's definition, exactly:

- The **measured time** is the open time of a calendar (24x7 for "all hours",
  or business hours only) less the excluded windows (agreed maintenance),
  inside the period: ``measured = calendar - (maintenance | ...)``.
- A service's outages are merged where they overlap or touch, and only their
  part inside the measured time counts: ``downtime = elapsed of measured &
  outages`` over the period.
- ``availability = 100 * (1 - downtime / measured)`` per service.
- **Combined** availability counts the time when *any* service was down (the
  union of every service's outages): a customer who needs all of them was
  without service then.
- An outage that has some downtime inside the period is one incident;
  ``longest`` is the most downtime one incident caused.

Outages are read from CSV with a header row naming ``service``, ``start`` and
``end`` (ISO 8601 instants with a UTC offset); other columns are ignored.

>>> import datetime as dt
>>> from slaclock import Calendar
>>> from slaclock.reports.periods import parse_period
>>> utc = dt.timezone.utc
>>> outage = Outage("mail", dt.datetime(2026, 10, 5, 10, tzinfo=utc),
...                 dt.datetime(2026, 10, 5, 13, tzinfo=utc))
>>> report = availability([outage], parse_period("2026-10"), Calendar.always())
>>> report.services[0].downtime, round(report.services[0].availability, 3)
(datetime.timedelta(seconds=10800), 99.597)
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slaclock.engine._time import parse_instant, to_us
from slaclock.engine.calendar import Calendar
from slaclock.errors import InputError, SlaclockError
from slaclock.reports._render import (
    csv_text,
    human_duration,
    iso_duration,
    json_text,
    percent_text,
    seconds,
    text_table,
)
from slaclock.reports._words import period_words, zone_words
from slaclock.reports.credits import Credit, availability_credits, credits_csv, credits_text
from slaclock.reports.periods import ReportingPeriod

if TYPE_CHECKING:
    from slaclock.sla.policy import Policy

__all__ = [
    "AvailabilityReport",
    "Incident",
    "Outage",
    "ServiceAvailability",
    "availability",
    "iter_outages",
    "read_outages",
]

_COLUMNS = ("service", "start", "end")
#: The name of the combined figure (``AvailabilityReport.combined.service``); in CSV it is
#: the row whose ``kind`` is ``combined``.
COMBINED = "(combined)"


@dataclasses.dataclass(frozen=True)
class Outage:
    """A span of real time ``[start, end)`` during which ``service`` was down."""

    service: str
    start: dt.datetime
    end: dt.datetime
    where: str = ""

    def __post_init__(self) -> None:
        at = f"{self.where}: " if self.where else ""
        if not self.service:
            raise InputError(f"{at}service: is empty")
        if to_us(self.end, "end") <= to_us(self.start, "start"):
            raise InputError(
                f"{at}end: {self.end.isoformat()} is not after start {self.start.isoformat()}"
            )


def _instant(text: str, where: str) -> dt.datetime:
    return parse_instant(text, where, InputError)


def iter_outages(
    lines: Iterable[str],
    source: str = "<outages>",
    on_bad: Callable[[InputError], None] | None = None,
) -> Iterable[Outage]:
    """Yield the outages in CSV text whose header names ``service``, ``start`` and ``end``.

    A bad row raises ``InputError`` (``source:line: field: ...``)
    or, when ``on_bad`` is given, is passed to it and skipped. A bad header always raises.
    """
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{source}: empty; expected a header row: service,start,end") from None
    except csv.Error as exc:
        raise InputError(f"{source}:1: not valid CSV: {exc}") from None
    names = [name.strip().lower() for name in header]
    missing = [name for name in _COLUMNS if name not in names]
    if missing:
        raise InputError(
            f"{source}:1: the header names no {', '.join(missing)} column; "
            f"expected service,start,end (got {','.join(header)})"
        )
    index = {name: names.index(name) for name in _COLUMNS}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            error = InputError(f"{source}:{reader.line_num}: not valid CSV: {exc}")
            if on_bad is None:
                raise error from None
            on_bad(error)
            continue
        where = f"{source}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        try:
            if len(row) < len(names):
                raise InputError(
                    f"{where}: {len(row)} fields, the header has {len(names)} ({','.join(header)})"
                )
            service = row[index["service"]].strip()
            if not service:
                raise InputError(f"{where}: service: is empty")
            start = _instant(row[index["start"]], f"{where}: start")
            end = _instant(row[index["end"]], f"{where}: end")
            try:
                outage = Outage(service, start, end, where)
            except InputError:
                raise
            except SlaclockError as exc:  # an instant too near year 1 or 9999
                raise InputError(f"{where}: {exc}") from None
        except InputError as exc:
            if on_bad is None:
                raise
            on_bad(exc)
            continue
        yield outage


def read_outages(
    path: str | Path, on_bad: Callable[[InputError], None] | None = None
) -> list[Outage]:
    """Return the outages in the CSV file at ``path`` (see ``iter_outages``).

    A file that cannot be opened raises ``OSError``.
    """
    # utf-8-sig: a byte order mark, as Excel's "CSV UTF-8" writes, is read and dropped.
    with Path(path).open(newline="", encoding="utf-8-sig") as lines:
        try:
            return list(iter_outages(lines, str(path), on_bad))
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from None


@dataclasses.dataclass(frozen=True)
class Incident:
    """One outage of a service inside the period (overlapping outages merged).

    ``downtime`` is its part inside the measured time; an incident with none
    (it fell wholly in excluded hours, such as agreed maintenance) is not
    ``counted``. ``start`` and ``end`` are clipped to the period.
    """

    service: str
    start: dt.datetime
    end: dt.datetime
    downtime: dt.timedelta

    @property
    def counted(self) -> bool:
        """Return whether the incident took measured time (and so counts against availability)."""
        return self.downtime > dt.timedelta(0)

    def to_dict(self) -> dict[str, Any]:
        """Return the incident as JSON-ready data."""
        return {
            "service": self.service,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "downtime": iso_duration(self.downtime),
            "downtime_seconds": seconds(self.downtime),
            "counted": self.counted,
        }


@dataclasses.dataclass(frozen=True)
class ServiceAvailability:
    """One service's (or the combined) downtime and availability over the measured time."""

    service: str
    measured: dt.timedelta
    downtime: dt.timedelta
    incidents: int
    longest: dt.timedelta

    @property
    def uptime(self) -> dt.timedelta:
        """Return the measured time the service was up."""
        return self.measured - self.downtime

    @property
    def availability(self) -> float | None:
        """Return ``100 * (1 - downtime / measured)``, or None when nothing was measured."""
        if not self.measured:
            return None
        return 100 * (1 - self.downtime / self.measured)

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-ready data (ISO 8601 durations, seconds alongside)."""
        return {
            "service": self.service,
            "availability_percent": self.availability,
            "downtime": iso_duration(self.downtime),
            "downtime_seconds": seconds(self.downtime),
            "measured": iso_duration(self.measured),
            "measured_seconds": seconds(self.measured),
            "incidents": self.incidents,
            "longest": iso_duration(self.longest),
            "longest_seconds": seconds(self.longest),
        }


@dataclasses.dataclass(frozen=True)
class AvailabilityReport:
    """Availability per service and combined, over a period and a measured calendar."""

    period: ReportingPeriod
    calendar: str
    excluded: tuple[str, ...]
    measured: dt.timedelta
    services: tuple[ServiceAvailability, ...]
    combined: ServiceAvailability
    skipped: int = 0
    #: The availability goal in percent, if any: rows below it are flagged.
    goal: float | None = None
    #: Every outage inside the period, counted or falling in excluded hours, by start.
    incidents: tuple[Incident, ...] = ()
    #: The availability credits owed, per customer and period (``availability(policy=...)``).
    credits: tuple[Credit, ...] = ()

    def below_goal(self, row: ServiceAvailability) -> bool:
        """Return whether ``row`` was measured and falls short of the goal."""
        value = row.availability
        return self.goal is not None and value is not None and value < self.goal

    @property
    def verdict(self) -> str:
        """Return the report in one sentence: the combined availability against the goal."""
        value = self.combined.availability
        if value is None:
            return "No time was measured in this period."
        counted = sum(1 for item in self.incidents if item.counted)
        text = (
            f"all services together were available {percent_text(value, 3)} of the measured "
            f"time, with {counted} incident{'s' if counted != 1 else ''} counted"
        )
        excluded = len(self.incidents) - counted
        if excluded:
            text += f" ({excluded} more outside the measured hours)"
        if self.goal is not None:
            verdict = "Goal met" if value >= self.goal else "Below goal"
            return f"{verdict} ({self.goal:g} %): {text}."
        return text[0].upper() + text[1:] + "."

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data with stable field names (``docs/reports.md``)."""
        return {
            "period": self.period.to_dict(),
            "calendar": self.calendar,
            "excluded": list(self.excluded),
            "measured": iso_duration(self.measured),
            "measured_seconds": seconds(self.measured),
            "goal_percent": self.goal,
            "skipped": self.skipped,
            "services": [service.to_dict() for service in self.services],
            "combined": self.combined.to_dict(),
            "incidents": [item.to_dict() for item in self.incidents],
            "verdict": self.verdict,
            "credits": [item.to_dict() for item in self.credits],
        }

    def to_json(self) -> str:
        """Return ``to_dict`` as indented JSON text."""
        return json_text(self.to_dict())

    def _cells(self, row: ServiceAvailability) -> list[str]:
        cells = [
            row.service,
            percent_text(row.availability, 3),
            human_duration(row.downtime),
            str(row.incidents),
            human_duration(row.longest),
        ]
        if self.goal is not None:
            cells.append("below" if self.below_goal(row) else "met")
        return cells

    def to_text(self) -> str:
        """Return the report as a plain-text table, the combined figure last."""
        excluded = f" less {', '.join(self.excluded)}" if self.excluded else ""
        zone = self.period.start.tzinfo
        heading = (
            f"Availability, period {self.period.label} "
            f"({period_words(self.period.start, self.period.end)}, {zone_words(zone)})\n"
            f"measured over {self.calendar}{excluded}: {human_duration(self.measured)}"
            + (f"; {self.skipped} bad rows skipped" if self.skipped else "")
            + (f"; goal {self.goal:g} %" if self.goal is not None else "")
            + "\n"
            + self.verdict
            + "\n\n"
        )
        rows = [self._cells(row) for row in (*self.services, self.combined)]
        headers = ["service", "availability", "downtime", "incidents", "longest"]
        if self.goal is not None:
            headers.append("goal")
        text = heading + text_table(headers, rows, {1, 2, 3, 4})
        if self.incidents:
            text += "\nIncidents\n" + text_table(
                ["service", "start", "end", "downtime", "counted"],
                [
                    [
                        item.service,
                        item.start.isoformat(),
                        item.end.isoformat(),
                        human_duration(item.downtime),
                        "yes" if item.counted else "no (outside measured hours)",
                    ]
                    for item in self.incidents
                ],
                {3},
            )
        return text + credits_text(self.credits)

    def credits_csv(self, *, neutralise: bool = True) -> str:
        """Return the credits owed as CSV (``slaclock.reports.credits.credits_csv``)."""
        return credits_csv(self.credits, neutralise=neutralise)

    def to_csv(self, *, neutralise: bool = True) -> str:
        """Return one CSV row per service and one of ``kind`` ``combined``, figures rounded.

        Availability is rounded to 4 decimal places and seconds to milliseconds. Cells a
        spreadsheet would run as formulas are made inert unless ``neutralise`` is false.
        """
        names = ["kind", *self.combined.to_dict()]
        rows = []
        for kind, row in [("service", row) for row in self.services] + [
            ("combined", self.combined)
        ]:
            data = row.to_dict()
            if kind == "combined":
                data["service"] = ""
            for name, value in data.items():
                if isinstance(value, float):
                    data[name] = round(value, 4 if name == "availability_percent" else 3)
            rows.append([kind, *("" if value is None else value for value in data.values())])
        return csv_text(names, rows, neutralise=neutralise)

    def to_html(
        self,
        *,
        template: str | os.PathLike[str] | None = None,
        logo: str | os.PathLike[str] | None = None,
        contact: str | None = None,
    ) -> str:
        """Return a self-contained HTML page: verdict, availability chart and table, incidents.

        ``template``, ``logo`` and ``contact`` brand it as for ``ComplianceReport.to_html``
        (the packaged template is ``uptime.html.j2``).
        """
        from slaclock.reports._html import Branding, uptime_page

        return uptime_page(self, Branding.of(template, logo, contact))


def _merged(outages: Iterable[Outage]) -> list[tuple[int, int]]:
    spans = sorted((to_us(item.start), to_us(item.end)) for item in outages)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _figures(
    name: str,
    outages: Sequence[Outage],
    measured: Calendar,
    period: ReportingPeriod,
    total: dt.timedelta,
    *,
    incidents_seen: list[Incident] | None = None,
) -> ServiceAvailability:
    low, high = to_us(period.start), to_us(period.end)
    utc = dt.timezone.utc
    epoch = dt.datetime(1970, 1, 1, tzinfo=utc)
    downtime = dt.timedelta(0)
    longest = dt.timedelta(0)
    incidents = 0
    for down, up in _merged(outages):
        start, end = max(down, low), min(up, high)
        if end <= start:
            continue
        begin_at = epoch + dt.timedelta(microseconds=start)
        end_at = epoch + dt.timedelta(microseconds=end)
        lost = measured.elapsed(begin_at, end_at)
        if incidents_seen is not None:
            zone = period.start.tzinfo
            incidents_seen.append(
                Incident(name, begin_at.astimezone(zone), end_at.astimezone(zone), lost)
            )
        if lost:
            incidents += 1
            downtime += lost
            longest = max(longest, lost)
    return ServiceAvailability(name, total, downtime, incidents, longest)


def availability(
    outages: Iterable[Outage],
    period: ReportingPeriod,
    calendar: Calendar,
    *,
    exclude: Calendar | Iterable[Calendar] = (),
    services: Iterable[str] | None = None,
    calendar_name: str = "calendar",
    excluded_names: Sequence[str] = (),
    goal: float | None = None,
    policy: Policy | None = None,
) -> AvailabilityReport:
    """Return each service's availability, and the combined one, over ``calendar`` less ``exclude``.

    ``services`` names the services to report, including those with no outage
    (100 %); outages of other services are left out, from the combined figure
    too. Without it, the services are those the outages name, in alphabetical
    order. ``calendar_name`` and ``excluded_names`` only label the report; ``goal``
    (a percentage) flags the services below it. ``policy`` (a policy or policy set
    whose ``[credits]`` say ``measure = "availability"``) prices each customer's
    availability per whole month: ``AvailabilityReport.credits``.
    """
    if goal is not None and not 0 <= goal <= 100:
        raise InputError(f"goal: {goal} is not a percentage between 0 and 100")
    excluded = [exclude] if isinstance(exclude, Calendar) else list(exclude)
    measured = calendar
    if excluded:
        measured = calendar - Calendar.union(*excluded)
    total = measured.elapsed(period.start, period.end)
    items = list(outages)
    every = items  # a customer's credits measure their services, shown or not
    if services is None:
        names = sorted({item.service for item in items})
    else:
        names = list(dict.fromkeys(services))
        wanted = set(names)
        items = [item for item in items if item.service in wanted]
    by_service: dict[str, list[Outage]] = {name: [] for name in names}
    for item in items:
        by_service[item.service].append(item)
    seen: list[Incident] = []
    rows = tuple(
        _figures(name, by_service[name], measured, period, total, incidents_seen=seen)
        for name in names
    )
    combined = _figures(COMBINED, items, measured, period, total)
    seen.sort(key=lambda item: (to_us(item.start), item.service))
    credits: tuple[Credit, ...] = ()
    if policy is not None:

        def downtime_of(
            names: Sequence[str] | None, piece: ReportingPeriod
        ) -> tuple[dt.timedelta, dt.timedelta]:
            # Down when any of the customer's services was down (as the combined figure).
            wanted = every if names is None else [item for item in every if item.service in names]
            span = measured.elapsed(piece.start, piece.end)
            return _figures(COMBINED, wanted, measured, piece, span).downtime, span

        credits = availability_credits(policy, period, downtime_of)
    return AvailabilityReport(
        period,
        calendar_name,
        tuple(excluded_names),
        total,
        rows,
        combined,
        goal=goal,
        incidents=tuple(seen),
        credits=credits,
    )
