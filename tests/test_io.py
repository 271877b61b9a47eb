"""Reading, tidying, checking and exporting user tables (phcpm.io)."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from phcpm.errors import InputError  # noqa: E402
from phcpm.io import (  # noqa: E402
    MAX_UPLOAD_BYTES,
    NeedsMapping,
    check_pairs,
    figure_bytes,
    guess_mapping,
    read_table,
    suggest_mapping,
    table_from_frame,
    tidy,
    to_csv_bytes,
    to_excel_bytes,
    total_over_disaggregations,
)

CORPUS = Path(__file__).resolve().parent / "corpus"


def test_default_size_cap_is_200_mb():
    assert MAX_UPLOAD_BYTES == 200 * 1024 * 1024


def test_size_cap_gives_a_clear_message(tmp_path):
    data = b"Facility,Period,Visits\n" + b"Kalumbe,202401,12\n" * 100
    with pytest.raises(InputError, match="too big"):
        read_table(data, max_bytes=500)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match="the limit is"):
        read_table(path, max_bytes=500)
    assert len(read_table(data, max_bytes=10_000).data) == 100


@pytest.mark.parametrize("name", ["dvs_mixed_problems.csv", "xlsx_merged_cells.xlsx"])
def test_the_users_file_is_never_changed(name, tmp_path):
    path = tmp_path / name
    path.write_bytes((CORPUS / name).read_bytes())
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    tidy(read_table(path))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written beside it


def test_path_bytes_and_file_object_give_the_same_table():
    path = CORPUS / "dvs_ok.csv"
    a = read_table(path)
    b = read_table(path.read_bytes())
    with open(path, "rb") as handle:
        c = read_table(handle)
    pd.testing.assert_frame_equal(a.data, b.data)
    pd.testing.assert_frame_equal(a.data, c.data)
    assert a.source_name == c.source_name == "dvs_ok.csv"


def test_missing_file_and_wrong_sheet_are_plain_errors(tmp_path):
    with pytest.raises(InputError, match="was not found"):
        read_table(tmp_path / "nothing.csv")
    with pytest.raises(InputError, match="no sheet called 'Visit'") as info:
        read_table(CORPUS / "xlsx_several_sheets.xlsx", sheet="Visit")
    assert "'Visits'" in str(info.value)
    table = read_table(CORPUS / "xlsx_several_sheets.xlsx", sheet="Staff")
    assert table.sheet == "Staff" and table.sheets == ["Notes", "Visits", "Staff"]


def test_tidy_keeps_first_of_conflicting_duplicates_and_reports_rows_as_in_the_file():
    result = tidy(read_table(CORPUS / "dvs_mixed_problems.csv"))
    report = result.report
    assert list(report.columns) == ["row", "column", "value", "problem", "action"]
    row13 = report[report["row"] == 3].iloc[0]
    assert (row13["column"], row13["value"]) == ("period", "202413")
    conflict = report[report["row"] == 15].iloc[0]
    assert conflict["value"] == "99" and "row 6" in conflict["problem"]
    assert "Rows dropped: 6." in result.summary
    assert not result.data.duplicated(["org_unit", "period", "data_element"]).any()


def test_tidy_with_an_explicit_mapping_and_kept_columns():
    data = (
        b"Site;Mois;Indicateur;Nombre;Comment\n"
        b"Kalumbe;janvier 2024;CPN1;12;ok\nMirada;f\xc3\xa9vrier 2024;CPN1;1 204;\n"
    )
    table = read_table(data)
    mapping = {"Site": "org_unit", "Mois": "period", "Indicateur": "data_element"}
    mapping["Nombre"] = "value"
    result = tidy(table, mapping=mapping, keep=["Comment"])
    assert result.data["value"].tolist() == [12.0, 1204.0]
    assert [str(p) for p in result.data["period"]] == ["2024-01", "2024-02"]
    assert result.data["Comment"].tolist() == ["ok", ""]
    with pytest.raises(InputError, match=r"table lacks the column\(s\) Nope\b"):
        tidy(table, mapping={"Nope": "value"})


def test_guess_mapping_reads_english_french_portuguese_and_content():
    en = pd.DataFrame({"Facility": ["A"], "Month": ["202401"], "Value": ["3"]})
    assert guess_mapping(en) == {"Facility": "org_unit", "Month": "period", "Value": "value"}
    fr = pd.DataFrame({"Établissement": ["A"], "Période": ["202401"], "Valeur": ["3"]})
    assert set(guess_mapping(fr).values()) == {"org_unit", "period", "value"}
    pt = pd.DataFrame({"Unidade sanitária": ["A"], "Mês": ["2024-01"], "Valor": ["3"]})
    assert guess_mapping(pt) == {"Unidade sanitária": "org_unit", "Mês": "period", "Valor": "value"}
    anon = pd.DataFrame({"x": ["Kalumbe", "Mirada"], "y": ["202401", "202402"], "z": ["1", "2"]})
    assert guess_mapping(anon) == {"x": "org_unit", "y": "period", "z": "value"}


def test_check_pairs_finds_numerators_above_denominators():
    # A coverage above 100% (numerator > denominator) is a data-quality flag in
    # WHO, Analysis and use of health facility data (2019).
    data = pd.DataFrame(
        {
            "org_unit": ["A", "A", "B", "B"],
            "period": [pd.Period("2024-01", "M")] * 4,
            "data_element": ["Penta3", "Live births", "Penta3", "Live births"],
            "value": [120.0, 100.0, 80.0, 100.0],
        }
    )
    bad = check_pairs(data, "Penta3", "Live births")
    assert bad["org_unit"].tolist() == ["A"]
    assert bad["numerator"].tolist() == [120.0] and bad["denominator"].tolist() == [100.0]
    wide = pd.DataFrame({"org_unit": ["A", "B"], "num": [5, 9], "den": [6, 8]})
    assert check_pairs(wide, "num", "den")["org_unit"].tolist() == ["B"]
    with pytest.raises(InputError):
        check_pairs(data, "Penta3", "Deliveries")


def test_csv_export_neutralises_formulas_but_keeps_numbers():
    df = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3", "\tx", "Santé", "-5"],
            "value": [1.5, -2.0, 3.0, -4.0, 5.0, 6.0, 7.0],
        }
    )
    raw = to_csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["name", "value"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "1.5"]
    assert rows[2] == ["'+1+1", "-2.0"]  # a negative number stays a number
    assert rows[3] == ["'@SUM(A1)", "3.0"]
    assert rows[4] == ["'-2+3", "-4.0"]
    assert rows[5] == ["'\tx", "5.0"]
    assert rows[6] == ["Santé", "6.0"]
    assert rows[7] == ["-5", "7.0"]  # text that is a plain number is left alone
    assert df["name"].iloc[0].startswith("=")  # the input is not changed


def test_excel_export_is_formatted_and_reproducible():
    df = pd.DataFrame(
        {
            "org_unit": ["Kalumbe", "=cmd"],
            "period": pd.PeriodIndex(["2024-01", "2024-02"], freq="M"),
            "value": [1200.0, 3.0],
            "rate": [0.25, 0.5],
        }
    )
    first = to_excel_bytes({"Visits": df, "A/B: long name that goes past thirty-one": df})
    second = to_excel_bytes({"Visits": df, "A/B: long name that goes past thirty-one": df})
    assert first == second
    book = openpyxl.load_workbook(io.BytesIO(first))
    assert book.sheetnames[0] == "Visits" and len(book.sheetnames[1]) <= 31
    ws = book["Visits"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    assert ws["B2"].value == "2024-01"
    assert ws["A3"].value == "'=cmd"
    assert ws["C2"].number_format == "#,##0" and ws["D2"].number_format == "#,##0.00"
    assert ws.column_dimensions["A"].width >= len("org_unit")
    with pytest.raises(InputError):
        to_excel_bytes({})


def test_figure_bytes_png_and_svg_are_reproducible():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [2, 1, 3])
    png = figure_bytes(fig, "png")
    assert png.startswith(b"\x89PNG") and png == figure_bytes(fig, "png")
    svg = figure_bytes(fig, "svg")
    assert svg.lstrip().startswith(b"<?xml") and svg == figure_bytes(fig, "svg")
    with pytest.raises(InputError):
        figure_bytes(fig, "gif")
    plt.close(fig)


def _xlsx_bytes(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_damaged_zip_members_are_plain_errors():
    good = _xlsx_bytes([["Facility", "Period", "Visits"], ["A", "202401", 3]])
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    with pytest.raises(InputError):
        read_table(broken.getvalue())


def _plain_message(err: InputError) -> None:
    """An error a user can read: what is wrong first, no traceback, short."""
    assert err.what and err.what[0].isupper(), err.what
    assert "Traceback" not in str(err) and "Error(" not in str(err)
    assert len(str(err)) < 2000  # at most about ten column names


def _must_be_data_or_input_error(data: bytes):
    """Any input gives checked data or an InputError (NeedsMapping included);
    any other exception is a bug and fails the test."""
    try:
        table = read_table(data)
    except InputError as err:
        _plain_message(err)
        return
    assert len(table.data) > 0  # a file with no data rows is refused by read_table
    try:
        result = tidy(table)
    except NeedsMapping as err:
        _plain_message(err)
        assert err.columns == [str(c) for c in table.data.columns]
        assert all(set(c) <= set(table.data.columns) for c in err.candidates)
        return
    except InputError as err:
        _plain_message(err)
        return
    out = result.data
    assert list(out.columns[:4]) == ["org_unit", "period", "data_element", "value"]
    assert len(out) > 0 and out["value"].dtype == "float64"
    assert np.isfinite(out["value"]).all() and (out["value"] >= 0).all()
    assert all(isinstance(p, pd.Period) for p in out["period"])
    assert (out["org_unit"].astype(str).str.strip() != "").all()
    key = [c for c in out.columns if c in ("org_unit", "period", "data_element")]
    key += [c for c in ("category_option_combo", "attribute_option_combo") if c in out.columns]
    assert not out.duplicated(key).any()
    assert list(result.report.columns) == ["row", "column", "value", "problem", "action"]
    assert result.understood and result.notes[0].startswith("How the columns were understood")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_give_data_or_input_error(data):
    _must_be_data_or_input_error(data)


cell = st.one_of(
    st.sampled_from(["202401", "Jan 2024", "2024Q1", "abc", "", "-3", "1,5", "1.234,5", "=1+1"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    st.integers(-(10**6), 10**20).map(str),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(cell, min_size=1, max_size=5), min_size=0, max_size=8),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_any_table_like_text_gives_data_or_input_error(rows, sep, encoding):
    text = "Facility" + sep + "Period" + sep + "Value\n"
    text += "\n".join(sep.join(r) for r in rows)
    _must_be_data_or_input_error(text.encode(encoding, errors="replace"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(-5, 10**6),
                st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=6),
                st.floats(allow_nan=True),
            ),
            min_size=1,
            max_size=4,
        ),
        max_size=6,
    )
)
def test_any_small_workbook_gives_data_or_input_error(rows):
    _must_be_data_or_input_error(_xlsx_bytes(rows))


DHIS2_HEADINGS = [
    "periodid", "periodname", "organisationunitid", "organisationunitname", "orgunitlevel1",
    "de", "pe", "ou", "coc", "value", "Data", "Period", "Organisation unit", "Value", "Year",
    "Month", "January 2024", "202401", "May 2025 ANC", "ANC Bo Hospital", "x",
]  # fmt: skip
dhis2_cell = st.one_of(
    st.sampled_from(
        ["202401", "January 2024", "Bo", "", "12", "1,5", "n/a", "2024", "1", "true", "=1"]
    ),
    st.text(max_size=5),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(DHIS2_HEADINGS), min_size=1, max_size=6, unique=True),
    st.lists(st.lists(dhis2_cell, min_size=1, max_size=6), max_size=6),
    st.sampled_from([",", ";", "\t"]),
)
def test_any_mix_of_dhis2_headings_gives_data_or_input_error(headings, rows, sep):
    """Every layout's detector and reshaper meets headings of the other layouts."""
    text = sep.join(headings) + "\n" + "\n".join(sep.join(r) for r in rows)
    _must_be_data_or_input_error(text.encode("utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=12),
    st.integers(8, 6000),
)
def test_any_damaged_xls_gives_data_or_input_error_and_prints_nothing(changes, keep):
    good = _xls_bytes(
        {"Data": [["Data", "Period", "Organisation unit", "Value"], ["ANC", "202401", "Bo", 12]]}
    )
    damaged = bytearray(good)
    for where, byte in changes:
        damaged[where % len(damaged)] = byte
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        _must_be_data_or_input_error(bytes(damaged[:keep]))
    assert printed.getvalue() == ""  # the old reader's warnings would land in the tool's page


def test_wide_table_rows_in_report_point_at_the_sheet_row():
    data = _xlsx_bytes(
        [["District report"], ["Facility", "Jan 2024", "Feb 2024"], ["Kalumbe", 4, "x"]]
    )
    table = read_table(data)
    assert table.format == "wide" and table.header_row == 2
    result = tidy(table)
    assert result.report[["row", "column", "value"]].values.tolist() == [[3, "Feb 2024", "x"]]
    assert result.data["value"].tolist() == [4.0]
    assert np.issubdtype(result.data["value"].dtype, np.floating)


# --------------------------------------------------------------------------- DHIS2 fast path

DVS_HEADER = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,"
    "value,storedby,lastupdated,comment,followup"
)


