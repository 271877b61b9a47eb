"""Performance scorecards: colour bands, trends, ranks and facility feedback.

A scorecard shows, for one reporting period, every org unit (rows) against a
handful of indicators (columns). Each cell carries a value, a performance band
(good / fair / poor, or "no data" / "not applicable"), the change since a
comparison period and the org unit's rank among its peers. The layout follows
the DHIS2 Scorecard app (HISP Tanzania) and the RMNCAH scorecards promoted by
the African Leaders Malaria Alliance (ALMA Scorecard for Accountability and Action).

Inputs
------
``data``: tidy indicator values, one row per ``org_unit``, ``period`` (a
:class:`pandas.Period`), ``indicator`` and ``value`` (float; NaN means no data).
Optional ``numerator`` and ``denominator`` columns let values be recomputed
correctly when org units are combined (see :func:`aggregate_to_level`).

``definitions``: one row per indicator with

* ``indicator`` - the code used in ``data``;
* ``name`` - the name people read (optional; the code is used if missing);
* ``higher_is_better`` - True for coverage, False for stock-out days or dropout;
* ``target`` - the number an org unit should reach (may be empty);
* ``thresholds`` - the band boundaries, in one of two forms (see below);
* optional ``unit`` ("%", "days"), ``decimals`` (digits shown, default 0),
  ``tolerance`` (the change treated as "no change", default ``flat_tolerance``),
  ``factor`` (100 for a percentage, used when values are rebuilt from numerators
  and denominators) and ``aggregation`` ("ratio", "mean" or "sum").

Two ways to write band boundaries
---------------------------------
1. **Two cut-offs** ``(good, fair)`` (or ``{"good": 80, "fair": 50}``, or
   separate ``good`` and ``fair`` columns). Both cut-offs belong to the better
   band: for a higher-is-better indicator, good if value >= good, fair if
   value >= fair, else poor; for a lower-is-better indicator, good if
   value <= good, fair if value <= fair, else poor. So with (80, 50) a coverage
   of exactly 80 % is good and exactly 50 % is fair; with (10, 20) exactly
   10 stock-out days is good and exactly 20 is fair.

2. **A legend**: a list of ``(start, end, band)`` ranges, as in a DHIS2 legend
   set. DHIS2 places a value in the legend whose start value is less than or
   equal to it and whose end value is greater than it: the start is inclusive
   and the end exclusive (``startValue <= value < endValue``; DHIS2 analytics
   library, ``src/modules/legends.js``, function ``getLegendByValueFromLegendSet``,
   HISP Centre, University of Oslo). This module follows that rule, with one
   documented difference: a value equal to the end of the highest range belongs
   to that range (so 100 % is coloured when the top range is 80-100, where DHIS2
   leaves it uncoloured). Ranges must follow one another without gaps or
   overlaps. The first start and the last end may be ``None`` (no limit).
   Values below the first range or above the last one are placed in the nearest
   range and flagged in the column ``outside_legend`` (a coverage above 100 %
   usually means the population estimate is too low, which is a data-quality
   question for the manager, not a reason to hide the value).

Note the two forms differ for lower-is-better indicators: the cut-off form puts
a value equal to the cut-off in the better band (value <= 10 is good), a legend
puts it in the range that starts there (10 is in the range 10-20).

Not applicable versus no data
-----------------------------
"No data" means the indicator applies to the org unit but no value was
reported. "Not applicable" means the indicator does not apply at all (for
example, deliveries at a health post that offers no delivery service). Not
applicable org units are left out of ranks, averages and on-target counts; org
units with no data are counted as applicable but not on target.

Give not-applicable pairs as a set of ``(org_unit, indicator)`` tuples, a
DataFrame with ``org_unit`` and ``indicator`` columns, or a rule by facility
type ``{"FAC_DELIVERY_RATE": ["health_post", "community_clinic"]}`` (this needs
the ``org_units`` table with a ``facility_type`` column).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.periods import parse_period_series
from phcpm.style import BANDS

__all__ = [
    "CARD_BANDS",
    "STANDARD_INDICATORS",
    "FeedbackSheet",
    "aggregate_to_level",
    "band",
    "default_definitions",
    "district_indicators",
    "feedback_sheet_data",
    "format_value",
    "indicator_values",
    "not_offered",
    "own_definitions",
    "period_text",
    "scorecard",
    "scorecard_wide",
    "summary_by_indicator",
    "summary_by_org_unit",
]

#: The three performance bands a value can fall in, best first.
PERFORMANCE_BANDS = ("good", "fair", "poor")

#: The bands of a scorecard cell: :data:`phcpm.style.BANDS` and "no target set",
#: for an indicator whose target and direction nobody has given (its cells are
#: not coloured: the tool asks for them instead of inventing them).
CARD_BANDS: dict[str, dict[str, str]] = {
    **BANDS,
    "no_target": {"colour": "#FFFFFF", "symbol": "○", "label": "No target set"},
}

#: Arrows shown for each trend.
ARROWS = {"up": "↑", "down": "↓", "flat": "→", "none": ""}

#: Default change (in the indicator's own unit) treated as "no change".
FLAT_TOLERANCE = 1.0

_EPS = 1e-9


# ---------------------------------------------------------------------------
# Definitions and legends
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Legend:
    """Band boundaries of one indicator, ready for :func:`numpy.searchsorted`."""

    breaks: np.ndarray
    bands: tuple[str, ...]
    side: str  # "right" for start-inclusive cut points, "left" for end-inclusive
    is_legend: bool
    low: float = -math.inf
    high: float = math.inf

    def classify(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Band index per value and whether the value lies outside the legend."""
        if self.is_legend:
            idx = np.searchsorted(self.breaks, values, side="right") - 1
            idx = np.clip(idx, 0, len(self.bands) - 1)
            outside = (values < self.low) | (values > self.high)
        else:
            idx = np.searchsorted(self.breaks, values, side=self.side)
            outside = np.zeros(len(values), dtype=bool)
        return idx, outside


def _number(value, indicator: str, what: str) -> float:
    if value is None or value is pd.NA:
        value = math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"The {what} of indicator '{indicator}' is not a number ({value!r})",
            where="the indicator definitions",
            todo="Write the boundary as a number, for example 80",
        ) from None
    if math.isnan(number):
        raise InputError(
            f"The {what} of indicator '{indicator}' is empty",
            where="the indicator definitions",
            todo="Fill in the band boundaries for every indicator",
        )
    return number


def _legend_from_ranges(ranges, indicator: str) -> _Legend:
    parsed = []
    for item in ranges:
        if isinstance(item, Mapping):
            start = item.get("start", item.get("startValue"))
            end = item.get("end", item.get("endValue"))
            name = item.get("band")
        else:
            try:
                start, end, name = item
            except (TypeError, ValueError):
                raise InputError(
                    f"A legend range of indicator '{indicator}' is not (start, end, band)",
                    where="the indicator definitions",
                    todo="Write each range as (start, end, band), for example (80, 100, 'good')",
                ) from None
        lo = -math.inf if start is None else _number(start, indicator, "legend start")
        hi = math.inf if end is None else _number(end, indicator, "legend end")
        if name not in PERFORMANCE_BANDS:
            raise InputError(
                f"The legend of indicator '{indicator}' uses the band {name!r}",
                where="the indicator definitions",
                todo="Name each range good, fair or poor",
            )
        if not lo < hi:
            raise InputError(
                f"A legend range of indicator '{indicator}' starts at {start} "
                f"and ends at {end}: the start must be smaller than the end",
                where="the indicator definitions",
                todo="Swap the two numbers or correct the range",
            )
        parsed.append((lo, hi, name))
    if not parsed:
        raise InputError(
            f"The legend of indicator '{indicator}' has no ranges",
            where="the indicator definitions",
            todo="Give at least one range (start, end, band)",
        )
    parsed.sort(key=lambda r: r[0])
    for (_, hi1, _), (lo2, _, _) in zip(parsed, parsed[1:], strict=False):
        if hi1 != lo2:
            problem = "overlap" if hi1 > lo2 else "leave a gap"
            raise InputError(
                f"The legend ranges of indicator '{indicator}' {problem} "
                f"between {_plain(hi1)} and {_plain(lo2)}",
                where="the indicator definitions",
                todo="Make each range end exactly where the next one starts",
            )
    return _Legend(
        breaks=np.array([r[0] for r in parsed]),
        bands=tuple(r[2] for r in parsed),
        side="right",
        is_legend=True,
        low=parsed[0][0],
        high=parsed[-1][1],
    )


