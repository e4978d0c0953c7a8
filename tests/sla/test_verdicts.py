"""The policy rules of issue 11, one block per rule: named histories, properties, a reference.

Each named case states the verdict a customer would check (status, used time,
due, breached_at, stopped_at, segments, explain intervals), so a changed rule
fails a test that says which rule.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_policy import GOLD, LONDON, at, event, examples, histories

from slaclock import (
    BusinessDays,
    Calendar,
    EventError,
    MetricSpec,
    NaiveDatetimeError,
    NoBusinessTimeError,
    Policy,
    PolicyError,
    Status,
    TicketEvent,
    parse_target,
)
from slaclock.sla.evaluation import canonical_order

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def policy(**changes: Any) -> Policy:
    data = copy.deepcopy(GOLD)
    data.update(changes)
    return Policy.from_dict(data, source="gold")


@pytest.fixture(scope="module")
def gold() -> Policy:
    return policy()


def segments(report: Any) -> list[tuple[Any, ...]]:
    return [
        (s.tier, s.started_at, s.ended_at, s.target_text, s.used, s.status, s.breached_at)
        for s in report.segments
    ]


MONDAY = (2026, 11, 23)


def mon(hour: int, minute: int = 0) -> dt.datetime:
    return at(*MONDAY, hour, minute)


# -- rule 1: a breach is permanent --------------------------------------------------


def test_a_downgrade_keeps_a_missed_first_response(gold: Policy) -> None:
    """P1's 15 minutes missed at 09:15; dropping to P3 at 10:00 and replying at 10:30."""
    report = gold.evaluate(
        [
            event(mon(9), "logged", priority="P1"),
            event(mon(10), "priority_changed", priority="P3"),
            event(mon(10, 30), "agent_reply"),
        ],
        now=mon(11),
    )
    first = report["first_response"]
    assert first.status is Status.BREACHED
    assert first.breached_at == mon(9, 15)
    assert first.stopped_at == mon(10, 30)
    assert segments(first) == [
        ("P1", mon(9), mon(10), "15m", H, Status.BREACHED, mon(9, 15)),
        # Retroactive: P3's 4 h judge the 1 h 30 m used since logging: met.
        ("P3", mon(10), None, "4h", 90 * M, Status.MET, None),
    ]
    assert first.target_text == "4h"
    assert first.due is None


def test_a_metric_the_new_tier_lacks_ends_breached_and_stays(gold: Policy) -> None:
    report = gold.evaluate(
        [
            event(mon(9), "logged", priority="P1"),
            event(mon(9, 30), "priority_changed", priority="P4"),
        ],
        now=mon(12),
    )
    assert list(report) == ["first_response", "resolution", "periodic_update"]
    first = report["first_response"]
    assert (first.status, first.breached_at, first.stopped_at) == (
        Status.BREACHED,
        mon(9, 15),
        mon(9, 30),
    )
    assert first.elapsed == 30 * M
    assert first.cycles == ()


def test_a_metric_the_new_tier_lacks_is_cancelled_then_revived(gold: Policy) -> None:
    """P3's open next_update cycle is cancelled by P1 (which lacks it), revived by P3 again."""
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "customer_reply"),
        event(mon(11), "priority_changed", priority="P1"),
    ]
    cancelled = gold.evaluate(history, now=mon(11, 30))["next_update"]
    assert cancelled.status is Status.CANCELLED
    assert cancelled.stopped_at == mon(11)
    assert cancelled.elapsed == H
    assert cancelled.due is None
    assert [c.status for c in cancelled.cycles] == [Status.CANCELLED]
    assert segments(cancelled) == [("P3", mon(10), mon(11), "8h", H, Status.CANCELLED, None)]
    assert [(i.start, i.end, i.kind) for i in cancelled.intervals] == [
        (mon(10), mon(11), "counted")
    ]
    history.append(event(mon(12), "priority_changed", priority="P3"))
    revived = gold.evaluate(history, now=mon(13))["next_update"]
    # Its earlier life is explained first, then the replayed cycle.
    assert [(i.start, i.end, i.kind) for i in revived.intervals] == [
        (mon(10), mon(11), "counted"),
        (mon(10), mon(13), "counted"),
    ]
    # Replayed from logging: the cycle opened at 10:00 has counted 3 h by 13:00.
    assert revived.status is Status.RUNNING
    assert revived.elapsed == 3 * H
    assert revived.due == at(2026, 11, 24, 10)  # 4 h to Monday's close, 1 h on Tuesday
    assert segments(revived) == [
        ("P3", mon(10), mon(11), "8h", H, Status.CANCELLED, None),
        ("P3", mon(12), None, "8h", 3 * H, Status.RUNNING, None),
    ]


def test_a_breach_before_cancellation_survives_a_revival(gold: Policy) -> None:
    report = gold.evaluate(
        [
            event(mon(9), "logged", priority="P1"),
            event(mon(10), "priority_changed", priority="P4"),
            event(mon(11), "priority_changed", priority="P1"),
            event(mon(11, 1), "agent_reply"),
        ],
        now=mon(12),
    )
    first = report["first_response"]
    assert first.status is Status.BREACHED
    assert first.breached_at == mon(9, 15)
    assert [s.tier for s in first.segments] == ["P1", "P1"]
    assert [s.status for s in first.segments] == [Status.BREACHED, Status.BREACHED]
    assert first.segments[1].breached_at == mon(11)


def test_a_priority_change_while_paused_keeps_the_pause(gold: Policy) -> None:
    """Paused pending the customer, moved to P1's on-site calendar: still paused, same count."""
    report = gold.evaluate(
        [
            event(mon(9), "logged", priority="P3"),
            event(mon(10), "status", status="pending-customer"),
            event(mon(12), "priority_changed", priority="P1"),
        ],
        now=mon(15),
    )
    resolution = report["resolution"]
    assert resolution.status is Status.PAUSED
    assert resolution.elapsed == H
    assert resolution.calendar == "onsite"
    assert resolution.due is None
    kinds = [(i.start, i.end, i.kind, i.reason) for i in resolution.intervals]
    assert kinds == [
        (mon(9), mon(10), "counted", "support open"),
        (mon(10), mon(12), "paused", "status pending-customer"),
        (mon(12), mon(15), "paused", "status pending-customer"),
    ]
    resumed = gold.evaluate(
        [
            event(mon(9), "logged", priority="P3"),
            event(mon(10), "status", status="pending-customer"),
            event(mon(12), "priority_changed", priority="P1"),
            event(mon(13), "status", status="open"),
        ],
        now=mon(15),
    )["resolution"]
    assert resumed.elapsed == 3 * H
    assert resumed.due == mon(16)


# -- rules 2 and 3: retroactive or from the change; no breach before its rule --------------


UPGRADE = [
    event(mon(9), "logged", priority="P3"),
    event(mon(11), "priority_changed", priority="P1"),
]


def test_retroactive_upgrade_breaches_at_the_change_not_before() -> None:
    report = policy().evaluate(UPGRADE, now=mon(11, 10))
    first = report["first_response"]
    assert first.status is Status.BREACHED
    assert first.breached_at == mon(11)
    assert first.elapsed == 2 * H + 10 * M
    assert segments(first)[-1] == ("P1", mon(11), None, "15m", 130 * M, Status.BREACHED, mon(11))
    resolution = report["resolution"]
    assert resolution.elapsed == 2 * H + 10 * M
    assert resolution.due == mon(13)


