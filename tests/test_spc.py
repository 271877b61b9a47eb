"""Tests for phcpm.spc against published worked examples.

Sources of the expected numbers (stated again next to each test):

* Montgomery DC. *Introduction to Statistical Quality Control*, 6th ed. Wiley, 2009
  ("Montgomery"): Examples 6.3, 6.5, 6.6, 7.1, 7.3, 7.4, 7.5 and Appendix VI.
  Published values are rounded (to 2–4 decimals); the tolerance of each check is
  half a unit of the last published decimal unless said otherwise. Where the book
  gives an exact fraction (e.g. p̄ = 347/1500) the check is to 1e-12.
* The qicharts2 vignette (J. Anhøj), Appendix 1 (formulas) and Appendix 2 (critical
  values of the Anhøj rules), and the table of control-chart constants in
  qicharts2's R/helper.functions.R (the same as Montgomery's Appendix VI).
* Laney DB. Improved control charts for attributes. Quality Engineering
  14(4):531–537, 2002 — hand-worked small examples, each step written out.
* Swed FS, Eisenhart C. Ann Math Stat 14(1):66–87, 1943 — checked against a
  brute-force enumeration of all arrangements.
* Perla RJ, Provost LP, Murray SK. The run chart. BMJ Qual Saf 20:46–51, 2011 —
  the definitions of the IHI rules.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phcpm import spc
from phcpm.errors import InputError
from phcpm.spc import (
    CHARTS,
    a3,
    b3,
    b4,
    c4,
    crossings_min,
    explain,
    ihi_rules,
    longest_run_max,
    plot_qic,
    qic,
    runs_limits,
    suggest_chart,
    swed_eisenhart_pmf,
)
from phcpm.style import SIGNAL

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data" / "spc"


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


def only(summary: pd.DataFrame, part: int = 1) -> pd.Series:
    return summary.set_index("part").loc[part]


# --------------------------------------------------------------------------- #
# Runs analysis: Anhøj rules
# --------------------------------------------------------------------------- #


def test_critical_values_match_qicharts2_vignette_appendix_2():
    """qicharts2 vignette, Appendix 2: limits for 10 to 100 useful observations."""
    table = read("anhoej_critical_values.csv")
    got_run = [longest_run_max(n) for n in table["n_useful"]]
    got_cross = [crossings_min(n) for n in table["n_useful"]]
    assert got_run == table["longest_run_max"].tolist()
    assert got_cross == table["n_crossings_min"].tolist()


def test_shift_of_twelve_points_gives_runs_signal():
    # 24 points, 12 below then 12 above the median: longest run 12 > 8 and
    # 1 crossing < 8 (limits for 24 useful points: qicharts2 vignette, Appendix 2).
    y = [1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 7, 8, 9, 8, 7, 8, 9, 8, 7, 8, 9, 8]
    s = only(qic(y).summary)
    assert s["CL"] == 5.0
    assert (s["n_useful"], s["longest_run"], s["longest_run_max"]) == (24, 12, 8)
    assert (s["n_crossings"], s["n_crossings_min"], s["runs_signal"]) == (1, 8, 1)


def test_points_on_the_median_are_not_useful():
    # Median of 1..5 is 3; the point equal to 3 is dropped from the runs analysis.
    r = qic([1, 2, 3, 4, 5])
    s = only(r.summary)
    assert s["n_obs"] == 5
    assert s["n_useful"] == 4
    assert s["longest_run"] == 2
    assert s["n_crossings"] == 1


def test_random_looking_series_has_no_runs_signal():
    y = [5, 7, 4, 8, 6, 3, 7, 5, 8, 4, 6, 7, 3, 8, 5, 6, 4, 7, 5, 8]
    s = only(qic(y).summary)
    assert s["runs_signal"] == 0
    assert s["n_crossings"] >= s["n_crossings_min"]


def test_unknown_runs_method_is_refused():
    with pytest.raises(InputError, match="anhoej"):
        qic([1, 2, 3], method="bestbox")


# --------------------------------------------------------------------------- #
# P chart: Montgomery Example 7.1 (orange juice cans)
# --------------------------------------------------------------------------- #


def test_p_chart_trial_limits_montgomery_example_7_1():
    """Montgomery Ex. 7.1: p̄ = 347/1500 = 0.2313, UCL = 0.4102, LCL = 0.0524;
    samples 15 and 23 are above the UCL."""
    oj = read("orangejuice.csv").head(30)
    r = qic(oj["nonconforming"], oj["size"], x=oj["sample"], chart="p")
    s = only(r.summary)
    assert s["CL"] == pytest.approx(347 / 1500, abs=1e-12)
    assert s["aUCL"] == pytest.approx(0.4102, abs=5e-5)
    assert s["aLCL"] == pytest.approx(0.0524, abs=5e-5)
    assert r.data.loc[r.data["sigma_signal"], "x"].tolist() == [15, 23]


def test_p_chart_revised_and_new_phase_montgomery_example_7_1():
    """Montgomery Ex. 7.1: without samples 15 and 23, p̄ = 301/1400 = 0.2150,
    UCL = 0.3893, LCL = 0.0407, and sample 21 is above the revised UCL; after the
    machine adjustment (samples 31–54, Table 7.3) p̄ = 133/1200 = 0.1108,
    UCL = 0.2440, LCL = 0 (negative, set to zero). This is also the set-up of
    qicharts2's own test 'Example 7.1' (exclude = c(15, 23), part = 30)."""
    oj = read("orangejuice.csv")
    r = qic(oj["nonconforming"], oj["size"], chart="p", exclude=[15, 23], part=[30])
    before, after = only(r.summary, 1), only(r.summary, 2)
    assert before["CL"] == pytest.approx(301 / 1400, abs=1e-12)
    assert before["aUCL"] == pytest.approx(0.3893, abs=5e-5)
    assert before["aLCL"] == pytest.approx(0.0407, abs=5e-5)
    assert before["n_obs"] == 28
    assert after["CL"] == pytest.approx(133 / 1200, abs=1e-12)
    assert after["aUCL"] == pytest.approx(0.2440, abs=5e-5)
    assert after["aLCL"] == 0
    assert r.data.loc[r.data["sigma_signal"], "x"].tolist() == [15, 21, 23]
    assert r.data.loc[~r.data["include"], "position"].tolist() == [15, 23]


