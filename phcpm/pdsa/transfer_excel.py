"""A project as an Excel workbook, and back: one sheet per section, headings in words.

:class:`ExcelTransfer` is a part of :class:`phcpm.pdsa.store.ProjectStore`
(through :class:`phcpm.pdsa.transfer.ProjectTransfer`): it writes the same
record as the JSON export (``_export_dict``) and reads a workbook back through
the same checks as a JSON file (``_import``).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from phcpm.errors import InputError
from phcpm.pdsa.schema import VALUE_COLUMNS
from phcpm.pdsa.tables import FIELD_WORDS
from phcpm.pdsa.validate import CYCLE_FIELDS, PROJECT_FIELDS, read_date

__all__ = ["ExcelTransfer"]


class ExcelTransfer:
    """Export to and import from Excel; needs ``_export_dict`` and ``_import``."""

    # Excel: one sheet per section, one row per record, column names as in the JSON.
    _SHEETS = {
        "Measures": (
            "measures",
            ["key", "name", "kind", "role", "unit", "higher_is_better", "definition"],
        ),
        "Values": (
            "values",
            ["measure", *VALUE_COLUMNS],
        ),
        "Cycles": ("cycles", ["number", *CYCLE_FIELDS, "entered_by", "updated_at"]),
        "Audit": ("audit", ["table", "ref", "field", "old", "new", "user", "at"]),
    }

    #: The headings a person reads in the workbook, for the fields of the JSON format.
    _EXCEL_HEADINGS = {
        "key": "Measure number",
        "measure": "Measure number",
        "number": "Cycle",
        "entered_by": "Entered by",
        "entered_at": "Entered at (UTC)",
        "updated_at": "Last changed at (UTC)",
        "higher_is_better": "Higher is better (1 yes, 0 no)",
        "table": "Record",
        "ref": "Record number",
        "field": "What changed",
        "old": "Before",
        "new": "After",
        "user": "Who",
        "at": "When (UTC)",
        "format": "File format",
        "format_version": "File format version",
    }

    #: Columns a workbook may lack: workbooks saved before measures had a role.
    _OPTIONAL_COLUMNS = frozenset({"role"})

    @classmethod
    def _heading(cls, field: str) -> str:
        return cls._EXCEL_HEADINGS.get(field) or FIELD_WORDS.get(field) or field

    def export_excel(self, project_id: int) -> bytes:
        """The whole project as an Excel workbook (.xlsx bytes).

        Sheets: Project (what, value), Measures, Values, Cycles, Audit, with
        headings in words ("Period start", "Entered by"). Text that starts
        with "=" is stored as text, never as a formula. :meth:`import_excel`
        reads it back exactly (and also reads workbooks whose headings are the
        field names of the JSON format, as earlier versions wrote them).
        """
        from openpyxl import Workbook

        data = self._export_dict(project_id)
        book = Workbook()
        sheet = book.active
        sheet.title = "Project"
        sheet.append(["What", "Value"])
        rows: list[tuple[str, Any]] = [
            ("format", data["format"]),
            ("format_version", data["format_version"]),
            *data["project"].items(),
        ]
        for field, value in rows:
            self._append(sheet, [self._heading(field), value])
        for title, (part, cols) in self._SHEETS.items():
            sheet = book.create_sheet(title)
            sheet.append([self._heading(c) for c in cols])
            for record in data[part]:
                self._append(sheet, [record[c] for c in cols])
            sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.properties.creator = "phcpm"
        book.save(out)
        return out.getvalue()

    @staticmethod
    def _append(sheet: Any, row: list[Any]) -> None:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # keep it as text: never run user text as a formula

    def import_excel(self, data: bytes, *, today: date | None = None) -> int:
        """Add a project from :meth:`export_excel` bytes; returns the new project's id.

        Checked like :meth:`import_json`; nothing is imported if anything is wrong.
        """
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds of error for a bad file
            raise InputError(
                "The file is not an Excel workbook this tool can read",
                todo="Choose an .xlsx file saved with 'export to Excel'",
            ) from None
        try:
            missing = [s for s in ("Project", *self._SHEETS) if s not in book.sheetnames]
            if missing:
                raise InputError(
                    f"The workbook has no sheet called {', '.join(repr(s) for s in missing)}",
                    todo="Choose a workbook saved with 'export to Excel', with all its sheets",
                )
            result: dict[str, Any] = {}
            project: dict[str, Any] = {}
            known = ("format", "format_version", *PROJECT_FIELDS, "created")
            fields = {self._heading(f): f for f in known}
            for row in list(book["Project"].iter_rows(values_only=True))[1:]:
                if row and row[0] is not None:
                    name = str(row[0]).strip()
                    project[fields.get(name, name)] = _cell(row[1] if len(row) > 1 else None)
            result["format"] = project.pop("format", None)
            version = project.pop("format_version", None)
            result["format_version"] = int(version) if isinstance(version, int | float) else version
            result["project"] = project
            for title, (part, cols) in self._SHEETS.items():
                rows = list(book[title].iter_rows(values_only=True))
                header = [
                    str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])
                ]
                # the heading in words, or the field name written by earlier versions
                index = {}
                for c in cols:
                    for name in (self._heading(c), c):
                        if name in header:
                            index[c] = header.index(name)
                            break
                absent = [
                    self._heading(c)
                    for c in cols
                    if c not in index and c not in self._OPTIONAL_COLUMNS
                ]
                if absent:
                    raise InputError(
                        f"The sheet '{title}' has no column {', '.join(repr(c) for c in absent)}",
                        where=f"sheet '{title}', first row",
                        todo="Put the column names back as they were exported",
                    )
                records = []
                for row in rows[1:]:
                    if row is None or all(cell is None for cell in row):
                        continue
                    records.append(
                        {c: _cell(row[i] if i < len(row) else None) for c, i in index.items()}
                    )
                result[part] = records
        finally:
            book.close()
        for record in result["cycles"]:
            for f in ("start_date", "end_date"):
                if record[f] is not None:
                    record[f] = read_date(record[f], f.replace("_", " ")).isoformat()
        for record in result["values"]:
            record["period"] = read_date(
                record["period"], "period start", required=True
            ).isoformat()
        return self._import(result, today=today, source="Excel workbook")


def _cell(value: Any) -> Any:
    """An Excel cell value in the form the JSON export uses (dates as ISO text)."""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
