"""The one exception type that reaches a user.

Every function that reads or checks a user's data raises :class:`InputError`
(and nothing else) when the data cannot be used. Its message is written for a
PHC manager: what is wrong, where it is, and what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["SHOWN_COLUMNS", "InputError", "require_columns"]

#: How many of a table's columns a message lists (wide downloads have hundreds).
SHOWN_COLUMNS = 20


class InputError(ValueError):
    """A file or value that cannot be used, explained in plain words.

    Parameters
    ----------
    what:
        What is wrong, in plain words ("The column 'value' has text in it").
    where:
        Where it is: file, sheet, row, column ("sheet 'Data', row 14").
    todo:
        What the user can do about it ("Remove the text or leave the cell empty").

    ``str(error)`` joins the three into one readable message.
    """

    def __init__(self, what: str, where: str | None = None, todo: str | None = None) -> None:
        self.what = what
        self.where = where
        self.todo = todo
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [self.what.rstrip(".") + "."]
        if self.where:
            parts.append(f"Where: {self.where.rstrip('.')}.")
        if self.todo:
            parts.append(f"What to do: {self.todo.rstrip('.')}.")
        return " ".join(parts)

    def __str__(self) -> str:
        return self.message


def require_columns(
    frame: object, columns: Iterable[object], what: str, todo: str | None = None
) -> None:
    """Raise :class:`InputError` when ``frame`` is not a table or lacks some ``columns``.

    This is the one column check of the package. ``what`` names the table in the
    user's words ("the table of PDSA cycles"); ``todo`` says what to do (by
    default: use a table with those columns). The message names the missing
    columns and lists the columns the table has.

    >>> table = pd.DataFrame({"month": [1]})
    >>> require_columns(table, ["month"], "the visits")
    >>> try:
    ...     require_columns(table, ["month", "visits"], "the visits")
    ... except InputError as error:
    ...     print(error)
    The visits lacks the column(s) visits. Where: the visits (its columns are: month).
    What to do: Use a table with the columns month, visits.
    """
    columns = list(columns)
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"{what[:1].upper()}{what[1:]} is not a table",
            where=what,
            todo="Give a table of rows and columns (a pandas DataFrame)",
        )
    missing = [str(c) for c in columns if c not in frame.columns]
    if missing:
        names = [str(c) for c in frame.columns]
        have = ", ".join(names[:SHOWN_COLUMNS]) or "none"
        if len(names) > SHOWN_COLUMNS:
            have += f" and {len(names) - SHOWN_COLUMNS} more"
        raise InputError(
            f"{what[:1].upper()}{what[1:]} lacks the column(s) " + ", ".join(missing),
            where=f"{what} (its columns are: {have})",
            todo=todo or "Use a table with the columns " + ", ".join(map(str, columns)),
        )
