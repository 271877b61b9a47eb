"""Command line: ``phcpm review DOWNLOAD --year 2023 --out report``.

For the analyst of a national or regional team with a large DHIS2 download. The
command reads the file with :func:`phcpm.io.read_table` and :func:`phcpm.io.tidy`,
runs :func:`phcpm.quality.review` on the year asked for (or the last complete
year), and writes into the folder ``--out``:

* ``annual-report.html``: the WHO annual report in the DQR layout, printable;
* ``annual-report.xlsx``: the same tables, the verify-first list and the summary;
* ``verify-first.csv``: every value to verify, most important first.

A progress bar is shown on the terminal. Problems with the file become a plain
message and exit code 2, never a traceback. The file is never changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from phcpm.errors import InputError

__all__ = ["main"]


def _bar(fraction: float, text: str, stream=None) -> None:
    stream = stream or sys.stderr
    width = 30
    done = int(round(width * max(0.0, min(1.0, fraction))))
    stream.write(f"\r[{'#' * done}{'.' * (width - done)}] {fraction * 100:3.0f} % {text:<45}")
    if fraction >= 1:
        stream.write("\n")
    stream.flush()


def review_command(args: argparse.Namespace) -> int:
    import pandas as pd

    from phcpm import io, quality, report

    _bar(0.0, "Reading the file…")
    table = io.read_table(args.download)
    tidy = io.tidy(table)
    data = tidy.data
    service, reporting = quality.split_reporting(data)
    org_units = pd.read_csv(args.org_units) if args.org_units else None

    def progress(fraction, text):
        _bar(0.1 + 0.8 * fraction, text)

    result = quality.review(
        service, reporting, year=args.year, org_units=org_units, progress=progress
    )
    _bar(0.92, "Writing the reports…")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "annual-report.html").write_text(
        report.annual_html(result, title=args.title), encoding="utf-8"
    )
    (out / "annual-report.xlsx").write_bytes(report.annual_excel(result))
    report.verify_table(result).to_csv(out / "verify-first.csv", index=False)
    _bar(1.0, "Done.")
    print(f"Year reviewed: {result.annual.year_reason}.")
    for note in result.notes[1:]:
        print(note)
    for text in result.skipped:
        print("Not reviewed: " + text)
    print(f"{len(result.verify):,} values to verify; the list is in {out / 'verify-first.csv'}.")
    print(f"Reports written to {out}/annual-report.html and annual-report.xlsx.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="phcpm", description="PHC data tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    rev = commands.add_parser("review", help="WHO annual data quality review of a DHIS2 download")
    rev.add_argument("download", help="the DHIS2 download (CSV or Excel)")
    rev.add_argument(
        "--year", type=int, default=None, help="year to review (default: last complete)"
    )
    rev.add_argument("--out", default="report", help="folder for the reports (default: report)")
    rev.add_argument(
        "--org-units", default=None, help="org unit table (org_unit_id, name, parent_id)"
    )
    rev.add_argument("--title", default="Annual data quality review", help="title of the report")
    args = parser.parse_args(argv)
    try:
        return review_command(args)
    except InputError as error:
        sys.stderr.write("\n" + str(error) + "\n")
        return 2
    except FileNotFoundError as error:
        sys.stderr.write(f"\nThe file was not found: {error.filename}. Check the path.\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
