"""The sentence the data picker shows after a check: what the checked table holds."""

from __future__ import annotations

import doctest

import pandas as pd

from phcpm.io import counts


def test_docstring_examples():
    result = doctest.testmod(counts, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_one_place_and_missing_values():
    data = pd.DataFrame(
        {
            "org_unit": ["Kelumo HC"] * 3,
            "period": ["2024-01", "2024-02", "2024-02"],
            "data_element": ["ANC1", "ANC1", "ANC4"],
            "value": [1500.0, None, 250.0],
        }
    )
    assert counts.data_counts(data) == (
        "1 place, 2 period(s), 2 data element(s); the values add up to 1,750."
    )
