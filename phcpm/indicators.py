"""Choosing a balanced, affordable set of PHC indicators.

The functions here support the steps a district team goes through when it
chooses the indicators it will review every month or quarter:

1. rate candidate indicators against selection criteria (:func:`default_ratings`
   gives a transparent starting point, the team adjusts it);
2. combine the ratings with the team's weights into one score (:func:`score`) and
   keep the best (:func:`shortlist`);
3. check that the set is balanced across the results chain, the PHCPI Vital Signs
   domains and the performance dimensions (:func:`balance`);
4. count what the set costs facilities in staff time (:func:`burden`,
   :func:`compare_burden`);
5. write an indicator reference sheet for each indicator kept
   (:func:`reference_sheet`, :func:`reference_sheets_frame`).

Every function takes DataFrames and returns new ones; inputs are never changed.
The catalogue is :func:`phcpm.catalogue.catalogue`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from phcpm.catalogue import DIMENSIONS, DOMAINS, RESULTS_CHAIN
from phcpm.catalogue import criteria as _criteria
from phcpm.errors import InputError

ID = "indicator_id"

#: How many reports a year each catalogue frequency means.
REPORTS_PER_YEAR: dict[str, float] = {
    "monthly": 12.0,
    "quarterly": 4.0,
    "annual": 1.0,
    "every 3-5 years": 0.25,
}

#: Data sources whose values facility staff record and report themselves, and which
#: therefore count in the facility data-collection burden.
ROUTINE_SOURCES: tuple[str, ...] = ("HMIS routine", "LMIS", "supervision checklist")

#: Disaggregations that show gaps between groups of people (used by :func:`balance`).
EQUITY_STRATIFIERS: tuple[str, ...] = ("sex", "wealth quintile", "urban/rural", "education")

_CATALOGUE_COLUMNS = (
    ID,
    "name",
    "data_elements",
    "data_source",
    "frequency",
    "level",
    "framework_domain",
    "results_chain",
    "dimension",
    "disaggregation",
)


# --------------------------------------------------------------------------- helpers
def _require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"The {what} must be a table (a DataFrame)",
            todo=f"Pass the {what} as a table with one row per indicator",
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"The {what} has no column named {', '.join(repr(m) for m in missing)}",
            where=f"the {what}",
            todo="Use the indicator catalogue from phcpm.catalogue.catalogue(), "
            "or add the missing columns",
        )


def _selected_ids(selection: object, catalogue: pd.DataFrame) -> list[str]:
    """Indicator codes from a list of codes or a table with an indicator_id column."""
    if isinstance(selection, pd.DataFrame):
        _require_columns(selection, [ID], "selection")
        raw = selection[ID].tolist()
    elif isinstance(selection, str):
        raw = [selection]
    elif isinstance(selection, Iterable):
        raw = list(selection)
    else:
        raise InputError(
            "The selection must be a list of indicator codes",
            todo="Give the codes, for example ['ANC4_COV', 'PENTA3_COV']",
        )
    ids = list(dict.fromkeys(str(i).strip() for i in raw))
    if not ids:
        raise InputError(
            "No indicator was selected", todo="Select at least one indicator and try again"
        )
    unknown = [i for i in ids if i not in set(catalogue[ID])]
    if unknown:
        raise InputError(
            f"These indicator codes are not in the catalogue: {', '.join(unknown)}",
            where="the selection",
            todo="Check the spelling of the codes against the catalogue's indicator_id column",
        )
    return ids


def _rows(ids: list[str], catalogue: pd.DataFrame) -> pd.DataFrame:
    """Catalogue rows for ``ids``, in the order of ``ids``."""
    return catalogue.set_index(ID).loc[ids].reset_index()


def _criterion_codes() -> list[str]:
    return _criteria()["criterion"].tolist()


# --------------------------------------------------------------------------- scoring
def _wide_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """Ratings as one row per indicator and one column per criterion."""
    if not isinstance(ratings, pd.DataFrame):
        raise InputError(
            "The ratings must be a table",
            todo="Give one row per indicator and one column per criterion, "
            "or columns indicator_id, criterion and rating",
        )
    frame = ratings
    if ID not in frame.columns and frame.index.name == ID:
        frame = frame.reset_index()
    _require_columns(frame, [ID], "ratings table")
    if {"criterion", "rating"} <= set(frame.columns):
        doubles = frame.duplicated([ID, "criterion"])
        if doubles.any():
            first = frame.loc[doubles].iloc[0]
            raise InputError(
                f"Indicator {first[ID]} has more than one rating for '{first['criterion']}'",
                where="the ratings table",
                todo="Keep one rating per indicator and criterion",
            )
        frame = frame.pivot(index=ID, columns="criterion", values="rating")
        frame.columns.name = None
        return frame
    if frame[ID].duplicated().any():
        dup = frame.loc[frame[ID].duplicated(), ID].iloc[0]
        raise InputError(
            f"Indicator {dup} appears on more than one row",
            where="the ratings table",
            todo="Keep one row per indicator",
        )
    return frame.set_index(ID)


def _weights(weights: Mapping[str, float] | pd.Series, known: list[str]) -> pd.Series:
    series = pd.Series(weights, dtype="object") if not isinstance(weights, pd.Series) else weights
    unknown = [str(c) for c in series.index if c not in known]
    if unknown:
        raise InputError(
            f"Unknown criteria in the weights: {', '.join(unknown)}",
            where="the weights",
            todo=f"Use only these criteria: {', '.join(known)}",
        )
    values = pd.to_numeric(series, errors="coerce").astype("float64")
    bad = values.index[values.isna() | ~np.isfinite(values) | (values < 0)].tolist()
    if bad:
        raise InputError(
            f"The weight for {', '.join(map(str, bad))} is not a number of zero or more",
            where="the weights",
            todo="Give every criterion a weight of 0 or more (0 means 'ignore')",
        )
    if values.sum() <= 0:
        raise InputError(
            "All the weights are zero, so nothing can be scored",
            where="the weights",
            todo="Give at least one criterion a weight above zero",
        )
    return values


def score(
    candidates: pd.DataFrame | Iterable[str],
    ratings: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series,
) -> pd.DataFrame:
    """Weighted score (0-100) and rank of candidate indicators.

    Method: the simple additive weighting (weighted sum) model of multi-criteria
    analysis (UK Department for Communities and Local Government, *Multi-criteria
    analysis: a manual*, 2009, ch. 6; Belton V & Stewart TJ, *Multiple criteria
    decision analysis*, 2002). Weights are normalised to sum to one,
    ``w_c / sum(w)``; the weighted mean rating ``m = sum(w_c * r_c) / sum(w)`` lies
    between 1 and 5 and is rescaled linearly to ``score = (m - 1) / 4 * 100``, so
    all-1 ratings score 0 and all-5 ratings score 100. Scores are not rounded.

    Parameters
    ----------
    candidates:
        Table with an ``indicator_id`` column (for example catalogue rows), or a
        list of indicator codes. A ``name`` column is carried into the result.
    ratings:
        Ratings from 1 (poor) to 5 (excellent) per indicator and criterion, either
        wide (``indicator_id`` plus one column per criterion) or long
        (``indicator_id``, ``criterion``, ``rating``). Rows for indicators that are
        not candidates are ignored.
    weights:
        Mapping criterion -> weight (any numbers of zero or more). Criteria left out
        of the mapping get weight zero. Criterion codes are those of
        :func:`phcpm.catalogue.criteria`.

    Returns
    -------
    DataFrame with ``indicator_id`` (and ``name``), the ratings of the weighted
    criteria, ``score`` and ``rank`` (1 = best), sorted by rank. Equal scores are
    ranked by ``indicator_id`` in alphabetical order, so the order is stable.
    """
    known = _criterion_codes()
    if isinstance(candidates, pd.DataFrame):
        _require_columns(candidates, [ID], "candidate table")
        base = candidates.drop_duplicates(ID)
    else:
        ids = list(dict.fromkeys([candidates] if isinstance(candidates, str) else candidates))
        base = pd.DataFrame({ID: ids})
    if base.empty:
        raise InputError("There are no candidate indicators to score", todo="Add candidates")
    keep = [c for c in (ID, "name") if c in base.columns]
    base = base[keep].reset_index(drop=True)

    wide = _wide_ratings(ratings)
    unknown = [str(c) for c in wide.columns if c not in known]
    if unknown:
        raise InputError(
            f"Unknown criteria in the ratings: {', '.join(unknown)}",
            where="the ratings table",
            todo=f"Use only these criteria: {', '.join(known)}",
        )
    w = _weights(weights, known)
    used = [c for c in known if c in w.index and w[c] > 0]
    not_rated = [c for c in used if c not in wide.columns]
    if not_rated:
        raise InputError(
            f"These criteria have a weight but no ratings: {', '.join(not_rated)}",
            where="the ratings table",
            todo="Rate every indicator on these criteria, or set their weight to 0",
        )
    missing_ids = [i for i in base[ID] if i not in wide.index]
    if missing_ids:
        raise InputError(
            f"These indicators have no ratings: {', '.join(map(str, missing_ids))}",
            where="the ratings table",
            todo="Add a row of ratings for each candidate indicator",
        )
    values = wide.loc[base[ID], used].apply(pd.to_numeric, errors="coerce").astype("float64")
    bad = values.isna() | (values < 1) | (values > 5)
    if bad.to_numpy().any():
        row, col = np.argwhere(bad.to_numpy())[0]
        raise InputError(
            f"Indicator {values.index[row]} has rating {wide.loc[values.index[row], used[col]]!r} "
            f"for '{used[col]}', but ratings must be numbers from 1 to 5",
            where="the ratings table",
            todo="Use 1 (poor) to 5 (excellent) for every rating",
        )
    norm = w[used] / w[used].sum()
    mean = values.to_numpy() @ norm.to_numpy()
    out = base.copy()
    for c in used:
        out[c] = values[c].to_numpy()
    out["score"] = (mean - 1.0) / 4.0 * 100.0
    out = out.sort_values(["score", ID], ascending=[False, True], kind="mergesort")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


# Rules for default_ratings: catalogue attribute value -> rating (1-5).
_AVAILABLE_BY_SOURCE = {
    "HMIS routine": 5,
    "LMIS": 5,
    "HR information system": 4,
    "supervision checklist": 4,
    "finance": 3,
    "civil registration": 2,
    "modelled estimate": 2,
    "facility survey": 2,
    "household survey": 1,
}
_LOW_BURDEN_BY_SOURCE = {
    "HMIS routine": 4,
    "LMIS": 4,
    "HR information system": 4,
    "finance": 4,
    "civil registration": 3,
    "modelled estimate": 3,
    "supervision checklist": 3,
    "facility survey": 2,
    "household survey": 1,
}
_SENSITIVE_BY_FREQUENCY = {"monthly": 5, "quarterly": 4, "annual": 2, "every 3-5 years": 1}
_ACTIONABLE_BY_LEVEL = {"facility": 5, "district": 4, "national": 2}
_ROBUST_BY_SOURCE = {"household survey": 4, "facility survey": 4, "civil registration": 4}

#: The rules of :func:`default_ratings`, in plain words, one per criterion.
DEFAULT_RATING_RULES: dict[str, str] = {
    "data_available": "HMIS or LMIS 5; HR system or supervision checklist 4; finance 3; "
    "civil registration, modelled estimate or facility survey 2; household survey 1.",
    "low_burden": "HMIS, LMIS, HR system or finance records 4; civil registration, "
    "modelled estimate or supervision checklist 3; facility survey 2; household survey 1.",
    "sensitive": "Monthly 5; quarterly 4; annual 2; every 3-5 years 1.",
    "actionable": "Measured at facility level 5; district 4; national 2; one less for "
    "impact indicators (health status moves for many reasons besides services).",
    "equity": "Equity indicators 5; otherwise 1 plus one point for each of sex, age "
    "group, wealth quintile, urban/rural and education it can be split by (at most 5).",
    "credible": "Percentages 4 (easy to read); rates, ratios and counts 3; indices 2.",
    "robust": "Survey or civil registration data 4 (collected independently of the "
    "people judged on them); other sources 3.",
    "other criteria": "3 (neutral) until the team rates them: specific, measurable, "
    "achievable, relevant, time_bound, racer_relevant, accepted.",
}


def default_ratings(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Rule-based starting ratings (1-5) of every catalogue indicator on every criterion.

    The rules, listed in :data:`DEFAULT_RATING_RULES`, use only catalogue columns
    (data source, frequency, level, results chain, disaggregation, unit), so a team
    can see why each rating was given and then change it. They follow the practical
    criteria of the WHO/UNICEF *Primary health care measurement framework and
    indicators* (2022): routine monthly data are available now and show change
    quickly; household surveys come every 3-5 years at national level. Criteria that
    need local judgement get a neutral 3.

    Returns a wide table: ``indicator_id`` plus one integer column per criterion of
    :func:`phcpm.catalogue.criteria`, in catalogue order.
    """
    _require_columns(
        catalogue,
        [ID, "data_source", "frequency", "level", "results_chain", "disaggregation", "unit"],
        "catalogue",
    )
    cat = catalogue.reset_index(drop=True)
    out = pd.DataFrame({ID: cat[ID].to_numpy()})
    for code in _criterion_codes():
        out[code] = 3
    source = cat["data_source"].astype(str)
    out["data_available"] = source.map(_AVAILABLE_BY_SOURCE).fillna(3).astype(int)
    out["low_burden"] = source.map(_LOW_BURDEN_BY_SOURCE).fillna(3).astype(int)
    out["sensitive"] = cat["frequency"].map(_SENSITIVE_BY_FREQUENCY).fillna(3).astype(int)
    actionable = cat["level"].map(_ACTIONABLE_BY_LEVEL).fillna(3)
    actionable = actionable - (cat["results_chain"] == "impact").astype(int)
    out["actionable"] = actionable.clip(1, 5).astype(int)
    parts = cat["disaggregation"].fillna("").astype(str).str.lower()
    n_strata = sum(
        parts.str.contains(s, regex=False).astype(int)
        for s in ("sex", "age group", "wealth quintile", "urban/rural", "education")
    )
    is_equity = pd.Series(False, index=cat.index)
    for col in ("framework_domain", "dimension"):
        if col in cat.columns:
            is_equity |= cat[col] == "equity"
    out["equity"] = np.where(is_equity, 5, np.minimum(5, 1 + n_strata)).astype(int)
    unit = cat["unit"].fillna("").astype(str)
    out["credible"] = np.select(
        [unit == "%", unit.str.startswith("index")], [4, 2], default=3
    ).astype(int)
    out["robust"] = source.map(_ROBUST_BY_SOURCE).fillna(3).astype(int)
    return out


