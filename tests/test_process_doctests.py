"""The examples in the docstrings of the process modules run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "phcpm.process.maps",
    "phcpm.process.editor",
    "phcpm.process.positions",
    "phcpm.process.drawing",
    "phcpm.process.times",
    "phcpm.process.queues",
    "phcpm.process.lists",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} example(s) in {name} failed"
