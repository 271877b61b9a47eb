"""A tool page is drawn from the server's snapshot of its widgets, and checked with the kernel.

The server writes into each tool page the widgets' state as it saw it while
running the notebook (``scripts/serve.py``, ``WidgetSnapshot``); the page draws
from it before its kernel connection is open, then asks the kernel how many
widget messages it has sent (``widgets/message_count.py``). Here:

* every tool is drawn from its snapshot, and its kernel agrees with it;
* a snapshot that does not match the kernel (altered on its way to the
  browser) is corrected from the kernel: the page shows the kernel's values;
* a person who clicks before the page's connection is open (a slow link) gets
  the answer to that click.
"""

from __future__ import annotations

import pytest

from tests.browser.app_interactions import twinning
from tests.browser.conftest import APPS, assert_no_voila_error

APP_NAMES = sorted(p.stem for p in APPS.glob("*.ipynb"))
CHECKED = "window.phcpmPage && window.phcpmPage.checked !== null"


@pytest.mark.parametrize("name", APP_NAMES)
def test_every_tool_is_drawn_from_its_snapshot_and_the_kernel_agrees(page, voila_url, name):
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(str(f))))
    page.goto(f"{voila_url}/voila/render/{name}.ipynb", wait_until="domcontentloaded")
    page.wait_for_function(CHECKED, timeout=120_000)
    assert_no_voila_error(page)
    assert page.evaluate("window.phcpmPage.snapshot") is True
    assert page.evaluate("window.phcpmPage.checked") is True
    assert page.locator(".phcpm-app").first.is_visible()
    # the kernel was not asked for the widgets' state: the snapshot was enough
    assert not any("request_states" in frame for frame in sent)


# Changes the snapshot in the page as soon as the parser adds it, before the
# page's script (a module, run once the page is parsed) reads it. (Rewriting the
# response on its way instead makes Chromium treat the page as coming from
# elsewhere and refuse its connection to the local server.)
_ALTER = """
new MutationObserver((records, observer) => {
  const node = document.getElementById("phcpm-widget-snapshot");
  if (node && node.textContent.endsWith("}")) {
    const snapshot = JSON.parse(node.textContent);
    for (const state of Object.values(snapshot.widgets)) {
      if (state.description === "Partners per district, at most") {
        state.value = 4;
      }
    }
    snapshot.count += 1;
    node.textContent = JSON.stringify(snapshot);
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true, characterData: true });
"""


def test_a_snapshot_that_does_not_match_its_kernel_is_corrected_from_the_kernel(page, voila_url):
    # The slider "Partners per district, at most" shown at 4, and one message
    # more counted than the server saw: the kernel holds 2.
    page.add_init_script(_ALTER)
    page.goto(f"{voila_url}/voila/render/twinning.ipynb", wait_until="domcontentloaded")
    page.wait_for_function(CHECKED, timeout=120_000)
    altered = page.evaluate(
        "JSON.parse(document.getElementById('phcpm-widget-snapshot').textContent)"
    )
    assert 4 in [w.get("value") for w in altered["widgets"].values()]
    assert page.evaluate("window.phcpmPage.checked") is False
    slider = page.locator(".phcpm-twinning-max-partners .widget-readout")
    assert slider.inner_text().strip() == "2"  # the kernel's value, not the snapshot's
    twinning(page)  # and the tool works


def test_a_click_before_the_connection_is_open_is_answered(browser, voila_url):
    context = browser.browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        # 400 kbit/s with 400 ms latency: the page is drawn well before its
        # connection to the kernel is open
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": 400,
                "downloadThroughput": 400_000 / 8,
                "uploadThroughput": 400_000 / 8,
            },
        )
        page.goto(f"{voila_url}/voila/render/twinning.ipynb", wait_until="domcontentloaded")
        button = page.locator(".phcpm-twinning-example")
        button.wait_for(state="visible")
        connected_at_click = page.evaluate(
            "window.phcpmPage.manager.kernel.connectionStatus === 'connected'"
        )
        button.click()
        twinning_pairs = page.locator(".phcpm-twinning-pairs")
        twinning_pairs.get_by_text("Why this pair", exact=False).first.wait_for()
        assert not connected_at_click, "the click came after the connection: not the case tested"
        assert_no_voila_error(page)
    finally:
        context.close()
