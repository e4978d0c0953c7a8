"""``evaluate``'s output, written as the tickets come: memory does not grow with the tickets.

Each ticket's lines are rendered as soon as it is evaluated and kept in a spool
(a temporary file, in memory while small) rather than as result objects. The
document is assembled from the spool at the end, since its head says how many
tickets were read and skipped and a table's columns are as wide as their widest
cell. The output is the same, byte for byte, as rendering everything at once.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from slaclock.cli._errors import safe_text
from slaclock.cli._files import atomic_stream
from slaclock.cli._output import FORMAT_VERSION, colour_word
from slaclock.cli._ticket_json import ticket_json
from slaclock.engine._iso import iso_instant
from slaclock.reports._render import (
    human_duration,
    inert_cell,
    terminal_safe,
    text_table_line,
    text_table_rule,
)
from slaclock.sla.results import MetricReport, Report
from slaclock.sla.tickets import Ticket

if TYPE_CHECKING:
    from slaclock.reports.periods import ReportingPeriod
    from slaclock.sla.policy import Policy

__all__ = [
    "EVALUATE_COLUMNS",
    "EvaluateWriter",
    "Rendered",
    "Share",
    "ShareSink",
    "Tickets",
    "output_stream",
    "render_ticket",
]

#: How much a spool holds in memory before it moves to a temporary file.
_SPOOL_MEMORY = 8 * 1024 * 1024
#: How much text is copied at a time from a spool to the output.
_CHUNK = 1024 * 1024
#: How spools hold text: what rendering leaves of a lone surrogate is escaped on the way out.
_TEXT: dict[str, Any] = {"encoding": "utf-8", "errors": "surrogatepass", "newline": ""}

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
    """Text written now and read back once: in memory up to ``_SPOOL_MEMORY``, or a named file.

    Given a folder (a ``--jobs`` worker's share of the output), it is a file there that stays,
    by its ``name``, for the parent to read back once the worker is done.
    """

    def __init__(self, folder: str | None = None) -> None:
        self.name = ""
        #: How many characters were written: past ``_SPOOL_MEMORY``, the spool is a file.
        self.written = 0
        self.file: IO[str]
        if folder is None:
            self.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by close()
                max_size=_SPOOL_MEMORY, mode="w+", **_TEXT
            )
        else:
            handle, self.name = tempfile.mkstemp(dir=folder, suffix=".part")
            self.file = os.fdopen(handle, "w+", **_TEXT)

    def write(self, text: str) -> None:
        self.written += len(text)
        self.file.write(text)

    def close(self) -> None:
        self.file.close()


def _copy(file: IO[str], on_disk: bool, stream: TextIO, skip: int = 0) -> bool:
    """Copy the text of ``file`` but its first ``skip`` characters to ``stream``; return if any.

    What is skipped is ASCII. From a file on disk to a UTF-8 file (``--output``, standard
    output sent to a file) the bytes are copied as they are, by the kernel where it can.
    """
    target = _byte_target(stream) if on_disk else None
    if target is not None:
        file.flush()
        source = file.fileno()
        size = os.fstat(source).st_size
        stream.flush()
        _copy_bytes(source, target, skip, size)
        return size > 0
    copied = False
    for chunk in _chunks(file):
        stream.write(chunk if copied else chunk[skip:])
        copied = True
    return copied


def _byte_target(stream: TextIO) -> int | None:
    """Return the descriptor under ``stream`` if bytes of UTF-8 text can go straight to it."""
    if os.linesep != "\n" or codecs.lookup(stream.encoding or "ascii").name != "utf-8":
        return None  # the text would be translated on its way to the file
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None


def _copy_bytes(source: int, target: int, start: int, end: int) -> None:
    """Append the bytes ``start`` to ``end`` of the file ``source`` to the file ``target``."""
    at = start
    with contextlib.suppress(OSError, AttributeError):  # not between these two: read and write
        while at < end:
            copied = os.copy_file_range(source, target, end - at, at)
            if not copied:
                break
            at += copied
    while at < end:
        data = os.pread(source, min(_CHUNK, end - at), at)
        if not data:
            raise OSError(f"a spool of the output ended at byte {at} of {end}")
        view = memoryview(data)
        while view:
            view = view[os.write(target, view) :]
        at += len(data)


def _chunks(file: IO[str]) -> Iterator[str]:
    """Yield the text of ``file`` from its start in large pieces."""
    file.seek(0)
    while chunk := file.read(_CHUNK):
        yield chunk


def _lines(file: IO[str]) -> Iterator[str]:
    """Yield the lines of ``file`` from its start."""
    file.seek(0)
    yield from file


@dataclasses.dataclass(frozen=True)
class Rendered:
    """One ticket as ``evaluate`` prints it.

    ``text`` is the ticket's part of the output as it comes out (indented JSON after
    a comma, CSV rows), or for a table its rows of cells as JSON lines (the columns'
    widths are known at the end); ``notes`` is its ``--explain`` section of a table,
    ``statuses`` its metrics' statuses and ``widths`` the widths of its table cells.
    """

    text: str
    notes: str
    statuses: tuple[str, ...]
    widths: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True)
class Share:
    """A ``--jobs`` worker's share of ``evaluate``'s output, as it sends it back: names, figures.

    ``body`` names the file of its tickets' text (``Rendered.text`` one after
    another), ``notes`` that of their ``--explain`` sections of a table ("" if none).
    """

    body: str
    notes: str
    count: int
    statuses: frozenset[str]
    widths: tuple[int, ...]


class Tickets:
    """``evaluate``'s tickets rendered one by one into spools, with what the output's head needs.

    Kept in memory while small (one process), or in files of ``folder`` (a ``--jobs``
    worker's range, handed back as a ``Share``).
    """

    def __init__(self, form: str, explain: bool, neutralise: bool, folder: str | None = None):
        self.form = form
        self.explain = explain
        self.neutralise = neutralise
        self.count = 0
        #: Every metric status seen, for ``--fail-on``.
        self.statuses: set[str] = set()
        self.widths = [len(header) for header in _TABLE_HEADERS]
        self.body = _Spool(folder)
        # The --explain sections of a table, which come after it.
        self.notes = _Spool(folder) if form == "table" and explain else None

    def add(self, ticket: Ticket, report: Report) -> None:
        """Render one ticket's report and keep it."""
        rendered = render_ticket(self.form, self.explain, self.neutralise, ticket, report)
        self.count += 1
        self.statuses.update(rendered.statuses)
        self.body.write(rendered.text)
        if self.notes is not None:
            self.notes.write(rendered.notes)
        if rendered.widths:
            self.widths = [
                max(width, cell) for width, cell in zip(self.widths, rendered.widths, strict=True)
            ]

    def share(self) -> Share:
        """Close the files and return what they hold (for a ``--jobs`` worker's parent)."""
        self.close()
        notes = "" if self.notes is None else self.notes.name
        statuses = frozenset(self.statuses)
        return Share(self.body.name, notes, self.count, statuses, tuple(self.widths))

    def close(self) -> None:
        self.body.close()
        if self.notes is not None:
            self.notes.close()


@dataclasses.dataclass(frozen=True)
class ShareSink:
    """``evaluate``'s ``--jobs`` sink: each worker renders its range into files of ``folder``."""

    form: str
    explain: bool
    neutralise: bool
    folder: str

    def begin(self, policy: Policy, period: ReportingPeriod | None) -> _ShareTaker:
        """Return the sink one range's tickets go to: new files in the folder."""
        return _ShareTaker(Tickets(self.form, self.explain, self.neutralise, self.folder))


@dataclasses.dataclass(frozen=True)
class _ShareTaker:
    """Renders a range's tickets (``take``) and hands back the files' ``Share`` (``finish``)."""

    tickets: Tickets

    def take(self, ticket: Ticket, report: Report) -> None:
        self.tickets.add(ticket, report)

    def finish(self) -> Share:
        return self.tickets.share()


def render_ticket(
    form: str, explain: bool, neutralise: bool, ticket: Ticket, report: Report
) -> Rendered:
    """Return ``ticket`` and its ``report`` rendered for ``evaluate`` in ``form``."""
    statuses = tuple(figures.status.value for figures in report.values())
    if form == "json":
        # Written as it is to come out: after the previous ticket's comma (the first
        # ticket's is dropped), so a worker's share is copied out as it stands.
        text = ticket_json(ticket, report, explain, "    ")
        return Rendered(",\n    " + safe_text(text), "", statuses)
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
        return Rendered(safe_text(buffer.getvalue()), "", statuses)
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
                "-" if figures.due is None else iso_instant(figures.due),
                "-" if figures.breached_at is None else iso_instant(figures.breached_at),
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
        f"{level.label}={'' if level.at is None else iso_instant(level.at)}"
        for level in figures.escalations
    )
    return {
        "levels_reached": reached,
        "next_level": None if following is None else following.label,
        "next_level_at": None
        if following is None or following.at is None
        else iso_instant(following.at),
    }


