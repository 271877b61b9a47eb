"""Data quality review of routine health facility data.

This module follows the desk review described by the World Health Organization in
*Data quality review: a toolkit for facility data quality assessment. Module 2: Desk
review of data quality* (WHO, Geneva, 2017), with metric definitions from *Module 1:
Framework and metrics* (WHO, 2017). The same checks are offered by the WHO Data
Quality Tool for DHIS2 (University of Oslo, HISP Centre, with WHO).

The four dimensions of the review, and the functions that check them:

=================================  ===============================================
Dimension                          Functions
=================================  ===============================================
1. Completeness and timeliness     :func:`reporting_completeness`,
                                   :func:`reporting_timeliness`,
                                   :func:`data_element_completeness`
2. Internal consistency            :func:`outliers_sd`, :func:`outliers_modified_z`,
                                   :func:`consistency_over_time`,
                                   :func:`consistency_between`,
                                   :func:`internal_checks`
3. External comparison             :func:`external_comparison`
4. Consistency of population data  :func:`denominator_consistency`,
                                   :func:`coverage_over_100`
=================================  ===============================================

:func:`review` runs them on one complete year (the WHO annual review, at
facility, district and region level, :mod:`phcpm.quality.annual`); dimensions 3 and
4 run when their inputs are given, and the result lists the dimensions left out
and what they need. It adds the one-page summary and the verify-first list
(:mod:`phcpm.quality.verify`).

The package follows the sections of the review: :mod:`~phcpm.quality.preparation`
(reading and coding the data), :mod:`~phcpm.quality.completeness`,
:mod:`~phcpm.quality.outliers`, :mod:`~phcpm.quality.consistency`,
:mod:`~phcpm.quality.external`, :mod:`~phcpm.quality.levels` (facility, district,
region), :mod:`~phcpm.quality.annual` (the annual review; its numbers per unit in
:mod:`~phcpm.quality.annual_units`, its report in :mod:`~phcpm.quality.annual_summary`),
:mod:`~phcpm.quality.verify`, :mod:`~phcpm.quality.review` and
:mod:`~phcpm.quality.summary` (the result of the review and its one-page summary). The related data
elements and their expected relation are data: ``relations.csv``
(:func:`load_relations`). :mod:`~phcpm.quality.funnels` gives each unit's reporting
completeness and timeliness with its Wilson interval, and their funnel plot.

Input shape. Routine data are "tidy long": one row per org unit, period and data
element, with the columns ``org_unit``, ``period`` (a monthly :class:`pandas.Period`;
text such as ``"2024-01"`` is also accepted), ``data_element`` and ``value``. Every
column name is a parameter. Reporting data have ``org_unit``, ``period``,
``expected``, ``received`` and either ``on_time`` or both ``submitted_on`` and
``deadline``.

Results. Every check returns a new DataFrame with the columns in
:data:`RESULT_COLUMNS`: ``org_unit, period, data_element, value, rule, threshold,
statistic, severity, message``. ``rule`` names the check (see :data:`RULES`),
``statistic`` is the number the rule looked at (a z-score, a ratio, a percentage),
``threshold`` the limit it was compared with, and ``message`` says in plain words
why the row was flagged. By default only flagged rows are returned; with
``flagged_only=False`` every checked row is returned, with severity ``"ok"`` when it
passed and ``"no_data"`` when it could not be checked (for example a zero
denominator).

The checks never change the data they are given.

Speed. :func:`review` reads and codes the data once (org units, data elements and
months become integer codes) and shares that work between the checks; messages are
written only for flagged rows; the district and region levels are added up from
the facility totals. A national table of 7.2 million values (10,000 facilities, 36
months, 20 data elements) is reviewed at three levels in less than five times the
time pandas takes to read it from CSV; see ``benchmarks/bench_quality.py``.
"""

from __future__ import annotations

from phcpm.quality.annual import (
    METRICS,
    RELATION_TYPES,
    UNIT_COLUMNS,
    AnnualReview,
    annual_report,
    load_relations,
    resolve_relations,
    review_year,
)
from phcpm.quality.completeness import (
    data_element_completeness,
    reporting_completeness,
    reporting_timeliness,
)
from phcpm.quality.consistency import (
    consistency_between,
    consistency_over_time,
    internal_checks,
)
from phcpm.quality.external import (
    coverage_over_100,
    denominator_consistency,
    external_comparison,
)
from phcpm.quality.funnels import reporting_funnel, unit_proportions
from phcpm.quality.levels import LEVELS, hierarchy
from phcpm.quality.outliers import (
    _MAD_FACTOR,
    _MEAN_AD_FACTOR,
    _Layout,
    outliers_modified_z,
    outliers_sd,
)
from phcpm.quality.preparation import (
    DHIS2_REPORTING_METRICS,
    RESULT_COLUMNS,
    RULES,
    WHO_DEFAULTS,
    _factorize,
    as_monthly_period,
    as_number,
    split_reporting,
)
from phcpm.quality.review import SUMMARY_COLUMNS, ReviewResult, filter_flags, review
from phcpm.quality.verify import VERIFY_COLUMNS

__all__ = [
    "AnnualReview",
    "DHIS2_REPORTING_METRICS",
    "LEVELS",
    "METRICS",
    "RELATION_TYPES",
    "RESULT_COLUMNS",
    "RULES",
    "SUMMARY_COLUMNS",
    "UNIT_COLUMNS",
    "VERIFY_COLUMNS",
    "WHO_DEFAULTS",
    "ReviewResult",
    "annual_report",
    "as_monthly_period",
    "as_number",
    "consistency_between",
    "consistency_over_time",
    "coverage_over_100",
    "data_element_completeness",
    "denominator_consistency",
    "external_comparison",
    "filter_flags",
    "hierarchy",
    "internal_checks",
    "load_relations",
    "outliers_modified_z",
    "outliers_sd",
    "reporting_completeness",
    "reporting_funnel",
    "reporting_timeliness",
    "review",
    "resolve_relations",
    "review_year",
    "split_reporting",
    "unit_proportions",
]
# private helpers the tests reach through this package
_PRIVATE = (
    _MAD_FACTOR,
    _MEAN_AD_FACTOR,
    _Layout,
    _factorize,
)
