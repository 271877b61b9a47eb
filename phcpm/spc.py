"""Run charts and control charts (statistical process control) for PHC managers.

The one entry point :func:`qic` follows the conventions of the R package
qicharts2 (J. Anhøj), the reference implementation of these charts in health
care: the same chart types, the same centre-line and limit formulas, the same
runs analysis and the same ``freeze`` / ``part`` / ``exclude`` arguments.
``tests/test_spc_qicharts2.py`` checks every chart type point by point, to
1e-4, against tables computed by qicharts2 0.8.1 itself (45 cases: the
Montgomery data sets its own tests use, and this module's worked examples).

Formulas and their sources
--------------------------
Unless stated otherwise the formulas are those of D. C. Montgomery,
*Introduction to Statistical Quality Control*, 6th ed., Wiley, 2009, with
3-sigma limits. ``y`` is the plotted statistic of a subgroup and ``n`` its
denominator (subgroup size, number of patients, patient-days ...).

============ ==================================================================
chart        centre line (CL) and limits
============ ==================================================================
``run``      CL = median of y. No limits.
``i``        CL = mean of y; sigma = mean moving range / 1.128 (Montgomery
             eq. 6.33), after Nelson's screening: moving ranges at or above
             3.267 × mean moving range are dropped and the mean recomputed
             (L. S. Nelson, *J Qual Technol* 14(3):172–173, 1982). qicharts2
             screens by default (option ``qic.screenedmr``) and so do we
             (``screened_mr=True``).
``mr``       y = |y_i − y_(i−1)|; CL = mean moving range; UCL = 3.267 × CL;
             LCL = 0. No runs analysis (successive moving ranges are correlated).
``xbar``     CL = Σ n_i x̄_i / Σ n_i (eq. 6.30); s̄ = mean of subgroup SDs when
             all subgroups have the same size, otherwise the pooled SD
             √(Σ(n_i−1)s_i² / Σ(n_i−1)) (eq. 6.31); limits CL ± A3(n_i)·s̄ with
             the exact A3 = 3 / (c4 √n), c4 = √(2/(n−1)) Γ(n/2) / Γ((n−1)/2).
``s``        CL = s̄ as for ``xbar``; UCL = B4(n_i)·s̄, LCL = B3(n_i)·s̄ with
             B3, B4 = 1 ∓ 3 √(1 − c4²) / c4 (B3 floored at 0).
``t``        Time between rare events: y is transformed to y^(1/3.6) (Nelson,
             *J Qual Technol* 26(3):239–240, 1994; Montgomery section 7.3.5), an
             ``i`` chart is computed on the transformed values, and CL and
             limits are transformed back with ^3.6. A negative lower limit is
             shown as 0.
``p``        CL = Σ y_sum / Σ n; limits CL ± 3 √(CL(1 − CL) / n_i) (eq. 7.8),
             kept inside [0, 1].
``pp``       Laney's p′ chart (D. B. Laney, *Quality Engineering*
             14(4):531–537, 2002): the ``p`` sigma is multiplied by sigma_z, the
             mean moving range of the z-scores z_i = (p_i − CL)/sigma_i divided
             by 1.128 (moving ranges screened as for ``i``). When x is
             categorical (a funnel plot) sigma_z is the SD of the z-scores.
``c``        CL = mean count; limits CL ± 3 √CL (eq. 7.17), LCL floored at 0.
``u``        CL = Σ y_sum / Σ n; limits CL ± 3 √(CL / n_i) (eq. 7.19), LCL ≥ 0.
``up``       Laney's u′ chart: the ``u`` sigma times sigma_z, as for ``pp``.
``g``        Number of cases (or days) between events, geometric model
             (Montgomery section 7.3.5; J. C. Benneyan, *Health Care Manag Sci*
             4:305–318, 2001): limits mean ± 3 √(mean(mean + 1)), LCL ≥ 0. As in
             qicharts2 the centre line drawn is the *median* of the baseline
             values (the data are skewed; the median keeps the runs analysis
             valid), while the limits use the mean.
============ ==================================================================

Runs analysis (Anhøj rules; J. Anhøj and A. V. Olesen, *PLoS ONE*
9(11):e113825, 2014): points exactly on the centre line are not useful and are
dropped. A *runs signal* is raised when the longest run on one side of the
centre line is longer than ``round(log2(n_useful)) + 3`` (M. F. Schilling,
*Math Mag* 85:141–149, 2012) or when the number of crossings is smaller than
the 5th percentile of Binomial(n_useful − 1, 0.5) (Chen, *Qual Eng* 2010).
``round`` here never meets a tie: log2 of an integer is never exactly k + 0.5.

The IHI run-chart rules (shift, trend, too few or too many runs) are in
:func:`ihi_rules`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import comb, gammaln

from phcpm.errors import InputError, require_columns

#: Chart types understood by :func:`qic`, with a plain-language name.
CHARTS: dict[str, str] = {
    "run": "run chart (median line)",
    "i": "I chart (individual values)",
    "mr": "MR chart (moving ranges)",
    "xbar": "X-bar chart (subgroup averages)",
    "s": "S chart (subgroup standard deviations)",
    "t": "T chart (time between rare events)",
    "p": "P chart (proportions)",
    "pp": "P′ chart (proportions, Laney)",
    "c": "C chart (counts)",
    "u": "U chart (rates)",
    "up": "U′ chart (rates, Laney)",
    "g": "G chart (cases between events)",
}

#: Chart types named by what they are for, as a manager chooses them ("Counts per
#: month or week — C chart"). :data:`COMMON_CHARTS` are offered first; the others
#: are for rarer situations ("More chart types").
CHART_LABELS: dict[str, str] = {
    "run": "Any measure over time — run chart",
    "i": "Measurements (minutes, days, averages) — I chart",
    "c": "Counts per month or week — C chart",
    "p": "Percentages (how many out of how many) — P chart",
    "u": "Rates per visit, patient or day — U chart",
    "mr": "Jumps from one point to the next — MR chart",
    "xbar": "Averages of groups of measurements — X-bar chart",
    "s": "Spread within groups of measurements — S chart",
    "t": "Time between rare events — T chart",
    "g": "Cases between rare events — G chart",
    "pp": "Percentages with very large denominators — P′ chart (Laney)",
    "up": "Rates with very large denominators — U′ chart (Laney)",
}
COMMON_CHARTS = ("run", "i", "c", "p", "u")
MORE_CHARTS = tuple(c for c in CHART_LABELS if c not in COMMON_CHARTS)

_MR_D2 = 1.128  # d2 for moving ranges of two points (Montgomery, Appendix VI)
_MR_D4 = 3.267  # D4 for moving ranges of two points (Montgomery, Appendix VI)
_T_POWER = 3.6  # Nelson's transformation for exponential times (Nelson 1994)
_AGG = ("mean", "median", "sum", "sd")
_SUMMARY_COLUMNS = [
    "part",
    "n_obs",
    "n_useful",
    "longest_run",
    "longest_run_max",
    "n_crossings",
    "n_crossings_min",
    "runs_signal",
    "aLCL",
    "CL",
    "aUCL",
    "sigma_signal",
]


@dataclass(frozen=True)
class QicResult:
    """What :func:`qic` returns.

    Attributes
    ----------
    data:
        One row per subgroup (per point on the chart): ``x, y, n`` (when
        denominators were given), ``cl, lcl, ucl``, ``part``, ``position``
        (1-based), ``baseline``, ``include``, ``sigma_signal`` (point outside
        the limits), ``runs_signal`` (the part it belongs to has a runs signal)
        and the runs-analysis numbers of its part.
    summary:
        One row per part, as qicharts2's ``summary(qic(...))``: ``n_obs,
        n_useful, longest_run, longest_run_max, n_crossings, n_crossings_min,
        runs_signal`` (0/1), ``aLCL, CL, aUCL`` (averages over the part) and
        ``sigma_signal`` (number of points outside the limits).
    """

    data: pd.DataFrame
    summary: pd.DataFrame
    chart: str
    multiply: float = 1.0
    freeze: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- #
# Constants for subgroup charts
# --------------------------------------------------------------------------- #


def c4(n: Any) -> np.ndarray:
    """Bias-correction constant c4(n) = √(2/(n−1)) Γ(n/2) / Γ((n−1)/2).

    Montgomery (2009), Appendix VI and eq. 6.27. Computed exactly through the
    log-gamma function, so it is correct for any n (NaN for n ≤ 1).
    """
    n = np.asarray(n, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = n > 1
    m = n[ok]
    out[ok] = np.sqrt(2.0 / (m - 1.0)) * np.exp(gammaln(m / 2.0) - gammaln((m - 1.0) / 2.0))
    return out


def a3(n: Any) -> np.ndarray:
    """A3(n) = 3 / (c4(n) √n): x̄ ± A3·s̄ are the x-bar chart limits (Montgomery eq. 6.28)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 3.0 / (c4(n) * np.sqrt(n))


