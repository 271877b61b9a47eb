"""DHIS2 pivot tables downloaded with their metadata columns ("table layout").

A Data Visualizer pivot table, or ``/api/analytics`` with ``tableLayout``,
downloads one row per period and org unit with metadata columns: ``periodid,
periodname, periodcode, perioddescription``, the hierarchy ``orgunitlevel1 ...
orgunitlevelN`` (names of the ancestors) when asked for, ``organisationunitid,
organisationunitname, organisationunitcode, organisationunitdescription``;
then **one column per data item** (DHIS2 Developer Manual, "Analytics": table
layout; HISP Centre, University of Oslo). The metadata columns may also come
with the headings the pivot table shows ("Period", "Organisation unit ID" ...).

When the rows also carry the data item (``dataid``/``dataname``), the other
columns are its category options (for example "Female" and "Male"): each one
becomes a ``category_option_combo``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from phcpm.errors import InputError
from phcpm.io._common import Table, blank_cells, name_list, norm
from phcpm.io._numbers import numbers
from phcpm.io.layouts._base import Layout, Long
from phcpm.io.layouts._melt import melt
from phcpm.periods import parse_period

__all__ = [
    "DATA_ID",
    "DATA_NAME",
    "DATA_OTHER",
    "ORG_ID",
    "ORG_NAME",
    "ORG_OTHER",
    "PERIOD_META",
    "is_level",
    "level_name",
    "numbers_share",
    "order_levels",
    "PivotMetadata",
    "split_columns",
]

#: Period columns, in the order they are used for the period.
PERIOD_META = ("periodid", "periodcode", "period", "periodname", "perioddescription")
ORG_ID = ("organisationunitid", "organizationunitid", "orgunitid")
ORG_NAME = (
    "organisationunitname",
    "organizationunitname",
    "orgunitname",
    "organisationunit",
    "organizationunit",
    "orgunit",
)
ORG_OTHER = (
    "organisationunitcode",
    "organizationunitcode",
    "orgunitcode",
    "organisationunitdescription",
    "organizationunitdescription",
    "orgunitdescription",
)
DATA_ID = ("dataid", "datacode")
DATA_NAME = ("dataname", "data")
DATA_OTHER = ("datadescription",)
_LEVEL = re.compile(r"(?:orgunit|organisationunit|organizationunit)level(\d+)")
_META = set(PERIOD_META + ORG_ID + ORG_NAME + ORG_OTHER + DATA_ID + DATA_NAME + DATA_OTHER)


def is_level(name: object) -> bool:
    return _LEVEL.fullmatch(norm(name)) is not None


def level_name(name: object) -> str:
    """DHIS2's own name for a hierarchy column: ``orgunitlevel2``."""
    return f"orgunitlevel{int(_LEVEL.fullmatch(norm(name)).group(1))}"


def _is_period_heading(name) -> bool:
    text = str(name).strip()
    if not re.search(r"\d{2}", text):
        return False
    try:
        period = parse_period(text)
    except InputError:
        return False
    return period.freqstr != "Y-DEC" or len(text) == 4


def split_columns(columns: list) -> tuple[list, list] | None:
    """``(metadata columns, data columns)`` when the headings are a pivot table
    with metadata columns, else None."""
    folded = [norm(c) for c in columns]
    if "value" in folded:
        return None
    has_period = any(f in PERIOD_META for f in folded)
    has_org = any(f in ORG_ID + ORG_NAME + ORG_OTHER for f in folded)
    if not (has_period and has_org):
        return None
    meta = [c for c, f in zip(columns, folded, strict=True) if f in _META or is_level(c)]
    data = [c for c in columns if c not in meta]
    if not data or any(_is_period_heading(c) for c in data):
        return None
    return meta, data


def _first(frame: pd.DataFrame, names) -> str | None:
    folded = {norm(c): c for c in reversed(list(frame.columns))}
    return next((folded[n] for n in names if n in folded), None)


def _period_share(values: pd.Series) -> float:
    head = values.iloc[:200]
    head = head[~blank_cells(head)]
    if head.empty:
        return 0.0
    ok = 0
    for v in head:
        try:
            parse_period(v)
            ok += 1
        except InputError:
            pass
    return ok / len(head)