def _dvs(rows: list[str], header: str = DVS_HEADER, sep: str = ",") -> bytes:
    return (header.replace(",", sep) + "\n" + "\n".join(rows) + "\n").encode("utf-8")


def test_data_value_set_reads_only_the_data_columns_and_says_so():
    table = read_table(CORPUS / "dvs_ok.csv")
    assert list(table.data.columns) == [
        "dataelement",
        "period",
        "orgunit",
        "categoryoptioncombo",
        "attributeoptioncombo",
        "value",
        "comment",
    ]
    assert any("'storedby', 'lastupdated', 'followup'" in note for note in table.notes)
    result = tidy(table, keep=["comment"])
    assert result.data["comment"].tolist() == [""] * 18


def test_data_value_set_keeps_text_exactly_as_typed():
    rows = [
        "007,202401,0012,0001,0001,5,k,x,,false",
        "007,0202401,0012,0001,0001,6,k,x,,false",  # not a period: leading zero
        "007,202402,0012,0001,0001,-4,k,x,,false",
    ]
    result = tidy(read_table(_dvs(rows)))
    assert result.data["org_unit"].tolist() == ["0012"]  # leading zeros kept
    assert result.data["data_element"].tolist() == ["007"]
    assert result.data["category_option_combo"].tolist() == ["0001"]
    report = result.report[["row", "value", "problem"]].values.tolist()
    assert report == [
        [3, "0202401", "This is not a period we can read"],
        [4, "-4", "The value is below zero (counts cannot be negative)"],
    ]
    # In a semicolon file "1.234" uses a point between thousands (the values
    # have no other decimal separator), as for any other table.
    semi = _dvs(
        [
            "Xa1bC2dE3fG;202401;Ou1aBcDeFgH;C;A;1.234;k;x;;false",
            "Xa1bC2dE3fG;202402;Ou1aBcDeFgH;C;A;12;k;x;;false",
        ],
        sep=";",
    )
    assert tidy(read_table(semi)).data["value"].tolist() == [1234.0, 12.0]


