"""Every layout DHIS2 (and Excel) writes loads right, makes the tool ask, or is refused.

The files in ``tests/corpus/dhis2/`` are shaped the way DHIS2 writes its downloads
(data value sets in CSV and JSON, analytics responses, pivot-table and Data
Visualizer downloads, XLSX and the older XLS) and the way Excel saves them again.
``tests/corpus/dhis2/README.md`` names the source of every shape: the DHIS2 Web API
documentation and DHIS2's own code (dhis2-core ``CsvDataValueSetWriter``,
``CsvDataValueSetReader``, ``GridUtils``, the ``ReportTable`` column constants).
``expected.json`` holds each file's exact outcome, computed by ``make_fixtures.py``
from the records written into the file, never from what a reader makes of it.

For a file that loads, the tidy data must have exactly the expected number of rows,
the expected total (to 1e-9), the expected numbers of org units, periods and data
elements, the expected columns, and the expected values at a few spot keys; no value
may be a period code or a code from a name column, and no place or data element may
be a period. A file that must be refused raises ``InputError`` (not a question), and
a file whose headings cannot say which column is which raises ``NeedsMapping``; the
message must name the cause in words a manager understands.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path

import pandas as pd
import pytest

import phcpm.io as pio
from phcpm.errors import InputError
from phcpm.periods import parse_period

CORPUS = Path(__file__).parent / "corpus" / "dhis2"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
NOT_FIXTURES = {"expected.json", "README.md", "make_fixtures.py", "LICENSE-dhis2-core.txt"}
FIXTURES = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name not in NOT_FIXTURES)

NeedsMapping = getattr(pio, "NeedsMapping", None)

CORE_COLUMNS = ("org_unit", "period", "data_element", "value")


def names_with(outcome: str) -> list[str]:
    return sorted(name for name, entry in EXPECTED.items() if entry["outcome"] == outcome)


# ---------------------------------------------------------------------------
# The checker: pure functions, tested below against right and wrong expectations
# ---------------------------------------------------------------------------


def _same_period(value, target: pd.Period) -> bool:
    if not isinstance(value, pd.Period):
        return False
    try:
        return value.freqstr == target.freqstr and value == target
    except (TypeError, ValueError):
        return False


def _is_period_text(text) -> bool:
    """True when ``text`` reads as a period (a code such as 202401 or a name such as 'January 2024')."""
    if not isinstance(text, str) or not text.strip():
        return False
    try:
        parse_period(text)
    except ValueError:  # InputError is a ValueError
        return False
    return True


def _labels(label) -> list:
    """A spot label, or a list of labels that are equally right (a UID and its name)."""
    return list(label) if isinstance(label, list) else [label]


def check_data(df: pd.DataFrame, expected: dict) -> list[str]:
    """Every way ``df`` differs from ``expected``, in words; an empty list when it matches."""
    missing = [c for c in CORE_COLUMNS if c not in df.columns]
    if missing:
        return [f"tidy data lacks the column(s) {missing}; it has {list(df.columns)}"]
    problems = []
    if len(df) != expected["rows"]:
        problems.append(f"{len(df)} rows, expected {expected['rows']}")
    for column in CORE_COLUMNS:
        if df[column].isna().any():
            problems.append(f"{int(df[column].isna().sum())} empty cell(s) in '{column}'")
    if not pd.api.types.is_float_dtype(df["value"]):
        problems.append(f"'value' is of type {df['value'].dtype}, expected float")
        return problems
    total = float(df["value"].sum())
    if not math.isclose(total, expected["total"], rel_tol=0, abs_tol=1e-9):
        problems.append(f"total {total!r}, expected {expected['total']!r}")
    for column, key in (
        ("org_unit", "org_units"),
        ("period", "periods"),
        ("data_element", "data_elements"),
    ):
        count = int(df[column].nunique())
        if count != expected[key]:
            problems.append(f"{count} distinct {key}, expected {expected[key]}")
    not_periods = [v for v in df["period"] if not isinstance(v, pd.Period)]
    if not_periods:
        problems.append(
            f"'period' holds {len(not_periods)} value(s) that are not periods, e.g. {not_periods[0]!r}"
        )
    for column in expected.get("columns_present", []):
        if column not in df.columns:
            problems.append(f"column '{column}' is missing")
    forbidden = set(expected.get("forbidden_values", []))
    taken = sorted(forbidden & set(df["value"].tolist()))
    if taken:
        problems.append(f"values {taken} are period codes or codes from a name column")
    for column in ("org_unit", "data_element"):
        periods_there = sorted({v for v in df[column].dropna().unique() if _is_period_text(v)})
        if periods_there:
            problems.append(f"'{column}' holds periods: {periods_there[:5]}")
    identity = ["org_unit", "period", "data_element"] + [
        c for c in ("category_option_combo", "attribute_option_combo") if c in df.columns
    ]
    if "category_option_combo" in expected.get("columns_present", []):
        duplicated = int(df.duplicated(identity).sum())
        if duplicated:
            problems.append(f"{duplicated} row(s) repeat the same {identity}")
    for org_unit, name in expected.get("org_unit_names", {}).items():
        if "org_unit_name" not in df.columns:
            break  # reported above as a missing column
        names = set(df.loc[df["org_unit"] == org_unit, "org_unit_name"])
        if names != {name}:
            problems.append(
                f"org unit {org_unit} is named {sorted(map(str, names))}, expected {name!r}"
            )
    for org_unit, levels in expected.get("hierarchy", {}).items():
        rows = df[df["org_unit"] == org_unit]
        for level, place in enumerate(levels, start=1):
            column = f"orgunitlevel{level}"
            if column in df.columns and set(rows[column]) != {place}:
                found = sorted(map(str, set(rows[column])))
                problems.append(f"org unit {org_unit} has {column} {found}, expected {place!r}")
    for org_unit, code, data_element, coc, value in expected["spot"]:
        target = parse_period(code)
        same = [_same_period(p, target) for p in df["period"]]
        mask = (df["org_unit"] == org_unit) & pd.Series(same, index=df.index, dtype=bool)
        if data_element is not None:
            mask &= df["data_element"].isin(_labels(data_element))
        if coc is not None:
            if "category_option_combo" not in df.columns:
                problems.append("no 'category_option_combo' column for the spot check")
                continue
            mask &= df["category_option_combo"].isin(_labels(coc))
        key = (org_unit, code, data_element, coc)
        if not mask.any():
            problems.append(f"no row for {key}")
            continue
        got = float(df.loc[mask, "value"].sum())
        if not math.isclose(got, value, rel_tol=0, abs_tol=1e-9):
            problems.append(f"value {got!r} for {key}, expected {value!r}")
    return problems


def message_names_cause(message: str, groups: list[list[str]]) -> bool:
    """True when ``message`` holds one word of every group (case does not matter)."""
    text = message.lower()
    return all(any(word.lower() in text for word in group) for group in groups)


# ---------------------------------------------------------------------------
# Loading a fixture, and proving the user's file is left as it was
# ---------------------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(name: str):
    """(error, result): ``InputError`` raised by read_table or tidy, or the tidy result."""
    path = CORPUS / name
    before = _digest(path)
    try:
        result = pio.tidy(pio.read_table(path))
    except InputError as err:
        error, result = err, None
    else:
        error = None
    assert _digest(path) == before, f"reading {name} changed the file"
    return error, result


# ---------------------------------------------------------------------------
# The corpus itself
# ---------------------------------------------------------------------------


def test_every_fixture_has_one_expectation_and_a_source():
    assert FIXTURES, "no fixture files"
    assert sorted(EXPECTED) == FIXTURES
    for name, entry in EXPECTED.items():
        assert entry["layout"] and entry["source"], name
        assert entry["outcome"] in {"data", "refused", "asks"}, name
        if entry["outcome"] == "data":
            assert entry["rows"] >= 5 and entry["rows"] <= 60, name
            assert 2 <= len(entry["spot"]) <= 3, name
        else:
            assert entry["message_contains"], name
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for name in FIXTURES:
        assert f"`{name}`" in readme, f"README.md does not describe {name}"


def test_the_corpus_covers_every_outcome():
    assert len(names_with("data")) >= 25
    assert names_with("refused") and names_with("asks")


# ---------------------------------------------------------------------------
# The checker can fail: a wrong expectation or wrong data is caught
# ---------------------------------------------------------------------------


def _right_pair() -> tuple[pd.DataFrame, dict]:
    df = pd.DataFrame(
        {
            "org_unit": ["Qw3rTy7UiOp", "Qw3rTy7UiOp", "As5dFg2HjKl", "As5dFg2HjKl", "As5dFg2HjKl"],
            "period": [parse_period(c) for c in ("202401", "202401", "202401", "202402", "202402")],
            "data_element": ["Jtf34kNZhzP"] * 5,
            "category_option_combo": [
                "pQ2wE8rT5yU",
                "mN6bV1cX3zL",
                "pQ2wE8rT5yU",
                "pQ2wE8rT5yU",
                "mN6bV1cX3zL",
            ],
            "value": [14.0, 11.0, 9.0, 7.5, 30.0],
            "org_unit_name": [
                "Bo Hospital",
                "Bo Hospital",
                "Ngelehun CHC",
                "Ngelehun CHC",
                "Ngelehun CHC",
            ],
            "orgunitlevel1": ["Sierra Leone"] * 5,
            "orgunitlevel2": ["Bo"] * 5,
            "orgunitlevel3": ["Kakua", "Kakua", "Badjia", "Badjia", "Badjia"],
        }
    )
    expected = {
        "outcome": "data",
        "rows": 5,
        "total": 71.5,
        "org_units": 2,
        "periods": 2,
        "data_elements": 1,
        "columns_present": ["category_option_combo", "org_unit_name"],
        "forbidden_values": [202401.0, 202402.0, 10231.0],
        "org_unit_names": {"Qw3rTy7UiOp": "Bo Hospital", "As5dFg2HjKl": "Ngelehun CHC"},
        "hierarchy": {"As5dFg2HjKl": ["Sierra Leone", "Bo", "Badjia"]},
        "spot": [
            ["Qw3rTy7UiOp", "202401", "Jtf34kNZhzP", "mN6bV1cX3zL", 11.0],
            ["As5dFg2HjKl", "202402", None, None, 37.5],
        ],
    }
    return df, expected


def test_checker_accepts_right_data():
    df, expected = _right_pair()
    assert check_data(df, expected) == []
    either = copy.deepcopy(expected)
    either["spot"][0][2] = ["Jtf34kNZhzP", "ANC 1st visit"]
    either["spot"][0][3] = ["Male", "mN6bV1cX3zL"]
    assert check_data(df, either) == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: e.update(rows=6),
        lambda e: e.update(total=71.5 + 1e-6),
        lambda e: e.update(org_units=3),
        lambda e: e.update(periods=1),
        lambda e: e.update(data_elements=2),
        lambda e: e["columns_present"].append("attribute_option_combo"),
        lambda e: e["forbidden_values"].append(30.0),
        lambda e: e["spot"][0].__setitem__(4, 14.0),
        lambda e: e["spot"][1].__setitem__(1, "202403"),
        lambda e: e["spot"][0].__setitem__(3, "HllvX50cXC0"),
        lambda e: e["spot"][1].__setitem__(1, "2024Q1"),
        lambda e: e["spot"][0].__setitem__(2, ["ANC 1st visit", "Jtf34kNZhzQ"]),
        lambda e: e["org_unit_names"].update({"As5dFg2HjKl": "Bo Hospital"}),
        lambda e: e["hierarchy"].update({"As5dFg2HjKl": ["Sierra Leone", "Bo", "Kakua"]}),
    ],
    ids=[
        "rows", "total", "org_units", "periods", "data_elements", "column", "forbidden",
        "spot_value", "spot_missing", "spot_coc", "spot_other_period_type", "spot_labels",
        "name", "hierarchy",
    ],
)  # fmt: skip
def test_checker_rejects_a_wrong_expectation(tamper):
    df, expected = _right_pair()
    wrong = copy.deepcopy(expected)
    tamper(wrong)
    assert check_data(df, wrong), "a tampered expectation passed the checker"


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.assign(value=[14.0, 11.0, 9.0, 7.5, 202402.0]),
        lambda d: d.assign(value=d["value"].astype(str)),
        lambda d: d.assign(org_unit=["202401"] * 5),
        lambda d: d.assign(data_element=["January 2024"] * 5),
        lambda d: d.assign(period=["202401"] * 5),
        lambda d: d.drop(columns="category_option_combo"),
        lambda d: d.drop(columns="data_element"),
        lambda d: pd.concat([d, d.iloc[[0]]], ignore_index=True),
        lambda d: d.iloc[:4],
        lambda d: d.assign(value=[14.0, 11.0, 9.0, 7.5, float("nan")]),
        lambda d: d.assign(org_unit_name=["Bo Hospital"] * 5),
        lambda d: d.assign(orgunitlevel3=["Kakua"] * 5),
    ],
    ids=[
        "value_is_period_code", "value_is_text", "place_is_period", "item_is_period_name",
        "period_not_parsed", "coc_dropped", "no_data_element", "duplicate_row", "row_lost",
        "empty_value", "name_lost", "hierarchy_wrong",
    ],
)  # fmt: skip
def test_checker_rejects_wrong_data(spoil):
    df, expected = _right_pair()
    assert check_data(spoil(df), expected), "spoiled data passed the checker"


def test_message_check_needs_every_group():
    assert message_names_cause("The file has headings but no rows", [["heading"], ["row"]])
    assert not message_names_cause("The file has headings only", [["heading"], ["number"]])
    assert message_names_cause("Choose the sheet: Notes, Cover", [["Notes"], ["cover"]])


# ---------------------------------------------------------------------------
# The fixtures against the reader
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", names_with("data"))
def test_file_loads_right(name):
    error, result = load(name)
    assert error is None, f"{name} was not loaded: {error}"
    problems = check_data(result.data, EXPECTED[name])
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", names_with("refused"))
def test_file_is_refused_with_its_cause(name):
    error, result = load(name)
    assert error is not None, f"{name} was accepted with {len(result.data)} rows"
    if NeedsMapping is not None:
        assert not isinstance(error, NeedsMapping), f"{name}: asked instead of refusing: {error}"
    assert message_names_cause(str(error), EXPECTED[name]["message_contains"]), str(error)


@pytest.mark.parametrize("name", names_with("asks"))
def test_file_makes_the_tool_ask(name):
    assert NeedsMapping is not None, "phcpm.io offers no NeedsMapping"
    error, result = load(name)
    assert error is not None, f"{name} was loaded with {len(result.data)} rows instead of asking"
    assert isinstance(error, NeedsMapping), f"{name}: refused instead of asking: {error}"
    assert message_names_cause(str(error), EXPECTED[name]["message_contains"]), str(error)


def test_needs_mapping_is_an_input_error():
    assert NeedsMapping is not None, "phcpm.io offers no NeedsMapping"
    assert issubclass(NeedsMapping, InputError)
