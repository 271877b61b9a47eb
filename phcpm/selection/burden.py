"""What a set of indicators costs facilities: staff time to record and report its data.

:func:`burden` lists the distinct data elements of a selection with the values,
minutes and hours they cost facilities; :func:`burden_totals` adds them up and
:func:`compare_burden` sets the current list next to a proposed shortlist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.selection.common import (
    _CATALOGUE_COLUMNS,
    ID,
    REPORTS_PER_YEAR,
    ROUTINE_SOURCES,
    _require_table,
    _rows,
    _selected_ids,
)

__all__ = ["burden", "burden_totals", "compare_burden"]


def _reports_lookup(reports_per_year: float | Mapping[str, float] | None) -> dict[str, float]:
    if reports_per_year is None:
        return dict(REPORTS_PER_YEAR)
    if isinstance(reports_per_year, Mapping):
        table = dict(REPORTS_PER_YEAR)
        table.update({str(k): float(v) for k, v in reports_per_year.items()})
    else:
        try:
            value = float(reports_per_year)
        except (TypeError, ValueError):
            value = float("nan")
        table = dict.fromkeys(REPORTS_PER_YEAR, value)
    if any(not np.isfinite(v) or v < 0 for v in table.values()):
        raise InputError(
            "Reports per year must be a number of zero or more",
            where="reports_per_year",
            todo="Leave it empty to use the catalogue frequency (monthly = 12), or give a number",
        )
    return table


def burden(
    selection: pd.DataFrame | Iterable[str],
    catalogue: pd.DataFrame,
    facilities: int,
    minutes_per_value: float = 1.0,
    reports_per_year: float | Mapping[str, float] | None = None,
    routine_sources: Iterable[str] = ROUTINE_SOURCES,
) -> pd.DataFrame:
    """Staff time that facilities spend recording and reporting the data a set needs.

    Burden of one data element = facilities x reports per year x minutes per value;
    staff hours per month = minutes per year / 12 / 60. The burden of the set is the
    sum over its *distinct* data elements: an element used by several indicators is
    counted once, at the most frequent reporting schedule among them. This is the
    "count the values, not the indicators" logic of the WHO *Data quality review*
    toolkit (2017, module 1) and of HMIS review guidance on reducing reporting load.

    Only elements from ``routine_sources`` (default: HMIS, LMIS, supervision
    checklists) count as facility burden. Elements from surveys, civil registration,
    HR or finance records are listed with ``routine`` = False and no burden figures;
    population estimates (codes beginning ``POP_``) are listed as not collected.

    Parameters
    ----------
    facilities:
        Number of facilities that report.
    minutes_per_value:
        Average staff minutes to count, record, check and report one value.
    reports_per_year:
        ``None`` to use each indicator's frequency (monthly 12, quarterly 4, annual
        1, every 3-5 years 0.25); one number for all elements; or a mapping
        frequency -> reports per year that overrides some of them.

    Returns
    -------
    One row per distinct data element: ``data_element``, ``indicators`` (codes using
    it, joined by ", "), ``data_source``, ``frequency``, ``routine``,
    ``reports_per_year``, ``values_per_year``, ``minutes_per_year`` and
    ``hours_per_month``; routine elements first, then the others.
    Example: Penta 3 coverage and the malaria testing rate need three values a
    month from each facility (the population estimate is not collected); 10
    facilities x 12 reports x 2 minutes = 240 minutes a year for each.

    >>> from phcpm.catalogue import catalogue
    >>> table = burden(["PENTA3_COV", "MAL_TEST_RATE"], catalogue(), 10, minutes_per_value=2)
    >>> table[["data_element", "minutes_per_year"]].values.tolist()[:3]
    [['MAL_SUSPECTED', 240.0], ['MAL_TESTED', 240.0], ['PENTA3', 240.0]]
    """
    _require_table(catalogue, _CATALOGUE_COLUMNS, "catalogue")
    if isinstance(facilities, bool) or not isinstance(facilities, int | np.integer):
        raise InputError(
            f"The number of facilities must be a whole number, not {facilities!r}",
            todo="Give the number of facilities that report, for example 150",
        )
    if facilities < 1:
        raise InputError(
            "The number of facilities must be 1 or more", todo="Give the number that report"
        )
    try:
        minutes = float(minutes_per_value)
    except (TypeError, ValueError):
        minutes = float("nan")
    if not np.isfinite(minutes) or minutes < 0:
        raise InputError(
            f"Minutes per value must be a number of zero or more, not {minutes_per_value!r}",
            todo="Give the average minutes to record and report one value, for example 1",
        )
    lookup = _reports_lookup(reports_per_year)
    routine = set(routine_sources)
    ids = _selected_ids(selection, catalogue)
    rows = _rows(ids, catalogue)

    long = rows[[ID, "data_elements", "data_source", "frequency"]].assign(
        data_element=rows["data_elements"].fillna("").astype(str).str.split(";")
    )
    long = long.explode("data_element")
    long["data_element"] = long["data_element"].str.strip()
    long = long[long["data_element"] != ""]
    long["population"] = long["data_element"].str.startswith("POP_")
    long["routine"] = long["data_source"].isin(routine) & ~long["population"]
    long["reports_per_year"] = long["frequency"].map(lookup).astype("float64")
    long.loc[~long["routine"], "reports_per_year"] = np.nan
    # One row per element: routine if any indicator collects it routinely, at the
    # most frequent schedule; sources and frequencies listed for information.
    long = long.sort_values(
        ["data_element", "routine", "reports_per_year"],
        ascending=[True, False, False],
        kind="mergesort",
        na_position="last",
    )
    grouped = long.groupby("data_element", sort=False)
    out = grouped.agg(
        indicators=(ID, lambda s: ", ".join(dict.fromkeys(s))),
        data_source=("data_source", "first"),
        frequency=("frequency", "first"),
        routine=("routine", "any"),
        population=("population", "all"),
        reports_per_year=("reports_per_year", "max"),
    ).reset_index()
    out.loc[out["population"], "data_source"] = "population estimate"
    out["values_per_year"] = np.where(out["routine"], facilities * out["reports_per_year"], np.nan)
    out["minutes_per_year"] = out["values_per_year"] * minutes
    out["hours_per_month"] = out["minutes_per_year"] / 12.0 / 60.0
    out = out.drop(columns="population")
    order = ["data_element", "indicators", "data_source", "frequency", "routine"]
    out = out[
        order + ["reports_per_year", "values_per_year", "minutes_per_year", "hours_per_month"]
    ]
    out = out.sort_values(["routine", "data_element"], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)


def burden_totals(burden_table: pd.DataFrame) -> pd.Series:
    """Totals of a :func:`burden` table: routine elements, values, minutes and hours.

    ``hours_per_month`` is the facility staff time for the whole set, all
    facilities together; ``other_elements`` counts the elements that come from
    surveys or other non-routine sources (not in the staff time).
    Example: three routine elements of 240 minutes a year make 720 minutes, that
    is 720 / 12 / 60 = 1 staff hour a month.

    >>> from phcpm.catalogue import catalogue
    >>> table = burden(["PENTA3_COV", "MAL_TEST_RATE"], catalogue(), 10, minutes_per_value=2)
    >>> burden_totals(table)[["routine_elements", "hours_per_month"]].tolist()
    [3.0, 1.0]
    """
    _require_table(
        burden_table,
        ["routine", "values_per_year", "minutes_per_year", "hours_per_month"],
        "burden table",
    )
    routine = burden_table["routine"].astype(bool)
    return pd.Series(
        {
            "routine_elements": int(routine.sum()),
            "other_elements": int((~routine).sum()),
            "values_per_year": float(burden_table.loc[routine, "values_per_year"].sum()),
            "minutes_per_year": float(burden_table.loc[routine, "minutes_per_year"].sum()),
            "hours_per_month": float(burden_table.loc[routine, "hours_per_month"].sum()),
        }
    )


def compare_burden(
    current: pd.DataFrame | Iterable[str],
    shortlist: pd.DataFrame | Iterable[str],
    catalogue: pd.DataFrame,
    facilities: int,
    minutes_per_value: float = 1.0,
    reports_per_year: float | Mapping[str, float] | None = None,
    routine_sources: Iterable[str] = ROUTINE_SOURCES,
) -> pd.DataFrame:
    """Facility data burden of the current indicator set next to a proposed shortlist.

    Uses :func:`burden` for each set (same method and assumptions). Returns a table
    with rows ``current``, ``shortlist`` and ``change`` (shortlist minus current) and
    columns ``indicators``, ``routine_elements``, ``other_elements``,
    ``values_per_year``, ``minutes_per_year`` and ``hours_per_month``.
    Example: adding Penta 3 coverage to four antenatal visits adds one element.

    >>> from phcpm.catalogue import catalogue
    >>> table = compare_burden(["ANC4_COV"], ["ANC4_COV", "PENTA3_COV"], catalogue(), 10, 2)
    >>> table["routine_elements"].tolist(), float(table.loc["change", "minutes_per_year"])
    ([1, 2, 1], 240.0)
    """
    kwargs = {
        "facilities": facilities,
        "minutes_per_value": minutes_per_value,
        "reports_per_year": reports_per_year,
        "routine_sources": tuple(routine_sources),
    }
    totals = {}
    for label, sel in (("current", current), ("shortlist", shortlist)):
        n = len(_selected_ids(sel, catalogue))
        t = burden_totals(burden(sel, catalogue, **kwargs))
        totals[label] = pd.concat([pd.Series({"indicators": n}), t])
    frame = pd.DataFrame(totals).T.astype("float64")
    frame.loc["change"] = frame.loc["shortlist"] - frame.loc["current"]
    for col in ("indicators", "routine_elements", "other_elements"):
        frame[col] = frame[col].astype(int)
    frame.index.name = "set"
    return frame
