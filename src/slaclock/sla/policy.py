"""SLA policies: targets per priority tier and metric, each on its own calendar.

A policy file (TOML, JSON, or YAML with ``slaclock[yaml]``) looks like::

    name = "Gold"
    pause_when = ["pending-customer", "awaiting-parts"]
    warn_at = 0.75
    priority_change = "retroactive"     # or "from_change"; a metric may override it

    [calendars.support]
    tz = "Europe/London"
    hours = { mon-fri = "09:00-17:00" }

    [tiers.P1]
    first_response = { target = "15m", calendar = "always" }
    resolution     = { target = "4h",  calendar = "always" }
    [tiers.P3]
    first_response = { target = "4h",  calendar = "support" }
    resolution     = { target = "3d",  calendar = "support", cutoff = "15:00" }

``calendars`` uses the calendar configuration format (``docs/config.md``);
``calendar_files`` names calendar files to load as well (relative to the
policy file). A calendar named ``always`` (24x7, UTC) exists unless you define
one. ``[credits]`` says what a miss costs (``slaclock.sla.credits``). See
``docs/policy.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from slaclock.engine._text import brief
from slaclock.engine._time import from_us, to_us
from slaclock.engine.calendar import Calendar
from slaclock.errors import ConfigError, InputError, PolicyError, SlaclockError
from slaclock.sla._calendars import CalendarChoice, Zoned, choice_of, zone_templates
from slaclock.sla.conditions import PRESETS, MetricDefinition, pause_conditions, status_pauses
from slaclock.sla.credits import Credits
from slaclock.sla.evaluation import Evaluation
from slaclock.sla.events import TicketEvent
from slaclock.sla.results import Report
from slaclock.sla.targets import BusinessDays, MetricSpec, Target, parse_cutoff, parse_target

if TYPE_CHECKING:
    from slaclock.sla.tickets import Ticket
    from slaclock.sla.upcoming import Upcoming

__all__ = ["DEFAULT_STATUSES", "Policy", "PolicySet", "Underpin"]

#: Statuses every policy knows, besides the ones it names in ``pause_when``.
DEFAULT_STATUSES: frozenset[str] = frozenset(
    {"new", "open", "in-progress", "pending-customer", "awaiting-parts", "on-hold"}
)


class _MetricModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Read by parse_target and parse_cutoff, so a bad one is a PolicyError naming its place.
    # None: a total measured without a target.
    target: Any = None
    # A name, or a choice by a ticket field; read by _calendars.choice_of.
    calendar: Any
    tz_from: Any = None
    cutoff: Any = None
    priority_change: Literal["retroactive", "from_change"] | None = None


class _VersionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A TOML date or offset date-time, or ISO 8601 text; read by _effective_from.
    effective_from: Any
    tiers: dict[str, dict[str, _MetricModel]] = Field(min_length=1)
    # Read by Credits.from_dict, so a bad amount is a PolicyError naming its place.
    credits: Any = None


class _PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    pause_when: list[str] = []
    # One share of the target (0 < x <= 1), or escalation levels (each 0 < x < 1, rising).
    warn_at: Any = 0.75
    priority_change: Literal["retroactive", "from_change"] = "retroactive"
    judge_by: Literal["logged", "current"] = "logged"
    statuses: list[str] | None = None
    calendar_files: list[str] = []
    calendars: dict[str, Any] = {}
    # Read by MetricDefinition.from_dict, so a bad condition is a PolicyError naming its place.
    metrics: dict[str, Any] = {}
    tiers: dict[str, dict[str, _MetricModel]] = {}
    versions: list[_VersionModel] = []
    # Read by Credits.from_dict, so a bad amount is a PolicyError naming its place.
    credits: Any = None

    @field_validator("warn_at")
    @classmethod
    def _levels(cls, value: Any) -> Any:
        escalation_levels(value)
        return value

    @model_validator(mode="after")
    def _some_tiers(self) -> _PolicyModel:
        if not self.tiers and not self.versions:
            raise ValueError("tiers: give one or more tiers (or [[versions]] with tiers)")
        return self


class Fielded(Protocol):
    """What choosing a policy reads of a ticket (``Ticket`` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def all_fields(self) -> dict[str, str]: ...
    @property
    def label(self) -> str: ...
    @property
    def where(self) -> str: ...
    @property
    def logged_at(self) -> dt.datetime: ...


@dataclasses.dataclass(frozen=True)
class Underpin:
    """One place where an internal target does not strictly underpin the external one."""

    tier: str
    metric: str
    internal: str | None
    external: str
    margin: dt.timedelta | int | None
    problem: str

    def __str__(self) -> str:
        return f"{self.tier}.{self.metric}: {self.problem}"


@dataclasses.dataclass(frozen=True, eq=False)
class Policy:
    """An SLA policy: per priority tier, per metric, a target on a named calendar."""

    name: str
    tiers: Mapping[str, Mapping[str, MetricSpec]]
    calendars: Mapping[str, Calendar]
    pause_when: frozenset[str] = frozenset()
    warn_at: float = 0.75
    statuses: frozenset[str] = DEFAULT_STATUSES
    source: str = "<policy>"
    #: How a priority change counts a metric: "retroactive" (since the run started)
    #: or "from_change"; a tier's metric may say otherwise.
    priority_change: str = "retroactive"
    #: What each metric counts, as conditions: the presets, then the policy's own.
    definitions: Mapping[str, MetricDefinition] = dataclasses.field(
        default_factory=lambda: dict(PRESETS)
    )
    #: Dated versions, oldest first: (in force from, in µs since the epoch; the version).
    versions: tuple[tuple[int, Policy], ...] = ()
    #: Whether the top-level tiers judge tickets logged before the first version.
    before_versions: bool = True
    #: What a miss costs (``[credits]``), or None; a version may have its own.
    credits: Credits | None = None
    #: The version this is, as written (``2026-11-01``); None for the top-level tiers.
    version: str | None = None
    #: Which version judges a ticket: the one in force when it was "logged" (default)
    #: or the one in force at the report's ``now`` ("current").
    judge_by: str = "logged"
    #: The calendars metrics give a zone from a ticket field (``tz_from``), built per zone.
    zoned: Zoned | None = dataclasses.field(default=None, repr=False)
    #: Escalation levels, lowest first, when ``warn_at`` is a list in the file
    #: (``warn_at`` is then the lowest); empty: ``warn_at`` is the only level.
    levels: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.levels:
            escalation_levels(list(self.levels), PolicyError)
            if self.levels[0] != self.warn_at:
                raise PolicyError(
                    f"policy {self.name!r}: warn_at {self.warn_at} is not the lowest of "
                    f"the escalation levels {list(self.levels)}; give warn_at=levels[0]"
                )

    @property
    def escalation_levels(self) -> tuple[float, ...]:
        """Return the escalation levels, lowest first: shares of a target (``warn_at``).

        A running metric is ``at_risk`` from the lowest level on; reports give the
        levels each running metric has reached and the next one.

        >>> Policy.from_dict({"name": "Desk", "warn_at": [0.5, 0.75, 0.9], "tiers": {
        ...     "P3": {"resolution": {"target": "4h", "calendar": "always"}}}}).escalation_levels
        (0.5, 0.75, 0.9)
        """
        return self.levels or (self.warn_at,)

    # -- loading -----------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Return the policy in a TOML, JSON or YAML file (by its extension).

        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "gold.toml").write_text(
        ...     'name = "Gold"\\n'
        ...     '[tiers.P1]\\nresolution = { target = "4h", calendar = "always" }\\n'
        ... )
        >>> Policy.load(folder / "gold.toml").metrics_of("P1")
        ('resolution',)
        """
        from slaclock.config import read_document

        location = Path(path)
        if location.is_dir():
            return PolicySet.from_folder(location)
        data = read_document(location)
        if isinstance(data, Mapping) and "policies" in data:
            return PolicySet.from_dict(data, source=str(location), base=location.parent)
        return cls.from_dict(data, source=str(location), base=location.parent)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "<policy>", base: Path | None = None
    ) -> Policy:
        """Return the policy described by ``data`` (the parsed file); errors name ``source``.

        >>> policy = Policy.from_dict({
        ...     "name": "Desk",
        ...     "calendars": {"desk": {"tz": "UTC", "hours": {"mon-fri": "09:00-17:00"}}},
        ...     "tiers": {"P3": {"first_response": {"target": "4h", "calendar": "desk"},
        ...                      "resolution": {"target": "3d", "calendar": "desk"}}},
        ... })
        >>> policy.name, list(policy.tiers)
        ('Desk', ['P3'])
        """
        from slaclock.config import calendars_from_mapping, load_calendars

        if cls is Policy and isinstance(data, Mapping) and "policies" in data:
            return PolicySet.from_dict(data, source=source, base=base)
        try:
            model = _PolicyModel.model_validate(data)
        except ValidationError as exc:
            message = _describe(exc, source)
            if (
                isinstance(data, Mapping)
                and not {"tiers", "versions"} & set(data)
                and "tiers:" not in message
            ):
                # Said too when other fields fail, which stops the check that says it.
                message += f"\n{source}: tiers: Field required (or [[versions]], [[policies]])"
            raise ConfigError(message) from None
        calendars: dict[str, Calendar] = {"always": Calendar.always("UTC")}
        for file in model.calendar_files:
            location = (base or Path.cwd()) / file
            calendars.update(load_calendars(location))
        written_tiers = [model.tiers, *(version.tiers for version in model.versions)]
        templates = zone_templates(written_tiers, model.calendars, source)
        # A calendar only tz_from uses may lack a zone: it is built per ticket zone.
        plain = {
            name: entry
            for name, entry in model.calendars.items()
            if name not in templates or "tz" in entry
        }
        if plain:
            calendars.update(calendars_from_mapping({"calendars": plain}, source=source))
        definitions = dict(PRESETS)
        for metric_name, written in model.metrics.items():
            definitions[metric_name] = MetricDefinition.from_dict(
                written, f"{source}: metrics.{metric_name}"
            )
        tiers = _tiers(model.tiers, calendars, templates, definitions, f"{source}: tiers")
        versions = _versions(model.versions, calendars, templates, definitions, source)
        credits = _credits(model.credits, tiers, versions, definitions, f"{source}: credits")
        # A version without credits of its own keeps the policy's.
        version_credits = [
            _credits(
                version.credits, found, [], definitions, f"{source}: versions[{index}].credits"
            )
            or credits
            for index, (version, (_, _, found)) in enumerate(
                zip(model.versions, versions, strict=True)
            )
        ]
        pause_when = status_pauses(pause_conditions(model.pause_when, f"{source}: pause_when"))
        # The statuses the policy's own metrics name are statuses it knows.
        extra_statuses: set[str] = set()
        for metric_name in model.metrics:
            extra_statuses |= definitions[metric_name].statuses()
        statuses = frozenset(model.statuses) if model.statuses is not None else DEFAULT_STATUSES
        statuses |= frozenset(extra_statuses)
        levels = escalation_levels(model.warn_at)
        first = cls(
            name=model.name,
            # Before the first version (or without versions): the top-level tiers.
            tiers=tiers or versions[-1][2],
            calendars=calendars,
            pause_when=pause_when,
            warn_at=levels[0],
            levels=levels if isinstance(model.warn_at, list) else (),
            statuses=statuses | pause_when,
            source=source,
            priority_change=model.priority_change,
            definitions=definitions,
            credits=credits,
            judge_by=model.judge_by,
            # Without top-level tiers, the policy itself stands for its latest version.
            version=None if tiers else versions[-1][1],
            zoned=Zoned(templates, source) if templates else None,
        )
        if not versions:
            return first
        dated = tuple(
            (
                start,
                dataclasses.replace(first, tiers=found, version=label, credits=paid),
            )
            for (start, label, found), paid in zip(versions, version_credits, strict=True)
        )
        return dataclasses.replace(first, versions=dated, before_versions=bool(tiers))

    # -- evaluating --------------------------------------------------------------

    def metrics_of(self, priority: str) -> tuple[str, ...]:
        """Return the metrics tier ``priority`` sets targets for, in report order.

        >>> policy = Policy.from_dict({
        ...     "name": "Desk",
        ...     "calendars": {"desk": {"tz": "UTC", "hours": {"mon-fri": "09:00-17:00"}}},
        ...     "tiers": {"P3": {"first_response": {"target": "4h", "calendar": "desk"},
        ...                      "resolution": {"target": "3d", "calendar": "desk"}}},
        ... })
        >>> policy.metrics_of("P3")
        ('first_response', 'resolution')
        """
        try:
            return tuple(self.tiers[priority])
        except KeyError:
            raise PolicyError(
                f"policy {self.name!r} has no tier {priority!r}; it has {sorted(self.tiers)}"
            ) from None

    def select(self, ticket: Fielded, now: dt.datetime | None = None) -> Policy:
        """Return the policy that judges ``ticket``: this one, or its version then in force.

        A versioned policy judges a ticket by the version in force when it was
        logged, or, with ``judge_by = "current"``, by the one in force at ``now``
        (default: the clock). A ``PolicySet`` first chooses the policy by the
        ticket's fields.

        >>> from slaclock import Ticket
        >>> policy = Policy.from_dict({"name": "Desk", "tiers": {"P3": {
        ...     "resolution": {"target": "4h", "calendar": "always"}}}})
        >>> ticket = Ticket.from_dict({"id": "T-1", "events": [
        ...     {"at": "2026-11-20T09:00Z", "type": "logged", "priority": "P3"}]})
        >>> policy.select(ticket) is policy
        True
        """
        chosen = self.version_at(self._judged_at(ticket.logged_at, now), ticket.label)
        return chosen.for_fields(ticket.all_fields, _who(ticket))

    def _judged_at(self, logged_at: dt.datetime, now: dt.datetime | None) -> dt.datetime:
        """Return the instant whose version judges a ticket logged at ``logged_at``."""
        if self.judge_by != "current" or not self.versions:
            return logged_at
        return dt.datetime.now(dt.timezone.utc) if now is None else now

    def version_at(self, logged_at: dt.datetime, label: str = "the ticket") -> Policy:
        """Return the version in force at ``logged_at`` (this policy when it has no versions).

        A ticket logged before the first version of a policy without top-level
        tiers is an ``InputError`` naming ``label``.

        >>> gold = Policy.from_dict({"name": "Gold", "versions": [
        ...     {"effective_from": "2026-11-01",
        ...      "tiers": {"P3": {"resolution": {"target": "4h", "calendar": "always"}}}}]})
        >>> chosen = gold.version_at(dt.datetime(2026, 11, 5, tzinfo=dt.timezone.utc))
        >>> chosen.name, chosen.version
        ('Gold', '2026-11-01')
        """
        if not self.versions:
            return self
        t = to_us(logged_at)
        chosen: Policy | None = self if self.before_versions else None
        for start, version in self.versions:
            if start > t:
                break
            chosen = version
        if chosen is None:
            first = from_us(self.versions[0][0], dt.timezone.utc).isoformat()
            raise InputError(
                f"{label}: {'judged' if self.judge_by == 'current' else 'logged'} at "
                f"{logged_at.isoformat()}, before the first version of "
                f"policy {self.name!r} (in force from {first})"
            )
        return chosen

    def for_fields(self, fields: Mapping[str, str], who: str = "the ticket") -> Policy:
        """Return this policy with the calendars a ticket's ``fields`` choose put in place.

        A metric whose calendar a field chooses (``calendar = { field = ... }`` or
        ``tz_from``) counts, for these fields, on the calendar they name: reported
        by its name (``paris_site``) or as ``local@Europe/Paris``. A missing field or
        unmapped value (without a default), or a zone that is not one, is an
        ``InputError`` naming ``who`` and the field. The same choices give the same
        policy, built once.

        >>> desk = Policy.from_dict({"name": "Desk",
        ...     "calendars": {"local": {"hours": {"mon-fri": "09:00-17:00"}}},
        ...     "tiers": {"P3": {"resolution": {"target": "4h", "calendar": "local",
        ...                                     "tz_from": "tz"}}}})
        >>> p3 = desk.for_fields({"tz": "Europe/Paris"}).tiers["P3"]
        >>> p3["resolution"].calendar
        'local@Europe/Paris'
        """
        choices = self._choices
        if not choices:
            return self
        picks = tuple(
            choice.resolve(fields, who, f"tier {tier}'s {metric}")
            for tier, metric, choice in choices
        )
        found = self._variants.get(picks)
        if found is not None:
            return found
        calendars = dict(self.calendars)
        tiers = {name: dict(metrics) for name, metrics in self.tiers.items()}
        for (tier, metric, choice), (name, key) in zip(choices, picks, strict=True):
            label = name
            if key is not None:
                assert self.zoned is not None  # a tz_from choice names one of its templates
                label = f"{name}@{key}"
                try:
                    calendars[label] = self.zoned.get(name, key)
                except SlaclockError as exc:
                    raise InputError(f"{who}: fields.{choice.field}: {exc}") from None
            tiers[tier][metric] = dataclasses.replace(
                tiers[tier][metric], calendar=label, choice=None
            )
        variant = dataclasses.replace(self, tiers=tiers, calendars=calendars, versions=())
        with _VARIANTS_LOCK:
            if len(self._variants) >= MAX_VARIANTS:
                self._variants.clear()  # a bound on hostile input, not a cache policy
            self._variants[picks] = variant
        return variant

    @functools.cached_property
    def _choices(self) -> tuple[tuple[str, str, CalendarChoice], ...]:
        """Return each tier and metric whose calendar a ticket field chooses."""
        return tuple(
            (tier, metric, spec.choice)
            for tier, metrics in self.tiers.items()
            for metric, spec in metrics.items()
            if spec.choice is not None
        )

    @functools.cached_property
    def _variants(self) -> dict[tuple[tuple[str, str | None], ...], Policy]:
        """Return the policies ``for_fields`` built, by the calendars chosen."""
        return {}

    def evaluation(self, fields: Mapping[str, str] | None = None) -> Evaluation:
        """Return an empty evaluation state to feed a ticket's events into, one at a time.

        ``fields`` are the ticket's fields, for calendars a field chooses (``for_fields``).

        >>> policy = Policy.from_dict({
        ...     "name": "Desk",
        ...     "calendars": {"desk": {"tz": "UTC", "hours": {"mon-fri": "09:00-17:00"}}},
        ...     "tiers": {"P3": {"first_response": {"target": "4h", "calendar": "desk"},
        ...                      "resolution": {"target": "3d", "calendar": "desk"}}},
        ... })
        >>> logged = {"at": "2026-11-20T16:55Z", "type": "logged", "priority": "P3"}
        >>> state = policy.evaluation().feed(logged)
        >>> monday = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.timezone.utc)
        >>> state.report(monday)["first_response"].elapsed
        datetime.timedelta(seconds=600)
        """
        return Evaluation.empty(self.for_fields(fields or {}))

    def evaluate(
        self,
        events: Iterable[TicketEvent | Mapping[str, Any]],
        now: dt.datetime | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> Report:
        """Return the report for a ticket's whole event history at ``now`` (default: the clock).

        ``fields`` are the ticket's fields, for calendars a field chooses (``for_fields``).

        >>> policy = Policy.from_dict({
        ...     "name": "Desk",
        ...     "calendars": {"support": {"tz": "UTC", "hours": {"mon-fri": "09:00-17:00"}}},
        ...     "tiers": {"P3": {"first_response": {"target": "4h", "calendar": "support"}}},
        ... })
        >>> report = policy.evaluate([
        ...     {"at": "2026-11-20T16:55+00:00", "type": "logged", "priority": "P3"},
        ...     {"at": "2026-11-23T09:05+00:00", "type": "agent_reply"},
        ... ], now=dt.datetime(2026, 11, 23, 12, tzinfo=dt.timezone.utc))
        >>> str(report["first_response"].status), report["first_response"].elapsed
        ('met', datetime.timedelta(seconds=600))
        """
        chosen: Policy = self
        if self.versions:
            events = list(events)
            if events:
                first = events[0]
                logged = first if isinstance(first, TicketEvent) else TicketEvent.from_dict(first)
                chosen = self.version_at(self._judged_at(logged.at, now))
        return chosen.evaluation(fields).report_after(events, now)

    def upcoming(
        self,
        tickets: Iterable[Ticket | Mapping[str, Any]],
        now: dt.datetime | None = None,
        *,
        within: dt.timedelta | str,
        limit: int | None = None,
        on_bad: Callable[[InputError], None] | None = None,
    ) -> list[Upcoming]:
        """Return the breach queue: each level or breach running metrics reach in the window.

        Every ticket's events up to ``now`` (default: the clock) are read, later ones
        left out; each open ticket's clocks run on to ``now``. A row is a running
        metric reaching an escalation level (``warn_at``) or its breach (the due
        instant) in ``(now, now + within]``: exactly at ``now + within`` is in, at
        ``now`` is not. Rows are ordered by instant, then ticket id, metric and level;
        ``limit`` keeps the first ``limit``. ``within`` is real time (``"4h"``). A
        ``PolicySet`` judges each ticket by the policy its fields choose.

        >>> from slaclock import Ticket
        >>> policy = Policy.from_dict({"name": "Desk", "warn_at": [0.5, 0.9], "tiers": {
        ...     "P3": {"resolution": {"target": "4h", "calendar": "always"}}}})
        >>> ticket = Ticket.from_dict({"id": "T-1", "events": [
        ...     {"at": "2026-11-23T09:00Z", "type": "logged", "priority": "P3"}]})
        >>> now = dt.datetime(2026, 11, 23, 11, 30, tzinfo=dt.timezone.utc)
        >>> for row in policy.upcoming([ticket], now, within="2h"):
        ...     print(row.label, row.at.strftime("%H:%M"), row.left)
        90% 12:36 1:30:00
        breach 13:00 1:30:00
        """
        from slaclock.sla.upcoming import upcoming

        return upcoming(self, tickets, now, within=within, limit=limit, on_bad=on_bad)

    # -- comparing ---------------------------------------------------------------

    @staticmethod
    def check_underpins(internal: Policy, external: Policy) -> list[Underpin]:
        """Return each tier and metric where ``internal`` is not strictly tighter than ``external``.

        An internal (team) target must be strictly tighter than the customer-facing
        one, on an equal calendar. Each finding carries the margin: external less
        internal, negative when the internal target is looser.

        >>> policy = Policy.from_dict({
        ...     "name": "Desk",
        ...     "calendars": {"desk": {"tz": "UTC", "hours": {"mon-fri": "09:00-17:00"}}},
        ...     "tiers": {"P3": {"first_response": {"target": "4h", "calendar": "desk"},
        ...                      "resolution": {"target": "3d", "calendar": "desk"}}},
        ... })
        >>> team = Policy.from_dict({
        ...     "name": "Team",
        ...     "calendars": {"desk": {"tz": "UTC", "hours": {"mon-fri": "09:00-17:00"}}},
        ...     "tiers": {"P3": {"resolution": {"target": "4d", "calendar": "desk"}}},
        ... })
        >>> for finding in Policy.check_underpins(team, policy):
        ...     print(finding)
        P3.first_response: the internal policy sets no target
        P3.resolution: internal 4d is not tighter than external 3d (margin -1)
        """
        findings: list[Underpin] = []
        for tier, metrics in external.tiers.items():
            for metric, outside in metrics.items():
                inside = internal.tiers.get(tier, {}).get(metric)
                if outside.target is None:
                    continue  # measured without a target: nothing to underpin
                if inside is None or inside.target is None:
                    findings.append(
                        Underpin(
                            tier,
                            metric,
                            None,
                            str(outside.target),
                            None,
                            "the internal policy sets no target",
                        )
                    )
                    continue
                same_calendar = _same_calendars(internal, inside, external, outside)
                tighter = inside.target.tighter_than(outside.target)
                margin = _margin(inside.target, outside.target)
                if not same_calendar:
                    problem = (
                        f"calendars differ (internal {inside.calendar!r}, external "
                        f"{outside.calendar!r})"
                    )
                elif tighter is None:
                    problem = (
                        f"targets are not comparable ({inside.target} internal, "
                        f"{outside.target} external)"
                    )
                elif not tighter:
                    problem = (
                        f"internal {inside.target} is not tighter than external "
                        f"{outside.target} (margin {margin})"
                    )
                else:
                    continue
                findings.append(
                    Underpin(tier, metric, str(inside.target), str(outside.target), margin, problem)
                )
        return findings

    def __repr__(self) -> str:
        return f"Policy({self.name!r}, tiers={sorted(self.tiers)}, source={self.source!r})"


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class PolicySet(Policy):
    """Several policies in one file, each with ``applies_when`` conditions on ticket fields.

    A ticket is judged by the first policy whose conditions its fields meet (every
    field named, any of the values listed), else by the default: the policy
    without ``applies_when``. As a ``Policy`` (for reports), a set has the tiers,
    calendars and pauses of all its policies, the first one's where names clash.

    >>> rules = PolicySet.from_dict({"policies": [
    ...     {"name": "Acme", "applies_when": {"customer": ["acme", "globex"]},
    ...      "tiers": {"P3": {"resolution": {"target": "4h", "calendar": "always"}}}},
    ...     {"name": "Standard",
    ...      "tiers": {"P3": {"resolution": {"target": "8h", "calendar": "always"}}}},
    ... ]})
    >>> rules.choose({"customer": "globex"}).name, rules.choose({"customer": "initech"}).name
    ('Acme', 'Standard')
    """

    #: The policies in file order, each with its conditions (None: the default).
    members: tuple[tuple[Policy, Mapping[str, frozenset[str]] | None], ...] = ()

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "<policy>", base: Path | None = None
    ) -> PolicySet:
        """Return the policy set ``{"policies": [...]}``; errors name ``source`` and the policy.

        Top-level ``calendars`` and ``calendar_files`` are shared by every policy
        (a policy's own calendar of the same name wins).
        """
        if "policies" not in data:
            return cls.from_dict({"policies": [dict(data)]}, source=source, base=base)
        unknown = sorted(set(data) - {"name", "policies", "calendars", "calendar_files"})
        if unknown:
            raise PolicyError(
                f"{source}: unknown setting(s) {unknown} beside [[policies]]; "
                "a policy's settings go inside its [[policies]] entry"
            )
        entries = data["policies"]
        if not isinstance(entries, list) or not entries:
            raise PolicyError(f"{source}: policies: give a list of one or more policies")
        shared = data.get("calendars", {})
        shared_files = data.get("calendar_files", [])
        members: list[tuple[Policy, Mapping[str, frozenset[str]] | None]] = []
        for index, entry in enumerate(entries):
            where = f"{source}: policies[{index}]"
            if not isinstance(entry, Mapping):
                raise PolicyError(f"{where}: a policy is a table, not {brief(entry)}")
            body = {key: value for key, value in entry.items() if key != "applies_when"}
            if shared:
                body["calendars"] = {**shared, **body.get("calendars", {})}
            if shared_files:
                body["calendar_files"] = [*shared_files, *body.get("calendar_files", [])]
            members.append(_member(entry, Policy.from_dict(body, source=where, base=base), where))
        _check_members(members, source)
        return cls._combined(members, data.get("name") or Path(source).stem, source)

    @classmethod
    def from_folder(cls, path: str | Path) -> PolicySet:
        """Return the policy set of every policy file in folder ``path``, in file-name order.

        Each ``*.toml``, ``*.json``, ``*.yaml`` or ``*.yml`` file (not hidden, not in
        a subfolder) is a policy, which may carry ``applies_when`` at its top level,
        or a policy set; their policies are tried in the order of the files' names
        (sorted by code point: number them ``10-acme.toml``, ``20-globex.toml``, and
        give the default the last name), each set's in its own order. The rules of
        a set apply across the files: one default, last; names used once. Errors
        name the file. At most ``MAX_POLICY_FILES`` files of at most
        ``MAX_FOLDER_BYTES`` together, each within the limits of any policy file.

        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "10-acme.toml").write_text(
        ...     'name = "Acme"\\napplies_when = { customer = "acme" }\\n'
        ...     '[tiers.P3]\\nresolution = { target = "4h", calendar = "always" }\\n')
        >>> _ = (folder / "99-standard.toml").write_text(
        ...     'name = "Standard"\\n'
        ...     '[tiers.P3]\\nresolution = { target = "8h", calendar = "always" }\\n')
        >>> ", ".join(policy.name for policy in PolicySet.from_folder(folder).policies)
        'Acme, Standard'
        """
        from slaclock.config import read_document

        folder = Path(path)
        try:
            files = sorted(
                (
                    item
                    for item in folder.iterdir()
                    if item.suffix.lower() in _POLICY_SUFFIXES
                    and not item.name.startswith(".")
                    and item.is_file()
                ),
                key=lambda item: item.name,
            )
        except OSError as exc:
            raise PolicyError(f"{folder}: cannot read the folder: {exc.strerror or exc}") from None
        if not files:
            raise PolicyError(
                f"{folder}: no policy files in the folder (*.toml, *.json, *.yaml, *.yml)"
            )
        if len(files) > MAX_POLICY_FILES:
            raise PolicyError(
                f"{folder}: {len(files)} policy files, more than the limit MAX_POLICY_FILES "
                f"({MAX_POLICY_FILES})"
            )
        size = sum(item.stat().st_size for item in files)
        if size > MAX_FOLDER_BYTES:
            raise PolicyError(
                f"{folder}: the policy files hold {size} bytes, more than the limit "
                f"MAX_FOLDER_BYTES ({MAX_FOLDER_BYTES})"
            )
        members: list[tuple[Policy, Mapping[str, frozenset[str]] | None]] = []
        for item in files:
            source = str(item)
            data = read_document(item)
            if "policies" in data:
                members.extend(cls.from_dict(data, source=source, base=item.parent).members)
                continue
            body = {key: value for key, value in data.items() if key != "applies_when"}
            policy = Policy.from_dict(body, source=source, base=item.parent)
            members.append(_member(data, policy, source))
        _check_members(members, str(folder))
        return cls._combined(members, folder.name or str(folder), str(folder))

    @classmethod
    def _combined(
        cls,
        members: list[tuple[Policy, Mapping[str, frozenset[str]] | None]],
        name: str,
        source: str,
    ) -> PolicySet:
        tiers: dict[str, Mapping[str, MetricSpec]] = {}
        calendars: dict[str, Calendar] = {}
        definitions: dict[str, Any] = {}
        pauses: set[str] = set()
        statuses: set[str] = set()
        for policy, _ in members:
            for key, value in policy.tiers.items():
                tiers.setdefault(key, value)
            for key, calendar in policy.calendars.items():
                calendars.setdefault(key, calendar)
            for key, definition in policy.definitions.items():
                definitions.setdefault(key, definition)
            pauses |= policy.pause_when
            statuses |= policy.statuses
        first = members[0][0]
        return cls(
            name=name,
            tiers=tiers,
            calendars=calendars,
            pause_when=frozenset(pauses),
            warn_at=first.warn_at,
            levels=first.levels,
            statuses=frozenset(statuses),
            source=source,
            priority_change=first.priority_change,
            definitions=definitions,
            members=tuple(members),
        )

    @property
    def policies(self) -> tuple[Policy, ...]:
        """Return the policies in the order they are tried."""
        return tuple(policy for policy, _ in self.members)

    def choose(self, fields: Mapping[str, str], label: str = "the ticket") -> Policy:
        """Return the first policy whose ``applies_when`` ``fields`` meet, else the default.

        No match without a default is an ``InputError`` naming ``label`` and its fields.
        """
        for policy, conditions in self.members:
            if conditions is None or all(
                fields.get(field) in values for field, values in conditions.items()
            ):
                return policy
        raise InputError(
            f"{label}: no policy of {self.source} applies to fields {dict(fields)}; "
            f"tried {[policy.name for policy in self.policies]} and there is no default "
            "(a policy without applies_when)"
        )

    def select(self, ticket: Fielded, now: dt.datetime | None = None) -> Policy:
        """Return the policy (its version then in force) that judges ``ticket``, by its fields."""
        return self.choose(ticket.all_fields, ticket.label).select(ticket, now)

    def evaluation(self, fields: Mapping[str, str] | None = None) -> Evaluation:
        """Return an empty evaluation under the policy ``fields`` choose (default: none)."""
        return self.choose(fields or {}).evaluation(fields)

    def evaluate(
        self,
        events: Iterable[TicketEvent | Mapping[str, Any]],
        now: dt.datetime | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> Report:
        """Return the report for a ticket with ``fields`` under the policy they choose.

        The chosen policy's version is the one in force at the first event.
        """
        return self.choose(fields or {}).evaluate(events, now, fields)

    def __repr__(self) -> str:
        return f"PolicySet({self.name!r}, policies={[p.name for p in self.policies]})"


def _credits(
    data: object,
    tiers: Mapping[str, Mapping[str, MetricSpec]],
    versions: list[tuple[int, str, dict[str, dict[str, MetricSpec]]]],
    definitions: Mapping[str, MetricDefinition],
    where: str,
) -> Credits | None:
    """Return the ``credits`` table read and checked against the tiers it may price (or None)."""
    if data is None:
        return None
    credits = Credits.from_dict(data, where)
    names = set(tiers)
    for _, _, found in versions:
        names |= set(found)
    credits.check(names, definitions, where)
    return credits


def _check_credit_customers(
    policy: Policy, conditions: Mapping[str, frozenset[str]] | None, where: str
) -> None:
    """Refuse a fee for a customer the policy's ``applies_when`` never gives it."""
    if conditions is None or "customer" not in conditions:
        return
    paid = [policy.credits, *(version.credits for _, version in policy.versions)]
    for credits in paid:
        for customer in credits.customers if credits is not None else ():
            if customer not in conditions["customer"]:
                raise PolicyError(
                    f"{where}.credits: customer {customer!r} is priced here but this policy "
                    f"applies to customer(s) {sorted(conditions['customer'])} only"
                )