def test_from_change_counts_the_new_target_from_the_change() -> None:
    report = policy(priority_change="from_change").evaluate(UPGRADE, now=mon(11, 10))
    first = report["first_response"]
    assert first.status is Status.RUNNING
    assert first.elapsed == 10 * M
    assert first.due == mon(11, 15)
    assert first.breached_at is None
    assert segments(first) == [
        ("P3", mon(9), mon(11), "4h", 2 * H, Status.MET, None),
        ("P1", mon(11), None, "15m", 10 * M, Status.RUNNING, None),
    ]
    resolution = report["resolution"]
    assert resolution.elapsed == 10 * M
    assert resolution.due == mon(15)
    assert resolution.started_at == mon(9)


def test_a_metric_overrides_the_policy_setting() -> None:
    data = copy.deepcopy(GOLD)
    data["priority_change"] = "from_change"
    data["tiers"]["P1"]["first_response"]["priority_change"] = "retroactive"
    report = Policy.from_dict(data).evaluate(UPGRADE, now=mon(11, 10))
    assert report["first_response"].breached_at == mon(11)
    assert report["resolution"].elapsed == 10 * M
    assert Policy.from_dict(data).tiers["P1"]["first_response"].priority_change == "retroactive"


def test_from_change_business_days_count_from_the_change() -> None:
    history = [
        event(mon(9), "logged", priority="P4"),
        event(mon(15), "priority_changed", priority="P3"),
    ]
    retro = policy().evaluate(history, now=mon(16))["resolution"]
    fresh = policy(priority_change="from_change").evaluate(history, now=mon(16))["resolution"]
    # 3d from Monday 09:00 ends Thursday 17:00; from Monday 15:00 too, with 6 h less to use.
    assert retro.due == fresh.due == at(2026, 11, 26, 17)
    assert (retro.target, fresh.target) == (32 * H, 26 * H)
    assert (retro.elapsed, fresh.elapsed) == (7 * H, H)


def test_from_change_on_an_added_metric_judges_only_what_is_open() -> None:
    from_change = policy(priority_change="from_change")
    history = [
        event(mon(9), "logged", priority="P4"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "priority_changed", priority="P3"),
    ]
    report = from_change.evaluate(history, now=mon(11))
    # The first response was given before P3 applied: nothing of it to judge.
    assert report["first_response"].status is Status.IDLE
    # Retroactive, the same reply is judged under P3 (met: 30 minutes of 4 hours).
    retro = policy().evaluate(history, now=mon(11))["first_response"]
    assert (retro.status, retro.elapsed, retro.stopped_at) == (Status.MET, 30 * M, mon(9, 30))
    late = policy().evaluate(
        [
            event(mon(9), "logged", priority="P4"),
            event(mon(9, 30), "agent_reply"),
            event(mon(10), "priority_changed", priority="P1"),
        ],
        now=mon(11),
    )["first_response"]
    # Retroactive P1: 30 minutes against 15 is a breach, but not before 10:00 when P1 applied.
    assert (late.status, late.breached_at, late.stopped_at) == (
        Status.BREACHED,
        mon(10),
        mon(9, 30),
    )


def test_added_metric_from_change_keeps_the_open_wait() -> None:
    report = policy(priority_change="from_change").evaluate(
        [
            event(mon(9), "logged", priority="P4"),
            event(mon(10), "status", status="pending-customer"),
            event(mon(11), "priority_changed", priority="P3"),
            event(mon(12), "status", status="open"),
        ],
        now=mon(13),
    )
    first = report["first_response"]
    assert first.status is Status.RUNNING
    assert first.elapsed == 2 * H  # first_response does not pause; counted from 11:00
    assert first.started_at == mon(9)
    resolution = report["resolution"]
    assert resolution.elapsed == H  # resolution was paused 10:00-12:00; 12:00-13:00 counts


# -- rule 4: reopen resumes ------------------------------------------------------------------

AUTO_SOLVED = [
    event(mon(9), "logged", priority="P3"),
    event(mon(10), "status", status="pending-customer"),
    event(mon(11), "resolved"),
]


def test_a_resolved_metric_stopped_at_the_resolution(gold: Policy) -> None:
    resolution = gold.evaluate(AUTO_SOLVED, now=at(2026, 11, 30, 17))["resolution"]
    assert resolution.status is Status.MET
    assert resolution.stopped_at == mon(11)
    assert resolution.elapsed == H
    assert resolution.due is None
    assert [(i.start, i.end, i.kind, i.reason) for i in resolution.intervals] == [
        (mon(9), mon(10), "counted", "support open"),
        (mon(10), mon(11), "paused", "status pending-customer"),
    ]


def test_reopen_after_auto_solve_resumes_the_count(gold: Policy) -> None:
    """The issue's case: pending, auto-solved, reopened by the customer, late: breached."""
    history = [*AUTO_SOLVED, event(at(2026, 11, 24, 9), "reopened")]
    state = gold.evaluation().feed_all(history)
    assert state.status == "open"
    assert not state.resolved
    resolution = state.report(at(2026, 11, 30, 17))["resolution"]
    assert resolution.status is Status.BREACHED
    assert resolution.elapsed == 41 * H
    assert resolution.breached_at == at(2026, 11, 27, 16)
    assert resolution.stopped_at is None
    reasons = [(i.kind, i.reason) for i in resolution.intervals if i.kind == "paused"]
    assert reasons == [("paused", "status pending-customer"), ("paused", "resolved")]
    gap = next(i for i in resolution.intervals if i.reason == "resolved")
    assert (gap.start, gap.end) == (mon(11), at(2026, 11, 24, 9))


def test_reopen_status_sets_the_pause(gold: Policy) -> None:
    history = [*AUTO_SOLVED, event(at(2026, 11, 24, 9), "reopened", status="pending-customer")]
    state = gold.evaluation().feed_all(history)
    assert state.status == "pending-customer"
    resolution = state.report(at(2026, 11, 30, 17))["resolution"]
    assert resolution.status is Status.PAUSED
    assert resolution.elapsed == H
    assert resolution.intervals[-1].reason == "status pending-customer"
    assert resolution.intervals[-1].end == at(2026, 11, 30, 17)


def test_a_reopened_metric_ends_again_at_the_next_resolution(gold: Policy) -> None:
    history = [
        *AUTO_SOLVED,
        event(at(2026, 11, 24, 9), "reopened"),
        event(at(2026, 11, 24, 10), "resolved"),
    ]
    resolution = gold.evaluate(history, now=at(2026, 11, 30, 17))["resolution"]
    assert (resolution.status, resolution.elapsed, resolution.stopped_at) == (
        Status.MET,
        2 * H,
        at(2026, 11, 24, 10),
    )


def test_periodic_update_resumes_its_cycle_on_reopen(gold: Policy) -> None:
    periodic = gold.evaluate(
        [
            event(mon(9), "logged", priority="P4"),
            event(mon(10), "resolved"),
            event(mon(14), "reopened"),
        ],
        now=mon(16),
    )["periodic_update"]
    assert [(c.started_at, c.elapsed, c.status) for c in periodic.cycles] == [
        (mon(9), 3 * H, Status.RUNNING)
    ]


# -- rule 5: a first response survives a silent resolution -----------------------------------


