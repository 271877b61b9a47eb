"""Indicators from routine data: coverage, dropout, aggregation, ranking and trends.

Input shape as in :mod:`phcpm.quality`: tidy long routine data with ``org_unit``,
``period`` (monthly :class:`pandas.Period`), ``data_element`` and ``value``.
Population data are long too: ``org_unit``, ``year``, ``group`` (a target
population such as ``surviving_infants``) and ``value`` (people per year).

Every function returns a new DataFrame and leaves its inputs unchanged. Where a
denominator is zero or missing the result is NaN and a ``flag`` column says why, so
nothing crashes on a facility with no target population.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.quality import as_monthly_period, as_number
from phcpm.rates import rate

__all__ = [
    "aggregate_up",
    "coverage",
    "dropout_rate",
    "indicator",
    "monthly_target",
    "rank_units",
    "year_on_year",
]

NO_DENOMINATOR = "no denominator (zero or missing)"
NO_NUMERATOR = "no numerator (missing)"
COLUMNS_TODO = "Rename your columns, or tell the function which column to use"


def _ratio(num: np.ndarray, den: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """The value (:func:`phcpm.rates.rate`) and why there is none, where there is none."""
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    out = rate(num, den, factor)
    flag = np.where(~(den > 0), NO_DENOMINATOR, np.where(np.isnan(num), NO_NUMERATOR, "")).astype(
        object
    )
    return out, flag


def indicator(
    data: pd.DataFrame,
    numerator: str,
    denominator: str,
    *,
    factor: float = 100.0,
    name: str | None = None,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """An indicator from two data elements: ``numerator / denominator * factor``.

    Source: WHO, *Analysis and use of health facility data: guidance for
    programme managers* (WHO, Geneva, 2019), indicator = numerator / denominator,
    expressed per 100 (a percentage) unless stated.

    Both data elements come from ``data`` and are matched by org unit and period.
    Returns ``org_unit, period, indicator, numerator, denominator, value, flag``;
    ``value`` is NaN and ``flag`` explains when the denominator is zero or missing.
    No rounding.

    >>> data = pd.DataFrame({"org_unit": ["A", "A", "B", "B"], "period": ["2024-01"] * 4,
    ...                      "data_element": ["PENTA1", "PENTA3"] * 2, "value": [40, 36, 0, 5]})
    >>> out = indicator(data, "PENTA3", "PENTA1")
    >>> out[["org_unit", "numerator", "denominator", "value"]]
      org_unit  numerator  denominator  value
    0        A       36.0         40.0   90.0
    1        B        5.0          0.0    NaN
    >>> out["flag"].tolist()
    ['', 'no denominator (zero or missing)']
    """
    require_columns(data, [org_unit, period, data_element, value], "the routine data", COLUMNS_TODO)
    frame = pd.DataFrame(
        {
            "org_unit": data[org_unit].array,
            "period": data[period].array,
            "data_element": data[data_element].array,
            "value": as_number(data[value], "routine data", value).to_numpy(),
        }
    )
    frame = frame[frame["data_element"].isin([numerator, denominator]).to_numpy()]
    wide = (
        frame.groupby(["org_unit", "period", "data_element"], observed=True, sort=True)["value"]
        .sum(min_count=1)
        .unstack("data_element")
        .reindex(columns=[numerator, denominator])
    )
    value_, flag = _ratio(wide[numerator].to_numpy(), wide[denominator].to_numpy(), factor)
    return pd.DataFrame(
        {
            "org_unit": wide.index.get_level_values("org_unit"),
            "period": wide.index.get_level_values("period"),
            "indicator": name or f"{numerator}/{denominator}",
            "numerator": wide[numerator].to_numpy(dtype="float64"),
            "denominator": wide[denominator].to_numpy(dtype="float64"),
            "value": value_,
            "flag": flag,
        }
    )


def monthly_target(
    population: pd.DataFrame,
    group: str,
    *,
    org_unit: str = "org_unit",
    year: str = "year",
    group_column: str = "group",
    value: str = "value",
) -> pd.DataFrame:
    """Monthly target population: the annual target divided by 12.

    Source: WHO, *Immunization in practice: a practical guide for health staff*,
    Module 6 "Monitoring and surveillance" (WHO, Geneva, 2015): the monthly target
    used on the monitoring chart is the annual target population divided by 12.

    Returns ``org_unit, year, group, annual, monthly``, one row per org unit and
    year, without rounding (targets are estimates; round only for display).
    """
    require_columns(
        population, [org_unit, year, group_column, value], "the population data", COLUMNS_TODO
    )
    sub = population[population[group_column].to_numpy() == group]
    if sub.empty:
        raise InputError(
            f"The population data have no rows for '{group}'",
            where=f"the column '{group_column}' of the population data",
            todo="Check the name of the target population group",
        )
    annual = as_number(sub[value], "population data", value)
    out = pd.DataFrame(
        {
            "org_unit": sub[org_unit].array,
            "year": sub[year].astype("int64").to_numpy(),
            "group": group,
            "annual": annual.to_numpy(),
        }
    )
    out = out.groupby(["org_unit", "year", "group"], as_index=False, observed=True).sum(min_count=1)
    out["monthly"] = out["annual"] / 12.0
    return out


def coverage(
    data: pd.DataFrame,
    population: pd.DataFrame,
    numerator: str,
    target: str,
    *,
    freq: str = "M",
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
    pop_org_unit: str = "org_unit",
    pop_year: str = "year",
    pop_group: str = "group",
    pop_value: str = "value",
) -> pd.DataFrame:
    """Coverage (%) = people served / target population x 100.

    Source: WHO, *Immunization in practice*, Module 6 (2015): coverage = number
    vaccinated / target population x 100, with a monthly target of annual
    target / 12 (see :func:`monthly_target`).

    ``freq="M"`` gives monthly coverage (numerator of the month over annual
    target / 12). ``freq="Y"`` gives annual coverage: the sum of the months of a
    calendar year over the annual target; months that were not reported are not
    filled in, so an incomplete year shows a lower coverage (check completeness
    first). Returns ``org_unit, period, indicator, numerator, denominator, value,
    flag``; no rounding. Coverage above 100 % is kept as it is: see
    :func:`phcpm.quality.coverage_over_100`.
    """
    if freq not in ("M", "Y"):
        raise InputError(f"Unknown frequency {freq!r}", todo="Use freq='M' or freq='Y'")
    require_columns(data, [org_unit, period, data_element, value], "the routine data", COLUMNS_TODO)
    targets = monthly_target(
        population,
        target,
        org_unit=pop_org_unit,
        year=pop_year,
        group_column=pop_group,
        value=pop_value,
    )
    sub = data[data[data_element].to_numpy() == numerator]
    frame = pd.DataFrame(
        {
            "org_unit": sub[org_unit].array,
            "period": as_monthly_period(sub[period], "routine data", period).array,
            "value": as_number(sub[value], "routine data", value).to_numpy(),
        }
    )
    if freq == "Y":
        frame["period"] = pd.PeriodIndex(frame["period"]).asfreq("Y", how="end")
    num = frame.groupby(["org_unit", "period"], observed=True, sort=True)["value"].sum(min_count=1)
    out = num.rename("numerator").reset_index()
    out["year"] = pd.PeriodIndex(out["period"]).year.astype("int64")
    out = out.merge(targets, on=["org_unit", "year"], how="left")
    den = out["monthly"] if freq == "M" else out["annual"]
    value_, flag = _ratio(out["numerator"].to_numpy(), den.to_numpy(), 100.0)
    return pd.DataFrame(
        {
            "org_unit": out["org_unit"].array,
            "period": out["period"].array,
            "indicator": f"{numerator} coverage",
            "numerator": out["numerator"].to_numpy(dtype="float64"),
            "denominator": den.to_numpy(dtype="float64"),
            "value": value_,
            "flag": flag,
        }
    )


def dropout_rate(
    data: pd.DataFrame,
    first: str = "PENTA1",
    last: str = "PENTA3",
    *,
    high: float = 10.0,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """Dropout rate (%) = (first dose - last dose) / first dose x 100.

    Source: WHO, *Immunization in practice*, Module 6 (2015), and WHO *Reaching
    every district (RED): a guide to increasing coverage and equity in all
    communities in the African Region* (WHO AFRO, 2017): dropout
    (PENTA1 - PENTA3) / PENTA1 x 100; above 10 % points to a problem of use of
    services (children who start do not finish); a negative dropout points to a
    data problem.

    Returns ``org_unit, period, first, last, value, flag``; ``flag`` is
    ``"high dropout"`` above ``high`` %, ``"negative dropout: check the data"``
    below 0, the no-denominator text when the first dose count is 0 or missing,
    and empty otherwise. Computed per org unit and period as given (sum months
    first for annual rates: monthly rates swing).

    >>> data = pd.DataFrame({"org_unit": ["A", "A"], "period": ["2024-01"] * 2,
    ...                      "data_element": ["PENTA1", "PENTA3"], "value": [40, 30]})
    >>> dropout_rate(data)[["org_unit", "first", "last", "value", "flag"]]
      org_unit  first  last  value          flag
    0        A   40.0  30.0   25.0  high dropout
    """
    ind = indicator(
        data,
        first,
        last,
        factor=1.0,
        org_unit=org_unit,
        period=period,
        data_element=data_element,
        value=value,
    )
    f = ind["numerator"].to_numpy()
    la = ind["denominator"].to_numpy()
    rate, flag = _ratio(f - la, f, 100.0)
    flag = np.where(
        flag != "",
        flag,
        np.where(
            rate > high, "high dropout", np.where(rate < 0, "negative dropout: check the data", "")
        ),
    ).astype(object)
    return pd.DataFrame(
        {
            "org_unit": ind["org_unit"],
            "period": ind["period"],
            "first": f,
            "last": la,
            "value": rate,
            "flag": flag,
        }
    )


def _ancestor_map(org_units: pd.DataFrame, to_level, id_col, parent_col, level_col) -> pd.Series:
    """Map every org unit to its ancestor at ``to_level`` (or itself if at that level)."""
    ids = org_units[id_col]
    parent = pd.Series(org_units[parent_col].to_numpy(), index=ids.to_numpy())
    level = pd.Series(org_units[level_col].to_numpy(), index=ids.to_numpy())
    current = pd.Series(ids.to_numpy(), index=ids.to_numpy(), dtype=object)
    # One step up the tree per pass: the loop runs once per level, not per unit.
    for _ in range(len(level.unique()) + 1):
        lv = level.reindex(current.to_numpy()).to_numpy()
        above = pd.notna(lv) & (lv != to_level)
        if not above.any():
            break
        up = parent.reindex(current.to_numpy()).to_numpy()
        current = pd.Series(
            np.where(above, up, current.to_numpy()), index=current.index, dtype=object
        )
    lv = level.reindex(current.to_numpy()).to_numpy()
    current[lv != to_level] = None
    return current


def aggregate_up(
    data: pd.DataFrame,
    org_units: pd.DataFrame,
    to_level: object,
    *,
    org_unit: str = "org_unit",
    id_col: str = "org_unit_id",
    parent_col: str = "parent_id",
    level_col: str = "level",
    name_col: str | None = "name",
    keys: Sequence[str] = ("period", "data_element"),
    value: str = "value",
) -> pd.DataFrame:
    """Add counts up the hierarchy (facility -> district -> region).

    Convention (DHIS2 aggregation of counts, "sum" aggregation type): the value of
    a higher unit is the sum of the values of the units below it; missing values
    are skipped, and a unit all of whose values are missing stays missing.
    ``reporting_units`` counts the units that had a value. Only counts may be
    added: compute rates such as coverage after aggregating their numerator and
    denominator, never by adding rates.

    ``to_level`` is a value of the ``level`` column of ``org_units`` (e.g.
    ``"district"`` or ``2``). Units whose ancestry does not reach that level are
    reported in an :class:`InputError`.
    """
    require_columns(data, [org_unit, value, *keys], "the routine data", COLUMNS_TODO)
    require_columns(org_units, [id_col, parent_col, level_col], "the org unit table", COLUMNS_TODO)
    levels = set(pd.unique(org_units[level_col]))
    if to_level not in levels:
        raise InputError(
            f"There is no level {to_level!r} in the org unit table",
            where=f"the column '{level_col}' (levels: {', '.join(map(str, sorted(levels, key=str)))})",
            todo="Choose one of these levels",
        )
    mapping = _ancestor_map(org_units, to_level, id_col, parent_col, level_col)
    target = mapping.reindex(data[org_unit].to_numpy()).to_numpy()
    lost = pd.isna(target)
    if lost.any():
        missing = pd.unique(data[org_unit].to_numpy()[lost])[:5]
        raise InputError(
            f"Some org units have no parent at level {to_level!r}: " + ", ".join(map(str, missing)),
            where="the org unit table",
            todo="Add these units and their parents to the org unit table",
        )
    frame = pd.DataFrame({k: data[k].to_numpy() for k in keys})
    frame["org_unit"] = target
    frame["value"] = as_number(data[value], "routine data", value).to_numpy()
    grouped = frame.groupby(["org_unit", *keys], observed=True, sort=True)["value"]
    out = pd.DataFrame(
        {"value": grouped.sum(min_count=1), "reporting_units": grouped.count()}
    ).reset_index()
    if name_col and name_col in org_units:
        names = pd.Series(org_units[name_col].to_numpy(), index=org_units[id_col].to_numpy())
        out.insert(1, "name", names.reindex(out["org_unit"].to_numpy()).to_numpy())
    return out


def rank_units(
    table: pd.DataFrame,
    *,
    value: str = "value",
    higher_is_better: bool = True,
    by: Sequence[str] = (),
    benchmark_quantile: float = 0.9,
) -> pd.DataFrame:
    """Rank org units on an indicator and compare each with a benchmark.

    Convention: rank 1 is the best (``method="min"``: ties share the better
    rank); ``quartile`` 1 holds the best quarter. ``benchmark`` is the value
    reached by the top 10 % of units (the 90th percentile, linear interpolation,
    ``benchmark_quantile=0.9``; the 10th percentile when lower is better), a simple
    form of the "achievable benchmark" idea of Kiefe et al. (*Journal of
    Evaluation in Clinical Practice*, 1998). ``gap_to_benchmark`` is
    benchmark - value (positive: below the benchmark, when higher is better).
    ``by`` ranks within groups (e.g. per period or per district). Missing values
    get no rank.
    """
    cols = [value, *by]
    require_columns(table, cols, "the indicator table", COLUMNS_TODO)
    out = table.copy()
    v = as_number(out[value], "indicator table", value)
    out[value] = v
    grouped = out.groupby(list(by), observed=True, sort=False)[value] if by else None
    asc = not higher_is_better
    q = benchmark_quantile if higher_is_better else 1.0 - benchmark_quantile
    if grouped is None:
        rank = v.rank(method="min", ascending=asc)
        pct = v.rank(method="min", ascending=asc, pct=True)
        bench = pd.Series(v.quantile(q), index=out.index)
        median = pd.Series(v.median(), index=out.index)
    else:
        rank = grouped.rank(method="min", ascending=asc)
        pct = grouped.rank(method="min", ascending=asc, pct=True)
        bench = grouped.transform(lambda s: s.quantile(q))
        median = grouped.transform("median")
    out["rank"] = rank.astype("Float64")
    out["quartile"] = np.ceil(pct * 4).astype("Float64")
    out["benchmark"] = bench.to_numpy(dtype="float64")
    out["gap_to_benchmark"] = (bench - v).to_numpy() * (1 if higher_is_better else -1)
    out["above_median"] = (v > median) if higher_is_better else (v < median)
    return out


def year_on_year(
    data: pd.DataFrame,
    *,
    same_months: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """Totals per calendar year and the change from the year before (%).

    Convention: ``change_pct = (this year - last year) / last year x 100``. With
    ``same_months=True`` (default) both years are limited to the months of the
    year present for the latest year (year-to-date comparison, so a half year is
    not compared with a full one). Returns ``org_unit, data_element, year, value,
    months, previous, change_pct, flag``; ``flag`` says when the previous year is
    zero or missing.
    """
    require_columns(data, [org_unit, period, data_element, value], "the routine data", COLUMNS_TODO)
    per = pd.PeriodIndex(as_monthly_period(data[period], "routine data", period))
    frame = pd.DataFrame(
        {
            "org_unit": data[org_unit].array,
            "data_element": data[data_element].array,
            "year": np.asarray(per.year),
            "month": np.asarray(per.month),
            "value": as_number(data[value], "routine data", value).to_numpy(),
        }
    )
    if same_months and len(frame):
        last = frame["year"].max()
        months = set(frame.loc[frame["year"].to_numpy() == last, "month"])
        frame = frame[frame["month"].isin(months).to_numpy()]
    g = frame.groupby(["org_unit", "data_element", "year"], observed=True, sort=True)["value"]
    out = pd.DataFrame({"value": g.sum(min_count=1), "months": g.count()}).reset_index()
    key = out[["org_unit", "data_element"]].assign(year=out["year"] - 1)
    prev = out.set_index(["org_unit", "data_element", "year"])["value"]
    out["previous"] = prev.reindex(pd.MultiIndex.from_frame(key)).to_numpy()
    change, flag = _ratio(
        out["value"].to_numpy() - out["previous"].to_numpy(), out["previous"].to_numpy(), 100.0
    )
    out["change_pct"] = change
    out["flag"] = np.where(np.isnan(out["previous"].to_numpy()), "no previous year", flag)
    return out