def test_big_data_value_set_finds_each_problem_row():
    # 6,000 rows: 50 org units x 12 months x 10 data elements, with problems
    # planted at known rows (row numbers count the heading as row 1).
    rng = np.random.default_rng(7)
    rows = [
        f"De{d:09d},2024{m:02d},Ou{o:09d},HllvX50cXC0,HllvX50cXC0,{rng.poisson(30)},k,x,,false"
        for o in range(50)
        for m in range(1, 13)
        for d in range(10)
    ]
    rows[10] = rows[10].replace(",2024", ",2024", 1).replace("202402,", "202413,")
    rows[99] = rows[99].rsplit(",k,", 1)[0].rsplit(",", 1)[0] + ",lots,k,x,,false"
    rows[500] = rows[500].rsplit(",k,", 1)[0].rsplit(",", 1)[0] + ",-3,k,x,,false"
    rows.append(rows[1234])  # exact repeat of file row 1236
    table = read_table(_dvs(rows))
    assert table.format == "dhis2-datavalueset"
    result = tidy(table)
    report = result.report
    assert report["row"].tolist() == [12, 101, 502, 6002]
    assert report["problem"].tolist() == [
        "Month 13 does not exist (months go from 1 to 12)",
        "The value is not a number",
        "The value is below zero (counts cannot be negative)",
        "The same row appears again (first seen on row 1236)",
    ]
    assert len(result.data) == 6000 - 3
    assert isinstance(result.data["period"].dtype, pd.PeriodDtype)


