"""Process maps, patient-flow times and a simple queue model for a health facility.

Three tools for the manager's question "where do patients lose their time, and what
would help?":

- :class:`ProcessMap` reads a table of steps (who does what, and what comes next),
  checks it, lays it out in swimlanes (one lane per role) and draws it as SVG text
  (:func:`render_svg`) or as a matplotlib figure (:func:`render_matplotlib`, used for
  PNG files by :func:`to_png`). The symbols are the usual flowchart symbols
  (Institute for Healthcare Improvement, *Flowchart* tool, 2017; Langley et al.,
  *The Improvement Guide*, 2nd ed., 2009): an oval (terminator) for the start and the
  end, a rectangle for a step, a diamond for a decision and a "D" shape for a wait
  (delay).
- :func:`step_times` turns time-and-motion stamps into waiting and service minutes per
  visit and per step, the bottleneck and the value-added share.
- :func:`simulate_queue` is a small discrete-event simulation of a first-come,
  first-served queue with one or more servers; :func:`erlang_c_wait` gives the textbook
  M/M/c waiting time it is tested against; :func:`what_if` asks "what if this step had
  one more nurse?" on a facility's own stamps.

Everything here is pure Python, numpy and pandas (matplotlib only inside
:func:`render_matplotlib`): no graphviz or other drawing program is needed.
"""

from __future__ import annotations

import heapq
import html
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.errors import InputError

#: Kinds of step a process table may use, with the symbol drawn for each.
KINDS: dict[str, str] = {
    "start": "oval (terminator)",
    "step": "rectangle",
    "decision": "diamond",
    "wait": "D shape (delay)",
    "end": "oval (terminator)",
}
REQUIRED_COLUMNS = ("step_id", "label", "lane", "kind", "next")

#: Sequential scale for waiting minutes, light to dark (ColorBrewer "YlOrBr", 5 classes;
#: Brewer, colorbrewer2.org, 2002: marked safe for colour-blind readers). The minutes are
#: always written in the box as well, so colour is never the only cue.
WAIT_SCALE: tuple[str, ...] = ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404")
#: Upper limits (minutes) of the first four classes of :data:`WAIT_SCALE`.
WAIT_BREAKS: tuple[float, ...] = (5.0, 10.0, 20.0, 40.0)

# Layout geometry (pixels in SVG; the matplotlib renderer uses the same numbers).
COL_WIDTH = 150
LANE_HEIGHT = 110
LANE_LABEL_WIDTH = 120
BOX_WIDTH = 118
BOX_HEIGHT = 62
MARGIN = 20
FONT_SIZE = 11
WRAP = 19


# --------------------------------------------------------------------------- reading


def _split(cell: object) -> list[str]:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA:
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def _clean(cell: object) -> str:
    if cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return str(cell).strip()


