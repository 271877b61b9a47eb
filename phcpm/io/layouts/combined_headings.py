"""Two dimensions combined in one column heading.

A DHIS2 pivot table with two dimensions as columns downloads one heading per
pair: period and data item ("May 2025 ANC 1st visit"), or data item and org
unit ("ANC 1st visit Bo Hospital"). The headings are split when they allow it:

* a period at the start (or the end) of every heading: the rest is the data item;
* otherwise the headings form a grid: every heading is a data item followed by
  an org unit, with each data item paired with the same org units (found from
  the parts shared across columns). DHIS2 writes the data item first.

When the headings can be split in more than one way, or in none, the user is
asked (:class:`~phcpm.io.NeedsMapping`).
"""

from __future__ import annotations

import pandas as pd

from phcpm.io._common import NeedsMapping, Table, name_list
from phcpm.io.layouts import pivot_metadata as pm
from phcpm.io.layouts._base import Layout, Long
from phcpm.io.layouts._melt import melt
from phcpm.io.layouts.periods_columns import describe_rows, period_header, row_roles
from phcpm.periods import split_period_heading

__all__ = ["grid_splits", "ItemAndOrgUnitHeadings", "PeriodAndItemHeadings"]


def _period_split(columns) -> tuple[list, list, list] | None:
    """``(columns, periods, items)`` for the headings that hold a period and a
    data item, when at least two do and they all put the period on the same side."""
    cols, periods, items, sides = [], [], [], set()
    for col in columns:
        if period_header(col) is not None:
            return None
        found = split_period_heading(col)
        if found is None:
            continue
        period, rest, side = found
        cols.append(col)
        periods.append(period)
        items.append(rest)
        sides.add(side)
    if len(cols) < 2 or len(sides) != 1:
        return None
    return cols, periods, items


class PeriodAndItemHeadings(Layout):
    name = "dhis2-period-item-headings"
    label = "period and data item together in each column heading"
    self_mapping = True

    def detect(self, frame: pd.DataFrame) -> bool:
        found = _period_split(frame.columns)
        if found is None:
            return False
        cols = found[0]
        ids = [c for c in frame.columns if c not in cols]
        return bool(ids) and all(pm.numbers_share(frame[c]) >= 0.8 for c in cols[:50])

    def mapping(self, table: Table) -> dict[str, str]:
        frame = table.data
        cols = _period_split(frame.columns)[0]
        roles, _ = row_roles(frame, [c for c in frame.columns if c not in cols])
        return {c: r for r, c in roles.items() if r in ("org_unit", "org_unit_name")}

    def reshape(self, table: Table, mapping: dict[str, str] | None, keep: list) -> Long:
        frame = table.data
        cols, periods, items = _period_split(frame.columns)
        ids = [c for c in frame.columns if c not in cols]
        roles, levels = row_roles(frame, ids)
        if mapping:
            roles.update({r: c for c, r in mapping.items() if r in ("org_unit", "org_unit_name")})
        roles.pop("data_element", None)
        if "org_unit" not in roles:
            raise NeedsMapping(
                "The headings hold the period and the data item, but no column says which "
                "place each row is",
                columns=[str(c) for c in frame.columns],
                missing=["org_unit"],
                todo="Choose the column that holds the place",
            )
        rows = dict(roles)
        for col in levels:
            rows[pm.level_name(col)] = col
        long = melt(frame, rows, cols, {"period": periods, "data_element": items}, keep)
        long.period_col_name = "(period heading)"
        n_items = len(dict.fromkeys(items))
        said = describe_rows(roles, levels)
        said.append(
            f"{len(cols)} column headings each hold a period and a data item "
            f"({name_list([str(c) for c in cols], limit=3)}); they were split into "
            f"{len(set(map(str, periods)))} period(s) and {n_items} data item(s)"
        )
        long.understood = [
            "Each column heading holds a period and a data item.",
            "; ".join(said) + ".",
        ]
        return long


def _words(text) -> list[str]:
    return str(text).split()


