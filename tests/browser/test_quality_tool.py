"""The Data Quality Review tool in a browser: the example's annual review, a broken file
(the old results and reports are gone, the message says what is wrong), a good file
(its own results), and the drill-down from region to district to facility."""

from __future__ import annotations

from phcpm.paths import dataset_path
from tests.browser.conftest import assert_no_voila_error, open_app

JUNK = bytes(range(256)) * 40  # binary junk with a .csv name


def _choose(page, name: str, content: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(".phcpm-quality-upload").click()
    chooser.value.set_files({"name": name, "mimeType": "text/csv", "buffer": content})


def _gone(page, selector: str) -> None:
    """Wait until nothing visible matches ``selector``."""
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].every("
        "e => !e.offsetParent || !e.innerText.trim())",
        arg=selector,
    )


def _run_example(page) -> None:
    page.get_by_role("button", name="Use the example data").click()
    status = page.locator(".phcpm-quality-status")
    status.get_by_text("Review of 2025 done", exact=False).wait_for(timeout=120_000)
    assert "the last complete year" in status.inner_text()


def test_a_broken_file_removes_the_old_review_then_a_good_file_is_reviewed(page, voila_url):
    open_app(page, voila_url, "quality")
    _run_example(page)
    report = page.locator(".phcpm-quality-report")
    report.get_by_text("Reporting completeness", exact=False).first.wait_for()
    assert "Rank" in page.locator(".phcpm-quality-verify").inner_text()
    # The report is built when asked for.
    downloads = page.locator(".phcpm-quality-download")
    assert downloads.locator("a.phcpm-download").count() == 0
    downloads.get_by_role("button", name="HTML report (printable)").click()
    downloads.locator("a.phcpm-download").first.wait_for()

    _choose(page, "facility-data.csv", JUNK)
    error = page.locator(".phcpm-picker .phcpm-error")
    error.get_by_text("not a table", exact=False).wait_for()
    assert "Something went wrong" not in error.inner_text()
    _gone(page, ".phcpm-quality-report")
    _gone(page, ".phcpm-quality-verify")
    assert downloads.locator("a.phcpm-download").count() == 0
    assert downloads.get_by_role("button").count() == 0
    assert "Review of" not in page.locator(".phcpm-quality-status").inner_text()
    assert_no_voila_error(page)

    data = dataset_path("dhis2/datavalueset.csv").read_bytes()
    _choose(page, "datavalueset.csv", data)
    status = page.locator(".phcpm-quality-status")
    status.get_by_text("Review of 2025 done", exact=False).wait_for(timeout=120_000)
    assert error.inner_text().strip() == ""
    assert "Reporting completeness and timeliness are not checked" in status.inner_text()
    report.get_by_text("Extreme outliers", exact=False).first.wait_for()
    assert downloads.get_by_role("button", name="Excel report").count() == 1
    assert_no_voila_error(page)


def test_drill_down_from_region_to_district_to_facility(page, voila_url):
    open_app(page, voila_url, "quality")
    _run_example(page)
    summary = page.locator(".phcpm-quality-summary")
    summary.get_by_text("region level", exact=False).wait_for()
    page.locator(".phcpm-quality-region select").select_option("Kalindi Region")
    summary.get_by_text("district level, inside Kalindi Region", exact=False).wait_for()
    page.locator(".phcpm-quality-drill-district select").select_option("Ruvo District")
    summary.get_by_text("facility level, inside Ruvo District", exact=False).wait_for()
    page.locator(".phcpm-quality-report").get_by_text(
        "Kerama Health Centre", exact=False
    ).first.wait_for()
    assert_no_voila_error(page)


def test_the_funnel_plot_opens_with_its_alt_text_and_png_and_goes_with_a_broken_file(
    page, voila_url
):
    open_app(page, voila_url, "quality")
    _run_example(page)
    page.get_by_text("Funnel plot: which facilities to look at", exact=False).first.click()
    chart = page.locator(".phcpm-quality-funnel-chart img")
    chart.wait_for(timeout=60_000)
    assert chart.get_attribute("alt").startswith("Funnel plot of reporting completeness in 2025")
    funnel = page.locator(".phcpm-quality-funnel")
    assert "the ones to look at" in funnel.inner_text()
    funnel.get_by_role("button", name="Funnel plot (PNG)").click()
    funnel.locator("a.phcpm-download").first.wait_for()
    page.locator(".phcpm-quality-funnel-measure").get_by_role("button", name="Timeliness").click()
    funnel.get_by_text("The facilities to look at", exact=False).wait_for(timeout=60_000)
    assert "Mbendiro Hill Community Clinic" in funnel.inner_text()
    assert "95 % interval" in funnel.inner_text()
    _choose(page, "facility-data.csv", JUNK)
    page.locator(".phcpm-picker .phcpm-error").get_by_text("not a table", exact=False).wait_for()
    _gone(page, ".phcpm-quality-funnel")
    assert page.locator(".phcpm-quality-funnel-chart img").count() == 0
    assert_no_voila_error(page)
