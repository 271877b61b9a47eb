"""Drawing a random sample from a list: simple random, systematic, stratified, PPS, cluster.

:func:`draw_sample` draws reproducibly (same seed, same sample) and records how;
:func:`method_arguments` turns one chosen column into the arguments a method needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.sampling._checks import _EPS, _check_n, _columns_todo

__all__ = ["METHODS", "METHOD_COLUMNS", "draw_sample", "method_arguments", "guess_cluster_column"]

#: Sampling methods understood by :func:`draw_sample`.
METHODS = ("srs", "systematic", "stratified", "pps", "cluster")


def _largest_remainder(quota: pd.Series, total: int, cap: pd.Series) -> pd.Series:
    """Round quotas to whole numbers that add up to ``total`` (Hamilton's method),
    never above ``cap``; ties go to the stratum listed first."""
    quota = quota.clip(upper=cap)
    base = np.floor(quota + _EPS).astype(int)
    short = int(total - base.sum())
    while short > 0:
        room = ((cap - base) > 0).to_numpy()
        rema = (quota - base).to_numpy(float)
        order = [i for i in np.argsort(-rema, kind="stable") if room[i]][:short]
        if not order:
            break
        base.iloc[order] += 1
        quota = quota.where(quota > base, base)  # a filled quota has no remainder left
        short = int(total - base.sum())
    return base


def _systematic_positions(length: float, n: int, rng) -> tuple[np.ndarray, float, float]:
    k = length / n
    start = float(rng.uniform(0.0, k))
    return start + k * np.arange(n), k, start


def _pps_hits(sizes: np.ndarray, n: int, rng) -> tuple[np.ndarray, float, float]:
    """Systematic PPS: hits per unit from points start + i·k on the cumulated sizes."""
    total = float(sizes.sum())
    points, k, start = _systematic_positions(total, n, rng)
    cum = np.cumsum(sizes)
    idx = np.searchsorted(cum, points, side="right")
    hits = np.bincount(idx, minlength=len(sizes))
    return hits, k, start


def draw_sample(
    frame: pd.DataFrame,
    n: int,
    method: str = "srs",
    seed: int = 1,
    strata: str | None = None,
    size: str | None = None,
    cluster: str | None = None,
    allocation: str = "proportional",
    sd: str | Mapping | None = None,
    per_cluster: int | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Draw a random sample from a list (a sampling frame), reproducibly.

    Returns ``(sample, record)``. ``sample`` holds the chosen rows of ``frame``
    (original columns and index), in frame order, plus ``selection_probability``
    and ``weight`` (= 1 / probability, the number of units each one stands for).
    ``record`` says exactly how the sample was drawn (method, seed, sizes,
    interval, random start, allocation), so the same call gives the same sample
    and an auditor can check it. The frame is never changed.

    Methods (Cochran, *Sampling Techniques*, 3rd ed., 1977; WHO Vaccination
    Coverage Cluster Surveys Reference Manual, 2018, annex on systematic PPS):

    ``"srs"``
        Simple random sample of n rows without replacement; probability n / N.
    ``"systematic"``
        Fractional interval k = N / n (not rounded), random start r uniform in
        [0, k); row positions ⌊r + i·k⌋ for i = 0 … n − 1 (0-based, frame order).
        Gives exactly n rows with probability n / N each. Beware lists that
        repeat in a cycle (for example sorted by weekday): the interval can fall
        on the same point of the cycle every time.
    ``"stratified"``
        ``strata`` names the column. ``allocation="proportional"``: n_h ∝ N_h;
        ``"neyman"``: n_h ∝ N_h · S_h with S_h from ``sd`` (a column, constant
        within strata, or a mapping stratum → SD) (Cochran 1977, eq. 5.26).
        Quotas are rounded by largest remainder so they add up to n, never above
        N_h; then a simple random sample in each stratum; probability n_h / N_h.
    ``"pps"``
        Systematic probability proportional to size on the cumulated ``size``
        column: interval k = total / n, random start in [0, k). A unit larger
        than k is certain to be chosen and may be hit more than once (``hits``
        column); probability min(1, n · size / total).
    ``"cluster"``
        Two stages: n clusters (values of the ``cluster`` column) chosen by
        systematic PPS, the size of a cluster being its number of rows (or the
        sum of ``size`` if given); then a simple random sample of ``per_cluster``
        rows in each chosen cluster (hits × per_cluster if hit more than once,
        at most all its rows). Probability = P(cluster) × rows taken / rows in
        cluster; equal for all when no cluster is smaller than ``per_cluster``
        (a self-weighting design).

    Randomness comes from ``numpy.random.default_rng(seed)`` only.

    >>> frame = pd.DataFrame({"id": range(10)})
    >>> sample, record = draw_sample(frame, 3, "systematic", seed=1)
    >>> sample["id"].tolist(), record["interval"]
    ([1, 5, 8], 3.3333333333333335)
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError("The list to sample from must be a table")
    if method not in METHODS:
        raise InputError(
            f"Unknown sampling method '{method}'", todo="Choose one of: " + ", ".join(METHODS)
        )
    N = len(frame)
    if N == 0:
        raise InputError("The list to sample from is empty", todo="Choose a file with rows")
    n = _check_n(n)
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise InputError(f"The seed must be a whole number; '{seed}' is not") from None
    rng = np.random.default_rng(seed)
    record: dict = {"method": method, "seed": seed, "n_requested": n, "frame_size": N}
    pos = np.arange(N)

    if method in ("srs", "systematic", "stratified") and n > N:
        raise InputError(
            f"You asked for {n} rows but the list has only {N}",
            todo=f"Ask for at most {N}, or take every row",
        )

    if method == "srs":
        chosen = np.sort(rng.choice(N, size=n, replace=False))
        prob = np.full(n, n / N)
        sample = frame.iloc[chosen].copy()
    elif method == "systematic":
        points, k, start = _systematic_positions(float(N), n, rng)
        chosen = np.floor(points + _EPS).astype(int).clip(max=N - 1)
        record.update(interval=k, random_start=start, positions=chosen.tolist())
        prob = np.full(n, n / N)
        sample = frame.iloc[chosen].copy()
    elif method == "stratified":
        if strata is None:
            raise InputError("Stratified sampling needs a strata column", todo="Choose the column")
        require_columns(frame, [strata], "the list to sample from", _columns_todo(frame))
        if frame[strata].isna().any():
            raise InputError(
                f"Some rows have no value in the strata column '{strata}'",
                todo="Fill in the stratum of every row",
            )
        counts = frame[strata].value_counts(sort=False)
        counts = counts.sort_index()
        if allocation == "proportional":
            quota = n * counts / N
        elif allocation == "neyman":
            if sd is None:
                raise InputError(
                    "Neyman allocation needs the standard deviation of each stratum",
                    todo="Give a column or a value per stratum",
                )
            if isinstance(sd, str):
                require_columns(frame, [sd], "the list to sample from", _columns_todo(frame))
                s = frame.groupby(strata)[sd].first()
            else:
                s = pd.Series(sd, dtype=float)
            s = s.reindex(counts.index).astype(float)
            if s.isna().any() or (s < 0).any():
                raise InputError("Every stratum needs a standard deviation of 0 or more")
            ns = counts * s
            if ns.sum() <= 0:
                raise InputError("All standard deviations are 0: nothing to allocate")
            quota = n * ns / ns.sum()
        else:
            raise InputError(
                f"Unknown allocation '{allocation}'", todo="Use 'proportional' or 'neyman'"
            )
        alloc = _largest_remainder(quota.astype(float), n, counts)
        # One uniform key per row, drawn once; in each stratum keep the rows with
        # the smallest keys: a simple random sample within every stratum.
        keys = pd.Series(rng.random(N), index=pos)
        labels = frame[strata].to_numpy()
        rank = keys.groupby(labels).rank(method="first").to_numpy()
        take = pd.Series(labels).map(alloc).to_numpy()
        chosen = pos[rank <= take]
        nh = pd.Series(labels[chosen]).map(alloc).to_numpy()
        Nh = pd.Series(labels[chosen]).map(counts).to_numpy()
        prob = nh / Nh
        record.update(
            allocation_method=allocation,
            allocation={_plain(k): int(v) for k, v in alloc.items()},
            stratum_sizes={_plain(k): int(v) for k, v in counts.items()},
        )
        sample = frame.iloc[chosen].copy()
    elif method == "pps":
        if size is None:
            raise InputError("PPS sampling needs a size column", todo="Choose the column")
        require_columns(frame, [size], "the list to sample from", _columns_todo(frame))
        sizes = pd.to_numeric(frame[size], errors="coerce").to_numpy(float)
        if np.isnan(sizes).any() or (sizes < 0).any() or sizes.sum() <= 0:
            raise InputError(
                f"The size column '{size}' must hold numbers of 0 or more, not all 0",
                todo="Fill in the size (for example the population) of every unit",
            )
        hits, k, start = _pps_hits(sizes, n, rng)
        chosen = np.flatnonzero(hits)
        prob = np.minimum(1.0, n * sizes[chosen] / sizes.sum())
        record.update(interval=k, random_start=start, total_size=float(sizes.sum()))
        sample = frame.iloc[chosen].copy()
        sample["hits"] = hits[chosen]
    else:  # cluster
        if cluster is None or per_cluster is None:
            raise InputError(
                "Cluster sampling needs the cluster column and the number per cluster",
                todo="Choose the column (for example the facility) and how many rows per cluster",
            )
        require_columns(frame, [cluster], "the list to sample from", _columns_todo(frame))
        m = _check_n(per_cluster)
        labels = frame[cluster].to_numpy()
        rows_per = pd.Series(1, index=pos).groupby(labels, sort=False).sum()
        if size is not None:
            require_columns(frame, [size], "the list to sample from", _columns_todo(frame))
            measure = pd.to_numeric(frame[size], errors="coerce").groupby(labels, sort=False).sum()
        else:
            measure = rows_per.astype(float)
        if n > len(measure):
            raise InputError(
                f"You asked for {n} clusters but the list has only {len(measure)}",
                todo=f"Ask for at most {len(measure)} clusters",
            )
        hits, k, start = _pps_hits(measure.to_numpy(float), n, rng)
        p_cluster = np.minimum(1.0, n * measure.to_numpy(float) / measure.sum())
        selected = pd.DataFrame(
            {"hits": hits, "p_cluster": p_cluster, "rows": rows_per.to_numpy()},
            index=measure.index,
        )
        selected = selected[selected["hits"] > 0]
        selected["take"] = np.minimum(selected["hits"] * m, selected["rows"])
        keys = pd.Series(rng.random(N), index=pos)
        rank = keys.groupby(labels).rank(method="first").to_numpy()
        take = pd.Series(labels).map(selected["take"]).fillna(0).to_numpy()
        chosen = pos[rank <= take]
        lab = pd.Series(labels[chosen])
        prob = (
            lab.map(selected["p_cluster"]) * lab.map(selected["take"]) / lab.map(selected["rows"])
        ).to_numpy(float)
        record.update(
            interval=k,
            random_start=start,
            per_cluster=m,
            clusters={_plain(c): int(h) for c, h in selected["hits"].items()},
        )
        sample = frame.iloc[chosen].copy()

    sample["selection_probability"] = prob
    sample["weight"] = 1.0 / prob
    record["n_selected"] = int(len(sample))
    return sample, record


def _plain(value):
    """A numpy scalar as a plain Python value, so the record prints cleanly."""
    return value.item() if hasattr(value, "item") else value


#: What the one column a method uses holds, by method (``None``: no column).
METHOD_COLUMNS = {
    "srs": None,
    "systematic": None,
    "stratified": "strata",
    "pps": "size",
    "cluster": "cluster",
}


def method_arguments(
    method: str, column: str | None = None, per_cluster: int | None = None
) -> dict:
    """The keyword arguments of :func:`draw_sample` for ``method`` and one chosen column.

    Stratified sampling takes the column as ``strata``, PPS as ``size``, a
    two-stage cluster sample as ``cluster`` (with ``per_cluster``); simple
    random and systematic samples take no column.

    >>> method_arguments("cluster", "org_unit_id", 5)
    {'cluster': 'org_unit_id', 'per_cluster': 5}
    >>> method_arguments("srs", "org_unit_id")
    {}
    """
    if method not in METHOD_COLUMNS:
        raise InputError(
            f"Unknown sampling method '{method}'", todo="Choose one of " + ", ".join(METHODS)
        )
    role = METHOD_COLUMNS[method]
    if role is None:
        return {}
    if not column:
        raise InputError(
            f"The {role} column is not chosen", todo="Choose the column the method needs"
        )
    arguments: dict = {role: column}
    if method == "cluster":
        arguments["per_cluster"] = per_cluster
    return arguments


def guess_cluster_column(columns: Iterable[str]) -> str | None:
    """A likely cluster column: the first whose name holds "org_unit" or "facility".

    >>> guess_cluster_column(["patient_id", "facility_name", "org_unit_id"])
    'facility_name'
    """
    return next((c for c in map(str, columns) if "org_unit" in c or "facility" in c), None)
