"""The pydantic models of calendar files, and their errors as one ``ConfigError``."""

from __future__ import annotations

import datetime as dt
import difflib
import importlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    Tag,
    ValidationError,
    model_validator,
)

from slaclock.config._expressions import ExprText, Op, Ref
from slaclock.config._fields import (
    ERROR_TYPE,
    CalendarName,
    DateValue,
    DayKey,
    HoursValue,
    RuleText,
    WindowValue,
    ZoneName,
    fail,
    strip_prefix,
)
from slaclock.engine._holidays import holiday_class, load_holidays
from slaclock.engine._recurring import parse_rule, rule_parts
from slaclock.engine._text import brief
from slaclock.engine.calendar import Calendar
from slaclock.engine.schedule import CLOSED_WORDS, WeeklyHours
from slaclock.engine.windows import Windows
from slaclock.errors import ConfigError, SlaclockError

_COMPOSITIONS = ("union", "intersection", "difference")
_KINDS = ("hours", "always", "never", "windows", "recurring", "union", "intersection", "difference")


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
                    hint = f"; did you mean {brief(close[0])}?" if close else ""
                    raise fail(
                        f"unknown field {brief(key)}{hint} ({cls.what} takes {', '.join(known)})"
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
            raise fail("give a country (such as 'GB') or a market (such as 'XNYS')")
        if self.country is not None and self.market is not None:
            raise fail("give a country or a market, not both", "market")
        if self.market is not None:
            if self.market not in _holiday_codes(package, financial=True):
                raise fail(
                    f"unknown market {brief(self.market)}; the holidays package has no such "
                    "financial market (try 'XNYS' or 'XLON')",
                    "market",
                )
            if self.subdiv is not None:
                raise fail("a market has no subdivisions", "subdiv")
            if self.categories is not None:
                raise fail("categories apply to country holidays only", "categories")
            return self
        country = self.country
        assert country is not None
        codes = _holiday_codes(package, financial=False)
        if country not in codes:
            close = difflib.get_close_matches(country.upper(), codes, n=1)
            hint = f"; did you mean {brief(close[0])}?" if close else ""
            raise fail(
                f"unknown country code {brief(country)}: the holidays package has no such "
                f"country (use ISO 3166 codes such as 'GB'){hint}",
                "country",
            )
        try:
            found = load_holidays(package, country, subdiv=self.subdiv)
        except NotImplementedError:
            entity = holiday_class(package, country) or getattr(package, country)
            known = ", ".join(entity.subdivisions) or "none"
            raise fail(
                f"unknown subdivision {brief(self.subdiv)} of {country} (known: {known})", "subdiv"
            ) from None
        if self.categories is not None:
            supported = sorted(found.supported_categories)
            for name in self.categories:
                if name not in supported:
                    raise fail(
                        f"unknown category {brief(name)} for {country} "
                        f"(known: {', '.join(supported)})",
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


def _holiday_codes(package: Any, *, financial: bool) -> list[str]:
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
        if self.hours is None or (
            isinstance(self.hours, str) and self.hours.strip().lower() in CLOSED_WORDS
        ):
            raise fail(
                f"recurring windows need hours such as '02:00-06:00', not {brief(self.hours)}",
                "hours",
            )
        body, dtstart = parse_rule(self.rule)
        if dtstart is not None and self.start is not None:
            raise fail("the rule has a DTSTART line; give that or start, not both", "start")
        if dtstart is None and self.start is None and "COUNT" in rule_parts(body):
            raise fail(
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
            raise fail(f"a calendar needs one of {', '.join(_KINDS)}")
        if len(given) > 1:
            raise fail(f"give only one of {' and '.join(given)}: they are different kinds")
        kind = given[0]
        if kind in ("always", "never") and getattr(self, kind) is not True:
            other = "never" if kind == "always" else "always"
            raise fail(f"write {kind} = true (or {other} = true)", kind)
        if kind != "hours":
            for name in ("holidays", "extra_holidays", "overrides"):
                if getattr(self, name) is not None:
                    raise fail(f"only a weekly calendar (one with hours) has {name}", name)
        if kind in _COMPOSITIONS:
            if self.tz is not None:
                raise fail(f"a {kind} answers in its first calendar's zone; it takes no tz", "tz")
        elif kind in ("hours", "recurring") and self.tz is None:
            raise fail(
                f"required for {'weekly hours' if kind == 'hours' else 'recurring windows'}: "
                "an IANA zone such as 'Europe/London'",
                "tz",
            )
        if self.hours is not None:
            try:
                WeeklyHours.parse(self.hours)
            except SlaclockError as exc:
                raise fail(strip_prefix(str(exc), "hours: "), "hours") from None
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
