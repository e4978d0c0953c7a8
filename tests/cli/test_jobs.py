"""``--jobs N`` gives, byte for byte, the output and errors of one process."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from slaclock.cli import main
from slaclock.cli._jobs import _ranges

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
POLICY = str(DATA / "desk_policy.toml")
NOW = "2026-11-01T00:00Z"


def run(*argv: str) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def tickets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """October's tickets, with bad lines, blank lines and ids repeated across the file."""
    lines = (DATA / "october_2026_tickets.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    late = json.loads(lines[5])
    late["events"][0]["at"] = "2026-13-01T00:00Z"
    twice = json.loads(lines[250])
    backwards = json.loads(lines[20])
    backwards["events"].reverse()
    lines[3] = "{not json"
    lines[40] = json.dumps(first)  # repeats line 1, within the first range
    lines[280] = json.dumps(first)  # and in a far range
    lines[290] = json.dumps(twice)  # repeats line 251, in an earlier range
    lines[100] = ""
    lines[150] = json.dumps(late)
    lines[160] = json.dumps(backwards)
    path = tmp_path_factory.mktemp("jobs") / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_ranges_cover_the_file_in_whole_lines(tickets: Path) -> None:
    data = tickets.read_bytes()
    ranges = _ranges(str(tickets), 7)
    assert ranges[0][:1] == (0,)
    assert ranges[-1][1] == len(data)
    for (_, end, line), (start, _, next_line) in itertools.pairwise(ranges):
        assert end == start
        assert data[start - 1 : start] == b"\n"
        assert next_line == data[:start].count(b"\n") + 1
        assert line < next_line


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "--format", "json"],
        ["evaluate", "--format", "csv"],
        ["evaluate", "--explain"],
        ["report", "--period", "2026-10", "--format", "json"],
        ["report", "--period", "2026-10", "--by", "customer,tier"],
    ],
    ids=["evaluate json", "evaluate csv", "evaluate table", "report json", "report table"],
)
def test_jobs_give_one_process_output(tickets: Path, command: list[str]) -> None:
    argv = [*command, "--policy", POLICY, str(tickets), "--now", NOW, "--no-progress"]
    one = run(*argv, "--skip-bad")
    assert one[0] == 0
    assert "skipped" in one[2]
    for jobs in ("2", "3"):
        assert run(*argv, "--skip-bad", "--jobs", jobs) == one
    # Without --skip-bad the first problem in the file stops the run, whatever the jobs.
    stopped = run(*argv)
    assert stopped[0] == 2
    assert run(*argv, "-j", "2") == stopped


def test_jobs_must_be_positive(tickets: Path) -> None:
    status, _, err = run("evaluate", "--policy", POLICY, str(tickets), "--jobs", "0")
    assert status == 2
    assert "--jobs: 0" in err


def tickets_with_a_late_repeat(tmp_path: Path) -> tuple[Path, list[str]]:
    """Return a file (and its lines) of October's tickets with the first ticket's id again
    near the end (another range), cut to its first event (so it breaches every target)."""
    lines = (DATA / "october_2026_tickets.jsonl").read_text().splitlines()
    repeat = json.loads(lines[0])
    repeat["events"] = repeat["events"][:1]
    lines[-10] = json.dumps(repeat)
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, lines


def test_report_tallies_leave_out_an_id_repeated_in_a_later_range(tmp_path: Path) -> None:
    """A worker cannot know an id came earlier in another range: its share is counted again."""
    path, lines = tickets_with_a_late_repeat(tmp_path)
    argv = ["report", "--period", "2026-10", "--format", "json", "--policy", POLICY, str(path)]
    argv += ["--now", NOW, "--no-progress", "--skip-bad"]
    one = run(*argv)
    assert one[0] == 0
    assert f":{len(lines) - 9}: " in one[2]  # the repeat is told, and not counted
    without = tmp_path / "without.jsonl"
    without.write_text("\n".join(lines[:-10] + lines[-9:]) + "\n")
    alone = json.loads(run(*argv[:7], str(without), *argv[8:])[1])
    assert {**json.loads(one[1]), "skipped": 0} == alone
    for jobs in ("2", "3"):
        assert run(*argv, "--jobs", jobs) == one


