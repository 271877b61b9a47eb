"""Indicator definitions and band legends: what each indicator means and where its bands lie.

The two ways of writing band boundaries (two cut-offs or a DHIS2-style legend)
are explained in :mod:`phcpm.scorecard`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.style import BANDS

__all__ = ["ARROWS", "CARD_BANDS", "FLAT_TOLERANCE", "PERFORMANCE_BANDS"]

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
