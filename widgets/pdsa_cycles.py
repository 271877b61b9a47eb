"""The PDSA tracker's cycle form: one PDSA cycle as the IHI worksheet, saved without overwriting.

The fields follow the Institute for Healthcare Improvement's *PDSA Worksheet*
(:data:`phcpm.pdsa.CYCLE_TEXT_FIELDS`). An edit is saved only if nobody else
saved the cycle since it was opened (:meth:`phcpm.pdsa.ProjectStore.update_cycle`);
otherwise the typed text is kept in a box below the form to copy back.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from phcpm import pdsa
from phcpm.errors import InputError
from widgets.pdsa_controls import NEW_CYCLE, button, labelled, row, table_html, tagged, wide

__all__ = ["CONFLICT_MESSAGE", "CycleForm"]

#: Shown when someone else saved the same cycle first (optimistic concurrency).
CONFLICT_MESSAGE = (
    "Someone else changed this cycle since you opened it, so your changes were not saved "
    "and nothing of theirs was lost. Click 'Reload the cycle' to see their version; your "
    "text is kept below, so you can copy it back."
)
_ONE_LINE = ("title", "plan_who", "plan_when", "plan_where")
_DECISIONS = [(pdsa.DECISION_WORDS[d], d) for d in ("undecided", "adopt", "adapt", "abandon")]


class CycleForm:
    """The PDSA cycles part of :class:`widgets.pdsa.PdsaTracker` (its controls and actions)."""

    def _build_cycle_form(self) -> None:
        new = [(NEW_CYCLE, NEW_CYCLE)]
        self.cycle = labelled(w.Dropdown, "Cycle", "cycle", "46em", options=new)
        self.fields: dict[str, w.Widget] = {
            field: labelled(
                w.Text if field in _ONE_LINE else w.Textarea,
                pdsa.FIELD_WORDS[field],
                f"cycle-{field.replace('_', '-')}",
                "46em",
            )
            for field in pdsa.CYCLE_TEXT_FIELDS
        }
        self.decision = labelled(
            w.Dropdown, "Act: decision", "cycle-decision", options=_DECISIONS, value="undecided"
        )
        self.start_date = labelled(w.Text, "Start date", "cycle-start", placeholder="YYYY-MM-DD")
        self.end_date = labelled(w.Text, "End date", "cycle-end", placeholder="YYYY-MM-DD")
        self.cycle_save = button("Save the cycle", True, css="cycle-save")
        self.cycle_reload = button("Reload the cycle", css="cycle-reload")
        self.kept = labelled(
            w.Textarea,
            "Your text (not saved)",
            "kept",
            layout=wide("46em", height="12em", display="none"),
        )
        self.cycles_table = tagged(w.HTML(""), "cycles")
        self.cycle_status = tagged(w.HTML(""), "cycle-status")

    def _cycles_tab(self) -> w.VBox:
        """The cycle form and the table of all cycles."""
        return w.VBox(
            [
                self.cycle,
                *self.fields.values(),
                self.decision,
                self.start_date,
                self.end_date,
                row(self.cycle_save, self.cycle_reload, self.cycle_status),
                self.kept,
                w.HTML("<b>All cycles</b>"),
                self.cycles_table,
            ]
        )

    def _show_cycles(self, select: int | None = None) -> None:
        if self.project_id is None:
            self._set_options(self.cycle, [(NEW_CYCLE, NEW_CYCLE)], NEW_CYCLE)
            self.cycles_table.value = ""
            self._show_cycle()
            return
        cycles = self.store.list_cycles(self.project_id)
        options = [(NEW_CYCLE, NEW_CYCLE)] + [
            (f"PDSA {n}: {t}", int(i))
            for n, t, i in zip(cycles["number"], cycles["title"], cycles["id"], strict=True)
        ]
        keep = select if select is not None else self.cycle.value
        ids = [o[1] for o in options[1:]]
        self._set_options(self.cycle, options, keep if keep in ids else NEW_CYCLE)
        self.cycles_table.value = table_html(
            pdsa.readable_cycles(cycles), "phcpm-table", "No cycles yet."
        )
        self._show_cycle()

    def _show_cycle(self) -> None:
        if self.cycle.value == NEW_CYCLE or self.cycle.value is None:
            self.cycle_version = None
            for box in self.fields.values():
                box.value = ""
            self.decision.value = "undecided"
            self.start_date.value = self.end_date.value = ""
            self._update_guard()
            return
        cycle = self.store.get_cycle(self.cycle.value)
        self.cycle_version = int(cycle["version"])
        for field, box in self.fields.items():
            box.value = cycle[field] or ""
        self.decision.value = cycle["act_decision"]
        self.start_date.value = cycle["start_date"] or ""
        self.end_date.value = cycle["end_date"] or ""
        self._update_guard()

    def _form_cycle(self) -> dict[str, Any]:
        data: dict[str, Any] = {f: box.value for f, box in self.fields.items()}
        data["act_decision"] = self.decision.value
        data["start_date"] = self.start_date.value.strip() or None
        data["end_date"] = self.end_date.value.strip() or None
        return data

    def _kept_text(self, data: dict[str, Any]) -> str:
        return "\n".join(f"{pdsa.FIELD_WORDS[f]}: {v}" for f, v in data.items() if v)

    def save_cycle(self) -> dict[str, Any]:
        """Save the cycle form: a new cycle, or an edit checked against the version opened."""
        user = self._user()
        data = self._form_cycle()
        pid = self._need_project()
        if self.cycle.value == NEW_CYCLE:
            title = data.pop("title")
            saved = self.store.add_cycle(pid, user=user, title=title, **data)
            self._show_cycles(select=int(saved["id"]))
            self._note(f"PDSA cycle {saved['number']} was saved.")
        else:
            try:
                saved = self.store.update_cycle(
                    self.cycle.value, expected_version=self.cycle_version, user=user, **data
                )
            except InputError as err:
                if "Someone else changed" in err.what:
                    self.kept.value = self._kept_text(data)
                    self.kept.layout.display = ""
                    raise InputError(CONFLICT_MESSAGE) from None
                raise
            self.cycle_version = int(saved["version"])
            self._show_cycles(select=int(saved["id"]))
            self._note(f"PDSA cycle {saved['number']} was saved.")
        self.kept.layout.display = "none"
        self.kept.value = ""
        self._show_measure()
        self._show_exports()
        self._update_guard()
        return saved

    def reload_cycle(self) -> None:
        """Show the saved version of the cycle (the kept text stays visible)."""
        self._show_cycle()
        self._note("The saved version of the cycle is shown; your text is still in the box below.")
