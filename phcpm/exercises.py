"""Exercises in the lessons: the analysts' code checks and the managers' quizzes.

For analysts, an exercise may end with a code cell (tagged ``analysts`` and folded
on the site) such as::

    my_answer = None   # replace None with your answer
    check(my_answer, expected=sample_size_proportion(0.5, 0.05), unit="people")

The expected value is always computed by a ``phcpm`` function, never typed in,
so the check and the lesson cannot drift apart.

For managers, each lesson has quizzes that the browser checks with no kernel and
no internet. Their questions are data files next to the lesson
(``<lesson>.quiz.yml``), read and validated by :func:`load_quiz`; the book's
``quiz`` directive turns them into a page element and ``book/_static/quiz.js``
checks the answers. Three kinds of question exist:

``choice``
    One right answer among several; every answer carries its own feedback, so a
    wrong choice is explained.
``numeric``
    A number, right within ``tolerance``; ``too_low`` and ``too_high`` explain a
    wrong number, and ``mistakes`` can name the number a common slip gives.
``order``
    Items to put in order (listed in the right order in the file); the page shows
    them shuffled the same way on every build.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "QUESTION_TYPES",
    "check",
    "CheckResult",
    "feedback_text",
    "load_quiz",
    "numeric_verdict",
    "parse_quiz",
    "QuizError",
    "shuffled_order",
]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one answer; prints as one plain sentence."""

    status: str  # "correct", "incorrect" or "missing"
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        mark = {"correct": "✅", "incorrect": "❌", "missing": "✏️"}[self.status]
        return f"{mark} {self.message}"


def _fmt(value: Any, unit: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, int | float) else str(value)
    return f"{text} {unit}".strip()


def _same(answer: Any, expected: Any, tolerance: float) -> bool:
    if isinstance(expected, str):
        return str(answer).strip().casefold() == expected.strip().casefold()
    if isinstance(expected, set | frozenset):
        try:
            given = {str(a).strip().casefold() for a in answer}
        except TypeError:
            return False
        return given == {str(e).strip().casefold() for e in expected}
    if isinstance(expected, Iterable):
        try:
            return len(answer) == len(expected) and all(
                _same(a, e, tolerance) for a, e in zip(answer, expected, strict=True)
            )
        except TypeError:
            return False
    try:
        a, e = float(answer), float(expected)
    except (TypeError, ValueError):
        return False
    return math.isclose(a, e, abs_tol=tolerance, rel_tol=0.0) or a == e


def check(
    answer: Any,
    expected: Any,
    *,
    tolerance: float = 0.0,
    unit: str = "",
    hint: str = "",
) -> CheckResult:
    """Compare a learner's answer with the expected one.

    Numbers match within ``tolerance`` (absolute); text matches ignoring case and
    surrounding spaces; sets match whatever their order; lists match item by item.
    ``None`` means the learner has not answered yet.
    """
    if answer is None:
        return CheckResult(
            "missing", "No answer yet: replace None with your answer and run the cell again."
        )
    if _same(answer, expected, tolerance):
        return CheckResult("correct", f"Correct: {_fmt(answer, unit)}.")
    message = f"Not yet: you gave {_fmt(answer, unit)}."
    if hint:
        message += f" Hint: {hint}"
    return CheckResult("incorrect", message)


# --- quizzes ------------------------------------------------------------------------

QUESTION_TYPES = ("choice", "numeric", "order")


class QuizError(ValueError):
    """A quiz file that cannot be used; the message names the file and the question."""


