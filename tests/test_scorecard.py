"""Tests for phcpm.scorecard with small hand-worked examples.

Sources of the conventions checked here:

* DHIS2 legend sets: a value belongs to the legend with startValue <= value < endValue
  (DHIS2 analytics library, src/modules/legends.js, getLegendByValueFromLegendSet;
  HISP Centre, University of Oslo).
* Ranks with ties: "standard competition ranking" 1, 2, 2, 4 (pandas
  ``Series.rank(method="min")``).
* Aggregation of rates: numerators and denominators are summed before dividing,
  as DHIS2 does for indicators at a higher org unit level.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phcpm import scorecard as sc
from phcpm.errors import InputError
from phcpm.scorecard import (
    aggregate_to_level,
    band,
    default_definitions,
    district_indicators,
    feedback_sheet_data,
    not_offered,
    scorecard,
    scorecard_wide,
    summary_by_indicator,
    summary_by_org_unit,
)
from phcpm.style import BANDS

FEB, MAR = pd.Period("2025-02", "M"), pd.Period("2025-03", "M")


def definitions(**changes) -> pd.DataFrame:
    rows = [
        {
            "indicator": "PENTA3",
            "name": "Penta3 coverage",
            "higher_is_better": True,
            "target": 80.0,
            "thresholds": (80, 50),
            "unit": "%",
        },
        {
            "indicator": "STOCKOUT",
            "name": "Stock-out days of ACT",
            "higher_is_better": False,
            "target": 10.0,
            "thresholds": (10, 20),
            "unit": "days",
        },
    ]
    table = pd.DataFrame(rows)
    for column, value in changes.items():
        table[column] = value
    return table


def tidy(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["org_unit", "period", "indicator", "value"])


def one_indicator(values: dict, indicator: str = "PENTA3") -> pd.DataFrame:
    return pd.DataFrame({"indicator": indicator, "value": list(values)})


# ---------------------------------------------------------------------------
# band()
# ---------------------------------------------------------------------------


def test_cutoffs_higher_is_better_boundaries_belong_to_the_better_band():
    # Cut-offs (good 80, fair 50): >= 80 good, >= 50 fair, else poor.
    values = [100, 80, 79.99, 50, 49.99, 0]
    out = band(one_indicator(values), definitions())
    assert out["band"].tolist() == ["good", "good", "fair", "fair", "poor", "poor"]


def test_cutoffs_lower_is_better_boundaries_belong_to_the_better_band():
    # Cut-offs (good 10, fair 20) for stock-out days: <= 10 good, <= 20 fair, else poor.
    values = [0, 10, 10.01, 20, 20.01, 31]
    out = band(one_indicator(values, "STOCKOUT"), definitions())
    assert out["band"].tolist() == ["good", "good", "fair", "fair", "poor", "poor"]


def test_cutoffs_as_dict_or_separate_columns_give_the_same_bands():
    values = one_indicator([85, 60, 10])
    as_tuple = band(values, definitions())["band"].tolist()
    as_dict = definitions()
    as_dict["thresholds"] = [{"good": 80, "fair": 50}, {"good": 10, "fair": 20}]
    columns = definitions().drop(columns="thresholds").assign(good=[80, 10], fair=[50, 20])
    assert as_tuple == ["good", "fair", "poor"]
    assert band(values, as_dict)["band"].tolist() == as_tuple
    assert band(values, columns)["band"].tolist() == as_tuple


def test_symbol_and_label_come_from_style_bands():
    out = band(one_indicator([90, 60, 10, np.nan]), definitions())
    for _, row in out.iterrows():
        assert row["symbol"] == BANDS[row["band"]]["symbol"]
        assert row["label"] == BANDS[row["band"]]["label"]
    assert out["band"].iloc[-1] == "no_data"


def test_dhis2_legend_start_inclusive_end_exclusive():
    # DHIS2: startValue <= value < endValue. Ranges 0-50 poor, 50-80 fair, 80-100 good.
    legend = [(0, 50, "poor"), (50, 80, "fair"), (80, 100, "good")]
    defs = definitions()
    defs["thresholds"] = [legend, (10, 20)]
    values = [0, 49.999, 50, 79.999, 80, 99.999]
    out = band(one_indicator(values), defs)
    assert out["band"].tolist() == ["poor", "poor", "fair", "fair", "good", "good"]
    assert not out["outside_legend"].any()


def test_legend_top_end_is_included_and_values_outside_go_to_nearest_range():
    legend = [(0, 50, "poor"), (50, 80, "fair"), (80, 100, "good")]
    defs = definitions()
    defs["thresholds"] = [legend, (10, 20)]
    # 100 is the end of the top range: included here (DHIS2 would leave it uncoloured).
    out = band(one_indicator([100, 112, -3]), defs)
    assert out["band"].tolist() == ["good", "good", "poor"]
    assert out["outside_legend"].tolist() == [False, True, True]


def test_legend_lower_is_better_differs_from_cutoffs_at_the_boundary():
    # Legend 0-10 good, 10-20 fair, 20+ poor: 10 days starts the fair range,
    # whereas the cut-off form (10, 20) counts 10 days as good.
    defs = definitions()
    defs["thresholds"] = [(80, 50), [(0, 10, "good"), (10, 20, "fair"), (20, None, "poor")]]
    out = band(one_indicator([9.99, 10, 19.99, 20, 300], "STOCKOUT"), defs)
    assert out["band"].tolist() == ["good", "fair", "fair", "poor", "poor"]
    assert not out["outside_legend"].any()
    cutoffs = band(one_indicator([10], "STOCKOUT"), definitions())
    assert cutoffs["band"].tolist() == ["good"]


def test_legend_written_as_dhis2_dicts_in_any_order():
    defs = definitions()
    defs["thresholds"] = [
        [
            {"startValue": 80, "endValue": 100, "band": "good"},
            {"startValue": 0, "endValue": 80, "band": "poor"},
        ],
        (10, 20),
    ]
    assert band(one_indicator([79, 80]), defs)["band"].tolist() == ["poor", "good"]


def test_not_applicable_is_distinct_from_no_data_and_overrides_a_value():
    values = pd.DataFrame(
        {
            "org_unit": ["HP1", "HP2", "HC1"],
            "indicator": "PENTA3",
            "value": [np.nan, 95.0, np.nan],
        }
    )
    out = band(values, definitions(), not_applicable={("HP1", "PENTA3"), ("HP2", "PENTA3")})
    assert out["band"].tolist() == ["not_applicable", "not_applicable", "no_data"]
    assert out["symbol"].tolist() == [
        BANDS["not_applicable"]["symbol"],
        BANDS["not_applicable"]["symbol"],
        BANDS["no_data"]["symbol"],
    ]


def test_band_does_not_change_its_input():
    values = one_indicator([90, 40])
    before = values.copy()
    band(values, definitions())
    pd.testing.assert_frame_equal(values, before)


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ([(50, 80), (10, 20)], "not in order"),  # higher is better, but good < fair
        ([(80, 50), (20, 10)], "not in order"),  # lower is better, but good > fair
        ([[(0, 50, "poor"), (60, 100, "good")], (10, 20)], "leave a gap"),
        ([[(0, 60, "poor"), (50, 100, "good")], (10, 20)], "overlap"),
        ([[(0, 50, "bad"), (50, 100, "good")], (10, 20)], "band 'bad'"),
        ([[(50, 0, "poor")], (10, 20)], "must be smaller"),
        ([(80, None), (10, 20)], "empty"),
        ([(80, "high"), (10, 20)], "not a number"),
    ],
)
def test_bad_thresholds_are_explained(thresholds, message):
    defs = definitions()
    defs["thresholds"] = thresholds
    with pytest.raises(InputError, match=message):
        band(one_indicator([60]), defs)


def test_unknown_indicator_in_data_is_named():
    with pytest.raises(InputError, match="no definition: ANC9"):
        band(one_indicator([60], "ANC9"), definitions())


# ---------------------------------------------------------------------------
# scorecard()
# ---------------------------------------------------------------------------


@pytest.fixture
def five_facilities() -> pd.DataFrame:
    rows = [
        # March 2025 Penta3: 90, 85, 85, 70, missing (E).
        ("A", MAR, "PENTA3", 90.0),
        ("B", MAR, "PENTA3", 85.0),
        ("C", MAR, "PENTA3", 85.0),
        ("D", MAR, "PENTA3", 70.0),
        ("E", MAR, "PENTA3", np.nan),
        # February 2025 Penta3: A +1 (flat), B +1.5 (up), C -3 (down), D none, E 60.
        ("A", FEB, "PENTA3", 89.0),
        ("B", FEB, "PENTA3", 83.5),
        ("C", FEB, "PENTA3", 88.0),
        ("E", FEB, "PENTA3", 60.0),
        # March stock-out days: 3, 3, 8, 25 (E not applicable: no ACT stocked).
        ("A", MAR, "STOCKOUT", 3.0),
        ("B", MAR, "STOCKOUT", 3.0),
        ("C", MAR, "STOCKOUT", 8.0),
        ("D", MAR, "STOCKOUT", 25.0),
        ("A", FEB, "STOCKOUT", 0.0),
        ("B", FEB, "STOCKOUT", 6.0),
        ("C", FEB, "STOCKOUT", 8.5),
        ("D", FEB, "STOCKOUT", 20.0),
    ]
    return tidy(rows)


def cell(card: pd.DataFrame, org_unit: str, indicator: str) -> pd.Series:
    rows = card[(card["org_unit"] == org_unit) & (card["indicator"] == indicator)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_scorecard_has_one_row_per_org_unit_and_indicator(five_facilities):
    card = scorecard(five_facilities, definitions(), MAR, not_applicable={("E", "STOCKOUT")})
    assert len(card) == 5 * 2
    assert card["org_unit"].tolist()[:2] == ["A", "A"]
    assert set(card["period"]) == {MAR}
    assert set(card["previous_period"]) == {FEB}


def test_bands_targets_and_no_data(five_facilities):
    card = scorecard(five_facilities, definitions(), MAR, not_applicable={("E", "STOCKOUT")})
    assert cell(card, "A", "PENTA3")["band"] == "good"
    assert cell(card, "D", "PENTA3")["band"] == "fair"  # 70: >= 50 but < 80
    assert cell(card, "E", "PENTA3")["band"] == "no_data"
    assert cell(card, "E", "STOCKOUT")["band"] == "not_applicable"
    assert cell(card, "D", "STOCKOUT")["band"] == "poor"  # 25 > 20
    # On target: Penta3 >= 80, stock-out days <= 10; no data is not on target,
    # not applicable is neither.
    assert bool(cell(card, "B", "PENTA3")["on_target"]) is True
    assert bool(cell(card, "D", "PENTA3")["on_target"]) is False
    assert bool(cell(card, "E", "PENTA3")["on_target"]) is False
    assert cell(card, "E", "STOCKOUT")["on_target"] is pd.NA
    assert bool(cell(card, "C", "STOCKOUT")["on_target"]) is True


def test_ranks_ties_share_the_lowest_rank_and_missing_is_not_ranked(five_facilities):
    card = scorecard(five_facilities, definitions(), MAR, not_applicable={("E", "STOCKOUT")})
    penta = card[card["indicator"] == "PENTA3"].set_index("org_unit")
    # Higher is better: 90 -> 1, 85 and 85 -> 2 and 2, 70 -> 4; E (no data) unranked.
    assert penta["rank"].tolist()[:4] == [1, 2, 2, 4]
    assert penta.loc["E", "rank"] is pd.NA
    assert set(penta["ranked_among"]) == {4}
    stock = card[card["indicator"] == "STOCKOUT"].set_index("org_unit")
    # Lower is better: 3 and 3 -> 1 and 1, 8 -> 3, 25 -> 4; E not applicable.
    assert stock["rank"].tolist()[:4] == [1, 1, 3, 4]
    assert stock.loc["E", "rank"] is pd.NA


def test_trend_arrows_with_tolerance_and_direction(five_facilities):
    card = scorecard(five_facilities, definitions(), MAR, not_applicable={("E", "STOCKOUT")})
    a = cell(card, "A", "PENTA3")  # 89 -> 90: change 1.0 = tolerance -> flat
    assert (a["change"], a["trend"], a["arrow"], a["direction"]) == (1.0, "flat", "→", "same")
    b = cell(card, "B", "PENTA3")  # 83.5 -> 85: +1.5 -> up, better (higher is better)
    assert (b["change"], b["trend"], b["arrow"], b["direction"]) == (1.5, "up", "↑", "better")
    c = cell(card, "C", "PENTA3")  # 88 -> 85: -3 -> down, worse
    assert (c["change"], c["trend"], c["arrow"], c["direction"]) == (-3.0, "down", "↓", "worse")
    d = cell(card, "D", "PENTA3")  # no February value -> none
    assert (d["trend"], d["arrow"], d["direction"]) == ("none", "", "none")
    e = cell(card, "E", "PENTA3")  # no March value -> none
    assert e["trend"] == "none" and math.isnan(e["change"])
    # Lower is better: stock-out days 0 -> 3 is up but worse; 6 -> 3 is down and better.
    assert cell(card, "A", "STOCKOUT")[["trend", "direction"]].tolist() == ["up", "worse"]
    assert cell(card, "B", "STOCKOUT")[["trend", "direction"]].tolist() == ["down", "better"]
    # 8.5 -> 8: -0.5 within the tolerance of 1 day -> flat.
    assert cell(card, "C", "STOCKOUT")["trend"] == "flat"


def test_tolerance_per_indicator_and_no_comparison(five_facilities):
    defs = definitions(tolerance=[2.0, 0.25])
    card = scorecard(five_facilities, defs, MAR, not_applicable={("E", "STOCKOUT")})
    assert cell(card, "B", "PENTA3")["trend"] == "flat"  # 1.5 <= 2
    assert cell(card, "C", "STOCKOUT")["trend"] == "down"  # 0.5 > 0.25
    none = scorecard(five_facilities, definitions(), MAR, compare=None)
    assert set(none["trend"]) == {"none"}
    assert none["previous_value"].isna().all()


def test_compare_with_the_same_month_last_year():
    rows = [("A", pd.Period("2024-03", "M"), "PENTA3", 70.0), ("A", MAR, "PENTA3", 75.0)]
    card = scorecard(tidy(rows), definitions(), "2025-03", compare="year")
    row = cell(card, "A", "PENTA3")
    assert row["previous_period"] == pd.Period("2024-03", "M")
    assert (row["previous_value"], row["change"], row["trend"]) == (70.0, 5.0, "up")


def test_not_applicable_rule_by_facility_type(five_facilities):
    org_units = pd.DataFrame(
        {
            "org_unit_id": ["A", "B", "C", "D", "E"],
            "name": ["Alpha HC", "Beta HC", "Gamma HC", "Delta HP", "Echo HP"],
            "facility_type": ["health_centre"] * 3 + ["health_post"] * 2,
        }
    )
    card = scorecard(
        five_facilities,
        definitions(),
        MAR,
        org_units=org_units,
        not_applicable={"STOCKOUT": ["health_post"]},
    )
    stock = card[card["indicator"] == "STOCKOUT"]
    assert stock["band"].tolist()[3:] == ["not_applicable", "not_applicable"]
    assert stock["rank"].tolist()[:3] == [1, 1, 3]
    assert set(stock["ranked_among"]) == {3}
    assert cell(card, "D", "PENTA3")["org_unit_name"] == "Delta HP"


def test_summaries_hand_worked(five_facilities):
    card = scorecard(five_facilities, definitions(), MAR, not_applicable={("E", "STOCKOUT")})
    by_ind = summary_by_indicator(card).set_index("indicator")
    # Penta3: mean of 90, 85, 85, 70 = 330 / 4 = 82.5; on target (>= 80) 3 of 4 with data = 75 %.
    assert by_ind.loc["PENTA3", "average"] == pytest.approx(82.5)
    assert by_ind.loc["PENTA3", ["applicable", "with_data", "on_target"]].tolist() == [5, 4, 3]
    assert by_ind.loc["PENTA3", "share_on_target"] == pytest.approx(75.0)
    assert by_ind.loc["PENTA3", ["good", "fair", "no_data"]].tolist() == [3, 1, 1]
    # Stock-out days: (3 + 3 + 8 + 25) / 4 = 9.75; on target (<= 10) 3 of 4.
    assert by_ind.loc["STOCKOUT", "average"] == pytest.approx(9.75)
    assert by_ind.loc["STOCKOUT", "not_applicable"] == 1
    by_ou = summary_by_org_unit(card).set_index("org_unit")
    assert by_ou.loc["D", "text"] == "0 of 2 on target"
    assert by_ou.loc["E", ["applicable", "with_data", "on_target"]].tolist() == [1, 0, 0]
    assert by_ou.loc["A", "text"] == "2 of 2 on target"


def test_on_target_without_a_target_means_good_band():
    rows = [("A", MAR, "PENTA3", 60.0), ("B", MAR, "PENTA3", 81.0)]
    card = scorecard(tidy(rows), definitions(target=np.nan), MAR, compare=None)
    assert card["on_target"].tolist() == [False, True]


def test_scorecard_does_not_change_its_inputs(five_facilities):
    defs = definitions()
    data_before, defs_before = five_facilities.copy(), defs.copy()
    scorecard(five_facilities, defs, MAR)
    pd.testing.assert_frame_equal(five_facilities, data_before)
    pd.testing.assert_frame_equal(defs, defs_before)


def test_period_not_in_data_is_explained(five_facilities):
    with pytest.raises(InputError, match="no values for April 2025") as err:
        scorecard(five_facilities, definitions(), "2025-04")
    assert "February 2025 to March 2025" in str(err.value)


def test_duplicate_rows_are_refused(five_facilities):
    doubled = pd.concat([five_facilities, five_facilities.iloc[[0]]])
    with pytest.raises(InputError, match="repeat the same org unit"):
        scorecard(doubled, definitions(), MAR)


def test_unknown_indicator_and_missing_columns_are_refused(five_facilities):
    extra = pd.concat([five_facilities, tidy([("A", MAR, "ANC9", 1.0)])])
    with pytest.raises(InputError, match="ANC9"):
        scorecard(extra, definitions(), MAR)
    with pytest.raises(InputError, match="lacks the column"):
        scorecard(five_facilities.drop(columns="period"), definitions(), MAR)
    with pytest.raises(InputError, match="not in order"):
        scorecard(five_facilities, definitions(thresholds=[(50, 80), (10, 20)]), MAR)


# ---------------------------------------------------------------------------
# Aggregation to a higher level
# ---------------------------------------------------------------------------


@pytest.fixture
def hierarchy() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "org_unit_id": ["N", "D1", "D2", "F1", "F2", "F3", "F4"],
            "name": ["Nation", "North", "South", "F one", "F two", "F three", "F four"],
            "level": [1, 2, 2, 3, 3, 3, 3],
            "level_name": ["country", "district", "district"] + ["facility"] * 4,
            "parent_id": [None, "N", "N", "D1", "D1", "D1", "D2"],
        }
    )


def test_aggregation_sums_numerators_and_denominators(hierarchy):
    data = pd.DataFrame(
        {
            "org_unit": ["F1", "F2", "F3", "F1", "F2"],
            "period": [MAR] * 5,
            "indicator": ["PENTA3"] * 3 + ["STOCKOUT"] * 2,
            "value": [90.0, 20.0, np.nan, 4.0, 10.0],
            "numerator": [45.0, 20.0, np.nan, np.nan, np.nan],
            "denominator": [50.0, 100.0, 80.0, np.nan, np.nan],
        }
    )
    out = aggregate_to_level(data, hierarchy, "district", definitions())
    penta = out[out["indicator"] == "PENTA3"].iloc[0]
    # (45 + 20) / (50 + 100) x 100 = 43.33 %, not the mean of rates (90 + 20) / 2 = 55 %.
    # F3 has a denominator but no numerator (did not report): left out of both sums.
    assert penta["org_unit"] == "D1"
    assert penta["value"] == pytest.approx(65 / 150 * 100)
    assert (penta["numerator"], penta["denominator"]) == (65.0, 150.0)
    # Stock-out days have no numerator: mean of 4 and 10 = 7 days.
    stock = out[out["indicator"] == "STOCKOUT"].iloc[0]
    assert stock["value"] == pytest.approx(7.0)


def test_aggregation_by_sum_and_by_level_number(hierarchy):
    data = tidy([("F1", MAR, "STOCKOUT", 4.0), ("F4", MAR, "STOCKOUT", 6.0)])
    defs = definitions(aggregation=["ratio", "sum"])
    out = aggregate_to_level(data, hierarchy, 1, defs)
    assert out["org_unit"].tolist() == ["N"]
    assert out["value"].tolist() == [10.0]


def test_aggregation_names_unknown_org_units_and_levels(hierarchy):
    data = tidy([("F9", MAR, "PENTA3", 50.0)])
    with pytest.raises(InputError, match="not in the org unit table: F9"):
        aggregate_to_level(data, hierarchy, "district")
    with pytest.raises(InputError, match="district, facility"):
        aggregate_to_level(tidy([("F1", MAR, "PENTA3", 50.0)]), hierarchy, "province")


def test_scorecard_at_district_level_shows_every_district(hierarchy):
    data = pd.DataFrame(
        {
            "org_unit": ["F1", "F2", "F1", "F2"],
            "period": [MAR, MAR, FEB, FEB],
            "indicator": ["PENTA3"] * 4,
            "numerator": [45.0, 20.0, 30.0, 30.0],
            "denominator": [50.0, 100.0, 50.0, 100.0],
        }
    )
    card = scorecard(data, definitions(), MAR, level="district", org_units=hierarchy)
    assert card["org_unit"].tolist() == ["D1", "D2"]
    north = cell(card, "D1", "PENTA3")
    # March 65 / 150 = 43.3 %; February 60 / 150 = 40 %; change +3.3 -> up.
    assert north["value"] == pytest.approx(43.333333)
    assert north["previous_value"] == pytest.approx(40.0)
    assert (north["band"], north["trend"], north["org_unit_name"]) == ("poor", "up", "North")
    assert cell(card, "D2", "PENTA3")["band"] == "no_data"


# ---------------------------------------------------------------------------
# Wide table and feedback sheet
# ---------------------------------------------------------------------------


def test_wide_table_text_cells(five_facilities):
    card = scorecard(five_facilities, definitions(), MAR, not_applicable={("E", "STOCKOUT")})
    wide = scorecard_wide(card)
    assert wide.columns.tolist() == [
        "Penta3 coverage (%)",
        "Stock-out days of ACT (days)",
        "On target",
    ]
    assert wide.index.tolist() == ["A", "B", "C", "D", "E", "Average"]
    assert wide.loc["A", "Penta3 coverage (%)"] == "● 90 %"
    assert wide.loc["D", "Penta3 coverage (%)"] == "▲ 70 %"
    assert wide.loc["D", "Stock-out days of ACT (days)"] == "■ 25 days"
    assert wide.loc["E", "Penta3 coverage (%)"] == "? No data"
    assert wide.loc["E", "Stock-out days of ACT (days)"] == "– Not applicable"
    assert wide.loc["A", "On target"] == "2 of 2"
    # Average row: 82.5 shown with no decimals, halves rounded up as in Excel: 83; 9.75 -> 10.
    assert wide.loc["Average", "Penta3 coverage (%)"] == "83 %"
    assert wide.loc["Average", "Stock-out days of ACT (days)"] == "10 days"
    assert wide.loc["Average", "On target"] == "6 of 9"


def test_wide_table_values_bands_and_decimals(five_facilities):
    card = scorecard(
        five_facilities, definitions(decimals=1), MAR, not_applicable={("E", "STOCKOUT")}
    )
    values = scorecard_wide(card, cells="value", summary=False)
    assert values.loc["B", "Penta3 coverage (%)"] == 85.0
    assert math.isnan(values.loc["E", "Stock-out days of ACT (days)"])
    bands = scorecard_wide(card, cells="band", summary=False)
    assert bands.loc["D", "Penta3 coverage (%)"] == "fair"
    text = scorecard_wide(card)
    assert text.loc["Average", "Penta3 coverage (%)"] == "82.5 %"
    with pytest.raises(InputError, match="Unknown cell content"):
        scorecard_wide(card, cells="colour")


def feedback_card() -> pd.DataFrame:
    rows = [
        ("K", FEB, "PENTA3", 71.0),
        ("K", MAR, "PENTA3", 78.0),
        ("K", FEB, "STOCKOUT", 12.0),
        ("K", MAR, "STOCKOUT", 10.5),
        ("L", MAR, "PENTA3", 90.0),
        ("L", MAR, "STOCKOUT", 2.0),
        ("M", MAR, "PENTA3", 60.0),
        ("M", MAR, "STOCKOUT", 8.0),
    ]
    org_units = pd.DataFrame(
        {"org_unit": ["K", "L", "M"], "name": ["Kilembe HC", "Lunda HC", "Mavu HC"]}
    )
    return scorecard(tidy(rows), definitions(), MAR, org_units=org_units)


def test_feedback_sheet_numbers_and_sentences():
    sheet = feedback_sheet_data(feedback_card(), "Kilembe HC")
    assert (sheet.org_unit, sheet.name, sheet.period) == ("K", "Kilembe HC", MAR)
    assert (sheet.on_target, sheet.applicable, sheet.peers) == (0, 2, 3)
    table = sheet.table.set_index("indicator")
    # District average of Penta3: (78 + 90 + 60) / 3 = 76.
    assert table.loc["PENTA3", "average"] == pytest.approx(76.0)
    assert table.loc["PENTA3", "rank_text"] == "2 of 3"
    # Stock-out days 2 (L), 8 (M), 10.5 (K): lower is better, so K is 3 of 3.
    assert table.loc["STOCKOUT", "rank_text"] == "3 of 3"
    # Relative ranks: Penta3 (2 - 1) / (3 - 1) = 0.5, stock-out days (3 - 1) / (3 - 1) = 1.
    assert (sheet.best, sheet.worst) == (("Penta3 coverage",), ("Stock-out days of ACT",))
    # Changes: Penta3 +7 points (7 tolerances), stock-out days -1.5 days (1.5 tolerances):
    # the Penta3 change is the bigger one.
    assert sheet.sentences == (
        "Kilembe HC was on target for 0 of 2 indicators in March 2025.",
        "Penta3 coverage rose from 71 % to 78 %; still below the 80 % target.",
        "Compared with the others on the scorecard, it ranks highest on Penta3 coverage "
        "(2 of 3) and lowest on Stock-out days of ACT (3 of 3).",
    )
    assert sheet.text.startswith("Kilembe HC was on target")


def test_feedback_sentence_for_lower_is_better_and_no_data():
    rows = [
        ("K", FEB, "STOCKOUT", 12.0),
        ("K", MAR, "STOCKOUT", 4.0),
        ("K", MAR, "PENTA3", np.nan),
        ("L", MAR, "STOCKOUT", 6.0),
    ]
    card = scorecard(tidy(rows), definitions(), MAR)
    sheet = feedback_sheet_data(card, "K")
    assert sheet.sentences == (
        "K was on target for 1 of 2 indicators in March 2025.",
        "Stock-out days of ACT fell from 12 days to 4 days; now below the target of 10 days.",
        "No data were reported for Penta3 coverage.",
    )
    assert sheet.best == ("Stock-out days of ACT",)


def test_feedback_sheet_when_nothing_moved_and_unknown_org_unit():
    rows = [("K", FEB, "PENTA3", 80.0), ("K", MAR, "PENTA3", 80.5)]
    card = scorecard(tidy(rows), definitions(), MAR)
    sheet = feedback_sheet_data(card, "K")
    assert sheet.sentences[1] == (
        "No indicator changed by more than its tolerance since February 2025."
    )
    assert len(sheet.sentences) == 2
    with pytest.raises(InputError, match="not on this scorecard"):
        feedback_sheet_data(card, "Z")


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

finite = st.floats(min_value=-1000, max_value=1000, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(value=finite, good=finite, gap=st.floats(min_value=0, max_value=500))
def test_cutoffs_match_direct_comparisons(value, good, gap):
    fair = good - gap
    defs = definitions()
    defs["thresholds"] = [(good, fair), (good - 1000, good - 1000 + gap)]
    got = band(one_indicator([value]), defs)["band"].iloc[0]
    expected = "good" if value >= good else ("fair" if value >= fair else "poor")
    assert got == expected


@settings(max_examples=60, deadline=None)
@given(value=finite, fair=finite, width=st.floats(min_value=0.001, max_value=500))
def test_higher_is_better_cutoffs_equal_the_matching_dhis2_legend(value, fair, width):
    good = fair + width
    cutoffs = definitions()
    cutoffs["thresholds"] = [(good, fair), (10, 20)]
    legend = definitions()
    legend["thresholds"] = [
        [(None, fair, "poor"), (fair, good, "fair"), (good, None, "good")],
        (10, 20),
    ]
    values = one_indicator([value])
    assert band(values, cutoffs)["band"].tolist() == band(values, legend)["band"].tolist()


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1))
def test_ranks_are_competition_ranks(values):
    rows = [(f"F{i:03d}", MAR, "PENTA3", v) for i, v in enumerate(values)]
    card = scorecard(tidy(rows), definitions(), MAR, compare=None)
    ranks = card["rank"].astype(int).to_numpy()
    vals = card["value"].to_numpy()
    for rank, value in zip(ranks, vals, strict=True):
        assert rank == 1 + int((vals > value).sum())


def test_target_with_text_is_refused():
    with pytest.raises(InputError, match="target of indicator 'PENTA3' is not a number"):
        band(one_indicator([60]), definitions(target=["80%", 10]))


def test_feedback_without_best_or_worst_when_ranks_tie():
    # K is second of three on both indicators: no best and no worst to name.
    rows = [
        ("K", MAR, "PENTA3", 78.0),
        ("L", MAR, "PENTA3", 90.0),
        ("M", MAR, "PENTA3", 60.0),
        ("K", MAR, "STOCKOUT", 5.0),
        ("L", MAR, "STOCKOUT", 2.0),
        ("M", MAR, "STOCKOUT", 30.0),
    ]
    sheet = feedback_sheet_data(scorecard(tidy(rows), definitions(), MAR, compare=None), "K")
    assert (sheet.best, sheet.worst) == ((), ())
    assert sheet.sentences == (
        "K was on target for 1 of 2 indicators in March 2025.",
        "There is no earlier period to compare with.",
    )


def test_feedback_sentence_when_a_target_is_newly_reached():
    rows = [("K", FEB, "PENTA3", 76.0), ("K", MAR, "PENTA3", 83.0)]
    sheet = feedback_sheet_data(scorecard(tidy(rows), definitions(), MAR), "K")
    assert (
        sheet.sentences[1] == "Penta3 coverage rose from 76 % to 83 %; now above the 80 % target."
    )
    assert sheet.best == ("Penta3 coverage",) and sheet.worst == ()


def test_not_applicable_given_as_a_table():
    values = pd.DataFrame({"org_unit": ["HP1", "HC1"], "indicator": "PENTA3", "value": [50.0, 50]})
    pairs = pd.DataFrame({"org_unit": ["HP1"], "indicator": ["PENTA3"]})
    out = band(values, definitions(), not_applicable=pairs)
    assert out["band"].tolist() == ["not_applicable", "fair"]


def test_compare_with_a_chosen_period(five_facilities):
    jan = pd.Period("2025-01", "M")
    extra = pd.concat([five_facilities, tidy([("A", jan, "PENTA3", 80.0)])])
    card = scorecard(extra, definitions(), MAR, compare="2025-01")
    row = cell(card, "A", "PENTA3")
    assert (row["previous_period"], row["previous_value"], row["change"]) == (jan, 80.0, 10.0)
    assert cell(card, "B", "PENTA3")["trend"] == "none"  # B has no January value


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"higher_is_better": ["yes", False]}, "must be True or False"),
        ({"indicator": ["PENTA3", "PENTA3"]}, "defined twice"),
        ({"aggregation": ["median", "sum"]}, "aggregation of indicator 'PENTA3'"),
    ],
)
def test_bad_definitions_are_explained(change, message):
    with pytest.raises(InputError, match=message):
        band(one_indicator([60]), definitions(**change))


def test_missing_pieces_are_explained(five_facilities, hierarchy):
    with pytest.raises(InputError, match="lack the column"):
        band(one_indicator([60]), definitions().drop(columns="thresholds"))
    text_periods = five_facilities.assign(period=five_facilities["period"].astype(str))
    with pytest.raises(InputError, match="does not hold periods"):
        scorecard(text_periods, definitions(), MAR)
    with pytest.raises(InputError, match="needs the org unit table"):
        scorecard(five_facilities, definitions(), MAR, not_applicable={"PENTA3": ["health_post"]})
    with pytest.raises(InputError, match="needs the org unit table"):
        scorecard(five_facilities, definitions(), MAR, level="district")


def test_outside_legend_is_flagged_on_the_scorecard():
    defs = definitions()
    defs["thresholds"] = [[(0, 50, "poor"), (50, 80, "fair"), (80, 100, "good")], (10, 20)]
    rows = [("A", MAR, "PENTA3", 104.0), ("B", MAR, "PENTA3", 100.0)]
    card = scorecard(tidy(rows), defs, MAR, compare=None)
    assert card["band"].tolist() == ["good", "good"]
    assert card["outside_legend"].tolist() == [True, False]


def test_period_and_value_text():
    from phcpm.scorecard import format_value, period_text

    assert period_text(MAR) == "March 2025"
    assert period_text(pd.Period("2025Q1", "Q")) == "2025 Q1"
    assert period_text(pd.Period("2025", "Y")) == "2025"
    assert format_value(1204.0, "visits") == "1,204 visits"
    # Halves away from zero, as Excel's ROUND (Python alone would give 78.2 and 82).
    assert format_value(78.25, "%", 1) == "78.3 %"
    assert format_value(82.5, "%") == "83 %"
    assert format_value(-2.5, "days") == "-3 days"
    assert format_value(1.005, "", 2) == "1.01"  # stored as 1.00499999..., still 1.01
    assert format_value(-0.4, "%") == "0 %"
    assert format_value(float("nan"), "%") == "No data"


def test_periods_of_mixed_frequency_are_kept_apart():
    # A column of Period objects with months and quarters (as a mixed file gives).
    q1 = pd.Period("2025Q1", "Q")
    data = pd.DataFrame(
        {
            "org_unit": ["A", "A", "B"],
            "period": pd.Series([MAR, q1, FEB], dtype=object),
            "indicator": "PENTA3",
            "value": [80.0, 70.0, 60.0],
        }
    )
    monthly = scorecard(data, definitions(), MAR)
    assert monthly["value"].tolist()[0] == 80.0
    assert monthly["previous_value"].tolist()[1] == 60.0  # B in February
    quarterly = scorecard(data, definitions(), q1)
    assert quarterly["value"].tolist()[0] == 70.0


# ---------------------------------------------------------------------------
# default_definitions() and district_indicators()
# ---------------------------------------------------------------------------


def _tiny_district():
    """One district (D) with two facilities (F1 offers immunisation, F2 does not).

    Hand-worked numbers, quarter 2025Q1 (three months):
    * F1 Penta3 = 10 + 12 + 8 = 30; surviving infants 400 a year -> 400 x 3/12 = 100;
      coverage 30 / 100 x 100 = 30 % (WHO, Immunization in practice, module 6, 2015).
    * F1 Penta1 = 40, Penta3 = 30 -> dropout (40 - 30) / 40 x 100 = 25 % (WHO AFRO RED 2017).
    * Malaria tested / suspected: F1 45 / 50 = 90 %; F2 9 / 10 = 90 %.
      District: (45 + 9) / (50 + 10) = 90 %.
    * F1 January is entered twice (an exact repeat): counted once.
    * Reports: F1 3 of 3 received, 2 on time; F2 2 of 3 received, 2 on time ->
      completeness 100 % and 66.7 %; district 5 / 6 = 83.3 %, timeliness 4 / 6 = 66.7 %.
    * ACT stock-out days: F1 0, 6, 3 -> 3 days per month; F2 reported 2 months: 4, 0 -> 2.
    """
    org_units = pd.DataFrame(
        {
            "org_unit_id": ["C", "D", "F1", "F2"],
            "name": ["Country", "District", "Kasiwa Health Centre", "Lupembe Health Post"],
            "level": [1, 3, 4, 4],
            "parent_id": [None, "C", "D", "D"],
        }
    )
    rows = []
    for month, p3, p1, sus, tes, so in [
        ("2025-01", 10, 14, 20, 18, 0),
        ("2025-02", 12, 13, 15, 14, 6),
        ("2025-03", 8, 13, 15, 13, 3),
    ]:
        rows += [
            ("F1", month, "PENTA3", p3),
            ("F1", month, "PENTA1", p1),
            ("F1", month, "MAL_SUSPECTED", sus),
            ("F1", month, "MAL_TESTED", tes),
            ("F1", month, "STOCKOUT_DAYS_ACT", so),
        ]
    rows.append(("F1", "2025-01", "PENTA3", 10))  # entered twice
    rows += [
        ("F2", "2025-01", "MAL_SUSPECTED", 6),
        ("F2", "2025-01", "MAL_TESTED", 5),
        ("F2", "2025-03", "MAL_SUSPECTED", 4),
        ("F2", "2025-03", "MAL_TESTED", 4),
        ("F2", "2025-01", "STOCKOUT_DAYS_ACT", 4),
        ("F2", "2025-03", "STOCKOUT_DAYS_ACT", 0),
    ]
    service = pd.DataFrame(rows, columns=["org_unit_id", "period", "data_element", "value"])
    population = pd.DataFrame(
        {
            "org_unit_id": ["F1", "F2", "D"],
            "year": [2025, 2025, 2025],
            "surviving_infants": [400, 200, 600],
            "total_population": [12000, 6000, 18000],
            "expected_pregnancies": [440, 220, 660],
            "live_births": [420, 210, 630],
        }
    )
    reporting = pd.DataFrame(
        {
            "org_unit_id": ["F1"] * 3 + ["F2"] * 3,
            "period": ["2025-01", "2025-02", "2025-03"] * 2,
            "expected": [1] * 6,
            "received": [1, 1, 1, 1, 0, 1],
            "on_time": [1, 0, 1, 1, None, 1],
        }
    )
    return service, population, org_units, reporting


def _value(table, org_unit, indicator):
    row = table[(table["org_unit"] == org_unit) & (table["indicator"] == indicator)]
    assert len(row) == 1, row
    return float(row["value"].iloc[0])


def test_default_definitions_have_targets_thresholds_and_directions():
    defs = default_definitions()
    assert 8 <= len(defs) <= 12
    assert defs["indicator"].is_unique
    lower = set(defs.loc[~defs["higher_is_better"], "indicator"])
    assert lower == {"PENTA_DROPOUT", "ACT_STOCKOUT_DAYS"}
    # The definitions are accepted by scorecard() and band() as they are.
    values = pd.DataFrame({"indicator": ["PENTA3_COV", "PENTA_DROPOUT"], "value": [85.0, 8.0]})
    assert band(values, defs)["band"].tolist() == ["fair", "good"]
    assert default_definitions(["MCV1_COV"])["target"].tolist() == [95.0]
    with pytest.raises(InputError, match="Unknown indicator"):
        default_definitions(["NOPE"])


def test_district_indicators_match_hand_worked_quarter():
    service, population, org_units, reporting = _tiny_district()
    out = district_indicators(service, population, org_units, reporting, freq="Q")
    assert list(out.columns) == [
        "org_unit",
        "period",
        "indicator",
        "value",
        "numerator",
        "denominator",
    ]
    assert (out["period"] == pd.Period("2025Q1", "Q")).all()
    assert _value(out, "F1", "PENTA3_COV") == pytest.approx(30.0)
    assert _value(out, "F1", "PENTA_DROPOUT") == pytest.approx(25.0)
    assert _value(out, "F1", "MAL_TEST_RATE") == pytest.approx(90.0)
    assert _value(out, "F2", "MAL_TEST_RATE") == pytest.approx(90.0)
    assert _value(out, "F1", "REPORT_COMPLETE") == pytest.approx(100.0)
    assert _value(out, "F2", "REPORT_COMPLETE") == pytest.approx(200 / 3)
    assert _value(out, "F1", "REPORT_TIMELY") == pytest.approx(200 / 3)
    assert _value(out, "F1", "ACT_STOCKOUT_DAYS") == pytest.approx(3.0)
    assert _value(out, "F2", "ACT_STOCKOUT_DAYS") == pytest.approx(2.0)
    # F2 offers no immunisation: no rows, so the scorecard can mark it not applicable.
    assert out[(out["org_unit"] == "F2") & (out["indicator"] == "PENTA3_COV")].empty
    na = not_offered(out, org_units)
    assert ("F2", "PENTA3_COV") in set(zip(na["org_unit"], na["indicator"], strict=True))
    assert ("F1", "PENTA3_COV") not in set(zip(na["org_unit"], na["indicator"], strict=True))


def test_district_indicators_at_district_level_sum_counts_before_dividing():
    service, population, org_units, reporting = _tiny_district()
    out = district_indicators(service, population, org_units, reporting, level="district")
    assert set(out["org_unit"]) == {"D"}
    assert _value(out, "D", "MAL_TEST_RATE") == pytest.approx(54 / 60 * 100)
    assert _value(out, "D", "REPORT_COMPLETE") == pytest.approx(5 / 6 * 100)
    # District Penta3 uses the district's own population: 30 / (600 x 3/12) = 20 %.
    assert _value(out, "D", "PENTA3_COV") == pytest.approx(20.0)
    # Stock-out days: 13 days over 5 monthly values.
    assert _value(out, "D", "ACT_STOCKOUT_DAYS") == pytest.approx(13 / 5)


def test_district_indicators_monthly_and_no_data():
    service, population, org_units, reporting = _tiny_district()
    out = district_indicators(service, population, org_units, reporting, freq="M")
    feb = out[(out["org_unit"] == "F2") & (out["period"] == pd.Period("2025-02", "M"))]
    # F2 sent no report in February: its malaria row exists with no value (no data).
    assert math.isnan(float(feb.loc[feb["indicator"] == "MAL_TEST_RATE", "value"].iloc[0]))
    jan = out[(out["org_unit"] == "F1") & (out["period"] == pd.Period("2025-01", "M"))]
    # January Penta3 10 (entered twice, counted once) over 400 / 12 = 33.3 -> 30 %.
    assert float(jan.loc[jan["indicator"] == "PENTA3_COV", "value"].iloc[0]) == pytest.approx(30.0)
    with pytest.raises(InputError, match="period type"):
        district_indicators(service, population, org_units, reporting, freq="W")


def test_district_indicators_on_the_synthetic_district_flag_mbalazi():
    """Mbalazi's official population is too low on purpose (datasets/README.md)."""
    from phcpm.paths import dataset_path

    out = district_indicators(
        pd.read_csv(dataset_path("service_data.csv")),
        pd.read_csv(dataset_path("population.csv")),
        pd.read_csv(dataset_path("org_units.csv")),
        pd.read_csv(dataset_path("reporting.csv")),
        freq="Y",
        level="district",
    )
    units = pd.read_csv(dataset_path("org_units.csv"))
    names = dict(zip(units["org_unit_id"], units["name"], strict=True))
    penta = out[out["indicator"] == "PENTA3_COV"].assign(name=lambda t: t["org_unit"].map(names))
    top = penta.groupby("name")["value"].mean().idxmax()
    assert top == "Mbalazi District"
    # "Report completeness is between 80 % and 95 % in every district" over the three years:
    # received / expected, summed over the years.
    rep = out[out["indicator"] == "REPORT_COMPLETE"].groupby("org_unit")
    completeness = rep["numerator"].sum() / rep["denominator"].sum() * 100
    assert len(completeness) == 6
    assert completeness.between(80, 95).all()


