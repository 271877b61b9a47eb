"""Problem analysis: Pareto tables, fishbone diagrams, problem trees, the five whys.

District health management teams that use action research start by analysing their
own workforce problems (weak supervision, absenteeism, appraisals that do not happen)
before they plan what to do (PERFORM2Scale Consortium, briefing note, 2018). This
module gives the usual tools for that analysis and the workforce measures to feed them:

- :func:`pareto`: which few categories make up most of a problem (Juran 1951);
  :func:`parse_pareto_text` and :func:`pareto_counts` read typed lines and
  uploaded tables of categories and counts.
- :func:`fishbone`: a cause-and-effect (Ishikawa) diagram (Ishikawa 1976, 1990).
- :func:`problem_tree`: causes below a core problem, effects above it.
- :func:`five_whys`: asking "why?" until a root cause appears (Ohno 1988).
- :func:`absenteeism`, :func:`supervision_coverage`, :func:`appraisal_completion`:
  the workforce measures, computed from the attendance register, the supervision
  visits and the appraisal records; :func:`missed_visit_reasons` counts why planned
  supervision visits were missed, for a Pareto chart of causes.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.style import PALETTE

#: Cut-off of the "vital few" in a Pareto table (share of the total).
VITAL_FEW_SHARE = 0.80

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


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


# --------------------------------------------------------------------------- Pareto


def pareto(df: pd.DataFrame, category: str, count: str | None = None) -> pd.DataFrame:
    """Pareto table: categories from the largest to the smallest, with cumulative shares.

    ``count=None`` counts the rows of each category; otherwise the ``count`` column is
    summed per category. Columns: category (named as in ``df``), count, share,
    cumulative_share, vital_few. Ties are broken by category name, so the order is
    always the same.

    Convention for the "vital few" (Juran's Pareto principle, Juran 1951): the
    categories whose cumulative share is at most 80 % (:data:`VITAL_FEW_SHARE`); the
    largest category always counts, even when it alone is above 80 %.
    """
    if not isinstance(df, pd.DataFrame) or category not in df.columns:
        raise InputError(
            f"There is no column '{category}' for the categories",
            todo="Choose the column that holds the categories",
        )
    data = df[[category]].copy()
    data[category] = data[category].map(_text)
    if count is None:
        data["count"] = 1.0
    else:
        if count not in df.columns:
            raise InputError(
                f"There is no column '{count}' for the counts", todo="Choose the counts column"
            )
        values = pd.to_numeric(df[count], errors="coerce")
        bad = values.isna() & df[count].notna()
        if bad.any() or (values < 0).any():
            row = int(np.flatnonzero((bad | (values < 0)).to_numpy())[0])
            raise InputError(
                f"The count '{df[count].iloc[row]}' is not a number of 0 or more",
                where=f"row {row + 2}, column '{count}'",
                todo="Write counts as whole numbers such as 12",
            )
        data["count"] = values.fillna(0.0)
    if (data[category] == "").any():
        row = int(np.flatnonzero((data[category] == "").to_numpy())[0])
        raise InputError(
            "A row has no category",
            where=f"row {row + 2}",
            todo="Fill in the category or remove the row",
        )
    table = data.groupby(category, sort=False)["count"].sum().reset_index()
    total = table["count"].sum()
    if len(table) == 0 or total <= 0:
        raise InputError("There is nothing to count", todo="Give at least one count above 0")
    table = table.sort_values(["count", category], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)
    if count is None or (table["count"] == table["count"].round()).all():
        table["count"] = table["count"].round().astype("int64")
    table["share"] = table["count"] / total
    table["cumulative_share"] = table["count"].cumsum() / total
    table["vital_few"] = table["cumulative_share"] <= VITAL_FEW_SHARE + 1e-12
    table.loc[0, "vital_few"] = True
    return table


_PERIOD_CODE = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])$")
_COUNT_TEXT = re.compile(r"^\s*-?\d[\d\s,']*(\.\d+)?\s*$|^\s*-?\d*\.\d+\s*$")


def _count(value: object, where: str) -> float:
    """A count typed or read as text: a number of 0 or more (spaces and thousands commas ok)."""
    text = _text(value)
    if not text:
        raise InputError("A count is empty", where=where, todo="Write the count, for example 12")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
    elif _COUNT_TEXT.match(text):
        number = float(re.sub(r"[\s,']", "", text))
    else:
        raise InputError(
            f"The count '{text}' is not a number",
            where=where,
            todo="Write counts as whole numbers such as 12",
        )
    if number < 0 or math.isinf(number):
        raise InputError(
            f"The count '{text}' is not a number of 0 or more",
            where=where,
            todo="Write counts as whole numbers such as 12",
        )
    return number


def parse_pareto_text(text: str) -> pd.DataFrame:
    """Typed lines ``category, count`` as a table with the columns category and count.

    The count is after the last comma (or tab), so a category may hold commas
    ("Late, no transport, 12"); so a count typed here has no thousands comma
    (write 1204 or 1 204). Empty lines are skipped; a line without a separator, with an empty
    category or a count that is not a number of 0 or more is refused with its
    line number (every line counted).
    """
    rows = []
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        sep = "\t" if "\t" in line else ","
        if sep not in line:
            raise InputError(
                f"This line has no comma: '{line.strip()}'",
                where=where,
                todo="Write the category, a comma and the count, "
                "for example 'No vehicle or fuel, 22'",
            )
        category, count = line.rsplit(sep, 1)
        if not category.strip():
            raise InputError(
                "This line has a count but no category",
                where=where,
                todo="Write the category before the comma",
            )
        rows.append({"category": category.strip(), "count": _count(count, where)})
    if not rows:
        raise InputError("There are no categories", todo="Type one category and its count per line")
    return pd.DataFrame(rows, columns=["category", "count"])


def pareto_counts(table: pd.DataFrame, source: str = "the file") -> tuple[pd.DataFrame, list[str]]:
    """The categories and counts in an uploaded table, and notes saying how they were read.

    * One column: each filled row is one occurrence of its category (a list of
      events), counted by :func:`pareto`.
    * Two or more columns: the first holds the categories and the second the
      counts; other columns are left out (a note says so). The second column
      must hold counts: a column of text, or of DHIS2 monthly period codes
      (``202401``: year and month, which a sum would turn into a meaningless
      number), is refused with a message saying what to do.

    Returns a table with the columns category and count, and the notes. Empty
    rows and columns are dropped first. ``table`` is not changed.
    """
    data = table.dropna(axis=0, how="all").dropna(axis=1, how="all")
    data = data.loc[:, [any(_text(v) for v in data[c]) for c in data.columns]]
    data = data.loc[[any(_text(v) for v in row) for row in data.itertuples(index=False)]]
    if data.empty:
        raise InputError(
            f"{source[:1].upper()}{source[1:]} has no categories", todo="Choose a file with rows"
        )
    names = [str(c) for c in data.columns]
    if data.shape[1] == 1:
        out = pd.DataFrame({"category": data.iloc[:, 0].map(_text), "count": 1.0})
        out = out[out["category"] != ""].reset_index(drop=True)
        return out, [
            f"{source[:1].upper()}{source[1:]} has one column ('{names[0]}'), so each row was "
            f"counted as one occurrence ({len(out)} rows)."
        ]
    counts = data.iloc[:, 1]
    texts = [_text(v) for v in counts]
    numeric = [t for t in texts if t and _COUNT_TEXT.match(t)]
    if not numeric:
        raise InputError(
            f"The second column ('{names[1]}') of {source} holds text, not counts "
            f"(for example '{next(t for t in texts if t)}')",
            todo="Put the categories in the first column and their counts in the second; or "
            "keep only the column of categories, and each row is counted once",
        )
    if len(numeric) == sum(1 for t in texts if t) and all(_PERIOD_CODE.match(t) for t in numeric):
        raise InputError(
            f"The second column ('{names[1]}') of {source} holds period codes "
            f"({', '.join(list(dict.fromkeys(numeric))[:3])} ...), not counts; adding them up "
            "would mean nothing",
            todo="Put the categories in the first column and their counts in the second, "
            "for example from a pivot table of the number of cases by cause",
        )
    out = pd.DataFrame(
        {
            "category": [_text(v) for v in data.iloc[:, 0]],
            "count": [
                _count(v, f"row {i + 2} of {source}, column '{names[1]}'")
                for i, v in enumerate(counts)
            ],
        }
    )
    notes = [f"Categories from the column '{names[0]}', counts from the column '{names[1]}'."]
    if data.shape[1] > 2:
        notes.append(
            f"{data.shape[1] - 2} other column(s) were left out: "
            + ", ".join(f"'{n}'" for n in names[2:])
            + "."
        )
    return out, notes


def pareto_figure(table: pd.DataFrame, title: str = "", ylabel: str = "Count"):
    """Pareto chart of a :func:`pareto` table: bars, cumulative line and the 80 % line.

    Bars of the vital few are blue, the others grey, and the vital few are also
    labelled, so colour is not the only cue. Returns a matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    category = table.columns[0]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    colours = [PALETTE[0] if v else "#BBBBBB" for v in table["vital_few"]]
    x = np.arange(len(table))
    ax.bar(x, table["count"], color=colours, edgecolor="#1a1a1a", linewidth=0.6)
    ax.set_xticks(x)
    ax.set_xticklabels(["\n".join(textwrap.wrap(str(c), 14)) for c in table[category]], fontsize=8)
    ax.set_ylabel(ylabel)
    ax2 = ax.twinx()
    ax2.plot(x, table["cumulative_share"] * 100, color=PALETTE[5], marker="o", lw=1.5)
    ax2.axhline(VITAL_FEW_SHARE * 100, color=PALETTE[7], lw=1, ls="--")
    ax2.text(len(table) - 0.5, VITAL_FEW_SHARE * 100 + 2, "80 %", ha="right", fontsize=8)
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("Cumulative share (%)")
    ax2.grid(False)
    n_vital = int(table["vital_few"].sum())
    ax.text(
        (n_vital - 1) / 2,
        float(table["count"].max()) * 1.02,
        "vital few",
        ha="center",
        va="bottom",
        fontsize=9,
        fontweight="bold",
        color=PALETTE[0],
    )
    ax.set_ylim(0, float(table["count"].max()) * 1.15)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- fishbone


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

    def figure(self):
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
    """Draw a :class:`Fishbone` as SVG text."""
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


def fishbone_figure(fb: Fishbone):
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


# --------------------------------------------------------------------------- workforce


def _need(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            f"The {name} table has no column " + ", ".join(f"'{m}'" for m in missing),
            where="the first row (column names)",
            todo="Use the column names of the synthetic data: " + ", ".join(columns),
        )


def _flags(series: pd.Series, name: str) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce")
    bad = ~values.isin([0, 1])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"The column '{name}' should hold 1 (yes) or 0 (no), not '{series.iloc[row]}'",
            where=f"row {row + 2}",
            todo="Write 1 or 0",
        )
    return values.astype("int64")


