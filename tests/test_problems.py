"""Tests for phcpm.problem_analysis (and its old name phcpm.problems): Pareto, fishbone, problem tree, five whys, workforce measures."""

from __future__ import annotations

import pandas as pd
import pytest

from phcpm import problems
from phcpm.errors import InputError
from phcpm.paths import dataset_path

# --------------------------------------------------------------------------- Pareto


def test_pareto_hand_worked():
    """Counts 50, 30, 10, 6, 4 (total 100): cumulative 50, 80, 90, 96, 100 %.

    With the convention "cumulative share at most 80 %", the vital few are the
    first two categories.
    """
    df = pd.DataFrame({"reason": ["c", "a", "e", "b", "d"], "n": [10, 50, 4, 30, 6]})
    t = problems.pareto(df, "reason", "n")
    assert t["reason"].tolist() == ["a", "b", "c", "d", "e"]
    assert t["count"].tolist() == [50, 30, 10, 6, 4]
    assert t["cumulative_share"].tolist() == pytest.approx([0.5, 0.8, 0.9, 0.96, 1.0])
    assert t["vital_few"].tolist() == [True, True, False, False, False]


def test_pareto_counts_rows_and_breaks_ties_by_name():
    df = pd.DataFrame({"k": ["y", "x", "y", "x", "z"]})
    t = problems.pareto(df, "k")
    assert t["k"].tolist() == ["x", "y", "z"]
    assert t["count"].tolist() == [2, 2, 1]
    # cumulative 40 %, 80 %, 100 %
    assert t["vital_few"].tolist() == [True, True, False]


def test_pareto_top_category_always_vital():
    t = problems.pareto(pd.DataFrame({"k": ["a", "b"], "n": [95, 5]}), "k", "n")
    assert t["vital_few"].tolist() == [True, False]


def test_pareto_does_not_change_its_input():
    df = pd.DataFrame({"k": ["a", "b"], "n": [1, 2]})
    copy = df.copy()
    problems.pareto(df, "k", "n")
    pd.testing.assert_frame_equal(df, copy)


@pytest.mark.parametrize(
    ("df", "count", "words"),
    [
        (pd.DataFrame({"k": ["a"], "n": ["many"]}), "n", "not a number"),
        (pd.DataFrame({"k": ["a"], "n": [-1]}), "n", "not a number of 0 or more"),
        (pd.DataFrame({"k": ["a"], "n": [0]}), "n", "nothing to count"),
        (pd.DataFrame({"k": ["a", ""], "n": [1, 1]}), "n", "no category"),
        (pd.DataFrame({"k": ["a"]}), "m", "no column 'm'"),
    ],
)
def test_pareto_errors(df, count, words):
    with pytest.raises(InputError, match=words):
        problems.pareto(df, "k", count)


def test_pareto_figure_has_bars_and_line():
    import matplotlib.pyplot as plt

    t = problems.pareto(pd.DataFrame({"k": ["a", "b", "c"], "n": [5, 3, 2]}), "k", "n")
    fig = problems.pareto_figure(t)
    assert len(fig.axes[0].patches) == 3
    plt.close(fig)


# --------------------------------------------------------------------------- fishbone


def test_fishbone_layout_and_svg():
    causes = {c: [f"{c} cause 1", f"{c} cause 2"] for c in problems.FISHBONE_CATEGORIES}
    causes["Measurement"] = []
    fb = problems.fishbone("Staff absent without permission", causes)
    assert fb.bones["category"].tolist() == list(problems.FISHBONE_CATEGORIES)
    assert fb.bones["side"].tolist() == ["top", "bottom"] * 3
    assert len(fb.causes) == 10
    # causes sit between the bone's outer end and the spine
    merged = fb.causes.merge(fb.bones, on="category")
    assert ((merged["x"] > merged["x_end"]) & (merged["x"] < merged["x_spine"])).all()
    svg = fb.svg()
    assert svg.count(">People cause") == 2  # one text element per cause
    assert "(no causes yet)" in fb.text()
    import matplotlib.pyplot as plt

    plt.close(fb.figure())


def test_fishbone_errors():
    with pytest.raises(InputError, match="no effect"):
        problems.fishbone("  ", {"People": ["a"]})
    with pytest.raises(InputError, match="no categories"):
        problems.fishbone("x", {})
    with pytest.raises(InputError, match="9 categories"):
        problems.fishbone("x", {str(i): [] for i in range(9)})
    with pytest.raises(InputError, match="9 causes"):
        problems.fishbone("x", {"People": [str(i) for i in range(9)]})


