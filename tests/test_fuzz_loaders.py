"""Fuzzing every loader of untrusted or hand-edited input (issue 13).

Each loader gets arbitrary bytes and arbitrary structured data built from its own
vocabulary (field names, zones, hours, rules, instants, targets), and may only
raise a ``SlaclockError`` subclass: never ``TypeError``, ``RecursionError``,
``OverflowError`` and the like. Hypothesis's ``deadline`` bounds each call; the
example counts are kept modest so the suite stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock import Calendar, Clock, Policy
from slaclock.config import calendars_from_mapping, loads_calendars
from slaclock.errors import SlaclockError
from slaclock.reports.uptime import iter_outages
from slaclock.sla.tickets import Ticket, evaluate_tickets, iter_tickets

yaml = pytest.importorskip("yaml")

#: ``SLACLOCK_FUZZ_EXAMPLES=5000`` runs a longer, random search (the default is fixed and short).
_EXAMPLES = int(os.environ.get("SLACLOCK_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=_EXAMPLES or 60,
    deadline=dt.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=not _EXAMPLES,
)
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)

WORDS = [
    # calendars
    "calendars", "tz", "hours", "holidays", "extra_holidays", "overrides", "always", "never",
    "windows", "recurring", "union", "intersection", "difference", "rule", "start", "end",
    "country", "subdiv", "market", "categories", "observed", "remove", "mon-fri", "sat",
    "sun", "s", "t",
    # policies
    "name", "tiers", "P1", "P2", "first_response", "next_update", "resolution", "target",
    "calendar", "pause_when", "warn_at", "priority_change", "cutoff",
    # tickets and events
    "id", "customer", "events", "at", "type", "kind", "priority", "status", "public",
]  # fmt: skip
SCALARS = [
    "UTC", "Europe/London", "Mars/Olympus", "09:00-17:00", "22:00-06:00", "24:00-09:00",
    "closed", "2026-11-20", "2026-02-30", "FREQ=MONTHLY;BYDAY=1SU", "FREQ=MONTHLY;BYDAY=9SU",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;COUNT=99999999", "GB", "XNYS",
    "4h", "3d", "99999999999h", "PT4H", "P3D", "always", "support & s", "s | t", "(",
    "2026-11-20T16:55+00:00", "0001-01-01T00:00+05:00", "9999-12-31T23:59+00:00",
    "logged", "agent_reply", "resolved", "reopened", "pending-customer", "retroactive",
    "=HYPERLINK(1)", "\x1b[2J", "T\ud800",
]  # fmt: skip

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(SCALARS)
    | st.text(max_size=12)
)
keys = st.sampled_from(WORDS) | st.text(max_size=8)
structured = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)
tables = st.dictionaries(keys, structured, max_size=5)


def only_slaclock_errors(call: Callable[[], object]) -> None:
    """Run ``call``; a ``SlaclockError`` is a fine answer, anything else fails the test."""
    with contextlib.suppress(SlaclockError):
        call()


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


# -- calendar files, each format ---------------------------------------------------


@pytest.mark.parametrize("form", ["toml", "json", "yaml"])
@FUZZ
@given(raw=st.binary(max_size=300))
def test_calendar_bytes(form: str, raw: bytes) -> None:
    only_slaclock_errors(lambda: loads_calendars(raw, form))


@pytest.mark.parametrize("form", ["json", "yaml"])
@FUZZ
@given(data=tables)
def test_calendar_documents(form: str, data: dict[str, Any]) -> None:
    try:
        text = _json(data) if form == "json" else yaml.safe_dump(data, allow_unicode=True)
    except (ValueError, yaml.YAMLError):
        return  # data the writer cannot write (a float NaN in JSON is fine; surrogates are not)
    only_slaclock_errors(lambda: loads_calendars(text, form))


@FUZZ
@given(calendars=st.dictionaries(st.sampled_from(["s", "t", "support", "x y"]), structured))
def test_calendar_mappings(calendars: dict[str, Any]) -> None:
    only_slaclock_errors(lambda: calendars_from_mapping({"calendars": calendars}))


@FUZZ
@given(text=st.text(alphabet="[]{}:\"',#\n -&*!|>1aA", max_size=200))
def test_yaml_punctuation(text: str) -> None:
    only_slaclock_errors(lambda: loads_calendars(text, "yaml"))


# -- policies -----------------------------------------------------------------------


GOOD_POLICY: dict[str, Any] = {
    "name": "Gold",
    "calendars": {"desk": {"tz": "UTC", "hours": {"mon-fri": "09:00-17:00"}}},
    "tiers": {"P1": {"resolution": {"target": "4h", "calendar": "desk"}}},
}


@FUZZ
@given(data=tables)
def test_policy_structures(data: dict[str, Any]) -> None:
    only_slaclock_errors(lambda: Policy.from_dict(data))


@FUZZ
@given(
    path=st.lists(st.sampled_from(["tiers", "P1", "resolution", "target", "calendar"]), max_size=4),
    value=structured,
)
def test_policy_mutations(path: list[str], value: object) -> None:
    data = json.loads(json.dumps(GOOD_POLICY))
    table = data
    for key in path[:-1]:
        if not isinstance(table.get(key), dict):
            break
        table = table[key]
    table[path[-1] if path else "name"] = value
    only_slaclock_errors(lambda: Policy.from_dict(data))


# -- ticket lines -------------------------------------------------------------------

POLICY = Policy.from_dict(GOOD_POLICY)


def _evaluate_lines(lines: list[bytes | str]) -> None:
    list(evaluate_tickets(POLICY, iter_tickets(lines, "t.jsonl"), NOW))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_ticket_line_bytes(raw: bytes) -> None:
    only_slaclock_errors(lambda: _evaluate_lines([raw]))


events = st.lists(
    st.fixed_dictionaries(
        {"at": st.sampled_from(SCALARS[-8:-3]) | leaves, "type": st.sampled_from(SCALARS[-6:])},
        optional={"priority": st.sampled_from(["P1", "P2", 1]), "status": leaves},
    ),
    max_size=6,
)


@FUZZ
@given(
    ticket=st.fixed_dictionaries(
        {"id": leaves, "events": events | structured}, optional={"customer": leaves}
    )
    | tables
)
def test_ticket_structures(ticket: dict[str, Any]) -> None:
    try:
        line = _json(ticket)
    except ValueError:
        return
    only_slaclock_errors(lambda: _evaluate_lines([line]))
    only_slaclock_errors(lambda: Ticket.from_dict(ticket).evaluate(POLICY, NOW))


# -- outage rows --------------------------------------------------------------------


@FUZZ
@given(rows=st.lists(st.text(max_size=60), max_size=5))
def test_outage_rows(rows: list[str]) -> None:
    lines = ["service,start,end\n", *(row + "\n" for row in rows)]
    only_slaclock_errors(lambda: list(iter_outages(lines, "o.csv")))


@FUZZ
@given(
    row=st.tuples(
        st.sampled_from(["mail", "", "=1+2"]) | st.text(max_size=5),
        st.sampled_from(SCALARS[-8:-3]) | st.text(max_size=25),
        st.sampled_from(SCALARS[-8:-3]) | st.text(max_size=25),
    )
)
def test_outage_fields(row: tuple[str, str, str]) -> None:
    lines = ["service,start,end\n", ",".join(json.dumps(cell) for cell in row) + "\n"]
    only_slaclock_errors(lambda: list(iter_outages(lines, "o.csv")))


# -- Clock JSON ---------------------------------------------------------------------

_UTC = dt.timezone.utc
_CLOCK = (
    Clock.start(Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London"),
                dt.datetime(2026, 1, 5, 10, tzinfo=_UTC))
    .pause(dt.datetime(2026, 1, 5, 11, tzinfo=_UTC))
    .resume(dt.datetime(2026, 1, 6, 11, tzinfo=_UTC))
)  # fmt: skip
CLOCK_DATA = _CLOCK.to_dict()


@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=300))
def test_clock_json_bytes(raw: bytes | str) -> None:
    only_slaclock_errors(lambda: Clock.from_json(raw))


@FUZZ
@given(
    path=st.lists(st.sampled_from([*CLOCK_DATA, "kind", "tz", "hours", 0, 1, 2]), max_size=4),
    value=structured,
)
def test_clock_mutations(path: list[Any], value: object) -> None:
    data = json.loads(json.dumps(CLOCK_DATA))
    node: Any = data
    for key in path[:-1]:
        inside_dict = isinstance(node, dict) and key in node
        inside_list = isinstance(node, list) and isinstance(key, int) and key < len(node)
        if inside_dict or inside_list:
            node = node[key]
    if isinstance(node, dict):
        node[path[-1] if path and isinstance(path[-1], str) else "version"] = value
    elif isinstance(node, list) and node:
        node[0] = value
    only_slaclock_errors(lambda: Clock.from_dict(data))
    try:
        text = _json(data)
    except ValueError:
        return
    only_slaclock_errors(lambda: Clock.from_json(text))