def shortlist(
    scored: pd.DataFrame,
    k: int,
    must_include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """The ``k`` best-ranked indicators, always keeping ``must_include`` and never ``exclude``.

    ``scored`` is the output of :func:`score`. Indicators in ``must_include`` take
    places first; the remaining places go to the best-ranked others. The result keeps
    the columns of ``scored``, adds ``reason`` ("must include" or "top score"), and is
    sorted by rank. If fewer than ``k`` indicators are available, all are returned.
    """
    _require_columns(scored, [ID, "score", "rank"], "scored table")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise InputError(
            f"The shortlist size must be a whole number of 1 or more, not {k!r}",
            todo="Choose how many indicators to keep, for example 12",
        )
    must = list(dict.fromkeys([must_include] if isinstance(must_include, str) else must_include))
    drop = set([exclude] if isinstance(exclude, str) else exclude)
    ids = set(scored[ID])
    unknown = [i for i in must if i not in ids]
    if unknown:
        raise InputError(
            f"These indicators must be included but were not scored: {', '.join(unknown)}",
            where="must_include",
            todo="Add them to the candidates, or remove them from the must-include list",
        )
    both = [i for i in must if i in drop]
    if both:
        raise InputError(
            f"These indicators are both required and excluded: {', '.join(both)}",
            todo="Remove them from one of the two lists",
        )
    if len(must) > k:
        raise InputError(
            f"{len(must)} indicators must be included but the shortlist has only {k} places",
            todo="Make the shortlist longer or the must-include list shorter",
        )
    ordered = scored.sort_values(["rank", ID], kind="mergesort")
    forced = ordered[ordered[ID].isin(must)]
    others = ordered[~ordered[ID].isin(must) & ~ordered[ID].isin(drop)].head(k - len(must))
    out = pd.concat([forced, others]).sort_values(["rank", ID], kind="mergesort")
    out = out.reset_index(drop=True)
    out["reason"] = np.where(out[ID].isin(must), "must include", "top score")
    return out


# --------------------------------------------------------------------------- balance
@dataclass(frozen=True)
class BalanceResult:
    """Counts and shares of a selection, with plain-word warnings.

    ``by_domain``, ``by_results_chain`` and ``by_dimension`` have columns
    ``category``, ``count`` and ``share`` (0-1) and list every category, including
    those with no indicator. ``warnings`` is empty when the set looks balanced.
    """

    n_indicators: int
    by_domain: pd.DataFrame
    by_results_chain: pd.DataFrame
    by_dimension: pd.DataFrame
    by_frequency: pd.DataFrame
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def balanced(self) -> bool:
        return not self.warnings

    def __str__(self) -> str:
        if not self.warnings:
            return f"{self.n_indicators} indicators: no balance problems found."
        lines = [f"{self.n_indicators} indicators, {len(self.warnings)} warning(s):"]
        return "\n".join(lines + [f"- {w}" for w in self.warnings])


def _counts(values: pd.Series, categories: Iterable[str]) -> pd.DataFrame:
    cats = list(categories)
    counts = values.value_counts().reindex(cats, fill_value=0).astype(int)
    extra = values[~values.isin(cats)].value_counts().astype(int)
    counts = pd.concat([counts, extra])
    total = max(len(values), 1)
    return pd.DataFrame({"category": counts.index.astype(str), "count": counts.to_numpy()}).assign(
        share=lambda d: d["count"] / total
    )


def balance(
    selection: pd.DataFrame | Iterable[str],
    catalogue: pd.DataFrame,
    *,
    max_share_one_level: float = 0.6,
    required_results_chain: Iterable[str] = ("process",),
    required_dimensions: Iterable[str] = ("quality",),
    min_monthly: int = 1,
    equity_stratifiers: Iterable[str] = EQUITY_STRATIFIERS,
) -> BalanceResult:
    """Check that a set of indicators is balanced, and say in plain words what is missing.

    Counts are by PHCPI Vital Signs domain, by level of the WHO/UNICEF (2022) results
    chain, by performance dimension and by frequency. Warnings fire when:

    * no indicator sits at a required results-chain level (default: process), or
      has a required dimension (default: quality);
    * more than ``max_share_one_level`` (default 60 %) of the indicators sit at one
      results-chain level;
    * no indicator measures equity or can be split by one of ``equity_stratifiers``;
    * fewer than ``min_monthly`` indicators are measured monthly, which leaves a
      quarterly review with too few data points to see a change.

    The checks put into practice the advice of the WHO/UNICEF *Primary health care
    measurement framework and indicators* (2022) to cover the whole results chain,
    and PHCPI's *Vital Signs Profile* (2018) emphasis on quality and equity.
    """
    _require_columns(catalogue, _CATALOGUE_COLUMNS, "catalogue")
    if not 0 < max_share_one_level <= 1:
        raise InputError(
            f"The largest share for one level must be between 0 and 1, not {max_share_one_level}",
            todo="Use a fraction such as 0.6 for 60 %",
        )
    ids = _selected_ids(selection, catalogue)
    rows = _rows(ids, catalogue)
    n = len(rows)
    by_chain = _counts(rows["results_chain"], RESULTS_CHAIN)
    by_domain = _counts(rows["framework_domain"], DOMAINS)
    by_dim = _counts(rows["dimension"].fillna(""), [d for d in DIMENSIONS if d])
    by_dim = by_dim[by_dim["category"] != ""].reset_index(drop=True)
    by_freq = _counts(rows["frequency"], ("monthly", "quarterly", "annual", "every 3-5 years"))

    warnings: list[str] = []
    for level in required_results_chain:
        if not (rows["results_chain"] == level).any():
            warnings.append(
                f"No {level} indicator: add one so the team can see whether the work that "
                "produces results (such as supervision or reporting) is being done."
                if level == "process"
                else f"No {level} indicator: add at least one to cover this level of the "
                "results chain."
            )
    for dim in required_dimensions:
        if not (rows["dimension"] == dim).any():
            warnings.append(
                f"No {dim} indicator: counting services without checking their {dim} can "
                "hide poor care."
                if dim == "quality"
                else f"No {dim} indicator: add at least one."
            )
    counts = rows["results_chain"].value_counts()
    for level, count in counts.items():
        if count / n > max_share_one_level:
            warnings.append(
                f"More than {max_share_one_level:.0%} of the indicators ({count} of {n}) are "
                f"{level} indicators: swap some for other "
                "levels of the results chain so the set explains why results change."
            )
    strata = [s.lower() for s in equity_stratifiers]
    disagg = rows["disaggregation"].fillna("").astype(str).str.lower()
    can_split = pd.Series(False, index=rows.index)
    for s in strata:
        can_split |= disagg.str.contains(s, regex=False)
    has_equity = (rows["framework_domain"] == "equity") | (rows["dimension"] == "equity")
    if not (can_split | has_equity).any():
        warnings.append(
            "No equity disaggregation: no indicator measures a gap between groups or can be "
            f"split by {', '.join(strata)}, so you cannot see who is left behind."
        )
    monthly = int((rows["frequency"] == "monthly").sum())
    if monthly < min_monthly:
        warnings.append(
            "No indicator measured monthly: too slow for a quarterly review, which needs "
            "several recent values to see a change."
            if monthly == 0
            else f"Only {monthly} indicator(s) measured monthly: a quarterly review needs "
            f"at least {min_monthly}."
        )
    return BalanceResult(n, by_domain, by_chain, by_dim, by_freq, tuple(warnings))


# --------------------------------------------------------------------------- burden
def _reports_lookup(reports_per_year: float | Mapping[str, float] | None) -> dict[str, float]:
    if reports_per_year is None:
        return dict(REPORTS_PER_YEAR)
    if isinstance(reports_per_year, Mapping):
        table = dict(REPORTS_PER_YEAR)
        table.update({str(k): float(v) for k, v in reports_per_year.items()})
    else:
        try:
            value = float(reports_per_year)
        except (TypeError, ValueError):
            value = float("nan")
        table = dict.fromkeys(REPORTS_PER_YEAR, value)
    if any(not np.isfinite(v) or v < 0 for v in table.values()):
        raise InputError(
            "Reports per year must be a number of zero or more",
            where="reports_per_year",
            todo="Leave it empty to use the catalogue frequency (monthly = 12), or give a number",
        )
    return table


def burden(
    selection: pd.DataFrame | Iterable[str],
    catalogue: pd.DataFrame,
    facilities: int,
    minutes_per_value: float = 1.0,
    reports_per_year: float | Mapping[str, float] | None = None,
    routine_sources: Iterable[str] = ROUTINE_SOURCES,
) -> pd.DataFrame:
    """Staff time that facilities spend recording and reporting the data a set needs.

    Burden of one data element = facilities x reports per year x minutes per value;
    staff hours per month = minutes per year / 12 / 60. The burden of the set is the
    sum over its *distinct* data elements: an element used by several indicators is
    counted once, at the most frequent reporting schedule among them. This is the
    "count the values, not the indicators" logic of the WHO *Data quality review*
    toolkit (2017, module 1) and of HMIS review guidance on reducing reporting load.

    Only elements from ``routine_sources`` (default: HMIS, LMIS, supervision
    checklists) count as facility burden. Elements from surveys, civil registration,
    HR or finance records are listed with ``routine`` = False and no burden figures;
    population estimates (codes beginning ``POP_``) are listed as not collected.

    Parameters
    ----------
    facilities:
        Number of facilities that report.
    minutes_per_value:
        Average staff minutes to count, record, check and report one value.
    reports_per_year:
        ``None`` to use each indicator's frequency (monthly 12, quarterly 4, annual
        1, every 3-5 years 0.25); one number for all elements; or a mapping
        frequency -> reports per year that overrides some of them.

    Returns
    -------
    One row per distinct data element: ``data_element``, ``indicators`` (codes using
    it, joined by ", "), ``data_source``, ``frequency``, ``routine``,
    ``reports_per_year``, ``values_per_year``, ``minutes_per_year`` and
    ``hours_per_month``; routine elements first, then the others.
    """
    _require_columns(catalogue, _CATALOGUE_COLUMNS, "catalogue")
    if isinstance(facilities, bool) or not isinstance(facilities, int | np.integer):
        raise InputError(
            f"The number of facilities must be a whole number, not {facilities!r}",
            todo="Give the number of facilities that report, for example 150",
        )
    if facilities < 1:
        raise InputError(
            "The number of facilities must be 1 or more", todo="Give the number that report"
        )
    try:
        minutes = float(minutes_per_value)
    except (TypeError, ValueError):
        minutes = float("nan")
    if not np.isfinite(minutes) or minutes < 0:
        raise InputError(
            f"Minutes per value must be a number of zero or more, not {minutes_per_value!r}",
            todo="Give the average minutes to record and report one value, for example 1",
        )
    lookup = _reports_lookup(reports_per_year)
    routine = set(routine_sources)
    ids = _selected_ids(selection, catalogue)
    rows = _rows(ids, catalogue)

    long = rows[[ID, "data_elements", "data_source", "frequency"]].assign(
        data_element=rows["data_elements"].fillna("").astype(str).str.split(";")
    )
    long = long.explode("data_element")
    long["data_element"] = long["data_element"].str.strip()
    long = long[long["data_element"] != ""]
    long["population"] = long["data_element"].str.startswith("POP_")
    long["routine"] = long["data_source"].isin(routine) & ~long["population"]
    long["reports_per_year"] = long["frequency"].map(lookup).astype("float64")
    long.loc[~long["routine"], "reports_per_year"] = np.nan
    # One row per element: routine if any indicator collects it routinely, at the
    # most frequent schedule; sources and frequencies listed for information.
    long = long.sort_values(
        ["data_element", "routine", "reports_per_year"],
        ascending=[True, False, False],
        kind="mergesort",
        na_position="last",
    )
    grouped = long.groupby("data_element", sort=False)
    out = grouped.agg(
        indicators=(ID, lambda s: ", ".join(dict.fromkeys(s))),
        data_source=("data_source", "first"),
        frequency=("frequency", "first"),
        routine=("routine", "any"),
        population=("population", "all"),
        reports_per_year=("reports_per_year", "max"),
    ).reset_index()
    out.loc[out["population"], "data_source"] = "population estimate"
    out["values_per_year"] = np.where(out["routine"], facilities * out["reports_per_year"], np.nan)
    out["minutes_per_year"] = out["values_per_year"] * minutes
    out["hours_per_month"] = out["minutes_per_year"] / 12.0 / 60.0
    out = out.drop(columns="population")
    order = ["data_element", "indicators", "data_source", "frequency", "routine"]
    out = out[
        order + ["reports_per_year", "values_per_year", "minutes_per_year", "hours_per_month"]
    ]
    out = out.sort_values(["routine", "data_element"], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)


def burden_totals(burden_table: pd.DataFrame) -> pd.Series:
    """Totals of a :func:`burden` table: routine elements, values, minutes and hours.

    ``hours_per_month`` is the facility staff time for the whole set, all
    facilities together; ``other_elements`` counts the elements that come from
    surveys or other non-routine sources (not in the staff time).
    """
    _require_columns(
        burden_table,
        ["routine", "values_per_year", "minutes_per_year", "hours_per_month"],
        "burden table",
    )
    routine = burden_table["routine"].astype(bool)
    return pd.Series(
        {
            "routine_elements": int(routine.sum()),
            "other_elements": int((~routine).sum()),
            "values_per_year": float(burden_table.loc[routine, "values_per_year"].sum()),
            "minutes_per_year": float(burden_table.loc[routine, "minutes_per_year"].sum()),
            "hours_per_month": float(burden_table.loc[routine, "hours_per_month"].sum()),
        }
    )


def compare_burden(
    current: pd.DataFrame | Iterable[str],
    shortlist: pd.DataFrame | Iterable[str],
    catalogue: pd.DataFrame,
    facilities: int,
    minutes_per_value: float = 1.0,
    reports_per_year: float | Mapping[str, float] | None = None,
    routine_sources: Iterable[str] = ROUTINE_SOURCES,
) -> pd.DataFrame:
    """Facility data burden of the current indicator set next to a proposed shortlist.

    Uses :func:`burden` for each set (same method and assumptions). Returns a table
    with rows ``current``, ``shortlist`` and ``change`` (shortlist minus current) and
    columns ``indicators``, ``routine_elements``, ``other_elements``,
    ``values_per_year``, ``minutes_per_year`` and ``hours_per_month``.
    """
    kwargs = {
        "facilities": facilities,
        "minutes_per_value": minutes_per_value,
        "reports_per_year": reports_per_year,
        "routine_sources": tuple(routine_sources),
    }
    totals = {}
    for label, sel in (("current", current), ("shortlist", shortlist)):
        n = len(_selected_ids(sel, catalogue))
        t = burden_totals(burden(sel, catalogue, **kwargs))
        totals[label] = pd.concat([pd.Series({"indicators": n}), t])
    frame = pd.DataFrame(totals).T.astype("float64")
    frame.loc["change"] = frame.loc["shortlist"] - frame.loc["current"]
    for col in ("indicators", "routine_elements", "other_elements"):
        frame[col] = frame[col].astype(int)
    frame.index.name = "set"
    return frame


# --------------------------------------------------------------------------- reference sheets
_SHEET_FIELDS: tuple[tuple[str, str], ...] = (
    ("definition", "Definition"),
    ("numerator", "Numerator"),
    ("denominator", "Denominator"),
    ("data_elements", "Data elements"),
    ("data_source", "Data source"),
    ("frequency", "Frequency"),
    ("level", "Level of use"),
    ("disaggregation", "Disaggregation"),
    ("target", "Target"),
    ("interpretation", "Interpretation"),
    ("reference", "Reference"),
)

_CHAIN_MEANING = {
    "input": "an input indicator: it shows whether the resources for services are in place",
    "process": "a process indicator: it shows whether management and support tasks are done",
    "output": "an output indicator: it shows whether services are available, used and of "
    "good quality",
    "outcome": "an outcome indicator: it shows whether the people who need a service get it",
    "impact": "an impact indicator: it shows changes in health or financial protection, which "
    "move slowly and depend on much more than health services",
}


def _text(row: Mapping[str, object], key: str) -> str:
    value = row.get(key, "")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _target_text(row: Mapping[str, object]) -> str:
    target = row.get("typical_target")
    unit = _text(row, "unit")
    if target is None or (isinstance(target, float) and np.isnan(target)):
        return "No common international target: agree a local target from your own baseline."
    number = f"{float(target):g}"
    sign = "at least" if bool(row.get("higher_is_better", True)) else "at most"
    value = f"{number} %" if unit == "%" else f"{number} {unit}".strip()
    source = _text(row, "target_source")
    return f"{sign} {value}" + (f" ({source})" if source else "")


def _interpretation(row: Mapping[str, object]) -> str:
    parts = ["Higher is better." if bool(row.get("higher_is_better", True)) else "Lower is better."]
    chain = _text(row, "results_chain")
    if chain in _CHAIN_MEANING:
        parts.append(f"This is {_CHAIN_MEANING[chain]}.")
    freq = _text(row, "frequency")
    if freq == "monthly":
        parts.append("Monthly values can be followed on a run chart between reviews.")
    elif freq == "every 3-5 years":
        parts.append(
            "It comes from a survey every few years: use it for planning, not for "
            "quarterly reviews."
        )
    elements = _text(row, "data_elements").split(";")
    if _text(row, "unit") == "%" and any(e.strip().startswith("POP_") for e in elements):
        parts.append(
            "The denominator is a population estimate: values above 100 % usually "
            "mean the estimate is too low or people come from outside the area."
        )
    return " ".join(parts)


def _as_mapping(indicator_row: object) -> dict[str, object]:
    if isinstance(indicator_row, pd.DataFrame):
        if len(indicator_row) != 1:
            raise InputError(
                f"A reference sheet is for one indicator, but {len(indicator_row)} rows were given",
                todo="Pass one row of the catalogue, for example cat.iloc[0]",
            )
        indicator_row = indicator_row.iloc[0]
    if isinstance(indicator_row, pd.Series):
        return indicator_row.to_dict()
    if isinstance(indicator_row, Mapping):
        return dict(indicator_row)
    raise InputError(
        "A reference sheet needs one row of the indicator catalogue",
        todo="Pass one row of the catalogue, for example cat.iloc[0]",
    )


def _sheet_values(row: dict[str, object]) -> dict[str, str]:
    for key in ("indicator_id", "name", "definition"):
        if not _text(row, key):
            raise InputError(
                f"The indicator has no {key.replace('_', ' ')}",
                where=f"indicator {_text(row, 'indicator_id') or '(no code)'}",
                todo="Fill in the code, name and definition before writing the sheet",
            )
    values = {key: _text(row, key) for key, _ in _SHEET_FIELDS}
    values["data_elements"] = ", ".join(
        e.strip() for e in values["data_elements"].split(";") if e.strip()
    )
    values["target"] = _target_text(row)
    values["interpretation"] = _interpretation(row)
    return {k: (v or "Not stated") for k, v in values.items()}


def reference_sheet(indicator_row: pd.Series | Mapping[str, object]) -> str:
    """Markdown indicator reference sheet for one catalogue row.

    Follows the usual fields of an indicator reference sheet (as in the WHO *100 Core
    Health Indicators* metadata, 2018, and MEASURE Evaluation's performance indicator
    reference sheets): definition, numerator, denominator, data elements, source,
    frequency, level, disaggregation, target, interpretation and reference.
    """
    row = _as_mapping(indicator_row)
    values = _sheet_values(row)
    lines = [f"### {_text(row, 'name')} (`{_text(row, 'indicator_id')}`)", ""]
    for key, label in _SHEET_FIELDS:
        lines.append(f"- **{label}:** {values[key]}")
    return "\n".join(lines) + "\n"


def reference_sheets_frame(
    selection: pd.DataFrame | Iterable[str], catalogue: pd.DataFrame
) -> pd.DataFrame:
    """Reference sheets of a selection as a table (one row per indicator) for Excel.

    Columns have plain-word headings ("Code", "Name", then the fields of
    :func:`reference_sheet`); rows follow the order of ``selection``.
    """
    _require_columns(catalogue, [ID, "name", "definition"], "catalogue")
    ids = _selected_ids(selection, catalogue)
    rows = _rows(ids, catalogue)
    records = []
    for row in rows.to_dict("records"):  # one sheet per selected indicator (a short list)
        values = _sheet_values(row)
        record = {"Code": row[ID], "Name": row["name"]}
        record.update({label: values[key] for key, label in _SHEET_FIELDS})
        records.append(record)
    return pd.DataFrame(records, columns=["Code", "Name"] + [lab for _, lab in _SHEET_FIELDS])


# --------------------------------------------------------------------------- user lists
#: Columns an uploaded indicator list must have (the rest of the catalogue's columns
#: are optional and filled with empty values).
REQUIRED_LIST_COLUMNS: tuple[str, ...] = (
    ID,
    "name",
    "data_elements",
    "data_source",
    "frequency",
    "results_chain",
)

_OPTIONAL_DEFAULTS: dict[str, object] = {
    "definition": "",
    "numerator": "",
    "denominator": "",
    "level": "district",
    "framework_domain": "performance",
    "dimension": "",
    "higher_is_better": True,
    "unit": "",
    "typical_target": np.nan,
    "target_source": "",
    "disaggregation": "",
    "reference": "",
}


def validate_indicator_list(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a user's own indicator list and return it in catalogue form (a new table).

    The list needs the columns of :data:`REQUIRED_LIST_COLUMNS`; the other columns of
    :func:`phcpm.catalogue.catalogue` are added when missing (level ``district``,
    domain ``performance``, higher is better, no target). Column names are matched
    without regard to case or surrounding spaces. Codes must be filled and unique;
    ``frequency`` and ``results_chain`` must use the catalogue's values, because the
    burden and balance calculations depend on them. An empty ``definition`` is
    replaced by the name, so reference sheets can still be written.
    """
    from phcpm.catalogue import COLUMNS, FREQUENCIES

    if not isinstance(frame, pd.DataFrame):
        raise InputError("The indicator list must be a table", todo="Upload a CSV or Excel file")
    renamed = frame.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in REQUIRED_LIST_COLUMNS if c not in renamed.columns]
    if missing:
        raise InputError(
            f"The indicator list has no column named {', '.join(repr(m) for m in missing)}",
            where="the first row (the column headings) of your file",
            todo="Add these columns, spelt as in the catalogue download; "
            f"the list needs at least {', '.join(REQUIRED_LIST_COLUMNS)}",
        )
    out = pd.DataFrame(index=range(len(renamed)))
    for col in COLUMNS:
        if col in renamed.columns:
            out[col] = renamed[col].to_numpy()
        else:
            out[col] = _OPTIONAL_DEFAULTS[col]
    if out.empty:
        raise InputError("The indicator list has no rows", todo="Add one row per indicator")
    text_cols = [c for c in COLUMNS if c not in ("higher_is_better", "typical_target")]
    for col in text_cols:
        out[col] = out[col].astype("object").where(out[col].notna(), "").astype(str).str.strip()
    for col in ("frequency", "results_chain", "level", "framework_domain", "dimension"):
        out[col] = out[col].str.lower()
    blank = out[ID] == ""
    if blank.any():
        raise InputError(
            "Some rows have no indicator code",
            where=f"row {int(np.flatnonzero(blank.to_numpy())[0]) + 2} of your file",
            todo="Give every indicator a short code in the indicator_id column",
        )
    dup = out[ID].duplicated()
    if dup.any():
        raise InputError(
            f"The code {out.loc[dup, ID].iloc[0]} is used on more than one row",
            where="the indicator_id column",
            todo="Give each indicator its own code",
        )
    checks = (("frequency", FREQUENCIES), ("results_chain", RESULTS_CHAIN))
    for col, allowed in checks:
        bad = ~out[col].isin(allowed)
        if bad.any():
            first = out.loc[bad].iloc[0]
            raise InputError(
                f"Indicator {first[ID]} has {col} '{first[col]}', which is not a known value",
                where=f"the {col} column",
                todo=f"Use one of: {', '.join(allowed)}",
            )
    out["definition"] = out["definition"].where(out["definition"] != "", out["name"])
    hib = out["higher_is_better"].astype(str).str.strip().str.lower()
    out["higher_is_better"] = ~hib.isin(["false", "0", "no", "n"])
    out["typical_target"] = pd.to_numeric(out["typical_target"], errors="coerce").astype("float64")
    return out


# --------------------------------------------------------------------------- adjustments
_ADJUSTMENT_COLUMNS = (ID, "criterion", "rating", "reason")


def apply_adjustments(ratings: pd.DataFrame, adjustments: pd.DataFrame) -> pd.DataFrame:
    """Ratings with a team's changes applied (a new wide table; the inputs are unchanged).

    ``ratings`` is a wide table as from :func:`default_ratings`. ``adjustments`` has
    columns ``indicator_id``, ``criterion``, ``rating`` (1-5) and optionally
    ``reason``; each row replaces one rating. When the same indicator and criterion
    appear twice, the later row wins, as when a team changes its mind. Writing the
    reason next to each change keeps the selection transparent (UK DCLG,
    *Multi-criteria analysis: a manual*, 2009, ch. 5: record the basis of each score).
    """
    _require_columns(ratings, [ID], "ratings table")
    out = ratings.copy()
    if adjustments is None or len(adjustments) == 0:
        return out
    _require_columns(adjustments, [ID, "criterion", "rating"], "adjustments table")
    adj = adjustments.drop_duplicates([ID, "criterion"], keep="last")
    unknown_ids = sorted(set(adj[ID]) - set(out[ID]))
    if unknown_ids:
        raise InputError(
            f"These indicators are adjusted but have no ratings: {', '.join(unknown_ids)}",
            where="the adjustments table",
            todo="Adjust only indicators that are in the candidate list",
        )
    known = _criterion_codes()
    unknown_c = sorted(set(adj["criterion"]) - set(known))
    if unknown_c:
        raise InputError(
            f"Unknown criteria in the adjustments: {', '.join(unknown_c)}",
            where="the adjustments table",
            todo=f"Use only these criteria: {', '.join(known)}",
        )
    values = pd.to_numeric(adj["rating"], errors="coerce")
    bad = values.isna() | (values < 1) | (values > 5) | (values % 1 != 0)
    if bad.any():
        first = adj.loc[bad].iloc[0]
        raise InputError(
            f"The new rating {first['rating']!r} for {first[ID]} ('{first['criterion']}') "
            "is not a whole number from 1 to 5",
            where="the adjustments table",
            todo="Use 1 (poor) to 5 (excellent)",
        )
    wide = pd.DataFrame({ID: adj[ID].to_numpy(), "criterion": adj["criterion"].to_numpy()})
    wide["rating"] = values.astype(int).to_numpy()
    table = wide.pivot(index=ID, columns="criterion", values="rating")
    for crit in table.columns:
        if crit not in out.columns:
            out[crit] = 3
        new = out[ID].map(table[crit])
        out[crit] = new.where(new.notna(), out[crit]).astype(int)
    return out


# --------------------------------------------------------------------------- worked example
_WORKED_ADJUSTMENTS: tuple[tuple[str, str, int, str], ...] = (
    ("ANC4_COV", "relevant", 5, "Four antenatal visits is a national target for 2025."),
    ("SBA_COV", "relevant", 5, "Skilled birth attendance is a national target for 2025."),
    ("PENTA3_COV", "relevant", 5, "Penta 3 coverage is the district's main immunisation target."),
    (
        "PENTA_DROPOUT",
        "relevant",
        5,
        "Children who start and do not finish their vaccines are the district's biggest gap.",
    ),
    ("MAL_TEST_RATE", "relevant", 5, "Malaria peaks every rainy season; testing guides treatment."),
    (
        "ACT_NO_STOCKOUT",
        "relevant",
        5,
        "Stock-outs of malaria medicines are frequent in Kavira District.",
    ),
    (
        "REPORT_COMPLETE",
        "relevant",
        5,
        "Completeness is only 80-95 %: every other indicator depends on it.",
    ),
    (
        "SUPERVISION_DONE",
        "relevant",
        5,
        "Supervision visits are often not done in Lusako District.",
    ),
    ("ANC1_12W", "relevant", 4, "Early first visits are needed to act on risks in pregnancy."),
    ("HTN_CONTROL", "relevant", 4, "Hypertension clinics started in every health centre."),
    ("AMOX_NO_STOCKOUT", "relevant", 4, "Amoxicillin is the tracer medicine for child pneumonia."),
    ("PNEU_AMOX", "relevant", 4, "Pneumonia is a leading cause of death in young children."),
    (
        "ANC1_COV",
        "relevant",
        2,
        "Almost every pregnant woman makes a first visit: little to learn.",
    ),
    ("BCG_COV", "relevant", 2, "BCG is given at birth: delivery indicators already show it."),
    ("PENTA1_COV", "relevant", 2, "The dropout rate already uses Penta 1."),
    ("FAC_DELIV_COV", "relevant", 2, "Skilled birth attendance says more about safe delivery."),
    (
        "OPD_PER_CLINICIAN",
        "data_available",
        2,
        "Clinician full-time equivalents are not in the monthly report.",
    ),
)


def worked_example(catalogue: pd.DataFrame | None = None) -> dict[str, object]:
    """The inputs of the worked selection in the book, in one place.

    The Module 1 lesson "A worked selection" and the Indicator Selector app's
    "Load the worked example" button both read these inputs, so they always give the
    same shortlist. The district team of the synthetic Republic of Sendara chooses
    12 indicators for its quarterly performance review.

    Returns a dict with:

    ``current``
        Codes of the district's current review list: every catalogue indicator that
        the monthly HMIS report produces (data source ``HMIS routine``).
    ``adjustments``
        The team's changes to :func:`default_ratings` (``indicator_id``,
        ``criterion``, ``rating``, ``reason``), for :func:`apply_adjustments`.
    ``weights``
        Criterion weights for :func:`score` (criteria left out weigh 0).
    ``k``, ``must_include``, ``exclude``
        Arguments of :func:`shortlist`.
    ``facilities``
        Number of reporting facilities in ``datasets/org_units.csv`` (level 4).
    ``minutes_per_value``
        Staff minutes to count, check and report one value (the team's estimate
        from timing a records clerk; an assumption, not a published figure).
    """
    from phcpm.catalogue import catalogue as _catalogue
    from phcpm.paths import dataset_path

    cat = _catalogue() if catalogue is None else catalogue
    _require_columns(cat, [ID, "data_source"], "catalogue")
    org = pd.read_csv(dataset_path("org_units.csv"), usecols=["level"])
    return {
        "current": cat.loc[cat["data_source"] == "HMIS routine", ID].tolist(),
        "adjustments": pd.DataFrame(list(_WORKED_ADJUSTMENTS), columns=list(_ADJUSTMENT_COLUMNS)),
        "weights": {
            "relevant": 3.0,
            "actionable": 3.0,
            "data_available": 2.0,
            "sensitive": 2.0,
            "low_burden": 2.0,
            "accepted": 1.0,
            "equity": 1.0,
            "credible": 1.0,
            "robust": 1.0,
        },
        "k": 12,
        "must_include": ["SUPERVISION_DONE"],
        "exclude": ["MAL_TREAT_CONF"],
        "facilities": int((org["level"] == 4).sum()),
        "minutes_per_value": 2.0,
    }


def worked_example_shortlist(catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """The shortlist of :func:`worked_example`: default ratings, adjustments, score, shortlist."""
    from phcpm.catalogue import catalogue as _catalogue

    cat = _catalogue() if catalogue is None else catalogue
    ex = worked_example(cat)
    ratings = apply_adjustments(default_ratings(cat), ex["adjustments"])
    scored = score(cat, ratings, ex["weights"])
    return shortlist(scored, ex["k"], must_include=ex["must_include"], exclude=ex["exclude"])


def filter_catalogue(
    catalogue: pd.DataFrame, filters: Mapping[str, object] | None = None, text: str = ""
) -> pd.DataFrame:
    """The indicators of ``catalogue`` that match every filter and contain ``text``.

    ``filters`` maps a column name to the value wanted; values are compared as
    text, and ``None`` or an empty text means "any value". ``text`` is looked for,
    ignoring upper and lower case, as a plain piece of text (not a pattern) in the
    indicator code, the name and the definition. These are the candidates the
    Indicator Selector scores (a convention of this toolkit, not a published
    method). Returns a new DataFrame numbered from 0; the catalogue is not changed.
    """
    _require_columns(catalogue, [], "catalogue")
    keep = np.ones(len(catalogue), dtype=bool)
    for column, wanted in (filters or {}).items():
        if wanted is None or str(wanted) == "":
            continue
        _require_columns(catalogue, [column], "catalogue")
        keep &= (catalogue[column].astype("string").fillna("") == str(wanted)).to_numpy(bool)
    words = str(text or "").strip()
    if words:
        fields = [c for c in (ID, "name", "definition") if c in catalogue.columns]
        if not fields:
            _require_columns(catalogue, [ID, "name"], "catalogue")
        hay = catalogue[fields[0]].astype("string").fillna("")
        for column in fields[1:]:
            hay = hay + " " + catalogue[column].astype("string").fillna("")
        keep &= hay.str.contains(words, case=False, regex=False).fillna(False).to_numpy(bool)
    return catalogue.loc[keep].reset_index(drop=True)
