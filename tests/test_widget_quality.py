"""The Data Quality Review tool without a browser: click, filter, read the results.

Expected numbers are computed by phcpm (the review, WHO Data Quality Review
Module 2, 2017) on the same example data, never typed in. The data reach the
tool through the shared DataPicker, which checks them with phcpm.io.tidy; the
rows it drops from the example are compared with the list of problems put in
the data on purpose (datasets/answer_key.csv). Uploads are simulated the way
ipywidgets 8 delivers them (a tuple of dicts whose ``content`` is a memoryview).
"""

from __future__ import annotations

import base64
import io
import re

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from phcpm import io as pio  # noqa: E402
from phcpm import quality  # noqa: E402
from phcpm import report as report_module  # noqa: E402
from phcpm.answer_key import load_key  # noqa: E402
from phcpm.errors import InputError  # noqa: E402
from phcpm.paths import dataset_path  # noqa: E402
from tests.widget_helpers import upload
from tests.widget_helpers import visible_text as _text
from widgets.common import GENERIC_ERROR, Tool  # noqa: E402
from widgets.data_picker import DataPicker  # noqa: E402
from widgets.quality import DataQualityReview, load_example  # noqa: E402


def _example_tidy() -> pio.TidyResult:
    """The example routine data checked as the picker checks them."""
    service, _, _ = load_example()
    frame = service[["org_unit", "period", "data_element", "value"]]
    return pio.tidy(pio.table_from_frame(frame, source_name="example-data"))


@pytest.fixture(scope="module")
def tool():
    t = DataQualityReview()
    t.run.click()
    return t


@pytest.fixture(scope="module")
def dhis2_bytes() -> bytes:
    return dataset_path("dhis2/datavalueset.csv").read_bytes()


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
    # The shared Tool base: root box with the app classes, stylesheet first.
    assert isinstance(t, Tool)
    assert {"phcpm-app", "phcpm-quality"} <= set(t.widget._dom_classes)
    assert t.widget.children[0] is t._stylesheet
    # Data come through the shared DataPicker: its buttons are the tool's buttons.
    assert isinstance(t.picker, DataPicker) and t.picker.widget in t.widget.children
    assert t.run is t.picker.example_button and t.upload is t.picker.upload
    assert t.run.description == "Use the example data"
    assert {"phcpm-error", "phcpm-quality-error"} <= set(t.error._dom_classes)


def _report_text(tool) -> str:
    return " ".join(box.children[0].value for box in tool.report_box.children)


def test_one_click_gives_the_annual_report_the_verify_list_and_reports_on_demand(tool):
    _, reporting, _ = load_example()
    checked = _example_tidy()
    pd.testing.assert_frame_equal(tool.data, checked.data)
    expected = quality.review(checked.data, reporting, org_units=tool.org_units)
    assert tool.result.year == expected.year == 2025  # the last complete year
    assert f"Review of 2025 done: {len(expected.verify):,} values to verify" in _text(
        tool.status.value
    )
    assert "the last complete year in the data" in _text(tool.status.value)
    assert "not checked" not in tool.status.value  # the example has the reporting data
    text = _report_text(tool)
    assert "Reporting completeness" in text and "Consistency over time" in text
    assert "region level" in tool.summary.value  # the top of the drill-down
    assert tool.verify_html.value.count("<tr>") == 50  # the first 50 values (and a heading)
    # Reports are built only when asked for.
    assert [d.label for d in tool.downloads.children] == ["HTML report (printable)", "Excel report"]
    assert all(not d.built and d.link.value == "" for d in tool.downloads.children)
    page = tool.html_download.build()
    assert b"<h1>Annual data quality review: 2025</h1>" in page
    assert "base64," in tool.html_download.link.value
    book = pd.read_excel(io.BytesIO(tool.excel_download.build()), sheet_name=None)
    assert list(book)[:2] == ["Annual report", "Verify first"]


