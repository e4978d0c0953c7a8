"""A small on-disk cache of holiday dates computed by the ``holidays`` package.

Importing ``holidays`` and building one country's object costs about 60 ms, most of
a command's start-up. A calendar file names its holidays as data (``{country = "GB",
subdiv = "ENG"}``), so the dates of each year can be kept in a file and read back
next time without the package: one JSON file per (country or market, subdivision,
categories, observed, package version) in the user's cache folder. A fresh
``holidays`` object passed in Python has its own file, keyed by its class and its
state (``_holidays._object_cache``): the package's rules need not run for its years.
Each year is one line of text, read when a question first reaches the year.

It is never trusted blindly: a file is used only if it names the same request and
the same ``holidays`` version as the installed package (read from its metadata without
importing it), belongs to this user and is not writable by others, and a year's
dates only if each is a real date in the year it is listed under. Anything else is
ignored (and overwritten by the next computation). Writes are
atomic. ``SLACLOCK_CACHE=off`` turns the cache off; ``SLACLOCK_CACHE_DIR`` moves it
(default: ``$XDG_CACHE_HOME/slaclock``, else ``~/.cache/slaclock``; on Windows
``%LOCALAPPDATA%\\slaclock\\Cache``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import itertools
import json
import os
import re
import sys
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Bumped when the layout of a cache file changes.
FORMAT = 2
#: The largest cache file read, in bytes.
MAX_BYTES = 1024 * 1024
_VERSION_RE = re.compile(r"""__version__\s*=\s*["']([^"']{1,40})["']""")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.]")
_OFF = ("0", "off", "no", "false", "none", "")


class Attributes:
    """What the ``holidays`` object said of itself: its codes, subdivision and categories."""

    __slots__ = ("categories", "country", "market", "subdiv")

    def __init__(
        self,
        country: str | None,
        market: str | None,
        subdiv: str | None,
        categories: tuple[str, ...],
    ) -> None:
        self.country = country
        self.market = market
        self.subdiv = subdiv
        self.categories = categories


def folder() -> str | None:
    """Return the cache folder, or None when ``SLACLOCK_CACHE`` turns the cache off."""
    # Paths as text (os.path), not pathlib: every calendar with holidays asks.
    if os.environ.get("SLACLOCK_CACHE", "on").strip().lower() in _OFF:
        return None
    chosen = os.environ.get("SLACLOCK_CACHE_DIR")
    if chosen:
        return chosen
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        base = os.environ.get("LOCALAPPDATA")
        return os.path.join(base, "slaclock", "Cache") if base else None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if home == "~":
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "slaclock")


def package_version() -> str | None:
    """Return the installed ``holidays`` version, read without importing the package.

    From the package itself if imported, else from its ``version.py`` if that
    spells the version out, else from the ``METADATA`` of the one
    ``holidays-*.dist-info`` beside it (what ``importlib.metadata`` reads).
    """
    module = sys.modules.get("holidays")
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    try:
        spec = importlib.util.find_spec("holidays")
        if spec is None or not spec.origin:
            return None
        package = Path(spec.origin).parent
        found = _VERSION_RE.search((package / "version.py").read_text("utf-8"))
        if found:
            return found[1]
        listed = [
            name
            for name in os.listdir(package.parent)
            if name.startswith("holidays-") and name.endswith(".dist-info")
        ]
        if len(listed) != 1:
            return None
        with open(package.parent / listed[0] / "METADATA", encoding="utf-8") as handle:
            for line in itertools.islice(handle, 50):
                if line.startswith("Version:"):
                    return line.partition(":")[2].strip() or None
    except (ImportError, ValueError, OSError):
        return None
    return None


class Entry:
    """The cached years of one request: read once, each year parsed when first asked,
    written back as years are added."""

    __slots__ = ("attributes", "key", "path", "raw", "years")

    def __init__(self, key: dict[str, Any], path: str | None) -> None:
        self.key = key
        self.path = path
        self.attributes: Attributes | None = None
        #: Each year's dates as the file writes them, not yet read (``year`` reads them).
        self.raw: dict[str, object] = {}
        #: The years read or added so far.
        self.years: dict[int, frozenset[dt.date]] = {}

    def year(self, year: int) -> frozenset[dt.date] | None:
        """Return the dates the file holds for ``year``, or None if it holds none or bad ones.

        A year is read the first time it is asked for: a file holding decades costs a
        calendar only the years its questions reach.
        """
        found = self.years.get(year)
        if found is not None:
            return found
        text = self.raw.pop(str(year), None)
        if text is None:
            return None
        found = _dates(year, text)
        if found is not None:
            self.years[year] = found
        return found

    def save(self, attributes: Attributes, years: dict[int, frozenset[dt.date]]) -> None:
        """Write ``years`` and the file's other years to the file, atomically; never raise."""
        if self.path is None:
            return
        written = {str(year): _line(days) for year, days in years.items()}
        written.update((str(year), _line(days)) for year, days in self.years.items())
        # Years read from the file but never asked for go back as they came.
        for label, text in self.raw.items():
            if isinstance(text, str):
                written.setdefault(label, text)
        data = {
            "format": FORMAT,
            "key": self.key,
            "attributes": {
                "country": attributes.country,
                "market": attributes.market,
                "subdiv": attributes.subdiv,
                "categories": list(attributes.categories),
            },
            "years": dict(sorted(written.items())),
        }
        path = Path(self.path)
        # One temporary file per writer, threads included: two writers sharing one would
        # interleave their bytes in it, and the file renamed into place would be a splice.
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(temporary, path)
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _line(days: frozenset[dt.date]) -> str:
    """Return a year's dates as the file writes them: ISO dates, sorted, space-separated."""
    return " ".join(sorted(day.isoformat() for day in days))


