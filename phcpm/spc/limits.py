"""Centre lines and control limits: one small function per chart type.

Each function takes one part of a chart (:class:`Part`: its subgroups and which
of them form the baseline) and returns the plotted statistic ``y`` with the
centre line ``cl`` and the 3-sigma limits ``lcl`` and ``ucl``, one value per
subgroup. :data:`LIMITS` maps each chart code of :data:`~phcpm.spc.CHARTS` to
its function. Unless stated otherwise the equations are those of D. C.
Montgomery, *Introduction to Statistical Quality Control*, 6th ed., Wiley,
2009; where qicharts2 (J. Anhøj, version 0.8.1) makes a choice the book leaves
open, the function follows qicharts2, and ``tests/test_spc_qicharts2.py``
checks every chart against it to 1e-4.

>>> part = Part.from_values([12.0, 15, 11, 14, 13])
>>> lines = LIMITS["c"](part)
>>> float(lines["cl"][0]), round(float(lines["ucl"][0]), 2)
(13.0, 23.82)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from phcpm.spc.constants import MR_D2, MR_D4, T_POWER, a3, b3, b4

__all__ = [
    "LIMITS",
    "Lines",
    "Part",
    "limits_c",
    "limits_g",
    "limits_i",
    "limits_mr",
    "limits_p",
    "limits_pp",
    "limits_run",
    "limits_s",
    "limits_t",
    "limits_u",
    "limits_up",
    "limits_xbar",
    "mean_moving_range",
    "part_limits",
]

#: What a limit function returns: arrays ``y``, ``cl``, ``lcl``, ``ucl``.
Lines = dict[str, np.ndarray]


@dataclass(frozen=True)
class Part:
    """One part of a chart: its subgroups, one value per subgroup.

    ``y`` is the subgroup statistic (the value, or ``sum(y) / sum(n)`` when
    there are denominators), ``y_sum``, ``y_length``, ``y_mean`` and ``y_sd``
    the sum, number, mean and standard deviation of the raw values in the
    subgroup, ``n`` the summed denominators. ``base`` marks the subgroups
    used to compute the centre line and limits (baseline, not excluded).
    ``screened`` asks for Nelson's screening of large moving ranges;
    ``categorical`` is true when the subgroups are labels (a funnel plot).
    """

    y: np.ndarray
    n: np.ndarray
    y_sum: np.ndarray
    y_length: np.ndarray
    y_mean: np.ndarray
    y_sd: np.ndarray
    base: np.ndarray
    screened: bool = True
    categorical: bool = False

    @classmethod
    def from_frame(
        cls, d: pd.DataFrame, base: np.ndarray, screened: bool, categorical: bool
    ) -> Part:
        """A part from the subgroup table built by :func:`phcpm.spc.qic`."""
        col = {c: d[c].to_numpy(dtype=float) for c in ("y", "n", "y_sum", "y_length", "y_sd")}
        return cls(
            y=col["y"],
            n=col["n"],
            y_sum=col["y_sum"],
            y_length=col["y_length"],
            y_mean=d["y_mean"].to_numpy(dtype=float),
            y_sd=col["y_sd"],
            base=np.asarray(base, dtype=bool),
            screened=screened,
            categorical=categorical,
        )

    @classmethod
    def from_values(cls, y: Any, n: Any = None) -> Part:
        """A part of single values (one per subgroup), all in the baseline."""
        yv = np.asarray(y, dtype=float)
        nv = np.full(yv.size, np.nan) if n is None else np.asarray(n, dtype=float)
        ones = np.ones(yv.size)
        return cls(
            y=yv if n is None else yv / nv,
            n=nv,
            y_sum=yv,
            y_length=ones,
            y_mean=yv,
            y_sd=np.full(yv.size, np.nan),
            base=np.ones(yv.size, dtype=bool),
        )

    @property
    def full(self) -> np.ndarray:
        """Ones, one per subgroup, to spread a single value over the part."""
        return np.ones(self.y.size)


def _nanmean(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(a.mean()) if a.size else np.nan


def _nanmedian(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(np.median(a)) if a.size else np.nan


def mean_moving_range(values: np.ndarray, screened: bool) -> float:
    """Mean moving range, with Nelson's screening of large ranges when ``screened``.

    Moving ranges at or above D4 × mean moving range (D4 = 3.267, Montgomery
    Appendix VI) are dropped and the mean recomputed (L. S. Nelson, *J Qual
    Technol* 14(3):172–173, 1982), as qicharts2 does by default.

    >>> mean_moving_range(np.array([10.0, 12, 11, 13, 12]), screened=False)
    1.5
    """
    mr = np.abs(np.diff(values))
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return np.nan
    amr = mr.mean()
    if screened:
        kept = mr[mr < MR_D4 * amr]
        amr = kept.mean() if kept.size else np.nan
    return float(amr)


def _individuals(y: np.ndarray, base: np.ndarray, screened: bool) -> tuple[float, float, float]:
    """Centre line and limits of an individuals chart: mean ± 3 × MR-bar / d2 (eq. 6.33)."""
    cl = _nanmean(y[base])
    sigma = mean_moving_range(y[base], screened) / MR_D2
    return cl, cl - 3 * sigma, cl + 3 * sigma


def limits_run(part: Part) -> Lines:
    """Run chart: the centre line is the median of the baseline values; no limits.

    Anhøj & Olesen, *PLoS ONE* 9(11):e113825, 2014; qicharts2 ``qic(chart = "run")``.
    """
    cl = _nanmedian(part.y[part.base])
    return {"y": part.y, "cl": cl * part.full, "lcl": np.nan * part.full, "ucl": np.nan * part.full}


def limits_i(part: Part) -> Lines:
    """I chart: CL = mean, limits CL ± 3 × MR-bar / 1.128 (Montgomery eq. 6.33, section 6.4).

    MR-bar is screened as in :func:`mean_moving_range` when ``part.screened``.
    """
    cl, lcl, ucl = _individuals(part.y, part.base, part.screened)
    return {"y": part.y, "cl": cl * part.full, "lcl": lcl * part.full, "ucl": ucl * part.full}


def limits_mr(part: Part) -> Lines:
    """MR chart: y = |y_i − y_(i−1)|, CL = MR-bar, UCL = 3.267 × CL, LCL = 0.

    Montgomery section 6.4 (D4 = 3.267 and D3 = 0 for ranges of two points,
    Appendix VI).
    """
    mr = np.concatenate(([np.nan], np.abs(np.diff(part.y))))
    cl = _nanmean(mr[part.base])
    return {"y": mr, "cl": cl * part.full, "lcl": 0.0 * part.full, "ucl": MR_D4 * cl * part.full}


def _s_bar(part: Part) -> float:
    """s̄: the mean subgroup SD when all subgroups have the same size (eq. 6.31
    with equal n), otherwise the pooled SD √(Σ(n_i−1)s_i² / Σ(n_i−1)) (Montgomery
    section 6.3.2, as qicharts2)."""
    lb, sb = part.y_length[part.base], part.y_sd[part.base]
    if np.unique(part.y_length).size > 1:
        num = np.nansum((lb - 1) * sb**2)
        den = np.nansum(lb - 1)
        return math.sqrt(num / den) if den > 0 else np.nan
    return _nanmean(sb)


def limits_xbar(part: Part) -> Lines:
    """X-bar chart: CL = Σ n_i x̄_i / Σ n_i, limits CL ± A3(n_i) · s̄.

    Montgomery eq. 6.30 (centre line) and 6.28 (limits with A3 = 3 / (c4 √n));
    s̄ as in section 6.3.2 (pooled when subgroup sizes differ).
    """
    s_bar = _s_bar(part)
    lb = part.y_length[part.base]
    w = lb * part.y_mean[part.base]
    ok = ~np.isnan(w)
    cl = float(w[ok].sum() / lb[ok].sum()) if ok.any() else np.nan
    half = a3(part.y_length) * s_bar
    return {"y": part.y_mean, "cl": cl * part.full, "lcl": cl - half, "ucl": cl + half}


def limits_s(part: Part) -> Lines:
    """S chart: CL = s̄, UCL = B4(n_i) · s̄, LCL = B3(n_i) · s̄ (Montgomery eq. 6.27)."""
    s_bar = _s_bar(part)
    return {
        "y": part.y_sd,
        "cl": s_bar * part.full,
        "lcl": b3(part.y_length) * s_bar,
        "ucl": b4(part.y_length) * s_bar,
    }


def limits_t(part: Part) -> Lines:
    """T chart: an I chart of y^(1/3.6), centre line and limits transformed back with ^3.6.

    Nelson's transformation of exponential times between events (L. S. Nelson,
    *J Qual Technol* 26(3):239–240, 1994; Montgomery section 7.3.5). A negative
    lower limit is shown as 0.
    """
    cl, lcl, ucl = _individuals(part.y ** (1 / T_POWER), part.base, part.screened)
    back_lcl = lcl**T_POWER if lcl > 0 else 0.0
    return {
        "y": part.y,
        "cl": cl**T_POWER * part.full,
        "lcl": back_lcl * part.full,
        "ucl": ucl**T_POWER * part.full,
    }


def _pooled_rate(part: Part) -> float:
    """Σ y_sum / Σ n over the baseline subgroups with both a numerator and a denominator."""
    ok = part.base & ~np.isnan(part.y_sum) & ~np.isnan(part.n)
    return float(part.y_sum[ok].sum() / part.n[ok].sum()) if ok.any() else np.nan


def _laney(part: Part, cl: float, sigma: np.ndarray) -> np.ndarray:
    """Laney's sigma: the binomial or Poisson sigma times sigma_z.

    sigma_z = MR-bar of the z-scores z_i = (y_i − CL) / sigma_i, divided by
    1.128 (screened as for the I chart); the SD of the z-scores when the
    subgroups are labels (D. B. Laney, *Quality Engineering* 14(4):531–537,
    2002; qicharts2).
    """
    z = (part.y[part.base] - cl) / sigma[part.base]
    if part.categorical:
        z = z[~np.isnan(z)]
        sigma_z = float(np.std(z, ddof=1)) if z.size > 1 else np.nan
    else:
        sigma_z = mean_moving_range(z, part.screened) / MR_D2
    return sigma * sigma_z


def _proportion(part: Part, laney: bool) -> Lines:
    cl = _pooled_rate(part)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(cl * (1 - cl) / part.n)
        if laney:
            sigma = _laney(part, cl, sigma)
    lcl = np.maximum(cl - 3 * sigma, 0.0)
    ucl = np.minimum(cl + 3 * sigma, 1.0)
    return {"y": part.y, "cl": cl * part.full, "lcl": lcl, "ucl": ucl}


def _rate(part: Part, laney: bool) -> Lines:
    cl = _pooled_rate(part)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(cl / part.n)
        if laney:
            sigma = _laney(part, cl, sigma)
    lcl = np.maximum(cl - 3 * sigma, 0.0)
    return {"y": part.y, "cl": cl * part.full, "lcl": lcl, "ucl": cl + 3 * sigma}


def limits_p(part: Part) -> Lines:
    """P chart: CL = Σ y / Σ n, limits CL ± 3 √(CL(1 − CL) / n_i), kept in [0, 1].

    Montgomery eq. 7.8 (section 7.2.2, variable sample size).
    """
    return _proportion(part, laney=False)


def limits_pp(part: Part) -> Lines:
    """Laney's P′ chart: the P chart sigma times sigma_z (Laney 2002; qicharts2 ``pp``).

    D. B. Laney, "Improved control charts for attributes", *Quality Engineering*
    14(4):531–537, 2002.
    """
    return _proportion(part, laney=True)


def limits_c(part: Part) -> Lines:
    """C chart: CL = mean count, limits CL ± 3 √CL, LCL floored at 0 (Montgomery eq. 7.17)."""
    cl = _nanmean(part.y_sum[part.base])
    sigma = math.sqrt(cl) if cl >= 0 else np.nan
    return {
        "y": part.y_sum,
        "cl": cl * part.full,
        "lcl": max(cl - 3 * sigma, 0.0) * part.full,
        "ucl": (cl + 3 * sigma) * part.full,
    }


def limits_u(part: Part) -> Lines:
    """U chart: CL = Σ y / Σ n, limits CL ± 3 √(CL / n_i), LCL ≥ 0 (Montgomery eq. 7.19)."""
    return _rate(part, laney=False)


def limits_up(part: Part) -> Lines:
    """Laney's U′ chart: the U chart sigma times sigma_z (Laney 2002; qicharts2 ``up``)."""
    return _rate(part, laney=True)


