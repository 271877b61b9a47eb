"""The scorecard tool's layout: its controls, download buttons and their arrangement.

Layout only: nothing here computes. The tool (:class:`widgets.scorecard.ScorecardBuilder`)
calls these once, when it is built, and keeps every widget as an attribute.
"""

from __future__ import annotations

import ipywidgets as w

from phcpm import uncertainty
from widgets.common import Progress, download_on_demand, error_box, note_box
from widgets.data_picker import DataPicker

LEVELS = {"Facilities": "facility", "Districts": "district"}
COMPARE = {"The period before": "previous", "The same period last year": "year"}
ALL_DISTRICTS = "All districts"
DEFAULT_DISTRICT = "Ruvo District"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DIRECTIONS = {
    "Not set: no colour": None,
    "Higher is better": True,
    "Lower is better": False,
}
_WIDE = {"description_width": "initial"}

__all__ = ["arrange", "build_controls", "build_downloads", "build_results"]


def build_controls(tool, units) -> None:
    """The choices: data source, level, district, period, comparison, smallest
    number to colour, indicators and thresholds; ``units`` is the org unit table."""
    tool.source = tool.part(
        w.ToggleButtons(options=["District data", "Use my own data"], value="District data"),
        "source",
    )
    tool.level = tool.part(
        w.Dropdown(options=list(LEVELS), value="Facilities", description="Level"), "level"
    )
    districts = sorted(units.loc[units["level"] == 3, "name"])
    tool.district = tool.part(
        w.Dropdown(
            options=[ALL_DISTRICTS, *districts],
            value=DEFAULT_DISTRICT,
            description="District",
        ),
        "district",
    )
    tool.period = tool.part(w.Dropdown(options=[], description="Period"), "period")
    tool.compare = tool.part(
        w.Dropdown(options=list(COMPARE), description="Compare with", style=_WIDE), "compare"
    )
    tool.min_denominator = tool.part(
        w.BoundedIntText(
            value=uncertainty.MIN_DENOMINATOR,
            min=0,
            max=1_000_000,
            description="Smallest number to colour",
            continuous_update=False,
            style=_WIDE,
        ),
        "min-denominator",
    )
    tool.min_denominator_help = w.HTML(
        "<p><small>A value worked out from fewer people than this (for example fewer "
        "than 50 expected births) is shown as 'too few to judge': with small numbers, "
        "chance alone can change its colour.</small></p>"
    )
    tool.indicators = tool.part(
        w.SelectMultiple(
            options=[],
            description="Indicators",
            rows=11,
            layout=w.Layout(width="30em", max_width="100%"),
            style=_WIDE,
        ),
        "indicators",
    )
    tool.threshold_for = tool.part(
        w.Dropdown(options=[], description="Thresholds of", style=_WIDE), "threshold-for"
    )
    tool.direction = tool.part(
        w.Dropdown(options=list(DIRECTIONS), description="Which is better", style=_WIDE),
        "direction",
    )
    tool.good = tool.part(
        w.BoundedFloatText(
            min=-1e9, max=1e9, description="Good from", continuous_update=False, style=_WIDE
        ),
        "good",
    )
    tool.fair = tool.part(
        w.BoundedFloatText(
            min=-1e9, max=1e9, description="Fair from", continuous_update=False, style=_WIDE
        ),
        "fair",
    )
    tool.target = tool.part(
        w.BoundedFloatText(
            min=-1e9, max=1e9, description="Target", continuous_update=False, style=_WIDE
        ),
        "target",
    )
    tool.apply_thresholds = tool.part(
        w.Button(description="Use these thresholds", button_style="primary"),
        "apply-thresholds",
    )
    tool.threshold_help = tool.part(w.HTML(), "threshold-help")
    tool.upload_help = w.HTML(
        "<p>Upload a CSV or Excel file with one row per place, period and indicator: "
        "a column for the place (facility or district), the period (2025Q1, 2025-03 or "
        "March 2025), the indicator and the value. Indicators with the standard codes "
        "(for example PENTA3_COV) get their usual targets; for any other indicator the "
        "tool asks you for a target before it colours it.</p>"
    )


