"""Condition-driven metrics (issue 12): the condition language, each condition kind, the presets.

Every built-in metric is a preset of ``MetricDefinition``; the tables of
``test_policy.py`` and ``test_verdicts.py`` keep their verdicts through it. Here:
one table per condition kind (start, pause, stop, reset, cancel), one per preset,
bad definitions, and properties (a reset never increases used time; a cancelled
metric has no verdict; streaming equals whole history with metrics of one's own).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_policy import GOLD, at, event, examples

from slaclock import (
    PRESETS,
    Condition,
    EventError,
    InputError,
    MetricDefinition,
    Policy,
    PolicyError,
    Status,
    Ticket,
    TicketEvent,
    iter_tickets,
    parse_condition,
)

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def mon(hour: int, minute: int = 0) -> dt.datetime:
    return at(2026, 11, 23, hour, minute)


def policy_with(metrics: dict[str, Any], tier: dict[str, Any], **changes: Any) -> Policy:
    data = copy.deepcopy(GOLD)
    data["metrics"] = metrics
    data["tiers"] = {"P3": tier}
    data.update(changes)
    return Policy.from_dict(data, source="own.toml")


def always(target: str) -> dict[str, str]:
    return {"target": target, "calendar": "always"}


# -- the condition language ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value", "public"),
    [
        ("logged", "logged", None, None),
        ("resolved", "resolved", None, None),
        ("reopened", "reopened", None, None),
        ("customer_reply", "customer_reply", None, None),
        ("agent_reply", "agent_reply", None, None),
        ("agent_reply:public", "agent_reply", None, True),
        ("agent_reply:private", "agent_reply", None, False),
        ("status:pending-customer", "status", "pending-customer", None),
        ("priority:P1", "priority_changed", "P1", None),
    ],
)
def test_each_condition_reads_as_written(
    text: str, kind: str, value: str | None, public: bool | None
) -> None:
    condition = parse_condition(text, "here")
    assert (condition.kind, condition.value, condition.public) == (kind, value, public)
    assert condition == Condition(text, kind, value, public)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [("field:group", "group", None), ("field:group=storage", "group", "storage")],
)
def test_field_conditions_read_as_written(text: str, field: str, value: str | None) -> None:
    condition = parse_condition(text, "here")
    assert (condition.kind, condition.field, condition.value) == ("field_changed", field, value)


T = at(2026, 11, 23, 9)
STORAGE = TicketEvent(T, "field_changed", field="group", value="storage")


@pytest.mark.parametrize(
    ("text", "event", "matches"),
    [
        ("agent_reply", TicketEvent(T, "agent_reply", public=False), True),
        ("agent_reply:public", TicketEvent(T, "agent_reply", public=False), False),
        ("agent_reply:private", TicketEvent(T, "agent_reply", public=False), True),
        ("agent_reply:public", TicketEvent(T, "agent_reply"), True),
        ("status:open", TicketEvent(T, "status", status="open"), True),
        ("status:open", TicketEvent(T, "status", status="on-hold"), False),
        ("priority:P1", TicketEvent(T, "priority_changed", priority="P1"), True),
        ("priority:P1", TicketEvent(T, "priority_changed", priority="P2"), False),
        ("logged", TicketEvent(T, "logged", priority="P1"), True),
        ("customer_reply", TicketEvent(T, "agent_reply"), False),
        ("field:group", STORAGE, True),
        ("field:group", TicketEvent(T, "field_changed", field="group"), True),
        ("field:group", TicketEvent(T, "field_changed", field="site", value="x"), False),
        (
            "field:group=storage",
            TicketEvent(T, "field_changed", field="group", value="storage"),
            True,
        ),
        ("field:group=storage", TicketEvent(T, "field_changed", field="group", value="net"), False),
        ("field:group=storage", TicketEvent(T, "status", status="storage"), False),
    ],
)
def test_a_condition_matches_its_events(text: str, event: TicketEvent, matches: bool) -> None:
    assert parse_condition(text, "here").matches(event) is matches


@pytest.mark.parametrize(
    "text",
    [
        "replied",
        "status:",
        "agent_reply:loud",
        "priority",
        "logged:x",
        "field:",
        "field:=x",
        "field:group=",
        3,
        None,
    ],
)
def test_an_unknown_condition_is_a_policy_error_naming_its_place(text: object) -> None:
    with pytest.raises(PolicyError, match=r"own\.toml: metrics\.ack\.stop_when\[0\]"):
        policy_with({"ack": {"start_when": ["logged"], "stop_when": [text]}}, {"ack": always("1h")})


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        ({"start_when": ["logged"]}, "needs stop_when"),
        ({"stop_when": ["resolved"]}, "needs start_when"),
        ({"start_when": [], "stop_when": ["resolved"]}, "at least one condition"),
        ({"start_when": ["logged"], "stop_when": ["resolved"], "when": 1}, "unknown setting"),
        (
            {"start_when": ["logged"], "stop_when": ["resolved"], "pause_when": ["customer_reply"]},
            r"pause_when\[0\].*status:NAME",
        ),
        ({"start_when": ["logged"], "stop_when": ["resolved"], "cyclic": "yes"}, "cyclic"),
        ({"start_when": "logged", "stop_when": 5}, "list of conditions"),
        (
            {"start_when": ["logged", "resolved"], "stop_when": ["agent_reply"]},
            r"start_when\[1\]: 'resolved' ends every clock",
        ),
        ("logged", "table of conditions"),
    ],
)
def test_bad_metric_definitions(definition: Any, problem: str) -> None:
    with pytest.raises(PolicyError, match=rf"own\.toml: metrics\.ack.*{problem}"):
        policy_with({"ack": definition}, {"ack": always("1h")})


def test_a_tier_naming_an_undefined_metric_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match=r"tiers\.P3\.ack: no metric named 'ack'"):
        policy_with({}, {"ack": always("1h")})


def test_a_bad_policy_pause_status_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match=r"own\.toml: pause_when\[0\]"):
        policy_with({}, {"resolution": always("1h")}, pause_when=["agent_reply"])


def test_policy_pause_when_accepts_status_conditions() -> None:
    plain = policy_with({}, {"resolution": always("1h")}, pause_when=["pending-customer"])
    written = policy_with({}, {"resolution": always("1h")}, pause_when=["status:pending-customer"])
    assert plain.pause_when == written.pause_when == frozenset({"pending-customer"})


# -- one table per condition kind ----------------------------------------------------

OWN = {
    # start: a customer's first message; stop: any agent reply, a private note too.
    "touch": {"start_when": ["customer_reply"], "stop_when": ["agent_reply"]},
    # pause: its own list, not the policy's.
    "fix": {
        "start_when": ["logged"],
        "stop_when": ["resolved"],
        "pause_when": ["status:on-hold"],
    },
    # reset: a transfer restarts the count; cancel: a duplicate is not judged.
    "ola": {
        "start_when": ["logged"],
        "stop_when": ["resolved"],
        "reset_when": ["status:transferred"],
        "cancel_when": ["status:duplicate"],
    },
}


@pytest.fixture(scope="module")
def own() -> Policy:
    return policy_with(
        OWN,
        {
            "first_response": always("1h"),
            "touch": always("4h"),
            "fix": always("4h"),
            "ola": always("2h"),
        },
    )


LOG = event(mon(9), "logged", priority="P3")


@pytest.mark.parametrize(
    ("events", "status", "started", "elapsed"),
    [
        ([LOG], Status.IDLE, None, dt.timedelta(0)),
        ([LOG, event(mon(10), "customer_reply")], Status.RUNNING, mon(10), 2 * H),
        (
            [LOG, event(mon(10), "customer_reply"), event(mon(11), "customer_reply")],
            Status.RUNNING,
            mon(10),
            2 * H,
        ),
    ],
)
def test_start_when(
    own: Policy,
    events: list[dict[str, Any]],
    status: Status,
    started: dt.datetime | None,
    elapsed: dt.timedelta,
) -> None:
    report = own.evaluate(events, now=mon(12))["touch"]
    assert (report.status, report.started_at, report.elapsed) == (status, started, elapsed)


@pytest.mark.parametrize(
    ("reply", "touch", "first_response"),
    [
        ({"public": False}, Status.MET, Status.BREACHED),
        ({}, Status.MET, Status.MET),
    ],
)
def test_stop_when(
    own: Policy, reply: dict[str, Any], touch: Status, first_response: Status
) -> None:
    events = [LOG, event(mon(9, 10), "customer_reply"), event(mon(9, 40), "agent_reply", **reply)]
    report = own.evaluate(events, now=mon(12))
    assert report["touch"].status is touch
    assert report["touch"].elapsed == 30 * M
    assert report["touch"].stopped_at == mon(9, 40)
    assert report["first_response"].status is first_response


@pytest.mark.parametrize(
    ("status", "fix", "resolution"),
    [
        # fix pauses only on its own status; resolution on the policy's pause_when.
        ("on-hold", (Status.PAUSED, H), (Status.RUNNING, 3 * H)),
        ("pending-customer", (Status.RUNNING, 3 * H), (Status.PAUSED, H)),
        ("open", (Status.RUNNING, 3 * H), (Status.RUNNING, 3 * H)),
    ],
)
def test_pause_when_is_per_metric(
    status: str, fix: tuple[Status, dt.timedelta], resolution: tuple[Status, dt.timedelta]
) -> None:
    policy = policy_with(OWN, {"fix": always("8h"), "resolution": always("8h")})
    events = [LOG, event(mon(10), "status", status=status)]
    report = policy.evaluate(events, now=mon(12))
    assert (report["fix"].status, report["fix"].elapsed) == fix
    assert (report["resolution"].status, report["resolution"].elapsed) == resolution


def test_reset_when_restarts_the_count_from_zero(own: Policy) -> None:
    events = [LOG, event(mon(10), "status", status="transferred")]
    report = own.evaluate(events, now=mon(11))["ola"]
    assert (report.status, report.started_at, report.elapsed) == (Status.RUNNING, mon(10), H)
    assert report.due == mon(12)


def test_a_breach_before_a_reset_stays(own: Policy) -> None:
    events = [LOG, event(mon(12), "status", status="transferred")]
    report = own.evaluate(events, now=mon(13))["ola"]
    assert report.status is Status.BREACHED
    assert report.breached_at == mon(11)
    assert report.elapsed == H


def test_a_reset_while_paused_stays_paused() -> None:
    policy = policy_with(
        {"ola": {**OWN["ola"], "pause_when": ["on-hold"], "reset_when": ["priority:P1"]}},
        {"ola": always("2h")},
        tiers={"P3": {"ola": always("2h")}, "P1": {"ola": always("2h")}},
    )
    events = [
        LOG,
        event(mon(10), "status", status="on-hold"),
        event(mon(11), "priority_changed", priority="P1"),
    ]
    report = policy.evaluate(events, now=mon(12))["ola"]
    assert (report.status, report.started_at, report.elapsed) == (Status.PAUSED, mon(11), 0 * H)


@pytest.mark.parametrize(
    ("hour", "elapsed"),
    [(10, H), (12, 3 * H)],  # before and after the 2 h target was missed
)
def test_cancel_when_means_no_verdict(own: Policy, hour: int, elapsed: dt.timedelta) -> None:
    events = [LOG, event(mon(hour), "status", status="duplicate")]
    report = own.evaluate(events, now=mon(14))["ola"]
    assert report.status is Status.CANCELLED
    assert report.breached_at is None
    assert report.elapsed == elapsed
    assert report.stopped_at == mon(hour)
    # Nothing starts it again.
    later = own.evaluate([*events, event(mon(15), "status", status="transferred")], now=mon(16))
    assert later["ola"].status is Status.CANCELLED


# -- the presets ---------------------------------------------------------------------


def test_the_built_in_metrics_are_presets() -> None:
    assert list(PRESETS)[:4] == ["first_response", "next_update", "resolution", "periodic_update"]
    assert PRESETS["first_response"].to_dict() == {
        "start_when": ["logged"],
        "stop_when": ["agent_reply:public"],
        "pause_when": [],
    }
    # A preset written out reads back as the same definition.
    for name, preset in PRESETS.items():
        assert MetricDefinition.from_dict(preset.to_dict(), name) == preset


WORK = [
    LOG,
    event(mon(10), "agent_reply"),
    event(mon(10), "status", status="pending-customer"),
    event(mon(11), "customer_reply"),
    event(mon(11), "status", status="on-hold"),
    event(mon(12), "status", status="open"),
    event(mon(13), "agent_reply"),
    event(mon(14), "resolved"),
]


@pytest.mark.parametrize(
    ("metric", "status", "elapsed"),
    [
        # 9-10 new, 10-11 pending-customer, 11-12 on-hold, 12-14 open.
        ("agent_work_time", Status.MET, 3 * H),
        ("requester_wait_time", Status.MET, 4 * H),
        ("resolution", Status.MET, 4 * H),  # the policy pauses pending-customer, awaiting-parts
        ("first_response", Status.MET, H),
        ("pausable_update", Status.MET, 2 * H),  # 11:00 to 13:00, nothing paused it
        ("next_update", Status.MET, 2 * H),
    ],
)
def test_presets_on_one_history(metric: str, status: Status, elapsed: dt.timedelta) -> None:
    policy = policy_with({}, {metric: always("8h")})
    report = policy.evaluate(WORK, now=mon(15))[metric]
    assert (report.status, report.elapsed) == (status, elapsed)


def test_pausable_update_pauses_while_pending_the_customer() -> None:
    policy = policy_with({}, {"pausable_update": always("2h"), "next_update": always("2h")})
    events = [
        LOG,
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "customer_reply"),
        event(mon(11), "status", status="pending-customer"),
        event(mon(13), "status", status="open"),
    ]
    report = policy.evaluate(events, now=mon(13, 30))
    assert report["pausable_update"].status is Status.AT_RISK
    assert report["pausable_update"].elapsed == 90 * M
    assert report["next_update"].status is Status.BREACHED
    assert report["next_update"].breached_at == mon(12)


# -- properties ------------------------------------------------------------------------

STATUSES = ["open", "pending-customer", "on-hold", "transferred"]


@st.composite
def histories(draw: st.DrawFn, statuses: list[str] = STATUSES) -> list[dict[str, Any]]:
    when = mon(8) + dt.timedelta(minutes=draw(st.integers(0, 60 * 24)))
    events = [event(when, "logged", priority="P3")]
    resolved = False
    for _ in range(draw(st.integers(0, 15))):
        when += dt.timedelta(minutes=draw(st.integers(0, 60 * 8)))
        if resolved:
            kind = "reopened"
        else:
            kind = draw(
                st.sampled_from(
                    ["status", "agent_reply", "customer_reply", "resolved", "field_changed"]
                )
            )
        fields: dict[str, Any] = {}
        if kind == "field_changed":
            fields["field"] = draw(st.sampled_from(["group", "type"]))
            fields["value"] = draw(st.sampled_from(["network", "storage", "duplicate"]))
        if kind == "status":
            fields["status"] = draw(st.sampled_from(statuses))
        if kind == "agent_reply":
            fields["public"] = draw(st.booleans())
        resolved = kind == "resolved"
        events.append(event(when, kind, **fields))
    return events


RESET = policy_with(
    {
        "ola": {**OWN["ola"], "pause_when": ["on-hold"]},
        "plain": {"start_when": ["logged"], "stop_when": ["resolved"], "pause_when": ["on-hold"]},
    },
    {"ola": always("2h"), "plain": always("2h")},
)


@settings(max_examples=examples(60), deadline=None)
@given(history=histories(), minutes=st.integers(0, 600))
def test_a_reset_never_increases_used_time(history: list[dict[str, Any]], minutes: int) -> None:
    now = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(minutes=minutes)
    report = RESET.evaluate(history, now=now)
    assert report["ola"].elapsed <= report["plain"].elapsed


@settings(max_examples=examples(60), deadline=None)
@given(history=histories([*STATUSES, "duplicate"]), minutes=st.integers(0, 600))
def test_cancel_means_no_verdict(history: list[dict[str, Any]], minutes: int) -> None:
    now = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(minutes=minutes)
    policy = policy_with(OWN, {"ola": always("2h")})
    report = policy.evaluate(history, now=now)["ola"]
    if report.status is Status.CANCELLED:
        assert report.breached_at is None
        assert report.due is None
    if all(item.get("status") != "duplicate" for item in history):
        # Without the cancelling event, the metric is judged as if it had no cancel_when.
        plain = {key: value for key, value in OWN["ola"].items() if key != "cancel_when"}
        judged = policy_with({"ola": plain}, {"ola": always("2h")}).evaluate(history, now=now)
        assert report == judged["ola"]
    elif history[-1].get("status") == "duplicate" and history[-2]["type"] != "resolved":
        assert report.status is Status.CANCELLED


@settings(max_examples=examples(40), deadline=None)
@given(history=histories([*STATUSES, "duplicate"]), minutes=st.integers(0, 600))
def test_streaming_equals_whole_history_with_own_metrics(
    history: list[dict[str, Any]], minutes: int
) -> None:
    own = STREAMED
    state = own.evaluation()
    for number, item in enumerate(history, 1):
        state = state.feed(item)
        now = dt.datetime.fromisoformat(item["at"]) + dt.timedelta(minutes=minutes)
        assert state.report(now).to_dict() == own.evaluate(history[:number], now).to_dict()


# -- ticket fields ----------------------------------------------------------------------

GROUPS = {
    # An OLA per group: a move to another group restarts the count.
    "ola": {
        "start_when": ["logged"],
        "stop_when": ["resolved"],
        "reset_when": ["field:group"],
        "cancel_when": ["field:type=duplicate"],
    },
    # Storage's own clock: from the ticket's move to storage until it leaves.
    "storage": {
        "start_when": ["field:group=storage"],
        "stop_when": ["field:group=network", "resolved"],
    },
}


def moved(when: dt.datetime, field: str, value: str) -> dict[str, Any]:
    return event(when, "field_changed", field=field, value=value)


@pytest.mark.parametrize(
    ("events", "ola", "storage"),
    [
        ([LOG], (Status.RUNNING, mon(9), 2 * H), (Status.IDLE, None, 0 * H)),
        (
            [LOG, moved(mon(10), "group", "storage")],
            (Status.RUNNING, mon(10), H),
            (Status.RUNNING, mon(10), H),
        ),
        (
            [LOG, moved(mon(10), "group", "storage"), moved(mon(10, 30), "group", "network")],
            (Status.RUNNING, mon(10, 30), 30 * M),
            (Status.MET, mon(10), 30 * M),
        ),
        (
            [LOG, moved(mon(10), "site", "leeds")],
            (Status.RUNNING, mon(9), 2 * H),
            (Status.IDLE, None, 0 * H),
        ),
        (
            [LOG, moved(mon(10), "type", "duplicate")],
            (Status.CANCELLED, mon(9), H),
            (Status.IDLE, None, 0 * H),
        ),
    ],
)
def test_field_changes_drive_metrics(
    events: list[dict[str, Any]],
    ola: tuple[Status, dt.datetime, dt.timedelta],
    storage: tuple[Status, dt.datetime | None, dt.timedelta],
) -> None:
    policy = policy_with(GROUPS, {"ola": always("3h"), "storage": always("3h")})
    report = policy.evaluate(events, now=mon(11))
    assert (report["ola"].status, report["ola"].started_at, report["ola"].elapsed) == ola
    found = report["storage"]
    assert (found.status, found.started_at, found.elapsed) == storage


def test_a_field_change_while_resolved_changes_no_metric() -> None:
    policy = policy_with(GROUPS, {"ola": always("3h")})
    events = [LOG, event(mon(10), "resolved"), moved(mon(11), "group", "storage")]
    report = policy.evaluate(events, now=mon(12))["ola"]
    assert (report.status, report.elapsed, report.stopped_at) == (Status.MET, H, mon(10))


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"type": "field_changed", "value": "x"}, "needs a 'field'"),
        ({"type": "field_changed", "field": "group", "value": 3}, "'value' must be text"),
        ({"type": "status", "status": "open", "field": "group"}, "only a field_changed"),
    ],
)
def test_bad_field_events(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(EventError, match=problem):
        TicketEvent.from_dict({"at": mon(9).isoformat(), **data}, "events[1]")


def test_field_events_round_trip() -> None:
    item = TicketEvent(mon(9), "field_changed", field="group", value="storage")
    assert TicketEvent.from_dict(item.to_dict()) == item
    assert "group=storage" in item.describe()


def test_tickets_carry_fields() -> None:
    line = json.dumps(
        {
            "id": "T-1",
            "fields": {"customer": "acme", "group": "network"},
            "events": [LOG, moved(mon(10), "group", "storage")],
        }
    )
    (ticket,) = iter_tickets([line], source="t.jsonl")
    assert ticket.customer == "acme"
    assert ticket.all_fields == {"customer": "acme", "group": "network"}
    assert Ticket.from_dict(ticket.to_dict(), ticket.where) == ticket
    assert ticket.to_dict()["fields"] == {"group": "network"}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"fields": ["group"]}, "fields: expected an object"),
        ({"fields": {"group": 3}}, "fields.group: expected text"),
        (
            {"customer": "acme", "fields": {"customer": "globex"}},
            "fields.customer: 'globex' differs from customer",
        ),
    ],
)
def test_bad_ticket_fields(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(InputError, match=rf"t\.jsonl:1: {problem}"):
        list(iter_tickets([json.dumps({"id": "T-1", "events": [LOG], **data})], source="t.jsonl"))


STREAMED = policy_with(
    {**OWN, "group_ola": GROUPS["ola"], "storage": GROUPS["storage"]},
    {
        name: always("2h")
        for name in ["touch", "fix", "ola", "group_ola", "storage", "pausable_update"]
    },
)


# -- plans: what the per-event loop tests, against the conditions themselves ----------

_CONDITION_TEXTS = [
    "logged",
    "resolved",
    "reopened",
    "customer_reply",
    "agent_reply",
    "agent_reply:public",
    "agent_reply:private",
    "status:open",
    "status:pending-customer",
    "priority:P1",
    "field:group",
    "field:group=ops",
]

_NINE = at(2026, 11, 23, 9)
_EVENTS = [
    TicketEvent(_NINE, "logged", priority="P3"),
    TicketEvent(_NINE, "resolved"),
    TicketEvent(_NINE, "reopened"),
    TicketEvent(_NINE, "customer_reply"),
    TicketEvent(_NINE, "agent_reply"),
    TicketEvent(_NINE, "agent_reply", public=False),
    TicketEvent(_NINE, "status", status="open"),
    TicketEvent(_NINE, "status", status="pending-customer"),
    TicketEvent(_NINE, "priority_changed", priority="P1"),
    TicketEvent(_NINE, "priority_changed", priority="P2"),
    TicketEvent(_NINE, "field_changed", field="group", value="ops"),
    TicketEvent(_NINE, "field_changed", field="group", value=None),
    TicketEvent(_NINE, "field_changed", field="site", value="ops"),
]


@settings(max_examples=200, deadline=None)
@given(
    lists=st.lists(st.lists(st.sampled_from(_CONDITION_TEXTS), max_size=4), min_size=5, max_size=5),
    event=st.sampled_from(_EVENTS),
)
def test_a_plan_matches_exactly_the_events_its_conditions_match(
    lists: list[list[str]], event: TicketEvent
) -> None:
    """Per kind, each list of a plan (``ALWAYS`` for a condition on the kind alone) meets
    an event exactly when one of the definition's conditions in that list matches it."""
    from slaclock.sla._tracking import _any
    from slaclock.sla.conditions import ALWAYS

    cancel, reset, stop, after, start = (
        tuple(parse_condition(text, "test") for text in texts) for texts in lists
    )
    definition = MetricDefinition(
        start_when=start or (parse_condition("logged", "test"),),
        stop_when=stop,
        reset_when=reset,
        cancel_when=cancel,
        start_after=after,
    )
    full = (
        definition.cancel_when,
        definition.reset_when,
        definition.stop_when,
        definition.start_after,
        definition.start_when,
    )
    plan = definition.plans.get(event.kind)
    if plan is None:
        assert not any(c.matches(event) for found in full for c in found)
        return
    for entry, found in zip(plan, full, strict=True):
        planned = bool(entry) and (entry is ALWAYS or _any(entry, event))
        assert planned == any(c.matches(event) for c in found)
