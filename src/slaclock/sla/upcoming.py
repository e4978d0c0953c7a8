"""The breach queue: which running metrics reach an escalation level or breach, and when.

``Policy.upcoming(tickets, now, within=...)`` reads every ticket's events up to
``now``, lets each open ticket's clocks run on to ``now``, and lists every level
(``warn_at``) and every breach a running metric reaches in the window
``(now, now + within]``: the screen a team lead watches. Each instant is found
the way the due instant is (``_tracking.reaching``): from the clock's state,
without building a report, and a level further off than the window's business
time is not searched for. Tickets stream through; the queue holds only the rows
in the window (with ``limit``, only the first ``limit`` of them, in a heap).

Events after ``now`` are not known yet and are left out, as ``evaluate --now``
leaves them out; a ticket logged after ``now`` is not in the queue.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from slaclock.engine._text import brief
from slaclock.engine._time import from_us, to_us
from slaclock.errors import InputError, SlaclockError
from slaclock.sla.results import iso_duration, level_text
from slaclock.sla.targets import parse_duration
from slaclock.sla.tickets import Judge, Ticket

__all__ = ["Upcoming", "upcoming"]

BREACH = 1.0


@dataclasses.dataclass(frozen=True)
class Upcoming:
    """One row of the breach queue: a running metric that reaches ``level`` at ``at``.

    ``level`` is a share of the target (``0.75``), or ``1.0`` for the breach (at the
    due instant). ``left`` is the business time left to the breach at the query's
    ``now``. ``at`` is in the metric's calendar zone.

    >>> row = Upcoming("T-7", "acme", "Gold", "P2", "resolution", 1.0,
    ...                dt.datetime(2026, 11, 25, 14, tzinfo=dt.timezone.utc),
    ...                dt.timedelta(hours=2))
    >>> row.label, Upcoming.from_dict(row.to_dict()) == row
    ('breach', True)
    """

    ticket: str
    customer: str
    policy: str
    tier: str
    metric: str
    level: float
    at: dt.datetime
    left: dt.timedelta

    @property
    def breach(self) -> bool:
        """Return whether this row is a breach (the whole target used) rather than a level."""
        return self.level >= BREACH

    @property
    def label(self) -> str:
        """Return ``"breach"``, or the level as a percentage (``"75%"``)."""
        return "breach" if self.breach else level_text(self.level)

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready data that ``from_dict`` reads back."""
        return {
            "at": self.at.isoformat(),
            "ticket": self.ticket,
            "customer": self.customer,
            "policy": self.policy,
            "tier": self.tier,
            "metric": self.metric,
            "level": self.level,
            "label": self.label,
            "left": iso_duration(self.left),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Upcoming:
        """Return the row ``to_dict`` wrote."""
        return cls(
            ticket=str(data["ticket"]),
            customer=str(data["customer"]),
            policy=str(data["policy"]),
            tier=str(data["tier"]),
            metric=str(data["metric"]),
            level=float(data["level"]),
            at=dt.datetime.fromisoformat(data["at"]),
            left=parse_duration(data["left"]),
        )


def within_of(within: dt.timedelta | str) -> dt.timedelta:
    """Return the window's length: a ``timedelta`` or text such as ``4h`` (not negative)."""
    if isinstance(within, str):
        try:
            length = parse_duration(within, "within")
        except SlaclockError as exc:
            raise InputError(str(exc)) from None
    elif isinstance(within, dt.timedelta):
        length = within
    else:
        raise InputError(f"within: give a duration such as '4h', not {brief(within)}")
    if length < dt.timedelta(0):
        raise InputError(f"within: {within} is negative; the queue looks ahead from now")
    return length


def upcoming(
    policy: Judge,
    tickets: Iterable[Ticket | Mapping[str, Any]],
    now: dt.datetime | None = None,
    *,
    within: dt.timedelta | str,
    limit: int | None = None,
    on_bad: Callable[[InputError], None] | None = None,
) -> list[Upcoming]:
    """Return every level and breach running metrics reach in ``(now, now + within]``, in order.

    Ordered by instant, then ticket id, metric and level. ``within`` is real time
    (``"4h"`` or a ``timedelta``); ``limit`` keeps only the first rows. A ticket the
    policy refuses raises ``InputError`` naming it, or, when ``on_bad`` is given, is
    passed to it and skipped. See ``Policy.upcoming``.
    """
    if now is None:
        now = dt.datetime.now(dt.timezone.utc)
    length = within_of(within)
    if limit is not None and (isinstance(limit, bool) or limit < 0):
        raise InputError(f"limit: {limit!r} is not a number of rows (0 or more)")
    start = to_us(now, "now")
    end = start + length // dt.timedelta(microseconds=1)
    rows = _rows(policy, tickets, start, end, on_bad)
    if limit is not None:
        # A heap of ``limit`` rows: memory bounded by the limit, not the window.
        return [row for _, row in heapq.nsmallest(limit, rows, key=_first)]
    return [row for _, row in sorted(rows, key=_first)]


def _first(entry: tuple[tuple[int, str, str, float], Upcoming]) -> tuple[int, str, str, float]:
    return entry[0]


def _rows(
    policy: Judge,
    tickets: Iterable[Ticket | Mapping[str, Any]],
    start: int,
    end: int,
    on_bad: Callable[[InputError], None] | None,
) -> Iterator[tuple[tuple[int, str, str, float], Upcoming]]:
    """Yield each row in ``(start, end]`` with its sort key, ticket by ticket."""
    # The business time in the window, by calendar: asked once per calendar.
    rooms: dict[int, int] = {}
    for number, item in enumerate(tickets):
        try:
            ticket = (
                item if isinstance(item, Ticket) else Ticket.from_dict(item, f"tickets[{number}]")
            )
            state = ticket.evaluation(policy, start)
            if state is None:
                continue
            try:
                reached = list(state._reaching(start, end, rooms))
            except InputError:
                raise
            except SlaclockError as exc:
                raise InputError(f"{ticket.label}: {exc}") from None
        except InputError as exc:
            if on_bad is None:
                raise
            on_bad(exc)
            continue
        if not reached:
            continue
        judged_by = state.policy.name
        tier = state.priority or ""
        for when, metric, level, left, segment in reached:
            row = Upcoming(
                ticket.id,
                ticket.customer,
                judged_by,
                tier,
                metric,
                level,
                from_us(when, segment.rule.calendar.tz),
                dt.timedelta(microseconds=left),
            )
            yield (when, ticket.id, metric, level), row
