"""A small queue model: "what if this step had one more nurse?".

:func:`simulate_queue` is a discrete-event simulation of a first-come, first-served
queue with one or more servers; :func:`erlang_c_wait` gives the textbook M/M/c waiting
time it is tested against; :func:`what_if` asks the question on a facility's own stamps.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.process.times import _stamps, step_times

__all__ = [
    "simulate_queue",
    "erlang_c_wait",
    "WhatIf",
    "what_if",
]

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


    >>> simulate_queue([0, 1, 2], [5, 5, 5], servers=1)["wait"].tolist()
    [0.0, 4.0, 8.0]"""
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


    >>> round(erlang_c_wait(0.8, 1.0), 6)
    4.0"""
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
