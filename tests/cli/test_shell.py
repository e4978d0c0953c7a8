"""The command line in a shell: -o -, formats, --fail-on, customers, branding, colour."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock.cli import main
from slaclock.cli._output import colour_column, fail_status, wants_colour, with_seconds

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
REPORT = [
    "report",
    "--policy",
    str(DATA / "desk_policy.toml"),
    str(DATA / "october_2026_tickets.jsonl"),
    "--period",
    "2026-10",
    "--tz",
    "Europe/London",
    "--now",
    "2026-11-02T09:00Z",
]
UPTIME = [
    "uptime",
    "--calendar",
    f"{DATA / 'msp' / 'calendars.toml'}:round_the_clock",
    "--exclude",
    "maintenance",
    "--outages",
    str(DATA / "msp" / "outages.csv"),
    "--period",
    "2026-10",
    "--tz",
    "Europe/London",
]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def test_dash_means_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = run(*UPTIME, "-o", "-", "--format", "csv")
    assert (status, err) == (0, "")
    assert out.startswith("kind,service,availability_percent")
    assert not (tmp_path / "-").exists()


def test_uptime_html_from_the_extension(tmp_path: Path) -> None:
    page = tmp_path / "up.html"
    assert run(*UPTIME, "-o", str(page), "--goal", "99.9") == (0, "", "")
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert "Below goal (99.9\u00a0%)" in text
    assert "Outages outside the measured hours" in text


@pytest.mark.parametrize(
    ("command", "output", "form", "problem"),
    [
        (UPTIME, "up.html", "csv", "up.html names the html format but --format is csv"),
        (REPORT, "r.json", "html", "r.json names the json format but --format is html"),
        (UPTIME, "up.jsonl", None, "this command cannot write jsonl"),
    ],
)
def test_an_extension_that_disagrees_is_an_error(
    tmp_path: Path, command: list[str], output: str, form: str | None, problem: str
) -> None:
    target = tmp_path / output
    options = ["--format", form] if form else []
    status, _, err = run(*command, "-o", str(target), *options)
    assert status == 2
    assert problem in err
    assert not target.exists()


def test_a_txt_file_takes_the_table(tmp_path: Path) -> None:
    target = tmp_path / "up.txt"
    assert run(*UPTIME, "-o", str(target))[0] == 0
    assert target.read_text().startswith("Availability, period 2026-10")


def test_fail_on_sets_a_distinct_exit_status() -> None:
    evaluate = ["evaluate", "--policy", str(DATA / "desk_policy.toml")]
    tickets = str(DATA / "october_2026_tickets.jsonl")
    assert run(*evaluate, tickets, "--now", "2026-11-02T09:00Z")[0] == 0
    assert run(*evaluate, tickets, "--now", "2026-11-02T09:00Z", "--fail-on", "breached")[0] == 3
    assert run(*REPORT, "--fail-on", "breached")[0] == 3
    # The first ticket alone, judged early: nothing breached yet.
    first = (DATA / "october_2026_tickets.jsonl").read_text().splitlines()[0]
    logged = json.loads(first)["events"][0]["at"]
    status, _, _ = run_stdin(first + "\n", *evaluate, "-", "--now", logged, "--fail-on", "breached")
    assert status == 0


def run_stdin(text: str, *argv: str) -> tuple[int, str, str]:
    import sys

    class _Stdin(io.StringIO):
        buffer = io.BytesIO(text.encode())

    saved = sys.stdin
    sys.stdin = _Stdin(text)
    try:
        return run(*argv)
    finally:
        sys.stdin = saved


@pytest.mark.parametrize(
    ("statuses", "fail_on", "status"),
    [
        (["met", "running"], None, 0),
        (["met", "breached"], None, 0),
        (["met", "breached"], "breached", 3),
        (["met", "at_risk"], "breached", 0),
        (["met", "at_risk"], "at_risk", 4),
        (["at_risk", "breached"], "at_risk", 3),
        ([], "at_risk", 0),
    ],
)
def test_fail_status(statuses: list[str], fail_on: str | None, status: int) -> None:
    assert fail_status(statuses, fail_on) == status


def test_customer_report(tmp_path: Path) -> None:
    status, out, err = run(*REPORT, "--customer", "globex", "--format", "json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["customer"] == "globex"
    assert {item["customer"] for item in data["worst"]} == {"globex"}
    everyone = json.loads(run(*REPORT, "--format", "json")[1])
    assert 0 < data["tickets"] < everyone["tickets"]
    page = run(*REPORT, "--customer", "globex", "--format", "html")[1]
    assert "SLA compliance for globex" in page
    assert "tickets of globex only" in page


def test_branding(tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    template = tmp_path / "ours.html.j2"
    template.write_text(
        '{% extends "compliance.html.j2" %}'
        "{% block rules %}<p>Questions? Ask {{ contact }}.</p>{% endblock %}"
    )
    status, out, err = run(
        *REPORT,
        "--format",
        "html",
        "--logo",
        str(logo),
        "--contact",
        "Desk <desk@example.com>",
        "--template",
        str(template),
    )
    assert (status, err) == (0, "")
    assert 'src="data:image/svg+xml;base64,' in out
    assert "Questions? Ask Desk &lt;desk@example.com&gt;." in out  # autoescaped
    assert "How this report counts" not in out
    status, _, err = run(*REPORT, "--format", "html", "--logo", str(template))
    assert status == 2
    assert "logo:" in err
    status, _, err = run(*REPORT, "--format", "html", "--template", str(tmp_path / "none.j2"))
    assert status == 2
    assert "template:" in err


def test_json_carries_a_version_and_seconds() -> None:
    status, out, _ = run(
        "evaluate",
        "--policy",
        str(DATA / "desk_policy.toml"),
        str(DATA / "tickets.jsonl"),
        "--now",
        "2026-11-02T09:00Z",
        "--format",
        "json",
    )
    assert status == 0
    data = json.loads(out)
    assert data["format_version"] == 1
    for ticket in data["tickets"]:
        for metric in ticket["metrics"].values():
            for name in ("target", "elapsed", "remaining"):
                assert isinstance(metric[f"{name}_seconds"], float)


def test_with_seconds_walks_everything() -> None:
    assert with_seconds({"a": [{"over": "-PT1H30M"}], "b": "PT0.5S", "c": "PT"}) == {
        "a": [{"over": "-PT1H30M", "over_seconds": -5400.0}],
        "b": "PT0.5S",
        "b_seconds": 0.5,
        "c": "PT",
    }


@given(st.integers(-(10**17), 10**17))
def test_seconds_beside_a_duration_are_its_exact_seconds(micros: int) -> None:
    """The seconds beside ``PT..`` text are the duration's, exactly rounded, at any length
    (a ticket open ten years and more on a 24x7 calendar included), and agree with
    ``parse_duration`` wherever it reads the text."""
    from slaclock.errors import PolicyError
    from slaclock.sla.targets import format_duration, parse_duration

    text = format_duration(dt.timedelta(microseconds=micros), iso=True)
    found = with_seconds({"x": text})["x_seconds"]
    assert found == micros / 1_000_000
    with contextlib.suppress(PolicyError):  # longer than MAX_TARGET: it refuses, we write
        assert found == parse_duration(text) / dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT100000H", 360_000_000.0),
        ("-PT1.0000001S", -1.0000001),
        ("PT" + "9" * 30 + "H", int("9" * 30) * 3600 / 1),
        ("PT" + "9" * 400 + "H", None),  # longer than any duration: no seconds, no error
        ("PT" + "9" * 5000 + "H", None),  # past int()'s digit limit: likewise
    ],
)
def test_text_shaped_like_a_duration_never_stops_the_output(
    text: str, seconds: float | None
) -> None:
    """A ticket's own field (an id ``PT100000H``) gets seconds or none; it is never refused."""
    result = with_seconds({"id": text})
    assert result.get("id_seconds") == seconds
    assert result["id"] == text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color() -> None:
    assert wants_colour(_Terminal(), {})
    assert not wants_colour(_Terminal(), {"NO_COLOR": "1"})
    assert not wants_colour(io.StringIO(), {})
    table = "ticket  status    used\n------  --------  ----\n"
    table += "T1      breached  1h\nT2      idle      0s\n"
    assert colour_column(table, "status").splitlines()[2:] == [
        "T1      \x1b[31mbreached\x1b[0m  1h",
        "T2      idle      0s",
    ]


