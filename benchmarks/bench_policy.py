"""Benchmark the policy evaluator: one ticket with 3 metrics and 20 events, a batch, a long ticket.

Issue 5 asks that evaluating such a ticket cost well under a millisecond and for
tickets per second over 100,000 synthetic tickets (``--smoke``: 200; ``--count N``: N).
Issue 14 asks that the cost per ticket stay flat from 1,000 to 1,000,000 tickets and
grow linearly with the events per ticket: the ``CPU per ...`` rows.
Run directly for a Markdown table: ``python benchmarks/bench_policy.py``.

``synthetic_tickets`` and ``stream`` also serve ``benchmarks/compare.py``'s evaluator
section, which streams up to 1,000,000 tickets through ``measure_stream`` in a
process of its own (so that its peak memory is the stream's).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import markdown_table, median_us

from slaclock import Policy

UTC = dt.timezone.utc

POLICY: dict[str, Any] = {
    "name": "Gold",
    "pause_when": ["pending-customer"],
    "calendars": {
        "support": {
            "tz": "Europe/London",
            "hours": {"mon-fri": "09:00-17:00"},
            "holidays": {"country": "GB", "subdiv": "ENG"},
        }
    },
    "tiers": {
        "P3": {
            "first_response": {"target": "4h", "calendar": "support"},
            "next_update": {"target": "8h", "calendar": "support"},
            "resolution": {"target": "3d", "calendar": "support"},
        }
    },
}


def synthetic_ticket(rng: random.Random, size: int = 20) -> list[dict[str, Any]]:
    """Return one ticket's events: logged, then replies, status changes, resolution."""
    when = dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=rng.randrange(525_600))
    events: list[dict[str, Any]] = [{"at": when, "type": "logged", "priority": "P3"}]
    pending = False
    for _ in range(size - 2):
        when += dt.timedelta(minutes=rng.randrange(5, 600))
        kind = rng.choice(["agent_reply", "customer_reply", "status"])
        if kind == "status":
            pending = not pending
            events.append(
                {"at": when, "type": "status", "status": "pending-customer" if pending else "open"}
            )
        else:
            events.append({"at": when, "type": kind})
    events.append({"at": when + dt.timedelta(hours=1), "type": "resolved"})
    return events


def synthetic_tickets(count: int, size: int = 20, seed: int = 7) -> Iterator[list[dict[str, Any]]]:
    """Yield ``count`` tickets of ``size`` events, made one at a time (the same for a ``seed``)."""
    rng = random.Random(seed)
    for _ in range(count):
        yield synthetic_ticket(rng, size)


#: Tickets made (untimed) before each timed stretch of ``stream``: memory stays flat.
BATCH = 1_000


@dataclass
class Streamed:
    """How long a stream of tickets took: wall and CPU nanoseconds, and CPU per ``BATCH``.

    ``stretches`` holds the CPU nanoseconds of each ``BATCH`` tickets, in turn.
    """

    wall: int = 0
    cpu: int = 0
    stretches: list[int] = field(default_factory=list)


def stream(policy: Policy, tickets: Iterator[list[dict[str, Any]]]) -> Streamed:
    """Evaluate each ticket at its last event; return how long that took.

    Tickets are taken ``BATCH`` at a time and only their evaluation is timed, so
    making them costs nothing here; each report is dropped once made, as a stream
    of tickets would drop it once written.
    """
    taken = Streamed()
    while batch := list(itertools.islice(tickets, BATCH)):
        began, began_cpu = time.perf_counter_ns(), time.process_time_ns()
        for events in batch:
            policy.evaluate(events, now=events[-1]["at"])
        taken.wall += time.perf_counter_ns() - began
        taken.stretches.append(time.process_time_ns() - began_cpu)
        taken.cpu += taken.stretches[-1]
    return taken


def peak_rss() -> int:
    """Return this process's peak resident set size so far, in bytes."""
    # Linux carries ``ru_maxrss`` across exec, so a process started by a big parent
    # (compare.py) would report the parent's peak; VmHWM belongs to this process alone.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak * (1 if sys.platform == "darwin" else 1024)


