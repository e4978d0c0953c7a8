"""The quick document shape check lets through exactly what the full walk lets through."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock.config import _documents
from slaclock.config._documents import _check_shape, _within_limits, parse_document
from slaclock.errors import ConfigError

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"


def _refusal(data: object, source: str = "doc") -> str | None:
    """Return what the full walk says of ``data`` (None: within every limit)."""
    try:
        _check_shape(data, source)
    except ConfigError as error:
        return str(error)
    return None


_BIG = 10**_documents.MAX_NUMBER_DIGITS
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.integers(-3, 3),
    st.sampled_from([_BIG - 1, _BIG, -_BIG, -_BIG + 1, 2**100]),
    st.tuples(st.integers()),  # a scalar to the walk: not looked into
)


def _documents_of(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.text(max_size=3), st.sampled_from([1, _BIG])), inner),
        ),
        max_leaves=30,
    )


@st.composite
def _nested(draw: st.DrawFn) -> object:
    """A document, sometimes wrapped in 25-40 tables and lists to reach ``MAX_DEPTH``."""
    data = draw(_documents_of(_LEAVES))
    for _ in range(draw(st.sampled_from([0, 0, 25, 30, 31, 32, 40]))):
        data = [data] if draw(st.booleans()) else {"k": data}
    return data


@given(_nested(), st.sampled_from([5, 20, 200_000]))
def test_quick_check_agrees_with_the_walk(data: object, limit: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_documents, "MAX_VALUES", limit)
        full = _walk(data)
        assert _within_limits(data) == (full is None)
        assert _refusal(data) == full


def _walk(data: object) -> str | None:
    """The full walk alone, as ``_check_shape`` was before the quick check (the reference)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > _documents.MAX_VALUES:
            return f"doc: holds more values than the limit MAX_VALUES ({_documents.MAX_VALUES}), counting what YAML aliases expand to"  # noqa: E501
        if isinstance(value, dict):
            children: list[object] = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            if isinstance(value, int) and abs(value) >= _BIG:
                return "doc: a number is longer than the limit MAX_NUMBER_DIGITS (20 digits)"
            continue
        if depth >= _documents.MAX_DEPTH and children:
            return "doc: nested deeper than the limit MAX_DEPTH (32)"
        stack.extend((child, depth + 1) for child in children)
    return None


def test_self_reference_is_refused_quickly() -> None:
    looped: list[object] = []
    looped.append(looped)
    shared: dict[str, object] = {}
    shared["me"] = [shared, shared]
    for data in (looped, shared):
        assert not _within_limits(data)
        assert _refusal(data) == _walk(data) is not None


_FORMATS = {".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}


@pytest.mark.parametrize(
    "path",
    sorted(path for path in HOSTILE.iterdir() if path.suffix in _FORMATS),
    ids=lambda path: path.name,
)
def test_hostile_files_refused_as_before(path: Path) -> None:
    format = _FORMATS[path.suffix]
    try:  # parsed without the shape check, to give both walks what the parser built
        data = _documents._PARSERS[format](path.read_text("utf-8"), "doc")
    except (ConfigError, RecursionError, UnicodeDecodeError):
        return  # refused while parsing, before any walk
    assert _within_limits(data) == (_walk(data) is None)
    with pytest.raises(ConfigError) if _walk(data) else _nothing():
        parse_document(path.read_bytes(), format, "doc")


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield
