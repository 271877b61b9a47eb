"""Bring your own data: read, tidy, check and export tables.

The entry points are pure functions (no display code):

* :func:`read_table` reads a CSV/text, JSON or Excel (.xlsx, .xls) file (path,
  bytes or binary file object), finds its layout and says what it found
  (:class:`Table`).
* :func:`tidy` turns it into one long table ``org_unit, period, data_element,
  value`` (plus ``org_unit_name``, ``category_option_combo``,
  ``attribute_option_combo`` and the hierarchy ``orgunitlevelN`` when the
  file has them), lists every problem row and says in plain words how each
  column was understood (:class:`TidyResult`). When the file cannot say which
  column is which it raises :class:`NeedsMapping` so that a tool can ask.
* :func:`guess_mapping` proposes which column is which (checked against the
  content); :func:`suggest_mapping` gives the mapping :func:`tidy` would use.
* :func:`table_from_frame` wraps a DataFrame already in memory as a table.
* :func:`total_over_disaggregations` adds values up over category and
  attribute option combos; :func:`check_pairs` finds numerators larger than
  their denominators.
* :func:`to_csv_bytes`, :func:`to_excel_bytes`, :func:`figure_bytes` export.

Every layout the reader knows is a module of :mod:`phcpm.io.layouts` (a
detector and a reshaper): DHIS2 data value sets (CSV with long, camelCase or
short headings, or none; JSON), DHIS2 analytics responses (JSON), the plain
data source download, pivot tables with metadata columns, periods as
columns, period and data item combined in one heading, separate year and
month columns, and ordinary long tables.

A file that cannot be used raises :class:`~phcpm.errors.InputError` with a
plain message. The user's file is only ever opened for reading, and nothing
is written to disk. Errors other than :class:`~phcpm.errors.InputError` are
bugs: they are not turned into messages here (the tools do that, and log
them), so that a test fails on them.

The DHIS2 formats follow the DHIS2 Developer Manual ("Data values";
"Analytics"), HISP Centre, University of Oslo.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.io import _mapping
from phcpm.io._bytes import _load_bytes
from phcpm.io._common import (
    FIX_FILE,
    KEEP_TODO,
    ROLES,
    NeedsMapping,
    Table,
    TidyResult,
    drop_empty,
    tidy_headers,
)
from phcpm.io._excel import read_workbook
from phcpm.io._json import looks_like_json, read_json
from phcpm.io._mapping import guess_mapping
from phcpm.io._text import _read_text
from phcpm.io._validate import check
from phcpm.io.export import (
    check_pairs,
    figure_bytes,
    to_csv_bytes,
    to_excel_bytes,
    total_over_disaggregations,
)
from phcpm.io.layouts import BY_NAME, LAYOUTS, detect
from phcpm.io.layouts.long import LongTable, by_columns, check_mapping
from phcpm.io.layouts.periods_columns import PeriodsAsColumns, period_header
from phcpm.io.layouts.year_month import YearAndMonth

__all__ = [
    "MAX_UPLOAD_BYTES",
    "LAYOUTS",
    "NeedsMapping",
    "ROLES",
    "Table",
    "TidyResult",
    "read_table",
    "table_from_frame",
    "tidy",
    "guess_mapping",
    "suggest_mapping",
    "total_over_disaggregations",
    "check_pairs",
    "to_csv_bytes",
    "to_excel_bytes",
    "figure_bytes",
]

#: Largest file :func:`read_table` accepts, in bytes (200 MB).
MAX_UPLOAD_BYTES = 200 * 1024 * 1024

_OLE = b"\xd0\xcf\x11\xe0"


def read_table(
    source: object,
    filename: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> Table:
    """Read a CSV/text, JSON or Excel file into a :class:`Table`, saying what was found.

    ``source`` is a path, the file's bytes, or a binary file object. The type is
    found from the bytes, not the name: an Excel file renamed ``.csv`` is read as
    Excel. ``filename`` is only used in messages. ``sheet`` picks an Excel sheet
    (default: the first sheet whose table has a recognised layout, else the
    first that holds a table). Files above ``max_bytes`` (default
    :data:`MAX_UPLOAD_BYTES`) are refused with a plain message, and so are
    files with headings but no data rows.

    A text file is decoded once: its encoding is checked over the whole file in
    pieces, only its start is decoded to find the delimiter and the heading row,
    and a DHIS2 data value set or pivot table is then parsed straight from the
    bytes (see :class:`Table`).

    Raises :class:`InputError` for any file that cannot be used.

    >>> table = read_table(b"Facility;Month;Item;Count\\nA1;Jan 2024;ANC1;12\\n", "visits.csv")
    >>> table.delimiter, list(table.data.columns)
    (';', ['Facility', 'Month', 'Item', 'Count'])
    """
    limit = MAX_UPLOAD_BYTES if max_bytes is None else int(max_bytes)
    data, name = _load_bytes(source, limit)
    name = filename or name
    where = f"file '{name}'" if name else None
    notes: list[str] = []
    if len(data) == 0:
        raise InputError(
            "The file is empty (0 bytes)", where=where, todo="Choose a file that holds data"
        )
    ext = Path(name).suffix.lower() if name else ""
    forced = None
    delimiter = None
    try:
        if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
            frame, header_row, used_sheet, sheets = read_workbook(data, sheet, notes)
            container = "xlsx"
            if ext in (".csv", ".txt", ".tsv"):
                notes.insert(0, f"The file is named '{name}' but is an Excel workbook.")
        elif data.startswith(_OLE):
            frame, header_row, used_sheet, sheets = read_workbook(data, sheet, notes, old=True)
            container = "xls"
            notes.insert(0, "This is an old-style Excel workbook (.xls).")
        else:
            stripped = data.lstrip()
            if stripped[:5].lower() == b"%pdf-":
                raise InputError("This is a PDF document, not a table", todo=FIX_FILE)
            if stripped.lstrip(b"\xef\xbb\xbf")[:1] == b"<":
                raise InputError("This is a web or data document, not a table", todo=FIX_FILE)
            if looks_like_json(data):
                frame, forced = read_json(data, notes)
                container, header_row = "json", 0
            else:
                frame, header_row, delimiter = _read_text(data, notes)
                container = "csv"
                if ext in (".xlsx", ".xlsm", ".xls"):
                    notes.insert(
                        0, f"The file is named '{name}' but holds plain text; read as CSV."
                    )
            used_sheet, sheets = None, []
            if sheet is not None:
                notes.append("This is a text file with no sheets; the sheet name was ignored.")
    except MemoryError:
        raise InputError(
            "The file is too big to read on this computer",
            todo="Export fewer months or places at a time",
        ) from None
    frame = drop_empty(frame)
    if frame.shape[1] == 0:
        raise InputError("The file has no columns", where=where, todo=FIX_FILE)
    if frame.empty:
        raise InputError(
            "The file has headings but no data rows",
            where=where,
            todo="Download the data again with at least one period and one place",
        )
    if frame.shape[1] == 1 and container == "csv":
        notes.append(
            "Only one column was found. If your file has several columns, save it again "
            "with commas, semicolons or tabs between them."
        )
    fmt = forced or _table_format(frame, container)
    layout = BY_NAME.get(fmt)
    if layout is not None and layout.name != "long":
        notes.append(f"Layout found: {layout.label}.")
    return Table(
        data=frame,
        format=fmt,
        notes=notes,
        source_name=name,
        sheet=used_sheet,
        sheets=sheets,
        container=container,
        header_row=header_row,
        delimiter=delimiter,
    )


def _table_format(frame: pd.DataFrame, container: str) -> str:
    layout = detect(frame)
    return layout.name if layout is not None else container


def table_from_frame(df: pd.DataFrame, source_name: str | None = None) -> Table:
    """A :class:`Table` made from a DataFrame already in memory (an example
    dataset, for instance), so it goes through :func:`tidy` like a file.

    The DataFrame is not changed. Its rows are numbered as they would be in a
    spreadsheet saved from it (headings on row 1, data from row 2), and its
    layout is recognised as for a file (``frame`` for a table of no known
    layout).
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError("This is not a table", todo="Give a table (a pandas DataFrame)")
    frame = df.copy()
    frame.columns = tidy_headers(list(frame.columns))
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    frame = drop_empty(frame)
    if frame.shape[1] == 0:
        raise InputError("The table has no columns", todo="Give a table with columns")
    if frame.empty:
        raise InputError("The table has headings but no data rows", todo="Give a table with data")
    return Table(
        data=frame,
        format=_table_format(frame, "frame"),
        notes=[],
        source_name=source_name,
        container="frame",
    )


