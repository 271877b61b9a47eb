"""Every slider in every tool can be dragged with the mouse, and dragging it changes the result.

For each app in ``notebooks/apps`` the test opens the tool, does what a person
does first to get a result (for example "Use the example data"), then visits
every tab and drags the handle of every slider it finds along its track with
the mouse (press, move, release), as a person would. It checks that

* the track is wide enough to drag (at least 120 px on a 1280 px screen);
* the slider's number changed;
* what the tool shows (its text, pictures and drawings, sliders left out)
  changed within 60 seconds.

Sliders that only set up an action done by a button have that button clicked
after the drag (``THEN_CLICK``).
"""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import APPS, open_app

MIN_TRACK_PX = 120

#: What a person does first so that the tool shows a result the sliders change.
PREPARE = {
    "twinning": [("click", ".phcpm-twinning-example"), ("wait", ".phcpm-twinning-network img")],
    "process": [
        ("tab", "2. Waiting times"),
        ("click", ".phcpm-process-measure"),
        ("wait", ".phcpm-process-times table"),
        ("click", ".phcpm-process-whatif"),
        ("wait", ".phcpm-process-whatif-result table"),
    ],
    "quality": [("click_text", "Use the example data"), ("wait", ".phcpm-quality-summary")],
}

#: Sliders (by their label) whose value is used by a button: click it after the drag.
THEN_CLICK = {
    "New rating": ".phcpm-indicators-add-change",
}

#: Tools whose sliders fail this test today, with what was seen (each must fail: strict).
KNOWN = {}

_FINGERPRINT = """
(root) => {
  const copy = root.cloneNode(true);
  copy.querySelectorAll('.widget-slider, .widget-hslider, style, script').forEach(e => e.remove());
  let text = copy.textContent;
  let hash = 0;
  const mix = (s) => { for (let i = 0; i < s.length; i++) hash = (hash * 31 + s.charCodeAt(i)) | 0; };
  copy.querySelectorAll('img').forEach(i => mix(i.getAttribute('src') || ''));
  copy.querySelectorAll('svg').forEach(v => mix(v.outerHTML));
  return text + '#' + hash;
}
"""


def fingerprint(page) -> str:
    return page.locator(".phcpm-app").first.evaluate(_FINGERPRINT)


def prepare(page, name: str) -> None:
    for action, target in PREPARE.get(name, []):
        if action == "click":
            page.locator(target).first.click()
        elif action == "click_text":
            page.get_by_text(target, exact=True).first.click()
        elif action == "tab":
            page.get_by_role("tab", name=target).click()
        elif action == "wait":
            page.locator(target).first.wait_for(timeout=120_000)


def readout(slider) -> str:
    return slider.locator(".widget-readout").first.inner_text().strip()


def steady_box(locator) -> dict | None:
    """The element's box once it stops moving (results appearing above can shift it)."""
    box = locator.bounding_box()
    for _ in range(20):
        time.sleep(0.25)
        again = locator.bounding_box()
        if again == box:
            return box
        box = again
    return box


def drag(page, slider) -> tuple[str, str, float]:
    """Drag the slider's handle across its track; return (before, after, track width).

    A drag that leaves the number unchanged is tried once more (the page may
    have moved under the mouse); a slider that cannot be dragged fails both.
    """
    before = readout(slider)
    width = 0.0
    for _attempt in range(2):
        slider.scroll_into_view_if_needed()
        track = slider.locator(".noUi-target, .slider").first
        handle = slider.locator(".noUi-handle").first
        box = steady_box(track)
        grip = handle.bounding_box()
        if box is None or grip is None or box["width"] < 2:
            return before, before, 0.0 if box is None else box["width"]
        width = box["width"]
        x0 = grip["x"] + grip["width"] / 2
        y0 = grip["y"] + grip["height"] / 2
        fraction = (x0 - box["x"]) / box["width"]
        x1 = box["x"] + box["width"] * (0.2 if fraction > 0.5 else 0.8)
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move(x1, y0, steps=12)
        page.mouse.up()
        deadline = time.monotonic() + 10
        while readout(slider) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        if readout(slider) != before:
            break
    return before, readout(slider), width


def label_of(slider) -> str:
    label = slider.locator(".widget-label").first
    return label.inner_text().strip() if label.count() else "(no label)"


def wait_changed(page, old: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fingerprint(page) != old:
            return True
        time.sleep(0.5)
    return False


def check_visible_sliders(page, seen: set[str], problems: list[str]) -> int:
    count = 0
    sliders = page.locator(".phcpm-app .widget-hslider")
    for i in range(sliders.count()):
        slider = sliders.nth(i)
        if not slider.is_visible():
            continue
        label = label_of(slider)
        if label in seen:
            continue
        seen.add(label)
        count += 1
        page.wait_for_timeout(500)  # let a result started by the previous slider settle
        old = fingerprint(page)
        before, after, width = drag(page, slider)
        if width < MIN_TRACK_PX:
            problems.append(f"'{label}': the track is {width:.0f} px wide, too narrow to drag")
            continue
        if before == after:
            problems.append(f"'{label}': dragging did not change the value ({before})")
            continue
        if label in THEN_CLICK:
            page.locator(THEN_CLICK[label]).first.click()
        if not wait_changed(page, old):
            problems.append(
                f"'{label}': the value went from {before} to {after}, but the "
                "result on screen did not change"
            )
    return count


def tabs_of(page) -> list[str]:
    return [t.inner_text().strip() for t in page.locator(".phcpm-app [role=tab]").all()]


APP_NAMES = sorted(p.stem for p in APPS.glob("*.ipynb"))


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN[n])) if n in KNOWN else n
        for n in APP_NAMES
    ],
)
def test_every_slider_can_be_dragged_and_changes_the_result(page, voila_url, name):
    open_app(page, voila_url, name)
    page.wait_for_timeout(1000)
    prepare(page, name)
    seen: set[str] = set()
    problems: list[str] = []
    found = check_visible_sliders(page, seen, problems)
    for title in tabs_of(page):
        page.get_by_role("tab", name=title, exact=True).first.click()
        page.wait_for_timeout(500)
        found += check_visible_sliders(page, seen, problems)
    assert not problems, f"{name}: " + "; ".join(problems)
    if name in ("twinning", "process", "sampling", "quality", "spc", "indicators"):
        assert found, f"{name}: no slider was found, though the tool has sliders"
