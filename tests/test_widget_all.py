"""Every module of the tools declares its public names, and each of them exists."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

WIDGETS = Path(__file__).resolve().parents[1] / "widgets"
MODULES = sorted(
    "widgets" if p.name == "__init__.py" else f"widgets.{p.stem}"
    for p in WIDGETS.glob("*.py")
    if p.name == "__init__.py" or not p.stem.startswith("_")
)


def test_every_module_is_checked():
    assert len(MODULES) >= 30 and "widgets.base" in MODULES and "widgets.sampling" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_a_module_lists_its_public_names_and_each_exists(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    assert len(set(module.__all__)) == len(module.__all__), f"{name}: a name listed twice"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == [], f"{name} lists names it does not have: {missing}"
