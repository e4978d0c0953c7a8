"""The bundled demo: a London service desk's response times, then its monthly SLA report.

Everything comes from packaged data (``slaclock/data``): the calendar and tickets
of the first part, the policy and tickets of the compliance report.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import TextIO

from slaclock.engine._time import iso_datetime
from slaclock.engine.calendar import Calendar
from slaclock.sla.targets import format_duration

#: The instant the demo's compliance report is judged at: the morning after November.
REPORT_NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


def _fmt(delta: dt.timedelta) -> str:
    return format_duration(dt.timedelta(minutes=delta // dt.timedelta(minutes=1)))


def run(out: TextIO) -> int:
    """Print the demo tickets' responses, then November's compliance report; return 0."""
    responses(out)
    out.write("\n")
    compliance(out)
    return 0


#: What ``slaclock demo --write DIR`` writes: file name in DIR, packaged file.
DEMO_FILES = {
    "calendars.toml": "demo_calendars.toml",
    "policy.toml": "demo_policy.toml",
    "tickets.jsonl": "demo_tickets.jsonl",
    "outages.csv": "demo_outages.csv",
}


def write(folder: str, out: TextIO) -> int:
    """Write the demo's input files into ``folder`` (made if missing); list them; return 0.

    They are the files the docs' command-line quick start uses. Files of those names
    already there are replaced (each atomically).
    """
    from pathlib import Path

    from slaclock.cli._files import write_atomically

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    data = resources.files("slaclock").joinpath("data")
    for name, packaged in DEMO_FILES.items():
        write_atomically(target / name, data.joinpath(packaged).read_text(encoding="utf-8"))
        out.write(f"wrote {(target / name).as_posix()}\n")
    return 0


def responses(out: TextIO) -> None:
    """Print each demo ticket's business-time response against its target."""
    data = json.loads(resources.files("slaclock").joinpath("data/demo_tickets.json").read_text())
    calendar = Calendar.from_dict(data["calendar"])
    target = dt.timedelta(minutes=data["response_target_minutes"])
    out.write(
        "London desk, Mon-Fri 09:00-17:00, England bank holidays, half days on 24 and 31 Dec.\n"
        f"First-response target: {_fmt(target)} of business time.\n\n"
    )
    header = f"{'ticket':<8} {'logged (London)':<17} {'due (London)':<17} {'response':>9}  result"
    out.write(header + "\n" + "-" * len(header) + "\n")
    for ticket in data["tickets"]:
        logged = iso_datetime(ticket["logged"])
        replied = iso_datetime(ticket["replied"])
        due = calendar.add(logged, target)
        used = calendar.elapsed(logged, replied)
        # Judge the business time used, not the instant: a reply on Monday 08:59 to a
        # call due Friday 17:00 has used no more time than one at 17:00 would have.
        result = "met" if used <= target else f"BREACHED by {_fmt(used - target)}"
        local = logged.astimezone(calendar.tz)
        out.write(
            f"{ticket['id']:<8} {local:%a %d %b %H:%M}  {due:%a %d %b %H:%M}  "
            f"{_fmt(used):>9}  {result}\n"
            f"{'':<8} {ticket['note']}\n"
        )


def compliance(out: TextIO) -> None:
    """Print the compliance report of the bundled policy over November 2026's tickets."""
    from slaclock.reports.compliance import ComplianceReport
    from slaclock.reports.periods import parse_period
    from slaclock.sla.policy import Policy
    from slaclock.sla.tickets import iter_tickets

    data = resources.files("slaclock").joinpath("data")
    with resources.as_file(data.joinpath("demo_policy.toml")) as path:
        policy = Policy.load(path)
    lines = data.joinpath("demo_tickets.jsonl").read_text(encoding="utf-8").splitlines()
    tickets = iter_tickets(lines, source="demo_tickets.jsonl")
    report = ComplianceReport.build(
        policy, tickets, parse_period("2026-11"), REPORT_NOW, goal=90, worst=5
    )
    out.write(
        "The desk's SLA policy (P1 on the clock round the clock; P2 and P3 in desk hours,\n"
        "resolution in business days, paused while pending the customer), judged over\n"
        "November's tickets. The same report as commands, on the demo's files:\n"
        "  slaclock demo --write quickstart\n"
        "  slaclock report --policy quickstart/policy.toml quickstart/tickets.jsonl \\\n"
        "      --period 2026-11 --now 2026-12-01T09:00Z --goal 90\n\n"
    )
    out.write(report.to_text())
