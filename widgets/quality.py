"""Data Quality Review tool: the WHO desk review on the example data or the user's download.

Every calculation is done by :mod:`phcpm.quality` (the checks) and
:mod:`phcpm.report` (summary, flag list, chart, Excel and HTML reports); this
module only builds the controls, calls those functions and shows their results.
Errors in the user's file are shown as a plain message and the tool stays usable.
"""

from __future__ import annotations

import html

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd

from phcpm import quality, report
from phcpm.errors import InputError
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import download_html, image_html
from widgets.theme import stylesheet

ALL = "All"
_INTERNAL = (("ANC4", "ANC1"), ("PENTA3", "PENTA1"), ("MAL_CONFIRMED", "MAL_TESTED"))
_MAX_ROWS = 200




def _alert(text: str) -> str:
    return (
        "<div role='alert' style='border-left:4px solid #D55E00;padding:4px 8px'>"
        f"■ {html.escape(text)}</div>"
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


class DataQualityReview:
    """One-page WHO desk review, flags to verify, a chart per flag and reports to download."""

    def __init__(self) -> None:
        use_style()
        self.data: pd.DataFrame | None = None
        self.reporting: pd.DataFrame | None = None
        self.district = pd.Series(dtype=object)
        self.result: quality.ReviewResult | None = None
        self.flags = pd.DataFrame()
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
        self.run = w.Button(description="Use the example data", button_style="primary")
        self.run.add_class("phcpm-quality-run")
        self.upload = w.FileUpload(accept=".csv,.xlsx,.txt", multiple=False)
        self.upload.description = "Use my own data"
        self.upload.add_class("phcpm-quality-upload")
        self.progress = w.IntProgress(value=0, min=0, max=4, description="Progress")
        self.progress.layout.visibility = "hidden"
        self.status = w.HTML()
        self.status.add_class("phcpm-quality-status")
        self.error = w.HTML()
        self.error.add_class("phcpm-quality-error")
        self.summary = w.HTML("<p>Click <b>Use the example data</b> to run the review.</p>")
        self.summary.add_class("phcpm-quality-summary")
        dd = dict(style=style, layout=w.Layout(width="330px"))
        self.pick_district = w.Dropdown(options=[ALL], description="District", **dd)
        self.pick_facility = w.Dropdown(options=[ALL], description="Facility", **dd)
        self.pick_check = w.Dropdown(options=[ALL], description="Check", **dd)
        self.flag_html = w.HTML()
        self.flag_html.add_class("phcpm-quality-flags")
        self.pick_flag = w.Dropdown(
            options=[], description="Show the series of", layout=w.Layout(width="90%"), style=style
        )
        self.pick_flag.add_class("phcpm-quality-pick")
        self.chart = w.HTML()
        self.chart.add_class("phcpm-quality-chart")
        self.downloads = w.HTML()
        self.downloads.add_class("phcpm-quality-download")
        self.run.on_click(lambda _: self.use_example())
        self.upload.observe(lambda _: self.use_upload(), names="value")
        for s in (self.moderate, self.extreme, self.mz, self.consistency):
            s.observe(lambda _: self.review(), names="value")
        for s in (self.completeness, self.timeliness):
            s.observe(lambda _: self.review(), names="value")
        self.pick_district.observe(lambda _: self._district_changed(), names="value")
        self.pick_facility.observe(lambda _: self.show_flags(), names="value")
        self.pick_check.observe(lambda _: self.show_flags(), names="value")
        self.pick_flag.observe(lambda _: self.show_chart(), names="value")
        self.widget = w.VBox(
            [
                stylesheet(),
                w.HTML(
                    "<p>Run the WHO desk review of data quality. Start with the example "
                    "district, or choose a DHIS2 download (CSV or Excel) of your own. "
                    "Your file is read in memory and never saved.</p>"
                ),
                w.HBox([self.run, self.upload]),
                w.HTML("<b>Thresholds</b> (WHO defaults)"),
                w.HBox(
                    [
                        w.VBox([self.moderate, self.extreme, self.mz]),
                        w.VBox([self.consistency, self.completeness, self.timeliness]),
                    ]
                ),
                self.progress,
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
        self.widget.add_class("phcpm-app")
        self.widget.add_class("phcpm-quality")

    # ------------------------------------------------------------------ data
    def use_example(self) -> None:
        self.error.value = ""
        self.data, self.reporting, self.district = load_example()
        self.review()

    def use_upload(self) -> None:
        from phcpm import io as pio

        self.error.value = ""
        files = self.upload.value
        if not files:
            return
        item = files[0]
        try:
            table = pio.read_table(bytes(item["content"]), filename=item["name"])
            tidy = pio.tidy(table)
        except InputError as err:
            self.error.value = _alert(str(err))
            return
        self.data, self.reporting = tidy.data, None
        self.district = pd.Series(dtype=object)
        self.status.value = html.escape(tidy.summary).replace("\n", "<br>")
        self.review()

    # ---------------------------------------------------------------- review
    def review(self) -> None:
        if self.data is None:
            return
        self.error.value = ""
        self.progress.layout.visibility = "visible"
        self.progress.value = 1
        self.status.value = "Running the review: this takes a few seconds…"
        try:
            self.result = quality.review(
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
        except InputError as err:
            self.error.value = _alert(str(err))
            self.progress.layout.visibility = "hidden"
            self.status.value = ""
            return
        self.progress.value = 2
        self.flags = report.flag_table(self.result)
        if len(self.district):
            self.flags.insert(1, "district", self.flags["org_unit"].map(self.district))
        self.summary.value = report.summary_table(self.result).to_html(index=False, border=0)
        self._set_filters()
        self.progress.value = 3
        self.status.value = "Preparing the reports…"
        excel = report.report_excel(self.result)
        page = report.report_html(self.result, title="Data quality review").encode("utf-8")
        self.downloads.value = download_html(
            excel,
            "data-quality-review.xlsx",
            "Excel report (one sheet per check)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ) + download_html(page, "data-quality-review.html", "HTML report", "text/html")
        self.progress.value = 4
        self.progress.layout.visibility = "hidden"
        self.status.value = f"Review done: {len(self.flags):,} flags to verify."

    # ---------------------------------------------------------------- filters
    def _set_filters(self) -> None:
        districts = (
            sorted(self.flags["district"].dropna().unique()) if "district" in self.flags else []
        )
        self.pick_district.options = [ALL] + list(districts)
        self.pick_district.value = ALL
        self.pick_check.options = [ALL] + sorted(self.flags["check"].unique())
        self.pick_check.value = ALL
        self._district_changed()

    def _district_changed(self) -> None:
        flags = self.flags
        if self.pick_district.value != ALL and "district" in flags:
            flags = flags[flags["district"] == self.pick_district.value]
        units = sorted(flags["org_unit"].astype(str).unique()) if len(flags) else []
        self.pick_facility.options = [ALL] + units
        self.pick_facility.value = ALL
        self.show_flags()

    def filtered(self) -> pd.DataFrame:
        """The flags that match the district, facility and check chosen."""
        flags = self.flags
        if flags.empty:
            return flags
        keep = pd.Series(True, index=flags.index)
        if self.pick_district.value != ALL and "district" in flags:
            keep &= flags["district"] == self.pick_district.value
        if self.pick_facility.value != ALL:
            keep &= flags["org_unit"].astype(str) == self.pick_facility.value
        if self.pick_check.value != ALL:
            keep &= flags["check"] == self.pick_check.value
        return flags[keep.to_numpy()]

    def show_flags(self) -> None:
        shown = self.filtered()
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
        monthly = table[table["period"].str.len() == 7]
        options = [
            (f"{r.org_unit} – {r.data_element} – {r.period} ({r.check})", i)
            for i, r in zip(monthly.index, monthly.itertuples(index=False), strict=True)
        ]
        self.pick_flag.options = options
        self.pick_flag.value = options[0][1] if options else None
        if not options:
            self.chart.value = ""

    def show_chart(self) -> None:
        from phcpm.io import figure_bytes

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
        self.chart.value = image_html(
            figure_bytes(fig, "png"),
            alt=(
                f"Monthly {row['data_element']} reported by {row['org_unit']}, "
                f"with the {len(same)} flagged month(s) circled"
            ),
        )
        plt.close(fig)

    # ---------------------------------------------------------------- display
    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Data Quality Review: WHO desk review, flags to verify, reports"
        return bundle
