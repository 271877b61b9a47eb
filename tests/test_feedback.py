"""Tests for phcpm.feedback: scorecard HTML, Excel with fills and symbols, feedback sheets.

Conventions checked:

* Bands are never shown by colour alone: every cell carries the symbol and the
  words of phcpm.style.BANDS (Okabe & Ito, Color Universal Design, 2008).
* Files are reproducible: fixed dates in the ZIP entries (ZipInfo date_time) and in
  the Excel document properties, so the same scorecard gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile

import matplotlib
import openpyxl
import pandas as pd
import pytest

from phcpm.errors import InputError
from phcpm.feedback import (
    feedback_sheet_html,
    feedback_sheets_zip,
    scorecard_excel,
    scorecard_html,
    trend_small_multiples,
)
from phcpm.feedback.pages import _fast_sheets
from phcpm.scorecard import feedback_sheet_data, scorecard
from phcpm.style import BANDS

matplotlib.use("Agg")

FEB, MAR = pd.Period("2025-02", "M"), pd.Period("2025-03", "M")


def definitions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator": "PENTA3",
                "name": "Penta3 coverage",
                "higher_is_better": True,
                "target": 80.0,
                "thresholds": (80, 50),
                "unit": "%",
            },
            {
                "indicator": "STOCKOUT",
                "name": "Stock-out days of ACT",
                "higher_is_better": False,
                "target": 10.0,
                "thresholds": (10, 20),
                "unit": "days",
            },
        ]
    )


@pytest.fixture
def card() -> pd.DataFrame:
    rows = [
        ("A", FEB, "PENTA3", 70.0),
        ("A", MAR, "PENTA3", 82.0),
        ("A", MAR, "STOCKOUT", 5.0),
        ("B", FEB, "PENTA3", 60.0),
        ("B", MAR, "PENTA3", 55.0),
        ("B", MAR, "STOCKOUT", 25.0),
        ("C", MAR, "PENTA3", 40.0),
        ("C", MAR, "STOCKOUT", float("nan")),
    ]
    data = pd.DataFrame(rows, columns=["org_unit", "period", "indicator", "value"])
    units = pd.DataFrame(
        {"org_unit": ["A", "B", "C"], "name": ["Alpha Health Centre", "Beta Post", "Gamma Post"]}
    )
    return scorecard(data, definitions(), MAR, org_units=units, not_applicable={("C", "X")})


def test_scorecard_html_shows_symbol_words_and_colour_in_every_cell(card):
    page = scorecard_html(card, caption="March 2025")
    # A: 82 % good, up from 70 (arrow), rank 1 of 3; B: 25 days poor.
    assert "● 82 % ↑" in page
    assert "■ 25 days" in page
    assert "? No data" in page
    assert "(1/3)" in page
    for band in BANDS.values():
        assert band["label"] in page  # the legend spells out every band
        assert band["colour"] in page
    rows = page.split("<tr>")[2:]  # after the header row: Alpha, Beta, Gamma
    # Alpha: 82 % >= 80 and 5 days <= 10, both on target; Beta: 55 % and 25 days, neither.
    assert "Alpha Health Centre" in rows[0] and "2 of 2 on target" in rows[0]
    assert "Beta Post" in rows[1] and "0 of 2 on target" in rows[1]
    assert len(rows) == 3


def test_scorecard_excel_opens_with_fills_and_symbols(card):
    data = scorecard_excel(card, title="Scorecard March 2025")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Scorecard", "Legend", "Values"]
    ws = book["Scorecard"]
    header = [c.value for c in ws[3]]
    assert header[:2] == ["Org unit", "Penta3 coverage (%)"]
    cells = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(4, 7)}
    alpha = cells["Alpha Health Centre"]
    assert alpha.value == "● 82 %"
    assert alpha.fill.fgColor.rgb.endswith(BANDS["good"]["colour"][1:].upper())
    gamma = cells["Gamma Post"]
    assert gamma.value.startswith(BANDS["poor"]["symbol"])
    assert gamma.fill.fgColor.rgb.endswith(BANDS["poor"]["colour"][1:].upper())
    values = pd.read_excel(io.BytesIO(data), sheet_name="Values")
    assert values.loc[values["Org unit code"] == "A", "Value"].tolist() == [82.0, 5.0]
    assert not any("_" in str(c) for c in values.columns)


def test_exports_are_reproducible(card):
    assert scorecard_excel(card) == scorecard_excel(card)
    assert feedback_sheets_zip(card) == feedback_sheets_zip(card)


def test_feedback_sheet_html_is_self_contained_and_prints(card):
    page = feedback_sheet_html(card, "A", district="Ruvo District")
    assert page.startswith("<!DOCTYPE html>")
    assert "<h1>Alpha Health Centre, Ruvo District</h1>" in page
    assert "@media print" in page and "<link" not in page and "<script" not in page
    sheet = feedback_sheet_data(card, "A")
    assert sheet.sentences[0] in page
    assert "Average of 3" in page
    assert "● On target" in page


def test_fast_sheets_equal_the_core_feedback_sheet_data(card):
    fast = _fast_sheets(card)
    for code in ("A", "B", "C"):
        slow = feedback_sheet_data(card, code)
        quick = fast[code]
        assert quick.sentences == slow.sentences
        assert quick.peers == slow.peers
        pd.testing.assert_frame_equal(quick.table, slow.table)


def test_zip_holds_one_sheet_per_org_unit_and_an_index(card):
    seen = []
    data = feedback_sheets_zip(card, progress=lambda done, total: seen.append((done, total)))
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert sorted(names) == [
        "alpha-health-centre.html",
        "beta-post.html",
        "gamma-post.html",
        "index.html",
    ]
    assert all(info.date_time == (2000, 1, 1, 0, 0, 0) for info in archive.infolist())
    assert seen[-1] == (3, 3)
    assert "Beta Post" in archive.read("beta-post.html").decode("utf-8")


def test_trend_small_multiples_draws_one_panel_per_indicator():
    values = pd.DataFrame(
        {
            "org_unit": ["A"] * 4,
            "period": pd.PeriodIndex(["2025Q1", "2025Q2", "2025Q1", "2025Q2"], freq="Q"),
            "indicator": ["PENTA3", "PENTA3", "STOCKOUT", "STOCKOUT"],
            "value": [70.0, 75.0, 3.0, 1.0],
        }
    )
    fig = trend_small_multiples(values, definitions(), ["A"], names={"A": "Alpha"})
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2
    assert visible[0].get_lines()[0].get_ydata().tolist() == [70.0, 75.0]
    with pytest.raises(InputError):
        trend_small_multiples(values, definitions(), [])


# --- Ranges of chance on the feedback sheets ---------------------------------


@pytest.fixture
def deliveries():
    """Two facilities at 50 % skilled birth attendance: 6 of 12 and 600 of 1,200."""
    from phcpm.scorecard import default_definitions

    defs = default_definitions(["SBA_COV"])
    values = pd.DataFrame(
        {
            "org_unit": ["SMALL", "BIG"],
            "period": [MAR, MAR],
            "indicator": "SBA_COV",
            "numerator": [6.0, 600.0],
            "denominator": [12.0, 1200.0],
            "value": [50.0, 50.0],
        }
    )
    units = pd.DataFrame(
        {"org_unit": ["SMALL", "BIG"], "name": ["Small Health Post", "Big Hospital"]}
    )
    card = scorecard(values, defs, MAR, org_units=units, compare=None)
    return card, values, defs


def _band_cell(page: str) -> str:
    return page.split("<td class='band'", 1)[1].split("</td>", 1)[0]


def test_a_small_facility_is_too_few_to_judge_on_its_sheet(deliveries):
    card, values, defs = deliveries
    page = feedback_sheet_html(card, "SMALL", values=values, definitions=defs)
    cell = _band_cell(page)
    assert "◌ Too few to judge" in cell
    assert "Off target" not in cell
    assert "only 12 in the denominator" in cell.lower()
    # Wilson 95 % for 6/12: 25.4 % to 74.6 % (Wilson 1927; Newcombe 1998, method 3)
    assert "50 % (25–75 %)" in page
    assert "not ranked" in page


def test_a_large_facility_shows_its_range_and_its_band(deliveries):
    card, values, defs = deliveries
    page = feedback_sheet_html(card, "BIG", values=values, definitions=defs)
    # Wilson 95 % for 600/1,200: 47.2 % to 52.8 %, all of it below the fair cut-off of 60 %
    assert "50 % (47–53 %)" in page
    cell = _band_cell(page)
    assert "■ Off target" in cell and "Too few" not in cell


def test_a_card_judged_in_the_tool_keeps_the_tool_s_judgement(deliveries):
    from phcpm.uncertainty import judge_card

    card, values, defs = deliveries
    judged = judge_card(card, values, defs, min_denominator=10)
    small = feedback_sheet_html(judged, "SMALL")
    # 12 is above the tool's minimum of 10, but the range 25-75 % spans three bands
    assert "◌ Too few to judge" in _band_cell(small)
    archive = zipfile.ZipFile(io.BytesIO(feedback_sheets_zip(judged)))
    big = archive.read("big-hospital.html").decode("utf-8")
    assert "50 % (47–53 %)" in big and "■ Off target" in _band_cell(big)


def test_a_value_without_counts_says_its_range_is_not_known(card):
    page = feedback_sheet_html(card, "A")
    assert "82 % (range not known: no counts given)" in page
    assert "● On target" in page


def test_a_value_too_few_to_judge_is_never_named_best_or_worst(deliveries):
    from phcpm.uncertainty import judge_card

    card, values, defs = deliveries
    plain = feedback_sheet_data(card, "SMALL")
    assert plain.best == ("Skilled birth attendance",)  # ranked 1 of 2 on the plain card
    judged = feedback_sheet_data(judge_card(card, values, defs), "SMALL")
    assert judged.best == () and judged.worst == ()
    page = feedback_sheet_html(card, "SMALL", values=values, definitions=defs)
    assert "What helped you do well on Skilled birth attendance" not in page


def test_a_coverage_above_100_or_too_few_to_judge_is_never_counted_on_target():
    """A coverage above 100 % is a data question and a value with too few cases
    cannot be judged: the sheet's first sentence counts neither as a success."""
    from phcpm.scorecard import default_definitions
    from phcpm.uncertainty import judge_card

    defs = default_definitions(["SBA_COV", "PENTA3_COV", "ANC4_COV"])
    values = pd.DataFrame(
        {
            "org_unit": "HC",
            "period": MAR,
            "indicator": ["SBA_COV", "PENTA3_COV", "ANC4_COV"],
            "numerator": [475.0, 108.0, 9.0],
            "denominator": [500.0, 100.0, 10.0],
            "value": [95.0, 108.0, 90.0],
        }
    )
    units = pd.DataFrame({"org_unit": ["HC"], "name": ["Hill Health Centre"]})
    card = scorecard(values, defs, MAR, org_units=units, compare=None)
    assert int(card["on_target"].fillna(False).sum()) == 3  # by value alone
    sheet = feedback_sheet_data(judge_card(card, values, defs), "HC")
    assert sheet.on_target == 1 and sheet.applicable == 3
    first = sheet.sentences[0]
    assert first.startswith("Hill Health Centre was on target for 1 of 3 indicators")
    assert "Penta3 coverage (check the data)" in first
    assert "(too few to judge)" in first


