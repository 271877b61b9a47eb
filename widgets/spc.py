"""Run and control chart tool: pick, paste or upload a series, get the chart and its signals.

Every calculation is done by :mod:`phcpm.spc`; this module only builds the
controls, calls those functions and shows their results. Errors in the user's
input are shown as a plain message and the tool stays usable.
"""

from __future__ import annotations

import base64
import html

import ipywidgets as w
import pandas as pd

from phcpm import spc
from phcpm.errors import InputError
from phcpm.io import figure_bytes, to_csv_bytes, to_excel_bytes
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import download_html
from widgets.sampling import read_upload
from widgets.theme import stylesheet

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


def _box(text: str, kind: str) -> str:
    css = {"error": "phcpm-error", "note": "phcpm-note"}[kind]
    role = " role='alert'" if kind == "error" else ""
    return f"<div class='{css}'{role}>{html.escape(text)}</div>"


class RunControlChart:
    """Run chart or control chart of one series, with the signals explained in plain words."""

    def __init__(self, draw: bool = True) -> None:
        use_style()
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
        self.upload = w.FileUpload(accept=".csv,.xlsx,.xls,.txt", multiple=False)
        self.value_col = w.Dropdown(options=[], description="Values", style=_WIDE)
        self.denominator_col = w.Dropdown(options=[_NONE], description="Denominators", style=_WIDE)
        self.label_col = w.Dropdown(options=[_NONE], description="Dates or labels", style=_WIDE)
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
                    w.HTML("<p>A CSV or Excel file with one row per period.</p>"),
                    self.upload,
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
        self.message = w.HTML()
        self.chart = w.HTML()
        self.explanation = w.HTML()
        self.table = w.HTML()
        self.downloads = w.HTML()

        for widget, part in [
            (self.source, "source"),
            (self.facility, "facility"),
            (self.measure, "measure"),
            (self.paste, "paste"),
            (self.upload, "upload"),
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

        self.widget = w.VBox(
            [
                stylesheet(),
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
        self.widget.add_class("phcpm-app")
        self.widget.add_class("phcpm-spc")
        if draw:
            self.draw()

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Run and control chart tool"
        return bundle

    # ------------------------------------------------------------------ inputs

    def _on_source(self, change) -> None:
        self.panel.children = [self.panels[SOURCES[change["new"]]]]

    def _on_upload(self, _change) -> None:
        self.message.value = ""
        try:
            table = read_upload(self.upload)
        except InputError as error:
            self.message.value = _box(str(error), "error")
            return
        self._upload_table = table
        columns = [str(c) for c in table.columns]
        numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c].dtype)]
        self.value_col.options = columns
        self.value_col.value = str(numeric[0]) if numeric else columns[0]
        self.denominator_col.options = [_NONE, *columns]
        self.label_col.options = [_NONE, *columns]
        self.label_col.value = columns[0] if columns[0] != self.value_col.value else _NONE

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
            measure = pd.read_csv(dataset_path("pdsa_measure.csv"), parse_dates=["week_start"])
            cycles = pd.read_csv(dataset_path("pdsa_cycles.csv"), parse_dates=["start"])
            series = pd.DataFrame(
                {
                    "x": measure["week_start"],
                    "label": measure["week_start"].dt.strftime("%Y-%m-%d"),
                    "y": measure["numerator"],
                    "n": measure["denominator"],
                }
            )
            notes = {}
            if self.show_cycles.value:
                notes = {r.start: f"{r.cycle}: {r.decision}" for r in cycles.itertuples()}
            return series, notes, 100.0, "Under-five fever cases tested (%), Pezali Lake"
        if kind == "paste":
            series = spc.parse_series(self.paste.value)
            multiply = 100.0 if "n" in series.columns else 1.0
            return series, {}, multiply, "Pasted series"
        if self._upload_table is None:
            raise InputError(
                "No file has been uploaded yet",
                where="Upload a file",
                todo="Click the upload button and choose a CSV or Excel file",
            )
        den = None if self.denominator_col.value == _NONE else self.denominator_col.value
        label = None if self.label_col.value == _NONE else self.label_col.value
        series = spc.series_from_table(self._upload_table, self.value_col.value, den, label)
        return series, {}, 100.0 if den else 1.0, "Uploaded series"

    # ------------------------------------------------------------------ draw

    def draw(self) -> None:
        """Read the inputs, draw the chart and explain it; show a message on bad input."""
        self.message.value = ""
        try:
            self._draw()
        except InputError as error:
            self.message.value = _box(str(error), "error")

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
        # Proportions are shown as percentages; rates, counts and measurements as they are.
        multiply = multiply if n is not None and chart in ("run", "p", "pp") else 1.0
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
        self.chart.value = (
            f"<img alt='{html.escape(spc.CHARTS[chart].capitalize())} of {html.escape(title)}' "
            f"src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}' "
            "style='max-width:100%'/>"
        )
        sentences = spc.explain(result)
        self.explanation.value = (
            "<div class='phcpm-note'><b>What the chart shows</b><ul>"
            + "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
            + "</ul></div>"
        )
        table = spc.points_table(result)
        self.table.value = table.to_html(
            index=False, border=0, float_format=lambda v: f"{v:,.2f}", na_rep=""
        )
        self.downloads.value = " ".join(
            [
                download_html(png, "chart.png", "Chart (PNG)", "image/png"),
                download_html(
                    figure_bytes(fig, "svg"), "chart.svg", "Chart (SVG)", "image/svg+xml"
                ),
                download_html(to_csv_bytes(table), "chart_points.csv", "Points (CSV)"),
                download_html(
                    to_excel_bytes({"Points": table, "Summary": result.summary}, title=title),
                    "chart_points.xlsx",
                    "Points (Excel)",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ]
        )
