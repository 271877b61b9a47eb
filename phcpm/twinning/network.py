"""The twinning network: who supports whom, drawn as a circle and told in words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.twinning.pairs import PAIR_COLUMNS, _fmt, _list, _profiles, score_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["describe_network", "network_edges", "plot_network"]


def network_edges(
    pairs: pd.DataFrame, scores: pd.DataFrame | None = None, **columns: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges for drawing the twinning network.

    ``edges``: one row per direction of support -- ``source`` (the supporting
    district), ``target``, ``domains`` ("; "-separated), ``gap`` (sum of gaps,
    points) and ``reciprocal``.

    ``nodes``: one row per district -- ``district``, ``partners`` (how many),
    ``strongest_domain``, ``strongest_score``, ``weakest_domain``,
    ``weakest_score``. With ``scores`` (and the same column options as
    :func:`score_table` in ``columns``) every district in the scores is a node,
    including unpaired ones; otherwise the districts in ``pairs``, with their
    profiles taken from ``pairs.attrs`` when present.
    """
    missing = [c for c in PAIR_COLUMNS[:8] if c not in pairs.columns]
    if missing:
        raise InputError(
            "This is not a table of twinning pairs",
            todo="Use the table that propose_pairs returns",
        )
    forward = pd.DataFrame(
        {
            "source": pairs["district_a"],
            "target": pairs["district_b"],
            "domains": pairs["a_supports_b_in"],
            "gap": pairs["a_to_b_gap"],
            "reciprocal": pairs["reciprocal"],
        }
    )
    backward = pd.DataFrame(
        {
            "source": pairs["district_b"],
            "target": pairs["district_a"],
            "domains": pairs["b_supports_a_in"],
            "gap": pairs["b_to_a_gap"],
            "reciprocal": pairs["reciprocal"],
        }
    )
    edges = pd.concat([forward, backward], ignore_index=True)
    edges = edges[edges["domains"].astype("string").str.len() > 0]
    edges = edges.sort_values(["source", "target"], kind="stable").reset_index(drop=True)

    if scores is not None:
        profiles = _profiles(score_table(scores, **columns))
    else:
        profiles = pairs.attrs.get("twinning", {}).get("profiles", {})
    paired = pd.concat([pairs["district_a"], pairs["district_b"]])
    districts = sorted(set(profiles) | set(paired))
    count = paired.value_counts()
    nodes = pd.DataFrame(
        {
            "district": districts,
            "partners": [int(count.get(d, 0)) for d in districts],
            **{
                key: [profiles.get(d, {}).get(key, np.nan) for d in districts]
                for key in (
                    "strongest_domain",
                    "strongest_score",
                    "weakest_domain",
                    "weakest_score",
                )
            },
        }
    )
    return nodes, edges


def describe_network(
    pairs: pd.DataFrame, scores: pd.DataFrame | None = None, **columns: Any
) -> str:
    """The twinning network in words: a text alternative for :func:`plot_network`.

    One sentence per district that gives support ("Lusako supports Kavira in
    stock management and immunisation"), then the districts without a partner.
    """
    nodes, edges = network_edges(pairs, scores, **columns)
    if edges.empty:
        text = "No pairs were proposed."
    else:
        parts = [
            f"{s} supports {t} in {_list(str(d).split('; '))}"
            for s, t, d in zip(edges["source"], edges["target"], edges["domains"], strict=True)
        ]
        text = f"Twinning network of {len(nodes)} districts and {len(pairs)} pairs: "
        text += "; ".join(parts) + "."
    alone = nodes.loc[nodes["partners"] == 0, "district"].tolist()
    if alone:
        text += f" Without a partner: {_list([str(a) for a in alone])}."
    return text


def _circle_order(nodes: pd.DataFrame, edges: pd.DataFrame) -> list[str]:
    """Districts in the order they go round the circle: partners next to each other.

    Start from the first district in alphabetical order and walk from partner
    to partner (depth first, partners in alphabetical order); districts not
    reached yet start a new walk. The order never depends on row order.
    """
    partners: dict[str, set[str]] = {str(n): set() for n in nodes["district"]}
    for s, t in zip(edges["source"], edges["target"], strict=True):
        partners[str(s)].add(str(t))
        partners[str(t)].add(str(s))
    order: list[str] = []
    for start in sorted(partners):
        stack = [start]
        while stack:
            name = stack.pop()
            if name in order:
                continue
            order.append(name)
            stack.extend(sorted(partners[name] - set(order), reverse=True))
    return order


