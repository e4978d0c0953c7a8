"""Tickets from a table of events: one row per event, as warehouses keep them.

A pandas ``DataFrame`` or a pyarrow ``Table`` (or ``RecordBatch``) with a
column for the ticket id, one for the instant (``at``, a zoned timestamp) and
one for the event type, plus any of ``priority``, ``status``, ``public`` and
``customer``, and the columns ``fields`` names (ticket fields such as ``site``).
Rows may come in any order: each ticket's events are put in
time order (rows at the same instant keep their order in the table).

The columns are read once into Python values and fed to the same ``Ticket``
and ``Evaluation`` API the JSON Lines reader feeds, so the reports are the
ones ``evaluate_tickets`` gives for the same events; nothing is written to
JSON and read back.

>>> import pandas as pd
>>> events = pd.DataFrame({
...     "ticket": ["T-1", "T-1"],
...     "at": pd.to_datetime(["2026-11-20T16:55Z", "2026-11-23T09:30Z"], utc=True),
...     "type": ["logged", "agent_reply"],
...     "priority": ["P3", None],
... })
>>> ticket = next(tickets_from_table(events))
>>> ticket.id, len(ticket.events)
('T-1', 2)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from slaclock.errors import InputError, SlaclockError
from slaclock.sla.events import TicketEvent
from slaclock.sla.results import Report
from slaclock.sla.tickets import Ticket, evaluate_tickets

if TYPE_CHECKING:
    from slaclock.sla.policy import Policy

__all__ = ["evaluate_table", "tickets_from_table"]

#: The event fields a table may carry besides the id, instant and type columns.
_EVENT_FIELDS = ("priority", "status", "public")


def tickets_from_table(
    table: Any,
    *,
    id: str = "ticket",
    at: str = "at",
    type: str = "type",
    customer: str = "customer",
    fields: Sequence[str] = (),
    on_bad: Callable[[InputError], None] | None = None,
) -> Iterator[Ticket]:
    """Yield one ``Ticket`` per ticket id in ``table``, in order of first appearance.

    ``id``, ``at`` and ``type`` name the required columns; ``customer`` names an
    optional one (its first non-empty value per ticket counts), and columns
    named ``priority``, ``status`` and ``public`` fill those event fields (empty
    cells leave them out). ``fields`` names columns that hold ticket fields (its
    first non-empty text per ticket counts, as for ``customer``: the fields as the
    ticket was logged). Columns of other names are ignored. A bad row or
    ticket raises ``InputError`` naming the row (``row 17: at: ...``) or, when
    ``on_bad`` is given, is passed to it and the ticket skipped.
    """
    columns = _columns(table)
    for name in (id, at, type):
        if name not in columns:
            raise InputError(
                f"the table has no {name!r} column (it has {', '.join(columns) or 'none'})"
            )
    ids, instants, kinds = columns[id], columns[at], columns[type]
    customers = columns.get(customer)
    for name in fields:
        if name not in columns:
            raise InputError(
                f"fields: the table has no {name!r} column (it has {', '.join(columns)})"
            )
    ticket_fields = {name: columns[name] for name in fields}
    event_fields = {name: columns[name] for name in _EVENT_FIELDS if name in columns}
    rows: dict[object, list[int]] = {}
    for row, ident in enumerate(ids):
        if _missing(ident):
            error = InputError(f"row {row}: {id}: empty")
            if on_bad is None:
                raise error
            on_bad(error)
            continue
        rows.setdefault(ident, []).append(row)
    for ident, numbers in rows.items():
        try:
            events = []
            for row in numbers:
                data: dict[str, Any] = {"at": _instant(instants[row], row, at), "type": kinds[row]}
                for name, values in event_fields.items():
                    value = values[row]
                    if not _missing(value):
                        data[name] = value
                try:
                    events.append((data["at"], row, TicketEvent.from_dict(data, f"row {row}")))
                except SlaclockError as exc:
                    raise InputError(str(exc)) from None
            events.sort(key=lambda item: (item[0], item[1]))
            found = "" if customers is None else _first(customers, numbers)
            if not isinstance(found, str):
                raise InputError(f"row {numbers[0]}: {customer}: expected text, got {found!r}")
            given: dict[str, str] = {}
            for name, values in ticket_fields.items():
                value = _first(values, numbers)
                if not isinstance(value, str):
                    raise InputError(f"row {numbers[0]}: {name}: expected text, got {value!r}")
                if value:
                    given[name] = value
            yield Ticket(
                str(ident),
                tuple(event for _, _, event in events),
                found,
                f"ticket {str(ident)!r} (rows {', '.join(map(str, numbers[:3]))}"
                + (", ...)" if len(numbers) > 3 else ")"),
                given,
            )
        except InputError as exc:
            if on_bad is None:
                raise
            on_bad(exc)


def evaluate_table(
    policy: Policy,
    table: Any,
    now: dt.datetime | None = None,
    *,
    id: str = "ticket",
    at: str = "at",
    type: str = "type",
    customer: str = "customer",
    fields: Sequence[str] = (),
    on_bad: Callable[[InputError], None] | None = None,
) -> Iterator[tuple[Ticket, Report]]:
    """Yield each ticket of ``table`` logged by ``now`` with its report (``evaluate_tickets``)."""
    tickets = tickets_from_table(
        table, id=id, at=at, type=type, customer=customer, fields=fields, on_bad=on_bad
    )
    return evaluate_tickets(policy, tickets, now, on_bad)


def _columns(table: Any) -> dict[str, list[Any]]:
    """Return the table's columns as lists of Python values (datetimes for timestamps)."""
    module = getattr(getattr(table, "__class__", None), "__module__", "") or ""
    if module.startswith("pandas"):
        frame = table if hasattr(table, "columns") else table.to_frame()
        found: dict[str, list[Any]] = {}
        for name in frame.columns:
            column = frame[name]
            if str(column.dtype).startswith("datetime64"):
                found[str(name)] = [
                    None if _missing(stamp) else stamp.to_pydatetime() for stamp in column.tolist()
                ]
            else:
                found[str(name)] = column.tolist()
        return found
    if module.startswith("pyarrow"):
        return {str(name): table.column(name).to_pylist() for name in table.column_names}
    raise InputError(
        f"expected a pandas DataFrame or a pyarrow Table of events, not {table.__class__.__name__}"
    )


def _missing(value: object) -> bool:
    """Return whether a cell is empty: None, NaN or pandas' NaT / NA."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return repr(value) in ("NaT", "<NA>")


def _instant(value: object, row: int, column: str) -> dt.datetime:
    if _missing(value):
        raise InputError(f"row {row}: {column}: empty")
    if not isinstance(value, dt.datetime):
        raise InputError(f"row {row}: {column}: expected a zoned timestamp, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(
            f"row {row}: {column}: {value.isoformat()} has no time zone; "
            "store the column as zoned timestamps (such as UTC)"
        )
    return value


def _first(values: list[Any], rows: list[int]) -> Any:
    """Return the first non-empty value among ``rows``, or ``""``."""
    for row in rows:
        if not _missing(values[row]):
            return values[row]
    return ""
