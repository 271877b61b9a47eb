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

import numpy as np

from phcpm import spc
from phcpm.pdsa.store import ProjectStore
from phcpm.pdsa.tables import direction_words, measure_notes, measure_title
from phcpm.spc.explain import point_label
from phcpm.spc.runs import sign_runs

__all__ = ["MeasureChart", "run_chart", "direction_reading"]


@dataclass
class MeasureChart:
    """A drawn run chart: the figure, its reading in sentences, and a text description."""

    #: The matplotlib figure (close it when it is no longer shown).
    figure: Any
    #: The reading of the chart in plain sentences: which way is better, the signals
    #: (:func:`phcpm.spc.explain`), whether a shift is an improvement
    #: (:func:`direction_reading`) and how the measure is counted.
    sentences: list[str]
    #: What the picture shows, for someone who cannot see it (an image's ``alt`` text).
    description: str


def run_chart(store: ProjectStore, measure_id: int) -> MeasureChart | None:
    """The run chart of a measure with its project's PDSA cycles as notes.

    A proportion is shown in percent (numerator and denominator of every
    period); a count or a measurement as entered, in its unit. Each cycle is
    noted at the period it started in (:meth:`ProjectStore.cycle_annotations`).
    The title says which way is better, and the sentences read a shift by the
    measure's direction (:func:`direction_reading`), so a fall in waiting time
    reads as an improvement and a fall in testing as a worsening. Returns None when the measure has fewer than two periods: there is no run
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
    title = (
        f"{measure_title(measure['name'], measure['role'])} "
        f"({direction_words(measure['higher_is_better']).lower()})"
    )
    figure = spc.plot_qic(
        run,
        notes=notes,
        title=title,
        ylabel=f"{measure['name']} ({unit})" if unit else measure["name"],
    )
    direction, counted = measure_notes(measure)
    sentences = [
        direction,
        *spc.explain(run),
        *direction_reading(run, measure["higher_is_better"]),
        counted,
    ]
    description = (
        f"Run chart. {title}; {len(series)} periods from "
        f"{series['period'].min():%Y-%m-%d} to {series['period'].max():%Y-%m-%d}, "
        f"with {len(notes)} PDSA cycle notes"
        + (": " + "; ".join(notes.values()) if notes else "")
        + ". "
        + " ".join(sentences)
    )
    return MeasureChart(figure, sentences, description)


def direction_reading(run: spc.QicResult, higher_is_better: bool) -> list[str]:
    """Whether the shift a run chart shows is an improvement or a worsening.

    A shift is a run of more points in a row on one side of the median than
    chance allows (Anhøj J & Olesen AV, *Run charts revisited*, PLoS One 2014;
    the same longest run that :func:`phcpm.spc.explain` names). Whether it is
    good news depends on the measure: above the median is the better side when
    higher is better, below it when lower is better (Provost LP & Murray SK,
    *The Health Care Data Guide*, Jossey-Bass, 2011, chapter 2). When the
    shift holds the latest periods, the measure has improved or got worse;
    when it holds the first periods and most later points lie on the other
    side, it changed the other way since then; otherwise the sentence says
    only on which side the shift lies. Of two equally long runs the later is
    read, as the one nearer the present. Returns no sentence when there is no
    shift (the chart's own sentences say what it shows).
    """
    d = run.data
    out: list[str] = []
    multi = d["part"].nunique() > 1
    for p, piece in d.groupby("part", sort=True):
        row = piece.iloc[0]
        if not bool(row["runs_signal"]) or not row["longest_run"] > row["longest_run_max"]:
            continue
        inc = piece[piece["include"]]
        with np.errstate(invalid="ignore"):
            side = np.sign(inc["y"].to_numpy(float) - inc["cl"].to_numpy(float))
        ok = ~np.isnan(side) & (side != 0)
        sides, xs = side[ok], inc["x"].to_numpy()[ok]
        starts, lengths = sign_runs(sides)
        i = len(lengths) - 1 - int(np.argmax(lengths[::-1]))  # the latest longest run
        start, length = int(starts[i]), int(lengths[i])
        end = start + length - 1
        above = bool(sides[start] > 0)
        better = above == bool(higher_is_better)
        where = "above" if above else "below"
        shift = (
            f"{'Part ' + str(p) + ': ' if multi else ''}The {length} points in a row {where} "
            f"the median (from {point_label(xs[start])} to {point_label(xs[end])})"
        )
        side_words = "the better side" if better else "the worse side"
        later = sides[end + 1 :]
        if end == len(sides) - 1:
            change = "improved" if better else "got worse"
            out.append(
                f"{shift} are the latest periods, on {side_words} for this measure: "
                f"it has {change}."
            )
        elif start == 0 and later.size and (later == -sides[start]).mean() > 0.5:
            change = "got worse" if better else "improved"
            out.append(
                f"{shift} are the first periods, on {side_words} for this measure; most later "
                f"points lie on the other side, so it has {change} since then."
            )
        else:
            out.append(f"{shift} are on {side_words} of the median for this measure.")
    return out
