"""Outliers: values far from their series (WHO DQR dimension 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.quality.preparation import (
    _MAD_FACTOR,
    _MEAN_AD_FACTOR,
    _NAT,
    _S_EXTREME,
    _S_FLAGGED,
    _S_MODERATE,
    _S_NO_DATA,
    _S_OK,
    WHO_DEFAULTS,
    _dense,
    _empty_result,
    _fmt,
    _prepare,
    _result,
    _Routine,
    _row_columns,
    _text,
)

__all__ = ["outliers_modified_z", "outliers_sd"]


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
    Tool does (its ``getVariance`` divides by ``n - 1``, ``src/appCore/appServiceMath.js``
    line 44 at commit 03c0533; the z-score of every value
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
    this fallback in a branch that never runs: its ``MeanAD`` is computed with the
    MAD function (``src/appCore/appServiceMath.js`` line 106, commit 03c0533), so
    ``stats.MAD === 0`` (line 164) always meets ``MeanAD === 0`` first (line 161) and
    the score is 0; here the fallback is applied as documented.
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
