"""The process tool in a real browser: the map as a table of steps, and the Pareto input.

* choosing no next step for a step shows the mistake at once and takes the old
  map off the screen; choosing it again brings the map back;
* an imported table of steps replaces the example, and the example comes back;
* the Pareto list has one source: a file fills the list, and what is typed
  after it is what is drawn; a file of text and period codes gets a specific
  message and no chart;
* tabs 2 to 4 reach the page only when first opened.
"""

from __future__ import annotations

from tests.browser.conftest import open_app

STEPS = (
    b"step_id,label,lane,kind,next,next_labels\n"
    b"A,Mother arrives,Mother,start,B,\n"
    b"B,Weighed and vaccinated,Nurse,step,C,\n"
    b"C,Goes home,Mother,end,,\n"
)


def choose(page, css: str, name: str, content: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(css).click()
    chooser.value.set_files({"name": name, "mimeType": "text/csv", "buffer": content})


def test_the_map_is_edited_as_a_table_and_the_example_comes_back(page, voila_url):
    open_app(page, voila_url, "process")
    page.locator(".phcpm-process-map svg").wait_for()
    rows = page.locator(".phcpm-process-step")
    assert rows.count() == 16
    third = rows.nth(2)
    assert third.locator(".phcpm-process-step-kind select").input_value() == "Work done"
    next_step = third.locator(".phcpm-process-step-next select")
    next_step.select_option(label="(choose the next step)")
    error = page.locator(".phcpm-process-map-error")
    error.get_by_text("leads nowhere", exact=False).wait_for()
    assert "S3" in error.inner_text()
    page.locator(".phcpm-process-map").wait_for(state="detached")  # the old map is gone
    next_step.select_option(label="S4: Waits for triage")
    page.locator(".phcpm-process-map svg").wait_for()
    assert error.is_hidden()

    choose(page, ".phcpm-process-steps-upload", "child-clinic.csv", STEPS)
    page.locator(".phcpm-process-map").get_by_text("Weighed and vaccinated", exact=True).wait_for()
    assert rows.count() == 3
    page.locator(".phcpm-process-example").click()
    page.locator(".phcpm-process-map").get_by_text("Patient leaves", exact=True).wait_for()
    assert rows.count() == 16


def test_the_pareto_list_has_one_source(page, voila_url):
    open_app(page, voila_url, "process")
    page.locator(".phcpm-process-map svg").wait_for()
    assert page.locator(".phcpm-process-pareto").count() == 0  # not built until opened
    assert page.locator(".phcpm-process-measure").count() == 0
    page.get_by_role("tab", name="4. Pareto chart").click()
    box = page.locator(".phcpm-process-pareto textarea")
    box.wait_for()
    result = page.locator(".phcpm-process-pareto-result")

    choose(page, ".phcpm-process-pareto-upload", "causes.csv", b"cause,cases\nFuel,5\nRoads,12\n")
    result.get_by_text("The vital few", exact=False).wait_for()
    assert box.input_value() == "Roads, 12\nFuel, 5"
    page.locator(".phcpm-process-pareto-note").get_by_text("causes.csv", exact=False).wait_for()

    box.fill("Waiting, 40\nRoads, 12")
    result.wait_for(state="detached")  # the chart of the file's list is gone
    page.locator(".phcpm-process-pareto-draw").click()
    result.get_by_text("Waiting", exact=False).first.wait_for()
    assert "Fuel" not in result.inner_text()

    dhis2 = b"orgunit,period,dataelement\nKelumo,202401,ANC 1\nKelumo,202402,ANC 1\n"
    choose(page, ".phcpm-process-pareto-upload", "dhis2.csv", dhis2)
    error = page.locator(".phcpm-process-pareto-error")
    error.get_by_text("period codes", exact=False).wait_for()
    assert "dhis2.csv" in error.inner_text()
    assert result.count() == 0  # no bar of summed period codes
    assert box.input_value() == "Waiting, 40\nRoads, 12"