def test_drill_down_from_region_to_district_to_facility_keeps_the_interpretations(tool):
    assert tool.drill_region.options == ("All", "Kalindi Region", "Mosoro Region")
    first = tool.report_box.children[0].children[1]
    first.value = "Reports late in the rainy season"
    tool.drill_region.value = "Kalindi Region"
    assert "district level, inside Kalindi Region" in tool.summary.value
    assert tool.drill_district.options == (
        "All",
        "Lusako District",
        "Ruvo District",
        "Tembwe District",
    )
    tool.drill_district.value = "Ruvo District"
    assert "facility level, inside Ruvo District" in tool.summary.value
    # the values to verify follow the district chosen, in the data's order
    rows = re.findall(
        r"<tr>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", tool.verify_html.value
    )
    assert len(rows) == 50 and {district for _, _, district in rows} == {"Ruvo District"}
    ranks = [int(rank) for rank, _, _ in rows]
    whole = report_module.verify_table(tool.result)
    ruvo = whole[whole["District"] == "Ruvo District"]["Rank"].head(50).tolist()
    assert ranks == ruvo  # the data's order, narrowed to the district
    assert "values to verify in Ruvo District" in tool.verify_html.value
    annual = tool.result.annual.report("facility", "Ruvo District")
    assert annual["subunits"].max() == (
        tool.result.annual.units.query("level == 'facility' and district == 'Ruvo District'")[
            "org_unit"
        ].nunique()
    )
    assert tool.report_box.children[0].children[1].value == "Reports late in the rainy season"
    assert b"Reports late in the rainy season" in tool.html_download.build()
    tool.drill_region.value = "All"


def test_the_example_problems_dropped_by_the_check_are_those_of_the_answer_key(tool):
    """Rows entered twice and negative counts never reach the review: the picker drops
    them and lists them, and they are exactly the 5 + 2 problems put in the data."""
    report = tool.picker.result.report
    assert len(report) == 7
    summary = _text(tool.picker.summary.value)
    assert "Rows dropped: 7" in summary
    assert "Download the full list of problems" in tool.picker.report_download.value
    service, _, _ = load_example()
    rows = service.iloc[report["row"].to_numpy() - 2]  # file row 2 is the first data row
    found = set(zip(rows["org_unit_id"], rows["period"], rows["data_element"], strict=True))
    key = load_key()
    key = key[key["problem_type"].isin(["duplicate_row", "negative_value"])]
    assert len(key) == 7
    expected = set(zip(key["org_unit_id"], key["period"], key["data_element"], strict=True))
    assert found == expected


def test_filters_narrow_the_flags_and_the_chart_follows(tool):
    tool.pick_year.value = "2024"  # the year of the extra digit below
    assert tool.result.year == 2024
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
    tool.pick_year.value = "Last complete year"


def test_a_stricter_threshold_gives_more_flags(tool):
    _, reporting, _ = load_example()
    tool.completeness.value = 95
    got = (tool.flags["rule"] == "reporting_completeness").sum()
    of_2025 = reporting[reporting["period"].str.startswith("2025")]
    assert got == len(quality.reporting_completeness(of_2025, threshold=0.95))
    assert got > 20


def test_a_bad_file_empties_the_old_results_and_says_why(tool):
    assert tool.result is not None and len(tool.downloads.children) == 2
    tool.html_download.build()
    tool.upload.value = upload("empty.csv", b"")
    assert "empty" in tool.picker.error.value and 'role="alert"' in tool.picker.error.value
    # Nothing of the earlier review stays under the message: no table, no download.
    assert tool.results.children == () and tool.status.value == ""
    assert tool.downloads.children == () or all(d.link.value == "" for d in tool.downloads.children)
    assert "Review of" not in tool.status.value
    tool.upload.value = upload("junk.csv", bytes(range(256)) * 40)
    assert "not a table" in _text(tool.picker.error.value)
    assert "Traceback" not in tool.picker.error.value
    assert tool.upload.value == ()  # the widget keeps no copy of the file
    tool.run.click()  # the tool stays usable
    assert "Review of 2025 done" in _text(tool.status.value)


def test_a_file_without_a_usable_row_is_an_error_not_zero_flags():
    tool = DataQualityReview()
    rows = "Data,Period,Organisation unit,Value\nANC first visit,sometime,Kilima,\n"
    tool.upload.value = upload("nothing.csv", rows.encode())
    if tool.picker.mapping_box.layout.display != "none":
        tool.picker.apply_button.click()
    shown = _text(tool.picker.error.value) + _text(tool.error.value)
    assert shown.strip()  # a reason is given
    assert "Review of" not in tool.status.value and tool.result is None