# -- due over many tickets ----------------------------------------------------------

SUPPORT = f"{DATA / 'calendars.toml'}:support"


def test_due_for_many_tickets_from_csv(tmp_path: Path) -> None:
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "ID,Start,Target\nT1,2026-11-20T16:55Z,10m\nT2,2026-11-20T16:55Z,3d\n\nT3,2026-11-21T10:00Z,\n"
    )
    status, out, err = run(
        "due", "--calendar", SUPPORT, "--tickets", str(tickets), "--target", "4h"
    )
    assert (status, err) == (0, "")
    assert out == (
        "T1\t2026-11-23T09:05:00+00:00\n"  # Friday 16:55 + 10 minutes: Monday 09:05
        "T2\t2026-11-25T17:00:00+00:00\n"  # 3 business days: close of Wednesday
        "T3\t2026-11-23T13:00:00+00:00\n"  # no target of its own: --target 4h
    )


def test_due_for_many_tickets_from_json_lines_on_stdin() -> None:
    lines = '{"id": "A", "start": "2026-11-20T16:55Z"}\n{"id": "B", "start": "2026-11-23T09:00Z"}\n'
    status, out, err = run_stdin(
        lines, "due", "--calendar", SUPPORT, "--tickets", "-", "--target", "10m", "--format", "json"
    )
    assert (status, err) == (0, "")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(row["id"], row["due"]) for row in rows] == [
        ("A", "2026-11-23T09:05:00+00:00"),
        ("B", "2026-11-23T09:10:00+00:00"),
    ]