def test_first_response_survives_a_silent_resolution(gold: Policy) -> None:
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "resolved"),
        event(at(2026, 11, 24, 9), "reopened"),
    ]
    waiting = gold.evaluate(history, now=at(2026, 11, 24, 9, 45))["first_response"]
    assert (waiting.status, waiting.elapsed, waiting.stopped_at) == (
        Status.RUNNING,
        75 * M,
        None,
    )
    assert waiting.due == at(2026, 11, 24, 12, 30)
    history.append(event(at(2026, 11, 24, 10), "agent_reply"))
    answered = gold.evaluate(history, now=at(2026, 11, 24, 12))["first_response"]
    assert (answered.status, answered.elapsed, answered.stopped_at) == (
        Status.MET,
        90 * M,
        at(2026, 11, 24, 10),
    )
    resolved = gold.evaluate(history[:2], now=at(2026, 11, 24, 12))["first_response"]
    assert (resolved.status, resolved.stopped_at) == (Status.MET, mon(9, 30))


# -- rule 6: update cycles start after the first response ----------------------------------


def test_a_message_before_the_first_reply_opens_no_update_cycle(gold: Policy) -> None:
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "customer_reply"),
        event(mon(10), "agent_reply"),
    ]
    report = gold.evaluate(history, now=mon(17))
    assert report["next_update"].status is Status.IDLE
    assert report["next_update"].cycles == ()
    history += [event(mon(11), "customer_reply"), event(mon(12), "agent_reply")]
    update = gold.evaluate(history, now=mon(17))["next_update"]
    assert [(c.started_at, c.stopped_at, c.elapsed) for c in update.cycles] == [
        (mon(11), mon(12), H)
    ]
    assert update.status is Status.MET


def test_a_private_note_is_no_first_response(gold: Policy) -> None:
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "agent_reply", public=False),
        event(mon(10), "customer_reply"),
    ]
    report = gold.evaluate(history, now=mon(11))
    assert report["first_response"].status is Status.RUNNING
    assert report["next_update"].status is Status.IDLE


# -- rule 7: one instant, and after resolution ---------------------------------------------


@pytest.mark.parametrize(
    "order",
    [
        ["resolved", "agent_reply"],
        ["agent_reply", "resolved"],
    ],
)
def test_reply_and_solve_at_one_instant(gold: Policy, order: list[str]) -> None:
    history = [event(mon(9), "logged", priority="P3")]
    history += [event(mon(10), kind) for kind in order]
    report = gold.evaluate(history, now=mon(12))
    first = report["first_response"]
    assert (first.status, first.elapsed, first.stopped_at) == (Status.MET, H, mon(10))
    assert report["resolution"].stopped_at == mon(10)


def test_a_customer_message_that_reopens_opens_a_cycle(gold: Policy) -> None:
    base = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "resolved"),
    ]
    for order in (["customer_reply", "reopened"], ["reopened", "customer_reply"]):
        history = base + [event(mon(11), kind) for kind in order]
        update = gold.evaluate(history, now=mon(12))["next_update"]
        assert [(c.started_at, c.elapsed) for c in update.cycles] == [(mon(11), H)]


def test_resolve_and_reopen_at_one_instant_keep_their_order(gold: Policy) -> None:
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(10), "resolved"),
        event(mon(10), "reopened"),
    ]
    state = gold.evaluation().feed_all(history)
    assert not state.resolved
    assert state.report(mon(11))["resolution"].elapsed == 2 * H


def test_events_after_resolution_change_no_metric(gold: Policy) -> None:
    solved = [event(mon(9), "logged", priority="P3"), event(mon(10), "resolved")]
    later = [
        event(mon(11), "customer_reply"),
        event(mon(11), "agent_reply"),
        event(mon(12), "status", status="pending-customer"),
        event(mon(13), "resolved"),
    ]
    assert gold.evaluate(solved + later, mon(15)) == gold.evaluate(solved, mon(15))
    state = gold.evaluation().feed_all(solved + later)
    assert state.resolved
    assert len(state.events) == 6
    assert state.last_at == mon(13)


def test_a_priority_change_while_resolved_applies_at_the_reopen(gold: Policy) -> None:
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(10), "resolved"),
        event(mon(11), "priority_changed", priority="P1"),
    ]
    state = gold.evaluation().feed_all(history)
    assert state.priority == "P3"
    assert state.report(mon(12))["resolution"].status is Status.MET
    reopened = state.feed(event(mon(12), "reopened"))
    assert reopened.priority == "P1"
    resolution = reopened.report(mon(13))["resolution"]
    assert resolution.calendar == "onsite"
    assert resolution.elapsed == 2 * H
    assert [s.tier for s in resolution.segments] == ["P3", "P1"]
    assert resolution.segments[1].started_at == mon(12)


def test_canonical_order_is_documented_by_example() -> None:
    t = mon(10)
    kinds = ["resolved", "status", "agent_reply", "reopened", "customer_reply", "resolved"]
    events = [TicketEvent(t, kind, status="open" if kind == "status" else None) for kind in kinds]
    assert [e.kind for e in canonical_order(events, resolved=False)] == [
        "status",
        "agent_reply",
        "resolved",
        "reopened",
        "customer_reply",
        "resolved",
    ]
    assert [e.kind for e in canonical_order(events[2:], resolved=True)] == [
        "reopened",
        "agent_reply",
        "customer_reply",
        "resolved",
    ]
    # Two reopens: the first comes first; the second keeps its place after the resolution.
    later = [TicketEvent(t, kind) for kind in ["agent_reply", "reopened", "resolved"]]
    later += [TicketEvent(t, "reopened"), TicketEvent(t, "customer_reply")]
    assert [e.kind for e in canonical_order(later, resolved=True)] == [
        "reopened",
        "agent_reply",
        "resolved",
        "reopened",
        "customer_reply",
    ]
    # Without a reopen, nothing moves, resolved or not.
    assert [e.kind for e in canonical_order(events[1:3], resolved=True)] == [
        "status",
        "agent_reply",
    ]
    # A resolution before the first reopen keeps the reopen after it.
    assert [e.kind for e in canonical_order(events[:4], resolved=True)] == [
        "status",
        "agent_reply",
        "resolved",
        "reopened",
    ]


# -- rule 8: business days with a cut-off ------------------------------------------------


@pytest.mark.parametrize(
    ("logged", "cutoff", "due"),
    [
        (at(2026, 11, 20, 14), None, at(2026, 11, 23, 17)),  # Friday before: Monday
        (at(2026, 11, 20, 16), None, at(2026, 11, 23, 17)),
        (at(2026, 11, 20, 14, 59), dt.time(15), at(2026, 11, 23, 17)),
        (at(2026, 11, 20, 15), dt.time(15), at(2026, 11, 24, 17)),  # at the cut-off: Tuesday
        (at(2026, 11, 20, 16), dt.time(15), at(2026, 11, 24, 17)),
        (at(2026, 11, 21, 10), None, at(2026, 11, 23, 17)),  # Saturday is day 0
        (at(2026, 11, 21, 10), dt.time(15), at(2026, 11, 24, 17)),  # Monday is day 0
        (at(2026, 11, 23, 8), dt.time(15), at(2026, 11, 24, 17)),  # before opening
    ],
)
def test_business_day_cutoff(logged: dt.datetime, cutoff: dt.time | None, due: dt.datetime) -> None:
    support = policy().calendars["support"]
    assert BusinessDays(1, cutoff).due_from(support, logged) == due