def b3(n: Any) -> np.ndarray:
    """B3(n) = max(0, 1 − 3√(1 − c4²)/c4): S chart lower limit factor (Montgomery eq. 6.27)."""
    c = c4(n)
    with np.errstate(invalid="ignore"):
        return np.maximum(0.0, 1.0 - 3.0 * np.sqrt(1.0 - c**2) / c)


def b4(n: Any) -> np.ndarray:
    """B4(n) = 1 + 3√(1 − c4²)/c4: S chart upper limit factor (Montgomery eq. 6.27)."""
    c = c4(n)
    with np.errstate(invalid="ignore"):
        return 1.0 + 3.0 * np.sqrt(1.0 - c**2) / c


# --------------------------------------------------------------------------- #
# Runs analysis (Anhøj rules)
# --------------------------------------------------------------------------- #


def crossings_min(n_useful: int) -> int:
    """Lower limit for the number of crossings: the 5th percentile of Bin(n − 1, 0.5).

    The smallest k with P(X ≤ k) ≥ 0.05, as R's ``qbinom(0.05, n - 1, 0.5)``
    (Anhøj & Olesen 2014, after Chen 2010).
    """
    size = max(int(n_useful) - 1, 0)
    cdf = stats.binom.cdf(np.arange(size + 1), size, 0.5)
    return int(np.argmax(cdf >= 0.05))


def longest_run_max(n_useful: int) -> int:
    """Upper limit for the longest run: round(log2(n)) + 3 (Schilling 2012; Anhøj & Olesen 2014)."""
    return int(round(math.log2(n_useful))) + 3


