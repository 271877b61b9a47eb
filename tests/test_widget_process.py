"""The process mapper tool, driven without a browser.

The numbers come from phcpm.process and phcpm.problems (tested in test_process.py and
test_problems.py); here we check that the tool passes the user's input through, shows
the results and stays usable after a mistake.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from phcpm import process
from phcpm.paths import dataset_path
from tests.widget_helpers import upload, visible_text
from widgets.process import ProcessMapper

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tool():
    return ProcessMapper()


def row(tool, step_id):
    return next(r for r in tool.step_rows if r.step_id == step_id)


def shown_text(box):
    return visible_text(box.value)


def test_starts_with_the_example_map_drawn_from_a_table_of_steps(tool):
    assert "<svg" in tool.map_view.value
    assert "Registration clerk" in tool.map_view.value
    assert "The map in words" in tool.map_text.value
    assert tool.map_view in tool.map_results.children
    assert len(tool.step_rows) == 16
    s6 = row(tool, "S6")
    assert s6.kind.value == "decision" and s6.kind.label == "Question (two answers)"
    assert (s6.next.value, s6.next_b.value) == ("S7", "S8")
    assert (s6.answer.value, s6.answer_b.value) == ("yes", "no")
    assert s6.lane.value == "Nurse" and "Registration clerk" in s6.lane.options
    assert ("S9: Consultation: history, examination", "S9") in s6.next.options
    assert row(tool, "S16").next.layout.display == "none"  # an end has no next step
    # the table the editor gives back is the example file, cell for cell
    example = pd.read_csv(dataset_path("process_steps.csv"), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(tool.steps(), example)
    classes = tool.widget._dom_classes
    assert "phcpm-app" in classes and "phcpm-process" in classes
    tool.open_tab(3)
    for widget, css in [
        (tool.steps_box, "phcpm-process-steps"),
        (tool.map_view, "phcpm-process-map"),
        (tool.example_steps, "phcpm-process-example"),
        (tool.pareto_text, "phcpm-process-pareto"),
    ]:
        assert css in widget._dom_classes


def test_the_closed_tabs_are_built_when_first_opened():
    fresh = ProcessMapper()
    assert fresh.sections.built == [True, False, False, False]
    assert not hasattr(fresh, "facility") and not hasattr(fresh, "pareto_text")
    assert all(page.children == () for page in fresh.sections.pages[1:])
    fresh.tabs.selected_index = 1  # as when the user clicks "2. Waiting times"
    assert fresh.sections.built == [True, True, False, False]
    assert fresh.facility.value == "gCifNzD4vSd"  # the example time stamps are in use
    assert "the example time stamps" in shown_text(fresh.flow_text)
    fresh.tabs.selected_index = 3
    assert fresh.pareto_text.value == fresh.pareto_example
    assert fresh.sections.built == [True, True, False, True]


def test_editing_a_step_redraws_the_map_at_once(tool):
    row(tool, "S16").label.value = "Patient goes home"
    assert "Patient goes home" in tool.map_view.value
    assert ("S16: Patient goes home", "S16") in row(tool, "S15").next.options
    tool.example_steps.click()
    assert "Patient leaves" in tool.map_view.value


def test_a_mistake_is_shown_as_typed_and_empties_the_map_until_fixed(tool):
    row(tool, "S3").next.value = ""
    assert "Step S3" in shown_text(tool.map_error) and "leads nowhere" in shown_text(tool.map_error)
    assert tool.map_results.children == ()  # no map of another table stays on screen
    row(tool, "S3").next.value = "S4"
    assert tool.map_error.layout.display == "none"
    assert "<svg" in tool.map_view.value and tool.map_results.children
    row(tool, "S6").answer_b.value = ""
    assert "answer for each branch" in shown_text(tool.map_error)
    tool.example_steps.click()
    assert tool.map_error.layout.display == "none"


def test_a_step_that_becomes_a_question_gets_boxes_for_its_second_answer(tool):
    s3 = row(tool, "S3")
    assert s3.next_b is None and s3.answer is None  # a plain step carries no such boxes
    assert len(s3.box.children) < len(row(tool, "S6").box.children)
    s3.kind.value = "decision"
    assert (s3.answer.value, s3.answer_b.value) == ("yes", "no")
    assert s3.next_b in s3.box.children
    targets = [sid for _, sid in s3.next_b.options]
    assert "S8" in targets and "S3" not in targets  # never itself
    assert "only one branch" in shown_text(tool.map_error)
    s3.next_b.value = "S8"
    assert tool.map_error.layout.display == "none"
    assert tool.steps().set_index("step_id").loc["S3", "next"] == "S4;S8"
    s3.kind.value = "step"
    assert s3.next_b.layout.display == "none" and s3.data()["next"] == ["S4"]
    tool.example_steps.click()
    assert row(tool, "S3").next_b is None


def test_steps_can_be_added_removed_and_the_example_comes_back(tool):
    tool.add_step.click()
    new = tool.step_rows[-1]
    assert new.step_id == "S17"
    assert "cannot be reached" in shown_text(tool.map_error) or "no lane" in shown_text(
        tool.map_error
    )
    new.label.value = "Pays at the cashier"
    new.lane.value = "Cashier"
    new.next.value = "S16"
    row(tool, "S15").next.value = "S17"
    assert tool.map_error.layout.display == "none"
    assert "Pays at the cashier" in tool.map_view.value
    tool.step_rows[-1].remove.click()
    assert "leads to" in shown_text(tool.map_error) or "leads nowhere" in shown_text(tool.map_error)
    tool.example_steps.click()
    assert len(tool.step_rows) == 16 and tool.map_error.layout.display == "none"
    assert "example map" in shown_text(tool.map_note)


def test_steps_import_from_csv_and_a_bad_file_keeps_the_table(tool):
    text = dataset_path("process_steps.csv").read_text(encoding="utf-8")
    tool.steps_upload.value = upload(
        "my-steps.csv", text.replace("Patient leaves", "Goes home").encode()
    )
    assert tool.steps_upload.value == ()  # emptied: the same file can be chosen again
    assert row(tool, "S16").label.value == "Goes home"
    assert "my-steps.csv" in shown_text(tool.map_note)
    bad = text.replace("S16,Patient leaves,Patient,end", "S16,x,Patient,finish").encode()
    tool.steps_upload.value = upload("bad.csv", bad)
    assert "not known" in shown_text(tool.map_error)
    assert row(tool, "S16").label.value == "Goes home"  # the table in use is unchanged
    tool.example_steps.click()
    assert row(tool, "S16").label.value == "Patient leaves"


def test_measuring_waits_colours_the_map(tool):
    tool.open_tab(1)
    tool.facility.value = "gCifNzD4vSd"
    tool.measure_button.click()
    assert tool.times_error.value == ""
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    expected = process.step_times(flow[flow["org_unit_id"] == "gCifNzD4vSd"])
    assert "bottleneck is triage" in tool.times_notes.value
    assert expected.overview["bottleneck"].iloc[0] == "triage"
    assert "min wait" in tool.map_view.value
    assert tool.times_download in tool.times_results.children
    assert tool.times_download.build()[:2] == b"PK"  # an Excel workbook
    assert tool.whatif_step.value == "triage"
    tool.whatif_servers.value = 2
    tool.whatif_button.click()
    assert "2 staff instead of 1" in tool.whatif_view.value
    tool.whatif_servers.value = 3  # the prediction belonged to 2 staff: it goes
    assert tool.whatif_results.children == ()


def test_a_bad_time_stamp_file_empties_the_results(tool):
    tool.measure_button.click()
    assert tool.times_results.children
    tool.flow_upload.value = upload("junk.csv", b"a,b\nx,y\n")
    tool.measure_button.click()
    assert tool.times_results.children == ()
    assert tool.times_error.layout.display == ""
    tool.flow_example.click()
    tool.measure_button.click()
    assert tool.times_results.children and tool.times_error.layout.display == "none"


def test_fishbone(tool):
    tool.open_tab(2)
    tool.fishbone_button.click()
    assert "Fishbone diagram" in tool.fishbone_view.value
    assert tool.fishbone_downloads.children[0].build()[:4] == b"\x89PNG"
    tool.effect.value = "Another problem"
    assert tool.fishbone_results.children == ()


def test_pareto_from_typed_lines(tool):
    tool.open_tab(3)
    tool.pareto_text.value = "Transport, 12\nNo plan, 30\nNo fuel, 5"
    tool.pareto_button.click()
    # 30 of 47 is 64 %; adding Transport gives 89 %, above 80 %: only "No plan" is vital
    assert "(up to 80 % of the total): No plan.</p>" in tool.pareto_view.value
    assert tool.pareto_table["category"].tolist() == ["No plan", "Transport", "No fuel"]
    assert "True" not in shown_text(tool.pareto_view) and "Yes" in shown_text(tool.pareto_view)
    tool.pareto_text.value = "Transport twelve"
    assert tool.pareto_results.children == ()  # the chart belonged to the old list
    tool.pareto_button.click()
    assert "no comma" in tool.pareto_error.value and "line 1" in tool.pareto_error.value


def test_pareto_upload_fills_the_list_and_typed_text_is_used_after(tool):
    tool.open_tab(3)
    tool.pareto_upload.value = upload("causes.csv", b"cause,cases\nNo fuel,5\nTransport,12\n")
    assert tool.pareto_upload.value == ()  # the upload button is empty again
    assert tool.pareto_text.value == "Transport, 12\nNo fuel, 5"
    assert "Transport" in tool.pareto_view.value and "causes.csv" in shown_text(tool.pareto_note)
    tool.pareto_text.value = "Waiting, 40\nTransport, 12"
    tool.pareto_button.click()
    assert tool.pareto_table["category"].tolist() == ["Waiting", "Transport"]
    assert tool.pareto_note.layout.display == "none"  # the note was about the file


def test_pareto_refuses_an_all_text_file_with_a_specific_message(tool):
    tool.open_tab(3)
    tool.pareto_text.value = "Waiting, 40\nTransport, 12"
    tool.pareto_button.click()
    before = tool.pareto_text.value
    data = b"orgunit,period,dataelement\nKelumo,202401,ANC 1\nKelumo,202402,ANC 1\n"
    tool.pareto_upload.value = upload("dhis2.csv", data)
    message = shown_text(tool.pareto_error)
    assert "period codes" in message and "dhis2.csv" in message, message
    assert tool.pareto_results.children == ()  # no chart of summed period codes
    assert tool.pareto_text.value == before  # the list is untouched
    tool.pareto_upload.value = upload("words.csv", b"cause,comment\nfuel,none left\n")
    assert "holds text, not counts" in shown_text(tool.pareto_error)


def test_every_button_is_as_wide_as_its_label(tool):
    for tab in range(4):
        tool.open_tab(tab)
    for button in (tool.add_step, tool.example_steps, tool.measure_button, tool.pareto_button):
        assert button.layout.width == "auto"


def test_works_without_graphviz_on_the_path(tmp_path):
    """Strip every folder holding `dot` from PATH: the map still renders (pure Python)."""
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    keep = [d for d in dirs if not (Path(d) / "dot").exists()]
    env = {**os.environ, "PATH": os.pathsep.join(keep), "MPLBACKEND": "Agg"}
    code = (
        "import shutil\n"
        "assert shutil.which('dot') is None\n"
        "from widgets.process import ProcessMapper\n"
        "t = ProcessMapper()\n"
        "assert '<svg' in t.map_view.value and t.map_error.value == ''\n"
        "assert t.map_downloads.children[0].build()[:4] == b'\\x89PNG'\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
    assert shutil.which("dot", path=env["PATH"]) is None


def test_the_example_pareto_counts_why_lusako_missed_supervision_visits_in_2025():
    # the numbers of lesson 5.2 (book/process/02-problem-analysis.ipynb)
    tool = ProcessMapper()
    tool.open_tab(3)
    assert tool.pareto_text.value.splitlines() == [
        "No vehicle or fuel, 22",
        "Supervisor called to other duties, 13",
        "Facility closed or in-charge away, 8",
        "Road impassable after rain, 7",
        "Allowance not paid, 3",
        "Other, 1",
    ]
    note = shown_text(tool.pareto_example_note)
    assert "54 planned supervision visits" in note and "Lusako District in 2025" in note
    assert tool.pareto_example_note.layout.display != "none"
    tool.pareto_button.click()
    assert "Lusako" not in tool.pareto_table["category"].tolist()
    assert "Vehicle" not in tool.pareto_view.value  # no district names, no invented causes
    assert "No vehicle or fuel, Supervisor called to other duties, Facility closed or" in (
        tool.pareto_view.value
    )
    tool.pareto_text.value = "Waiting, 40\nTransport, 12"
    assert tool.pareto_example_note.layout.display == "none"  # the words were about the example


def test_drawing_the_charts_leaves_no_figure_open():
    import matplotlib.pyplot as plt

    plt.close("all")
    tool = ProcessMapper()
    tool.open_tab(2)
    tool.fishbone_button.click()
    assert tool.fishbone_downloads.children[0].build()[:4] == b"\x89PNG"
    tool.open_tab(3)
    tool.pareto_button.click()
    assert "data:image/png;base64," in tool.pareto_view.value
    assert tool.pareto_downloads.children[0].build()[:4] == b"\x89PNG"
    assert tool.map_downloads.children[0].build()[:4] == b"\x89PNG"
    assert plt.get_fignums() == []


def test_the_boxes_of_a_question_are_named_for_the_page(tool):
    tool.example_steps.click()
    s6 = row(tool, "S6")
    for widget, css in [
        (s6.box, "phcpm-process-step"),
        (s6.label, "phcpm-process-step-label"),
        (s6.lane, "phcpm-process-step-lane"),
        (s6.kind, "phcpm-process-step-kind"),
        (s6.next, "phcpm-process-step-next"),
        (s6.next_b, "phcpm-process-step-next-b"),
    ]:
        assert css in widget._dom_classes


def test_time_stamps_without_a_facility_column_are_all_visits_together():
    tool = ProcessMapper()
    tool.open_tab(1)
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    one = flow[flow["org_unit_id"] == "gCifNzD4vSd"].drop(columns="org_unit_id")
    tool.flow_upload.value = upload("one-clinic.csv", one.to_csv(index=False).encode())
    assert tool.flow_upload.value == ()
    assert tool.facility.options == (("All visits", ""),)
    assert "'one-clinic.csv'" in shown_text(tool.flow_text)
    tool.measure_button.click()
    assert tool.times_error.value == ""
    expected = process.times_findings(process.step_times(one))
    assert all(html.escape(line) in tool.times_notes.value for line in expected)
    tool.whatif_button.click()
    assert tool.times_error.value == ""
    assert "staff instead of" in tool.whatif_view.value


def test_the_pareto_list_from_a_file_keeps_large_counts_whole(tool):
    tool.open_tab(3)
    tool.pareto_upload.value = upload("big.csv", b"cause,cases\nStock-out,1234567\nRain,3\n")
    assert tool.pareto_text.value == "Stock-out, 1234567\nRain, 3"
    assert tool.pareto_error.value == ""
    assert tool.pareto_table["count"].tolist() == [1234567, 3]