def test_cutoff_in_a_policy_file() -> None:
    data = copy.deepcopy(GOLD)
    data["tiers"]["P3"]["resolution"]["cutoff"] = "15:00"
    late = Policy.from_dict(data)
    assert late.tiers["P3"]["resolution"].target == BusinessDays(3, dt.time(15))
    history = [event(at(2026, 11, 20, 16), "logged", priority="P3")]
    resolution = late.evaluate(history, now=at(2026, 11, 23, 10))["resolution"]
    assert resolution.target_text == "3d"
    assert resolution.due == at(2026, 11, 26, 17)
    plain = policy().evaluate(history, now=at(2026, 11, 23, 10))["resolution"]
    assert plain.due == at(2026, 11, 25, 17)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"target": "3d", "calendar": "support", "cutoff": "3pm"}, "not a time of day"),
        ({"target": "3d", "calendar": "support", "cutoff": "24:00"}, "not a time of day"),
        ({"target": "4h", "calendar": "support", "cutoff": "15:00"}, "business-day targets"),
        ({"target": "4 hours", "calendar": "support"}, r"tiers\.P3\.resolution\.target"),
        ({"target": 4, "calendar": "support"}, "is not a target"),
    ],
)
def test_bad_targets_in_a_policy_are_policy_errors(entry: dict[str, Any], problem: str) -> None:
    data = copy.deepcopy(GOLD)
    data["tiers"]["P3"]["resolution"] = entry
    with pytest.raises(PolicyError, match=problem):
        Policy.from_dict(data, source="gold.toml")


@pytest.mark.parametrize(
    ("resumed", "due"),
    [
        (None, at(2026, 11, 26, 17)),  # no pause: the close of Thursday, day 3
        (mon(12), at(2026, 11, 27, 11)),  # 2 h paused: 2 h of Friday, not a day's close
        (at(2026, 11, 24, 10), at(2026, 11, 27, 17)),  # 8 h paused: a whole day later
    ],
)
def test_a_pause_shifts_a_business_days_due_instant(
    gold: Policy, resumed: dt.datetime | None, due: dt.datetime
) -> None:
    """3d from Monday 09:00 is 32 h of business time; a pause moves the due by its open time."""
    history = [event(mon(9), "logged", priority="P3")]
    if resumed is not None:
        history += [
            event(mon(10), "status", status="pending-customer"),
            event(resumed, "status", status="open"),
        ]
    resolution = gold.evaluate(history, now=at(2026, 11, 24, 11))["resolution"]
    assert resolution.target == 32 * H
    assert resolution.due == due


def test_an_idle_business_days_metric_reports_its_target() -> None:
    data = copy.deepcopy(GOLD)
    data["tiers"]["P3"]["next_update"] = {"target": "1d", "calendar": "support"}
    report = Policy.from_dict(data).evaluate([event(mon(9), "logged", priority="P3")], now=mon(12))
    update = report["next_update"]
    assert update.status is Status.IDLE
    # What a cycle opened now would get: the rest of today and all of tomorrow.
    assert update.target == 13 * H
    assert update.remaining == 13 * H
    assert update.target_text == "1d"
    assert update.to_dict()["target"] == "PT13H"


# -- rule 9: targets as written ---------------------------------------------------------


def test_targets_are_reported_as_written_everywhere(gold: Policy) -> None:
    report = gold.evaluate(
        [
            event(mon(9), "logged", priority="P4"),
            event(mon(10), "agent_reply"),
            event(mon(11), "priority_changed", priority="P3"),
        ],
        now=mon(12),
    )
    periodic = report["periodic_update"]
    assert [c.target_text for c in periodic.cycles] == ["1d", "1d"]
    assert periodic.to_dict()["cycles"][0]["target_text"] == "1d"
    resolution = report["resolution"]
    assert [s.target_text for s in resolution.segments] == ["72h", "3d"]
    data = resolution.to_dict()
    assert data["target_text"] == "3d"
    assert [s["target_text"] for s in data["segments"]] == ["72h", "3d"]
    assert data["segments"][0]["to"] == mon(11).isoformat()


# -- properties --------------------------------------------------------------------------

TIERS = ["P1", "P3", "P4"]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), minutes=st.integers(0, 60 * 24 * 4), tier=st.sampled_from(TIERS))
def test_a_priority_change_never_turns_a_breach_into_met(
    gold: Policy, history: list[dict[str, Any]], minutes: int, tier: str
) -> None:
    now = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(minutes=minutes)
    before = gold.evaluate(history, now)
    after = gold.evaluate([*history, event(now, "priority_changed", priority=tier)], now)
    for metric, report in before.items():
        if report.status is Status.BREACHED:
            assert after[metric].status is Status.BREACHED
            assert after[metric].breached_at == report.breached_at
    assert set(before) <= set(after)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    history=histories(),
    later=st.lists(
        st.tuples(
            st.integers(0, 600),
            st.sampled_from(["agent_reply", "customer_reply", "status", "resolved", "priority"]),
        ),
        max_size=6,
    ),
)
def test_events_after_resolution_change_no_verdict(
    gold: Policy, history: list[dict[str, Any]], later: list[tuple[int, str]]
) -> None:
    state = gold.evaluation().feed_all(history)
    if not state.resolved:
        history = [*history, event(dt.datetime.fromisoformat(history[-1]["at"]), "resolved")]
    # Strictly after the resolution: at its instant, a reply would come before it (rule 7).
    when = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(seconds=1)
    extra = []
    for minutes, kind in later:
        when += dt.timedelta(minutes=minutes)
        if kind == "status":
            extra.append(event(when, "status", status="open"))
        elif kind == "priority":
            extra.append(event(when, "priority_changed", priority="P1"))
        else:
            extra.append(event(when, kind))
    now = when + dt.timedelta(days=2)
    assert gold.evaluate(history + extra, now) == gold.evaluate(history, now)


