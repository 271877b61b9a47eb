"""Survey, register and improvement data: LQAS, patient register, patient flow,
process map, PDSA measures and district performance scores."""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from phcpm.synth._io import stream
from phcpm.synth.geography import DISTRICTS, facilities_of

__all__ = [
    "CLINIC_DAY",
    "FLOW_DAYS",
    "FLOW_MINUTES",
    "FLOW_PER_DAY",
    "FLOW_SERVERS",
    "FLOW_STEPS",
    "LQAS_BASE",
    "LQAS_INDICATORS",
    "LQAS_N",
    "PDSA_CYCLES",
    "PDSA_FAMILY",
    "PDSA_LEVELS",
    "PDSA_PROJECT",
    "PDSA_START",
    "PDSA_STOCKOUT",
    "PDSA_TREATED_AS_RESULT",
    "PDSA_WAIT",
    "PDSA_WEEKS",
    "PROCESS_STEPS",
    "RAMP_ADAPTED_SHARE",
    "RAMP_CHANGE",
    "RAMP_START",
    "RAMP_STEPS",
    "RAMP_TRIES",
    "REGISTER_DISTRICTS",
    "REGISTER_PER_DAY",
    "SA_SUFFIX",
    "SCORE_DOMAINS",
    "SCORE_PROFILE",
    "district_scores",
    "lqas",
    "patient_flow",
    "patient_register",
    "pdsa",
    "pdsa_family",
    "pdsa_ramp",
    "process_steps",
]

LQAS_INDICATORS = ["anc4", "skilled_birth", "penta3", "mcv1", "itn_slept", "fp_modern"]
#: Average true coverage by indicator (the district and area effects vary around it).
LQAS_BASE = {
    "anc4": 0.66, "skilled_birth": 0.74, "penta3": 0.8, "mcv1": 0.76,
    "itn_slept": 0.68, "fp_modern": 0.55,
}  # fmt: skip
#: LQAS sample size per supervision area (Valadez et al. 2003, *Assessing Community
#: Health Programs: a trainer's guide. Using LQAS for baseline surveys and
#: regular monitoring*, Teaching-aids At Low Cost).
LQAS_N = 19
SA_SUFFIX = ["North", "South", "East", "West", "Central"]


