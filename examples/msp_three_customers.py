"""A managed service provider with three customers, three contracts, one ticket queue.

Acme has a Gold contract served from London (P1 round the clock), Globex a
Silver one in New York hours, Initech a Bronze one in Berlin hours with
Berlin's public holidays. The three contracts are one policy set
(``data/msp/policies.toml``), each policy applying to its customer; one queue
holds every customer's tickets and each is judged under its own customer's
policy. Then each customer's services are measured for availability the way
their contract says: Acme round the clock less the MSP's monthly maintenance
window, Globex in New York business hours. Each contract prices its misses
(``[policies.credits]``): the credits owed are shown after each report.

    python examples/msp_three_customers.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from slaclock import (
    ComplianceReport,
    Policy,
    PolicySet,
    availability,
    parse_period,
    read_outages,
    read_tickets,
)

DATA = Path(__file__).resolve().parent / "data" / "msp"
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)  # Monday after October
GOAL = 95.0

CUSTOMERS = ("acme", "globex", "initech")


def hours(amount: dt.timedelta) -> str:
    """Return ``amount`` as hours and minutes of business time: ``25h43m``."""
    minutes = round(amount.total_seconds() / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def main() -> None:
    """Print each customer's October compliance and availability."""
    tickets = read_tickets(DATA / "tickets.jsonl")
    contracts = Policy.load(DATA / "policies.toml")
    assert isinstance(contracts, PolicySet)  # several policies, one per customer
    october = parse_period("2026-10", "Europe/London")
    print(f"October 2026: {len(tickets)} tickets for {len(CUSTOMERS)} customers\n")
    print("Each ticket is judged on each metric of its tier; compliance is met / judged.\n")
    print(
        f"{'customer':<9} {'contract':<15} {'tickets':>7} {'judged':>6} {'met':>4} "
        f"{'breached':>8} {'compliance':>10}  worst breach"
    )
    for customer in CUSTOMERS:
        policy = contracts.choose({"customer": customer})
        theirs = [ticket for ticket in tickets if ticket.customer == customer]
        report = ComplianceReport.build(policy, theirs, october, NOW, goal=GOAL, worst=1)
        total = report.total
        worst = report.worst[0] if report.worst else None
        worst_text = (
            f"{worst.ticket} {worst.tier} {worst.metric}, {hours(worst.overrun)} over"
            if worst
            else "-"
        )
        flag = "  (below goal)" if report.below_goal(total) else ""
        owed = "; ".join(
            f"owes {credit.currency} {credit.owed}" for credit in report.credits if credit.owed
        )
        flag += f"  {owed}" if owed else ""
        print(
            f"{customer:<9} {policy.name:<15} {report.tickets:>7} {total.judged:>6} "
            f"{total.met:>4} {total.breached:>8} {total.compliance or 0:>9.1f}%  "
            f"{worst_text}{flag}"
        )

    # Where Acme's compliance is lost: per tier and metric.
    acme = contracts.choose({"customer": "acme"})
    acme_tickets = [ticket for ticket in tickets if ticket.customer == "acme"]
    detail = ComplianceReport.build(acme, acme_tickets, october, NOW, goal=GOAL, worst=3)
    print("\nAcme, in detail:\n")
    print(detail.to_text())

    # Availability, as each contract measures it.
    outages = read_outages(DATA / "outages.csv")
    calendars = contracts.calendars
    acme_uptime = availability(
        [outage for outage in outages if outage.service.startswith("acme-")],
        october,
        calendars["round_the_clock"],
        exclude=calendars["maintenance"],
        services=["acme-mail", "acme-erp"],
        calendar_name="24x7",
        excluded_names=["maintenance"],
    )
    globex_uptime = availability(
        [outage for outage in outages if outage.service.startswith("globex-")],
        october,
        calendars["new_york"],
        services=["globex-web", "globex-vpn"],
        calendar_name="New York business hours",
        policy=contracts.choose({"customer": "globex"}),  # its availability credits
    )
    print("Acme availability (24x7 less the first-Sunday maintenance window):\n")
    print(acme_uptime.to_text())
    print("Globex availability (New York business hours only):\n")
    print(globex_uptime.to_text())


if __name__ == "__main__":
    main()