def test_ranges_shrink_towards_the_end_of_the_file(tmp_path: Path) -> None:
    """Large ranges first (few tasks), small ones last (the cores finish together)."""
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(f'{{"n": {number}}}\n' for number in range(20_000)))
    ranges = _ranges(str(path), 2)
    sizes = [end - start for start, end, _ in ranges]
    assert sizes[0] > 10 * sizes[-1]
    assert all(later <= earlier + 16 for earlier, later in itertools.pairwise(sizes))
    assert ranges[-1][1] == path.stat().st_size
    assert len(ranges) < 40


def test_ranges_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a worker holds of a large file at once is bounded."""
    from slaclock.cli import _jobs

    monkeypatch.setattr(_jobs, "LARGEST_RANGE", 10_000)
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(f'{{"n": {number}}}\n' for number in range(20_000)))
    ranges = _ranges(str(path), 2)
    assert max(end - start for start, end, _ in ranges) < 10_000 + 20
    assert ranges[-1][1] == path.stat().st_size


@pytest.mark.parametrize(
    "options",
    [
        ["--format", "json", "--explain"],
        ["--format", "csv", "--raw-csv"],
        ["--format", "table"],
        ["--format", "csv", "--now", "2026-10-15T12:00Z"],  # later tickets not yet logged
        ["--format", "json", "--fail-on", "breached"],
        ["--format", "table", "--fail-on", "at_risk", "--now", "2026-10-20T12:00Z"],
    ],
    ids=["json explain", "raw csv", "table", "half the month", "fail-on", "table fail-on"],
)
def test_evaluate_jobs_give_one_process_output(tickets: Path, options: list[str]) -> None:
    argv = ["evaluate", "--policy", POLICY, str(tickets), "--no-progress", "--skip-bad"]
    if "--now" not in options:
        argv += ["--now", NOW]
    one = run(*argv, *options)
    assert one[1]
    for jobs in ("2", "3"):
        assert run(*argv, *options, "--jobs", jobs) == one


@pytest.mark.parametrize("form", ["json", "csv", "table"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_evaluate_writes_a_file_as_it_prints(
    tickets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str, jobs: str
) -> None:
    """Spools on disk are copied to ``--output`` as bytes: the same text as printed."""
    from slaclock.cli import _stream

    monkeypatch.setattr(_stream, "_SPOOL_MEMORY", 1000)  # one process's spool on disk too
    argv = ["evaluate", "--policy", POLICY, str(tickets), "--now", NOW, "--no-progress"]
    argv += ["--skip-bad", "--format", form, "--jobs", jobs]
    printed = run(*argv)
    assert run(*argv, "--output", str(tmp_path / "out"))[::2] == printed[::2]
    assert (tmp_path / "out").read_text(encoding="utf-8") == printed[1]


def test_evaluate_leaves_out_an_id_repeated_in_a_later_range(tmp_path: Path) -> None:
    """A ticket a worker rendered, whose id an earlier range gave, is not in the output."""
    path, lines = tickets_with_a_late_repeat(tmp_path)
    argv = ["evaluate", "--format", "csv", "--policy", POLICY, str(path), "--now", NOW]
    argv += ["--no-progress", "--skip-bad"]
    one = run(*argv)
    assert f":{len(lines) - 9}: id: 'T-0001' repeats line 1" in one[2]
    without = tmp_path / "without.jsonl"
    without.write_text("\n".join(lines[:-10] + lines[-9:]) + "\n")
    assert one[1] == run(*argv[:5], str(without), *argv[6:])[1]
    for jobs in ("2", "4"):
        assert run(*argv, "--jobs", jobs) == one


@pytest.mark.parametrize("form", ["json", "csv", "table"])
def test_evaluate_jobs_escape_what_utf8_cannot_hold_alike(tmp_path: Path, form: str) -> None:
    """Ids with a lone surrogate, other scripts and formula starts come out alike."""
    lines = (DATA / "october_2026_tickets.jsonl").read_text().splitlines()
    names = ["T\\ud800", "Ticket-é-日本", "=1+1", "T\\u001b[31m"]
    for number, name in enumerate(names):
        data = json.loads(lines[number * 70])
        lines[number * 70] = json.dumps(data).replace(json.dumps(data["id"]), f'"{name}"', 1)
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n")
    argv = ["evaluate", "--format", form, "--policy", POLICY, str(path), "--now", NOW]
    one = run(*argv, "--no-progress")
    assert one[0] == 0
    assert "ud800" in one[1]
    assert run(*argv, "--no-progress", "--jobs", "2") == one


@pytest.mark.parametrize("form", ["json", "csv", "table"])
def test_evaluate_jobs_with_no_ticket_to_show(tmp_path: Path, form: str) -> None:
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n{not json\n\n")
    argv = ["evaluate", "--format", form, "--policy", POLICY, str(path), "--now", NOW]
    argv += ["--no-progress", "--skip-bad"]
    one = run(*argv)
    assert one[0] == 0
    assert "skipped 1 bad input" in one[2]
    assert run(*argv, "--jobs", "2") == one


def test_evaluate_writes_a_file_where_the_kernel_cannot_copy(
    tickets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    def refuse(*_: object) -> int:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(os, "copy_file_range", refuse, raising=False)
    argv = ["evaluate", "--policy", POLICY, str(tickets), "--now", NOW, "--no-progress"]
    argv += ["--skip-bad", "--format", "json", "--jobs", "2"]
    printed = run(*argv)
    assert run(*argv, "--output", str(tmp_path / "out"))[::2] == printed[::2]
    assert (tmp_path / "out").read_text(encoding="utf-8") == printed[1]


@pytest.mark.parametrize("odd", ["PT100000H", "PT" + "9" * 5000 + "H"])
def test_an_id_shaped_like_a_long_duration_is_written_not_refused(tmp_path: Path, odd: str) -> None:
    """An id reading as a duration past ten years, or past int()'s digit limit, is a ticket
    like any other (it was refused, or stopped the run as an internal error)."""
    ticket = json.loads((DATA / "october_2026_tickets.jsonl").read_text().splitlines()[0])
    ticket["id"] = odd
    path = tmp_path / "tickets.jsonl"
    path.write_text(json.dumps(ticket) + "\n")
    argv = ["evaluate", "--format", "json", "--policy", POLICY, str(path), "--now", NOW]
    status, out, err = run(*argv)
    assert (status, err) == (0, "")
    written = json.loads(out)
    assert written["tickets"][0]["id"] == odd
    assert ("id_seconds" in written["tickets"][0]) == (len(odd) < 40)
    assert run(*argv, "--jobs", "2") == (status, out, err)


def tickets_with(tmp_path: Path, changes: dict[int, str | dict[str, object]]) -> Path:
    """Return October's tickets with lines changed (by index): text as it is, dicts as JSON."""
    lines = (DATA / "october_2026_tickets.jsonl").read_text().splitlines()
    for index, change in changes.items():
        lines[index] = change if isinstance(change, str) else json.dumps(change)
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def october(index: int) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (DATA / "october_2026_tickets.jsonl").read_text().splitlines()[index]
    )
    return data


