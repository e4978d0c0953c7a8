"""``--jobs N``: evaluate a tickets file on several processes, with one process's output.

The file is cut at line boundaries into byte ranges; each worker process gets
the file's path, a range and the number of its first line (a few integers, never
tickets), loads the policy once, reads its range, parses each line as
``iter_tickets`` does and evaluates each ticket as ``evaluate_tickets`` does.
Each ticket goes to a *sink* (``Sink``): ``evaluate`` renders it into a file of
the range's output, ``report`` counts it into mergeable ``Tallies``. A worker sends
back what its sink finished with (a file's name and a few figures, or tallies) and
a summary of its lines: the line and id of each ticket and what became of it,
and the problems by line. No ticket and no report travels between processes.

The parent replays that in file order: ids repeated across ranges are caught
there, as ``iter_tickets`` catches them, problems go to ``--skip-bad`` (or the
first one stops the run) in the order one process meets them, and the ranges'
shares merge in file order. So the output is the same, byte for byte, whatever ``N``.

Without ``--skip-bad`` the first problem stops the run, and as soon as it is
known: a worker stops at the first problem of its range (what comes after it
cannot matter: the parent stops at it or at an earlier one, an id repeated from
an earlier range), and once the parent stops, a flag the workers look at every
``CHECK_EVERY`` lines stops the ranges still being worked through.

A worker skips an id repeated within its own range; one first seen in an earlier
range it cannot know of, so when such a ticket was taken, the parent does that
range again without it (rare: repeated ids are bad input).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import multiprocessing
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, Union

from slaclock.errors import InputError
from slaclock.sla._seen import SeenIds
from slaclock.sla.tickets import parse_line, repeated

if TYPE_CHECKING:
    from slaclock.reports.periods import ReportingPeriod
    from slaclock.sla.policy import Policy
    from slaclock.sla.results import Report
    from slaclock.sla.tickets import Ticket

__all__ = ["Sink", "Taker", "parallel_reports"]

#: The smallest range, as a share of the file per job: the last ranges are this small,
#: so that no core waits long for the other to finish the file's last range.
SMALLEST_SHARE = 64

#: The largest range, in bytes: what a worker holds of the file and sends back per line
#: stays bounded however large the file.
LARGEST_RANGE = 16 * 1024 * 1024

#: How many lines a worker works through between looks at the flag that stops the run.
CHECK_EVERY = 64

#: What became of a parsed ticket (one byte per ticket in ``Lines.kinds``).
TAKEN, LEFT, FAILED = 0, 1, 2


class Sink(Protocol):
    """What the workers start each range from (it travels to them pickled)."""

    def begin(self, policy: Policy, period: ReportingPeriod | None) -> Taker:
        """Return what a worker's range of lines goes to, under the policy it loaded."""
        ...


class Taker(Protocol):
    """What a worker hands each ticket of one range and its report to."""

    def take(self, ticket: Ticket, report: Report) -> None:
        """Take one ticket and its report."""
        ...

    def finish(self) -> Any:
        """Return what travels back to the parent for the range (pickled), for ``merge``."""
        ...


class Lines(NamedTuple):
    """What became of a range's lines, in line order (plain data, cheap to send back).

    ``numbers``, ``ids`` and ``kinds`` give each parsed ticket's line, id and fate
    (``TAKEN`` by the sink, ``LEFT`` out: outside the period, logged after ``now``
    or an id repeated in the range, or ``FAILED``, whose message ``failures`` holds
    by line); ``problems`` holds the messages of lines that are no ticket.
    """

    numbers: list[int]
    ids: list[str]
    kinds: bytearray
    failures: dict[int, str]
    problems: dict[int, str]


def parallel_reports(
    path: str,
    jobs: int,
    *,
    policy_path: str,
    now: dt.datetime,
    period: tuple[str, str] | None = None,
    customer: str | None = None,
    on_bad: Callable[[InputError], None] | None = None,
    sink: Sink,
    merge: Callable[[Any], None],
) -> None:
    """Hand each ticket of the file ``path`` to a copy of ``sink``, on ``jobs`` processes.

    Each range of the file goes to ``sink.begin(...)`` in a worker, which takes
    the tickets ``evaluate_tickets`` would give, in file order; what it finishes
    with is passed to ``merge``, range by range in file order. ``period`` (the
    ``--period`` and ``--tz`` texts) keeps only tickets logged in it, and
    ``customer`` only that customer's, as ``ComplianceReport.build`` does.
    Problems raise ``InputError``, or go to ``on_bad``, in file order.
    """
    # The tasks carry a copy of the sink as it is now (they are pickled while merges go on).
    blank = pickle.loads(pickle.dumps(sink))
    stops = on_bad is None
    tasks: list[Task] = [
        (path, start, end, first_line, policy_path, now.isoformat(), period, customer, blank, stops)
        for start, end, first_line in _ranges(path, jobs)
    ]
    seen = SeenIds()
    context = multiprocessing.get_context()
    stop = context.Event()
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_watch, initargs=(stop,)
    )
    with pool, contextlib.closing(seen):
        try:
            for task, (lines, done) in zip(tasks, pool.map(_work, tasks), strict=True):
                again = _replay(path, lines, seen, on_bad)
                # Done again here without the repeats (whose problems were just told).
                merge(_work(task, frozenset(again))[1] if again else done)
        except BaseException:
            # A problem stops the run: the ranges not started are not worked through,
            # and those being worked through stop at the workers' next look at the flag.
            stop.set()
            pool.shutdown(cancel_futures=True)
            raise