#: How many calendar choices one policy keeps built (``Policy.for_fields``).
MAX_VARIANTS = 4096
_VARIANTS_LOCK = threading.Lock()


def _who(ticket: Fielded) -> str:
    """Return how an error names ``ticket``: where it came from and its id."""
    if ticket.where and not ticket.where.startswith("ticket "):
        return f"{ticket.where}: ticket {brief(ticket.id)}"
    return ticket.label


#: The most policy files ``PolicySet.from_folder`` reads, and their largest total size.
MAX_POLICY_FILES = 256
MAX_FOLDER_BYTES = 16 * 1024 * 1024
_POLICY_SUFFIXES = frozenset({".toml", ".json", ".yaml", ".yml"})


def _member(
    entry: Mapping[str, Any], policy: Policy, where: str
) -> tuple[Policy, Mapping[str, frozenset[str]] | None]:
    """Return a policy of a set with its ``applies_when`` (None: the default)."""
    if "applies_when" in entry:
        # "set.toml: policies[0].applies_when" in a set, "acme.toml: applies_when" alone.
        place = f"{where}.applies_when" if where.endswith("]") else f"{where}: applies_when"
        conditions = _applies_when(entry["applies_when"], place)
        _check_credit_customers(policy, conditions, where)
        return policy, conditions
    return policy, None


