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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.quality.consistency import _forecast
from phcpm.quality.funnels import PROPORTION_METRICS, wilson_fractions
from phcpm.quality.levels import LEVELS
from phcpm.quality.preparation import _NAT, WHO_DEFAULTS, _Routine

__all__ = [
    "METRICS",
    "RELATION_TYPES",
    "UNIT_COLUMNS",
    "annual_report",
    "load_relations",
    "resolve_relations",
    "review_year",
]

#: Plain names of the annual metrics, in the order of the DQR annual report.
METRICS = {
    "reporting_completeness": ("1. Completeness", "Reporting completeness"),
    "reporting_timeliness": ("1. Completeness", "Reporting timeliness (on time / expected)"),
    "data_element_completeness": ("1. Completeness", "Values present (missing values)"),
    "data_element_nonzero": ("1. Completeness", "Values present and not zero"),
    "outlier_extreme": ("2. Internal consistency", "Extreme outliers (> 3 SD)"),
    "outlier_moderate": ("2. Internal consistency", "Moderate outliers (2-3 SD, two or more)"),
    "consistency_over_time": ("2. Internal consistency", "Consistency over time"),
    "relation": ("2. Internal consistency", "Consistency between related indicators"),
}

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


def resolve_relations(relations: pd.DataFrame, present) -> pd.DataFrame:
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


# --------------------------------------------------------------------- the cube
@dataclass
class _Level:
    """Values of one level added up per (unit, data element, year, month)."""

    name: str
    units: pd.Index  # unit names at this level
    unit_of_ou: np.ndarray  # unit code of every org unit code of the data (-1: none)
    district: np.ndarray  # district of each unit (object, may be None)
    region: np.ndarray
    value: np.ndarray  # (n_units, n_de, n_years, 12), NaN where no value
    first_year: int

    def year(self, year: int) -> np.ndarray:
        return self.value[:, :, year - self.first_year, :]

    def totals(self, year: int) -> np.ndarray:
        """Yearly totals (n_units, n_de); NaN where the year has no value; NaN for years
        outside the data."""
        i = year - self.first_year
        if i < 0 or i >= self.value.shape[2]:
            return np.full(self.value.shape[:2], np.nan)
        v = self.value[:, :, i, :]
        present = ~np.isnan(v)
        return np.where(present.any(axis=2), np.where(present, v, 0.0).sum(axis=2), np.nan)


def _cube(prep: _Routine, unit: np.ndarray, n_units: int, first_year: int, n_years: int):
    """(n_units, n_de, n_years, 12) sums of the values of each cell; NaN when none."""
    known = (unit >= 0) & (prep.de >= 0) & (prep.month != _NAT) & ~np.isnan(prep.value)
    rows = np.flatnonzero(known)
    month = prep.month[rows]
    yi = month // 12 + 1970 - first_year
    inside = (yi >= 0) & (yi < n_years)
    rows, month, yi = rows[inside], month[inside], yi[inside]
    key = ((unit[rows] * prep.n_de + prep.de[rows]) * n_years + yi) * 12 + month % 12
    size = n_units * prep.n_de * n_years * 12
    sums = np.bincount(key, weights=prep.value[rows], minlength=size)
    count = np.bincount(key, minlength=size)
    out = np.where(count > 0, sums, np.nan)
    return out.reshape(n_units, prep.n_de, n_years, 12)


