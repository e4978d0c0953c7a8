"""Benchmark the peak memory of ``slaclock evaluate`` as the number of tickets grows.

Issue 13 asks that ``evaluate``'s memory not grow with the tickets: it renders each
ticket as it is evaluated, keeping text in a spool rather than result objects.
Each size runs the command line in a fresh subprocess (``--format csv`` and
``--format json``, written to a file) and reads that process's peak resident set
size with ``resource.getrusage``. Sizes: 10,000 and 100,000 tickets, and
1,000,000 with ``--full`` (about ten minutes); ``--smoke``: 200 tickets.
Run directly for a Markdown table: ``python benchmarks/bench_memory.py [--full]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import markdown_table

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "examples" / "data" / "desk_policy.toml"
SAMPLE = ROOT / "examples" / "data" / "october_2026_tickets.jsonl"

_MEASURE = """
import resource, sys
from slaclock.cli._commands import main
status = main(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak * (1 if sys.platform == "darwin" else 1024))
sys.exit(status)
"""


def _write_tickets(path: Path, count: int) -> None:
    """Write ``count`` tickets: the example month's, repeated under fresh ids."""
    sample = [json.loads(line) for line in SAMPLE.read_text().splitlines() if line.strip()]
    with path.open("w") as out:
        for number in range(count):
            ticket = sample[number % len(sample)]
            ticket["id"] = f"T-{number}"
            out.write(json.dumps(ticket) + "\n")


def peak_bytes(tickets: Path, form: str, output: Path) -> int:
    """Return the peak RSS of one ``evaluate`` run over ``tickets``, in bytes."""
    env = dict(os.environ, PYTHONPATH=os.environ.get("SLACLOCK_SRC", str(ROOT / "src")))
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURE,
            "evaluate",
            "--policy",
            str(POLICY),
            str(tickets),
            "--now",
            "2026-11-25T12:00Z",
            "--format",
            form,
            "--output",
            str(output),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return int(done.stdout.split()[-1])


def run(smoke: bool = False, full: bool = False) -> list[dict[str, object]]:
    """Return one row per size and format: the peak RSS in MiB."""
    sizes = [200] if smoke else [10_000, 100_000, *([1_000_000] if full else [])]
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            tickets = Path(folder) / f"{size}.jsonl"
            _write_tickets(tickets, size)
            for form in ("csv", "json"):
                peak = peak_bytes(tickets, form, Path(folder) / f"out.{form}")
                rows.append(
                    {
                        "case": f"evaluate {size:,} tickets, --format {form}: peak RSS",
                        "median_us": peak / 2**20,
                        "unit": "MiB",
                    }
                )
            tickets.unlink()
    return rows


if __name__ == "__main__":
    print(markdown_table(run(smoke="--smoke" in sys.argv, full="--full" in sys.argv)))