def test_a_dhis2_download_is_reviewed_without_the_reporting_checks(dhis2_bytes):
    tool = DataQualityReview()
    tool.upload.value = upload("datavalueset.csv", dhis2_bytes)
    assert tool.picker.error.value == "" and tool.error.value == ""
    assert tool.upload.value == ()
    expected = pio.tidy(pio.read_table(dhis2_bytes, filename="datavalueset.csv"))
    pd.testing.assert_frame_equal(tool.data, expected.data)
    assert tool.reporting is None
    result = quality.review(expected.data, None)
    flagged = result.flagged()
    assert f"{len(result.verify):,} values to verify" in _text(tool.status.value)
    assert "Reporting completeness and timeliness are not checked" in tool.status.value
    assert "Reporting completeness" not in _report_text(tool)
    assert "outliers" in _report_text(tool)
    assert tool.pick_district.options == ("All",)  # no districts known for a user's file
    assert len(tool.flags) == len(flagged)
    assert tool.excel_download.filename == "data-quality-review.xlsx"
    # The example after an upload brings back the reporting checks and the districts.
    tool.run.click()
    assert tool.reporting is not None and "Reporting completeness" in _report_text(tool)
    assert "Ruvo District" in tool.pick_district.options


def test_an_ordinary_table_is_mapped_then_reviewed():
    """A table that is not a DHIS2 download: the picker asks which column is which."""
    service, _, _ = load_example()
    mine = service.loc[service["data_element"].isin(["ANC1", "ANC4"])].head(400)
    data = (
        mine.rename(columns={"org_unit": "Facility", "period": "Month", "value": "Visits"})[
            ["Facility", "Month", "data_element", "Visits"]
        ]
        .to_csv(index=False)
        .encode()
    )
    tool = DataQualityReview()
    tool.upload.value = upload("anc.csv", data)
    assert tool.picker.mapping_box.layout.display != "none"
    assert tool.data is None  # nothing reviewed before the columns are confirmed
    tool.picker.apply_button.click()
    assert tool.picker.error.value == "" and tool.error.value == ""
    assert len(tool.data) == len(mine)
    assert set(tool.data["data_element"]) == {"ANC1", "ANC4"}
    assert "values to verify" in tool.status.value


def test_review_errors_become_messages_and_the_tool_stays_usable(dhis2_bytes, monkeypatch):
    tool = DataQualityReview()
    real = quality.review

    def plain_problem(*args, **kwargs):
        raise InputError("The periods are not months", todo="Export monthly data")

    def unexpected(*args, **kwargs):
        raise RuntimeError("internal detail the user must not see")

    monkeypatch.setattr(quality, "review", plain_problem)
    tool.upload.value = upload("datavalueset.csv", dhis2_bytes)
    assert "The periods are not months" in _text(tool.error.value)
    assert 'role="alert"' in tool.error.value
    assert tool.result is None and tool.summary.value == ""  # no stale results
    monkeypatch.setattr(quality, "review", unexpected)
    tool.moderate.value = 2.5
    assert GENERIC_ERROR in _text(tool.error.value)
    assert "internal detail" not in tool.error.value
    assert "RuntimeError" in tool.last_error
    monkeypatch.setattr(quality, "review", real)
    tool.moderate.value = 2.0
    assert tool.error.value == "" and "values to verify" in tool.status.value


# --------------------------------------------------------------------------- phcpm additions


FLAGS = pd.DataFrame(
    {
        "check": ["Outlier", "Outlier", "Part above whole", "Outlier"],
        "district": ["Ruvo District", "Lusako District", "Ruvo District", None],
        "org_unit": ["Kerama Health Centre", "Tazali Health Post", "Kerama Health Centre", "X"],
        "period": ["2024-03", "2024-04", "2024-05", "2024-06"],
    },
    index=[10, 11, 12, 13],
)


def test_filter_flags_keeps_the_rows_that_match_every_choice():
    assert quality.filter_flags(FLAGS).index.tolist() == [10, 11, 12, 13]
    assert quality.filter_flags(FLAGS, district="Ruvo District").index.tolist() == [10, 12]
    assert quality.filter_flags(FLAGS, check="Outlier").index.tolist() == [10, 11, 13]
    both = quality.filter_flags(FLAGS, district="Ruvo District", check="Outlier")
    assert both.index.tolist() == [10]  # the index is kept, to find the row again
    one = quality.filter_flags(FLAGS, org_unit="Tazali Health Post")
    assert one["period"].tolist() == ["2024-04"]
    assert quality.filter_flags(FLAGS, org_unit="Nowhere").empty
    # Without a district column the district choice cannot narrow anything.
    no_district = FLAGS.drop(columns="district")
    assert len(quality.filter_flags(no_district, district="Ruvo District")) == 4
    pd.testing.assert_frame_equal(FLAGS, FLAGS.copy())  # input unchanged


