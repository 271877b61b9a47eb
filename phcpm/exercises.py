"""Automatic checks for the exercises in the lessons.

Each exercise in the book ends with a cell such as::

    my_answer = None   # replace None with your answer
    check(my_answer, expected=sample_size_proportion(0.5, 0.05), unit="people")

The expected value is always computed by a ``phcpm`` function, never typed in,
so the check and the lesson cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


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
