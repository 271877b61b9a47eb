"""phcpm.spc.qic against the output of qicharts2 itself, to 1e-4.

The reference tables in ``tests/data/spc/qicharts2/reference/`` were computed
by the R package qicharts2 (J. Anhøj), version 0.8.1, with
``qic(..., return.data = TRUE)``; ``make_reference.R`` in that folder writes
them from ``cases.csv``, which lists every case: the data file, the chart type
and the ``freeze``, ``part``, ``exclude``, ``multiply`` and moving-range
screening used. The cases cover every chart type of the issue (run, i, mr,
xbar, s, t, p, pp, c, u, up, g) on

* the Montgomery textbook data sets that qicharts2's own tests use
  (D. C. Montgomery, *Introduction to Statistical Quality Control*, 6th ed.,
  Examples 6.3, 6.5, 6.6, 7.1, 7.3, 7.4 and 7.5), with the same ``freeze``,
  ``part`` and ``exclude`` arguments as its tests where they apply;
* the worked examples of the module, built from the synthetic Sendara data
  (``export_sendara.py``): dates as x, a funnel plot with facilities as x,
  subgroups, frozen baselines, parts and excluded points;
* missing values and subgroups of unequal size (``pistonrings_gaps.csv``).

Each point's y, n, centre line and limits must agree to 1e-4; the part,
baseline and include flags, both signals and the runs-analysis numbers must be
equal. The per-part summary (qicharts2's ``summary()``: average limits, centre
line, signals) is checked the same way.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from phcpm.spc import qic

HERE = Path(__file__).parent / "data" / "spc"
REF = HERE / "qicharts2"
CASES = pd.read_csv(REF / "cases.csv", dtype=str, keep_default_na=False)
TOLERANCE = 1e-4

NUMBERS = ["y", "n", "cl", "lcl", "ucl"]
FLAGS = ["baseline", "include", "sigma_signal", "runs_signal"]
COUNTS = [
    "part",
    "n_obs",
    "n_useful",
    "longest_run",
    "longest_run_max",
    "n_crossings",
    "n_crossings_min",
]


def _positions(text: str) -> list[int] | None:
    return [int(p) for p in text.split()] if text else None


def _run_case(case: pd.Series):
    data = pd.read_csv(HERE / case["data"])
    x = data[case["x"]]
    if pd.api.types.is_string_dtype(x) and x.str.fullmatch(r"\d{4}-\d{2}").all():
        x = pd.to_datetime(x + "-01")
    result = qic(
        data[case["y"]],
        data[case["n"]] if case["n"] else None,
        x=x,
        chart=case["chart"],
        freeze=int(case["freeze"]) if case["freeze"] else None,
        part=_positions(case["part"]),
        exclude=_positions(case["exclude"]),
        multiply=float(case["multiply"]),
        screened_mr=case["screened_mr"] == "TRUE",
    )
    return result


def _reference(name: str) -> pd.DataFrame:
    ref = pd.read_csv(REF / "reference" / f"{name}.csv", keep_default_na=True)
    ref.columns = [c.replace(".", "_") for c in ref.columns]
    return ref


def _key(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d")
    return values.astype(str)


@pytest.mark.parametrize("name", CASES["case"].tolist())
def test_points_match_qicharts2(name):
    case = CASES.set_index("case").loc[name]
    result = _run_case(case)
    ref = _reference(name)
    ours = result.data.copy()
    if "n" not in ours:
        ours["n"] = np.nan
    ours["key"] = _key(ours["x"]).to_numpy()
    ref["key"] = ref["x"].astype(str)
    assert len(ours) == len(ref), f"{name}: {len(ours)} points, qicharts2 has {len(ref)}"
    if result.settings["categorical"]:
        # qicharts2 sorts text labels; compare label by label.
        ours = ours.set_index("key").loc[ref["key"]].reset_index()
    assert ours["key"].tolist() == ref["key"].tolist(), name
    for col in NUMBERS:
        a = ours[col].to_numpy(dtype=float)
        b = ref[col].to_numpy(dtype=float)
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"{name}: missing {col}")
        np.testing.assert_allclose(
            a, b, rtol=0, atol=TOLERANCE, equal_nan=True, err_msg=f"{name}: {col}"
        )
    for col in FLAGS:
        assert ours[col].astype(bool).tolist() == ref[col].astype(bool).tolist(), f"{name}: {col}"
    for col in COUNTS:
        a = ours[col].to_numpy(dtype=float)
        b = ref[col].to_numpy(dtype=float)
        np.testing.assert_array_equal(a, b, err_msg=f"{name}: {col}")


@pytest.mark.parametrize("name", CASES["case"].tolist())
def test_summary_matches_qicharts2(name):
    """The per-part summary, computed from the reference rows as qicharts2's
    ``summary.qic()`` does (means of the limits with missing values left out,
    the number of points outside the limits, runs signal 0/1)."""
    case = CASES.set_index("case").loc[name]
    summary = _run_case(case).summary
    ref = _reference(name)
    parts = ref.groupby("part", sort=True)
    expected = pd.DataFrame(
        {
            "aLCL": parts["lcl"].mean(),
            "CL": parts["cl"].mean(),
            "aUCL": parts["ucl"].mean(),
            "sigma_signal": parts["sigma_signal"].sum().astype(int),
            "runs_signal": parts["runs_signal"].max().astype(int),
            "n_useful": parts["n_useful"].first(),
        }
    ).reset_index(drop=True)
    assert len(summary) == len(expected)
    for col in ["aLCL", "CL", "aUCL"]:
        np.testing.assert_allclose(
            summary[col].to_numpy(dtype=float),
            expected[col].to_numpy(dtype=float),
            rtol=0,
            atol=TOLERANCE,
            equal_nan=True,
            err_msg=f"{name}: {col}",
        )
    for col in ["sigma_signal", "runs_signal", "n_useful"]:
        assert summary[col].astype(int).tolist() == expected[col].astype(int).tolist(), (
            f"{name}: {col}"
        )


def test_every_chart_type_is_compared():
    assert set(CASES["chart"]) == {
        "run",
        "i",
        "mr",
        "xbar",
        "s",
        "t",
        "p",
        "pp",
        "c",
        "u",
        "up",
        "g",
    }


def test_cases_use_freeze_part_exclude_multiply_and_both_screenings():
    assert (CASES["freeze"] != "").any()
    assert (CASES["part"] != "").any()
    assert (CASES["exclude"] != "").any()
    assert (CASES["multiply"] != "1").any()
    assert set(CASES["screened_mr"]) == {"TRUE", "FALSE"}


def test_reference_tables_exist_for_every_case_and_nothing_else():
    tables = {p.stem for p in (REF / "reference").glob("*.csv")}
    assert tables == set(CASES["case"])


def test_sendara_inputs_follow_the_lessons():
    """The committed Sendara series equal what the export script builds from
    the synthetic data now, so the comparison covers the lessons' numbers."""
    sys.path.insert(0, str(REF))
    try:
        import export_sendara
    finally:
        sys.path.remove(str(REF))
    for stem, frame in export_sendara.series().items():
        committed = pd.read_csv(HERE / f"{stem}.csv")
        rebuilt = frame.convert_dtypes().reset_index(drop=True)
        pd.testing.assert_frame_equal(
            committed,
            pd.read_csv(io.StringIO(rebuilt.to_csv(index=False))),
            check_dtype=False,
        )


def test_screening_of_moving_ranges_changes_some_reference_limits():
    """At least one screened case differs from its unscreened twin in
    qicharts2's output, so the comparison really exercises the screening."""
    screened = _reference("sendara_wait_i")
    unscreened = _reference("sendara_wait_i_unscreened")
    assert not np.allclose(screened["ucl"], unscreened["ucl"])
