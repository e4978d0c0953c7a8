"""The package's shape: layers, no import cycles, a light import, a vendorable engine."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import slaclock

PACKAGE = Path(slaclock.__file__).resolve().parent
#: Each layer and the layers it may import (besides itself and the standard library).
MAY_IMPORT = {
    "engine": set(),
    "errors": {"engine"},
    "config": {"engine", "errors", "_lazy"},
    "sla": {"engine", "errors", "config", "_lazy"},
    "reports": {"engine", "errors", "config", "sla", "_version", "_lazy"},
    "cli": {"engine", "errors", "config", "sla", "reports", "_version", "_lazy"},
}
HEAVY = ("pydantic", "holidays", "numpy", "dateutil", "pandas", "pyarrow", "yaml", "jinja2")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Return every slaclock module ``path`` imports, lazily or under TYPE_CHECKING too."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # ``from slaclock.cli import _demo`` imports a module, not a name.
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                if _exists(candidate):
                    found.add(candidate)
    return {name for name in found if name.split(".")[0] == "slaclock" and _exists(name)}


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative).is_dir()


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_cycles() -> None:
    """No module reaches itself through imports, counting lazy and type-checking ones."""
    # A package's __init__ re-exports its modules: edges into a package mean its __init__.
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        seen[module] = 1
        stack.append(module)
        for target in sorted(GRAPH.get(module, ())):
            if target == "slaclock":
                continue  # the lazy face only names modules; it imports none at import time
            if seen.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in seen:
                visit(target)
        stack.pop()
        seen[module] = 2

    for module in sorted(GRAPH):
        if module not in seen:
            visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers_import_only_lower_layers(module: str) -> None:
    layer = _layer(module)
    if layer not in MAY_IMPORT:
        return  # the package face, __main__ and _version sit on top
    allowed = MAY_IMPORT[layer] | {layer}
    for target in GRAPH[module]:
        assert _layer(target) in allowed, f"{module} imports {target}, above its layer"


def test_engine_uses_relative_imports_only() -> None:
    """``cp -r engine yourapp/worktime`` needs no edits: no absolute slaclock imports inside."""
    for path in (PACKAGE / "engine").rglob("*.py"):
        assert "from slaclock" not in path.read_text(), path
        assert "import slaclock" not in path.read_text(), path


@pytest.mark.parametrize("statement", ["import slaclock", "import slaclock.engine"])
def test_import_is_light(statement: str) -> None:
    """Neither the package nor the engine loads a third-party package until a feature needs it."""
    code = f"import sys; {statement}; print(sorted({{m.split('.')[0] for m in sys.modules}}))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(ast.literal_eval(result.stdout))
    assert not loaded & set(HEAVY), f"{statement} loaded {sorted(loaded & set(HEAVY))}"


def test_vendored_engine_runs_on_the_standard_library(tmp_path: Path) -> None:
    """The engine copied under another name runs with ``python -I -S`` (no site-packages).

    One vendors the sources: the compiled build's extension modules (if this is that
    build) are tied to the name ``slaclock.engine``, so the copy leaves them out.
    """
    shutil.copytree(
        PACKAGE / "engine",
        tmp_path / "worktime",
        ignore=shutil.ignore_patterns("__pycache__", *(f"*{end}" for end in EXTENSION_SUFFIXES)),
    )
    smoke = Path(__file__).parent / "vendoring" / "smoke.py"
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(smoke), str(tmp_path), "worktime"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "vendored engine OK\n"


def test_all_lists_the_public_names() -> None:
    """``slaclock.__all__`` is exactly the public names, and each resolves."""
    public = {name for name in dir(slaclock) if not name.startswith("_")} - {
        "annotations",
        "TYPE_CHECKING",
        # Subpackages become attributes once imported; they are not re-exported names.
        *{name for name in MODULES if name.count(".") == 1 for name in [name.split(".")[1]]},
    }
    assert set(slaclock.__all__) == public | {"__version__"}
    assert slaclock.__all__ == sorted(slaclock.__all__, key=lambda n: (not n.isupper(), n))
    for name in slaclock.__all__:
        assert getattr(slaclock, name) is not None


def test_public_names_keep_their_classes() -> None:
    """A name from the face is the very object its module defines (no copies, no wrappers)."""
    from slaclock.engine.calendar import Calendar
    from slaclock.sla.policy import Policy

    assert slaclock.Calendar is Calendar
    assert slaclock.Policy is Policy
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = slaclock.Nope  # type: ignore[attr-defined]
