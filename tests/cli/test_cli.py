"""The command line: every command, its JSON, bad input (exit 2, one line), atomic output."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slaclock.cli import _commands, _terminal, main, write_atomically

ROOT = Path(__file__).resolve().parents[2]

CALENDARS = """
[calendars.support]
tz = "Europe/London"
hours = { mon-fri = "09:00-17:00" }

[calendars.maint]
tz = "UTC"
recurring = { rule = "FREQ=WEEKLY;BYDAY=SU", hours = "02:00-04:00" }

[calendars.nothing]
never = true
"""

POLICY = """
name = "Desk"
pause_when = ["pending-customer"]

[calendars.desk]
tz = "UTC"
hours = { mon-fri = "09:00-17:00" }

[tiers.P1]
first_response = { target = "1h", calendar = "always" }
resolution = { target = "4h", calendar = "always" }

[tiers.P2]
first_response = { target = "2h", calendar = "desk" }
resolution = { target = "1d", calendar = "desk" }
"""


def _ticket(ident: str, customer: str, *events: tuple[str, str, dict[str, str]]) -> str:
    return json.dumps(
        {
            "id": ident,
            "customer": customer,
            "events": [{"at": at, "type": kind, **extra} for at, kind, extra in events],
        }
    )


TICKETS = [
    _ticket(
        "T1",
        "a",
        ("2026-11-02T09:00Z", "logged", {"priority": "P2"}),
        ("2026-11-02T10:00Z", "agent_reply", {}),
        ("2026-11-02T16:00Z", "resolved", {}),
    ),
    _ticket(
        "T2",
        "b",
        ("2026-11-02T16:00Z", "logged", {"priority": "P2"}),
        ("2026-11-03T11:00Z", "agent_reply", {}),
        ("2026-11-04T12:00Z", "resolved", {}),
    ),
    _ticket(
        "T3",
        "a",
        ("2026-11-07T10:00Z", "logged", {"priority": "P1"}),
        ("2026-11-07T10:30Z", "agent_reply", {}),
        ("2026-11-07T15:00Z", "resolved", {}),
    ),
]

OUTAGES = """service,start,end
mail,2026-10-04T01:00:00Z,2026-10-04T03:00:00Z
mail,2026-10-05T10:00:00Z,2026-10-05T11:00:00Z
web,2026-10-05T10:30:00Z,2026-10-05T12:00:00Z
"""

NOW = "2026-12-01T10:00Z"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write the inputs into a temporary folder and run from there."""
    (tmp_path / "calendars.toml").write_text(CALENDARS)
    (tmp_path / "one.toml").write_text(
        '[calendars.only]\ntz = "UTC"\nhours = { mon = "09:00-10:00" }\n'
    )
    (tmp_path / "policy.toml").write_text(POLICY)
    (tmp_path / "tickets.jsonl").write_text("\n".join(TICKETS) + "\n")
    (tmp_path / "outages.csv").write_text(OUTAGES)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, ""), err
    return out


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    return json.loads(run_ok(capsys, *argv, "--format", "json"))


# -- due, elapsed, open -----------------------------------------------------------


