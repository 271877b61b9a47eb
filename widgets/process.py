"""Process mapper: draw a swimlane map, measure waiting times, build a fishbone and a Pareto chart.

Every calculation is done by :mod:`phcpm.process` and :mod:`phcpm.problems`; this
module only builds the controls, calls those functions and shows their results. The
map is edited as a table of steps (one line per step, with drop-down lists for the
lane, the kind of step and the next step; see :mod:`widgets.process_steps`), checked
and redrawn as soon as a box changes; a CSV or Excel table of steps can be imported,
and the example map is always one click away. The map is drawn as SVG by pure Python
(no graphviz), and PNG files by matplotlib, only when asked for. Each tab has its own
results area (see :class:`widgets.common.Results`): a new input or an error empties
it first, so what is on screen always belongs to the current input. Tabs 2 to 4 are
built when first opened (:func:`widgets.common.lazy_tabs`; their controls are laid
out in :mod:`widgets.process_tabs`), so the page does not carry their widgets until
then. What the results look like is in :mod:`widgets.process_views`.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from phcpm import datasets, problems, process
from phcpm.errors import InputError
from phcpm.io import read_table
from phcpm.style import use_style
from widgets import process_views as views
from widgets.common import (
    Tool,
    download_on_demand,
    error_box,
    lazy_tabs,
    note_box,
    show_notes,
    take_upload,
    upload_button,
)
from widgets.process_steps import STEPS_CSS, StepRow, button, example_steps
from widgets.process_tabs import build_fishbone_tab, build_pareto_tab, build_times_tab

#: The facility whose time stamps are shown first when the stamps cover it.
FIRST_FACILITY = "gCifNzD4vSd"


def _read(data: bytes, name: str) -> pd.DataFrame:
    return read_table(data, filename=name).data.reset_index(drop=True)


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
        self._names = datasets.names()

        # ---- tab 1: the map
        part = self.part
        self.steps_box = part(w.VBox(), "steps")
        self.add_step = part(button("Add a step"), "add-step")
        self.example_steps = part(button("Back to the example map"), "example")
        self.steps_upload = part(
            upload_button("Import steps from a file (CSV or Excel)"), "steps-upload"
        )
        self.colour = w.Checkbox(value=True, description="Colour the waits (tab 2)")
        self.map_error = part(error_box(), "map-error")
        self.map_note = note_box()
        self.map_view = part(w.HTML(), "map")
        self.map_text = part(w.HTML(), "map-text")
        self.map_results = part(self.new_results(), "map-results")
        self.add_step.on_click(lambda _: self.new_step())
        self.example_steps.on_click(lambda _: self.load_steps(example_steps(), "example"))
        self.steps_upload.observe(self._on_steps_upload, names="value")
        self.colour.observe(lambda _: self.draw_map(), names="value")
        map_tab = w.VBox(
            [
                w.HTML(
                    "<p>One line per step: what happens, who does it (the lane), the kind of "
                    "step and the step that comes next. A question has two answers, each "
                    "with its own next step. The map is checked and redrawn as you type.</p>"
                ),
                w.HTML(STEPS_CSS),
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
                ("3. Fishbone", lambda: build_fishbone_tab(self)),
                ("4. Pareto chart", lambda: build_pareto_tab(self)),
            ]
        )
        self.tabs = self.sections.widget
        self.set_children([self.tabs])
        self.use_example_flow()
        self.load_steps(example_steps(), "example")

    def open_tab(self, index: int) -> None:
        """Open tab ``index`` (0 to 3), building it if it has never been opened."""
        self.sections.open(index)

    def _build_times_tab(self) -> w.VBox:
        tab = build_times_tab(self)
        self._fill_flow()
        return tab

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
            lanes = process.lanes_in_use(rows)
            self.step_rows = [self._step_row(r, lanes) for r in rows]
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

    def _step_row(self, row: dict, lanes: list[str]) -> StepRow:
        return StepRow(row, lanes, self._steps_changed, self._remove_step, self.part)

    def _on_steps_upload(self, change) -> None:
        taken = take_upload(self.steps_upload, change["new"])
        if taken is None:
            return
        data, name = taken
        table = self.run_safely(_read, self.map_error, data, name, clear=False)
        if table is not None:
            self.load_steps(table, name)

    def _refresh_targets(self) -> None:
        rows = [r.data() for r in self.step_rows]
        options = process.next_step_choices(rows)
        lanes = process.lanes_in_use(rows)
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
        self.step_rows.append(self._step_row(process.editor_row(sid, "", "", "step"), []))
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
        steps = self.steps()
        pmap = process.ProcessMap.from_table(steps)
        lay = process.layout(pmap)
        minutes = {}
        if self.colour.value and self.minutes:
            known = set(pmap.steps["step_id"])
            minutes = {k: v for k, v in self.minutes.items() if k in known}
        self.pmap = pmap
        svg = self.svg = process.render_svg(lay, minutes, title="Process map")
        self.map_view.value = views.map_html(svg)
        self.map_text.value = views.map_words_html(process.describe(pmap))
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

    def use_example_flow(self) -> None:
        """Use the example time stamps (``datasets/patient_flow.csv``)."""
        self._set_flow(datasets.load("patient_flow"), "the example time stamps")

    def on_flow_upload(self, change: dict) -> None:
        """A file of time stamps was chosen: use it, or say why it cannot be used."""
        taken = take_upload(self.flow_upload, change["new"])
        if taken is None:
            return
        data, name = taken
        self.clear_results(self.times_results)
        self.clear_results(self.whatif_results)
        table = self.run_safely(_read, self.times_error, data, name, clear=False)
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
        if self.sections.built[1]:  # nothing to show until tab 2 is built
            self._fill_flow()
            self.flow_changed()

    def _fill_flow(self) -> None:
        """The facilities and the name of the time stamps in use, on tab 2."""
        flow = self.flow
        if flow is None:
            choices, first = [("All visits", "")], ""
        else:
            choices, first = process.facility_choices(flow, self._names, FIRST_FACILITY)
        self._quiet = True
        try:
            self.facility.options = choices
            self.facility.value = first
        finally:
            self._quiet = False
        if flow is not None:
            self.flow_text.value = (
                f"<p>Time stamps in use: {html.escape(self.flow_name)} ({len(flow):,} rows).</p>"
            )

    def flow_changed(self) -> None:
        """Another facility or other time stamps: the waits shown belonged to the old ones."""
        if self._quiet or not self.sections.built[1]:
            return
        self.times = None
        self.clear_results(self.times_results)
        self.clear_results(self.whatif_results)

    def _chosen_flow(self) -> pd.DataFrame:
        if self.flow is None:
            raise InputError(
                "No time stamps are in use",
                todo="Choose a file of time stamps, or click 'Back to the example time stamps'",
            )
        return process.flow_for_facility(self.flow, self.facility.value or "")

    def measure(self) -> None:
        """Waiting and service times of the chosen facility; colours the map."""
        times = self.times = process.step_times(self._chosen_flow())
        shown = views.times_shown(times.summary, times.group)
        self.times_view.value = views.times_html(shown)
        show_notes(
            self.times_notes, process.times_findings(times), title="What the time stamps show"
        )
        excel = views.times_excel(shown)
        self.times_download = download_on_demand(
            "Table of waiting times (Excel)", "waiting-times.xlsx", lambda: excel, views.XLSX
        )
        self.show_results(
            self.times_notes, self.times_view, self.times_download, results=self.times_results
        )
        self.whatif_step.options = [str(s) for s in shown["step"]]
        self.whatif_step.value = times.bottleneck
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
        result = process.what_if(
            self._chosen_flow(),
            self.whatif_step.value,
            servers=self.whatif_servers.value,
            current_servers=self.whatif_now.value,
            org_unit=self.facility.value or None,
            runs=100,
        )
        self.whatif_view.value = views.what_if_html(result.explanation, result.table)
        self.show_results(self.whatif_view, results=self.whatif_results)

    # ------------------------------------------------------------------ fishbone

    def draw_fishbone(self) -> None:
        """Draw the fishbone of the problem and causes typed, with its downloads."""
        causes = process.cause_lists({cat: box.value for cat, box in self.cause_boxes.items()})
        fb = problems.fishbone(self.effect.value, causes)
        svg = fb.svg()
        self.fishbone_view.value = views.fishbone_html(svg, fb.text())
        self.fishbone_downloads = w.HBox(
            [
                download_on_demand(
                    "Fishbone as a picture (PNG)",
                    "fishbone.png",
                    lambda: views.fishbone_png(fb),
                    "image/png",
                ),
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
    def example_pareto() -> tuple[str, int]:
        """The example list: why planned supervision visits were missed (as in lesson 5.2)."""
        table, missed = problems.missed_visit_reasons(
            datasets.load("supervision_visits"),
            datasets.org_units(),
            district=views.EXAMPLE_PARETO_DISTRICT,
            year=views.EXAMPLE_PARETO_YEAR,
        )
        return process.pareto_lines(table, "missed_reason", "count"), missed

    def pareto_typed(self, change: dict) -> None:
        """A change to the list makes the chart and table belong to another list: empty them.

        The words about the example stay only while the list is the example list.
        """
        example = self.pareto_text.value == self.pareto_example
        self.pareto_example_note.layout.display = "" if example else "none"
        if not self._quiet:
            self.clear_results(self.pareto_results)

    def on_pareto_upload(self, change: dict) -> None:
        """A file of causes was chosen: fill the list from it (the button is emptied)."""
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
        lines = process.pareto_lines(problems.pareto(counts, "category", "count"))
        self._quiet = True
        try:
            self.pareto_text.value = lines
        finally:
            self._quiet = False
        self.draw_pareto()
        show_notes(self.pareto_note, [f"The list now holds the counts from '{name}'.", *notes])
        self.show_results(
            self.pareto_note, *self.pareto_results.children, results=self.pareto_results
        )

    def draw_pareto(self) -> None:
        """Draw the Pareto chart of the list in the box, with its table and downloads."""
        table = problems.pareto(
            problems.parse_pareto_text(self.pareto_text.value), "category", "count"
        )
        title, ylabel = views.pareto_labels(self.pareto_text.value == self.pareto_example)
        figure = problems.pareto_figure(table, title=title, ylabel=ylabel)
        self.pareto_table = table
        self.pareto_view.value, png = views.pareto_html(table, figure)
        excel = views.pareto_excel(table)
        self.pareto_downloads = w.HBox(
            [
                download_on_demand("Chart (PNG)", "pareto.png", lambda: png, "image/png"),
                download_on_demand("Table (Excel)", "pareto.xlsx", lambda: excel, views.XLSX),
            ]
        )
        self.show_results(self.pareto_view, self.pareto_downloads, results=self.pareto_results)


__all__ = ["ProcessMapper", "StepRow"]