@dataclass(frozen=True)
class ProcessMap:
    """A checked process: its steps (one row each) and its arrows (one row each).

    ``steps`` has columns step_id, label, lane, kind; ``edges`` has source, target and
    label (the branch label after a decision, empty otherwise). Build one with
    :meth:`from_table`.
    """

    steps: pd.DataFrame
    edges: pd.DataFrame

    @classmethod
    def from_table(cls, df: pd.DataFrame) -> ProcessMap:
        """Check a steps table and build the map.

        The table needs the columns step_id, label, lane, kind (start, step, decision,
        wait or end) and next (the ids of the next steps, separated by ';'); an optional
        next_labels column gives the branch labels after a decision, in the same order.
        Rules: ids are unique and filled; every kind is known; every next id exists;
        there is exactly one start; every step can be reached from the start; an end can
        be reached; a decision has at least two branches, each labelled; an end has no
        next step; every other step has one.
        Raises :class:`InputError` naming the step at fault.
        """
        if not isinstance(df, pd.DataFrame) or df.empty:
            raise InputError(
                "The process table is empty",
                todo="Give one row per step with the columns " + ", ".join(REQUIRED_COLUMNS),
            )
        columns = {str(c).strip().lower(): c for c in df.columns}
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise InputError(
                "The process table has no column " + ", ".join(f"'{m}'" for m in missing),
                where="the first row (column names)",
                todo="Name the columns " + ", ".join(REQUIRED_COLUMNS) + " (and next_labels)",
            )
        get = {name: df[columns[name]] for name in REQUIRED_COLUMNS}
        labels_col = df[columns["next_labels"]] if "next_labels" in columns else None
        ids = [_clean(v) for v in get["step_id"]]
        rows = []
        edges = []
        for i, sid in enumerate(ids):
            where = f"row {i + 2} of the table"
            if not sid:
                raise InputError("A step has no id", where=where, todo="Give every step an id")
            kind = _clean(get["kind"].iloc[i]).lower()
            if kind not in KINDS:
                raise InputError(
                    f"Step {sid} has the kind '{kind}', which is not known",
                    where=where,
                    todo="Use one of: " + ", ".join(KINDS),
                )
            label = _clean(get["label"].iloc[i]) or sid
            lane = _clean(get["lane"].iloc[i])
            if not lane:
                raise InputError(
                    f"Step {sid} has no lane (who does it)",
                    where=where,
                    todo="Write the role that does this step, for example 'Nurse'",
                )
            nxt = _split(get["next"].iloc[i])
            branch = _split(labels_col.iloc[i]) if labels_col is not None else []
            if kind == "end" and nxt:
                raise InputError(
                    f"Step {sid} is an end but has next steps ({'; '.join(nxt)})",
                    where=where,
                    todo="Leave 'next' empty for an end, or change its kind to 'step'",
                )
            if kind != "end" and not nxt:
                raise InputError(
                    f"Step {sid} ('{label}') leads nowhere",
                    where=where,
                    todo="Choose the step that comes next (in a file: its id in the column "
                    "'next'), or make this step an end",
                )
            if kind == "decision":
                if len(nxt) < 2:
                    raise InputError(
                        f"Decision {sid} ('{label}') has only one branch",
                        where=where,
                        todo="A decision needs two or more next steps, for example 'S7;S8'",
                    )
                if len(branch) != len(nxt):
                    raise InputError(
                        f"Decision {sid} ('{label}') has {len(nxt)} branches but "
                        f"{len(branch)} branch labels",
                        where=where,
                        todo="Write an answer for each branch (in a file: in the column "
                        "next_labels, for example 'yes;no')",
                    )
            rows.append({"step_id": sid, "label": label, "lane": lane, "kind": kind})
            for j, target in enumerate(nxt):
                text = branch[j] if kind == "decision" or len(branch) == len(nxt) else ""
                edges.append({"source": sid, "target": target, "label": text})
        seen: set[str] = set()
        for i, sid in enumerate(ids):
            if sid in seen:
                raise InputError(
                    f"The step id {sid} is used twice",
                    where=f"row {i + 2} of the table",
                    todo="Give each step its own id",
                )
            seen.add(sid)
        for e in edges:
            if e["target"] not in seen:
                raise InputError(
                    f"Step {e['source']} leads to {e['target']}, which is not in the table",
                    todo=f"Add a step {e['target']} or correct the 'next' of step {e['source']}",
                )
        starts = [r["step_id"] for r in rows if r["kind"] == "start"]
        if len(starts) != 1:
            raise InputError(
                f"The process has {len(starts)} start steps"
                + (f" ({', '.join(starts)})" if starts else ""),
                todo="Make exactly one step a start",
            )
        graph = {r["step_id"]: [] for r in rows}
        for e in edges:
            graph[e["source"]].append(e["target"])
        reached = _reachable(graph, starts[0])
        unreached = [sid for sid in ids if sid not in reached]
        if unreached:
            raise InputError(
                "These steps cannot be reached from the start: " + ", ".join(unreached),
                todo="Choose them as the next step of another step, or remove them",
            )
        kinds = {r["step_id"]: r["kind"] for r in rows}
        if not any(kinds[s] == "end" for s in reached):
            raise InputError(
                "No end can be reached from the start",
                todo="Add a step of the kind 'end' and make it the next step of the last one",
            )
        steps = pd.DataFrame(rows, columns=["step_id", "label", "lane", "kind"])
        edge_df = pd.DataFrame(edges, columns=["source", "target", "label"])
        return cls(steps=steps, edges=edge_df)

    @property
    def start(self) -> str:
        return str(self.steps.loc[self.steps["kind"] == "start", "step_id"].iloc[0])

    @property
    def lanes(self) -> list[str]:
        """Lanes in the order they first appear in the table."""
        return list(dict.fromkeys(self.steps["lane"]))


def _reachable(graph: Mapping[str, Sequence[str]], start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for nxt in graph[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def describe(pmap: ProcessMap) -> str:
    """The process as plain text, one line per step: a text alternative to the drawing."""
    nxt = pmap.edges.groupby("source", sort=False)
    lines = []
    for n, row in enumerate(pmap.steps.itertuples(index=False), start=1):
        kind = {"start": "Start", "end": "End", "decision": "Decision", "wait": "Wait"}.get(
            row.kind, "Step"
        )
        text = f"{n}. {kind} ({row.lane}): {row.label}"
        if row.step_id in nxt.groups:
            out = nxt.get_group(row.step_id)
            targets = [
                (f"if {lab}, " if lab else "") + f"go to {tgt}"
                for tgt, lab in zip(out["target"], out["label"], strict=True)
            ]
            text += f" [{row.step_id}] then " + "; ".join(targets) + "."
        else:
            text += f" [{row.step_id}]."
        lines.append(text)
    return "\n".join(lines)


# --------------------------------------------------------------------------- editing the steps

#: Words for each kind of step, as the table editor offers them.
KIND_WORDS: dict[str, str] = {
    "start": "Start",
    "step": "Work done",
    "decision": "Question (two answers)",
    "wait": "Waiting",
    "end": "End",
}
#: Answers a question step has in the table editor.
EDITOR_BRANCHES = 2
STEP_COLUMNS = ("step_id", "label", "lane", "kind", "next", "next_labels")


def steps_rows(table: pd.DataFrame) -> list[dict]:
    """A steps table (the CSV layout of :meth:`ProcessMap.from_table`) as editor rows.

    Each row is a dict: ``step_id``, ``label``, ``lane``, ``kind``, ``next`` (a
    list of step ids) and ``answers`` (the branch labels, as many as ``next``
    for a question). Headings are matched without regard to case; the map is
    checked with :meth:`ProcessMap.from_table` first, so only a valid map is
    loaded. A question with more than :data:`EDITOR_BRANCHES` answers is
    refused, naming the step: the editor shows two.
    """
    pmap = ProcessMap.from_table(table)
    rows = []
    for step in pmap.steps.itertuples(index=False):
        out = pmap.edges[pmap.edges["source"] == step.step_id]
        if step.kind == "decision" and len(out) > EDITOR_BRANCHES:
            raise InputError(
                f"The question {step.step_id} ('{step.label}') has {len(out)} answers; the "
                f"table of steps takes {EDITOR_BRANCHES}",
                todo="Split it into two yes/no questions, one after the other",
            )
        rows.append(
            {
                "step_id": str(step.step_id),
                "label": str(step.label),
                "lane": str(step.lane),
                "kind": str(step.kind),
                "next": [str(t) for t in out["target"]],
                "answers": [str(a) for a in out["label"]] if step.kind == "decision" else [],
            }
        )
    return rows


def steps_table(rows: Sequence[Mapping]) -> pd.DataFrame:
    """Editor rows (see :func:`steps_rows`) as a steps table, ready for
    :meth:`ProcessMap.from_table` or to be saved as CSV. Empty next steps are
    left out; a question keeps its answers in the order of its next steps.
    """
    records = []
    for row in rows:
        pairs = list(zip(row.get("next") or [], row.get("answers") or [], strict=False))
        nxt = [str(t) for t in (row.get("next") or []) if str(t).strip()]
        if row.get("kind") == "decision":
            pairs = [(str(t), str(a).strip()) for t, a in pairs if str(t).strip()]
            nxt = [t for t, _ in pairs]
            labels = ";".join(a for _, a in pairs)
        else:
            labels = ""
        records.append(
            {
                "step_id": _clean(row.get("step_id")),
                "label": _clean(row.get("label")),
                "lane": _clean(row.get("lane")),
                "kind": _clean(row.get("kind")),
                "next": ";".join(nxt),
                "next_labels": labels,
            }
        )
    return pd.DataFrame(records, columns=list(STEP_COLUMNS))


def new_step_id(ids: Sequence[str]) -> str:
    """An id for a new step: ``S`` and the first number above those already used."""
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(r"S(\d+)", str(i)))]
    return f"S{max(numbers, default=0) + 1}"


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
    """
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


def wait_colour(minutes: float) -> str:
    """Fill colour for a waiting time, from :data:`WAIT_SCALE` (class limits :data:`WAIT_BREAKS`)."""
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
    """
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


