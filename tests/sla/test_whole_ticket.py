"""The whole-ticket path equals the streamed one, report for report.

``Policy.evaluate``, ``Ticket.evaluate`` (the CLI, ``evaluate_tickets``,
``--jobs`` workers) and ``feed_all`` apply a ticket's events to one mutable
state (``evaluation._Desk``); ``Evaluation.feed`` is the immutable reference,
one state per event. Random policies (retroactive or from-change priority
changes, business-day targets, own metrics with reset, cancel, pause and field
conditions, calendars chosen by fields, policy sets and versions) and random
histories (reopens, priority changes while resolved, pauses, many events at one
instant, field changes) must give equal reports, equal JSON and equal pickles.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_policy import CALENDARS, at, event, examples

from slaclock import EventError, Policy, PolicySet, Report, SlaclockError, Ticket, TicketEvent
from slaclock.sla.results import CycleReport, MetricReport, SegmentReport

TIERS = ["P1", "P3", "P4"]
STATUSES = ["open", "pending-customer", "on-hold", "transferred", "duplicate"]

OWN_METRICS: dict[str, Any] = {
    "touch": {"start_when": ["customer_reply"], "stop_when": ["agent_reply"]},
    "fix": {"start_when": ["logged"], "stop_when": ["resolved"], "pause_when": ["status:on-hold"]},
    "ola": {
        "start_when": ["logged"],
        "stop_when": ["resolved"],
        "reset_when": ["status:transferred", "field:group"],
        "cancel_when": ["status:duplicate", "field:type=duplicate"],
    },
    "storage": {
        "start_when": ["field:group=storage"],
        "stop_when": ["field:group=network", "resolved"],
    },
    "answered_update": {
        "start_when": ["customer_reply"],
        "stop_when": ["agent_reply:public"],
        "start_after": ["agent_reply:public"],
        "cyclic": True,
    },
}

#: The targets a tier may give a metric; a total may also be measured without one.
TARGETS = ["15m", "1h", "4h", "8h", "1d", "2d", "3d"]
TOTALS = ["agent_work_time", "requester_wait_time"]

SITE = {"field": "site", "map": {"leeds": "leeds_desk"}, "default": "support"}


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    """Return a policy's data: random tiers of built-in and own metrics, targets and calendars."""
    calendars = {
        **CALENDARS,
        "leeds_desk": {"tz": "Europe/London", "hours": {"mon-fri": "08:00-16:00"}},
    }
    names = ["first_response", "next_update", "resolution", "periodic_update", *TOTALS]
    names += list(OWN_METRICS)
    tiers: dict[str, Any] = {}
    for tier in TIERS:
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
        entries: dict[str, Any] = {}
        for metric in chosen:
            target = draw(st.sampled_from([*TARGETS, None] if metric in TOTALS else TARGETS))
            calendar = draw(st.sampled_from(["always", "support", "extended", "onsite", "site"]))
            entry: dict[str, Any] = {"calendar": SITE if calendar == "site" else calendar}
            if target is not None:
                entry["target"] = target
            if draw(st.integers(0, 3)) == 0:
                entry["priority_change"] = draw(st.sampled_from(["retroactive", "from_change"]))
            entries[metric] = entry
        tiers[tier] = entries
    return {
        "name": "Random",
        "pause_when": ["pending-customer"],
        "warn_at": draw(st.sampled_from([0.75, [0.5, 0.9], 1.0])),
        "priority_change": draw(st.sampled_from(["retroactive", "from_change"])),
        "calendars": calendars,
        "metrics": OWN_METRICS,
        "tiers": tiers,
    }


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Return a ticket's events: any kind after logging, often several at one instant."""
    when = at(2026, 11, 20, 8) + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 3)))
    events = [event(when, "logged", priority=draw(st.sampled_from(TIERS)))]
    resolved = False
    for _ in range(draw(st.integers(0, 25))):
        # Zero minutes often: events at one instant apply in canonical order.
        when += dt.timedelta(minutes=draw(st.sampled_from([0, 0, 5, 45, 60 * 5, 60 * 30])))
        kinds = ["status", "agent_reply", "customer_reply", "priority_changed", "resolved"]
        kinds += ["field_changed", "reopened" if resolved else "customer_reply"]
        kind = draw(st.sampled_from(kinds))
        fields: dict[str, Any] = {}
        if kind == "status" or (kind == "reopened" and draw(st.booleans())):
            fields["status"] = draw(st.sampled_from(STATUSES))
        elif kind == "priority_changed":
            fields["priority"] = draw(st.sampled_from(TIERS))
        elif kind == "agent_reply":
            fields["public"] = draw(st.booleans())
        elif kind == "field_changed":
            fields["field"] = draw(st.sampled_from(["group", "type"]))
            fields["value"] = draw(st.sampled_from(["network", "storage", "duplicate", None]))
        resolved = (resolved or kind == "resolved") and kind != "reopened"
        events.append(event(when, kind, **fields))
    return events


