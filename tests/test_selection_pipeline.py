"""Tests of phcpm.selection.pipeline.select, the whole selection in one call.

``select`` must give exactly what the single steps give when called one after the
other (the Module 1 worked selection is the reference), say which choices it could
not follow, and leave its inputs unchanged.
"""

from __future__ import annotations

import pandas as pd
import pytest

from phcpm import indicators as ind
from phcpm.catalogue import catalogue
from phcpm.errors import InputError
from phcpm.selection.pipeline import Selection, select


@pytest.fixture(scope="module")
def cat() -> pd.DataFrame:
    return catalogue()


@pytest.fixture(scope="module")
def example(cat) -> dict:
    return ind.worked_example(cat)


def run_example(cat, example, **changes) -> Selection:
    kwargs = {
        "adjustments": example["adjustments"],
        "weights": example["weights"],
        "k": example["k"],
        "must": example["must_include"],
        "exclude": example["exclude"],
        "current": example["current"],
        "facilities": example["facilities"],
        "minutes": example["minutes_per_value"],
    }
    kwargs.update(changes)
    return select(cat, **kwargs)


def test_the_worked_example_gives_the_lessons_shortlist_balance_and_burden(cat, example):
    result = run_example(cat, example)
    pd.testing.assert_frame_equal(result.shortlist, ind.worked_example_shortlist(cat))
    assert len(result.candidates) == len(cat)
    ratings = ind.apply_adjustments(ind.default_ratings(cat), example["adjustments"])
    pd.testing.assert_frame_equal(result.ratings, ratings)
    pd.testing.assert_frame_equal(result.scored, ind.score(cat, ratings, example["weights"]))
    expected_balance = ind.balance(result.shortlist, cat)
    assert result.balance.warnings == expected_balance.warnings
    pd.testing.assert_frame_equal(
        result.balance.by_results_chain, expected_balance.by_results_chain
    )
    expected_burden = ind.compare_burden(
        example["current"],
        result.shortlist,
        cat,
        facilities=example["facilities"],
        minutes_per_value=example["minutes_per_value"],
    )
    pd.testing.assert_frame_equal(result.burden, expected_burden)
    assert result.notes == ()


def test_filters_and_search_word_choose_the_candidates(cat, example):
    result = run_example(cat, example, filters={"results_chain": "process"}, text="", must=())
    assert set(result.candidates["results_chain"]) == {"process"}
    assert set(result.scored["indicator_id"]) == set(result.candidates["indicator_id"])
    assert set(result.shortlist["indicator_id"]) <= set(result.candidates["indicator_id"])
    malaria = run_example(cat, example, text="MALARIA", must=(), exclude=())
    assert {"MAL_TEST_RATE", "MAL_INCIDENCE"} <= set(malaria.candidates["indicator_id"])


def test_choices_outside_the_candidates_are_left_out_and_must_include_is_named(cat, example):
    # SUPERVISION_DONE (must include) is a process indicator measured quarterly; the
    # filter keeps monthly indicators only, so it cannot be on the shortlist.
    result = run_example(
        cat, example, filters={"frequency": "monthly"}, exclude=["SUPERVISION_DONE", "ANC4_COV"]
    )
    kept = set(result.shortlist["indicator_id"])
    assert "SUPERVISION_DONE" not in kept and "ANC4_COV" not in kept
    assert result.notes == (
        "Not among the candidates (check the filters), so not included: SUPERVISION_DONE.",
    )


def test_without_a_current_list_the_shortlist_is_compared_with_itself(cat, example):
    result = run_example(cat, example, current=None)
    assert (result.burden.loc["change"] == 0).all()
    assert result.burden.loc["current", "indicators"] == example["k"]


def test_no_weights_means_every_criterion_counts_once(cat):
    result = select(cat, k=5, facilities=3)
    ratings = ind.default_ratings(cat)
    ones = dict.fromkeys(ratings.columns.drop("indicator_id"), 1.0)
    pd.testing.assert_frame_equal(result.scored, ind.score(cat, ratings, ones))
    assert len(result.shortlist) == 5


def test_the_inputs_are_not_changed(cat, example):
    before_cat = cat.copy()
    adjustments = example["adjustments"].copy()
    must = list(example["must_include"])
    run_example(cat, example, adjustments=adjustments, must=must)
    pd.testing.assert_frame_equal(cat, before_cat)
    pd.testing.assert_frame_equal(adjustments, example["adjustments"])
    assert must == example["must_include"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "no indicator has this text"}, "No indicator matches the filters"),
        ({"weights": dict.fromkeys(["relevant", "sensitive"], 0)}, "weights are zero"),
        ({"k": 0}, "shortlist size must be a whole number"),
        ({"facilities": 0}, "number of facilities must be 1 or more"),
        ({"must": ["SUPERVISION_DONE"], "exclude": ["SUPERVISION_DONE"]}, "both required"),
        ({"current": ["NOT_A_CODE"]}, "not in the catalogue: NOT_A_CODE"),
    ],
)
def test_unusable_choices_are_explained(cat, example, changes, message):
    with pytest.raises(InputError, match=message) as info:
        run_example(cat, example, **changes)
    assert "What to do:" in str(info.value)


def test_a_catalogue_without_a_needed_column_is_named(cat, example):
    with pytest.raises(InputError) as info:
        run_example(cat.drop(columns="dimension"), example)
    text = str(info.value)
    assert "dimension" in text and "What to do:" in text and "catalogue" in text
