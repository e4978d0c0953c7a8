"""The pydantic models of calendar files, and their errors as one ``ConfigError``."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, TypeVar, Union

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

from slaclock.config._entries import (
    build_calendar,
    build_set,
    calendar_kind,
    check_holidays,
    check_known,
    check_recurring,
    holidays_data,
    references,
)
from slaclock.config._expressions import Expr, Op, Ref, expression_value
from slaclock.config._fields import (
    FieldProblemError,
    calendar_name,
    date_value,
    day_key,
    hours_value,
    rule_value,
    window_value,
    zone_name,
)
from slaclock.engine._text import brief
from slaclock.engine.calendar import Calendar
from slaclock.errors import ConfigError

ERROR_TYPE = "slaclock"
_T = TypeVar("_T")


def _reported(check: Callable[..., _T]) -> Callable[..., _T]:
    """Return ``check`` raising, for a ``FieldProblemError``, the error ``problems`` reads."""

    @functools.wraps(check)
    def checked(*args: Any) -> _T:
        try:
            return check(*args)
        except FieldProblemError as exc:
            context: dict[str, Any] = {"problem": exc.problem}
            if exc.field is not None:
                context["field"] = exc.field
            raise PydanticCustomError(ERROR_TYPE, "{problem}", context) from None

    return checked


ZoneName = Annotated[str, PlainValidator(_reported(zone_name))]
HoursValue = Annotated[Union[str, list[str], None], PlainValidator(_reported(hours_value))]
DayKey = Annotated[str, PlainValidator(_reported(day_key))]
DateValue = Annotated[dt.date, PlainValidator(_reported(date_value))]
WindowValue = Annotated[tuple[dt.datetime, dt.datetime], PlainValidator(_reported(window_value))]
RuleText = Annotated[str, PlainValidator(_reported(rule_value))]
CalendarName = Annotated[str, PlainValidator(_reported(calendar_name))]
ExprText = Annotated[Expr, PlainValidator(_reported(expression_value))]


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
            _reported(check_known)(data, list(cls.model_fields), cls.what)
        return data

    def _fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in type(self).model_fields}


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
        _reported(check_holidays)(self.country, self.subdiv, self.market, self.categories)
        return self

    def to_engine(self, extra: list[dt.date] | None) -> dict[str, Any]:
        """Return the holiday data the engine reads (``{"country": ..., "add": [...]}``)."""
        return holidays_data(self._fields(), extra)


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
        custom_error_type=ERROR_TYPE,
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
        _reported(check_recurring)(self.rule, self.hours, self.start)
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
        return calendar_kind(self._fields())

    @model_validator(mode="after")
    def _one_kind(self) -> CalendarConfig:
        _reported(calendar_kind)(self._fields())
        return self

    def references(self) -> list[str]:
        """Return the calendar names this definition refers to (for compositions)."""
        return references(self._fields())

    def build(self, resolve: Callable[[str], Calendar]) -> Calendar:
        """Return the calendar, looking up names in compositions with ``resolve``."""
        return build_calendar(self._fields(), resolve)


Item = Annotated[
    Union[Annotated[ExprText, Tag("<expr>")], Annotated[CalendarConfig, Tag("<table>")]],
    Discriminator(
        _entry_tag,
        custom_error_type=ERROR_TYPE,
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
        return build_set(self.calendars, source)


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


def problems(exc: ValidationError, source: str) -> ConfigError:
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        context = error.get("ctx") or {}
        if error["type"] == ERROR_TYPE and "problem" in context:
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
            problem = f"{error['msg']} (got {brief(error.get('input'))})"
        path = _path_text(loc)
        lines.append(f"{source}: {path}: {problem}" if path else f"{source}: {problem}")
    return ConfigError("\n".join(lines))
