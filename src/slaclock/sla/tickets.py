"""Tickets and their events, read from JSON Lines: one ticket per line.

Each line of a tickets file is one JSON object::

    {"id": "T-1", "customer": "acme", "events": [
        {"at": "2026-10-05T09:12:00+01:00", "type": "logged", "priority": "P3"},
        {"at": "2026-10-05T09:40:00+01:00", "type": "agent_reply"},
        {"at": "2026-10-06T15:00:00+01:00", "type": "resolved"}]}

``id`` (text or a whole number) and ``events`` are required, ``customer`` and
``fields`` (text values by name, ``{"group": "network", "site": "leeds"}``) are
optional; other keys are refused, so that a misspelt ``event`` is caught.
``customer`` is a field too.
Events are those of ``TicketEvent`` (``docs/policy.md``)
and come in time order, ``logged`` first. Blank lines are skipped. Every problem
is an ``InputError`` naming the file, the line and the
field: ``tickets.jsonl:17: events[2].at: '2026-13-01' is not an ISO 8601 instant``.

>>> ticket, = iter_tickets([
...     '{"id": "T-1", "events": [{"at": "2026-11-20T16:55+00:00", "type": "logged",'
...     ' "priority": "P3"}]}'
... ], source="tickets.jsonl")
>>> ticket.id, ticket.where, ticket.logged_at.isoformat()
('T-1', 'tickets.jsonl:1', '2026-11-20T16:55:00+00:00')
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from slaclock.config._documents import parse_document
from slaclock.engine._text import brief
from slaclock.engine._time import from_us, parse_instant, to_us
from slaclock.errors import ConfigError, InputError, SlaclockError
from slaclock.sla._seen import SeenIds
from slaclock.sla.events import TicketEvent
from slaclock.sla.results import Report

if TYPE_CHECKING:
    from slaclock.sla.evaluation import Evaluation

__all__ = ["Judge", "Ticket", "evaluate_tickets", "iter_tickets", "read_tickets"]

_FIELDS = ("id", "customer", "fields", "events")

#: The most events one ticket may have.
MAX_EVENTS = 10_000
#: The longest line of a tickets file, in bytes (1 MiB).
MAX_LINE_BYTES = 1024 * 1024
#: The years a ticket's events may fall in (UTC).
FIRST_YEAR, LAST_YEAR = 1900, 2199


class _Chosen(Protocol):
    def evaluation(self) -> Evaluation: ...


class Judge(Protocol):
    """What judging a ticket reads of a policy (``Policy`` and ``PolicySet`` are judges)."""

    def select(self, ticket: Ticket, now: dt.datetime | None = None) -> _Chosen:
        """Return the policy (or version) that judges ``ticket`` (at ``now``, for ``judge_by``)."""
        ...


@dataclasses.dataclass(frozen=True)
class Ticket:
    """One ticket: its id, its customer and its events in time order, ``logged`` first.

    ``where`` says where it came from (``tickets.jsonl:17``) and prefixes every
    error about it.
    """

    id: str
    events: tuple[TicketEvent, ...]
    customer: str = ""
    where: str = ""
    #: The ticket's fields when it was logged (``field_changed`` events change them later).
    fields: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.events or self.events[0].kind != "logged":
            raise InputError(f"{self.label}: events: the first event must be 'logged'")
        customer = self.fields.get("customer")
        if customer is not None and self.customer and customer != self.customer:
            raise InputError(
                f"{self.label}: fields.customer: {brief(customer)} differs from customer "
                f"{brief(self.customer)}"
            )
        if customer is not None:
            # Kept once, as ``customer``: ``all_fields`` gives it back as a field.
            object.__setattr__(self, "customer", customer)
            others = {name: value for name, value in self.fields.items() if name != "customer"}
            object.__setattr__(self, "fields", others)

    @property
    def all_fields(self) -> dict[str, str]:
        """Return the ticket's fields as logged, ``customer`` among them.

        >>> Ticket("T-1", (TicketEvent.from_dict({"at": "2026-11-20T09:00Z", "type": "logged",
        ...     "priority": "P3"}),), "acme", fields={"group": "network"}).all_fields
        {'group': 'network', 'customer': 'acme'}
        """
        found = dict(self.fields)
        if self.customer:
            found["customer"] = self.customer
        return found

    @property
    def label(self) -> str:
        """Return where the ticket came from, or ``ticket 'T-1'`` when that is unknown."""
        return self.where or f"ticket {brief(self.id)}"

    @property
    def logged_at(self) -> dt.datetime:
        """Return the instant the ticket was logged (its first event)."""
        return self.events[0].at

    @classmethod
    def from_dict(cls, data: object, where: str = "") -> Ticket:
        """Return the ticket ``{"id", "customer", "events"}``; errors start with ``where``."""
        at = f"{where}: " if where else ""
        if not isinstance(data, Mapping):
            raise InputError(
                f"{at}a ticket is a JSON object with 'id' and 'events', not {brief(data)}"
            )
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise InputError(
                f"{at}unknown field {brief(unknown[0])}; a ticket has {', '.join(_FIELDS)}"
            )
        ident = data.get("id")
        if isinstance(ident, bool) or not isinstance(ident, (str, int)) or ident == "":
            raise InputError(f"{at}id: expected text such as 'T-1', got {brief(ident)}")
        customer = data.get("customer", "")
        if customer is None:
            customer = ""
        if not isinstance(customer, str):
            raise InputError(f"{at}customer: expected text, got {brief(customer)}")
        fields = data.get("fields", {})
        if not isinstance(fields, Mapping):
            raise InputError(f"{at}fields: expected an object of text values, got {brief(fields)}")
        for name, value in fields.items():
            if not isinstance(value, str):
                raise InputError(f"{at}fields.{name}: expected text, got {brief(value)}")
        raw_events = data.get("events")
        if not isinstance(raw_events, list) or not raw_events:
            raise InputError(
                f"{at}events: expected a list of events, 'logged' first, got {brief(raw_events)}"
            )
        if len(raw_events) > MAX_EVENTS:
            raise InputError(
                f"{at}events: {len(raw_events)} events, more than the limit MAX_EVENTS "
                f"({MAX_EVENTS}) for one ticket"
            )
        events = tuple(
            _event(item, f"{at}events[{number}]") for number, item in enumerate(raw_events)
        )
        return cls(str(ident), events, customer, where, dict(fields))

    def to_dict(self) -> dict[str, Any]:
        """Return the ticket as JSON-ready data that ``from_dict`` reads back."""
        data: dict[str, Any] = {"id": self.id}
        if self.customer:
            data["customer"] = self.customer
        if self.fields:
            data["fields"] = dict(self.fields)
        data["events"] = [event.to_dict() for event in self.events]
        return data

    def evaluate(self, policy: Judge, now: dt.datetime | None = None) -> Report | None:
        """Return the ticket's report under ``policy`` as it stood at ``now`` (default: the clock).

        Events after ``now`` are not yet known and are left out; a ticket logged
        after ``now`` has no report (None). Event problems (time order, unknown
        priority or status) raise ``InputError`` naming the ticket.
        """
        if now is None:
            now = dt.datetime.now(dt.timezone.utc)
        with self._named():
            found = self._known(policy, to_us(now, "now"))
            if found is None:
                return None
            state, known = found
            return state.report_after(known, now)

    def evaluation(self, policy: Judge, now: int) -> Evaluation | None:
        """Return the state after the events up to ``now`` (µs since the epoch) under ``policy``.

        ``policy`` chooses the policy (and version) that judges the ticket. None when
        the ticket was logged after ``now``; problems raise ``InputError`` naming it.
        """
        with self._named():
            found = self._known(policy, now)
            if found is None:
                return None
            state, known = found
            # The whole-ticket path: the states between events are never built.
            return state.feed_all(known)

    def _known(self, policy: Judge, now: int) -> tuple[Evaluation, tuple[TicketEvent, ...]] | None:
        """Return the empty state ``policy`` chooses and the events known by ``now`` (µs).

        None when the ticket was logged after ``now``.
        """
        if to_us(self.logged_at) > now:
            return None
        state = policy.select(self, from_us(now, dt.timezone.utc)).evaluation()
        known = self.events
        for index, event in enumerate(known):
            if to_us(event.at) > now:
                return state, known[:index]
        return state, known

    @contextlib.contextmanager
    def _named(self) -> Iterator[None]:
        """Turn any refusal into an ``InputError`` that names the ticket."""
        try:
            yield
        except InputError:
            raise
        except SlaclockError as exc:
            # Any refusal (event order, a target no calendar can meet, a date past the
            # range) is about this ticket, so it names it and --skip-bad can skip it.
            raise InputError(f"{self.label}: {exc}") from None


def _event(item: object, where: str) -> TicketEvent:
    """Return one event, with ``at`` problems named as ``events[2].at``."""
    if isinstance(item, Mapping) and "at" in item:
        value = item["at"]
        if not isinstance(value, str):
            raise InputError(f"{where}.at: expected an ISO 8601 instant, got {brief(value)}")
        instant = parse_instant(value, f"{where}.at", InputError)
        if not FIRST_YEAR <= instant.year <= LAST_YEAR:
            raise InputError(
                f"{where}.at: {brief(value)} is outside the years a ticket may use "
                f"({FIRST_YEAR} to {LAST_YEAR})"
            )
    try:
        return TicketEvent.from_dict(item, where)  # type: ignore[arg-type]
    except SlaclockError as exc:
        raise InputError(str(exc)) from None


def iter_tickets(
    lines: Iterable[str | bytes],
    source: str = "<tickets>",
    on_bad: Callable[[InputError], None] | None = None,
) -> Iterator[Ticket]:
    """Yield the tickets in JSON Lines text, one per non-blank line.

    A bad line raises ``InputError`` (``source:line: ...``),
    or, when ``on_bad`` is given, is passed to it and skipped. An id seen on an
    earlier line is a bad line too.
    """
    seen = SeenIds()
    try:
        for number, raw in enumerate(lines, start=1):
            where = f"{source}:{number}"
            try:
                ticket = parse_line(raw, where)
                if ticket is None:
                    continue
                first = seen.first_line(ticket.id)
                if first is not None:
                    raise repeated(ticket.id, where, first)
                seen.add(ticket.id, number)
            except InputError as exc:
                if on_bad is None:
                    raise
                on_bad(exc)
                continue
            yield ticket
    finally:
        seen.close()


def parse_line(raw: str | bytes, where: str) -> Ticket | None:
    """Return the ticket on one JSON Lines line (None for a blank line); errors start ``where``."""
    if len(raw) > MAX_LINE_BYTES:
        raise InputError(f"{where}: longer than the limit MAX_LINE_BYTES ({MAX_LINE_BYTES} bytes)")
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{where}: not UTF-8 text ({exc.reason})") from None
    else:
        text = raw
    # A byte order mark (Excel, Notepad) starts a file: its first line.
    text = text.removeprefix("\ufeff").strip()
    if not text:
        return None
    try:
        # The configuration reader's JSON: duplicate keys, depth and numbers bounded.
        data = parse_document(text, "json", where)
    except ConfigError as exc:
        raise InputError(str(exc)) from None
    return Ticket.from_dict(data, where)


def repeated(ident: str, where: str, first: int) -> InputError:
    """Return the error for a ticket id that an earlier line (``first``) already gave."""
    return InputError(f"{where}: id: {brief(ident)} repeats line {first}")


def read_tickets(
    path: str | Path, on_bad: Callable[[InputError], None] | None = None
) -> list[Ticket]:
    """Return the tickets in the JSON Lines file at ``path`` (see ``iter_tickets``).

    A file that cannot be opened raises ``OSError``.
    """
    with Path(path).open("rb") as lines:
        return list(iter_tickets(lines, str(path), on_bad))


def evaluate_tickets(
    policy: Judge,
    tickets: Iterable[Ticket],
    now: dt.datetime | None = None,
    on_bad: Callable[[InputError], None] | None = None,
) -> Iterator[tuple[Ticket, Report]]:
    """Yield each ticket logged by ``now`` with its report at ``now`` (see ``Ticket.evaluate``).

    A ticket whose events the policy refuses raises ``InputError``,
    or, when ``on_bad`` is given, is passed to it and skipped.
    """
    if now is None:
        now = dt.datetime.now(dt.timezone.utc)
    for ticket in tickets:
        try:
            report = ticket.evaluate(policy, now)
        except InputError as exc:
            if on_bad is None:
                raise
            on_bad(exc)
            continue
        if report is not None:
            yield ticket, report
