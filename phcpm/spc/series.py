"""Getting a series ready for a chart: pasted text, the district data, rare events.

Each function returns a table with ``x`` (the labels), ``y`` and, when there
are denominators, ``n``, ready for :func:`phcpm.spc.qic`.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.spc.checks import as_numeric
from phcpm.spc.qic import QicResult

__all__ = [
    "SUMMARY_HEADINGS",
    "cases_between",
    "display_multiply",
    "monthly_series",
    "number_columns",
    "parse_series",
    "points_table",
    "project_series",
    "series_from_table",
    "series_span",
    "summary_table",
]


_DATE_LABEL = r"^\d{4}-\d{2}(-\d{2})?$"


def _number_or_none(text: str) -> float | None:
    clean = text.strip().replace(" ", "").replace("\u00a0", "")
    if clean.endswith("%"):
        clean = clean[:-1]
    try:
        value = float(clean)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_series(text: str) -> pd.DataFrame:
    """Read a series typed or pasted as text, one point per line.

    Each line holds one value (``17``), or a value and its denominator
    (``17, 30``), optionally after a label (``2025-01, 17, 30`` or
    ``Week 1; 17; 30``). Fields are separated by a tab or a semicolon (cells
    copied from a spreadsheet arrive with tabs) or, when a line has neither, by
    a comma. The decimal mark is a point; a percent sign after a value is
    ignored.
    Blank lines are skipped, and a first line without any number is taken as
    a heading. Every line must have the same layout.

    Returns a new DataFrame with ``x`` (the label as a date when every label
    is a date written ``YYYY-MM`` or ``YYYY-MM-DD``, otherwise the point number
    1, 2, 3 ...), ``label`` (the label as typed, or the point number as text),
    ``y`` and, when denominators were given, ``n``. Raises :class:`InputError`
    naming the first line that cannot be read.
    """
    if text is None or not str(text).strip():
        raise InputError(
            "There is nothing to read: the box is empty",
            where="the box for pasted values",
            todo="Type or paste one value per line, or 'value, denominator' pairs",
        )
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rows: list[tuple[int, str | None, list[float]]] = []
    layout: tuple[bool, int] | None = None
    seen_data = False
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        separator = r"[\t;]" if re.search(r"[\t;]", line) else ","
        fields = [f.strip() for f in re.split(separator, line)]
        fields = [f for f in fields if f != ""]
        values = [_number_or_none(f) for f in fields]
        if not seen_data and all(v is None for v in values):
            seen_data = True  # a heading line: skipped once, before any data
            continue
        seen_data = True
        has_label = bool(fields) and values[0] is None
        if has_label and separator != "," and re.fullmatch(r"[\d.\s]+(,[\d.\s]+)+", fields[0]):
            raise InputError(
                f"Line {number} ('{line[:40]}') mixes commas with semicolons or tabs, so "
                f"'{fields[0]}' cannot be read: is it several values, or a label?",
                where=f"line {number} of the pasted values",
                todo="Put one value per line (or 'value, denominator'), and use one kind of "
                "separator throughout",
            )
        label = fields[0] if has_label else None
        numbers = values[1:] if has_label else values
        if not numbers or len(numbers) > 2 or any(v is None for v in numbers):
            raise InputError(
                f"Line {number} ('{line[:40]}') cannot be read as a value or as a "
                "'value, denominator' pair",
                where=f"line {number} of the pasted values",
                todo="Write one number per line, or two numbers separated by a comma; "
                "use a point for decimals (12.5, not 12,5)",
            )
        shape = (has_label, len(numbers))
        if layout is None:
            layout = shape
        elif shape != layout:
            want = "a label and " if layout[0] else ""
            want += "one value" if layout[1] == 1 else "a value and a denominator"
            raise InputError(
                f"Line {number} ('{line[:40]}') does not have the same layout as the "
                f"first line, which has {want}",
                where=f"line {number} of the pasted values",
                todo="Give every line the same layout",
            )
        rows.append((number, label, numbers))
    if not rows:
        raise InputError(
            "No values were found",
            where="the box for pasted values",
            todo="Type or paste one value per line",
        )
    labels = [r[1] for r in rows]
    out = pd.DataFrame({"y": [r[2][0] for r in rows]})
    if layout[1] == 2:
        out["n"] = [r[2][1] for r in rows]
        bad = out["n"] < 0
        if bad.any():
            line = rows[int(np.flatnonzero(bad.to_numpy())[0])][0]
            raise InputError(
                "A denominator is negative",
                where=f"line {line} of the pasted values",
                todo="Denominators count people, visits or days: correct the value",
            )
    if len(rows) < 2:
        raise InputError(
            "Only one value was found: a chart needs a series of values over time",
            where="the box for pasted values",
            todo="Put each period's value on its own line (12 or more give a useful chart)",
        )
    position = np.arange(1, len(rows) + 1)
    if layout[0]:
        out.insert(0, "label", pd.array(labels, dtype="string"))
        dated = all(re.match(_DATE_LABEL, str(lab)) for lab in labels)
        if dated:
            out.insert(0, "x", pd.to_datetime(pd.Series(labels), format="mixed"))
            if out["x"].duplicated().any():
                first = out.loc[out["x"].duplicated(), "label"].iloc[0]
                raise InputError(
                    f"The date {first} appears more than once",
                    where="the labels of the pasted values",
                    todo="Give each period one line",
                )
        else:
            out.insert(0, "x", position)
    else:
        out.insert(0, "label", pd.array([str(p) for p in position], dtype="string"))
        out.insert(0, "x", position)
    return out


def monthly_series(
    service_data: pd.DataFrame,
    org_unit_id: str,
    numerator: str,
    denominator: str | None = None,
) -> pd.DataFrame:
    """Monthly values of one data element at one unit, as a series for :func:`qic`.

    ``service_data`` is in the long form of ``datasets/service_data.csv``
    (``org_unit_id, period, data_element, value``). Rows repeated exactly
    (same unit, month, element and value: a double entry) are counted once.
    Returns a new DataFrame with ``x`` (the first day of the month), ``period``
    (``YYYY-MM``), ``y`` (the numerator) and, when ``denominator`` is given,
    ``n``, for the months in which the unit reported the numerator. Months
    without a denominator get a missing ``n`` (qic leaves such points out).
    """
    need = {"org_unit_id", "period", "data_element", "value"}
    missing = sorted(need - set(service_data.columns))
    if missing:
        raise InputError(
            "The service data lack the column(s) " + ", ".join(missing),
            where="the service data table",
            todo="Use a table with org_unit_id, period, data_element and value",
        )
    rows = service_data.loc[
        service_data["org_unit_id"] == org_unit_id,
        ["org_unit_id", "period", "data_element", "value"],
    ].drop_duplicates()
    if rows.empty:
        raise InputError(
            f"There are no data for the unit '{org_unit_id}'",
            where="the chosen facility",
            todo="Choose another facility",
        )
    wide = rows.pivot_table(
        index="period", columns="data_element", values="value", aggfunc="sum"
    ).sort_index()
    if numerator not in wide.columns:
        raise InputError(
            f"This facility reports no '{numerator}'",
            where="the chosen data element",
            todo="Choose another data element or another facility",
        )
    wide = wide[wide[numerator].notna()]
    out = pd.DataFrame(
        {
            "x": pd.to_datetime(wide.index.astype(str), format="%Y-%m"),
            "period": wide.index.astype(str),
            "y": wide[numerator].to_numpy(dtype=float),
        }
    )
    if denominator is not None:
        if denominator not in wide.columns:
            raise InputError(
                f"This facility reports no '{denominator}'",
                where="the chosen denominator",
                todo="Choose another denominator or another facility",
            )
        out["n"] = wide[denominator].to_numpy(dtype=float)
    return out.reset_index(drop=True)


def cases_between(events: Any) -> np.ndarray:
    """Number of cases (or days) without the event before each event, for a G chart.

    ``events`` lists the cases in time order: true (or 1) when the event
    happened (a stock-out, a stillbirth, a wound infection), false (or 0)
    otherwise. Following Benneyan (*Health Care Manag Sci* 4:305–318, 2001),
    each event's value is the number of event-free cases since the previous
    event; the first event counts from the start of the record (so its value
    may be too low when the record starts after an earlier, unseen event).
    Cases after the last event are not counted: they do not end in an event.
    """
    flags = as_numeric(events, "events")
    if np.isnan(flags).any() or not np.isin(flags, (0.0, 1.0)).all():
        raise InputError(
            "Each case must be marked 1 (the event happened) or 0 (it did not)",
            where="the list of events",
            todo="Use 1/0 or yes/no values only, with no empty cells",
        )
    where = np.flatnonzero(flags == 1)
    return np.diff(np.concatenate(([-1], where))) - 1


def points_table(result: QicResult) -> pd.DataFrame:
    """The points of a chart as a table for export, with plain column names.

    One row per point: its label, value (and denominator), centre line, limits,
    part, whether it was in the baseline and in the calculations, and whether
    it is outside the limits or belongs to a part with a runs signal.
    """
    d = result.data
    centre = "median" if result.chart in ("run", "g") else "centre line"
    columns = {
        "position": "point",
        "x": "label",
        "y": "value",
        "n": "denominator",
        "cl": centre,
        "lcl": "lower limit",
        "ucl": "upper limit",
        "part": "part",
        "baseline": "in baseline",
        "include": "used in calculations",
        "sigma_signal": "outside the limits",
        "runs_signal": "runs signal in this part",
    }
    keep = [c for c in columns if c in d.columns]
    out = d[keep].rename(columns=columns).copy()
    if pd.api.types.is_datetime64_any_dtype(out["label"].dtype):
        out["label"] = out["label"].dt.strftime("%Y-%m-%d")
    if result.chart in ("run",):
        out = out.drop(columns=["lower limit", "upper limit"])
    return out


#: Plain headings of a chart's summary (:attr:`QicResult.summary`), for export.
SUMMARY_HEADINGS = {
    "part": "Part",
    "n_obs": "Points",
    "n_useful": "Useful points (not on the centre line)",
    "longest_run": "Longest run",
    "longest_run_max": "Longest run expected at most",
    "n_crossings": "Crossings",
    "n_crossings_min": "Crossings expected at least",
    "runs_signal": "Runs signal",
    "aLCL": "Average lower limit",
    "CL": "Centre line",
    "aUCL": "Average upper limit",
    "sigma_signal": "Points outside the limits",
}


def summary_table(result: QicResult) -> pd.DataFrame:
    """The summary of a chart (one row per part) with plain headings, for export.

    >>> from phcpm.spc import qic
    >>> table = summary_table(qic([3, 5, 2, 4, 6, 3, 12, 4], chart="c"))
    >>> table.loc[0, ["Points", "Points outside the limits"]].tolist()
    [8, 1]
    """
    return result.summary.rename(columns=SUMMARY_HEADINGS)


def series_from_table(
    table: pd.DataFrame, value: str, denominator: str | None = None, label: str | None = None
) -> pd.DataFrame:
    """A series for :func:`qic` from columns of an uploaded table, in the form of :func:`parse_series`.

    ``value`` (and ``denominator``) must hold numbers; empty cells stay missing
    (qic leaves such points out). ``label`` becomes ``x`` when every label is a
    date, otherwise the point number is used and the label is kept as text.
    """
    for col in (value, denominator, label):
        if col is not None and col not in table.columns:
            raise InputError(
                f"The table has no column '{col}'",
                where="the uploaded table",
                todo="Choose one of its columns: " + ", ".join(map(str, table.columns)),
            )
    out = pd.DataFrame({"y": as_numeric(table[value], value)})
    if denominator is not None:
        out["n"] = as_numeric(table[denominator], denominator)
    position = np.arange(1, len(out) + 1)
    if label is not None:
        column = table[label].reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            dates = column
            text = column.dt.strftime("%Y-%m-%d").astype("string")
        else:
            text = column.astype("string").fillna("").str.strip()
            dated = bool(text.str.match(_DATE_LABEL).all())
            dates = pd.to_datetime(text, format="mixed") if dated else column.isna()
        usable = pd.api.types.is_datetime64_any_dtype(dates.dtype)
        usable = usable and dates.notna().all() and not dates.duplicated().any()
        out.insert(0, "label", text.to_numpy())
        out.insert(0, "x", dates if usable else position)
    else:
        out.insert(0, "label", pd.array([str(p) for p in position], dtype="string"))
        out.insert(0, "x", position)
    return out


def number_columns(table: pd.DataFrame) -> list[str]:
    """Columns of ``table`` that can serve as the values of a series.

    A column qualifies when at least half of its filled cells read as numbers,
    as :func:`series_from_table` reads them (so a few notes such as "no report"
    do not hide a column of counts); date columns never do. Returns the names,
    as text, in the table's order. A convention of this toolkit, used to propose
    the value column of an uploaded table.
    """
    found = []
    for column in table.columns:
        cells = table[column]
        if pd.api.types.is_datetime64_any_dtype(cells.dtype):
            continue
        filled = cells.notna() & (cells.astype("string").str.strip().fillna("") != "")
        if not filled.any():
            continue
        numbers = pd.to_numeric(cells[filled], errors="coerce").notna()
        if numbers.mean() >= 0.5:
            found.append(str(column))
    return found


def project_series(
    measure: pd.DataFrame, cycles: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, dict]:
    """The series of an improvement project's measure, and its PDSA cycles as chart notes.

    ``measure`` has ``week_start`` (the first day of each period), ``numerator``
    and ``denominator``, as ``datasets/pdsa_measure.csv``; ``cycles`` has
    ``start``, ``cycle`` and ``decision``, as ``datasets/pdsa_cycles.csv``.
    Returns the series in the form of :func:`parse_series` (``x``, ``label``,
    ``y``, ``n``) and a dict {start date: "number: decision"} for the ``notes``
    of :func:`plot_qic`, so each cycle is marked where it began. Neither input
    is changed.
    """
    require_columns(
        measure, ["week_start", "numerator", "denominator"], "the table of the project's measure"
    )
    start = pd.to_datetime(measure["week_start"])
    series = pd.DataFrame(
        {
            "x": start.to_numpy(),
            "label": start.dt.strftime("%Y-%m-%d").to_numpy(),
            "y": as_numeric(measure["numerator"], "numerator"),
            "n": as_numeric(measure["denominator"], "denominator"),
        }
    )
    notes: dict = {}
    if cycles is not None and len(cycles):
        require_columns(cycles, ["start", "cycle", "decision"], "the table of PDSA cycles")
        begins = pd.to_datetime(cycles["start"])
        notes = {
            when: f"{number}: {decision}"
            for when, number, decision in zip(
                begins, cycles["cycle"], cycles["decision"], strict=True
            )
        }
    return series, notes


def display_multiply(chart: str, has_denominator: bool, multiply: float = 100.0) -> float:
    """The ``multiply`` to draw a chart with: proportions as percentages, the rest as they are.

    A series with denominators drawn as a run, ``p`` or ``pp`` chart is a
    proportion, shown multiplied by ``multiply`` (100 for percent; the caller
    may use 1000 for per 1 000). Rates (``u``, ``up``), counts and measurements
    keep their own scale (1). A convention of this toolkit's chart tool.
    """
    return float(multiply) if has_denominator and chart in ("run", "p", "pp") else 1.0


def series_span(series: pd.DataFrame) -> tuple[str, str]:
    r"""The labels of the first and last points of a series, as text (dates as YYYY-MM-DD).

    Uses ``label``, else ``period``, else ``x``.

    >>> series_span(parse_series("2025-01, 17\n2025-02, 24\n2025-03, 19"))
    ('2025-01', '2025-03')
    """
    names = next(series[c] for c in ("label", "period", "x") if c in series.columns)
    names = names.dt.strftime("%Y-%m-%d") if hasattr(names, "dt") else names.astype(str)
    return str(names.iloc[0]), str(names.iloc[-1])
