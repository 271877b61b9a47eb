"""Trend charts for feedback: one small panel per indicator, a line per org unit."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.style import NEUTRAL, PALETTE

__all__ = ["trend_small_multiples"]


def trend_small_multiples(
    values: pd.DataFrame,
    definitions: pd.DataFrame,
    org_units: list[str],
    names: dict[str, str] | None = None,
    ncols: int = 4,
) -> Any:
    """Small multiples: one panel per indicator, a line per org unit, the target dashed.

    ``values`` is a tidy table (``org_unit``, ``period``, ``indicator``,
    ``value``) such as :func:`phcpm.scorecard.district_indicators` returns;
    ``definitions`` gives names, units and targets; ``org_units`` the codes to
    draw (up to eight, one Okabe-Ito colour and marker each). Returns the
    matplotlib figure.
    """
    import matplotlib.pyplot as plt

    if not org_units:
        raise InputError("No org unit chosen for the trend charts", todo="Choose at least one")
    org_units = list(org_units)[: len(PALETTE)]
    defs = definitions.drop_duplicates("indicator").reset_index(drop=True)
    n = len(defs)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.2 * ncols, 2.4 * nrows), sharex=True, squeeze=False
    )
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    sub = values[values["org_unit"].astype(str).isin(org_units)]
    periods = pd.PeriodIndex(sorted(pd.unique(values["period"])))
    x = np.arange(len(periods))
    for k, d in enumerate(defs.itertuples()):
        ax = axes[k // ncols][k % ncols]
        one = sub[sub["indicator"] == d.indicator]
        for c, code in enumerate(org_units):
            line = one[one["org_unit"].astype(str) == code].set_index("period")["value"]
            y = line.reindex(periods).to_numpy(dtype=float)
            ax.plot(
                x,
                y,
                color=PALETTE[c],
                marker=markers[c],
                markersize=3.5,
                linewidth=1.4,
                label=(names or {}).get(code, code),
            )
        target = getattr(d, "target", float("nan"))
        if target is not None and not pd.isna(target):
            ax.axhline(float(target), color=NEUTRAL, linestyle="--", linewidth=1)
        unit = getattr(d, "unit", "") or ""
        title = getattr(d, "name", d.indicator)
        ax.set_title(f"{title} ({unit})" if unit else title, fontsize=9)
        ax.tick_params(labelsize=7)
    step = max(1, len(periods) // 4)
    for ax in axes.ravel():
        ax.set_xticks(x[::step])
        ax.set_xticklabels([str(p) for p in periods[::step]], fontsize=7)
    for k in range(n, nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8)
    fig.text(0.99, 0.005, "Dashed line: target", ha="right", fontsize=7, color=NEUTRAL)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
