"""Separate year and month columns ("2024" and "January", or "2024" and "1"),
combined into one period; the other columns are matched as in a long table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.io import _mapping
from phcpm.io._common import Table, blank_cells, norm
from phcpm.io.layouts._base import Layout, Long
from phcpm.io.layouts.long import by_columns, check_mapping
from phcpm.periods import MAX_YEAR, MIN_YEAR, month_from_name

__all__ = ["COMBINED", "combine", "YearAndMonth"]

_YEAR = ("year", "annee", "ano", "anio", "yr")
_MONTH = ("month", "mois", "mes", "monthname", "mth")
#: Name of the period made from the two columns (shown in the report).
COMBINED = "year + month"


def _month_number(value) -> int | None:
    if isinstance(value, (int, np.integer, float, np.floating)) and not isinstance(value, bool):
        if np.isfinite(value) and float(value).is_integer() and 1 <= int(value) <= 12:
            return int(value)
        return None
    text = str(value).strip().rstrip(".")
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return month_from_name(text)


def _year_number(value) -> int | None:
    try:
        year = float(str(value).strip())
    except ValueError:
        return None
    if not year.is_integer() or not MIN_YEAR <= year <= MAX_YEAR:
        return None
    return int(year)


def _columns(frame: pd.DataFrame) -> tuple[str, str] | None:
    year = next((c for c in frame.columns if norm(c) in _YEAR), None)
    month = next((c for c in frame.columns if norm(c) in _MONTH), None)
    if year is None or month is None:
        return None
    head = frame.iloc[:200]
    ys = head[year][~blank_cells(head[year])]
    ms = head[month][~blank_cells(head[month])]
    if ys.empty or ms.empty:
        return None
    if np.mean([_year_number(v) is not None for v in ys]) < 0.8:
        return None
    if np.mean([_month_number(v) is not None for v in ms]) < 0.8:
        return None
    return year, month


def combine(frame: pd.DataFrame, year: str, month: str) -> pd.Series:
    """Period codes ("202401") from a year and a month column; cells that are
    not a year or a month give a text the period check explains."""
    out = []
    for y, m in zip(frame[year].tolist(), frame[month].tolist(), strict=True):
        yn, mn = _year_number(y), _month_number(m)
        if yn is None or mn is None:
            out.append(f"{'' if y is None else y} {'' if m is None else m}".strip())
        else:
            out.append(f"{yn}{mn:02d}")
    return pd.Series(out, index=frame.index, dtype=object)


class YearAndMonth(Layout):
    name = "year-month"
    label = "separate year and month columns"

    def detect(self, frame: pd.DataFrame) -> bool:
        return _columns(frame) is not None

    def _frame(self, table: Table):
        frame = table.data
        year, month = _columns(frame)
        rest = frame.drop(columns=[year, month])
        rest.insert(0, COMBINED, combine(frame, year, month))
        return rest, year, month

    def mapping(self, table: Table) -> dict[str, str]:
        frame = table.data
        year, month = _columns(frame)
        rest, _, _ = self._frame(table)
        out = {year: "year", month: "month"}
        out.update({c: r for c, r in _mapping.decide(rest).items() if c != COMBINED})
        return out

    def reshape(self, table: Table, mapping: dict[str, str] | None, keep: list) -> Long:
        rest, year, month = self._frame(table)
        if mapping is None:
            chosen = _mapping.decide(rest)
        else:
            chosen = {c: r for c, r in mapping.items() if r not in ("year", "month", "period")}
            chosen[COMBINED] = "period"
        if chosen.get(COMBINED) != "period":
            raise InputError(
                f"The year ('{year}') and month ('{month}') columns could not be read as periods",
                todo="Check that the year column holds years and the month column months",
            )
        roles = check_mapping(rest, chosen)
        long = by_columns(rest, roles, keep)
        said = [f"'{year}' and '{month}' together are the period"]
        said += [s for s in _mapping.describe_mapping(chosen) if not s.startswith(f"'{COMBINED}'")]
        long.understood = ["The period is in two columns, year and month.", "; ".join(said) + "."]
        return long
