"""Every app in notebooks/apps opens in Voila, answers one real interaction, and is accessible."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.app_interactions import INTERACTIONS
from tests.browser.conftest import APPS, assert_no_voila_error, open_app, serious_axe_violations

APP_NAMES = sorted(p.stem for p in APPS.glob("*.ipynb"))


def test_every_app_has_a_browser_interaction():
    assert APP_NAMES, "no apps in notebooks/apps"
    missing = sorted(set(APP_NAMES) - set(INTERACTIONS))
    assert not missing, f"apps without a browser interaction in app_interactions.py: {missing}"


@pytest.mark.parametrize("name", APP_NAMES)
def test_app_opens_and_responds(page, voila_url, name):
    open_app(page, voila_url, name)
    INTERACTIONS[name](page)
    assert_no_voila_error(page)


@pytest.mark.parametrize("name", APP_NAMES)
def test_app_is_accessible(page, voila_url, name):
    open_app(page, voila_url, name)
    assert serious_axe_violations(page) == []


def test_app_notebooks_are_thin():
    """An app notebook only shows a tool from `widgets`; the logic lives in phcpm."""
    import json

    for path in sorted(Path(APPS).glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        lines = [ln for src in code for ln in src.splitlines() if ln.strip()]
        assert len(lines) <= 6, f"{path.name} has {len(lines)} lines of code; keep apps thin"
        assert any("from widgets" in ln for ln in lines), f"{path.name} does not use widgets"