def test_fishbone_accepts_text_lines():
    fb = problems.fishbone("x", {"People": "one\n\ntwo\n"})
    assert fb.causes["cause"].tolist() == ["one", "two"]


# --------------------------------------------------------------------------- tree, whys


def test_problem_tree_svg():
    svg = problems.problem_tree(
        "Supervision visits not done",
        {"No transport": ["Vehicle broken"], "No plan": []},
        ["Staff feel unsupported"],
    )
    assert svg.startswith("<svg")
    assert svg.count("<rect x=") == 5  # core, 1 effect, 2 causes, 1 deeper cause
    assert "Vehicle broken" in svg
    with pytest.raises(InputError, match="no causes"):
        problems.problem_tree("x", [], ["y"])
    with pytest.raises(InputError, match="no core"):
        problems.problem_tree("", ["a"], [])


def test_five_whys_chain():
    fw = problems.five_whys(
        "Appraisals not done",
        ["Supervisors have no time", "Forms arrive late", "No one orders the forms"],
    )
    assert fw.root_cause == "No one orders the forms"
    assert fw.table["level"].tolist() == [1, 2, 3]
    assert fw.table["question"].iloc[1] == "Why? (Supervisors have no time)"
    assert "Root cause to act on: No one orders the forms" in fw.text()


def test_five_whys_errors():
    with pytest.raises(InputError, match="at least twice"):
        problems.five_whys("p", ["only one"])
    with pytest.raises(InputError, match="repeats answer 1"):
        problems.five_whys("p", ["a", "b", "A."])
    with pytest.raises(InputError, match="Answer 2 is empty"):
        problems.five_whys("p", ["a", "", "c"])
    with pytest.raises(InputError, match="8 answers"):
        problems.five_whys("p", [str(i) for i in range(8)])


# --------------------------------------------------------------------------- workforce

STAFF = pd.DataFrame(
    {"staff_id": ["s1", "s2", "s3"], "org_unit_id": ["F", "F", "G"], "cadre": ["nurse"] * 3}
)


def test_absenteeism_hand_worked():
    """s1: 4 days, 1 unauthorised absence; s2: 4 days, 1 authorised, 1 late.

    Facility F: 8 staff-days, 1 unauthorised -> 1/8 = 12.5 %; any absence 2/8 = 25 %.
    """
    att = pd.DataFrame(
        {
            "staff_id": ["s1"] * 4 + ["s2"] * 4 + ["s3"] * 2,
            "status": ["present", "present", "absent_unauthorised", "present"]
            + ["late", "absent_authorised", "present", "present"]
            + ["present", "present"],
        }
    )
    out = problems.absenteeism(att, STAFF, by=["org_unit_id"]).set_index("org_unit_id")
    assert out.loc["F", "days"] == 8 and out.loc["F", "staff"] == 2
    assert out.loc["F", "absenteeism_rate"] == pytest.approx(1 / 8)
    assert out.loc["F", "any_absence_rate"] == pytest.approx(2 / 8)
    assert out.loc["G", "absenteeism_rate"] == 0


def test_absenteeism_errors():
    att = pd.DataFrame({"staff_id": ["s1"], "status": ["on holiday"]})
    with pytest.raises(InputError, match="not known"):
        problems.absenteeism(att, STAFF)
    att = pd.DataFrame({"staff_id": ["s9"], "status": ["present"]})
    with pytest.raises(InputError, match="not in the staff list"):
        problems.absenteeism(att, STAFF)


def test_supervision_hand_worked():
    """F: 4 planned, 3 done (75 %), one unplanned visit done; scores 60, 80, 70, 90."""
    visits = pd.DataFrame(
        {
            "org_unit_id": ["F"] * 5,
            "planned": [1, 1, 1, 1, 0],
            "done": [1, 1, 1, 0, 1],
            "checklist_score": [60, 80, 70, None, 90],
        }
    )
    out = problems.supervision_coverage(visits).iloc[0]
    assert out["planned"] == 4 and out["planned_done"] == 3
    assert out["completion_rate"] == pytest.approx(0.75)
    assert out["unplanned_done"] == 1
    assert out["mean_score"] == pytest.approx(75.0)


