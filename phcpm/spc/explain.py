"""What a chart shows, in plain words, and which chart suits a series.

:func:`explain` turns the numbers of a chart (runs analysis, points outside
the limits) into sentences for managers; :func:`suggest_chart` follows the
usual decision tree for choosing a chart (Provost & Murray, *The Health Care
Data Guide*, 2011, chapter 5; Montgomery 2009, chapters 6–7).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.spc.checks import as_numeric
from phcpm.spc.qic import QicResult
from phcpm.spc.runs import sign_runs

__all__ = ["ChartSuggestion", "explain", "format_number", "point_label", "suggest_chart"]


def format_number(value: float) -> str:
    """A number as written in a sentence: whole numbers without decimals, others with 1–3.

    >>> format_number(1234.0), format_number(12.345), format_number(float("nan"))
    ('1,234', '12.35', 'missing')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if float(value).is_integer():
        return f"{value:,.0f}"
    magnitude = abs(value)
    digits = 1 if magnitude >= 100 else 2 if magnitude >= 1 else 3
    return f"{value:,.{digits}f}"


def point_label(value: Any) -> str:
    """A point's label as people write it: dates without a time of day."""
    if isinstance(value, np.datetime64 | pd.Timestamp):
        stamp = pd.Timestamp(value)
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else str(stamp)
    return str(value)


def explain(result: QicResult) -> list[str]:
    """Every signal of a chart explained in plain words, one sentence per finding.

    Built from the numbers of the chart: the length and side of the longest
    run, the number of crossings against its expected minimum, and each point
    outside the control limits. When a chart shows no signal, says so and what
    that means for management.

    >>> from phcpm.spc import qic
    >>> result = qic([3, 5, 2, 4, 6, 3, 12, 4], chart="c")
    >>> print(explain(result)[0])  # doctest: +ELLIPSIS
    Point 7 (12) is above the upper control limit (11.50): something special happened here...
    """
    d = result.data
    centre = "median" if result.chart in ("run", "g") else "centre line"
    multi = d["part"].nunique() > 1
    out: list[str] = []
    for p, piece in d.groupby("part", sort=True):
        prefix = f"Part {p}: " if multi else ""
        found = False
        row = piece.iloc[0]
        inc = piece[piece["include"]]
        if bool(row["runs_signal"]):
            found = True
            yv, cl = inc["y"].to_numpy(float), inc["cl"].to_numpy(float)
            with np.errstate(invalid="ignore"):
                side = np.sign(yv - cl)
            ok = ~np.isnan(side) & (side != 0)
            sides, xs = side[ok], inc["x"].to_numpy()[ok]
            starts, lengths = sign_runs(sides)
            if row["longest_run"] > row["longest_run_max"]:
                i = int(np.argmax(lengths))
                where = "above" if sides[starts[i]] > 0 else "below"
                first, last = (
                    point_label(xs[starts[i]]),
                    point_label(xs[starts[i] + lengths[i] - 1]),
                )
                out.append(
                    f"{prefix}{int(row['longest_run'])} points in a row {where} the {centre} "
                    f"(from {first} to {last}); more than {int(row['longest_run_max'])} in a "
                    f"row is unlikely by chance with {int(row['n_useful'])} useful points: "
                    "the process has shifted."
                )
            if row["n_crossings"] < row["n_crossings_min"]:
                out.append(
                    f"{prefix}The line crosses the {centre} only {int(row['n_crossings'])} "
                    f"times; with {int(row['n_useful'])} useful points at least "
                    f"{int(row['n_crossings_min'])} crossings are expected by chance: the data "
                    "stay too long on one side, a sign that the process has changed."
                )
        for _, pt in piece[piece["sigma_signal"]].iterrows():
            found = True
            above = pt["y"] > pt["ucl"]
            limit = pt["ucl"] if above else pt["lcl"]
            word = "above the upper" if above else "below the lower"
            out.append(
                f"{prefix}Point {point_label(pt['x'])} ({format_number(pt['y'])}) is {word} control limit "
                f"({format_number(limit)}): something special happened here; find out what "
                "before changing the whole system."
            )
        if not found:
            if result.settings.get("categorical") or result.chart == "mr":
                finding = "every point is inside the control limits"
            elif result.chart == "run":
                finding = f"the runs around the {centre} look random"
            else:
                finding = f"the runs around the {centre} look random and every point is inside "
                finding += "the control limits"
            out.append(
                f"{prefix}No signal: {finding}. The variation is the usual noise of this "
                "process; to change the results, change the process rather than react to "
                "single points."
            )
    return out


