"""The SPC core as a package: its layout, its doctests, the limit functions and the helpers
the chart tool calls (point numbers typed as text, the baseline, titles, file series)."""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import pkgutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from phcpm import spc
from phcpm.errors import InputError
from phcpm.io import read_table
from phcpm.spc.limits import LIMITS, Part

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "phcpm" / "spc"
MODULES = ["phcpm.spc"] + [
    f"phcpm.spc.{m.name}" for m in pkgutil.iter_modules(spc.__path__) if not m.ispkg
]

#: Every public name of the single module the package replaced.
OLD_NAMES = """CHARTS CHART_LABELS COMMON_CHARTS MORE_CHARTS QicResult c4 a3 b3 b4 crossings_min
longest_run_max qic swed_eisenhart_pmf runs_limits ihi_rules explain ChartSuggestion
suggest_chart plot_qic parse_series monthly_series cases_between points_table
series_from_table number_columns project_series display_multiply WHOLE_FILE FileSeries
file_series file_series_values""".split()

FILE_ROWS = (
    "facility,month,cases,tested\n"
    + "".join(f"A,2025-{m:02d},{m},{m + 10}\n" for m in range(1, 7))
    + "".join(f"B,2025-{m:02d},{m * 2},{m + 20}\n" for m in range(1, 2))
)


# --------------------------------------------------------------------------- layout


def test_every_old_public_name_still_imports_from_the_package():
    missing = [n for n in OLD_NAMES if not hasattr(spc, n)]
    assert not missing, missing
    assert set(OLD_NAMES) <= set(spc.__all__)
    assert callable(spc.qic) and callable(spc.explain)


@pytest.mark.parametrize("name", MODULES)
def test_each_module_says_what_it_offers_and_it_is_there(name):
    module = importlib.import_module(name)
    assert isinstance(module.__all__, list)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_each_module_is_short(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 600


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_private_name_is_imported_from_another_module(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
        if alias.name.startswith("_") and alias.name != "__future__"
    ]
    assert not private, private


def test_the_docstring_examples_run():
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runs = {m: doctest.testmod(importlib.import_module(m), optionflags=flags) for m in MODULES}
    assert {m: r.failed for m, r in runs.items() if r.failed} == {}
    assert all(r.attempted for r in runs.values())


def test_the_main_functions_have_docstring_examples():
    for function in (spc.qic, spc.explain, spc.suggest_chart, spc.plot_qic, spc.parse_points):
        assert ">>> " in (function.__doc__ or ""), function.__name__


def test_public_functions_have_type_hints():
    missing = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj) and obj.__module__ == name:
                hints = obj.__annotations__
                params = [p for p in inspect.signature(obj).parameters if p not in ("self",)]
                if "return" not in hints or any(p not in hints for p in params):
                    missing.append(f"{name}.{attr}")
    assert not missing, missing


# --------------------------------------------------------------------------- limits


def test_there_is_one_limit_function_for_every_chart_type():
    assert set(LIMITS) == set(spc.CHARTS)
    assert len(set(LIMITS.values())) == len(LIMITS)


@pytest.mark.parametrize("chart", sorted(LIMITS))
def test_each_limit_function_cites_its_source(chart):
    doc = LIMITS[chart].__doc__ or ""
    sources = ("Montgomery", "Laney", "qicharts2", "Anhøj", "Nelson", "Benneyan")
    assert any(s in doc for s in sources), chart


@pytest.mark.parametrize(
    ("chart", "n"),
    [("run", None), ("i", None), ("mr", None), ("t", None), ("c", None), ("g", None)]
    + [("p", "n"), ("pp", "n"), ("u", "n"), ("up", "n")],
)
def test_a_limit_function_gives_the_lines_qic_draws(chart, n):
    y = np.array([12.0, 15, 11, 14, 13, 19, 12, 16, 14, 13])
    denominators = np.array([30.0, 32, 28, 35, 31, 33, 30, 34, 29, 32])
    lines = LIMITS[chart](Part.from_values(y, denominators if n else None))
    result = spc.qic(y, denominators if n else None, chart=chart)
    for key in ("y", "cl", "lcl", "ucl"):
        np.testing.assert_allclose(lines[key], result.data[key], rtol=1e-12, equal_nan=True)


