"""The scorecard of one period: values, bands, trends and ranks for every org unit."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.scorecard.bands import _band_arrays, _not_applicable_mask
from phcpm.scorecard.checks import (
    _as_period,
    _check_known_indicators,
    _numeric,
    _require,
    _resolve_compare,
    period_text,
)
from phcpm.scorecard.definitions import _EPS, ARROWS, CARD_BANDS, FLAT_TOLERANCE, _definitions
from phcpm.scorecard.hierarchy import _aggregate, _level_number, _org_table

__all__ = ["scorecard"]


def scorecard(
    data: pd.DataFrame,
    definitions: pd.DataFrame,
    period: pd.Period | str,
    level: int | str | None = None,
    org_units: pd.DataFrame | None = None,
    compare: pd.Period | str | None = "previous",
    not_applicable: pd.DataFrame | Iterable | None = None,
    flat_tolerance: float = FLAT_TOLERANCE,
) -> pd.DataFrame:
    """The scorecard for one period as a long table: one row per org unit and indicator.

    Parameters
    ----------
    data, definitions:
        See the module docstring.
    period:
        The period to show (a :class:`pandas.Period` or text such as "2025-03").
    level:
        If given, first combine the data to this level of ``org_units`` with
        :func:`aggregate_to_level` (e.g. ``"district"`` or ``3``); every org unit
        at that level then gets a row, even one with no data at all.
    org_units:
        The org unit table; gives names (column ``name``), facility types for
        not-applicable rules and the hierarchy for ``level``.
    compare:
        ``"previous"`` (the period before), ``"year"`` (the same period a year
        earlier), a period, or ``None`` for no comparison.
    not_applicable:
        Org unit and indicator pairs the indicator does not apply to (see the
        module docstring).
    flat_tolerance:
        A change no bigger than this (in the indicator's unit, inclusive) counts
        as "flat"; the ``tolerance`` column of ``definitions`` overrides it per
        indicator. Default 1: one percentage point for a coverage, one day for
        stock-out days.

    Returns
    -------
    DataFrame with columns ``org_unit``, ``org_unit_name``, ``indicator``,
    ``indicator_name``, ``unit``, ``decimals``, ``higher_is_better``,
    ``period``, ``value``, ``target``, ``band``, ``symbol``, ``label``,
    ``outside_legend``, ``applicable``, ``on_target``, ``previous_period``,
    ``previous_value``, ``change``, ``trend`` (``up``/``down``/``flat``/``none``),
    ``arrow`` (↑ ↓ → or empty), ``direction`` (``better``/``worse``/``same``/
    ``none``, judged with ``higher_is_better``), ``rank`` and ``ranked_among``.

    Conventions: ``on_target`` is value >= target (higher is better) or
    value <= target (lower is better); without a target it is "band is good";
    it is False for no data and empty (NA) when not applicable. Bands, targets
    and ranks use the unrounded values: 49.96 % shows as "50 %" with no
    decimals but is below a boundary at 50. ``rank``
    orders the org units with a value for each indicator, 1 = best, ties share
    the lowest rank (pandas ``method="min"``: 1, 2, 2, 4); org units with no
    data or not applicable are not ranked. Summaries: :func:`summary_by_indicator`
    and :func:`summary_by_org_unit`.

    Example
    -------
    >>> import pandas as pd
    >>> defs = pd.DataFrame({"indicator": ["PENTA3"], "higher_is_better": [True],
    ...                      "target": [80.0], "thresholds": [(80, 50)], "unit": ["%"]})
    >>> data = pd.DataFrame({"org_unit": ["A", "B", "A", "B"], "indicator": "PENTA3",
    ...                      "period": pd.PeriodIndex(["2025-02"] * 2 + ["2025-03"] * 2, freq="M"),
    ...                      "value": [70.0, 60.0, 82.0, 55.0]})
    >>> card = scorecard(data, defs, "2025-03")
    >>> card[["org_unit", "band", "arrow", "rank"]].values.tolist()
    [['A', 'good', '↑', 1], ['B', 'fair', '↓', 2]]
    """
    _require(data, ["org_unit", "period", "indicator"], "the data")
    if "value" not in data.columns and not {"numerator", "denominator"} <= set(data.columns):
        raise InputError(
            "The data have no 'value' column (nor numerator and denominator)",
            where="the data",
            todo="Add a column 'value' with the indicator values",
        )
    defs = _definitions(definitions, flat_tolerance)
    if not isinstance(data["period"].dtype, pd.PeriodDtype) and not (
        pd.api.types.infer_dtype(data["period"], skipna=False) == "period"
        or all(isinstance(p, pd.Period) for p in pd.unique(data["period"]))  # mixed types
    ):
        raise InputError(
            "The column 'period' does not hold periods",
            where="column 'period' of the data",
            todo="Convert it first, for example with pandas .dt.to_period('M')",
        )
    indicators = _check_known_indicators(data, defs)
    period = _as_period(period, data["period"], "period")
    compare_period = _resolve_compare(compare, period, data["period"])

    wanted = [period] if compare_period is None else [period, compare_period]
    frame = data.loc[_period_mask(data["period"], wanted)]
    if not _period_mask(frame["period"], [period]).any():
        raise _period_missing(period, data["period"])
    frame = frame.assign(
        org_unit=frame["org_unit"].astype(str), indicator=frame["indicator"].astype(str)
    )
    dup = frame.duplicated(["org_unit", "period", "indicator"], keep=False)
    if dup.any():  # checked before any summing, so a repeated report is never added twice
        first = frame[dup].iloc[0]
        raise InputError(
            f"{int(dup.sum())} rows repeat the same org unit and indicator for "
            f"{period_text(first['period'])}",
            where=f"org unit '{first['org_unit']}', indicator '{first['indicator']}'",
            todo="Keep one value per org unit, indicator and period (remove duplicated reports)",
        )
    value = _numeric(frame, "value") if "value" in frame else pd.Series(np.nan, frame.index)
    if {"numerator", "denominator"} <= set(frame.columns):
        den = _numeric(frame, "denominator")
        rebuilt = _numeric(frame, "numerator") / den.where(den != 0)
        factor = frame["indicator"].map(
            dict(zip(defs.table["indicator"], defs.table["factor"], strict=True))
        )
        value = value.fillna(rebuilt * factor)
    frame = frame.assign(value=value)

    table = _org_table(org_units) if org_units is not None else None
    if level is not None:
        if table is None:
            raise InputError(
                "Showing a higher level needs the org unit table",
                todo="Pass org_units together with level",
            )
        lvl = _level_number(table, level)
        frame = _aggregate(frame, table, lvl, defs.table)
        units = table.loc[table["level"].astype(int) == lvl, "org_unit"].to_numpy()
    else:
        units = pd.unique(pd.Series(data["org_unit"].unique()).astype(str))

    # The grid: every org unit x every indicator, org unit by org unit.
    units = pd.Index(units, dtype=object)
    inds = pd.Index(indicators, dtype=object)
    n_u, n_i = len(units), len(inds)
    unit_pos = np.repeat(np.arange(n_u), n_i)
    ind_pos = np.tile(np.arange(n_i), n_u)
    values = _grid_values(frame, period, units, inds)
    prev = (
        _grid_values(frame, compare_period, units, inds)
        if compare_period is not None
        else np.full(n_u * n_i, np.nan)
    )
    meta = defs.table.set_index("indicator").loc[indicators]
    if table is not None:
        names = dict(zip(table["org_unit"], table["name"], strict=True))
        as_series = pd.Series(units.to_numpy(dtype=object))
        unit_names = as_series.map(names).fillna(as_series).to_numpy(dtype=object)
    else:
        unit_names = units.to_numpy(dtype=object)

    ou_col = units.to_numpy(dtype=object)[unit_pos]
    ind_col = inds.to_numpy(dtype=object)[ind_pos]
    na = _not_applicable_mask(
        pd.DataFrame({"org_unit": ou_col, "indicator": ind_col}), not_applicable, org_units
    )
    hib = meta["higher_is_better"].to_numpy(dtype=bool)[ind_pos]
    rated = meta["rated"].to_numpy(dtype=bool)[ind_pos]
    target = meta["target"].to_numpy(dtype=float)[ind_pos]
    tolerance = meta["tolerance"].to_numpy(dtype=float)[ind_pos]
    bands, outside = _band_arrays(pd.Series(ind_col), values, na, defs)
    band_pos = pd.Index(list(CARD_BANDS)).get_indexer(bands)

    has = ~np.isnan(values) & ~na
    meets = np.where(hib, values >= target - _EPS, values <= target + _EPS)
    meets = np.where(np.isnan(target), bands == "good", meets) & has
    # Without a target and a direction, "on target", "better" and ranks mean nothing.
    unknown = na | ~rated

    prev = np.where(na, np.nan, prev)
    change = values - prev
    known = ~np.isnan(change)
    scale = np.maximum(1.0, np.abs(np.nan_to_num(values)))
    flat = known & (np.abs(np.nan_to_num(change)) <= tolerance + _EPS * scale)
    up = known & ~flat & (change > 0)
    down = known & ~flat & (change < 0)
    trend = np.select([up, down, flat], ["up", "down", "flat"], "none")
    better = ((up & hib) | (down & ~hib)) & rated
    worse = ((down & hib) | (up & ~hib)) & rated

    # Ranks within each indicator (a column of the grid): 1 = best, ties share the lowest.
    ranked = has & rated
    key = np.where(ranked, np.where(hib, -values, values), np.nan).reshape(n_u, n_i)
    ranks = pd.DataFrame(key).rank(method="min").to_numpy().ravel()
    ranked_among = ranked.reshape(n_u, n_i).sum(axis=0)[ind_pos]

    symbols = np.array([b["symbol"] for b in CARD_BANDS.values()], dtype=object)
    labels = np.array([b["label"] for b in CARD_BANDS.values()], dtype=object)
    no_period = pd.Series([None] * (n_u * n_i), dtype=object)
    card = pd.DataFrame(
        {
            "org_unit": ou_col,
            "org_unit_name": unit_names[unit_pos],
            "indicator": ind_col,
            "indicator_name": meta["name"].to_numpy(dtype=object)[ind_pos],
            "unit": meta["unit"].to_numpy(dtype=object)[ind_pos],
            "decimals": meta["decimals"].to_numpy(dtype=int)[ind_pos],
            "higher_is_better": hib,
            "rated": rated,
            "period": _repeat_period(period, n_u * n_i),
            "value": values,
            "target": target,
            "band": bands,
            "symbol": symbols[band_pos],
            "label": labels[band_pos],
            "outside_legend": outside,
            "applicable": ~na,
            "on_target": pd.arrays.BooleanArray(meets & ~unknown, unknown.copy()),
            "previous_period": (
                _repeat_period(compare_period, n_u * n_i)
                if compare_period is not None
                else no_period
            ),
            "previous_value": prev,
            "change": change,
            "tolerance": tolerance,
            "trend": trend.astype(object),
            "arrow": np.select(
                [up, down, flat], [ARROWS["up"], ARROWS["down"], ARROWS["flat"]], ""
            ).astype(object),
            "direction": np.select(
                [better, worse, flat & rated], ["better", "worse", "same"], "none"
            ).astype(object),
            "rank": pd.arrays.IntegerArray(np.nan_to_num(ranks).astype("int64"), np.isnan(ranks)),
            "ranked_among": ranked_among.astype("int64"),
        }
    )
    return card


def _period_mask(periods: pd.Series, wanted: list[pd.Period]) -> np.ndarray:
    """Rows whose period is one of ``wanted`` (on the integer ordinals when possible)."""
    dtype = periods.dtype
    if isinstance(dtype, pd.PeriodDtype) and all(p.freq == dtype.freq for p in wanted):
        return np.isin(periods.array.asi8, [p.ordinal for p in wanted])
    return periods.isin(wanted).to_numpy()


def _grid_values(
    frame: pd.DataFrame, period: pd.Period, units: pd.Index, inds: pd.Index
) -> np.ndarray:
    """The values of one period laid out on the org unit x indicator grid (NaN if absent)."""
    rows = frame.loc[_period_mask(frame["period"], [period])]
    r = units.get_indexer(rows["org_unit"])
    c = inds.get_indexer(rows["indicator"])
    ok = (r >= 0) & (c >= 0)
    out = np.full(len(units) * len(inds), np.nan)
    out[r[ok] * len(inds) + c[ok]] = rows["value"].to_numpy(dtype=float)[ok]
    return out


def _repeat_period(period: pd.Period, n: int) -> pd.PeriodIndex:
    return pd.PeriodIndex([period]).repeat(n)


def _period_missing(period: pd.Period, periods: pd.Series) -> InputError:
    available = pd.Series(pd.unique(periods.dropna()))
    where = "the data"
    if len(available):
        ordered = available.sort_values()
        where = (
            f"the data run from {period_text(ordered.iloc[0])} to {period_text(ordered.iloc[-1])}"
        )
    return InputError(
        f"There are no values for {period_text(period)}",
        where=where,
        todo="Choose a period that is in the data",
    )