ATTENDANCE_STATUSES = ("present", "late", "absent_authorised", "absent_unauthorised")


def absenteeism(
    attendance: pd.DataFrame, staff: pd.DataFrame, by: Sequence[str] = ("org_unit_id", "cadre")
) -> pd.DataFrame:
    """Absenteeism from a daily attendance register, by facility and cadre (or ``by``).

    Columns: staff (people in the register), days (staff-days scheduled), present, late,
    absent_authorised, absent_unauthorised (staff-days), absenteeism_rate =
    absent_unauthorised / days, and any_absence_rate = (absent_authorised +
    absent_unauthorised) / days.
    Convention: the rate is the share of scheduled working days on which a worker was
    away without permission, the "absent without leave" measure that district teams
    tackled in PERFORM (PERFORM2Scale briefing note 2018); surveys by unannounced visits
    (Chaudhury et al. 2006) count any absence, given here as any_absence_rate. Late days
    count as present.
    """
    _need(attendance, ["staff_id", "status"], "attendance")
    _need(staff, ["staff_id", *[b for b in by if b != "staff_id"]], "staff")
    status = attendance["status"].astype("string").str.strip().str.lower()
    bad = ~status.isin(ATTENDANCE_STATUSES)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"The attendance status '{attendance['status'].iloc[row]}' is not known",
            where=f"row {row + 2}",
            todo="Use one of: " + ", ".join(ATTENDANCE_STATUSES),
        )
    cols = list(dict.fromkeys(["staff_id", *by]))
    merged = pd.DataFrame({"staff_id": attendance["staff_id"].astype("string"), "status": status})
    info = staff[cols].copy()
    info["staff_id"] = info["staff_id"].astype("string")
    merged = merged.merge(info, on="staff_id", how="left", validate="many_to_one")
    unknown = merged[list(by)].isna().any(axis=1)
    if unknown.any():
        sid = merged.loc[unknown, "staff_id"].iloc[0]
        raise InputError(
            f"Staff number {sid} is in the attendance register but not in the staff list",
            todo="Add the person to the staff list or correct the number",
        )
    counts = pd.crosstab([merged[b] for b in by], merged["status"])
    counts = counts.reindex(columns=list(ATTENDANCE_STATUSES), fill_value=0)
    counts.columns.name = None
    out = counts.reset_index()
    out.insert(len(by), "staff", merged.groupby(list(by))["staff_id"].nunique().to_numpy())
    out.insert(len(by) + 1, "days", counts.sum(axis=1).to_numpy())
    out["absenteeism_rate"] = out["absent_unauthorised"] / out["days"]
    out["any_absence_rate"] = (out["absent_authorised"] + out["absent_unauthorised"]) / out["days"]
    return out


