"""Internal consistency: over time and between related indicators (WHO DQR dimension 2)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.quality.preparation import (
    _NAT,
    _S_FLAGGED,
    _S_NO_DATA,
    _S_OK,
    _YEAR,
    WHO_DEFAULTS,
    _dense,
    _empty_result,
    _fmt,
    _prepare,
    _result,
    _Routine,
    _text,
)

__all__ = ["COMPARE_TO", "consistency_between", "consistency_over_time", "internal_checks"]


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
    preceding years, extended by one year: ``mathService.forecast``,
    ``src/appCore/appServiceMath.js`` line 139, commit 03c0533).
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
    compare_to: str = "overall",
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
    mean of the three preceding years. The WHO Data Quality Tool compares each
    org unit's ratio with the ratio of the boundary (all org units together):
    ``thresholdRatio = _comparison === '_ou' ? boundaryRatio : 1`` (line 364) and
    ``ratioOfRatios = subunitRatio/thresholdRatio`` outside ``1 ± criteria %``
    (line 482; ``src/appCore/dqAnalysisConsistency.js`` at commit 0246e6c), with
    ``"comparison": "ou"``, ``"consistency": 33`` and ``"trend": "constant"`` as
    defaults for every indicator (``src/data/metaData.json`` at commit 0246e6c,
    lines 46, 42 and 45; the same in ``src/config/defaultConfig.js``). So growth in
    every unit is not a problem in any unit. (The code's ``'_ou'`` never matches the
    metadata's ``"ou"``, so the stored tool falls back to 1; the boundary's ratio is
    what its metadata and WHO DQR Module 2 describe, and the default here.)

    Convention: yearly totals are sums of the monthly values of each calendar year
    (missing months are not filled in, so a year with missing reports looks low:
    check completeness first). ``year`` defaults to the last complete year of the
    data (:func:`phcpm.quality.review_year`), never a partial one. The reference is
    the mean of the ``years`` preceding years that have data (at least one; the
    tool's ``referenceValue`` takes the mean of the values it has), or with
    ``method="trend"`` the value forecast by a straight line through the preceding
    years (all must have data; ``mathService.forecast``,
    ``src/appCore/appServiceMath.js`` line 139). A reference of 0 or none gives
    ``"no_data"``. ``compare_to="overall"`` (default) flags
    ``|ratio / overall ratio - 1| > threshold``, the overall ratio being the total of
    the year over the mean of the yearly totals of the reference years, all org
    units added up; ``"expected"`` flags ``|ratio - 1| > threshold``. ``statistic``
    is the org unit's ratio.
    """
    if method not in ("mean", "trend"):
        raise InputError(
            f"Unknown method {method!r}", todo="Use method='mean' (average) or 'trend'"
        )
    _check_compare_to(compare_to)
    if years < 1:
        raise InputError("At least one earlier year is needed", todo="Use years=3")
    prep = _prepare(data, org_unit, period, data_element, value)
    return _over_time(
        prep, year, years, method, threshold, compare_to, data_elements, flagged_only
    )[0]


#: What a ratio can be compared with: the ratio of all org units together, or the
#: expected value.
COMPARE_TO = ("overall", "expected")


def _check_compare_to(compare_to) -> None:
    """Raise :class:`InputError` naming the allowed choices when ``compare_to`` is not one."""
    if compare_to not in COMPARE_TO:
        raise InputError(
            f"Unknown comparison {compare_to!r}: a ratio is compared either with the "
            "ratio of all org units together ('overall') or with the expected value "
            "('expected')",
            where="compare_to",
            todo="Use compare_to='overall' or compare_to='expected'",
        )


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


def _pair_totals(prep: _Routine, a: str, b: str, *, by_year: bool, always: bool = False):
    """Totals of data elements ``a`` and ``b`` per (org unit, month or year) cell.

    Returns ``(total_a, total_b, keys)``, ``keys`` as in :func:`_cells` (NaN where a
    cell has no value of that element), or None when neither element is in the
    data (unless ``always``, which then gives empty cells).
    """
    codes = prep.element_codes([a, b])
    select = np.isin(prep.de, codes[codes >= 0])
    if not always and not select.any():
        return None
    rows = np.flatnonzero(select & (prep.ou >= 0) & (prep.month != _NAT))
    time = prep.month[rows] // 12 if by_year else prep.month[rows]  # period ordinals
    cell, keys = _cells(prep, rows, time)
    ncells = keys.shape[1]
    de, x = prep.de[rows], prep.value[rows]
    total_a = prep.group_sum(x[de == codes[0]], cell[de == codes[0]], ncells)
    total_b = prep.group_sum(x[de == codes[1]], cell[de == codes[1]], ncells)
    return total_a, total_b, keys


def _cell_columns(prep: _Routine, keys: np.ndarray, time_dtype, label: str, value: np.ndarray):
    """The function giving the result columns of the cells ``rows`` of a pair check."""

    def columns(rows: np.ndarray) -> dict:
        return {
            "org_unit": prep.ou_uniques.take(keys[0][rows]),
            "period": pd.arrays.PeriodArray(keys[1][rows], dtype=time_dtype),
            "data_element": label,
            "value": value[rows],
        }

    return columns