def _runs(signs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values in ``signs``."""
    if signs.size == 0:
        return np.array([], dtype=int), np.array([], dtype=int)
    breaks = np.flatnonzero(np.diff(signs) != 0) + 1
    starts = np.concatenate(([0], breaks))
    lengths = np.diff(np.concatenate((starts, [signs.size])))
    return starts, lengths


def _runs_analysis(y: np.ndarray, cl: np.ndarray) -> dict[str, Any]:
    with np.errstate(invalid="ignore"):
        signs = np.sign(y - cl)
    signs = signs[~np.isnan(signs) & (signs != 0)]
    n_useful = int(signs.size)
    if n_useful == 0:
        return {
            "n_useful": 0,
            "longest_run": np.nan,
            "longest_run_max": np.nan,
            "n_crossings": np.nan,
            "n_crossings_min": np.nan,
            "runs_signal": False,
        }
    _, lengths = _runs(signs)
    longest = int(lengths.max())
    crossings = int(lengths.size - 1)
    lr_max = longest_run_max(n_useful)
    cr_min = crossings_min(n_useful)
    return {
        "n_useful": n_useful,
        "longest_run": longest,
        "longest_run_max": lr_max,
        "n_crossings": crossings,
        "n_crossings_min": cr_min,
        "runs_signal": bool(longest > lr_max or crossings < cr_min),
    }


# --------------------------------------------------------------------------- #
# Centre lines and limits, one function per chart type
# --------------------------------------------------------------------------- #


def _nanmean(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(a.mean()) if a.size else np.nan


def _nanmedian(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(np.median(a)) if a.size else np.nan


def _mean_moving_range(values: np.ndarray, screened: bool) -> float:
    """Mean moving range, with Nelson's (1982) screening of large ranges when ``screened``."""
    mr = np.abs(np.diff(values))
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return np.nan
    amr = mr.mean()
    if screened:
        kept = mr[mr < _MR_D4 * amr]
        amr = kept.mean() if kept.size else np.nan
    return float(amr)


def _limits_i(y, base, screened):
    cl = _nanmean(y[base])
    sigma = _mean_moving_range(y[base], screened) / _MR_D2
    return cl, cl - 3 * sigma, cl + 3 * sigma


def _calc_part(chart: str, d: pd.DataFrame, base: np.ndarray, ctx: dict) -> dict[str, np.ndarray]:
    """Centre line and limits for one part. Returns arrays y, cl, lcl, ucl."""
    size = len(d)
    y = d["y"].to_numpy(dtype=float)
    n = d["n"].to_numpy(dtype=float)
    y_sum = d["y_sum"].to_numpy(dtype=float)
    length = d["y_length"].to_numpy(dtype=float)
    sd = d["y_sd"].to_numpy(dtype=float)
    full = np.ones(size)
    screened = ctx["screened_mr"]

    if chart == "run":
        cl = _nanmedian(y[base])
        return {"y": y, "cl": cl * full, "lcl": np.nan * full, "ucl": np.nan * full}

    if chart == "i":
        cl, lcl, ucl = _limits_i(y, base, screened)
        return {"y": y, "cl": cl * full, "lcl": lcl * full, "ucl": ucl * full}

    if chart == "mr":
        mr = np.concatenate(([np.nan], np.abs(np.diff(y))))
        cl = _nanmean(mr[base])
        return {"y": mr, "cl": cl * full, "lcl": 0.0 * full, "ucl": _MR_D4 * cl * full}

    if chart in ("xbar", "s"):
        variable_n = np.unique(length).size > 1
        lb, sb = length[base], sd[base]
        if variable_n:
            num = np.nansum((lb - 1) * sb**2)
            den = np.nansum(lb - 1)
            s_bar = math.sqrt(num / den) if den > 0 else np.nan
        else:
            s_bar = _nanmean(sb)
        if chart == "xbar":
            means = d["y_mean"].to_numpy(dtype=float)
            w = lb * means[base]
            ok = ~np.isnan(w)
            cl = float(w[ok].sum() / lb[ok].sum()) if ok.any() else np.nan
            half = a3(length) * s_bar
            return {"y": means, "cl": cl * full, "lcl": cl - half, "ucl": cl + half}
        return {"y": sd, "cl": s_bar * full, "lcl": b3(length) * s_bar, "ucl": b4(length) * s_bar}

    if chart == "t":
        ty = y ** (1 / _T_POWER)
        cl, lcl, ucl = _limits_i(ty, base, screened)
        back_lcl = lcl**_T_POWER if lcl > 0 else 0.0
        return {
            "y": y,
            "cl": cl**_T_POWER * full,
            "lcl": back_lcl * full,
            "ucl": ucl**_T_POWER * full,
        }

    if chart in ("p", "pp", "u", "up"):
        ok = base & ~np.isnan(y_sum) & ~np.isnan(n)
        cl = float(y_sum[ok].sum() / n[ok].sum()) if ok.any() else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            if chart in ("p", "pp"):
                sigma = np.sqrt(cl * (1 - cl) / n)
            else:
                sigma = np.sqrt(cl / n)
            if chart in ("pp", "up"):
                z = (y[base] - cl) / sigma[base]
                if ctx["categorical"]:
                    z = z[~np.isnan(z)]
                    sigma_z = float(np.std(z, ddof=1)) if z.size > 1 else np.nan
                else:
                    sigma_z = _mean_moving_range(z, screened) / _MR_D2
                sigma = sigma * sigma_z
        lcl = np.maximum(cl - 3 * sigma, 0.0)
        ucl = cl + 3 * sigma
        if chart in ("p", "pp"):
            ucl = np.minimum(ucl, 1.0)
        return {"y": y, "cl": cl * full, "lcl": lcl, "ucl": ucl}

    if chart == "c":
        cl = _nanmean(y_sum[base])
        sigma = math.sqrt(cl) if cl >= 0 else np.nan
        return {
            "y": y_sum,
            "cl": cl * full,
            "lcl": max(cl - 3 * sigma, 0.0) * full,
            "ucl": (cl + 3 * sigma) * full,
        }

    if chart == "g":
        mean = _nanmean(y[base])
        sigma = math.sqrt(mean * (mean + 1))
        return {
            "y": y,
            "cl": _nanmedian(y[base]) * full,
            "lcl": max(mean - 3 * sigma, 0.0) * full,
            "ucl": (mean + 3 * sigma) * full,
        }

    raise AssertionError(chart)  # pragma: no cover - chart is validated in qic()


# --------------------------------------------------------------------------- #
# Input checks
# --------------------------------------------------------------------------- #


def _as_numeric(values: Any, name: str, length: int | None = None) -> np.ndarray:
    series = pd.Series(values).reset_index(drop=True)
    if length is not None and len(series) != length:
        raise InputError(
            f"'{name}' has {len(series)} values but 'y' has {length}",
            where=f"the '{name}' argument",
            todo=f"Give one '{name}' value for every value of 'y'",
        )
    if series.dtype == bool:
        series = series.astype(float)
    numeric = pd.to_numeric(series, errors="coerce")
    bad = numeric.isna() & series.notna()
    if bad.any():
        where = ", ".join(str(i + 1) for i in np.flatnonzero(bad.to_numpy())[:5])
        raise InputError(
            f"Some values of '{name}' are not numbers (for example {series[bad].iloc[0]!r})",
            where=f"'{name}', position(s) {where}",
            todo="Correct these cells or leave them empty",
        )
    return numeric.to_numpy(dtype=float)


def _positions(values: Any, name: str, m: int) -> list[int]:
    if values is None:
        return []
    if np.isscalar(values):
        values = [values]
    out = []
    for v in values:
        if isinstance(v, bool) or not float(v).is_integer():
            raise InputError(
                f"'{name}' must list point numbers (1, 2, 3 ...); {v!r} is not one",
                where=f"the '{name}' argument",
                todo="Count points from 1 at the left of the chart",
            )
        out.append(int(v))
    bad = [v for v in out if v < 1 or v > m]
    if bad:
        raise InputError(
            f"'{name}' refers to point {bad[0]}, but the chart has {m} points",
            where=f"the '{name}' argument",
            todo=f"Use numbers from 1 to {m}",
        )
    return sorted(set(out))


def _is_categorical(x: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(x.dtype) or pd.api.types.is_datetime64_any_dtype(x.dtype)
    )


# --------------------------------------------------------------------------- #
# Main entry point
# --------------------------------------------------------------------------- #


def qic(
    y: Any,
    n: Any = None,
    x: Any = None,
    chart: str = "run",
    freeze: int | None = None,
    exclude: Sequence[int] | int | None = None,
    part: Sequence[int] | int | None = None,
    method: str = "anhoej",
    multiply: float = 1,
    agg_fun: str = "mean",
    screened_mr: bool = True,
    y_neg: bool = True,
) -> QicResult:
    """Run chart or control chart of ``y`` (over ``n``), as qicharts2's ``qic()``.

    Parameters
    ----------
    y:
        The values: measurements (``run``, ``i``, ``mr``, ``xbar``, ``s``),
        counts (``c``; numerators for ``p``, ``pp``, ``u``, ``up``), times or
        cases between events (``t``, ``g``).
    n:
        Denominators for ``p``, ``pp``, ``u``, ``up`` (people eligible,
        patient-days ...). With ``n``, a point is ``sum(y) / sum(n)`` of its
        subgroup; a missing or zero ``n`` makes the point missing.
    x:
        Subgroup labels (month, date, facility). Several rows with the same
        ``x`` form one subgroup (needed for ``xbar`` and ``s``; for ``run`` and
        ``i`` without ``n`` they are combined with ``agg_fun``). Numeric and
        date labels are sorted; text labels keep their first-seen order and
        make a "dots only" chart without runs analysis (e.g. a funnel plot).
        Default: 1, 2, 3 ...
    chart:
        One of :data:`CHARTS`.
    freeze:
        Number of points, from the left, used to compute the centre line and
        limits (the baseline); later points are judged against them.
    exclude:
        Point numbers (1-based) left out of the calculations (still drawn).
    part:
        Point numbers after which the chart starts a new part with its own
        centre line and limits (qicharts2's ``part``), e.g. ``part=[12]`` for
        "before and after the change introduced after month 12".
    method:
        Runs analysis method; only ``"anhoej"`` is available.
    multiply:
        Multiply y, centre line and limits (e.g. 100 for percentages,
        1000 for rates per 1 000).
    agg_fun:
        How several values with the same ``x`` are combined for ``run``/``i``
        charts without ``n``: ``mean`` (default), ``median``, ``sum``, ``sd``.
    screened_mr:
        Nelson's screening of large moving ranges for ``i``, ``t``, ``pp``,
        ``up`` (qicharts2's default).
    y_neg:
        When False and no value is negative, negative lower limits are shown
        as 0.

    Returns
    -------
    QicResult
        ``.data`` (one row per point) and ``.summary`` (one row per part).
    """
    chart = str(chart).lower()
    if chart not in CHARTS:
        raise InputError(
            f"'{chart}' is not a chart type this tool knows",
            where="the 'chart' argument",
            todo="Choose one of: " + ", ".join(CHARTS),
        )
    if method != "anhoej":
        raise InputError(
            f"The runs-analysis method '{method}' is not available",
            where="the 'method' argument",
            todo="Use method='anhoej'",
        )
    if agg_fun not in _AGG:
        raise InputError(
            f"'{agg_fun}' is not a way to combine values",
            where="the 'agg_fun' argument",
            todo="Use one of: " + ", ".join(_AGG),
        )
    if freeze is not None and part is not None:
        raise InputError(
            "'freeze' and 'part' cannot be used together",
            where="the 'freeze' and 'part' arguments",
            todo="Use 'freeze' to judge new points against a baseline, or 'part' to split "
            "the chart into periods with their own limits, not both",
        )

    yv = _as_numeric(y, "y")
    if yv.size == 0:
        raise InputError("There are no values to plot", where="'y'", todo="Give at least one value")
    got_n = n is not None
    nv = _as_numeric(n, "n", yv.size) if got_n else np.full(yv.size, np.nan)
    xs = pd.Series(np.arange(1, yv.size + 1)) if x is None else pd.Series(x).reset_index(drop=True)
    if len(xs) != yv.size:
        raise InputError(
            f"'x' has {len(xs)} values but 'y' has {yv.size}",
            where="the 'x' argument",
            todo="Give one 'x' label for every value of 'y'",
        )
    _check_values(chart, yv, nv, got_n)

    if got_n:
        missing = np.isnan(yv) | np.isnan(nv) | (nv == 0)
        yv = np.where(missing, np.nan, yv)
        nv = np.where(missing, np.nan, nv)

    categorical = _is_categorical(xs)
    raw = pd.DataFrame({"x": xs, "y": yv, "n": nv})
    raw = raw[raw["x"].notna()]
    grouped = raw.groupby("x", sort=not categorical, dropna=True)
    d = pd.DataFrame(
        {
            "y_sum": grouped["y"].sum(min_count=1),
            "y_length": grouped["y"].count(),
            "y_mean": grouped["y"].mean(),
            "y_sd": grouped["y"].std(ddof=1),
            "n": grouped["n"].sum(min_count=1),
        }
    )
    if got_n:
        d["y"] = d["y_sum"] / d["n"]
    elif agg_fun == "sd":
        d["y"] = d["y_sd"]
    elif agg_fun == "sum":
        d["y"] = d["y_sum"]
    else:
        d["y"] = getattr(grouped["y"], agg_fun)()
    d = d.reset_index()
    m = len(d)

    if freeze is not None:
        freeze = _positions([freeze], "freeze", m)[0]
    excluded = _positions(exclude, "exclude", m)
    breaks = [b for b in _positions(part, "part", m) if b < m]

    position = np.arange(1, m + 1)
    edges = np.array([0, *breaks, m], dtype=int)
    d["part"] = np.repeat(np.arange(1, len(edges)), np.diff(edges))
    d["position"] = position
    d["baseline"] = position <= (freeze if freeze is not None else m)
    d["include"] = ~np.isin(position, excluded)

    ctx = {"screened_mr": screened_mr, "categorical": categorical}
    pieces = []
    summaries = []
    for p, piece in d.groupby("part", sort=True):
        piece = piece.copy()
        base = (piece["baseline"] & piece["include"]).to_numpy()
        lines = _calc_part(chart, piece, base, ctx)
        for key, values in lines.items():
            piece[key] = values
        inc = piece["include"].to_numpy()
        runs = _runs_analysis(piece["y"].to_numpy()[inc], piece["cl"].to_numpy()[inc])
        runs["n_obs"] = int(inc.sum())
        if categorical or chart == "mr":
            runs["runs_signal"] = False
        for key, value in runs.items():
            piece[key] = value
        pieces.append(piece)
        summaries.append({"part": p, **runs})
    d = pd.concat(pieces, ignore_index=True)

    for col in ("y", "cl", "lcl", "ucl"):
        values = d[col].to_numpy(dtype=float) * multiply
        values[~np.isfinite(values)] = np.nan
        d[col] = values
    if not y_neg and np.nanmin(d["y"].to_numpy()) >= 0:
        d["lcl"] = d["lcl"].clip(lower=0)

    yy, lo, hi = (d[c].to_numpy(dtype=float) for c in ("y", "lcl", "ucl"))
    with np.errstate(invalid="ignore"):
        d["sigma_signal"] = np.nan_to_num(yy > hi) | np.nan_to_num(yy < lo)
    d["sigma_signal"] = d["sigma_signal"].astype(bool)
    d["runs_signal"] = d["runs_signal"].astype(bool)

    columns = ["x", "y"] + (["n"] if got_n else [])
    columns += ["cl", "lcl", "ucl", "part", "position", "baseline", "include"]
    columns += ["sigma_signal", "runs_signal", "n_obs", "n_useful", "longest_run"]
    columns += ["longest_run_max", "n_crossings", "n_crossings_min"]
    columns += ["y_sum", "y_length", "y_mean", "y_sd"]
    data = d[columns].copy()

    by_part = d.groupby("part", sort=True)
    summary = pd.DataFrame(summaries)
    summary["runs_signal"] = summary["runs_signal"].astype(int)
    summary["aLCL"] = by_part["lcl"].mean().to_numpy()
    summary["CL"] = by_part["cl"].mean().to_numpy()
    summary["aUCL"] = by_part["ucl"].mean().to_numpy()
    summary["sigma_signal"] = by_part["sigma_signal"].sum().to_numpy().astype(int)
    summary = summary[_SUMMARY_COLUMNS]

    return QicResult(
        data=data,
        summary=summary,
        chart=chart,
        multiply=float(multiply),
        freeze=freeze,
        settings={"categorical": categorical, "got_n": got_n, "screened_mr": screened_mr},
    )


def _check_values(chart: str, y: np.ndarray, n: np.ndarray, got_n: bool) -> None:
    finite_y = y[~np.isnan(y)]
    if finite_y.size == 0:
        raise InputError("All values of 'y' are empty", where="'y'", todo="Give some values")
    if got_n and np.any(n[~np.isnan(n)] < 0):
        raise InputError(
            "Some denominators ('n') are negative",
            where="'n'",
            todo="Denominators count people, visits or days: correct the negative values",
        )
    if chart in ("p", "pp", "u", "up") and not got_n:
        raise InputError(
            f"A {CHARTS[chart]} needs a denominator for every point",
            where="the 'n' argument is missing",
            todo="Give 'n' (e.g. the number of clients seen), or use a C chart for plain counts",
        )
    if chart in ("p", "pp"):
        ok = ~np.isnan(y) & ~np.isnan(n)
        if np.any(y[ok] > n[ok]):
            first = int(np.flatnonzero(ok & (y > n))[0]) + 1
            raise InputError(
                "For a proportion the numerator cannot be larger than the denominator",
                where=f"position {first}",
                todo="Check the numerator and the denominator of this point",
            )
    if chart in ("p", "pp", "c", "u", "up", "g") and np.any(finite_y < 0):
        raise InputError(
            f"A {CHARTS[chart]} needs counts of zero or more, but some values are negative",
            where="'y'",
            todo="Correct the negative values",
        )
    if chart == "t" and np.any(finite_y <= 0):
        raise InputError(
            "Times between events must be greater than zero",
            where="'y'",
            todo="Record the time between events (e.g. days) and remove zeros",
        )


# --------------------------------------------------------------------------- #
# IHI run chart rules
# --------------------------------------------------------------------------- #


def swed_eisenhart_pmf(n1: int, n2: int) -> pd.Series:
    """Exact distribution of the number of runs for n1 points above and n2 below.

    F. S. Swed and C. Eisenhart, "Tables for testing randomness of grouping in a
    sequence of alternatives", *Ann Math Stat* 14(1):66–87, 1943. For r = 2k
    runs, P = 2·C(n1−1, k−1)·C(n2−1, k−1) / C(n1+n2, n1); for r = 2k+1,
    P = [C(n1−1, k)·C(n2−1, k−1) + C(n1−1, k−1)·C(n2−1, k)] / C(n1+n2, n1).
    """
    total = comb(n1 + n2, n1, exact=True)
    r = np.arange(2, n1 + n2 + 1)
    k = r // 2
    even = 2 * comb(n1 - 1, k - 1, exact=False) * comb(n2 - 1, k - 1, exact=False)
    odd = comb(n1 - 1, k, exact=False) * comb(n2 - 1, k - 1, exact=False) + comb(
        n1 - 1, k - 1, exact=False
    ) * comb(n2 - 1, k, exact=False)
    p = np.where(r % 2 == 0, even, odd) / total
    return pd.Series(p, index=pd.Index(r, name="runs"), name="probability")


def runs_limits(n_useful: int, alpha: float = 0.05) -> tuple[int, int]:
    """Fewest and most runs expected by chance among ``n_useful`` points off the median.

    The IHI rule "too few or too many runs" (Perla, Provost & Murray 2011,
    Table 1; Provost & Murray, *The Health Care Data Guide*, 2011) uses a table
    derived from Swed & Eisenhart (1943) with about a 5% risk of a false
    signal. Here the limits are computed exactly from that distribution with
    the points split as evenly as possible above and below the median
    (n1 = n // 2, n2 = n − n1) and ``alpha`` shared equally between the two
    tails: the lower limit is the smallest r with P(R < r) ≤ alpha/2 < P(R ≤ r),
    the upper limit the largest r with P(R > r) ≤ alpha/2 < P(R ≥ r). Fewer
    runs than the lower limit, or more than the upper limit, is a signal.
    """
    n1 = n_useful // 2
    n2 = n_useful - n1
    pmf = swed_eisenhart_pmf(n1, n2)
    cdf = pmf.cumsum()
    tail = pmf[::-1].cumsum()[::-1]  # P(R >= r)
    half = alpha / 2
    lower = int(cdf.index[np.argmax(cdf.to_numpy() > half)])
    upper = int(tail.index[len(tail) - 1 - np.argmax(tail.to_numpy()[::-1] > half)])
    return lower, upper


def ihi_rules(y: Any, median: float | None = None) -> pd.DataFrame:
    """Which of the IHI run chart rules fire for the series ``y``.

    Rules (R. J. Perla, L. P. Provost and S. K. Murray, "The run chart: a simple
    analytical tool for learning from variation in healthcare processes",
    *BMJ Qual Saf* 20:46–51, 2011; L. P. Provost and S. K. Murray, *The Health
    Care Data Guide*, Jossey-Bass, 2011):

    1. **Shift**: six or more consecutive points all above or all below the
       median. Points on the median are skipped: they neither break nor add to
       a shift.
    2. **Trend**: five or more consecutive points all going up or all going
       down. A point equal to the one before it is skipped (like values neither
       make nor break a trend).
    3. **Too few or too many runs**: the number of runs (sequences of points on
       one side of the median, points on the median not counted) is outside
       the limits of :func:`runs_limits`. Applied only with 10 or more useful
       points, as the published table starts at 10.
    4. **Astronomical point**: an obviously different value. This is a matter
       of judgement by people who know the process; it is never decided
       automatically here (``signal`` is missing).

    Missing values are dropped. Returns one row per rule with ``signal``
    (True/False, missing for rule 4), ``points`` (1-based positions in ``y``
    of the points that make the signal) and ``detail`` (plain words).
    """
    values = _as_numeric(y, "y")
    pos = np.flatnonzero(~np.isnan(values)) + 1
    v = values[~np.isnan(values)]
    med = float(np.median(v)) if median is None and v.size else median

    rows = []
    # Shift
    side = np.sign(v - med)
    useful = side != 0
    s_pos, s_side = pos[useful], side[useful]
    starts, lengths = _runs(s_side)
    long_runs = np.flatnonzero(lengths >= 6)
    shift_points: list[int] = []
    for i in long_runs:
        shift_points += s_pos[starts[i] : starts[i] + lengths[i]].tolist()
    if long_runs.size:
        i = long_runs[np.argmax(lengths[long_runs])]
        where = "above" if s_side[starts[i]] > 0 else "below"
        detail = f"{lengths[i]} points in a row {where} the median (6 or more is a shift)."
    else:
        longest = int(lengths.max()) if lengths.size else 0
        detail = f"Longest run on one side of the median: {longest} points (a shift needs 6)."
    rows.append(("shift", bool(long_runs.size), shift_points, detail))

    # Trend
    keep = np.concatenate(([True], np.diff(v) != 0)) if v.size else np.array([], dtype=bool)
    t_pos, t_v = pos[keep], v[keep]
    steps = np.sign(np.diff(t_v))
    starts, lengths = _runs(steps)
    long_trends = np.flatnonzero(lengths + 1 >= 5)
    trend_points: list[int] = []
    for i in long_trends:
        first, last = t_pos[starts[i]], t_pos[starts[i] + lengths[i]]
        trend_points += [int(p) for p in pos if first <= p <= last]
    if long_trends.size:
        i = long_trends[np.argmax(lengths[long_trends])]
        way = "up" if steps[starts[i]] > 0 else "down"
        detail = f"{lengths[i] + 1} points in a row going {way} (5 or more is a trend)."
    else:
        longest = int(lengths.max()) + 1 if lengths.size else min(len(t_v), 1)
        detail = f"Longest series going the same way: {longest} points (a trend needs 5)."
    rows.append(("trend", bool(long_trends.size), trend_points, detail))

    # Runs
    n_useful = int(s_side.size)
    n_runs = int(_runs(s_side)[1].size)
    if n_useful >= 10:
        lower, upper = runs_limits(n_useful)
        few, many = n_runs < lower, n_runs > upper
        base = f"{n_runs} runs among {n_useful} useful points (expected {lower} to {upper})."
        rows.append(("too_few_runs", bool(few), [], base))
        rows.append(("too_many_runs", bool(many), [], base))
    else:
        note = f"Only {n_useful} points off the median: the runs rule needs at least 10."
        rows.append(("too_few_runs", False, [], note))
        rows.append(("too_many_runs", False, [], note))

    rows.append(
        (
            "astronomical_point",
            pd.NA,
            [],
            "A matter of judgement: look for a value that is obviously different from all "
            "the others and ask people who know the process.",
        )
    )
    out = pd.DataFrame(rows, columns=["rule", "signal", "points", "detail"]).set_index("rule")
    out["signal"] = out["signal"].astype("boolean")
    out.attrs["median"] = med
    out.attrs["n_useful"] = n_useful
    out.attrs["n_runs"] = n_runs
    return out


# --------------------------------------------------------------------------- #
# Explanations and advice in plain words
# --------------------------------------------------------------------------- #


def _fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if float(value).is_integer():
        return f"{value:,.0f}"
    magnitude = abs(value)
    digits = 1 if magnitude >= 100 else 2 if magnitude >= 1 else 3
    return f"{value:,.{digits}f}"


def _label(value: Any) -> str:
    """A point's label as people write it: dates without a time of day."""
    if isinstance(value, np.datetime64 | pd.Timestamp):
        stamp = pd.Timestamp(value)
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else str(stamp)
    return str(value)


def explain(result: QicResult) -> list[str]:
    """Every signal of a chart explained in plain words, one sentence per finding.

    Built from the numbers of the chart: the length and side of the longest
    run, the number of crossings against its expected minimum, and each point
    outside the control limits. When a chart shows no signal, says so and what
    that means for management.
    """
    d = result.data
    centre = "median" if result.chart in ("run", "g") else "centre line"
    multi = d["part"].nunique() > 1
    out: list[str] = []
    for p, piece in d.groupby("part", sort=True):
        prefix = f"Part {p}: " if multi else ""
        found = False
        row = piece.iloc[0]
        inc = piece[piece["include"]]
        if bool(row["runs_signal"]):
            found = True
            yv, cl = inc["y"].to_numpy(float), inc["cl"].to_numpy(float)
            with np.errstate(invalid="ignore"):
                side = np.sign(yv - cl)
            ok = ~np.isnan(side) & (side != 0)
            sides, xs = side[ok], inc["x"].to_numpy()[ok]
            starts, lengths = _runs(sides)
            if row["longest_run"] > row["longest_run_max"]:
                i = int(np.argmax(lengths))
                where = "above" if sides[starts[i]] > 0 else "below"
                first, last = _label(xs[starts[i]]), _label(xs[starts[i] + lengths[i] - 1])
                out.append(
                    f"{prefix}{int(row['longest_run'])} points in a row {where} the {centre} "
                    f"(from {first} to {last}); more than {int(row['longest_run_max'])} in a "
                    f"row is unlikely by chance with {int(row['n_useful'])} useful points: "
                    "the process has shifted."
                )
            if row["n_crossings"] < row["n_crossings_min"]:
                out.append(
                    f"{prefix}The line crosses the {centre} only {int(row['n_crossings'])} "
                    f"times; with {int(row['n_useful'])} useful points at least "
                    f"{int(row['n_crossings_min'])} crossings are expected by chance: the data "
                    "stay too long on one side, a sign that the process has changed."
                )
        for _, pt in piece[piece["sigma_signal"]].iterrows():
            found = True
            above = pt["y"] > pt["ucl"]
            limit = pt["ucl"] if above else pt["lcl"]
            word = "above the upper" if above else "below the lower"
            out.append(
                f"{prefix}Point {_label(pt['x'])} ({_fmt(pt['y'])}) is {word} control limit "
                f"({_fmt(limit)}): something special happened here; find out what "
                "before changing the whole system."
            )
        if not found:
            if result.settings.get("categorical") or result.chart == "mr":
                finding = "every point is inside the control limits"
            elif result.chart == "run":
                finding = f"the runs around the {centre} look random"
            else:
                finding = f"the runs around the {centre} look random and every point is inside "
                finding += "the control limits"
            out.append(
                f"{prefix}No signal: {finding}. The variation is the usual noise of this "
                "process; to change the results, change the process rather than react to "
                "single points."
            )
    return out


class ChartSuggestion(str):
    """A chart type code (usable as ``qic(..., chart=suggestion)``) with ``.reason``."""

    reason: str

    def __new__(cls, chart: str, reason: str) -> ChartSuggestion:
        obj = super().__new__(cls, chart)
        obj.reason = reason
        return obj

    def __repr__(self) -> str:
        return f"{str(self)!r}: {self.reason}"


_KINDS = ("measurement", "count", "proportion", "rate", "time_between", "cases_between")


def suggest_chart(y: Any, n: Any = None, kind: str | None = None) -> ChartSuggestion:
    """Which chart suits the data, and why (following the usual decision tree).

    Provost & Murray (2011), chapter 5, and Montgomery (2009), chapters 6–7:
    measurements → ``i``; counts with a denominator → ``p`` when each counted
    person or event is one of the denominator (a proportion), otherwise ``u``
    (a rate); counts of events without a denominator, in equal opportunities
    → ``c``; time between rare events → ``t``; number of cases between rare
    events → ``g``. ``kind`` (one of ``measurement, count, proportion, rate,
    time_between, cases_between``) overrides the guess from the values.

    Returns a :class:`ChartSuggestion`: the chart code, with ``.reason``.
    """
    if kind is not None and kind not in _KINDS:
        raise InputError(
            f"'{kind}' is not a kind of data this tool knows",
            where="the 'kind' argument",
            todo="Use one of: " + ", ".join(_KINDS),
        )
    values = _as_numeric(y, "y")
    v = values[~np.isnan(values)]
    nv = _as_numeric(n, "n", values.size) if n is not None else None
    whole = v.size > 0 and bool(np.all(v >= 0) and np.all(np.equal(np.mod(v, 1), 0)))
    prime_note = ""
    if nv is not None and np.nanmedian(nv) >= 1000:
        prime_note = (
            " The denominators are large (thousands), so ordinary limits may be too narrow; "
            "if most points fall outside them, use the Laney version (P′ or U′ chart, "
            "under 'More chart types')."
        )

    if kind == "time_between":
        return ChartSuggestion(
            "t",
            "The values are times between rare events (e.g. days between maternal deaths): "
            "a T chart handles their skewed distribution.",
        )
    if kind == "cases_between":
        return ChartSuggestion(
            "g",
            "The values count cases or opportunities between rare events (e.g. deliveries "
            "between two stillbirths): a G chart uses the geometric distribution.",
        )
    if kind == "measurement":
        return ChartSuggestion(
            "i",
            "The values are measurements, one per period: an I chart computes its limits "
            "from the variation between neighbouring points.",
        )
    if nv is not None:
        proportion = kind == "proportion" or (
            kind != "rate"
            and whole
            and bool(np.all(values[~np.isnan(values) & ~np.isnan(nv)] <= nv[~np.isnan(values)]))
        )
        if proportion:
            return ChartSuggestion(
                "p",
                "The values count people (or events) out of a denominator that contains them, "
                "e.g. children fully immunised out of children due: a P chart shows the "
                "proportion with limits that widen when the denominator is small." + prime_note,
            )
        return ChartSuggestion(
            "u",
            "The values count events over an amount of exposure (patient-days, population, "
            "visits) that can hold more than one event each: a U chart shows the rate with "
            "limits that depend on the denominator." + prime_note,
        )
    if kind in ("count", "rate", "proportion") or (kind is None and whole):
        if kind in ("rate", "proportion"):
            reason = (
                "A rate or proportion needs its denominator; without one, the counts are "
                "charted as they are with a C chart. Give the denominators to get a P or U "
                "chart."
            )
        else:
            reason = (
                "The values are counts of events without a denominator: a C chart fits when "
                "each period offers about the same opportunity (same population, same days)."
            )
        if v.size and np.median(v) == 0:
            reason += (
                " Most periods have zero events: the events are rare, so record the days "
                "(T chart) or cases (G chart) between events instead."
            )
        return ChartSuggestion("c", reason)
    return ChartSuggestion(
        "i",
        "The values are measurements (or numbers with decimals), one per period: an I chart "
        "computes its limits from the variation between neighbouring points.",
    )


# --------------------------------------------------------------------------- #
# Plot
# --------------------------------------------------------------------------- #


def plot_qic(
    result: QicResult,
    ax: Any = None,
    title: str | None = None,
    notes: Mapping[Any, str] | None = None,
    ylabel: str | None = None,
    xlabel: str | None = None,
):
    """Draw a run or control chart and return its matplotlib ``Figure``.

    Line with points; centre line solid (median for run and G charts), control
    limits dashed; points outside the limits drawn as larger diamonds in the
    signal colour (so colour is never the only cue); a centre line with a runs
    signal is drawn in the signal colour and labelled; parts separated by a
    vertical line; excluded points drawn hollow; ``notes`` ({x: label}, e.g.
    changes tested in PDSA cycles) as annotations. The figure is created with
    ``matplotlib.figure.Figure`` unless ``ax`` is given, so no global pyplot
    state is touched.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from phcpm.style import NEUTRAL, ORDINARY, SIGNAL

    d = result.data
    if ax is None:
        fig = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    categorical = result.settings.get("categorical", False)
    xplot = d["position"].to_numpy() if categorical else d["x"].to_numpy()

    if not categorical:
        ax.plot(xplot, d["y"], color=NEUTRAL, linewidth=1.2, zorder=2)
    ordinary = ~d["sigma_signal"].to_numpy()
    inc = d["include"].to_numpy()
    ax.scatter(
        xplot[ordinary & inc], d["y"][ordinary & inc], color=ORDINARY, s=22, marker="o", zorder=3
    )
    ax.scatter(
        xplot[~inc],
        d["y"][~inc],
        facecolors="white",
        edgecolors=ORDINARY,
        s=22,
        marker="o",
        zorder=3,
    )
    sig = d["sigma_signal"].to_numpy()
    ax.scatter(xplot[sig], d["y"][sig], color=SIGNAL, s=60, marker="D", zorder=4)

    runs_flag = False
    for _, piece in d.groupby("part", sort=True):
        idx = piece.index.to_numpy()
        xs = xplot[idx]
        signal = bool(piece["runs_signal"].iloc[0])
        runs_flag |= signal
        ax.plot(
            xs,
            piece["cl"],
            color=SIGNAL if signal else NEUTRAL,
            linewidth=2.2 if signal else 1.5,
            linestyle="-",
            drawstyle="steps-mid",
            zorder=1,
        )
        for col in ("ucl", "lcl"):
            if piece[col].notna().any():
                ax.plot(
                    xs,
                    piece[col],
                    color=NEUTRAL,
                    linestyle="--",
                    linewidth=1,
                    drawstyle="steps-mid",
                    zorder=1,
                )
        last = piece.dropna(subset=["cl"]).tail(1)
        if len(last):
            label = "Median" if result.chart in ("run", "g") else "CL"
            text = f"{label} {_fmt(float(last['cl'].iloc[0]))}"
            ax.annotate(
                text,
                (xplot[last.index[0]], last["cl"].iloc[0]),
                xytext=(4, 2),
                textcoords="offset points",
                fontsize=8,
                color=SIGNAL if signal else NEUTRAL,
            )
    parts = d.groupby("part", sort=True)["position"].min().to_numpy()[1:]
    for first in parts:
        i = int(first) - 1
        boundary = (
            (float(xplot[i - 1]) + float(xplot[i])) / 2
            if np.issubdtype(np.asarray(xplot).dtype, np.number)
            else xplot[i]
        )
        ax.axvline(boundary, color=NEUTRAL, linestyle=":", linewidth=1)
    if result.freeze is not None and result.freeze < len(d):
        ax.axvline(xplot[result.freeze - 1], color=NEUTRAL, linestyle="-.", linewidth=0.8)

    for key, label in (notes or {}).items():
        match = d.index[d["x"] == key]
        if len(match):
            i = match[0]
            ax.annotate(
                label,
                (xplot[i], d["y"].iloc[i]),
                xytext=(0, 24),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                arrowprops={"arrowstyle": "->", "color": NEUTRAL},
            )

    ax.margins(x=0.1)
    if categorical:
        ax.set_xticks(d["position"].to_numpy(), [str(v) for v in d["x"]], rotation=45, ha="right")
    ax.set_title(title if title is not None else CHARTS[result.chart].capitalize())
    if ylabel:
        ax.set_ylabel(ylabel)
    if xlabel:
        ax.set_xlabel(xlabel)
    centre_label = "Median" if result.chart in ("run", "g") else "Centre line"
    handles = [
        Line2D([], [], color=ORDINARY, marker="o", linestyle="", label="Value"),
        Line2D(
            [],
            [],
            color=NEUTRAL,
            linewidth=1.5,
            label=centre_label,
        ),
    ]
    if d["ucl"].notna().any():
        handles.append(Line2D([], [], color=NEUTRAL, linestyle="--", label="Control limits"))
    if sig.any():
        handles.append(
            Line2D([], [], color=SIGNAL, marker="D", linestyle="", label="Outside the limits")
        )
    if runs_flag:
        handles.append(Line2D([], [], color=SIGNAL, linewidth=2.2, label="Runs signal"))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=len(handles),
        fontsize=8,
        frameon=False,
    )
    return fig


# --------------------------------------------------------------------------- #
# Getting a series ready: pasted text, the district data, rare events
# --------------------------------------------------------------------------- #

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
    flags = _as_numeric(events, "events")
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
    out = pd.DataFrame({"y": _as_numeric(table[value], value)})
    if denominator is not None:
        out["n"] = _as_numeric(table[denominator], denominator)
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
            "y": _as_numeric(measure["numerator"], "numerator"),
            "n": _as_numeric(measure["denominator"], "denominator"),
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


# --------------------------------------------------------------------------- #
# A series from a user's file: one place and one data element, never a mixture
# --------------------------------------------------------------------------- #

#: The place given to every row of a file that names no place.
WHOLE_FILE = "The whole file"

_PERIOD_KINDS = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}
_PERIOD_UNITS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def _period_kind(period: pd.Period) -> str:
    """A kind of period in words: "months", "weeks", "two-month periods"."""
    match = re.match(r"(\d*)([A-Z])", period.freqstr)
    count, unit = (match.group(1), match.group(2)) if match else ("", "")
    unit = "Y" if unit == "A" else unit
    if count in ("", "1"):
        return _PERIOD_KINDS.get(unit, period.freqstr)
    words = {"2": "two", "3": "three", "4": "four", "6": "six"}
    return f"{words.get(count, count)}-{_PERIOD_UNITS.get(unit, unit)} periods"


def _series_name(element: str, org_unit: str) -> str:
    what = "the values" if element == "value" else f"'{element}'"
    return f"{what} for '{org_unit}'"


@dataclass
class FileSeries:
    """The rows of a user's file, ready to chart one series at a time.

    ``data`` is long: ``org_unit``, ``data_element``, ``period`` (pandas
    Period), ``value`` and, for DHIS2 data value sets,
    ``category_option_combo``. ``series`` lists every place × data element
    with its number of periods (``org_unit``, ``data_element``, ``periods``),
    the order a tool offers them in. ``notes`` says in words what was read
    and how; ``dropped`` counts the rows that could not be used.
    """

    data: pd.DataFrame
    series: pd.DataFrame
    notes: list[str]
    dropped: int = 0


def file_series(table) -> FileSeries:
    """Read a table (a :class:`phcpm.io.Table`) as series of one place and one data element.

    The layout and the columns are decided and checked by :func:`phcpm.io.tidy`
    (DHIS2 exports, pivot tables, one column per month, plain tables), so a
    column of periods is never taken as values. A file whose only missing
    column is the place (``month, cases``) is read as one place
    (:data:`WHOLE_FILE`); one with no data element column gets the name of its
    value column. Raises :class:`InputError` (or :class:`phcpm.io.NeedsMapping`)
    with what is missing when the file cannot be read as series. A convention
    of this toolkit's chart tool: a chart shows one series, so a file is never
    charted as a whole.
    """
    from phcpm.io import NeedsMapping, guess_mapping, tidy

    frame = table.data
    notes: list[str] = []
    try:
        result = tidy(table)
        data, report = result.data.copy(), result.report
        notes += [n for n in result.notes if n]
        unnamed = bool(len(data)) and (data["data_element"].astype(str) == "value").all()
        failed = None
    except NeedsMapping as error:
        data, report, unnamed, failed = None, None, True, error
    if unnamed:
        # A plain table without a data element column: each column of numbers is one
        # data element ("cases", "tested"), so none is dropped or added to another.
        split = _columns_as_elements(table, guess_mapping(frame))
        if split is not None:
            data, report, more = split
            notes = more
        elif failed is not None:
            raise failed
    dropped = int((report["action"] == "row dropped").sum()) if len(report) else 0
    if data.empty:
        raise InputError(
            "No row of the file could be used: every row lacks a readable period, place or number",
            where="the whole file",
            todo="Check that the period column holds periods (2025-01, Jan 2025) and the "
            "value column holds numbers",
        )
    if dropped:
        notes.append(f"{dropped:,} row(s) could not be used (no period, place or number).")
    counts = (
        data.groupby(["org_unit", "data_element"], sort=True, observed=True)["period"]
        .nunique()
        .rename("periods")
        .reset_index()
    )
    counts["org_unit"] = counts["org_unit"].astype(str)
    counts["data_element"] = counts["data_element"].astype(str)
    counts = counts.sort_values(
        ["periods", "org_unit", "data_element"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    return FileSeries(data=data, series=counts, notes=notes, dropped=dropped)


def _columns_as_elements(
    table, guessed: dict
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]] | None:
    """A plain table read column by column: every column of numbers becomes a data element.

    ``guessed`` is :func:`phcpm.io.guess_mapping`'s ``{column: role}``. Needs a
    period column; the place column is optional (without one the whole file is
    one place, :data:`WHOLE_FILE`). Returns None when the table has no period
    column or no column of numbers. Each column is checked by
    :func:`phcpm.io.tidy`, so numbers are read as everywhere else.
    """
    import dataclasses

    from phcpm.io import tidy

    frame = table.data
    roles = {role: col for col, role in guessed.items()}
    if "period" not in roles:
        return None
    notes = []
    place = roles.get("org_unit")
    if place is None:
        place = "_place"
        while place in frame.columns:
            place += "_"
        table = dataclasses.replace(table, data=frame.assign(**{place: WHOLE_FILE}))
        notes.append("No column names a place: the whole file is read as one place.")
    taken = {str(roles["period"]), str(place)}
    numbers = [c for c in frame.columns if str(c) in number_columns(frame) and str(c) not in taken]
    if not numbers:
        return None
    parts, reports, errors = [], [], []
    for column in numbers:
        try:
            one = tidy(table, {roles["period"]: "period", place: "org_unit", column: "value"})
        except InputError as error:
            errors.append(error)
            continue
        parts.append(one.data.assign(data_element=str(column)))
        reports.append(one.report)
    if not parts:
        raise errors[0]
    named = ", ".join(f"'{c}'" for c in numbers)
    notes.insert(0, f"Periods read from '{roles['period']}'; numbers from {named}.")
    report = pd.concat(reports, ignore_index=True) if reports else pd.DataFrame()
    data = pd.concat(parts, ignore_index=True)
    data["data_element"] = data["data_element"].astype(str)
    return data, report, notes


def _one(data: pd.DataFrame, org_unit: str, element: str) -> tuple[pd.Series, list[str]]:
    rows = data[
        (data["org_unit"].astype(str) == str(org_unit))
        & (data["data_element"].astype(str) == str(element))
    ]
    name = _series_name(element, org_unit)
    if rows.empty:
        raise InputError(
            f"The file has no {name}",
            where="the chosen place and what is counted",
            todo="Choose another place or data element",
        )
    notes = []
    kinds = sorted({_period_kind(p) for p in pd.unique(rows["period"])})
    if len(kinds) > 1:
        raise InputError(
            f"{name[:1].upper()}{name[1:]} mix kinds of periods "
            f"({' and '.join(kinds)}): one chart needs one kind",
            where="the period column of your file",
            todo="Keep only the rows of one kind of period, or chart them separately",
        )
    if "category_option_combo" in rows.columns:
        combos = rows["category_option_combo"].astype(str).nunique()
        if combos > 1:
            notes.append(
                f"'{element}' is reported in {combos} categories (for example by age or sex): "
                "each period's value is their total."
            )
    values = rows.groupby("period", sort=True)["value"].sum(min_count=1)
    return values, notes


def file_series_values(
    source: FileSeries, org_unit: str, element: str, denominator: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """One series of a :class:`FileSeries`: ``org_unit`` × ``element``, in time order.

    Returns a DataFrame in the form of :func:`parse_series` (``x`` the first
    day of each period, ``label`` the period as text, ``y`` and, when
    ``denominator`` names another data element of the same place, ``n``) and
    notes in words. Raises :class:`InputError` when the series mixes kinds of
    periods or has fewer than two periods.
    """
    values, notes = _one(source.data, org_unit, element)
    out = pd.DataFrame(
        {
            "x": values.index.to_timestamp(),
            "label": [str(p) for p in values.index],
            "y": values.to_numpy(dtype=float),
        }
    )
    if denominator is not None:
        if denominator == element:
            raise InputError(
                f"'{element}' cannot be divided by itself",
                where="the denominator",
                todo="Choose another data element as the denominator, or none",
            )
        den, more = _one(source.data, org_unit, denominator)
        notes += more
        if den.index.freqstr != values.index.freqstr:
            raise InputError(
                f"'{element}' and '{denominator}' are reported for different kinds of periods",
                where="the denominator",
                todo="Choose a denominator reported for the same periods",
            )
        out["n"] = den.reindex(values.index).to_numpy(dtype=float)
        missing = int(np.isnan(out["n"]).sum())
        if missing:
            notes.append(
                f"{missing} period(s) have no '{denominator}': they are left out of the chart."
            )
    if len(out) < 2:
        raise InputError(
            f"There is only one period of {_series_name(element, org_unit)}: a chart needs "
            "a series of values over time",
            where="the chosen place and what is counted",
            todo="Choose another place or data element, or a file with more periods",
        )
    return out.reset_index(drop=True), notes
