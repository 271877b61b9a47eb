"""Tests for phcpm.uncertainty: when a scorecard colour is too uncertain to show.

The bands are the scorecard's own defaults (phcpm.scorecard.default_definitions):
skilled birth attendance SBA_COV is on target from 90 %, needs attention from
60 %, and is off target (red) below 60 %. Interval values are Wilson 95 %
(Newcombe 1998, method 3), checked in tests/test_intervals.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from phcpm import scorecard as sc
from phcpm.errors import InputError
from phcpm.intervals import wilson_limits
from phcpm.style import BANDS
from phcpm.uncertainty import MIN_DENOMINATOR, SHOWN_BANDS, judge


def _values(rows):
    return pd.DataFrame(rows, columns=["org_unit", "indicator", "numerator", "denominator"]).assign(
        value=lambda d: d["numerator"] / d["denominator"] * 100
    )


def test_twelve_deliveries_at_half_is_too_few_and_1200_is_red():
    defs = sc.default_definitions()
    values = _values(
        [
            ("HEALTH_POST", "SBA_COV", 6, 12),
            ("HOSPITAL", "SBA_COV", 600, 1200),
        ]
    )
    out = judge(values, defs).set_index("org_unit")
    # Both are 50 %: the plain scorecard colours both "poor" (red).
    assert out.loc["HEALTH_POST", "band"] == "poor"
    assert out.loc["HOSPITAL", "band"] == "poor"
    # The health post: too few to judge (12 is below the minimum, and 25.4-74.6 % spans two bands).
    assert out.loc["HEALTH_POST", "judgement"] == "too_few"
    assert out.loc["HEALTH_POST", "shown_label"] == "Too few to judge"
    assert out.loc["HEALTH_POST", "band_lower"] == "poor"
    assert out.loc["HEALTH_POST", "band_upper"] == "fair"
    # The hospital: 47.2-52.8 % lies wholly in the red band.
    assert out.loc["HOSPITAL", "judgement"] == "clear"
    assert out.loc["HOSPITAL", "shown"] == "poor"
    assert SHOWN_BANDS[out.loc["HOSPITAL", "shown"]]["colour"] == BANDS["poor"]["colour"]
    assert out.loc["HOSPITAL", "upper"] < 60


def test_interval_spanning_two_bands_is_too_few_even_above_the_minimum():
    defs = sc.default_definitions()
    # 52 of 60 = 86.7 %: fair, but its interval (75.8 % to 93.1 %) reaches the 90 % target.
    values = _values([("F1", "SBA_COV", 52, 60)])
    assert 60 >= MIN_DENOMINATOR
    out = judge(values, defs).iloc[0]
    lo, hi = wilson_limits(52, 60)
    assert out["lower"] == pytest.approx(lo[0] * 100)
    assert out["upper"] == pytest.approx(hi[0] * 100)
    assert out["band"] == "fair" and out["judgement"] == "too_few"
    assert "reaches into another band" in out["reason"]


def test_minimum_denominator_is_the_users_choice():
    defs = sc.default_definitions()
    # 3 of 40 = 7.5 %: Wilson 2.6-19.9 %, all poor, so only the minimum can hold it back.
    values = _values([("F1", "SBA_COV", 3, 40)])
    assert judge(values, defs).iloc[0]["judgement"] == "too_few"
    assert judge(values, defs, min_denominator=30).iloc[0]["judgement"] == "clear"
    with pytest.raises(InputError):
        judge(values, defs, min_denominator="many")


def test_coverage_above_100_is_check_the_data_never_on_target():
    defs = sc.default_definitions()
    values = _values(
        [
            ("F1", "SBA_COV", 1080, 1000),  # 108 %
            ("F2", "PENTA_DROPOUT", -30, 500),  # more Penta3 than Penta1: -6 %
        ]
    )
    out = judge(values, defs).set_index("org_unit")
    assert out.loc["F1", "band"] == "good"  # what a plain scorecard would show
    assert out.loc["F1", "judgement"] == "check_data"
    assert out.loc["F1", "shown"] == "check_data"
    assert out.loc["F1", "shown_label"] == "Check the data"
    assert "above 100 %" in out.loc["F1", "reason"]
    assert out.loc["F2", "judgement"] == "check_data"
    assert np.isnan(out.loc["F1", "lower"])


def test_rates_use_poisson_and_averages_and_reporting_pass_through():
    defs = sc.default_definitions()
    values = pd.DataFrame(
        {
            "org_unit": ["F1", "F2", "F3", "F4"],
            "indicator": [
                "OPD_PER_CAPITA",
                "OPD_PER_CAPITA",
                "ACT_STOCKOUT_DAYS",
                "REPORT_COMPLETE",
            ],
            "numerator": [3000, 30, 12, 2],
            "denominator": [2000, 20, 3, 3],
            "value": [1.5, 1.5, 4.0, 200 / 3],
        }
    )
    out = judge(values, defs).set_index("org_unit")
    assert out.loc["F1", "judgement"] == "clear" and out.loc["F1", "shown"] == "good"
    assert out.loc["F1", "lower"] > 1.0
    assert out.loc["F2", "judgement"] == "too_few"  # 20 people: below the minimum
    assert out.loc["F3", "judgement"] == "clear" and np.isnan(out.loc["F3", "lower"])
    assert out.loc["F3", "shown"] == "poor"
    # 2 of 3 reports: counted, not estimated; the band (off target) stands.
    assert out.loc["F4", "judgement"] == "clear" and out.loc["F4", "shown"] == "poor"


def test_no_data_and_not_applicable_pass_through_and_input_is_unchanged():
    defs = sc.default_definitions()
    values = pd.DataFrame(
        {
            "org_unit": ["F1", "F2"],
            "indicator": ["SBA_COV", "SBA_COV"],
            "numerator": [np.nan, 5],
            "denominator": [100, 10],
            "value": [np.nan, 50.0],
        }
    )
    before = values.copy()
    out = judge(values, defs, not_applicable={("F2", "SBA_COV")}).set_index("org_unit")
    pd.testing.assert_frame_equal(values, before)
    assert out.loc["F1", "judgement"] == "no_data"
    assert out.loc["F2", "judgement"] == "not_applicable"


def test_missing_columns_are_explained():
    with pytest.raises(InputError, match="numerator"):
        judge(pd.DataFrame({"indicator": ["SBA_COV"], "value": [50]}), sc.default_definitions())


def _card(values, defs):
    units = pd.DataFrame(
        {
            "org_unit_id": ["HEALTH_POST", "HOSPITAL"],
            "name": ["Kamba Health Post", "Ruvo Hospital"],
            "parent_id": [None, None],
            "level": [4, 4],
        }
    )
    values = values.assign(period=pd.Period("2025Q4", "Q"))
    card = sc.scorecard(values, defs, "2025Q4", org_units=units)
    return values, card


def test_judge_card_colours_the_scorecard_with_the_judgement():
    from phcpm.uncertainty import judge_card, judged_html, judged_table

    defs = sc.default_definitions(["SBA_COV"])
    values, card = _card(
        _values([("HEALTH_POST", "SBA_COV", 6, 12), ("HOSPITAL", "SBA_COV", 600, 1200)]), defs
    )
    judged = judge_card(card, values, defs).set_index("org_unit")
    assert judged.loc["HEALTH_POST", "band"] == judged.loc["HOSPITAL", "band"] == "poor"
    assert judged.loc["HEALTH_POST", "shown"] == "too_few"
    assert judged.loc["HOSPITAL", "shown"] == "poor"
    # Wilson 95 % of 600/1200 (Newcombe 1998): 47.2 % to 52.8 %.
    assert judged.loc["HOSPITAL", "lower"] == pytest.approx(47.18, abs=0.01)
    table = judged_table(judge_card(card, values, defs)).set_index("Place code")
    assert table.loc["HOSPITAL", "Place"] == "Ruvo Hospital"
    assert table.loc["HOSPITAL", "Value with its range of chance (95 %)"] == "50 % (47–53 %)"
    assert table.loc["HEALTH_POST", "Value with its range of chance (95 %)"] == "50 % (25–75 %)"
    assert "below the minimum of 50" in table.loc["HEALTH_POST", "Why"]
    page = judged_html(judge_card(card, values, defs))
    assert "phcpm-band-too_few" in page and "Kamba Health Post" in page
    assert "HEALTH_POST" not in page


def test_judge_card_without_counts_says_the_range_is_unknown():
    from phcpm.uncertainty import judge_card

    defs = sc.default_definitions(["SBA_COV"])
    values, card = _card(
        _values([("HEALTH_POST", "SBA_COV", 6, 12), ("HOSPITAL", "SBA_COV", 600, 1200)]), defs
    )
    judged = judge_card(card, values.drop(columns=["numerator", "denominator"]), defs)
    assert (judged["shown"] == "poor").all()
    assert judged["reason"].str.startswith("No count and denominator").all()


def test_value_with_interval_reads_as_a_manager_writes_it():
    from phcpm.uncertainty import value_with_interval

    assert value_with_interval(62.0, 48.3, 74.2, "%", 0) == "62 % (48–74 %)"
    assert value_with_interval(1.25, 1.1, 1.4, "visits", 1) == "1.3 visits (1.1–1.4 visits)"
    assert value_with_interval(62.0, float("nan"), float("nan"), "%", 0) == "62 %"
    assert value_with_interval(float("nan"), 1, 2, "%", 0) == "No data"
