"""Scorecard builder: choose indicators, thresholds, level and period; share the results.

Every calculation is done by :mod:`phcpm.scorecard` and :mod:`phcpm.feedback`;
this module only builds the controls, calls those functions and shows their
results. The indicator table (slow: about a second) is computed once per level
and kept; a change of a control only rebuilds the scorecard itself.

What is on screen always belongs to the current choices: every change empties
the results (:meth:`widgets.common.Tool.run_safely`) before the new scorecard
is built, an error leaves them empty, and the files (Excel, printable page,
feedback sheets, trends) are made only when asked for. An indicator of the
user's own file without a known target is shown without colour until the user
gives a direction and thresholds: the tool never invents them.

Every colour is judged by :func:`phcpm.uncertainty.judge_card`: a value with
too few people behind it (below the minimum denominator the user chooses), or
whose range of chance reaches into another band, is shown as "too few to
judge"; a percentage above 100 % as "check the data". The table and every file
show each value with its range of chance and the reason. A funnel plot
(:func:`phcpm.funnel.funnel`) of one indicator is drawn when asked for.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from phcpm import datasets, feedback, uncertainty
from phcpm import scorecard as sc
from phcpm.errors import InputError
from phcpm.funnel import funnel, plot_funnel
from phcpm.style import use_style
from widgets.common import (
    Tool,
    figure_html,
    scroll_box,
    show_notes,
    table_html,
)
from widgets.scorecard_downloads import ScorecardDownloads
from widgets.scorecard_layout import (
    ALL_DISTRICTS,
    COMPARE,
    DIRECTIONS,
    LEVELS,
    arrange,
    build_controls,
    build_downloads,
    build_results,
)

__all__ = ["ScorecardBuilder"]


class ScorecardBuilder(ScorecardDownloads, Tool):
    """A performance scorecard with colours, symbols, ranks and trends; Excel, a printable
    page and one-page feedback sheets for every facility, made when asked for."""

    css_class = "phcpm-scorecard"
    title = "Scorecard builder"

    def __init__(self) -> None:
        use_style()
        super().__init__()
        self._org_units = datasets.org_units()
        self._values: dict[str, pd.DataFrame] = {}
        self._own: pd.DataFrame | None = None
        self._own_names: dict[str, str] = {}
        self._definitions = sc.default_definitions()
        self._unrated: dict[str, str] = {}
        self._overrides: dict[str, dict] = {}
        self.card: pd.DataFrame | None = None
        self.figure = None
        self._trend_png: bytes | None = None
        self._funnel_png: bytes | None = None
        self.funnel_result = None
        units = self._org_units
        self._names = datasets.names()
        # Facility code -> the name of its district org unit ("Ruvo District").
        places = datasets.places()
        facilities = places[places["level"] == 4]
        self._district_of = dict(
            zip(facilities["org_unit_id"], facilities["district"], strict=True)
        )

        build_controls(self, units)
        build_results(self)
        build_downloads(self)

        self._busy = False
        self.source.observe(self._on_source, names="value")
        for control in (self.level, self.district):
            control.observe(lambda _: self.run_safely(self._reload, self.message), "value")
        for control in (self.period, self.compare, self.indicators, self.min_denominator):
            control.observe(lambda _: self._refresh_safely(), "value")
        self.threshold_for.observe(lambda _: self._show_thresholds(), "value")
        for control in (self.good, self.fair, self.target):
            control.observe(lambda _: self._on_threshold(), "value")
        self.direction.observe(lambda _: self._on_direction(), "value")
        self.details_box.observe(
            lambda _: self.run_safely(self.fill_details, self.message, clear=False),
            "selected_index",
        )
        self.apply_thresholds.on_click(lambda _: self._refresh_safely(apply=True))
        self.trend_button.on_click(
            lambda _: self.run_safely(self.draw_trends, self.message, results=self.trend_area)
        )
        self.funnel_button.on_click(
            lambda _: self.run_safely(self.draw_funnel, self.message, results=self.funnel_area)
        )

        arrange(self)
        self.run_safely(self._reload, self.message)

    # ------------------------------------------------------------------ data

    def values(self) -> pd.DataFrame:
        """The indicator values in use (computed once per level and kept)."""
        if self.source.value == "Use my own data":
            if self._own is None:
                raise InputError(
                    "No file has been loaded yet",
                    where="the tab 'My data'",
                    todo="Choose a file with your indicator values",
                )
            return self._own
        level = LEVELS[self.level.value]
        values = self._computed(level)
        if level == "facility" and self.district.value != ALL_DISTRICTS:
            name = self.district.value
            values = values[values["org_unit"].map(self._district_of) == name]
        return values

    def _computed(self, level: str) -> pd.DataFrame:
        """The synthetic district's quarterly indicators at ``level``, computed once."""
        if level not in self._values:
            with self.progress.running("Computing the indicators from the monthly reports"):
                self._values[level] = sc.district_indicators(
                    datasets.load("service_data"),
                    datasets.load("population"),
                    self._org_units,
                    datasets.load("reporting"),
                    freq="Q",
                    level=level,
                )
        return self._values[level]

    def _district_values(self) -> pd.DataFrame:
        return self._computed("district")

    def definitions(self, every: bool = False) -> pd.DataFrame:
        """The definitions in use (``every``: of all indicators, not only the chosen ones),
        with the direction, thresholds and targets the user gave."""
        defs = self._definitions.copy()
        defs["higher_is_better"] = defs["higher_is_better"].astype(object)
        defs["thresholds"] = defs["thresholds"].astype(object)
        for code, given in self._overrides.items():
            rows = (defs["indicator"] == code).to_numpy()
            if not rows.any():
                continue
            i = int(rows.argmax())
            if given["higher"] is None:
                defs.at[i, "thresholds"] = None
                defs.at[i, "higher_is_better"] = None
                defs.at[i, "target"] = float("nan")
                continue
            defs.at[i, "higher_is_better"] = bool(given["higher"])
            defs.at[i, "thresholds"] = (given["good"], given["fair"])
            defs.at[i, "target"] = given["target"]
        chosen = [] if every else list(self.indicators.value)
        chosen = chosen or list(defs["name"])
        codes = dict(zip(defs["name"], defs["indicator"], strict=True))
        keep = [codes.get(c, c) for c in chosen]
        return defs.set_index("indicator").loc[keep].reset_index()

    def _rated(self, code: str) -> bool:
        """Whether an indicator has a direction and thresholds (given or standard)."""
        if code in self._overrides:
            return self._overrides[code]["higher"] is not None
        return code not in self._unrated

    def _reload(self) -> None:
        """New data or level: reset the period, indicator and trend choices, then refresh."""
        self._busy = True
        try:
            self.district.disabled = (
                self.level.value != "Facilities" or self.source.value != "District data"
            )
            self.level.disabled = self.source.value != "District data"
            values = self.values()
            periods = sorted(pd.unique(values["period"]))
            names = list(self._definitions["name"])
            keep = [n for n in self.indicators.value if n in names]
            self.indicators.options = names
            self.indicators.value = keep or names
            self.period.options = [(sc.period_text(p), p) for p in periods]
            self.period.value = periods[-1]
            self.threshold_for.options = names
            self.threshold_for.value = names[0]
            units = pd.unique(values["org_unit"])
            shown = sorted((self._place_name(u), u) for u in units)
            self.trend_unit.options = shown
            self.trend_unit.value = shown[0][1]
            self._show_thresholds()
        finally:
            self._busy = False
        self.refresh()

    # ------------------------------------------------------------------ inputs

    def _on_source(self, change) -> None:
        if self._busy:
            return
        if change["new"] == "District data":
            self._definitions = sc.default_definitions()
            self._unrated, self._overrides = {}, {}
        elif self._own is None:
            self.clear_results()
            self.card = None
            self.controls.selected_index = 3
            show_notes(
                self.notes,
                "Upload a file in the tab 'My data' (or try the example indicator values): "
                "the scorecard appears here once your file has been read.",
            )
            return
        self.run_safely(self._reload, self.message)

    def _example_table(self) -> pd.DataFrame:
        """District indicator values, shaped as a user's own file would be."""
        values = self._district_values()
        return pd.DataFrame(
            {
                "org_unit": values["org_unit"].map(self._names).to_numpy(),
                "period": values["period"].astype(str).to_numpy(),
                "indicator": values["indicator"].to_numpy(),
                "value": values["value"].to_numpy(),
            }
        ).dropna(subset=["value"])

    def _on_picker_data(self, data: pd.DataFrame, _report: pd.DataFrame) -> None:
        self.load_own(data.rename(columns={"data_element": "indicator"}))

    def load_own(self, table: pd.DataFrame) -> None:
        """Use a table of the user's own indicator values."""

        def load() -> None:
            self.card = None
            self._own = None
            self._own_names = {}
            values = sc.indicator_values(table)
            definitions, unrated = sc.own_definitions(values)
            self._own = values
            self._own_names = sc.own_place_names(table)
            self._definitions = definitions
            self._unrated, self._overrides = unrated, {}
            self._busy = True
            try:
                self.source.value = "Use my own data"
            finally:
                self._busy = False
            self._reload()

        self.run_safely(load, self.message)

    def use_district_data(self) -> None:
        """Back to the synthetic district data and the standard indicators."""
        self._definitions = sc.default_definitions()
        self._unrated, self._overrides = {}, {}
        self.source.value = "District data"

    def _show_thresholds(self) -> None:
        defs = self.definitions_all().set_index("name")
        name = self.threshold_for.value
        if name not in defs.index:
            return
        row = defs.loc[name]
        code = row["indicator"]
        rated = self._rated(code)
        busy, self._busy = self._busy, True
        try:
            if rated:
                good, fair = row["thresholds"][:2]
                higher = bool(row["higher_is_better"])
                self.direction.value = "Higher is better" if higher else "Lower is better"
                self.good.value, self.fair.value = float(good), float(fair)
                target = row["target"]
                self.target.value = 0.0 if pd.isna(target) else float(target)
            else:
                self.direction.value = "Not set: no colour"
                self.good.value = self.fair.value = self.target.value = 0.0
        finally:
            self._busy = busy
        self._describe_thresholds(code, rated, row)

    def definitions_all(self) -> pd.DataFrame:
        """The definitions of every indicator (chosen or not), with the user's changes."""
        return self.definitions(every=True)

    def _describe_thresholds(self, code: str, rated: bool, row) -> None:
        higher = self.direction.value == "Higher is better"
        self.good.description = "Good from" if higher else "Good up to"
        self.fair.description = "Fair from" if higher else "Fair up to"
        unset = self.direction.value == "Not set: no colour"
        for control in (self.good, self.fair, self.target):
            control.disabled = unset
        if code in self._unrated and not rated:
            reason = self._unrated[code]
            words = (
                f"Not coloured: {reason}. To colour it, choose which is better, type the "
                "boundaries and the target, then click 'Use these thresholds'."
            )
        elif unset:
            words = "Not coloured. Choose which is better to give it thresholds."
        elif higher:
            words = "Higher is better: good from the first number up, fair from the second."
        else:
            words = "Lower is better: good up to the first number, fair up to the second."
        source = row.get("source", "") if hasattr(row, "get") else ""
        extra = f" Target: {source}." if isinstance(source, str) and source and rated else ""
        self.threshold_help.value = f"<p>{html.escape(words + extra)}</p>"

    def _given(self) -> dict:
        return {
            "higher": DIRECTIONS[self.direction.value],
            "good": float(self.good.value),
            "fair": float(self.fair.value),
            "target": float(self.target.value),
        }

    def _current_code(self) -> str | None:
        defs = self._definitions.set_index("name")
        name = self.threshold_for.value
        return None if name not in defs.index else str(defs.loc[name, "indicator"])

    def _on_direction(self) -> None:
        if self._busy:
            return
        code = self._current_code()
        if code is None:
            return
        defs = self._definitions.set_index("indicator")
        self._describe_thresholds(code, self._rated(code), defs.loc[code].to_dict())
        if self._rated(code):
            # A rated indicator follows every change at once (its numbers are already set).
            self._overrides[code] = self._given()
            self._refresh_safely()

    def _on_threshold(self) -> None:
        if self._busy:
            return
        code = self._current_code()
        if code is not None and self._rated(code):
            self._overrides[code] = self._given()
            self._refresh_safely()

    def _refresh_safely(self, apply: bool = False) -> None:
        if self._busy:
            return
        if apply:
            code = self._current_code()
            if code is not None:
                self._overrides[code] = self._given()
        self.run_safely(self.refresh, self.message)

    # ------------------------------------------------------------------ outputs

    def refresh(self) -> None:
        """Rebuild the scorecard from the kept indicator values (fast)."""
        self.card = None
        self._trend_png = None
        values = self.values()
        defs = self.definitions()
        values = values[values["indicator"].isin(set(defs["indicator"]))]
        na = None
        if self.source.value == "District data" and self.level.value == "Facilities":
            na = sc.not_offered(values, self._org_units)
            na = na[na["org_unit"].isin(set(values["org_unit"]))]
        card = sc.scorecard(
            values,
            defs,
            self.period.value,
            org_units=self._org_units,
            compare=COMPARE[self.compare.value],
            not_applicable=na,
        )
        if self.source.value != "District data" and self._own_names:
            names = card["org_unit"].astype(str).map(self._own_names)
            card["org_unit_name"] = names.fillna(card["org_unit_name"]).to_numpy()
        card = uncertainty.judge_card(
            card, values, defs, min_denominator=self.min_denominator.value
        )
        self.card = card
        if self.source.value != "District data":
            where = "your data"
        elif not self.district.disabled:
            where = self.district.value
        else:
            where = self.level.value.lower()
        caption = f"Scorecard, {sc.period_text(self.period.value)}, {where}"
        self.table.value = scroll_box(uncertainty.judged_html(card, caption=caption), caption)
        self.fill_details()
        self._set_funnel_choices(defs, values)
        percent = card["unit"] == "%"
        outside = card.loc[(card["outside_legend"] | (card["value"] > 100)) & percent]
        notes = []
        unrated = [c for c in pd.unique(card["indicator"]) if not self._rated(c)]
        if unrated:
            names = dict(zip(card["indicator"], card["indicator_name"], strict=False))
            notes.append(
                "Not coloured, because no target is known. "
                + " ".join(
                    f"{names[c]}: {self._unrated.get(c, 'no direction has been set')}."
                    for c in unrated
                )
                + " Give each one a direction and thresholds in the tab 'Thresholds' "
                "to colour it."
            )
        if len(outside):
            notes.append(
                f"{outside['org_unit'].nunique()} org unit(s) have a coverage above 100 %: "
                "the population estimate may be too low; check it before praising them."
            )
        too_few = card[card["shown"] == "too_few"]
        if len(too_few):
            notes.append(
                f"{len(too_few)} value(s) are marked 'too few to judge': too few people "
                "behind them, or a range of chance that reaches into another colour. "
                "Do not praise or blame on these; look at the funnel plot instead."
            )
        no_range = card["reason"].str.startswith("No count and denominator").sum()
        if no_range:
            notes.append(
                f"{no_range} value(s) have no count and denominator in the data, so their "
                "range of chance is not known: their colour may be chance."
            )
        show_notes(self.notes, notes)
        self.show_results(
            self.table,
            self.details_box,
            self.downloads,
            self.funnel_box,
            self.funnel_area,
            self.trend_box,
            self.trend_area,
        )

    def fill_details(self, _change=None) -> None:
        """Every value of the current card with its range and why it has its colour.

        Filled only while the section is open (the page receives nothing while it
        is closed), from the card on screen; emptied when there is no card.
        """
        card = self.card
        if card is None or self.details_box.selected_index != 0:
            self.details.value = ""
            return
        long = uncertainty.judged_table(card)
        long = long[~card["shown"].isin(["not_applicable"]).to_numpy()]
        shown_cols = [
            "Place",
            "Indicator",
            "Value with its range of chance (95 %)",
            "Shown as",
            "Why",
        ]
        self.details.value = table_html(long[shown_cols])

    def draw_trends(self) -> None:
        """Small multiples of the chosen org unit's indicators over time, target dashed."""
        if self.card is None:
            raise InputError(
                "There is no scorecard to draw trends for",
                where="the scorecard",
                todo="Choose a period and indicators first, or load your file again",
            )
        values = self.values()
        defs = self.definitions()
        code = self.trend_unit.value
        units, names = [code], {code: self._names.get(code, code)}
        district = self._district_of.get(code)
        if self.source.value == "District data" and isinstance(district, str):
            ids = self._org_units.loc[self._org_units["name"] == district, "org_unit_id"]
            extra = self._district_values()
            extra = extra[extra["org_unit"].isin(ids)]
            values = pd.concat([values[values["org_unit"] == code], extra], ignore_index=True)
            units.append(ids.iloc[0])
            names[ids.iloc[0]] = district
        fig = feedback.trend_small_multiples(values, defs, units, names=names)
        self.figure = fig
        label = " and ".join(str(names[u]) for u in units)
        image, self._trend_png = figure_html(
            fig,
            alt=f"Trends of each indicator for {label}, with the target as a dashed line",
            max_width="100%",
        )
        picture = self.part(w.HTML(image), "trend-chart")
        self.show_results(picture, self.trend_download, results=self.trend_area)

    def _set_funnel_choices(self, defs: pd.DataFrame, values: pd.DataFrame) -> None:
        """Indicators with a count and a denominator for the period: those a funnel can show."""
        period = values[values["period"].astype(str) == str(self.period.value)]
        if "denominator" in period:
            with_counts = set(period.loc[period["denominator"].notna(), "indicator"])
        else:
            with_counts = set()
        options = [
            (str(r["name"]), str(r["indicator"]))
            for r in defs.to_dict("records")
            if uncertainty.interval_kind(r) != "none" and r["indicator"] in with_counts
        ]
        keep = self.funnel_indicator.value
        self.funnel_indicator.options = options
        codes = [code for _, code in options]
        if codes:
            self.funnel_indicator.value = keep if keep in codes else codes[0]
        self.funnel_button.disabled = not codes

    def draw_funnel(self) -> None:
        """The funnel plot of the chosen indicator for the period on the scorecard."""
        code = self.funnel_indicator.value
        if self.card is None or not code:
            raise InputError(
                "There is no indicator with counts to draw a funnel plot of",
                where="the funnel plot",
                todo="Choose a period with data; a file needs a count and a denominator",
            )
        defs = self.definitions().set_index("indicator")
        row = defs.loc[code].to_dict()
        kind = uncertainty.interval_kind(row)
        values = self.values()
        data = values[
            (values["indicator"] == code) & (values["period"].astype(str) == str(self.period.value))
        ].dropna(subset=["numerator", "denominator"])
        data = data.assign(name=data["org_unit"].map(self._place_name))
        factor = 100.0 if kind == "proportion" else float(row.get("factor") or 1.0)
        result = funnel(
            data,
            kind=kind,
            factor=factor,
            name="name",
        )
        self.funnel_result = result
        period = sc.period_text(self.period.value)
        name = str(row["name"])
        fig = plot_funnel(
            result,
            title=f"{name}, {period}",
            xlabel="Denominator (log scale)",
            ylabel=f"{name} ({row.get('unit') or 'per unit'})",
        )
        look_at = result.look_here()
        named = "name" in look_at
        check = look_at[look_at["position"] == "check_data"]
        outside = look_at[look_at["position"] != "check_data"]
        names = ", ".join(str(n) for n in outside["name"]) if named else ""
        impossible = ", ".join(str(n) for n in check["name"]) if named else ""
        line = (
            "The solid line is the value of all places together, the dashed lines the 95 % "
            "limits and the dotted lines the 99.8 % limits."
        )
        look = f"Outside the funnel: {names}." if names else "No place lies outside the funnel."
        if impossible:
            look += f" Check the data first (a value no service can have): {impossible}."
        caption = (
            "<p class='phcpm-scorecard-funnel-caption'>Places outside the funnel are the "
            "ones to look at, not the bottom of the league table: inside it, a difference "
            f"can be chance. {html.escape(look)} {html.escape(line)}</p>"
        )
        notes = (
            "<details><summary>How the limits were set</summary>"
            + "".join(f"<p><small>{html.escape(n)}</small></p>" for n in result.notes)
            + "</details>"
        )
        image, self._funnel_png = figure_html(
            fig,
            alt=(
                f"Funnel plot of {name} for {period}: each place's value against its "
                f"denominator, with limits that narrow as the denominator grows. {look}"
            ),
            max_width="100%",
        )
        picture = self.part(w.HTML(image + caption + notes), "funnel-chart")
        self.funnel_download.filename = f"funnel_{code}_{self._stamp()}.png"
        self.show_results(picture, self.funnel_download, results=self.funnel_area)

    def _place_name(self, code) -> str:
        """The name of an org unit: from the user's file when it gave names, else the
        district's list, else the code itself."""
        if self.source.value != "District data" and str(code) in self._own_names:
            return self._own_names[str(code)]
        return str(self._names.get(code, code))