def render_matplotlib(lay: Layout, minutes: Mapping[str, float] | None = None, title: str = ""):
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


# --------------------------------------------------------------------------- step times

#: Step columns of a time-and-motion table, in visit order, as in ``patient_flow.csv``.
DEFAULT_STEPS = ("registration", "triage", "consultation", "lab", "pharmacy")


@dataclass(frozen=True)
class StepTimes:
    """Waiting and service minutes from time-and-motion stamps (see :func:`step_times`).

    ``visits``: one row per visit and step (id, group, step, start, wait_min, service_min).
    ``totals``: one row per visit (total_min, wait_min, service_min in the clinic).
    ``summary``: one row per group and step: visits, share_of_visits, median_wait,
    p90_wait, median_service, p90_service (minutes).
    ``overview``: one row per group: visits, median_total, p90_total, value_added_share,
    bottleneck (the step with the longest median wait) and its median wait.
    """

    visits: pd.DataFrame
    totals: pd.DataFrame
    summary: pd.DataFrame
    overview: pd.DataFrame
    group: str | None

    @property
    def bottleneck(self) -> str:
        """The bottleneck step when there is one group (else the most frequent one)."""
        return str(self.overview["bottleneck"].mode().iloc[0])

    @property
    def value_added_share(self) -> float:
        """Service minutes / minutes in the clinic, over all visits together."""
        t = self.totals
        return float(t["service_min"].sum() / t["total_min"].sum())


def _stamps(flow: pd.DataFrame, columns: Sequence[str], required: Sequence[str]) -> pd.DataFrame:
    out = {}
    for col in columns:
        raw = flow[col]
        text = raw.astype("string").str.strip()
        parsed = pd.to_datetime(text.where(text != ""), errors="coerce", format="mixed")
        bad = parsed.isna() & text.notna() & (text != "")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"The column '{col}' has a value that is not a date and time: '{text.iloc[row]}'",
                where=f"row {row + 2}",
                todo="Write times as 2025-03-10 07:35 (year-month-day hour:minute)",
            )
        if col in required and parsed.isna().any():
            row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
            raise InputError(
                f"The column '{col}' is empty for a visit",
                where=f"row {row + 2}",
                todo=f"Every visit needs its '{col}' time; remove visits without it",
            )
        out[col] = parsed
    return pd.DataFrame(out, index=flow.index)


