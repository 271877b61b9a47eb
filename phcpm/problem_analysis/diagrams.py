"""Cause diagrams: the fishbone, the problem tree and the five whys.

:func:`fishbone` (Ishikawa 1976, 1990) with its picture :func:`fishbone_svg`
and :func:`fishbone_figure`; :func:`problem_tree` (causes below a core
problem, effects above it); :func:`five_whys` (asking "why?" until a root
cause appears; Ohno 1988).
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from phcpm.errors import InputError
from phcpm.problem_analysis._common import _text
from phcpm.style import PALETTE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FISHBONE_CATEGORIES",
    "Fishbone",
    "fishbone",
    "fishbone_svg",
    "fishbone_figure",
    "problem_tree",
    "FiveWhys",
    "five_whys",
]

#: Six standard bones of a fishbone diagram for health services: the manufacturing
#: "6 M" (man, method, machine, material, milieu, measurement; Ishikawa 1990) with
#: people for man, equipment and supplies for machine and material, and management
#: and policy added because district teams control budgets, plans and rules.
FISHBONE_CATEGORIES: tuple[str, ...] = (
    "People",
    "Methods",
    "Equipment and supplies",
    "Environment",
    "Management and policy",
    "Measurement",
)


@dataclass(frozen=True)
class Fishbone:
    """A fishbone (cause-and-effect) diagram: the effect at the head, causes on bones.

    ``bones``: one row per category (category, side "top"/"bottom", x of the bone's end
    on the spine, x and y of its outer end). ``causes``: one row per cause (category,
    cause, x, y where its text starts). Sizes are in pixels, origin top left.
    """

    effect: str
    bones: pd.DataFrame
    causes: pd.DataFrame
    width: float
    height: float

    def svg(self) -> str:
        """The diagram as SVG text, with a title and a text description."""
        return fishbone_svg(self)

    def figure(self) -> Any:
        """The diagram as a matplotlib Figure."""
        return fishbone_figure(self)

    def text(self) -> str:
        """The diagram as plain text (a text alternative)."""
        lines = [f"Effect: {self.effect}"]
        for cat in self.bones["category"]:
            items = self.causes.loc[self.causes["category"] == cat, "cause"].tolist()
            lines.append(f"{cat}: " + ("; ".join(items) if items else "(no causes yet)"))
        return "\n".join(lines)


_FB_SPINE_Y = 250.0
_FB_BONE = 170.0
_FB_STEP = 280.0


def fishbone(effect: str, causes: Mapping[str, Sequence[str]]) -> Fishbone:
    """Lay out a fishbone diagram for ``effect`` with ``causes`` by category.

    ``causes`` maps a category to its list of causes. Use the six standard categories
    of :data:`FISHBONE_CATEGORIES` (people, methods, equipment and supplies,
    environment, management and policy, measurement) or your own; categories are drawn
    in the order given, alternately above and below the spine, from the head backwards.
    Empty causes are dropped; a category may have no causes yet (an empty bone invites
    the team to fill it). At most 8 categories and 8 causes per category keep the
    diagram readable (Ishikawa, *Guide to Quality Control*, 1976).

    >>> fb = fishbone("Late ANC", {"People": ["Few midwives"], "Methods": ["No reminders"]})
    >>> fb.causes[["category", "cause"]].values.tolist()
    [['People', 'Few midwives'], ['Methods', 'No reminders']]
    """
    effect = _text(effect)
    if not effect:
        raise InputError(
            "The fishbone has no effect (the problem at its head)",
            todo="Write the problem, for example 'Many staff absent without permission'",
        )
    if not isinstance(causes, Mapping) or not causes:
        raise InputError(
            "The fishbone has no categories of causes",
            todo="Give categories such as " + ", ".join(FISHBONE_CATEGORIES[:3]),
        )
    cats = [(_text(k), v) for k, v in causes.items()]
    if len(cats) > 8:
        raise InputError(
            f"The fishbone has {len(cats)} categories; 8 is the most that stays readable",
            todo="Merge some categories",
        )
    bones, rows = [], []
    pairs = math.ceil(len(cats) / 2)
    width = 120 + pairs * _FB_STEP + 220
    head_x = width - 220
    for i, (cat, items) in enumerate(cats):
        if not cat:
            raise InputError("A category of causes has no name", todo="Name every category")
        if isinstance(items, str):
            items = [line for line in items.splitlines()]
        clean = [_text(c) for c in (items or [])]
        clean = [c for c in clean if c]
        if len(clean) > 8:
            raise InputError(
                f"The category '{cat}' has {len(clean)} causes; 8 is the most that stays readable",
                todo="Keep the most important causes, or split the category",
            )
        side = "top" if i % 2 == 0 else "bottom"
        sign = -1 if side == "top" else 1
        x_spine = head_x - 40 - (i // 2) * _FB_STEP
        x_end = x_spine - 90
        y_end = _FB_SPINE_Y + sign * _FB_BONE
        bones.append(
            {"category": cat, "side": side, "x_spine": x_spine, "x_end": x_end, "y_end": y_end}
        )
        for k, cause in enumerate(clean):
            frac = (k + 1) / (len(clean) + 1)
            y = y_end + (_FB_SPINE_Y - y_end) * frac
            x = x_end + (x_spine - x_end) * frac
            rows.append({"category": cat, "cause": cause, "x": x, "y": y})
    return Fishbone(
        effect=effect,
        bones=pd.DataFrame(bones),
        causes=pd.DataFrame(rows, columns=["category", "cause", "x", "y"]),
        width=float(width),
        height=2 * _FB_SPINE_Y,
    )


def fishbone_svg(fb: Fishbone) -> str:
    """Draw a :class:`Fishbone` as SVG text.

    >>> fishbone_svg(fishbone("Late ANC", {"People": ["Few midwives"]})).startswith("<svg")
    True
    """
    e = html.escape
    head_x = fb.width - 220
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {fb.width:.0f} {fb.height:.0f}" '
        f'width="{fb.width:.0f}" height="{fb.height:.0f}" role="img" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
        f"<title>Fishbone diagram: {e(fb.effect)}</title>",
        f"<desc>{e(fb.text())}</desc>",
        f'<rect width="{fb.width:.0f}" height="{fb.height:.0f}" fill="#ffffff"/>',
        f'<line x1="40" y1="{_FB_SPINE_Y}" x2="{head_x}" y2="{_FB_SPINE_Y}" '
        'stroke="#1a1a1a" stroke-width="3"/>',
        f'<rect x="{head_x}" y="{_FB_SPINE_Y - 45}" width="200" height="90" fill="#d9ecf7" '
        'stroke="#1a1a1a" stroke-width="1.5"/>',
    ]
    for k, line in enumerate(textwrap.wrap(fb.effect, 26)[:5]):
        n = min(len(textwrap.wrap(fb.effect, 26)), 5)
        y = _FB_SPINE_Y - (n - 1) * 7 + 4 + 14 * k
        out.append(
            f'<text x="{head_x + 100}" y="{y:.1f}" text-anchor="middle" font-weight="bold">'
            f"{e(line)}</text>"
        )
    for b in fb.bones.itertuples(index=False):
        out.append(
            f'<line x1="{b.x_end:.1f}" y1="{b.y_end:.1f}" x2="{b.x_spine:.1f}" '
            f'y2="{_FB_SPINE_Y}" stroke="#0072B2" stroke-width="2"/>'
        )
        ty = b.y_end - 8 if b.side == "top" else b.y_end + 18
        out.append(
            f'<text x="{b.x_end:.1f}" y="{ty:.1f}" text-anchor="middle" font-weight="bold" '
            f'fill="#00466e">{e(b.category)}</text>'
        )
    for c in fb.causes.itertuples(index=False):
        out.append(
            f'<line x1="{c.x - 100:.1f}" y1="{c.y:.1f}" x2="{c.x:.1f}" y2="{c.y:.1f}" '
            'stroke="#7f7f7f" stroke-width="1"/>'
        )
        label = textwrap.shorten(c.cause, 40, placeholder="…")
        out.append(f'<text x="{c.x - 4:.1f}" y="{c.y - 3:.1f}" text-anchor="end">{e(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def fishbone_figure(fb: Fishbone) -> Figure:
    """Draw a :class:`Fishbone` with matplotlib (same layout as :func:`fishbone_svg`)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig = plt.figure(figsize=(fb.width / 100, fb.height / 100))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, fb.width)
    ax.set_ylim(fb.height, 0)
    ax.axis("off")
    head_x = fb.width - 220
    ax.plot([40, head_x], [_FB_SPINE_Y] * 2, color="#1a1a1a", lw=2.5)
    ax.add_patch(Rectangle((head_x, _FB_SPINE_Y - 45), 200, 90, fc="#d9ecf7", ec="#1a1a1a", lw=1.2))
    ax.text(
        head_x + 100,
        _FB_SPINE_Y,
        "\n".join(textwrap.wrap(fb.effect, 26)[:5]),
        ha="center",
        va="center",
        fontsize=8.5,
        fontweight="bold",
    )
    for b in fb.bones.itertuples(index=False):
        ax.plot([b.x_end, b.x_spine], [b.y_end, _FB_SPINE_Y], color=PALETTE[0], lw=1.8)
        ty = b.y_end - 8 if b.side == "top" else b.y_end + 14
        ax.text(
            b.x_end, ty, b.category, ha="center", fontsize=8.5, fontweight="bold", color="#00466e"
        )
    for c in fb.causes.itertuples(index=False):
        ax.plot([c.x - 100, c.x], [c.y, c.y], color="#7f7f7f", lw=0.8)
        label = textwrap.shorten(c.cause, 40, placeholder="…")
        ax.text(c.x - 4, c.y - 3, label, ha="right", va="bottom", fontsize=7.5)
    return fig


