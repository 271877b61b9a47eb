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
