"""Two participants on the same app do not see each other's data.

Each page Voila serves gets its own kernel; two separate browser contexts (two
people, no shared cookies or storage) open the sampling app, one loads its own
list and changes a setting, and the other must not see any of it.
"""

from __future__ import annotations

from tests.browser.conftest import open_app


def _participant(browser):
    context = browser.browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def test_two_participants_do_not_see_each_others_data(browser, voila_url, tmp_path):
    assert browser.browser is not None, "the test browser cannot open separate contexts"
    register = tmp_path / "my_register.csv"
    rows = [f"{i},Zelmora Riverside post {i}" for i in range(1, 13)]
    register.write_text("record_id,facility\n" + "\n".join(rows) + "\n", encoding="utf-8")

    first_context, first = _participant(browser)
    second_context, second = _participant(browser)
    try:
        open_app(first, voila_url, "sampling")
        open_app(second, voila_url, "sampling")
        before = second.locator(".phcpm-sampling-result").inner_text()

        # The first participant loads their own list and draws a sample from it.
        first.get_by_role("tab", name="Draw a sample").click()
        with first.expect_file_chooser() as chooser:
            first.locator(".phcpm-sampling-register-upload").click()
        chooser.value.set_files(str(register))
        first.get_by_text("Loaded a list of 12 rows", exact=False).first.wait_for()
        how_many = first.locator(".phcpm-sampling-n input")
        how_many.fill("5")  # the list has 12 rows
        how_many.press("Enter")
        first.locator(".phcpm-sampling-draw").click()
        first.locator(".phcpm-sampling-draw-result").get_by_text(
            "Zelmora Riverside", exact=False
        ).first.wait_for()
        # ... and changes the margin of error on the first tab.
        first.get_by_role("tab", name="Sample size").click()
        margin = first.locator(".phcpm-sampling-margin input")
        margin.fill("3")
        margin.press("Enter")
        first.locator(".phcpm-sampling-result").get_by_text("1,068", exact=False).wait_for()

        # The second participant's kernel has no list: drawing asks them to load one.
        second.get_by_role("tab", name="Draw a sample").click()
        second.locator(".phcpm-sampling-draw").click()
        second.get_by_text("No list loaded yet", exact=False).first.wait_for()
        assert "Zelmora" not in second.locator("body").inner_text()
        # Their sample size is still the one they started with.
        second.get_by_role("tab", name="Sample size").click()
        assert second.locator(".phcpm-sampling-result").inner_text() == before
        assert "1,068" not in before
    finally:
        first_context.close()
        second_context.close()
