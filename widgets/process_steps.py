"""The table of steps of the process mapper: one line of boxes per step.

Layout only: each :class:`StepRow` holds the boxes of one step and gives back
what they hold through :func:`phcpm.process.editor_row`; checking the steps and
drawing the map are done by :mod:`phcpm.process` (called by
:class:`widgets.process.ProcessMapper`).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w
import pandas as pd

from phcpm import datasets, process

__all__ = ["STEPS_CSS", "StepRow", "button", "example_steps"]

#: The value of a "next step" list when no step is chosen.
NONE = ""

#: The boxes of the table of steps are named for screen readers; the words between
#: them ("then", "if") say the same on screen, so their labels are hidden from sight.
STEPS_CSS = """<style>
.phcpm-process-step .widget-label { position: absolute; width: 1px; height: 1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.phcpm-process table.phcpm-table th, .phcpm-process table.phcpm-table td {
  overflow-wrap: normal; word-break: normal; }
</style>"""


def button(label: str, primary: bool = False) -> w.Button:
    """A button as wide as its label (primary: the main action of its tab)."""
    made = w.Button(description=label, button_style="primary" if primary else "")
    made.layout = w.Layout(width="auto", max_width="100%")
    return made


def example_steps() -> pd.DataFrame:
    """The example table of steps (``datasets/process_steps.csv``), every cell as text."""
    return datasets.load("process_steps", dtype=str, keep_default_na=False)


def _row_box(children: list[w.Widget]) -> w.HBox:
    return w.HBox(
        children,
        layout=w.Layout(
            flex_flow="row wrap",
            align_items="center",
            border_bottom="1px solid #dddddd",
            padding="2px 0",
        ),
    )


class StepRow:
    """The controls of one step in the table of steps.

    ``part(widget, name)`` names a box for page styles and tests (the tool's
    :meth:`~widgets.common.Tool.part`); ``on_change`` is called when a box
    changes and ``on_remove(row)`` when its Remove button is clicked.
    """

    def __init__(
        self,
        row: dict,
        lanes: list[str],
        on_change: Callable[[], None],
        on_remove: Callable[[StepRow], None],
        part: Callable[[w.Widget, str], w.Widget],
    ) -> None:
        self.step_id = row["step_id"]
        self._part = part
        self.id_text = w.HTML(f"<b>{html.escape(self.step_id)}</b>")
        self.id_text.layout.width = "3em"
        self.label = part(
            w.Text(
                value=row["label"],
                description=f"What happens at step {self.step_id}",
                placeholder="what happens",
                continuous_update=False,
                layout=w.Layout(width="18em", max_width="100%"),
            ),
            "step-label",
        )
        self.lane = part(
            w.Combobox(
                value=row["lane"],
                description="Who does it (lane)",
                options=lanes,
                placeholder="who does it",
                ensure_option=False,
                continuous_update=False,
                layout=w.Layout(width="11em", max_width="100%"),
            ),
            "step-lane",
        )
        self.kind = part(
            w.Dropdown(
                options=[(words, kind) for kind, words in process.KIND_WORDS.items()],
                value=row["kind"],
                description="Kind of step",
                layout=w.Layout(width="12em", max_width="100%"),
            ),
            "step-kind",
        )
        nxt = list(row.get("next") or []) + [NONE, NONE]
        self._answers = (
            list(row.get("answers") or []) + ["yes", "no"][len(row.get("answers") or []) :]
        )
        self.next = part(
            w.Dropdown(description="Next step", layout=w.Layout(width="16em", max_width="100%")),
            "step-next",
        )
        self.wanted = (nxt[0], nxt[1])
        self._targets: list[tuple[str, str]] = []
        self._on_change = on_change
        # The boxes of a question's second branch are made when the step becomes
        # a question: most steps never need them, and every box is sent to the page.
        self.if_a = self.answer = self.if_b = self.answer_b = self.next_b = None
        self.remove = w.Button(
            description="Remove", tooltip=f"Remove step {self.step_id}", icon="trash"
        )
        self.remove.layout = w.Layout(width="auto")
        self.then = w.HTML("then")
        self.box = part(_row_box([]), "step")
        self._show_branches()
        # The branches first: a step that becomes a question needs them when the map is redrawn.
        self.kind.observe(lambda _: self._show_branches(), names="value")
        for box in (self.label, self.lane, self.kind, self.next):
            box.observe(lambda _: on_change(), names="value")
        self.remove.on_click(lambda _: on_remove(self))

    def _make_branches(self) -> None:
        self.if_a = w.HTML("if")
        self.if_b = w.HTML("; if")
        self.answer = w.Text(
            value=self._answers[0],
            description="First answer",
            continuous_update=False,
            layout=w.Layout(width="5em"),
        )
        self.answer_b = w.Text(
            value=self._answers[1],
            description="Second answer",
            continuous_update=False,
            layout=w.Layout(width="5em"),
        )
        self.next_b = self._part(
            w.Dropdown(
                description="Next step after the second answer",
                layout=w.Layout(width="16em", max_width="100%"),
            ),
            "step-next-b",
        )
        if self._targets:
            self._offer(self.next_b, self.wanted[1])
        for box in (self.answer, self.next_b, self.answer_b):
            box.observe(lambda _: self._on_change(), names="value")

    def _show_branches(self) -> None:
        question = self.kind.value == "decision"
        end = self.kind.value == "end"
        if question and self.next_b is None:
            self._make_branches()
        self.then.layout.display = "none" if end else ""
        self.next.layout.display = "none" if end else ""
        self.next.description = "Next step after the first answer" if question else "Next step"
        if self.next_b is None:
            children = [self.id_text, self.label, self.lane, self.kind, self.then, self.next]
        else:
            for box in (self.if_a, self.answer, self.if_b, self.answer_b, self.next_b):
                box.layout.display = "" if question else "none"
            children = [
                self.id_text,
                self.label,
                self.lane,
                self.kind,
                self.then,
                self.if_a,
                self.answer,
                self.next,
                self.if_b,
                self.answer_b,
                self.next_b,
            ]
        self.box.children = [*children, self.remove]

    def _offer(self, box: w.Dropdown, wanted: str) -> None:
        ids = {sid for _, sid in self._targets}
        keep = box.value if box.options else wanted
        box.options = self._targets
        box.value = keep if keep in ids else NONE

    def set_targets(self, options: list[tuple[str, str]]) -> None:
        """Offer the other steps as next steps, keeping the choice when it still exists."""
        own = [(label, sid) for label, sid in options if sid != self.step_id]
        self._targets = [("(choose the next step)", NONE), *own]
        self._offer(self.next, self.wanted[0])
        if self.next_b is not None:
            self._offer(self.next_b, self.wanted[1])

    def data(self) -> dict:
        """What the boxes hold, as an editor row (see :func:`phcpm.process.editor_row`)."""
        branches = self.next_b is not None
        return process.editor_row(
            self.step_id,
            self.label.value,
            self.lane.value,
            self.kind.value,
            [self.next.value, self.next_b.value] if branches else [self.next.value],
            [self.answer.value, self.answer_b.value] if branches else [],
        )
