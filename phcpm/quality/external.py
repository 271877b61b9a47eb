"""External comparison and consistency of population data (WHO DQR dimensions 3 and 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.errors import require_columns
from phcpm.quality.consistency import (
    _relative_flags,
)
from phcpm.quality.preparation import (
    _S_FLAGGED,
    _S_NO_DATA,
    _S_OK,
    COLUMNS_TODO,
    WHO_DEFAULTS,
    _fmt,
    _result,
    _wide,
    as_number,
)

__all__ = ["coverage_over_100", "denominator_consistency", "external_comparison"]


# ------------------------------------------------------------- external comparison
def external_comparison(
    routine: pd.DataFrame,
    survey: pd.DataFrame,
    *,
    tolerance: float = WHO_DEFAULTS["external_comparison"],
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    data_element: str = "data_element",
    value: str = "value",
    period: str = "period",
) -> pd.DataFrame:
    """Routine coverage compared with a survey estimate (WHO DQR dimension 3).

    Source: WHO, *Data quality review, Module 2* (2017), "external comparison": the
    ratio of coverage from routine data to coverage from a population survey
    (for example DHS or MICS) for the same area and year; a ratio more than 33 %
    away from 1 is flagged.

    Both tables have ``org_unit``, ``data_element`` and ``value`` (coverage in %),
    and optionally ``period``; rows are matched on the columns both tables have.
    ``statistic`` is routine / survey; a missing or zero survey value gives
    ``"no_data"``.
    """
    require_columns(routine, [org_unit, data_element, value], "the routine coverage", COLUMNS_TODO)
    require_columns(survey, [org_unit, data_element, value], "the survey data", COLUMNS_TODO)
    keys = [org_unit, data_element] + ([period] if period in routine and period in survey else [])
    left = routine[keys].copy()
    left["value"] = as_number(routine[value], "routine coverage", value)
    right = survey[keys].copy()
    right["survey"] = as_number(survey[value], "survey data", value)
    merged = left.merge(right, on=keys, how="left")
    merged = merged.rename(columns={org_unit: "org_unit", data_element: "data_element"})
    if period in keys:
        merged = merged.rename(columns={period: "period"})
    r = merged["value"].to_numpy(dtype="float64")
    s = merged["survey"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(s > 0, r / s, np.nan)
    severity, _ = _relative_flags(ratio, 1.0, tolerance)
    keep = severity >= _S_FLAGGED
    s_kept = pd.Series(s[keep])

    def messages(out):
        sv = s_kept.set_axis(out.index)
        text = (
            out["data_element"].astype(str)
            + " in "
            + out["org_unit"].astype(str)
            + ": routine coverage "
            + _fmt(out["value"], "{:.0f}")
            + " % against "
            + _fmt(sv, "{:.0f}")
            + " % in the survey (ratio "
            + _fmt(out["statistic"], "{:.2f}")
            + f", allowed ±{tolerance * 100:.0f} %). Check the target population and the counts."
        )
        return text

    return _result(
        merged, "external_comparison", tolerance, ratio, severity, messages, flagged_only
    )


# ---------------------------------------------------------------- denominators
def denominator_consistency(
    population: pd.DataFrame,
    first: str,
    second: str,
    *,
    expected_ratio: float = 1.0,
    tolerance: float = WHO_DEFAULTS["denominator_consistency"],
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    group: str = "data_element",
    value: str = "value",
    period: str = "period",
) -> pd.DataFrame:
    """Two estimates of a population compared (WHO DQR dimension 4).

    Source: WHO, *Data quality review, Module 2* (2017), "consistency of population
    data": for example live births from the official projection against an
    independent estimate, or live births against expected pregnancies; a ratio
    more than 10 % away from the expected ratio is flagged.

    ``population`` is long: ``org_unit``, ``group`` (population group, e.g.
    ``live_births``), ``value`` and optionally ``period``. ``statistic`` is
    first / second. ``expected_ratio`` is the ratio the two should have (1 for two
    estimates of the same group; below 1 for live births against pregnancies).
    """
    require_columns(population, [org_unit, group, value], "the population data", COLUMNS_TODO)
    keys = [org_unit] + ([period] if period in population else [])
    pop = population[keys + [group]].copy()
    pop["_v"] = as_number(population[value], "population data", value)
    pop = pop[pop[group].isin([first, second]).to_numpy()]
    wide = _wide(pop.rename(columns={"_v": "value"}), keys, group, [first, second])
    a = wide[first].to_numpy(dtype="float64")
    b = wide[second].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(b > 0, a / b, np.nan)
    severity, _ = _relative_flags(ratio, float(expected_ratio), tolerance)
    out_frame = pd.DataFrame(
        {
            "org_unit": wide.index.get_level_values(org_unit),
            "period": wide.index.get_level_values(period) if period in keys else None,
            "data_element": f"{first}/{second}",
            "value": a,
        }
    )
    keep = severity >= _S_FLAGGED
    b_kept = pd.Series(b[keep])

    def messages(out):
        bv = b_kept.set_axis(out.index)
        text = (
            out["org_unit"].astype(str)
            + f": {first} "
            + _fmt(out["value"])
            + f" against {second} "
            + _fmt(bv)
            + " (ratio "
            + _fmt(out["statistic"], "{:.2f}")
            + f", expected {expected_ratio:.2f} ±{tolerance * 100:.0f} %). "
            "One of the population estimates may be out of date."
        )
        return text

    return _result(
        out_frame, "denominator_consistency", tolerance, ratio, severity, messages, flagged_only
    )


def coverage_over_100(
    coverage: pd.DataFrame,
    *,
    limit: float = WHO_DEFAULTS["coverage_limit"],
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> pd.DataFrame:
    """Coverage above 100 %: the target population is probably too small.

    Source: WHO, *Data quality review, Module 2* (2017), consistency of population
    data: coverage above 100 % points to an under-estimated denominator (or to
    people from outside the catchment area, or to over-counting).

    ``coverage`` is a long table of coverage values in percent (for instance from
    :func:`phcpm.analysis.coverage`). A value strictly above ``limit`` is flagged;
    missing values are ``"no_data"``.
    """
    cols = [org_unit, data_element, value] + ([period] if period in coverage else [])
    require_columns(coverage, cols, "the coverage table", COLUMNS_TODO)
    frame = pd.DataFrame(
        {
            "org_unit": coverage[org_unit].array,
            "period": coverage[period].array if period in coverage else None,
            "data_element": coverage[data_element].array,
            "value": as_number(coverage[value], "coverage table", value).to_numpy(),
        }
    )
    v = frame["value"].to_numpy()
    severity = np.where(np.isnan(v), _S_NO_DATA, np.where(v > limit, _S_FLAGGED, _S_OK))

    def messages(out):
        text = (
            out["data_element"].astype(str)
            + " coverage in "
            + out["org_unit"].astype(str)
            + " is "
            + _fmt(out["value"], "{:.0f}")
            + f" %, above {limit:.0f} %. The target population may be too small, "
            "or people come from outside the area."
        )
        return text

    return _result(frame, "coverage_over_100", limit, v, severity, messages, flagged_only)
