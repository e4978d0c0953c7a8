"""The Python code blocks in README.md and docs/**/*.md run, so the documentation cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_python_blocks_run(document: Path) -> None:
    """Each document's blocks run in order in one namespace, as a reader would paste them."""
    namespace: dict[str, object] = {"__name__": f"doc_{document.stem}"}
    for number, block in enumerate(BLOCK.findall(document.read_text()), start=1):
        code = compile(block, f"{document.name} block {number}", "exec")
        exec(code, namespace)
