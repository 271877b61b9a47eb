"""Data quality review of routine health facility data.

This module follows the desk review described by the World Health Organization in
*Data quality review: a toolkit for facility data quality assessment. Module 2: Desk
review of data quality* (WHO, Geneva, 2017), with metric definitions from *Module 1:
Framework and metrics* (WHO, 2017). The same checks are offered by the WHO Data
Quality Tool for DHIS2 (University of Oslo, HISP Centre, with WHO).

The four dimensions of the review, and the functions that check them:

=================================  ===============================================
Dimension                          Functions
=================================  ===============================================
1. Completeness and timeliness     :func:`reporting_completeness`,
                                   :func:`reporting_timeliness`,
                                   :func:`data_element_completeness`
2. Internal consistency            :func:`outliers_sd`, :func:`outliers_modified_z`,
                                   :func:`consistency_over_time`,
                                   :func:`consistency_between`,
                                   :func:`internal_checks`
3. External comparison             :func:`external_comparison`
4. Consistency of population data  :func:`denominator_consistency`,
                                   :func:`coverage_over_100`
=================================  ===============================================

:func:`review` runs them all and adds the one-page summary.

Input shape. Routine data are "tidy long": one row per org unit, period and data
element, with the columns ``org_unit``, ``period`` (a monthly :class:`pandas.Period`;
text such as ``"2024-01"`` is also accepted), ``data_element`` and ``value``. Every
column name is a parameter. Reporting data have ``org_unit``, ``period``,
``expected``, ``received`` and either ``on_time`` or both ``submitted_on`` and
``deadline``.

Results. Every check returns a new DataFrame with the columns in
:data:`RESULT_COLUMNS`: ``org_unit, period, data_element, value, rule, threshold,
statistic, severity, message``. ``rule`` names the check (see :data:`RULES`),
``statistic`` is the number the rule looked at (a z-score, a ratio, a percentage),
``threshold`` the limit it was compared with, and ``message`` says in plain words
why the row was flagged. By default only flagged rows are returned; with
``flagged_only=False`` every checked row is returned, with severity ``"ok"`` when it
passed and ``"no_data"`` when it could not be checked (for example a zero
denominator).

The checks never change the data they are given.

Speed. :func:`review` reads and codes the data once (org units, data elements and
months become integer codes) and shares that work between the checks; messages are
written only for flagged rows. A national table of 7.2 million values (10,000
facilities, 36 months, 20 data elements) is reviewed in seconds on a laptop; see
``benchmarks/bench_quality.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from phcpm.errors import InputError

__all__ = [
    "RESULT_COLUMNS",
    "RULES",
    "SUMMARY_COLUMNS",
    "WHO_DEFAULTS",
    "ReviewResult",
    "consistency_between",
    "consistency_over_time",
    "coverage_over_100",
    "data_element_completeness",
    "denominator_consistency",
    "external_comparison",
    "filter_flags",
    "split_reporting",
    "internal_checks",
    "outliers_modified_z",
    "outliers_sd",
    "reporting_completeness",
    "reporting_timeliness",
    "review",
]

#: Columns of every result table, in this order.
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

# Severities are small integer codes inside the checks; text only in the result tables.
_S_OK, _S_NO_DATA, _S_FLAGGED, _S_MODERATE, _S_EXTREME = range(5)
_SEVERITY_TEXT = np.array([_OK, _NO_DATA, _FLAGGED, _MODERATE, _EXTREME], dtype=object)
_NAT = np.iinfo(np.int64).min  # how pandas stores a missing period
_MONTH = pd.PeriodDtype("M")
_YEAR = pd.PeriodIndex([], freq="M").asfreq("Y", how="end").dtype  # years ending in December


# --------------------------------------------------------------------------- helpers
def _need_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            f"The {what} is not a table", todo="Give a pandas DataFrame (a table of rows)"
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        have = ", ".join(f"'{c}'" for c in df.columns) or "none"
        raise InputError(
            f"The {what} has no column {names}",
            where=f"the {what} (its columns are: {have})",
            todo="Rename your columns, or tell the function which column to use",
        )


def _as_number(series: pd.Series, what: str, column: str) -> pd.Series:
    """A float copy of a column; text that is not a number raises InputError."""
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
    :func:`_as_monthly_period`.
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


def _as_monthly_period(series: pd.Series, what: str, column: str) -> pd.Series:
    """Periods as a monthly Period column; text like '2024-01' is converted."""
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
    _need_columns(data, [org_unit, period, data_element, value], "routine data")
    month, period_array = _monthly(data[period], "routine data", period)
    x = _as_number(data[value], "routine data", value).to_numpy(dtype="float64")
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


# ------------------------------------------------------------------------ outliers
def _groups(prep: _Routine, window: str) -> tuple[np.ndarray, int]:
    """Group number (0, 1, 2, ...) of every value: its org unit and data element, and
    its calendar year with ``window="year"``; missing names form groups of their own."""
    key = (prep.ou + 1) * (prep.n_de + 1) + (prep.de + 1)
    size = (prep.n_ou + 1) * (prep.n_de + 1)
    if window == "year":
        known = prep.month != _NAT
        year = np.where(known, prep.month // 12, 0)
        first = int(year[known].min()) if known.any() else 0
        span = int(year[known].max()) - first + 2 if known.any() else 1
        key = key * span + np.where(known, year - first + 1, 0)
        size *= span
    elif window != "all":
        raise InputError(
            f"Unknown window {window!r}", todo="Use window='all' (every period) or 'year'"
        )
    key, distinct = _dense(key, size)
    return key, len(distinct)


def _sd_scores(
    x: np.ndarray, key: np.ndarray, ngroups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, SD (n - 1) and z of every value within its group; NaN values are ignored."""
    present = ~np.isnan(x)
    n = np.bincount(key, weights=present, minlength=ngroups)
    total = np.bincount(key, weights=np.where(present, x, 0.0), minlength=ngroups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        dev = np.where(present, x - mean[key], 0.0)
        ss = np.bincount(key, weights=dev * dev, minlength=ngroups)
        sd = np.sqrt(ss / (n - 1))
        sd[n < 2] = np.nan
        z = (x - mean[key]) / sd[key]
    z[sd[key] == 0] = np.nan  # all values equal: nothing stands out
    return mean[key], sd[key], z


def _sd_core(prep: _Routine, moderate: float, extreme: float, window: str):
    key, ngroups = _groups(prep, window)
    mean, sd, z = _sd_scores(prep.value, key, ngroups)
    absz = np.abs(z)
    severity = np.full(len(z), _S_OK, dtype=np.int8)
    severity[np.isnan(z)] = _S_NO_DATA
    severity[absz >= moderate] = _S_MODERATE
    severity[absz >= extreme] = _S_EXTREME
    return mean, sd, z, severity


def _sd_result(prep, mean, sd, z, severity, moderate, extreme, flagged_only):
    idx = np.flatnonzero(severity >= _S_FLAGGED)

    def messages(out: pd.DataFrame) -> pd.Series:
        m = out["statistic"]
        direction = np.where(m > 0, "above", "below")
        text = (
            out["severity"].str.capitalize()
            + " outlier: "
            + _fmt(out["value"])
            + " is "
            + _fmt(m.abs(), "{:.1f}")
            + " standard deviations "
            + direction
            + " the average of "
            + _fmt(pd.Series(mean[idx], index=out.index), "{:,.1f}")
            + " (SD "
            + _fmt(pd.Series(sd[idx], index=out.index), "{:,.1f}")
            + ") for "
            + out["data_element"].astype(str)
            + " in "
            + out["org_unit"].astype(str)
            + ", "
            + _text(out["period"])
            + ". Check the register and the report for this month."
        )
        return text

    threshold = np.where(np.abs(z) >= extreme, extreme, moderate)
    return _result(_row_columns(prep), "outlier_sd", threshold, z, severity, messages, flagged_only)


def outliers_sd(
    data: pd.DataFrame,
    *,
    moderate: float = WHO_DEFAULTS["outlier_moderate_sd"],
    extreme: float = WHO_DEFAULTS["outlier_extreme_sd"],
    window: str = "all",
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """Values far from the mean of their own series (WHO DQR outlier metric).

    Source: WHO, *Data quality review, Module 1: Framework and metrics* and *Module 2:
    Desk review of data quality* (2017), metric "identification of outliers": a
    monthly value is an *extreme* outlier when it lies at least 3 standard
    deviations from the mean of its series and a *moderate* outlier when it lies
    between 2 and 3 standard deviations from it.

    Convention: the series is one org unit and one data element over every period
    given (``window="all"``), or over each calendar year (``window="year"``). The
    mean and the standard deviation (sample SD, divisor ``n - 1``) are computed from
    the whole series *including the value being tested*, as the WHO Data Quality
    Tool does (its ``getVariance`` divides by ``n - 1``; the z-score of every value
    uses the statistics of the whole series). A value is flagged when
    ``|z| >= moderate`` (``>= extreme`` makes it extreme); z is not rounded.
    Missing values are skipped. When all values are equal (SD = 0) or fewer than two
    are present, nothing can be flagged (severity ``"no_data"`` with
    ``flagged_only=False``). ``threshold`` is the limit that was crossed.

    Because the tested value is inside the mean and SD, ``|z|`` cannot exceed
    ``(n - 1) / sqrt(n)``: a series needs at least 6 values to show a moderate
    outlier and at least 11 to show an extreme one. Use :func:`outliers_modified_z`
    for short series.
    """
    if not 0 < moderate <= extreme:
        raise InputError(
            "The outlier limits are in the wrong order",
            todo="Give 0 < moderate <= extreme, for example 2 and 3",
        )
    prep = _prepare(data, org_unit, period, data_element, value)
    if not len(prep):
        return _empty_result()
    mean, sd, z, severity = _sd_core(prep, moderate, extreme, window)
    return _sd_result(prep, mean, sd, z, severity, moderate, extreme, flagged_only)


class _Layout:
    """Values of each group side by side in one row of a matrix, to sort them at once.

    Series in routine data are short (a few dozen months), so sorting every row of a
    groups x longest-series matrix is much faster than a grouped median. When the
    groups differ too much in length the matrix would be mostly padding, and
    :meth:`median` falls back on pandas.
    """

    def __init__(self, key: np.ndarray, ngroups: int, spare: int = 100_000):
        self.key, self.ngroups = key, ngroups
        counts = np.bincount(key, minlength=ngroups)
        self.width = int(counts.max()) if len(key) else 0
        self.fits = ngroups * self.width <= 3 * len(key) + spare
        if self.fits:
            self.order = np.argsort(key, kind="stable")
            sorted_key = key[self.order]
            start = np.cumsum(counts) - counts
            self.cells = sorted_key * self.width + (np.arange(len(key)) - start[sorted_key])

    def median(self, x: np.ndarray) -> np.ndarray:
        """Median of the non-missing values of each group (NaN if none), per group.

        Convention of pandas: the middle value, or the mean of the two middle ones
        computed as (upper + lower) / 2.
        """
        if not self.fits:
            med = pd.Series(x).groupby(self.key).median()
            out = np.full(self.ngroups, np.nan)
            out[med.index.to_numpy()] = med.to_numpy()
            return out
        matrix = np.full(self.ngroups * self.width, np.nan)
        matrix[self.cells] = x[self.order]
        matrix = matrix.reshape(self.ngroups, self.width)
        matrix.sort(axis=1)  # missing values go last
        n = np.bincount(self.key, weights=~np.isnan(x), minlength=self.ngroups).astype(np.int64)
        rows = np.arange(self.ngroups)
        lower = matrix[rows, np.maximum((n - 1) // 2, 0)]
        upper = matrix[rows, np.maximum(n // 2, 0)]
        out = np.where(n % 2 == 1, lower, (upper + lower) / 2)
        out[n == 0] = np.nan
        return out


def _modified_z(
    x: np.ndarray, key: np.ndarray, ngroups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, scale and modified z-score per value within its group."""
    layout = _Layout(key, ngroups)
    median = layout.median(x)[key]
    absdev = np.abs(x - median)
    mad = layout.median(absdev)[key]
    present = ~np.isnan(x)
    n = np.bincount(key, weights=present, minlength=ngroups)
    adsum = np.bincount(key, weights=np.where(present, absdev, 0.0), minlength=ngroups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_ad = (adsum / n)[key]
        z_mad = _MAD_FACTOR * (x - median) / mad
        z_mean = (x - median) / (_MEAN_AD_FACTOR * mean_ad)
    use_mean = mad == 0
    z = np.where(use_mean, z_mean, z_mad)
    z[use_mean & (mean_ad == 0)] = np.nan  # all values equal
    scale = np.where(use_mean, mean_ad, mad)
    return median, scale, z


def _mz_core(prep: _Routine, cutoff: float, window: str):
    key, ngroups = _groups(prep, window)
    median, _, z = _modified_z(prep.value, key, ngroups)
    severity = np.full(len(z), _S_OK, dtype=np.int8)
    severity[np.isnan(z)] = _S_NO_DATA
    severity[np.abs(z) > cutoff] = _S_FLAGGED
    return median, z, severity


def _mz_result(prep, median, z, severity, cutoff, flagged_only):
    idx = np.flatnonzero(severity >= _S_FLAGGED)

    def messages(out: pd.DataFrame) -> pd.Series:
        med = pd.Series(median[idx], index=out.index)
        direction = np.where(out["statistic"] > 0, "above", "below")
        text = (
            "Outlier: "
            + _fmt(out["value"])
            + " is far "
            + direction
            + " the usual value of "
            + _fmt(med, "{:,.1f}")
            + " (modified z-score "
            + _fmt(out["statistic"], "{:.1f}")
            + ") for "
            + out["data_element"].astype(str)
            + " in "
            + out["org_unit"].astype(str)
            + ", "
            + _text(out["period"])
            + ". Check the register and the report for this month."
        )
        return text

    return _result(
        _row_columns(prep), "outlier_modified_z", cutoff, z, severity, messages, flagged_only
    )


def outliers_modified_z(
    data: pd.DataFrame,
    *,
    cutoff: float = WHO_DEFAULTS["modified_z_cutoff"],
    window: str = "all",
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """Values far from the median of their own series (modified z-score).

    Source: Iglewicz B, Hoaglin DC. *How to detect and handle outliers.* ASQC Basic
    References in Quality Control, vol. 16, 1993: ``M = 0.6745 (x - median) / MAD``,
    where MAD is the median of the absolute deviations from the median; values
    with ``|M| > 3.5`` are potential outliers. The WHO Data Quality Tool for DHIS2
    offers the same score as its robust alternative to the SD method.

    Convention: series as in :func:`outliers_sd` (one org unit and data element,
    all periods or each calendar year, including the tested value). Medians of an
    even number of values are the mean of the two middle ones. When MAD is 0
    (half or more of the values are equal) the score uses the mean absolute
    deviation from the median instead: ``M = (x - median) / (1.253314 MeanAD)``,
    the documented fallback (IBM SPSS Statistics algorithms, after Iglewicz and
    Hoaglin; 1.253314 = sqrt(pi/2)). The WHO Data Quality Tool's own code computes
    this fallback in a branch that never runs; here it is applied as documented.
    A value is flagged when ``|M| > cutoff`` (strictly). If every value is equal,
    nothing is flagged (severity ``"no_data"`` with ``flagged_only=False``).
    """
    if cutoff <= 0:
        raise InputError("The cut-off must be above zero", todo="Use 3.5, the usual value")
    prep = _prepare(data, org_unit, period, data_element, value)
    if not len(prep):
        return _empty_result()
    median, z, severity = _mz_core(prep, cutoff, window)
    return _mz_result(prep, median, z, severity, cutoff, flagged_only)


# --------------------------------------------------------------- consistency
def _relative_flags(
    ratio: np.ndarray, expected: np.ndarray | float, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = ratio / expected - 1.0
    # A ratio exactly at the limit passes ("more than 33 %"); the tiny margin keeps
    # 1.1 / 1.0 - 1 = 0.10000000000000009 from counting as "more than 10 %".
    over = np.abs(rel) > limit + 1e-9
    severity = np.where(np.isnan(rel), _S_NO_DATA, np.where(over, _S_FLAGGED, _S_OK))
    return severity.astype(np.int8), rel


def _forecast(matrix: np.ndarray) -> np.ndarray:
    """Least-squares straight line through each row (x = 0..k-1), read at x = k.

    Same as the WHO Data Quality Tool's forecast (``regression('linear')`` on the
    preceding years, extended by one year).
    """
    k = matrix.shape[1]
    x = np.arange(k, dtype="float64")
    xbar = x.mean()
    ybar = matrix.mean(axis=1)
    sxx = ((x - xbar) ** 2).sum()
    slope = ((matrix - ybar[:, None]) * (x - xbar)).sum(axis=1) / sxx if k > 1 else 0.0
    return ybar + slope * (k - xbar)


def consistency_over_time(
    data: pd.DataFrame,
    *,
    year: int | None = None,
    years: int = WHO_DEFAULTS["consistency_over_time_years"],
    method: str = "mean",
    threshold: float = WHO_DEFAULTS["consistency_over_time"],
    compare_to: str = "expected",
    data_elements: Sequence[str] | None = None,
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """This year's total compared with the preceding years (WHO DQR metric).

    Source: WHO, *Data quality review, Module 2: Desk review of data quality* (2017),
    metric "consistency over time": the ratio of the current year's value to the
    mean of the three preceding years; a ratio more than 33 % away from the
    comparison value is flagged. The alternative for indicators with a steady trend
    compares the current year with the value forecast by a straight line through
    the preceding years (``method="trend"``; WHO Data Quality Tool).

    Convention: yearly totals are sums of the monthly values of each calendar year
    (missing months are not filled in, so a year with missing reports looks low:
    check completeness first). ``year`` defaults to the latest year in the data.
    All ``years`` preceding years must have data, otherwise the row is
    ``"no_data"``; a reference of 0 also gives ``"no_data"``.
    ``compare_to="expected"`` flags ``|ratio - 1| > threshold``; ``"overall"`` flags
    ``|ratio / overall ratio - 1| > threshold``, the overall ratio being that of all
    org units added together (the DQR subnational comparison with the national
    ratio). ``statistic`` is the org unit's ratio.
    """
    if method not in ("mean", "trend"):
        raise InputError(
            f"Unknown method {method!r}", todo="Use method='mean' (average) or 'trend'"
        )
    if compare_to not in ("expected", "overall"):
        raise InputError(
            f"Unknown comparison {compare_to!r}", todo="Use compare_to='expected' or 'overall'"
        )
    if years < 1:
        raise InputError("At least one earlier year is needed", todo="Use years=3")
    prep = _prepare(data, org_unit, period, data_element, value)
    return _over_time(
        prep, year, years, method, threshold, compare_to, data_elements, flagged_only
    )[0]


def _cells(prep: _Routine, rows: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense code of every selected row's (org unit, time) cell, cells in sorted order.

    Returns the cell code of each row in ``rows`` and, per cell, the org unit code
    and the time number (month or year ordinal).
    """
    first = int(time.min()) if len(time) else 0
    span = int(time.max()) - first + 1 if len(time) else 1
    key = prep.ou[rows] * span + (time - first)
    code, distinct = _dense(key, prep.n_ou * span)
    return code, np.stack([distinct // span, distinct % span + first])


def _over_time(prep, year, years, method, threshold, compare_to, data_elements, flagged_only):
    """Table of :func:`consistency_over_time`, and (severity, data element codes)."""
    select = np.ones(len(prep), dtype=bool)
    if data_elements is not None:
        select = np.isin(prep.de, prep.element_codes(data_elements))
        if not select.any():
            return _empty_result(), None
    elif not len(prep):
        return _empty_result(), None
    select &= (prep.ou >= 0) & (prep.de >= 0) & (prep.month != _NAT)
    rows = np.flatnonzero(select)
    cal = prep.month[rows] // 12 + 1970  # calendar year
    current = int(cal.max()) if year is None else int(year)
    wanted = list(range(current - years, current + 1))
    pair, pairs = _dense(prep.ou[rows] * prep.n_de + prep.de[rows], prep.n_ou * prep.n_de)
    inside = (cal >= wanted[0]) & (cal <= current)
    k = years + 1
    cell = pair[inside] * k + (cal[inside] - wanted[0])
    wide = prep.group_sum(prep.value[rows][inside], cell, len(pairs) * k).reshape(len(pairs), k)
    past = wide[:, :-1]
    now = wide[:, -1]
    pair_ou, pair_de = pairs // prep.n_de, pairs % prep.n_de
    complete = ~np.isnan(past).any(axis=1)
    reference = past.mean(axis=1) if method == "mean" else _forecast(past)
    reference = np.where(complete, reference, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(reference != 0, now / reference, np.nan)
    if compare_to == "overall":
        ok = ~np.isnan(ratio)
        nsum = pd.Series(np.where(ok, now, 0.0)).groupby(pair_de).transform("sum")
        rsum = pd.Series(np.where(ok, reference, 0.0)).groupby(pair_de).transform("sum")
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = (nsum / rsum).to_numpy()
    else:
        expected = np.ones(len(ratio))
    severity, _ = _relative_flags(ratio, expected, threshold)
    label = pd.Period(year=current, freq="Y")

    def columns(rows: np.ndarray) -> dict:
        return {
            "org_unit": prep.ou_uniques.take(pair_ou[rows]),
            "period": label,
            "data_element": prep.de_uniques.take(pair_de[rows]),
            "value": now[rows],
        }

    what = "the average of the" if method == "mean" else "the trend of the"
    idx = np.flatnonzero(severity >= _S_FLAGGED)

    def messages(out: pd.DataFrame) -> pd.Series:
        ref = pd.Series(reference[idx], index=out.index)
        exp = pd.Series(expected[idx], index=out.index)
        direction = np.where(out["statistic"] > exp, "higher", "lower")
        text = (
            out["data_element"].astype(str)
            + " in "
            + out["org_unit"].astype(str)
            + f": {current} total "
            + _fmt(out["value"])
            + " is "
            + direction
            + f" than expected from {what} {years} previous years ("
            + _fmt(ref)
            + "); ratio "
            + _fmt(out["statistic"], "{:.2f}")
            + " against "
            + _fmt(exp, "{:.2f}")
            + f" (allowed ±{threshold * 100:.0f} %). Look for missing or extra reports."
        )
        return text

    table = _result(
        columns,
        "consistency_over_time",
        threshold,
        ratio,
        severity,
        messages,
        flagged_only,
        f"Cannot compare: {current} or one of the {years} previous years has no data, "
        "or the earlier total is zero.",
    )
    return table, (severity, pair_de)


def consistency_between(
    data: pd.DataFrame,
    numerator: str = "ANC1",
    denominator: str = "PENTA1",
    *,
    expected_ratio: float = 1.0,
    tolerance: float = WHO_DEFAULTS["related_indicators"],
    compare_to: str = "expected",
    by: str = "year",
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """Ratio of two related indicators (WHO DQR "consistency between indicators").

    Source: WHO, *Data quality review, Module 2: Desk review of data quality* (2017):
    indicators that should move together, such as ANC1 and the first dose of
    pentavalent vaccine (PENTA1), are compared; with ``expected_ratio=1`` a ratio
    more than 10 % away from 1 is flagged.

    Convention: ``by="year"`` compares calendar-year totals (the DQR way; monthly
    ratios swing with vaccination sessions), ``by="period"`` compares month by
    month. ``compare_to="overall"`` uses the ratio of all org units together as the
    expected ratio (the DQR subnational comparison with the national ratio).
    A zero or missing denominator gives ``"no_data"``. ``value`` is the numerator
    total and ``statistic`` the ratio.
    """
    if by not in ("year", "period"):
        raise InputError(f"Unknown grouping {by!r}", todo="Use by='year' or by='period'")
    prep = _prepare(data, org_unit, period, data_element, value)
    return _between(
        prep, numerator, denominator, expected_ratio, tolerance, compare_to, by, flagged_only
    )


def _between(
    prep,
    numerator,
    denominator,
    expected_ratio,
    tolerance,
    compare_to,
    by,
    flagged_only,
    full=False,
):
    """Table of :func:`consistency_between`; with ``full=True`` also the severity codes."""
    codes = prep.element_codes([numerator, denominator])
    select = np.isin(prep.de, codes[codes >= 0])
    if not select.any():
        return (_empty_result(), np.zeros(0, dtype=np.int8)) if full else _empty_result()
    rows = np.flatnonzero(select & (prep.ou >= 0) & (prep.month != _NAT))
    time = prep.month[rows] // 12 if by == "year" else prep.month[rows]  # period ordinals
    cell, keys = _cells(prep, rows, time)
    ncells = keys.shape[1]
    de, x = prep.de[rows], prep.value[rows]
    num = prep.group_sum(x[de == codes[0]], cell[de == codes[0]], ncells)
    den = prep.group_sum(x[de == codes[1]], cell[de == codes[1]], ncells)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    if compare_to == "overall":
        ok = ~np.isnan(ratio)
        ns = pd.Series(np.where(ok, num, 0.0)).groupby(keys[1]).transform("sum").to_numpy()
        ds = pd.Series(np.where(ok, den, 0.0)).groupby(keys[1]).transform("sum").to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = ns / ds
    elif compare_to == "expected":
        expected = np.full(len(ratio), float(expected_ratio))
    else:
        raise InputError(
            f"Unknown comparison {compare_to!r}", todo="Use compare_to='expected' or 'overall'"
        )
    severity, _ = _relative_flags(ratio, expected, tolerance)
    time_dtype = _YEAR if by == "year" else prep.month_dtype()

    def columns(rows: np.ndarray) -> dict:
        return {
            "org_unit": prep.ou_uniques.take(keys[0][rows]),
            "period": pd.arrays.PeriodArray(keys[1][rows], dtype=time_dtype),
            "data_element": f"{numerator}/{denominator}",
            "value": num[rows],
        }

    idx = np.flatnonzero(severity >= _S_FLAGGED)

    def messages(out: pd.DataFrame) -> pd.Series:
        d = pd.Series(den[idx], index=out.index)
        e = pd.Series(expected[idx], index=out.index)
        text = (
            f"{numerator} ("
            + _fmt(out["value"])
            + f") and {denominator} ("
            + _fmt(d)
            + ") in "
            + out["org_unit"].astype(str)
            + ", "
            + _text(out["period"])
            + ": ratio "
            + _fmt(out["statistic"], "{:.2f}")
            + ", expected about "
            + _fmt(e, "{:.2f}")
            + f" (±{tolerance * 100:.0f} %). One of the two counts may be wrong."
        )
        return text

    table = _result(
        columns,
        "related_indicators",
        tolerance,
        ratio,
        severity,
        messages,
        flagged_only,
        f"Cannot compare: {denominator} is zero or missing.",
    )
    return (table, severity) if full else table


def internal_checks(
    data: pd.DataFrame,
    pairs: Sequence[tuple[str, str]] = (("ANC4", "ANC1"), ("PENTA3", "PENTA1")),
    *,
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """A part larger than its whole in the same month (numerator <= denominator).

    Source: WHO, *Data quality review, Module 2* (2017), internal consistency:
    women with four antenatal visits are a subset of those with a first visit
    (ANC4 <= ANC1) and third doses cannot outnumber first doses for a cohort
    (PENTA3 <= PENTA1). Each pair is ``(part, whole)``.

    Convention: checked per org unit and month; ``statistic`` is part / whole and
    ``threshold`` is 1. Months with either value missing are ``"no_data"``; a whole
    of 0 with a part above 0 is flagged (ratio infinite). Month by month a third
    dose can legitimately exceed first doses given in the same month; read the flags
    together with yearly totals.
    """
    prep = _prepare(data, org_unit, period, data_element, value)
    results = [_internal_pair(prep, part, whole, flagged_only)[0] for part, whole in pairs]
    if not results:
        return _empty_result()
    return pd.concat(results, ignore_index=True)


def _internal_pair(prep: _Routine, part: str, whole: str, flagged_only: bool) -> pd.DataFrame:
    """One (part, whole) rule of :func:`internal_checks`: its table and severity codes."""
    codes = prep.element_codes([part, whole])
    select = np.isin(prep.de, codes[codes >= 0]) & (prep.ou >= 0) & (prep.month != _NAT)
    rows = np.flatnonzero(select)
    cell, keys = _cells(prep, rows, prep.month[rows])
    ncells = keys.shape[1]
    de, x = prep.de[rows], prep.value[rows]
    p = prep.group_sum(x[de == codes[0]], cell[de == codes[0]], ncells)
    w = prep.group_sum(x[de == codes[1]], cell[de == codes[1]], ncells)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(w > 0, p / w, np.where(p > 0, np.inf, np.nan))
    severity = np.where(
        np.isnan(p) | np.isnan(w), _S_NO_DATA, np.where(p > w, _S_FLAGGED, _S_OK)
    ).astype(np.int8)
    month_dtype = prep.month_dtype()

    def columns(rows: np.ndarray) -> dict:
        return {
            "org_unit": prep.ou_uniques.take(keys[0][rows]),
            "period": pd.arrays.PeriodArray(keys[1][rows], dtype=month_dtype),
            "data_element": f"{part}<={whole}",
            "value": p[rows],
        }

    idx = np.flatnonzero(severity >= _S_FLAGGED)

    def messages(out):
        wv = pd.Series(w[idx], index=out.index)
        text = (
            f"{part} ("
            + _fmt(out["value"])
            + f") is higher than {whole} ("
            + _fmt(wv)
            + ") in "
            + out["org_unit"].astype(str)
            + ", "
            + _text(out["period"])
            + f". {part} cannot be more than {whole}: check both numbers."
        )
        return text

    table = _result(columns, "internal_check", 1.0, ratio, severity, messages, flagged_only)
    return table, severity


# ------------------------------------------------------ completeness and timeliness
def _reporting(
    reporting: pd.DataFrame,
    org_unit: str,
    period: str,
    expected: str,
    received: str,
    on_time: str,
    submitted_on: str,
    deadline: str,
    dataset: str,
    need_timeliness: bool,
) -> pd.DataFrame:
    _need_columns(reporting, [org_unit, period, expected, received], "reporting data")
    out = pd.DataFrame(
        {
            "org_unit": reporting[org_unit].array,
            "period": reporting[period].array,
            "data_element": reporting[dataset].array if dataset in reporting else "reports",
            "expected": _as_number(reporting[expected], "reporting data", expected).to_numpy(),
            "received": _as_number(reporting[received], "reporting data", received).to_numpy(),
        }
    )
    if need_timeliness:
        if on_time in reporting:
            out["on_time"] = _as_number(reporting[on_time], "reporting data", on_time).to_numpy()
        elif submitted_on in reporting and deadline in reporting:
            sub = pd.to_datetime(reporting[submitted_on], errors="coerce")
            due = pd.to_datetime(reporting[deadline], errors="coerce")
            timely = (sub <= due) & (out["received"].to_numpy() > 0)
            out["on_time"] = np.where(timely, out["received"].to_numpy(), 0.0)
        else:
            raise InputError(
                "The reporting data say nothing about timeliness",
                where=f"the reporting data (no column '{on_time}', or '{submitted_on}' "
                f"and '{deadline}')",
                todo="Add an on-time column, or the submission date and the deadline",
            )
    return out


def _rate_table(
    rep: pd.DataFrame,
    top: str,
    bottom: str,
    threshold: float,
    rule: str,
    flagged_only: bool,
    per_period: bool,
    words: tuple[str, str],
) -> pd.DataFrame:
    keys = ["org_unit", "data_element"] + (["period"] if per_period else [])
    sums = rep.groupby(keys, sort=True, observed=True)[[top, bottom]].sum().reset_index()
    t = sums[top].to_numpy(dtype="float64")
    b = sums[bottom].to_numpy(dtype="float64")
    if not per_period:
        sums["period"] = None
    sums["value"] = t
    return _rate_result(sums, t, b, threshold, rule, flagged_only, per_period, words)[0]


def _rate_result(frame, t, b, threshold, rule, flagged_only, per_period, words):
    """Rows with ``t`` out of ``b``, flagged when the proportion is below ``threshold``.

    Returns the result table and the severity code of every row.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(b > 0, t / b, np.nan)
    severity = np.where(
        np.isnan(rate), _S_NO_DATA, np.where(rate < threshold, _S_FLAGGED, _S_OK)
    ).astype(np.int8)
    idx = np.flatnonzero(severity >= _S_FLAGGED)
    got, of = words

    def messages(out: pd.DataFrame) -> pd.Series:
        bb = pd.Series(b[idx], index=out.index)
        when = "" if not per_period else (", " + _text(out["period"]))
        text = (
            out["org_unit"].astype(str)
            + when
            + f": {got} "
            + _fmt(out["value"])
            + f" of {of} "
            + _fmt(bb)
            + " ("
            + _fmt(out["statistic"] * 100, "{:.0f}")
            + f" %), below the {threshold * 100:.0f} % target."
        )
        return text

    table = _result(frame, rule, threshold, rate, severity, messages, flagged_only)
    return table, severity


def reporting_completeness(
    reporting: pd.DataFrame,
    *,
    threshold: float = WHO_DEFAULTS["reporting_completeness"],
    per_period: bool = False,
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    expected: str = "expected",
    received: str = "received",
    dataset: str = "dataset",
) -> pd.DataFrame:
    """Reports received out of reports expected (WHO DQR completeness of reporting).

    Source: WHO, *Data quality review, Module 1: Framework and metrics* (2017),
    metric "completeness of facility reporting": reports received divided by
    reports expected; an org unit below 90 % is flagged.

    Convention: summed over every period given, per org unit (and per data set if
    the reporting data have a ``dataset`` column, shown in ``data_element``);
    ``per_period=True`` gives one row per month. ``statistic`` is the proportion
    (0.9 = 90 %). Nothing expected gives ``"no_data"``. A unit is flagged when the
    proportion is strictly below the threshold.
    """
    rep = _reporting(reporting, org_unit, period, expected, received, "", "", "", dataset, False)
    return _rate_table(
        rep,
        "received",
        "expected",
        threshold,
        "reporting_completeness",
        flagged_only,
        per_period,
        ("received", "expected"),
    )


def reporting_timeliness(
    reporting: pd.DataFrame,
    *,
    threshold: float = WHO_DEFAULTS["reporting_timeliness"],
    denominator: str = "received",
    per_period: bool = False,
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    expected: str = "expected",
    received: str = "received",
    on_time: str = "on_time",
    submitted_on: str = "submitted_on",
    deadline: str = "deadline",
    dataset: str = "dataset",
) -> pd.DataFrame:
    """Reports received on time (WHO DQR timeliness of reporting).

    Source: WHO, *Data quality review, Module 1: Framework and metrics* (2017),
    metric "timeliness of facility reporting": reports received by the deadline
    divided by reports received; an org unit below 75 % is flagged.

    Convention: ``on_time`` is used when present; otherwise a received report is on
    time when ``submitted_on <= deadline`` (both dates). ``denominator="expected"``
    divides by expected reports instead (the DHIS2 "reporting rate on time").
    Summed over all periods given, per org unit (and data set).
    """
    if denominator not in ("received", "expected"):
        raise InputError(
            f"Unknown denominator {denominator!r}",
            todo="Use denominator='received' or 'expected'",
        )
    rep = _reporting(
        reporting,
        org_unit,
        period,
        expected,
        received,
        on_time,
        submitted_on,
        deadline,
        dataset,
        True,
    )
    return _rate_table(
        rep,
        "on_time",
        denominator,
        threshold,
        "reporting_timeliness",
        flagged_only,
        per_period,
        ("on time", denominator),
    )


def data_element_completeness(
    data: pd.DataFrame,
    reporting: pd.DataFrame | None = None,
    *,
    threshold: float = WHO_DEFAULTS["data_element_completeness"],
    zero_is_missing: bool = False,
    expected: str | pd.DataFrame = "reported",
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
    received: str = "received",
) -> pd.DataFrame:
    """Share of received reports in which a data element is filled in.

    Source: WHO, *Data quality review, Module 1: Framework and metrics* (2017),
    metric "completeness of indicator data": values present divided by reports
    received; below 90 % is flagged. Module 2 notes that zeros may have to be
    treated as missing where a zero is implausible (``zero_is_missing=True``).

    Convention: with ``reporting``, the months counted are those in which the org
    unit's report was received (``received > 0`` for any data set). Without it,
    every month from the first to the last month in the data is expected from
    every org unit. Per org unit and data element; ``statistic`` is the
    proportion.

    Which data elements an org unit is expected to fill in (``expected``): a
    blank cell only counts as missing for a service the unit offers. A
    community clinic that offers no antenatal care leaves ANC blank every month,
    and that is not a data-quality problem.

    * ``"reported"`` (default): an org unit is expected to fill in the data
      elements it filled in at least once in the data reviewed (a value present,
      and not zero when ``zero_is_missing``). Services the unit never reported
      are left out, which also hides a service that is offered but never once
      recorded; give the list of services offered to catch that.
    * a DataFrame with columns ``org_unit`` and ``data_element`` (the names given
      by the ``org_unit`` and ``data_element`` arguments): the services each unit
      offers; only those pairs are counted.
    * ``"all"``: every data element from every org unit (the metric applied
      literally).
    """
    prep = _prepare(data, org_unit, period, data_element, value)
    if not len(prep):
        return _empty_result()
    return _element_completeness(
        prep,
        reporting,
        threshold,
        zero_is_missing,
        flagged_only,
        org_unit,
        period,
        received,
        expected,
        data_element,
    )[0]


def _expected_matrix(expected, units, prep, row_unit, rows, present, org_unit, data_element):
    """Boolean (unit, data element) matrix: is the unit expected to fill in the element?"""
    shape = (len(units), prep.n_de)
    if isinstance(expected, str):
        if expected == "all":
            return np.ones(shape, dtype=bool)
        if expected == "reported":
            ok = rows[present[rows]]
            ever = np.bincount(
                row_unit[ok] * prep.n_de + prep.de[ok], minlength=shape[0] * shape[1]
            )
            return (ever > 0).reshape(shape)
    elif isinstance(expected, pd.DataFrame):
        _need_columns(expected, [org_unit, data_element], "list of services offered")
        u = pd.Index(units).get_indexer(pd.Index(expected[org_unit].astype(str).str.strip()))
        d = pd.Index(prep.de_uniques).get_indexer(
            pd.Index(expected[data_element].astype(str).str.strip())
        )
        keep = (u >= 0) & (d >= 0)
        matrix = np.zeros(shape, dtype=bool)
        matrix[u[keep], d[keep]] = True
        return matrix
    raise InputError(
        "The choice of which data elements each place should fill in is not understood",
        where="the 'expected' setting of the data element completeness check",
        todo="Use 'reported' (the services each place reported at least once), 'all', or a "
        "table of the services each place offers with org unit and data element columns",
    )


def _element_completeness(
    prep,
    reporting,
    threshold,
    zero_is_missing,
    flagged_only,
    org_unit,
    period,
    received,
    expected="reported",
    data_element="data_element",
):
    """Table of :func:`data_element_completeness`, severity codes and data element codes."""
    x = prep.value
    present = ~np.isnan(x)
    if zero_is_missing:
        present &= x != 0
    valid = (prep.ou >= 0) & (prep.de >= 0) & (prep.month != _NAT)
    known = prep.month[prep.month != _NAT]
    lo, hi = (int(known.min()), int(known.max())) if len(known) else (0, 0)
    if reporting is not None:
        _need_columns(reporting, [org_unit, period, received], "reporting data")
        rep_month, _ = _monthly(reporting[period], "reporting data", period)
        got = _as_number(reporting[received], "reporting data", received).to_numpy() > 0
        unit, units = _factorize(reporting[org_unit])
        sent = (unit >= 0) & (rep_month != _NAT) & got
        if sent.any():
            lo, hi = min(lo, int(rep_month[sent].min())), max(hi, int(rep_month[sent].max()))
        span = hi - lo + 1
        # (org unit, month) of every received report, as one number
        sent = np.unique(unit[sent] * span + (rep_month[sent] - lo))
        n_received = np.bincount(sent // span, minlength=len(units)).astype("float64")
        # routine org units as reporting org units (-1 when not in the reporting data)
        as_rep = pd.Index(units).get_indexer(pd.Index(prep.ou_uniques))
        row_unit = np.where(valid, as_rep[np.maximum(prep.ou, 0)], -1)
        cell = np.where(row_unit >= 0, row_unit * span + (prep.month - lo), 0)
        if len(units) * span <= 8 * len(prep) + 1_000_000:
            grid = np.zeros(len(units) * span, dtype=bool)
            grid[sent] = True
            counted = (row_unit >= 0) & grid[cell]
        else:
            counted = (row_unit >= 0) & np.isin(cell, sent)
    else:
        span = hi - lo + 1
        units = prep.ou_uniques
        n_received = np.full(prep.n_ou, float(span))
        row_unit = prep.ou
        counted = valid
    # a repeated (org unit, month, data element) counts once: its first row
    rows = np.flatnonzero(counted)
    key = (prep.ou[rows] * span + (prep.month[rows] - lo)) * prep.n_de + prep.de[rows]
    size = prep.n_ou * span * prep.n_de
    if size <= 8 * len(rows) + 1_000_000:
        repeated = np.bincount(key, minlength=size).max(initial=0) > 1
    else:
        repeated = True
    if repeated:
        rows = rows[~pd.Series(key).duplicated(keep="first").to_numpy()]
    filled = np.bincount(
        row_unit[rows] * prep.n_de + prep.de[rows],
        weights=present[rows],
        minlength=len(units) * prep.n_de,
    ).reshape(len(units), prep.n_de)
    expect = _expected_matrix(
        expected, units, prep, row_unit, rows, present, org_unit, data_element
    )
    expect &= (n_received > 0)[:, None]
    cells = np.flatnonzero(expect.ravel())
    out_unit = cells // prep.n_de
    out_de = cells % prep.n_de
    t = filled[out_unit, out_de].astype("float64")
    b = n_received[out_unit]

    def columns(rows: np.ndarray) -> dict:
        return {
            "org_unit": units.take(out_unit[rows]),
            "period": None,
            "data_element": prep.de_uniques.take(out_de[rows]),
            "value": t[rows],
        }

    return _rate_result(
        columns,
        t,
        b,
        threshold,
        "data_element_completeness",
        flagged_only,
        False,
        ("values filled in", "received"),
    ) + (out_de,)


# ------------------------------------------------------------- external comparison
def external_comparison(
    routine: pd.DataFrame,
    survey: pd.DataFrame,
    *,
    tolerance: float = WHO_DEFAULTS["external_comparison"],
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    data_element: str = "data_element",
    value: str = "value",
    period: str = "period",
) -> pd.DataFrame:
    """Routine coverage compared with a survey estimate (WHO DQR dimension 3).

    Source: WHO, *Data quality review, Module 2* (2017), "external comparison": the
    ratio of coverage from routine data to coverage from a population survey
    (for example DHS or MICS) for the same area and year; a ratio more than 33 %
    away from 1 is flagged.

    Both tables have ``org_unit``, ``data_element`` and ``value`` (coverage in %),
    and optionally ``period``; rows are matched on the columns both tables have.
    ``statistic`` is routine / survey; a missing or zero survey value gives
    ``"no_data"``.
    """
    _need_columns(routine, [org_unit, data_element, value], "routine coverage")
    _need_columns(survey, [org_unit, data_element, value], "survey data")
    keys = [org_unit, data_element] + ([period] if period in routine and period in survey else [])
    left = routine[keys].copy()
    left["value"] = _as_number(routine[value], "routine coverage", value)
    right = survey[keys].copy()
    right["survey"] = _as_number(survey[value], "survey data", value)
    merged = left.merge(right, on=keys, how="left")
    merged = merged.rename(columns={org_unit: "org_unit", data_element: "data_element"})
    if period in keys:
        merged = merged.rename(columns={period: "period"})
    r = merged["value"].to_numpy(dtype="float64")
    s = merged["survey"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(s > 0, r / s, np.nan)
    severity, _ = _relative_flags(ratio, 1.0, tolerance)
    keep = severity >= _S_FLAGGED
    s_kept = pd.Series(s[keep])

    def messages(out):
        sv = s_kept.set_axis(out.index)
        text = (
            out["data_element"].astype(str)
            + " in "
            + out["org_unit"].astype(str)
            + ": routine coverage "
            + _fmt(out["value"], "{:.0f}")
            + " % against "
            + _fmt(sv, "{:.0f}")
            + " % in the survey (ratio "
            + _fmt(out["statistic"], "{:.2f}")
            + f", allowed ±{tolerance * 100:.0f} %). Check the target population and the counts."
        )
        return text

    return _result(
        merged, "external_comparison", tolerance, ratio, severity, messages, flagged_only
    )


# ---------------------------------------------------------------- denominators
def denominator_consistency(
    population: pd.DataFrame,
    first: str,
    second: str,
    *,
    expected_ratio: float = 1.0,
    tolerance: float = WHO_DEFAULTS["denominator_consistency"],
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    group: str = "data_element",
    value: str = "value",
    period: str = "period",
) -> pd.DataFrame:
    """Two estimates of a population compared (WHO DQR dimension 4).

    Source: WHO, *Data quality review, Module 2* (2017), "consistency of population
    data": for example live births from the official projection against an
    independent estimate, or live births against expected pregnancies; a ratio
    more than 10 % away from the expected ratio is flagged.

    ``population`` is long: ``org_unit``, ``group`` (population group, e.g.
    ``live_births``), ``value`` and optionally ``period``. ``statistic`` is
    first / second. ``expected_ratio`` is the ratio the two should have (1 for two
    estimates of the same group; below 1 for live births against pregnancies).
    """
    _need_columns(population, [org_unit, group, value], "population data")
    keys = [org_unit] + ([period] if period in population else [])
    pop = population[keys + [group]].copy()
    pop["_v"] = _as_number(population[value], "population data", value)
    pop = pop[pop[group].isin([first, second]).to_numpy()]
    wide = _wide(pop.rename(columns={"_v": "value"}), keys, group, [first, second])
    a = wide[first].to_numpy(dtype="float64")
    b = wide[second].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(b > 0, a / b, np.nan)
    severity, _ = _relative_flags(ratio, float(expected_ratio), tolerance)
    out_frame = pd.DataFrame(
        {
            "org_unit": wide.index.get_level_values(org_unit),
            "period": wide.index.get_level_values(period) if period in keys else None,
            "data_element": f"{first}/{second}",
            "value": a,
        }
    )
    keep = severity >= _S_FLAGGED
    b_kept = pd.Series(b[keep])

    def messages(out):
        bv = b_kept.set_axis(out.index)
        text = (
            out["org_unit"].astype(str)
            + f": {first} "
            + _fmt(out["value"])
            + f" against {second} "
            + _fmt(bv)
            + " (ratio "
            + _fmt(out["statistic"], "{:.2f}")
            + f", expected {expected_ratio:.2f} ±{tolerance * 100:.0f} %). "
            "One of the population estimates may be out of date."
        )
        return text

    return _result(
        out_frame, "denominator_consistency", tolerance, ratio, severity, messages, flagged_only
    )


def coverage_over_100(
    coverage: pd.DataFrame,
    *,
    limit: float = WHO_DEFAULTS["coverage_limit"],
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """Coverage above 100 %: the target population is probably too small.

    Source: WHO, *Data quality review, Module 2* (2017), consistency of population
    data: coverage above 100 % points to an under-estimated denominator (or to
    people from outside the catchment area, or to over-counting).

    ``coverage`` is a long table of coverage values in percent (for instance from
    :func:`phcpm.analysis.coverage`). A value strictly above ``limit`` is flagged;
    missing values are ``"no_data"``.
    """
    cols = [org_unit, data_element, value] + ([period] if period in coverage else [])
    _need_columns(coverage, cols, "coverage table")
    frame = pd.DataFrame(
        {
            "org_unit": coverage[org_unit].array,
            "period": coverage[period].array if period in coverage else None,
            "data_element": coverage[data_element].array,
            "value": _as_number(coverage[value], "coverage table", value).to_numpy(),
        }
    )
    v = frame["value"].to_numpy()
    severity = np.where(np.isnan(v), _S_NO_DATA, np.where(v > limit, _S_FLAGGED, _S_OK))

    def messages(out):
        text = (
            out["data_element"].astype(str)
            + " coverage in "
            + out["org_unit"].astype(str)
            + " is "
            + _fmt(out["value"], "{:.0f}")
            + f" %, above {limit:.0f} %. The target population may be too small, "
            "or people come from outside the area."
        )
        return text

    return _result(frame, "coverage_over_100", limit, v, severity, messages, flagged_only)


# ------------------------------------------------------------------------ review
@dataclass
class ReviewResult:
    """Everything :func:`review` found: one table per check and the summary.

    Each table holds the flagged rows only (columns :data:`RESULT_COLUMNS`).
    ``summary`` has one row per check: ``dimension, rule, data_element, threshold,
    checked, flagged, percent_flagged, counted`` (what was counted: values, org
    units, ...).
    """

    outliers: pd.DataFrame
    modified_z: pd.DataFrame
    over_time: pd.DataFrame
    between: pd.DataFrame
    internal: pd.DataFrame
    completeness: pd.DataFrame | None
    timeliness: pd.DataFrame | None
    element_completeness: pd.DataFrame
    summary: pd.DataFrame
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    def flagged(self) -> pd.DataFrame:
        """All flagged rows of every check in one table."""
        parts = [
            t
            for t in (
                self.completeness,
                self.timeliness,
                self.element_completeness,
                self.outliers,
                self.modified_z,
                self.over_time,
                self.between,
                self.internal,
            )
            if t is not None and len(t)
        ]
        return pd.concat(parts, ignore_index=True) if parts else _empty_result()


_DIMENSION = {
    "reporting_completeness": "1. Completeness and timeliness",
    "reporting_timeliness": "1. Completeness and timeliness",
    "data_element_completeness": "1. Completeness and timeliness",
    "outlier_sd": "2. Internal consistency",
    "outlier_modified_z": "2. Internal consistency",
    "consistency_over_time": "2. Internal consistency",
    "related_indicators": "2. Internal consistency",
    "internal_check": "2. Internal consistency",
    "external_comparison": "3. External comparison",
    "denominator_consistency": "4. Consistency of population data",
    "coverage_over_100": "4. Consistency of population data",
}


def _summary_rows(full: pd.DataFrame, counted: str) -> list[dict]:
    """One summary row per data element: rows checked and flagged (no_data not checked)."""
    if full is None or full.empty:
        return []
    rule = str(full["rule"].iloc[0])
    tested = full[full["severity"].ne(_NO_DATA).to_numpy()]
    rows = []
    for element, sev in tested.groupby("data_element", observed=True, sort=True)["severity"]:
        rows.append(
            _summary_row(
                rule,
                str(element),
                float(full["threshold"].min()),
                len(sev),
                int(sev.isin(_BAD_SEVERITIES).sum()),
                counted,
            )
        )
    return rows


def _summary_by_code(rule, severity, codes, names, threshold, counted) -> list[dict]:
    """What :func:`_summary_rows` gives for a full table, from severity codes.

    ``codes`` number the data element (or pair) of every row in the sorted order of
    ``names``; one row per name that has rows that could be checked.
    """
    tested = severity != _S_NO_DATA
    checked = np.bincount(codes[tested], minlength=len(names))
    flagged = np.bincount(codes[tested & (severity >= _S_FLAGGED)], minlength=len(names))
    return [
        _summary_row(
            rule, str(names[c]), float(threshold), int(checked[c]), int(flagged[c]), counted
        )
        for c in np.flatnonzero(checked)
    ]


def _summary_row(rule, element, threshold, checked, flagged, counted, label=None) -> dict:
    return {
        "dimension": _DIMENSION[rule],
        "rule": rule if label is None else f"{rule} ({label})",
        "data_element": element,
        "threshold": threshold,
        "checked": checked,
        "flagged": flagged,
        "percent_flagged": 100.0 * flagged / checked if checked else np.nan,
        "counted": counted,
    }


def _flagged(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["severity"].isin(_BAD_SEVERITIES).to_numpy()].reset_index(drop=True)


SUMMARY_COLUMNS = [
    "dimension",
    "rule",
    "data_element",
    "threshold",
    "checked",
    "flagged",
    "percent_flagged",
    "counted",
]


def review(
    data: pd.DataFrame,
    reporting: pd.DataFrame | None = None,
    *,
    related: Sequence[tuple[str, str]] = (("ANC1", "PENTA1"),),
    internal: Sequence[tuple[str, str]] = (("ANC4", "ANC1"), ("PENTA3", "PENTA1")),
    moderate: float = WHO_DEFAULTS["outlier_moderate_sd"],
    extreme: float = WHO_DEFAULTS["outlier_extreme_sd"],
    modified_z_cutoff: float = WHO_DEFAULTS["modified_z_cutoff"],
    time_threshold: float = WHO_DEFAULTS["consistency_over_time"],
    time_method: str = "mean",
    related_tolerance: float = WHO_DEFAULTS["related_indicators"],
    completeness_threshold: float = WHO_DEFAULTS["reporting_completeness"],
    timeliness_threshold: float = WHO_DEFAULTS["reporting_timeliness"],
    element_threshold: float = WHO_DEFAULTS["data_element_completeness"],
    element_expected: str | pd.DataFrame = "reported",
    window: str = "all",
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> ReviewResult:
    """Run the whole desk review and build the one-page summary.

    Source: WHO, *Data quality review, Module 2: Desk review of data quality*
    (2017), whose summary reports, for each metric, how many values or org units
    fall outside the WHO quality threshold. Each check is the function of the same
    name in this module, with the defaults listed in :data:`WHO_DEFAULTS`; see each
    one for its convention.

    Consistency over time needs ``consistency_over_time_years + 1`` calendar years
    (four by default); with fewer it is left out. Related and internal pairs whose
    data elements are not in the data are skipped. Reporting checks run only when
    ``reporting`` is given (same column names as the routine data for org unit and
    period, plus ``expected``, ``received`` and ``on_time`` or ``submitted_on`` and
    ``deadline``); timeliness only if the reporting data say when reports arrived.
    ``element_expected`` says which data elements each org unit should fill in
    (see :func:`data_element_completeness`; by default those it reported at
    least once).

    ``summary`` has the columns :data:`SUMMARY_COLUMNS`, one row per check (and per
    data element or pair where that applies). Rows that could not be checked
    (zero denominators, too few values) are not counted as checked.
    """
    prep = _prepare(data, org_unit, period, data_element, value)
    present = set(prep.de_uniques)
    rows: list[dict] = []
    # Outliers: statistics once over all values; messages only for flagged rows.
    if len(prep):
        mean, sd, z, sev = _sd_core(prep, moderate, extreme, window)
        outl = _sd_result(prep, mean, sd, z, sev, moderate, extreme, True)
        del mean, sd, z
        n_sd = int((sev != _S_NO_DATA).sum())
        for label, code, thr in (
            (_EXTREME, _S_EXTREME, extreme),
            (_MODERATE, _S_MODERATE, moderate),
        ):
            k = int((sev == code).sum())
            rows.append(_summary_row("outlier_sd", "all", thr, n_sd, k, "values", label))
        median, mz_z, mz_sev = _mz_core(prep, modified_z_cutoff, window)
        mz = _mz_result(prep, median, mz_z, mz_sev, modified_z_cutoff, True)
        n_mz = int((mz_sev != _S_NO_DATA).sum())
        rows.append(
            _summary_row("outlier_modified_z", "all", modified_z_cutoff, n_mz, len(mz), "values")
        )
        del sev, median, mz_z, mz_sev
        years = prep.month[prep.month != _NAT] // 12
        span = int(years.max()) - int(years.min())
    else:
        outl = mz = _empty_result()
        span = 0
    if span >= WHO_DEFAULTS["consistency_over_time_years"]:
        over_time, (sev, codes) = _over_time(
            prep,
            None,
            WHO_DEFAULTS["consistency_over_time_years"],
            time_method,
            time_threshold,
            "expected",
            None,
            True,
        )
        rows += _summary_by_code(
            "consistency_over_time", sev, codes, prep.de_uniques, time_threshold, "org units"
        )
    else:
        over_time = _empty_result()
    between_parts = []
    for num, den in related:
        if {num, den} <= present:
            table, sev = _between(
                prep, num, den, 1.0, related_tolerance, "expected", "year", True, True
            )
            codes = np.zeros(len(sev), dtype=np.int64)
            rows += _summary_by_code(
                "related_indicators",
                sev,
                codes,
                [f"{num}/{den}"],
                related_tolerance,
                "org unit-years",
            )
            between_parts.append(table)
    between = pd.concat(between_parts, ignore_index=True) if between_parts else _empty_result()
    pairs = [(p, w) for p, w in internal if {p, w} <= present]
    if pairs:
        parts = [_internal_pair(prep, p, w, True) for p, w in pairs]
        labels = sorted({f"{p}<={w}" for p, w in pairs})
        sev = np.concatenate([s for _, s in parts])
        codes = np.concatenate(
            [
                np.full(len(s), labels.index(f"{p}<={w}"))
                for (_, s), (p, w) in zip(parts, pairs, strict=True)
            ]
        )
        rows += _summary_by_code("internal_check", sev, codes, labels, 1.0, "org unit-months")
        internal_table = pd.concat([t for t, _ in parts], ignore_index=True)
    else:
        internal_table = _empty_result()
    completeness = timeliness = None
    if reporting is not None:
        rep_names = dict(org_unit=org_unit, period=period)
        comp_full = reporting_completeness(
            reporting, threshold=completeness_threshold, flagged_only=False, **rep_names
        )
        rows += _summary_rows(comp_full, "org units")
        completeness = _flagged(comp_full)
        if "on_time" in reporting or {"submitted_on", "deadline"} <= set(reporting):
            time_full = reporting_timeliness(
                reporting, threshold=timeliness_threshold, flagged_only=False, **rep_names
            )
            rows += _summary_rows(time_full, "org units")
            timeliness = _flagged(time_full)
    if len(prep):
        element_table, sev, codes = _element_completeness(
            prep,
            reporting,
            element_threshold,
            False,
            True,
            org_unit,
            period,
            "received",
            element_expected,
            data_element,
        )
        rows += _summary_by_code(
            "data_element_completeness",
            sev,
            codes,
            prep.de_uniques,
            element_threshold,
            "org units",
        )
    else:
        element_table = _empty_result()
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary = summary.sort_values("dimension", kind="stable").reset_index(drop=True)
    return ReviewResult(
        outliers=outl,
        modified_z=mz,
        over_time=over_time,
        between=between,
        internal=internal_table,
        completeness=completeness,
        timeliness=timeliness,
        element_completeness=element_table,
        summary=summary,
    )


def filter_flags(
    flags: pd.DataFrame,
    district: str | None = None,
    org_unit: str | None = None,
    check: str | None = None,
) -> pd.DataFrame:
    """The flags (from :func:`phcpm.report.flag_table`) of one district, org unit or check.

    Each of ``district``, ``org_unit`` and ``check`` keeps only the rows whose
    column of that name equals it (compared as text); ``None`` keeps every row.
    A table without a ``district`` column cannot be narrowed by district, so the
    district is then ignored. This is the "values to verify with each facility"
    list of the WHO desk review, narrowed for follow-up (WHO, *Data quality
    review, Module 2: Desk review of data quality*, 2017). Returns a new
    DataFrame; the index of the kept rows is kept, so a row can be found again
    in ``flags``.
    """
    _need_columns(flags, [], "flag table")
    keep = np.ones(len(flags), dtype=bool)
    for column, wanted in (("district", district), ("org_unit", org_unit), ("check", check)):
        if wanted is None or (column == "district" and column not in flags.columns):
            continue
        _need_columns(flags, [column], "flag table")
        keep &= (flags[column].astype("string") == str(wanted)).fillna(False).to_numpy(bool)
    return flags.loc[keep].copy()


#: The reporting metrics of a DHIS2 data set and the column of the reporting
#: table (see :func:`reporting_completeness`) that each count fills. DHIS2
#: analytics names them ``<data set>.<METRIC>`` (for example
#: ``QX4ZTUbOt3a.ACTUAL_REPORTS``); pivot tables downloaded with names write the
#: data set's name followed by "Actual reports", "Expected reports" and so on.
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
    _need_columns(data, [org_unit, period, data_element, value], "the data")
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
            "value": _as_number(data.loc[is_metric, value], "the data", value).to_numpy(),
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
