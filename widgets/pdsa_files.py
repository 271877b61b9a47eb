"""The PDSA tracker's files: the project's history, its downloads, and adding a saved project.

The whole project can be saved as an Excel workbook, a backup file (JSON) or
a printable page (:mod:`phcpm.pdsa.transfer`); a project saved from this tool
can be added back, from either file.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from phcpm import pdsa
from phcpm.io import to_excel_bytes
from widgets.common import (
    download_button,
    download_on_demand,
    take_upload,
    update_download,
    upload_button,
)
from widgets.pdsa_controls import XLSX, row, table_html, tagged

__all__ = ["ProjectFiles"]


class ProjectFiles:
    """The history, export and import part of :class:`widgets.pdsa.PdsaTracker`."""

    def _build_exports(self) -> None:
        self.audit = tagged(w.HTML(""), "audit")
        self.audit_download = tagged(
            download_button(b"", "history.xlsx", "History (Excel)"), "history-download"
        )
        self.json_download = tagged(
            download_button(b"", "project_backup.json", "Backup file of the project"), "json"
        )
        self.excel_download = tagged(
            download_button(b"", "project.xlsx", "Whole project (Excel)"), "excel"
        )
        self.printable = tagged(
            download_on_demand(
                "Printable project (HTML)",
                "pdsa_project.html",
                self._printable_bytes,
                "text/html",
            ),
            "printable",
        )
        self.import_upload = tagged(
            upload_button("Add a project from a file", accept=".json,.xlsx"),
            "import",
        )

    def _history_tab(self) -> w.VBox:
        """Who entered what, and when, with its download."""
        return w.VBox(
            [w.HTML("<b>Who entered what, and when</b>"), self.audit, self.audit_download]
        )

    def _export_tab(self) -> w.VBox:
        """The downloads of the whole project and the upload of a saved one."""
        return w.VBox(
            [
                w.HTML(
                    "Save the whole project (measures, values, cycles and history) as an Excel "
                    "workbook to read and share, or as a backup file to keep or move to "
                    "another computer:"
                ),
                row(self.excel_download, self.printable, self.json_download),
                w.HTML("Add a project saved from this tool (Excel workbook or backup file):"),
                self.import_upload,
            ]
        )

    def _printable_bytes(self) -> bytes:
        """The open project as a printable page (with the run chart once it is drawn)."""
        page = self.store.export_html(self._need_project(), chart_png=self._chart_png)
        return page.encode("utf-8")

    def _show_exports(self) -> None:
        self.printable.reset()  # a page built earlier may belong to another project
        if self.project_id is None:
            self.audit.value = "<p>No project is open.</p>"
            for box in (self.json_download, self.excel_download, self.audit_download):
                update_download(box, None)
            return
        slug = "pdsa_project"
        update_download(
            self.json_download,
            self.store.export_json(self.project_id).encode("utf-8"),
            f"{slug}_backup.json",
            "Backup file of the project",
            "application/json",
        )
        update_download(
            self.excel_download,
            self.store.export_excel(self.project_id),
            f"{slug}.xlsx",
            "Whole project (Excel)",
            XLSX,
        )
        shown = pdsa.readable_history(self.store.audit_log(self.project_id))
        self.audit.value = table_html(shown.iloc[::-1], "phcpm-table", "Nothing entered yet.")
        update_download(
            self.audit_download,
            to_excel_bytes({"History": shown}, title="History of the project"),
            "pdsa_history.xlsx",
            "History (Excel)",
            XLSX,
        )

    def _on_import(self, change: dict[str, Any]) -> None:
        taken = take_upload(self.import_upload, change["new"])
        if taken is not None:
            self._safe(self.import_bytes, *taken)

    def import_bytes(self, data: bytes, name: str) -> int:
        """Add a project from an exported JSON or Excel file and open it."""
        pid = self.store.import_file(data, name, today=self.today)
        self._refresh_projects(select=pid)
        self._note(f"The project in '{name}' was added and is open.")
        return pid
