"""The examples in the docstrings of phcpm.selection run, and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "phcpm.selection.balance",
    "phcpm.selection.burden",
    "phcpm.selection.candidates",
    "phcpm.selection.pipeline",
    "phcpm.selection.ratings",
    "phcpm.selection.scoring",
    "phcpm.selection.sheets",
    "phcpm.selection.worked_example",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no example in its docstrings"
    assert result.failed == 0, f"{result.failed} example(s) of {name} failed"


def test_every_module_of_the_package_is_checked():
    from pathlib import Path

    import phcpm.selection

    folder = Path(phcpm.selection.__file__).parent
    found = {
        f"phcpm.selection.{p.stem}" for p in folder.glob("*.py") if p.stem not in ("__init__",)
    }
    assert found - {"phcpm.selection.common"} == set(MODULES)