def step_times(
    flow: pd.DataFrame,
    steps: Sequence[str] | None = None,
    *,
    arrival: str = "arrival",
    exit: str = "exit",
    visit_id: str = "patient_id",
    by: str | None = "org_unit_id",
    service_minutes: Mapping[str, float] | None = None,
    service_quantile: float = 0.1,
) -> StepTimes:
    """Waiting and service time per visit and per step, the bottleneck and the value added.

    Convention (a time-and-motion study that notes when each step *starts*, as in
    ``patient_flow.csv``): each step column holds the time the patient's service at that
    step began; ``arrival`` and ``exit`` are when the patient came and left; an empty
    step (for example no laboratory test) was skipped. Between two stamps in a row the
    patient was served at the first step and then waited for the next one:

    - arrival -> first step: waiting for the first step (no service);
    - start of step A -> start of the next step B: service at A, then waiting for B;
    - start of the last step -> exit: service at the last step (no waiting after it).

    The stamps do not show where A's service ended, so the split of each A -> B interval
    uses a typical service time for A: ``service_minutes[A]`` when given (best: time a
    few patients with a watch), otherwise the ``service_quantile`` (default 0.1) of the
    A -> next-stamp intervals in the group, on the reasoning that the quickest tenth of
    visits met no queue at the next step. Service at A is min(interval, typical) and the
    rest is waiting for B. This estimate is rough and on the low side, so waits are, if
    anything, slightly overstated; the ranking of steps (the bottleneck) is robust.
    Waiting plus service adds up exactly to the time in the clinic for every visit.

    Summaries: median and 90th centile (numpy's default linear interpolation, Hyndman &
    Fan type 7) over the visits that went through the step; share_of_visits = visits with
    the step / all visits in the group; value-added share = total service minutes / total
    minutes in the clinic (pooled over visits); bottleneck = the step with the longest
    median wait (Langley et al. 2009 and IHI call this the constraint of the process).
    """
    if not isinstance(flow, pd.DataFrame) or flow.empty:
        raise InputError("The table of time stamps is empty", todo="Give one row per visit")
    if steps is None:
        steps = [s for s in DEFAULT_STEPS if s in flow.columns]
    steps = list(steps)
    needed = [arrival, *steps, exit]
    missing = [c for c in needed if c not in flow.columns]
    if missing or not steps:
        raise InputError(
            "The table of time stamps has no column "
            + ", ".join(f"'{m}'" for m in missing or ["(steps)"]),
            where="the first row (column names)",
            todo="Give columns for arrival, each step in order and exit",
        )
    if service_minutes:
        unknown = [k for k in service_minutes if k not in steps]
        if unknown:
            raise InputError(
                "Service minutes were given for an unknown step: " + ", ".join(unknown),
                todo="Use the step names: " + ", ".join(steps),
            )
    if not 0 < service_quantile < 1:
        raise InputError("service_quantile must be between 0 and 1", todo="Use for example 0.1")
    group = by if by is not None and by in flow.columns else None
    ids = (
        flow[visit_id].astype("string")
        if visit_id in flow.columns
        else pd.Series([f"visit {i + 1}" for i in range(len(flow))], index=flow.index)
    )
    stamps = _stamps(flow, needed, required=[arrival, exit])
    long = stamps.reset_index(drop=True).melt(
        ignore_index=False, var_name="step", value_name="time"
    )
    long["row"] = long.index
    long["order"] = long["step"].map({c: i for i, c in enumerate(needed)})
    long = long.dropna(subset=["time"]).sort_values(["row", "order"], kind="stable")
    later = long.groupby("row")["time"].diff()
    backwards = later < pd.Timedelta(0)
    if backwards.any():
        bad = long[backwards].iloc[0]
        raise InputError(
            f"A visit's '{bad['step']}' time is earlier than the step before it",
            where=f"row {int(bad['row']) + 2}, visit {ids.iloc[int(bad['row'])]}",
            todo="Check the times of this visit; steps must follow in order",
        )
    long["gap_after"] = (long.groupby("row")["time"].shift(-1) - long["time"]).dt.total_seconds()
    long["gap_after"] /= 60.0
    long["gap_before"] = later.dt.total_seconds() / 60.0
    long["next_step"] = long.groupby("row")["step"].shift(-1)
    long["prev_step"] = long.groupby("row")["step"].shift(1)
    long["group"] = (
        flow[group].astype("string").reset_index(drop=True).loc[long["row"]].to_numpy()
        if group
        else "all"
    )
    body = long[long["step"].isin(steps)].copy()
    middle = body["next_step"] != exit
    typical = (
        body[middle].groupby(["group", "step"])["gap_after"].quantile(service_quantile).rename("q")
    )
    body = body.join(typical, on=["group", "step"])
    if service_minutes:
        given = body["step"].map(dict(service_minutes))
        body["q"] = given.fillna(body["q"])
    body["service_min"] = np.where(
        middle, np.minimum(body["gap_after"], body["q"]), body["gap_after"]
    )
    service_prev = body.set_index(["row", "step"])["service_min"]
    prev_key = pd.MultiIndex.from_arrays([body["row"], body["prev_step"]])
    prev_service = service_prev.reindex(prev_key).to_numpy()
    body["wait_min"] = np.where(
        body["prev_step"] == arrival, body["gap_before"], body["gap_before"] - prev_service
    )
    visits = pd.DataFrame(
        {
            "visit_id": ids.reset_index(drop=True).loc[body["row"]].to_numpy(),
            "group": body["group"].to_numpy(),
            "step": body["step"].to_numpy(),
            "start": body["time"].to_numpy(),
            "wait_min": body["wait_min"].to_numpy(dtype=float),
            "service_min": body["service_min"].to_numpy(dtype=float),
        }
    )
    visits["step"] = pd.Categorical(visits["step"], categories=steps, ordered=True)
    totals = pd.DataFrame(
        {
            "visit_id": ids.to_numpy(),
            "group": (flow[group].astype("string").to_numpy() if group else "all"),
            "total_min": (stamps[exit] - stamps[arrival]).dt.total_seconds().to_numpy() / 60.0,
        }
    )
    per_visit = (
        visits.assign(row=body["row"].to_numpy())
        .groupby("row")[["wait_min", "service_min"]]
        .sum()
        .reindex(range(len(flow)), fill_value=0.0)
    )
    totals["wait_min"] = per_visit["wait_min"].to_numpy()
    totals["service_min"] = per_visit["service_min"].to_numpy()

    def p90(x: pd.Series) -> float:
        return float(np.percentile(x, 90))

    summary = (
        visits.groupby(["group", "step"], observed=True)
        .agg(
            visits=("wait_min", "size"),
            median_wait=("wait_min", "median"),
            p90_wait=("wait_min", p90),
            median_service=("service_min", "median"),
            p90_service=("service_min", p90),
        )
        .reset_index()
    )
    n_group = totals.groupby("group").size()
    summary["share_of_visits"] = summary["visits"] / summary["group"].map(n_group)
    summary = summary[
        [
            "group",
            "step",
            "visits",
            "share_of_visits",
            "median_wait",
            "p90_wait",
            "median_service",
            "p90_service",
        ]
    ]
    worst = summary.sort_values(["group", "median_wait"], ascending=[True, False], kind="stable")
    worst = worst.groupby("group").head(1).set_index("group")
    agg = totals.groupby("group").agg(
        visits=("total_min", "size"),
        median_total=("total_min", "median"),
        p90_total=("total_min", p90),
        service=("service_min", "sum"),
        total=("total_min", "sum"),
    )
    overview = pd.DataFrame(
        {
            "visits": agg["visits"],
            "median_total": agg["median_total"],
            "p90_total": agg["p90_total"],
            "value_added_share": agg["service"] / agg["total"],
            "bottleneck": worst["step"].astype(str),
            "bottleneck_median_wait": worst["median_wait"],
        }
    ).reset_index()
    frames = [visits, totals, summary, overview]
    if group:
        frames = [f.rename(columns={"group": group}) for f in frames]
    else:
        frames = [f.drop(columns="group") for f in frames]
    visits, totals, summary, overview = frames
    return StepTimes(visits=visits, totals=totals, summary=summary, overview=overview, group=group)


