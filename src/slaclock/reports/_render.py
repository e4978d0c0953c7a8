"""Small rendering helpers shared by the reports and the command line: tables, CSV, durations."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from slaclock.sla.results import iso_duration
from slaclock.sla.targets import format_duration

__all__ = [
    "csv_text",
    "human_duration",
    "iso_duration",
    "json_text",
    "percent_text",
    "seconds",
    "text_table",
]


def seconds(value: dt.timedelta) -> float:
    """Return ``value`` in seconds (microseconds kept as the fraction)."""
    return value / dt.timedelta(seconds=1)


def human_duration(value: dt.timedelta | None) -> str:
    """Return ``value`` as ``1h30m`` text, to the nearest second (``-`` for None)."""
    if value is None:
        return "-"
    whole = dt.timedelta(seconds=round(seconds(value)))
    return format_duration(whole)


def percent_text(value: float | None, digits: int = 1) -> str:
    """Return ``value`` (a percentage) as ``95.0 %``, never rounding up to 100 (``-`` for None)."""
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    if value < 100 and float(text) >= 100:
        text = "99." + "9" * digits
    return f"{text} %"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """Return an aligned plain-text table; columns whose index is in ``right`` align right."""
    widths = [len(header) for header in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[index]) if index in right else cell.ljust(widths[index])
            for index, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    out = [line(headers), "  ".join("-" * width for width in widths)]
    out.extend(line(row) for row in rows)
    return "\n".join(out) + "\n"


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Return CSV text: RFC 4180 quoting, ``\\n`` line ends (as Unix tools expect)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def json_text(data: Any) -> str:
    """Return ``data`` as indented JSON text ending in a newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