# ------------------------------------------------------------ the user's own values
def test_indicator_values_reads_periods_in_any_form():
    table = pd.DataFrame(
        {
            "org_unit": ["X", "X", "Y"],
            "period": ["March 2025", "2025-04", "202505"],
            "indicator": ["A", "A", "A"],
            "value": [1, "2.5", None],
        }
    )
    out = sc.indicator_values(table)
    assert list(out["period"]) == [pd.Period(m, "M") for m in ("2025-03", "2025-04", "2025-05")]
    assert out["value"].iloc[1] == 2.5
    assert np.isnan(out["value"].iloc[2])
    assert table["value"].tolist() == [1, "2.5", None]  # the user's table is not changed


def test_indicator_values_refuses_text_values_with_the_row():
    table = pd.DataFrame(
        {
            "org_unit": ["X", "Y"],
            "period": ["2025Q1", "2025Q1"],
            "indicator": "A",
            "value": [80, "8O"],
        }
    )
    with pytest.raises(InputError, match=r"'8O' is not a number.*row 3"):
        sc.indicator_values(table)


def test_indicator_values_blank_text_is_no_data():
    table = pd.DataFrame(
        {
            "org_unit": ["X", "Y"],
            "period": ["2025Q1", "2025Q1"],
            "indicator": "A",
            "value": [80, "  "],
        }
    )
    assert sc.indicator_values(table)["value"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("column", "values", "words"),
    [
        ("period", ["2025Q1", "sometime"], "row 3"),
        ("period", ["2025Q1", "2025-03"], "mixes kinds of periods"),
    ],
)
def test_indicator_values_explains_bad_periods(column, values, words):
    table = pd.DataFrame({"org_unit": ["X", "Y"], "period": values, "indicator": "A", "value": 1})
    with pytest.raises(InputError, match=words):
        sc.indicator_values(table)


