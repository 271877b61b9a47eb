"""Checks of phcpm.quality against hand-worked examples.

Every expected number is worked out by hand in the comment next to it, from the
formula named in the function's docstring (WHO Data Quality Review, Modules 1 and 2,
2017; Iglewicz & Hoaglin 1993 for the modified z-score).
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from phcpm import InputError
from phcpm import quality as q


def series(values, org_unit="Kilima HC", element="ANC1", start="2023-01"):
    """One org unit, one data element, consecutive months."""
    return pd.DataFrame(
        {
            "org_unit": org_unit,
            "period": pd.period_range(start, periods=len(values), freq="M"),
            "data_element": element,
            "value": np.asarray(values, dtype="float64"),
        }
    )


def yearly(org_unit, element, totals, first_year=2020):
    """One value per year, in January: the yearly total is that value."""
    return pd.DataFrame(
        {
            "org_unit": org_unit,
            "period": [pd.Period(f"{first_year + i}-01", freq="M") for i in range(len(totals))],
            "data_element": element,
            "value": np.asarray(totals, dtype="float64"),
        }
    )


# ------------------------------------------------------------------ defaults
def test_defaults_are_the_who_values():
    # WHO DQR Module 1/2 (2017): outliers at 2 and 3 SD, consistency over time ±33 %
    # against 3 earlier years, related indicators ±10 %, completeness 90 %,
    # timeliness 75 %, external comparison ±33 %, population data ±10 %.
    # Iglewicz & Hoaglin (1993): modified z-score cut-off 3.5.
    assert q.WHO_DEFAULTS == {
        "outlier_moderate_sd": 2.0,
        "outlier_extreme_sd": 3.0,
        "modified_z_cutoff": 3.5,
        "consistency_over_time": 0.33,
        "consistency_over_time_years": 3,
        "related_indicators": 0.10,
        "reporting_completeness": 0.90,
        "reporting_timeliness": 0.75,
        "data_element_completeness": 0.90,
        "external_comparison": 0.33,
        "denominator_consistency": 0.10,
        "coverage_limit": 100.0,
    }
    sig = inspect.signature
    assert sig(q.outliers_sd).parameters["moderate"].default == 2.0
    assert sig(q.outliers_sd).parameters["extreme"].default == 3.0
    assert sig(q.outliers_modified_z).parameters["cutoff"].default == 3.5
    assert sig(q.consistency_over_time).parameters["threshold"].default == 0.33
    assert sig(q.consistency_over_time).parameters["years"].default == 3
    assert sig(q.consistency_between).parameters["tolerance"].default == 0.10
    assert sig(q.consistency_between).parameters["expected_ratio"].default == 1.0
    assert sig(q.reporting_completeness).parameters["threshold"].default == 0.90
    assert sig(q.reporting_timeliness).parameters["threshold"].default == 0.75
    assert sig(q.external_comparison).parameters["tolerance"].default == 0.33


def test_constants_of_the_modified_z_score():
    # 0.6745 is the 0.75 quantile of the standard normal (MAD of N(0,1));
    # 1.253314 is sqrt(pi/2), the ratio SD / mean absolute deviation of a normal.
    assert q._MAD_FACTOR == pytest.approx(norm.ppf(0.75), abs=5e-5)
    assert q._MEAN_AD_FACTOR == pytest.approx(math.sqrt(math.pi / 2), abs=5e-7)


# ------------------------------------------------------------------ outliers (SD)
def test_sd_outlier_hand_worked():
    # Series 10, 11, 9, 10, 12, 10, 95 (n = 7):
    #   mean = 157 / 7 = 22.428571
    #   sum of squares = 9671 - 157^2 / 7 = 9671 - 3521.285714 = 6149.714286
    #   SD (n - 1) = sqrt(6149.714286 / 6) = sqrt(1024.952381) = 32.014878
    #   z(95) = (95 - 22.428571) / 32.014878 = 72.571429 / 32.014878 = 2.266803
    # 2 <= 2.27 < 3: a moderate outlier; z(12) = -10.43 / 32.01 = -0.33: not flagged.
    out = q.outliers_sd(series([10, 11, 9, 10, 12, 10, 95]))
    assert len(out) == 1
    row = out.iloc[0]
    assert row["value"] == 95
    assert row["statistic"] == pytest.approx(2.266803, abs=1e-6)
    assert row["severity"] == "moderate"
    assert row["threshold"] == 2.0
    assert row["rule"] == "outlier_sd"
    assert row["period"] == pd.Period("2023-07", freq="M")
    assert "2.3 standard deviations above the average of 22.4" in row["message"]
    assert list(out.columns) == q.RESULT_COLUMNS


def test_sd_extreme_outlier_reaches_the_largest_possible_z():
    # Ten 10s and one 100 (n = 11): mean = 200 / 11 = 18.181818;
    # sum of squares = 10 * 8.181818^2 + 81.818182^2 = 669.421 + 6694.215 = 7363.636;
    # SD = sqrt(736.3636) = 27.135993; z(100) = 81.818182 / 27.135993 = 3.015113,
    # which is the bound (n - 1) / sqrt(n) = 10 / sqrt(11) = 3.015113: extreme.
    out = q.outliers_sd(series([10] * 10 + [100]))
    assert len(out) == 1
    assert out["statistic"].iloc[0] == pytest.approx(10 / math.sqrt(11), abs=1e-9)
    assert out["severity"].iloc[0] == "extreme"
    assert out["threshold"].iloc[0] == 3.0


def test_sd_short_series_cannot_flag():
    # n = 5: the largest possible z is 4 / sqrt(5) = 1.79 < 2, so nothing is flagged.
    assert q.outliers_sd(series([1, 1, 1, 1, 1000])).empty


def test_sd_all_equal_and_single_value_are_not_testable():
    full = q.outliers_sd(series([7, 7, 7, 7, 7, 7, 7]), flagged_only=False)
    assert (full["severity"] == "no_data").all()
    assert full["statistic"].isna().all()
    one = q.outliers_sd(series([42]), flagged_only=False)
    assert one["severity"].tolist() == ["no_data"]


def test_sd_missing_values_are_skipped():
    # The same series as the hand-worked example with one empty month in it.
    data = series([10, np.nan, 11, 9, 10, 12, 10, 95])
    full = q.outliers_sd(data, flagged_only=False)
    assert full.loc[1, "severity"] == "no_data"
    flagged = full[full["severity"] == "moderate"]
    assert flagged["statistic"].tolist() == pytest.approx([2.266803], abs=1e-6)


def test_sd_is_per_org_unit_and_element():
    # The hand-worked series in one unit, a flat-ish series in another: only 95 flags.
    data = pd.concat(
        [
            series([10, 11, 9, 10, 12, 10, 95]),
            series([10, 11, 9, 10, 12, 10, 13], org_unit="Mto HC"),
            series([10, 11, 9, 10, 12, 10, 95], element="PENTA1"),
        ],
        ignore_index=True,
    )
    out = q.outliers_sd(data)
    assert sorted(zip(out["org_unit"], out["data_element"], strict=True)) == [
        ("Kilima HC", "ANC1"),
        ("Kilima HC", "PENTA1"),
    ]


def test_sd_window_per_year():
    # 2023: 10, 11, 9, 10, 12, 10, 95, 10, 10, 10, 10, 10; 2024: twelve 500s.
    # Per year, 2023 alone (n = 12): sum = 207, mean = 17.25;
    #   sum of squares = 10171 - 207^2 / 12 = 10171 - 3570.75 = 6600.25;
    #   SD = sqrt(6600.25 / 11) = sqrt(600.022727) = 24.495361;
    #   z(95) = 77.75 / 24.495361 = 3.174071: extreme. 2024 has SD 0: nothing to test.
    # Over both years together (n = 24) the 500s dominate and 95 is not flagged.
    values_2023 = [10, 11, 9, 10, 12, 10, 95, 10, 10, 10, 10, 10]
    data = series(values_2023 + [500] * 12)
    per_year = q.outliers_sd(data, window="year")
    assert per_year["value"].tolist() == [95]
    assert per_year["statistic"].iloc[0] == pytest.approx(3.174071, abs=1e-6)
    assert per_year["severity"].iloc[0] == "extreme"
    assert 95 not in q.outliers_sd(data)["value"].tolist()


def test_sd_limits_in_wrong_order_are_refused():
    with pytest.raises(InputError, match="wrong order"):
        q.outliers_sd(series([1, 2, 3]), moderate=3, extreme=2)


# ------------------------------------------------------------ modified z-score
def test_modified_z_hand_worked():
    # 10, 11, 9, 10, 12, 10, 95: sorted 9 10 10 10 11 12 95, median = 10.
    # |x - 10| = 0 1 1 0 2 0 85, sorted 0 0 0 1 1 2 85: MAD = 1.
    # M(95) = 0.6745 * 85 / 1 = 57.3325 > 3.5: flagged; M(12) = 1.349: not flagged.
    full = q.outliers_modified_z(series([10, 11, 9, 10, 12, 10, 95]), flagged_only=False)
    assert full["statistic"].tolist() == pytest.approx(
        [0, 0.6745, -0.6745, 0, 1.349, 0, 57.3325], abs=1e-9
    )
    assert full["severity"].tolist() == ["ok"] * 6 + ["flagged"]
    assert "usual value of 10.0" in full["message"].iloc[-1]


def test_modified_z_falls_back_to_mean_absolute_deviation_when_mad_is_zero():
    # 10 x 6 and 50: median = 10, |x - 10| = 0 0 0 0 0 0 40, MAD = 0.
    # Fallback (IBM SPSS / Iglewicz-Hoaglin): MeanAD = 40 / 7 = 5.714286;
    # M(50) = 40 / (1.253314 * 5.714286) = 40 / 7.161794 = 5.585193 > 3.5.
    out = q.outliers_modified_z(series([10, 10, 10, 10, 10, 10, 50]))
    assert out["value"].tolist() == [50]
    assert out["statistic"].iloc[0] == pytest.approx(5.585193, abs=1e-6)


def test_modified_z_all_equal_is_not_testable():
    full = q.outliers_modified_z(series([3, 3, 3, 3]), flagged_only=False)
    assert (full["severity"] == "no_data").all()


def test_modified_z_even_count_median():
    # 2, 4, 6, 100: median = (4 + 6) / 2 = 5; |x - 5| = 3 1 1 95, MAD = (1 + 3) / 2 = 2;
    # M(100) = 0.6745 * 95 / 2 = 32.03875.
    out = q.outliers_modified_z(series([2, 4, 6, 100]))
    assert out["statistic"].tolist() == pytest.approx([32.03875])


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.integers(0, 500), min_size=7, max_size=30),
    st.floats(0.5, 20),
    st.floats(-100, 100),
)
def test_outlier_scores_do_not_depend_on_units(values, scale, shift):
    """Changing units (x -> a x + b, a > 0) changes no score: both are unit-free."""
    base = series(values)
    moved = base.assign(value=base["value"] * scale + shift)
    for fn, limits in ((q.outliers_sd, (2.0, 3.0)), (q.outliers_modified_z, (3.5,))):
        a = fn(base, flagged_only=False)
        b = fn(moved, flagged_only=False)
        np.testing.assert_allclose(a["statistic"], b["statistic"], rtol=1e-6, atol=1e-6)
        # Severities agree, except for a score sitting on a limit (rounding may tip it).
        on_limit = np.zeros(len(a), bool)
        for limit in limits:
            on_limit |= np.isclose(a["statistic"].abs(), limit, atol=1e-6)
        assert (a["severity"] == b["severity"])[~on_limit].all()


# ------------------------------------------------------- consistency over time
def over_time_data():
    return pd.concat(
        [
            yearly("Kilima HC", "ANC1", [100, 110, 120, 200]),
            yearly("Mto HC", "ANC1", [100, 100, 100, 120]),
            yearly("Bonde HC", "ANC1", [100, 120]).assign(  # 2020 and 2023 only
                period=[pd.Period("2020-01", freq="M"), pd.Period("2023-01", freq="M")]
            ),
        ],
        ignore_index=True,
    )


def test_consistency_over_time_mean_of_three_years():
    # Kilima: 200 / mean(100, 110, 120) = 200 / 110 = 1.818182: |0.818| > 0.33, flagged.
    # Mto: 120 / 100 = 1.2: within ±33 %. Bonde: 2021 and 2022 missing, so the reference
    # is the mean of the one year with data (2020: 100), as the WHO tool's referenceValue
    # takes mathService.getMean of the values it has (dqAnalysisConsistency.js line 452):
    # 120 / 100 = 1.2, ok.
    full = q.consistency_over_time(
        over_time_data(), year=2023, compare_to="expected", flagged_only=False
    ).set_index("org_unit")
    assert full.loc["Kilima HC", "statistic"] == pytest.approx(200 / 110)
    assert full.loc["Kilima HC", "severity"] == "flagged"
    assert full.loc["Mto HC", "statistic"] == pytest.approx(1.2)
    assert full.loc["Mto HC", "severity"] == "ok"
    assert full.loc["Bonde HC", "statistic"] == pytest.approx(1.2)
    assert full.loc["Bonde HC", "severity"] == "ok"
    assert full.loc["Kilima HC", "period"] == pd.Period("2023", freq="Y")
    assert full.loc["Kilima HC", "value"] == 200


def test_consistency_over_time_trend():
    # Kilima: straight line through (0, 100), (1, 110), (2, 120) has slope 10, so the
    # forecast for x = 3 is 130; ratio = 200 / 130 = 1.538462 > 1.33: flagged.
    # Mto: flat line at 100, ratio 1.2: ok.
    full = q.consistency_over_time(
        over_time_data(), year=2023, method="trend", compare_to="expected", flagged_only=False
    )
    full = full.set_index("org_unit")
    assert full.loc["Kilima HC", "statistic"] == pytest.approx(200 / 130)
    assert full.loc["Kilima HC", "severity"] == "flagged"
    assert full.loc["Mto HC", "severity"] == "ok"


def test_consistency_over_time_against_the_overall_ratio():
    # WHO Data Quality Tool, src/appCore/dqAnalysisConsistency.js (commit 0246e6c),
    # timeConsistencyAnalysis (line 281): the boundary's value is the total of 2023 and its
    # reference the mean of the boundary's totals of the preceding years.
    # 2023: 200 + 120 + 120 = 440; 2020: 300, 2021: 210, 2022: 220 -> mean 243.333;
    # boundary ratio 440 / 243.333 = 1.808219.
    # isOutlier: ratioOfRatios = subunit / boundary (line 482) outside 1 ± 33 %.
    # Kilima 1.818182 / 1.808219 = 1.0055 -> ok; Mto 1.2 / 1.808219 = 0.6636 -> flagged;
    # Bonde 120 / 100 = 1.2 -> 0.6636 -> flagged.
    full = q.consistency_over_time(over_time_data(), year=2023, flagged_only=False)
    full = full.set_index("org_unit")
    assert full.loc["Kilima HC", "severity"] == "ok"
    assert full.loc["Mto HC", "severity"] == "flagged"
    assert full.loc["Bonde HC", "severity"] == "flagged"
    assert "against 1.81" in full.loc["Mto HC", "message"]


def test_consistency_over_time_growth_everywhere_is_not_flagged():
    # 50 % growth in every unit: each ratio 1.5 equals the boundary's ratio 1.5, so
    # ratioOfRatios = 1 (dqAnalysisConsistency.js line 482): nothing is flagged.
    # Compared with 1 instead (the option), every unit is flagged (|1.5 - 1| > 0.33).
    data = pd.concat(
        [
            yearly("Kilima HC", "ANC1", [100, 100, 100, 150]),
            yearly("Mto HC", "ANC1", [40, 40, 40, 60]),
        ],
        ignore_index=True,
    )
    who = q.consistency_over_time(data, year=2023, flagged_only=False)
    assert who["severity"].tolist() == ["ok", "ok"]
    assert who["statistic"].tolist() == pytest.approx([1.5, 1.5])
    against_one = q.consistency_over_time(data, year=2023, compare_to="expected")
    assert sorted(against_one["org_unit"]) == ["Kilima HC", "Mto HC"]


def test_consistency_over_time_zero_reference_is_no_data():
    data = yearly("Kilima HC", "ANC1", [0, 0, 0, 5])
    full = q.consistency_over_time(data, year=2023, flagged_only=False)
    assert full["severity"].tolist() == ["no_data"]
    assert np.isnan(full["statistic"].iloc[0])


# --------------------------------------------------- related indicators, internal
def related_data():
    rows = [
        ("Kilima HC", "ANC1", 115),
        ("Kilima HC", "PENTA1", 100),
        ("Mto HC", "ANC1", 110),
        ("Mto HC", "PENTA1", 100),
        ("Bonde HC", "ANC1", 40),
        ("Bonde HC", "PENTA1", 0),
    ]
    return pd.DataFrame(
        {
            "org_unit": [r[0] for r in rows],
            "period": pd.Period("2024-03", freq="M"),
            "data_element": [r[1] for r in rows],
            "value": [float(r[2]) for r in rows],
        }
    )


def test_consistency_between_related_indicators():
    # Kilima: 115 / 100 = 1.15, 15 % above 1: flagged. Mto: 110 / 100 = 1.10, exactly at
    # the ±10 % limit: not "more than 10 %", ok. Bonde: PENTA1 = 0: no_data, not a crash.
    full = q.consistency_between(related_data(), "ANC1", "PENTA1", flagged_only=False)
    full = full.set_index("org_unit")
    assert full.loc["Kilima HC", "statistic"] == pytest.approx(1.15)
    assert full.loc["Kilima HC", "severity"] == "flagged"
    assert full.loc["Mto HC", "severity"] == "ok"
    assert full.loc["Bonde HC", "severity"] == "no_data"
    assert "PENTA1 is zero or missing" in full.loc["Bonde HC", "message"]
    assert full.loc["Kilima HC", "period"] == pd.Period("2024", freq="Y")
    assert full.loc["Kilima HC", "data_element"] == "ANC1/PENTA1"


def test_consistency_between_overall_ratio():
    # Overall over units with a ratio: (115 + 110) / (100 + 100) = 1.125.
    # Kilima 1.15 / 1.125 - 1 = 0.022, Mto 1.10 / 1.125 - 1 = -0.022: both ok.
    full = q.consistency_between(
        related_data(), "ANC1", "PENTA1", compare_to="overall", flagged_only=False
    )
    assert full.set_index("org_unit").loc[["Kilima HC", "Mto HC"], "severity"].eq("ok").all()


def test_internal_checks_part_cannot_exceed_whole():
    data = pd.DataFrame(
        {
            "org_unit": "Kilima HC",
            "period": pd.PeriodIndex(
                ["2024-01", "2024-01", "2024-02", "2024-02", "2024-03", "2024-03", "2024-04"],
                freq="M",
            ),
            "data_element": ["ANC4", "ANC1"] * 3 + ["ANC4"],
            "value": [12.0, 10.0, 8.0, 10.0, 3.0, 0.0, 5.0],
        }
    )
    # Jan: 12 > 10, ratio 1.2, flagged. Feb: 8 <= 10, ok. Mar: 3 > 0, ratio infinite,
    # flagged. Apr: ANC1 missing: no_data.
    full = q.internal_checks(data, [("ANC4", "ANC1")], flagged_only=False)
    assert full["severity"].tolist() == ["flagged", "ok", "flagged", "no_data"]
    assert full["statistic"].iloc[0] == pytest.approx(1.2)
    assert np.isinf(full["statistic"].iloc[2])
    assert "ANC4 (12) is higher than ANC1 (10)" in full["message"].iloc[0]


# ------------------------------------------------- completeness and timeliness
def reporting_data():
    months = pd.period_range("2024-01", periods=12, freq="M")
    frames = []
    for unit, received, on_time in (
        ("Kilima HC", 10, 7),
        ("Mto HC", 11, 11),
        ("Bonde HC", 9, 9),
    ):
        frames.append(
            pd.DataFrame(
                {
                    "org_unit": unit,
                    "period": months,
                    "expected": 1,
                    "received": [1] * received + [0] * (12 - received),
                    "on_time": [1] * on_time + [0] * (12 - on_time),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_reporting_completeness_hand_worked():
    # Kilima 10 / 12 = 0.8333 < 0.90: flagged. Mto 11 / 12 = 0.9167: ok.
    # Bonde 9 / 12 = 0.75: flagged.
    full = q.reporting_completeness(reporting_data(), flagged_only=False).set_index("org_unit")
    assert full.loc["Kilima HC", "statistic"] == pytest.approx(10 / 12)
    assert full["severity"].to_dict() == {
        "Bonde HC": "flagged",
        "Kilima HC": "flagged",
        "Mto HC": "ok",
    }
    assert (
        "received 10 of expected 12 (83 %), below the 90 % target"
        in (full.loc["Kilima HC", "message"])
    )


def test_reporting_completeness_exact_threshold_and_nothing_expected():
    rep = pd.DataFrame(
        {
            "org_unit": ["A"] * 10 + ["B"],
            "period": ["2024-01"] * 11,
            "expected": [1] * 10 + [0],
            "received": [1] * 9 + [0] + [0],
        }
    )
    # A: 9 / 10 = 0.90, at the target: ok. B: nothing expected: no_data.
    full = q.reporting_completeness(rep, flagged_only=False).set_index("org_unit")
    assert full.loc["A", "severity"] == "ok"
    assert full.loc["B", "severity"] == "no_data"


def test_reporting_timeliness_on_time_over_received():
    # Kilima 7 / 10 = 0.70 < 0.75: flagged. Mto 11 / 11 = 1. Bonde 9 / 9 = 1.
    out = q.reporting_timeliness(reporting_data(), denominator="received")
    assert out["org_unit"].tolist() == ["Kilima HC"]
    assert out["statistic"].iloc[0] == pytest.approx(0.7)
    # Against expected (the default, DHIS2 REPORTING_RATE_ON_TIME): Kilima 7 / 12 = 0.583;
    # Bonde 9 / 12 = 0.75 (ok, at target).
    alt = q.reporting_timeliness(reporting_data(), flagged_only=False)
    assert alt.set_index("org_unit")["statistic"].to_dict() == pytest.approx(
        {"Bonde HC": 0.75, "Kilima HC": 7 / 12, "Mto HC": 11 / 12}
    )


def test_reporting_timeliness_from_dates():
    rep = pd.DataFrame(
        {
            "org_unit": ["A", "A", "A", "A"],
            "period": ["2024-01", "2024-02", "2024-03", "2024-04"],
            "expected": 1,
            "received": [1, 1, 1, 0],
            "submitted_on": ["2024-02-10", "2024-03-20", "2024-04-15", None],
            "deadline": ["2024-02-15", "2024-03-15", "2024-04-15", "2024-05-15"],
        }
    )
    # Received 3; on time: 10 Feb <= 15 Feb yes, 20 Mar > 15 Mar no, 15 Apr = deadline yes.
    # 2 / 3 = 0.667 < 0.75: flagged; over the 4 expected reports 2 / 4 = 0.5 (default).
    out = q.reporting_timeliness(rep, denominator="received")
    assert out["statistic"].tolist() == pytest.approx([2 / 3])
    assert q.reporting_timeliness(rep)["statistic"].tolist() == pytest.approx([0.5])


def test_timeliness_needs_some_timing_column():
    rep = pd.DataFrame({"org_unit": ["A"], "period": ["2024-01"], "expected": 1, "received": 1})
    with pytest.raises(InputError, match="timeliness"):
        q.reporting_timeliness(rep)


def test_data_element_completeness_among_received_reports():
    # Reports received in Jan, Feb, Mar, Apr (4); ANC1 filled in Jan, Feb, Apr (Mar empty)
    # -> 3 / 4 = 0.75 < 0.90: flagged. PENTA1 filled all four, but Mar is 0: with
    # zero_is_missing it also drops to 3 / 4.
    months = pd.period_range("2024-01", periods=5, freq="M")
    rep = pd.DataFrame(
        {"org_unit": "Kilima HC", "period": months, "expected": 1, "received": [1, 1, 1, 1, 0]}
    )
    data = pd.concat(
        [
            series([20, 22, np.nan, 25, 30], element="ANC1", start="2024-01"),
            series([18, 19, 0, 21, 24], element="PENTA1", start="2024-01"),
        ],
        ignore_index=True,
    )
    full = q.data_element_completeness(data, rep, flagged_only=False).set_index("data_element")
    assert full.loc["ANC1", "statistic"] == pytest.approx(0.75)
    assert full.loc["ANC1", "severity"] == "flagged"
    assert full.loc["PENTA1", "statistic"] == pytest.approx(1.0)
    zero = q.data_element_completeness(data, rep, zero_is_missing=True, flagged_only=False)
    assert zero.set_index("data_element").loc["PENTA1", "statistic"] == pytest.approx(0.75)


def test_data_element_completeness_without_reporting_expects_every_month():
    # Months Jan..Jun expected (first to last month in the data); Mto has 3 of 6 rows.
    data = pd.concat(
        [
            series([1, 2, 3, 4, 5, 6], start="2024-01"),
            series([1, 2, 3], org_unit="Mto HC", start="2024-01"),
        ],
        ignore_index=True,
    )
    full = q.data_element_completeness(data, flagged_only=False).set_index("org_unit")
    assert full.loc["Kilima HC", "statistic"] == pytest.approx(1.0)
    assert full.loc["Mto HC", "statistic"] == pytest.approx(0.5)


def _clinics():
    """Kilima HC offers ANC1 and PENTA1; Mto clinic offers only PENTA1 and leaves
    ANC1 blank every month; Pwani HC filled ANC1 in January only."""
    months = pd.period_range("2024-01", periods=4, freq="M")
    rep = pd.DataFrame(
        {
            "org_unit": np.repeat(["Kilima HC", "Mto clinic", "Pwani HC"], 4),
            "period": np.tile(months, 3),
            "expected": 1,
            "received": 1,
        }
    )
    data = pd.concat(
        [
            series([20, 22, 21, 25], element="ANC1", start="2024-01"),
            series([18, 19, 20, 21], element="PENTA1", start="2024-01"),
            series([np.nan] * 4, org_unit="Mto clinic", element="ANC1", start="2024-01"),
            series([5, 6, 5, 7], org_unit="Mto clinic", element="PENTA1", start="2024-01"),
            series(
                [9, np.nan, np.nan, np.nan], org_unit="Pwani HC", element="ANC1", start="2024-01"
            ),
            series([8, 9, 7, 8], org_unit="Pwani HC", element="PENTA1", start="2024-01"),
        ],
        ignore_index=True,
    )
    return data, rep


def test_element_completeness_skips_services_a_unit_never_reported():
    # Mto clinic never filled in ANC1 (a service it does not offer): not counted.
    # Pwani HC filled ANC1 once in four received reports: 1 / 4 = 0.25, flagged.
    data, rep = _clinics()
    full = q.data_element_completeness(data, rep, flagged_only=False)
    pairs = set(zip(full["org_unit"], full["data_element"], strict=True))
    assert ("Mto clinic", "ANC1") not in pairs
    assert ("Mto clinic", "PENTA1") in pairs
    flagged = q.data_element_completeness(data, rep)
    assert flagged[["org_unit", "data_element"]].values.tolist() == [["Pwani HC", "ANC1"]]
    assert flagged["statistic"].iloc[0] == pytest.approx(0.25)


def test_element_completeness_all_expects_every_element_everywhere():
    data, rep = _clinics()
    flagged = q.data_element_completeness(data, rep, expected="all").set_index(
        ["org_unit", "data_element"]
    )
    assert flagged.loc[("Mto clinic", "ANC1"), "statistic"] == pytest.approx(0.0)
    assert flagged.loc[("Pwani HC", "ANC1"), "statistic"] == pytest.approx(0.25)
    assert len(flagged) == 2


def test_element_completeness_with_a_list_of_services_offered():
    # The list says Mto clinic offers ANC1 (so its blanks count) and Kilima HC
    # offers only PENTA1 (so its ANC1 is not reviewed); Pwani HC is not listed.
    data, rep = _clinics()
    offered = pd.DataFrame(
        {
            "org_unit": ["Kilima HC", "Mto clinic", "Mto clinic"],
            "data_element": ["PENTA1", "ANC1", "PENTA1"],
        }
    )
    full = q.data_element_completeness(data, rep, expected=offered, flagged_only=False)
    got = full.set_index(["org_unit", "data_element"])["statistic"].sort_index()
    assert got.index.tolist() == [
        ("Kilima HC", "PENTA1"),
        ("Mto clinic", "ANC1"),
        ("Mto clinic", "PENTA1"),
    ]
    assert got.tolist() == pytest.approx([1.0, 0.0, 1.0])


def test_element_completeness_zero_only_service_counts_as_not_reported():
    # With zero_is_missing, a unit that writes 0 every month for a service it
    # does not offer is treated like one that leaves it blank.
    data, rep = _clinics()
    data.loc[(data["org_unit"] == "Mto clinic") & (data["data_element"] == "ANC1"), "value"] = 0
    full = q.data_element_completeness(data, rep, zero_is_missing=True, flagged_only=False)
    pairs = set(zip(full["org_unit"], full["data_element"], strict=True))
    assert ("Mto clinic", "ANC1") not in pairs
    plain = q.data_element_completeness(data, rep, flagged_only=False)
    assert ("Mto clinic", "ANC1") in set(zip(plain["org_unit"], plain["data_element"], strict=True))


@pytest.mark.parametrize("bad", ["everything", 3, pd.DataFrame({"org_unit": ["A"]})])
def test_element_completeness_bad_expected_is_explained(bad):
    data, rep = _clinics()
    with pytest.raises(InputError, match="data element|offered|column"):
        q.data_element_completeness(data, rep, expected=bad)


def test_review_passes_the_expected_elements_on():
    data, rep = _clinics()
    default = q.review(data, rep).summary
    literal = q.review(data, rep, element_expected="all").summary
    rows = default["rule"] == "data_element_completeness"
    assert int(default.loc[rows, "flagged"].sum()) == 1
    assert int(literal.loc[literal["rule"] == "data_element_completeness", "flagged"].sum()) == 2


# ------------------------------------------------------ external and population
def test_external_comparison():
    routine = pd.DataFrame(
        {
            "org_unit": ["North", "South", "East"],
            "data_element": "PENTA3",
            "value": [90.0, 70.0, 80.0],
        }
    )
    survey = routine.assign(value=[60.0, 60.0, 0.0])
    # North 90 / 60 = 1.5 (> 1.33): flagged. South 70 / 60 = 1.167: ok. East: no_data.
    full = q.external_comparison(routine, survey, flagged_only=False).set_index("org_unit")
    assert full["statistic"].iloc[:2].tolist() == pytest.approx([1.5, 70 / 60])
    assert full["severity"].tolist() == ["flagged", "ok", "no_data"]


def test_denominator_consistency_and_coverage_over_100():
    pop = pd.DataFrame(
        {
            "org_unit": ["North", "North", "South", "South"],
            "data_element": ["live_births", "live_births_un", "live_births", "live_births_un"],
            "value": [1000.0, 1200.0, 1000.0, 1050.0],
        }
    )
    # North 1000 / 1200 = 0.833 (17 % off): flagged. South 1000 / 1050 = 0.952: ok.
    out = q.denominator_consistency(pop, "live_births", "live_births_un", flagged_only=False)
    assert out["severity"].tolist() == ["flagged", "ok"]
    assert out["statistic"].tolist() == pytest.approx([1000 / 1200, 1000 / 1050])
    cov = pd.DataFrame(
        {"org_unit": ["A", "B", "C"], "data_element": "PENTA3", "value": [105.0, 100.0, np.nan]}
    )
    full = q.coverage_over_100(cov, flagged_only=False)
    assert full["severity"].tolist() == ["flagged", "ok", "no_data"]


# ----------------------------------------------------------- input handling
def test_missing_column_is_explained():
    with pytest.raises(InputError) as err:
        q.outliers_sd(series([1, 2]).drop(columns="value"))
    assert "lacks the column(s) value" in str(err.value)
    assert "What to do" in str(err.value)


def test_text_values_are_explained():
    data = series([1, 2, 3]).astype({"value": "object"})
    data.loc[1, "value"] = "twelve"
    with pytest.raises(InputError, match="text where a number is expected"):
        q.outliers_sd(data)


def test_text_periods_are_read_and_bad_ones_explained():
    data = series([10, 11, 9, 10, 12, 10, 95]).assign(period=[f"2023-0{i}" for i in range(1, 8)])
    assert q.outliers_sd(data)["period"].iloc[0] == pd.Period("2023-07", freq="M")
    with pytest.raises(InputError, match="not months"):
        q.outliers_sd(data.assign(period="sometime"))


def test_inputs_are_not_changed():
    data = over_time_data()
    before = data.copy()
    rep = reporting_data()
    rep_before = rep.copy()
    q.review(data, rep)
    q.outliers_sd(data)
    pd.testing.assert_frame_equal(data, before)
    pd.testing.assert_frame_equal(rep, rep_before)


def test_custom_column_names():
    data = series([10, 11, 9, 10, 12, 10, 95]).rename(
        columns={"org_unit": "facility", "period": "month", "data_element": "de", "value": "n"}
    )
    out = q.outliers_sd(data, org_unit="facility", period="month", data_element="de", value="n")
    assert out["org_unit"].tolist() == ["Kilima HC"]


# ------------------------------------------------------------------- review
def test_review_summary_counts():
    # Kilima ANC1: the hand-worked series (one moderate outlier, 95), over 7 months.
    # Mto ANC1: 7 equal values (untestable for outliers).
    data = pd.concat(
        [series([10, 11, 9, 10, 12, 10, 95]), series([5] * 7, org_unit="Mto HC")],
        ignore_index=True,
    )
    rep = pd.DataFrame(
        {
            "org_unit": ["Kilima HC"] * 7 + ["Mto HC"] * 7,
            "period": list(pd.period_range("2023-01", periods=7, freq="M")) * 2,
            "expected": 1,
            "received": [1] * 7 + [1] * 5 + [0] * 2,
            "on_time": 1,
        }
    )
    result = q.review(data, rep)
    s = result.summary.set_index("rule")
    # SD outliers: 7 testable values (Mto's are all equal), 1 moderate, 0 extreme.
    assert s.loc["outlier_sd (moderate)", ["checked", "flagged"]].tolist() == [7, 1]
    assert s.loc["outlier_sd (extreme)", "flagged"] == 0
    # Modified z: Mto's equal values cannot be tested either; 95 flagged (M = 57.3).
    assert s.loc["outlier_modified_z", ["checked", "flagged"]].tolist() == [7, 1]
    # Completeness: Mto 5 / 7 = 71 % < 90 %: 1 of 2 org units (50 %).
    assert s.loc["reporting_completeness", ["checked", "flagged"]].tolist() == [2, 1]
    assert s.loc["reporting_completeness", "percent_flagged"] == pytest.approx(50.0)
    # Timeliness: on_time = 1 even for unreceived rows: 7 / 7 and 7 / 5 -> both ok.
    assert s.loc["reporting_timeliness", "flagged"] == 0
    assert len(result.outliers) == 1 and len(result.modified_z) == 1
    assert result.completeness["org_unit"].tolist() == ["Mto HC"]
    assert result.over_time.empty  # one year of data: no comparison over time
    assert set(result.flagged()["rule"]) == {
        "outlier_sd",
        "outlier_modified_z",
        "reporting_completeness",
    }
    assert list(result.summary.columns) == q.SUMMARY_COLUMNS


def test_review_runs_every_check_on_four_years():
    rng = np.random.default_rng(20240601)
    frames = []
    for unit in ("Kilima HC", "Mto HC", "Bonde HC"):
        for element in ("ANC1", "ANC4", "PENTA1", "PENTA3"):
            frames.append(
                series(rng.poisson(50, 48), org_unit=unit, element=element, start="2020-01")
            )
    data = pd.concat(frames, ignore_index=True)
    result = q.review(data)
    rules = set(result.summary["rule"])
    assert {
        "consistency_over_time",
        "related_indicators",
        "internal_check",
        "data_element_completeness",
        "outlier_modified_z",
    } <= rules
    # 3 units x 4 elements compared over time.
    ot = result.summary[result.summary["rule"] == "consistency_over_time"]
    assert ot["checked"].sum() == 12


# ------------------------------------------- fast review against a plain reference
# The review works on integer codes, sorted matrices and per-group sums for speed.
# The reference below recomputes the same WHO DQR (2017) metrics the slow, obvious
# way with pandas groupby, one formula at a time, straight from the docstrings:
# z = (x - mean) / SD (n - 1), flagged at |z| >= 2 and 3; modified z (Iglewicz &
# Hoaglin 1993) = 0.6745 (x - median) / MAD, MeanAD fallback, flagged at |M| > 3.5;
# yearly totals against the mean of the 3 previous years (±33 %); ANC1 / PENTA1
# yearly (±10 %); ANC4 <= ANC1 and PENTA3 <= PENTA1 monthly; values filled in out of
# months received (90 %).
ELEMENTS = ["ANC1", "ANC4", "PENTA1", "PENTA3", "OPD"]


def planted_dataset(seed=7, units=12, months=48, shuffle=True):
    """Seeded routine and reporting data with tenfold typing errors at known cells."""
    rng = np.random.default_rng(seed)
    names = [f"Facility {chr(65 + i)}" for i in range(units)]
    periods = pd.period_range("2020-01", periods=months, freq="M")
    grid = pd.MultiIndex.from_product(
        [names, periods, ELEMENTS], names=["org_unit", "period", "data_element"]
    ).to_frame(index=False)
    level = rng.gamma(3.0, 30.0, size=(units, len(ELEMENTS)))
    unit_i = grid["org_unit"].map({n: i for i, n in enumerate(names)}).to_numpy()
    elem_i = grid["data_element"].map({e: i for i, e in enumerate(ELEMENTS)}).to_numpy()
    value = rng.poisson(level[unit_i, elem_i]).astype("float64")
    planted = rng.choice(len(grid), size=25, replace=False)
    value[planted] *= 10
    value[rng.random(len(grid)) < 0.03] = np.nan
    value[(unit_i == 1) & (elem_i == 4) & (rng.random(len(grid)) < 0.3)] = np.nan  # gaps
    grid["value"] = value
    grid["period"] = grid["period"].astype(str)
    rep = pd.DataFrame(
        {
            "org_unit": np.repeat(names, months),
            "period": np.tile(periods.astype(str), units),
            "expected": 1,
            "received": (rng.random(units * months) < 0.9).astype(int),
        }
    )
    rep["on_time"] = rep["received"] * (rng.random(len(rep)) < 0.8)
    planted_rows = grid.iloc[planted][["org_unit", "period", "data_element"]]
    if shuffle:
        grid = grid.sample(frac=1, random_state=seed).reset_index(drop=True)
    return grid, rep, planted_rows


def _keyed(table, columns=("org_unit", "period", "data_element")):
    keys = table[list(columns)].astype(str).agg("|".join, axis=1)
    return table.assign(_key=keys.to_numpy()).set_index("_key").sort_index()


def reference_outliers(data):
    g = data.groupby(["org_unit", "data_element"])["value"]
    z = (data["value"] - g.transform("mean")) / g.transform("std")
    out = data.assign(statistic=z)[z.abs() >= 2].copy()
    out["severity"] = np.where(out["statistic"].abs() >= 3, "extreme", "moderate")
    return out


def reference_modified_z(data):
    g = data.groupby(["org_unit", "data_element"])["value"]
    median = g.transform("median")
    dev = (data["value"] - median).abs()
    mad = dev.groupby([data["org_unit"], data["data_element"]]).transform("median")
    mean_ad = dev.groupby([data["org_unit"], data["data_element"]]).transform("mean")
    m = np.where(
        mad > 0,
        0.6745 * (data["value"] - median) / mad,
        (data["value"] - median) / (1.253314 * mean_ad),
    )
    return data.assign(statistic=m)[np.abs(m) > 3.5]


def reference_yearly(data):
    year = pd.PeriodIndex(data["period"], freq="M").year
    return data.assign(year=year).pivot_table(
        index=["org_unit", "data_element"], columns="year", values="value", aggfunc="sum"
    )


def test_review_matches_plain_reference_on_planted_outliers():
    # The review looks at the last complete year, 2023 (consistency over time also at
    # 2020-2022); the reference below is computed on the rows of 2023.
    all_data, rep, planted = planted_dataset()
    result = q.review(all_data, rep, compare_to="expected")
    assert result.year == 2023
    data = all_data[all_data["period"].str.startswith("2023")]
    rep = rep[rep["period"].str.startswith("2023")]
    for table in ("outliers", "modified_z", "over_time", "between", "internal"):
        assert len(getattr(result, table)) > 0, table  # every comparison below has rows
    assert len(result.element_completeness) > 0

    # Outliers (SD): same rows, same z, same severity.
    ref = _keyed(reference_outliers(data))
    got = _keyed(result.outliers)
    assert list(got.index) == list(ref.index)
    np.testing.assert_allclose(got["statistic"], ref["statistic"], rtol=1e-12)
    assert got["severity"].tolist() == ref["severity"].tolist()
    np.testing.assert_array_equal(got["value"], ref["value"])
    # Rows come back in the order of the input table (which is shuffled).
    position = pd.Series(
        np.arange(len(data)),
        index=data[["org_unit", "period", "data_element"]].astype(str).agg("|".join, axis=1),
    )
    keys = result.outliers[["org_unit", "period", "data_element"]].astype(str).agg("|".join, axis=1)
    assert position.loc[keys].is_monotonic_increasing

    # Modified z-score.
    ref = _keyed(reference_modified_z(data))
    got = _keyed(result.modified_z)
    assert list(got.index) == list(ref.index)
    np.testing.assert_allclose(got["statistic"], ref["statistic"], rtol=1e-12)

    # Every planted tenfold value that is present is flagged by the modified z-score.
    planted_keys = set(_keyed(planted.merge(data.dropna(subset=["value"]))).index)
    assert planted_keys and planted_keys <= set(got.index)

    # Consistency over time: 2023 against the mean of 2020-2022.
    yearly = reference_yearly(all_data)
    ratio = yearly[2023] / yearly[[2020, 2021, 2022]].mean(axis=1)
    flagged = ratio[(ratio - 1).abs() > 0.33]
    got = result.over_time.set_index(["org_unit", "data_element"]).sort_index()
    assert list(got.index) == list(flagged.sort_index().index)
    np.testing.assert_allclose(got["statistic"], flagged.sort_index(), rtol=1e-12)

    # ANC1 / PENTA1, yearly totals, ±10 %.
    between = yearly[[2023]].xs("ANC1", level="data_element") / yearly[[2023]].xs(
        "PENTA1", level="data_element"
    )
    between = between.stack()
    between = between[(between - 1).abs() > 0.10 + 1e-9]
    got = result.between.assign(year=result.between["period"].dt.year)
    got = got.set_index(["org_unit", "year"])["statistic"].sort_index()
    assert list(got.index) == [(u, int(y)) for u, y in between.sort_index().index]
    np.testing.assert_allclose(got, between.sort_index(), rtol=1e-12)

    # ANC1 -> ANC4 and PENTA1 -> PENTA3 dropouts on the totals of 2023, flagged when
    # negative (WHO tool: isOutlier case 'do', dqAnalysisConsistency.js).
    expected_internal = sum(
        int(
            (
                yearly[2023].xs(part, level="data_element")
                > yearly[2023].xs(whole, level="data_element")
            ).sum()
        )
        for part, whole in (("ANC4", "ANC1"), ("PENTA3", "PENTA1"))
    )
    assert len(result.internal) == expected_internal

    # Values filled in, out of months whose report was received, for the data
    # elements each org unit filled in at least once.
    received = rep[rep["received"] > 0][["org_unit", "period"]]
    filled = (
        data.merge(received, on=["org_unit", "period"])
        .groupby(["org_unit", "data_element"])["value"]
        .count()
    )
    ever = data.dropna(subset=["value"]).groupby(["org_unit", "data_element"]).size()
    filled = filled[filled.index.isin(ever.index)]
    months = received.groupby("org_unit").size()
    share = filled / months.reindex(filled.index.get_level_values("org_unit")).to_numpy()
    low = share[share < 0.90].sort_index()
    got = result.element_completeness.set_index(["org_unit", "data_element"]).sort_index()
    assert list(got.index) == list(low.index)
    np.testing.assert_allclose(got["statistic"], low, rtol=1e-12)

    # Summary counts agree with the tables.
    s = result.summary.set_index("rule")
    assert (
        s.loc["outlier_sd (extreme)", "flagged"] == (result.outliers["severity"] == "extreme").sum()
    )
    assert s.loc["outlier_modified_z", "flagged"] == len(result.modified_z)
    assert s.loc["internal_check", "flagged"].sum() == len(result.internal)


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=1, max_size=12),
    seed=st.integers(0, 10_000),
    long_group=st.booleans(),
)
def test_grouped_median_matches_pandas(sizes, seed, long_group):
    # The sorted-matrix median must equal pandas' groupby median (mean of the two
    # middle values for even counts; missing values skipped), also when one long
    # group makes the matrix too sparse and pandas is used instead.
    rng = np.random.default_rng(seed)
    if long_group:
        sizes = sizes + [1] * 5 + [200]
    key = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    x = rng.normal(50, 20, len(key)).round(rng.integers(0, 3))
    x[rng.random(len(x)) < 0.2] = np.nan
    layout = q._Layout(key, len(sizes), spare=0 if long_group else 100_000)
    assert layout.fits != long_group  # both ways of computing are exercised
    got = layout.median(x)
    expected = pd.Series(x).groupby(key).median().reindex(range(len(sizes))).to_numpy()
    np.testing.assert_array_equal(got, expected)


@settings(max_examples=40, deadline=None)
@given(
    runs=st.lists(
        st.tuples(st.sampled_from(["Kilima", "Mto", "Bonde", "Ziwa", None]), st.integers(1, 30)),
        min_size=1,
        max_size=20,
    ),
    as_object=st.booleans(),
)
def test_factorize_of_runs_matches_pandas(runs, as_object):
    values = [name for name, length in runs for _ in range(length)]
    column = pd.Series(values, dtype=object if as_object else "str")
    codes, uniques = q._factorize(column)
    expected_codes, expected_uniques = pd.factorize(column.astype("str"), sort=True)
    np.testing.assert_array_equal(codes, expected_codes)
    assert list(uniques) == list(expected_uniques)


# ------------------------------------------------- reporting figures in a download
def _download_with_reporting(names: bool):
    """Two facilities, two months of ANC1, and the PHC data set's reporting
    metrics as DHIS2 writes them (by ID, or by name in a pivot table)."""
    if names:
        expected, actual, on_time, rate = (
            "PHC monthly report - Expected reports",
            "PHC monthly report - Actual reports",
            "PHC monthly report - Actual reports on time",
            "PHC monthly report - Reporting rate",
        )
    else:
        expected, actual, on_time, rate = (
            "QX4ZTUbOt3a.EXPECTED_REPORTS",
            "QX4ZTUbOt3a.ACTUAL_REPORTS",
            "QX4ZTUbOt3a.ACTUAL_REPORTS_ON_TIME",
            "QX4ZTUbOt3a.REPORTING_RATE",
        )
    rows = [
        ("Kilima HC", "202401", "ANC1", 20),
        ("Kilima HC", "202402", "ANC1", 22),
        ("Mto HC", "202401", "ANC1", 9),
        ("Kilima HC", "202401", expected, 1),
        ("Kilima HC", "202402", expected, 1),
        ("Mto HC", "202401", expected, 1),
        ("Mto HC", "202402", expected, 1),
        ("Kilima HC", "202401", actual, 1),
        ("Kilima HC", "202402", actual, 1),
        ("Mto HC", "202401", actual, 1),
        # Mto HC sent nothing in February: DHIS2 writes no "actual reports" row.
        ("Kilima HC", "202401", on_time, 1),
        ("Mto HC", "202401", on_time, 1),
        ("Kilima HC", "202401", rate, 100),
    ]
    return pd.DataFrame(rows, columns=["org_unit", "period", "data_element", "value"])


@pytest.mark.parametrize("names", [False, True])
def test_split_reporting_separates_the_data_sets_reporting_figures(names):
    data = _download_with_reporting(names)
    before = data.copy()
    service, reporting = q.split_reporting(data)
    pd.testing.assert_frame_equal(data, before)
    assert service["data_element"].tolist() == ["ANC1", "ANC1", "ANC1"]
    got = reporting.set_index(["org_unit", "period"])
    assert got["dataset"].nunique() == 1
    assert got["expected"].tolist() == [1, 1, 1, 1]
    assert got.loc[("Mto HC", "202402"), "received"] == 0
    assert got.loc[("Kilima HC", "202402"), "on_time"] == 0
    # Completeness: Kilima 2/2, Mto 1/2 = 50 % (flagged); timeliness: Kilima 1/2 on time.
    comp = q.reporting_completeness(reporting).set_index("org_unit")
    assert comp.index.tolist() == ["Mto HC"]
    assert comp.loc["Mto HC", "statistic"] == pytest.approx(0.5)
    late = q.reporting_timeliness(reporting).set_index("org_unit")
    assert late.loc["Kilima HC", "statistic"] == pytest.approx(0.5)


def test_split_reporting_without_reporting_figures_returns_none():
    data = _download_with_reporting(False)
    plain = data[data["data_element"] == "ANC1"]
    service, reporting = q.split_reporting(plain)
    assert reporting is None and len(service) == 3
    # Rates alone cannot be turned back into counts.
    rates = data[data["data_element"].str.endswith(("ANC1", "REPORTING_RATE"))]
    service, reporting = q.split_reporting(rates)
    assert reporting is None and service["data_element"].tolist() == ["ANC1"] * 3


def test_review_of_a_download_with_reporting_figures_checks_completeness():
    service, reporting = q.split_reporting(_download_with_reporting(True))
    summary = q.review(service, reporting).summary.set_index("rule")
    assert summary.loc["reporting_completeness", "flagged"] == 1
    assert summary.loc["reporting_completeness", "checked"] == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda d: q.consistency_between(d, "ANC1", "PENTA1", compare_to="nonsense"),
        # elements not in the data: still a plain error, never an empty table
        lambda d: q.consistency_between(d, "BCG", "MEASLES1", compare_to="nonsense"),
        lambda d: q.consistency_over_time(d, year=2024, compare_to="nonsense"),
        lambda d: q.review(d, compare_to="nonsense"),
    ],
)
def test_an_unknown_comparison_is_a_plain_error_naming_the_choices(call):
    with pytest.raises(InputError) as error:
        call(related_data())
    message = str(error.value)
    assert "'nonsense'" in message
    assert "'overall'" in message and "'expected'" in message


def test_no_message_doubles_an_article():
    data = _download_with_reporting(False).rename(columns={"value": "amount"})
    with pytest.raises(InputError) as error:
        q.split_reporting(data)
    assert "lacks the column(s) value" in str(error.value)
    assert "the the" not in str(error.value).lower()
    texts = _download_with_reporting(False).astype({"value": object})
    texts.loc[texts["data_element"].str.contains("EXPECTED"), "value"] = "one"
    with pytest.raises(InputError) as error:
        q.split_reporting(texts)
    assert "the the" not in str(error.value).lower()


def test_no_caller_of_the_message_helpers_gives_a_name_with_an_article():
    # as_number, _monthly and as_monthly_period write "The {what}"
    # and "the {what}": the name they are given must not start with an article.
    import re
    from pathlib import Path

    import phcpm.quality

    helpers = r"\b(as_number|_monthly|as_monthly_period)\("
    pattern = re.compile(helpers + r"[^()]*(\([^()]*\)[^()]*)*?,\s*\"(the|a|an) ", re.I)
    folder = Path(phcpm.quality.__file__).parent
    found = [
        f"{path.name}: {m.group(0)}"
        for path in folder.glob("*.py")
        for m in pattern.finditer(path.read_text())
    ]
    assert found == []
