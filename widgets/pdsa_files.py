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
    download_on_demand,
    take_upload,
    upload_button,
)
from widgets.pdsa_controls import XLSX, row, table_html, tagged

__all__ = ["ProjectFiles"]


class ProjectFiles:
    """The history, export and import part of :class:`widgets.pdsa.PdsaTracker`."""

    def _build_exports(self) -> None:
        self.audit = tagged(w.HTML(""), "audit")
        # Built when asked for: a project's files (its backup alone can be 100 kB)
        # would otherwise travel with every page that opens it.
        self.audit_download = tagged(
            download_on_demand("History (Excel)", "pdsa_history.xlsx", self._history_bytes, XLSX),
            "history-download",
        )
        self.json_download = tagged(
            download_on_demand(
                "Backup file of the project",
                "pdsa_project_backup.json",
                self._backup_bytes,
                "application/json",
            ),
            "json",
        )
        self.excel_download = tagged(
            download_on_demand(
                "Whole project (Excel)", "pdsa_project.xlsx", self._workbook_bytes, XLSX
            ),
            "excel",
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

    def _backup_bytes(self) -> bytes:
        return self.store.export_json(self._need_project()).encode("utf-8")

    def _workbook_bytes(self) -> bytes:
        return self.store.export_excel(self._need_project())

    def _history_bytes(self) -> bytes:
        shown = pdsa.readable_history(self.store.audit_log(self._need_project()))
        return to_excel_bytes({"History": shown}, title="History of the project")

    def _show_exports(self) -> None:
        # files built earlier may belong to another project, or to its state before
        for download in (self.printable, self.json_download, self.excel_download):
            download.reset()
        self.audit_download.reset()
        if self.project_id is None:
            self.audit.value = "<p>No project is open.</p>"
            return
        shown = pdsa.readable_history(self.store.audit_log(self.project_id))
        self.audit.value = table_html(shown.iloc[::-1], "phcpm-table", "Nothing entered yet.")

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
