"""Tests of the Indicator Selector app and of the phcpm helpers it uses, without a browser.

The worked example is the one of Module 1, lesson 3 (book/indicators/03-worked-selection):
the app's "Load the worked example" button must give the same shortlist as the lesson,
which computes it through phcpm (default ratings, team adjustments, weighted-sum score of
UK DCLG, *Multi-criteria analysis: a manual*, 2009, ch. 6, and shortlist).
"""

from __future__ import annotations

import base64
import html
import io
import re

import pandas as pd
import pytest

from phcpm import indicators as ind
from phcpm.catalogue import catalogue
from phcpm.errors import InputError
from phcpm.selection import pipeline
from tests.widget_helpers import corpus_files
from tests.widget_helpers import upload_entry as upload
from widgets.common import GENERIC_ERROR, Tool

widgets = pytest.importorskip("widgets.indicators")


@pytest.fixture(scope="module")
def cat() -> pd.DataFrame:
    return catalogue()


@pytest.fixture()
def app():
    return widgets.IndicatorSelector()


# --------------------------------------------------------------------------- phcpm helpers
def test_apply_adjustments_changes_only_named_cells(cat):
    start = ind.default_ratings(cat)
    adj = pd.DataFrame(
        {
            "indicator_id": ["PENTA3_COV", "PENTA3_COV", "ANC1_COV"],
            "criterion": ["relevant", "relevant", "accepted"],
            "rating": [2, 5, 1],  # the later PENTA3_COV row wins
        }
    )
    out = ind.apply_adjustments(start, adj)
    row = out.set_index("indicator_id")
    assert row.loc["PENTA3_COV", "relevant"] == 5
    assert row.loc["ANC1_COV", "accepted"] == 1
    changed = (out.set_index("indicator_id") != start.set_index("indicator_id")).to_numpy().sum()
    assert changed == 2
    pd.testing.assert_frame_equal(start, ind.default_ratings(cat))  # input unchanged


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"indicator_id": ["NOPE"], "criterion": ["relevant"], "rating": [3]}, "NOPE"),
        ({"indicator_id": ["ANC1_COV"], "criterion": ["beauty"], "rating": [3]}, "beauty"),
        ({"indicator_id": ["ANC1_COV"], "criterion": ["relevant"], "rating": [7]}, "1 to 5"),
        ({"indicator_id": ["ANC1_COV"], "criterion": ["relevant"], "rating": [2.5]}, "1 to 5"),
    ],
)
def test_apply_adjustments_validation(cat, rows, message):
    with pytest.raises(InputError, match=message):
        ind.apply_adjustments(ind.default_ratings(cat), pd.DataFrame(rows))


def test_worked_example_inputs(cat):
    ex = ind.worked_example(cat)
    org = pd.read_csv(__import__("phcpm.paths").paths.dataset_path("org_units.csv"))
    assert ex["facilities"] == int((org["level"] == 4).sum())
    assert set(ex["current"]) == set(cat.loc[cat["data_source"] == "HMIS routine", "indicator_id"])
    assert ex["k"] == 12
    assert set(ex["must_include"]).isdisjoint(ex["exclude"])
    assert ex["adjustments"]["reason"].str.len().gt(10).all()


def test_worked_example_shortlist_is_balanced_and_keeps_the_must_include(cat):
    ex = ind.worked_example(cat)
    final = ind.worked_example_shortlist(cat)
    assert len(final) == ex["k"]
    assert set(ex["must_include"]) <= set(final["indicator_id"])
    assert set(ex["exclude"]).isdisjoint(final["indicator_id"])
    assert ind.balance(final, cat).balanced
    # Without the team's judgement the first shortlist has no process indicator (lesson 3).
    first = ind.shortlist(ind.score(cat, ind.default_ratings(cat), ex["weights"]), ex["k"])
    assert any("No process indicator" in w for w in ind.balance(first, cat).warnings)


