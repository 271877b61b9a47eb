"""The PDSA tracker's measures: the family of measures and the form that adds a measure.

A measure is saved with its kind, its role in the family of measures, its
unit, which way is better (higher or lower) and how it is counted (its
operational definition). Which way is better is never guessed: the form starts
with neither choice made, and :func:`phcpm.pdsa.measure_direction` refuses a
measure without one, with a plain message. The checks and the wording live in
:mod:`phcpm.pdsa`; this module only builds the controls and calls the store.
"""

from __future__ import annotations

import html

import ipywidgets as w

from phcpm import pdsa
from widgets.pdsa_controls import button, fold, labelled, table_html, tagged, wide

__all__ = ["MeasureForm", "NEW_MEASURE"]

_KINDS = [
    ("Proportion (numerator out of denominator)", "proportion"),
    ("Count", "count"),
    ("Measurement (minutes, days ...)", "measurement"),
]
_ROLES = [
    ("Not stated", ""),
    ("Outcome: the result for patients the aim is about", "outcome"),
    ("Process: is the change being done?", "process"),
    ("Balancing: what could get worse because of the change", "balancing"),
]
_DIRECTIONS = [("higher", "higher"), ("lower", "lower")]
#: How the measure form is named in the list of boxes holding unsaved text.
NEW_MEASURE = "New measure (Add a measure)"


class MeasureForm:
    """The measures part of :class:`widgets.pdsa.PdsaTracker` (its controls and actions)."""

    def _build_measure_form(self) -> None:
        self.measure = labelled(w.Dropdown, "Measure", "measure", "40em", options=[])
        self.measure_notes = tagged(w.HTML(""), "measure-notes")
        self.new_measure_name = labelled(w.Text, "Measure name", "new-measure-name", "40em")
        self.new_measure_kind = labelled(w.Dropdown, "Kind", "new-measure-kind", options=_KINDS)
        self.new_measure_role = labelled(
            w.Dropdown,
            "Role in the family of measures",
            "new-measure-role",
            "40em",
            options=_ROLES,
            value="",
        )
        self.new_measure_unit = labelled(w.Text, "Unit", "new-measure-unit", value="%")
        self.new_measure_direction = labelled(
            w.RadioButtons,
            "Better when the value is",
            "new-measure-direction",
            options=_DIRECTIONS,
            value=None,
        )
        self.new_measure_definition = labelled(
            w.Textarea,
            "How it is counted (definition)",
            "new-measure-definition",
            layout=wide("40em", height="6em"),
            placeholder="Numerator: what is counted. Denominator: out of what. Source: which "
            "register, who counts, how often.",
        )
        self.family_table = tagged(w.HTML(""), "family")
        self.new_measure_button = button("Add the measure", css="new-measure-add")

    def _measure_fold(self) -> w.Accordion:
        return fold(
            "Add a measure",
            self.new_measure_name,
            self.new_measure_kind,
            self.new_measure_role,
            self.new_measure_unit,
            w.HTML(
                "Which way is better? For example, the share of children tested is better "
                "when <b>higher</b>; minutes waited or missed visits are better when "
                "<b>lower</b>. Choose one: the tool does not guess."
            ),
            self.new_measure_direction,
            self.new_measure_definition,
            self.new_measure_button,
        )

    def _wire_measure_form(self) -> None:
        self.new_measure_button.on_click(lambda _: self._safe(self.add_measure))
        for box in (self.new_measure_name, self.new_measure_definition):
            box.observe(lambda _: self._update_guard(), names="value")

    def unsaved_measure_text(self) -> list[str]:
        """The measure form, when its name or definition holds text not yet added."""
        typed = self.new_measure_name.value.strip() or self.new_measure_definition.value.strip()
        return [NEW_MEASURE] if typed else []

    def add_measure(self) -> int:
        """Add the measure in the form; on a mistake the form keeps what was typed."""
        mid = self.store.add_measure(
            self._need_project(),
            self.new_measure_name.value,
            self.new_measure_kind.value,
            user=self._user(),
            unit=self.new_measure_unit.value,
            role=self.new_measure_role.value,
            higher_is_better=self.new_measure_direction.value,
            definition=self.new_measure_definition.value,
        )
        self.new_measure_name.value = ""
        self.new_measure_role.value = ""
        self.new_measure_direction.value = None  # the next measure's direction is asked again
        self.new_measure_definition.value = ""
        self._show_project()
        self.measure.value = mid
        self._show_measure()
        measure = self.store.get_measure(mid)
        self._note(f"The measure was added. {pdsa.measure_notes(measure)[0]}")
        self._update_guard()
        return mid

    def _show_family(self) -> None:
        """The project's measures with their roles, directions and definitions."""
        if self.project_id is None:
            self.family_table.value = ""
            return
        self.family_table.value = table_html(
            self.store.family_of_measures(self.project_id),
            "phcpm-table",
            "No measure yet: add one under 'Add a measure'.",
        )

    def _show_measure_notes(self, measure: dict | None) -> None:
        """Which way the chosen measure is better, and how it is counted."""
        if measure is None:
            self.measure_notes.value = ""
            return
        self.measure_notes.value = "".join(
            f"<p>{html.escape(s)}</p>" for s in pdsa.measure_notes(measure)
        )
