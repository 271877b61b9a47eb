"""Process mapper: draw a swimlane map, measure waiting times, build a fishbone and a Pareto chart.

Every calculation is done by :mod:`phcpm.process` and :mod:`phcpm.problems`; this
module only builds the controls, calls those functions and shows their results. The
map is drawn as SVG by pure Python (no graphviz), and PNG files by matplotlib.
Errors in the user's input are shown as a plain message and the tool stays usable.
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as w
import pandas as pd

from phcpm import problems, process
from phcpm.errors import InputError
from phcpm.io import figure_bytes, read_table
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import Tool, error_box, note_box, show_notes, update_download

_WIDE = {"description_width": "initial"}

EXAMPLE_FISHBONE = {
    "People": "Staff not told what is expected of them\nLow morale after transfers",
    "Methods": "No duty roster posted\nLeave approved by phone, not recorded",
    "Equipment and supplies": "No transport from distant villages",
    "Environment": "Staff live far from the facility",
    "Management and policy": "Absence is never followed up\nNo sanctions or rewards",
    "Measurement": "Attendance register not checked by the in-charge",
}
EXAMPLE_EFFECT = "Health workers absent without permission in Tembwe District"


def _read_text_table(text: str, what: str) -> pd.DataFrame:
    if not text.strip():
        raise InputError(f"The {what} is empty", todo="Paste or type the table, one row per line")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as err:
        raise InputError(
            f"The {what} could not be read as a table",
            todo="Separate columns with commas and put text with commas in double quotes",
        ) from err


def _upload_table(upload: w.FileUpload) -> pd.DataFrame:
    if not upload.value:
        raise InputError("No file was chosen", todo="Click 'Upload' and choose a CSV or Excel file")
    item = upload.value[-1]
    return read_table(bytes(item["content"]), filename=item["name"]).data.reset_index(drop=True)


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
        'style="max-width:100%"/>'
    )


def _table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:,.1f}", border=0)


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
        self.svg = ""
        units = pd.read_csv(dataset_path("org_units.csv"))
        self._names = dict(zip(units["org_unit_id"], units["name"], strict=True))

        # ---- tab 1: the map
        self.steps_text = w.Textarea(
            value=dataset_path("process_steps.csv").read_text(encoding="utf-8"),
            description="Steps (CSV)",
            rows=12,
            layout=w.Layout(width="100%"),
            style=_WIDE,
        )
        self.steps_text.add_class("phcpm-process-steps")
        self.steps_upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Upload")
        self.use_upload = w.Button(description="Use the uploaded steps", icon="upload")
        self.update_button = w.Button(
            description="Update the map", button_style="primary", icon="refresh"
        )
        self.update_button.add_class("phcpm-process-update")
        self.colour = w.Checkbox(value=True, description="Colour the waits (tab 2)")
        self.map_view = w.HTML()
        self.map_view.add_class("phcpm-process-map")
        self.map_text = w.HTML()
        self.map_text.add_class("phcpm-process-map-text")
        self.map_svg_download = w.HTML()
        self.map_png_download = w.HTML()
        self.map_error = error_box()
        self.update_button.on_click(lambda _: self.draw_map())
        self.use_upload.on_click(lambda _: self.run_safely(self._load_steps, self.map_error))
        self.colour.observe(lambda _: self.draw_map(), names="value")
        map_tab = w.VBox(
            [
                w.HTML(
                    "<p>One row per step: <code>step_id, label, lane, kind, next, "
                    "next_labels</code>. Kinds: start, step, decision, wait, end. "
                    "Separate several next steps with ';' and label a decision's branches "
                    "in the same order (for example <code>yes;no</code>).</p>"
                ),
                self.steps_text,
                w.HBox([self.update_button, self.steps_upload, self.use_upload, self.colour]),
                self.map_error,
                self.map_view,
                self.map_text,
                w.HBox([self.map_svg_download, self.map_png_download]),
            ]
        )

        # ---- tab 2: waiting times
        self.flow_source = w.ToggleButtons(
            options=["Example time stamps", "Upload a file"], value="Example time stamps"
        )
        self.flow_upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Upload")
        self.facility = w.Dropdown(description="Facility", style=_WIDE)
        self.measure_button = w.Button(
            description="Measure the waits", button_style="primary", icon="clock-o"
        )
        self.measure_button.add_class("phcpm-process-measure")
        self.times_view = w.HTML()
        self.times_view.add_class("phcpm-process-times")
        self.times_notes = note_box()
        self.times_error = error_box()
        self.times_download = w.HTML()
        self.whatif_step = w.Dropdown(description="Step", style=_WIDE)
        self.whatif_now = w.BoundedIntText(value=1, min=1, max=10, description="Staff now")
        self.whatif_servers = w.IntSlider(
            value=2, min=1, max=6, description="Staff after", continuous_update=False
        )
        self.whatif_button = w.Button(description="Predict the waits", icon="line-chart")
        self.whatif_button.add_class("phcpm-process-whatif")
        self.whatif_view = w.HTML()
        self.whatif_view.add_class("phcpm-process-whatif-result")
        self.measure_button.on_click(lambda _: self.run_safely(self.measure, self.times_error))
        self.whatif_button.on_click(lambda _: self.run_safely(self.predict, self.times_error))
        times_tab = w.VBox(
            [
                w.HTML(
                    "<p>Time stamps: one row per visit with <code>arrival</code>, the start of "
                    "each step (<code>registration, triage, consultation, lab, pharmacy</code>; "
                    "empty when skipped) and <code>exit</code>.</p>"
                ),
                w.HBox([self.flow_source, self.flow_upload]),
                w.HBox([self.facility, self.measure_button]),
                self.times_error,
                self.times_notes,
                self.times_view,
                self.times_download,
                w.HTML("<h4>What if this step had more staff?</h4>"),
                w.HBox([self.whatif_step, self.whatif_now, self.whatif_servers]),
                self.whatif_button,
                self.whatif_view,
            ]
        )

        # ---- tab 3: fishbone
        self.effect = w.Text(
            value=EXAMPLE_EFFECT, description="Problem", layout=w.Layout(width="100%"), style=_WIDE
        )
        self.cause_boxes = {
            cat: w.Textarea(
                value=EXAMPLE_FISHBONE.get(cat, ""),
                description=cat,
                rows=3,
                layout=w.Layout(width="48%"),
                style=_WIDE,
            )
            for cat in problems.FISHBONE_CATEGORIES
        }
        self.fishbone_button = w.Button(
            description="Draw the fishbone", button_style="primary", icon="pencil"
        )
        self.fishbone_button.add_class("phcpm-process-fishbone-draw")
        self.fishbone_view = w.HTML()
        self.fishbone_view.add_class("phcpm-process-fishbone")
        self.fishbone_error = error_box()
        self.fishbone_svg_download = w.HTML()
        self.fishbone_png_download = w.HTML()
        self.fishbone_button.on_click(
            lambda _: self.run_safely(self.draw_fishbone, self.fishbone_error)
        )
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
                self.fishbone_view,
                w.HBox([self.fishbone_svg_download, self.fishbone_png_download]),
            ]
        )

        # ---- tab 4: Pareto
        self.pareto_text = w.Textarea(
            value=self._example_pareto(),
            description="category, count",
            rows=8,
            layout=w.Layout(width="60%"),
            style=_WIDE,
        )
        self.pareto_text.add_class("phcpm-process-pareto")
        self.pareto_upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Upload")
        self.pareto_button = w.Button(
            description="Draw the Pareto chart", button_style="primary", icon="bar-chart"
        )
        self.pareto_button.add_class("phcpm-process-pareto-draw")
        self.pareto_view = w.HTML()
        self.pareto_view.add_class("phcpm-process-pareto-result")
        self.pareto_error = error_box()
        self.pareto_csv_download = w.HTML()
        self.pareto_png_download = w.HTML()
        self.pareto_button.on_click(lambda _: self.run_safely(self.draw_pareto, self.pareto_error))
        pareto_tab = w.VBox(
            [
                w.HTML(
                    "<p>One category per line, then a comma and its count. Or upload a file "
                    "whose first column is the category and second the count.</p>"
                ),
                w.HBox([self.pareto_text, self.pareto_upload]),
                self.pareto_button,
                self.pareto_error,
                self.pareto_view,
                w.HBox([self.pareto_csv_download, self.pareto_png_download]),
            ]
        )

        self.tabs = w.Tab(children=[map_tab, times_tab, fishbone_tab, pareto_tab])
        for i, title in enumerate(
            ["1. Process map", "2. Waiting times", "3. Fishbone", "4. Pareto chart"]
        ):
            self.tabs.set_title(i, title)
        self.set_children([self.tabs])
        self.run_safely(self._load_flow_example, self.times_error)
        self.draw_map()

    # ------------------------------------------------------------------ map
    def _load_steps(self) -> None:
        table = _upload_table(self.steps_upload)
        self.steps_text.value = table.to_csv(index=False)
        self.draw_map()

    def draw_map(self) -> None:
        """Read the steps, check them and draw the swimlane map (errors shown in the tab)."""
        self.run_safely(self._draw_map, self.map_error)

    def _draw_map(self) -> None:
        table = _read_text_table(self.steps_text.value, "steps table")
        pmap = process.ProcessMap.from_table(table)
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
        update_download(
            self.map_svg_download,
            self.svg.encode("utf-8"),
            "process-map.svg",
            "Download the map (SVG)",
            "image/svg+xml",
        )
        update_download(
            self.map_png_download,
            process.to_png(lay, minutes),
            "process-map.png",
            "Download the map (PNG)",
            "image/png",
        )

    # ------------------------------------------------------------------ waiting times
    def _load_flow_example(self) -> None:
        self._set_flow(pd.read_csv(dataset_path("patient_flow.csv")))

    def _set_flow(self, flow: pd.DataFrame) -> None:
        self.flow = flow
        if "org_unit_id" in flow.columns:
            ids = sorted(flow["org_unit_id"].astype(str).unique())
            self.facility.options = [(self._names.get(i, i), i) for i in ids]
            self.facility.value = ids[-1] if "gCifNzD4vSd" not in ids else "gCifNzD4vSd"
        else:
            self.facility.options = [("All visits", "")]
            self.facility.value = ""

    def measure(self) -> None:
        """Waiting and service times of the chosen facility; colours the map."""
        if self.flow_source.value == "Upload a file":
            self._set_flow(_upload_table(self.flow_upload))
        elif self.flow is None:
            self._load_flow_example()
        flow = self.flow
        if self.facility.value:
            flow = flow[flow["org_unit_id"].astype(str) == self.facility.value]
        times = process.step_times(flow)
        self.times = times
        summary = times.summary.drop(columns=[times.group] if times.group else [])
        shown = summary.assign(share_of_visits=summary["share_of_visits"] * 100).rename(
            columns={
                "step": "Step",
                "visits": "Visits",
                "share_of_visits": "Share of visits (%)",
                "median_wait": "Median wait (min)",
                "p90_wait": "90 % wait less than (min)",
                "median_service": "Median service (min)",
                "p90_service": "90 % served within (min)",
            }
        )
        self.times_view.value = _table_html(shown)
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
        update_download(
            self.times_download,
            summary.to_csv(index=False).encode("utf-8"),
            "waiting-times.csv",
            "Download the table (CSV)",
        )
        steps = [str(s) for s in summary["step"]]
        self.whatif_step.options = steps
        self.whatif_step.value = str(ov["bottleneck"])
        if self.pmap is not None:
            self.minutes = process.wait_minutes_on_map(times, self.pmap)
            self.draw_map()

    def predict(self) -> None:
        """What-if prediction for the chosen step and number of staff."""
        if self.times is None:
            self.measure()
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
        self.whatif_view.value = f"<p>{html.escape(result.explanation)}</p>" + _table_html(
            result.table.rename(
                columns={
                    "situation": "Situation",
                    "median_wait": "Median wait (min)",
                    "p90_wait": "90 % wait less than (min)",
                }
            )
        )

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
        update_download(
            self.fishbone_svg_download,
            svg.encode("utf-8"),
            "fishbone.svg",
            "Download the fishbone (SVG)",
            "image/svg+xml",
        )
        import matplotlib.pyplot as plt

        fig = fb.figure()
        try:
            png = figure_bytes(fig, "png")
        finally:
            plt.close(fig)
        update_download(
            self.fishbone_png_download,
            png,
            "fishbone.png",
            "Download the fishbone (PNG)",
            "image/png",
        )

    # ------------------------------------------------------------------ Pareto
    @staticmethod
    def _example_pareto() -> str:
        units = pd.read_csv(dataset_path("org_units.csv"))
        visits = pd.read_csv(dataset_path("supervision_visits.csv")).merge(
            units[["org_unit_id", "district"]], on="org_unit_id"
        )
        missed = visits[(visits["planned"] == 1) & (visits["done"] == 0)]
        table = problems.pareto(missed, "district")
        return "\n".join(
            f"{c}, {n}" for c, n in zip(table["district"], table["count"], strict=True)
        )

    def _pareto_input(self) -> pd.DataFrame:
        if self.pareto_upload.value:
            table = _upload_table(self.pareto_upload)
            if table.shape[1] < 2:
                raise InputError(
                    "The file needs two columns: the category and the count",
                    todo="Put the categories in the first column and the counts in the second",
                )
            return pd.DataFrame({"category": table.iloc[:, 0], "count": table.iloc[:, 1]})
        rows = []
        for n, line in enumerate(self.pareto_text.value.splitlines(), start=1):
            if not line.strip():
                continue
            if "," not in line:
                raise InputError(
                    f"Line {n} has no comma: '{line.strip()}'",
                    todo="Write the category, a comma and the count, for example 'Lusako, 164'",
                )
            cat, count = line.rsplit(",", 1)
            rows.append({"category": cat.strip(), "count": count.strip()})
        if not rows:
            raise InputError("There are no categories", todo="Type one category and count per line")
        return pd.DataFrame(rows)

    def draw_pareto(self) -> None:
        import matplotlib.pyplot as plt

        table = problems.pareto(self._pareto_input(), "category", "count")
        fig = problems.pareto_figure(table, title="Pareto chart")
        try:
            png = figure_bytes(fig, "png")
        finally:
            plt.close(fig)
        vital = ", ".join(table.loc[table["vital_few"], "category"])
        shown = table.assign(
            share=table["share"] * 100,
            cumulative_share=table["cumulative_share"] * 100,
            vital_few=table["vital_few"].map({True: "yes", False: ""}),
        ).rename(
            columns={
                "category": "Category",
                "count": "Count",
                "share": "Share (%)",
                "cumulative_share": "Cumulative (%)",
                "vital_few": "Vital few",
            }
        )
        self.pareto_table = table
        self.pareto_view.value = (
            _img(png, f"Pareto chart; the vital few are {vital}")
            + f"<p><b>The vital few</b> (up to 80 % of the total): {html.escape(vital)}.</p>"
            + _table_html(shown)
        )
        update_download(
            self.pareto_csv_download,
            table.to_csv(index=False).encode("utf-8"),
            "pareto.csv",
            "Download the table (CSV)",
        )
        update_download(
            self.pareto_png_download, png, "pareto.png", "Download the chart (PNG)", "image/png"
        )