def test_validate_indicator_list_fills_optional_columns():
    frame = pd.DataFrame(
        {
            " Indicator_ID ": ["A1", "B2"],
            "Name": ["First", "Second"],
            "data_elements": ["X;POP_TOTAL", "Y"],
            "data_source": ["HMIS routine", "LMIS"],
            "frequency": ["Monthly", "quarterly"],
            "results_chain": ["output", "Input"],
        }
    )
    out = ind.validate_indicator_list(frame)
    assert out["indicator_id"].tolist() == ["A1", "B2"]
    assert out["frequency"].tolist() == ["monthly", "quarterly"]
    assert out["definition"].tolist() == ["First", "Second"]
    assert out["higher_is_better"].all()
    # The checked list works with the burden and balance functions:
    # 2 routine elements (X monthly, Y quarterly) x 10 facilities x 1 minute
    # = 10*12 + 10*4 = 160 minutes a year.
    b = ind.burden_totals(ind.burden(["A1", "B2"], out, facilities=10))
    assert b["minutes_per_year"] == pytest.approx(160.0)
    assert ind.balance(["A1", "B2"], out).n_indicators == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="frequency"), "frequency"),
        (lambda f: f.assign(indicator_id=["A", "A"]), "more than one row"),
        (lambda f: f.assign(results_chain=["output", "result"]), "result"),
        (lambda f: f.assign(indicator_id=["A", None]), "no indicator code"),
    ],
)
def test_validate_indicator_list_errors(change, message):
    base = pd.DataFrame(
        {
            "indicator_id": ["A", "B"],
            "name": ["a", "b"],
            "data_elements": ["X", "Y"],
            "data_source": ["HMIS routine", "HMIS routine"],
            "frequency": ["monthly", "monthly"],
            "results_chain": ["output", "process"],
        }
    )
    with pytest.raises(InputError, match=message):
        ind.validate_indicator_list(change(base))


def test_filter_catalogue_by_column_and_by_word(cat):
    process = ind.filter_catalogue(cat, {"results_chain": "process"})
    assert len(process) == int((cat["results_chain"] == "process").sum()) > 0
    assert set(process["results_chain"]) == {"process"}
    assert process.index.tolist() == list(range(len(process)))
    # None and "" mean any value; two filters must both match.
    assert len(ind.filter_catalogue(cat, {"results_chain": None, "frequency": ""})) == len(cat)
    both = ind.filter_catalogue(cat, {"results_chain": "process", "frequency": "monthly"})
    assert len(both) == int(
        ((cat["results_chain"] == "process") & (cat["frequency"] == "monthly")).sum()
    )
    # The word is looked for in code, name and definition, ignoring case, not as a pattern.
    malaria = ind.filter_catalogue(cat, text="MALARIA")
    assert {"MAL_TEST_RATE", "MAL_INCIDENCE"} <= set(malaria["indicator_id"])
    assert ind.filter_catalogue(cat, text="penta3_cov")["indicator_id"].tolist() == ["PENTA3_COV"]
    opened = ind.filter_catalogue(cat, text="(")  # a bracket is text, not a broken pattern
    assert len(opened) and all("(" in f"{r.name} {r.definition}" for r in opened.itertuples())
    assert ind.filter_catalogue(cat, text="[no such").empty
    pd.testing.assert_frame_equal(cat, catalogue())  # input unchanged


def test_filter_catalogue_by_hand_and_errors():
    small = pd.DataFrame(
        {
            "indicator_id": ["A", "B", "C"],
            "name": ["Antenatal care", "Bed nets", "Care seeking"],
            "definition": ["Visits", None, "Children taken to care"],
            "level": ["facility", "community", "community"],
        }
    )
    assert ind.filter_catalogue(small, text="care")["indicator_id"].tolist() == ["A", "C"]
    assert ind.filter_catalogue(small, {"level": "community"}, "nets")["indicator_id"].tolist() == [
        "B"
    ]
    with pytest.raises(InputError, match="colour"):
        ind.filter_catalogue(small, {"colour": "red"})


# --------------------------------------------------------------------------- the app
def test_app_starts_on_the_catalogue(app, cat):
    assert isinstance(app, Tool) and app.root is app.widget
    assert {"phcpm-app", "phcpm-indicators"} <= set(app.widget._dom_classes)
    assert app.widget.children[0] is app._stylesheet
    assert "phcpm-error" in app.message._dom_classes and "phcpm-note" in app.notes._dom_classes
    assert app.message.value == "" and "catalogue of" in app.notes.value
    assert len(app.candidates()) == len(cat)
    assert app.shortlist is not None and len(app.shortlist) == app.k.value
    assert "phcpm-indicators-shortlist" in app.shortlist_table._dom_classes
    assert "phcpm-indicators-k" in app.k._dom_classes
    assert app.k.continuous_update is False
    assert app.sections.built == [True, False, True, False, False, False]
    app.open_tab(1)
    assert all(s.continuous_update is False for s in app.sliders.values())