def _replay(
    path: str, lines: Lines, seen: SeenIds, on_bad: Callable[[InputError], None] | None
) -> set[int]:
    """Tell a range's problems in line order; return the lines of tickets not to take after all.

    Those are tickets taken by the worker whose id an earlier range gave.
    """
    errors: list[tuple[int, InputError]] = [
        (number, InputError(message)) for number, message in lines.problems.items()
    ]
    again: set[int] = set()
    first_line, add = seen.first_line, seen.add
    for number, ident, kind in zip(lines.numbers, lines.ids, lines.kinds, strict=True):
        first = first_line(ident)
        if first is not None:
            errors.append((number, repeated(ident, f"{path}:{number}", first)))
            if kind == TAKEN:
                again.add(number)
            continue
        add(ident, number)
        if kind == FAILED:
            errors.append((number, InputError(lines.failures[number])))
    errors.sort(key=lambda item: item[0])
    for _, error in errors:
        if on_bad is None:
            raise error
        on_bad(error)
    return again


def _ranges(path: str, jobs: int) -> list[tuple[int, int, int]]:
    """Return byte ranges of whole lines for ``jobs`` workers: ``(start, end, first line)``.

    Each range is a quarter of what is left per job, at least ``1 / (SMALLEST_SHARE * jobs)``
    of the file and at most ``LARGEST_RANGE`` bytes: large ranges first (few tasks), small
    ones last (the cores finish together).
    """
    size = os.path.getsize(path)
    smallest = max(size // (SMALLEST_SHARE * jobs), 1)
    ranges: list[tuple[int, int, int]] = []
    with Path(path).open("rb") as handle:
        start, line = 0, 1
        while start < size:
            step = min(max((size - start) // (4 * jobs), smallest), LARGEST_RANGE)
            end = min(size, start + step)
            if end < size:
                handle.seek(end)
                end += len(handle.readline())  # on to the end of that line
            handle.seek(start)
            lines = handle.read(end - start).count(b"\n")
            ranges.append((start, end, line))
            start, line = end, line + lines
    return ranges


_POLICIES: dict[str, Policy] = {}

#: Set by the parent when the run stops (in a worker process; None in the parent).
_STOP: Any = None


def _watch(stop: Any) -> None:
    """Keep, in a worker process, the flag the parent sets when the run stops."""
    global _STOP  # noqa: PLW0603 - one flag per worker process, set as it starts
    _STOP = stop


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
    bool,
]


def _work(task: Task, skip: frozenset[int] = frozenset()) -> tuple[Lines, Any]:
    """Evaluate one byte range of a tickets file, in a worker process; leave out lines ``skip``.

    If the task ``stops`` at a problem (no ``--skip-bad``), the range ends at its first
    one, or where the parent has stopped the run (its answer is then never read).
    """
    from slaclock.sla.policy import Policy

    path, start, end, first_line, policy_path, now_text, period_texts, customer, given, stops = task
    stop = _STOP if stops else None
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
    raw_lines = data.split(b"\n")
    if data.endswith(b"\n"):
        raw_lines.pop()  # what reading the file line by line gives
    found = Lines([], [], bytearray(), {}, {})
    numbers, ids, kinds = found.numbers, found.ids, found.kinds
    # The ids of this range so far: a repeat is a problem the parent tells, not a ticket.
    known: set[str] = set()
    for number, raw in enumerate(raw_lines, start=first_line):
        if number in skip:
            continue
        if stop is not None and not (number - first_line) % CHECK_EVERY and stop.is_set():
            break
        try:
            ticket = parse_line(raw, f"{path}:{number}")
        except InputError as exc:
            found.problems[number] = str(exc)
            if stops:
                break
            continue
        if ticket is None:
            continue
        ident = ticket.id
        numbers.append(number)
        ids.append(ident)
        if stops and ident in known:
            kinds.append(LEFT)  # a repeat within the range: the parent tells it
            break
        if ident in known or (
            (period is not None and not period.contains(ticket.logged_at))
            or customer not in (None, ticket.customer)
        ):
            known.add(ident)
            kinds.append(LEFT)
            continue
        known.add(ident)
        try:
            report = ticket.evaluate(policy, now)
        except InputError as exc:
            kinds.append(FAILED)
            found.failures[number] = str(exc)
            if stops:
                break
            continue
        if report is None:
            kinds.append(LEFT)
        else:
            sink.take(ticket, report)
            kinds.append(TAKEN)
    return found, sink.finish()