def _check_members(
    members: list[tuple[Policy, Mapping[str, frozenset[str]] | None]], source: str
) -> None:
    """Refuse a set no ticket order can make sense of; errors name each policy's place.

    One default (the policy without ``applies_when``), last; without one, no two
    policies one ticket could both meet; each name used once.
    """
    default: Policy | None = None
    for policy, conditions in members:
        if default is not None:
            raise PolicyError(
                f"{policy.source} ({policy.name!r}): comes after the default policy "
                f"{default.name!r} (the one without applies_when, {default.source}), so it "
                "could never apply; move it up"
            )
        if conditions is None:
            default = policy
    if default is None:
        _refuse_overlaps(members, source)
    names = [policy.name for policy, _ in members]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        places = [policy.source for policy, _ in members if policy.name in repeated]
        raise PolicyError(
            f"{source}: policies: the name(s) {repeated} are used twice ({', '.join(places)})"
        )


def escalation_levels(value: object, error: type[Exception] = ValueError) -> tuple[float, ...]:
    """Return ``warn_at`` as levels: one share in (0, 1], or a list of rising shares in (0, 1).

    Anything else raises ``error`` saying what is wrong (pydantic names the field).

    >>> escalation_levels([0.5, 0.75, 0.9]), escalation_levels(1)
    ((0.5, 0.75, 0.9), (1.0,))
    """
    if isinstance(value, bool):
        raise error(f"give a share of the target such as 0.75, not {brief(value)}")
    if isinstance(value, (int, float)):
        if not 0 < value <= 1:
            raise error(f"{value} is not a share of the target (above 0, at most 1)")
        return (float(value),)
    if not isinstance(value, list) or not value:
        raise error(
            f"give a share such as 0.75 or a list such as [0.5, 0.75, 0.9], not {brief(value)}"
        )
    levels: list[float] = []
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not 0 < item < 1:
            raise error(
                f"[{index}]: {brief(item)} is not an escalation level (a share above 0, below 1; "
                "the breach is the last level, always)"
            )
        if levels and item <= levels[-1]:
            raise error(f"[{index}]: {item} is not above {levels[-1]}; list levels lowest first")
        levels.append(float(item))
    return tuple(levels)


