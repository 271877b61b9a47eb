"""Monthly service statistics and report submission for every facility.

Counts come from catchment population x demographic or service rates, with
facility-level random effects, growth, trends, malaria seasonality and
negative-binomial noise (a Poisson count whose mean is itself gamma-distributed,
Hilbe 2011, *Negative Binomial Regression*, 2nd ed.). Linked counts (ANC4 from
ANC1, PENTA3 from PENTA1, malaria tested/confirmed from suspected) are drawn
binomially from their parent, so the logical order always holds in clean data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.synth._io import make_uids, months, stream
from phcpm.synth.geography import DISTRICTS, GROWTH, PREGNANCY_FACTOR, RATES, facilities_of

#: (code, name, description, unit). Order = order of rows in service_data.csv.
DATA_ELEMENTS: list[tuple[str, str, str, str]] = [
    ("ANC1", "ANC first visit", "Pregnant women attending a first antenatal care visit", "women"),
    ("ANC4", "ANC fourth visit", "Pregnant women attending a fourth antenatal care visit", "women"),
    ("FAC_DELIVERY", "Facility deliveries", "Births that took place in the facility", "deliveries"),
    (
        "SBA_DELIVERY",
        "Deliveries by skilled attendant",
        "Facility deliveries attended by a doctor, clinical officer, nurse or midwife",
        "deliveries",
    ),
    (
        "PNC_48H",
        "Postnatal care within 48 hours",
        "Mothers who received a postnatal check within 48 hours of birth",
        "women",
    ),
    ("BCG", "BCG doses given", "BCG vaccine doses given to infants", "doses"),
    (
        "PENTA1",
        "Penta 1 doses given",
        "First dose of pentavalent vaccine given to infants",
        "doses",
    ),
    (
        "PENTA3",
        "Penta 3 doses given",
        "Third dose of pentavalent vaccine given to infants",
        "doses",
    ),
    (
        "MCV1",
        "Measles 1 doses given",
        "First dose of measles-containing vaccine given to children",
        "doses",
    ),
    ("OPD_TOTAL", "OPD visits, all ages", "New outpatient consultations, all ages", "visits"),
    (
        "OPD_U5",
        "OPD visits, under 5",
        "New outpatient consultations, children under five",
        "visits",
    ),
    (
        "MAL_SUSPECTED",
        "Suspected malaria",
        "Patients with fever suspected to have malaria",
        "patients",
    ),
    (
        "MAL_TESTED",
        "Malaria tests done",
        "Suspected malaria cases tested by rapid test or microscopy",
        "patients",
    ),
    (
        "MAL_CONFIRMED",
        "Malaria confirmed",
        "Malaria cases confirmed by a positive test",
        "patients",
    ),
    (
        "MAL_TREATED",
        "Malaria cases treated",
        "Malaria cases given an artemisinin-based combination therapy (ACT)",
        "patients",
    ),
    ("TB_NOTIFIED", "TB cases notified", "New and relapse tuberculosis cases notified", "patients"),
    (
        "FP_NEW",
        "Family planning new users",
        "New users of a modern contraceptive method",
        "clients",
    ),
    (
        "FP_REVISITS",
        "Family planning revisits",
        "Return visits by users of a modern contraceptive method",
        "clients",
    ),
    (
        "STOCKOUT_DAYS_ACT",
        "Stock-out days, ACT",
        "Days in the month the facility had no artemether-lumefantrine (ACT) in stock",
        "days",
    ),
    (
        "STOCKOUT_DAYS_AMOX",
        "Stock-out days, amoxicillin",
        "Days in the month the facility had no amoxicillin dispersible tablets in stock",
        "days",
    ),
]
CODES = [d[0] for d in DATA_ELEMENTS]

#: Which facility types offer which services (absent = no rows for that element).
NOT_OFFERED = {
    "hospital": set(),
    "health_centre": set(),
    "health_post": {"TB_NOTIFIED"},
    "community_clinic": {
        "ANC1", "ANC4", "FAC_DELIVERY", "SBA_DELIVERY", "PNC_48H", "BCG", "PENTA1",
        "PENTA3", "MCV1", "TB_NOTIFIED",
    },
}  # fmt: skip
DELIVERY = ["FAC_DELIVERY", "SBA_DELIVERY", "PNC_48H"]
#: Share of health posts with a delivery room.
HP_DELIVERY_SHARE = 0.3

#: District report completeness targets (share of expected reports received).
COMPLETENESS = {
    "Ruvo": 0.925,
    "Tembwe": 0.89,
    "Lusako": 0.865,
    "Nyakori": 0.845,
    "Mbalazi": 0.90,
    "Kavira": 0.875,
}
#: Malaria transmission by district (relative); Kalindi's highlands have less.
MALARIA = {
    "Ruvo": 0.45,
    "Tembwe": 0.6,
    "Lusako": 0.7,
    "Nyakori": 1.2,
    "Mbalazi": 1.1,
    "Kavira": 1.3,
}
#: Chance that a facility runs out of a tracer medicine in a month, by district.
STOCKOUT = {
    "Ruvo": 0.05,
    "Tembwe": 0.08,
    "Lusako": 0.1,
    "Nyakori": 0.09,
    "Mbalazi": 0.07,
    "Kavira": 0.3,
}
#: Rainy season Nov-Apr; malaria peaks in March-April.
PEAK_MONTH = 3.5


def data_elements(seed: int) -> pd.DataFrame:
    """The data element list with DHIS2-style UIDs."""
    rng = stream(seed, "data_elements")
    df = pd.DataFrame(DATA_ELEMENTS, columns=["data_element", "name", "description", "unit"])
    df.insert(1, "uid", make_uids(rng, len(df)))
    df["aggregation"] = "sum"
    return df


def season(month_of_year: np.ndarray) -> np.ndarray:
    """Malaria seasonal factor (mean about 1): a cosine peaking at :data:`PEAK_MONTH`."""
    return 1 + 0.6 * np.cos(2 * np.pi * (month_of_year - PEAK_MONTH) / 12)


def _nb(rng: np.random.Generator, lam: np.ndarray, k: float = 30.0) -> np.ndarray:
    """Negative binomial counts with mean ``lam`` and shape ``k`` (Poisson-gamma mixture)."""
    return rng.poisson(lam * rng.gamma(k, 1 / k, lam.shape)).astype(np.int64)


def _effect(rng: np.random.Generator, n: int, sd: float) -> np.ndarray:
    """Facility random effect: lognormal around 1."""
    return np.exp(rng.normal(0, sd, n))[:, None]


def offered(fac: pd.DataFrame, seed: int) -> np.ndarray:
    """Boolean matrix facilities x data elements: does the facility offer the service?"""
    rng = stream(seed, "offered")
    ftype = fac["facility_type"].to_numpy()
    out = np.ones((len(fac), len(CODES)), dtype=bool)
    for t, codes in NOT_OFFERED.items():
        for c in codes:
            out[ftype == t, CODES.index(c)] = False
    no_delivery = (ftype == "health_post") & (rng.random(len(fac)) >= HP_DELIVERY_SHARE)
    for c in DELIVERY:
        out[no_delivery, CODES.index(c)] = False
    return out


def _absorb(lam: np.ndarray, serves: np.ndarray, fac: pd.DataFrame, share: float) -> np.ndarray:
    """Move demand from facilities that do not offer a service to those in the district that do.

    ``share`` of the unserved demand reaches another facility: half to the
    hospital(s), half to the other providers in proportion to their own demand.
    """
    district = fac["district"].to_numpy()
    codes, idx = np.unique(district, return_inverse=True)
    hosp = (fac["facility_type"].to_numpy() == "hospital") & serves
    other = serves & ~hosp
    unserved = np.zeros((codes.size, lam.shape[1]))
    np.add.at(unserved, idx, lam * (~serves)[:, None])
    hosp_n = np.bincount(idx, weights=hosp.astype(float), minlength=codes.size)
    own_other = np.zeros_like(unserved)
    np.add.at(own_other, idx, lam * other[:, None])
    add = np.zeros_like(lam)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_hosp = np.where(hosp_n[:, None] > 0, 0.5 * unserved / hosp_n[:, None], 0.0)
        frac = np.where(own_other > 0, 0.5 * unserved / own_other, 0.0)
    add[hosp] = per_hosp[idx[hosp]]
    add[other] = lam[other] * frac[idx[other]]
    return np.where(serves[:, None], lam + share * add, 0.0)


def true_counts(units: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Every count every facility would report each month, before any reporting gaps.

    Returns the facility frame, the offered matrix and a dict code -> array
    (facilities x months) of integer counts.
    """
    rng = stream(seed, "service_data")
    fac = facilities_of(units)
    n = len(fac)
    per = months()
    t = np.arange(len(per))[None, :]
    moy = (per.month.to_numpy())[None, :]
    years = t / 12
    pop = fac["catchment_population"].to_numpy(float)[:, None] * (1 + GROWTH) ** years
    ftype = fac["facility_type"].to_numpy()
    district = fac["district"].to_numpy()
    urban = (fac["urban_rural"].to_numpy() == "urban")[:, None]
    serves = offered(fac, seed)
    s = {c: serves[:, i] for i, c in enumerate(CODES)}

    births = pop * RATES["live_births"] / 12
    pregnancies = births * PREGNANCY_FACTOR
    infants = pop * RATES["surviving_infants"] / 12

    def trend(per_year: float) -> np.ndarray:
        return (1 + per_year) ** years

    out: dict[str, np.ndarray] = {}
    anc1_rate = 0.84 * _effect(rng, n, 0.07)
    lam = _absorb(pregnancies * anc1_rate * trend(0.015), s["ANC1"], fac, 0.9)
    out["ANC1"] = _nb(rng, lam)
    p4 = np.clip(0.56 * _effect(rng, n, 0.12) * trend(0.03), 0.2, 0.9)
    out["ANC4"] = rng.binomial(out["ANC1"], np.broadcast_to(p4, out["ANC1"].shape))

    fd = np.where(ftype == "health_post", 0.25, 0.62)[:, None] * _effect(rng, n, 0.1)
    lam = _absorb(births * fd * trend(0.02), s["FAC_DELIVERY"], fac, 0.8)
    out["FAC_DELIVERY"] = _nb(rng, lam)
    sba = np.select([ftype == "hospital", ftype == "health_centre"], [0.99, 0.95], 0.6)[:, None]
    out["SBA_DELIVERY"] = rng.binomial(out["FAC_DELIVERY"], np.broadcast_to(sba, lam.shape))
    pnc = np.clip(0.76 * _effect(rng, n, 0.08), 0.3, 0.98)
    out["PNC_48H"] = rng.binomial(out["FAC_DELIVERY"], np.broadcast_to(pnc, lam.shape))

    lam = _absorb(births * 0.9 * _effect(rng, n, 0.06) * trend(0.01), s["BCG"], fac, 0.95)
    out["BCG"] = _nb(rng, lam)
    p1 = 0.93 * _effect(rng, n, 0.05) * trend(0.01)
    lam = _absorb(infants * p1, s["PENTA1"], fac, 0.95)
    out["PENTA1"] = _nb(rng, lam)
    keep = 1 - rng.uniform(0.05, 0.15, n)[:, None]
    out["PENTA3"] = rng.binomial(out["PENTA1"], np.broadcast_to(keep, lam.shape))
    lam = _absorb(infants * 0.84 * _effect(rng, n, 0.06) * trend(0.015), s["MCV1"], fac, 0.95)
    out["MCV1"] = _nb(rng, lam)

    util = pd.Series(ftype).map(
        {"hospital": 0.55, "health_centre": 0.95, "health_post": 0.85, "community_clinic": 0.8}
    )
    util = util.to_numpy()[:, None] * np.where(urban, 1.1, 1.0) * _effect(rng, n, 0.15)
    non_malaria = _nb(rng, pop * util / 12)
    mal = pd.Series(district).map(MALARIA).to_numpy(float)[:, None] * _effect(rng, n, 0.15)
    out["MAL_SUSPECTED"] = _nb(rng, pop * 0.28 / 12 * mal * season(moy))
    out["OPD_TOTAL"] = non_malaria + out["MAL_SUSPECTED"]
    u5 = np.clip(0.33 * _effect(rng, n, 0.08), 0.15, 0.6)
    out["OPD_U5"] = rng.binomial(out["OPD_TOTAL"], np.broadcast_to(u5, pop.shape))
    tested = np.clip(rng.uniform(0.84, 0.98, n)[:, None] * trend(0.01), 0, 1)
    out["MAL_TESTED"] = rng.binomial(out["MAL_SUSPECTED"], np.broadcast_to(tested, pop.shape))
    positivity = np.clip(0.3 * np.sqrt(season(moy)) * _effect(rng, n, 0.1), 0.03, 0.8)
    out["MAL_CONFIRMED"] = rng.binomial(out["MAL_TESTED"], np.broadcast_to(positivity, pop.shape))
    presumptive = rng.binomial(out["MAL_SUSPECTED"] - out["MAL_TESTED"], 0.3)
    treated = rng.binomial(out["MAL_CONFIRMED"], np.clip(rng.uniform(0.93, 1.0, n), 0, 1)[:, None])
    out["MAL_TREATED"] = treated + presumptive

    lam = _absorb(pop * 150e-5 / 12 * _effect(rng, n, 0.2), s["TB_NOTIFIED"], fac, 0.9)
    out["TB_NOTIFIED"] = _nb(rng, lam)
    fp = _effect(rng, n, 0.2) * trend(0.04)
    out["FP_NEW"] = _nb(rng, pop * 0.0016 * fp)
    out["FP_REVISITS"] = _nb(rng, pop * 0.0055 * fp)

    dim = per.days_in_month.to_numpy()[None, :]
    p_out = pd.Series(district).map(STOCKOUT).to_numpy(float)[:, None] * _effect(rng, n, 0.3)
    for code in ("STOCKOUT_DAYS_ACT", "STOCKOUT_DAYS_AMOX"):
        hit = rng.random(pop.shape) < p_out
        days = np.ceil(rng.random(pop.shape) * dim).astype(np.int64)
        out[code] = np.where(hit, days, 0)

    return fac, serves, {c: out[c] for c in CODES}


