"""Compliance reports: figures on a small hand-checked set, periods, tickets, renderings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import pickle
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from slaclock import Policy, Status
from slaclock.errors import InputError, SlaclockError, TimeZoneError
from slaclock.reports.compliance import ComplianceReport
from slaclock.reports.periods import ReportingPeriod, parse_period
from slaclock.sla.tickets import Ticket, evaluate_tickets, iter_tickets, read_tickets

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 12, 1, 10, tzinfo=UTC)

POLICY: dict[str, Any] = {
    "name": "Hand-checked",
    "pause_when": ["pending-customer"],
    "calendars": {"desk": {"tz": "UTC", "hours": {"mon-fri": "09:00-17:00"}}},
    "tiers": {
        "P1": {
            "first_response": {"target": "1h", "calendar": "always"},
            "resolution": {"target": "4h", "calendar": "always"},
        },
        "P2": {
            "first_response": {"target": "2h", "calendar": "desk"},
            "resolution": {"target": "1d", "calendar": "desk"},
        },
    },
}


def ev(when: str, kind: str, **fields: str) -> dict[str, str]:
    return {"at": when, "type": kind, **fields}


# November 2026: Monday 2nd. Figures in the comments are business time on the desk
# (Mon-Fri 09:00-17:00 UTC) or real time for P1 (the "always" calendar).
TICKETS: list[dict[str, Any]] = [
    # first response 1h (met); resolution 7h of a 1d target = to Tue 17:00 = 16h (met)
    {
        "id": "T1",
        "customer": "a",
        "events": [
            ev("2026-11-02T09:00Z", "logged", priority="P2"),
            ev("2026-11-02T10:00Z", "agent_reply"),
            ev("2026-11-02T16:00Z", "resolved"),
        ],
    },
    # first response 1h + 2h = 3h (breached by 1h at Tue 10:00);
    # resolution 1h + 8h + 3h = 12h of 1h + 8h = 9h (breached by 3h at Tue 17:00)
    {
        "id": "T2",
        "customer": "b",
        "events": [
            ev("2026-11-02T16:00Z", "logged", priority="P2"),
            ev("2026-11-03T11:00Z", "agent_reply"),
            ev("2026-11-04T12:00Z", "resolved"),
        ],
    },
    # P1 on Saturday: response 30m (met); resolution 5h of 4h (breached by 1h at 14:00)
    {
        "id": "T3",
        "customer": "a",
        "events": [
            ev("2026-11-07T10:00Z", "logged", priority="P1"),
            ev("2026-11-07T10:30Z", "agent_reply"),
            ev("2026-11-07T15:00Z", "resolved"),
        ],
    },
    # Monday 30th 15:00: response 30m (met); resolution still open at NOW (3h of 10h)
    {
        "id": "T4",
        "customer": "a",
        "events": [
            ev("2026-11-30T15:00Z", "logged", priority="P2"),
            ev("2026-11-30T15:30Z", "agent_reply"),
        ],
    },
    # Logged in October and in December: outside the period.
    {"id": "T5", "customer": "b", "events": [ev("2026-10-30T10:00Z", "logged", priority="P2")]},
    {"id": "T6", "customer": "b", "events": [ev("2026-12-01T11:00Z", "logged", priority="P1")]},
]


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_dict(POLICY, source="hand.toml")


@pytest.fixture(scope="module")
def tickets() -> list[Ticket]:
    return list(iter_tickets([json.dumps(item) for item in TICKETS], source="hand.jsonl"))


@pytest.fixture(scope="module")
def report(policy: Policy, tickets: list[Ticket]) -> ComplianceReport:
    return ComplianceReport.build(policy, tickets, parse_period("2026-11"), NOW, goal=75)


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


def row_of(report: ComplianceReport, **group: str) -> Any:
    (row,) = [row for row in report.rows if dict(row.group) == group]
    return row


# -- the figures ------------------------------------------------------------------


def test_rows_by_tier_and_metric(report: ComplianceReport) -> None:
    assert report.tickets == 4
    assert [dict(row.group) for row in report.rows] == [
        {"tier": "P1", "metric": "first_response"},
        {"tier": "P1", "metric": "resolution"},
        {"tier": "P2", "metric": "first_response"},
        {"tier": "P2", "metric": "resolution"},
    ]
    figures = {
        (row.group["tier"], row.group["metric"]): (
            row.tickets,
            row.met,
            row.breached,
            row.open,
            row.compliance,
            row.median,
            row.p90,
        )
        for row in report.rows
    }
    assert figures == {
        ("P1", "first_response"): (1, 1, 0, 0, 100.0, hours(0.5), hours(0.5)),
        ("P1", "resolution"): (1, 0, 1, 0, 0.0, hours(5), hours(5)),
        # used 30m, 1h, 3h: median 1h; p90 at rank 1.8: 1h + 0.8 * 2h
        ("P2", "first_response"): (3, 2, 1, 0, pytest.approx(200 / 3), hours(1), hours(2.6)),
        # judged 7h and 12h (T4 open): median 9h30m; p90 7h + 0.9 * 5h
        ("P2", "resolution"): (3, 1, 1, 1, 50.0, hours(9.5), hours(11.5)),
    }


def test_total_counts_tickets_and_metric_totals_do_not_mix_metrics(
    report: ComplianceReport,
) -> None:
    # Four tickets: T1 met everything, T2 and T3 breached a target, T4 is still open.
    total = report.total
    assert (total.tickets, total.met, total.breached, total.open, total.idle) == (4, 1, 2, 1, 0)
    assert total.compliance == pytest.approx(100 / 3)
    # Response and resolution times are never pooled into one median.
    assert (total.median, total.p90) == (None, None)
    assert [report.below_goal(row) for row in report.rows] == [False, True, True, True]
    figures = {
        row.group["metric"]: (row.met, row.breached, row.open, row.median)
        for row in report.metric_totals
    }
    assert figures == {
        "first_response": (3, 1, 0, hours(0.75)),  # used 30m (P1), 30m, 1h, 3h
        "resolution": (1, 2, 1, hours(7)),  # used 5h (P1), 7h, 12h
    }
    assert report.verdict == (
        "Below goal (75 %): 33.3 % of tickets met every target "
        "(1 of 3 judged, 1 still open); 2 breached."
    )


def test_worst_breaches_by_business_time_over_target(report: ComplianceReport) -> None:
    worst = [(item.ticket, item.metric, item.overrun, item.breached_at) for item in report.worst]
    assert worst == [
        ("T2", "resolution", hours(3), dt.datetime(2026, 11, 3, 17, tzinfo=UTC)),
        ("T2", "first_response", hours(1), dt.datetime(2026, 11, 3, 10, tzinfo=UTC)),
        ("T3", "resolution", hours(1), dt.datetime(2026, 11, 7, 14, tzinfo=UTC)),
    ]
    assert report.worst[0].customer == "b"
    assert report.worst[0].tier == "P2"


def test_group_by_customer(policy: Policy, tickets: list[Ticket]) -> None:
    by_customer = ComplianceReport.build(
        policy, tickets, parse_period("2026-11"), NOW, by=["customer"]
    )
    # Without the metric, rows count tickets: a has T1 (met), T3 (breached), T4 (open).
    figures = {
        row.group["customer"]: (row.tickets, row.met, row.breached, row.open, row.median)
        for row in by_customer.rows
    }
    assert figures == {"a": (3, 1, 1, 1, None), "b": (1, 0, 1, 0, None)}
    assert sum(row.tickets for row in by_customer.rows) == by_customer.total.tickets
    by_three = ComplianceReport.build(
        policy, tickets, parse_period("2026-11"), NOW, by=["customer", "tier", "metric"]
    )
    assert len(by_three.rows) == 6
    assert by_three.rows[0].group == {"customer": "a", "tier": "P1", "metric": "first_response"}


def test_now_cuts_off_later_tickets_and_events(policy: Policy, tickets: list[Ticket]) -> None:
    # On Tuesday 3 Nov at 10:30, T2's reply (11:00) has not happened: its first
    # response is breached and still counting; T1 is resolved; nothing else is logged.
    early = dt.datetime(2026, 11, 3, 10, 30, tzinfo=UTC)
    report = ComplianceReport.build(policy, tickets, parse_period("2026-11"), early)
    assert report.tickets == 2
    response = row_of(report, tier="P2", metric="first_response")
    assert (response.met, response.breached, response.open) == (1, 1, 0)
    resolution = row_of(report, tier="P2", metric="resolution")
    assert (resolution.met, resolution.breached, resolution.open) == (1, 0, 1)


def test_cycle_metrics_judge_the_worst_cycle_and_idle_is_apart() -> None:
    policy = Policy.from_dict(
        {
            "name": "Updates",
            "tiers": {"P3": {"next_update": {"target": "1h", "calendar": "always"}}},
        }
    )
    lines = [
        {
            "id": "U1",
            "events": [
                ev("2026-11-02T09:00Z", "logged", priority="P3"),
                ev("2026-11-02T09:10Z", "customer_reply"),
                ev("2026-11-02T09:40Z", "agent_reply"),  # 30m: met
                ev("2026-11-02T10:00Z", "customer_reply"),
                ev("2026-11-02T12:00Z", "agent_reply"),  # 2h: breached by 1h
                ev("2026-11-02T13:00Z", "resolved"),
            ],
        },
        {"id": "U2", "events": [ev("2026-11-02T09:00Z", "logged", priority="P3")]},
    ]
    tickets = iter_tickets([json.dumps(line) for line in lines])
    report = ComplianceReport.build(policy, tickets, parse_period("2026-11"), NOW)
    (row,) = report.rows
    assert (row.tickets, row.met, row.breached, row.open, row.idle) == (1, 0, 1, 0, 1)
    assert row.median == hours(2)
    (worst,) = report.worst
    assert (worst.ticket, worst.elapsed, worst.overrun) == ("U1", hours(2), hours(1))
    assert worst.started_at == dt.datetime(2026, 11, 2, 10, tzinfo=UTC)


def test_a_period_with_no_tickets(policy: Policy, tickets: list[Ticket]) -> None:
    report = ComplianceReport.build(policy, tickets, parse_period("2025-01"), NOW)
    assert report.rows == ()
    assert report.total.compliance is None
    assert report.total.median is None
    assert "No breaches" in report.to_html()
    assert report.to_csv().splitlines()[0].startswith("tier,metric,tickets")
    assert json.loads(report.to_json())["rows"] == []


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"by": ["tier", "colour"]}, "by: unknown field 'colour'"),
        ({"by": ["tier", "tier"]}, "names a field twice"),
        ({"by": []}, "by: name one or more"),
        ({"goal": 120}, "goal: 120 is not a percentage"),
        ({"worst": -1}, "worst: -1 is negative"),
    ],
)
def test_bad_options(
    policy: Policy, tickets: list[Ticket], options: dict[str, Any], problem: str
) -> None:
    with pytest.raises(InputError, match=problem):
        ComplianceReport.build(policy, tickets, parse_period("2026-11"), NOW, **options)


def test_tickets_the_policy_refuses_raise_or_are_skipped(policy: Policy) -> None:
    lines = [
        json.dumps(TICKETS[0]),
        json.dumps({"id": "X", "events": [ev("2026-11-02T09:00Z", "logged", priority="P9")]}),
    ]
    with pytest.raises(InputError, match=r"^t\.jsonl:2: events\[0\] .*unknown priority 'P9'"):
        ComplianceReport.build(policy, iter_tickets(lines, "t.jsonl"), parse_period("2026-11"), NOW)
    skipped: list[InputError] = []
    report = ComplianceReport.build(
        policy, iter_tickets(lines, "t.jsonl"), parse_period("2026-11"), NOW, on_bad=skipped.append
    )
    assert report.tickets == 1
    assert len(skipped) == 1


# -- renderings -------------------------------------------------------------------


def test_json_is_stable_and_exact(report: ComplianceReport) -> None:
    data = json.loads(report.to_json())
    assert list(data) == [
        "policy",
        "period",
        "now",
        "by",
        "goal_percent",
        "tickets",
        "skipped",
        "rows",
        "total",
        "metric_totals",
        "worst",
        "customer",
        "verdict",
        "credits",
    ]
    assert data["period"] == {
        "label": "2026-11",
        "start": "2026-11-01T00:00:00+00:00",
        "end": "2026-12-01T00:00:00+00:00",
    }
    assert data["rows"][2] == {
        "tier": "P2",
        "metric": "first_response",
        "tickets": 3,
        "judged": 3,
        "met": 2,
        "breached": 1,
        "open": 0,
        "idle": 0,
        "compliance_percent": pytest.approx(200 / 3),
        "median": "PT1H",
        "median_seconds": 3600.0,
        "p90": "PT2H36M",
        "p90_seconds": 9360.0,
        "targets": ["2h"],
    }
    assert data["worst"][0] == {
        "ticket": "T2",
        "customer": "b",
        "tier": "P2",
        "metric": "resolution",
        "status": "breached",
        "result": "breached",
        "target": "PT9H",
        "target_seconds": 32400.0,
        "target_text": "1d",
        "calendar": "desk",
        "elapsed": "PT12H",
        "elapsed_seconds": 43200.0,
        "overrun": "PT3H",
        "overrun_seconds": 10800.0,
        "logged_at": "2026-11-02T16:00:00+00:00",
        "started_at": "2026-11-02T16:00:00+00:00",
        "stopped_at": "2026-11-04T12:00:00+00:00",
        "due": "2026-11-03T17:00:00+00:00",
        "breached_at": "2026-11-03T17:00:00+00:00",
    }


def test_csv_has_one_row_per_group(report: ComplianceReport) -> None:
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == 4
    assert rows[3]["tier"] == "P2"
    assert rows[3]["open"] == "1"
    assert rows[3]["median"] == "PT9H30M"
    assert rows[1]["compliance_percent"] == "0.0"


def test_text_table(report: ComplianceReport) -> None:
    text = report.to_text()
    assert "policy Hand-checked, period 2026-11" in text
    lines = text.splitlines()
    (p2_resolution,) = [line for line in lines if line.startswith("P2    resolution")]
    assert p2_resolution.split() == [
        "P2",
        "resolution",
        "3",
        "1",
        "1",
        "1",
        "50.0",
        "%",
        "9h30m",
        "11h30m",
        "below",
    ]
    assert any(line.startswith("all ") and "33.3 %" in line for line in lines)
    assert "Worst breaches" in text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_with_charts(report: ComplianceReport) -> None:
    page = report.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page
    assert "https://" not in page
    assert "<script" not in page
    assert "<link" not in page
    # The compliance chart and the timeline: one SVG strip per row, stretching to the width.
    assert page.count('<div class="chart"') == 2
    assert page.count("<svg") == len(report.rows) + len(report.worst)
    assert 'width="' not in page.split("<svg", 1)[1].split(">", 1)[0]
    assert "@media print" in page
    assert "size: A4" in page
    parser = _Collector()
    parser.feed(page)
    assert "rect" in parser.tags
    assert "table" in parser.tags
    text = " ".join(" ".join(parser.text).split())
    assert "SLA compliance" in text
    assert "November 2026, UTC; as at 1 Dec 10:00" in text
    assert "Below goal (75 %): 33.3 % of tickets met every target" in text
    assert "66.7 %" in text
    assert "T2 · Resolution" in text
    assert "P2 First response 2 hours" in text  # labels and the target as the contract says
    assert "1 business day" in text
    assert "first_response" not in text
    assert "Time in status pending-customer does not count" in text


def test_html_escapes_what_it_shows(policy: Policy) -> None:
    line = {
        "id": "<b>x</b>",
        "customer": "A & B",
        "events": [
            ev("2026-11-02T09:00Z", "logged", priority="P1"),
            ev("2026-11-02T15:00Z", "resolved"),
        ],
    }
    tickets = iter_tickets([json.dumps(line)])
    page = ComplianceReport.build(policy, tickets, parse_period("2026-11"), NOW).to_html()
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "A &amp; B" in page


# -- periods ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-10", "2026-10-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00"),
        ("2026-12", "2026-12-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00"),
        ("2026-Q4", "2026-10-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00"),
        ("2026-q1", "2026-01-01T00:00:00+00:00", "2026-04-01T00:00:00+00:00"),
        ("2026", "2026-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00"),
        ("2026-10-05", "2026-10-05T00:00:00+00:00", "2026-10-06T00:00:00+00:00"),
        ("2026-10-01..2026-10-15", "2026-10-01T00:00:00+00:00", "2026-10-16T00:00:00+00:00"),
        (" 2026-02 ", "2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"),
    ],
)
def test_periods(text: str, start: str, end: str) -> None:
    period = parse_period(text)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_periods_in_a_zone_follow_its_daylight_saving() -> None:
    october = parse_period("2026-10", "Europe/London")
    assert october.start.isoformat() == "2026-10-01T00:00:00+01:00"
    assert october.end.isoformat() == "2026-11-01T00:00:00+00:00"
    assert october.duration == dt.timedelta(days=31, hours=1)
    # Sao Paulo has no DST now, but a zone whose midnight is skipped starts the day
    # at the end of the gap: Havana went to summer time at midnight in 2026-03-08.
    day = parse_period("2026-03-08", "America/Havana")
    assert day.start.isoformat() == "2026-03-08T01:00:00-04:00"
    assert day.contains(dt.datetime(2026, 3, 8, 12, tzinfo=UTC))
    assert not day.contains(day.end)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-13", r"'2026-13' is not a period \(month must be in 1..12\)"),
        ("October", "'October' is not a period; write a month"),
        ("2026-Q5", "'2026-Q5' is not a period"),
        ("2026-02-30", "'2026-02-30' is not a date"),
        ("2026-10-15..2026-10-01", "2026-10-01 is before 2026-10-15"),
        ("2026-10-01..soon", "'soon' is not a date"),
        ("", "is not a period"),
    ],
)
def test_bad_periods(text: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        parse_period(text)


def test_period_zone_and_order_are_checked() -> None:
    with pytest.raises(TimeZoneError):
        parse_period("2026-10", "Mars/Olympus")
    start = dt.datetime(2026, 10, 2, tzinfo=UTC)
    with pytest.raises(InputError, match="is not after"):
        ReportingPeriod("backwards", start, start)


# -- tickets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", r"^t\.jsonl:1: not valid JSON: .* \(column 2\)$"),
        ("[1, 2]", r"^t\.jsonl:1: a ticket is a JSON object"),
        ('{"id": "A", "event": []}', r"^t\.jsonl:1: unknown field 'event'"),
        ('{"events": []}', r"^t\.jsonl:1: id: expected text"),
        ('{"id": true, "events": []}', r"^t\.jsonl:1: id: expected text"),
        ('{"id": "A", "customer": 3, "events": []}', r"^t\.jsonl:1: customer: expected text"),
        ('{"id": "A", "events": []}', r"^t\.jsonl:1: events: expected a list of events"),
        (
            '{"id": "A", "events": [{"at": "2026-13-01T09:00Z", "type": "logged"}]}',
            r"^t\.jsonl:1: events\[0\]\.at: '2026-13-01T09:00Z' is not an ISO 8601 instant "
            r"such as 2026-11-20T16:55\+00:00$",
        ),
        (
            '{"id": "A", "events": [{"at": "2026-11-02T09:00", "type": "logged"}]}',
            r"^t\.jsonl:1: events\[0\]\.at: '2026-11-02T09:00' has no UTC offset",
        ),
        (
            '{"id": "A", "events": [{"at": 5, "type": "logged"}]}',
            r"^t\.jsonl:1: events\[0\]\.at: expected an ISO 8601 instant, got 5",
        ),
        (
            '{"id": "A", "events": [{"at": "2026-11-02T09:00Z", "type": "loged"}]}',
            r"^t\.jsonl:1: events\[0\]: unknown event type 'loged'",
        ),
        (
            '{"id": "A", "events": [{"at": "2026-11-02T09:00Z", "type": "agent_reply"}]}',
            r"^t\.jsonl:1: events: the first event must be 'logged'",
        ),
    ],
)
def test_bad_ticket_lines_name_the_line_and_field(line: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        list(iter_tickets([line], source="t.jsonl"))


def test_blank_lines_bytes_and_repeated_ids() -> None:
    good = json.dumps(TICKETS[0])
    lines: list[str | bytes] = ["", good.encode(), "  ", b"\xff\xfe", good]
    errors: list[InputError] = []
    tickets = list(iter_tickets(lines, "t.jsonl", on_bad=errors.append))
    assert [ticket.id for ticket in tickets] == ["T1"]
    assert [str(error) for error in errors] == [
        "t.jsonl:4: not UTF-8 text (invalid start byte)",
        "t.jsonl:5: id: 'T1' repeats line 2",
    ]
    with pytest.raises(InputError, match=r"t\.jsonl:4: not UTF-8"):
        list(iter_tickets(lines, "t.jsonl"))


def test_tickets_round_trip_and_read_from_a_file(tmp_path: Any) -> None:
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in TICKETS) + "\n")
    tickets = read_tickets(path)
    assert [ticket.id for ticket in tickets] == ["T1", "T2", "T3", "T4", "T5", "T6"]
    assert tickets[0].where == f"{path}:1"
    assert Ticket.from_dict(tickets[1].to_dict()).to_dict() == tickets[1].to_dict()
    assert Ticket.from_dict({"id": 7, "events": TICKETS[0]["events"]}).id == "7"
    with pytest.raises(FileNotFoundError):
        read_tickets(tmp_path / "missing.jsonl")


def test_evaluating_tickets(policy: Policy, tickets: list[Ticket]) -> None:
    results = dict((ticket.id, report) for ticket, report in evaluate_tickets(policy, tickets, NOW))
    assert sorted(results) == ["T1", "T2", "T3", "T4", "T5"]  # T6 is logged after NOW
    assert results["T4"]["resolution"].status is Status.RUNNING
    assert tickets[5].evaluate(policy, NOW) is None
    bad = Ticket("Z", tickets[0].events + tickets[0].events[:1])
    with pytest.raises(InputError, match=r"^ticket 'Z': events\[3\] .*already logged"):
        bad.evaluate(policy, NOW)
    assert isinstance(InputError("x"), SlaclockError)
    assert isinstance(InputError("x"), ValueError)


def test_jinja2_is_imported_only_to_render_html() -> None:
    import subprocess
    import sys

    program = (
        "import sys, datetime as dt\n"
        "from slaclock import ComplianceReport, Policy, parse_period\n"
        "policy = Policy.from_dict({'name': 'P', 'tiers': {'P1': {'resolution': "
        "{'target': '4h', 'calendar': 'always'}}}})\n"
        "report = ComplianceReport.build(policy, [], parse_period('2026-11'), "
        "dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))\n"
        "report.to_text(); report.to_json(); report.to_csv()\n"
        "assert 'jinja2' not in sys.modules, 'text, JSON and CSV need no Jinja2'\n"
        "report.to_html()\n"
        "assert 'jinja2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", program], check=True)


@pytest.mark.parametrize("by", [("tier", "metric"), ("customer",), ("metric", "customer")])
def test_tallies_counted_in_parts_and_merged_give_one_report(by: tuple[str, ...]) -> None:
    """What ``report --jobs`` does: each process counts a stretch of tickets, then they merge."""
    from slaclock.reports._outcomes import outcomes

    data = Path(__file__).resolve().parents[2] / "examples" / "data"
    policy = Policy.load(data / "desk_policy.toml")
    now = dt.datetime(2026, 11, 1, tzinfo=UTC)
    period = parse_period("2026-10", "Europe/London")
    tickets = list(read_tickets(data / "october_2026_tickets.jsonl"))
    judged = [outcomes(t, r) for t, r in evaluate_tickets(policy, tickets, now)]
    whole = ComplianceReport.from_outcomes(policy, judged, period, now, by=by, worst=4)
    for cuts in ([0, len(judged)], [0, 1, 700, 701, 2500, len(judged)], [0, 3000, len(judged)]):
        merged = ComplianceReport.tallies(policy, period, by=by, worst=4)
        for start, end in itertools.pairwise(cuts):
            part = ComplianceReport.tallies(policy, period, by=by, worst=4)
            for items in judged[start:end]:
                part.add(items)
            merged.merge(part)
        again = ComplianceReport.from_tallies(policy, merged, period, now)
        assert again == whole
        assert again.to_json() == whole.to_json()
    # Targets are listed tightest first, so the order tickets come in changes nothing.
    backwards = ComplianceReport.from_outcomes(policy, judged[::-1], period, now, by=by, worst=4)
    assert backwards == whole
    assert whole.metric_totals[0].targets == ("30m", "1h", "4h", "8h")


def test_credits_counted_in_parts_and_merged_are_one_book() -> None:
    """Tallies carry the credits owed; parts merged in any order give one process's credits."""
    from slaclock.reports._outcomes import outcomes

    msp = Path(__file__).resolve().parents[2] / "examples" / "data" / "msp"
    policy = Policy.load(msp / "policies.toml")
    now = dt.datetime(2026, 11, 2, 9, tzinfo=UTC)
    period = parse_period("2026-10", "Europe/London")
    tickets = list(read_tickets(msp / "tickets.jsonl"))
    judged = [
        outcomes(ticket, report)
        for ticket, report in evaluate_tickets(policy, tickets, now)
        if period.contains(ticket.logged_at)
    ]
    whole = ComplianceReport.from_outcomes(policy, judged, period, now)
    assert whole.credits
    parts = [judged[50:], judged[:7], judged[7:50]]  # out of file order
    merged = ComplianceReport.tallies(policy, period)
    for part in parts:
        counted = ComplianceReport.tallies(policy, period)
        for items in part:
            counted.add(items)
        merged.merge(pickle.loads(pickle.dumps(counted)))  # as a worker sends it back
    assert ComplianceReport.from_tallies(policy, merged, period, now).to_json() == whole.to_json()