def test_freeze_judges_new_points_against_the_baseline():
    # Montgomery Ex. 7.1 limits from samples 1–30 (p̄ = 347/1500) applied to all 54.
    oj = read("orangejuice.csv")
    r = qic(oj["nonconforming"], oj["size"], chart="p", freeze=30)
    assert np.allclose(r.data["cl"], 347 / 1500)
    assert r.data["baseline"].sum() == 30
    s = only(r.summary)
    assert s["n_obs"] == 54
    # After the adjustment most points sit below the old centre line: a shift.
    assert s["runs_signal"] == 1


def test_p_chart_percent_with_multiply():
    oj = read("orangejuice.csv").head(30)
    r = qic(oj["nonconforming"], oj["size"], chart="p", multiply=100)
    assert only(r.summary)["CL"] == pytest.approx(100 * 347 / 1500)
    assert r.data["y"].iloc[0] == pytest.approx(100 * 12 / 50)


# --------------------------------------------------------------------------- #
# C chart: Montgomery Example 7.3 (printed circuit boards)
# --------------------------------------------------------------------------- #


def test_c_chart_montgomery_example_7_3():
    """Montgomery Ex. 7.3: c̄ = 516/26 = 19.85, UCL = 33.22, LCL = 6.48; samples 6 and
    20 are outside. Revised without them: c̄ = 472/24 = 19.67, UCL = 32.97,
    LCL = 6.36 (qicharts2 test 'Example 7.3' uses exclude = c(6, 20)). The book
    computes the limits from c̄ rounded to two decimals, hence a tolerance of 0.01."""
    circuit = read("circuit.csv").head(26)
    r = qic(circuit["nonconformities"], chart="c")
    s = only(r.summary)
    assert s["CL"] == pytest.approx(516 / 26, abs=1e-12)
    assert s["aUCL"] == pytest.approx(33.22, abs=0.01)
    assert s["aLCL"] == pytest.approx(6.48, abs=0.01)
    assert r.data.loc[r.data["sigma_signal"], "x"].tolist() == [6, 20]

    revised = only(qic(circuit["nonconformities"], chart="c", exclude=[6, 20]).summary)
    assert revised["CL"] == pytest.approx(472 / 24, abs=1e-12)
    assert revised["aUCL"] == pytest.approx(32.97, abs=0.01)
    assert revised["aLCL"] == pytest.approx(6.36, abs=0.01)


# --------------------------------------------------------------------------- #
# U charts: Montgomery Examples 7.4 and 7.5
# --------------------------------------------------------------------------- #


def test_u_chart_constant_size_montgomery_example_7_4():
    """Montgomery Ex. 7.4 (personal computers, n = 5): ū = 193/100 = 1.93,
    UCL = 3.79, LCL = 0.07."""
    pc = read("pcmanufact.csv")
    s = only(qic(pc["nonconformities"], pc["units"], chart="u").summary)
    assert s["CL"] == pytest.approx(1.93, abs=1e-12)
    assert s["aUCL"] == pytest.approx(3.79, abs=5e-3)
    assert s["aLCL"] == pytest.approx(0.07, abs=5e-3)
    assert s["sigma_signal"] == 0


# Montgomery Ex. 7.5 (dyed cloth): ū = 153/107.5 = 1.42; the book's table lists
# per-roll limits computed with ū rounded to 1.42, so the tolerance is 0.01.
DYED_CLOTH_LIMITS = {
    10.0: (0.29, 2.55),
    8.0: (0.16, 2.68),
    13.0: (0.43, 2.41),
    9.5: (0.26, 2.58),
    12.0: (0.39, 2.45),
    10.5: (0.32, 2.52),
    12.5: (0.41, 2.43),
}


def test_u_chart_variable_size_montgomery_example_7_5():
    cloth = read("dyedcloth.csv")
    r = qic(cloth["nonconformities"], cloth["units"], chart="u")
    assert only(r.summary)["CL"] == pytest.approx(153 / 107.5, abs=1e-12)
    for _, row in r.data.iterrows():
        lcl, ucl = DYED_CLOTH_LIMITS[row["n"]]
        assert row["lcl"] == pytest.approx(lcl, abs=0.01)
        assert row["ucl"] == pytest.approx(ucl, abs=0.01)
    assert not r.data["sigma_signal"].any()


