"""Supervision areas after an LQAS survey: classification, intervals, district estimate.

:func:`classify_areas` (each area reaches its target or not),
:func:`area_intervals` (each area's Wilson interval),
:func:`classification_counts` (areas below target per indicator),
:func:`district_coverage` (the population-weighted district estimate), and the
:func:`classify_survey`, all of them in one step, with :func:`area_grid`, the
areas in words. What a user types is read by :mod:`phcpm.sampling.inputs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.sampling._checks import _columns_todo
from phcpm.sampling.lqas import lqas_decision_rule
from phcpm.sampling.size import z_value

__all__ = [
    "classify_areas",
    "area_intervals",
    "classification_counts",
    "district_coverage",
    "AreaResults",
    "classify_survey",
    "area_grid",
]

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


def _answers_long(df: pd.DataFrame, area_col: str, answer_cols) -> tuple[pd.DataFrame, list[str]]:
    cols = [answer_cols] if isinstance(answer_cols, str) else list(answer_cols)
    if not cols:
        raise InputError("No answer column was chosen", todo="Choose at least one indicator")
    require_columns(df, [area_col, *cols], "the survey table", _columns_todo(df))
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

    >>> survey = pd.DataFrame({"area": ["A"] * 3 + ["B"] * 3, "anc4": [1, 1, 0, 0, 0, 1]})
    >>> classify_areas(survey, "area", "anc4", target=0.5)["classification"].tolist()
    ['reaches target', 'below target']
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

    >>> survey = pd.DataFrame({"area": ["A"] * 3 + ["B"] * 3, "anc4": [1, 1, 0, 0, 0, 1]})
    >>> got = district_coverage(survey, "area", "anc4", weights={"A": 100, "B": 300})
    >>> round(float(got["coverage"].iloc[0]), 3)  # (100 × 2/3 + 300 × 1/3) / 400
    0.417
    """
    long, cols = _answers_long(df, area_col, answer_col)
    per = (
        long.groupby(["indicator", area_col], sort=False)["answer"]
        .agg(n="count", yes="sum")
        .reset_index()
    )
    per = per[per["n"] > 0].copy()
    if isinstance(weights, str):
        require_columns(df, [weights], "the survey table", _columns_todo(df))
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

    >>> survey = pd.DataFrame({"area": ["A"] * 3, "anc4": [1, 1, 0]})
    >>> got = area_intervals(classify_areas(survey, "area", "anc4", target=0.5))
    >>> got[["ci_lower", "ci_upper"]].round(2).values.tolist()
    [[0.21, 0.94]]
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


def classification_counts(classified: pd.DataFrame) -> pd.DataFrame:
    """How many supervision areas reach the target, per indicator.

    ``classified`` is a result of :func:`classify_areas`. One row per indicator,
    in the order they first appear, with the number of areas classified
    ``reaching`` (reaches target), ``below`` (below target) and ``no_answers``
    (nobody answered), and ``areas``, their total. This is the LQAS summary
    "number of supervision areas below target" (Valadez et al., *Assessing
    Community Health Programs*, 2003): plain counts, no weighting.

    >>> survey = pd.DataFrame({"area": ["A"] * 3 + ["B"] * 3, "anc4": [1, 1, 0, 0, 0, 1]})
    >>> classified = classify_areas(survey, "area", "anc4", target=0.5)
    >>> classification_counts(classified).to_dict("records")
    [{'indicator': 'anc4', 'reaching': 1, 'below': 1, 'no_answers': 0, 'areas': 2}]
    """
    require_columns(
        classified,
        ["indicator", "classification"],
        "the classification of the areas",
        "Classify the areas first",
    )
    labels = {"reaches target": "reaching", "below target": "below", "no answers": "no_answers"}
    order = pd.unique(classified["indicator"])
    counts = pd.crosstab(classified["indicator"], classified["classification"])
    counts = counts.reindex(index=order, columns=list(labels), fill_value=0).fillna(0)
    counts = counts.astype("int64").rename(columns=labels)
    counts["areas"] = counts.sum(axis=1)
    out = counts.rename_axis(index="indicator", columns=None).reset_index()
    return out[["indicator", "reaching", "below", "no_answers", "areas"]]


