"""Calendars from configuration: a named set of calendars in TOML, JSON or YAML.

A file holds a ``calendars`` table; each entry is a calendar definition or a
composition of other entries by name::

    [calendars.support]
    tz = "Europe/London"
    hours = { mon-sun = "07:00-22:00" }
    holidays = { country = "GB", subdiv = "ENG" }

    [calendars.site]
    tz = "Europe/London"
    hours = { mon-sat = "08:00-18:00" }

    [calendars]
    onsite = "support & site"

Validation is done by pydantic models (a plain reader that shares their rules reads
valid files without importing pydantic); every problem becomes a
``ConfigError`` naming the file, the dotted field path
and the problem. Loading never executes code from the file (``tomllib``,
``json`` and ``yaml.safe_load``). ``docs/config.md`` describes the format.

>>> cals = loads_calendars('''
... [calendars.london]
... tz = "Europe/London"
... hours = { mon-fri = "09:00-17:00" }
... [calendars.new_york]
... tz = "America/New_York"
... hours = { mon-fri = "09:00-17:00" }
... [calendars]
... desk = "london | new_york"
... ''')
>>> sorted(cals)
['desk', 'london', 'new_york']
>>> dump_calendars(cals)["calendars"]["desk"]
'london | new_york'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from slaclock._lazy import lazy_attributes as _lazy_attributes
from slaclock.config._documents import parse_document, read_document
from slaclock.config._expressions import parse_expression
from slaclock.config._fields import NAME_RE
from slaclock.engine._text import brief
from slaclock.engine.calendar import Calendar
from slaclock.errors import ConfigError

if TYPE_CHECKING:
    from slaclock.config._dump import calendar_to_config, dump_calendars, dumps_calendars
    from slaclock.config._models import (
        CalendarConfig,
        CalendarSet,
        HolidaysConfig,
        RecurringConfig,
    )

__all__ = [
    "NAME_RE",
    "CalendarConfig",
    "CalendarSet",
    "HolidaysConfig",
    "RecurringConfig",
    "calendar_to_config",
    "calendars_from_mapping",
    "dump_calendars",
    "dumps_calendars",
    "load_calendars",
    "loads_calendars",
    "parse_expression",
    "read_document",
]

# Imported on first use: the models need pydantic (about 0.1 s), which reading a
# plain calendar file does not.
_LAZY = {
    "CalendarConfig": "slaclock.config._models",
    "CalendarSet": "slaclock.config._models",
    "HolidaysConfig": "slaclock.config._models",
    "RecurringConfig": "slaclock.config._models",
    "calendar_to_config": "slaclock.config._dump",
    "dump_calendars": "slaclock.config._dump",
    "dumps_calendars": "slaclock.config._dump",
}


__getattr__ = _lazy_attributes(__name__, _LAZY, globals())


def calendars_from_mapping(data: object, source: str = "<string>") -> dict[str, Calendar]:
    """Return the calendars named in ``data["calendars"]`` (parsed TOML, JSON or YAML).

    ``source`` names where the data came from in error messages.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a table with a 'calendars' table, got {brief(data)}")
    if "calendars" not in data:
        raise ConfigError(f"{source}: calendars: missing; the file needs a [calendars] table")
    from slaclock.config._entries import plain_calendars

    built = plain_calendars(data, source)
    if built is not None:
        return built
    # Not a document the plain reader vouches for: the models accept it or say what is wrong.
    from pydantic import ValidationError

    from slaclock.config._models import CalendarSet, problems

    try:
        model = CalendarSet.model_validate(data)
    except ValidationError as exc:
        raise problems(exc, source) from None
    return model.build(source)


def loads_calendars(
    text: str | bytes, format: str = "toml", source: str = "<string>"
) -> dict[str, Calendar]:
    """Return the calendars in ``text``, written in ``format`` ("toml", "json" or "yaml")."""
    return calendars_from_mapping(parse_document(text, format, source), source)


def load_calendars(path: str | os.PathLike[str]) -> dict[str, Calendar]:
    """Return the calendars in the file at ``path`` (``.toml``, ``.json``, ``.yaml``/``.yml``)."""
    return calendars_from_mapping(read_document(path), str(path))
