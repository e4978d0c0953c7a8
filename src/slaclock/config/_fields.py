"""Field values of calendar files: zones, hours, dates, windows, rules and names, each checked.

Plain functions, no pydantic: the pydantic models (``_models.py``) wrap them, and the
reader that needs no pydantic (``_entries.py``) calls them directly, so both accept
and refuse the same values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from slaclock.engine._recurring import parse_rule
from slaclock.engine._text import brief
from slaclock.engine._time import zone
from slaclock.engine._windows import parse_instant
from slaclock.engine.schedule import CLOSED_WORDS, WeeklyHours, parse_date, parse_shifts
from slaclock.errors import SlaclockError

#: A calendar name: usable in expressions such as ``"support & site"``.


NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHIFT_RE = re.compile(
    r"\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\s*-\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\s*"
)


class FieldProblemError(ValueError):
    """A value a calendar file may not hold: ``problem`` says why, at sub-field ``field``.

    Internal: the pydantic models turn it into their validation error, which becomes
    the ``ConfigError`` users see.
    """

    def __init__(self, problem: str, field: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.field = field


def fail(problem: str, field: str | None = None) -> FieldProblemError:
    """Return the problem ``problem`` with a value, at sub-field ``field``."""
    return FieldProblemError(problem, field)


def strip_prefix(message: str, prefix: str) -> str:
    return message[len(prefix) :] if message.startswith(prefix) else message


# -- field values -------------------------------------------------------------


def zone_name(value: object) -> str:
    if not isinstance(value, str):
        raise fail(f"expected an IANA zone name such as 'Europe/London', got {brief(value)}")
    try:
        zone(value)
    except SlaclockError:
        raise fail(
            f"unknown time zone {brief(value)}; use an IANA name such as 'Europe/London'"
        ) from None
    return value


def hours_value(value: object) -> str | list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip().lower() in CLOSED_WORDS:
            return value
        texts = value.split(",")
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        texts = list(value)
    else:
        raise fail(
            f"expected shifts such as '09:00-17:00' (or '09:00-12:30,13:30-17:00', "
            f"a list of them, or 'closed'), got {brief(value)}"
        )
    for text in texts:
        if _SHIFT_RE.fullmatch(text) is None:
            raise fail(f"{text.strip()!r} is not HH:MM-HH:MM")
    try:
        parse_shifts(value, "hours")
    except SlaclockError as exc:
        raise fail(strip_prefix(str(exc), "hours: ")) from None
    return value


def day_key(value: object) -> str:
    if not isinstance(value, str):
        raise fail(f"day names are strings such as 'mon-fri', not {brief(value)}")
    try:
        WeeklyHours.parse({value: None})
    except SlaclockError as exc:
        raise fail(strip_prefix(str(exc), f"hours[{brief(value)}]: ")) from None
    return value


def date_value(value: object) -> dt.date:
    try:
        return parse_date(value, "date")
    except SlaclockError:
        raise fail(f"{brief(value)} is not a date (YYYY-MM-DD)") from None


def window_value(value: object) -> tuple[dt.datetime, dt.datetime]:
    if isinstance(value, Mapping):
        unknown = set(value) - {"start", "end"}
        if unknown or len(value) != 2:
            raise fail(
                f"a window is {{start = ..., end = ...}} or [start, end], got {brief(value)}"
            )
        pair = (value["start"], value["end"])
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        pair = (value[0], value[1])
    else:
        raise fail(f"a window is {{start = ..., end = ...}} or [start, end], got {brief(value)}")
    try:
        start = parse_instant(pair[0], "start")
        end = parse_instant(pair[1], "end")
    except SlaclockError as exc:
        raise fail(str(exc)) from None
    if end <= start:
        raise fail(f"end {end.isoformat()} is not after start {start.isoformat()}")
    return start, end


def rule_value(value: object) -> str:
    try:
        parse_rule(value)
    except SlaclockError as exc:
        raise fail(str(exc)) from None
    assert isinstance(value, str)
    return value


def calendar_name(value: object) -> str:
    if not isinstance(value, str) or NAME_RE.fullmatch(value) is None:
        raise fail(
            f"{brief(value)} is not a calendar name: use letters, digits and _, starting with a "
            "letter or _, so that expressions such as 'support & site' can name it"
        )
    return value