def test_indicator_values_names_missing_columns():
    with pytest.raises(InputError, match="indicator, value"):
        sc.indicator_values(pd.DataFrame({"org_unit": ["X"], "period": ["2025Q1"]}))


def test_indicator_without_boundaries_is_not_coloured_ranked_or_counted():
    data = pd.DataFrame(
        {
            "org_unit": ["A", "B", "A", "B"],
            "period": pd.PeriodIndex(["2025Q1", "2025Q1", "2025Q1", "2025Q1"], freq="Q"),
            "indicator": ["DEATHS", "DEATHS", "COV", "COV"],
            "value": [926.0, 3.0, 85.0, 40.0],
        }
    )
    defs = pd.DataFrame(
        {
            "indicator": ["DEATHS", "COV"],
            "higher_is_better": [None, True],
            "target": [float("nan"), 80.0],
            "thresholds": [None, (80, 50)],
        }
    )
    card = sc.scorecard(data, defs, "2025Q1", compare=None)
    deaths = card[card["indicator"] == "DEATHS"]
    assert deaths["band"].tolist() == ["no_target", "no_target"]
    assert deaths["label"].tolist() == ["No target set", "No target set"]
    assert deaths["on_target"].isna().all() and deaths["rank"].isna().all()
    assert deaths["target"].isna().all()
    # The "n of m on target" counts only indicators that have a target.
    assert sc.summary_by_org_unit(card)["text"].tolist() == ["1 of 1 on target", "0 of 1 on target"]
    assert sc.summary_by_indicator(card).set_index("indicator").loc["DEATHS", "no_target"] == 2


