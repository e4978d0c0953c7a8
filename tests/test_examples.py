"""Every script in examples/ runs, prints something, and the stored data is what it makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def run(script: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_there_are_examples() -> None:
    names = {script.name for script in SCRIPTS}
    assert {
        "msp_three_customers.py",
        "follow_the_sun.py",
        "onsite_hardware.py",
        "monthly_report.py",
        "synthetic_month.py",
    } <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    """Run from an unrelated folder: scripts find their data next to themselves."""
    args = ("--out", str(tmp_path / "out")) if script.name == "monthly_report.py" else ()
    result = run(script, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) >= 5


def test_monthly_report_writes_its_files(tmp_path: Path) -> None:
    result = run(EXAMPLES / "monthly_report.py", "--out", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "october.csv",
        "october.html",
        "october.json",
    ]
    page = (tmp_path / "october.html").read_text()
    assert "<svg" in page
    assert "http://" not in page
    assert "https://" not in page


@pytest.mark.parametrize(
    ("args", "stored"),
    [
        ((), "data/october_2026_tickets.jsonl"),
        (
            ("--seed", "7", "--count", "90", "--customers", "acme,globex,initech"),
            "data/msp/tickets.jsonl",
        ),
    ],
)
def test_synthetic_data_is_what_the_generator_makes(
    args: tuple[str, ...], stored: str, tmp_path: Path
) -> None:
    result = run(EXAMPLES / "synthetic_month.py", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (EXAMPLES / stored).read_text()
