"""phcpm.sampling against published worked examples and tables.

Sources of the expected numbers are stated next to them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from phcpm.errors import InputError
from phcpm.sampling import (
    ICC_DEFAULTS,
    classify_areas,
    design_effect,
    district_coverage,
    draw_sample,
    lqas_decision_rule,
    lqas_risks,
    lqas_table,
    margin_of_error,
    oc_curve,
    sample_size_proportion,
    sample_size_sentence,
    sample_size_two_proportions,
    simulate_lqas,
    z_value,
)

# --------------------------------------------------------------------------- one proportion

# OpenEpi "Sample Size for Frequency in a Population" output, as published in
# Table 1 ("Sample size for frequency in a population") of an article in the
# journal hosted at ksdb.org (id dr-27-3-117): population 10,000,000,
# hypothesised frequency 6 %, confidence limits ± 5 %, design effect 1.
OPENEPI_PUBLISHED = {0.95: 87, 0.80: 38, 0.90: 62, 0.97: 107, 0.99: 150, 0.999: 245, 0.9999: 342}


@pytest.mark.parametrize(("confidence", "expected"), sorted(OPENEPI_PUBLISHED.items()))
def test_openepi_convention_reproduces_published_openepi_output(confidence, expected):
    got = sample_size_proportion(
        0.06, 0.05, confidence=confidence, population=10_000_000, convention="openepi"
    )
    assert got == expected


def test_classic_385_for_half_and_five_points():
    # Lwanga & Lemeshow (WHO, 1991) formula n = z² p(1-p)/d² with p = 0.5,
    # d = 0.05, 95 %: with the exact z = 1.959964, n0 = 384.15, rounded up to 385.
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert sample_size_proportion(0.5, 0.05) == 385


def test_three_points_gives_1068():
    # Same formula, d = 0.03: 1.959964² × 0.25 / 0.0009 = 1067.07 -> 1068.
    assert sample_size_proportion(0.5, 0.03) == 1068


def test_the_two_conventions_differ_for_small_populations():
    # N = 200, p = 0.1, d = 0.05, 95 %: n0 = 1.959964² × 0.09 / 0.0025 = 138.29.
    # Cochran: 138.29 / (1 + 138.29/200) = 81.76 -> 82.
    # OpenEpi: 200 × 0.09 / [(0.0025 / 1.959964²) × 199 + 0.09] = 82.001 -> 83.
    z2 = stats.norm.ppf(0.975) ** 2
    n0 = z2 * 0.09 / 0.0025
    assert sample_size_proportion(0.1, 0.05, population=200) == math.ceil(n0 / (1 + n0 / 200)) == 82
    openepi = 200 * 0.09 / ((0.0025 / z2) * 199 + 0.09)
    assert 82 < openepi < 82.01
    assert sample_size_proportion(0.1, 0.05, population=200, convention="openepi") == 83


def test_openepi_applies_the_design_effect_after_the_correction():
    # N = 100, p = 0.5, d = 0.05, DEFF 2: OpenEpi's formula gives 2 × 79.5 = 159.0 -> 160,
    # more people than live there; Cochran applies DEFF first: 768.29 / 8.68 = 88.5 -> 89.
    assert sample_size_proportion(0.5, 0.05, deff=2, population=100, convention="openepi") == 160
    assert sample_size_proportion(0.5, 0.05, deff=2, population=100) == 89


def test_design_effect_multiplies_before_rounding():
    # 2 × 384.15 = 768.29 -> 769 (not 2 × 385 = 770): round once, at the end.
    assert sample_size_proportion(0.5, 0.05, deff=2) == 769


def test_finite_population_correction_worked_example():
    # Cochran (1977) eq. 4.3: n = n0 / (1 + n0/N); N = 1000: 384.15/1.38415 = 277.53 -> 278.
    assert sample_size_proportion(0.5, 0.05, population=1000) == 278


def test_relative_margin():
    # d = 0.1 × 0.2 = 0.02 absolute: 1.959964² × 0.16 / 0.0004 = 1536.58 -> 1537.
    assert sample_size_proportion(0.2, 0.1, relative=True) == 1537
    assert sample_size_proportion(0.2, 0.1, relative=True) == sample_size_proportion(0.2, 0.02)


@settings(max_examples=60, deadline=None)
@given(
    p=st.floats(0.01, 0.99),
    d=st.floats(0.01, 0.2),
    conf=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    deff=st.floats(1.0, 4.0),
    N=st.one_of(st.none(), st.integers(10, 10**6)),
)
def test_cochran_is_the_smallest_whole_number_above_the_formula(p, d, conf, deff, N):
    z = stats.norm.ppf(1 - (1 - conf) / 2)
    exact = deff * z * z * p * (1 - p) / d**2
    if N is not None:
        exact = exact / (1 + exact / N)
    n = sample_size_proportion(p, d, conf, deff, N)
    assert n - 1 < exact + 1e-6 and exact <= n + 1e-6
    if N is not None:
        assert n <= N + 1


def test_more_confidence_or_smaller_margin_needs_more_people():
    assert sample_size_proportion(0.5, 0.05, 0.99) > sample_size_proportion(0.5, 0.05, 0.95)
    assert sample_size_proportion(0.5, 0.04) > sample_size_proportion(0.5, 0.05)
    assert sample_size_proportion(0.8, 0.05) < sample_size_proportion(0.5, 0.05)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"p": 0, "margin": 0.05},
        {"p": 1.2, "margin": 0.05},
        {"p": 0.5, "margin": 0},
        {"p": 0.5, "margin": -0.1},
        {"p": 0.5, "margin": 0.05, "confidence": 1},
        {"p": 0.5, "margin": 0.05, "confidence": 95},
        {"p": 0.5, "margin": 0.05, "deff": 0.5},
        {"p": 0.5, "margin": 0.05, "population": 0},
        {"p": "half", "margin": 0.05},
        {"p": 0.5, "margin": 0.05, "convention": "other"},
    ],
)
def test_invalid_inputs_raise_plain_input_errors(kwargs):
    with pytest.raises(InputError) as info:
        sample_size_proportion(**kwargs)
    assert "Traceback" not in str(info.value) and len(str(info.value)) > 20


def test_sentence_names_the_number():
    text = sample_size_sentence(0.5, 0.05)
    assert text.startswith("You need to interview 385 people")
    assert "1,068" in sample_size_sentence(0.5, 0.03)


def test_margin_of_error_inverts_sample_size():
    # With n0 = 384.15 people the margin is exactly 5 points; with 385 it is just below.
    assert margin_of_error(0.5, 385) < 0.05 < margin_of_error(0.5, 384)


# --------------------------------------------------------------------------- two proportions


def test_two_proportions_openepi_demo():
    # OpenEpi "Sample Size for Cross-Sectional, Cohort, & Randomized Clinical Trial
    # Studies" (Sullivan; Dean & Mir), demonstration text: 25 % ill among exposed,
    # 5 % among unexposed, 95 % confidence, 80 % power, equal groups: "we need 98 to
    # 118 interviews depending on statistical method" -- Fleiss total 98 (49 + 49),
    # Fleiss with continuity correction total 118 (59 + 59).
    assert sample_size_two_proportions(0.25, 0.05) == (49, 49)
    assert sample_size_two_proportions(0.25, 0.05, continuity=True) == (59, 59)


def test_two_proportions_textbook_60_vs_40():
    # Fleiss (1981) eq. 3.18 by hand, p1 = 0.6, p2 = 0.4, 95 %, 80 % power:
    # [1.959964 √(2·0.25) + 0.841621 √(0.24 + 0.24)]² / 0.04 = 96.92 -> 97 per group;
    # with the continuity correction (eq. 3.19) 106.69 -> 107.
    assert sample_size_two_proportions(0.6, 0.4) == (97, 97)
    assert sample_size_two_proportions(0.6, 0.4, continuity=True) == (107, 107)


def test_two_proportions_unequal_groups_round_the_second_from_the_unrounded_first():
    n1, n2 = sample_size_two_proportions(0.25, 0.05, ratio=2)
    # Fleiss eq. 3.18 with r = 2: p̄ = (0.25 + 2·0.05)/3.
    za, zb = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    pbar = (0.25 + 2 * 0.05) / 3
    exact = (
        za * math.sqrt(3 * pbar * (1 - pbar)) + zb * math.sqrt(2 * 0.25 * 0.75 + 0.05 * 0.95)
    ) ** 2 / (2 * 0.2**2)
    assert (n1, n2) == (math.ceil(exact), math.ceil(2 * exact))
    assert n1 < 49 < n2


def test_two_proportions_errors():
    with pytest.raises(InputError, match="equal"):
        sample_size_two_proportions(0.5, 0.5)
    with pytest.raises(InputError):
        sample_size_two_proportions(0.5, 0.4, ratio=0)


# --------------------------------------------------------------------------- design effect


def test_design_effect_formula_and_who_defaults():
    # Kish (1965): DEFF = 1 + (m - 1) ICC. 10 children per cluster:
    assert design_effect(10, 1 / 6) == pytest.approx(2.5)
    assert design_effect(10, 1 / 3) == pytest.approx(4.0)
    assert design_effect(1, 0.3) == 1.0
    # WHO 2018 (via Rhoda et al., JSSAM 2025): 1/3 for routine immunization, 1/6 before.
    assert sorted(ICC_DEFAULTS.values()) == pytest.approx([1 / 6, 1 / 3])
    with pytest.raises(InputError):
        design_effect(10, 1.5)
    with pytest.raises(InputError):
        design_effect(0, 0.1)


# --------------------------------------------------------------------------- LQAS

# Grant & Leavenworth (Statistical Quality Control, 1988, pp. 391-425), reproduced
# as Table 1 of the PubMed Central article PMC3013262 ("*Optimal decision rule for a
# sample size"): 80 % upper and 50 % lower coverage. The table counts the number
# UNIMMUNIZED allowed (u); our d counts "yes": d = n - u. Rows: (n, u, a, b) with
# a = P(classified adequate | 80 %) = 1 - alpha and b = P(classified inadequate | 50 %)
# = 1 - beta, to two decimals.
GRANT_LEAVENWORTH = [
    (8, 0, 0.17, 1.00), (8, 1, 0.50, 0.96), (8, 3, 0.94, 0.64),
    (12, 0, 0.07, 1.00), (12, 1, 0.28, 1.00), (12, 2, 0.56, 0.98), (12, 3, 0.80, 0.93),
    (12, 4, 0.93, 0.81), (12, 5, 0.98, 0.61),
    (14, 0, 0.04, 1.00), (14, 1, 0.20, 1.00), (14, 2, 0.45, 0.99), (14, 3, 0.70, 0.97),
    (14, 4, 0.87, 0.91), (14, 5, 0.96, 0.79),
    (19, 0, 0.01, 1.00), (19, 1, 0.08, 1.00), (19, 2, 0.24, 1.00), (19, 3, 0.46, 1.00),
    (19, 4, 0.67, 0.99), (19, 5, 0.84, 0.97), (19, 6, 0.93, 0.92), (19, 7, 0.98, 0.82),
    (28, 5, 0.50, 1.00), (28, 6, 0.68, 1.00), (28, 7, 0.81, 0.99), (28, 8, 0.91, 0.98),
    (28, 9, 0.96, 0.96), (28, 10, 0.99, 0.90),
]  # fmt: skip
# The table's row n = 8, u = 2 prints b = 0.83, but P(X <= 5 | n = 8, p = 0.5) = 219/256
# = 0.855 exactly, and its own a = 0.79 checks; that one printed value is left out
# (its starred total 0.38 = 0.21 + 0.17 carries the same slip).
OPTIMAL_UNIMMUNIZED = {8: 2, 12: 4, 14: 4, 19: 6, 28: 9}  # the starred rows


@pytest.mark.parametrize(("n", "u"), sorted(OPTIMAL_UNIMMUNIZED.items()))
def test_lqas_optimal_rules_match_grant_and_leavenworth(n, u):
    assert lqas_decision_rule(n, 0.8, 0.5) == n - u
    assert lqas_decision_rule(n, 0.8) == n - u  # lower defaults to target - 0.30


def test_lqas_19_13_the_classic_rule():
    # Valadez (1991); Valadez et al. (2003): n = 19, 80 % target -> 13.
    assert lqas_decision_rule(19, 0.80) == 13
    alpha, beta = lqas_risks(19, 13, 0.80)
    assert alpha == pytest.approx(0.07, abs=0.005)  # Table 1: provider risk 0.07
    assert beta == pytest.approx(0.08, abs=0.005)  # Table 1: consumer risk 0.08


@pytest.mark.parametrize(("n", "u", "a", "b"), GRANT_LEAVENWORTH)
def test_lqas_risks_match_the_published_table(n, u, a, b):
    # The printed values carry two decimals, some rounded and some cut off
    # (0.8182 is printed 0.81, 0.2749 is printed 0.28): they agree within 0.01.
    alpha, beta = lqas_risks(n, n - u, 0.8, 0.5)
    assert 1 - alpha == pytest.approx(a, abs=0.01)
    assert 1 - beta == pytest.approx(b, abs=0.01)


def test_lqas_table_and_oc_curve_agree():
    table = lqas_table([12, 19, 28], [0.5, 0.8])
    assert list(table.columns) == ["n", "target", "lower", "d", "alpha", "beta"]
    assert len(table) == 6
    row = table[(table.n == 19) & (table.target == 0.8)].iloc[0]
    assert row.d == 13 and row.lower == pytest.approx(0.5)
    oc = oc_curve(19, 13)
    at = dict(zip(oc.p.round(2), oc.prob_classified_reaching, strict=True))
    assert at[0.8] == pytest.approx(1 - row.alpha)
    assert at[0.5] == pytest.approx(row.beta)
    assert oc.prob_classified_reaching.is_monotonic_increasing
    assert at[0.0] == 0 and at[1.0] == 1


def test_lqas_table_rows_equal_the_single_rule_function():
    table = lqas_table(range(12, 31), [t / 100 for t in range(10, 100, 5)])
    assert len(table) == 19 * 18
    for row in table.sample(40, random_state=1).itertuples():
        assert row.d == lqas_decision_rule(row.n, row.target, row.lower)
        assert (row.alpha, row.beta) == pytest.approx(
            lqas_risks(row.n, row.d, row.target, row.lower)
        )


def test_lqas_lower_threshold_clipped_at_zero_and_checked():
    assert lqas_table([19], [0.2]).lower.iloc[0] == 0.0
    with pytest.raises(InputError):
        lqas_decision_rule(19, 0.8, lower=0.9)
    with pytest.raises(InputError):
        lqas_decision_rule(0, 0.8)


def test_simulation_matches_binomial_probability_and_is_seeded():
    exact = float(stats.binom.sf(12, 19, 0.7))  # P(X >= 13 | n = 19, p = 0.7)
    got = simulate_lqas(0.7, 19, 13, reps=20_000, seed=3)
    se = math.sqrt(exact * (1 - exact) / 20_000)
    assert abs(got - exact) < 4 * se
    assert got == simulate_lqas(0.7, 19, 13, reps=20_000, seed=3)


# --------------------------------------------------------------------------- classify, estimate


@pytest.fixture
def survey():
    # Two supervision areas of 19: "North" 14 yes, "South" 9 yes; second column
    # with one blank answer in South.
    north = [1] * 14 + [0] * 5
    south = [1] * 9 + [0] * 10
    return pd.DataFrame(
        {
            "supervision_area": ["North"] * 19 + ["South"] * 19,
            "anc4": north + south,
            "penta3": ["yes"] * 19 + ["no"] * 9 + ["yes"] * 9 + [""],
        }
    )


def test_classify_areas_by_the_19_13_rule(survey):
    before = survey.copy()
    out = classify_areas(survey, "supervision_area", ["anc4", "penta3"], target=0.8)
    pd.testing.assert_frame_equal(survey, before)  # the input is not changed
    got = out.set_index(["supervision_area", "indicator"])
    assert got.loc[("North", "anc4"), "classification"] == "reaches target"  # 14 >= 13
    assert got.loc[("South", "anc4"), "classification"] == "below target"  # 9 < 13
    # South penta3: 18 answers (one blank), 9 yes; rule for n = 18 at 80 %.
    assert got.loc[("South", "penta3"), "n"] == 18
    assert got.loc[("South", "penta3"), "d"] == lqas_decision_rule(18, 0.8)
    assert got.loc[("North", "penta3"), "yes"] == 19


def test_classify_areas_rejects_answers_that_are_not_yes_or_no(survey):
    bad = survey.assign(anc4=survey["anc4"].replace({0: 2}))
    with pytest.raises(InputError, match="anc4"):
        classify_areas(bad, "supervision_area", "anc4", target=0.8)
    with pytest.raises(InputError, match=r"lacks the column\(s\) area\b.*supervision_area"):
        classify_areas(survey, "area", "anc4", target=0.8)


def test_district_coverage_weighted_by_population(survey):
    # Valadez et al. (2003): weight each area by its population share.
    # North 14/19 with 1000 people, South 9/19 with 3000 people.
    w = {"North": 1000, "South": 3000}
    out = district_coverage(survey, "supervision_area", "anc4", weights=w).iloc[0]
    p1, p2 = 14 / 19, 9 / 19
    est = 0.25 * p1 + 0.75 * p2
    se = math.sqrt(0.25**2 * p1 * (1 - p1) / 19 + 0.75**2 * p2 * (1 - p2) / 19)
    assert out.coverage == pytest.approx(est)
    assert out.ci_lower == pytest.approx(est - 1.959964 * se, abs=1e-6)
    assert out.ci_upper == pytest.approx(est + 1.959964 * se, abs=1e-6)
    assert out.n_areas == 2 and out.n_respondents == 38


def test_district_coverage_without_weights_is_the_pooled_share(survey):
    out = district_coverage(survey, "supervision_area", "anc4").iloc[0]
    assert out.coverage == pytest.approx(23 / 38)
    with pytest.raises(InputError, match="population"):
        district_coverage(survey, "supervision_area", "anc4", weights={"North": 10})


def test_district_coverage_matches_a_published_population_weighted_average():
    # Worked example of a population-weighted average over areas, published by
    # M. Myatt on the en-net forum ("Weight factor?", question 319, 21 Dec 2010):
    # prevalences 7.6 %, 9.3 % and 5.4 % in areas of 123,000, 91,000 and 52,000
    # people give (7.6 x 123000 + 9.3 x 91000 + 5.4 x 52000) / 266000 = 7.75 %.
    # The same weighting is Valadez et al. (2003)'s district estimate from LQAS areas.
    rows = []
    for area, yes in (("District 1", 76), ("District 2", 93), ("District 3", 54)):
        rows += [{"area": area, "answer": int(i < yes)} for i in range(1000)]
    answers = pd.DataFrame(rows)
    pops = {"District 1": 123_000, "District 2": 91_000, "District 3": 52_000}
    # An answer column may be called "answer".
    out = district_coverage(answers, "area", "answer", weights=pops).iloc[0]
    assert round(out.coverage * 100, 2) == 7.75
    # Unweighted, the three areas count equally (equal samples): a different answer.
    equal = district_coverage(answers, "area", "answer").iloc[0]
    assert round(equal.coverage * 100, 2) == 7.43
    assert out.ci_lower < out.coverage < out.ci_upper


# --------------------------------------------------------------------------- drawing samples


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "record_id": np.arange(1, 201),
            "facility": np.repeat([f"F{i}" for i in range(10)], 20),
            "ward": np.tile(["A", "A", "B", "C"], 50),
            "size": rng.integers(1, 50, 200),
        }
    )


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("srs", {}),
        ("systematic", {}),
        ("stratified", {"strata": "ward"}),
        ("pps", {"size": "size"}),
        ("cluster", {"cluster": "facility", "per_cluster": 5}),
    ],
)
def test_every_method_is_reproducible_and_leaves_the_frame_alone(frame, method, kwargs):
    before = frame.copy()
    n = 4 if method == "cluster" else 20
    s1, r1 = draw_sample(frame, n, method, seed=11, **kwargs)
    s2, r2 = draw_sample(frame, n, method, seed=11, **kwargs)
    pd.testing.assert_frame_equal(s1, s2)
    assert r1 == r2
    pd.testing.assert_frame_equal(frame, before)
    assert {"selection_probability", "weight"} <= set(s1.columns)
    assert np.allclose(s1["weight"], 1 / s1["selection_probability"])
    assert r1["method"] == method and r1["seed"] == 11
    assert not any("time" in key or "date" in key for key in r1)
    s3, _ = draw_sample(frame, n, method, seed=12, **kwargs)
    assert not s3.index.equals(s1.index) or method == "cluster"


def test_srs_and_systematic_sizes(frame):
    s, _ = draw_sample(frame, 30, "srs", seed=2)
    assert len(s) == 30 and s.index.is_unique
    assert np.allclose(s.weight, 200 / 30)


def test_systematic_fractional_interval(frame):
    s, r = draw_sample(frame, 30, "systematic", seed=5)
    k = 200 / 30
    assert r["interval"] == pytest.approx(k)
    assert 0 <= r["random_start"] < k
    expected = np.floor(r["random_start"] + k * np.arange(30)).astype(int)
    assert r["positions"] == expected.tolist()
    assert s.record_id.tolist() == (expected + 1).tolist()


def test_stratified_proportional_allocation_adds_up(frame):
    # Wards: A 100, B 50, C 50 rows; n = 21 -> quotas 10.5, 5.25, 5.25 -> 11, 5, 5.
    s, r = draw_sample(frame, 21, "stratified", seed=1, strata="ward")
    assert r["allocation"] == {"A": 11, "B": 5, "C": 5}
    assert s.ward.value_counts().to_dict() == {"A": 11, "B": 5, "C": 5}
    assert np.allclose(s.loc[s.ward == "A", "selection_probability"], 11 / 100)


def test_stratified_neyman_allocation(frame):
    # Cochran (1977) eq. 5.26: n_h = n N_h S_h / sum(N_j S_j).
    # S = A 1, B 4, C 0 -> N_h S_h = 100, 200, 0 -> 12 of 36 to A, 24 to B, 0 to C.
    s, r = draw_sample(
        frame, 36, "stratified", seed=1, strata="ward", allocation="neyman",
        sd={"A": 1, "B": 4, "C": 0},
    )  # fmt: skip
    assert r["allocation"] == {"A": 12, "B": 24, "C": 0}
    assert len(s) == 36


def test_pps_reproduces_the_total_exactly(frame):
    # Systematic PPS without certainty units: sum(size / pi) = total size (each pi = n size / T).
    small = frame.assign(size=frame["size"].clip(upper=20))
    s, r = draw_sample(small, 10, "pps", seed=4, size="size")
    assert (s.hits == 1).all() and len(s) == 10
    assert (s["size"] * s["weight"]).sum() == pytest.approx(small["size"].sum())
    assert r["interval"] == pytest.approx(small["size"].sum() / 10)


def test_two_stage_cluster_sample_is_self_weighting(frame):
    s, r = draw_sample(frame, 4, "cluster", seed=8, cluster="facility", per_cluster=5)
    assert len(s) == 20 and s.facility.nunique() == 4
    # P(cluster) = 4 × 20/200; P(row | cluster) = 5/20 -> 0.1 for every row.
    assert np.allclose(s.selection_probability, 0.1)
    assert sum(r["clusters"].values()) == 4


def test_draw_sample_errors(frame):
    with pytest.raises(InputError, match="only 200"):
        draw_sample(frame, 500, "srs", seed=1)
    with pytest.raises(InputError, match="method"):
        draw_sample(frame, 5, "snowball", seed=1)
    with pytest.raises(InputError, match="strata"):
        draw_sample(frame, 5, "stratified", seed=1)
    with pytest.raises(InputError):
        draw_sample(frame.iloc[0:0], 5, "srs", seed=1)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 200), seed=st.integers(0, 10_000))
def test_srs_and_systematic_always_give_n_distinct_rows(n, seed):
    frame = pd.DataFrame({"x": np.arange(200)})
    for method in ("srs", "systematic"):
        s, _ = draw_sample(frame, n, method, seed=seed)
        assert len(s) == n and s.index.is_unique


def test_area_intervals_are_wilson_intervals():
    from phcpm.sampling import area_intervals, classify_areas

    answers = pd.DataFrame({"area": ["A"] * 19 + ["B"] * 19, "anc4": [1] * 13 + [0] * 6 + [1] * 19})
    out = area_intervals(classify_areas(answers, "area", "anc4", 0.8)).set_index("area")
    # Wilson 95 % for 13 of 19, by hand (Newcombe 1998, method 3; z = 1.959964):
    # centre (13/19 + z²/38) / (1 + z²/19) = 0.65323, half-width 0.19313.
    assert out.loc["A", "ci_lower"] == pytest.approx(0.4601, abs=5e-4)
    assert out.loc["A", "ci_upper"] == pytest.approx(0.8464, abs=5e-4)
    # 19 of 19: the upper end is 1 and the lower one n / (n + z²) = 0.8318.
    assert out.loc["B", "ci_upper"] == pytest.approx(1.0)
    assert out.loc["B", "ci_lower"] == pytest.approx(0.8318, abs=5e-4)


def test_area_populations_are_read_from_typed_lines():
    from phcpm.sampling import area_populations

    text = "North: 12,400\nSouth\t8 000\n\nEast:\n"
    assert area_populations(text) == {"North": 12400.0, "South": 8000.0}
    assert area_populations("North:\nSouth:") is None
    assert area_populations("") is None
    with pytest.raises(InputError, match="not a number"):
        area_populations("North: many")
    with pytest.raises(InputError, match="above 0"):
        area_populations("North: 0")
    with pytest.raises(InputError, match="not one of the areas"):
        area_populations("Nort: 100", areas=["North", "South"])


# --------------------------------------------------------------------------- steps of the tool


def test_parse_population_reads_separators_and_rejects_words():
    from phcpm.sampling import parse_population

    assert parse_population("12,400") == 12400.0
    assert parse_population("2 500") == 2500.0
    assert parse_population("") is None
    assert parse_population(None) is None
    with pytest.raises(InputError, match="'many' is not a number") as err:
        parse_population("many", where="the box 'Population size'")
    assert "Population size" in str(err.value)


def test_describe_rule_matches_the_rule_and_its_risks():
    from phcpm.sampling import describe_rule

    rule = describe_rule(19, 0.8, 0.5)
    assert rule.d == lqas_decision_rule(19, 0.8, 0.5) == 13
    assert (rule.alpha, rule.beta) == lqas_risks(19, 13, 0.8, 0.5)
    assert describe_rule(19, 0.8).lower == pytest.approx(0.5)  # target − 30 points
    with pytest.raises(InputError, match="lower threshold"):
        describe_rule(19, 0.5, 0.6)


def test_area_weights_prefers_a_column_then_typed_lines(survey):
    from phcpm.sampling import area_weights

    assert area_weights(survey, "supervision_area", "pop") == "pop"
    got = area_weights(survey, "supervision_area", "", "North: 1,000\nSouth: 3000")
    assert got == {"North": 1000.0, "South": 3000.0}
    assert area_weights(survey, "supervision_area", "", "North: \nSouth:") is None
    with pytest.raises(InputError, match="not one of the areas"):
        area_weights(survey, "supervision_area", "", "Nowhere: 10")


def test_area_weights_keeps_the_survey_s_own_area_values():
    from phcpm.sampling import area_weights

    survey = pd.DataFrame({"area": [1, 1, 2], "anc4": [1, 0, 1]})
    assert area_weights(survey, "area", typed="1: 50\n2: 150") == {1: 50.0, 2: 150.0}


def test_guess_survey_columns():
    from phcpm.sampling import guess_survey_columns

    df = pd.DataFrame(
        {
            "id": [1],
            "Supervision_Area": ["A"],
            "anc4": [1],
            "penta3": [0],
            "population": [900],
            "popular": ["x"],  # text: not a population
        }
    )
    got = guess_survey_columns(df, ["anc4", "penta3", "mcv1"])
    assert got.area == "Supervision_Area"
    assert got.answers == ["anc4", "penta3"]
    assert got.populations == ["population"]
    other = guess_survey_columns(pd.DataFrame({"x": [1], "q1": [1]}))
    assert other.area == "x" and other.answers == ["q1"] and other.populations == []


def test_classify_survey_is_the_steps_one_by_one(survey):
    from phcpm.sampling import area_intervals, classification_counts, classify_survey

    weights = {"North": 1000, "South": 3000}
    cols = ["anc4", "penta3"]
    got = classify_survey(survey, "supervision_area", cols, 0.8, weights)
    expected = area_intervals(classify_areas(survey, "supervision_area", cols, target=0.8))
    pd.testing.assert_frame_equal(got.areas, expected)
    pd.testing.assert_frame_equal(
        got.district, district_coverage(survey, "supervision_area", cols, weights=weights)
    )
    counts = classification_counts(expected)
    assert got.summary["below"].tolist() == counts["below"].tolist()
    assert got.summary["areas"].tolist() == [2, 2]
    assert classify_survey(survey, "supervision_area", cols, 0.8).district is None


def test_area_grid_words_each_area(survey):
    from phcpm.sampling import area_grid, area_intervals

    areas = area_intervals(classify_areas(survey, "supervision_area", ["anc4"], target=0.8))
    grid = area_grid(areas, "supervision_area", ["anc4"]).set_index("supervision_area")
    south = areas.set_index("supervision_area").loc["South"]
    assert grid.loc["South", "anc4"].startswith("■ below: ")
    assert f"{100 * south['coverage']:.0f} %" in grid.loc["South", "anc4"]
    assert f"({100 * south['ci_lower']:.0f}–" in grid.loc["South", "anc4"]
    with pytest.raises(InputError, match="Classify the areas first"):
        area_grid(areas.drop(columns="ci_lower"), "supervision_area", ["anc4"])


def test_method_arguments_and_cluster_guess():
    from phcpm.sampling import guess_cluster_column, method_arguments

    assert method_arguments("stratified", "sex") == {"strata": "sex"}
    assert method_arguments("pps", "catchment") == {"size": "catchment"}
    assert method_arguments("cluster", "org_unit_id", 4) == {
        "cluster": "org_unit_id",
        "per_cluster": 4,
    }
    assert method_arguments("systematic", "sex") == {}
    with pytest.raises(InputError, match="Unknown sampling method"):
        method_arguments("snowball")
    with pytest.raises(InputError, match="strata column is not chosen"):
        method_arguments("stratified", None)
    assert guess_cluster_column(["id", "org_unit_id"]) == "org_unit_id"
    assert guess_cluster_column(["id", "sex"]) is None
