"""One real interaction per app, with the visible result a person would check.

Every notebook in notebooks/apps must have an entry here; a test enforces it.
Each function receives a Playwright page with the app open and its tool visible.
"""

from __future__ import annotations

import re


def sampling(page):
    """Change the margin of error and see the sample size change."""
    result = page.locator(".phcpm-sampling-result")
    result.wait_for(state="visible")
    before = result.inner_text()
    assert re.search(r"\d", before), f"no number in the result: {before!r}"
    margin = page.locator(".phcpm-sampling-margin input")
    margin.fill("3")
    margin.press("Enter")
    page.wait_for_function(
        "([sel, old]) => document.querySelector(sel).innerText !== old",
        arg=[".phcpm-sampling-result", before],
    )
    after = result.inner_text()
    assert "1,068" in after or "1068" in after, after


def indicators(page):
    """Load the worked example and read the shortlist and its balance."""
    page.locator(".phcpm-indicators-worked-example").click()
    page.get_by_role("tab", name="3. Shortlist").click()
    shortlist = page.locator(".phcpm-indicators-shortlist")
    shortlist.get_by_text("Supportive supervision visits completed").wait_for()
    assert "Pentavalent 3 (DTP3) coverage" in shortlist.inner_text()
    page.get_by_role("tab", name="4. Balance").click()
    warnings = page.locator(".phcpm-indicators-warnings")
    warnings.get_by_text("No balance problems found").wait_for()


def spc(page):
    """Read the opening chart's signals, split the improvement project, then paste a bad series."""
    page.locator(".phcpm-spc-explanation").get_by_text(
        "below the lower control limit", exact=False
    ).first.wait_for()
    page.locator(".phcpm-spc-source").get_by_text("Improvement project").click()
    split = page.locator(".phcpm-spc-split input")
    split.fill("16")
    split.press("Enter")
    page.locator(".phcpm-spc-draw").click()
    page.get_by_text("Part 1: No signal", exact=False).first.wait_for()
    page.get_by_text("Part 2: No signal", exact=False).first.wait_for()
    page.locator(".phcpm-spc-source").get_by_text("Paste a series").click()
    page.locator(".phcpm-spc-paste textarea").fill("12\nabc")
    split.fill("")
    split.press("Enter")
    page.locator(".phcpm-spc-draw").click()
    page.locator(".phcpm-spc-message").get_by_text("Line 2", exact=False).wait_for()


def quality(page):
    """Run the review on the example data and read the summary."""
    page.locator(".phcpm-quality-run button").first.click()
    summary = page.locator(".phcpm-quality-summary")
    summary.get_by_text("Reporting completeness", exact=False).first.wait_for(timeout=90_000)
    assert "■ Fail" in summary.inner_text()
    page.locator(".phcpm-quality-status").get_by_text("flags to verify", exact=False).wait_for()
    assert "Excel report" in page.locator(".phcpm-quality-download").inner_text()


INTERACTIONS = {
    "quality": quality,
    "spc": spc,
    "indicators": indicators,
    "sampling": sampling,
}