def _dates(year: int, text: object) -> frozenset[dt.date] | None:
    """Return the dates a file lists for ``year``, or None unless each is a real date in it."""
    if not isinstance(text, str):
        return None
    try:
        days = frozenset(map(dt.date.fromisoformat, text.split()))
    except ValueError:
        return None
    if any(day.year != year for day in days):
        return None
    return days


def entry(
    kind: str, code: str, subdiv: str | None, categories: Any, observed: bool
) -> Entry | None:
    """Return the cache entry of a request (its years read if a valid file holds them).

    None when the cache is off or the ``holidays`` package cannot be found.
    """
    key = {
        "kind": kind,
        "code": code,
        "subdiv": subdiv,
        "categories": None if categories is None else sorted(str(c) for c in categories),
        "observed": observed,
    }
    label = "-".join(part for part in (code, subdiv) if part is not None)
    return keyed(kind, label, key)


def keyed(
    kind: str,
    label: str,
    request: dict[str, Any],
    state: Callable[[], str | None] | None = None,
) -> Entry | None:
    """Return the cache entry of the request ``request`` (its file named after ``kind`` and
    ``label``), read if a valid file holds it; None when the cache is off or the ``holidays``
    package cannot be found.

    ``state``, if given, writes out the rest of the request (worked out only when the
    cache is on); None from it means no entry.
    """
    where = folder()
    version = package_version()
    if where is None or version is None:
        return None
    key = {"package": "holidays", "version": version, **request}
    if state is not None:
        text = state()
        if text is None:
            return None
        key["state"] = text
    # A readable name, safe whatever the codes hold; the key inside the file decides. A
    # long ``state`` is checksummed with the rest as text: JSON would escape its every
    # character.
    if "state" in key:
        text = "\0".join(map(str, key.values()))
    else:
        text = json.dumps(key, sort_keys=True)
    checksum = zlib.crc32(text.encode("utf-8"))
    label = _UNSAFE.sub("_", f"{label}-{version}")[:60]
    name = f"{kind}-{label}-{checksum:08x}.json"
    found = Entry(key, os.path.join(where, "holidays", name))
    _read(found)
    return found


def _read(found: Entry) -> None:
    """Fill in ``found`` from its file if the file is valid; leave it empty otherwise.

    Each year's dates are checked when first read (``Entry.year``).
    """
    assert found.path is not None
    try:
        raw = _contents(found.path)
        if raw is None:
            return
        data = json.loads(raw)
        if data.get("format") != FORMAT or data.get("key") != found.key:
            return
        given = data["attributes"]
        attributes = Attributes(
            _text_or_none(given["country"]),
            _text_or_none(given["market"]),
            _text_or_none(given["subdiv"]),
            tuple(_text(item) for item in given["categories"]),
        )
        years = data["years"]
        if not isinstance(years, dict):
            return
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return
    found.attributes = attributes
    found.raw = years


def _contents(path: str) -> bytes | None:
    """Return the bytes of the file at ``path``, or None if it is not ours to trust or too big.

    Read with ``os`` calls rather than a file object: every calendar with holidays
    reads its file.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        status = os.fstat(descriptor)
        if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
            return None  # someone else's file, or one others may change: not ours to trust
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(descriptor, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    return None if size > MAX_BYTES else b"".join(chunks)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _text_or_none(value: object) -> str | None:
    return None if value is None else _text(value)