def match_wait_steps(pmap: ProcessMap, step_names: Sequence[str]) -> dict[str, str]:
    """For each timed step name, the id of the map's wait step before it (name -> step id).

    A wait step matches when its label contains the first five letters of the step name
    ("Waits to register" for "registration", "Waits for the laboratory" for "lab").
    Names without a matching wait step are left out.
    """
    waits = pmap.steps[pmap.steps["kind"] == "wait"]
    found = {}
    for name in step_names:
        key = str(name).strip().lower()[:5]
        hit = waits[waits["label"].str.lower().str.contains(key, regex=False)]
        if len(hit):
            found[str(name)] = str(hit["step_id"].iloc[0])
    return found


def wait_minutes_on_map(times: StepTimes, pmap: ProcessMap, group: str | None = None) -> dict:
    """Median waits from :func:`step_times`, keyed by the map's wait step ids (for colouring)."""
    summary = times.summary
    if times.group:
        if group is None:
            groups = summary[times.group].unique()
            if len(groups) != 1:
                raise InputError(
                    "The time stamps cover several facilities",
                    todo="Choose one facility to colour the map",
                )
            group = groups[0]
        summary = summary[summary[times.group] == group]
    medians = dict(zip(summary["step"].astype(str), summary["median_wait"], strict=True))
    return {
        sid: float(medians[name])
        for name, sid in match_wait_steps(pmap, list(medians)).items()
        if name in medians
    }


# --------------------------------------------------------------------------- queues