def streamed(rules: Policy | PolicySet, ticket: Ticket, now: dt.datetime) -> Report | str:
    """Return the report of ``ticket`` at ``now`` fed one event at a time, or the refusal."""
    try:
        state = rules.select(ticket, now).evaluation()
        for item in ticket.events:
            if item.at > now:
                break
            state = state.feed(item)
        return state.report(now)
    except SlaclockError as exc:
        return f"{type(exc).__name__}: {exc}"


def whole(rules: Policy | PolicySet, ticket: Ticket, now: dt.datetime) -> Report | str:
    """Return the report of ``ticket`` at ``now`` by the whole-ticket path, or the refusal."""
    try:
        chosen = rules.select(ticket, now)
        known = [item for item in ticket.events if item.at <= now]
        report = chosen.evaluate(known, now)
        assert chosen.evaluation().feed_all(known).report(now) == report
        return report
    except SlaclockError as exc:
        return f"{type(exc).__name__}: {exc}"


def assert_same(fast: Report | str, reference: Report | str) -> None:
    assert fast == reference
    if isinstance(fast, str):
        return
    assert isinstance(reference, Report)
    assert fast.to_dict() == reference.to_dict()
    assert repr(fast) == repr(reference)
    assert pickle.loads(pickle.dumps(fast)) == reference
    assert fast.explain().to_dict() == reference.explain().to_dict()
    assert fast.next_escalation == reference.next_escalation


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=policies(),
    history=histories(),
    site=st.sampled_from([None, "leeds", "paris"]),
    minutes=st.integers(0, 60 * 24 * 4),
    cut=st.integers(0, 30),
)
def test_the_whole_ticket_path_equals_the_streamed_one(
    data: dict[str, Any], history: list[dict[str, Any]], site: str | None, minutes: int, cut: int
) -> None:
    rules = Policy.from_dict(data, source="random.toml")
    fields = {} if site is None else {"site": site}
    ticket = Ticket.from_dict({"id": "T-1", "fields": fields, "events": history}, "t:T-1")
    last = dt.datetime.fromisoformat(history[-1]["at"])
    # ``now`` after the last event, or among the events (later ones left out).
    now = last + dt.timedelta(minutes=minutes)
    if cut < len(history):
        now = dt.datetime.fromisoformat(history[cut]["at"])
    reference = streamed(rules, ticket, now)
    assert_same(whole(rules, ticket, now), reference)
    try:
        by_ticket = ticket.evaluate(rules, now)
    except SlaclockError as exc:
        refused = str(exc)
    else:
        assert by_ticket is not None
        assert_same(by_ticket, reference)
        return
    # The same refusal, naming the ticket.
    assert isinstance(reference, str)
    assert refused.endswith(reference.split(": ", 1)[1])


def versioned_set(data: dict[str, Any]) -> PolicySet:
    """Return a policy set: ``data`` with a later version for one customer, the rest plain."""
    later = copy.deepcopy(data["tiers"])
    for entries in later.values():
        for entry in entries.values():
            entry.pop("target", None)
            entry["target"] = "30m"
    versioned = {
        **copy.deepcopy(data),
        "name": "Acme",
        "applies_when": {"customer": "acme"},
        "versions": [
            {"effective_from": "2026-11-01", "tiers": data["tiers"]},
            {"effective_from": "2026-11-21", "tiers": later},
        ],
    }
    rules = Policy.from_dict({"policies": [versioned, data]}, source="set.toml")
    assert isinstance(rules, PolicySet)
    return rules


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=policies(),
    history=histories(),
    customer=st.sampled_from(["acme", "globex"]),
    minutes=st.integers(0, 60 * 24 * 2),
)
def test_policy_sets_and_versions_judge_alike_on_both_paths(
    data: dict[str, Any], history: list[dict[str, Any]], customer: str, minutes: int
) -> None:
    rules = versioned_set(data)
    ticket = Ticket.from_dict(
        {"id": "T-2", "fields": {"customer": customer}, "events": history}, "t:T-2"
    )
    now = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(minutes=minutes)
    reference = streamed(rules, ticket, now)
    assert_same(whole(rules, ticket, now), reference)
    if not isinstance(reference, str):
        assert_same(rules.evaluate(history, now, {"customer": customer}), reference)