def test_due_for_many_tickets_names_a_bad_row(tmp_path: Path) -> None:
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("id,start\nT1,2026-11-20T16:55Z\nT2,yesterday\nT3,2026-11-20T16:55Z\n")
    args = ["due", "--calendar", SUPPORT, "--tickets", str(tickets), "--target", "10m"]
    status, out, err = run(*args, "-o", str(tmp_path / "due.txt"))
    assert status == 2
    assert f"{tickets}:3: start: 'yesterday' is not an ISO 8601 instant" in err
    assert not (tmp_path / "due.txt").exists()  # all or nothing
    status, out, err = run(*args, "--skip-bad")
    assert status == 0
    assert out.count("\n") == 2
    assert "skipped 1 bad input(s)" in err
    status, _, err = run("due", "--calendar", SUPPORT, "--tickets", str(tickets))
    assert status == 2
    assert "target: is missing and there is no --target" in err
    assert run("due", "--calendar", SUPPORT)[0] == 2


def test_demo_writes_the_quick_start_files(tmp_path: Path) -> None:
    status, out, err = run("demo", "--write", str(tmp_path / "quickstart"))
    assert (status, err) == (0, "")
    names = ["calendars.toml", "policy.toml", "tickets.jsonl", "outages.csv"]
    assert out.splitlines() == [f"wrote {(tmp_path / 'quickstart' / n).as_posix()}" for n in names]
    calendars = (tmp_path / "quickstart" / "calendars.toml").read_text()
    # The quick start shows the file as it is (less its comment lines).
    page = (ROOT / "docs" / "index.md").read_text()
    shown = page.split("```toml\n", 1)[1].split("```", 1)[0]
    assert shown == "".join(
        line for line in calendars.splitlines(keepends=True) if not line.startswith("#")
    ).lstrip("\n")
    evaluate = ["evaluate", "--policy", str(tmp_path / "quickstart" / "policy.toml")]
    assert run(*evaluate, str(tmp_path / "quickstart" / "tickets.jsonl"))[0] == 0


def test_a_template_of_the_same_name_extends_the_packaged_one(tmp_path: Path) -> None:
    template = tmp_path / "compliance.html.j2"
    template.write_text(
        '{% extends "slaclock/compliance.html.j2" %}{% block footer %}<p>ours</p>{% endblock %}'
    )
    status, out, err = run(*REPORT, "--format", "html", "--template", str(template))
    assert (status, err) == (0, "")
    assert "<p>ours</p>" in out
    assert "Generated by slaclock" not in out
    broken = tmp_path / "broken.html.j2"
    broken.write_text("{% block %}")
    status, _, err = run(*REPORT, "--format", "html", "--template", str(broken))
    assert status == 2
    assert err.startswith(f"slaclock: template: {broken}:1: ")
