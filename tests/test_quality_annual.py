"""The WHO annual review: hand-worked cases computed from the WHO Data Quality Tool's code.

File references are to the repository dhis2/who-data-quality-app, ``src/``:
appServiceMath.js and appServiceDataAnalysis.js at commit 03c0533,
dqAnalysisConsistency.js at commit 0246e6c, defaultConfig.js at commit 50e843e.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from phcpm import quality as q
from phcpm.errors import InputError


def monthly(org_unit, element, values, start="2023-01", **extra):
    periods = pd.period_range(start, periods=len(values), freq="M")
    return pd.DataFrame(
        {
            "org_unit": org_unit,
            "period": periods,
            "data_element": element,
            "value": np.asarray(values, dtype="float64"),
            **extra,
        }
    )


def row(table, **match):
    keep = np.ones(len(table), dtype=bool)
    for k, v in match.items():
        keep &= (table[k] == v).to_numpy()
    assert keep.sum() == 1, match
    return table[keep].iloc[0]


# ------------------------------------------------------------------ review year
def test_a_partial_latest_year_is_not_reviewed():
    # A download made in April: January 2020 to March 2024.
    months = pd.period_range("2020-01", "2024-03", freq="M").asi8
    year, why = q.review_year(months)
    assert year == 2023
    assert "2024 has only 3 months" in why
    with pytest.raises(InputError, match="2024 is not complete: the data have 3 of its 12"):
        q.review_year(months, 2024)
    with pytest.raises(InputError, match="no month of 2019"):
        q.review_year(months, 2019)
    assert q.review_year(months, 2021)[0] == 2021


def test_a_download_made_in_april_is_compared_on_its_last_complete_year():
    # Every unit grows 10 % a year; 2024 has 3 months. Compared on 2024, every unit
    # would be about 3/12 of its earlier years (ratio near 0.27, flagged against 1).
    frames = []
    for i, unit in enumerate(["A", "B", "C", "D"]):
        base = 100 + 10 * i
        for year in range(2020, 2024):
            frames.append(monthly(unit, "ANC1", [base * 1.1 ** (year - 2020)] * 12, f"{year}-01"))
        frames.append(monthly(unit, "ANC1", [base * 1.1**4] * 3, "2024-01"))
    data = pd.concat(frames, ignore_index=True)
    result = q.review(data)
    assert result.year == 2023
    # 2023 / mean(2020..2022) = 1.331 / 1.103333 = 1.206344 in every unit, equal to the
    # boundary's ratio: ratioOfRatios = 1 (dqAnalysisConsistency.js line 482).
    assert result.over_time.empty
    units = result.annual.units
    over = units[(units["metric"] == "consistency_over_time") & (units["level"] == "facility")]
    assert over["score"].to_numpy() == pytest.approx([1.331 / (3.31 / 3)] * 4)
    assert (over["reference_years"] == 3).all()


# --------------------------------------------------------------------- outliers
def outlier_data():
    # A: eleven 10s and one 100. mean 17.5; SD (n - 1, appServiceMath.js line 44)
    # sqrt((11 * 7.5^2 + 82.5^2) / 11) = sqrt(675) = 25.980762; z(100) = 82.5 / 25.98
    # = 3.175426 > 3: one extreme outlier (appServiceDataAnalysis.js line 1008:
    # valueSet[j] > extMax) -> A is divergent (extremeCount > 0, line 1025).
    # B: ten 10s and two 30s. mean 13.333333; SD sqrt((10 * 3.333333^2 + 2 * 16.666667^2)
    # / 11) = sqrt(666.666667 / 11) = 7.784989; z(30) = 16.666667 / 7.784989 = 2.140872:
    # two moderate outliers (2 < z <= 3, line 1012) -> B is divergent (moderateCount > 1,
    # line 1029).
    # C: eleven 10s and one 11: z(11) = 3.175426 too (any single different value of
    # twelve): extreme. D: 10, 12 alternating: |z| = 0.9574: nothing.
    # E: six 10s and five 12s alternating, then 20: mean 140 / 12 = 11.666667; SD
    # sqrt((6 * 1.666667^2 + 5 * 0.333333^2 + 8.333333^2) / 11) = sqrt(86.666667 / 11)
    # = 2.806918; z(20) = 2.968858: one moderate outlier only -> not divergent.
    return pd.concat(
        [
            monthly("A", "OPD", [10] * 11 + [100]),
            monthly("B", "OPD", [10] * 10 + [30, 30]),
            monthly("C", "OPD", [10] * 11 + [11]),
            monthly("D", "OPD", [10, 12] * 6),
            monthly("E", "OPD", [10, 12] * 5 + [10, 20]),
        ],
        ignore_index=True,
    )


def test_outliers_roll_up_to_units_one_extreme_or_two_moderate():
    result = q.review(outlier_data())
    units = result.annual.units
    a = row(units, level="facility", org_unit="A", metric="outlier_extreme")
    assert a["count"] == 1 and a["denominator"] == 12
    b = row(units, level="facility", org_unit="B", metric="outlier_moderate")
    assert b["count"] == 2
    assert row(units, level="facility", org_unit="B", metric="outlier_extreme")["count"] == 0
    report = result.annual.report("facility").set_index("metric")
    ext = report.loc["outlier_extreme"]
    assert ext["names"] == "A, C" and ext["divergent"] == 2 and ext["subunits"] == 5
    # boundaryExtreme = 100 * totalExtremeOutliers / totalValues = 100 * 2 / 60 = 3.3 %
    assert ext["overall"] == pytest.approx(2 / 60)
    assert ext["overall_text"] == "3.3 % of values"
    assert row(units, level="facility", org_unit="E", metric="outlier_moderate")["count"] == 1
    mod = report.loc["outlier_moderate"]
    assert mod["names"] == "B" and mod["percent_divergent"] == pytest.approx(20.0)


# -------------------------------------------------------------------- relations
def test_a_month_with_penta3_above_penta1_in_a_year_with_a_positive_dropout_is_not_flagged():
    # Kilima: Penta 1 = 50 a month but 40 in March; Penta 3 = 45 a month but 60 in March.
    # Year: Penta 1 = 11 * 50 + 40 = 590, Penta 3 = 11 * 45 + 60 = 555;
    # dropout = (590 - 555) / 590 = 0.059322 >= 0 (mathService.dropOutRate,
    # appServiceMath.js lines 173-175; isOutlier case 'do', dqAnalysisConsistency.js line
    # 470: ratio < 0): not divergent.
    # Mto: Penta 1 = 40, Penta 3 = 45 every month: (480 - 540) / 480 = -0.125 < 0: divergent.
    p1 = [50, 50, 40] + [50] * 9
    p3 = [45, 45, 60] + [45] * 9
    data = pd.concat(
        [
            monthly("Kilima", "PENTA1", p1),
            monthly("Kilima", "PENTA3", p3),
            monthly("Mto", "PENTA1", [40] * 12),
            monthly("Mto", "PENTA3", [45] * 12),
        ],
        ignore_index=True,
    )
    result = q.review(data)
    assert any("ANC 1 to ANC 4 dropout" in n for n in result.notes)
    units = result.annual.units
    kilima = row(units, level="facility", org_unit="Kilima", data_element="R_PENTA_DROPOUT")
    assert kilima["score"] == pytest.approx(35 / 590)
    mto = row(units, level="facility", org_unit="Mto", data_element="R_PENTA_DROPOUT")
    assert mto["score"] == pytest.approx(-0.125)
    assert result.internal["org_unit"].tolist() == ["Mto"]
    assert result.internal["data_element"].tolist() == ["PENTA3<=PENTA1"]
    line = result.annual.report("facility").query("metric == 'relation'").iloc[0]
    assert line["names"] == "Mto" and line["threshold"] == "dropout not negative"
    # boundary: (1070 - 1095) / 1070 = -0.023364
    assert line["overall"] == pytest.approx(-25 / 1070)
    # The March of Kilima is still in the verify-first list, as a part above its whole.
    v = result.verify
    march = v[(v["org_unit"] == "Kilima") & (v["period"] == pd.Period("2023-03", freq="M"))]
    assert "above PENTA1 in the same month" in march["reasons"].iloc[0]


def test_equal_relation_and_a_at_least_b():
    # ANC1 / PENTA1: 115 / 100 = 1.15 > 1.10 (isOutlier case 'eq', dqAnalysisConsistency.js
    # line 474, criteria 10): divergent.
    # MAL_TESTED / MAL_CONFIRMED = 90 / 100 = 0.9 < 1 - 0 (case 'aGTb', line 472, criteria 0).
    data = pd.concat(
        [
            monthly("K", "ANC1", [115] * 12),
            monthly("K", "PENTA1", [100] * 12),
            monthly("K", "MAL_TESTED", [90] * 12),
            monthly("K", "MAL_CONFIRMED", [100] * 12),
        ],
        ignore_index=True,
    )
    report = q.review(data).annual.report("facility").query("metric == 'relation'")
    got = dict(zip(report["data_element"], report["divergent"], strict=True))
    # ANC4 is not in the data: the ANC1 -> ANC4 relation is skipped, and said so.
    assert got == {"ANC1 / PENTA1": 1, "MAL_TESTED / MAL_CONFIRMED": 1}


def test_relations_are_data():
    rel = q.load_relations()
    assert {"code", "name", "a", "b", "type", "criteria"} <= set(rel.columns)
    assert set(rel["type"]) <= set(q.RELATION_TYPES)
    dropout = rel.set_index("code").loc["R_PENTA_DROPOUT"]
    assert dropout["type"] == "do"
    # a and b list the names a download may use: code, DHIS2 name, UID
    codes = q.resolve_relations(rel, ["PENTA1", "PENTA3"]).set_index("code")
    assert codes.loc["R_PENTA_DROPOUT", ["a", "b"]].tolist() == ["PENTA1", "PENTA3"]
    names = q.resolve_relations(rel, ["Penta 1 doses given", "Penta 3 doses given"])
    names = names.set_index("code")
    assert names.loc["R_PENTA_DROPOUT", ["a", "b"]].tolist() == [
        "Penta 1 doses given",
        "Penta 3 doses given",
    ]


def test_an_unknown_relation_type_is_explained(tmp_path):
    path = tmp_path / "rel.csv"
    path.write_text("code,name,a,b,type,criteria\nX,x,A,B,bigger,5\n")
    with pytest.raises(InputError, match="Unknown relation type 'bigger'"):
        q.load_relations(path)


# ------------------------------------------------------- completeness, reporting
def test_indicator_completeness_in_both_forms_and_timeliness_over_expected():
    # K: 10 of 12 months have a value, 2 of them 0. Missing form: 10 / 12 = 83.3 % < 90 %;
    # the tool's form (isNumber(value) && parseFloat(value) != 0, appServiceDataAnalysis.js
    # line 863): 8 / 12 = 66.7 %. M: 12 of 12 non-zero.
    values = [5, 0, 6, np.nan, 7, 0, 5, np.nan, 6, 5, 7, 6]
    data = pd.concat([monthly("K", "TB", values), monthly("M", "TB", [3] * 12)], ignore_index=True)
    # Reports: K 10 received of 12 expected, 9 on time; M 12, 12, 12.
    rep = pd.DataFrame(
        {
            "org_unit": ["K"] * 12 + ["M"] * 12,
            "period": [str(p) for p in pd.period_range("2023-01", periods=12, freq="M")] * 2,
            "expected": 1,
            "received": [1] * 10 + [0] * 2 + [1] * 12,
            "on_time": [1] * 9 + [0] * 3 + [1] * 12,
        }
    )
    result = q.review(data, rep)
    report = result.annual.report("facility").set_index("metric")
    assert report.loc["data_element_completeness", "overall"] == pytest.approx(22 / 24)
    assert report.loc["data_element_completeness", "names"] == "K"
    assert report.loc["data_element_nonzero", "overall"] == pytest.approx(20 / 24)
    # Completeness 10 / 12 = 0.833 not above 0.90 (value > threshold is within,
    # appServiceDataAnalysis.js line 741): K divergent. Overall 22 / 24.
    assert report.loc["reporting_completeness", "names"] == "K"
    assert report.loc["reporting_completeness", "overall"] == pytest.approx(22 / 24)
    # Timeliness on time / expected: K 9 / 12 = 0.75, not above 0.75: divergent.
    assert report.loc["reporting_timeliness", "names"] == "K"
    assert report.loc["reporting_timeliness", "overall"] == pytest.approx(21 / 24)
    assert (
        result.timeliness["statistic"].tolist() == pytest.approx([0.75]) or result.timeliness.empty
    )


# -------------------------------------------------------------------- levels
def national(seed=3, partial_months=4):
    """A national pivot download in tidy form with orgunitlevel1..3 and a partial last year."""
    rng = np.random.default_rng(seed)
    frames = []
    for r in range(3):
        for d in range(4):
            for f in range(10):
                unit = f"F{r}{d}{f}"
                level = rng.gamma(4, 25)
                for year in range(2020, 2025):
                    n = 12 if year < 2024 else partial_months
                    growth = 1.05 ** (year - 2020)
                    values = rng.poisson(level * growth, n).astype(float)
                    frames.append(
                        monthly(
                            unit,
                            "ANC1",
                            values,
                            f"{year}-01",
                            orgunitlevel1="Sendara",
                            orgunitlevel2=f"Region {r}",
                            orgunitlevel3=f"District {r}{d}",
                        )
                    )
    return pd.concat(frames, ignore_index=True)


def test_a_national_download_with_a_partial_last_year_flags_a_plausible_share():
    data = national()
    result = q.review(data)
    assert result.year == 2023
    assert result.annual.levels == ["facility", "district", "region"]
    over = result.annual.report("facility").query("metric == 'consistency_over_time'").iloc[0]
    assert over["subunits"] == 120
    assert over["percent_divergent"] < 10  # Poisson noise only, not every unit
    # The same data compared on the partial year (the old behaviour) flag every unit.
    old = q.consistency_over_time(data, year=2024, compare_to="expected")
    assert len(old) == 120
    regions = result.annual.report("region")
    assert set(regions["subunits"]) == {3}
    within = result.annual.report("district", "Region 1")
    assert set(within["subunits"]) == {4}
    facilities = result.annual.report("facility", "District 12")
    assert set(facilities["subunits"]) == {10}


def test_levels_from_an_org_unit_table():
    data = pd.concat([monthly("id1", "ANC1", [5] * 12), monthly("id2", "ANC1", [6] * 12)])
    units = pd.DataFrame(
        {
            "org_unit_id": ["c", "r", "d", "id1", "id2"],
            "name": ["Country", "North", "Hill District", "Hill HC", "Lake HP"],
            "parent_id": [None, "c", "r", "d", "d"],
        }
    )
    tree, source = q.hierarchy(data, units)
    assert tree.loc["id1"].tolist() == ["Hill HC", "Hill District", "North"]
    assert "org unit table" in source
    result = q.review(data, org_units=units)
    assert result.annual.boundaries("district") == ["Hill District"]
    with pytest.raises(InputError, match="None of the org units"):
        q.hierarchy(data, units.assign(org_unit_id=["a", "b", "e", "f", "g"], name=list("vwxyz")))


def test_levels_from_hierarchy_columns_drop_the_unit_itself():
    data = monthly(
        "Hill HC",
        "ANC1",
        [1] * 12,
        orgunitlevel1="Sendara",
        orgunitlevel2="North",
        orgunitlevel3="Hill District",
        orgunitlevel4="Hill HC",
    )
    tree, _ = q.hierarchy(data)
    assert tree.loc["Hill HC"].tolist() == ["Hill HC", "Hill District", "North"]


# ------------------------------------------------------------------ verify first
def test_verify_first_ranks_a_tenfold_value_first_and_merges_reasons():
    rng = np.random.default_rng(11)
    frames = [monthly(u, e, rng.poisson(60, 12)) for u in ("A", "B", "C") for e in ("ANC1", "OPD")]
    data = pd.concat(frames, ignore_index=True)
    data.loc[(data["org_unit"] == "B") & (data["data_element"] == "ANC1"), "value"] = [
        60,
        58,
        61,
        600,
        59,
        62,
        60,
        57,
        61,
        60,
        59,
        58,
    ]
    twice = data[(data["org_unit"] == "C") & (data["period"] == pd.Period("2023-05", freq="M"))]
    data = pd.concat([data, twice.head(1)], ignore_index=True)  # a row entered twice
    v = q.review(data).verify
    first = v.iloc[0]
    assert first["rank"] == 1
    assert (first["org_unit"], str(first["period"]), first["data_element"]) in {
        ("B", "2023-04", "ANC1"),
        ("C", "2023-05", twice["data_element"].iloc[0]),
    }
    b = v[(v["org_unit"] == "B") & (v["data_element"] == "ANC1")]
    assert str(b["period"].iloc[0]) == "2023-04" and b["expected"].iloc[0] == 60
    assert "far from the usual 60" in b["reasons"].iloc[0]
    c = v[(v["org_unit"] == "C") & (v["reasons"].str.contains("more than one row"))]
    assert len(c) == 1 and str(c["period"].iloc[0]) == "2023-05"
    assert v["rank"].tolist() == list(range(1, len(v) + 1))
    # each (org unit, month, data element) once
    assert not v.duplicated(["org_unit", "period", "data_element"]).any()


def test_review_lists_the_dimensions_it_skipped_and_runs_the_others():
    data = monthly("K", "ANC1", [5] * 12)
    result = q.review(data)
    assert [s.split(":")[0] for s in result.skipped] == [
        "1. Completeness of reporting and timeliness",
        "3. External comparison",
        "4. Consistency of population data",
    ]
    coverage = pd.DataFrame({"org_unit": ["K"], "data_element": ["ANC1"], "value": [130.0]})
    survey = pd.DataFrame({"org_unit": ["K"], "data_element": ["ANC1"], "value": [80.0]})
    population = pd.DataFrame(
        {"org_unit": ["K", "K"], "data_element": ["births_a", "births_b"], "value": [100, 80]}
    )
    full = q.review(
        data,
        coverage=coverage,
        survey=survey,
        population=population,
        population_pairs=[("births_a", "births_b")],
    )
    assert [s.split(":")[0] for s in full.skipped] == [
        "1. Completeness of reporting and timeliness"
    ]
    # 130 / 80 = 1.625 (> 1.33), coverage above 100 %, 100 / 80 = 1.25 (> 1.10)
    rules = set(full.flagged()["rule"])
    assert {"external_comparison", "coverage_over_100", "denominator_consistency"} <= rules


def test_no_usable_row_is_a_plain_error():
    data = monthly("K", "ANC1", [5] * 12).assign(org_unit=None)
    with pytest.raises(InputError, match="no row with an org unit"):
        q.review(data)


def test_a_data_element_whose_usual_value_is_zero_is_left_out_of_the_not_zero_form():
    # Stock-out days: 0 in 10 of 12 months (median 0). A zero is the normal report, so
    # only the "values present" form applies to it; ANC1 (median 20) keeps both forms.
    data = pd.concat(
        [
            monthly("K", "STOCKOUT_DAYS", [0] * 10 + [5, 12]),
            monthly("K", "ANC1", [20] * 11 + [0]),
        ],
        ignore_index=True,
    )
    result = q.review(data)
    report = result.annual.report("facility")
    nonzero = report[report["metric"] == "data_element_nonzero"]
    assert nonzero["data_element"].tolist() == ["ANC1"]
    # ANC1: 11 of 12 months not zero = 91.7 % >= 90 %: within.
    assert nonzero["overall"].iloc[0] == pytest.approx(11 / 12)
    assert nonzero["divergent"].iloc[0] == 0
    present = report[report["metric"] == "data_element_completeness"]
    assert sorted(present["data_element"]) == ["ANC1", "STOCKOUT_DAYS"]
    assert any("left out for STOCKOUT_DAYS" in n for n in result.notes)


def test_a_dhis2_pivot_read_by_read_table_gives_levels_and_named_relations():
    """A DHIS2 pivot table with its metadata columns (tests/corpus/dhis2): org unit
    IDs with names, orgunitlevel1..3, data items by name, two months of 2024."""
    from pathlib import Path

    from phcpm import io as pio

    path = Path(__file__).parent / "corpus" / "dhis2" / "pivot_table_layout_metadata.csv"
    tidy = pio.tidy(pio.read_table(path))
    result = q.review(tidy.data)
    assert result.year == 2024 and "not compared with other years" in result.notes[0]
    assert result.annual.levels == ["facility", "district", "region"]
    assert result.annual.boundaries("facility") == ["Bo Hospital", "Gbenikoro MCHP", "Ngelehun CHC"]
    assert result.annual.boundaries("district") == ["Badjia", "Kakua", "Tikonko"]
    assert result.annual.boundaries("region") == ["Bo"]
    relation = result.annual.report("facility").query("metric == 'relation'")
    assert relation["data_element"].tolist() == ["ANC 1st visit → ANC 4th or more visits"]


def test_category_option_combos_are_added_up_and_the_notes_say_so():
    # ANC1 of K in two disaggregations (under 20, 20 and over): 4 + 6 = 10 a month, the
    # same total as one row of 10; the annual numbers are those of the totals.
    young = monthly("K", "ANC1", [4] * 12, category_option_combo="<20")
    older = monthly("K", "ANC1", [6] * 12, category_option_combo="20+")
    split = q.review(pd.concat([young, older], ignore_index=True))
    whole = q.review(monthly("K", "ANC1", [10] * 12))
    assert any("added up over 2 category option combos" in n for n in split.notes)
    assert not any("category option combos" in n for n in whole.notes)
    cols = ["metric", "numerator", "denominator", "score"]
    pd.testing.assert_frame_equal(split.annual.units[cols], whole.annual.units[cols])
    # two rows for one cell are disaggregations, not a row entered twice
    assert not split.verify["reasons"].str.contains("more than one row").any()


def test_the_forecast_option_of_consistency_over_time():
    # trend: a straight line through the preceding years (mathService.forecast,
    # appServiceMath.js line 139). Kilima: 1,200, 1,320, 1,440 a year (100, 110, 120 a
    # month), slope 120: forecast 1,560; 2023 = 12 x 200 = 2,400; ratio 1.538462.
    # Mto: flat 1,200 -> forecast 1,200; 2023 = 1,440; ratio 1.2. Boundary: totals 2,400,
    # 2,520, 2,640 -> forecast 2,760; 2023 = 3,840; ratio 1.391304.
    # Kilima 1.538462 / 1.391304 = 1.1058 (ok); Mto 1.2 / 1.391304 = 0.8625 (ok).
    frames = []
    for unit, per_month in (("Kilima", [100, 110, 120, 200]), ("Mto", [100, 100, 100, 120])):
        for i, v in enumerate(per_month):
            frames.append(monthly(unit, "ANC1", [v] * 12, f"{2020 + i}-01"))
    data = pd.concat(frames, ignore_index=True)
    result = q.review(data, time_method="trend")
    units = result.annual.units
    over = units[(units["metric"] == "consistency_over_time") & (units["level"] == "facility")]
    got = dict(zip(over["org_unit"], over["score"], strict=True))
    assert got == pytest.approx({"Kilima": 2400 / 1560, "Mto": 1.2})
    line = result.annual.report("facility").query("metric == 'consistency_over_time'").iloc[0]
    assert line["overall"] == pytest.approx(3840 / 2760)
    assert line["divergent"] == 0 and "trend of" in line["threshold"]
    # The mean (the default): Kilima 2,400 / 1,320 = 1.818182; Mto 1.2; boundary
    # 3,840 / 2,520 = 1.523810 -> Mto 0.7875 (ok), Kilima 1.1932 (ok).
    mean = q.review(data).annual.report("facility").query("metric == 'consistency_over_time'")
    assert mean["overall"].iloc[0] == pytest.approx(3840 / 2520)


def test_a_level_relation_compares_each_unit_with_the_boundary():
    # type 'level' (isOutlier, dqAnalysisConsistency.js line 476): (A / B) / boundary's
    # A / B outside 1 ± 10 %. Year totals: K 100 / 100 = 1.0, M 60 / 40 = 1.5,
    # N 115 / 100 = 1.15; boundary (100 + 60 + 115) / (100 + 40 + 100) = 275 / 240
    # = 1.145833. K 1.0 / 1.145833 = 0.8727 and M 1.5 / 1.145833 = 1.3091 are divergent;
    # N 1.15 / 1.145833 = 1.0036 is within.
    relations = pd.DataFrame(
        {"code": ["R"], "name": ["A to B"], "a": ["A"], "b": ["B"], "type": ["level"],
         "criteria": [10.0]}
    )  # fmt: skip
    data = pd.concat(
        [
            monthly("K", "A", [100 / 12] * 12),
            monthly("K", "B", [100 / 12] * 12),
            monthly("M", "A", [60 / 12] * 12),
            monthly("M", "B", [40 / 12] * 12),
            monthly("N", "A", [115 / 12] * 12),
            monthly("N", "B", [100 / 12] * 12),
        ],
        ignore_index=True,
    )
    line = q.review(data, relations=relations).annual.report("facility").iloc[-1]
    assert line["metric"] == "relation"
    assert line["overall"] == pytest.approx(275 / 240)
    assert line["names"] == "K, M" and line["subunits"] == 3


# ------------------------------------------------ timeliness rolled up to levels
def test_timeliness_rolls_up_to_the_district_when_reports_never_sent_have_no_on_time():
    # Two facilities of one district, 12 months each. A report that never came has
    # no on-time value (blank), as in DHIS2's "actual reports on time".
    # A: 12 expected, 12 received, 10 on time (no blank).
    # B: 12 expected, 9 received (3 blank on time), 6 on time.
    # By hand: facility A 10 / 12 = 83.3 %, B 6 / 12 = 50 %;
    # district (10 + 6) / (12 + 12) = 16 / 24 = 66.7 %, over 2 facilities.
    data = pd.concat(
        [monthly("A", "ANC1", [5] * 24, "2022-01"), monthly("B", "ANC1", [6] * 24, "2022-01")]
    )
    periods = [str(p) for p in pd.period_range("2023-01", periods=12, freq="M")]
    rep = pd.DataFrame(
        {
            "org_unit": ["A"] * 12 + ["B"] * 12,
            "period": periods * 2,
            "expected": 1,
            "received": [1] * 12 + [1] * 9 + [0] * 3,
            "on_time": [1] * 10 + [0] * 2 + [1] * 6 + [0] * 3 + [np.nan] * 3,
        }
    )
    units = pd.DataFrame(
        {
            "org_unit_id": ["c", "r", "d", "A", "B"],
            "name": ["Country", "North", "Hill District", "A", "B"],
            "parent_id": [None, "c", "r", "d", "d"],
        }
    )
    result = q.review(data, rep, org_units=units)
    units_table = result.annual.units
    district = row(units_table, level="district", metric="reporting_timeliness")
    assert district["numerator"] == 16
    assert district["denominator"] == 24
    assert district["score"] == pytest.approx(16 / 24)
    facility = result.annual.report("facility", "Hill District").set_index("metric")
    assert facility.loc["reporting_timeliness", "subunits"] == 2
    assert facility.loc["reporting_timeliness", "not_checked"] == 0
    assert facility.loc["reporting_timeliness", "names"] == "B"
    region = result.annual.report("district").set_index("metric")
    assert region.loc["reporting_timeliness", "overall"] == pytest.approx(16 / 24)
    assert region.loc["reporting_timeliness", "overall_text"] != "no data"
    # Every metric at every level counts every unit that has data.
    for level, within, n in [("facility", None, 2), ("district", None, 1), ("region", None, 1)]:
        report = result.annual.report(level, within)
        assert set(report["subunits"]) == {n}, level
        assert (report["not_checked"] == 0).all(), level


def test_a_unit_whose_reports_have_no_on_time_value_at_all_has_no_timeliness():
    data = pd.concat([monthly("A", "ANC1", [5] * 12), monthly("B", "ANC1", [6] * 12)])
    periods = [str(p) for p in pd.period_range("2023-01", periods=12, freq="M")]
    rep = pd.DataFrame(
        {
            "org_unit": ["A"] * 12 + ["B"] * 12,
            "period": periods * 2,
            "expected": 1,
            "received": 1,
            "on_time": [1.0] * 12 + [np.nan] * 12,
        }
    )
    result = q.review(data, rep)
    rows = result.annual.units.query("metric == 'reporting_timeliness'").set_index("org_unit")
    assert rows.loc["A", "score"] == 1.0
    assert np.isnan(rows.loc["B", "score"])


def test_the_example_kavira_district_2025_timeliness_counts_all_27_facilities():
    from phcpm.paths import dataset_path

    names = pd.read_csv(dataset_path("org_units.csv"))
    table = names.assign(
        org_unit_id=names["name"],
        parent_id=names["parent_id"].map(names.set_index("org_unit_id")["name"]),
    )[["org_unit_id", "name", "parent_id"]]
    by_id = names.set_index("org_unit_id")["name"]
    service = pd.read_csv(dataset_path("service_data.csv"))
    service["org_unit"] = service["org_unit_id"].map(by_id)
    rep = pd.read_csv(dataset_path("reporting.csv"))
    rep["org_unit"] = rep["org_unit_id"].map(by_id)
    result = q.review(service, rep, year=2025, org_units=table)
    kavira = row(
        result.annual.units,
        level="district",
        org_unit="Kavira District",
        metric="reporting_timeliness",
    )
    # reporting.csv, 2025, Kavira's 27 facilities: 231 on time of 27 x 12 = 324 expected
    assert kavira["numerator"] == 231
    assert kavira["denominator"] == 324
    assert kavira["score"] == pytest.approx(0.713, abs=0.0005)
    inside = result.annual.report("facility", "Kavira District").set_index("metric")
    assert inside.loc["reporting_timeliness", "subunits"] == 27
    assert inside.loc["reporting_timeliness", "overall"] == pytest.approx(231 / 324)
    districts = result.annual.report("district").set_index("metric")
    assert districts.loc["reporting_timeliness", "subunits"] == 6
    assert districts.loc["reporting_timeliness", "overall_text"] != "no data"
