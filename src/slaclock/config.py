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

Validation is done by pydantic models; every problem becomes a
:class:`~slaclock.errors.ConfigError` naming the file, the dotted field path
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

import dataclasses
import datetime as dt
import difflib
import importlib
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    StrictBool,
    Tag,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from slaclock._time import zone
from slaclock.calendar import Calendar
from slaclock.errors import ConfigError, SlaclockError
from slaclock.schedule import WeeklyHours, parse_date, parse_shifts
from slaclock.windows import Windows, parse_instant, parse_rule, rule_parts

__all__ = [
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

#: A calendar name: usable in expressions such as ``"support & site"``.
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHIFT_RE = re.compile(
    r"\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\s*-\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\s*"
)
_CLOSED = frozenset({"closed", "off", "none"})
_FORMATS = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
_KINDS = ("hours", "always", "never", "windows", "recurring", "union", "intersection", "difference")
_COMPOSITIONS = ("union", "intersection", "difference")
_ERROR = "slaclock"


def _fail(problem: str, field: str | None = None) -> PydanticCustomError:
    """Return a validation error whose message is ``problem``, at sub-field ``field``."""
    context: dict[str, Any] = {"problem": problem}
    if field is not None:
        context["field"] = field
    return PydanticCustomError(_ERROR, "{problem}", context)


def _strip(message: str, prefix: str) -> str:
    return message[len(prefix) :] if message.startswith(prefix) else message


# -- field values -------------------------------------------------------------


def _zone_name(value: object) -> str:
    if not isinstance(value, str):
        raise _fail(f"expected an IANA zone name such as 'Europe/London', got {value!r}")
    try:
        zone(value)
    except SlaclockError:
        raise _fail(
            f"unknown time zone {value!r}; use an IANA name such as 'Europe/London'"
        ) from None
    return value


def _hours_value(value: object) -> str | list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip().lower() in _CLOSED:
            return value
        texts = value.split(",")
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        texts = list(value)
    else:
        raise _fail(
            f"expected shifts such as '09:00-17:00' (or '09:00-12:30,13:30-17:00', "
            f"a list of them, or 'closed'), got {value!r}"
        )
    for text in texts:
        if _SHIFT_RE.fullmatch(text) is None:
            raise _fail(f"{text.strip()!r} is not HH:MM-HH:MM")
    try:
        parse_shifts(value, "hours")
    except SlaclockError as exc:
        raise _fail(_strip(str(exc), "hours: ")) from None
    return value


def _day_key(value: object) -> str:
    if not isinstance(value, str):
        raise _fail(f"day names are strings such as 'mon-fri', not {value!r}")
    try:
        WeeklyHours.parse({value: None})
    except SlaclockError as exc:
        raise _fail(_strip(str(exc), f"hours[{value!r}]: ")) from None
    return value


def _date_value(value: object) -> dt.date:
    try:
        return parse_date(value, "date")
    except SlaclockError:
        raise _fail(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _window_value(value: object) -> tuple[dt.datetime, dt.datetime]:
    if isinstance(value, Mapping):
        unknown = set(value) - {"start", "end"}
        if unknown or len(value) != 2:
            raise _fail(f"a window is {{start = ..., end = ...}} or [start, end], got {value!r}")
        pair = (value["start"], value["end"])
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        pair = (value[0], value[1])
    else:
        raise _fail(f"a window is {{start = ..., end = ...}} or [start, end], got {value!r}")
    try:
        start = parse_instant(pair[0], "start")
        end = parse_instant(pair[1], "end")
    except SlaclockError as exc:
        raise _fail(str(exc)) from None
    if end <= start:
        raise _fail(f"end {end.isoformat()} is not after start {start.isoformat()}")
    return start, end


def _rule_value(value: object) -> str:
    try:
        parse_rule(value)
    except SlaclockError as exc:
        raise _fail(str(exc)) from None
    assert isinstance(value, str)
    return value


def _calendar_name(value: object) -> str:
    if not isinstance(value, str) or NAME_RE.fullmatch(value) is None:
        raise _fail(
            f"{value!r} is not a calendar name: use letters, digits and _, starting with a "
            "letter or _, so that expressions such as 'support & site' can name it"
        )
    return value


ZoneName = Annotated[str, PlainValidator(_zone_name)]
HoursValue = Annotated[Union[str, list[str], None], PlainValidator(_hours_value)]
DayKey = Annotated[str, PlainValidator(_day_key)]
DateValue = Annotated[dt.date, PlainValidator(_date_value)]
WindowValue = Annotated[tuple[dt.datetime, dt.datetime], PlainValidator(_window_value)]
RuleText = Annotated[str, PlainValidator(_rule_value)]
CalendarName = Annotated[str, PlainValidator(_calendar_name)]


# -- composition expressions --------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Ref:
    """A calendar named in an expression."""

    name: str

    def names(self) -> list[str]:
        """Return the names the expression refers to."""
        return [self.name]

    def evaluate(self, resolve: Callable[[str], Calendar]) -> Calendar:
        """Return the calendar this expression denotes, looking names up with ``resolve``."""
        return resolve(self.name)


@dataclasses.dataclass(frozen=True)
class Op:
    """Two expressions joined by ``&``, ``|`` or ``-``."""

    op: str
    left: Expr
    right: Expr

    def names(self) -> list[str]:
        """Return the names the expression refers to, left to right."""
        return self.left.names() + self.right.names()

    def evaluate(self, resolve: Callable[[str], Calendar]) -> Calendar:
        """Return the calendar this expression denotes, looking names up with ``resolve``."""
        left, right = self.left.evaluate(resolve), self.right.evaluate(resolve)
        if self.op == "&":
            return left & right
        if self.op == "|":
            return left | right
        return left - right


Expr = Union[Ref, Op]
_TOKEN_RE = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([&|()\-]))")


def parse_expression(text: str) -> Expr:
    """Return the parsed composition expression ``text``, such as ``"support & site"``.

    Precedence is Python's, so a file and code read alike: ``-`` binds tightest,
    then ``&``, then ``|``; each is left-associative; parentheses group. Raises
    ``ValueError`` naming the column of the problem.

    >>> parse_expression("a | b & c - d")
    Op(op='|', left=Ref(name='a'), right=Op(op='&', left=Ref(name='b'), right=Op(op='-', \
left=Ref(name='c'), right=Ref(name='d'))))
    """
    tokens: list[tuple[str, int]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN_RE.match(text, position)
        if match is None:
            column = position + len(text[position:]) - len(text[position:].lstrip()) + 1
            raise ValueError(f"unexpected {text[column - 1]!r} at column {column} in {text!r}")
        token = match[1] or match[2]
        tokens.append((token, match.start(match.lastindex or 0) + 1))
        position = match.end()
    parser = _Parser(text, tokens)
    expr = parser.union()
    if parser.index < len(tokens):
        token, column = tokens[parser.index]
        raise ValueError(
            f"unexpected {token!r} at column {column} in {text!r}; join calendars with &, | or -"
        )
    return expr


class _Parser:
    """Recursive descent over the tokens: union > intersection > difference > atom."""

    def __init__(self, text: str, tokens: list[tuple[str, int]]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else None

    def binary(self, symbol: str, operand: Callable[[], Expr]) -> Expr:
        left = operand()
        while self.peek() == symbol:
            self.index += 1
            left = Op(symbol, left, operand())
        return left

    def union(self) -> Expr:
        return self.binary("|", self.intersection)

    def intersection(self) -> Expr:
        return self.binary("&", self.difference)

    def difference(self) -> Expr:
        return self.binary("-", self.atom)

    def atom(self) -> Expr:
        if self.index >= len(self.tokens):
            where = "an empty expression" if not self.tokens else f"the end of {self.text!r}"
            raise ValueError(f"expected a calendar name or '(' at {where}")
        token, column = self.tokens[self.index]
        self.index += 1
        if token == "(":
            inner = self.union()
            if self.peek() != ")":
                raise ValueError(f"'(' at column {column} in {self.text!r} is never closed")
            self.index += 1
            return inner
        if NAME_RE.fullmatch(token):
            return Ref(token)
        raise ValueError(
            f"expected a calendar name or '(' at column {column} in {self.text!r}, got {token!r}"
        )


def _expression_value(value: object) -> Expr:
    if not isinstance(value, str):
        raise _fail(f"expected an expression such as 'support & site', got {value!r}")
    try:
        return parse_expression(value)
    except ValueError as exc:
        raise _fail(str(exc)) from None


ExprText = Annotated[Expr, PlainValidator(_expression_value)]


def _entry_tag(value: object) -> str | None:
    if isinstance(value, (str, Ref, Op)):
        return "<expr>"
    if isinstance(value, (Mapping, CalendarConfig)):
        return "<table>"
    return None


# -- models -------------------------------------------------------------------


class _Model(BaseModel):
    """A frozen model that names unknown fields and suggests the one meant."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    what: ClassVar[str] = "this table"

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = list(cls.model_fields)
            for key in data:
                if key not in known:
                    close = difflib.get_close_matches(str(key), known, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    raise _fail(
                        f"unknown field {key!r}{hint} ({cls.what} takes {', '.join(known)})"
                    )
        return data


class HolidaysConfig(_Model):
    """Holidays from the ``holidays`` package: a country (and subdivision) or a market."""

    what: ClassVar[str] = "holidays"

    country: str | None = None
    subdiv: str | None = None
    market: str | None = None
    categories: list[str] | None = None
    observed: StrictBool = True
    remove: list[DateValue] | None = None

    @model_validator(mode="after")
    def _known_codes(self) -> HolidaysConfig:
        package = importlib.import_module("holidays")
        if self.country is None and self.market is None:
            raise _fail("give a country (such as 'GB') or a market (such as 'XNYS')")
        if self.country is not None and self.market is not None:
            raise _fail("give a country or a market, not both", "market")
        if self.market is not None:
            if self.market not in package.list_supported_financial():
                raise _fail(
                    f"unknown market {self.market!r}; the holidays package has no such "
                    "financial market (try 'XNYS' or 'XLON')",
                    "market",
                )
            if self.subdiv is not None:
                raise _fail("a market has no subdivisions", "subdiv")
            if self.categories is not None:
                raise _fail("categories apply to country holidays only", "categories")
            return self
        countries: dict[str, list[str]] = package.list_supported_countries()
        country = self.country
        assert country is not None
        if country not in countries:
            close = difflib.get_close_matches(country.upper(), list(countries), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise _fail(
                f"unknown country code {country!r}: the holidays package has no such "
                f"country (use ISO 3166 codes such as 'GB'){hint}",
                "country",
            )
        try:
            found = package.country_holidays(country, subdiv=self.subdiv)
        except NotImplementedError:
            known = ", ".join(countries[country]) or "none"
            raise _fail(
                f"unknown subdivision {self.subdiv!r} of {country} (known: {known})", "subdiv"
            ) from None
        if self.categories is not None:
            supported = sorted(found.supported_categories)
            for name in self.categories:
                if name not in supported:
                    raise _fail(
                        f"unknown category {name!r} for {country} (known: {', '.join(supported)})",
                        "categories",
                    )
        return self

    def to_engine(self, extra: list[dt.date] | None) -> dict[str, Any]:
        """Return the holiday data the engine reads (``{"country": ..., "add": [...]}``)."""
        data: dict[str, Any] = (
            {"market": self.market} if self.market is not None else {"country": self.country}
        )
        if self.subdiv is not None:
            data["subdiv"] = self.subdiv
        if self.categories is not None:
            data["categories"] = list(self.categories)
        if not self.observed:
            data["observed"] = False
        if extra:
            data["add"] = list(extra)
        if self.remove:
            data["remove"] = list(self.remove)
        return data


def _holidays_tag(value: object) -> str | None:
    if isinstance(value, (Mapping, HolidaysConfig)):
        return "<table>"
    if isinstance(value, (list, tuple)):
        return "<dates>"
    return None


HolidaysValue = Annotated[
    Union[Annotated[HolidaysConfig, Tag("<table>")], Annotated[list[DateValue], Tag("<dates>")]],
    Discriminator(
        _holidays_tag,
        custom_error_type=_ERROR,
        custom_error_message=(
            "expected a table such as { country = 'GB', subdiv = 'ENG' } or a list of dates"
        ),
    ),
]


class RecurringConfig(_Model):
    """Recurring windows: an RFC 5545 rule that picks days, and the hours on each."""

    what: ClassVar[str] = "recurring"

    rule: RuleText
    hours: HoursValue
    start: DateValue | None = None

    @model_validator(mode="after")
    def _anchored(self) -> RecurringConfig:
        if self.hours is None or (
            isinstance(self.hours, str) and self.hours.strip().lower() in _CLOSED
        ):
            raise _fail(
                f"recurring windows need hours such as '02:00-06:00', not {self.hours!r}", "hours"
            )
        body, dtstart = parse_rule(self.rule)
        if dtstart is not None and self.start is not None:
            raise _fail("the rule has a DTSTART line; give that or start, not both", "start")
        if dtstart is None and self.start is None and "COUNT" in rule_parts(body):
            raise _fail(
                "required when the rule has a COUNT, which counts from the rule's start", "start"
            )
        return self


class CalendarConfig(_Model):
    """One calendar: weekly hours, always / never, windows, or a composition of others.

    Exactly one of ``hours``, ``always``, ``never``, ``windows``, ``recurring``,
    ``union``, ``intersection``, ``difference`` says which kind it is.
    """

    what: ClassVar[str] = "a calendar"

    tz: ZoneName | None = None
    hours: dict[DayKey, HoursValue] | None = None
    holidays: HolidaysValue | None = None
    extra_holidays: list[DateValue] | None = None
    overrides: dict[DateValue, HoursValue] | None = None
    always: StrictBool | None = None
    never: StrictBool | None = None
    windows: list[WindowValue] | None = None
    recurring: RecurringConfig | None = None
    union: list[Item] | None = Field(default=None, min_length=2)
    intersection: list[Item] | None = Field(default=None, min_length=2)
    difference: list[Item] | None = Field(default=None, min_length=2, max_length=2)

    @property
    def kind(self) -> str:
        """Return which kind of calendar this is: ``hours``, ``always``, ``union``, ..."""
        return next(name for name in _KINDS if getattr(self, name) is not None)

    @model_validator(mode="after")
    def _one_kind(self) -> CalendarConfig:
        given = [name for name in _KINDS if getattr(self, name) is not None]
        if not given:
            raise _fail(f"a calendar needs one of {', '.join(_KINDS)}")
        if len(given) > 1:
            raise _fail(f"give only one of {' and '.join(given)}: they are different kinds")
        kind = given[0]
        if kind in ("always", "never") and getattr(self, kind) is not True:
            other = "never" if kind == "always" else "always"
            raise _fail(f"write {kind} = true (or {other} = true)", kind)
        if kind != "hours":
            for name in ("holidays", "extra_holidays", "overrides"):
                if getattr(self, name) is not None:
                    raise _fail(f"only a weekly calendar (one with hours) has {name}", name)
        if kind in _COMPOSITIONS:
            if self.tz is not None:
                raise _fail(f"a {kind} answers in its first calendar's zone; it takes no tz", "tz")
        elif kind in ("hours", "recurring") and self.tz is None:
            raise _fail(
                f"required for {'weekly hours' if kind == 'hours' else 'recurring windows'}: "
                "an IANA zone such as 'Europe/London'",
                "tz",
            )
        if self.hours is not None:
            try:
                WeeklyHours.parse(self.hours)
            except SlaclockError as exc:
                raise _fail(_strip(str(exc), "hours: "), "hours") from None
        return self

    def references(self) -> list[str]:
        """Return the calendar names this definition refers to (for compositions)."""
        found: list[str] = []
        for item in self.union or self.intersection or self.difference or ():
            found.extend(item.names() if isinstance(item, (Ref, Op)) else item.references())
        return found

    def build(self, resolve: Callable[[str], Calendar]) -> Calendar:
        """Return the calendar, looking up names in compositions with ``resolve``."""
        kind = self.kind
        if kind == "hours":
            assert self.tz is not None
            assert self.hours is not None
            return Calendar.weekly(
                self.hours, tz=self.tz, holidays=self._holidays(), overrides=self.overrides
            )
        if kind == "always":
            return Calendar.always(self.tz or "UTC")
        if kind == "never":
            return Calendar.never(self.tz or "UTC")
        if kind == "windows":
            return Windows.between(self.windows or [], tz=self.tz or "UTC")
        if kind == "recurring":
            assert self.recurring is not None
            assert self.tz is not None
            hours = self.recurring.hours
            assert hours is not None
            return Windows.recurring(
                self.recurring.rule, hours, tz=self.tz, start=self.recurring.start
            )
        items = [
            item.evaluate(resolve) if isinstance(item, (Ref, Op)) else item.build(resolve)
            for item in getattr(self, kind)
        ]
        if kind == "union":
            return Calendar.union(*items)
        if kind == "intersection":
            return Calendar.intersection(*items)
        return items[0] - items[1]

    def _holidays(self) -> object:
        extra = self.extra_holidays
        if isinstance(self.holidays, HolidaysConfig):
            return self.holidays.to_engine(extra)
        if self.holidays is None and extra is None:
            return None
        return set(self.holidays or ()) | set(extra or ())


Item = Annotated[
    Union[Annotated[ExprText, Tag("<expr>")], Annotated[CalendarConfig, Tag("<table>")]],
    Discriminator(
        _entry_tag,
        custom_error_type=_ERROR,
        custom_error_message=(
            "expected a calendar table or an expression such as 'support & site'"
        ),
    ),
]
CalendarConfig.model_rebuild()


class CalendarSet(BaseModel):
    """A named set of calendars: the ``calendars`` table of a configuration file.

    Other top-level tables are left to the features that read them.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, arbitrary_types_allowed=True)

    calendars: dict[CalendarName, Item]

    def build(self, source: str = "<string>") -> dict[str, Calendar]:
        """Return every calendar by name; raise ConfigError for unknown names and cycles."""
        entries = self.calendars
        built: dict[str, Calendar] = {}
        visiting: list[str] = []

        def resolve(name: str) -> Calendar:
            found = built.get(name)
            if found is not None:
                return found
            if name not in entries:
                referrer = visiting[-1] if visiting else name
                close = difflib.get_close_matches(name, list(entries), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ConfigError(
                    f"{source}: calendars.{referrer}: unknown calendar {name!r}{hint} "
                    f"(defined: {', '.join(entries)})"
                )
            if name in visiting:
                chain = [*visiting[visiting.index(name) :], name]
                raise ConfigError(
                    f"{source}: calendars.{chain[0]}: composition cycle {' -> '.join(chain)}"
                )
            visiting.append(name)
            entry = entries[name]
            try:
                calendar = (
                    entry.evaluate(resolve)
                    if isinstance(entry, (Ref, Op))
                    else entry.build(resolve)
                )
            except ConfigError:
                raise
            except SlaclockError as exc:
                raise ConfigError(f"{source}: calendars.{name}: {exc}") from exc
            visiting.pop()
            built[name] = calendar
            return calendar

        return {name: resolve(name) for name in entries}


# -- loading ------------------------------------------------------------------


def _path_text(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part == "[key]" or part.startswith("<"):
            continue
        else:
            key = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
            text += f".{key}" if text else key
    return text


def _problems(exc: ValidationError, source: str) -> ConfigError:
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        context = error.get("ctx") or {}
        if error["type"] == _ERROR and "problem" in context:
            problem = str(context["problem"])
            if "field" in context:
                loc = (*loc, *str(context["field"]).split("."))
        elif error["type"] == "missing":
            problem = "required, but missing"
        elif error["type"] in ("too_short", "too_long"):
            bound = "at least" if error["type"] == "too_short" else "at most"
            limit = context.get("min_length" if error["type"] == "too_short" else "max_length")
            problem = f"takes {bound} {limit} items, got {context.get('actual_length')}"
        else:
            problem = f"{error['msg']} (got {error.get('input')!r})"
        path = _path_text(loc)
        lines.append(f"{source}: {path}: {problem}" if path else f"{source}: {problem}")
    return ConfigError("\n".join(lines))


def calendars_from_mapping(data: object, source: str = "<string>") -> dict[str, Calendar]:
    """Return the calendars named in ``data["calendars"]`` (parsed TOML, JSON or YAML).

    ``source`` names where the data came from in error messages.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a table with a 'calendars' table, got {data!r}")
    if "calendars" not in data:
        raise ConfigError(f"{source}: calendars: missing; the file needs a [calendars] table")
    try:
        model = CalendarSet.model_validate(data)
    except ValidationError as exc:
        raise _problems(exc, source) from None
    return model.build(source)


def loads_calendars(
    text: str | bytes, format: str = "toml", source: str = "<string>"
) -> dict[str, Calendar]:
    """Return the calendars in ``text``, written in ``format`` ("toml", "json" or "yaml")."""
    return calendars_from_mapping(_parse(text, format, source), source)


def load_calendars(path: str | os.PathLike[str]) -> dict[str, Calendar]:
    """Return the calendars in the file at ``path`` (``.toml``, ``.json``, ``.yaml``/``.yml``)."""
    return calendars_from_mapping(read_document(path), str(path))


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the parsed top-level table of a TOML, JSON or YAML file (chosen by extension).

    Raises :class:`ConfigError` naming the file if it cannot be read or parsed,
    or is not a table. Nothing in the file is executed.
    """
    file = Path(path)
    source = str(path)
    format = _FORMATS.get(file.suffix.lower())
    if format is None:
        raise ConfigError(
            f"{source}: unknown file type {file.suffix!r}; use .toml, .json, .yaml or .yml"
        )
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read the file: {exc.strerror or exc}") from exc
    data = _parse(raw, format, source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a table at the top level, got {data!r}")
    return data


def _parse(text: str | bytes, format: str, source: str) -> object:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{source}: not UTF-8 text: {exc}") from None
    if format == "toml":
        try:
            toml = importlib.import_module("tomllib")
        except ModuleNotFoundError:  # pragma: no cover - Python 3.10
            try:
                toml = importlib.import_module("tomli")
            except ModuleNotFoundError:
                raise ConfigError(
                    f"{source}: reading TOML on Python 3.10 needs the 'tomli' package"
                ) from None
        try:
            parsed: object = toml.loads(text)
        except toml.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from None
        return parsed
    if format == "json":
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{source}: not valid JSON: {exc}") from None
        return parsed
    if format == "yaml":
        try:
            yaml = importlib.import_module("yaml")
        except ModuleNotFoundError:
            raise ConfigError(
                f"{source}: reading YAML needs PyYAML: pip install 'slaclock[yaml]'"
            ) from None
        try:
            # safe_load builds only plain data: tags such as !!python/object are refused.
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{source}: not valid YAML: {exc}") from None
        return parsed
    raise ConfigError(f"{source}: unknown format {format!r}; use 'toml', 'json' or 'yaml'")


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
    """Return ``{"calendars": {...}}`` that :func:`calendars_from_mapping` reads back equal.

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
    lines: list[str] = []
    simple = {name: entry for name, entry in calendars.items() if isinstance(entry, str)}
    if simple or not calendars:
        lines.append("[calendars]")
        lines.extend(f"{_toml_key(name)} = {_toml_value(text)}" for name, text in simple.items())
    for name, entry in calendars.items():
        if isinstance(entry, str):
            continue
        if lines:
            lines.append("")
        lines.append(f"[calendars.{_toml_key(name)}]")
        lines.extend(f"{_toml_key(key)} = {_toml_value(value)}" for key, value in entry.items())
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # JSON string escapes are TOML basic-string escapes; DEL must be escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        pairs = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }"
    raise ConfigError(f"cannot write {value!r} as TOML")
