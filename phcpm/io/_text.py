"""Reading delimited text files (CSV, semicolons, tabs, vertical bars).

The delimiter, the heading row and the dialect (a space after each delimiter,
quotes) are found from the start of the file; the whole file is then parsed
once. A DHIS2 data value set, and a DHIS2 pivot table with its metadata
columns, are parsed straight from the bytes by a fast path (see
:func:`_read_dvs` and :func:`_read_pivot`).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.io._bytes import _sniff_text
from phcpm.io._common import FIX_FILE as _FIX_FILE
from phcpm.io._common import name_list
from phcpm.io._common import tidy_headers as _tidy_headers
from phcpm.io.layouts import datavalueset as _dvs
from phcpm.io.layouts import pivot_metadata as _pivot
from phcpm.periods import parse_period

__all__ = ["two_heading_rows"]


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter (, ; tab |) of the first lines.

    It is the one that splits the most of the first lines into two cells or
    more, then the one that splits them most consistently, then the widest.
    Counting the lines it splits first keeps a file separated by semicolons
    whose values have decimal commas, and whose rows differ in length, from
    being read on its commas, which split only the rows with a value and not
    the heading row.
    """
    best, best_score = ",", (-1, -1, 0)
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
        split = sum(1 for n in counts if n >= 2)
        score = (split, counts.count(modal), modal)
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
        texty = sum(1 for v in row if _is_heading_cell(v))
        if texty >= 0.5 * filled:
            return i
    return None


_PERIOD_CODE = re.compile(r"(19|20|21)\d{2}(0[1-9]|1[0-2]|Q[1-4]|S[12]|W\d{1,2})")


def _is_heading_cell(value) -> bool:
    """A cell that can be a column heading: words, or a DHIS2 period code
    (202401, 2024Q1), which a pivot table with periods as columns uses as headings."""
    if _is_texty(value):
        return True
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        value = int(value)
    if isinstance(value, (int, np.integer, str)) and not isinstance(value, bool):
        return _PERIOD_CODE.fullmatch(str(value).strip()) is not None
    return False


def two_heading_rows(grid: list[list], header_idx: int) -> bool:
    """True when a heading row with a label spread over several columns
    ("Period" over the months) has a second heading row below it."""
    if header_idx + 1 >= len(grid):
        return False
    top, below = grid[header_idx], grid[header_idx + 1]
    filled = [str(v) for v in top if v is not None and str(v).strip()]
    if len(filled) == len(set(filled)):
        return False
    cells = [v for v in below if v is not None and str(v).strip()]
    if len(cells) < len(filled):
        return False
    return sum(1 for v in cells if _is_heading_cell(v) or isinstance(v, _dt.datetime)) == len(cells)


def _looks_like_dvs_row(row: list) -> bool:
    """A header-less DHIS2 data value set row: id, period, id, coc, aoc, value, ..."""
    if not 4 <= len(row) <= 12:
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


def _space_after_delimiter(lines: list[str], delim: str) -> bool:
    """True when most delimiters in the first lines are followed by a space
    (``"a", "2017-01", 5``): the spaces are then not part of the cells."""
    sample = "\n".join(lines[:30])
    total = sample.count(delim)
    if delim in (" ", "\t") or total == 0:
        return False
    spaced = sample.count(delim + " ")
    return spaced >= 0.8 * total


