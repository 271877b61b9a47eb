"""District indicators computed from routine data, and a user's own indicator values."""

from __future__ import annotations

import math

import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.periods import parse_period_series
from phcpm.rates import rate
from phcpm.scorecard.checks import _numeric, _require
from phcpm.scorecard.hierarchy import _ancestor_at, _org_table
from phcpm.scorecard.standard import default_definitions

__all__ = [
    "COUNT_NOT_PERCENT",
    "district_indicators",
    "indicator_values",
    "not_offered",
    "own_definitions",
    "own_place_names",
]

_FREQ_MONTHS = {"M": 1, "Q": 3, "Y": 12}


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
    _require(frame, ["period"], f"the {what}")
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
    _require(
        defs, ["indicator", "kind", "numerator", "denominator", "factor"], "the definitions table"
    )
    _require(service, ["data_element", "value"], "the service data")
    _require(reporting, ["expected", "received", "on_time"], "the report register")
    _require(population, ["year"], "the population data")
    table = _org_table(org_units)
    _require(table, ["level", "parent"], "the org unit table")

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
        value = rate(num, den, factor)  # the one formula (phcpm.rates)
        parts.append(
            pd.DataFrame(
                {
                    "org_unit": grid.get_level_values("org_unit").to_numpy(dtype=object),
                    "period": grid.get_level_values("period"),
                    "indicator": code,
                    "value": value,
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
    _require(values, ["org_unit", "indicator"], "the table of indicator values")
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


def own_place_names(table: pd.DataFrame) -> dict[str, str]:
    """Place code → name from a user's file that has both (a DHIS2 download with its
    metadata columns has ``org_unit`` and ``org_unit_name``).

    Two places with the same name are told apart by the first higher level that
    differs ("Hillside Health Post (Upland)"), or else by their code, so that
    every row of the scorecard still names one place."""
    if "org_unit" not in table or "org_unit_name" not in table:
        return {}
    rows = table.dropna(subset=["org_unit", "org_unit_name"]).drop_duplicates("org_unit")
    codes = rows["org_unit"].astype(str).to_numpy()
    names = rows["org_unit_name"].astype(str).str.strip().to_numpy()
    out = dict(zip(codes, names, strict=True))
    levels = sorted(
        (c for c in rows.columns if str(c).lower().startswith("orgunitlevel")), reverse=True
    )
    for name in pd.unique(names[pd.Series(names).duplicated(keep=False).to_numpy()]):
        same = rows[names == name]
        label = None
        for level in levels:
            parents = same[level].astype(str)
            if parents.nunique() == len(same) and not (parents == name).any():
                label = parents.to_numpy()
                break
        for i, code in enumerate(same["org_unit"].astype(str)):
            out[code] = f"{name} ({label[i] if label is not None else code})"
    return out
