"""Data problems put into the service data on purpose, and the answer key that lists them.

The problems are the ones routine data quality reviews look for (WHO, *Data
Quality Review: a toolkit for facility data quality assessment*, 2017): outliers
from typing errors, duplicate entries, internal inconsistencies between related
data elements, missing and late reports, and denominators that give coverage
above 100 %.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from phcpm.synth._io import months, stream
from phcpm.synth.geography import LOW_DENOMINATOR_DISTRICT, population, true_population
from phcpm.synth.services import CODES, DATA_ELEMENTS

__all__ = ["EXTRA_DIGIT_ELEMENTS", "HOW_MANY", "KEY_COLUMNS", "finish_key", "inject"]

KEY_COLUMNS = [
    "problem_id", "problem_type", "file", "org_unit_id", "period", "data_element",
    "true_value", "recorded_value", "description",
]  # fmt: skip

#: Problem type -> how many to put in.
HOW_MANY = {
    "extra_digit": 6,
    "duplicate_row": 5,
    "anc4_above_anc1": 4,
    "penta3_above_penta1": 3,
    "wrong_data_element": 3,
    "negative_value": 2,
    "impossible_stockout_days": 2,
    "zero_reported": 2,
    "confirmed_above_tested": 2,
    "late_report": 4,
}
EXTRA_DIGIT_ELEMENTS = ["ANC1", "PENTA1", "OPD_TOTAL", "BCG", "FP_REVISITS", "MCV1"]

_NAME = {c: n for c, n, _, _ in DATA_ELEMENTS}


def _fmt(x: int) -> str:
    return f"{int(x):,}"


def inject(
    sd: pd.DataFrame,
    fac: pd.DataFrame,
    reports: pd.DataFrame,
    info: dict,
    units: pd.DataFrame,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Put the problems into ``sd`` (a new frame is returned) and build the answer key."""
    rng = stream(seed, "problems")
    per = months()
    labels = per.strftime("%Y-%m").to_numpy()
    n, nt, ne = len(fac), len(per), len(CODES)
    f_code = sd["org_unit_id"].cat.codes.to_numpy()
    t_code = sd["period"].cat.codes.to_numpy()
    e_code = sd["data_element"].cat.codes.to_numpy()
    pos = np.full((n, nt, ne), -1, dtype=np.int64)
    pos[f_code, t_code, e_code] = np.arange(len(sd))
    values = sd["value"].to_numpy().copy()
    ids = fac["org_unit_id"].to_numpy()
    names = fac["name"].to_numpy()
    ftype = fac["facility_type"].to_numpy()

    filled = np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)
    with warnings.catch_warnings():  # elements a facility never reports have no median
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(filled, axis=1)  # facility x element
    used_fac: set[int] = set()
    keys: list[dict] = []
    dup_rows: list[int] = []

    def val(f: int, t: int, code: str) -> int:
        return int(values[pos[f, t, CODES.index(code)]])

    def has(f: int, t: int, code: str) -> bool:
        return pos[f, t, CODES.index(code)] >= 0

    def pick(ok) -> tuple[int, int]:
        """A random facility not used yet and a month (not at the edges) where ``ok`` holds."""
        for f in rng.permutation(n):
            if int(f) in used_fac:
                continue
            for t in rng.permutation(np.arange(4, nt - 4)):
                if ok(int(f), int(t)):
                    used_fac.add(int(f))
                    return int(f), int(t)
        raise RuntimeError("no place found for a data problem")

    def add(ptype, f, t, code, true, recorded, text, file="service_data.csv", period=None):
        keys.append(
            {
                "problem_type": ptype,
                "file": file,
                "org_unit_id": ids[f] if f is not None else "",
                "period": labels[t] if period is None else period,
                "data_element": code,
                "true_value": true,
                "recorded_value": recorded,
                "description": text,
            }
        )

    for _ in range(HOW_MANY["extra_digit"]):
        code = EXTRA_DIGIT_ELEMENTS[int(rng.integers(len(EXTRA_DIGIT_ELEMENTS)))]
        e = CODES.index(code)

        def steady(f, t, c=code, e=e):
            """A month close to the facility's usual level, so the outlier stands out clearly."""
            return (
                has(f, t, c) and median[f, e] >= 30 and abs(val(f, t, c) / median[f, e] - 1) < 0.2
            )

        f, t = pick(steady)
        true = val(f, t, code)
        recorded = true * 10 + int(rng.integers(0, 10))
        values[pos[f, t, CODES.index(code)]] = recorded
        add(
            "extra_digit", f, t, code, true, recorded,
            f"{names[f]}, {labels[t]}: an extra digit was typed for {_NAME[code]}, "
            f"so {_fmt(true)} became {_fmt(recorded)} (about ten times too high).",
        )  # fmt: skip

    for _ in range(HOW_MANY["duplicate_row"]):
        code = CODES[int(rng.integers(ne))]
        f, t = pick(lambda f, t, c=code: has(f, t, c))
        row = int(pos[f, t, CODES.index(code)])
        dup_rows.append(row)
        add(
            "duplicate_row", f, t, code, val(f, t, code), val(f, t, code),
            f"{names[f]}, {labels[t]}: the {_NAME[code]} value was entered twice, "
            "so the same row appears two times and a sum counts it double.",
        )  # fmt: skip

    for pair, ptype in (
        (("ANC1", "ANC4"), "anc4_above_anc1"),
        (("PENTA1", "PENTA3"), "penta3_above_penta1"),
    ):  # noqa: E501
        first, later = pair
        for _ in range(HOW_MANY[ptype]):
            f, t = pick(
                lambda f, t, a=first, b=later: has(f, t, a) and val(f, t, a) - val(f, t, b) >= 3
            )
            a, b = val(f, t, first), val(f, t, later)
            values[pos[f, t, CODES.index(first)]] = b
            values[pos[f, t, CODES.index(later)]] = a
            add(
                ptype, f, t, later, b, a,
                f"{names[f]}, {labels[t]}: the {first} and {later} values were swapped, "
                f"so {later} ({_fmt(a)}) is higher than {first} ({_fmt(b)}), which cannot happen.",
            )  # fmt: skip

    for _ in range(HOW_MANY["wrong_data_element"]):
        f, t = pick(lambda f, t: has(f, t, "OPD_TOTAL") and val(f, t, "OPD_TOTAL") >= 150)
        true, u5 = val(f, t, "OPD_TOTAL"), val(f, t, "OPD_U5")
        values[pos[f, t, CODES.index("OPD_TOTAL")]] = u5
        add(
            "wrong_data_element", f, t, "OPD_TOTAL", true, u5,
            f"{names[f]}, {labels[t]}: the under-five OPD count ({_fmt(u5)}) was typed into "
            f"the all-ages OPD field, so OPD visits drop suddenly from about {_fmt(true)}.",
        )  # fmt: skip

    for _ in range(HOW_MANY["negative_value"]):
        f, t = pick(lambda f, t: has(f, t, "FP_NEW") and val(f, t, "FP_NEW") > 0)
        true = val(f, t, "FP_NEW")
        values[pos[f, t, CODES.index("FP_NEW")]] = -true
        add(
            "negative_value", f, t, "FP_NEW", true, -true,
            f"{names[f]}, {labels[t]}: family planning new users was entered with a minus "
            f"sign ({-true}); a count can never be below zero.",
        )  # fmt: skip

    dim = per.days_in_month.to_numpy()
    for _ in range(HOW_MANY["impossible_stockout_days"]):
        f, t = pick(lambda f, t: has(f, t, "STOCKOUT_DAYS_ACT"))
        true = val(f, t, "STOCKOUT_DAYS_ACT")
        recorded = int(dim[t] + rng.integers(10, 20))
        values[pos[f, t, CODES.index("STOCKOUT_DAYS_ACT")]] = recorded
        add(
            "impossible_stockout_days", f, t, "STOCKOUT_DAYS_ACT", true, recorded,
            f"{names[f]}, {labels[t]}: {recorded} stock-out days were reported for ACT, but the "
            f"month has only {dim[t]} days.",
        )  # fmt: skip

    for _ in range(HOW_MANY["zero_reported"]):
        f, t = pick(
            lambda f, t: (
                ftype[f] == "health_centre"
                and has(f, t, "OPD_TOTAL")
                and val(f, t, "OPD_TOTAL") >= 150
            )
        )
        true = val(f, t, "OPD_TOTAL")
        values[pos[f, t, CODES.index("OPD_TOTAL")]] = 0
        add(
            "zero_reported", f, t, "OPD_TOTAL", true, 0,
            f"{names[f]}, {labels[t]}: zero OPD visits were reported although the health centre "
            f"was open and usually sees about {_fmt(true)} patients a month.",
        )  # fmt: skip

    for _ in range(HOW_MANY["confirmed_above_tested"]):
        f, t = pick(lambda f, t: has(f, t, "MAL_TESTED") and val(f, t, "MAL_TESTED") >= 20)
        true, tested = val(f, t, "MAL_CONFIRMED"), val(f, t, "MAL_TESTED")
        recorded = tested + int(rng.integers(5, 30))
        values[pos[f, t, CODES.index("MAL_CONFIRMED")]] = recorded
        add(
            "confirmed_above_tested", f, t, "MAL_CONFIRMED", true, recorded,
            f"{names[f]}, {labels[t]}: {_fmt(recorded)} confirmed malaria cases were reported but "
            f"only {_fmt(tested)} tests were done; confirmed cases cannot exceed tests.",
        )  # fmt: skip

    # Reporting problems.
    for f, start, length in info["silent"]:
        period = f"{labels[start]}/{labels[start + length - 1]}"
        add(
            "missing_reports", f, start, "", "", length,
            f"{names[f]} sent no monthly report for {length} months in a row "
            f"({labels[start]} to {labels[start + length - 1]}).",
            file="reporting.csv", period=period,
        )  # fmt: skip

    rep = reports
    sub = pd.to_datetime(rep["submitted_on"].replace("", None))
    days_late = (sub - pd.to_datetime(rep["deadline"])).dt.days.to_numpy()
    f_rep = np.repeat(np.arange(n), nt)
    t_rep = np.tile(np.arange(nt), n)
    chronic = np.isin(f_rep, info["chronic"])
    cand = np.flatnonzero(chronic & (np.nan_to_num(days_late, nan=0) >= 20))
    taken: set[int] = set()
    for i in rng.permutation(cand):
        if len(taken) == HOW_MANY["late_report"]:
            break
        f, t = int(f_rep[i]), int(t_rep[i])
        if f in taken:
            continue
        taken.add(f)
        late = int(days_late[i])
        add(
            "late_report", f, t, "", "", late,
            f"{names[f]} sent its {labels[t]} report {late} days after the deadline of "
            f"{rep['deadline'].iloc[i]}; this facility is often late.",
            file="reporting.csv",
        )  # fmt: skip

    # Denominator problem: the official population of one district is too low.
    dist = units.loc[(units["level"] == 3) & (units["district"] == LOW_DENOMINATOR_DISTRICT)]
    official = population(units).set_index(["org_unit_id", "year"])["total_population"]
    for year in (2023, 2024, 2025):
        true = true_population(units, LOW_DENOMINATOR_DISTRICT, year)
        rec = int(official[(dist["org_unit_id"].iloc[0], year)])
        keys.append(
            {
                "problem_type": "denominator_too_low",
                "file": "population.csv",
                "org_unit_id": dist["org_unit_id"].iloc[0],
                "period": str(year),
                "data_element": "total_population",
                "true_value": true,
                "recorded_value": rec,
                "description": (
                    f"{LOW_DENOMINATOR_DISTRICT} District, {year}: the official population "
                    f"({_fmt(rec)}) comes from a wrong census projection; the real figure is about "
                    f"{_fmt(true)}, so coverage of ANC, deliveries and immunisation goes above 100 %."
                ),
            }
        )

    out = sd.copy()
    out["value"] = values
    if dup_rows:
        out = pd.concat([out, out.iloc[dup_rows]])
        order = np.lexsort(
            (out["data_element"].cat.codes, out["period"].cat.codes, out["org_unit_id"].cat.codes)
        )
        out = out.iloc[order].reset_index(drop=True)
    key = pd.DataFrame(keys)
    return out, key


def finish_key(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Join key parts, number the problems P001, P002, ... and order the columns."""
    key = pd.concat(parts, ignore_index=True)
    key.insert(0, "problem_id", [f"P{i:03d}" for i in range(1, len(key) + 1)])
    for col in ("true_value", "recorded_value"):
        key[col] = key[col].map(_as_text)
    return key[KEY_COLUMNS]


def _as_text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
        return ""
    if isinstance(v, float) and not float(v).is_integer():
        return f"{v:.3f}"
    return str(int(v))
