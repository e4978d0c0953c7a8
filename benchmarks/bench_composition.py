"""Benchmark composed calendars against a plain one: composition must not cost per minute.

Cases (issue 3): ``elapsed`` over one week and ``add`` of 40 hours from Friday
2026-11-20 16:55 London, on

- a plain Mon-Fri 09:00-17:00 London calendar,
- ``support & site`` (Mon-Sun 07:00-22:00 & Mon-Sat 08:00-18:00, London),
- a three-way follow-the-sun union (London, New York, Sydney, 09:00-17:00 each),
- uptime: 24x7 less first-Sunday maintenance windows (an RFC 5545 rule);

and, for each, the first ``elapsed`` over ten years on a fresh calendar, which
builds the index (its operands' and its own) for those years.

Composed calendars merge their operands' period lists once per chunk (about
407 days), then answer from their own index: a query costs what a plain
calendar's does. Run directly for a Markdown table:
``python benchmarks/bench_composition.py``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import markdown_table, median_us

from slaclock import Calendar, Windows

LONDON = ZoneInfo("Europe/London")
START = dt.datetime(2026, 11, 20, 16, 55, tzinfo=LONDON)
WEEK = dt.timedelta(days=7)
FORTY_HOURS = dt.timedelta(hours=40)


def calendars() -> dict[str, Calendar]:
    """Return the benchmark calendars by case name."""
    plain = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    support = Calendar.weekly({"mon-sun": "07:00-22:00"}, tz="Europe/London")
    site = Calendar.weekly({"mon-sat": "08:00-18:00"}, tz="Europe/London")
    offices = [
        Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone)
        for zone in ("Europe/London", "America/New_York", "Australia/Sydney")
    ]
    maint = Windows.recurring("FREQ=MONTHLY;BYDAY=1SU", "02:00-06:00", tz="Europe/London")
    return {
        "plain London 9-17": plain,
        "support & site": support & site,
        "union of London, New York, Sydney": offices[0] | offices[1] | offices[2],
        "always - monthly maintenance": Calendar.always("UTC") - maint,
    }


def run(smoke: bool = False) -> list[dict[str, object]]:
    """Return one row per case: ``{"case": ..., "median_us": ...}``."""
    rows: list[dict[str, object]] = []
    years = 1 if smoke else 10
    for name in calendars():
        began = time.perf_counter()
        fresh = calendars()[name]
        fresh.elapsed(START, START + dt.timedelta(days=365 * years))
        rows.append(
            {
                "case": f"cold elapsed {years} years (ms), {name}",
                "median_us": (time.perf_counter() - began) * 1000,
                "unit": "ms",
            }
        )
    for name, cal in calendars().items():
        rows.append(
            {
                "case": f"elapsed 1 week, {name}",
                "median_us": median_us(
                    lambda cal=cal: cal.elapsed(START, START + WEEK), smoke=smoke
                ),
            }
        )
        rows.append(
            {
                "case": f"add 40 h, {name}",
                "median_us": median_us(lambda cal=cal: cal.add(START, FORTY_HOURS), smoke=smoke),
            }
        )
    return rows


if __name__ == "__main__":
    print(markdown_table(run(smoke="--smoke" in sys.argv)))