def _fifo_starts(arrivals: np.ndarray, service: np.ndarray, servers: int) -> np.ndarray:
    """Start of service for each patient: first come, first served, first free server."""
    order = np.argsort(arrivals, kind="stable")
    free = [float("-inf")] * servers
    a_sorted = arrivals[order].tolist()
    s_sorted = service[order].tolist()
    begin = [0.0] * len(a_sorted)
    for k, (a, s) in enumerate(zip(a_sorted, s_sorted, strict=True)):
        t = max(a, heapq.heappop(free))
        begin[k] = t
        heapq.heappush(free, t + s)
    start = np.empty_like(arrivals)
    start[order] = begin
    return start


def simulate_queue(
    arrivals: Sequence[float] | np.ndarray,
    service_times: Sequence[float] | np.ndarray | float,
    servers: int = 1,
    seed: int | None = None,
) -> pd.DataFrame:
    """Discrete-event simulation of a first-come, first-served queue with ``servers`` staff.

    ``arrivals``: times (minutes) patients join the queue. ``service_times``: minutes
    each patient needs, in the same order; or one number, the mean of exponential service
    times drawn with ``numpy.random.default_rng(seed)`` (the M/M/c model of queueing
    textbooks: Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th
    ed., 2008). Patients are served in order of arrival (ties: in the order given) by
    the first server to become free. Returns one row per patient, in the order given:
    arrival, service, start, end, wait (= start - arrival).
    The event loop runs once per patient (a queue is sequential by nature).
    """
    arr = np.asarray(arrivals, dtype=float)
    if arr.ndim != 1 or len(arr) == 0 or np.isnan(arr).any():
        raise InputError("The queue needs at least one arrival time, with no gaps")
    if int(servers) != servers or servers < 1:
        raise InputError(f"The number of staff must be a whole number of 1 or more, not {servers}")
    if np.isscalar(service_times):
        mean = float(service_times)
        if mean <= 0:
            raise InputError("The mean service time must be more than 0 minutes")
        service = np.random.default_rng(seed).exponential(mean, len(arr))
    else:
        service = np.asarray(service_times, dtype=float)
        if service.shape != arr.shape:
            raise InputError(
                f"There are {len(arr)} arrivals but {len(service)} service times",
                todo="Give one service time per arrival",
            )
    if (service < 0).any() or np.isnan(service).any():
        raise InputError("A service time is negative or missing", todo="Use minutes of 0 or more")
    start = _fifo_starts(arr, service, int(servers))
    return pd.DataFrame(
        {
            "arrival": arr,
            "service": service,
            "start": start,
            "end": start + service,
            "wait": start - arr,
        }
    )


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int = 1) -> float:
    """Mean wait in the queue, Wq, of an M/M/c queue (Erlang C formula).

    With a = lambda/mu and rho = a/c < 1:
    P(wait) = [a^c / c! / (1 - rho)] / [sum_{k<c} a^k / k! + a^c / c! / (1 - rho)] and
    Wq = P(wait) / (c mu - lambda) (Gross, Shortle, Thompson & Harris 2008, section 2.3).
    For c = 1 this is Wq = rho / (mu - lambda): lambda = 0.8, mu = 1 gives 4.0.
    """
    lam, mu, c = float(arrival_rate), float(service_rate), int(servers)
    if lam <= 0 or mu <= 0 or c < 1:
        raise InputError("Arrival rate, service rate and staff must all be more than 0")
    a = lam / mu
    rho = a / c
    if rho >= 1:
        raise InputError(
            f"The staff are busy {rho:.0%} of the time on average, so the queue grows without end",
            todo="Add staff or shorten the service time",
        )
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


@dataclass(frozen=True)
class WhatIf:
    """Predicted waits at one step with the present and a changed number of staff."""

    step: str
    servers_before: int
    servers_after: int
    table: pd.DataFrame
    explanation: str


