"""An on-site hardware contract: the fix clock runs only while the engineer can get in.

A server fails on a Saturday afternoon. The phone line answers at once, but
the customer's building is open Monday to Saturday 08:00-18:00 only, so the
4-hour on-site fix counts two hours on Saturday and the rest from Monday
08:00. On Monday the engineer finds a failed controller and orders one: the
ticket waits for parts, and the clock stops until they arrive on Tuesday.

The events are fed one at a time, as a helpdesk would as they happen, and the
SLA state is printed after each.

    python examples/onsite_hardware.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from slaclock import Policy

POLICY = Path(__file__).resolve().parent / "data" / "onsite_hardware.toml"
LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Return the London instant on that day of November 2026."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


EVENTS = [
    (at(21, 16), {"type": "logged", "priority": "P1"}, "server down, logged Saturday 16:00"),
    (at(21, 16, 12), {"type": "agent_reply"}, "engineer calls back"),
    (at(23, 9, 30), {"type": "status", "status": "awaiting-parts"}, "controller ordered"),
    (at(24, 11), {"type": "status", "status": "in-progress"}, "parts delivered"),
    (at(24, 11, 45), {"type": "resolved"}, "controller replaced"),
]


def hours(amount: dt.timedelta) -> str:
    """Return ``amount`` as ``3h30m``."""
    minutes = round(amount.total_seconds() / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def main() -> None:
    """Print the SLA after each event, then the counted and paused time behind it."""
    policy = Policy.load(POLICY)
    onsite = policy.calendars["onsite"]
    logged = EVENTS[0][0]
    print(f"Logged {logged:%a %d %b %H:%M}; the 4-hour on-site fix is due, if nothing pauses it,")
    print(
        f"at {onsite.add(logged, dt.timedelta(hours=4)):%a %d %b %H:%M} (site closed on Sunday).\n"
    )

    state = policy.evaluation()
    for when, fields, note in EVENTS:
        state = state.feed({"at": when.isoformat(), **fields})
        report = state.report(now=when)
        fix = report["resolution"]
        due = f"due {fix.due:%a %H:%M}" if fix.due else "no due time while paused"
        used = hours(fix.elapsed)
        print(f"{when:%a %d %b %H:%M}  {note:<36} fix: {fix.status:<8} used {used}, {due}")

    final = state.report(now=at(24, 12))
    print(f"\nFirst response: {final['first_response'].status}; fix: {final['resolution'].status}")
    print("\nWhat counted, and why:\n")
    print(final.explain())


if __name__ == "__main__":
    main()
