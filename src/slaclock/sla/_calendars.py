"""Calendars chosen per ticket by one of its fields: a map of values, or a zone from a field.

A tier's metric may say which calendar it counts on by a ticket field::

    ola = { target = "2h", calendar = { field = "site", map = { leeds = "leeds" }, default = "hq" }}
    first_response = { target = "4h", calendar = "local", tz_from = "tz" }

The first maps the field's value to a named calendar of the policy (an unmapped
value, or a missing field, takes ``default`` when one is given and is an
``InputError`` otherwise); the second counts on the calendar ``local`` in the IANA
zone the field names (``local`` may have no ``tz`` of its own). The field is read
as the ticket was logged: a later ``field_changed`` moves no calendar.

A ``CalendarChoice`` is read once, when the policy loads (``choice_of``); ``Zoned``
builds each (calendar, zone) once, however many tickets name it.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from slaclock.engine._text import brief
from slaclock.engine._time import zone
from slaclock.engine.calendar import Calendar
from slaclock.errors import InputError, PolicyError, SlaclockError

__all__ = ["CalendarChoice", "Zoned", "choice_of", "zone_templates"]

#: Calendar kinds whose zone ``tz_from`` may set: the ones a ``tz`` belongs to.
_COMPOSED = frozenset({"union", "intersection", "difference"})
#: How many (calendar, zone) pairs one policy builds before it stops keeping them.
MAX_ZONED = 1024


@dataclasses.dataclass(frozen=True)
class CalendarChoice:
    """How a metric's calendar is chosen per ticket: by a field's value, or its zone by a field.

    With ``mapping``, the field's value names the calendar (``default`` when the
    value is unmapped or the field missing, if given). Without it, the calendar is
    ``calendar`` in the zone the field names (``tz_from``).
    """

    field: str
    mapping: tuple[tuple[str, str], ...] = ()
    default: str | None = None
    #: ``tz_from``: the calendar whose zone the field gives.
    calendar: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Return the named calendars this choice can give (none for a zone from a field)."""
        found = [name for _, name in self.mapping]
        if self.default is not None:
            found.append(self.default)
        return tuple(dict.fromkeys(found))

    @functools.cached_property
    def _lookup(self) -> dict[str, str]:
        # One dict lookup per ticket, however many values the map has.
        return dict(self.mapping)

    def __str__(self) -> str:
        if self.calendar is not None:
            return f"{self.calendar}@{{{self.field}}}"
        pairs = ", ".join(f"{value}={name}" for value, name in self.mapping)
        default = "" if self.default is None else f", else {self.default}"
        return f"{{{self.field}: {pairs}{default}}}"

    def resolve(self, fields: Mapping[str, str], who: str, what: str) -> tuple[str, str | None]:
        """Return the calendar ``fields`` choose, and the zone when the field gives one.

        ``who`` names the ticket and ``what`` the metric (``tier P3, first_response``)
        in an ``InputError`` for a missing field, an unmapped value or a bad zone.
        """
        value = fields.get(self.field)
        if self.calendar is not None:
            if value is None:
                raise InputError(
                    f"{who}: fields.{self.field}: missing; {what} counts on calendar "
                    f"{self.calendar!r} in the time zone this field names (tz_from)"
                )
            try:
                key = zone(value).key
            except SlaclockError:
                raise InputError(
                    f"{who}: fields.{self.field}: {brief(value)} is not an IANA time zone "
                    f"such as 'Europe/Paris'; {what} takes its zone from it (tz_from)"
                ) from None
            return self.calendar, key
        if value is not None:
            name = self._lookup.get(value)
            if name is not None:
                return name, None
        if self.default is not None:
            return self.default, None
        known = ", ".join(repr(written) for written, _ in self.mapping)
        problem = "missing" if value is None else f"{brief(value)} maps to no calendar"
        raise InputError(
            f"{who}: fields.{self.field}: {problem}; {what} chooses its calendar by this "
            f"field ({known}) and sets no default"
        )


