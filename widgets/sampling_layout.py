"""The controls and the arrangement of the sampling toolkit's four tabs.

Layout only: each ``build_*`` function makes a tab's controls, names them with
:meth:`widgets.common.Tool.part`, keeps them as attributes of the tool (the
names :mod:`widgets.sampling` and the tests use) and returns the tab. What
happens when a control changes is wired in :mod:`widgets.sampling`.
"""

from __future__ import annotations

import html

import ipywidgets as w

from widgets.common import Tool, error_box, note_box, upload_button

__all__ = [
    "METHOD_LABELS",
    "NO_POPULATION_COLUMN",
    "build_size",
    "build_lqas",
    "build_classify",
    "build_draw",
]

NO_POPULATION_COLUMN = "None: I type them below"
#: The sampling methods as a manager reads them, and their code in phcpm.sampling.
METHOD_LABELS = {
    "Simple random": "srs",
    "Systematic (every k-th)": "systematic",
    "Stratified (by a column)": "stratified",
    "Proportional to size (PPS)": "pps",
    "Two-stage cluster": "cluster",
}
WIDE = {"description_width": "initial"}


def help_text(text: str) -> w.HTML:
    """A line of grey help text."""
    return w.HTML(f"<span style='color:#444'>{html.escape(text)}</span>")


def build_size(tool: Tool) -> w.Widget:
    """Tab 1: expected coverage, margin, confidence, design effect, population."""
    tool.coverage = w.BoundedFloatText(
        value=50, min=1, max=99, step=1, description="Expected coverage (%)", style=WIDE
    )
    tool.margin = w.BoundedFloatText(
        value=5, min=0.1, max=50, step=0.5, description="Margin of error (± points)", style=WIDE
    )
    tool.confidence = w.Dropdown(
        options=[("90 %", 0.90), ("95 %", 0.95), ("99 %", 0.99)],
        value=0.95,
        description="Confidence",
        style=WIDE,
    )
    tool.deff = w.BoundedFloatText(
        value=1.0, min=1, max=20, step=0.1, description="Design effect", style=WIDE
    )
    tool.population = w.Text(
        value="", placeholder="leave empty if large", description="Population size", style=WIDE
    )
    for widget, part in [
        (tool.coverage, "coverage"),
        (tool.margin, "margin"),
        (tool.confidence, "confidence"),
        (tool.deff, "deff"),
        (tool.population, "population"),
    ]:
        widget.continuous_update = False
        tool.part(widget, part)
    tool.size_result = tool.part(w.HTML(), "result")
    tool.size_error = tool.part(error_box(), "error")
    rows = [
        (tool.coverage, "Your best guess of the coverage. If you have no idea, use 50 %: it gives the largest, safest number."),
        (tool.margin, "How close to the truth the estimate must be: 5 means the true value is within 5 points of your result."),
        (tool.confidence, "How sure you want to be that the true value is within the margin. 95 % is usual."),
        (tool.deff, "1 for a simple random sample. For a cluster survey use 1 + (people per cluster − 1) × ICC; for example 2 to 4."),
        (tool.population, "Only for small populations (a few thousand or fewer): the number needed is then smaller."),
    ]  # fmt: skip
    return w.VBox(
        [w.HBox([control, help_text(text)]) for control, text in rows]
        + [tool.size_result, tool.size_error]
    )


def build_lqas(tool: Tool, download: w.Widget) -> w.Widget:
    """Tab 2: people per area, target and lower threshold; the rule and its curve."""
    tool.lqas_n = w.IntSlider(value=19, min=5, max=50, description="People per area", style=WIDE)
    tool.lqas_target = w.IntSlider(
        value=80, min=20, max=95, step=5, description="Target (%)", style=WIDE
    )
    tool.lqas_lower = w.IntSlider(
        value=50, min=0, max=90, step=5, description="Lower threshold (%)", style=WIDE
    )
    for widget, part in [
        (tool.lqas_n, "lqas-n"),
        (tool.lqas_target, "lqas-target"),
        (tool.lqas_lower, "lqas-lower"),
    ]:
        widget.continuous_update = False
        tool.part(widget, part)
    tool.lqas_result = tool.part(w.HTML(), "lqas-result")
    tool.lqas_error = tool.part(error_box(), "lqas-error")
    tool.lqas_plot = tool.part(w.HTML(), "oc-curve")
    tool.lqas_download = tool.part(download, "lqas-download")
    return w.VBox(
        [
            help_text(
                "An area 'reaches the target' when at least d of the people interviewed "
                "say yes. The lower threshold is the coverage you must not miss "
                "(usually the target minus 30 points)."
            ),
            tool.lqas_n,
            tool.lqas_target,
            tool.lqas_lower,
            tool.lqas_result,
            tool.lqas_error,
            tool.lqas_plot,
            tool.lqas_download,
        ]
    )


