"""The same data in the shapes DHIS2 gives when you download it.

``datavalueset.csv`` follows the DHIS2 data value set CSV format (DHIS2
Developer Manual, "Data values: CSV format"); ``pivot.csv`` and ``pivot.xlsx``
look like an export from the DHIS2 Data Visualizer pivot table. All three hold
one district and one year so they stay small.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from phcpm.synth._io import stream, write_csv
from phcpm.synth.services import DATA_ELEMENTS

DHIS2_DISTRICT = "Ruvo"
DHIS2_YEAR = "2025"
#: UID of DHIS2's built-in "default" category option combination.
DEFAULT_COC = "HllvX50cXC0"
#: Fixed creation date written into the workbook, so the file never changes.
XLSX_CREATED = dt.datetime(2026, 1, 20, 8, 0, 0)


def _subset(sd: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    fac = units.loc[(units["level"] == 4) & (units["district"] == DHIS2_DISTRICT)]
    keep = sd["org_unit_id"].astype(str).isin(fac["org_unit_id"]) & sd["period"].astype(
        str
    ).str.startswith(DHIS2_YEAR)
    sub = sd.loc[keep].drop_duplicates(["org_unit_id", "period", "data_element"])
    return sub.reset_index(drop=True)


def datavalueset(
    sd: pd.DataFrame, units: pd.DataFrame, elements: pd.DataFrame, reports: pd.DataFrame, seed: int
) -> pd.DataFrame:
    """Service data of one district and year as a DHIS2 data value set (CSV columns)."""
    rng = stream(seed, "dhis2")
    sub = _subset(sd, units)
    uid = elements.set_index("data_element")["uid"]
    district = units.set_index("org_unit_id")["district"]
    submitted = reports.set_index(["org_unit_id", "period"])["submitted_on"]
    org = sub["org_unit_id"].astype(str)
    period = sub["period"].astype(str)
    day = submitted.reindex(pd.MultiIndex.from_arrays([org, period])).to_numpy()
    secs = rng.integers(7 * 3600, 17 * 3600, len(sub))
    stamp = pd.to_datetime(day) + pd.to_timedelta(secs, unit="s")
    user = (
        org.map(district).str.lower()
        + ".records"
        + (org.map({u: i % 3 + 1 for i, u in enumerate(org.unique())}).astype(str).str.zfill(2))
    )
    return pd.DataFrame(
        {
            "dataelement": sub["data_element"].astype(str).map(uid).to_numpy(),
            "period": period.str.replace("-", "").to_numpy(),
            "orgunit": org.to_numpy(),
            "categoryoptioncombo": DEFAULT_COC,
            "attributeoptioncombo": DEFAULT_COC,
            "value": sub["value"].to_numpy(),
            "storedby": user.to_numpy(),
            "lastupdated": stamp.strftime("%Y-%m-%dT%H:%M:%S.000").to_numpy(),
            "comment": "",
            "followup": "false",
        }
    )


def pivot(sd: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Service data of one district and year as a DHIS2 pivot table export (names, not codes)."""
    sub = _subset(sd, units)
    names = {c: n for c, n, _, _ in DATA_ELEMENTS}
    fac_name = units.set_index("org_unit_id")["name"]
    per = pd.PeriodIndex(sub["period"].astype(str), freq="M")
    out = pd.DataFrame(
        {
            "Data": sub["data_element"].astype(str).map(names).to_numpy(),
            "Period": per.strftime("%B %Y"),
            "Organisation unit": sub["org_unit_id"].astype(str).map(fac_name).to_numpy(),
            "Value": sub["value"].to_numpy(),
        }
    )
    order = np.lexsort(
        (sub["org_unit_id"].cat.codes, sub["period"].cat.codes, sub["data_element"].cat.codes)
    )
    return out.iloc[order].reset_index(drop=True)


def write_pivot_xlsx(table: pd.DataFrame, path: Path) -> None:
    """Write the pivot export as DHIS2 does: title rows above the header, one sheet."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    wb.set_properties({"title": "PHC monthly data", "author": "DHIS2", "created": XLSX_CREATED})
    ws = wb.add_worksheet("Data")
    bold = wb.add_format({"bold": True})
    ws.write(0, 0, f"PHC monthly data, {DHIS2_DISTRICT} District, {DHIS2_YEAR}", bold)
    ws.write(1, 0, "Data; Period; Organisation unit")
    for j, col in enumerate(table.columns):
        ws.write(3, j, col, bold)
    for j, col in enumerate(table.columns):
        values = table[col].tolist()
        ws.write_column(4, j, values)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 36)
    wb.close()


def write_all(out: Path, sd, units, elements, reports, seed: int) -> None:
    """Write ``dhis2/datavalueset.csv``, ``dhis2/pivot.csv`` and ``dhis2/pivot.xlsx``."""
    folder = out / "dhis2"
    write_csv(datavalueset(sd, units, elements, reports, seed), folder / "datavalueset.csv")
    table = pivot(sd, units)
    write_csv(table, folder / "pivot.csv")
    write_pivot_xlsx(table, folder / "pivot.xlsx")