@st.composite
def crowded(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Return histories with several events at one instant, resolutions and reopens included."""
    history = draw(histories())
    when = dt.datetime.fromisoformat(history[-1]["at"])
    kinds = draw(
        st.lists(
            st.sampled_from(["agent_reply", "customer_reply", "status", "resolved", "reopened"]),
            max_size=6,
        )
    )
    for kind in kinds:
        fields = {"status": "pending-customer"} if kind == "status" else {}
        history.append(event(when, kind, **fields))
    return history


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=crowded(), minutes=st.integers(0, 60 * 24 * 3))
def test_streaming_equals_whole_history_at_crowded_instants(
    gold: Policy, history: list[dict[str, Any]], minutes: int
) -> None:
    """Streaming, one event at a time, equals the whole history, even when reordering."""
    try:
        whole = gold.evaluation().feed_all(history)
    except EventError:  # a reopen of an open ticket: refused, streamed or not
        with pytest.raises(EventError, match="not resolved"):
            gold.evaluate(history)
        return
    state = gold.evaluation()
    now = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(minutes=minutes)
    for number, item in enumerate(history, 1):
        state = state.feed(item)
        assert state.report(now).to_dict() == gold.evaluate(history[:number], now).to_dict()
    assert state.report(now) == whole.report(now)
    assert state.events == whole.events


@settings(max_examples=examples(60), deadline=None)
@given(
    history=histories(),
    order=st.permutations(["agent_reply", "status", "customer_reply", "resolved"]),
)
def test_one_instant_in_any_order_gives_one_verdict(
    gold: Policy, history: list[dict[str, Any]], order: list[str]
) -> None:
    state = gold.evaluation().feed_all(history)
    assume(not state.resolved)
    when = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(minutes=7)
    fields = {"status": {"status": "pending-customer"}}
    ordered = ["status", "customer_reply", "agent_reply", "resolved"]
    now = when + dt.timedelta(days=1)
    expected = gold.evaluate(history + [event(when, k, **fields.get(k, {})) for k in ordered], now)
    shuffled = [event(when, k, **fields.get(k, {})) for k in order]
    # Replies and status changes keep their given order among themselves; resolved goes last.
    replies = [k for k in order if k != "resolved"]
    canonical = [event(when, k, **fields.get(k, {})) for k in [*replies, "resolved"]]
    assert gold.evaluate(history + shuffled, now) == gold.evaluate(history + canonical, now)
    if (
        replies.index("customer_reply") < replies.index("agent_reply")
        and replies[0] != "agent_reply"
    ):
        assert gold.evaluate(history + shuffled, now)["resolution"] == expected["resolution"]


@settings(max_examples=examples(40), deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_the_report_never_counts_a_second_twice(gold: Policy, seed: int) -> None:
    """Explain's counted intervals add up to the time used, for every metric of every tier."""
    rng = random.Random(seed)
    when = mon(8) + dt.timedelta(minutes=rng.randrange(600))
    history = [event(when, "logged", priority=rng.choice(["P3", "P4"]))]
    for _ in range(rng.randrange(12)):
        when += dt.timedelta(minutes=rng.randrange(1, 900))
        kind = rng.choice(["agent_reply", "customer_reply", "status", "status"])
        status = {"status": rng.choice(["open", "pending-customer"])} if kind == "status" else {}
        history.append(event(when, kind, **status))
    now = when + dt.timedelta(hours=rng.randrange(1, 48))
    for report in gold.evaluate(history, now).values():
        counted = sum(
            (i.end - i.start for i in report.intervals if i.kind == "counted"), dt.timedelta(0)
        )
        if report.cycles:
            assert counted == sum((c.elapsed for c in report.cycles), dt.timedelta(0))
        else:
            assert counted == report.elapsed


def test_a_long_history_streams(gold: Policy) -> None:
    """2,000 events, 999 update cycles: each judged (benchmarks/bench_policy.py times it)."""
    state = gold.evaluation().feed(event(mon(9), "logged", priority="P3"))
    when = mon(9)
    for number in range(2000):
        when += dt.timedelta(minutes=1)
        state = state.feed(event(when, "agent_reply" if number % 2 else "customer_reply"))
    update = state.report(when)["next_update"]
    # The first customer message (09:01) came before any reply: no cycle (rule 6).
    assert len(update.cycles) == 999
    assert update.cycles[0].started_at == mon(9, 3)
    # A minute each while the desk is open (09:00-17:00), nothing once it has closed.
    assert {cycle.elapsed for cycle in update.cycles} == {dt.timedelta(0), M}
    # Monday 09:03-16:59 holds 239 one-minute cycles, Tuesday 09:00-17:00 holds 240.
    assert sum((cycle.elapsed for cycle in update.cycles), dt.timedelta(0)) == 479 * M
    assert len(state.events) == 2001
    assert state.events[0].at.astimezone(LONDON) == mon(9)


def test_explain_names_every_stretch(gold: Policy) -> None:
    """The Friday call, paused over the weekend: every interval's metric, kind and reason."""
    history = [
        event(at(2026, 11, 20, 16), "logged", priority="P3"),
        event(at(2026, 11, 20, 16, 30), "status", status="awaiting-parts"),
        event(at(2026, 11, 20, 16, 30), "status", status="open"),  # at once: no pause
        event(at(2026, 11, 20, 16, 45), "status", status="pending-customer"),
        event(mon(10), "status", status="open"),
    ]
    resolution = gold.evaluate(history, now=mon(11))["resolution"]
    assert [(i.metric, i.start, i.end, i.kind, i.reason) for i in resolution.intervals] == [
        ("resolution", at(2026, 11, 20, 16), at(2026, 11, 20, 16, 30), "counted", "support open"),
        (
            "resolution",
            at(2026, 11, 20, 16, 30),
            at(2026, 11, 20, 16, 45),
            "counted",
            "support open",
        ),
        ("resolution", at(2026, 11, 20, 16, 45), mon(10), "paused", "status pending-customer"),
        ("resolution", mon(10), mon(11), "counted", "support open"),
    ]
    assert resolution.elapsed == 105 * M
    first = gold.evaluate(history, now=mon(11))["first_response"]
    assert [(i.metric, i.start, i.end, i.kind, i.reason) for i in first.intervals] == [
        ("first_response", at(2026, 11, 20, 16), at(2026, 11, 20, 17), "counted", "support open"),
        ("first_response", at(2026, 11, 20, 17), mon(9), "closed", "outside support hours"),
        ("first_response", mon(9), mon(11), "counted", "support open"),
    ]
    tail = gold.evaluate(history[:1], now=at(2026, 11, 20, 18))["first_response"].intervals
    assert [(i.kind, i.reason, i.end) for i in tail] == [
        ("counted", "support open", at(2026, 11, 20, 17)),
        ("closed", "outside support hours", at(2026, 11, 20, 18)),
    ]


def test_a_cancelled_run_keeps_its_earlier_segments(gold: Policy) -> None:
    first = gold.evaluate(
        [
            event(mon(9), "logged", priority="P3"),
            event(mon(9, 5), "priority_changed", priority="P1"),
            event(mon(9, 10), "priority_changed", priority="P4"),
        ],
        now=mon(12),
    )["first_response"]
    assert first.status is Status.CANCELLED
    assert segments(first) == [
        ("P3", mon(9), mon(9, 5), "4h", 5 * M, Status.MET, None),
        ("P1", mon(9, 5), mon(9, 10), "15m", 10 * M, Status.CANCELLED, None),
    ]
    assert (first.elapsed, first.stopped_at, first.target_text) == (10 * M, mon(9, 10), "15m")


KIND_OF = st.sampled_from(["agent_reply", "status", "resolved", "reopened", "customer_reply"])


@settings(max_examples=examples(300), deadline=None)
@given(kinds=st.lists(KIND_OF, min_size=1, max_size=7), resolved=st.booleans())
def test_an_event_is_appended_exactly_when_the_canonical_order_ends_with_it(
    kinds: list[str], resolved: bool
) -> None:
    """The streaming fast path (``_Instant.appends``) agrees with ``canonical_order``."""
    from slaclock.sla.evaluation import _Instant

    events = [
        TicketEvent(mon(10), kind, status="open" if kind == "status" else None) for kind in kinds
    ]
    base = gold_base_resolved if resolved else gold_base_open
    instant = _Instant(base).plus(events[0])
    for number, new in enumerate(events[1:], 1):
        before = canonical_order(events[:number], resolved)
        after = canonical_order(events[: number + 1], resolved)
        assert instant.appends(new) == (after == [*before, new])
        instant = instant.plus(new)


def _base(resolved: bool) -> Any:
    history = [event(mon(9), "logged", priority="P3")]
    if resolved:
        history.append(event(mon(9, 30), "resolved"))
    return policy().evaluation().feed_all(history)._ticket


gold_base_open = _base(False)
gold_base_resolved = _base(True)


def test_an_added_metric_is_replayed_through_resolution_and_reopen(gold: Policy) -> None:
    """P4 has no first response; raised to P3 after a silent resolution and a reopen."""
    history = [
        event(mon(9), "logged", priority="P4"),
        event(mon(9, 30), "customer_reply"),  # before any reply: no update cycle (rule 6)
        event(mon(10), "resolved"),
        event(mon(11), "customer_reply"),  # while resolved: changes nothing (rule 7)
        event(mon(12), "reopened"),
        event(mon(13), "priority_changed", priority="P3"),
    ]
    report = gold.evaluate(history, now=mon(14))
    first = report["first_response"]
    # 09:00-10:00 and 12:00-14:00 counted; ended by the resolution, resumed by the reopen.
    assert (first.status, first.elapsed, first.stopped_at) == (Status.AT_RISK, 3 * H, None)
    assert first.due == mon(15)
    assert [(i.kind, i.reason) for i in first.intervals if i.kind == "paused"] == [
        ("paused", "resolved")
    ]
    assert report["next_update"].status is Status.IDLE
    assert report["next_update"].cycles == ()
    assert report["next_update"].target == 8 * H  # a Duration target, as written


def test_from_change_breach_counts_from_the_change() -> None:
    report = policy(priority_change="from_change").evaluate(UPGRADE, now=mon(11, 30))
    first = report["first_response"]
    assert (first.status, first.elapsed, first.breached_at) == (
        Status.BREACHED,
        30 * M,
        mon(11, 15),
    )
    assert segments(first)[-1] == ("P1", mon(11), None, "15m", 30 * M, Status.BREACHED, mon(11, 15))


def test_a_metric_cancelled_twice_keeps_every_life(gold: Policy) -> None:
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "customer_reply"),
        event(mon(11), "priority_changed", priority="P1"),
        event(mon(12), "priority_changed", priority="P3"),
        event(mon(13), "priority_changed", priority="P1"),
    ]
    update = gold.evaluate(history, now=mon(14))["next_update"]
    assert update.status is Status.CANCELLED
    assert [(s.tier, s.started_at, s.ended_at, s.status) for s in update.segments] == [
        ("P3", mon(10), mon(11), Status.CANCELLED),
        ("P3", mon(12), mon(13), Status.CANCELLED),
    ]
    assert [(i.start, i.end) for i in update.intervals] == [(mon(10), mon(11)), (mon(10), mon(13))]