def supervision_coverage(
    visits: pd.DataFrame, by: Sequence[str] = ("org_unit_id",)
) -> pd.DataFrame:
    """Supportive supervision: planned visits done, by facility (or ``by``).

    Columns: planned (visits in the plan), planned_done, completion_rate = planned_done /
    planned, unplanned_done (visits done that were not in the plan), mean_score (mean
    checklist score of the visits done, planned or not, 0-100 points).
    Convention: only planned visits count in the rate, so an extra unplanned visit does
    not hide a missed planned one.
    """
    _need(visits, ["planned", "done", *by], "supervision visits")
    planned = _flags(visits["planned"], "planned")
    done = _flags(visits["done"], "done")
    score = pd.to_numeric(visits.get("checklist_score"), errors="coerce")
    data = visits[list(by)].copy()
    data["planned"] = planned
    data["planned_done"] = planned * done
    data["unplanned_done"] = (1 - planned) * done
    data["score"] = score.where(done == 1) if score is not None else np.nan
    out = (
        data.groupby(list(by))
        .agg(
            planned=("planned", "sum"),
            planned_done=("planned_done", "sum"),
            unplanned_done=("unplanned_done", "sum"),
            mean_score=("score", "mean"),
        )
        .reset_index()
    )
    out["completion_rate"] = out["planned_done"] / out["planned"].where(out["planned"] > 0)
    return out[[*by, "planned", "planned_done", "completion_rate", "unplanned_done", "mean_score"]]


