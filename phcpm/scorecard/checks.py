"""Checks of the scorecard's inputs and the periods they name."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.scorecard.definitions import _Definitions

__all__ = ["period_text"]


def _require(data: pd.DataFrame, needed: Iterable[str], what: str) -> None:
    """The shared column check (:func:`phcpm.errors.require_columns`) of a table the
    user gave, after checking that it is a table at all."""
    needed = list(needed)
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"{what[:1].upper()}{what[1:]} is not a table",
            where=what,
            todo="Give a pandas DataFrame",
        )
    require_columns(
        data, needed, what, todo="Rename or add the column(s); expected " + ", ".join(needed)
    )


def _check_known_indicators(data: pd.DataFrame, defs: _Definitions) -> list[str]:
    """The indicators present in the data, in the definitions' order."""
    known = set(defs.table["indicator"])
    present = {str(i) for i in data["indicator"].unique()}
    unknown = sorted(present - known)
    if unknown:
        raise InputError(
            "The data hold indicator(s) with no definition: " + ", ".join(unknown),
            where="column 'indicator' of the data",
            todo="Add a row for each to the indicator definitions, or remove them from the data",
        )
    return [i for i in defs.table["indicator"] if i in present]


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    try:
        return pd.to_numeric(frame[column], errors="raise").astype(float)
    except (TypeError, ValueError):
        raise InputError(
            f"The column '{column}' holds text where numbers are expected",
            where=f"column '{column}' of the data",
            todo="Leave cells empty when there is no value, and remove any text",
        ) from None


def _as_period(value, reference: pd.Series, what: str) -> pd.Period:
    if isinstance(value, pd.Period):
        return value
    freq = getattr(reference.dtype, "freq", None)
    if freq is None and len(reference):
        first = reference.iloc[0]
        freq = first.freq if isinstance(first, pd.Period) else None
    try:
        return pd.Period(value, freq=freq)
    except (TypeError, ValueError):
        raise InputError(
            f"The {what} {value!r} is not a period we can read",
            todo="Give the period as text such as '2025-03', or as a pandas Period",
        ) from None


def period_text(period: pd.Period) -> str:
    """A period as people say it: "March 2025", "2025 Q1", "2025"."""
    code = period.freqstr
    if code in ("M", "ME"):
        return period.strftime("%B %Y")
    if code.startswith("Q"):
        return f"{period.qyear} Q{period.quarter}"
    if code.startswith(("Y", "A")) and code.endswith("DEC"):
        return str(period.year)
    return str(period)


def _resolve_compare(compare, period: pd.Period, reference: pd.Series) -> pd.Period | None:
    if compare is None:
        return None
    if isinstance(compare, str) and compare == "previous":
        return period - 1
    if isinstance(compare, str) and compare in ("year", "last_year"):
        shifted = pd.Period(period.start_time - pd.DateOffset(years=1), freq=period.freq)
        return shifted
    return _as_period(compare, reference, "comparison period")
