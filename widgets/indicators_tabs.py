"""The Indicator Selector's tabs: Browse, Score, Shortlist, Balance and Burden.

:class:`SelectorTabs` builds each tab's controls and layout for
:class:`widgets.indicators.IndicatorSelector` (which calls these builders
when a tab is first opened); what the controls do lives in the tool.
"""

from __future__ import annotations

from functools import partial

import ipywidgets as w

from widgets.common import lazy_accordion
from widgets.indicators_views import indicator_table_html, words

__all__ = ["SelectorTabs"]

_WIDE = {"description_width": "initial"}


class SelectorTabs:
    """The tab builders of the Indicator Selector (a part of the tool)."""

    def _build_browse(self) -> w.Widget:
        self.f_domain = self.part(
            w.Dropdown(description="PHCPI domain", style=_WIDE), "filter-domain"
        )
        self.f_chain = self.part(
            w.Dropdown(description="Results chain", style=_WIDE), "filter-chain"
        )
        self.f_source = self.part(
            w.Dropdown(description="Data source", style=_WIDE), "filter-source"
        )
        self.f_freq = self.part(
            w.Dropdown(description="Frequency", style=_WIDE), "filter-frequency"
        )
        self.f_text = self.part(
            w.Text(description="Search", placeholder="word in name or definition", style=_WIDE),
            "search",
        )
        self.f_text.continuous_update = False
        for control in (self.f_domain, self.f_chain, self.f_source, self.f_freq, self.f_text):
            control.observe(self._on_change, names="value")
        self.catalogue_count = w.HTML()
        self.catalogue_table = self.part(w.HTML(), "catalogue")
        return w.VBox(
            [
                w.HTML(
                    "<p>The indicators that match the filters are the <b>candidates</b> "
                    "scored in the next steps.</p>"
                ),
                w.HBox([self.f_domain, self.f_chain]),
                w.HBox([self.f_source, self.f_freq]),
                self.f_text,
                self.catalogue_count,
                self.catalogue_table,
            ]
        )

    def _build_score(self) -> w.Widget:
        self.sliders: dict[str, w.IntSlider] = {}
        rows = []
        for crit in self._crit.itertuples():
            slider = w.IntSlider(
                value=self._weights.get(crit.criterion, 1),
                min=0,
                max=5,
                description=words(crit.criterion),
                tooltip=crit.definition,
                continuous_update=False,
                style=_WIDE,
            )
            self.part(slider, f"weight-{crit.criterion}")
            slider.observe(partial(self._on_weight, crit.criterion), names="value")
            self.sliders[crit.criterion] = slider
            rows.append(slider)
        definitions = self._crit[["group", "criterion", "definition", "question"]].assign(
            criterion=self._crit["criterion"].map(words)
        )
        accordion = lazy_accordion(
            [("What the criteria mean", lambda: w.HTML(indicator_table_html(definitions)))]
        ).widget

        self.adj_indicator = w.Dropdown(description="Indicator", style=_WIDE)
        self.adj_criterion = w.Dropdown(
            description="Criterion", options=[(words(c), c) for c in self.sliders], style=_WIDE
        )
        self.adj_rating = w.IntSlider(
            value=3, min=1, max=5, description="New rating", continuous_update=False, style=_WIDE
        )
        self.adj_reason = w.Text(description="Reason", style=_WIDE)
        add = self.part(w.Button(description="Add change"), "add-change")
        clear = self.part(w.Button(description="Clear all changes"), "clear-changes")
        add.on_click(lambda _b: self.run_safely(self._add_adjustment, self.message, None))
        clear.on_click(lambda _b: self.run_safely(self._clear_adjustments, self.message, None))
        self.adj_table = self.part(w.HTML(), "adjustments")
        self.scores_table = self.part(w.HTML(), "scores")
        self.results.track(self.scores_table)
        self._offer_indicators()
        self._render_score()
        return w.VBox(
            [
                w.HTML(
                    "<p><b>Weights</b>: how much each criterion counts (0 = ignore). "
                    "Starting ratings follow simple rules from the data source, frequency and "
                    "level; change the ones your team disagrees with below.</p>"
                ),
                accordion,
                w.GridBox(rows, layout=w.Layout(grid_template_columns="repeat(3, 33%)")),
                w.HTML("<h4>Your team's changes to the ratings</h4>"),
                w.HBox([self.adj_indicator, self.adj_criterion]),
                w.HBox([self.adj_rating, self.adj_reason]),
                w.HBox([add, clear]),
                self.adj_table,
                w.HTML("<h4>Scores of the candidates (0-100)</h4>"),
                self.scores_table,
            ]
        )

    def _build_shortlist(self) -> w.Widget:
        self.k = self.part(
            w.IntSlider(
                value=12,
                min=1,
                max=30,
                description="How many indicators",
                continuous_update=False,
                style=_WIDE,
            ),
            "k",
        )
        self.must = self.part(
            w.SelectMultiple(description="Must include", rows=8, style=_WIDE), "must-include"
        )
        self.exclude = self.part(
            w.SelectMultiple(description="Exclude", rows=8, style=_WIDE), "exclude"
        )
        for control in (self.k, self.must, self.exclude):
            control.observe(self._on_change, names="value")
        self.shortlist_table = self.part(w.HTML(), "shortlist")
        return w.VBox(
            [
                self.k,
                w.HTML("<small>Hold Ctrl (or Cmd) to choose several indicators.</small>"),
                w.HBox([self.must, self.exclude]),
                self.shortlist_table,
            ]
        )

    def _build_balance(self) -> w.Widget:
        self.warnings = self.part(w.HTML(), "warnings")
        self.balance_chart = self.part(w.HTML(), "balance-chart")
        self.results.track(self.warnings, self.balance_chart)
        if self._shown and self.balance is not None:
            self._show_balance(self.balance)
        return w.VBox([self.warnings, self.balance_chart])

    def _build_burden(self) -> w.Widget:
        self.facilities = self.part(
            w.BoundedIntText(
                value=self._facilities,
                min=1,
                max=100_000,
                description="Reporting facilities",
                style=_WIDE,
            ),
            "facilities",
        )
        self.minutes = self.part(
            w.BoundedFloatText(
                value=self._minutes,
                min=0,
                max=600,
                step=0.5,
                description="Staff minutes per value",
                style=_WIDE,
            ),
            "minutes",
        )
        for control in (self.facilities, self.minutes):
            control.observe(self._on_burden_input, names="value")
        self.burden_table = self.part(w.HTML(), "burden")
        self.results.track(self.burden_table)
        self._render_burden()
        return w.VBox(
            [
                w.HTML(
                    "<p>Staff time facilities spend recording and reporting the data of the "
                    "<b>current list</b> and of the <b>shortlist</b>. Each data element is "
                    "counted once, even when several indicators use it; population estimates "
                    "and survey data are not collected by facilities.</p>"
                ),
                w.HBox([self.facilities, self.minutes]),
                self.burden_table,
            ]
        )
