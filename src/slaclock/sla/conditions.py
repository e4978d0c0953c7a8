"""Conditions on ticket events, and metrics defined by them.

A condition is a short text read once, when a policy loads, into a ``Condition``
that matches events::

    logged  resolved  reopened  customer_reply
    agent_reply  agent_reply:public  agent_reply:private
    status:NAME  priority:NAME  field:NAME  field:NAME=VALUE

A ``MetricDefinition`` says when a metric starts, pauses, stops, restarts from
zero and is cancelled, each as a list of conditions. The built-in metrics
(``PRESETS``) are written in exactly these terms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from slaclock.engine._text import brief
from slaclock.errors import PolicyError
from slaclock.sla.events import TicketEvent

__all__ = ["PRESETS", "Condition", "MetricDefinition", "parse_condition", "parse_conditions"]

#: Conditions that take no argument, and the event kind each matches.
_BARE = {
    "logged": "logged",
    "resolved": "resolved",
    "reopened": "reopened",
    "customer_reply": "customer_reply",
    "agent_reply": "agent_reply",
}
#: Conditions written ``KIND:NAME``, and the event kind each matches.
_NAMED = {"status": "status", "priority": "priority_changed"}

GRAMMAR = (
    "logged, resolved, reopened, customer_reply, agent_reply, agent_reply:public, "
    "agent_reply:private, status:NAME, priority:NAME, field:NAME, field:NAME=VALUE"
)


@dataclasses.dataclass(frozen=True, slots=True)
class Condition:
    """A test on one ticket event: its kind and, optionally, its status, priority or public flag.

    >>> parse_condition("status:pending-customer", "here")
    Condition('status:pending-customer')
    """

    text: str
    kind: str
    value: str | None = None
    public: bool | None = None
    #: The field a ``field:NAME`` condition watches.
    field: str | None = None

    def matches(self, event: TicketEvent) -> bool:
        """Return whether ``event`` meets this condition."""
        if event.kind != self.kind:
            return False
        if self.public is not None and event.public is not self.public:
            return False
        if self.field is not None and event.field != self.field:
            return False
        if self.value is None:
            return True
        if self.kind == "status":
            return event.status == self.value
        if self.kind == "priority_changed":
            return event.priority == self.value
        return event.value == self.value

    def __repr__(self) -> str:
        return f"Condition({self.text!r})"


def parse_condition(text: object, where: str) -> Condition:
    """Return the condition written ``text``; a PolicyError naming ``where`` if it is not one.

    >>> parse_condition("agent_reply:public", "x").public
    True
    >>> parse_condition("replied", "policy.toml: metrics.ack.stop_when[0]")
    Traceback (most recent call last):
    ...
    slaclock.errors.PolicyError: policy.toml: metrics.ack.stop_when[0]: unknown condition 'replied'; use one of logged, resolved, reopened, customer_reply, agent_reply, agent_reply:public, agent_reply:private, status:NAME, priority:NAME, field:NAME, field:NAME=VALUE
    """  # noqa: E501
    if not isinstance(text, str):
        raise PolicyError(f"{where}: a condition is text such as 'status:NAME', not {brief(text)}")
    head, colon, tail = text.strip().partition(":")
    if not colon and head in _BARE:
        return Condition(text, _BARE[head])
    if head == "agent_reply" and tail in ("public", "private"):
        return Condition(text, "agent_reply", public=tail == "public")
    if head in _NAMED and tail:
        return Condition(text, _NAMED[head], value=tail)
    if head == "field" and tail:
        name, equals, value = tail.partition("=")
        if name and (value or not equals):
            return Condition(text, "field_changed", value=value or None, field=name)
    raise PolicyError(f"{where}: unknown condition {brief(text)}; use one of {GRAMMAR}")


def parse_conditions(texts: object, where: str) -> tuple[Condition, ...]:
    """Return the conditions in the list ``texts``; each error names its place in ``where``."""
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list | tuple):
        raise PolicyError(f"{where}: give a list of conditions, not {brief(texts)}")
    return tuple(parse_condition(text, f"{where}[{index}]") for index, text in enumerate(texts))


#: In a ``MetricDefinition``'s plans: conditions every event of their kind meets.
ALWAYS: tuple[Condition, ...] = (Condition("always", "*"),)


def _plan(conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
    """Return conditions on one kind of event as a plan tests them (``ALWAYS``, or as given)."""
    for condition in conditions:
        if condition.public is None and condition.field is None and condition.value is None:
            return ALWAYS  # the kind alone: no need to test the others
    return conditions


def status_pauses(conditions: Iterable[Condition]) -> frozenset[str]:
    """Return the statuses named by ``status:NAME`` conditions."""
    return frozenset(c.value for c in conditions if c.kind == "status" and c.value is not None)


@dataclasses.dataclass(frozen=True, slots=True)
class MetricDefinition:
    """What a metric counts, as conditions on the ticket's events.

    A run starts at an event meeting ``start_when`` (a non-cyclic metric runs
    once; a cyclic one starts a new run whenever none is open), stops at one
    meeting ``stop_when``, pauses while the ticket's status is one ``pause_when``
    names (None: the policy's ``pause_when``), restarts from zero at ``reset_when``
    and ends unjudged at ``cancel_when``. ``start_after`` holds back every start
    until an event meeting it has happened (an update is due only after a first
    response). A resolution ends every run and a reopen resumes it, whatever the
    conditions. A total (``total=True``) counts while running and needs no stop.
    """

    start_when: tuple[Condition, ...]
    stop_when: tuple[Condition, ...] = ()
    pause_when: tuple[Condition, ...] | None = ()
    reset_when: tuple[Condition, ...] = ()
    cancel_when: tuple[Condition, ...] = ()
    start_after: tuple[Condition, ...] = ()
    cyclic: bool = False
    total: bool = False
    #: Per event kind, the conditions of that kind in ``cancel_when``, ``reset_when``,
    #: ``stop_when``, ``start_after`` and ``start_when``: an event is tested only
    #: against the conditions that can match it (a dispatch table built once); a kind
    #: no condition reads is not in it. A list holding a condition on the kind alone
    #: (``logged``, ``resolved``) is ``ALWAYS``: every event of the kind meets it.
    plans: Mapping[str, tuple[tuple[Condition, ...], ...]] = dataclasses.field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        lists = (
            self.cancel_when,
            self.reset_when,
            self.stop_when,
            self.start_after,
            self.start_when,
        )
        kinds = {condition.kind for found in lists for condition in found}
        plans = {
            kind: tuple(_plan(tuple(c for c in found if c.kind == kind)) for found in lists)
            for kind in kinds
        }
        object.__setattr__(self, "plans", plans)

    def __reduce__(self) -> tuple[type[MetricDefinition], tuple[Any, ...]]:
        # Pickled as its conditions: the plans are made again where it is read, so
        # that ``ALWAYS`` in them is that module's own (the loop tests it by identity).
        return MetricDefinition, (
            self.start_when,
            self.stop_when,
            self.pause_when,
            self.reset_when,
            self.cancel_when,
            self.start_after,
            self.cyclic,
            self.total,
        )

    def statuses(self) -> frozenset[str]:
        """Return the statuses this definition's conditions name."""
        return status_pauses(
            (
                *self.start_when,
                *self.stop_when,
                *(self.pause_when or ()),
                *self.reset_when,
                *self.cancel_when,
                *self.start_after,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the definition as it is written in a policy file.

        >>> PRESETS["resolution"].to_dict()
        {'start_when': ['logged'], 'stop_when': ['resolved']}
        """
        data: dict[str, Any] = {"start_when": [c.text for c in self.start_when]}
        for name in ("stop_when", "reset_when", "cancel_when", "start_after"):
            found = getattr(self, name)
            if found:
                data[name] = [c.text for c in found]
        if self.pause_when is not None:
            data["pause_when"] = [c.text for c in self.pause_when]
        if self.cyclic:
            data["cyclic"] = True
        if self.total:
            data["total"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str) -> MetricDefinition:
        """Return the definition in ``data`` (a ``[metrics.NAME]`` table); errors name ``where``.

        >>> MetricDefinition.from_dict({"start_when": ["logged"]}, "p.toml: metrics.ack")
        Traceback (most recent call last):
        ...
        slaclock.errors.PolicyError: p.toml: metrics.ack: a metric needs stop_when (or total = true)
        """
        if not isinstance(data, Mapping):
            raise PolicyError(f"{where}: a metric is a table of conditions, not {brief(data)}")
        known = {
            "start_when",
            "stop_when",
            "pause_when",
            "reset_when",
            "cancel_when",
            "start_after",
            "cyclic",
            "total",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise PolicyError(f"{where}: unknown setting(s) {unknown}; use {sorted(known)}")
        if "start_when" not in data:
            raise PolicyError(f"{where}: a metric needs start_when")
        flags = {}
        for flag in ("cyclic", "total"):
            value = data.get(flag, False)
            if not isinstance(value, bool):
                raise PolicyError(f"{where}.{flag}: true or false, not {brief(value)}")
            flags[flag] = value
        pause = data.get("pause_when")
        definition = cls(
            start_when=parse_conditions(data["start_when"], f"{where}.start_when"),
            stop_when=parse_conditions(data.get("stop_when", []), f"{where}.stop_when"),
            pause_when=None if pause is None else _pauses(pause, f"{where}.pause_when"),
            reset_when=parse_conditions(data.get("reset_when", []), f"{where}.reset_when"),
            cancel_when=parse_conditions(data.get("cancel_when", []), f"{where}.cancel_when"),
            start_after=parse_conditions(data.get("start_after", []), f"{where}.start_after"),
            cyclic=flags["cyclic"],
            total=flags["total"],
        )
        if not definition.start_when:
            raise PolicyError(f"{where}.start_when: give at least one condition")
        for index, condition in enumerate(definition.start_when):
            if condition.kind == "resolved":
                # A resolution ends every clock (reopened resumes them): nothing could run.
                raise PolicyError(
                    f"{where}.start_when[{index}]: 'resolved' ends every clock, so a metric "
                    "cannot start there; start at 'reopened' to count after a reopen"
                )
        if not definition.stop_when and not definition.total:
            raise PolicyError(f"{where}: a metric needs stop_when (or total = true)")
        return definition


def _pauses(texts: object, where: str) -> tuple[Condition, ...]:
    """Return pause conditions: ``status:NAME`` (a bare status name means the same)."""
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list | tuple):
        raise PolicyError(f"{where}: give a list of statuses, not {brief(texts)}")
    found = []
    for index, text in enumerate(texts):
        place = f"{where}[{index}]"
        bare = isinstance(text, str) and ":" not in text and text not in _BARE
        condition = parse_condition(f"status:{text}" if bare else text, place)
        if condition.kind != "status":
            raise PolicyError(
                f"{place}: a metric pauses while a status holds; write 'status:NAME', "
                f"not {brief(text)}"
            )
        found.append(condition)
    return tuple(found)


def pause_conditions(texts: object, where: str) -> tuple[Condition, ...]:
    """Return the policy's ``pause_when``: ``status:NAME`` or bare status names."""
    return _pauses(texts, where)


def _c(*texts: str) -> tuple[Condition, ...]:
    return tuple(parse_condition(text, "preset") for text in texts)


#: The built-in metrics, as condition definitions (``docs/policy.md`` lists them).
PRESETS: dict[str, MetricDefinition] = {
    "first_response": MetricDefinition(start_when=_c("logged"), stop_when=_c("agent_reply:public")),
    "next_update": MetricDefinition(
        start_when=_c("customer_reply"),
        stop_when=_c("agent_reply:public"),
        start_after=_c("agent_reply:public"),
        cyclic=True,
    ),
    "resolution": MetricDefinition(
        start_when=_c("logged"), stop_when=_c("resolved"), pause_when=None
    ),
    "periodic_update": MetricDefinition(
        start_when=_c("logged", "agent_reply:public"),
        stop_when=_c("agent_reply:public"),
        cyclic=True,
    ),
    "pausable_update": MetricDefinition(
        start_when=_c("customer_reply"),
        stop_when=_c("agent_reply:public"),
        pause_when=None,
        start_after=_c("agent_reply:public"),
        cyclic=True,
    ),
    # Totals up to resolution: the agent's time leaves out waiting on others,
    # the requester's time leaves out only waiting on the requester.
    "agent_work_time": MetricDefinition(
        start_when=_c("logged"),
        pause_when=_c("status:pending-customer", "status:awaiting-parts", "status:on-hold"),
        total=True,
    ),
    "requester_wait_time": MetricDefinition(
        start_when=_c("logged"), pause_when=_c("status:pending-customer"), total=True
    ),
}