def limits_g(part: Part) -> Lines:
    """G chart: limits mean ± 3 √(mean(mean + 1)), LCL ≥ 0; centre line the median.

    Geometric model of the number of cases (or days) between events
    (Montgomery section 7.3.5; J. C. Benneyan, *Health Care Manag Sci*
    4:305–318, 2001). As in qicharts2 the centre line drawn is the median of
    the baseline values (the data are skewed; the median keeps the runs
    analysis valid), while the limits use the mean.
    """
    mean = _nanmean(part.y[part.base])
    sigma = math.sqrt(mean * (mean + 1))
    return {
        "y": part.y,
        "cl": _nanmedian(part.y[part.base]) * part.full,
        "lcl": max(mean - 3 * sigma, 0.0) * part.full,
        "ucl": (mean + 3 * sigma) * part.full,
    }


#: The limit function of each chart type.
LIMITS: dict[str, Callable[[Part], Lines]] = {
    "run": limits_run,
    "i": limits_i,
    "mr": limits_mr,
    "xbar": limits_xbar,
    "s": limits_s,
    "t": limits_t,
    "p": limits_p,
    "pp": limits_pp,
    "c": limits_c,
    "u": limits_u,
    "up": limits_up,
    "g": limits_g,
}


def part_limits(
    chart: str, d: pd.DataFrame, base: np.ndarray, screened: bool, categorical: bool
) -> Lines:
    """Centre line and limits of one part of a chart, by the function of its chart type."""
    return LIMITS[chart](Part.from_frame(d, base, screened, categorical))
