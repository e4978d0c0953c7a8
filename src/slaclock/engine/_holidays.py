"""Holiday sources: a fixed set of dates, or a ``holidays`` package object (duck-typed).

The engine never imports ``holidays`` to *use* an object the caller passed;
it only asks ``date in obj``. It imports the package lazily to rebuild a source
from its serialized form (``{"country": "GB", "subdiv": "ENG"}``).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import importlib
import importlib.util
import marshal
import sys
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from ._holiday_cache import Attributes, Entry
from ._holiday_cache import entry as cache_entry
from ._holiday_cache import keyed as cache_keyed
from ._text import brief
from .errors import ScheduleError
from .schedule import parse_dates


class HolidaySource(Protocol):
    """What the engine asks of holidays: is a date one, and how to write the source down."""

    def __contains__(self, day: object) -> bool: ...

    def ordinals(self, first: int, last: int) -> list[int]: ...

    def to_data(self) -> object: ...


def _sorted_ordinals(dates: Iterable[object]) -> list[int]:
    """Return the ordinals of the plain dates in ``dates``, sorted (a datetime is no date)."""
    return sorted(
        day.toordinal()
        for day in dates
        if isinstance(day, dt.date) and not isinstance(day, dt.datetime)
    )


def _slice(ordinals: list[int], first: int, last: int) -> list[int]:
    """Return the sorted ``ordinals`` from ``first`` to ``last`` (both included)."""
    return ordinals[bisect_left(ordinals, first) : bisect_right(ordinals, last)]


class DateHolidays:
    """A fixed set of holiday dates."""

    __slots__ = ("_ordinals", "dates")

    def __init__(self, dates: frozenset[dt.date]) -> None:
        self.dates = dates
        self._ordinals: list[int] | None = None  # sorted, made when first asked

    def __contains__(self, day: object) -> bool:
        return day in self.dates

    def ordinals(self, first: int, last: int) -> list[int]:
        """Return the holidays from ordinal ``first`` to ``last`` (included) as sorted ordinals.

        The same dates as asking ``date.fromordinal(n) in self`` for each day, in one bisect.
        """
        found = self._ordinals
        if found is None:
            found = self._ordinals = _sorted_ordinals(self.dates)
        return _slice(found, first, last)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateHolidays) and other.dates == self.dates

    def __hash__(self) -> int:
        return hash(self.dates)

    def __repr__(self) -> str:
        return f"DateHolidays({len(self.dates)} dates)"

    def to_data(self) -> list[str]:
        return sorted(day.isoformat() for day in self.dates)


class PackageHolidays:
    """Holidays from a ``holidays`` package object, expanded to any year on demand.

    The caller's object is copied, so neither side's later changes (including the
    package's own year expansion) reach the other. Dates the caller added to or
    removed from the object are kept (the copy holds them), and named by ``added`` /
    ``removed``. A year's dates are worked out the first time a query asks about a
    day in it, and only then.
    """

    __slots__ = (
        "_added",
        "_cache",
        "_dates",
        "_lock",
        "_lookup",
        "_ordinals",
        "_overlay",
        "_pending",
        "_removed",
        "_request",
        "_years",
        "categories",
        "country",
        "market",
        "observed",
        "subdiv",
    )

    def __init__(
        self,
        lookup: Any,
        *,
        country: str | None,
        market: str | None,
        subdiv: str | None,
        categories: tuple[str, ...],
        observed: bool,
        added: frozenset[dt.date],
        removed: frozenset[dt.date],
        request: tuple[str, str, str | None, bool, Any] | None = None,
        cache: Entry | None = None,
        pending: Callable[[], tuple[frozenset[dt.date], frozenset[dt.date]]] | None = None,
    ) -> None:
        # The package's object; None until first needed when the dates came from the
        # cache (``request`` then says how to make it: kind, code, subdiv, observed,
        # categories).
        self._lookup = lookup
        self._request = request
        self._cache = cache
        # The package fills in a year lazily and marks it filled first; a second
        # thread in that gap would see no holidays, so lookups go one at a time.
        self._lock = threading.Lock()
        # Each year's holiday dates as the package gives them, read from the object
        # once (or from the on-disk cache, which keeps them)...
        self._years: dict[int, frozenset[dt.date]] = {}
        # ... and as this source answers, the caller's added and removed dates applied:
        # one set lookup per day is ten times cheaper than asking the object, and a
        # chunk asks about 300 times.
        self._dates: dict[int, frozenset[dt.date]] = {}
        # ... and those as sorted ordinals, for ``ordinals`` (made when first asked).
        self._ordinals: dict[int, list[int]] = {}
        self.country = country
        self.market = market
        self.subdiv = subdiv
        self.categories = categories
        self.observed = observed
        self._added = added
        self._removed = removed
        # Dates to add and remove on top of the package's: those the data names. (A
        # caller's object needs none: its dates are in the private copy already.)
        self._overlay = bool(added or removed)
        # How to work out ``added`` and ``removed`` of an object the caller had expanded,
        # when ``to_data`` or ``==`` first asks: it costs a second object and all of its
        # years, which no query needs.
        self._pending = pending

    @classmethod
    def from_object(cls, obj: Any) -> PackageHolidays:
        """Return a source equal in every date to the ``holidays`` object ``obj``."""
        private = _private_copy(obj)
        country = _attribute(obj, "country")
        market = _attribute(obj, "market")
        subdiv = _attribute(obj, "subdiv")
        categories = tuple(sorted(_attribute(obj, "categories") or ()))
        observed = bool(_attribute(obj, "observed", True))
        years = set(_attribute(obj, "years") or ())
        pending = None
        cache = None
        # Nothing expanded yet (the usual fresh object): the caller cannot have added
        # or removed a date, since changing one expands its year first, so its dates
        # are the package's rules', which the on-disk cache may hold. Otherwise the
        # dates it holds now are kept, to compare with the package's rules later.
        if years or len(obj):
            own = tuple(dict.keys(obj))
            pending = functools.partial(
                _changes, type(obj), own, years, country, subdiv, observed, categories
            )
        else:
            cache = _object_cache(obj, country or market, subdiv)
        return cls(
            private,
            country=country,
            market=market,
            subdiv=subdiv,
            categories=categories,
            observed=observed,
            added=frozenset(),
            removed=frozenset(),
            cache=cache,
            pending=pending,
        )

    @classmethod
    def from_data(cls, data: Mapping[str, Any], where: str) -> PackageHolidays:
        """Return the source described by ``{"country": "GB", "subdiv": "ENG", ...}``.

        Years already in the on-disk cache (``_holiday_cache.py``) are read from it,
        and the ``holidays`` package is imported only for a year it lacks.
        """
        country, market = data.get("country"), data.get("market")
        categories = data.get("categories") or None
        observed = bool(data.get("observed", True))
        request: tuple[str, str, str | None, bool, Any] | None = None
        cache = None
        if market or country:
            kind = "financial" if market else "countries"
            subdiv = None if market else data.get("subdiv")
            request = (kind, str(market or country), subdiv, observed, categories)
            cache = cache_entry(kind, request[1], subdiv, categories, observed)
            if cache is not None and cache.attributes is not None:
                known = cache.attributes
                return cls(
                    None,
                    country=known.country,
                    market=known.market,
                    subdiv=known.subdiv,
                    categories=known.categories,
                    observed=observed,
                    added=parse_dates(data.get("add", ()), f"{where}.add"),
                    removed=parse_dates(data.get("remove", ()), f"{where}.remove"),
                    request=request,
                    cache=cache,
                )
        obj = _package_object(request, where, data)
        added = parse_dates(data.get("add", ()), f"{where}.add")
        removed = parse_dates(data.get("remove", ()), f"{where}.remove")
        return cls(
            obj,
            country=getattr(obj, "country", None),
            market=getattr(obj, "market", None),
            subdiv=getattr(obj, "subdiv", None),
            categories=tuple(sorted(getattr(obj, "categories", None) or ())),
            observed=observed,
            added=added,
            removed=removed,
            request=request,
            cache=cache,
        )

    def __contains__(self, day: object) -> bool:
        if type(day) is dt.date:
            dates = self._dates.get(day.year)
            if dates is None:
                dates = self._year(day.year)
            return day in dates
        if self._overlay:
            if day in self._added:
                return True
            if day in self._removed:
                return False
        with self._lock:
            return day in self._object()

    def ordinals(self, first: int, last: int) -> list[int]:
        """Return the holidays from ordinal ``first`` to ``last`` (included) as sorted ordinals.

        The same dates as asking ``date.fromordinal(n) in self`` for each day: each
        year's dates are worked out as that would (only the years the range meets),
        then found by bisecting the year's sorted ordinals.
        """
        found: list[int] = []
        if first > last:
            return found
        year = dt.date.fromordinal(first).year
        final = dt.date.fromordinal(last).year
        while year <= final:
            ordinals = self._ordinals.get(year)
            if ordinals is None:
                dates = self._dates.get(year)
                if dates is None:
                    dates = self._year(year)
                ordinals = self._ordinals[year] = _sorted_ordinals(dates)
            found.extend(_slice(ordinals, first, last))
            year += 1
        return found

    def _year(self, year: int) -> frozenset[dt.date]:
        """Return the holiday dates of ``year``, asking the package the first time only."""
        with self._lock:
            dates = self._years.get(year)
            if dates is None and self._cache is not None:
                dates = self._cache.year(year)
            if dates is None:
                lookup = self._object()
                dt.date(year, 1, 1) in lookup  # noqa: B015 - fills in the year
                dates = frozenset(key for key in lookup if getattr(key, "year", None) == year)
                self._years[year] = dates
                if self._cache is not None:
                    attributes = Attributes(self.country, self.market, self.subdiv, self.categories)
                    self._cache.save(attributes, self._years)
            if self._overlay:
                dates = dates.union(day for day in self._added if day.year == year)
                dates = dates.difference(self._removed)
            self._dates[year] = dates
            return dates

    def _object(self) -> Any:
        """Return the package's object, making it now if the cache stood in for it so far."""
        if self._lookup is None:
            self._lookup = _package_object(self._request, "holidays", {})
        return self._lookup

    @property
    def added(self) -> frozenset[dt.date]:
        """Return the dates the caller or the data added to the package's."""
        if self._pending is not None:
            self._settle()
        return self._added

    @property
    def removed(self) -> frozenset[dt.date]:
        """Return the package's dates that the caller or the data removed."""
        if self._pending is not None:
            self._settle()
        return self._removed

    def _settle(self) -> None:
        """Work out ``added`` and ``removed`` of the caller's expanded object (once)."""
        with self._lock:
            if self._pending is not None:
                self._added, self._removed = self._pending()
                self._pending = None

    def _key(self) -> tuple[object, ...]:
        return (
            self.country,
            self.market,
            self.subdiv,
            self.categories,
            self.observed,
            self.added,
            self.removed,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackageHolidays) and other._key() == self._key()

    def __hash__(self) -> int:
        # Without ``added`` and ``removed``: equal sources still hash alike, and
        # hashing (as every calendar does when built) works nothing out.
        return hash((self.country, self.market, self.subdiv, self.categories, self.observed))

    def __repr__(self) -> str:
        where = self.market or self.country
        subdiv = f", subdiv={self.subdiv!r}" if self.subdiv else ""
        return f"PackageHolidays({where!r}{subdiv})"

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"market": self.market} if self.market else {"country": self.country}
        if self.subdiv:
            data["subdiv"] = self.subdiv
        if self.categories and self.categories != ("public",):
            data["categories"] = list(self.categories)
        if not self.observed:
            data["observed"] = False
        if self.added:
            data["add"] = sorted(day.isoformat() for day in self.added)
        if self.removed:
            data["remove"] = sorted(day.isoformat() for day in self.removed)
        return data


