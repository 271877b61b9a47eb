"""The process mapper tool, driven without a browser.

The numbers come from phcpm.process and phcpm.problems (tested in test_process.py and
test_problems.py); here we check that the tool passes the user's input through, shows
the results and stays usable after a mistake.
"""

from __future__ import annotations

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
from widgets.process import ProcessMapper

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tool():
    return ProcessMapper()


def test_starts_with_the_map_drawn(tool):
    assert "<svg" in tool.map_view.value
    assert "Registration clerk" in tool.map_view.value
    assert "The map in words" in tool.map_text.value
    assert "process-map.svg" in tool.map_svg_download.value
    assert "process-map.png" in tool.map_png_download.value
    classes = tool.widget._dom_classes
    assert "phcpm-app" in classes and "phcpm-process" in classes
    for widget, css in [
        (tool.steps_text, "phcpm-process-steps"),
        (tool.map_view, "phcpm-process-map"),
        (tool.update_button, "phcpm-process-update"),
        (tool.pareto_text, "phcpm-process-pareto"),
    ]:
        assert css in widget._dom_classes


def test_editing_the_steps_updates_the_map(tool):
    original = tool.steps_text.value
    tool.steps_text.value = original.replace("Patient leaves", "Patient goes home")
    tool.update_button.click()
    assert "Patient goes home" in tool.map_view.value
    tool.steps_text.value = original
    tool.update_button.click()


def test_a_bad_table_shows_a_message_and_the_tool_stays_usable(tool):
    original = tool.steps_text.value
    tool.steps_text.value = original.replace(
        "S16,Patient leaves,Patient,end", "S16,x,Patient,finish"
    )
    tool.update_button.click()
    assert "S16" in tool.map_error.value and "not known" in tool.map_error.value
    tool.steps_text.value = original
    tool.update_button.click()
    assert tool.map_error.value == ""
    assert "<svg" in tool.map_view.value


def test_measuring_waits_colours_the_map(tool):
    tool.facility.value = "gCifNzD4vSd"
    tool.measure_button.click()
    assert tool.times_error.value == ""
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    expected = process.step_times(flow[flow["org_unit_id"] == "gCifNzD4vSd"])
    assert "bottleneck is triage" in tool.times_notes.value
    assert expected.overview["bottleneck"].iloc[0] == "triage"
    assert "min wait" in tool.map_view.value
    assert "waiting-times.csv" in tool.times_download.value
    assert tool.whatif_step.value == "triage"
    tool.whatif_servers.value = 2
    tool.whatif_button.click()
    assert "2 staff instead of 1" in tool.whatif_view.value


def test_fishbone_and_pareto(tool):
    tool.fishbone_button.click()
    assert "Fishbone diagram" in tool.fishbone_view.value
    assert "fishbone.png" in tool.fishbone_png_download.value
    tool.pareto_text.value = "Transport, 12\nNo plan, 30\nNo fuel, 5"
    tool.pareto_button.click()
    # 30 of 47 is 64 %; adding Transport gives 89 %, above 80 %: only "No plan" is vital
    assert "(up to 80 % of the total): No plan.</p>" in tool.pareto_view.value
    assert tool.pareto_table["category"].tolist() == ["No plan", "Transport", "No fuel"]
    tool.pareto_text.value = "Transport twelve"
    tool.pareto_button.click()
    assert "no comma" in tool.pareto_error.value


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
        "assert 'process-map.png' in t.map_png_download.value\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
    assert shutil.which("dot", path=env["PATH"]) is None