@dataclass(frozen=True)
class AreaResults:
    """Everything :func:`classify_survey` finds.

    ``areas``: :func:`classify_areas` with :func:`area_intervals`;
    ``district``: :func:`district_coverage`, or ``None`` without populations;
    ``summary``: one row per indicator with ``below`` (areas below target) and
    ``areas`` (areas classified).
    """

    areas: pd.DataFrame
    district: pd.DataFrame | None
    summary: pd.DataFrame


def classify_survey(
    survey: pd.DataFrame,
    area_col: str,
    answer_cols: str | list[str],
    target: float,
    weights: Mapping | str | None = None,
) -> AreaResults:
    """Classify every area, add its interval, and estimate the district if ``weights``.

    The steps of an LQAS analysis (Valadez et al., *Assessing Community Health
    Programs*, 2003): :func:`classify_areas`, :func:`area_intervals`,
    :func:`classification_counts` and, with populations,
    :func:`district_coverage`.

    >>> survey = pd.DataFrame({"area": ["A"] * 3 + ["B"] * 3, "anc4": [1, 1, 0, 0, 0, 1]})
    >>> got = classify_survey(survey, "area", ["anc4"], 0.5, weights={"A": 100, "B": 300})
    >>> got.summary.to_dict("records")
    [{'indicator': 'anc4', 'below': 1, 'areas': 2}]
    >>> round(float(got.district["coverage"].iloc[0]), 3)
    0.417
    """
    areas = area_intervals(classify_areas(survey, area_col, answer_cols, target=target))
    district = None
    if weights is not None:
        district = district_coverage(survey, area_col, answer_cols, weights=weights)
    summary = classification_counts(areas)[["indicator", "below", "areas"]]
    return AreaResults(areas=areas, district=district, summary=summary)


def _share(value: float, unit: bool = True) -> str:
    return f"{100 * value:.0f}" + (" %" if unit else "")


def area_grid(areas: pd.DataFrame, area_col: str, answer_cols: Iterable[str]) -> pd.DataFrame:
    """One row per area, one column per indicator, each cell in words.

    ``areas`` is a table from :func:`classify_areas` with
    :func:`area_intervals`. A cell reads "● reaches: 67 % (21–94 %)" or
    "■ below: 33 % (6–79 %)": the classification, the share of yes answers and
    its 95 % confidence interval; an area nobody answered reads "no answers".

    >>> survey = pd.DataFrame({"area": ["A"] * 3 + ["B"] * 3, "anc4": [1, 1, 0, 0, 0, 1]})
    >>> areas = area_intervals(classify_areas(survey, "area", "anc4", target=0.5))
    >>> area_grid(areas, "area", ["anc4"]).to_dict("records")
    [{'area': 'A', 'anc4': '● reaches: 67 % (21–94 %)'}, {'area': 'B', 'anc4': '■ below: 33 % (6–79 %)'}]
    """
    require_columns(
        areas,
        [area_col, "indicator", "classification", "coverage", "ci_lower", "ci_upper"],
        "the classification of the areas",
        "Classify the areas first",
    )
    mark = {"reaches target": "● reaches", "below target": "■ below"}
    cells = [
        f"{mark.get(c, c)}: {_share(cov)} ({_share(lo, False)}–{_share(hi)})"
        if pd.notna(lo)
        else mark.get(c, c)
        for c, cov, lo, hi in zip(
            areas["classification"],
            areas["coverage"],
            areas["ci_lower"],
            areas["ci_upper"],
            strict=True,
        )
    ]
    wide = areas.assign(cell=cells).pivot(index=area_col, columns="indicator", values="cell")
    wide = wide[[c for c in answer_cols if c in wide.columns]]
    return wide.rename_axis(columns=None).reset_index()
