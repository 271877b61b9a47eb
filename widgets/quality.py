"""Data Quality Review tool: the WHO desk review on the example data or the user's download.

Every calculation is done by :mod:`phcpm.quality` (the checks) and
:mod:`phcpm.report` (summary, flag list, chart, Excel and HTML reports); the data
come in through :class:`widgets.data_picker.DataPicker`, which reads and checks
the user's file with :mod:`phcpm.io`. This module only builds the controls,
calls those functions and shows their results. Errors become plain messages and
the tool stays usable.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd

from phcpm import quality, report
from phcpm.funnel import plot_funnel
from phcpm.io import Table, figure_bytes, table_from_frame
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import (
    Progress,
    Tool,
    clear_message,
    download_on_demand,
    error_box,
    image_html,
    note_box,
    plain_table,
    show_notes,
)
from widgets.data_picker import DataPicker

__all__ = ["ALL", "DataQualityReview", "load_example", "load_example_org_units"]

ALL = "All"
_LATEST = "Last complete year"
_MAX_ROWS = 200
_TOP = 50
_LONG = ["org_unit", "period", "data_element", "value"]
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_START = (
    "<p>Click <b>Use the example data</b> to run the review, or <b>Use my own data</b> "
    "to choose a DHIS2 download.</p>"
)
_NO_REPORTING = (
    "Reporting completeness and timeliness are not checked: they need the reports "
    "expected and received in each month, and your file holds the values only. To check "
    "them, add your data set's 'Expected reports', 'Actual reports' and 'Actual reports on "
    "time' to the DHIS2 download."
)
_FUNNEL_TITLE = "Funnel plot: which facilities to look at (reporting)"
_FUNNEL_WORDS = {
    "reporting_completeness": ("completeness", "reports received", "Reports received"),
    "reporting_timeliness": ("timeliness", "reports on time", "Reports on time"),
}
_FUNNEL_CAPTION = (
    "<p>Each mark is a facility: up the side its {what}, along the bottom the reports it was "
    "expected to send in {year}. The solid line is all {n} facilities "
    "together ({target:.1f} %). The dashed lines are where 95 % of facilities of that size "
    "would fall by chance alone, the dotted lines 99.8 %. <b>Facilities outside the dotted "
    "lines (diamonds) differ from the others by more than chance: they are the ones to "
    "look at.</b> A low figure inside the funnel may be bad luck in a small number of "
    "reports; do not rank facilities on it. Triangles, between the two lines, are worth "
    "watching.</p>"
)
_OWN_REPORTING = (
    "Reporting completeness and timeliness use the expected and actual reports in your file."
)


def load_example() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """The synthetic district data with facility names: service data, reporting, district."""
    units = pd.read_csv(dataset_path("org_units.csv"))
    names = units.set_index("org_unit_id")["name"]
    service = pd.read_csv(dataset_path("service_data.csv"))
    service["org_unit"] = service["org_unit_id"].map(names)
    reporting = pd.read_csv(dataset_path("reporting.csv"))
    reporting["org_unit"] = reporting["org_unit_id"].map(names)
    facilities = units[units["level_name"] == "Facility"]
    district = pd.Series(
        (facilities["district"] + " District").to_numpy(), index=facilities["name"].to_numpy()
    )
    return service, reporting, district


def load_example_org_units() -> pd.DataFrame:
    """The example's org unit table (``datasets/org_units.csv``), with facility names as
    the org units of the example data, for the facility, district and region levels."""
    units = pd.read_csv(dataset_path("org_units.csv"))
    return units.assign(org_unit_id=units["name"])[["org_unit_id", "name", "parent_id"]].assign(
        parent_id=units["parent_id"].map(units.set_index("org_unit_id")["name"])
    )


def _funnel_figure(result, title: str, xlabel: str, ylabel: str):
    """:func:`phcpm.funnel.plot_funnel`, with the numbers of reports expected as the
    ticks when there are few of them (often one: 12 monthly reports a year), and the
    names of the facilities to look at written towards the middle so none is cut off."""
    import numpy as np
    from matplotlib.ticker import FixedLocator

    fig = plot_funnel(result, title=title, xlabel=xlabel, ylabel=ylabel)
    ax = fig.axes[0]
    n = result.table["denominator"].to_numpy(dtype=float)
    sizes = np.unique(n[np.isfinite(n) & (n > 0)])
    if 0 < len(sizes) <= 6:
        ax.xaxis.set_major_locator(FixedLocator(sizes))
    low, high = (np.log(v) for v in ax.get_xlim())
    for label in ax.texts:
        x = float(label.xy[0])
        if x > 0 and np.log(x) > (low + high) / 2:
            label.set_horizontalalignment("right")
            label.xyann = (-6, 4)
    return fig


def _css(widget: w.Widget, part: str) -> w.Widget:
    widget.add_class(f"phcpm-quality-{part}")
    return widget


class DataQualityReview(Tool):
    """The WHO annual data quality review of one complete year, with drill-down.

    The data come from ``self.picker`` (a :class:`DataPicker`): the example
    district (routine values, the reports received, and the org unit table for
    the district and region levels) or the user's own file (routine values,
    plus the data set's expected, actual and on-time reports when the download
    has them; the levels come from its hierarchy columns when it has them).

    Everything built from the data lives in ``self.results`` (the base class
    empties it before every action and after any error), and the reports are
    built only when their button is clicked.
    """

    css_class = "phcpm-quality"

    def __init__(self) -> None:
        use_style()
        super().__init__()
        self.data: pd.DataFrame | None = None
        self.reporting: pd.DataFrame | None = None
        self.org_units: pd.DataFrame | None = None
        self._own_reporting = False
        self.district = pd.Series(dtype=object)
        self.result: quality.ReviewResult | None = None
        self.flags = pd.DataFrame()
        self.figure = None
        self.interpretations: dict[str, str] = {}
        self._example: tuple[pd.DataFrame, pd.DataFrame, pd.Series] | None = None
        self._example_table: Table | None = None
        self._busy = False

        style = {"description_width": "initial"}
        slider = dict(continuous_update=False, style=style, layout=w.Layout(width="420px"))
        self.moderate = w.FloatSlider(
            value=2.0, min=1.5, max=4.0, step=0.5, description="Moderate outlier (SD)", **slider
        )
        self.extreme = w.FloatSlider(
            value=3.0, min=2.0, max=5.0, step=0.5, description="Extreme outlier (SD)", **slider
        )
        self.mz = w.FloatSlider(
            value=3.5, min=2.0, max=6.0, step=0.5, description="Modified z-score limit", **slider
        )
        self.consistency = w.IntSlider(
            value=33, min=10, max=60, step=1, description="Consistency allowed (± %)", **slider
        )
        self.completeness = w.IntSlider(
            value=90, min=50, max=100, step=5, description="Completeness target (%)", **slider
        )
        self.timeliness = w.IntSlider(
            value=75, min=50, max=100, step=5, description="Timeliness target (%)", **slider
        )
        dd = dict(style=style, layout=w.Layout(width="330px"))
        self.pick_year = _css(
            w.Dropdown(options=[_LATEST], value=_LATEST, description="Year reviewed", **dd), "year"
        )
        self.picker = DataPicker(
            load_example=self._load_example_table,
            on_data=self._on_data,
            example_label="Use the example data",
            upload_label="Use my own data",
        )
        self.run = _css(self.picker.example_button, "run")
        self.upload = _css(self.picker.upload, "upload")
        self.progress = Progress()
        self.status = _css(note_box(), "status")
        self.error = _css(error_box(), "error")
        self.summary = _css(w.HTML(_START), "summary")
        self.drill_region = _css(w.Dropdown(options=[ALL], description="Region", **dd), "region")
        self.drill_district = _css(
            w.Dropdown(options=[ALL], description="District", **dd), "drill-district"
        )
        self.report_box = _css(w.VBox(), "report")
        self.verify_html = _css(w.HTML(), "verify")
        self.pick_district = _css(
            w.Dropdown(options=[ALL], description="District", **dd), "district"
        )
        self.pick_facility = _css(
            w.Dropdown(options=[ALL], description="Facility", **dd), "facility"
        )
        self.pick_check = _css(w.Dropdown(options=[ALL], description="Check", **dd), "check")
        self.flag_html = _css(w.HTML(), "flags")
        self.pick_flag = _css(
            w.Dropdown(
                options=[],
                description="Show the series of",
                layout=w.Layout(width="90%"),
                style=style,
            ),
            "pick",
        )
        self.chart = _css(w.HTML(), "chart")
        self.funnel_measure = _css(
            w.ToggleButtons(
                options=[
                    ("Completeness", "reporting_completeness"),
                    ("Timeliness", "reporting_timeliness"),
                ],
                value="reporting_completeness",
                description="Reporting",
                style=style,
            ),
            "funnel-measure",
        )
        self.funnel_out = _css(w.VBox(), "funnel")
        self.funnel_section = _css(
            w.Accordion(
                children=[w.VBox([self.funnel_measure, self.funnel_out])],
                titles=(_FUNNEL_TITLE,),
                selected_index=None,
            ),
            "funnel-section",
        )
        self.funnel_png: bytes | None = None
        self.downloads = _css(w.VBox(), "download")
        self.html_download = None
        self.excel_download = None

        for s in (
            self.moderate,
            self.extreme,
            self.mz,
            self.consistency,
            self.completeness,
            self.timeliness,
            self.pick_year,
        ):
            s.observe(lambda _: self._changed(), names="value")
        self.drill_region.observe(lambda _: self._keep(self._region_changed), names="value")
        self.drill_district.observe(lambda _: self._keep(self.show_report), names="value")
        self.pick_district.observe(lambda _: self._keep(self._district_changed), names="value")
        self.pick_facility.observe(lambda _: self._keep(self.show_flags), names="value")
        self.pick_check.observe(lambda _: self._keep(self.show_flags), names="value")
        self.pick_flag.observe(lambda _: self._keep(self.show_chart), names="value")
        self.funnel_section.observe(lambda _: self._keep(self.show_funnel), names="selected_index")
        self.funnel_measure.observe(lambda _: self._keep(self.show_funnel), names="value")
        self.results.children = ()
        self.register_notes(self.status)
        self.results.track(self.funnel_out)
        self.register_download(self.downloads)
        self.watch_picker(self.picker)
        self._result_parts = [
            w.HTML("<h3>Annual report</h3>"),
            w.HTML(
                "<p>Choose a region to see its districts, then a district to see its "
                "facilities. Write what you make of each result in its box: the text is "
                "kept when you change the level and goes into the HTML report.</p>"
            ),
            w.HBox([self.drill_region, self.drill_district]),
            self.summary,
            self.report_box,
            self.funnel_section,
            w.HTML(f"<h3>Verify first: the {_TOP} values that matter most</h3>"),
            self.verify_html,
            w.HTML("<h3>Every flag of the year</h3>"),
            w.HBox([self.pick_district, self.pick_facility, self.pick_check]),
            self.flag_html,
            self.pick_flag,
            self.chart,
        ]
        self.set_children(
            [
                w.HTML(
                    "<p>Run the WHO annual review of data quality on the last complete year. "
                    "Start with the example district, or choose a DHIS2 download (CSV or "
                    "Excel) of your own. Your file is read in memory and never saved.</p>"
                ),
                self.picker.widget,
                w.HTML("<b>Year and thresholds</b> (WHO defaults)"),
                self.pick_year,
                w.HBox(
                    [
                        w.VBox([self.moderate, self.extreme, self.mz]),
                        w.VBox([self.consistency, self.completeness, self.timeliness]),
                    ]
                ),
                self.progress.widget,
                self.status,
                self.error,
                self.results,
                w.HTML("<h3>Reports</h3>"),
                self.downloads,
            ]
        )

    # ---------------------------------------------------------------- display
    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Data Quality Review: WHO annual review, verify first, reports"
        return bundle

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Change controls without their observers running."""
        busy, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = busy

    def _keep(self, fn) -> None:
        """A change of view (level, filter): same result, no clearing; errors shown."""
        if not self._busy and self.result is not None:
            self.run_safely(fn, self.error, clear=False)

    def _changed(self) -> None:
        if not self._busy:
            self.review()

    # ------------------------------------------------------------------ data
    def _load_example_table(self) -> Table:
        """The example routine data as a table for the picker (reporting kept aside)."""
        if self._example is None:
            self._example = load_example()
        service = self._example[0]
        self._example_table = table_from_frame(service[_LONG], source_name="example-data")
        return self._example_table

    def _on_data(self, data: pd.DataFrame, _report: pd.DataFrame) -> None:
        """The picker has checked new data: forget the old result, then review."""
        self._forget()
        example = self._example is not None and self.picker.table is self._example_table
        if example:
            self.data, self.reporting = data, self._example[1]
            self.org_units = load_example_org_units()
        else:
            self.data, self.reporting = quality.split_reporting(data)
            self.org_units = None
        self._own_reporting = not example and self.reporting is not None
        self.district = self._example[2] if example else pd.Series(dtype=object)
        self.interpretations = {}
        years = self._complete_years()
        with self._quiet():
            self.pick_year.options = [_LATEST, *[str(y) for y in years]]
            self.pick_year.value = _LATEST
        self.review()

    def _complete_years(self) -> list[int]:
        if self.data is None or not len(self.data):
            return []
        months = pd.PeriodIndex(self.data["period"].astype(str), freq="M").unique()
        counts = pd.Series(months.year).value_counts()
        return sorted(int(y) for y, n in counts.items() if n == 12)

    def _forget(self) -> None:
        """Nothing of the previous data stays: result, tables, downloads, notes."""
        self.result = None
        self.flags = pd.DataFrame()
        self.clear_results()
        self.summary.value = ""
        self.report_box.children = ()
        self.verify_html.value = ""
        self.flag_html.value = ""
        self.chart.value = ""
        self.funnel_out.children = ()
        self.funnel_png = None
        self.downloads.children = ()
        self.html_download = self.excel_download = None
        clear_message(self.status)
        with self._quiet():
            self.pick_flag.options = []
            for pick in (
                self.pick_district,
                self.pick_facility,
                self.pick_check,
                self.drill_region,
                self.drill_district,
            ):
                pick.options = [ALL]
                pick.value = ALL

    # ---------------------------------------------------------------- review
    def review(self) -> None:
        """Run the review with the year and thresholds set; a problem becomes a message."""
        self._forget()
        self.run_safely(self._review, self.error)
        if self.result is None:
            self._forget()

    def _review(self) -> None:
        if self.data is None:
            return
        year = None if self.pick_year.value in (_LATEST, None) else int(self.pick_year.value)
        with self.progress.running("Running the review: this takes a few seconds…") as progress:
            result = quality.review(
                self.data,
                self.reporting,
                year=year,
                org_units=self.org_units,
                moderate=self.moderate.value,
                extreme=max(self.extreme.value, self.moderate.value),
                modified_z_cutoff=self.mz.value,
                time_threshold=self.consistency.value / 100,
                completeness_threshold=self.completeness.value / 100,
                timeliness_threshold=self.timeliness.value / 100,
                progress=lambda f, t: progress.step(0.8 * f, t),
            )
            progress.step(0.85, "Preparing the tables…")
            flags = report.flag_table(result)
            if len(self.district):
                flags.insert(1, "district", flags["org_unit"].map(self.district))
            self.result, self.flags = result, flags
            self._set_drill()
            self.show_report()
            self._set_filters()
        self._offer_downloads(result)
        self.show_results(*self._result_parts)
        notes = [
            f"Review of {result.year} done: {len(result.verify):,} values to verify, "
            f"the {min(_TOP, len(result.verify))} that matter most listed first.",
            *result.notes,
        ]
        if self.reporting is None:
            notes.append(_NO_REPORTING)
        elif self._own_reporting:
            notes.append(_OWN_REPORTING)
        notes += [
            f"Not reviewed: {text}" for text in result.skipped[1 if self.reporting is None else 0 :]
        ]
        show_notes(self.status, notes)

    def _offer_downloads(self, result) -> None:
        """Report buttons that build their file only when clicked, for this result."""

        def where():
            return self._level_and_boundary()

        def make_html() -> bytes:
            level, within = where()
            page = report.annual_html(
                result, level=level, within=within, interpretations=dict(self.interpretations)
            )
            return page.encode("utf-8")

        def make_excel() -> bytes:
            level, within = where()
            return report.annual_excel(result, level=level, within=within)

        self.html_download = download_on_demand(
            "HTML report (printable)", "data-quality-review.html", make_html, "text/html"
        )
        self.excel_download = download_on_demand(
            "Excel report", "data-quality-review.xlsx", make_excel, _XLSX
        )
        self.downloads.children = (self.html_download, self.excel_download)

    # ------------------------------------------------------------ drill-down
    def _set_drill(self) -> None:
        annual = self.result.annual
        regions = annual.boundaries("region") if "region" in annual.levels else []
        with self._quiet():
            self.drill_region.options = [ALL, *regions]
            self.drill_region.value = ALL
            self.drill_region.layout.display = "" if regions else "none"
        self._fill_districts()

    def _fill_districts(self) -> None:
        annual = self.result.annual
        units = annual.units
        rows = units[units["level"] == "district"]
        region = self._chosen(self.drill_region)
        if region is not None:
            rows = rows[rows["region"].astype(str) == region]
        districts = sorted(rows["org_unit"].dropna().astype(str).unique())
        with self._quiet():
            self.drill_district.options = [ALL, *districts]
            self.drill_district.value = ALL
            self.drill_district.layout.display = "" if districts else "none"

    def _region_changed(self) -> None:
        self._fill_districts()
        self.show_report()

    def _level_and_boundary(self) -> tuple[str, str | None]:
        """The level of the sub-units shown and the boundary they are inside."""
        levels = self.result.annual.levels
        district = self._chosen(self.drill_district)
        region = self._chosen(self.drill_region)
        if district is not None:
            return "facility", district
        if region is not None:
            return ("district" if "district" in levels else "facility"), region
        for level in ("region", "district", "facility"):
            if level in levels:
                return level, None
        return "facility", None

    def show_report(self) -> None:
        """The annual report for the chosen boundary, one box per check to interpret."""
        level, within = self._level_and_boundary()
        table = report.annual_table(self.result, level, within)
        where = within or "all the data"
        self.summary.value = (
            f"<p><b>{self.result.year}</b>: {level} level, inside {html.escape(where)}. "
            "Divergent sub-units are those outside the WHO threshold.</p>"
        )
        boxes = []
        for check, rows in table.groupby("Check", sort=False):
            text = w.Textarea(
                value=self.interpretations.get(str(check), ""),
                placeholder="Your interpretation: what explains this, what to do",
                layout=w.Layout(width="90%", height="4em"),
            )
            text.add_class("phcpm-quality-interpretation")

            def keep(change, check=str(check)) -> None:
                self.interpretations[check] = change["new"]

            text.observe(keep, names="value")
            shown = rows.drop(columns=["Dimension", "Check"])
            boxes.append(
                w.VBox(
                    [
                        w.HTML(
                            f"<h4>{html.escape(str(check))}</h4>"
                            + shown.to_html(index=False, border=0, na_rep="")
                        ),
                        text,
                    ]
                )
            )
        self.report_box.children = tuple(boxes)
        self.verify_html.value = self._verify_html(self.result, within)
        self.show_funnel()

    # ----------------------------------------------------------------- funnel
    def show_funnel(self) -> None:
        """The funnel plot of the facilities' reporting inside the chosen region or
        district, drawn when its section is open (a problem becomes a message)."""
        self.funnel_out.children = ()
        self.funnel_png = None
        if self.funnel_section.selected_index is None or self.result is None:
            return
        if self.reporting is None:
            self.funnel_out.children = (w.HTML(f"<p>{html.escape(_NO_REPORTING)}</p>"),)
            return
        metric = self.funnel_measure.value
        what, counted, counted_heading = _FUNNEL_WORDS[metric]
        _, within = self._level_and_boundary()
        year = self.result.year
        result = quality.reporting_funnel(self.result, metric, "facility", within)
        table = result.table
        shown = table[table["position"] != "no_data"]
        where = html.escape(within) if within else "all the data"
        fig = _funnel_figure(
            result,
            title=f"Reporting {what}, {year}: facilities in {within or 'all the data'}",
            xlabel=f"Reports expected in {year}",
            ylabel=f"Reporting {what} (%)",
        )
        self.funnel_png = png = figure_bytes(fig, "png")
        look = result.look_here()
        names = ", ".join(look["name"].astype(str))
        outside = (
            f"{len(look)} outside the 99.8 % limits: {names}."
            if len(look)
            else "none is outside the 99.8 % limits."
        )
        alt = (
            f"Funnel plot of reporting {what} in {year} for {len(shown)} facilities "
            f"in {within or 'all the data'}, against the reports each was expected to send; "
            f"all facilities together {result.target:.1f} %; {outside}"
        )
        notes = [
            _FUNNEL_CAPTION.format(
                what=f"reporting {what} ({counted} out of reports expected)",
                year=year,
                n=len(shown),
                target=result.target,
            )
        ]
        sizes = shown["denominator"].unique()
        if len(sizes) == 1:
            notes.append(
                f"<p>Every facility here was expected to send {sizes[0]:,.0f} reports, so "
                "the marks stand in one column; facilities with the same numbers share a "
                "mark (the CSV download below lists every facility).</p>"
            )
        if result.adjustment != "none":
            notes.append(
                "<p>The facilities differ more than chance alone allows (for reasons such "
                "as distance or staffing), so the limits are widened to keep the attention "
                "on the few that stand out.</p>"
            )
        intervals = quality.unit_proportions(self.result, metric, "facility", within)
        intervals = intervals.set_index("org_unit")
        if len(look):
            rows = look.set_index("org_unit")
            table_frame = pd.DataFrame(
                {
                    "Facility": rows["name"],
                    "Reports expected": rows["denominator"],
                    counted_heading: rows["numerator"],
                    f"Reporting {what} (%)": rows["value"].round(1),
                    "95 % interval": [
                        f"{lo:.1f} – {hi:.1f} %" if pd.notna(lo) and pd.notna(hi) else ""
                        for lo, hi in zip(
                            intervals["lower"].reindex(rows.index),
                            intervals["upper"].reindex(rows.index),
                            strict=True,
                        )
                    ],
                    "Where": rows["where"],
                }
            )
            listing = (
                f"<p><b>The facilities to look at</b> ({len(look)}), furthest from the "
                "line first:</p>"
                + plain_table(table_frame).to_html(index=False, border=0, na_rep="")
            )
        else:
            inside = f" in {where}" if within else ""
            listing = (
                f"<p>No facility{inside} is outside the 99.8 % limits: the differences "
                "between them are what chance alone would give.</p>"
            )
        watch = int(shown["position"].isin(["above_95", "below_95"]).sum())
        if watch:
            are = "facility is" if watch == 1 else "facilities are"
            listing += f"<p>{watch} {are} between the 95 % and 99.8 % limits.</p>"
        review = self.result

        def csv() -> bytes:
            frame = report.reporting_table(review, "facility", within)
            return frame.to_csv(index=False).encode("utf-8")

        self.funnel_out.children = (
            w.HTML("".join(notes)),
            _css(w.HTML(image_html(png, alt=alt)), "funnel-chart"),
            w.HTML(listing),
            download_on_demand(
                "Funnel plot (PNG)", f"funnel-{what}-{year}.png", lambda: png, "image/png"
            ),
            download_on_demand(
                "Reporting by facility, with 95 % intervals (CSV)",
                f"reporting-by-facility-{year}.csv",
                csv,
                "text/csv",
            ),
        )

    def _verify_html(self, result, within: str | None = None) -> str:
        """The first values to verify, of the whole data or of the region or district
        chosen in the drill-down (the ranking stays the data's)."""
        table = report.verify_table(result)
        if within is not None:
            inside = (table["District"].astype(str) == within) | (
                table["Region"].astype(str) == within
            )
            table = table[inside.to_numpy()]
        where = f" in {html.escape(within)}" if within else ""
        if table.empty:
            return f"<p>No value to verify{where}.</p>"
        note = f"<p>{len(table):,} values to verify{where}; the first {min(_TOP, len(table))}:</p>"
        return note + table.head(_TOP).to_html(
            index=False, border=0, na_rep="", float_format="{:,.1f}".format
        )

    # ---------------------------------------------------------------- filters
    def _set_filters(self) -> None:
        flags = self.flags
        districts = sorted(flags["district"].dropna().unique()) if "district" in flags else []
        checks = sorted(flags["check"].unique()) if len(flags) else []
        with self._quiet():
            self.pick_district.options = [ALL, *districts]
            self.pick_district.value = ALL
            self.pick_check.options = [ALL, *checks]
            self.pick_check.value = ALL
        self._district_changed()

    def _district_changed(self) -> None:
        flags = quality.filter_flags(self.flags, district=self._chosen(self.pick_district))
        units = sorted(flags["org_unit"].astype(str).unique()) if len(flags) else []
        with self._quiet():
            self.pick_facility.options = [ALL, *units]
            self.pick_facility.value = ALL
        self.show_flags()

    @staticmethod
    def _chosen(dropdown: w.Dropdown) -> str | None:
        return None if dropdown.value in (ALL, None) else str(dropdown.value)

    def filtered(self) -> pd.DataFrame:
        """The flags that match the district, facility and check chosen."""
        if self.flags.empty:
            return self.flags
        return quality.filter_flags(
            self.flags,
            district=self._chosen(self.pick_district),
            org_unit=self._chosen(self.pick_facility),
            check=self._chosen(self.pick_check),
        )

    def show_flags(self) -> None:
        """Show the chosen flags and offer their monthly series."""
        shown = self.filtered()
        if shown.empty:
            self.flag_html.value = "<p>0 flags.</p>" if self.result is not None else ""
            options = []
        else:
            cols = [
                c for c in ("check", "district", "org_unit", "period", "data_element") if c in shown
            ]
            table = shown[cols + ["value", "message"]].head(_MAX_ROWS)
            note = (
                f"<p>{len(shown):,} flags; the first {_MAX_ROWS} are shown, the report has all.</p>"
                if len(shown) > _MAX_ROWS
                else f"<p>{len(shown):,} flags.</p>"
            )
            headings = {
                "check": "Check",
                "district": "District",
                "org_unit": "Facility",
                "period": "Month",
                "data_element": "Data element",
                "value": "Value",
                "message": "What was found",
            }
            self.flag_html.value = note + plain_table(table, headings).to_html(
                index=False, border=0
            )
            monthly = table[table["period"].astype(str).str.len() == 7]  # "2024-03"
            options = [
                (f"{r.org_unit} – {r.data_element} – {r.period} ({r.check})", i)
                for i, r in zip(monthly.index, monthly.itertuples(index=False), strict=True)
            ]
        with self._quiet():
            self.pick_flag.options = options
            self.pick_flag.value = options[0][1] if options else None
        self.show_chart()

    def show_chart(self) -> None:
        """Draw the monthly series of the chosen flag, its flagged months circled."""
        if self.pick_flag.value is None or self.data is None:
            self.chart.value = ""
            return
        row = self.flags.loc[self.pick_flag.value]
        same = self.flags[
            (self.flags["org_unit"] == row["org_unit"])
            & (self.flags["data_element"] == row["data_element"])
        ]
        fig = report.series_figure(
            self.data,
            row["org_unit"],
            str(row["data_element"]),
            same["period"],
            title=f"{row['data_element']} in {row['org_unit']}",
        )
        try:
            png = figure_bytes(fig, "png")
        finally:
            plt.close(fig)
        self.figure = fig
        self.chart.value = image_html(
            png,
            alt=(
                f"Monthly {row['data_element']} reported by {row['org_unit']}, "
                f"with the {len(same)} flagged month(s) circled"
            ),
        )
