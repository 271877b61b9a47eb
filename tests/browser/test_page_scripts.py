"""A tool page's scripts arrive as a few bundles asked for at once (``scripts/page_scripts.py``).

Every tool is opened in a fresh browser context. The page must get all of
Voila's and the widgets' chunks from the bundles (a chunk fetched on its own
means the recorded list no longer fits: re-record it), ask for no address
twice, use every script its head asked for early, and load the ``anywidget``
extension only where the tool uses it.
"""

from __future__ import annotations

import urllib.parse

import pytest

from tests.browser.conftest import APPS, assert_no_voila_error, serve

APP_NAMES = sorted(p.stem for p in APPS.glob("*.ipynb"))
FIRST_CONTROL = ".phcpm-app :is(button, input, select, textarea, [role='tab'], .widget-dropdown)"


ps = serve.page_scripts()  # the module the server itself loads


@pytest.mark.parametrize("name", APP_NAMES)
def test_a_tool_page_gets_its_scripts_from_the_bundles(browser, voila_url, name):
    assert browser.browser is not None, "the test browser cannot open separate contexts"
    context = browser.browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        asked: list[str] = []
        warnings: list[str] = []
        page.on("request", lambda r: asked.append(urllib.parse.urlsplit(r.url).path))
        page.on(
            "console",
            lambda m: warnings.append(m.text) if "preload" in m.text.lower() else None,
        )
        page.goto(f"{voila_url}/voila/render/{name}.ipynb", wait_until="domcontentloaded")
        page.locator(FIRST_CONTROL).first.wait_for(state="visible", timeout=120_000)
        assert_no_voila_error(page)
        preloaded = page.eval_on_selector_all(
            "link[rel=preload]", "links => links.map(l => new URL(l.href).pathname)"
        )
        # Let any late chunk (a widget's view code) show up, and the preload check run.
        page.wait_for_timeout(4000)
    finally:
        context.close()

    bundles = [p for p in asked if p.startswith("/voila/startup/")]
    assert bundles, "the page asked for no bundle"
    assert any(p.rsplit("/", 1)[-1].startswith("voila.") for p in bundles)
    single = [p for p in asked if ps.is_chunk(p)]
    assert single == [], f"chunks fetched one by one (re-record the list): {single}"
    scripts = [p for p in asked if p.endswith(".js")]
    assert len(scripts) == len(set(scripts)), f"asked twice: {scripts}"
    assert set(preloaded) <= set(asked)
    assert set(bundles) <= set(preloaded)
    assert "/voila/static/voila.js" in preloaded
    assert warnings == [], f"the browser warns about preloads: {warnings}"
    uses_anywidget = any(p.startswith("/voila/labextensions/anywidget/") for p in asked)
    assert uses_anywidget == (name == "pdsa")
