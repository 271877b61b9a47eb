"""Every tool speaks plainly on its example data: no column names as headings, no
``NaN``, ``None`` or True/False in any table a manager sees.

Each app in notebooks/apps is opened, its example is run (the step below), and
every table in the tool (in every tab, shown or not) is read. A tool without an
example step here is still checked on what it shows when it opens.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import APPS, assert_no_voila_error, open_app

APP_NAMES = sorted(p.stem for p in APPS.glob("*.ipynb"))
SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")
RAW = {"NaN", "nan", "None", "True", "False", "<NA>", "NaT", "null"}
RAW_INSIDE = re.compile(r"\b(NaN|NaT)\b|<NA>")


def _scorecard(page):
    page.locator(".phcpm-scorecard-table").get_by_text("On target").first.wait_for()


def _spc(page):
    page.locator(".phcpm-spc-table table").wait_for(state="attached")


def _sampling(page):
    page.get_by_role("tab", name="Classify my areas").click()
    page.locator(".phcpm-sampling-survey-example").click()
    page.locator(".phcpm-sampling-classify-result table").wait_for()
    page.get_by_role("tab", name="Draw a sample").click()
    page.locator(".phcpm-sampling-register-example").click()
    page.locator(".phcpm-sampling-draw-note").get_by_text("Loaded a list").wait_for()
    page.locator(".phcpm-sampling-draw").click()
    page.locator(".phcpm-sampling-draw-result table").wait_for()


def _indicators(page):
    page.locator(".phcpm-indicators-worked-example").click()
    # The tool shows a shortlist when it opens, so wait for the worked example's
    # own note first: a table seen before it may be emptied a moment later.
    page.locator(".phcpm-indicators-note").get_by_text(
        "Loaded the worked example", exact=False
    ).wait_for(state="attached")
    page.locator(".phcpm-indicators-shortlist").get_by_text(
        "Supportive supervision visits completed"
    ).wait_for(state="attached")


def _quality(page):
    page.get_by_role("button", name="Use the example data").click()
    page.locator(".phcpm-quality-summary").get_by_text("level", exact=False).first.wait_for(
        timeout=180_000
    )
    page.locator(".phcpm-results table").first.wait_for(state="attached")


def _pdsa(page):
    page.locator(".phcpm-pdsa-user input").fill("Test User")
    page.locator(".phcpm-pdsa-example").click()
    page.locator(".phcpm-pdsa-note").get_by_text(
        "The example project is open", exact=False
    ).wait_for()


def _twinning(page):
    page.locator(".phcpm-twinning-example").click()
    page.locator(".phcpm-twinning-pairs").get_by_text("Why this pair", exact=False).first.wait_for()


def _process(page):
    page.locator(".phcpm-process-map svg").wait_for()


EXAMPLES = {
    "scorecard": _scorecard,
    "spc": _spc,
    "sampling": _sampling,
    "indicators": _indicators,
    "quality": _quality,
    "pdsa": _pdsa,
    "twinning": _twinning,
    "process": _process,
}

#: Apps whose example shows tables (the process map shows drawings only).
WITH_TABLES = {"scorecard", "spc", "sampling", "indicators", "quality", "pdsa", "twinning"}

READ_TABLES = """
() => [...document.querySelectorAll('.phcpm-app table')].map(t => {
  const own = c => c.startsWith('phcpm-') && !['phcpm-scroll', 'phcpm-table'].includes(c);
  let e = t.parentElement;
  while (e && ![...e.classList].some(own)) e = e.parentElement;
  return {
    where: e ? [...e.classList].filter(own).join(' ') : '',
    heads: [...t.querySelectorAll('th')].map(c => (c.textContent || '').trim()),
    cells: [...t.querySelectorAll('td')].map(c => (c.textContent || '').trim()),
  };
})
"""


def problems(tables: list[dict]) -> list[str]:
    """What a manager should not see in these tables, one line per finding."""
    found = []
    for number, table in enumerate(tables, start=1):
        where = f"table {number} ({table.get('where') or 'no class'})"
        for head in table["heads"]:
            if SNAKE.search(head):
                found.append(f"{where}: heading {head!r} is a column name")
            if head in RAW or RAW_INSIDE.search(head):
                found.append(f"{where}: heading {head!r}")
        for cell in table["cells"]:
            if cell in RAW or RAW_INSIDE.search(cell):
                found.append(f"{where}: cell {cell!r}")
    return sorted(set(found))


def test_the_check_finds_what_it_looks_for():
    bad = [{"heads": ["org_unit_id", "Value"], "cells": ["NaN", "True", "12", "None"]}]
    assert len(problems(bad)) == 4
    good = [{"heads": ["Org unit", "Value"], "cells": ["", "Yes", "1,204", "No data"]}]
    assert problems(good) == []


def test_every_app_has_an_example_step():
    assert sorted(EXAMPLES) == APP_NAMES


@pytest.mark.parametrize("name", APP_NAMES)
def test_tables_speak_plainly_on_the_example(page, voila_url, name):
    open_app(page, voila_url, name)
    EXAMPLES[name](page)
    assert_no_voila_error(page)
    tables = page.evaluate(READ_TABLES)
    if name in WITH_TABLES:
        assert tables, f"{name}: no table found after the example"
    found = problems(tables)
    assert not found, f"{name} shows programmer language:\n" + "\n".join(found[:30])
