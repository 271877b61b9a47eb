"""Choosing a balanced, affordable set of PHC indicators (the names of :mod:`phcpm.selection`).

The functions live in the modules of :mod:`phcpm.selection`, one per step:
candidates, ratings, scoring, balance, burden, reference sheets, the worked
example, and :func:`~phcpm.selection.pipeline.select`, which runs the steps in
one call. This module gives them all under one name, as the lessons use them::

    from phcpm import indicators as ind
    ind.score(...)
"""

from phcpm import selection as _package
from phcpm.selection import *  # noqa: F403 - this module is the package under its older name

__all__ = list(_package.__all__)  # the same public names, listed once (in the package)