def test_u_chart_rate_per_1000_with_multiply():
    cloth = read("dyedcloth.csv")
    plain = qic(cloth["nonconformities"], cloth["units"], chart="u")
    scaled = qic(cloth["nonconformities"], cloth["units"], chart="u", multiply=1000)
    for col in ("y", "cl", "lcl", "ucl"):
        assert np.allclose(scaled.data[col], 1000 * plain.data[col])


# --------------------------------------------------------------------------- #
# Laney prime charts: hand-worked examples of Laney (2002)'s formulas
# --------------------------------------------------------------------------- #


def test_p_prime_chart_hand_worked():
    """Laney (2002): sigma_i = √(p̄(1−p̄)/n_i), z_i = (p_i − p̄)/sigma_i,
    sigma_z = mean |z_i − z_(i−1)| / 1.128, limits p̄ ± 3·sigma_i·sigma_z.

    y = 10, 20, 15, 25 of n = 100 each: p̄ = 70/400 = 0.175;
    sigma = √(0.175·0.825/100) = 0.0379967; z = −1.97386, 0.65795, −0.65795, 1.97386;
    moving ranges 2.63181, 1.31590, 2.63181 (none screened: all < 3.267 × mean);
    mean 2.19317, sigma_z = 1.94430; UCL = 0.175 + 3·0.0379967·1.94430 = 0.39663;
    LCL = 0.175 − 0.22163 < 0, so 0."""
    r = qic([10, 20, 15, 25], [100] * 4, chart="pp")
    s = only(r.summary)
    assert s["CL"] == pytest.approx(0.175, abs=1e-12)
    assert s["aUCL"] == pytest.approx(0.39663, abs=1e-5)
    assert s["aLCL"] == 0
    # The ordinary P chart of the same data is narrower (sigma_z > 1): UCL = 0.28899.
    assert only(qic([10, 20, 15, 25], [100] * 4, chart="p").summary)["aUCL"] == pytest.approx(
        0.28899, abs=1e-5
    )


def test_u_prime_chart_hand_worked():
    """Laney (2002) for rates: counts 4, 12, 6, 15 over exposure 2, 3, 2, 3:
    ū = 37/10 = 3.7; sigma_i = √(3.7/n_i); z = −1.24986, 0.27014, −0.51465, 1.17059;
    moving ranges 1.52000, 0.78479, 1.68524; mean 1.33001; sigma_z = 1.17908;
    UCL = 3.7 + 3·√(3.7/2)·1.17908 = 8.51118 (n = 2) and 7.62832 (n = 3); LCL = 0."""
    r = qic([4, 12, 6, 15], [2, 3, 2, 3], chart="up")
    assert r.data["cl"].iloc[0] == pytest.approx(3.7, abs=1e-12)
    assert r.data["ucl"].tolist() == pytest.approx([8.51118, 7.62832, 8.51118, 7.62832], abs=1e-5)
    assert (r.data["lcl"] == 0).all()


def test_prime_chart_of_categories_uses_sd_of_z_scores():
    """qicharts2 0.7.2: with categorical subgroups (funnel plot) sigma_z is the SD
    of the z-scores. Same numbers as the p′ example: SD(z) of −1.97386, 0.65795,
    −0.65795, 1.97386 = 1.69882; UCL = 0.175 + 3·0.0379967·1.69882 = 0.36865."""
    r = qic([10, 20, 15, 25], [100] * 4, x=["A", "B", "C", "D"], chart="pp")
    assert only(r.summary)["aUCL"] == pytest.approx(0.36865, abs=1e-5)
    assert not r.data["runs_signal"].any()
    assert r.data["x"].tolist() == ["A", "B", "C", "D"]


# --------------------------------------------------------------------------- #
# Subgroup charts: Montgomery Example 6.3 and Appendix VI
# --------------------------------------------------------------------------- #

# Montgomery Appendix VI (also tabulated in qicharts2's R/helper.functions.R).
CONSTANTS = {
    #  n: (c4, A3, B3, B4)
    2: (0.7979, 2.659, 0.000, 3.267),
    5: (0.9400, 1.427, 0.000, 2.089),
    6: (0.9515, 1.287, 0.030, 1.970),
    10: (0.9727, 0.975, 0.284, 1.716),
    25: (0.9896, 0.606, 0.565, 1.435),
}


@pytest.mark.parametrize("n", sorted(CONSTANTS))
def test_control_chart_constants_montgomery_appendix_vi(n):
    c, a, lo, hi = CONSTANTS[n]
    assert c4(n)[()] == pytest.approx(c, abs=5e-5)
    assert a3(n)[()] == pytest.approx(a, abs=5e-4)
    assert b3(n)[()] == pytest.approx(lo, abs=5e-4)
    assert b4(n)[()] == pytest.approx(hi, abs=5e-4)