def test_utf8_character_split_across_reading_pieces_is_still_utf8():
    # The whole file is checked in 4 MiB pieces; a two-byte character cut by
    # the piece boundary must not make the file look like Windows text.
    row = "Xa1bC2dE3fG,202401,Ou1aBcDeFgH,C,A,5,k,x,,false\n"
    head = (DVS_HEADER + "\n").encode()
    filler = row.encode() * ((4 * 1024 * 1024 - len(head)) // len(row) - 1)
    pad = (
        4 * 1024 * 1024
        - len(head)
        - len(filler)
        - len(b"Xa1bC2dE3fG,202402,Ou2aBcDeFgH,C,A,6,k,x,")
    )
    data = head + filler + b"Xa1bC2dE3fG,202402,Ou2aBcDeFgH,C,A,6,k,x," + b"x" * (pad - 1)
    data += "é,false\n".encode()
    assert data[4 * 1024 * 1024 - 1 : 4 * 1024 * 1024 + 1] == "é".encode()
    table = read_table(data)
    assert any("UTF-8" in note for note in table.notes)
    assert not any("cp1252" in note for note in table.notes)
    assert table.data["comment"].iloc[-1].endswith("é")


dvs_cell = {
    "id": st.sampled_from(["Xa1bC2dE3fG", "Hk4LmN5oP6q", " Xa1bC2dE3fG ", "007", "", "true"]),
    "period": st.sampled_from(
        ["202401", "202402", "2024Q1", "202413", "0202401", "+202401", "2024", "", "202401.0"]
    ),
    "value": st.sampled_from(
        ["12", "-4", "1.5", "1,5", "1.234", "abc", "", " 7 ", "1e400", "true", "007", "1e10"]
    ),
}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            dvs_cell["id"],
            dvs_cell["period"],
            dvs_cell["id"],
            dvs_cell["id"],
            dvs_cell["value"],
            st.sampled_from([10, 10, 10, 4, 6, 9, 11]),  # cells in the row (ragged rows too)
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([",", ";"]),
)
def test_fast_data_value_set_reading_matches_the_careful_reader(rows, sep):
    """A DHIS2 file read by the fast path gives what the general reader gives for
    the same cells under other headings (with the columns mapped by hand)."""
    lines = [
        sep.join([de, pe, ou, coc, "A", val, "k", "x", "", "false", ""][:width])
        for de, pe, ou, coc, val, width in rows
    ]
    fast_table = read_table(_dvs(lines, sep=sep))
    assert fast_table.format == "dhis2-datavalueset"
    other = "de,pe,ou,coc,aoc,val,who,when,note,follow"
    slow_table = read_table(_dvs(lines, header=other, sep=sep))
    assert slow_table.format != "dhis2-datavalueset"
    mapping = {
        "de": "data_element",
        "pe": "period",
        "ou": "org_unit",
        "coc": "category_option_combo",
        "aoc": "attribute_option_combo",
        "val": "value",
    }
    try:
        fast = tidy(fast_table)
    except InputError as err:  # no usable row: both readers must refuse alike
        with pytest.raises(InputError) as slow_err:
            tidy(slow_table, mapping=mapping)
        assert err.what == slow_err.value.what and err.what.startswith("No row of the table")
        return
    slow = tidy(slow_table, mapping=mapping)
    pd.testing.assert_frame_equal(fast.data, slow.data)
    cols = ["row", "value", "problem", "action"]
    pd.testing.assert_frame_equal(fast.report[cols], slow.report[cols])


