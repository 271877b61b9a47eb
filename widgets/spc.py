"""Run and control chart tool: pick, paste or upload a series, get the chart and its signals.

Every calculation is done by :mod:`phcpm.spc`; files are read by
:func:`phcpm.io.read_table` and checked by :func:`phcpm.spc.file_series`. This
module only builds the controls, calls those functions and shows their results.

What is on screen always belongs to the current choices: every change of a
control redraws the chart (through :meth:`widgets.common.Tool.run_safely`,
which empties the old chart, suggestion, table and downloads first), and an
error leaves the results empty with a plain message. A chart shows one series:
from a file, the user picks one place and one data element (the tool never
mixes them), and the chart says which series it shows. An uploaded file is
read in memory and never saved.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from phcpm import spc
from phcpm.errors import InputError
from phcpm.io import read_table, to_excel_bytes
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import (
    Tool,
    download_on_demand,
    error_box,
    figure_html,
    note_box,
    plain_columns,
    show_notes,
    table_html,
    take_upload,
    upload_button,
)

__all__ = [
    "AUTO",
    "DEFAULT_FACILITY",
    "EXAMPLE_PASTE",
    "SOURCES",
    "XLSX",
    "RunControlChart",
]

SOURCES = {
    "District data": "district",
    "Improvement project": "project",
    "Paste a series": "paste",
    "Upload a file": "upload",
}

#: Measures offered for the district data: label -> (numerator, denominator, multiply).
MEASURES: dict[str, tuple[str, str | None, float]] = {
    "Malaria: suspected cases tested (%)": ("MAL_TESTED", "MAL_SUSPECTED", 100.0),
    "Malaria: tests positive (%)": ("MAL_CONFIRMED", "MAL_TESTED", 100.0),
    "ANC first visits": ("ANC1", None, 1.0),
    "ANC fourth visits": ("ANC4", None, 1.0),
    "Facility deliveries": ("FAC_DELIVERY", None, 1.0),
    "Penta 3 doses": ("PENTA3", None, 1.0),
    "OPD visits, all ages": ("OPD_TOTAL", None, 1.0),
    "ACT stock-out days": ("STOCKOUT_DAYS_ACT", None, 1.0),
}
DEFAULT_FACILITY = "Ngonyira Valley Health Centre"
EXAMPLE_PASTE = "2025-01, 17, 30\n2025-02, 24, 36\n2025-03, 19, 32\n2025-04, 14, 34"
AUTO = "auto"
_NONE = ""
_WIDE = {"description_width": "initial"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chart_options(more: bool) -> list[tuple[str, str]]:
    codes = spc.COMMON_CHARTS + (spc.MORE_CHARTS if more else ())
    return [("The chart suggested for these numbers", AUTO)] + [
        (spc.CHART_LABELS[c], c) for c in codes
    ]


class RunControlChart(Tool):
    """Run chart or control chart of one series, with the signals explained in plain words."""

    css_class = "phcpm-spc"
    title = "Run and control chart tool"

    def __init__(self, draw: bool = True) -> None:
        use_style()
        super().__init__()
        self.result: spc.QicResult | None = None
        self.series: pd.DataFrame | None = None
        self.series_title: str | None = None
        self.figure = None
        self._png: bytes | None = None
        self._points: pd.DataFrame | None = None
        self._service: pd.DataFrame | None = None
        self._file: spc.FileSeries | None = None
        self._file_name: str | None = None
        self._busy = False
        units = pd.read_csv(dataset_path("org_units.csv"))
        facilities = units[units["level_name"] == "Facility"].sort_values("name")
        self._facility_id = dict(zip(facilities["name"], facilities["org_unit_id"], strict=True))

        self.source = w.ToggleButtons(options=list(SOURCES), value="District data")
        self.facility = w.Dropdown(
            options=list(self._facility_id),
            value=DEFAULT_FACILITY,
            description="Facility",
            style=_WIDE,
        )
        self.measure = w.Dropdown(
            options=list(MEASURES), value=list(MEASURES)[0], description="Measure", style=_WIDE
        )
        self.show_cycles = w.Checkbox(value=True, description="Show the PDSA cycles on the chart")
        self.paste = w.Textarea(
            value=EXAMPLE_PASTE,
            placeholder="One value per line, or 'value, denominator' pairs",
            continuous_update=False,
            layout=w.Layout(width="28em", max_width="100%", height="12em"),
        )
        self.upload = upload_button("Choose a file", ".csv,.xlsx,.xls,.txt,.json")
        self.upload_note = note_box()
        self.place = w.Dropdown(options=[], description="Place", style=_WIDE)
        self.element = w.Dropdown(options=[], description="What is counted", style=_WIDE)
        self.denominator = w.Dropdown(
            options=[("None", _NONE)], description="Divided by (optional)", style=_WIDE
        )
        self.series_box = w.VBox([self.place, self.element, self.denominator])
        self.series_box.layout.display = "none"  # shown once a file has been read
        self.panels = {
            "district": w.VBox([self.facility, self.measure]),
            "project": w.VBox(
                [
                    w.HTML(
                        "<p>Weekly share of under-five fever cases tested for malaria, "
                        "Pezali Lake Health Centre, with its four PDSA cycles.</p>"
                    ),
                    self.show_cycles,
                ]
            ),
            "paste": w.VBox(
                [
                    w.HTML(
                        "<p>Type or paste one value per line, or <code>value, denominator</code>; "
                        "a date or label may come first (<code>2025-01, 17, 30</code>). The chart "
                        "is redrawn when you click outside the box.</p>"
                    ),
                    self.paste,
                ]
            ),
            "upload": w.VBox(
                [
                    w.HTML(
                        "<p>A CSV or Excel file: a DHIS2 download, or any table with a column "
                        "for the period and a column of numbers (and, if it has several, "
                        "columns for the place and what is counted). A chart shows one "
                        "series: choose the place and what is counted below. The file is "
                        "read in memory and never saved.</p>"
                    ),
                    self.upload,
                    self.upload_note,
                    self.series_box,
                ]
            ),
        }
        self.panel = w.Box([self.panels["district"]])

        self.chart_type = w.Dropdown(
            options=_chart_options(False),
            value=AUTO,
            description="Chart",
            style=_WIDE,
            layout=w.Layout(width="34em", max_width="100%"),
        )
        self.more_charts = w.Checkbox(value=False, description="More chart types")
        self.freeze = w.IntSlider(
            value=0,
            min=0,
            max=60,
            description="Baseline (points, 0 = all)",
            continuous_update=False,
            style=_WIDE,
            layout=w.Layout(width="30em", max_width="100%"),
        )
        self.split = w.Text(
            value="",
            placeholder="e.g. 16",
            description="Split after point",
            continuous_update=False,
            style=_WIDE,
        )
        self.draw_button = w.Button(description="Draw the chart", button_style="primary")
        self.message = error_box()
        self.shown = w.HTML()
        self.suggestion = w.HTML()
        self.chart = w.HTML()
        self.explanation = note_box()
        self.table = w.HTML()
        self.png_download = download_on_demand(
            "Chart (PNG picture)", "chart.png", self.png_bytes, "image/png"
        )
        self.excel_download = download_on_demand(
            "Points (Excel)", "chart_points.xlsx", self.excel_bytes, XLSX
        )
        self.downloads = w.VBox([self.png_download, self.excel_download])
        self.register_download(self.png_download, self.excel_download)
        self.register_notes(self.explanation)

        for widget, part in [
            (self.source, "source"),
            (self.facility, "facility"),
            (self.measure, "measure"),
            (self.paste, "paste"),
            (self.upload, "upload"),
            (self.upload_note, "upload-note"),
            (self.place, "place"),
            (self.element, "element"),
            (self.denominator, "denominator"),
            (self.chart_type, "chart-type"),
            (self.more_charts, "more-charts"),
            (self.freeze, "freeze"),
            (self.split, "split"),
            (self.draw_button, "draw"),
            (self.message, "message"),
            (self.shown, "series"),
            (self.suggestion, "suggestion"),
            (self.chart, "chart"),
            (self.explanation, "explanation"),
            (self.table, "table"),
            (self.downloads, "downloads"),
            (self.png_download, "png"),
            (self.excel_download, "excel"),
        ]:
            self.part(widget, part)

        self.source.observe(self._on_source, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.place.observe(self._on_place, names="value")
        self.more_charts.observe(self._on_more, names="value")
        self.draw_button.on_click(lambda _: self.draw())
        for control in (
            self.facility,
            self.measure,
            self.show_cycles,
            self.paste,
            self.element,
            self.denominator,
            self.chart_type,
            self.freeze,
            self.split,
        ):
            control.observe(self._on_control, names="value")

        self.set_children(
            [
                w.HTML(
                    "<h2>Run and control charts</h2><p>Is the process stable, or has something "
                    "changed? Choose a series: its chart is drawn at once, and every signal is "
                    "explained under it.</p>"
                ),
                self.source,
                self.panel,
                w.HBox([self.chart_type, self.more_charts]),
                w.HBox([self.split, self.freeze]),
                self.draw_button,
                self.message,
                self.explanation,
                self.results,
            ]
        )
        if draw:
            self.draw()

    # ------------------------------------------------------------------ inputs

    def _on_control(self, _change=None) -> None:
        if not self._busy:
            self.draw()

    def _on_source(self, change) -> None:
        self.panel.children = [self.panels[SOURCES[change["new"]]]]
        if SOURCES[change["new"]] == "upload" and self._file is None:
            # Nothing to draw yet: the old chart goes, and no error is shown for it.
            self.run_safely(lambda: None, self.message)
            self.result = None
            return
        self.draw()

    def _on_more(self, change) -> None:
        busy, self._busy = self._busy, True
        try:
            chosen = self.chart_type.value
            self.chart_type.options = _chart_options(bool(change["new"]))
            codes = [code for _, code in self.chart_type.options]
            self.chart_type.value = chosen if chosen in codes else AUTO
        finally:
            self._busy = busy
        if self.chart_type.value != chosen:
            self.draw()

    def _on_upload(self, change) -> None:
        taken = take_upload(self.upload, change["new"])
        if taken is not None:
            self.source.value = "Upload a file"
            if self.run_safely(self.load_bytes, self.message, *taken) is not None:
                self.draw()

    def _on_place(self, _change=None) -> None:
        if self._busy:
            return
        self._offer_elements()
        self.draw()

    def _offer_elements(self) -> None:
        """The data elements of the chosen place (and the same as denominators)."""
        busy, self._busy = self._busy, True
        try:
            if self._file is None or not self.place.value:
                self.element.options, self.denominator.options = [], [("None", _NONE)]
                return
            chosen = self.element.value
            self.element.options = self._file.elements(self.place.value)
            names = [name for _, name in self.element.options]
            self.element.value = chosen if chosen in names else names[0]
            self.denominator.options = [("None", _NONE)] + [(e, e) for e in names]
            self.denominator.value = _NONE
        finally:
            self._busy = busy

    def load_bytes(self, data: bytes, name: str | None = None) -> spc.FileSeries:
        """Read an uploaded file's bytes and offer its series (place × data element).

        A file that cannot be used raises :class:`InputError` (shown as a message);
        the series of an earlier file are then forgotten, so nothing of it is drawn.
        """
        self._file, self._file_name = None, None
        self.result, self.series, self._png, self._points = None, None, None, None
        self.series_box.layout.display = "none"
        busy, self._busy = self._busy, True
        try:
            self.place.options = []
            self.element.options = []
            self.denominator.options = [("None", _NONE)]
        finally:
            self._busy = busy
        show_notes(self.upload_note, None)
        source = spc.file_series(read_table(data, filename=name))
        self._file, self._file_name = source, name
        self.series_box.layout.display = ""
        places = source.places()
        first = source.series.iloc[0]  # the series with the most periods
        busy, self._busy = self._busy, True
        try:
            self.place.options = places
            self.place.value = first["org_unit"]
        finally:
            self._busy = busy
        self._offer_elements()
        busy, self._busy = self._busy, True
        try:
            self.element.value = first["data_element"]
        finally:
            self._busy = busy
        show_notes(self.upload_note, source.read_notes(name))
        return source

    def load_series(self) -> tuple[pd.DataFrame, dict, float, str, list[str]]:
        """The series chosen in the tool: (series, chart notes, multiply, title, notes)."""
        kind = SOURCES[self.source.value]
        if kind == "district":
            if self._service is None:
                self._service = pd.read_csv(dataset_path("service_data.csv"))
            num, den, multiply = MEASURES[self.measure.value]
            series = spc.monthly_series(
                self._service, self._facility_id[self.facility.value], num, den
            )
            return series, {}, multiply, f"{self.measure.value}, {self.facility.value}", []
        if kind == "project":
            measure = pd.read_csv(dataset_path("pdsa_measure.csv"))
            cycles = pd.read_csv(dataset_path("pdsa_cycles.csv"))
            series, notes = spc.project_series(measure, cycles if self.show_cycles.value else None)
            title = "Under-five fever cases tested (%), Pezali Lake"
            return series, notes, 100.0, title, []
        if kind == "paste":
            series = spc.parse_series(self.paste.value)
            multiply = 100.0 if "n" in series.columns else 1.0
            return series, {}, multiply, "Pasted series", []
        if self._file is None:
            raise InputError(
                "No file has been read yet",
                where="Upload a file",
                todo="Click 'Choose a file' and choose a CSV or Excel file",
            )
        den = self.denominator.value or None
        series, notes = spc.file_series_values(
            self._file, self.place.value, self.element.value, den
        )
        title = spc.file_series_title(self.element.value, den, self.place.value)
        return series, {}, 100.0 if den else 1.0, title, notes

    # ------------------------------------------------------------------ draw

    def draw(self) -> None:
        """Read the inputs, draw the chart and explain it; show a message on bad input."""
        self.result = None
        self.run_safely(self._draw, self.message)

    def _draw(self) -> None:
        self.result, self.series, self._png, self._points = None, None, None, None
        series, notes, multiply, title, read_notes = self.load_series()
        n = series["n"] if "n" in series.columns else None
        suggested = spc.suggest_chart(series["y"], n)
        chart = suggested if self.chart_type.value == AUTO else self.chart_type.value
        freeze = spc.baseline_points(self.freeze.value, len(series))
        multiply = spc.display_multiply(chart, n is not None, multiply)
        result = spc.qic(
            series["y"],
            n,
            x=series["x"],
            chart=chart,
            freeze=freeze,
            part=spc.parse_points(self.split.value, where="the box 'Split after point'"),
            multiply=multiply,
        )
        self.series, self.result, self.series_title = series, result, title
        busy, self._busy = self._busy, True
        try:
            self.freeze.max = max(len(series), 1)
        finally:
            self._busy = busy
        ylabel = "Percent" if multiply == 100.0 else "Value"
        fig = spc.plot_qic(result, title=title, notes=notes, ylabel=ylabel)
        self.figure = fig
        alt = f"{spc.CHART_LABELS[chart]} of {title}"
        self.chart.value, self._png = figure_html(fig, alt=alt, max_width="100%")
        first, last = spc.series_span(series)
        self.shown.value = (
            f"<p><b>Series shown:</b> {html.escape(title)}: {len(series):,} points, "
            f"{html.escape(first)} to {html.escape(last)}.</p>"
        )
        name = spc.CHART_LABELS[suggested]
        chosen = "" if chart == suggested else f" You chose: {spc.CHART_LABELS[chart]}."
        self.suggestion.value = (
            f"<p><b>Suggested for these numbers: {html.escape(name)}.</b> "
            f"{html.escape(suggested.reason)}{html.escape(chosen)}</p>"
        )
        show_notes(
            self.explanation, [*read_notes, *spc.explain(result)], title="What the chart shows"
        )
        points = spc.points_table(result)
        self._points = points
        self.table.value = table_html(points, decimals=2)
        self.show_results(self.shown, self.suggestion, self.chart, self.downloads, self.table)

    def png_bytes(self) -> bytes:
        if self._png is None:
            raise InputError("There is no chart yet", todo="Choose a series first")
        return self._png

    def excel_bytes(self) -> bytes:
        """The chart's points and summary as Excel, with plain headings."""
        if self._points is None or self.result is None:
            raise InputError("There is no chart yet", todo="Choose a series first")
        summary = spc.summary_table(self.result)
        return to_excel_bytes(
            {
                "Points": plain_columns(self._points),
                "Summary": plain_columns(summary),
            },
            title=self.series_title,
        )
