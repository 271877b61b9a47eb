"""Twinning planner: propose pairs of districts that support each other, and draw the web.

The pairing rule, the reasons and the drawing are in :mod:`phcpm.twinning`;
this module only builds the controls, calls those functions and shows the
results. Mistakes in an uploaded file are shown as a plain message and the
tool stays usable. Everything built from the scores is in the tool's results
area (:class:`widgets.common.Results`): a new file, a moved slider or an error
empties it before anything else, so what is shown always belongs to the
current scores and settings. Files are built only when their button is clicked.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from phcpm import twinning
from phcpm.errors import InputError
from phcpm.io import figure_bytes, read_table, to_excel_bytes
from phcpm.paths import dataset_path
from phcpm.style import use_style
from phcpm.twinning import view as twinning_view
from widgets.common import (
    Tool,
    download_on_demand,
    error_box,
    figure_html,
    note_box,
    show_notes,
    table_html,
    take_upload,
    upload_button,
)

__all__ = ["TwinningPlanner"]

_WIDE = {"description_width": "initial"}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A slider as wide as the screen allows (up to 36em), so its track can be dragged;
#: its label wraps above the track on a narrow screen.
_SLIDER = {"width": "100%", "max_width": "36em", "height": "auto"}
#: Table cells break between words only, so a wide table scrolls in its box on a phone
#: instead of splitting headings letter by letter.
_CSS = """<style>
.phcpm-twinning table.phcpm-table th, .phcpm-twinning table.phcpm-table td {
  overflow-wrap: normal; word-break: normal; min-width: 5em; }