def _next_level(figures: MetricReport) -> str:
    """Return a table's next-level cell: ``90% 2026-11-25T12:36:00+00:00``, ``breach`` (at due)."""
    following = figures.next_escalation
    if following is None:
        return "-"
    if following.breach:
        return "breach"
    when = "paused" if following.at is None else iso_instant(following.at)
    return f"{following.label} {when}"


class EvaluateWriter:
    """Collects ``evaluate``'s tickets, rendered as they come, then writes the whole output.

    The tickets come one by one (``add``), or as ``--jobs`` workers' shares in file
    order (``add_share``, rendered by a ``sink``): either way the output is the same.
    """

    def __init__(self, form: str, *, explain: bool, neutralise: bool, colour: bool = False) -> None:
        self.form = form
        self.explain = explain
        self.colour = colour
        self.tickets = Tickets(form, explain, neutralise)
        self.shares: list[Share] = []
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    @property
    def count(self) -> int:
        """Return how many tickets the output holds."""
        return self.tickets.count + sum(share.count for share in self.shares)

    @property
    def statuses(self) -> set[str]:
        """Return every metric status seen, for ``--fail-on``."""
        return self.tickets.statuses.union(*(share.statuses for share in self.shares))

    def close(self) -> None:
        self.tickets.close()
        if self._folder is not None:
            self._folder.cleanup()

    def add(self, ticket: Ticket, report: Report) -> None:
        """Render one ticket's report and keep it."""
        self.tickets.add(ticket, report)

    def sink(self) -> ShareSink:
        """Return the sink ``--jobs`` workers render their ranges with, into a private folder."""
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="slaclock-")
        tickets = self.tickets
        return ShareSink(self.form, tickets.explain, tickets.neutralise, self._folder.name)

    def add_share(self, share: Share) -> None:
        """Keep a worker's share (from ``sink()``), after the tickets kept so far."""
        self.shares.append(share)

    def _parts(self, notes: bool) -> Iterator[tuple[IO[str], bool]]:
        """Yield the spools of the tickets in order, or of their notes, and if each is on disk.

        Open, and closed after.
        """
        own = self.tickets.notes if notes else self.tickets.body
        if own is not None:
            yield own.file, own.written > _SPOOL_MEMORY
        for share in self.shares:
            name = share.notes if notes else share.body
            if name:
                with Path(name).open(**_TEXT) as file:
                    yield file, True

    def write(self, stream: TextIO, *, policy: str, now: str, skipped: int) -> None:
        """Write the whole output to ``stream``."""
        if self.form == "json":
            head = {"format_version": FORMAT_VERSION, "policy": policy, "now": now}
            head["skipped"] = skipped
            text = json.dumps(head, indent=2, ensure_ascii=False)
            stream.write(safe_text(text[:-2] + ',\n  "tickets": ['))
            first = True
            for file, on_disk in self._parts(notes=False):
                # Every ticket comes after a comma, but the first.
                if _copy(file, on_disk, stream, 1 if first else 0):
                    first = False
            stream.write("]\n}\n" if first else "\n  ]\n}\n")
        elif self.form == "csv":
            stream.write(",".join(EVALUATE_COLUMNS) + "\n")
            for file, on_disk in self._parts(notes=False):
                _copy(file, on_disk, stream)
        else:
            widths = list(self.tickets.widths)
            for share in self.shares:
                widths = [max(pair) for pair in zip(widths, share.widths, strict=True)]
            stream.write(safe_text(f"policy {policy}, as at {now}: {self.count} tickets\n\n"))
            stream.write(text_table_line(_TABLE_HEADERS, widths, _TABLE_RIGHT))
            stream.write(text_table_rule(widths))
            # The status column starts after the columns before it and their two-space gaps.
            status_at = sum(widths[:_STATUS_COLUMN]) + 2 * _STATUS_COLUMN
            for file, _ in self._parts(notes=False):
                for line in _lines(file):
                    text = safe_text(text_table_line(json.loads(line), widths, _TABLE_RIGHT))
                    stream.write(colour_word(text, status_at) if self.colour else text)
            for file, _ in self._parts(notes=True):
                for chunk in _chunks(file):
                    stream.write(safe_text(chunk))


@contextlib.contextmanager
def output_stream(output: str | os.PathLike[str] | None, out: TextIO) -> Iterator[TextIO]:
    """Yield where the output goes: ``out``, or ``output`` written atomically (all or nothing)."""
    if output and output != "-":
        with atomic_stream(Path(output)) as stream:
            yield stream
    else:
        yield out
