"""Bring your own data in a browser: a bad file gets a plain message, then a good one works."""

from __future__ import annotations

from tests.browser.conftest import assert_no_voila_error, open_app

JUNK = bytes(range(256)) * 40  # binary junk with a .csv name
GOOD = (
    b"org_unit,period,indicator,value\n"
    b"Hillside Health Post,2025Q3,Penta3 coverage,71\n"
    b"Hillside Health Post,2025Q4,Penta3 coverage,78\n"
    b"Riverbend Health Centre,2025Q3,Penta3 coverage,88\n"
    b"Riverbend Health Centre,2025Q4,Penta3 coverage,91\n"
)


def upload(page, name: str, content: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(".phcpm-picker-upload").click()
    chooser.value.set_files({"name": name, "mimeType": "text/csv", "buffer": content})


def test_bad_upload_shows_a_message_and_a_good_one_then_works(page, voila_url):
    open_app(page, voila_url, "scorecard")
    page.get_by_role("tab", name="My data").click()

    upload(page, "facility-data.csv", JUNK)
    error = page.locator(".phcpm-picker .phcpm-error")
    error.get_by_text("What to do", exact=False).wait_for()
    assert "Traceback" not in error.inner_text()
    assert_no_voila_error(page)

    upload(page, "my-scorecard.csv", GOOD)
    # An ordinary table: the picker shows its guesses of which column is which.
    apply = page.locator(".phcpm-picker-apply")
    apply.wait_for()
    assert page.locator(".phcpm-picker-mapping select").count() >= 4
    apply.click()
    table = page.locator(".phcpm-scorecard-table")
    table.get_by_text("Riverbend Health Centre", exact=False).first.wait_for()
    assert "Hillside Health Post" in table.inner_text()
    assert_no_voila_error(page)


def pivot_download() -> bytes:
    """A DHIS2 pivot table downloaded with its metadata columns (DHIS2 Developer
    Manual, "Analytics", table layout): one row per month and facility, one column
    per data item. Three facilities (two share a name), 12 months, 2 data items:
    72 values that add up to 1,584."""
    head = (
        "periodid,periodname,periodcode,perioddescription,orgunitlevel1,orgunitlevel2,"
        "orgunitlevel3,organisationunitid,organisationunitname,organisationunitcode,"
        "organisationunitdescription,ANC 1st visit,ANC 4th visit\n"
    )
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]  # fmt: skip
    places = [
        ("Ou1aBcDeFgH", "Hillside Health Post", "Lakeside"),
        ("Ou2aBcDeFgH", "Riverbend Health Centre", "Lakeside"),
        ("Ou3aBcDeFgH", "Hillside Health Post", "Upland"),
    ]
    lines = []
    for m, month in enumerate(months, start=1):
        for i, (uid, name, district) in enumerate(places):
            anc1 = 20 + 3 * i + m
            lines.append(
                f"2025{m:02d},{month} 2025,2025{m:02d},,Sendara,North,{district},{uid},"
                f"{name},,,{anc1},{anc1 // 2}"
            )
    return (head + "\n".join(lines) + "\n").encode()


PIVOT_COUNTS = "3 places, 12 period(s), 2 data element(s); the values add up to 1,584."
HEADINGS_ONLY = b"periodid,periodname,organisationunitid,organisationunitname,ANC 1st visit\n"


def test_pivot_download_with_metadata_columns_in_the_quality_tool(page, voila_url):
    open_app(page, voila_url, "quality")
    upload(page, "headings-only.csv", HEADINGS_ONLY)
    error = page.locator(".phcpm-picker .phcpm-error")
    error.get_by_text("headings but no data rows", exact=False).wait_for()
    assert "What to do" in error.inner_text() and "Traceback" not in error.inner_text()
    assert_no_voila_error(page)

    upload(page, "pivot-table.csv", pivot_download())  # the tool is still usable
    summary = page.locator(".phcpm-picker-summary")
    summary.get_by_text(PIVOT_COUNTS, exact=False).wait_for(timeout=90_000)
    assert "Nothing was dropped" in summary.inner_text()
    status = page.locator(".phcpm-quality-status")
    status.get_by_text("Review of 2025 done", exact=False).wait_for(timeout=90_000)
    assert error.inner_text().strip() == ""
    assert_no_voila_error(page)


def test_pivot_download_with_metadata_columns_in_the_scorecard(page, voila_url):
    open_app(page, voila_url, "scorecard")
    page.get_by_role("tab", name="My data").click()
    upload(page, "headings-only.csv", HEADINGS_ONLY)
    error = page.locator(".phcpm-picker .phcpm-error")
    error.get_by_text("headings but no data rows", exact=False).wait_for()
    assert "Traceback" not in error.inner_text()

    upload(page, "pivot-table.csv", pivot_download())
    summary = page.locator(".phcpm-picker-summary")
    summary.get_by_text(PIVOT_COUNTS, exact=False).wait_for(timeout=90_000)
    assert page.locator(".phcpm-picker-mapping").is_hidden()  # a DHIS2 layout asks nothing
    table = page.locator(".phcpm-scorecard-table")
    table.get_by_text("ANC 1st visit", exact=False).first.wait_for(timeout=90_000)
    text = table.inner_text()
    assert "202501" not in text  # no period code taken as a value or a place
    # one row per facility, by name (two share a name: their district tells them
    # apart), December's values
    rows = [line for line in text.splitlines() if line.startswith(("Hillside", "Riverbend"))]
    assert [r.split("\t")[0] for r in rows] == [
        "Hillside Health Post (Lakeside)",
        "Riverbend Health Centre",
        "Hillside Health Post (Upland)",
    ]
    assert "Ou1aBcDeFgH" not in text  # names, not DHIS2 IDs
    assert [r.split("\t")[1].split()[1] for r in rows] == ["32", "35", "38"]
    assert_no_voila_error(page)