def _object_cache(obj: Any, code: str | None, subdiv: str | None) -> Entry | None:
    """Return the on-disk cache entry (``_holiday_cache``) of an unexpanded ``holidays`` object.

    Its years are those of any object of the package's class in the same state (the
    constructor's arguments, such as ``subdiv``, ``observed``, ``categories`` or a
    country's own options, are attributes): the entry is keyed by the class and by
    that state, written out whole. None for a class from outside the package (a
    caller's subclass may compute anything), a state that cannot be written out, or
    no cache.
    """
    kind = type(obj)
    module = getattr(kind, "__module__", "")
    attributes = getattr(obj, "__dict__", None)
    if not module.startswith("holidays.") or not isinstance(attributes, dict):
        return None
    request = {"kind": "object", "class": f"{module}.{kind.__qualname__}"}
    label = "-".join(str(part) for part in (code, subdiv) if part is not None)
    return cache_keyed("object", label, request, functools.partial(_written_state, attributes))


def _written_state(attributes: dict[str, Any]) -> str | None:
    """Return a ``holidays`` object's attributes (``__dict__``) written out, or None if some
    cannot be."""
    # In the order the constructor set them (the same every time; another order
    # would only miss the cache).
    state: list[object] = []
    written = _WRITTEN
    try:
        for name, value in attributes.items():
            if name not in _STATELESS:
                state.append(name)
                state.append(("", value) if type(value) in written else _state(value, 0))
        return marshal.dumps(state, _MARSHAL_VERSION).hex()
    except (ValueError, TypeError):
        return None


