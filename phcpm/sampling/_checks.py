"""Checks shared by the sampling modules: proportions, sample sizes, rounding up."""

from __future__ import annotations

import math

from phcpm.errors import InputError

__all__: list[str] = []

_EPS = 1e-9  # floating-point noise allowed before rounding a sample size up


def _ceil(x: float) -> int:
    """Round up, ignoring floating-point noise (384.0000000001 is 384)."""
    return int(math.ceil(x - _EPS))


def _check_fraction(value, name: str, words: str, *, closed: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"The {words} must be a number; '{value}' is not", todo=f"Type a number for {name}"
        ) from None
    ok = 0.0 <= v <= 1.0 if closed else 0.0 < v < 1.0
    if not ok or math.isnan(v):
        between = "from 0 to 1" if closed else "between 0 and 1 (not 0 or 1 itself)"
        raise InputError(
            f"The {words} must be a proportion {between}; you gave {value}",
            todo=f"Give {name} as a proportion, for example 0.8 for 80 %",
        )
    return v


def _check_n(n) -> int:
    try:
        n_int = int(n)
    except (TypeError, ValueError):
        raise InputError(f"The sample size must be a whole number; '{n}' is not") from None
    if n_int != n or n_int < 1:
        raise InputError(
            f"The sample size must be a whole number of at least 1; you gave {n}",
            todo="LQAS usually uses 19 people per supervision area",
        )
    return n_int


def _columns_todo(table) -> str:
    """What to do about a missing column: the columns the table does have."""
    return (
        "Choose one of the table's columns ("
        + ", ".join(map(str, table.columns))
        + "), or rename the columns in your file"
    )