def test_tabs_opened_after_a_choice_show_what_the_choice_gives(app, cat):
    app.example_button.click()  # Score, Balance and Burden have never been opened
    assert not hasattr(app, "sliders") and not hasattr(app, "burden_table")
    ex = ind.worked_example(cat)
    app.tabs.selected_index = 1  # as when the user clicks "2. Score"
    assert app.sliders["relevant"].value == int(round(ex["weights"].get("relevant", 0)))
    assert app.scores_table.value and "TB is" not in app.adj_table.value
    assert len(app.adj_indicator.options) == len(cat)
    app.open_tab(3)
    assert "No balance problems" in app.warnings.value
    app.open_tab(4)
    assert app.facilities.value == ex["facilities"] and app.burden_table.value
    app.facilities.value = ex["facilities"] * 2
    assert app.burden is not None and app.message.value == ""
    app.upload.value = (upload("list.csv", b""),)  # an error empties every opened tab
    assert app.scores_table.value == "" and app.burden_table.value == ""
    app.open_tab(5)
    assert not app.excel_download.built


def test_a_tab_first_opened_after_an_error_shows_no_old_result(app):
    app.example_button.click()
    app.upload.value = (upload("list.csv", b""),)
    app.open_tab(1)
    app.open_tab(3)
    app.open_tab(4)
    for table in (app.scores_table, app.warnings, app.balance_chart, app.burden_table):
        assert table.value == ""


def test_worked_example_button_gives_the_lessons_shortlist(app, cat):
    app.example_button.click()
    lesson = ind.worked_example_shortlist(cat)
    assert app.shortlist["indicator_id"].tolist() == lesson["indicator_id"].tolist()
    assert app.message.value == ""
    assert "Penta" in app.shortlist_table.value
    app.open_tab(3)
    assert "No balance problems" in app.warnings.value
    # Burden as in the lesson: compare_burden of the current list and the shortlist.
    ex = ind.worked_example(cat)
    expected = ind.compare_burden(
        ex["current"], lesson, cat, ex["facilities"], ex["minutes_per_value"]
    )
    pd.testing.assert_frame_equal(app.burden, expected)


def test_k_slider_and_must_include(app):
    app.example_button.click()
    app.k.value = 5
    assert len(app.shortlist) == 5
    assert "SUPERVISION_DONE" in app.shortlist["indicator_id"].tolist()
    app.must.value = ()
    assert "SUPERVISION_DONE" not in app.shortlist["indicator_id"].tolist()


def test_a_required_indicator_hidden_by_the_filters_is_named_in_a_note(app):
    app.example_button.click()
    app.f_freq.value = "monthly"  # SUPERVISION_DONE (must include) is quarterly
    assert app.message.value == ""
    assert "SUPERVISION_DONE" not in app.shortlist["indicator_id"].tolist()
    assert "so not included: SUPERVISION_DONE" in app.notes.value
    assert set(app.shortlist["indicator_id"]) <= set(app.candidates()["indicator_id"])


def test_filters_restrict_the_candidates(app, cat):
    app.f_chain.value = "process"
    assert set(app.candidates()["results_chain"]) == {"process"}
    assert len(app.candidates()) == int((cat["results_chain"] == "process").sum())
    app.f_chain.value = widgets.ALL
    app.f_text.value = "malaria"
    assert {"MAL_TEST_RATE", "MAL_INCIDENCE"} <= set(app.candidates()["indicator_id"])


def test_no_match_and_zero_weights_show_a_message_and_the_app_recovers(app):
    app.open_tab(1)
    app.f_text.value = "no indicator has this text"
    assert "No indicator matches" in app.message.value
    app.f_text.value = ""
    assert app.message.value == ""
    app._busy = True  # set the sliders quietly, then move the last one as a user would
    for slider in list(app.sliders.values())[:-1]:
        slider.value = 0
    app._busy = False
    last = list(app.sliders.values())[-1]
    last.value = 1 if last.value == 0 else 0
    last.value = 0
    assert "weights are zero" in app.message.value
    app.sliders["relevant"].value = 1
    assert app.message.value == "" and app.shortlist is not None


def test_adding_a_change_moves_an_indicator_up(app):
    app.example_button.click()
    before = int(app.scored.set_index("indicator_id").loc["TB_TSR", "rank"])
    app.open_tab(1)
    app.adj_indicator.value = "TB_TSR"
    app.adj_criterion.value = "relevant"
    app.adj_rating.value = 5
    app.adj_reason.value = "TB is a district priority"
    app._add_adjustment(None)
    after = int(app.scored.set_index("indicator_id").loc["TB_TSR", "rank"])
    assert after < before
    assert "TB is a district priority" in app.adj_table.value


