"""Placing values in performance bands (good, fair, poor, no data, not applicable)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.scorecard.checks import _check_known_indicators, _numeric, _require
from phcpm.scorecard.definitions import CARD_BANDS, FLAT_TOLERANCE, _Definitions, _definitions
from phcpm.scorecard.hierarchy import _org_table

__all__ = ["band"]


def _not_applicable_mask(
    frame: pd.DataFrame, not_applicable, org_units: pd.DataFrame | None
) -> np.ndarray:
    """True where the indicator does not apply to the org unit."""
    mask = np.zeros(len(frame), dtype=bool)
    if "not_applicable" in frame.columns:
        mask |= frame["not_applicable"].fillna(False).astype(bool).to_numpy()
    if not_applicable is None:
        return mask
    ou = frame["org_unit"].astype(str)
    ind = frame["indicator"].astype(str)
    if isinstance(not_applicable, Mapping):
        if org_units is None:
            raise InputError(
                "A 'not applicable' rule by facility type needs the org unit table",
                todo="Pass org_units (with a facility_type column) as well",
            )
        table = _org_table(org_units)
        _require(table, ["facility_type"], "the org unit table")
        ftype = ou.map(dict(zip(table["org_unit"], table["facility_type"], strict=True)))
        for indicator, types in not_applicable.items():  # one pass per indicator
            types = [types] if isinstance(types, str) else list(types)
            mask |= ((ind == str(indicator)) & ftype.isin(types)).to_numpy()
        return mask
    if isinstance(not_applicable, pd.DataFrame):
        _require(not_applicable, ["org_unit", "indicator"], "the not-applicable list")
        pairs = pd.MultiIndex.from_arrays(
            [
                not_applicable["org_unit"].astype(str).to_numpy(),
                not_applicable["indicator"].astype(str).to_numpy(),
            ]
        )
    else:
        try:
            items = [(str(o), str(i)) for o, i in not_applicable]
        except (TypeError, ValueError):
            raise InputError(
                "The 'not applicable' list cannot be read",
                todo="Give (org unit, indicator) pairs, a table with org_unit and indicator "
                "columns, or a rule {indicator: [facility types]}",
            ) from None
        if not items:
            return mask
        pairs = pd.MultiIndex.from_tuples(items)
    keys = pd.MultiIndex.from_arrays([ou.to_numpy(), ind.to_numpy()])
    return mask | keys.isin(pairs)


def _band_arrays(
    indicators: pd.Series, values: np.ndarray, na: np.ndarray, defs: _Definitions
) -> tuple[np.ndarray, np.ndarray]:
    bands = np.full(len(values), "no_data", dtype=object)
    outside = np.zeros(len(values), dtype=bool)
    codes, uniques = pd.factorize(indicators.astype(str))
    has_value = ~np.isnan(values)
    for code, indicator in enumerate(uniques):  # one pass per indicator
        rows = (codes == code) & has_value
        if not rows.any():
            continue
        legend = defs.legends[indicator]
        if legend is None:
            bands[rows] = "no_target"
            continue
        idx, out = legend.classify(values[rows])
        bands[rows] = np.asarray(legend.bands, dtype=object)[idx]
        outside[rows] = out
    bands[na] = "not_applicable"
    outside[na] = False
    return bands, outside


def _add_symbols(frame: pd.DataFrame) -> None:
    symbols = {k: v["symbol"] for k, v in CARD_BANDS.items()}
    labels = {k: v["label"] for k, v in CARD_BANDS.items()}
    frame["symbol"] = frame["band"].map(symbols)
    frame["label"] = frame["band"].map(labels)


def band(
    values: pd.DataFrame,
    definitions: pd.DataFrame,
    not_applicable: pd.DataFrame | Iterable | None = None,
    org_units: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The performance band of each value, with its symbol and label.

    ``values`` holds ``indicator`` and ``value`` (and ``org_unit`` when
    ``not_applicable`` is given, or a boolean ``not_applicable`` column).
    Returns a copy with columns ``band`` (``good``, ``fair``, ``poor``,
    ``no_data``, ``not_applicable`` or, for an indicator without band
    boundaries, ``no_target``: the keys of :data:`CARD_BANDS`),
    ``symbol`` and ``label`` from ``CARD_BANDS``, and ``outside_legend`` (True when a
    value lies beyond the ranges of a legend and was put in the nearest one).

    Boundaries follow the conventions in the module docstring: cut-offs
    ``(good, fair)`` belong to the better band; legend ranges include their
    start and exclude their end (DHIS2 analytics, ``getLegendByValueFromLegendSet``),
    except that the top range also includes its end.

    >>> import pandas as pd
    >>> defs = pd.DataFrame({"indicator": ["PENTA3"], "higher_is_better": [True],
    ...                      "target": [80.0], "thresholds": [(80, 50)]})
    >>> values = pd.DataFrame({"indicator": "PENTA3", "value": [85.0, 50.0, 49.9]})
    >>> band(values, defs)["band"].tolist()
    ['good', 'fair', 'poor']
    """
    _require(values, ["indicator", "value"], "the table of values")
    defs = _definitions(definitions, FLAT_TOLERANCE)
    _check_known_indicators(values, defs)
    frame = values.copy()
    numbers = _numeric(frame, "value").to_numpy(dtype=float)
    if not_applicable is not None:
        _require(frame, ["org_unit"], "the table of values")
    na = _not_applicable_mask(frame, not_applicable, org_units)
    bands, outside = _band_arrays(frame["indicator"], numbers, na, defs)
    frame["band"] = bands
    _add_symbols(frame)
    frame["outside_legend"] = outside
    return frame
