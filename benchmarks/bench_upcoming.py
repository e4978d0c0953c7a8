"""Benchmark the breach queue: ``Policy.upcoming`` and ``slaclock upcoming`` on open tickets.

Issue 12 asks that the queue stay fast on 100,000 open tickets. The tickets are
synthetic (seeded): logged over the five business days before ``now``, in four
tiers, some answered, some waiting on a customer question, some pending the
customer. Rows are medians of whole runs (three; ``--smoke``: 200 tickets, one
run). Run directly for a Markdown table: ``python benchmarks/bench_upcoming.py``
(``--count N`` for N tickets).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import markdown_table

from slaclock import Policy, Ticket
from slaclock.cli import main

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 25, 11, 30, tzinfo=UTC)

POLICY: dict[str, Any] = {
    "name": "Queue",
    "pause_when": ["pending-customer"],
    "warn_at": [0.5, 0.75, 0.9],
    "calendars": {
        "desk": {
            "tz": "Europe/London",
            "hours": {"mon-fri": "09:00-17:00"},
            "holidays": {"country": "GB", "subdiv": "ENG"},
        }
    },
    "tiers": {
        "P1": {
            "first_response": {"target": "30m", "calendar": "always"},
            "next_update": {"target": "1h", "calendar": "always"},
            "resolution": {"target": "8h", "calendar": "always"},
        },
        "P2": {
            "first_response": {"target": "1h", "calendar": "desk"},
            "next_update": {"target": "4h", "calendar": "desk"},
            "resolution": {"target": "2d", "calendar": "desk"},
        },
        "P3": {
            "first_response": {"target": "4h", "calendar": "desk"},
            "resolution": {"target": "5d", "calendar": "desk"},
        },
        "P4": {
            "first_response": {"target": "8h", "calendar": "desk"},
            "resolution": {"target": "10d", "calendar": "desk"},
        },
    },
}


def open_ticket(rng: random.Random, number: int) -> dict[str, Any]:
    """Return one open ticket as its JSON Lines object: logged before ``NOW``, not resolved."""
    when = NOW - dt.timedelta(minutes=rng.randrange(7 * 24 * 60))
    priority = rng.choice(["P1", "P2", "P2", "P3", "P3", "P3", "P4"])
    events: list[dict[str, Any]] = [
        {"at": when.isoformat(), "type": "logged", "priority": priority}
    ]
    for _ in range(rng.randrange(4)):
        when += dt.timedelta(minutes=rng.randrange(5, 240))
        if when >= NOW:
            break
        kind = rng.choice(["agent_reply", "customer_reply", "pending", "open"])
        if kind in ("pending", "open"):
            status = "pending-customer" if kind == "pending" else "open"
            events.append({"at": when.isoformat(), "type": "status", "status": status})
        else:
            events.append({"at": when.isoformat(), "type": kind})
    customer = rng.choice(["acme", "globex", "initech", "umbrella", "hooli"])
    return {"id": f"T-{number:06d}", "customer": customer, "events": events}


def _median_seconds(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def run(smoke: bool = False, count: int | None = None) -> list[dict[str, object]]:
    """Return the benchmark rows for ``count`` open tickets (default 100,000; smoke 200)."""
    if count is None:
        count = 200 if smoke else 100_000
    runs = 1 if smoke else 3
    policy = Policy.from_dict(POLICY)
    rng = random.Random(12)
    written = [open_ticket(rng, number) for number in range(count)]
    tickets = [Ticket.from_dict(item) for item in written]
    policy.upcoming(tickets[:50], NOW, within="4h")  # warm the calendar index
    rows: list[dict[str, object]] = []
    found = len(policy.upcoming(tickets, NOW, within="4h"))
    for label, options in (
        (f"Policy.upcoming, {count:,} open tickets, 4 h ({found:,} rows)", {}),
        (f"Policy.upcoming, {count:,} open tickets, 4 h, limit 100", {"limit": 100}),
    ):
        seconds = _median_seconds(
            lambda options=options: policy.upcoming(tickets, NOW, within="4h", **options), runs
        )
        rows.append({"case": label, "median_us": seconds * 1e3, "unit": "ms"})
        rows.append(
            {
                "case": "  the same, tickets per second",
                "median_us": count / seconds,
                "unit": "tickets/s",
            }
        )
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = base / "open.jsonl"
        source.write_text("".join(json.dumps(item) + "\n" for item in written))
        (base / "policy.json").write_text(json.dumps(POLICY))
        argv = [
            *("upcoming", "--policy", str(base / "policy.json"), str(source)),
            *("--now", NOW.isoformat(), "--within", "4h", "--no-progress"),
        ]
        evaluate = [
            *("evaluate", "--policy", str(base / "policy.json"), str(source)),
            *("--now", NOW.isoformat(), "--no-progress", "--format", "csv"),
        ]
        for case, command in (
            ("slaclock upcoming --format table", [*argv, "--format", "table"]),
            ("slaclock upcoming --format json", [*argv, "--format", "json"]),
            ("slaclock upcoming --limit 100", [*argv, "--limit", "100"]),
            ("for comparison: slaclock evaluate --format csv", evaluate),
        ):

            def cli(command: list[str] = command) -> None:
                out = str(base / "out")
                assert main([*command, "-o", out], io.StringIO(), io.StringIO()) == 0

            rows.append(
                {
                    "case": f"{case}, {count:,} tickets (JSON Lines)",
                    "median_us": _median_seconds(cli, runs) * 1e3,
                    "unit": "ms",
                }
            )
    return rows


def _count(argv: list[str]) -> int | None:
    """Return the number after ``--count`` (``--count 5000``), if given."""
    return int(argv[argv.index("--count") + 1]) if "--count" in argv else None


if __name__ == "__main__":
    print(markdown_table(run(smoke="--smoke" in sys.argv, count=_count(sys.argv))))
