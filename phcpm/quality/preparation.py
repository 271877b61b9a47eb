"""Preparing routine data for the checks: column checks, integer codes, result tables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns

__all__ = [
    "COLUMNS_TODO",
    "DHIS2_REPORTING_METRICS",
    "RESULT_COLUMNS",
    "RULES",
    "WHO_DEFAULTS",
    "as_monthly_period",
    "as_number",
    "split_reporting",
]

RESULT_COLUMNS = [
    "org_unit",
    "period",
    "data_element",
    "value",
    "rule",
    "threshold",
    "statistic",
    "severity",
    "message",
]

#: Default limits, as recommended in WHO Data Quality Review Module 1 and 2 (2017),
#: except the modified z-score cut-off, which is Iglewicz & Hoaglin's (1993).
WHO_DEFAULTS = {
    "outlier_moderate_sd": 2.0,
    "outlier_extreme_sd": 3.0,
    "modified_z_cutoff": 3.5,
    "consistency_over_time": 0.33,
    "consistency_over_time_years": 3,
    "related_indicators": 0.10,
    "reporting_completeness": 0.90,
    "reporting_timeliness": 0.75,
    "data_element_completeness": 0.90,
    "external_comparison": 0.33,
    "denominator_consistency": 0.10,
    "coverage_limit": 100.0,
}

#: Plain-language description of every rule, for apps and lessons.
RULES = {
    "outlier_sd": "Value far from the unit's own average (standard deviations)",
    "outlier_modified_z": "Value far from the unit's own median (modified z-score)",
    "consistency_over_time": "This year's total compared with earlier years",
    "related_indicators": "Ratio between two indicators that should move together",
    "internal_check": "A part is larger than its whole (e.g. ANC4 above ANC1)",
    "reporting_completeness": "Share of expected reports that arrived",
    "reporting_timeliness": "Share of reports that arrived on time",
    "data_element_completeness": "Share of received reports with this value filled in",
    "external_comparison": "Routine coverage compared with a survey",
    "denominator_consistency": "Two estimates of the same population compared",
    "coverage_over_100": "Coverage above 100 % (numerator larger than target)",
}

_OK = "ok"
_NO_DATA = "no_data"
_FLAGGED = "flagged"
_MODERATE = "moderate"
_EXTREME = "extreme"
_BAD_SEVERITIES = (_FLAGGED, _MODERATE, _EXTREME)
_MEAN_AD_FACTOR = 1.253314  # sqrt(pi/2): mean absolute deviation of a normal / sigma
_MAD_FACTOR = 0.6745  # 0.75 quantile of the standard normal: MAD of a normal / sigma

#: What to do when a table lacks a column the checks need.
COLUMNS_TODO = "Rename your columns, or tell the function which column to use"

# Severities are small integer codes inside the checks; text only in the result tables.
_S_OK, _S_NO_DATA, _S_FLAGGED, _S_MODERATE, _S_EXTREME = range(5)
_SEVERITY_TEXT = np.array([_OK, _NO_DATA, _FLAGGED, _MODERATE, _EXTREME], dtype=object)
_NAT = np.iinfo(np.int64).min  # how pandas stores a missing period
_MONTH = pd.PeriodDtype("M")
_YEAR = pd.PeriodIndex([], freq="M").asfreq("Y", how="end").dtype  # years ending in December


# --------------------------------------------------------------------------- helpers
def as_number(series: pd.Series, what: str, column: str) -> pd.Series:
    """A float copy of a column; text that is not a number raises InputError.

    ``what`` names the table without an article ("routine data") and ``column``
    the column, for the message.

    >>> as_number(pd.Series(["3", None, 4]), "routine data", "value").tolist()
    [3.0, nan, 4.0]
    >>> as_number(pd.Series(["3", "three"]), "routine data", "value")
    Traceback (most recent call last):
    ...
    phcpm.errors.InputError: The column 'value' has text where a number is expected ('three')...
    """
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series):
        return series.astype("float64")
    numbers = pd.to_numeric(series, errors="coerce")
    bad = numbers.isna() & series.notna()
    if bad.any():
        first = series.index[bad.to_numpy()][0]
        raise InputError(
            f"The column '{column}' has text where a number is expected ({series.loc[first]!r})",
            where=f"the {what}, row {first}",
            todo="Correct the value, or leave the cell empty if it is unknown",
        )
    return numbers.astype("float64")


def _factorize(values, sort: bool = True) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 for missing) and the distinct values, like :func:`pandas.factorize`.

    With ``sort=True`` the codes follow the sorted order of the values, the order in
    which ``groupby`` lists groups, and the distinct values keep the type that
    ``groupby`` gives them. Text columns usually come in runs (all rows of one
    facility together), so only the first row of each run is hashed.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    n = len(series)
    dtype = series.dtype
    text = dtype == np.dtype(object) or (
        isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
    )
    if text and n > 64:
        objects = np.asarray(series.array, dtype=object)
        change = np.empty(n, dtype=bool)
        change[0] = True
        try:
            np.not_equal(objects[1:], objects[:-1], out=change[1:])
        except (TypeError, ValueError):  # values whose comparison is not True/False
            change[:] = True
        heads = np.flatnonzero(change)
        if len(heads) <= n // 2:
            codes, uniques = pd.factorize(series.iloc[heads], sort=sort)
            lengths = np.diff(np.append(heads, n))
            return np.repeat(codes.astype(np.int64), lengths), _inferred(uniques)
    codes, uniques = pd.factorize(series, sort=sort)
    return codes.astype(np.int64, copy=False), _inferred(uniques)


def _inferred(uniques: pd.Index) -> pd.Index:
    """Text held as generic objects becomes the text type, as in ``groupby`` results."""
    if uniques.dtype == np.dtype(object):
        return pd.Index(np.asarray(uniques, dtype=object))
    return uniques


def _monthly(series: pd.Series, what: str, column: str) -> tuple[np.ndarray, object]:
    """Month numbers (pandas Period ordinals, 1970-01 = 0) and the original periods.

    The second item is the column itself when it already holds monthly periods, else
    None. Text like '2024-01' is converted; the errors are those of
    :func:`as_monthly_period`.
    """
    if isinstance(series.dtype, pd.PeriodDtype):
        if series.dtype.freq.rule_code not in ("M", "ME"):
            raise InputError(
                f"The periods in column '{column}' are not months ({series.dtype.freq.rule_code})",
                where=f"the {what}",
                todo="Give monthly data (one row per month)",
            )
        return np.asarray(series.array.asi8, dtype=np.int64), series.array
    codes, uniques = _factorize(series, sort=False)
    try:
        index = pd.PeriodIndex([pd.Period(str(u), freq="M") for u in uniques], freq="M")
    except (ValueError, TypeError):
        raise InputError(
            f"Some entries of column '{column}' are not months",
            where=f"the {what}",
            todo="Write months as 2024-01 (year, dash, month)",
        ) from None
    if (codes < 0).any():
        raise InputError(
            f"Some rows have no period in column '{column}'",
            where=f"the {what}",
            todo="Fill in the month of every row",
        )
    return np.asarray(index.asi8, dtype=np.int64)[codes], None


def as_monthly_period(series: pd.Series, what: str, column: str) -> pd.Series:
    """Periods as a monthly Period column; text like '2024-01' is converted.

    A column that already holds monthly periods comes back unchanged; ``what``
    and ``column`` name the table and column for the message when a row is not
    a month.

    >>> as_monthly_period(pd.Series(["2024-01", "202402"]), "routine data", "period").tolist()
    [Period('2024-01', 'M'), Period('2024-02', 'M')]
    """
    months, original = _monthly(series, what, column)
    if original is not None:
        return series
    return pd.Series(
        pd.arrays.PeriodArray(months, dtype=_MONTH), index=series.index, name=series.name
    )


@dataclass
class _Routine:
    """Routine data prepared once for every check: integer codes instead of text.

    ``ou`` and ``de`` are codes of org units and data elements in the sorted order of
    their values (-1 where missing); ``month`` holds month numbers (``_NAT`` where
    missing); the original columns are kept to build result rows with their types.
    """

    ou_array: object
    de_array: object
    period_array: object
    ou: np.ndarray
    ou_uniques: object
    de: np.ndarray
    de_uniques: object
    month: np.ndarray
    value: np.ndarray
    exact_sums: bool

    def __len__(self) -> int:
        return len(self.value)

    @property
    def n_ou(self) -> int:
        return len(self.ou_uniques)

    @property
    def n_de(self) -> int:
        return len(self.de_uniques)

    def periods(self, rows: np.ndarray):
        """Monthly periods of the given rows, with the type of the input."""
        if self.period_array is not None:
            return self.period_array.take(rows)
        return pd.arrays.PeriodArray(self.month[rows], dtype=_MONTH)

    def month_dtype(self):
        return self.period_array.dtype if self.period_array is not None else _MONTH

    def element_codes(self, names: Sequence) -> np.ndarray:
        """Codes of the named data elements (-1 for those not in the data)."""
        return pd.Index(self.de_uniques).get_indexer(list(names))

    def group_sum(self, x: np.ndarray, key: np.ndarray, ngroups: int) -> np.ndarray:
        """Sum per group with pandas' ``sum(min_count=1)`` result (empty groups NaN).

        Counts (whole numbers below 2**53) are added exactly in any order, so a plain
        running sum is used; other values go through pandas, whose compensated
        (Kahan) summation the earlier version relied on.
        """
        present = ~np.isnan(x)
        n = np.bincount(key, weights=present, minlength=ngroups)
        if self.exact_sums:
            total = np.bincount(key, weights=np.where(present, x, 0.0), minlength=ngroups)
            total = total.astype("float64")
        else:
            sums = pd.Series(x).groupby(key, sort=True).sum()
            total = np.zeros(ngroups)
            total[sums.index.to_numpy()] = sums.to_numpy()
        total[n == 0] = np.nan
        return total


def _prepare(
    data: pd.DataFrame, org_unit: str, period: str, data_element: str, value: str
) -> _Routine:
    """Check the routine data and code them once, for every check."""
    require_columns(data, [org_unit, period, data_element, value], "the routine data", COLUMNS_TODO)
    month, period_array = _monthly(data[period], "routine data", period)
    x = as_number(data[value], "routine data", value).to_numpy(dtype="float64")
    ou, ou_uniques = _factorize(data[org_unit])
    de, de_uniques = _factorize(data[data_element])
    finite = x[np.isfinite(x)]
    exact = bool(np.all(np.mod(finite, 1.0) == 0)) and float(np.abs(finite).sum()) < 2.0**52
    exact = exact and len(finite) == int((~np.isnan(x)).sum())  # no infinite values
    return _Routine(
        ou_array=data[org_unit].array,
        de_array=data[data_element].array,
        period_array=period_array,
        ou=ou,
        ou_uniques=ou_uniques,
        de=de,
        de_uniques=de_uniques,
        month=month,
        value=x,
        exact_sums=exact,
    )


def _dense(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Renumber non-negative integer keys 0, 1, 2, ... keeping their order.

    Returns the new codes and the distinct keys, sorted.
    """
    if size <= 8 * len(key) + 1_000_000:
        used = np.zeros(size, dtype=bool)
        used[key] = True
        distinct = np.flatnonzero(used)
        renumber = np.cumsum(used, dtype=np.int64) - 1
        return renumber[key], distinct
    codes, distinct = pd.factorize(key, sort=True)
    return codes.astype(np.int64), np.asarray(distinct, dtype=np.int64)


