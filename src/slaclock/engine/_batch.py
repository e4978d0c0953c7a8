"""Batch queries: ``elapsed_many`` and ``add_many`` over arrays, columns or lists.

With NumPy installed (``slaclock[fast]``) the chunks a batch touches are laid
out as flat arrays and every element is answered by ``searchsorted``: the same
arithmetic as the single calls, vectorized. Without NumPy, plain lists still
work through the single-call path. NumPy, pandas and pyarrow are imported only
when the input is one of theirs, so the engine stays standard-library only.

NumPy ``datetime64`` values carry no zone; they are read as UTC (NumPy's own
convention). pandas and Arrow timestamps must carry a zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._index import CHUNK_BITS, FIRST_CHUNK, HORIZON_CHUNKS, LAST_CHUNK, PeriodIndex
from ._time import duration_us, from_us, to_us
from .errors import NaiveDatetimeError, NoBusinessTimeError, OutOfRangeError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    BoolArray = npt.NDArray[np.bool_]

#: NumPy's NaT as an int64: a missing value in, a missing value out.
NAT = -(2**63)


def _module_of(values: object) -> str:
    return type(values).__module__.split(".", 1)[0]


def _numpy_or_none() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - exercised only without numpy
        return None
    return numpy


class _Column:
    """Input normalized to int64 µs (NaT for missing), and how to shape the output."""

    def __init__(self, values: Any, kind: str, data: IntArray, template: Any = None) -> None:
        self.values = values
        self.kind = kind
        self.data = data
        self.template = template


def _instants(values: Any, what: str) -> _Column:
    """Return ``values`` (array, column or list of aware datetimes) as µs since the epoch."""
    np = _numpy_or_none()
    origin = _module_of(values)
    if origin == "pandas":
        import pandas as pd

        zone = getattr(getattr(values, "dtype", None), "tz", None)
        if zone is None:
            if pd.api.types.is_datetime64_dtype(values):
                raise NaiveDatetimeError(
                    f"{what}: the pandas timestamps have no time zone; "
                    "use .dt.tz_localize(...) (or tz_localize on an index) first"
                )
            return _instants(list(values), what)
        utc = (
            values.dt.tz_convert("UTC")
            if isinstance(values, pd.Series)
            else (values.tz_convert("UTC"))
        )
        naive = (
            utc.dt.tz_localize(None) if isinstance(values, pd.Series) else (utc.tz_localize(None))
        )
        data = naive.to_numpy(dtype="datetime64[us]").view("int64")
        return _Column(values, "pandas", data)
    if origin == "pyarrow":
        import pyarrow as pa

        kind = values.type
        if not pa.types.is_timestamp(kind):
            raise TypeError(f"{what}: expected an Arrow timestamp column, got {kind}")
        if kind.tz is None:
            raise NaiveDatetimeError(
                f"{what}: the Arrow timestamps have no time zone; cast to a zoned timestamp"
            )
        cast = values.cast(pa.timestamp("us", tz="UTC"))
        data = cast.to_numpy(zero_copy_only=False).astype("datetime64[us]").view("int64")
        return _Column(values, "arrow", data)
    if np is not None and isinstance(values, np.ndarray):
        if values.dtype.kind == "M":
            # copy=False: already µs (the usual case), the array is only viewed, never written.
            data = values.astype("datetime64[us]", copy=False).view("int64")
            return _Column(values, "numpy", data)
        if values.dtype.kind == "O":
            return _instants(values.tolist(), what)
        raise TypeError(f"{what}: expected datetime64 values, got dtype {values.dtype}")
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{what}: expected an array, column or list of datetimes, not {values!r}")
    items = list(values)
    numbers = [NAT if item is None else to_us(item, f"{what}[{i}]") for i, item in enumerate(items)]
    if np is None:  # pragma: no cover - exercised only without numpy
        return _Column(items, "list", numbers)  # type: ignore[arg-type]
    return _Column(items, "list", np.array(numbers, dtype="int64"))


def _durations(values: Any, what: str) -> IntArray:
    """Return ``values`` (timedelta array, column or list) as int64 µs (NaT for missing)."""
    np = _numpy_or_none()
    origin = _module_of(values)
    if origin == "pandas":
        return np.asarray(values.to_numpy(dtype="timedelta64[us]")).view("int64")  # type: ignore[no-any-return]
    if origin == "pyarrow":
        import pyarrow as pa

        cast = values.cast(pa.duration("us"))
        return cast.to_numpy(zero_copy_only=False).astype("timedelta64[us]").view("int64")  # type: ignore[no-any-return]
    if np is not None and isinstance(values, np.ndarray) and values.dtype.kind == "m":
        return values.astype("timedelta64[us]").view("int64")  # type: ignore[no-any-return]
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{what}: expected an array, column or list of timedeltas, not {values!r}")
    numbers = [
        NAT if item is None else duration_us(item, f"{what}[{i}]") for i, item in enumerate(values)
    ]
    if np is None:  # pragma: no cover
        return numbers  # type: ignore[return-value]
    array: IntArray = np.array(numbers, dtype="int64")
    return array


class _Lookup:
    """Counts, for many integers at once, how many of a strictly increasing array are <= each.

    ``numpy.searchsorted`` on unsorted queries spends most of its time on cache
    misses. Here a table over buckets no wider than the smallest gap between
    values holds each bucket's count, so a query is two gathers and a compare.
    It falls back to ``searchsorted`` when the table would be large.
    """

    MAX_BUCKETS = 1 << 21

    def __init__(self, values: IntArray) -> None:
        import numpy as np

        self.values = values
        self.table: IntArray | None = None
        if values.size < 2:
            return
        gap = int(np.min(np.diff(values)))
        self.shift = max(gap.bit_length() - 1, 0)
        self.low = int(values[0]) - 1
        self.high = int(values[-1])
        buckets = ((self.high - self.low) >> self.shift) + 1
        if buckets > self.MAX_BUCKETS:
            return
        edges = self.low + (np.arange(buckets, dtype="int64") << self.shift)
        self.table = np.searchsorted(values, edges, side="right")
        # A sentinel past the end, so "the first value above the bucket edge" always exists.
        self.padded = np.append(values, np.iinfo("int64").max)

    def count_le(self, t: IntArray) -> IntArray:
        """Return how many values are ``<= t``, for each element of ``t``."""
        import numpy as np

        if self.table is None:
            return np.searchsorted(self.values, t, side="right")
        # In place where it can be: on big inputs every new array costs about a pass
        # (fresh pages), and ``take`` gathers faster than fancy indexing.
        clipped = np.clip(t, self.low, self.high)
        count = np.subtract(clipped, self.low)
        np.right_shift(count, self.shift, out=count)
        np.take(self.table, count, out=count, mode="clip")  # in range: ``clipped``
        count += np.take(self.padded, count) <= clipped
        return count


class _Flat:
    """The open periods of a run of chunks as flat arrays, with running open time."""

    def __init__(self, index: PeriodIndex, first: int, last: int) -> None:
        import numpy as np

        self.first = first
        self.last = last
        starts: list[int] = []
        ends: list[int] = []
        for number in range(first, last + 1):
            chunk = index.chunk(number)
            begin = 0
            if ends and chunk.starts and chunk.starts[0] == ends[-1]:
                # One period cut at a chunk seam: join it, so edges strictly increase.
                ends[-1] = chunk.ends[0]
                begin = 1
            starts.extend(chunk.starts[begin:])
            ends.extend(chunk.ends[begin:])
        self.starts = np.array(starts, dtype="int64")
        self.ends = np.array(ends, dtype="int64")
        self.cum_end = np.cumsum(self.ends - self.starts)
        # Edges s0, e0, s1, e1, ...: an even position opens time, an odd one closes it.
        self.edges = np.empty(2 * self.starts.size, dtype="int64")
        self.edges[0::2] = self.starts
        self.edges[1::2] = self.ends
        self.edge_cum = np.empty_like(self.edges)
        self.edge_cum[1::2] = self.cum_end
        self.edge_cum[0::2] = self.cum_end - (self.ends - self.starts)
        self.edge_lookup = _Lookup(self.edges)
        self.cum_lookup = _Lookup(self.cum_end)

    @property
    def total(self) -> int:
        """Return the open time in the whole run of chunks."""
        return int(self.cum_end[-1]) if self.cum_end.size else 0

    def cum(self, t: IntArray) -> IntArray:
        """Return the open time from the first chunk's start to each ``t``."""
        import numpy as np

        if self.edges.size == 0:
            return np.zeros_like(t)
        last = self.edge_lookup.count_le(t) - 1
        safe = np.maximum(last, 0)
        opens = (safe & 1) == 0
        result = self.edge_cum[safe] + (t - self.edges[safe]) * opens
        result[last < 0] = 0
        return result  # type: ignore[no-any-return]

    def locate(self, target: IntArray, forward: BoolArray) -> IntArray:
        """Return the instant where the running open time reaches ``target``.

        Forward (adding) takes the earliest such instant, backward the latest.
        """
        import numpy as np

        # side="left" on integers is side="right" one below.
        j = self.cum_lookup.count_le(target - forward.astype("int64"))
        np.minimum(j, self.cum_end.size - 1, out=j)
        return self.ends[j] - (self.cum_end[j] - target)


