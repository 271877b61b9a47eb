"""Exports: CSV and Excel bytes safe to open in a spreadsheet, figures as PNG
or SVG, and checks across data elements of a tidy table."""

from __future__ import annotations

import codecs
import datetime as _dt
import io
import re
from typing import Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError

__all__ = [
    "DISAGGREGATIONS",
    "check_pairs",
    "figure_bytes",
    "to_csv_bytes",
    "to_excel_bytes",
    "total_over_disaggregations",
]


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


#: Columns that say which disaggregation a value belongs to.
DISAGGREGATIONS = ("category_option_combo", "attribute_option_combo")


def total_over_disaggregations(data: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """``(totals, note)``: a tidy table summed over its disaggregations.

    Tidy data keeps the category option combo and the attribute option combo
    (for example one row for girls and one for boys): they are part of a row's
    identity. An analysis that needs one number per place, period and data
    element calls this function, which adds the values up across them (as
    DHIS2's totals do) and returns a note saying so, or None when there was
    nothing to add up. The other columns (the place's name, the hierarchy)
    are kept.
    """
    present = [c for c in DISAGGREGATIONS if c in data.columns]
    if not present:
        return data, None
    keys = ["org_unit", "period", "data_element"]
    extra = [c for c in data.columns if c not in keys + present + ["value"]]
    keys_all = keys + extra
    n_before = len(data)
    totals = (
        data.groupby(keys_all, sort=False, observed=True, dropna=False)["value"]
        .sum(min_count=1)
        .reset_index()
    )
    totals = totals[keys + ["value"] + extra]
    combos = int(data[present].drop_duplicates().shape[0])
    if combos <= 1:
        return totals, None
    note = (
        f"Values were added up over {combos} disaggregations ({', '.join(present)}): "
        f"{n_before:,} rows became {len(totals):,} totals."
    )
    return totals, note


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


def figure_bytes(fig: Any, format: str = "png") -> bytes:
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
