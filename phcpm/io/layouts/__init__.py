"""The layouts the reader recognises, one module each: a detector (does this
table have my layout?) and a reshaper (to one row per value).

:data:`LAYOUTS` lists them in the order they are tried; the first whose
detector says yes gives :attr:`phcpm.io.Table.format`. A new layout is one
module with a :class:`~phcpm.io.layouts._base.Layout` subclass, added here,
and its tests.
"""

from __future__ import annotations

import pandas as pd

from phcpm.io.layouts._base import Layout, Long
from phcpm.io.layouts.combined_headings import ItemAndOrgUnitHeadings, PeriodAndItemHeadings
from phcpm.io.layouts.datavalueset import DataValueSet
from phcpm.io.layouts.long import LongTable
from phcpm.io.layouts.periods_columns import PeriodsAsColumns
from phcpm.io.layouts.pivot_metadata import PivotMetadata
from phcpm.io.layouts.pivot_source import PivotSource
from phcpm.io.layouts.year_month import YearAndMonth

#: Every layout, in the order they are tried.
LAYOUTS: list[Layout] = [
    DataValueSet(),
    PivotSource(),
    PivotMetadata(),
    PeriodsAsColumns(),
    PeriodAndItemHeadings(),
    YearAndMonth(),
    ItemAndOrgUnitHeadings(),
    LongTable(),
]
BY_NAME: dict[str, Layout] = {layout.name: layout for layout in LAYOUTS}


def detect(frame: pd.DataFrame) -> Layout | None:
    """The first layout in :data:`LAYOUTS` that recognises the table, or None."""
    for layout in LAYOUTS:
        if layout.detect(frame):
            return layout
    return None


__all__ = ["BY_NAME", "LAYOUTS", "Layout", "Long", "detect"]
