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

    def reshape(self, table: Table, mapping, keep: list) -> Long:
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
