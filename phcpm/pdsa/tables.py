"""Tables for people: records in plain words, and the measure during each cycle."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.pdsa.validate import (
    ROLES,
    number_text,
)

__all__ = [
    "cycle_summary",
    "FIELD_WORDS",
    "ROLE_WORDS",
    "role_words",
    "measure_title",
    "direction_words",
    "measure_notes",
    "DECISION_WORDS",
    "readable_values",
    "readable_cycles",
    "readable_history",
    "cell_text",
    "utc_minute",
]


def cycle_summary(series: pd.DataFrame, cycles: pd.DataFrame) -> pd.DataFrame:
    """The measure during each PDSA cycle: the "Study" step in numbers.

    ``series`` is :meth:`ProjectStore.measure_series` (``period, numerator,
    denominator, value``) and ``cycles`` is :meth:`ProjectStore.list_cycles`.
    A period belongs to a cycle when its first day falls between the cycle's
    start and end dates, both included. For a proportion the result is the
    pooled share, ``sum(numerator) / sum(denominator)`` over those periods (as
    the centre line of a P chart: Provost & Murray, *The Health Care Data
    Guide*, 2011, chapter 6), not the mean of the weekly shares; for counts and
    measurements it is the mean value. Not rounded.

    Returns one row per cycle with a start and end date: ``number, title,
    predictions, act_decision, start_date, end_date, periods`` (how many
    periods fell in the cycle), ``numerator, denominator`` (sums; empty for
    counts and measurements) and ``value``. A cycle with no period in it has
    ``periods`` 0 and an empty ``value``.
    """
    needed = {"series": ["period", "value"], "cycles": ["number", "start_date", "end_date"]}
    for what, frame in (("series", series), ("cycles", cycles)):
        missing = [c for c in needed[what] if c not in frame.columns]
        if missing:
            raise InputError(
                f"The {what} table has no column {', '.join(repr(c) for c in missing)}",
                todo="Use measure_series() and list_cycles() from the project store",
            )
    dated = cycles[cycles["start_date"].notna() & cycles["end_date"].notna()]
    periods = pd.to_datetime(series["period"]).to_numpy()
    starts = pd.to_datetime(dated["start_date"], format="%Y-%m-%d").to_numpy()
    ends = pd.to_datetime(dated["end_date"], format="%Y-%m-%d").to_numpy()
    inside = (periods[None, :] >= starts[:, None]) & (periods[None, :] <= ends[:, None])
    proportion = "denominator" in series.columns and series["denominator"].notna().all()
    count = inside.sum(axis=1)
    if proportion and len(series):
        num = inside @ series["numerator"].to_numpy(dtype="float64")
        den = inside @ series["denominator"].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    else:
        num = den = np.full(len(dated), np.nan)
        total = inside @ series["value"].to_numpy(dtype="float64") if len(series) else 0
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    keep = [c for c in ("number", "title", "predictions", "act_decision") if c in dated.columns]
    out = dated[[*keep, "start_date", "end_date"]].reset_index(drop=True)
    out["periods"] = count.astype("int64")
    out["numerator"] = num
    out["denominator"] = den
    out["value"] = value
    return out


# --------------------------------------------------------------------------- tables for people

#: Words for the fields of every record, as a manager reads them.
FIELD_WORDS = {
    "name": "Name",
    "aim": "Aim",
    "team": "Team",
    "kind": "Kind of measure",
    "role": "Outcome, process or balancing",
    "unit": "Unit",
    "higher_is_better": "Higher is better",
    "definition": "Definition",
    "period": "Period start",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "value": "Value",
    "comment": "Comment",
    "title": "Change tested (title)",
    "objective": "Objective",
    "questions": "Questions",
    "predictions": "Predictions",
    "plan_who": "Plan: who",
    "plan_what": "Plan: what",
    "plan_when": "Plan: when",
    "plan_where": "Plan: where",
    "do_observations": "Do: observations",
    "study_results": "Study: results compared with predictions",
    "act_decision": "Act: decision",
    "act_next_steps": "Act: next steps",
    "start_date": "Start date",
    "end_date": "End date",
    "created": "Created",
    "replaced": "Replaced",
}
ROLE_WORDS = {
    "outcome": "Outcome",
    "process": "Process",
    "balancing": "Balancing",
    "": "Not stated",
}


def role_words(role: Any) -> str:
    """A measure's role as a manager reads it ("Outcome", "Balancing", "Not stated")."""
    return ROLE_WORDS.get(cell_text(role).lower(), ROLE_WORDS[""])


def measure_title(name: Any, role: Any) -> str:
    """The measure's name after its role ("Outcome measure: ..."), or "Measure: ..."."""
    words = role_words(role) if cell_text(role) in ROLES else ""
    return f"{words} measure: {cell_text(name)}" if words else f"Measure: {cell_text(name)}"


