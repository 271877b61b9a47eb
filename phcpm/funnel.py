"""Funnel plots: which facilities differ from the rest by more than chance?

A funnel plot shows each facility's proportion or rate (vertical axis) against
its denominator (horizontal axis), with a target line and control limits that
narrow as the denominator grows. A facility inside the limits differs from the
target by no more than chance would give a unit of its size; one outside is
the one to look at, whatever its place in a league table (D. J. Spiegelhalter,
"Funnel plots for comparing institutional performance", *Stat Med*
24:1185-1202, 2005; "Handling over-dispersion of performance indicators",
*Qual Saf Health Care* 14:347-351, 2005).

Limits
------
Two levels, as in Spiegelhalter (2005) and the funnel-plot tools of Public
Health England (R package PHEindicatormethods, ``phe_funnels``): 95 % (about 2
standard deviations, an *alert*) and 99.8 % (about 3 standard deviations, an
*alarm*). ``p`` below is 0.025 and 0.975, or 0.001 and 0.999.

``method="exact"`` (the default): the ``p`` quantile of the count a unit of
denominator ``n`` would have if it were on target ``θ``, Binomial(n, θ) for a
proportion and Poisson(nθ) for a rate, made continuous by Spiegelhalter's
interpolation (2005, Stat Med, appendix)::

    r_p   = smallest r with F(r) >= p
    alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))
    limit = (r_p - alpha) / n

kept inside [0, 1] for a proportion and at or above 0 for a rate. When the
upper quantile is the largest possible count (12 reports out of 12 expected,
for a target of 95 %), the upper limit is 100 %: the interpolation would put it
a hair below and flag every complete facility. A binomial
needs a whole denominator: denominators that are estimates (a target
population of 47.6) are rounded to the nearest whole number for these limits.

``method="normal"``: ``θ ± z sqrt(θ(1 - θ) / n)`` for a proportion and
``θ ± z sqrt(θ / n)`` for a rate, kept inside the same bounds. This is the
method of the PHE funnel-plot tools for proportions (R package
PHEindicatormethods, ``phe_funnels``); ``z`` is 1.959964 or 3.090232.

Over-dispersion
---------------
When facilities differ for reasons nobody can act on quickly (case mix,
catchment, how the population was estimated), far more of them fall outside
the limits than chance would put there, and the plot points at too many
places. Spiegelhalter (2005, Qual Saf Health Care) measures this with the
*winsorised* z-scores of the units: ``z_i = (y_i - θ) / s_i`` with
``s_i = sqrt(θ(1 - θ) / n_i)`` (proportion) or ``sqrt(θ / n_i)`` (rate); the
lowest 10 % are set to the 10th percentile and the highest 10 % to the 90th, so
that the units that stand out most do not hide themselves by widening the
limits; then ``φ = Σ z_i² / I`` over the ``I`` units.

The decision (a convention of this toolkit, stated so that it can be checked):
the data call for an adjustment when ``I φ`` is above the 95th percentile of
the chi-squared distribution with ``I - 1`` degrees of freedom (the
heterogeneity test of R. DerSimonian and N. Laird, "Meta-analysis in clinical
trials", *Control Clin Trials* 7:177-188, 1986), and there are at least
:data:`MIN_UNITS` units to measure it on. Two adjustments are offered:

* ``"additive"`` (random effects, the default when the data call for it):
  ``τ² = (I φ - (I - 1)) / (Σ w_i - Σ w_i² / Σ w_i)`` with ``w_i = 1 / s_i²``
  (DerSimonian-Laird, as in Spiegelhalter 2005), and limits
  ``θ ± z sqrt(s_i² + τ²)``. The limits then stop narrowing for large units,
  which is what managers see in practice: a big hospital is not expected to
  hit the target to the decimal.
* ``"multiplicative"``: limits ``θ ± z sqrt(φ) s_i`` (φ is used only when
  above 1).

Adjusted limits use the normal approximation, as in Spiegelhalter (2005).
``overdispersion="auto"`` applies the additive adjustment only when the test
says so; ``"none"``, ``"additive"`` and ``"multiplicative"`` force a choice.

The result
----------
:func:`funnel` returns a :class:`FunnelResult` whose ``table`` has one row per
unit: ``org_unit``, ``name``, ``numerator``, ``denominator``, ``value``,
``target``, the four limits, ``z``, ``position`` (one of :data:`POSITIONS`) and
``look_here`` (True outside the 99.8 % limits, or when the data are impossible,
such as a coverage above 100 %). Values and limits are in display units
(``factor`` 100 for a percentage).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom, chi2, poisson

from phcpm.errors import InputError, require_columns
from phcpm.intervals import z_value

__all__ = [
    "LEVELS",
    "Dispersion",
    "MIN_UNITS",
    "POSITIONS",
    "FunnelResult",
    "dispersion",
    "funnel",
    "funnel_curve",
    "funnel_limits",
    "plot_funnel",
]

#: The two control-limit levels: alert (95 %) and alarm (99.8 %).
LEVELS: tuple[float, float] = (0.95, 0.998)

#: Fewest units on which over-dispersion is measured (a convention of this toolkit:
#: with fewer, winsorising 10 % at each end leaves too little to estimate φ).
MIN_UNITS = 10

#: Where a unit lies, from the top of the funnel to the bottom, plus the two
#: cases without a position.
POSITIONS: dict[str, str] = {
    "above_998": "Above the 99.8 % limit",
    "above_95": "Above the 95 % limit",
    "inside": "Inside the limits",
    "below_95": "Below the 95 % limit",
    "below_998": "Below the 99.8 % limit",
    "check_data": "Check the data",
    "no_data": "No data",
}

_KINDS = ("proportion", "rate")
_METHODS = ("exact", "normal")
_ADJUST = ("auto", "none", "additive", "multiplicative")


def _check_kind(kind: str, method: str) -> None:
    if kind not in _KINDS:
        raise InputError(f"Unknown kind {kind!r}", todo="Choose 'proportion' or 'rate'")
    if method not in _METHODS:
        raise InputError(f"Unknown method {method!r}", todo="Choose 'exact' or 'normal'")


def _sd(theta: float, n: np.ndarray, kind: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            return np.sqrt(theta * (1 - theta) / n)
        return np.sqrt(theta / n)


def _exact_limit(n: np.ndarray, theta: float, p: float, kind: str) -> np.ndarray:
    """Spiegelhalter (2005, Stat Med, appendix): interpolated p quantile of the count, over n."""
    if kind == "proportion":
        size = np.rint(n)
        dist = binom(size, theta)
    else:
        size = n
        dist = poisson(n * theta)
    r = dist.ppf(p)
    f_r = dist.cdf(r)
    f_before = np.where(r > 0, dist.cdf(r - 1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(f_r > f_before, (f_r - p) / (f_r - f_before), 0.0)
        limit = (r - alpha) / size
    if kind == "proportion" and p > 0.5:
        # When the quantile is the largest possible count (every patient, every
        # report), no unit can lie above it: the limit is 100 %, not a hair below.
        limit = np.where(r >= size, 1.0, limit)
    return limit


def funnel_limits(
    denominator: Any,
    target: float,
    kind: str = "proportion",
    method: str = "exact",
    levels: Sequence[float] = LEVELS,
    phi: float = 1.0,
    tau2: float = 0.0,
) -> pd.DataFrame:
    """Control limits at each denominator, as fractions (or events per unit of exposure).

    ``target`` is θ as a fraction (0.9 for 90 %) or a rate per unit of
    denominator. ``phi`` above 1 or ``tau2`` above 0 give the over-dispersed
    limits of the module docstring (normal approximation). Returns a table with
    ``denominator``, ``target`` and, for each level L, ``lower_L`` and
    ``upper_L`` where L is written without the dot (``lower_95``,
    ``upper_998``).
    """
    _check_kind(kind, method)
    n = np.atleast_1d(np.asarray(denominator, dtype=float))
    theta = float(target)
    if kind == "proportion" and not 0 <= theta <= 1:
        raise InputError(
            f"The target {theta:g} is not a proportion between 0 and 1",
            todo="Give the target as a fraction, for example 0.9 for 90 %",
        )
    if theta < 0:
        raise InputError("The target is below zero", todo="Give a target of 0 or more")
    out = pd.DataFrame({"denominator": n, "target": theta})
    sd = _sd(theta, n, kind)
    adjusted = phi > 1 or tau2 > 0
    for level in levels:
        z = z_value(level)
        p_low, p_high = (1 - level) / 2, 1 - (1 - level) / 2
        if adjusted:
            spread = np.sqrt(phi) * sd if tau2 <= 0 else np.sqrt(sd**2 + tau2)
            low, high = theta - z * spread, theta + z * spread
        elif method == "exact":
            low = _exact_limit(n, theta, p_low, kind)
            high = _exact_limit(n, theta, p_high, kind)
        else:
            low, high = theta - z * sd, theta + z * sd
        low = np.maximum(low, 0.0)
        if kind == "proportion":
            high = np.minimum(high, 1.0)
        key = _level_key(level)
        out[f"lower_{key}"] = np.where(n > 0, low, np.nan)
        out[f"upper_{key}"] = np.where(n > 0, high, np.nan)
    return out


def _level_key(level: float) -> str:
    return f"{level * 100:g}".replace(".", "")


@dataclass(frozen=True)
class Dispersion:
    """How much more the units vary than chance allows (Spiegelhalter 2005)."""

    phi: float  # winsorised mean squared z-score
    tau2: float  # DerSimonian-Laird between-unit variance (0 when I φ <= I - 1)
    units: int  # I, the units measured
    statistic: float  # I φ
    threshold: float  # 95th percentile of chi-squared with I - 1 degrees of freedom
    overdispersed: bool  # statistic > threshold and units >= MIN_UNITS


def dispersion(
    value: Any, denominator: Any, target: float, kind: str = "proportion", winsor: float = 0.1
) -> Dispersion:
    """Winsorised φ, DerSimonian-Laird τ² and the decision to adjust (module docstring).

    ``value`` holds the units' proportions (fractions) or rates, ``denominator``
    their denominators; units with a missing value or no denominator are left
    out. ``winsor`` is the share set to the percentile at each end (0.1).
    """
    _check_kind(kind, "exact")
    y = np.asarray(value, dtype=float)
    n = np.asarray(denominator, dtype=float)
    keep = np.isfinite(y) & np.isfinite(n) & (n > 0)
    y, n = y[keep], n[keep]
    units = len(y)
    theta = float(target)
    sd = _sd(theta, n, kind)
    if units == 0 or not np.all(sd > 0):
        return Dispersion(math.nan, 0.0, units, math.nan, math.nan, False)
    z = (y - theta) / sd
    lo, hi = np.percentile(z, [100 * winsor, 100 * (1 - winsor)])
    zw = np.clip(z, lo, hi)
    phi = float(np.mean(zw**2))
    statistic = units * phi
    w = 1 / sd**2
    excess = statistic - (units - 1)
    tau2 = max(0.0, excess / (w.sum() - (w**2).sum() / w.sum())) if units > 1 else 0.0
    threshold = float(chi2.ppf(0.95, units - 1)) if units > 1 else math.inf
    return Dispersion(
        phi=phi,
        tau2=float(tau2),
        units=units,
        statistic=float(statistic),
        threshold=threshold,
        overdispersed=bool(units >= MIN_UNITS and statistic > threshold),
    )


@dataclass
class FunnelResult:
    """A funnel plot's numbers: one row per unit in ``table``, and how the limits were set."""

    table: pd.DataFrame
    kind: str
    method: str
    target: float  # in display units
    factor: float
    levels: tuple[float, ...]
    adjustment: str  # "none", "additive" or "multiplicative"
    dispersion: Dispersion
    notes: list[str] = field(default_factory=list)
    target_given: bool = True  # False when the line is the value of all units together

    def look_here(self) -> pd.DataFrame:
        """The units to look at, furthest from the target first."""
        rows = self.table[self.table["look_here"]]
        return rows.reindex(rows["z"].abs().sort_values(ascending=False, na_position="first").index)


