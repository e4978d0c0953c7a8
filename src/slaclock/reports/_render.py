"""Small rendering helpers shared by the reports and the command line: tables, CSV, durations."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Collection, Sequence
from typing import Any

from slaclock.sla.targets import format_duration, iso_duration

__all__ = [
    "csv_text",
    "human_duration",
    "inert_cell",
    "iso_duration",
    "json_text",
    "percent_text",
    "seconds",
    "terminal_safe",
    "text_table",
    "text_table_line",
    "text_table_rule",
]

#: First characters a spreadsheet reads as the start of a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Cells that start with one of those yet are plain values: numbers and ISO 8601 durations.
_INERT_RE = re.compile(
    r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
    r"|-?P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?"
)
#: Controls (C0, DEL, C1), line and paragraph separators, bidi controls (Trojan Source), surrogates.
_UNSAFE_RE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def inert_cell(value: Any) -> Any:
    """Return ``value`` as a spreadsheet will not run it: text a formula could start gets a ``'``.

    OWASP's rule for CSV injection: a cell beginning with ``=``, ``+``, ``-``, ``@``,
    a tab or a carriage return is prefixed with a single quote, which spreadsheets
    show as text. Numbers (``-3.5``) and ISO 8601 durations (``-PT8H``) stay as they are.

    >>> inert_cell("=HYPERLINK(1)"), inert_cell("-12.5"), inert_cell("-PT8H"), inert_cell(3)
    ("'=HYPERLINK(1)", '-12.5', '-PT8H', 3)
    """
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_STARTS)
        and _INERT_RE.fullmatch(value) is None
    ):
        return "'" + value
    return value


def terminal_safe(text: str) -> str:
    r"""Return ``text`` with control, bidi and surrogate characters written as visible escapes.

    A name from a ticket cannot then move the cursor, retitle the terminal, clear the
    screen, start a new table row or reverse what follows it.

    >>> print(terminal_safe("acme\x1b[2J\nTOTAL\u202e"))
    acme\x1b[2J\nTOTAL\u202e
    """
    return _UNSAFE_RE.sub(_escape, text)


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    if code < 0x100:
        return _NAMED_ESCAPES.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}"


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
    """Return an aligned plain-text table; columns whose index is in ``right`` align right.

    Cells are passed through ``terminal_safe``: what a ticket says is shown, never obeyed.
    """
    headers = [terminal_safe(header) for header in headers]
    rows = [[terminal_safe(cell) for cell in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    out = [text_table_line(headers, widths, right), text_table_rule(widths)]
    out.extend(text_table_line(row, widths, right) for row in rows)
    return "".join(out)


def text_table_line(cells: Sequence[str], widths: Sequence[int], right: Collection[int]) -> str:
    """Return one line of a ``text_table`` whose columns are ``widths`` wide, with its newline."""
    parts = [
        cell.rjust(widths[index]) if index in right else cell.ljust(widths[index])
        for index, cell in enumerate(cells)
    ]
    return "  ".join(parts).rstrip() + "\n"


def text_table_rule(widths: Sequence[int]) -> str:
    """Return the dashed line under a ``text_table``'s headers."""
    return "  ".join("-" * width for width in widths) + "\n"


def csv_text(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, neutralise: bool = True
) -> str:
    """Return CSV text: RFC 4180 quoting, ``\\n`` line ends (as Unix tools expect).

    With ``neutralise`` (the default) every cell goes through ``inert_cell``, so no
    cell is a live spreadsheet formula; ``neutralise=False`` writes cells as they are.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([inert_cell(cell) for cell in row] if neutralise else row)
    return buffer.getvalue()


def json_text(data: Any) -> str:
    """Return ``data`` as indented JSON text ending in a newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