_DELIM_WORDS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _read_text(data: bytes, notes: list[str]) -> tuple[pd.DataFrame, int, str]:
    """Parse a delimited text file. Returns (frame with file row numbers, header row, delim)."""
    encoding, head, enc_notes = _sniff_text(data)
    notes.extend(enc_notes)
    lines = head.splitlines()[:60]
    if not any(line.strip() for line in lines):
        raise InputError("The file is empty: it has no rows", todo="Choose a file that holds data")
    delim = _sniff_delimiter(lines)
    spaced = _space_after_delimiter(lines, delim)
    notes.append(
        f"Columns are separated by {_DELIM_WORDS[delim]}"
        + (
            " (each followed by a space, which was not read as part of the cells)."
            if spaced
            else "."
        )
    )
    head_grid = [
        row
        for row in csv.reader(
            io.StringIO("\n".join(lines)), delimiter=delim, skipinitialspace=spaced
        )
    ] or [[]]
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
    options = dict(encoding=encoding, delim=delim, skip=skip, spaced=spaced, notes=notes)
    if headerless or _dvs.roles_of(header) is not None:
        fast = _read_dvs(data, header=header, width=len(head_grid[0]), **options)
        if fast is not None:
            return fast, (0 if headerless else skip + 1), delim
    elif delim == "," and _pivot.split_columns(header) is not None:
        fast = _read_pivot(data, header=header, **options)
        if fast is not None:
            return fast, skip + 1, delim
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
            skipinitialspace=spaced,
            encoding=None if len(text) < 50_000_000 else encoding,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise InputError("The file is empty: it has no rows", todo=_FIX_FILE) from None
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError, IndexError):
        frame = _read_text_slow(text, delim, skip, notes, spaced)
    frame.index = pd.RangeIndex(skip + 1, skip + 1 + len(frame))
    if headerless:
        frame.columns = _dvs.headerless_names(frame.shape[1])
        notes.append(_HEADERLESS_NOTE)
        header_row = 0
    else:
        frame.columns = _tidy_headers(list(frame.iloc[0]))
        frame = frame.iloc[1:]
        header_row = skip + 1
        if header_idx:
            notes.append(f"The column headings were found on row {header_row}.")
    return frame, header_row, delim


_HEADERLESS_NOTE = (
    "The file has no heading row; its columns were read in the order of a DHIS2 "
    "data value set (data element, period, org unit, category option combo, ...)."
)


def _csv_options(delim, skip, encoding, spaced, header_row) -> dict:
    return dict(
        sep=delim,
        header=header_row,
        skiprows=skip,
        keep_default_na=False,
        na_values=[],
        skip_blank_lines=False,
        skipinitialspace=spaced,
        encoding=encoding,
        engine="c",
        index_col=False,
    )


def _read_dvs(
    data: bytes,
    encoding: str,
    delim: str,
    skip: int,
    spaced: bool,
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
    names = _dvs.headerless_names(width) if header is None else header
    roles = _dvs.roles_of(names) or {}
    read = {col: role for role, col in roles.items()}
    use = [i for i, name in enumerate(names) if name in read]
    as_text = {i for i in use if read[names[i]] in ("period", "value")}
    options = _csv_options(delim, skip, encoding, spaced, None if header is None else 0)
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
    except pd.errors.EmptyDataError:
        raise InputError("The file is empty: it has no rows", todo=_FIX_FILE) from None
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError, IndexError):
        return None
    start = 1 if header is None else skip + 2
    frame.index = pd.RangeIndex(start, start + len(frame))
    if header is None:
        notes.append(_HEADERLESS_NOTE)
    elif skip:
        notes.append(f"The column headings were found on row {skip + 1}.")
    left_out = [names[i] for i in range(len(names)) if i not in use]
    if left_out:
        notes.append(
            "This is a DHIS2 data value set; columns that do not hold the figures were not "
            "read: " + name_list(left_out) + "."
        )
    return frame


def _read_pivot(
    data: bytes, encoding: str, delim: str, skip: int, spaced: bool, header: list[str], notes
) -> pd.DataFrame | None:
    """Fast reading of a DHIS2 pivot table with metadata columns (comma files).

    The metadata columns (period, org unit, hierarchy) are read as text; the
    data columns are read as numbers by pandas where every cell is a plain
    number, else as text for the careful number reading of :func:`tidy`.
    Returns None when the file needs the careful reader.
    """
    meta, _ = _pivot.split_columns(header)
    options = _csv_options(delim, skip, encoding, spaced, 0)
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            names=header,
            dtype={c: str for c in meta},
            **{**options, "header": None, "skiprows": skip + 1, "na_values": [""]},
        )
    except pd.errors.EmptyDataError:
        raise InputError("The file is empty: it has no rows", todo=_FIX_FILE) from None
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError, IndexError):
        return None
    if list(frame.columns) != header:
        return None
    frame.index = pd.RangeIndex(skip + 2, skip + 2 + len(frame))
    if skip:
        notes.append(f"The column headings were found on row {skip + 1}.")
    return frame


def _read_text_slow(
    text: str, delim: str, skip: int, notes: list[str], spaced: bool = False
) -> pd.DataFrame:
    """Row-by-row reading for ragged files (rows with more cells than the header)."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, skipinitialspace=spaced)
        rows = list(reader)[skip:]
    except csv.Error:
        raise InputError(
            "The rows of the file could not be split into cells (a quote or line end is "
            "out of place)",
            todo=_FIX_FILE,
        ) from None
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