def test_supervision_without_checklist_scores_still_counts_visits():
    """The checklist score is optional: without it the rates stand and the mean score is empty."""
    visits = pd.DataFrame({"org_unit_id": ["F"] * 3, "planned": [1, 1, 0], "done": [1, 0, 1]})
    out = problems.supervision_coverage(visits).iloc[0]
    assert out["planned"] == 2 and out["planned_done"] == 1
    assert out["completion_rate"] == pytest.approx(0.5)
    assert pd.isna(out["mean_score"])


def test_missing_columns_are_named_in_plain_words():
    visits = pd.DataFrame({"org_unit_id": ["F"], "planned": [1]})
    with pytest.raises(InputError, match=r"supervision visits table lacks the column\(s\) done"):
        problems.supervision_coverage(visits)


def test_old_and_new_module_names_give_the_same_functions():
    from phcpm import problem_analysis

    assert set(problems.__all__) == set(problem_analysis.__all__)
    for name in problem_analysis.__all__:
        assert getattr(problems, name) is getattr(problem_analysis, name)


def test_appraisals_hand_worked():
    """Due 3, done among due 2 (an appraisal done when not due does not count)."""
    ap = pd.DataFrame(
        {
            "staff_id": ["s1", "s2", "s3", "s1"],
            "year": [2025] * 4,
            "due": [1, 1, 1, 0],
            "done": [1, 0, 1, 1],
        }
    )
    out = problems.appraisal_completion(ap).iloc[0]
    assert out["due"] == 3 and out["done"] == 2
    assert out["completion_rate"] == pytest.approx(2 / 3)
    with pytest.raises(InputError, match="1 \\(yes\\) or 0"):
        problems.appraisal_completion(ap.assign(done=[1, 2, 0, 0]))


def test_synthetic_workforce_problems_are_where_the_readme_says():
    """datasets/README.md: absenteeism and few appraisals in Tembwe; weak supervision and
    few appraisals in Lusako."""
    units = pd.read_csv(dataset_path("org_units.csv"))
    staff = problems.with_names(pd.read_csv(dataset_path("staff.csv")), units)
    visits = problems.with_names(pd.read_csv(dataset_path("supervision_visits.csv")), units)
    sup = problems.supervision_coverage(visits, by=["district"]).set_index("district")
    assert sup["completion_rate"].idxmin() == "Lusako"
    app = problems.appraisal_completion(
        pd.read_csv(dataset_path("appraisals.csv")), staff, by=["district"]
    ).set_index("district")
    assert set(app["completion_rate"].nsmallest(2).index) == {"Tembwe", "Lusako"}
    att = pd.read_csv(dataset_path("attendance.csv"))
    ab = problems.absenteeism(att, staff, by=["district"])
    assert ab["district"].tolist() == ["Tembwe"]
    assert 0 < ab["absenteeism_rate"].iloc[0] < 0.5


# --------------------------------------------------------------------------- Pareto input


def test_typed_pareto_lines_take_the_count_after_the_last_comma():
    t = problems.parse_pareto_text("Late, no transport, 12\n\nNo plan\t30\n")
    assert t["category"].tolist() == ["Late, no transport", "No plan"]
    assert t["count"].tolist() == [12.0, 30.0]


@pytest.mark.parametrize(
    ("text", "words", "where"),
    [
        ("Transport, 12\nNo fuel five", "no comma", "line 2"),
        ("Transport, twelve", "'twelve' is not a number", "line 1"),
        ("\nTransport, -3", "0 or more", "line 2"),
        (", 4", "no category", "line 1"),
        ("Transport, ", "count is empty", "line 1"),
    ],
)
def test_typed_pareto_lines_name_the_bad_line(text, words, where):
    with pytest.raises(InputError, match=words) as err:
        problems.parse_pareto_text(text)
    assert err.value.where == where


def test_an_empty_pareto_list_is_refused():
    with pytest.raises(InputError, match="no categories"):
        problems.parse_pareto_text("\n  \n")


def test_pareto_counts_from_a_two_column_table_say_which_columns():
    table = pd.DataFrame({"Cause": ["No fuel", "Transport"], "Cases": ["5", "1 204"]})
    counts, notes = problems.pareto_counts(table, "the file 'causes.csv'")
    assert counts["count"].tolist() == [5.0, 1204.0]
    assert notes == ["Categories from the column 'Cause', counts from the column 'Cases'."]


