"""A tool page loads the light front end (``frontend/``) and nothing of Voila's own.

Every tool is opened in a fresh browser context. The page must draw its tool
with the light front end's one script and stylesheet (asked for from the
page's head, so they arrive while the notebook runs), fetch none of Voila's
or the lab extensions' scripts, ask for no address twice, and load anywidget's
part only where the tool uses it. (Voila's own front end, ``PHCPM_PAGE=voila``,
is checked by ``tests/test_page_scripts.py``.)
"""

from __future__ import annotations

import urllib.parse

import pytest

from tests.browser.conftest import APPS, assert_no_voila_error, serve

APP_NAMES = sorted(p.stem for p in APPS.glob("*.ipynb"))
FIRST_CONTROL = ".phcpm-app :is(button, input, select, textarea, [role='tab'], .widget-dropdown)"


ps = serve.page_scripts()  # the module the server itself loads


@pytest.mark.parametrize("name", APP_NAMES)
def test_a_tool_page_uses_the_light_front_end_only(browser, voila_url, name):
    assert browser.browser is not None, "the test browser cannot open separate contexts"
    light = ps.light_page()
    assert light, "the light front end is not built (make frontend)"
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
            "link[rel=modulepreload]", "links => links.map(l => new URL(l.href).pathname)"
        )
        # Let any late script (a widget's view code) show up, and the preload check run.
        page.wait_for_timeout(4000)
    finally:
        context.close()

    scripts = [p for p in asked if p.endswith(".js")]
    main = f"/{serve.LIGHT_PAGE_PATH}{light['script']}"
    assert main in scripts and preloaded == [main]
    assert f"/{serve.LIGHT_PAGE_PATH}{light['stylesheet']}" in asked
    voila_own = [
        p
        for p in scripts
        if p.startswith(("/voila/static/", "/voila/labextensions/", "/voila/startup/"))
    ]
    assert voila_own == [], f"Voila's own front end was loaded: {voila_own}"
    assert len(scripts) == len(set(scripts)), f"asked twice: {scripts}"
    assert warnings == [], f"the browser warns about preloads: {warnings}"
    uses_anywidget = any("anywidget" in p for p in scripts)
    assert uses_anywidget == (name == "pdsa")
