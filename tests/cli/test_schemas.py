"""Every ``--format json`` output matches the JSON Schema shipped in the package."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")

from slaclock.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
SCHEMAS = ROOT / "src" / "slaclock" / "cli" / "schemas"
CALENDAR = f"{DATA / 'calendars.toml'}:support"
POLICY = str(DATA / "desk_policy.toml")
TICKETS = str(DATA / "october_2026_tickets.jsonl")
NOW = "2026-11-02T09:00Z"

COMMANDS: dict[str, list[str]] = {
    "due": ["due", "--calendar", CALENDAR, "--start", "2026-11-20T16:55Z", "--target", "3d"],
    "elapsed": ["elapsed", "--calendar", CALENDAR, "--from", "2026-11-20T16:55Z", "--to", NOW],
    "open": ["open", "--calendar", CALENDAR, "--at", "2026-11-21T12:00Z"],
    "evaluate": ["evaluate", "--policy", POLICY, TICKETS, "--now", NOW, "--explain"],
    "report": [
        *("report", "--policy", POLICY, TICKETS, "--period", "2026-10"),
        *("--tz", "Europe/London", "--now", NOW, "--goal", "95"),
    ],
    "upcoming": [
        *(
            "upcoming",
            "--policy",
            str(DATA / "queue_policy.toml"),
            str(DATA / "open_tickets.jsonl"),
        ),
        *("--now", "2026-11-25T11:30Z", "--within", "2h"),
    ],
    "uptime": [
        *("uptime", "--calendar", f"{DATA / 'msp' / 'calendars.toml'}:round_the_clock"),
        *("--exclude", "maintenance", "--outages", str(DATA / "msp" / "outages.csv")),
        *("--period", "2026-10", "--goal", "99.9"),
    ],
}


def validator(name: str) -> Any:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def output(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main([*argv, "--format", "json"], out, err) == 0, err.getvalue()
    return out.getvalue()


def test_every_schema_is_shipped_and_used() -> None:
    assert {path.stem for path in SCHEMAS.glob("*.json")} == {*COMMANDS, "due-line"}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_output_matches_its_schema(name: str) -> None:
    data = json.loads(output(*COMMANDS[name]))
    validator(name).validate(data)
    assert data["format_version"] == 1


def test_due_lines_match_their_schema(tmp_path: Path) -> None:
    tickets = tmp_path / "t.csv"
    tickets.write_text("id,start,target\nA,2026-11-20T16:55Z,10m\nB,2026-11-20T16:55Z,3d\n")
    lines = output("due", "--calendar", CALENDAR, "--tickets", str(tickets)).splitlines()
    assert len(lines) == 2
    check = validator("due-line")
    for line in lines:
        check.validate(json.loads(line))


def test_a_schema_catches_a_changed_field() -> None:
    data = json.loads(output(*COMMANDS["uptime"]))
    data["combined"]["downtime"] = 3.5
    with pytest.raises(jsonschema.ValidationError):
        validator("uptime").validate(data)


MSP = DATA / "msp"


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        (
            "report",
            [
                *("report", "--policy", str(MSP / "policies.toml"), str(MSP / "tickets.jsonl")),
                *("--period", "2026-10", "--tz", "Europe/London", "--now", NOW),
            ],
        ),
        (
            "uptime",
            [
                *("uptime", "--calendar", f"{MSP / 'calendars.toml'}:new_york"),
                *("--outages", str(MSP / "outages.csv"), "--period", "2026-10"),
                *("--policy", str(MSP / "policies.toml")),
            ],
        ),
    ],
)
def test_credits_match_their_schema(name: str, argv: list[str]) -> None:
    data = json.loads(output(*argv))
    assert data["credits"], "the MSP example prices its misses"
    validator(name).validate(data)
    data["credits"][0]["owed"] = 12.5  # money is exact text, never a float
    with pytest.raises(jsonschema.ValidationError):
        validator(name).validate(data)
