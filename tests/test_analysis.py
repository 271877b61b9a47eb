"""Checks of phcpm.analysis against hand-worked numbers (arithmetic in the comments)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from phcpm import InputError
from phcpm import analysis as a


def long(rows, start="2024-01"):
    """rows: (org_unit, month offset, data element, value)."""
    base = pd.Period(start, freq="M")
    return pd.DataFrame(
        {
            "org_unit": [r[0] for r in rows],
            "period": [base + r[1] for r in rows],
            "data_element": [r[2] for r in rows],
            "value": [float(r[3]) if r[3] is not None else np.nan for r in rows],
        }
    )


POPULATION = pd.DataFrame(
    {
        "org_unit": ["Kilima HC", "Mto HC"],
        "year": [2024, 2024],
        "group": "surviving_infants",
        "value": [1200.0, 0.0],
    }
)


def test_monthly_target_is_annual_over_twelve():
    # WHO Immunization in practice (2015), Module 6: monthly target = annual / 12.
    # 1200 / 12 = 100.
    out = a.monthly_target(POPULATION, "surviving_infants").set_index("org_unit")
    assert out.loc["Kilima HC", "monthly"] == 100.0
    with pytest.raises(InputError, match="no rows for 'pregnancies'"):
        a.monthly_target(POPULATION, "pregnancies")


def test_coverage_monthly_and_annual():
    data = long(
        [
            ("Kilima HC", 0, "PENTA3", 90),
            ("Kilima HC", 1, "PENTA3", 110),
            ("Mto HC", 0, "PENTA3", 30),
        ]
    )
    # Kilima Jan: 90 / (1200 / 12) * 100 = 90 %; Feb: 110 / 100 * 100 = 110 %.
    # Mto: target 0 -> NaN with a flag, not a crash.
    out = a.coverage(data, POPULATION, "PENTA3", "surviving_infants")
    assert out["value"].iloc[:2].tolist() == pytest.approx([90.0, 110.0])
    assert np.isnan(out["value"].iloc[2])
    assert out["flag"].iloc[2] == a.NO_DENOMINATOR
    # Annual: (90 + 110) / 1200 * 100 = 16.666667 % (only two months reported).
    year = a.coverage(data, POPULATION, "PENTA3", "surviving_infants", freq="Y")
    assert year.set_index("org_unit").loc["Kilima HC", "value"] == pytest.approx(200 / 12)


def test_indicator_zero_denominator_flag():
    data = long(
        [
            ("Kilima HC", 0, "ANC4", 30),
            ("Kilima HC", 0, "ANC1", 40),
            ("Mto HC", 0, "ANC4", 5),
            ("Mto HC", 0, "ANC1", 0),
        ]
    )
    # Kilima: 30 / 40 * 100 = 75 %. Mto: ANC1 = 0 -> NaN, flagged.
    out = a.indicator(data, "ANC4", "ANC1").set_index("org_unit")
    assert out.loc["Kilima HC", "value"] == 75.0
    assert np.isnan(out.loc["Mto HC", "value"])
    assert out.loc["Mto HC", "flag"] == a.NO_DENOMINATOR


def test_dropout_rate_who_formula():
    data = long(
        [
            ("Kilima HC", 0, "PENTA1", 100),
            ("Kilima HC", 0, "PENTA3", 85),
            ("Mto HC", 0, "PENTA1", 100),
            ("Mto HC", 0, "PENTA3", 95),
            ("Bonde HC", 0, "PENTA1", 100),
            ("Bonde HC", 0, "PENTA3", 105),
            ("Ziwa HC", 0, "PENTA1", 0),
            ("Ziwa HC", 0, "PENTA3", 4),
        ]
    )
    # (PENTA1 - PENTA3) / PENTA1 * 100:
    # Kilima (100 - 85) / 100 = 15 % > 10 %: high. Mto 5 %: no flag.
    # Bonde (100 - 105) / 100 = -5 %: negative, a data problem. Ziwa: PENTA1 = 0: NaN.
    out = a.dropout_rate(data).set_index("org_unit")
    assert out.loc["Kilima HC", "value"] == 15.0
    assert out.loc["Kilima HC", "flag"] == "high dropout"
    assert out.loc["Mto HC", "value"] == 5.0
    assert out.loc["Mto HC", "flag"] == ""
    assert out.loc["Bonde HC", "value"] == -5.0
    assert out.loc["Bonde HC", "flag"].startswith("negative dropout")
    assert np.isnan(out.loc["Ziwa HC", "value"])
    assert out.loc["Ziwa HC", "flag"] == a.NO_DENOMINATOR


ORG_UNITS = pd.DataFrame(
    {
        "org_unit_id": ["R1", "D1", "D2", "F1", "F2", "F3"],
        "name": ["Nyanda Region", "Kati District", "Pwani District", "Kilima", "Mto", "Bonde"],
        "level": ["region", "district", "district", "facility", "facility", "facility"],
        "parent_id": [None, "R1", "R1", "D1", "D1", "D2"],
    }
)


def test_aggregate_up_sums_counts_and_keeps_all_missing_missing():
    data = long(
        [
            ("F1", 0, "ANC1", 10),
            ("F2", 0, "ANC1", 15),
            ("F3", 0, "ANC1", 7),
            ("F1", 1, "ANC1", None),
            ("F2", 1, "ANC1", None),
            ("F3", 1, "ANC1", 4),
        ]
    )
    # Districts, January: Kati = 10 + 15 = 25 (2 units), Pwani = 7.
    # February: Kati has only missing values -> missing, 0 units; Pwani = 4.
    d = a.aggregate_up(data, ORG_UNITS, "district").set_index(["org_unit", "period"])
    jan, feb = pd.Period("2024-01", freq="M"), pd.Period("2024-02", freq="M")
    assert d.loc[("D1", jan), "value"] == 25.0
    assert d.loc[("D1", jan), "reporting_units"] == 2
    assert np.isnan(d.loc[("D1", feb), "value"])
    assert d.loc[("D1", feb), "reporting_units"] == 0
    assert d.loc[("D2", feb), "name"] == "Pwani District"
    # Region, January: 10 + 15 + 7 = 32; February: 4.
    r = a.aggregate_up(data, ORG_UNITS, "region").set_index("period")["value"]
    assert r.tolist() == [32.0, 4.0]
    before = data.copy()
    a.aggregate_up(data, ORG_UNITS, "region")
    pd.testing.assert_frame_equal(data, before)


def test_aggregate_up_explains_unknown_units_and_levels():
    data = long([("F9", 0, "ANC1", 1)])
    with pytest.raises(InputError, match="F9"):
        a.aggregate_up(data, ORG_UNITS, "district")
    with pytest.raises(InputError, match="no level 'province'"):
        a.aggregate_up(long([("F1", 0, "ANC1", 1)]), ORG_UNITS, "province")


def test_rank_units_with_ties_and_benchmark():
    table = pd.DataFrame({"org_unit": list("ABCDE"), "value": [50.0, 80.0, 80.0, 20.0, np.nan]})
    out = a.rank_units(table).set_index("org_unit")
    # Ranks, best first, ties share the better rank: B = C = 1, A = 3, D = 4; E no rank.
    assert out["rank"].iloc[:4].tolist() == [3, 1, 1, 4]
    assert pd.isna(out.loc["E", "rank"])
    # Quartile = ceil(rank / n * 4), n = 4: B, C -> 1; A -> 3; D -> 4.
    assert out["quartile"].iloc[:4].tolist() == [3, 1, 1, 4]
    # 90th percentile of 20, 50, 80, 80 (linear): position 0.9 * 3 = 2.7 -> 80.
    assert out.loc["A", "benchmark"] == 80.0
    assert out.loc["A", "gap_to_benchmark"] == 30.0
    # Lower is better: D (20) is first; 10th percentile: position 0.3 -> 20 + 0.3 * 30 = 29.
    low = a.rank_units(table, higher_is_better=False).set_index("org_unit")
    assert low.loc["D", "rank"] == 1
    assert low.loc["D", "benchmark"] == pytest.approx(29.0)


def test_rank_units_within_groups():
    table = pd.DataFrame(
        {"district": ["K", "K", "P", "P"], "org_unit": list("ABCD"), "value": [1.0, 2, 3, 4]}
    )
    out = a.rank_units(table, by=["district"])
    assert out["rank"].tolist() == [2, 1, 2, 1]


def test_year_on_year_same_months():
    data = long(
        [
            ("Kilima HC", 0, "ANC1", 100),  # Jan 2023
            ("Kilima HC", 1, "ANC1", 100),  # Feb 2023
            ("Kilima HC", 6, "ANC1", 999),  # Jul 2023: no July yet in 2024
            ("Kilima HC", 12, "ANC1", 120),  # Jan 2024
            ("Kilima HC", 13, "ANC1", 130),  # Feb 2024
        ],
        start="2023-01",
    )
    # Year to date (Jan-Feb): 2023 = 200, 2024 = 250; change = 50 / 200 * 100 = 25 %.
    out = a.year_on_year(data).set_index("year")
    assert out.loc[2024, "value"] == 250
    assert out.loc[2024, "previous"] == 200
    assert out.loc[2024, "change_pct"] == 25.0
    assert out.loc[2023, "flag"] == "no previous year"
    # Whole years: 2023 = 1199, change = (250 - 1199) / 1199 * 100.
    whole = a.year_on_year(data, same_months=False).set_index("year")
    assert whole.loc[2024, "change_pct"] == pytest.approx((250 - 1199) / 1199 * 100)
