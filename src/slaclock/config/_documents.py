"""Reading TOML, JSON and YAML documents: parsed to plain data, nothing executed."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

from slaclock.errors import ConfigError

_FORMATS = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the parsed top-level table of a TOML, JSON or YAML file (chosen by extension).

    Raises ``ConfigError`` naming the file if it cannot be read or parsed,
    or is not a table. Nothing in the file is executed.
    """
    file = Path(path)
    source = str(path)
    format = _FORMATS.get(file.suffix.lower())
    if format is None:
        raise ConfigError(
            f"{source}: unknown file type {file.suffix!r}; use .toml, .json, .yaml or .yml"
        )
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read the file: {exc.strerror or exc}") from exc
    data = parse_document(raw, format, source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a table at the top level, got {data!r}")
    return data


def parse_document(text: str | bytes, format: str, source: str) -> object:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{source}: not UTF-8 text: {exc}") from None
    if format == "toml":
        try:
            toml = importlib.import_module("tomllib")
        except ModuleNotFoundError:  # pragma: no cover - Python 3.10
            try:
                toml = importlib.import_module("tomli")
            except ModuleNotFoundError:
                raise ConfigError(
                    f"{source}: reading TOML on Python 3.10 needs the 'tomli' package"
                ) from None
        try:
            parsed: object = toml.loads(text)
        except toml.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from None
        return parsed
    if format == "json":
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{source}: not valid JSON: {exc}") from None
        return parsed
    if format == "yaml":
        try:
            yaml = importlib.import_module("yaml")
        except ModuleNotFoundError:
            raise ConfigError(
                f"{source}: reading YAML needs PyYAML: python -m pip install pyyaml"
            ) from None
        try:
            # safe_load builds only plain data: tags such as !!python/object are refused.
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{source}: not valid YAML: {exc}") from None
        return parsed
    raise ConfigError(f"{source}: unknown format {format!r}; use 'toml', 'json' or 'yaml'")