def what_if(
    flow: pd.DataFrame,
    step: str,
    servers: int = 2,
    *,
    current_servers: int = 1,
    org_unit: str | None = None,
    seed: int = 20240501,
    runs: int = 200,
    steps: Sequence[str] | None = None,
    by: str = "org_unit_id",
    date: str = "date",
) -> WhatIf:
    """What would waiting at ``step`` be with ``servers`` staff instead of ``current_servers``?

    Method: the times patients were ready for the step (their start there minus their
    wait, from :func:`step_times`) are kept as they were; the minutes each patient
    needed at the step are taken as the time from the start of the step to the next stamp
    (an upper estimate that also holds any short wait at the next step). Each day is
    simulated with :func:`simulate_queue`, ``runs`` times with the service minutes
    resampled among that step's visits (``default_rng(seed)``), once with the present
    staff (to check the model against what was observed) and once with the new number.
    Returns medians and 90th centiles of the wait: observed, model now, model after.
    """
    data = flow
    if by in flow.columns:
        units = flow[by].astype("string").unique()
        if org_unit is None and len(units) > 1:
            raise InputError(
                "The time stamps cover several facilities",
                todo="Choose one facility (org_unit) for the what-if question",
            )
        if org_unit is not None:
            data = flow[flow[by].astype("string") == org_unit]
            if data.empty:
                raise InputError(f"There are no visits for the facility '{org_unit}'")
    times = step_times(data, steps, by=None)
    names = [str(s) for s in times.visits["step"].cat.categories]
    if step not in names:
        raise InputError(f"There is no step '{step}'", todo="Choose one of: " + ", ".join(names))
    if int(current_servers) < 1 or int(servers) < 1:
        raise InputError("The number of staff must be 1 or more")
    at = times.visits[times.visits["step"] == step].copy()
    row_of = dict(zip(times.totals["visit_id"], range(len(times.totals)), strict=True))
    rows = at["visit_id"].map(row_of).to_numpy()
    stamps = _stamps(data.reset_index(drop=True), ["exit"], required=["exit"])
    ready = at["start"] - pd.to_timedelta(at["wait_min"], unit="min")
    # minutes from the start of the step to the next stamp of the visit
    nxt = times.visits.sort_values(["visit_id", "start"], kind="stable")
    nxt_start = nxt.groupby("visit_id")["start"].shift(-1)
    following = pd.Series(nxt_start.to_numpy(), index=nxt.index).loc[at.index]
    following = following.fillna(stamps["exit"].iloc[rows].set_axis(at.index))
    need = (following - at["start"]).dt.total_seconds().to_numpy() / 60.0
    if date in data.columns:
        day = data.reset_index(drop=True)[date].astype("string").iloc[rows].to_numpy()
    else:
        day = ready.dt.strftime("%Y-%m-%d").to_numpy()
    minutes = ((ready - ready.dt.normalize()).dt.total_seconds() / 60.0).to_numpy()
    rng = np.random.default_rng(seed)
    result = {}
    for label, c in (("now", int(current_servers)), ("after", int(servers))):
        waits = []
        for _ in range(int(runs)):
            drawn = rng.choice(need, size=len(need), replace=True)
            for d in np.unique(day):
                mask = day == d
                waits.append(_fifo_starts(minutes[mask], drawn[mask], c) - minutes[mask])
        result[label] = np.concatenate(waits)
    observed = at["wait_min"].to_numpy()
    table = pd.DataFrame(
        {
            "situation": [
                "Observed (time stamps)",
                f"Model, {int(current_servers)} staff (now)",
                f"Model, {int(servers)} staff",
            ],
            "median_wait": [
                float(np.median(observed)),
                float(np.median(result["now"])),
                float(np.median(result["after"])),
            ],
            "p90_wait": [
                float(np.percentile(observed, 90)),
                float(np.percentile(result["now"], 90)),
                float(np.percentile(result["after"], 90)),
            ],
        }
    )
    before, after = table["median_wait"].iloc[1], table["median_wait"].iloc[2]
    obs = table["median_wait"].iloc[0]
    text = (
        f"Waiting for {step}: half the patients now wait more than {obs:.0f} minutes; "
        f"the model of the present situation says {before:.0f} minutes "
        "(the closer these two, the more the prediction can be trusted). "
        f"With {int(servers)} staff instead of {int(current_servers)}, the model predicts a "
        f"median wait of {after:.0f} minutes, and 9 in 10 patients would wait less than "
        f"{table['p90_wait'].iloc[2]:.0f} minutes (now {table['p90_wait'].iloc[0]:.0f}). "
        "Patients would then reach the next step sooner, so check that it can cope."
    )
    return WhatIf(
        step=step,
        servers_before=int(current_servers),
        servers_after=int(servers),
        table=table,
        explanation=text,
    )