#: How many runs of chunks a calendar keeps lookup tables for.
MAX_CACHED_TABLES = 4


def _tables(index: PeriodIndex, first: int, last: int) -> _Flat:
    """Return lookup tables covering chunks ``first`` to ``last``, built once per calendar.

    Any cached run that covers the span serves: running open time is only ever
    subtracted (``elapsed``) or located within the same run (``add``).
    """
    cache = index.batch_tables
    for (low, high), flat in list(cache.items()):
        if low <= first and last <= high:
            return flat  # type: ignore[no-any-return]
    flat = _Flat(index, first, last)
    if len(cache) >= MAX_CACHED_TABLES:
        cache.pop(next(iter(cache)), None)
    cache[(first, last)] = flat
    return flat


def _chunk_span(*arrays: IntArray) -> tuple[int, int] | None:
    import numpy as np

    valid = [array[array != NAT] for array in arrays]
    valid = [array for array in valid if array.size]
    if not valid:
        return None
    low = min(int(np.min(array)) for array in valid)
    high = max(int(np.max(array)) for array in valid)
    return low >> CHUNK_BITS, high >> CHUNK_BITS


def _shape_instants(column: _Column, data: IntArray, zone: ZoneInfo) -> Any:
    """Return µs values shaped like the input column: same container, calendar's zone."""
    if column.kind == "numpy":
        return data.view("datetime64[us]")
    if column.kind == "pandas":
        import pandas as pd

        stamps = data.view("datetime64[us]")
        if isinstance(column.values, pd.Series):
            return (
                pd.Series(stamps, index=column.values.index, name=column.values.name)
                .dt.tz_localize("UTC")
                .dt.tz_convert(zone.key)
            )
        return (
            pd.DatetimeIndex(stamps, name=getattr(column.values, "name", None))
            .tz_localize("UTC")
            .tz_convert(zone.key)
        )
    if column.kind == "arrow":
        import pyarrow as pa

        return pa.array(data, type=pa.int64(), mask=data == NAT).cast(
            pa.timestamp("us", tz=zone.key)
        )
    return [None if value == NAT else from_us(value, zone) for value in data.tolist()]


