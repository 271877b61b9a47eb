"""Write the DHIS2-shaped fixture files of this folder and their ``expected.json``.

Run from the repository root::

    .venv/bin/python tests/corpus/dhis2/make_fixtures.py

The tests never run this script: they read the committed files. It is kept so
that every file can be rebuilt byte for byte and so that the expected outcome of
each file is computed from the same records that were written into it, never from
what a reader makes of the file. ``README.md`` says where each shape comes from.

The old Excel format (.xls) is written with ``xlwt``, a package needed only here
(``pip install xlwt``); it is not in ``requirements.txt``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------
# A small, made-up slice of a DHIS2 instance (names in the style of the DHIS2
# demonstration database; every UID here is invented, 11 characters, first a letter)
# ---------------------------------------------------------------------------

BO = ("Qw3rTy7UiOp", "Bo Hospital", "10231", ("Sierra Leone", "Bo", "Kakua"))
NG = ("As5dFg2HjKl", "Ngelehun CHC", "10232", ("Sierra Leone", "Bo", "Badjia"))
GB = ("Zx9cVb4NmLk", "Gbenikoro MCHP", "10233", ("Sierra Leone", "Bo", "Tikonko"))
# Two facilities that share one name (different chiefdoms, different IDs).
KP1 = ("Kp1aB2cD3eF", "Kpetema MCHP", "10241", ("Sierra Leone", "Kenema", "Dodo"))
KP2 = ("Kp9zY8xW7vU", "Kpetema MCHP", "10242", ("Sierra Leone", "Tonkolili", "Kunike"))

OU_BY_ID = {ou[0]: ou for ou in (BO, NG, GB, KP1, KP2)}

ANC1 = ("Jtf34kNZhzP", "ANC 1st visit")
ANC4 = ("Xr4mKp2LwQa", "ANC 4th or more visits")
MEAS = ("Ym7nQz3RtSb", "Measles doses given")
MAL = ("Hq2wS9dLm4T", "Malaria cases confirmed")
YESNO = ("Bn5vC8xZ1aS", "Facility has running water")

COC_F = "pQ2wE8rT5yU"  # Female
COC_M = "mN6bV1cX3zL"  # Male
COC_DEFAULT = "HllvX50cXC0"  # the default category option combo of the DHIS2 demo database
AOC_DEFAULT = COC_DEFAULT
COC_NAMES = {COC_F: "Female", COC_M: "Male", COC_DEFAULT: "default"}
DATASET = "Rt6yU2iO9pA"

MONTH_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
# Month names as Java's locale data gives them for "MMMM yyyy" (DHIS2 formats
# period names with the user's locale): lower case in French, Portuguese, Spanish.
MONTH_FR = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
MONTH_PT = [
    "janeiro", "fevereiro", "março", "abril", "maio", "junho",
    "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
]  # fmt: skip
MONTH_ES = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
]  # fmt: skip


def month_name(code: str, names=MONTH_EN) -> str:
    """'202401' -> 'January 2024' (or the name in another language)."""
    return f"{names[int(code[4:]) - 1]} {code[:4]}"


def num(value: float) -> str:
    """A number as DHIS2 writes a stored value: no trailing '.0' for whole numbers."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# ---------------------------------------------------------------------------
# Writing helpers
# ---------------------------------------------------------------------------

EXPECTED: dict[str, dict] = {}


