"""The engine under test is the build CI asked for (pure Python, or the compiled one)."""

from __future__ import annotations

import os

from slaclock import engine


def test_the_engine_is_the_build_asked_for() -> None:
    # .ci/run sets SLACLOCK_EXPECT_COMPILED=1 for its second run over the compiled
    # build: without this check that run could pass on the sources by accident.
    expected = os.environ.get("SLACLOCK_EXPECT_COMPILED") == "1"
    assert engine.COMPILED is expected, f"COMPILED is {engine.COMPILED}, expected {expected}"