def test_a_whole_ticket_refuses_as_the_stream_does() -> None:
    """Each refusal comes from the event it concerns, in the order fed, on both paths."""
    policy = Policy.from_dict(
        {"name": "Desk", "tiers": {"P3": {"resolution": {"target": "4h", "calendar": "always"}}}}
    )
    logged = event(at(2026, 11, 23, 9), "logged", priority="P3")
    cases = [
        # A reopen of an open ticket, then an event that cannot be read: the reopen is refused.
        [logged, event(at(2026, 11, 23, 10), "reopened"), {"at": "soon", "type": "status"}],
        # An event out of order after one at a new instant.
        [
            logged,
            event(at(2026, 11, 23, 10), "agent_reply"),
            event(at(2026, 11, 23, 9, 30), "agent_reply"),
        ],
        # An event at the same instant that cannot be read.
        [logged, event(at(2026, 11, 23, 9), "agent_reply"), {"at": logged["at"], "type": "nap"}],
        [event(at(2026, 11, 23, 9), "agent_reply")],
    ]
    for history in cases:
        state = policy.evaluation()
        with pytest.raises(EventError) as streamed_error:  # noqa: PT012 - one event at a time
            for item in history:
                state = state.feed(item)
        with pytest.raises(EventError) as whole_error:
            policy.evaluate(history, at(2026, 11, 24))
        assert str(whole_error.value) == str(streamed_error.value)


def test_reports_built_in_place_are_the_dataclasses_their_constructors_make() -> None:
    """``results.built`` makes what ``__init__`` makes: equal, same repr, fields in order."""
    policy = Policy.from_dict(
        {
            "name": "Desk",
            "tiers": {
                "P3": {
                    "next_update": {"target": "1h", "calendar": "always"},
                    "resolution": {"target": "4h", "calendar": "always"},
                },
                "P1": {
                    "next_update": {"target": "30m", "calendar": "always"},
                    "resolution": {"target": "2h", "calendar": "always"},
                },
            },
        }
    )
    history = [
        event(at(2026, 11, 23, 9), "logged", priority="P3"),
        event(at(2026, 11, 23, 9, 10), "agent_reply"),
        event(at(2026, 11, 23, 9, 20), "customer_reply"),
        event(at(2026, 11, 23, 11), "priority_changed", priority="P1"),
    ]
    report = policy.evaluate(history, at(2026, 11, 23, 14))
    assert dataclasses.replace(report) == report
    assert repr(dataclasses.replace(report)) == repr(report)
    assert list(vars(dataclasses.replace(report))) == list(vars(report))
    seen = 0
    for metric in report.values():
        parts: list[Any] = [metric, *metric.cycles, *metric.segments]
        for part in parts:
            assert isinstance(part, (MetricReport, CycleReport, SegmentReport))
            again = dataclasses.replace(part)
            assert again == part
            assert repr(again) == repr(part)
            assert list(vars(part)) == list(vars(again))
            seen += 1
    assert seen >= 7


