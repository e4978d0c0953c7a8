"""Benchmark the SLA clock: queries on clocks paused twice and two thousand times.

Issue 4 asks that ``elapsed``, ``due`` and ``remaining`` cost the same however
often a clock has been paused: the clock keeps its running total and never
re-sums its history. ``breached_at`` bisects the history (O(log n)); a
transition copies it (O(n)). Workload: Mon-Fri 09:00-17:00 in Europe/London
with England's bank holidays; each cycle runs 50 minutes and pauses 25.
Run directly for a Markdown table: ``python benchmarks/bench_clock.py``.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import markdown_table, median_us

from slaclock import Calendar, Clock

LONDON = ZoneInfo("Europe/London")
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
PAUSES = (2, 2000)


def desk() -> Calendar:
    """Return the benchmark calendar."""
    return Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="Europe/London",
        holidays=holidays.country_holidays("GB", subdiv="ENG"),
    )


def clock_with(calendar: Calendar, pauses: int) -> Clock:
    """Return a running clock that has been paused and resumed ``pauses`` times."""
    events: list[tuple[dt.datetime, str]] = [(START, "start")]
    t = START.astimezone(dt.timezone.utc)  # add real time, not wall-clock time
    for _ in range(pauses):
        t += dt.timedelta(minutes=50)
        events.append((t, "pause"))
        t += dt.timedelta(minutes=25)
        events.append((t, "resume"))
    return Clock.replay(calendar, events)


def run(smoke: bool = False) -> list[dict[str, object]]:
    """Return one row per case: ``{"case": ..., "median_us": ...}`` (µs per call)."""
    calendar = desk()
    rows: list[dict[str, object]] = []
    for pauses in PAUSES:
        clock = clock_with(calendar, pauses)
        now = clock.last_event_at + dt.timedelta(hours=3)
        counted = clock.elapsed(now)
        ahead = counted + dt.timedelta(hours=100)  # not reached yet: due is in the future
        behind = counted / 2  # reached long ago: breached_at bisects the history
        label = f"{pauses:,} pauses"
        cases: dict[str, Callable[[], object]] = {
            f"elapsed, {label}": partial(clock.elapsed, now),
            f"remaining, {label}": partial(clock.remaining, ahead, now),
            f"due, {label}": partial(clock.due, ahead),
            f"breached_at, {label}": partial(clock.breached_at, behind, now),
            f"pause (copies the history), {label}": partial(clock.pause, now),
        }
        for case, call in cases.items():
            rows.append({"case": case, "median_us": median_us(call, smoke=smoke, number=500)})
    return rows


if __name__ == "__main__":
    print(markdown_table(run(smoke="--smoke" in sys.argv)))
