"""Sampling toolkit: sample sizes, LQAS rules, classifying supervision areas, drawing samples.

Every calculation (and the OC curve), and the reading of what a user types, is
done by :mod:`phcpm.sampling`; files are read by :func:`phcpm.io.read_table`;
the controls are laid out by :mod:`widgets.sampling_layout`. This module only
wires the controls, calls those functions and shows their results. Every callback runs through
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
from phcpm.io import read_table, to_excel_bytes
from phcpm.paths import dataset_path
from phcpm.style import use_style
from widgets.common import (
    Tool,
    clear_message,
    download_on_demand,
    figure_html,
    plain_cell,
    plain_columns,
    plain_heading,
    show_notes,
    table_html,
    take_upload,
)
from widgets.sampling_layout import (
    METHOD_LABELS,
    NO_POPULATION_COLUMN,
    build_classify,
    build_draw,
    build_lqas,
    build_size,
)

__all__ = [
    "EXAMPLE_REGISTER",
    "EXAMPLE_SURVEY",
    "LQAS_INDICATORS",
    "LQAS_LABELS",
    "LQAS_TAB",
    "RECORD_LABELS",
    "XLSX",
    "SamplingToolkit",
    "read_example",
    "read_upload_bytes",
    "record_table",
]

EXAMPLE_SURVEY = "lqas_survey.csv"
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


def _district_html(found: sampling.AreaResults) -> str:
    """The district estimate (or why there is none) and the areas below target, as HTML."""
    below = found.summary.set_index("indicator")["below"]
    n_areas = found.summary.set_index("indicator")["areas"]
    lines = []
    if found.district is None:
        intro = (
            "<p><b>District estimate</b>: it needs the population of each area. Areas "
            "with the same number of interviews do not have the same number of people, "
            "so a plain average of the areas would not be the district's coverage. Give "
            "the populations above to see it.</p>"
        )
        for ind in found.summary["indicator"]:
            lines.append(
                f"<li><b>{html.escape(_label(ind))}</b>: {int(below.get(ind, 0))} of "
                f"{int(n_areas.get(ind, 0))} areas below target</li>"
            )
    else:
        intro = "<p><b>District estimates</b> (each area weighted by its population):</p>"
        for row in found.district.itertuples(index=False):  # one line per indicator
            lines.append(
                f"<li><b>{html.escape(_label(row.indicator))}</b>: district coverage "
                f"{_pct(row.coverage)} (95 % confidence interval "
                f"{_pct(row.ci_lower, False)} to {_pct(row.ci_upper)}); "
                f"{int(below.get(row.indicator, 0))} of {row.n_areas} areas below target</li>"
            )
    return f"{intro}<ul>{''.join(lines)}</ul>"


# The tab of the LQAS decision rules.
LQAS_TAB = 1


class SamplingToolkit(Tool):
    """Four tools in tabs: sample size, LQAS rules, classify areas, draw a sample."""

    css_class = "phcpm-sampling"
    title = "Sampling toolkit: sample size, LQAS rules, classify areas, draw a sample"

    def __init__(self) -> None:
        use_style()
        super().__init__()
        self.survey: pd.DataFrame | None = None
        self.district: pd.DataFrame | None = None
        self.register: pd.DataFrame | None = None
        self.classified: pd.DataFrame | None = None
        self.sample: pd.DataFrame | None = None
        self.record: dict | None = None
        self._loading = False
        tabs = [
            ("Sample size", build_size(self)),
            ("LQAS rules", build_lqas(self, self._download_lqas())),
            ("Classify my areas", build_classify(self, self._download_classification())),
            ("Draw a sample", build_draw(self, self._download_sample())),
        ]
        self.tabs = self.part(w.Tab(children=[t[1] for t in tabs]), "tabs")
        for i, (title, _) in enumerate(tabs):
            self.tabs.set_title(i, title)
        # The LQAS curve (a picture of about 50 kB) is drawn when its tab is first
        # opened, not sent with the page while the tab is closed.
        self._lqas_open = False
        self.tabs.observe(self._on_tab, names="selected_index")
        self.size_area = self.new_results()
        self.size_area.track(self.size_result)
        self.lqas_area = self.new_results()
        self.lqas_area.track(self.lqas_result, self.lqas_plot)
        self.classify_area = self.new_results()
        self.classify_area.track(
            self.classify_result, self.classify_note, self.classify_box, self.classify_download
        )
        self.draw_area = self.new_results()
        self.draw_area.track(
            self.draw_record, self.draw_result, self.draw_note, self.draw_box, self.draw_download
        )
        self._wire()
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

    def _download_lqas(self) -> w.Widget:
        return download_on_demand(
            "Decision rules for 12 to 30 people and targets 10 % to 95 % (Excel)",
            "lqas_decision_rules.xlsx",
            self.lqas_rules_bytes,
            XLSX,
        )

    def _download_classification(self) -> w.Widget:
        return download_on_demand(
            "Classification (Excel)", "lqas_classification.xlsx", self.classification_bytes, XLSX
        )

    def _download_sample(self) -> w.Widget:
        return download_on_demand(
            "The sample and how it was drawn (Excel)", "sample.xlsx", self.sample_bytes, XLSX
        )

    def _wire(self) -> None:
        """What each control does when it changes or is clicked."""
        for control in (self.coverage, self.margin, self.confidence, self.deff, self.population):
            control.observe(lambda _change: self.update_size(), names="value")
        for control in (self.lqas_n, self.lqas_target, self.lqas_lower):
            control.observe(lambda _change: self.update_lqas(), names="value")
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
        self.method.observe(lambda _c: self._run_draw(self._method_changed), names="value")
        self.register_example.on_click(lambda _b: self._run_draw(self.load_example_register))
        self.register_upload.observe(self._on_register_upload, names="value")
        self.draw_button.on_click(lambda _b: self._run_draw(self.draw))
        for control in (self.draw_n, self.seed, self.column, self.per_cluster):
            control.observe(self._on_draw_control, names="value")

    # ------------------------------------------------------------------ tab 1: sample size

    def update_size(self) -> None:
        """Recompute the sample size from the inputs (called on every change).

        A problem in the inputs becomes a message under the result."""
        if self.run_safely(self._size, self.size_error, results=self.size_area) is None:
            self.size_result.value = "<p>No result: see the message below.</p>"

    def _size(self) -> str:
        population = sampling.parse_population(
            self.population.value, where="the box 'Population size'"
        )
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

    def _on_tab(self, change) -> None:
        if change["new"] == LQAS_TAB and not self._lqas_open:
            self._lqas_open = True
            self.update_lqas()

    def update_lqas(self) -> None:
        """Decision rule, both risks, the OC curve and a downloadable rule table.

        A problem in the inputs becomes a message under the result."""
        if self.run_safely(self._lqas, self.lqas_error, results=self.lqas_area) is None:
            self.lqas_result.value = "<p>No rule: see the message below.</p>"
            self.lqas_plot.value = ""

    def _lqas(self) -> int:
        rule = sampling.describe_rule(
            self.lqas_n.value, self.lqas_target.value / 100, self.lqas_lower.value / 100
        )
        n, d, target, lower = rule.n, rule.d, rule.target, rule.lower
        self.lqas_result.value = (
            f"<p style='font-size:1.2em'><b>Decision rule: {d} of {n}.</b> "
            f"An area reaches the {target:.0%} target if at least {d} of the {n} people "
            f"interviewed say yes.</p><ul>"
            f"<li>Risk of calling an area at {target:.0%} 'below target': {rule.alpha:.1%}</li>"
            f"<li>Risk of calling an area at {lower:.0%} 'reaches target': {rule.beta:.1%}</li></ul>"
        )
        alt = (
            f"Operating characteristic curve for the rule {d} of {n}: the chance of "
            f"'reaches target' rises from near 0 % at low coverage to near 100 % at high "
            f"coverage; it is {100 - rule.alpha * 100:.0f} % at the {target:.0%} target and "
            f"{rule.beta * 100:.0f} % at the {lower:.0%} lower threshold."
        )
        if not self._lqas_open:
            self.lqas_plot.value = ""  # drawn when the tab is opened
            return d
        fig = sampling.plot_oc_curve(n, d, target, lower)
        self.lqas_plot.value = figure_html(fig, alt, max_width="100%")[0]
        return d

    def lqas_rules_bytes(self) -> bytes:
        """The decision rules for 12 to 30 people and targets 10 % to 95 %, as Excel."""
        table = sampling.lqas_table(range(12, 31), [t / 100 for t in range(10, 100, 5)])
        return to_excel_bytes({"Decision rules": plain_columns(table)}, title="LQAS decision rules")

    # ------------------------------------------------------------------ tab 3: classify

    def _run_classify(self, action, *args) -> None:
        self.run_safely(action, self.classify_error, *args, results=self.classify_area)

    def _on_classify_control(self, _change) -> None:
        """A changed choice: the old classification goes; a new one is made at once."""
        if self._loading or self.survey is None:
            return
        self._run_classify(self.classify)

    def load_survey(self, df: pd.DataFrame) -> None:
        """Use ``df`` as the survey table and offer its columns."""
        guess = sampling.guess_survey_columns(df, LQAS_INDICATORS)
        self.survey = df
        columns = [str(c) for c in df.columns]
        self._loading = True
        try:
            self.area_col.options = [(plain_heading(c), c) for c in columns]
            self.area_col.value = guess.area
            self.indicators.options = [(_label(c), c) for c in columns if c != guess.area]
            self.indicators.value = tuple(guess.answers)
            self.population_col.options = [(NO_POPULATION_COLUMN, "")] + [
                (plain_heading(c), c) for c in guess.populations
            ]
            self.population_col.value = guess.populations[0] if guess.populations else ""
            if guess.area in df.columns:
                names = pd.unique(df[guess.area].dropna().astype(str))
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
        weights = sampling.area_weights(
            self.survey, area, self.population_col.value, self.area_population.value
        )
        found = sampling.classify_survey(
            self.survey, area, cols, self.classify_target.value / 100, weights
        )
        self.classified, self.district = found.areas, found.district
        self.classify_result.value = (
            _district_html(found)
            + "<p><b>Areas</b> (● reaches target, ■ below target; the share of yes answers, "
            "and in brackets its 95 % confidence interval, the range where the area's true "
            "coverage is likely to lie):</p>"
            + table_html(
                sampling.area_grid(found.areas, area, cols),
                {area: plain_heading(area), **{c: _label(c) for c in cols}},
                max_rows=60,
            )
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

    # ------------------------------------------------------------------ tab 4: draw

    def _run_draw(self, action, *args) -> None:
        self.run_safely(action, self.draw_error, *args, results=self.draw_area)

    def _on_draw_control(self, _change) -> None:
        """A changed choice: the sample drawn with the old choices is no longer shown."""
        if self.sample is not None:
            self.sample, self.record = None, None
            self.run_safely(lambda: None, self.draw_error, results=self.draw_area)

    def _method_changed(self) -> None:
        method = METHOD_LABELS[self.method.value]
        self.column.disabled = method in ("srs", "systematic")
        self.column.description = {
            "stratified": "Strata column",
            "pps": "Size column",
            "cluster": "Cluster column",
        }.get(method, "Column")
        self.per_cluster.disabled = method != "cluster"
        if method == "cluster" and self.register is not None:
            guess = sampling.guess_cluster_column(value for _, value in self.column.options)
            if guess is not None:
                self.column.value = guess

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
        method = METHOD_LABELS[self.method.value]
        kwargs = sampling.method_arguments(method, self.column.value, self.per_cluster.value)
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
