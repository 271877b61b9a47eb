"""Tabs 2 to 4 of the process mapper: their boxes, buttons and order on screen.

Layout only: each function makes the controls of one tab as attributes of the
:class:`widgets.process.ProcessMapper` it is given, connects them to its methods
and returns the tab. The tool builds a tab when it is first opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as w

from phcpm import problems
from widgets.common import error_box, note_box, upload_button
from widgets.process_steps import button
from widgets.process_views import EXAMPLE_EFFECT, EXAMPLE_FISHBONE, pareto_example_note

if TYPE_CHECKING:
    from widgets.process import ProcessMapper

__all__ = ["build_fishbone_tab", "build_pareto_tab", "build_times_tab"]

_WIDE = {"description_width": "initial"}


def build_times_tab(tool: ProcessMapper) -> w.VBox:
    """Tab 2: the time stamps in use, the waits and the what-if question."""
    part = tool.part
    tool.flow_upload = part(upload_button("Use my own time stamps (CSV or Excel)"), "flow-upload")
    tool.flow_example = part(button("Back to the example time stamps"), "flow-example")
    tool.flow_text = part(w.HTML(), "flow-source")
    tool.facility = w.Dropdown(description="Facility", style=_WIDE)
    tool.measure_button = part(button("Measure the waits", primary=True), "measure")
    tool.times_error = error_box()
    tool.times_notes = note_box()
    tool.times_view = part(w.HTML(), "times")
    tool.times_results = tool.new_results()
    tool.whatif_step = w.Dropdown(description="Step", style=_WIDE)
    tool.whatif_now = w.BoundedIntText(value=1, min=1, max=10, description="Staff now", style=_WIDE)
    tool.whatif_servers = part(
        w.IntSlider(
            value=2,
            min=1,
            max=6,
            description="Staff after",
            continuous_update=False,
            style=_WIDE,
            layout=w.Layout(width="22em", max_width="100%", height="auto"),
        ),
        "whatif-staff",
    )
    tool.whatif_button = part(button("Predict the waits"), "whatif")
    tool.whatif_view = part(w.HTML(), "whatif-result")
    tool.whatif_results = tool.new_results()
    tool.flow_upload.observe(tool.on_flow_upload, names="value")
    tool.flow_example.on_click(lambda _: tool.use_example_flow())
    tool.facility.observe(lambda _: tool.flow_changed(), names="value")
    tool.measure_button.on_click(
        lambda _: tool.run_safely(tool.measure, tool.times_error, results=tool.times_results)
    )
    tool.whatif_button.on_click(
        lambda _: tool.run_safely(tool.predict, tool.times_error, results=tool.whatif_results)
    )
    for box in (tool.whatif_step, tool.whatif_now, tool.whatif_servers):
        box.observe(lambda _: tool.clear_results(tool.whatif_results), names="value")
    return w.VBox(
        [
            w.HTML(
                "<p>Time stamps: one row per visit with <code>arrival</code>, the start of "
                "each step (<code>registration, triage, consultation, lab, pharmacy</code>; "
                "empty when skipped) and <code>exit</code>.</p>"
            ),
            w.HBox([tool.flow_upload, tool.flow_example]),
            tool.flow_text,
            w.HBox([tool.facility, tool.measure_button]),
            tool.times_error,
            tool.times_results,
            w.HTML("<h4>What if this step had more staff?</h4>"),
            w.HBox([tool.whatif_step, tool.whatif_now, tool.whatif_servers]),
            tool.whatif_button,
            tool.whatif_results,
        ]
    )


def build_fishbone_tab(tool: ProcessMapper) -> w.VBox:
    """Tab 3: the problem, one box of causes per category, and the fishbone."""
    tool.effect = w.Text(
        value=EXAMPLE_EFFECT, description="Problem", layout=w.Layout(width="100%"), style=_WIDE
    )
    tool.cause_boxes = {
        cat: w.Textarea(
            value=EXAMPLE_FISHBONE.get(cat, ""),
            description=cat,
            rows=3,
            layout=w.Layout(width="22em", max_width="100%"),
            style=_WIDE,
        )
        for cat in problems.FISHBONE_CATEGORIES
    }
    tool.fishbone_button = tool.part(button("Draw the fishbone", primary=True), "fishbone-draw")
    tool.fishbone_view = tool.part(w.HTML(), "fishbone")
    tool.fishbone_error = error_box()
    tool.fishbone_results = tool.new_results()
    tool.fishbone_button.on_click(
        lambda _: tool.run_safely(
            tool.draw_fishbone, tool.fishbone_error, results=tool.fishbone_results
        )
    )
    for box in (tool.effect, *tool.cause_boxes.values()):
        box.observe(lambda _: tool.clear_results(tool.fishbone_results), names="value")
    return w.VBox(
        [
            w.HTML("<p>One cause per line. Leave a box empty if nothing comes to mind.</p>"),
            tool.effect,
            w.Box(
                list(tool.cause_boxes.values()),
                layout=w.Layout(display="flex", flex_flow="row wrap"),
            ),
            tool.fishbone_button,
            tool.fishbone_error,
            tool.fishbone_results,
        ]
    )


def build_pareto_tab(tool: ProcessMapper) -> w.VBox:
    """Tab 4: the list of causes and counts (typed or from a file) and the Pareto chart."""
    part = tool.part
    tool.pareto_example, missed = tool.example_pareto()
    tool.pareto_example_note = part(w.HTML(pareto_example_note(missed)), "pareto-example")
    tool.pareto_text = part(
        w.Textarea(
            value=tool.pareto_example,
            description="Cause, count",
            rows=8,
            layout=w.Layout(width="30em", max_width="100%"),
            style=_WIDE,
        ),
        "pareto",
    )
    tool.pareto_upload = part(
        upload_button("Fill the list from a file (CSV or Excel)"), "pareto-upload"
    )
    tool.pareto_button = part(button("Draw the Pareto chart", primary=True), "pareto-draw")
    tool.pareto_view = part(w.HTML(), "pareto-result")
    tool.pareto_error = part(error_box(), "pareto-error")
    tool.pareto_note = part(note_box(), "pareto-note")
    tool.pareto_results = tool.new_results()
    tool.pareto_results.track(tool.pareto_note)
    tool.pareto_button.on_click(
        lambda _: tool.run_safely(tool.draw_pareto, tool.pareto_error, results=tool.pareto_results)
    )
    tool.pareto_text.observe(tool.pareto_typed, names="value")
    tool.pareto_upload.observe(tool.on_pareto_upload, names="value")
    return w.VBox(
        [
            w.HTML(
                "<p>Count the causes of one problem: one cause per line, then a comma and "
                "how many times it happened. Or fill the list from a file: its first "
                "column is the cause and its second the count (a file with one column is "
                "a list of events, each counted once). The chart is always drawn from the "
                "list in the box.</p>"
            ),
            tool.pareto_example_note,
            tool.pareto_text,
            w.HBox([tool.pareto_upload, tool.pareto_button]),
            tool.pareto_error,
            tool.pareto_results,
        ]
    )