def test_boundaries_without_a_direction_are_refused():
    defs = pd.DataFrame(
        {"indicator": ["X"], "higher_is_better": [None], "target": [1.0], "thresholds": [(1, 2)]}
    )
    data = pd.DataFrame(
        {"org_unit": ["A"], "period": pd.PeriodIndex(["2025Q1"], freq="Q"), "indicator": ["X"]}
    ).assign(value=1.0)
    with pytest.raises(InputError, match="no direction"):
        sc.scorecard(data, defs, "2025Q1", compare=None)


def test_own_definitions_invent_no_target():
    values = sc.indicator_values(
        pd.DataFrame(
            {
                "org_unit": ["A", "B", "A"],
                "period": ["2025Q1", "2025Q1", "2025Q1"],
                "indicator": ["Maternal deaths", "Maternal deaths", "PENTA3_COV"],
                "value": [926, 4, 85],
            }
        )
    )
    defs, reasons = sc.own_definitions(values)
    own = defs.set_index("indicator")
    assert own.loc["Maternal deaths", "thresholds"] is None
    assert pd.isna(own.loc["Maternal deaths", "target"])
    assert (
        own.loc["PENTA3_COV", "target"]
        == sc.default_definitions().set_index("indicator").loc["PENTA3_COV", "target"]
    )
    assert set(reasons) == {"Maternal deaths"}
    assert "whole numbers up to 926" in reasons["Maternal deaths"]
    counts = sc.indicator_values(
        pd.DataFrame(
            {"org_unit": ["A"], "period": ["2025Q1"], "indicator": ["PENTA3_COV"], "value": [1520]}
        )
    )
    defs, reasons = sc.own_definitions(counts)
    assert "counts, not percentages" in reasons["PENTA3_COV"]
    assert defs.loc[0, "unit"] == ""


