"""Choose the data a tool works on: the example district data, or the user's own file.

The picker shows a button for the example data and an upload button for the
user's own CSV, text or Excel file. A file goes through
:func:`phcpm.io.read_table`; unless it is a DHIS2 export (which maps itself) the
user then confirms which column holds the place, the period, the data element
and the value (pre-filled from :func:`phcpm.io.suggest_mapping`); then
:func:`phcpm.io.tidy` checks it. The picker shows what was found, what was
dropped and why, the first problem rows, and a download of the full list of
problems, then hands the tidy table to the tool's ``on_data`` callback.

All the work is done by :mod:`phcpm.io`; this module only builds the controls.
The uploaded bytes stay in memory: nothing is written to disk, and the upload
button is emptied as soon as the file has been read.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePath

import ipywidgets as w
import pandas as pd

from phcpm.errors import InputError
from phcpm.io import (
    NeedsMapping,
    Table,
    read_table,
    suggest_mapping,
    table_from_frame,
    tidy,
    to_csv_bytes,
)
from phcpm.io.counts import data_counts
from phcpm.io.layouts import BY_NAME
from widgets.base import Component
from widgets.common import (
    Progress,
    clear_message,
    error_box,
    note_box,
    show_notes,
    take_upload,
    update_download,
)

__all__ = ["DataPicker", "ROLE_LABELS"]

#: What each role is called on screen.
ROLE_LABELS = {
    "org_unit": "Place (org unit)",
    "period": "Period",
    "data_element": "What is counted (data element)",
    "value": "Number (value)",
}
_NONE = ""
#: Rough speeds used only to decide whether to show the progress bar (work
#: expected to take a second or more): bytes read per second for text and for
#: Excel files, and rows checked per second.
_TEXT_BYTES_PER_SECOND = 20e6
_EXCEL_BYTES_PER_SECOND = 0.5e6
_ROWS_PER_SECOND = 500_000
#: Problem rows shown on screen (the download has all of them).
PROBLEM_ROWS_SHOWN = 10
_REPORT_HEADINGS = {
    "row": "Row in your file",
    "column": "Column",
    "value": "Value",
    "problem": "Problem",
    "action": "What was done",
}


class DataPicker(Component):
    """Load the example data or the user's own file, check it, and pass it on.

    Parameters
    ----------
    load_example:
        Called with no arguments when the example button is pressed; returns a
        DataFrame or a :class:`phcpm.io.Table`.
    on_data:
        Called as ``on_data(tidy_df, report_df)`` with the checked long table
        (``org_unit, period, data_element, value``, ...) and the problem report.
    example_label, upload_label:
        Texts of the two buttons.
    max_bytes:
        Largest file accepted (default :data:`phcpm.io.MAX_UPLOAD_BYTES`).

    The picker's widgets are in ``self.widget``; errors show in ``self.error``
    as plain messages and the picker stays usable for another try. It is a
    :class:`~widgets.base.Component` (CSS class ``phcpm-picker``, parts
    ``phcpm-picker-<name>``) placed inside a tool, not a tool of its own.
    """

    css_class = "phcpm-picker"

    def __init__(
        self,
        load_example: Callable[[], pd.DataFrame | Table],
        on_data: Callable[[pd.DataFrame, pd.DataFrame], object],
        example_label: str = "Use the example district data",
        upload_label: str = "Use my own data",
        max_bytes: int | None = None,
    ) -> None:
        self.load_example = load_example
        self.on_data = on_data
        self.max_bytes = max_bytes
        self.table: Table | None = None
        #: Roles read from the file's layout that need no dropdown (a year and a
        #: month column that together make the period).
        self.fixed_mapping: dict[str, str] = {}
        self.result = None
        self.source: str | None = None
        self.last_error: str | None = None

        self.example_button = self.part(
            w.Button(description=example_label, button_style="primary", icon="table"), "example"
        )
        self.example_button.layout.width = "auto"
        self.upload = self.part(
            w.FileUpload(
                accept=".csv,.xlsx,.xls,.txt,.tsv,.json", multiple=False, description=upload_label
            ),
            "upload",
        )
        self.upload.layout.width = "auto"
        hint = w.HTML(
            "<small>Your own data: a CSV, text, JSON or Excel (.xlsx, .xls) file, such as a "
            "DHIS2 download, or any table with a column for the place, the period and the "
            "number. The file is read in memory and never saved.</small>"
        )
        self.progress = Progress()
        self.error = error_box()
        self.notes = note_box()

        self.dropdowns: dict[str, w.Dropdown] = {}
        for role, label in ROLE_LABELS.items():
            dropdown = w.Dropdown(
                description=label,
                options=[("(none)", _NONE)],
                value=_NONE,
                style={"description_width": "16em"},
                layout=w.Layout(width="34em"),
            )
            self.dropdowns[role] = self.part(dropdown, role.replace("_", "-"))
        self.mapping_help = w.HTML("")
        self.apply_button = self.part(
            w.Button(description="Apply", button_style="primary", icon="check"), "apply"
        )
        self.mapping_box = self.part(
            w.VBox([self.mapping_help, *self.dropdowns.values(), self.apply_button]), "mapping"
        )
        self.mapping_box.layout.display = "none"
        self.summary = self.part(w.HTML(""), "summary")
        self.report_download = self.part(w.HTML(""), "download")

        self.example_button.on_click(self._on_example)
        self.upload.observe(self._on_upload, names="value")
        self.apply_button.on_click(self._on_apply)

        self.widget = w.VBox(
            [
                w.HBox([self.example_button, self.upload]),
                hint,
                self.progress.widget,
                self.error,
                self.notes,
                self.mapping_box,
                self.summary,
                self.report_download,
            ]
        )
        self.widget.add_class(self.css_class)

    # ------------------------------------------------------------------ callbacks
    def _run(self, fn: Callable, *args) -> object:
        """Run a step; an error shows in the picker's own message box."""
        return self.run_safely(fn, self.error, *args)

    def _on_example(self, _button=None) -> None:
        self._run(self.use_example)

    def _on_upload(self, change) -> None:
        taken = take_upload(self.upload, change["new"])
        if taken is not None:
            self._run(self.load_bytes, *taken)

    def _on_apply(self, _button=None) -> None:
        self._run(self.apply_mapping)

    # ------------------------------------------------------------------ steps
    @contextmanager
    def _busy(self) -> Iterator[None]:
        controls = (self.example_button, self.upload, self.apply_button)
        for control in controls:
            control.disabled = True
        try:
            yield
        finally:
            for control in controls:
                control.disabled = False

    def _start(self, source: str) -> None:
        """Forget the previous data before loading new data."""
        self.table = None
        self.result = None
        self.source = source
        self.fixed_mapping = {}
        clear_message(self.error)
        clear_message(self.notes)
        self.summary.value = ""
        update_download(self.report_download, None)
        self.mapping_box.layout.display = "none"

    def use_example(self) -> None:
        """Load the example data and check it with the columns matched automatically."""
        self._start("the example data")
        with self._busy(), self.progress.running("Loading the example data", show=False):
            loaded = self.load_example()
            table = (
                loaded
                if isinstance(loaded, Table)
                else table_from_frame(loaded, source_name="example-data")
            )
        self.table = table
        self._check(None)

    def load_bytes(self, data: bytes, name: str | None = None) -> None:
        """Read a file's bytes (as uploaded), then ask for the columns or check it."""
        self._start(f"'{name}'" if name else "your file")
        excel = bytes(data[:2]) == b"PK"
        speed = _EXCEL_BYTES_PER_SECOND if excel else _TEXT_BYTES_PER_SECOND
        with (
            self._busy(),
            self.progress.running(f"Reading {name or 'your file'}", show=len(data) / speed >= 1.0),
        ):
            table = read_table(data, filename=name, max_bytes=self.max_bytes)
        self.table = table
        show_notes(self.notes, table.notes, title="What we found in the file")
        layout = BY_NAME.get(table.format)
        if layout is not None and layout.self_mapping:
            try:
                self._check(None)
            except NeedsMapping as err:
                self._show_mapping(table, question=err)
        else:
            self._show_mapping(table)

    def _show_mapping(self, table: Table, question: NeedsMapping | None = None) -> None:
        """Show the dropdowns, filled with the guesses; when the file cannot say
        which column is which, say why and fill in the first possible choice."""
        columns = [str(c) for c in table.data.columns]
        options = [("(none)", _NONE)] + [(c, c) for c in columns]
        if question is None:
            try:
                suggested = suggest_mapping(table)
            except NeedsMapping as err:
                question = err
        if question is not None:
            suggested = question.candidates[0] if question.candidates else {}
        guessed = {role: col for col, role in suggested.items()}
        wide = table.format == "wide"
        self.fixed_mapping = {c: r for c, r in suggested.items() if r in ("year", "month")}
        for role, dropdown in self.dropdowns.items():
            dropdown.options = options
            dropdown.value = guessed.get(role, _NONE) if guessed.get(role) in columns else _NONE
            hidden = (wide and role in ("period", "value")) or (
                bool(self.fixed_mapping) and role == "period"
            )
            dropdown.layout.display = "none" if hidden else ""
        text = (
            "<b>Which column is which?</b> We guessed from the headings and the contents. "
            "Correct any that are wrong, then press <b>Apply</b>."
        )
        if self.fixed_mapping:
            year = next(c for c, r in self.fixed_mapping.items() if r == "year")
            month = next(c for c, r in self.fixed_mapping.items() if r == "month")
            text += (
                f" The period is made from the columns '{html.escape(year)}' and "
                f"'{html.escape(month)}' together."
            )
        if wide:
            text += (
                " Each column whose heading is a period (for example 'Jan 2024') becomes "
                "one period, so only the place and what is counted need choosing."
            )
        if question is not None:
            text = (
                f"<b>Please choose:</b> {html.escape(question.what)}. "
                "Choose the right column for each role, then press <b>Apply</b>."
            )
        self.mapping_help.value = f"<p>{text}</p>"
        self.mapping_box.layout.display = ""

    def chosen_mapping(self) -> dict[str, str]:
        """``{column: role}`` from the dropdowns (a column may hold one role only)."""
        chosen: dict[str, str] = dict(self.fixed_mapping)
        for role, dropdown in self.dropdowns.items():
            if dropdown.layout.display == "none" or dropdown.value == _NONE:
                continue
            column = dropdown.value
            if column in chosen:
                raise InputError(
                    f"The column '{column}' is chosen for both "
                    f"{ROLE_LABELS.get(chosen[column], chosen[column]).lower()} and "
                    f"{ROLE_LABELS[role].lower()}",
                    todo="Choose a different column for one of them",
                )
            chosen[column] = role
        return chosen

    def apply_mapping(self) -> None:
        """Check the loaded file with the columns chosen in the dropdowns."""
        if self.table is None:
            raise InputError(
                "No data has been loaded yet", todo="Use the example data or choose a file first"
            )
        self._check(self.chosen_mapping())

    def _check(self, mapping: dict[str, str] | None) -> None:
        table = self.table
        rows = len(table.data)
        with (
            self._busy(),
            self.progress.running(
                f"Checking {rows:,} rows", show=rows / _ROWS_PER_SECOND >= 1.0
            ) as progress,
        ):
            result = tidy(table, mapping=mapping)
            progress.step(0.8, "Preparing the list of problems")
            report_csv = to_csv_bytes(result.report) if len(result.report) else None
        self.result = result
        show_notes(self.notes, result.notes, title="What we found in the file")
        self._show_result(result, report_csv)
        self.on_data(result.data, result.report)

    def _show_result(self, result, report_csv: bytes | None) -> None:
        parts = [
            f"<p><b>Checked {html.escape(self.source or 'the data')}.</b></p>",
            f'<div style="white-space:pre-line">{html.escape(result.summary)}</div>',
            f"<p>{html.escape(data_counts(result.data))}</p>",
        ]
        report = result.report
        if len(report):
            first = report.head(PROBLEM_ROWS_SHOWN).rename(columns=_REPORT_HEADINGS)
            parts.append(
                f"<p>The first {len(first)} of {len(report):,} problems "
                "(row numbers as in your file):</p>"
            )
            parts.append(first.to_html(index=False, border=0, escape=True))
        self.summary.value = "".join(parts)
        stem = PurePath(self.table.source_name or "data").stem or "data"
        update_download(
            self.report_download,
            report_csv,
            filename=f"{stem}-problems.csv",
            label="Download the full list of problems (CSV)",
        )