def test_a_logged_ticket_is_new(gold: Policy) -> None:
    state = gold.evaluation().feed(event(mon(9), "logged", priority="P3"))
    assert (state.status, state.priority, state.resolved, state.last_at) == (
        "new",
        "P3",
        False,
        mon(9),
    )
    assert state.last_us == int(mon(9).timestamp()) * 1_000_000
    empty = gold.evaluation()
    assert (empty.status, empty.priority, empty.resolved, empty.last_at, empty.last_us) == (
        None,
        None,
        False,
        None,
        0,
    )
    assert empty.events == ()


def test_the_tickets_facts_after_each_event(gold: Policy) -> None:
    state = gold.evaluation().feed(event(mon(9), "logged", priority="P3"))
    steps = [
        (event(mon(9, 10), "status", status="in-progress"), "in-progress"),
        (event(mon(9, 20), "agent_reply"), "in-progress"),
        (event(mon(9, 30), "status", status="pending-customer"), "pending-customer"),
        (event(mon(9, 40), "customer_reply"), "pending-customer"),
        (event(mon(9, 50), "agent_reply", public=False), "pending-customer"),
    ]
    for item, status in steps:
        state = state.feed(item)
        assert (state.priority, state.status, state.resolved) == ("P3", status, False)
    # The first reply (09:20) is remembered across the status changes: 09:40 opened a cycle.
    update = state.report(mon(10))["next_update"]
    assert [(c.started_at, c.elapsed) for c in update.cycles] == [(mon(9, 40), 20 * M)]
    resolved = state.feed(event(mon(11), "resolved"))
    assert (resolved.priority, resolved.status, resolved.resolved) == (
        "P3",
        "pending-customer",
        True,
    )


def test_metrics_a_new_tier_adds_are_reported_in_order(gold: Policy) -> None:
    report = gold.evaluate(
        [
            event(mon(9), "logged", priority="P4"),
            event(mon(10), "priority_changed", priority="P3"),
        ],
        now=mon(11),
    )
    assert list(report) == ["first_response", "next_update", "resolution", "periodic_update"]


def test_a_pause_for_another_reason_is_explained(gold: Policy) -> None:
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(10), "status", status="pending-customer"),
        event(mon(11), "status", status="pending-customer"),
        event(mon(12), "status", status="awaiting-parts"),
        event(mon(13), "status", status="open"),
    ]
    resolution = gold.evaluate(history, now=mon(14))["resolution"]
    assert [(i.start, i.end, i.reason) for i in resolution.intervals if i.kind == "paused"] == [
        (mon(10), mon(12), "status pending-customer"),
        (mon(12), mon(13), "status awaiting-parts"),
    ]
    assert resolution.elapsed == 2 * H


TWO_DESKS: dict[str, Any] = {
    "name": "Two desks",
    "calendars": {"support": {"tz": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}}},
    "tiers": {
        "P1": {"resolution": {"target": "4h", "calendar": "support"}},
        "P2": {"next_update": {"target": "2h", "calendar": "support"}},
        "P3": {"next_update": {"target": "8h", "calendar": "support"}},
    },
}


def test_a_kept_metric_counts_its_next_cycles_on_the_new_tier() -> None:
    desks = Policy.from_dict(TWO_DESKS)
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "priority_changed", priority="P2"),
    ]
    idle = desks.evaluate(history, now=mon(10, 30))["next_update"]
    assert (idle.status, idle.target_text, idle.target) == (Status.IDLE, "2h", 2 * H)
    history += [event(mon(11), "customer_reply"), event(mon(14), "agent_reply")]
    update = desks.evaluate(history, now=mon(15))["next_update"]
    assert [(c.target_text, c.elapsed, c.status) for c in update.cycles] == [
        ("2h", 3 * H, Status.BREACHED)
    ]
    assert update.breached_at == mon(13)


def test_a_revived_metric_keeps_its_first_life_through_later_changes() -> None:
    desks = Policy.from_dict(TWO_DESKS)
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "customer_reply"),
        event(mon(11), "priority_changed", priority="P1"),
        event(mon(12), "priority_changed", priority="P3"),
        event(mon(12, 30), "priority_changed", priority="P2"),
    ]
    update = desks.evaluate(history, now=mon(13))["next_update"]
    assert [(s.tier, s.started_at, s.ended_at, s.status) for s in update.segments] == [
        ("P3", mon(10), mon(11), Status.CANCELLED),
        ("P3", mon(12), mon(12, 30), Status.MET),
        ("P2", mon(12, 30), None, Status.BREACHED),
    ]
    assert update.status is Status.BREACHED
    assert update.breached_at == mon(12, 30)  # 2 h used when P2's 2 h applied: at the change


# -- reporting edges --------------------------------------------------------------------


def test_report_needs_events_and_an_aware_now(gold: Policy) -> None:
    with pytest.raises(EventError, match="no events yet"):
        gold.evaluation().report(mon(9))
    state = gold.evaluation().feed(event(mon(9), "logged", priority="P3"))
    with pytest.raises(NaiveDatetimeError, match="now"):
        state.report(dt.datetime(2026, 11, 23, 10))
    before = dt.datetime.now(dt.timezone.utc)
    report = state.report()  # now: the clock
    assert before <= report.now <= dt.datetime.now(dt.timezone.utc)
    assert report["first_response"].due is not None
    assert str(report["first_response"].due.tzinfo) == "Europe/London"


