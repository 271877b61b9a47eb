"""Sampling toolkit: sample sizes, LQAS rules, classifying supervision areas, drawing samples.

Every calculation (and the OC curve) is done by :mod:`phcpm.sampling`; files are
read by :func:`phcpm.io.read_table`. This module only builds the controls, calls
those functions and shows their results. Every callback runs through
:meth:`widgets.common.Tool.run_safely`: each tab has its own results area,
emptied before every action and left empty after an error, so what a tab shows
always belongs to its current inputs; errors in the user's input are shown as a
plain message and the tool stays usable. Files to save (Excel) are made only
when asked for. Uploaded files are read in memory and never saved.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from phcpm import sampling
from phcpm.errors import InputError
from phcpm.io import figure_bytes, read_table, to_excel_bytes
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import (
    Tool,
    clear_message,
    download_on_demand,
    error_box,
    image_html,
    note_box,
    plain_cell,
    plain_columns,
    plain_heading,
    show_notes,
    table_html,
    take_upload,
    upload_button,
)

EXAMPLE_SURVEY = "lqas_survey.csv"
NO_POPULATION_COLUMN = "None: I type them below"
EXAMPLE_REGISTER = "patient_register.csv"
LQAS_INDICATORS = ["anc4", "skilled_birth", "penta3", "mcv1", "itn_slept", "fp_modern"]
#: What the example survey's questions are called on screen.
LQAS_LABELS = {
    "anc4": "Four or more antenatal visits",
    "skilled_birth": "Birth with a skilled attendant",
    "penta3": "Penta 3 vaccine",
    "mcv1": "Measles vaccine (first dose)",
    "itn_slept": "Slept under a bed net",
    "fp_modern": "Modern family planning",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What each line of the record of a draw is called on screen and in the Excel file.
RECORD_LABELS = {
    "method": "Method",
    "seed": "Seed (the same seed gives the same sample)",
    "n_requested": "Number asked for",
    "frame_size": "Rows in the list",
    "interval": "Interval (every k-th row)",
    "random_start": "Random start",
    "per_cluster": "Rows drawn per cluster",
    "clusters": "Rows drawn in each cluster",
    "allocation_method": "How the rows were shared between strata",
    "allocation": "Rows drawn in each stratum",
    "stratum_sizes": "Rows in each stratum of the list",
    "n_selected": "Rows drawn",
}
_METHOD_LABELS = {
    "Simple random": "srs",
    "Systematic (every k-th)": "systematic",
    "Stratified (by a column)": "stratified",
    "Proportional to size (PPS)": "pps",
    "Two-stage cluster": "cluster",
}
_WIDE = {"description_width": "initial"}


def _help(text: str) -> w.HTML:
    return w.HTML(f"<span style='color:#444'>{html.escape(text)}</span>")


def _pct(share: float, unit: bool = True) -> str:
    """A share (0.684) as a whole percentage: "68 %" (or "68" without the unit)."""
    return f"{100 * share:.0f}" + (" %" if unit else "")


def _label(code) -> str:
    """An indicator (a survey question) as a manager reads it."""
    return LQAS_LABELS.get(str(code), plain_heading(code))


def record_table(record: dict, method_label: str) -> pd.DataFrame:
    """The record of a draw as two columns of words: what, and its value."""
    rows = []
    for key, value in record.items():
        if key == "method":
            value = method_label
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {plain_cell(v, 2)}" for k, v in value.items())
        else:
            value = plain_cell(value, 2)
        rows.append({"What": RECORD_LABELS.get(key, plain_heading(key)), "Value": value})
    return pd.DataFrame(rows)


def read_upload_bytes(data: bytes, name: str | None = None) -> pd.DataFrame:
    """The table in an uploaded CSV or Excel file (its bytes), numbered from 0."""
    table = read_table(data, filename=name).data.reset_index(drop=True)
    if table.empty:
        raise InputError(
            "The file has headings but no rows of data",
            where=f"the file '{name}'" if name else "your file",
            todo="Choose a file with one row per person or record under the headings",
        )
    return table


def read_example(name: str) -> pd.DataFrame:
    """One of the example files in ``datasets/``."""
    path = dataset_path(name)
    if not path.exists():
        raise InputError(
            f"The example file '{name}' is not available",
            where="the datasets folder",
            todo="Upload your own file instead, or ask the person who installed the tools",
        )
    return pd.read_csv(path)


class SamplingToolkit(Tool):
    """Four tools in tabs: sample size, LQAS rules, classify areas, draw a sample."""

    css_class = "phcpm-sampling"

    def __init__(self) -> None:
        use_style()
        super().__init__()
        self.survey: pd.DataFrame | None = None
        self.district: pd.DataFrame | None = None
        self.register: pd.DataFrame | None = None
        self.classified: pd.DataFrame | None = None
        self.sample: pd.DataFrame | None = None
        self.record: dict | None = None
        tabs = [
            ("Sample size", self._build_size()),
            ("LQAS rules", self._build_lqas()),
            ("Classify my areas", self._build_classify()),
            ("Draw a sample", self._build_draw()),
        ]
        self.tabs = w.Tab(children=[t[1] for t in tabs])
        for i, (title, _) in enumerate(tabs):
            self.tabs.set_title(i, title)
        self.tabs.add_class("phcpm-sampling-tabs")
        self.set_children(
            [
                w.HTML(
                    "<p>Plan a survey or an audit, judge supervision areas with LQAS, "
                    "and draw a fair random sample. Each tab starts with example data "
                    "from the synthetic district; you can use your own file instead.</p>"
                ),
                self.tabs,
            ]
        )
        self.update_size()
        self.update_lqas()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        # A short, stable text form (the widget's own one lists every child).
        bundle["text/plain"] = (
            "Sampling toolkit: sample size, LQAS rules, classify areas, draw a sample"
        )
        return bundle

    # ------------------------------------------------------------------ tab 1: sample size

    def _build_size(self) -> w.Widget:
        self.coverage = w.BoundedFloatText(
            value=50, min=1, max=99, step=1, description="Expected coverage (%)", style=_WIDE
        )
        self.margin = w.BoundedFloatText(
            value=5,
            min=0.1,
            max=50,
            step=0.5,
            description="Margin of error (± points)",
            style=_WIDE,
        )
        self.confidence = w.Dropdown(
            options=[("90 %", 0.90), ("95 %", 0.95), ("99 %", 0.99)],
            value=0.95,
            description="Confidence",
            style=_WIDE,
        )
        self.deff = w.BoundedFloatText(
            value=1.0, min=1, max=20, step=0.1, description="Design effect", style=_WIDE
        )
        self.population = w.Text(
            value="", placeholder="leave empty if large", description="Population size", style=_WIDE
        )
        for widget, part in [
            (self.coverage, "coverage"),
            (self.margin, "margin"),
            (self.confidence, "confidence"),
            (self.deff, "deff"),
            (self.population, "population"),
        ]:
            widget.continuous_update = False
            widget.add_class(f"phcpm-sampling-{part}")
            widget.observe(lambda _change: self.update_size(), names="value")
        self.size_result = w.HTML()
        self.size_result.add_class("phcpm-sampling-result")
        self.size_area = self.new_results()
        self.size_area.track(self.size_result)
        self.size_error = error_box()
        self.size_error.add_class("phcpm-sampling-error")
        rows = [
            (self.coverage, "Your best guess of the coverage. If you have no idea, use 50 %: it gives the largest, safest number."),
            (self.margin, "How close to the truth the estimate must be: 5 means the true value is within 5 points of your result."),
            (self.confidence, "How sure you want to be that the true value is within the margin. 95 % is usual."),
            (self.deff, "1 for a simple random sample. For a cluster survey use 1 + (people per cluster − 1) × ICC; for example 2 to 4."),
            (self.population, "Only for small populations (a few thousand or fewer): the number needed is then smaller."),
        ]  # fmt: skip
        return w.VBox(
            [w.HBox([control, _help(text)]) for control, text in rows]
            + [self.size_result, self.size_error]
        )

    def update_size(self) -> None:
        """Recompute the sample size from the inputs (called on every change).

        A problem in the inputs becomes a message under the result."""
        if self.run_safely(self._size, self.size_error, results=self.size_area) is None:
            self.size_result.value = "<p>No result: see the message below.</p>"

    def _size(self) -> str:
        text = self.population.value.replace(",", "").replace(" ", "").strip()
        population = None
        if text:
            try:
                population = float(text)
            except ValueError:
                raise InputError(
                    f"The population size '{self.population.value}' is not a number",
                    where="the box 'Population size'",
                    todo="Type a number such as 2500, or leave it empty",
                ) from None
        sentence = sampling.sample_size_sentence(
            self.coverage.value / 100,
            self.margin.value / 100,
            self.confidence.value,
            self.deff.value,
            population,
        )
        self.size_result.value = f"<p style='font-size:1.2em'><b>{html.escape(sentence)}</b></p>"
        return sentence

    # ------------------------------------------------------------------ tab 2: LQAS rules

    def _build_lqas(self) -> w.Widget:
        self.lqas_n = w.IntSlider(
            value=19, min=5, max=50, description="People per area", style=_WIDE
        )
        self.lqas_target = w.IntSlider(
            value=80, min=20, max=95, step=5, description="Target (%)", style=_WIDE
        )
        self.lqas_lower = w.IntSlider(
            value=50, min=0, max=90, step=5, description="Lower threshold (%)", style=_WIDE
        )
        for widget, part in [
            (self.lqas_n, "lqas-n"),
            (self.lqas_target, "lqas-target"),
            (self.lqas_lower, "lqas-lower"),
        ]:
            widget.continuous_update = False
            widget.add_class(f"phcpm-sampling-{part}")
            widget.observe(lambda _change: self.update_lqas(), names="value")
        self.lqas_result = w.HTML()
        self.lqas_result.add_class("phcpm-sampling-lqas-result")
        self.lqas_error = error_box()
        self.lqas_error.add_class("phcpm-sampling-lqas-error")
        self.lqas_plot = w.HTML()
        self.lqas_plot.add_class("phcpm-sampling-oc-curve")
        self.lqas_download = download_on_demand(
            "Decision rules for 12 to 30 people and targets 10 % to 95 % (Excel)",
            "lqas_decision_rules.xlsx",
            self.lqas_rules_bytes,
            XLSX,
        )
        self.lqas_download.add_class("phcpm-sampling-lqas-download")
        self.lqas_area = self.new_results()
        self.lqas_area.track(self.lqas_result, self.lqas_plot)
        return w.VBox(
            [
                _help(
                    "An area 'reaches the target' when at least d of the people interviewed "
                    "say yes. The lower threshold is the coverage you must not miss "
                    "(usually the target minus 30 points)."
                ),
                self.lqas_n,
                self.lqas_target,
                self.lqas_lower,
                self.lqas_result,
                self.lqas_error,
                self.lqas_plot,
                self.lqas_download,
            ]
        )

    def update_lqas(self) -> None:
        """Decision rule, both risks, the OC curve and a downloadable rule table.

        A problem in the inputs becomes a message under the result."""
        if self.run_safely(self._lqas, self.lqas_error, results=self.lqas_area) is None:
            self.lqas_result.value = "<p>No rule: see the message below.</p>"
            self.lqas_plot.value = ""

    def _lqas(self) -> int:
        n, target = self.lqas_n.value, self.lqas_target.value / 100
        lower = self.lqas_lower.value / 100
        d = sampling.lqas_decision_rule(n, target, lower)
        alpha, beta = sampling.lqas_risks(n, d, target, lower)
        self.lqas_result.value = (
            f"<p style='font-size:1.2em'><b>Decision rule: {d} of {n}.</b> "
            f"An area reaches the {target:.0%} target if at least {d} of the {n} people "
            f"interviewed say yes.</p><ul>"
            f"<li>Risk of calling an area at {target:.0%} 'below target': {alpha:.1%}</li>"
            f"<li>Risk of calling an area at {lower:.0%} 'reaches target': {beta:.1%}</li></ul>"
        )
        fig = sampling.plot_oc_curve(n, d, target, lower)
        alt = (
            f"Operating characteristic curve for the rule {d} of {n}: the chance of "
            f"'reaches target' rises from near 0 % at low coverage to near 100 % at high "
            f"coverage; it is {100 - alpha * 100:.0f} % at the {target:.0%} target and "
            f"{beta * 100:.0f} % at the {lower:.0%} lower threshold."
        )
        self.lqas_plot.value = image_html(figure_bytes(fig, "png"), alt=alt, max_width="100%")
        return d

    def lqas_rules_bytes(self) -> bytes:
        """The decision rules for 12 to 30 people and targets 10 % to 95 %, as Excel."""
        table = sampling.lqas_table(range(12, 31), [t / 100 for t in range(10, 100, 5)])
        return to_excel_bytes({"Decision rules": plain_columns(table)}, title="LQAS decision rules")

    # ------------------------------------------------------------------ tab 3: classify

    def _build_classify(self) -> w.Widget:
        self.survey_example = w.Button(
            description="Use the example survey", button_style="primary", icon="table"
        )
        self.survey_example.add_class("phcpm-sampling-survey-example")
        self.survey_upload = upload_button("Use my own survey")
        self.survey_upload.add_class("phcpm-sampling-survey-upload")
        self.area_col = w.Dropdown(description="Area column", style=_WIDE)
        self.indicators = w.SelectMultiple(description="Indicators", style=_WIDE, rows=6)
        self.classify_target = w.BoundedIntText(
            value=80, min=5, max=99, description="Target (%)", style=_WIDE
        )
        self.population_col = w.Dropdown(
            options=[(NO_POPULATION_COLUMN, "")],
            value="",
            description="Population column",
            style=_WIDE,
        )
        self.population_col.add_class("phcpm-sampling-population-column")
        self.area_population = w.Textarea(
            placeholder="Ruvo North: 12400",
            description="Population of each area",
            continuous_update=False,
            rows=6,
            style=_WIDE,
            layout=w.Layout(width="30em", max_width="100%"),
        )
        self.area_population.add_class("phcpm-sampling-area-population")
        self.classify_button = w.Button(description="Classify", icon="check")
        self.classify_button.add_class("phcpm-sampling-classify")
        self.classify_result = w.HTML()
        self.classify_result.add_class("phcpm-sampling-classify-result")
        self.classify_error = error_box()
        self.classify_error.add_class("phcpm-sampling-classify-error")
        self.classify_note = note_box()
        self.classify_note.add_class("phcpm-sampling-classify-note")
        self.classify_download = download_on_demand(
            "Classification (Excel)", "lqas_classification.xlsx", self.classification_bytes, XLSX
        )
        self.classify_download.add_class("phcpm-sampling-classify-download")
        self.classify_area = self.new_results()
        self.classify_area.track(self.classify_result, self.classify_note)
        self.classify_box = w.VBox([])
        self.classify_area.track(self.classify_box, self.classify_download)
        self._loading = False
        self.survey_example.on_click(lambda _b: self._run_classify(self.load_example_survey))
        self.survey_upload.observe(self._on_survey_upload, names="value")
        self.classify_button.on_click(lambda _b: self._run_classify(self.classify))
        for control in (
            self.area_col,
            self.indicators,
            self.classify_target,
            self.population_col,
            self.area_population,
        ):
            control.observe(self._on_classify_control, names="value")
        return w.VBox(
            [
                _help(
                    "One row per person interviewed, a column naming the supervision area, "
                    "and one column per question coded 1 (yes) or 0 (no)."
                ),
                w.HBox([self.survey_example, self.survey_upload]),
                self.area_col,
                self.indicators,
                self.classify_target,
                _help(
                    "For the district estimate, give the population of each area: a column "
                    "of your file, or typed one area a line after its name. Areas with the "
                    "same number of interviews can have very different populations."
                ),
                self.population_col,
                self.area_population,
                self.classify_button,
                self.classify_error,
                self.classify_note,
                self.classify_box,
            ]
        )

    def _run_classify(self, action, *args) -> None:
        self.run_safely(action, self.classify_error, *args, results=self.classify_area)

    def _on_classify_control(self, _change) -> None:
        """A changed choice: the old classification goes; a new one is made at once."""
        if self._loading or self.survey is None:
            return
        self._run_classify(self.classify)

    def load_survey(self, df: pd.DataFrame) -> None:
        """Use ``df`` as the survey table and offer its columns."""
        self.survey = df
        columns = [str(c) for c in df.columns]
        area = next((c for c in columns if "area" in c.lower()), columns[0])
        self._loading = True
        try:
            self.area_col.options = [(plain_heading(c), c) for c in columns]
            self.area_col.value = area
            answers = [c for c in columns if c in LQAS_INDICATORS]
            answers = answers or [c for c in columns if c != area]
            self.indicators.options = [(_label(c), c) for c in columns if c != area]
            self.indicators.value = tuple(answers[:6])
            numeric = [
                c
                for c in columns
                if c != area
                and c not in answers
                and pd.api.types.is_numeric_dtype(df[c])
                and "pop" in c.lower()
            ]
            self.population_col.options = [(NO_POPULATION_COLUMN, "")] + [
                (plain_heading(c), c) for c in numeric
            ]
            self.population_col.value = numeric[0] if numeric else ""
            if area in df.columns:
                names = pd.unique(df[area].dropna().astype(str))
                self.area_population.value = "\n".join(f"{n}: " for n in names)
        finally:
            self._loading = False
        self.classified = None
        self.district = None
        self.clear_results(self.classify_area)
        show_notes(
            self.classify_note,
            f"Loaded {len(df):,} rows. Choose the indicators and click Classify.",
        )

    def load_example_survey(self) -> None:
        self.load_survey(read_example(EXAMPLE_SURVEY))
        self.classify()

    def _on_survey_upload(self, change) -> None:
        taken = take_upload(self.survey_upload, change["new"])
        if taken is not None:
            self._run_classify(self.load_survey_bytes, *taken)

    def load_survey_bytes(self, data: bytes, name: str | None = None) -> None:
        """Use an uploaded survey file (its bytes) as the survey table."""
        self.survey, self.classified = None, None
        self.load_survey(read_upload_bytes(data, name))

    def classify(self) -> None:
        """Classify every area for the chosen indicators, with district estimates."""
        if self.survey is None:
            raise InputError(
                "No survey loaded yet", todo="Click 'Use the example survey' or upload a file"
            )
        cols = list(self.indicators.value)
        area = self.area_col.value
        target = self.classify_target.value / 100
        result = sampling.classify_areas(self.survey, area, cols, target=target)
        result = sampling.area_intervals(result)
        weights = self._weights()
        district = None
        if weights is not None:
            district = sampling.district_coverage(self.survey, area, cols, weights=weights)
        self.classified = result
        self.district = district
        below = sampling.classification_counts(result).set_index("indicator")["below"]
        n_areas = result.groupby("indicator", sort=False)[area].nunique()
        lines = []
        if district is None:
            intro = (
                "<p><b>District estimate</b>: it needs the population of each area. Areas "
                "with the same number of interviews do not have the same number of people, "
                "so a plain average of the areas would not be the district's coverage. Give "
                "the populations above to see it.</p>"
            )
            for ind in cols:
                lines.append(
                    f"<li><b>{html.escape(_label(ind))}</b>: {int(below.get(ind, 0))} of "
                    f"{int(n_areas.get(ind, 0))} areas below target</li>"
                )
        else:
            intro = "<p><b>District estimates</b> (each area weighted by its population):</p>"
            for row in district.itertuples(index=False):  # one line per indicator
                lines.append(
                    f"<li><b>{html.escape(_label(row.indicator))}</b>: district coverage "
                    f"{_pct(row.coverage)} (95 % confidence interval "
                    f"{_pct(row.ci_lower, False)} to {_pct(row.ci_upper)}); "
                    f"{int(below.get(row.indicator, 0))} of {row.n_areas} areas below target</li>"
                )
        mark = {"reaches target": "● reaches", "below target": "■ below"}
        cells = [
            f"{mark.get(c, c)}: {_pct(cov)} ({_pct(lo, False)}–{_pct(hi)})"
            if pd.notna(lo)
            else mark.get(c, c)
            for c, cov, lo, hi in zip(
                result["classification"],
                result["coverage"],
                result["ci_lower"],
                result["ci_upper"],
                strict=True,
            )
        ]
        wide = result.assign(cell=cells).pivot(index=area, columns="indicator", values="cell")
        wide = wide[[c for c in cols if c in wide.columns]]
        headings = {c: _label(c) for c in wide.columns}
        headings[area] = plain_heading(area)
        self.classify_result.value = (
            f"{intro}<ul>{''.join(lines)}</ul><p><b>Areas</b> (● reaches target, ■ below "
            "target; the share of yes answers, and in brackets its 95 % confidence interval, "
            "the range where the area's true coverage is likely to lie):</p>"
            + table_html(wide.reset_index(), headings, max_rows=60)
        )
        clear_message(self.classify_error)
        clear_message(self.classify_note)
        self.classify_box.children = (self.classify_result, self.classify_download)

    def classification_bytes(self) -> bytes:
        """The classification of every area and indicator, as Excel."""
        if self.classified is None:
            raise InputError("There is no classification yet", todo="Click 'Classify' first")
        table = self.classified.assign(indicator=self.classified["indicator"].map(_label))
        headings = {
            self.area_col.value: plain_heading(self.area_col.value),
            "indicator": "Indicator",
            "n": "Answers",
            "yes": "Yes answers",
            "coverage": "Share of yes answers",
            "ci_lower": "Lower end of the 95 % confidence interval",
            "ci_upper": "Upper end of the 95 % confidence interval",
            "target": "Target",
            "d": "Decision rule (yes answers needed)",
            "classification": "Classification",
        }
        sheets = {"Classification": plain_columns(table, headings)}
        if self.district is not None:
            district = self.district.assign(indicator=self.district["indicator"].map(_label))
            sheets["District estimate"] = plain_columns(
                district,
                {
                    "indicator": "Indicator",
                    "coverage": "District coverage (weighted by population)",
                    "ci_lower": "Lower end of the 95 % confidence interval",
                    "ci_upper": "Upper end of the 95 % confidence interval",
                    "n_areas": "Areas",
                    "n_respondents": "People interviewed",
                },
            )
        else:
            sheets["District estimate"] = pd.DataFrame(
                {
                    "Note": [
                        "No district estimate: it needs the population of each area, "
                        "and none was given."
                    ]
                }
            )
        return to_excel_bytes(sheets, title="LQAS classification")

    def _weights(self) -> dict | str | None:
        """The populations the user gave: a column of the survey, typed lines, or none."""
        if self.population_col.value:
            return self.population_col.value
        areas = pd.unique(self.survey[self.area_col.value].dropna())
        by_text = {str(a): a for a in areas}
        typed = sampling.area_populations(self.area_population.value, areas=list(by_text))
        return None if typed is None else {by_text[k]: v for k, v in typed.items()}

    # ------------------------------------------------------------------ tab 4: draw

    def _build_draw(self) -> w.Widget:
        self.register_example = w.Button(
            description="Use the example register", button_style="primary", icon="table"
        )
        self.register_example.add_class("phcpm-sampling-register-example")
        self.register_upload = upload_button("Use my own list")
        self.register_upload.add_class("phcpm-sampling-register-upload")
        self.method = w.Dropdown(options=list(_METHOD_LABELS), description="Method", style=_WIDE)
        self.method.add_class("phcpm-sampling-method")
        self.draw_n = w.BoundedIntText(
            value=30, min=1, max=100_000, description="How many", style=_WIDE
        )
        self.draw_n.add_class("phcpm-sampling-n")
        self.seed = w.BoundedIntText(value=2024, min=0, max=10**9, description="Seed", style=_WIDE)
        self.seed.add_class("phcpm-sampling-seed")
        self.column = w.Dropdown(description="Column", style=_WIDE, disabled=True)
        self.per_cluster = w.BoundedIntText(
            value=5, min=1, max=1000, description="Per cluster", style=_WIDE, disabled=True
        )
        self.method.observe(lambda _c: self._run_draw(self._method_changed), names="value")
        self.draw_button = w.Button(description="Draw the sample", icon="random")
        self.draw_button.add_class("phcpm-sampling-draw")
        self.draw_result = w.HTML()
        self.draw_result.add_class("phcpm-sampling-draw-result")
        self.draw_record = w.HTML()
        self.draw_record.add_class("phcpm-sampling-record")
        self.draw_error = error_box()
        self.draw_error.add_class("phcpm-sampling-draw-error")
        self.draw_note = note_box()
        self.draw_note.add_class("phcpm-sampling-draw-note")
        self.draw_download = download_on_demand(
            "The sample and how it was drawn (Excel)", "sample.xlsx", self.sample_bytes, XLSX
        )
        self.draw_download.add_class("phcpm-sampling-draw-download")
        self.draw_area = self.new_results()
        self.draw_box = w.VBox([])
        self.draw_area.track(
            self.draw_record, self.draw_result, self.draw_note, self.draw_box, self.draw_download
        )
        self.register_example.on_click(lambda _b: self._run_draw(self.load_example_register))
        self.register_upload.observe(self._on_register_upload, names="value")
        self.draw_button.on_click(lambda _b: self._run_draw(self.draw))
        for control in (self.draw_n, self.seed, self.column, self.per_cluster):
            control.observe(self._on_draw_control, names="value")
        return w.VBox(
            [
                _help(
                    "Load a list (patients, households, facilities), choose a method and "
                    "how many, then draw. The same seed always gives the same sample, so "
                    "anyone can check it."
                ),
                w.HBox([self.register_example, self.register_upload]),
                self.method,
                w.HBox([self.draw_n, self.seed]),
                w.HBox([self.column, self.per_cluster]),
                self.draw_button,
                self.draw_error,
                self.draw_note,
                self.draw_box,
            ]
        )

    def _run_draw(self, action, *args) -> None:
        self.run_safely(action, self.draw_error, *args, results=self.draw_area)

    def _on_draw_control(self, _change) -> None:
        """A changed choice: the sample drawn with the old choices is no longer shown."""
        if self.sample is not None:
            self.sample, self.record = None, None
            self.run_safely(lambda: None, self.draw_error, results=self.draw_area)

    def _method_changed(self) -> None:
        method = _METHOD_LABELS[self.method.value]
        self.column.disabled = method in ("srs", "systematic")
        self.column.description = {
            "stratified": "Strata column",
            "pps": "Size column",
            "cluster": "Cluster column",
        }.get(method, "Column")
        self.per_cluster.disabled = method != "cluster"
        if method == "cluster" and self.register is not None:
            names = [value for _, value in self.column.options]
            guess = [c for c in names if "org_unit" in c or "facility" in c]
            if guess:
                self.column.value = guess[0]

    def load_register(self, df: pd.DataFrame) -> None:
        """Use ``df`` as the list to sample from."""
        self.register = df
        self.sample, self.record = None, None
        self.column.options = [(plain_heading(c), str(c)) for c in df.columns]
        self._method_changed()
        self.sample, self.record = None, None
        self.clear_results(self.draw_area)
        show_notes(self.draw_note, f"Loaded a list of {len(df):,} rows. Choose a method and draw.")

    def load_example_register(self) -> None:
        self.load_register(read_example(EXAMPLE_REGISTER))

    def _on_register_upload(self, change) -> None:
        taken = take_upload(self.register_upload, change["new"])
        if taken is not None:
            self._run_draw(self.load_register_bytes, *taken)

    def load_register_bytes(self, data: bytes, name: str | None = None) -> None:
        """Use an uploaded list (its bytes) as the list to sample from."""
        self.register, self.sample, self.record = None, None, None
        self.load_register(read_upload_bytes(data, name))

    def draw(self) -> None:
        """Draw the sample with :func:`phcpm.sampling.draw_sample` and show it."""
        if self.register is None:
            raise InputError(
                "No list loaded yet", todo="Click 'Use the example register' or upload a file"
            )
        method = _METHOD_LABELS[self.method.value]
        kwargs: dict = {}
        if method == "stratified":
            kwargs["strata"] = self.column.value
        elif method == "pps":
            kwargs["size"] = self.column.value
        elif method == "cluster":
            kwargs.update(cluster=self.column.value, per_cluster=self.per_cluster.value)
        sample, record = sampling.draw_sample(
            self.register, self.draw_n.value, method, seed=self.seed.value, **kwargs
        )
        what = "clusters" if method == "cluster" else "rows"
        how = record_table(record, self.method.value)
        self.draw_record.value = (
            f"<p><b>{record['n_selected']:,} rows drawn</b> ({self.draw_n.value} {what} asked) "
            f"from {record['frame_size']:,}, method '{html.escape(self.method.value)}', "
            f"seed {record['seed']}.</p>"
            "<details><summary>How the sample was drawn (keep this with your audit)</summary>"
            + table_html(how)
            + "</details>"
        )
        self.draw_result.value = table_html(sample, max_rows=20, decimals=2)
        clear_message(self.draw_error)
        clear_message(self.draw_note)
        self.sample, self.record = sample, record
        self.draw_box.children = (self.draw_record, self.draw_download, self.draw_result)

    def sample_bytes(self) -> bytes:
        """The sample and the record of how it was drawn, as one Excel file."""
        if self.sample is None or self.record is None:
            raise InputError("There is no sample yet", todo="Click 'Draw the sample' first")
        return to_excel_bytes(
            {
                "Sample": plain_columns(self.sample),
                "How it was drawn": record_table(self.record, self.method.value),
            },
            title="Sample",
        )
