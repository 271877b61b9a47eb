"""Indicator Selector: choose a short, balanced and affordable set of PHC indicators.

Every calculation is done by :mod:`phcpm.selection` (each change of a choice
calls :func:`phcpm.selection.pipeline.select`) and :mod:`phcpm.catalogue`; this
module only builds the controls, calls those functions and shows their results,
drawn by :mod:`widgets.indicators_views`; the tabs are laid out in
:mod:`widgets.indicators_tabs` and the Export tab is :mod:`widgets.indicators_export`. Every callback runs through
:meth:`widgets.common.Tool.run_safely`, which empties every table computed from
the inputs before it recomputes them:
what the tabs show always belongs to the current list and choices, and after an
error (a file that cannot be used, filters that match nothing) they stay empty
under a plain message. Files to save are made only when asked for. An uploaded
list is read in memory and never saved.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from phcpm.catalogue import catalogue, criteria
from phcpm.errors import InputError
from phcpm.io import read_table
from phcpm.selection import (
    ADJUSTMENT_COLUMNS,
    REQUIRED_LIST_COLUMNS,
    BalanceResult,
    filter_catalogue,
    validate_indicator_list,
    worked_example,
)
from phcpm.selection.pipeline import select
from widgets.common import (
    Tool,
    error_box,
    lazy_tabs,
    note_box,
    show_notes,
    take_upload,
    upload_button,
)
from widgets.indicators_export import XLSX, SelectionExport
from widgets.indicators_tabs import SelectorTabs
from widgets.indicators_views import (
    BURDEN_HEADINGS,
    HEADINGS,
    balance_html,
    burden_html,
    indicator_table_html,
    reference_sheets_page,
    shortlist_html,
)

__all__ = [
    "ALL",
    "BURDEN_HEADINGS",
    "HEADINGS",
    "XLSX",
    "IndicatorSelector",
    "reference_sheets_page",
]

ALL = "All"
ID = "indicator_id"
#: Filters of the Browse tab: catalogue column for each dropdown.
_FILTERS = ("framework_domain", "results_chain", "data_source", "frequency")
#: Columns of the Browse tab's table.
_SHOWN_COLUMNS = [
    ID,
    "name",
    "framework_domain",
    "results_chain",
    "dimension",
    "data_source",
    "frequency",
]


def _options(values: pd.Series) -> list[str]:
    return [ALL] + sorted({str(v) for v in values if str(v)})


class IndicatorSelector(SelectionExport, SelectorTabs, Tool):
    """Browse the catalogue, score and shortlist indicators, check balance and burden.

    The tool starts on the book's indicator catalogue. ``Load the worked example``
    sets every input to :func:`phcpm.selection.worked_example.worked_example`, the
    inputs of the Module 1 worked selection, so the app and the lesson give the same
    shortlist.
    """

    css_class = "phcpm-indicators"

    def __init__(self) -> None:
        super().__init__()
        self.catalogue: pd.DataFrame = catalogue()
        self.current: list[str] = []
        self.adjustments = pd.DataFrame(columns=list(ADJUSTMENT_COLUMNS))
        self.scored: pd.DataFrame | None = None
        self.shortlist: pd.DataFrame | None = None
        self.balance: BalanceResult | None = None
        self.burden: pd.DataFrame | None = None
        self._busy = False
        self._list_ok = False
        self._shown = False  # the results of the current inputs are computed
        self._crit = criteria()
        # The inputs of the tabs built when first opened (see _build_tabs).
        self._weights: dict[str, int] = dict.fromkeys(self._crit["criterion"], 1)
        self._facilities = 145
        self._minutes = 2.0

        self.message = self.part(error_box(), "message")
        self.notes = self.part(note_box(), "note")

        self.set_children(
            [
                w.HTML(
                    "<h2>Indicator Selector</h2><p>Choose a short set of indicators for your "
                    "performance review: rate them, shortlist the best, check the balance of "
                    "the set and the reporting time it costs facilities.</p>"
                ),
                self._build_source(),
                self.message,
                self.notes,
                self._build_tabs(),
            ]
        )
        self.root = self.widget
        # Everything computed from the list and the choices is emptied before each
        # recomputation and stays empty after an error.
        self.results.track(self.catalogue_count, self.catalogue_table, self.shortlist_table)
        self.run_safely(self.use_catalogue, self.message)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        return "Indicator Selector: browse, score, shortlist, balance, burden, reference sheets"

    # ------------------------------------------------------------------ layout
    def _build_source(self) -> w.Widget:
        self.example_button = self.part(
            w.Button(description="Load the worked example", button_style="primary"),
            "worked-example",
        )
        self.example_button.layout.width = "auto"
        self.catalogue_button = self.part(
            w.Button(description="Use the catalogue"), "use-catalogue"
        )
        self.upload = self.part(upload_button("Use my own list"), "upload")
        self.example_button.on_click(self._load_example)
        self.catalogue_button.on_click(lambda _b: self.run_safely(self.use_catalogue, self.message))
        self.upload.observe(self._on_upload, names="value")
        help_text = w.HTML(
            "<small>Your own list: a CSV or Excel file with one row per indicator and at "
            f"least the columns {', '.join(REQUIRED_LIST_COLUMNS)} (download the "
            "catalogue below to see the format).</small>"
        )
        return w.VBox(
            [w.HBox([self.example_button, self.catalogue_button, self.upload]), help_text]
        )

    def _build_tabs(self) -> w.Tab:
        """Browse and Shortlist are built at once; Score, Balance, Burden and Export
        when first opened (their inputs start at the values kept in the tool)."""
        browse, shortlist = self._build_browse(), self._build_shortlist()
        self.sections = lazy_tabs(
            [
                ("1. Browse", browse),
                ("2. Score", self._build_score),
                ("3. Shortlist", shortlist),
                ("4. Balance", self._build_balance),
                ("5. Burden", self._build_burden),
                ("6. Export", self._build_export),
            ]
        )
        self.tabs = self.sections.widget
        return self.tabs

    def open_tab(self, index: int) -> None:
        """Open tab ``index`` (0 to 5), building it if it has never been opened."""
        self.sections.open(index)

    def clear_results(self, results=None) -> None:
        if results is None or results is self.results:
            self._shown = False
        super().clear_results(results)

    def _on_weight(self, code: str, change) -> None:
        self._weights[code] = int(change["new"])
        self._on_change(change)

    def _on_burden_input(self, change) -> None:
        self._facilities = int(self.facilities.value)
        self._minutes = float(self.minutes.value)
        self._on_change(change)

    def _offer_indicators(self) -> None:
        """The indicators of the list in use, in the Score tab's list of changes."""
        frame = self.catalogue
        labels = [(f"{i}: {n}", i) for i, n in zip(frame[ID], frame["name"], strict=True)]
        self.adj_indicator.options = labels

    def _render_adjustments(self) -> None:
        self.adj_table.value = (
            indicator_table_html(self.adjustments)
            if len(self.adjustments)
            else "<p>No changes: the starting ratings are used.</p>"
        )

    def _render_score(self) -> None:
        self._render_adjustments()
        shown = self._shown and self.scored is not None
        scores = indicator_table_html(self.scored.round(1), max_rows=30) if shown else ""
        self.scores_table.value = scores

    def _render_burden(self) -> None:
        shown = self._shown and self.burden is not None
        self.burden_table.value = burden_html(self.burden) if shown else ""

    # ------------------------------------------------------------------ messages
    def _safely(self, action) -> bool:
        """Run ``action``; any error becomes a message. True when it worked."""

        def run() -> bool:
            action()
            return True

        return bool(self.run_safely(run, self.message))

    # ------------------------------------------------------------------ data source
    def _set_catalogue(
        self, frame: pd.DataFrame, current: list[str], note: str, compute: bool = True
    ) -> None:
        """Use ``frame`` as the catalogue, reset the choices, then (by default) recompute."""
        self._busy = True
        try:
            self._list_ok = True
            self.catalogue = frame
            self.current = list(current)
            self.adjustments = self.adjustments.iloc[0:0]
            ids = frame[ID].tolist()
            labels = [(f"{i}: {n}", i) for i, n in zip(ids, frame["name"], strict=True)]
            filters = (self.f_domain, self.f_chain, self.f_source, self.f_freq)
            for control, column in zip(filters, _FILTERS, strict=True):
                control.options = _options(frame[column])
                control.value = ALL
            self.f_text.value = ""
            self.must.value = ()
            self.exclude.value = ()
            self.must.options = labels
            self.exclude.options = labels
            if self.sections.built[1]:
                self._offer_indicators()
            self.k.max = max(1, min(40, len(ids)))
        finally:
            self._busy = False
        show_notes(self.notes, note)
        if compute:
            self._compute()

    def use_catalogue(self) -> None:
        """Start again on the book's catalogue, with Sendara's monthly report as current list."""
        cat = catalogue()
        current = worked_example(cat)["current"]
        self._set_catalogue(
            cat,
            current,
            f"Using the book's catalogue of {len(cat)} indicators. The current list is the "
            f"{len(current)} indicators of Sendara's monthly HMIS report.",
        )

    def _on_upload(self, change) -> None:
        taken = take_upload(self.upload, change["new"])
        if taken is not None:
            data, name = taken
            self._safely(lambda: self.load_bytes(data, name))

    def load_bytes(self, data: bytes, name: str | None = None) -> None:
        """Use an uploaded indicator list (its bytes); an unusable file raises InputError.

        Until a file is accepted no list is in use, so nothing computed from the
        previous list stays on screen or comes back when a control changes."""
        self._list_ok = False
        show_notes(self.notes, None)
        table = read_table(data, filename=name)
        frame = validate_indicator_list(table.data.reset_index(drop=True))
        self._set_catalogue(
            frame,
            frame[ID].tolist(),
            f"Using your list '{name or 'your file'}' with {len(frame)} indicators. "
            "The current list is your whole list.",
        )

    def load_list(self, frame: pd.DataFrame, name: str = "your list") -> bool:
        """Use a user's indicator table (as read from a file). True when it was accepted."""

        def load() -> None:
            self._list_ok = False
            checked = validate_indicator_list(frame)
            self._set_catalogue(
                checked,
                checked[ID].tolist(),
                f"Using {name} with {len(checked)} indicators. "
                "The current list is your whole list.",
            )

        return self._safely(load)

    def _load_example(self, _button) -> None:
        self._safely(self.load_worked_example)

    def load_worked_example(self) -> None:
        """Set every input to the Module 1 worked example."""
        cat = catalogue()
        example = worked_example(cat)
        self._set_catalogue(
            cat,
            example["current"],
            "Loaded the worked example of Module 1: Sendara's district team chooses "
            f"{example['k']} indicators for its quarterly review.",
            compute=False,
        )
        self._busy = True
        try:
            self.adjustments = example["adjustments"].copy()
            self._weights = {
                code: int(round(example["weights"].get(code, 0))) for code in self._weights
            }
            self._facilities = int(example["facilities"])
            self._minutes = float(example["minutes_per_value"])
            if self.sections.built[1]:
                for code, slider in self.sliders.items():
                    slider.value = self._weights[code]
            if self.sections.built[4]:
                self.facilities.value = self._facilities
                self.minutes.value = self._minutes
            self.k.value = example["k"]
            self.must.value = tuple(example["must_include"])
            self.exclude.value = tuple(example["exclude"])
        finally:
            self._busy = False
        self._compute()

    # ------------------------------------------------------------------ adjustments
    def _add_adjustment(self, _button) -> None:
        if self.adj_indicator.value is None:
            raise InputError(
                "No indicator is chosen",
                where="the list 'Indicator' of the Score tab",
                todo="Choose an indicator first",
            )
        row = pd.DataFrame(
            [
                {
                    "indicator_id": self.adj_indicator.value,
                    "criterion": self.adj_criterion.value,
                    "rating": int(self.adj_rating.value),
                    "reason": self.adj_reason.value.strip(),
                }
            ]
        )
        self.adjustments = pd.concat([self.adjustments, row], ignore_index=True)
        self.adj_reason.value = ""
        self._compute()

    def _clear_adjustments(self, _button) -> None:
        self.adjustments = self.adjustments.iloc[0:0]
        self._compute()

    # ------------------------------------------------------------------ pipeline
    def weights(self) -> dict[str, float]:
        """The weights set on the sliders (each 1 until the Score tab changes it)."""
        return {code: float(v) for code, v in self._weights.items() if v > 0}

    def _filters(self) -> dict[str, str | None]:
        """Catalogue column -> value chosen in the Browse tab (None for 'All')."""
        controls = (self.f_domain, self.f_chain, self.f_source, self.f_freq)
        return {
            column: (None if control.value in (ALL, None) else control.value)
            for column, control in zip(_FILTERS, controls, strict=True)
        }

    def candidates(self) -> pd.DataFrame:
        """Catalogue rows that match the filters (:func:`~phcpm.selection.filter_catalogue`)."""
        return filter_catalogue(self.catalogue, self._filters(), self.f_text.value)

    def _on_change(self, _change) -> None:
        if not self._busy:
            self._refresh()

    def _refresh(self) -> None:
        self.run_safely(self._compute, self.message)

    def _compute(self) -> None:
        """Run the whole selection (:func:`phcpm.selection.pipeline.select`) and show it."""
        if not self._list_ok:
            raise InputError(
                "No indicator list is in use: the last file could not be used",
                where="the buttons at the top of the tool",
                todo="Choose another file, or click 'Use the catalogue' or 'Load the worked "
                "example'",
            )
        if self.sections.built[1]:
            self._render_adjustments()
        self.scored = self.shortlist = self.balance = self.burden = None
        result = select(
            self.catalogue,
            self._filters(),
            self.f_text.value,
            adjustments=self.adjustments,
            weights=self.weights(),
            k=int(self.k.value),
            must=self.must.value,
            exclude=self.exclude.value,
            current=self.current,
            facilities=self._facilities,
            minutes=self._minutes,
        )
        cands = result.candidates
        self.catalogue_count.value = (
            f"<p><b>{len(cands)}</b> of {len(self.catalogue)} indicators match.</p>"
        )
        shown = [c for c in _SHOWN_COLUMNS if c in cands.columns]
        self.catalogue_table.value = indicator_table_html(cands[shown])
        if result.notes:
            show_notes(self.notes, list(result.notes))
        self.scored, self.shortlist = result.scored, result.shortlist
        self.balance, self.burden = result.balance, result.burden
        self.shortlist_table.value = shortlist_html(self.shortlist)
        self._shown = True
        # What the tabs opened so far show; the others draw it when first opened.
        if self.sections.built[1]:
            self._render_score()
        if self.sections.built[3]:
            self._show_balance(self.balance)
        if self.sections.built[4]:
            self._render_burden()

    def _show_balance(self, result: BalanceResult) -> None:
        self.warnings.value, self.balance_chart.value = balance_html(result)
