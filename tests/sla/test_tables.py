"""A table of events (pandas or Arrow) gives the reports the same tickets give as JSON Lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from slaclock import InputError, Policy, evaluate_table, evaluate_tickets, read_tickets
from slaclock.sla.tables import tickets_from_table

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
NOW = dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)


def event_rows() -> tuple[Policy, list, pd.DataFrame]:
    """Return the desk policy, its example tickets, and the same events as shuffled rows."""
    policy = Policy.load(DATA / "desk_policy.toml")
    tickets = read_tickets(DATA / "tickets.jsonl")
    rows = []
    for ticket in tickets:
        for event in ticket.events:
            rows.append(
                {
                    "ticket": ticket.id,
                    "customer": ticket.customer or None,
                    "at": pd.Timestamp(event.at).tz_convert("UTC"),
                    "type": event.kind,
                    "priority": event.priority,
                    "status": event.status,
                    "public": event.public,
                    "note": "ignored",
                }
            )
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=3)
    return policy, tickets, frame


def reports(pairs) -> list:  # type: ignore[no-untyped-def]
    return [(ticket.id, ticket.customer, report.to_dict()) for ticket, report in pairs]


def test_pandas_and_arrow_tables_give_the_json_lines_reports() -> None:
    policy, tickets, frame = event_rows()
    expected = sorted(reports(evaluate_tickets(policy, tickets, NOW)))
    assert expected
    assert sorted(reports(evaluate_table(policy, frame, NOW))) == expected
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    assert sorted(reports(evaluate_table(policy, arrow, NOW))) == expected


def test_other_column_names_and_problems_named_by_row() -> None:
    frame = pd.DataFrame(
        {
            "key": ["A", "A", "B"],
            "when": pd.to_datetime(
                ["2026-11-20T16:55Z", "2026-11-20T16:50Z", "2026-11-20T10:00Z"], utc=True
            ),
            "event": ["agent_reply", "logged", "logged"],
            "priority": ["", "P3", None],
        }
    )
    frame.loc[0, "priority"] = None
    bad: list[InputError] = []
    found = list(tickets_from_table(frame, id="key", at="when", type="event", on_bad=bad.append))
    assert [ticket.id for ticket in found] == ["A"]
    assert [event.kind for event in found[0].events] == ["logged", "agent_reply"]
    assert len(bad) == 1
    assert "row 2" in str(bad[0])
    assert "priority" in str(bad[0])
    with pytest.raises(InputError, match="no 'ticket' column"):
        list(tickets_from_table(frame))
    naive = frame.assign(when=frame["when"].dt.tz_localize(None))
    with pytest.raises(InputError, match=r"row 0: when: .* has no time zone"):
        list(tickets_from_table(naive, id="key", at="when", type="event"))
    with pytest.raises(InputError, match="pandas DataFrame or a pyarrow Table"):
        list(tickets_from_table([{"ticket": "A"}]))
