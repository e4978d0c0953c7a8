"""Bounded text for error messages: a value from a hostile file is never quoted whole."""

from __future__ import annotations

import reprlib

__all__ = ["MAX_QUOTE", "brief"]

#: The most characters of a caller's value an error message quotes.
MAX_QUOTE = 80

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxstring = MAX_QUOTE
_REPR.maxlong = 40
_REPR.maxother = MAX_QUOTE


def brief(value: object) -> str:
    """Return a ``repr`` of ``value`` cut to about ``MAX_QUOTE`` characters, whatever its size.

    Nested containers are cut by level and length before anything is built, so a
    value shared a billion times over (a YAML alias bomb) costs no more than a small one.

    >>> brief("x" * 1000)[:12], len(brief("x" * 1000)) <= 90
    ("'xxxxxxxxxxx", True)
    >>> brief([[[[[1]]]]])
    '[[[[...]]]]'
    """
    try:
        text = _REPR.repr(value)
    except Exception:  # a hostile __repr__ must not turn one error into another
        text = f"<{type(value).__name__}>"
    if len(text) > MAX_QUOTE + 10:
        text = text[:MAX_QUOTE] + "..."
    return text
