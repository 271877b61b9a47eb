"""Drawing a run or control chart with matplotlib.

matplotlib is imported only when a chart is drawn, so the calculations can be
used without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from phcpm.spc.constants import CHARTS
from phcpm.spc.explain import format_number
from phcpm.spc.qic import QicResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_qic"]


def plot_qic(
    result: QicResult,
    ax: Any = None,
    title: str | None = None,
    notes: Mapping[Any, str] | None = None,
    ylabel: str | None = None,
    xlabel: str | None = None,
) -> Figure:
    """Draw a run or control chart and return its matplotlib ``Figure``.

    Line with points; centre line solid (median for run and G charts), control
    limits dashed; points outside the limits drawn as larger diamonds in the
    signal colour (so colour is never the only cue); a centre line with a runs
    signal is drawn in the signal colour and labelled; parts separated by a
    vertical line; excluded points drawn hollow; ``notes`` ({x: label}, e.g.
    changes tested in PDSA cycles) as annotations. The figure is created with
    ``matplotlib.figure.Figure`` unless ``ax`` is given, so no global pyplot
    state is touched.

    >>> from phcpm.spc import qic
    >>> fig = plot_qic(qic([3, 5, 2, 4, 6, 3, 12, 4], chart="c"), title="Stock-outs")
    >>> fig.axes[0].get_title()
    'Stock-outs'
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from phcpm.style import NEUTRAL, ORDINARY, SIGNAL

    d = result.data
    if ax is None:
        fig = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    categorical = result.settings.get("categorical", False)
    xplot = d["position"].to_numpy() if categorical else d["x"].to_numpy()

    if not categorical:
        ax.plot(xplot, d["y"], color=NEUTRAL, linewidth=1.2, zorder=2)
    ordinary = ~d["sigma_signal"].to_numpy()
    inc = d["include"].to_numpy()
    ax.scatter(
        xplot[ordinary & inc], d["y"][ordinary & inc], color=ORDINARY, s=22, marker="o", zorder=3
    )
    ax.scatter(
        xplot[~inc],
        d["y"][~inc],
        facecolors="white",
        edgecolors=ORDINARY,
        s=22,
        marker="o",
        zorder=3,
    )
    sig = d["sigma_signal"].to_numpy()
    ax.scatter(xplot[sig], d["y"][sig], color=SIGNAL, s=60, marker="D", zorder=4)

    runs_flag = False
    for _, piece in d.groupby("part", sort=True):
        idx = piece.index.to_numpy()
        xs = xplot[idx]
        signal = bool(piece["runs_signal"].iloc[0])
        runs_flag |= signal
        ax.plot(
            xs,
            piece["cl"],
            color=SIGNAL if signal else NEUTRAL,
            linewidth=2.2 if signal else 1.5,
            linestyle="-",
            drawstyle="steps-mid",
            zorder=1,
        )
        for col in ("ucl", "lcl"):
            if piece[col].notna().any():
                ax.plot(
                    xs,
                    piece[col],
                    color=NEUTRAL,
                    linestyle="--",
                    linewidth=1,
                    drawstyle="steps-mid",
                    zorder=1,
                )
        last = piece.dropna(subset=["cl"]).tail(1)
        if len(last):
            label = "Median" if result.chart in ("run", "g") else "CL"
            text = f"{label} {format_number(float(last['cl'].iloc[0]))}"
            ax.annotate(
                text,
                (xplot[last.index[0]], last["cl"].iloc[0]),
                xytext=(4, 2),
                textcoords="offset points",
                fontsize=8,
                color=SIGNAL if signal else NEUTRAL,
            )
    parts = d.groupby("part", sort=True)["position"].min().to_numpy()[1:]
    for first in parts:
        i = int(first) - 1
        boundary = (
            (float(xplot[i - 1]) + float(xplot[i])) / 2
            if np.issubdtype(np.asarray(xplot).dtype, np.number)
            else xplot[i]
        )
        ax.axvline(boundary, color=NEUTRAL, linestyle=":", linewidth=1)
    if result.freeze is not None and result.freeze < len(d):
        ax.axvline(xplot[result.freeze - 1], color=NEUTRAL, linestyle="-.", linewidth=0.8)

    for key, label in (notes or {}).items():
        match = d.index[d["x"] == key]
        if len(match):
            i = match[0]
            ax.annotate(
                label,
                (xplot[i], d["y"].iloc[i]),
                xytext=(0, 24),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                arrowprops={"arrowstyle": "->", "color": NEUTRAL},
            )

    ax.margins(x=0.1)
    if categorical:
        ax.set_xticks(d["position"].to_numpy(), [str(v) for v in d["x"]], rotation=45, ha="right")
    ax.set_title(title if title is not None else CHARTS[result.chart].capitalize())
    if ylabel:
        ax.set_ylabel(ylabel)
    if xlabel:
        ax.set_xlabel(xlabel)
    centre_label = "Median" if result.chart in ("run", "g") else "Centre line"
    handles = [
        Line2D([], [], color=ORDINARY, marker="o", linestyle="", label="Value"),
        Line2D(
            [],
            [],
            color=NEUTRAL,
            linewidth=1.5,
            label=centre_label,
        ),
    ]
    if d["ucl"].notna().any():
        handles.append(Line2D([], [], color=NEUTRAL, linestyle="--", label="Control limits"))
    if sig.any():
        handles.append(
            Line2D([], [], color=SIGNAL, marker="D", linestyle="", label="Outside the limits")
        )
    if runs_flag:
        handles.append(Line2D([], [], color=SIGNAL, linewidth=2.2, label="Runs signal"))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=len(handles),
        fontsize=8,
        frameon=False,
    )
    return fig
