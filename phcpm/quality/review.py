"""The whole desk review and its one-page summary."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.quality.annual import (
    AnnualReview,
    build_annual,
    load_relations,
    resolve_relations,
    review_year,
)
from phcpm.quality.completeness import (
    _element_completeness,
    reporting_completeness,
    reporting_timeliness,
)
from phcpm.quality.consistency import (
    _between,
    _check_compare_to,
    _over_time,
)
from phcpm.quality.external import coverage_over_100, denominator_consistency, external_comparison
from phcpm.quality.outliers import (
    _mz_core,
    _mz_result,
    _sd_core,
    _sd_result,
)
from phcpm.quality.preparation import (
    _EXTREME,
    _MODERATE,
    _NAT,
    _S_EXTREME,
    _S_MODERATE,
    _S_NO_DATA,
    COLUMNS_TODO,
    RESULT_COLUMNS,
    WHO_DEFAULTS,
    _empty_result,
    _prepare,
    _Routine,
    as_monthly_period,
)
from phcpm.quality.summary import (
    SUMMARY_COLUMNS,
    ReviewResult,
    _flagged,
    _summary_by_code,
    _summary_row,
    _summary_rows,
    filter_flags,
)

__all__ = ["SUMMARY_COLUMNS", "ReviewResult", "filter_flags", "review"]


# ------------------------------------------------------------------------ review
def _relations_from(related, internal, relations) -> pd.DataFrame:
    """The relations to check: the file, or the pairs given (``related``: about equal;
    ``internal``: ``(part, whole)``, the part not above the whole)."""
    if relations is not None:
        return relations if isinstance(relations, pd.DataFrame) else load_relations(relations)
    if related is None and internal is None:
        return load_relations()
    rows = []
    for a, b in related or ():
        rows.append(
            {
                "code": f"{a}/{b}",
                "name": f"{a} and {b} about equal",
                "a": a,
                "b": b,
                "type": "eq",
                "criteria": WHO_DEFAULTS["related_indicators"] * 100,
            }
        )
    for part, whole in internal or ():
        rows.append(
            {
                "code": f"{part}<={whole}",
                "name": f"{part} not above {whole}",
                "a": whole,
                "b": part,
                "type": "aGTb",
                "criteria": 0.0,
            }
        )
    return pd.DataFrame(rows, columns=["code", "name", "a", "b", "type", "criteria"])


def _subset(prep: _Routine, keep: np.ndarray) -> _Routine:
    """The prepared rows where ``keep`` is True (codes and names unchanged)."""
    rows = np.flatnonzero(keep)
    return _Routine(
        ou_array=prep.ou_array.take(rows),
        de_array=prep.de_array.take(rows),
        period_array=prep.period_array.take(rows) if prep.period_array is not None else None,
        ou=prep.ou[rows],
        ou_uniques=prep.ou_uniques,
        de=prep.de[rows],
        de_uniques=prep.de_uniques,
        month=prep.month[rows],
        value=prep.value[rows],
        exact_sums=prep.exact_sums,
    )


def _annual_flags(annual: AnnualReview, relations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Facility rows of the annual relation checks of type aGTb and do, as flag rows."""
    from phcpm.quality.annual_summary import _divergent

    units = annual.units
    rows = units[
        (units["level"] == "facility").to_numpy() & (units["metric"] == "relation").to_numpy()
    ]
    out = []
    for rel in relations.itertuples(index=False):
        if rel.type not in ("aGTb", "do"):
            continue
        sub = rows[rows["data_element"].to_numpy() == rel.code]
        sub = sub[np.isfinite(sub["score"].to_numpy(float))]
        if sub.empty:
            continue
        bad = sub[_divergent("relation", sub, annual.thresholds, None, rel)]
        for r in bad.itertuples(index=False):
            a, b = r.numerator, r.denominator
            out.append(
                {
                    "org_unit": r.org_unit,
                    "period": pd.Period(year=year, freq="Y"),
                    "data_element": f"{rel.b}<={rel.a}",
                    "value": b,
                    "rule": "internal_check",
                    "threshold": 0.0 if rel.type == "do" else 1 - (rel.criteria or 0) / 100,
                    "statistic": r.score,
                    "severity": "flagged",
                    "message": f"{rel.b} ({b:,.0f}) is higher than {rel.a} ({a:,.0f}) in "
                    f"{r.org_unit} over {year}: {rel.name.lower()} fails. Check both "
                    "numbers month by month.",
                }
            )
    if not out:
        return _empty_result()
    return pd.DataFrame(out)[RESULT_COLUMNS]


