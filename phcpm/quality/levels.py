"""Levels of the org unit hierarchy: facility, district and region.

The WHO Data Quality Tool reviews the sub-units of a boundary at a chosen level
(``ouBoundary`` and ``ouLevel`` in ``src/appCore/dqAnalysisConsistency.js``,
function ``analyse``; ``src/moduleReview/review.js``, function ``doAnalysis``).
Here the levels come from one of two sources, and the source is said in the notes:

* the hierarchy columns of a DHIS2 download (``orgunitlevel1`` ... ``orgunitlevelN``,
  the names of the ancestors, when "include hierarchy" was ticked), or
* an org unit table with ``org_unit_id``, ``name`` and ``parent_id`` (DHIS2's
  metadata export, or ``datasets/org_units.csv``).

:func:`hierarchy` returns one row per org unit of the data with the columns
``facility``, ``district`` and ``region`` (names; missing when the source does not
go that high). The org unit itself is the facility level.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns

__all__ = ["LEVELS", "hierarchy"]

#: The three levels, lowest first.
LEVELS = ("facility", "district", "region")

_LEVEL_COLUMN = re.compile(r"^orgunitlevel(\d+)$", re.IGNORECASE)


def _level_columns(data: pd.DataFrame) -> list[str]:
    found = [(int(m.group(1)), c) for c in data.columns if (m := _LEVEL_COLUMN.match(str(c)))]
    return [c for _, c in sorted(found)]


def _unique_names(table: pd.DataFrame) -> pd.DataFrame:
    """Facility names that two org units share get the org unit's ID in brackets."""
    names = table["facility"].astype(str)
    twice = names.duplicated(keep=False).to_numpy()
    if twice.any():
        ids = pd.Series(table.index.astype(str), index=table.index)
        table.loc[twice, "facility"] = (names[twice] + " (" + ids[twice] + ")").to_numpy()
    return table


def hierarchy(
    data: pd.DataFrame,
    org_units: pd.DataFrame | None = None,
    *,
    org_unit: str = "org_unit",
    org_unit_name: str = "org_unit_name",
) -> tuple[pd.DataFrame, str]:
    """Facility, district and region of every org unit in ``data``, and where they came from.

    With ``org_units`` (columns ``org_unit_id``, ``name``, ``parent_id``), an org unit
    of the data is matched by ID or by name; its parent is the district and the
    parent's parent the region. Otherwise the ``orgunitlevelN`` columns of the
    data are used: the levels above the org unit (the trailing columns that repeat
    the org unit's own name are dropped), the last one being the district and the
    one before it the region (when there is a level above it: the first level is
    the country). Without either, every org unit is its own facility
    and the district and region are missing.

    Returns ``(table, source)``: ``table`` is indexed by the org unit values of
    ``data`` and has the columns :data:`LEVELS`; ``source`` says in plain words
    where the levels came from. ``data`` is not changed.
    """
    require_columns(
        data,
        [org_unit],
        "the routine data",
        todo="Give the column that names the org unit (facility) of each row",
    )
    keys = pd.Index(pd.unique(data[org_unit].dropna()))
    table = pd.DataFrame(index=keys, columns=list(LEVELS), dtype=object)
    names = keys.astype(str)
    if org_unit_name in data.columns:
        first = data.drop_duplicates(org_unit).set_index(org_unit)[org_unit_name]
        names = pd.Index(first.reindex(keys).fillna(pd.Series(keys, index=keys)).astype(str))
    table["facility"] = np.asarray(names, dtype=object)
    if org_units is not None:
        need = {"org_unit_id", "name", "parent_id"}
        missing = need - set(org_units.columns)
        if missing:
            raise InputError(
                "The org unit table has no column " + ", ".join(sorted(missing)),
                todo="Give a table with org_unit_id, name and parent_id (DHIS2 metadata export)",
            )
        ids = org_units["org_unit_id"].astype(str)
        by_id = pd.Series(org_units["name"].astype(str).to_numpy(), index=ids)
        parent = pd.Series(org_units["parent_id"].astype("string").to_numpy(), index=ids)
        id_of_name = pd.Series(ids.to_numpy(), index=org_units["name"].astype(str))
        id_of_name = id_of_name[~id_of_name.index.duplicated()]
        key_text = pd.Series(keys.astype(str), index=keys)
        own = key_text.where(key_text.isin(by_id.index), key_text.map(id_of_name))
        if own.isna().all():
            raise InputError(
                "None of the org units of the data is in the org unit table",
                where="the org unit table",
                todo="Use the org unit table of the same DHIS2 (IDs or names must match)",
            )
        up1 = own.map(parent)
        up2 = up1.map(parent)
        table["facility"] = own.map(by_id).fillna(table["facility"]).to_numpy(dtype=object)
        table["district"] = up1.map(by_id).to_numpy(dtype=object)
        table["region"] = up2.map(by_id).to_numpy(dtype=object)
        return _unique_names(table), "the org unit table (each org unit's parent and grandparent)"
    columns = _level_columns(data)
    if not columns:
        return _unique_names(
            table
        ), "none: the data have no hierarchy columns and no org unit table was given"
    first = data.drop_duplicates(org_unit).set_index(org_unit)[columns].reindex(keys)
    levels = first.astype("string").to_numpy(dtype=object)
    own = np.asarray(table["facility"], dtype=object)
    district = np.full(len(keys), None, dtype=object)
    region = np.full(len(keys), None, dtype=object)
    for i in range(len(keys)):
        row = [v for v in levels[i] if isinstance(v, str) and v.strip()]
        while row and row[-1] == own[i]:
            row.pop()
        if row:
            district[i] = row[-1]
        if len(row) > 2:  # the first level is the country
            region[i] = row[-2]
    table["district"] = district
    table["region"] = region
    return _unique_names(table), "the hierarchy columns of the download (" + ", ".join(
        columns
    ) + ")"