#: A ``holidays`` object's attributes that never change its dates: the names' language
#: and translation, the years expanded so far (none, for an object the cache serves),
#: and the flag that its constructor finished.
_STATELESS = frozenset({"tr", "language", "years", "_initialized"})
#: How deep ``_state`` looks into the package's objects within objects.
_STATE_DEPTH = 8
#: The ``marshal`` format of a state: version 2 writes a value the same way every time
#: (later versions mark values shared by reference count, which varies).
_MARSHAL_VERSION = 2
#: Types ``_state`` passes to ``marshal`` as they are.
_WRITTEN = frozenset({type(None), bool, int, float, str, tuple, list, dict})


def _state(value: object, depth: int) -> tuple[str, object]:
    """Return ``value`` tagged with its kind, as ``marshal`` writes it the same in every process.

    Plain values, and tuples, lists and dicts of them, as they are (``marshal`` refuses
    anything else in them); sets sorted; objects of the package's own classes (such as
    its dict of observed-day rules) by class and attributes. ``ValueError`` for anything
    else: a function, another library's object.
    """
    kind = type(value)
    if kind in _WRITTEN:
        return "", value
    if kind is set or kind is frozenset:
        return kind.__name__, sorted(value, key=repr)  # type: ignore[call-overload]
    name = f"{kind.__module__}.{kind.__qualname__}"
    if not name.startswith("holidays."):
        return "", value
    if depth >= _STATE_DEPTH or callable(value):
        raise ValueError(name)
    if isinstance(value, dict):
        items = dict.items(value)
    elif isinstance(value, Mapping) or not isinstance(getattr(value, "__dict__", None), dict):
        raise ValueError(name)
    else:
        items = vars(value).items()
    return name, [(key, _state(item, depth + 1)) for key, item in items]