def suggest_mapping(table: Table) -> dict[str, str]:
    """The ``{column_name: role}`` mapping :func:`tidy` uses when none is given.

    DHIS2 layouts map themselves (including the category and attribute option
    combos, and the org unit's ID and name); other tables get
    :func:`guess_mapping`'s guesses checked against the content; for tables
    with periods as columns only the org unit and data element columns are
    mapped, since every column headed by a period becomes a period. A tool
    can show this mapping for the user to correct. Raises
    :class:`NeedsMapping` when the file cannot say.
    """
    layout = BY_NAME.get(table.format)
    if layout is None:
        return _mapping.decide(table.data)
    return layout.mapping(table)


def _layout_for(table: Table, mapping: dict[str, str] | None):
    if mapping is None:
        return BY_NAME.get(table.format) or LongTable()
    roles = set(mapping.values())
    if {"year", "month"} & roles:
        return YearAndMonth()
    if "value" not in roles:
        layout = BY_NAME.get(table.format)
        if layout is not None and layout.name in _VALUES_IN_COLUMNS:
            return layout
        if any(period_header(c) is not None for c in table.data.columns):
            return PeriodsAsColumns()
    return None


#: Layouts whose values are in several columns: a mapping names only the other roles.
_VALUES_IN_COLUMNS = ("wide", "dhis2-period-item-headings", "dhis2-item-orgunit-headings")