def _plain(number: float) -> str:
    return f"{number:g}"


def _legend_from_cutoffs(good, fair, higher_is_better: bool, indicator: str) -> _Legend:
    good = _number(good, indicator, "'good' boundary")
    fair = _number(fair, indicator, "'fair' boundary")
    if higher_is_better:
        if good < fair:
            raise InputError(
                f"The thresholds of indicator '{indicator}' are not in order: "
                f"good from {_plain(good)} is below fair from {_plain(fair)}, "
                "but higher values are better",
                where="the indicator definitions",
                todo="For a higher-is-better indicator the 'good' boundary must be the larger one",
            )
        # value >= good -> good; value >= fair -> fair; else poor.
        return _Legend(np.array([fair, good]), ("poor", "fair", "good"), "right", False)
    if good > fair:
        raise InputError(
            f"The thresholds of indicator '{indicator}' are not in order: "
            f"good up to {_plain(good)} is above fair up to {_plain(fair)}, "
            "but lower values are better",
            where="the indicator definitions",
            todo="For a lower-is-better indicator the 'good' boundary must be the smaller one",
        )
    # value <= good -> good; value <= fair -> fair; else poor.
    return _Legend(np.array([good, fair]), ("good", "fair", "poor"), "left", False)


def _compile_legend(row: Mapping, indicator: str) -> _Legend | None:
    """The legend of one indicator, or None when it has no band boundaries at all
    (an unrated indicator: its cells show "no target set", never a colour)."""
    spec = row.get("thresholds")
    cutoffs = (
        "good" in row and "fair" in row and not (_missing(row["good"]) and _missing(row["fair"]))
    )
    if (spec is None or (isinstance(spec, float) and math.isnan(spec))) and not cutoffs:
        return None
    hib = row["higher_is_better"]
    if _missing(hib):
        raise InputError(
            f"Indicator '{indicator}' has band boundaries but no direction",
            where="the indicator definitions",
            todo="Say whether higher or lower values are better for it",
        )
    hib = bool(hib)
    if spec is None or (isinstance(spec, float) and math.isnan(spec)):
        return _legend_from_cutoffs(row["good"], row["fair"], hib, indicator)
    if isinstance(spec, Mapping):
        if "good" not in spec or "fair" not in spec:
            raise InputError(
                f"The thresholds of indicator '{indicator}' need a 'good' and a 'fair' boundary",
                where="the indicator definitions",
                todo="Write them as {'good': 80, 'fair': 50}",
            )
        return _legend_from_cutoffs(spec["good"], spec["fair"], hib, indicator)
    if isinstance(spec, str) or not isinstance(spec, Iterable):
        raise InputError(
            f"The thresholds of indicator '{indicator}' cannot be read ({spec!r})",
            where="the indicator definitions",
            todo="Give two numbers (good, fair) or a list of (start, end, band) ranges",
        )
    items = list(spec)
    if len(items) == 2 and all(
        isinstance(i, str) or not isinstance(i, (Iterable, Mapping)) for i in items
    ):
        return _legend_from_cutoffs(items[0], items[1], hib, indicator)
    return _legend_from_ranges(items, indicator)


@dataclass(frozen=True)
class _Definitions:
    table: pd.DataFrame  # one row per indicator, normalised columns
    legends: dict[str, _Legend | None] = field(default_factory=dict)


_DEFINITION_DEFAULTS = {
    "unit": "",
    "decimals": 0,
    "factor": 100.0,
    "aggregation": "",
}


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _or_default(value, default):
    return default if _missing(value) else value


def _target(value, indicator: str) -> float:
    if _missing(value):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"The target of indicator '{indicator}' is not a number ({value!r})",
            where="the indicator definitions",
            todo="Write the target as a number without the unit (80, not '80%'), or leave it empty",
        ) from None


def _definitions(definitions: pd.DataFrame, flat_tolerance: float) -> _Definitions:
    if not isinstance(definitions, pd.DataFrame):
        raise InputError(
            "The indicator definitions are not a table",
            todo="Give a table with one row per indicator",
        )
    missing = [c for c in ("indicator", "higher_is_better") if c not in definitions.columns]
    if "thresholds" not in definitions.columns and not {"good", "fair"} <= set(definitions):
        missing.append("thresholds")
    if missing:
        raise InputError(
            "The indicator definitions lack the column(s) " + ", ".join(missing),
            where="the indicator definitions",
            todo="Add the missing column(s): indicator, higher_is_better, target, thresholds",
        )
    # The definitions are a short table (one row per indicator), read row by row.
    rows, legends = [], {}
    for record in definitions.to_dict("records"):
        indicator = str(record["indicator"])
        if indicator in legends:
            raise InputError(
                f"The indicator {indicator} is defined twice",
                where="the indicator definitions",
                todo="Keep one row per indicator",
            )
        hib = record["higher_is_better"]
        if not isinstance(hib, (bool, np.bool_)) and not _missing(hib):
            raise InputError(
                f"higher_is_better must be True or False; for {indicator} it is {hib!r}",
                where="the indicator definitions",
                todo="Write True when higher values are better (coverage), False otherwise",
            )
        legend = _compile_legend(record, indicator)
        legends[indicator] = legend
        rated = legend is not None
        row = {
            "indicator": indicator,
            "name": _or_default(record.get("name"), indicator),
            "higher_is_better": bool(hib) if rated else True,
            "rated": rated,
            # An unrated indicator has no target either: none is invented for it.
            "target": _target(record.get("target"), indicator) if rated else math.nan,
            "tolerance": float(_or_default(record.get("tolerance"), flat_tolerance)),
        }
        for column, default in _DEFINITION_DEFAULTS.items():
            row[column] = type(default)(_or_default(record.get(column), default))
        row["name"] = str(row["name"])
        if row["aggregation"] not in ("", "ratio", "mean", "sum"):
            raise InputError(
                f"The aggregation of indicator '{indicator}' is {row['aggregation']!r}",
                where="the indicator definitions",
                todo="Write ratio, mean or sum, or leave it empty",
            )
        rows.append(row)
    table = pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "name",
            "higher_is_better",
            "rated",
            "target",
            "tolerance",
            *_DEFINITION_DEFAULTS,
        ],
    )
    return _Definitions(table, legends)


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def _check_columns(data: pd.DataFrame, needed: Iterable[str], what: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"The {what} are not a table", todo="Give a pandas DataFrame")
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise InputError(
            f"The {what} lack the column(s) " + ", ".join(missing),
            where=f"the {what}",
            todo="Rename or add the column(s); expected " + ", ".join(needed),
        )


def _check_known_indicators(data: pd.DataFrame, defs: _Definitions) -> list[str]:
    """The indicators present in the data, in the definitions' order."""
    known = set(defs.table["indicator"])
    present = {str(i) for i in data["indicator"].unique()}
    unknown = sorted(present - known)
    if unknown:
        raise InputError(
            "The data hold indicator(s) with no definition: " + ", ".join(unknown),
            where="column 'indicator' of the data",
            todo="Add a row for each to the indicator definitions, or remove them from the data",
        )
    return [i for i in defs.table["indicator"] if i in present]


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    try:
        return pd.to_numeric(frame[column], errors="raise").astype(float)
    except (TypeError, ValueError):
        raise InputError(
            f"The column '{column}' holds text where numbers are expected",
            where=f"column '{column}' of the data",
            todo="Leave cells empty when there is no value, and remove any text",
        ) from None


