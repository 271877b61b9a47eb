"""Execute notebooks in place, as they are committed, then drop saved widget state.

    python scripts/execute_notebooks.py book/sampling/*.ipynb notebooks/apps/*.ipynb

Each notebook runs in its own folder with the current environment's kernel.
Saved widget state (large, and not used by nbval, the book or Voila) is removed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for name in paths:
        path = Path(name)
        print(f"executing {path}", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
