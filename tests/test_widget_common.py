"""The tool base: results belong to the current input, downloads are built on demand."""

from __future__ import annotations

import base64
import logging
import re

import ipywidgets as w
import pytest

from phcpm.errors import InputError
from widgets.common import (
    GENERIC_ERROR,
    PREPARING,
    OnDemandDownload,
    Results,
    Tool,
    download_on_demand,
    lazy_accordion,
    lazy_tabs,
    note_box,
    show_notes,
    update_download,
)


def _link_bytes(html_value: str) -> bytes:
    match = re.search(r'href="data:[^;]+;base64,([^"]*)"', html_value)
    assert match, html_value
    return base64.b64decode(match.group(1))


class Example(Tool):
    """A tiny tool: shows the sum of a list, with a note and a download."""

    def __init__(self):
        super().__init__()
        self.error = w.HTML("")
        self.notes = note_box()
        self.saved = w.HTML("")
        self.register_notes(self.notes)
        self.register_download(self.saved)
        self.set_children([self.error, self.notes, self.results, self.saved])

    def compute(self, values):
        if not values:
            raise InputError("The list is empty", where="the box", todo="Type some numbers")
        total = sum(values)  # TypeError on text: a bug, not an input error
        self.show_results(w.HTML(f"Total {total}"))
        show_notes(self.notes, [f"{len(values)} numbers"])
        update_download(self.saved, str(total).encode(), "total.csv", "Total")
        return total


def test_results_is_a_vbox_inside_the_tool():
    tool = Example()
    assert isinstance(tool.results, w.VBox)
    assert tool.results in tool.widget.children
    assert "phcpm-results" in tool.results._dom_classes


def test_show_and_clear_results_empties_area_notes_and_downloads():
    tool = Example()
    assert tool.run_safely(tool.compute, tool.error, [1, 2]) == 3
    assert "Total 3" in tool.results.children[0].value
    assert tool.notes.value and tool.saved.value
    tool.clear_results()
    assert tool.results.children == ()
    assert tool.notes.value == "" and tool.notes.layout.display == "none"
    assert tool.saved.value == ""


def test_run_safely_clears_old_results_before_the_action_runs():
    tool = Example()
    tool.run_safely(tool.compute, tool.error, [1, 2])
    seen = {}

    def look():
        seen["children"] = tool.results.children
        seen["notes"] = tool.notes.value
        seen["download"] = tool.saved.value

    tool.run_safely(look, tool.error)
    assert seen == {"children": (), "notes": "", "download": ""}


def test_input_error_shows_its_message_and_leaves_results_empty():
    tool = Example()
    tool.run_safely(tool.compute, tool.error, [1, 2])
    assert tool.run_safely(tool.compute, tool.error, []) is None
    assert "The list is empty" in tool.error.value
    assert GENERIC_ERROR not in tool.error.value
    assert tool.results.children == () and tool.saved.value == "" and tool.notes.value == ""
    assert tool.last_error.startswith("The list is empty")


def test_a_bug_shows_the_generic_message_and_is_logged(caplog):
    tool = Example()
    tool.run_safely(tool.compute, tool.error, [1, 2])
    with caplog.at_level(logging.ERROR, logger="phcpm.widgets"):
        assert tool.run_safely(tool.compute, tool.error, ["a", "b"]) is None
    assert GENERIC_ERROR in tool.error.value
    assert "TypeError" in caplog.text
    assert "TypeError" not in tool.error.value
    assert tool.results.children == () and tool.saved.value == ""


def test_results_shown_before_a_failure_are_removed():
    tool = Example()

    def half_done():
        tool.show_results(w.HTML("half a table"))
        raise InputError("Row 3 has text", where="row 3", todo="Fix it")

    tool.run_safely(half_done, tool.error)
    assert tool.results.children == ()
    assert "Row 3 has text" in tool.error.value


def test_success_clears_the_previous_error():
    tool = Example()
    tool.run_safely(tool.compute, tool.error, [])
    tool.run_safely(tool.compute, tool.error, [4])
    assert tool.error.value == ""
    assert "Total 4" in tool.results.children[0].value


def test_clear_false_keeps_results():
    tool = Example()
    tool.run_safely(tool.compute, tool.error, [5])
    tool.run_safely(lambda: None, tool.error, clear=False)
    assert "Total 5" in tool.results.children[0].value


