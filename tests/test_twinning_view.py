"""What the twinning planner shows, computed in phcpm.twinning.view: scores read from a
file, one year of them, the counts above the pairs and the pairs sheet."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from phcpm import twinning, twinning_view
from phcpm.errors import InputError
from phcpm.twinning import view

SCORES = pd.DataFrame(
    {
        "District ": ["Amani", "Amani", "Bora", "Bora", "Chui", "Chui"] * 2,
        "Domain": ["supervision", "stock management"] * 6,
        "Score": [85, 40, 45, 80, 60, 60, 80, 50, 50, 75, 60, 61],
        "YEAR": ["2024"] * 6 + ["2025.0"] * 6,
    }
)


def test_docstring_examples():
    result = doctest.testmod(view, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_headings_are_trimmed_and_years_become_whole_numbers():
    prepared = view.prepare_scores(SCORES)
    assert list(prepared.columns) == ["district", "domain", "score", "year"]
    assert prepared["year"].dtype == "int64"
    assert view.score_years(prepared) == [2024, 2025]
    assert list(SCORES.columns)[0] == "District "  # the input is not changed


@pytest.mark.parametrize(
    ("year", "message"), [("twenty", "not numbers"), ("2024.5", "not whole numbers")]
)
def test_a_year_that_is_not_a_whole_number_is_named(year, message):
    bad = SCORES.assign(YEAR=[year] + ["2024"] * 11)
    with pytest.raises(InputError, match=message) as caught:
        view.prepare_scores(bad)
    assert "column 'year'" in str(caught.value)


def test_one_year_without_its_column_and_all_scores_without_years():
    prepared = view.prepare_scores(SCORES)
    year = view.scores_of_year(prepared, 2025)
    assert "year" not in year.columns and len(year) == 6
    assert year["score"].tolist() == [80, 50, 50, 75, 60, 61]
    no_years = prepared.drop(columns="year")
    assert view.score_years(no_years) == []
    assert view.scores_of_year(no_years, 2025) is no_years


def test_counts_and_sheet_of_proposed_pairs():
    scores = view.scores_of_year(view.prepare_scores(SCORES), 2024)
    pairs = twinning.propose_pairs(scores, max_partners=2, min_gap=15)
    alone = twinning.unpaired(pairs, scores)
    counts = view.pairs_summary(pairs, scores, alone)
    # Amani and Bora support each other (40 and 35 points); Chui is within 25 of both
    # in one domain only: Amani-Chui (25 in supervision) and Bora-Chui (20 in stock).
    assert counts["districts"] == "3 districts"
    assert counts["pairs"] == f"{len(pairs)} pair{'s' if len(pairs) != 1 else ''}"
    assert counts["both_ways"] == int(pairs["reciprocal"].sum()) >= 1
    sheet = view.pairs_sheet(pairs)
    assert list(sheet.columns)[:2] == ["District A", "District B"]
    assert set(sheet["Support both ways"]) <= {"Yes", "No"}
    assert all("_" not in c for c in sheet.columns)


def test_counts_when_nothing_pairs():
    scores = pd.DataFrame({"district": ["A", "B"], "domain": ["x", "x"], "score": [50, 52]})
    pairs = twinning.propose_pairs(scores, max_partners=2, min_gap=15)
    alone = twinning.unpaired(pairs, scores)
    counts = view.pairs_summary(pairs, scores, alone)
    assert counts == {
        "pairs": "0 pairs",
        "districts": "2 districts",
        "both_ways": 0,
        "without_partner": "2 districts",
    }


def test_the_older_name_gives_the_same_functions():
    assert twinning_view.__all__ == view.__all__
    for name in view.__all__:
        assert getattr(twinning_view, name) is getattr(view, name)
