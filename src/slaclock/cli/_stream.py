"""``evaluate``'s output, written as the tickets come: memory does not grow with the tickets.

Each ticket's lines are rendered as soon as it is evaluated and kept in a spool
(a temporary file, in memory while small) rather than as result objects. The
document is assembled from the spool at the end, since its head says how many
tickets were read and skipped and a table's columns are as wide as their widest
cell. The output is the same, byte for byte, as rendering everything at once.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from slaclock.cli._errors import safe_text
from slaclock.cli._files import atomic_stream
from slaclock.cli._output import FORMAT_VERSION, colour_word, indented_json_with_seconds
from slaclock.reports._render import (
    human_duration,
    inert_cell,
    terminal_safe,
    text_table_line,
    text_table_rule,
)
from slaclock.sla.results import MetricReport, Report
from slaclock.sla.tickets import Ticket

__all__ = ["EVALUATE_COLUMNS", "EvaluateWriter", "Rendered", "output_stream", "render_ticket"]

#: How much a spool holds in memory before it moves to a temporary file.
_SPOOL_MEMORY = 8 * 1024 * 1024

EVALUATE_COLUMNS = (
    "ticket",
    "customer",
    "priority",
    "metric",
    "status",
    "target",
    "target_text",
    "calendar",
    "started_at",
    "stopped_at",
    "due",
    "breached_at",
    "elapsed",
    "remaining",
    "used",
    # Added later, so at the end: columns read by position keep their place.
    "policy",
    "policy_version",
    "levels_reached",
    "next_level",
    "next_level_at",
)
_TABLE_HEADERS = (
    "ticket",
    "customer",
    "policy",
    "version",
    "tier",
    "metric",
    "status",
    "used",
    "target",
    "due",
    "breached at",
    "next level",
)
_TABLE_RIGHT = frozenset({7, 8})
#: Where the status column is, for colouring it.
_STATUS_COLUMN = _TABLE_HEADERS.index("status")


class _Spool:
    """Text written now and read back once, in memory up to ``_SPOOL_MEMORY``, then on disk."""

    def __init__(self) -> None:
        self.file: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by close()
            max_size=_SPOOL_MEMORY, mode="w+", encoding="utf-8", errors="surrogatepass", newline=""
        )

    def write(self, text: str) -> None:
        self.file.write(text)

    def lines(self) -> Iterator[str]:
        self.file.seek(0)
        yield from self.file

    def close(self) -> None:
        self.file.close()


@dataclasses.dataclass(frozen=True)
class Rendered:
    """One ticket as ``evaluate`` prints it, as plain data (what ``--jobs`` workers send back).

    ``text`` is the ticket's part of the spool (its indented JSON as a JSON string,
    CSV rows, or JSON-encoded table rows), ``notes`` its ``--explain`` section of a
    table, ``statuses`` its metrics' statuses and ``widths`` the widths of its table cells.
    """

    text: str
    notes: str
    statuses: tuple[str, ...]
    widths: tuple[int, ...] = ()


def render_ticket(
    form: str, explain: bool, neutralise: bool, ticket: Ticket, report: Report
) -> Rendered:
    """Return ``ticket`` and its ``report`` rendered for ``evaluate`` in ``form``.

    Module-level, so ``--jobs`` runs it in the worker processes (it pickles by name).
    """
    statuses = tuple(figures.status.value for figures in report.values())
    if form == "json":
        # Indented here, where --jobs workers share the work; the spool keeps it as one
        # JSON string per line.
        text = indented_json_with_seconds(_item(ticket, report, explain), "    ")
        return Rendered(json.dumps(text, ensure_ascii=False) + "\n", "", statuses)
    if form == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for figures in report.values():
            data = figures.figures_dict()  # the row needs none of the lists
            data.update(
                ticket=ticket.id,
                customer=ticket.customer,
                priority=report.priority,
                policy=report.policy,
                policy_version=report.policy_version,
            )
            data.update(_levels(figures))
            row = ["" if data[name] is None else data[name] for name in EVALUATE_COLUMNS]
            writer.writerow([inert_cell(cell) for cell in row] if neutralise else row)
        return Rendered(buffer.getvalue(), "", statuses)
    lines: list[str] = []
    widths = [0] * len(_TABLE_HEADERS)
    for figures in report.values():
        row = [
            terminal_safe(cell)
            for cell in (
                ticket.id,
                ticket.customer or "-",
                report.policy,
                report.policy_version or "-",
                report.priority,
                figures.metric,
                figures.status.value,
                human_duration(figures.elapsed),
                figures.target_text,
                "-" if figures.due is None else figures.due.isoformat(),
                "-" if figures.breached_at is None else figures.breached_at.isoformat(),
                _next_level(figures),
            )
        ]
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
        lines.append(json.dumps(row) + "\n")
    notes = f"\n{terminal_safe(ticket.id)}:\n{report.explain()}\n" if explain else ""
    return Rendered("".join(lines), notes, statuses, tuple(widths))


def _levels(figures: MetricReport) -> dict[str, str | None]:
    """Return a metric's escalation levels as CSV cells: ``50%=INSTANT;75%=INSTANT``, next."""
    following = figures.next_escalation
    reached = ";".join(
        f"{level.label}={'' if level.at is None else level.at.isoformat()}"
        for level in figures.escalations
    )
    return {
        "levels_reached": reached,
        "next_level": None if following is None else following.label,
        "next_level_at": None
        if following is None or following.at is None
        else following.at.isoformat(),
    }


