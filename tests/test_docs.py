"""The Python code blocks in README.md and docs/**/*.md run, so the documentation cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_python_blocks_run(document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each document's blocks run in order in one namespace, as a reader would paste them.

    They run in a fresh folder, as a new user's would: only the repository's
    ``examples/`` is there (for the pages that use its data).
    """
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"doc_{document.stem}"}
    for number, block in enumerate(BLOCK.findall(document.read_text()), start=1):
        code = compile(block, f"{document.name} block {number}", "exec")
        exec(code, namespace)