def _levels(prep: _Routine, tree: pd.DataFrame, first_year: int, n_years: int) -> list[_Level]:
    """One :class:`_Level` per level that the hierarchy knows (facility always).

    The facility cube is added up from the rows once; the higher levels add up the
    facility cube (a matrix product with the membership of each facility).
    """
    out = []
    own = tree.reindex(pd.Index(prep.ou_uniques))
    fac_value = None
    fac_unit = None
    for name in LEVELS:
        labels = own[name]
        if name != "facility" and labels.isna().all():
            continue
        codes, units = pd.factorize(labels, sort=True)
        codes = np.asarray(codes, dtype=np.int64)
        first = pd.DataFrame({"u": codes, "d": own["district"], "r": own["region"]})
        first = (
            first[first["u"] >= 0].drop_duplicates("u").set_index("u").reindex(range(len(units)))
        )
        district = first["d"].to_numpy(dtype=object)
        region = first["r"].to_numpy(dtype=object)
        if name == "district":
            district = np.asarray(units, dtype=object)
        if name == "region":
            region, district = np.asarray(units, dtype=object), np.full(len(units), None)
        if fac_value is None:
            unit = np.where(prep.ou >= 0, codes[np.maximum(prep.ou, 0)], -1)
            value = _cube(prep, unit, len(units), first_year, n_years)
            fac_value, fac_unit = value, codes
        else:
            # membership: facility unit -> unit of this level (through any org unit)
            member = np.zeros((len(units), fac_value.shape[0]))
            ok = (codes >= 0) & (fac_unit >= 0)
            member[codes[ok], fac_unit[ok]] = 1.0
            flat = fac_value.reshape(fac_value.shape[0], -1)
            present = ~np.isnan(flat)
            sums = member @ np.where(present, flat, 0.0)
            count = member @ present.astype("float64")
            value = np.where(count > 0, sums, np.nan).reshape((len(units),) + fac_value.shape[1:])
        out.append(
            _Level(
                name=name,
                units=pd.Index(units),
                unit_of_ou=codes,
                district=district,
                region=region,
                value=value,
                first_year=first_year,
            )
        )
    return out


# ------------------------------------------------------------------ unit tables
def _frame(
    level: _Level,
    ui,
    metric,
    element,
    numerator,
    denominator,
    score,
    count=None,
    ref=None,
    years=None,
    years_back: int = 3,
):
    """Rows of the unit table for the units ``ui`` of ``level`` (one row each)."""
    n = len(ui)
    nan = np.full(n, np.nan)
    out = {
        "level": level.name,
        "org_unit": np.asarray(level.units, dtype=object)[ui],
        "district": np.asarray(level.district, dtype=object)[ui],
        "region": np.asarray(level.region, dtype=object)[ui],
        "metric": metric,
        "data_element": element,
        "numerator": np.asarray(numerator, dtype="float64"),
        "denominator": np.asarray(denominator, dtype="float64"),
        "score": np.asarray(score, dtype="float64"),
        "count": np.asarray(count if count is not None else nan, dtype="float64"),
        "reference_years": np.asarray(ref if ref is not None else nan, dtype="float64"),
    }
    for k in range(years_back):
        out[f"year_{k + 1}"] = years[:, k] if years is not None else nan
    return pd.DataFrame(out)


def _outlier_counts(v: np.ndarray, moderate: float, extreme: float):
    """Per series (last axis = months): values, extreme and moderate outliers (strict)."""
    present = ~np.isnan(v)
    n = present.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(v, axis=-1) / n
        dev = np.where(present, v - mean[..., None], 0.0)
        sd = np.sqrt((dev * dev).sum(axis=-1) / (n - 1))
        z = np.abs(dev) / sd[..., None]
    z = np.where(present & (sd[..., None] > 0), z, 0.0)
    ext = (z > extreme).sum(axis=-1)
    mod = ((z > moderate) & (z <= extreme)).sum(axis=-1)
    return n, ext, mod, z


