"""Data Quality Review tool: the WHO desk review on the example data or the user's download.

Every calculation is done by :mod:`phcpm.quality` (the checks, and in
:mod:`phcpm.quality.screen` what to show for a chosen level, filter or flag) and
:mod:`phcpm.report` (summary, flag list, chart, Excel and HTML reports); the funnel
section is laid out in :mod:`widgets.quality_funnel`; the data
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
import pandas as pd

from phcpm import quality, report
from phcpm.io import Table, table_from_frame
from phcpm.quality import screen
from phcpm.quality.example import example_data, example_org_units
from phcpm.style import use_style
from widgets.common import (
    Progress,
    Tool,
    clear_message,
    download_on_demand,
    error_box,
    figure_html,
    note_box,
    plain_table,
    show_notes,
)
from widgets.data_picker import DataPicker
from widgets.quality_funnel import FUNNEL_TITLE, MEASURES, funnel_view

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
_OWN_REPORTING = (
    "Reporting completeness and timeliness use the expected and actual reports in your file."
)


#: The example data of the review (kept under these names for the tool's users).
load_example = example_data
load_example_org_units = example_org_units


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
    title = "Data Quality Review: WHO annual review, verify first, reports"

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
        self.pick_year = self.part(
            w.Dropdown(options=[_LATEST], value=_LATEST, description="Year reviewed", **dd), "year"
        )
        self.picker = DataPicker(
            load_example=self._load_example_table,
            on_data=self._on_data,
            example_label="Use the example data",
            upload_label="Use my own data",
        )
        self.run = self.part(self.picker.example_button, "run")
        self.upload = self.part(self.picker.upload, "upload")
        self.progress = Progress()
        self.status = self.part(note_box(), "status")
        self.error = self.part(error_box(), "error")
        self.summary = self.part(w.HTML(_START), "summary")
        self.drill_region = self.part(
            w.Dropdown(options=[ALL], description="Region", **dd), "region"
        )
        self.drill_district = self.part(
            w.Dropdown(options=[ALL], description="District", **dd), "drill-district"
        )
        self.report_box = self.part(w.VBox(), "report")
        self.verify_html = self.part(w.HTML(), "verify")
        self.pick_district = self.part(
            w.Dropdown(options=[ALL], description="District", **dd), "district"
        )
        self.pick_facility = self.part(
            w.Dropdown(options=[ALL], description="Facility", **dd), "facility"
        )
        self.pick_check = self.part(w.Dropdown(options=[ALL], description="Check", **dd), "check")
        self.flag_html = self.part(w.HTML(), "flags")
        self.pick_flag = self.part(
            w.Dropdown(
                options=[],
                description="Show the series of",
                layout=w.Layout(width="90%"),
                style=style,
            ),
            "pick",
        )
        self.chart = self.part(w.HTML(), "chart")
        self.funnel_measure = self.part(
            w.ToggleButtons(
                options=MEASURES,
                value="reporting_completeness",
                description="Reporting",
                style=style,
            ),
            "funnel-measure",
        )
        self.funnel_out = self.part(w.VBox(), "funnel")
        self.funnel_section = self.part(
            w.Accordion(
                children=[w.VBox([self.funnel_measure, self.funnel_out])],
                titles=(FUNNEL_TITLE,),
                selected_index=None,
            ),
            "funnel-section",
        )
        self.funnel_png: bytes | None = None
        self.downloads = self.part(w.VBox(), "download")
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
        years = screen.complete_years(self.data)
        with self._quiet():
            self.pick_year.options = [_LATEST, *[str(y) for y in years]]
            self.pick_year.value = _LATEST
        self.review()

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
            flags = screen.with_district(report.flag_table(result), self.district)
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
        units = self.result.annual.units
        districts = screen.districts_in(units, self._chosen(self.drill_region))
        with self._quiet():
            self.drill_district.options = [ALL, *districts]
            self.drill_district.value = ALL
            self.drill_district.layout.display = "" if districts else "none"

    def _region_changed(self) -> None:
        self._fill_districts()
        self.show_report()

    def _level_and_boundary(self) -> tuple[str, str | None]:
        """The level of the sub-units shown and the boundary they are inside."""
        return screen.level_and_boundary(
            self.result.annual.levels,
            region=self._chosen(self.drill_region),
            district=self._chosen(self.drill_district),
        )

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
            self.part(text, "interpretation")

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
        _, within = self._level_and_boundary()
        children, self.funnel_png = funnel_view(
            self.result, self.funnel_measure.value, within, self.part
        )
        self.funnel_out.children = children

    def _verify_html(self, result, within: str | None = None) -> str:
        """The first values to verify, of the whole data or of the region or district
        chosen in the drill-down (the ranking stays the data's)."""
        table = screen.verify_within(report.verify_table(result), within)
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
            table = screen.flag_listing(shown, _MAX_ROWS)
            note = (
                f"<p>{len(shown):,} flags; the first {_MAX_ROWS} are shown, the report has all.</p>"
                if len(shown) > _MAX_ROWS
                else f"<p>{len(shown):,} flags.</p>"
            )
            self.flag_html.value = note + plain_table(table, screen.FLAG_HEADINGS).to_html(
                index=False, border=0
            )
            options = screen.series_choices(table)
        with self._quiet():
            self.pick_flag.options = options
            self.pick_flag.value = options[0][1] if options else None
        self.show_chart()

    def show_chart(self) -> None:
        """Draw the monthly series of the chosen flag, its flagged months circled."""
        if self.pick_flag.value is None or self.data is None:
            self.chart.value = ""
            return
        row, same = screen.same_series(self.flags, self.pick_flag.value)
        fig = report.series_figure(
            self.data,
            row["org_unit"],
            str(row["data_element"]),
            same["period"],
            title=f"{row['data_element']} in {row['org_unit']}",
        )
        self.figure = fig
        self.chart.value, _png = figure_html(
            fig,
            alt=(
                f"Monthly {row['data_element']} reported by {row['org_unit']}, "
                f"with the {len(same)} flagged month(s) circled"
            ),
        )
