"""The examples in the docstrings of phcpm run and give what they say.

Every module of ``phcpm`` is run through :func:`doctest.testmod` (a module
without examples passes with none tried); the main data modules must have
examples.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "phcpm").rglob("*.py")
    if p.name != "__main__.py"
)
WITH_EXAMPLES = [
    "phcpm.analysis",
    "phcpm.errors",
    "phcpm.intervals",
    "phcpm.io",
    "phcpm.periods",
    "phcpm.quality.preparation",
    "phcpm.synth.fields",
]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_main_modules_have_examples(name):
    assert doctest.testmod(importlib.import_module(name), optionflags=FLAGS).attempted > 0
