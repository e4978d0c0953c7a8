"""Escalation levels (``warn_at`` as a list) and the breach queue (``Policy.upcoming``).

Named cases on a Mon-Fri 09:00-17:00 London desk (Wednesday 25 November 2026), then
properties: levels' instants rise with the level, the breach instant is the due
instant, and the queue is exactly the running metrics' levels in the window.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import (
    ConfigError,
    Escalation,
    InputError,
    Policy,
    PolicyError,
    PolicySet,
    Status,
    Ticket,
    TicketEvent,
    Upcoming,
)
from slaclock.sla.upcoming import within_of

LONDON = ZoneInfo("Europe/London")

DESK: dict[str, Any] = {
    "name": "Desk",
    "pause_when": ["pending-customer"],
    "warn_at": [0.5, 0.75, 0.9],
    "calendars": {"desk": {"tz": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}}},
    "tiers": {
        "P1": {"first_response": {"target": "1h", "calendar": "always"}},
        "P3": {
            "first_response": {"target": "4h", "calendar": "desk"},
            "next_update": {"target": "2h", "calendar": "desk"},
            "resolution": {"target": "8h", "calendar": "desk"},
        },
    },
}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def event(when: dt.datetime, kind: str, **fields: Any) -> dict[str, Any]:
    return {"at": when.isoformat(), "type": kind, **fields}


def ticket(ident: str, *events: dict[str, Any], customer: str = "acme") -> Ticket:
    return Ticket.from_dict({"id": ident, "customer": customer, "events": list(events)})


@pytest.fixture(scope="module")
def desk() -> Policy:
    return Policy.from_dict(DESK, source="desk")


def levels(report: Any) -> list[tuple[str, str | None]]:
    return [
        (level.label, None if level.at is None else level.at.strftime("%d %H:%M"))
        for level in report.escalations
    ]


def following(report: Any) -> tuple[str, str | None] | None:
    level = report.next_escalation
    if level is None:
        return None
    return level.label, None if level.at is None else level.at.strftime("%d %H:%M")


# -- the levels of one metric ---------------------------------------------------------

LOGGED = event(at(25, 9), "logged", priority="P3")

#: (events after logging, now, metric, levels reached, next level, status)
CASES = [
    # Nothing used yet: the first level is next, at half the 4 h target.
    ([], at(25, 9), "first_response", [], ("50%", "25 11:00"), Status.RUNNING),
    # 2 h 30 min used: 50 % reached at 11:00, 75 % next at 12:00; at_risk from the lowest level.
    (
        [],
        at(25, 11, 30),
        "first_response",
        [("50%", "25 11:00")],
        ("75%", "25 12:00"),
        Status.AT_RISK,
    ),
    # Every level reached: the breach is next, at the due instant.
    (
        [],
        at(25, 12, 50),
        "first_response",
        [("50%", "25 11:00"), ("75%", "25 12:00"), ("90%", "25 12:36")],
        ("breach", "25 13:00"),
        Status.AT_RISK,
    ),
    # Past the due instant: the levels stay reached, nothing is next.
    (
        [],
        at(25, 14),
        "first_response",
        [("50%", "25 11:00"), ("75%", "25 12:00"), ("90%", "25 12:36")],
        None,
        Status.BREACHED,
    ),
    # The 8 h resolution: 75 % is 6 h in, at 15:00; 90 % at 16:12.
    (
        [],
        at(25, 15, 30),
        "resolution",
        [("50%", "25 13:00"), ("75%", "25 15:00")],
        ("90%", "25 16:12"),
        Status.AT_RISK,
    ),
    # The evening after a due instant at the close: exactly the target used, so the breach
    # level is reached (17:00) and nothing is next; breached once the desk opens again.
    (
        [],
        at(25, 20),
        "resolution",
        [("50%", "25 13:00"), ("75%", "25 15:00"), ("90%", "25 16:12")],
        None,
        Status.AT_RISK,
    ),
    (
        [],
        at(26, 9, 1),
        "resolution",
        [("50%", "25 13:00"), ("75%", "25 15:00"), ("90%", "25 16:12")],
        None,
        Status.BREACHED,
    ),
    # Paused at 10:00 with 1 h used: the next level has no instant while paused.
    (
        [event(at(25, 10), "status", status="pending-customer")],
        at(25, 15),
        "resolution",
        [],
        ("50%", None),
        Status.PAUSED,
    ),
    # Paused 10:00-12:00: the levels move by the 2 h held back.
    (
        [
            event(at(25, 10), "status", status="pending-customer"),
            event(at(25, 12), "status", status="open"),
        ],
        at(25, 16, 30),
        "resolution",
        [("50%", "25 15:00")],
        ("75%", "25 17:00"),
        Status.AT_RISK,
    ),
    # A level reached before a pause keeps its instant: 50 % at 13:00, paused 14:00 on.
    (
        [event(at(25, 14), "status", status="pending-customer")],
        at(26, 12),
        "resolution",
        [("50%", "25 13:00")],
        ("75%", None),
        Status.PAUSED,
    ),
    # Stopped: a met metric has no levels to report.
    ([event(at(25, 10), "agent_reply")], at(25, 12), "first_response", [], None, Status.MET),
    # A cycle metric reports its open cycle: a question at 10:00 after the first reply.
    (
        [event(at(25, 9, 30), "agent_reply"), event(at(25, 10), "customer_reply")],
        at(25, 11, 40),
        "next_update",
        [("50%", "25 11:00"), ("75%", "25 11:30")],
        ("90%", "25 11:48"),
        Status.AT_RISK,
    ),
]


@pytest.mark.parametrize(("later", "now", "metric", "reached", "upcoming", "status"), CASES)
def test_levels_of_one_metric(  # noqa: PLR0917 - pytest passes parameters by position
    desk: Policy,
    later: list[dict[str, Any]],
    now: dt.datetime,
    metric: str,
    reached: list[tuple[str, str]],
    upcoming: tuple[str, str | None] | None,
    status: Status,
) -> None:
    report = desk.evaluate([LOGGED, *later], now=now)[metric]
    assert (levels(report), following(report), report.status) == (reached, upcoming, status)


def test_a_single_warn_at_is_one_level() -> None:
    single = Policy.from_dict({**DESK, "warn_at": 0.75})
    assert single.escalation_levels == (0.75,)
    assert single.warn_at == 0.75
    report = single.evaluate([LOGGED], now=at(25, 12, 30))["first_response"]
    assert levels(report) == [("75%", "25 12:00")]
    assert following(report) == ("breach", "25 13:00")


def test_warn_at_one_is_the_breach_level() -> None:
    whole = Policy.from_dict({**DESK, "warn_at": 1})
    report = whole.evaluate([LOGGED], now=at(25, 10))["first_response"]
    assert (levels(report), following(report)) == ([], ("breach", "25 13:00"))
    rows = whole.upcoming([ticket("T", LOGGED)], at(25, 10), within="3h")
    assert [(row.metric, row.label) for row in rows] == [("first_response", "breach")]


def test_the_lowest_level_is_the_at_risk_threshold(desk: Policy) -> None:
    assert desk.warn_at == 0.5
    assert desk.evaluate([LOGGED], now=at(25, 10, 59))["first_response"].status is Status.RUNNING
    assert desk.evaluate([LOGGED], now=at(25, 11))["first_response"].status is Status.AT_RISK


@pytest.mark.parametrize(
    ("warn_at", "problem"),
    [
        ([0.5, 0.5], "is not above 0.5"),
        ([0.75, 0.5], "is not above 0.75"),
        ([0.5, 1.0], "not an escalation level"),
        ([0], "not an escalation level"),
        ([], "give a share"),
        (["half"], "not an escalation level"),
        (1.5, "not a share of the target"),
        (0, "not a share of the target"),
        (True, "give a share"),
    ],
)
def test_bad_levels_name_warn_at(warn_at: Any, problem: str) -> None:
    with pytest.raises(ConfigError, match=r"desk: warn_at: .*" + problem):
        Policy.from_dict({**DESK, "warn_at": warn_at}, source="desk")


def test_levels_given_to_the_constructor_must_agree_with_warn_at(desk: Policy) -> None:
    with pytest.raises(PolicyError, match="not the lowest"):
        dataclasses.replace(desk, levels=(0.6, 0.8))
    assert dataclasses.replace(desk, levels=(0.6, 0.8), warn_at=0.6).escalation_levels == (0.6, 0.8)


def test_escalation_json_round_trip(desk: Policy) -> None:
    report = desk.evaluate([LOGGED], now=at(25, 12, 50))
    for level in (*report["first_response"].escalations, report.next_escalation):
        assert level is not None
        assert Escalation.from_dict(json.loads(json.dumps(level.to_dict()))) == level
    paused = Escalation("resolution", 0.5, None)
    assert Escalation.from_dict(paused.to_dict()) == paused
    data = report["first_response"].to_dict()
    assert data["next_escalation"] == {
        "metric": "first_response",
        "level": 1.0,
        "label": "breach",
        "at": "2026-11-25T13:00:00+00:00",
    }


def test_next_escalation_of_a_ticket(desk: Policy) -> None:
    state = desk.evaluation().feed_all([LOGGED])
    # First response's 50 % (11:00) comes before resolution's (13:00).
    first = state.next_escalation(at(25, 10))
    assert first is not None
    assert (first.metric, first.label, first.at) == ("first_response", "50%", at(25, 11))
    # A tie at 13:00 (first response's breach, resolution's 50 %): the lower level first.
    tie = state.next_escalation(at(25, 12, 40))
    assert tie is not None
    assert (tie.metric, tie.label) == ("resolution", "50%")
    # Resolved: nothing is counting.
    done = state.feed(event(at(25, 10), "resolved"))
    assert done.next_escalation(at(25, 11)) is None


# -- the breach queue -------------------------------------------------------------------


def queue(
    policy: Policy, tickets: list[Ticket], now: dt.datetime, within: Any, **options: Any
) -> list[tuple[str, str, str, str]]:
    return [
        (row.at.strftime("%d %H:%M"), row.ticket, row.metric, row.label)
        for row in policy.upcoming(tickets, now, within=within, **options)
    ]


QUEUE = [
    ticket("B", LOGGED),  # logged 09:00: first response 50 % 11:00, 75 % 12:00 ...
    ticket("A", LOGGED, customer="globex"),  # the same instants: A before B
    ticket("C", event(at(25, 10), "logged", priority="P1")),  # 1 h on the 24x7 calendar
    ticket("D", LOGGED, event(at(25, 9, 30), "resolved")),  # resolved: never listed
    ticket("E", LOGGED, event(at(25, 9, 30), "status", status="pending-customer")),
    ticket("F", event(at(25, 12, 30), "logged", priority="P1")),  # logged after now
]


def test_upcoming_orders_by_instant_then_ticket_metric_level(desk: Policy) -> None:
    assert queue(desk, QUEUE, at(25, 10), "1h") == [
        ("25 10:30", "C", "first_response", "50%"),
        ("25 10:45", "C", "first_response", "75%"),
        ("25 10:54", "C", "first_response", "90%"),
        ("25 11:00", "A", "first_response", "50%"),
        ("25 11:00", "B", "first_response", "50%"),
        ("25 11:00", "C", "first_response", "breach"),
        # E's first response runs while pending (it does not pause): it is listed too.
        ("25 11:00", "E", "first_response", "50%"),
    ]


def test_the_window_is_open_at_now_and_closed_at_its_end(desk: Policy) -> None:
    # 11:00 exactly: in the window ending at 11:00, not in the one starting there.
    assert ("25 11:00", "A", "first_response", "50%") in queue(desk, QUEUE, at(25, 10), "1h")
    assert ("25 11:00", "A", "first_response", "50%") not in queue(desk, QUEUE, at(25, 11), "1h")
    # 10:59:59.999999 to 11:00 exactly: one µs of window holds every 11:00 row.
    just = at(25, 11) - dt.timedelta(microseconds=1)
    assert [row[1] for row in queue(desk, QUEUE, just, dt.timedelta(microseconds=1))] == [
        "A",
        "B",
        "C",
        "E",
    ]
    assert queue(desk, QUEUE, at(25, 10), "0m") == []


def test_a_ticket_whose_history_ends_before_now_runs_on(desk: Policy) -> None:
    # B was logged Wednesday 09:00 with no other event; on Thursday morning its resolution
    # has used 8 h by Wednesday 17:00: breached, so only what is still ahead is listed.
    rows = desk.upcoming(QUEUE[:1], at(25, 16), within="2h")
    assert [(row.metric, row.label, row.at) for row in rows] == [
        ("resolution", "90%", at(25, 16, 12)),
        ("resolution", "breach", at(25, 17)),
    ]
    assert all(row.left == dt.timedelta(hours=1) for row in rows)


def test_events_after_now_are_left_out(desk: Policy) -> None:
    # Answered at 10:30, but at 10:00 nobody knows that yet.
    answered = ticket("G", LOGGED, event(at(25, 10, 30), "agent_reply"))
    assert ("25 11:00", "G", "first_response", "50%") in queue(desk, [answered], at(25, 10), "1h")
    assert queue(desk, [answered], at(25, 10, 30), "1h") == []


def test_limit_keeps_the_first_rows(desk: Policy) -> None:
    everything = queue(desk, QUEUE, at(25, 10), "4h")
    assert queue(desk, QUEUE, at(25, 10), "4h", limit=3) == everything[:3]
    assert queue(desk, QUEUE, at(25, 10), "4h", limit=0) == []
    with pytest.raises(InputError, match="limit"):
        desk.upcoming(QUEUE, at(25, 10), within="4h", limit=-1)


def test_a_row_says_who_what_and_how_long(desk: Policy) -> None:
    row = desk.upcoming(QUEUE[1:2], at(25, 10), within="1h")[0]
    assert row == Upcoming(
        "A", "globex", "Desk", "P3", "first_response", 0.5, at(25, 11), dt.timedelta(hours=3)
    )
    assert row.at.tzinfo == LONDON
    assert Upcoming.from_dict(json.loads(json.dumps(row.to_dict()))) == row
    assert row.to_dict()["left"] == "PT3H"
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.level = 0.9  # type: ignore[misc]


def test_bad_tickets_raise_or_are_skipped(desk: Policy) -> None:
    bad = ticket("X", LOGGED, event(at(25, 9, 30), "status", status="unheard-of"))
    with pytest.raises(InputError, match="ticket 'X'"):
        desk.upcoming([bad, *QUEUE], at(25, 10), within="1h")
    skipped: list[InputError] = []
    rows = desk.upcoming([bad, *QUEUE], at(25, 10), within="1h", on_bad=skipped.append)
    assert len(skipped) == 1
    assert len(rows) == 7


def test_tickets_may_be_mappings(desk: Policy) -> None:
    rows = desk.upcoming([{"id": "M", "events": [LOGGED]}], at(25, 10), within="1h")
    assert [row.ticket for row in rows] == ["M"]
    with pytest.raises(InputError, match=r"tickets\[0\]: events"):
        desk.upcoming([{"id": "M", "events": []}], at(25, 10), within="1h")


@pytest.mark.parametrize(
    ("within", "problem"), [("-1h", "negative"), ("soon", "within"), (3, "give a duration")]
)
def test_a_bad_window_is_an_input_error(within: Any, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        within_of(within)


def test_a_policy_set_judges_each_ticket_by_its_own_policy() -> None:
    rules = PolicySet.from_dict(
        {
            "policies": [
                {**DESK, "name": "Acme", "applies_when": {"customer": "acme"}, "warn_at": [0.5]},
                {**DESK, "name": "Standard", "warn_at": [0.25]},
            ]
        }
    )
    rows = rules.upcoming(
        [ticket("1", LOGGED), ticket("2", LOGGED, customer="globex")], at(25, 9), within="1h"
    )
    assert [(row.ticket, row.policy, row.label, row.at) for row in rows] == [
        ("2", "Standard", "25%", at(25, 10)),
    ]


# -- properties ------------------------------------------------------------------------

STATUSES = ["open", "pending-customer"]
KINDS = ["agent_reply", "customer_reply", "status", "priority_changed"]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dt.datetime]:
    """A P3 ticket logged in the week of 23 November, a few events, and a later ``now``."""
    when = at(23, 0) + dt.timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))
    events = [event(when, "logged", priority=draw(st.sampled_from(["P1", "P3"])))]
    for _ in range(draw(st.integers(0, 5))):
        when += dt.timedelta(minutes=draw(st.integers(0, 600)))
        kind = draw(st.sampled_from(KINDS))
        if kind == "status":
            events.append(event(when, kind, status=draw(st.sampled_from(STATUSES))))
        elif kind == "priority_changed":
            events.append(event(when, kind, priority=draw(st.sampled_from(["P1", "P3"]))))
        else:
            events.append(event(when, kind))
    now = when + dt.timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
    return events, now


@settings(deadline=None)
@given(histories())
def test_levels_rise_and_the_breach_is_the_due_instant(
    history: tuple[list[dict[str, Any]], dt.datetime],
) -> None:
    desk = Policy.from_dict(DESK)
    events, now = history
    for report in desk.evaluate(events, now=now).values():
        instants = [level.at for level in report.escalations]
        assert all(instant is not None and instant <= now for instant in instants)
        assert instants == sorted(instants)  # type: ignore[type-var]
        following = report.next_escalation
        if following is not None and following.at is not None:
            assert following.at > now
            assert all(following.at >= instant for instant in instants)  # type: ignore[operator]
            if following.breach:
                assert following.at == report.due
            assert report.status in (Status.RUNNING, Status.AT_RISK, Status.BREACHED)
        if report.status is Status.AT_RISK:
            assert report.escalations


@settings(deadline=None)
@given(st.lists(histories(), min_size=1, max_size=4), st.integers(0, 24 * 60))
def test_upcoming_is_exactly_the_running_metrics_levels_in_the_window(
    stories: list[tuple[list[dict[str, Any]], dt.datetime]], minutes: int
) -> None:
    desk = Policy.from_dict(DESK)
    now = max(history[1] for history in stories)
    end = now + dt.timedelta(minutes=minutes)
    tickets = [ticket(f"T{number}", *events) for number, (events, _) in enumerate(stories)]
    rows = desk.upcoming(tickets, now, within=dt.timedelta(minutes=minutes))
    keys = [(row.at, row.ticket, row.metric, row.level) for row in rows]
    assert keys == sorted(keys)
    # The reference: walk each running metric's levels one report at a time.
    expected = set()
    for item in tickets:
        state = desk.evaluation().feed_all(item.events)
        report = state.report(now)
        for name, figures in report.items():
            if figures.status not in (Status.RUNNING, Status.AT_RISK, Status.BREACHED):
                continue
            cursor = now
            while True:
                level = state.report(cursor)[name].next_escalation
                if level is None or level.at is None or level.at > end:
                    break
                left = figures.target - figures.elapsed
                expected.add((level.at, item.id, name, level.level, left))
                if level.breach:
                    break
                cursor = level.at
    assert {(row.at, row.ticket, row.metric, row.level, row.left) for row in rows} == expected


@settings(deadline=None)
@given(histories())
def test_a_level_is_reached_at_the_first_instant_its_share_is_used(
    history: tuple[list[dict[str, Any]], dt.datetime],
) -> None:
    """The brute force: at the instant the used time is at the share, a µs before it is not."""
    desk = Policy.from_dict(DESK)
    events, now = history
    # One tier throughout, so the metric's used time is one segment's.
    events = [item for item in events if item["type"] != "priority_changed"]
    tickets_events = [TicketEvent.from_dict(item) for item in events]
    report = desk.evaluate(events, now=now)

    def used(metric: str, when: dt.datetime) -> dt.timedelta:
        state = desk.evaluation().feed_all(item for item in tickets_events if item.at <= when)
        return state.report(when)[metric].elapsed

    for metric in ("first_response", "resolution"):
        if metric not in report:
            continue
        figures = report[metric]
        for level in figures.escalations:
            assert level.at is not None
            share = figures.target * level.level
            assert used(metric, level.at) >= share
            if level.at > tickets_events[0].at:
                assert used(metric, level.at - dt.timedelta(microseconds=1)) < share
