"""The whole selection in one call: candidates, scores, shortlist, balance and burden.

:func:`select` runs the steps a district team goes through, in order, from one
set of choices, and returns every table they produce in a :class:`Selection`,
with notes about choices that could not be followed. The Indicator Selector
app calls it each time a choice changes and only shows what it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from phcpm.errors import InputError
from phcpm.selection.balance import BalanceResult, balance
from phcpm.selection.burden import compare_burden
from phcpm.selection.candidates import filter_catalogue
from phcpm.selection.common import ID
from phcpm.selection.ratings import apply_adjustments, default_ratings
from phcpm.selection.scoring import score, shortlist

__all__ = ["Selection", "select"]


@dataclass(frozen=True)
class Selection:
    """Everything :func:`select` produces from one set of choices.

    ``candidates`` are the catalogue rows that match the filters; ``ratings``
    the ratings used (rules plus the team's changes, every catalogue indicator);
    ``scored`` the output of :func:`phcpm.selection.scoring.score`;
    ``shortlist`` of :func:`phcpm.selection.scoring.shortlist`; ``balance`` of
    :func:`phcpm.selection.balance.balance`; ``burden`` of
    :func:`phcpm.selection.burden.compare_burden`. ``notes`` says, in plain
    words, which choices could not be followed (empty when all were).
    """

    candidates: pd.DataFrame
    ratings: pd.DataFrame
    scored: pd.DataFrame
    shortlist: pd.DataFrame
    balance: BalanceResult
    burden: pd.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)


def _codes(values: Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    return list(dict.fromkeys([values] if isinstance(values, str) else values))


def select(
    catalogue: pd.DataFrame,
    filters: Mapping[str, object] | None = None,
    text: str = "",
    adjustments: pd.DataFrame | None = None,
    weights: Mapping[str, float] | pd.Series | None = None,
    k: int = 12,
    must: Iterable[str] = (),
    exclude: Iterable[str] = (),
    current: Iterable[str] | None = None,
    facilities: int = 1,
    minutes: float = 1.0,
) -> Selection:
    """Candidates, scores, shortlist, balance and burden from one set of choices.

    The steps, each a function of :mod:`phcpm.selection`:

    1. the candidates are the ``catalogue`` rows that match ``filters`` and
       ``text`` (:func:`~phcpm.selection.candidates.filter_catalogue`);
    2. every indicator gets the rule-based ratings of
       :func:`~phcpm.selection.ratings.default_ratings`, changed by the team's
       ``adjustments`` (:func:`~phcpm.selection.ratings.apply_adjustments`);
    3. the candidates are scored with ``weights``, by the weighted sum of UK DCLG,
       *Multi-criteria analysis: a manual* (2009, ch. 6)
       (:func:`~phcpm.selection.scoring.score`), and the ``k`` best kept, with
       ``must`` and without ``exclude`` (:func:`~phcpm.selection.scoring.shortlist`).
       ``weights=None`` weighs every criterion 1;
    4. the balance of the shortlist is checked
       (:func:`~phcpm.selection.balance.balance`);
    5. the staff time of the ``current`` list and of the shortlist are compared
       for ``facilities`` reporting facilities at ``minutes`` per value
       (:func:`~phcpm.selection.burden.compare_burden`). With no current list,
       the shortlist is compared with itself.

    Codes in ``must`` or ``exclude`` that are not candidates are left out of the
    shortlist; those in ``must`` are named in ``notes``, since the user asked for
    them. Raises :class:`~phcpm.errors.InputError` when no indicator matches the
    filters or a choice cannot be used (for example, every weight is zero).

    Example: the three monthly malaria indicators score the same on data
    availability (ties are ranked by code); the one that must be included takes
    the second place, and a code that is not a candidate is named in the notes.

    >>> from phcpm.catalogue import catalogue
    >>> cat = catalogue()
    >>> result = select(
    ...     cat, {"frequency": "monthly"}, "malaria", weights={"data_available": 1}, k=2,
    ...     must=["MAL_TREAT_CONF", "ANC4_COV"], facilities=10, minutes=1.0,
    ... )
    >>> result.shortlist["indicator_id"].tolist()
    ['MAL_INCIDENCE', 'MAL_TREAT_CONF']
    >>> result.notes
    ('Not among the candidates (check the filters), so not included: ANC4_COV.',)
    """
    candidates = filter_catalogue(catalogue, filters, text)
    if candidates.empty:
        raise InputError(
            "No indicator matches the filters",
            where="the filters and the search word",
            todo="Set some filters back to 'All' or clear the search word",
        )
    ratings = apply_adjustments(default_ratings(catalogue), adjustments)
    if weights is None:
        weights = dict.fromkeys(ratings.columns.drop(ID), 1.0)
    scored = score(candidates, ratings, weights)
    in_candidates = set(candidates[ID])
    wanted = _codes(must)
    keep = [i for i in wanted if i in in_candidates]
    drop = [i for i in _codes(exclude) if i in in_candidates]
    notes = []
    missing = [i for i in wanted if i not in in_candidates]
    if missing:
        notes.append(
            f"Not among the candidates (check the filters), so not included: {', '.join(missing)}."
        )
    short = shortlist(scored, k, keep, drop)
    current_ids = _codes(current) or short[ID].tolist()
    return Selection(
        candidates=candidates,
        ratings=ratings,
        scored=scored,
        shortlist=short,
        balance=balance(short, catalogue),
        burden=compare_burden(
            current_ids, short, catalogue, facilities=facilities, minutes_per_value=minutes
        ),
        notes=tuple(notes),
    )
