"""Bring your own data: read, tidy, check and export tables.

The entry points are pure functions (no display code):

* :func:`read_table` reads a CSV/text or Excel file (path, bytes or binary file
  object) and says what it found (:class:`Table`).
* :func:`tidy` turns it into one long table ``org_unit, period, data_element,
  value`` and lists every problem row (:class:`TidyResult`).
* :func:`guess_mapping` proposes which column is which; :func:`suggest_mapping`
  gives the mapping :func:`tidy` would use for a table.
* :func:`table_from_frame` wraps a DataFrame already in memory as a table.
* :func:`check_pairs` finds numerators larger than their denominators.
* :func:`to_csv_bytes`, :func:`to_excel_bytes`, :func:`figure_bytes` export.

Any file that cannot be used raises :class:`~phcpm.errors.InputError` with a
plain message; no other exception escapes on bad input. The user's file is only
ever opened for reading, and nothing is written to disk.

The DHIS2 formats follow the DHIS2 Web API documentation ("Data values",
CSV data value set; "Analytics", pivot table downloads), HISP Centre,
University of Oslo. Excel's "Unicode text" export is UTF-16 LE with a BOM and
tab separators (Microsoft Excel documentation, "File formats that are supported
in Excel").
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.periods import (
    _factorize,
    _parse_codes,
    _period_values,
    _same_period_codes,
    parse_period,
)

__all__ = [
    "MAX_UPLOAD_BYTES",
    "Table",
    "TidyResult",
    "read_table",
    "table_from_frame",
    "tidy",
    "guess_mapping",
    "suggest_mapping",
    "check_pairs",
    "to_csv_bytes",
    "to_excel_bytes",
    "figure_bytes",
]

#: Largest file :func:`read_table` accepts, in bytes (200 MB).
MAX_UPLOAD_BYTES = 200 * 1024 * 1024

ROLES = ("org_unit", "period", "data_element", "value")
REQUIRED_ROLES = ("org_unit", "period", "value")

DVS_COLUMNS = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
]


def _headerless_names(width: int) -> list[str]:
    """Column names for a file without a heading row: a DHIS2 data value set's
    columns in their usual order, then "Column 11", "Column 12" ..."""
    return DVS_COLUMNS[:width] + [f"Column {i}" for i in range(len(DVS_COLUMNS) + 1, width + 1)]


_FIX_FILE = "Save the file again from Excel or DHIS2 as CSV (UTF-8) or Excel workbook (.xlsx)"


# --------------------------------------------------------------------------- results


@dataclass
class Table:
    """A table as read from a file, before tidying.

    ``data`` holds every cell as read (text, or numbers and dates from Excel);
    its index is the row number the user sees in the file or sheet (the header
    is row ``header_row``; the first data row is usually ``header_row + 1``).
    For a DHIS2 data value set in a text file, ``data`` holds only the columns
    that carry the figures (data element, period, org unit, category and
    attribute option combos, value, comment), as categorical columns of text:
    each distinct text is stored once, which keeps big exports fast and small.
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
    """Result of :func:`tidy`: the long table, the problems found and a summary."""

    data: pd.DataFrame
    report: pd.DataFrame
    summary: str
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def _norm(name) -> str:
    """Header name folded for comparison: lower case, no accents, no spaces or signs."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]", "", text)


def _load_bytes(source, max_bytes: int) -> tuple[bytes, str | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = None
    elif isinstance(source, (str, Path)):
        path = Path(source)
        name = path.name
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise _too_big(size, max_bytes)
            with open(path, "rb") as handle:  # read only: the user's file is never changed
                data = handle.read(max_bytes + 1)
        except InputError:
            raise
        except IsADirectoryError:
            raise InputError(f"'{name}' is a folder, not a file", todo="Choose a file") from None
        except FileNotFoundError:
            raise InputError(
                f"The file '{name}' was not found", todo="Check the name and folder"
            ) from None
        except OSError as err:
            raise InputError(
                f"The file '{name}' could not be opened ({err.strerror or 'read error'})",
                todo="Close the file in other programs and try again",
            ) from None
    elif hasattr(source, "read"):
        name = getattr(source, "name", None)
        name = Path(name).name if isinstance(name, str) else None
        try:
            data = source.read(max_bytes + 1)
        except Exception as err:  # noqa: BLE001 - any reading failure becomes a plain message
            raise InputError(
                f"The file could not be read ({type(err).__name__})", todo="Try again"
            ) from None
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray)):
            raise InputError("The file could not be read", todo="Try again")
        data = bytes(data)
    else:
        raise InputError(
            "This is not a file we can read", todo="Give a file name, or the file's contents"
        )
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    return data, name


def _too_big(size: int, max_bytes: int) -> InputError:
    return InputError(
        f"The file is too big ({size / 1e6:,.0f} MB; the limit is {max_bytes / 1e6:,.0f} MB)",
        todo="Export fewer months, districts or data elements at a time",
    )


#: Bytes decoded to look at the start of a text file (delimiter, header, binary check).
#: At least 200,000 characters in any encoding (UTF-8 uses at most 4 bytes a character).
_HEAD_BYTES = 1024 * 1024
_HEAD_CHARS = 200_000


def _encoding(data: bytes, ascii_only: bool) -> tuple[str, str]:
    """``(codec, plain label)`` of a text file, checked over the whole file.

    A byte-order mark decides first; then the pattern of zero bytes (UTF-16
    without a mark); then UTF-8 if every byte sequence is valid UTF-8, else
    Windows cp1252, else Latin-1 (which accepts any bytes). The whole file is
    checked in pieces, without keeping the decoded text.
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding, label = "utf-8-sig", "UTF-8 (with byte-order mark)"
    elif data.startswith(codecs.BOM_UTF16_LE):
        encoding, label = "utf-16", "UTF-16 (Excel 'Unicode text')"
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, label = "utf-16", "UTF-16 big-endian"
    else:
        head = data[:4000]
        zeros_even = head[0::2].count(0)
        zeros_odd = head[1::2].count(0)
        half = max(len(head) // 2, 1)
        if zeros_odd > 0.4 * half and zeros_even < 0.05 * half:
            encoding, label = "utf-16-le", "UTF-16 (no byte-order mark)"
        elif zeros_even > 0.4 * half and zeros_odd < 0.05 * half:
            encoding, label = "utf-16-be", "UTF-16 big-endian (no byte-order mark)"
        else:
            encoding, label = "utf-8", "UTF-8"
    if (encoding == "utf-8" and ascii_only) or _decodes(data, encoding):
        return encoding, label
    if encoding.startswith("utf-16"):
        raise InputError("The file's text encoding is damaged", todo=_FIX_FILE)
    if _decodes(data, "cp1252"):
        return "cp1252", "Windows Western (cp1252)"
    return "latin-1", "Latin-1"


def _decodes(data: bytes, encoding: str) -> bool:
    """True if the whole of ``data`` is valid text in ``encoding``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    step = 1 << 22
    try:
        for start in range(0, max(len(data), 1), step):
            decoder.decode(view[start : start + step], final=start + step >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _head_text(data: bytes, encoding: str) -> str:
    """The first :data:`_HEAD_CHARS` characters (or all) of the text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    final = len(data) <= _HEAD_BYTES
    return decoder.decode(data[:_HEAD_BYTES], final=final)[:_HEAD_CHARS]


def _sniff_text(data: bytes) -> tuple[str, str, list[str]]:
    """``(codec, first characters, notes)`` of a text file; InputError for binary content.

    Only the start of the file is decoded here; the whole file is decoded once,
    by the reader.
    """
    notes: list[str] = []
    ascii_only = data.isascii()
    encoding, label = _encoding(data, ascii_only)
    if encoding != "utf-8" or not ascii_only:
        notes.append(f"The text is encoded as {label}.")
    head = _head_text(data, encoding)
    sample = head[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    if "\x00" in sample or bad > max(2, 0.01 * len(sample)):
        raise InputError(
            "This file is not a table: it holds binary data, not text or an Excel sheet",
            todo=_FIX_FILE,
        )
    return encoding, head, notes


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter (, ; tab |) that splits the first lines most consistently."""
    best, best_score = ",", (-1, 0)
    sample = "\n".join(lines)
    for delim in [",", ";", "\t", "|"]:
        counts = []
        for row in csv.reader(io.StringIO(sample), delimiter=delim):
            if any(cell.strip() for cell in row):
                counts.append(len(row))
        if not counts:
            continue
        modal = max(set(counts), key=counts.count)
        if modal < 2:
            continue
        score = (counts.count(modal), modal)
        if score > best_score:
            best, best_score = delim, score
    return best


def _is_texty(value) -> bool:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    if isinstance(value, (int, float, np.number, _dt.date, _dt.datetime)):
        return False
    text = str(value).strip()
    if not text:
        return False
    return _to_number(text) is None


def _to_number(text: str):
    try:
        return float(text.replace(",", "").replace(" ", ""))
    except ValueError:
        return None


def _nonempty(row) -> int:
    return sum(1 for v in row if v is not None and str(v).strip() not in ("", "nan", "None"))


def _find_header(grid: list[list]) -> int | None:
    """Index of the header row in the first rows of a grid, or None if no table.

    The header is the first row that is as wide as the table (at least 60% of the
    widest of the first 30 rows, and at least two cells) and whose cells are
    mostly words rather than numbers. Title rows above it are narrower.
    """
    top = grid[:30]
    widths = [_nonempty(r) for r in top]
    if not widths or max(widths) < 1:
        return None
    widest = max(widths)
    for i, row in enumerate(top):
        filled = widths[i]
        if filled < max(2, 0.6 * widest) and not (widest == 1 and filled == 1):
            continue
        texty = sum(1 for v in row if _is_texty(v))
        if texty >= 0.5 * filled:
            return i
    return None


def _looks_like_dvs_row(row: list) -> bool:
    """A header-less DHIS2 data value set row: id, period, id, coc, aoc, value, ..."""
    if not 4 <= len(row) <= 10:
        return False
    cells = [("" if v is None else str(v)).strip() for v in row]
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{10}", cells[0] or "-"):
        return False
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{10}", cells[2] or "-"):
        return False
    try:
        parse_period(cells[1])
    except InputError:
        return False
    return True


def _tidy_headers(names: list) -> list[str]:
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


# --------------------------------------------------------------------------- readers


def _read_text(data: bytes, notes: list[str]) -> tuple[pd.DataFrame, int, str]:
    """Parse a delimited text file. Returns (frame with file row numbers, header row, delim)."""
    encoding, head, enc_notes = _sniff_text(data)
    notes.extend(enc_notes)
    lines = head.splitlines()[:60]
    if not any(line.strip() for line in lines):
        raise InputError("The file is empty: it has no rows", todo="Choose a file that holds data")
    delim = _sniff_delimiter(lines)
    names = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
    notes.append(f"Columns are separated by {names[delim]}.")
    head_grid = [row for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)] or [[]]
    # csv.reader drops nothing, so grid row i is file line/record i + 1.
    headerless = _looks_like_dvs_row(head_grid[0]) if head_grid else False
    header_idx = None if headerless else _find_header(head_grid)
    if header_idx is None and not headerless:
        if len(head_grid) >= 1 and _nonempty(head_grid[0]) >= 2:
            header_idx = 0
        else:
            raise InputError(
                "No table was found in the file: no row looks like column headings",
                todo="Put the column headings in one row above the data",
            )
    skip = 0 if headerless else header_idx
    header = None if headerless else _tidy_headers(head_grid[header_idx])
    if headerless or {"dataelement", "period", "orgunit", "value"} <= {_norm(c) for c in header}:
        fast = _read_dvs(data, encoding, delim, skip, header, len(head_grid[0]), notes)
        if fast is not None:
            return fast, (0 if headerless else skip + 1), delim
    text = data.decode(encoding)
    try:
        frame = pd.read_csv(
            io.StringIO(text) if len(text) < 50_000_000 else io.BytesIO(data),
            sep=delim,
            header=None,
            skiprows=skip,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            skip_blank_lines=False,
            encoding=None if len(text) < 50_000_000 else encoding,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError, IndexError):
        frame = _read_text_slow(text, delim, skip, notes)
    except pd.errors.EmptyDataError:
        raise InputError("The file is empty: it has no rows", todo=_FIX_FILE) from None
    frame.index = pd.RangeIndex(skip + 1, skip + 1 + len(frame))
    if headerless:
        frame.columns = _headerless_names(frame.shape[1])
        notes.append(
            "The file has no heading row; its columns were read in the order of a DHIS2 "
            "data value set (data element, period, org unit, category option combo, ...)."
        )
        header_row = 0
    else:
        frame.columns = _tidy_headers(list(frame.iloc[0]))
        frame = frame.iloc[1:]
        header_row = skip + 1
        if header_idx:
            notes.append(f"The column headings were found on row {header_row}.")
    return frame, header_row, delim


#: Columns of a DHIS2 data value set that are read (folded names); the others
#: (storedby, lastupdated, created, followup) record who typed a value and when.
_DVS_READ = set(DVS_COLUMNS) - {"storedby", "lastupdated", "followup"}


def _read_dvs(
    data: bytes,
    encoding: str,
    delim: str,
    skip: int,
    header: list[str] | None,
    width: int,
    notes: list[str],
) -> pd.DataFrame | None:
    """Fast reading of a DHIS2 data value set (None if the file needs the careful reader).

    Only the data columns are read, straight from the bytes, each as categories
    (every distinct text stored once, each row a small code). ``header`` is the
    tidied heading row, or None for a file without headings (columns in DHIS2
    order). The period and value columns are read as text and coded here, so
    they stay exactly as typed ("0202401" is not a period, "1.234" in a
    semicolon file may be a thousands separator); identifier columns that
    pandas turned into numbers are read again as text, so codes such as "007"
    keep their leading zeros.
    """
    if header is None:
        names = _headerless_names(width)
    else:
        names = header
    use = [i for i, name in enumerate(names) if _norm(name) in _DVS_READ]
    as_text = {i for i in use if _norm(names[i]) in ("period", "value")}
    options = dict(
        sep=delim,
        header=None if header is None else 0,
        skiprows=skip,
        keep_default_na=False,
        na_values=[],
        skip_blank_lines=False,
        encoding=encoding,
        engine="c",
        index_col=False,
    )
    dtypes = {i: (str if i in as_text else "category") for i in use}
    try:
        frame = pd.read_csv(io.BytesIO(data), usecols=use, dtype=dtypes, **options)
        if frame.shape[1] != len(use):
            return None
        frame.columns = [names[i] for i in use]
        for pos, name in zip(use, list(frame.columns), strict=True):
            column = frame[name]
            if pos in as_text:
                if isinstance(column.dtype, pd.CategoricalDtype):
                    return None  # the text types were not applied: use the careful reader
                codes, uniques = pd.factorize(column, use_na_sentinel=True)
                frame[name] = pd.Categorical.from_codes(
                    codes, categories=pd.Index(uniques, dtype=object), validate=False
                )
                continue
            cats = column.cat.categories
            if pd.api.types.is_string_dtype(cats.dtype) or len(cats) == 0:
                continue
            again = pd.read_csv(io.BytesIO(data), usecols=[pos], dtype=str, **options)
            frame[name] = again.iloc[:, 0].to_numpy()
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError, IndexError):
        return None
    start = 1 if header is None else skip + 2
    frame.index = pd.RangeIndex(start, start + len(frame))
    if header is None:
        notes.append(
            "The file has no heading row; its columns were read in the order of a DHIS2 "
            "data value set (data element, period, org unit, category option combo, ...)."
        )
    elif skip:
        notes.append(f"The column headings were found on row {skip + 1}.")
    left_out = [names[i] for i in range(len(names)) if i not in use]
    if left_out:
        notes.append(
            "This is a DHIS2 data value set; columns that do not hold the figures were not "
            "read: " + ", ".join(f"'{c}'" for c in left_out) + "."
        )
    return frame


def _read_text_slow(text: str, delim: str, skip: int, notes: list[str]) -> pd.DataFrame:
    """Row-by-row reading for ragged files (rows with more cells than the header)."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))[skip:]
    if not rows:
        raise InputError("The file is empty: it has no rows", todo=_FIX_FILE)
    width = max(len(r) for r in rows)
    header_width = len(rows[0])
    longer = sum(1 for r in rows[1:] if len([c for c in r[header_width:] if c.strip()]) > 0)
    if longer:
        notes.append(
            f"{longer} row(s) have more cells than there are headings; the extra cells "
            "were read into columns without a heading."
        )
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def _read_xlsx(data: bytes, sheet: str | None, notes: list[str]):
    import openpyxl  # local: only needed for Excel files
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise InputError(
            f"The file looks like an Excel workbook but is damaged ({err.__class__.__name__})",
            todo=_FIX_FILE,
        ) from None
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise InputError(
            "This file is a zip archive, not an Excel workbook",
            todo="Unzip it and choose the CSV or Excel file inside",
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise InputError("The Excel workbook could not be opened", todo=_FIX_FILE) from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on damaged files
        raise InputError("The Excel workbook is damaged", todo=_FIX_FILE) from None
    sheets = list(book.sheetnames)
    if sheet is not None and sheet not in sheets:
        raise InputError(
            f"The workbook has no sheet called '{sheet}'",
            where="sheets: " + ", ".join(f"'{s}'" for s in sheets),
            todo="Choose one of these sheets",
        )
    order = [sheet] if sheet is not None else sheets
    for name in order:
        ws = book[name]
        if getattr(ws, "sheet_state", "visible") != "visible" and sheet is None:
            continue
        grid = _sheet_grid(ws)
        if not grid:
            continue
        header_idx = _find_header(grid)
        if header_idx is None or (sheet is None and _nonempty(grid[header_idx]) < 2):
            continue
        if sheet is None and len(sheets) > 1:
            others = [s for s in sheets if s != name]
            notes.append(
                f"The workbook has {len(sheets)} sheets; the table on sheet '{name}' was used. "
                "Other sheets: " + ", ".join(f"'{s}'" for s in others) + "."
            )
        merged = list(ws.merged_cells.ranges)
        if merged:
            notes.append(
                f"Sheet '{name}' has {len(merged)} merged cell range(s); each merged cell's "
                "value was copied into every cell it covers."
            )
        header = _tidy_headers(grid[header_idx])
        body = grid[header_idx + 1 :]
        frame = pd.DataFrame(body, columns=header[: len(grid[header_idx])], dtype=object)
        frame.index = pd.RangeIndex(header_idx + 2, header_idx + 2 + len(frame))
        if header_idx:
            notes.append(
                f"The column headings were found on row {header_idx + 1} of sheet '{name}'."
            )
        return frame, header_idx + 1, name, sheets
    if sheet is not None:
        raise InputError(
            f"Sheet '{sheet}' holds no table",
            where=f"sheet '{sheet}'",
            todo="Put column headings in one row with the data below them",
        )
    raise InputError(
        "No sheet of the workbook holds a table",
        where="sheets: " + ", ".join(f"'{s}'" for s in sheets),
        todo="Put column headings in one row with the data below them",
    )


def _sheet_grid(ws) -> list[list]:
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    if not grid:
        return []
    width = max(len(r) for r in grid)
    grid = [r + [None] * (width - len(r)) for r in grid]
    for rng in ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for c in range(rng.min_col - 1, min(rng.max_col, width)):
                grid[r][c] = top
    # Titles merged across the sheet become a row full of the same text: keep it once.
    for r, row in enumerate(grid):
        filled = [v for v in row if v is not None]
        if len(filled) > 1 and len({str(v) for v in filled}) == 1 and isinstance(filled[0], str):
            grid[r] = [filled[0]] + [None] * (width - 1)
    while grid and _nonempty(grid[-1]) == 0:
        grid.pop()
    return grid


def _detect_format(frame: pd.DataFrame) -> str | None:
    cols = {_norm(c) for c in frame.columns}
    if {"dataelement", "period", "orgunit", "value"} <= cols:
        return "dhis2-datavalueset"
    org = {"organisationunit", "organizationunit", "orgunit"}
    if {"data", "period", "value"} <= cols and cols & org:
        return "dhis2-pivot"
    if sum(1 for c in frame.columns if _period_header(c) is not None) >= 2:
        return "wide"
    return None


def _period_header(name):
    try:
        text = str(name).strip()
        if not re.search(r"\d{2}", text):
            return None
        period = parse_period(text)
    except InputError:
        return None
    return period if period.freqstr != "Y-DEC" or len(text) == 4 else None


def read_table(
    source, filename: str | None = None, sheet: str | None = None, max_bytes: int | None = None
) -> Table:
    """Read a CSV/text or Excel file into a :class:`Table`, saying what was found.

    ``source`` is a path, the file's bytes, or a binary file object. The type is
    found from the bytes, not the name: an Excel file renamed ``.csv`` is read as
    Excel. ``filename`` is only used in messages. ``sheet`` picks an Excel sheet
    (default: the first sheet that holds a table). Files above ``max_bytes``
    (default :data:`MAX_UPLOAD_BYTES`) are refused with a plain message.

    A text file is decoded once: its encoding is checked over the whole file in
    pieces, only its start is decoded to find the delimiter and the heading row,
    and a DHIS2 data value set is then parsed straight from the bytes (see
    :class:`Table`).

    Raises :class:`InputError` for any file that cannot be used.
    """
    limit = MAX_UPLOAD_BYTES if max_bytes is None else int(max_bytes)
    data, name = _load_bytes(source, limit)
    name = filename or name
    notes: list[str] = []
    if len(data) == 0:
        raise InputError(
            "The file is empty (0 bytes)",
            where=f"file '{name}'" if name else None,
            todo="Choose a file that holds data",
        )
    ext = Path(name).suffix.lower() if name else ""
    try:
        if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
            frame, header_row, used_sheet, sheets = _read_xlsx(data, sheet, notes)
            container, delimiter = "xlsx", None
            if ext in (".csv", ".txt", ".tsv"):
                notes.insert(0, f"The file is named '{name}' but is an Excel workbook.")
        elif data.startswith(b"\xd0\xcf\x11\xe0"):
            raise InputError(
                "This is an old-style Excel file (.xls) or another Office document",
                todo="Open it in Excel and save it as Excel workbook (.xlsx) or CSV",
            )
        else:
            if data.lstrip()[:5].lower() in (b"%pdf-",) or data.lstrip()[:1] in (b"{", b"<"):
                kind = "PDF" if data.lstrip()[:5].lower() == b"%pdf-" else "web or data"
                raise InputError(f"This is a {kind} document, not a table", todo=_FIX_FILE)
            frame, header_row, delimiter = _read_text(data, notes)
            container, used_sheet, sheets = "csv", None, []
            if ext in (".xlsx", ".xlsm", ".xls"):
                notes.insert(0, f"The file is named '{name}' but holds plain text; read as CSV.")
            if sheet is not None:
                notes.append("This is a text file with no sheets; the sheet name was ignored.")
    except InputError:
        raise
    except MemoryError:
        raise InputError(
            "The file is too big to read on this computer",
            todo="Export fewer months or places at a time",
        ) from None
    except Exception as err:  # noqa: BLE001 - last guard: never let a library error reach users
        raise InputError(
            f"The file could not be read ({type(err).__name__})",
            where=f"file '{name}'" if name else None,
            todo=_FIX_FILE,
        ) from None
    frame = _drop_empty(frame)
    if frame.shape[1] == 0:
        raise InputError(
            "The file has no columns", where=f"file '{name}'" if name else None, todo=_FIX_FILE
        )
    if frame.shape[1] == 1 and container == "csv":
        notes.append(
            "Only one column was found. If your file has several columns, save it again "
            "with commas, semicolons or tabs between them."
        )
    fmt = _table_format(frame, container)
    if frame.empty:
        notes.append("The table has headings but no data rows.")
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
    fmt = _detect_format(frame)
    if fmt is None:
        roles = set(guess_mapping(frame).values())
        fmt = "long" if {"period", "value"} <= roles else container
    return fmt


def table_from_frame(df: pd.DataFrame, source_name: str | None = None) -> Table:
    """A :class:`Table` made from a DataFrame already in memory (an example
    dataset, for instance), so it goes through :func:`tidy` like a file.

    The DataFrame is not changed. Its rows are numbered as they would be in a
    spreadsheet saved from it (headings on row 1, data from row 2), and its
    shape is recognised as for a file (DHIS2 data value set or pivot, wide
    table, long table; ``csv`` for any other table).
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError("This is not a table", todo="Give a table (a pandas DataFrame)")
    frame = df.copy()
    frame.columns = _tidy_headers(list(frame.columns))
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    frame = _drop_empty(frame)
    if frame.shape[1] == 0:
        raise InputError("The table has no columns", todo="Give a table with columns")
    notes = ["The table has headings but no data rows."] if frame.empty else []
    return Table(
        data=frame,
        format=_table_format(frame, "csv"),
        notes=notes,
        source_name=source_name,
        container="frame",
    )


def _strip_codes(values: pd.Series) -> tuple[pd.api.extensions.ExtensionArray, np.ndarray]:
    """``(text, group)``: cells as stripped text (missing cells become ""), and a
    number per row shared by rows with the same stripped text. Each distinct
    cell is handled once (fast on big files)."""
    codes, uniques = _factorize(values, prune=False)
    text = pd.Index(uniques, dtype=object).map(lambda v: str(v).strip())
    text = np.append(np.asarray(text, dtype=object), "")
    group = pd.factorize(text)[0]
    codes = np.where(codes < 0, len(text) - 1, codes) if (codes < 0).any() else codes
    # Take from a small text array: no per-cell checks on big files.
    return pd.array(text, dtype="str").take(codes), group[codes]


def _blank_cells(values: pd.Series) -> np.ndarray:
    """True where a cell is empty (missing, or only spaces)."""
    codes, uniques = _factorize(values, prune=False)
    empty = np.array(
        [str(v).strip() in ("", "nan", "None", "<NA>", "NaT") for v in uniques] + [True]
    )
    return empty[codes]


def _drop_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop fully empty rows, and empty columns that have no heading."""
    if frame.empty and frame.shape[1] == 0:
        return frame
    blank = {c: _blank_cells(frame[c]) for c in frame.columns}
    keep_cols = [c for c in frame.columns if not (str(c).startswith("Column ") and blank[c].all())]
    if not keep_cols:
        return frame.loc[[], []]
    empty_row = np.logical_and.reduce([blank[c] for c in keep_cols])
    if not empty_row.any() and len(keep_cols) == frame.shape[1]:
        return frame
    return frame.loc[~empty_row, keep_cols]


# --------------------------------------------------------------------------- mapping

_HEADER_WORDS = {
    "org_unit": [
        "orgunit",
        "organisationunit",
        "organizationunit",
        "orgunitname",
        "facility",
        "healthfacility",
        "facilityname",
        "district",
        "site",
        "clinic",
        "healthcentre",
        "healthcenter",
        "ward",
        "unit",
        "etablissement",
        "formationsanitaire",
        "fosa",
        "structure",
        "centredesante",
        "unitedorganisation",
        "district sanitaire",
        "unidadeorganizacional",
        "unidadesanitaria",
        "us",
        "estabelecimento",
        "distrito",
        "orgunitid",
        "organisationunitid",
        "place",
        "location",
    ],
    "period": [
        "period",
        "periodid",
        "month",
        "date",
        "reportingperiod",
        "periode",
        "mois",
        "periodo",
        "mes",
        "week",
        "semaine",
        "semana",
        "quarter",
        "trimestre",
    ],
    "data_element": [
        "dataelement",
        "data",
        "dataelementname",
        "indicator",
        "dataid",
        "variable",
        "elementdedonnees",
        "indicateur",
        "elementodedados",
        "indicador",
        "service",
        "item",
    ],
    "value": [
        "value",
        "count",
        "number",
        "total",
        "valeur",
        "nombre",
        "valor",
        "numero",
        "quantidade",
        "quantite",
        "cases",
        "visits",
        "amount",
    ],
}


def guess_mapping(df: pd.DataFrame) -> dict[str, str]:
    """Guess which column plays which role: ``{column_name: role}``.

    Roles are ``org_unit``, ``period``, ``data_element`` and ``value``. Headers
    are matched in English, French and Portuguese; columns left over are judged
    by their content (mostly periods, mostly numbers, or names).
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    norm = {c: _norm(c) for c in df.columns}
    for role, words in _HEADER_WORDS.items():
        folded = [_norm(w) for w in words]
        for word in folded:
            hit = next((c for c in df.columns if norm[c] == word and c not in mapping), None)
            if hit is not None:
                mapping[hit] = role
                taken.add(role)
                break
    sample = df.head(200)
    for col in df.columns:
        if col in mapping:
            continue
        values = sample[col].dropna()
        values = values[values.astype(str).str.strip() != ""]
        if values.empty:
            continue
        if "period" not in taken:
            ok = 0
            for v in values.head(30):
                try:
                    parse_period(v)
                    ok += 1
                except InputError:
                    pass
            if ok >= 0.8 * min(len(values), 30) and _norm(col) not in ("value",):
                if not pd.api.types.is_float_dtype(values.infer_objects().dtype):
                    mapping[col] = "period"
                    taken.add("period")
                    continue
        numeric, _ = _numbers(values, None)
        if numeric.notna().mean() >= 0.8:
            if "value" not in taken:
                mapping[col] = "value"
                taken.add("value")
            continue
        for role in ("org_unit", "data_element"):
            if role not in taken:
                mapping[col] = role
                taken.add(role)
                break
    return mapping


# --------------------------------------------------------------------------- tidy

_DEC_COMMA = re.compile(
    r"^[-+]?(\d+,\d{1,2}|\d+,\d{4,}|\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,}|0,\d+)$"
)
_DEC_POINT = re.compile(
    r"^[-+]?(\d+\.\d{1,2}|\d+\.\d{4,}|\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,}|0\.\d+)$"
)
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_NUMBER_SHAPE = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _numbers(
    values: pd.Series, decimal_comma: bool | None, prefer_comma: bool = False
) -> tuple[pd.Series, bool]:
    """Turn text numbers into floats, handling thousands separators and decimal commas.

    Convention: a column uses a decimal comma when more of its values can only be
    read that way ("1,5", "1.234,5") than the other way ("1.5", "1,234.5"); on a
    tie the delimiter decides (``;`` files use decimal commas). Spaces and
    apostrophes between digits are thousands separators.
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float), bool(decimal_comma)
    codes, uniques = _factorize(values)
    objects = list(uniques)  # each distinct cell once
    is_num = np.array(
        [isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in objects],
        dtype=bool,
    )
    text = [_SPACES.sub("", str(v).strip()) for v in objects]
    if decimal_comma is None or decimal_comma == "auto":
        n_comma = sum(1 for t in text if _DEC_COMMA.match(t))
        n_point = sum(1 for t in text if _DEC_POINT.match(t))
        decimal_comma = n_comma > n_point or (n_comma == n_point and prefer_comma)
    if decimal_comma:
        cleaned = [t.replace(".", "").replace(",", ".") for t in text]
    else:
        cleaned = [t.replace(",", "") for t in text]
    shaped = pd.Series([c if _NUMBER_SHAPE.fullmatch(c) else None for c in cleaned], dtype=object)
    parsed = pd.to_numeric(shaped, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if is_num.any():
        direct = pd.to_numeric(pd.Series(objects, dtype=object), errors="coerce")
        parsed = np.where(is_num, direct.to_numpy(dtype=float, na_value=np.nan), parsed)
    arr = np.append(parsed, np.nan)
    return pd.Series(arr[codes], index=values.index), bool(decimal_comma)


def suggest_mapping(table: Table) -> dict[str, str]:
    """The ``{column_name: role}`` mapping :func:`tidy` uses when none is given.

    DHIS2 data value sets and pivot tables map themselves (including the
    category and attribute option combos); other tables get
    :func:`guess_mapping`'s guesses; for wide tables only the org unit and data
    element columns are mapped, since every column headed by a period becomes a
    period. A tool can show this mapping for the user to correct.
    """
    frame = table.data
    norm = {_norm(c): c for c in frame.columns}
    if table.format == "dhis2-datavalueset":
        mapping = {norm["dataelement"]: "data_element", norm["period"]: "period"}
        mapping[norm["orgunit"]] = "org_unit"
        mapping[norm["value"]] = "value"
        if "categoryoptioncombo" in norm:
            mapping[norm["categoryoptioncombo"]] = "category_option_combo"
        if "attributeoptioncombo" in norm:
            mapping[norm["attributeoptioncombo"]] = "attribute_option_combo"
        return mapping
    if table.format == "dhis2-pivot":
        org = next(k for k in ("organisationunit", "organizationunit", "orgunit") if k in norm)
        mapping = {norm["data"]: "data_element", norm[org]: "org_unit", norm["value"]: "value"}
        mapping[norm["periodid"] if "periodid" in norm else norm["period"]] = "period"
        return mapping
    mapping = guess_mapping(frame)
    if table.format == "wide":
        mapping = {c: r for c, r in mapping.items() if _period_header(c) is None}
        mapping = {c: r for c, r in mapping.items() if r in ("org_unit", "data_element")}
    return mapping


def _apply_roles(table: Table, mapping: dict[str, str] | None) -> tuple[pd.DataFrame, dict, list]:
    """Rename the table's columns to roles. Returns (frame, role->source column, notes)."""
    frame = table.data
    notes: list[str] = []
    if mapping is None:
        mapping = suggest_mapping(table)
        if table.format == "dhis2-pivot" and "periodid" in {_norm(c) for c in mapping}:
            notes.append("Periods were read from the 'Period ID' column (DHIS2 codes).")
        elif not table.format.startswith("dhis2-") and mapping:
            notes.append(
                "Columns were matched automatically: "
                + ", ".join(f"'{c}' as {r.replace('_', ' ')}" for c, r in mapping.items())
                + "."
            )
    unknown = [c for c in mapping if c not in frame.columns]
    if unknown:
        raise InputError(
            "The table has no column called " + ", ".join(f"'{c}'" for c in unknown),
            where="columns found: " + ", ".join(f"'{c}'" for c in frame.columns),
            todo="Choose the columns again",
        )
    roles = {}
    for col, role in mapping.items():
        if role in roles:
            raise InputError(
                f"Two columns were given the same role ({role.replace('_', ' ')}): "
                f"'{roles[role]}' and '{col}'",
                todo="Give each role to one column only",
            )
        roles[role] = col
    return frame, roles, notes


def tidy(table: Table, mapping: dict[str, str] | None = None, keep=None) -> TidyResult:
    """Turn a :class:`Table` into one long, checked table.

    The result's ``data`` has columns ``org_unit``, ``period`` (pandas Period),
    ``data_element``, ``value`` (float), plus ``category_option_combo`` for DHIS2
    data value sets and any columns named in ``keep``. ``report`` lists each
    problem: ``row`` (as numbered in the user's file, heading included),
    ``column``, ``value``, ``problem`` and ``action``. Rows that cannot be used
    are dropped and reported; the rest are kept.

    ``mapping`` is ``{column_name: role}`` with roles ``org_unit``, ``period``,
    ``data_element``, ``value``; for DHIS2 files it is not needed, otherwise
    :func:`guess_mapping` fills it. For wide tables (one column per month) only
    the org unit (and data element) columns are mapped; every column whose
    heading is a period becomes a period.

    Validation rules (our convention): non-numbers, empty values, negative
    values (counts cannot be below zero), unreadable periods and empty org units
    drop the row; a repeated key (org unit, period, data element and category
    option combo) keeps the first row and drops the later ones; values above one
    thousand million are kept but flagged.
    """
    if not isinstance(table, Table):
        raise InputError("tidy() needs a table read by read_table()", todo="Read the file first")
    keep = [keep] if isinstance(keep, str) else list(keep or [])
    frame, roles, notes = _apply_roles(table, dict(mapping) if mapping else None)
    problems: list[pd.DataFrame] = []

    # Where each role's cells came from, as the user names the column: one name,
    # or (wide tables) one name per row.
    source: dict[str, object] = {}
    if table.format == "wide" and "value" not in roles:
        long, wide_cols = _melt_wide(frame, roles, keep)
        notes.append(
            f"{len(wide_cols)} period columns were turned into rows "
            f"({wide_cols[0]} to {wide_cols[-1]})."
        )
        source["value"] = long.pop("_col_value").to_numpy()
        source["period"] = long.pop("_col_period").to_numpy()
        period_col_name = "(period heading)"
        n_read = len(frame)
    else:
        missing = [r for r in REQUIRED_ROLES if r not in roles]
        if missing:
            labels = {"org_unit": "org unit (place)", "period": "period", "value": "value"}
            raise InputError(
                "The table has no column for the " + ", ".join(labels[m] for m in missing),
                where="columns found: " + ", ".join(f"'{c}'" for c in frame.columns),
                todo="Choose which column holds each of org unit, period and value",
            )
        cols = {role: frame[col] for role, col in roles.items()}
        long = pd.DataFrame(cols, index=frame.index, copy=False)
        for col in keep:
            if col not in frame.columns:
                raise InputError(
                    f"The table has no column called '{col}' to keep",
                    where="columns found: " + ", ".join(f"'{c}'" for c in frame.columns),
                )
            long[col] = frame[col]
        source["value"] = roles["value"]
        source["period"] = roles["period"]
        period_col_name = None
        n_read = len(frame)  # one row per row of the file (row numbers are unique)
    if "data_element" not in long.columns:
        long["data_element"] = "value"
        notes.append("No data element column was given: all values are named 'value'.")
    n_cells = len(long)
    source["org_unit"] = roles.get("org_unit", "")
    source["data_element"] = roles.get("data_element", "")

    rows = np.asarray(long.index)
    long = long.reset_index(drop=True)
    dropped = np.zeros(len(long), dtype=bool)

    def drop(mask, key: str, problem, action: str = "row dropped") -> None:
        """Report rows in ``mask`` (not already dropped); drop them unless kept.

        ``problem`` is one text for all rows, or a function giving the texts for
        the positions of the reported rows (built only for those rows).
        """
        nonlocal dropped
        mask = np.asarray(mask, dtype=bool) & ~dropped
        where = np.flatnonzero(mask)
        if len(where):
            col = source.get(key, roles.get(key, key))
            problems.append(
                pd.DataFrame(
                    {
                        "row": rows[where],
                        "column": col[where] if isinstance(col, np.ndarray) else col,
                        "value": long[key].iloc[where].astype(object).to_numpy(),
                        "problem": problem if isinstance(problem, str) else problem(where),
                        "action": action,
                    }
                )
            )
        if action == "row dropped":
            dropped = dropped | mask

    # org unit
    drop(_blank_cells(long["org_unit"]), "org_unit", "The org unit (place) is empty")
    # period: each distinct text parsed once
    period_codes, parsed, reasons = _parse_codes(long["period"])
    bad_period = np.array([r is not None for r in reasons], dtype=bool)[period_codes]
    drop(bad_period, "period", lambda where: reasons[period_codes[where]])
    # value: each distinct text read once
    values, dec_comma = _numbers(
        long["value"], table.decimal_comma, prefer_comma=table.delimiter == ";"
    )
    number = values.to_numpy(dtype=float, na_value=np.nan)
    raw_blank = _blank_cells(long["value"])
    drop(raw_blank, "value", "The value is empty")
    missing_value = np.isnan(number)
    drop(missing_value & ~raw_blank, "value", "The value is not a number")
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(number)
        drop(~missing_value & ~finite, "value", "The value is too large to be a count")
        drop(number < 0, "value", "The value is below zero (counts cannot be negative)")
        drop(
            (number > 1e9) & finite,
            "value",
            "The value is very large (over one thousand million); please check it",
            action="value kept",
        )
    if dec_comma:
        notes.append("Numbers use a decimal comma (1,5 means one and a half).")
    elif any(re.search(r"\d,\d{3}", str(v)) for v in _factorize(long["value"])[1][:10000]):
        notes.append("Commas in numbers were read as thousands separators (1,234 = 1234).")

    org_text, org_group = _strip_codes(long["org_unit"])
    de_text, de_group = _strip_codes(long["data_element"])
    out = pd.DataFrame(
        {
            "org_unit": org_text,
            "period": _period_values(period_codes, parsed),
            "data_element": de_text,
            "value": number,
        },
        index=long.index,
        copy=False,
    )
    groups = [_same_period_codes(parsed)[period_codes], org_group, de_group]
    for extra in ("category_option_combo", "attribute_option_combo"):
        if extra in long.columns:
            text, group = _strip_codes(long[extra])
            out[extra] = text
            if extra == "category_option_combo":
                groups.append(group)
    for col in keep:
        out[col] = long[col].to_numpy()
    # Repeated keys (org unit, period, data element, category option combo) among
    # the rows still kept: keep the first, drop the later ones.
    key = _combine_codes(groups)
    alive = np.flatnonzero(~dropped)
    alive_key = key[alive]
    ordered = np.sort(alive_key)
    if (ordered[1:] == ordered[:-1]).any():  # cheap test first: most files have no repeats
        repeat = pd.Series(alive_key).duplicated(keep="first").to_numpy()
        dup = np.zeros(len(out), dtype=bool)
        dup[alive[repeat]] = True
        first_of_key = pd.Index(alive_key[~repeat])
        firsts = alive[~repeat][first_of_key.get_indexer(key[dup])]

        def duplicate_text(where):
            first = firsts[np.searchsorted(np.flatnonzero(dup), where)]
            same = number[where] == number[first]
            first_rows = rows[first]
            return np.where(
                same,
                [f"The same row appears again (first seen on row {r})" for r in first_rows],
                [
                    f"Same org unit, period and data element as row {r}, with a different "
                    "value; the first one was kept"
                    for r in first_rows
                ],
            ).astype(object)

        drop(dup, "value", duplicate_text)

    kept = (out.loc[~dropped] if dropped.any() else out).reset_index(drop=True)
    kept = _period_column(kept, notes)
    report = (
        pd.concat(problems, ignore_index=True)
        if problems
        else pd.DataFrame(columns=["row", "column", "value", "problem", "action"])
    )
    if period_col_name and not report.empty:
        report["column"] = report["column"].replace("", period_col_name)
    if not report.empty:
        report = report.sort_values("row", kind="stable").reset_index(drop=True)
        report["value"] = report["value"].map(_cell_text)
    summary = _summary(n_read, n_cells, len(kept), report, table.format == "wide")
    return TidyResult(data=kept, report=report, summary=summary, notes=table.notes + notes)


def _combine_codes(groups: list[np.ndarray]) -> np.ndarray:
    """One int64 number per row that is equal exactly when all the group codes are
    equal (codes are -1 or more); falls back to hashing when the numbers would
    not fit."""
    key = np.zeros(len(groups[0]), dtype=np.int64)
    span = 1
    for group in groups:
        size = int(group.max(initial=-1)) + 2
        span *= size
        if span >= 2**62:
            table = pd.DataFrame({i: g for i, g in enumerate(groups)})
            return table.groupby(list(table.columns), sort=False).ngroup().to_numpy()
        key = key * size + (group.astype(np.int64) + 1)
    return key


def _cell_text(value) -> str:
    """A cell as the user would see it: whole numbers without '.0', missing as ''."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)) and np.isfinite(value):
        return np.format_float_positional(float(value), trim="-")
    return str(value)


def _period_column(kept: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    if kept.empty:
        kept["period"] = pd.Series([], dtype="period[M]")
        return kept
    if isinstance(kept["period"].dtype, pd.PeriodDtype):
        return kept
    freqs = {p.freqstr for p in pd.unique(kept["period"])}
    if len(freqs) > 1:
        notes.append(
            "The periods mix several lengths (" + ", ".join(sorted(freqs)) + "); they are kept "
            "as they are, so compare like with like."
        )
    return kept


def _melt_wide(frame: pd.DataFrame, roles: dict, keep: list) -> tuple[pd.DataFrame, list]:
    wide_cols = [c for c in frame.columns if _period_header(c) is not None]
    id_roles = {r: c for r, c in roles.items() if r in ("org_unit", "data_element")}
    if "org_unit" not in id_roles:
        others = [c for c in frame.columns if c not in wide_cols]
        if not others:
            raise InputError(
                "The table has period columns but no column for the org unit (place)",
                todo="Add a column with the names of the places",
            )
        id_roles["org_unit"] = others[0]
    ids = list(dict.fromkeys(list(id_roles.values()) + keep))
    sub = frame[ids + wide_cols].copy()
    sub["_row"] = frame.index
    long = sub.melt(id_vars=ids + ["_row"], value_vars=wide_cols, var_name="period")
    long = long.rename(columns={c: r for r, c in id_roles.items()})
    long["_col_value"] = long["period"].astype(str)
    long["_col_period"] = long["period"].astype(str)
    long.index = pd.Index(long.pop("_row").to_numpy())
    return long, [str(c) for c in wide_cols]


def _summary(n_read: int, n_cells: int, n_kept: int, report: pd.DataFrame, wide: bool) -> str:
    unit = "values" if wide else "rows"
    lines = [
        f"Rows read: {n_read}" + (f" ({n_cells} values)" if wide else "") + ".",
        f"{unit.capitalize()} kept: {n_kept}.",
    ]
    dropped = report[report["action"] == "row dropped"] if not report.empty else report
    if len(dropped):
        lines.append(f"{unit.capitalize()} dropped: {len(dropped)}.")
        reasons = dropped["problem"].str.replace(r" \(first seen on row \d+\)", "", regex=True)
        reasons = reasons.str.replace(r" as row \d+,", ",", regex=True)
        for reason, count in reasons.value_counts().items():
            lines.append(f"  - {count}: {reason}")
    else:
        lines.append("Nothing was dropped.")
    flagged = report[report["action"] != "row dropped"] if not report.empty else report
    if len(flagged):
        lines.append(f"Values kept but worth checking: {len(flagged)}.")
    return "\n".join(lines)


def check_pairs(data: pd.DataFrame, numerator: str, denominator: str) -> pd.DataFrame:
    """Rows where a numerator is larger than its denominator (for example more
    children vaccinated than children counted).

    ``data`` is a tidy table (from :func:`tidy`) where ``numerator`` and
    ``denominator`` are data element names, or a table where they are column
    names. Returns a new DataFrame of the offending pairs with the columns
    ``org_unit``, ``period``, ``numerator``, ``denominator`` and ``problem``
    (empty when all pairs are fine). A numerator above its denominator makes a
    coverage above 100%: WHO, *Analysis and use of health facility data:
    guidance for programme managers* (2019) lists it as a data-quality check.
    """
    if numerator in data.columns and denominator in data.columns:
        wide = data
        ids = [c for c in ("org_unit", "period") if c in data.columns]
    elif {"org_unit", "period", "data_element", "value"} <= set(data.columns):
        elements = set(data["data_element"].unique())
        missing = [x for x in (numerator, denominator) if x not in elements]
        if missing:
            raise InputError(
                "No data element called " + " or ".join(f"'{m}'" for m in missing),
                todo="Check the names of the numerator and denominator",
            )
        sub = data[data["data_element"].isin([numerator, denominator])]
        wide = sub.pivot_table(
            index=["org_unit", "period"], columns="data_element", values="value", aggfunc="sum"
        ).reset_index()
        ids = ["org_unit", "period"]
    else:
        raise InputError(
            f"The table has neither columns nor data elements '{numerator}' and '{denominator}'",
            todo="Check the names of the numerator and denominator",
        )
    num = pd.to_numeric(wide[numerator], errors="coerce")
    den = pd.to_numeric(wide[denominator], errors="coerce")
    bad = num > den
    out = wide.loc[bad, ids].copy()
    out["numerator"] = num[bad].to_numpy()
    out["denominator"] = den[bad].to_numpy()
    out["problem"] = [
        f"{numerator} ({n:g}) is larger than {denominator} ({d:g})"
        for n, d in zip(out["numerator"], out["denominator"], strict=True)
    ]
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- exports

_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def _safe_cell(value):
    if isinstance(value, str) and value.startswith(_RISKY_START):
        if _PLAIN_NUMBER.match(value.strip()):
            return value
        return "'" + value
    return value


def _export_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.PeriodDtype):
            out[col] = s.astype(str)
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(lambda v: str(v) if isinstance(v, pd.Period) else _safe_cell(v))
    out.columns = [_safe_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame, index: bool = False) -> bytes:
    """CSV bytes safe to open in a spreadsheet.

    Text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are
    prefixed with ``'`` so a spreadsheet shows them as text instead of running
    them as formulas (OWASP, "CSV Injection", 2023). Numbers, negative ones
    included, stay numbers. UTF-8 with a byte-order mark, so Excel shows accents
    ("Santé") correctly.
    """
    safe = _export_frame(df)
    text = safe.to_csv(index=index, lineterminator="\r\n")
    return codecs.BOM_UTF8 + text.encode("utf-8")


def _sheet_name(name: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", "-", str(name)).strip("'") or "Sheet"
    clean = clean[:31]
    base, i = clean, 2
    while clean.lower() in used:
        suffix = f" ({i})"
        clean = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(clean.lower())
    return clean


def to_excel_bytes(sheets: dict[str, pd.DataFrame], title: str | None = None) -> bytes:
    """An Excel workbook (.xlsx) with one formatted sheet per DataFrame.

    Headings are bold and frozen, columns are sized to their content, whole
    numbers show with thousands separators and decimals with two places. The
    document properties are fixed, so the same tables give the same bytes.
    """
    if not sheets:
        raise InputError("There is nothing to export", todo="Choose at least one table")
    buffer = io.BytesIO()
    fixed = _dt.datetime(2000, 1, 1)
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        book = writer.book
        book.set_properties(
            {"title": title or "", "author": "phcpm", "created": fixed, "comments": ""}
        )
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        whole = book.add_format({"num_format": "#,##0"})
        decimal = book.add_format({"num_format": "#,##0.00"})
        used: set[str] = set()
        for name, df in sheets.items():
            sheet_name = _sheet_name(name, used)
            frame = _export_frame(df.reset_index(drop=True))
            frame.to_excel(writer, sheet_name=sheet_name, index=False)
            ws = writer.sheets[sheet_name]
            ws.freeze_panes(1, 0)
            for j, col in enumerate(frame.columns):
                ws.write(0, j, col, bold)
                s = frame[col]
                lengths = s.astype(str).str.len()
                width = min(max(len(str(col)), int(lengths.max()) if len(s) else 0) + 2, 60)
                fmt = None
                if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s):
                    vals = s.dropna().to_numpy(dtype=float)
                    is_whole = len(vals) == 0 or bool(np.all(np.mod(vals, 1) == 0))
                    fmt = whole if is_whole else decimal
                ws.set_column(j, j, max(width, 6), fmt)
    return buffer.getvalue()


def figure_bytes(fig, format: str = "png") -> bytes:
    """A matplotlib figure as PNG or SVG bytes, reproducible (no date or version stamp)."""
    import matplotlib as mpl

    fmt = str(format).lower()
    if fmt not in ("png", "svg"):
        raise InputError(
            f"Figures can be saved as PNG or SVG, not '{format}'", todo="Choose png or svg"
        )
    buffer = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    with mpl.rc_context({"svg.hashsalt": "phcpm"}):
        fig.savefig(buffer, format=fmt, metadata=metadata, bbox_inches="tight")
    return buffer.getvalue()