def test_xbar_and_s_charts_montgomery_example_6_3():
    """Montgomery Ex. 6.3 (piston rings, 25 samples of 5): x̿ = 74.001,
    x̄ limits x̿ ± A3·s̄ with A3 = 1.427 (UCL 74.014, LCL 73.988), S chart UCL = B4·s̄
    with B4 = 2.089, LCL 0. With the qcc transcription of the data s̄ = 0.00924 (the
    book prints 0.0094), so s̄ is checked against the mean of the sample SDs and the
    limits as the book's constants × s̄; x̿ and the x̄ limits against the printed values."""
    rings = read("pistonrings.csv")
    trial = rings[rings["sample"] <= 25]
    xbar = qic(trial["diameter"], x=trial["sample"], chart="xbar")
    s_chart = qic(trial["diameter"], x=trial["sample"], chart="s")
    sx, ss = only(xbar.summary), only(s_chart.summary)

    assert sx["CL"] == pytest.approx(74.001, abs=5e-4)
    assert ss["CL"] == pytest.approx(trial.groupby("sample")["diameter"].std().mean(), abs=1e-12)
    assert sx["aUCL"] == pytest.approx(74.014, abs=5e-4)
    assert sx["aLCL"] == pytest.approx(73.988, abs=5e-4)
    assert sx["aUCL"] - sx["CL"] == pytest.approx(1.427 * ss["CL"], abs=1e-5)
    assert ss["aUCL"] == pytest.approx(2.089 * ss["CL"], abs=1e-5)
    assert ss["aLCL"] == 0
    assert sx["sigma_signal"] == 0 and ss["sigma_signal"] == 0
    assert len(xbar.data) == 25


def test_xbar_chart_variable_subgroup_sizes_use_pooled_sd():
    """Montgomery eq. 6.31: with unequal subgroup sizes s̄ is the pooled SD
    √(Σ(n_i − 1)s_i² / Σ(n_i − 1)) and x̿ = Σ n_i x̄_i / Σ n_i. Hand example:
    subgroups (1, 2, 3) and (2, 4, 6, 8): s² = 1 and 20/3; pooled
    √((2·1 + 3·20/3)/5) = √(22/5) = 2.09762; x̿ = (6 + 20)/7 = 3.71429;
    A3(3) = 1.954 and A3(4) = 1.628 (Montgomery Appendix VI)."""
    y = [1, 2, 3, 2, 4, 6, 8]
    x = [1, 1, 1, 2, 2, 2, 2]
    r = qic(y, x=x, chart="xbar")
    pooled = math.sqrt(22 / 5)
    assert r.data["cl"].iloc[0] == pytest.approx(26 / 7, abs=1e-12)
    assert r.data["ucl"].tolist() == pytest.approx(
        [26 / 7 + 1.954 * pooled, 26 / 7 + 1.628 * pooled], abs=2e-3
    )
    s = qic(y, x=x, chart="s")
    assert s.data["cl"].iloc[0] == pytest.approx(pooled, abs=1e-12)


# --------------------------------------------------------------------------- #
# I and MR charts: Montgomery Example 6.5; Nelson's screening
# --------------------------------------------------------------------------- #


def test_i_and_mr_charts_montgomery_example_6_5():
    """Montgomery Ex. 6.5 (mortgage loan costs): x̄ = 300.5, MR̄ = 7.79,
    UCL = 321.22, LCL = 279.78; MR chart UCL = 3.267·7.79 = 25.45, LCL 0."""
    cost = read("mortgage_costs.csv")["cost"]
    i = only(qic(cost, chart="i").summary)
    assert i["CL"] == pytest.approx(300.5, abs=1e-12)
    assert i["aUCL"] == pytest.approx(321.22, abs=5e-3)
    assert i["aLCL"] == pytest.approx(279.78, abs=5e-3)
    mr = qic(cost, chart="mr")
    assert only(mr.summary)["CL"] == pytest.approx(7.79, abs=5e-3)
    assert only(mr.summary)["aUCL"] == pytest.approx(25.45, abs=5e-3)
    assert only(mr.summary)["aLCL"] == 0
    assert np.isnan(mr.data["y"].iloc[0])
    assert not mr.data["runs_signal"].any()


def test_i_chart_screens_large_moving_ranges_nelson_1982():
    """Nelson (1982), as qicharts2 (vignette Appendix 1, note 1): moving ranges
    above 3.267 × MR̄ are dropped before computing sigma. y = 1,2,1,2,1,2,1,2,1,20:
    MRs eight 1s and 19; MR̄ = 27/9 = 3, limit 9.801, so 19 is dropped and
    MR̄ = 1; x̄ = 33/10 = 3.3; UCL = 3.3 + 3·1/1.128 = 5.95957. Without screening
    UCL = 3.3 + 3·3/1.128 = 11.27872."""
    y = [1, 2, 1, 2, 1, 2, 1, 2, 1, 20]
    assert only(qic(y, chart="i").summary)["aUCL"] == pytest.approx(5.95957, abs=1e-5)
    unscreened = only(qic(y, chart="i", screened_mr=False).summary)
    assert unscreened["aUCL"] == pytest.approx(11.27872, abs=1e-5)


# --------------------------------------------------------------------------- #
# T and G charts
# --------------------------------------------------------------------------- #


def test_t_chart_montgomery_example_6_6():
    """Montgomery Ex. 6.6 (time between valve failures): on y^(1/3.6) the I chart
    has x̄ = 5.39, UCL = 11.67, LCL = −0.89. qicharts2 back-transforms with ^3.6 and
    shows the negative LCL as 0."""
    hours = read("valve_failures.csv")["hours"]
    r = qic(hours, chart="t")
    assert r.data["cl"].iloc[0] ** (1 / 3.6) == pytest.approx(5.39, abs=5e-3)
    assert r.data["ucl"].iloc[0] ** (1 / 3.6) == pytest.approx(11.67, abs=5e-3)
    assert (r.data["lcl"] == 0).all()
    assert r.data["y"].tolist() == hours.tolist()


