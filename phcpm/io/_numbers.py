"""Reading numbers written in the many ways people and spreadsheets write them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from phcpm.periods import factorize_column

__all__ = ["numbers"]

_DEC_COMMA = re.compile(
    r"^[-+]?(\d+,\d{1,2}|\d+,\d{4,}|\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,}|0,\d+)$"
)
_DEC_POINT = re.compile(
    r"^[-+]?(\d+\.\d{1,2}|\d+\.\d{4,}|\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,}|0\.\d+)$"
)
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_NUMBER_SHAPE = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def numbers(
    values: pd.Series, decimal_comma: bool | None, prefer_comma: bool = False
) -> tuple[pd.Series, bool]:
    """Turn text numbers into floats, handling thousands separators and decimal commas.

    Convention: a column uses a decimal comma when more of its values can only be
    read that way ("1,5", "1.234,5") than the other way ("1.5", "1,234.5"); on a
    tie the delimiter decides (``;`` files use decimal commas). Spaces and
    apostrophes between digits are thousands separators.
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float), bool(decimal_comma)
    codes, uniques = factorize_column(values)
    objects = list(uniques)  # each distinct cell once
    is_num = np.array(
        [isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in objects],
        dtype=bool,
    )
    text = [_SPACES.sub("", str(v).strip()) for v in objects]
    if decimal_comma is None or decimal_comma == "auto":
        n_comma = sum(1 for t in text if _DEC_COMMA.match(t))
        n_point = sum(1 for t in text if _DEC_POINT.match(t))
        decimal_comma = n_comma > n_point or (n_comma == n_point and prefer_comma)
    if decimal_comma:
        cleaned = [t.replace(".", "").replace(",", ".") for t in text]
    else:
        cleaned = [t.replace(",", "") for t in text]
    shaped = pd.Series([c if _NUMBER_SHAPE.fullmatch(c) else None for c in cleaned], dtype=object)
    parsed = pd.to_numeric(shaped, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if is_num.any():
        direct = pd.to_numeric(pd.Series(objects, dtype=object), errors="coerce")
        parsed = np.where(is_num, direct.to_numpy(dtype=float, na_value=np.nan), parsed)
    arr = np.append(parsed, np.nan)
    return pd.Series(arr[codes], index=values.index), bool(decimal_comma)
