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
from widgets.common import (
    Tool,
    download_on_demand,
    error_box,
    image_html,
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
_SHOWN = {
    "district_a": "District A",
    "district_b": "District B",
    "a_supports_b_in": "A supports B in",
    "b_supports_a_in": "B supports A in",
    "total_gap": "Total gap (points)",
    "reason": "Why this pair",
}


def _css(widget: w.Widget, part: str) -> w.Widget:
    widget.add_class(f"phcpm-twinning-{part}")
    return widget


class TwinningPlanner(Tool):
    """Pairs of districts from their scores by domain, with reasons and a network diagram."""

    css_class = "phcpm-twinning"

    def __init__(self) -> None:
        use_style()
        super().__init__()
        self.scores: pd.DataFrame | None = None
        self.pairs: pd.DataFrame | None = None
        self.figure = None
        self.message = _css(error_box(), "message")
        self.notes = _css(note_box(), "note")
        self.example_button = _css(
            w.Button(description="Use the example district scores", button_style="primary"),
            "example",
        )
        self.example_button.layout.width = "auto"
        self.upload = _css(upload_button("Use my own data (CSV or Excel)"), "upload")
        self.year = _css(w.Dropdown(options=[], description="Year", style=_WIDE), "year")
        self.max_partners = _css(
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
        self.min_gap = _css(
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
        self.summary = _css(w.HTML(""), "summary")
        self.pairs_table = _css(w.HTML(""), "pairs")
        self.network = _css(w.HTML(""), "network")
        self.unpaired_table = _css(w.HTML(""), "unpaired")
        self.downloads = _css(w.HBox([]), "downloads")
        self.results.add_class("phcpm-twinning-results")
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

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = "Twinning planner"
        return bundle

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
        table = read_table(data, filename=name).data
        table.columns = [str(c).strip().lower() for c in table.columns]
        self.set_scores(table, f"the file '{name}'")

    def set_scores(self, scores: pd.DataFrame, source: str) -> None:
        if "year" in scores.columns:
            years = pd.to_numeric(scores["year"], errors="coerce")
            if years.isna().any():
                raise InputError(
                    "Some years are not numbers", todo="Write years as numbers, for example 2025"
                )
            scores = scores.assign(year=years.astype("int64"))
        twinning.score_table(scores)  # checks the scores; raises InputError in plain words
        self.scores = scores
        self._busy = True
        try:
            if "year" in scores.columns:
                years = sorted(scores["year"].unique().tolist())
                self.year.options = [(str(y), int(y)) for y in years]
                self.year.value = int(years[-1])
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
        if "year" in self.scores.columns and self.year.value is not None:
            return self.scores[self.scores["year"] == self.year.value].drop(columns="year")
        return self.scores

    def propose(self) -> pd.DataFrame:
        """Propose the pairs with the current settings and show everything."""
        scores = self._current_scores()
        pairs = twinning.propose_pairs(
            scores, max_partners=int(self.max_partners.value), min_gap=int(self.min_gap.value)
        )
        self.pairs = pairs
        alone = twinning.unpaired(pairs, scores)
        shown = pairs[list(_SHOWN)].rename(columns=_SHOWN)
        n_districts = scores["district"].nunique()
        self.summary.value = (
            f"<p><b>{len(pairs)} pair{'s' if len(pairs) != 1 else ''}</b> for {n_districts} "
            f"district{'s' if n_districts != 1 else ''}; "
            f"{int(pairs['reciprocal'].sum())} of them with support both ways; "
            f"{len(alone)} district{'s' if len(alone) != 1 else ''} without a partner.</p>"
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
        png = figure_bytes(fig, "png")
        alt = twinning.describe_network(pairs, scores)
        self.network.value = image_html(png, alt)
        sheet = shown.assign(
            **{
                "Support both ways": pairs["reciprocal"].map({True: "Yes", False: "No"}),
                "Gaps in detail": pairs["gap_details"],
            }
        )
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
