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


def test_every_public_module_has_a_reference_page() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    source = root / "src"
    modules = {
        ".".join(path.relative_to(source).with_suffix("").parts)
        for path in (source / "slaclock").rglob("*.py")
        if not path.name.startswith("_")
    }
    pages = "".join(path.read_text() for path in (root / "docs" / "reference").glob("*.md"))
    documented = {line[4:].strip() for line in pages.splitlines() if line.startswith("::: ")}
    # The engine's exceptions are the same classes slaclock.errors documents.
    covered = {"slaclock.engine.errors"} if "slaclock.errors" in documented else set()
    missing = sorted(name for name in modules - covered if name not in documented)
    assert missing == [], f"no reference page for {missing}"