def direction_words(higher_is_better: Any) -> str:
    """Which way a measure is better, as a manager reads it: "Better when higher" or "... lower"."""
    return "Better when higher" if bool(higher_is_better) else "Better when lower"


def measure_notes(measure: Mapping[str, Any]) -> list[str]:
    """What a reader must know to read a measure's numbers the right way round.

    ``measure`` is :meth:`ProjectStore.get_measure` (``higher_is_better``,
    ``definition``). Two sentences: which way is better, so that a rise is not
    taken for an improvement when lower is better; and how the measure is
    counted, its operational definition (Provost LP & Murray SK, *The Health
    Care Data Guide*, Jossey-Bass, 2011, chapter 2), or that none is written.
    """
    if bool(measure["higher_is_better"]):
        direction = "Better when higher: a rise is an improvement, a fall is a worsening."
    else:
        direction = "Better when lower: a fall is an improvement, a rise is a worsening."
    definition = cell_text(measure.get("definition")).strip()
    counted = (
        f"How it is counted: {definition}"
        if definition
        else "How it is counted: not written for this measure, so two people may count it "
        "differently."
    )
    return [direction, counted]


DECISION_WORDS = {
    "adopt": "Adopt",
    "adapt": "Adapt",
    "abandon": "Abandon",
    "undecided": "Not decided yet",
}
_RECORD_WORDS = {
    "project": "Project",
    "measure": "Measure",
    "value": "Result",
    "cycle": "PDSA cycle",
}


def utc_minute(text: Any) -> str:
    """An ISO time in UTC as ``YYYY-MM-DD HH:MM`` (empty stays empty)."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text):
        return ""
    stamp = pd.Timestamp(str(text))
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d %H:%M")


def cell_text(value: Any) -> str:
    """A stored value as text for a table: numbers without ``.0``, nothing for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return number_text(float(value))
    return str(value)


def readable_values(values: pd.DataFrame, kind: str, unit: str = "") -> pd.DataFrame:
    """The values of one measure (:meth:`ProjectStore.values`) as a table for people.

    Headings are words; a proportion's value is a percentage with one
    decimal; empty cells are empty text; times are UTC to the minute.
    """
    rows = []
    for row in values.to_dict("records"):
        out = {"Period start": str(row["period"])}
        if kind == "proportion":
            out["Numerator"] = cell_text(row["numerator"])
            out["Denominator"] = cell_text(row["denominator"])
            out["Value (%)"] = f"{100 * float(row['value']):.1f}"
        else:
            out[f"Value ({unit})" if unit else "Value"] = cell_text(row["value"])
        out["Entered by"] = cell_text(row["entered_by"])
        out["Entered at (UTC)"] = utc_minute(row["entered_at"])
        out["Comment"] = cell_text(row["comment"])
        rows.append(out)
    if rows:
        return pd.DataFrame(rows)
    head = ["Period start", "Numerator", "Denominator", "Value (%)"]
    if kind != "proportion":
        head = ["Period start", f"Value ({unit})" if unit else "Value"]
    return pd.DataFrame(columns=[*head, "Entered by", "Entered at (UTC)", "Comment"])


def readable_cycles(cycles: pd.DataFrame) -> pd.DataFrame:
    """The cycles of a project (:meth:`ProjectStore.list_cycles`) in brief, for people."""
    return pd.DataFrame(
        {
            "Cycle": [f"PDSA {int(n)}" for n in cycles["number"]],
            "Change tested": [cell_text(t) for t in cycles["title"]],
            "Start date": [cell_text(d) for d in cycles["start_date"]],
            "End date": [cell_text(d) for d in cycles["end_date"]],
            "Decision": [DECISION_WORDS.get(str(d), cell_text(d)) for d in cycles["act_decision"]],
            "Last changed by": [cell_text(u) for u in cycles["entered_by"]],
        }
    )


def readable_history(audit: pd.DataFrame) -> pd.DataFrame:
    """A project's history (:meth:`ProjectStore.audit_log`) with words for records and fields."""

    def word(field: Any, value: Any) -> str:
        text = cell_text(value)
        return DECISION_WORDS.get(text, text) if field == "act_decision" else text

    return pd.DataFrame(
        {
            "When (UTC)": [utc_minute(t) for t in audit["at"]],
            "Who": [cell_text(u) for u in audit["user"]],
            "Record": [
                f"{_RECORD_WORDS.get(str(t), str(t))} {int(i)}"
                for t, i in zip(audit["table"], audit["row_id"], strict=True)
            ],
            "What changed": [FIELD_WORDS.get(str(f), str(f)) for f in audit["field"]],
            "Before": [word(f, v) for f, v in zip(audit["field"], audit["old"], strict=True)],
            "After": [word(f, v) for f, v in zip(audit["field"], audit["new"], strict=True)],
        }
    )
