"""The Data Quality Review tool without a browser: click, filter, read the results.

Expected numbers are computed by phcpm (the review, WHO Data Quality Review
Module 2, 2017) on the same example data, never typed in.
"""

from __future__ import annotations

import base64
import datetime
import io
import re

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from phcpm import quality  # noqa: E402
from widgets.quality import DataQualityReview, load_example  # noqa: E402


@pytest.fixture(scope="module")
def tool():
    t = DataQualityReview()
    t.run.click()
    return t


def test_it_starts_empty_with_stable_classes_and_a_widget():
    t = DataQualityReview()
    assert "Use the example data" in t.summary.value
    assert "phcpm-quality-run" in t.run._dom_classes
    assert "phcpm-quality-summary" in t.summary._dom_classes
    assert "phcpm-quality-flags" in t.flag_html._dom_classes
    assert all(
        s.continuous_update is False
        for s in (t.moderate, t.extreme, t.mz, t.consistency, t.completeness, t.timeliness)
    )
    assert "application/vnd.jupyter.widget-view+json" in t._repr_mimebundle_()


def test_one_click_gives_summary_flags_and_reports(tool):
    assert "Reporting completeness" in tool.summary.value
    assert "■ Fail" in tool.summary.value and "● Pass" in tool.summary.value
    service, reporting, _ = load_example()
    expected = len(
        quality.review(
            service,
            reporting,
            internal=(("ANC4", "ANC1"), ("PENTA3", "PENTA1"), ("MAL_CONFIRMED", "MAL_TESTED")),
        ).flagged()
    )
    assert f"{expected:,} flags to verify" in tool.status.value
    links = re.findall(r'base64,([A-Za-z0-9+/=]+)"', tool.downloads.value)
    assert len(links) == 2
    book = pd.read_excel(io.BytesIO(base64.b64decode(links[0])), sheet_name=None)
    assert list(book)[0] == "Summary"
    assert b"<h1>Data quality review</h1>" in base64.b64decode(links[1])


def test_filters_narrow_the_flags_and_the_chart_follows(tool):
    tool.pick_district.value = "Ruvo District"
    tool.pick_facility.value = "Kerama Health Centre"
    shown = tool.filtered()
    assert len(shown) and set(shown["org_unit"]) == {"Kerama Health Centre"}
    assert "Kerama Health Centre" in tool.flag_html.value
    penta = [v for label, v in tool.pick_flag.options if "PENTA1 – 2024-03" in label]
    assert penta  # the extra digit 543 typed for 54 (answer key P002)
    tool.pick_flag.value = penta[0]
    chart = tool.chart.value
    payload = chart.split("base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(payload).startswith(b"\x89PNG")  # a figure was drawn
    assert 'alt="Monthly ' in chart and "flagged month" in chart  # with a text alternative
    tool.pick_check.value = "Reporting completeness"
    assert tool.pick_flag.options == ()  # no monthly series for a unit-level check
    assert tool.chart.value == ""
    tool.pick_district.value = "All"


def test_a_stricter_threshold_gives_more_flags(tool):
    _, reporting, _ = load_example()
    tool.completeness.value = 95
    got = (tool.flags["rule"] == "reporting_completeness").sum()
    assert got == len(quality.reporting_completeness(reporting, threshold=0.95))
    assert got > 80  # 80 facilities are below the WHO 90 % threshold


def test_a_bad_file_shows_a_plain_message_and_the_tool_stays_usable(tool):
    empty = {
        "name": "empty.csv",
        "content": memoryview(b""),
        "type": "text/csv",
        "size": 0,
        "last_modified": datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
    }
    tool.upload.value = (empty,)
    assert "empty" in tool.error.value and "role='alert'" in tool.error.value
    assert "Reporting completeness" in tool.summary.value  # earlier result still there