def test_g_chart_centre_is_median_limits_from_mean():
    """qicharts2 vignette, Appendix 1 (G) and note 5: limits x̄ ± 3√(x̄(x̄ + 1)), centre
    line the median. y = 3,10,1,7,25,4,12,0,8,30,2,5: x̄ = 107/12 = 8.91667,
    √(8.91667·9.91667) = 9.40338, UCL = 37.12682, LCL < 0 so 0; median = (5 + 7)/2 = 6."""
    r = qic([3, 10, 1, 7, 25, 4, 12, 0, 8, 30, 2, 5], chart="g")
    s = only(r.summary)
    assert s["CL"] == 6
    assert s["aUCL"] == pytest.approx(37.12682, abs=1e-5)
    assert s["aLCL"] == 0


# --------------------------------------------------------------------------- #
# Data handling
# --------------------------------------------------------------------------- #


def test_inputs_are_not_changed():
    oj = read("orangejuice.csv")
    before = oj.copy()
    qic(oj["nonconforming"], oj["size"], x=oj["sample"], chart="p", exclude=[15])
    pd.testing.assert_frame_equal(oj, before)


def test_repeated_x_values_are_aggregated_for_i_chart():
    r = qic([1, 3, 10, 2, 4], x=["2024-01", "2024-01", "2024-02", "2024-03", "2024-03"])
    assert r.data["y"].tolist() == [2.0, 10.0, 3.0]


def test_missing_values_are_kept_as_gaps():
    r = qic([5, np.nan, 7, 6, 8, 5, 7], chart="i")
    assert np.isnan(r.data["y"].iloc[1])
    assert only(r.summary)["n_useful"] == 6


def test_zero_denominator_makes_the_point_missing():
    r = qic([1, 0, 3], [10, 0, 12], chart="p")
    assert np.isnan(r.data["y"].iloc[1])
    assert only(r.summary)["CL"] == pytest.approx(4 / 22)


def test_every_chart_type_runs():
    rng = np.random.default_rng(20240611)
    counts = rng.poisson(12, 24)
    denominators = rng.integers(80, 120, 24)
    for chart in CHARTS:
        if chart in ("xbar", "s"):
            r = qic(rng.normal(10, 2, 96), x=np.repeat(np.arange(24), 4), chart=chart)
        elif chart in ("p", "pp", "u", "up"):
            r = qic(counts, denominators, chart=chart)
        else:
            r = qic(counts + 1, chart=chart)
        assert len(r.data) == 24, chart
        assert set(r.summary.columns) >= {"aLCL", "CL", "aUCL", "runs_signal", "sigma_signal"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": [1, 2], "chart": "x"}, "not a chart type"),
        ({"y": [1, 2], "chart": "p"}, "denominator"),
        ({"y": [5, 2], "n": [4, 4], "chart": "p"}, "numerator cannot be larger"),
        ({"y": [0, 2], "chart": "t"}, "greater than zero"),
        ({"y": [1, 2, 3], "freeze": 2, "part": [1]}, "cannot be used together"),
        ({"y": [1, 2, 3], "exclude": [4]}, "has 3 points"),
        ({"y": [1, "two", 3]}, "not numbers"),
        ({"y": [1, 2, 3], "n": [1, 2]}, "one 'n' value"),
        ({"y": [1, -2, 3], "chart": "c"}, "negative"),
    ],
)
def test_plain_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        qic(**kwargs)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=40),
    st.floats(-1e3, 1e3, allow_nan=False),
)
def test_i_chart_moves_with_the_data(values, shift):
    """Adding a constant to every value moves the centre line and limits by it."""
    a = qic(values, chart="i")
    b = qic([v + shift for v in values], chart="i")
    for col in ("cl", "lcl", "ucl"):
        assert np.allclose(b.data[col], a.data[col] + shift, atol=1e-6, equal_nan=True)
    # I chart limits are symmetric around the mean.
    assert np.allclose(
        a.data["ucl"] - a.data["cl"], a.data["cl"] - a.data["lcl"], atol=1e-6, equal_nan=True
    )


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=2, max_size=40))
def test_runs_numbers_are_consistent(values):
    s = only(qic(values).summary)
    if s["n_useful"] > 0:
        assert 1 <= s["longest_run"] <= s["n_useful"]
        assert 0 <= s["n_crossings"] <= s["n_useful"] - 1
        expected = s["longest_run"] > s["longest_run_max"] or (
            s["n_crossings"] < s["n_crossings_min"]
        )
        assert bool(s["runs_signal"]) == expected


# --------------------------------------------------------------------------- #
# IHI rules
# --------------------------------------------------------------------------- #


def brute_force_runs(n1: int, n2: int) -> pd.Series:
    """Distribution of the number of runs by listing every arrangement."""
    size = n1 + n2
    counts: dict[int, int] = {}
    for above in itertools.combinations(range(size), n1):
        seq = np.zeros(size, dtype=int)
        seq[list(above)] = 1
        runs = 1 + int(np.count_nonzero(np.diff(seq)))
        counts[runs] = counts.get(runs, 0) + 1
    total = sum(counts.values())
    return pd.Series({k: v / total for k, v in sorted(counts.items())})


