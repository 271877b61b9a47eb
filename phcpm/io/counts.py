"""What a checked table holds, in one sentence to compare with its source.

After :func:`phcpm.io.tidy`, a manager checks that nothing was lost by
comparing the number of places, periods and data elements, and the total of
the values, with the same figures in DHIS2 (or the spreadsheet the file came
from).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["data_counts"]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"


def data_counts(data: pd.DataFrame) -> str:
    """Places, periods and data elements in a tidy table (``org_unit``, ``period``,
    ``data_element``, ``value``), and the total of the values.

    >>> data = pd.DataFrame({"org_unit": ["A", "A", "B"], "period": ["2024-01"] * 3,
    ...                      "data_element": ["ANC1"] * 3, "value": [10, 2, 1200]})
    >>> data_counts(data)
    '2 places, 1 period(s), 1 data element(s); the values add up to 1,212.'
    """
    places = int(data["org_unit"].nunique())
    return (
        f"{_plural(places, 'place')}, {data['period'].nunique():,} period(s), "
        f"{data['data_element'].nunique():,} data element(s); the values add up to "
        f"{data['value'].sum():,.0f}."
    )
