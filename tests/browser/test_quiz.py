"""Quizzes on the built site answer in the browser, offline, with feedback for each answer.

For the first lesson with a quiz in every module, each question is answered
wrongly and then rightly, and the feedback shown must be the one the quiz file
gives for that answer. Every request that would leave the machine is blocked
(``context.route``); the quiz must still work, its script and style must come
from the local site, and checking answers must send no request at all.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest

from phcpm.exercises import feedback_text, load_quiz
from tests.browser.conftest import SITE

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
MODULES = ["indicators", "sampling", "quality", "scorecards", "process", "spc", "improvement"]


def first_quiz(module: str) -> Path | None:
    """The quiz file of the module's first lesson that has one."""
    quizzes = sorted((BOOK / module).glob("[0-9]*.quiz.yml"))
    return quizzes[0] if quizzes else None


WITH_QUIZZES = [m for m in MODULES if first_quiz(m)]


@pytest.fixture
def offline(browser, site_url):
    """Block every request that is not to the local site; record what was asked for."""
    local = urllib.parse.urlsplit(site_url).netloc
    asked: list[str] = []
    blocked: list[str] = []

    def handle(route):
        url = route.request.url
        asked.append(url)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in {"http", "https"} and parts.netloc != local:
            blocked.append(url)
            route.abort()
        elif parts.scheme in {"http", "https", "data", "blob"}:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    browser.route("**/*", handle)
    yield {"asked": asked, "blocked": blocked, "local": local}
    browser.unroute("**/*", handle)


def feedback(question) -> tuple[str, str]:
    box = question.locator(".phcpm-quiz-feedback")
    box.wait_for(state="visible")
    state = "right" if "phcpm-quiz-right" in (box.get_attribute("class") or "") else "wrong"
    return state, box.inner_text().strip()


def answer_choice(question, q: dict) -> None:
    wrong = next(i for i, a in enumerate(q["answers"]) if not a["correct"])
    right = next(i for i, a in enumerate(q["answers"]) if a["correct"])
    for index, expected_state in ((wrong, "wrong"), (right, "right")):
        question.locator(f"input[type=radio][value='{index}']").check()
        question.locator(".phcpm-quiz-check").click()
        state, text = feedback(question)
        assert state == expected_state, f"{q['id']}: answer {index} shown as {state}"
        expected = feedback_text(expected_state == "right", q["answers"][index]["feedback"])
        assert text == expected, f"{q['id']}: wrong feedback: {text}"


def answer_numeric(question, q: dict) -> None:
    box = question.locator("input.phcpm-quiz-number")
    too_high = q["answer"] + q["tolerance"] + max(1.0, abs(q["answer"]))
    if any(abs(too_high - m["value"]) <= m["tolerance"] for m in q["mistakes"]):
        too_high = q["answer"] * 10 + 1000
    box.fill(f"{too_high:.10g}")
    question.locator(".phcpm-quiz-check").click()
    assert feedback(question) == ("wrong", feedback_text(False, q["too_high"])), q["id"]
    value = q["answer"]
    # Typed as a manager would: thousands separated by commas when the number is whole.
    box.fill(f"{int(value):,}" if value.is_integer() else f"{value:.10g}")
    box.press("Enter")
    assert feedback(question) == ("right", feedback_text(True, q["feedback"])), q["id"]


def answer_order(question, q: dict) -> None:
    question.locator(".phcpm-quiz-check").click()  # the order as shown is never the answer
    state, text = feedback(question)
    assert state == "wrong" and q["feedback_wrong"] in text, f"{q['id']}: {text}"
    items = question.locator(".phcpm-quiz-order > li")
    for target in range(items.count()):
        while True:
            current = [int(items.nth(k).get_attribute("data-index")) for k in range(items.count())]
            position = current.index(target)
            if position == target:
                break
            items.nth(position).locator(".phcpm-quiz-up").click()
    question.locator(".phcpm-quiz-check").click()
    assert feedback(question) == ("right", feedback_text(True, q["feedback"])), q["id"]


ANSWER = {"choice": answer_choice, "numeric": answer_numeric, "order": answer_order}


def test_every_module_that_has_lessons_has_a_quiz_to_test():
    # The browser test below covers modules with quizzes; there must be some.
    assert WITH_QUIZZES, "no lesson has a quiz file (book/<module>/<lesson>.quiz.yml)"


@pytest.mark.parametrize("module", WITH_QUIZZES)
def test_quiz_answers_offline_with_feedback(module, browser, offline, site_url):
    quiz_file = first_quiz(module)
    lesson = quiz_file.name.removesuffix(".quiz.yml")
    html = SITE / "book" / module / f"{lesson}.html"
    assert html.exists(), f"{html} is not built: build the book first"
    page = browser.new_page()
    try:
        page.goto(f"{site_url}/book/{module}/{lesson}.html", wait_until="load")
        questions = load_quiz(quiz_file)
        shown = page.locator(".phcpm-quiz-question.phcpm-quiz-ready")
        shown.first.wait_for(state="attached")
        assert shown.count() >= len(questions), f"{lesson}: quiz not set up on the page"
        scripts = [u for u in offline["asked"] if u.split("?")[0].endswith(("quiz.js", "quiz.css"))]
        assert len(scripts) == 2, f"quiz script and style not loaded: {scripts}"
        assert all(urllib.parse.urlsplit(u).netloc == offline["local"] for u in scripts)
        # Scripts may ask for nothing beyond the page's own declared files (which the
        # blocking stops); in particular the quiz asks for nothing.
        declared = set(re.findall(r'(?:src|href)="(https?://[^"]+)"', html.read_text("utf-8")))
        undeclared = [u for u in offline["blocked"] if u not in declared]
        assert not undeclared, f"the page's scripts tried to reach other machines: {undeclared}"
        before = len(offline["asked"])
        for q in questions:
            question = page.locator(f".phcpm-quiz-question[data-qid='{q['id']}']").first
            question.scroll_into_view_if_needed()
            ANSWER[q["type"]](question, q)
        sent = offline["asked"][before:]
        assert not sent, f"checking answers sent requests: {sent}"
    finally:
        page.close()


def test_blocking_really_blocks(browser, offline, site_url):
    # The fixture must stop a request to another machine (the check can fail).
    page = browser.new_page()
    try:
        page.goto(f"{site_url}/book/intro.html", wait_until="load")
        status = page.evaluate(
            "() => fetch('http://example.org/').then(() => 'reached', () => 'blocked')"
        )
        assert status == "blocked"
        assert any("example.org" in u for u in offline["blocked"])
    finally:
        page.close()
