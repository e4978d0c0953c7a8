"""Totals measured without a target (issue 12): agent work time and requester wait time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from test_policy import at, event

from slaclock import ConfigError, Policy, Status
from slaclock.cli import main

MON = (2026, 11, 23)
DESK = {"desk": {"tz": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}}}
MEASURED = {
    "name": "Desk",
    "calendars": DESK,
    "pause_when": ["pending-customer"],
    "tiers": {
        "P3": {
            "resolution": {"target": "1d", "calendar": "desk"},
            "agent_work_time": {"calendar": "desk"},
            "requester_wait_time": {"calendar": "always"},
        },
        "P1": {
            "resolution": {"target": "4h", "calendar": "always"},
            "agent_work_time": {"target": "2h", "calendar": "desk"},
        },
    },
}
HISTORY = [
    event(at(*MON, 9), "logged", priority="P3"),
    event(at(*MON, 10), "status", status="awaiting-parts"),  # agent work pauses, wait goes on
    event(at(*MON, 11), "status", status="pending-customer"),  # both pause
    event(at(*MON, 12), "status", status="in-progress"),
    event(at(*MON, 13), "resolved"),
]


@pytest.mark.parametrize(
    ("now", "metric", "status", "elapsed"),
    [
        (at(*MON, 9, 30), "agent_work_time", "measured", dt.timedelta(minutes=30)),
        (at(*MON, 10, 30), "agent_work_time", "measured", dt.timedelta(hours=1)),
        (at(*MON, 10, 30), "requester_wait_time", "measured", dt.timedelta(minutes=90)),
        (at(*MON, 11, 30), "requester_wait_time", "measured", dt.timedelta(hours=2)),
        (at(*MON, 18), "agent_work_time", "measured", dt.timedelta(hours=2)),  # 09-10, 12-13
        (at(*MON, 18), "requester_wait_time", "measured", dt.timedelta(hours=3)),  # 09-11, 12-13
        (at(*MON, 18), "resolution", "met", dt.timedelta(hours=3)),  # pending paused it
    ],
)
def test_measured_totals_count_and_are_never_judged(
    now: dt.datetime, metric: str, status: str, elapsed: dt.timedelta
) -> None:
    policy = Policy.from_dict(MEASURED, source="desk.toml")
    events = [item for item in HISTORY if dt.datetime.fromisoformat(item["at"]) <= now]
    figures = policy.evaluate(events, now)[metric]
    assert (figures.status, figures.elapsed) == (status, elapsed)
    if status == "measured":
        assert figures.status is Status.MEASURED
        assert (figures.target, figures.target_text, figures.remaining, figures.used) == (
            dt.timedelta(0),
            "",
            dt.timedelta(0),
            0.0,
        )
        assert figures.due is None
        assert figures.breached_at is None
        assert [(s.status, s.target_text, s.due) for s in figures.segments] == [
            (Status.MEASURED, "", None)
        ]
        assert figures.to_dict()["status"] == "measured"


def test_a_long_total_is_still_only_measured() -> None:
    policy = Policy.from_dict(MEASURED, source="desk.toml")
    report = policy.evaluate(HISTORY[:1], at(2026, 12, 31, 17))
    assert report["agent_work_time"].status is Status.MEASURED
    assert report["agent_work_time"].elapsed == dt.timedelta(hours=8 * 29)  # 29 workdays
    assert report["resolution"].status is Status.BREACHED


def test_a_priority_change_into_a_tier_with_a_target_judges_the_total() -> None:
    policy = Policy.from_dict(MEASURED, source="desk.toml")
    raised = [
        event(at(*MON, 9), "logged", priority="P3"),
        event(at(*MON, 12), "priority_changed", priority="P1"),
    ]
    work = policy.evaluate(raised, at(*MON, 12, 30))["agent_work_time"]
    # Retroactive: 3h 30m of work since logging against P1's 2h, breached at the change.
    assert (work.status, work.elapsed, work.breached_at) == (
        "breached",
        dt.timedelta(hours=3.5),
        at(*MON, 12),
    )
    assert [(s.tier, s.status) for s in work.segments] == [
        ("P3", Status.MEASURED),
        ("P1", Status.BREACHED),
    ]
    lowered = policy.evaluate(
        [
            event(at(*MON, 9), "logged", priority="P1"),
            event(at(*MON, 10), "priority_changed", priority="P3"),
        ],
        at(*MON, 10, 30),
    )["agent_work_time"]
    assert [(s.tier, s.status) for s in lowered.segments] == [
        ("P1", Status.MET),
        ("P3", Status.MEASURED),
    ]
    assert lowered.status is Status.MEASURED


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            {"first_response": {"calendar": "desk"}},
            r"tiers\.P3\.first_response\.target: required; only a total",
        ),
        (
            {"agent_work_time": {"calendar": "desk", "cutoff": "15:00"}},
            r"tiers\.P3\.agent_work_time\.cutoff: a cut-off needs a target",
        ),
    ],
)
def test_only_totals_go_without_a_target(entry: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=rf"^desk\.toml: {problem}"):
        Policy.from_dict({**MEASURED, "tiers": {"P3": entry}}, source="desk.toml")


def test_a_metric_of_your_own_with_total_may_be_measured() -> None:
    data = {
        **MEASURED,
        "metrics": {"on_site": {"start_when": ["status:on-site"], "total": True, "pause_when": []}},
        "tiers": {"P3": {"on_site": {"calendar": "always"}}},
    }
    policy = Policy.from_dict(data, source="desk.toml")
    report = policy.evaluate(
        [
            event(at(*MON, 9), "logged", priority="P3"),
            event(at(*MON, 10), "status", status="on-site"),
        ],
        at(*MON, 11),
    )
    assert (report["on_site"].status, report["on_site"].elapsed) == (
        "measured",
        dt.timedelta(hours=1),
    )


def test_underpins_skip_measured_totals() -> None:
    external = Policy.from_dict(MEASURED)
    tiers = {
        **MEASURED["tiers"],
        "P1": {**MEASURED["tiers"]["P1"], "agent_work_time": {"calendar": "desk"}},
    }
    team = Policy.from_dict({**MEASURED, "tiers": tiers})
    findings = [str(finding) for finding in Policy.check_underpins(team, external)]
    # The measured totals of P3 (both sides) are skipped; P1's target is not underpinned.
    assert findings == [
        "P3.resolution: internal 1d is not tighter than external 1d (margin 0)",
        "P1.resolution: internal 4h is not tighter than external 4h (margin 0:00:00)",
        "P1.agent_work_time: the internal policy sets no target",
    ]


def test_measured_totals_in_the_command_line(tmp_path: Path, capsys: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schemas = Path(__file__).resolve().parents[2] / "src" / "slaclock" / "cli" / "schemas"
    policy = tmp_path / "desk.json"
    policy.write_text(json.dumps(MEASURED))
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text(json.dumps({"id": "T-1", "events": HISTORY}) + "\n")
    arguments = ["--policy", str(policy), str(tickets), "--now", "2026-11-23T18:00Z"]
    assert main(["evaluate", *arguments, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, json.loads((schemas / "evaluate.json").read_text()))
    work = data["tickets"][0]["metrics"]["agent_work_time"]
    assert (work["status"], work["elapsed"], work["target_text"]) == ("measured", "PT2H", "")
    assert main(["evaluate", *arguments]) == 0
    table = capsys.readouterr().out
    assert ["T-1", "-", "Desk", "-", "P3", "agent_work_time", "measured", "2h", "-", "-"] in [
        line.split()[:10] for line in table.splitlines()
    ]
    assert main(["report", *arguments, "--period", "2026-11", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, json.loads((schemas / "report.json").read_text()))
    # Never judged: the ticket met its one target, and the totals count as not judged.
    assert (report["total"]["met"], report["total"]["breached"]) == (1, 0)
    rows = {row["metric"]: row for row in report["rows"]}
    assert (rows["agent_work_time"]["idle"], rows["agent_work_time"]["met"]) == (1, 0)
