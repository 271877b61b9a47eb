"""The DHIS2 "plain data source" download: one row per value, with the
columns ``Data``, ``Period``, ``Organisation unit`` and ``Value`` (DHIS2 Data
Visualizer, "Download > Plain data source"; HISP Centre, University of Oslo),
optionally with their IDs (``Data ID``, ``Period ID``, ``Organisation unit ID``),
the hierarchy (``orgunitlevelN``) and one column per category (for example
``Sex`` and ``Age``). An analytics response in JSON is read into the same shape.

The category columns of a row are joined, in their order, with ", " into one
``category_option_combo`` text ("Female, 0-11m"); they are part of the row's
identity.
"""

from __future__ import annotations

import pandas as pd

from phcpm.io._common import Table, blank_cells, name_list, norm
from phcpm.io.layouts import pivot_metadata as pm
from phcpm.io.layouts._base import Layout, Long
from phcpm.io.layouts.long import by_columns

__all__ = ["category_columns", "join_categories", "PivotSource"]

_ORG = ("organisationunit", "organizationunit", "orgunit", "organisationunitname", "orgunitname")
_ORG_ID = ("organisationunitid", "organizationunitid", "orgunitid")
_DATA = ("data", "dataname")
_DATA_ID = ("dataid",)
_PERIOD = ("periodid", "period")
_KNOWN = set(
    _ORG
    + _ORG_ID
    + _DATA
    + _DATA_ID
    + _PERIOD
    + (
        "value",
        "periodname",
        "datacode",
        "organisationunitcode",
        "orgunitcode",
        "datadescription",
        "organisationunitdescription",
        "perioddescription",
        "periodcode",
    )
)


def _roles(frame: pd.DataFrame) -> dict[str, str] | None:
    folded = {norm(c) for c in frame.columns}
    if "value" not in folded or not folded & set(_PERIOD):
        return None
    if not folded & set(_DATA + _DATA_ID) or not folded & set(_ORG + _ORG_ID):
        return None
    roles = {"value": pm._first(frame, ("value",)), "period": pm._first(frame, _PERIOD)}
    data = pm._first(frame, _DATA) or pm._first(frame, _DATA_ID)
    roles["data_element"] = data
    org_id, org = pm._first(frame, _ORG_ID), pm._first(frame, _ORG)
    if org_id is not None:
        roles["org_unit"] = org_id
        if org is not None:
            roles["org_unit_name"] = org
    else:
        roles["org_unit"] = org
    return roles


def category_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if norm(c) not in _KNOWN and not pm.is_level(c)]


def join_categories(frame: pd.DataFrame, cols: list) -> pd.Series:
    """The category options of each row joined with ", " in column order."""
    parts = [
        frame[c].astype(object).where(~blank_cells(frame[c]), "").astype(str).str.strip()
        for c in cols
    ]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.str.cat(part, sep=", ")
    return joined.str.strip(", ")


class PivotSource(Layout):
    name = "dhis2-pivot"
    label = "DHIS2 plain data source (Data, Period, Organisation unit, Value)"
    self_mapping = True

    def detect(self, frame: pd.DataFrame) -> bool:
        return _roles(frame) is not None

    def mapping(self, table: Table) -> dict[str, str]:
        return {c: r for r, c in (_roles(table.data) or {}).items()}

    def reshape(self, table: Table, mapping: dict[str, str] | None, keep: list) -> Long:
        frame = table.data
        roles = _roles(frame)
        cats = category_columns(frame)
        long = by_columns(frame, roles, keep)
        if cats:
            long.frame["category_option_combo"] = join_categories(frame, cats).to_numpy()
        levels = pm.order_levels(frame.columns)
        for col in levels:
            long.frame[pm.level_name(col)] = frame[col].to_numpy()
        said = [
            f"'{roles['data_element']}' is the data element",
            f"'{roles['period']}' is the period"
            + (" (DHIS2 codes)" if norm(roles["period"]) == "periodid" else ""),
        ]
        if "org_unit_name" in roles:
            said.append(
                f"'{roles['org_unit']}' is the place (its ID), shown by its name "
                f"'{roles['org_unit_name']}'"
            )
        else:
            said.append(f"'{roles['org_unit']}' is the place")
        said.append(f"'{roles['value']}' is the value")
        if cats:
            said.append(f"{name_list(cats)} are categories, joined into the category option combo")
        if levels:
            said.append(f"{name_list(levels)} are the levels above the place, kept for roll-ups")
        long.understood = [
            "This is a DHIS2 plain data source download: one row per value.",
            "; ".join(said) + ".",
        ]
        if norm(roles["period"]) == "periodid":
            long.notes.append("Periods were read from the 'Period ID' column (DHIS2 codes).")
        return long
