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
from tests.widget_helpers import corpus_files, upload
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
    tool.more_charts.value = True  # the Laney charts are under "More chart types"
    tool.chart_type.value = "pp"
    tool.draw()
    assert tool.result.chart == "pp"
    assert tool.result.summary["part"].tolist() == [1, 2]
    tool.chart_type.value = "auto"
    tool.more_charts.value = False
    tool.split.value = ""


def test_pasted_pairs_and_downloads(tool):
    tool.source.value = "Paste a series"
    tool.paste.value = "\n".join(f"{10 + i % 3}, 20" for i in range(15))
    tool.draw()
    assert tool.message.value == ""
    assert tool.result.chart == "p"
    assert len(tool.result.data) == 15
    # Files are made only when asked for, from the chart on screen.
    assert tool.png_download.link.value == "" and tool.excel_download.link.value == ""
    tool.png_download.button.click()
    tool.excel_download.button.click()
    assert 'download="chart.png"' in tool.png_download.link.value
    assert 'download="chart_points.xlsx"' in tool.excel_download.link.value
    payload = tool.excel_download.link.value.split("base64,")[1].split('"')[0]
    import base64

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(payload)))
    headings = [c.value for c in book["Points"][1]]
    assert "Point" in headings and not any("_" in str(h) for h in headings)
    values = {str(c.value) for row in book["Points"].iter_rows(min_row=2) for c in row}
    assert not values & {"True", "False", "nan", "None"}


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
    ("headings only", "headings.csv", b"month,cases\n", "headings but no"),
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
    assert tool.place.options == () and tool.element.options == ()  # nothing from the bad file
    assert tool.results.children == ()
    tool.draw()
    assert "No file" in tool.message.value
    # Still usable: a good file is read, its series offered and the first one drawn.
    tool.upload.value = upload("malaria.csv", GOOD)
    assert tool.message.value == ""
    assert tool.element.value == "cases" and tool.result is not None


def test_after_a_junk_upload_a_good_file_is_drawn():
    tool = RunControlChart()
    assert tool.results.children  # the example chart
    tool.png_download.button.click()
    tool.upload.value = upload("facility-data.csv", bytes(range(256)) * 40)
    assert "not a table" in _text(tool.message.value)
    # The example's chart, table and files are gone: they do not belong to this file.
    assert tool.results.children == () and tool.result is None
    assert tool.png_download.link.value == "" and tool.explanation.value == ""
    tool.upload.value = upload("malaria.csv", GOOD)
    assert tool.message.value == "" and tool.chart.value.startswith("<img")
    assert tool.result.data["y"].tolist() == CASES
    assert "cases" in _text(tool.shown.value) and "12 points" in _text(tool.shown.value)


def test_an_uploaded_table_is_charted_as_phcpm_charts_it():
    tool = RunControlChart(draw=False)
    tool.source.value = "Upload a file"
    tool.upload.value = upload("malaria.csv", GOOD)
    assert "2 series" in _text(tool.upload_note.value)
    assert [v for _, v in tool.element.options] == ["cases", "tested"]
    assert "month" not in [v for _, v in tool.element.options]  # periods are never values
    tool.denominator.value = "tested"  # redraws at once
    expected = spc.qic(CASES, TESTED, chart="p", multiply=100)
    assert tool.result.chart == "p"
    assert tool.result.data["cl"].iloc[0] == pytest.approx(expected.data["cl"].iloc[0])
    assert tool.result.data["cl"].iloc[0] == pytest.approx(100 * sum(CASES) / sum(TESTED))
    assert tool.result.data["ucl"].tolist() == pytest.approx(expected.data["ucl"].tolist())
    assert tool.series["label"].tolist()[:2] == ["2025-01", "2025-02"]
    assert "P chart" in tool.suggestion.value


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
    assert tool.message.value == "", _text(tool.message.value)
    assert tool.source.value == "Upload a file"
    assert tool.element.value == "visits"
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


def _file(rows: str) -> bytes:
    return rows.encode()