#: The category given to a missed planned visit whose reason was not written down.
NO_REASON = "No reason written"


def missed_visit_reasons(
    visits: pd.DataFrame,
    units: pd.DataFrame,
    *,
    district: str | None = None,
    year: int | str | None = None,
) -> tuple[pd.DataFrame, int]:
    """Pareto table of the main reasons planned supervision visits were missed.

    ``visits`` has the columns of ``supervision_visits.csv`` (``org_unit_id, date,
    planned, done, missed_reason``) and ``units`` those of ``org_units.csv``
    (``org_unit_id, district``). Only planned visits that were not done count, one
    main reason each (a Pareto chart of causes counts one unit with one cause per
    unit; Juran 1951); ``district`` and ``year`` (the year of ``date``) narrow them
    down. A missed visit with no reason written is counted as :data:`NO_REASON`,
    so the total is always every missed visit. Returns the :func:`pareto` table
    (category column ``missed_reason``) and the number of missed visits. Lesson 5.2
    ("Analysing workforce problems") counts Lusako District in 2025: 54 missed visits,
    22 of them for no vehicle or fuel. The inputs are not changed.
    """
    _need(visits, ["org_unit_id", "date", "planned", "done", "missed_reason"], "supervision visits")
    _need(units, ["org_unit_id", "district"], "organisation units")
    planned = _flags(visits["planned"], "planned")
    done = _flags(visits["done"], "done")
    data = visits[["org_unit_id", "date", "missed_reason"]].merge(
        units[["org_unit_id", "district"]].drop_duplicates("org_unit_id"),
        on="org_unit_id",
        how="left",
    )
    keep = (planned.to_numpy() == 1) & (done.to_numpy() == 0)
    where = "planned supervision visits missed"
    if district is not None:
        keep &= (data["district"] == district).to_numpy()
        where += f" in {district} District"
    if year is not None:
        keep &= data["date"].astype(str).str[:4].eq(str(year)).to_numpy()
        where += f" in {year}"
    missed = data.loc[keep, ["missed_reason"]].copy()
    if missed.empty:
        raise InputError(
            f"There are no {where}",
            todo="Choose another district or year",
        )
    missed["missed_reason"] = missed["missed_reason"].map(_text).replace("", NO_REASON)
    return pareto(missed, "missed_reason"), len(missed)