def backwards(index: int) -> dict[str, object]:
    data = october(index)
    events = data["events"]
    assert isinstance(events, list)
    events.reverse()
    return data


@pytest.mark.parametrize(
    "changes",
    [
        {3: "{not json"},  # an unreadable line near the top
        {1: backwards(1)},  # a ticket that cannot be evaluated
        {2: october(0)},  # an id repeated within the first range
        # An id of the first range repeated in a later range, before a bad line there:
        # the repeat (the earlier problem) stops the run, not the bad line.
        {280: october(0), 283: "{not json"},
        {3: "{not json", 280: "{also not json"},
    ],
    ids=["unreadable", "cannot evaluate", "repeat", "repeat then unreadable", "two"],
)
@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "--format", "csv"],
        ["evaluate", "--format", "json"],
        ["report", "--period", "2026-10"],
    ],
    ids=["csv", "json", "report"],
)
def test_a_problem_stops_every_job_count_alike(
    tmp_path: Path, changes: dict[int, str | dict[str, object]], command: list[str]
) -> None:
    path = tickets_with(tmp_path, changes)
    argv = [*command, "--policy", POLICY, str(path), "--now", NOW, "--no-progress"]
    one = run(*argv)
    assert one[0] == 2
    assert one[2].startswith(f"slaclock: {path}:")
    for jobs in ("2", "3"):
        assert run(*argv, "--jobs", jobs) == one


