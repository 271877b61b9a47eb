"""Process mapper: draw a swimlane map, measure waiting times, build a fishbone and a Pareto chart.

Every calculation is done by :mod:`phcpm.process` and :mod:`phcpm.problems`; this
module only builds the controls, calls those functions and shows their results. The
map is edited as a table of steps (one line per step, with drop-down lists for the
lane, the kind of step and the next step), checked and redrawn as soon as a box
changes; a CSV or Excel table of steps can be imported, and the example map is
always one click away. The map is drawn as SVG by pure Python (no graphviz), and PNG
files by matplotlib, only when asked for. Each tab has its own results area (see
:class:`widgets.common.Results`): a new input or an error empties it first, so what
is on screen always belongs to the current input. Tabs 2 to 4 are built when
first opened (:func:`widgets.common.lazy_tabs`), so the page does not carry
their widgets until then.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from phcpm import problems, process
from phcpm.errors import InputError
from phcpm.io import figure_bytes, read_table, to_excel_bytes
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import (
    Tool,
    download_on_demand,
    error_box,
    image_html,
    lazy_tabs,
    note_box,
    show_notes,
    table_html,
    take_upload,
    upload_button,
)

_WIDE = {"description_width": "initial"}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NONE = ""

EXAMPLE_FISHBONE = {
    "People": "Staff not told what is expected of them\nLow morale after transfers",
    "Methods": "No duty roster posted\nLeave approved by phone, not recorded",
    "Equipment and supplies": "No transport from distant villages",
    "Environment": "Staff live far from the facility",
    "Management and policy": "Absence is never followed up\nNo sanctions or rewards",
    "Measurement": "Attendance register not checked by the in-charge",
}
EXAMPLE_EFFECT = "Health workers absent without permission in Tembwe District"

_TIMES_HEADINGS = {
    "step": "Step",
    "visits": "Visits",
    "share_of_visits": "Share of visits (%)",
    "median_wait": "Median wait (min)",
    "p90_wait": "90 % wait less than (min)",
    "median_service": "Median service (min)",
    "p90_service": "90 % served within (min)",
}
#: The example Pareto list: why planned supervision visits were missed (lesson 5.2).
EXAMPLE_PARETO_DISTRICT = "Lusako"
EXAMPLE_PARETO_YEAR = 2025
_PARETO_HEADINGS = {
    "category": "Cause",
    "count": "Count",
    "share": "Share (%)",
    "cumulative_share": "Cumulative (%)",
    "vital_few": "Vital few",
}


#: The boxes of the table of steps are named for screen readers; the words between
#: them ("then", "if") say the same on screen, so their labels are hidden from sight.
_STEPS_CSS = """<style>
.phcpm-process-step .widget-label { position: absolute; width: 1px; height: 1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.phcpm-process table.phcpm-table th, .phcpm-process table.phcpm-table td {
  overflow-wrap: normal; word-break: normal; }
</style>"""


def _button(label: str, css: str, primary: bool = False) -> w.Button:
    button = w.Button(description=label, button_style="primary" if primary else "")
    button.layout = w.Layout(width="auto", max_width="100%")
    button.add_class(css)
    return button


def _example_steps() -> pd.DataFrame:
    return pd.read_csv(dataset_path("process_steps.csv"), dtype=str, keep_default_na=False)


def _row_box(children: list[w.Widget]) -> w.HBox:
    return w.HBox(
        children,
        layout=w.Layout(
            flex_flow="row wrap",
            align_items="center",
            border_bottom="1px solid #dddddd",
            padding="2px 0",
        ),
    )


class StepRow:
    """The controls of one step in the table of steps."""

    def __init__(self, row: dict, lanes: list[str], on_change, on_remove) -> None:
        self.step_id = row["step_id"]
        self.id_text = w.HTML(f"<b>{html.escape(self.step_id)}</b>")
        self.id_text.layout.width = "3em"
        self.label = w.Text(
            value=row["label"],
            description=f"What happens at step {self.step_id}",
            placeholder="what happens",
            continuous_update=False,
            layout=w.Layout(width="18em", max_width="100%"),
        )
        self.label.add_class("phcpm-process-step-label")
        self.lane = w.Combobox(
            value=row["lane"],
            description="Who does it (lane)",
            options=lanes,
            placeholder="who does it",
            ensure_option=False,
            continuous_update=False,
            layout=w.Layout(width="11em", max_width="100%"),
        )
        self.lane.add_class("phcpm-process-step-lane")
        self.kind = w.Dropdown(
            options=[(words, kind) for kind, words in process.KIND_WORDS.items()],
            value=row["kind"],
            description="Kind of step",
            layout=w.Layout(width="12em", max_width="100%"),
        )
        self.kind.add_class("phcpm-process-step-kind")
        nxt = list(row.get("next") or []) + [_NONE, _NONE]
        self._answers = (
            list(row.get("answers") or []) + ["yes", "no"][len(row.get("answers") or []) :]
        )
        self.next = w.Dropdown(
            description="Next step", layout=w.Layout(width="16em", max_width="100%")
        )
        self.next.add_class("phcpm-process-step-next")
        self.wanted = (nxt[0], nxt[1])
        self._targets: list[tuple[str, str]] = []
        self._on_change = on_change
        # The boxes of a question's second branch are made when the step becomes
        # a question: most steps never need them, and every box is sent to the page.
        self.if_a = self.answer = self.if_b = self.answer_b = self.next_b = None
        self.remove = w.Button(
            description="Remove", tooltip=f"Remove step {self.step_id}", icon="trash"
        )
        self.remove.layout = w.Layout(width="auto")
        self.then = w.HTML("then")
        self.box = _row_box([])
        self.box.add_class("phcpm-process-step")
        self._show_branches()
        # The branches first: a step that becomes a question needs them when the map is redrawn.
        self.kind.observe(lambda _: self._show_branches(), names="value")
        for box in (self.label, self.lane, self.kind, self.next):
            box.observe(lambda _: on_change(), names="value")
        self.remove.on_click(lambda _: on_remove(self))

    def _make_branches(self) -> None:
        self.if_a = w.HTML("if")
        self.if_b = w.HTML("; if")
        self.answer = w.Text(
            value=self._answers[0],
            description="First answer",
            continuous_update=False,
            layout=w.Layout(width="5em"),
        )
        self.answer_b = w.Text(
            value=self._answers[1],
            description="Second answer",
            continuous_update=False,
            layout=w.Layout(width="5em"),
        )
        self.next_b = w.Dropdown(
            description="Next step after the second answer",
            layout=w.Layout(width="16em", max_width="100%"),
        )
        self.next_b.add_class("phcpm-process-step-next-b")
        if self._targets:
            self._offer(self.next_b, self.wanted[1])
        for box in (self.answer, self.next_b, self.answer_b):
            box.observe(lambda _: self._on_change(), names="value")

    def _show_branches(self) -> None:
        question = self.kind.value == "decision"
        end = self.kind.value == "end"
        if question and self.next_b is None:
            self._make_branches()
        self.then.layout.display = "none" if end else ""
        self.next.layout.display = "none" if end else ""
        self.next.description = "Next step after the first answer" if question else "Next step"
        if self.next_b is None:
            children = [self.id_text, self.label, self.lane, self.kind, self.then, self.next]
        else:
            for box in (self.if_a, self.answer, self.if_b, self.answer_b, self.next_b):
                box.layout.display = "" if question else "none"
            children = [
                self.id_text,
                self.label,
                self.lane,
                self.kind,
                self.then,
                self.if_a,
                self.answer,
                self.next,
                self.if_b,
                self.answer_b,
                self.next_b,
            ]
        self.box.children = [*children, self.remove]

    def _offer(self, box: w.Dropdown, wanted: str) -> None:
        ids = {sid for _, sid in self._targets}
        keep = box.value if box.options else wanted
        box.options = self._targets
        box.value = keep if keep in ids else _NONE

    def set_targets(self, options: list[tuple[str, str]]) -> None:
        """Offer the other steps as next steps, keeping the choice when it still exists."""
        own = [(label, sid) for label, sid in options if sid != self.step_id]
        self._targets = [("(choose the next step)", _NONE), *own]
        self._offer(self.next, self.wanted[0])
        if self.next_b is not None:
            self._offer(self.next_b, self.wanted[1])

    def data(self) -> dict:
        question = self.kind.value == "decision"  # a question has its second branch
        nxt = [self.next.value, self.next_b.value] if question else [self.next.value]
        if self.kind.value == "end":
            nxt = []
        return {
            "step_id": self.step_id,
            "label": self.label.value,
            "lane": self.lane.value,
            "kind": self.kind.value,
            "next": nxt,
            "answers": [self.answer.value, self.answer_b.value] if question else [],
        }


class ProcessMapper(Tool):
    """Process map, waiting times, fishbone and Pareto builders in four tabs."""

    css_class = "phcpm-process"

    def __init__(self) -> None:
        use_style()
        super().__init__()
        self.pmap: process.ProcessMap | None = None
        self.minutes: dict[str, float] = {}
        self.times: process.StepTimes | None = None
        self.flow: pd.DataFrame | None = None
        self.flow_name = "the example time stamps"
        self.svg = ""
        self.pareto_table: pd.DataFrame | None = None
        self.step_rows: list[StepRow] = []
        self._quiet = False
        units = pd.read_csv(dataset_path("org_units.csv"))
        self._names = dict(zip(units["org_unit_id"], units["name"], strict=True))

        # ---- tab 1: the map
        self.steps_box = w.VBox()
        self.steps_box.add_class("phcpm-process-steps")
        self.add_step = _button("Add a step", "phcpm-process-add-step")
        self.example_steps = _button("Back to the example map", "phcpm-process-example")
        self.steps_upload = upload_button("Import steps from a file (CSV or Excel)")
        self.steps_upload.add_class("phcpm-process-steps-upload")
        self.colour = w.Checkbox(value=True, description="Colour the waits (tab 2)")
        self.map_error = error_box()
        self.map_error.add_class("phcpm-process-map-error")
        self.map_note = note_box()
        self.map_view = w.HTML()
        self.map_view.add_class("phcpm-process-map")
        self.map_text = w.HTML()
        self.map_text.add_class("phcpm-process-map-text")
        self.map_results = self.new_results()
        self.map_results.add_class("phcpm-process-map-results")
        self.add_step.on_click(lambda _: self.new_step())
        self.example_steps.on_click(lambda _: self.load_steps(_example_steps(), "example"))
        self.steps_upload.observe(self._on_steps_upload, names="value")
        self.colour.observe(lambda _: self.draw_map(), names="value")
        map_tab = w.VBox(
            [
                w.HTML(
                    "<p>One line per step: what happens, who does it (the lane), the kind of "
                    "step and the step that comes next. A question has two answers, each "
                    "with its own next step. The map is checked and redrawn as you type.</p>"
                ),
                w.HTML(_STEPS_CSS),
                self.steps_box,
                w.HBox([self.add_step, self.example_steps, self.steps_upload, self.colour]),
                self.map_error,
                self.map_note,
                self.map_results,
            ]
        )

        # Tabs 2 to 4 are built when first opened: until then the page carries
        # none of their widgets (see widgets.common.LazySections).
        self.sections = lazy_tabs(
            [
                ("1. Process map", lambda: map_tab),
                ("2. Waiting times", self._build_times_tab),
                ("3. Fishbone", self._build_fishbone_tab),
                ("4. Pareto chart", self._build_pareto_tab),
            ]
        )
        self.tabs = self.sections.widget
        self.set_children([self.tabs])
        self._use_example_flow()
        self.load_steps(_example_steps(), "example")

    def open_tab(self, index: int) -> None:
        """Open tab ``index`` (0 to 3), building it if it has never been opened."""
        self.sections.open(index)

    def _build_times_tab(self) -> w.VBox:
        """Tab 2, built when first opened: time stamps, waits and the what-if."""
        self.flow_upload = upload_button("Use my own time stamps (CSV or Excel)")
        self.flow_upload.add_class("phcpm-process-flow-upload")
        self.flow_example = _button("Back to the example time stamps", "phcpm-process-flow-example")
        self.flow_text = w.HTML()
        self.flow_text.add_class("phcpm-process-flow-source")
        self.facility = w.Dropdown(description="Facility", style=_WIDE)
        self.measure_button = _button("Measure the waits", "phcpm-process-measure", primary=True)
        self.times_error = error_box()
        self.times_notes = note_box()
        self.times_view = w.HTML()
        self.times_view.add_class("phcpm-process-times")
        self.times_results = self.new_results()
        self.whatif_step = w.Dropdown(description="Step", style=_WIDE)
        self.whatif_now = w.BoundedIntText(
            value=1, min=1, max=10, description="Staff now", style=_WIDE
        )
        self.whatif_servers = w.IntSlider(
            value=2,
            min=1,
            max=6,
            description="Staff after",
            continuous_update=False,
            style=_WIDE,
            layout=w.Layout(width="22em", max_width="100%", height="auto"),
        )
        self.whatif_servers.add_class("phcpm-process-whatif-staff")
        self.whatif_button = _button("Predict the waits", "phcpm-process-whatif")
        self.whatif_view = w.HTML()
        self.whatif_view.add_class("phcpm-process-whatif-result")
        self.whatif_results = self.new_results()
        self.flow_upload.observe(self._on_flow_upload, names="value")
        self.flow_example.on_click(lambda _: self._use_example_flow())
        self.facility.observe(lambda _: self._flow_changed(), names="value")
        self.measure_button.on_click(
            lambda _: self.run_safely(self.measure, self.times_error, results=self.times_results)
        )
        self.whatif_button.on_click(
            lambda _: self.run_safely(self.predict, self.times_error, results=self.whatif_results)
        )
        for box in (self.whatif_step, self.whatif_now, self.whatif_servers):
            box.observe(lambda _: self.clear_results(self.whatif_results), names="value")
        times_tab = w.VBox(
            [
                w.HTML(
                    "<p>Time stamps: one row per visit with <code>arrival</code>, the start of "
                    "each step (<code>registration, triage, consultation, lab, pharmacy</code>; "
                    "empty when skipped) and <code>exit</code>.</p>"
                ),
                w.HBox([self.flow_upload, self.flow_example]),
                self.flow_text,
                w.HBox([self.facility, self.measure_button]),
                self.times_error,
                self.times_results,
                w.HTML("<h4>What if this step had more staff?</h4>"),
                w.HBox([self.whatif_step, self.whatif_now, self.whatif_servers]),
                self.whatif_button,
                self.whatif_results,
            ]
        )
        self._fill_flow()
        return times_tab

    def _build_fishbone_tab(self) -> w.VBox:
        """Tab 3, built when first opened: the fishbone."""
        self.effect = w.Text(
            value=EXAMPLE_EFFECT, description="Problem", layout=w.Layout(width="100%"), style=_WIDE
        )
        self.cause_boxes = {
            cat: w.Textarea(
                value=EXAMPLE_FISHBONE.get(cat, ""),
                description=cat,
                rows=3,
                layout=w.Layout(width="22em", max_width="100%"),
                style=_WIDE,
            )
            for cat in problems.FISHBONE_CATEGORIES
        }
        self.fishbone_button = _button(
            "Draw the fishbone", "phcpm-process-fishbone-draw", primary=True
        )
        self.fishbone_view = w.HTML()
        self.fishbone_view.add_class("phcpm-process-fishbone")
        self.fishbone_error = error_box()
        self.fishbone_results = self.new_results()
        self.fishbone_button.on_click(
            lambda _: self.run_safely(
                self.draw_fishbone, self.fishbone_error, results=self.fishbone_results
            )
        )
        for box in (self.effect, *self.cause_boxes.values()):
            box.observe(lambda _: self.clear_results(self.fishbone_results), names="value")
        fishbone_tab = w.VBox(
            [
                w.HTML("<p>One cause per line. Leave a box empty if nothing comes to mind.</p>"),
                self.effect,
                w.Box(
                    list(self.cause_boxes.values()),
                    layout=w.Layout(display="flex", flex_flow="row wrap"),
                ),
                self.fishbone_button,
                self.fishbone_error,
                self.fishbone_results,
            ]
        )
        return fishbone_tab

    def _build_pareto_tab(self) -> w.VBox:
        """Tab 4, built when first opened: the Pareto list and chart."""
        self.pareto_example, missed = self._example_pareto()
        self.pareto_example_note = w.HTML(
            f"<p><b>The example</b>: the main reason written for each of the {missed} "
            f"planned supervision visits that did not take place in {EXAMPLE_PARETO_DISTRICT} "
            f"District in {EXAMPLE_PARETO_YEAR}, from the district's visit records. Each "
            "line is one reason and the number of visits missed for it.</p>"
        )
        self.pareto_example_note.add_class("phcpm-process-pareto-example")
        self.pareto_text = w.Textarea(
            value=self.pareto_example,
            description="Cause, count",
            rows=8,
            layout=w.Layout(width="30em", max_width="100%"),
            style=_WIDE,
        )
        self.pareto_text.add_class("phcpm-process-pareto")
        self.pareto_upload = upload_button("Fill the list from a file (CSV or Excel)")
        self.pareto_upload.add_class("phcpm-process-pareto-upload")
        self.pareto_button = _button(
            "Draw the Pareto chart", "phcpm-process-pareto-draw", primary=True
        )
        self.pareto_view = w.HTML()
        self.pareto_view.add_class("phcpm-process-pareto-result")
        self.pareto_error = error_box()
        self.pareto_error.add_class("phcpm-process-pareto-error")
        self.pareto_note = note_box()
        self.pareto_note.add_class("phcpm-process-pareto-note")
        self.pareto_results = self.new_results()
        self.pareto_results.track(self.pareto_note)
        self.pareto_button.on_click(
            lambda _: self.run_safely(
                self.draw_pareto, self.pareto_error, results=self.pareto_results
            )
        )
        self.pareto_text.observe(self._pareto_typed, names="value")
        self.pareto_upload.observe(self._on_pareto_upload, names="value")
        pareto_tab = w.VBox(
            [
                w.HTML(
                    "<p>Count the causes of one problem: one cause per line, then a comma and "
                    "how many times it happened. Or fill the list from a file: its first "
                    "column is the cause and its second the count (a file with one column is "
                    "a list of events, each counted once). The chart is always drawn from the "
                    "list in the box.</p>"
                ),
                self.pareto_example_note,
                self.pareto_text,
                w.HBox([self.pareto_upload, self.pareto_button]),
                self.pareto_error,
                self.pareto_results,
            ]
        )
        return pareto_tab

    # ------------------------------------------------------------------ the table of steps

    def load_steps(self, table: pd.DataFrame, source: str) -> bool:
        """Put a steps table in the editor (only a valid one) and draw it.

        ``source`` is "example" or the name of the imported file. A table that
        is not a valid map is refused with its reason; the steps already in the
        editor stay as they were.
        """
        rows = self.run_safely(process.steps_rows, self.map_error, table, clear=False)
        if rows is None:
            self.map_note.layout.display = "none"
            return False
        self._quiet = True
        try:
            lanes = list(dict.fromkeys(r["lane"] for r in rows))
            self.step_rows = [
                StepRow(r, lanes, self._steps_changed, self._remove_step) for r in rows
            ]
            self._refresh_targets()
        finally:
            self._quiet = False
        self.steps_box.children = [r.box for r in self.step_rows]
        if source == "example":
            show_notes(self.map_note, ["The example map is shown: edit it, or import your own."])
        else:
            show_notes(
                self.map_note,
                [
                    f"The steps of '{source}' are in the table ({len(rows)} steps). "
                    "'Back to the example map' brings the example back."
                ],
            )
        self.draw_map()
        return True

    def _on_steps_upload(self, change) -> None:
        taken = take_upload(self.steps_upload, change["new"])
        if taken is None:
            return
        data, name = taken
        table = self.run_safely(self._read_steps, self.map_error, data, name, clear=False)
        if table is not None:
            self.load_steps(table, name)

    @staticmethod
    def _read_steps(data: bytes, name: str) -> pd.DataFrame:
        return read_table(data, filename=name).data.reset_index(drop=True)

    def _refresh_targets(self) -> None:
        options = [
            (f"{r.step_id}: {r.label.value or '(no name)'}", r.step_id) for r in self.step_rows
        ]
        lanes = list(dict.fromkeys(r.lane.value for r in self.step_rows if r.lane.value.strip()))
        quiet, self._quiet = self._quiet, True
        try:
            for r in self.step_rows:
                r.set_targets(options)
                r.lane.options = lanes
        finally:
            self._quiet = quiet

    def _steps_changed(self) -> None:
        if self._quiet:
            return
        self._refresh_targets()
        self.draw_map()

    def new_step(self) -> None:
        """Add an empty step at the end of the table (it needs a name, a lane and a link)."""
        sid = process.new_step_id([r.step_id for r in self.step_rows])
        row = StepRow(
            {"step_id": sid, "label": "", "lane": "", "kind": "step", "next": [], "answers": []},
            [],
            self._steps_changed,
            self._remove_step,
        )
        self.step_rows.append(row)
        self.steps_box.children = [r.box for r in self.step_rows]
        self._refresh_targets()
        self.draw_map()

    def _remove_step(self, row: StepRow) -> None:
        self.step_rows = [r for r in self.step_rows if r is not row]
        self.steps_box.children = [r.box for r in self.step_rows]
        self._refresh_targets()
        self.draw_map()

    def steps(self) -> pd.DataFrame:
        """The table of steps as typed, in the CSV layout of :meth:`ProcessMap.from_table`."""
        return process.steps_table([r.data() for r in self.step_rows])

    # ------------------------------------------------------------------ the map

    def draw_map(self) -> None:
        """Check the steps and draw the swimlane map; a mistake empties the map and says why."""
        self.run_safely(self._draw_map, self.map_error, results=self.map_results)

    def _draw_map(self) -> None:
        pmap = process.ProcessMap.from_table(self.steps())
        lay = process.layout(pmap)
        minutes = {}
        if self.colour.value and self.minutes:
            known = set(pmap.steps["step_id"])
            minutes = {k: v for k, v in self.minutes.items() if k in known}
        self.pmap = pmap
        self.svg = process.render_svg(lay, minutes, title="Process map")
        self.map_view.value = (
            '<div style="overflow-x:auto;border:1px solid #ccc">' + self.svg + "</div>"
        )
        self.map_text.value = (
            "<details><summary>The map in words</summary><pre style='white-space:pre-wrap'>"
            + html.escape(process.describe(pmap))
            + "</pre></details>"
        )
        svg = self.svg
        steps = self.steps()
        self.map_downloads = w.HBox(
            [
                download_on_demand(
                    "Map as a picture (PNG)",
                    "process-map.png",
                    lambda: process.to_png(lay, minutes),
                    "image/png",
                ),
                download_on_demand(
                    "Map as a drawing (SVG)",
                    "process-map.svg",
                    lambda: svg.encode("utf-8"),
                    "image/svg+xml",
                ),
                download_on_demand(
                    "Table of steps (CSV, to import again)",
                    "process-steps.csv",
                    lambda: steps.to_csv(index=False).encode("utf-8"),
                ),
            ]
        )
        self.show_results(
            self.map_view, self.map_text, self.map_downloads, results=self.map_results
        )

    # ------------------------------------------------------------------ waiting times

    def _use_example_flow(self) -> None:
        self._set_flow(pd.read_csv(dataset_path("patient_flow.csv")), "the example time stamps")

    def _on_flow_upload(self, change) -> None:
        taken = take_upload(self.flow_upload, change["new"])
        if taken is None:
            return
        data, name = taken
        self.clear_results(self.times_results)
        self.clear_results(self.whatif_results)
        table = self.run_safely(self._read_steps, self.times_error, data, name, clear=False)
        if table is None:
            self.flow = None
            self.flow_text.value = (
                "<p>No time stamps are in use: choose another file, or go back to the example.</p>"
            )
            return
        self._set_flow(table, f"'{name}'")

    def _set_flow(self, flow: pd.DataFrame, name: str) -> None:
        self.flow = flow
        self.flow_name = name
        self.times = None
        self._show_flow()

    def _show_flow(self) -> None:
        """Show the time stamps in use on tab 2 (nothing to do until it is built)."""
        if self.sections.built[1]:
            self._fill_flow()
            self._flow_changed()

    def _fill_flow(self) -> None:
        """The facilities and the name of the time stamps in use, on tab 2."""
        flow = self.flow
        self._quiet = True
        try:
            if flow is not None and "org_unit_id" in flow.columns:
                ids = sorted(flow["org_unit_id"].astype(str).unique())
                self.facility.options = [(self._names.get(i, i), i) for i in ids]
                self.facility.value = ids[-1] if "gCifNzD4vSd" not in ids else "gCifNzD4vSd"
            else:
                self.facility.options = [("All visits", "")]
                self.facility.value = ""
        finally:
            self._quiet = False
        if flow is not None:
            self.flow_text.value = (
                f"<p>Time stamps in use: {html.escape(self.flow_name)} ({len(flow):,} rows).</p>"
            )

    def _flow_changed(self) -> None:
        if self._quiet or not self.sections.built[1]:
            return
        self.times = None
        self.clear_results(self.times_results)
        self.clear_results(self.whatif_results)

    def measure(self) -> None:
        """Waiting and service times of the chosen facility; colours the map."""
        if self.flow is None:
            raise InputError(
                "No time stamps are in use",
                todo="Choose a file of time stamps, or click 'Back to the example time stamps'",
            )
        flow = self.flow
        if self.facility.value:
            flow = flow[flow["org_unit_id"].astype(str) == self.facility.value]
        times = process.step_times(flow)
        self.times = times
        summary = times.summary.drop(columns=[times.group] if times.group else [])
        shown = summary.assign(share_of_visits=summary["share_of_visits"] * 100)
        self.times_view.value = table_html(shown, _TIMES_HEADINGS)
        ov = times.overview.iloc[0]
        show_notes(
            self.times_notes,
            [
                f"{int(ov['visits'])} visits; half spent more than {ov['median_total']:.0f} "
                f"minutes in the facility, 1 in 10 more than {ov['p90_total']:.0f} minutes.",
                f"The bottleneck is {ov['bottleneck']}: the median wait there is "
                f"{ov['bottleneck_median_wait']:.0f} minutes.",
                f"Value-added share: {ov['value_added_share']:.0%} of the time in the facility "
                "is spent being served; the rest is waiting.",
            ],
            title="What the time stamps show",
        )
        excel = to_excel_bytes({"Waiting times": shown.rename(columns=_TIMES_HEADINGS)})
        self.times_download = download_on_demand(
            "Table of waiting times (Excel)", "waiting-times.xlsx", lambda: excel, _XLSX
        )
        self.show_results(
            self.times_notes, self.times_view, self.times_download, results=self.times_results
        )
        steps = [str(s) for s in summary["step"]]
        self.whatif_step.options = steps
        self.whatif_step.value = str(ov["bottleneck"])
        self.clear_results(self.whatif_results)
        if self.pmap is not None:
            self.minutes = process.wait_minutes_on_map(times, self.pmap)
            self.draw_map()

    def predict(self) -> None:
        """What-if prediction for the chosen step and number of staff."""
        if self.times is None:
            self.run_safely(self.measure, self.times_error, results=self.times_results)
            if self.times is None:
                return
        flow = self.flow
        org = self.facility.value or None
        if org is None and "org_unit_id" in flow.columns:
            flow = flow.drop(columns="org_unit_id")
        result = process.what_if(
            flow,
            self.whatif_step.value,
            servers=self.whatif_servers.value,
            current_servers=self.whatif_now.value,
            org_unit=org,
            runs=100,
        )
        self.whatif_view.value = f"<p>{html.escape(result.explanation)}</p>" + table_html(
            result.table,
            {
                "situation": "Situation",
                "median_wait": "Median wait (min)",
                "p90_wait": "90 % wait less than (min)",
            },
        )
        self.show_results(self.whatif_view, results=self.whatif_results)

    # ------------------------------------------------------------------ fishbone

    def draw_fishbone(self) -> None:
        causes = {cat: box.value.splitlines() for cat, box in self.cause_boxes.items()}
        fb = problems.fishbone(self.effect.value, causes)
        svg = fb.svg()
        self.fishbone_view.value = (
            '<div style="overflow-x:auto">' + svg + "</div>"
            "<details><summary>The fishbone in words</summary><pre style='white-space:pre-wrap'>"
            + html.escape(fb.text())
            + "</pre></details>"
        )

        def png() -> bytes:
            import matplotlib.pyplot as plt

            fig = fb.figure()
            try:
                return figure_bytes(fig, "png")
            finally:
                plt.close(fig)

        self.fishbone_downloads = w.HBox(
            [
                download_on_demand("Fishbone as a picture (PNG)", "fishbone.png", png, "image/png"),
                download_on_demand(
                    "Fishbone as a drawing (SVG)",
                    "fishbone.svg",
                    lambda: svg.encode("utf-8"),
                    "image/svg+xml",
                ),
            ]
        )
        self.show_results(
            self.fishbone_view, self.fishbone_downloads, results=self.fishbone_results
        )

    # ------------------------------------------------------------------ Pareto

    @staticmethod
    def _example_pareto() -> tuple[str, int]:
        """The example list: why planned supervision visits were missed (as in lesson 5.2)."""
        table, missed = problems.missed_visit_reasons(
            pd.read_csv(dataset_path("supervision_visits.csv")),
            pd.read_csv(dataset_path("org_units.csv")),
            district=EXAMPLE_PARETO_DISTRICT,
            year=EXAMPLE_PARETO_YEAR,
        )
        lines = "\n".join(
            f"{c}, {n}" for c, n in zip(table["missed_reason"], table["count"], strict=True)
        )
        return lines, missed

    def _show_pareto_example_note(self) -> None:
        """The words about the example stay only while the list is the example list."""
        self.pareto_example_note.layout.display = (
            "" if self.pareto_text.value == self.pareto_example else "none"
        )

    def _pareto_typed(self, change) -> None:
        """A change to the list makes the chart and table belong to another list: empty them."""
        self._show_pareto_example_note()
        if not self._quiet:
            self.clear_results(self.pareto_results)

    def _on_pareto_upload(self, change) -> None:
        taken = take_upload(self.pareto_upload, change["new"])
        if taken is not None:
            self.run_safely(
                self.fill_pareto_from_file, self.pareto_error, *taken, results=self.pareto_results
            )

    def fill_pareto_from_file(self, data: bytes, name: str) -> None:
        """Read categories and counts from a file into the list, then draw the chart.

        The list in the box is the one source of the chart: after this, editing
        the box changes what is drawn. A file that cannot give counts leaves the
        list as it was and says why.
        """
        table = read_table(data, filename=name).data
        counts, notes = problems.pareto_counts(table, source=f"the file '{name}'")
        totals = problems.pareto(counts, "category", "count")
        lines = "\n".join(
            f"{c}, {n:g}" for c, n in zip(totals["category"], totals["count"], strict=True)
        )
        self._quiet = True
        try:
            self.pareto_text.value = lines
        finally:
            self._quiet = False
        self.draw_pareto()
        show_notes(
            self.pareto_note,
            [f"The list now holds the counts from '{name}'.", *notes],
        )
        self.show_results(
            self.pareto_note, *self.pareto_results.children, results=self.pareto_results
        )

    def draw_pareto(self) -> None:
        import matplotlib.pyplot as plt

        table = problems.pareto(
            problems.parse_pareto_text(self.pareto_text.value), "category", "count"
        )
        example = self.pareto_text.value == self.pareto_example
        fig = problems.pareto_figure(
            table,
            title=(
                f"{EXAMPLE_PARETO_DISTRICT} District: why planned supervision visits were "
                f"missed, {EXAMPLE_PARETO_YEAR}"
                if example
                else "Pareto chart"
            ),
            ylabel="Visits missed" if example else "Count",
        )
        try:
            png = figure_bytes(fig, "png")
        finally:
            plt.close(fig)
        vital = ", ".join(table.loc[table["vital_few"], "category"])
        shown = table.assign(
            share=table["share"] * 100, cumulative_share=table["cumulative_share"] * 100
        )
        self.pareto_table = table
        self.pareto_view.value = (
            image_html(png, f"Pareto chart; the vital few are {vital}")
            + f"<p><b>The vital few</b> (up to 80 % of the total): {html.escape(vital)}.</p>"
            + table_html(shown, _PARETO_HEADINGS)
        )
        sheet = shown.assign(vital_few=shown["vital_few"].map({True: "Yes", False: "No"}))
        excel = to_excel_bytes({"Pareto": sheet.rename(columns=_PARETO_HEADINGS)})
        self.pareto_downloads = w.HBox(
            [
                download_on_demand("Chart (PNG)", "pareto.png", lambda: png, "image/png"),
                download_on_demand("Table (Excel)", "pareto.xlsx", lambda: excel, _XLSX),
            ]
        )
        self.show_results(self.pareto_view, self.pareto_downloads, results=self.pareto_results)


__all__ = ["ProcessMapper", "StepRow"]