def _applies_when(data: object, where: str) -> Mapping[str, frozenset[str]]:
    """Return ``applies_when`` as field -> the values that match (one value or a list)."""
    if not isinstance(data, Mapping) or not data:
        raise PolicyError(
            f'{where}: give fields and values, such as {{ customer = ["acme"], product = "vpn" }}'
        )
    found: dict[str, frozenset[str]] = {}
    for field, values in data.items():
        listed = [values] if isinstance(values, str) else values
        if (
            not isinstance(listed, list)
            or not listed
            or not all(isinstance(value, str) for value in listed)
        ):
            raise PolicyError(
                f"{where}.{field}: give a value or a list of values, not {brief(values)}"
            )
        found[str(field)] = frozenset(listed)
    return found


def _refuse_overlaps(
    members: list[tuple[Policy, Mapping[str, frozenset[str]] | None]], source: str
) -> None:
    """Refuse two policies one ticket could both meet, when no default settles the rest.

    Without a default a set is meant to cover its tickets exactly once; an
    overlap there is more likely a mistake than an order of preference.
    """
    for index, (first, mine) in enumerate(members):
        for second, theirs in members[index + 1 :]:
            assert mine is not None
            assert theirs is not None
            shared = set(mine) & set(theirs)
            if all(mine[field] & theirs[field] for field in shared):
                raise PolicyError(
                    f"{source}: policies {first.name!r} ({first.source}) and {second.name!r} "
                    f"({second.source}) can both apply to "
                    "one ticket and there is no default policy; narrow their applies_when "
                    "or add a default (a policy without applies_when)"
                )


