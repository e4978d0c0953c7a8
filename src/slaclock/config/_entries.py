"""The rules of calendar entries, and a reader of calendar files that needs no pydantic.

Every rule a calendar table obeys beyond its single fields (which fields a table
takes, one kind per calendar, holiday codes, recurring rules' anchors) is a plain
function here; the pydantic models (``_models.py``) call them, and so does
``plain_calendars``, which ``slaclock due``, ``elapsed`` and ``open`` use to read a
calendar file without importing pydantic (about 0.1 s of start-up).

``plain_calendars`` reads only documents it can vouch for: plain ``dict``, ``list``,
``str`` and ``bool`` values that every rule accepts. On anything else (a problem, a
``null``, a type pydantic would coerce) it returns None and the caller validates
with the models, so every error message still comes from one place.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from slaclock.config._expressions import Op, Ref, expression_value
from slaclock.config._fields import (
    FieldProblemError,
    calendar_name,
    date_value,
    day_key,
    fail,
    hours_value,
    rule_value,
    strip_prefix,
    window_value,
    zone_name,
)
from slaclock.engine._holiday_cache import entry as cached_holidays
from slaclock.engine._holidays import holiday_class, load_holidays
from slaclock.engine._recurring import parse_rule, rule_parts
from slaclock.engine._text import brief
from slaclock.engine.calendar import Calendar
from slaclock.engine.schedule import CLOSED_WORDS, WeeklyHours
from slaclock.engine.windows import Windows
from slaclock.errors import ConfigError, SlaclockError

#: The fields of each table, in the order error messages list them.
CALENDAR_FIELDS = (
    "tz",
    "hours",
    "holidays",
    "extra_holidays",
    "overrides",
    "always",
    "never",
    "windows",
    "recurring",
    "union",
    "intersection",
    "difference",
)
HOLIDAYS_FIELDS = ("country", "subdiv", "market", "categories", "observed", "remove")
RECURRING_FIELDS = ("rule", "hours", "start")
COMPOSITIONS = ("union", "intersection", "difference")
KINDS = ("hours", "always", "never", "windows", "recurring", *COMPOSITIONS)


class Buildable(Protocol):
    """A calendar table, validated: it builds its calendar, resolving names in compositions."""

    def build(self, resolve: Callable[[str], Calendar]) -> Calendar: ...


class Holidays(Protocol):
    """A holidays table, validated: it gives the holiday data the engine reads."""

    def to_engine(self, extra: list[dt.date] | None) -> dict[str, Any]: ...


# -- the rules ----------------------------------------------------------------


def check_known(keys: Iterable[object], known: Collection[str], what: str) -> None:
    """Raise ``FieldProblemError`` for the first key not in ``known``, suggesting the one meant."""
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f"; did you mean {brief(close[0])}?" if close else ""
            raise fail(f"unknown field {brief(key)}{hint} ({what} takes {', '.join(known)})")


def check_holidays(
    country: str | None, subdiv: str | None, market: str | None, categories: list[str] | None
) -> None:
    """Raise ``FieldProblemError`` unless the ``holidays`` package knows the country or market.

    A request whose dates the holiday cache holds for the installed package's version
    was known when they were computed: the package is not imported to ask again.
    """
    if country is None and market is None:
        raise fail("give a country (such as 'GB') or a market (such as 'XNYS')")
    if country is not None and market is not None:
        raise fail("give a country or a market, not both", "market")
    if market is None or (subdiv is None and categories is None):
        kind, code = ("countries", country) if market is None else ("financial", market)
        assert code is not None
        for observed in (True, False):
            cached = cached_holidays(kind, code, subdiv, categories, observed)
            if cached is not None and cached.attributes is not None:
                return
    package = importlib.import_module("holidays")
    if market is not None:
        if market not in holiday_codes(package, financial=True):
            raise fail(
                f"unknown market {brief(market)}; the holidays package has no such "
                "financial market (try 'XNYS' or 'XLON')",
                "market",
            )
        if subdiv is not None:
            raise fail("a market has no subdivisions", "subdiv")
        if categories is not None:
            raise fail("categories apply to country holidays only", "categories")
        return
    assert country is not None
    codes = holiday_codes(package, financial=False)
    if country not in codes:
        close = difflib.get_close_matches(country.upper(), codes, n=1)
        hint = f"; did you mean {brief(close[0])}?" if close else ""
        raise fail(
            f"unknown country code {brief(country)}: the holidays package has no such "
            f"country (use ISO 3166 codes such as 'GB'){hint}",
            "country",
        )
    try:
        found = load_holidays(package, country, subdiv=subdiv)
    except NotImplementedError:
        entity = holiday_class(package, country) or getattr(package, country)
        known = ", ".join(entity.subdivisions) or "none"
        raise fail(
            f"unknown subdivision {brief(subdiv)} of {country} (known: {known})", "subdiv"
        ) from None
    if categories is not None:
        supported = sorted(found.supported_categories)
        for name in categories:
            if name not in supported:
                raise fail(
                    f"unknown category {brief(name)} for {country} (known: {', '.join(supported)})",
                    "categories",
                )


def holiday_codes(package: Any, *, financial: bool) -> list[str]:
    """Return the country (or market) codes the ``holidays`` package knows, without importing them.

    Its ``list_supported_countries()`` imports every country to list subdivisions too.
    """
    try:
        loader = importlib.import_module("holidays.registry").EntityLoader
        found = loader.get_financial_codes() if financial else loader.get_country_codes()
        return list(found)
    except (ImportError, AttributeError):
        listed = (
            package.list_supported_financial() if financial else package.list_supported_countries()
        )
        return list(listed)


def holidays_data(fields: Mapping[str, Any], extra: list[dt.date] | None) -> dict[str, Any]:
    """Return the holiday data the engine reads (``{"country": ..., "add": [...]}``)."""
    market = fields.get("market")
    data: dict[str, Any] = (
        {"market": market} if market is not None else {"country": fields["country"]}
    )
    if fields.get("subdiv") is not None:
        data["subdiv"] = fields["subdiv"]
    if fields.get("categories") is not None:
        data["categories"] = list(fields["categories"])
    if not fields.get("observed", True):
        data["observed"] = False
    if extra:
        data["add"] = list(extra)
    if fields.get("remove"):
        data["remove"] = list(fields["remove"])
    return data


def check_recurring(rule: str, hours: object, start: dt.date | None) -> None:
    """Raise ``FieldProblemError`` unless recurring windows have hours and one anchor at most."""
    if hours is None or (isinstance(hours, str) and hours.strip().lower() in CLOSED_WORDS):
        raise fail(
            f"recurring windows need hours such as '02:00-06:00', not {brief(hours)}", "hours"
        )
    body, dtstart = parse_rule(rule)
    if dtstart is not None and start is not None:
        raise fail("the rule has a DTSTART line; give that or start, not both", "start")
    if dtstart is None and start is None and "COUNT" in rule_parts(body):
        raise fail(
            "required when the rule has a COUNT, which counts from the rule's start", "start"
        )


def calendar_kind(fields: Mapping[str, Any]) -> str:
    """Return which kind a calendar table is; raise ``FieldProblemError`` unless exactly one."""
    given = [name for name in KINDS if fields.get(name) is not None]
    if not given:
        raise fail(f"a calendar needs one of {', '.join(KINDS)}")
    if len(given) > 1:
        raise fail(f"give only one of {' and '.join(given)}: they are different kinds")
    kind = given[0]
    if kind in ("always", "never") and fields[kind] is not True:
        other = "never" if kind == "always" else "always"
        raise fail(f"write {kind} = true (or {other} = true)", kind)
    if kind != "hours":
        for name in ("holidays", "extra_holidays", "overrides"):
            if fields.get(name) is not None:
                raise fail(f"only a weekly calendar (one with hours) has {name}", name)
    if kind in COMPOSITIONS:
        if fields.get("tz") is not None:
            raise fail(f"a {kind} answers in its first calendar's zone; it takes no tz", "tz")
    elif kind in ("hours", "recurring") and fields.get("tz") is None:
        raise fail(
            f"required for {'weekly hours' if kind == 'hours' else 'recurring windows'}: "
            "an IANA zone such as 'Europe/London'",
            "tz",
        )
    if fields.get("hours") is not None:
        try:
            WeeklyHours.parse(fields["hours"])
        except SlaclockError as exc:
            raise fail(strip_prefix(str(exc), "hours: "), "hours") from None
    return kind


# -- building -----------------------------------------------------------------


def build_calendar(fields: Mapping[str, Any], resolve: Callable[[str], Calendar]) -> Calendar:
    """Return the calendar of a validated table's ``fields``, resolving names with ``resolve``."""
    kind = next(name for name in KINDS if fields.get(name) is not None)
    tz: str | None = fields.get("tz")
    if kind == "hours":
        assert tz is not None
        return Calendar.weekly(
            fields["hours"], tz=tz, holidays=_holidays(fields), overrides=fields.get("overrides")
        )
    if kind == "always":
        return Calendar.always(tz or "UTC")
    if kind == "never":
        return Calendar.never(tz or "UTC")
    if kind == "windows":
        return Windows.between(fields["windows"], tz=tz or "UTC")
    if kind == "recurring":
        recurring = fields["recurring"]
        assert tz is not None
        return Windows.recurring(recurring.rule, recurring.hours, tz=tz, start=recurring.start)
    items = [build_item(item, resolve) for item in fields[kind]]
    if kind == "union":
        return Calendar.union(*items)
    if kind == "intersection":
        return Calendar.intersection(*items)
    return items[0] - items[1]


