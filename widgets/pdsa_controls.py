"""Building blocks of the PDSA tracker's screen: labelled boxes, buttons, folds and tables."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import pandas as pd

__all__ = [
    "XLSX",
    "WIDE",
    "NEW_CYCLE",
    "tagged",
    "wide",
    "button",
    "labelled",
    "fold",
    "row",
    "table_html",
]

#: Labels as wide as their text.
WIDE = {"description_width": "initial"}
#: The first choice in the list of cycles: an empty form for a new cycle.
NEW_CYCLE = "New cycle"
#: The media type of an Excel workbook, for downloads.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tagged(widget: w.Widget, part: str) -> w.Widget:
    """``widget`` with the class ``phcpm-pdsa-<part>`` (for styles and browser tests)."""
    widget.add_class(f"phcpm-pdsa-{part}")
    return widget


def wide(width: str, **kwargs: str) -> w.Layout:
    """A box as wide as ``width`` on a large screen, and never wider than the screen."""
    return w.Layout(width="100%", max_width=width, **kwargs)


def button(label: str, primary: bool = False, css: str = "") -> w.Button:
    """A button as wide as its label (ipywidgets gives every button the same width)."""
    widget = w.Button(description=label, button_style="primary" if primary else "")
    widget.layout = w.Layout(width="auto", min_width="6em", max_width="100%")
    return tagged(widget, css) if css else widget


def labelled(kind: type, description: str, css: str = "", width: str = "", **kwargs: Any) -> Any:
    """A labelled input of ``kind`` (text, list ...), ``width`` wide at most, with class ``css``."""
    if width:
        kwargs.setdefault("layout", wide(width))
    widget = kind(description=description, style=WIDE, **kwargs)
    return tagged(widget, css) if css else widget


def fold(title: str, *children: w.Widget) -> w.Accordion:
    """A closed section that opens on a click, holding ``children`` one under the other."""
    return w.Accordion(children=[w.VBox(list(children))], titles=(title,), selected_index=None)


def row(*children: w.Widget) -> w.HBox:
    """Widgets side by side that wrap onto the next line on a narrow screen."""
    return w.HBox(list(children), layout=w.Layout(flex_flow="row wrap", align_items="center"))


def table_html(frame: pd.DataFrame, css: str, empty: str) -> str:
    """``frame`` as an HTML table with class ``css``, or ``empty`` as a sentence when it has no rows."""
    if frame.empty:
        return f"<p>{html.escape(empty)}</p>"
    return frame.to_html(index=False, classes=css, border=0, na_rep="", escape=True)
