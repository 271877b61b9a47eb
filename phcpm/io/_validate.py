"""The checks every tidy table goes through, whatever its layout.

Validation rules (our convention): non-numbers, empty values, negative values
(counts cannot be below zero), unreadable periods and empty org units drop the
row; a repeated key (org unit, period, data element, category option combo,
attribute option combo) keeps the first row and drops the later ones; values
above one thousand million are kept but flagged. Each dropped or flagged row is
reported with its row number as in the user's file.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.io._common import Codes, blank_cells, cell_text
from phcpm.io._numbers import numbers
from phcpm.io.layouts._base import Long
from phcpm.periods import (
    factorize_column,
    parse_period_codes,
    periods_from_codes,
    same_period_numbers,
)

__all__ = ["REPORT_COLUMNS", "check", "report_frame"]

REPORT_COLUMNS = ["row", "column", "value", "problem", "action"]


def report_frame(problems: list[pd.DataFrame]) -> pd.DataFrame:
    if not problems:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    return pd.concat(problems, ignore_index=True)


_WHY = {
    "The value is not a number": "no value is a number",
    "The value is empty": "every value is empty",
    "The period is empty": "no row has a period",
    "The org unit (place) is empty": "no row names the place",
}


def _nothing_usable(report: pd.DataFrame, n_read: int) -> InputError:
    """The plain refusal of a table in which no row can be used."""
    if n_read and report.empty:
        return InputError(
            "No row of the table can be used: every value cell is empty",
            todo="Download the data again for periods and places that have data",
        )
    if n_read == 0 or report.empty:
        return InputError(
            "The table has headings but no data rows",
            todo="Download the data again with at least one period and one place",
        )
    reasons = report.loc[report["action"] == "row dropped", "problem"]
    reasons = reasons.str.replace(r" \(first seen on row \d+\)", "", regex=True)
    top = reasons.value_counts()
    first = str(top.index[0])
    if first in _WHY:
        why = _WHY[first]
    elif "period" in first.lower() or "month" in first.lower() or "does not exist" in first:
        why = "no period can be read"
    else:
        why = first[:1].lower() + first[1:]
    detail = "; ".join(f"{count:,}: {reason}" for reason, count in top.head(3).items())
    column = report["column"].iloc[0]
    return InputError(
        f"No row of the table can be used: {why}",
        where=f"{len(reasons):,} rows ({detail}); first in column '{column}'",
        todo="Check that you chose the right file and the right columns",
    )


def check(
    long: Long, decimal_comma: bool | None, prefer_comma: bool, keep: list
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """``(tidy data, report, summary)`` for a reshaped table; notes are added to ``long.notes``."""
    notes = long.notes
    source = long.source
    n_read = long.n_read
    wide = long.wide
    period_col_name = long.period_col_name
    problems: list[pd.DataFrame] = []
    frame = long.frame
    if "data_element" not in frame.columns:
        frame = frame.assign(data_element="value")
        notes.append("No data element column was given: all values are named 'value'.")
        source["data_element"] = ""
    gone = np.zeros(len(frame), dtype=bool)
    if long.removed is not None:
        gone |= np.asarray(long.removed, dtype=bool)
    if wide:
        # In a table with several values per row an empty cell means no value was
        # reported: it is left out and counted, not reported as a problem.
        empty = blank_cells(frame["value"]) & ~gone
        if empty.any():
            gone |= empty
            notes.append(f"{int(empty.sum()):,} empty cell(s) (no value reported) were left out.")
    if gone.any():
        frame = frame.loc[~gone]
        for key, col in list(source.items()):
            if isinstance(col, np.ndarray):
                source[key] = col[~gone]
    n_cells = len(frame)
    same_words = "org unit, period and data element"
    long = frame
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
            col = source.get(key, key)
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
    drop(blank_cells(long["org_unit"]), "org_unit", "The org unit (place) is empty")
    # period: each distinct text parsed once
    period_codes, parsed, reasons = parse_period_codes(long["period"])
    bad_period = np.array([r is not None for r in reasons], dtype=bool)[period_codes]
    drop(bad_period, "period", lambda where: reasons[period_codes[where]])
    # value: each distinct text read once
    values, dec_comma = numbers(long["value"], decimal_comma, prefer_comma=prefer_comma)
    number = values.to_numpy(dtype=float, na_value=np.nan)
    raw_blank = blank_cells(long["value"])
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
    elif any(re.search(r"\d,\d{3}", str(v)) for v in factorize_column(long["value"])[1][:10000]):
        notes.append("Commas in numbers were read as thousands separators (1,234 = 1234).")

    texts = {"org_unit": Codes(long["org_unit"]), "data_element": Codes(long["data_element"])}
    groups = [same_period_numbers(parsed)[period_codes], texts["org_unit"].groups]
    groups.append(texts["data_element"].groups)
    if "org_unit_name" in long.columns:
        texts["org_unit_name"] = Codes(long["org_unit_name"])
    for extra in ("category_option_combo", "attribute_option_combo"):
        if extra in long.columns:
            texts[extra] = Codes(long[extra])
            groups.append(texts[extra].groups)
    for col in long.columns:
        if col.startswith("orgunitlevel") and col not in keep:
            texts[col] = Codes(long[col])
    # Repeated keys (org unit, period, data element, category option combo) among
    # the rows still kept: keep the first, drop the later ones.
    key = _combine_codes(groups)
    alive = np.flatnonzero(~dropped)
    alive_key = key[alive]
    ordered = np.sort(alive_key)
    if (ordered[1:] == ordered[:-1]).any():  # cheap test first: most files have no repeats
        repeat = pd.Series(alive_key).duplicated(keep="first").to_numpy()
        dup = np.zeros(len(long), dtype=bool)
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
                    f"Same {same_words} as row {r}, with a different value; the first one was kept"
                    for r in first_rows
                ],
            ).astype(object)

        drop(dup, "value", duplicate_text)

    rows_kept = np.flatnonzero(~dropped)
    columns = {
        "org_unit": texts["org_unit"].take(rows_kept),
        "period": periods_from_codes(period_codes[rows_kept], parsed),
        "data_element": texts["data_element"].take(rows_kept),
        "value": number[rows_kept],
    }
    for name, codes in texts.items():
        if name not in columns:
            columns[name] = codes.take(rows_kept)
    for col in keep:
        columns[col] = long[col].to_numpy()[rows_kept]
    kept = pd.DataFrame(columns, copy=False)
    kept = _period_column(kept, notes)
    if kept.empty:
        raise _nothing_usable(report_frame(problems), n_read)
    report = report_frame(problems)
    if period_col_name and not report.empty:
        report["column"] = report["column"].replace("", period_col_name)
    if not report.empty:
        report = report.sort_values("row", kind="stable").reset_index(drop=True)
        report["value"] = report["value"].map(cell_text)
    summary = _summary(n_read, n_cells, len(kept), report, wide)
    return kept, report, summary


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
