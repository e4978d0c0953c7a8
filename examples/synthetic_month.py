"""Generate a month of synthetic helpdesk tickets as JSON Lines (the examples' data).

    python examples/synthetic_month.py                       # October 2026, printed
    python examples/synthetic_month.py --out tickets.jsonl   # written to a file

The stored files under examples/data/ were made with this script; the test
suite checks that it still makes them byte for byte, so data and generator
cannot drift apart:

    python examples/synthetic_month.py --out examples/data/october_2026_tickets.jsonl
    python examples/synthetic_month.py --seed 7 --count 90 \
        --customers acme,globex,initech --out examples/data/msp/tickets.jsonl

Agents work Monday to Friday, 09:00-17:00 in London, so replies and fixes are
placed with slaclock's own business-time arithmetic; P1 calls are worked round
the clock. Some tickets wait on the customer, some change priority, some are
still open at the end of the month, and some are late: a month that gives a
compliance report something to say.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from zoneinfo import ZoneInfo

from slaclock import Calendar

LONDON = ZoneInfo("Europe/London")
DESK = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=LONDON)
ROUND_THE_CLOCK = Calendar.always("UTC")

#: Priority mix, and typical business minutes to first reply and to resolution.
PRIORITIES = {
    #       share  reply  resolve
    "P1": (0.05, 12, 200),
    "P2": (0.15, 25, 420),
    "P3": (0.50, 100, 1000),
    "P4": (0.30, 200, 2000),
}


def _minutes(rng: random.Random, typical: float) -> dt.timedelta:
    """Return a random duration around ``typical`` minutes, with a long tail."""
    return dt.timedelta(minutes=max(1, round(rng.lognormvariate(0, 0.5) * typical)))


def _logged(rng: random.Random, first: dt.date, days: int) -> dt.datetime:
    """Return when a call comes in: mostly in office hours on weekdays, sometimes not."""
    while True:
        day = first + dt.timedelta(days=rng.randrange(days))
        if rng.random() < 0.85:
            if day.weekday() >= 5:
                continue
            minute = rng.randrange(8 * 60, 18 * 60)
        else:
            minute = rng.randrange(24 * 60)
        local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=LONDON)
        return local.astimezone(dt.timezone.utc)


def _event(at: dt.datetime, kind: str, **fields: str) -> dict[str, str]:
    return {"at": at.astimezone(dt.timezone.utc).isoformat(), "type": kind, **fields}


def ticket(
    rng: random.Random, number: int, customer: str, logged: dt.datetime
) -> dict[str, object]:
    """Return one ticket's JSON object: id, customer and events in time order."""
    roll = rng.random()
    priority = "P4"
    share_so_far = 0.0
    for name, (share, _, _) in PRIORITIES.items():
        share_so_far += share
        if roll < share_so_far:
            priority = name
            break
    _, reply_minutes, resolve_minutes = PRIORITIES[priority]
    calendar = ROUND_THE_CLOCK if priority == "P1" else DESK
    events = [_event(logged, "logged", priority=priority)]
    at = logged
    if rng.random() < 0.05:  # triaged to another priority soon after logging
        at = calendar.add(at, dt.timedelta(minutes=rng.randrange(5, 30)))
        priority = "P2" if priority != "P2" else "P3"
        events.append(_event(at, "priority_changed", priority=priority))
    at = calendar.add(at, _minutes(rng, reply_minutes))
    events.append(_event(at, "agent_reply"))
    if rng.random() < 0.3:  # the agent needs something from the customer
        at += dt.timedelta(minutes=2)
        events.append(_event(at, "status", status="pending-customer"))
        at += dt.timedelta(hours=rng.randrange(2, 72))
        events.append(_event(at, "customer_reply"))
        events.append(_event(at, "status", status="open"))
        at = calendar.add(at, _minutes(rng, reply_minutes))
        events.append(_event(at, "agent_reply"))
    late_in_month = logged.day > 24
    if priority in ("P1", "P2") or not late_in_month or rng.random() < 0.5:
        at = calendar.add(at, _minutes(rng, resolve_minutes))
        events.append(_event(at, "resolved"))
    return {"id": f"T-{number:04d}", "customer": customer, "events": events}


def generate(
    seed: int, year: int, month: int, count: int, customers: list[str]
) -> list[dict[str, object]]:
    """Return ``count`` tickets logged in the given month, sorted by when they were logged."""
    rng = random.Random(seed)
    first = dt.date(year, month, 1)
    days = ((first + dt.timedelta(days=32)).replace(day=1) - first).days
    logged = sorted(_logged(rng, first, days) for _ in range(count))
    return [
        ticket(rng, number, rng.choice(customers), when)
        for number, when in enumerate(logged, start=1)
    ]


def main(argv: list[str] | None = None) -> int:
    """Write the tickets as JSON Lines to ``--out`` or standard output."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--month", default="2026-10", help="YYYY-MM")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--customers", default="acme,globex,initech,umbrella,wayne")
    parser.add_argument("--out", help="a file to write (default: standard output)")
    args = parser.parse_args(argv)
    year, month = (int(part) for part in args.month.split("-"))
    tickets = generate(args.seed, year, month, args.count, args.customers.split(","))
    text = "".join(json.dumps(item) + "\n" for item in tickets)
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        print(f"wrote {len(tickets)} tickets to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
