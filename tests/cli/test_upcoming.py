"""``slaclock upcoming``: the breach queue on the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from slaclock.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
POLICY = str(DATA / "queue_policy.toml")
TICKETS = str(DATA / "open_tickets.jsonl")
QUEUE = ["upcoming", "--policy", POLICY, TICKETS, "--now", "2026-11-25T11:30Z"]


def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is None:
        return main(list(argv), out, err), out.getvalue(), err.getvalue()
    import sys

    previous = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    try:
        return main(list(argv), out, err), out.getvalue(), err.getvalue()
    finally:
        sys.stdin = previous


def run_ok(*argv: str, stdin: str | None = None) -> str:
    status, out, err = run(*argv, stdin=stdin)
    assert (status, err) == (0, ""), err
    return out


def test_table() -> None:
    lines = run_ok(*QUEUE, "--within", "2h").splitlines()
    assert lines[0] == (
        "policy Escalating desk, as at 2026-11-25T11:30:00+00:00: 7 escalation(s) "
        "up to 2026-11-25T13:30:00+00:00 in 5 tickets"
    )
    assert lines[2].split() == [
        "at",
        "ticket",
        "customer",
        "tier",
        "metric",
        "level",
        "left",
        "policy",
    ]
    assert [line.split()[:6] for line in lines[4:]] == [
        ["2026-11-25T12:00:00+00:00", "Q-1", "acme", "P2", "next_update", "50%"],
        ["2026-11-25T12:00:00+00:00", "Q-3", "acme", "P3", "first_response", "50%"],
        ["2026-11-25T12:00:00+00:00", "Q-4", "initech", "P3", "first_response", "75%"],
        ["2026-11-25T12:36:00+00:00", "Q-4", "initech", "P3", "first_response", "90%"],
        ["2026-11-25T13:00:00+00:00", "Q-1", "acme", "P2", "next_update", "75%"],
        ["2026-11-25T13:00:00+00:00", "Q-3", "acme", "P3", "first_response", "75%"],
        ["2026-11-25T13:00:00+00:00", "Q-4", "initech", "P3", "first_response", "breach"],
    ]


def test_json_limit_and_window_edge() -> None:
    data = json.loads(run_ok(*QUEUE, "--within", "30m", "--format", "json"))
    assert {key: data[key] for key in ("within", "within_seconds", "until", "tickets")} == {
        "within": "PT30M",
        "within_seconds": 1800.0,
        "until": "2026-11-25T12:00:00+00:00",
        "tickets": 5,
    }
    # 12:00 is the window's end: included.
    assert [(row["ticket"], row["label"]) for row in data["upcoming"]] == [
        ("Q-1", "50%"),
        ("Q-3", "50%"),
        ("Q-4", "75%"),
    ]
    assert data["upcoming"][2]["left_seconds"] == 5400.0
    limited = json.loads(run_ok(*QUEUE, "--within", "30m", "--format", "json", "--limit", "1"))
    assert limited["upcoming"] == data["upcoming"][:1]


def test_csv_neutralises_formulas(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(
        json.dumps(
            {
                "id": "=1+1",
                "customer": "@SUM(A1)",
                "events": [{"at": "2026-11-25T11:00:00+00:00", "type": "logged", "priority": "P1"}],
            }
        )
        + "\n"
    )
    argv = [
        "upcoming",
        "--policy",
        POLICY,
        str(tickets),
        "--now",
        "2026-11-25T11:00Z",
        "--within",
        "20m",
        "--format",
        "csv",
    ]
    rows = list(csv.DictReader(io.StringIO(run_ok(*argv))))
    assert [(row["ticket"], row["customer"], row["label"], row["left"]) for row in rows] == [
        ("'=1+1", "'@SUM(A1)", "50%", "PT30M"),
    ]
    raw = list(csv.DictReader(io.StringIO(run_ok(*argv, "--raw-csv"))))
    assert raw[0]["ticket"] == "=1+1"


def test_table_shows_names_never_obeys_them(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(
        json.dumps(
            {
                "id": "T\x1b[2J",
                "customer": "a\u202eb",
                "events": [{"at": "2026-11-25T11:00:00+00:00", "type": "logged", "priority": "P1"}],
            }
        )
        + "\n"
    )
    out = run_ok(
        "upcoming",
        "--policy",
        POLICY,
        str(tickets),
        "--now",
        "2026-11-25T11:00Z",
        "--within",
        "20m",
    )
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "T\\x1b[2J" in out


def test_output_file_and_stdin(tmp_path: Path) -> None:
    target = tmp_path / "queue.json"
    assert run_ok(*QUEUE, "--within", "2h", "-o", str(target)) == ""
    written = json.loads(target.read_text())
    assert written["format_version"] == 1
    assert len(written["upcoming"]) == 7
    piped = run_ok(
        "upcoming",
        "--policy",
        POLICY,
        "-",
        "--now",
        "2026-11-25T11:30Z",
        "--within",
        "2h",
        "--format",
        "json",
        stdin=Path(TICKETS).read_text(),
    )
    assert json.loads(piped)["upcoming"] == written["upcoming"]


def test_nothing_ahead() -> None:
    out = run_ok(*QUEUE, "--within", "0m")
    assert out.startswith("policy Escalating desk, as at 2026-11-25T11:30:00+00:00: 0 escalation")
    assert len(out.splitlines()) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--within", "soon"], "--within: 'soon' is not a duration"),
        (["--within=-1h"], "--within: -1h is negative"),
        (["--limit", "-2"], "--limit: -2"),
        (["--now", "2026-11-25T11:30"], "--now"),
        (["--format", "csv", "-o", "x.json"], "--output"),
    ],
)
def test_bad_options_exit_2(extra: list[str], message: str) -> None:
    status, out, err = run(*QUEUE, *extra)
    assert status == 2
    assert out == ""
    assert err.startswith("slaclock: ")
    assert message in err
    assert len(err.splitlines()) == 1


def test_bad_tickets_exit_2_or_are_skipped(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    good = Path(TICKETS).read_text()
    tickets.write_text('{"id": "X", "events": []}\n' + good)
    argv: list[Any] = [
        "upcoming",
        "--policy",
        POLICY,
        str(tickets),
        "--now",
        "2026-11-25T11:30Z",
        "--within",
        "2h",
        "--format",
        "json",
    ]
    status, _, err = run(*argv)
    assert status == 2
    assert f"{tickets}:1: events" in err
    status, out, err = run(*argv, "--skip-bad")
    assert status == 0
    assert "skipped 1 bad input" in err
    data = json.loads(out)
    assert (data["skipped"], data["tickets"], len(data["upcoming"])) == (1, 5, 7)


def test_completion_knows_upcoming() -> None:
    script = run_ok("completion", "bash")
    assert "upcoming" in script
    assert "--within" in script
