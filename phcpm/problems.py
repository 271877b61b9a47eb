"""Problem analysis under its older name: see :mod:`phcpm.problem_analysis`.

Kept so that ``from phcpm import problems`` and ``problems.pareto(...)`` keep
working; everything lives in :mod:`phcpm.problem_analysis`.
"""

from __future__ import annotations

from phcpm.problem_analysis import (
    ATTENDANCE_STATUSES,
    FISHBONE_CATEGORIES,
    NO_REASON,
    VITAL_FEW_SHARE,
    Fishbone,
    FiveWhys,
    absenteeism,
    appraisal_completion,
    fishbone,
    fishbone_figure,
    fishbone_svg,
    five_whys,
    missed_visit_reasons,
    pareto,
    pareto_counts,
    pareto_figure,
    parse_pareto_text,
    problem_tree,
    supervision_coverage,
    with_names,
)

__all__ = [
    "VITAL_FEW_SHARE",
    "pareto",
    "parse_pareto_text",
    "pareto_counts",
    "pareto_figure",
    "FISHBONE_CATEGORIES",
    "Fishbone",
    "fishbone",
    "fishbone_svg",
    "fishbone_figure",
    "problem_tree",
    "FiveWhys",
    "five_whys",
    "ATTENDANCE_STATUSES",
    "absenteeism",
    "supervision_coverage",
    "NO_REASON",
    "missed_visit_reasons",
    "appraisal_completion",
    "with_names",
]
