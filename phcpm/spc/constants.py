"""Chart types and the constants of their limits.

The chart codes follow qicharts2 (J. Anhøj); the constants are those of
D. C. Montgomery, *Introduction to Statistical Quality Control*, 6th ed.,
Wiley, 2009 (Appendix VI), computed exactly rather than read from its table.

>>> round(float(c4(5)), 4), round(float(a3(5)), 3)
(0.94, 1.427)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import gammaln

__all__ = [
    "CHARTS",
    "CHART_LABELS",
    "COMMON_CHARTS",
    "MORE_CHARTS",
    "MR_D2",
    "MR_D4",
    "T_POWER",
    "a3",
    "b3",
    "b4",
    "c4",
]

#: Chart types understood by :func:`phcpm.spc.qic`, with a plain-language name.
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

MR_D2 = 1.128  # d2 for moving ranges of two points (Montgomery, Appendix VI)
MR_D4 = 3.267  # D4 for moving ranges of two points (Montgomery, Appendix VI)
T_POWER = 3.6  # Nelson's transformation for exponential times (Nelson 1994)


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
