"""Scorecard builder: choose indicators, thresholds, level and period; share the results.

Every calculation is done by :mod:`phcpm.scorecard` and :mod:`phcpm.feedback`;
this module only builds the controls, calls those functions and shows their
results. The indicator table (slow: about a second) is computed once per level
and kept; a change of a control only rebuilds the scorecard itself.
"""

from __future__ import annotations

import base64
import html

import ipywidgets as w
import pandas as pd

from phcpm import feedback
from phcpm import scorecard as sc
from phcpm.errors import InputError
from phcpm.io import figure_bytes, to_csv_bytes
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import (
    Progress,
    Tool,
    download_html,
    error_box,
    note_box,
    show_notes,
    update_download,
)
from widgets.data_picker import DataPicker

LEVELS = {"Facilities": "facility", "Districts": "district"}
COMPARE = {"The period before": "previous", "The same period last year": "year"}
ALL_DISTRICTS = "All districts"
DEFAULT_DISTRICT = "Ruvo District"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WIDE = {"description_width": "initial"}

__all__ = ["ScorecardBuilder"]


def _css(widget: w.Widget, part: str) -> w.Widget:
    widget.add_class(f"phcpm-scorecard-{part}")
    return widget


def _own_definitions(values: pd.DataFrame) -> pd.DataFrame:
    """Definitions for a user's own indicators: the standard ones where the codes match,
    otherwise higher is better with boundaries 80 and 50 until the user changes them."""
    standard = sc.default_definitions().set_index("indicator")
    rows = []
    for code in pd.unique(values["indicator"].astype(str)):  # one row per indicator
        if code in standard.index:
            rows.append(standard.loc[code].to_dict() | {"indicator": code})
        else:
            rows.append(
                {
                    "indicator": code,
                    "name": code,
                    "higher_is_better": True,
                    "target": 80.0,
                    "thresholds": (80.0, 50.0),
                    "unit": "",
                    "decimals": 1,
                    "factor": 100.0,
                    "aggregation": "mean",
                }
            )
    return pd.DataFrame(rows)