def test_separate_results_areas_are_cleared_separately():
    tool = Example()
    other = tool.new_results()
    assert isinstance(other, Results) and other is not tool.results
    tool.run_safely(tool.compute, tool.error, [1])
    tool.run_safely(lambda: tool.show_results(w.HTML("B"), results=other), None, results=other)
    assert other.children and tool.results.children
    tool.run_safely(lambda: None, None, results=other)
    assert other.children == ()
    assert "Total 1" in tool.results.children[0].value


def test_download_on_demand_builds_only_when_clicked():
    calls = []

    def make():
        calls.append(1)
        return b"a,b\n1,2\n"

    button = download_on_demand("Prepare the table", "table.csv", make, "text/csv")
    assert isinstance(button, OnDemandDownload)
    assert calls == [] and button.link.value == "" and not button.built
    assert button.button.description == "Prepare the table"
    button.button.click()
    assert calls == [1] and button.built
    assert 'download="table.csv"' in button.link.value
    assert _link_bytes(button.link.value) == b"a,b\n1,2\n"
    button.reset()
    assert button.link.value == "" and not button.built


def test_download_on_demand_failure_is_a_message_not_a_link():
    def make():
        raise InputError("Nothing to save", where="the table", todo="Run the tool first")

    button = download_on_demand("Prepare", "x.xlsx", make, "application/vnd.ms-excel")
    button.button.click()
    assert button.link.value == "" and not button.built
    assert "Nothing to save" in button.error.value


def test_clear_results_resets_registered_on_demand_downloads():
    tool = Example()
    button = download_on_demand("Prepare", "x.csv", lambda: b"1", "text/csv")
    tool.register_download(button)
    button.button.click()
    assert button.built
    tool.clear_results()
    assert not button.built and button.link.value == ""


def test_download_on_demand_rejects_a_bad_media_type():
    with pytest.raises(ValueError):
        download_on_demand("Prepare", "x.csv", lambda: b"1", "not a type")


def test_plain_table_has_words_not_codes():
    import numpy as np
    import pandas as pd

    from widgets.common import plain_table, table_html

    frame = pd.DataFrame(
        {
            "org_unit_id": ["A", None],
            "ci_lower": [0.25, np.nan],
            "n": [1200, 3],
            "ok": [True, False],
            "when": pd.to_datetime(["2025-03-31", None]),
        }
    )
    out = plain_table(frame, {"org_unit_id": "Facility"}, decimals=2)
    assert list(out.columns) == ["Facility", "Ci lower", "N", "Ok", "When"]
    assert out.iloc[0].tolist() == ["A", "0.25", "1,200", "Yes", "2025-03-31"]
    assert out.iloc[1].tolist() == ["", "", "3", "No", ""]
    page = table_html(frame, max_rows=1)
    for word in ("NaN", "None", "True", "False", "org_unit_id", "NaT"):
        assert word not in page
    assert "first 1 of 2 rows" in page


def test_upload_button_shows_its_label_only():
    from widgets.common import upload_button

    upload = upload_button("Upload my list")
    assert upload.tooltip == "Upload my list"
    assert "phcpm-upload" in upload._dom_classes


def test_watch_picker_clears_results_on_picker_error():
    class Picker:
        def __init__(self):
            self.error = w.HTML("")
            self.mapping_box = w.VBox()
            self.mapping_box.layout.display = "none"
            self.upload = w.FileUpload(description="Use my own data")

    tool = Example()
    picker = Picker()
    tool.watch_picker(picker)
    tool.run_safely(tool.compute, tool.error, [1])
    picker.error.value = "This file is empty."
    assert tool.results.children == () and tool.saved.value == ""
    tool.run_safely(tool.compute, tool.error, [1])
    picker.mapping_box.layout.display = ""
    assert tool.results.children == ()
    assert picker.upload.tooltip == "Use my own data"


# --------------------------------------------------------------------------- sections built when opened


def _counting_builder(calls: list, name: str):
    def build():
        calls.append(name)
        return w.HTML(f"<p>{name} contents</p>")

    return build


def test_a_tab_is_built_only_when_it_is_first_opened_and_only_once():
    calls: list = []
    sections = lazy_tabs(
        [
            ("First", _counting_builder(calls, "first")),
            ("Second", _counting_builder(calls, "second")),
        ]
    )
    assert isinstance(sections.widget, w.Tab)
    assert calls == ["first"]  # the open tab is built at once
    assert sections.pages[1].children == ()  # the closed tab carries no widget
    sections.widget.selected_index = 1  # as when the user clicks the tab
    assert calls == ["first", "second"]
    assert "second contents" in sections.pages[1].children[0].value
    sections.widget.selected_index = 0
    sections.widget.selected_index = 1
    assert calls == ["first", "second"]  # reopening shows what was built
    assert sections.built == [True, True]