def _as_period(value, reference: pd.Series, what: str) -> pd.Period:
    if isinstance(value, pd.Period):
        return value
    freq = getattr(reference.dtype, "freq", None)
    if freq is None and len(reference):
        first = reference.iloc[0]
        freq = first.freq if isinstance(first, pd.Period) else None
    try:
        return pd.Period(value, freq=freq)
    except (TypeError, ValueError):
        raise InputError(
            f"The {what} {value!r} is not a period we can read",
            todo="Give the period as text such as '2025-03', or as a pandas Period",
        ) from None


def period_text(period: pd.Period) -> str:
    """A period as people say it: "March 2025", "2025 Q1", "2025"."""
    code = period.freqstr
    if code in ("M", "ME"):
        return period.strftime("%B %Y")
    if code.startswith("Q"):
        return f"{period.qyear} Q{period.quarter}"
    if code.startswith(("Y", "A")) and code.endswith("DEC"):
        return str(period.year)
    return str(period)


def _resolve_compare(compare, period: pd.Period, reference: pd.Series) -> pd.Period | None:
    if compare is None:
        return None
    if isinstance(compare, str) and compare == "previous":
        return period - 1
    if isinstance(compare, str) and compare in ("year", "last_year"):
        shifted = pd.Period(period.start_time - pd.DateOffset(years=1), freq=period.freq)
        return shifted
    return _as_period(compare, reference, "comparison period")


# ---------------------------------------------------------------------------
# Hierarchy
# ---------------------------------------------------------------------------


def _org_table(org_units: pd.DataFrame) -> pd.DataFrame:
    """Normalise an org-unit table to columns org_unit, parent, level (+ name, type)."""
    if not isinstance(org_units, pd.DataFrame):
        raise InputError(
            "The org units are not a table",
            todo="Give the org unit table (org_unit_id, name, level, parent_id, ...)",
        )
    table = org_units.copy()
    if "org_unit" not in table and "org_unit_id" in table:
        table = table.rename(columns={"org_unit_id": "org_unit"})
    if "parent" not in table and "parent_id" in table:
        table = table.rename(columns={"parent_id": "parent"})
    _check_columns(table, ["org_unit"], "org units")
    table["org_unit"] = table["org_unit"].astype(str)
    if "name" not in table:
        table["name"] = table["org_unit"]
    table["name"] = table["name"].where(table["name"].notna(), table["org_unit"]).astype(str)
    return table


def _level_number(table: pd.DataFrame, level) -> int:
    if isinstance(level, (int, np.integer)) and not isinstance(level, bool):
        return int(level)
    if isinstance(level, str) and "level_name" in table:
        match = table.loc[table["level_name"].astype(str).str.casefold() == level.casefold()]
        if len(match):
            return int(match["level"].iloc[0])
    names = (
        sorted(pd.unique(table["level_name"].dropna().astype(str))) if "level_name" in table else []
    )
    raise InputError(
        f"The level {level!r} is not in the org unit table",
        where="the org unit table",
        todo="Choose a level number"
        + (" or one of: " + ", ".join(names) if names else " (1 = country, 4 = facility)"),
    )


def _ancestor_at(table: pd.DataFrame, level: int) -> pd.Series:
    """For each org unit, its ancestor at ``level`` (itself if at that level, else NaN)."""
    _check_columns(table, ["org_unit", "parent", "level"], "org units")
    levels = pd.Series(table["level"].astype(int).to_numpy(), index=table["org_unit"])
    parents = pd.Series(table["parent"].to_numpy(), index=table["org_unit"])
    current = pd.Series(table["org_unit"].to_numpy(), index=table["org_unit"], dtype=object)
    for _ in range(int(levels.max() - levels.min()) + 1):  # one step per level, not per row
        cur_level = current.map(levels)
        deeper = cur_level > level
        if not deeper.any():
            break
        current = current.where(~deeper, current.map(parents))
    found = current.map(levels) == level
    return current.where(found)


