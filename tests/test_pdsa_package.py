"""The PDSA core as a package: its layout, its doctests, and the checks on pasted values."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from phcpm import pdsa
from phcpm.errors import InputError
from phcpm.pdsa import ProjectStore

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2024, 6, 30)
MODULES = ["phcpm.pdsa"] + [
    f"phcpm.pdsa.{m.name}" for m in pkgutil.iter_modules(pdsa.__path__) if not m.ispkg
]

#: Every public name of the single module the package replaced.
OLD_NAMES = """ENV_VAR DEFAULT_PATH KINDS ROLES DECISIONS CYCLE_TEXT_FIELDS CYCLE_FIELDS
PROJECT_FIELDS MEASURE_FIELDS FORMAT_NAME FORMAT_VERSION SCHEMA_VERSION check_period
value_columns parse_value_lines value_table check_value changed_cycle_fields ProjectStore
EXAMPLE_USER EXAMPLE_AIM EXAMPLE_TEAM EXAMPLE_MEASURE EXAMPLE_DEFINITION EXAMPLE_FAMILY
example_project_data load_example_project cycle_summary FIELD_WORDS ROLE_WORDS role_words
measure_title DECISION_WORDS readable_values readable_cycles readable_history TEAM_ENV_VAR
TEAM_SLUG_MAX team_slug default_store_path team_store_path default_team ACCESS_CODE_MIN
hash_access_code access_code_matches""".split()


@pytest.fixture
def store(tmp_path):
    with ProjectStore(tmp_path / "projects.sqlite") as s:
        yield s


@pytest.fixture
def measure(store):
    pid = store.create_project("Fever testing", user="Amina")
    mid = store.add_measure(pid, "Febrile children tested", "proportion", user="Amina")
    store.add_value(mid, "2024-06-03", user="Amina", numerator=17, denominator=30, today=TODAY)
    return mid


# --------------------------------------------------------------------------- layout


def test_every_old_public_name_still_imports_from_the_package():
    missing = [n for n in OLD_NAMES if not hasattr(pdsa, n)]
    assert not missing, missing
    assert set(OLD_NAMES) <= set(pdsa.__all__)


@pytest.mark.parametrize("name", MODULES)
def test_each_module_says_what_it_offers_and_it_is_there(name):
    module = importlib.import_module(name)
    assert isinstance(module.__all__, list)
    assert all(hasattr(module, n) for n in module.__all__)


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_run(name):
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(importlib.import_module(name), optionflags=flags)
    assert result.failed == 0


def test_there_are_docstring_examples():
    attempted = sum(
        doctest.testmod(importlib.import_module(n), report=False).attempted for n in MODULES
    )
    assert attempted >= 5


def test_the_future_period_rule_is_written_once():
    places = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in [*sorted((ROOT / "phcpm" / "pdsa").glob("*.py")), ROOT / "widgets" / "pdsa.py"]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "is in the future" in line and ">>>" not in line and "InputError:" not in line
    ]
    assert len(places) == 1, places
    assert places[0].startswith("phcpm/pdsa/validate.py:"), places


def test_the_tool_imports_no_private_name_of_the_core():
    text = (ROOT / "widgets" / "pdsa.py").read_text(encoding="utf-8")
    assert "pdsa._" not in text
    assert "from phcpm.pdsa import _" not in text


# --------------------------------------------------------------------------- an entry being typed


def test_an_entry_is_checked_as_far_as_it_is_typed():
    pdsa.check_entry("proportion", "", numerator="17", today=TODAY)  # denominator still to come
    pdsa.check_entry("count", "2024-06-30", today=TODAY)
    with pytest.raises(InputError, match="2024-07-01 is in the future"):
        pdsa.check_entry("count", " 2024-07-01 ", value="3", today=TODAY)
    with pytest.raises(InputError, match="not a whole number"):
        pdsa.check_entry("count", "", value="2.5")
    with pytest.raises(InputError, match="larger than the denominator"):
        pdsa.check_entry("proportion", "", numerator="31", denominator="30")
    with pytest.raises(InputError, match="not a kind of measure"):
        pdsa.check_entry("ratio", "")


# --------------------------------------------------------------------------- pasted values


def test_a_pasted_future_period_is_refused_naming_its_line_and_nothing_is_saved(store, measure):
    before = store.values(measure)
    history = store.audit_log(1)
    frame = pdsa.parse_value_lines("2024-06-10, 18, 30\n\n2024-07-01, 19, 30", "proportion")
    with pytest.raises(InputError, match="2024-07-01 is in the future") as err:
        store.add_values(measure, frame, user="Amina", today=TODAY)
    assert err.value.where == "line 3"
    pd.testing.assert_frame_equal(store.values(measure), before)
    pd.testing.assert_frame_equal(store.audit_log(1), history)


@pytest.mark.parametrize("replace", [False, True])
def test_a_period_already_entered_is_refused_or_replaced(store, measure, replace):
    before = store.values(measure)
    frame = pdsa.parse_value_lines("2024-06-10, 18, 30\n2024-06-03, 20, 30", "proportion")
    if not replace:
        with pytest.raises(InputError, match="already has a result") as err:
            store.add_values(measure, frame, user="Amina", today=TODAY)
        assert err.value.where == "line 2"
        pd.testing.assert_frame_equal(store.values(measure), before)
        return
    assert store.add_values(measure, frame, user="Amina", replace=True, today=TODAY) == 2
    saved = store.values(measure).set_index("period")
    assert saved.loc["2024-06-03", "numerator"] == 20
    assert saved.loc["2024-06-10", "numerator"] == 18


def test_one_bad_line_saves_none_of_the_good_ones(store, measure):
    before = store.values(measure)
    frame = pdsa.parse_value_lines(
        "2024-06-10, 18, 30\n2024-06-17, 19, 30\n2024-06-24, 19, 0", "proportion"
    )
    with pytest.raises(InputError, match="denominator .* is zero") as err:
        store.add_values(measure, frame, user="Amina", today=TODAY)
    assert err.value.where == "line 3"
    pd.testing.assert_frame_equal(store.values(measure), before)


def test_a_pasted_line_that_is_not_a_date_is_named(store, measure):
    frame = pdsa.parse_value_lines("2024-06-10, 18, 30\n10 June, 19, 30", "proportion")
    with pytest.raises(InputError, match="'10 June' is not a date") as err:
        store.add_values(measure, frame, user="Amina", today=TODAY)
    assert err.value.where == "line 2"


def test_an_imported_future_period_is_refused_by_the_same_rule(store, measure):
    data = store.export_json(1).replace("2024-06-03", "2024-07-01")
    with pytest.raises(InputError, match=r"is in the future \(today is 2024-06-30\)") as err:
        store.import_json(data, today=TODAY)
    assert err.value.where == "JSON file, value 1"
    assert len(store.list_projects()) == 1


# --------------------------------------------------------------------------- chart and files


def test_the_run_chart_needs_two_periods_and_names_the_cycles(store, measure):
    import matplotlib.pyplot as plt

    assert pdsa.run_chart(store, measure) is None  # one period: no run to read
    store.add_value(measure, "2024-06-10", user="Amina", numerator=20, denominator=30, today=TODAY)
    store.add_cycle(1, user="Amina", title="Test every febrile child", start_date="2024-06-10")
    chart = pdsa.run_chart(store, measure)
    try:
        assert chart.sentences
        assert chart.description.startswith("Run chart. ")
        assert "2 periods from 2024-06-03 to 2024-06-10" in chart.description
        assert "1 PDSA cycle notes: PDSA 1: Test every febrile child" in chart.description
        assert chart.figure.axes[0].get_ylabel() == "Febrile children tested (%)"
    finally:
        plt.close(chart.figure)


def test_a_saved_file_comes_back_whether_excel_or_backup(store, measure):
    workbook = store.export_excel(1)
    backup = store.export_json(1).encode("utf-8")
    for data, name in [(workbook, "project.xlsx"), (workbook, "renamed"), (backup, "b.json")]:
        pid = store.import_file(data, name, today=TODAY)
        assert store.values(store.list_measures(pid)["id"].iloc[0])["numerator"].tolist() == [17]
    with pytest.raises(InputError):
        store.import_file(b"not a project", "notes.txt", today=TODAY)


# --------------------------------------------------------------------------- which way is better


def _run(values):
    from phcpm import spc

    weeks = pd.date_range("2024-01-01", periods=len(values), freq="7D")
    return spc.qic(values, x=weeks, chart="run")


# sixteen weeks: eight around 50, then eight around 27 (a shift down at the end)
FALL = [50, 52, 49, 51, 50, 53, 48, 51, 30, 28, 27, 29, 26, 25, 28, 27]


def test_a_fall_at_the_end_is_an_improvement_only_when_lower_is_better():
    lower = pdsa.direction_reading(_run(FALL), higher_is_better=False)
    higher = pdsa.direction_reading(_run(FALL), higher_is_better=True)
    shift = "The 8 points in a row below the median (from 2024-02-26 to 2024-04-15)"
    assert lower == [
        f"{shift} are the latest periods, on the better side for this measure: it has improved."
    ]
    assert higher == [
        f"{shift} are the latest periods, on the worse side for this measure: it has got worse."
    ]


def test_a_shift_in_the_first_periods_is_read_against_the_later_ones():
    # nine high weeks, then eleven low ones with one just above the median: the longest
    # run (9, where at most 7 are expected by chance) is the first one
    values = [60, 62, 59, 61, 60, 63, 58, 61, 62, 25, 24, 26, 23, 31, 22, 27, 21, 28, 30, 29]
    (sentence,) = pdsa.direction_reading(_run(values), higher_is_better=True)
    assert sentence.startswith("The 9 points in a row above the median (from 2024-01-01")
    assert "are the first periods, on the better side" in sentence
    assert sentence.endswith(
        "most later points lie on the other side, so it has got worse since then."
    )
    (sentence,) = pdsa.direction_reading(_run(values), higher_is_better=False)
    assert sentence.endswith("so it has improved since then.")


def test_a_shift_in_the_middle_says_only_on_which_side_it_lies():
    values = [40, 20, 41, 21, 42, 19, 43, 60, 61, 62, 63, 64, 65, 66, 67, 68, 20, 41, 22]
    (sentence,) = pdsa.direction_reading(_run(values), higher_is_better=False)
    assert sentence.startswith("The 9 points in a row above the median (from 2024-02-19")
    assert sentence.endswith("are on the worse side of the median for this measure.")
    assert "improved" not in sentence and "got worse" not in sentence


def test_no_shift_no_judgement():
    assert pdsa.direction_reading(_run([5, 7, 4, 8, 5, 6, 7, 4, 6, 5]), True) == []


def test_the_run_chart_of_a_lower_is_better_measure_reads_a_fall_as_an_improvement(store):
    import matplotlib.pyplot as plt

    pid = store.create_project("Shorter waiting", user="Amina")
    mid = store.add_measure(
        pid,
        "Minutes waited",
        "measurement",
        user="Amina",
        unit="minutes",
        role="balancing",
        higher_is_better=False,
        definition="Median minutes from arrival to the test, Tuesday mornings",
    )
    weeks = pd.date_range("2024-01-01", periods=len(FALL), freq="7D")
    frame = pd.DataFrame({"period": weeks.strftime("%Y-%m-%d"), "value": FALL})
    store.add_values(mid, frame, user="Amina", today=TODAY)
    chart = pdsa.run_chart(store, mid)
    try:
        title = chart.figure.axes[0].get_title()
        assert title == "Balancing measure: Minutes waited (better when lower)"
        assert chart.sentences[0].startswith("Better when lower: a fall is an improvement")
        assert any(s.endswith("it has improved.") for s in chart.sentences)
        assert not any("got worse" in s for s in chart.sentences)
        assert chart.sentences[-1] == (
            "How it is counted: Median minutes from arrival to the test, Tuesday mornings"
        )
        assert "it has improved." in chart.description
    finally:
        plt.close(chart.figure)