def csv_text(rows, *, delimiter=",", quoting=csv.QUOTE_MINIMAL, newline="\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerows(rows)
    return buffer.getvalue()


def write_bytes(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def write_text(name: str, text: str, encoding: str = "utf-8") -> None:
    write_bytes(name, text.encode(encoding))


def fixed_zip(path: Path) -> None:
    """Rewrite a zip (xlsx) with fixed entry dates, so the file is the same every run."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-03-01T08:00:00Z", data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 3, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


def new_workbook():
    import openpyxl

    book = openpyxl.Workbook()
    stamp = datetime(2024, 3, 1, 8, 0, 0)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "DHIS2"
    return book


def save_workbook(book, name: str) -> None:
    path = HERE / name
    book.save(path)
    fixed_zip(path)


def expect_data(
    name: str,
    layout: str,
    source: str,
    records: list[dict],
    spots: list[tuple],
    columns_present: list[str] | None = None,
    forbidden_values: list[float] | None = None,
) -> None:
    """Record the outcome of a file that must load: computed from the written records.

    ``records`` are the rows that must come out (one per value, dropped rows left
    out), each with keys ``ou``, ``pe``, ``de``, ``coc`` (or None) and ``value``.
    ``spots`` are keys ``(ou, pe, de, coc)``; ``de`` or ``coc`` None means "any".
    The spot value is the sum of the records matching the key. A list for ``de`` or
    ``coc`` gives labels that are equally right (a UID and the name the file gives it);
    the records hold the first.
    """
    spot_rows = []
    for ou, pe, de, coc in spots:
        matching = [
            r
            for r in records
            if r["ou"] == ou
            and r["pe"] == pe
            and (de is None or r["de"] == _first(de))
            and (coc is None or r["coc"] == _first(coc))
        ]
        assert matching, (name, ou, pe, de, coc)
        spot_rows.append([ou, pe, de, coc, sum(r["value"] for r in matching)])
    periods = {r["pe"] for r in records}
    forbidden = set(forbidden_values or []) | {float(p) for p in periods if p.isdigit()}
    assert not forbidden & {float(r["value"]) for r in records}, name
    EXPECTED[name] = {
        "layout": layout,
        "source": source,
        "outcome": "data",
        "rows": len(records),
        "total": sum(r["value"] for r in records),
        "org_units": len({r["ou"] for r in records}),
        "periods": len(periods),
        "data_elements": len({r["de"] for r in records}),
        "columns_present": sorted(columns_present or []),
        "forbidden_values": sorted(forbidden),
        "spot": spot_rows,
    }
    present = set(columns_present or [])
    units = sorted({r["ou"] for r in records})
    if "org_unit_name" in present:  # the file gives ID and name: the name rides along
        EXPECTED[name]["org_unit_names"] = {ou: OU_BY_ID[ou][1] for ou in units}
    if "orgunitlevel1" in present:  # and the hierarchy, level by level
        EXPECTED[name]["hierarchy"] = {ou: list(OU_BY_ID[ou][3]) for ou in units}


def expect_failure(name: str, layout: str, source: str, outcome: str, words) -> None:
    """A file that must be refused (InputError) or make the tool ask (NeedsMapping).

    ``words``: groups of words; the message must contain one word of every group
    (case does not matter).
    """
    EXPECTED[name] = {
        "layout": layout,
        "source": source,
        "outcome": outcome,
        "message_contains": words,
    }


def _first(label):
    return label[0] if isinstance(label, list) else label


def rec(ou, pe, de, coc, value) -> dict:
    return {"ou": ou, "pe": pe, "de": de, "coc": coc, "value": float(value)}


# ---------------------------------------------------------------------------
# 1. Data value sets, CSV
# ---------------------------------------------------------------------------

SRC_DVS_WRITER = (
    "dhis2-core CsvDataValueSetWriter (HEADER_ROW dataelement,period,orgunit,"
    "categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,"
    "followup,deleted; written with javacsv CsvWriter, quotes only where needed); "
    "Web API docs 'Reading data values' (GET /api/dataValueSets.csv)"
)


def dvs_records() -> list[dict]:
    """12 values: ANC 1st visit by sex (2 rows that differ only by COC), measles default."""
    out = []
    values = iter([14, 11, 9, 7, 30, 21, 16, 12, 8, 6, 25, 19])
    for ou in (BO, NG):
        for pe in ("202401", "202402"):
            out.append(rec(ou[0], pe, ANC1[0], COC_F, next(values)))
            out.append(rec(ou[0], pe, ANC1[0], COC_M, next(values)))
            out.append(rec(ou[0], pe, MEAS[0], COC_DEFAULT, next(values)))
    return out


def dvs_lowercase() -> None:
    name = "dvs_export_lowercase.csv"
    records = dvs_records()
    rows = [
        [
            "dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo",
            "value", "storedby", "lastupdated", "comment", "followup", "deleted",
        ]
    ]  # fmt: skip
    for i, r in enumerate(records):
        comment = "checked with register, ok" if i == 4 else ""
        rows.append(
            [
                r["de"], r["pe"], r["ou"], r["coc"], AOC_DEFAULT, num(r["value"]),
                "bo_data_clerk", f"2024-0{int(r['pe'][5]) + 1}-05T10:15:3{i % 10}.000",
                comment, "false", "false",
            ]
        )  # fmt: skip
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "data value set, CSV, DHIS2 export headings (lowercase)",
        SRC_DVS_WRITER,
        records,
        [
            (BO[0], "202401", ANC1[0], COC_F),
            (BO[0], "202401", ANC1[0], COC_M),
            (NG[0], "202402", MEAS[0], COC_DEFAULT),
        ],
        ["category_option_combo", "attribute_option_combo"],
    )


def dvs_camelcase() -> None:
    name = "dvs_camelcase.csv"
    records = dvs_records()
    rows = [
        [
            "dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo",
            "value", "storedBy", "lastUpdated", "comment", "followup",
        ]
    ]  # fmt: skip
    for r in records:
        rows.append(
            [r["de"], r["pe"], r["ou"], r["coc"], AOC_DEFAULT, num(r["value"]),
             "admin", "2024-03-01T09:00:00.000", "", "false"]
        )  # fmt: skip
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "data value set, CSV, camelCase headings",
        "field names of a data value in DHIS2's JSON/XML data value set format "
        "(Web API docs 'Sending data values'), as integration scripts write them in CSV",
        records,
        [
            (NG[0], "202401", ANC1[0], COC_F),
            (NG[0], "202401", ANC1[0], COC_M),
            (BO[0], "202402", MEAS[0], COC_DEFAULT),
        ],
        ["category_option_combo", "attribute_option_combo"],
    )


def dvs_optional_deleted() -> None:
    name = "dvs_optional_columns_deleted.csv"
    kept = dvs_records()[:9]
    deleted = [
        rec(NG[0], "202402", ANC1[0], COC_F, 40),
        rec(NG[0], "202402", ANC1[0], COC_M, 50),
        rec(NG[0], "202402", MEAS[0], COC_DEFAULT, 60),
    ]
    rows = [
        [
            "dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo",
            "value", "storedby", "created", "lastupdated", "comment", "followup", "deleted",
        ]
    ]  # fmt: skip
    for i, r in enumerate(kept[:5] + deleted[:2] + kept[5:] + deleted[2:]):
        is_deleted = r in deleted
        rows.append(
            [
                r["de"], r["pe"], r["ou"], r["coc"], AOC_DEFAULT, num(r["value"]),
                "admin", "2024-02-01T08:00:00.000", f"2024-02-0{1 + i % 8}T12:00:00.000",
                "entered twice, removed" if is_deleted else "",
                "true" if i == 2 else "false", "true" if is_deleted else "false",
            ]
        )  # fmt: skip
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "data value set, CSV, optional columns (created, followup, deleted) with deleted rows",
        SRC_DVS_WRITER + "; includeDeleted=true export (docs: values are softly deleted, "
        "'deleted' set to true); 'created' as in the JSON data value",
        kept,
        [
            (BO[0], "202401", ANC1[0], COC_M),
            (NG[0], "202401", MEAS[0], COC_DEFAULT),
            (BO[0], "202402", ANC1[0], COC_F),
        ],
        ["category_option_combo"],
        forbidden_values=[40.0, 50.0, 60.0],
    )


def dvs_short(name: str, heading: list[str], layout: str, extra=None) -> None:
    records = []
    values = iter([5, 3, 12, 6, 4, 10, 7, 2, 15, 9, 8, 11, 13, 1, 20, 4, 6, 18])
    for ou in (BO, NG, GB):
        for pe in ("2024Q1", "2024Q2"):
            records.append(rec(ou[0], pe, ANC1[0], COC_F, next(values)))
            records.append(rec(ou[0], pe, ANC1[0], COC_M, next(values)))
            records.append(rec(ou[0], pe, ANC4[0], COC_DEFAULT, next(values)))
    rows = [heading]
    for r in records:
        row = [r["de"], r["pe"], r["ou"], r["coc"]]
        if len(heading) > 5:
            row.append(AOC_DEFAULT)
        row.append(num(r["value"]))
        row.extend(extra or [])
        rows.append(row)
    write_text(name, csv_text(rows))
    expect_data(
        name,
        layout,
        "DHIS2's short dimension names for data element, period, org unit and option "
        "combos (Web API dataValues parameters de, pe, ou, co; analytics dimensions dx, "
        "pe, ou, co), as short-heading data value set files carry them",
        records,
        [
            (GB[0], "2024Q2", ANC1[0], COC_F),
            (GB[0], "2024Q2", ANC1[0], COC_M),
            (BO[0], "2024Q1", ANC4[0], COC_DEFAULT),
        ],
        ["category_option_combo"],
    )


def dvs_no_header() -> None:
    name = "dvs_no_heading.csv"
    records = dvs_records()
    rows = []
    for r in records:
        rows.append(
            [r["de"], r["pe"], r["ou"], r["coc"], AOC_DEFAULT, num(r["value"]),
             "admin", "2024-03-01T09:00:00.000", "", "false", "false"]
        )  # fmt: skip
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "data value set, CSV, no heading row (columns by position)",
        "dhis2-core CsvDataValueSetReader: column 0 data element, 1 period, 2 org unit, "
        "3 category option combo, 4 attribute option combo, 5 value, 6 stored by, "
        "7 last updated, 8 comment, 9 follow-up, 10 deleted; import option "
        "firstRowIsHeader=false",
        records,
        [
            (BO[0], "202402", ANC1[0], COC_F),
            (BO[0], "202402", ANC1[0], COC_M),
            (NG[0], "202401", MEAS[0], COC_DEFAULT),
        ],
        ["category_option_combo"],
    )


def dvs_quoted_padded() -> None:
    name = "dvs_quoted_padded_ids.csv"
    records = dvs_records()
    lines = [
        '"dataelement","period","orgunit","catoptcombo","attroptcombo","value","storedby","timestamp"'
    ]
    for i, r in enumerate(records):
        ou = r["ou"] if i % 3 else f" {r['ou']} "  # padded IDs in a third of the rows
        de = r["de"] if i % 4 else f"{r['de']}  "
        lines.append(
            f'"{de}","{r["pe"]}","{ou}","{r["coc"]}",,"{num(r["value"])}","bombali","2024-03-01"'
        )
    write_text(name, "\n".join(lines) + "\n")
    expect_data(
        name,
        "data value set, CSV, every field quoted, older headings, IDs padded with spaces",
        "Web API docs 'CSV data value format' import example (all fields quoted, headings "
        "catoptcombo/attroptcombo/timestamp, empty attribute option combo); padding as "
        "left by spreadsheet edits",
        records,
        [
            (BO[0], "202401", ANC1[0], COC_F),
            (BO[0], "202401", ANC1[0], COC_M),
            (NG[0], "202402", MEAS[0], COC_DEFAULT),
        ],
        ["category_option_combo"],
    )


# ---------------------------------------------------------------------------
# 2. JSON: data value sets and analytics responses
# ---------------------------------------------------------------------------


def dvs_json_toplevel() -> None:
    name = "dvs_json_toplevel_defaults.json"
    records = [
        rec(BO[0], "202403", ANC1[0], COC_F, 17),
        rec(BO[0], "202403", ANC1[0], COC_M, 13),
        rec(BO[0], "202403", ANC4[0], COC_DEFAULT, 9),
        rec(BO[0], "202403", MEAS[0], COC_DEFAULT, 22),
        rec(BO[0], "202403", MAL[0], COC_F, 31),
        rec(BO[0], "202403", MAL[0], COC_M, 28),
    ]
    doc = {
        "dataSet": DATASET,
        "completeDate": "2024-04-03",
        "period": "202403",
        "orgUnit": BO[0],
        "attributeOptionCombo": AOC_DEFAULT,
        "dataValues": [
            {
                "dataElement": r["de"],
                "categoryOptionCombo": r["coc"],
                "value": num(r["value"]),
                **({"comment": "register checked"} if i == 0 else {}),
            }
            for i, r in enumerate(records)
        ],
    }
    write_text(name, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    expect_data(
        name,
        "data value set, JSON, period and org unit given once at the top",
        "Web API docs 'Sending data values' (JSON data value set with dataSet, "
        "completeDate, period, orgUnit, attributeOptionCombo at the top)",
        records,
        [
            (BO[0], "202403", MAL[0], COC_F),
            (BO[0], "202403", MAL[0], COC_M),
            (BO[0], "202403", ANC4[0], COC_DEFAULT),
        ],
        ["category_option_combo"],
    )


def dvs_json_export() -> None:
    name = "dvs_json_export.json"
    kept = dvs_records()
    gone = rec(GB[0], "202401", MEAS[0], COC_DEFAULT, 70)
    values = []
    for i, r in enumerate(kept[:6] + [gone] + kept[6:]):
        values.append(
            {
                "dataElement": r["de"],
                "period": r["pe"],
                "orgUnit": r["ou"],
                "categoryOptionCombo": r["coc"],
                "attributeOptionCombo": AOC_DEFAULT,
                "value": num(r["value"]),
                "storedBy": "admin",
                "created": "2024-02-01T08:00:00.000+0000",
                "lastUpdated": f"2024-02-0{1 + i % 8}T12:00:00.000+0000",
                "followup": False,
                **({"deleted": True} if r is gone else {}),
            }
        )
    write_text(name, json.dumps({"dataValues": values}, indent=2) + "\n")
    expect_data(
        name,
        "data value set, JSON, export without top-level defaults, one deleted value",
        "Web API docs 'Reading data values' (GET /api/dataValueSets.json, each value with "
        "its own period and orgUnit; includeDeleted=true adds deleted values)",
        kept,
        [
            (BO[0], "202401", ANC1[0], COC_F),
            (NG[0], "202402", ANC1[0], COC_M),
            (NG[0], "202401", MEAS[0], COC_DEFAULT),
        ],
        ["category_option_combo"],
        forbidden_values=[70.0],
    )


def analytics_header(name, column, number=False, meta=True) -> dict:
    return {
        "name": name,
        "column": column,
        "valueType": "NUMBER" if number else "TEXT",
        "type": "java.lang.Double" if number else "java.lang.String",
        "hidden": False,
        "meta": meta,
    }


SRC_ANALYTICS = (
    "Web API docs 'Analytics', response formats (headers + rows + metaData); current "
    "header fields name/column/valueType/type/hidden/meta and metaData.items/"
    "metaData.dimensions as typed in @dhis2/analytics (AnalyticsResponse); values as "
    'strings such as "84.0"'
)


def analytics_plain() -> None:
    name = "analytics_dx_pe_ou.json"
    records = []
    values = iter([120, 95, 130, 88, 101, 76, 64, 58, 70, 49, 52, 61])
    for de in (ANC1, ANC4):
        for ou in (BO, NG):
            for pe in ("202401", "202402", "202403"):
                records.append(rec(ou[0], pe, de[0], None, next(values)))
    items = {code: {"name": month_name(code)} for code in ("202401", "202402", "202403")}
    items.update({x[0]: {"name": x[1]} for x in (BO, NG, ANC1, ANC4)})
    items.update(
        {"dx": {"name": "Data"}, "pe": {"name": "Period"}, "ou": {"name": "Organisation unit"}}
    )
    doc = {
        "headers": [
            analytics_header("dx", "Data"),
            analytics_header("pe", "Period"),
            analytics_header("ou", "Organisation unit"),
            analytics_header("value", "Value", number=True, meta=False),
        ],
        "metaData": {
            "items": items,
            "dimensions": {
                "dx": [ANC1[0], ANC4[0]],
                "pe": ["202401", "202402", "202403"],
                "ou": [BO[0], NG[0]],
                "co": [],
            },
        },
        "rows": [[r["de"], r["pe"], r["ou"], f"{r['value']:.1f}"] for r in records],
        "height": len(records),
        "width": 4,
        "headerWidth": 4,
    }
    write_text(name, json.dumps(doc, indent=2) + "\n")
    expect_data(
        name,
        "analytics response, JSON, dx/pe/ou/value",
        SRC_ANALYTICS,
        records,
        [
            (BO[0], "202402", list(ANC1), None),
            (NG[0], "202403", list(ANC4), None),
        ],
        ["org_unit_name"],
    )


def analytics_co() -> None:
    name = "analytics_with_co.json"
    records = []
    values = iter([33, 29, 41, 37, 18, 22, 26, 24])
    for ou in (BO, NG):
        for pe in ("2024Q1", "2024Q2"):
            for coc in (COC_F, COC_M):
                records.append(rec(ou[0], pe, MAL[0], coc, next(values)))
    items = {"2024Q1": {"name": "January - March 2024"}, "2024Q2": {"name": "April - June 2024"}}
    items.update({x[0]: {"name": x[1]} for x in (BO, NG, MAL)})
    items.update({COC_F: {"name": "Female"}, COC_M: {"name": "Male"}})
    items.update(
        {
            "dx": {"name": "Data"},
            "co": {"name": "Category option combo"},
            "pe": {"name": "Period"},
            "ou": {"name": "Organisation unit"},
        }
    )
    doc = {
        "headers": [
            analytics_header("dx", "Data"),
            analytics_header("co", "Category option combo"),
            analytics_header("pe", "Period"),
            analytics_header("ou", "Organisation unit"),
            analytics_header("value", "Value", number=True, meta=False),
        ],
        "metaData": {
            "items": items,
            "dimensions": {
                "dx": [MAL[0]],
                "co": [COC_F, COC_M],
                "pe": ["2024Q1", "2024Q2"],
                "ou": [BO[0], NG[0]],
            },
        },
        "rows": [[r["de"], r["coc"], r["pe"], r["ou"], f"{r['value']:.1f}"] for r in records],
        "height": len(records),
        "width": 5,
        "headerWidth": 5,
    }
    write_text(name, json.dumps(doc, indent=2) + "\n")
    expect_data(
        name,
        "analytics response, JSON, with the category option combo dimension (co)",
        SRC_ANALYTICS + "; docs: 'dimension=co' breaks data down by category option combination",
        records,
        [
            (BO[0], "2024Q2", list(MAL), [COC_F, "Female"]),
            (BO[0], "2024Q2", list(MAL), [COC_M, "Male"]),
            (NG[0], "2024Q1", list(MAL), None),
        ],
        ["category_option_combo", "org_unit_name"],
    )


# ---------------------------------------------------------------------------
# 3. Pivot table / Data Visualizer downloads
# ---------------------------------------------------------------------------

SRC_PLAIN = (
    "dhis2-core GridUtils.toCsv (one heading per grid header, its display column: "
    "Data, Period, Organisation unit, Value); pivot table 'Download > Plain data "
    "source' with names (docs 'Analytics' tip)"
)


def pivot_plain() -> None:
    name = "pivot_plain_data_source.csv"
    records = []
    values = iter([12, 15, 11, 20, 18, 23, 7, 9, 6, 10, 8, 13])
    for de in (ANC1, ANC4):
        for ou in (BO, NG):
            for pe in ("202401", "202402", "202403"):
                records.append(rec(ou[1], pe, de[1], None, next(values)))
    rows = [["Data", "Period", "Organisation unit", "Value"]]
    rows += [[r["de"], month_name(r["pe"]), r["ou"], num(r["value"])] for r in records]
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "pivot table, plain data source (names)",
        SRC_PLAIN,
        records,
        [
            ("Bo Hospital", "202402", "ANC 1st visit", None),
            ("Ngelehun CHC", "202403", "ANC 4th or more visits", None),
        ],
    )


def pivot_plain_categories() -> None:
    name = "pivot_plain_age_sex.csv"
    records = []
    values = iter([4, 3, 9, 8, 5, 2, 7, 6, 1, 2, 3, 4, 6, 5, 10, 9])
    cats = [("0-4y", "Female"), ("0-4y", "Male"), ("5y+", "Female"), ("5y+", "Male")]
    rows = [["Data", "Age", "Sex", "Period", "Organisation unit", "Value"]]
    for ou in (BO, NG):
        for pe in ("202401", "202402"):
            for age, sex in cats:
                value = next(values)
                records.append(rec(ou[1], pe, MAL[1], f"{age}, {sex}", value))
                rows.append([MAL[1], age, sex, month_name(pe), ou[1], num(value)])
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "pivot table, plain data source with category columns (Age, Sex)",
        SRC_PLAIN + "; categories as dimensions (docs: category id as dimension, its "
        "options as items)",
        records,
        [("Bo Hospital", "202401", MAL[1], None), ("Ngelehun CHC", "202402", MAL[1], None)],
    )


META_OU = [
    "organisationunitid",
    "organisationunitname",
    "organisationunitcode",
    "organisationunitdescription",
]
META_PE = ["periodid", "periodname", "periodcode", "perioddescription"]
SRC_META = (
    "dhis2-core ReportTable/Visualization column constants (PERIOD_ID 'periodid', "
    "PERIOD_NAME 'periodname', PERIOD_CODE 'periodcode', PERIOD_DESCRIPTION "
    "'perioddescription', ORGANISATIONUNIT_ID/NAME/CODE/DESCRIPTION "
    "'organisationunitid' ...), hierarchy columns orgunitlevel1..N; pivot table "
    "'Download > Table layout' (analytics tableLayout=true, rows=pe;ou, columns=dx, "
    "showHierarchy); data columns headed by the data item's name"
)


def pivot_table_layout() -> None:
    name = "pivot_table_layout_metadata.csv"
    heading = META_PE + ["orgunitlevel1", "orgunitlevel2", "orgunitlevel3"] + META_OU
    items = [ANC1, ANC4, MEAS]
    rows = [heading + [d[1] for d in items]]
    records = []
    values = iter([44, 21, 35, 39, 18, 31, 27, 12, 19, 25, 11, 17, 15, 6, 10, 13, 5, 9])
    empty = {(NG[0], "202402", ANC4[0]), (GB[0], "202401", MEAS[0])}
    for pe in ("202401", "202402"):
        for ou in (BO, NG, GB):
            row = [pe, month_name(pe), pe, "", *ou[3], ou[0], ou[1], ou[2], ""]
            for de in items:
                value = next(values)
                if (ou[0], pe, de[0]) in empty:
                    row.append("")
                else:
                    row.append(num(value))
                    records.append(rec(ou[0], pe, de[1], None, value))
            rows.append(row)
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "pivot table, table layout with metadata and hierarchy columns, one column per data item",
        SRC_META,
        records,
        [
            (BO[0], "202401", ANC1[1], None),
            (GB[0], "202402", MEAS[1], None),
            (NG[0], "202402", ANC1[1], None),
        ],
        ["org_unit_name", "orgunitlevel1", "orgunitlevel2", "orgunitlevel3"],
        forbidden_values=[float(ou[2]) for ou in (BO, NG, GB)],
    )


def pivot_same_name() -> None:
    name = "pivot_same_name_two_ids.csv"
    heading = META_PE + ["orgunitlevel1", "orgunitlevel2", "orgunitlevel3"] + META_OU
    rows = [heading + [ANC1[1], MEAS[1]]]
    records = []
    values = iter([8, 5, 14, 9, 3, 2])
    for ou in (KP1, KP2, NG):
        row = ["202404", "April 2024", "202404", "", *ou[3], ou[0], ou[1], ou[2], ""]
        for de in (ANC1, MEAS):
            value = next(values)
            row.append(num(value))
            records.append(rec(ou[0], "202404", de[1], None, value))
        rows.append(row)
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "pivot table, table layout with metadata, two facilities with the same name",
        SRC_META + "; facility names are not unique in DHIS2 (only UIDs and codes are)",
        records,
        [(KP1[0], "202404", ANC1[1], None), (KP2[0], "202404", ANC1[1], None)],
        ["org_unit_name"],
        forbidden_values=[float(ou[2]) for ou in (KP1, KP2, NG)],
    )


def periods_as_columns(name: str, headings: list[str], codes: list[str], layout: str, source: str):
    rows = [["Data", "Organisation unit", *headings]]
    records = []
    values = iter([31, 28, 35, 12, 14, 10, 22, 19, 25, 8, 7, 9])
    for de in (ANC1, ANC4):
        for ou in (BO, NG):
            row = [de[1], ou[1]]
            for code in codes:
                value = next(values)
                if (de, ou, code) == (ANC4, NG, codes[1]):
                    row.append("")  # an empty cell: no value, no row
                    continue
                row.append(num(value))
                records.append(rec(ou[1], code, de[1], None, value))
            rows.append(row)
    write_text(name, csv_text(rows))
    expect_data(
        name,
        layout,
        source,
        records,
        [
            ("Bo Hospital", codes[0], ANC1[1], None),
            ("Ngelehun CHC", codes[2], ANC4[1], None),
        ],
    )


SRC_CROSSTAB = (
    "pivot table 'Download > Table layout' with periods as columns (analytics "
    "tableLayout=true, columns=pe, rows=dx;ou); dhis2-core ReportTable.getColumnName "
    "uses the period's name for crosstab columns"
)


def pivot_periods_columns() -> None:
    codes = ["202401", "202402", "202403"]
    periods_as_columns(
        "pivot_periods_as_columns_names.csv",
        [month_name(c) for c in codes],
        codes,
        "pivot table, periods as columns, period names ('January 2024')",
        SRC_CROSSTAB,
    )
    periods_as_columns(
        "pivot_periods_as_columns_codes.csv",
        codes,
        codes,
        "pivot table, periods as columns, period codes (202401)",
        SRC_CROSSTAB + "; with outputIdScheme=UID period items are ISO codes",
    )


def periods_other_language(name: str, names: list[str], codes: list[str], lang: str) -> None:
    heading = META_OU + [month_name(c, names) for c in codes]
    rows = [heading]
    records = []
    values = iter([40, 36, 44, 38, 21, 19, 25, 23, 11, 9, 13, 12])
    for ou in (BO, NG, GB):
        row = [ou[0], ou[1], ou[2], ""]
        for code in codes:
            value = next(values)
            row.append(num(value))
            records.append(rec(ou[0], code, ANC1[1], None, value))
        rows.append(row)
    write_text(name, csv_text(rows))
    expect_data(
        name,
        f"pivot table, org unit metadata columns, periods as columns named in {lang}, "
        "data item in the filter",
        SRC_META + "; " + SRC_CROSSTAB + f"; period names formatted with the user's "
        f"locale ({lang}, I18nFormat.formatPeriod / Java month names, lower case)",
        records,
        [(BO[0], codes[0], None, None), (GB[0], codes[3], None, None)],
        ["org_unit_name"],
        forbidden_values=[float(ou[2]) for ou in (BO, NG, GB)],
    )


def pivot_languages() -> None:
    periods_other_language(
        "pivot_periods_french.csv", MONTH_FR, ["202312", "202401", "202402", "202403"], "French"
    )
    periods_other_language(
        "pivot_periods_portuguese.csv",
        MONTH_PT,
        ["202401", "202402", "202403", "202404"],
        "Portuguese",
    )
    periods_other_language(
        "pivot_periods_spanish.csv", MONTH_ES, ["202410", "202411", "202412", "202501"], "Spanish"
    )


def pivot_period_item_heading() -> None:
    name = "pivot_heading_period_and_item.csv"
    codes = ["202504", "202505"]
    items = [ANC1, ANC4]
    rows = [["Organisation unit"] + [f"{month_name(c)} {d[1]}" for c in codes for d in items]]
    records = []
    values = iter([26, 11, 29, 13, 17, 8, 19, 7, 9, 3, 12, 4])
    for ou in (BO, NG, GB):
        row = [ou[1]]
        for c in codes:
            for d in items:
                value = next(values)
                row.append(num(value))
                records.append(rec(ou[1], c, d[1], None, value))
        rows.append(row)
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "pivot table, period and data item joined in one heading ('May 2025 ANC 1st visit')",
        "pivot table 'Download > Table layout' with two column dimensions (pe, dx): "
        "dhis2-core ReportTable.getColumnName/getPrettyColumnName join the items' names "
        "with a space, period first",
        records,
        [
            ("Bo Hospital", "202505", ANC1[1], None),
            ("Gbenikoro MCHP", "202504", ANC4[1], None),
            ("Ngelehun CHC", "202505", ANC4[1], None),
        ],
    )


def pivot_item_orgunit_heading() -> None:
    name = "pivot_heading_item_and_orgunit.csv"
    cols = [(ANC1, BO), (ANC4, NG), (MEAS, GB)]
    rows = [["Period"] + [f"{d[1]} {o[1]}" for d, o in cols]]
    for i, code in enumerate(["202401", "202402", "202403"]):
        rows.append([month_name(code)] + [str(10 + 3 * i + j) for j in range(3)])
    write_text(name, csv_text(rows))
    expect_failure(
        name,
        "pivot table, data item and org unit joined in one heading, no shared parts",
        "pivot table 'Download > Table layout' with two column dimensions (dx, ou) and "
        "hidden empty columns (hideEmptyColumns), so no item repeats; names joined with "
        "a space (dhis2-core ReportTable.getColumnName)",
        "asks",
        [["heading", "column"]],
    )


def xlsx_title_merged() -> None:
    name = "pivot_title_rows_merged.xlsx"
    codes = ["202401", "202402", "202403"]
    book = new_workbook()
    sheet = book.active
    sheet.title = "ANC visits"
    sheet["A1"] = "ANC visits by facility"
    sheet.merge_cells("A1:E1")
    sheet["A2"] = "Bo, January - March 2024"
    sheet.merge_cells("A2:E2")
    sheet["A4"] = "Data"
    sheet.merge_cells("A4:A5")
    sheet["B4"] = "Organisation unit"
    sheet.merge_cells("B4:B5")
    sheet["C4"] = "Period"
    sheet.merge_cells("C4:E4")
    for j, code in enumerate(codes):
        sheet.cell(row=5, column=3 + j, value=month_name(code))
    records = []
    values = iter([31, 28, 35, 12, 14, 10, 22, 19, 25, 8, 7, 9])
    r = 6
    for de in (ANC1, ANC4):
        for ou in (BO, NG):
            sheet.cell(row=r, column=1, value=de[1])
            sheet.cell(row=r, column=2, value=ou[1])
            for j, code in enumerate(codes):
                value = next(values)
                sheet.cell(row=r, column=3 + j, value=value)
                records.append(rec(ou[1], code, de[1], None, value))
            r += 1
    save_workbook(book, name)
    expect_data(
        name,
        "XLSX pivot with a title, a subtitle and merged header cells (Period over months)",
        "Data Visualizer pivot table downloaded as Excel: title and subtitle rows above the "
        "table, the column dimension's label merged over its items, row dimension labels "
        "merged over two header rows",
        records,
        [("Bo Hospital", "202401", ANC1[1], None), ("Ngelehun CHC", "202403", ANC4[1], None)],
    )


def xlsx_checks_first() -> None:
    name = "workbook_checks_sheet_first.xlsx"
    book = new_workbook()
    checks = book.active
    checks.title = "Checks"
    checks.append(["Check", "Result"])
    checks.append(["Rows in data", 12])
    checks.append(["Facilities", 2])
    checks.append(["Empty cells", 0])
    checks.append(["Reviewed by", "district M&E officer"])
    data = book.create_sheet("Data")
    data.append(["Data", "Period", "Organisation unit", "Value"])
    records = []
    values = iter([12, 15, 11, 20, 18, 23, 7, 9, 6, 10, 8, 13])
    for de in (ANC1, ANC4):
        for ou in (BO, NG):
            for pe in ("202401", "202402", "202403"):
                value = next(values)
                data.append([de[1], month_name(pe), ou[1], value])
                records.append(rec(ou[1], pe, de[1], None, value))
    save_workbook(book, name)
    expect_data(
        name,
        "XLSX with a checks sheet first and the data on the second sheet",
        "a plain data source download (GridUtils headings) kept in a workbook whose first "
        "sheet holds the manager's checks, as district teams keep them",
        records,
        [("Bo Hospital", "202403", ANC1[1], None), ("Ngelehun CHC", "202401", ANC4[1], None)],
        forbidden_values=[],
    )


def xlsx_no_table() -> None:
    name = "workbook_no_table.xlsx"
    book = new_workbook()
    notes = book.active
    notes.title = "Notes"
    notes["A1"] = "Data for the quarterly review meeting"
    notes["A2"] = "Download the pivot table again before the meeting."
    cover = book.create_sheet("Cover")
    cover["B3"] = "Bo District Health Management Team"
    book.create_sheet("Blank")
    save_workbook(book, name)
    expect_failure(
        name,
        "XLSX in which no sheet holds a table",
        "a workbook of notes and a cover page, with no table; the refusal must name the "
        "sheets to choose from",
        "refused",
        [["Notes"], ["Cover"]],
    )


def xls_title_rows() -> None:
    import xlwt

    name = "pivot_title_rows.xls"
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("ANC visits Bo")  # toXls names the sheet after the title
    bold = xlwt.easyxf("font: bold on")
    # GridUtils.toXls: title in row 0, subtitle in row 2, headers in row 4, data from row 5
    sheet.write(0, 0, "ANC visits Bo", bold)
    sheet.write(2, 0, "January - March 2024", bold)
    heading = ["Data", "Period", "Organisation unit", "Value"]
    for j, text in enumerate(heading):
        sheet.write(4, j, text, bold)
    records = []
    values = iter([12, 15, 11, 20, 18, 23, 7, 9, 6, 10, 8, 13])
    r = 5
    for de in (ANC1, ANC4):
        for ou in (BO, NG):
            for pe in ("202401", "202402", "202403"):
                value = next(values)
                for j, cell in enumerate([de[1], month_name(pe), ou[1], float(value)]):
                    sheet.write(r, j, cell)
                records.append(rec(ou[1], pe, de[1], None, value))
                r += 1
    buffer = io.BytesIO()
    book.save(buffer)
    write_bytes(name, buffer.getvalue())
    expect_data(
        name,
        "XLS (Excel 97-2003) with title rows, plain data source",
        "dhis2-core GridUtils.toXls: the grid's title in the first row, an empty row, the "
        "subtitle, an empty row, then the headers (display column names); values written "
        "as numeric cells; the sheet named after the title; GET /api/analytics.xls",
        records,
        [("Bo Hospital", "202401", ANC1[1], None), ("Ngelehun CHC", "202402", ANC4[1], None)],
    )


# ---------------------------------------------------------------------------
# 4. Ordinary tables
# ---------------------------------------------------------------------------


def year_month(name: str, month_as_name: bool) -> None:
    rows = [["facility", "year", "month", "indicator", "value"]]
    records = []
    values = iter([37, 41, 39, 52, 48, 55, 23, 27, 25, 31, 29, 33])
    for ou in (BO, NG):
        for indicator in ("OPD visits", "Malaria tested"):
            for year, month in ((2023, 11), (2023, 12), (2024, 1)):
                value = next(values)
                shown = MONTH_EN[month - 1] if month_as_name else str(month)
                rows.append([ou[1], str(year), shown, indicator, num(value)])
                records.append(rec(ou[1], f"{year}{month:02d}", indicator, None, value))
    write_text(name, csv_text(rows, newline="\r\n"))
    kind = "name ('January')" if month_as_name else "number (1-12)"
    expect_data(
        name,
        f"ordinary table with separate year and month columns, month as {kind}",
        "a facility register typed into Excel and saved as CSV: one column for the "
        "year and one for the month",
        records,
        [
            ("Bo Hospital", "202401", "OPD visits", None),
            ("Ngelehun CHC", "202312", "Malaria tested", None),
        ],
        forbidden_values=[2023.0, 2024.0] + ([] if month_as_name else [1.0, 11.0, 12.0]),
    )


def refusals() -> None:
    name = "headings_only.csv"
    heading = META_PE + META_OU + [ANC1[1], ANC4[1]]
    write_text(name, csv_text([heading]))
    expect_failure(
        name,
        "table layout headings with no rows",
        "a pivot table download for a period with no data: DHIS2 writes the headings only",
        "refused",
        [["heading", "no row", "no data", "empty"]],
    )

    name = "all_values_text.csv"
    rows = [
        ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value"]
    ]
    for ou in (BO, NG, GB):
        for pe in ("202401", "202402"):
            rows.append(
                [
                    YESNO[0],
                    pe,
                    ou[0],
                    COC_DEFAULT,
                    AOC_DEFAULT,
                    "true" if pe == "202401" else "false",
                ]
            )
    write_text(name, csv_text(rows))
    expect_failure(
        name,
        "data value set in which every value is text (a yes/no data element)",
        SRC_DVS_WRITER + "; a BOOLEAN data element exports true/false",
        "refused",
        [["number", "numeric"]],
    )

    name = "no_readable_period.csv"
    rows = [["facility", "period", "indicator", "value"]]
    for ou in (BO, NG):
        for rnd in ("Round one", "Round two", "Round three"):
            rows.append([ou[1], rnd, "Children vaccinated", "25"])
    write_text(name, csv_text(rows, newline="\r\n"))
    expect_failure(
        name,
        "ordinary table whose period column holds no period",
        "a campaign tally sheet typed into Excel (rounds, not dates)",
        "refused",
        [["period"]],
    )


# ---------------------------------------------------------------------------
# 5. CSV dialects
# ---------------------------------------------------------------------------


def space_after_comma() -> None:
    name = "space_after_comma.csv"
    lines = ['"Data", "Period", "Organisation unit", "Value"']
    records = []
    values = iter([14, 16, 12, 9, 11, 8])
    for ou in (BO, NG):
        for pe in ("2017-01", "2017-02", "2017-03"):
            value = next(values)
            lines.append(f'"{ANC1[1]}", "{pe}", "{ou[1]}", {value}')
            records.append(rec(ou[1], pe.replace("-", ""), ANC1[1], None, value))
    write_text(name, "\n".join(lines) + "\n")
    expect_data(
        name,
        "CSV with a space after every comma and quoted fields",
        "a CSV written by a script with ', ' as separator (the shape reported in the issue: "
        '"a", "2017-01", ...)',
        records,
        [("Bo Hospital", "201702", ANC1[1], None), ("Ngelehun CHC", "201703", ANC1[1], None)],
    )


def semicolon_decimal_comma() -> None:
    name = "semicolon_decimal_comma.csv"
    rows = [["Data", "Period", "Organisation unit", "Value"]]
    records = []
    values = iter([12.5, 14.0, 9.25, 7.75, 10.5, 11.0])
    for ou in (BO, NG):
        for pe in ("202401", "202402", "202403"):
            value = next(values)
            rows.append(["Reporting rate", pe, ou[1], num(value).replace(".", ",")])
            records.append(rec(ou[1], pe, "Reporting rate", None, value))
    write_text(name, csv_text(rows, delimiter=";", newline="\r\n"), "cp1252")
    expect_data(
        name,
        "CSV saved by Excel in a French or Portuguese locale: semicolons, decimal commas",
        "Excel 'CSV (separator: semicolon)' where the list separator is ';' and the "
        "decimal sign ','",
        records,
        [
            ("Bo Hospital", "202401", "Reporting rate", None),
            ("Ngelehun CHC", "202403", "Reporting rate", None),
        ],
    )


def bom_utf8() -> None:
    name = "dvs_excel_utf8_bom.csv"
    records = dvs_records()
    rows = [
        [
            "dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo",
            "value", "storedby", "lastupdated", "comment", "followup", "deleted",
        ]
    ]  # fmt: skip
    for r in records:
        rows.append(
            [r["de"], r["pe"], r["ou"], r["coc"], AOC_DEFAULT, num(r["value"]),
             "admin", "05/02/2024 10:15", "", "FALSE", "FALSE"]
        )  # fmt: skip
    write_text(name, "\ufeff" + csv_text(rows, newline="\r\n"))
    expect_data(
        name,
        "data value set opened and saved again by Excel as 'CSV UTF-8' (BOM, CRLF, FALSE)",
        SRC_DVS_WRITER + "; then Excel 'CSV UTF-8 (Comma delimited)': byte order mark, "
        "CRLF line ends, booleans as FALSE, dates reformatted",
        records,
        [
            (NG[0], "202401", ANC1[0], COC_F),
            (NG[0], "202401", ANC1[0], COC_M),
            (BO[0], "202402", MEAS[0], COC_DEFAULT),
        ],
        ["category_option_combo"],
    )


def cp1252() -> None:
    name = "plain_source_cp1252.csv"
    places = ["Poste de Santé Médina", "Centre de Santé Kolda Sud"]
    item = "Consultations prénatales 1ère visite"
    rows = [["Data", "Period", "Organisation unit", "Value"]]
    records = []
    values = iter([19, 23, 17, 41, 38, 44])
    for place in places:
        for pe in ("202401", "202402", "202403"):
            value = next(values)
            rows.append([item, month_name(pe), place, num(value)])
            records.append(rec(place, pe, item, None, value))
    write_text(name, csv_text(rows, newline="\r\n"), "cp1252")
    expect_data(
        name,
        "plain data source saved by Excel on Windows as 'CSV (Comma delimited)' (cp1252)",
        SRC_PLAIN + "; then Excel on Windows, which writes the ANSI code page (cp1252)",
        records,
        [(places[0], "202402", item, None), (places[1], "202401", item, None)],
    )


def analytics_csv_ids() -> None:
    name = "analytics_plain_csv_ids.csv"
    records = []
    values = iter([120, 95, 130, 88, 101, 76, 64, 58, 70, 49, 52, 61])
    for de in (ANC1, ANC4):
        for ou in (BO, NG):
            for pe in ("202401", "202402", "202403"):
                records.append(rec(ou[0], pe, de[0], None, next(values)))
    rows = [["Data", "Period", "Organisation unit", "Value"]]
    rows += [[r["de"], r["pe"], r["ou"], f"{r['value']:.1f}"] for r in records]
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "analytics response as CSV (plain data source with IDs)",
        "GET /api/analytics.csv (docs 'Analytics', response formats): dhis2-core "
        "GridUtils.toCsv writes each header's display column (Data, Period, Organisation "
        "unit, Value); rows hold UIDs and ISO period codes (default outputIdScheme UID)",
        records,
        [(BO[0], "202402", ANC1[0], None), (NG[0], "202403", ANC4[0], None)],
    )


def xls_table_layout() -> None:
    import xlwt

    name = "pivot_table_layout_metadata.xls"
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("ANC by facility and month")
    bold = xlwt.easyxf("font: bold on")
    sheet.write(0, 0, "ANC by facility and month", bold)
    heading = META_PE + ["orgunitlevel1", "orgunitlevel2", "orgunitlevel3"] + META_OU
    items = [ANC1, ANC4, MEAS]
    for j, text in enumerate(heading + [d[1] for d in items]):
        sheet.write(2, j, text, bold)
    records = []
    values = iter([44, 21, 35, 39, 18, 31, 27, 12, 19, 25, 11, 17, 15, 6, 10, 13, 5, 9])
    empty = {(NG[0], "202402", ANC4[0]), (GB[0], "202401", MEAS[0])}
    r = 3
    for pe in ("202401", "202402"):
        for ou in (BO, NG, GB):
            cells = [pe, month_name(pe), pe, "", *ou[3], ou[0], ou[1], ou[2], ""]
            for de in items:
                value = next(values)
                if (ou[0], pe, de[0]) in empty:
                    cells.append("")
                else:
                    cells.append(value)
                    records.append(rec(ou[0], pe, de[1], None, value))
            for j, cell in enumerate(cells):
                # GridUtils.toXls writes every cell that looks like a number as a number
                is_number = isinstance(cell, int) or (isinstance(cell, str) and cell.isdigit())
                sheet.write(r, j, float(cell) if is_number else cell)
            r += 1
    buffer = io.BytesIO()
    book.save(buffer)
    write_bytes(name, buffer.getvalue())
    expect_data(
        name,
        "XLS table layout with metadata columns; period and facility codes stored as numbers",
        SRC_META + "; dhis2-core GridUtils.toXls: title row, an empty row, the headers; "
        "in the versions whose toXls tests each cell's text with MathUtils.isNumeric, every "
        "cell that looks like a number (periodid 202401, organisationunitcode 10231) is "
        "written as a numeric cell",
        records,
        [
            (BO[0], "202401", ANC1[1], None),
            (GB[0], "202402", MEAS[1], None),
            (NG[0], "202402", ANC1[1], None),
        ],
        ["org_unit_name", "orgunitlevel1", "orgunitlevel2", "orgunitlevel3"],
        forbidden_values=[float(ou[2]) for ou in (BO, NG, GB)],
    )


PUBLIC_SOURCE = (
    "public example: DHIS2 core's own test input, dhis2/dhis2-core "
    "dhis-2/dhis-test-integration/src/test/resources/dxf2/datavalueset/{}, kept "
    "unchanged; BSD 3-Clause licence, (c) University of Oslo (LICENSE-dhis2-core.txt)"
)


def public_files() -> None:
    """Expectations for DHIS2 core's own example files (committed as found, not written here).

    The rows are read by position, as dhis2-core's CsvDataValueSetReader reads them.
    """
    for name, original, heading in (
        ("public_dhis2core_dataValueSetB.csv", "dataValueSetB.csv", True),
        ("public_dhis2core_dataValueSetBNoHeader.csv", "dataValueSetBNoHeader.csv", False),
    ):
        with open(HERE / name, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        if heading:
            rows = rows[1:]
        records = [rec(r[2], r[1], r[0], r[3] or None, float(r[5])) for r in rows]
        expect_data(
            name,
            "data value set, CSV, every field quoted, empty option combos"
            + ("" if heading else ", no heading row"),
            PUBLIC_SOURCE.format(original),
            records,
            [
                ("DiszpKrYNg8", "201201", "f7n9E0hX8qk", None),
                ("BdfsJfj87js", "201202", "eY5ehpbEsB7", None),
            ],
        )


def dvs_weekly() -> None:
    name = "dvs_weekly_periods.csv"
    records = []
    values = iter([3, 0, 5, 2, 1, 4, 7, 2, 6, 3, 2, 8])
    for ou in (BO, NG):
        for pe in ("2024W52", "2025W1", "2025W2"):
            records.append(rec(ou[0], pe, MAL[0], COC_F, next(values)))
            records.append(rec(ou[0], pe, MAL[0], COC_M, next(values)))
    rows = [
        [
            "dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo",
            "value", "storedby", "lastupdated", "comment", "followup", "deleted",
        ]
    ]  # fmt: skip
    for r in records:
        rows.append(
            [r["de"], r["pe"], r["ou"], r["coc"], AOC_DEFAULT, num(r["value"]),
             "idsr_focal", "2025-01-15T09:30:00.000", "", "false", "false"]
        )  # fmt: skip
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "data value set, CSV, weekly periods (2024W52, 2025W1: week numbers not zero-padded)",
        SRC_DVS_WRITER + "; weekly period codes yyyyWn from the Web API docs 'Date and "
        "period format' (week 1 of 2025 starts on Monday 30 December 2024); zero counts kept",
        records,
        [
            (BO[0], "2025W1", MAL[0], COC_F),
            (NG[0], "2024W52", MAL[0], COC_M),
            (BO[0], "2024W52", MAL[0], COC_M),
        ],
        ["category_option_combo"],
    )


def pivot_period_reporting_rate_heading() -> None:
    name = "pivot_heading_period_and_reporting_rate.csv"
    codes = ["202505", "202506"]
    items = ["Child Health - Reporting rate", "Child Health - Reporting rate on time"]
    rows = [["Organisation unit"] + [f"{month_name(c)} {item}" for c in codes for item in items]]
    records = []
    values = iter([100, 100, 83.3, 66.7, 100, 50, 91.7, 75, 66.7, 33.3, 100, 100])
    for ou in (BO, NG, GB):
        row = [ou[1]]
        for c in codes:
            for item in items:
                value = next(values)
                row.append(num(value))
                records.append(rec(ou[1], c, item, None, value))
        rows.append(row)
    write_text(name, csv_text(rows))
    expect_data(
        name,
        "pivot table, period and data set reporting rate joined in one heading "
        "('May 2025 Child Health - Reporting rate')",
        "pivot table 'Download > Table layout' with columns pe, dx, where the data items are "
        "data set reporting rates (docs 'The dx dimension': <dataset-id>.REPORTING_RATE, "
        "REPORTING_RATE_ON_TIME), named '<data set> - Reporting rate'; the heading shape "
        "reported in the issue",
        records,
        [
            ("Ngelehun CHC", "202505", items[0], None),
            ("Gbenikoro MCHP", "202506", items[1], None),
            ("Bo Hospital", "202506", items[0], None),
        ],
    )


def main() -> None:
    dvs_lowercase()
    dvs_camelcase()
    dvs_optional_deleted()
    dvs_short(
        "dvs_short_headings.csv",
        ["de", "pe", "ou", "coc", "aoc", "value"],
        "data value set, CSV, short headings de,pe,ou,coc,aoc",
    )
    dvs_short(
        "dvs_short_headings_acoc.csv",
        ["de", "pe", "ou", "coc", "acoc", "value", "storedby", "lastupdated"],
        "data value set, CSV, short headings with acoc and optional columns",
        extra=["admin", "2024-07-02T10:00:00.000"],
    )
    dvs_short(
        "dvs_short_headings_dx_co.csv",
        ["dx", "pe", "ou", "co", "value"],
        "data value set, CSV, analytics-style short headings dx,pe,ou,co",
    )
    dvs_no_header()
    dvs_quoted_padded()
    dvs_json_toplevel()
    dvs_json_export()
    analytics_plain()
    analytics_co()
    pivot_plain()
    pivot_plain_categories()
    pivot_table_layout()
    pivot_same_name()
    pivot_periods_columns()
    pivot_languages()
    pivot_period_item_heading()
    pivot_item_orgunit_heading()
    xlsx_title_merged()
    xlsx_checks_first()
    xlsx_no_table()
    xls_title_rows()
    year_month("year_month_names.csv", month_as_name=True)
    year_month("year_month_numbers.csv", month_as_name=False)
    refusals()
    space_after_comma()
    semicolon_decimal_comma()
    bom_utf8()
    cp1252()
    analytics_csv_ids()
    xls_table_layout()
    public_files()
    dvs_weekly()
    pivot_period_reporting_rate_heading()
    text = json.dumps(dict(sorted(EXPECTED.items())), indent=1, ensure_ascii=False)
    (HERE / "expected.json").write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(EXPECTED)} files and expected.json")


if __name__ == "__main__":
    main()