def _changes(  # noqa: PLR0917 - a partial application, positional by nature
    kind: Any,
    own: tuple[Any, ...],
    years: set[int],
    country: str | None,
    subdiv: str | None,
    observed: bool,
    categories: tuple[str, ...],
) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Return the dates in ``own`` the package's rules lack, and theirs that ``own`` lacks.

    ``own`` are the dates a caller's object of class ``kind`` held for ``years``; the
    rules are a fresh object of that class for those years.
    """
    try:
        reference = (
            kind(years=years, subdiv=subdiv, observed=observed, categories=categories or None)
            if country
            else kind(years=years, observed=observed)
        )
        reference_dates = {dt.date.fromordinal(day.toordinal()) for day in reference}
    except Exception:
        reference_dates = set()
    own_dates = {dt.date.fromordinal(day.toordinal()) for day in own}
    return frozenset(own_dates - reference_dates), frozenset(reference_dates - own_dates)


def _package_object(
    request: tuple[str, str, str | None, bool, Any] | None, where: str, data: object
) -> Any:
    """Return the ``holidays`` object a request (kind, code, subdiv, observed, categories) names."""
    try:
        package = importlib.import_module("holidays")
    except ImportError as exc:  # pragma: no cover - holidays is a dependency
        raise ScheduleError(f"{where}: the 'holidays' package is needed for {brief(data)}") from exc
    if request is None:
        raise ScheduleError(f"{where}: holidays need a 'country' or a 'market'")
    kind, code, subdiv, observed, categories = request
    try:
        return load_holidays(
            package,
            code,
            financial=kind == "financial",
            subdiv=subdiv,
            observed=observed,
            categories=categories,
        )
    except NotImplementedError as exc:
        raise ScheduleError(f"{where}: {exc}") from exc
    except (KeyError, ValueError) as exc:
        if isinstance(exc, ScheduleError):
            raise
        raise ScheduleError(f"{where}: {exc}") from exc


def holiday_class(package: Any, code: str, *, financial: bool = False) -> Any | None:
    """Return the ``holidays`` class for a country or market code, importing only its module.

    The package's ``country_holidays("GB")`` imports its ``countries`` package,
    whose ``__init__`` imports all of its 250 country modules (about 0.3 s) to
    find one. This reads the package's registry instead, makes its ``countries``
    (or ``financial``) package importable without running that ``__init__``
    (which then runs on first use of any name it would define), and imports the
    one module. None when the package does not work that way (any other
    version): callers then use the package's public functions.
    """
    try:
        registry = importlib.import_module("holidays.registry")
        table: dict[str, tuple[str, ...]] = registry.FINANCIAL if financial else registry.COUNTRIES
        lock = registry.IMPORT_LOCK
    except (ImportError, AttributeError):
        return None
    module_name = next((module for module, names in table.items() if code in names), None)
    if module_name is None:
        return None
    kind = "financial" if financial else "countries"
    with lock:
        try:
            _deferred_package(package, kind, lock)
            module = importlib.import_module(f"holidays.{kind}.{module_name}")
        except ImportError:
            return None
    return getattr(module, code, None)


def load_holidays(
    package: Any,
    code: str,
    *,
    financial: bool = False,
    subdiv: str | None = None,
    observed: bool = True,
    categories: Any = None,
) -> Any:
    """Return what ``holidays.country_holidays`` (or ``financial_holidays``) returns for ``code``.

    Loads that country's module alone where it can (see ``holiday_class``).
    """
    found = holiday_class(package, code, financial=financial)
    if found is not None:
        return found(subdiv=subdiv, observed=observed, categories=categories)
    if financial:
        return package.financial_holidays(code, observed=observed, categories=categories)
    return package.country_holidays(code, subdiv=subdiv, observed=observed, categories=categories)


def _deferred_package(package: Any, kind: str, lock: Any) -> None:
    """Put ``holidays.<kind>`` in ``sys.modules`` with its ``__init__`` run on first use.

    Its submodules import as usual meanwhile. The first name looked up on the
    package that is not there yet (``holidays.countries.Germany``, a ``*``
    import) runs the real ``__init__`` into the same module object, so the
    package ends up exactly as a plain import leaves it.
    """
    name = f"holidays.{kind}"
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(name)
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def finish(attribute: str) -> Any:
        with lock:
            if module.__dict__.get("__getattr__") is finish:
                del module.__dict__["__getattr__"]
                loader.exec_module(module)
        try:
            return module.__dict__[attribute]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None

    module.__dict__["__getattr__"] = finish
    sys.modules[name] = module
    setattr(package, kind, module)


def _private_copy(obj: Any) -> Any:
    """Return a copy of the ``holidays`` object ``obj`` that shares nothing either side changes.

    What ``copy.deepcopy(obj)`` gives, for a tenth of its cost: the package's own
    state (``__getstate__``, its attributes less the translation function) is
    deep-copied onto a new object as its ``__setstate__`` would, except that the
    translation function and the read-only tables are shared (``_shared_tables``)
    rather than looked up again (a gettext search of the file system), and the
    dates and names, immutable values, are copied by reference. An object whose
    class changes how it is copied (or another version of the package that does)
    is deep-copied.
    """
    cls: Any = type(obj)
    attributes = getattr(obj, "__dict__", None)
    if (
        not issubclass(cls, dict)
        or not isinstance(attributes, dict)
        or "tr" not in attributes
        or getattr(cls.__getstate__, "__qualname__", "") != "HolidayBase.__getstate__"
        or getattr(cls.__setstate__, "__qualname__", "") != "HolidayBase.__setstate__"
    ):
        return copy.deepcopy(obj, _shared_tables(obj))
    state = cls.__getstate__(obj)
    memo = _shared_tables(obj)
    private = cls.__new__(cls)
    memo[id(obj)] = private  # an attribute naming the object names the copy, as in deepcopy
    # What HolidayBase.__setstate__ does, less its new translation: the package's
    # __setattr__ is bypassed, as there, so setting ``years`` repopulates nothing.
    private.__dict__.update({name: _deep_copy(value, memo) for name, value in state.items()})
    private.__dict__["_initialized"] = True
    private.__dict__["tr"] = attributes["tr"]
    dict.update(private, dict.items(obj))  # the raw entries: no method of the package runs
    return private


#: Types whose values never change: a deep copy may share them.
_ATOMIC = frozenset({type(None), bool, int, float, str, bytes, dt.date})


def _deep_copy(value: Any, memo: dict[int, Any]) -> Any:
    """Return ``copy.deepcopy(value, memo)``, quicker for the values a holidays object holds.

    Immutable values are shared, as ``deepcopy`` shares them, and a set of them is
    copied with ``set()`` instead of ``deepcopy``'s general walk; ``memo`` records
    the copy, so two attributes holding one set still hold one set afterwards.
    """
    kind = type(value)
    if kind in _ATOMIC:
        return value
    found = memo.get(id(value), memo)
    if found is not memo:
        return found
    if kind is set and all(type(item) in _ATOMIC for item in value):
        copied = set(value)
        memo[id(value)] = copied  # ``value`` outlives the memo: the state holds it
        return copied
    return copy.deepcopy(value, memo)


def _shared_tables(obj: Any) -> dict[int, Any]:
    """Return a ``deepcopy`` memo that shares the package's read-only tables of ``obj``.

    Half the cost of copying a ``holidays`` object is its gettext catalogue and
    its tables of special dates, which the package sets up once and only reads:
    the copy may share them. So may its rule for observed days (``_observed_rule``,
    one of the package's module constants, which it replaces but never changes).
    """
    memo: dict[int, Any] = {}
    translation = getattr(getattr(obj, "tr", None), "__self__", None)
    if translation is not None:
        memo[id(translation)] = translation
    for name, value in getattr(obj, "__dict__", {}).items():
        if (name.startswith("special_") or name == "_observed_rule") and isinstance(value, dict):
            memo[id(value)] = value
    return memo


class UnionHolidays:
    """Holidays of several sources: a date is a holiday if any of them has it (``GB() + US()``)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[DateHolidays | PackageHolidays, ...]) -> None:
        self.parts = parts

    def __contains__(self, day: object) -> bool:
        return any(day in part for part in self.parts)

    def ordinals(self, first: int, last: int) -> list[int]:
        """Return the days from ordinal ``first`` to ``last`` that any part has, sorted."""
        found: set[int] = set()
        for part in self.parts:
            found.update(part.ordinals(first, last))
        return sorted(found)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnionHolidays) and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(self.parts)

    def __repr__(self) -> str:
        return " + ".join(repr(part) for part in self.parts)

    def to_data(self) -> list[object]:
        return [part.to_data() for part in self.parts]


