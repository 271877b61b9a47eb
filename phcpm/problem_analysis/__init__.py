"""Problem analysis: Pareto tables, fishbone diagrams, problem trees, the five whys.

District health management teams that use action research start by analysing their
own workforce problems (weak supervision, absenteeism, appraisals that do not happen)
before they plan what to do (PERFORM2Scale Consortium, briefing note, 2018). This
module gives the usual tools for that analysis and the workforce measures to feed them:

- :func:`pareto`: which few categories make up most of a problem (Juran 1951);
  :func:`parse_pareto_text` and :func:`pareto_counts` read typed lines and
  uploaded tables of categories and counts.
- :func:`fishbone`: a cause-and-effect (Ishikawa) diagram (Ishikawa 1976, 1990).
- :func:`problem_tree`: causes below a core problem, effects above it.
- :func:`five_whys`: asking "why?" until a root cause appears (Ohno 1988).
- :func:`absenteeism`, :func:`supervision_coverage`, :func:`appraisal_completion`:
  the workforce measures, computed from the attendance register, the supervision
  visits and the appraisal records; :func:`missed_visit_reasons` counts why planned
  supervision visits were missed, for a Pareto chart of causes.

One module per idea: :mod:`~phcpm.problem_analysis.counts` (Pareto),
:mod:`~phcpm.problem_analysis.diagrams` (fishbone, problem tree, five whys) and
:mod:`~phcpm.problem_analysis.workforce` (the workforce measures).
"""

from __future__ import annotations

from phcpm.problem_analysis.counts import (
    VITAL_FEW_SHARE,
    pareto,
    pareto_counts,
    pareto_figure,
    parse_pareto_text,
)
from phcpm.problem_analysis.diagrams import (
    FISHBONE_CATEGORIES,
    Fishbone,
    FiveWhys,
    fishbone,
    fishbone_figure,
    fishbone_svg,
    five_whys,
    problem_tree,
)
from phcpm.problem_analysis.workforce import (
    ATTENDANCE_STATUSES,
    NO_REASON,
    absenteeism,
    appraisal_completion,
    missed_visit_reasons,
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
