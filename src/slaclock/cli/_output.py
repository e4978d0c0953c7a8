"""Where and how a command writes: ``--output``/``-o`` (``-`` is stdout), formats, JSON
versions and seconds, exit statuses for ``--fail-on``, and colour on terminals.

The exit statuses (``docs/cli.md``):

====  ===========================================================================
0     success (and, with ``--fail-on``, nothing failed)
1     the reader of stdout went away (a broken pipe)
2     bad input or usage; one line on stderr says what and where
3     ``--fail-on breached`` or ``--fail-on at_risk``: some metric is breached
4     ``--fail-on at_risk``: some metric is at risk, none is breached
70    an internal error (a bug): one line; ``--debug`` prints the traceback
130   interrupted (Ctrl-C)
====  ===========================================================================
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any, TextIO

from slaclock.cli._files import write_atomically
from slaclock.errors import InputError

__all__ = [
    "EXIT_AT_RISK",
    "EXIT_BREACHED",
    "FORMAT_VERSION",
    "colour_column",
    "colour_word",
    "emit",
    "fail_status",
    "indented_json_with_seconds",
    "json_float",
    "output_format",
    "seconds_of",
    "versioned",
    "with_seconds",
]

#: The version of every ``--format json`` document; it changes when a field changes meaning.
FORMAT_VERSION = 1
EXIT_BREACHED = 3
EXIT_AT_RISK = 4

#: Extensions that name a format, and the format each names.
_EXTENSIONS = {
    "json": "json",
    "csv": "csv",
    "html": "html",
    "htm": "html",
    "txt": "text",
    "text": "text",
    "jsonl": "jsonl",
}
_ISO_DURATION = re.compile(r"-?PT(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?")
#: The same, with its parts: sign, hours, minutes, whole seconds, decimals.
_ISO_PARTS = re.compile(r"(-?)PT(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?")
#: The longest text read for its seconds: a report's durations are far shorter (the whole
#: datetime range is 12 digits of seconds); longer text, from a ticket's own fields, gets none.
_MAX_DURATION_TEXT = 40


def output_format(args: argparse.Namespace, choices: Sequence[str]) -> str:
    """Return ``--format``, or the one ``--output``'s extension names, or the first choice.

    An extension that names a format (``.json``, ``.csv``, ``.html``, ``.txt``) but
    disagrees with ``--format``, or that this command cannot write, raises ``InputError``.
    """
    output = getattr(args, "output", None)
    named = None
    if output and output != "-":
        named = _EXTENSIONS.get(Path(output).suffix.lower().lstrip("."))
        if named == "text" and "text" not in choices and "table" in choices:
            named = "table"
    given = getattr(args, "format", None)
    if given:
        plain = {given, named} <= {"text", "table"}
        if named is not None and named != given and not plain:
            raise InputError(
                f"--output: {output} names the {named} format but --format is {given}; "
                f"change one of them"
            )
        return str(given)
    if named is not None:
        if named not in choices:
            raise InputError(
                f"--output: {output}: this command cannot write {named}; "
                f"use --format with one of {', '.join(choices)}"
            )
        return named
    return choices[0]


def emit(text: str, args: argparse.Namespace, out: TextIO) -> None:
    """Write ``text`` to ``--output`` atomically, or to ``out`` if there is none or it is ``-``."""
    output = getattr(args, "output", None)
    if output and output != "-":
        write_atomically(output, text)
    else:
        out.write(text)


def with_seconds(data: Any) -> Any:
    """Return ``data`` with a ``NAME_seconds`` number beside every ISO 8601 duration ``NAME``.

    Lists and nested mappings are walked; a ``NAME_seconds`` already there is kept.

    >>> with_seconds({"elapsed": "PT1H30M", "cycles": [{"over": "-PT15M"}]})["cycles"]
    [{'over': '-PT15M', 'over_seconds': -900.0}]
    """
    if isinstance(data, list):
        return [with_seconds(item) for item in data]
    if not isinstance(data, dict):
        return data
    result: dict[str, Any] = {}
    for key, value in data.items():
        result[key] = with_seconds(value)
        name = f"{key}_seconds"
        if isinstance(value, str) and name not in data:
            number = seconds_of(value)
            if number is not None:
                result[name] = number
    return result


def seconds_of(text: str) -> float | None:
    """Return the seconds of ``text`` if it is an ISO 8601 duration, else ``None``.

    Text longer than any duration a report writes (a ticket's own field: an id
    ``PT`` and 5,000 digits) gets None, before the cache, which so holds short text only.
    """
    return None if len(text) > _MAX_DURATION_TEXT else _short_seconds(text)


@functools.lru_cache(maxsize=4096)
def _short_seconds(text: str) -> float | None:
    """Return ``seconds_of(text)`` for short text (cached: a report repeats a few durations)."""
    return _seconds(text) if _ISO_DURATION.fullmatch(text) else None


def indented_json_with_seconds(data: Any, margin: str = "") -> str:
    """Return ``json.dumps(with_seconds(data), indent=2, ensure_ascii=False)``, every line
    after the first starting with ``margin``: the same text, written in one pass.

    ``json.dumps`` with ``indent`` runs its pure-Python encoder; this walks the value once,
    leaves strings to the C string encoder and adds the seconds on the way.

    >>> print(indented_json_with_seconds({"elapsed": "PT1M", "cycles": []}))
    {
      "elapsed": "PT1M",
      "elapsed_seconds": 60.0,
      "cycles": []
    }
    """
    parts: list[str] = []
    _write(data, "\n" + margin, parts)
    return "".join(parts)


_encode_string = encode_basestring  # what json.dumps(ensure_ascii=False) uses


def _write(value: Any, newline: str, parts: list[str], seconds: bool = True) -> None:
    """Append ``value``'s indented JSON to ``parts``, its lines after the first at ``newline``.

    The same tests in the same order as ``json``'s encoder, so a value is written as it
    would be; ``seconds`` is false inside a tuple, which ``with_seconds`` leaves alone.
    """
    if isinstance(value, str):
        parts.append(_encode_string(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(json_float(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        opening = "[" + inner
        walk = seconds and isinstance(value, list)
        for item in value:
            parts.append(opening)
            opening = "," + inner
            _write(item, inner, parts, walk)
        parts.append(newline + "]")
    elif isinstance(value, dict) and all(type(key) is str for key in value):
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        opening = "{" + inner
        for key, item in value.items():
            parts.append(opening + _encode_string(key) + ": ")
            opening = "," + inner
            _write(item, inner, parts, seconds)
            if seconds and isinstance(item, str) and (name := f"{key}_seconds") not in value:
                number = seconds_of(item)
                if number is not None:
                    parts.append(opening + _encode_string(name) + ": " + json_float(number))
        parts.append(newline + "}")
    else:  # keys that are not strings, objects json refuses: json itself says
        text = json.dumps(with_seconds(value) if seconds else value, indent=2, ensure_ascii=False)
        parts.append(text.replace("\n", newline))


def json_float(value: float) -> str:
    """Return a float's JSON as ``json.dumps`` writes it (``NaN``, ``Infinity`` included)."""
    if math.isnan(value):
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


