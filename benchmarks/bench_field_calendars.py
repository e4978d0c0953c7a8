"""Benchmark calendars chosen by ticket fields: what choosing costs per ticket.

The same tickets (20 events each) are evaluated through ``evaluate_tickets``
under a policy whose calendars are fixed and under one whose calendars a ticket
field chooses (``tz_from``, five zones, and a ``map`` of sites): the second
builds five calendars in all and looks one choice up per ticket. ``--smoke``:
200 tickets; ``--count N``: N (default 20,000).
Run directly for a Markdown table: ``python benchmarks/bench_field_calendars.py``.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import markdown_table
from bench_policy import synthetic_ticket

from slaclock import Policy, Ticket, evaluate_tickets

ZONES = ("Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
HOURS = {"mon-fri": "09:00-17:00"}
FIXED: dict[str, Any] = {
    "name": "Fixed",
    "pause_when": ["pending-customer"],
    "calendars": {"desk": {"tz": "Europe/London", "hours": HOURS}},
    "tiers": {
        "P3": {
            "first_response": {"target": "4h", "calendar": "desk"},
            "next_update": {"target": "8h", "calendar": "desk"},
            "resolution": {"target": "3d", "calendar": "desk"},
        }
    },
}
CHOSEN: dict[str, Any] = {
    "name": "Chosen",
    "pause_when": ["pending-customer"],
    "calendars": {
        "desk": {"tz": "Europe/London", "hours": HOURS},
        "paris_site": {"tz": "Europe/Paris", "hours": HOURS},
        "local": {"hours": HOURS},
    },
    "tiers": {
        "P3": {
            "first_response": {"target": "4h", "calendar": "local", "tz_from": "tz"},
            "next_update": {"target": "8h", "calendar": "local", "tz_from": "tz"},
            "resolution": {
                "target": "3d",
                "calendar": {"field": "site", "map": {"paris": "paris_site"}, "default": "desk"},
            },
        }
    },
}


def tickets(count: int) -> list[Ticket]:
    """Return ``count`` tickets of 20 events, each with a zone and a site."""
    rng = random.Random(11)
    found = []
    for number in range(count):
        events = [{**item, "at": item["at"].isoformat()} for item in synthetic_ticket(rng)]
        fields = {"tz": ZONES[number % len(ZONES)], "site": rng.choice(["paris", "leeds"])}
        found.append(Ticket.from_dict({"id": str(number), "fields": fields, "events": events}))
    return found


def per_second(policy: Policy, batch: list[Ticket]) -> float:
    """Return tickets evaluated per second (the best of three runs)."""
    now = dt.datetime(2027, 2, 1, tzinfo=dt.timezone.utc)
    best = 0.0
    for _ in range(3):
        began = time.perf_counter()
        for _ in evaluate_tickets(policy, batch, now):
            pass
        best = max(best, len(batch) / (time.perf_counter() - began))
    return best


def run(smoke: bool = False, count: int | None = None) -> list[dict[str, object]]:
    """Return the benchmark rows."""
    if count is None:
        count = 200 if smoke else 20_000
    batch = tickets(count)
    fixed, chosen = Policy.from_dict(FIXED), Policy.from_dict(CHOSEN)
    plain = per_second(fixed, batch)
    by_fields = per_second(chosen, batch)
    assert chosen.zoned is not None
    return [
        {"case": f"fixed calendars ({count:,} tickets)", "median_us": plain, "unit": "tickets/s"},
        {
            "case": f"calendars chosen by fields, {len(chosen.zoned.built)} zones built",
            "median_us": by_fields,
            "unit": "tickets/s",
        },
        {"case": "chosen / fixed", "median_us": by_fields / plain, "unit": "ratio"},
    ]


def _count(argv: list[str]) -> int | None:
    return int(argv[argv.index("--count") + 1]) if "--count" in argv else None


if __name__ == "__main__":
    print(markdown_table(run(smoke="--smoke" in sys.argv, count=_count(sys.argv))))