def plot_network(
    pairs: pd.DataFrame,
    scores: pd.DataFrame | None = None,
    *,
    ax: Any = None,
    title: str | None = None,
    **columns: Any,
) -> Figure:
    """Draw the twinning network and return its matplotlib ``Figure``.

    Districts sit on a circle, starting at the top and going clockwise, in an
    order that puts partners next to each other (a walk from partner to
    partner, starting from the first name in alphabetical order), so the same
    pairs always give the same picture. Each
    direction of support is an arrow from the district that gives to the
    district that receives, labelled with the domains; the two arrows of a
    reciprocal pair bend to opposite sides. Pairs where support runs both ways
    are drawn with solid lines and one-way pairs with dashed lines, so the
    picture reads without colour. A district without a partner is drawn as an
    open circle marked "no partner". Colours are the Okabe-Ito palette
    (:mod:`phcpm.style`). The figure is made with ``matplotlib.figure.Figure``
    unless ``ax`` is given, so no global pyplot state is touched. Nodes and
    edges come from :func:`network_edges` (``scores`` and ``columns`` as there).
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    from phcpm.style import PALETTE

    nodes, edges = network_edges(pairs, scores, **columns)
    if ax is None:
        fig = Figure(figsize=(9, 7.5), dpi=100, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    names = _circle_order(nodes, edges)
    k = len(names)
    angle = np.pi / 2 - 2 * np.pi * np.arange(k) / max(k, 1)
    pos = {n: (float(np.cos(a)), float(np.sin(a))) for n, a in zip(names, angle, strict=True)}
    node_size = 0.11
    give, one_way = PALETTE[0], PALETTE[5]
    for s, t, d, both in zip(
        edges["source"], edges["target"], edges["domains"], edges["reciprocal"], strict=True
    ):
        (x1, y1), (x2, y2) = pos[s], pos[t]
        rad = 0.22
        colour = give if both else one_way
        arrow = FancyArrowPatch(
            (x1, y1),
            (x2, y2),
            connectionstyle=f"arc3,rad={rad}",
            arrowstyle="-|>,head_length=8,head_width=4",
            linestyle="-" if both else "--",
            linewidth=1.6,
            color=colour,
            shrinkA=24,
            shrinkB=24,
            zorder=2,
        )
        ax.add_patch(arrow)
        # the label sits a third of the way along the curve matplotlib draws for arc3
        # (a quadratic Bezier curve), next to the district that gives the support
        cx = (x1 + x2) / 2 + rad * (y2 - y1)
        cy = (y1 + y2) / 2 - rad * (x2 - x1)
        t = 0.34
        mx = (1 - t) ** 2 * x1 + 2 * t * (1 - t) * cx + t**2 * x2
        my = (1 - t) ** 2 * y1 + 2 * t * (1 - t) * cy + t**2 * y2
        ax.text(
            mx,
            my,
            "\n".join(str(d).split("; ")),
            ha="center",
            va="center",
            fontsize=8,
            color="#1a1a1a",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": colour},
            zorder=3,
        )
    for name, partners in zip(nodes["district"], nodes["partners"], strict=True):
        x, y = pos[name]
        alone = partners == 0
        ax.scatter(
            [x],
            [y],
            s=900,
            marker="o",
            facecolors="white" if alone else PALETTE[4],
            edgecolors="#1a1a1a",
            linewidths=1.5,
            zorder=4,
        )
        label = f"{name}\n(no partner)" if alone else str(name)
        ax.text(
            x * (1 + node_size * 2.6),
            y * (1 + node_size * 2.6),
            label,
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
            color="#1a1a1a",
            zorder=5,
        )
    ax.set_xlim(-1.55, 1.55)
    ax.set_ylim(-1.45, 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    handles = [
        Line2D([], [], color=give, linestyle="-", label="support runs both ways"),
        Line2D([], [], color=one_way, linestyle="--", label="support runs one way"),
    ]
    ax.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, -0.04),
        ncol=2,
        frameon=False,
        title="Arrows point from the district that gives support to the one that receives it",
        title_fontsize=9,
    )
    settings = pairs.attrs.get("twinning", {})
    if title is None:
        title = "Proposed twinning pairs"
        if settings:
            title += (
                f" (at most {settings['max_partners']} partners each, "
                f"gaps of {_fmt(settings['min_gap'])} points or more)"
            )
    ax.set_title(title)
    return fig