def test_a_data_value_set_with_semicolons_and_decimal_commas_is_read_as_one():
    # Found by the property test above: ragged rows whose only comma is a
    # decimal comma split more consistently on "," than on ";".
    lines = [
        ";".join(["Xa1bC2dE3fG", "202401", "Xa1bC2dE3fG", "Xa1bC2dE3fG", "A", "1,5"]),
        ";".join(["Xa1bC2dE3fG", "202401", "Xa1bC2dE3fG", "Xa1bC2dE3fG", "A", "1,5", "k", "x", ""]),
    ]
    table = read_table(_dvs(lines, sep=";"))
    assert table.format == "dhis2-datavalueset"
    assert any("semicolon" in note for note in table.notes)


def test_table_from_frame_numbers_rows_as_a_saved_sheet_and_leaves_the_frame_alone():
    df = pd.DataFrame(
        {"Facility": ["Kalumbe", "Mirada", None], "Month": ["202401", "202401", None]}
    )
    df["Visits"] = [12, -1, None]
    before = df.copy()
    table = table_from_frame(df, source_name="visits")
    assert table.format == "long" and table.source_name == "visits"
    assert list(table.data.index) == [2, 3]  # the empty third row is left out
    result = tidy(table)
    assert result.report["row"].tolist() == [3]
    pd.testing.assert_frame_equal(df, before)
    dvs = read_table(CORPUS / "dvs_ok.csv").data.reset_index(drop=True)
    assert table_from_frame(dvs).format == "dhis2-datavalueset"
    with pytest.raises(InputError):
        table_from_frame("not a table")


def test_suggest_mapping_is_what_tidy_uses():
    dvs = read_table(CORPUS / "dvs_camelcase.csv")
    assert suggest_mapping(dvs) == {
        "dataElement": "data_element",
        "period": "period",
        "orgUnit": "org_unit",
        "value": "value",
        "categoryOptionCombo": "category_option_combo",
        "attributeOptionCombo": "attribute_option_combo",
    }
    wide = read_table(b"Facility,Jan 2024,Feb 2024\nKalumbe,4,5\n")
    assert suggest_mapping(wide) == {"Facility": "org_unit"}
    plain = read_table(b"Site,Month,Visits\nKalumbe,202401,4\n")
    mapping = suggest_mapping(plain)
    assert mapping == {"Site": "org_unit", "Month": "period", "Visits": "value"}
    pd.testing.assert_frame_equal(tidy(plain).data, tidy(plain, mapping=mapping).data)


# --------------------------------------------------------------------------- layouts
# Small files made the way DHIS2 writes them, each with its exact outcome.

PIVOT_META = (
    "periodid,periodname,periodcode,perioddescription,orgunitlevel1,orgunitlevel2,"
    "organisationunitid,organisationunitname,organisationunitcode,organisationunitdescription,"
    "ANC 1st visit,ANC 4th visit,Penta3\n"
    "202401,January 2024,202401,,Sendara,Ruvo,Ou1aBcDeFgH,Kalumbe CHC,KAL,,12,8,30\n"
    "202401,January 2024,202401,,Sendara,Ruvo,Ou2aBcDeFgH,Kalumbe CHC,KA2,,5,,7\n"
    "202402,February 2024,202402,,Sendara,Lowa,Ou3aBcDeFgH,Mirada HP,MIR,,14,9,1\n"
)