def _next_level(figures: MetricReport) -> str:
    """Return a table's next-level cell: ``90% 2026-11-25T12:36:00+00:00``, ``breach`` (at due)."""
    following = figures.next_escalation
    if following is None:
        return "-"
    if following.breach:
        return "breach"
    when = "paused" if following.at is None else following.at.isoformat()
    return f"{following.label} {when}"


def _item(ticket: Ticket, report: Report, explain: bool) -> dict[str, Any]:
    metrics = {}
    for metric, figures in report.items():
        metrics[metric] = figures.to_dict(intervals=explain)
    return {
        "id": ticket.id,
        "customer": ticket.customer,
        "priority": report.priority,
        # Which policy judged it: a policy set chooses one per ticket.
        "policy": report.policy,
        "policy_version": report.policy_version,
        "metrics": metrics,
    }


class EvaluateWriter:
    """Collects ``evaluate``'s tickets one by one into a spool, then writes the whole output."""

    def __init__(self, form: str, *, explain: bool, neutralise: bool, colour: bool = False) -> None:
        self.form = form
        self.explain = explain
        self.neutralise = neutralise
        self.colour = colour
        self.count = 0
        #: Every metric status seen, for ``--fail-on``.
        self.statuses: set[str] = set()
        self.spool = _Spool()
        self.notes = _Spool()  # the --explain sections of a table
        self.widths = [len(header) for header in _TABLE_HEADERS]

    def close(self) -> None:
        self.spool.close()
        self.notes.close()

    def add(self, ticket: Ticket, report: Report) -> None:
        """Render one ticket's report and keep it."""
        self.add_rendered(render_ticket(self.form, self.explain, self.neutralise, ticket, report))

    def add_rendered(self, rendered: Rendered) -> None:
        """Keep one ticket rendered by ``render_ticket`` (here or in a worker process)."""
        self.count += 1
        self.statuses.update(rendered.statuses)
        self.spool.write(rendered.text)
        if rendered.notes:
            self.notes.write(rendered.notes)
        if rendered.widths:
            self.widths = [
                max(width, cell) for width, cell in zip(self.widths, rendered.widths, strict=True)
            ]

    def write(self, stream: TextIO, *, policy: str, now: str, skipped: int) -> None:
        """Write the whole output to ``stream``."""
        if self.form == "json":
            head = {"format_version": FORMAT_VERSION, "policy": policy, "now": now}
            head["skipped"] = skipped
            text = json.dumps(head, indent=2, ensure_ascii=False)
            stream.write(safe_text(text[:-2] + ',\n  "tickets": ['))
            first = True
            for line in self.spool.lines():
                item = json.loads(line)  # the ticket's indented JSON (render_ticket)
                stream.write(safe_text(("\n    " if first else ",\n    ") + item))
                first = False
            stream.write("]\n}\n" if first else "\n  ]\n}\n")
        elif self.form == "csv":
            stream.write(",".join(EVALUATE_COLUMNS) + "\n")
            for line in self.spool.lines():
                stream.write(safe_text(line))
        else:
            stream.write(safe_text(f"policy {policy}, as at {now}: {self.count} tickets\n\n"))
            stream.write(text_table_line(_TABLE_HEADERS, self.widths, _TABLE_RIGHT))
            stream.write(text_table_rule(self.widths))
            # The status column starts after the columns before it and their two-space gaps.
            status_at = sum(self.widths[:_STATUS_COLUMN]) + 2 * _STATUS_COLUMN
            for line in self.spool.lines():
                text = safe_text(text_table_line(json.loads(line), self.widths, _TABLE_RIGHT))
                stream.write(colour_word(text, status_at) if self.colour else text)
            for line in self.notes.lines():
                stream.write(safe_text(line))


@contextlib.contextmanager
def output_stream(output: str | os.PathLike[str] | None, out: TextIO) -> Iterator[TextIO]:
    """Yield where the output goes: ``out``, or ``output`` written atomically (all or nothing)."""
    if output and output != "-":
        with atomic_stream(Path(output)) as stream:
            yield stream
    else:
        yield out
