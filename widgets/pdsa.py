"""PDSA tracker: an improvement project's measure, its PDSA cycles, run chart and history.

Every rule and calculation lives in :mod:`phcpm.pdsa` (the project store and its
checks) and :mod:`phcpm.spc` (the run chart); this module only builds the
controls, calls those functions and shows their results. A mistake in what
the user typed is shown as a plain message next to the form, and what was
typed stays in the form so it can be corrected.

A team can open its own workspace: its own project file next to the shared
one (:func:`phcpm.pdsa.team_store_path`), so on a shared server each team sees
its own projects. The tool refuses to switch workspace while the PDSA cycle
form holds text that is not saved, and says why. A team can protect its
workspace with an access code (kept only as a scrypt hash in the workspace's
file: :func:`phcpm.pdsa.hash_access_code`).

Work is not lost on a reload: the open team workspace is written into the page
address (``?team=...``), so a reload (or a bookmark) opens the same workspace;
the person's name is kept in the browser; while the cycle form, the pasted
values or the measure form hold text that is not saved, the browser asks before
the page is left.
All three are done by :class:`widgets.page_guard.PageGuard`.

The tool is put together from parts: :mod:`widgets.pdsa_workspace` (team
workspaces and access codes), :mod:`widgets.pdsa_measures` (the family of
measures and the form that adds a measure, with which way is better and how it
is counted), :mod:`widgets.pdsa_cycles` (the PDSA cycle form), :mod:`widgets.pdsa_files` (history, downloads and adding a saved project)
and :mod:`widgets.pdsa_controls` (the building blocks of the screen).
"""

from __future__ import annotations

import base64
import html
import os
import urllib.parse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from phcpm import pdsa
from phcpm.errors import InputError
from phcpm.io import figure_bytes, read_table, to_excel_bytes
from phcpm.style import use_style
from widgets.common import (
    Tool,
    clear_message,
    download_button,
    download_on_demand,
    error_box,
    note_box,
    show_error,
    show_notes,
    take_upload,
    update_download,
    upload_button,
)
from widgets.page_guard import PageGuard, page_query
from widgets.pdsa_controls import (
    XLSX,
    button,
    fold,
    labelled,
    row,
    table_html,
    tagged,
    wide,
)
from widgets.pdsa_cycles import CONFLICT_MESSAGE, CycleForm
from widgets.pdsa_files import ProjectFiles
from widgets.pdsa_measures import MeasureForm
from widgets.pdsa_workspace import UNSAVED_MESSAGE, TeamWorkspaces

__all__ = ["PdsaTracker", "PageGuard", "CONFLICT_MESSAGE", "UNSAVED_MESSAGE", "page_query"]


