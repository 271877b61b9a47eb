"""Every file of the awkward-file corpus gives exactly the outcome in expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phcpm.errors import InputError
from phcpm.io import read_table, tidy
from phcpm.periods import format_period

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def test_corpus_is_complete():
    files = {
        p.name
        for p in CORPUS.iterdir()
        if p.is_file() and p.suffix != ".py" and p.name != "expected.json"
    }
    assert len(files) >= 40
    assert files == set(EXPECTED), files ^ set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name):
    expected = EXPECTED[name]
    path = CORPUS / name
    if "error" in expected:
        with pytest.raises(InputError) as info:
            read_table(path)
        assert expected["error"] in str(info.value)
        return
    table = read_table(path)
    assert table.format == expected["format"]
    assert len(table.data) == expected["rows_read"]
    if "sheet" in expected:
        assert table.sheet == expected["sheet"]
    if "tidy_error" in expected:
        with pytest.raises(InputError) as info:
            tidy(table)
        assert expected["tidy_error"] in str(info.value)
        return
    result = tidy(table)
    report = result.report
    dropped = int((report["action"] == "row dropped").sum())
    assert len(result.data) == expected["kept"]
    assert dropped == expected["dropped"]
    assert len(report) - dropped == expected["flagged"]
    assert list(result.data.columns[:4]) == ["org_unit", "period", "data_element", "value"]
    assert result.data["value"].dtype == "float64"
    if "problems" in expected:
        got = [[int(r), p] for r, p in zip(report["row"], report["problem"], strict=True)]
        assert got == expected["problems"]
    if "values" in expected:
        assert result.data["value"].tolist() == expected["values"]
    if "org_units" in expected:
        assert result.data["org_unit"].tolist() == expected["org_units"]
    if "note" in expected:
        assert any(expected["note"] in note for note in result.notes), result.notes
    if "periods" in expected:
        assert sorted({str(p) for p in result.data["period"]}) == expected["periods"]
    if "codes" in expected:
        assert [format_period(p) for p in result.data["period"]] == expected["codes"]
