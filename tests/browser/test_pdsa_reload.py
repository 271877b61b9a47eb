"""The PDSA tracker keeps a team's work across reloads, in a real browser.

* the team workspace is written into the page address, so a reload opens it
  again with its project, and the person's name comes back from the browser;
* unsaved cycle text makes the browser ask before the page is left
  (a ``beforeunload`` prompt);
* a workspace protected by an access code opens with the right code only, and a
  wrong code keeps what was typed;
* a measure added as better when lower, with its definition, is shown so after
  a reload.
"""

from __future__ import annotations

import re

from tests.browser.conftest import assert_no_voila_error, open_app

NOTE = ".phcpm-pdsa-note"
MESSAGE = ".phcpm-pdsa-message"


def wait_note(page, text: str) -> None:
    page.locator(NOTE).get_by_text(text, exact=False).wait_for()


def open_team(page, name: str, code: str = "") -> None:
    page.locator(".phcpm-pdsa-team input").fill(name)
    if code:
        page.locator(".phcpm-pdsa-code input").fill(code)
    page.locator(".phcpm-pdsa-team-open").click()


def create_project(page, name: str) -> None:
    page.get_by_text("Start a new project", exact=True).click()
    page.locator(".phcpm-pdsa-new-name input").fill(name)
    page.locator(".phcpm-pdsa-create").click()
    wait_note(page, "The project was created")
    page.locator(f'.phcpm-pdsa-project option[value="{name}"]').wait_for(state="attached")


def reopen(page) -> None:
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector(".phcpm-app", state="visible", timeout=120_000)
    assert_no_voila_error(page)


def test_a_reload_brings_back_the_workspace_the_project_and_the_name(page, voila_url):
    open_app(page, voila_url, "pdsa")
    page.locator(".phcpm-pdsa-user input").fill("Neema Otieno")
    open_team(page, "Reload test team")
    wait_note(page, "The workspace 'reload-test-team' is open: 0 projects")
    page.wait_for_function("location.search.includes('team=Reload+test+team')")
    create_project(page, "Shorter waiting at Mbaleni")

    reopen(page)
    assert "team=Reload+test+team" in page.url
    page.locator(".phcpm-pdsa-workspace").get_by_text("reload-test-team", exact=False).wait_for()
    assert page.locator(".phcpm-pdsa-team input").input_value() == "Reload test team"
    selected = page.locator(".phcpm-pdsa-project select")
    page.wait_for_function(
        "() => document.querySelector('.phcpm-pdsa-project select').value"
        " === 'Shorter waiting at Mbaleni'"
    )
    assert selected.input_value() == "Shorter waiting at Mbaleni"
    assert "No project yet" not in page.locator(".phcpm-pdsa-aim").inner_text()
    # the name typed before the reload is remembered by the browser
    page.wait_for_function(
        "() => document.querySelector('.phcpm-pdsa-user input').value === 'Neema Otieno'"
    )


def test_unsaved_cycle_text_asks_before_the_page_is_left(page, voila_url):
    dialogs: list[str] = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    open_app(page, voila_url, "pdsa")
    page.locator(".phcpm-pdsa-user input").fill("Neema Otieno")
    page.locator(".phcpm-pdsa-example").click()
    wait_note(page, "The example project is open")
    page.get_by_role("tab", name="PDSA cycles").click()
    objective = page.locator(".phcpm-pdsa-cycle-objective textarea")
    objective.click()  # a real click: browsers ask only on pages the person has used
    page.keyboard.type("See whether a second nurse shortens waiting")
    page.locator(".phcpm-pdsa-cycle-status").get_by_text("Not saved yet", exact=False).wait_for()
    page.wait_for_function("document.body.dataset.phcpmUnsaved === 'yes'")

    reopen(page)
    assert dialogs == ["beforeunload"], dialogs

    # once saved, nothing is asked
    page.get_by_role("tab", name="PDSA cycles").click()
    page.locator(".phcpm-pdsa-example").click()
    wait_note(page, "The example project is open")
    title = page.locator(".phcpm-pdsa-cycle-title input")
    title.click()
    page.keyboard.type("Second nurse on market days")
    page.wait_for_function("document.body.dataset.phcpmUnsaved === 'yes'")
    page.locator(".phcpm-pdsa-cycle-save").click()
    wait_note(page, "was saved")
    page.wait_for_function("document.body.dataset.phcpmUnsaved === 'no'")
    reopen(page)
    assert dialogs == ["beforeunload"], dialogs


