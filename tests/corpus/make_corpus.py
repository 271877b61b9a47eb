"""Write the awkward-file corpus used by tests/test_io_corpus.py.

Run from the repository root: ``python tests/corpus/make_corpus.py``. The files
are committed; this script documents how each one was made and can rebuild
them. Every name is fictional. ``expected.json`` (written by hand, next to this
script) says what reading each file must give.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

import numpy as np
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

DVS_HEADER = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,"
    "value,storedby,lastupdated,comment,followup"
)
CAMEL_HEADER = (
    "dataElement,period,orgUnit,categoryOptionCombo,attributeOptionCombo,"
    "value,storedBy,lastUpdated,comment,followUp"
)
DE = ["Xa1bC2dE3fG", "Hk4LmN5oP6q"]
OU = ["Ou1aBcDeFgH", "Ou2aBcDeFgH", "Ou3aBcDeFgH"]
COC = "Cc1aBcDeFgH"
AOC = "Ac1aBcDeFgH"


def dvs_rows(n_months: int = 3) -> list[str]:
    rows = []
    for de in DE:
        for ou in OU:
            for m in range(1, n_months + 1):
                value = 10 + m + 3 * OU.index(ou)
                rows.append(f"{de},2024{m:02d},{ou},{COC},{AOC},{value},kofi,2024-05-01,,false")
    return rows


def text(name: str, body: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(body.encode(encoding))


def raw(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def workbook(name: str, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None):
    wb = Workbook()
    wb.remove(wb.active)
    for sheet_name, rows in sheets.items():
        ws = wb.create_sheet(sheet_name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(sheet_name, []):
            ws.merge_cells(rng)
    buffer = io.BytesIO()
    wb.properties.creator = "phcpm"
    wb.save(buffer)
    raw(name, buffer.getvalue())


WIDE_ROWS = [
    ["Facility", "Jan 2024", "Feb 2024", "Mar 2024"],
    ["Centre de Santé Kalumbe", 120, 131, 128],
    ["Posto de Saúde Mirada", 85, 90, 88],
    ["Tamari Clinic", 64, 70, 66],
]


def main() -> None:
    header = DVS_HEADER + "\n"
    body = "\n".join(dvs_rows()) + "\n"
    # --- empty and nearly empty
    raw("empty.csv", b"")
    text("headers_only.csv", header)
    text("blank_lines_only.csv", "\n\n  \n\n")
    # --- DHIS2 data value sets
    text("dvs_ok.csv", header + body)
    text("dvs_camelcase.csv", CAMEL_HEADER + "\n" + body)
    text("dvs_no_header.csv", body)
    text("dvs_crlf.csv", (header + body).replace("\n", "\r\n"))
    text("dvs_bom.csv", header + body, "utf-8-sig")
    raw(
        "dvs_utf16le_tab.txt",
        codecs.BOM_UTF16_LE + (header + body).replace(",", "\t").encode("utf-16-le"),
    )
    raw(
        "dvs_utf16be_tab.txt",
        codecs.BOM_UTF16_BE + (header + body).replace(",", "\t").encode("utf-16-be"),
    )
    text("dvs_semicolon.csv", (header + body).replace(",", ";"))
    bad = dvs_rows(2)
    bad[0] = bad[0].replace(",11,", ",eleven,")  # text in a number column
    bad[1] = bad[1].replace("202402", "202413")  # a 13th month
    bad[2] = bad[2].replace(",14,", ",-4,")  # negative count
    bad.append(bad[3])  # exact duplicate
    fields = bad[4].split(",")
    fields[5] = "99"
    dup_conflict = ",".join(fields)
    bad.append(dup_conflict)  # same key, different value
    bad[5] = bad[5].replace(",Ou3aBcDeFgH,", ",,")  # empty org unit
    text("dvs_mixed_problems.csv", header + "\n".join(bad) + "\n")
    text(
        "dvs_blank_lines_trailing.csv",
        header + body.replace("\n", ",\n", 3).replace("\n", "\n\n", 2) + "\n\n",
    )
    huge = dvs_rows(1)
    huge[0] = huge[0].replace(",11,", ",123456789012345,")
    huge[1] = huge[1].replace(",14,", ",1e400,")
    text("dvs_huge_numbers.csv", header + "\n".join(huge) + "\n")
    mixed_p = dvs_rows(1)
    mixed_p[0] = mixed_p[0].replace("202401", "2024Q1")
    mixed_p[1] = mixed_p[1].replace("202401", "2024W3")
    text("dvs_mixed_periods.csv", header + "\n".join(mixed_p) + "\n")
    text(
        "dvs_quoted_newline.csv",
        header
        + "\n".join(dvs_rows(1)[:2])
        + f'\n{DE[0]},202401,{OU[2]},{COC},{AOC},17,kofi,2024-05-01,"checked by\nthe district",false\n',
    )
    text(
        "dvs_periods_all_forms.csv",
        header
        + "\n".join(
            f"{DE[0]},{p},{OU[0]},{COC},{AOC},{i + 1},kofi,2024-05-01,,false"
            for i, p in enumerate(
                [
                    "20240115",
                    "2024W5",
                    "2024WedW5",
                    "2024BiW3",
                    "202401B",
                    "2024S1",
                    "2024AprilS2",
                    "2024",
                    "2024April",
                    "2024July",
                    "2024Oct",
                    "2025Nov",
                ]
            )
        )
        + "\n",
    )
    # --- pivot downloads
    pivot = (
        "Data,Period,Organisation unit,Value\n"
        + "\n".join(
            f"ANC 1st visit,January 2024,{ou},{v}"
            for ou, v in [("Kalumbe CHC", 12), ("Mirada HP", 8)]
        )
        + "\nANC 1st visit,February 2024,Kalumbe CHC,15\n"
    )
    text("pivot_names.csv", pivot)
    pivot_h = (
        "orgunitlevel1,orgunitlevel2,orgunitlevel3,orgunitlevel4,Organisation unit ID,"
        "Organisation unit,Data ID,Data,Period ID,Period,Value\n"
        "Sarona,Northern,Lakeside District,Kalumbe CHC,Ou1aBcDeFgH,Kalumbe CHC,Xa1bC2dE3fG,"
        "ANC 1st visit,202401,January 2024,12\n"
        "Sarona,Northern,Lakeside District,Mirada HP,Ou2aBcDeFgH,Mirada HP,Xa1bC2dE3fG,"
        "ANC 1st visit,202401,January 2024,8\n"
        "Sarona,Northern,Lakeside District,Mirada HP,Ou2aBcDeFgH,Mirada HP,Xa1bC2dE3fG,"
        "ANC 1st visit,202402,February 2024,\n"
    )
    text("pivot_hierarchy.csv", pivot_h)
    workbook("pivot.xlsx", {"Sheet1": [r.split(",") for r in pivot.strip().split("\n")]})
    # --- encodings and separators
    cp = "Facility;Period;Visits\nCentre de Santé Kalumbe;202401;120\nPoste de Santé Évora;202401;85\n"
    text("cp1252_accents.csv", cp, "cp1252")
    text("latin1_accents.csv", cp.replace("é", "è"), "latin-1")
    text("utf8_accents.csv", cp)
    text("tab_separated.tsv", cp.replace(";", "\t"))
    text("pipe_separated.txt", cp.replace(";", "|"))
    text("wrong_delimiter.csv", "Facility Period Visits\nKalumbe 202401 120\nMirada 202401 85\n")
    # --- number styles
    text(
        "thousands_commas.csv",
        'Facility,Period,Population\nKalumbe,2024,"1,234"\nMirada,2024,"12,500"\n',
    )
    text("decimal_commas.csv", "Facility;Period;Rate\nKalumbe;202401;1,5\nMirada;202401;12,25\n")
    text(
        "european_thousands.csv",
        "Facility;Period;Population\nKalumbe;2024;1.234,5\nMirada;2024;12.500,0\n",
    )
    text(
        "space_thousands.csv",
        "Facility;Period;Population\nKalumbe;2024;1 234\nMirada;2024;12 500\n",
    )
    text(
        "text_in_numbers.csv",
        "Facility,Period,Visits\nKalumbe,202401,12\nMirada,202401,n/a\nTamari,202401,twelve\n",
    )
    # --- wide tables
    text("wide_months.csv", "\n".join(",".join(str(c) for c in r) for r in WIDE_ROWS) + "\n")
    text("wide_dhis2_codes.csv", "Facility,202401,202402,202403\nKalumbe,1,2,3\nMirada,4,,6\n")
    workbook("wide_months.xlsx", {"Data": WIDE_ROWS})
    # --- Excel oddities
    workbook(
        "xlsx_title_rows.xlsx",
        {
            "Data": [
                ["Lakeside District: monthly visits"],
                ["Source: facility registers"],
                [],
                ["Facility", "Period", "Visits"],
                ["Kalumbe", "202401", 120],
                ["Mirada", "202401", 85],
            ]
        },
        merges={"Data": ["A1:C1"]},
    )
    workbook(
        "xlsx_merged_cells.xlsx",
        {
            "Data": [
                ["Quarterly report", None, None],
                ["Facility", "Period", "Visits"],
                ["Kalumbe", "2024Q1", 300],
                [None, "2024Q2", 310],
                ["Mirada", "2024Q1", 200],
            ]
        },
        merges={"Data": ["A1:C1", "A3:A4"]},
    )
    workbook(
        "xlsx_several_sheets.xlsx",
        {
            "Notes": [["Read me first"], ["This workbook holds the visits."]],
            "Visits": [
                ["Facility", "Period", "Visits"],
                ["Kalumbe", "202401", 120],
                ["Mirada", "202402", 85],
            ],
            "Staff": [["Facility", "Nurses"], ["Kalumbe", 4]],
        },
    )
    workbook("xlsx_empty_sheet.xlsx", {"Sheet1": []})
    workbook(
        "xlsx_numbers_as_periods.xlsx",
        {
            "Sheet1": [
                ["Facility", "Period", "Visits"],
                ["Kalumbe", 202401, 120],
                ["Mirada", 202402, "85"],
            ]
        },
    )
    # --- wrong file types
    raw("zero_bytes.xlsx", b"")
    raw("xlsx_renamed.csv", (HERE / "xlsx_several_sheets.xlsx").read_bytes())
    raw("csv_renamed.xlsx", cp.encode("utf-8"))
    rng = np.random.default_rng(20240501)
    raw("binary_junk.bin", rng.integers(0, 256, size=4096, dtype=np.uint8).tobytes())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", "not a workbook")
    raw("zip_not_xlsx.xlsx", buffer.getvalue())
    raw("truncated.xlsx", (HERE / "wide_months.xlsx").read_bytes()[:300])
    raw("old_excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    text("pdf_renamed.csv", "%PDF-1.4\n%binary\n1 0 obj\n")
    text("html_page.csv", "<!DOCTYPE html><html><body>Login</body></html>\n")
    text("single_column.csv", "Visits\n12\n14\n")
    text("no_period_column.csv", "Facility,Visits\nKalumbe,12\nMirada,14\n")
    text("ragged_rows.csv", "Facility,Period,Visits\nKalumbe,202401,12,extra\nMirada,202401,14\n")
    layouts()


def xls(name: str, sheets: dict[str, list[list]]) -> None:
    """An old-style Excel file (.xls), as many DHIS2 versions download (xlwt
    writes no date into the file, so the bytes are the same every time)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for sheet_name, rows in sheets.items():
        ws = book.add_sheet(sheet_name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    raw(name, buffer.getvalue())


def layouts() -> None:
    """One file per DHIS2 download layout and dialect (see phcpm.io.layouts)."""
    text(
        "layout_pivot_table_metadata.csv",
        "periodid,periodname,periodcode,perioddescription,orgunitlevel1,orgunitlevel2,"
        "organisationunitid,organisationunitname,organisationunitcode,"
        "organisationunitdescription,ANC 1st visit,ANC 4th visit\n"
        "202401,January 2024,202401,,Sarona,Lakeside,Ou1aBcDeFgH,Kalumbe CHC,,,12,8\n"
        "202401,January 2024,202401,,Sarona,Lakeside,Ou2aBcDeFgH,Kalumbe CHC,,,5,\n"
        "202402,February 2024,202402,,Sarona,Upland,Ou3aBcDeFgH,Mirada HP,,,14,9\n",
    )
    text(
        "layout_dvs_short_headings.csv",
        "de,pe,ou,coc,aoc,value\n"
        f"{DE[0]},202401,{OU[0]},CocFemale01,{AOC},3\n"
        f"{DE[0]},202401,{OU[0]},CocMale0001,{AOC},4\n"
        f"{DE[1]},202401,{OU[1]},CocFemale01,{AOC},6\n",
    )
    text(
        "layout_dvs_space_after_comma.csv",
        '"dataelement", "period", "orgunit", "value"\n'
        f'"{DE[0]}", "2017-01", " {OU[0]} ", "7"\n'
        f'"{DE[0]}", "2017-02", "{OU[0]}", "9"\n',
    )
    text(
        "layout_dvs.json",
        '{"dataSet":"pBOMPrpg1QX","period":"202401","orgUnit":"' + OU[0] + '","dataValues":['
        '{"dataElement":"' + DE[0] + '","value":"5"},'
        '{"dataElement":"' + DE[1] + '","value":"6","deleted":false},'
        '{"dataElement":"' + DE[1] + '","period":"202402","value":"8","deleted":true}]}\n',
    )
    text(
        "layout_analytics.json",
        '{"headers":[{"name":"dx","column":"Data"},{"name":"pe","column":"Period"},'
        '{"name":"ou","column":"Organisation unit"},{"name":"value","column":"Value"}],'
        '"metaData":{"items":{"' + DE[0] + '":{"name":"ANC 1st visit"},'
        '"' + OU[0] + '":{"name":"Kalumbe CHC"}}},'
        '"rows":[["' + DE[0] + '","202401","' + OU[0] + '","12"],'
        '["' + DE[0] + '","202402","' + OU[0] + '","3.5"]]}\n',
    )
    text(
        "layout_periods_portuguese.csv",
        "Data,Organisation unit,janeiro 2024,fevereiro 2024,mar\u00e7o 2024\n"
        "ANC 1st visit,Kalumbe CHC,1,2,3\nANC 1st visit,Mirada HP,4,,6\n",
    )
    text(
        "layout_period_and_item_headings.csv",
        "Organisation unit,May 2025 Child Health - Reporting rate,"
        "June 2025 Child Health - Reporting rate\nKalumbe CHC,90,80\nMirada HP,70,\n",
    )
    text(
        "layout_item_and_orgunit_headings.csv",
        "Period,ANC 1st visit Kalumbe CHC,ANC 1st visit Mirada HP,Penta3 Kalumbe CHC,"
        "Penta3 Mirada HP\nJanuary 2024,1,2,3,4\nFebruary 2024,5,6,7,\n",
    )
    text(
        "layout_year_month.csv",
        "Facility,Year,Month,Visits\nKalumbe,2024,January,12\nKalumbe,2024,2,13\n",
    )
    xls(
        "layout_pivot_title_rows.xls",
        {
            "Checks": [["Check", "Result"], ["Completeness", "OK"]],
            "Data": [
                ["ANC visits, Lakeside District"],
                [],
                ["Data", "Period", "Organisation unit", "Value"],
                ["ANC 1st visit", "January 2024", "Kalumbe CHC", 12],
                ["ANC 1st visit", "January 2024", "Mirada HP", 8],
            ],
        },
    )


if __name__ == "__main__":
    main()