def _tiers(
    written: Mapping[str, Mapping[str, _MetricModel]],
    calendars: Mapping[str, Calendar],
    templates: Mapping[str, Mapping[str, Any]],
    definitions: Mapping[str, MetricDefinition],
    prefix: str,
) -> dict[str, dict[str, MetricSpec]]:
    """Return the tiers as written, checked; errors start with ``prefix`` (``gold.toml: tiers``)."""
    tiers: dict[str, dict[str, MetricSpec]] = {}
    for tier_name, tier in written.items():
        metrics: dict[str, MetricSpec] = {}
        for metric, spec in tier.items():
            where = f"{prefix}.{tier_name}.{metric}"
            if metric not in definitions:
                raise PolicyError(
                    f"{where}: no metric named {metric!r}; define it under "
                    f"[metrics.{metric}] or use one of {sorted(definitions)}"
                )
            choice = choice_of(spec.calendar, spec.tz_from, where, calendars, templates)
            if choice is None and spec.calendar not in calendars:
                hint = (
                    "; it has no tz of its own: give tz_from = FIELD, a ticket field naming "
                    "the zone"
                    if spec.calendar in templates
                    else ""
                )
                raise PolicyError(
                    f"{where}.calendar: no calendar named {spec.calendar!r}; "
                    f"known: {sorted(calendars)}{hint}"
                )
            if spec.target is None:
                if not definitions[metric].total:
                    # A ConfigError, as a missing field is anywhere else in the file.
                    raise ConfigError(
                        f"{where}.target: required; only a total (agent_work_time, "
                        "requester_wait_time, or a metric with total = true) may be measured "
                        "without a target"
                    )
                if spec.cutoff is not None:
                    raise ConfigError(f"{where}.cutoff: a cut-off needs a target such as '3d'")
                label = spec.calendar if choice is None else str(choice)
                metrics[metric] = MetricSpec(None, label, spec.priority_change, choice)
                continue
            target = parse_target(spec.target, f"{where}.target")
            if spec.cutoff is not None:
                if not isinstance(target, BusinessDays):
                    raise PolicyError(
                        f"{where}.cutoff: a cut-off applies to business-day targets "
                        f"such as '3d', not {spec.target!r}"
                    )
                target = BusinessDays(target.days, parse_cutoff(spec.cutoff, f"{where}.cutoff"))
            label = spec.calendar if choice is None else str(choice)
            metrics[metric] = MetricSpec(target, label, spec.priority_change, choice)
        if not metrics:
            raise PolicyError(
                f"{prefix}.{tier_name}: sets no target; give one or more of {tuple(definitions)}"
            )
        # Report order: the definitions' order (the presets, then the policy's own).
        tiers[tier_name] = {name: metrics[name] for name in definitions if name in metrics}
    return tiers


