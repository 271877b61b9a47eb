"""Pareto tables and charts: which few categories make up most of a problem.

:func:`pareto` (Juran 1951) builds the table; :func:`parse_pareto_text` reads
typed lines and :func:`pareto_counts` an uploaded table of categories and
counts; :func:`pareto_figure` draws the chart.
"""

from __future__ import annotations

import math
import re
import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.problem_analysis._common import _text
from phcpm.style import PALETTE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["VITAL_FEW_SHARE", "pareto", "parse_pareto_text", "pareto_counts", "pareto_figure"]

#: Cut-off of the "vital few" in a Pareto table (share of the total).
VITAL_FEW_SHARE = 0.80


def pareto(df: pd.DataFrame, category: str, count: str | None = None) -> pd.DataFrame:
    """Pareto table: categories from the largest to the smallest, with cumulative shares.

    ``count=None`` counts the rows of each category; otherwise the ``count`` column is
    summed per category. Columns: category (named as in ``df``), count, share,
    cumulative_share, vital_few. Ties are broken by category name, so the order is
    always the same.

    Convention for the "vital few" (Juran's Pareto principle, Juran 1951): the
    categories whose cumulative share is at most 80 % (:data:`VITAL_FEW_SHARE`); the
    largest category always counts, even when it alone is above 80 %.

    >>> reasons = pd.DataFrame({"reason": ["No fuel", "No fuel", "No fuel", "Staff ill", "Rain"]})
    >>> table = pareto(reasons, "reason")
    >>> table[["reason", "count", "vital_few"]].values.tolist()
    [['No fuel', 3, True], ['Rain', 1, True], ['Staff ill', 1, False]]
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

    >>> parse_pareto_text("No fuel, 12\\nStaff ill, 3").to_dict("records")
    [{'category': 'No fuel', 'count': 12.0}, {'category': 'Staff ill', 'count': 3.0}]
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

    >>> table, notes = pareto_counts(pd.DataFrame({"reason": ["a", "b"], "n": [3, 1]}))
    >>> table["count"].tolist(), notes
    ([3.0, 1.0], ["Categories from the column 'reason', counts from the column 'n'."])
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


def pareto_figure(table: pd.DataFrame, title: str = "", ylabel: str = "Count") -> Figure:
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
