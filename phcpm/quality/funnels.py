"""Reporting completeness and timeliness with their uncertainty: intervals and funnel plots.

A facility that expects 12 reports a year and sent 10 has a completeness of 83 %,
but one more or one fewer report moves it by 8 points: a small unit's proportion
swings widely by chance. Two tools keep that in view:

* the **Wilson score interval** of each proportion (E. B. Wilson, "Probable
  inference, the law of succession, and statistical inference", *J Am Stat
  Assoc* 22:209-212, 1927; R. G. Newcombe, "Two-sided confidence intervals for
  the single proportion", *Stat Med* 17:857-872, 1998, method 3), computed by
  :func:`phcpm.intervals.wilson_limits`;
* the **funnel plot** of the units' proportions against the reports they were
  expected to send, with 95 % and 99.8 % limits around the value of all units
  together (D. J. Spiegelhalter, "Funnel plots for comparing institutional
  performance", *Stat Med* 24:1185-1202, 2005), computed by
  :func:`phcpm.funnel.funnel`: units outside the 99.8 % limits differ from the
  rest by more than chance, and are the ones to look at.

The counts are those of the annual review (:attr:`AnnualReview.units`): reports
received (or received on time) out of reports expected in the review year, per
org unit of a level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from phcpm.errors import InputError

if TYPE_CHECKING:  # scipy is imported only when an interval or a funnel is asked for
    from numpy.typing import ArrayLike

    from phcpm.funnel import FunnelResult
    from phcpm.quality.annual_summary import AnnualReview
    from phcpm.quality.summary import ReviewResult

__all__ = ["PROPORTION_METRICS", "REPORTING_METRICS", "reporting_funnel", "unit_proportions"]

#: Metrics of the annual review that are a count out of a count (a proportion),
#: and so get a Wilson interval.
PROPORTION_METRICS = (
    "reporting_completeness",
    "reporting_timeliness",
    "data_element_completeness",
    "data_element_nonzero",
)

#: The reporting metrics shown in a funnel plot, with their plain names.
REPORTING_METRICS = {
    "reporting_completeness": "Reporting completeness",
    "reporting_timeliness": "Reporting timeliness (on time / expected)",
}


def wilson_fractions(
    numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson limits (lower, upper) as fractions, NaN where there is no proportion.

    A count above its denominator (more reports received than expected, which
    DHIS2 allows) is not a proportion: its limits are NaN instead of an error.
    """
    from phcpm.intervals import wilson_limits

    x = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    over = np.isfinite(x) & np.isfinite(n) & (x > n)
    lower, upper = wilson_limits(np.where(over, np.nan, x), np.where(over, np.nan, n), confidence)
    return np.asarray(lower, dtype="float64"), np.asarray(upper, dtype="float64")


def _rows(review, metric: str, level: str, within: str | None) -> pd.DataFrame:
    annual = getattr(review, "annual", review)
    if metric not in REPORTING_METRICS:
        raise InputError(
            f"Unknown reporting measure {metric!r}",
            todo="Choose " + " or ".join(repr(m) for m in REPORTING_METRICS),
        )
    if level not in annual.levels:
        raise InputError(
            f"The data have no {level} level",
            todo="Give the download's hierarchy columns or an org unit table, or choose "
            + " or ".join(annual.levels),
        )
    units = annual.units
    rows = units[(units["level"].to_numpy() == level) & (units["metric"].to_numpy() == metric)]
    if within is not None:
        inside = (rows["district"].astype(str) == str(within)) | (
            rows["region"].astype(str) == str(within)
        )
        rows = rows[inside.to_numpy()]
    return rows


def unit_proportions(
    review: ReviewResult | AnnualReview,
    metric: str = "reporting_completeness",
    level: str = "facility",
    within: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Each unit's reporting completeness or timeliness with its Wilson interval.

    ``review`` is a :class:`phcpm.quality.ReviewResult` or its ``annual`` part;
    ``metric`` is ``"reporting_completeness"`` (received / expected) or
    ``"reporting_timeliness"`` (on time / expected); ``level`` the level of the
    units; ``within`` a district or region to keep (None: all). One row per unit,
    in the order of the review: ``org_unit``, ``district``, ``region``,
    ``numerator`` (reports received, or on time), ``denominator`` (reports
    expected), ``value``, ``lower`` and ``upper`` (in %, Wilson limits at
    ``confidence``; empty when more reports came than were expected). An empty
    table when the review had no reporting data.
    """
    rows = _rows(review, metric, level, within)
    num = rows["numerator"].to_numpy(dtype="float64")
    den = rows["denominator"].to_numpy(dtype="float64")
    lower, upper = wilson_fractions(num, den, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return pd.DataFrame(
        {
            "org_unit": rows["org_unit"].astype(str).to_numpy(),
            "district": rows["district"].to_numpy(dtype=object),
            "region": rows["region"].to_numpy(dtype=object),
            "numerator": num,
            "denominator": den,
            "value": value * 100,
            "lower": lower * 100,
            "upper": upper * 100,
        }
    )


def reporting_funnel(
    review: ReviewResult | AnnualReview,
    metric: str = "reporting_completeness",
    level: str = "facility",
    within: str | None = None,
) -> FunnelResult:
    """Funnel plot numbers of reporting completeness or timeliness against expected reports.

    One point per unit of ``level`` (inside ``within``, a district or region, or
    all the data): its reports received (or on time) out of reports expected in
    the review year. The line is the value of all those units together; the
    limits are exact binomial 95 % and 99.8 % limits, widened when the units vary
    more than chance allows (:func:`phcpm.funnel.funnel`, whose docstring cites
    the methods). Raises :class:`InputError` when there is no unit with reports
    expected (no reporting data, or none inside ``within``).
    """
    from phcpm.funnel import funnel

    rows = unit_proportions(review, metric, level, within)
    if rows.empty and metric == "reporting_timeliness":
        if not unit_proportions(review, "reporting_completeness", level, within).empty:
            raise InputError(
                "The reporting data do not say which reports came on time, so there is "
                "no timeliness funnel to draw",
                todo="Add the data set's 'Actual reports on time' to the download",
            )
    rows = rows[rows["denominator"] > 0]
    if rows.empty:
        where = f" in {within}" if within else ""
        raise InputError(
            f"No {level} has reports expected{where}, so there is no funnel to draw",
            todo="Add the data set's expected, actual and on-time reports to the download",
        )
    table = rows.assign(name=rows["org_unit"])
    return funnel(
        table,
        numerator="numerator",
        denominator="denominator",
        unit="org_unit",
        name="name",
        kind="proportion",
    )