def funnel(
    data: pd.DataFrame,
    numerator: str = "numerator",
    denominator: str = "denominator",
    unit: str = "org_unit",
    name: str | None = "name",
    kind: str = "proportion",
    target: float | None = None,
    method: str = "exact",
    overdispersion: str = "auto",
    factor: float = 100.0,
    levels: Sequence[float] = LEVELS,
) -> FunnelResult:
    """Funnel-plot limits and the position of every unit.

    ``data`` has one row per unit with a count (``numerator``) and a
    ``denominator``. ``kind`` is ``"proportion"`` (count out of denominator) or
    ``"rate"`` (events per unit of exposure). ``target`` is in display units
    (90 for 90 % when ``factor`` is 100); by default it is the overall value of
    all units together (Σ numerators / Σ denominators), as in the PHE tools.
    ``overdispersion`` is ``"auto"``, ``"none"``, ``"additive"`` or
    ``"multiplicative"`` (module docstring). ``data`` is not changed.

    A proportion whose count exceeds its denominator (a coverage above 100 %)
    gets ``position`` "check_data" and ``look_here`` True, and is left out of
    the overall value and the over-dispersion measure; a unit with no
    denominator gets "no_data".
    """
    _check_kind(kind, method)
    if overdispersion not in _ADJUST:
        raise InputError(
            f"Unknown over-dispersion choice {overdispersion!r}",
            todo="Choose 'auto', 'none', 'additive' or 'multiplicative'",
        )
    if not isinstance(data, pd.DataFrame):
        raise InputError("The data are not a table", todo="Give a table with one row per unit")
    require_columns(data, [unit, numerator, denominator], "the table of units")
    if len(data) == 0:
        raise InputError("The table of units has no rows", todo="Give at least one unit")
    x = pd.to_numeric(data[numerator], errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(data[denominator], errors="coerce").to_numpy(dtype=float)
    if np.any(x < 0) or np.any(n < 0):
        raise InputError(
            "A count or denominator is below zero",
            where=f"columns '{numerator}' and '{denominator}'",
            todo="Counts and denominators are 0 or more",
        )
    usable = np.isfinite(x) & np.isfinite(n) & (n > 0)
    impossible = usable & (x > n) if kind == "proportion" else np.zeros(len(x), dtype=bool)
    fit = usable & ~impossible
    notes: list[str] = []
    if not fit.any():
        raise InputError(
            "No unit has both a count and a denominator above zero",
            where=f"columns '{numerator}' and '{denominator}'",
            todo="Check that the table holds counts and denominators",
        )
    if target is None:
        theta = float(x[fit].sum() / n[fit].sum())
        notes.append(
            f"The target line is the value of all {int(fit.sum())} units together "
            f"({theta * factor:.3g}); no target was given."
        )
    else:
        theta = float(target) / factor
    if impossible.any():
        notes.append(
            f"{int(impossible.sum())} unit(s) have more events than their denominator "
            "(above 100 %): check the data; they are left out of the limits."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(usable, x / np.where(n > 0, n, 1.0), np.nan)
    disp = dispersion(y[fit], n[fit], theta, kind)
    if overdispersion == "auto":
        adjustment = "additive" if disp.overdispersed else "none"
    else:
        adjustment = overdispersion
    phi = disp.phi if adjustment == "multiplicative" and disp.phi > 1 else 1.0
    tau2 = disp.tau2 if adjustment == "additive" else 0.0
    if adjustment != "none":
        notes.append(_adjustment_note(adjustment, disp, overdispersion == "auto"))
    elif disp.units >= MIN_UNITS and not disp.overdispersed:
        notes.append("The units vary about as much as chance allows: the limits are not widened.")
    elif disp.units < MIN_UNITS:
        notes.append(
            f"Only {disp.units} units: too few to measure extra variation "
            "between them, so the limits are not widened."
        )
    limits = funnel_limits(
        np.where(fit, n, np.nan), theta, kind, method, levels, phi=phi, tau2=tau2
    )
    names = (
        data[name].astype(str).to_numpy()
        if name is not None and name in data.columns
        else data[unit].astype(str).to_numpy()
    )
    table = pd.DataFrame(
        {
            "org_unit": data[unit].astype(str).to_numpy(),
            "name": names,
            "numerator": x,
            "denominator": n,
            "value": y * factor,
            "target": theta * factor,
        }
    )
    keys = [_level_key(level) for level in levels]
    for key in keys:
        table[f"lower_{key}"] = limits[f"lower_{key}"].to_numpy() * factor
        table[f"upper_{key}"] = limits[f"upper_{key}"].to_numpy() * factor
    sd = _sd(theta, np.where(fit, n, np.nan), kind)
    spread = np.sqrt(sd**2 + tau2) * (math.sqrt(phi) if phi > 1 else 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["z"] = np.where(fit & (spread > 0), (y - theta) / spread, np.nan)
    inner, outer = keys[0], keys[-1]
    v = table["value"].to_numpy()
    position = np.full(len(table), "inside", dtype=object)
    position[v > table[f"upper_{inner}"].to_numpy()] = "above_95"
    position[v > table[f"upper_{outer}"].to_numpy()] = "above_998"
    position[v < table[f"lower_{inner}"].to_numpy()] = "below_95"
    position[v < table[f"lower_{outer}"].to_numpy()] = "below_998"
    position[impossible] = "check_data"
    position[~usable] = "no_data"
    table["position"] = position
    table["where"] = table["position"].map(POSITIONS)
    table["look_here"] = np.isin(position, ["above_998", "below_998", "check_data"])
    return FunnelResult(
        table=table,
        kind=kind,
        method=method,
        target=theta * factor,
        factor=factor,
        levels=tuple(levels),
        adjustment=adjustment,
        dispersion=disp,
        notes=notes,
        target_given=target is not None,
    )


def _adjustment_note(adjustment: str, disp: Dispersion, automatic: bool) -> str:
    why = (
        f"The {disp.units} units vary more than chance allows "
        f"(winsorised φ = {disp.phi:.2f}; {disp.statistic:.1f} is above {disp.threshold:.1f})"
        if disp.overdispersed
        else f"Over-dispersion adjustment asked for (winsorised φ = {disp.phi:.2f})"
    )
    how = (
        f"the limits are widened by a between-unit variance τ² = {disp.tau2:.3g}"
        if adjustment == "additive"
        else f"the limits are widened by √φ = {math.sqrt(max(disp.phi, 1.0)):.2f}"
    )
    return f"{why}: {how}." + (" (Chosen because the data call for it.)" if automatic else "")


def funnel_curve(result: FunnelResult, points: int = 200) -> pd.DataFrame:
    """The limit lines of ``result`` over a smooth range of denominators, for drawing."""
    n = result.table["denominator"].to_numpy(dtype=float)
    n = n[np.isfinite(n) & (n > 0)]
    top = float(n.max()) * 1.05 if len(n) else 100.0
    bottom = max(1.0, float(n.min()) * 0.5) if len(n) else 1.0
    grid = np.unique(np.round(np.geomspace(bottom, top, points), 6))
    if result.kind == "proportion" and result.method == "exact":
        grid = np.unique(np.rint(grid))
    theta = result.target / result.factor
    phi = result.dispersion.phi if result.adjustment == "multiplicative" else 1.0
    tau2 = result.dispersion.tau2 if result.adjustment == "additive" else 0.0
    curve = funnel_limits(
        grid,
        theta,
        result.kind,
        result.method,
        result.levels,
        phi=phi if phi > 1 else 1.0,
        tau2=tau2,
    )
    for column in curve.columns:
        if column.startswith(("lower_", "upper_")) or column == "target":
            curve[column] = curve[column] * result.factor
    return curve


#: Marker, colour and size for each position: colour is never the only cue.
_MARKERS = {
    "inside": ("o", "#0072B2", 28),
    "above_95": ("^", "#E69F00", 46),
    "below_95": ("v", "#E69F00", 46),
    "above_998": ("D", "#D55E00", 60),
    "below_998": ("D", "#D55E00", 60),
    "check_data": ("X", "#000000", 60),
}


def plot_funnel(
    result: FunnelResult,
    ax: Any = None,
    title: str | None = None,
    xlabel: str = "Denominator",
    ylabel: str | None = None,
    label_units: bool = True,
) -> Any:
    """Draw the funnel plot and return its matplotlib ``Figure``.

    Target solid (labelled "All units together" when no target was given),
    95 % limits dashed, 99.8 % limits dotted; units inside the
    limits as blue circles, between the 95 % and 99.8 % limits as orange
    triangles (pointing up above the funnel, down below), outside the 99.8 %
    limits as larger vermilion diamonds, and impossible values (check the data)
    as black crosses, so that the picture reads without colour. Units to look
    at are labelled with their names. Like :func:`phcpm.spc.plot_qic`, the
    figure is a ``matplotlib.figure.Figure`` unless ``ax`` is given, so no
    global pyplot state is touched.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    from phcpm.style import NEUTRAL

    if ax is None:
        fig = Figure(figsize=(8, 4.8), dpi=100, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    curve = funnel_curve(result)
    keys = [_level_key(level) for level in result.levels]
    styles = ["--", ":"]
    ax.plot(curve["denominator"], curve["target"], color=NEUTRAL, linewidth=1.5, zorder=1)
    for key, style in zip(keys, styles, strict=False):
        for side in ("lower", "upper"):
            ax.plot(
                curve["denominator"],
                curve[f"{side}_{key}"],
                color=NEUTRAL,
                linestyle=style,
                linewidth=1.1,
                zorder=1,
            )
    t = result.table
    shown = t[t["position"] != "no_data"]
    for position, (marker, colour, size) in _MARKERS.items():
        rows = shown[shown["position"] == position]
        if len(rows):
            ax.scatter(
                rows["denominator"],
                rows["value"],
                marker=marker,
                color=colour,
                s=size,
                edgecolors="black" if position != "inside" else "none",
                linewidths=0.5,
                zorder=3,
            )
    if label_units:
        for _, row in shown[shown["look_here"]].iterrows():
            ax.annotate(
                row["name"],
                (row["denominator"], row["value"]),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=8,
            )
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.set_title(title if title is not None else "Funnel plot")
    level_words = [f"{level * 100:g} % limits" for level in result.levels]
    handles = [
        Line2D(
            [],
            [],
            color=NEUTRAL,
            linewidth=1.5,
            label=f"{'Target' if result.target_given else 'All units together'} "
            f"{result.target:.3g}",
        ),
        Line2D([], [], color=NEUTRAL, linestyle="--", label=level_words[0]),
        Line2D([], [], color=NEUTRAL, linestyle=":", label=level_words[-1]),
    ]
    legend_points = [
        ("inside", "Inside the limits"),
        ("above_95", "Outside 95 %"),
        ("above_998", "Outside 99.8 %"),
        ("check_data", "Check the data"),
    ]
    present = set(shown["position"])
    for key, label in legend_points:
        group = {key, key.replace("above", "below")}
        if present & group:
            marker, colour, size = _MARKERS[key]
            handles.append(Line2D([], [], marker=marker, color=colour, linestyle="", label=label))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=min(len(handles), 4),
        fontsize=8,
        frameon=False,
    )
    return fig
