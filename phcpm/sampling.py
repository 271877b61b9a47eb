"""Sampling for supervision, surveys and record audits.

Pure functions for the questions a PHC manager asks before and after a survey
or an audit of records:

* How many people (or records) do we need? :func:`sample_size_proportion`,
  :func:`sample_size_two_proportions`, :func:`design_effect`,
  :func:`margin_of_error`.
* Does each supervision area reach its target? Lot quality assurance sampling
  (LQAS): :func:`lqas_decision_rule`, :func:`lqas_risks`, :func:`lqas_table`,
  :func:`oc_curve`, :func:`classify_areas`, :func:`district_coverage`,
  :func:`simulate_lqas`.
* Which households or records do we visit? :func:`draw_sample` (simple random,
  systematic, stratified, probability proportional to size, two-stage cluster).

Every formula names its source and its rounding convention in its docstring.
Bad input raises :class:`~phcpm.errors.InputError` with a plain message.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from phcpm.errors import InputError

__all__ = [
    "ICC_DEFAULTS",
    "z_value",
    "sample_size_proportion",
    "sample_size_sentence",
    "margin_of_error",
    "sample_size_two_proportions",
    "design_effect",
    "lqas_risks",
    "lqas_decision_rule",
    "lqas_table",
    "oc_curve",
    "plot_oc_curve",
    "classify_areas",
    "area_intervals",
    "area_populations",
    "classification_counts",
    "district_coverage",
    "draw_sample",
    "simulate_lqas",
    "METHODS",
]

#: Intracluster correlation (ICC) values used when no local estimate exists.
#:
#: Source: the World Health Organization "Vaccination Coverage Cluster Surveys:
#: Reference Manual" (WHO/IVB/18.09, 2018), as summarised by Rhoda et al.,
#: "Sample size parameters for vaccination coverage cluster surveys: insights
#: from Pakistan", Journal of Survey Statistics and Methodology (2025,
#: doi:10.1093/jssam/smaf033): WHO materials from the 1970s until 2015 assumed
#: the ICC of a coverage survey would rarely exceed 1/6; the 2018 manual
#: recommends the more cautious 1/3 for routine immunization surveys when no
#: recent evidence-based estimate is available.
ICC_DEFAULTS: dict[str, float] = {
    "routine immunization, no recent local estimate (WHO 2018)": 1 / 3,
    "older WHO guidance, before 2015": 1 / 6,
}

#: Sampling methods understood by :func:`draw_sample`.
METHODS = ("srs", "systematic", "stratified", "pps", "cluster")

_EPS = 1e-9  # floating-point noise allowed before rounding a sample size up


def _ceil(x: float) -> int:
    """Round up, ignoring floating-point noise (384.0000000001 is 384)."""
    return int(math.ceil(x - _EPS))


def _check_fraction(value, name: str, words: str, *, closed: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"The {words} must be a number; '{value}' is not", todo=f"Type a number for {name}"
        ) from None
    ok = 0.0 <= v <= 1.0 if closed else 0.0 < v < 1.0
    if not ok or math.isnan(v):
        between = "from 0 to 1" if closed else "between 0 and 1 (not 0 or 1 itself)"
        raise InputError(
            f"The {words} must be a proportion {between}; you gave {value}",
            todo=f"Give {name} as a proportion, for example 0.8 for 80 %",
        )
    return v


def z_value(confidence: float) -> float:
    """Two-sided normal quantile z = Φ⁻¹(1 − α/2) for a confidence level 1 − α.

    Exact quantile from ``scipy.stats.norm.ppf`` (1.959964 for 95 %), not the
    rounded 1.96 of printed tables.
    """
    c = _check_fraction(confidence, "the confidence level", "confidence level")
    return float(stats.norm.ppf(1.0 - (1.0 - c) / 2.0))


# --------------------------------------------------------------------------- sample sizes


def sample_size_proportion(
    p: float,
    margin: float,
    confidence: float = 0.95,
    deff: float = 1.0,
    population: float | None = None,
    relative: bool = False,
    convention: str = "cochran",
) -> int:
    """Number of people to interview to estimate a proportion (a coverage).

    Parameters
    ----------
    p : expected proportion (0.5 when nothing is known: the largest sample).
    margin : half-width of the confidence interval, as a proportion (0.05 for
        "plus or minus 5 percentage points"); with ``relative=True`` a fraction
        of ``p`` (0.1 for "plus or minus 10 % of the value").
    confidence : confidence level, default 0.95.
    deff : design effect (1 for simple random sampling; see :func:`design_effect`).
    population : size N of the population sampled, for the finite population
        correction; ``None`` for a large population.
    convention : ``"cochran"`` (default) or ``"openepi"``.

    Formula and convention
    ----------------------
    ``"cochran"`` (Cochran, *Sampling Techniques*, 3rd ed., 1977, eq. 4.2 and
    4.3; Lwanga & Lemeshow, *Sample Size Determination in Health Studies*, WHO,
    1991)::

        n0 = z² p (1 − p) / d²           z = Φ⁻¹(1 − α/2) exact, d = margin
        n1 = DEFF · n0                   design effect
        n  = n1 / (1 + n1 / N)           finite population correction, if N given
        round up (ceil) once, at the end

    ``"openepi"`` reproduces OpenEpi "Sample Size for Frequency in a Population"
    (Dean, Sullivan & Soe, OpenEpi version 3) and Epi Info StatCalc "Population
    survey" (CDC)::

        n = DEFF · N p (1 − p) / [ (d² / z²)(N − 1) + p (1 − p) ]

    rounded up; without N it is DEFF · z² p (1 − p) / d². The two conventions
    agree without N. With N they differ: OpenEpi uses N − 1, and applies the
    design effect AFTER the correction, so with DEFF > 1 and a small N it can
    ask for more people than the population holds (N = 100, p = 0.5, d = 0.05,
    DEFF 2: OpenEpi 160, Cochran 89). The Cochran convention never exceeds N.

    Example: p = 0.5, d = 0.05, 95 % gives n0 = 1.959964² × 0.25 / 0.0025 =
    384.15, so 385 people.
    """
    p = _check_fraction(p, "the expected coverage", "expected coverage")
    try:
        margin = float(margin)
    except (TypeError, ValueError):
        raise InputError(
            f"The margin of error must be a number; '{margin}' is not",
            todo="Type the margin as a proportion, for example 0.05 for 5 percentage points",
        ) from None
    if not margin > 0 or math.isnan(margin):
        raise InputError(
            f"The margin of error must be more than 0; you gave {margin}",
            todo="Type the margin as a proportion, for example 0.05 for 5 percentage points",
        )
    d = margin * p if relative else margin
    if d >= 1:
        raise InputError(
            f"The margin of error must be less than 1 (100 %); you gave {margin}",
            todo="Give the margin as a proportion, for example 0.05 for 5 percentage points",
        )
    z = z_value(confidence)
    try:
        deff = float(deff)
    except (TypeError, ValueError):
        raise InputError(f"The design effect must be a number; '{deff}' is not") from None
    if not deff >= 1:
        raise InputError(
            f"The design effect must be 1 or more; you gave {deff}",
            todo="Use 1 for a simple random sample, or 1 + (m − 1) × ICC for a cluster sample",
        )
    N = None
    if population is not None:
        try:
            N = float(population)
        except (TypeError, ValueError):
            raise InputError(
                f"The population size must be a number; '{population}' is not"
            ) from None
        if not N >= 1:
            raise InputError(
                f"The population size must be at least 1; you gave {population}",
                todo="Leave the population empty for a large population",
            )
    pq = p * (1.0 - p)
    if convention == "cochran":
        n = deff * z * z * pq / (d * d)
        if N is not None:
            n = n / (1.0 + n / N)
    elif convention == "openepi":
        if N is None:
            n = deff * z * z * pq / (d * d)
        else:
            n = deff * N * pq / ((d * d / (z * z)) * (N - 1.0) + pq)
    else:
        raise InputError(f"Unknown convention '{convention}'", todo="Use 'cochran' or 'openepi'")
    return max(1, _ceil(n))


def margin_of_error(p: float, n: int, confidence: float = 0.95, deff: float = 1.0) -> float:
    """Half-width of the confidence interval for a proportion p from n people.

    d = z · √(DEFF · p (1 − p) / n), the Wald interval (Cochran 1977, eq. 3.17),
    the inverse of :func:`sample_size_proportion` without population correction.
    """
    p = _check_fraction(p, "the coverage", "coverage", closed=True)
    if not n >= 1:
        raise InputError(f"The number of people must be at least 1; you gave {n}")
    return float(z_value(confidence) * math.sqrt(deff * p * (1.0 - p) / n))


def sample_size_sentence(
    p: float,
    margin: float,
    confidence: float = 0.95,
    deff: float = 1.0,
    population: float | None = None,
) -> str:
    """The result of :func:`sample_size_proportion` as one plain sentence."""
    n = sample_size_proportion(p, margin, confidence, deff, population)
    text = (
        f"You need to interview {n:,} people to estimate a coverage of about "
        f"{p * 100:g} % within ± {margin * 100:g} percentage points, with "
        f"{confidence * 100:g} % confidence"
    )
    if deff > 1:
        text += f", allowing for a design effect of {deff:g}"
    if population is not None:
        text += f", in a population of {int(population):,}"
    return text + "."


def sample_size_two_proportions(
    p1: float,
    p2: float,
    power: float = 0.8,
    confidence: float = 0.95,
    ratio: float = 1.0,
    continuity: bool = False,
) -> tuple[int, int]:
    """People needed in each of two groups to detect a difference p1 vs p2.

    Two-sided test at level α = 1 − confidence with the given power. ``ratio``
    is n2 / n1 (people in group 2 for each person in group 1).

    Formula: Fleiss, *Statistical Methods for Rates and Proportions* (2nd ed.
    1981, eq. 3.18 and 3.19; Fleiss, Levin & Paik, 3rd ed., 2003, section 4.2),
    as in OpenEpi "Sample Size for Cross-Sectional, Cohort and Randomized
    Clinical Trial Studies" (columns "Fleiss" and "Fleiss with CC")::

        p̄ = (p1 + r p2) / (1 + r),  q̄ = 1 − p̄
        n1 = [z_α √((r + 1) p̄ q̄) + z_β √(r p1 q1 + p2 q2)]² / (r (p1 − p2)²)
        with continuity correction (``continuity=True``):
        n1' = n1 / 4 · (1 + √(1 + 2 (r + 1) / (n1 r |p1 − p2|)))²

    z_α = Φ⁻¹(1 − α/2), z_β = Φ⁻¹(power), exact. Convention (as OpenEpi):
    n1 is rounded up; n2 = r · n1 (unrounded) rounded up. The continuity
    correction is OFF by default (the plain Fleiss formula); switch it on for
    the more cautious, larger number.
    """
    p1 = _check_fraction(p1, "the first proportion", "first proportion")
    p2 = _check_fraction(p2, "the second proportion", "second proportion")
    if p1 == p2:
        raise InputError(
            "The two proportions are equal, so there is no difference to detect",
            todo="Give the smallest difference that would matter to you",
        )
    power = _check_fraction(power, "the power", "power")
    try:
        r = float(ratio)
    except (TypeError, ValueError):
        raise InputError(f"The ratio of group sizes must be a number; '{ratio}' is not") from None
    if not r > 0:
        raise InputError(f"The ratio of group sizes must be more than 0; you gave {ratio}")
    za = z_value(confidence)
    zb = float(stats.norm.ppf(power))
    pbar = (p1 + r * p2) / (1.0 + r)
    qbar = 1.0 - pbar
    delta = abs(p1 - p2)
    n1 = za * math.sqrt((r + 1) * pbar * qbar) + zb * math.sqrt(r * p1 * (1 - p1) + p2 * (1 - p2))
    n1 = n1 * n1 / (r * delta * delta)
    if continuity:
        n1 = n1 / 4.0 * (1.0 + math.sqrt(1.0 + 2.0 * (r + 1.0) / (n1 * r * delta))) ** 2
    return _ceil(n1), _ceil(r * n1)


def design_effect(m: float, icc: float) -> float:
    """Design effect of a cluster sample: DEFF = 1 + (m − 1) · ICC.

    m is the number of people interviewed per cluster, ICC the intracluster
    correlation (Kish, *Survey Sampling*, 1965, section 5.4; WHO Vaccination
    Coverage Cluster Surveys Reference Manual, 2018). See :data:`ICC_DEFAULTS`.
    """
    try:
        m = float(m)
        icc = float(icc)
    except (TypeError, ValueError):
        raise InputError("The cluster size and the ICC must be numbers") from None
    if not m >= 1:
        raise InputError(f"The number of people per cluster must be at least 1; you gave {m}")
    if not 0.0 <= icc <= 1.0:
        raise InputError(
            f"The intracluster correlation (ICC) must be from 0 to 1; you gave {icc}",
            todo="Use 1/3 if you have no local estimate (WHO 2018)",
        )
    return 1.0 + (m - 1.0) * icc


# --------------------------------------------------------------------------- LQAS


def _check_n(n) -> int:
    try:
        n_int = int(n)
    except (TypeError, ValueError):
        raise InputError(f"The sample size must be a whole number; '{n}' is not") from None
    if n_int != n or n_int < 1:
        raise InputError(
            f"The sample size must be a whole number of at least 1; you gave {n}",
            todo="LQAS usually uses 19 people per supervision area",
        )
    return n_int


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
    """
    true_p = _check_fraction(true_p, "the true coverage", "true coverage", closed=True)
    n = _check_n(n)
    rng = np.random.default_rng(seed)
    yes = rng.binomial(n, true_p, size=int(reps))
    return float((yes >= d).mean())


