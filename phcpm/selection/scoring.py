"""Scoring candidate indicators against weighted criteria, and keeping the best.

:func:`score` combines each indicator's ratings (1 to 5 per criterion) with the
team's weights into one score from 0 to 100; :func:`shortlist` keeps the best
ranked, with the indicators the team must include or wants left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.selection.common import ID, _criterion_codes, _require_table

__all__ = ["score", "shortlist"]


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
    _require_table(frame, [ID], "ratings table")
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
    Example: two indicators, two criteria of equal weight. ``A`` has mean rating
    (5 + 3) / 2 = 4, so (4 - 1) / 4 * 100 = 75; ``B`` (1 + 5) / 2 = 3, so 50.

    >>> ratings = pd.DataFrame(
    ...     {"indicator_id": ["A", "B"], "data_available": [5, 1], "sensitive": [3, 5]}
    ... )
    >>> scored = score(["A", "B"], ratings, {"data_available": 1, "sensitive": 1})
    >>> scored[["indicator_id", "score", "rank"]].values.tolist()
    [['A', 75.0, 1], ['B', 50.0, 2]]
    """
    known = _criterion_codes()
    if isinstance(candidates, pd.DataFrame):
        _require_table(candidates, [ID], "candidate table")
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
    # Row by row, element-wise (not a matrix product, whose rounding can differ
    # between rows): equal ratings give exactly equal scores, so ties are
    # broken by the indicator ID as documented.
    mean = (values.to_numpy() * norm.to_numpy()).sum(axis=1)
    out = base.copy()
    for c in used:
        out[c] = values[c].to_numpy()
    # The weighted mean lies between 1 and 5; rounding must not take it outside.
    out["score"] = np.clip((mean - 1.0) / 4.0 * 100.0, 0.0, 100.0)
    out = out.sort_values(["score", ID], ascending=[False, True], kind="mergesort")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


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
    Example: one place, taken by the indicator that must be included.

    >>> scored = pd.DataFrame({"indicator_id": ["A", "B"], "score": [75.0, 50.0], "rank": [1, 2]})
    >>> shortlist(scored, 1, must_include=["B"])[["indicator_id", "reason"]].values.tolist()
    [['B', 'must include']]
    """
    _require_table(scored, [ID, "score", "rank"], "scored table")
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