def test_due_friday_1655(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["due", "--calendar", "calendars.toml:support", "--start", "2026-11-20T16:55+00:00"]
    assert run_ok(capsys, *args, "--target", "10m") == "2026-11-23T09:05:00+00:00\n"
    assert run_ok(capsys, *args, "--target", "5m") == "2026-11-20T17:00:00+00:00\n"
    assert run_json(capsys, *args, "--target", "3d") == {
        "format_version": 1,
        "calendar": "support",
        "start": "2026-11-20T16:55:00+00:00",
        "target": "3d",
        "business_time": "PT24H5M",
        "business_time_seconds": 86700.0,
        "due": "2026-11-25T17:00:00+00:00",
    }
    assert run_json(capsys, *args, "--target", "PT4H")["due"] == "2026-11-23T12:55:00+00:00"


def test_due_in_summer_answers_in_the_calendar_zone(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_ok(
        capsys,
        *("due", "--calendar", "calendars.toml:support", "--start", "2026-07-03T15:55Z"),
        *("--target", "10m"),
    )
    assert out == "2026-07-06T09:05:00+01:00\n"


def test_elapsed(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["elapsed", "--calendar", "calendars.toml:support"]
    span = ["--from", "2026-11-20T16:55+00:00", "--to", "2026-11-23T09:05Z"]
    assert run_ok(capsys, *args, *span) == "PT10M\n"
    assert run_json(capsys, *args, *span) == {
        "format_version": 1,
        "calendar": "support",
        "from": "2026-11-20T16:55:00+00:00",
        "to": "2026-11-23T09:05:00+00:00",
        "elapsed": "PT10M",
        "elapsed_seconds": 600.0,
    }
    backwards = ["--from", "2026-11-23T09:05Z", "--to", "2026-11-20T16:55Z"]
    assert run_ok(capsys, *args, *backwards) == "-PT10M\n"


def test_open(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["open", "--calendar", "calendars.toml:support", "--at"]
    assert run_ok(capsys, *args, "2026-11-20T16:55Z") == (
        "open: closes 2026-11-20T17:00:00+00:00, opens again 2026-11-23T09:00:00+00:00\n"
    )
    assert run_ok(capsys, *args, "2026-11-21T12:00Z") == (
        "closed: opens 2026-11-23T09:00:00+00:00, closes again 2026-11-23T17:00:00+00:00\n"
    )
    assert run_json(capsys, *args, "2026-11-21T12:00Z") == {
        "format_version": 1,
        "calendar": "support",
        "at": "2026-11-21T12:00:00+00:00",
        "open": False,
        "opens_at": "2026-11-23T09:00:00+00:00",
        "closes_at": "2026-11-23T17:00:00+00:00",
    }
    always = ["open", "--calendar", "calendars.toml:always", "--at", "2026-11-21T12:00Z"]
    assert run_ok(capsys, *always) == "open: never closes\n"
    never = ["open", "--calendar", "calendars.toml:nothing", "--at", "2026-11-21T12:00Z"]
    assert run_ok(capsys, *never) == "closed: never opens\n"
    assert run_json(capsys, *never)["opens_at"] is None
    # --at defaults to now, and a file with one calendar needs no name.
    assert run_ok(capsys, "open", "--calendar", "one.toml").startswith(("open: ", "closed: "))


def test_calendars_of_a_policy_file(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(
        capsys,
        *("elapsed", "--calendar", "policy.toml:desk"),
        *("--from", "2026-11-20T16:55Z", "--to", "2026-11-23T09:05Z"),
    )
    assert out == "PT10M\n"


# -- evaluate ---------------------------------------------------------------------


def test_evaluate_table(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, "evaluate", "--policy", "policy.toml", "tickets.jsonl", "--now", NOW)
    lines = out.splitlines()
    assert lines[0] == "policy Desk, as at 2026-12-01T10:00:00+00:00: 3 tickets"
    assert lines[2].split() == [
        "ticket",
        "customer",
        "policy",
        "version",
        "tier",
        "metric",
        "status",
        "used",
        "target",
        "due",
        "breached",
        "at",
        "next",
        "level",
    ]
    rows = [line.split()[:9] for line in lines[4:]]
    assert [row[2:4] for row in rows] == [["Desk", "-"]] * 6
    rows = [row[:2] + row[4:] for row in rows]
    assert rows == [
        ["T1", "a", "P2", "first_response", "met", "1h", "2h"],
        ["T1", "a", "P2", "resolution", "met", "7h", "1d"],
        ["T2", "b", "P2", "first_response", "breached", "3h", "2h"],
        ["T2", "b", "P2", "resolution", "breached", "12h", "1d"],
        ["T3", "a", "P1", "first_response", "met", "30m", "1h"],
        ["T3", "a", "P1", "resolution", "breached", "5h", "4h"],
    ]


def test_evaluate_json_is_stable(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["evaluate", "--policy", "policy.toml", "tickets.jsonl", "--now", NOW]
    data = run_json(capsys, *args)
    assert list(data) == ["format_version", "policy", "now", "skipped", "tickets"]
    assert (data["policy"], data["now"], data["skipped"]) == (
        "Desk",
        "2026-12-01T10:00:00+00:00",
        0,
    )
    first = data["tickets"][1]
    assert list(first) == ["id", "customer", "priority", "policy", "policy_version", "metrics"]
    assert first["policy"] == "Desk"
    response = first["metrics"]["first_response"]
    assert response == {
        "metric": "first_response",
        "status": "breached",
        "target": "PT2H",
        "target_text": "2h",
        "calendar": "desk",
        "started_at": "2026-11-02T16:00:00+00:00",
        "stopped_at": "2026-11-03T11:00:00+00:00",
        "due": "2026-11-03T10:00:00+00:00",
        "breached_at": "2026-11-03T10:00:00+00:00",
        "elapsed": "PT3H",
        "remaining": "-PT1H",
        "used": 1.5,
        "cycles": [],
        "target_seconds": 7200.0,
        "elapsed_seconds": 10800.0,
        "remaining_seconds": -3600.0,
        "segments": [
            {
                "tier": "P2",
                "from": "2026-11-02T16:00:00+00:00",
                "to": None,
                "target": "PT2H",
                "target_seconds": 7200.0,
                "target_text": "2h",
                "calendar": "desk",
                "used": "PT3H",
                "used_seconds": 10800.0,
                "status": "breached",
                "due": "2026-11-03T10:00:00+00:00",
                "breached_at": "2026-11-03T10:00:00+00:00",
            }
        ],
        "escalations": [],
        "next_escalation": None,
    }
    # The same input gives the same bytes; --explain adds the intervals.
    assert json.loads(run_ok(capsys, *args, "--format", "json")) == data
    explained = run_json(capsys, *args, "--explain")
    intervals = explained["tickets"][0]["metrics"]["first_response"]["intervals"]
    assert intervals == [
        {
            "metric": "first_response",
            "start": "2026-11-02T09:00:00+00:00",
            "end": "2026-11-02T10:00:00+00:00",
            "kind": "counted",
            "reason": "desk open",
        }
    ]


def test_evaluate_csv_and_explain(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["evaluate", "--policy", "policy.toml", "tickets.jsonl", "--now", NOW]
    rows = list(csv.DictReader(io.StringIO(run_ok(capsys, *args, "--format", "csv"))))
    assert len(rows) == 6
    assert list(rows[0]) == list(_commands._EVALUATE_COLUMNS)
    assert rows[2]["ticket"] == "T2"
    assert rows[2]["elapsed"] == "PT3H"
    assert rows[0]["due"] == ""
    text = run_ok(capsys, *args, "--explain")
    assert "T3:\nfirst_response:\n  2026-11-07T10:00:00+00:00 .. 2026-11-07T10:30:00+00:00" in text


def test_evaluate_leaves_out_what_had_not_happened(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["evaluate", "--policy", "policy.toml", "tickets.jsonl", "--format", "json"]
    data = json.loads(run_ok(capsys, *args, "--now", "2026-11-03T10:30Z"))
    assert [ticket["id"] for ticket in data["tickets"]] == ["T1", "T2"]
    assert data["tickets"][1]["metrics"]["first_response"]["status"] == "breached"
    assert data["tickets"][1]["metrics"]["first_response"]["stopped_at"] is None


def test_evaluate_reads_standard_input(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(("\n".join(TICKETS) + "\n").encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    data = run_json(capsys, "evaluate", "--policy", "policy.toml", "-", "--now", NOW)
    assert len(data["tickets"]) == 3


# -- report -----------------------------------------------------------------------


def test_report_table_json_csv_html(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "report",
        "--policy",
        "policy.toml",
        "tickets.jsonl",
        "--period",
        "2026-11",
        "--now",
        NOW,
    ]
    text = run_ok(capsys, *args)
    assert "SLA compliance: policy Desk, period 2026-11" in text
    assert "Worst breaches" in text
    data = run_json(capsys, *args)
    assert data["format_version"] == 1
    assert data["tickets"] == 3
    # The total counts tickets: T1 met every target, T2 and T3 breached one.
    assert (data["total"]["tickets"], data["total"]["met"], data["total"]["breached"]) == (3, 1, 2)
    assert [(row["tier"], row["metric"]) for row in data["rows"]] == [
        ("P1", "first_response"),
        ("P1", "resolution"),
        ("P2", "first_response"),
        ("P2", "resolution"),
    ]
    rows = list(csv.DictReader(io.StringIO(run_ok(capsys, *args, "--format", "csv"))))
    assert [row["compliance_percent"] for row in rows] == ["100.0", "0.0", "50.0", "50.0"]
    page = run_ok(capsys, *args, "--format", "html")
    assert "<svg" in page
    assert "http://" not in page
    assert "https://" not in page


def test_report_options(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "report",
        "--policy",
        "policy.toml",
        "tickets.jsonl",
        "--period",
        "2026-11",
        "--now",
        NOW,
    ]
    data = run_json(capsys, *args, "--by", "customer", "--worst", "1", "--goal", "90")
    assert [(row["customer"], row["met"], row["breached"]) for row in data["rows"]] == [
        ("a", 1, 1),  # tickets: T1 met, T3 breached
        ("b", 0, 1),  # T2 breached both its targets: one ticket
    ]
    assert len(data["worst"]) == 1
    assert data["goal_percent"] == 90.0
    by_two = run_json(capsys, *args, "--by", "customer", "--by", "tier")
    assert by_two["by"] == ["customer", "tier"]
    quarter = run_json(
        capsys, *args[:-4], "--period", "2026-Q4", "--tz", "Europe/London", "--now", NOW
    )
    assert quarter["period"]["start"] == "2026-10-01T00:00:00+01:00"
    empty = run_json(capsys, *args[:-4], "--period", "2026-10", "--now", NOW)
    assert empty["tickets"] == 0


def test_report_output_file_is_written_atomically(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "report",
        "--policy",
        "policy.toml",
        "tickets.jsonl",
        "--period",
        "2026-11",
        "--now",
        NOW,
    ]
    assert run(capsys, *args, "--output", "november.html") == (0, "", "")
    page = (files / "november.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert run(capsys, *args, "-o", "november.json") == (0, "", "")
    assert json.loads((files / "november.json").read_text())["tickets"] == 3
    assert run(capsys, *args, "-o", "november.csv") == (0, "", "")
    assert (files / "november.csv").read_text().startswith("tier,metric,")
    assert run(capsys, *args, "-o", "november.txt") == (0, "", "")
    assert (files / "november.txt").read_text().startswith("SLA compliance")
    assert oct(os.stat(files / "november.txt").st_mode & 0o777) != oct(0o600)
    assert sorted(path.name for path in files.iterdir() if path.name.startswith(".")) == []


def test_no_partial_output_file_on_error(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = files / "bad.jsonl"
    bad.write_text(TICKETS[0] + "\n{broken\n")
    (files / "old.html").write_text("the previous report")
    args = ["report", "--policy", "policy.toml", "bad.jsonl", "--period", "2026-11", "--now", NOW]
    status, out, err = run(capsys, *args, "--output", "new.html")
    assert (status, out, err.count("\n")) == (2, "", 1)
    assert not (files / "new.html").exists()
    assert run(capsys, *args, "--output", "old.html")[0] == 2
    assert (files / "old.html").read_text() == "the previous report"
    assert [path.name for path in files.iterdir() if path.name.startswith(".")] == []


def test_write_atomically_cleans_up_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("before")

    with pytest.raises(TypeError):
        write_atomically(target, 42)  # type: ignore[arg-type]
    assert target.read_text() == "before"
    assert list(tmp_path.iterdir()) == [target]
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "out.txt", "text")


def test_skip_bad_counts_and_continues(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = files / "bad.jsonl"
    lines = [
        TICKETS[0],
        "{broken",
        TICKETS[1].replace('"P2"', '"P9"'),
        TICKETS[2].replace('"2026-11-07T10:30Z"', '"soon"'),
        "",
    ]
    bad.write_text("\n".join(lines))
    args = ["report", "--policy", "policy.toml", "bad.jsonl", "--period", "2026-11", "--now", NOW]
    status, out, err = run(capsys, *args, "--skip-bad", "--format", "json")
    assert status == 0
    assert json.loads(out)["skipped"] == 3
    assert json.loads(out)["tickets"] == 1
    assert err.splitlines() == [
        "slaclock: skipped: bad.jsonl:2: not valid JSON: Expecting property name enclosed in "
        "double quotes (column 2)",
        "slaclock: skipped: bad.jsonl:3: events[0] (logged 'P9' at 2026-11-02T16:00:00+00:00): "
        "unknown priority 'P9'; policy 'Desk' has tiers ['P1', 'P2']",
        "slaclock: skipped: bad.jsonl:4: events[1].at: 'soon' is not an ISO 8601 instant "
        "such as 2026-11-20T16:55+00:00",
        "slaclock: bad.jsonl: skipped 3 bad input(s)",
    ]
    status, out, err = run(
        capsys, "evaluate", "--policy", "policy.toml", "bad.jsonl", "--skip-bad", "--now", NOW
    )
    assert status == 0
    assert "1 tickets" in out


def test_skipped_lines_are_described_up_to_a_limit(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "junk.jsonl").write_text("junk\n" * 25)
    status, _out, err = run(
        capsys, "evaluate", "--policy", "policy.toml", "junk.jsonl", "--skip-bad", "--now", NOW
    )
    assert status == 0
    lines = err.splitlines()
    assert len(lines) == 22
    assert lines[-2] == "slaclock: skipped: more bad input; counting only"
    assert lines[-1] == "slaclock: junk.jsonl: skipped 25 bad input(s)"


# -- uptime -----------------------------------------------------------------------


def test_uptime(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["uptime", "--calendar", "calendars.toml:always", "--outages", "outages.csv"]
    data = run_json(capsys, *args, "--period", "2026-10", "--exclude", "maint")
    assert data["measured"] == "PT736H"
    assert data["excluded"] == ["maint"]
    assert [(row["service"], row["downtime"]) for row in data["services"]] == [
        ("mail", "PT2H"),
        ("web", "PT1H30M"),
    ]
    assert data["combined"]["downtime"] == "PT3H"
    business = ["uptime", "--calendar", "calendars.toml:support", "--outages", "outages.csv"]
    data = run_json(
        capsys, *business, "--period", "2026-10", "--services", "mail,web", "--services", "dns"
    )
    assert [row["service"] for row in data["services"]] == ["mail", "web", "dns"]
    assert data["measured"] == "PT176H"
    text = run_ok(capsys, *args, "--period", "2026-10", "--exclude", "calendars.toml:maint")
    assert "measured over always less calendars.toml:maint: 736h" in text
    rows = list(
        csv.DictReader(io.StringIO(run_ok(capsys, *args, "--period", "2026-10", "--format", "csv")))
    )
    assert (rows[-1]["kind"], rows[-1]["service"]) == ("combined", "")


# -- bad input: exit 2, one line on stderr ----------------------------------------


BAD_INPUT = [
    (
        [
            "due",
            "--calendar",
            "missing.toml:support",
            "--start",
            "2026-11-20T16:55Z",
            "--target",
            "1h",
        ],
        "slaclock: missing.toml: cannot read the file: No such file or directory",
    ),
    (
        [
            "due",
            "--calendar",
            "calendars.toml:suport",
            "--start",
            "2026-11-20T16:55Z",
            "--target",
            "1h",
        ],
        "slaclock: --calendar: calendars.toml: no calendar named 'suport'; did you mean 'support'? "
        "(defined: support, maint, nothing, always)",
    ),
    (
        ["due", "--calendar", "calendars.toml", "--start", "2026-11-20T16:55Z", "--target", "1h"],
        "slaclock: --calendar: calendars.toml defines 3 calendars (support, maint, nothing); "
        "name one as calendars.toml:NAME",
    ),
    (
        [
            "due",
            "--calendar",
            "calendars.toml:support",
            "--start",
            "2026-11-20T16:55",
            "--target",
            "1h",
        ],
        "slaclock: --start: '2026-11-20T16:55' has no UTC offset; write it as "
        "'2026-11-20T16:55:00+00:00' or with its zone's offset",
    ),
    (
        ["due", "--calendar", "calendars.toml:support", "--start", "Friday", "--target", "1h"],
        "slaclock: --start: 'Friday' is not an ISO 8601 instant such as 2026-11-20T16:55+00:00",
    ),
    (
        [
            "due",
            "--calendar",
            "calendars.toml:support",
            "--start",
            "2026-11-20T16:55Z",
            "--target",
            "1 hour",
        ],
        "slaclock: --target: '1 hour' is not a target; write a duration such as '4h', '1h30m', "
        "'PT4H', or business days such as '3d'",
    ),
    (
        [
            "due",
            "--calendar",
            "calendars.toml:nothing",
            "--start",
            "2026-11-20T16:55Z",
            "--target",
            "1h",
        ],
        "slaclock: --calendar: nothing: ",
    ),
    (
        ["due", "--calendar", "calendars.toml:support", "--target", "1h"],
        "slaclock due: give --start and --target, or --tickets FILE (see 'slaclock due --help')",
    ),
    (
        [
            "elapsed",
            "--calendar",
            "calendars.toml:support",
            "--from",
            "2026-11-20T16:55Z",
            "--to",
            "x",
        ],
        "slaclock: --to: 'x' is not an ISO 8601 instant such as 2026-11-20T16:55+00:00",
    ),
    (
        ["frobnicate"],
        "slaclock: argument COMMAND: invalid choice: 'frobnicate'",
    ),
    ([], "slaclock: the following arguments are required: COMMAND"),
    (
        ["evaluate", "--policy", "policy.toml", "tickets.jsonl", "--format", "xml"],
        "slaclock evaluate: argument --format: invalid choice: 'xml'",
    ),
    (
        ["evaluate", "--policy", "policy.toml", "missing.jsonl"],
        "slaclock: missing.jsonl: No such file or directory",
    ),
    (
        ["evaluate", "--policy", "missing.toml", "tickets.jsonl"],
        "slaclock: missing.toml: cannot read the file: No such file or directory",
    ),
    (
        ["evaluate", "--policy", "calendars.toml", "tickets.jsonl"],
        "slaclock: calendars.toml: name: Field required (and 1 more problem)",
    ),
    (
        ["evaluate", "--policy", "policy.toml", "broken.jsonl"],
        "slaclock: broken.jsonl:2: not valid JSON: Expecting property name enclosed in double "
        "quotes (column 2)",
    ),
    (
        ["evaluate", "--policy", "policy.toml", "badevent.jsonl"],
        "slaclock: badevent.jsonl:1: events[1].at: '2026-11-31T10:00Z' is not an ISO 8601 instant",
    ),
    (
        ["evaluate", "--policy", "policy.toml", "disorder.jsonl", "--now", NOW],
        "slaclock: disorder.jsonl:1: events[1] (agent_reply at 2026-11-02T08:00:00+00:00): it is "
        "earlier than the previous event",
    ),
    (
        ["evaluate", "--policy", "policy.toml", "tickets.jsonl", "--now", "tomorrow"],
        "slaclock: --now: 'tomorrow' is not an ISO 8601 instant",
    ),
    (
        ["report", "--policy", "policy.toml", "tickets.jsonl", "--period", "2026-13"],
        "slaclock: --period: '2026-13' is not a period (month must be in 1..12); write a month",
    ),
    (
        ["report", "--policy", "policy.toml", "tickets.jsonl", "--period", "last month"],
        "slaclock: --period: 'last month' is not a period; write a month (2026-10)",
    ),
    (
        [
            "report",
            "--policy",
            "policy.toml",
            "tickets.jsonl",
            "--period",
            "2026-10",
            "--tz",
            "Mars/Base",
        ],
        "slaclock: --tz: unknown time zone 'Mars/Base': not an IANA zone name",
    ),
    (
        [
            "report",
            "--policy",
            "policy.toml",
            "tickets.jsonl",
            "--period",
            "2026-10",
            "--by",
            "colour",
        ],
        "slaclock: --by: unknown field 'colour'; group by any of tier, metric, customer",
    ),
    (
        [
            "report",
            "--policy",
            "policy.toml",
            "tickets.jsonl",
            "--period",
            "2026-10",
            "--goal",
            "120",
        ],
        "slaclock: --goal: 120.0 is not a percentage between 0 and 100",
    ),
    (
        [
            "report",
            "--policy",
            "policy.toml",
            "tickets.jsonl",
            "--period",
            "2026-10",
            "--worst",
            "many",
        ],
        "slaclock report: argument --worst: invalid int value: 'many'",
    ),
    (
        [
            "uptime",
            "--calendar",
            "calendars.toml:always",
            "--outages",
            "missing.csv",
            "--period",
            "2026-10",
        ],
        "slaclock: missing.csv: No such file or directory",
    ),
    (
        [
            "uptime",
            "--calendar",
            "calendars.toml:always",
            "--outages",
            "badrows.csv",
            "--period",
            "2026-10",
        ],
        "slaclock: badrows.csv:3: end: '2026-10-05' has no UTC offset",
    ),
    (
        [
            "uptime",
            "--calendar",
            "calendars.toml:always",
            "--outages",
            "outages.csv",
            "--period",
            "2026-10",
            "--exclude",
            "maintenance",
        ],
        "slaclock: --exclude: calendars.toml: no calendar named 'maintenance'",
    ),
    (
        [
            "uptime",
            "--calendar",
            "calendars.toml:always",
            "--outages",
            "tickets.jsonl",
            "--period",
            "2026-10",
        ],
        "slaclock: tickets.jsonl:1: the header names no service, start, end column",
    ),
    (
        [
            "report",
            "--policy",
            "policy.toml",
            "tickets.jsonl",
            "--period",
            "2026-11",
            "--output",
            "nowhere/report.html",
        ],
        "slaclock: nowhere/report.html: No such file or directory",
    ),
]


@pytest.mark.parametrize(
    ("argv", "message"),
    BAD_INPUT,
    ids=lambda value: " ".join(value)[:60] if isinstance(value, list) else None,
)
def test_bad_input_exits_2_with_one_line(
    files: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    (files / "broken.jsonl").write_text(TICKETS[0] + "\n{broken\n")
    (files / "badevent.jsonl").write_text(
        TICKETS[0].replace("2026-11-02T10:00Z", "2026-11-31T10:00Z") + "\n"
    )
    (files / "disorder.jsonl").write_text(
        TICKETS[0].replace("2026-11-02T10:00Z", "2026-11-02T08:00Z") + "\n"
    )
    (files / "badrows.csv").write_text(
        "service,start,end\nmail,2026-10-05T10:00Z,2026-10-05T11:00Z\nweb,2026-10-05T10:00Z,2026-10-05\n"
    )
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith(message), err
    assert "Traceback" not in err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--help")
    assert (status, err) == (0, "")
    for command in ("due", "elapsed", "open", "evaluate", "report", "uptime", "demo"):
        assert command in out
    status, out, err = run(capsys, "report", "--help")
    assert (status, err) == (0, "")
    assert "--period" in out
    assert run(capsys, "--version")[:2] == (0, "slaclock 0.1.0\n")


def test_errors_in_the_library_are_one_line() -> None:
    assert _terminal.one_line("a: x\na: y\na: z") == "a: x (and 2 more problems)"
    assert _terminal.one_line("a: x\na: y") == "a: x (and 1 more problem)"
    assert _terminal.one_line("") == ""


# -- the progress bar -------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = itertools.chain([0.0, 0.2, 0.7, 0.75, 0.9], itertools.repeat(9.0))
    monkeypatch.setattr(_terminal.time, "monotonic", lambda: next(clock))
    terminal = FakeTerminal()
    progress = _terminal.Progress(terminal, 1000, enabled=True)
    progress.advance(100)  # 0.2 s: too early to draw
    assert terminal.getvalue() == ""
    progress.advance(400)  # 0.7 s: draws
    # 2 tickets in 0.7 s; half the bytes read in 0.7 s, so about 0.7 s to go.
    assert terminal.getvalue() == (
        "\r[###############---------------]  50%  2 tickets  3/s  ETA 0:01"
    )
    progress.advance(100)  # 0.75 s: too soon after the last drawing
    progress.advance(400)  # 0.9 s: draws again
    assert terminal.getvalue().endswith("\r[##############################] 100%  4 tickets  4/s")
    progress.clear()
    assert terminal.getvalue().endswith("\r" + " " * 64 + "\r")
    pipe = io.StringIO()
    quiet = _terminal.Progress(pipe, 1000, enabled=True)
    quiet.advance(1000)
    quiet.clear()
    assert pipe.getvalue() == ""
    assert not _terminal.Progress(terminal, None, enabled=True).enabled
    assert not _terminal.Progress(terminal, 1000, enabled=False).enabled


# -- the demo ---------------------------------------------------------------------


def test_demo_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, "demo")
    assert "T-1001   Fri 20 Nov 16:55  Mon 23 Nov 12:55        10m  met" in out
    assert "SLA compliance: policy London desk, period 2026-11" in out
    assert "D-6     initech   P3    resolution" in out


def test_python_m_slaclock_demo_runs_on_bundled_data(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "slaclock", "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "London desk" in result.stdout
    assert "Worst breaches" in result.stdout


# -- the documentation's command-line sessions run --------------------------------


SESSION = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)
DOCUMENTS = sorted((ROOT / "docs").rglob("*.md"))


def sessions() -> list[tuple[str, str, str]]:
    found = []
    for document in DOCUMENTS:
        for raw in SESSION.findall(document.read_text()):
            block = raw.replace("\\\n", " ")
            commands = re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]
            for command in commands:
                line, _, output = command.partition("\n")
                found.append((str(document.relative_to(ROOT)), line, output))
    return found


@pytest.mark.parametrize(("document", "command", "expected"), sessions())
def test_documented_sessions(  # noqa: PLR0917 - pytest passes fixtures by position
    document: str,
    command: str,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Each ``$ slaclock ...`` line in a ```console block prints what the page shows.

    It runs as a reader following the docs would: in a fresh folder holding the
    repository's ``examples/`` and what ``slaclock demo --write quickstart`` writes.
    """
    folder = tmp_path_factory.mktemp("session")
    (folder / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(folder)
    assert main(["demo", "--write", "quickstart"], io.StringIO(), io.StringIO()) == 0
    argv = shlex.split(command)
    assert argv[0] == "slaclock", f"{document}: {command}"
    status, out, err = run(capsys, *argv[1:])
    shown = out + err
    assert shown == expected, f"{document}: $ {command}"
    assert status == (2 if err else 0)