def _text(value: Any, what: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QuizError(f"{where}: {what} must be a non-empty piece of text.")
    return value.strip()


def _number(value: Any, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise QuizError(f"{where}: {what} must be a number.")
    return float(value)


def _choice(raw: dict, where: str) -> dict:
    answers = raw.get("answers")
    if not isinstance(answers, list) or len(answers) < 2:
        raise QuizError(f"{where}: a choice question needs a list of at least two answers.")
    out = []
    for j, answer in enumerate(answers, start=1):
        at = f"{where}, answer {j}"
        if not isinstance(answer, dict):
            raise QuizError(f"{at}: write each answer as text, correct and feedback.")
        correct = answer.get("correct", False)
        if not isinstance(correct, bool):
            raise QuizError(f"{at}: correct must be true or false.")
        out.append(
            {
                "text": _text(answer.get("text"), "the answer text", at),
                "correct": correct,
                "feedback": _text(answer.get("feedback"), "the feedback", at),
            }
        )
    right = sum(a["correct"] for a in out)
    if right != 1:
        raise QuizError(f"{where}: exactly one answer must be correct; {right} are.")
    texts = [a["text"].casefold() for a in out]
    if len(set(texts)) != len(texts):
        raise QuizError(f"{where}: two answers have the same text.")
    return {"answers": out}


def _numeric(raw: dict, where: str) -> dict:
    answer = _number(raw.get("answer"), "the answer", where)
    tolerance = _number(raw.get("tolerance", 0), "the tolerance", where)
    if tolerance < 0:
        raise QuizError(f"{where}: the tolerance cannot be negative.")
    mistakes = []
    for j, mistake in enumerate(raw.get("mistakes") or [], start=1):
        at = f"{where}, mistake {j}"
        if not isinstance(mistake, dict):
            raise QuizError(f"{at}: write each mistake as value, tolerance and feedback.")
        value = _number(mistake.get("value"), "the value of the mistake", at)
        tol = _number(mistake.get("tolerance", tolerance), "the tolerance", at)
        if abs(value - answer) <= tolerance:
            raise QuizError(f"{at}: the value {value:g} would count as right.")
        mistakes.append(
            {
                "value": value,
                "tolerance": tol,
                "feedback": _text(mistake.get("feedback"), "the feedback", at),
            }
        )
    return {
        "answer": answer,
        "tolerance": tolerance,
        "unit": str(raw.get("unit", "")).strip(),
        "feedback": _text(raw.get("feedback"), "the feedback for the right answer", where),
        "too_low": _text(raw.get("too_low"), "the feedback for a number too low", where),
        "too_high": _text(raw.get("too_high"), "the feedback for a number too high", where),
        "mistakes": mistakes,
    }


def shuffled_order(items: list[str]) -> list[int]:
    """The order in which an ordering question shows its items: fixed, never the answer.

    Items are sorted by a hash of their text, so every build shows the same order;
    when that happens to be the right order, it is turned round.
    """
    order = sorted(range(len(items)), key=lambda i: hashlib.sha256(items[i].encode()).hexdigest())
    if order == list(range(len(items))):
        order.reverse()
    return order


def _order(raw: dict, where: str) -> dict:
    items = raw.get("items")
    if not isinstance(items, list) or len(items) < 3:
        raise QuizError(f"{where}: an order question needs a list of at least three items.")
    items = [_text(item, f"item {j}", where) for j, item in enumerate(items, start=1)]
    if len({i.casefold() for i in items}) != len(items):
        raise QuizError(f"{where}: two items have the same text.")
    return {
        "items": items,
        "shown": shuffled_order(items),
        "feedback": _text(raw.get("feedback"), "the feedback for the right order", where),
        "feedback_wrong": _text(raw.get("feedback_wrong"), "the feedback for a wrong order", where),
    }


def parse_quiz(data: Any, source: str = "the quiz") -> list[dict]:
    """Check quiz data (as read from YAML) and return its questions, normalised.

    Raises :class:`QuizError` naming the question and what is missing, so a
    mistake in a quiz file stops the book build with a plain message.
    """
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise QuizError(f"{source}: the file must have a list called questions.")
    if not data["questions"]:
        raise QuizError(f"{source}: the list of questions is empty.")
    questions = []
    seen: set[str] = set()
    for n, raw in enumerate(data["questions"], start=1):
        where = f"{source}, question {n}"
        if not isinstance(raw, dict):
            raise QuizError(f"{where}: write each question as a set of fields.")
        kind = raw.get("type")
        if kind not in QUESTION_TYPES:
            raise QuizError(f"{where}: type must be one of {', '.join(QUESTION_TYPES)}.")
        qid = _text(raw.get("id"), "the id", where)
        if qid in seen:
            raise QuizError(f"{where}: the id {qid!r} is used twice.")
        seen.add(qid)
        question = {
            "id": qid,
            "type": kind,
            "question": _text(raw.get("question"), "the question", where),
        }
        question.update({"choice": _choice, "numeric": _numeric, "order": _order}[kind](raw, where))
        questions.append(question)
    return questions


def load_quiz(path: str | Path) -> list[dict]:
    """Read and check one quiz file (``<lesson>.quiz.yml``); see :func:`parse_quiz`."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise QuizError(f"{path}: the quiz file cannot be read ({error.strerror}).") from error
    except yaml.YAMLError as error:
        raise QuizError(f"{path}: the quiz file is not valid YAML ({error}).") from error
    return parse_quiz(data, str(path))


def numeric_verdict(question: dict, given: float) -> tuple[bool, str]:
    """Whether ``given`` answers a numeric question, and the feedback to show.

    The same rule as the browser's (``book/_static/quiz.js``), kept here so tests
    can state it: right within the tolerance, else a named mistake, else too low
    or too high.
    """
    if abs(given - question["answer"]) <= question["tolerance"]:
        return True, question["feedback"]
    for mistake in question["mistakes"]:
        if abs(given - mistake["value"]) <= mistake["tolerance"]:
            return False, mistake["feedback"]
    return False, question["too_low"] if given < question["answer"] else question["too_high"]


def feedback_text(right: bool, feedback: str) -> str:
    """The words the page shows after a check (the same rule as ``book/_static/quiz.js``).

    The feedback is led by "Right." or "Not quite.", unless it already starts that
    way ("Right: 1,068 people.", "No: ...").
    """
    if right:
        return feedback if re.match(r"(right|correct)\b", feedback, re.I) else f"Right. {feedback}"
    return feedback if re.match(r"(not quite|no)\b", feedback, re.I) else f"Not quite. {feedback}"
