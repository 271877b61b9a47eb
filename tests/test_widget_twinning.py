"""The twinning planner without a browser, and the network drawing it uses.

The pairs come from phcpm.twinning.propose_pairs (its rule is tested in
tests/test_twinning.py); here the checks are that the tool shows them, reacts
to its controls, reports bad files in plain words, and that the drawing has one
arrow and one label per direction of support.
"""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.patches import FancyArrowPatch

from phcpm import twinning
from phcpm.paths import dataset_path
from tests.widget_helpers import upload
from widgets.twinning import TwinningPlanner

# A small hand-made case: Amani is far ahead in supervision, Bora in stock
# management, Chui within 10 points of both everywhere.
SMALL = pd.DataFrame(
    {
        "district": ["Amani", "Amani", "Bora", "Bora", "Chui", "Chui"],
        "domain": ["supervision", "stock management"] * 3,
        "score": [85, 40, 45, 80, 60, 60],
    }
)


# --------------------------------------------------------------------------- phcpm additions


def test_network_drawing_has_an_arrow_and_a_label_per_direction():
    pairs = twinning.propose_pairs(SMALL, max_partners=1, min_gap=15)
    # Amani gives supervision (85 vs 45), Bora gives stock management (80 vs 40)
    assert pairs[["district_a", "district_b"]].values.tolist() == [["Amani", "Bora"]]
    fig = twinning.plot_network(pairs, SMALL)
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 2
    texts = [t.get_text() for t in ax.texts]
    assert "supervision" in texts and "stock management" in texts
    assert "Chui\n(no partner)" in texts  # unpaired shown in words, not only by shape


def test_network_description_names_every_direction_and_the_unpaired():
    pairs = twinning.propose_pairs(SMALL, max_partners=1, min_gap=15)
    text = twinning.describe_network(pairs, SMALL)
    assert "Amani supports Bora in supervision" in text
    assert "Bora supports Amani in stock management" in text
    assert text.endswith("Without a partner: Chui.")


def test_circle_order_does_not_depend_on_row_order():
    scores = pd.read_csv(dataset_path("district_scores.csv"))
    shuffled = scores.sample(frac=1, random_state=3)
    first = twinning.plot_network(twinning.propose_pairs(scores), scores)
    second = twinning.plot_network(twinning.propose_pairs(shuffled), shuffled)
    pos = [[(t.get_text(), t.get_position()) for t in f.axes[0].texts] for f in (first, second)]
    assert sorted(pos[0]) == sorted(pos[1])


# --------------------------------------------------------------------------- the tool


@pytest.fixture(scope="module")
def planner():
    tool = TwinningPlanner()
    tool.example_button.click()
    return tool


def test_starts_empty_then_one_click_gives_pairs(planner):
    fresh = TwinningPlanner()
    assert fresh.pairs_table.value == ""
    assert fresh._repr_mimebundle_()["text/plain"] == "Twinning planner"
    assert "phcpm-app" in fresh.widget._dom_classes
    assert planner.message.value == ""
    assert planner.year.value == 2025
    expected = twinning.propose_pairs(pd.read_csv(dataset_path("district_scores.csv")))
    assert len(planner.pairs) == len(expected)
    assert "Lusako" in planner.pairs_table.value and "Why this pair" in planner.pairs_table.value
    assert "<img" in planner.network.value and "supports" in planner.network.value
    labels = [d.button.description for d in planner.downloads.children]
    assert labels == ["Pairs (Excel)", "Diagram (PNG)", "Diagram (SVG)"]
    assert planner.downloads in planner.results.children
    assert "phcpm-twinning-max-partners" in planner.max_partners._dom_classes
    assert planner.max_partners.continuous_update is False


def test_controls_change_the_pairs(planner):
    planner.max_partners.value = 1
    planner.min_gap.value = 30
    assert planner.pairs["district_a"].value_counts().max() == 1
    scores = pd.read_csv(dataset_path("district_scores.csv"))
    expected = twinning.propose_pairs(scores, max_partners=1, min_gap=30)
    assert len(planner.pairs) == len(expected)
    planner.max_partners.value = 2
    planner.min_gap.value = 15


def test_upload_of_own_scores_and_a_bad_file():
    tool = TwinningPlanner()
    tool.max_partners.value = 1  # nothing to pair yet: no error, no result
    assert tool.message.value == "" and tool.pairs is None
    tool.upload.value = upload("scores.csv", SMALL.to_csv(index=False).encode())
    assert tool.message.value == ""
    assert tool.year.layout.display == "none"
    assert "Chui" in tool.unpaired_table.value
    bad = b"district,domain,score\nAmani,supervision,85\nBora,supervision,120\n"
    tool.upload.value = upload("bad.csv", bad)
    assert "between 0 and 100" in tool.message.value
    # what was shown belonged to the earlier file: it goes, and the sliders do not bring it back
    assert tool.results.children == () and tool.notes.value == ""
    tool.max_partners.value = 2
    assert tool.results.children == ()
    tool.upload.value = upload("cols.csv", b"place,area,points\nA,x,1\n")
    assert "no column" in tool.message.value


def test_the_excel_file_speaks_plainly(planner):
    import io

    import openpyxl

    data = planner.downloads.children[0].build()
    book = openpyxl.load_workbook(io.BytesIO(data))
    headings = [c.value for c in book["Pairs"][1]]
    assert "District A" in headings and "Support both ways" in headings
    assert all("_" not in str(h) for h in headings), headings
    rows = book["Pairs"].iter_rows(min_row=2)
    values = {str(c.value) for row in rows for c in row if c.value is not None}
    assert values & {"Yes", "No"} and not values & {"True", "False", "nan", "None"}


def test_sliders_are_wide_enough_to_drag(planner):
    for slider in (planner.max_partners, planner.min_gap):
        assert slider.layout.width == "100%" and slider.layout.max_width == "36em"


def test_text_form_and_the_drawing_is_closed_once_shown(planner):
    import matplotlib.pyplot as plt

    assert planner._repr_mimebundle_()["text/plain"] == "Twinning planner"
    assert planner.figure is not None
    assert all(plt.figure(n) is not planner.figure for n in plt.get_fignums())
    svg = planner.downloads.children[2].build()  # the closed drawing still saves as SVG
    assert svg is not None and b"<svg" in svg


def test_a_year_that_is_not_a_number_is_named():
    tool = TwinningPlanner()
    bad = SMALL.assign(Year=["2025", "soon", "2025", "2025", "2025", "2025"])
    tool.upload.value = upload("years.csv", bad.to_csv(index=False).encode())
    assert "not numbers" in tool.message.value and "soon" in tool.message.value
    assert tool.results.children == ()
