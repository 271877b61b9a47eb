"""DHIS2 data value sets: one row per value, with the value's identifiers.

Source: DHIS2 Developer Manual, "Data values" (CSV and JSON data value sets),
HISP Centre, University of Oslo. The CSV headings come in several spellings:
long (``dataelement``, ``period``, ``orgunit``, ``categoryoptioncombo``,
``attributeoptioncombo``, ``value``), camelCase (``dataElement``, ``orgUnit``
...), the older ``catoptcombo``/``attroptcombo``, and DHIS2's short ones
(``de,pe,ou,coc,aoc`` or ``acoc``; ``dx,pe,ou,co`` from analytics). A file
without headings has the columns in that order. The optional columns
``storedby, created, lastupdated, comment, followup, deleted`` record who typed
a value and when; rows with ``deleted`` true are dropped with a note.

The category option combo and attribute option combo are part of a value's
identity: two rows that differ only there are two values, not a repeat.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from phcpm.io._common import Table, blank_cells, norm
from phcpm.io.layouts._base import Layout, Long

__all__ = ["DVS_COLUMNS", "HEADINGS", "DataValueSet", "headerless_names", "roles_of"]

#: Column names given to a file without headings, in DHIS2's order.
DVS_COLUMNS = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
]

#: Folded headings of each role in a data value set.
HEADINGS = {
    "data_element": ("dataelement", "de", "dx", "dataelementid"),
    "period": ("period", "pe"),
    "org_unit": ("orgunit", "ou", "orgunitid"),
    "category_option_combo": ("categoryoptioncombo", "catoptcombo", "coc", "co"),
    "attribute_option_combo": ("attributeoptioncombo", "attroptcombo", "aoc", "acoc", "cc"),
    "value": ("value",),
    "comment": ("comment",),
    "deleted": ("deleted",),
}
_SHORT = {"de", "dx", "pe", "ou"}


def headerless_names(width: int) -> list[str]:
    """Column names for a file without a heading row: a DHIS2 data value set's
    columns in their usual order, then "Column 12", "Column 13" ..."""
    return DVS_COLUMNS[:width] + [f"Column {i}" for i in range(len(DVS_COLUMNS) + 1, width + 1)]


def roles_of(columns: Iterable[object]) -> dict[str, str] | None:
    """``{role: column}`` when the headings are a data value set's, else None."""
    found: dict[str, str] = {}
    for col in columns:
        folded = norm(col)
        for role, names in HEADINGS.items():
            if folded in names and role not in found:
                found[role] = col
    if not {"data_element", "period", "org_unit", "value"} <= set(found):
        return None
    return found


def _is_true(values: pd.Series) -> np.ndarray:
    text = values.astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "yes"]).to_numpy()


class DataValueSet(Layout):
    name = "dhis2-datavalueset"
    label = "DHIS2 data value set (one row per value, with identifiers)"
    self_mapping = True

    def detect(self, frame: pd.DataFrame) -> bool:
        return roles_of(frame.columns) is not None

    def mapping(self, table: Table) -> dict[str, str]:
        found = roles_of(table.data.columns) or {}
        order = (
            "data_element",
            "period",
            "org_unit",
            "value",
            "category_option_combo",
            "attribute_option_combo",
        )
        return {found[r]: r for r in order if r in found}

    def reshape(self, table: Table, mapping: dict[str, str] | None, keep: list) -> Long:
        from phcpm.io.layouts.long import by_columns

        frame = table.data
        found = roles_of(frame.columns) or {}
        roles = {r: c for c, r in self.mapping(table).items()}
        long = by_columns(frame, roles, keep)
        short = {norm(c) for c in frame.columns} & _SHORT
        kind = "DHIS2's short headings" if short else "DHIS2's headings"
        long.understood = [
            f"This is a DHIS2 data value set ({kind}): one row per value.",
            f"'{roles['data_element']}' is the data element, '{roles['period']}' the period, "
            f"'{roles['org_unit']}' the place (org unit ID), '{roles['value']}' the value.",
        ]
        combos = [
            roles[r] for r in ("category_option_combo", "attribute_option_combo") if r in roles
        ]
        if combos:
            long.understood.append(
                " and ".join(f"'{c}'" for c in combos)
                + " say which disaggregation a value belongs to; rows that differ only there "
                "are separate values."
            )
        if "deleted" in found:
            deleted = _is_true(frame[found["deleted"]]) & ~blank_cells(frame[found["deleted"]])
            if deleted.any():
                long.removed = pd.Series(deleted, index=frame.index)
                long.notes.append(
                    f"{int(deleted.sum()):,} row(s) are marked deleted in DHIS2 "
                    f"('{found['deleted']}' is true); they were left out."
                )
        return long