class Ids:
    """A sink that keeps the ids it is given."""

    def begin(self, policy: object, period: object) -> Ids:
        self.ids: list[str] = []
        return self

    def take(self, ticket: Any, report: object) -> None:
        self.ids.append(ticket.id)

    def finish(self) -> list[str]:
        return self.ids


def a_task(path: Path, *, stops: bool) -> Any:
    """Return a task of the whole file, as the parent gives one to a worker."""
    return (str(path), 0, path.stat().st_size, 1, POLICY, NOW, None, None, Ids(), stops)


def test_a_worker_stops_at_the_first_problem_of_its_range_when_the_run_stops_at_it(
    tmp_path: Path,
) -> None:
    from slaclock.cli import _jobs

    path = tickets_with(tmp_path, {3: "{not json", 200: "{not json either"})
    stopped, _ = _jobs._work(a_task(path, stops=True))
    assert stopped.numbers == [1, 2, 3]  # not the 300 lines of the range
    assert list(stopped.problems) == [4]
    told, _ = _jobs._work(a_task(path, stops=False))  # with --skip-bad: every line
    assert list(told.problems) == [4, 201]
    assert len(told.numbers) > 290


def test_a_worker_stops_its_range_once_the_parent_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from slaclock.cli import _jobs

    path = tickets_with(tmp_path, {})
    flag = threading.Event()
    monkeypatch.setattr(_jobs, "_STOP", flag)
    whole, _ = _jobs._work(a_task(path, stops=True))
    assert len(whole.numbers) > 290
    flag.set()
    cut, _ = _jobs._work(a_task(path, stops=True))
    assert cut.numbers == []
    # With --skip-bad nothing stops the run: the flag is not looked at.
    assert _jobs._work(a_task(path, stops=False))[0].numbers == whole.numbers


def _isoformat_or_none(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@pytest.mark.parametrize("form", ["csv", "table", "json"])
@pytest.mark.parametrize(
    ("zone", "year", "offset"),
    [("Asia/Kathmandu", "2026", "+05:45"), ("Europe/Dublin", "1910", "-00:25:21")],
)
def test_instants_are_written_as_isoformat_wrote_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, form: str, zone: str, year: str, offset: str
) -> None:
    """Every output writes instants through ``iso_instant``: byte for byte ``isoformat``'s,
    on offsets of a quarter hour (Kathmandu) and of seconds (Dublin's mean time until
    1916), with microseconds (tickets keep to the years 1900 to 2199; tests/sla/test_iso.py
    writes years 1 and 9999, and folds)."""
    from slaclock.cli import _stream, _ticket_json
    from slaclock.sla import results

    policy = tmp_path / "policy.toml"
    text = (DATA / "desk_policy.toml").read_text().replace('"Europe/London"', f'"{zone}"')
    policy.write_text(text.replace('holidays = { country = "GB", subdiv = "ENG" }', ""))
    lines = (DATA / "october_2026_tickets.jsonl").read_text().splitlines()[:120]
    for number, line in enumerate(lines):
        micro = f".{number:06d}" if number % 3 else ""
        moved = line.replace(":00+00:00", f":{number % 60:02d}{micro}+00:00")
        lines[number] = moved.replace('"2026-', f'"{year}-')
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n")
    argv = ["evaluate", "--format", form, "--policy", str(policy), str(path)]
    argv += ["--now", f"{year}-10-20T12:00:00.5Z", "--no-progress", "--explain"]
    now = run(*argv)
    assert now[0] == 0, now[2]
    assert offset in now[1]
    # The old way: isoformat at every instant.
    monkeypatch.setattr(_stream, "iso_instant", dt.datetime.isoformat)
    monkeypatch.setattr(results, "iso_or_none", _isoformat_or_none)
    monkeypatch.setattr(_ticket_json, "iso_instant", dt.datetime.isoformat)
    assert run(*argv) == now
