"""Helpers shared by the problem-analysis modules."""

from __future__ import annotations

import math

import pandas as pd

__all__: list[str] = []


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()
