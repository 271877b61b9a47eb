"""Problem analysis under its older name: see :mod:`phcpm.problem_analysis`.

Kept so that ``from phcpm import problems`` and ``problems.pareto(...)`` keep
working; everything lives in :mod:`phcpm.problem_analysis`.
"""

from __future__ import annotations

from phcpm.problem_analysis import *  # noqa: F403 - this module is the package under its older name
from phcpm.problem_analysis import __all__  # noqa: F401 - the same public names, listed once
