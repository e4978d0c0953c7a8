"""A follow-the-sun desk: London, New York and Sydney hand tickets round the world.

The desk is open while any office is (``london | new_york | sydney``), each on
its own wall clock. The week shown is the one in which New York's clocks go
forward (Sunday 8 March 2026) while London's and Sydney's do not move: New
York's day starts an hour earlier in UTC from Monday on.

    python examples/follow_the_sun.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from slaclock import Policy

POLICY = Path(__file__).resolve().parent / "data" / "follow_the_sun.toml"
UTC = dt.timezone.utc
OFFICES = ("london", "new_york", "sydney")


def coverage(policy: Policy, day: dt.date) -> str:
    """Return 24 characters, one per UTC hour of ``day``: the office open at half past."""
    marks = []
    for hour in range(24):
        at = dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=UTC)
        open_now = [name for name in OFFICES if policy.calendars[name].is_open(at)]
        marks.append("." if not open_now else "+" if len(open_now) > 1 else open_now[0][0].upper())
    return "".join(marks)


def hours(amount: dt.timedelta) -> str:
    """Return ``amount`` as ``7h30m``."""
    minutes = round(amount.total_seconds() / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def main() -> None:
    """Print the desk's coverage, due times across the handovers, and one ticket's story."""
    policy = Policy.load(POLICY)
    desk = policy.calendars["desk"]

    print("Coverage by UTC hour (L London, N New York, S Sydney, + overlap, . closed)")
    print(" " * 17 + "".join(str(hour % 10) for hour in range(24)))
    for offset in range(6):
        day = dt.date(2026, 3, 5) + dt.timedelta(days=offset)
        print(f"{day:%a %d %b %Y}  {coverage(policy, day)}")

    print("\nA 2-hour P2 response target, logged at different moments:")
    for logged in (
        dt.datetime(2026, 3, 6, 17, 30, tzinfo=UTC),  # Friday, London closing, New York open
        dt.datetime(2026, 3, 6, 21, 30, tzinfo=UTC),  # Friday night: nobody until Sunday 21:00
        dt.datetime(2026, 3, 9, 6, 30, tzinfo=UTC),  # Monday, Sydney's last half hour
        dt.datetime(2026, 3, 9, 7, 15, tzinfo=UTC),  # the gap between Sydney and London
    ):
        due = desk.add(logged, dt.timedelta(hours=2))
        who = [
            name
            for name in OFFICES
            if policy.calendars[name].is_open(due - dt.timedelta(seconds=1))
        ]
        print(
            f"  logged {logged:%a %H:%M} UTC -> due {due.astimezone(UTC):%a %H:%M} UTC "
            f"(answered by {', '.join(who)})"
        )

    # One P1 ticket, logged in Sydney's afternoon, resolved by New York.
    report = policy.evaluate(
        [
            {"at": "2026-03-09T05:00:00+00:00", "type": "logged", "priority": "P1"},
            {"at": "2026-03-09T05:20:00+00:00", "type": "agent_reply"},
            {"at": "2026-03-09T13:30:00+00:00", "type": "resolved"},
        ],
        now=dt.datetime(2026, 3, 10, tzinfo=UTC),
    )
    resolution = report["resolution"]
    print(
        f"\nP1 ticket logged Monday 05:00 UTC in Sydney's afternoon: resolution {resolution.status}"
        f" after {hours(resolution.elapsed)} of desk time (target {resolution.target_text});"
    )
    print("the desk closed for an hour between Sydney and London, which did not count:\n")
    print(report.explain())


if __name__ == "__main__":
    main()
