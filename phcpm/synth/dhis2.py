"""The same data in the shapes DHIS2 gives when you download it.

All files hold one district and one year so they stay small, and all hold the
same values, so a lesson can show that each layout becomes the same tidy table:

* ``datavalueset.csv``: a data value set, CSV (DHIS2 Developer Manual, "Data
  values"); ``datavalueset_short.csv`` the same with DHIS2's short headings
  (``de,pe,ou,coc,aoc,value``); ``datavalueset.json`` the same in JSON.
* ``pivot.csv``, ``pivot.xlsx`` and ``pivot.xls``: the Data Visualizer's plain
  data source download (``Data, Period, Organisation unit, Value``), the Excel
  files with title rows above the table (``.xls`` is the older Excel format
  that many DHIS2 versions still download).
* ``pivot_table_layout.csv``: a pivot table downloaded with its metadata
  columns (``periodid, periodname, ..., orgunitlevel1-3, organisationunitid,
  organisationunitname, ...``) and one column per data element (DHIS2
  Developer Manual, "Analytics", table layout).
* ``pivot_periods_as_columns.csv``: a pivot table with the months as columns.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from phcpm.synth._io import stream, write_csv
from phcpm.synth.services import DATA_ELEMENTS

__all__ = [
    "DEFAULT_COC",
    "DHIS2_DISTRICT",
    "DHIS2_YEAR",
    "FILES",
    "README_LINES",
    "RESOURCES",
    "XLSX_CREATED",
    "datavalueset",
    "datavalueset_json",
    "pivot",
    "pivot_periods_as_columns",
    "pivot_table_layout",
    "pivot_xls_bytes",
    "short_headings",
    "write_all",
    "write_pivot_xlsx",
]

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


def _count_text(values: pd.Series) -> pd.Series:
    """Counts as text, empty where there is no value (as DHIS2 writes them)."""
    return values.map(lambda v: "" if pd.isna(v) else str(int(v)))


def _fac_units(units: pd.DataFrame) -> pd.DataFrame:
    return units.loc[(units["level"] == 4) & (units["district"] == DHIS2_DISTRICT)].set_index(
        "org_unit_id"
    )


def pivot_table_layout(sd: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The pivot table downloaded with its metadata columns: one row per month and
    facility, one column per data element (names), hierarchy as orgunitlevel1-3."""
    sub = _subset(sd, units)
    names = {c: n for c, n, _, _ in DATA_ELEMENTS}
    fac = _fac_units(units)
    country = units.loc[units["level"] == 1, "name"].iloc[0]
    wide = sub.assign(
        org=sub["org_unit_id"].astype(str),
        pe=sub["period"].astype(str),
        de=sub["data_element"].astype(str),
    ).pivot(index=["pe", "org"], columns="de", values="value")
    order = [c for c, _, _, _ in DATA_ELEMENTS if c in wide.columns]
    wide = wide[order].sort_index()
    pe = wide.index.get_level_values("pe")
    org = wide.index.get_level_values("org")
    per = pd.PeriodIndex(pe, freq="M")
    out = pd.DataFrame(
        {
            "periodid": per.strftime("%Y%m"),
            "periodname": per.strftime("%B %Y"),
            "periodcode": per.strftime("%Y%m"),
            "perioddescription": "",
            "orgunitlevel1": country,
            "orgunitlevel2": fac["region"].reindex(org).to_numpy(),
            "orgunitlevel3": fac["district"].reindex(org).to_numpy(),
            "organisationunitid": org,
            "organisationunitname": fac["name"].reindex(org).to_numpy(),
            "organisationunitcode": "",
            "organisationunitdescription": "",
        }
    )
    for code in order:
        out[names[code]] = _count_text(wide[code]).to_numpy()
    return out


