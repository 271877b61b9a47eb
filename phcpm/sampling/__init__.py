"""Sampling for supervision, surveys and record audits.

Pure functions for the questions a PHC manager asks before and after a survey
or an audit of records, one module per question:

* How many people (or records) do we need? :mod:`phcpm.sampling.size`:
  :func:`sample_size_proportion`, :func:`sample_size_two_proportions`,
  :func:`design_effect`, :func:`margin_of_error`.
* Which rule says whether a supervision area reaches its target? Lot quality
  assurance sampling (LQAS), :mod:`phcpm.sampling.lqas`:
  :func:`lqas_decision_rule`, :func:`lqas_risks`, :func:`lqas_table`,
  :func:`oc_curve`, :func:`simulate_lqas`.
* Which areas reach it, and what is the district's coverage?
  :mod:`phcpm.sampling.areas`: :func:`classify_areas`, :func:`area_intervals`,
  :func:`district_coverage`; what a user types is read by
  :mod:`phcpm.sampling.inputs` (:func:`area_populations`).
* Which households or records do we visit? :mod:`phcpm.sampling.draw`:
  :func:`draw_sample` (simple random, systematic, stratified, probability
  proportional to size, two-stage cluster).

Every formula names its source and its rounding convention in its docstring.
Bad input raises :class:`~phcpm.errors.InputError` with a plain message.
"""

from __future__ import annotations

from phcpm.sampling.areas import (
    AreaResults,
    area_grid,
    area_intervals,
    classification_counts,
    classify_areas,
    classify_survey,
    district_coverage,
)
from phcpm.sampling.draw import (
    METHOD_COLUMNS,
    METHODS,
    draw_sample,
    guess_cluster_column,
    method_arguments,
)
from phcpm.sampling.inputs import (
    SurveyColumns,
    area_populations,
    area_weights,
    guess_survey_columns,
)
from phcpm.sampling.lqas import (
    LqasRule,
    describe_rule,
    lqas_decision_rule,
    lqas_risks,
    lqas_table,
    oc_curve,
    plot_oc_curve,
    simulate_lqas,
)
from phcpm.sampling.size import (
    ICC_DEFAULTS,
    design_effect,
    margin_of_error,
    parse_population,
    sample_size_proportion,
    sample_size_sentence,
    sample_size_two_proportions,
    z_value,
)

__all__ = [
    "ICC_DEFAULTS",
    "z_value",
    "sample_size_proportion",
    "sample_size_sentence",
    "margin_of_error",
    "sample_size_two_proportions",
    "design_effect",
    "parse_population",
    "lqas_risks",
    "lqas_decision_rule",
    "lqas_table",
    "oc_curve",
    "plot_oc_curve",
    "simulate_lqas",
    "LqasRule",
    "describe_rule",
    "classify_areas",
    "area_intervals",
    "area_populations",
    "classification_counts",
    "district_coverage",
    "area_weights",
    "SurveyColumns",
    "guess_survey_columns",
    "AreaResults",
    "classify_survey",
    "area_grid",
    "draw_sample",
    "method_arguments",
    "guess_cluster_column",
    "METHODS",
    "METHOD_COLUMNS",
]
