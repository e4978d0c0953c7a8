"""The ``slaclock`` command line: due, elapsed, open, evaluate, report, uptime and demo.

- ``_commands``: the argument parser, one function per subcommand, and ``main``.
- ``_terminal``: the progress bar and the reporting of skipped bad lines.
- ``_files``: writing output files atomically.
- ``_demo``: the bundled demo.

It may import everything else in slaclock; nothing imports it.
"""

from slaclock.cli._commands import UsageError, build_parser, main
from slaclock.cli._files import write_atomically

__all__ = ["UsageError", "build_parser", "main", "write_atomically"]