def _versions(
    written: list[_VersionModel],
    calendars: Mapping[str, Calendar],
    templates: Mapping[str, Mapping[str, Any]],
    definitions: Mapping[str, MetricDefinition],
    source: str,
) -> list[tuple[int, str, dict[str, dict[str, MetricSpec]]]]:
    """Return each version as (in force from, in µs; as written; its tiers), oldest first."""
    found: list[tuple[int, str, dict[str, dict[str, MetricSpec]]]] = []
    for index, version in enumerate(written):
        where = f"{source}: versions[{index}]"
        start, label = _effective_from(version.effective_from, f"{where}.effective_from")
        if found and start <= found[-1][0]:
            raise PolicyError(
                f"{where}.effective_from: {label} is not after versions[{index - 1}] "
                f"({found[-1][1]}); list versions oldest first"
            )
        found.append(
            (
                start,
                label,
                _tiers(version.tiers, calendars, templates, definitions, f"{where}.tiers"),
            )
        )
    return found


def _effective_from(value: object, where: str) -> tuple[int, str]:
    """Return a version's start in µs and as written: a date (midnight UTC) or an instant."""
    if isinstance(value, str):
        try:
            value = (
                dt.date.fromisoformat(value)
                if len(value) == 10
                else dt.datetime.fromisoformat(value)
            )
        except ValueError:
            raise PolicyError(
                f"{where}: {brief(value)} is not a date or an ISO 8601 instant"
            ) from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise PolicyError(f"{where}: {value.isoformat()} has no UTC offset")
        return to_us(value), value.isoformat()
    if isinstance(value, dt.date):
        midnight = dt.datetime.combine(value, dt.time(), dt.timezone.utc)
        return to_us(midnight), value.isoformat()
    raise PolicyError(f"{where}: give a date such as 2026-11-01, not {brief(value)}")


def _same_calendars(
    internal: Policy, inside: MetricSpec, external: Policy, outside: MetricSpec
) -> bool:
    """Return whether two specs count on equal calendars for every ticket."""
    if inside.choice is None and outside.choice is None:
        return internal.calendars[inside.calendar] == external.calendars[outside.calendar]
    if inside.choice is None or outside.choice is None:
        return False
    # Chosen by the same field in the same way, from equal calendars (or templates).
    if inside.choice != outside.choice or internal.zoned != external.zoned:
        return False
    return all(internal.calendars[name] == external.calendars[name] for name in inside.choice.names)


def _margin(inside: Target, outside: Target) -> dt.timedelta | int | None:
    from slaclock.sla.targets import Duration

    if isinstance(inside, Duration) and isinstance(outside, Duration):
        return outside.amount - inside.amount
    if isinstance(inside, BusinessDays) and isinstance(outside, BusinessDays):
        return outside.days - inside.days
    return None


def _describe(error: ValidationError, source: str) -> str:
    """Return pydantic's errors as ``<source>: tiers.P1.resolution.target: problem`` lines."""
    lines = []
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{source}: {path}: {message}" if path else f"{source}: {message}")
    return "\n".join(lines)