@pytest.mark.parametrize(("n1", "n2"), [(5, 5), (5, 6), (7, 7), (8, 9)])
def test_swed_eisenhart_distribution_matches_enumeration(n1, n2):
    exact = swed_eisenhart_pmf(n1, n2)
    brute = brute_force_runs(n1, n2)
    assert exact.sum() == pytest.approx(1.0)
    assert exact[exact > 0].to_numpy() == pytest.approx(brute.to_numpy(), abs=1e-12)
    assert exact[exact > 0].index.tolist() == brute.index.tolist()


def test_runs_limits_keep_each_tail_under_2_5_percent():
    for n in range(10, 61):
        lower, upper = runs_limits(n)
        pmf = swed_eisenhart_pmf(n // 2, n - n // 2)
        assert pmf[pmf.index < lower].sum() <= 0.025 < pmf[pmf.index <= lower].sum()
        assert pmf[pmf.index > upper].sum() <= 0.025 < pmf[pmf.index >= upper].sum()


def test_ihi_shift_skips_points_on_the_median():
    # Perla et al. 2011: values on the median neither break nor add to a shift.
    # Median of these 13 values is 5; the six values above it are split by one 5.
    y = [1, 2, 3, 1, 2, 3, 5, 7, 8, 9, 5, 8, 9]
    rules = ihi_rules(y)
    assert rules.attrs["median"] == 5
    assert bool(rules.loc["shift", "signal"])
    assert rules.loc["shift", "points"] == [1, 2, 3, 4, 5, 6]
    assert "6 points in a row below the median" in rules.loc["shift", "detail"]


def test_ihi_trend_ignores_repeated_values():
    # 2, 3, 3, 4, 5, 6: repeated 3 counted once → five points going up.
    rules = ihi_rules([2, 3, 3, 4, 5, 6, 1, 9, 2, 8])
    assert bool(rules.loc["trend", "signal"])
    assert rules.loc["trend", "points"] == [1, 2, 3, 4, 5, 6]
    assert not bool(ihi_rules([2, 3, 4, 5, 1, 6, 2, 7, 3, 8]).loc["trend", "signal"])


def test_ihi_runs_rule_and_astronomical_point():
    zigzag = [1, 9] * 10  # 20 runs among 20 points: too many
    rules = ihi_rules(zigzag)
    lower, upper = runs_limits(20)
    assert rules.attrs["n_runs"] == 20 > upper
    assert bool(rules.loc["too_many_runs", "signal"])
    assert not bool(rules.loc["too_few_runs", "signal"])
    assert pd.isna(rules.loc["astronomical_point", "signal"])
    short = ihi_rules([1, 2, 3])
    assert not bool(short.loc["too_few_runs", "signal"])
    assert "at least 10" in short.loc["too_few_runs", "detail"]


# --------------------------------------------------------------------------- #
# Explanations, suggestions, plots
# --------------------------------------------------------------------------- #


def test_explain_builds_sentences_from_the_numbers():
    y = [1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 7, 8, 9, 8, 7, 8, 9, 8, 7, 8, 9, 8]
    text = explain(qic(y))
    assert any("12 points in a row below the median (from 1 to 12)" in t for t in text)
    assert any("more than 8 in a row" in t for t in text)
    assert any("only 1 times" in t and "at least 8" in t for t in text)

    oj = read("orangejuice.csv").head(30)
    text = explain(qic(oj["nonconforming"], oj["size"], x=oj["sample"], chart="p"))
    assert any(
        t.startswith("Point 15 (0.440) is above the upper control limit (0.410)") for t in text
    )


def test_explain_says_when_there_is_no_signal():
    text = explain(qic([5, 7, 4, 8, 6, 3, 7, 5, 8, 4, 6, 7, 3, 8, 5, 6], chart="i"))
    assert len(text) == 1
    assert text[0].startswith("No signal")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (([12, 15, 9], [50, 60, 40]), "p"),
        (([3, 5, 9], [2.5, 3.1, 2.2]), "u"),
        (([14, 21, 17],), "c"),
        (([36.5, 37.2, 38.0],), "i"),
        (([12, 15, 9], None, "time_between"), "t"),
        (([12, 15, 9], None, "cases_between"), "g"),
        (([12, 15, 9], [10, 10, 10], "rate"), "u"),
    ],
)
def test_suggest_chart(args, expected):
    suggestion = suggest_chart(*args)
    assert suggestion == expected
    assert len(suggestion.reason) > 40


def test_suggest_chart_mentions_rare_events_and_large_denominators():
    assert "rare" in suggest_chart([0, 0, 1, 0, 0, 2, 0]).reason
    large = suggest_chart([2500, 2600], [5000, 5100]).reason
    assert "P′ or U′ chart" in large and "'pp'" not in large


def test_plot_qic_returns_figure_without_pyplot_state():
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = plt.get_fignums()
    oj = read("orangejuice.csv")
    r = qic(oj["nonconforming"], oj["size"], x=oj["sample"], chart="p", exclude=[15, 23], part=[30])
    fig = plot_qic(r, title="Leaking cans", notes={31: "Machine adjusted"})
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before
    ax = fig.axes[0]
    assert ax.get_title() == "Leaking cans"
    assert any(t.get_text() == "Machine adjusted" for t in ax.texts)
    # Signal points: own colour and a diamond marker, so colour is not the only cue.
    signal_sets = [c for c in ax.collections if len(c.get_offsets()) == 3]
    assert signal_sets
    assert matplotlib.colors.to_hex(signal_sets[0].get_facecolor()[0]) == SIGNAL.lower()
    assert any(h.get_marker() == "D" for h in ax.get_legend().legend_handles)