class PdsaTracker(TeamWorkspaces, MeasureForm, CycleForm, ProjectFiles, Tool):
    """Track an improvement project: values period by period, PDSA cycles, run chart, history.

    ``db_path`` is the project file; by default the one named by the
    ``PHCPM_PDSA_DB`` environment variable, else a file in the user's home
    folder (as :class:`phcpm.pdsa.ProjectStore` decides). This is the shared
    workspace. ``team`` names the team whose workspace opens first (a file next
    to the shared one); by default the ``team`` in the page address (see
    :func:`page_query`), else the ``PHCPM_PDSA_TEAM`` environment variable, and
    when that is empty, the shared workspace. ``query`` is the page's query
    string (by default read from Voilà). ``today`` fixes the date used to
    refuse future periods (for tests); by default the computer's.
    """

    css_class = "phcpm-pdsa"

    def __init__(
        self,
        db_path: str | os.PathLike[str] | None = None,
        *,
        user: str = "",
        today: date | None = None,
        clock: Callable[[], str] | None = None,
        team: str | None = None,
        query: str | None = None,
    ) -> None:
        use_style()
        super().__init__()
        self.today = today
        self._clock = clock
        self.shared_path = Path(db_path) if db_path is not None else pdsa.default_store_path()
        self.store = pdsa.ProjectStore(self.shared_path, clock=clock)
        self.workspace = ""  # the slug of the open team workspace; empty for the shared one
        self.project_id: int | None = None
        self.cycle_version: int | None = None
        self.figure = None
        self._quiet = False
        self._chart_stale = True
        self._chart_png: bytes | None = None
        self.locked = ""  # a protected team workspace asked for but not opened yet
        self._started = False
        address = page_query() if query is None else dict(urllib.parse.parse_qsl(query))
        if team is None:
            team = address.get("team", "").strip() or pdsa.default_team()
        self.guard = PageGuard()
        self.guard.layout.display = "none"

        # messages
        self.message = tagged(error_box(), "message")
        self.notes = tagged(note_box(), "note")

        self._build_workspace(team)

        # project choice
        self.user = labelled(w.Text, "Your name", "user", value=user, placeholder="who is entering")
        self.project = labelled(w.Dropdown, "Project", "project", "46em", options=[])
        self.example_button = button("Load the example project", True, css="example")
        self.new_name = labelled(w.Text, "Name", "new-name", "40em")
        self.new_aim = labelled(
            w.Textarea, "Aim", "new-aim", "40em", placeholder="how much, by when, for whom"
        )
        self.new_team = labelled(w.Text, "Team", width="40em")
        self.create_button = button("Create the project", css="create")
        self.aim_text = tagged(w.HTML(""), "aim")

        # measures and values
        self._build_measure_form()
        self.period = labelled(w.Text, "Period start", "period", placeholder="YYYY-MM-DD")
        self.numerator = labelled(w.Text, "Numerator", "numerator")
        self.denominator = labelled(w.Text, "Denominator", "denominator")
        self.value = labelled(w.Text, "Value (counts, measurements)", "value")
        self.comment = labelled(w.Text, "Comment")
        self.replace = w.Checkbox(description="Replace the result already entered for this period")
        self.save_button = button("Save", True, css="save")
        self.paste = tagged(
            w.Textarea(
                placeholder="One period a line: 2025-01-06, 17, 30 (period, numerator, "
                "denominator) or 2025-01-06, 12 (period, value)",
                layout=wide("40em", height="8em"),
            ),
            "paste",
        )
        self.paste_button = button("Add these values", css="paste-save")
        self.values_upload = tagged(
            upload_button("Upload values (CSV or Excel)", accept=".csv,.txt,.xlsx"),
            "values-upload",
        )
        self.values_table = tagged(w.HTML(""), "values")
        self.values_download = tagged(
            download_on_demand("Values (Excel)", "pdsa_values.xlsx", self._values_bytes, XLSX),
            "values-download",
        )

        self._build_cycle_form()

        # chart, history, export
        self.chart = tagged(w.HTML(""), "chart")
        self.chart_download = download_button(b"", "run_chart.png", "Chart (PNG)", "image/png")
        self._build_exports()

        self._layout()
        self._wire()
        self.guard.name = self.user.value
        self._show_workspace()
        if not self.team.value.strip() or self._safe(self.open_workspace) is None:
            if not self.locked:
                self._refresh_projects()
        self._started = True

    # ------------------------------------------------------------------ layout

    def _layout(self) -> None:
        new_project = fold(
            "Start a new project", self.new_name, self.new_aim, self.new_team, self.create_button
        )
        new_measure = self._measure_fold()
        values_tab = w.VBox(
            [
                w.HTML(
                    "<b>The family of measures</b>: the outcome the aim is about, the process "
                    "that shows whether the change is being done, and the balancing measures "
                    "that show what could get worse. Choose a measure below to see or enter its "
                    "values and to draw its run chart."
                ),
                self.family_table,
                self.measure,
                self.measure_notes,
                new_measure,
                w.HTML("<b>Enter one period</b>"),
                self.period,
                self.numerator,
                self.denominator,
                self.value,
                self.comment,
                self.replace,
                self.save_button,
                w.HTML("<b>Or paste several periods, or upload a file</b>"),
                self.paste,
                row(self.paste_button, self.values_upload),
                w.HTML("<b>Values entered</b>"),
                self.values_table,
                self.values_download,
            ]
        )
        cycles_tab = self._cycles_tab()
        chart_tab = w.VBox([self.chart, self.chart_download])
        history_tab, export_tab = self._history_tab(), self._export_tab()
        self.tabs = w.Tab(
            children=[values_tab, cycles_tab, chart_tab, history_tab, export_tab],
            titles=("Values", "PDSA cycles", "Run chart", "History", "Export and import"),
        )
        protect = self._protect_fold()
        self.body = w.VBox(
            [
                row(self.project, self.example_button),
                self.aim_text,
                new_project,
                protect,
                self.tabs,
            ]
        )
        self.set_children(
            [
                w.HTML("<h3>PDSA tracker</h3>"),
                row(self.team, self.code, self.team_button),
                row(self.user),
                self.workspace_text,
                self.message,
                self.notes,
                self.body,
                self.guard,
            ]
        )

    def _wire(self) -> None:
        self.team_button.on_click(lambda _: self._safe(self.open_workspace))
        self.example_button.on_click(lambda _: self._safe(self.load_example))
        self.create_button.on_click(lambda _: self._safe(self.create_project))
        self.project.observe(lambda _: self._unless_quiet(self._show_project), names="value")
        self.measure.observe(lambda _: self._unless_quiet(self._show_measure), names="value")
        self.tabs.observe(lambda _: self._safe(self._maybe_draw), names="selected_index")
        self._wire_measure_form()
        for box in (self.period, self.numerator, self.denominator, self.value):
            box.observe(lambda _: self.check_form(), names="value")
        self.save_button.on_click(lambda _: self._safe(self.save_value))
        self.paste_button.on_click(lambda _: self._safe(self.add_pasted))
        self.values_upload.observe(self._on_values_upload, names="value")
        self.cycle.observe(lambda _: self._unless_quiet(self._show_cycle), names="value")
        self.cycle_save.on_click(lambda _: self._safe(self.save_cycle))
        self.cycle_reload.on_click(lambda _: self._safe(self.reload_cycle))
        self.import_upload.observe(self._on_import, names="value")
        self.code_button.on_click(lambda _: self._safe(self.set_access_code))
        for box in (*self.fields.values(), self.decision, self.start_date, self.end_date):
            box.observe(lambda _: self._update_guard(), names="value")
        self.kept.observe(lambda _: self._update_guard(), names="value")
        self.paste.observe(lambda _: self._update_guard(), names="value")
        self.user.observe(lambda change: setattr(self.guard, "name", change["new"]), "value")
        self.guard.observe(self._on_remembered_name, names="remembered_name")

    def _on_remembered_name(self, change: dict[str, Any]) -> None:
        if change["new"] and not self.user.value.strip():
            self.user.value = change["new"]

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = "PDSA tracker"
        return bundle

    # ------------------------------------------------------------------ helpers

    def _safe(self, fn: Callable[..., Any], *args: Any) -> Any:
        clear_message(self.notes)
        return self.run_safely(fn, self.message, *args)

    def _unless_quiet(self, fn: Callable[[], Any]) -> None:
        if not self._quiet:
            self._safe(fn)

    def _set_options(self, dropdown: w.Dropdown, options: list, value: Any) -> None:
        """Change a list's options and choice without running its callbacks."""
        self._quiet = True
        try:
            dropdown.options = options
            dropdown.value = value
        finally:
            self._quiet = False

    def _note(self, text: str) -> None:
        show_notes(self.notes, [text])

    def _user(self) -> str:
        name = self.user.value.strip()
        if not name:
            raise InputError(
                "Your name is empty",
                todo="Type your name at the top, so the history shows who entered what",
            )
        return name

    def _need_project(self) -> int:
        if self.project_id is None:
            raise InputError(
                "No project is open",
                todo="Choose a project, load the example project, or start a new one",
            )
        return self.project_id

    def _values_bytes(self) -> bytes:
        """The chosen measure's values as a workbook (built when asked for)."""
        measure = self._need_measure()
        shown = pdsa.readable_values(
            self.store.values(measure["id"]), measure["kind"], measure["unit"]
        )
        title = pdsa.measure_title(measure["name"], measure["role"])
        return to_excel_bytes({"Values": shown}, title=title)

    def _need_measure(self) -> dict[str, Any]:
        if self.measure.value is None:
            raise InputError("This project has no measure yet", todo="Add a measure first")
        return self.store.get_measure(self.measure.value)

    # ------------------------------------------------------------------ projects

    def _refresh_projects(self, select: int | None = None) -> None:
        projects = self.store.list_projects()
        options = [(str(n), int(i)) for n, i in zip(projects["name"], projects["id"], strict=True)]
        current = select if select is not None else self.project.value
        ids = [i for _, i in options]
        chosen = current if current in ids else (ids[0] if ids else None)
        self._set_options(self.project, options, chosen)
        self._show_project()

    def load_example(self) -> int:
        """Add the synthetic project (once) and open it."""
        pid = pdsa.load_example_project(self.store, today=self.today)
        self._refresh_projects(select=pid)
        roles = self.store.list_measures(pid)["role"].tolist()
        if "outcome" in roles:
            self._note(
                "The example project is open: Pezali Lake Health Centre, malaria testing, with "
                "its family of measures (outcome, process and balancing measures)."
            )
        else:  # loaded into this workspace before the example had its family of measures
            self._note(
                "The example project is open: Pezali Lake Health Centre, malaria testing. This "
                "copy was saved here before the example had its outcome and balancing measures."
            )
        return pid

    def create_project(self) -> int:
        pid = self.store.create_project(
            self.new_name.value, user=self._user(), aim=self.new_aim.value, team=self.new_team.value
        )
        self.new_name.value = self.new_aim.value = self.new_team.value = ""
        self._refresh_projects(select=pid)
        self._note("The project was created. Add its measure under 'Add a measure'.")
        return pid

    def _show_project(self) -> None:
        self.project_id = self.project.value
        if self.project_id is None:
            self.aim_text.value = (
                "<p>No project yet: click <b>Load the example project</b>, or start a new one.</p>"
            )
            self._set_options(self.measure, [], None)
            self._show_cycles()
            self._show_measure()
            self._show_exports()
            return
        project = self.store.get_project(self.project_id)
        self.aim_text.value = (
            f"<p><b>Aim:</b> {html.escape(project['aim'] or '(none written yet)')}<br>"
            f"<b>Team:</b> {html.escape(project['team'] or '(none written yet)')}</p>"
        )
        measures = self.store.list_measures(self.project_id)
        options = [
            (pdsa.measure_title(n, r), int(i))
            for n, r, i in zip(measures["name"], measures["role"], measures["id"], strict=True)
        ]
        self._set_options(self.measure, options, options[0][1] if options else None)
        self._show_cycles()
        self._show_measure()
        self._show_exports()

    # ------------------------------------------------------------------ measures and values

    def _show_measure(self) -> None:
        self._show_family()
        if self.measure.value is None:
            self._show_measure_notes(None)
            self.values_table.value = "<p>No measure yet.</p>"
            self.chart.value = (
                "<p>No measure yet: the run chart appears when values are entered.</p>"
            )
            self.values_download.reset()
            update_download(self.chart_download, None)
            return
        measure = self.store.get_measure(self.measure.value)
        self._show_measure_notes(measure)
        proportion = measure["kind"] == "proportion"
        for box in (self.numerator, self.denominator):
            box.layout.display = "" if proportion else "none"
        self.value.layout.display = "none" if proportion else ""
        values = self.store.values(self.measure.value)
        shown = pdsa.readable_values(values, measure["kind"], measure["unit"])
        self.values_table.value = table_html(
            shown.iloc[::-1], "phcpm-table", "No values entered yet."
        )
        self.values_download.reset()  # a file built earlier holds the values before
        self._chart_stale = True
        self._chart_png = None
        self._maybe_draw()

    def _maybe_draw(self) -> None:
        """Draw the run chart when its tab is open and the data changed since the last drawing."""
        if self.tabs.selected_index == 2 and self._chart_stale:
            self.draw_chart()

    def draw_chart(self) -> None:
        """Draw the run chart of the chosen measure with the PDSA cycles as notes."""
        self._chart_stale = False
        if self.measure.value is None:
            return
        chart = pdsa.run_chart(self.store, self.measure.value)
        if chart is None:
            self.chart.value = "<p>The run chart needs at least two periods.</p>"
            update_download(self.chart_download, None)
            return
        self.figure = chart.figure
        png = figure_bytes(chart.figure, "png")
        self._chart_png = png
        self.chart.value = (
            f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
            f'alt="{html.escape(chart.description, quote=True)}" style="max-width:100%">'
            + "".join(f"<p>{html.escape(s)}</p>" for s in chart.sentences)
        )
        update_download(self.chart_download, png, "run_chart.png", "Chart (PNG)", "image/png")

    def check_form(self) -> bool:
        """Check the typed entry without saving it; show what is wrong. True when it is fine."""
        if self.measure.value is None:
            return False
        clear_message(self.message)
        try:
            self._checked_entry()
        except InputError as err:
            show_error(self.message, err)
            return False
        return True

    def _checked_entry(self) -> tuple[Any, dict[str, Any]]:
        measure = self._need_measure()
        period = self.period.value.strip()
        entry = {c: getattr(self, c).value for c in pdsa.value_columns(measure["kind"])[1:]}
        pdsa.check_entry(
            measure["kind"], period, today=self.today, measure_name=measure["name"], **entry
        )
        return period, entry

    def save_value(self) -> int:
        """Save the typed entry; on a mistake the form keeps what was typed."""
        user = self._user()
        period, entry = self._checked_entry()
        vid = self.store.add_value(
            self.measure.value,
            period,
            user=user,
            comment=self.comment.value,
            replace=self.replace.value,
            today=self.today,
            **entry,
        )
        saved = period
        self.numerator.value = self.denominator.value = self.value.value = ""
        self.comment.value = ""
        self.replace.value = False
        self._show_measure()
        self._show_exports()
        self._note(f"Saved the result for the period starting {saved}.")
        return vid

    def add_pasted(self, frame: pd.DataFrame | None = None) -> int:
        """Add several periods at once (pasted lines, or ``frame``); all or nothing.

        The lines are read by :func:`phcpm.pdsa.parse_value_lines` and saved by
        :meth:`phcpm.pdsa.ProjectStore.add_values`; on a mistake nothing is
        saved and the pasted text stays for correction.
        """
        measure = self._need_measure()
        user = self._user()
        pasted = frame is None
        if pasted:
            frame = pdsa.parse_value_lines(self.paste.value, measure["kind"])
        count = self.store.add_values(
            measure["id"], frame, user=user, replace=self.replace.value, today=self.today
        )
        if pasted:
            self.paste.value = ""
        self._show_measure()
        self._show_exports()
        self._note(f"Saved {count} period{'s' if count != 1 else ''}.")
        return count

    def _on_values_upload(self, change: dict[str, Any]) -> None:
        taken = take_upload(self.values_upload, change["new"])
        if taken is not None:
            self._safe(self.add_uploaded, *taken)

    def add_uploaded(self, data: bytes, name: str = "values.csv") -> int:
        """Add the periods in an uploaded CSV or Excel file (columns period, numerator, ...)."""
        measure = self._need_measure()
        table = read_table(data, filename=name).data
        frame = pdsa.value_table(table, measure["kind"], source=f"file '{name}'")
        count = self.store.add_values(
            measure["id"], frame, user=self._user(), replace=self.replace.value, today=self.today
        )
        self._show_measure()
        self._show_exports()
        self._note(f"Saved {count} period{'s' if count != 1 else ''} from '{name}'.")
        return count