def test_indicator_values_name_mixed_kinds_of_periods():
    table = pd.DataFrame(
        {
            "org_unit": ["A", "A"],
            "period": [pd.Period("2024-01", "M"), pd.Period("2024-01-15", "W")],
            "indicator": ["X", "X"],
            "value": [1, 2],
        }
    )
    with pytest.raises(InputError, match="mixes kinds of periods \\(months and weeks\\)"):
        sc.indicator_values(table)
    with pytest.raises(InputError, match="no rows"):
        sc.indicator_values(table.iloc[:0])


def test_reporting_targets_follow_the_who_data_quality_review():
    """Completeness and timeliness of reporting: what is WHO's and what is not.

    Source: WHO, *Data quality review: a toolkit for facility data quality
    assessment, Module 1: Framework and metrics* (2017), dimension 1
    (completeness and timeliness of reporting): completeness of facility
    reporting flagged below 90 %, timeliness below 75 %; the same limits as the
    quality checks (``phcpm.quality.WHO_DEFAULTS``) and lesson 3.2. The
    timeliness target of 90 % and the completeness "needs attention" band from
    80 % are this toolkit's choices, and the source must say so.
    """
    from phcpm.quality import WHO_DEFAULTS

    defs = sc.default_definitions(["REPORT_COMPLETE", "REPORT_TIMELY"]).set_index("indicator")
    complete, timely = defs.loc["REPORT_COMPLETE"], defs.loc["REPORT_TIMELY"]
    # Completeness: WHO's 90 % is both the target and the start of "on target".
    assert complete["target"] == 90.0 == 100 * WHO_DEFAULTS["reporting_completeness"]
    assert tuple(complete["thresholds"]) == (90.0, 80.0)
    assert complete["source"].startswith("WHO, Data quality review, Module 1")
    assert "90 %" in complete["source"] and "80 % is a choice of this toolkit" in complete["source"]
    # Timeliness: WHO's 75 % is the boundary of "needs attention"; the 90 % target is not WHO's.
    assert timely["thresholds"][1] == 75.0 == 100 * WHO_DEFAULTS["reporting_timeliness"]
    assert timely["target"] == 90.0 and timely["thresholds"][0] == 90.0
    assert "90 %: a choice of this toolkit, not a WHO figure" in timely["source"]
    assert "75 %" in timely["source"] and "Data quality review, Module 1" in timely["source"]


def test_own_place_names_tell_apart_two_places_with_one_name():
    table = pd.DataFrame(
        {
            "org_unit": ["a1", "a2", "b1", "c1"],
            "org_unit_name": ["Hillside Health Post", "Hillside Health Post", "Town HC", "Lone"],
            "orgunitlevel2": ["Upland", "Lowland", "Upland", "Upland"],
        }
    )
    names = sc.own_place_names(table)
    assert names == {
        "a1": "Hillside Health Post (Upland)",
        "a2": "Hillside Health Post (Lowland)",
        "b1": "Town HC",
        "c1": "Lone",
    }
    assert sc.own_place_names(table.drop(columns="org_unit_name")) == {}
    same_parent = table.assign(orgunitlevel2="Upland")
    assert sc.own_place_names(same_parent)["a2"] == "Hillside Health Post (a2)"