def lqas(units: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """LQAS survey answers (19 respondents per supervision area) and the true coverages."""
    rng = stream(seed, "lqas")
    areas = [(d, f"{d} {s}") for d in DISTRICTS for s in SA_SUFFIX]
    na, ni = len(areas), len(LQAS_INDICATORS)
    base = np.array([LQAS_BASE[i] for i in LQAS_INDICATORS])[None, :]
    district_eff = np.repeat(rng.normal(0, 0.06, (len(DISTRICTS), ni)), len(SA_SUFFIX), axis=0)
    area_eff = rng.normal(0, 0.11, (na, 1)) + rng.normal(0, 0.06, (na, ni))
    truth = np.clip(base + district_eff + area_eff, 0.35, 0.97)
    answers = (rng.random((na, LQAS_N, ni)) < truth[:, None, :]).astype(int)
    survey = pd.DataFrame(answers.reshape(na * LQAS_N, ni), columns=LQAS_INDICATORS)
    survey.insert(0, "respondent", np.tile(np.arange(1, LQAS_N + 1), na))
    survey.insert(0, "supervision_area", np.repeat([a for _, a in areas], LQAS_N))
    survey.insert(0, "district", np.repeat([d for d, _ in areas], LQAS_N))
    true = pd.DataFrame(
        {
            "district": np.repeat([d for d, _ in areas], ni),
            "supervision_area": np.repeat([a for _, a in areas], ni),
            "indicator": np.tile(LQAS_INDICATORS, na),
            "true_coverage": np.round(truth.ravel(), 3),
            "sample_yes": answers.sum(axis=1).ravel(),
            "sample_size": LQAS_N,
        }
    )
    return survey, true


REGISTER_DISTRICTS = ("Ruvo", "Nyakori")
REGISTER_START, REGISTER_END = "2025-01-06", "2025-03-28"
#: Records per working day in each register: fixed, so a week is always 5 x 12 = 60 rows.
REGISTER_PER_DAY = 12
CLINIC_DAY = 3  # Thursday: the busy under-five clinic day, when care is rushed


def patient_register(units: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Under-five OPD register records at eight health centres, in register order."""
    rng = stream(seed, "register")
    fac = facilities_of(units)
    chosen = []
    for d in REGISTER_DISTRICTS:
        hc = fac.loc[(fac["district"] == d) & (fac["facility_type"] == "health_centre")]
        chosen.append(hc.iloc[:4])
    hcs = pd.concat(chosen, ignore_index=True)
    days = pd.bdate_range(REGISTER_START, REGISTER_END)
    nf, nd, k = len(hcs), len(days), REGISTER_PER_DAY
    n = nf * nd * k
    f = np.repeat(np.arange(nf), nd * k)
    day = np.tile(np.repeat(np.arange(nd), k), nf)
    weekday = days.day_of_week.to_numpy()[day]
    quality = rng.uniform(0.5, 0.93, nf)[f] - np.where(weekday == CLINIC_DAY, 0.25, 0.0)
    age = np.minimum(np.floor(rng.gamma(1.6, 12, n)), 59).astype(int)
    diagnosis = rng.choice(
        ["malaria", "pneumonia", "diarrhoea", "other"], n, p=[0.3, 0.2, 0.15, 0.35]
    )
    fever = (diagnosis == "malaria") | (
        rng.random(n) < np.select([diagnosis == "pneumonia", diagnosis == "other"], [0.7, 0.4], 0.2)
    )

    def crit(applies: np.ndarray, shift: float = 0.0) -> pd.arrays.IntegerArray:
        met = (rng.random(n) < np.clip(quality + shift, 0.02, 0.99)).astype(float)
        return pd.array(np.where(applies, met, np.nan)).astype("Int64")

    everyone = np.ones(n, dtype=bool)
    return pd.DataFrame(
        {
            "record_id": [f"R{i:05d}" for i in range(1, n + 1)],
            "org_unit_id": hcs["org_unit_id"].to_numpy()[f],
            "district": hcs["district"].to_numpy()[f],
            "visit_date": days.strftime("%Y-%m-%d").to_numpy()[day],
            "age_months": age,
            "sex": np.where(rng.random(n) < 0.5, "F", "M"),
            "diagnosis": diagnosis,
            "weight_recorded": crit(everyone, 0.05),
            "temperature_recorded": crit(everyone, 0.0),
            "malaria_test_done": crit(fever, 0.05),
            "correct_treatment": crit(diagnosis != "other", -0.05),
            "follow_up_given": crit(np.isin(diagnosis, ["pneumonia", "diarrhoea"]), -0.15),
        }
    )


FLOW_DAYS = pd.bdate_range("2025-03-10", "2025-03-14")
FLOW_PER_DAY = 40
#: Staff on duty at each step: (registration, triage, consultation, lab, pharmacy).
#: The first health centre has one triage nurse: its bottleneck.
FLOW_SERVERS = [(1, 1, 2, 1, 1), (1, 2, 2, 1, 1), (1, 2, 3, 1, 1)]
#: Mean minutes of service at each step.
FLOW_MINUTES = (3.0, 6.5, 9.0, 14.0, 4.0)
FLOW_STEPS = ["registration", "triage", "consultation", "lab", "pharmacy"]


def _queue(ready: np.ndarray, service: np.ndarray, servers: int) -> np.ndarray:
    """Start times at a step with ``servers`` staff, first come first served."""
    free = [0.0] * servers
    heapq.heapify(free)
    start = np.empty_like(ready)
    for i in np.argsort(ready, kind="stable"):
        s = max(ready[i], heapq.heappop(free))
        start[i] = s
        heapq.heappush(free, s + service[i])
    return start


def patient_flow(units: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Time stamps of patients moving through three health centres over five days.

    Each step's time is when the patient's service at that step began; ``exit``
    is when the last step ended. A multi-server first-come-first-served queue is
    simulated at each step (the waits are what a time-and-motion study measures).
    """
    rng = stream(seed, "flow")
    fac = facilities_of(units)
    hcs = fac.loc[(fac["district"] == "Mbalazi") & (fac["facility_type"] == "health_centre")].iloc[
        :3
    ]
    frames = []
    pid = 0
    for (_, hc), servers in zip(hcs.iterrows(), FLOW_SERVERS, strict=True):
        for day in FLOW_DAYS:
            n = FLOW_PER_DAY
            arrive = np.sort(rng.uniform(0, 240, n) ** 1.1 / 240**0.1) + 30  # minutes from 07:00
            svc = {s: rng.gamma(4, m / 4, n) for s, m in zip(FLOW_STEPS, FLOW_MINUTES, strict=True)}
            needs_lab = rng.random(n) < 0.4
            t = arrive
            times = {}
            for step, c in zip(FLOW_STEPS, servers, strict=True):
                if step == "lab":
                    start = np.full(n, np.nan)
                    if needs_lab.any():
                        start[needs_lab] = _queue(t[needs_lab], svc[step][needs_lab], c)
                    times[step] = start
                    t = np.where(needs_lab, start + svc[step], t)
                else:
                    start = _queue(t, svc[step], c)
                    times[step] = start
                    t = start + svc[step]
            base = np.datetime64(day.strftime("%Y-%m-%d") + "T07:00")

            def stamp(m: np.ndarray, base=base) -> np.ndarray:
                ok = ~np.isnan(m)
                out = np.full(m.shape, "", dtype=object)
                mins = np.round(np.where(ok, m, 0)).astype("timedelta64[m]")
                txt = np.datetime_as_string(base + mins, unit="s")
                out[ok] = txt[ok]
                return out

            frames.append(
                pd.DataFrame(
                    {
                        "patient_id": [f"V{pid + i + 1:04d}" for i in range(n)],
                        "org_unit_id": hc["org_unit_id"],
                        "date": day.strftime("%Y-%m-%d"),
                        "arrival": stamp(arrive),
                        **{s: stamp(times[s]) for s in FLOW_STEPS},
                        "exit": stamp(t),
                    }
                )
            )
            pid += n
    return pd.concat(frames, ignore_index=True)


PROCESS_STEPS = [
    ("S1", "Patient arrives at the health centre", "Patient", "start", "S2", ""),
    ("S2", "Waits to register", "Patient", "wait", "S3", ""),
    ("S3", "Registration: card found or opened", "Registration clerk", "step", "S4", ""),
    ("S4", "Waits for triage", "Patient", "wait", "S5", ""),
    ("S5", "Triage: vital signs, weight, danger signs", "Nurse", "step", "S6", ""),
    ("S6", "Danger signs?", "Nurse", "decision", "S7;S8", "yes;no"),
    ("S7", "Emergency care and referral", "Clinician", "step", "S16", ""),
    ("S8", "Waits for consultation", "Patient", "wait", "S9", ""),
    ("S9", "Consultation: history, examination", "Clinician", "step", "S10", ""),
    ("S10", "Test needed?", "Clinician", "decision", "S11;S13", "yes;no"),
    ("S11", "Waits for the laboratory", "Patient", "wait", "S12", ""),
    ("S12", "Test done and result given", "Lab", "step", "S13", ""),
    ("S13", "Diagnosis and prescription", "Clinician", "step", "S14", ""),
    ("S14", "Waits at the pharmacy", "Patient", "wait", "S15", ""),
    ("S15", "Medicines dispensed and explained", "Pharmacy", "step", "S16", ""),
    ("S16", "Patient leaves", "Patient", "end", "", ""),
]


def process_steps() -> pd.DataFrame:
    """A patient's journey through a health centre as a process map table."""
    cols = ["step_id", "label", "lane", "kind", "next", "next_labels"]
    return pd.DataFrame(PROCESS_STEPS, columns=cols)


PDSA_PROJECT = "Under-five fever cases tested for malaria"
PDSA_START = "2025-01-06"
PDSA_WEEKS = 40
#: (first week index, share tested from that week): baseline, cycle 1, cycles 2-3.
PDSA_LEVELS = [(0, 0.6), (12, 0.63), (16, 0.85)]
PDSA_CYCLES = [
    (
        1, "2025-03-31", "2025-04-25",
        "The triage nurse writes FEVER in red on the card of every child with fever",
        "The share of fever cases tested will rise from about 60 % to 70 %",
        "A small rise to about 63 %; on busy days the cards were not marked",
        "adapt",
    ),
    (
        2, "2025-04-28", "2025-05-23",
        "Children with fever go from triage straight to the test corner before consultation",
        "The share tested will reach 80 %",
        "The share tested rose to about 85 % within two weeks",
        "adopt",
    ),
    (
        3, "2025-05-26", "2025-06-20",
        "Text-message reminder to clinicians each morning",
        "Testing will rise a further 5 points",
        "No change; clinicians do not read messages during clinic hours",
        "abandon",
    ),
    (
        4, "2025-06-23", "2025-08-01",
        "Keep the test corner open on the Thursday under-five clinic with a second test kit",
        "The share tested will stay at 85 % or above on Thursdays too",
        "Stayed at about 85 %, Thursdays included",
        "adopt",
    ),
]  # fmt: skip


def pdsa(units: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly measure and the PDSA cycles of one improvement project at one health centre."""
    rng = stream(seed, "pdsa")
    fac = facilities_of(units)
    hc = fac.loc[(fac["district"] == "Ruvo") & (fac["facility_type"] == "health_centre")].iloc[0]
    project = f"{PDSA_PROJECT}, {hc['name']}"
    weeks = pd.date_range(PDSA_START, periods=PDSA_WEEKS, freq="7D")
    idx = np.arange(PDSA_WEEKS)
    share = np.select(
        [idx >= PDSA_LEVELS[2][0], idx >= PDSA_LEVELS[1][0]],
        [PDSA_LEVELS[2][1], PDSA_LEVELS[1][1]],
        PDSA_LEVELS[0][1],
    )
    den = rng.poisson(32, PDSA_WEEKS) + 5
    measure = pd.DataFrame(
        {
            "project": project,
            "org_unit_id": hc["org_unit_id"],
            "week_start": weeks.strftime("%Y-%m-%d"),
            "numerator": rng.binomial(den, share),
            "denominator": den,
        }
    )
    cycles = pd.DataFrame(
        PDSA_CYCLES,
        columns=["cycle", "start", "end", "change_idea", "prediction", "result", "decision"],
    )
    cycles.insert(0, "project", project)
    return measure, cycles


SCORE_DOMAINS = [
    "data quality", "supervision", "maternal health", "immunisation",
    "stock management", "financing", "workforce",
]  # fmt: skip
#: 2023 profile by district, in SCORE_DOMAINS order: each district has clear strengths
#: and weaknesses, and the weaknesses match the problems in the other files.
SCORE_PROFILE = {
    "Ruvo": [88, 82, 70, 85, 84, 52, 75],
    "Tembwe": [76, 72, 81, 68, 78, 74, 44],
    "Lusako": [70, 40, 66, 80, 75, 83, 58],
    "Nyakori": [52, 78, 84, 74, 70, 60, 76],
    "Mbalazi": [63, 85, 57, 90, 80, 70, 80],
    "Kavira": [74, 76, 75, 61, 41, 66, 72],
}


def district_scores(seed: int) -> pd.DataFrame:
    """District performance scores (0-100) by domain and year."""
    rng = stream(seed, "scores")
    base = np.array([SCORE_PROFILE[d] for d in DISTRICTS], dtype=float)
    years = np.array([2023, 2024, 2025])
    drift = rng.normal(1.5, 2.0, (len(DISTRICTS), len(SCORE_DOMAINS), 1)) * (years - 2023)
    scores = base[:, :, None] + drift + rng.normal(0, 2.0, drift.shape)
    scores = np.clip(np.round(scores), 0, 100).astype(int)
    return pd.DataFrame(
        {
            "district": np.repeat(DISTRICTS, len(SCORE_DOMAINS) * len(years)),
            "domain": np.tile(np.repeat(SCORE_DOMAINS, len(years)), len(DISTRICTS)),
            "year": np.tile(years, len(DISTRICTS) * len(SCORE_DOMAINS)),
            "score": scores.ravel(),
        }
    )


#: The family of measures of the PDSA project (Provost & Murray, *The Health Care Data
#: Guide*, 2011: outcome, process and balancing measures), in the order they are written.
PDSA_FAMILY = [
    ("Fever cases treated according to the test result", "outcome", "proportion (0-1)"),
    ("Fever cases tested for malaria", "process", "proportion (0-1)"),
    ("Minutes waited at the test corner", "balancing", "minutes"),
    ("Days without malaria test kits", "balancing", "days"),
]
#: Share of tested children whose treatment follows the result: before and after testing
#: becomes routine (when every child is tested, more results are negative, and some
#: children with a negative test are still given an antimalarial).
PDSA_TREATED_AS_RESULT = [(0, 0.92), (PDSA_LEVELS[2][0], 0.85)]
#: Typical minutes at the test corner on the Tuesday stopwatch morning, from a week on:
#: the queue grows when every child with fever is sent there (cycle 2), then shortens
#: as the laboratory assistant reorganises the corner and a second kit arrives (cycle 4).
PDSA_WAIT = [(0, 6.0), (16, 13.0), (20, 10.0), (24, 8.0)]
#: Expected clinic days a week without test kits: the kit order still follows the old,
#: lower consumption for some weeks after testing rises, until the order is raised.
PDSA_STOCKOUT = [(0, 0.1), (17, 0.9), (24, 0.15)]


def _level(table: list[tuple[int, float]], idx: np.ndarray) -> np.ndarray:
    """The value of a step table ``[(from_week, value), ...]`` at each week index."""
    starts = np.array([w for w, _ in table])
    values = np.array([v for _, v in table], dtype=float)
    return values[np.searchsorted(starts, idx, side="right") - 1]


def pdsa_family(measure: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Outcome, process and balancing measures of the PDSA project, week by week (long form).

    The process rows are ``measure`` itself (``pdsa_measure.csv``), not a second draw.
    The outcome counts, among the same fever cases, the children tested and treated as
    their result says. The balancing measures are the median wait at the test corner on
    one stopwatch morning a week and the clinic days (of 5) without test kits. They are
    drawn from their own random stream, so ``pdsa_measure.csv`` keeps its values.
    """
    rng = stream(seed, "pdsa_family")
    n = len(measure)
    idx = np.arange(n)
    tested = measure["numerator"].to_numpy()
    seen = measure["denominator"].to_numpy()
    treated = rng.binomial(tested, _level(PDSA_TREATED_AS_RESULT, idx))
    typical = _level(PDSA_WAIT, idx)
    timed = rng.integers(10, 16, n)
    waits = [
        float(np.median(np.round(rng.gamma(2.0, typical[i] / 2.0, timed[i])))) for i in range(n)
    ]
    stockout = np.minimum(rng.poisson(_level(PDSA_STOCKOUT, idx)), 5)
    na = np.full(n, np.nan)
    columns = {
        "outcome": (treated, seen, treated / seen),
        "process": (tested, seen, tested / seen),
        "wait": (na, na, np.array(waits)),
        "stockout": (na, na, stockout.astype(float)),
    }
    parts = []
    for (name, kind, unit), (num, den, value) in zip(PDSA_FAMILY, columns.values(), strict=True):
        parts.append(
            pd.DataFrame(
                {
                    "project": measure["project"],
                    "org_unit_id": measure["org_unit_id"],
                    "week_start": measure["week_start"],
                    "measure": name,
                    "kind": kind,
                    "numerator": pd.array(num, dtype="Float64").astype("Int64"),
                    "denominator": pd.array(den, dtype="Float64").astype("Int64"),
                    "value": np.round(value, 3),
                    "unit": unit,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    order = {name: i for i, (name, _, _) in enumerate(PDSA_FAMILY)}
    out["_o"] = out["measure"].map(order)
    out = out.sort_values(["week_start", "_o"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)


#: The change adopted at Pezali Lake, spread to a second health centre as a ramp.
RAMP_CHANGE = "Children with fever go from triage straight to the test corner before consultation"
RAMP_START = "2025-09-02"
#: Tries at one scale before the team abandons the change.
RAMP_TRIES = 3
#: The planned steps: scale, clinic days it covers (from the step's first day), weekday
#: it starts on (0 Monday), expected fever cases, the prediction (share tested), the true
#: share tested at the first try, and what the team changes if a step falls short.
RAMP_STEPS = [
    ("One triage nurse, one morning, the next 5 children with fever", [0], 1, 5, 1.0, 0.97,
     "the nurse walks each child to the test corner"),
    ("The same nurse, two full clinic days", [0, 1], 0, 12, 0.9, 0.95,
     "the laboratory assistant calls the next child as soon as a test is read"),
    ("All triage nurses, one ordinary week", [0, 1, 2, 3, 4], 0, 30, 0.85, 0.75,
     "the afternoon triage nurse is shown the route too"),
    ("The busy Thursday under-five clinic, two Thursdays, with a second test kit", [0, 7], 3,
     24, 0.85, 0.92, "a second person opens the test corner at 8 o'clock on Thursdays"),
    ("Whole clinic, every session, four weeks", list(range(20)), 0, 120, 0.85, 0.92,
     "the route is written into the triage procedure on the wall"),
]  # fmt: skip
#: Share tested when a step is repeated after its adaptation fixed what went wrong.
RAMP_ADAPTED_SHARE = 0.95


def pdsa_ramp(units: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A ramp of PDSA cycles: one change tested on a growing scale at a second health centre.

    Each step's children seen and tested are drawn; the decision follows the numbers:
    a step that meets its prediction goes up a scale ("scale up", or "adopt" after the
    last step), one that falls short is adapted and repeated at the same scale
    ("adapt"); the repeat uses a better share, as the adaptation fixes what went wrong.
    """
    rng = stream(seed, "pdsa_ramp")
    fac = facilities_of(units)
    hc = fac.loc[(fac["district"] == "Ruvo") & (fac["facility_type"] == "health_centre")].iloc[1]
    project = f"Fever cases sent straight to the test corner, {hc['name']}"
    day = pd.Timestamp(RAMP_START)
    rows = []
    adapted: list[str] = []  # adaptations are kept at the larger scales
    step = 0
    tries = 0
    while step < len(RAMP_STEPS):
        scale, offsets, weekday, expected, predicted, p_true, fix = RAMP_STEPS[step]
        start = day + pd.Timedelta(days=(weekday - day.day_of_week) % 7)
        dates = [start + pd.Timedelta(days=d + 2 * (d // 5) * (len(offsets) > 2)) for d in offsets]
        seen = int(expected) if step == 0 else int(rng.poisson(expected))
        share = p_true if tries == 0 else RAMP_ADAPTED_SHARE
        tested = int(rng.binomial(seen, share))
        met = tested >= predicted * seen - 1e-9
        last = step == len(RAMP_STEPS) - 1
        if met:
            decision = "adopt" if last else "scale up"
        else:
            decision = "adapt" if tries < RAMP_TRIES - 1 else "abandon"
        need = int(np.ceil(predicted * seen - 1e-9))
        if tries and fix not in adapted:
            adapted.append(fix)
        change = f"{RAMP_CHANGE} (adapted: {'; '.join(adapted)})" if adapted else RAMP_CHANGE
        rows.append(
            {
                "project": project,
                "org_unit_id": hc["org_unit_id"],
                "cycle": len(rows) + 1,
                "start": dates[0].strftime("%Y-%m-%d"),
                "end": dates[-1].strftime("%Y-%m-%d"),
                "scale": scale,
                "change_idea": change,
                "prediction": (
                    f"All {seen} children with fever tested before they see the clinician"
                    if predicted == 1
                    else f"At least {round(100 * predicted)} % of the children with fever "
                    "tested before they see the clinician"
                ),
                "fever_cases": seen,
                "tested": tested,
                "result": f"{tested} of {seen} tested ({100 * tested / seen:.0f} %); "
                + (
                    f"at least {need} needed: prediction met"
                    if met
                    else f"at least {need} needed: prediction not met"
                ),
                "decision": decision,
            }
        )
        day = dates[-1] + pd.Timedelta(days=1)
        if decision == "abandon":
            break
        step, tries = (step + 1, 0) if met else (step, tries + 1)
    return pd.DataFrame(rows)
