"""Benchmark the working-calendar engine: single calls over growing spans, and index builds.

Workload (issue 6): Mon-Fri 09:00-17:00 in Europe/London with England's bank
holidays from the ``holidays`` package, starting Friday 2026-11-20 16:55.
Run directly for a Markdown table: ``python benchmarks/bench_calendar.py``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import markdown_table, median_us

from slaclock import Calendar

LONDON = ZoneInfo("Europe/London")
START = dt.datetime(2026, 11, 20, 16, 55, tzinfo=LONDON)
SPANS = {"1 day": 1, "1 week": 7, "1 year": 365, "10 years": 3652}
ADDS = {
    "10 min": dt.timedelta(minutes=10),
    "40 h": dt.timedelta(hours=40),
    "2,000 h": dt.timedelta(hours=2000),
}


def desk() -> Calendar:
    """Return the benchmark calendar."""
    return Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="Europe/London",
        holidays=holidays.country_holidays("GB", subdiv="ENG"),
    )


def run(smoke: bool = False) -> list[dict[str, object]]:
    """Return one row per case: ``{"case": ..., "median_us": ...}``."""
    cal = desk()
    rows: list[dict[str, object]] = []
    for name, days in SPANS.items():
        end = START + dt.timedelta(days=days)
        rows.append(
            {
                "case": f"elapsed {name}",
                "median_us": median_us(lambda end=end: cal.elapsed(START, end), smoke=smoke),
            }
        )
    for name, amount in ADDS.items():
        rows.append(
            {
                "case": f"add {name}",
                "median_us": median_us(lambda amount=amount: cal.add(START, amount), smoke=smoke),
            }
        )
    rows.append(
        {"case": "is_open", "median_us": median_us(lambda: cal.is_open(START), smoke=smoke)}
    )
    rows.append(
        {
            "case": "next_open",
            "median_us": median_us(
                lambda: cal.next_open(START + dt.timedelta(hours=1)), smoke=smoke
            ),
        }
    )
    years = 1 if smoke else 10
    tracemalloc.start()
    began = time.perf_counter()
    fresh = desk()
    fresh.elapsed(START, START + dt.timedelta(days=365 * years))
    build_s = time.perf_counter() - began
    memory, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows.append(
        {"case": f"build index, {years} years (ms)", "median_us": build_s * 1000, "unit": "ms"}
    )
    rows.append(
        {"case": "index memory per year (KiB)", "median_us": memory / years / 1024, "unit": "KiB"}
    )
    return rows


if __name__ == "__main__":
    print(markdown_table(run(smoke="--smoke" in sys.argv)))
