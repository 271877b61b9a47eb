"""Run and control chart tool: pick, paste or upload a series, get the chart and its signals.

Every calculation is done by :mod:`phcpm.spc`; files are read by
:func:`phcpm.io.read_table`. This module only builds the controls, calls those
functions and shows their results. Every callback runs through
:meth:`widgets.common.Tool.run_safely`: errors in the user's input (a file that
is not a table, an empty file, a file without numbers) become a plain message
and the tool stays usable. An uploaded file is read in memory and never saved.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from phcpm import spc
from phcpm.errors import InputError
from phcpm.io import figure_bytes, read_table, to_csv_bytes, to_excel_bytes
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import (
    Tool,
    clear_message,
    download_html,
    error_box,
    image_html,
    note_box,
    show_notes,
    take_upload,
)

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
_NONE = "(none)"
_WIDE = {"description_width": "initial"}


class RunControlChart(Tool):
    """Run chart or control chart of one series, with the signals explained in plain words."""

    css_class = "phcpm-spc"

    def __init__(self, draw: bool = True) -> None:
        use_style()
        super().__init__()
        self.result: spc.QicResult | None = None
        self.series: pd.DataFrame | None = None
        self.figure = None
        self._service: pd.DataFrame | None = None
        self._upload_table: pd.DataFrame | None = None
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
            layout=w.Layout(width="28em", height="12em"),
        )
        self.upload = w.FileUpload(
            accept=".csv,.xlsx,.xls,.txt", multiple=False, description="Choose a file"
        )
        self.upload.layout.width = "auto"
        self.value_col = w.Dropdown(options=[], description="Values", style=_WIDE)
        self.denominator_col = w.Dropdown(options=[_NONE], description="Denominators", style=_WIDE)
        self.label_col = w.Dropdown(options=[_NONE], description="Dates or labels", style=_WIDE)
        self.upload_note = note_box()
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
                        "a date or label may come first (<code>2025-01, 17, 30</code>).</p>"
                    ),
                    self.paste,
                ]
            ),
            "upload": w.VBox(
                [
                    w.HTML(
                        "<p>A CSV or Excel (.xlsx) file with one row per period and a "
                        "column of numbers. The file is read in memory and never saved.</p>"
                    ),
                    self.upload,
                    self.upload_note,
                    self.value_col,
                    self.denominator_col,
                    self.label_col,
                ]
            ),
        }
        self.panel = w.Box([self.panels["district"]])

        self.chart_type = w.Dropdown(
            options=[("Suggested chart", "auto")]
            + [(name.capitalize(), code) for code, name in spc.CHARTS.items()],
            value="auto",
            description="Chart",
            style=_WIDE,
        )
        self.suggestion = w.HTML()
        self.freeze = w.IntSlider(
            value=0,
            min=0,
            max=60,
            description="Baseline (points, 0 = all)",
            continuous_update=False,
            style=_WIDE,
            layout=w.Layout(width="30em"),
        )
        self.split = w.Text(
            value="",
            placeholder="e.g. 16",
            description="Split after point",
            style=_WIDE,
        )
        self.draw_button = w.Button(description="Draw the chart", button_style="primary")
        self.message = error_box()
        self.chart = w.HTML()
        self.explanation = note_box()
        self.table = w.HTML()
        self.downloads = w.HTML()

        for widget, part in [
            (self.source, "source"),
            (self.facility, "facility"),
            (self.measure, "measure"),
            (self.paste, "paste"),
            (self.upload, "upload"),
            (self.upload_note, "upload-note"),
            (self.value_col, "value-column"),
            (self.denominator_col, "denominator-column"),
            (self.label_col, "label-column"),
            (self.chart_type, "chart-type"),
            (self.suggestion, "suggestion"),
            (self.freeze, "freeze"),
            (self.split, "split"),
            (self.draw_button, "draw"),
            (self.message, "message"),
            (self.chart, "chart"),
            (self.explanation, "explanation"),
            (self.table, "table"),
            (self.downloads, "downloads"),
        ]:
            widget.add_class(f"phcpm-spc-{part}")

        self.source.observe(self._on_source, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.draw_button.on_click(lambda _: self.draw())
        self.freeze.observe(lambda _: self.draw() if self.result is not None else None, "value")

        self.set_children(
            [
                w.HTML(
                    "<h2>Run and control charts</h2><p>Is the process stable, or has something "
                    "changed? Choose a series, then draw its chart: every signal is explained "
                    "under it.</p>"
                ),
                self.source,
                self.panel,
                w.HBox([self.chart_type, self.split]),
                self.freeze,
                self.suggestion,
                self.draw_button,
                self.message,
                self.chart,
                self.explanation,
                self.downloads,
                self.table,
            ]
        )
        if draw:
            self.draw()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Run and control chart tool"
        return bundle

    # ------------------------------------------------------------------ inputs

    def _on_source(self, change) -> None:
        self.panel.children = [self.panels[SOURCES[change["new"]]]]

    def _on_upload(self, change) -> None:
        taken = take_upload(self.upload, change["new"])
        if taken is not None:
            self.run_safely(self.load_bytes, self.message, *taken)

    def _offer_columns(self, columns: list[str], numbers: list[str]) -> None:
        self.value_col.options = columns
        self.value_col.value = numbers[0] if numbers else None
        self.denominator_col.options = [_NONE, *columns]
        self.denominator_col.value = _NONE
        self.label_col.options = [_NONE, *columns]
        others = [c for c in columns if c not in numbers]
        self.label_col.value = others[0] if others else _NONE

    def load_bytes(self, data: bytes, name: str | None = None) -> pd.DataFrame:
        """Read an uploaded file's bytes and offer its columns for the chart.

        A file that cannot be used raises :class:`InputError` (shown as a message);
        the columns of an earlier file are then forgotten.
        """
        self._upload_table = None
        self._offer_columns([], [])
        clear_message(self.upload_note)
        where = f"the file '{name}'" if name else "your file"
        table = read_table(data, filename=name).data.reset_index(drop=True)
        if table.empty:
            raise InputError(
                "The file has headings but no rows of data",
                where=where,
                todo="Choose a file with one row per period under the headings",
            )
        table.columns = [str(c) for c in table.columns]
        numbers = spc.number_columns(table)
        if not numbers:
            raise InputError(
                "No column of the file holds numbers",
                where=f"{where}, columns " + ", ".join(f"'{c}'" for c in table.columns),
                todo="Choose a file with a column of counts or measurements, one row per "
                "period (for example 'month' and 'cases')",
            )
        self._upload_table = table
        self._offer_columns(list(table.columns), numbers)
        show_notes(
            self.upload_note,
            f"Read {len(table):,} rows from {where}. Check the columns below, then click "
            "'Draw the chart'.",
        )
        return table

    def _split_points(self) -> list[int] | None:
        text = self.split.value.strip()
        if not text:
            return None
        try:
            return [int(p) for p in text.replace(";", ",").split(",") if p.strip()]
        except ValueError:
            raise InputError(
                f"'{text}' is not a list of point numbers",
                where="the box 'Split after point'",
                todo="Type point numbers separated by commas, e.g. 16 or 12, 24",
            ) from None

    def load_series(self) -> tuple[pd.DataFrame, dict, float, str]:
        """The series chosen in the tool: (series, notes, multiply, title)."""
        kind = SOURCES[self.source.value]
        if kind == "district":
            if self._service is None:
                self._service = pd.read_csv(dataset_path("service_data.csv"))
            num, den, multiply = MEASURES[self.measure.value]
            series = spc.monthly_series(
                self._service, self._facility_id[self.facility.value], num, den
            )
            return series, {}, multiply, f"{self.measure.value}, {self.facility.value}"
        if kind == "project":
            measure = pd.read_csv(dataset_path("pdsa_measure.csv"))
            cycles = pd.read_csv(dataset_path("pdsa_cycles.csv"))
            series, notes = spc.project_series(measure, cycles if self.show_cycles.value else None)
            return series, notes, 100.0, "Under-five fever cases tested (%), Pezali Lake"
        if kind == "paste":
            series = spc.parse_series(self.paste.value)
            multiply = 100.0 if "n" in series.columns else 1.0
            return series, {}, multiply, "Pasted series"
        if self._upload_table is None:
            raise InputError(
                "No file has been read yet",
                where="Upload a file",
                todo="Click 'Choose a file' and choose a CSV or Excel file",
            )
        den = None if self.denominator_col.value == _NONE else self.denominator_col.value
        label = None if self.label_col.value == _NONE else self.label_col.value
        series = spc.series_from_table(self._upload_table, self.value_col.value, den, label)
        return series, {}, 100.0 if den else 1.0, "Uploaded series"

    # ------------------------------------------------------------------ draw

    def draw(self) -> None:
        """Read the inputs, draw the chart and explain it; show a message on bad input."""
        self.run_safely(self._draw, self.message)

    def _draw(self) -> None:
        series, notes, multiply, title = self.load_series()
        n = series["n"] if "n" in series.columns else None
        suggested = spc.suggest_chart(series["y"], n)
        chart = suggested if self.chart_type.value == "auto" else self.chart_type.value
        self.suggestion.value = (
            f"<p><b>Suggested: {html.escape(spc.CHARTS[suggested])}.</b> "
            f"{html.escape(suggested.reason)}</p>"
        )
        freeze = self.freeze.value or None
        if freeze is not None and freeze >= len(series):
            freeze = None
        multiply = spc.display_multiply(chart, n is not None, multiply)
        result = spc.qic(
            series["y"],
            n,
            x=series["x"],
            chart=chart,
            freeze=freeze,
            part=self._split_points(),
            multiply=multiply,
        )
        self.series, self.result = series, result
        self.freeze.max = max(len(series), 1)
        ylabel = "Percent" if multiply == 100.0 else "Value"
        fig = spc.plot_qic(result, title=title, notes=notes, ylabel=ylabel)
        self.figure = fig
        png = figure_bytes(fig, "png")
        svg = figure_bytes(fig, "svg")
        self.chart.value = image_html(png, alt=f"{spc.CHARTS[chart].capitalize()} of {title}")
        show_notes(self.explanation, spc.explain(result), title="What the chart shows")
        table = spc.points_table(result)
        self.table.value = table.to_html(
            index=False, border=0, float_format=lambda v: f"{v:,.2f}", na_rep=""
        )
        self.downloads.value = " ".join(
            [
                download_html(png, "chart.png", "Chart (PNG)", "image/png"),
                download_html(svg, "chart.svg", "Chart (SVG)", "image/svg+xml"),
                download_html(to_csv_bytes(table), "chart_points.csv", "Points (CSV)"),
                download_html(
                    to_excel_bytes({"Points": table, "Summary": result.summary}, title=title),
                    "chart_points.xlsx",
                    "Points (Excel)",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ]
        )