def _unit_metrics(
    level,
    year,
    names,
    expected,
    relations,
    years_back,
    moderate,
    extreme,
    zero_usual,
    method="mean",
):
    """Tables of the raw numbers of every metric for every unit of ``level``."""
    v = level.year(year)  # (units, de, 12)
    n, ext, mod, _ = _outlier_counts(v, moderate, extreme)
    n = n.astype(float)
    zeros = (v == 0).sum(axis=-1)
    now = level.totals(year)
    past = np.stack([level.totals(year - k) for k in range(years_back, 0, -1)], axis=-1)
    n_ref = (~np.isnan(past)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ref = np.where(n_ref > 0, np.nansum(past, axis=-1) / np.maximum(n_ref, 1), np.nan)
    if method == "trend":  # straight line through the preceding years, all with data
        line = _forecast(np.nan_to_num(past.reshape(-1, years_back))).reshape(past.shape[:2])
        ref = np.where(n_ref == years_back, line, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(ref > 0, now / ref, np.nan)
        ext_share, mod_share = ext / n, mod / n
    ui, di = np.nonzero(expected)  # the (unit, data element) pairs to review
    element = np.asarray(names, dtype=object)[di]
    twelve = np.full(len(ui), 12.0)
    kw = {"years_back": years_back}
    parts = [
        _frame(
            level, ui, "data_element_completeness", element, n[ui, di], twelve, n[ui, di] / 12, **kw
        ),
    ]
    nz = ~np.asarray(zero_usual)[di]
    if nz.any():
        u2, d2 = ui[nz], di[nz]
        present = n[u2, d2] - zeros[u2, d2]
        parts.append(
            _frame(
                level,
                u2,
                "data_element_nonzero",
                element[nz],
                present,
                twelve[nz],
                present / 12,
                **kw,
            )
        )
    parts += [
        _frame(
            level,
            ui,
            "outlier_extreme",
            element,
            ext[ui, di],
            n[ui, di],
            ext_share[ui, di],
            ext[ui, di],
            **kw,
        ),
        _frame(
            level,
            ui,
            "outlier_moderate",
            element,
            mod[ui, di],
            n[ui, di],
            mod_share[ui, di],
            mod[ui, di],
            **kw,
        ),
        _frame(
            level,
            ui,
            "consistency_over_time",
            element,
            now[ui, di],
            ref[ui, di],
            ratio[ui, di],
            None,
            n_ref[ui, di],
            past[ui, di],
            **kw,
        ),
    ]
    code = pd.Index(names)
    for rel in relations.itertuples(index=False):
        ia, ib = code.get_indexer([rel.a, rel.b])
        if ia < 0 or ib < 0:
            continue
        a, b = now[:, ia], now[:, ib]
        keep = np.flatnonzero(~(np.isnan(a) & np.isnan(b)))
        score = _relation_score(rel.type, a[keep], b[keep])
        parts.append(_frame(level, keep, "relation", rel.code, a[keep], b[keep], score, **kw))
    return parts


def _relation_score(kind: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "do":  # mathService.dropOutRate, appServiceMath.js lines 173-175
            return np.where(a == b, 0.0, (a - b) / a)
        return a / b


def _reporting_metrics(level: _Level, tree, reporting, year, org_unit, period, years_back=3):
    """Reports expected, received and on time per unit of the level (the reporting rows
    given are those of the review year).

    A blank count adds nothing to a unit's total, as in DHIS2's reporting rates
    (a report that never came has no on-time date, so its row often has no
    on-time value); a unit has a figure for a count when at least one of its rows
    has that count, otherwise the metric is "no data" for the unit.
    """
    rep = reporting
    own = tree.reindex(pd.Index(rep[org_unit].to_numpy()))[level.name].to_numpy(dtype=object)
    unit = level.units.get_indexer(pd.Index(own))
    keep = unit >= 0
    size = len(level.units)

    def total(column):
        values = rep[column].to_numpy(float)[keep]
        given = ~np.isnan(values)
        sums = np.bincount(unit[keep][given], weights=values[given], minlength=size)
        counted = np.bincount(unit[keep][given], minlength=size) > 0
        return np.where(counted, sums, np.nan)

    expected, received = total("expected"), total("received")
    has = np.flatnonzero(np.bincount(unit[keep], minlength=size) > 0)
    kw = {"years_back": years_back}
    with np.errstate(invalid="ignore", divide="ignore"):
        parts = [
            _frame(
                level,
                has,
                "reporting_completeness",
                "reports",
                received[has],
                expected[has],
                received[has] / expected[has],
                **kw,
            )
        ]
        if "on_time" in rep:
            on_time = total("on_time")
            parts.append(
                _frame(
                    level,
                    has,
                    "reporting_timeliness",
                    "reports",
                    on_time[has],
                    expected[has],
                    on_time[has] / expected[has],
                    **kw,
                )
            )
    return parts


# ----------------------------------------------------------------- the report
@dataclass
class AnnualReview:
    """Raw numbers of the annual review at every level, to build reports from.

    ``units`` has the columns :data:`UNIT_COLUMNS` (plus ``year_1`` ... for
    consistency over time): one row per level, org unit, metric and data element
    (or relation code, or ``"reports"``). ``thresholds`` holds the limits used;
    ``relations`` the relations table; ``notes`` what was done, in plain words.
    """

    year: int
    year_reason: str
    units: pd.DataFrame
    relations: pd.DataFrame
    thresholds: dict
    levels: list[str]
    hierarchy_source: str
    notes: list[str] = field(default_factory=list)
    zero_usual: list[str] = field(default_factory=list)

    def report(self, level: str | None = None, within: str | None = None) -> pd.DataFrame:
        """The DQR annual report table for the sub-units at ``level`` inside ``within``."""
        return annual_report(self, level=level, within=within)

    def boundaries(self, level: str) -> list[str]:
        """Names of the org units at ``level`` (for a drill-down list)."""
        rows = self.units[self.units["level"] == level]
        return sorted(rows["org_unit"].dropna().astype(str).unique())


def _threshold_text(metric: str, rel=None, t: dict | None = None) -> str:
    t = t or {}
    if metric == "reporting_completeness":
        return f"above {t['completeness'] * 100:.0f} %"
    if metric == "reporting_timeliness":
        return f"above {t['timeliness'] * 100:.0f} %"
    if metric in ("data_element_completeness", "data_element_nonzero"):
        return f"at least {t['element'] * 100:.0f} %"
    if metric == "outlier_extreme":
        return f"no value beyond {t['extreme']:g} SD"
    if metric == "outlier_moderate":
        return f"fewer than 2 values beyond {t['moderate']:g} SD"
    if metric == "consistency_over_time":
        base = "the overall ratio" if t["compare_to"] == "overall" else "1"
        against = "trend of" if t.get("method") == "trend" else "mean of"
        return f"year ÷ {against} earlier years within ±{t['time'] * 100:.0f} % of {base}"
    if rel is not None:
        c = rel.criteria
        return {
            "eq": f"A / B within 1 ± {c:g} %",
            "aGTb": f"A / B at least {1 - c / 100:g}",
            "do": "dropout not negative",
            "level": f"within ± {c:g} % of the overall A / B",
        }[rel.type]
    return ""


def _divergent(metric, rows, t, boundary_ratio=None, rel=None) -> np.ndarray:
    s = rows["score"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        if metric == "reporting_completeness":
            return ~(s > t["completeness"])
        if metric == "reporting_timeliness":
            return ~(s > t["timeliness"])
        if metric in ("data_element_completeness", "data_element_nonzero"):
            return s < t["element"]
        if metric == "outlier_extreme":
            return rows["count"].to_numpy(float) > 0
        if metric == "outlier_moderate":
            return rows["count"].to_numpy(float) > 1
        if metric == "consistency_over_time":
            base = boundary_ratio if t["compare_to"] == "overall" else 1.0
            r = s / base
            return (r > 1 + t["time"]) | (r < 1 - t["time"])
        if rel is not None:
            c = (rel.criteria if not pd.isna(rel.criteria) else 0.0) / 100
            if rel.type == "do":
                return s < 0
            if rel.type == "aGTb":
                return s < 1 - c
            if rel.type == "eq":
                return (s > 1 + c) | (s < 1 - c)
            r = s / boundary_ratio
            return (r > 1 + c) | (r < 1 - c)
    return np.zeros(len(rows), dtype=bool)


def _usable(metric, rows) -> np.ndarray:
    s = rows["score"].to_numpy(float)
    if metric in ("outlier_extreme", "outlier_moderate"):
        return rows["denominator"].to_numpy(float) > 0
    return np.isfinite(s)


def _overall(metric, rows, rel=None, method: str = "mean") -> float:
    num = rows["numerator"].to_numpy(float)
    den = rows["denominator"].to_numpy(float)
    if metric == "consistency_over_time":
        now = np.nansum(num) if np.isfinite(num).any() else np.nan
        years = [c for c in rows.columns if c.startswith("year_")]
        totals = [rows[c].sum(min_count=1) for c in years]
        if method == "trend":
            ok = not any(pd.isna(x) for x in totals) and len(totals) > 0
            ref = float(_forecast(np.array([totals], dtype=float))[0]) if ok else np.nan
            return now / ref if ref and ref > 0 else np.nan
        totals = [x for x in totals if not pd.isna(x)]
        ref = float(np.mean(totals)) if totals else np.nan
        return now / ref if ref and ref > 0 else np.nan
    a = np.nansum(num) if np.isfinite(num).any() else np.nan
    b = np.nansum(den) if np.isfinite(den).any() else np.nan
    if rel is not None:
        return float(_relation_score(rel.type, np.array([a]), np.array([b]))[0])
    return a / b if b and b > 0 else np.nan


def annual_report(review: AnnualReview, level: str | None = None, within: str | None = None):
    """The WHO annual report table (DQR layout) for one level inside one boundary.

    One row per metric and data element (or relation): the boundary's overall
    score, the number of sub-units checked, the number and % of divergent
    sub-units and their names, as in the WHO Data Quality Tool's annual review
    (``result.subunitsOutsideThreshold``, ``subunitViolationPercentage`` and
    ``subunitViolationNames`` in dqAnalysisConsistency.js, ``timeConsistencyAnalysis``).
    For the proportions (completeness and timeliness of reporting, values
    present), ``lower`` and ``upper`` are the 95 % Wilson limits of the overall
    score, as fractions, from the counts added up over the sub-units
    (:func:`phcpm.quality.funnels.wilson_fractions`); NaN for the other metrics.
    ``level`` is ``"facility"``, ``"district"`` or ``"region"`` (default: the
    highest level below the whole data); ``within`` narrows the sub-units to those
    whose district or region is ``within`` (None: all the data). The boundary's
    own ratio is the comparison for consistency over time, so drilling down to a
    region compares its districts with the region.
    """
    units = review.units
    if level is None:
        level = next(lv for lv in ("region", "district", "facility") if lv in review.levels)
    if level not in review.levels:
        raise InputError(
            f"The data have no {level} level",
            todo="Give the download's hierarchy columns or an org unit table, or choose "
            + " or ".join(review.levels),
        )
    rows = units[units["level"].to_numpy() == level]
    boundary = "all the data"
    if within is not None:
        inside = (rows["district"].astype(str) == str(within)) | (
            rows["region"].astype(str) == str(within)
        )
        rows = rows[inside.to_numpy()]
        boundary = str(within)
    rel_by_code = {r.code: r for r in review.relations.itertuples(index=False)}
    out = []
    t = review.thresholds
    order = list(METRICS)
    for (metric, element), group in rows.groupby(["metric", "data_element"], sort=False):
        rel = rel_by_code.get(element) if metric == "relation" else None
        ok = _usable(metric, group)
        used = group[ok]
        overall = _overall(metric, used, rel, t.get("method", "mean"))
        lower = upper = np.nan
        if metric in PROPORTION_METRICS and len(used):
            num = used["numerator"].to_numpy(float)
            den = used["denominator"].to_numpy(float)
            lo, hi = wilson_fractions([np.nansum(num)], [np.nansum(den)])
            lower, upper = float(lo[0]), float(hi[0])
        flagged = _divergent(metric, used, t, overall, rel)
        names = sorted(used.loc[flagged, "org_unit"].astype(str))
        dimension, label = METRICS[metric]
        if rel is not None:
            label = f"{label}: {rel.name}"
            what = f"{rel.a} / {rel.b}" if rel.type != "do" else f"{rel.a} → {rel.b}"
        else:
            what = element
        out.append(
            {
                "order": order.index(metric),
                "level": level,
                "boundary": boundary,
                "dimension": dimension,
                "metric": metric,
                "check": label,
                "data_element": what,
                "threshold": _threshold_text(metric, rel, t),
                "overall": overall,
                "overall_text": _overall_text(metric, overall, rel),
                "lower": lower,
                "upper": upper,
                "subunits": int(len(used)),
                "divergent": int(flagged.sum()),
                "percent_divergent": 100.0 * flagged.sum() / len(used) if len(used) else np.nan,
                "names": ", ".join(names),
                "not_checked": int((~ok).sum()),
            }
        )
    table = pd.DataFrame(out)
    if table.empty:
        return table
    table = table.sort_values(["order", "data_element"], kind="stable").drop(columns="order")
    return table.reset_index(drop=True)


def _overall_text(metric: str, value: float, rel=None) -> str:
    if pd.isna(value):
        return "no data"
    if metric in ("outlier_extreme", "outlier_moderate"):
        return f"{value * 100:.1f} % of values"
    if metric == "consistency_over_time" or (rel is not None and rel.type != "do"):
        return f"ratio {value:.2f}"
    if rel is not None:
        return f"dropout {value * 100:.1f} %"
    return f"{value * 100:.1f} %"


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