def reporting(units: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict]:
    """Expected and received monthly reports, with submission dates.

    Returns the reporting table and ``info`` (which facilities are silent,
    chronically late) for the answer key.
    """
    rng = stream(seed, "reporting")
    fac = facilities_of(units)
    n = len(fac)
    per = months()
    nt = len(per)
    district = fac["district"].to_numpy()
    target = pd.Series(district).map(COMPLETENESS).to_numpy(float)
    p = np.clip(target + rng.normal(0, 0.04, n), 0.55, 0.99)
    received = rng.random((n, nt)) < p[:, None]

    # Two or three facilities fall silent for a long stretch (teaching set only).
    silent: list[tuple[int, int, int]] = []
    if n < 1000:
        for d, start, length in (("Nyakori", 14, 10), ("Lusako", 20, 8), ("Kavira", 5, 7)):
            cand = np.flatnonzero((district == d) & (fac["facility_type"].to_numpy() != "hospital"))
            f = int(cand[rng.integers(0, cand.size)])
            received[f, start : start + length] = False
            silent.append((f, start, length))

    # A few facilities are chronically late.
    chronic = rng.random(n) < 0.05
    p_late = np.where(chronic, 0.7, 0.08)[:, None]
    late = rng.random((n, nt)) < p_late
    first_of_next = (per + 1).to_timestamp().to_numpy().astype("datetime64[D]")[None, :]
    deadline = first_of_next + np.timedelta64(14, "D")
    on_time_day = rng.integers(1, 15, (n, nt))
    late_by = np.ceil(rng.exponential(12, (n, nt))).astype(np.int64)
    day = np.where(late, 14 + late_by, on_time_day - 1)
    submitted = first_of_next + day.astype("timedelta64[D]")

    df = pd.DataFrame(
        {
            "org_unit_id": np.repeat(fac["org_unit_id"].to_numpy(), nt),
            "period": np.tile(per.strftime("%Y-%m").to_numpy(), n),
            "dataset": "PHC monthly report",
            "expected": 1,
            "received": received.ravel().astype(int),
            "submitted_on": submitted.ravel(),
            "deadline": np.broadcast_to(deadline, (n, nt)).ravel(),
        }
    )
    rec = df["received"].to_numpy() == 1
    df["on_time"] = pd.array(
        np.where(rec, (df["submitted_on"] <= df["deadline"]).astype(int), 0), dtype="Int64"
    )
    df.loc[~rec, "on_time"] = pd.NA
    sub = df["submitted_on"].dt.strftime("%Y-%m-%d")
    df["submitted_on"] = sub.where(rec, "")
    df["deadline"] = df["deadline"].dt.strftime("%Y-%m-%d")
    info = {"silent": silent, "chronic": np.flatnonzero(chronic), "received": received}
    return df, info


def service_data(
    fac: pd.DataFrame, serves: np.ndarray, counts: dict, received: np.ndarray
) -> pd.DataFrame:
    """Long table of reported values: one row per facility, month and offered element.

    Only months with a received report, only elements the facility offers.
    Row order: facility (as in org_units), month, element (as in data_elements).
    """
    n, nt = received.shape
    ne = len(CODES)
    values = np.stack([counts[c] for c in CODES], axis=2)  # n x nt x ne
    keep = received[:, :, None] & serves[:, None, :]
    f_idx, t_idx, e_idx = np.nonzero(keep)
    per = months().strftime("%Y-%m").to_numpy()
    df = pd.DataFrame(
        {
            "org_unit_id": pd.Categorical.from_codes(f_idx, categories=fac["org_unit_id"]),
            "period": pd.Categorical.from_codes(t_idx, categories=per),
            "data_element": pd.Categorical.from_codes(e_idx, categories=CODES),
            "value": values[f_idx, t_idx, e_idx],
        }
    )
    assert ne == values.shape[2]
    return df


__all__ = ["DATA_ELEMENTS", "CODES", "data_elements", "true_counts", "reporting", "service_data"]
__all__ += ["DISTRICTS", "season"]
