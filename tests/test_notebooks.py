"""Notebooks are committed executed, so strict nbval really compares every cell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.notebook_files import tracked_notebooks, unexecuted_code_cells

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = tracked_notebooks(ROOT)


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in the repository"


def test_every_notebook_is_where_nbval_looks():
    outside = [
        str(p.relative_to(ROOT))
        for p in NOTEBOOKS
        if p.relative_to(ROOT).parts[0] not in {"book", "notebooks"}
    ]
    assert not outside, f"notebooks outside book/ and notebooks/ are not tested: {outside}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_code_cell_was_executed(path):
    cells = unexecuted_code_cells(path)
    assert not cells, (
        f"{path.relative_to(ROOT)}: code cells {cells} have no stored execution; "
        "strict nbval would not compare them. Execute the notebook and commit its outputs."
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_error_outputs_are_committed(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    errors = [
        i
        for i, cell in enumerate(nb["cells"])
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors, f"{path.relative_to(ROOT)}: cells {errors} stored an error"


def test_unexecuted_cells_are_detected(tmp_path):
    """The check above can fail: a stripped notebook is reported."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": "1 + 1",
                "outputs": [],
                "execution_count": None,
                "metadata": {},
            },
            {
                "cell_type": "code",
                "source": "",
                "outputs": [],
                "execution_count": None,
                "metadata": {},
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "stripped.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert unexecuted_code_cells(path) == [0]
