"""Finding the repository's notebooks and checking that they were executed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def tracked_notebooks(root: Path) -> list[Path]:
    """Every .ipynb in the repository: tracked by git, plus untracked ones not ignored."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.ipynb"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return sorted(root / line for line in out.splitlines() if line.strip())
    except (OSError, subprocess.CalledProcessError):
        return sorted(
            p for p in root.rglob("*.ipynb") if ".venv" not in p.parts and "_build" not in p.parts
        )


def unexecuted_code_cells(path: Path) -> list[int]:
    """Indices of code cells with source that were never executed (no execution count)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        i
        for i, cell in enumerate(nb.get("cells", []))
        if cell.get("cell_type") == "code"
        and "".join(cell.get("source", "")).strip()
        and cell.get("execution_count") is None
    ]
