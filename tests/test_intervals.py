"""Tests for phcpm.intervals against published worked examples.

Sources of the expected numbers (stated again next to each test):

* Newcombe RG. Two-sided confidence intervals for the single proportion:
  comparison of seven methods. *Stat Med* 17:857-872, 1998, Table II, method 3
  (the Wilson score interval without continuity correction), printed to 4
  decimals: the check is to half a unit of the 4th decimal.
* R, package stats, ``poisson.test(137, 24.19893)`` (the Welsh nickel workers'
  standardised mortality example in its help page, from the ISwR data sets):
  95 percent confidence interval 4.753125 6.692709.
* Fingertips public health technical guidance, "Confidence intervals" (Public
  Health England, 2018): Byar's method is within 0.2 % of the exact limits at
  95 % for counts of 10 or more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from phcpm.errors import InputError
from phcpm.intervals import (
    byar_limits,
    garwood_limits,
    poisson_interval,
    proportion_interval,
    wilson_limits,
    z_value,
)

# Newcombe (1998), Table II, method 3 (score method, no continuity correction).
NEWCOMBE_TABLE_II = [
    # x, n, lower, upper
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("x", "n", "lower", "upper"), NEWCOMBE_TABLE_II)
def test_wilson_matches_newcombe_table_ii(x, n, lower, upper):
    lo, hi = wilson_limits(x, n)
    assert lo[0] == pytest.approx(lower, abs=0.00005)
    assert hi[0] == pytest.approx(upper, abs=0.00005)


def test_wilson_is_vectorised_and_keeps_a_series_index():
    x = pd.Series([81, 15, 0, 1], index=list("abcd"))
    n = pd.Series([263, 148, 20, 29], index=list("abcd"))
    lo, hi = wilson_limits(x, n)
    assert list(lo.index) == list("abcd")
    np.testing.assert_allclose(lo, [r[2] for r in NEWCOMBE_TABLE_II], atol=0.00005)
    np.testing.assert_allclose(hi, [r[3] for r in NEWCOMBE_TABLE_II], atol=0.00005)


def test_wilson_all_events_reaches_one_and_no_denominator_gives_nan():
    lo, hi = wilson_limits([29, 3, 5], [29, 0, np.nan])
    assert hi[0] == 1.0 and lo[0] < 1.0
    assert np.isnan(lo[1]) and np.isnan(hi[1]) and np.isnan(lo[2])


def test_wilson_refuses_more_events_than_denominator():
    with pytest.raises(InputError, match="larger than its denominator"):
        wilson_limits(13, 12)


def test_z_values_are_not_rounded():
    assert z_value(0.95) == pytest.approx(1.959963985, abs=1e-9)
    assert z_value(99.8) == pytest.approx(3.090232306, abs=1e-9)
    with pytest.raises(InputError):
        z_value(0)


def test_exact_poisson_matches_r_poisson_test():
    # R: poisson.test(137, 24.19893)$conf.int -> 4.753125 6.692709 (printed to 7 digits).
    lo, hi = poisson_interval(137, 24.19893)
    assert lo[0] == pytest.approx(4.753125, abs=5e-7)
    assert hi[0] == pytest.approx(6.692709, abs=5e-7)


def test_exact_poisson_zero_events_has_lower_limit_zero():
    # With no events the exact 95 % upper limit is -ln(0.025) = 3.689 events.
    lo, hi = garwood_limits([0])
    assert lo[0] == 0.0
    assert hi[0] == pytest.approx(-np.log(0.025), rel=1e-12)


def test_byar_within_two_per_mille_of_exact_from_ten_events():
    # Fingertips technical guidance: within 0.2 % of the exact limits for counts >= 10 (95 %).
    counts = np.arange(10, 2001)
    b_lo, b_hi = byar_limits(counts)
    e_lo, e_hi = garwood_limits(counts)
    assert np.max(np.abs(b_lo / e_lo - 1)) < 0.002
    assert np.max(np.abs(b_hi / e_hi - 1)) < 0.002
    # and it is an approximation, not the exact method under another name
    assert np.max(np.abs(b_lo / e_lo - 1)) > 1e-6


def test_byar_uses_exact_limits_below_ten_events():
    b_lo, b_hi = byar_limits([0, 3, 9])
    e_lo, e_hi = garwood_limits([0, 3, 9])
    np.testing.assert_array_equal(b_lo, e_lo)
    np.testing.assert_array_equal(b_hi, e_hi)


def test_rate_per_thousand_and_missing_exposure():
    lo, hi = poisson_interval([137, 5], [24.19893, 0], per=1000)
    assert lo[0] == pytest.approx(4753.125, abs=5e-4)
    assert np.isnan(lo[1]) and np.isnan(hi[1])
    with pytest.raises(InputError, match="Unknown method"):
        poisson_interval(5, 10, method="wald")


def test_proportion_interval_table_leaves_input_alone_and_skips_over_100():
    data = pd.DataFrame({"numerator": [6, 600, 13], "denominator": [12, 1200, 12]})
    before = data.copy()
    out = proportion_interval(data)
    pd.testing.assert_frame_equal(data, before)
    assert out["value"].tolist()[:2] == [50.0, 50.0]
    # 6 of 12: Wilson 95 % from 25.4 % to 74.6 %; 600 of 1,200: from 47.2 % to 52.8 %.
    assert out.loc[0, "lower"] == pytest.approx(25.38, abs=0.01)
    assert out.loc[0, "upper"] == pytest.approx(74.62, abs=0.01)
    assert out.loc[1, "upper"] - out.loc[1, "lower"] < 6
    assert out.loc[2, "value"] == pytest.approx(108.333, abs=0.001)
    assert np.isnan(out.loc[2, "lower"]) and np.isnan(out.loc[2, "upper"])
