"""Staff, daily attendance, supervision visits and appraisals.

Workforce problems are placed where district management teams would find them:
Tembwe has absenteeism (seen in its attendance register) and few appraisals;
Lusako has weak supportive supervision (many planned visits not done, low
checklist scores) and also few appraisals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.synth._io import stream
from phcpm.synth.geography import facilities_of

__all__ = [
    "APPRAISAL_DONE",
    "ATTENDANCE_DISTRICT",
    "CADRE_MIX",
    "CADRES",
    "MISSED_REASONS",
    "MISSED_WEIGHTS",
    "MISSED_WEIGHTS_BY_DISTRICT",
    "RAINY_MONTHS",
    "STAFFING",
    "SUPERVISION_DONE",
    "SUPERVISION_SCORE",
    "SUPERVISORS",
    "appraisals",
    "attendance",
    "missed_reasons",
    "staff",
    "supervision_visits",
]

ATTENDANCE_DISTRICT = "Tembwe"
ATTENDANCE_START, ATTENDANCE_END = "2025-07-01", "2025-12-31"

#: Staff numbers (low, high) and cadre mix by facility type.
STAFFING = {
    "hospital": (70, 110),
    "health_centre": (12, 20),
    "health_post": (3, 6),
    "community_clinic": (1, 3),
}
CADRES = [
    "medical officer", "clinical officer", "nurse", "midwife", "laboratory technician",
    "pharmacy technician", "records clerk", "community health worker",
]  # fmt: skip
CADRE_MIX = {
    "hospital": [0.08, 0.12, 0.38, 0.2, 0.07, 0.05, 0.06, 0.04],
    "health_centre": [0.0, 0.18, 0.35, 0.2, 0.08, 0.07, 0.07, 0.05],
    "health_post": [0.0, 0.1, 0.45, 0.15, 0.0, 0.0, 0.05, 0.25],
    "community_clinic": [0.0, 0.0, 0.4, 0.0, 0.0, 0.0, 0.0, 0.6],
}
SUPERVISION_DONE = {
    "Ruvo": 0.92, "Tembwe": 0.8, "Lusako": 0.45, "Nyakori": 0.86, "Mbalazi": 0.9, "Kavira": 0.84,
}  # fmt: skip
SUPERVISION_SCORE = {
    "Ruvo": 78, "Tembwe": 70, "Lusako": 54, "Nyakori": 74, "Mbalazi": 76, "Kavira": 68,
}  # fmt: skip
APPRAISAL_DONE = {
    "Ruvo": 0.88, "Tembwe": 0.35, "Lusako": 0.5, "Nyakori": 0.8, "Mbalazi": 0.85, "Kavira": 0.78,
}  # fmt: skip
#: Main reason a planned supervision visit did not take place, with its usual weight.
#: Transport and competing duties dominate, as district teams report; Lusako's shared
#: vehicle makes transport weigh more there. Roads matter only in the rainy season.
MISSED_REASONS = [
    "No vehicle or fuel",
    "Supervisor called to other duties",
    "Allowance not paid",
    "Facility closed or in-charge away",
    "Road impassable after rain",
    "Other",
]
MISSED_WEIGHTS = [0.34, 0.26, 0.14, 0.12, 0.08, 0.06]
MISSED_WEIGHTS_BY_DISTRICT = {"Lusako": [0.42, 0.26, 0.12, 0.09, 0.07, 0.04]}
#: Months of the rainy season (November to April), when roads close more often.
RAINY_MONTHS = (11, 12, 1, 2, 3, 4)
SUPERVISORS = [
    "district medical officer", "district nursing officer", "district health records officer",
    "district pharmacist", "district environmental health officer",
]  # fmt: skip


def staff(units: pd.DataFrame, seed: int) -> pd.DataFrame:
    """One row per staff member posted to a facility."""
    rng = stream(seed, "staff")
    fac = facilities_of(units)
    ftype = fac["facility_type"].to_numpy()
    lo = np.array([STAFFING[t][0] for t in ftype])
    hi = np.array([STAFFING[t][1] for t in ftype])
    size = rng.integers(lo, hi + 1)
    f = np.repeat(np.arange(len(fac)), size)
    u = rng.random(f.size)
    cum = np.cumsum(np.array([CADRE_MIX[t] for t in ftype]), axis=1)[f]
    cadre = np.array(CADRES)[(u[:, None] > cum).sum(axis=1).clip(0, len(CADRES) - 1)]
    start = np.datetime64("2003-01-01") + rng.integers(0, 365 * 22 + 300, f.size).astype(
        "timedelta64[D]"
    )
    district = fac["district"].to_numpy()[f]
    p_on = np.where(district == ATTENDANCE_DISTRICT, 0.86, 0.94)
    return pd.DataFrame(
        {
            "staff_id": [f"S{i:05d}" for i in range(1, f.size + 1)],
            "org_unit_id": fac["org_unit_id"].to_numpy()[f],
            "cadre": cadre,
            "on_post": (rng.random(f.size) < p_on).astype(int),
            "started": pd.to_datetime(start).strftime("%Y-%m-%d"),
        }
    )


def attendance(units: pd.DataFrame, staff_df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Daily attendance, working days only, for on-post staff of one district."""
    rng = stream(seed, "attendance")
    fac = facilities_of(units)
    in_district = fac.loc[fac["district"] == ATTENDANCE_DISTRICT, "org_unit_id"].to_numpy()
    # About a third of the district's facilities have a serious absenteeism problem.
    bad = set(in_district[rng.random(in_district.size) < 0.35])
    s = staff_df.loc[staff_df["org_unit_id"].isin(in_district) & (staff_df["on_post"] == 1)]
    s = s.loc[s["started"] < ATTENDANCE_START].reset_index(drop=True)
    days = pd.bdate_range(ATTENDANCE_START, ATTENDANCE_END)
    n, nd = len(s), len(days)
    unauth = np.where(s["org_unit_id"].isin(bad), 0.14, 0.03)[:, None]
    weekday = days.day_of_week.to_numpy()[None, :]
    unauth = unauth * np.where((weekday == 0) | (weekday == 4), 1.6, 0.85)
    auth, late = 0.04, np.where(s["org_unit_id"].isin(bad), 0.1, 0.05)[:, None]
    u = rng.random((n, nd))
    status = np.select(
        [u < unauth, u < unauth + auth, u < unauth + auth + late],
        ["absent_unauthorised", "absent_authorised", "late"],
        "present",
    )
    return pd.DataFrame(
        {
            "staff_id": np.repeat(s["staff_id"].to_numpy(), nd),
            "date": np.tile(days.strftime("%Y-%m-%d").to_numpy(), n),
            "status": status.ravel(),
        }
    )


