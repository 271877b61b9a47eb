"""Swimlane positions for a process map: one lane (row) per role, columns by the longest path.

:func:`layout` places every step of a :class:`~phcpm.process.ProcessMap` and routes
its arrows; the result depends only on the table, so the same table always gives the
same drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from phcpm.process.maps import ProcessMap

__all__ = [
    "COL_WIDTH",
    "LANE_HEIGHT",
    "LANE_LABEL_WIDTH",
    "BOX_WIDTH",
    "BOX_HEIGHT",
    "MARGIN",
    "FONT_SIZE",
    "WRAP",
    "Layout",
    "layout",
]

# Layout geometry (pixels in SVG; the matplotlib renderer uses the same numbers).
COL_WIDTH = 150
LANE_HEIGHT = 110
LANE_LABEL_WIDTH = 120
BOX_WIDTH = 118
BOX_HEIGHT = 62
MARGIN = 20
FONT_SIZE = 11
WRAP = 19


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    """Positions for drawing a :class:`ProcessMap` (pixels, origin at the top left).

    ``nodes``: step_id, label, lane, kind, lane_index, column, x, y (box centre), w, h.
    ``edges``: source, target, label, points (list of (x, y) along the arrow).
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    lanes: list[str]
    width: float
    height: float


def _back_edges(pmap: ProcessMap) -> set[tuple[str, str]]:
    """Edges that close a loop, found by a depth-first search from the start in table order."""
    graph: dict[str, list[str]] = {s: [] for s in pmap.steps["step_id"]}
    for s, t in zip(pmap.edges["source"], pmap.edges["target"], strict=True):
        graph[s].append(t)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    stack: list[tuple[str, int]] = [(pmap.start, 0)]
    state[pmap.start] = 1
    while stack:
        node, i = stack.pop()
        if i < len(graph[node]):
            stack.append((node, i + 1))
            nxt = graph[node][i]
            if state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, 0))
        else:
            state[node] = 2
    return back