_YES = {"1", "1.0", "yes", "y", "true", "oui", "sim", "si", "sí"}
_NO = {"0", "0.0", "no", "n", "false", "non", "não", "nao"}


def _as_binary(series: pd.Series, column: str) -> pd.Series:
    """0/1 (float, NaN for blank) from 1/0, True/False or yes/no answers."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    if pd.api.types.is_numeric_dtype(series):
        values = series.astype(float)
    else:
        text = series.astype("string").str.strip().str.casefold()
        values = pd.Series(np.nan, index=series.index, dtype=float)
        values[text.isin(_YES).fillna(False).to_numpy(bool)] = 1.0
        values[text.isin(_NO).fillna(False).to_numpy(bool)] = 0.0
        blank = text.isna() | (text == "")
        bad = ~blank & values.isna()
        if bad.any():
            first = series[bad].iloc[0]
            raise InputError(
                f"The column '{column}' has an answer that is not yes/no: '{first}'",
                where=f"column '{column}', {int(bad.sum())} row(s), first at row {series.index[bad][0]}",
                todo="Code each answer as 1 (yes) or 0 (no); leave it empty if not asked",
            )
        return values
    bad = values.notna() & ~values.isin([0.0, 1.0])
    if bad.any():
        raise InputError(
            f"The column '{column}' has values other than 1 and 0, for example {values[bad].iloc[0]:g}",
            where=f"column '{column}', {int(bad.sum())} row(s)",
            todo="Code each answer as 1 (yes) or 0 (no); leave it empty if not asked",
        )
    return values


def _need_columns(df: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            "The table has no column " + ", ".join(f"'{c}'" for c in missing),
            where="the columns are: " + ", ".join(map(str, df.columns)),
            todo="Choose the right column names, or rename the columns in your file",
        )


def _answers_long(df: pd.DataFrame, area_col: str, answer_cols) -> tuple[pd.DataFrame, list[str]]:
    cols = [answer_cols] if isinstance(answer_cols, str) else list(answer_cols)
    if not cols:
        raise InputError("No answer column was chosen", todo="Choose at least one indicator")
    _need_columns(df, [area_col, *cols])
    if df.empty:
        raise InputError("The table has no rows", todo="Choose a file with one row per person")
    if area_col in ("indicator", "answer"):
        raise InputError(
            f"The supervision area column is called '{area_col}', a name the results use",
            where=f"column '{area_col}'",
            todo="Rename the column, for example to 'supervision_area', and load the file again",
        )
    # Built column by column (not with melt), so an answer column may have any name.
    long = pd.DataFrame(
        {
            area_col: np.tile(df[area_col].to_numpy(), len(cols)),
            "indicator": np.repeat(cols, len(df)),
            "answer": np.concatenate([_as_binary(df[c], c).to_numpy(dtype=float) for c in cols]),
        }
    )
    return long, cols


def classify_areas(
    df: pd.DataFrame,
    area_col: str,
    answer_cols: str | list[str],
    target: float | Mapping[str, float],
    lower: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Classify each supervision area (SA) as reaching the target or not (LQAS).

    ``df`` has one row per person interviewed; ``answer_cols`` hold 1 (yes) /
    0 (no) answers (yes/no and True/False also accepted; blanks are not
    counted). ``target`` (and ``lower``) may be one value or one per indicator.

    For each area and indicator: n (answers given), yes, coverage (yes / n), the
    decision rule d for that n (:func:`lqas_decision_rule`), and the
    classification "reaches target" when yes ≥ d, otherwise "below target"
    (Valadez et al., *Assessing Community Health Programs*, 2003).
    """
    long, cols = _answers_long(df, area_col, answer_cols)
    targets = {c: (target[c] if isinstance(target, Mapping) else target) for c in cols}
    lowers = {c: (lower.get(c) if isinstance(lower, Mapping) else lower) for c in cols}
    out = (
        long.groupby([area_col, "indicator"], sort=False)["answer"]
        .agg(n="count", yes="sum")
        .reset_index()
    )
    out["yes"] = out["yes"].astype(int)
    out["coverage"] = np.where(out["n"] > 0, out["yes"] / out["n"].where(out["n"] > 0, 1), np.nan)
    out["target"] = out["indicator"].map(targets).astype(float)
    keys = out[["n", "indicator"]].drop_duplicates()
    rule = {
        (n, ind): (lqas_decision_rule(n, targets[ind], lowers[ind]) if n > 0 else -1)
        for n, ind in keys.itertuples(index=False)
    }
    out["d"] = [rule[k] for k in zip(out["n"], out["indicator"], strict=True)]
    out["classification"] = np.where(
        out["n"] == 0,
        "no answers",
        np.where(out["yes"] >= out["d"], "reaches target", "below target"),
    )
    out["d"] = out["d"].where(out["n"] > 0, pd.NA).astype("Int64")
    return out[[area_col, "indicator", "n", "yes", "coverage", "target", "d", "classification"]]


