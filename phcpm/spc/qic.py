"""The main entry point: :func:`qic` draws up a run chart or control chart.

It follows the conventions of the R package qicharts2 (J. Anhøj): the same
chart types, the same centre-line and limit formulas (:mod:`phcpm.spc.limits`),
the same runs analysis (:mod:`phcpm.spc.runs`) and the same ``freeze`` /
``part`` / ``exclude`` arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.spc.checks import as_numeric, is_categorical, positions
from phcpm.spc.constants import CHARTS
from phcpm.spc.limits import part_limits
from phcpm.spc.runs import runs_analysis

__all__ = ["QicResult", "qic"]

_AGG = ("mean", "median", "sum", "sd")
#: The columns of :attr:`QicResult.summary`, as qicharts2's ``summary(qic(...))``.
_SUMMARY_COLUMNS = (
    "part n_obs n_useful longest_run longest_run_max n_crossings n_crossings_min runs_signal "
    "aLCL CL aUCL sigma_signal"
).split()


@dataclass(frozen=True)
class QicResult:
    """What :func:`qic` returns.

    Attributes
    ----------
    data:
        One row per subgroup (per point on the chart): ``x, y, n`` (when
        denominators were given), ``cl, lcl, ucl``, ``part``, ``position``
        (1-based), ``baseline``, ``include``, ``sigma_signal`` (point outside
        the limits), ``runs_signal`` (the part it belongs to has a runs signal)
        and the runs-analysis numbers of its part.
    summary:
        One row per part, as qicharts2's ``summary(qic(...))``: ``n_obs,
        n_useful, longest_run, longest_run_max, n_crossings, n_crossings_min,
        runs_signal`` (0/1), ``aLCL, CL, aUCL`` (averages over the part) and
        ``sigma_signal`` (number of points outside the limits).
    """

    data: pd.DataFrame
    summary: pd.DataFrame
    chart: str
    multiply: float = 1.0
    freeze: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)


def qic(
    y: Any,
    n: Any = None,
    x: Any = None,
    chart: str = "run",
    freeze: int | None = None,
    exclude: Sequence[int] | int | None = None,
    part: Sequence[int] | int | None = None,
    method: str = "anhoej",
    multiply: float = 1,
    agg_fun: str = "mean",
    screened_mr: bool = True,
    y_neg: bool = True,
) -> QicResult:
    """Run chart or control chart of ``y`` (over ``n``), as qicharts2's ``qic()``.

    Parameters
    ----------
    y:
        The values: measurements (``run``, ``i``, ``mr``, ``xbar``, ``s``),
        counts (``c``; numerators for ``p``, ``pp``, ``u``, ``up``), times or
        cases between events (``t``, ``g``).
    n:
        Denominators for ``p``, ``pp``, ``u``, ``up`` (people eligible,
        patient-days ...). With ``n``, a point is ``sum(y) / sum(n)`` of its
        subgroup; a missing or zero ``n`` makes the point missing.
    x:
        Subgroup labels (month, date, facility). Several rows with the same
        ``x`` form one subgroup (needed for ``xbar`` and ``s``; for ``run`` and
        ``i`` without ``n`` they are combined with ``agg_fun``). Numeric and
        date labels are sorted; text labels keep their first-seen order and
        make a "dots only" chart without runs analysis (e.g. a funnel plot).
        Default: 1, 2, 3 ...
    chart:
        One of :data:`CHARTS`.
    freeze:
        Number of points, from the left, used to compute the centre line and
        limits (the baseline); later points are judged against them.
    exclude:
        Point numbers (1-based) left out of the calculations (still drawn).
    part:
        Point numbers after which the chart starts a new part with its own
        centre line and limits (qicharts2's ``part``), e.g. ``part=[12]`` for
        "before and after the change introduced after month 12".
    method:
        Runs analysis method; only ``"anhoej"`` is available.
    multiply:
        Multiply y, centre line and limits (e.g. 100 for percentages,
        1000 for rates per 1 000).
    agg_fun:
        How several values with the same ``x`` are combined for ``run``/``i``
        charts without ``n``: ``mean`` (default), ``median``, ``sum``, ``sd``.
    screened_mr:
        Nelson's screening of large moving ranges for ``i``, ``t``, ``pp``,
        ``up`` (qicharts2's default).
    y_neg:
        When False and no value is negative, negative lower limits are shown
        as 0.

    Returns
    -------
    QicResult
        ``.data`` (one row per point) and ``.summary`` (one row per part).

    Examples
    --------
    Monthly counts of a C chart: the seventh month is above the upper limit.

    >>> result = qic([3, 5, 2, 4, 6, 3, 12, 4], chart="c")
    >>> row = result.data.iloc[6]
    >>> float(row["y"]), round(float(row["cl"]), 2), round(float(row["ucl"]), 2)
    (12.0, 4.88, 11.5)
    >>> bool(row["sigma_signal"])
    True

    Clients tested out of clients seen, as percentages:

    >>> tested = [17, 24, 19, 14, 21, 18, 25, 16]
    >>> seen = [30, 36, 32, 34, 33, 31, 35, 30]
    >>> result = qic(tested, n=seen, chart="p", multiply=100)
    >>> round(float(result.summary.loc[0, "CL"]), 1), int(result.summary.loc[0, "runs_signal"])
    (59.0, 0)
    """
    chart = str(chart).lower()
    if chart not in CHARTS:
        raise InputError(
            f"'{chart}' is not a chart type this tool knows",
            where="the 'chart' argument",
            todo="Choose one of: " + ", ".join(CHARTS),
        )
    if method != "anhoej":
        raise InputError(
            f"The runs-analysis method '{method}' is not available",
            where="the 'method' argument",
            todo="Use method='anhoej'",
        )
    if agg_fun not in _AGG:
        raise InputError(
            f"'{agg_fun}' is not a way to combine values",
            where="the 'agg_fun' argument",
            todo="Use one of: " + ", ".join(_AGG),
        )
    if freeze is not None and part is not None:
        raise InputError(
            "'freeze' and 'part' cannot be used together",
            where="the 'freeze' and 'part' arguments",
            todo="Use 'freeze' to judge new points against a baseline, or 'part' to split "
            "the chart into periods with their own limits, not both",
        )

    yv = as_numeric(y, "y")
    if yv.size == 0:
        raise InputError("There are no values to plot", where="'y'", todo="Give at least one value")
    got_n = n is not None
    nv = as_numeric(n, "n", yv.size) if got_n else np.full(yv.size, np.nan)
    xs = pd.Series(np.arange(1, yv.size + 1)) if x is None else pd.Series(x).reset_index(drop=True)
    if len(xs) != yv.size:
        raise InputError(
            f"'x' has {len(xs)} values but 'y' has {yv.size}",
            where="the 'x' argument",
            todo="Give one 'x' label for every value of 'y'",
        )
    _check_values(chart, yv, nv, got_n)

    if got_n:
        missing = np.isnan(yv) | np.isnan(nv) | (nv == 0)
        yv = np.where(missing, np.nan, yv)
        nv = np.where(missing, np.nan, nv)

    categorical = is_categorical(xs)
    raw = pd.DataFrame({"x": xs, "y": yv, "n": nv})
    raw = raw[raw["x"].notna()]
    grouped = raw.groupby("x", sort=not categorical, dropna=True)
    d = pd.DataFrame(
        {
            "y_sum": grouped["y"].sum(min_count=1),
            "y_length": grouped["y"].count(),
            "y_mean": grouped["y"].mean(),
            "y_sd": grouped["y"].std(ddof=1),
            "n": grouped["n"].sum(min_count=1),
        }
    )
    if got_n:
        d["y"] = d["y_sum"] / d["n"]
    elif agg_fun == "sd":
        d["y"] = d["y_sd"]
    elif agg_fun == "sum":
        d["y"] = d["y_sum"]
    else:
        d["y"] = getattr(grouped["y"], agg_fun)()
    d = d.reset_index()
    m = len(d)

    if freeze is not None:
        freeze = positions([freeze], "freeze", m)[0]
    excluded = positions(exclude, "exclude", m)
    breaks = [b for b in positions(part, "part", m) if b < m]

    position = np.arange(1, m + 1)
    edges = np.array([0, *breaks, m], dtype=int)
    d["part"] = np.repeat(np.arange(1, len(edges)), np.diff(edges))
    d["position"] = position
    d["baseline"] = position <= (freeze if freeze is not None else m)
    d["include"] = ~np.isin(position, excluded)

    pieces = []
    summaries = []
    for p, piece in d.groupby("part", sort=True):
        piece = piece.copy()
        base = (piece["baseline"] & piece["include"]).to_numpy()
        lines = part_limits(chart, piece, base, screened_mr, categorical)
        for key, values in lines.items():
            piece[key] = values
        inc = piece["include"].to_numpy()
        runs = runs_analysis(piece["y"].to_numpy()[inc], piece["cl"].to_numpy()[inc])
        runs["n_obs"] = int(inc.sum())
        if categorical or chart == "mr":
            runs["runs_signal"] = False
        for key, value in runs.items():
            piece[key] = value
        pieces.append(piece)
        summaries.append({"part": p, **runs})
    d = pd.concat(pieces, ignore_index=True)

    for col in ("y", "cl", "lcl", "ucl"):
        values = d[col].to_numpy(dtype=float) * multiply
        values[~np.isfinite(values)] = np.nan
        d[col] = values
    if not y_neg and np.nanmin(d["y"].to_numpy()) >= 0:
        d["lcl"] = d["lcl"].clip(lower=0)

    yy, lo, hi = (d[c].to_numpy(dtype=float) for c in ("y", "lcl", "ucl"))
    with np.errstate(invalid="ignore"):
        d["sigma_signal"] = np.nan_to_num(yy > hi) | np.nan_to_num(yy < lo)
    d["sigma_signal"] = d["sigma_signal"].astype(bool)
    d["runs_signal"] = d["runs_signal"].astype(bool)

    columns = ["x", "y"] + (["n"] if got_n else [])
    columns += ["cl", "lcl", "ucl", "part", "position", "baseline", "include"]
    columns += ["sigma_signal", "runs_signal", "n_obs", "n_useful", "longest_run"]
    columns += ["longest_run_max", "n_crossings", "n_crossings_min"]
    columns += ["y_sum", "y_length", "y_mean", "y_sd"]
    data = d[columns].copy()

    by_part = d.groupby("part", sort=True)
    summary = pd.DataFrame(summaries)
    summary["runs_signal"] = summary["runs_signal"].astype(int)
    summary["aLCL"] = by_part["lcl"].mean().to_numpy()
    summary["CL"] = by_part["cl"].mean().to_numpy()
    summary["aUCL"] = by_part["ucl"].mean().to_numpy()
    summary["sigma_signal"] = by_part["sigma_signal"].sum().to_numpy().astype(int)
    summary = summary[_SUMMARY_COLUMNS]

    return QicResult(
        data=data,
        summary=summary,
        chart=chart,
        multiply=float(multiply),
        freeze=freeze,
        settings={"categorical": categorical, "got_n": got_n, "screened_mr": screened_mr},
    )


def _check_values(chart: str, y: np.ndarray, n: np.ndarray, got_n: bool) -> None:
    finite_y = y[~np.isnan(y)]
    if finite_y.size == 0:
        raise InputError("All values of 'y' are empty", where="'y'", todo="Give some values")
    if got_n and np.any(n[~np.isnan(n)] < 0):
        raise InputError(
            "Some denominators ('n') are negative",
            where="'n'",
            todo="Denominators count people, visits or days: correct the negative values",
        )
    if chart in ("p", "pp", "u", "up") and not got_n:
        raise InputError(
            f"A {CHARTS[chart]} needs a denominator for every point",
            where="the 'n' argument is missing",
            todo="Give 'n' (e.g. the number of clients seen), or use a C chart for plain counts",
        )
    if chart in ("p", "pp"):
        ok = ~np.isnan(y) & ~np.isnan(n)
        if np.any(y[ok] > n[ok]):
            first = int(np.flatnonzero(ok & (y > n))[0]) + 1
            raise InputError(
                "For a proportion the numerator cannot be larger than the denominator",
                where=f"position {first}",
                todo="Check the numerator and the denominator of this point",
            )
    if chart in ("p", "pp", "c", "u", "up", "g") and np.any(finite_y < 0):
        raise InputError(
            f"A {CHARTS[chart]} needs counts of zero or more, but some values are negative",
            where="'y'",
            todo="Correct the negative values",
        )
    if chart == "t" and np.any(finite_y <= 0):
        raise InputError(
            "Times between events must be greater than zero",
            where="'y'",
            todo="Record the time between events (e.g. days) and remove zeros",
        )
