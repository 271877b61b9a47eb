"""Workforce measures that feed a problem analysis.

:func:`absenteeism` (attendance register), :func:`supervision_coverage`
(supervision visits), :func:`appraisal_completion` (appraisal records), and
:func:`missed_visit_reasons`, why planned supervision visits were missed, for a
Pareto chart of causes; :func:`with_names` adds facility names and districts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.problem_analysis._common import _text
from phcpm.problem_analysis.counts import pareto

__all__ = [
    "ATTENDANCE_STATUSES",
    "absenteeism",
    "supervision_coverage",
    "NO_REASON",
    "missed_visit_reasons",
    "appraisal_completion",
    "with_names",
]


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

    >>> attendance = pd.DataFrame({"staff_id": [1] * 4, "status": ["present", "late", "absent_unauthorised", "present"]})
    >>> staff = pd.DataFrame({"staff_id": [1], "org_unit_id": ["F1"], "cadre": ["Nurse"]})
    >>> absenteeism(attendance, staff)[["days", "absenteeism_rate"]].values.tolist()
    [[4.0, 0.25]]
    """
    require_columns(attendance, ["staff_id", "status"], "the attendance table")
    require_columns(staff, ["staff_id", *[b for b in by if b != "staff_id"]], "the staff table")
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

    >>> visits = pd.DataFrame({"org_unit_id": ["F1"] * 3, "planned": [1, 1, 0], "done": [1, 0, 1]})
    >>> supervision_coverage(visits)[["planned", "planned_done", "completion_rate"]].values.tolist()
    [[2.0, 1.0, 0.5]]
    """
    require_columns(visits, ["planned", "done", *by], "the supervision visits table")
    planned = _flags(visits["planned"], "planned")
    done = _flags(visits["done"], "done")
    score = visits.get("checklist_score")  # optional: no column, no mean score
    data = visits[list(by)].copy()
    data["planned"] = planned
    data["planned_done"] = planned * done
    data["unplanned_done"] = (1 - planned) * done
    if score is None:
        data["score"] = np.nan
    else:
        data["score"] = pd.to_numeric(score, errors="coerce").where(done == 1)
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

    >>> units = pd.DataFrame({"org_unit_id": ["F1"], "district": ["Ruvo"]})
    >>> visits = pd.DataFrame({"org_unit_id": ["F1"] * 2, "date": ["2025-01-05", "2025-02-05"],
    ...                        "planned": [1, 1], "done": [0, 0], "missed_reason": ["No fuel", None]})
    >>> table, missed = missed_visit_reasons(visits, units)
    >>> table["missed_reason"].tolist(), missed
    (['No fuel', 'No reason written'], 2)
    """
    require_columns(
        visits,
        ["org_unit_id", "date", "planned", "done", "missed_reason"],
        "the supervision visits table",
    )
    require_columns(units, ["org_unit_id", "district"], "the organisation units table")
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

    >>> appraisals = pd.DataFrame({"staff_id": [1, 2], "year": [2025] * 2, "due": [1, 1], "done": [1, 0]})
    >>> appraisal_completion(appraisals).to_dict("records")
    [{'year': 2025, 'due': 2, 'done': 1, 'completion_rate': 0.5}]
    """
    require_columns(appraisals, ["staff_id", "due", "done"], "the appraisals table")
    data = appraisals.copy()
    data["due"] = _flags(data["due"], "due")
    data["done"] = _flags(data["done"], "done")
    if staff is not None:
        extra = [c for c in staff.columns if c != "staff_id" and c not in data.columns]
        data = data.merge(staff[["staff_id", *extra]], on="staff_id", how="left")
    require_columns(data, list(by), "the appraisals table")
    data["done_due"] = data["due"] * data["done"]
    out = data.groupby(list(by)).agg(due=("due", "sum"), done=("done_due", "sum")).reset_index()
    out["completion_rate"] = out["done"] / out["due"].where(out["due"] > 0)
    return out


def with_names(df: pd.DataFrame, units: pd.DataFrame, key: str = "org_unit_id") -> pd.DataFrame:
    """Add the facility name and district from ``org_units.csv`` next to ``key``.

    >>> units = pd.DataFrame({"org_unit_id": ["F1"], "name": ["Ruvo HC"], "district": ["Ruvo"]})
    >>> with_names(pd.DataFrame({"org_unit_id": ["F1"], "visits": [3]}), units).to_dict("records")
    [{'org_unit_id': 'F1', 'facility': 'Ruvo HC', 'district': 'Ruvo', 'visits': 3}]
    """
    require_columns(units, ["org_unit_id", "name", "district"], "the organisation units table")
    names = units[["org_unit_id", "name", "district"]].rename(
        columns={"org_unit_id": key, "name": "facility"}
    )
    out = df.merge(names, on=key, how="left", validate="many_to_one")
    first = ["facility", "district"]
    return out[[key, *first, *[c for c in out.columns if c not in (key, *first)]]]
