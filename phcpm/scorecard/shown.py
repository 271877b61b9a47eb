"""How a scorecard cell is shown: its band or a judged state, fill, symbol and words.

The bands of :data:`phcpm.scorecard.CARD_BANDS` and the two states
:mod:`phcpm.uncertainty` adds ("too few to judge", "check the data"), with one
style for a cell or legend entry on a page and one set of Excel cell formats,
so that the scorecard, the judged scorecard and the feedback sheets draw their
legends the same way. Bands are shown three ways (colour, symbol and words;
Okabe & Ito, *Color Universal Design*, 2008).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from phcpm.scorecard.definitions import CARD_BANDS

__all__ = [
    "SHOWN_BANDS",
    "SHOWN_FILLS",
    "TEXT",
    "cell_style",
    "excel_fills",
    "legend_items",
    "write_legend_sheet",
]

#: Text colour on every band fill: black on the Okabe-Ito band colours has a
#: contrast of at least 5:1 (WCAG AA asks 4.5:1).
TEXT = "#000000"

#: Colour, symbol and label for every band a judged scorecard cell can show: the
#: scorecard's bands plus "too few to judge" (no fill, a dotted circle) and
#: "check the data" (no fill, an exclamation mark). Symbols keep the meaning
#: when printed in grey.
SHOWN_BANDS: dict[str, dict[str, str]] = {
    **CARD_BANDS,
    "too_few": {"colour": "#FFFFFF", "symbol": "◌", "label": "Too few to judge"},
    "check_data": {"colour": "#FFFFFF", "symbol": "!", "label": "Check the data"},
}


#: Cell fills of the two judged states on a screen or in Excel: a light grey
#: ("too few to judge") and a light blue ("check the data"), neither of them a
#: traffic-light colour, each with its own border and symbol, so that they read
#: apart in grey print and for readers who do not see red and green.
SHOWN_FILLS: dict[str, str] = {"too_few": "#E4E4E4", "check_data": "#CFE6F6"}
_BORDERS = {
    "too_few": "border: 2px dotted #555555; ",
    "check_data": "border: 2px solid #0072B2; ",
    "no_data": "border: 1px dashed #666666; ",
    "no_target": "border: 1px dashed #666666; ",
}


def cell_style(band: str) -> str:
    """The inline CSS of a cell (or legend entry) shown as ``band``, a key of
    :data:`SHOWN_BANDS`: its fill, black text and, for the states that are not
    a traffic-light colour, a border of their own."""
    colour = SHOWN_FILLS.get(band, SHOWN_BANDS[band]["colour"])
    return f"background: {colour}; color: {TEXT}; {_BORDERS.get(band, '')}"


def legend_items(bands: Iterable[str], spaced: bool = False) -> str:
    """The legend entries of ``bands`` (keys of :data:`SHOWN_BANDS`) as HTML spans:
    fill, symbol and words. ``spaced`` sets the spacing inline, for pages without
    the legend's style sheet."""
    space = "display: inline-block; margin: 0 0.8em 0.3em 0; padding: 0.1em 0.4em; "
    items = [
        f"<span style='{space if spaced else ''}{cell_style(k)}'>"
        f"{html.escape(SHOWN_BANDS[k]['symbol'])} {html.escape(SHOWN_BANDS[k]['label'])}</span>"
        for k in bands
    ]
    return ("" if spaced else " ").join(items)


def excel_fills(book: Any) -> dict:
    """One cell format of an xlsxwriter ``book`` per key of :data:`SHOWN_BANDS`,
    filled and bordered as on screen."""
    fills = {}
    for key, b in SHOWN_BANDS.items():
        spec = {"bg_color": SHOWN_FILLS.get(key, b["colour"]), "font_color": TEXT}
        spec.update({"border": 3 if key == "too_few" else 1, "pattern": 1})
        if key == "check_data":
            spec.update({"border": 2, "border_color": "#0072B2"})
        fills[key] = book.add_format(spec)
    return fills


def write_legend_sheet(
    book: Any, bands: Iterable[str], fills: dict, bold: Any, plain: Any, width: int = 18
) -> None:
    """A "Legend" sheet in an xlsxwriter ``book``: each of ``bands`` (keys of
    :data:`SHOWN_BANDS`) with its symbol and words in its fill, and its colour."""
    legend = book.add_worksheet("Legend")
    for j, head in enumerate(["Symbol", "Meaning", "Colour"]):
        legend.write(0, j, head, bold)
    for i, key in enumerate(bands, start=1):
        b = SHOWN_BANDS[key]
        legend.write_string(i, 0, b["symbol"], fills[key])
        legend.write_string(i, 1, b["label"], fills[key])
        legend.write_string(i, 2, SHOWN_FILLS.get(key, b["colour"]), plain)
    legend.set_column(0, 2, width)
