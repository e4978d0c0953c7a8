"""The ``slaclock`` command line: due, elapsed, open, evaluate, report, uptime and demo.

- ``_commands``: the argument parser, one function per subcommand, and ``main``.
- ``_errors``: the boundary: every error as one line and an exit status.
- ``_output``: ``--output``, formats, JSON versions, ``--fail-on`` and colour.
- ``_stream``: ``evaluate``'s output written as the tickets come.
- ``_jobs``: ``--jobs N``: a tickets file evaluated on several processes.
- ``_due``: ``due`` for many tickets; ``_completion``: shell completion scripts.
- ``_terminal``: the progress bar and the reporting of skipped bad lines.
- ``_files``: writing output files atomically; ``_demo``: the bundled demo.
- ``schemas/``: a JSON Schema for each ``--format json`` output.

It may import everything else in slaclock; nothing imports it.
"""

from slaclock.cli._commands import UsageError, build_parser, main
from slaclock.cli._files import write_atomically

__all__ = ["UsageError", "build_parser", "main", "write_atomically"]
