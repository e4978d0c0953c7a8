"""What the command line shows on stderr while it works: progress, and skipped bad input."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from slaclock.cli._errors import one_line
from slaclock.errors import InputError

#: How many skipped bad inputs are described one by one before only counting.
_SKIP_REPORT_LIMIT = 20


class Progress:
    """A progress bar on stderr while a large file is read, when stderr is a terminal.

    It appears only after half a second, redraws at most ten times a second, and
    is wiped when done, so small inputs and pipes never see it.
    """

    def __init__(self, stream: TextIO, total: int | None, enabled: bool) -> None:
        self.stream = stream
        self.total = total or 0
        self.enabled = enabled and bool(total) and _is_terminal(stream)
        self.done = 0
        self.items = 0
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.width = 0

    def advance(self, size: int, items: int = 1) -> None:
        """Count ``size`` more bytes and ``items`` more records; redraw when due."""
        self.done += size
        self.items += items
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < 0.5 or now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        self.draw(now)

    def draw(self, now: float | None = None) -> None:
        """Draw the bar: ``[#####-----]  45%  12,345 tickets  3,210/s  ETA 0:04``."""
        share = min(self.done / self.total, 1.0) if self.total else 0.0
        filled = int(share * 30)
        line = f"\r[{'#' * filled}{'-' * (30 - filled)}] {share:4.0%}  {self.items:,} tickets"
        now = time.monotonic() if now is None else now
        line += rate_and_eta(self.items, self.done, self.total, now - self.started)
        self.width = max(self.width, len(line))
        self.stream.write(line)
        self.stream.flush()

    def clear(self) -> None:
        """Wipe the bar, if one was drawn, so the next line starts clean."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def rate_and_eta(items: int, done: int, total: int, seconds: float) -> str:
    """Return ``"  3,210/s  ETA 0:04"``: records a second, and the time left at that pace.

    The time left comes from the bytes still to read, since the record count is not
    known in advance.

    >>> rate_and_eta(3000, 250, 1000, 2.0)
    '  1,500/s  ETA 0:06'
    >>> rate_and_eta(0, 0, 1000, 0.0)
    ''
    """
    if seconds <= 0 or done <= 0:
        return ""
    text = f"  {items / seconds:,.0f}/s"
    if total > done:
        left = round((total - done) * seconds / done)
        minutes, secs = divmod(left, 60)
        hours, minutes = divmod(minutes, 60)
        clock = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
        text += f"  ETA {clock}"
    return text


def _is_terminal(stream: IO[Any]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Skipper:
    """Counts bad input that ``--skip-bad`` skips, describing the first few on stderr."""

    def __init__(self, stream: TextIO, progress: Progress | None = None) -> None:
        self.stream = stream
        self.progress = progress
        self.count = 0

    def __call__(self, error: InputError) -> None:
        self.count += 1
        if self.progress is not None:
            self.progress.clear()
        if self.count <= _SKIP_REPORT_LIMIT:
            self.stream.write(f"slaclock: skipped: {one_line(str(error))}\n")
        elif self.count == _SKIP_REPORT_LIMIT + 1:
            self.stream.write("slaclock: skipped: more bad input; counting only\n")

    def summary(self, source: str) -> None:
        """Write how much was skipped, if anything."""
        if self.count:
            self.stream.write(f"slaclock: {source}: skipped {self.count} bad input(s)\n")


def _lines(handle: IO[bytes], progress: Progress) -> Iterator[bytes]:
    """Yield the lines of ``handle``; one past ``MAX_LINE_BYTES`` is cut there (and refused later).

    Reading in bounded pieces keeps a file that is one enormous line from filling memory.
    """
    from slaclock.sla.tickets import MAX_LINE_BYTES

    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        size = len(raw)
        if size > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            rest = raw
            while rest and not rest.endswith(b"\n"):  # skip to the end of the line
                rest = handle.readline(MAX_LINE_BYTES)
                size += len(rest)
        progress.advance(size, 1 if raw.strip() else 0)
        yield raw


@contextlib.contextmanager
def ticket_lines(
    path: str, stderr: TextIO, quiet: bool
) -> Iterator[tuple[Iterator[bytes], Progress]]:
    """Open a tickets file (``-`` for stdin) and yield its lines, counted by a progress bar."""
    if path == "-":
        progress = Progress(stderr, None, False)
        yield _lines(sys.stdin.buffer, progress), progress
        return
    with Path(path).open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        progress = Progress(stderr, size, not quiet)
        try:
            yield _lines(handle, progress), progress
        finally:
            progress.clear()