class ChartSuggestion(str):
    """A chart type code (usable as ``qic(..., chart=suggestion)``) with ``.reason``."""

    reason: str

    def __new__(cls, chart: str, reason: str) -> ChartSuggestion:
        obj = super().__new__(cls, chart)
        obj.reason = reason
        return obj

    def __repr__(self) -> str:
        return f"{str(self)!r}: {self.reason}"


_KINDS = ("measurement", "count", "proportion", "rate", "time_between", "cases_between")


def suggest_chart(y: Any, n: Any = None, kind: str | None = None) -> ChartSuggestion:
    """Which chart suits the data, and why (following the usual decision tree).

    Provost & Murray (2011), chapter 5, and Montgomery (2009), chapters 6–7:
    measurements → ``i``; counts with a denominator → ``p`` when each counted
    person or event is one of the denominator (a proportion), otherwise ``u``
    (a rate); counts of events without a denominator, in equal opportunities
    → ``c``; time between rare events → ``t``; number of cases between rare
    events → ``g``. ``kind`` (one of ``measurement, count, proportion, rate,
    time_between, cases_between``) overrides the guess from the values.

    Returns a :class:`ChartSuggestion`: the chart code, with ``.reason``.

    >>> suggest_chart([17, 24, 19], n=[30, 36, 32])  # doctest: +ELLIPSIS
    'p': The values count people (or events) out of a denominator that contains them, ...
    >>> str(suggest_chart([12.5, 14.0, 11.2]))
    'i'
    """
    if kind is not None and kind not in _KINDS:
        raise InputError(
            f"'{kind}' is not a kind of data this tool knows",
            where="the 'kind' argument",
            todo="Use one of: " + ", ".join(_KINDS),
        )
    values = as_numeric(y, "y")
    v = values[~np.isnan(values)]
    nv = as_numeric(n, "n", values.size) if n is not None else None
    whole = v.size > 0 and bool(np.all(v >= 0) and np.all(np.equal(np.mod(v, 1), 0)))
    prime_note = ""
    if nv is not None and np.nanmedian(nv) >= 1000:
        prime_note = (
            " The denominators are large (thousands), so ordinary limits may be too narrow; "
            "if most points fall outside them, use the Laney version (P′ or U′ chart, "
            "under 'More chart types')."
        )

    if kind == "time_between":
        return ChartSuggestion(
            "t",
            "The values are times between rare events (e.g. days between maternal deaths): "
            "a T chart handles their skewed distribution.",
        )
    if kind == "cases_between":
        return ChartSuggestion(
            "g",
            "The values count cases or opportunities between rare events (e.g. deliveries "
            "between two stillbirths): a G chart uses the geometric distribution.",
        )
    if kind == "measurement":
        return ChartSuggestion(
            "i",
            "The values are measurements, one per period: an I chart computes its limits "
            "from the variation between neighbouring points.",
        )
    if nv is not None:
        proportion = kind == "proportion" or (
            kind != "rate"
            and whole
            and bool(np.all(values[~np.isnan(values) & ~np.isnan(nv)] <= nv[~np.isnan(values)]))
        )
        if proportion:
            return ChartSuggestion(
                "p",
                "The values count people (or events) out of a denominator that contains them, "
                "e.g. children fully immunised out of children due: a P chart shows the "
                "proportion with limits that widen when the denominator is small." + prime_note,
            )
        return ChartSuggestion(
            "u",
            "The values count events over an amount of exposure (patient-days, population, "
            "visits) that can hold more than one event each: a U chart shows the rate with "
            "limits that depend on the denominator." + prime_note,
        )
    if kind in ("count", "rate", "proportion") or (kind is None and whole):
        if kind in ("rate", "proportion"):
            reason = (
                "A rate or proportion needs its denominator; without one, the counts are "
                "charted as they are with a C chart. Give the denominators to get a P or U "
                "chart."
            )
        else:
            reason = (
                "The values are counts of events without a denominator: a C chart fits when "
                "each period offers about the same opportunity (same population, same days)."
            )
        if v.size and np.median(v) == 0:
            reason += (
                " Most periods have zero events: the events are rare, so record the days "
                "(T chart) or cases (G chart) between events instead."
            )
        return ChartSuggestion("c", reason)
    return ChartSuggestion(
        "i",
        "The values are measurements (or numbers with decimals), one per period: an I chart "
        "computes its limits from the variation between neighbouring points.",
    )