def build_classify(tool: Tool, download: w.Widget) -> w.Widget:
    """Tab 3: a survey, its columns, the target and the areas' populations."""
    tool.survey_example = tool.part(
        w.Button(description="Use the example survey", button_style="primary", icon="table"),
        "survey-example",
    )
    tool.survey_upload = tool.part(upload_button("Use my own survey"), "survey-upload")
    tool.area_col = w.Dropdown(description="Area column", style=WIDE)
    tool.indicators = w.SelectMultiple(description="Indicators", style=WIDE, rows=6)
    tool.classify_target = w.BoundedIntText(
        value=80, min=5, max=99, description="Target (%)", style=WIDE
    )
    tool.population_col = tool.part(
        w.Dropdown(
            options=[(NO_POPULATION_COLUMN, "")],
            value="",
            description="Population column",
            style=WIDE,
        ),
        "population-column",
    )
    tool.area_population = tool.part(
        w.Textarea(
            placeholder="Ruvo North: 12400",
            description="Population of each area",
            continuous_update=False,
            rows=6,
            style=WIDE,
            layout=w.Layout(width="30em", max_width="100%"),
        ),
        "area-population",
    )
    tool.classify_button = tool.part(w.Button(description="Classify", icon="check"), "classify")
    tool.classify_result = tool.part(w.HTML(), "classify-result")
    tool.classify_error = tool.part(error_box(), "classify-error")
    tool.classify_note = tool.part(note_box(), "classify-note")
    tool.classify_download = tool.part(download, "classify-download")
    tool.classify_box = w.VBox([])
    return w.VBox(
        [
            help_text(
                "One row per person interviewed, a column naming the supervision area, "
                "and one column per question coded 1 (yes) or 0 (no)."
            ),
            w.HBox([tool.survey_example, tool.survey_upload]),
            tool.area_col,
            tool.indicators,
            tool.classify_target,
            help_text(
                "For the district estimate, give the population of each area: a column "
                "of your file, or typed one area a line after its name. Areas with the "
                "same number of interviews can have very different populations."
            ),
            tool.population_col,
            tool.area_population,
            tool.classify_button,
            tool.classify_error,
            tool.classify_note,
            tool.classify_box,
        ]
    )


def build_draw(tool: Tool, download: w.Widget) -> w.Widget:
    """Tab 4: a list, a method, how many, a seed; the sample and how it was drawn."""
    tool.register_example = tool.part(
        w.Button(description="Use the example register", button_style="primary", icon="table"),
        "register-example",
    )
    tool.register_upload = tool.part(upload_button("Use my own list"), "register-upload")
    tool.method = tool.part(
        w.Dropdown(options=list(METHOD_LABELS), description="Method", style=WIDE), "method"
    )
    tool.draw_n = tool.part(
        w.BoundedIntText(value=30, min=1, max=100_000, description="How many", style=WIDE), "n"
    )
    tool.seed = tool.part(
        w.BoundedIntText(value=2024, min=0, max=10**9, description="Seed", style=WIDE), "seed"
    )
    tool.column = w.Dropdown(description="Column", style=WIDE, disabled=True)
    tool.per_cluster = w.BoundedIntText(
        value=5, min=1, max=1000, description="Per cluster", style=WIDE, disabled=True
    )
    tool.draw_button = tool.part(w.Button(description="Draw the sample", icon="random"), "draw")
    tool.draw_result = tool.part(w.HTML(), "draw-result")
    tool.draw_record = tool.part(w.HTML(), "record")
    tool.draw_error = tool.part(error_box(), "draw-error")
    tool.draw_note = tool.part(note_box(), "draw-note")
    tool.draw_download = tool.part(download, "draw-download")
    tool.draw_box = w.VBox([])
    return w.VBox(
        [
            help_text(
                "Load a list (patients, households, facilities), choose a method and "
                "how many, then draw. The same seed always gives the same sample, so "
                "anyone can check it."
            ),
            w.HBox([tool.register_example, tool.register_upload]),
            tool.method,
            w.HBox([tool.draw_n, tool.seed]),
            w.HBox([tool.column, tool.per_cluster]),
            tool.draw_button,
            tool.draw_error,
            tool.draw_note,
            tool.draw_box,
        ]
    )
