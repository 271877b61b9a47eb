"""The review report: summary in plain words, flag list, HTML and Excel, chart.

Expected numbers are worked out by hand on a tiny review (one facility, 12 months)
using the WHO Data Quality Review rules (Module 2, 2017) that phcpm.quality applies:
a value 3 or more standard deviations from the series mean is an extreme outlier.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from phcpm import quality, report  # noqa: E402


@pytest.fixture(scope="module")
def result():
    # Eleven months of 10 and one month of 100: mean 17.5, SD (n - 1) = 25.98,
    # z of the 100 = 82.5 / 25.98 = 3.18 -> one extreme outlier (WHO DQR, >= 3 SD).
    values = [10.0] * 11 + [100.0]
    data = pd.DataFrame(
        {
            "org_unit": "Kilima <HC>",
            "period": pd.period_range("2024-01", periods=12, freq="M").astype(str),
            "data_element": "ANC1",
            "value": values,
        }
    )
    reporting = pd.DataFrame(
        {
            "org_unit": "Kilima <HC>",
            "period": pd.period_range("2024-01", periods=12, freq="M").astype(str),
            "expected": 1,
            "received": [1] * 10 + [0, 0],  # 10 of 12 = 83 % < 90 %
            "on_time": [1] * 10 + [np.nan, np.nan],  # 10 of 10 = 100 % >= 75 %
        }
    )
    return data, quality.review(data, reporting)


def test_summary_in_plain_words(result):
    _, res = result
    table = report.summary_table(res).set_index("Check")
    assert table.loc["Outlier (standard deviations) – extreme", "Flagged"] == 1
    assert table.loc["Outlier (standard deviations) – extreme", "WHO threshold"] == "within ±3 SD"
    assert table.loc["Outlier (standard deviations) – extreme", "Result"] == (
        "■ Fail: 1 value to verify"
    )
    assert table.loc["Reporting completeness", "WHO threshold"] == "at least 90 %"
    assert table.loc["Reporting completeness", "Result"].startswith("■ Fail")
    assert table.loc["Reporting timeliness", "Result"] == "● Pass"


def test_flag_table_names_and_periods(result):
    _, res = result
    flags = report.flag_table(res, names={"Kilima <HC>": "Kilima Health Centre"})
    assert set(flags["org_unit_name"]) == {"Kilima Health Centre"}
    outlier = flags[flags["rule"] == "outlier_sd"]
    assert list(outlier["period"]) == ["2024-12"]
    assert flags.loc[flags["rule"] == "reporting_completeness", "period"].item() == ""


def test_html_is_self_contained_escaped_and_reproducible(result):
    _, res = result
    page = report.report_html(res, title="Kilima review")
    assert page == report.report_html(res, title="Kilima review")
    assert "<script" not in page and "src=" not in page and "http" not in page
    assert "Kilima &lt;HC&gt;" in page and "Kilima <HC>" not in page
    assert "Outlier (standard deviations): 1 flagged" in page
    assert "● Pass" in page and "■ Fail" in page


def test_excel_has_summary_and_one_sheet_per_check(result):
    _, res = result
    book = pd.read_excel(io.BytesIO(report.report_excel(res)), sheet_name=None)
    assert list(book)[0] == "Summary"
    assert "Outlier (standard deviations)" in book
    assert len(book["Outlier (standard deviations)"]) == 1


def test_series_figure_marks_the_flagged_month(result):
    data, _ = result
    fig = report.series_figure(data, "Kilima <HC>", "ANC1", ["2024-12"])
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["flagged"]
    assert ax.get_legend() is not None
    matplotlib.pyplot.close(fig)
    empty = report.series_figure(data, "Nowhere", "ANC1")
    assert [t.get_text() for t in empty.axes[0].texts] == ["No monthly values to show"]
    matplotlib.pyplot.close(empty)


def test_annual_table_in_plain_words(result):
    # Completeness 10 / 12 = 83.3 %, not above 90 %: divergent (WHO tool,
    # src/appCore/appServiceDataAnalysis.js line 741: value > threshold is within). Extreme outliers:
    # the 100 (z = 3.18 > 3), 1 of 12 values = 8.3 %.
    _, res = result
    table = report.annual_table(res, "facility").set_index("Check")
    completeness = table.loc["Reporting completeness"]
    assert completeness["Overall score"] == "83.3 %"
    assert completeness["Divergent"] == 1 and completeness["Divergent sub-units"] == "Kilima <HC>"
    extreme = table.loc["Extreme outliers (> 3 SD)"]
    assert extreme["Overall score"] == "8.3 % of values" and extreme["% divergent"] == 100.0
    assert list(table.columns) == [
        "Dimension",
        "Data element",
        "WHO threshold",
        "Overall score",
        "95 % interval",
        "Sub-units",
        "Divergent",
        "% divergent",
        "Divergent sub-units",
    ]


def test_verify_table_puts_the_outlier_first(result):
    _, res = result
    first = report.verify_table(res).iloc[0]
    assert (first["Month"], first["Value"], first["Usual value"]) == ("2024-12", 100.0, 10.0)
    assert first["Why"] == "far from the usual 10"


def test_annual_html_has_the_interpretations_escaped_and_is_reproducible(result):
    _, res = result
    notes = {"Reporting completeness": "Two reports <lost> in the rains"}
    page = report.annual_html(res, interpretations=notes)
    assert page == report.annual_html(res, interpretations=notes)
    assert "<h1>Annual data quality review: 2024</h1>" in page
    assert "Two reports &lt;lost&gt; in the rains" in page
    assert "Kilima &lt;HC&gt;" in page and "Kilima <HC>" not in page
    assert "<script" not in page and "http" not in page
    assert page.count("<b>Interpretation</b>") == len(report.annual_table(res)["Check"].unique())


def test_annual_excel_has_the_report_and_the_verify_list(result):
    _, res = result
    book = pd.read_excel(io.BytesIO(report.annual_excel(res)), sheet_name=None)
    assert list(book) == ["Annual report", "Verify first", "Reporting by facility", "Summary"]
    assert book["Verify first"]["Value"].iloc[0] == 100


def test_proportions_get_their_wilson_interval_in_the_table_and_the_downloads(result):
    # Completeness 10 of 12. Wilson (1927), z = 1.959964: centre (p + z²/2n) / (1 + z²/n)
    # = 0.7525, half-width z / (1 + z²/n) * sqrt(p(1 - p)/n + z²/4n²) = 0.2005, so
    # 55.2 - 95.3 % (R: binom::binom.confint(10, 12, method = "wilson") 0.5519 - 0.9530).
    # Timeliness on time / expected: 10 of 12 as well (the two blanks are reports
    # never received).
    _, res = result
    table = report.annual_table(res, "facility").set_index("Check")
    assert table.loc["Reporting completeness", "95 % interval"] == "55.2 – 95.3 %"
    assert table.loc["Reporting timeliness (on time / expected)", "95 % interval"] == (
        "55.2 – 95.3 %"
    )
    assert table.loc["Extreme outliers (> 3 SD)", "95 % interval"] == ""  # not a proportion
    units = report.reporting_table(res, "facility")
    first = units.iloc[0]
    assert first["Org unit"] == "Kilima <HC>"
    assert (first["Reports expected"], first["Reports received"], first["Reports on time"]) == (
        12,
        10,
        10,
    )
    assert first["Completeness (%)"] == 83.3
    assert first["Completeness, lower 95 % limit"] == 55.2
    assert first["Completeness, upper 95 % limit"] == 95.3
    assert first["Timeliness, upper 95 % limit"] == 95.3
    book = pd.read_excel(io.BytesIO(report.annual_excel(res)), sheet_name=None)
    assert book["Annual report"]["95 % interval"].iloc[0] == "55.2 – 95.3 %"
    assert book["Reporting by facility"]["Completeness, lower 95 % limit"].iloc[0] == 55.2
    assert "55.2 – 95.3 %" in report.annual_html(res)


def test_without_reporting_data_there_is_no_reporting_table():
    data = pd.DataFrame(
        {
            "org_unit": "Kilima HC",
            "period": pd.period_range("2024-01", periods=12, freq="M").astype(str),
            "data_element": "ANC1",
            "value": 10.0,
        }
    )
    res = quality.review(data)
    assert report.reporting_table(res).empty
    assert "Reporting by facility" not in pd.read_excel(
        io.BytesIO(report.annual_excel(res)), sheet_name=None
    )