def _outcome(result):
    d = result.data
    return (
        len(d),
        float(d["value"].sum()),
        d["org_unit"].nunique(),
        d["period"].nunique(),
        d["data_element"].nunique(),
    )


def test_pivot_with_metadata_columns_reads_one_column_per_data_item():
    table = read_table(PIVOT_META.encode())
    assert table.format == "dhis2-pivot-table"
    result = tidy(table)
    # 3 rows x 3 data columns = 9 cells, one empty: 8 values, total 86
    assert _outcome(result) == (8, 86.0, 3, 2, 3)
    d = result.data
    assert not d["value"].isin([202401.0, 202402.0]).any()
    assert set(d["data_element"]) == {"ANC 1st visit", "ANC 4th visit", "Penta3"}
    # two facilities share a name: the ID is the key, the name is kept for display
    assert d.loc[d["org_unit"] == "Ou2aBcDeFgH", "org_unit_name"].iloc[0] == "Kalumbe CHC"
    assert d.loc[d["org_unit"] == "Ou3aBcDeFgH", "orgunitlevel2"].iloc[0] == "Lowa"
    assert result.report.empty  # an empty cell is no value, not a problem
    assert "1 empty cell(s) (no value reported) were left out." in result.notes
    words = " ".join(result.understood)
    assert "'periodid' is the period" in words and "3 column(s) are data items" in words
    assert "shown by its name 'organisationunitname'" in words


def test_short_headings_keep_category_option_combos_apart():
    data = (
        b"de,pe,ou,coc,aoc,value\n"
        b"Xa1bC2dE3fG,202401,Ou1aBcDeFgH,CocFemale01,HllvX50cXC0,3\n"
        b"Xa1bC2dE3fG,202401,Ou1aBcDeFgH,CocMale0001,HllvX50cXC0,4\n"
        b"Xa1bC2dE3fG,202401,Ou1aBcDeFgH,CocMale0001,HllvX50cXC0,4\n"
    )
    result = tidy(read_table(data))
    assert result.data["org_unit"].tolist() == ["Ou1aBcDeFgH", "Ou1aBcDeFgH"]
    assert result.data["data_element"].tolist() == ["Xa1bC2dE3fG", "Xa1bC2dE3fG"]
    assert result.data["category_option_combo"].tolist() == ["CocFemale01", "CocMale0001"]
    assert result.report["row"].tolist() == [4]  # only the true repeat is dropped
    totals, note = total_over_disaggregations(result.data)
    assert totals["value"].tolist() == [7.0] and "2 disaggregations" in note


def test_space_after_each_comma_and_padded_quoted_ids():
    data = (
        b'"de", "pe", "ou", "value"\n'
        b'"Xa1bC2dE3fG", "2017-01", " Ou1aBcDeFgH ", "7"\n'
        b'"Xa1bC2dE3fG", "2017-02", "\'Ou1aBcDeFgH\'", "9"\n'
    )
    table = read_table(data)
    assert any("followed by a space" in n for n in table.notes)
    result = tidy(table)
    assert _outcome(result) == (2, 16.0, 1, 2, 1)
    assert set(result.data["org_unit"]) == {"Ou1aBcDeFgH"}


def test_json_data_value_set_with_set_defaults_and_deleted_values():
    doc = {
        "dataSet": "pBOMPrpg1QX",
        "period": "202401",
        "orgUnit": "Ou1aBcDeFgH",
        "dataValues": [
            {"dataElement": "Xa1bC2dE3fG", "categoryOptionCombo": "HllvX50cXC0", "value": "5"},
            {"dataElement": "Hk4LmN5oP6q", "value": 6},
            {"dataElement": "Hk4LmN5oP6q", "period": "202402", "value": "8", "deleted": True},
        ],
    }
    result = tidy(read_table(json.dumps(doc).encode()))
    assert _outcome(result) == (2, 11.0, 1, 1, 2)
    assert any("marked deleted" in n for n in result.notes)


def test_json_analytics_response_takes_names_from_the_metadata():
    doc = {
        "headers": [
            {"name": "dx", "column": "Data"},
            {"name": "pe", "column": "Period"},
            {"name": "ou", "column": "Organisation unit"},
            {"name": "value", "column": "Value"},
        ],
        "metaData": {"items": {"Xa1": {"name": "ANC 1st visit"}, "Ou1": {"name": "Kalumbe"}}},
        "rows": [["Xa1", "202401", "Ou1", "12"], ["Xa1", "202402", "Ou1", "3.5"]],
    }
    result = tidy(read_table(json.dumps(doc).encode()))
    assert _outcome(result) == (2, 15.5, 1, 2, 1)
    assert result.data["data_element"].iloc[0] == "ANC 1st visit"
    assert (
        result.data["org_unit"].iloc[0] == "Ou1"
        and result.data["org_unit_name"].iloc[0] == "Kalumbe"
    )
    with pytest.raises(InputError, match="not a DHIS2 data value set"):
        read_table(b'{"something": []}')