class ScorecardBuilder(Tool):
    """A performance scorecard with colours, symbols, ranks and trends; Excel, PNG and
    one-page feedback sheets for every facility."""

    css_class = "phcpm-scorecard"

    def __init__(self) -> None:
        use_style()
        self._org_units = pd.read_csv(dataset_path("org_units.csv"))
        self._values: dict[str, pd.DataFrame] = {}
        self._own: pd.DataFrame | None = None
        self._definitions = sc.default_definitions()
        self._overrides: dict[str, tuple[float, float, float]] = {}
        self.card: pd.DataFrame | None = None
        self.figure = None
        units = self._org_units
        self._names = dict(zip(units["org_unit_id"], units["name"], strict=True))
        # Facility code -> the name of its district org unit ("Ruvo District").
        parent_name = units["parent_id"].map(self._names)
        self._district_of = dict(
            zip(units["org_unit_id"], parent_name.where(units["level"] == 4), strict=True)
        )

        self.source = _css(
            w.ToggleButtons(options=["District data", "Use my own data"], value="District data"),
            "source",
        )
        self.level = _css(
            w.Dropdown(options=list(LEVELS), value="Facilities", description="Level"), "level"
        )
        districts = sorted(units.loc[units["level"] == 3, "name"])
        self.district = _css(
            w.Dropdown(
                options=[ALL_DISTRICTS, *districts],
                value=DEFAULT_DISTRICT,
                description="District",
            ),
            "district",
        )
        self.period = _css(w.Dropdown(options=[], description="Period"), "period")
        self.compare = _css(
            w.Dropdown(options=list(COMPARE), description="Compare with", style=_WIDE), "compare"
        )
        self.indicators = _css(
            w.SelectMultiple(
                options=[],
                description="Indicators",
                rows=11,
                layout=w.Layout(width="30em"),
                style=_WIDE,
            ),
            "indicators",
        )
        self.threshold_for = _css(
            w.Dropdown(options=[], description="Thresholds of", style=_WIDE), "threshold-for"
        )
        self.good = _css(
            w.BoundedFloatText(
                min=-1e9, max=1e9, description="Good from", continuous_update=False, style=_WIDE
            ),
            "good",
        )
        self.fair = _css(
            w.BoundedFloatText(
                min=-1e9, max=1e9, description="Fair from", continuous_update=False, style=_WIDE
            ),
            "fair",
        )
        self.target = _css(
            w.BoundedFloatText(
                min=-1e9, max=1e9, description="Target", continuous_update=False, style=_WIDE
            ),
            "target",
        )
        self.threshold_help = w.HTML()
        self.upload_help = w.HTML(
            "<p>Upload a CSV or Excel file with one row per org unit, period and indicator, "
            "and the columns <code>org_unit</code>, <code>period</code> (2025Q1, 2025-03 or "
            "March 2025), <code>indicator</code> and <code>value</code>. Indicators with the "
            "standard codes (for example PENTA3_COV) get their usual targets.</p>"
        )
        self.picker = DataPicker(
            load_example=self._example_table,
            on_data=self._on_picker_data,
            example_label="Try the example indicator values",
            upload_label="Upload my indicator values",
        )
        self.picker_box = w.VBox([self.picker.widget])
        self.message = error_box()
        self.notes = note_box()
        self.progress = Progress()
        self.table = _css(w.HTML(), "table")
        self.trend_unit = _css(
            w.Dropdown(options=[], description="Trends for", style=_WIDE), "trend-unit"
        )
        self.trend_button = _css(w.Button(description="Draw the trends"), "trend-draw")
        self.trends = _css(
            w.HTML("<p>Choose an org unit and click <b>Draw the trends</b>.</p>"), "trends"
        )
        self.export_button = _css(
            w.Button(description="Prepare Excel and PNG", button_style="primary"), "export"
        )
        self.sheets_button = _css(
            w.Button(description="Make feedback sheets for all", button_style="primary"),
            "feedback",
        )
        self.downloads = _css(w.HTML(), "downloads")
        self.sheet_download = _css(w.HTML(), "feedback-download")

        self._busy = False
        self._trend_png: bytes | None = None
        self.source.observe(self._on_source, names="value")
        for control in (self.level, self.district):
            control.observe(lambda _: self.run_safely(self._reload, self.message), "value")
        for control in (self.period, self.compare, self.indicators):
            control.observe(lambda _: self._refresh_safely(), "value")
        self.threshold_for.observe(lambda _: self._show_thresholds(), "value")
        for control in (self.good, self.fair, self.target):
            control.observe(lambda _: self._on_threshold(), "value")
        self.trend_button.on_click(lambda _: self.run_safely(self.draw_trends, self.message))
        self.export_button.on_click(lambda _: self.run_safely(self.export, self.message))
        self.sheets_button.on_click(lambda _: self.run_safely(self.feedback_sheets, self.message))

        controls = self.controls = w.Tab(
            children=[
                w.VBox([w.HBox([self.level, self.district]), w.HBox([self.period, self.compare])]),
                self.indicators,
                w.VBox(
                    [
                        self.threshold_for,
                        w.HBox([self.good, self.fair, self.target]),
                        self.threshold_help,
                    ]
                ),
                w.VBox([self.upload_help, self.picker_box]),
            ]
        )
        for i, title in enumerate(["Level and period", "Indicators", "Thresholds", "My data"]):
            controls.set_title(i, title)
        super().__init__(
            [
                w.HTML(
                    "<h2>Scorecard builder</h2><p>Which facilities are on target, which need "
                    "attention, and what changed? Choose the level, period and indicators; "
                    "every cell shows a colour, a symbol and words.</p>"
                ),
                self.source,
                controls,
                self.message,
                self.notes,
                self.progress.widget,
                self.table,
                w.HBox([self.export_button, self.sheets_button]),
                self.downloads,
                self.sheet_download,
                w.HTML("<h3>Trends</h3>"),
                w.HBox([self.trend_unit, self.trend_button]),
                self.trends,
            ]
        )
        self.run_safely(self._reload, self.message)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Scorecard builder"
        return bundle

    # ------------------------------------------------------------------ data

    def values(self) -> pd.DataFrame:
        """The indicator values in use (computed once per level and kept)."""
        if self.source.value == "Use my own data":
            if self._own is None:
                raise InputError(
                    "No file has been loaded yet",
                    where="the tab 'My data'",
                    todo="Choose a file with your indicator values",
                )
            return self._own
        level = LEVELS[self.level.value]
        values = self._computed(level)
        if level == "facility" and self.district.value != ALL_DISTRICTS:
            name = self.district.value
            values = values[values["org_unit"].map(self._district_of) == name]
        return values

    def _computed(self, level: str) -> pd.DataFrame:
        """The synthetic district's quarterly indicators at ``level``, computed once."""
        if level not in self._values:
            with self.progress.running("Computing the indicators from the monthly reports"):
                self._values[level] = sc.district_indicators(
                    pd.read_csv(dataset_path("service_data.csv")),
                    pd.read_csv(dataset_path("population.csv")),
                    self._org_units,
                    pd.read_csv(dataset_path("reporting.csv")),
                    freq="Q",
                    level=level,
                )
        return self._values[level]

    def _district_values(self) -> pd.DataFrame:
        return self._computed("district")

    def definitions(self) -> pd.DataFrame:
        """The definitions in use, with the thresholds and targets the user changed."""
        defs = self._definitions.copy()
        for code, (good, fair, target) in self._overrides.items():
            rows = defs["indicator"] == code
            defs.loc[rows, "target"] = target
            defs["thresholds"] = [
                (good, fair) if i == code else t
                for i, t in zip(defs["indicator"], defs["thresholds"], strict=True)
            ]
        chosen = list(self.indicators.value) or list(defs["indicator"])
        codes = dict(zip(defs["name"], defs["indicator"], strict=True))
        keep = [codes.get(c, c) for c in chosen]
        return defs.set_index("indicator").loc[keep].reset_index()

    def _reload(self) -> None:
        """New data or level: reset the period, indicator and trend choices, then refresh."""
        self._busy = True
        try:
            self.district.disabled = (
                self.level.value != "Facilities" or self.source.value != "District data"
            )
            values = self.values()
            periods = sorted(pd.unique(values["period"]))
            names = list(self._definitions["name"])
            keep = [n for n in self.indicators.value if n in names]
            self.indicators.options = names
            self.indicators.value = keep or names
            self.period.options = [(sc.period_text(p), p) for p in periods]
            self.period.value = periods[-1]
            self.threshold_for.options = names
            self.threshold_for.value = names[0]
            units = pd.unique(values["org_unit"])
            shown = sorted((self._names.get(u, u), u) for u in units)
            self.trend_unit.options = shown
            self.trend_unit.value = shown[0][1]
            self._show_thresholds()
        finally:
            self._busy = False
        self.refresh()

    # ------------------------------------------------------------------ inputs

    def _on_source(self, change) -> None:
        if self._busy:
            return
        if change["new"] == "District data":
            self._definitions = sc.default_definitions()
            self._overrides = {}
        elif self._own is None:
            self.controls.selected_index = 3
            show_notes(self.notes, "Upload a file in the tab 'My data' (or try the example).")
            return
        self.run_safely(self._reload, self.message)

    def _example_table(self) -> pd.DataFrame:
        """District indicator values, shaped as a user's own file would be."""
        values = self._district_values()
        return pd.DataFrame(
            {
                "org_unit": values["org_unit"].map(self._names).to_numpy(),
                "period": values["period"].astype(str).to_numpy(),
                "indicator": values["indicator"].to_numpy(),
                "value": values["value"].to_numpy(),
            }
        ).dropna(subset=["value"])

    def _on_picker_data(self, data: pd.DataFrame, _report: pd.DataFrame) -> None:
        self.load_own(data.rename(columns={"data_element": "indicator"}))

    def load_own(self, table: pd.DataFrame) -> None:
        """Use a table of the user's own indicator values."""

        def load() -> None:
            values = sc.indicator_values(table)
            self._own = values
            self._definitions = _own_definitions(values)
            self._overrides = {}
            self._busy = True
            try:
                self.source.value = "Use my own data"
            finally:
                self._busy = False
            self._reload()

        self.run_safely(load, self.message)

    def use_district_data(self) -> None:
        """Back to the synthetic district data and the standard indicators."""
        self._definitions = sc.default_definitions()
        self._overrides = {}
        self.source.value = "District data"

    def _show_thresholds(self) -> None:
        defs = self._definitions.set_index("name")
        name = self.threshold_for.value
        if name not in defs.index:
            return
        row = defs.loc[name]
        code = row["indicator"]
        good, fair = self._overrides.get(code, (*row["thresholds"], row["target"]))[:2]
        target = self._overrides.get(code, (good, fair, row["target"]))[2]
        busy, self._busy = self._busy, True
        try:
            self.good.value, self.fair.value = float(good), float(fair)
            self.target.value = 0.0 if pd.isna(target) else float(target)
        finally:
            self._busy = busy
        if row["higher_is_better"]:
            words = "Higher is better: good from the first number up, fair from the second."
        else:
            words = "Lower is better: good up to the first number, fair up to the second."
        self.good.description = "Good from" if row["higher_is_better"] else "Good up to"
        self.fair.description = "Fair from" if row["higher_is_better"] else "Fair up to"
        source = row.get("source", "")
        extra = "" if not isinstance(source, str) or not source else f" Target: {source}."
        self.threshold_help.value = f"<p>{html.escape(words + extra)}</p>"

    def _on_threshold(self) -> None:
        if self._busy:
            return
        defs = self._definitions.set_index("name")
        code = defs.loc[self.threshold_for.value, "indicator"]
        self._overrides[code] = (self.good.value, self.fair.value, self.target.value)
        self._refresh_safely()

    def _refresh_safely(self) -> None:
        if not self._busy:
            self.run_safely(self.refresh, self.message)

    # ------------------------------------------------------------------ outputs

    def refresh(self) -> None:
        """Rebuild the scorecard from the kept indicator values (fast)."""
        values = self.values()
        defs = self.definitions()
        values = values[values["indicator"].isin(set(defs["indicator"]))]
        na = None
        if self.source.value == "District data" and self.level.value == "Facilities":
            na = sc.not_offered(values, self._org_units)
            na = na[na["org_unit"].isin(set(values["org_unit"]))]
        card = sc.scorecard(
            values,
            defs,
            self.period.value,
            org_units=self._org_units,
            compare=COMPARE[self.compare.value],
            not_applicable=na,
        )
        self.card = card
        where = self.district.value if not self.district.disabled else self.level.value.lower()
        caption = f"Scorecard, {sc.period_text(self.period.value)}, {where}"
        self.table.value = feedback.scorecard_html(card, caption=caption)
        self.downloads.value = ""
        self.sheet_download.value = ""
        outside = card.loc[card["outside_legend"] | (card["value"] > 100) & (card["unit"] == "%")]
        notes = []
        if len(outside):
            notes.append(
                f"{outside['org_unit'].nunique()} org unit(s) have a coverage above 100 %: "
                "the population estimate may be too low; check it before praising them."
            )
        show_notes(self.notes, notes)

    def draw_trends(self) -> None:
        """Small multiples of the chosen org unit's indicators over time, target dashed."""
        values = self.values()
        defs = self.definitions()
        code = self.trend_unit.value
        units, names = [code], {code: self._names.get(code, code)}
        district = self._district_of.get(code)
        if self.source.value == "District data" and isinstance(district, str):
            ids = self._org_units.loc[self._org_units["name"] == district, "org_unit_id"]
            extra = self._district_values()
            extra = extra[extra["org_unit"].isin(ids)]
            values = pd.concat([values[values["org_unit"] == code], extra], ignore_index=True)
            units.append(ids.iloc[0])
            names[ids.iloc[0]] = district
        import matplotlib.pyplot as plt

        fig = feedback.trend_small_multiples(values, defs, units, names=names)
        self.figure = fig
        png = figure_bytes(fig, "png")
        plt.close(fig)
        self._trend_png = png
        label = " and ".join(names[u] for u in units)
        self.trends.value = (
            f"<img alt='Quarterly trends of each indicator for {html.escape(label)}, with the "
            f"target as a dashed line' src='data:image/png;base64,"
            f"{base64.b64encode(png).decode('ascii')}' style='max-width:100%'/>"
        )

    def excel_bytes(self) -> bytes:
        """The scorecard as Excel (colours and symbols kept)."""
        if self.card is None:
            raise InputError("There is no scorecard yet", todo="Choose a period first")
        title = f"Scorecard {sc.period_text(self.period.value)}"
        return feedback.scorecard_excel(self.card, title=title)

    def export(self) -> None:
        """Put the Excel, CSV and PNG downloads on the page."""
        with self.progress.running("Preparing the files"):
            xlsx = self.excel_bytes()
            if self._trend_png is None:
                self.draw_trends()
            stamp = str(self.period.value)
            self.downloads.value = " ".join(
                [
                    download_html(xlsx, f"scorecard_{stamp}.xlsx", "Scorecard (Excel)", XLSX),
                    download_html(
                        to_csv_bytes(self.card), f"scorecard_{stamp}.csv", "Scorecard (CSV)"
                    ),
                    download_html(self._trend_png, "trends.png", "Trends (PNG)", "image/png"),
                ]
            )

    def feedback_sheets(self) -> None:
        """One-page feedback sheets for every org unit on the scorecard, as one ZIP."""
        if self.card is None:
            raise InputError("There is no scorecard yet", todo="Choose a period first")
        total = self.card["org_unit"].nunique()
        with self.progress.running(f"Writing {total} feedback sheets"):

            def step(done: int, n: int) -> None:
                if done % 5 == 0 or done == n:
                    self.progress.step(done / n, f"Sheet {done} of {n}")

            data = feedback.feedback_sheets_zip(
                self.card, districts=self._district_of, progress=step
            )
        update_download(
            self.sheet_download,
            data,
            f"feedback_sheets_{self.period.value}.zip",
            f"Feedback sheets, {total} org units (ZIP)",
            "application/zip",
        )
