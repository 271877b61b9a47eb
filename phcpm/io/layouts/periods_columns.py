"""Periods as columns: one column per period ("January 2024", "202401", "Jan 2024").

The other columns say what each row is: the place (its ID and name, with the
DHIS2 metadata columns of a pivot table), what is counted, and hierarchy
columns (``orgunitlevelN``). This is how a DHIS2 pivot table with the periods
as columns downloads, and how many spreadsheets are kept by hand.
"""

from __future__ import annotations

import re

import pandas as pd

from phcpm.errors import InputError
from phcpm.io import _mapping
from phcpm.io._common import NeedsMapping, Table, name_list, norm
from phcpm.io.layouts import pivot_metadata as pm
from phcpm.io.layouts._base import Layout, Long
from phcpm.io.layouts._melt import melt
from phcpm.periods import parse_period

__all__ = ["describe_rows", "period_header", "PeriodsAsColumns", "row_roles"]


def period_header(name: object) -> pd.Period | None:
    """The period a column heading names, or None."""
    try:
        text = str(name).strip()
        if not re.search(r"\d{2}", text):
            return None
        period = parse_period(text)
    except InputError:
        return None
    return period if period.freqstr != "Y-DEC" or len(text) == 4 else None


def row_roles(frame: pd.DataFrame, id_cols: list) -> tuple[dict[str, str], list]:
    """``({role: column}, hierarchy columns)`` for the columns that describe each row."""
    sub = frame[id_cols]
    roles: dict[str, str] = {}
    org_id, org_name = pm._first(sub, pm.ORG_ID), pm._first(sub, pm.ORG_NAME)
    if org_id is not None:
        roles["org_unit"] = org_id
        if org_name is not None:
            roles["org_unit_name"] = org_name
    elif org_name is not None:
        roles["org_unit"] = org_name
    data_name = pm._first(sub, pm.DATA_NAME) or pm._first(sub, pm.DATA_ID)
    if data_name is not None:
        roles["data_element"] = data_name
    levels = pm.order_levels(id_cols)
    rest = [c for c in id_cols if c not in roles.values() and c not in levels]
    rest = [c for c in rest if norm(c) not in pm._META]
    if rest and ("org_unit" not in roles or "data_element" not in roles):
        guess = _mapping.guess_mapping(frame[rest])
        for col, role in guess.items():
            if role in ("org_unit", "data_element") and role not in roles:
                roles[role] = col
    return roles, levels


def describe_rows(roles: dict[str, str], levels: list) -> list[str]:
    said = []
    if "org_unit_name" in roles:
        said.append(
            f"'{roles['org_unit']}' is the place (its ID), shown by its name "
            f"'{roles['org_unit_name']}'"
        )
    elif "org_unit" in roles:
        said.append(f"'{roles['org_unit']}' is the place")
    if "data_element" in roles:
        said.append(f"'{roles['data_element']}' is the data element")
    if levels:
        said.append(f"{name_list(levels)} are the levels above the place, kept for roll-ups")
    return said


class PeriodsAsColumns(Layout):
    name = "wide"
    label = "periods as columns (one column per period)"

    def detect(self, frame: pd.DataFrame) -> bool:
        return sum(1 for c in frame.columns if period_header(c) is not None) >= 2

    def mapping(self, table: Table) -> dict[str, str]:
        frame = table.data
        ids = [c for c in frame.columns if period_header(c) is None]
        roles, _ = row_roles(frame, ids)
        return {c: r for r, c in roles.items() if r in ("org_unit", "data_element")}

    def reshape(self, table: Table, mapping: dict[str, str] | None, keep: list) -> Long:
        frame = table.data
        wide_cols = [c for c in frame.columns if period_header(c) is not None]
        ids = [c for c in frame.columns if c not in wide_cols]
        if mapping is None:
            roles, levels = row_roles(frame, ids)
        else:
            roles = {
                r: c
                for c, r in mapping.items()
                if r in ("org_unit", "data_element", "org_unit_name")
            }
            levels = pm.order_levels(ids)
        said_first = ""
        if "org_unit" not in roles:
            others = [c for c in ids if c not in roles.values() and c not in levels]
            if not others:
                raise NeedsMapping(
                    "The table has period columns but no column for the org unit (place)",
                    columns=[str(c) for c in frame.columns],
                    missing=["org_unit"],
                    todo="Add a column with the names of the places",
                )
            roles["org_unit"] = others[0]
            said_first = (
                f"'{others[0]}' was taken as the place (the first column that is not a period)"
            )
        rows = dict(roles)
        for col in levels:
            rows[pm.level_name(col)] = col
        long = melt(frame, rows, wide_cols, {"period": [str(c) for c in wide_cols]}, keep)
        long.period_col_name = "(period heading)"
        said = ([said_first] if said_first else []) + describe_rows(
            {r: c for r, c in roles.items() if not said_first or r != "org_unit"}, levels
        )
        said.append(
            f"{len(wide_cols)} columns are periods, one per column "
            f"({name_list([str(c) for c in wide_cols])})"
        )
        long.understood = ["The periods are in the column headings.", "; ".join(said) + "."]
        long.notes.append(
            f"{len(wide_cols)} period columns were turned into rows "
            f"({wide_cols[0]} to {wide_cols[-1]})."
        )
        return long
