"""Module attributes imported on first use, so importing a package stays light."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(
    owner: str, where: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` importing each name of ``where`` from its module.

    The value found is stored in ``namespace`` (the module's globals), so each name
    is looked up once. ``owner`` names the module in the ``AttributeError``.

    >>> getter = lazy_attributes("demo", {"sqrt": "math"}, namespace := {})
    >>> getter("sqrt")(9.0), "sqrt" in namespace
    (3.0, True)
    """

    def load(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {owner!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return load
