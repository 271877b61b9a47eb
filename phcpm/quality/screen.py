"""What the data quality review tool shows, worked out from a review's result.

:func:`phcpm.quality.review` does the checks; the functions here choose what a
manager looks at next: the complete years a file holds, the districts of a
region, the level shown for a chosen region or district, the values to verify
inside it, the flags listed and the monthly series each can open, and the
facilities a reporting funnel plot says to look at. Nothing is changed in place.

The year reviewed is a complete calendar year, as in the WHO desk review
(WHO, *Data quality review: a toolkit for facility data quality assessment.
Module 2: Desk review of data quality*, Geneva, 2017, section 1.3).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from phcpm.funnel import FunnelResult

__all__ = [
    "FLAG_HEADINGS",
    "LEVELS",
    "between_limits",
    "complete_years",
    "districts_in",
    "flag_listing",
    "funnel_figure",
    "level_and_boundary",
    "look_here_table",
    "same_series",
    "series_choices",
    "verify_within",
    "with_district",
]

#: The levels of the review, from the top.
LEVELS = ("region", "district", "facility")

#: The columns of the flag list, as a manager reads them.
FLAG_HEADINGS = {
    "check": "Check",
    "district": "District",
    "org_unit": "Facility",
    "period": "Month",
    "data_element": "Data element",
    "value": "Value",
    "message": "What was found",
}


def complete_years(data: pd.DataFrame, period: str = "period") -> list[int]:
    """The years with all 12 months in ``data[period]`` (monthly periods such as
    ``"2024-03"``), oldest first; none for an empty table.

    >>> months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"]
    >>> complete_years(pd.DataFrame({"period": months}))
    [2024]
    """
    if data is None or not len(data):
        return []
    months = pd.PeriodIndex(data[period].astype(str), freq="M").unique()
    counts = pd.Series(months.year).value_counts()
    return sorted(int(y) for y, n in counts.items() if n == 12)


def districts_in(units: pd.DataFrame, region: str | None = None) -> list[str]:
    """The districts among the review's ``units`` (columns ``level``, ``org_unit``,
    ``region``), of one region or all, in alphabetical order.

    >>> units = pd.DataFrame({"level": ["district", "district", "facility"],
    ...                       "org_unit": ["Ruvo", "Ama", "Kelumo HC"],
    ...                       "region": ["North", "South", "North"]})
    >>> districts_in(units), districts_in(units, "North")
    (['Ama', 'Ruvo'], ['Ruvo'])
    """
    rows = units[units["level"] == "district"]
    if region is not None:
        rows = rows[rows["region"].astype(str) == region]
    return sorted(rows["org_unit"].dropna().astype(str).unique())


def level_and_boundary(
    levels: Iterable[str], region: str | None = None, district: str | None = None
) -> tuple[str, str | None]:
    """The level of the sub-units to show and the boundary they are inside.

    A district chosen shows its facilities; a region its districts (its
    facilities when the data have no district level); nothing chosen, the
    highest level the data have, everywhere.

    >>> level_and_boundary(["region", "district", "facility"])
    ('region', None)
    >>> level_and_boundary(["region", "district", "facility"], region="North")
    ('district', 'North')
    >>> level_and_boundary(["region", "facility"], region="North")
    ('facility', 'North')
    >>> level_and_boundary(["region", "district", "facility"], "North", "Ruvo")
    ('facility', 'Ruvo')
    """
    levels = list(levels)
    if district is not None:
        return "facility", district
    if region is not None:
        return ("district" if "district" in levels else "facility"), region
    for level in LEVELS:
        if level in levels:
            return level, None
    return "facility", None


def verify_within(table: pd.DataFrame, within: str | None = None) -> pd.DataFrame:
    """The verify-first list (:func:`phcpm.report.verify_table`) inside a district or
    region (``within``, matched against the ``District`` and ``Region`` columns);
    the ranking stays the whole data's.

    >>> table = pd.DataFrame({"District": ["Ruvo", "Ama"], "Region": ["North", "South"]})
    >>> verify_within(table, "North")["District"].tolist()
    ['Ruvo']
    """
    if within is None:
        return table
    inside = pd.Series(False, index=table.index)
    for column in ("District", "Region"):
        if column in table:
            inside |= table[column].astype(str) == within
    return table[inside.to_numpy()]


def with_district(flags: pd.DataFrame, district: pd.Series) -> pd.DataFrame:
    """The flags with each facility's district (``district`` maps facility to
    district) as their second column; unchanged when there is no such map.

    >>> flags = pd.DataFrame({"check": ["Outlier"], "org_unit": ["Kelumo HC"]})
    >>> list(with_district(flags, pd.Series({"Kelumo HC": "Ruvo District"})).iloc[0])
    ['Outlier', 'Ruvo District', 'Kelumo HC']
    """
    if not len(district):
        return flags
    out = flags.copy()
    out.insert(1, "district", out["org_unit"].map(district))
    return out


def flag_listing(flags: pd.DataFrame, max_rows: int) -> pd.DataFrame:
    """The first ``max_rows`` flags with the columns a manager reads (those of
    :data:`FLAG_HEADINGS` the flags have), index kept so a row opens its series."""
    columns = [c for c in FLAG_HEADINGS if c in flags and c not in ("value", "message")]
    return flags[columns + ["value", "message"]].head(max_rows)


def series_choices(listing: pd.DataFrame) -> list[tuple[str, object]]:
    """The monthly flags of a listing as ``(label, index)`` choices: "facility –
    data element – month (check)"; flags of a whole year have no monthly series.

    >>> listing = pd.DataFrame({"check": ["Outlier", "Completeness"],
    ...     "org_unit": ["Kelumo HC", "Kelumo HC"], "data_element": ["ANC1", "ANC1"],
    ...     "period": ["2024-03", "2024"]}, index=[7, 9])
    >>> series_choices(listing)
    [('Kelumo HC – ANC1 – 2024-03 (Outlier)', 7)]
    """
    monthly = listing[listing["period"].astype(str).str.len() == 7]  # "2024-03"
    return [
        (f"{r.org_unit} – {r.data_element} – {r.period} ({r.check})", i)
        for i, r in zip(monthly.index, monthly.itertuples(index=False), strict=True)
    ]


def same_series(flags: pd.DataFrame, index: Hashable) -> tuple[pd.Series, pd.DataFrame]:
    """The flag at ``index`` and every flag of the same facility and data element
    (the months to circle on its series)."""
    row = flags.loc[index]
    same = flags[
        (flags["org_unit"] == row["org_unit"]) & (flags["data_element"] == row["data_element"])
    ]
    return row, same


def look_here_table(
    result: FunnelResult, intervals: pd.DataFrame, what: str, counted_heading: str
) -> pd.DataFrame:
    """The facilities outside a reporting funnel's 99.8 % limits, furthest first, as
    a table: reports expected and received (``counted_heading``), the percentage,
    its 95 % interval (from :func:`phcpm.quality.unit_proportions`, by ``org_unit``)
    and where it falls. ``result`` is a :class:`phcpm.funnel.FunnelResult`."""
    rows = result.look_here().set_index("org_unit")
    bounds = intervals.set_index("org_unit") if "org_unit" in intervals else intervals
    lower = bounds["lower"].reindex(rows.index)
    upper = bounds["upper"].reindex(rows.index)
    return pd.DataFrame(
        {
            "Facility": rows["name"],
            "Reports expected": rows["denominator"],
            counted_heading: rows["numerator"],
            f"Reporting {what} (%)": rows["value"].round(1),
            "95 % interval": [
                f"{lo:.1f} – {hi:.1f} %" if pd.notna(lo) and pd.notna(hi) else ""
                for lo, hi in zip(lower, upper, strict=True)
            ],
            "Where": rows["where"],
        }
    )


def between_limits(table: pd.DataFrame) -> int:
    """How many units of a funnel table lie between the 95 % and 99.8 % limits."""
    return int(table["position"].isin(["above_95", "below_95"]).sum())


def funnel_figure(result: FunnelResult, title: str, xlabel: str, ylabel: str) -> Figure:
    """:func:`phcpm.funnel.plot_funnel`, with the numbers of reports expected as the
    ticks when there are few of them (often one: 12 monthly reports a year), and the
    names of the facilities to look at written towards the middle so none is cut off."""
    from matplotlib.ticker import FixedLocator

    from phcpm.funnel import plot_funnel

    fig = plot_funnel(result, title=title, xlabel=xlabel, ylabel=ylabel)
    ax = fig.axes[0]
    n = result.table["denominator"].to_numpy(dtype=float)
    sizes = np.unique(n[np.isfinite(n) & (n > 0)])
    if 0 < len(sizes) <= 6:
        ax.xaxis.set_major_locator(FixedLocator(sizes))
    low, high = (np.log(v) for v in ax.get_xlim())
    for label in ax.texts:
        x = float(label.xy[0])
        if x > 0 and np.log(x) > (low + high) / 2:
            label.set_horizontalalignment("right")
            label.xyann = (-6, 4)
    return fig