def build_item(item: Ref | Op | Buildable, resolve: Callable[[str], Calendar]) -> Calendar:
    """Return the calendar of an entry: an expression or a table."""
    return item.evaluate(resolve) if isinstance(item, (Ref, Op)) else item.build(resolve)


def references(fields: Mapping[str, Any]) -> list[str]:
    """Return the calendar names a table's compositions refer to."""
    found: list[str] = []
    for item in fields.get("union") or fields.get("intersection") or fields.get("difference") or ():
        found.extend(item.names() if isinstance(item, (Ref, Op)) else item.references())
    return found


def _holidays(fields: Mapping[str, Any]) -> object:
    extra = fields.get("extra_holidays")
    holidays = fields.get("holidays")
    if holidays is not None and not isinstance(holidays, list):
        table: Holidays = holidays
        return table.to_engine(extra)
    if holidays is None and extra is None:
        return None
    return set(holidays or ()) | set(extra or ())


def build_set(entries: Mapping[str, Ref | Op | Buildable], source: str) -> dict[str, Calendar]:
    """Return every calendar by name; raise ConfigError for unknown names and cycles."""
    built: dict[str, Calendar] = {}
    visiting: list[str] = []

    def resolve(name: str) -> Calendar:
        found = built.get(name)
        if found is not None:
            return found
        if name not in entries:
            referrer = visiting[-1] if visiting else name
            close = difflib.get_close_matches(name, list(entries), n=1)
            hint = f"; did you mean {brief(close[0])}?" if close else ""
            raise ConfigError(
                f"{source}: calendars.{referrer}: unknown calendar {brief(name)}{hint} "
                f"(defined: {', '.join(entries)})"
            )
        if name in visiting:
            chain = [*visiting[visiting.index(name) :], name]
            raise ConfigError(
                f"{source}: calendars.{chain[0]}: composition cycle {' -> '.join(chain)}"
            )
        visiting.append(name)
        try:
            calendar = build_item(entries[name], resolve)
        except ConfigError:
            raise
        except SlaclockError as exc:
            raise ConfigError(f"{source}: calendars.{name}: {exc}") from exc
        visiting.pop()
        built[name] = calendar
        return calendar

    return {name: resolve(name) for name in entries}