# --------------------------------------------------------------------------- problem tree


def problem_tree(
    core: str,
    causes: Sequence[str] | Mapping[str, Sequence[str]],
    effects: Sequence[str],
    title: str = "Problem tree",
) -> str:
    """A problem tree as SVG text: effects (branches) above, the core problem (trunk),
    causes (roots) below.

    ``causes`` is a list of direct causes, or a mapping from each direct cause to its
    own deeper causes (one more level of roots). The method is the problem-tree step of
    objectives-oriented planning used in many district health planning guides; the
    drawing has a ``<title>`` and a ``<desc>`` listing every box, for screen readers.

    >>> svg = problem_tree("Low ANC", ["Distance"], ["Maternal deaths"])
    >>> svg.startswith("<svg"), "Distance" in svg
    (True, True)
    """
    core = _text(core)
    if not core:
        raise InputError("The problem tree has no core problem", todo="Write the core problem")
    if isinstance(causes, Mapping):
        direct = [
            (_text(k), [_text(v) for v in (vals or []) if _text(v)]) for k, vals in causes.items()
        ]
    else:
        direct = [(_text(c), []) for c in causes]
    direct = [(c, deeper) for c, deeper in direct if c]
    effects = [_text(x) for x in effects if _text(x)]
    if not direct:
        raise InputError("The problem tree has no causes", todo="Write at least one cause")
    if len(direct) > 6 or len(effects) > 6:
        raise InputError(
            "A problem tree stays readable with at most 6 causes and 6 effects",
            todo="Group similar causes or effects",
        )
    e = html.escape
    box_w, box_h, gap = 170.0, 56.0, 20.0
    n_cols = max(len(direct), len(effects), 1)
    width = n_cols * (box_w + gap) + gap
    deepest = max((len(d) for _, d in direct), default=0)
    rows_y = {"effects": 20.0, "core": 130.0, "causes": 240.0}
    height = rows_y["causes"] + box_h + 30 + (deepest * (box_h - 10) + 20 if deepest else 0)

    def box(x: float, y: float, text: str, fill: str, bold: bool = False, h: float = box_h) -> str:
        lines = textwrap.wrap(text, 26)[:3]
        parts = [
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_w}" height="{h}" rx="4" fill="{fill}" '
            'stroke="#1a1a1a" stroke-width="1.2"/>'
        ]
        first = y + h / 2 - (len(lines) - 1) * 6.5 + 4
        weight = ' font-weight="bold"' if bold else ""
        for k, line in enumerate(lines):
            parts.append(
                f'<text x="{x + box_w / 2:.1f}" y="{first + 13 * k:.1f}" text-anchor="middle"'
                f"{weight}>{e(line)}</text>"
            )
        return "\n".join(parts)

    def xs(n: int) -> list[float]:
        offset = (width - n * (box_w + gap) + gap) / 2
        return [offset + i * (box_w + gap) for i in range(n)]

    desc = f"Core problem: {core}. Effects: {'; '.join(effects) or 'none'}. Causes: " + "; ".join(
        c + (f" (because: {', '.join(d)})" if d else "") for c, d in direct
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
        f"<title>{e(title)}</title>",
        f"<desc>{e(desc)}</desc>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        "<defs><marker id='phcpm-tree-arrow' viewBox='0 0 10 10' refX='10' refY='5' "
        "markerWidth='7' markerHeight='7' orient='auto'>"
        "<path d='M0,0 L10,5 L0,10 z' fill='#1a1a1a'/></marker></defs>",
    ]
    core_x = (width - box_w) / 2
    core_mid = core_x + box_w / 2
    arrow = 'stroke="#1a1a1a" stroke-width="1.2" marker-end="url(#phcpm-tree-arrow)"'
    for x, text in zip(xs(len(effects)), effects, strict=True):
        out.append(
            f'<line x1="{core_mid:.1f}" y1="{rows_y["core"]:.1f}" x2="{x + box_w / 2:.1f}" '
            f'y2="{rows_y["effects"] + box_h:.1f}" {arrow}/>'
        )
        out.append(box(x, rows_y["effects"], text, "#fde3c8"))
    for x, (text, deeper) in zip(xs(len(direct)), direct, strict=True):
        out.append(
            f'<line x1="{x + box_w / 2:.1f}" y1="{rows_y["causes"]:.1f}" x2="{core_mid:.1f}" '
            f'y2="{rows_y["core"] + box_h:.1f}" {arrow}/>'
        )
        out.append(box(x, rows_y["causes"], text, "#d9ecf7"))
        y = rows_y["causes"] + box_h + 20
        for sub in deeper:
            out.append(
                f'<line x1="{x + box_w / 2:.1f}" y1="{y:.1f}" x2="{x + box_w / 2:.1f}" '
                f'y2="{y - 20:.1f}" {arrow}/>'
            )
            out.append(box(x, y, sub, "#eef6fc", h=box_h - 16))
            y += box_h - 10
    out.append(box(core_x, rows_y["core"], core, "#F0E442", bold=True))
    out.append("</svg>")
    return "\n".join(out)