def _as_datetimes(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return ``history`` with each ``at`` a datetime: the shape programs pass, read quickest."""
    return [{**item, "at": dt.datetime.fromisoformat(item["at"])} for item in history]


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=policies(), history=histories(), minutes=st.integers(0, 60 * 24))
def test_event_dicts_of_every_shape_read_as_their_events(
    data: dict[str, Any], history: list[dict[str, Any]], minutes: int
) -> None:
    """Dicts with datetimes (``{at, type}`` read without further look-ups), dicts with
    text and ready ``TicketEvent`` values give one report, or one refusal; so does the
    policy read back from a pickle (its metrics' plans made again)."""
    policy = Policy.from_dict(data, source="random.toml")
    policy = policy.choose({}) if isinstance(policy, PolicySet) else policy
    rules = policy.for_fields({"site": "leeds"})
    now = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(minutes=minutes)
    answers = []
    for events in (
        history,
        _as_datetimes(history),
        [TicketEvent.from_dict(item) for item in history],
    ):
        try:
            answers.append(rules.evaluate(events, now))
        except SlaclockError as exc:
            answers.append(f"{type(exc).__name__}: {exc}")
    # A policy read back from a pickle (as a worker process gets it) judges alike.
    try:
        answers.append(pickle.loads(pickle.dumps(rules)).evaluate(history, now))
    except SlaclockError as exc:
        answers.append(f"{type(exc).__name__}: {exc}")
    first = answers[0]
    for answer in answers[1:]:
        assert_same(answer, first)


def _fed(rules: Policy, history: list[dict[str, Any]], now: dt.datetime, revive: bool) -> Any:
    """Return the report at ``now`` after feeding ``history`` one event at a time, or the
    refusal; with ``revive``, each state is pickled and read back before the next event."""
    state = rules.evaluation()
    try:
        for item in history:
            state = state.feed(item)
            if revive:
                state = pickle.loads(pickle.dumps(state))
        return state.report(now)
    except SlaclockError as exc:
        return f"{type(exc).__name__}: {exc}"


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=policies(), history=histories(), minutes=st.integers(0, 60 * 24))
def test_a_state_read_back_from_a_pickle_goes_on_as_the_state_itself(
    data: dict[str, Any], history: list[dict[str, Any]], minutes: int
) -> None:
    """A stream that keeps its states pickled (a queue, a store) judges as one that keeps
    them in memory: the clock states (running, paused...) read back are the ones the
    transitions test for."""
    policy = Policy.from_dict(data, source="random.toml")
    policy = policy.choose({}) if isinstance(policy, PolicySet) else policy
    rules = policy.for_fields({"site": "leeds"})
    now = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(minutes=minutes)
    assert_same(_fed(rules, history, now, revive=True), _fed(rules, history, now, revive=False))


_T = dt.datetime(2026, 11, 23, 9, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    "data",
    [
        {"at": _T, "type": "agent_reply"},
        {"at": _T, "kind": "resolved"},
        {"at": _T, "type": "customer_reply"},
        {"at": _T, "type": "reopened"},
        {"at": _T.astimezone(dt.timezone(dt.timedelta(hours=5))), "type": "agent_reply"},
        {"at": _T, "type": "agent_reply", "public": False},
        {"at": _T, "type": "status", "status": "open"},
        {"at": _T, "type": "logged", "priority": "P1"},
    ],
)
def test_an_event_dict_reads_as_the_event_its_constructor_makes(data: dict[str, Any]) -> None:
    read = TicketEvent.from_dict(data)
    fields = {key: value for key, value in data.items() if key not in ("type", "kind")}
    made = TicketEvent(kind=data.get("type", data.get("kind")), **fields)
    assert read == made
    assert repr(read) == repr(made)
    assert read.__dict__ == made.__dict__
    assert list(read.__dict__) == list(made.__dict__)
    assert pickle.dumps(read) == pickle.dumps(made)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"at": _T, "type": "logged"}, "needs a 'priority'"),
        ({"at": _T, "type": "status"}, "needs a 'status'"),
        ({"at": _T, "type": "replied"}, "unknown event type"),
        ({"at": _T, "type": 3}, "unknown event type"),
        ({"at": _T.replace(tzinfo=None), "type": "agent_reply"}, "has no time zone"),
        ({"at": "2026-11-23T09:00", "type": "agent_reply"}, "has no time zone"),
        ({"at": "soon", "type": "agent_reply"}, "not an ISO 8601 instant"),
        ({"at": None, "type": "agent_reply"}, "'at' must be a datetime"),
        ({"type": "agent_reply", "public": True}, "'at' must be a datetime"),
        ({"at": _T, "kind": "agent_reply", "type": "agent_reply"}, None),
    ],
)
def test_an_event_dict_of_two_keys_is_checked_as_any_other(
    data: dict[str, Any], message: str | None
) -> None:
    if message is None:
        assert TicketEvent.from_dict(data).kind == "agent_reply"
        return
    with pytest.raises(SlaclockError, match=rf"^events\[3\]: .*{message}"):
        TicketEvent.from_dict(data, "events[3]")
