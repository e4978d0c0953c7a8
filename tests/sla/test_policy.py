"""SLA policies and the evaluator: named cases, the streaming property, and bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import (
    BusinessDays,
    ConfigError,
    Duration,
    EventError,
    NaiveDatetimeError,
    Policy,
    PolicyError,
    SlaclockError,
    Status,
    parse_target,
)

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc

CALENDARS: dict[str, Any] = {
    "support": {"tz": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}},
    "extended": {"tz": "Europe/London", "hours": {"mon-sun": "07:00-22:00"}},
    "site": {"tz": "Europe/London", "hours": {"mon-sat": "08:00-18:00"}},
    "onsite": "extended & site",
}

GOLD: dict[str, Any] = {
    "name": "Gold",
    "pause_when": ["pending-customer", "awaiting-parts"],
    "warn_at": 0.75,
    "calendars": CALENDARS,
    "tiers": {
        "P1": {
            "first_response": {"target": "15m", "calendar": "always"},
            "resolution": {"target": "4h", "calendar": "onsite"},
        },
        "P3": {
            "first_response": {"target": "4h", "calendar": "support"},
            "next_update": {"target": "8h", "calendar": "support"},
            "resolution": {"target": "3d", "calendar": "support"},
        },
        "P4": {
            "resolution": {"target": "72h", "calendar": "support"},
            "periodic_update": {"target": "1d", "calendar": "support"},
        },
    },
}


def examples(count: int) -> int:
    """Return ``count`` scaled by the Hypothesis profile (a tenth under ``mutation``)."""
    return max(3, count * settings().max_examples // 100)


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)


def event(when: dt.datetime, kind: str, **fields: Any) -> dict[str, Any]:
    return {"at": when.isoformat(), "type": kind, **fields}


@pytest.fixture(scope="module")
def gold() -> Policy:
    return Policy.from_dict(GOLD, source="gold")


# -- targets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", Duration(dt.timedelta(minutes=15))),
        ("4h", Duration(dt.timedelta(hours=4))),
        ("1h30m", Duration(dt.timedelta(minutes=90))),
        ("90s", Duration(dt.timedelta(seconds=90))),
        ("PT4H", Duration(dt.timedelta(hours=4))),
        ("PT1H30M", Duration(dt.timedelta(minutes=90))),
        ("pt0.5h", Duration(dt.timedelta(minutes=30))),
        ("3d", BusinessDays(3)),
    ],
)
def test_targets_parse(text: str, expected: object) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0m", "more than zero"),
        ("0d", "at least one business day"),
        ("4 hours", "is not a target"),
        ("P3D", "ambiguous"),
        ("", "is not a target"),
        ("-4h", "is not a target"),
    ],
)
def test_bad_targets_are_refused(text: str, problem: str) -> None:
    with pytest.raises(PolicyError, match=problem):
        parse_target(text)


def test_business_days_end_at_the_close_of_the_nth_business_day() -> None:
    policy = Policy.from_dict(GOLD)
    support = policy.calendars["support"]
    # Friday 16:55: day 1 is Monday, day 3 is Wednesday; it ends at 17:00.
    assert BusinessDays(3).due_from(support, at(2026, 11, 20, 16, 55)) == at(2026, 11, 25, 17)
    assert BusinessDays(1).duration_from(support, at(2026, 11, 20, 16, 55)) == dt.timedelta(
        hours=8, minutes=5
    )
    always = policy.calendars["always"]
    assert BusinessDays(1).due_from(always, dt.datetime(2026, 11, 20, 16, tzinfo=UTC)) == (
        dt.datetime(2026, 11, 22, tzinfo=UTC)
    )


# -- the named cases ----------------------------------------------------------


def test_the_friday_call(gold: Policy) -> None:
    """A P3 call logged Friday 16:55 with a 4 h response on 9-17: due Monday 12:55."""
    logged = event(at(2026, 11, 20, 16, 55), "logged", priority="P3")
    running = gold.evaluate([logged], now=at(2026, 11, 23, 9))
    response = running["first_response"]
    assert response.status is Status.RUNNING
    assert response.due == at(2026, 11, 23, 12, 55)
    assert response.elapsed == dt.timedelta(minutes=5)

    report = gold.evaluate(
        [logged, event(at(2026, 11, 23, 9, 5), "agent_reply")], now=at(2026, 11, 23, 12)
    )
    response = report["first_response"]
    assert response.status is Status.MET
    assert response.elapsed == dt.timedelta(minutes=10)
    assert response.remaining == dt.timedelta(hours=3, minutes=50)
    assert response.used == pytest.approx(10 / 240)
    assert response.breached_at is None
    assert response.calendar == "support"
    assert response.target == dt.timedelta(hours=4)


def test_onsite_fix_logged_on_saturday(gold: Policy) -> None:
    """Support 07-22 & site Mon-Sat 08-18: a 4 h fix logged Saturday 16:00 is due Monday 10:00."""
    report = gold.evaluate(
        [event(at(2026, 11, 21, 16), "logged", priority="P1")], now=at(2026, 11, 22, 12)
    )
    resolution = report["resolution"]
    assert resolution.due == at(2026, 11, 23, 10)
    assert resolution.elapsed == dt.timedelta(hours=2)
    assert resolution.status is Status.RUNNING
    counted = [i for i in report.explain().intervals if i.metric == "resolution"]
    assert [(i.kind, i.start, i.end) for i in counted] == [
        ("counted", at(2026, 11, 21, 16), at(2026, 11, 21, 18)),
        ("closed", at(2026, 11, 21, 18), at(2026, 11, 22, 12)),
    ]


def test_pending_customer_time_is_excluded(gold: Policy) -> None:
    events = [
        event(at(2026, 11, 23, 9), "logged", priority="P4"),
        event(at(2026, 11, 23, 10), "status", status="pending-customer"),
        event(at(2026, 11, 25, 10), "status", status="open"),
        event(at(2026, 11, 25, 12), "resolved"),
    ]
    report = gold.evaluate(events, now=at(2026, 11, 26, 9))
    resolution = report["resolution"]
    assert resolution.elapsed == dt.timedelta(hours=3)
    assert resolution.status is Status.MET
    kinds = [(i.kind, i.reason) for i in resolution.intervals]
    assert ("paused", "status pending-customer") in kinds


def test_reopened_ticket_keeps_its_used_time(gold: Policy) -> None:
    events = [
        event(at(2026, 11, 23, 9), "logged", priority="P4"),
        event(at(2026, 11, 23, 11), "resolved"),
        event(at(2026, 11, 24, 9), "reopened"),
    ]
    report = gold.evaluate(events, now=at(2026, 11, 24, 10))
    resolution = report["resolution"]
    assert resolution.elapsed == dt.timedelta(hours=3)
    assert resolution.status is Status.RUNNING
    support = gold.calendars["support"]
    assert resolution.due == support.add(at(2026, 11, 24, 10), dt.timedelta(hours=69))
    paused = [i for i in resolution.intervals if i.kind == "paused"]
    assert paused[0].reason == "resolved"
    assert (paused[0].start, paused[0].end) == (at(2026, 11, 23, 11), at(2026, 11, 24, 9))


def test_at_risk_fires_at_warn_at(gold: Policy) -> None:
    logged = event(at(2026, 11, 23, 9), "logged", priority="P3")
    just_before = gold.evaluate([logged], now=at(2026, 11, 23, 11, 59))
    assert just_before["first_response"].status is Status.RUNNING
    at_warn = gold.evaluate([logged], now=at(2026, 11, 23, 12))
    assert at_warn["first_response"].status is Status.AT_RISK
    assert at_warn["first_response"].used == pytest.approx(0.75)


def test_breached_at_is_exact(gold: Policy) -> None:
    logged = event(at(2026, 11, 23, 16, 30), "logged", priority="P3")
    report = gold.evaluate(
        [logged, event(at(2026, 11, 24, 12, 45), "agent_reply")], now=at(2026, 11, 24, 13)
    )
    response = report["first_response"]
    assert response.status is Status.BREACHED
    assert response.breached_at == at(2026, 11, 24, 12, 30)
    assert response.elapsed == dt.timedelta(hours=4, minutes=15)
    assert response.remaining == -dt.timedelta(minutes=15)
    assert response.used == pytest.approx(255 / 240)
    # A reply at exactly the due instant meets the target.
    exact = gold.evaluate(
        [logged, event(at(2026, 11, 24, 12, 30), "agent_reply")], now=at(2026, 11, 24, 13)
    )
    assert exact["first_response"].status is Status.MET


def test_next_update_judges_every_cycle(gold: Policy) -> None:
    events = [
        event(at(2026, 11, 23, 9), "logged", priority="P3"),
        event(at(2026, 11, 23, 9, 30), "agent_reply"),
        event(at(2026, 11, 23, 10), "customer_reply"),
        event(at(2026, 11, 23, 11), "agent_reply"),
        event(at(2026, 11, 23, 12), "customer_reply"),
        event(at(2026, 11, 23, 13), "customer_reply"),
        event(at(2026, 11, 25, 9), "agent_reply", public=False),
    ]
    report = gold.evaluate(events, now=at(2026, 11, 25, 10))
    update = report["next_update"]
    assert [cycle.status for cycle in update.cycles] == [Status.MET, Status.BREACHED]
    assert update.cycles[1].started_at == at(2026, 11, 23, 12)
    assert update.status is Status.BREACHED
    assert update.breached_at == at(2026, 11, 24, 12)


def test_next_update_is_idle_until_the_customer_writes(gold: Policy) -> None:
    report = gold.evaluate(
        [event(at(2026, 11, 23, 9), "logged", priority="P3")], now=at(2026, 11, 23, 10)
    )
    assert report["next_update"].status is Status.IDLE
    assert report["next_update"].due is None


def test_periodic_update(gold: Policy) -> None:
    events = [
        event(at(2026, 11, 23, 9), "logged", priority="P4"),
        event(at(2026, 11, 24, 9), "agent_reply"),
    ]
    # "1d": each update is due by the end of the next business day after the last one.
    early = gold.evaluate(events, now=at(2026, 11, 25, 9, 30))["periodic_update"]
    assert [cycle.status for cycle in early.cycles] == [Status.MET, Status.RUNNING]
    assert early.due == at(2026, 11, 25, 17)
    late = gold.evaluate(events, now=at(2026, 11, 26, 10))["periodic_update"]
    assert [cycle.status for cycle in late.cycles] == [Status.MET, Status.BREACHED]
    assert late.breached_at == at(2026, 11, 25, 17)


def test_priority_upgrade_rejudges_with_time_already_counted(gold: Policy) -> None:
    """P4 (resolution 72 h) upgraded to P3 (3 business days): same counted time, new target."""
    events = [
        event(at(2026, 11, 23, 9), "logged", priority="P4"),
        event(at(2026, 11, 23, 11), "priority_changed", priority="P3"),
    ]
    report = gold.evaluate(events, now=at(2026, 11, 23, 12))
    assert report.priority == "P3"
    resolution = report["resolution"]
    assert resolution.elapsed == dt.timedelta(hours=3)
    assert resolution.target_text == "3d"
    # 3 business days after Monday 09:00 ends Thursday 17:00: 3 days of 8 h and 8 h Monday.
    assert resolution.target == dt.timedelta(hours=32)
    assert resolution.due == at(2026, 11, 26, 17)
    # P3 has a first_response the P4 tier lacked: counted from logging.
    assert report["first_response"].elapsed == dt.timedelta(hours=3)
    assert report["first_response"].due == at(2026, 11, 23, 13)
    # P4's periodic_update, which P3 lacks, ends cancelled and stays in the report.
    assert report["periodic_update"].status is Status.CANCELLED
    assert report["periodic_update"].stopped_at == at(2026, 11, 23, 11)


def test_priority_downgrade_rejudges_with_time_already_counted(gold: Policy) -> None:
    events = [
        event(at(2026, 11, 23, 9), "logged", priority="P3"),
        event(at(2026, 11, 23, 14), "priority_changed", priority="P4"),
    ]
    report = gold.evaluate(events, now=at(2026, 11, 23, 15))
    resolution = report["resolution"]
    assert resolution.elapsed == dt.timedelta(hours=6)
    assert resolution.target == dt.timedelta(hours=72)
    # P4 has no first_response: it ends at the change and stays in the report, and the
    # P3 target of 4 h was already missed at 13:00: lowering the priority hides nothing.
    first = report["first_response"]
    assert first.status is Status.BREACHED
    assert first.breached_at == at(2026, 11, 23, 13)
    assert first.stopped_at == at(2026, 11, 23, 14)
    assert [(s.tier, s.status, s.used) for s in first.segments] == [
        ("P3", Status.BREACHED, dt.timedelta(hours=5))
    ]


def test_priority_change_to_another_calendar(gold: Policy) -> None:
    """P3 (support hours) raised to P1 (on-site calendar) keeps the business time counted."""
    events = [
        event(at(2026, 11, 23, 9), "logged", priority="P3"),
        event(at(2026, 11, 23, 10), "priority_changed", priority="P1"),
    ]
    report = gold.evaluate(events, now=at(2026, 11, 23, 12))
    resolution = report["resolution"]
    assert resolution.calendar == "onsite"
    assert resolution.elapsed == dt.timedelta(hours=3)
    assert resolution.due == at(2026, 11, 23, 13)


def test_report_data_is_json_ready(gold: Policy) -> None:
    report = gold.evaluate(
        [event(at(2026, 11, 20, 16, 55), "logged", priority="P3")], now=at(2026, 11, 23, 9, 5)
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert data["metrics"]["first_response"]["elapsed"] == "PT10M"
    assert data["metrics"]["first_response"]["due"] == "2026-11-23T12:55:00+00:00"
    assert "counted" in str(report.explain())
    assert report.explain().to_dict()[0]["kind"] == "counted"
    figures = report["first_response"]
    whole = figures.to_dict()
    # figures_dict is to_dict's head: the same keys in the same order, without the lists.
    assert figures.figures_dict() == dict(list(whole.items())[: len(figures.figures_dict())])
    assert list(figures.figures_dict())[-1] == "used"
    assert "segments" in whole


# -- streaming equals all at once -----------------------------------------------

KINDS = ["status", "agent_reply", "customer_reply", "priority_changed", "resolved", "reopened"]


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    when = at(2026, 11, 20, 8) + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 3)))
    events = [event(when, "logged", priority=draw(st.sampled_from(["P1", "P3", "P4"])))]
    resolved = False
    for _ in range(draw(st.integers(0, 20))):
        when += dt.timedelta(minutes=draw(st.integers(0, 60 * 30)))
        if resolved:
            kind = "reopened"
        else:
            kind = draw(st.sampled_from([k for k in KINDS if k != "reopened"]))
        fields: dict[str, Any] = {}
        if kind == "status":
            fields["status"] = draw(st.sampled_from(["open", "pending-customer", "awaiting-parts"]))
        if kind == "priority_changed":
            fields["priority"] = draw(st.sampled_from(["P1", "P3", "P4"]))
        if kind == "agent_reply":
            fields["public"] = draw(st.booleans())
        resolved = kind == "resolved"
        events.append(event(when, kind, **fields))
    return events


@settings(max_examples=examples(60), deadline=None)
@given(history=histories(), extra_minutes=st.integers(0, 60 * 24 * 5))
def test_streaming_equals_whole_history(
    gold: Policy, history: list[dict[str, Any]], extra_minutes: int
) -> None:
    state = gold.evaluation()
    for number, item in enumerate(history, 1):
        state = state.feed(item)
        now = dt.datetime.fromisoformat(item["at"]) + dt.timedelta(minutes=extra_minutes)
        assert state.report(now).to_dict() == gold.evaluate(history[:number], now).to_dict()
    final = state.report(dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(days=1))
    for report in final.values():
        assert report.elapsed >= dt.timedelta(0)
        if report.status is Status.BREACHED:
            assert report.breached_at is not None


# -- bad input ----------------------------------------------------------------


def test_events_out_of_order_and_after_resolution(gold: Policy) -> None:
    logged = event(at(2026, 11, 23, 9), "logged", priority="P3")
    state = gold.evaluation().feed(logged)
    with pytest.raises(EventError, match="earlier than the previous event"):
        state.feed(event(at(2026, 11, 23, 8), "agent_reply"))
    resolved = state.feed(event(at(2026, 11, 23, 10), "resolved"))
    # Accepted after a resolution, and no metric changes (rule 7).
    thanked = resolved.feed(event(at(2026, 11, 23, 11), "customer_reply"))
    assert thanked.report(at(2026, 11, 24, 9)) == resolved.report(at(2026, 11, 24, 9))
    with pytest.raises(EventError, match="not resolved"):
        state.feed(event(at(2026, 11, 23, 11), "reopened"))
    with pytest.raises(EventError, match="first event must be 'logged'"):
        gold.evaluate([event(at(2026, 11, 23, 9), "agent_reply")])
    with pytest.raises(EventError, match="already logged"):
        state.feed(logged)
    assert len(state.events) == 1


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({"at": "2026-11-23T09:00+00:00", "type": "logged", "priority": "P9"}, "unknown priority"),
        ({"at": "2026-11-23T09:00+00:00", "type": "logged"}, "needs a 'priority'"),
        ({"at": "2026-11-23T09:00+00:00", "type": "emailed"}, "unknown event type"),
        ({"at": "yesterday", "type": "logged", "priority": "P1"}, "not an ISO 8601 instant"),
        ({"at": "2026-11-23T09:00+00:00", "type": "logged", "priority": "P1", "x": 1}, "unknown"),
    ],
)
def test_malformed_events(gold: Policy, bad: dict[str, Any], problem: str) -> None:
    with pytest.raises(EventError, match=problem):
        gold.evaluate([bad])


def test_unknown_status_and_naive_instants(gold: Policy) -> None:
    state = gold.evaluation().feed(event(at(2026, 11, 23, 9), "logged", priority="P3"))
    with pytest.raises(EventError, match="unknown status 'sleeping'"):
        state.feed(event(at(2026, 11, 23, 10), "status", status="sleeping"))
    with pytest.raises(NaiveDatetimeError):
        state.feed({"at": "2026-11-23T10:00", "type": "agent_reply"})
    with pytest.raises(EventError, match="before the last event"):
        state.report(now=at(2026, 11, 23, 8))


def policy_with(**changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(GOLD))
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "error", "problem"),
    [
        (
            policy_with(tiers={"P1": {"resolution": {"calendar": "support"}}}),
            ConfigError,
            r"tiers\.P1\.resolution\.target",
        ),
        (
            policy_with(tiers={"P1": {"resolution": {"target": "0h", "calendar": "support"}}}),
            PolicyError,
            "more than zero",
        ),
        (
            policy_with(tiers={"P1": {"resolution": {"target": "-1h", "calendar": "support"}}}),
            PolicyError,
            "is not a target",
        ),
        (
            policy_with(tiers={"P1": {"resolution": {"target": "4h", "calendar": "nowhere"}}}),
            PolicyError,
            "no calendar named 'nowhere'",
        ),
        (policy_with(tiers={"P1": {}}), PolicyError, "sets no target"),
        (policy_with(tiers={}), ConfigError, "tiers"),
        (policy_with(warn_at=1.5), ConfigError, "warn_at"),
        (policy_with(colour="gold"), ConfigError, "colour"),
    ],
)
def test_malformed_policies(data: dict[str, Any], error: type[Exception], problem: str) -> None:
    with pytest.raises(error, match=problem):
        Policy.from_dict(data, source="gold.toml")


def test_policy_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "gold.toml"
    path.write_text('name = "Gold"\n[tiers.P1]\nresolution = { target = "4h" }\n')
    with pytest.raises(ConfigError, match=r"gold\.toml.*tiers\.P1\.resolution\.calendar"):
        Policy.load(path)
    with pytest.raises(SlaclockError):
        Policy.load(tmp_path / "missing.toml")


def test_load_policy_from_toml_with_calendar_file(tmp_path: Path) -> None:
    (tmp_path / "calendars.toml").write_text(
        '[calendars.support]\ntz = "Europe/London"\nhours = { mon-fri = "09:00-17:00" }\n'
    )
    (tmp_path / "gold.toml").write_text(
        'name = "Gold"\ncalendar_files = ["calendars.toml"]\n'
        '[tiers.P3]\nfirst_response = { target = "4h", calendar = "support" }\n'
    )
    policy = Policy.load(tmp_path / "gold.toml")
    report = policy.evaluate(
        [event(at(2026, 11, 20, 16, 55), "logged", priority="P3")], now=at(2026, 11, 23, 9, 5)
    )
    assert report["first_response"].due == at(2026, 11, 23, 12, 55)


# -- internal versus external agreements ------------------------------------------


def test_check_underpins() -> None:
    external = Policy.from_dict(GOLD, source="external")
    internal_data = json.loads(json.dumps(GOLD))
    internal_data["name"] = "Team"
    internal_data["tiers"]["P1"]["first_response"]["target"] = "10m"  # tighter: fine
    internal_data["tiers"]["P1"]["resolution"]["target"] = "4h"  # equal: not strictly tighter
    internal_data["tiers"]["P3"]["first_response"]["target"] = "5h"  # looser
    internal_data["tiers"]["P3"]["next_update"]["calendar"] = "extended"  # another calendar
    internal_data["tiers"]["P3"]["resolution"]["target"] = "2d"  # tighter
    del internal_data["tiers"]["P4"]["periodic_update"]
    internal_data["tiers"]["P4"]["resolution"]["target"] = "2d"  # not comparable with 72h
    internal = Policy.from_dict(internal_data, source="internal")
    findings = {(f.tier, f.metric): f for f in Policy.check_underpins(internal, external)}
    assert set(findings) == {
        ("P1", "resolution"),
        ("P3", "first_response"),
        ("P3", "next_update"),
        ("P4", "resolution"),
        ("P4", "periodic_update"),
    }
    assert findings[("P1", "resolution")].margin == dt.timedelta(0)
    assert findings[("P3", "first_response")].margin == -dt.timedelta(hours=1)
    assert "calendars differ" in findings[("P3", "next_update")].problem
    assert "not comparable" in findings[("P4", "resolution")].problem
    assert "sets no target" in findings[("P4", "periodic_update")].problem
    assert Policy.check_underpins(external, external) != []


def test_priority_change_leaves_finished_metrics_as_judged(gold: Policy) -> None:
    """A P3 answered in 2 h and then raised to P1 (15 min response) stays met."""
    events = [
        event(at(2026, 11, 23, 9), "logged", priority="P3"),
        event(at(2026, 11, 23, 11), "agent_reply"),
        event(at(2026, 11, 23, 12), "priority_changed", priority="P1"),
    ]
    report = gold.evaluate(events, now=at(2026, 11, 23, 13))
    response = report["first_response"]
    assert response.status is Status.MET
    assert response.target == dt.timedelta(hours=4)
    assert response.target_text == "4h"
    assert response.calendar == "support"
    assert response.stopped_at == at(2026, 11, 23, 11)
    # The resolution still counts, and is re-judged on P1's on-site calendar and target.
    assert report["resolution"].target_text == "4h"
    assert report["resolution"].calendar == "onsite"


def test_resolved_ticket_reports_where_resolution_stopped(gold: Policy) -> None:
    events = [
        event(at(2026, 11, 23, 9), "logged", priority="P4"),
        event(at(2026, 11, 23, 11), "resolved"),
    ]
    resolution = gold.evaluate(events, now=at(2026, 11, 24, 9))["resolution"]
    assert resolution.status is Status.MET
    assert resolution.stopped_at == at(2026, 11, 23, 11)
    assert resolution.due is None
