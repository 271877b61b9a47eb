"""Twinning pairs from small hand-made score tables where the right answer is plain.

The pairing rule is the one documented in ``phcpm.twinning`` (candidates at
least ``min_gap`` points apart in a domain; a partner for everyone first;
reciprocal before one-way; larger total gap; names). District names are fictional.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phcpm.errors import InputError
from phcpm.paths import dataset_path
from phcpm.twinning import network_edges, propose_pairs, score_table, unpaired


def long(table: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(d, dom, s) for d, row in table.items() for dom, s in row.items()],
        columns=["district", "domain", "score"],
    )


def partner_counts(pairs: pd.DataFrame) -> pd.Series:
    return pd.concat([pairs["district_a"], pairs["district_b"]]).value_counts()


RUVO_KILEMBE = long(
    {
        "Ruvo": {"supervision": 82, "immunisation": 60},
        "Kilembe": {"supervision": 41, "immunisation": 88},
    }
)


def test_two_districts_that_complement_each_other():
    pairs = propose_pairs(RUVO_KILEMBE)
    assert len(pairs) == 1
    row = pairs.iloc[0]
    # Ruvo gives 82 - 41 = 41 points of support, Kilembe 88 - 60 = 28: Ruvo is district_a
    assert (row["district_a"], row["district_b"]) == ("Ruvo", "Kilembe")
    assert row["a_supports_b_in"] == "supervision"
    assert row["b_supports_a_in"] == "immunisation"
    assert bool(row["reciprocal"])
    assert (row["a_to_b_gap"], row["b_to_a_gap"], row["total_gap"]) == (41, 28, 69)
    assert row["reason"] == (
        "Ruvo is strong in supervision (82) where Kilembe is weak (41); "
        "Kilembe is strong in immunisation (88) where Ruvo is weak (60)."
    )
    assert row["gap_details"] == (
        "immunisation: Ruvo 60, Kilembe 88; supervision: Ruvo 82, Kilembe 41"
    )


def test_several_domains_and_one_way_support_are_explained():
    scores = long(
        {
            "Tamu": {"data quality": 75, "financing": 70, "supervision": 90},
            "Laini": {"data quality": 50, "financing": 62, "supervision": 40},
        }
    )
    row = propose_pairs(scores).iloc[0]
    assert row["a_supports_b_in"] == "supervision; data quality"  # largest gap first
    assert row["b_supports_a_in"] == "" and not row["reciprocal"]
    assert row["reason"] == (
        "Tamu is strong in supervision (90) where Laini is weak (40), and in data quality "
        "(75 against 50). Laini is not clearly ahead of Tamu in any domain, so the support "
        "runs one way."
    )


def test_the_partner_cap_is_respected_and_the_neediest_come_first():
    # Kisiju scores 90 everywhere; five districts score 40-48 and are within 8 points of
    # each other, so each can pair only with Kisiju, which may take two partners.
    table = {"Kisiju": dict.fromkeys(["data quality", "immunisation", "supervision"], 90)}
    for name, s in [("Bondo", 48), ("Chala", 46), ("Dodo", 44), ("Embu", 42), ("Fumo", 40)]:
        table[name] = dict.fromkeys(["data quality", "immunisation", "supervision"], s)
    scores = long(table)
    pairs = propose_pairs(scores, max_partners=2)
    assert partner_counts(pairs)["Kisiju"] == 2
    assert sorted(pairs["district_b"]) == ["Embu", "Fumo"]  # the two furthest behind
    assert (pairs["district_a"] == "Kisiju").all()
    left = unpaired(pairs, scores)
    assert left["district"].tolist() == ["Bondo", "Chala", "Dodo"]
    assert left["reason"].iloc[0] == (
        "The districts that could partner Bondo (Kisiju) already have 2 partners each. "
        "Allow more partners per district, or pair Bondo by hand."
    )
    assert len(propose_pairs(scores, max_partners=5)) == 5


def test_a_partner_for_everyone_before_the_biggest_gap():
    # Alde-Biro differ by 15 in data quality, Cosa-Duma by 15 in immunisation, and
    # Biro-Cosa by 28 in supervision; every other gap is under 15. Taking the biggest gap
    # first (Biro-Cosa) would leave Alde and Duma alone; with one partner each,
    # Alde-Biro and Cosa-Duma pair all four.
    scores = long(
        {
            "Alde": {"data quality": 50, "immunisation": 57, "supervision": 50},
            "Biro": {"data quality": 65, "immunisation": 57, "supervision": 64},
            "Cosa": {"data quality": 57, "immunisation": 65, "supervision": 36},
            "Duma": {"data quality": 57, "immunisation": 50, "supervision": 50},
        }
    )
    pairs = propose_pairs(scores, max_partners=1)
    got = {frozenset(p) for p in zip(pairs["district_a"], pairs["district_b"], strict=True)}
    assert got == {frozenset({"Alde", "Biro"}), frozenset({"Cosa", "Duma"})}
    assert unpaired(pairs, scores).empty
    # with room for two partners, the big Biro-Cosa link is added as well
    assert len(propose_pairs(scores, max_partners=2)) == 3


def test_reciprocal_pairs_are_preferred_to_a_bigger_one_way_gap():
    # Lolo-Mpya: Lolo +80 in stock management, one way (total 80).
    # Lolo-Nuru: Lolo +30 in stock management, Nuru +40 in maternal health (reciprocal, 70).
    # Mpya-Nuru: Nuru +50 and +30, one way (total 80).
    scores = long(
        {
            "Lolo": {"stock management": 90, "maternal health": 40},
            "Mpya": {"stock management": 10, "maternal health": 50},
            "Nuru": {"stock management": 60, "maternal health": 80},
        }
    )
    pairs = propose_pairs(scores, max_partners=1)
    assert len(pairs) == 1 and bool(pairs["reciprocal"].iloc[0])
    assert {pairs["district_a"].iloc[0], pairs["district_b"].iloc[0]} == {"Lolo", "Nuru"}
    assert unpaired(pairs, scores)["district"].tolist() == ["Mpya"]


def test_no_pair_when_districts_are_alike():
    scores = long({"Ruvo": {"supervision": 60}, "Kilembe": {"supervision": 70}})
    pairs = propose_pairs(scores)
    assert pairs.empty and list(pairs.columns)[:2] == ["district_a", "district_b"]
    reasons = unpaired(pairs, scores)
    assert (
        reasons["reason"]
        .iloc[0]
        .startswith("Kilembe is within 15 points of every other district in every domain")
    )
    assert len(propose_pairs(scores, min_gap=10)) == 1


def test_network_nodes_and_edges():
    scores = pd.concat(
        [RUVO_KILEMBE, long({"Sindo": {"supervision": 70, "immunisation": 70}})],
        ignore_index=True,
    )
    pairs = propose_pairs(scores, max_partners=1)
    nodes, edges = network_edges(pairs, scores)
    assert edges[["source", "target", "domains", "gap"]].values.tolist() == [
        ["Kilembe", "Ruvo", "immunisation", 28.0],
        ["Ruvo", "Kilembe", "supervision", 41.0],
    ]
    by_name = nodes.set_index("district")
    assert by_name.loc["Ruvo", "strongest_domain"] == "supervision"
    assert by_name.loc["Kilembe", "weakest_domain"] == "supervision"
    assert by_name.loc["Kilembe", "weakest_score"] == 41
    assert by_name.loc["Sindo", "partners"] == 0  # unpaired districts are still drawn
    # without scores: the districts in the pairs, profiles kept from propose_pairs
    nodes_only, _ = network_edges(pairs)
    assert set(nodes_only["district"]) == {"Kilembe", "Ruvo", "Sindo"}


def test_year_selection_and_input_left_alone():
    scores = pd.concat(
        [
            RUVO_KILEMBE.assign(year=2023),
            long(
                {
                    "Ruvo": {"supervision": 50, "immunisation": 50},
                    "Kilembe": {"supervision": 52, "immunisation": 51},
                }
            ).assign(year=2024),
        ],
        ignore_index=True,
    )
    before = scores.copy()
    assert propose_pairs(scores).empty  # latest year: alike
    assert len(propose_pairs(scores, year=2023)) == 1
    pd.testing.assert_frame_equal(scores, before)
    with pytest.raises(InputError, match="no scores for year 2019"):
        propose_pairs(scores, year=2019)


@pytest.mark.parametrize(
    ("scores", "words"),
    [
        (
            long({"Ruvo": {"supervision": 120}, "Kilembe": {"supervision": 40}}),
            r"between 0 and 100; 1 are not \(Ruvo, supervision: 120\)",
        ),
        (long({"Ruvo": {"supervision": 80}}), "at least two districts; the scores have 1"),
        (
            long({"Ruvo": {"supervision": 80}, "Kilembe": {"supervision": np.nan}}),
            "Kilembe has no scores",
        ),
        (
            long({"Ruvo": {"supervision": "high"}, "Kilembe": {"supervision": 40}}),
            "'high' for Ruvo, supervision is not a number",
        ),
        (pd.DataFrame({"district": ["Ruvo"], "score": [3]}), "no column 'domain'"),
        (pd.concat([RUVO_KILEMBE, RUVO_KILEMBE.iloc[:1]]), "more than one score for supervision"),
    ],
)
def test_bad_scores_are_refused_in_plain_words(scores, words):
    with pytest.raises(InputError, match=words):
        propose_pairs(scores)


def test_bad_settings_are_refused():
    with pytest.raises(InputError, match="at least one partner"):
        propose_pairs(RUVO_KILEMBE, max_partners=0)
    with pytest.raises(InputError, match="smallest gap"):
        propose_pairs(RUVO_KILEMBE, min_gap=0)


def reference_candidates(table: pd.DataFrame, min_gap: float) -> set[frozenset[str]]:
    """Candidate pairs worked out one pair at a time, independently of the module."""
    found = set()
    names = list(table.index)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            diff = (table.loc[a] - table.loc[b]).abs()
            if (diff >= min_gap).any():
                found.add(frozenset({a, b}))
    return found


NAMES = ["Bara", "Chui", "Dafu", "Enga", "Fika", "Goma", "Haba"]
DOMAINS = ["data quality", "financing", "immunisation", "supervision"]


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 7),
    k=st.integers(1, 4),
    max_partners=st.integers(1, 3),
    min_gap=st.sampled_from([5, 15, 30]),
    seed=st.integers(0, 2**32 - 1),
)
def test_pairs_always_keep_the_rules(n, k, max_partners, min_gap, seed):
    rng = np.random.default_rng(seed)
    scores = long(
        {
            name: dict(zip(DOMAINS[:k], rng.integers(0, 101, size=k).tolist(), strict=True))
            for name in NAMES[:n]
        }
    )
    pairs = propose_pairs(scores, max_partners=max_partners, min_gap=min_gap)
    counts = partner_counts(pairs)
    assert (counts <= max_partners).all()
    chosen = {frozenset(p) for p in zip(pairs["district_a"], pairs["district_b"], strict=True)}
    assert len(chosen) == len(pairs)  # a partner is counted once
    table = scores.pivot(index="district", columns="domain", values="score")
    for row in pairs.itertuples():
        for dom in filter(None, row.a_supports_b_in.split("; ")):
            assert table.loc[row.district_a, dom] - table.loc[row.district_b, dom] >= min_gap
        for dom in filter(None, row.b_supports_a_in.split("; ")):
            assert table.loc[row.district_b, dom] - table.loc[row.district_a, dom] >= min_gap
        assert row.a_to_b_gap >= row.b_to_a_gap
    candidates = reference_candidates(table, min_gap)
    assert chosen <= candidates
    # nothing left that could still be added: every unchosen candidate has a full end
    for pair in candidates - chosen:
        assert any(counts.get(d, 0) >= max_partners for d in pair)
    # row order of the input does not matter
    shuffled = scores.sample(frac=1, random_state=int(seed % 1000)).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        propose_pairs(shuffled, max_partners=max_partners, min_gap=min_gap), pairs
    )
    left = unpaired(pairs, scores)
    assert set(left["district"]) == set(NAMES[:n]) - set(counts.index)
    assert not left["reason"].str.contains("could still partner").any()


@pytest.mark.skipif(
    not dataset_path("district_scores.csv").exists(), reason="district_scores.csv not built yet"
)
def test_the_synthetic_district_scores_give_sensible_pairs():
    scores = pd.read_csv(dataset_path("district_scores.csv"))
    table = score_table(scores)
    pairs = propose_pairs(scores)
    assert not pairs.empty
    assert (partner_counts(pairs) <= 2).all()
    assert pairs["reason"].str.len().gt(40).all()
    assert len(pairs) + len(unpaired(pairs, scores)) >= len(table) / 2
