"""What every part of the reader shares: the result types, the question the
reader asks when a file cannot say which column is which, and small helpers
for names and cells."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.periods import factorize_column

__all__ = [
    "FIX_FILE",
    "KEEP_TODO",
    "MAX_NAMES",
    "REQUIRED_ROLES",
    "ROLE_WORDS",
    "ROLES",
    "blank_cells",
    "cell_text",
    "clean_id",
    "Codes",
    "columns_found",
    "drop_empty",
    "name_list",
    "NeedsMapping",
    "norm",
    "Table",
    "tidy_headers",
    "TidyResult",
]

#: The roles a column can play in tidy data.
ROLES = ("org_unit", "period", "data_element", "value")
REQUIRED_ROLES = ("org_unit", "period", "value")
#: What each role is called in messages.
ROLE_WORDS = {
    "org_unit": "place (org unit)",
    "org_unit_name": "name of the place",
    "period": "period",
    "data_element": "data element (what is counted)",
    "value": "value (the number)",
    "category_option_combo": "category option combo (disaggregation)",
    "attribute_option_combo": "attribute option combo",
    "year": "year",
    "month": "month",
}

#: What to do when a column named in ``keep`` is not in the table.
KEEP_TODO = "Keep only columns the table has, or leave out the ones it lacks"
FIX_FILE = "Save the file again from Excel or DHIS2 as CSV (UTF-8) or Excel workbook (.xlsx)"

#: Most column names a message lists before saying how many more there are.
MAX_NAMES = 10


@dataclass
class Table:
    """A table as read from a file, before tidying.

    ``data`` holds every cell as read (text, or numbers and dates from Excel);
    its index is the row number the user sees in the file or sheet (the header
    is row ``header_row``; the first data row is usually ``header_row + 1``).
    For a DHIS2 data value set in a text file, ``data`` holds only the columns
    that carry the figures (data element, period, org unit, category and
    attribute option combos, value, comment, deleted), as categorical columns
    of text: each distinct text is stored once, which keeps big exports fast
    and small. ``format`` names the layout found (see :mod:`phcpm.io.layouts`);
    ``csv``, ``xlsx`` or ``frame`` when no layout was recognised.
    """

    data: pd.DataFrame
    format: str
    notes: list[str] = field(default_factory=list)
    source_name: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    container: str = "csv"
    header_row: int = 1
    delimiter: str | None = None
    decimal_comma: bool | None = None


@dataclass
class TidyResult:
    """Result of :func:`phcpm.io.tidy`: the long table, the problems found and a summary.

    ``understood`` says in plain words how each column of the file was
    understood; it is also the first note.
    """

    data: pd.DataFrame
    report: pd.DataFrame
    summary: str
    notes: list[str] = field(default_factory=list)
    understood: list[str] = field(default_factory=list)


class NeedsMapping(InputError):
    """The file cannot say which column is which: the user must choose.

    Raised by :func:`phcpm.io.tidy` when no assignment of roles to columns
    passes the content checks, or when two pass equally well. Attributes:

    ``candidates``
        the assignments that were possible, each ``{column: role}`` (empty
        when none passed); a tool shows them for the user to choose or correct.
    ``columns``
        the columns of the table.
    ``missing``
        the roles no column could be found for.
    """

    def __init__(
        self,
        what: str,
        candidates: list[dict[str, str]] | None = None,
        columns: list[str] | None = None,
        missing: list[str] | None = None,
        where: str | None = None,
        todo: str | None = None,
    ) -> None:
        self.candidates = list(candidates or [])
        self.columns = list(columns or [])
        self.missing = list(missing or [])
        super().__init__(
            what,
            where=where,
            todo=todo or "Choose which column holds each of the place, the period and the value",
        )


def name_list(names: Iterable[object], limit: int = MAX_NAMES, quote: bool = True) -> str:
    """``'a', 'b', 'c'``; past ``limit`` names, ``... and 961 more``."""
    items = [f"'{n}'" if quote else str(n) for n in names]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" ... and {len(items) - limit:,} more"
    return ", ".join(items)


def columns_found(frame: pd.DataFrame) -> str:
    return "columns found: " + name_list([str(c) for c in frame.columns])


def norm(name: object) -> str:
    """Header name folded for comparison: lower case, no accents, no spaces or signs."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]", "", text)


