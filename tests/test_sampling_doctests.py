"""The examples in the docstrings of the sampling and problem-analysis modules run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "phcpm.sampling.size",
    "phcpm.sampling.lqas",
    "phcpm.sampling.areas",
    "phcpm.sampling.inputs",
    "phcpm.sampling.draw",
    "phcpm.problem_analysis.counts",
    "phcpm.problem_analysis.diagrams",
    "phcpm.problem_analysis.workforce",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} example(s) in {name} failed"
