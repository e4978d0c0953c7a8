"""The engine under test is the build CI asked for (pure Python, or the compiled one)."""

from __future__ import annotations

import ast
import importlib
import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from slaclock import engine

HATCH_BUILD = Path(__file__).resolve().parents[2] / "hatch_build.py"


def compiled_modules() -> tuple[str, ...]:
    """Return hatch_build.py's COMPILED_MODULES, read without importing it (it needs hatchling)."""
    for node in ast.parse(HATCH_BUILD.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "COMPILED_MODULES"
            for target in node.targets
        ):
            names = ast.literal_eval(node.value)
            assert isinstance(names, tuple)
            return tuple(str(name) for name in names)
    raise AssertionError(f"{HATCH_BUILD} has no COMPILED_MODULES")


def test_the_engine_is_the_build_asked_for() -> None:
    # .ci/run sets SLACLOCK_EXPECT_COMPILED=1 for its second run over the compiled
    # build: without this check that run could pass on the sources by accident.
    expected = os.environ.get("SLACLOCK_EXPECT_COMPILED") == "1"
    assert engine.COMPILED is expected, f"COMPILED is {engine.COMPILED}, expected {expected}"


def test_every_module_the_build_compiles_runs_compiled_or_none_does() -> None:
    # COMPILED looks at _index alone: a module of the list left out of the wheel would
    # run as Python unnoticed, and the compiled test run would test less than it says.
    names = compiled_modules()
    assert "_index.py" in names
    for name in names:
        module = importlib.import_module(f"slaclock.engine.{name.removesuffix('.py')}")
        extension = (module.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))
        assert extension is engine.COMPILED, f"{module.__file__} (COMPILED is {engine.COMPILED})"
