"""Tables and pictures as a manager reads them.

* :func:`plain_table` and :func:`table_html` show a table with plain headings
  and cells (numbers with thousands separators, Yes/No, empty cells for missing
  values), in a box that scrolls sideways on a narrow screen (:func:`scroll_box`).
* :func:`plain_columns` prepares a table for a download.
* :func:`image_html` and :func:`figure_html` show a chart as a picture with
  alternative text for screen readers.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import math
import re

import numpy as np
import pandas as pd

__all__ = [
    "figure_html",
    "screen_png",
    "image_html",
    "plain_cell",
    "plain_columns",
    "plain_heading",
    "plain_table",
    "scroll_box",
    "table_html",
]


# --------------------------------------------------------------------------- images


def image_html(png: bytes, alt: str, max_width: str = "800px") -> str:
    """HTML for a PNG picture with alternative text for screen readers.

    ``ipywidgets.Image`` has no way to give a picture a text alternative, so
    tools show charts through this instead.
    """
    payload = base64.b64encode(bytes(png)).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{payload}" alt="{html.escape(alt, quote=True)}" '
        f'style="max-width: {max_width}; width: 100%; height: auto;">'
    )


def screen_png(png: bytes) -> bytes:
    """A lighter copy of a chart for the screen: at most 256 colours, about a third of the bytes.

    A chart has few colours apart from the soft edges of its lines and letters,
    so a palette of 256 colours looks the same on screen (the spc tool's chart
    goes from 69 to 26 kB, which a page on a 400 kbit/s link receives 1 s
    sooner). A picture with transparent parts, or one that the palette does not
    make smaller, is returned as it is.
    """
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (OSError, ValueError):
        return png
    if image.mode == "RGBA":
        if image.getchannel("A").getextrema()[0] < 255:
            return png  # transparent parts: a palette would lose them
        image = image.convert("RGB")
    elif image.mode != "RGB":
        return png
    out = io.BytesIO()
    image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, "PNG", optimize=True
    )
    lighter = out.getvalue()
    return lighter if len(lighter) < len(png) else png


def figure_html(fig, alt: str, max_width: str = "800px") -> tuple[str, bytes]:
    """A matplotlib figure as picture HTML (see :func:`image_html`) and its PNG bytes.

    The page shows a lighter copy (:func:`screen_png`); the PNG bytes returned,
    for downloads, are the full picture. The figure is closed afterwards, even
    when drawing it fails, so a tool never has to remember which figures need
    closing.
    """
    import matplotlib.pyplot as plt

    from phcpm.io import figure_bytes

    try:
        png = figure_bytes(fig, "png")
    finally:
        plt.close(fig)
    return image_html(screen_png(png), alt, max_width), png


# --------------------------------------------------------------------------- tables


def plain_heading(name) -> str:
    """A column name as words: ``"org_unit_id"`` becomes ``"Org unit id"``.

    A fallback for columns a tool has not named itself (tools pass their own
    headings to :func:`plain_table`); no heading a manager sees keeps an
    underscore.
    """
    text = re.sub(r"[_\s]+", " ", str(name)).strip()
    return text[:1].upper() + text[1:] if text else ""


def plain_cell(value, decimals: int = 1) -> str:
    """One cell as a manager reads it: numbers with thousands separators, Yes/No,
    dates as 2025-03-31, and an empty cell (never ``NaN``, ``None``, True/False)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        if float(value).is_integer():
            return f"{value:,.0f}"
        return f"{value:,.{decimals}f}"
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)[:16]
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ", ".join(plain_cell(v, decimals) for v in value)
    text = str(value)
    return "" if text in ("nan", "NaN", "None", "<NA>", "NaT") else text


def plain_table(frame, headings: dict | None = None, decimals: int = 1):
    """A copy of ``frame`` with plain headings (``headings`` first, then
    :func:`plain_heading`) and every cell as text (:func:`plain_cell`)."""
    names = headings or {}
    out = frame.copy()
    out.columns = [names.get(c, plain_heading(c)) for c in frame.columns]
    for i in range(out.shape[1]):
        out.isetitem(i, [plain_cell(v, decimals) for v in frame.iloc[:, i]])
    return out


def plain_columns(frame, headings: dict | None = None):
    """A copy of ``frame`` for a download: plain headings, Yes/No for True/False,
    numbers kept as numbers (a spreadsheet can still compute with them)."""
    names = headings or {}
    out = frame.copy()
    for column in out.columns:
        cells = out[column]
        if pd.api.types.is_bool_dtype(cells.dtype) or (
            cells.dtype == object and cells.map(lambda v: isinstance(v, (bool, np.bool_))).any()
        ):
            out[column] = cells.map(
                lambda v: v if not isinstance(v, (bool, np.bool_)) else ("Yes" if v else "No")
            ).astype(object)
    out.columns = [names.get(c, plain_heading(c)) for c in frame.columns]
    return out


def scroll_box(content: str, label: str = "Table") -> str:
    """HTML content in a box that scrolls sideways on a narrow screen and can be
    scrolled with the keyboard (it takes the focus; WCAG 2.1.1)."""
    name = html.escape(f"{label} (scroll sideways to see every column)", quote=True)
    return (
        f'<div class="phcpm-scroll" tabindex="0" role="region" aria-label="{name}">{content}</div>'
    )


def table_html(
    frame,
    headings: dict | None = None,
    max_rows: int | None = None,
    decimals: int = 1,
    css_class: str = "phcpm-table",
) -> str:
    """An HTML table in plain language (see :func:`plain_table`), escaped, in a
    box that scrolls sideways on a narrow screen; with ``max_rows`` only the first
    rows are shown and a line says how many there are."""
    shown = frame if max_rows is None else frame.head(max_rows)
    body = plain_table(shown, headings, decimals).to_html(
        index=False, border=0, escape=True, classes=css_class
    )
    extra = ""
    if max_rows is not None and len(frame) > max_rows:
        extra = (
            f"<p>Showing the first {max_rows:,} of {len(frame):,} rows; "
            "the download has all of them.</p>"
        )
    return f"{scroll_box(body)}{extra}"
