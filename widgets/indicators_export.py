"""The Export tab of the Indicator Selector: the files a team takes away.

:class:`SelectionExport` is a part of :class:`widgets.indicators.IndicatorSelector`:
it builds the tab's download buttons and makes each file when its button is
clicked, from what the other tabs show (``shortlist``, ``scored``, ``burden`` and
``catalogue`` of the tool). The reference sheets are written by
:mod:`phcpm.selection.sheets`.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from phcpm.errors import InputError
from phcpm.io import to_csv_bytes, to_excel_bytes
from phcpm.selection import reference_sheets_frame, reference_sheets_markdown
from widgets.common import download_on_demand, plain_columns
from widgets.indicators_views import BURDEN_HEADINGS, HEADINGS, reference_sheets_page

__all__ = ["XLSX", "SelectionExport"]

#: The media type of an Excel workbook, for downloads.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SelectionExport:
    """The Export tab and the files it offers (a part of the Indicator Selector)."""

    catalogue: pd.DataFrame
    shortlist: pd.DataFrame | None
    scored: pd.DataFrame | None
    burden: pd.DataFrame | None
    _list_ok: bool

    def _build_export(self) -> w.Widget:
        self.excel_download = self.part(
            download_on_demand(
                "Reference sheets, shortlist and scores (Excel)",
                "indicator_selection.xlsx",
                self.excel_bytes,
                XLSX,
            ),
            "excel",
        )
        self.sheets_download = self.part(
            download_on_demand(
                "Reference sheets to print (web page)",
                "reference_sheets.html",
                self.reference_sheets_bytes,
                "text/html",
            ),
            "reference-sheets",
        )
        self.list_download = self.part(
            download_on_demand(
                "The indicator list in use, as a model for your own list (CSV)",
                "indicator_list.csv",
                self.list_bytes,
                "text/csv",
            ),
            "list",
        )
        self.downloads = self.part(
            w.VBox([self.excel_download, self.sheets_download, self.list_download]), "downloads"
        )
        self.register_download(self.excel_download, self.sheets_download, self.list_download)
        return w.VBox(
            [
                w.HTML(
                    "<p>Reference sheets of the shortlist (Excel, or a web page to print), "
                    "the scores and the indicator list in use. Each file is made when you "
                    "click its button, from what the tabs show now.</p>"
                ),
                self.downloads,
            ]
        )

    def reference_sheets_bytes(self) -> bytes:
        """The reference sheets of the shortlist as a web page to print."""
        if self.shortlist is None:
            raise InputError("There is no shortlist yet", todo="Choose weights first")
        frame = reference_sheets_frame(self.shortlist, self.catalogue)
        return reference_sheets_page(frame).encode("utf-8")

    def list_bytes(self) -> bytes:
        """The indicator list in use, with the column names a list to upload needs."""
        if not self._list_ok:
            raise InputError("No indicator list is in use", todo="Choose a list first")
        return to_csv_bytes(self.catalogue)

    def reference_sheets_markdown(self) -> str:
        """Markdown reference sheets of the shortlist."""
        if self.shortlist is None:
            raise InputError("There is no shortlist yet", todo="Choose weights first")
        return reference_sheets_markdown(self.shortlist, self.catalogue)

    def excel_bytes(self) -> bytes:
        """Excel workbook: reference sheets, shortlist, scores, burden."""
        if self.shortlist is None or self.scored is None or self.burden is None:
            raise InputError("There is no shortlist yet", todo="Choose weights first")
        return to_excel_bytes(
            {
                "Reference sheets": reference_sheets_frame(self.shortlist, self.catalogue),
                "Shortlist": plain_columns(self.shortlist, HEADINGS),
                "Scores": plain_columns(self.scored, HEADINGS),
                "Burden": plain_columns(
                    self.burden.reset_index().rename(columns=BURDEN_HEADINGS), HEADINGS
                ),
            },
            title="Indicator selection",
        )