def aggregate_to_level(
    data: pd.DataFrame,
    org_units: pd.DataFrame,
    level,
    definitions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Combine org-unit values into their parents at ``level`` (e.g. facilities to districts).

    How each indicator is combined (column ``aggregation`` of ``definitions``,
    or chosen automatically):

    * ``ratio`` (the default when the data have ``numerator`` and
      ``denominator`` values for the indicator): sum the numerators, sum the
      denominators, then divide and multiply by ``factor`` (100 for a
      percentage). This is how DHIS2 analytics computes an indicator for a
      higher org unit: the numerator and the denominator are each aggregated
      over the org units below, then divided (DHIS2 user documentation,
      indicators; HISP Centre, University of Oslo). Averaging facility rates
      instead would give a small health post the same weight as a hospital.
      Only rows where both numerator and denominator are present are summed,
      so a facility that did not report does not lower the district coverage
      with its population alone.
    * ``mean``: the average of the values (the default without numerators;
      suits "average stock-out days per facility").
    * ``sum``: the total of the values (counts such as cases notified).

    ``data`` holds ``org_unit``, ``period``, ``indicator`` and ``value``, plus
    optional ``numerator``/``denominator``; ``org_units`` the hierarchy
    (``org_unit`` or ``org_unit_id``, ``parent`` or ``parent_id``, ``level``);
    ``level`` a level number or a ``level_name`` such as "district". Rows whose
    org unit sits above ``level`` are left out. Returns a new DataFrame with the
    same columns, one row per parent, period and indicator.
    """
    _check_columns(data, ["org_unit", "period", "indicator"], "data")
    table = _org_table(org_units)
    defs = _definitions(definitions, FLAT_TOLERANCE).table if definitions is not None else None
    return _aggregate(data, table, _level_number(table, level), defs)


def _aggregate(
    data: pd.DataFrame, table: pd.DataFrame, target_level: int, defs: pd.DataFrame | None
) -> pd.DataFrame:
    """:func:`aggregate_to_level` on a normalised org unit table and parsed definitions."""
    ancestors = _ancestor_at(table, target_level)
    ids = data["org_unit"].astype(str)
    unknown = sorted(set(pd.unique(ids)) - set(ancestors.index))
    if unknown:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise InputError(
            f"{len(unknown)} org unit(s) in the data are not in the org unit table: {shown}",
            where="column 'org_unit' of the data",
            todo="Check the org unit codes, or add the missing org units to the table",
        )
    frame = data.copy()
    frame["org_unit"] = ids.map(ancestors)
    frame = frame[frame["org_unit"].notna()]

    if defs is not None:
        how = dict(zip(defs["indicator"], defs["aggregation"], strict=True))
        factor = dict(zip(defs["indicator"], defs["factor"], strict=True))
    else:
        how, factor = {}, {}
    has_pairs = "numerator" in frame and "denominator" in frame
    if has_pairs:
        num = _numeric(frame, "numerator")
        den = _numeric(frame, "denominator")
        complete = num.notna() & den.notna()
        frame["numerator"] = num.where(complete)
        frame["denominator"] = den.where(complete)
        frame["_pairs"] = complete.astype(int)
    if "value" in frame:
        frame["value"] = _numeric(frame, "value")
    else:
        frame["value"] = np.nan
    frame["_n"] = frame["value"].notna().astype(int)

    keys = ["org_unit", "period", "indicator"]
    sums = ["value", "_n"] + (["numerator", "denominator", "_pairs"] if has_pairs else [])
    out = frame.groupby(keys, sort=True, observed=True, dropna=False)[sums].sum().reset_index()
    ind = out["indicator"].astype(str)
    rule = ind.map(how).fillna("").astype(str)
    if has_pairs:
        auto_ratio = out.groupby("indicator")["_pairs"].transform("sum") > 0
        rule = rule.where(rule != "", np.where(auto_ratio, "ratio", "mean"))
    else:
        rule = rule.where(rule != "", "mean")
    mean = (out["value"] / out["_n"]).where(out["_n"] > 0)
    total = out["value"].where(out["_n"] > 0)
    value = np.where(rule == "sum", total, mean)
    if has_pairs:
        scale = ind.map(factor).astype(float).fillna(100.0)
        ratio = (out["numerator"] / out["denominator"].where(out["denominator"] != 0)) * scale
        ratio = ratio.where(out["_pairs"] > 0)
        value = np.where(rule == "ratio", ratio, value)
        out["numerator"] = out["numerator"].where(out["_pairs"] > 0)
        out["denominator"] = out["denominator"].where(out["_pairs"] > 0)
    out["value"] = value.astype(float)
    columns = [c for c in data.columns if c in out.columns]
    return out[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------
# Bands
# ---------------------------------------------------------------------------


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
        _check_columns(table, ["facility_type"], "org units")
        ftype = ou.map(dict(zip(table["org_unit"], table["facility_type"], strict=True)))
        for indicator, types in not_applicable.items():  # one pass per indicator
            types = [types] if isinstance(types, str) else list(types)
            mask |= ((ind == str(indicator)) & ftype.isin(types)).to_numpy()
        return mask
    if isinstance(not_applicable, pd.DataFrame):
        _check_columns(not_applicable, ["org_unit", "indicator"], "not-applicable list")
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
    not_applicable=None,
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
    """
    _check_columns(values, ["indicator", "value"], "values")
    defs = _definitions(definitions, FLAT_TOLERANCE)
    _check_known_indicators(values, defs)
    frame = values.copy()
    numbers = _numeric(frame, "value").to_numpy(dtype=float)
    if not_applicable is not None:
        _check_columns(frame, ["org_unit"], "values")
    na = _not_applicable_mask(frame, not_applicable, org_units)
    bands, outside = _band_arrays(frame["indicator"], numbers, na, defs)
    frame["band"] = bands
    _add_symbols(frame)
    frame["outside_legend"] = outside
    return frame


# ---------------------------------------------------------------------------
# The scorecard
# ---------------------------------------------------------------------------


def scorecard(
    data: pd.DataFrame,
    definitions: pd.DataFrame,
    period,
    level=None,
    org_units: pd.DataFrame | None = None,
    compare="previous",
    not_applicable=None,
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
    """
    _check_columns(data, ["org_unit", "period", "indicator"], "data")
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


# ---------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------


def _check_card(card: pd.DataFrame) -> None:
    _check_columns(
        card,
        ["org_unit", "indicator", "value", "band", "on_target", "applicable", "rank"],
        "scorecard",
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
    """
    _check_card(card)
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
    _check_card(card)
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


# ---------------------------------------------------------------------------
# Display
# ---------------------------------------------------------------------------


def _round_half_away(values: np.ndarray, decimals: int) -> np.ndarray:
    """Round halves away from zero, as spreadsheets do (Excel ROUND: 82.5 -> 83).

    Python and numpy round halves to even (82.5 -> 82), which would make the
    scorecard disagree with the same numbers rounded in a spreadsheet. The
    small relative nudge absorbs binary representation error (1.005 is stored
    as 1.00499999...).
    """
    scale = 10.0**decimals
    scaled = np.abs(values) * scale
    return np.sign(values) * np.floor(scaled * (1 + 1e-12) + 0.5) / scale


def _format_values(values, units, decimals) -> np.ndarray:
    """Numbers as text with thousands separators and their unit: "78 %", "1,204 days".

    Halves are rounded away from zero (see :func:`_round_half_away`).
    """
    values = np.asarray(values, dtype=float)
    units = np.asarray(units, dtype=object)
    decimals = np.asarray(decimals, dtype=int)
    text = np.full(len(values), "", dtype=object)
    has = ~np.isnan(values)
    for d in np.unique(decimals[has]):  # one pass per number of decimals (a handful)
        rows = has & (decimals == d)
        rounded = _round_half_away(values[rows], int(d)) + 0.0  # + 0.0 turns -0.0 into 0.0
        text[rows] = pd.Series(rounded).map(f"{{:,.{int(d)}f}}".format).to_numpy()
    with_unit = has & (units != "") & pd.notna(units)
    text[with_unit] = text[with_unit] + " " + units[with_unit].astype(str)
    return text


def format_value(value: float, unit: str = "", decimals: int = 0) -> str:
    """One number as text with its unit, as shown on the scorecard ("78 %").

    Halves are rounded away from zero, as in a spreadsheet (82.5 -> "83").
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return BANDS["no_data"]["label"]
    return str(_format_values([value], [unit or ""], [decimals])[0])


def scorecard_wide(card: pd.DataFrame, cells: str = "text", summary: bool = True) -> pd.DataFrame:
    """The familiar scorecard grid: org units down the side, indicators across.

    ``cells`` chooses what each cell holds: ``"text"`` (the value with its unit
    and band symbol, e.g. "● 82 %", "? No data", "– Not applicable"),
    ``"value"`` (the number) or ``"band"`` (the band key, for colouring).
    With ``summary=True`` a last column "On target" ("3 of 5") and a last row
    "Average" (the mean across org units, see :func:`summary_by_indicator`)
    are added. Rows keep the scorecard's org unit order, columns its
    indicator order; the row labels are the org unit names and the headers the
    indicator names, with the unit.
    """
    _check_card(card)
    if cells not in ("text", "value", "band"):
        raise InputError(
            f"Unknown cell content {cells!r}",
            todo="Choose 'text', 'value' or 'band'",
        )
    n = len(card)
    units = card["unit"].to_numpy(dtype=object) if "unit" in card else np.full(n, "", object)
    decimals = card["decimals"].to_numpy() if "decimals" in card else np.zeros(n, int)
    applicable = card["applicable"].to_numpy(dtype=bool)
    values = card["value"].to_numpy(dtype=float)
    if cells == "value":
        cell = np.where(applicable, values, np.nan)
    elif cells == "band":
        cell = card["band"].to_numpy(dtype=object)
    else:
        text = _format_values(values, units, decimals)
        text = np.where(np.isnan(values), BANDS["no_data"]["label"], text)
        text = np.where(applicable, text, BANDS["not_applicable"]["label"])
        cell = card["symbol"].to_numpy(dtype=object) + " " + text.astype(object)

    # Place each cell on the grid by position: org units down, indicators across.
    r, row_keys = pd.factorize(card["org_unit"].to_numpy(dtype=object))
    c, col_keys = pd.factorize(card["indicator"].to_numpy(dtype=object))
    grid = np.full((len(row_keys), len(col_keys)), np.nan if cells == "value" else None)
    grid = grid.astype(float if cells == "value" else object)
    grid[r, c] = cell
    names = _first_of(card, "indicator", "indicator_name", pd.Index(col_keys)).astype(str)
    col_units = _first_of(card, "indicator", "unit", pd.Index(col_keys), default="")
    header = [f"{nm} ({u})" if u else nm for nm, u in zip(names, col_units, strict=True)]
    row_names = _first_of(card, "org_unit", "org_unit_name", pd.Index(row_keys))
    wide = pd.DataFrame(grid, index=pd.Index(row_names, name="Org unit"), columns=header)
    if not summary:
        return wide
    per_ou = summary_by_org_unit(card)
    per_ind = summary_by_indicator(card)
    if cells == "text":
        wide["On target"] = (
            per_ou["on_target"].astype(str) + " of " + per_ou["rated"].astype(str)
        ).to_numpy()
        col_decimals = _first_of(card, "indicator", "decimals", pd.Index(col_keys), default=0)
        average = per_ind["average"].to_numpy(dtype=float)
        avg_text = _format_values(average, col_units, col_decimals)
        avg_text = np.where(np.isnan(average), BANDS["no_data"]["label"], avg_text)
        rated_total = int(summary_by_org_unit(card)["rated"].sum())
        total = f"{int(per_ind['on_target'].sum())} of {rated_total}"
        avg_row = [*avg_text, total]
    elif cells == "value":
        wide["On target"] = per_ou["on_target"].to_numpy(dtype=float)
        avg_row = [*per_ind["average"], float(per_ind["on_target"].sum())]
    else:
        wide["On target"] = ""
        avg_row = [""] * (len(col_keys) + 1)
    average_row = pd.DataFrame([avg_row], index=pd.Index(["Average"]), columns=wide.columns)
    return pd.concat([wide, average_row]).rename_axis("Org unit")


# ---------------------------------------------------------------------------
# Feedback sheet
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackSheet:
    """What a one-page feedback sheet for one org unit shows (rendering is elsewhere)."""

    org_unit: str
    name: str
    period: pd.Period
    previous_period: pd.Period | None
    table: pd.DataFrame
    on_target: int
    applicable: int
    peers: int
    best: tuple[str, ...]
    worst: tuple[str, ...]
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        """The sentences as one paragraph."""
        return " ".join(self.sentences)


def _target_clause(value: float, previous: float, target: float, unit: str, dec: int) -> str:
    if math.isnan(target):
        return ""

    def side(v: float) -> str:
        if abs(v - target) <= _EPS * max(1.0, abs(target)):
            return "at"
        return "above" if v > target else "below"

    now = side(value)
    still = not math.isnan(previous) and side(previous) == now
    shown = format_value(target, unit, dec)
    where = f"the {shown} target" if unit == "%" else f"the target of {shown}"
    return f"; {'still' if still else 'now'} {now} {where}"


def _change_sentence(row: Mapping) -> str:
    unit, dec = row["unit"], int(row["decimals"])
    verb = "rose" if row["trend"] == "up" else "fell"
    before = format_value(row["previous_value"], unit, dec)
    after = format_value(row["value"], unit, dec)
    clause = _target_clause(row["value"], row["previous_value"], row["target"], unit, dec)
    return f"{row['indicator_name']} {verb} from {before} to {after}{clause}."


def _names(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def feedback_sheet_data(card: pd.DataFrame, org_unit: str, top: int = 1) -> FeedbackSheet:
    """Everything a one-page feedback sheet for one org unit needs.

    ``card`` is a table made by :func:`scorecard`; ``org_unit`` is a code or a
    name on it. The ``table`` lists each indicator with the org unit's value,
    the target, the average of all org units on the scorecard (plain mean, as
    in :func:`summary_by_indicator`), band, rank ("3 of 25"), previous value
    and change.

    ``best`` and ``worst`` name up to ``top`` indicators where the org unit
    stands highest and lowest among the others, judged by the relative rank
    (rank - 1) / (number ranked - 1), so indicators with different units can
    be compared (0 = first, 1 = last); ties keep the definitions' order.
    Indicators with no data or not applicable are left out. When every
    indicator has the same relative rank there is no best or worst, and both
    are empty.

    ``sentences`` (two or three, plain words):

    1. how many indicators are on target ("... was on target for 3 of 5
       indicators in March 2025.");
    2. the biggest change since the comparison period, measured in multiples of
       the indicator's tolerance so that units do not matter ("Penta3 coverage
       rose from 71 % to 78 %; still below the 80 % target."), or that nothing
       changed by more than its tolerance;
    3. which indicators have no data, if any; otherwise where the org unit ranks
       highest and lowest (left out when there is no best or worst).
    """
    _check_card(card)
    _check_columns(
        card,
        ["org_unit_name", "indicator_name", "unit", "decimals", "period", "previous_period"]
        + ["target", "previous_value", "change", "tolerance", "trend", "ranked_among"],
        "scorecard",
    )
    match = (card["org_unit"] == str(org_unit)).to_numpy()
    if not match.any():
        match = (card["org_unit_name"] == str(org_unit)).to_numpy()
    if not match.any():
        raise InputError(
            f"The org unit {org_unit!r} is not on this scorecard",
            todo="Choose one of the org units shown on the scorecard",
        )
    own = card[match]
    own = own[own["org_unit"] == own["org_unit"].iloc[0]].reset_index(drop=True)
    code = str(own["org_unit"].iloc[0])
    name = str(own["org_unit_name"].iloc[0])
    period = own["period"].iloc[0]
    prev_period = own["previous_period"].iloc[0]
    prev_period = prev_period if isinstance(prev_period, pd.Period) else None

    per_ind = summary_by_indicator(card).set_index("indicator")
    ranked = own["rank"].notna().to_numpy()
    rank_text = np.full(len(own), "", dtype=object)
    rank_text[ranked] = (
        own.loc[ranked, "rank"].astype(int).astype(str)
        + " of "
        + own.loc[ranked, "ranked_among"].astype(str)
    ).to_numpy()
    table = own[["indicator", "indicator_name", "unit", "value", "target"]].assign(
        average=own["indicator"].map(per_ind["average"]).astype(float).to_numpy()
    )
    table = table.join(own[["band", "symbol", "label", "rank"]].assign(rank_text=rank_text)).join(
        own[["previous_value", "change", "trend", "arrow", "direction"]]
    )

    rated = own["rated"].to_numpy(dtype=bool) if "rated" in own else np.ones(len(own), bool)
    applicable = int((own["applicable"].to_numpy(dtype=bool) & rated).sum())
    on_target = int(own["on_target"].fillna(False).sum())
    peers = int(card["org_unit"].nunique())

    with_rank = own[ranked]
    among = with_rank["ranked_among"].astype(float)
    relative = (with_rank["rank"].astype(float) - 1) / (among - 1).where(among > 1, 1.0)
    best: tuple[str, ...] = ()
    worst: tuple[str, ...] = ()
    if len(relative) == 1 or (len(relative) > 1 and relative.max() > relative.min()):
        by_best = relative.sort_values(kind="stable").index
        best = tuple(with_rank.loc[by_best, "indicator_name"].head(top))
        if len(relative) > 1:
            worst_rel = relative.sort_values(ascending=False, kind="stable")
            worst = tuple(with_rank.loc[worst_rel.index, "indicator_name"].head(top))

    sentences = [
        f"{name} was on target for {on_target} of {applicable} "
        f"indicator{'s' if applicable != 1 else ''} in {period_text(period)}."
        if applicable
        else f"No indicator of {name} has a target yet for {period_text(period)}."
    ]
    moved = own[own["trend"].isin(["up", "down"])]
    if len(moved):
        tol = moved["tolerance"].astype(float)
        size = moved["change"].abs() / tol.where(tol > 0, 1.0)
        biggest = moved.loc[size.sort_values(ascending=False, kind="stable").index[0]]
        sentences.append(_change_sentence(biggest))
    elif prev_period is not None:
        sentences.append(
            f"No indicator changed by more than its tolerance since {period_text(prev_period)}."
        )
    else:
        sentences.append("There is no earlier period to compare with.")
    missing = own.loc[own["applicable"] & own["value"].isna(), "indicator_name"].tolist()
    if missing:
        sentences.append(f"No data were reported for {_names(missing)}.")
    elif best and worst:
        b = with_rank[with_rank["indicator_name"] == best[0]].iloc[0]
        w = with_rank[with_rank["indicator_name"] == worst[0]].iloc[0]
        sentences.append(
            f"Compared with the others on the scorecard, it ranks highest on {best[0]} "
            f"({int(b['rank'])} of {int(b['ranked_among'])}) and lowest on "
            f"{worst[0]} ({int(w['rank'])} of {int(w['ranked_among'])})."
        )
    return FeedbackSheet(
        org_unit=code,
        name=name,
        period=period,
        previous_period=prev_period,
        table=table,
        on_target=on_target,
        applicable=applicable,
        peers=peers,
        best=best,
        worst=worst,
        sentences=tuple(sentences),
    )


# ---------------------------------------------------------------------------
# A standard PHC indicator set computed from routine data
# ---------------------------------------------------------------------------

#: The standard scorecard indicators. ``kind`` says how each is computed:
#:
#: * ``coverage``: a service count over a target population for the period
#:   (annual population x months in the period / 12), times ``factor``;
#: * ``ratio``: one data element over another, times ``factor``;
#: * ``dropout``: (first dose - last dose) / first dose x 100;
#: * ``average``: the total of a data element over the number of monthly values
#:   reported (for example stock-out days per facility per month);
#: * ``reporting``: reports received (or on time) over reports expected x 100.
#:
#: Targets come from the global sources named in ``source`` (the same ones as
#: the indicator catalogue, ``datasets/indicator_catalogue.csv``). The lower
#: "fair" boundaries are teaching defaults chosen for this curriculum, not
#: international standards: a district sets its own.
STANDARD_INDICATORS: tuple[dict, ...] = (
    {
        "indicator": "ANC4_COV",
        "name": "ANC4 coverage",
        "kind": "coverage",
        "numerator": "ANC4",
        "denominator": "expected_pregnancies",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 60.0),
        "source": "WHO, UNICEF & UNFPA, ENAP and EPMM coverage targets for 2025 (2021)",
    },
    {
        "indicator": "SBA_COV",
        "name": "Skilled birth attendance",
        "kind": "coverage",
        "numerator": "SBA_DELIVERY",
        "denominator": "live_births",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 60.0),
        "source": "WHO, UNICEF & UNFPA, ENAP and EPMM coverage targets for 2025 (2021)",
    },
    {
        "indicator": "PNC48_COV",
        "name": "Postnatal care within 2 days",
        "kind": "coverage",
        "numerator": "PNC_48H",
        "denominator": "live_births",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 80.0,
        "thresholds": (80.0, 50.0),
        "source": "WHO, UNICEF & UNFPA, ENAP and EPMM coverage targets for 2025 (2021)",
    },
    {
        "indicator": "PENTA3_COV",
        "name": "Penta3 coverage",
        "kind": "coverage",
        "numerator": "PENTA3",
        "denominator": "surviving_infants",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 80.0),
        "source": "WHO, Immunization Agenda 2030 (2020); 80 % is the former GVAP "
        "district goal (WHO, Global Vaccine Action Plan 2011-2020, 2013)",
    },
    {
        "indicator": "MCV1_COV",
        "name": "Measles (MCV1) coverage",
        "kind": "coverage",
        "numerator": "MCV1",
        "denominator": "surviving_infants",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 95.0,
        "thresholds": (95.0, 80.0),
        "source": "WHO, Measles vaccines: WHO position paper (2017)",
    },
    {
        "indicator": "PENTA_DROPOUT",
        "name": "Penta1 to Penta3 dropout",
        "kind": "dropout",
        "numerator": "PENTA1",
        "denominator": "PENTA3",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": False,
        "target": 10.0,
        "thresholds": (10.0, 20.0),
        "source": "WHO AFRO, Reaching Every District (RED) guide (2017): above 10 % "
        "is a problem of use of services",
    },
    {
        "indicator": "MAL_TEST_RATE",
        "name": "Suspected malaria tested",
        "kind": "ratio",
        "numerator": "MAL_TESTED",
        "denominator": "MAL_SUSPECTED",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 95.0,
        "thresholds": (95.0, 80.0),
        "source": "WHO, T3: Test. Treat. Track. (2012) asks that every suspected case "
        "be tested; 95 % is the teaching target used here",
    },
    {
        "indicator": "OPD_PER_CAPITA",
        "name": "OPD visits per person per year",
        "kind": "coverage",
        "numerator": "OPD_TOTAL",
        "denominator": "total_population",
        "factor": 1.0,
        "unit": "visits",
        "decimals": 1,
        "higher_is_better": True,
        "target": 1.0,
        "thresholds": (1.0, 0.5),
        "source": "WHO, SARA reference manual v2.2 (2015) gives 5 visits per person "
        "per year as a general benchmark; 1 visit is the first-level PHC target used here",
    },
    {
        "indicator": "ACT_STOCKOUT_DAYS",
        "name": "ACT stock-out days per month",
        "kind": "average",
        "numerator": "STOCKOUT_DAYS_ACT",
        "denominator": "",
        "factor": 1.0,
        "unit": "days",
        "decimals": 1,
        "higher_is_better": False,
        "target": 0.0,
        "thresholds": (0.0, 3.0),
        "source": "WHO, Analysis and use of health facility data (2019): tracer "
        "medicines should never be out of stock; 3 days is the teaching boundary",
    },
    {
        "indicator": "REPORT_COMPLETE",
        "name": "Reporting completeness",
        "kind": "reporting",
        "numerator": "received",
        "denominator": "expected",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 80.0),
        "source": "WHO, Data quality review, Module 1: Framework and metrics (2017): "
        "completeness of facility reporting at least 90 %; the 'needs attention' band "
        "from 80 % is a choice of this toolkit",
    },
    {
        "indicator": "REPORT_TIMELY",
        "name": "Reporting timeliness",
        "kind": "reporting",
        "numerator": "on_time",
        "denominator": "expected",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 75.0),
        "source": "Target of 90 %: a choice of this toolkit, not a WHO figure; the "
        "'needs attention' band starts at 75 %, below which WHO, Data quality review, "
        "Module 1: Framework and metrics (2017) flags the timeliness of facility reporting",
    },
)

_FREQ_MONTHS = {"M": 1, "Q": 3, "Y": 12}


def default_definitions(indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """The standard scorecard indicator set, as a definitions table for :func:`scorecard`.

    Eleven PHC indicators that :func:`district_indicators` computes from the
    monthly PHC report, the population projections and the report register:
    ANC4, skilled birth, postnatal care, Penta3 and MCV1 coverage, Penta1-3
    dropout (lower is better), malaria testing, outpatient visits per person,
    ACT stock-out days (lower is better), reporting completeness and
    timeliness. Columns: ``indicator``, ``name``, ``higher_is_better``,
    ``target``, ``thresholds`` (``(good, fair)`` cut-offs, see the module
    docstring), ``unit``, ``decimals``, ``factor``, ``aggregation`` ("ratio":
    districts are computed from summed numerators and denominators),
    ``kind``, ``numerator``, ``denominator`` and ``source`` (where the target
    comes from; the fair boundaries are teaching defaults to be set locally).

    ``indicators`` keeps only those codes, in the order given.
    """
    table = pd.DataFrame(list(STANDARD_INDICATORS))
    table["aggregation"] = "ratio"
    if indicators is not None:
        wanted = [str(i) for i in indicators]
        unknown = [i for i in wanted if i not in set(table["indicator"])]
        if unknown:
            raise InputError(
                "Unknown indicator(s): " + ", ".join(unknown),
                where="the list of indicators",
                todo="Choose from " + ", ".join(table["indicator"]),
            )
        table = table.set_index("indicator").loc[wanted].reset_index()
    return table.reset_index(drop=True)


def _ids(frame: pd.DataFrame, what: str) -> pd.Series:
    if "org_unit" in frame:
        return frame["org_unit"].astype(str)
    if "org_unit_id" in frame:
        return frame["org_unit_id"].astype(str)
    raise InputError(
        f"The {what} have no column 'org_unit_id' (or 'org_unit')",
        where=f"the {what}",
        todo="Name the column with the facility codes org_unit_id",
    )


def _months(frame: pd.DataFrame, what: str) -> pd.PeriodIndex:
    _check_columns(frame, ["period"], what)
    column = frame["period"]
    if isinstance(column.dtype, pd.PeriodDtype):
        return pd.PeriodIndex(column.array).asfreq("M")
    try:
        return pd.PeriodIndex(pd.to_datetime(column.astype(str), format="%Y-%m"), freq="M")
    except (TypeError, ValueError):
        raise InputError(
            f"The column 'period' of the {what} holds values that are not months",
            where=f"column 'period' of the {what}",
            todo="Write months as YYYY-MM, for example 2025-03",
        ) from None


def district_indicators(
    service: pd.DataFrame,
    population: pd.DataFrame,
    org_units: pd.DataFrame,
    reporting: pd.DataFrame,
    freq: str = "Q",
    level: str = "facility",
    definitions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The standard scorecard indicators for every facility (or district) and period.

    Inputs are shaped like the files in ``datasets/``: ``service`` (org_unit_id,
    period "YYYY-MM", data_element, value), ``population`` (org_unit_id, year
    and one column per target group), ``org_units`` (org_unit_id, level,
    parent_id, ...) and ``reporting`` (org_unit_id, period, expected, received,
    on_time). ``freq`` is "M" (months), "Q" (quarters) or "Y" (years);
    ``level`` is "facility" or "district"; ``definitions`` defaults to
    :func:`default_definitions`.

    Returns a new tidy table with ``org_unit``, ``period`` (a pandas Period of
    ``freq``), ``indicator``, ``value``, ``numerator`` and ``denominator``.

    Conventions (see :data:`STANDARD_INDICATORS` for the formulas):

    * Coverage = count / (annual target population x months in the period / 12)
      x 100 (WHO, *Immunization in practice*, module 6, 2015). Months a
      facility did not report are not filled in, so missing reports lower the
      coverage: check completeness beside it.
    * Dropout = (Penta1 - Penta3) / Penta1 x 100 (WHO AFRO, *RED guide*, 2017).
    * Completeness and timeliness = reports received (on time) / reports
      expected x 100 (WHO, *Data quality review*, module 1, 2017).
    * Counts are summed over the months of the period before dividing, never
      averaged as monthly rates; a district sums its facilities' counts and
      uses its own population row.
    * An exact repeat of a row (same facility, month, data element and value)
      is counted once: it is one report entered twice. Other errors are kept.
    * A facility has rows for an indicator only if it offers the service (it
      reported the numerator at least once); periods where it offers the
      service but sent nothing give ``value`` NaN (no data). No rounding.
    """
    if freq not in _FREQ_MONTHS:
        raise InputError(
            f"Unknown period type {freq!r}", todo="Choose 'M' (month), 'Q' (quarter) or 'Y' (year)"
        )
    if level not in ("facility", "district"):
        raise InputError(f"Unknown level {level!r}", todo="Choose 'facility' or 'district'")
    defs = default_definitions() if definitions is None else definitions
    _check_columns(defs, ["indicator", "kind", "numerator", "denominator", "factor"], "definitions")
    _check_columns(service, ["data_element", "value"], "service data")
    _check_columns(reporting, ["expected", "received", "on_time"], "report register")
    _check_columns(population, ["year"], "population data")
    table = _org_table(org_units)
    _check_columns(table, ["level", "parent"], "org units")

    # Service counts per facility and month: exact repeats counted once.
    svc = pd.DataFrame(
        {
            "org_unit": _ids(service, "service data").to_numpy(),
            "month": _months(service, "service data"),
            "data_element": service["data_element"].astype(str).to_numpy(),
            "value": _numeric(service, "value").to_numpy(),
        }
    ).drop_duplicates()
    rep = pd.DataFrame(
        {
            "org_unit": _ids(reporting, "report register").to_numpy(),
            "month": _months(reporting, "report register"),
            "expected": _numeric(reporting, "expected").to_numpy(),
            "received": _numeric(reporting, "received").to_numpy(),
            "on_time": _numeric(reporting, "on_time").fillna(0.0).to_numpy(),
        }
    )
    at_level = table["level"].astype(int) == (4 if level == "facility" else 3)
    not_at_level = table.loc[~at_level, "org_unit"].to_numpy(dtype=object)
    if level == "district":
        to_district = _ancestor_at(table, 3)
        for frame in (svc, rep):
            frame["facility"] = frame["org_unit"]
            frame["org_unit"] = frame["org_unit"].map(to_district)
        svc = svc[svc["org_unit"].notna()]
        rep = rep[rep["org_unit"].notna()]
    svc["period"] = svc["month"].dt.asfreq(freq) if freq != "M" else svc["month"]
    rep["period"] = rep["month"].dt.asfreq(freq) if freq != "M" else rep["month"]

    # Which org units offer each service, and the full grid of periods.
    periods = pd.period_range(
        min(svc["period"].min(), rep["period"].min()),
        max(svc["period"].max(), rep["period"].max()),
        freq=freq,
    )
    offered = svc[["org_unit", "data_element"]].drop_duplicates()
    totals = svc.groupby(["org_unit", "period", "data_element"], observed=True)["value"]
    summed = totals.sum(min_count=1).unstack("data_element")
    months_reported = totals.count().unstack("data_element")
    rep_sums = rep.groupby(["org_unit", "period"], observed=True)[
        ["expected", "received", "on_time"]
    ].sum()

    pop = population.copy()
    pop["org_unit"] = _ids(population, "population data").to_numpy()
    pop["year"] = _numeric(pop, "year").astype("int64")
    pop = pop.set_index(["org_unit", "year"])
    share = _FREQ_MONTHS[freq] / 12.0

    parts = []
    for spec in defs.to_dict("records"):  # one pass per indicator (about ten)
        code, kind = str(spec["indicator"]), str(spec["kind"])
        num_el, den_el = str(spec["numerator"]), str(spec["denominator"])
        factor = float(spec["factor"])
        if kind == "reporting":
            units = rep.loc[rep["expected"] > 0, "org_unit"].unique()
        else:
            units = offered.loc[offered["data_element"] == num_el, "org_unit"].unique()
        units = pd.Index(units, dtype=object)
        units = units[~units.isin(not_at_level)]
        grid = pd.MultiIndex.from_product(
            [units.sort_values(), periods], names=["org_unit", "period"]
        )
        if kind == "reporting":
            got = rep_sums.reindex(grid)
            num, den = got[num_el], got[den_el]
        else:
            col = summed[num_el] if num_el in summed else pd.Series(dtype=float)
            num = col.reindex(grid)
            if kind == "coverage":
                if den_el not in pop:
                    raise InputError(
                        f"The population data have no column '{den_el}'",
                        where="the population data",
                        todo=f"Add the target population '{den_el}' for each org unit and year",
                    )
                years = grid.get_level_values("period").year
                keys = pd.MultiIndex.from_arrays([grid.get_level_values("org_unit"), years])
                den = pd.Series(
                    _numeric(pop[[den_el]], den_el).reindex(keys).to_numpy() * share, index=grid
                )
            elif kind == "ratio":
                den = (summed[den_el] if den_el in summed else pd.Series(dtype=float)).reindex(grid)
            elif kind == "dropout":
                last = (summed[den_el] if den_el in summed else pd.Series(dtype=float)).reindex(
                    grid
                )
                num, den = num - last, num
            elif kind == "average":
                count = months_reported[num_el] if num_el in months_reported else pd.Series()
                den = count.reindex(grid).astype(float)
                den = den.where(den > 0)
            else:
                raise InputError(
                    f"Unknown kind {kind!r} for indicator {code}",
                    where="the indicator definitions",
                    todo="Use coverage, ratio, dropout, average or reporting",
                )
        num = num.astype(float)
        den = den.astype(float)
        value = (num / den.where(den > 0)) * factor
        value = value.where(num.notna())
        parts.append(
            pd.DataFrame(
                {
                    "org_unit": grid.get_level_values("org_unit").to_numpy(dtype=object),
                    "period": grid.get_level_values("period"),
                    "indicator": code,
                    "value": value.to_numpy(dtype=float),
                    "numerator": num.to_numpy(dtype=float),
                    "denominator": den.to_numpy(dtype=float),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["period"] = pd.PeriodIndex(out["period"], freq=freq)
    return out


def not_offered(values: pd.DataFrame, org_units: pd.DataFrame, level: int = 4) -> pd.DataFrame:
    """Org unit and indicator pairs where the service is not offered ("not applicable").

    ``values`` is a table from :func:`district_indicators`: an org unit at
    ``level`` (4 = facility) with no row at all for an indicator does not offer
    that service. Returns a new table with ``org_unit`` and ``indicator``,
    ready for the ``not_applicable`` argument of :func:`scorecard`.
    """
    _check_columns(values, ["org_unit", "indicator"], "indicator values")
    table = _org_table(org_units)
    units = table.loc[table["level"].astype(int) == int(level), "org_unit"].to_numpy(dtype=object)
    inds = pd.unique(values["indicator"].astype(str))
    grid = pd.MultiIndex.from_product([units, inds], names=["org_unit", "indicator"])
    present = pd.MultiIndex.from_frame(
        values[["org_unit", "indicator"]].astype(str).drop_duplicates()
    )
    missing = grid[~grid.isin(present)]
    return missing.to_frame(index=False)


#: Above this, a value of a percentage indicator cannot be a percentage: it is a
#: count (coverage above 100 % happens when a population estimate is too low, but
#: not ten times over). A convention of this toolkit.
COUNT_NOT_PERCENT = 1000.0


def own_definitions(values: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Definitions for a user's own indicator values, inventing no target.

    ``values`` is a table made by :func:`indicator_values`. An indicator whose
    code is one of :data:`STANDARD_INDICATORS` keeps its standard definition
    (name, target, thresholds, direction); any other gets none: no target, no
    thresholds, no direction, so its cells show "no target set" and are not
    coloured (:data:`CARD_BANDS`) until the user gives them. A standard
    percentage indicator whose values go above :data:`COUNT_NOT_PERCENT` holds
    counts, not percentages, and is not coloured either.

    Returns the definitions table (for :func:`scorecard`) and, for each
    indicator left without colours, the reason in plain words.
    """
    require_columns(values, ["indicator", "value"], "your indicator values")
    standard = default_definitions().set_index("indicator")
    numbers = pd.to_numeric(values["value"], errors="coerce")
    rows, reasons = [], {}
    for code in pd.unique(values["indicator"].astype(str)):  # one row per indicator
        own = numbers[values["indicator"].astype(str) == code].dropna()
        top = float(own.abs().max()) if len(own) else math.nan
        whole = bool(len(own)) and bool((own == own.round()).all())
        shown = f"{top:,.0f}" if whole or math.isnan(top) else f"{top:,.1f}"
        if code in standard.index:
            row = standard.loc[code].to_dict() | {"indicator": code}
            if row.get("unit") == "%" and top > COUNT_NOT_PERCENT:
                reasons[code] = (
                    f"its values (up to {shown}) are counts, not percentages, so the "
                    f"standard target of {row['target']:g} % does not apply"
                )
                row |= {"unit": "", "decimals": 0, "target": math.nan, "thresholds": None}
                row |= {"higher_is_better": None}
            rows.append(row)
            continue
        kind = f"whole numbers up to {shown}, so probably counts" if whole else f"up to {shown}"
        reasons[code] = (
            "it is not one of the standard indicators, so its target and whether higher or "
            f"lower is better are not known (its values are {kind})"
        )
        rows.append(
            {
                "indicator": code,
                "name": code,
                "higher_is_better": None,
                "target": math.nan,
                "thresholds": None,
                "unit": "",
                "decimals": 0 if whole else 1,
                "factor": 1.0,
                "aggregation": "mean",
            }
        )
    return pd.DataFrame(rows), reasons


_PERIOD_WORDS = {
    "D": "days",
    "W": "weeks",
    "M": "months",
    "Q": "quarters",
    "Y": "years",
    "A": "years",
}


def indicator_values(table: pd.DataFrame) -> pd.DataFrame:
    """A user's own table of indicator values, checked and ready for :func:`scorecard`.

    ``table`` needs the columns ``org_unit``, ``period``, ``indicator`` and
    ``value``. Periods may be written in any form :func:`phcpm.periods.parse_period_series`
    reads (2025Q1, 2025-03, March 2025, DHIS2 codes), but one scorecard uses one
    kind of period. An empty value stays missing ("no data" on the scorecard);
    a value that is not a number is refused with the row where it is, so that
    nothing the user typed is silently dropped. Returns a new DataFrame with
    ``period`` as pandas periods and ``value`` as numbers; ``table`` is not
    changed.
    """
    need = ["org_unit", "period", "indicator", "value"]
    require_columns(
        table, need, "your table", "Name the columns org_unit, period, indicator and value"
    )
    out = table[need].copy().reset_index(drop=True)
    out["org_unit"] = out["org_unit"].astype(str)
    out["indicator"] = out["indicator"].astype(str)
    if len(out) == 0:
        raise InputError(
            "Your table has no rows of indicator values",
            where="your table",
            todo="Choose a file with one row per org unit, period and indicator under the headings",
        )
    if isinstance(out["period"].dtype, pd.PeriodDtype):
        periods = pd.PeriodIndex(out["period"])
    elif all(isinstance(p, pd.Period) for p in pd.unique(out["period"])):
        # Periods already read (for example by phcpm.io.tidy), possibly of several kinds.
        kinds = sorted(
            {_PERIOD_WORDS.get(p.freqstr[0], p.freqstr) for p in pd.unique(out["period"])}
        )
        if len(kinds) > 1:
            raise InputError(
                "Your table mixes kinds of periods (" + " and ".join(kinds) + ")",
                where="column 'period'",
                todo="Use one kind of period in one scorecard: keep only the "
                + kinds[0]
                + " or only the "
                + kinds[1]
                + " rows",
            )
        periods = pd.PeriodIndex(list(out["period"]))
    else:
        parsed, problems = parse_period_series(out["period"].astype(str))
        bad = problems.notna().to_numpy()
        if bad.any():
            first = int(bad.argmax())
            raise InputError(
                f"The period {out['period'].iloc[first]!r} cannot be read: {problems.iloc[first]}",
                where=f"row {first + 2} of your table, column 'period'",
                todo="Write periods as 2025Q1, 2025-03 or March 2025",
            )
        kinds = {p.freqstr for p in pd.unique(parsed)}
        if len(kinds) > 1:
            raise InputError(
                "Your table mixes kinds of periods (for example months and quarters)",
                where="column 'period'",
                todo="Use one kind of period in one scorecard",
            )
        periods = pd.PeriodIndex(list(parsed))
    out["period"] = periods
    raw = out["value"]
    numbers = pd.to_numeric(raw, errors="coerce")
    text = raw.astype("string").str.strip()
    typed = raw.notna().to_numpy() & (text.fillna("") != "").to_numpy()
    unread = typed & numbers.isna().to_numpy()
    if unread.any():
        first = int(unread.argmax())
        raise InputError(
            f"The value {raw.iloc[first]!r} is not a number",
            where=f"row {first + 2} of your table, column 'value'",
            todo="Write values as plain numbers (for example 85 or 85.5), "
            "or leave the cell empty when there is no data",
        )
    out["value"] = numbers.astype("float64")
    return out
