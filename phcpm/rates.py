"""The one formula behind coverage, dropout and every other ratio indicator.

``value = numerator / denominator x factor``, and no value at all where the
denominator is zero, negative or missing, or the numerator is missing:

* coverage (%) = people served / target population x 100 (WHO, *Immunization
  in practice*, Module 6, 2015), the target population being the annual one
  or a share of it for part of a year;
* dropout (%) = (first dose - last dose) / first dose x 100 (the same module,
  and WHO AFRO, *Reaching every district (RED)*, 2017): numerator first - last,
  denominator first;
* any ratio of two counts (``factor`` 100 for a percentage, 1 for a rate per
  person, 1,000 per thousand).

:mod:`phcpm.analysis` (long tables, one row per value) and
:func:`phcpm.scorecard.district_indicators` (wide tables, one column per data
element) both compute their values here.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["rate"]


def rate(numerator: ArrayLike, denominator: ArrayLike, factor: float = 1.0) -> np.ndarray:
    """``numerator / denominator x factor`` element by element; NaN where there is no value.

    There is no value where the denominator is not above 0 (zero, negative or
    missing) or the numerator is missing. Accepts numbers, arrays or pandas
    Series (returns a float array either way).

    >>> rate([45, 30, 5, np.nan], [50, 0, np.nan, 10], 100.0).tolist()
    [90.0, nan, nan, nan]
    >>> rate([40 - 30], [40], 100.0).tolist()  # dropout from 40 first doses to 30 last doses
    [25.0]
    """
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den * factor, np.nan)