def measure_stream(counts: list[int], sizes: list[int], runs: int) -> dict[str, Any]:
    """Return the times of streaming ``count`` tickets of ``size`` events for each pair given.

    Each pair runs ``runs`` times, round after round. The answer is ``{"runs":
    {"COUNTxSIZE": [[wall_ns, cpu_ns], ...]}, "stretches": {"COUNTxSIZE": [cpu_ns,
    ...]}, "batch": BATCH, "rss_warm": bytes, "rss_peak": bytes}``: the CPU time of
    each ``BATCH`` tickets of the last run, in turn, and the peak resident memory
    after warming up (the policy built, the calendar's index over the tickets'
    year) and at the end.
    """
    policy = Policy.from_dict(POLICY)
    stream(policy, synthetic_tickets(50, seed=1))  # warm: the index, the holiday dates
    warm = peak_rss()
    taken: dict[str, list[list[int]]] = {}
    stretches: dict[str, list[int]] = {}
    for _ in range(runs):
        # Round after round, so a busy moment on the machine hits every case alike.
        for count in counts:
            for size in sizes:
                timed = stream(policy, synthetic_tickets(count, size))
                taken.setdefault(f"{count}x{size}", []).append([timed.wall, timed.cpu])
                stretches[f"{count}x{size}"] = timed.stretches
    return {
        "runs": taken,
        "stretches": stretches,
        "batch": BATCH,
        "rss_warm": warm,
        "rss_peak": peak_rss(),
    }


def run(smoke: bool = False, count: int | None = None) -> list[dict[str, object]]:
    """Return the benchmark rows; ``count`` tickets for the batch (default 100,000; smoke 200)."""
    policy = Policy.from_dict(POLICY)
    ticket = next(synthetic_tickets(1))
    end = ticket[-1]["at"] + dt.timedelta(days=1)
    rows: list[dict[str, object]] = [
        {
            "case": "evaluate 1 ticket, 3 metrics, 20 events",
            "median_us": median_us(
                lambda: policy.evaluate(ticket, now=end), smoke=smoke, number=200
            ),
        },
    ]
    if count is None:
        count = 200 if smoke else 100_000
    stream(policy, synthetic_tickets(50, seed=1))  # warm the calendar index over the year
    wall = stream(policy, synthetic_tickets(count)).wall
    rows.append(
        {
            "case": f"tickets per second ({count:,} tickets, made as they are evaluated)",
            "median_us": count * 1e9 / wall,
            "unit": "tickets/s",
        }
    )
    rows += scaling(policy, smoke)
    # Linear in events: the cost per event of one long ticket stays flat as it grows.
    for size in (200, 2_000) if smoke else (1_000, 10_000, 100_000):
        events = synthetic_ticket(random.Random(3), size)
        began = time.perf_counter()
        policy.evaluate(events, now=events[-1]["at"])
        rows.append(
            {
                "case": f"one ticket of {size:,} events, per event",
                "median_us": (time.perf_counter() - began) * 1e6 / size,
            }
        )
    return rows


def cpu_per_ticket_us(policy: Policy, tickets: list[list[dict[str, Any]]], repeat: int) -> float:
    """Return the least CPU time per ticket (µs) of ``repeat`` passes evaluating ``tickets``.

    CPU time of this process, and the least of the passes: on a machine shared with
    other work, wall-clock figures move with the load.
    """
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        for events in tickets:
            policy.evaluate(events, now=events[-1]["at"])
        best = min(best, time.process_time() - began)
    return best * 1e6 / len(tickets)


def scaling(policy: Policy, smoke: bool = False) -> list[dict[str, object]]:
    """Return rows showing the cost per ticket flat in the number of tickets, linear in events."""
    rows: list[dict[str, object]] = []
    rng = random.Random(11)
    batch = 50 if smoke else 2_000
    for size in (10, 20, 40, 80):
        tickets = [synthetic_ticket(rng, size) for _ in range(batch)]
        per_ticket = cpu_per_ticket_us(policy, tickets, 1 if smoke else 3)
        rows.append(
            {
                "case": f"tickets of {size} events: CPU per event ({batch:,} tickets)",
                "median_us": per_ticket / size,
            }
        )
    for count in (200, 500) if smoke else (1_000, 10_000, 100_000):
        tickets = [synthetic_ticket(rng) for _ in range(count)]
        rows.append(
            {
                "case": f"tickets of 20 events: CPU per ticket ({count:,} tickets)",
                "median_us": cpu_per_ticket_us(
                    policy, tickets, 1 if smoke or count > 10_000 else 3
                ),
            }
        )
    return rows


def _count(argv: list[str]) -> int | None:
    """Return the number after ``--count`` (``--count 5000``), if given."""
    return int(argv[argv.index("--count") + 1]) if "--count" in argv else None


if __name__ == "__main__":
    print(markdown_table(run(smoke="--smoke" in sys.argv, count=_count(sys.argv))))
