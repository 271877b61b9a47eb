"""A series from a user's file: one place and one data element, never a mixture.

:func:`file_series` reads what a file holds (a DHIS2 download or any table with
a period column and number columns) and lists its series; :func:`file_series_values`
returns one of them, ready for :func:`phcpm.spc.qic`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.spc.series import number_columns

if TYPE_CHECKING:
    from phcpm.io import Table

__all__ = ["WHOLE_FILE", "FileSeries", "file_series", "file_series_title", "file_series_values"]


#: The place given to every row of a file that names no place.
WHOLE_FILE = "The whole file"

_PERIOD_KINDS = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}
_PERIOD_UNITS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def _period_kind(period: pd.Period) -> str:
    """A kind of period in words: "months", "weeks", "two-month periods"."""
    match = re.match(r"(\d*)([A-Z])", period.freqstr)
    count, unit = (match.group(1), match.group(2)) if match else ("", "")
    unit = "Y" if unit == "A" else unit
    if count in ("", "1"):
        return _PERIOD_KINDS.get(unit, period.freqstr)
    words = {"2": "two", "3": "three", "4": "four", "6": "six"}
    return f"{words.get(count, count)}-{_PERIOD_UNITS.get(unit, unit)} periods"


def _series_name(element: str, org_unit: str) -> str:
    what = "the values" if element == "value" else f"'{element}'"
    return f"{what} for '{org_unit}'"


@dataclass
class FileSeries:
    """The rows of a user's file, ready to chart one series at a time.

    ``data`` is long: ``org_unit``, ``data_element``, ``period`` (pandas
    Period), ``value`` and, for DHIS2 data value sets,
    ``category_option_combo``. ``series`` lists every place × data element
    with its number of periods (``org_unit``, ``data_element``, ``periods``),
    the order a tool offers them in. ``notes`` says in words what was read
    and how; ``dropped`` counts the rows that could not be used.
    """

    data: pd.DataFrame
    series: pd.DataFrame
    notes: list[str]
    dropped: int = 0

    def places(self) -> list[str]:
        """The places of the file, in alphabetical order."""
        return sorted(pd.unique(self.series["org_unit"]))

    def elements(self, org_unit: str) -> list[tuple[str, str]]:
        """What is counted at ``org_unit``: (label with its number of periods, name).

        Most periods first, as in :attr:`series`.
        """
        here = self.series[self.series["org_unit"] == org_unit]
        return [
            (f"{e} ({n} period{'s' if n != 1 else ''})", e)
            for e, n in zip(here["data_element"], here["periods"], strict=True)
        ]

    def read_notes(self, name: str | None = None) -> list[str]:
        """What was read from the file ``name``, in words, then :attr:`notes`."""
        where = f"'{name}'" if name else "your file"
        n, places = len(self.series), len(self.places())
        return [
            f"Read {where}: {n:,} series ({places:,} place{'s' if places != 1 else ''} × "
            "what is counted). A chart shows one series: choose it below.",
            *self.notes,
        ]


def file_series(table: Table) -> FileSeries:
    """Read a table (a :class:`phcpm.io.Table`) as series of one place and one data element.

    The layout and the columns are decided and checked by :func:`phcpm.io.tidy`
    (DHIS2 exports, pivot tables, one column per month, plain tables), so a
    column of periods is never taken as values. A file whose only missing
    column is the place (``month, cases``) is read as one place
    (:data:`WHOLE_FILE`); one with no data element column gets the name of its
    value column. Raises :class:`InputError` (or :class:`phcpm.io.NeedsMapping`)
    with what is missing when the file cannot be read as series. A convention
    of this toolkit's chart tool: a chart shows one series, so a file is never
    charted as a whole.
    """
    from phcpm.io import NeedsMapping, guess_mapping, tidy

    frame = table.data
    notes: list[str] = []
    try:
        result = tidy(table)
        data, report = result.data.copy(), result.report
        notes += [n for n in result.notes if n]
        unnamed = bool(len(data)) and (data["data_element"].astype(str) == "value").all()
        failed = None
    except NeedsMapping as error:
        data, report, unnamed, failed = None, None, True, error
    if unnamed:
        # A plain table without a data element column: each column of numbers is one
        # data element ("cases", "tested"), so none is dropped or added to another.
        split = _columns_as_elements(table, guess_mapping(frame))
        if split is not None:
            data, report, more = split
            notes = more
        elif failed is not None:
            raise failed
    dropped = int((report["action"] == "row dropped").sum()) if len(report) else 0
    if data.empty:
        raise InputError(
            "No row of the file could be used: every row lacks a readable period, place or number",
            where="the whole file",
            todo="Check that the period column holds periods (2025-01, Jan 2025) and the "
            "value column holds numbers",
        )
    if dropped:
        notes.append(f"{dropped:,} row(s) could not be used (no period, place or number).")
    counts = (
        data.groupby(["org_unit", "data_element"], sort=True, observed=True)["period"]
        .nunique()
        .rename("periods")
        .reset_index()
    )
    counts["org_unit"] = counts["org_unit"].astype(str)
    counts["data_element"] = counts["data_element"].astype(str)
    counts = counts.sort_values(
        ["periods", "org_unit", "data_element"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    return FileSeries(data=data, series=counts, notes=notes, dropped=dropped)


def _columns_as_elements(
    table, guessed: dict
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]] | None:
    """A plain table read column by column: every column of numbers becomes a data element.

    ``guessed`` is :func:`phcpm.io.guess_mapping`'s ``{column: role}``. Needs a
    period column; the place column is optional (without one the whole file is
    one place, :data:`WHOLE_FILE`). Returns None when the table has no period
    column or no column of numbers. Each column is checked by
    :func:`phcpm.io.tidy`, so numbers are read as everywhere else.
    """
    import dataclasses

    from phcpm.io import tidy

    frame = table.data
    roles = {role: col for col, role in guessed.items()}
    if "period" not in roles:
        return None
    notes = []
    place = roles.get("org_unit")
    if place is None:
        place = "_place"
        while place in frame.columns:
            place += "_"
        table = dataclasses.replace(table, data=frame.assign(**{place: WHOLE_FILE}))
        notes.append("No column names a place: the whole file is read as one place.")
    taken = {str(roles["period"]), str(place)}
    numbers = [c for c in frame.columns if str(c) in number_columns(frame) and str(c) not in taken]
    if not numbers:
        return None
    parts, reports, errors = [], [], []
    for column in numbers:
        try:
            one = tidy(table, {roles["period"]: "period", place: "org_unit", column: "value"})
        except InputError as error:
            errors.append(error)
            continue
        parts.append(one.data.assign(data_element=str(column)))
        reports.append(one.report)
    if not parts:
        raise errors[0]
    named = ", ".join(f"'{c}'" for c in numbers)
    notes.insert(0, f"Periods read from '{roles['period']}'; numbers from {named}.")
    report = pd.concat(reports, ignore_index=True) if reports else pd.DataFrame()
    data = pd.concat(parts, ignore_index=True)
    data["data_element"] = data["data_element"].astype(str)
    return data, report, notes


def _one(data: pd.DataFrame, org_unit: str, element: str) -> tuple[pd.Series, list[str]]:
    rows = data[
        (data["org_unit"].astype(str) == str(org_unit))
        & (data["data_element"].astype(str) == str(element))
    ]
    name = _series_name(element, org_unit)
    if rows.empty:
        raise InputError(
            f"The file has no {name}",
            where="the chosen place and what is counted",
            todo="Choose another place or data element",
        )
    notes = []
    kinds = sorted({_period_kind(p) for p in pd.unique(rows["period"])})
    if len(kinds) > 1:
        raise InputError(
            f"{name[:1].upper()}{name[1:]} mix kinds of periods "
            f"({' and '.join(kinds)}): one chart needs one kind",
            where="the period column of your file",
            todo="Keep only the rows of one kind of period, or chart them separately",
        )
    if "category_option_combo" in rows.columns:
        combos = rows["category_option_combo"].astype(str).nunique()
        if combos > 1:
            notes.append(
                f"'{element}' is reported in {combos} categories (for example by age or sex): "
                "each period's value is their total."
            )
    values = rows.groupby("period", sort=True)["value"].sum(min_count=1)
    return values, notes


def file_series_values(
    source: FileSeries, org_unit: str, element: str, denominator: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """One series of a :class:`FileSeries`: ``org_unit`` × ``element``, in time order.

    Returns a DataFrame in the form of :func:`parse_series` (``x`` the first
    day of each period, ``label`` the period as text, ``y`` and, when
    ``denominator`` names another data element of the same place, ``n``) and
    notes in words. Raises :class:`InputError` when the series mixes kinds of
    periods or has fewer than two periods.
    """
    values, notes = _one(source.data, org_unit, element)
    out = pd.DataFrame(
        {
            "x": values.index.to_timestamp(),
            "label": [str(p) for p in values.index],
            "y": values.to_numpy(dtype=float),
        }
    )
    if denominator is not None:
        if denominator == element:
            raise InputError(
                f"'{element}' cannot be divided by itself",
                where="the denominator",
                todo="Choose another data element as the denominator, or none",
            )
        den, more = _one(source.data, org_unit, denominator)
        notes += more
        if den.index.freqstr != values.index.freqstr:
            raise InputError(
                f"'{element}' and '{denominator}' are reported for different kinds of periods",
                where="the denominator",
                todo="Choose a denominator reported for the same periods",
            )
        out["n"] = den.reindex(values.index).to_numpy(dtype=float)
        missing = int(np.isnan(out["n"]).sum())
        if missing:
            notes.append(
                f"{missing} period(s) have no '{denominator}': they are left out of the chart."
            )
    if len(out) < 2:
        raise InputError(
            f"There is only one period of {_series_name(element, org_unit)}: a chart needs "
            "a series of values over time",
            where="the chosen place and what is counted",
            todo="Choose another place or data element, or a file with more periods",
        )
    return out.reset_index(drop=True), notes


def file_series_title(element: str, denominator: str | None, org_unit: str) -> str:
    """The title of a chart of one series of a file: what is counted (over what), and where.

    >>> file_series_title("ANC1", "Expected pregnancies", "Kavira HC")
    'ANC1 / Expected pregnancies, Kavira HC'
    >>> file_series_title("value", None, WHOLE_FILE)
    'values'
    """
    what = "values" if element == "value" else element
    title = f"{what} / {denominator}" if denominator else what
    return title if org_unit == WHOLE_FILE else f"{title}, {org_unit}"
