"""The numbers in the quizzes of modules 5, 6a and 6b match the example data.

A quiz file holds its right answers as typed numbers; the lesson shows the same
numbers computed by ``phcpm`` on the synthetic data. These tests compute each
answer again with the same functions, so a quiz cannot drift from the lesson
(for example after the synthetic data are regenerated).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from phcpm import problems, process, spc, twinning
from phcpm.exercises import load_quiz
from phcpm.paths import dataset_path

BOOK = Path(__file__).resolve().parent.parent / "book"


def answer(quiz: str, qid: str) -> dict:
    questions = {q["id"]: q for q in load_quiz(BOOK / quiz)}
    return questions[qid]


def numeric_ok(quiz: str, qid: str, value: float) -> None:
    q = answer(quiz, qid)
    assert q["type"] == "numeric"
    assert abs(value - q["answer"]) <= q["tolerance"] + 1e-9, (
        f"{quiz} {qid}: the quiz says {q['answer']}, the data give {value}"
    )


def right_choice(quiz: str, qid: str) -> str:
    q = answer(quiz, qid)
    return next(a["text"] for a in q["answers"] if a["correct"])


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return pd.read_csv(dataset_path("org_units.csv"))


@pytest.fixture(scope="module")
def facility(units) -> dict:
    return dict(zip(units["name"], units["org_unit_id"], strict=True))


@pytest.fixture(scope="module")
def service() -> pd.DataFrame:
    return pd.read_csv(dataset_path("service_data.csv"))


# --- module 5: process ----------------------------------------------------------------


def test_triage_wait_and_bottleneck(facility):
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    one = process.step_times(flow[flow["org_unit_id"] == facility["Ndulembe Valley Health Centre"]])
    wait = float(one.summary.set_index("step").loc["triage", "median_wait"])
    numeric_ok("process/01-mapping-the-patient-journey.quiz.yml", "triage-median-wait", wait)
    assert one.bottleneck == "triage"
    assert right_choice("process/01-mapping-the-patient-journey.quiz.yml", "bottleneck") == "Triage"


def test_queue_formula():
    numeric_ok(
        "process/01-mapping-the-patient-journey.quiz.yml",
        "queue-wait",
        process.erlang_c_wait(0.8, 1.0, 1),
    )


def test_absenteeism_and_appraisals(units):
    staff = problems.with_names(pd.read_csv(dataset_path("staff.csv")), units)
    attendance = pd.read_csv(dataset_path("attendance.csv"))
    by_cadre = problems.absenteeism(attendance, staff, by=["cadre"])
    top = by_cadre.loc[by_cadre["absenteeism_rate"].idxmax(), "cadre"]
    quiz = "process/02-problem-analysis.quiz.yml"
    assert right_choice(quiz, "absenteeism-cadre").lower().startswith(top)
    appraisals = problems.appraisal_completion(
        pd.read_csv(dataset_path("appraisals.csv")), staff, by=["district"]
    )
    rate = float(appraisals.set_index("district").loc["Lusako", "completion_rate"])
    numeric_ok(quiz, "appraisals-lusako", 100 * rate)


def test_missed_visits_pareto_of_reasons(units):
    # The lesson's Pareto chart counts the reasons recorded for Lusako's missed planned
    # visits in 2025 (supervision_visits.csv, column missed_reason).
    visits = problems.with_names(pd.read_csv(dataset_path("supervision_visits.csv")), units)
    missed = visits[
        (visits["district"] == "Lusako")
        & visits["date"].str.startswith("2025")
        & (visits["planned"] == 1)
        & (visits["done"] == 0)
    ]
    assert missed["missed_reason"].notna().all()
    causes = problems.pareto(missed, "missed_reason")
    quiz = "process/02-problem-analysis.quiz.yml"
    numeric_ok(quiz, "vital-few", int(causes["vital_few"].sum()))
    q = answer(quiz, "vital-few")
    vital = causes[causes["vital_few"]]
    share = f"{100 * vital['cumulative_share'].iloc[-1]:.1f} %"
    assert (
        f"{int(vital['count'].sum())} of the {len(missed)} missed visits ({share})" in q["feedback"]
    )
    following = f"{100 * causes['cumulative_share'].iloc[len(vital)]:.1f} %"
    assert following in q["too_high"]


# --- module 6a: SPC ---------------------------------------------------------------------


def test_run_chart_limits_for_36_points():
    quiz = "spc/01-run-charts.quiz.yml"
    numeric_ok(quiz, "longest-run", spc.longest_run_max(36))
    numeric_ok(quiz, "crossings", spc.crossings_min(36))


def test_kelumo_hill_trend_only(service, facility):
    kelumo = spc.monthly_series(service, facility["Kelumo Hill Health Centre"], "ANC1")
    rules = spc.ihi_rules(kelumo["y"])
    assert set(rules.index[rules["signal"].fillna(False).astype(bool)]) == {"trend"}
    assert right_choice("spc/01-run-charts.quiz.yml", "kelumo-ihi") == "The trend rule only"


def test_seasonal_series_signals_and_its_yearly_difference_does_not(service, units):
    ids = units.loc[units["district"] == "Ruvo", "org_unit_id"]
    ruvo = (
        service[service["org_unit_id"].isin(ids) & (service["data_element"] == "MAL_SUSPECTED")]
        .drop_duplicates()
        .groupby("period")["value"]
        .sum()
    )
    counts = ruvo.to_numpy()
    assert bool(spc.qic(counts, chart="run").summary["runs_signal"].iloc[0])
    assert not bool(spc.qic(counts[12:] - counts[:-12], chart="run").summary["runs_signal"].iloc[0])


def test_p_chart_centre_and_g_chart_limit(service, units, facility):
    tipindi = spc.monthly_series(
        service, facility["Tipindi Lake Health Centre"], "MAL_TESTED", "MAL_SUSPECTED"
    )
    p = spc.qic(tipindi["y"], tipindi["n"], chart="p", multiply=100)
    quiz = "spc/02-control-charts.quiz.yml"
    numeric_ok(quiz, "tipindi-centre", round(float(p.summary["CL"].iloc[0]), 1))
    ids = units.loc[units["district"] == "Ruvo", "org_unit_id"]
    act = (
        service[service["org_unit_id"].isin(ids) & (service["data_element"] == "STOCKOUT_DAYS_ACT")]
        .drop_duplicates()
        .sort_values(["period", "org_unit_id"])
    )
    g = spc.qic(spc.cases_between(act["value"] > 0), chart="g")
    numeric_ok(quiz, "g-limit", round(float(g.data["ucl"].iloc[0])))


def test_baselines_and_split():
    measure = pd.read_csv(dataset_path("pdsa_measure.csv"), parse_dates=["week_start"])
    cycles = pd.read_csv(dataset_path("pdsa_cycles.csv"), parse_dates=["start"])
    y, n, x = measure["numerator"], measure["denominator"], measure["week_start"]
    quiz = "spc/03-baselines-and-pdsa.quiz.yml"
    frozen20 = spc.qic(y, n, x=x, chart="p", freeze=20, multiply=100)
    numeric_ok(quiz, "baseline-20", round(float(frozen20.data["cl"].iloc[0]), 1))
    adopted = cycles.loc[cycles["decision"] == "adopt", "start"].min()
    split = spc.qic(y, n, x=x, chart="p", part=[int((x < adopted).sum())], multiply=100)
    numeric_ok(quiz, "new-centre", round(float(split.summary["CL"].iloc[1]), 1))
    frozen12 = spc.qic(y, n, x=x, chart="p", freeze=12, multiply=100)
    first = frozen12.data.loc[frozen12.data["sigma_signal"], "x"].min()
    assert f"{first:%-d %B %Y}" in right_choice(quiz, "first-above")


# --- module 6b: improvement -------------------------------------------------------------


def test_cycle_one_pooled_share_and_adopted_cycles():
    measure = pd.read_csv(dataset_path("pdsa_measure.csv"), parse_dates=["week_start"])
    cycles = pd.read_csv(dataset_path("pdsa_cycles.csv"), parse_dates=["start", "end"])
    first = cycles.iloc[0]
    weeks = measure[
        (measure["week_start"] >= first["start"]) & (measure["week_start"] <= first["end"])
    ]
    share = 100 * weeks["numerator"].sum() / weeks["denominator"].sum()
    quiz = "improvement/01-model-for-improvement.quiz.yml"
    numeric_ok(quiz, "cycle1-pooled", round(float(share), 1))
    numeric_ok(quiz, "adopted", int((cycles["decision"] == "adopt").sum()))


def test_ramp_cycles_that_fell_short():
    ramp = pd.read_csv(dataset_path("pdsa_ramp.csv"))
    needed = ramp["result"].str.extract(r"at least (\d+) needed")[0].astype(int)
    short = int((ramp["tested"] < needed).sum())
    assert short == int((ramp["decision"] == "adapt").sum())
    numeric_ok("improvement/01-model-for-improvement.quiz.yml", "ramp-adapted", short)


def test_lusako_visits_done_in_2024(units):
    visits = pd.read_csv(dataset_path("supervision_visits.csv")).merge(
        units[["org_unit_id", "district"]], on="org_unit_id"
    )
    planned = visits[(visits["planned"] == 1) & (visits["district"] == "Lusako")]
    share = 100 * planned.loc[planned["date"].str.startswith("2024"), "done"].mean()
    numeric_ok("improvement/02-action-research-cycle.quiz.yml", "lusako-2024", float(share))


def test_twinning_pairs():
    scores = pd.read_csv(dataset_path("district_scores.csv"))
    latest = scores[scores["year"] == scores["year"].max()]
    pairs = twinning.propose_pairs(latest, max_partners=2, min_gap=15)
    quiz = "improvement/03-twinning.quiz.yml"
    numeric_ok(quiz, "reciprocal", int(pairs["reciprocal"].sum()))
    one_each = twinning.propose_pairs(latest, max_partners=1, min_gap=15)
    numeric_ok(quiz, "unpaired", len(twinning.unpaired(one_each, latest)))
    kavira = pairs[(pairs["district_a"] == "Lusako") & (pairs["district_b"] == "Kavira")]
    assert len(kavira) == 1 and kavira["b_supports_a_in"].iloc[0] == "supervision"


def test_a_wrong_quiz_number_is_caught(tmp_path, monkeypatch):
    # The check itself can fail: a quiz whose answer is off by more than its tolerance.
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "x.quiz.yml").write_text(
        "questions:\n  - id: q\n    type: numeric\n    question: How many?\n    answer: 5\n"
        "    tolerance: 0\n    feedback: Right.\n    too_low: Low.\n    too_high: High.\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "BOOK", tmp_path)
    with pytest.raises(AssertionError):
        numeric_ok("m/x.quiz.yml", "q", 6)
    numeric_ok("m/x.quiz.yml", "q", 5)
