"""Reading, tidying, checking and exporting user tables (phcpm.io)."""

from __future__ import annotations

import csv
import hashlib
import io
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
    check_pairs,
    figure_bytes,
    guess_mapping,
    read_table,
    suggest_mapping,
    table_from_frame,
    tidy,
    to_csv_bytes,
    to_excel_bytes,
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
    with pytest.raises(InputError, match="no column called 'Nope'"):
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


def _must_be_data_or_input_error(data: bytes):
    try:
        table = read_table(data)
    except InputError as err:
        assert str(err)
        return
    try:
        result = tidy(table)
    except InputError as err:
        assert str(err)
        return
    assert list(result.data.columns[:4]) == ["org_unit", "period", "data_element", "value"]


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
