"""``--jobs N``: evaluate a tickets file on several processes, with one process's output.

The file is cut at line boundaries into byte ranges; each worker process gets
the file's path, a range and the number of its first line (a few integers, never
tickets), loads the policy once, reads its range, parses each line as
``iter_tickets`` does and evaluates each ticket as ``evaluate_tickets`` does.
Each ticket goes to a *sink* (``Sink``): ``evaluate`` renders it there, ``report``
counts it into mergeable ``Tallies``. A worker sends back, in line order, what
happened on each line (a problem, or a ticket and what its sink gave back) and
then its sink. The parent replays that in file order: ids repeated across
ranges are caught there, as ``iter_tickets`` catches them, problems go to
``--skip-bad`` (or the first one stops the run) in the order one process meets
them, renderings come out in file order and tallies merge in file order. So the
output is the same, byte for byte, whatever ``N``.

A worker skips an id repeated within its own range; one first seen in an earlier
range it cannot know of, so when such a ticket was counted, the parent counts
that range again without it (rare: repeated ids are bad input).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, Union, cast

from slaclock.errors import InputError
from slaclock.sla._seen import SeenIds
from slaclock.sla.tickets import parse_line, repeated

if TYPE_CHECKING:
    from slaclock.reports.periods import ReportingPeriod
    from slaclock.sla.policy import Policy
    from slaclock.sla.results import Report
    from slaclock.sla.tickets import Ticket

__all__ = ["Render", "Sink", "parallel_reports"]

#: Ranges per worker: enough for the work to even out, few enough to keep overhead low.
RANGES_PER_JOB = 8

#: What a worker sends back per line: a problem (its message), or a parsed ticket's
#: line, id and ``where``, and then either ``(what the sink gave back,)``, None (not
#: taken: outside the period, logged after ``now``, or an id repeated in the range)
#: or the message of the problem evaluating it.
Problem = tuple[str]
Parsed = tuple[int, str, str, Union[tuple[Any], str, None]]
Item = Union[Problem, Parsed]


class Sink(Protocol):
    """What a worker hands each ticket and its report to (it travels to the worker pickled)."""

    def begin(self, policy: Policy, period: ReportingPeriod | None) -> Sink:
        """Return the sink a worker's range of lines goes to, under the policy it loaded."""
        ...

    def take(self, ticket: Ticket, report: Report) -> Any:
        """Return what travels back to the parent for this ticket."""
        ...


@dataclasses.dataclass(frozen=True)
class Render:
    """A sink that renders each ticket with ``render`` (a module-level function or partial)."""

    render: Callable[[Ticket, Report], Any]

    def begin(self, policy: Policy, period: ReportingPeriod | None) -> Render:
        """Return this sink: rendering keeps nothing between tickets."""
        return self

    def take(self, ticket: Ticket, report: Report) -> Any:
        """Return ``render(ticket, report)``."""
        return self.render(ticket, report)


S = TypeVar("S", bound=Sink)


