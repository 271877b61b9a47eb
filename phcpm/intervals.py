"""Confidence intervals for the proportions and rates that tools show or rank.

A facility's coverage or rate is a count divided by a denominator. When the
denominator is small, the value swings widely by chance, so every value a tool
colours or ranks should carry its interval. This module gives the intervals
used by public health agencies for routine indicators.

Methods and their sources
-------------------------
``wilson``
    Wilson score interval for a proportion ``x / n`` (E. B. Wilson, "Probable
    inference, the law of succession, and statistical inference", *J Am Stat
    Assoc* 22:209-212, 1927; method 3 of R. G. Newcombe, "Two-sided confidence
    intervals for the single proportion: comparison of seven methods", *Stat
    Med* 17:857-872, 1998), without continuity correction::

        p = x / n
        centre = (p + z^2 / (2n)) / (1 + z^2 / n)
        half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))

    The limits never leave [0, 1] and the interval is not empty at x = 0 or
    x = n. This is the method of the UK Office for Health Improvement and
    Disparities (formerly Public Health England) for proportions (Fingertips
    public health technical guidance, "Confidence intervals"; R package
    PHEindicatormethods, ``wilson_lower`` / ``wilson_upper``) and of
    ``binom::binom.confint(method = "wilson")`` in R.

``exact`` (Garwood)
    Exact interval for a Poisson count ``x`` (F. Garwood, "Fiducial limits for
    the Poisson distribution", *Biometrika* 28:437-442, 1936), through the
    chi-squared distribution::

        lower = chi2_quantile(alpha / 2, 2x) / 2        (0 when x = 0)
        upper = chi2_quantile(1 - alpha / 2, 2x + 2) / 2

    divided by the exposure (person-years, population) for a rate. These are
    the limits of R's ``poisson.test`` (package stats).

``byar``
    Byar's approximation to the exact Poisson limits (N. E. Breslow and N. E.
    Day, *Statistical methods in cancer research, volume II: the design and
    analysis of cohort studies*, IARC Scientific Publications 82, Lyon, 1987;
    as written in the Fingertips technical guidance, "Rates")::

        lower = x (1 - 1/(9x) - z / (3 sqrt(x)))^3
        upper = (x + 1) (1 - 1/(9(x + 1)) + z / (3 sqrt(x + 1)))^3

    The guidance uses it for counts of 10 or more, where it is within 0.2 % of
    the exact limits at 95 %; for fewer than 10 events it uses the exact
    method, and so does :func:`poisson_interval` with ``method="byar"``.

``z`` is the ``1 - alpha/2`` quantile of the standard normal distribution
(1.959964 for 95 %, 3.090232 for 99.8 %), never a rounded 1.96.

All functions take numbers, NumPy arrays or pandas Series and return arrays of
the same length (a Series keeps its index); nothing given is changed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from phcpm.errors import InputError, require_columns

__all__ = [
    "BYAR_FROM",
    "byar_limits",
    "garwood_limits",
    "poisson_interval",
    "proportion_interval",
    "wilson_limits",
    "z_value",
]

#: Below this many events the Byar approximation is replaced by the exact limits
#: (Fingertips technical guidance, "Rates": exact method for counts below 10).
BYAR_FROM = 10


def z_value(confidence: float = 0.95) -> float:
    """The two-sided standard normal quantile for ``confidence`` (0.95 or 95 both work).

    ``z_value(0.95)`` is 1.959964 and ``z_value(0.998)`` is 3.090232.

    >>> round(z_value(0.95), 4), round(z_value(99), 4)
    (1.96, 2.5758)
    """
    level = _level(confidence)
    return float(norm.ppf(1 - (1 - level) / 2))


def _level(confidence: float) -> float:
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise InputError(
            f"The confidence level {confidence!r} is not a number",
            todo="Give a level such as 0.95 (or 95) for 95 %",
        ) from None
    if 1 < level < 100:
        level = level / 100
    if not 0 < level < 1:
        raise InputError(
            f"The confidence level {confidence!r} is not between 0 and 100 %",
            todo="Give a level such as 0.95 (or 95) for 95 %",
        )
    return level


def _array(values: Any, what: str) -> np.ndarray:
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"The {what} are not all numbers",
            todo=f"Give the {what} as plain numbers",
        ) from None
    return np.atleast_1d(arr)


def _wrap(result: np.ndarray, like: Any) -> Any:
    if isinstance(like, pd.Series):
        return pd.Series(result, index=like.index)
    return result


def _counts_and_denominators(x: Any, n: Any, what_n: str) -> tuple[np.ndarray, np.ndarray]:
    xs = _array(x, "counts")
    ns = _array(n, what_n)
    try:
        xs, ns = np.broadcast_arrays(xs, ns)
    except ValueError:
        raise InputError(
            f"There are {xs.size} counts but {ns.size} {what_n}",
            todo=f"Give one {what_n[:-1]} per count",
        ) from None
    if np.any(xs < 0):
        raise InputError("A count is below zero", todo="Counts of events are 0 or more")
    return xs.astype(float), ns.astype(float)


def wilson_limits(x: Any, n: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Wilson score limits (lower, upper) for the proportions ``x / n``, as fractions.

    ``x`` events out of ``n``; both may be arrays or Series of the same length.
    A pair with ``n`` of 0 or missing gives NaN limits (no denominator, no
    interval). ``x`` above ``n`` is refused: such a value is not a proportion
    (a coverage above 100 % needs :func:`phcpm.uncertainty.judge`, which calls it
    a data problem).

    Formula: Wilson (1927), Newcombe (1998) method 3; see the module docstring.

    45 children of 50 vaccinated: 90 %, between 78.6 % and 95.7 %.

    >>> lower, upper = wilson_limits(pd.Series([45, 0]), pd.Series([50, 0]))
    >>> lower.round(4).tolist(), upper.round(4).tolist()
    ([0.7864, nan], [0.9565, nan])
    """
    xs, ns = _counts_and_denominators(x, n, "denominators")
    if np.any(ns < 0):
        raise InputError("A denominator is below zero", todo="Denominators are 0 or more")
    valid = (ns > 0) & np.isfinite(xs) & np.isfinite(ns)
    if np.any(valid & (xs > ns)):
        raise InputError(
            "A count is larger than its denominator, so it is not a proportion",
            todo="Check the numerator and denominator of that value",
        )
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = xs / ns
        denom = 1 + z * z / ns
        centre = (p + z * z / (2 * ns)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / ns + z * z / (4 * ns * ns))
        lower = np.clip(centre - half, 0.0, 1.0)
        upper = np.clip(centre + half, 0.0, 1.0)
    # At x = 0 and x = n the limit is exactly 0 or 1 (rounding could leave 1e-17).
    lower = np.where(xs == 0, 0.0, lower)
    upper = np.where(xs == ns, 1.0, upper)
    lower = np.where(valid, lower, np.nan)
    upper = np.where(valid, upper, np.nan)
    like = x if isinstance(x, pd.Series) else n
    return _wrap(lower, like), _wrap(upper, like)


