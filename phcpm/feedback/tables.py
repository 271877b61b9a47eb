"""The scorecard as files: an HTML table, a printable page and an Excel workbook.

Everything here renders a scorecard made by :func:`phcpm.scorecard.scorecard`.
Bands are always shown three ways (colour, symbol and words; Okabe & Ito,
*Color Universal Design*, 2008; :data:`phcpm.style.BANDS`), so a sheet printed
in grey, or read by someone who does not see red and green, still reads
correctly. The files are reproducible: the same scorecard gives the same bytes
(fixed dates inside the ZIP and Excel files).
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import math

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.scorecard import (
    CARD_BANDS,
    check_card,
    format_value,
    format_values,
    period_text,
    scorecard_wide,
    summary_by_org_unit,
)
from phcpm.scorecard.shown import cell_style, excel_fills, legend_items, write_legend_sheet
from phcpm.style import BANDS

__all__ = ["legend_html", "scorecard_excel", "scorecard_html", "scorecard_page"]


_FIXED_DATE = (2000, 1, 1, 0, 0, 0)

#: Headings of the "Values" sheet of the Excel scorecard: words, one per column kept.
VALUE_HEADINGS = {
    "org_unit": "Org unit code",
    "org_unit_name": "Org unit",
    "indicator": "Indicator code",
    "indicator_name": "Indicator",
    "unit": "Unit",
    "period": "Period",
    "value": "Value",
    "target": "Target",
    "label": "Band",
    "rank": "Rank",
    "previous_value": "Value in the period compared with",
    "change": "Change",
    "trend": "Trend",
}

_SHEET_CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #1a1a1a; margin: 1.5em; }
h1 { font-size: 1.4em; margin: 0 0 0.2em 0; }
p.sub { margin: 0 0 1em 0; color: #333333; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { border: 1px solid #666666; padding: 0.3em 0.45em; text-align: left; }
th { background: #eeeeee; }
td.num { text-align: right; white-space: nowrap; }
td.band { white-space: nowrap; }
.summary { font-size: 1.05em; border-left: 4px solid #0072B2; padding: 0.3em 0.8em;
  background: #eef6fc; }
.legend span { display: inline-block; margin-right: 1em; padding: 0.1em 0.4em;
  border: 1px solid #666666; }
.questions li { margin-bottom: 0.3em; }
footer { margin-top: 1.2em; font-size: 0.8em; color: #333333; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; }
  td.band, .legend span { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _esc(value) -> str:
    return html.escape(str(value))


def _bands_used(card: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """The bands a legend lists: the usual five, and "no target set" when the card has it."""
    if card is not None and "band" in card and (card["band"] == "no_target").any():
        return CARD_BANDS
    return BANDS


def legend_html(card: pd.DataFrame | None = None) -> str:
    """The band legend: each band's colour, symbol and words, in one line of HTML.

    With ``card``, "no target set" is listed too when an indicator on it has no
    band boundaries."""
    return "<p class='legend'>" + legend_items(_bands_used(card)) + "</p>"


def _texts(values, units, decimals) -> np.ndarray:
    """Values as display text ("78 %"), "No data" where missing (vectorised)."""
    values = np.asarray(values, dtype=float)
    units = pd.Series(units, dtype=object).fillna("").to_numpy(dtype=object)
    text = format_values(values, units, np.asarray(decimals, dtype=int))
    return np.where(np.isnan(values), BANDS["no_data"]["label"], text)


def _cell_text(card: pd.DataFrame) -> np.ndarray:
    text = _texts(card["value"], card["unit"], card["decimals"])
    return np.where(card["applicable"].to_numpy(dtype=bool), text, BANDS["not_applicable"]["label"])


def scorecard_html(card: pd.DataFrame, ranks: bool = True, caption: str | None = None) -> str:
    """The scorecard as an HTML table: org units down, indicators across.

    Each cell shows the band symbol, the value with its unit, the trend arrow
    and (with ``ranks=True``) the rank ("3/25"); its background is the band
    colour and its title (tooltip) spells out the band in words, so colour is
    never the only cue. A last column gives "n of m on target". Table headers
    carry the target of each indicator.
    """
    check_card(card)
    n_rows = card["org_unit"].nunique()
    if n_rows == 0:
        raise InputError("The scorecard is empty", todo="Choose a period with data")
    text = _cell_text(card)
    arrows = card["arrow"].fillna("").astype(str).to_numpy() if "arrow" in card else None
    rank = card["rank"].to_numpy(dtype=object) if ranks else None
    among = card["ranked_among"].to_numpy() if ranks and "ranked_among" in card else None
    cells = []
    for i, (band, symbol, label) in enumerate(
        zip(card["band"], card["symbol"], card["label"], strict=True)
    ):
        extra = ""
        if arrows is not None and arrows[i]:
            extra += f" {arrows[i]}"
        if rank is not None and not pd.isna(rank[i]):
            extra += f" <small>({int(rank[i])}/{int(among[i])})</small>"
        cells.append(
            f"<td class='band phcpm-band-{band}' style='{cell_style(band)}' "
            f"title='{_esc(label)}'>{_esc(symbol)} {_esc(text[i])}{extra}</td>"
        )
    per_ou = summary_by_org_unit(card)
    inds = card.drop_duplicates("indicator")
    heads = []
    for r in inds.itertuples():
        target = "" if math.isnan(r.target) else format_value(r.target, r.unit, r.decimals)
        better = "higher is better" if r.higher_is_better else "lower is better"
        sub = f"target {target}, {better}" if target else better
        if not getattr(r, "rated", True):
            sub = "no target set: not coloured"
        heads.append(f"<th scope='col'>{_esc(r.indicator_name)}<br><small>{_esc(sub)}</small></th>")
    n_ind = len(inds)
    names = card["org_unit_name"].to_numpy(dtype=object)[::n_ind]
    body = []
    for j in range(n_rows):
        row = "".join(cells[j * n_ind : (j + 1) * n_ind])
        body.append(
            f"<tr><th scope='row'>{_esc(names[j])}</th>{row}"
            f"<td class='num'>{_esc(per_ou['text'].iloc[j])}</td></tr>"
        )
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    return (
        "<table class='phcpm-scorecard'>"
        + cap
        + "<thead><tr><th scope='col'>Org unit</th>"
        + "".join(heads)
        + "<th scope='col'>On target</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
        + legend_html(card)
        + "<p><small>Arrows: ↑ up, ↓ down, → no change since the period before. "
        "(3/25): rank among the org units with data, 1 = best.</small></p>"
    )


def scorecard_page(card: pd.DataFrame, title: str) -> str:
    """The scorecard as a printable web page (a browser's "Print to PDF" makes a PDF).

    One self-contained HTML document: the title, the table of
    :func:`scorecard_html` with its legend, and print-friendly CSS (A4, band
    colours kept when printed).
    """
    table = scorecard_html(card)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_esc(title)}</title><style>{_SHEET_CSS}"
        "@page { size: A4 landscape; margin: 10mm; } "
        "td.band, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }"
        "</style></head><body>"
        f"<h1>{_esc(title)}</h1>{table}</body></html>\n"
    )


def scorecard_excel(card: pd.DataFrame, title: str | None = None) -> bytes:
    """The scorecard as an Excel workbook, with band colours AND symbols in the cells.

    Sheet "Scorecard": org units down, indicators across; each cell holds the
    band symbol and value as text ("● 82 %"), filled with the band colour,
    with an "On target" column and an "Average" row (see
    :func:`phcpm.scorecard.scorecard_wide`). Sheet "Legend": the bands with
    their symbol, words and colour. Sheet "Values": the long table with the
    unrounded numbers for further analysis. Document dates are fixed, so the
    same scorecard gives the same bytes.
    """
    import xlsxwriter

    check_card(card)
    grid = scorecard_wide(card, cells="text")
    bands = scorecard_wide(card, cells="band", summary=False)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties(
        {
            "title": title or "Scorecard",
            "author": "phcpm",
            "created": _dt.datetime(2000, 1, 1),
            "comments": "",
        }
    )
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    plain = book.add_format({"border": 1})
    fills = excel_fills(book)
    used = _bands_used(card)
    ws = book.add_worksheet("Scorecard")
    row0 = 0
    if title:
        ws.write(0, 0, title, book.add_format({"bold": True, "font_size": 13}))
        row0 = 2
    ws.write(row0, 0, "Org unit", bold)
    for j, col in enumerate(grid.columns, start=1):
        ws.write(row0, j, str(col), bold)
    band_grid = bands.to_numpy(dtype=object)
    for i, (name, row) in enumerate(grid.iterrows()):  # one row per org unit
        r = row0 + 1 + i
        ws.write(r, 0, str(name), bold if name == "Average" else plain)
        for j, cell in enumerate(row.to_numpy(dtype=object), start=1):
            fmt = plain
            if i < band_grid.shape[0] and j - 1 < band_grid.shape[1]:
                fmt = fills.get(band_grid[i, j - 1], plain)
            ws.write_string(r, j, "" if cell is None else str(cell), fmt)
    ws.set_column(0, 0, 34)
    ws.set_column(1, len(grid.columns), 18)
    ws.freeze_panes(row0 + 1, 1)
    ws.write(
        row0 + len(grid) + 2,
        0,
        "Symbols: " + ", ".join(f"{b['symbol']} {b['label']}" for b in used.values()),
    )

    write_legend_sheet(book, used, fills, bold, plain)

    values = book.add_worksheet("Values")
    cols = [c for c in VALUE_HEADINGS if c in card]
    for j, col in enumerate(cols):
        values.write(0, j, VALUE_HEADINGS[col], bold)
    for j, col in enumerate(cols):
        series = card[col]
        for i, v in enumerate(series.to_numpy(dtype=object), start=1):  # small: cells of a card
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                continue
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                values.write_number(i, j, float(v))
            elif isinstance(v, pd.Period):
                values.write_string(i, j, period_text(v))
            else:
                values.write_string(i, j, str(v))
    values.set_column(0, len(cols), 16)
    book.close()
    return buffer.getvalue()