def parallel_reports(
    path: str,
    jobs: int,
    *,
    policy_path: str,
    now: dt.datetime,
    period: tuple[str, str] | None = None,
    customer: str | None = None,
    on_bad: Callable[[InputError], None] | None = None,
    sink: S,
    merge: Callable[[S, S], None] | None = None,
) -> Iterator[Any]:
    """Yield what ``sink`` gives back for each ticket of the file ``path``, on ``jobs`` processes.

    In file order, as ``evaluate_tickets`` would give the tickets. ``period`` (the
    ``--period`` and ``--tz`` texts) keeps only tickets logged in it, and
    ``customer`` only that customer's, as ``ComplianceReport.build`` does.
    Problems raise ``InputError``, or go to ``on_bad``, in file order. The sink's
    work (rendering, counting) is done on all cores, and what travels back is plain
    data rather than reports. With ``merge``, each worker's sink is merged into
    ``sink`` in file order (``merge(sink, part)``), as if one sink took every ticket.
    """
    # Each range goes to a sink of its own (``begin``); ``sink`` takes the merges, so the
    # tasks carry a copy of it as it is now (they are pickled while merges go on).
    blank = pickle.loads(pickle.dumps(sink))
    tasks: list[Task] = [
        (path, start, end, first_line, policy_path, now.isoformat(), period, customer, blank)
        for start, end, first_line in _ranges(path, jobs * RANGES_PER_JOB)
    ]
    seen = SeenIds()
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool, contextlib.closing(seen):
        for task, (items, done) in zip(tasks, pool.map(_work, tasks), strict=True):
            again: set[int] = set()
            for item in items:
                if len(item) == 1:
                    error = InputError(item[0])
                else:
                    line, ident, where, outcome = item
                    first = seen.first_line(ident)
                    if first is not None:
                        error = repeated(ident, where, first)
                        if isinstance(outcome, tuple):
                            again.add(line)  # first seen in an earlier range: not to count
                    else:
                        seen.add(ident, line)
                        if outcome is None:
                            continue
                        if not isinstance(outcome, str):
                            yield outcome[0]
                            continue
                        error = InputError(outcome)
                if on_bad is None:
                    raise error
                on_bad(error)
            if merge is not None:
                # Counted again here without the repeats (whose problems were just told).
                if again:
                    merge(sink, cast(S, _work(task, frozenset(again))[1]))
                else:
                    merge(sink, cast(S, done))


def _ranges(path: str, count: int) -> list[tuple[int, int, int]]:
    """Return ``count`` or fewer byte ranges of whole lines: ``(start, end, first line)``."""
    size = os.path.getsize(path)
    ranges: list[tuple[int, int, int]] = []
    with Path(path).open("rb") as handle:
        start, line = 0, 1
        for number in range(1, count + 1):
            end = size if number == count else max(start, size * number // count)
            if end < size:
                handle.seek(end)
                end += len(handle.readline())  # on to the end of that line
            if end > start:
                handle.seek(start)
                lines = handle.read(end - start).count(b"\n")
                ranges.append((start, end, line))
                start, line = end, line + lines
    return ranges


_POLICIES: dict[str, Policy] = {}


Task = tuple[
    str,
    int,
    int,
    int,
    str,
    str,
    Union[tuple[str, str], None],
    Union[str, None],
    Sink,
]


def _work(task: Task, skip: frozenset[int] = frozenset()) -> tuple[list[Item], Sink]:
    """Evaluate one byte range of a tickets file, in a worker process; leave out lines ``skip``."""
    from slaclock.sla.policy import Policy

    path, start, end, first_line, policy_path, now_text, period_texts, customer, given = task
    policy = _POLICIES.get(policy_path)
    if policy is None:
        policy = _POLICIES[policy_path] = Policy.load(policy_path)
    now = dt.datetime.fromisoformat(now_text)
    period: ReportingPeriod | None = None
    if period_texts is not None:
        from slaclock.reports.periods import parse_period

        period = parse_period(*period_texts)
    sink = given.begin(policy, period)
    with Path(path).open("rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()  # what reading the file line by line gives
    items: list[Item] = []
    # The ids of this range so far: a repeat is a problem the parent tells, not a ticket.
    ids: set[str] = set()
    for number, raw in enumerate(lines, start=first_line):
        if number in skip:
            continue
        try:
            ticket = parse_line(raw, f"{path}:{number}")
        except InputError as exc:
            items.append((str(exc),))
            continue
        if ticket is None:
            continue
        if ticket.id in ids or (
            (period is not None and not period.contains(ticket.logged_at))
            or customer not in (None, ticket.customer)
        ):
            ids.add(ticket.id)
            items.append((number, ticket.id, ticket.where, None))
            continue
        ids.add(ticket.id)
        try:
            report = ticket.evaluate(policy, now)
        except InputError as exc:
            items.append((number, ticket.id, ticket.where, str(exc)))
            continue
        kept = None if report is None else (sink.take(ticket, report),)
        items.append((number, ticket.id, ticket.where, kept))
    return items, sink
