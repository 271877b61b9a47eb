"""Combining org units up the hierarchy (facility to district to region)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.scorecard.checks import _numeric, _require
from phcpm.scorecard.definitions import FLAT_TOLERANCE, _definitions

__all__ = ["aggregate_to_level"]


def _org_table(org_units: pd.DataFrame) -> pd.DataFrame:
    """Normalise an org-unit table to columns org_unit, parent, level (+ name, type)."""
    if not isinstance(org_units, pd.DataFrame):
        raise InputError(
            "The org units are not a table",
            todo="Give the org unit table (org_unit_id, name, level, parent_id, ...)",
        )
    table = org_units.copy()
    if "org_unit" not in table and "org_unit_id" in table:
        table = table.rename(columns={"org_unit_id": "org_unit"})
    if "parent" not in table and "parent_id" in table:
        table = table.rename(columns={"parent_id": "parent"})
    _require(table, ["org_unit"], "the org unit table")
    table["org_unit"] = table["org_unit"].astype(str)
    if "name" not in table:
        table["name"] = table["org_unit"]
    table["name"] = table["name"].where(table["name"].notna(), table["org_unit"]).astype(str)
    return table


def _level_number(table: pd.DataFrame, level) -> int:
    if isinstance(level, (int, np.integer)) and not isinstance(level, bool):
        return int(level)
    if isinstance(level, str) and "level_name" in table:
        match = table.loc[table["level_name"].astype(str).str.casefold() == level.casefold()]
        if len(match):
            return int(match["level"].iloc[0])
    names = (
        sorted(pd.unique(table["level_name"].dropna().astype(str))) if "level_name" in table else []
    )
    raise InputError(
        f"The level {level!r} is not in the org unit table",
        where="the org unit table",
        todo="Choose a level number"
        + (" or one of: " + ", ".join(names) if names else " (1 = country, 4 = facility)"),
    )


def _ancestor_at(table: pd.DataFrame, level: int) -> pd.Series:
    """For each org unit, its ancestor at ``level`` (itself if at that level, else NaN)."""
    _require(table, ["org_unit", "parent", "level"], "the org unit table")
    levels = pd.Series(table["level"].astype(int).to_numpy(), index=table["org_unit"])
    parents = pd.Series(table["parent"].to_numpy(), index=table["org_unit"])
    current = pd.Series(table["org_unit"].to_numpy(), index=table["org_unit"], dtype=object)
    for _ in range(int(levels.max() - levels.min()) + 1):  # one step per level, not per row
        cur_level = current.map(levels)
        deeper = cur_level > level
        if not deeper.any():
            break
        current = current.where(~deeper, current.map(parents))
    found = current.map(levels) == level
    return current.where(found)


def aggregate_to_level(
    data: pd.DataFrame,
    org_units: pd.DataFrame,
    level: int | str,
    definitions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Combine org-unit values into their parents at ``level`` (e.g. facilities to districts).

    How each indicator is combined (column ``aggregation`` of ``definitions``,
    or chosen automatically):

    * ``ratio`` (the default when the data have ``numerator`` and
      ``denominator`` values for the indicator): sum the numerators, sum the
      denominators, then divide and multiply by ``factor`` (100 for a
      percentage). This is how DHIS2 analytics computes an indicator for a
      higher org unit: the numerator and the denominator are each aggregated
      over the org units below, then divided (DHIS2 user documentation,
      indicators; HISP Centre, University of Oslo). Averaging facility rates
      instead would give a small health post the same weight as a hospital.
      Only rows where both numerator and denominator are present are summed,
      so a facility that did not report does not lower the district coverage
      with its population alone.
    * ``mean``: the average of the values (the default without numerators;
      suits "average stock-out days per facility").
    * ``sum``: the total of the values (counts such as cases notified).

    ``data`` holds ``org_unit``, ``period``, ``indicator`` and ``value``, plus
    optional ``numerator``/``denominator``; ``org_units`` the hierarchy
    (``org_unit`` or ``org_unit_id``, ``parent`` or ``parent_id``, ``level``);
    ``level`` a level number or a ``level_name`` such as "district". Rows whose
    org unit sits above ``level`` are left out. Returns a new DataFrame with the
    same columns, one row per parent, period and indicator.
    """
    _require(data, ["org_unit", "period", "indicator"], "the data")
    table = _org_table(org_units)
    defs = _definitions(definitions, FLAT_TOLERANCE).table if definitions is not None else None
    return _aggregate(data, table, _level_number(table, level), defs)


def _aggregate(
    data: pd.DataFrame, table: pd.DataFrame, target_level: int, defs: pd.DataFrame | None
) -> pd.DataFrame:
    """:func:`aggregate_to_level` on a normalised org unit table and parsed definitions."""
    ancestors = _ancestor_at(table, target_level)
    ids = data["org_unit"].astype(str)
    unknown = sorted(set(pd.unique(ids)) - set(ancestors.index))
    if unknown:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise InputError(
            f"{len(unknown)} org unit(s) in the data are not in the org unit table: {shown}",
            where="column 'org_unit' of the data",
            todo="Check the org unit codes, or add the missing org units to the table",
        )
    frame = data.copy()
    frame["org_unit"] = ids.map(ancestors)
    frame = frame[frame["org_unit"].notna()]

    if defs is not None:
        how = dict(zip(defs["indicator"], defs["aggregation"], strict=True))
        factor = dict(zip(defs["indicator"], defs["factor"], strict=True))
    else:
        how, factor = {}, {}
    has_pairs = "numerator" in frame and "denominator" in frame
    if has_pairs:
        num = _numeric(frame, "numerator")
        den = _numeric(frame, "denominator")
        complete = num.notna() & den.notna()
        frame["numerator"] = num.where(complete)
        frame["denominator"] = den.where(complete)
        frame["_pairs"] = complete.astype(int)
    if "value" in frame:
        frame["value"] = _numeric(frame, "value")
    else:
        frame["value"] = np.nan
    frame["_n"] = frame["value"].notna().astype(int)

    keys = ["org_unit", "period", "indicator"]
    sums = ["value", "_n"] + (["numerator", "denominator", "_pairs"] if has_pairs else [])
    out = frame.groupby(keys, sort=True, observed=True, dropna=False)[sums].sum().reset_index()
    ind = out["indicator"].astype(str)
    rule = ind.map(how).fillna("").astype(str)
    if has_pairs:
        auto_ratio = out.groupby("indicator")["_pairs"].transform("sum") > 0
        rule = rule.where(rule != "", np.where(auto_ratio, "ratio", "mean"))
    else:
        rule = rule.where(rule != "", "mean")
    mean = (out["value"] / out["_n"]).where(out["_n"] > 0)
    total = out["value"].where(out["_n"] > 0)
    value = np.where(rule == "sum", total, mean)
    if has_pairs:
        scale = ind.map(factor).astype(float).fillna(100.0)
        ratio = (out["numerator"] / out["denominator"].where(out["denominator"] != 0)) * scale
        ratio = ratio.where(out["_pairs"] > 0)
        value = np.where(rule == "ratio", ratio, value)
        out["numerator"] = out["numerator"].where(out["_pairs"] > 0)
        out["denominator"] = out["denominator"].where(out["_pairs"] > 0)
    out["value"] = value.astype(float)
    columns = [c for c in data.columns if c in out.columns]
    return out[columns].reset_index(drop=True)