def test_a_calendar_without_business_time_says_so() -> None:
    never = Policy(
        "Never",
        {"P1": {"resolution": MetricSpec(parse_target("4h"), "closed")}},
        {"closed": Calendar.never("UTC")},
    )
    state = never.evaluation().feed(event(mon(9), "logged", priority="P1"))
    with pytest.raises(NoBusinessTimeError, match="no open time"):
        state.report(mon(10))


def test_a_crossing_inside_an_earlier_span(gold: Policy) -> None:
    """Counted 09-10 and 11-15 on P1's 4 h: the target is reached at 14:00, not later."""
    history = [
        event(mon(9), "logged", priority="P1"),
        event(mon(10), "status", status="pending-customer"),
        event(mon(11), "status", status="open"),
        event(mon(15), "status", status="pending-customer"),
        event(mon(16), "resolved"),
    ]
    desks = Policy.from_dict({**TWO_DESKS, "pause_when": ["pending-customer"]})
    resolution = desks.evaluate(history, now=mon(17))["resolution"]
    assert (resolution.status, resolution.elapsed, resolution.breached_at) == (
        Status.BREACHED,
        5 * H,
        mon(14),
    )
    assert resolution.stopped_at == mon(16)
    assert resolution.calendar == "support"
    assert resolution.metric == "resolution"


def test_the_target_reached_exactly_before_a_pause() -> None:
    """4 h used by 13:00 exactly, paused, resumed at 14:00: missed at 13:00, when it was reached."""
    desks = Policy.from_dict({**TWO_DESKS, "pause_when": ["pending-customer"]})
    history = [
        event(mon(9), "logged", priority="P1"),
        event(mon(13), "status", status="pending-customer"),
    ]
    paused = desks.evaluate(history, now=mon(14))["resolution"]
    assert (paused.status, paused.elapsed, paused.breached_at) == (Status.PAUSED, 4 * H, None)
    assert paused.due == mon(13)  # reached, not passed: due is when it was reached
    history.append(event(mon(14), "status", status="open"))
    late = desks.evaluate(history, now=mon(15))["resolution"]
    assert (late.status, late.breached_at) == (Status.BREACHED, mon(13))


def test_a_reply_exactly_at_the_due_instant_is_met(gold: Policy) -> None:
    first = gold.evaluate(
        [event(mon(9), "logged", priority="P3"), event(mon(13), "agent_reply")], now=mon(14)
    )["first_response"]
    assert (first.status, first.elapsed, first.due, first.breached_at) == (
        Status.MET,
        4 * H,
        None,
        None,
    )
    assert [(s.status, s.due) for s in first.segments] == [(Status.MET, None)]
    assert (first.used, first.remaining) == (1.0, dt.timedelta(0))


def test_from_change_crossing_closed_by_a_reply() -> None:
    report = policy(priority_change="from_change").evaluate(
        [*UPGRADE, event(mon(11, 30), "agent_reply")], now=mon(12)
    )
    first = report["first_response"]
    assert (first.status, first.breached_at, first.stopped_at, first.elapsed) == (
        Status.BREACHED,
        mon(11, 15),
        mon(11, 30),
        30 * M,
    )


def test_a_cycle_breached_under_an_earlier_tier_stays_breached() -> None:
    desks = Policy.from_dict(TWO_DESKS)
    history = [
        event(mon(9), "logged", priority="P2"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "customer_reply"),
        event(mon(13), "priority_changed", priority="P3"),
    ]
    update = desks.evaluate(history, now=mon(14))["next_update"]
    (cycle,) = update.cycles
    assert (cycle.status, cycle.breached_at, cycle.elapsed, cycle.target_text) == (
        Status.BREACHED,
        mon(12),
        4 * H,
        "8h",
    )
    assert [(s.tier, s.status) for s in update.segments] == [
        ("P2", Status.BREACHED),
        ("P3", Status.RUNNING),
    ]


def test_every_cycle_survives_the_resolution(gold: Policy) -> None:
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "customer_reply"),
        event(mon(11), "agent_reply"),
        event(mon(12), "customer_reply"),
        event(mon(13), "resolved"),
    ]
    update = gold.evaluate(history, now=mon(14))["next_update"]
    assert [(c.started_at, c.stopped_at, c.status) for c in update.cycles] == [
        (mon(10), mon(11), Status.MET),
        (mon(12), mon(13), Status.MET),
    ]


def test_a_metric_never_started_then_cancelled() -> None:
    desks = Policy.from_dict(TWO_DESKS)
    report = desks.evaluate(
        [event(mon(9), "logged", priority="P2"), event(mon(10), "priority_changed", priority="P1")],
        now=mon(11),
    )
    update = report["next_update"]
    assert (update.metric, update.status, update.calendar, update.used) == (
        "next_update",
        Status.CANCELLED,
        "support",
        0.0,
    )
    assert (update.target_text, update.target, update.segments) == ("2h", 2 * H, ())


def test_a_breach_survives_a_revival_with_nothing_open() -> None:
    """Breached under P2, cancelled by P1, back to P2 from the change with no cycle open."""
    desks = Policy.from_dict({**TWO_DESKS, "priority_change": "from_change"})
    history = [
        event(mon(9), "logged", priority="P2"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "customer_reply"),
        event(mon(13), "agent_reply"),
        event(mon(13, 30), "priority_changed", priority="P1"),
        event(mon(14), "priority_changed", priority="P2"),
    ]
    update = desks.evaluate(history, now=mon(15))["next_update"]
    assert (update.status, update.breached_at, update.cycles) == (Status.BREACHED, mon(12), ())
    assert [(s.tier, s.status) for s in update.segments] == [("P2", Status.BREACHED)]
    assert [(i.start, i.end, i.kind) for i in update.intervals] == [(mon(10), mon(13), "counted")]
    assert update.used == 0.0


def test_the_first_breach_across_the_autumn_repeated_hour() -> None:
    """Breaches at 01:30 BST and 01:10 GMT: the first is 01:30 BST, its wall time later."""
    london_24x7 = {"tz": "Europe/London", "hours": {"mon-sun": "00:00-24:00"}}
    night = Policy.from_dict(
        {
            "name": "Night",
            "calendars": {"night": london_24x7},
            "tiers": {
                "P1": {"first_response": {"target": "15m", "calendar": "night"}},
                "P2": {"first_response": {"target": "55m", "calendar": "night"}},
            },
        }
    )
    logged = dt.datetime(2026, 10, 25, 0, 15, tzinfo=dt.timezone.utc)  # 01:15 BST
    first = night.evaluate(
        [
            {"at": logged.isoformat(), "type": "logged", "priority": "P1"},
            {"at": (logged + 20 * M).isoformat(), "type": "priority_changed", "priority": "P2"},
        ],
        now=logged + 2 * H,
    )["first_response"]
    utc = dt.timezone.utc
    assert [s.breached_at.astimezone(utc) for s in first.segments if s.breached_at] == [
        logged + 15 * M,
        logged + 55 * M,
    ]
    assert first.breached_at is not None
    assert first.breached_at.astimezone(utc) == logged + 15 * M


def test_a_cancelled_cycle_metric_starts_no_new_cycle(gold: Policy) -> None:
    """Once P1 (no next_update) applies, messages and replies open no next_update cycle."""
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "priority_changed", priority="P1"),
        event(mon(11), "customer_reply"),
        event(mon(12), "agent_reply"),
        event(mon(12, 30), "customer_reply"),
    ]
    update = gold.evaluate(history, now=mon(13))["next_update"]
    assert (update.status, update.cycles, update.segments) == (Status.CANCELLED, (), ())
    periodic = gold.evaluate(
        [
            event(mon(9), "logged", priority="P4"),
            event(mon(10), "priority_changed", priority="P3"),
            event(mon(11), "agent_reply"),
        ],
        now=mon(12),
    )["periodic_update"]
    assert [(c.started_at, c.stopped_at, c.status) for c in periodic.cycles] == [
        (mon(9), mon(10), Status.CANCELLED)
    ]


