"""Values as people read them, and the scorecard as a wide table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from phcpm.errors import InputError
from phcpm.scorecard.summaries import (
    _first_of,
    check_card,
    summary_by_indicator,
    summary_by_org_unit,
)
from phcpm.style import BANDS

__all__ = ["format_value", "format_values", "scorecard_wide"]


def _round_half_away(values: np.ndarray, decimals: int) -> np.ndarray:
    """Round halves away from zero, as spreadsheets do (Excel ROUND: 82.5 -> 83).

    Python and numpy round halves to even (82.5 -> 82), which would make the
    scorecard disagree with the same numbers rounded in a spreadsheet. The
    small relative nudge absorbs binary representation error (1.005 is stored
    as 1.00499999...).
    """
    scale = 10.0**decimals
    scaled = np.abs(values) * scale
    return np.sign(values) * np.floor(scaled * (1 + 1e-12) + 0.5) / scale


def format_values(values: ArrayLike, units: ArrayLike, decimals: ArrayLike) -> np.ndarray:
    """Numbers as text with thousands separators and their unit: "78 %", "1,204 days".

    Halves are rounded away from zero (see :func:`_round_half_away`).
    """
    values = np.asarray(values, dtype=float)
    units = np.asarray(units, dtype=object)
    decimals = np.asarray(decimals, dtype=int)
    text = np.full(len(values), "", dtype=object)
    has = ~np.isnan(values)
    for d in np.unique(decimals[has]):  # one pass per number of decimals (a handful)
        rows = has & (decimals == d)
        rounded = _round_half_away(values[rows], int(d)) + 0.0  # + 0.0 turns -0.0 into 0.0
        text[rows] = pd.Series(rounded).map(f"{{:,.{int(d)}f}}".format).to_numpy()
    with_unit = has & (units != "") & pd.notna(units)
    text[with_unit] = text[with_unit] + " " + units[with_unit].astype(str)
    return text


def format_value(value: float, unit: str = "", decimals: int = 0) -> str:
    """One number as text with its unit, as shown on the scorecard ("78 %").

    Halves are rounded away from zero, as in a spreadsheet (82.5 -> "83").

    >>> format_value(82.5, "%")
    '83 %'
    >>> format_value(1204, "days")
    '1,204 days'
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return BANDS["no_data"]["label"]
    return str(format_values([value], [unit or ""], [decimals])[0])


def scorecard_wide(card: pd.DataFrame, cells: str = "text", summary: bool = True) -> pd.DataFrame:
    """The familiar scorecard grid: org units down the side, indicators across.

    ``cells`` chooses what each cell holds: ``"text"`` (the value with its unit
    and band symbol, e.g. "● 82 %", "? No data", "– Not applicable"),
    ``"value"`` (the number) or ``"band"`` (the band key, for colouring).
    With ``summary=True`` a last column "On target" ("3 of 5") and a last row
    "Average" (the mean across org units, see :func:`summary_by_indicator`)
    are added. Rows keep the scorecard's org unit order, columns its
    indicator order; the row labels are the org unit names and the headers the
    indicator names, with the unit.
    """
    check_card(card)
    if cells not in ("text", "value", "band"):
        raise InputError(
            f"Unknown cell content {cells!r}",
            todo="Choose 'text', 'value' or 'band'",
        )
    n = len(card)
    units = card["unit"].to_numpy(dtype=object) if "unit" in card else np.full(n, "", object)
    decimals = card["decimals"].to_numpy() if "decimals" in card else np.zeros(n, int)
    applicable = card["applicable"].to_numpy(dtype=bool)
    values = card["value"].to_numpy(dtype=float)
    if cells == "value":
        cell = np.where(applicable, values, np.nan)
    elif cells == "band":
        cell = card["band"].to_numpy(dtype=object)
    else:
        text = format_values(values, units, decimals)
        text = np.where(np.isnan(values), BANDS["no_data"]["label"], text)
        text = np.where(applicable, text, BANDS["not_applicable"]["label"])
        cell = card["symbol"].to_numpy(dtype=object) + " " + text.astype(object)

    # Place each cell on the grid by position: org units down, indicators across.
    r, row_keys = pd.factorize(card["org_unit"].to_numpy(dtype=object))
    c, col_keys = pd.factorize(card["indicator"].to_numpy(dtype=object))
    grid = np.full((len(row_keys), len(col_keys)), np.nan if cells == "value" else None)
    grid = grid.astype(float if cells == "value" else object)
    grid[r, c] = cell
    names = _first_of(card, "indicator", "indicator_name", pd.Index(col_keys)).astype(str)
    col_units = _first_of(card, "indicator", "unit", pd.Index(col_keys), default="")
    header = [f"{nm} ({u})" if u else nm for nm, u in zip(names, col_units, strict=True)]
    row_names = _first_of(card, "org_unit", "org_unit_name", pd.Index(row_keys))
    wide = pd.DataFrame(grid, index=pd.Index(row_names, name="Org unit"), columns=header)
    if not summary:
        return wide
    per_ou = summary_by_org_unit(card)
    per_ind = summary_by_indicator(card)
    if cells == "text":
        wide["On target"] = (
            per_ou["on_target"].astype(str) + " of " + per_ou["rated"].astype(str)
        ).to_numpy()
        col_decimals = _first_of(card, "indicator", "decimals", pd.Index(col_keys), default=0)
        average = per_ind["average"].to_numpy(dtype=float)
        avg_text = format_values(average, col_units, col_decimals)
        avg_text = np.where(np.isnan(average), BANDS["no_data"]["label"], avg_text)
        rated_total = int(summary_by_org_unit(card)["rated"].sum())
        total = f"{int(per_ind['on_target'].sum())} of {rated_total}"
        avg_row = [*avg_text, total]
    elif cells == "value":
        wide["On target"] = per_ou["on_target"].to_numpy(dtype=float)
        avg_row = [*per_ind["average"], float(per_ind["on_target"].sum())]
    else:
        wide["On target"] = ""
        avg_row = [""] * (len(col_keys) + 1)
    average_row = pd.DataFrame([avg_row], index=pd.Index(["Average"]), columns=wide.columns)
    return pd.concat([wide, average_row]).rename_axis("Org unit")
