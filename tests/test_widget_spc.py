"""The run and control chart tool, driven without a browser.

The expected numbers come from phcpm.spc (tested against Montgomery 2009 and
the qicharts2 reference values in tests/test_spc.py); here we check that the
tool passes the user's choices through and shows the results.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from phcpm import spc
from phcpm.paths import dataset_path
from widgets.spc import RunControlChart

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def tool():
    return RunControlChart()


def test_starts_with_a_chart_of_the_district_data(tool):
    assert tool.result is not None
    assert tool.chart.value.startswith("<img")
    assert "<li>" in tool.explanation.value
    assert tool.message.value == ""
    assert tool.result.chart == "p"  # tested out of suspected: a proportion
    assert "P chart" in tool.suggestion.value
    classes = tool.widget._dom_classes
    assert "phcpm-app" in classes and "phcpm-spc" in classes
    assert "phcpm-spc-explanation" in tool.explanation._dom_classes
    assert "phcpm-spc-draw" in tool.draw_button._dom_classes


def test_project_with_frozen_baseline_matches_phcpm(tool):
    tool.source.value = "Improvement project"
    tool.split.value = ""
    tool.freeze.value = 12
    tool.draw()
    m = pd.read_csv(dataset_path("pdsa_measure.csv"))
    expected = spc.qic(m["numerator"], m["denominator"], chart="p", freeze=12, multiply=100)
    assert tool.result.data["cl"].iloc[0] == pytest.approx(expected.data["cl"].iloc[0])
    assert int(tool.result.data["sigma_signal"].sum()) == int(expected.data["sigma_signal"].sum())
    assert "2025-03-31" in tool.explanation.value
    tool.freeze.value = 0


def test_split_and_chart_override(tool):
    tool.source.value = "Improvement project"
    tool.split.value = "16"
    tool.chart_type.value = "pp"
    tool.draw()
    assert tool.result.chart == "pp"
    assert tool.result.summary["part"].tolist() == [1, 2]
    tool.chart_type.value = "auto"
    tool.split.value = ""


def test_pasted_pairs_and_downloads(tool):
    tool.source.value = "Paste a series"
    tool.paste.value = "\n".join(f"{10 + i % 3}, 20" for i in range(15))
    tool.draw()
    assert tool.message.value == ""
    assert tool.result.chart == "p"
    assert len(tool.result.data) == 15
    for name in ("chart.png", "chart.svg", "chart_points.csv", "chart_points.xlsx"):
        assert name in tool.downloads.value


def test_bad_input_shows_a_plain_message_and_the_tool_stays_usable(tool):
    tool.source.value = "Paste a series"
    tool.paste.value = "12\nabc\n14"
    tool.draw()
    assert "Line 2" in tool.message.value and "role='alert'" in tool.message.value
    tool.paste.value = "12\n13\n14"
    tool.split.value = "two"
    tool.draw()
    assert "Split after point" in tool.message.value
    tool.split.value = ""
    tool.draw()
    assert tool.message.value == ""
    assert len(tool.result.data) == 3


def test_upload_without_a_file_is_explained(tool):
    tool.source.value = "Upload a file"
    tool.draw()
    assert "No file" in tool.message.value
