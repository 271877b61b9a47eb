"""What the process mapper shows: the words, headings and HTML of its results.

Layout only: every number comes from :mod:`phcpm.process` or :mod:`phcpm.problems`
(called by :class:`widgets.process.ProcessMapper`); these functions put the results
into HTML a manager reads, with a text alternative for every drawing.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from phcpm import problems
from phcpm.io import to_excel_bytes
from widgets.common import figure_html, table_html

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "EXAMPLE_EFFECT",
    "EXAMPLE_FISHBONE",
    "EXAMPLE_PARETO_DISTRICT",
    "EXAMPLE_PARETO_YEAR",
    "XLSX",
    "fishbone_html",
    "fishbone_png",
    "map_html",
    "map_words_html",
    "pareto_example_note",
    "pareto_excel",
    "pareto_html",
    "pareto_labels",
    "times_excel",
    "times_html",
    "times_shown",
    "what_if_html",
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXAMPLE_FISHBONE = {
    "People": "Staff not told what is expected of them\nLow morale after transfers",
    "Methods": "No duty roster posted\nLeave approved by phone, not recorded",
    "Equipment and supplies": "No transport from distant villages",
    "Environment": "Staff live far from the facility",
    "Management and policy": "Absence is never followed up\nNo sanctions or rewards",
    "Measurement": "Attendance register not checked by the in-charge",
}
EXAMPLE_EFFECT = "Health workers absent without permission in Tembwe District"

#: The example Pareto list: why planned supervision visits were missed (lesson 5.2).
EXAMPLE_PARETO_DISTRICT = "Lusako"
EXAMPLE_PARETO_YEAR = 2025

_TIMES_HEADINGS = {
    "step": "Step",
    "visits": "Visits",
    "share_of_visits": "Share of visits (%)",
    "median_wait": "Median wait (min)",
    "p90_wait": "90 % wait less than (min)",
    "median_service": "Median service (min)",
    "p90_service": "90 % served within (min)",
}
_WHAT_IF_HEADINGS = {
    "situation": "Situation",
    "median_wait": "Median wait (min)",
    "p90_wait": "90 % wait less than (min)",
}
_PARETO_HEADINGS = {
    "category": "Cause",
    "count": "Count",
    "share": "Share (%)",
    "cumulative_share": "Cumulative (%)",
    "vital_few": "Vital few",
}


# --------------------------------------------------------------------------- map


def map_html(svg: str) -> str:
    """The map's SVG in a box that scrolls sideways on a narrow screen."""
    return '<div style="overflow-x:auto;border:1px solid #ccc">' + svg + "</div>"


def map_words_html(words: str) -> str:
    """The map in words (from :func:`phcpm.process.describe`), folded under a summary."""
    return (
        "<details><summary>The map in words</summary><pre style='white-space:pre-wrap'>"
        + html.escape(words)
        + "</pre></details>"
    )


# --------------------------------------------------------------------------- waiting times


def times_shown(summary: pd.DataFrame, group: str | None) -> pd.DataFrame:
    """The waiting-time summary as shown: no facility column, shares in per cent."""
    shown = summary.drop(columns=[group] if group else [])
    return shown.assign(share_of_visits=shown["share_of_visits"] * 100)


def times_html(shown: pd.DataFrame) -> str:
    """The table of waiting and service times (see :func:`times_shown`)."""
    return table_html(shown, _TIMES_HEADINGS)


def times_excel(shown: pd.DataFrame) -> bytes:
    """The table of waiting times as an Excel file, with the headings shown on screen."""
    return to_excel_bytes({"Waiting times": shown.rename(columns=_TIMES_HEADINGS)})


def what_if_html(explanation: str, table: pd.DataFrame) -> str:
    """The what-if answer: its explanation, then waits observed, modelled now and after."""
    return f"<p>{html.escape(explanation)}</p>" + table_html(table, _WHAT_IF_HEADINGS)


# --------------------------------------------------------------------------- fishbone


def fishbone_html(svg: str, words: str) -> str:
    """The fishbone's SVG and, folded under a summary, the fishbone in words."""
    return (
        '<div style="overflow-x:auto">' + svg + "</div>"
        "<details><summary>The fishbone in words</summary><pre style='white-space:pre-wrap'>"
        + html.escape(words)
        + "</pre></details>"
    )


def fishbone_png(fishbone: problems.Fishbone) -> bytes:
    """The fishbone drawn by matplotlib, as PNG bytes (the figure is closed)."""
    return figure_html(fishbone.figure(), "Fishbone diagram")[1]


# --------------------------------------------------------------------------- Pareto


def pareto_example_note(missed: int) -> str:
    """What the example Pareto list is, with the number of visits it counts."""
    return (
        f"<p><b>The example</b>: the main reason written for each of the {missed} "
        f"planned supervision visits that did not take place in {EXAMPLE_PARETO_DISTRICT} "
        f"District in {EXAMPLE_PARETO_YEAR}, from the district's visit records. Each "
        "line is one reason and the number of visits missed for it.</p>"
    )


def pareto_labels(example: bool) -> tuple[str, str]:
    """The chart's title and the words of its count axis."""
    if example:
        return (
            f"{EXAMPLE_PARETO_DISTRICT} District: why planned supervision visits were "
            f"missed, {EXAMPLE_PARETO_YEAR}",
            "Visits missed",
        )
    return "Pareto chart", "Count"


def _pareto_shown(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(
        share=table["share"] * 100, cumulative_share=table["cumulative_share"] * 100
    )


def pareto_html(table: pd.DataFrame, figure: Figure) -> tuple[str, bytes]:
    """The Pareto chart (``figure``, closed here), the vital few in words and the table.

    Returns the HTML and the chart's PNG bytes.
    """
    vital = ", ".join(table.loc[table["vital_few"], "category"])
    picture, png = figure_html(figure, f"Pareto chart; the vital few are {vital}")
    text = (
        picture
        + f"<p><b>The vital few</b> (up to 80 % of the total): {html.escape(vital)}.</p>"
        + table_html(_pareto_shown(table), _PARETO_HEADINGS)
    )
    return text, png


def pareto_excel(table: pd.DataFrame) -> bytes:
    """The Pareto table as an Excel file: shares in per cent, the vital few as Yes/No."""
    shown = _pareto_shown(table)
    sheet = shown.assign(vital_few=shown["vital_few"].map({True: "Yes", False: "No"}))
    return to_excel_bytes({"Pareto": sheet.rename(columns=_PARETO_HEADINGS)})