.phcpm-twinning table.phcpm-table td:last-child { min-width: 16em; }
</style>"""


class TwinningPlanner(Tool):
    """Pairs of districts from their scores by domain, with reasons and a network diagram."""

    css_class = "phcpm-twinning"
    title = "Twinning planner"

    def __init__(self) -> None:
        use_style()
        super().__init__()
        self.scores: pd.DataFrame | None = None
        self.pairs: pd.DataFrame | None = None
        self.figure = None
        self.message = self.part(error_box(), "message")
        self.notes = self.part(note_box(), "note")
        self.example_button = self.part(
            w.Button(description="Use the example district scores", button_style="primary"),
            "example",
        )
        self.example_button.layout.width = "auto"
        self.upload = self.part(upload_button("Use my own data (CSV or Excel)"), "upload")
        self.year = self.part(w.Dropdown(options=[], description="Year", style=_WIDE), "year")
        self.max_partners = self.part(
            w.IntSlider(
                value=2,
                min=1,
                max=5,
                description="Partners per district, at most",
                style=_WIDE,
                continuous_update=False,
                layout=w.Layout(**_SLIDER),
            ),
            "max-partners",
        )
        self.min_gap = self.part(
            w.IntSlider(
                value=15,
                min=5,
                max=50,
                step=1,
                description="Smallest gap that counts (points)",
                style=_WIDE,
                continuous_update=False,
                layout=w.Layout(**_SLIDER),
            ),
            "min-gap",
        )
        self.summary = self.part(w.HTML(""), "summary")
        self.pairs_table = self.part(w.HTML(""), "pairs")
        self.network = self.part(w.HTML(""), "network")
        self.unpaired_table = self.part(w.HTML(""), "unpaired")
        self.downloads = self.part(w.HBox([]), "downloads")
        self.part(self.results, "results")
        self.register_notes(self.notes)
        self.set_children(
            [
                w.HTML(_CSS),
                w.HTML(
                    "<h3>Twinning planner</h3><p>Pairs districts so that each gives support "
                    "where it is strong and receives support where it is weak. Scores run "
                    "from 0 to 100 by domain; a file needs the columns district, domain and "
                    "score (and year, if there are several years).</p>"
                ),
                w.HBox([self.example_button, self.upload]),
                self.message,
                self.notes,
                w.HBox([self.year]),
                self.max_partners,
                self.min_gap,
                self.results,
            ]
        )
        self.example_button.on_click(lambda _: self.run_safely(self.use_example, self.message))
        self.upload.observe(self._on_upload, names="value")
        for control in (self.year, self.max_partners, self.min_gap):
            control.observe(lambda _: self._refresh(), names="value")
        self._busy = False

    # ------------------------------------------------------------------ data

    def use_example(self) -> None:
        """Load ``datasets/district_scores.csv`` and propose pairs."""
        self.set_scores(pd.read_csv(dataset_path("district_scores.csv")), "the example scores")

    def _on_upload(self, change) -> None:
        taken = take_upload(self.upload, change["new"])
        if taken is not None:
            self.run_safely(self.load_bytes, self.message, *taken)

    def load_bytes(self, data: bytes, name: str) -> None:
        """Read an uploaded CSV or Excel file of scores and propose pairs."""
        self.scores = None  # until this file is read, no scores are in use
        self.set_scores(read_table(data, filename=name).data, f"the file '{name}'")

    def set_scores(self, scores: pd.DataFrame, source: str) -> None:
        """Check the scores (headings, years, values), offer their years and propose pairs."""
        scores = twinning_view.prepare_scores(scores)
        twinning.score_table(scores)  # checks the scores; raises InputError in plain words
        self.scores = scores
        self._busy = True
        try:
            years = twinning_view.score_years(scores)
            if years:
                self.year.options = [(str(y), y) for y in years]
                self.year.value = years[-1]
                self.year.layout.display = ""
            else:
                self.year.options = []
                self.year.layout.display = "none"
        finally:
            self._busy = False
        show_notes(self.notes, [f"Scores from {source}."])
        self.propose()

    # ------------------------------------------------------------------ results

    def _refresh(self) -> None:
        if not self._busy and self.scores is not None:
            self.run_safely(self.propose, self.message)

    def _current_scores(self) -> pd.DataFrame:
        if self.scores is None:
            raise InputError("There are no scores yet", todo="Use the example scores or upload")
        return twinning_view.scores_of_year(self.scores, self.year.value)

    def propose(self) -> pd.DataFrame:
        """Propose the pairs with the current settings and show everything."""
        scores = self._current_scores()
        pairs = twinning.propose_pairs(
            scores, max_partners=int(self.max_partners.value), min_gap=int(self.min_gap.value)
        )
        self.pairs = pairs
        alone = twinning.unpaired(pairs, scores)
        shown = twinning_view.pairs_shown(pairs)
        counts = twinning_view.pairs_summary(pairs, scores, alone)
        self.summary.value = (
            f"<p><b>{counts['pairs']}</b> for {counts['districts']}; "
            f"{counts['both_ways']} of them with support both ways; "
            f"{counts['without_partner']} without a partner.</p>"
        )
        self.pairs_table.value = (
            table_html(shown)
            if len(pairs)
            else "<p>No pairs: no district is ahead of another by the smallest gap.</p>"
        )
        alone_shown = alone.rename(columns={"district": "District", "reason": "Why"})
        self.unpaired_table.value = (
            "<p><b>Districts without a partner</b></p>" + table_html(alone_shown)
            if len(alone)
            else "<p>Every district has at least one partner.</p>"
        )
        fig = twinning.plot_network(pairs, scores)
        self.figure = fig
        alt = twinning.describe_network(pairs, scores)
        self.network.value, png = figure_html(fig, alt)
        sheet = twinning_view.pairs_sheet(pairs)
        self.downloads.children = [
            download_on_demand(
                "Pairs (Excel)",
                "twinning_pairs.xlsx",
                lambda: to_excel_bytes({"Pairs": sheet, "Without a partner": alone_shown}),
                _XLSX,
            ),
            download_on_demand("Diagram (PNG)", "twinning_network.png", lambda: png, "image/png"),
            download_on_demand(
                "Diagram (SVG)",
                "twinning_network.svg",
                lambda: figure_bytes(fig, "svg"),
                "image/svg+xml",
            ),
        ]
        self.show_results(
            self.summary, self.pairs_table, self.network, self.unpaired_table, self.downloads
        )
        return pairs

    def settings(self) -> dict[str, Any]:
        return {"max_partners": self.max_partners.value, "min_gap": self.min_gap.value}
