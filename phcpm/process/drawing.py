"""Drawing a laid-out process map: SVG text in pure Python, or a matplotlib figure and PNG.

Waiting steps can be coloured by their median wait on :data:`WAIT_SCALE`; the minutes
are always written in the box too, so colour is never the only cue. No graphviz or
other drawing program is needed.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from phcpm.errors import InputError
from phcpm.process.positions import FONT_SIZE, LANE_HEIGHT, LANE_LABEL_WIDTH, MARGIN, WRAP, Layout

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "WAIT_SCALE",
    "WAIT_BREAKS",
    "wait_colour",
    "render_svg",
    "render_matplotlib",
    "to_png",
]

#: Sequential scale for waiting minutes, light to dark (ColorBrewer "YlOrBr", 5 classes;
#: Brewer, colorbrewer2.org, 2002: marked safe for colour-blind readers). The minutes are
#: always written in the box as well, so colour is never the only cue.
WAIT_SCALE: tuple[str, ...] = ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404")
#: Upper limits (minutes) of the first four classes of :data:`WAIT_SCALE`.
WAIT_BREAKS: tuple[float, ...] = (5.0, 10.0, 20.0, 40.0)


def wait_colour(minutes: float) -> str:
    """Fill colour for a waiting time, from :data:`WAIT_SCALE` (class limits :data:`WAIT_BREAKS`).


    >>> wait_colour(3), wait_colour(25), wait_colour(90)
    ('#ffffd4', '#d95f0e', '#993404')"""
    return WAIT_SCALE[int(np.searchsorted(WAIT_BREAKS, float(minutes), side="left"))]


def _dark(fill: str) -> bool:
    return fill in WAIT_SCALE[3:]


def _lines(label: str, extra: str | None = None, width: int = WRAP) -> list[str]:
    lines = textwrap.wrap(label, width=width, break_long_words=True)[:4]
    if len(textwrap.wrap(label, width=width)) > 4:
        lines[-1] = lines[-1][: width - 1] + "…"
    if extra:
        lines.append(extra)
    return lines


def _minutes_text(value: float) -> str:
    return f"{value:.0f} min wait"


def _check_minutes(minutes: Mapping[str, float] | None, lay: Layout) -> dict[str, float]:
    if not minutes:
        return {}
    known = set(lay.nodes["step_id"])
    out = {}
    for sid, value in minutes.items():
        if sid not in known:
            raise InputError(
                f"Waiting minutes were given for step {sid}, which is not on the map",
                todo="Use the step ids of the process table",
            )
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        out[sid] = float(value)
    return out


# --------------------------------------------------------------------------- SVG


def _node_fill(node, mins: dict) -> tuple[str, str | None]:
    """Fill colour of a step in the drawing, and its minutes label when it has a time:
    steps with a time take the colour of their wait, start and end are pale blue,
    other steps white. The SVG and the picture use the same rule."""
    if node.step_id in mins:
        return wait_colour(mins[node.step_id]), _minutes_text(mins[node.step_id])
    if node.kind in ("start", "end"):
        return "#d9ecf7", None
    return "#ffffff", None


def _svg_shape(kind: str, x: float, y: float, w: float, h: float, fill: str) -> str:
    left, top = x - w / 2, y - h / 2
    style = f'fill="{fill}" stroke="#1a1a1a" stroke-width="1.5"'
    if kind in ("start", "end"):
        return (
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'rx="{h / 2:.1f}" ry="{h / 2:.1f}" {style}/>'
        )
    if kind == "decision":
        return (
            f'<polygon points="{x:.1f},{top:.1f} {left + w:.1f},{y:.1f} {x:.1f},{top + h:.1f} '
            f'{left:.1f},{y:.1f}" {style}/>'
        )
    if kind == "wait":
        r = h / 2
        return (
            f'<path d="M{left:.1f},{top:.1f} H{left + w - r:.1f} A{r:.1f},{r:.1f} 0 0 1 '
            f'{left + w - r:.1f},{top + h:.1f} H{left:.1f} Z" {style}/>'
        )
    return f'<rect x="{left:.1f}" y="{top:.1f}" width="{w:.1f}" height="{h:.1f}" {style}/>'


def render_svg(
    lay: Layout,
    minutes: Mapping[str, float] | None = None,
    title: str = "Process map",
) -> str:
    """Draw a :class:`Layout` as SVG text: lanes as labelled bands, standard symbols, arrows.

    ``minutes`` (step id -> median waiting minutes) colours those steps on the
    :data:`WAIT_SCALE` and writes the minutes in the box, with a legend. The SVG has a
    ``<title>`` and a ``<desc>`` (the steps in words) for screen readers.


    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "step_id": ["S1", "S2", "S3"],
    ...     "label": ["Arrives", "Registers", "Leaves"],
    ...     "lane": ["Patient", "Clerk", "Patient"],
    ...     "kind": ["start", "step", "end"],
    ...     "next": ["S2", "S3", ""],
    ... })
    >>> from phcpm.process.maps import ProcessMap
    >>> from phcpm.process.positions import layout
    >>> svg = render_svg(layout(ProcessMap.from_table(table)), title="Registration")
    >>> svg.startswith("<svg") and "<title>Registration</title>" in svg
    True"""
    mins = _check_minutes(minutes, lay)
    legend_h = 46 if mins else 0
    width, height = lay.width, lay.height + legend_h
    desc = "; ".join(f"{r.label} ({r.lane}, {r.kind})" for r in lay.nodes.itertuples(index=False))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-size="{FONT_SIZE}">',
        f"<title>{html.escape(title)}</title>",
        f"<desc>{html.escape(desc)}</desc>",
        "<defs><marker id='phcpm-arrow' viewBox='0 0 10 10' refX='10' refY='5' "
        "markerWidth='7' markerHeight='7' orient='auto-start-reverse'>"
        "<path d='M0,0 L10,5 L0,10 z' fill='#1a1a1a'/></marker></defs>",
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    for i, lane in enumerate(lay.lanes):
        top = MARGIN + i * LANE_HEIGHT
        shade = "#f2f2f2" if i % 2 == 0 else "#ffffff"
        out.append(
            f'<rect x="{MARGIN}" y="{top}" width="{width - 2 * MARGIN:.0f}" '
            f'height="{LANE_HEIGHT}" fill="{shade}" stroke="#7f7f7f" stroke-width="0.8"/>'
        )
        out.append(
            f'<line x1="{MARGIN + LANE_LABEL_WIDTH}" y1="{top}" x2="{MARGIN + LANE_LABEL_WIDTH}" '
            f'y2="{top + LANE_HEIGHT}" stroke="#7f7f7f" stroke-width="0.8"/>'
        )
        for k, line in enumerate(textwrap.wrap(lane, 16)[:3]):
            out.append(
                f'<text x="{MARGIN + 8}" y="{top + LANE_HEIGHT / 2 - 6 + 14 * k:.1f}" '
                f'font-weight="bold" fill="#1a1a1a">{html.escape(line)}</text>'
            )
    for e in lay.edges.itertuples(index=False):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in e.points)
        out.append(
            f'<polyline points="{pts}" fill="none" stroke="#1a1a1a" stroke-width="1.3" '
            f'marker-end="url(#phcpm-arrow)"/>'
        )
        if e.label:
            lx, ly = e.label_x, e.label_y
            out.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" font-style="italic" fill="#00466e">'
                f"{html.escape(e.label)}</text>"
            )
    for r in lay.nodes.itertuples(index=False):
        fill, extra = _node_fill(r, mins)
        out.append(f'<g class="phcpm-step" data-step="{html.escape(r.step_id)}">')
        out.append(_svg_shape(r.kind, r.x, r.y, r.w, r.h, fill))
        width_chars = WRAP - 5 if r.kind == "decision" else WRAP
        lines = _lines(r.label, extra, width_chars)
        colour = "#ffffff" if _dark(fill) else "#1a1a1a"
        first = r.y - (len(lines) - 1) * 6.5 + 4
        for k, line in enumerate(lines):
            weight = ' font-weight="bold"' if extra and k == len(lines) - 1 else ""
            out.append(
                f'<text x="{r.x:.1f}" y="{first + 13 * k:.1f}" text-anchor="middle" '
                f'fill="{colour}"{weight}>{html.escape(line)}</text>'
            )
        out.append("</g>")
    if mins:
        top = lay.height + 4
        out.append(
            f'<text x="{MARGIN}" y="{top + 14}" fill="#1a1a1a">Median wait (minutes):</text>'
        )
        bounds = [0.0, *WAIT_BREAKS]
        for k, colour in enumerate(WAIT_SCALE):
            x = MARGIN + 150 + k * 95
            text = f"{bounds[k]:.0f}–{WAIT_BREAKS[k]:.0f}" if k < 4 else f"over {bounds[k]:.0f}"
            out.append(
                f'<rect x="{x}" y="{top + 3}" width="22" height="14" fill="{colour}" '
                f'stroke="#1a1a1a" stroke-width="0.8"/>'
                f'<text x="{x + 27}" y="{top + 14}" fill="#1a1a1a">{text}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


# --------------------------------------------------------------------------- matplotlib


def render_matplotlib(
    lay: Layout, minutes: Mapping[str, float] | None = None, title: str = ""
) -> Figure:
    """Draw the same :class:`Layout` with matplotlib (for PNG files and the book).

    Same symbols, lanes, arrows, colours and minutes as :func:`render_svg`.
    Returns a matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon, Rectangle
    from matplotlib.path import Path as MplPath

    mins = _check_minutes(minutes, lay)
    legend_h = 46 if mins else 0
    width, height = lay.width, lay.height + legend_h
    scale = 1 / 100
    fig = plt.figure(figsize=(width * scale, height * scale))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    fs = 8.0
    for i, lane in enumerate(lay.lanes):
        top = MARGIN + i * LANE_HEIGHT
        shade = "#f2f2f2" if i % 2 == 0 else "#ffffff"
        ax.add_patch(
            Rectangle(
                (MARGIN, top), width - 2 * MARGIN, LANE_HEIGHT, fc=shade, ec="#7f7f7f", lw=0.6
            )
        )
        ax.plot([MARGIN + LANE_LABEL_WIDTH] * 2, [top, top + LANE_HEIGHT], color="#7f7f7f", lw=0.6)
        ax.text(
            MARGIN + 8,
            top + LANE_HEIGHT / 2,
            "\n".join(textwrap.wrap(lane, 16)[:3]),
            va="center",
            ha="left",
            fontsize=fs,
            fontweight="bold",
            color="#1a1a1a",
        )
    for e in lay.edges.itertuples(index=False):
        xs = [p[0] for p in e.points]
        ys = [p[1] for p in e.points]
        ax.plot(xs[:-1] + [xs[-1]], ys[:-1] + [ys[-1]], color="#1a1a1a", lw=1.0)
        ax.annotate(
            "",
            xy=(xs[-1], ys[-1]),
            xytext=(xs[-2], ys[-2]),
            arrowprops={"arrowstyle": "-|>", "color": "#1a1a1a", "lw": 1.0},
        )
        if e.label:
            lx, ly = e.label_x, e.label_y
            ax.text(lx, ly, e.label, fontsize=fs, style="italic", color="#00466e")
    for r in lay.nodes.itertuples(index=False):
        fill, extra = _node_fill(r, mins)
        left, top = r.x - r.w / 2, r.y - r.h / 2
        if r.kind in ("start", "end"):
            patch = FancyBboxPatch(
                (left, top), r.w, r.h, boxstyle=f"round,pad=0,rounding_size={r.h / 2}"
            )
        elif r.kind == "decision":
            patch = Polygon(
                [(r.x, top), (left + r.w, r.y), (r.x, top + r.h), (left, r.y)], closed=True
            )
        elif r.kind == "wait":
            rad = r.h / 2
            cx = left + r.w - rad
            theta = np.linspace(-np.pi / 2, np.pi / 2, 25)
            arc = [(cx + rad * np.cos(t), r.y + rad * np.sin(t)) for t in theta]
            verts = [(left, top), *arc, (left, top + r.h), (left, top)]
            patch = PathPatch(MplPath(verts, closed=True))
        else:
            patch = Rectangle((left, top), r.w, r.h)
        patch.set_facecolor(fill)
        patch.set_edgecolor("#1a1a1a")
        patch.set_linewidth(1.2)
        ax.add_patch(patch)
        width_chars = WRAP - 5 if r.kind == "decision" else WRAP
        lines = _lines(r.label, extra, width_chars)
        colour = "#ffffff" if _dark(fill) else "#1a1a1a"
        ax.text(
            r.x, r.y, "\n".join(lines), ha="center", va="center", fontsize=fs - 0.5, color=colour
        )
    if mins:
        top = lay.height + 4
        ax.text(MARGIN, top + 11, "Median wait (minutes):", fontsize=fs, va="center")
        bounds = [0.0, *WAIT_BREAKS]
        for k, colour in enumerate(WAIT_SCALE):
            x = MARGIN + 150 + k * 95
            ax.add_patch(Rectangle((x, top + 3), 22, 14, fc=colour, ec="#1a1a1a", lw=0.6))
            text = f"{bounds[k]:.0f}–{WAIT_BREAKS[k]:.0f}" if k < 4 else f"over {bounds[k]:.0f}"
            ax.text(x + 27, top + 11, text, fontsize=fs, va="center")
    if title:
        ax.set_title(title)
    return fig


def to_png(lay: Layout, minutes: Mapping[str, float] | None = None) -> bytes:
    """PNG bytes of the map, drawn by :func:`render_matplotlib` (no cairo or graphviz needed)."""
    import io

    import matplotlib.pyplot as plt

    fig = render_matplotlib(lay, minutes)
    buffer = io.BytesIO()
    try:
        # the figure is already the size of the drawing: no "tight" pass needed
        fig.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        plt.close(fig)