def appraisal_completion(
    appraisals: pd.DataFrame, staff: pd.DataFrame | None = None, by: Sequence[str] = ("year",)
) -> pd.DataFrame:
    """Performance appraisals done among those due, by ``by`` (year, facility, cadre...).

    Columns: due, done (appraisals done among those due), completion_rate = done / due.
    Convention: an appraisal done when none was due is not counted. ``staff`` adds the
    staff list's columns (org_unit_id, cadre) so ``by`` can use them.
    """
    _need(appraisals, ["staff_id", "due", "done"], "appraisals")
    data = appraisals.copy()
    data["due"] = _flags(data["due"], "due")
    data["done"] = _flags(data["done"], "done")
    if staff is not None:
        extra = [c for c in staff.columns if c != "staff_id" and c not in data.columns]
        data = data.merge(staff[["staff_id", *extra]], on="staff_id", how="left")
    _need(data, list(by), "appraisals")
    data["done_due"] = data["due"] * data["done"]
    out = data.groupby(list(by)).agg(due=("due", "sum"), done=("done_due", "sum")).reset_index()
    out["completion_rate"] = out["done"] / out["due"].where(out["due"] > 0)
    return out


def with_names(df: pd.DataFrame, units: pd.DataFrame, key: str = "org_unit_id") -> pd.DataFrame:
    """Add the facility name and district from ``org_units.csv`` next to ``key``."""
    _need(units, ["org_unit_id", "name", "district"], "organisation units")
    names = units[["org_unit_id", "name", "district"]].rename(
        columns={"org_unit_id": key, "name": "facility"}
    )
    out = df.merge(names, on=key, how="left", validate="many_to_one")
    first = ["facility", "district"]
    return out[[key, *first, *[c for c in out.columns if c not in (key, *first)]]]
