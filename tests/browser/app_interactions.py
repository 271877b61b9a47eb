"""One real interaction per app, with the visible result a person would check.

Every notebook in notebooks/apps must have an entry here; a test enforces it.
Each function receives a Playwright page with the app open and its tool visible.
"""

from __future__ import annotations

import io
import re

import openpyxl


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
    """Read the opening chart's signals, split the improvement project, paste a bad series,
    then upload a junk file (a plain message) and a good one (a chart)."""
    page.locator(".phcpm-spc-explanation").get_by_text(
        "below the lower control limit", exact=False
    ).first.wait_for()
    page.locator(".phcpm-spc-source").get_by_text("Improvement project").click()
    split = page.locator(".phcpm-spc-split input")
    split.fill("16")
    split.press("Enter")  # every change redraws: no click needed
    page.get_by_text("Part 1: No signal", exact=False).first.wait_for()
    page.get_by_text("Part 2: No signal", exact=False).first.wait_for()
    page.locator(".phcpm-spc-source").get_by_text("Paste a series").click()
    page.locator(".phcpm-spc-paste textarea").fill("12\nabc")
    split.fill("")
    split.press("Enter")
    page.locator(".phcpm-spc-draw").click()
    message = page.locator(".phcpm-spc-message")
    message.get_by_text("Line 2", exact=False).wait_for()

    def choose(name: str, content: bytes) -> None:
        with page.expect_file_chooser() as chooser:
            page.locator(".phcpm-spc-upload").click()
        chooser.value.set_files({"name": name, "mimeType": "text/csv", "buffer": content})

    page.locator(".phcpm-spc-source").get_by_text("Upload a file").click()
    choose("facility-data.csv", bytes(range(256)) * 40)
    message.get_by_text("not a table", exact=False).wait_for()
    assert "Traceback" not in message.inner_text()
    rows = "".join(f"2025-{m:02d},{10 + m % 4},{30 + m % 3}\n" for m in range(1, 13))
    choose("malaria.csv", ("month,cases,tested\n" + rows).encode())
    page.locator(".phcpm-spc-upload-note").get_by_text("2 series", exact=False).wait_for()
    page.locator(".phcpm-spc-chart img[alt*='cases']").wait_for()
    assert "12 points" in page.locator(".phcpm-spc-series").inner_text()
    assert message.is_hidden()


def quality(page):
    """Run the annual review on the example data and read it, then review a DHIS2 download."""
    from phcpm.paths import dataset_path

    page.get_by_role("button", name="Use the example data").click()
    report = page.locator(".phcpm-quality-report")
    report.get_by_text("Reporting completeness", exact=False).first.wait_for(timeout=90_000)
    assert "Rank" in page.locator(".phcpm-quality-verify").inner_text()
    status = page.locator(".phcpm-quality-status")
    status.get_by_text("values to verify", exact=False).wait_for()
    assert "Excel report" in page.locator(".phcpm-quality-download").inner_text()
    # The data check lists the rows it left out of the review (entered twice, negative).
    assert "Rows dropped: 7" in page.locator(".phcpm-picker-summary").inner_text()
    with page.expect_file_chooser() as chooser:
        page.locator(".phcpm-quality-upload").click()
    data = dataset_path("dhis2/datavalueset.csv").read_bytes()
    chooser.value.set_files({"name": "datavalueset.csv", "mimeType": "text/csv", "buffer": data})
    status.get_by_text(
        "Reporting completeness and timeliness are not checked", exact=False
    ).wait_for(timeout=90_000)
    assert "Reporting completeness" not in report.inner_text()
    assert "outliers" in report.inner_text()


def process(page):
    """Change a step's label in the table of steps and see the map redraw."""
    label = page.locator(".phcpm-process-step-label input").last
    label.wait_for(state="visible")
    page.locator(".phcpm-process-map svg").wait_for()
    assert label.input_value() == "Patient leaves"
    label.fill("Patient goes home")
    label.press("Enter")
    page.locator(".phcpm-process-map").get_by_text("Patient goes home", exact=True).wait_for()


def scorecard(page):
    """Switch to districts, export the scorecard to Excel and check its colours and symbols."""
    table = page.locator(".phcpm-scorecard-table")
    table.get_by_text("On target").first.wait_for()
    assert "Kelumo Hill Health Centre" in table.inner_text()
    page.locator(".phcpm-scorecard-level select").select_option("Districts")
    table.get_by_text("Mbalazi District").first.wait_for()
    page.locator(".phcpm-scorecard-excel button").click()  # the file is made now
    link = page.locator(".phcpm-scorecard-excel a.phcpm-download")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read()))["Scorecard"]
    assert sheet.cell(3, 1).value == "Org unit"
    cell = sheet.cell(4, 2)
    assert str(cell.value)[0] in "●▲■?–"
    assert cell.fill.fgColor.rgb[-6:] in {"009E73", "E69F00", "D55E00", "FFFFFF", "BBBBBB"}