_Source = DateHolidays | PackageHolidays | UnionHolidays


def holiday_source(value: object, where: str = "holidays") -> _Source:
    """Return the holiday source for a ``holidays`` object, a collection of dates, or data."""
    if isinstance(value, (DateHolidays, PackageHolidays, UnionHolidays)):
        return value
    if value is None:
        return DateHolidays(frozenset())
    parts = _attribute(value, "holidays")
    if isinstance(value, Mapping) and hasattr(value, "expand") and isinstance(parts, list):
        # A sum of holidays objects (GB() + US()): keep each part, so each expands.
        return _union([holiday_source(part, where) for part in parts])
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, (Mapping, list)) for item in value)
        and any(isinstance(item, Mapping) for item in value)
    ):
        # The data a UnionHolidays writes: one entry per part.
        return _union(
            [holiday_source(item, f"{where}[{number}]") for number, item in enumerate(value)]
        )
    if isinstance(value, Mapping) and hasattr(value, "expand") and not _is_holidays_object(value):
        # A bare HolidayBase() filled by hand: it has no rules to expand, only its dates.
        return DateHolidays(parse_dates(list(value), where))
    if _is_holidays_object(value):
        if not getattr(value, "expand", True):
            # A fixed object answers only for the years it holds: take them as dates.
            return DateHolidays(parse_dates(value, where))  # type: ignore[arg-type]
        return PackageHolidays.from_object(value)
    if isinstance(value, Mapping) and ("country" in value or "market" in value):
        return PackageHolidays.from_data(value, where)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ScheduleError(
            f"{where}: expected a holidays object such as holidays.country_holidays('GB') "
            f"or a collection of dates, not {brief(value)}"
        )
    return DateHolidays(parse_dates(value, where))


def _union(parts: list[_Source]) -> _Source:
    flat: list[DateHolidays | PackageHolidays] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, UnionHolidays) else (part,))
    return flat[0] if len(flat) == 1 else UnionHolidays(tuple(flat))


def _attribute(value: object, name: str, default: Any = None) -> Any:
    """Return ``getattr(value, name, default)``, quickly when a ``holidays`` object lacks it.

    The package's ``HolidayBase.__getattr__`` makes each missing name cost about
    3 µs (it looks the name up again and re-raises); it answers only names that
    start with ``_add_holiday_``, so for any other the plain lookup gives the same.
    """
    hook = getattr(type(value), "__getattr__", None)
    if getattr(hook, "__qualname__", "") != "HolidayBase.__getattr__" or name.startswith(
        "_add_holiday_"
    ):
        return getattr(value, name, default)
    try:
        return object.__getattribute__(value, name)
    except AttributeError:
        return default


def _is_holidays_object(value: object) -> bool:
    """Return whether ``value`` quacks like a ``holidays.HolidayBase``."""
    return (
        isinstance(value, Mapping)
        and hasattr(value, "expand")
        and (_attribute(value, "country") is not None or _attribute(value, "market") is not None)
    )