@pytest.mark.parametrize(
    ("history", "problem"),
    [
        (
            [{"at": "2026-11-23T09:00+00:00", "type": "agent_reply"}],
            "the first event must be 'logged'",
        ),
        (
            [
                {"at": "2026-11-23T09:00+00:00", "type": "logged", "priority": "P3"},
                {"at": "2026-11-23T09:30+00:00", "type": "agent_reply"},
                {"at": "2026-11-23T09:40+00:00", "type": "logged", "priority": "P3"},
            ],
            "the ticket was already logged",
        ),
        (
            [
                {"at": "2026-11-23T09:00+00:00", "type": "logged", "priority": "P3"},
                {"at": "2026-11-23T09:30+00:00", "type": "agent_reply"},
                {"at": "2026-11-23T09:10+00:00", "type": "agent_reply"},
            ],
            r"it is earlier than the previous event \(agent_reply at 2026-11-23T09:30:00\+00:00\); "
            "events must come in time order",
        ),
        (
            [
                {"at": "2026-11-23T09:00+00:00", "type": "logged", "priority": "P3"},
                {"at": "2026-11-23T09:30+00:00", "type": "agent_reply"},
                {"at": "2026-11-23T09:40+00:00", "type": "reopened"},
            ],
            "the ticket is not resolved",
        ),
        (
            [
                {"at": "2026-11-23T09:00+00:00", "type": "logged", "priority": "P3"},
                {"at": "2026-11-23T09:30+00:00", "type": "agent_reply"},
                {"at": "2026-11-23T09:30+00:00", "type": "reopened"},
            ],
            "the ticket is not resolved",
        ),
        (
            [
                {"at": "2026-11-23T09:00+00:00", "type": "logged", "priority": "P3"},
                {"at": "2026-11-23T09:30+00:00", "type": "agent_reply"},
                {"at": "2026-11-23T09:40+00:00", "type": "emailed"},
            ],
            "unknown event type 'emailed'; use one of .*",
        ),
    ],
)
def test_refusals_name_the_event_and_its_place(
    gold: Policy, history: list[dict[str, Any]], problem: str
) -> None:
    where = f"events[{len(history) - 1}]"
    with pytest.raises(EventError, match=rf"^{re.escape(where)}[ :(].*{problem}$"):
        gold.evaluate(history, now=mon(18))


def test_report_refusals_say_what() -> None:
    with pytest.raises(EventError, match=r"^no events yet: the first event must be 'logged'$"):
        policy().evaluation().report(mon(9))
    state = policy().evaluation().feed(event(mon(9), "logged", priority="P3"))
    with pytest.raises(NaiveDatetimeError, match=r"^now 2026-11-23T10:00:00 is naive"):
        state.report(dt.datetime(2026, 11, 23, 10))
    report = state.report(mon(10))
    assert (report.policy, report.priority, report.now) == ("Gold", "P3", mon(10))


def test_no_open_time_is_reported_in_the_calendars_zone() -> None:
    never = Policy(
        "Never",
        {"P1": {"resolution": MetricSpec(parse_target("4h"), "closed")}},
        {"closed": Calendar.never("Asia/Tokyo")},
    )
    state = never.evaluation().feed(event(mon(9), "logged", priority="P1"))
    with pytest.raises(NoBusinessTimeError, match=r"2026-11-23T18:00:00\+09:00"):
        state.report(mon(10))


def test_logged_resolved_and_answered_at_one_instant(gold: Policy) -> None:
    history = [event(mon(9), kind, priority="P3") for kind in ["logged"]]
    history += [event(mon(9), "resolved"), event(mon(9), "agent_reply")]
    first = gold.evaluate(history, now=mon(10))["first_response"]
    assert (first.status, first.elapsed, first.stopped_at) == (Status.MET, dt.timedelta(0), mon(9))


def test_what_happens_while_resolved_is_kept_for_the_reopen(gold: Policy) -> None:
    history = [
        event(mon(9), "logged", priority="P3"),
        event(mon(9, 30), "agent_reply"),
        event(mon(10), "resolved"),
        event(mon(10, 30), "priority_changed", priority="P1"),
        event(mon(10, 40), "customer_reply"),  # "thanks!": changes nothing, forgets nothing
    ]
    state = gold.evaluation().feed_all(history)
    assert (state.priority, state.status, state.resolved) == ("P3", "new", True)
    reopened = state.feed(event(mon(11), "reopened"))
    assert (reopened.priority, reopened.status, reopened.resolved) == ("P1", "open", False)
    # The first reply (09:30) is still known: a message after the reopen opens a cycle on P3.
    back = gold.evaluation().feed_all(
        [*history[:3], history[4], event(mon(11), "reopened"), event(mon(12), "customer_reply")]
    )
    assert back.priority == "P3"
    update = back.report(mon(13))["next_update"]
    assert [(c.started_at, c.elapsed) for c in update.cycles] == [(mon(12), H)]


def test_a_reply_after_a_reopen_in_one_instant_appends() -> None:
    """After [resolved, reopened] at one instant, a reply is simply the last event."""
    from slaclock.sla.evaluation import _Instant

    t = mon(10)
    instant = _Instant(gold_base_open).plus(TicketEvent(t, "resolved"))
    instant = instant.plus(TicketEvent(t, "reopened"))
    assert instant.appends(TicketEvent(t, "agent_reply"))
    assert instant.appends(TicketEvent(t, "reopened"))


@pytest.mark.parametrize("kind", ["resolved", "reopened", "agent_reply", "status"])
def test_an_instant_starts_as_one_event_fed_to_an_empty_one(kind: str) -> None:
    """``_Instant.first`` (the quick path) is ``_Instant(base).plus``."""
    from slaclock.sla.evaluation import _Instant

    t = dt.datetime(2026, 11, 23, 9, tzinfo=dt.timezone.utc)
    event = TicketEvent(t, kind, status="open" if kind == "status" else None)
    assert _Instant.first(None, event) == _Instant(None).plus(event)


_DESK = Calendar.weekly(
    {"mon-fri": "09:00-17:00", "sat": "10:00-12:00"},
    tz="Europe/London",
    holidays=[dt.date(2026, 12, 25), dt.date(2026, 12, 28)],
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 60 * 24 * 120), min_size=1, max_size=8),
    st.integers(1, 5),
    st.sampled_from([None, dt.time(15), dt.time(0), dt.time(23, 59)]),
)
def test_business_day_targets_shared_per_day_are_what_each_start_gives(
    minutes: list[int], days: int, cutoff: dt.time | None
) -> None:
    """The evaluator's due instant per local day (cached) is ``duration_from`` of each start."""
    from slaclock.engine._time import to_us
    from slaclock.sla._tracking import target_us

    target = BusinessDays(days, cutoff)
    first = dt.datetime(2026, 10, 20, tzinfo=dt.timezone.utc)
    for offset in minutes:  # several starts, often on one day: the cache answers the later ones
        start = first + dt.timedelta(minutes=offset)
        expected = target.duration_from(_DESK, start) // dt.timedelta(microseconds=1)
        assert target_us(target, _DESK, to_us(start)) == expected
