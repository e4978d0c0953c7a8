"""``--jobs N``: evaluate a tickets file on several processes, with one process's output.

The file is cut at line boundaries into byte ranges; each worker process gets
the file's path, a range and the number of its first line (a few integers, never
tickets), loads the policy once, reads its range, parses each line as
``iter_tickets`` does and evaluates each ticket as ``evaluate_tickets`` does.
It sends back, in line order, what happened on each line: a problem, or a
ticket and its report. The parent replays that in file order: ids repeated
across ranges are caught there, as ``iter_tickets`` catches them, problems go
to ``--skip-bad`` (or the first one stops the run) in the order one process
meets them, and reports come out in file order. So the output is the same,
byte for byte, whatever ``N``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from slaclock.errors import InputError
from slaclock.sla._seen import SeenIds
from slaclock.sla.tickets import parse_line, repeated

if TYPE_CHECKING:
    from slaclock.reports.periods import ReportingPeriod
    from slaclock.sla.policy import Policy
    from slaclock.sla.results import Report
    from slaclock.sla.tickets import Ticket

__all__ = ["parallel_reports"]

#: Ranges per worker: enough for the work to even out, few enough to keep overhead low.
RANGES_PER_JOB = 8

#: What a worker sends back per line: a problem (its message), or a parsed ticket's
#: line, id and ``where``, and then either ``(render(ticket, report),)``, None (not
#: reported: outside the period or logged after ``now``) or the message of the
#: problem evaluating it.
Problem = tuple[str]
Parsed = tuple[int, str, str, Union[tuple[Any], str, None]]
Item = Union[Problem, Parsed]


def parallel_reports(
    path: str,
    jobs: int,
    *,
    policy_path: str,
    now: dt.datetime,
    period: tuple[str, str] | None = None,
    customer: str | None = None,
    on_bad: Callable[[InputError], None] | None = None,
    render: Callable[[Ticket, Report], Any],
) -> Iterator[Any]:
    """Yield what ``evaluate_tickets`` yields for the tickets file ``path``, on ``jobs`` processes.

    ``period`` (the ``--period`` and ``--tz`` texts) keeps only tickets logged in
    it, and ``customer`` only that customer's, as ``ComplianceReport.build`` does.
    Problems raise ``InputError``, or go to ``on_bad``, in file order. The workers
    turn each ticket and its report into ``render(ticket, report)`` (a module-level
    function, so it pickles by name), which is what is yielded: the rendering is
    done on all cores too, and what travels back is plain data rather than reports.
    """
    tasks = [
        (path, start, end, first_line, policy_path, now.isoformat(), period, customer, render)
        for start, end, first_line in _ranges(path, jobs * RANGES_PER_JOB)
    ]
    seen = SeenIds()
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool, contextlib.closing(seen):
        for items in pool.map(_work, tasks):
            for item in items:
                if len(item) == 1:
                    error = InputError(item[0])
                else:
                    line, ident, where, outcome = item
                    first = seen.first_line(ident)
                    if first is not None:
                        error = repeated(ident, where, first)
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
    Callable[["Ticket", "Report"], Any],
]


def _work(task: Task) -> list[Item]:
    """Evaluate one byte range of a tickets file, in a worker process."""
    from slaclock.sla.policy import Policy

    path, start, end, first_line, policy_path, now_text, period_texts, customer, render = task
    policy = _POLICIES.get(policy_path)
    if policy is None:
        policy = _POLICIES[policy_path] = Policy.load(policy_path)
    now = dt.datetime.fromisoformat(now_text)
    period: ReportingPeriod | None = None
    if period_texts is not None:
        from slaclock.reports.periods import parse_period

        period = parse_period(*period_texts)
    with Path(path).open("rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()  # what reading the file line by line gives
    items: list[Item] = []
    for number, raw in enumerate(lines, start=first_line):
        try:
            ticket = parse_line(raw, f"{path}:{number}")
        except InputError as exc:
            items.append((str(exc),))
            continue
        if ticket is None:
            continue
        if (period is not None and not period.contains(ticket.logged_at)) or customer not in (
            None,
            ticket.customer,
        ):
            items.append((number, ticket.id, ticket.where, None))
            continue
        try:
            report = ticket.evaluate(policy, now)
        except InputError as exc:
            items.append((number, ticket.id, ticket.where, str(exc)))
            continue
        rendered = None if report is None else (render(ticket, report),)
        items.append((number, ticket.id, ticket.where, rendered))
    return items