def _shape_durations(column: _Column, data: IntArray) -> Any:
    import numpy as np

    missing = data == NAT
    if column.kind == "numpy":
        return data.view("timedelta64[us]")
    if column.kind == "pandas":
        import pandas as pd

        deltas = data.view("timedelta64[us]")
        if isinstance(column.values, pd.Series):
            return pd.Series(deltas, index=column.values.index, name=column.values.name)
        return pd.TimedeltaIndex(deltas, name=getattr(column.values, "name", None))
    if column.kind == "arrow":
        import pyarrow as pa

        return pa.array(data, type=pa.int64(), mask=missing).cast(pa.duration("us"))
    return [
        None if gone else dt.timedelta(microseconds=int(value))
        for value, gone in zip(data.tolist(), np.asarray(missing).tolist(), strict=True)
    ]


def elapsed_many(index: PeriodIndex, starts: Any, ends: Any) -> Any:
    """Return the open time between each pair, shaped like ``starts``."""
    np = _numpy_or_none()
    begin = _instants(starts, "starts")
    finish = _instants(ends, "ends")
    if np is None:  # pragma: no cover - exercised only without numpy
        return [
            None if NAT in (a, b) else dt.timedelta(microseconds=index.elapsed(a, b))
            for a, b in zip(begin.data, finish.data, strict=True)
        ]
    if begin.data.shape != finish.data.shape:
        raise ValueError(
            f"starts and ends differ in length: {begin.data.size} and {finish.data.size}"
        )
    result = np.full(begin.data.shape, NAT, dtype="int64")
    span = _chunk_span(begin.data, finish.data)
    if span is not None:
        flat = _tables(index, *span)
        valid = (begin.data != NAT) & (finish.data != NAT)
        if valid.all():
            result = flat.cum(finish.data) - flat.cum(begin.data)
        else:
            result[valid] = flat.cum(finish.data[valid]) - flat.cum(begin.data[valid])
    return _shape_durations(begin, result)


