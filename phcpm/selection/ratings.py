"""Starting ratings of every indicator, and the team's changes to them.

:func:`default_ratings` rates every catalogue indicator from 1 to 5 on every
criterion with simple rules (:data:`DEFAULT_RATING_RULES`) that use only the
catalogue's columns; :func:`apply_adjustments` applies the changes a team makes,
with the reason for each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.selection.common import ID, _criterion_codes, _require_table

__all__ = ["ADJUSTMENT_COLUMNS", "DEFAULT_RATING_RULES", "apply_adjustments", "default_ratings"]

#: Columns of a table of changes to the ratings (``reason`` is optional).
ADJUSTMENT_COLUMNS: tuple[str, ...] = (ID, "criterion", "rating", "reason")

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
    Example: four antenatal visits come monthly from the HMIS at facility level.

    >>> from phcpm.catalogue import catalogue
    >>> rated = default_ratings(catalogue()).set_index("indicator_id")
    >>> rated.loc["ANC4_COV", ["data_available", "sensitive", "actionable"]].tolist()
    [5, 5, 5]
    """
    _require_table(
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


def apply_adjustments(ratings: pd.DataFrame, adjustments: pd.DataFrame) -> pd.DataFrame:
    """Ratings with a team's changes applied (a new wide table; the inputs are unchanged).

    ``ratings`` is a wide table as from :func:`default_ratings`. ``adjustments`` has
    columns ``indicator_id``, ``criterion``, ``rating`` (1-5) and optionally
    ``reason``; each row replaces one rating. When the same indicator and criterion
    appear twice, the later row wins, as when a team changes its mind. Writing the
    reason next to each change keeps the selection transparent (UK DCLG,
    *Multi-criteria analysis: a manual*, 2009, ch. 5: record the basis of each score).
    Example: the team rates the relevance of ``A`` 5 instead of 3.

    >>> ratings = pd.DataFrame({"indicator_id": ["A", "B"], "relevant": [3, 3]})
    >>> change = pd.DataFrame(
    ...     {"indicator_id": ["A"], "criterion": ["relevant"], "rating": [5], "reason": ["target"]}
    ... )
    >>> apply_adjustments(ratings, change)["relevant"].tolist()
    [5, 3]
    """
    _require_table(ratings, [ID], "ratings table")
    out = ratings.copy()
    if adjustments is None or len(adjustments) == 0:
        return out
    _require_table(adjustments, [ID, "criterion", "rating"], "adjustments table")
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