def _wide(frame: pd.DataFrame, index: list[str], column: str, wanted: list) -> pd.DataFrame:
    """Sum ``value`` into one column per ``wanted`` item; all-missing cells stay missing."""
    sums = frame.groupby(index + [column], sort=True, observed=True)["value"].sum(min_count=1)
    return sums.unstack(column).reindex(columns=wanted)


def _fmt(values: pd.Series, spec: str = "{:,.0f}") -> pd.Series:
    """Numbers as text; each distinct number is formatted once (fast on big tables)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype="float64"), use_na_sentinel=True)
    texts = np.array([spec.format(u) for u in uniques] + ["unknown"], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype=object)


def _text(values: pd.Series) -> pd.Series:
    """``values.astype(str)``, converting each distinct value once (periods are slow)."""
    if not isinstance(values.dtype, pd.PeriodDtype):
        return values.astype(str)
    codes, uniques = pd.factorize(values.array, use_na_sentinel=False)
    texts = pd.Series(uniques).astype(str).to_numpy(dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype=object)


_NO_DATA_TEXT = {
    "outlier_sd": "Too few values, or all equal: cannot be tested.",
    "outlier_modified_z": "All values equal: cannot be tested.",
    "consistency_over_time": "Cannot compare: a year has no data, or the earlier total is zero.",
    "related_indicators": "Cannot compare: the second indicator is zero or missing.",
    "internal_check": "Cannot check: one of the two values is missing.",
    "reporting_completeness": "No reports expected: cannot compute.",
    "reporting_timeliness": "No reports to count: cannot compute.",
    "data_element_completeness": "No reports received: cannot compute.",
    "external_comparison": "No survey value to compare with.",
    "denominator_consistency": "Cannot compare: the second estimate is zero or missing.",
    "coverage_over_100": "No coverage value.",
}


def _frame_rows(frame: pd.DataFrame):
    """Row picker for :func:`_result` over a frame holding every checked row."""

    def columns(rows: np.ndarray) -> dict:
        return {
            "org_unit": frame["org_unit"].array.take(rows),
            "period": frame["period"].array.take(rows) if "period" in frame else None,
            "data_element": frame["data_element"].array.take(rows)
            if "data_element" in frame
            else None,
            "value": np.asarray(frame["value"], dtype="float64")[rows],
        }

    return columns


def _result(
    frame,
    rule: str,
    threshold,
    statistic,
    severity: np.ndarray,
    message_fn,
    flagged_only: bool,
    no_data_text: str | None = None,
) -> pd.DataFrame:
    """Assemble the standard result table.

    ``frame`` holds every checked row, or is a function that gives the columns
    ``org_unit``, ``period``, ``data_element`` and ``value`` for an array of row
    numbers (so that only the rows returned are ever built). ``severity`` holds
    the codes ``_S_OK`` ... ``_S_EXTREME``. ``message_fn`` receives the flagged rows
    only (in their original order) and returns their messages; other rows get a
    fixed text, so building a full table costs little even for millions of rows.
    """
    columns = _frame_rows(frame) if isinstance(frame, pd.DataFrame) else frame
    severity = np.asarray(severity, dtype=np.int8)
    bad = severity >= _S_FLAGGED
    rows = np.flatnonzero(bad) if flagged_only else np.arange(len(severity))
    cols = columns(rows)
    out = pd.DataFrame(
        {
            "org_unit": cols["org_unit"],
            "period": cols["period"],
            "data_element": cols["data_element"],
            "value": np.asarray(cols["value"], dtype="float64"),
            "rule": rule,
            "threshold": np.asarray(threshold, dtype="float64")[rows]
            if np.ndim(threshold)
            else float(threshold),
            "statistic": np.asarray(statistic, dtype="float64")[rows],
            "severity": pd.array(_SEVERITY_TEXT[severity[rows]], dtype="str"),
        }
    )
    if flagged_only:
        out["message"] = message_fn(out).astype("str") if len(out) else pd.Series([], dtype="str")
    else:
        text = np.full(len(out), "Passed this check.", dtype=object)
        text[severity == _S_NO_DATA] = no_data_text or _NO_DATA_TEXT[rule]
        if bad.any():
            text[bad] = message_fn(out[bad].reset_index(drop=True)).to_numpy(dtype=object)
        out["message"] = pd.array(text, dtype="str")
    out["rule"] = out["rule"].astype("str")
    return out[RESULT_COLUMNS]


def _empty_result() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="object") for c in RESULT_COLUMNS})


def _row_columns(prep: _Routine):
    """Row picker for :func:`_result` over the rows of the routine data."""

    def columns(rows: np.ndarray) -> dict:
        return {
            "org_unit": prep.ou_array.take(rows),
            "period": prep.periods(rows),
            "data_element": prep.de_array.take(rows),
            "value": prep.value[rows],
        }

    return columns


#: The two rates are percentages, not counts: they are set aside, not used.
DHIS2_REPORTING_METRICS: dict[str, str | None] = {
    "EXPECTED_REPORTS": "expected",
    "ACTUAL_REPORTS": "received",
    "ACTUAL_REPORTS_ON_TIME": "on_time",
    "REPORTING_RATE": None,
    "REPORTING_RATE_ON_TIME": None,
}
_METRIC_ID = re.compile(
    r"^(?P<ds>.+)\.(?P<m>EXPECTED_REPORTS|ACTUAL_REPORTS_ON_TIME|ACTUAL_REPORTS"
    r"|REPORTING_RATE_ON_TIME|REPORTING_RATE)$"
)
_METRIC_NAME = re.compile(
    r"^(?P<ds>.*?)[\s\-–:]*(?P<m>actual reports on time|actual reports|expected reports"
    r"|reporting rate on time|reporting rate)\s*(?:\(%\))?$",
    re.IGNORECASE,
)


def split_reporting(
    data: pd.DataFrame,
    *,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Separate the reporting figures of a DHIS2 download from its service values.

    A DHIS2 download can hold, beside the data elements, the reporting metrics
    of a data set (:data:`DHIS2_REPORTING_METRICS`): expected reports, actual
    reports and actual reports on time, by org unit and period. These are what
    WHO's completeness and timeliness of reporting need (WHO, *Data quality
    review, Module 1*, 2017). Returns ``(service, reporting)``: the rows that are
    not reporting metrics, and a reporting table with ``org_unit``, ``period``,
    ``dataset``, ``expected``, ``received`` and, when the download has it,
    ``on_time`` (one row per org unit, period and data set). ``reporting`` is
    None when the download lacks expected or actual reports. Reporting rates
    (percentages) are left out of both. ``data`` is not changed.
    """
    require_columns(data, [org_unit, period, data_element, value], "the download", COLUMNS_TODO)
    names = data[data_element].astype("string").fillna("").str.strip()
    by_id = names.str.extract(_METRIC_ID)
    by_name = names.str.extract(_METRIC_NAME)
    metric = by_id["m"].fillna(by_name["m"].str.upper().str.replace(" ", "_"))
    dataset = by_id["ds"].fillna(by_name["ds"]).str.strip()
    dataset = dataset.mask(dataset.fillna("") == "", "reports")
    is_metric = metric.notna().to_numpy()
    service = data.loc[~is_metric].copy()
    if not is_metric.any():
        return service, None
    column = metric[is_metric].map(DHIS2_REPORTING_METRICS)
    counts = pd.DataFrame(
        {
            "org_unit": data.loc[is_metric, org_unit].to_numpy(),
            "period": data.loc[is_metric, period].to_numpy(),
            "dataset": dataset[is_metric].to_numpy(),
            "column": column.to_numpy(),
            "value": as_number(data.loc[is_metric, value], "download", value).to_numpy(),
        }
    ).dropna(subset=["column"])
    if not {"expected", "received"} <= set(counts["column"]):
        return service, None
    reporting = counts.pivot_table(
        index=["org_unit", "period", "dataset"],
        columns="column",
        values="value",
        aggfunc="sum",
        sort=True,
    ).reset_index()
    reporting.columns.name = None
    # A month with reports expected but no "actual reports" row received none.
    reporting["received"] = reporting["received"].fillna(0.0)
    reporting = reporting.dropna(subset=["expected"])
    if "on_time" in reporting:
        reporting["on_time"] = reporting["on_time"].fillna(0.0)
    keep = ["org_unit", "period", "dataset", "expected", "received"]
    keep += ["on_time"] if "on_time" in reporting else []
    return service, reporting[keep].reset_index(drop=True)
