"""Comparing flags with the answer key of the synthetic data.

The expected numbers come from ``datasets/answer_key.csv`` (39 problems; the
counts per type are listed in ``datasets/README.md``) and from small keys built
by hand below, whose outcome can be read off the table.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phcpm.answer_key import compare_with_key, load_key
from phcpm.errors import InputError
from phcpm.paths import dataset_path

KEY = load_key()


def small_key() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "problem_id": ["A1", "A2", "A3", "A4"],
            "problem_type": ["extra_digit", "extra_digit", "missing_reports", "late_report"],
            "file": ["service_data.csv", "service_data.csv", "reporting.csv", "reporting.csv"],
            "org_unit_id": ["u1", "u2", "u3", "u4"],
            "period": ["2024-03", "2025-06", "2024-03/2024-12", "2024-09"],
            "data_element": ["MCV1", "PENTA1", None, None],
            "true_value": [56, 57, None, None],
            "recorded_value": [569, 574, 10, 20],
            "description": ["u1 typed 569", "u2 typed 574", "u3 silent", "u4 late"],
        }
    )


def test_the_key_lists_the_problems_of_the_readme():
    # datasets/README.md, "Problems put in on purpose": 39 problems in 12 types.
    counts = KEY["problem_type"].value_counts()
    assert len(KEY) == 39
    assert counts["extra_digit"] == 6 and counts["duplicate_row"] == 5
    assert counts["late_report"] == 4 and counts["denominator_too_low"] == 3


def test_the_key_itself_finds_every_problem_and_nothing_else():
    flags = KEY.rename(columns={"org_unit_id": "org_unit"})
    result = compare_with_key(flags)
    assert result.found == 39 and result.missed == 0
    assert result.unmatched_flags == 0
    assert result.by_type["missed"].sum() == 0
    assert result.lines[0] == "You found 39 of the 39 problems put in the data."


def test_hand_built_example():
    key = small_key()
    flags = pd.DataFrame(
        {
            "org_unit": ["u1", "u1", "u2", "u3", "u9"],
            "period": ["2024-03", "2024-04", "2024", None, "2024-01"],
            "data_element": ["MCV1", "MCV1", "BCG", "PHC monthly report", "OPD_TOTAL"],
        }
    )
    result = compare_with_key(flags, key, who="The review")
    found = dict(zip(result.problems["problem_id"], result.problems["found"], strict=True))
    # u1 2024-03 MCV1: exact; u2: wrong element and year 2024 does not hold 2025-06;
    # u3: a flag without a period covers the whole range; u4: no flag.
    assert found == {"A1": True, "A2": False, "A3": True, "A4": False}
    assert result.problems.set_index("problem_id").loc["A1", "flags"] == 1
    assert result.unmatched_flags == 3  # u1 2024-04, u2 BCG, u9
    assert result.lines[0] == "The review found 2 of the 4 problems put in the data."
    assert "Found 1 of the 2 extra digits typed." in result.lines
    assert "Missed: u4 late" in result.lines
    assert "Missed: u2 typed 574" in result.lines


def test_a_year_flag_overlaps_a_month_and_a_range():
    key = small_key()
    flags = pd.DataFrame(
        {
            "org_unit": ["u2", "u3"],
            "period": [pd.Period("2025", freq="Y"), pd.Period("2024-12", freq="M")],
            "data_element": ["PENTA1<=PENTA3", None],
        }
    )
    found = compare_with_key(flags, key).problems.set_index("problem_id")["found"]
    assert found["A2"] and found["A3"] and not found["A1"]


def test_only_fitting_checks_count_when_flags_name_their_rule():
    key = small_key()
    flags = pd.DataFrame(
        {
            "org_unit": ["u4", "u3", "u1"],
            "period": ["2024-09", "2024-05", "2024-03"],
            "data_element": ["OPD_TOTAL", "PHC monthly report", "MCV1"],
            "rule": ["outlier_sd", "reporting_timeliness", "reporting_completeness"],
        }
    )
    result = compare_with_key(flags, key)
    # An outlier does not find a late report, timeliness does not find missing
    # reports, and a completeness check does not find an extra digit.
    assert result.found == 0
    flags["rule"] = ["reporting_timeliness", "reporting_completeness", "outlier_sd"]
    result = compare_with_key(flags, key)
    assert set(result.problems.loc[result.problems["found"], "problem_id"]) == {"A1", "A3", "A4"}
    assert result.problems.set_index("problem_id").loc["A4", "found_by"] == "reporting_timeliness"


def test_duplicates_found_with_pandas_are_recognised():
    data = pd.read_csv(dataset_path("service_data.csv"))
    dup = data[data.duplicated(keep="first")].rename(columns={"org_unit_id": "org_unit"})
    result = compare_with_key(dup.assign(rule="duplicate"))
    row = result.by_type.set_index("problem_type").loc["duplicate_row"]
    assert (row["put_in"], row["found"], row["missed"]) == (5, 5, 0)


@settings(max_examples=25, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=len(KEY) - 1)))
def test_a_subset_of_the_key_finds_exactly_that_subset(rows):
    chosen = KEY.iloc[sorted(rows)].rename(columns={"org_unit_id": "org_unit"})
    result = compare_with_key(chosen[["org_unit", "period", "data_element"]])
    found = set(result.problems.loc[result.problems["found"], "problem_id"])
    assert found == set(chosen["problem_id"])
    assert result.found + result.missed == 39


def test_inputs_are_not_changed_and_errors_are_plain():
    flags = KEY.rename(columns={"org_unit_id": "org_unit"}).head(3)
    before = flags.copy()
    compare_with_key(flags)
    pd.testing.assert_frame_equal(flags, before)
    with pytest.raises(InputError, match="no column 'org_unit'"):
        compare_with_key(pd.DataFrame({"facility": ["x"]}))
    with pytest.raises(InputError, match="not understood"):
        compare_with_key(pd.DataFrame({"org_unit": ["u1"], "period": ["March"]}), small_key())


def test_markdown_lists_found_and_missed():
    result = compare_with_key(pd.DataFrame({"org_unit": ["u1"]}), small_key())
    text = result._repr_markdown_()
    assert "- Found the extra digit typed" not in text  # two extra digits in the key
    assert "- Found 1 of the 2 extra digits typed." in text
    assert "- Missed: u4 late" in text


def test_an_answer_key_without_its_columns_is_refused_in_plain_words():
    flags = pd.DataFrame({"org_unit": ["x"]})
    with pytest.raises(
        InputError, match=r"answer key lacks the column\(s\) problem_id, .*org_unit_id"
    ):
        compare_with_key(flags, key=pd.DataFrame({"facility": ["x"]}))
