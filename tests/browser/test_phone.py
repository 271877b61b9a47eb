"""The scorecard, chart, sampling and indicator tools on a phone (390 px wide).

Each tool is opened at 390 × 844 px with its example run: the page does not
scroll sideways, every button shows its whole label inside the screen, and a
full-page screenshot is saved (in ``PHCPM_SCREENSHOTS`` when set, otherwise in
pytest's temporary folder) for a person to look at. On the scorecard the facility
names stay in view while the columns scroll.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import assert_no_voila_error, open_app

WIDTH, HEIGHT = 390, 844

CHECK_LAYOUT = """
width => {
  const page = document.documentElement.scrollWidth;
  const cut = [];
  const outside = [];
  for (const el of document.querySelectorAll(
      '.phcpm-app button, .phcpm-app .widget-upload, .phcpm-app a.phcpm-download')) {
    if (!el.offsetParent) continue;  // not shown (another tab)
    const r = el.getBoundingClientRect();
    const label = (el.getAttribute('title') || el.innerText || '').trim().slice(0, 40);
    if (el.scrollWidth > el.clientWidth + 1) cut.push(label);
    if (r.right > width + 1 || r.left < -1) outside.push(label);
  }
  const counted = [];
  for (const el of document.querySelectorAll('.phcpm-app .widget-upload')) {
    if (!el.offsetParent) continue;
    const shown = getComputedStyle(el, '::after').content;
    const hidden = getComputedStyle(el).fontSize === '0px';
    if (!(hidden && /[A-Za-z]/.test(shown))) counted.push(el.innerText.trim());
  }
  return {page, cut, outside, counted};
}
"""


def _screens(tmp_path_factory) -> Path:
    folder = os.environ.get("PHCPM_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("phone")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sampling(page):
    page.locator(".phcpm-sampling-result").get_by_text("people", exact=False).wait_for()
    page.get_by_role("tab", name="Classify my areas").click()
    page.locator(".phcpm-sampling-survey-example").click()
    page.locator(".phcpm-sampling-classify-result table").wait_for()


def _indicators(page):
    page.locator(".phcpm-indicators-worked-example").click()
    page.get_by_role("tab", name="3. Shortlist").click()
    page.locator(".phcpm-indicators-shortlist table").wait_for()


def _spc(page):
    page.locator(".phcpm-spc-chart img").wait_for()
    page.locator(".phcpm-spc-source").get_by_text("Upload a file").click()
    page.locator(".phcpm-spc-upload").wait_for()


def _scorecard(page):
    page.locator(".phcpm-scorecard-table table").wait_for()
    page.get_by_role("tab", name="My data").click()
    page.locator(".phcpm-picker-upload").wait_for()


TOOLS = {"scorecard": _scorecard, "spc": _spc, "sampling": _sampling, "indicators": _indicators}


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_tool_is_usable_at_390_px(page, voila_url, name, tmp_path_factory):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    open_app(page, voila_url, name)
    TOOLS[name](page)
    assert_no_voila_error(page)
    shot = _screens(tmp_path_factory) / f"phone-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    layout = page.evaluate(CHECK_LAYOUT, WIDTH)
    assert layout["page"] <= WIDTH + 1, f"{name}: the page is {layout['page']} px wide ({shot})"
    assert not layout["cut"], f"{name}: buttons with cut-off labels: {layout['cut']} ({shot})"
    assert not layout["outside"], f"{name}: buttons outside the screen: {layout['outside']}"
    assert not layout["counted"], (
        f"{name}: upload buttons showing a file count: {layout['counted']}"
    )


def test_scorecard_keeps_facility_names_in_view_while_columns_scroll(
    page, voila_url, tmp_path_factory
):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    open_app(page, voila_url, "scorecard")
    page.locator(".phcpm-scorecard-table table").wait_for()
    box = page.locator(".phcpm-scorecard-table .phcpm-scroll")
    first = page.locator(".phcpm-scorecard-table tbody th[scope='row']").first
    before = first.bounding_box()
    scrolled = box.evaluate("e => { e.scrollLeft = e.scrollWidth; return e.scrollLeft; }")
    assert scrolled > 100, "the scorecard's columns do not scroll inside their box"
    page.wait_for_timeout(200)
    after = first.bounding_box()
    box.screenshot(path=str(_screens(tmp_path_factory) / "phone-scorecard-scrolled.png"))
    # Without the fixed column the name would have moved left by the whole scroll.
    assert abs(after["x"] - before["x"]) <= 4, "the facility names scrolled out of view"
    assert after["x"] >= 0
    assert after["x"] + after["width"] <= WIDTH
    assert "Health Centre" in first.inner_text() or first.inner_text().strip()
