"""Checks of the numbers and point numbers given to the charts.

Every check raises :class:`~phcpm.errors.InputError` with a plain message that
says what is wrong, where, and what to do.

>>> as_numeric(["3", 4, None], "y")
array([ 3.,  4., nan])
>>> positions([12, 3], "part", 24)
[3, 12]
>>> parse_points("12; 24")
[12, 24]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError

__all__ = ["as_numeric", "baseline_points", "is_categorical", "parse_points", "positions"]


def as_numeric(values: Any, name: str, length: int | None = None) -> np.ndarray:
    """``values`` as floats (empty cells as NaN); text that is not a number is refused.

    ``length``, when given, is the number of values expected (that of ``y``).
    """
    series = pd.Series(values).reset_index(drop=True)
    if length is not None and len(series) != length:
        raise InputError(
            f"'{name}' has {len(series)} values but 'y' has {length}",
            where=f"the '{name}' argument",
            todo=f"Give one '{name}' value for every value of 'y'",
        )
    if series.dtype == bool:
        series = series.astype(float)
    numeric = pd.to_numeric(series, errors="coerce")
    bad = numeric.isna() & series.notna()
    if bad.any():
        where = ", ".join(str(i + 1) for i in np.flatnonzero(bad.to_numpy())[:5])
        raise InputError(
            f"Some values of '{name}' are not numbers (for example {series[bad].iloc[0]!r})",
            where=f"'{name}', position(s) {where}",
            todo="Correct these cells or leave them empty",
        )
    return numeric.to_numpy(dtype=float)


def positions(values: Any, name: str, m: int) -> list[int]:
    """Point numbers (1 to ``m``) given as argument ``name``, sorted and without repeats."""
    if values is None:
        return []
    if np.isscalar(values):
        values = [values]
    out = []
    for v in values:
        if isinstance(v, bool) or not float(v).is_integer():
            raise InputError(
                f"'{name}' must list point numbers (1, 2, 3 ...); {v!r} is not one",
                where=f"the '{name}' argument",
                todo="Count points from 1 at the left of the chart",
            )
        out.append(int(v))
    bad = [v for v in out if v < 1 or v > m]
    if bad:
        raise InputError(
            f"'{name}' refers to point {bad[0]}, but the chart has {m} points",
            where=f"the '{name}' argument",
            todo=f"Use numbers from 1 to {m}",
        )
    return sorted(set(out))


def is_categorical(x: pd.Series) -> bool:
    """True when the labels ``x`` are neither numbers nor dates (e.g. facility names)."""
    return not (
        pd.api.types.is_numeric_dtype(x.dtype) or pd.api.types.is_datetime64_any_dtype(x.dtype)
    )


def parse_points(text: str, where: str = "the list of point numbers") -> list[int] | None:
    """Point numbers typed as text ("16", "12, 24" or "12; 24"); ``None`` when empty.

    Text that is not a list of whole numbers is refused with a message naming
    ``where`` it was typed. Whether the points exist on the chart is checked
    by :func:`positions` when the chart is drawn.

    >>> parse_points("  ") is None
    True
    >>> parse_points("after 12")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    phcpm.errors.InputError: 'after 12' is not a list of point numbers...
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        return [int(p) for p in text.replace(";", ",").split(",") if p.strip()]
    except ValueError:
        raise InputError(
            f"'{text}' is not a list of point numbers",
            where=where,
            todo="Type point numbers separated by commas, e.g. 16 or 12, 24",
        ) from None


def baseline_points(points: int | None, n_points: int) -> int | None:
    """The ``freeze`` for a baseline of ``points`` points on a chart of ``n_points``.

    No baseline (``None``) when ``points`` is empty or 0, or covers every point
    of the chart (the limits then come from all points anyway).

    >>> baseline_points(12, 24), baseline_points(0, 24), baseline_points(30, 24)
    (12, None, None)
    """
    if not points or points >= n_points:
        return None
    return int(points)