def _pair_text(out: pd.DataFrame, a: str, link: str, b: str, other: pd.Series) -> pd.Series:
    """The start of a pair check's message: "A (12) <link> B (10) in <org unit>, <period>"."""
    return (
        f"{a} ("
        + _fmt(out["value"])
        + f") {link} {b} ("
        + _fmt(other)
        + ") in "
        + out["org_unit"].astype(str)
        + ", "
        + _text(out["period"])
    )


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
    if year is None:
        from phcpm.quality.annual import review_year

        current = review_year(prep.month[rows])[0]
    else:
        current = int(year)
    wanted = list(range(current - years, current + 1))
    pair, pairs = _dense(prep.ou[rows] * prep.n_de + prep.de[rows], prep.n_ou * prep.n_de)
    inside = (cal >= wanted[0]) & (cal <= current)
    k = years + 1
    cell = pair[inside] * k + (cal[inside] - wanted[0])
    wide = prep.group_sum(prep.value[rows][inside], cell, len(pairs) * k).reshape(len(pairs), k)
    past = wide[:, :-1]
    now = wide[:, -1]
    pair_ou, pair_de = pairs // prep.n_de, pairs % prep.n_de
    n_ref = (~np.isnan(past)).sum(axis=1)
    if method == "mean":
        # the mean of the reference years that have data (WHO tool: referenceValue
        # takes mathService.getMean of the values it has, dqAnalysisConsistency.js)
        with np.errstate(invalid="ignore", divide="ignore"):
            reference = np.where(n_ref > 0, np.nansum(past, axis=1) / np.maximum(n_ref, 1), np.nan)
    else:
        reference = np.where(n_ref == years, _forecast(np.nan_to_num(past)), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(reference != 0, now / reference, np.nan)
    if compare_to == "overall":
        # the boundary's ratio: total of the year over the mean of the totals of the
        # reference years (all org units added up, as DHIS2 analytics gives them)
        nde = prep.n_de
        now_tot = np.bincount(pair_de, weights=np.nan_to_num(now), minlength=nde)
        has_now = np.bincount(pair_de, weights=~np.isnan(now), minlength=nde) > 0
        years_tot = np.stack(
            [
                np.bincount(pair_de, weights=np.nan_to_num(past[:, j]), minlength=nde)
                for j in range(years)
            ],
            axis=1,
        )
        years_has = np.stack(
            [
                np.bincount(pair_de, weights=~np.isnan(past[:, j]), minlength=nde) > 0
                for j in range(years)
            ],
            axis=1,
        )
        if method == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                ref_tot = (years_tot * years_has).sum(axis=1) / years_has.sum(axis=1)
        else:
            ref_tot = np.where(years_has.all(axis=1), _forecast(years_tot), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            boundary = np.where(has_now & (ref_tot > 0), now_tot / ref_tot, np.nan)
        expected = boundary[pair_de]
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
    _check_compare_to(compare_to)
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
    pair = _pair_totals(prep, numerator, denominator, by_year=by == "year")
    if pair is None:
        return (_empty_result(), np.zeros(0, dtype=np.int8)) if full else _empty_result()
    num, den, keys = pair
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    if compare_to == "overall":
        ok = ~np.isnan(ratio)
        ns = pd.Series(np.where(ok, num, 0.0)).groupby(keys[1]).transform("sum").to_numpy()
        ds = pd.Series(np.where(ok, den, 0.0)).groupby(keys[1]).transform("sum").to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = ns / ds
    else:
        expected = np.full(len(ratio), float(expected_ratio))
    severity, _ = _relative_flags(ratio, expected, tolerance)
    time_dtype = _YEAR if by == "year" else prep.month_dtype()
    columns = _cell_columns(prep, keys, time_dtype, f"{numerator}/{denominator}", num)
    idx = np.flatnonzero(severity >= _S_FLAGGED)

    def messages(out: pd.DataFrame) -> pd.Series:
        d = pd.Series(den[idx], index=out.index)
        e = pd.Series(expected[idx], index=out.index)
        text = (
            _pair_text(out, numerator, "and", denominator, d)
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
    p, w, keys = _pair_totals(prep, part, whole, by_year=False, always=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(w > 0, p / w, np.where(p > 0, np.inf, np.nan))
    severity = np.where(
        np.isnan(p) | np.isnan(w), _S_NO_DATA, np.where(p > w, _S_FLAGGED, _S_OK)
    ).astype(np.int8)
    columns = _cell_columns(prep, keys, prep.month_dtype(), f"{part}<={whole}", p)
    idx = np.flatnonzero(severity >= _S_FLAGGED)

    def messages(out):
        wv = pd.Series(w[idx], index=out.index)
        text = (
            _pair_text(out, part, "is higher than", whole, wv)
            + f". {part} cannot be more than {whole}: check both numbers."
        )
        return text

    table = _result(columns, "internal_check", 1.0, ratio, severity, messages, flagged_only)
    return table, severity
