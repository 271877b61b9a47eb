"""The data picker and the shared widget helpers, driven without a browser.

Uploads are simulated the way ipywidgets 8 delivers them: ``FileUpload.value``
becomes a tuple of dicts with ``name``, ``type``, ``size``, ``last_modified``
and ``content`` (a memoryview of the file's bytes).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import logging
import re
from pathlib import Path

import ipywidgets as w
import pandas as pd
import pytest

from phcpm.errors import InputError
from phcpm.io import read_table
from tests.widget_helpers import upload as _upload_value
from tests.widget_helpers import visible_text as _text
from widgets.common import (
    GENERIC_ERROR,
    Progress,
    Tool,
    download_button,
    error_box,
    note_box,
    run_safely,
    show_error,
    show_notes,
    take_upload,
)
from widgets.data_picker import DataPicker

CORPUS = Path(__file__).resolve().parent / "corpus"


class Received:
    """Records what the picker hands to the tool."""

    def __init__(self) -> None:
        self.calls: list[tuple[pd.DataFrame, pd.DataFrame]] = []

    def __call__(self, data: pd.DataFrame, report: pd.DataFrame) -> None:
        self.calls.append((data, report))


def _example() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Facility": ["Mbeya Road Health Centre", "Kalumbe Dispensary", "Kalumbe Dispensary"],
            "Month": ["202401", "202401", "202402"],
            "Service": ["ANC1", "ANC1", "ANC1"],
            "Visits": [48, 31, -2],
        }
    )


@pytest.fixture
def received() -> Received:
    return Received()


@pytest.fixture
def picker(received) -> DataPicker:
    return DataPicker(load_example=_example, on_data=received)


def _shown(widget: w.Widget) -> bool:
    return widget.layout.display != "none"


# --------------------------------------------------------------------------- the picker


def test_widgets_have_stable_classes_and_the_upload_accepts_csv_excel_json_text(picker):
    assert "phcpm-picker-example" in picker.example_button._dom_classes
    assert picker.example_button.description == "Use the example district data"
    assert "phcpm-picker-upload" in picker.upload._dom_classes
    assert picker.upload.description == "Use my own data"
    assert set(picker.upload.accept.split(",")) == {
        ".csv",
        ".xlsx",
        ".xls",
        ".txt",
        ".tsv",
        ".json",
    }
    assert picker.upload.multiple is False
    assert "phcpm-picker-apply" in picker.apply_button._dom_classes
    assert "phcpm-picker-summary" in picker.summary._dom_classes
    assert "phcpm-error" in picker.error._dom_classes
    assert "application/vnd.jupyter.widget-view+json" in picker._repr_mimebundle_()


def test_a_dhis2_upload_is_checked_at_once_and_handed_to_the_tool(picker, received):
    data = (CORPUS / "dvs_mixed_problems.csv").read_bytes()
    picker.upload.value = _upload_value("district.csv", data)
    assert len(received.calls) == 1
    tidy_df, report = received.calls[0]
    assert list(tidy_df.columns[:4]) == ["org_unit", "period", "data_element", "value"]
    assert len(tidy_df) == 8 and len(report) == 6  # as in tests/corpus/expected.json
    assert not _shown(picker.mapping_box)  # DHIS2 files map themselves
    assert not _shown(picker.error)
    summary = _text(picker.summary.value)
    assert "Rows kept: 8." in summary and "Rows dropped: 6." in summary
    assert "Month 13 does not exist" in summary  # first problem rows are listed
    assert "<table" in picker.summary.value
    # The upload button no longer holds the file: its bytes were only read in memory.
    assert picker.upload.value == ()


def test_the_problem_report_downloads_as_csv(picker):
    picker.upload.value = _upload_value(
        "district.csv", (CORPUS / "dvs_mixed_problems.csv").read_bytes()
    )
    anchor = picker.report_download.value
    assert 'download="district-problems.csv"' in anchor
    payload = re.search(r'href="data:text/csv;base64,([^"]+)"', anchor).group(1)
    rows = list(csv.reader(io.StringIO(base64.b64decode(payload).decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "value", "problem", "action"]
    assert len(rows) == 1 + 6
    assert rows[2][:2] == ["3", "period"]


def test_a_bad_file_shows_its_message_and_a_good_file_afterwards_works(picker, received):
    picker.upload.value = _upload_value("junk.csv", (CORPUS / "binary_junk.bin").read_bytes())
    assert _shown(picker.error)
    assert "This file is not a table" in _text(picker.error.value)
    assert 'role="alert"' in picker.error.value
    assert received.calls == [] and picker.summary.value == ""
    assert not picker.example_button.disabled and not picker.upload.disabled

    picker.upload.value = _upload_value("ok.csv", (CORPUS / "dvs_ok.csv").read_bytes())
    assert not _shown(picker.error) and picker.error.value == ""
    assert len(received.calls) == 1 and len(received.calls[0][0]) == 18


def test_a_plain_table_asks_which_column_is_which_then_applies(picker, received):
    data = (
        "Site;Mois;Indicateur;Nombre\n"
        "Kalumbe;janvier 2024;CPN1;12\n"
        "Mirada;février 2024;CPN1;1 204\n"
    ).encode()
    picker.upload.value = _upload_value("sites.csv", data)
    assert _shown(picker.mapping_box) and received.calls == []
    dd = picker.dropdowns
    assert dd["org_unit"].value == "Site" and dd["period"].value == "Mois"
    assert dd["data_element"].value == "Indicateur" and dd["value"].value == "Nombre"
    assert "semicolons" in _text(picker.notes.value)

    # The user corrects a guess: two roles on one column is refused plainly.
    dd["data_element"].value = "Site"
    picker.apply_button.click()
    assert "chosen for both" in _text(picker.error.value) and received.calls == []

    dd["data_element"].value = "Indicateur"
    picker.apply_button.click()
    assert not _shown(picker.error)
    tidy_df = received.calls[-1][0]
    assert tidy_df["value"].tolist() == [12.0, 1204.0]
    assert [str(p) for p in tidy_df["period"]] == ["2024-01", "2024-02"]


def test_a_missing_role_is_an_error_and_the_picker_stays_usable(picker, received):
    data = b"Facility,Month,Visits\nKalumbe,202401,12\nMirada,202402,8\n"
    picker.upload.value = _upload_value("visits.csv", data)
    picker.dropdowns["period"].value = ""
    picker.apply_button.click()
    assert "no column for the period" in _text(picker.error.value)
    picker.dropdowns["period"].value = "Month"
    picker.apply_button.click()
    assert not _shown(picker.error) and len(received.calls) == 1


def test_a_wide_table_only_asks_for_the_place(picker, received):
    data = b"Facility,Jan 2024,Feb 2024\nKalumbe,4,5\nMirada,7,x\n"
    picker.upload.value = _upload_value("wide.csv", data)
    assert not _shown(picker.dropdowns["period"]) and not _shown(picker.dropdowns["value"])
    assert picker.dropdowns["org_unit"].value == "Facility"
    picker.apply_button.click()
    tidy_df, report = received.calls[-1]
    assert len(tidy_df) == 3 and report["problem"].tolist() == ["The value is not a number"]


def test_the_example_button_loads_and_checks_the_example(received):
    picker = DataPicker(load_example=_example, on_data=received)
    picker.example_button.click()
    assert len(received.calls) == 1
    tidy_df, report = received.calls[0]
    assert tidy_df["org_unit"].tolist() == ["Mbeya Road Health Centre", "Kalumbe Dispensary"]
    assert report["row"].tolist() == [4]  # the negative count, row 4 as in a saved sheet
    assert "Rows kept: 2." in _text(picker.summary.value)
    # A loader may also give a Table read by phcpm.io.
    other = Received()
    table_picker = DataPicker(lambda: read_table(CORPUS / "dvs_ok.csv"), on_data=other)
    table_picker.example_button.click()
    assert len(other.calls) == 1 and len(other.calls[0][0]) == 18


def test_a_failing_loader_or_tool_gives_the_plain_message_not_a_traceback(received, caplog):
    def broken():
        raise KeyError("internal detail")

    picker = DataPicker(load_example=broken, on_data=received)
    with caplog.at_level(logging.ERROR, logger="phcpm.widgets"):
        picker.example_button.click()
    shown = _text(picker.error.value)
    assert GENERIC_ERROR in shown and "KeyError" not in shown and "Traceback" not in shown
    assert "KeyError" in picker.last_error and "internal detail" in caplog.text
    assert not picker.example_button.disabled  # still usable

    def tool_fails(data, report):
        raise RuntimeError("tool bug")

    picker = DataPicker(load_example=_example, on_data=tool_fails)
    picker.example_button.click()
    assert GENERIC_ERROR in _text(picker.error.value)
    picker.on_data = received
    picker.example_button.click()
    assert not _shown(picker.error) and len(received.calls) == 1


def test_big_loads_show_progress_while_they_run(received, monkeypatch):
    import widgets.data_picker as dp

    monkeypatch.setattr(dp, "_TEXT_BYTES_PER_SECOND", 100.0)  # pretend a slow computer
    picker = DataPicker(load_example=_example, on_data=received)
    seen = []
    picker.progress.widget.layout.observe(lambda ch: seen.append(ch["new"]), names="display")
    picker.upload.value = _upload_value("ok.csv", (CORPUS / "dvs_ok.csv").read_bytes())
    assert "" in seen  # shown during the load
    assert picker.progress.widget.layout.display == "none"  # hidden afterwards
    assert len(received.calls) == 1


def test_a_file_over_the_size_limit_is_refused_plainly(received):
    picker = DataPicker(load_example=_example, on_data=received, max_bytes=100)
    picker.upload.value = _upload_value(
        "big.csv", b"Facility,Month,Visits\n" + b"A,202401,1\n" * 50
    )
    assert "too big" in _text(picker.error.value) and received.calls == []


# --------------------------------------------------------------------------- shared helpers


def test_download_button_builds_a_valid_data_uri():
    data = "org_unit,value\nSanté,1\n".encode()
    button = download_button(data, 'report "May".csv', "Download <the> report", "text/csv")
    assert isinstance(button, w.HTML)
    match = re.fullmatch(
        r'<a class="phcpm-download" download="([^"]*)" href="data:([^;]+);base64,([^"]+)" '
        r'style="[^"]*">(.*)</a>',
        button.value,
    )
    assert match, button.value
    assert html.unescape(match.group(1)) == 'report "May".csv'
    assert match.group(2) == "text/csv"
    assert base64.b64decode(match.group(3), validate=True) == data
    assert "&lt;the&gt;" in match.group(4)
    with pytest.raises(ValueError):
        download_button(data, "x.csv", "x", mime='text/csv" onclick="x')


def test_messages_are_escaped_and_hidden_when_empty():
    box = error_box()
    assert "phcpm-error" in box._dom_classes and box.layout.display == "none"
    show_error(box, InputError("Month 13 does not exist", where="row 3", todo="Fix <it>"))
    assert 'role="alert"' in box.value and "&lt;it&gt;" in box.value
    assert "Where: row 3." in _text(box.value) and box.layout.display == ""
    show_error(box, ZeroDivisionError("secret"))
    assert GENERIC_ERROR in _text(box.value) and "secret" not in box.value
    show_error(box, None)
    assert box.value == "" and box.layout.display == "none"
    notes = note_box()
    assert "phcpm-note" in notes._dom_classes
    show_notes(notes, ["Columns are separated by <tabs>.", ""], title="Found")
    assert notes.value.count("<li>") == 1 and "&lt;tabs&gt;" in notes.value
    show_notes(notes, [])
    assert notes.layout.display == "none"


def test_progress_is_visible_only_while_work_runs():
    progress = Progress()
    assert progress.widget.layout.display == "none"
    with pytest.raises(RuntimeError), progress.running("Reading", show=True):
        assert progress.widget.layout.display == ""
        progress.step(0.5, "Half way")
        assert progress.bar.value == 0.5 and progress.label.value == "Half way"
        raise RuntimeError
    assert progress.widget.layout.display == "none"
    with progress.running("Quick", show=False):
        assert progress.widget.layout.display == "none"


def test_tool_base_class_owns_the_app_box_and_runs_callbacks_safely():
    class Demo(Tool):
        css_class = "phcpm-demo"

    tool = Demo([w.Label("hello")])
    assert {"phcpm-app", "phcpm-demo"} <= set(tool.widget._dom_classes)
    assert "application/vnd.jupyter.widget-view+json" in tool._repr_mimebundle_()
    assert "phcpm-stylesheet" in tool.widget.children[0]._dom_classes
    box = error_box()
    assert tool.run_safely(lambda: 41 + 1, box) == 42 and box.value == ""

    def bad_input():
        raise InputError("The value is not a number", todo="Type a number")

    assert tool.run_safely(bad_input, box) is None
    assert "The value is not a number" in _text(box.value)
    assert tool.last_error.startswith("The value is not a number")
    assert tool.run_safely(lambda: 1 / 0, box) is None
    assert GENERIC_ERROR in _text(box.value) and "ZeroDivisionError" in tool.last_error
    assert run_safely(lambda: "fine", box) == "fine" and box.layout.display == "none"
    tool.set_children([w.Label("other")])
    assert len(tool.widget.children) == 2 and tool.widget.children[0] is tool._stylesheet


def test_take_upload_returns_the_file_and_empties_the_widget():
    chooser = w.FileUpload()
    chooser.value = _upload_value("mine.csv", b"a,b\n1,2\n")
    assert take_upload(chooser) == (b"a,b\n1,2\n", "mine.csv")
    assert chooser.value == ()
    assert take_upload(chooser) is None
    # The value of older ipywidgets: a dict by file name.
    legacy = {"old.csv": {"name": "old.csv", "content": b"x\n1\n"}}
    assert take_upload(w.FileUpload(), legacy) == (b"x\n1\n", "old.csv")


PIVOT_WITH_METADATA = (
    b"periodid,periodname,periodcode,perioddescription,orgunitlevel1,orgunitlevel2,"
    b"organisationunitid,organisationunitname,organisationunitcode,organisationunitdescription,"
    b"ANC 1st visit,ANC 4th visit\n"
    b"202401,January 2024,202401,,Sendara,Ruvo,Ou1aBcDeFgH,Kalumbe CHC,,,12,8\n"
    b"202401,January 2024,202401,,Sendara,Ruvo,Ou2aBcDeFgH,Mirada HP,,,5,\n"
    b"202402,February 2024,202402,,Sendara,Ruvo,Ou1aBcDeFgH,Kalumbe CHC,,,14,9\n"
)


def test_a_pivot_download_with_metadata_columns_is_read_without_questions(picker, received):
    picker.upload.value = _upload_value("pivot.csv", PIVOT_WITH_METADATA)
    assert not _shown(picker.mapping_box)
    data, _report = received.calls[-1]
    assert data["org_unit"].nunique() == 2 and data["value"].sum() == 48.0
    assert set(data["org_unit_name"]) == {"Kalumbe CHC", "Mirada HP"}
    assert "202401" not in set(data["data_element"])
    assert "was not read" not in picker.error.value
    assert "organisationunitid" in picker.notes.value  # how the columns were understood
    counts = "2 places, 2 period(s), 2 data element(s); the values add up to 48."
    assert counts in picker.summary.value


def test_a_file_that_cannot_say_which_column_is_which_asks(picker, received):
    data = b"a,b,c\nKalumbe,Mirada,5\nTamari,Kalumbe,6\n"  # no period column either
    picker.upload.value = _upload_value("unclear.csv", data)
    assert _shown(picker.mapping_box) and not received.calls
    ambiguous = b"a,b,c,d\nKalumbe,ANC,202401,5\nMirada,ANC,202401,6\n"
    picker.upload.value = _upload_value("ambiguous.csv", ambiguous)
    assert _shown(picker.mapping_box) and not received.calls
    assert "Please choose" in picker.mapping_help.value
    assert "'a', 'b'" in html.unescape(picker.mapping_help.value)
    picker.dropdowns["org_unit"].value = "a"
    picker.dropdowns["data_element"].value = "b"
    picker.apply_button.click()
    data, _report = received.calls[-1]
    assert data["org_unit"].tolist() == ["Kalumbe", "Mirada"]


def test_a_headings_only_file_is_refused_plainly_and_the_picker_stays_usable(picker, received):
    picker.upload.value = _upload_value("empty.csv", b"Facility,Period,Visits\n")
    assert "headings but no data rows" in picker.error.value
    assert "Traceback" not in picker.error.value and not received.calls
    picker.upload.value = _upload_value("pivot.csv", PIVOT_WITH_METADATA)
    assert received.calls and picker.error.value == ""


def test_year_and_month_columns_make_the_period_in_the_mapping_step(picker, received):
    data = b"Facility,Year,Month,Visits\nKalumbe,2024,January,12\nKalumbe,2024,2,13\n"
    picker.upload.value = _upload_value("visits.csv", data)
    assert _shown(picker.mapping_box) and not received.calls
    assert not _shown(picker.dropdowns["period"])
    assert "'Year' and 'Month' together" in html.unescape(picker.mapping_help.value)
    assert picker.dropdowns["org_unit"].value == "Facility"
    assert picker.dropdowns["value"].value == "Visits"
    picker.apply_button.click()
    data, _report = received.calls[-1]
    assert [str(p) for p in data["period"]] == ["2024-01", "2024-02"]
    assert data["value"].tolist() == [12.0, 13.0]
    picker.dropdowns["value"].value = "Year"  # the year is already part of the period
    picker.apply_button.click()
    assert "chosen for both" in picker.error.value


def test_the_picker_is_a_page_part_with_its_own_class_names(picker):
    """The picker names its parts like a tool (``phcpm-picker-<name>``), but is placed
    inside a tool: no stylesheet or ``phcpm-app`` box of its own."""
    from widgets.base import Component, Tool

    assert isinstance(picker, Component) and not isinstance(picker, Tool)
    classes = set(picker.widget._dom_classes)
    assert classes == {"phcpm-picker"}
    assert "phcpm-picker-example" in picker.example_button._dom_classes
    assert "phcpm-picker-upload" in picker.upload._dom_classes
    assert "phcpm-picker-org-unit" in picker.dropdowns["org_unit"]._dom_classes
    for name in ("apply", "mapping", "summary", "download"):
        widget = {
            "apply": picker.apply_button,
            "mapping": picker.mapping_box,
            "summary": picker.summary,
            "download": picker.report_download,
        }[name]
        assert f"phcpm-picker-{name}" in widget._dom_classes
    assert "text/plain" in picker._repr_mimebundle_()
