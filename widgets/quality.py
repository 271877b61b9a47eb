"""Data Quality Review tool: the WHO desk review on the example data or the user's download.

Every calculation is done by :mod:`phcpm.quality` (the checks) and
:mod:`phcpm.report` (summary, flag list, chart, Excel and HTML reports); the data
come in through :class:`widgets.data_picker.DataPicker`, which reads and checks
the user's file with :mod:`phcpm.io`. This module only builds the controls,
calls those functions and shows their results. Errors become plain messages and
the tool stays usable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd

from phcpm import quality, report
from phcpm.io import Table, figure_bytes, table_from_frame
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import (
    Progress,
    Tool,
    clear_message,
    download_html,
    error_box,
    image_html,
    note_box,
    show_notes,
)
from widgets.data_picker import DataPicker

__all__ = ["ALL", "DataQualityReview", "load_example"]

ALL = "All"
_INTERNAL = (("ANC4", "ANC1"), ("PENTA3", "PENTA1"), ("MAL_CONFIRMED", "MAL_TESTED"))
_MAX_ROWS = 200
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


def _css(widget: w.Widget, part: str) -> w.Widget:
    widget.add_class(f"phcpm-quality-{part}")
    return widget


class DataQualityReview(Tool):
    """One-page WHO desk review, flags to verify, a chart per flag and reports to download.

    The data come from ``self.picker`` (a :class:`DataPicker`): the example
    district (routine values and the reports received) or the user's own file
    (routine values, plus the data set's expected, actual and on-time reports
    when the download has them; without those the reporting checks stay out of
    the review).
    """

    css_class = "phcpm-quality"

    def __init__(self) -> None:
        use_style()
        super().__init__()
        self.data: pd.DataFrame | None = None
        self.reporting: pd.DataFrame | None = None
        self._own_reporting = False
        self.district = pd.Series(dtype=object)
        self.result: quality.ReviewResult | None = None
        self.flags = pd.DataFrame()
        self.figure = None
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
        dd = dict(style=style, layout=w.Layout(width="330px"))
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
        self.downloads = _css(w.HTML(), "download")

        for s in (
            self.moderate,
            self.extreme,
            self.mz,
            self.consistency,
            self.completeness,
            self.timeliness,
        ):
            s.observe(lambda _: self.review(), names="value")
        self.pick_district.observe(lambda _: self._safely(self._district_changed), names="value")
        self.pick_facility.observe(lambda _: self._safely(self.show_flags), names="value")
        self.pick_check.observe(lambda _: self._safely(self.show_flags), names="value")
        self.pick_flag.observe(lambda _: self._safely(self.show_chart), names="value")
        self.set_children(
            [
                w.HTML(
                    "<p>Run the WHO desk review of data quality. Start with the example "
                    "district, or choose a DHIS2 download (CSV or Excel) of your own. "
                    "Your file is read in memory and never saved.</p>"
                ),
                self.picker.widget,
                w.HTML("<b>Thresholds</b> (WHO defaults)"),
                w.HBox(
                    [
                        w.VBox([self.moderate, self.extreme, self.mz]),
                        w.VBox([self.consistency, self.completeness, self.timeliness]),
                    ]
                ),
                self.progress.widget,
                self.status,
                self.error,
                w.HTML("<h3>One-page summary</h3>"),
                self.summary,
                w.HTML("<h3>Values to verify with each facility</h3>"),
                w.HBox([self.pick_district, self.pick_facility, self.pick_check]),
                self.flag_html,
                self.pick_flag,
                self.chart,
                w.HTML("<h3>Report</h3>"),
                self.downloads,
            ]
        )

    # ---------------------------------------------------------------- display
    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Data Quality Review: WHO desk review, flags to verify, reports"
        return bundle

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Change controls without their observers running."""
        busy, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = busy

    def _safely(self, fn) -> None:
        if not self._busy:
            self.run_safely(fn, self.error)

    # ------------------------------------------------------------------ data
    def _load_example_table(self) -> Table:
        """The example routine data as a table for the picker (reporting kept aside)."""
        if self._example is None:
            self._example = load_example()
        service = self._example[0]
        self._example_table = table_from_frame(service[_LONG], source_name="example-data")
        return self._example_table

    def _on_data(self, data: pd.DataFrame, _report: pd.DataFrame) -> None:
        """The picker has checked new data: review it."""
        example = self._example is not None and self.picker.table is self._example_table
        if example:
            self.data, self.reporting = data, self._example[1]
        else:
            self.data, self.reporting = quality.split_reporting(data)
        self._own_reporting = not example and self.reporting is not None
        self.district = self._example[2] if example else pd.Series(dtype=object)
        self._clear_results()
        self.review()

    def _clear_results(self) -> None:
        self.result = None
        self.flags = pd.DataFrame()
        self.summary.value = ""
        self.flag_html.value = ""
        self.chart.value = ""
        self.downloads.value = ""
        clear_message(self.status)
        with self._quiet():
            self.pick_flag.options = []
            for pick in (self.pick_district, self.pick_facility, self.pick_check):
                pick.options = [ALL]
                pick.value = ALL

    # ---------------------------------------------------------------- review
    def review(self) -> None:
        """Run the review with the thresholds set; a problem becomes a message."""
        self.run_safely(self._review, self.error)

    def _review(self) -> None:
        if self.data is None:
            return
        clear_message(self.status)
        with self.progress.running("Running the review: this takes a few seconds…") as progress:
            result = quality.review(
                self.data,
                self.reporting,
                internal=_INTERNAL,
                moderate=self.moderate.value,
                extreme=max(self.extreme.value, self.moderate.value),
                modified_z_cutoff=self.mz.value,
                time_threshold=self.consistency.value / 100,
                completeness_threshold=self.completeness.value / 100,
                timeliness_threshold=self.timeliness.value / 100,
            )
            progress.step(0.5, "Preparing the list of flags…")
            flags = report.flag_table(result)
            if len(self.district):
                flags.insert(1, "district", flags["org_unit"].map(self.district))
            self.result, self.flags = result, flags
            self.summary.value = report.summary_table(result).to_html(index=False, border=0)
            self._set_filters()
            progress.step(0.75, "Preparing the reports…")
            excel = report.report_excel(result)
            page = report.report_html(result, title="Data quality review").encode("utf-8")
        self.downloads.value = download_html(
            excel, "data-quality-review.xlsx", "Excel report (one sheet per check)", _XLSX
        ) + download_html(page, "data-quality-review.html", "HTML report", "text/html")
        notes = [f"Review done: {len(flags):,} flags to verify."]
        if self.reporting is None:
            notes.append(_NO_REPORTING)
        elif self._own_reporting:
            notes.append(_OWN_REPORTING)
        show_notes(self.status, notes)

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
            self.flag_html.value = note + table.to_html(index=False, border=0, na_rep="")
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
