"""Reading TOML, JSON and YAML documents: parsed to plain data, nothing executed, sizes bounded.

Calendar and policy files are configuration, but they are edited by hand and
passed around, so reading one is bounded: a file of at most ``MAX_DOCUMENT_BYTES``,
nested at most ``MAX_DEPTH`` deep, holding at most ``MAX_VALUES`` values (YAML
aliases counted as what they expand to), numbers of at most ``MAX_NUMBER_DIGITS``
digits. A key given twice is an error naming the key (TOML already refuses it; JSON
and YAML would silently keep the last one). A UTF-8 byte order mark, which Excel and
Notepad write, is accepted. Each refusal is a ``ConfigError`` that names the limit.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slaclock.engine._text import brief
from slaclock.errors import ConfigError

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_NUMBER_DIGITS",
    "MAX_VALUES",
    "parse_document",
    "read_document",
]

_FORMATS = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}

#: The largest calendar or policy file read, in bytes (1 MiB: some 50,000 holiday dates).
MAX_DOCUMENT_BYTES = 1024 * 1024
#: How deeply tables and lists may nest in a calendar or policy file.
MAX_DEPTH = 32
#: How many values (tables, lists, scalars) a document may hold, aliases expanded.
MAX_VALUES = 200_000
#: How many digits a number in a calendar or policy file may have.
MAX_NUMBER_DIGITS = 20
#: How many YAML aliases (``*name``) a document may use.
MAX_ALIASES = 100

_BOM = "\ufeff"


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the parsed top-level table of a TOML, JSON or YAML file (chosen by extension).

    Raises ``ConfigError`` naming the file if it cannot be read or parsed,
    is too large, or is not a table. Nothing in the file is executed.
    """
    file = Path(path)
    source = str(path)
    format = _FORMATS.get(file.suffix.lower())
    if format is None:
        raise ConfigError(
            f"{source}: unknown file type {brief(file.suffix)}; use .toml, .json, .yaml or .yml"
        )
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read the file: {exc.strerror or exc}") from exc
    data = parse_document(raw, format, source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a table at the top level, got {brief(data)}")
    return data


def parse_document(text: str | bytes, format: str, source: str) -> object:
    """Return the plain data of ``text`` in ``format``, checked against the document limits."""
    if len(text) > MAX_DOCUMENT_BYTES:
        raise ConfigError(
            f"{source}: larger than the limit MAX_DOCUMENT_BYTES ({MAX_DOCUMENT_BYTES} bytes)"
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{source}: not UTF-8 text: byte {exc.start} ({exc.reason})"
            ) from None
    text = text.removeprefix(_BOM)
    parse = _PARSERS.get(format)
    if parse is None:
        raise ConfigError(f"{source}: unknown format {brief(format)}; use 'toml', 'json' or 'yaml'")
    try:
        data = parse(text, source)
    except RecursionError:
        raise _too_deep(source) from None
    _check_shape(data, source)
    return data


_LARGEST = 10**MAX_NUMBER_DIGITS


def _digits(text: str) -> int:
    return sum(char.isdigit() for char in text)


def _too_deep(source: str) -> ConfigError:
    return ConfigError(f"{source}: nested deeper than the limit MAX_DEPTH ({MAX_DEPTH})")


def _too_long_number(source: str, text: str) -> ConfigError:
    return ConfigError(
        f"{source}: the number {text[:12]}... is longer than the limit "
        f"MAX_NUMBER_DIGITS ({MAX_NUMBER_DIGITS} digits)"
    )


def _parse_toml(text: str, source: str) -> object:
    try:
        toml = importlib.import_module("tomllib")
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            toml = importlib.import_module("tomli")
        except ModuleNotFoundError:
            raise ConfigError(
                f"{source}: reading TOML on Python 3.10 needs the 'tomli' package"
            ) from None

    def number(text: str) -> float:
        if _digits(text) > MAX_NUMBER_DIGITS:
            raise _too_long_number(source, text)
        return float(text)

    try:
        parsed: object = toml.loads(text, parse_float=number)
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    except ValueError as exc:  # an integer past Python's digit limit
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(
            f"{source}: a number is longer than the limit MAX_NUMBER_DIGITS "
            f"({MAX_NUMBER_DIGITS} digits)"
        ) from None
    return parsed


def _parse_json(text: str, source: str) -> object:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for key, value in items:
            if key in table:
                raise ConfigError(f"{source}: the key {brief(key)} is given twice in one object")
            table[key] = value
        return table

    def number(text: str) -> int | float:
        if _digits(text) > MAX_NUMBER_DIGITS:
            raise _too_long_number(source, text)
        return float(text) if any(char in text for char in ".eE") else int(text)

    def constant(name: str) -> float:
        raise ConfigError(f"{source}: {name} is not a JSON number")

    try:
        return json.loads(
            text,
            object_pairs_hook=pairs,
            parse_int=number,
            parse_float=number,
            parse_constant=constant,
        )
    except json.JSONDecodeError as exc:
        place = (
            f"column {exc.colno}" if exc.lineno == 1 else f"line {exc.lineno}, column {exc.colno}"
        )
        raise ConfigError(f"{source}: not valid JSON: {exc.msg} ({place})") from None


def _parse_yaml(text: str, source: str) -> object:
    try:
        yaml = importlib.import_module("yaml")
    except ModuleNotFoundError:
        raise ConfigError(
            f"{source}: reading YAML needs PyYAML: python -m pip install pyyaml"
        ) from None
    if _flow_depth(text) > MAX_DEPTH:
        # PyYAML's scanner slows down with every open bracket (quadratic in the depth),
        # so nesting is refused before parsing, not after.
        raise _too_deep(source)
    loader = _yaml_loader(yaml)(text)
    try:
        # A SafeLoader builds only plain data: tags such as !!python/object are refused.
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        if isinstance(exc.__cause__, ConfigError):
            raise exc.__cause__ from None
        raise ConfigError(f"{source}: not valid YAML: {_yaml_problem(exc)}") from None
    except _YamlLimitError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    finally:
        loader.dispose()


_FLOW_RE = re.compile(r"""'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|(?:^|(?<=\s))#[^\n]*|[\[\]{}]""")


def _flow_depth(text: str) -> int:
    """Return how deeply ``[`` and ``{`` nest in YAML text, outside quotes and comments."""
    brackets = "".join(token for token in _FLOW_RE.findall(text) if token in _STEPS)
    if not brackets:
        return 0
    return max(itertools.accumulate(map(_STEPS.__getitem__, brackets)))


_STEPS = {"[": 1, "{": 1, "]": -1, "}": -1}


def _yaml_problem(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return str(exc)


class _YamlLimitError(Exception):
    """A YAML document passed a limit while being composed."""


_LOADERS: dict[int, type[Any]] = {}


def _yaml_loader(yaml: Any) -> type[Any]:
    """Return a SafeLoader that refuses duplicate keys, counts aliases and bounds numbers."""
    cached = _LOADERS.get(id(yaml))
    if cached is not None:
        return cached

    # libyaml's parser when PyYAML has it: the pure-Python one takes seconds per 100 KB.
    base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    class Loader(base):  # type: ignore[misc, valid-type]
        aliases = 0

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            if node in self.constructed_objects:  # a node met again: an alias
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise _YamlLimitError(
                        f"uses more aliases than the limit MAX_ALIASES ({MAX_ALIASES})"
                    )
            return super().construct_object(node, deep=deep)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node.value, str):
                    continue  # merge keys (<<) and keys that are lists or tables
                key = (key_node.tag, key_node.value)
                if key in seen:
                    line = key_node.start_mark.line + 1
                    raise _YamlLimitError(
                        f"line {line}: the key {brief(key_node.value)} is given twice"
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_int(self, node: Any) -> Any:
            if _digits(str(node.value)) > MAX_NUMBER_DIGITS:
                raise _YamlLimitError(
                    f"line {node.start_mark.line + 1}: a number is longer than the limit "
                    f"MAX_NUMBER_DIGITS ({MAX_NUMBER_DIGITS} digits)"
                )
            return super().construct_yaml_int(node)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    _LOADERS[id(yaml)] = Loader
    return Loader


_PARSERS: dict[str, Callable[[str, str], object]] = {
    "toml": _parse_toml,
    "json": _parse_json,
    "yaml": _parse_yaml,
}


def _check_shape(data: object, source: str) -> None:
    """Refuse data nested past ``MAX_DEPTH``, with more than ``MAX_VALUES`` values or huge numbers.

    The walk is iterative and stops at the first limit, so a shared or even
    self-referencing YAML structure costs at most ``MAX_VALUES`` steps. Data within
    every limit (nearly all) is let through by ``_within_limits``, a quicker walk;
    only data it doubts takes the walk that finds which limit is broken first.
    """
    if _within_limits(data):
        return
    stack: list[tuple[object, int]] = [(data, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise ConfigError(
                f"{source}: holds more values than the limit MAX_VALUES ({MAX_VALUES}), "
                "counting what YAML aliases expand to"
            )
        if isinstance(value, dict):
            children: list[object] = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            if isinstance(value, int) and abs(value) >= _LARGEST:
                raise ConfigError(
                    f"{source}: a number is longer than the limit MAX_NUMBER_DIGITS "
                    f"({MAX_NUMBER_DIGITS} digits)"
                )
            continue
        if depth >= MAX_DEPTH and children:
            raise _too_deep(source)
        stack.extend((child, depth + 1) for child in children)


def _within_limits(data: object) -> bool:
    """Return True only if ``_check_shape`` would let ``data`` through (False: it may not).

    The same nodes, counts and tests as ``_check_shape``'s walk, but only tables and
    lists go on the stack: strings, floats, booleans and None, what documents are
    made of, are counted in bulk. It stops once the count passes ``MAX_VALUES``, so a
    self-referencing structure ends here too.
    """
    if not isinstance(data, (dict, list)):
        return not (isinstance(data, int) and abs(data) >= _LARGEST)
    count = 1
    stack: list[tuple[dict[object, object] | list[object], int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: list[object] | dict[object, object] = value
        if isinstance(value, dict):
            children = [*value.keys(), *value.values()]
        if not children:
            continue
        count += len(children)
        if depth >= MAX_DEPTH or count > MAX_VALUES:
            return False
        for child in children:
            kind = type(child)
            if kind is str or kind is float or kind is bool or child is None:
                continue
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
            elif isinstance(child, int) and abs(child) >= _LARGEST:
                return False
    return True
