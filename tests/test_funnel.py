"""Tests for phcpm.funnel.

Sources of the expected numbers:

* R package PHEindicatormethods (Public Health England / UK Health Security
  Agency), the reference outputs of its own funnel-plot tests:
  ``tests/testthat/testdata_funnel_prop_outputs.csv`` (proportions, baseline
  80.642448 %, limits printed to 6 decimals of a percentage) and
  ``tests/testthat/testdata_funnel_rate_outputs.csv`` (crude rates per 100,000
  over 3 years, baseline 116.1720835, exact Poisson limits). The proportion
  limits there are the normal approximation ``θ ± z sqrt(θ(1-θ)/n)``: our
  ``method="normal"``.
  For rates the tool gives, for each number of events E, the denominator at
  which E events lie exactly on a limit. For the lower limits that is also
  where Spiegelhalter's interpolated exact limit equals E / n (our
  ``method="exact"``); for the upper limits Spiegelhalter's limit there is
  (E - 1) / n, because it is a limit for the count expected on target, while
  the tool inverts the interval of the observed count (one event apart).
  The tool finds those denominators by bisection to about 1e-7, hence the
  relative tolerance of 1e-6.
* Spiegelhalter DJ. Funnel plots for comparing institutional performance.
  Stat Med 24:1185-1202, 2005: properties of the limits (they narrow as the
  denominator grows; 95 % limits lie inside 99.8 % limits).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from phcpm.errors import InputError
from phcpm.funnel import MIN_UNITS, dispersion, funnel, funnel_limits, plot_funnel

# PHEindicatormethods testdata_funnel_prop_outputs.csv:
# Population, Lower2s0025limit, Upper2s0025limit, Lower3s0001limit, Upper3s0001limit
PHE_PROPORTION_BASELINE = 80.642448
PHE_PROPORTION_ROWS = [
    (3, 35.933491, 100, 10.150815, 100),
    (18, 62.390093, 98.894803, 51.864359, 100),
    (102, 72.974925, 88.309971, 68.553233, 92.731663),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


def test_normal_limits_match_phe_proportion_funnel():
    n = [r[0] for r in PHE_PROPORTION_ROWS]
    got = funnel_limits(n, PHE_PROPORTION_BASELINE / 100, method="normal")
    for i, (_, lo2, hi2, lo3, hi3) in enumerate(PHE_PROPORTION_ROWS):
        # The baseline is printed to 6 decimals; the limits agree to 2e-6 percentage points.
        assert got.loc[i, "lower_95"] * 100 == pytest.approx(lo2, abs=2e-6)
        assert got.loc[i, "upper_95"] * 100 == pytest.approx(hi2, abs=2e-6)
        assert got.loc[i, "lower_998"] * 100 == pytest.approx(lo3, abs=2e-6)
        assert got.loc[i, "upper_998"] * 100 == pytest.approx(hi3, abs=2e-6)


# PHEindicatormethods testdata_funnel_rate_outputs.csv (per 100,000, 3 years of data):
# Events, lower_2s_population_1_year, lower_2s_limit, upper_2s_population_1_year,
# lower_3s_population_1_year, lower_3s_limit, upper_3s_population_1_year
PHE_RATE_BASELINE = 116.1720835
PHE_RATE_ROWS = [
    (5, 3348.002593, 49.78092521, 465.8280129, 4721.370883, 35.30048174, 212.14848),
    (20, 8862.823734, 75.22057153, 3505.293872, 10915.38389, 61.07587907, 2570.385518),
    (99, 34583.45945, 95.42133877, 23087.10848, 38382.78582, 85.97604186, 20393.92315),
    (1360, 411529.9259, 110.158048, 369759.5622, 424043.2424, 106.9073359, 358342.3275),
]


@pytest.mark.parametrize("row", PHE_RATE_ROWS, ids=lambda r: f"{r[0]} events")
def test_exact_rate_limits_match_phe_rate_funnel(row):
    events, lo2_pop, lo2, hi2_pop, lo3_pop, lo3, hi3_pop = row
    years = 3
    theta = PHE_RATE_BASELINE / 100_000
    n = np.array([lo2_pop, hi2_pop, lo3_pop, hi3_pop]) * years
    got = funnel_limits(n, theta, kind="rate", method="exact")
    assert got.loc[0, "lower_95"] * 100_000 == pytest.approx(lo2, rel=1e-6)
    assert got.loc[2, "lower_998"] * 100_000 == pytest.approx(lo3, rel=1e-6)
    assert got.loc[1, "upper_95"] == pytest.approx((events - 1) / n[1], rel=1e-6)
    assert got.loc[3, "upper_998"] == pytest.approx((events - 1) / n[3], rel=1e-6)


@pytest.mark.parametrize("kind", ["proportion", "rate"])
@pytest.mark.parametrize("method", ["exact", "normal"])
def test_limits_narrow_as_denominator_grows_and_95_inside_998(kind, method):
    n = np.array([20, 50, 100, 200, 500, 1000, 2000, 5000, 10000])
    theta = 0.6 if kind == "proportion" else 0.05
    got = funnel_limits(n, theta, kind=kind, method=method)
    width95 = (got["upper_95"] - got["lower_95"]).to_numpy()
    width998 = (got["upper_998"] - got["lower_998"]).to_numpy()
    assert np.all(np.diff(width95) < 0)
    assert np.all(np.diff(width998) < 0)
    assert np.all(got["lower_998"] <= got["lower_95"])
    assert np.all(got["upper_95"] <= got["upper_998"])
    assert np.all(got["lower_95"] < theta) and np.all(theta < got["upper_95"])


def test_exact_limits_approach_normal_limits_for_large_units():
    exact = funnel_limits([100_000], 0.8)
    normal = funnel_limits([100_000], 0.8, method="normal")
    assert exact.loc[0, "lower_95"] == pytest.approx(normal.loc[0, "lower_95"], abs=1e-4)
    assert exact.loc[0, "upper_998"] == pytest.approx(normal.loc[0, "upper_998"], abs=1e-4)


def _units(rng, n, true_rates):
    x = rng.binomial(n, true_rates)
    return pd.DataFrame(
        {"org_unit": [f"F{i:02d}" for i in range(len(n))], "numerator": x, "denominator": n}
    )


def test_no_adjustment_when_units_vary_by_chance_only():
    rng = np.random.default_rng(20260101)
    n = rng.integers(50, 2000, size=40)
    data = _units(rng, n, np.full(40, 0.7))
    result = funnel(data, target=70)
    assert not result.dispersion.overdispersed
    assert result.adjustment == "none"
    assert result.dispersion.statistic < result.dispersion.threshold


def test_adjustment_when_units_vary_more_than_chance():
    rng = np.random.default_rng(20260102)
    n = rng.integers(200, 3000, size=40)
    true_rates = np.clip(rng.normal(0.7, 0.08, size=40), 0.05, 0.95)
    data = _units(rng, n, true_rates)
    plain = funnel(data, target=70, overdispersion="none")
    auto = funnel(data, target=70)
    assert auto.dispersion.overdispersed
    assert auto.adjustment == "additive" and auto.dispersion.tau2 > 0
    # Without the adjustment many more units fall outside the 99.8 % limits than chance would put.
    assert plain.table["look_here"].sum() > auto.table["look_here"].sum()
    wide = auto.table["upper_998"] - auto.table["lower_998"]
    narrow = plain.table["upper_998"] - plain.table["lower_998"]
    assert np.all(wide.to_numpy() > narrow.to_numpy())
    assert any("vary more than chance" in note for note in auto.notes)
    multi = funnel(data, target=70, overdispersion="multiplicative")
    assert multi.adjustment == "multiplicative"
    assert np.all(
        (multi.table["upper_95"] - multi.table["lower_95"]).to_numpy()
        > (plain.table["upper_95"] - plain.table["lower_95"]).to_numpy()
    )


def test_dispersion_phi_and_tau2_by_hand():
    # Ten units of 100 at target 0.5: s = 0.05, w = 400. Values give z = -4..+4 (x 0.5 steps).
    z = np.array([-4, -2, -1, -0.5, 0, 0, 0.5, 1, 2, 4])
    y = 0.5 + 0.05 * z
    d = dispersion(y, np.full(10, 100), 0.5)
    # Winsorised at the 10th and 90th percentiles (numpy linear): -2.2 and 2.2.
    zw = np.clip(z, -2.2, 2.2)
    phi = np.mean(zw**2)
    assert d.phi == pytest.approx(phi, rel=1e-12)
    expected_tau2 = max(0.0, (10 * phi - 9) / (4000 - 10 * 400**2 / 4000))
    assert d.tau2 == pytest.approx(expected_tau2, rel=1e-12)
    assert d.units == MIN_UNITS


def test_impossible_coverage_is_check_data_and_left_out_of_target():
    data = pd.DataFrame(
        {
            "org_unit": ["A", "B", "C", "D"],
            "name": ["Alpha HC", "Bravo HP", "Charlie HC", "Delta HP"],
            "numerator": [50, 80, 130, 5],
            "denominator": [100, 100, 120, 0],
        }
    )
    result = funnel(data)
    t = result.table.set_index("org_unit")
    assert t.loc["C", "position"] == "check_data" and t.loc["C", "look_here"]
    assert t.loc["D", "position"] == "no_data" and not t.loc["D", "look_here"]
    assert result.target == pytest.approx(65.0)  # (50 + 80) / (100 + 100), C and D left out
    assert any("above 100 %" in note for note in result.notes)
    assert "Charlie HC" in result.look_here()["name"].tolist()


def test_outside_unit_is_flagged_whatever_its_rank():
    # A large facility at 80 % against 90 % is outside; a tiny one at 75 % (9 of 12) is not.
    data = pd.DataFrame(
        {
            "org_unit": ["BIG", "TINY", "MID"],
            "numerator": [800, 9, 90],
            "denominator": [1000, 12, 100],
        }
    )
    result = funnel(data, target=90, overdispersion="none")
    t = result.table.set_index("org_unit")
    assert t.loc["BIG", "position"] == "below_998" and t.loc["BIG", "look_here"]
    assert t.loc["TINY", "value"] < t.loc["BIG", "value"]
    assert not t.loc["TINY", "look_here"]
    assert t.loc["MID", "position"] == "inside"


def test_bad_input_is_explained():
    with pytest.raises(InputError, match="lacks the column"):
        funnel(pd.DataFrame({"org_unit": ["A"], "numerator": [1]}))
    with pytest.raises(InputError, match="below zero"):
        funnel(pd.DataFrame({"org_unit": ["A"], "numerator": [-1], "denominator": [3]}))
    with pytest.raises(InputError, match="Unknown kind"):
        funnel_limits([10], 0.5, kind="ratio")
    with pytest.raises(InputError, match="between 0 and 1"):
        funnel_limits([10], 90)


def test_plot_returns_a_figure_with_distinct_markers():
    rng = np.random.default_rng(7)
    n = rng.integers(20, 1500, size=25)
    data = _units(rng, n, np.full(25, 0.75))
    data.loc[0, ["numerator", "denominator"]] = [700, 1400]  # far below
    result = funnel(data, target=75, overdispersion="none")
    fig = plot_funnel(result, title="Test", xlabel="Deliveries", ylabel="%")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Inside the limits" in labels and "Outside 99.8 %" in labels
    assert "Target 75" in labels
    own = plot_funnel(funnel(data, overdispersion="none"))
    assert any(
        t.get_text().startswith("All units together") for t in own.axes[0].get_legend().get_texts()
    )
    assert any(t.get_text() == "F00" for t in ax.texts)


def test_complete_reporting_is_never_above_the_funnel():
    # 12 reports out of 12 against a 95 % target: the most likely result, not a signal.
    data = pd.DataFrame(
        {"org_unit": list("ABCDEFGHIJ"), "numerator": [12] * 8 + [11, 10], "denominator": [12] * 10}
    )
    result = funnel(data, target=95, overdispersion="none")
    assert result.table.loc[0, "upper_998"] == 100.0
    assert not result.table["look_here"].any()
    assert (result.table["position"].iloc[:8] == "inside").all()