def test_a_file_of_several_places_and_elements_is_never_mixed():
    rows = "facility,month,data element,value\n"
    for place in ("Ruvo HC", "Lusako HC"):
        for element in ("ANC 1st visit", "OPD visits"):
            for m in range(1, 13):
                base = 100 if element == "OPD visits" else 10
                rows += f"{place},2025-{m:02d},{element},{base + m + (place == 'Ruvo HC') * 50}\n"
    tool = RunControlChart(draw=False)
    tool.upload.value = upload("district.csv", _file(rows))
    assert tool.message.value == "", _text(tool.message.value)
    assert set(tool.place.options) == {"Ruvo HC", "Lusako HC"}
    assert len(tool.result.data) == 12  # one series: 12 months, not 48 rows
    shown = _text(tool.shown.value)
    assert tool.place.value in shown and tool.element.value in shown
    first = tool.result.data["y"].tolist()
    tool.element.value = "OPD visits"  # every change redraws
    assert tool.result.data["y"].tolist() != first and len(tool.result.data) == 12
    assert "OPD visits" in _text(tool.shown.value)
    tool.place.value = "Ruvo HC"
    assert "Ruvo HC" in _text(tool.shown.value) and len(tool.result.data) == 12


def test_a_period_column_of_numbers_is_never_charted():
    rows = "period,cases\n" + "".join(f"2024{m:02d},{10 + m % 3}\n" for m in range(1, 13))
    tool = RunControlChart(draw=False)
    tool.upload.value = upload("codes.csv", _file(rows))
    assert tool.message.value == "", _text(tool.message.value)
    assert tool.result.data["y"].max() < 100  # the cases, not 202401, 202402, ...
    assert [v for _, v in tool.element.options] == ["cases"]


def test_every_control_change_redraws_and_the_suggestion_follows():
    tool = RunControlChart()
    assert "P chart" in tool.suggestion.value
    tool.measure.value = "ANC first visits"  # counts: no Draw click needed
    assert tool.result.chart == "c"
    assert "C chart" in tool.suggestion.value and "P chart" not in tool.suggestion.value
    tool.chart_type.value = "i"
    assert tool.result.chart == "i" and "You chose" in tool.suggestion.value
    tool.freeze.value = 6
    assert tool.result.data["baseline"].sum() == 6
    tool.more_charts.value = True
    assert "g" in [code for _, code in tool.chart_type.options]
    tool.chart_type.value = "auto"
    tool.more_charts.value = False
    assert "g" not in [code for _, code in tool.chart_type.options]


def test_chart_types_are_named_by_what_they_are_for():
    tool = RunControlChart(draw=False)
    labels = [label for label, _ in tool.chart_type.options]
    assert "Counts per month or week — C chart" in labels
    assert not any("Mr chart" in x or "laney)" in x or "Pp" in x for x in labels)
    tool.more_charts.value = True
    labels = [label for label, _ in tool.chart_type.options]
    assert any(x.endswith("P′ chart (Laney)") for x in labels)


PASTED = [
    ("12, 15, 11; 14", "mixes commas"),
    ("14", "Only one value"),
    ("12\nabc", "Line 2"),
    ("", "empty"),
]


@pytest.mark.parametrize(("text", "words"), PASTED, ids=[p[0] or "empty" for p in PASTED])
def test_pasted_input_gets_a_specific_message_and_no_chart(text, words):
    tool = RunControlChart()
    tool.source.value = "Paste a series"
    assert tool.results.children
    tool.paste.value = text
    shown = _text(tool.message.value)
    assert words in shown and GENERIC_ERROR not in shown
    assert tool.results.children == () and tool.result is None


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_no_corpus_file_reaches_the_generic_message(path):
    tool = _corpus_tool()
    tool.upload.value = upload(path.name, path.read_bytes())
    shown = _text(tool.message.value)
    assert GENERIC_ERROR not in shown, (path.name, tool.last_error)
    if shown:
        assert tool.results.children == () and tool.result is None
    else:
        assert tool.result is not None and len(tool.result.data) >= 2


_TOOLS: dict = {}


def _corpus_tool() -> RunControlChart:
    if "tool" not in _TOOLS:
        _TOOLS["tool"] = RunControlChart()
    tool = _TOOLS["tool"]
    tool.upload.value = upload("malaria.csv", GOOD)
    assert tool.result is not None
    return tool


def test_text_form_is_the_tools_name_whatever_series_is_drawn():
    """The notebook's plain-text output names the tool, not the series on the chart
    (the series' title is kept apart in ``series_title``)."""
    chart = RunControlChart()
    assert chart.series_title and chart.series_title != "Run and control chart tool"
    assert chart._repr_mimebundle_()["text/plain"] == "Run and control chart tool"
    import matplotlib.pyplot as plt

    assert chart.figure is not None
    assert all(plt.figure(n) is not chart.figure for n in plt.get_fignums())