def garwood_limits(x: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Exact (Garwood 1936) limits (lower, upper) for Poisson counts ``x``.

    Whole counts are expected; the chi-squared formula in the module docstring
    is used as written for any count of 0 or more. Missing counts give NaN.
    Divide by the exposure for a rate (or use :func:`poisson_interval`).

    >>> lower, upper = garwood_limits(3)
    >>> print(f"{lower[0]:.3f} to {upper[0]:.3f}")
    0.619 to 8.767
    """
    xs = _array(x, "counts")
    if np.any(xs < 0):
        raise InputError("A count is below zero", todo="Counts of events are 0 or more")
    alpha = 1 - _level(confidence)
    with np.errstate(invalid="ignore"):
        lower = np.where(xs > 0, chi2.ppf(alpha / 2, 2 * np.where(xs > 0, xs, 1)) / 2, 0.0)
        upper = chi2.ppf(1 - alpha / 2, 2 * xs + 2) / 2
    lower = np.where(np.isnan(xs), np.nan, lower)
    return _wrap(lower, x), _wrap(upper, x)


def byar_limits(x: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Byar's approximate limits (lower, upper) for Poisson counts ``x``.

    Counts below :data:`BYAR_FROM` (10) get the exact limits instead, as the
    Fingertips technical guidance does; see the module docstring for the formula
    (Breslow & Day 1987).

    >>> lower, upper = byar_limits(20)
    >>> print(f"{lower[0]:.2f} to {upper[0]:.2f}")
    12.21 to 30.89
    """
    xs = _array(x, "counts")
    if np.any(xs < 0):
        raise InputError("A count is below zero", todo="Counts of events are 0 or more")
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        safe = np.where(xs > 0, xs, 1.0)
        lower = safe * (1 - 1 / (9 * safe) - z / (3 * np.sqrt(safe))) ** 3
        upper = (xs + 1) * (1 - 1 / (9 * (xs + 1)) + z / (3 * np.sqrt(xs + 1))) ** 3
    ex_lower, ex_upper = garwood_limits(xs, confidence)
    small = xs < BYAR_FROM
    lower = np.where(small, ex_lower, lower)
    upper = np.where(small, ex_upper, upper)
    lower = np.where(np.isnan(xs), np.nan, lower)
    upper = np.where(np.isnan(xs), np.nan, upper)
    return _wrap(lower, x), _wrap(upper, x)


def poisson_interval(
    x: Any, exposure: Any = 1.0, confidence: float = 0.95, method: str = "exact", per: float = 1.0
) -> tuple[Any, Any]:
    """Limits (lower, upper) of the rates ``x / exposure * per``.

    ``x`` is the number of events, ``exposure`` the person-years or population
    at risk, ``per`` the multiplier the rate is shown with (1,000 for "per
    1,000 people"). ``method`` is ``"exact"`` (Garwood; the default) or
    ``"byar"`` (Byar's approximation from 10 events, exact below). An exposure
    of 0 or missing gives NaN limits.

    12 deaths in 8,000 people: 1.5 per 1,000, between 0.78 and 2.62 per 1,000.

    >>> lower, upper = poisson_interval(12, 8000, per=1000)
    >>> print(f"{lower[0]:.2f} to {upper[0]:.2f}")
    0.78 to 2.62
    """
    if method not in ("exact", "byar"):
        raise InputError(
            f"Unknown method {method!r} for a rate interval",
            todo="Choose 'exact' or 'byar'",
        )
    xs, es = _counts_and_denominators(x, exposure, "exposures")
    if np.any(es < 0):
        raise InputError("An exposure is below zero", todo="Exposures are 0 or more")
    lo, hi = (garwood_limits if method == "exact" else byar_limits)(xs, confidence)
    valid = es > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(valid, np.asarray(lo) / np.where(valid, es, 1.0) * per, np.nan)
        upper = np.where(valid, np.asarray(hi) / np.where(valid, es, 1.0) * per, np.nan)
    like = x if isinstance(x, pd.Series) else exposure
    return _wrap(lower, like), _wrap(upper, like)


def proportion_interval(
    data: pd.DataFrame,
    numerator: str = "numerator",
    denominator: str = "denominator",
    confidence: float = 0.95,
    factor: float = 100.0,
) -> pd.DataFrame:
    """A copy of ``data`` with the value and its Wilson interval, ready to show or download.

    Adds ``value`` (numerator / denominator x ``factor``), ``lower`` and
    ``upper`` (the Wilson limits x ``factor``) and ``confidence`` (the level, as
    a fraction). Rows whose numerator exceeds the denominator (coverage above
    100 %) keep their value but get no interval: they are a data question, not
    a proportion. ``data`` is not changed.

    >>> table = pd.DataFrame({"numerator": [45], "denominator": [50]})
    >>> proportion_interval(table)[["value", "lower", "upper"]].round(1)
       value  lower  upper
    0   90.0   78.6   95.7
    """
    require_columns(
        data,
        [numerator, denominator],
        "the table",
        todo=f"Name the columns holding the counts '{numerator}' and '{denominator}'",
    )
    out = data.copy()
    x = pd.to_numeric(out[numerator], errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(out[denominator], errors="coerce").to_numpy(dtype=float)
    over = np.isfinite(x) & np.isfinite(n) & (x > n)
    lo, hi = wilson_limits(np.where(over, np.nan, x), np.where(over, np.nan, n), confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["value"] = np.where(n > 0, x / np.where(n > 0, n, 1.0) * factor, np.nan)
    out["lower"] = np.asarray(lo) * factor
    out["upper"] = np.asarray(hi) * factor
    out["confidence"] = _level(confidence)
    return out
