"""Ticket events: what happened to a ticket, validated at the boundary."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from slaclock.engine._text import brief
from slaclock.engine._time import iso_datetime
from slaclock.errors import EventError, NaiveDatetimeError

__all__ = ["EVENT_KINDS", "TicketEvent"]

#: The kinds of ticket event the evaluator reads.
EVENT_KINDS: tuple[str, ...] = (
    "logged",
    "status",
    "agent_reply",
    "customer_reply",
    "priority_changed",
    "resolved",
    "reopened",
    "field_changed",
)


#: The same, for a quick membership test.
_KINDS = frozenset(EVENT_KINDS)

#: The kinds ``from_dict`` accepts after a few type tests, and the key each needs
#: (``_validate`` says the same at length).
_NEEDS: dict[str, str | None] = {
    "logged": "priority",
    "priority_changed": "priority",
    "status": "status",
    "agent_reply": None,
    "customer_reply": None,
    "resolved": None,
    "reopened": None,
}

#: Marks a kind that ``_NEEDS`` leaves to the full check.
_FULL = "full check"

#: The keys an event may have.
_KEYS = frozenset({"at", "type", "kind", "priority", "status", "public", "field", "value"})


@dataclasses.dataclass(frozen=True)
class TicketEvent:
    """One thing that happened to a ticket.

    ``kind`` is one of ``EVENT_KINDS``. ``logged`` and ``priority_changed``
    carry a ``priority``; ``status`` carries a ``status``; ``agent_reply`` may be
    private (``public=False``), and then it is no reply to the customer;
    ``field_changed`` carries the ``field`` and its new ``value`` (None: cleared).
    """

    at: dt.datetime
    kind: str
    priority: str | None = None
    status: str | None = None
    public: bool = True
    field: str | None = None
    value: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "event") -> TicketEvent:
        """Return the event ``{"at": ISO 8601, "type": kind, ...}`` (``kind`` also accepted)."""
        if type(data) is not dict and not isinstance(data, Mapping):
            raise EventError(
                f"{where}: an event is a mapping with 'at' and 'type', not {brief(data)}"
            )
        if not _KEYS.issuperset(data):
            raise EventError(f"{where}: unknown field(s) {sorted(data.keys() - _KEYS)}")
        get = data.get
        kind = data["type"] if "type" in data else get("kind")
        at = get("at")
        if (
            len(data) == 2
            and type(at) is dt.datetime
            and type(kind) is str
            and _NEEDS.get(kind, _FULL) is None
            and type(at.tzinfo) is dt.timezone
        ):
            # The commonest shape, ``{"at": ..., "type": ...}`` (a reply, a resolution):
            # nothing else to read or check.
            public, priority, status, field, new_value = True, None, None, None, None
        else:
            if isinstance(at, str):
                try:
                    at = iso_datetime(at)
                except ValueError:
                    raise EventError(
                        f"{where}: 'at' {data['at']!r} is not an ISO 8601 instant"
                    ) from None
            public = get("public", True)
            if public is not True and public is not False:
                raise EventError(f"{where}: 'public' must be true or false, not {brief(public)}")
            priority, status = get("priority"), get("status")
            field, new_value = get("field"), get("value")
            # The common shapes pass a few type tests; anything else (another zone type, a
            # field_changed event, a value to refuse) is checked in full, with its message.
            need = _NEEDS.get(kind, _FULL) if type(kind) is str else _FULL
            if not (
                need is not _FULL
                and type(at) is dt.datetime
                and type(at.tzinfo) is dt.timezone
                and (priority is None or type(priority) is str)
                and (status is None or type(status) is str)
                and field is None
                and new_value is None
                and (need is None or get(need) is not None)
            ):
                cls._validate(at, kind, priority, status, where=where)
                if field is not None or new_value is not None or kind == "field_changed":
                    cls._validate_field(kind, field, new_value, where=where)
        # Validated just above: built without __post_init__ checking it all again.
        event = object.__new__(cls)
        event.__dict__.update(
            {
                "at": at,
                "kind": kind,
                "priority": priority,
                "status": status,
                "public": public,
                "field": field,
                "value": new_value,
            }
        )
        return event

    @staticmethod
    def _validate(
        at: object, kind: object, priority: object, status: object, *, where: str
    ) -> None:
        if not isinstance(at, dt.datetime):
            raise EventError(f"{where}: 'at' must be a datetime, not {brief(at)}")
        zone = at.tzinfo
        # A fixed offset (what ISO 8601 text gives) always has one: no call needed.
        if zone is None or (type(zone) is not dt.timezone and at.utcoffset() is None):
            raise NaiveDatetimeError(f"{where}: 'at' {at.isoformat()} has no time zone")
        if not isinstance(kind, str) or kind not in _KINDS:
            raise EventError(f"{where}: unknown event type {brief(kind)}; use one of {EVENT_KINDS}")
        if kind in ("logged", "priority_changed") and not isinstance(priority, str):
            raise EventError(f"{where}: a {kind} event needs a 'priority', such as 'P1'")
        if kind == "status" and not isinstance(status, str):
            raise EventError(
                f"{where}: a status event needs a 'status', such as 'pending-customer'"
            )
        if priority is not None and not isinstance(priority, str):
            raise EventError(f"{where}: 'priority' must be text, not {brief(priority)}")
        if status is not None and not isinstance(status, str):
            raise EventError(f"{where}: 'status' must be text, not {brief(status)}")

    @staticmethod
    def _validate_field(kind: object, field: object, value: object, *, where: str) -> None:
        if kind == "field_changed":
            if not isinstance(field, str) or not field:
                raise EventError(f"{where}: a field_changed event needs a 'field', such as 'group'")
            if value is not None and not isinstance(value, str):
                raise EventError(f"{where}: 'value' must be text or null, not {brief(value)}")
        elif field is not None or value is not None:
            raise EventError(f"{where}: only a field_changed event has 'field' and 'value'")

    def __post_init__(self) -> None:
        self._validate(self.at, self.kind, self.priority, self.status, where="event")
        self._validate_field(self.kind, self.field, self.value, where="event")
        if not isinstance(self.public, bool):
            raise EventError(f"event: 'public' must be true or false, not {brief(self.public)}")

    def to_dict(self) -> dict[str, Any]:
        """Return the event as JSON-ready data that ``from_dict`` reads back."""
        data: dict[str, Any] = {"at": self.at.isoformat(), "type": self.kind}
        if self.priority is not None:
            data["priority"] = self.priority
        if self.status is not None:
            data["status"] = self.status
        if not self.public:
            data["public"] = False
        if self.field is not None:
            data["field"] = self.field
            data["value"] = self.value
        return data

    def describe(self) -> str:
        """Return a short description: ``status 'pending-customer' at 2026-…``."""
        detail = self.priority or self.status
        if self.field is not None:
            detail = f"{self.field}={self.value}"
        return f"{self.kind}{f' {brief(detail)}' if detail else ''} at {self.at.isoformat()}"
