"""Command line entry point: ``slaclock demo`` (also ``python -m slaclock demo``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = argparse.ArgumentParser(
        prog="slaclock", description="Business time and SLA clocks for service desks."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run the bundled example: a London desk's response times")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from slaclock import _demo

        return _demo.run(sys.stdout)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse checks
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