def supervision_visits(units: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Planned quarterly supportive supervision visits (done or not) plus a few unplanned ones."""
    rng = stream(seed, "supervision")
    fac = facilities_of(units)
    n = len(fac)
    quarters = pd.period_range("2023Q1", "2025Q4", freq="Q")
    nq = len(quarters)
    district = fac["district"].to_numpy()
    q_start = quarters.to_timestamp().to_numpy().astype("datetime64[D]")
    day = q_start[None, :] + rng.integers(5, 85, (n, nq)).astype("timedelta64[D]")
    p_done = pd.Series(district).map(SUPERVISION_DONE).to_numpy()[:, None]
    done = rng.random((n, nq)) < p_done
    base = pd.Series(district).map(SUPERVISION_SCORE).to_numpy(float)[:, None]
    trend = np.arange(nq)[None, :] * 0.5
    score = np.clip(
        np.round(base + rng.normal(0, 6, (n, 1)) + trend + rng.normal(0, 7, (n, nq))), 0, 100
    )
    planned = pd.DataFrame(
        {
            "org_unit_id": np.repeat(fac["org_unit_id"].to_numpy(), nq),
            "date": pd.to_datetime(day.ravel()),
            "supervisor_cadre": np.array(SUPERVISORS)[rng.integers(0, len(SUPERVISORS), n * nq)],
            "planned": 1,
            "done": done.ravel().astype(int),
            "checklist_score": pd.array(np.where(done, score, np.nan).ravel()).astype("Int64"),
        }
    )
    k = max(1, n // 10)
    pick = rng.choice(n, k, replace=False)
    extra = pd.DataFrame(
        {
            "org_unit_id": fac["org_unit_id"].to_numpy()[pick],
            "date": pd.to_datetime(
                np.datetime64("2023-01-10") + rng.integers(0, 1080, k).astype("timedelta64[D]")
            ),
            "supervisor_cadre": np.array(SUPERVISORS)[rng.integers(0, len(SUPERVISORS), k)],
            "planned": 0,
            "done": 1,
            "checklist_score": pd.array(np.clip(np.round(rng.normal(65, 10, k)), 0, 100)).astype(
                "Int64"
            ),
        }
    )
    order = {u: i for i, u in enumerate(fac["org_unit_id"])}
    out = pd.concat([planned, extra], ignore_index=True)
    out["_o"] = out["org_unit_id"].map(order)
    out = out.sort_values(["_o", "date", "planned"], kind="stable").drop(columns="_o")
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    out = out.reset_index(drop=True)
    out["missed_reason"] = missed_reasons(out, fac, seed)
    return out


def missed_reasons(visits: pd.DataFrame, fac: pd.DataFrame, seed: int) -> np.ndarray:
    """One main reason for each planned visit that was not done; empty for the others.

    Drawn from its own random stream, after all the other columns, so adding the
    reasons changed no other value of the file. The weights depend on the district
    (:data:`MISSED_WEIGHTS_BY_DISTRICT`) and, for roads, on the season: three times
    the weight in the rainy months, a third of it in the dry months.
    """
    rng = stream(seed, "supervision_reasons")
    district = visits["org_unit_id"].map(fac.set_index("org_unit_id")["district"]).to_numpy()
    month = pd.to_datetime(visits["date"]).dt.month.to_numpy()
    missed = ((visits["planned"] == 1) & (visits["done"] == 0)).to_numpy()
    road = MISSED_REASONS.index("Road impassable after rain")
    out = np.full(len(visits), "", dtype=object)
    for i in np.flatnonzero(missed):
        w = np.array(MISSED_WEIGHTS_BY_DISTRICT.get(district[i], MISSED_WEIGHTS), dtype=float)
        w[road] *= 3.0 if month[i] in RAINY_MONTHS else 1 / 3
        out[i] = MISSED_REASONS[int(rng.choice(len(w), p=w / w.sum()))]
    return out


def appraisals(units: pd.DataFrame, staff_df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Yearly performance appraisals: due once a staff member has worked six months in the year."""
    rng = stream(seed, "appraisals")
    fac = facilities_of(units)
    district = staff_df["org_unit_id"].map(fac.set_index("org_unit_id")["district"])
    years = np.array([2023, 2024, 2025])
    n = len(staff_df)
    started = pd.to_datetime(staff_df["started"]).to_numpy()
    rows = pd.DataFrame(
        {
            "staff_id": np.repeat(staff_df["staff_id"].to_numpy(), len(years)),
            "year": np.tile(years, n),
        }
    )
    st = np.repeat(started, len(years))
    year_end = pd.to_datetime(rows["year"].astype(str) + "-12-31").to_numpy()
    present = st <= year_end
    due = st <= pd.to_datetime(rows["year"].astype(str) + "-06-30").to_numpy()
    p = np.repeat(district.map(APPRAISAL_DONE).to_numpy(float), len(years))
    done = due & (rng.random(len(rows)) < p)
    rows["due"] = due.astype(int)
    rows["done"] = done.astype(int)
    return rows.loc[present].reset_index(drop=True)