def build_results(tool) -> None:
    """The file picker of 'My data', the message and note boxes, the progress bar
    and the areas the scorecard, the funnel plot and the trends are shown in."""
    tool.picker = DataPicker(
        load_example=tool._example_table,
        on_data=tool._on_picker_data,
        example_label="Try the example indicator values",
        upload_label="Upload my indicator values",
    )
    tool.watch_picker(tool.picker)
    tool.picker_box = w.VBox([tool.picker.widget])
    tool.message = tool.part(error_box(), "message")
    tool.notes = tool.part(note_box(), "notes")
    tool.register_notes(tool.notes)
    tool.progress = Progress()
    tool.table = tool.part(w.HTML(), "table")
    # Every value with its range: filled when the section is opened (about 50 kB of
    # table a page need not receive while it stays closed).
    tool.details = w.HTML()
    tool.details_box = tool.part(
        w.Accordion(
            children=[tool.details],
            titles=("Every value with its range of chance and the reason for its colour",),
            selected_index=None,
        ),
        "details",
    )
    tool.funnel_indicator = tool.part(
        w.Dropdown(options=[], description="Funnel plot of", style=_WIDE), "funnel-indicator"
    )
    tool.funnel_button = tool.part(w.Button(description="Draw the funnel plot"), "funnel-draw")
    tool.funnel_area = tool.new_results()
    tool.part(tool.funnel_area, "funnel")
    tool.results.track(tool.funnel_area)
    tool.trend_unit = tool.part(
        w.Dropdown(options=[], description="Trends for", style=_WIDE), "trend-unit"
    )
    tool.trend_button = tool.part(w.Button(description="Draw the trends"), "trend-draw")
    # The trend chart has its own area, emptied with the scorecard's results.
    tool.trend_area = tool.new_results()
    tool.part(tool.trend_area, "trends")
    tool.results.track(tool.trend_area)


def build_downloads(tool) -> None:
    """The download buttons (each file is made when its button is clicked) and the
    boxes of the funnel plot and the trends."""
    stamp = lambda: str(tool.period.value)  # noqa: E731 - names the files by period
    tool.excel_download = tool.part(
        download_on_demand(
            "Scorecard (Excel)",
            "scorecard.xlsx",
            tool.excel_bytes,
            XLSX,
        ),
        "excel",
    )
    tool.page_download = tool.part(
        download_on_demand(
            "Scorecard to print (web page)",
            "scorecard.html",
            tool.page_bytes,
            "text/html",
        ),
        "printable",
    )
    tool.csv_download = tool.part(
        download_on_demand(
            "Values with their range of chance (CSV)",
            "scorecard_values.csv",
            tool.csv_bytes,
            "text/csv",
        ),
        "csv",
    )
    tool.funnel_download = tool.part(
        download_on_demand(
            "Funnel plot (PNG picture)", "funnel.png", tool.funnel_bytes, "image/png"
        ),
        "funnel-png",
    )
    tool.sheets_download = tool.part(
        download_on_demand(
            "Feedback sheets for every org unit (ZIP of web pages)",
            "feedback_sheets.zip",
            tool.feedback_sheets,
            "application/zip",
        ),
        "feedback",
    )
    tool.trend_download = tool.part(
        download_on_demand("Trends (PNG picture)", "trends.png", tool.trend_bytes, "image/png"),
        "trend-png",
    )
    tool._stamp = stamp
    tool.downloads = tool.part(
        w.VBox(
            [
                tool.excel_download,
                tool.csv_download,
                tool.page_download,
                tool.sheets_download,
            ]
        ),
        "downloads",
    )
    tool.register_download(
        tool.excel_download, tool.csv_download, tool.page_download, tool.sheets_download
    )
    tool.register_download(tool.funnel_download, results=tool.funnel_area)
    tool.funnel_box = w.VBox(
        [
            w.HTML(
                "<h3>Funnel plot</h3><p>Which places differ from the rest by more than "
                "chance? Choose an indicator and draw its funnel plot.</p>"
            ),
            w.HBox([tool.funnel_indicator, tool.funnel_button]),
        ]
    )
    tool.register_download(tool.trend_download, results=tool.trend_area)
    tool.trend_box = w.VBox(
        [w.HTML("<h3>Trends</h3>"), w.HBox([tool.trend_unit, tool.trend_button])]
    )


def arrange(tool) -> None:
    """The tabs of choices and everything the tool shows, in order."""
    controls = tool.controls = w.Tab(
        children=[
            w.VBox(
                [
                    w.HBox([tool.level, tool.district]),
                    w.HBox([tool.period, tool.compare]),
                    tool.min_denominator,
                    tool.min_denominator_help,
                ]
            ),
            tool.indicators,
            w.VBox(
                [
                    tool.threshold_for,
                    tool.threshold_help,
                    tool.direction,
                    w.HBox([tool.good, tool.fair, tool.target]),
                    tool.apply_thresholds,
                ]
            ),
            w.VBox([tool.upload_help, tool.picker_box]),
        ]
    )
    for i, title in enumerate(["Level and period", "Indicators", "Thresholds", "My data"]):
        controls.set_title(i, title)
    tool.set_children(
        [
            w.HTML(
                "<h2>Scorecard builder</h2><p>Which facilities are on target, which need "
                "attention, and what changed? Choose the level, period and indicators; "
                "every cell shows a colour, a symbol, the value and its range of chance. "
                "A value with too few people behind it is marked 'too few to judge', "
                "and an impossible one 'check the data'.</p>"
            ),
            tool.source,
            controls,
            tool.message,
            tool.progress.widget,
            tool.notes,
            tool.results,
        ]
    )