# --------------------------------------------------------------------------- five whys


@dataclass(frozen=True)
class FiveWhys:
    """A checked chain of whys: ``table`` (level, question, answer) and the root cause."""

    problem: str
    table: pd.DataFrame
    root_cause: str

    def text(self) -> str:
        lines = [f"Problem: {self.problem}"]
        for r in self.table.itertuples(index=False):
            lines.append(f"{r.level}. {r.question} {r.answer}")
        lines.append(f"Root cause to act on: {self.root_cause}")
        return "\n".join(lines)


def five_whys(problem: str, whys: Sequence[str]) -> FiveWhys:
    """Check and format a "five whys" chain (Ohno, *Toyota Production System*, 1988).

    Each answer becomes the subject of the next "Why?". Rules: the problem is stated;
    there are 2 to 7 answers (five is a guide, not a rule: stop when the answer is a
    cause the team can act on); no answer is empty or repeats an earlier one (a repeated
    answer means the chain is going round in circles). The last answer is the root cause.

    >>> five_whys("Stock-out", ["Late order", "No stock card"]).root_cause
    'No stock card'
    """
    problem = _text(problem)
    if not problem:
        raise InputError("The problem is empty", todo="Write the problem you start from")
    if isinstance(whys, str):
        whys = whys.splitlines()
    answers = [_text(a) for a in whys]
    while answers and not answers[-1]:
        answers.pop()
    if len(answers) < 2:
        raise InputError(
            "Ask 'why?' at least twice",
            todo="Write one answer per line, each explaining the one before",
        )
    if len(answers) > 7:
        raise InputError(
            f"There are {len(answers)} answers; after 7 whys the chain usually leaves the team's reach",
            todo="Stop at the first cause the team can act on",
        )
    seen: dict[str, int] = {}
    for i, a in enumerate(answers, start=1):
        if not a:
            raise InputError(f"Answer {i} is empty", todo="Fill it in or remove the empty line")
        key = a.casefold().rstrip(".")
        if key in seen:
            raise InputError(
                f"Answer {i} repeats answer {seen[key]} ('{a}'): the chain goes round in circles",
                todo="Ask why the earlier answer happens, and write a new cause",
            )
        seen[key] = i
    subjects = [problem, *answers[:-1]]
    questions = [f"Why? ({textwrap.shorten(s, 60, placeholder='…').rstrip('.')})" for s in subjects]
    table = pd.DataFrame(
        {"level": range(1, len(answers) + 1), "question": questions, "answer": answers}
    )
    return FiveWhys(problem=problem, table=table, root_cause=answers[-1])