def test_upload_of_own_list_and_of_a_bad_file(app):
    good = pd.DataFrame(
        {
            "indicator_id": ["A1", "B2", "C3"],
            "name": ["Alpha", "Beta", "Gamma"],
            "data_elements": ["X", "Y", "Z"],
            "data_source": ["HMIS routine"] * 3,
            "frequency": ["monthly"] * 3,
            "results_chain": ["output", "process", "outcome"],
        }
    )
    app.upload.value = (upload("mine.csv", good.to_csv(index=False).encode()),)
    assert app.message.value == ""
    assert app.catalogue["indicator_id"].tolist() == ["A1", "B2", "C3"]
    assert len(app.shortlist) == 3
    bad = good.drop(columns="frequency").to_csv(index=False).encode()
    app.upload.value = (upload("bad.csv", bad),)
    assert "frequency" in app.message.value
    assert app.catalogue["indicator_id"].tolist() == ["A1", "B2", "C3"]  # still usable
    assert app.upload.value == ()  # the widget keeps no copy of the file
    app.upload.value = (upload("junk.csv", bytes(range(256)) * 40),)
    text = html.unescape(re.sub(r"<[^>]+>", " ", app.message.value))
    assert "not a table" in text and "What to do" in text and 'role="alert"' in app.message.value
    app.upload.value = (upload("mine.csv", good.to_csv(index=False).encode()),)
    assert app.message.value == "" and len(app.shortlist) == 3


def test_an_unexpected_failure_gives_the_generic_message(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("internal detail the user must not see")

    monkeypatch.setattr(pipeline, "shortlist", broken)  # the step select() runs
    app.k.value = 7
    assert GENERIC_ERROR in html.unescape(app.message.value)
    assert "internal detail" not in app.message.value
    assert "RuntimeError" in app.last_error
    monkeypatch.undo()
    app.k.value = 8
    assert app.message.value == "" and len(app.shortlist) == 8


def test_adding_a_change_without_an_indicator_is_explained(app):
    app.open_tab(1)
    app.adj_indicator.options = []
    app._safely(lambda: app._add_adjustment(None))
    assert "No indicator is chosen" in app.message.value


def test_exports(app):
    app.example_button.click()
    app.open_tab(5)
    assert not any(d.built for d in (app.excel_download, app.sheets_download, app.list_download))
    for download in (app.excel_download, app.sheets_download, app.list_download):
        download.button.click()
        assert download.built and "phcpm-download" in download.link.value
    page = base64.b64decode(app.sheets_download.link.value.split("base64,")[1].split('"')[0])
    assert page.startswith(b"<!DOCTYPE html>") and page.count(b"<section>") == 12
    # A changed choice empties the files made from the old shortlist.
    app.k.value = 11
    assert not app.excel_download.built and app.excel_download.link.value == ""
    app.k.value = 12
    markdown = app.reference_sheets_markdown()
    assert markdown.count("### ") == 12
    assert "Supportive supervision visits completed" in markdown
    book = pd.read_excel(io.BytesIO(app.excel_bytes()), sheet_name=None)
    assert "Reference sheets" in book
    sheets = book["Reference sheets"]
    assert "Supportive supervision visits completed" in sheets.astype(str).to_numpy().ravel()


def test_a_failed_upload_leaves_no_old_tables_and_no_list_in_use(app):
    app.example_button.click()
    for tab in range(6):
        app.open_tab(tab)
    assert app.shortlist_table.value and app.scores_table.value
    app.excel_download.button.click()
    app.upload.value = (upload("list.csv", b""),)
    assert "0 bytes" in html.unescape(app.message.value)
    for table in (app.catalogue_table, app.scores_table, app.shortlist_table, app.burden_table):
        assert table.value == ""
    assert app.excel_download.link.value == ""
    app.k.value = 9  # no old list comes back behind the user's back
    assert "No indicator list is in use" in html.unescape(app.message.value)
    assert app.shortlist_table.value == ""
    app.catalogue_button.click()
    assert app.message.value == "" and app.catalogue_table.value


def test_tables_have_plain_headings(app):
    app.example_button.click()
    app.open_tab(1)
    app.open_tab(4)
    shown = " ".join(
        t.value
        for t in (app.catalogue_table, app.scores_table, app.shortlist_table, app.burden_table)
    )
    for code in ("indicator_id", "framework_domain", "results_chain", "data_available", "NaN"):
        assert f">{code}<" not in shown
    assert ">Code<" in shown and ">PHCPI domain<" in shown
    assert "phcpm-upload" in app.upload._dom_classes


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_no_corpus_file_reaches_the_generic_message(app, path):
    """Any file a user may upload as an indicator list is used or refused in plain words."""
    app.upload.value = (upload(path.name, path.read_bytes()),)
    assert GENERIC_ERROR not in html.unescape(app.message.value), (path.name, app.last_error)
    if app.message.value:
        assert app.shortlist_table.value == "" and app.catalogue_table.value == ""
