"""The annual review's report: the DQR annual table, in plain words, for one level.

Part of the annual review (:mod:`phcpm.quality.annual`, where the sources of every
rule are listed): :class:`AnnualReview` holds the raw numbers and
:func:`annual_report` turns them into the table a manager reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.quality.annual_units import _relation_score
from phcpm.quality.consistency import _forecast
from phcpm.quality.funnels import PROPORTION_METRICS, wilson_fractions

__all__ = ["METRICS", "AnnualReview", "annual_report"]

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


def annual_report(
    review: AnnualReview, level: str | None = None, within: str | None = None
) -> pd.DataFrame:
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
