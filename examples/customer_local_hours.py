"""Each customer's own business hours: calendars chosen by ticket fields.

Acme's contract (``data/local_hours/contracts/10-acme.toml``) counts first
responses in the customer's local hours, whatever their zone (the ticket's
``tz`` field), and resolution on the hours of the site doing the work (its
``site`` field); since its amendment of 1 November it also measures agent work
and requester wait, without targets. Everyone else gets the standard contract
(``99-standard.toml``). The two files are one policy set: a folder, read in
file-name order. Each verdict names the policy, its version and the calendar
it was counted on, so it can be defended.

    python examples/customer_local_hours.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from slaclock import Policy, PolicySet, evaluate_tickets, read_tickets

DATA = Path(__file__).resolve().parent / "data" / "local_hours"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)


def hours(amount: dt.timedelta) -> str:
    """Return ``amount`` as hours and minutes: ``25h43m``."""
    minutes = round(amount.total_seconds() / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def main() -> None:
    """Print every ticket's metrics with the policy, version and calendar that judged them."""
    contracts = Policy.load(DATA / "contracts")
    assert isinstance(contracts, PolicySet)
    print(f"Policies, in the order they are tried: {[p.name for p in contracts.policies]}")
    print(f"As at {NOW.isoformat()}\n")
    for ticket, report in evaluate_tickets(contracts, read_tickets(DATA / "tickets.jsonl"), NOW):
        version = report.policy_version or "before any version"
        print(f"{ticket.id} ({ticket.customer}, {dict(ticket.fields) or 'no fields'})")
        print(f"  judged by {report.policy}, {version}")
        for figures in report.values():
            target = f"of {figures.target_text}" if figures.target_text else "(no target)"
            due = "" if figures.due is None else f", due {figures.due.isoformat()}"
            print(
                f"  {figures.metric:<20} {figures.status.value:<9} {hours(figures.elapsed):>7}"
                f" {target:<11} on {figures.calendar}{due}"
            )
        print()


if __name__ == "__main__":
    main()