def pivot_periods_as_columns(sd: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The pivot table with the months as columns: one row per data element and facility."""
    sub = _subset(sd, units)
    names = {c: n for c, n, _, _ in DATA_ELEMENTS}
    fac = _fac_units(units)
    wide = sub.assign(
        org=sub["org_unit_id"].astype(str),
        pe=sub["period"].astype(str),
        de=sub["data_element"].astype(str),
    ).pivot(index=["de", "org"], columns="pe", values="value")
    order = [c for c, _, _, _ in DATA_ELEMENTS]
    rank = {c: i for i, c in enumerate(order)}
    wide = wide.loc[sorted(wide.index, key=lambda k: (rank[k[0]], k[1]))]
    months = sorted(wide.columns)
    out = pd.DataFrame(
        {
            "Data": [names[d] for d in wide.index.get_level_values("de")],
            "Organisation unit ID": wide.index.get_level_values("org"),
            "Organisation unit": fac["name"].reindex(wide.index.get_level_values("org")).to_numpy(),
        }
    )
    for month in months:
        label = pd.Period(month, freq="M").strftime("%B %Y")
        out[label] = _count_text(wide[month]).to_numpy()
    return out


def short_headings(dvs: pd.DataFrame) -> pd.DataFrame:
    """The data value set with DHIS2's short headings (de, pe, ou, coc, aoc, value)."""
    cols = ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo"]
    out = dvs[cols + ["value"]].copy()
    out.columns = ["de", "pe", "ou", "coc", "aoc", "value"]
    return out


def datavalueset_json(dvs: pd.DataFrame) -> str:
    """The data value set as DHIS2's JSON (``{"dataValues": [...]}``); values as text."""
    values = [
        {
            "dataElement": r.dataelement,
            "period": r.period,
            "orgUnit": r.orgunit,
            "categoryOptionCombo": r.categoryoptioncombo,
            "attributeOptionCombo": r.attributeoptioncombo,
            "value": str(r.value),
            "storedBy": r.storedby,
            "lastUpdated": r.lastupdated,
            "followup": False,
        }
        for r in dvs.itertuples(index=False)
    ]
    return json.dumps({"dataValues": values}, separators=(",", ":"), ensure_ascii=False) + "\n"


def pivot_xls_bytes(table: pd.DataFrame) -> bytes:
    """The plain data source as an old-style Excel file (.xls) with title rows.

    Written with xlwt, which stores no date or author in the file, so the same
    table gives the same bytes."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Data")
    ws.write(0, 0, f"PHC monthly data, {DHIS2_DISTRICT} District, {DHIS2_YEAR}")
    ws.write(1, 0, "Data; Period; Organisation unit")
    for j, col in enumerate(table.columns):
        ws.write(3, j, col)
    for i, row in enumerate(table.itertuples(index=False), start=4):
        for j, value in enumerate(row):
            ws.write(i, j, int(value) if j == len(row) - 1 else str(value))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


#: Files written into ``dhis2/``, in order.
FILES = (
    "datavalueset.csv",
    "datavalueset_short.csv",
    "datavalueset.json",
    "pivot.csv",
    "pivot.xlsx",
    "pivot.xls",
    "pivot_table_layout.csv",
    "pivot_periods_as_columns.csv",
)


def write_all(
    out: Path,
    sd: pd.DataFrame,
    units: pd.DataFrame,
    elements: pd.DataFrame,
    reports: pd.DataFrame,
    seed: int,
) -> None:
    """Write every file of :data:`FILES` into ``dhis2/``."""
    folder = out / "dhis2"
    dvs = datavalueset(sd, units, elements, reports, seed)
    write_csv(dvs, folder / "datavalueset.csv")
    write_csv(short_headings(dvs), folder / "datavalueset_short.csv")
    (folder / "datavalueset.json").write_text(datavalueset_json(dvs), encoding="utf-8")
    table = pivot(sd, units)
    write_csv(table, folder / "pivot.csv")
    write_pivot_xlsx(table, folder / "pivot.xlsx")
    (folder / "pivot.xls").write_bytes(pivot_xls_bytes(table))
    write_csv(pivot_table_layout(sd, units), folder / "pivot_table_layout.csv")
    write_csv(pivot_periods_as_columns(sd, units), folder / "pivot_periods_as_columns.csv")


def _field(name, type_, description, required=False, **constraints):
    """A field description, in the form of the data dictionary (see ``docs``)."""
    return {
        "name": name,
        "type": type_,
        "description": description,
        "unit": "",
        "required": required,
        "constraints": constraints,
    }


_UID = {"pattern": "^[A-Za-z][A-Za-z0-9]{10}$"}
_MONTH_NAMES = [
    pd.Period(f"{DHIS2_YEAR}-{m:02d}", freq="M").strftime("%B %Y") for m in range(1, 13)
]

#: Descriptions of the CSV files added to the data dictionary and the data package.
RESOURCES: dict[str, dict] = {
    "dhis2/datavalueset_short.csv": {
        "title": "DHIS2 data value set with short headings",
        "description": "The data value set of dhis2/datavalueset.csv with DHIS2's short headings "
        "(de, pe, ou, coc, aoc, value) and without the columns saying who typed each value. "
        "dhis2/datavalueset.json holds the same values as a DHIS2 JSON data value set.",
        "primaryKey": None,
        "fields": [
            _field("de", "string", "Data element UID", required=True, **_UID),
            _field("pe", "string", "Month, YYYYMM", required=True, pattern="^[0-9]{6}$"),
            _field("ou", "string", "Facility UID", required=True, **_UID),
            _field("coc", "string", "Category option combination (default)", required=True),
            _field("aoc", "string", "Attribute option combination (default)", required=True),
            _field("value", "integer", "The value", required=True),
        ],
    },
    "dhis2/pivot_table_layout.csv": {
        "title": "DHIS2 pivot table download with metadata columns",
        "description": "The same data as a DHIS2 pivot table downloaded with its metadata "
        "columns: one row per month and facility, the period and facility described by "
        "several columns, the hierarchy above the facility, then one column per data element. "
        "An empty cell means no value was reported.",
        "primaryKey": None,
        "fields": [
            _field("periodid", "string", "Month, YYYYMM", required=True),
            _field("periodname", "string", "Month as a name, e.g. 'January 2025'", required=True),
            _field("periodcode", "string", "Month, YYYYMM", required=True),
            _field("perioddescription", "string", "Description of the period (empty)"),
            _field("orgunitlevel1", "string", "Country (level 1 of the hierarchy)", required=True),
            _field("orgunitlevel2", "string", "Region (level 2)", required=True),
            _field("orgunitlevel3", "string", "District (level 3)", required=True),
            _field("organisationunitid", "string", "Facility UID", required=True, **_UID),
            _field("organisationunitname", "string", "Facility name", required=True),
            _field("organisationunitcode", "string", "Facility code (empty)"),
            _field("organisationunitdescription", "string", "Facility description (empty)"),
        ]
        + [
            _field(name, "integer", f"{name}: the month's value (empty: not reported)")
            for _, name, _, _ in DATA_ELEMENTS
        ],
    },
    "dhis2/pivot_periods_as_columns.csv": {
        "title": "DHIS2 pivot table download with the months as columns",
        "description": "The same data as a DHIS2 pivot table with the months as columns: one "
        "row per data element and facility. An empty cell means no value was reported.",
        "primaryKey": None,
        "fields": [
            _field("Data", "string", "Data element name", required=True),
            _field("Organisation unit ID", "string", "Facility UID", required=True, **_UID),
            _field("Organisation unit", "string", "Facility name", required=True),
        ]
        + [
            _field(month, "integer", f"Value for {month} (empty: not reported)")
            for month in _MONTH_NAMES
        ],
    },
}

#: Lines added to the data dictionary about the files that are not CSV.
README_LINES = [
    "### `dhis2/datavalueset.json`",
    "",
    'The data value set of `dhis2/datavalueset.csv` as DHIS2 writes it in JSON: `{"dataValues": '
    "[...]}`, one object per value with `dataElement`, `period`, `orgUnit`, "
    "`categoryOptionCombo`, `attributeOptionCombo`, `value`, `storedBy`, `lastUpdated` and "
    "`followup`.",
    "",
    "### `dhis2/pivot.xls`",
    "",
    "The pivot table of `dhis2/pivot.csv` in the older Excel format (.xls) that many DHIS2 "
    "versions still download: a title row, a row naming the dimensions, a blank row, then the "
    "header `Data, Period, Organisation unit, Value`.",
    "",
]
