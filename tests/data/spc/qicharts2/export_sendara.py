"""Write the Sendara series used in the qicharts2 comparison (``sendara_*.csv``).

Each series is one of the worked examples of the module on run and control
charts, built from the synthetic district data exactly as the lessons build
it. Run from the repository root::

    python tests/data/spc/qicharts2/export_sendara.py

``tests/test_spc_qicharts2.py`` checks that the committed files still equal
what this script writes, so the comparison follows the lessons' data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from phcpm import spc
from phcpm.paths import dataset_path

HERE = Path(__file__).parent


def series() -> dict[str, pd.DataFrame]:
    """The Sendara series, by file stem."""
    service = pd.read_csv(dataset_path("service_data.csv"))
    units = pd.read_csv(dataset_path("org_units.csv"))
    facility = dict(zip(units["name"], units["org_unit_id"], strict=True))
    out: dict[str, pd.DataFrame] = {}

    anc = spc.monthly_series(service, facility["Ngonyira Valley Health Centre"], "ANC1")
    out["sendara_anc1"] = pd.DataFrame({"month": anc["period"], "visits": anc["y"]})

    tested = spc.monthly_series(
        service, facility["Tipindi Lake Health Centre"], "MAL_TESTED", "MAL_SUSPECTED"
    )
    out["sendara_malaria_tested"] = pd.DataFrame(
        {"month": tested["period"], "tested": tested["y"], "suspected": tested["n"]}
    )

    kavira_ids = units.loc[units["district"] == "Kavira", "org_unit_id"]
    kavira = (
        service[service["org_unit_id"].isin(kavira_ids)]
        .drop_duplicates()
        .pivot_table(index="period", columns="data_element", values="value", aggfunc="sum")
    )
    out["sendara_kavira_malaria"] = pd.DataFrame(
        {
            "month": kavira.index,
            "tested": kavira["MAL_TESTED"].to_numpy(),
            "suspected": kavira["MAL_SUSPECTED"].to_numpy(),
        }
    )

    # Funnel: every Kavira facility in the last month (categorical x).
    last = service["period"].max()
    month = (
        service[service["org_unit_id"].isin(kavira_ids) & (service["period"] == last)]
        .drop_duplicates()
        .pivot_table(index="org_unit_id", columns="data_element", values="value", aggfunc="sum")
        .dropna(subset=["MAL_TESTED", "MAL_SUSPECTED", "MAL_CONFIRMED", "OPD_TOTAL"])
    )
    names = units.set_index("org_unit_id")["name"]
    out["sendara_kavira_funnel"] = pd.DataFrame(
        {
            "facility": names.loc[month.index].to_numpy(),
            "tested": month["MAL_TESTED"].to_numpy(),
            "suspected": month["MAL_SUSPECTED"].to_numpy(),
            "confirmed": month["MAL_CONFIRMED"].to_numpy(),
            "opd_visits": month["OPD_TOTAL"].to_numpy(),
        }
    ).sort_values("facility", kind="mergesort")

    ruvo_ids = units.loc[units["district"] == "Ruvo", "org_unit_id"]
    act = (
        service[
            service["org_unit_id"].isin(ruvo_ids) & (service["data_element"] == "STOCKOUT_DAYS_ACT")
        ]
        .drop_duplicates()
        .sort_values(["period", "org_unit_id"])
    )
    gaps = spc.cases_between(act["value"] > 0)
    out["sendara_act_stockout_gaps"] = pd.DataFrame(
        {"stockout": np.arange(1, len(gaps) + 1), "reports_between": gaps}
    )

    flow = pd.read_csv(dataset_path("patient_flow.csv"), parse_dates=["arrival", "consultation"])
    ndulembe = flow[flow["org_unit_id"] == facility["Ndulembe Valley Health Centre"]].sort_values(
        "arrival", kind="mergesort"
    )
    wait = (ndulembe["consultation"] - ndulembe["arrival"]).dt.total_seconds() / 60
    out["sendara_waiting_times"] = pd.DataFrame(
        {
            "patient": np.arange(1, len(wait) + 1),
            "group": np.arange(len(wait)) // 8 + 1,
            "minutes": wait.to_numpy(),
        }
    )

    measure = pd.read_csv(dataset_path("pdsa_measure.csv"))
    first = measure[measure["project"] == measure["project"].iloc[0]]
    out["sendara_pdsa_measure"] = pd.DataFrame(
        {
            "week": np.arange(1, len(first) + 1),
            "numerator": first["numerator"].to_numpy(),
            "denominator": first["denominator"].to_numpy(),
        }
    )
    return out


def main() -> None:
    for stem, frame in series().items():
        frame = frame.convert_dtypes()  # whole numbers written without ".0"
        frame.to_csv(HERE.parent / f"{stem}.csv", index=False, lineterminator="\n")
        print(f"{stem}.csv: {len(frame)} rows")


if __name__ == "__main__":
    main()