def test_a_plain_card_does_not_count_a_coverage_above_100_as_on_target():
    """Without counts there is no judged card, but 108 % is still a data question."""
    from phcpm.scorecard import default_definitions

    defs = default_definitions(["SBA_COV", "PENTA3_COV"])
    values = pd.DataFrame(
        {
            "org_unit": ["HC", "HC", "HP", "HP"],
            "period": MAR,
            "indicator": ["SBA_COV", "PENTA3_COV"] * 2,
            "value": [95.0, 108.0, 70.0, 60.0],
        }
    )
    units = pd.DataFrame({"org_unit": ["HC", "HP"], "name": ["Hill Health Centre", "Hill Post"]})
    card = scorecard(values, defs, MAR, org_units=units, compare=None)
    assert "shown" not in card and int(card["on_target"].fillna(False).sum()) == 2
    sheet = feedback_sheet_data(card, "HC")
    assert sheet.on_target == 1 and sheet.applicable == 2
    first = sheet.sentences[0]
    assert first.startswith("Hill Health Centre was on target for 1 of 2 indicators")
    assert "Penta3 coverage (check the data)" in first
    # 108 % is first of two by value, but a data question is never praised as best
    assert "Penta3 coverage" not in sheet.best
    page = feedback_sheet_html(card, "HC")
    assert "on target for 1 of 2" in page