def test_pareto_counts_from_one_column_count_each_row():
    table = pd.DataFrame({"reason": ["fuel", "roads", "fuel", None]})
    counts, notes = problems.pareto_counts(table)
    assert problems.pareto(counts, "category", "count")["count"].tolist() == [2, 1]
    assert "one column" in notes[0] and "3 rows" in notes[0]


def test_pareto_counts_refuse_a_text_column_and_period_codes():
    words = pd.DataFrame({"ou": ["Kelumo", "Pezali"], "name": ["ANC 1", "ANC 4"]})
    with pytest.raises(InputError, match="holds text, not counts"):
        problems.pareto_counts(words, "the file 'a.csv'")
    periods = pd.DataFrame({"ou": ["Kelumo", "Pezali"], "pe": [202401, 202402], "de": ["a", "b"]})
    with pytest.raises(InputError, match=r"period codes \(202401, 202402 \.\.\.\)"):
        problems.pareto_counts(periods, "the file 'a.csv'")
    # numbers that are not period codes are counts
    counts, notes = problems.pareto_counts(
        pd.DataFrame({"ou": ["Kelumo"], "n": [202413], "x": [1]})
    )
    assert counts["count"].tolist() == [202413.0]
    assert "1 other column(s) were left out: 'x'." in notes


def test_pareto_counts_name_the_row_of_a_bad_count():
    table = pd.DataFrame({"cause": ["fuel", "roads"], "n": ["3", "many"]})
    with pytest.raises(InputError, match="'many' is not a number") as err:
        problems.pareto_counts(table, "the file 'a.csv'")
    assert err.value.where == "row 3 of the file 'a.csv', column 'n'"


# Lesson 5.2 ("Analysing workforce problems", book/process/02-problem-analysis.ipynb):
# Lusako District, 2025, 54 planned supervision visits missed; no vehicle or fuel 22,
# supervisor called to other duties 13, facility closed or in-charge away 8 (together
# 43, 79.6 %, the vital few), road impassable after rain 7, allowance not paid 3, other 1.
def test_missed_visit_reasons_match_the_lesson_for_lusako_2025():
    visits = pd.read_csv(dataset_path("supervision_visits.csv"))
    units = pd.read_csv(dataset_path("org_units.csv"))
    before = visits.copy()
    table, missed = problems.missed_visit_reasons(visits, units, district="Lusako", year=2025)
    assert missed == 54
    assert table["missed_reason"].tolist() == [
        "No vehicle or fuel",
        "Supervisor called to other duties",
        "Facility closed or in-charge away",
        "Road impassable after rain",
        "Allowance not paid",
        "Other",
    ]
    assert table["count"].tolist() == [22, 13, 8, 7, 3, 1]
    assert table["vital_few"].tolist() == [True, True, True, False, False, False]
    assert table["cumulative_share"].iloc[2] == pytest.approx(43 / 54)
    pd.testing.assert_frame_equal(visits, before)


def test_missed_visit_reasons_counts_only_missed_planned_visits_and_names_blank_reasons():
    visits = pd.DataFrame(
        {
            "org_unit_id": ["a", "a", "a", "b", "a"],
            "date": ["2025-01-02", "2025-02-02", "2025-03-02", "2025-01-05", "2024-05-01"],
            "planned": [1, 1, 0, 1, 1],
            "done": [0, 1, 1, 0, 0],
            "missed_reason": ["No vehicle or fuel", None, None, None, "Other"],
        }
    )
    units = pd.DataFrame({"org_unit_id": ["a", "b"], "district": ["Ruvo", "Ruvo"]})
    table, missed = problems.missed_visit_reasons(visits, units, district="Ruvo", year="2025")
    assert missed == 2
    assert dict(zip(table["missed_reason"], table["count"], strict=True)) == {
        "No vehicle or fuel": 1,
        problems.NO_REASON: 1,
    }
    with pytest.raises(InputError, match="no planned supervision visits missed in Tembwe"):
        problems.missed_visit_reasons(visits, units, district="Tembwe")
    with pytest.raises(InputError, match="missed_reason"):
        problems.missed_visit_reasons(visits.drop(columns="missed_reason"), units)
