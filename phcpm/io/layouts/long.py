"""Ordinary long tables: one row per value, with a column for the place, the
period, the value and (optionally) what is counted.

Which column is which is guessed from the headings and checked against the
content (:mod:`phcpm.io._mapping`); when the file cannot say, the user is asked.
"""

from __future__ import annotations

import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.io import _mapping
from phcpm.io._common import (
    KEEP_TODO,
    REQUIRED_ROLES,
    NeedsMapping,
    Table,
    columns_found,
    name_list,
)
from phcpm.io.layouts._base import Layout, Long

__all__ = ["by_columns", "check_mapping", "LongTable"]

_MISSING = {"org_unit": "org unit (place)", "period": "period", "value": "value"}


def by_columns(frame: pd.DataFrame, roles: dict[str, str], keep: list) -> Long:
    """A :class:`Long` from a table with one value per row: ``roles`` is
    ``{role: column}``; ``keep`` names further columns to keep."""
    missing = [r for r in REQUIRED_ROLES if r not in roles]
    if missing:
        raise NeedsMapping(
            "The table has no column for the " + ", ".join(_MISSING[m] for m in missing),
            columns=[str(c) for c in frame.columns],
            missing=missing,
            where=columns_found(frame),
        )
    long = pd.DataFrame({role: frame[col] for role, col in roles.items()}, index=frame.index)
    require_columns(frame, keep, "the table", todo=KEEP_TODO)
    for col in keep:
        long[col] = frame[col]
    source = {role: col for role, col in roles.items()}
    return Long(frame=long, source=source, n_read=len(frame))


def check_mapping(frame: pd.DataFrame, mapping: dict[str, str]) -> dict[str, str]:
    """``{role: column}`` from a ``{column: role}`` mapping given by the user."""
    require_columns(frame, list(mapping), "the table", todo="Choose the columns again")
    roles: dict[str, str] = {}
    for col, role in mapping.items():
        if role in roles:
            raise InputError(
                f"Two columns were given the same role ({role.replace('_', ' ')}): "
                f"'{roles[role]}' and '{col}'",
                todo="Give each role to one column only",
            )
        roles[role] = col
    return roles


class LongTable(Layout):
    name = "long"
    label = "a table with one row per value"

    def detect(self, frame: pd.DataFrame) -> bool:
        try:
            _mapping.decide(frame)
        except InputError:
            return False
        return True

    def mapping(self, table: Table) -> dict[str, str]:
        return _mapping.decide(table.data)

    def reshape(self, table: Table, mapping: dict[str, str] | None, keep: list) -> Long:
        frame = table.data
        guessed = mapping is None
        if guessed:
            mapping = _mapping.decide(frame)
        roles = check_mapping(frame, mapping)
        long = by_columns(frame, roles, keep)
        said = _mapping.describe_mapping(mapping)
        long.understood = [
            ("Columns were matched from their headings and contents: " if guessed else "")
            + "; ".join(said)
            + "."
        ]
        if guessed:
            long.notes.append(
                "Columns were matched automatically: "
                + ", ".join(f"'{c}' as {r.replace('_', ' ')}" for c, r in mapping.items())
                + "."
            )
        others = [c for c in frame.columns if c not in mapping and c not in keep]
        if others:
            long.understood.append(
                f"Not used: {name_list(others)} (not needed, or not recognised)."
            )
        return long
