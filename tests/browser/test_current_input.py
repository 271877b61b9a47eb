"""What a tool shows belongs to its current input: run the example, upload a broken file
(the old results and downloads are gone, the message says what is wrong), then a good
file (its results appear).

One test per tool that accepts data: the scorecard, the chart tool, the sampling
toolkit and the indicator selector. Files are given to the page's own file chooser.
"""

from __future__ import annotations

from tests.browser.conftest import assert_no_voila_error, open_app

GENERIC = "Something went wrong"
JUNK = bytes(range(256)) * 40


def _choose(page, selector: str, name: str, content: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(selector).click()
    chooser.value.set_files({"name": name, "mimeType": "text/csv", "buffer": content})


def _gone(page, selector: str) -> None:
    """Wait until nothing visible matches ``selector``."""
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].every("
        "e => !e.offsetParent || !e.innerText.trim())",
        arg=selector,
    )


def test_scorecard_never_shows_the_old_card_under_an_error(page, voila_url):
    open_app(page, voila_url, "scorecard")
    page.locator(".phcpm-scorecard-table").get_by_text("On target").first.wait_for()
    page.get_by_role("tab", name="My data").click()
    page.get_by_role("button", name="Try the example indicator values").click()
    table = page.locator(".phcpm-scorecard-table")
    table.get_by_text("your data", exact=False).wait_for()
    page.locator(".phcpm-scorecard-excel button").click()
    page.locator(".phcpm-scorecard-excel a.phcpm-download").wait_for()

    _choose(page, ".phcpm-picker-upload", "scores.csv", JUNK)
    error = page.locator(".phcpm-picker .phcpm-error")
    error.get_by_text("not a table", exact=False).wait_for()
    assert GENERIC not in error.inner_text()
    _gone(page, ".phcpm-scorecard-table")
    assert page.locator(".phcpm-scorecard-excel a.phcpm-download").count() == 0
    assert page.locator(".phcpm-results .phcpm-scorecard-table").count() == 0

    rows = "place,period,indicator,value\n" + "".join(
        f"{p},2025Q{q},Maternal deaths,{n}\n"
        for p, n in (("North Clinic", 4), ("South Clinic", 1))
        for q in (1, 2)
    )
    _choose(page, ".phcpm-picker-upload", "deaths.csv", rows.encode())
    # The picker asks which column is which (its guesses filled in), then checks the file.
    page.locator(".phcpm-picker-apply").click()
    table.get_by_text("North Clinic").first.wait_for()
    # No target is known for this indicator: no colour, and the tool says why.
    assert "No target set" in table.inner_text()
    notes = page.locator(".phcpm-scorecard-notes")
    notes.get_by_text("not one of the standard indicators", exact=False).wait_for()
    assert_no_voila_error(page)


def test_chart_tool_never_shows_the_old_chart_under_an_error(page, voila_url):
    open_app(page, voila_url, "spc")
    page.locator(".phcpm-spc-chart img").wait_for()
    rows = "facility,month,cases\n" + "".join(
        f"{p},2025-{m:02d},{10 + m % 4 + k}\n"
        for k, p in enumerate(("Ruvo HC", "Lusako HC"))
        for m in range(1, 13)
    )
    page.locator(".phcpm-spc-source").get_by_text("Upload a file").click()
    _choose(page, ".phcpm-spc-upload", "cases.csv", rows.encode())
    page.locator(".phcpm-spc-chart img[alt*='cases']").wait_for()
    shown = page.locator(".phcpm-spc-series").inner_text()
    assert "12 points" in shown and ("Ruvo HC" in shown or "Lusako HC" in shown)
    page.locator(".phcpm-spc-png button").click()
    page.locator(".phcpm-spc-png a.phcpm-download").wait_for()

    _choose(page, ".phcpm-spc-upload", "facility.csv", JUNK)
    message = page.locator(".phcpm-spc-message")
    message.get_by_text("not a table", exact=False).wait_for()
    assert GENERIC not in message.inner_text()
    assert page.locator(".phcpm-spc-chart img").count() == 0
    assert page.locator(".phcpm-spc-png a.phcpm-download").count() == 0
    assert page.locator(".phcpm-spc-explanation").is_hidden()

    page.locator(".phcpm-spc-source").get_by_text("Paste a series").click()
    page.locator(".phcpm-spc-chart img").wait_for()
    page.locator(".phcpm-spc-paste textarea").fill("12, 15, 11; 14")
    page.locator(".phcpm-spc-split input").click()  # leaving the box redraws
    message.get_by_text("mixes commas", exact=False).wait_for()
    assert page.locator(".phcpm-spc-chart img").count() == 0

    page.locator(".phcpm-spc-source").get_by_text("Upload a file").click()
    _choose(page, ".phcpm-spc-upload", "cases.csv", rows.encode())
    page.locator(".phcpm-spc-chart img[alt*='cases']").wait_for()
    assert message.is_hidden()
    assert_no_voila_error(page)


def test_sampling_never_shows_an_old_classification_under_an_error(page, voila_url):
    open_app(page, voila_url, "sampling")
    page.get_by_role("tab", name="Classify my areas").click()
    page.locator(".phcpm-sampling-survey-example").click()
    result = page.locator(".phcpm-sampling-classify-result")
    result.get_by_text("reaches", exact=False).first.wait_for()
    page.locator(".phcpm-sampling-classify-download button").click()
    page.locator(".phcpm-sampling-classify-download a.phcpm-download").wait_for()

    _choose(page, ".phcpm-sampling-survey-upload", "survey.csv", b"")
    error = page.locator(".phcpm-sampling-classify-error")
    error.get_by_text("0 bytes", exact=False).wait_for()
    assert GENERIC not in error.inner_text()
    _gone(page, ".phcpm-sampling-classify-result")
    assert page.locator(".phcpm-sampling-classify-download").count() == 0

    rows = "supervision_area,anc4\n" + "".join(
        f"Area {a},{int(i < 15 - 5 * a)}\n" for a in (1, 2) for i in range(19)
    )
    _choose(page, ".phcpm-sampling-survey-upload", "survey.csv", rows.encode())
    page.locator(".phcpm-sampling-classify-note").get_by_text("Loaded 38 rows").wait_for()
    page.locator(".phcpm-sampling-classify").click()
    result.get_by_text("Area 2").wait_for()
    assert "Four or more antenatal visits" in result.inner_text()
    assert_no_voila_error(page)


def test_indicator_selector_never_shows_old_tables_under_an_error(page, voila_url):
    open_app(page, voila_url, "indicators")
    page.locator(".phcpm-indicators-worked-example").click()
    page.get_by_role("tab", name="3. Shortlist").click()
    shortlist = page.locator(".phcpm-indicators-shortlist")
    shortlist.get_by_text("Supportive supervision visits completed").wait_for()

    _choose(page, ".phcpm-indicators-upload", "list.csv", JUNK)
    message = page.locator(".phcpm-indicators-message")
    message.get_by_text("not a table", exact=False).wait_for()
    assert GENERIC not in message.inner_text()
    _gone(page, ".phcpm-indicators-shortlist")
    page.get_by_role("tab", name="6. Export").click()
    assert page.locator(".phcpm-indicators-downloads a.phcpm-download").count() == 0

    page.locator(".phcpm-indicators-use-catalogue").click()
    page.get_by_role("tab", name="3. Shortlist").click()
    shortlist.get_by_text("Shortlist:", exact=False).wait_for()
    assert message.is_hidden()
    assert_no_voila_error(page)