# --------------------------------------------------------------------------- #
# Getting a series ready: pasted text, district data, cases between events
# --------------------------------------------------------------------------- #


def test_parse_series_values_pairs_labels_and_heading():
    from phcpm.spc import parse_series

    one = parse_series("17\n\n19.5\n21%\n")
    assert one["y"].tolist() == [17.0, 19.5, 21.0]
    assert one["x"].tolist() == [1, 2, 3]
    assert "n" not in one.columns

    pairs = parse_series("tested, suspected\n17, 30\n24,36\r\n19 ,32")
    assert pairs["y"].tolist() == [17, 24, 19]
    assert pairs["n"].tolist() == [30, 36, 32]

    # Cells copied from a spreadsheet arrive separated by tabs; dates become dates.
    dated = parse_series("2025-01-06\t17\t30\n2025-01-13\t24\t36")
    assert pd.api.types.is_datetime64_any_dtype(dated["x"])
    assert dated["x"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-06", "2025-01-13"]
    assert dated["label"].tolist() == ["2025-01-06", "2025-01-13"]

    # Text labels keep the time order as point numbers, so runs analysis still works.
    weeks = parse_series("Week 1; 5\nWeek 2; 7\nWeek 3; 6")
    assert weeks["x"].tolist() == [1, 2, 3]
    assert weeks["label"].tolist() == ["Week 1", "Week 2", "Week 3"]
    assert not qic(weeks["y"], x=weeks["x"]).settings["categorical"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("   \n  ", "empty"),
        ("12\n1,5,7", "Line 2"),
        ("12\nabc", "Line 2"),
        ("12, 30\n13", "Line 2"),
        ("12\t2,5", "Line 1"),  # a decimal comma is refused, not read as 25 or 2
        ("2025-01, 4\n2025-01, 5", "more than once"),
        ("4, -3", "negative"),
        ("heading only", "No values"),
        ("14", "Only one value"),
        ("12, 15, 11; 14", "mixes commas"),
    ],
)
def test_parse_series_refuses_unreadable_text_in_plain_words(text, words):
    from phcpm.spc import parse_series

    with pytest.raises(InputError, match=words):
        parse_series(text)


def test_cases_between_counts_event_free_cases_before_each_event():
    """Benneyan (2001): g = number of cases between consecutive events.

    Hand-worked: events at cases 3, 4 and 9 of 11 give 2 (cases 1-2), 0 and
    4 (cases 5-8); the two cases after the last event are not counted.
    """
    from phcpm.spc import cases_between

    flags = [0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0]
    assert cases_between(flags).tolist() == [2, 0, 4]
    assert cases_between([True, False, True]).tolist() == [0, 1]
    assert cases_between([0, 0, 0]).tolist() == []
    with pytest.raises(InputError, match="marked 1"):
        cases_between([0, 2, 1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=60))
def test_cases_between_adds_up_to_the_cases_before_the_last_event(flags):
    from phcpm.spc import cases_between

    gaps = cases_between(flags)
    assert len(gaps) == sum(flags)
    if any(flags):
        last = max(i for i, f in enumerate(flags) if f)
        assert gaps.sum() + len(gaps) == last + 1


