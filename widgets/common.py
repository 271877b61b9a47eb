"""Pieces every tool shares, gathered in one place to import from.

Each idea lives in its own module; this one re-exports their public names so
``from widgets.common import ...`` keeps working:

* :mod:`widgets.tables`: tables and pictures in plain language
  (:func:`table_html`, :func:`plain_table`, :func:`figure_html`, ...).
* :mod:`widgets.messages`: error and note boxes, :class:`Progress`,
  :func:`run_safely` (never a traceback on screen).
* :mod:`widgets.downloads`: download buttons (also built on demand) and uploads.
* :mod:`widgets.sections`: tabs and accordions built when first opened.
* :mod:`widgets.base`: :class:`Tool`, the base of every app, and its
  :class:`Results` area.

No analysis happens here; tools call :mod:`phcpm` for that.
"""

from __future__ import annotations

from widgets.base import Component, Results, Tool
from widgets.downloads import (
    OnDemandDownload,
    download_button,
    download_html,
    download_on_demand,
    plain_upload,
    take_upload,
    update_download,
    upload_button,
)
from widgets.messages import (
    GENERIC_ERROR,
    Progress,
    clear_message,
    error_box,
    error_text,
    log,
    note_box,
    run_safely,
    show_error,
    show_notes,
)
from widgets.sections import PREPARING, Builder, LazySections, lazy_accordion, lazy_tabs
from widgets.tables import (
    figure_html,
    image_html,
    plain_cell,
    plain_columns,
    plain_heading,
    plain_table,
    screen_png,
    scroll_box,
    table_html,
)

__all__ = [
    "GENERIC_ERROR",
    "PREPARING",
    "Builder",
    "Component",
    "LazySections",
    "OnDemandDownload",
    "Progress",
    "Results",
    "Tool",
    "clear_message",
    "download_button",
    "download_html",
    "download_on_demand",
    "error_box",
    "error_text",
    "figure_html",
    "image_html",
    "lazy_accordion",
    "lazy_tabs",
    "log",
    "note_box",
    "plain_cell",
    "plain_columns",
    "plain_heading",
    "plain_table",
    "screen_png",
    "plain_upload",
    "run_safely",
    "scroll_box",
    "show_error",
    "show_notes",
    "table_html",
    "take_upload",
    "update_download",
    "upload_button",
]
