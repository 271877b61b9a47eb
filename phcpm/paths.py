"""Where the repository's synthetic datasets live."""

from __future__ import annotations

from pathlib import Path

#: The ``datasets/`` folder at the top of the repository.
DATASETS = Path(__file__).resolve().parent.parent / "datasets"


def dataset_path(name: str) -> Path:
    """Path of one file in ``datasets/`` (``name`` with its extension)."""
    return DATASETS / name