def tidy_headers(names: list) -> list[str]:
    """Unique, non-empty column names (blank headers become 'Column 3', ...)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if isinstance(name, (_dt.date, _dt.datetime, pd.Timestamp)):
            text = pd.Timestamp(name).strftime("%b %Y")
        elif isinstance(name, float) and name.is_integer():
            text = str(int(name))
        else:
            text = "" if name is None or (isinstance(name, float) and np.isnan(name)) else str(name)
        text = " ".join(text.split())
        if not text or text.lower() == "nan":
            text = f"Column {i}"
        if text in seen:
            seen[text] += 1
            text = f"{text} ({seen[text]})"
        else:
            seen[text] = 1
        out.append(text)
    return out


def cell_text(value: object) -> str:
    """A cell as the user would see it: whole numbers without '.0', missing as ''."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        if np.isfinite(value):
            return np.format_float_positional(float(value), trim="-")
        return "" if np.isnan(value) else str(value)
    return str(value)


_QUOTES = "'\"\u2018\u2019\u201c\u201d"


def clean_id(value: object) -> str:
    """An identifier or name as text: surrounding spaces and quote marks removed
    (``" 'Ou1aBcDeFgH' "`` becomes ``Ou1aBcDeFgH``), an Excel ``="007"`` becomes
    ``007``."""
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    if text.startswith('="') and text.endswith('"') and len(text) >= 3:
        text = text[2:-1]
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


class Codes:
    """A column as distinct cleaned texts and one code per row (fast on big files)."""

    def __init__(self, values: pd.Series) -> None:
        codes, uniques = factorize_column(values, prune=False)
        text = pd.Index(uniques, dtype=object).map(clean_id)
        self.text = np.append(np.asarray(text, dtype=object), "")
        self.group = pd.factorize(self.text)[0]
        self.codes = np.where(codes < 0, len(self.text) - 1, codes) if (codes < 0).any() else codes

    @property
    def groups(self) -> np.ndarray:
        """A number per row shared by rows with the same text."""
        return self.group[self.codes]

    def take(self, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """The texts of the rows at positions ``rows``."""
        return pd.array(self.text, dtype="str").take(self.codes[rows])


_BLANKS = ("", "nan", "None", "<NA>", "NaT")


def blank_cells(values: pd.Series) -> np.ndarray:
    """True where a cell is empty (missing, or only spaces)."""
    if pd.api.types.is_float_dtype(values.dtype):
        return np.isnan(values.to_numpy(dtype=float, na_value=np.nan))
    if pd.api.types.is_integer_dtype(values.dtype) and not isinstance(
        values.dtype, pd.api.extensions.ExtensionDtype
    ):
        return np.zeros(len(values), dtype=bool)
    codes, uniques = factorize_column(values, prune=False)
    empty = np.array([str(v).strip() in _BLANKS for v in uniques] + [True])
    return empty[codes]


def drop_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop fully empty rows, and empty columns that have no heading."""
    if frame.empty and frame.shape[1] == 0:
        return frame
    blank = {c: blank_cells(frame[c]) for c in frame.columns}
    keep_cols = [c for c in frame.columns if not (str(c).startswith("Column ") and blank[c].all())]
    if not keep_cols:
        return frame.loc[[], []]
    empty_row = np.logical_and.reduce([blank[c] for c in keep_cols])
    if not empty_row.any() and len(keep_cols) == frame.shape[1]:
        return frame
    return frame.loc[~empty_row, keep_cols]
