"""The command line's boundary: every failure becomes one line on stderr and an exit status.

- A ``SlaclockError`` (bad input: a file, a line, a field, a value) and an
  ``OSError`` (a file that cannot be read or written) exit 2.
- Anything else is a bug in slaclock: one line saying so, and a hint to re-run
  with ``--debug``, which prints the full traceback; it exits 70 (``EX_SOFTWARE``).
- Messages are cut to ``MAX_MESSAGE`` characters and written with control, bidi and
  surrogate characters escaped, so a hostile file cannot paint the terminal
  through an error message either.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable
from typing import TextIO

from slaclock.errors import SlaclockError

__all__ = ["EXIT_BUG", "EXIT_INPUT", "MAX_MESSAGE", "guarded", "one_line", "safe_text"]

#: Exit status for bad input (also the status argparse uses for a bad command line).
EXIT_INPUT = 2
#: Exit status for a bug in slaclock (BSD sysexits ``EX_SOFTWARE``).
EXIT_BUG = 70
#: The most characters of one error line written to stderr.
MAX_MESSAGE = 1000


class UsageError(Exception):
    """A command line argparse refused; the message is one line."""


def safe_text(text: str) -> str:
    """Return ``text`` that any UTF-8 stream can write: lone surrogates become ``\\udXXX``.

    A JSON string may hold a lone surrogate escape (``"T\\ud800"``); it is written
    back as the same escape rather than failing half way through the output.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def one_line(message: str) -> str:
    """Return the first non-blank line of ``message``, counting the others, terminal-safe and cut.

    >>> one_line("a.toml: x: bad\\na.toml: y: bad too")
    'a.toml: x: bad (and 1 more problem)'
    """
    from slaclock.reports._render import terminal_safe

    lines = [line for line in message.splitlines() if line.strip()] or [message]
    more = len(lines) - 1
    text = terminal_safe(lines[0])
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "..."
    return text + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


def _os_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason


def guarded(run: Callable[[], int], err: TextIO, debug: bool) -> int:
    """Return ``run()``'s exit status, turning every exception into one line on ``err``."""
    try:
        return run()
    except UsageError as exc:
        err.write(one_line(str(exc)) + "\n")
    except SlaclockError as exc:
        err.write(f"slaclock: {one_line(str(exc))}\n")
    except BrokenPipeError:
        # The reader went away (``slaclock evaluate ... | head``): stop quietly.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:
        err.write(f"slaclock: {one_line(_os_message(exc))}\n")
    except KeyboardInterrupt:
        err.write("slaclock: interrupted\n")
        return 130
    except MemoryError:
        err.write("slaclock: out of memory; the input is too large for this machine\n")
    except Exception as exc:  # the last resort: a bug, reported as one
        if debug:
            err.write(safe_text("".join(traceback.format_exception(exc))))
        name = type(exc).__name__
        err.write(
            f"slaclock: internal error (a bug, please report it): {name}: {one_line(str(exc))}"
            + ("" if debug else "; re-run with --debug for the traceback")
            + "\n"
        )
        return EXIT_BUG
    return EXIT_INPUT
