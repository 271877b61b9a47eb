"""The ``phcpm review`` command: a download in, the annual report and the verify list out."""

from __future__ import annotations

import pandas as pd

from phcpm.cli import main
from phcpm.paths import dataset_path


def test_review_writes_the_annual_report_and_the_verify_list(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(["review", str(dataset_path("dhis2/datavalueset.csv")), "--out", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "annual-report.html",
        "annual-report.xlsx",
        "verify-first.csv",
    ]
    page = (out / "annual-report.html").read_text(encoding="utf-8")
    assert "<h1>Annual data quality review:" in page and "Interpretation" in page
    verify = pd.read_csv(out / "verify-first.csv")
    assert verify["Rank"].tolist() == list(range(1, len(verify) + 1))
    book = pd.read_excel(out / "annual-report.xlsx", sheet_name=None)
    assert list(book)[:2] == ["Annual report", "Verify first"]
    captured = capsys.readouterr()
    assert "Year reviewed:" in captured.out
    assert "100 %" in captured.err  # the progress bar reached its end


def test_a_year_that_is_not_complete_is_refused_plainly(tmp_path, capsys):
    code = main(
        [
            "review",
            str(dataset_path("dhis2/datavalueset.csv")),
            "--year",
            "1999",
            "--out",
            str(tmp_path / "r"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no month of 1999" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_a_missing_file_is_a_plain_message(tmp_path, capsys):
    assert main(["review", str(tmp_path / "nothing.csv")]) == 2
    assert "Traceback" not in capsys.readouterr().err
