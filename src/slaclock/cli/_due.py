"""``slaclock due --tickets FILE``: the due instant of many tickets, one line each.

The tickets are CSV with a header naming ``id`` and ``start`` (and optionally
``target``), or JSON Lines of objects with those keys; ``-`` reads standard input.
The format is the file's extension (``.csv``, ``.jsonl``, ``.json``) or, on standard
input, what the first line looks like (``{`` starts JSON Lines). A row's ``target``
overrides ``--target``. Output is one line per ticket, in input order: ``ID<TAB>DUE``
as text, or one JSON object per line with ``--format json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from slaclock.engine.calendar import Calendar
from slaclock.errors import InputError, NoBusinessTimeError, SlaclockError
from slaclock.sla.targets import BusinessDays, Target, parse_target

__all__ = ["due_of", "due_rows", "read_rows"]


def due_of(calendar: Calendar, name: str, start: dt.datetime, target: Target) -> dt.datetime:
    """Return when ``target`` falls due on ``calendar`` for a clock started at ``start``."""
    try:
        if isinstance(target, BusinessDays):
            return target.due_from(calendar, start)
        return calendar.add(start, target.amount)
    except NoBusinessTimeError as exc:
        raise InputError(f"--calendar: {name}: {exc}") from None


def _open(path: str) -> tuple[Iterator[str], str]:
    """Return the lines of a tickets file (``-``: stdin), read as needed, and its format."""
    if path == "-":
        lines = iter(sys.stdin)
        head: list[str] = []
        for line in lines:  # the format is what the first non-blank line looks like
            head.append(line)
            if line.strip():
                break
        first = head[-1].strip() if head else ""
        kind = "jsonl" if first.startswith("{") else "csv"
        return itertools.chain(head, lines), kind
    location = Path(path)
    kind = "jsonl" if location.suffix.lower() in (".jsonl", ".json", ".ndjson") else "csv"
    return _file_lines(location), kind


def _file_lines(location: Path) -> Iterator[str]:
    with location.open(encoding="utf-8", newline="") as handle:
        try:
            yield from handle
        except UnicodeDecodeError as exc:
            raise InputError(f"{location}: not UTF-8 text ({exc.reason})") from None


def read_rows(path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(where, row)`` for each ticket in a CSV or JSON Lines file (``-``: stdin)."""
    lines, kind = _open(path)
    source = "<stdin>" if path == "-" else path
    if kind == "jsonl":
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{source}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{where}: not JSON: {exc.msg}") from None
            if not isinstance(row, dict):
                raise InputError(f"{where}: expected an object with id and start")
            yield where, row
        return
    reader = csv.DictReader(lines)
    names = [name.strip().lower() for name in reader.fieldnames or []]
    if "id" not in names or "start" not in names:
        raise InputError(f"{source}:1: the header must name id and start (got {','.join(names)})")
    reader.fieldnames = names
    for row in reader:
        if not any((value or "").strip() for value in row.values()):
            continue
        yield f"{source}:{reader.line_num}", dict(row)


def due_rows(
    calendar: Calendar,
    name: str,
    path: str,
    default: Target | None,
    instant: Callable[[str, str], dt.datetime],
    *,
    on_bad: Callable[[InputError], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield, per ticket, ``{"id", "start", "target", "due", "business_time"}`` values."""
    for where, row in read_rows(path):
        try:
            ticket = str(row.get("id") or "").strip()
            if not ticket:
                raise InputError(f"{where}: id: is empty")
            start_text = row.get("start")
            if not isinstance(start_text, str) or not start_text.strip():
                raise InputError(f"{where}: start: is missing")
            start = instant(start_text, f"{where}: start")
            written = row.get("target")
            if written not in (None, ""):
                target = parse_target(written, f"{where}: target")
            elif default is not None:
                target = default
            else:
                raise InputError(f"{where}: target: is missing and there is no --target")
            due = due_of(calendar, name, start, target)
        except SlaclockError as exc:
            error = exc if isinstance(exc, InputError) else InputError(str(exc))
            if on_bad is None:
                raise error from None
            on_bad(error)
            continue
        yield {
            "id": ticket,
            "start": start,
            "target": target,
            "due": due,
            "business_time": calendar.elapsed(start, due),
        }


def write_line(item: dict[str, Any], name: str, form: str, out: TextIO) -> None:
    """Write one ticket's line: ``ID<TAB>DUE``, or a JSON object."""
    if form == "json":
        from slaclock.cli._output import versioned
        from slaclock.reports._render import iso_duration

        data = versioned(
            {
                "id": item["id"],
                "calendar": name,
                "start": item["start"].isoformat(),
                "target": str(item["target"]),
                "business_time": iso_duration(item["business_time"]),
                "due": item["due"].isoformat(),
            }
        )
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        out.write(f"{item['id']}\t{item['due'].isoformat()}\n")
