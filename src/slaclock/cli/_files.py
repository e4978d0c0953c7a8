"""Writing output files: all or nothing, through a temporary file and a rename."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

__all__ = ["atomic_stream", "write_atomically"]


def _mode_for(target: Path) -> int:
    """Return the permission bits the file should get: those of the file it replaces, if any.

    A report written over a ``0600`` file stays private; a new file gets what the umask allows.
    """
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: all or nothing."""
    with atomic_stream(path) as stream:
        stream.write(text)


@contextlib.contextmanager
def atomic_stream(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """Yield a text stream whose contents replace ``path`` when the block ends without error.

    The text goes to a temporary file beside ``path``, renamed over it at the end, so
    an error leaves the old file (or no file) rather than a partial one.
    """
    import tempfile  # here: due, elapsed and open without --output never need it

    target = Path(path)
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:  # name the file asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
