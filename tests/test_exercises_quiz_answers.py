"""The numeric answers of the quizzes agree with the calculations the lessons show.

A quiz file holds its answers as typed numbers, so that the browser can check them
offline. Each numeric question of the modules on indicators, sampling, data quality
and scorecards, and of the capstone, is recomputed here with the ``phcpm`` function the lesson uses; a
change in the data or a formula that moves a number makes this test fail until
the quiz is corrected.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from phcpm import analysis, quality, sampling, spc
from phcpm import indicators as ind
from phcpm import io as pio
from phcpm import scorecard as sc
from phcpm.answer_key import compare_with_key, load_key
from phcpm.catalogue import catalogue
from phcpm.exercises import load_quiz
from phcpm.funnel import funnel
from phcpm.intervals import wilson_limits
from phcpm.paths import dataset_path
from phcpm.uncertainty import judge_card

BOOK = Path(__file__).resolve().parent.parent / "book"


@cache
def _worked():
    cat = catalogue()
    example = ind.worked_example(cat)
    ratings = ind.apply_adjustments(ind.default_ratings(cat), example["adjustments"])
    scored = ind.score(cat, ratings, example["weights"])
    final = ind.shortlist(
        scored, example["k"], must_include=example["must_include"], exclude=example["exclude"]
    )
    return cat, example, final


def _hours_saved():
    cat, example, final = _worked()
    compare = ind.compare_burden(
        example["current"],
        final,
        cat,
        facilities=example["facilities"],
        minutes_per_value=example["minutes_per_value"],
    )
    return round(-compare.loc["change", "hours_per_month"], 1)


def _pair_burden():
    cat, example, _ = _worked()
    pair = ind.burden(
        ["PENTA3_COV", "PENTA_DROPOUT"],
        cat,
        facilities=example["facilities"],
        minutes_per_value=example["minutes_per_value"],
    )
    return round(ind.burden_totals(pair)["hours_per_month"], 1)


def _outputs_and_outcomes():
    cat, example, _ = _worked()
    chain = ind.balance(example["current"], cat).by_results_chain.set_index("category")["count"]
    return int(chain[["output", "outcome"]].sum())


@cache
def _year_2025():
    org = pd.read_csv(dataset_path("org_units.csv"))
    service = pd.read_csv(dataset_path("service_data.csv")).rename(
        columns={"org_unit_id": "org_unit"}
    )
    district = analysis.aggregate_up(service[service["period"].str.startswith("2025")], org, 3)
    return (
        district.assign(period="2025")
        .groupby(["org_unit", "period", "data_element"], as_index=False)["value"]
        .sum()
    )


def _districts_above_dropout():
    """Districts whose whole 95 % Wilson range of dropout is above 10 % (lesson 1.4)."""
    dropout = analysis.dropout_rate(_year_2025(), high=10.0)
    low, _ = wilson_limits(dropout["first"] - dropout["last"], dropout["first"])
    return int((low * 100 > 10).sum())


def _lowest_testing():
    tested = analysis.indicator(_year_2025(), "MAL_TESTED", "MAL_SUSPECTED")
    return round(float(tested["value"].min()), 1)


def _lqas_survey():
    return pd.read_csv(dataset_path("lqas_survey.csv"))


def _penta_below():
    result = sampling.classify_areas(_lqas_survey(), "supervision_area", "penta3", target=0.8)
    return int((result["classification"] == "below target").sum())


def _register():
    register = pd.read_csv(dataset_path("patient_register.csv"))
    units = pd.read_csv(dataset_path("org_units.csv"))
    return register.assign(
        facility=register["org_unit_id"].map(units.set_index("org_unit_id")["name"])
    )


def _kerama():
    _, record = sampling.draw_sample(
        _register(), n=80, method="stratified", strata="facility", seed=2024
    )
    return record["allocation"]["Kerama Health Centre"]


def _interval():
    register = _register()
    one = register[register["facility"] == "Pezali Lake Health Centre"]
    _, record = sampling.draw_sample(one, n=12, method="systematic", seed=7)
    return record["interval"]


def _ruvo_villages():
    units = pd.read_csv(dataset_path("org_units.csv"))
    population = pd.read_csv(dataset_path("population.csv"))
    ruvo = units.loc[
        (units["level_name"] == "District") & (units["district"] == "Ruvo"), "org_unit_id"
    ].item()
    infants = population.loc[
        (population["org_unit_id"] == ruvo) & (population["year"] == 2024), "surviving_infants"
    ].item()
    n = sampling.sample_size_proportion(
        0.8, 0.05, deff=sampling.design_effect(10, 1 / 3), population=infants
    )
    return -(-n // 10)


@cache
def _ruvo_card():
    card, district, units, q4, _ = _ruvo()
    return card, district, units, q4


@cache
def _ruvo():
    units = pd.read_csv(dataset_path("org_units.csv"))
    names = dict(zip(units["org_unit_id"], units["name"], strict=True))
    inputs = [
        pd.read_csv(dataset_path(f))
        for f in ("service_data.csv", "population.csv", "org_units.csv", "reporting.csv")
    ]
    facility = sc.district_indicators(*inputs, freq="Q", level="facility")
    district = sc.district_indicators(*inputs, freq="Q", level="district")
    parent = dict(zip(units["org_unit_id"], units["parent_id"].map(names), strict=True))
    ruvo = facility[facility["org_unit"].map(parent) == "Ruvo District"]
    q4 = pd.Period("2025Q4", "Q")
    na = sc.not_offered(ruvo, units)
    card = sc.scorecard(ruvo, sc.default_definitions(), q4, org_units=units, not_applicable=na)
    return card, district, units, q4, ruvo


def _penta_on_target():
    card, *_ = _ruvo_card()
    return int(sc.summary_by_indicator(card).set_index("indicator").loc["PENTA3_COV", "on_target"])


def _kelumo_on_target():
    card, _, units, _, ruvo = _ruvo()
    code = units.loc[units["name"] == "Kelumo Hill Health Centre", "org_unit_id"].iloc[0]
    judged = judge_card(card, ruvo, sc.default_definitions())
    return sc.feedback_sheet_data(judged, code).on_target


def _ruvo_rank():
    _, district, units, q4 = _ruvo_card()
    names = dict(zip(units["org_unit_id"], units["name"], strict=True))
    pent = district[(district["indicator"] == "PENTA3_COV") & (district["period"] == q4)]
    readable = pent[pent["value"] <= 100]
    ranks = readable["value"].rank(ascending=False, method="min")
    return int(ranks[readable["org_unit"].map(names) == "Ruvo District"].iloc[0])


# --- module 3, data quality, and the capstone -----------------------------------------


@cache
def _quality_inputs():
    units = pd.read_csv(dataset_path("org_units.csv"))
    names = units.set_index("org_unit_id")["name"]
    service = pd.read_csv(dataset_path("service_data.csv"))
    reporting = pd.read_csv(dataset_path("reporting.csv"))
    return units, names, service, reporting


def _mbalazi_penta3():
    units, names, service, _ = _quality_inputs()
    service = service.rename(columns={"org_unit_id": "org_unit"}).drop_duplicates()
    population = pd.read_csv(dataset_path("population.csv"))
    pop_long = population.melt(
        id_vars=["org_unit_id", "year"], var_name="group", value_name="value"
    ).rename(columns={"org_unit_id": "org_unit"})
    districts = analysis.aggregate_up(service, units, 3)
    penta3 = analysis.coverage(districts, pop_long, "PENTA3", "surviving_infants", freq="Y")
    row = penta3[(penta3["org_unit"].map(names) == "Mbalazi District")]
    return round(row[row["period"].astype(str) == "2025"]["value"].item())


def _facilities_below_90():
    *_, reporting = _quality_inputs()
    return len(quality.reporting_completeness(reporting, org_unit="org_unit_id"))


def _kerama_modified_z():
    _, names, service, _ = _quality_inputs()
    service = service.drop_duplicates().assign(org_unit=lambda s: s["org_unit_id"].map(names))
    kerama = service[
        (service["org_unit"] == "Kerama Health Centre") & (service["data_element"] == "PENTA1")
    ]
    scores = quality.outliers_modified_z(kerama, flagged_only=False)
    return round(scores.loc[scores["severity"] == "flagged", "statistic"].item())


def _review_2025_found():
    units, names, service, reporting = _quality_inputs()
    service = service.assign(org_unit=service["org_unit_id"].map(names))
    reporting = reporting.assign(org_unit=reporting["org_unit_id"].map(names))
    key = load_key()
    key["org_unit_id"] = key["org_unit_id"].map(names)
    org_units = units.assign(org_unit_id=units["name"], parent_id=units["parent_id"].map(names))
    result = quality.review(service, reporting, org_units=org_units)
    return compare_with_key(result.flagged(), key).found


@cache
def _ruvo_download():
    units, names, _, reporting = _quality_inputs()
    table = pio.tidy(pio.read_table(dataset_path("dhis2/datavalueset.csv"))).data
    code_of = pd.read_csv(dataset_path("data_elements.csv")).set_index("uid")["data_element"]
    data = table.assign(data_element=table["data_element"].map(code_of))
    ruvo = units[(units["district"] == "Ruvo") & (units["level_name"] == "Facility")]
    reporting = reporting[
        reporting["org_unit_id"].isin(ruvo["org_unit_id"])
        & reporting["period"].str.startswith("2025")
    ]
    return data, reporting, units, names


def _capstone_incomplete():
    data, reporting, units, _ = _ruvo_download()
    review = quality.review(
        data, reporting.rename(columns={"org_unit_id": "org_unit"}), org_units=units
    )
    row = review.summary[review.summary["rule"] == "reporting_completeness"]
    return int(row["flagged"].sum())


def _capstone_funnel_outside():
    data, *_ = _ruvo_download()
    quarter = data[data["period"].astype(str).isin(["2025-10", "2025-11", "2025-12"])]
    anc = quarter[quarter["data_element"].isin(["ANC1", "ANC4"])].pivot_table(
        index="org_unit", columns="data_element", values="value", aggfunc="sum"
    )
    shares = anc.reset_index().rename(columns={"ANC4": "numerator", "ANC1": "denominator"})
    return int(funnel(shares, name=None, kind="proportion").table["look_here"].sum())


def _capstone_crossings():
    data, reporting, units, _ = _ruvo_download()
    service = data.rename(columns={"org_unit": "org_unit_id"}).assign(
        period=data["period"].astype(str)
    )
    population = pd.read_csv(dataset_path("population.csv"))
    monthly = sc.district_indicators(
        service[["org_unit_id", "period", "data_element", "value"]],
        population,
        units,
        reporting,
        freq="M",
        level="district",
    )
    anc4 = monthly[monthly["indicator"] == "ANC4_COV"].sort_values("period")
    run = spc.qic(anc4["numerator"], anc4["denominator"], chart="run", multiply=100)
    return int(run.summary["n_crossings"].iloc[0])


# (lesson quiz file, question id) -> how the lesson computes the answer
COMPUTED = {
    ("indicators/01-measurement-frameworks", "outputs-outcomes"): _outputs_and_outcomes,
    ("indicators/02-good-indicators", "pair-burden"): _pair_burden,
    ("indicators/03-worked-selection", "hours-saved"): _hours_saved,
    ("indicators/04-using-indicators", "above-threshold"): _districts_above_dropout,
    ("indicators/04-using-indicators", "lowest-testing"): _lowest_testing,
    ("sampling/01-why-sample-and-how-many", "deff"): lambda: sampling.design_effect(10, 1 / 3),
    ("sampling/01-why-sample-and-how-many", "ruvo-villages"): _ruvo_villages,
    ("sampling/02-drawing-a-fair-sample", "interval"): _interval,
    ("sampling/02-drawing-a-fair-sample", "kerama"): _kerama,
    ("sampling/03-lqas-for-supervision-areas", "rule-80"): lambda: sampling.lqas_decision_rule(
        19, 0.8
    ),
    ("sampling/03-lqas-for-supervision-areas", "penta-below"): _penta_below,
    ("scorecards/01-choosing-charts", "ruvo-rank"): _ruvo_rank,
    ("scorecards/02-scorecards", "penta-on-target"): _penta_on_target,
    ("scorecards/03-feedback-loop", "kelumo"): _kelumo_on_target,
    ("quality/01-from-dhis2-to-indicators", "mbalazi-coverage"): _mbalazi_penta3,
    ("quality/02-completeness-and-timeliness", "facilities-below-90"): _facilities_below_90,
    ("quality/03-internal-and-external-consistency", "modified-z"): _kerama_modified_z,
    ("quality/04-practice-find-the-problems", "review-found"): _review_2025_found,
    ("capstone/01-quarterly-review", "completeness-facilities"): _capstone_incomplete,
    ("capstone/01-quarterly-review", "funnel-outside"): _capstone_funnel_outside,
    ("capstone/01-quarterly-review", "run-crossings"): _capstone_crossings,
}
# The lessons whose quizzes this file covers (a lesson added later gets its own entries).
LESSONS = sorted({lesson for lesson, _ in COMPUTED} | {"indicators/01-measurement-frameworks"})


def _numeric_questions():
    for lesson in LESSONS:
        for q in load_quiz(BOOK / f"{lesson}.quiz.yml"):
            if q["type"] == "numeric":
                yield lesson, q


@pytest.mark.parametrize(
    ("key", "compute"), list(COMPUTED.items()), ids=["/".join(k) for k in COMPUTED]
)
def test_quiz_answer_matches_the_lesson(key, compute):
    lesson, qid = key
    questions = {q["id"]: q for q in load_quiz(BOOK / f"{lesson}.quiz.yml")}
    assert qid in questions, f"{lesson}: no question {qid}"
    question = questions[qid]
    expected = compute()
    assert abs(question["answer"] - expected) <= max(question["tolerance"], 1e-9), (
        f"{lesson}, {qid}: the quiz says {question['answer']:g}, the lesson computes {expected:g}"
    )


def test_every_numeric_question_of_these_modules_is_recomputed():
    missing = [
        f"{lesson}: {q['id']}"
        for lesson, q in _numeric_questions()
        if (lesson, q["id"]) not in COMPUTED
    ]
    assert not missing, f"numeric quiz answers nobody recomputes: {missing}"
