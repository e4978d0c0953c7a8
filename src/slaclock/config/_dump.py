"""Writing calendars back to files: compositions by name where possible; TOML, JSON or YAML."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from typing import Any

from slaclock.config._fields import NAME_RE
from slaclock.engine.calendar import Calendar
from slaclock.errors import ConfigError

# -- dumping ------------------------------------------------------------------

_PRECEDENCE = {"union": 1, "intersection": 2, "difference": 3}
_SYMBOL = {"union": " | ", "intersection": " & ", "difference": " - "}


def _key(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True)


def _expression(data: Mapping[str, Any], names: Mapping[str, str], root: bool) -> str | None:
    """Return ``data`` as an expression over ``names``, or None if some part is unnamed."""
    if not root:
        name = names.get(_key(data))
        if name is not None:
            return name
    kind = data.get("kind")
    if kind not in _PRECEDENCE:
        return None
    texts: list[str] = []
    for position, part in enumerate(data["of"]):
        text = _expression(part, names, root=False)
        if text is None:
            return None
        child = part.get("kind")
        if _key(part) not in names and child in _PRECEDENCE:
            # Parenthesize what the parser would otherwise group differently.
            lower = _PRECEDENCE[child] < _PRECEDENCE[kind]
            same_on_right = position > 0 and _PRECEDENCE[child] == _PRECEDENCE[kind]
            if lower or same_on_right:
                text = f"({text})"
        texts.append(text)
    return _SYMBOL[kind].join(texts)


def _table(data: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """Return engine data (``Calendar.to_dict``) as a configuration table."""
    kind = data.get("kind", "weekly")
    if kind in _PRECEDENCE:
        items: list[Any] = []
        for part in data["of"]:
            text = _expression(part, names, root=False)
            items.append(text if text is not None else _table(part, names))
        return {kind: items}
    # Zones that are the default (UTC) are left out, as a person would write them.
    zone_part = {} if data.get("tz") == "UTC" else {"tz": data["tz"]}
    if kind in ("always", "never"):
        return {**zone_part, kind: True}
    if kind == "windows":
        if "rule" in data:
            recurring = {"rule": data["rule"], "hours": data["hours"]}
            if "start" in data:
                recurring["start"] = data["start"]
            return {"tz": data["tz"], "recurring": recurring}
        return {
            **zone_part,
            "windows": [{"start": start, "end": end} for start, end in data["between"]],
        }
    table: dict[str, Any] = {"tz": data["tz"], "hours": dict(data.get("hours", {}))}
    holidays = data.get("holidays")
    if isinstance(holidays, Mapping):
        package = {key: value for key, value in holidays.items() if key != "add"}
        table["holidays"] = package
        if holidays.get("add"):
            table["extra_holidays"] = list(holidays["add"])
    elif holidays:
        table["holidays"] = list(holidays)
    overrides = data.get("overrides")
    if overrides:
        table["overrides"] = {
            day: "closed" if hours is None else hours for day, hours in overrides.items()
        }
    return table


def calendar_to_config(calendar: Calendar) -> dict[str, Any]:
    """Return ``calendar`` as a configuration table, every part written out in full.

    >>> calendar_to_config(Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London"))
    {'tz': 'Europe/London', 'hours': {'mon-fri': '09:00-17:00'}}
    """
    return _table(calendar.to_dict(), {})


def dump_calendars(calendars: Mapping[str, Calendar]) -> dict[str, Any]:
    """Return ``{"calendars": {...}}`` that ``calendars_from_mapping`` reads back equal.

    A composition whose parts are calendars of the set is written by name
    (``"support & site"``); parts that are not are written out in full.
    """
    names: dict[str, str] = {}
    datas: dict[str, dict[str, Any]] = {}
    for name, calendar in calendars.items():
        if not isinstance(name, str) or NAME_RE.fullmatch(name) is None:
            raise ConfigError(
                f"calendars: {name!r} is not a calendar name (letters, digits and _, "
                "starting with a letter or _)"
            )
        if not isinstance(calendar, Calendar):
            raise ConfigError(f"calendars.{name}: expected a Calendar, got {calendar!r}")
        datas[name] = calendar.to_dict()
        names.setdefault(_key(datas[name]), name)
    result: dict[str, Any] = {}
    for name, data in datas.items():
        text = _expression(data, names, root=True)
        result[name] = text if text is not None else _table(data, names)
    return {"calendars": result}


def dumps_calendars(calendars: Mapping[str, Calendar], format: str = "toml") -> str:
    """Return ``calendars`` as the text of a configuration file in ``format``."""
    data = dump_calendars(calendars)
    if format == "json":
        return json.dumps(data, indent=2) + "\n"
    if format == "yaml":
        yaml = importlib.import_module("yaml")
        text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        return text
    if format == "toml":
        return _toml_document(data["calendars"])
    raise ConfigError(f"unknown format {format!r}; use 'toml', 'json' or 'yaml'")


def _toml_document(calendars: Mapping[str, Any]) -> str:
    import tomli_w

    # Named compositions ("support & site") first, as the one-line entries of [calendars].
    ordered = dict(
        sorted(calendars.items(), key=lambda item: not isinstance(item[1], str)),
    )
    try:
        text: str = tomli_w.dumps({"calendars": ordered})
    except TypeError as exc:
        raise ConfigError(f"cannot write the calendars as TOML: {exc}") from None
    return text
