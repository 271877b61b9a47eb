"""The IHI run chart rules: shift, trend, too few or too many runs.

R. J. Perla, L. P. Provost and S. K. Murray, "The run chart: a simple
analytical tool for learning from variation in healthcare processes", *BMJ
Qual Saf* 20:46–51, 2011. The limits for the number of runs are computed
exactly from the distribution of F. S. Swed and C. Eisenhart (1943).

>>> runs_limits(20)
(7, 15)
>>> rules = ihi_rules([5, 6, 7, 8, 9, 10, 4, 3, 2, 5, 6])
>>> bool(rules.loc["trend", "signal"]), bool(rules.loc["shift", "signal"])
(True, False)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import comb

from phcpm.spc.checks import as_numeric
from phcpm.spc.runs import sign_runs

__all__ = ["ihi_rules", "runs_limits", "swed_eisenhart_pmf"]


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
    values = as_numeric(y, "y")
    pos = np.flatnonzero(~np.isnan(values)) + 1
    v = values[~np.isnan(values)]
    med = float(np.median(v)) if median is None and v.size else median

    rows = []
    # Shift
    side = np.sign(v - med)
    useful = side != 0
    s_pos, s_side = pos[useful], side[useful]
    starts, lengths = sign_runs(s_side)
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
    starts, lengths = sign_runs(steps)
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
    n_runs = int(sign_runs(s_side)[1].size)
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