def test_filter_flags_explains_a_missing_column():
    with pytest.raises(InputError, match="check"):
        quality.filter_flags(FLAGS.drop(columns="check"), check="Outlier")


def test_a_pivot_download_with_reporting_figures_is_checked_for_completeness():
    """A DHIS2 pivot table with the data set's expected and actual reports: the
    reporting checks run on those figures, and they are not reviewed as values."""
    rows = ["Data,Period,Organisation unit,Value"]
    for month in ("January 2025", "February 2025", "March 2025"):
        for place, visits in (("Kilima Health Centre", 40), ("Mto Health Post", 12)):
            rows.append(f"ANC first visit,{month},{place},{visits}")
            rows.append(f"PHC monthly report - Expected reports,{month},{place},1")
            if not (place == "Mto Health Post" and month != "January 2025"):
                rows.append(f"PHC monthly report - Actual reports,{month},{place},1")
                rows.append(f"PHC monthly report - Actual reports on time,{month},{place},1")
    tool = DataQualityReview()
    tool.upload.value = upload("pivot.csv", ("\n".join(rows) + "\n").encode())
    if tool.picker.mapping_box.layout.display != "none":
        tool.picker.apply_button.click()
    assert tool.picker.error.value == "" and tool.error.value == ""
    assert set(tool.data["data_element"]) == {"ANC first visit"}
    assert tool.reporting is not None and len(tool.reporting) == 6
    completeness = tool.result.completeness.set_index("org_unit")
    assert completeness.index.tolist() == ["Mto Health Post"]
    assert completeness.loc["Mto Health Post", "statistic"] == pytest.approx(1 / 3)
    assert "expected and actual reports in your file" in _text(tool.status.value)


def test_the_funnel_plot_of_reporting_opens_on_demand_and_goes_with_a_bad_file():
    tool = DataQualityReview()
    tool.run.click()
    assert tool.funnel_section in tool.results.children
    assert "95 % interval" in _report_text(tool)  # the annual table's proportions
    assert tool.funnel_out.children == ()  # drawn only when its section is opened
    tool.funnel_section.selected_index = 0
    assert tool.error.value == ""
    caption, chart, listing, png, csv = tool.funnel_out.children
    text = _text(caption.value)
    assert "outside the dotted lines" in text and "the ones to look at" in text
    assert "all 145 facilities together (88.0 %)" in text
    alt = re.search(r'alt="([^"]+)"', chart.value).group(1)
    assert alt.startswith("Funnel plot of reporting completeness in 2025 for 145 facilities")
    assert "none is outside the 99.8 % limits" in alt
    assert png.build().startswith(b"\x89PNG")
    table = pd.read_csv(io.BytesIO(csv.build()))
    assert len(table) == 145 and "Completeness, lower 95 % limit" in table.columns
    # Timeliness: the facilities outside the funnel are listed with their interval.
    tool.funnel_measure.value = "reporting_timeliness"
    expected = quality.reporting_funnel(tool.result, "reporting_timeliness").look_here()
    assert len(expected) > 0
    listing = _text(tool.funnel_out.children[2].value)
    assert all(name in listing for name in expected["name"])
    assert "95 % interval" in tool.funnel_out.children[2].value
    # The drill-down narrows the funnel to the district chosen.
    tool.drill_region.value = "Mosoro Region"
    tool.drill_district.value = "Kavira District"
    assert "for 27 facilities in Kavira District" in tool.funnel_out.children[1].value
    # A bad file: the funnel goes with everything else.
    tool.upload.value = upload("empty.csv", b"")
    assert "empty" in tool.picker.error.value
    assert tool.funnel_out.children == () and tool.results.children == ()
    tool.run.click()  # usable again, the section still open
    assert "Funnel plot of reporting" in tool.funnel_out.children[1].value


def test_text_form_and_no_picture_left_open():
    import matplotlib.pyplot as plt

    tool = DataQualityReview()
    tool.run.click()
    for check in tool.pick_check.options[1:]:  # a check with monthly flags opens a series
        tool.pick_check.value = check
        if tool.pick_flag.value is not None:
            break
    assert tool.pick_flag.value is not None
    text = tool._repr_mimebundle_()["text/plain"]
    assert text == "Data Quality Review: WHO annual review, verify first, reports"
    before = len(plt.get_fignums())
    tool.funnel_section.selected_index = 0
    tool.show_funnel()
    tool.show_chart()
    assert tool.funnel_png and tool.chart.value.startswith("<img")
    assert len(plt.get_fignums()) == before  # the funnel and the series were closed