def _skipped(reporting, coverage, survey, population, population_pairs) -> list[str]:
    skipped = []
    if reporting is None:
        skipped.append(
            "1. Completeness of reporting and timeliness: needs the reports expected, "
            "received and received on time (the data set's reporting rates in the download)."
        )
    if coverage is None or survey is None:
        skipped.append(
            "3. External comparison: needs coverage computed from routine data and survey "
            "coverage (for example DHS or MICS) for the same areas."
        )
    if population is None or (not population_pairs and coverage is None):
        skipped.append(
            "4. Consistency of population data: needs population figures (two estimates of "
            "the same group, or coverage to check for values above 100 %)."
        )
    return skipped


def review(
    data: pd.DataFrame,
    reporting: pd.DataFrame | None = None,
    *,
    year: int | None = None,
    org_units: pd.DataFrame | None = None,
    relations: pd.DataFrame | str | None = None,
    related: Sequence[tuple[str, str]] | None = None,
    internal: Sequence[tuple[str, str]] | None = None,
    moderate: float = WHO_DEFAULTS["outlier_moderate_sd"],
    extreme: float = WHO_DEFAULTS["outlier_extreme_sd"],
    modified_z_cutoff: float = WHO_DEFAULTS["modified_z_cutoff"],
    time_threshold: float = WHO_DEFAULTS["consistency_over_time"],
    time_method: str = "mean",
    compare_to: str = "overall",
    related_tolerance: float = WHO_DEFAULTS["related_indicators"],
    completeness_threshold: float = WHO_DEFAULTS["reporting_completeness"],
    timeliness_threshold: float = WHO_DEFAULTS["reporting_timeliness"],
    element_threshold: float = WHO_DEFAULTS["data_element_completeness"],
    element_expected: str | pd.DataFrame = "reported",
    coverage: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    population_pairs: Sequence[tuple[str, str]] = (),
    window: str = "year",
    progress: Callable[[float, str], object] | None = None,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
) -> ReviewResult:
    """The WHO annual desk review of one complete year, at every level, and the flags.

    Sources: WHO, *Data quality review, Module 2: Desk review of data quality*
    (2017), and the annual review of the WHO Data Quality Tool for DHIS2
    (``src/moduleReview/review.js``, ``doAnalysis``); the rules and their defaults,
    each with its file and line, are in :mod:`phcpm.quality.annual`.

    * The review year is ``year`` or the last complete year of the data
      (:func:`review_year`); a partial year is never compared with full years.
      Every check looks at that year (consistency over time also at the 3 years
      before it that have data).
    * Values are added up over category option combos (and repeated rows) per
      org unit, month and data element.
    * Levels: facility, and district and region when the data have hierarchy
      columns (``orgunitlevelN``) or ``org_units`` is given
      (:func:`phcpm.quality.levels.hierarchy`). ``result.annual`` holds the raw
      numbers; ``result.annual.report(level, within)`` the DQR annual report table.
    * Relations between data elements come from ``relations`` (a table or a CSV
      path; default ``phcpm/quality/relations.csv``), or from the older
      ``related`` (about equal) and ``internal`` (``(part, whole)``) pairs; they are
      checked on the year's totals (a dropout is flagged only when negative).
    * Dimension 1 reporting checks run with ``reporting``; dimension 3 with
      ``coverage`` and ``survey`` (:func:`external_comparison`); dimension 4 with
      ``population`` and ``population_pairs`` (:func:`denominator_consistency`) and
      with ``coverage`` (:func:`coverage_over_100`). ``result.skipped`` lists the
      dimensions left out and what they need.
    * ``result.verify`` is the verify-first list (:mod:`phcpm.quality.verify`).

    The flag tables (``outliers``, ``over_time`` ...) hold facility rows of the
    review year; ``summary`` counts them (:data:`SUMMARY_COLUMNS`). ``progress``,
    when given, is called with a fraction between 0 and 1 and a text.
    """
    from phcpm.quality.levels import hierarchy
    from phcpm.quality.verify import verify_first

    def tell(fraction, text):
        if progress is not None:
            progress(fraction, text)

    _check_compare_to(compare_to)
    tell(0.05, "Reading the data…")
    prep_all = _prepare(data, org_unit, period, data_element, value)
    usable = (prep_all.ou >= 0) & (prep_all.de >= 0) & (prep_all.month != _NAT)
    if not usable.any():
        raise InputError(
            "The data have no row with an org unit, a month and a data element",
            todo="Check that the file is a DHIS2 download of monthly values",
        )
    the_year, why = review_year(prep_all.month[usable], year, allow_partial=True)
    partial = "not compared" in why
    notes = [f"Year reviewed: {why}."]
    present = set(prep_all.de_uniques)
    rels = resolve_relations(_relations_from(related, internal, relations), present)
    missing_rel = [r.name for r in rels.itertuples(index=False) if not {r.a, r.b} <= present]
    if missing_rel:
        notes.append(
            "Relations not checked because a data element is not in the data: "
            + "; ".join(missing_rel)
            + "."
        )
    coc = None
    if "category_option_combo" in data.columns:
        coc_codes, coc_values = pd.factorize(data["category_option_combo"])
        if len(coc_values) > 1:
            notes.append(
                f"Values were added up over {len(coc_values)} category option combos "
                "(disaggregations) for each org unit, month and data element."
            )
        coc = np.asarray(coc_codes, dtype=np.int64)
    # one row per org unit is enough to read the hierarchy: the first of each run
    ou = prep_all.ou
    heads = np.flatnonzero(np.r_[True, ou[1:] != ou[:-1]]) if len(ou) else np.zeros(0, int)
    heads = heads[ou[heads] >= 0]
    first = pd.Series(heads).groupby(ou[heads]).min().to_numpy()
    tree, source = hierarchy(data.iloc[first], org_units, org_unit=org_unit)
    notes.append(f"Levels from {source}.")
    reporting_year = None
    if reporting is not None:
        require_columns(
            reporting,
            [org_unit, period, "expected", "received"],
            "the reporting data",
            COLUMNS_TODO,
        )
        months = as_monthly_period(reporting[period], "reporting data", period)
        reporting_year = reporting.loc[np.asarray(months.dt.year == the_year)].copy()
        if reporting_year.empty:
            notes.append(f"The reporting data have no month of {the_year}.")
            reporting_year = None
    tell(0.2, "Adding up the values at each level…")
    annual, levels = build_annual(
        prep_all,
        tree,
        source,
        year=the_year,
        year_reason=why,
        reporting=reporting_year,
        relations=rels,
        compare_to=compare_to,
        completeness=completeness_threshold,
        timeliness=timeliness_threshold,
        element=element_threshold,
        moderate=moderate,
        extreme=extreme,
        time_threshold=time_threshold,
        time_method=time_method,
        org_unit=org_unit,
        period=period,
    )
    n_ref = annual.units.loc[annual.units["metric"] == "consistency_over_time", "reference_years"]
    if len(n_ref) and n_ref.max() > 0:
        counts = n_ref.value_counts().sort_index()
        notes.append(
            "Consistency over time compares "
            + str(the_year)
            + " with the mean of the preceding years that have data: "
            + ", ".join(f"{int(k)} year(s) for {v:,} rows" for k, v in counts.items())
            + "."
        )
    if annual.zero_usual:
        notes.append(
            "Values present and not zero: left out for "
            + ", ".join(annual.zero_usual)
            + ", whose usual monthly value is 0 (a zero is the normal report there)."
        )
    tell(0.55, "Finding the values to verify first…")
    verify = verify_first(
        prep_all, levels[0], rels, moderate=moderate, mz_cutoff=modified_z_cutoff, coc=coc
    )
    tell(0.7, "Listing the flagged values…")
    in_year = usable & (prep_all.month // 12 + 1970 == the_year)
    prep = _subset(prep_all, in_year)
    rows: list[dict] = []
    mean, sd, z, sev = _sd_core(prep, moderate, extreme, window)
    outl = _sd_result(prep, mean, sd, z, sev, moderate, extreme, True)
    del mean, sd, z
    n_sd = int((sev != _S_NO_DATA).sum())
    for label, code, thr in ((_EXTREME, _S_EXTREME, extreme), (_MODERATE, _S_MODERATE, moderate)):
        k = int((sev == code).sum())
        rows.append(_summary_row("outlier_sd", "all", thr, n_sd, k, "values", label))
    median, mz_z, mz_sev = _mz_core(prep, modified_z_cutoff, window)
    mz = _mz_result(prep, median, mz_z, mz_sev, modified_z_cutoff, True)
    n_mz = int((mz_sev != _S_NO_DATA).sum())
    rows.append(
        _summary_row("outlier_modified_z", "all", modified_z_cutoff, n_mz, len(mz), "values")
    )
    del sev, median, mz_z, mz_sev
    years = WHO_DEFAULTS["consistency_over_time_years"]
    has_past = not partial and bool(((prep_all.month[usable] // 12 + 1970) < the_year).any())
    if has_past:
        over_time, (sev, codes) = _over_time(
            prep_all, the_year, years, time_method, time_threshold, compare_to, None, True
        )
        rows += _summary_by_code(
            "consistency_over_time", sev, codes, prep.de_uniques, time_threshold, "org units"
        )
    else:
        over_time = _empty_result()
        notes.append(
            f"Consistency over time is not checked: the data have no year before {the_year}."
        )
    between_parts = []
    for rel in rels.itertuples(index=False):
        if rel.type != "eq" or not {rel.a, rel.b} <= present:
            continue
        tol = rel.criteria / 100 if not pd.isna(rel.criteria) else related_tolerance
        table, sev = _between(prep, rel.a, rel.b, 1.0, tol, "expected", "year", True, True)
        rows += _summary_by_code(
            "related_indicators",
            sev,
            np.zeros(len(sev), dtype=np.int64),
            [f"{rel.a}/{rel.b}"],
            tol,
            "org units",
        )
        between_parts.append(table)
    between = pd.concat(between_parts, ignore_index=True) if between_parts else _empty_result()
    internal_table = _annual_flags(annual, rels, the_year)
    fac = annual.units[
        (annual.units["level"] == "facility") & (annual.units["metric"] == "relation")
    ]
    for rel in rels.itertuples(index=False):
        if rel.type in ("aGTb", "do") and {rel.a, rel.b} <= present:
            checked = int((fac["data_element"] == rel.code).sum())
            flagged = int((internal_table["data_element"] == f"{rel.b}<={rel.a}").sum())
            rows.append(
                _summary_row(
                    "internal_check", f"{rel.b}<={rel.a}", 1.0, checked, flagged, "org units"
                )
            )
    completeness = timeliness = None
    if reporting_year is not None:
        rep_names = dict(org_unit=org_unit, period=period)
        comp_full = reporting_completeness(
            reporting_year, threshold=completeness_threshold, flagged_only=False, **rep_names
        )
        rows += _summary_rows(comp_full, "org units")
        completeness = _flagged(comp_full)
        if "on_time" in reporting_year or {"submitted_on", "deadline"} <= set(reporting_year):
            time_full = reporting_timeliness(
                reporting_year, threshold=timeliness_threshold, flagged_only=False, **rep_names
            )
            rows += _summary_rows(time_full, "org units")
            timeliness = _flagged(time_full)
    element_table, sev, codes = _element_completeness(
        prep,
        reporting_year,
        element_threshold,
        False,
        True,
        org_unit,
        period,
        "received",
        element_expected,
        data_element,
    )
    rows += _summary_by_code(
        "data_element_completeness", sev, codes, prep.de_uniques, element_threshold, "org units"
    )
    extra = {}
    if coverage is not None and survey is not None:
        extra["external"] = external_comparison(coverage, survey)
    if coverage is not None:
        extra["coverage_over_100"] = coverage_over_100(coverage)
    if population is not None:
        for first, second in population_pairs:
            extra[f"population {first}/{second}"] = denominator_consistency(
                population, first, second
            )
    for name, table in extra.items():
        rule = str(table["rule"].iloc[0]) if len(table) else None
        if rule:
            rows.append(
                _summary_row(
                    rule, name, float(table["threshold"].iloc[0]), len(table), len(table), "rows"
                )
            )
    skipped = _skipped(reporting_year, coverage, survey, population, population_pairs)
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary = summary.sort_values("dimension", kind="stable").reset_index(drop=True)
    annual.notes = notes
    tell(1.0, "Review done.")
    return ReviewResult(
        outliers=outl,
        modified_z=mz,
        over_time=over_time,
        between=between,
        internal=internal_table,
        completeness=completeness,
        timeliness=timeliness,
        element_completeness=element_table,
        summary=summary,
        extra=extra,
        year=the_year,
        annual=annual,
        verify=verify,
        notes=notes,
        skipped=skipped,
    )
