"""Tests of phcpm.indicators (the functions of phcpm.selection) with hand-worked numbers.

Scoring follows the weighted-sum (simple additive weighting) model of the UK
Department for Communities and Local Government, *Multi-criteria analysis: a
manual* (2009, ch. 6): weighted mean of 1-5 ratings, rescaled to 0-100. The burden
arithmetic is distinct elements x facilities x reports per year x minutes per value.
All expected values below are worked out by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phcpm import indicators as ind
from phcpm.catalogue import catalogue, criteria
from phcpm.errors import InputError


@pytest.fixture(scope="module")
def cat() -> pd.DataFrame:
    return catalogue()


def wide(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("indicator_id").reset_index()


# --------------------------------------------------------------------------- score
RATINGS = wide(
    {
        "A": {"data_available": 5, "sensitive": 1},
        "B": {"data_available": 2, "sensitive": 5},
        "C": {"data_available": 1, "sensitive": 1},
    }
)


def test_score_hand_worked():
    # Weights 3 and 1 normalise to 0.75 and 0.25.
    # A: 0.75*5 + 0.25*1 = 4.00 -> (4.00-1)/4*100 = 75.0
    # B: 0.75*2 + 0.25*5 = 2.75 -> (2.75-1)/4*100 = 43.75
    # C: 1.00               -> 0.0
    out = ind.score(["C", "B", "A"], RATINGS, {"data_available": 3, "sensitive": 1})
    assert out["indicator_id"].tolist() == ["A", "B", "C"]
    assert out["score"].tolist() == pytest.approx([75.0, 43.75, 0.0])
    assert out["rank"].tolist() == [1, 2, 3]


def test_score_long_and_wide_agree():
    long = RATINGS.melt(id_vars="indicator_id", var_name="criterion", value_name="rating")
    weights = {"data_available": 1, "sensitive": 2}
    a = ind.score(["A", "B", "C"], RATINGS, weights)
    b = ind.score(["A", "B", "C"], long, weights)
    pd.testing.assert_frame_equal(a, b)


def test_score_zero_weight_criterion_is_ignored():
    # Only 'sensitive' counts: A 1 -> 0, B 5 -> 100, C 1 -> 0; A before C by code.
    out = ind.score(["A", "B", "C"], RATINGS, {"data_available": 0, "sensitive": 1})
    assert out["indicator_id"].tolist() == ["B", "A", "C"]
    assert out["score"].tolist() == pytest.approx([100.0, 0.0, 0.0])
    assert "data_available" not in out.columns


def test_score_ties_are_ranked_by_code():
    ratings = wide({k: {"easy": 3} for k in ["ZETA", "ALPHA", "MID"]})
    out = ind.score(["ZETA", "MID", "ALPHA"], ratings, {"easy": 1})
    assert out["indicator_id"].tolist() == ["ALPHA", "MID", "ZETA"]
    assert out["rank"].tolist() == [1, 2, 3]
    assert out["score"].tolist() == pytest.approx([50.0] * 3)


def test_score_keeps_names_and_does_not_change_inputs(cat):
    cands = cat.head(5)
    ratings = ind.default_ratings(cands)
    before_c, before_r = cands.copy(), ratings.copy()
    out = ind.score(cands, ratings, {"data_available": 1})
    assert "name" in out.columns
    pd.testing.assert_frame_equal(cands, before_c)
    pd.testing.assert_frame_equal(ratings, before_r)


@pytest.mark.parametrize(
    ("ratings", "weights", "message"),
    [
        (wide({"A": {"colour": 3}}), {"colour": 1}, "Unknown criteria in the ratings"),
        (wide({"A": {"easy": 3}}), {"tasty": 1}, "Unknown criteria in the weights"),
        (wide({"A": {"easy": 0}}), {"easy": 1}, "ratings must be numbers from 1 to 5"),
        (wide({"A": {"easy": 6}}), {"easy": 1}, "ratings must be numbers from 1 to 5"),
        (wide({"A": {"easy": "high"}}), {"easy": 1}, "ratings must be numbers from 1 to 5"),
        (wide({"A": {"easy": 3}}), {"easy": 0}, "All the weights are zero"),
        (wide({"A": {"easy": 3}}), {"easy": -1}, "zero or more"),
        (wide({"A": {"easy": 3}}), {"easy": 1, "robust": 1}, "have a weight but no ratings"),
        (wide({"B": {"easy": 3}}), {"easy": 1}, "have no ratings: A"),
    ],
)
def test_score_validation(ratings, weights, message):
    with pytest.raises(InputError, match=message):
        ind.score(["A"], ratings, weights)


def test_score_duplicate_long_ratings_rejected():
    long = pd.DataFrame(
        {"indicator_id": ["A", "A"], "criterion": ["easy", "easy"], "rating": [2, 3]}
    )
    with pytest.raises(InputError, match="more than one rating"):
        ind.score(["A"], long, {"easy": 1})


CRITERIA = criteria()["criterion"].tolist()


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.lists(st.integers(1, 5), min_size=3, max_size=3), min_size=1, max_size=8),
    weights=st.lists(st.floats(0, 10), min_size=3, max_size=3).filter(lambda w: sum(w) > 0.01),
    factor=st.floats(0.1, 100),
)
def test_score_properties(data, weights, factor):
    crits = CRITERIA[:3]
    ids = [f"I{i:02d}" for i in range(len(data))]
    ratings = pd.DataFrame(data, columns=crits).assign(indicator_id=ids)
    w = dict(zip(crits, weights, strict=True))
    out = ind.score(ids, ratings, w)
    assert out["score"].between(-1e-9, 100 + 1e-9).all()
    assert sorted(out["rank"]) == list(range(1, len(ids) + 1))
    assert out["score"].is_monotonic_decreasing
    scaled = ind.score(ids, ratings, {k: v * factor for k, v in w.items()})
    assert scaled["indicator_id"].tolist() == out["indicator_id"].tolist()
    assert scaled["score"].tolist() == pytest.approx(out["score"].tolist())


def test_equal_ratings_score_exactly_equal_and_ties_go_by_id():
    """Found by the property test above: with a matrix product the two rows of
    equal ratings scored 25.124571140517194 and 25.124571140517183, so the
    tie was broken by rounding, not by the indicator ID, and all-1 ratings
    scored just below 0."""
    crits = CRITERIA[:3]
    data = [[1, 1, 1], [1, 1, 1], [1, 1, 1], [3, 1, 1], [3, 1, 1]]
    ids = [f"I{i:02d}" for i in range(len(data))]
    ratings = pd.DataFrame(data, columns=crits).assign(indicator_id=ids)
    weights = dict(zip(crits, [1.2625194967713793, 0.0, 1.25], strict=True))
    for factor in (1.0, 13.0):
        out = ind.score(ids, ratings, {k: v * factor for k, v in weights.items()})
        assert out["indicator_id"].tolist() == ["I03", "I04", "I00", "I01", "I02"]
        assert out["score"].iloc[0] == out["score"].iloc[1]
        assert (out["score"] >= 0).all()


# --------------------------------------------------------------------------- default ratings
def test_default_ratings_shape_and_range(cat):
    r = ind.default_ratings(cat)
    assert list(r.columns) == ["indicator_id"] + CRITERIA
    assert r["indicator_id"].tolist() == cat["indicator_id"].tolist()
    values = r[CRITERIA]
    assert ((values >= 1) & (values <= 5)).all().all()
    assert set(ind.DEFAULT_RATING_RULES) >= {"data_available", "sensitive", "actionable"}


def test_default_ratings_follow_the_rules(cat):
    r = ind.default_ratings(cat).set_index("indicator_id")
    # HMIS, monthly, facility level.
    assert r.loc["ANC4_COV", ["data_available", "sensitive", "actionable"]].tolist() == [5, 5, 5]
    # Household survey every 3-5 years at national level.
    assert r.loc["FP_DEMAND_SAT", ["data_available", "low_burden", "sensitive"]].tolist() == [
        1,
        1,
        1,
    ]
    assert r.loc["FP_DEMAND_SAT", "actionable"] == 2
    # National impact indicator: 2 - 1 = 1.
    assert r.loc["U5MR", "actionable"] == 1
    # Equity indicator: 5; ANC4 splits by age group only: 1 + 1 = 2.
    assert r.loc["CCI_WEALTH_GAP", "equity"] == 5
    assert r.loc["ANC4_COV", "equity"] == 2
    # Judgement criteria start neutral.
    assert (r["accepted"] == 3).all()


def test_default_ratings_feed_score(cat):
    r = ind.default_ratings(cat)
    out = ind.score(cat, r, {"data_available": 1, "sensitive": 1})
    # HMIS monthly indicators get 5 and 5 -> 100; household surveys 1 and 1 -> 0.
    by_id = out.set_index("indicator_id")["score"]
    assert by_id["ANC4_COV"] == pytest.approx(100.0)
    assert by_id["FP_DEMAND_SAT"] == pytest.approx(0.0)


# --------------------------------------------------------------------------- shortlist
@pytest.fixture
def scored() -> pd.DataFrame:
    ratings = wide({k: {"easy": v} for k, v in zip("ABCDE", [5, 4, 3, 2, 1], strict=True)})
    return ind.score(list("ABCDE"), ratings, {"easy": 1})


def test_shortlist_top_k(scored):
    assert ind.shortlist(scored, 2)["indicator_id"].tolist() == ["A", "B"]


def test_shortlist_must_include_and_exclude(scored):
    out = ind.shortlist(scored, 3, must_include=["E"], exclude=["A"])
    assert out["indicator_id"].tolist() == ["B", "C", "E"]
    assert out["reason"].tolist() == ["top score", "top score", "must include"]


def test_shortlist_longer_than_available(scored):
    assert len(ind.shortlist(scored, 10, exclude=["A"])) == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 1, "must_include": ["A", "B"]}, "only 1 places"),
        ({"k": 2, "must_include": ["A"], "exclude": ["A"]}, "both required and excluded"),
        ({"k": 2, "must_include": ["Z"]}, "were not scored: Z"),
        ({"k": 0}, "whole number of 1 or more"),
    ],
)
def test_shortlist_validation(scored, kwargs, message):
    with pytest.raises(InputError, match=message):
        ind.shortlist(scored, **kwargs)


# --------------------------------------------------------------------------- balance
COVERAGE_ONLY = ["ANC1_COV", "ANC4_COV", "PENTA3_COV", "BCG_COV", "FAC_DELIV_COV"]
BALANCED = [
    "ANC4_COV",  # outcome, coverage
    "MAL_TEST_RATE",  # output, quality
    "OPD_PER_CAPITA",  # output, access, split by sex
    "SUPERVISION_DONE",  # process
    "HW_DENSITY",  # input
    "TB_TSR",  # outcome, quality
    "CCI_WEALTH_GAP",  # equity
]


def test_balance_warnings_fire_for_a_coverage_only_set(cat):
    result = ind.balance(COVERAGE_ONLY, cat)
    text = " ".join(result.warnings)
    assert "No quality indicator" in text
    assert "No process indicator" in text
    assert "More than 60% of the indicators (5 of 5) are outcome indicators" in text
    assert "No equity disaggregation" in text
    assert "No indicator measured monthly" not in text
    assert not result.balanced


def test_balance_monthly_warning_for_survey_set(cat):
    result = ind.balance(["FP_DEMAND_SAT", "MMR", "U5MR"], cat)
    assert any(w.startswith("No indicator measured monthly") for w in result.warnings)


def test_balance_no_warnings_for_a_balanced_set(cat):
    result = ind.balance(BALANCED, cat)
    assert result.warnings == ()
    assert result.balanced
    chain = result.by_results_chain.set_index("category")["count"]
    # input 1 (HW_DENSITY), process 1, output 2, outcome 3 (ANC4, TB_TSR, CCI gap), impact 0
    assert chain.to_dict() == {"input": 1, "process": 1, "output": 2, "outcome": 3, "impact": 0}
    assert result.by_results_chain["share"].sum() == pytest.approx(1.0)
    assert result.by_domain.set_index("category").loc["equity", "count"] == 1


def test_balance_thresholds_are_parameters(cat):
    # Outcomes are 3 of 7 = 43 %: above a 30 % limit, below the default 60 %.
    result = ind.balance(BALANCED, cat, max_share_one_level=0.3)
    assert any("(3 of 7) are outcome" in w for w in result.warnings)
    # Monthly: ANC4_COV, MAL_TEST_RATE, OPD_PER_CAPITA = 3, fewer than 4 asked for.
    strict = ind.balance(BALANCED, cat, min_monthly=4)
    assert any("Only 3 indicator(s) measured monthly" in w for w in strict.warnings)
    assert ind.balance(BALANCED, cat, min_monthly=3).warnings == ()


def test_balance_validation(cat):
    with pytest.raises(InputError, match="not in the catalogue: NOPE"):
        ind.balance(["ANC4_COV", "NOPE"], cat)
    with pytest.raises(InputError, match="No indicator was selected"):
        ind.balance([], cat)


# --------------------------------------------------------------------------- burden
def test_burden_worked_example(cat):
    # ANC1, ANC4 and OPD_TOTAL: 3 monthly elements x 150 facilities x 12 reports x 1 min
    # = 5,400 minutes a year = 5,400 / 12 / 60 = 7.5 staff hours a month.
    # The population denominators are listed but not counted.
    table = ind.burden(["ANC1_COV", "ANC4_COV", "OPD_PER_CAPITA"], cat, facilities=150)
    totals = ind.burden_totals(table)
    assert totals["routine_elements"] == 3
    assert totals["values_per_year"] == 5400
    assert totals["minutes_per_year"] == pytest.approx(5400.0)
    assert totals["hours_per_month"] == pytest.approx(7.5)
    pop = table[table["data_element"].str.startswith("POP_")]
    assert set(pop["data_element"]) == {"POP_PREGNANCIES", "POP_TOTAL"}
    assert not pop["routine"].any()


def test_burden_shared_elements_counted_once(cat):
    # ANC1 is used by all three indicators: distinct elements are ANC1, ANC1_BEFORE_12W,
    # ANC_HIV_TESTED, ANC_HIV_KNOWN_POS = 4 (not 5).
    # 4 x 100 facilities x 12 x 2 min = 9,600 min/yr = 9,600 / 720 = 13.33 h/month.
    table = ind.burden(
        ["ANC1_COV", "ANC1_12W", "ANC_HIV_TEST"], cat, facilities=100, minutes_per_value=2
    )
    totals = ind.burden_totals(table)
    assert totals["routine_elements"] == 4
    assert totals["minutes_per_year"] == pytest.approx(9600.0)
    assert totals["hours_per_month"] == pytest.approx(9600 / 720)
    anc1 = table.set_index("data_element").loc["ANC1", "indicators"]
    assert anc1 == "ANC1_COV, ANC1_12W, ANC_HIV_TEST"


def test_burden_element_counted_at_its_most_frequent_schedule(cat):
    # ANC1 is monthly in ANC1_COV and annual in DENOM_CONSISTENCY -> 12 reports;
    # PENTA1 only annual -> 1. 10 facilities x 1 min: 120 + 10 = 130 min/yr.
    table = ind.burden(["DENOM_CONSISTENCY", "ANC1_COV"], cat, facilities=10)
    by_el = table.set_index("data_element")
    assert by_el.loc["ANC1", "reports_per_year"] == 12
    assert by_el.loc["PENTA1", "reports_per_year"] == 1
    assert ind.burden_totals(table)["minutes_per_year"] == pytest.approx(130.0)


def test_burden_quarterly(cat):
    # TB_TSR: 3 quarterly elements x 50 facilities x 4 x 1.5 min = 900 min/yr = 1.25 h/month.
    totals = ind.burden_totals(ind.burden(["TB_TSR"], cat, 50, minutes_per_value=1.5))
    assert totals["hours_per_month"] == pytest.approx(1.25)


def test_burden_reports_per_year_override(cat):
    # TB_TSR forced to monthly: 3 x 50 x 12 x 1 = 1,800 min/yr.
    t = ind.burden_totals(ind.burden(["TB_TSR"], cat, 50, reports_per_year=12))
    assert t["minutes_per_year"] == pytest.approx(1800.0)
    t = ind.burden_totals(ind.burden(["TB_TSR"], cat, 50, reports_per_year={"quarterly": 2}))
    assert t["minutes_per_year"] == pytest.approx(300.0)


def test_burden_surveys_reported_separately(cat):
    table = ind.burden(["FP_DEMAND_SAT", "ANC4_COV"], cat, facilities=150)
    totals = ind.burden_totals(table)
    assert totals["routine_elements"] == 1  # ANC4
    assert totals["other_elements"] == 3  # two survey elements and POP_PREGNANCIES
    assert totals["hours_per_month"] == pytest.approx(150 * 12 / 720)
    survey = table[table["data_source"] == "household survey"]
    assert survey["hours_per_month"].isna().all()
    # routine rows come first
    assert table["routine"].tolist() == [True, False, False, False]


def test_burden_does_not_change_the_catalogue(cat):
    before = cat.copy()
    ind.burden(cat["indicator_id"], cat, 10)
    pd.testing.assert_frame_equal(cat, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"facilities": 0}, "1 or more"),
        ({"facilities": 2.5}, "whole number"),
        ({"facilities": 10, "minutes_per_value": -1}, "zero or more"),
        ({"facilities": 10, "reports_per_year": -4}, "zero or more"),
    ],
)
def test_burden_validation(cat, kwargs, message):
    with pytest.raises(InputError, match=message):
        ind.burden(["ANC4_COV"], cat, **kwargs)


def test_compare_burden(cat):
    # Current: ANC1, ANC4, OPD_TOTAL, MAL_TESTED, MAL_SUSPECTED = 5 elements
    #   5 x 150 x 12 x 1 = 9,000 min/yr = 12.5 h/month.
    # Shortlist: ANC4, MAL_TESTED, MAL_SUSPECTED = 3 elements -> 5,400 min = 7.5 h/month.
    current = ["ANC1_COV", "ANC4_COV", "OPD_PER_CAPITA", "MAL_TEST_RATE"]
    out = ind.compare_burden(current, ["ANC4_COV", "MAL_TEST_RATE"], cat, facilities=150)
    assert out.loc["current", "routine_elements"] == 5
    assert out.loc["shortlist", "routine_elements"] == 3
    assert out.loc["current", "hours_per_month"] == pytest.approx(12.5)
    assert out.loc["shortlist", "hours_per_month"] == pytest.approx(7.5)
    assert out.loc["change", "hours_per_month"] == pytest.approx(-5.0)
    assert out.loc["change", "indicators"] == -2


# --------------------------------------------------------------------------- reference sheets
def test_reference_sheet_contents(cat):
    row = cat.set_index("indicator_id").loc["PENTA3_COV"].rename("PENTA3_COV")
    row = pd.concat([pd.Series({"indicator_id": "PENTA3_COV"}), row])
    text = ind.reference_sheet(row)
    assert text.startswith("### Pentavalent 3 (DTP3) coverage (`PENTA3_COV`)")
    for label in (
        "Definition", "Numerator", "Denominator", "Data elements", "Data source",
        "Frequency", "Level of use", "Disaggregation", "Target", "Interpretation", "Reference",
    ):  # fmt: skip
        assert f"- **{label}:**" in text
    assert "PENTA3, POP_SURVIVING_INFANTS" in text
    assert "at least 90 % (WHO, Immunization Agenda 2030, 2020)" in text
    assert "Higher is better." in text
    assert "population estimate" in text


def test_reference_sheet_lower_is_better_and_no_target(cat):
    rows = cat.set_index("indicator_id")
    mmr = ind.reference_sheet(rows.loc["MMR"].to_dict() | {"indicator_id": "MMR"})
    assert "at most 70 per 100,000 live births" in mmr
    assert "Lower is better." in mmr
    stunting = ind.reference_sheet(rows.loc["STUNTING"].to_dict() | {"indicator_id": "STUNTING"})
    assert "No common international target" in stunting


def test_reference_sheet_validation(cat):
    row = cat.iloc[0].to_dict() | {"name": ""}
    with pytest.raises(InputError, match="no name"):
        ind.reference_sheet(row)
    with pytest.raises(InputError, match="one indicator"):
        ind.reference_sheet(cat.head(2))


def test_reference_sheets_frame(cat):
    frame = ind.reference_sheets_frame(["MMR", "ANC4_COV"], cat)
    assert frame["Code"].tolist() == ["MMR", "ANC4_COV"]
    assert list(frame.columns[:3]) == ["Code", "Name", "Definition"]
    assert frame.notna().all().all()
    assert frame.loc[1, "Data elements"] == "ANC4, POP_PREGNANCIES"
    with pytest.raises(InputError):
        ind.reference_sheets_frame(["XX"], cat)
