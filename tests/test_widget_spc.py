"""The run and control chart tool, driven without a browser.

The expected numbers come from phcpm.spc (tested against Montgomery 2009 and
the qicharts2 reference values in tests/test_spc.py); here we check that the
tool passes the user's choices through and shows the results, and that any
file a user may upload gives a plain message and leaves the tool usable.
Uploads are simulated the way ipywidgets 8 delivers them (a tuple of dicts
whose ``content`` is a memoryview of the file's bytes).
"""

from __future__ import annotations

import io

import matplotlib
import pandas as pd
import pytest

from phcpm import spc
from phcpm.paths import dataset_path
from tests.widget_helpers import upload
from tests.widget_helpers import visible_text as _text
from widgets.common import GENERIC_ERROR, Tool
from widgets.spc import RunControlChart

matplotlib.use("Agg")


# Twelve months of malaria tests: positives (cases) out of tests done.
CASES = [12, 15, 11, 13, 18, 21, 25, 22, 16, 14, 12, 13]
TESTED = [30, 31, 29, 33, 40, 44, 50, 47, 38, 35, 31, 30]
GOOD = (
    "month,cases,tested\n"
    + "".join(
        f"2025-{m:02d},{c},{t}\n" for m, (c, t) in enumerate(zip(CASES, TESTED, strict=True), 1)
    )
).encode()


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
    assert "Line 2" in tool.message.value and 'role="alert"' in tool.message.value
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


def test_it_is_a_tool_with_the_shared_root_box_and_message_boxes():
    tool = RunControlChart(draw=False)
    assert isinstance(tool, Tool)
    assert tool.widget.children[0] is tool._stylesheet  # stylesheet first
    assert {"phcpm-error", "phcpm-spc-message"} <= set(tool.message._dom_classes)
    assert "phcpm-note" in tool.explanation._dom_classes
    assert tool.result is None and tool.message.value == ""


JUNK = [
    ("binary junk", "facility-data.csv", bytes(range(256)) * 40, "not a table"),
    ("a 0-byte upload", "empty.csv", b"", "0 bytes"),
    ("an empty file", "blank.csv", b"\n \n\n", "empty"),
    ("headings only", "headings.csv", b"month,cases\n", "no rows of data"),
    ("no numeric column", "names.csv", b"month,place\nJan,Ruvo\nFeb,Lusako\n", "numbers"),
    ("a PDF", "report.csv", b"%PDF-1.4 something", "PDF"),
    ("an old Excel file", "old.xls", b"\xd0\xcf\x11\xe0" + bytes(600), ".xlsx"),
]


@pytest.mark.parametrize(("case", "name", "data", "words"), JUNK, ids=[j[0] for j in JUNK])
def test_a_bad_upload_gives_a_plain_message_and_the_tool_stays_usable(case, name, data, words):
    tool = RunControlChart(draw=False)
    tool.source.value = "Upload a file"
    tool.upload.value = upload(name, data)
    text = _text(tool.message.value)
    assert words in text, text
    assert "What to do" in text and "Traceback" not in text
    assert 'role="alert"' in tool.message.value
    assert tool.last_error and words in tool.last_error
    assert tool.upload.value == ()  # the widget keeps no copy of the file
    assert tool.value_col.options == ()  # nothing is offered from the bad file
    tool.draw()
    assert "No file" in tool.message.value
    # Still usable: a good file is read and its columns offered.
    tool.upload.value = upload("malaria.csv", GOOD)
    assert tool.message.value == ""
    assert tool.value_col.value == "cases" and tool.label_col.value == "month"


def test_after_a_junk_upload_a_good_file_is_drawn():
    tool = RunControlChart(draw=False)
    tool.source.value = "Upload a file"
    tool.upload.value = upload("facility-data.csv", bytes(range(256)) * 40)
    assert "not a table" in _text(tool.message.value)
    tool.upload.value = upload("malaria.csv", GOOD)
    tool.draw()
    assert tool.message.value == "" and tool.chart.value.startswith("<img")
    assert tool.result.data["y"].tolist() == CASES


def test_an_uploaded_table_is_charted_as_phcpm_charts_it():
    tool = RunControlChart(draw=False)
    tool.source.value = "Upload a file"
    tool.upload.value = upload("malaria.csv", GOOD)
    assert "Read 12 rows" in _text(tool.upload_note.value)
    assert list(tool.value_col.options) == ["month", "cases", "tested"]
    tool.denominator_col.value = "tested"
    tool.draw()
    expected = spc.qic(CASES, TESTED, chart="p", multiply=100)
    assert tool.result.chart == "p"
    assert tool.result.data["cl"].iloc[0] == pytest.approx(expected.data["cl"].iloc[0])
    assert tool.result.data["cl"].iloc[0] == pytest.approx(100 * sum(CASES) / sum(TESTED))
    assert tool.result.data["ucl"].tolist() == pytest.approx(expected.data["ucl"].tolist())
    assert tool.series["label"].tolist()[:2] == ["2025-01", "2025-02"]


def test_an_excel_upload_with_dates_offers_the_dates_as_labels():
    frame = pd.DataFrame(
        {
            "week starting": pd.date_range("2025-01-06", periods=10, freq="7D"),
            "visits": [40, 42, 38, 45, 41, 39, 44, 43, 40, 46],
        }
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    tool = RunControlChart(draw=False)
    tool.upload.value = upload("visits.xlsx", buffer.getvalue())
    assert tool.message.value == ""
    assert tool.value_col.value == "visits" and tool.label_col.value == "week starting"
    tool.source.value = "Upload a file"
    tool.draw()
    assert tool.message.value == ""
    assert tool.result.data["y"].tolist() == frame["visits"].tolist()


def test_an_unexpected_failure_gives_the_generic_message_and_no_traceback(monkeypatch):
    tool = RunControlChart(draw=False)

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail the user must not see")

    monkeypatch.setattr(spc, "qic", broken)
    tool.draw()
    assert GENERIC_ERROR in _text(tool.message.value)
    assert "internal detail" not in tool.message.value
    assert "RuntimeError" in tool.last_error  # kept for the log
    monkeypatch.undo()
    tool.draw()
    assert tool.message.value == "" and tool.result is not None
