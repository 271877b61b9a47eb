"""The synthetic district data: reproducible, realistic, and with every planted problem findable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from phcpm.errors import InputError
from phcpm.paths import DATASETS
from phcpm.synth import DEFAULT_SEED, generate
from phcpm.synth.geography import LOW_DENOMINATOR_DISTRICT

ROOT = Path(__file__).resolve().parent.parent
# DHIS2 identifiers: 11 characters, a letter first, then letters or digits
# (DHIS2 Developer Manual, "Identifier schemes": CodeGenerator.isValidUid).
UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")


def read(name: str, **kw) -> pd.DataFrame:
    return pd.read_csv(DATASETS / name, keep_default_na=False, na_values=[""], **kw)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(out, seed=DEFAULT_SEED)
    return out


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return read("org_units.csv")


@pytest.fixture(scope="module")
def sd(units) -> pd.DataFrame:
    df = read("service_data.csv")
    df["district"] = df["org_unit_id"].map(units.set_index("org_unit_id")["district"])
    return df


@pytest.fixture(scope="module")
def key() -> pd.DataFrame:
    return read("answer_key.csv", dtype={"period": str})


@pytest.fixture(scope="module")
def reports() -> pd.DataFrame:
    return read("reporting.csv")


# --- reproducibility and size -------------------------------------------------


def committed_files() -> list[Path]:
    return sorted(p for p in DATASETS.rglob("*") if p.is_file())


def test_datasets_are_committed():
    names = {p.relative_to(DATASETS).as_posix() for p in committed_files()}
    expected = {
        "org_units.csv", "data_elements.csv", "service_data.csv", "reporting.csv",
        "population.csv", "staff.csv", "attendance.csv", "supervision_visits.csv",
        "appraisals.csv", "lqas_survey.csv", "lqas_true_coverage.csv",
        "patient_register.csv", "patient_flow.csv", "process_steps.csv",
        "pdsa_measure.csv", "pdsa_cycles.csv", "pdsa_family_of_measures.csv", "pdsa_ramp.csv",
        "district_scores.csv", "answer_key.csv", "indicator_catalogue.csv",
        "dhis2/datavalueset.csv", "dhis2/pivot.csv", "dhis2/pivot.xlsx",
        "README.md", "datapackage.json",
    }  # fmt: skip
    assert expected <= names, sorted(expected - names)


def test_regeneration_is_byte_identical(regenerated):
    made = sorted(
        p.relative_to(regenerated).as_posix() for p in regenerated.rglob("*") if p.is_file()
    )
    committed = sorted(p.relative_to(DATASETS).as_posix() for p in committed_files())
    assert made == committed, "the generator and datasets/ do not hold the same files"
    differ = [n for n in made if (regenerated / n).read_bytes() != (DATASETS / n).read_bytes()]
    assert not differ, f"regenerate with `python -m phcpm.synth`; these differ: {differ}"


def test_a_catalogue_that_cannot_be_loaded_stops_generation(tmp_path, monkeypatch):
    """The catalogue is part of every full dataset: when it cannot be imported,
    generation fails loudly and writes nothing, instead of leaving the file out."""
    monkeypatch.setitem(sys.modules, "phcpm.catalogue", None)
    with pytest.raises(ImportError, match="phcpm.catalogue"):
        generate(tmp_path, seed=DEFAULT_SEED)
    assert not any(tmp_path.iterdir())


def test_a_different_seed_gives_different_data(tmp_path):
    generate(tmp_path, seed=DEFAULT_SEED + 1)
    assert (tmp_path / "service_data.csv").read_bytes() != (
        DATASETS / "service_data.csv"
    ).read_bytes()


def test_total_size_is_small():
    total = sum(p.stat().st_size for p in committed_files())
    assert total <= 20e6, f"datasets/ holds {total / 1e6:.1f} MB"


def test_csv_files_use_unix_line_endings():
    for p in DATASETS.rglob("*.csv"):
        assert b"\r\n" not in p.read_bytes(), p


# --- the country -------------------------------------------------------------


def test_hierarchy(units):
    by_level = units["level"].value_counts().to_dict()
    assert by_level[1] == 1 and by_level[2] == 2 and by_level[3] == 6
    assert 130 <= by_level[4] <= 170
    assert units["org_unit_id"].is_unique
    assert units["org_unit_id"].str.match(UID).all()
    ids = set(units["org_unit_id"])
    assert units.loc[units["level"] > 1, "parent_id"].isin(ids).all()
    fac = units.loc[units["level"] == 4]
    assert (
        fac.groupby("district")["facility_type"].apply(lambda s: (s == "hospital").sum()) == 1
    ).all()
    assert fac["name"].is_unique
    assert set(fac["urban_rural"]) == {"urban", "rural"}


@pytest.mark.parametrize(
    "ftype, lo, hi",
    [
        ("hospital", 40_000, 120_000),
        ("health_centre", 10_000, 30_000),
        ("health_post", 3_000, 8_000),
        ("community_clinic", 1_000, 3_000),
    ],
)
def test_catchment_ranges(units, ftype, lo, hi):
    pop = units.loc[units["facility_type"] == ftype, "catchment_population"]
    assert pop.between(lo, hi).all()


def test_population_rates(units):
    pop = read("population.csv")
    # Rates of the projection convention: births 3.5 %, surviving infants 3.3 %, under-5 16 %,
    # expected pregnancies = live births x 1.05; each rounded to whole people.
    total = pop["total_population"]
    for col, rate in [("live_births", 0.035), ("surviving_infants", 0.033), ("under5", 0.16)]:
        assert (pop[col] - (total * rate).round()).abs().max() <= 1, col
    expected = (total * 0.035 * 1.05).round()
    assert (pop["expected_pregnancies"] - expected).abs().max() <= 1
    # 2.5 % growth a year.
    wide = pop.pivot(index="org_unit_id", columns="year", values="total_population")
    assert np.allclose(wide[2024] / wide[2023], 1.025, atol=1e-3)
    assert set(pop["org_unit_id"]) == set(units.loc[units["level"] >= 3, "org_unit_id"])


# --- service data realism ----------------------------------------------------


def wide_values(sd: pd.DataFrame) -> pd.DataFrame:
    dedup = sd.drop_duplicates(["org_unit_id", "period", "data_element"])
    return dedup.pivot(index=["org_unit_id", "period"], columns="data_element", values="value")


def key_rows(key: pd.DataFrame) -> set[tuple[str, str]]:
    k = key.loc[key["file"] == "service_data.csv"]
    return set(zip(k["org_unit_id"], k["period"], strict=True))


def test_values_are_counts(sd):
    assert pd.api.types.is_integer_dtype(sd["value"])
    assert sd["period"].str.match(r"^20(23|24|25)-(0[1-9]|1[0-2])$").all()
    assert sd["period"].nunique() == 36


def test_required_data_elements_exist(sd):
    required = {
        "ANC1", "ANC4", "FAC_DELIVERY", "SBA_DELIVERY", "PNC_48H", "BCG", "PENTA1", "PENTA3",
        "MCV1", "OPD_TOTAL", "OPD_U5", "MAL_SUSPECTED", "MAL_TESTED", "MAL_CONFIRMED",
        "MAL_TREATED", "TB_NOTIFIED", "FP_NEW", "FP_REVISITS", "STOCKOUT_DAYS_ACT",
        "STOCKOUT_DAYS_AMOX",
    }  # fmt: skip
    assert required <= set(sd["data_element"])
    de = read("data_elements.csv")
    assert set(sd["data_element"]) <= set(de["data_element"])
    assert de["uid"].str.match(UID).all()


@pytest.mark.parametrize(
    "low, high",
    [("ANC4", "ANC1"), ("PENTA3", "PENTA1"), ("MAL_TESTED", "MAL_SUSPECTED"),
     ("MAL_CONFIRMED", "MAL_TESTED"), ("SBA_DELIVERY", "FAC_DELIVERY"), ("OPD_U5", "OPD_TOTAL")],
)  # fmt: skip
def test_logical_order_holds_except_at_key_rows(sd, key, low, high):
    w = wide_values(sd)
    w = w.loc[~w.index.isin(list(key_rows(key)))]
    both = w[[low, high]].dropna()
    assert len(both) > 1000
    bad = both.loc[both[low] > both[high]]
    assert bad.empty, bad.head()


def test_anc4_below_anc1_in_every_district_year(sd, key):
    keyed = pd.MultiIndex.from_frame(sd[["org_unit_id", "period"]]).isin(list(key_rows(key)))
    sd = sd.loc[~keyed].assign(year=sd["period"].str[:4])
    tot = sd.groupby(["district", "year", "data_element"])["value"].sum().unstack()
    assert (tot["ANC4"] < tot["ANC1"]).all()
    dropout = 1 - tot["PENTA3"] / tot["PENTA1"]
    assert dropout.between(0.03, 0.17).all(), dropout


def test_services_not_offered_are_absent_not_zero(sd, units):
    ftype = sd["org_unit_id"].map(units.set_index("org_unit_id")["facility_type"])
    cc = sd.loc[ftype == "community_clinic", "data_element"]
    assert not set(cc) & {"ANC1", "FAC_DELIVERY", "PENTA1", "TB_NOTIFIED"}
    hp = sd.loc[ftype == "health_post", "data_element"]
    assert "TB_NOTIFIED" not in set(hp)
    hp_delivery = sd.loc[(ftype == "health_post") & (sd["data_element"] == "FAC_DELIVERY")]
    hosp_delivery = sd.loc[(ftype == "hospital") & (sd["data_element"] == "FAC_DELIVERY")]
    assert hp_delivery["value"].mean() < hosp_delivery["value"].mean() / 10


def test_malaria_is_seasonal(sd):
    mal = sd.loc[sd["data_element"] == "MAL_CONFIRMED"]
    monthly = mal.groupby("period")["value"].sum()
    by_month = monthly.groupby(monthly.index.str[5:]).mean()
    assert by_month.max() > 1.5 * by_month.min()
    assert by_month.idxmax() in {"02", "03", "04", "05"}  # rainy season peak


def test_population_growth_and_trends_show(sd):
    anc = sd.loc[sd["data_element"] == "ANC1"].assign(year=sd["period"].str[:4])
    rec = read("reporting.csv").assign(year=lambda d: d["period"].str[:4])
    per_report = anc.groupby("year")["value"].sum() / rec.groupby("year")["received"].sum()
    assert per_report["2025"] > per_report["2023"]


def test_denominator_district_goes_over_100_percent(sd, units):
    pop = read("population.csv").merge(units[["org_unit_id", "level", "district"]])
    dist_pop = pop.loc[pop["level"] == 3].set_index(["district", "year"])["expected_pregnancies"]
    anc1 = (
        sd.loc[sd["data_element"] == "ANC1"]
        .assign(year=lambda d: d["period"].str[:4].astype(int))
        .groupby(["district", "year"])["value"]
        .sum()
    )
    coverage = anc1 / dist_pop
    wrong = coverage.xs(LOW_DENOMINATOR_DISTRICT, level="district")
    others = coverage.drop(LOW_DENOMINATOR_DISTRICT, level="district")
    assert (wrong > 1.0).all(), wrong
    assert (others < 1.0).all(), others


# --- reporting ---------------------------------------------------------------


def test_completeness_by_district_between_80_and_95_percent(reports, units):
    district = reports["org_unit_id"].map(units.set_index("org_unit_id")["district"])
    completeness = reports.groupby(district)["received"].mean()
    assert len(completeness) == 6
    assert completeness.between(0.80, 0.95).all(), completeness


def test_service_data_only_for_received_reports(sd, reports):
    got = set(
        zip(
            reports.loc[reports["received"] == 1, "org_unit_id"],
            reports.loc[reports["received"] == 1, "period"],
            strict=True,
        )
    )  # noqa: E501
    have = set(zip(sd["org_unit_id"], sd["period"], strict=True))
    assert have <= got
    assert len(got - have) == 0  # every received report carries some data


def test_reporting_dates(reports):
    period = pd.PeriodIndex(reports["period"], freq="M")
    deadline = (period + 1).to_timestamp() + pd.Timedelta(days=14)
    assert (pd.to_datetime(reports["deadline"]) == deadline).all()
    rec = reports["received"] == 1
    assert reports.loc[~rec, "submitted_on"].isna().all()
    assert reports.loc[~rec, "on_time"].isna().all()
    on_time = pd.to_datetime(reports.loc[rec, "submitted_on"]) <= pd.to_datetime(
        reports.loc[rec, "deadline"]
    )
    assert (on_time.astype(int) == reports.loc[rec, "on_time"]).all()
    assert (reports["expected"] == 1).all()
    assert set(reports["dataset"]) == {"PHC monthly report"}
    late_share = reports.loc[rec].groupby("org_unit_id")["on_time"].mean()
    assert (late_share < 0.5).sum() >= 2, "a few facilities should be chronically late"


# --- the answer key: every problem is really in the data --------------------


def _value(sd, org, period, element):
    rows = sd.loc[
        (sd["org_unit_id"] == org) & (sd["period"] == period) & (sd["data_element"] == element),
        "value",
    ]
    return rows.tolist()


def _neighbours_median(sd, org, period, element, months=6):
    s = sd.loc[(sd["org_unit_id"] == org) & (sd["data_element"] == element)].drop_duplicates(
        ["period"]
    )
    p = pd.PeriodIndex(s["period"], freq="M")
    centre = pd.Period(period, freq="M")
    near = ((p - centre).map(lambda d: abs(d.n)) <= months) & (p != centre)
    return float(s.loc[near, "value"].median())


def check_extra_digit(row, sd, reports, units):
    [v] = _value(sd, row.org_unit_id, row.period, row.data_element)
    assert v == int(row.recorded_value)
    assert int(row.true_value) * 10 <= v < int(row.true_value) * 10 + 10
    ratio = v / _neighbours_median(sd, row.org_unit_id, row.period, row.data_element)
    assert 5 <= ratio <= 20, ratio


def check_duplicate_row(row, sd, reports, units):
    values = _value(sd, row.org_unit_id, row.period, row.data_element)
    assert values == [int(row.recorded_value)] * 2


def _check_above(row, sd, first, later):
    [a] = _value(sd, row.org_unit_id, row.period, first)
    [b] = _value(sd, row.org_unit_id, row.period, later)
    assert row.data_element == later and b == int(row.recorded_value) and b > a


def check_anc4_above_anc1(row, sd, reports, units):
    _check_above(row, sd, "ANC1", "ANC4")


def check_penta3_above_penta1(row, sd, reports, units):
    _check_above(row, sd, "PENTA1", "PENTA3")


def check_wrong_data_element(row, sd, reports, units):
    [total] = _value(sd, row.org_unit_id, row.period, "OPD_TOTAL")
    [u5] = _value(sd, row.org_unit_id, row.period, "OPD_U5")
    assert total == u5 == int(row.recorded_value)
    assert total < 0.6 * _neighbours_median(sd, row.org_unit_id, row.period, "OPD_TOTAL")


def check_negative_value(row, sd, reports, units):
    [v] = _value(sd, row.org_unit_id, row.period, row.data_element)
    assert v == int(row.recorded_value) < 0


def check_impossible_stockout_days(row, sd, reports, units):
    [v] = _value(sd, row.org_unit_id, row.period, row.data_element)
    assert v == int(row.recorded_value) > pd.Period(row.period, freq="M").days_in_month


def check_zero_reported(row, sd, reports, units):
    [v] = _value(sd, row.org_unit_id, row.period, row.data_element)
    assert v == int(row.recorded_value) == 0
    assert _neighbours_median(sd, row.org_unit_id, row.period, row.data_element) >= 100


def check_confirmed_above_tested(row, sd, reports, units):
    [confirmed] = _value(sd, row.org_unit_id, row.period, "MAL_CONFIRMED")
    [tested] = _value(sd, row.org_unit_id, row.period, "MAL_TESTED")
    assert confirmed == int(row.recorded_value) > tested


def check_missing_reports(row, sd, reports, units):
    start, end = row.period.split("/")
    span = pd.period_range(start, end, freq="M").strftime("%Y-%m")
    assert len(span) == int(row.recorded_value) >= 6
    r = reports.loc[(reports["org_unit_id"] == row.org_unit_id) & reports["period"].isin(span)]
    assert len(r) == len(span) and (r["received"] == 0).all()
    assert sd.loc[(sd["org_unit_id"] == row.org_unit_id) & sd["period"].isin(span)].empty


def check_late_report(row, sd, reports, units):
    [r] = reports.loc[
        (reports["org_unit_id"] == row.org_unit_id) & (reports["period"] == row.period)
    ].itertuples()
    late = (pd.Timestamp(r.submitted_on) - pd.Timestamp(r.deadline)).days
    assert r.received == 1 and r.on_time == 0 and late == int(row.recorded_value) > 0


def check_denominator_too_low(row, sd, reports, units):
    pop = read("population.csv")
    [official] = pop.loc[
        (pop["org_unit_id"] == row.org_unit_id) & (pop["year"] == int(row.period)),
        row.data_element,
    ].tolist()
    assert official == int(row.recorded_value)
    assert int(row.true_value) > 1.2 * official
    district = units.set_index("org_unit_id").loc[row.org_unit_id]
    assert district["district"] == LOW_DENOMINATOR_DISTRICT and district["level"] == 3


CHECKS = {
    name.removeprefix("check_"): f for name, f in globals().items() if name.startswith("check_")
}


def test_answer_key_shape(key):
    assert key["problem_id"].is_unique
    assert 30 <= len(key) <= 60
    unknown = set(key["problem_type"]) - set(CHECKS)
    assert not unknown, f"no check for problem types {unknown}"
    needed = {
        "extra_digit", "duplicate_row", "missing_reports", "anc4_above_anc1",
        "penta3_above_penta1", "denominator_too_low", "late_report", "wrong_data_element",
    }  # fmt: skip
    assert needed <= set(key["problem_type"])
    assert key["description"].str.len().gt(30).all()


def test_every_key_problem_is_in_the_data(key, sd, reports, units):
    failures = []
    for row in key.itertuples():
        try:
            CHECKS[row.problem_type](row, sd, reports, units)
        except (AssertionError, ValueError) as err:
            failures.append(f"{row.problem_id} {row.problem_type}: {err!r}")
    assert not failures, failures


def test_the_checks_catch_a_missing_problem(key, sd, reports, units):
    """Remove a planted outlier and a duplicate: their checks must then fail."""
    x10 = key.loc[key["problem_type"] == "extra_digit"].iloc[0]
    fixed = sd.copy()
    hit = (
        (fixed["org_unit_id"] == x10.org_unit_id)
        & (fixed["period"] == x10.period)
        & (fixed["data_element"] == x10.data_element)
    )
    fixed.loc[hit, "value"] = int(x10.true_value)
    with pytest.raises(AssertionError):
        check_extra_digit(x10, fixed, reports, units)
    dup = key.loc[key["problem_type"] == "duplicate_row"].iloc[0]
    deduped = sd.drop_duplicates(["org_unit_id", "period", "data_element"])
    with pytest.raises(AssertionError):
        check_duplicate_row(dup, deduped, reports, units)


def test_duplicates_are_only_the_planted_ones(sd, key):
    dup = sd.loc[sd.duplicated(["org_unit_id", "period", "data_element"], keep=False)]
    planted = key.loc[key["problem_type"] == "duplicate_row"]
    assert len(dup) == 2 * len(planted)


# --- other files -------------------------------------------------------------


def test_workforce_problems_are_visible(units):
    district = units.set_index("org_unit_id")["district"]
    staff = read("staff.csv")
    staff["district"] = staff["org_unit_id"].map(district)
    assert staff["staff_id"].is_unique
    visits = read("supervision_visits.csv")
    visits["district"] = visits["org_unit_id"].map(district)
    done = visits.loc[visits["planned"] == 1].groupby("district")["done"].mean()
    assert done.idxmin() == "Lusako" and done.min() < 0.6 < done.drop("Lusako").min()
    assert visits.loc[visits["done"] == 0, "checklist_score"].isna().all()
    appr = read("appraisals.csv").merge(staff[["staff_id", "district"]])
    rate = appr.loc[appr["due"] == 1].groupby("district")["done"].mean()
    assert set(rate.nsmallest(2).index) == {"Tembwe", "Lusako"}
    assert (appr.loc[appr["due"] == 0, "done"] == 0).all()
    att = read("attendance.csv").merge(staff[["staff_id", "district", "org_unit_id"]])
    assert set(att["district"]) == {"Tembwe"}
    unauth = att["status"].eq("absent_unauthorised").groupby(att["org_unit_id"]).mean()
    assert unauth.max() > 3 * unauth.min()
    days = pd.to_datetime(att["date"])
    assert (days.dt.day_of_week < 5).all()
    assert days.min() == pd.Timestamp("2025-07-01") and days.max() == pd.Timestamp("2025-12-31")


def test_lqas_survey_and_truth():
    survey = read("lqas_survey.csv")
    truth = read("lqas_true_coverage.csv")
    # LQAS uses 19 respondents per supervision area (Valadez et al. 2003).
    assert (survey.groupby("supervision_area").size() == 19).all()
    assert survey["supervision_area"].nunique() == 30
    assert (survey.groupby("district")["supervision_area"].nunique() == 5).all()
    ind = ["anc4", "skilled_birth", "penta3", "mcv1", "itn_slept", "fp_modern"]
    assert survey[ind].isin([0, 1]).all().all()
    yes = survey.melt(id_vars="supervision_area", value_vars=ind, var_name="indicator")
    yes = yes.groupby(["supervision_area", "indicator"])["value"].sum()
    t = truth.set_index(["supervision_area", "indicator"])
    assert (t["sample_yes"] == yes.reindex(t.index)).all()
    assert (t["true_coverage"].between(0.5, 0.6)).sum() >= 5
    assert (t["true_coverage"] > 0.85).sum() >= 5


def test_patient_register_has_strata_and_a_weekly_pattern():
    reg = read("patient_register.csv")
    assert len(reg) >= 5000 and reg["record_id"].is_unique
    assert set(reg["diagnosis"]) == {"malaria", "pneumonia", "diarrhoea", "other"}
    quality = reg.groupby("org_unit_id")["weight_recorded"].mean()
    assert quality.max() - quality.min() > 0.2  # facilities differ
    weekday = pd.to_datetime(reg["visit_date"]).dt.day_of_week
    by_day = reg.groupby(weekday)["weight_recorded"].mean()
    assert by_day.idxmin() == 3 and by_day[3] < by_day.drop(3).min() - 0.1  # Thursday clinic
    # Not applicable is empty: no malaria test criterion without fever is filled in for 'other'
    # diagnoses at the expected rate, and follow-up only applies to pneumonia and diarrhoea.
    assert reg.loc[reg["diagnosis"].isin(["malaria", "other"]), "follow_up_given"].isna().all()
    assert reg.loc[reg["diagnosis"] == "malaria", "malaria_test_done"].notna().all()
    # Register order: dates never go backwards within a facility.
    assert reg.groupby("org_unit_id")["visit_date"].apply(lambda s: s.is_monotonic_increasing).all()


def test_patient_flow_has_a_triage_bottleneck():
    flow = read("patient_flow.csv")
    assert 550 <= len(flow) <= 650 and flow["org_unit_id"].nunique() == 3
    assert flow["date"].nunique() == 5
    t = {
        c: pd.to_datetime(flow[c])
        for c in ["arrival", "registration", "triage", "consultation", "pharmacy", "exit"]
    }  # noqa: E501
    order = ["arrival", "registration", "triage", "consultation", "pharmacy", "exit"]
    for a, b in zip(order, order[1:], strict=False):
        assert (t[a] <= t[b]).all(), (a, b)
    wait = (t["triage"] - t["registration"]).dt.total_seconds() / 60
    med = wait.groupby(flow["org_unit_id"]).median()
    assert med.max() > 3 * med.drop(med.idxmax()).max()
    assert flow["lab"].isna().mean() > 0.3


def test_process_steps_form_a_connected_map():
    steps = read("process_steps.csv")
    ids = set(steps["step_id"])
    for row in steps.itertuples():
        nxt = [] if pd.isna(row.next) else row.next.split(";")
        assert set(nxt) <= ids
        if row.kind == "decision":
            assert len(nxt) == len(row.next_labels.split(";")) >= 2
    assert steps["kind"].tolist()[0] == "start" and steps["kind"].tolist()[-1] == "end"
    assert {"Patient", "Registration clerk", "Nurse", "Clinician", "Lab", "Pharmacy"} == set(
        steps["lane"]
    )


def test_pdsa_measure_shifts_after_the_adopted_change():
    m = read("pdsa_measure.csv")
    cycles = read("pdsa_cycles.csv")
    assert len(m) == 40 and (m["numerator"] <= m["denominator"]).all()
    share = m["numerator"] / m["denominator"]
    assert share.iloc[-20:].median() > share.iloc[:12].median() + 0.15
    assert {"adopt", "adapt", "abandon"} == set(cycles["decision"])


def test_family_of_measures_holds_the_process_measure_and_honest_balancing_measures():
    m = read("pdsa_measure.csv")
    fam = read("pdsa_family_of_measures.csv")
    assert fam.groupby("measure")["kind"].first().value_counts().to_dict() == {
        "balancing": 2, "outcome": 1, "process": 1,
    }  # fmt: skip
    wide = {name: g.set_index("week_start") for name, g in fam.groupby("measure")}
    assert all(len(g) == len(m) for g in wide.values())
    # The process rows are pdsa_measure.csv itself, not a second draw.
    proc = fam[fam["kind"] == "process"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        proc[["project", "org_unit_id", "week_start", "numerator", "denominator"]],
        m,
        check_dtype=False,
    )
    out = wide["Fever cases treated according to the test result"]
    assert (out["numerator"] <= proc.set_index("week_start")["numerator"]).all()
    assert (out["denominator"] == proc.set_index("week_start")["denominator"]).all()
    props = fam[fam["unit"] == "proportion (0-1)"]
    assert (props["value"] - props["numerator"] / props["denominator"]).abs().max() < 5e-4
    assert fam.loc[fam["kind"] == "balancing", ["numerator", "denominator"]].isna().all().all()
    # Honest pattern: the outcome rises, but less than the process.
    cycles = read("pdsa_cycles.csv")
    adopted = cycles.loc[cycles["decision"] == "adopt", "start"].min()
    before = proc["week_start"] < adopted
    p = proc.set_index("week_start")
    gain_p = (
        p.loc[~before.to_numpy(), "value"].median() - p.loc[before.to_numpy(), "value"].median()
    )
    o = out["value"].to_numpy()
    gain_o = np.median(o[~before.to_numpy()]) - np.median(o[before.to_numpy()])
    assert 0 < gain_o < gain_p
    # The wait at the test corner worsens in the first weeks of the adopted change, then
    # settles below that peak but above the baseline.
    wait = wide["Minutes waited at the test corner"]["value"].to_numpy()
    start = int(before.sum())
    base, first, late = wait[:start], wait[start : start + 8], wait[-12:]
    assert np.median(first) > np.median(base) + 3
    assert np.median(base) < np.median(late) < np.median(first)
    kits = wide["Days without malaria test kits"]["value"]
    assert kits.between(0, 5).all() and 0 < (kits > 0).sum() < len(kits) / 4


def test_ramp_tests_one_change_on_a_growing_scale_and_decides_by_its_numbers():
    ramp = read("pdsa_ramp.csv")
    base = ramp["change_idea"].iloc[0]
    assert ramp["change_idea"].str.startswith(base).all()  # one idea, adapted on the way
    assert ramp["project"].nunique() == 1
    assert ramp["project"].iloc[0] not in set(read("pdsa_measure.csv")["project"])
    assert (ramp["tested"] <= ramp["fever_cases"]).all()
    assert (pd.to_datetime(ramp["start"]) <= pd.to_datetime(ramp["end"])).all()
    assert (
        pd.to_datetime(ramp["start"]).iloc[1:].to_numpy()
        > pd.to_datetime(ramp["end"]).iloc[:-1].to_numpy()
    ).all()  # noqa: E501
    share = ramp["prediction"].str.extract(r"(\d+) %")[0].astype(float).fillna(100) / 100
    met = ramp["tested"] >= np.ceil(share * ramp["fever_cases"] - 1e-9)
    assert (met == ramp["decision"].isin(["scale up", "adopt"])).all()
    assert ramp["decision"].iloc[-1] == "adopt" and ramp["fever_cases"].iloc[0] <= 5
    # After "adapt" the same scale is repeated; after "scale up" the next is larger.
    for prev, nxt in zip(ramp.itertuples(), ramp.iloc[1:].itertuples(), strict=False):
        if prev.decision == "adapt":
            assert nxt.scale == prev.scale
        else:
            assert nxt.scale != prev.scale
    assert ramp["scale"].nunique() >= 4
    whole = ramp.drop_duplicates("scale", keep="last")
    assert whole["fever_cases"].iloc[-1] == ramp["fever_cases"].max()


def test_missed_visits_have_one_reason_with_a_pareto_pattern(units):
    from phcpm.synth.workforce import MISSED_REASONS

    visits = read("supervision_visits.csv", dtype={"missed_reason": str})
    visits["district"] = visits["org_unit_id"].map(units.set_index("org_unit_id")["district"])
    missed = (visits["planned"] == 1) & (visits["done"] == 0)
    assert visits.loc[missed, "missed_reason"].notna().all()
    assert visits.loc[~missed, "missed_reason"].isna().all()
    reasons = visits.loc[missed, "missed_reason"]
    assert set(reasons) == set(MISSED_REASONS)
    share = reasons.value_counts(normalize=True)
    assert share.index[0] == "No vehicle or fuel" and share.iloc[:2].sum() > 0.5
    assert share["Other"] < 0.1
    lusako = visits.loc[missed & (visits["district"] == "Lusako"), "missed_reason"]
    others = visits.loc[missed & (visits["district"] != "Lusako"), "missed_reason"]
    assert (lusako == "No vehicle or fuel").mean() > (others == "No vehicle or fuel").mean()
    month = pd.to_datetime(visits.loc[missed, "date"]).dt.month
    road = reasons == "Road impassable after rain"
    assert road[month.isin([11, 12, 1, 2, 3, 4])].mean() > 2 * road[month.isin(range(5, 11))].mean()


def test_district_scores_have_distinct_strengths():
    s = read("district_scores.csv")
    assert s["score"].between(0, 100).all()
    wide = s.loc[s["year"] == 2025].pivot(index="district", columns="domain", values="score")
    assert wide.idxmax().nunique() >= 4  # different districts lead different domains
    assert (wide.max(axis=1) - wide.min(axis=1) > 25).all()


def test_dhis2_shapes(units):
    dvs = pd.read_csv(DATASETS / "dhis2/datavalueset.csv", dtype=str, keep_default_na=False)
    header = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup"  # noqa: E501
    assert ",".join(dvs.columns) == header
    assert dvs["period"].str.match(r"^2025(0[1-9]|1[0-2])$").all()
    assert dvs["dataelement"].str.match(UID).all() and dvs["orgunit"].str.match(UID).all()
    # "HllvX50cXC0" is the UID of DHIS2's default category option combination.
    assert set(dvs["categoryoptioncombo"]) == {"HllvX50cXC0"}
    assert pd.to_datetime(dvs["lastupdated"]).notna().all()
    pivot = pd.read_csv(DATASETS / "dhis2/pivot.csv")
    assert list(pivot.columns) == ["Data", "Period", "Organisation unit", "Value"]
    assert pivot["Period"].str.match(r"^[A-Z][a-z]+ 2025$").all()
    assert len(pivot) == len(dvs)
    xlsx = pd.read_excel(DATASETS / "dhis2/pivot.xlsx", header=3)
    pd.testing.assert_frame_equal(xlsx, pivot, check_dtype=False)


# --- scale option ------------------------------------------------------------


def test_scale_option_writes_only_the_large_files(tmp_path):
    paths = generate(tmp_path, facilities=600)
    assert sorted(p.name for p in paths) == ["org_units.csv", "reporting.csv", "service_data.csv"]
    units = pd.read_csv(tmp_path / "org_units.csv")
    assert (units["level"] == 4).sum() == 600
    rep = pd.read_csv(tmp_path / "reporting.csv")
    assert len(rep) == 600 * 36
    sd = pd.read_csv(tmp_path / "service_data.csv")
    assert len(sd) > 600 * 36 * 10 * 0.8


def test_scale_option_never_writes_into_datasets():
    with pytest.raises(InputError, match="another folder"):
        generate(DATASETS, facilities=1000)


def test_command_line_refuses_facilities_without_out():
    out = subprocess.run(
        [sys.executable, "-m", "phcpm.synth", "--facilities", "100"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode != 0 and "--out" in out.stderr
