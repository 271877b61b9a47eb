"""What the Indicator Selector shows: headings, tables, the balance chart, the sheets page.

Layout only: every number comes from :mod:`phcpm.selection`; the functions here
turn its tables into HTML for the tool's tabs and for the printable page of
reference sheets.
"""

from __future__ import annotations

import html

import pandas as pd

from phcpm.selection import BalanceResult
from phcpm.style import PALETTE
from widgets.common import plain_heading, table_html

__all__ = [
    "BURDEN_HEADINGS",
    "HEADINGS",
    "balance_html",
    "burden_html",
    "indicator_table_html",
    "reference_sheets_page",
    "shortlist_html",
    "words",
]

#: Headings of the tables the tool shows and saves, in words.
HEADINGS = {
    "indicator_id": "Code",
    "name": "Indicator",
    "framework_domain": "PHCPI domain",
    "results_chain": "Results chain",
    "dimension": "Dimension",
    "data_source": "Data source",
    "frequency": "Frequency",
    "score": "Score (0 to 100)",
    "rank": "Rank",
    "reason": "Why it is on the list",
    "criterion": "Criterion",
    "rating": "Rating",
    "group": "Group",
    "definition": "Definition",
    "question": "Question",
    "set": "Set",
    "indicators": "Indicators",
    "time_bound": "Time-bound",
    "racer_relevant": "Relevant (RACER)",
    "data_available": "Data available",
    "low_burden": "Low burden",
}
#: Headings of the burden comparison (rows: current list, shortlist, change).
BURDEN_HEADINGS = {
    "set": "Set",
    "indicators": "Indicators",
    "routine_elements": "Data elements collected",
    "other_elements": "Elements not collected by facilities",
    "values_per_year": "Values per year",
    "minutes_per_year": "Staff minutes per year",
    "hours_per_month": "Staff hours per month",
}


def indicator_table_html(df: pd.DataFrame, max_rows: int = 80) -> str:
    """A table of the tool with the headings of :data:`HEADINGS`, one decimal."""
    return table_html(df, HEADINGS, max_rows=max_rows, decimals=1)


def words(code) -> str:
    """A criterion code as words: ``data_available`` -> "Data available"."""
    return HEADINGS.get(str(code), plain_heading(code))


def shortlist_html(shortlist: pd.DataFrame) -> str:
    """The shortlist with its heading: code, name, score, rank and why it is there."""
    view = shortlist[["indicator_id", "name", "score", "rank", "reason"]].round(1)
    return f"<h4>Shortlist: {len(view)} indicators</h4>" + indicator_table_html(view)


def burden_html(burden: pd.DataFrame) -> str:
    """The burden comparison of :func:`phcpm.selection.burden.compare_burden`."""
    return indicator_table_html(burden.reset_index().rename(columns=BURDEN_HEADINGS))


def balance_html(result: BalanceResult) -> tuple[str, str]:
    """The balance warnings, and a bar chart of the shortlist by results-chain level."""
    if result.warnings:
        items = "".join(f"<li>▲ {html.escape(t)}</li>" for t in result.warnings)
        warnings = f"<p><b>{len(result.warnings)} warning(s)</b></p><ul>{items}</ul>"
    else:
        warnings = "<p>● No balance problems found.</p>"
    counts = result.by_results_chain.set_index("category")["count"]
    top = max(1, int(counts.max()))
    rows = []
    for level, count in counts.items():
        width = 100 * int(count) / top
        rows.append(
            "<tr><td style='padding-right:8px'>"
            f"{html.escape(str(level))}</td><td style='width:320px'>"
            f"<div style='background:{PALETTE[0]};height:14px;width:{width:.0f}%;"
            "display:inline-block'></div>"
            f" <b>{int(count)}</b></td></tr>"
        )
    alt = "Shortlist by results-chain level: " + ", ".join(
        f"{k} {int(v)}" for k, v in counts.items()
    )
    chart = (
        "<h4>Shortlist by level of the results chain</h4>"
        f"<table role='img' aria-label='{html.escape(alt)}'>" + "".join(rows) + "</table>"
    )
    return warnings, chart


_SHEET_CSS = (
    "body{font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;margin:1.5em}"
    "h2{margin-top:1.5em;page-break-before:auto}table{border-collapse:collapse;width:100%}"
    "th,td{border:1px solid #666;padding:0.3em 0.5em;text-align:left;vertical-align:top}"
    "th{background:#eee;width:12em}section{page-break-inside:avoid}"
    "@page{size:A4;margin:12mm}"
)


def reference_sheets_page(frame: pd.DataFrame, title: str = "Indicator reference sheets") -> str:
    """Reference sheets (one table per indicator) as one printable web page.

    ``frame`` is :func:`phcpm.selection.sheets.reference_sheets_frame`.
    """
    parts = []
    for row in frame.to_dict("records"):  # one short section per indicator
        name = html.escape(str(row.get("Name", row.get("Code", ""))))
        cells = "".join(
            f"<tr><th scope='row'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in row.items()
            if k != "Name" and str(v) not in ("", "nan", "None")
        )
        parts.append(f"<section><h2>{name}</h2><table>{cells}</table></section>")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_SHEET_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>" + "".join(parts) + "</body></html>\n"
    )