_INFINITY = float("inf")


def _seconds(text: str) -> float:
    """Return the seconds of an ISO 8601 duration that ``_ISO_DURATION`` matched, exactly
    rounded, whatever its length (a ticket open for years on a 24x7 calendar)."""
    parts = _ISO_PARTS.fullmatch(text)
    assert parts is not None  # the same shape as _ISO_DURATION
    sign, hours, minutes, whole, fraction = parts.groups()
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(whole or 0)
    # An exact fraction over a power of ten: true division of ints rounds once, correctly.
    scale: int = 10 ** len(fraction or "")
    micros = total * scale + int(fraction or 0)
    return (-micros if sign else micros) / scale


def versioned(data: dict[str, Any]) -> dict[str, Any]:
    """Return a JSON document: ``format_version`` first, seconds beside every duration."""
    return {"format_version": FORMAT_VERSION, **with_seconds(data)}


def fail_status(statuses: Iterable[str], fail_on: str | None) -> int:
    """Return the exit status ``--fail-on`` asks for, given the statuses of every metric."""
    if fail_on is None:
        return 0
    seen = set(statuses)
    if "breached" in seen:
        return EXIT_BREACHED
    if fail_on == "at_risk" and "at_risk" in seen:
        return EXIT_AT_RISK
    return 0


_COLOURS = {"breached": "31", "at_risk": "33", "met": "32", "running": "36", "paused": "34"}


def wants_colour(stream: IO[Any], environ: dict[str, str] | None = None) -> bool:
    """Return whether to colour text on ``stream``: a terminal, and no ``NO_COLOR`` set."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def colour_column(table: str, header: str) -> str:
    """Return a ``text_table`` with the words in column ``header`` coloured (ANSI) by status.

    Colouring after the layout keeps the columns aligned: escape codes take no room.
    """
    lines = table.split("\n")
    heading = next(
        (
            (number, found.start())
            for number, line in enumerate(lines)
            if (found := re.search(rf"(?<!\S){re.escape(header)}(?!\S)", line))
        ),
        None,
    )
    if heading is None:
        return table
    first, column = heading
    for index in range(first + 2, len(lines)):
        lines[index] = colour_word(lines[index], column)
    return "\n".join(lines)


def colour_word(line: str, column: int) -> str:
    """Return ``line`` with the status word starting at ``column`` coloured (ANSI), if it is one."""
    word = re.match(r"\S+", line[column:])
    if word is None or word.group() not in _COLOURS:
        return line
    end = column + word.end()
    return f"{line[:column]}\x1b[{_COLOURS[word.group()]}m{word.group()}\x1b[0m{line[end:]}"
