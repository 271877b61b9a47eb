"""Reading Excel workbooks: .xlsx (openpyxl) and the older .xls that many DHIS2
versions still download (xlrd, which reads .xls only).

Title rows above the table and merged heading cells are handled; of several
sheets, the first one whose table has a recognised layout is used (a "checks"
or "notes" sheet before the data is passed over), else the first sheet that
holds a table; the user can name another sheet.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pandas as pd

from phcpm.errors import InputError
from phcpm.io._common import FIX_FILE, drop_empty, name_list, tidy_headers
from phcpm.io._text import _find_header, _nonempty, two_heading_rows

__all__ = ["read_workbook"]


def _sheets_xlsx(data: bytes):
    """``[(name, visible, grid, merged ranges)]`` of an .xlsx workbook."""
    import openpyxl  # local: only needed for Excel files
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise InputError(
            f"The file looks like an Excel workbook but is damaged ({err.__class__.__name__})",
            todo=FIX_FILE,
        ) from None
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise InputError(
            "This file is a zip archive, not an Excel workbook",
            todo="Unzip it and choose the CSV or Excel file inside",
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise InputError("The Excel workbook could not be opened", todo=FIX_FILE) from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on damaged files
        raise InputError("The Excel workbook is damaged", todo=FIX_FILE) from None
    out = []
    for ws in book.worksheets:
        grid = [list(row) for row in ws.iter_rows(values_only=True)]
        merged = [
            (r.min_row - 1, r.max_row, r.min_col - 1, r.max_col) for r in ws.merged_cells.ranges
        ]
        out.append((ws.title, getattr(ws, "sheet_state", "visible") == "visible", grid, merged))
    return out


def _sheets_xls(data: bytes):
    """``[(name, visible, grid, merged ranges)]`` of an old .xls workbook."""
    import xlrd  # local: only needed for .xls files

    try:
        book = xlrd.open_workbook(
            file_contents=data,
            formatting_info=True,  # needed for merged cells
            on_demand=False,
            logfile=io.StringIO(),  # xlrd's warnings about damaged files stay out of the page
            verbosity=0,
        )
    except xlrd.XLRDError as err:
        if "workbook" in str(err).lower() or "ole2" in str(err).lower():
            raise InputError(
                "This is an Office document, but not an Excel workbook",
                todo="Open it in its program and save the table as CSV or Excel workbook (.xlsx)",
            ) from None
        raise InputError("The old-style Excel file (.xls) is damaged", todo=FIX_FILE) from None
    except (
        xlrd.compdoc.CompDocError,
        struct.error,
        IndexError,
        ValueError,
        AssertionError,
        KeyError,
        UnicodeDecodeError,
        OverflowError,
        EOFError,
    ):
        raise InputError("The old-style Excel file (.xls) is damaged", todo=FIX_FILE) from None
    out = []
    for i in range(book.nsheets):
        sh = book.sheet_by_index(i)
        grid = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                elif cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    row.append(None)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(bool(cell.value))
                else:
                    row.append(cell.value)
            grid.append(row)
        merged = [(r0, r1, c0, c1) for r0, r1, c0, c1 in getattr(sh, "merged_cells", [])]
        out.append((sh.name, sh.visibility == 0, grid, merged))
    return out


def _fill(grid: list[list], merged) -> list[list]:
    if not grid:
        return []
    width = max(len(r) for r in grid)
    grid = [list(r) + [None] * (width - len(r)) for r in grid]
    for r0, r1, c0, c1 in merged:
        top = grid[r0][c0] if r0 < len(grid) and c0 < width else None
        for r in range(r0, min(r1, len(grid))):
            for c in range(c0, min(c1, width)):
                grid[r][c] = top
    # Titles merged across the sheet become a row full of the same text: keep it once.
    for r, row in enumerate(grid):
        filled = [v for v in row if v is not None]
        if len(filled) > 1 and len({str(v) for v in filled}) == 1 and isinstance(filled[0], str):
            grid[r] = [filled[0]] + [None] * (width - 1)
    while grid and _nonempty(grid[-1]) == 0:
        grid.pop()
    return grid


def _frame(grid: list[list], header_idx: int) -> pd.DataFrame:
    header = tidy_headers(grid[header_idx])
    body = grid[header_idx + 1 :]
    frame = pd.DataFrame(body, columns=header[: len(grid[header_idx])], dtype=object)
    frame.index = pd.RangeIndex(header_idx + 2, header_idx + 2 + len(frame))
    return frame


def read_workbook(
    data: bytes, sheet: str | None, notes: list[str], old: bool = False
) -> tuple[pd.DataFrame, int, str, list[str]]:
    """``(frame, header row, sheet used, sheet names)`` of a workbook."""
    from phcpm.io.layouts import detect  # local: layouts import the readers' helpers

    sheets = _sheets_xls(data) if old else _sheets_xlsx(data)
    names = [s[0] for s in sheets]
    if sheet is not None and sheet not in names:
        raise InputError(
            f"The workbook has no sheet called '{sheet}'",
            where="sheets: " + name_list(names),
            todo="Choose one of these sheets",
        )
    tables = []
    for name, visible, grid, merged in sheets:
        if sheet is not None and name != sheet:
            continue
        if sheet is None and not visible:
            continue
        grid = _fill(grid, merged)
        if not grid:
            continue
        header_idx = _find_header(grid)
        if header_idx is None or (sheet is None and _nonempty(grid[header_idx]) < 2):
            continue
        if two_heading_rows(grid, header_idx):
            header_idx += 1
        frame = _frame(grid, header_idx)
        tables.append((name, header_idx, frame, len(merged)))
        if sheet is not None:
            break
    if not tables:
        if sheet is not None:
            raise InputError(
                f"Sheet '{sheet}' holds no table",
                where=f"sheet '{sheet}'",
                todo="Put column headings in one row with the data below them",
            )
        raise InputError(
            "No sheet of the workbook holds a table",
            where="sheets: " + name_list(names),
            todo="Put column headings in one row with the data below them",
        )
    chosen = tables[0]
    if sheet is None and len(tables) > 1:
        with_data = [t for t in tables if detect(drop_empty(t[2])) is not None]
        if with_data:
            chosen = with_data[0]
            if with_data[0] is not tables[0]:
                notes.append(
                    f"Sheet '{tables[0][0]}' comes first but holds no data table we recognise; "
                    f"sheet '{chosen[0]}' was used."
                )
    name, header_idx, frame, n_merged = chosen
    if sheet is None and len(names) > 1:
        others = [s for s in names if s != name]
        notes.append(
            f"The workbook has {len(names)} sheets; the table on sheet '{name}' was used. "
            "Other sheets: " + name_list(others) + "."
        )
    if n_merged:
        notes.append(
            f"Sheet '{name}' has {n_merged} merged cell range(s); each merged cell's "
            "value was copied into every cell it covers."
        )
    if header_idx:
        notes.append(f"The column headings were found on row {header_idx + 1} of sheet '{name}'.")
    return frame, header_idx + 1, name, names