def test_the_c_chart_limits_follow_montgomery_7_17():
    lines = LIMITS["c"](Part.from_values([12.0, 15, 11, 14, 13]))
    assert lines["cl"][0] == 13.0
    assert lines["ucl"][0] == pytest.approx(13 + 3 * np.sqrt(13))
    assert lines["lcl"][0] == pytest.approx(13 - 3 * np.sqrt(13))


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", None), ("   ", None), ("16", [16]), ("12, 24", [12, 24]), ("12; 24 ;", [12, 24])],
)
def test_point_numbers_typed_as_text(text, expected):
    assert spc.parse_points(text) == expected


def test_point_numbers_that_are_not_numbers_are_refused_where_they_were_typed():
    with pytest.raises(InputError) as caught:
        spc.parse_points("after 12", where="the box 'Split after point'")
    message = str(caught.value)
    assert "'after 12' is not a list of point numbers" in message
    assert "the box 'Split after point'" in message
    assert "12, 24" in message


@pytest.mark.parametrize(
    ("points", "n_points", "expected"),
    [(None, 24, None), (0, 24, None), (12, 24, 12), (23, 24, 23), (24, 24, None), (60, 24, None)],
)
def test_a_baseline_covering_every_point_is_no_baseline(points, n_points, expected):
    assert spc.baseline_points(points, n_points) == expected


def test_the_span_of_a_series_names_its_first_and_last_points():
    pasted = spc.parse_series("2025-01, 17, 30\n2025-02, 24, 36\n2025-03, 19, 32")
    assert spc.series_span(pasted) == ("2025-01", "2025-03")
    numbered = spc.parse_series("17\n24\n19\n22")
    assert spc.series_span(numbered) == ("1", "4")
    dated = pd.DataFrame({"x": pd.to_datetime(["2025-01-06", "2025-03-31"]), "y": [1, 2]})
    assert spc.series_span(dated) == ("2025-01-06", "2025-03-31")


@pytest.mark.parametrize(
    ("element", "denominator", "place", "title"),
    [
        ("cases", "tested", "A", "cases / tested, A"),
        ("cases", None, "A", "cases, A"),
        ("value", None, spc.WHOLE_FILE, "values"),
        ("value", "tested", spc.WHOLE_FILE, "values / tested"),
    ],
)
def test_the_title_of_a_file_series(element, denominator, place, title):
    assert spc.file_series_title(element, denominator, place) == title


def test_a_file_lists_its_places_and_what_is_counted_there():
    source = spc.file_series(read_table(FILE_ROWS.encode(), filename="x.csv"))
    assert source.places() == ["A", "B"]
    assert source.elements("A") == [
        ("cases (6 periods)", "cases"),
        ("tested (6 periods)", "tested"),
    ]
    assert source.elements("B") == [("cases (1 period)", "cases"), ("tested (1 period)", "tested")]
    assert source.elements("C") == []
    notes = source.read_notes("x.csv")
    assert notes[0].startswith("Read 'x.csv': 4 series (2 places × what is counted).")
    assert notes[1:] == source.notes
    assert source.read_notes()[0].startswith("Read your file: 4 series")


def test_the_summary_for_export_has_plain_headings():
    result = spc.qic([3, 5, 2, 4, 6, 3, 12, 4], chart="c")
    table = spc.summary_table(result)
    assert list(table.columns) == [spc.SUMMARY_HEADINGS[c] for c in result.summary.columns]
    assert table["Points outside the limits"].tolist() == [1]
    assert result.summary.columns[0] == "part"  # the result itself is unchanged