def test_an_accordion_starts_closed_and_builds_a_section_when_opened():
    calls: list = []
    sections = lazy_accordion([("Details", _counting_builder(calls, "details"))])
    assert isinstance(sections.widget, w.Accordion)
    assert sections.widget.selected_index is None and calls == []
    assert sections.pages[0].children == ()
    sections.open(0)
    assert calls == ["details"] and sections.widget.selected_index == 0
    assert sections.build(0) and calls == ["details"]


def test_a_section_says_it_is_preparing_while_it_is_built():
    seen: list = []
    holder: dict = {}

    def build():
        seen.append([visible(c) for c in holder["sections"].pages[1].children])
        return w.HTML("done")

    holder["sections"] = lazy_tabs([("One", lambda: w.HTML("one")), ("Two", build)])
    holder["sections"].open(1)
    assert seen == [[PREPARING]]
    assert [c.value for c in holder["sections"].pages[1].children] == ["done"]


def visible(widget) -> str:
    return re.sub(r"<[^>]+>", "", widget.value)


def test_a_failing_section_shows_a_plain_message_and_is_tried_again(caplog):
    attempts: list = []

    def build():
        attempts.append(1)
        if len(attempts) == 1:
            raise KeyError("column 'x'")
        return [w.HTML("a"), w.HTML("b")]

    sections = lazy_tabs([("One", lambda: w.HTML("one")), ("Two", build)])
    with caplog.at_level(logging.ERROR, logger="phcpm.widgets"):
        sections.open(1)
    (box,) = sections.pages[1].children
    assert GENERIC_ERROR in box.value and "KeyError" not in box.value
    assert "Traceback" not in box.value and "KeyError" in caplog.text  # details in the log
    assert sections.built[1] is False
    sections.widget.selected_index = 0
    sections.widget.selected_index = 1
    assert [c.value for c in sections.pages[1].children] == ["a", "b"]


def test_an_input_error_in_a_section_shows_its_own_words():
    def build():
        raise InputError("The list has no counts", todo="Type one count per line")

    sections = lazy_accordion([("Counts", build)], selected=0)
    (box,) = sections.pages[0].children
    assert "The list has no counts" in box.value and 'role="alert"' in box.value


def test_a_section_given_a_widget_holds_it_from_the_start():
    calls: list = []
    shown = w.HTML("always there")
    sections = lazy_tabs([("One", _counting_builder(calls, "one")), ("Two", shown)])
    assert sections.built == [True, True] and sections.pages[1].children == (shown,)
    sections.open(1)
    assert sections.pages[1].children == (shown,) and calls == ["one"]


def test_tool_part_names_a_part_after_the_tool():
    from widgets.common import Tool

    class Demo(Tool):
        css_class = "phcpm-demo"

    tool = Demo()
    box = tool.part(w.HTML(), "chart")
    assert "phcpm-demo-chart" in box._dom_classes


def test_tool_title_is_its_plain_text_form():
    from widgets.common import Tool

    class Named(Tool):
        css_class = "phcpm-named"
        title = "Named tool"

    assert Named()._repr_mimebundle_()["text/plain"] == "Named tool"
    plain = Tool()._repr_mimebundle_()["text/plain"]
    assert plain != "Named tool" and plain


def test_figure_html_closes_the_figure_and_keeps_the_alt_text():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from widgets.common import figure_html

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    number = fig.number
    page, png = figure_html(fig, 'Three "points"')
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'alt="Three &quot;points&quot;"' in page
    assert number not in plt.get_fignums()


def test_every_shared_name_is_the_one_of_its_module():
    """widgets.common gathers the names of the modules each idea lives in: the same
    objects, so a tool may import from either."""
    import importlib

    import widgets.common as common

    modules = [
        importlib.import_module(f"widgets.{name}")
        for name in ("base", "downloads", "messages", "sections", "tables")
    ]
    homes = {}
    for module in modules:
        for name in module.__all__:
            assert name not in homes, f"{name} is in two modules"
            homes[name] = module
    for name in common.__all__:
        value = getattr(common, name)
        home = homes.get(name)
        if home is not None:
            assert value is getattr(home, name), name
    assert set(homes) <= set(common.__all__), set(homes) - set(common.__all__)
