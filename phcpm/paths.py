"""Where the synthetic datasets live.

In a source checkout (and an editable install, ``pip install -e .``) they are
read in place from the repository's ``datasets/`` folder. A package built
from the checkout (``pip install .``) carries a copy inside it, in
``phcpm/_data`` (written by ``setup.py`` when the package is built), and
reads that copy: the examples work wherever the package is installed.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATASETS", "dataset_path"]

_HERE = Path(__file__).resolve().parent
_PACKAGED = _HERE / "_data"
_CHECKOUT = _HERE.parent / "datasets"

#: The folder of the datasets: the installed copy if there is one, else ``datasets/``.
DATASETS = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def dataset_path(name: str) -> Path:
    """Path of one file in the datasets folder (``name`` with its extension,
    ``"dhis2/pivot.csv"`` for a file in a subfolder)."""
    return DATASETS / name