@pytest.mark.parametrize(
    "months",
    [
        ("janvier 2024", "f\u00e9vrier 2024"),
        ("janeiro 2024", "fevereiro 2024"),
        ("enero 2024", "febrero 2024"),
        ("202401", "202402"),
    ],
)
def test_periods_as_columns_in_several_languages_and_codes(months):
    text = f"Data,Organisation unit,{months[0]},{months[1]}\nANC 1st visit,Kalumbe,1,2\nANC 1st visit,Mirada,3,\n"
    table = read_table(text.encode("utf-8"))
    assert table.format == "wide"
    result = tidy(table)
    assert _outcome(result) == (3, 6.0, 2, 2, 1)
    assert sorted({str(p) for p in result.data["period"]}) == ["2024-01", "2024-02"]


def test_period_and_data_item_in_one_heading_are_split():
    data = (
        b"Organisation unit,May 2025 Child Health - Reporting rate,June 2025 Child Health - "
        b"Reporting rate,May 2025 ANC 1st visit\nKalumbe,90,80,4\nMirada,70,,5\n"
    )
    table = read_table(data)
    assert table.format == "dhis2-period-item-headings"
    result = tidy(table)
    assert _outcome(result) == (5, 249.0, 2, 2, 2)
    assert set(result.data["data_element"]) == {"Child Health - Reporting rate", "ANC 1st visit"}
    # the place column chosen by hand: the headings are still split
    chosen = tidy(table, mapping={"Organisation unit": "org_unit"})
    pd.testing.assert_frame_equal(chosen.data, result.data)


def test_data_item_and_org_unit_in_one_heading_are_split_when_they_form_a_grid():
    data = (
        b"Period,ANC 1st visit Bo Hospital,ANC 1st visit Ngelehun CHC,Penta3 Bo Hospital,"
        b"Penta3 Ngelehun CHC\nJanuary 2024,1,2,3,4\nFebruary 2024,5,6,7,\n"
    )
    table = read_table(data)
    assert table.format == "dhis2-item-orgunit-headings"
    result = tidy(table)
    assert _outcome(result) == (7, 28.0, 2, 2, 2)
    d = result.data
    assert d.loc[
        (d["org_unit"] == "Ngelehun CHC") & (d["data_element"] == "Penta3"), "value"
    ].tolist() == [4.0]
    assert "2 data item(s) ('ANC 1st visit', 'Penta3')" in " ".join(result.understood)


def test_data_item_and_org_unit_in_one_heading_without_shared_parts_asks():
    data = (
        b"Period,ANC 1st visit Bo Hospital,ANC 4th visit Ngelehun CHC\n"
        b"January 2024,10,11\nFebruary 2024,13,14\n"
    )
    with pytest.raises(NeedsMapping, match="heading") as info:
        tidy(read_table(data))
    assert info.value.columns[0] == "Period"


@pytest.mark.parametrize(
    "month", [("January", "February"), ("1", "2"), ("janvier", "f\u00e9vrier")]
)
def test_separate_year_and_month_columns_make_the_period(month):
    text = f"Facility,Year,Month,Visits\nKalumbe,2024,{month[0]},12\nKalumbe,2024,{month[1]},13\n"
    table = read_table(text.encode("utf-8"))
    assert table.format == "year-month"
    result = tidy(table)
    assert _outcome(result) == (2, 25.0, 1, 2, 1)
    assert [str(p) for p in result.data["period"]] == ["2024-01", "2024-02"]
    assert not result.data["value"].isin([2024.0]).any()