def tidy(
    table: Table, mapping: dict[str, str] | None = None, keep: list[str] | None = None
) -> TidyResult:
    """Turn a :class:`Table` into one long, checked table.

    The result's ``data`` has columns ``org_unit`` (the org unit's ID when the
    file gives one, else its name), ``period`` (pandas Period), ``data_element``
    and ``value`` (float); plus ``org_unit_name`` when the file gives both an
    ID and a name, ``category_option_combo`` and ``attribute_option_combo``
    when the file has them (for a plain data source download with category
    columns, the category options of a row joined with ", "), the hierarchy
    columns ``orgunitlevel1``, ``orgunitlevel2`` ... (names of the ancestors)
    when the file has them, and any columns named in ``keep``. ``report``
    lists each problem: ``row`` (as numbered in the user's file, heading
    included), ``column``, ``value``, ``problem`` and ``action``. Rows that
    cannot be used are dropped and reported; the rest are kept.

    ``mapping`` is ``{column_name: role}`` with roles ``org_unit``, ``period``,
    ``data_element``, ``value`` (and ``org_unit_name``,
    ``category_option_combo``, ``attribute_option_combo``, or ``year`` and
    ``month`` for separate year and month columns). Without it, the table's
    layout decides; for an ordinary table the columns are guessed and the
    guesses checked against the content. :class:`NeedsMapping` is raised
    when the file cannot say which column is which; a plain
    :class:`InputError` when no row can be used (and why).

    The checks are described in :mod:`phcpm.io._validate`: rows that differ
    only in their category or attribute option combo are separate values,
    never repeats.

    >>> csv = (b"Facility;Month;Item;Count\\nA1;Jan 2024;ANC1;12\\n"
    ...        b"A1;Feb 2024;ANC1;1,5\\nA1;Mar 2024;ANC1;x\\n")
    >>> result = tidy(read_table(csv, "visits.csv"))
    >>> result.data
      org_unit   period data_element  value
    0       A1  2024-01         ANC1   12.0
    1       A1  2024-02         ANC1    1.5
    >>> result.report[["row", "column", "value", "problem"]]
       row column value                    problem
    0    4  Count     x  The value is not a number
    """
    if not isinstance(table, Table):
        raise InputError("tidy() needs a table read by read_table()", todo="Read the file first")
    keep = [keep] if isinstance(keep, str) else list(keep or [])
    require_columns(table.data, keep, "the table", todo=KEEP_TODO)
    given = dict(mapping) if mapping else None
    layout = _layout_for(table, given)
    if layout is None:
        roles = check_mapping(table.data, given)
        long = by_columns(table.data, roles, keep)
        long.understood = ["; ".join(_mapping.describe_mapping(given)) + " (as chosen)."]
    else:
        long = layout.reshape(table, given, keep)
    data, report, summary = check(
        long, table.decimal_comma, prefer_comma=table.delimiter == ";", keep=keep
    )
    understood = list(long.understood)
    notes = list(table.notes)
    if understood:
        notes.insert(0, "How the columns were understood: " + " ".join(understood))
    return TidyResult(
        data=data,
        report=report,
        summary=summary,
        notes=notes + long.notes,
        understood=understood,
    )
