"""The PDSA tracker, the process tool and the twinning planner on a 390 px wide phone screen.

Each tool is opened at 390 x 844 px (a common phone), given its example
result, and photographed (the pictures are kept in the test's folder for a
person to look at). The page must not scroll sideways, and every button,
text box, list and slider must fit on the screen; wide tables, maps and
charts may scroll inside their own box. No tab title may be cut off: the
text of each title must fit its label (its scrollWidth is not larger than its
clientWidth).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_app

WIDTH, HEIGHT = 390, 844

#: How many tab titles each tool shows (the twinning planner has no tabs).
TABS = {"pdsa": 5, "process": 4, "twinning": 0}

PREPARE = {
    "pdsa": [".phcpm-pdsa-example", ".phcpm-pdsa-values table"],
    "process": [None, ".phcpm-process-map svg"],
    "twinning": [".phcpm-twinning-example", ".phcpm-twinning-network img"],
}

_TOO_WIDE = """
(limit) => {
  const out = [];
  const controls = document.querySelectorAll(
    '.phcpm-app button, .phcpm-app input, .phcpm-app select, .phcpm-app textarea, '
    + '.phcpm-app .widget-hslider, .phcpm-app a.phcpm-download'
  );
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;        // not shown
    if (el.closest('.phcpm-scroll, .lm-TabBar-content')) continue;  // scrolls in its own box
    if (box.right > limit + 1 || box.left < -1) {
      const name = el.getAttribute('aria-label') || el.title || el.textContent || el.placeholder
        || el.className;
      out.push(`${el.tagName.toLowerCase()} "${String(name).trim().slice(0, 40)}" `
               + `from ${Math.round(box.left)} to ${Math.round(box.right)} px`);
    }
  }
  return out;
}
"""

_CUT_TITLES = """
() => {
  const out = [];
  const labels = document.querySelectorAll(
    '.phcpm-app .lm-TabBar-tabLabel, .phcpm-app .p-TabBar-tabLabel'
  );
  for (const el of labels) {
    if (el.getBoundingClientRect().width === 0) continue;  // not shown
    const tab = el.closest('.lm-TabBar-tab, .p-TabBar-tab') || el;
    for (const box of [el, tab]) {
      if (box.scrollWidth > box.clientWidth + 1) {
        out.push(`"${el.textContent.trim()}" needs ${box.scrollWidth} px, `
                 + `has ${box.clientWidth} px`);
        break;
      }
    }
  }
  return {count: labels.length, cut: out};
}
"""


@pytest.mark.parametrize("name", sorted(PREPARE))
def test_the_tool_fits_a_phone_screen(page, voila_url, name, tmp_path):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    open_app(page, voila_url, name)
    click, result = PREPARE[name]
    if name == "pdsa":
        page.locator(".phcpm-pdsa-user input").fill("Phone Test")
    if click:
        page.locator(click).click()
    page.locator(result).first.wait_for()
    page.wait_for_timeout(1000)
    picture = tmp_path / f"{name}-{WIDTH}px.png"
    page.screenshot(path=str(picture), full_page=True)
    assert picture.stat().st_size > 10_000
    sideways = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert sideways <= 1, f"{name}: the page scrolls sideways by {sideways} px at {WIDTH} px"
    outside = page.evaluate(_TOO_WIDE, WIDTH)
    assert not outside, f"{name}: controls outside a {WIDTH} px screen: " + "; ".join(outside)
    titles = page.evaluate(_CUT_TITLES)
    assert titles["count"] == TABS[name], f"{name}: {titles['count']} tab titles found"
    assert not titles["cut"], f"{name}: tab titles cut off at {WIDTH} px: " + "; ".join(
        titles["cut"]
    )
