"""What a layout is: a detector and a reshaper to long data."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from phcpm.io._common import Table

__all__ = ["Layout", "Long"]


@dataclass
class Long:
    """A table reshaped to one row per value, before the checks.

    ``frame`` has the role columns (``org_unit``, ``period``, ``data_element``,
    ``value``, and any of ``org_unit_name``, ``category_option_combo``,
    ``attribute_option_combo``, ``orgunitlevelN`` and kept columns); its index
    is the row number in the user's file. ``source`` says, per role, which
    column the cells came from: one name, or one name per row (wide tables).
    ``n_read`` is the number of rows of the file; ``wide`` says whether each
    row held several values. ``understood`` says in plain words how each
    column was understood.
    """

    frame: pd.DataFrame
    source: dict[str, object]
    n_read: int
    wide: bool = False
    period_col_name: str | None = None
    notes: list[str] = field(default_factory=list)
    understood: list[str] = field(default_factory=list)
    #: Rows to drop before the checks, with the reason (e.g. deleted values).
    removed: pd.Series | None = None


class Layout:
    """One way a table can be laid out. Subclasses set ``name`` and implement
    :meth:`detect`, :meth:`mapping` and :meth:`reshape`."""

    #: The :attr:`Table.format` of tables in this layout.
    name: str = ""
    #: Plain words for the layout, used in notes and lessons.
    label: str = ""
    #: Whether the layout maps itself (a DHIS2 layout: no question to the user).
    self_mapping: bool = False

    def detect(self, frame: pd.DataFrame) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def mapping(self, table: Table) -> dict[str, str]:
        """The ``{column: role}`` mapping this layout uses (for a tool to show)."""
        return {}

    def reshape(self, table: Table, mapping: dict[str, str] | None, keep: list) -> Long:
        raise NotImplementedError  # pragma: no cover - interface