def _grow(index: PeriodIndex, number: int, step: int, needed: int) -> int:
    """Return the chunk number, from ``number`` stepping by ``step``, that holds ``needed`` more
    open time; raise NoBusinessTimeError past the horizon, as the single calls do."""
    empty = 0
    while needed > 0:
        number += step
        if not FIRST_CHUNK <= number <= LAST_CHUNK:
            raise OutOfRangeError("the search ran past the range a datetime can hold")
        total = index.total(number)
        empty = 0 if total else empty + 1
        if empty >= HORIZON_CHUNKS:
            raise NoBusinessTimeError("no open time within the search horizon")
        needed -= total
    return number


def add_many(index: PeriodIndex, starts: Any, durations: Any, zone: ZoneInfo) -> Any:
    """Return ``add(start, duration)`` for each pair, shaped like ``starts``."""
    np = _numpy_or_none()
    begin = _instants(starts, "starts")
    amounts = _durations(durations, "durations")
    if np is None:  # pragma: no cover - exercised only without numpy
        return [
            None if NAT in (a, d) else from_us(index.add(a, d), zone)
            for a, d in zip(begin.data, amounts, strict=True)
        ]
    if begin.data.shape != amounts.shape:
        raise ValueError(
            f"starts and durations differ in length: {begin.data.size} and {amounts.size}"
        )
    result = np.full(begin.data.shape, NAT, dtype="int64")
    valid = (begin.data != NAT) & (amounts != NAT)
    everything = bool(valid.all())
    a, d = (begin.data, amounts) if everything else (begin.data[valid], amounts[valid])
    span = _chunk_span(a)
    if span is not None:
        flat = _tables(index, *span)
        target = flat.cum(a) + d
        # Widen the run of chunks until every target lies inside it.
        # (The tables may cover more chunks than the span: grow from their edges.)
        last = _grow(index, flat.last, 1, int(np.max(target)) - flat.total)
        first = _grow(index, flat.first, -1, -int(np.min(target)))
        if (first, last) != (flat.first, flat.last):
            flat = _tables(index, first, last)
            target = flat.cum(a) + d
        moved = flat.locate(target, d > 0) if flat.cum_end.size else a
        answer = np.where(d == 0, a, moved)
        if everything:
            result = answer
        else:
            result[valid] = answer
    return _shape_instants(begin, result, zone)
