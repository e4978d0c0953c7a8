"""A small on-disk cache of holiday dates computed by the ``holidays`` package.

Importing ``holidays`` and building one country's object costs about 60 ms, most of
a command's start-up. A calendar file names its holidays as data (``{country = "GB",
subdiv = "ENG"}``), so the dates of each year can be kept in a file and read back
next time without the package: one JSON file per (country or market, subdivision,
categories, observed, package version) in the user's cache folder.

It is never trusted blindly: a file is used only if it names the same request and
the same ``holidays`` version as the installed package (read from its metadata without
importing it), belongs to this user and is not writable by
others, and every date in it is a real date in the year it is listed under.
Anything else is ignored (and overwritten by the next computation). Writes are
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
import zlib
from pathlib import Path
from typing import Any

#: Bumped when the layout of a cache file changes.
FORMAT = 1
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


def folder() -> Path | None:
    """Return the cache folder, or None when ``SLACLOCK_CACHE`` turns the cache off."""
    if os.environ.get("SLACLOCK_CACHE", "on").strip().lower() in _OFF:
        return None
    chosen = os.environ.get("SLACLOCK_CACHE_DIR")
    if chosen:
        return Path(chosen)
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "slaclock" / "Cache" if base else None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if home == "~":
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "slaclock"


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
    """The cached years of one request: read once, written back as years are added."""

    __slots__ = ("attributes", "key", "path", "years")

    def __init__(self, key: dict[str, Any], path: Path | None) -> None:
        self.key = key
        self.path = path
        self.attributes: Attributes | None = None
        self.years: dict[int, frozenset[dt.date]] = {}

    def save(self, attributes: Attributes, years: dict[int, frozenset[dt.date]]) -> None:
        """Write ``years`` (all the years known so far) to the file, atomically; never raise."""
        if self.path is None:
            return
        data = {
            "format": FORMAT,
            "key": self.key,
            "attributes": {
                "country": attributes.country,
                "market": attributes.market,
                "subdiv": attributes.subdiv,
                "categories": list(attributes.categories),
            },
            "years": {
                str(year): sorted(day.isoformat() for day in days)
                for year, days in sorted(years.items())
            },
        }
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(temporary, self.path)
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def entry(
    kind: str, code: str, subdiv: str | None, categories: Any, observed: bool
) -> Entry | None:
    """Return the cache entry of a request (its years read if a valid file holds them).

    None when the cache is off or the ``holidays`` package cannot be found.
    """
    where = folder()
    version = package_version()
    if where is None or version is None:
        return None
    key = {
        "package": "holidays",
        "version": version,
        "kind": kind,
        "code": code,
        "subdiv": subdiv,
        "categories": None if categories is None else sorted(str(c) for c in categories),
        "observed": observed,
    }
    # A readable name, safe whatever the codes hold; the key inside the file decides.
    text = json.dumps(key, sort_keys=True)
    label = "-".join(str(part) for part in (code, subdiv, version) if part is not None)
    label = _UNSAFE.sub("_", label)[:60]
    name = f"{kind}-{label}-{zlib.crc32(text.encode('utf-8')):08x}.json"
    found = Entry(key, where / "holidays" / name)
    _read(found)
    return found


def _read(found: Entry) -> None:
    """Fill in ``found`` from its file if the file is valid; leave it empty otherwise."""
    assert found.path is not None
    try:
        with open(found.path, "rb") as handle:
            status = os.fstat(handle.fileno())
            if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
                return  # someone else's file, or one others may change: not ours to trust
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
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
        years: dict[int, frozenset[dt.date]] = {}
        for label, listed in data["years"].items():
            year = int(label)
            days = frozenset(dt.date.fromisoformat(_text(item)) for item in listed)
            if str(year) != label or any(day.year != year for day in days):
                return
            years[year] = days
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return
    found.attributes = attributes
    found.years = years


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _text_or_none(value: object) -> str | None:
    return None if value is None else _text(value)
