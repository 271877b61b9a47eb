"""Lot quality assurance sampling (LQAS): decision rules and their risks.

:func:`lqas_decision_rule`, :func:`lqas_risks`, :func:`lqas_table`,
:func:`oc_curve` and its picture :func:`plot_oc_curve`, :func:`simulate_lqas`,
and :func:`describe_rule`, everything a manager reads about one rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from phcpm.errors import InputError
from phcpm.sampling._checks import _check_fraction, _check_n

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "lqas_risks",
    "lqas_decision_rule",
    "lqas_table",
    "oc_curve",
    "plot_oc_curve",
    "simulate_lqas",
    "LqasRule",
    "describe_rule",
]


def _lower(target: float, lower: float | None, offset: float = 0.30) -> tuple[float, float]:
    target = _check_fraction(target, "the target", "coverage target")
    low = max(target - offset, 0.0) if lower is None else float(lower)
    if not 0.0 <= low < target:
        raise InputError(
            f"The lower threshold ({low}) must be from 0 up to, but below, the target ({target})",
            todo="Leave the lower threshold empty to use the target minus 30 percentage points",
        )
    return target, low


def lqas_risks(n: int, d: int, target: float, lower: float | None = None) -> tuple[float, float]:
    """The two risks of the LQAS decision rule "reaches target if yes ≥ d".

    α (provider risk) = P(X < d | p = target): an area that truly reaches the
    target is classified below target (and gets an unneeded visit).
    β (consumer risk) = P(X ≥ d | p = lower): an area at the lower threshold is
    classified as reaching the target (and its problem is missed).
    X is binomial(n, p) (Valadez, *Assessing Child Survival Programs in
    Developing Countries*, 1991; Grant & Leavenworth, *Statistical Quality
    Control*, 6th ed., 1988).

    >>> [round(r, 3) for r in lqas_risks(19, 13, 0.8, 0.5)]
    [0.068, 0.084]
    """
    n = _check_n(n)
    target, low = _lower(target, lower)
    alpha = float(stats.binom.cdf(d - 1, n, target))
    beta = float(stats.binom.sf(d - 1, n, low))
    return alpha, beta


def lqas_decision_rule(n: int, target: float, lower: float | None = None) -> int:
    """Decision rule d: the smallest number of "yes" answers (out of n) for
    which a supervision area is classified as reaching the target.

    ``lower`` defaults to target − 0.30 (the usual LQAS lower threshold). d is
    the value in 0 … n + 1 that minimises the total misclassification α + β
    (see :func:`lqas_risks`), the "optimal decision rule" of Grant &
    Leavenworth's binomial tables (1988) used by Valadez (1991) and the LQAS
    manuals (Valadez et al., *Assessing Community Health Programs*, 2003).
    Ties (equal α + β within 1e-12) go to the larger d: the stricter rule,
    which protects people in weak areas (smaller β).

    Example: n = 19, target 80 %, lower 50 % gives d = 13 (α = 0.068, β = 0.084).

    >>> lqas_decision_rule(19, 0.8, 0.5)
    13
    """
    n = _check_n(n)
    target, low = _lower(target, lower)
    d = np.arange(0, n + 2)
    alpha = stats.binom.cdf(d - 1, n, target)
    beta = stats.binom.sf(d - 1, n, low)
    total = alpha + beta
    best = total.min()
    return int(d[np.isclose(total, best, rtol=0, atol=1e-12)].max())


def lqas_table(
    sample_sizes: Iterable[int], targets: Iterable[float], lower_offset: float = 0.30
) -> pd.DataFrame:
    """Decision rules for several sample sizes and targets, with both risks.

    Columns: n, target, lower (target − ``lower_offset``, at least 0), d, alpha,
    beta (see :func:`lqas_decision_rule` and :func:`lqas_risks`).

    >>> lqas_table([19], [0.8])[["n", "target", "d"]].to_dict("records")
    [{'n': 19, 'target': 0.8, 'd': 13}]
    """
    ts = np.array([_lower(t, None, lower_offset)[0] for t in targets], dtype=float)
    lows = np.clip(ts - lower_offset, 0.0, None).round(10)
    parts = []
    for n in sample_sizes:
        n = _check_n(n)
        d = np.arange(0, n + 2)[:, None]  # rows: candidate rules; columns: targets
        alpha = stats.binom.cdf(d - 1, n, ts[None, :])
        beta = stats.binom.sf(d - 1, n, lows[None, :])
        total = alpha + beta
        best = np.isclose(total, total.min(axis=0), rtol=0, atol=1e-12)
        pick = (n + 1) - np.argmax(best[::-1], axis=0)  # largest d among ties
        cols = np.arange(len(ts))
        parts.append(
            pd.DataFrame(
                {
                    "n": n,
                    "target": ts,
                    "lower": lows,
                    "d": pick,
                    "alpha": alpha[pick, cols],
                    "beta": beta[pick, cols],
                }
            )
        )
    columns = ["n", "target", "lower", "d", "alpha", "beta"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def oc_curve(n: int, d: int, p: Iterable[float] | None = None) -> pd.DataFrame:
    """Operating characteristic curve of the rule "reaches target if yes ≥ d".

    For each true coverage p, the probability that an area is classified as
    reaching the target, P(X ≥ d), X ~ binomial(n, p). Default p: 0 to 1 by 0.01.

    >>> oc_curve(19, 13, [0.5, 0.8]).round(3).to_dict("list")
    {'p': [0.5, 0.8], 'prob_classified_reaching': [0.084, 0.932]}
    """
    n = _check_n(n)
    grid = np.linspace(0.0, 1.0, 101) if p is None else np.asarray(list(p), dtype=float)
    if ((grid < 0) | (grid > 1)).any():
        raise InputError("Coverage values for the curve must be from 0 to 1")
    return pd.DataFrame({"p": grid, "prob_classified_reaching": stats.binom.sf(d - 1, n, grid)})


def simulate_lqas(true_p: float, n: int, d: int, reps: int = 10_000, seed: int = 1) -> float:
    """Share of simulated areas with true coverage ``true_p`` classified as
    reaching the target by the rule "yes ≥ d" with n interviews.

    Each repetition draws the number of "yes" answers from binomial(n, true_p)
    with ``numpy.random.default_rng(seed)``; the result approaches the OC curve
    value P(X ≥ d) as ``reps`` grows.

    >>> simulate_lqas(0.8, 19, 13, reps=1000)
    0.924
    """
    true_p = _check_fraction(true_p, "the true coverage", "true coverage", closed=True)
    n = _check_n(n)
    rng = np.random.default_rng(seed)
    yes = rng.binomial(n, true_p, size=int(reps))
    return float((yes >= d).mean())


def plot_oc_curve(
    n: int, d: int, target: float, lower: float | None = None, ax: Axes | None = None
) -> Figure:
    """Draw the operating characteristic (OC) curve of the rule "reaches target if yes ≥ d".

    The curve is :func:`oc_curve` (P(X ≥ d), X ~ binomial(n, p)), in percent, with
    the target as a dashed line and the lower threshold (default target − 0.30,
    as in :func:`lqas_risks`) as a dotted line: where the curve crosses them
    reads 1 − α and β (Valadez et al., *Assessing Community Health Programs*,
    2003). Colours from :data:`phcpm.style.PALETTE`. Returns the matplotlib
    ``Figure``; it is made with ``matplotlib.figure.Figure`` unless ``ax`` is
    given, so no global pyplot state is touched.

    >>> plot_oc_curve(19, 13, 0.8).axes[0].get_xlabel()
    'True coverage in the area (%)'
    """
    from matplotlib.figure import Figure

    from phcpm.style import PALETTE

    target, low = _lower(target, lower)
    curve = oc_curve(n, d)
    if ax is None:
        fig = Figure(figsize=(7, 3.8), dpi=100, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.plot(
        curve["p"] * 100,
        curve["prob_classified_reaching"] * 100,
        color=PALETTE[0],
        label=f"rule {d} of {int(n)}",
    )
    ax.axvline(target * 100, color=PALETTE[2], linestyle="--", label="target")
    ax.axvline(low * 100, color=PALETTE[5], linestyle=":", label="lower threshold")
    ax.set_xlabel("True coverage in the area (%)")
    ax.set_ylabel("Chance of 'reaches target' (%)")
    ax.set_title("How often an area is classified as reaching the target")
    ax.legend(loc="upper left")
    return fig


@dataclass(frozen=True)
class LqasRule:
    """One LQAS decision rule and its two risks (see :func:`describe_rule`)."""

    n: int
    d: int
    target: float
    lower: float
    alpha: float
    beta: float


def describe_rule(n: int, target: float, lower: float | None = None) -> LqasRule:
    """The decision rule for ``n`` interviews and a ``target``, with both risks.

    ``d`` is :func:`lqas_decision_rule`, ``alpha`` and ``beta`` are
    :func:`lqas_risks` for that rule; ``lower`` defaults to target − 0.30.

    >>> rule = describe_rule(19, 0.8, 0.5)
    >>> rule.d, round(rule.alpha, 3), round(rule.beta, 3)
    (13, 0.068, 0.084)
    """
    target, low = _lower(target, lower)
    d = lqas_decision_rule(n, target, low)
    alpha, beta = lqas_risks(n, d, target, low)
    return LqasRule(n=_check_n(n), d=d, target=target, lower=low, alpha=alpha, beta=beta)
