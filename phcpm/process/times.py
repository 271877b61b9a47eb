"""Patient-flow times from time-and-motion stamps: waits, service, bottleneck, value added.

:func:`step_times` turns the stamps of each visit into waiting and service minutes per
visit and per step; :func:`times_findings` says what they show in three sentences;
:func:`wait_minutes_on_map` puts the median waits on a process map's wait steps;
:func:`facility_choices` and :func:`flow_for_facility` pick one facility's visits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.process.maps import ProcessMap

__all__ = [
    "DEFAULT_STEPS",
    "StepTimes",
    "step_times",
    "times_findings",
    "match_wait_steps",
    "wait_minutes_on_map",
    "facility_choices",
    "flow_for_facility",
]

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

    >>> import pandas as pd
    >>> flow = pd.DataFrame({
    ...     "arrival": ["2025-03-10 08:00", "2025-03-10 08:05"],
    ...     "triage": ["2025-03-10 08:10", "2025-03-10 08:12"],
    ...     "pharmacy": ["2025-03-10 08:30", "2025-03-10 08:40"],
    ...     "exit": ["2025-03-10 08:35", "2025-03-10 08:50"],
    ... })
    >>> times = step_times(flow)
    >>> times.totals["total_min"].tolist(), times.bottleneck
    ([35.0, 45.0], 'triage')
    """
    if not isinstance(flow, pd.DataFrame) or flow.empty:
        raise InputError("The table of time stamps is empty", todo="Give one row per visit")
    if steps is None:
        steps = [s for s in DEFAULT_STEPS if s in flow.columns]
    steps = list(steps)
    needed = [arrival, *steps, exit]
    if not steps:
        raise InputError(
            "The table of time stamps has no column for a step",
            where="the first row (column names)",
            todo="Give columns for arrival, each step in order ("
            + ", ".join(DEFAULT_STEPS)
            + ") and exit",
        )
    require_columns(
        flow,
        needed,
        "the table of time stamps",
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


def times_findings(times: StepTimes) -> list[str]:
    """What the time stamps show, in three sentences (for one facility or all visits together).

    The first row of ``times.overview`` is described: the time in the facility
    (median and 90th centile), the bottleneck with its median wait and the
    value-added share (see :func:`step_times`).

    >>> import pandas as pd
    >>> flow = pd.DataFrame({
    ...     "arrival": ["2025-03-10 08:00", "2025-03-10 08:05"],
    ...     "triage": ["2025-03-10 08:10", "2025-03-10 08:12"],
    ...     "exit": ["2025-03-10 08:20", "2025-03-10 08:30"],
    ... })
    >>> times_findings(step_times(flow))[1]
    'The bottleneck is triage: the median wait there is 8 minutes.'
    """
    ov = times.overview.iloc[0]
    return [
        f"{int(ov['visits'])} visits; half spent more than {ov['median_total']:.0f} "
        f"minutes in the facility, 1 in 10 more than {ov['p90_total']:.0f} minutes.",
        f"The bottleneck is {ov['bottleneck']}: the median wait there is "
        f"{ov['bottleneck_median_wait']:.0f} minutes.",
        f"Value-added share: {ov['value_added_share']:.0%} of the time in the facility "
        "is spent being served; the rest is waiting.",
    ]


def facility_choices(
    flow: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    preferred: str | None = None,
    by: str = "org_unit_id",
) -> tuple[list[tuple[str, str]], str]:
    """The facilities a table of time stamps covers, as (name, id) pairs, and the one to show first.

    Ids are sorted; ``names`` (id -> name) gives the words shown, the id itself
    when a name is not known. The first choice is ``preferred`` when the stamps
    cover it, else the last id. A table without the column ``by`` gives one
    choice, all visits, with the id ``""``.

    >>> import pandas as pd
    >>> flow = pd.DataFrame({"org_unit_id": ["b", "a", "b"]})
    >>> facility_choices(flow, {"a": "Alpha clinic"})
    ([('Alpha clinic', 'a'), ('b', 'b')], 'b')
    >>> facility_choices(flow.drop(columns="org_unit_id"))
    ([('All visits', '')], '')
    """
    if by not in flow.columns:
        return [("All visits", "")], ""
    ids = sorted(flow[by].dropna().astype(str).unique())
    if not ids:
        return [("All visits", "")], ""
    names = names or {}
    choices = [(str(names.get(i, i)), i) for i in ids]
    return choices, preferred if preferred in ids else ids[-1]


def flow_for_facility(flow: pd.DataFrame, facility: str, by: str = "org_unit_id") -> pd.DataFrame:
    """The visits of one facility (``facility`` is its id), or all visits when it is ``""``.

    For all visits together the column ``by`` is dropped, so that
    :func:`~phcpm.process.what_if` treats them as one facility.

    >>> import pandas as pd
    >>> flow = pd.DataFrame({"org_unit_id": ["a", "b", "a"], "arrival": [1, 2, 3]})
    >>> flow_for_facility(flow, "a")["arrival"].tolist()
    [1, 3]
    >>> list(flow_for_facility(flow, ""))
    ['arrival']
    """
    if by not in flow.columns:
        return flow
    if not facility:
        return flow.drop(columns=by)
    chosen = flow[flow[by].astype(str) == str(facility)]
    if chosen.empty:
        raise InputError(
            f"There are no visits for the facility '{facility}'",
            todo="Choose a facility from the list",
        )
    return chosen
