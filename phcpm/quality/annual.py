"""The annual data quality review of the WHO Data Quality Tool, at every level.

Reference: the WHO Data Quality Tool for DHIS2 (repository dhis2/who-data-quality-app,
``src/``), its annual review (``src/moduleReview/review.js``, function
``doAnalysis``), and WHO, *Data quality review, Module 2: Desk review of data
quality* (2017). File and line of the tool's code are given next to each rule:
"appServiceMath.js" is ``src/appCore/appServiceMath.js`` at commit 03c0533,
"dqAnalysisConsistency.js" is ``src/appCore/dqAnalysisConsistency.js`` and
"metaData.json" is ``src/data/metaData.json``, both at commit 0246e6c;
"appServiceDataAnalysis.js" is ``src/appCore/appServiceDataAnalysis.js`` at commit
03c0533.

What is reviewed
    One calendar year, the *review year*: by default the last complete year of
    the data (all 12 months present), never a partial year
    (:func:`review_year`). The tool only offers completed years (``review.js``,
    ``init``: ``periodService.getYears()`` then ``years.shift()`` drops the
    current year).

Per org unit of a level (facility, district or region, see
:mod:`phcpm.quality.levels`), values are first added up over the org units of
the level and over category option combos (the tool asks DHIS2 analytics for
totals at the level, ``analytics.json?...ou:<boundary>;LEVEL-<n>``,
``appServiceDataAnalysis.js``, ``indicatorOutlierAnalysis``). Then, for each
metric, the unit is *divergent* or not:

=========================  =================================================================
Metric                     Rule (WHO default) and source
=========================  =================================================================
reporting_completeness     reports received / expected <= 90 % is divergent
                           (appServiceDataAnalysis.js, ``startDatasetCompletenessAnalysis``
                           line 704: ``value > threshold`` is within, line 741)
reporting_timeliness       reports on time / *expected* reports <= 75 % (DHIS2's
                           ``REPORTING_RATE_ON_TIME``; WHO DQR Module 1 threshold)
data_element_completeness  months with a value / 12 < 90 % (missing values;
                           ``"missing": 90``, metaData.json line 47)
data_element_nonzero       months with a value that is not 0 / 12 < 90 % (the tool's
                           form: ``isNumber(value) && parseFloat(value) != 0``, line
                           863, and ``completeness < threshold``, line 869, in
                           appServiceDataAnalysis.js ``startDataCompletenessAnalysis``). Left out for data
                           elements whose usual value is 0 (median of every
                           facility-month of the year, e.g. stock-out days): there a
                           zero is the normal report (WHO DQR Module 2: zeros are
                           missing where implausible)
outlier_extreme            at least one month more than 3 SD from the year's mean
                           (appServiceDataAnalysis.js ``startIndicatorOutlierAnalysis``:
                           ``valueSet[j] > extMax`` line 1008, ``extremeCount > 0`` line
                           1025; ``"extremeOutlier": 3``, metaData.json line 39)
outlier_moderate           at least two months between 2 and 3 SD
                           (line 1012, ``moderateCount > 1`` line 1029;
                           ``"moderateOutlier": 2``, metaData.json line 41)
consistency_over_time      ratio of the year to the mean of the 3 preceding years
                           that have data (``referenceValue``, dqAnalysisConsistency.js
                           line 442, ``mathService.getMean`` line 452; ``"trend":
                           "constant"``, metaData.json line 45), divided by the
                           boundary's ratio (``thresholdRatio``, line 364;
                           ``ratioOfRatios``, line 482), outside 1 ± 33 %
                           (``"consistency": 33``, metaData.json line 42;
                           ``"comparison": "ou"``, line 46)
relation ``eq``            A / B outside 1 ± criteria % (``isOutlier`` line 466, case
                           ``'eq'`` line 474)
relation ``aGTb``          A / B below 1 - criteria % (case ``'aGTb'``, line 472)
relation ``do``            dropout (A - B) / A below 0 (case ``'do'``, line 470;
                           ``mathService.dropOutRate``, appServiceMath.js lines 173-175;
                           relations R2 "DPT 1 to 3 dropout rate" and R3 "ANC 1 to 4
                           dropout rate", metaData.json from line 403)
relation ``level``         (A / B) / boundary's A / B outside 1 ± criteria % (case
                           ``'level'``, line 476)
=========================  =================================================================

The standard deviation divides by n - 1 (appServiceMath.js line 44); outliers are
strictly beyond the limit (``valueSet[j] > extMax``). For each metric the overall
score of the boundary is computed from the totals of its sub-units (as the tool
asks analytics for the boundary itself): % of reports received, % of values
present, % of values that are outliers, the boundary's ratio, the boundary's
dropout.

Where we differ from the tool on purpose (shown side by side in the how-to page,
``book/apps/quality.md``):

* the tool's annual count of modified z-score outliers reads the value with the
  sub-unit index ``valueSet[i]`` instead of the month index ``valueSet[j]``
  (appServiceDataAnalysis.js line 1018); the modified z-score is not part of the
  annual verdict here, and the verify-first list uses each month's own value;
* the tool rounds the reference value to 1 decimal (dqAnalysisConsistency.js line
  370) and ratios to 3 decimals (line 430); no rounding here;
* the tool's metadata asks for the comparison with the boundary (``"comparison":
  "ou"``, metaData.json line 46) while its code tests ``_comparison === '_ou'``
  (dqAnalysisConsistency.js line 364), which that value never matches, so the
  comparison falls back to 1; here the boundary's ratio is used, as the metadata
  and WHO DQR Module 2 intend (``compare_to="expected"`` gives the comparison
  with 1);
* the tool's fallback to the mean absolute deviation never runs, because its
  ``MeanAD`` is computed with ``self.MAD`` (appServiceMath.js line 106); the
  verify-first list applies the documented fallback
  (:func:`phcpm.quality.outliers_modified_z`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.quality.annual_summary import METRICS, AnnualReview, annual_report
from phcpm.quality.annual_units import (
    _Level,
    _levels,
    _reporting_metrics,
    _unit_metrics,
)
from phcpm.quality.preparation import _NAT, WHO_DEFAULTS, _Routine

__all__ = [
    "METRICS",
    "RELATION_TYPES",
    "UNIT_COLUMNS",
    "AnnualReview",
    "annual_report",
    "build_annual",
    "load_relations",
    "resolve_relations",
    "review_year",
]

#: Types of relation between two data elements (``type`` in ``relations.csv``), as
#: in the WHO Data Quality Tool's metadata (``numeratorRelations`` in defaultConfig.js;
#: ``isOutlier`` in dqAnalysisConsistency.js).
RELATION_TYPES = {
    "eq": "A and B about equal (A / B within 1 ± criteria %)",
    "aGTb": "A at least B (A / B not below 1 - criteria %)",
    "do": "dropout from A to B not negative ((A - B) / A >= 0)",
    "level": "A / B close to the boundary's A / B (within ± criteria %)",
}

#: Columns of the per-unit tables (:attr:`AnnualReview.units`).
UNIT_COLUMNS = [
    "level",
    "org_unit",
    "district",
    "region",
    "metric",
    "data_element",
    "numerator",
    "denominator",
    "score",
    "count",
    "reference_years",
]

_RELATIONS = Path(__file__).with_name("relations.csv")


def load_relations(path: str | Path | None = None) -> pd.DataFrame:
    """The pairs of related data elements and their expected relation.

    One row per relation: ``code, name, a, b, type, criteria, source``. ``type`` is
    one of :data:`RELATION_TYPES`; ``criteria`` is the allowed difference in % (empty
    for a dropout). ``a`` and ``b`` may list several names of the same data element
    separated by ``|`` (its code, its DHIS2 name, its UID): the review uses the first
    one found in the data (:func:`resolve_relations`). The default file is ``phcpm/quality/relations.csv``, shipped
    with the package; the tool and the core both read it, as the WHO Data Quality
    Tool keeps its relations in its metadata (``numeratorRelations``,
    defaultConfig.js). A relation whose data elements are not in the data is
    skipped by the review, and the notes say so.
    """
    table = pd.read_csv(path or _RELATIONS, dtype={"code": str, "a": str, "b": str})
    need = {"code", "name", "a", "b", "type"}
    if not need <= set(table.columns):
        raise InputError(
            "The relations table has no column " + ", ".join(sorted(need - set(table.columns))),
            where=str(path or _RELATIONS),
            todo="Give the columns code, name, a, b, type and criteria",
        )
    bad = sorted(set(table["type"]) - set(RELATION_TYPES))
    if bad:
        raise InputError(
            f"Unknown relation type {bad[0]!r}",
            where=str(path or _RELATIONS),
            todo="Use eq, aGTb, do or level",
        )
    if "criteria" not in table:
        table["criteria"] = np.nan
    table["criteria"] = pd.to_numeric(table["criteria"], errors="coerce")
    return table.reset_index(drop=True)


def resolve_relations(relations: pd.DataFrame, present: Iterable[str]) -> pd.DataFrame:
    """The relations with ``a`` and ``b`` replaced by the name the data use.

    Each of ``a`` and ``b`` may list names separated by ``|``; the first one in
    ``present`` (the data elements of the data) is kept, else the first name.
    """
    present = set(present)

    def pick(names) -> str:
        options = [n.strip() for n in str(names).split("|") if n.strip()]
        return next((n for n in options if n in present), options[0] if options else "")

    out = relations.copy()
    out["a"] = [pick(x) for x in relations["a"]]
    out["b"] = [pick(x) for x in relations["b"]]
    return out


def _months_by_year(months: np.ndarray) -> dict[int, int]:
    known = np.unique(months[months != _NAT])
    years, counts = np.unique(known // 12 + 1970, return_counts=True)
    return dict(zip(years.tolist(), counts.tolist(), strict=True))


def review_year(
    months: np.ndarray, year: int | None = None, *, allow_partial: bool = False
) -> tuple[int, str]:
    """The year to review and why, from the month numbers of the data.

    A year is complete when all its 12 months appear in the data (monthly data).
    Without ``year`` the last complete year is chosen; a chosen ``year`` must be
    complete too. A partial year is never reviewed: it would be compared with
    full years (the WHO Data Quality Tool offers completed years only,
    ``review.js``, ``init``). Raises InputError, with the complete years, when
    there is none to review; with ``allow_partial=True`` data without any complete
    year give their last year, and the reason says it is partial (the review then
    compares it with no other year).
    """
    counts = _months_by_year(np.asarray(months))
    complete = [y for y, n in sorted(counts.items()) if n == 12]
    partial = [y for y, n in sorted(counts.items()) if n < 12]
    have = ", ".join(str(y) for y in complete) or "none"
    if year is not None:
        year = int(year)
        if year not in counts:
            raise InputError(
                f"The data have no month of {year}",
                todo=f"Choose one of the complete years: {have}",
            )
        if year not in complete:
            raise InputError(
                f"{year} is not complete: the data have {counts[year]} of its 12 months",
                todo=f"Choose a complete year ({have}); a partial year cannot be compared "
                "with full years",
            )
        return year, f"{year}, the year you chose (all 12 months are in the data)"
    if not complete and allow_partial and counts:
        year = max(counts)
        return year, (
            f"{year}, the only year to review: it has {counts[year]} of its 12 months, so it "
            "is not compared with other years"
        )
    if not complete:
        raise InputError(
            "No year of the data has all 12 months",
            todo="Download at least one full calendar year (January to December)",
        )
    year = complete[-1]
    why = f"{year}, the last complete year in the data (all 12 months)"
    later = [y for y in partial if y > year]
    if later:
        why += "; " + ", ".join(f"{y} has only {counts[y]} months" for y in later)
        why += " and is left out of the comparison"
    return year, why


def build_annual(
    prep: _Routine,
    tree: pd.DataFrame,
    source: str,
    *,
    year: int,
    year_reason: str,
    reporting: pd.DataFrame | None,
    relations: pd.DataFrame,
    compare_to: str,
    completeness: float,
    timeliness: float,
    element: float,
    moderate: float,
    extreme: float,
    time_threshold: float,
    time_method: str = "mean",
    years_back: int = WHO_DEFAULTS["consistency_over_time_years"],
    org_unit: str = "org_unit",
    period: str = "period",
) -> tuple[AnnualReview, list[_Level]]:
    """Compute the raw numbers of the annual review at every level (see module doc)."""
    known = prep.month[prep.month != _NAT]
    first_year = int(known.min() // 12 + 1970)
    last_year = int(known.max() // 12 + 1970)
    n_years = last_year - first_year + 1
    levels = _levels(prep, tree, first_year, n_years)
    # pairs (org unit, data element) expected: the element was reported at least once
    seen = (prep.ou >= 0) & (prep.de >= 0) & ~np.isnan(prep.value)
    ever = np.bincount(
        prep.ou[seen] * prep.n_de + prep.de[seen], minlength=prep.n_ou * prep.n_de
    ).reshape(prep.n_ou, prep.n_de)
    # data elements whose usual monthly value is 0 (stock-out days): a zero is the
    # normal report there, so the "present and not zero" form leaves them out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        cube = levels[0].year(year)
        usual = np.nanmedian(np.moveaxis(cube, 1, 0).reshape(cube.shape[1], -1), axis=1)
    zero_usual = np.nan_to_num(usual, nan=0.0) == 0
    parts = []
    for lv in levels:
        own = tree.reindex(pd.Index(prep.ou_uniques))[lv.name].to_numpy(dtype=object)
        code = lv.units.get_indexer(pd.Index(own))
        ok = code >= 0
        expected = np.zeros((len(lv.units), prep.n_de), dtype=np.int64)
        np.add.at(expected, code[ok], ever[ok])
        expected = expected > 0
        parts += _unit_metrics(
            lv,
            year,
            list(prep.de_uniques),
            expected,
            relations,
            years_back,
            moderate,
            extreme,
            zero_usual,
            time_method,
        )
        if reporting is not None:
            parts += _reporting_metrics(lv, tree, reporting, year, org_unit, period)
    units = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=UNIT_COLUMNS)
    thresholds = {
        "completeness": completeness,
        "timeliness": timeliness,
        "element": element,
        "moderate": moderate,
        "extreme": extreme,
        "time": time_threshold,
        "compare_to": compare_to,
        "method": time_method,
    }
    review = AnnualReview(
        year=year,
        year_reason=year_reason,
        units=units,
        relations=relations,
        thresholds=thresholds,
        levels=[lv.name for lv in levels],
        hierarchy_source=source,
    )
    review.zero_usual = [str(n) for n, z in zip(prep.de_uniques, zero_usual, strict=True) if z]
    return review, levels
