"""``--jobs N`` gives, byte for byte, the output and errors of one process."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

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


def test_report_tallies_leave_out_an_id_repeated_in_a_later_range(tmp_path: Path) -> None:
    """A worker cannot know an id came earlier in another range: its share is counted again."""
    lines = (DATA / "october_2026_tickets.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    # Far from the first line (another range), the same id, now breaching every target.
    first["events"] = first["events"][:1]
    lines[-10] = json.dumps(first)
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n")
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
