"""Shared timing helper for the benchmarks: median microseconds per call."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_us(
    call: Callable[[], object], *, smoke: bool, number: int = 2000, repeat: int = 7
) -> float:
    """Return the median over ``repeat`` runs of the mean µs per call of ``call``."""
    if smoke:
        number, repeat = 5, 1
    call()  # warm-up: build whatever index the call needs
    runs = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for _ in range(number):
            call()
        runs.append((time.perf_counter_ns() - start) / number / 1000)
    return statistics.median(runs)


def markdown_table(rows: list[dict[str, object]]) -> str:
    """Return benchmark rows as a Markdown table of medians."""
    lines = ["| case | median |", "| --- | ---: |"]
    for row in rows:
        unit = row.get("unit", "µs")
        lines.append(f"| {row['case']} | {float(row['median_us']):,.2f} {unit} |")  # type: ignore[arg-type]
    return "\n".join(lines)