# -- reading without pydantic ---------------------------------------------------


class _UnsureError(Exception):
    """A value the plain reader leaves to the models (a coercion, a ``null``, a problem)."""


class _Table:
    """A validated table read without pydantic: its fields by name."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def build(self, resolve: Callable[[str], Calendar]) -> Calendar:
        return build_calendar(self.fields, resolve)

    def references(self) -> list[str]:
        return references(self.fields)

    def to_engine(self, extra: list[dt.date] | None) -> dict[str, Any]:
        return holidays_data(self.fields, extra)


class _Recurring(NamedTuple):
    """A validated recurring table read without pydantic."""

    rule: str
    hours: str | list[str] | None
    start: dt.date | None


def plain_calendars(data: Mapping[str, Any], source: str) -> dict[str, Calendar] | None:
    """Return the calendars of ``data["calendars"]`` read without pydantic, or None if unsure.

    None means: validate with the models, which accept the document or say what is wrong.
    """
    entries = data.get("calendars")
    if type(entries) is not dict:
        return None
    read: dict[str, Ref | Op | Buildable] = {}
    try:
        for name, value in entries.items():
            read[calendar_name(name)] = _entry(value)
    except (FieldProblemError, _UnsureError):
        return None
    return build_set(read, source)


def _entry(value: object) -> Ref | Op | _Table:
    if type(value) is str:
        return expression_value(value)
    if type(value) is dict:
        return _calendar_table(value)
    raise _UnsureError


def _calendar_table(value: dict[Any, Any]) -> _Table:
    _keys(value, CALENDAR_FIELDS)
    fields: dict[str, Any] = {}
    for name, item in value.items():
        if name == "tz":
            fields[name] = zone_name(item)
        elif name == "hours":
            fields[name] = {day_key(key): hours_value(hours) for key, hours in _dict(item).items()}
        elif name == "holidays":
            if type(item) is list:
                fields[name] = [date_value(day) for day in item]
            else:
                fields[name] = _holidays_table(_dict(item))
        elif name == "extra_holidays":
            fields[name] = [date_value(day) for day in _list(item)]
        elif name == "overrides":
            fields[name] = {
                date_value(key): hours_value(hours) for key, hours in _dict(item).items()
            }
        elif name in ("always", "never"):
            fields[name] = _bool(item)
        elif name == "windows":
            fields[name] = [window_value(window) for window in _list(item)]
        elif name == "recurring":
            fields[name] = _recurring_table(_dict(item))
        else:  # union, intersection, difference
            items = _list(item)
            if len(items) < 2 or (name == "difference" and len(items) > 2):
                raise _UnsureError
            fields[name] = [_entry(part) for part in items]
    calendar_kind(fields)
    return _Table(fields)


def _holidays_table(value: dict[Any, Any]) -> _Table:
    _keys(value, HOLIDAYS_FIELDS)
    fields: dict[str, Any] = {}
    for name, item in value.items():
        if name in ("country", "subdiv", "market"):
            fields[name] = _str(item)
        elif name == "categories":
            fields[name] = [_str(part) for part in _list(item)]
        elif name == "observed":
            fields[name] = _bool(item)
        else:  # remove
            fields[name] = [date_value(day) for day in _list(item)]
    check_holidays(
        fields.get("country"), fields.get("subdiv"), fields.get("market"), fields.get("categories")
    )
    return _Table(fields)


def _recurring_table(value: dict[Any, Any]) -> _Recurring:
    _keys(value, RECURRING_FIELDS)
    if "rule" not in value or "hours" not in value:
        raise _UnsureError
    start = date_value(value["start"]) if "start" in value else None
    recurring = _Recurring(rule_value(value["rule"]), hours_value(value["hours"]), start)
    check_recurring(recurring.rule, recurring.hours, recurring.start)
    return recurring


def _keys(value: dict[Any, Any], known: tuple[str, ...]) -> None:
    for key, item in value.items():
        if type(key) is not str or key not in known or item is None:
            raise _UnsureError


def _dict(value: object) -> dict[Any, Any]:
    if type(value) is not dict:
        raise _UnsureError
    return value


def _list(value: object) -> list[Any]:
    if type(value) is not list:
        raise _UnsureError
    return value


def _str(value: object) -> str:
    if type(value) is not str:
        raise _UnsureError
    return value


def _bool(value: object) -> bool:
    if type(value) is not bool:
        raise _UnsureError
    return value