def grid_splits(headings: list[str]) -> list[tuple[list[str], list[str]]]:
    """Every way of reading the headings as "<data item> <org unit>" such that
    each data item is paired with the same org units: a complete grid of at
    least two of each, in which the data items are the prefixes and the org
    units the suffixes shared across columns. Returns ``[(items, org units per
    heading)]``: one entry when the headings allow one reading.

    A part shared by every heading alone (one data item for several places,
    "ANC 1st visit Bo Hospital", "ANC 1st visit Ngelehun CHC") does not show
    where the data item ends ("ANC" is shared by "ANC 1st visit ..." and "ANC
    4th visit ..." too), so it gives no reading and the user is asked."""
    texts = [" ".join(_words(h)) for h in headings]
    if len(texts) < 2 or len(set(texts)) < len(texts):
        return []
    found: dict[tuple, tuple[list[str], list[str]]] = {}
    first = _words(texts[0])
    for k in range(1, len(first)):
        prefix = " ".join(first[:k])
        suffixes = {t[len(prefix) + 1 :] for t in texts if t.startswith(prefix + " ")}
        if len(suffixes) < 2:
            continue
        prefixes = set()
        ok = True
        for t in texts:
            ends = [s for s in suffixes if t.endswith(" " + s) and len(t) > len(s) + 1]
            if len(ends) != 1:
                ok = False
                break
            prefixes.add(t[: -len(ends[0]) - 1])
        if not ok or len(prefixes) < 2 or len(prefixes) * len(suffixes) != len(texts):
            continue
        if {f"{p} {s}" for p in prefixes for s in suffixes} != set(texts):
            continue
        items, places = [], []
        for t in texts:
            s = next(s for s in suffixes if t.endswith(" " + s))
            items.append(t[: -len(s) - 1])
            places.append(s)
        found[(tuple(sorted(prefixes)), tuple(sorted(suffixes)))] = (items, places)
    return list(found.values())


def _item_place_columns(frame: pd.DataFrame):
    """``(period column, value columns)`` of a table whose rows are periods and
    whose other columns are numbers, or None."""
    from phcpm.io._mapping import profile

    if any(period_header(c) is not None for c in frame.columns):
        return None
    period_cols = [c for c in frame.columns if profile(frame[c]).period_like]
    if len(period_cols) != 1:
        return None
    rest = [c for c in frame.columns if c != period_cols[0]]
    if len(rest) < 2 or not all(pm.numbers_share(frame[c]) >= 0.8 for c in rest[:50]):
        return None
    if any(pm.is_level(c) or str(c).lower() in ("organisation unit", "org unit") for c in rest):
        return None
    return period_cols[0], rest


class ItemAndOrgUnitHeadings(Layout):
    name = "dhis2-item-orgunit-headings"
    label = "data item and org unit together in each column heading"
    self_mapping = True

    def detect(self, frame: pd.DataFrame) -> bool:
        return _item_place_columns(frame) is not None

    def mapping(self, table: Table) -> dict[str, str]:
        found = _item_place_columns(table.data)
        return {found[0]: "period"} if found else {}

    def reshape(self, table: Table, mapping: dict[str, str] | None, keep: list) -> Long:
        frame = table.data
        period_col, cols = _item_place_columns(frame)
        splits = grid_splits([str(c) for c in cols])
        if len(splits) != 1:
            shown = name_list([str(c) for c in cols], limit=4)
            raise NeedsMapping(
                "Each column heading seems to join a data item and a place "
                f"({shown}), but the headings do not show where one ends and the other begins"
                + (" (they can be split in more than one way)" if splits else ""),
                columns=[str(c) for c in frame.columns],
                missing=["org_unit", "data_element"],
                todo="Download the table again from DHIS2 with the org units as rows "
                "(or the data as rows), or as a plain data source",
            )
        items, places = splits[0]
        long = melt(
            frame, {"period": period_col}, cols, {"data_element": items, "org_unit": places}, keep
        )
        n_items, n_places = len(dict.fromkeys(items)), len(dict.fromkeys(places))
        long.understood = [
            "Each column heading holds a data item and a place (DHIS2 writes the data item first).",
            f"'{period_col}' is the period; {len(cols)} column headings were split into "
            f"{n_items} data item(s) ({name_list(list(dict.fromkeys(items)), limit=5)}) and "
            f"{n_places} place(s) ({name_list(list(dict.fromkeys(places)), limit=5)}).",
        ]
        return long
