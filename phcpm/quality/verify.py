"""Verify first: one ranked list of the monthly values to check with facilities.

The WHO Data Quality Tool ranks the rows of its outlier and gap analysis by a
*weight*: how far the values are from what the rest of the series says
(``getOutlierWeight``) plus the missing months times the median
(``gapWeight = gaps * median``, line 446), in
``src/appCore/appServiceDataAnalysis.js`` (commit 03c0533), function
``outlierGapAnalyseData`` (line 410). Here each monthly value of a
facility gets one row, with every reason it was picked, and the rows are ordered
by how much the value would change the district's figure: the gap between the
value and its expected value (the median of the facility's months of that year)
as a share of the district's total of that data element in that year.

The order: impossible values first (a negative count, a part above its whole, a
row entered twice: these are errors whatever their size), by share of the district
total; then the others by share of the district total times how unusual the value
is (its modified z-score with the MAD, divided by 3.5, between 1 and 10; 1 when
the MAD is 0, as in a series of mostly zeros such as stock-out days), so that a
month of a small or mostly-zero series does not come before a value typed ten
times too high.

Reasons (each monthly value of each facility and data element, judged within its
calendar year):

* ``outlier``: more than 2 SD from the year's mean (WHO moderate and extreme
  outliers, SD with n - 1) or a modified z-score above 3.5 (Iglewicz and Hoaglin,
  1993, with the mean absolute deviation when the MAD is 0);
* ``zero``: 0 where the usual value (median) is above 0 (WHO DQR "zero values");
* ``missing``: no value in a month in which the facility reported other data
  elements, for a data element it reports (WHO "missing values"; gap = median);
* ``negative``: a count below 0 (impossible);
* ``part above whole``: B above A in the month for a relation ``aGTb`` or ``do``
  of ``relations.csv`` (for example Penta 3 above Penta 1): the row is B's value;
* ``entered twice``: the same org unit, month, data element (and category option
  combo) appears on more than one row; the value shown is their total.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from phcpm.quality.preparation import _NAT, _Routine

if TYPE_CHECKING:
    from phcpm.quality.annual_units import _Level

__all__ = ["VERIFY_COLUMNS"]

#: Columns of the verify-first list.
VERIFY_COLUMNS = [
    "rank",
    "org_unit",
    "district",
    "region",
    "period",
    "data_element",
    "value",
    "expected",
    "difference",
    "share_of_district",
    "reasons",
]

_MAD = 0.6745
_MEAN_AD = 1.253314


def _median_last(a: np.ndarray) -> np.ndarray:
    """Median over the last axis, missing values skipped (NaN when none), kept as an axis.

    Same as :func:`numpy.nanmedian` (the mean of the two middle values for an even
    count), by one sort: much faster on many short series.
    """
    s = np.sort(a, axis=-1)  # missing values go last
    n = (~np.isnan(a)).sum(axis=-1, keepdims=True)
    lo = np.take_along_axis(s, np.maximum((n - 1) // 2, 0), axis=-1)
    hi = np.take_along_axis(s, np.maximum(n // 2, 0), axis=-1)
    out = np.where(n % 2 == 1, lo, (lo + hi) / 2)
    return np.where(n > 0, out, np.nan)


def _robust_z(v: np.ndarray):
    """Modified z-score (MAD, mean absolute deviation when the MAD is 0), median, and
    the z-score with the MAD only (0 where the MAD is 0)."""
    med = _median_last(v)
    dev = np.abs(v - med)
    mad = _median_last(dev)
    n = (~np.isnan(v)).sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_ad = np.nansum(dev, axis=-1, keepdims=True) / n
        z = np.where(mad > 0, _MAD * (v - med) / mad, (v - med) / (_MEAN_AD * mean_ad))
        mad_z = np.where(mad > 0, _MAD * (v - med) / mad, 0.0)
    return np.where(np.isfinite(z), z, 0.0), med, np.nan_to_num(mad_z)


def verify_first(
    prep: _Routine,
    level: _Level,
    relations: pd.DataFrame,
    *,
    moderate: float = 2.0,
    mz_cutoff: float = 3.5,
    coc: np.ndarray | None = None,
) -> pd.DataFrame:
    """The ranked verify-first list from the facility level of the review (see module doc)."""
    v = level.value  # (units, de, years, 12)
    if v.size == 0:
        return pd.DataFrame(columns=VERIFY_COLUMNS)
    present = ~np.isnan(v)
    n = present.sum(axis=-1, keepdims=True)
    x = np.where(present, v, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x.sum(axis=-1, keepdims=True) / n
        dev = np.where(present, v - mean, 0.0)
        sd = np.sqrt((dev * dev).sum(axis=-1, keepdims=True) / (n - 1))
        z = np.where(sd > 0, dev / sd, 0.0)
    del x, dev
    mz, med, mad_z = _robust_z(v)
    med = np.broadcast_to(med, v.shape)
    reasons = np.zeros(v.shape, dtype=np.uint8)
    outlier = present & (n >= 3) & ((np.abs(z) > moderate) | (np.abs(mz) > mz_cutoff))
    reasons |= outlier.astype(np.uint8)  # 1
    reasons |= ((present & (v == 0) & (med > 0)).astype(np.uint8)) << 1  # 2
    reported_month = present.any(axis=1, keepdims=True)  # facility sent something that month
    reports_element = present.any(axis=(2, 3), keepdims=True)
    missing = ~present & reported_month & reports_element & (np.nan_to_num(med) > 0)
    reasons |= missing.astype(np.uint8) << 2  # 4
    reasons |= ((present & (v < 0)).astype(np.uint8)) << 3  # 8
    names = pd.Index(prep.de_uniques)
    above = np.zeros(v.shape, dtype=bool)
    whole_of = {}
    for rel in relations.itertuples(index=False):
        if rel.type not in ("aGTb", "do"):
            continue
        ia, ib = names.get_indexer([rel.a, rel.b])
        if ia < 0 or ib < 0:
            continue
        with np.errstate(invalid="ignore"):
            hit = v[:, ib] > v[:, ia]
        above[:, ib] |= hit
        whole_of[ib] = ia
    reasons |= above.astype(np.uint8) << 4  # 16
    # rows entered more than once for the same cell
    twice = np.zeros(v.shape, dtype=bool)
    known = (prep.ou >= 0) & (prep.de >= 0) & (prep.month != _NAT)
    rows = np.flatnonzero(known)
    if len(rows):
        month = prep.month[rows]
        lo = int(month.min())
        span = int(month.max()) - lo + 1
        key = (prep.ou[rows] * prep.n_de + prep.de[rows]) * span + (month - lo)
        size = prep.n_ou * prep.n_de * span
        if coc is not None:
            n_coc = int(coc.max()) + 2
            key = key * n_coc + (coc[rows] + 1)
            size *= n_coc
        if size <= 8 * len(key) + 1_000_000:
            dup = np.bincount(key, minlength=size)[key] > 1
        else:
            dup = pd.Series(key).duplicated(keep=False).to_numpy()
        if dup.any():
            d = rows[dup]
            unit = level.unit_of_ou[prep.ou[d]]
            yi = prep.month[d] // 12 + 1970 - level.first_year
            ok = (unit >= 0) & (yi >= 0) & (yi < v.shape[2])
            twice[unit[ok], prep.de[d][ok], yi[ok], prep.month[d][ok] % 12] = True
    reasons |= twice.astype(np.uint8) << 5  # 32
    cells = np.flatnonzero(reasons.ravel())
    if not len(cells):
        return pd.DataFrame(columns=VERIFY_COLUMNS)
    u, d, y, m = np.unravel_index(cells, v.shape)
    value = v[u, d, y, m]
    expected = med[u, d, y, m]
    diff = np.where(np.isnan(value), -np.nan_to_num(expected), value - np.nan_to_num(expected))
    code = reasons[u, d, y, m]
    # a part above its whole: the gap is the excess over the whole
    part = (code & 16) > 0
    if part.any():
        ia = np.array([whole_of.get(int(e), -1) for e in d[part]])
        whole = v[u[part], ia, y[part], m[part]]
        diff[part] = np.where(
            np.abs(value[part] - whole) > np.abs(diff[part]), value[part] - whole, diff[part]
        )
    dup = (code & 32) > 0
    diff[dup] = np.where(np.abs(diff[dup]) > 0, diff[dup], np.nan_to_num(value[dup]) / 2)
    # district total of the data element in the year
    district = level.district if level.district is not None else np.full(len(level.units), None)
    dcode, dnames = pd.factorize(pd.Series(district, dtype=object).fillna("(all)"))
    totals = np.where(present, np.abs(np.nan_to_num(v)), 0.0).sum(axis=-1)  # (units, de, years)
    dtot = np.zeros((len(dnames), v.shape[1], v.shape[2]))
    np.add.at(dtot, dcode, totals)
    base = dtot[dcode[u], d, y]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.abs(diff) / np.maximum(base, np.abs(diff))
    share = np.nan_to_num(share)
    # the reasons in words: one text per distinct (reasons, data element, usual value)
    exp_code, exp_values = pd.factorize(expected, use_na_sentinel=True)
    key = (code.astype(np.int64) * prep.n_de + d) * (len(exp_values) + 1) + (exp_code + 1)
    key_code, key_values = pd.factorize(key)
    texts = []
    for k in key_values:
        k = int(k)
        e_i = k % (len(exp_values) + 1) - 1
        c, e = divmod(k // (len(exp_values) + 1), prep.n_de)
        ex = f"{exp_values[e_i]:,.0f}" if e_i >= 0 else "unknown"
        words = []
        if c & 8:
            words.append("negative count (impossible)")
        if c & 16:
            words.append(f"above {names[whole_of[e]]} in the same month")
        if c & 32:
            words.append("entered on more than one row")
        if c & 1:
            words.append(f"far from the usual {ex}")
        if c & 2:
            words.append(f"zero where the usual value is {ex}")
        if c & 4:
            words.append(f"no value although the usual value is {ex}")
        texts.append("; ".join(words))
    text = np.asarray(texts, dtype=object)[key_code]
    months = (level.first_year + y - 1970) * 12 + m
    out = pd.DataFrame(
        {
            "org_unit": np.asarray(level.units, dtype=object)[u],
            "district": np.asarray(district, dtype=object)[u],
            "region": np.asarray(level.region, dtype=object)[u],
            "period": pd.arrays.PeriodArray(months.astype(np.int64), dtype=pd.PeriodDtype("M")),
            "data_element": np.asarray(names, dtype=object)[d],
            "value": value,
            "expected": expected,
            "difference": diff,
            "share_of_district": 100.0 * share,
            "reasons": text,
        }
    )
    # impossible values first (a count below 0, a part above its whole, a row entered
    # twice), then the others by share of the district's total times how unusual
    # the value is (modified z-score over 3.5, at most 10 times)
    certain = (code & (8 | 16 | 32)) > 0
    unusual = np.where(code & 1, np.clip(np.abs(mad_z[u, d, y, m]) / mz_cutoff, 1.0, 10.0), 1.0)
    out["_certain"] = certain
    out["_key"] = out["share_of_district"] * np.where(certain, 1.0, unusual)
    out = out.sort_values(
        ["_certain", "_key", "org_unit", "period"],
        ascending=[False, False, True, True],
        kind="stable",
    ).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[VERIFY_COLUMNS]
