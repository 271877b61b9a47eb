"""The twinning planner shows only results of the scores in use, in a real browser.

Run the example, upload a broken file: the example's pairs, diagram and
downloads go, and the message says what is wrong; moving a slider does not
bring them back. Then a good file gives its own pairs.
"""

from __future__ import annotations

from tests.browser.conftest import open_app

BROKEN = b"district,domain,score\nAmani,supervision,85\nBora,supervision,120\n"
GOOD = (
    b"district,domain,score\n"
    b"Amani,supervision,85\nAmani,stock management,40\n"
    b"Bora,supervision,45\nBora,stock management,90\n"
)


def choose(page, name: str, content: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(".phcpm-twinning-upload").click()
    chooser.value.set_files({"name": name, "mimeType": "text/csv", "buffer": content})


def test_a_broken_file_removes_the_example_results(page, voila_url):
    open_app(page, voila_url, "twinning")
    page.locator(".phcpm-twinning-example").click()
    summary = page.locator(".phcpm-twinning-summary")
    summary.get_by_text("6 pairs", exact=False).wait_for()
    assert page.locator(".phcpm-twinning-downloads button").count() == 3

    choose(page, "scores.csv", BROKEN)
    message = page.locator(".phcpm-twinning-message")
    message.get_by_text("between 0 and 100", exact=False).wait_for()
    summary.wait_for(state="detached")
    assert page.locator(".phcpm-twinning-network img").count() == 0
    assert page.locator(".phcpm-twinning-downloads button").count() == 0
    assert "Scores from the example" not in page.locator(".phcpm-app").inner_text()

    choose(page, "scores.csv", GOOD)
    summary.get_by_text("1 pair for 2 districts", exact=False).wait_for()
    assert message.is_hidden()
    assert "Amani" in page.locator(".phcpm-twinning-pairs").inner_text()