def district_coverage(
    df: pd.DataFrame,
    area_col: str,
    answer_col: str | list[str],
    weights: Mapping | pd.Series | str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """District coverage from LQAS samples, with a confidence interval.

    Each supervision area i is a stratum with coverage p_i = yes_i / n_i. The
    district estimate weights each area by its share of the population
    (Valadez et al., *Assessing Community Health Programs*, 2003, "calculating
    coverage for the whole programme area"; stratified estimator, Cochran 1977,
    eq. 5.52)::

        p = Σ w_i p_i,   w_i = N_i / Σ N_j
        SE = √( Σ w_i² p_i (1 − p_i) / n_i )
        CI = p ± z · SE (clipped to 0 … 1), z = Φ⁻¹(1 − α/2) exact

    ``weights``: population of each area, as a mapping area → population, or
    the name of a column of ``df`` (one value per area). Without weights every
    area counts by its number of answers (w_i = n_i / Σ n_j), which for equal
    samples is the simple average of the areas.
    """
    long, cols = _answers_long(df, area_col, answer_col)
    per = (
        long.groupby(["indicator", area_col], sort=False)["answer"]
        .agg(n="count", yes="sum")
        .reset_index()
    )
    per = per[per["n"] > 0].copy()
    if isinstance(weights, str):
        _need_columns(df, [weights])
        pop = df.groupby(area_col, sort=False)[weights].first()
    elif weights is not None:
        pop = pd.Series(weights)
    else:
        pop = None
    if pop is None:
        per["size"] = per["n"].astype(float)
    else:
        per["size"] = per[area_col].map(pop).astype(float)
        missing = per.loc[per["size"].isna(), area_col].unique()
        if len(missing):
            raise InputError(
                f"No population size for {len(missing)} area(s), for example '{missing[0]}'",
                todo="Give a population for every supervision area",
            )
        if (per["size"] <= 0).any():
            raise InputError("Every area's population must be more than 0")
    per["p"] = per["yes"] / per["n"]
    per["w"] = per["size"] / per.groupby("indicator")["size"].transform("sum")
    per["est"] = per["w"] * per["p"]
    per["var"] = per["w"] ** 2 * per["p"] * (1 - per["p"]) / per["n"]
    out = per.groupby("indicator", sort=False).agg(
        coverage=("est", "sum"),
        var=("var", "sum"),
        n_areas=(area_col, "nunique"),
        n_respondents=("n", "sum"),
    )
    z = z_value(confidence)
    se = np.sqrt(out["var"])
    out["ci_lower"] = (out["coverage"] - z * se).clip(lower=0.0)
    out["ci_upper"] = (out["coverage"] + z * se).clip(upper=1.0)
    out = out.reindex(cols).reset_index()
    return out[["indicator", "coverage", "ci_lower", "ci_upper", "n_areas", "n_respondents"]]


def area_intervals(classified: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Each area's coverage with its Wilson score interval.

    ``classified`` is a table from :func:`classify_areas` (``yes`` out of
    ``n`` per area and indicator). Returns a copy with ``ci_lower`` and
    ``ci_upper`` (proportions, 0 to 1): the Wilson score interval
    (:func:`phcpm.intervals.wilson_limits`; Wilson 1927, Newcombe 1998 method 3),
    which stays inside 0 to 1 and keeps a sensible width for 19 answers, where
    the usual p ± z·SE does not. An area with no answers has no interval.
    """
    from phcpm.intervals import wilson_limits

    if not {"yes", "n"} <= set(classified.columns):
        raise InputError(
            "The classification has no 'yes' and 'n' columns",
            todo="Classify the areas first",
        )
    out = classified.copy()
    n = pd.to_numeric(out["n"], errors="coerce").to_numpy(dtype=float)
    yes = pd.to_numeric(out["yes"], errors="coerce").to_numpy(dtype=float)
    lower = np.full(len(out), np.nan)
    upper = np.full(len(out), np.nan)
    ok = np.isfinite(n) & (n > 0) & np.isfinite(yes)
    if ok.any():
        lo, hi = wilson_limits(yes[ok], n[ok], confidence)
        lower[ok], upper[ok] = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    out["ci_lower"] = lower
    out["ci_upper"] = upper
    return out


def area_populations(text: str, areas: Iterable[str] | None = None) -> dict[str, float] | None:
    """Populations typed one area a line ("Ruvo North: 12,400"), as area → population.

    The name and the number may be separated by a colon, a tab, a comma or a
    semicolon; thousands separators (commas, spaces) in the number are allowed.
    Lines with a name and no number are left out; an empty text (or only names)
    gives ``None``: no populations. With ``areas``, a name that is not one of
    them is an error, so that a typing mistake cannot drop an area silently.
    """
    known = None if areas is None else {str(a).strip(): str(a) for a in areas}
    out: dict[str, float] = {}
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        for sep in (":", "\t", ";", ","):
            if sep in line:
                name, _, value = line.partition(sep)
                break
        else:
            name, value = line, ""
        name = name.strip()
        value = value.replace(",", "").replace(" ", "").replace("\u00a0", "").strip()
        if not value:
            continue
        try:
            population = float(value)
        except ValueError:
            raise InputError(
                f"The population '{value}' of '{name}' is not a number",
                where=f"line {number} of the populations",
                todo="Write one area a line, its name, a colon and a number: Ruvo North: 12400",
            ) from None
        if not math.isfinite(population) or population <= 0:
            raise InputError(
                f"The population of '{name}' is {value}",
                where=f"line {number} of the populations",
                todo="Give a number of people above 0",
            )
        if known is not None and name not in known:
            raise InputError(
                f"'{name}' is not one of the areas in the survey",
                where=f"line {number} of the populations",
                todo="Use the area names as the survey writes them",
            )
        out[known[name] if known is not None else name] = population
    return out or None


# --------------------------------------------------------------------------- drawing samples


def _largest_remainder(quota: pd.Series, total: int, cap: pd.Series) -> pd.Series:
    """Round quotas to whole numbers that add up to ``total`` (Hamilton's method),
    never above ``cap``; ties go to the stratum listed first."""
    quota = quota.clip(upper=cap)
    base = np.floor(quota + _EPS).astype(int)
    short = int(total - base.sum())
    while short > 0:
        room = ((cap - base) > 0).to_numpy()
        rema = (quota - base).to_numpy(float)
        order = [i for i in np.argsort(-rema, kind="stable") if room[i]][:short]
        if not order:
            break
        base.iloc[order] += 1
        quota = quota.where(quota > base, base)  # a filled quota has no remainder left
        short = int(total - base.sum())
    return base


def _systematic_positions(length: float, n: int, rng) -> tuple[np.ndarray, float, float]:
    k = length / n
    start = float(rng.uniform(0.0, k))
    return start + k * np.arange(n), k, start


def _pps_hits(sizes: np.ndarray, n: int, rng) -> tuple[np.ndarray, float, float]:
    """Systematic PPS: hits per unit from points start + i·k on the cumulated sizes."""
    total = float(sizes.sum())
    points, k, start = _systematic_positions(total, n, rng)
    cum = np.cumsum(sizes)
    idx = np.searchsorted(cum, points, side="right")
    hits = np.bincount(idx, minlength=len(sizes))
    return hits, k, start


def draw_sample(
    frame: pd.DataFrame,
    n: int,
    method: str = "srs",
    seed: int = 1,
    strata: str | None = None,
    size: str | None = None,
    cluster: str | None = None,
    allocation: str = "proportional",
    sd: str | Mapping | None = None,
    per_cluster: int | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Draw a random sample from a list (a sampling frame), reproducibly.

    Returns ``(sample, record)``. ``sample`` holds the chosen rows of ``frame``
    (original columns and index), in frame order, plus ``selection_probability``
    and ``weight`` (= 1 / probability, the number of units each one stands for).
    ``record`` says exactly how the sample was drawn (method, seed, sizes,
    interval, random start, allocation), so the same call gives the same sample
    and an auditor can check it. The frame is never changed.

    Methods (Cochran, *Sampling Techniques*, 3rd ed., 1977; WHO Vaccination
    Coverage Cluster Surveys Reference Manual, 2018, annex on systematic PPS):

    ``"srs"``
        Simple random sample of n rows without replacement; probability n / N.
    ``"systematic"``
        Fractional interval k = N / n (not rounded), random start r uniform in
        [0, k); row positions ⌊r + i·k⌋ for i = 0 … n − 1 (0-based, frame order).
        Gives exactly n rows with probability n / N each. Beware lists that
        repeat in a cycle (for example sorted by weekday): the interval can fall
        on the same point of the cycle every time.
    ``"stratified"``
        ``strata`` names the column. ``allocation="proportional"``: n_h ∝ N_h;
        ``"neyman"``: n_h ∝ N_h · S_h with S_h from ``sd`` (a column, constant
        within strata, or a mapping stratum → SD) (Cochran 1977, eq. 5.26).
        Quotas are rounded by largest remainder so they add up to n, never above
        N_h; then a simple random sample in each stratum; probability n_h / N_h.
    ``"pps"``
        Systematic probability proportional to size on the cumulated ``size``
        column: interval k = total / n, random start in [0, k). A unit larger
        than k is certain to be chosen and may be hit more than once (``hits``
        column); probability min(1, n · size / total).
    ``"cluster"``
        Two stages: n clusters (values of the ``cluster`` column) chosen by
        systematic PPS, the size of a cluster being its number of rows (or the
        sum of ``size`` if given); then a simple random sample of ``per_cluster``
        rows in each chosen cluster (hits × per_cluster if hit more than once,
        at most all its rows). Probability = P(cluster) × rows taken / rows in
        cluster; equal for all when no cluster is smaller than ``per_cluster``
        (a self-weighting design).

    Randomness comes from ``numpy.random.default_rng(seed)`` only.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError("The list to sample from must be a table")
    if method not in METHODS:
        raise InputError(
            f"Unknown sampling method '{method}'", todo="Choose one of: " + ", ".join(METHODS)
        )
    N = len(frame)
    if N == 0:
        raise InputError("The list to sample from is empty", todo="Choose a file with rows")
    n = _check_n(n)
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise InputError(f"The seed must be a whole number; '{seed}' is not") from None
    rng = np.random.default_rng(seed)
    record: dict = {"method": method, "seed": seed, "n_requested": n, "frame_size": N}
    pos = np.arange(N)

    if method in ("srs", "systematic", "stratified") and n > N:
        raise InputError(
            f"You asked for {n} rows but the list has only {N}",
            todo=f"Ask for at most {N}, or take every row",
        )

    if method == "srs":
        chosen = np.sort(rng.choice(N, size=n, replace=False))
        prob = np.full(n, n / N)
        sample = frame.iloc[chosen].copy()
    elif method == "systematic":
        points, k, start = _systematic_positions(float(N), n, rng)
        chosen = np.floor(points + _EPS).astype(int).clip(max=N - 1)
        record.update(interval=k, random_start=start, positions=chosen.tolist())
        prob = np.full(n, n / N)
        sample = frame.iloc[chosen].copy()
    elif method == "stratified":
        if strata is None:
            raise InputError("Stratified sampling needs a strata column", todo="Choose the column")
        _need_columns(frame, [strata])
        if frame[strata].isna().any():
            raise InputError(
                f"Some rows have no value in the strata column '{strata}'",
                todo="Fill in the stratum of every row",
            )
        counts = frame[strata].value_counts(sort=False)
        counts = counts.sort_index()
        if allocation == "proportional":
            quota = n * counts / N
        elif allocation == "neyman":
            if sd is None:
                raise InputError(
                    "Neyman allocation needs the standard deviation of each stratum",
                    todo="Give a column or a value per stratum",
                )
            if isinstance(sd, str):
                _need_columns(frame, [sd])
                s = frame.groupby(strata)[sd].first()
            else:
                s = pd.Series(sd, dtype=float)
            s = s.reindex(counts.index).astype(float)
            if s.isna().any() or (s < 0).any():
                raise InputError("Every stratum needs a standard deviation of 0 or more")
            ns = counts * s
            if ns.sum() <= 0:
                raise InputError("All standard deviations are 0: nothing to allocate")
            quota = n * ns / ns.sum()
        else:
            raise InputError(
                f"Unknown allocation '{allocation}'", todo="Use 'proportional' or 'neyman'"
            )
        alloc = _largest_remainder(quota.astype(float), n, counts)
        # One uniform key per row, drawn once; in each stratum keep the rows with
        # the smallest keys: a simple random sample within every stratum.
        keys = pd.Series(rng.random(N), index=pos)
        labels = frame[strata].to_numpy()
        rank = keys.groupby(labels).rank(method="first").to_numpy()
        take = pd.Series(labels).map(alloc).to_numpy()
        chosen = pos[rank <= take]
        nh = pd.Series(labels[chosen]).map(alloc).to_numpy()
        Nh = pd.Series(labels[chosen]).map(counts).to_numpy()
        prob = nh / Nh
        record.update(
            allocation_method=allocation,
            allocation={_plain(k): int(v) for k, v in alloc.items()},
            stratum_sizes={_plain(k): int(v) for k, v in counts.items()},
        )
        sample = frame.iloc[chosen].copy()
    elif method == "pps":
        if size is None:
            raise InputError("PPS sampling needs a size column", todo="Choose the column")
        _need_columns(frame, [size])
        sizes = pd.to_numeric(frame[size], errors="coerce").to_numpy(float)
        if np.isnan(sizes).any() or (sizes < 0).any() or sizes.sum() <= 0:
            raise InputError(
                f"The size column '{size}' must hold numbers of 0 or more, not all 0",
                todo="Fill in the size (for example the population) of every unit",
            )
        hits, k, start = _pps_hits(sizes, n, rng)
        chosen = np.flatnonzero(hits)
        prob = np.minimum(1.0, n * sizes[chosen] / sizes.sum())
        record.update(interval=k, random_start=start, total_size=float(sizes.sum()))
        sample = frame.iloc[chosen].copy()
        sample["hits"] = hits[chosen]
    else:  # cluster
        if cluster is None or per_cluster is None:
            raise InputError(
                "Cluster sampling needs the cluster column and the number per cluster",
                todo="Choose the column (for example the facility) and how many rows per cluster",
            )
        _need_columns(frame, [cluster])
        m = _check_n(per_cluster)
        labels = frame[cluster].to_numpy()
        rows_per = pd.Series(1, index=pos).groupby(labels, sort=False).sum()
        if size is not None:
            _need_columns(frame, [size])
            measure = pd.to_numeric(frame[size], errors="coerce").groupby(labels, sort=False).sum()
        else:
            measure = rows_per.astype(float)
        if n > len(measure):
            raise InputError(
                f"You asked for {n} clusters but the list has only {len(measure)}",
                todo=f"Ask for at most {len(measure)} clusters",
            )
        hits, k, start = _pps_hits(measure.to_numpy(float), n, rng)
        p_cluster = np.minimum(1.0, n * measure.to_numpy(float) / measure.sum())
        selected = pd.DataFrame(
            {"hits": hits, "p_cluster": p_cluster, "rows": rows_per.to_numpy()},
            index=measure.index,
        )
        selected = selected[selected["hits"] > 0]
        selected["take"] = np.minimum(selected["hits"] * m, selected["rows"])
        keys = pd.Series(rng.random(N), index=pos)
        rank = keys.groupby(labels).rank(method="first").to_numpy()
        take = pd.Series(labels).map(selected["take"]).fillna(0).to_numpy()
        chosen = pos[rank <= take]
        lab = pd.Series(labels[chosen])
        prob = (
            lab.map(selected["p_cluster"]) * lab.map(selected["take"]) / lab.map(selected["rows"])
        ).to_numpy(float)
        record.update(
            interval=k,
            random_start=start,
            per_cluster=m,
            clusters={_plain(c): int(h) for c, h in selected["hits"].items()},
        )
        sample = frame.iloc[chosen].copy()

    sample["selection_probability"] = prob
    sample["weight"] = 1.0 / prob
    record["n_selected"] = int(len(sample))
    return sample, record


def _plain(value):
    """A numpy scalar as a plain Python value, so the record prints cleanly."""
    return value.item() if hasattr(value, "item") else value


def classification_counts(classified: pd.DataFrame) -> pd.DataFrame:
    """How many supervision areas reach the target, per indicator.

    ``classified`` is a result of :func:`classify_areas`. One row per indicator,
    in the order they first appear, with the number of areas classified
    ``reaching`` (reaches target), ``below`` (below target) and ``no_answers``
    (nobody answered), and ``areas``, their total. This is the LQAS summary
    "number of supervision areas below target" (Valadez et al., *Assessing
    Community Health Programs*, 2003): plain counts, no weighting.
    """
    _need_columns(classified, ["indicator", "classification"])
    labels = {"reaches target": "reaching", "below target": "below", "no answers": "no_answers"}
    order = pd.unique(classified["indicator"])
    counts = pd.crosstab(classified["indicator"], classified["classification"])
    counts = counts.reindex(index=order, columns=list(labels), fill_value=0).fillna(0)
    counts = counts.astype("int64").rename(columns=labels)
    counts["areas"] = counts.sum(axis=1)
    out = counts.rename_axis(index="indicator", columns=None).reset_index()
    return out[["indicator", "reaching", "below", "no_answers", "areas"]]


def plot_oc_curve(n: int, d: int, target: float, lower: float | None = None, ax=None):
    """Draw the operating characteristic (OC) curve of the rule "reaches target if yes ≥ d".

    The curve is :func:`oc_curve` (P(X ≥ d), X ~ binomial(n, p)), in percent, with
    the target as a dashed line and the lower threshold (default target − 0.30,
    as in :func:`lqas_risks`) as a dotted line: where the curve crosses them
    reads 1 − α and β (Valadez et al., *Assessing Community Health Programs*,
    2003). Colours from :data:`phcpm.style.PALETTE`. Returns the matplotlib
    ``Figure``; it is made with ``matplotlib.figure.Figure`` unless ``ax`` is
    given, so no global pyplot state is touched.
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
