"""The optional compiled build of the engine: ``SLACLOCK_COMPILE=1 pip install .``.

Without ``SLACLOCK_COMPILE=1`` this hook does nothing and the wheel is pure Python,
as ``pip install slaclock`` gives. With it, the engine's hot modules (``COMPILED_MODULES``)
are compiled with mypyc into a copy of the package and the wheel carries the extension
modules beside the Python sources (an extension module is imported before a ``.py`` of
the same name). The Python sources stay the reference: the compiled modules are the
same code, so every answer is the same; only the time per call changes.

It needs a C compiler and the Python headers (Debian: ``apt-get install gcc python3-dev``);
pip installs mypy and setuptools into the build environment. Editable installs stay
pure Python. ``slaclock.engine.COMPILED`` says which build is running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: The modules on the warm query path, and the parser of weekly hours (building a
#: calendar). The rest stay Python: errors.py subclasses built-in exceptions (mypyc
#: compiles no such classes); the cold path's modules (_template, _sources, _steady,
#: _holidays) compile, but their time goes on datetime, zoneinfo and the holidays
#: package, and compiled they answered a new calendar's first questions no faster while
#: the compile took twice as long (docs/scale.md, "A compiled build"); the others are
#: once-per-query or build-time code where compiling buys little.
COMPILED_MODULES = ("_time.py", "_index.py", "calendar.py", "schedule.py")
#: What the build environment needs (mypyc ships with mypy).
BUILD_REQUIRES = ["mypy>=1.10", "setuptools>=65"]
SWITCH = "SLACLOCK_COMPILE"

#: mypy's settings for the compile (the setuptools run below must not read pyproject.toml:
#: this is a hatchling project). The build environment lacks the optional packages
#: (NumPy...) whose types the other modules name; only the compiled modules' types count,
#: and CI's ``mypy --strict src`` checks them all.
MYPY_INI = """\
[mypy]
ignore_missing_imports = True

[mypy-slaclock.*]
ignore_errors = True

[mypy-{compiled}]
ignore_errors = False
"""

SETUP_PY = """\
from mypyc.build import mypycify
from setuptools import setup

setup(
    name="slaclock-compiled-engine",
    ext_modules=mypycify(["--config-file", "mypy.ini", *{paths!r}], opt_level="3"),
)
"""


def compile_engine(source: Path, work: Path) -> dict[str, str]:
    """Compile the hot engine modules of package folder ``source`` inside ``work``.

    Returns each built extension file mapped to its path inside the wheel.
    """
    package = work / "slaclock"
    shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"))
    paths = [f"slaclock/engine/{name}" for name in COMPILED_MODULES]
    compiled = ",".join(f"slaclock.engine.{name[:-3]}" for name in COMPILED_MODULES)
    (work / "mypy.ini").write_text(MYPY_INI.format(compiled=compiled))
    (work / "setup.py").write_text(SETUP_PY.format(paths=paths))
    subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=work,
        check=True,
        stdout=sys.stderr,
    )
    # build_ext --inplace leaves a copy of each extension under build/: only the copies
    # beside the sources go into the wheel (the others would install a top-level build/).
    scratch = work / "build"
    built = [
        path
        for pattern in ("*.so", "*.pyd")
        for path in work.rglob(pattern)
        if scratch not in path.parents
    ]
    engine = {path.name.split(".")[0] for path in built if path.parent == package / "engine"}
    missing = [name for name in COMPILED_MODULES if name[:-3] not in engine]
    if missing:
        raise RuntimeError(f"mypyc built no extension module for {missing}: {built}")
    return {str(path): path.relative_to(work).as_posix() for path in built}


class CompiledEngineHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds the compiled engine modules to the wheel when ``SLACLOCK_COMPILE=1``."""

    PLUGIN_NAME = "custom"

    def _wanted(self) -> bool:
        return self.target_name == "wheel" and os.environ.get(SWITCH) == "1"

    def dependencies(self) -> list[str]:
        return BUILD_REQUIRES if self._wanted() else []

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if not self._wanted():
            return
        if version == "editable":
            # An editable install runs the sources in src/; compiled modules would hide
            # every edit. Say so instead of silently building pure Python.
            raise RuntimeError(f"{SWITCH}=1 builds a regular wheel; drop -e (editable)")
        self._work = Path(tempfile.mkdtemp(prefix="slaclock-mypyc-"))
        built = compile_engine(Path(self.root) / "src" / "slaclock", self._work)
        build_data["force_include"].update(built)
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