def test_a_protected_workspace_needs_its_code_after_a_reload(page, voila_url):
    open_app(page, voila_url, "pdsa")
    page.locator(".phcpm-pdsa-user input").fill("Neema Otieno")
    open_team(page, "Protected test team")
    wait_note(page, "The workspace 'protected-test-team' is open")
    create_project(page, "Fewer stock-outs at Kalembo")
    page.get_by_text("Protect this team workspace with an access code", exact=True).click()
    page.locator(".phcpm-pdsa-new-code input").fill("mango tree at noon")
    page.locator(".phcpm-pdsa-new-code-again input").fill("mango tree at noon")
    page.locator(".phcpm-pdsa-set-code").click()
    wait_note(page, "The workspace is now protected")

    reopen(page)
    workspace = page.locator(".phcpm-pdsa-workspace")
    workspace.get_by_text("is protected by an access code", exact=False).wait_for()
    assert page.locator(".phcpm-pdsa-project").is_hidden()  # no project of any workspace

    page.locator(".phcpm-pdsa-code input").fill("mango tree at nine")
    page.locator(".phcpm-pdsa-team-open").click()
    page.locator(MESSAGE).get_by_text("not right", exact=False).wait_for()
    assert page.locator(".phcpm-pdsa-team input").input_value() == "Protected test team"
    assert page.locator(".phcpm-pdsa-code input").input_value() == "mango tree at nine"
    assert page.locator(".phcpm-pdsa-project").is_hidden()

    page.locator(".phcpm-pdsa-code input").fill("mango tree at noon")
    page.locator(".phcpm-pdsa-team-open").click()
    wait_note(page, "The workspace 'protected-test-team' is open: 1 project")
    assert page.locator(MESSAGE).is_hidden()
    option = page.locator(".phcpm-pdsa-project select option").first
    assert option.get_attribute("value") == "Fewer stock-outs at Kalembo"
    text = page.locator(".phcpm-pdsa-workspace").inner_text()
    assert re.search(r"protected by the team's access code", text), text


def test_a_lower_is_better_measure_comes_back_with_its_direction_and_definition(page, voila_url):
    definition = "Median minutes from arrival to the consultation, timed on Tuesday mornings"
    open_app(page, voila_url, "pdsa")
    page.locator(".phcpm-pdsa-user input").fill("Neema Otieno")
    open_team(page, "Direction test team")
    wait_note(page, "The workspace 'direction-test-team' is open: 0 projects")
    create_project(page, "Shorter waiting at Kalembo")
    page.get_by_text("Add a measure", exact=True).click()
    page.locator(".phcpm-pdsa-new-measure-name input").fill("Minutes waited")
    page.locator(".phcpm-pdsa-new-measure-kind select").select_option(
        label="Measurement (minutes, days ...)"
    )
    page.locator(".phcpm-pdsa-new-measure-role select").select_option(
        label="Balancing: what could get worse because of the change"
    )
    page.locator(".phcpm-pdsa-new-measure-unit input").fill("minutes")
    page.locator(".phcpm-pdsa-new-measure-definition textarea").fill(definition)
    # no direction chosen: a plain message, and nothing is added
    page.locator(".phcpm-pdsa-new-measure-add").click()
    page.locator(MESSAGE).get_by_text("higher or lower", exact=False).wait_for()
    assert page.locator(".phcpm-pdsa-new-measure-name input").input_value() == "Minutes waited"
    page.locator(".phcpm-pdsa-new-measure-direction").get_by_text("lower", exact=True).click()
    page.locator(".phcpm-pdsa-new-measure-add").click()
    wait_note(page, "The measure was added. Better when lower")
    page.wait_for_function("document.body.dataset.phcpmUnsaved === 'no'")

    reopen(page)
    page.wait_for_function(
        "() => document.querySelector('.phcpm-pdsa-project select').value"
        " === 'Shorter waiting at Kalembo'"
    )
    family = page.locator(".phcpm-pdsa-family")
    family.get_by_text(definition, exact=True).wait_for()
    row = family.locator("tr", has_text="Minutes waited")
    assert "Lower" in row.inner_text() and "Balancing" in row.inner_text()
    notes = page.locator(".phcpm-pdsa-measure-notes").inner_text()
    assert "Better when lower: a fall is an improvement" in notes
    assert definition in notes
