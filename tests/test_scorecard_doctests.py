"""The examples in the scorecard's docstrings run and give what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "phcpm.scorecard.bands",
    "phcpm.scorecard.card",
    "phcpm.scorecard.display",
    "phcpm.scorecard.summaries",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no docstring example"
    assert result.failed == 0
