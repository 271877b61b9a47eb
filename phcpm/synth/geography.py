"""The fictional Republic of Sendara: regions, districts, facilities and populations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from phcpm.synth._io import make_uids, stream

__all__ = [
    "CATCHMENT",
    "COUNTRY",
    "DISTRICTS",
    "FACILITY_TYPES",
    "GROWTH",
    "LOW_DENOMINATOR_DISTRICT",
    "LOW_DENOMINATOR_FACTOR",
    "PREGNANCY_FACTOR",
    "RATES",
    "REGIONS",
    "TYPE_LABEL",
    "facilities_of",
    "org_units",
    "population",
    "true_population",
]

COUNTRY = "Republic of Sendara"

#: Region -> its three districts. Every name is invented.
REGIONS: dict[str, list[str]] = {
    "Kalindi Region": ["Ruvo", "Tembwe", "Lusako"],
    "Mosoro Region": ["Nyakori", "Mbalazi", "Kavira"],
}
DISTRICTS: list[str] = [d for ds in REGIONS.values() for d in ds]

FACILITY_TYPES = ["hospital", "health_centre", "health_post", "community_clinic"]
TYPE_LABEL = {
    "hospital": "District Hospital",
    "health_centre": "Health Centre",
    "health_post": "Health Post",
    "community_clinic": "Community Clinic",
}

#: Catchment population by facility type: lognormal median and the allowed range.
CATCHMENT = {
    "hospital": (70_000, 40_000, 120_000),
    "health_centre": (18_000, 10_000, 30_000),
    "health_post": (5_000, 3_000, 8_000),
    "community_clinic": (1_800, 1_000, 3_000),
}

#: Yearly population growth used for every projection (2.5 % a year).
GROWTH = 0.025

#: Demographic rates (share of total population, per year) used for denominators.
#: A simple planning convention for the fictional country, close to those used in
#: many low-income settings: live births 3.5 %, surviving infants 3.3 %,
#: children under five 16 %, expected pregnancies = live births x 1.05.
RATES = {"live_births": 0.035, "surviving_infants": 0.033, "under5": 0.16}
PREGNANCY_FACTOR = 1.05

#: The district whose official population is a wrong, too-low census projection.
LOW_DENOMINATOR_DISTRICT = "Mbalazi"
LOW_DENOMINATOR_FACTOR = 0.68

_PREFIX = [
    "Ki", "Ma", "Nya", "Lu", "Ru", "Ta", "Mbe", "Ka", "Se", "Bu", "Ngo", "Wa",
    "Chi", "Zo", "Ti", "Mwa", "Ke", "Ndu", "Sa", "Pe",
]  # fmt: skip
_SUFFIX = [
    "lembe", "vuno", "sanga", "kola", "tete", "bwari", "ndiro", "rama", "zali",
    "lumo", "pindi", "wenda", "goro", "shamba", "nyira", "kesi",
]  # fmt: skip
_PLACE = ["", "", "", "", "Road ", "Hill ", "Market ", "Valley ", "Lake "]


def _facility_counts(rng: np.random.Generator, facilities: int | None) -> pd.DataFrame:
    """How many facilities of each type each district has."""
    rows = []
    if facilities is None:
        for d in DISTRICTS:
            hc, hp, cc = int(rng.integers(4, 7)), int(rng.integers(9, 13)), int(rng.integers(6, 10))
            rows.append((d, 1, hc, hp, cc))
    else:
        per = np.full(len(DISTRICTS), facilities // len(DISTRICTS))
        per[: facilities % len(DISTRICTS)] += 1
        for d, n in zip(DISTRICTS, per, strict=True):
            hosp = max(1, round(n / 150))
            hc = round(n * 0.2)
            hp = round(n * 0.45)
            rows.append((d, hosp, hc, hp, max(0, n - hosp - hc - hp)))
    return pd.DataFrame(rows, columns=["district", *FACILITY_TYPES])


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct invented place names."""
    base = np.array([p + s for p in _PREFIX for s in _SUFFIX])
    place = np.array(_PLACE)
    combos = np.char.add(place[rng.integers(0, place.size, base.size)], "")
    base = base[rng.permutation(base.size)]
    if n <= base.size:
        return np.char.add(base[:n], np.char.add(" ", combos[:n])).astype(str)
    reps = int(np.ceil(n / base.size))
    tiled = np.tile(base, reps)[:n]
    number = (np.arange(n) // base.size).astype(str)
    return np.char.add(np.char.add(tiled, " "), np.char.add(number, " ")).astype(str)


def org_units(seed: int, facilities: int | None = None) -> pd.DataFrame:
    """The organisation unit hierarchy: country, regions, districts, facilities.

    ``facilities`` None gives the teaching district set (about 150 facilities);
    a number gives that many facilities spread over the same six districts
    (for speed tests).
    """
    rng = stream(seed, "org_units")
    counts = _facility_counts(rng, facilities)
    n_fac = int(counts[FACILITY_TYPES].to_numpy().sum())
    uids = make_uids(rng, 1 + len(REGIONS) + len(DISTRICTS) + n_fac)

    region_of = {d: r for r, ds in REGIONS.items() for d in ds}
    top = [(COUNTRY, 1, "Country", "", "", "")]
    top += [(r, 2, "Region", COUNTRY, r, "") for r in REGIONS]
    top += [(f"{d} District", 3, "District", region_of[d], region_of[d], d) for d in DISTRICTS]
    upper = pd.DataFrame(
        top, columns=["name", "level", "level_name", "parent", "region", "district"]
    )
    upper["org_unit_id"] = uids[: len(upper)]
    id_of = dict(zip(upper["name"], upper["org_unit_id"], strict=True))
    upper["parent_id"] = upper["parent"].map(id_of).fillna("")

    # Facilities: one row per facility, districts in order, types in order.
    long = counts.melt(id_vars="district", var_name="facility_type", value_name="n")
    long["district_order"] = long["district"].map({d: i for i, d in enumerate(DISTRICTS)})
    long["type_order"] = long["facility_type"].map({t: i for i, t in enumerate(FACILITY_TYPES)})
    long = long.sort_values(["district_order", "type_order"], kind="stable")
    fac = long.loc[long.index.repeat(long["n"])].reset_index(drop=True)
    fac = fac[["district", "facility_type"]].copy()
    ftype = fac["facility_type"].to_numpy()
    is_hosp = ftype == "hospital"

    names = _names(rng, int((~is_hosp).sum()))
    label = fac["facility_type"].map(TYPE_LABEL).to_numpy()
    full = np.empty(n_fac, dtype=object)
    full[~is_hosp] = np.char.add(names, label[~is_hosp].astype(str))
    hosp_district = fac["district"].to_numpy()[is_hosp].astype(str)
    hosp_rank = fac.loc[is_hosp].groupby("district").cumcount().to_numpy()
    hosp_names = np.where(
        hosp_rank == 0,
        np.char.add(hosp_district, " District Hospital"),
        np.char.add(np.char.add(hosp_district, " Hospital "), (hosp_rank + 1).astype(str)),
    )
    full[is_hosp] = hosp_names
    fac["name"] = full.astype(str)

    # Urban share by type; catchment population (2023) lognormal within the type's range.
    p_urban = fac["facility_type"].map(
        {"hospital": 1.0, "health_centre": 0.4, "health_post": 0.1, "community_clinic": 0.1}
    )
    fac["urban_rural"] = np.where(rng.random(n_fac) < p_urban.to_numpy(), "urban", "rural")
    med = fac["facility_type"].map({t: v[0] for t, v in CATCHMENT.items()}).to_numpy()
    lo = fac["facility_type"].map({t: v[1] for t, v in CATCHMENT.items()}).to_numpy()
    hi = fac["facility_type"].map({t: v[2] for t, v in CATCHMENT.items()}).to_numpy()
    pop = np.clip(med * np.exp(rng.normal(0, 0.3, n_fac)), lo, hi)
    fac["catchment_population"] = np.round(pop, -1).astype(int)
    opened_lo = fac["facility_type"].map(
        {"hospital": 1958, "health_centre": 1970, "health_post": 1985, "community_clinic": 2000}
    )
    opened_hi = fac["facility_type"].map(
        {"hospital": 1990, "health_centre": 2010, "health_post": 2018, "community_clinic": 2022}
    )
    fac["opened_year"] = rng.integers(opened_lo.to_numpy(), opened_hi.to_numpy() + 1)

    fac["org_unit_id"] = uids[len(upper) :]
    fac["level"] = 4
    fac["level_name"] = "Facility"
    fac["region"] = fac["district"].map(region_of)
    fac["parent_id"] = fac["district"].map(lambda d: id_of[f"{d} District"])

    # District catchment = sum of its facilities' catchments.
    dist_pop = fac.groupby("district")["catchment_population"].sum()
    upper["catchment_population"] = upper["district"].map(dist_pop)
    reg_pop = fac.groupby("region")["catchment_population"].sum()
    is_region = upper["level"] == 2
    upper.loc[is_region, "catchment_population"] = upper.loc[is_region, "region"].map(reg_pop)
    upper.loc[upper["level"] == 1, "catchment_population"] = fac["catchment_population"].sum()
    upper["facility_type"] = ""
    upper["urban_rural"] = ""
    upper["opened_year"] = pd.NA

    cols = [
        "org_unit_id", "name", "level", "level_name", "parent_id", "region", "district",
        "facility_type", "urban_rural", "catchment_population", "opened_year",
    ]  # fmt: skip
    out = pd.concat([upper[cols], fac[cols]], ignore_index=True)
    out["catchment_population"] = out["catchment_population"].astype("Int64")
    out["opened_year"] = out["opened_year"].astype("Int64")
    return out


def facilities_of(units: pd.DataFrame) -> pd.DataFrame:
    """Only the facility rows (level 4), index reset."""
    return units.loc[units["level"] == 4].reset_index(drop=True)


def population(units: pd.DataFrame, years: Sequence[int] = (2023, 2024, 2025)) -> pd.DataFrame:
    """Official population and target groups for facilities and districts, by year.

    Projection: catchment (2023) x (1 + 2.5 %) ** (year - 2023), then the rates in
    :data:`RATES`. Counts are rounded to whole people. On purpose, the official
    figures for :data:`LOW_DENOMINATOR_DISTRICT` (district and its facilities) come
    from a wrong projection that is too low, so coverage there goes above 100 %.
    """
    fac = facilities_of(units)
    dist = units.loc[units["level"] == 3]
    base = pd.concat(
        [
            fac[["org_unit_id", "district", "catchment_population"]],
            dist[["org_unit_id", "district", "catchment_population"]],
        ],
        ignore_index=True,
    )
    years = np.asarray(years)
    rows = base.loc[base.index.repeat(len(years))].reset_index(drop=True)
    rows["year"] = np.tile(years, len(base))
    total = rows["catchment_population"].to_numpy(float) * (1 + GROWTH) ** (rows["year"] - 2023)
    wrong = rows["district"].to_numpy() == LOW_DENOMINATOR_DISTRICT
    total = np.where(wrong, total * LOW_DENOMINATOR_FACTOR, total)
    rows["total_population"] = np.round(total).astype(int)
    births = rows["total_population"] * RATES["live_births"]
    rows["expected_pregnancies"] = np.round(births * PREGNANCY_FACTOR).astype(int)
    rows["live_births"] = np.round(births).astype(int)
    rows["surviving_infants"] = np.round(rows["total_population"] * RATES["surviving_infants"])
    rows["surviving_infants"] = rows["surviving_infants"].astype(int)
    rows["under5"] = np.round(rows["total_population"] * RATES["under5"]).astype(int)
    cols = [
        "org_unit_id", "year", "total_population", "expected_pregnancies", "live_births",
        "surviving_infants", "under5",
    ]  # fmt: skip
    return rows[cols]


def true_population(units: pd.DataFrame, district: str, year: int) -> int:
    """The real (not the official) total population of a district in a year."""
    row = units.loc[(units["level"] == 3) & (units["district"] == district)].iloc[0]
    return int(round(row["catchment_population"] * (1 + GROWTH) ** (year - 2023)))
