"""The bundled demo: a London service desk's first-response times, from packaged data."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import TextIO

from slaclock.calendar import Calendar


def _fmt(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def run(out: TextIO) -> int:
    """Print each demo ticket's business-time response against its target; return 0."""
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
        logged = dt.datetime.fromisoformat(ticket["logged"])
        replied = dt.datetime.fromisoformat(ticket["replied"])
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
    return 0