def test_monthly_series_counts_a_double_entry_once_and_pairs_denominators():
    from phcpm.spc import monthly_series

    service = pd.DataFrame(
        {
            "org_unit_id": ["A", "A", "A", "A", "A", "B"],
            "period": ["2024-02", "2024-01", "2024-01", "2024-01", "2024-02", "2024-01"],
            "data_element": ["TESTED", "TESTED", "TESTED", "SUSPECTED", "SUSPECTED", "TESTED"],
            "value": [12, 10, 10, 20, 25, 99],
        }
    )
    before = service.copy()
    s = monthly_series(service, "A", "TESTED", "SUSPECTED")
    pd.testing.assert_frame_equal(service, before)  # input untouched
    assert s["period"].tolist() == ["2024-01", "2024-02"]
    assert s["y"].tolist() == [10, 12]
    assert s["n"].tolist() == [20, 25]
    assert s["x"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-02-01"]
    with pytest.raises(InputError, match="no 'ANC1'"):
        monthly_series(service, "A", "ANC1")
    with pytest.raises(InputError, match="no data"):
        monthly_series(service, "C", "TESTED")


def test_points_table_has_plain_names_and_readable_dates():
    from phcpm.spc import points_table

    x = pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-27"])
    r = qic([3, 4, 9, 5], [10, 10, 10, 10], x=x, chart="p")
    table = points_table(r)
    assert table["label"].tolist() == ["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-27"]
    for col in ("value", "denominator", "centre line", "lower limit", "upper limit"):
        assert col in table.columns
    assert table["centre line"].iloc[0] == pytest.approx(21 / 40)
    run = points_table(qic([3, 4, 9, 5]))
    assert "median" in run.columns and "upper limit" not in run.columns


def test_explain_writes_dates_without_a_time_of_day():
    x = pd.date_range("2024-01-01", periods=20, freq="MS")
    y = [10] * 10 + [20] * 10
    text = " ".join(explain(qic(y, x=x)))
    assert "2024-01-01" in text and "T00:00" not in text


def test_number_columns_offers_columns_mostly_of_numbers():
    table = pd.DataFrame(
        {
            "month": ["2025-01", "2025-02", "2025-03", "2025-04"],
            "tested": ["12", "15", "no report", "14"],  # 3 of 4 numbers
            "comment": ["ok", "late", "", "1"],  # 1 of 3 filled cells a number
            "empty": [None, None, None, None],
            "suspected": [20, 21, 19, 22],
            "day": pd.to_datetime(["2025-01-01"] * 4),
        }
    )
    assert spc.number_columns(table) == ["tested", "suspected"]


def test_project_series_gives_the_weekly_share_and_a_note_per_cycle():
    measure = pd.DataFrame(
        {"week_start": ["2025-03-31", "2025-04-07"], "numerator": [17, 24], "denominator": [30, 36]}
    )
    cycles = pd.DataFrame({"start": ["2025-03-31"], "cycle": [1], "decision": ["adapt"]})
    series, notes = spc.project_series(measure, cycles)
    assert series["label"].tolist() == ["2025-03-31", "2025-04-07"]
    assert series["y"].tolist() == [17, 24] and series["n"].tolist() == [30, 36]
    assert notes == {pd.Timestamp("2025-03-31"): "1: adapt"}
    assert spc.project_series(measure)[1] == {}
    with pytest.raises(InputError, match="denominator"):
        spc.project_series(measure.drop(columns="denominator"))
    with pytest.raises(InputError, match="decision"):
        spc.project_series(measure, cycles.drop(columns="decision"))


def test_project_series_of_the_example_project_draws_with_its_cycles():
    from phcpm.paths import dataset_path

    series, notes = spc.project_series(
        pd.read_csv(dataset_path("pdsa_measure.csv")), pd.read_csv(dataset_path("pdsa_cycles.csv"))
    )
    assert len(series) == 40 and len(notes) == 4
    result = spc.qic(series["y"], series["n"], x=series["x"], chart="run", multiply=100)
    assert result.data["y"].between(0, 100).all()


@pytest.mark.parametrize(
    ("chart", "has_n", "expected"),
    [
        ("run", True, 100.0),
        ("p", True, 100.0),
        ("pp", True, 100.0),
        ("u", True, 1.0),
        ("up", True, 1.0),
        ("run", False, 1.0),
        ("i", False, 1.0),
        ("c", False, 1.0),
    ],
)
def test_display_multiply_shows_proportions_as_percentages(chart, has_n, expected):
    assert spc.display_multiply(chart, has_n) == expected
    assert spc.display_multiply("p", True, 1000) == 1000.0


def test_file_series_reads_one_series_per_place_and_element():
    from phcpm.io import read_table

    rows = "facility,month,cases,tested\n"
    rows += "".join(f"A,2025-{m:02d},{m},{m + 10}\n" for m in range(1, 7))
    rows += "".join(f"B,2025-{m:02d},{m * 2},{m + 20}\n" for m in range(1, 4))
    source = spc.file_series(read_table(rows.encode(), filename="x.csv"))
    assert source.series[["org_unit", "data_element", "periods"]].values.tolist() == [
        ["A", "cases", 6],
        ["A", "tested", 6],
        ["B", "cases", 3],
        ["B", "tested", 3],
    ]
    series, _ = spc.file_series_values(source, "B", "cases", "tested")
    assert series["y"].tolist() == [2, 4, 6]
    assert series["n"].tolist() == [21, 22, 23]
    assert series["label"].tolist() == ["2025-01", "2025-02", "2025-03"]
    with pytest.raises(InputError, match="divided by itself"):
        spc.file_series_values(source, "B", "cases", "cases")


def test_file_series_never_takes_the_period_column_as_values():
    from phcpm.io import read_table

    rows = "period,cases\n" + "".join(f"2024{m:02d},{m}\n" for m in range(1, 13))
    source = spc.file_series(read_table(rows.encode(), filename="x.csv"))
    assert source.series["data_element"].tolist() == ["cases"]
    assert source.series["org_unit"].tolist() == [spc.WHOLE_FILE]
    series, _ = spc.file_series_values(source, spc.WHOLE_FILE, "cases")
    assert series["y"].tolist() == list(range(1, 13))


def test_file_series_refuses_one_period_and_mixed_kinds_of_periods():
    from phcpm.io import read_table

    one = "facility,month,cases\nA,2025-01,4\nB,2025-01,5\n"
    source = spc.file_series(read_table(one.encode(), filename="x.csv"))
    with pytest.raises(InputError, match="only one period"):
        spc.file_series_values(source, "A", "cases")
    data = pd.DataFrame(
        {
            "org_unit": ["A", "A", "A"],
            "data_element": ["x", "x", "x"],
            "period": [pd.Period("2025-01", "M"), pd.Period("2025-02", "M"), pd.Period("2025Q1")],
            "value": [1.0, 2.0, 3.0],
        }
    )
    mixed = spc.FileSeries(data=data, series=pd.DataFrame(), notes=[])
    with pytest.raises(InputError, match="mix kinds of periods \\(months and quarters\\)"):
        spc.file_series_values(mixed, "A", "x")
