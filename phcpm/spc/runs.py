"""Runs analysis by the Anhøj rules: is there a shift or a lack of crossings?

J. Anhøj and A. V. Olesen, "Run charts revisited", *PLoS ONE* 9(11):e113825,
2014. Points exactly on the centre line are not useful and are dropped. A
*runs signal* is raised when the longest run on one side of the centre line is
longer than ``round(log2(n_useful)) + 3`` (M. F. Schilling, *Math Mag*
85:141–149, 2012) or when the number of crossings is smaller than the 5th
percentile of Binomial(n_useful − 1, 0.5) (Chen, *Qual Eng* 2010). ``round``
here never meets a tie: log2 of an integer is never exactly k + 0.5.

>>> longest_run_max(24), crossings_min(24)
(8, 8)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

__all__ = ["crossings_min", "longest_run_max", "runs_analysis", "sign_runs"]


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


def sign_runs(signs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values in ``signs``."""
    if signs.size == 0:
        return np.array([], dtype=int), np.array([], dtype=int)
    breaks = np.flatnonzero(np.diff(signs) != 0) + 1
    starts = np.concatenate(([0], breaks))
    lengths = np.diff(np.concatenate((starts, [signs.size])))
    return starts, lengths


def runs_analysis(y: np.ndarray, cl: np.ndarray) -> dict[str, Any]:
    """The runs-analysis numbers of the points ``y`` around the centre line ``cl``.

    Returns ``n_useful``, ``longest_run``, ``longest_run_max``, ``n_crossings``,
    ``n_crossings_min`` and ``runs_signal`` (Anhøj & Olesen 2014).

    Twelve points, six below and then six above the centre line, cross it only
    once where at least three crossings are expected:

    >>> out = runs_analysis(np.arange(1.0, 14.0), np.full(13, 7.0))
    >>> out["n_useful"], out["longest_run"], out["n_crossings"], out["n_crossings_min"]
    (12, 6, 1, 3)
    >>> out["runs_signal"]
    True
    """
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
    _, lengths = sign_runs(signs)
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