def numbers_share(values: pd.Series) -> float:
    head = values.iloc[:200]
    head = head[~blank_cells(head)]
    if head.empty:
        return 1.0
    return float(numbers(head, None)[0].notna().mean())


class PivotMetadata(Layout):
    name = "dhis2-pivot-table"
    label = "DHIS2 pivot table with metadata columns (one column per data item)"
    self_mapping = True

    def detect(self, frame: pd.DataFrame) -> bool:
        split = split_columns(list(frame.columns))
        if split is None:
            return False
        return all(numbers_share(frame[c]) >= 0.8 for c in split[1][:50])

    def _period_column(self, frame: pd.DataFrame) -> str | None:
        for name in PERIOD_META:
            col = _first(frame, (name,))
            if col is not None and _period_share(frame[col]) >= 0.8:
                return col
        return None

    def mapping(self, table: Table) -> dict[str, str]:
        frame = table.data
        out = {}
        period = self._period_column(frame)
        if period is not None:
            out[period] = "period"
        org_id, org_name = _first(frame, ORG_ID), _first(frame, ORG_NAME)
        if org_id is not None:
            out[org_id] = "org_unit"
            if org_name is not None:
                out[org_name] = "org_unit_name"
        elif org_name is not None:
            out[org_name] = "org_unit"
        data_name = _first(frame, DATA_NAME) or _first(frame, DATA_ID)
        if data_name is not None:
            out[data_name] = "data_element"
        return out

    def reshape(self, table: Table, mapping: dict[str, str] | None, keep: list) -> Long:
        from phcpm.io._common import NeedsMapping

        frame = table.data
        meta, data_cols = split_columns(list(frame.columns))
        roles = {r: c for c, r in self.mapping(table).items()}
        if "period" not in roles:
            candidates = [c for c in meta if norm(c) in PERIOD_META]
            raise NeedsMapping(
                f"The period columns ({name_list(candidates)}) hold no period we can read",
                columns=[str(c) for c in frame.columns],
                missing=["period"],
                todo="Download the table again from DHIS2 with the period as rows, "
                "or choose the period column",
            )
        levels = sorted((c for c in meta if is_level(c)), key=lambda c: int(level_name(c)[12:]))
        row_roles = dict(roles)
        for col in levels:
            row_roles[level_name(col)] = col
        by_row_element = "data_element" in roles
        column_roles = {
            ("category_option_combo" if by_row_element else "data_element"): [
                str(c) for c in data_cols
            ]
        }
        long = melt(frame, row_roles, data_cols, column_roles, keep)
        said = [f"'{roles['period']}' is the period"]
        if "org_unit_name" in roles:
            said.append(
                f"'{roles['org_unit']}' is the place (its ID), shown by its name "
                f"'{roles['org_unit_name']}'"
            )
        else:
            said.append(f"'{roles['org_unit']}' is the place")
        n = len(data_cols)
        if by_row_element:
            said.append(f"'{roles['data_element']}' is the data item")
            said.append(
                f"{n} column(s) are its categories ({name_list(data_cols)}), one per column, "
                "kept as the category option combo"
            )
        else:
            said.append(f"{n} column(s) are data items, one per column ({name_list(data_cols)})")
        if levels:
            said.append(
                f"{name_list(levels)} are the levels of the hierarchy above the place, kept "
                "for roll-ups"
            )
        unused = [c for c in meta if c not in roles.values() and c not in levels]
        if unused:
            said.append(f"{name_list(unused)} describe the period or place and are not needed")
        long.understood = [
            "This is a DHIS2 pivot table with metadata columns.",
            "; ".join(said) + ".",
        ]
        long.notes.append(
            f"{n} data column(s) were turned into rows: {len(frame):,} rows x {n} columns "
            f"= {len(frame) * n:,} values."
        )
        return long


def order_levels(columns: Iterable[object]) -> list:
    return sorted((c for c in columns if is_level(c)), key=lambda c: int(level_name(c)[12:]))