def pdsa(page):
    """Open the example project, see a bad entry refused, then save a good one; then open a
    team workspace, start a project there, and see that another team's workspace lacks it."""
    page.locator(".phcpm-pdsa-user input").fill("Test User")
    page.locator(".phcpm-pdsa-example").click()
    page.locator(".phcpm-pdsa-note").get_by_text(
        "The example project is open", exact=False
    ).wait_for()
    page.locator(".phcpm-pdsa-values").get_by_text("2025-10-06", exact=False).first.wait_for()
    page.locator(".phcpm-pdsa-period input").fill("2025-10-20")
    numerator = page.locator(".phcpm-pdsa-numerator input")
    numerator.fill("40")
    numerator.press("Enter")
    denominator = page.locator(".phcpm-pdsa-denominator input")
    denominator.fill("35")
    denominator.press("Enter")
    page.locator(".phcpm-pdsa-message").get_by_text(
        "larger than the denominator", exact=False
    ).wait_for()
    numerator.fill("30")
    numerator.press("Enter")
    page.locator(".phcpm-pdsa-save").click()
    page.locator(".phcpm-pdsa-note").get_by_text("Saved the result", exact=False).wait_for()
    page.locator(".phcpm-pdsa-values").get_by_text("2025-10-20", exact=False).first.wait_for()
    page.get_by_role("tab", name="Run chart").click()
    page.locator(".phcpm-pdsa-chart img").wait_for()
    projects = page.locator(".phcpm-pdsa-project select option")
    # the dropdown shows names with non-breaking spaces; the option's value is the plain name
    assert "Pezali Lake" in projects.first.get_attribute("value")
    team = page.locator(".phcpm-pdsa-team input")
    team.fill("Ruvo district team")
    page.locator(".phcpm-pdsa-team-open").click()
    page.locator(".phcpm-pdsa-note").get_by_text(
        "The workspace 'ruvo-district-team' is open: 0 projects", exact=False
    ).wait_for()
    page.locator(".phcpm-pdsa-workspace").get_by_text("ruvo-district-team", exact=False).wait_for()
    assert projects.count() == 0, "the team workspace lists another workspace's projects"
    page.get_by_text("Start a new project", exact=True).click()
    page.locator(".phcpm-pdsa-new-name input").fill("Shorter waiting at Ruvo dispensary")
    page.locator(".phcpm-pdsa-create").click()
    page.locator(".phcpm-pdsa-note").get_by_text("The project was created", exact=False).wait_for()
    page.locator('.phcpm-pdsa-project option[value="Shorter waiting at Ruvo dispensary"]').wait_for(
        state="attached"
    )
    assert projects.count() == 1
    team.fill("Kalembo team")
    page.locator(".phcpm-pdsa-team-open").click()
    page.locator(".phcpm-pdsa-note").get_by_text(
        "The workspace 'kalembo-team' is open: 0 projects", exact=False
    ).wait_for()
    assert projects.count() == 0, "another team's workspace lists the Ruvo team's project"
    team.fill("Ruvo district team")
    page.locator(".phcpm-pdsa-team-open").click()
    page.locator(".phcpm-pdsa-note").get_by_text(
        "The workspace 'ruvo-district-team' is open: 1 project", exact=False
    ).wait_for()
    assert projects.first.get_attribute("value") == "Shorter waiting at Ruvo dispensary"


def twinning(page):
    """Use the example scores and read the proposed pairs."""
    page.locator(".phcpm-twinning-example").click()
    pairs = page.locator(".phcpm-twinning-pairs")
    pairs.get_by_text("Why this pair", exact=False).first.wait_for()
    assert "Lusako" in pairs.inner_text()
    page.locator(".phcpm-twinning-summary").get_by_text("6 pairs", exact=False).wait_for()
    page.locator(".phcpm-twinning-network img").wait_for()


INTERACTIONS = {
    "pdsa": pdsa,
    "twinning": twinning,
    "process": process,
    "scorecard": scorecard,
    "quality": quality,
    "spc": spc,
    "indicators": indicators,
    "sampling": sampling,
}