def layout(pmap: ProcessMap) -> Layout:
    """Swimlane positions: one lane (row) per role, columns by the longest path from the start.

    A step's column is the length of the longest chain of arrows from the start to it
    (arrows that close a loop are ignored), so every arrow that is not a loop points to
    the right. When two steps of the same lane fall in the same column, the later one in
    the table moves one column right and its successors follow. The result depends only
    on the table, so the same table always gives the same drawing.


    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "step_id": ["S1", "S2", "S3"],
    ...     "label": ["Arrives", "Registers", "Leaves"],
    ...     "lane": ["Patient", "Clerk", "Patient"],
    ...     "kind": ["start", "step", "end"],
    ...     "next": ["S2", "S3", ""],
    ... })
    >>> from phcpm.process.maps import ProcessMap
    >>> lay = layout(ProcessMap.from_table(table))
    >>> lay.nodes[["step_id", "lane_index", "column"]].values.tolist()
    [['S1', 0, 0], ['S2', 1, 1], ['S3', 0, 2]]"""
    back = _back_edges(pmap)
    forward = [
        (s, t)
        for s, t in zip(pmap.edges["source"], pmap.edges["target"], strict=True)
        if (s, t) not in back
    ]
    order = list(pmap.steps["step_id"])
    rank = {sid: i for i, sid in enumerate(order)}
    lane_of = dict(zip(pmap.steps["step_id"], pmap.steps["lane"], strict=True))
    col = dict.fromkeys(order, 0)
    for _ in range(4 * len(order) + 4):
        changed = False
        # longest path: relax forward edges until nothing changes (the graph is acyclic)
        for _ in range(len(order)):
            moved = False
            for s, t in forward:
                if col[t] < col[s] + 1:
                    col[t] = col[s] + 1
                    moved = True
            if not moved:
                break
        taken: dict[tuple[str, int], str] = {}
        for sid in sorted(order, key=lambda k: (col[k], rank[k])):
            key = (lane_of[sid], col[sid])
            if key in taken:
                col[sid] += 1
                changed = True
                break
            taken[key] = sid
        if not changed:
            break
    lanes = pmap.lanes
    lane_index = {lane: i for i, lane in enumerate(lanes)}
    nodes = pmap.steps.copy()
    nodes["lane_index"] = nodes["lane"].map(lane_index)
    nodes["column"] = nodes["step_id"].map(col)
    nodes["x"] = LANE_LABEL_WIDTH + MARGIN + nodes["column"] * COL_WIDTH + COL_WIDTH / 2
    nodes["y"] = MARGIN + nodes["lane_index"] * LANE_HEIGHT + LANE_HEIGHT / 2
    nodes["w"] = float(BOX_WIDTH)
    nodes["h"] = float(BOX_HEIGHT)
    nodes.loc[nodes["kind"] == "decision", ["w", "h"]] = [BOX_WIDTH + 10.0, BOX_HEIGHT + 24.0]
    width = LANE_LABEL_WIDTH + 2 * MARGIN + (int(nodes["column"].max()) + 1) * COL_WIDTH
    height = 2 * MARGIN + len(lanes) * LANE_HEIGHT
    pos = nodes.set_index("step_id")
    occupied = set(zip(nodes["lane_index"], nodes["column"], strict=True))
    points, sides = [], []
    for s, t in zip(pmap.edges["source"], pmap.edges["target"], strict=True):
        a, b = pos.loc[s], pos.loc[t]
        la, lb = int(a["lane_index"]), int(b["lane_index"])
        x1, y1 = a["x"] + a["w"] / 2, a["y"]
        x2, y2 = b["x"] - b["w"] / 2, b["y"]
        xa, xb = a["x"] + COL_WIDTH / 2, b["x"] - COL_WIDTH / 2
        lane_top = MARGIN + la * LANE_HEIGHT
        blocked = any((la, c) in occupied for c in range(int(a["column"]) + 1, int(b["column"])))
        if (s, t) in back or b["column"] <= a["column"]:
            # a loop: leave from the bottom, run along the lane's lower edge, come back up
            low = MARGIN + (max(la, lb) + 1) * LANE_HEIGHT - 8
            pts = [(a["x"], a["y"] + a["h"] / 2), (a["x"], low), (b["x"], low)]
            pts.append((b["x"], b["y"] + b["h"] / 2))
            side = "below"
        elif la == lb and not blocked:
            pts = [(x1, y1), (x2, y2)]
            side = "level"
        elif xa >= xb:
            pts = [(x1, y1), (xa, y1), (xa, y2), (x2, y2)]
            side = "above" if lb < la else "below"
        else:
            # run in the free strip along the edge of the source lane, then go down or up
            # in the gap between columns, so the arrow never crosses a box
            edge_y = lane_top + 10 if lb < la else lane_top + LANE_HEIGHT - 10
            pts = [(x1, y1), (xa, y1), (xa, edge_y), (xb, edge_y), (xb, y2), (x2, y2)]
            side = "above" if lb <= la and edge_y < y1 else "below"
        points.append([(float(x), float(y)) for x, y in pts])
        sides.append(side)
    edges = pmap.edges.copy()
    edges["points"] = points
    # branch labels: just after the start of the arrow, above or below it
    label_xy = []
    for i, e in enumerate(edges.itertuples(index=False)):
        x0, y0 = e.points[0]
        side = sides[i]
        if side == "level":
            others = [sides[j] for j in range(len(sides)) if edges["source"].iloc[j] == e.source]
            side = "below" if "above" in others else "above"
        if (e.source, e.target) in back:
            label_xy.append((x0 + 5, y0 + 14))
        else:
            label_xy.append((x0 + 4, y0 - 5 if side == "above" else y0 + 13))
    edges["label_x"] = [float(p[0]) for p in label_xy]
    edges["label_y"] = [float(p[1]) for p in label_xy]
    return Layout(nodes=nodes, edges=edges, lanes=lanes, width=float(width), height=float(height))
