"""Every public method of Calendar, Clock and Policy shows an example (run as a doctest)."""

from __future__ import annotations

import inspect

import pytest

from slaclock import Calendar, Clock, Policy


def public_members(cls: type) -> list[tuple[str, object]]:
    found = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        member = inspect.getattr_static(cls, name)
        if isinstance(member, (classmethod, staticmethod)):
            found.append((name, member.__func__))
        elif isinstance(member, property):
            found.append((name, member.fget))
        elif callable(member):
            found.append((name, member))
    return found


@pytest.mark.parametrize("cls", [Calendar, Clock, Policy], ids=lambda cls: cls.__name__)
def test_every_public_method_has_an_example(cls: type) -> None:
    missing = [name for name, member in public_members(cls) if ">>>" not in (member.__doc__ or "")]
    assert missing == [], f"{cls.__name__}: no example in the docstring of {missing}"
