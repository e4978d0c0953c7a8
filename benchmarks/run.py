"""Run every benchmark in this folder and print one Markdown table per benchmark.

Usage: ``python benchmarks/run.py`` (full run) or ``python benchmarks/run.py --smoke``
(a tiny run that only checks the benchmarks still work; CI runs it, times nothing).
``--out FILE`` also writes the tables to FILE.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> int:
    """Run the benchmarks and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny run: check, don't measure")
    parser.add_argument("--out", type=Path, help="also write the Markdown tables here")
    args = parser.parse_args()

    from _timing import markdown_table

    import slaclock

    sections = [
        f"slaclock {slaclock.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}, {platform.system()}"
    ]
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(path.stem)
        rows = module.run(smoke=args.smoke)
        sections.append(f"## {path.stem.removeprefix('bench_')}\n\n{markdown_table(rows)}")
    text = "\n\n".join(sections) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
