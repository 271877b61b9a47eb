"""Summaries of a scorecard by indicator and by org unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.scorecard.checks import _require
from phcpm.scorecard.definitions import CARD_BANDS
from phcpm.style import BANDS

__all__ = ["check_card", "summary_by_indicator", "summary_by_org_unit"]


def check_card(card: pd.DataFrame) -> None:
    """Raise :class:`~phcpm.errors.InputError` unless ``card`` is a scorecard table
    (from :func:`phcpm.scorecard.scorecard`) with the columns summaries and files need."""
    _require(
        card,
        ["org_unit", "indicator", "value", "band", "on_target", "applicable", "rank"],
        "the scorecard",
    )


def _counts(card: pd.DataFrame, by: str) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """Counts and sums per value of ``by`` (first-appearance order), with numpy bincount."""
    codes, groups = pd.factorize(card[by].to_numpy(dtype=object))
    n = len(groups)
    applicable = card["applicable"].to_numpy(dtype=bool)
    values = card["value"].to_numpy(dtype=float)
    with_data = applicable & ~np.isnan(values)
    on_target = card["on_target"].fillna(False).to_numpy(dtype=bool)
    rated = card["rated"].to_numpy(dtype=bool) if "rated" in card else np.ones(len(card), bool)
    out = {
        "applicable": np.bincount(codes, applicable, n).astype(int),
        "rated": np.bincount(codes, applicable & rated, n).astype(int),
        "with_data": np.bincount(codes, with_data, n).astype(int),
        "on_target": np.bincount(codes, on_target & applicable, n).astype(int),
        "total": np.bincount(codes, np.where(with_data, values, 0.0), n),
    }
    k = len(CARD_BANDS)
    band_codes = pd.Index(list(CARD_BANDS)).get_indexer(card["band"].to_numpy(dtype=object))
    per_band = np.bincount(codes * k + band_codes, minlength=n * k)
    for j, name in enumerate(CARD_BANDS):
        out[name] = per_band.reshape(n, k)[:, j]
    return pd.Index(groups), out


def _first_of(card: pd.DataFrame, by: str, column: str, groups: pd.Index, default=None):
    if column not in card:
        return groups.to_numpy(dtype=object) if default is None else np.full(len(groups), default)
    first = ~pd.Series(card[by].to_numpy(dtype=object)).duplicated().to_numpy()
    return card[column].to_numpy()[first]


def summary_by_indicator(card: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: the average across org units and the share on target.

    Columns: ``indicator``, ``indicator_name``, ``applicable`` (org units the
    indicator applies to), ``with_data``, ``average`` (plain mean of the org
    units' values, each org unit counting once; this is not the district value,
    which :func:`aggregate_to_level` gives), ``on_target`` (count),
    ``share_on_target`` (per cent of org units with data that are on target;
    empty for an indicator without a target), and one count column per band
    (``good``, ``fair``, ``poor``, ``no_data``, ``not_applicable``, and
    ``no_target`` when the card has an indicator without band boundaries).

    >>> import pandas as pd
    >>> from phcpm.scorecard import scorecard
    >>> defs = pd.DataFrame({"indicator": ["PENTA3"], "higher_is_better": [True],
    ...                      "target": [80.0], "thresholds": [(80, 50)]})
    >>> data = pd.DataFrame({"org_unit": ["A", "B"], "indicator": "PENTA3",
    ...                      "period": pd.PeriodIndex(["2025-03"] * 2, freq="M"),
    ...                      "value": [82.0, 55.0]})
    >>> summary_by_indicator(scorecard(data, defs, "2025-03"))[
    ...     ["average", "on_target", "share_on_target"]].values.tolist()
    [[68.5, 1.0, 50.0]]
    """
    check_card(card)
    groups, c = _counts(card, "indicator")
    with_data = c["with_data"]
    safe = np.where(with_data > 0, with_data, 1)
    out = pd.DataFrame(
        {
            "indicator": groups.to_numpy(dtype=object),
            "indicator_name": _first_of(card, "indicator", "indicator_name", groups),
            "applicable": c["applicable"],
            "with_data": with_data,
            "average": np.where(with_data > 0, c["total"] / safe, np.nan),
            "on_target": c["on_target"],
            "share_on_target": np.where(
                (with_data > 0) & (c["rated"] > 0), 100.0 * c["on_target"] / safe, np.nan
            ),
        }
    )
    for name in BANDS:
        out[name] = c[name]
    if c["no_target"].any():
        out["no_target"] = c["no_target"]
    return out


def summary_by_org_unit(card: pd.DataFrame) -> pd.DataFrame:
    """Per org unit: how many indicators are on target out of those that apply.

    Columns ``org_unit``, ``org_unit_name``, ``applicable``, ``with_data``,
    ``on_target``, ``rated`` (applicable indicators that have a target) and
    ``text`` ("3 of 5 on target", out of the rated ones). Indicators with no
    data count as applicable and not on target; indicators without a target
    are not counted.
    """
    check_card(card)
    groups, c = _counts(card, "org_unit")
    out = pd.DataFrame(
        {
            "org_unit": groups.to_numpy(dtype=object),
            "org_unit_name": _first_of(card, "org_unit", "org_unit_name", groups),
            "applicable": c["applicable"],
            "with_data": c["with_data"],
            "on_target": c["on_target"],
            "rated": c["rated"],
        }
    )
    out["text"] = out["on_target"].astype(str) + " of " + out["rated"].astype(str) + " on target"
    return out
