"""The run chart of a measure, with the PDSA cycles noted on it.

A run chart with the changes tested written on it is how a team sees whether
a change is an improvement (Provost LP & Murray SK, *The Health Care Data
Guide*, Jossey-Bass, 2011, chapters 3-4); the chart and its reading come from
:func:`phcpm.spc.qic` (``chart="run"``), :func:`phcpm.spc.plot_qic` and
:func:`phcpm.spc.explain`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phcpm import spc
from phcpm.pdsa.store import ProjectStore
from phcpm.pdsa.tables import measure_title

__all__ = ["MeasureChart", "run_chart"]


@dataclass
class MeasureChart:
    """A drawn run chart: the figure, its reading in sentences, and a text description."""

    #: The matplotlib figure (close it when it is no longer shown).
    figure: Any
    #: The reading of the chart in plain sentences (:func:`phcpm.spc.explain`).
    sentences: list[str]
    #: What the picture shows, for someone who cannot see it (an image's ``alt`` text).
    description: str


def run_chart(store: ProjectStore, measure_id: int) -> MeasureChart | None:
    """The run chart of a measure with its project's PDSA cycles as notes.

    A proportion is shown in percent (numerator and denominator of every
    period); a count or a measurement as entered, in its unit. Each cycle is
    noted at the period it started in (:meth:`ProjectStore.cycle_annotations`).
    Returns None when the measure has fewer than two periods: there is no run
    to read yet.
    """
    measure = store.get_measure(measure_id)
    series = store.measure_series(measure["id"])
    if len(series) < 2:
        return None
    proportion = measure["kind"] == "proportion"
    run = spc.qic(
        series["numerator"] if proportion else series["value"],
        series["denominator"] if proportion else None,
        x=series["period"],
        chart="run",
        multiply=100 if proportion else 1,
    )
    notes = store.cycle_annotations(measure["project_id"], series["period"])
    unit = "%" if proportion else measure["unit"]
    title = measure_title(measure["name"], measure["role"])
    figure = spc.plot_qic(
        run,
        notes=notes,
        title=title,
        ylabel=f"{measure['name']} ({unit})" if unit else measure["name"],
    )
    sentences = spc.explain(run)
    description = (
        f"Run chart. {title}; {len(series)} periods from "
        f"{series['period'].min():%Y-%m-%d} to {series['period'].max():%Y-%m-%d}, "
        f"with {len(notes)} PDSA cycle notes"
        + (": " + "; ".join(notes.values()) if notes else "")
        + ". "
        + " ".join(sentences)
    )
    return MeasureChart(figure, sentences, description)
