"""Quiz files: the loader refuses incomplete questions, and every quiz in the book loads."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from phcpm.exercises import (
    QuizError,
    feedback_text,
    load_quiz,
    numeric_verdict,
    parse_quiz,
    shuffled_order,
)

ROOT = Path(__file__).resolve().parent.parent
QUIZ_FILES = sorted((ROOT / "book").rglob("*.quiz.yml"))


def _directive():
    spec = importlib.util.spec_from_file_location("phcpm_quiz", ROOT / "book/_ext/phcpm_quiz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHOICE = {
    "id": "c",
    "type": "choice",
    "question": "Which?",
    "answers": [
        {"text": "A", "correct": True, "feedback": "Yes, A."},
        {"text": "B", "feedback": "B is the other one."},
    ],
}
NUMERIC = {
    "id": "n",
    "type": "numeric",
    "question": "How many?",
    "answer": 384,
    "tolerance": 1,
    "unit": "people",
    "feedback": "384 people.",
    "too_low": "Too few.",
    "too_high": "Too many.",
    "mistakes": [{"value": 96, "feedback": "That is for a 10-point margin."}],
}
ORDER = {
    "id": "o",
    "type": "order",
    "question": "Order them.",
    "items": ["one", "two", "three", "four"],
    "feedback": "Right order.",
    "feedback_wrong": "Think again.",
}


def test_a_complete_quiz_loads():
    questions = parse_quiz({"questions": [CHOICE, NUMERIC, ORDER]})
    assert [q["type"] for q in questions] == ["choice", "numeric", "order"]
    assert questions[1]["mistakes"][0]["tolerance"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answers": [{"text": "A", "correct": True, "feedback": "x"}]}, "at least two"),
        (
            {
                "answers": [
                    {"text": "A", "correct": True, "feedback": "x"},
                    {"text": "B", "correct": True, "feedback": "y"},
                ]
            },
            "exactly one",
        ),
        ({"answers": [{"text": "A", "correct": True, "feedback": "x"}, {"text": "B"}]}, "feedback"),
        ({"type": "essay"}, "type must be"),
        ({"question": " "}, "question"),
    ],
)
def test_incomplete_choice_questions_are_refused(change, message):
    with pytest.raises(QuizError, match=message):
        parse_quiz({"questions": [{**CHOICE, **change}]}, "lesson.quiz.yml")


def test_numeric_questions_need_both_wrong_feedbacks_and_a_real_mistake():
    without = {k: v for k, v in NUMERIC.items() if k != "too_high"}
    with pytest.raises(QuizError, match="too high"):
        parse_quiz({"questions": [without]})
    with pytest.raises(QuizError, match="would count as right"):
        parse_quiz({"questions": [{**NUMERIC, "mistakes": [{"value": 385, "feedback": "x"}]}]})
    with pytest.raises(QuizError, match="must be a number"):
        parse_quiz({"questions": [{**NUMERIC, "answer": "384"}]})


def test_ids_are_unique_and_questions_listed():
    with pytest.raises(QuizError, match="used twice"):
        parse_quiz({"questions": [CHOICE, CHOICE]})
    with pytest.raises(QuizError, match="list called questions"):
        parse_quiz([CHOICE])


def test_numeric_verdict_right_mistake_low_high():
    q = parse_quiz({"questions": [NUMERIC]})[0]
    assert numeric_verdict(q, 385) == (True, "384 people.")
    assert numeric_verdict(q, 96.4) == (False, "That is for a 10-point margin.")
    assert numeric_verdict(q, 200) == (False, "Too few.")
    assert numeric_verdict(q, 400) == (False, "Too many.")


@pytest.mark.parametrize("n", range(3, 9))
def test_order_is_shown_shuffled_and_the_same_every_time(n):
    items = [f"step {i}" for i in range(n)]
    shown = shuffled_order(items)
    assert sorted(shown) == list(range(n))
    assert shown != list(range(n))
    assert shown == shuffled_order(list(items))


def test_the_page_holds_every_question_and_escapes_its_data():
    questions = parse_quiz(
        {"questions": [{**CHOICE, "question": "Is <b> a tag? **Yes**"}, NUMERIC, ORDER]}
    )
    questions[0]["answers"][1]["feedback"] = "ends </script> here"
    page = _directive().render_quiz(questions, "quiz-x-0")
    assert page.count('class="phcpm-quiz-question"') == 3
    assert "Is &lt;b&gt; a tag? <strong>Yes</strong>" in page
    assert "</script> here" not in page
    data = re.findall(r'class="phcpm-quiz-data">(.*?)</script>', page)
    assert json.loads(data[0])["right"] == 0
    assert json.loads(data[1])["answer"] == 384
    assert 'data-index="0"' in page and "http" not in page


def test_the_quiz_script_loads_nothing():
    script = (ROOT / "book/_static/quiz.js").read_text(encoding="utf-8")
    for call in ("fetch(", "XMLHttpRequest", "import(", "sendBeacon", "WebSocket", "src="):
        assert call not in script, call


def test_there_are_quiz_files():
    assert QUIZ_FILES, "no book/<module>/<lesson>.quiz.yml"


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: str(p.relative_to(ROOT / "book")))
def test_every_quiz_file_in_the_book_loads_and_sits_next_to_its_lesson(path):
    assert load_quiz(path)
    lesson = path.with_name(path.name.removesuffix(".quiz.yml"))
    assert lesson.with_suffix(".ipynb").exists() or lesson.with_suffix(".md").exists(), (
        f"{path.name} has no lesson next to it"
    )


def test_feedback_is_led_by_right_or_not_quite_once():
    assert feedback_text(True, "384 people.") == "Right. 384 people."
    assert feedback_text(True, "Right: 1,068 people.") == "Right: 1,068 people."
    assert feedback_text(False, "Too few.") == "Not quite. Too few."
    assert feedback_text(False, "No: look again.") == "No: look again."
    assert feedback_text(False, "Nothing here.") == "Not quite. Nothing here."
