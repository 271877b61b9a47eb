"""Reporting completeness and timeliness with their uncertainty (phcpm.quality.funnels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from phcpm import quality as q
from phcpm.errors import InputError
from phcpm.quality.funnels import wilson_fractions


def _review(received: dict[str, int], on_time: dict[str, int] | None = None, expected=12):
    """One data element for every facility, and reports received (and on time) in 2024."""
    months = [str(p) for p in pd.period_range("2024-01", periods=12, freq="M")]
    data = pd.concat(
        [
            pd.DataFrame(
                {"org_unit": unit, "period": months, "data_element": "ANC1", "value": 10.0}
            )
            for unit in received
        ]
    )
    frames = []
    for unit, got in received.items():
        frame = pd.DataFrame(
            {
                "org_unit": unit,
                "period": months,
                "expected": [1] * expected + [0] * (12 - expected),
                "received": [1] * got + [0] * (12 - got),
            }
        )
        if on_time is not None:
            late = on_time[unit]
            frame["on_time"] = [1] * late + [0] * (got - late) + [np.nan] * (12 - got)
        frames.append(frame)
    return q.review(data, pd.concat(frames, ignore_index=True))


def test_wilson_fractions_match_a_worked_example_and_skip_impossible_counts():
    # Newcombe (1998), Stat Med 17:857-872, table I, method 3 (Wilson score):
    # 81 of 263 gives 0.2553 - 0.3662; 15 of 148 gives 0.0624 - 0.1605.
    lower, upper = wilson_fractions([81, 15, 13], [263, 148, 12])
    assert lower[:2] == pytest.approx([0.2553, 0.0624], abs=1e-4)
    assert upper[:2] == pytest.approx([0.3662, 0.1605], abs=1e-4)
    # 13 reports received of 12 expected is not a proportion: no interval, no error.
    assert np.isnan(lower[2]) and np.isnan(upper[2])


def test_unit_proportions_give_each_unit_its_value_and_interval():
    result = _review({"A": 12, "B": 6}, on_time={"A": 12, "B": 3})
    done = q.unit_proportions(result, "reporting_completeness").set_index("org_unit")
    assert done.loc["B", ["numerator", "denominator"]].tolist() == [6, 12]
    assert done.loc["B", "value"] == pytest.approx(50.0)
    # Wilson 6 of 12 (z = 1.96): centre 0.5, half-width 0.2667 -> 25.4 - 74.6 %
    assert done.loc["B", "lower"] == pytest.approx(25.38, abs=0.01)
    assert done.loc["B", "upper"] == pytest.approx(74.62, abs=0.01)
    assert done.loc["A", "upper"] == 100.0
    late = q.unit_proportions(result, "reporting_timeliness").set_index("org_unit")
    assert late.loc["B", "value"] == pytest.approx(25.0)  # 3 on time of 12 expected
    with pytest.raises(InputError, match="'reporting_completeness' or 'reporting_timeliness'"):
        q.unit_proportions(result, "completeness")
    with pytest.raises(InputError, match="no district level"):
        q.unit_proportions(result, level="district")


def test_the_funnel_points_at_the_facility_that_differs_by_more_than_chance():
    # 19 facilities with 11 or 12 of 12 reports, one with 2 of 12: all together
    # (10 x 12 + 9 x 11 + 2) / 240 = 221 / 240 = 92.1 %. The exact binomial 99.8 %
    # lower limit at n = 12 is far above 2 / 12 = 16.7 %; 11 and 12 are inside.
    received = {f"F{i:02d}": 12 if i < 10 else 11 for i in range(19)} | {"Low": 2}
    result = q.reporting_funnel(_review(received), "reporting_completeness")
    assert result.target == pytest.approx(100 * 221 / 240)
    assert result.look_here()["org_unit"].tolist() == ["Low"]
    table = result.table.set_index("org_unit")
    assert table.loc["Low", "position"] == "below_998"
    assert (table.drop(index="Low")["position"] == "inside").all()


def test_no_reporting_data_is_a_plain_error_for_the_funnel():
    data = pd.DataFrame(
        {
            "org_unit": "A",
            "period": [str(p) for p in pd.period_range("2024-01", periods=12, freq="M")],
            "data_element": "ANC1",
            "value": 10.0,
        }
    )
    with pytest.raises(InputError, match="no funnel to draw"):
        q.reporting_funnel(q.review(data))


def test_a_timeliness_funnel_without_on_time_counts_says_what_is_missing():
    result = _review({"A": 12, "B": 6})  # no on-time column
    assert len(q.unit_proportions(result, "reporting_completeness")) == 2
    with pytest.raises(InputError, match="do not say which reports came on time"):
        q.reporting_funnel(result, "reporting_timeliness")
