"""Problem analysis under its older name: see :mod:`phcpm.problem_analysis`.

Kept so that ``from phcpm import problems`` and ``problems.pareto(...)`` keep
working; everything lives in :mod:`phcpm.problem_analysis`.
"""

from __future__ import annotations

from phcpm import problem_analysis as _package
from phcpm.problem_analysis import *  # noqa: F403 - this module is the package under its older name

__all__ = list(_package.__all__)  # the same public names, listed once (in the package)
