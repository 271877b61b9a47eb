"""What the twinning planner shows: scores by year, a summary of the pairs, the pairs sheet.

The pairing itself is :func:`phcpm.twinning.propose_pairs`; this module prepares
the scores a tool reads from a file, picks one year, and turns the proposed
pairs into the counts and the table a manager reads or downloads. Nothing is
changed in place.

>>> scores = pd.DataFrame({"district": ["A", "A"], "domain": ["x", "y"],
...                        "score": [60, 70], "Year ": ["2024", "2025"]})
>>> prepared = prepare_scores(scores)
>>> list(prepared.columns), score_years(prepared)
(['district', 'domain', 'score', 'year'], [2024, 2025])
>>> scores_of_year(prepared, 2025)["domain"].tolist()
['y']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from phcpm.errors import InputError

__all__ = [
    "PAIR_HEADINGS",
    "pairs_sheet",
    "pairs_shown",
    "pairs_summary",
    "prepare_scores",
    "score_years",
    "scores_of_year",
]

#: The columns of :func:`phcpm.twinning.propose_pairs` a manager reads, with their headings.
PAIR_HEADINGS = {
    "district_a": "District A",
    "district_b": "District B",
    "a_supports_b_in": "A supports B in",
    "b_supports_a_in": "B supports A in",
    "total_gap": "Total gap (points)",
    "reason": "Why this pair",
}


def prepare_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Scores read from a file: headings trimmed and in lower case, years as whole numbers.

    A year that is not a number raises :class:`InputError`. The scores
    themselves are checked by :func:`phcpm.twinning.score_table`.
    """
    out = scores.copy()
    out.columns = [str(c).strip().lower() for c in out.columns]
    if "year" in out.columns:
        years = pd.to_numeric(out["year"], errors="coerce")
        if years.isna().any():
            bad = out["year"][years.isna().to_numpy()].astype(str).unique()[:3]
            raise InputError(
                "Some years are not numbers",
                where="column 'year': " + ", ".join(repr(v) for v in bad),
                todo="Write years as numbers, for example 2025",
            )
        if (years != years.round()).any():
            raise InputError(
                "Some years are not whole numbers",
                where="column 'year'",
                todo="Write years as whole numbers, for example 2025",
            )
        out["year"] = years.astype("int64")
    return out


def score_years(scores: pd.DataFrame) -> list[int]:
    """The years in the scores, oldest first (none when there is no ``year`` column)."""
    if "year" not in scores.columns:
        return []
    return sorted(int(y) for y in scores["year"].unique())


def scores_of_year(scores: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """The scores of one year, without the ``year`` column (all scores when there
    is no such column or no year is given)."""
    if "year" not in scores.columns or year is None:
        return scores
    return scores[scores["year"] == year].drop(columns="year")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def pairs_summary(pairs: pd.DataFrame, scores: pd.DataFrame, alone: pd.DataFrame) -> dict[str, Any]:
    """The counts above the pairs, as words: ``pairs`` ("2 pairs"), ``districts``
    ("4 districts"), ``both_ways`` (pairs with support both ways, a number) and
    ``without_partner`` ("1 district").

    >>> pairs = pd.DataFrame({"reciprocal": [True, False]})
    >>> scores = pd.DataFrame({"district": ["A", "B", "C", "D"]})
    >>> pairs_summary(pairs, scores, pd.DataFrame({"district": ["D"]}))
    {'pairs': '2 pairs', 'districts': '4 districts', 'both_ways': 1, 'without_partner': '1 district'}
    """
    both = int(pairs["reciprocal"].sum()) if len(pairs) else 0
    return {
        "pairs": _count(len(pairs), "pair"),
        "districts": _count(int(scores["district"].nunique()), "district"),
        "both_ways": both,
        "without_partner": _count(len(alone), "district"),
    }


def pairs_shown(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs as a manager reads them: the columns of :data:`PAIR_HEADINGS`, renamed."""
    return pairs[list(PAIR_HEADINGS)].rename(columns=PAIR_HEADINGS)


def pairs_sheet(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs for the Excel download: :func:`pairs_shown`, with whether support
    runs both ways (Yes/No) and the gaps domain by domain."""
    return pairs_shown(pairs).assign(
        **{
            "Support both ways": pairs["reciprocal"].map({True: "Yes", False: "No"}),
            "Gaps in detail": pairs["gap_details"],
        }
    )