def _xls_bytes(sheets: dict) -> bytes:
    import xlwt

    book = xlwt.Workbook()
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is not None:
                    ws.write(r, c, v)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xls_with_title_rows_and_a_checks_sheet_first():
    data = _xls_bytes(
        {
            "Checks": [["Check", "Result"], ["Completeness", "OK"], ["Timeliness", "OK"]],
            "Data": [
                ["ANC visits, Ruvo District"],
                [],
                ["Data", "Period", "Organisation unit", "Value"],
                ["ANC 1st visit", "January 2024", "Kalumbe CHC", 12],
                ["ANC 1st visit", "January 2024", "Mirada HP", 8.0],
            ],
        }
    )
    table = read_table(data, filename="pivot.xls")
    assert table.container == "xls" and table.sheet == "Data" and table.header_row == 3
    assert any("Sheet 'Checks' comes first" in n for n in table.notes)
    assert _outcome(tidy(table)) == (2, 20.0, 2, 1, 1)
    assert read_table(data, sheet="Checks").sheet == "Checks"
    with pytest.raises(InputError, match="damaged"):
        read_table(data[:600])


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        (b"dataelement,period,orgunit,value\n", "headings but no data rows"),
        (
            b"Facility,Period,Visits\nKalumbe,202401,n/a\nMirada,202401,none\n",
            "no value is a number",
        ),
        (b"facility,period,value\nBo,Round one,25\nBo,Round two,20\n", "no period can be read"),
        (b"de,pe,ou,value\nXa1bC2dE3fG,202413,Ou1aBcDeFgH,3\n", "no period can be read"),
        (b"de,pe,ou,value\nXa1bC2dE3fG,202401,Ou1aBcDeFgH,x\n", "no value is a number"),
    ],
)
def test_files_with_no_usable_row_are_refused_saying_why(data, cause):
    with pytest.raises(InputError) as info:
        tidy(read_table(data))
    assert not isinstance(info.value, NeedsMapping)
    assert cause in str(info.value)


def test_no_guess_puts_a_period_or_a_name_into_the_values():
    # periodcode looks like a number; it must never become the value
    data = b"Facility,periodcode,Visits\nKalumbe,202401,12\nMirada,202402,9\n"
    result = tidy(read_table(data))
    assert result.data["value"].tolist() == [12.0, 9.0]
    assert [str(p) for p in result.data["period"]] == ["2024-01", "2024-02"]
    # the same periods written twice: either column gives them, neither is the value
    both = b"periodname,periodcode,Facility,Visits\nJanuary 2024,202401,Kalumbe,12\n"
    assert tidy(read_table(both)).data["value"].tolist() == [12.0]
    # two period columns that disagree: the reader asks which one
    two = b"start,end,Facility,Visits\n202401,202403,Kalumbe,12\n202402,202404,Kalumbe,9\n"
    with pytest.raises(NeedsMapping, match="period") as info:
        tidy(read_table(two))
    assert all(c.get("Visits") == "value" for c in info.value.candidates)
    anon = b"a,b\nKalumbe,202401\nMirada,202402\n"
    with pytest.raises(NeedsMapping, match="value"):
        tidy(read_table(anon))


def test_messages_name_at_most_ten_columns():
    heads = ",".join(f"Indicator {i} name" for i in range(971))
    row = ",".join("x" for _ in range(971))
    with pytest.raises(InputError) as info:
        tidy(read_table(f"{heads}\n{row}\n".encode()))
    assert "and 961 more" in str(info.value)
    assert str(info.value).count("Indicator") <= 11


DHIS2_LAYOUTS = {
    "datavalueset.csv": "dhis2-datavalueset",
    "datavalueset_short.csv": "dhis2-datavalueset",
    "datavalueset.json": "dhis2-datavalueset",
    "pivot.csv": "dhis2-pivot",
    "pivot.xlsx": "dhis2-pivot",
    "pivot.xls": "dhis2-pivot",
    "pivot_table_layout.csv": "dhis2-pivot-table",
    "pivot_periods_as_columns.csv": "wide",
}


@pytest.mark.parametrize("name", sorted(DHIS2_LAYOUTS))
def test_the_synthetic_district_gives_the_same_tidy_data_in_every_layout(name):
    """Sendara's downloads in every layout hold the same values (phcpm.synth.dhis2)."""
    from phcpm.paths import DATASETS

    table = read_table(DATASETS / "dhis2" / name)
    assert table.format == DHIS2_LAYOUTS[name]
    result = tidy(table)
    # The data value set: 4,307 values of 25 facilities, 12 months, 20 data elements.
    assert _outcome(result) == (4307, 423307.0, 25, 12, 20)
    assert result.report.empty


def test_xls_with_merged_heading_cells_over_two_rows():
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("Data")
    ws.write_merge(0, 0, 0, 3, "ANC visits by facility")
    ws.write_merge(2, 3, 0, 0, "Organisation unit")
    ws.write_merge(2, 2, 1, 3, "Period")  # the label spread over the months below it
    for j, month in enumerate(["January 2024", "February 2024", "March 2024"], start=1):
        ws.write(3, j, month)
    for i, (place, values) in enumerate(
        [("Bo Hospital", [31, 28, 35]), ("Ngelehun CHC", [12, 14, 10])]
    ):
        ws.write(4 + i, 0, place)
        for j, value in enumerate(values, start=1):
            ws.write(4 + i, j, value)
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue())
    assert table.format == "wide" and table.header_row == 4
    assert any("3 merged cell range(s)" in n for n in table.notes)
    assert _outcome(tidy(table)) == (6, 130.0, 2, 3, 1)
