"""Which ticket ids a tickets file has given so far, and on which line, in bounded memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

__all__ = ["MAX_IDS_IN_MEMORY", "SeenIds"]

#: How many ids are kept in a dict before they move to a temporary SQLite file.
MAX_IDS_IN_MEMORY = 100_000


class SeenIds:
    """The line on which each ticket id was first given: a repeated id is a bad line.

    Up to ``in_memory`` ids live in a dict (about 0.1 KiB each). Past that they move
    to a private temporary SQLite database on disk, whose page cache is capped, so a
    file of millions of tickets costs a fixed amount of memory. Ids are stored as
    UTF-8 bytes with surrogates passed through, so any id a JSON line can hold works.

    >>> seen = SeenIds(in_memory=1)
    >>> seen.add("T-1", 1); seen.add("T-2", 2)
    >>> seen.first_line("T-1"), seen.first_line("T-2"), seen.first_line("T-3")
    (1, 2, None)
    >>> seen.close()
    """

    def __init__(self, in_memory: int | None = None) -> None:
        self.in_memory = MAX_IDS_IN_MEMORY if in_memory is None else in_memory
        self.lines: dict[str, int] = {}
        self.database: sqlite3.Connection | None = None

    def first_line(self, ident: str) -> int | None:
        """Return the line that first gave ``ident``, or None if none did."""
        line = self.lines.get(ident)
        if line is not None or self.database is None:
            return line
        row = self.database.execute("SELECT line FROM ids WHERE id = ?", (_key(ident),)).fetchone()
        return None if row is None else int(row[0])

    def add(self, ident: str, line: int) -> None:
        """Record that ``line`` gave ``ident`` (which no earlier line gave)."""
        if self.database is not None:
            self.database.execute("INSERT INTO ids VALUES (?, ?)", (_key(ident), line))
            return
        self.lines[ident] = line
        if len(self.lines) > self.in_memory:
            self._spill()

    def _spill(self) -> None:
        import sqlite3

        # "" is a private database in a temporary file, deleted when closed.
        database = sqlite3.connect("", isolation_level=None)
        database.execute("PRAGMA journal_mode = OFF")
        database.execute("PRAGMA synchronous = OFF")
        database.execute("PRAGMA cache_size = -8192")  # at most 8 MiB of pages in memory
        database.execute("CREATE TABLE ids (id BLOB PRIMARY KEY, line INTEGER) WITHOUT ROWID")
        database.execute("BEGIN")  # one transaction: nothing here needs to survive a crash
        database.executemany(
            "INSERT INTO ids VALUES (?, ?)",
            ((_key(ident), line) for ident, line in self.lines.items()),
        )
        self.database = database
        self.lines = {}

    def close(self) -> None:
        """Drop what was recorded (and the temporary database, if any)."""
        if self.database is not None:
            self.database.close()
            self.database = None
        self.lines = {}


def _key(ident: str) -> bytes:
    return ident.encode("utf-8", "surrogatepass")
