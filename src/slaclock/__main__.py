"""``python -m slaclock``: the command line (see ``cli``)."""

from __future__ import annotations

import sys

from slaclock.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
