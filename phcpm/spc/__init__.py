"""Run charts and control charts (statistical process control) for PHC managers.

The one entry point :func:`qic` follows the conventions of the R package
qicharts2 (J. Anhøj), the reference implementation of these charts in health
care: the same chart types, the same centre-line and limit formulas, the same
runs analysis and the same ``freeze`` / ``part`` / ``exclude`` arguments.
``tests/test_spc_qicharts2.py`` checks every chart type point by point, to
1e-4, against tables computed by qicharts2 0.8.1 itself (45 cases: the
Montgomery data sets its own tests use, and this module's worked examples).

Formulas and their sources
--------------------------
Unless stated otherwise the formulas are those of D. C. Montgomery,
*Introduction to Statistical Quality Control*, 6th ed., Wiley, 2009, with
3-sigma limits. ``y`` is the plotted statistic of a subgroup and ``n`` its
denominator (subgroup size, number of patients, patient-days ...).

============ ==================================================================
chart        centre line (CL) and limits
============ ==================================================================
``run``      CL = median of y. No limits.
``i``        CL = mean of y; sigma = mean moving range / 1.128 (Montgomery
             eq. 6.33), after Nelson's screening: moving ranges at or above
             3.267 × mean moving range are dropped and the mean recomputed
             (L. S. Nelson, *J Qual Technol* 14(3):172–173, 1982). qicharts2
             screens by default (option ``qic.screenedmr``) and so do we
             (``screened_mr=True``).
``mr``       y = |y_i − y_(i−1)|; CL = mean moving range; UCL = 3.267 × CL;
             LCL = 0. No runs analysis (successive moving ranges are correlated).
``xbar``     CL = Σ n_i x̄_i / Σ n_i (eq. 6.30); s̄ = mean of subgroup SDs when
             all subgroups have the same size, otherwise the pooled SD
             √(Σ(n_i−1)s_i² / Σ(n_i−1)) (eq. 6.31); limits CL ± A3(n_i)·s̄ with
             the exact A3 = 3 / (c4 √n), c4 = √(2/(n−1)) Γ(n/2) / Γ((n−1)/2).
``s``        CL = s̄ as for ``xbar``; UCL = B4(n_i)·s̄, LCL = B3(n_i)·s̄ with
             B3, B4 = 1 ∓ 3 √(1 − c4²) / c4 (B3 floored at 0).
``t``        Time between rare events: y is transformed to y^(1/3.6) (Nelson,
             *J Qual Technol* 26(3):239–240, 1994; Montgomery section 7.3.5), an
             ``i`` chart is computed on the transformed values, and CL and
             limits are transformed back with ^3.6. A negative lower limit is
             shown as 0.
``p``        CL = Σ y_sum / Σ n; limits CL ± 3 √(CL(1 − CL) / n_i) (eq. 7.8),
             kept inside [0, 1].
``pp``       Laney's p′ chart (D. B. Laney, *Quality Engineering*
             14(4):531–537, 2002): the ``p`` sigma is multiplied by sigma_z, the
             mean moving range of the z-scores z_i = (p_i − CL)/sigma_i divided
             by 1.128 (moving ranges screened as for ``i``). When x is
             categorical (a funnel plot) sigma_z is the SD of the z-scores.
``c``        CL = mean count; limits CL ± 3 √CL (eq. 7.17), LCL floored at 0.
``u``        CL = Σ y_sum / Σ n; limits CL ± 3 √(CL / n_i) (eq. 7.19), LCL ≥ 0.
``up``       Laney's u′ chart: the ``u`` sigma times sigma_z, as for ``pp``.
``g``        Number of cases (or days) between events, geometric model
             (Montgomery section 7.3.5; J. C. Benneyan, *Health Care Manag Sci*
             4:305–318, 2001): limits mean ± 3 √(mean(mean + 1)), LCL ≥ 0. As in
             qicharts2 the centre line drawn is the *median* of the baseline
             values (the data are skewed; the median keeps the runs analysis
             valid), while the limits use the mean.
============ ==================================================================

Runs analysis (Anhøj rules; J. Anhøj and A. V. Olesen, *PLoS ONE*
9(11):e113825, 2014): points exactly on the centre line are not useful and are
dropped. A *runs signal* is raised when the longest run on one side of the
centre line is longer than ``round(log2(n_useful)) + 3`` (M. F. Schilling,
*Math Mag* 85:141–149, 2012) or when the number of crossings is smaller than
the 5th percentile of Binomial(n_useful − 1, 0.5) (Chen, *Qual Eng* 2010).
``round`` here never meets a tie: log2 of an integer is never exactly k + 0.5.

The IHI run-chart rules (shift, trend, too few or too many runs) are in
:func:`ihi_rules`.

The package, one idea per module:

================= ============================================================
``constants``     chart types and the constants c4, A3, B3, B4, d2, D4
``runs``          runs analysis (Anhøj rules)
``ihi``           IHI run-chart rules
``limits``        centre line and limits, one function per chart type
``checks``        checks of the numbers and point numbers given
``qic``           the main entry point :func:`qic` and :class:`QicResult`
``explain``       plain-language explanations, :func:`suggest_chart`
``plot``          :func:`plot_qic`
``series``        a series from pasted text, the district data, rare events
``files``         a series from a user's file
================= ============================================================

>>> from phcpm import spc
>>> result = spc.qic([3, 5, 2, 4, 6, 3, 12, 4], chart="c")
>>> int(result.summary.loc[0, "sigma_signal"])
1
"""

from __future__ import annotations

from phcpm.spc.checks import baseline_points, parse_points
from phcpm.spc.constants import (
    CHART_LABELS,
    CHARTS,
    COMMON_CHARTS,
    MORE_CHARTS,
    a3,
    b3,
    b4,
    c4,
)
from phcpm.spc.explain import ChartSuggestion, explain, suggest_chart
from phcpm.spc.files import (
    WHOLE_FILE,
    FileSeries,
    file_series,
    file_series_title,
    file_series_values,
)
from phcpm.spc.ihi import ihi_rules, runs_limits, swed_eisenhart_pmf
from phcpm.spc.limits import LIMITS
from phcpm.spc.plot import plot_qic
from phcpm.spc.qic import QicResult, qic
from phcpm.spc.runs import crossings_min, longest_run_max
from phcpm.spc.series import (
    SUMMARY_HEADINGS,
    cases_between,
    display_multiply,
    monthly_series,
    number_columns,
    parse_series,
    points_table,
    project_series,
    series_from_table,
    series_span,
    summary_table,
)

__all__ = [
    "CHARTS",
    "CHART_LABELS",
    "COMMON_CHARTS",
    "LIMITS",
    "SUMMARY_HEADINGS",
    "MORE_CHARTS",
    "WHOLE_FILE",
    "ChartSuggestion",
    "FileSeries",
    "QicResult",
    "a3",
    "b3",
    "baseline_points",
    "b4",
    "c4",
    "cases_between",
    "crossings_min",
    "display_multiply",
    "explain",
    "file_series",
    "file_series_title",
    "file_series_values",
    "ihi_rules",
    "longest_run_max",
    "monthly_series",
    "number_columns",
    "parse_points",
    "parse_series",
    "plot_qic",
    "points_table",
    "project_series",
    "qic",
    "runs_limits",
    "series_from_table",
    "series_span",
    "suggest_chart",
    "summary_table",
    "swed_eisenhart_pmf",
]
