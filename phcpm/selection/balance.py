"""Is a set of indicators balanced? Counts by domain, results chain, dimension, frequency.

:func:`balance` counts a selection by PHCPI Vital Signs domain, by level of the
results chain, by performance dimension and by frequency, and says in plain words
what is missing (:class:`BalanceResult`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from phcpm.catalogue import DIMENSIONS, DOMAINS, RESULTS_CHAIN
from phcpm.errors import InputError
from phcpm.selection.common import (
    _CATALOGUE_COLUMNS,
    EQUITY_STRATIFIERS,
    _require_table,
    _rows,
    _selected_ids,
)

__all__ = ["BalanceResult", "balance"]


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
    Example: two outcome indicators leave out process, quality and equity.

    >>> from phcpm.catalogue import catalogue
    >>> result = balance(["ANC4_COV", "PENTA3_COV"], catalogue())
    >>> result.balanced, len(result.warnings)
    (False, 4)
    >>> result.warnings[0][:24]
    'No process indicator: ad'
    """
    _require_table(catalogue, _CATALOGUE_COLUMNS, "catalogue")
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