def choice_of(
    written: object,
    tz_from: object,
    where: str,
    calendars: Mapping[str, Calendar],
    templates: Mapping[str, Mapping[str, Any]],
) -> CalendarChoice | None:
    """Return the choice a metric entry writes (None for a plain calendar name), checked.

    ``calendars`` are the policy's calendars and ``templates`` those a zone can be
    given to (``zone_templates``); errors are ``PolicyError`` naming ``where``.
    """
    if tz_from is not None:
        if not isinstance(tz_from, str) or not tz_from:
            raise PolicyError(f"{where}.tz_from: give a ticket field name, not {brief(tz_from)}")
        if not isinstance(written, str):
            raise PolicyError(
                f'{where}.tz_from: goes with one calendar name (calendar = "local"), '
                f"not {brief(written)}"
            )
        if written not in templates:
            raise PolicyError(
                f"{where}.calendar: {written!r} takes its zone from a field, so define it in "
                "this file's calendars table with weekly hours (not a composition, a calendar "
                f"file or an expression); defined there: {sorted(templates)}"
            )
        return CalendarChoice(tz_from, calendar=written)
    if isinstance(written, str):
        return None
    if not isinstance(written, Mapping):
        raise PolicyError(
            f"{where}.calendar: give a calendar name, or {{ field = ..., map = {{ ... }}, "
            f"default = ... }}, not {brief(written)}"
        )
    unknown = sorted(set(written) - {"field", "map", "default"})
    if unknown:
        raise PolicyError(
            f"{where}.calendar: unknown setting(s) {unknown}; a calendar chosen by a field "
            "takes field, map and default"
        )
    field = written.get("field")
    if not isinstance(field, str) or not field:
        raise PolicyError(f"{where}.calendar.field: give a ticket field name, not {brief(field)}")
    mapping = written.get("map")
    if not isinstance(mapping, Mapping) or not mapping:
        raise PolicyError(
            f"{where}.calendar.map: give field values and calendar names, such as "
            f'{{ leeds = "leeds_site" }}, not {brief(mapping)}'
        )
    default = written.get("default")

    def named(name: object, place: str) -> str:
        if not isinstance(name, str) or name not in calendars:
            raise PolicyError(
                f"{where}.calendar.{place}: no calendar named {brief(name)}; "
                f"known: {sorted(calendars)}"
            )
        return name

    pairs = tuple((str(value), named(name, f"map.{value}")) for value, name in mapping.items())
    return CalendarChoice(
        field, pairs, None if default is None else named(default, "default"), calendar=None
    )


def zone_templates(
    tiers: Sequence[Mapping[str, Mapping[str, Any]]],
    written: Mapping[str, Any],
    source: str,
) -> dict[str, dict[str, Any]]:
    """Return the calendars a ticket field may give a zone (``tz_from``), ``tz`` left out.

    They are the weekly hours (or recurring windows) of ``written`` (the policy's
    ``calendars`` table) written without a ``tz``, and those ``tiers`` (the tier
    tables, top level and every version's) use with ``tz_from``. Each is checked
    here by building it in UTC, so a mistake in one is found when the policy loads.
    """
    from slaclock.config import calendars_from_mapping

    names = [
        name
        for name, entry in written.items()
        if isinstance(entry, Mapping) and "tz" not in entry and {"hours", "recurring"} & set(entry)
    ]
    for tier in tiers:
        for metrics in tier.values():
            for spec in metrics.values():
                name = getattr(spec, "calendar", None)
                if getattr(spec, "tz_from", None) is not None and isinstance(name, str):
                    names.append(name)
    found: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(names):
        entry = written.get(name)
        if not isinstance(entry, Mapping) or _COMPOSED & set(entry):
            continue  # choice_of refuses it, naming the metric that asked
        template = {key: value for key, value in entry.items() if key != "tz"}
        calendars_from_mapping({"calendars": {name: {**template, "tz": "UTC"}}}, source=source)
        found[name] = template
    return found


class Zoned:
    """The calendars a policy builds for zones tickets name: each (calendar, zone) once."""

    def __init__(self, templates: Mapping[str, Mapping[str, Any]], source: str) -> None:
        self.templates = dict(templates)
        self.source = source
        self.built: dict[tuple[str, str], Calendar] = {}
        self.lock = threading.Lock()

    def get(self, name: str, key: str) -> Calendar:
        """Return calendar ``name`` in the IANA zone ``key``, built on first use."""
        found = self.built.get((name, key))
        if found is not None:
            return found
        from slaclock.config import calendars_from_mapping

        entry = {**self.templates[name], "tz": key}
        calendar = calendars_from_mapping({"calendars": {name: entry}}, self.source)[name]
        with self.lock:
            if len(self.built) >= MAX_ZONED:
                self.built.clear()  # a bound, not a cache policy: this many zones is unusual
            self.built[name, key] = calendar
        return calendar

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Zoned) and self.templates == other.templates

    __hash__ = None  # type: ignore[assignment]
