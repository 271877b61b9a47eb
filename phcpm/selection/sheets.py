"""Indicator reference sheets: what each indicator kept means and how it is measured.

:func:`reference_sheet` writes the sheet of one catalogue row in Markdown;
:func:`reference_sheets_frame` puts the sheets of a selection in a table (one row
per indicator) for a spreadsheet; :func:`reference_sheets_markdown` joins the
sheets of a selection into one document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.selection.common import ID, _require_table, _rows, _selected_ids

__all__ = ["reference_sheet", "reference_sheets_frame", "reference_sheets_markdown"]


_SHEET_FIELDS: tuple[tuple[str, str], ...] = (
    ("definition", "Definition"),
    ("numerator", "Numerator"),
    ("denominator", "Denominator"),
    ("data_elements", "Data elements"),
    ("data_source", "Data source"),
    ("frequency", "Frequency"),
    ("level", "Level of use"),
    ("disaggregation", "Disaggregation"),
    ("target", "Target"),
    ("interpretation", "Interpretation"),
    ("reference", "Reference"),
)

_CHAIN_MEANING = {
    "input": "an input indicator: it shows whether the resources for services are in place",
    "process": "a process indicator: it shows whether management and support tasks are done",
    "output": "an output indicator: it shows whether services are available, used and of "
    "good quality",
    "outcome": "an outcome indicator: it shows whether the people who need a service get it",
    "impact": "an impact indicator: it shows changes in health or financial protection, which "
    "move slowly and depend on much more than health services",
}


def _text(row: Mapping[str, object], key: str) -> str:
    value = row.get(key, "")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _target_text(row: Mapping[str, object]) -> str:
    target = row.get("typical_target")
    unit = _text(row, "unit")
    if target is None or (isinstance(target, float) and np.isnan(target)):
        return "No common international target: agree a local target from your own baseline."
    number = f"{float(target):g}"
    sign = "at least" if bool(row.get("higher_is_better", True)) else "at most"
    value = f"{number} %" if unit == "%" else f"{number} {unit}".strip()
    source = _text(row, "target_source")
    return f"{sign} {value}" + (f" ({source})" if source else "")


def _interpretation(row: Mapping[str, object]) -> str:
    parts = ["Higher is better." if bool(row.get("higher_is_better", True)) else "Lower is better."]
    chain = _text(row, "results_chain")
    if chain in _CHAIN_MEANING:
        parts.append(f"This is {_CHAIN_MEANING[chain]}.")
    freq = _text(row, "frequency")
    if freq == "monthly":
        parts.append("Monthly values can be followed on a run chart between reviews.")
    elif freq == "every 3-5 years":
        parts.append(
            "It comes from a survey every few years: use it for planning, not for "
            "quarterly reviews."
        )
    elements = _text(row, "data_elements").split(";")
    if _text(row, "unit") == "%" and any(e.strip().startswith("POP_") for e in elements):
        parts.append(
            "The denominator is a population estimate: values above 100 % usually "
            "mean the estimate is too low or people come from outside the area."
        )
    return " ".join(parts)


def _as_mapping(indicator_row: object) -> dict[str, object]:
    if isinstance(indicator_row, pd.DataFrame):
        if len(indicator_row) != 1:
            raise InputError(
                f"A reference sheet is for one indicator, but {len(indicator_row)} rows were given",
                todo="Pass one row of the catalogue, for example cat.iloc[0]",
            )
        indicator_row = indicator_row.iloc[0]
    if isinstance(indicator_row, pd.Series):
        return indicator_row.to_dict()
    if isinstance(indicator_row, Mapping):
        return dict(indicator_row)
    raise InputError(
        "A reference sheet needs one row of the indicator catalogue",
        todo="Pass one row of the catalogue, for example cat.iloc[0]",
    )


def _sheet_values(row: dict[str, object]) -> dict[str, str]:
    for key in ("indicator_id", "name", "definition"):
        if not _text(row, key):
            raise InputError(
                f"The indicator has no {key.replace('_', ' ')}",
                where=f"indicator {_text(row, 'indicator_id') or '(no code)'}",
                todo="Fill in the code, name and definition before writing the sheet",
            )
    values = {key: _text(row, key) for key, _ in _SHEET_FIELDS}
    values["data_elements"] = ", ".join(
        e.strip() for e in values["data_elements"].split(";") if e.strip()
    )
    values["target"] = _target_text(row)
    values["interpretation"] = _interpretation(row)
    return {k: (v or "Not stated") for k, v in values.items()}


def reference_sheet(indicator_row: pd.Series | Mapping[str, object]) -> str:
    """Markdown indicator reference sheet for one catalogue row.

    Follows the usual fields of an indicator reference sheet (as in the WHO *100 Core
    Health Indicators* metadata, 2018, and MEASURE Evaluation's performance indicator
    reference sheets): definition, numerator, denominator, data elements, source,
    frequency, level, disaggregation, target, interpretation and reference.
    Example:

    >>> from phcpm.catalogue import catalogue
    >>> cat = catalogue()
    >>> reference_sheet(cat[cat["indicator_id"] == "ANC4_COV"]).splitlines()[0]
    '### Antenatal care coverage: at least four visits (`ANC4_COV`)'
    """
    row = _as_mapping(indicator_row)
    values = _sheet_values(row)
    lines = [f"### {_text(row, 'name')} (`{_text(row, 'indicator_id')}`)", ""]
    for key, label in _SHEET_FIELDS:
        lines.append(f"- **{label}:** {values[key]}")
    return "\n".join(lines) + "\n"


def reference_sheets_frame(
    selection: pd.DataFrame | Iterable[str], catalogue: pd.DataFrame
) -> pd.DataFrame:
    """Reference sheets of a selection as a table (one row per indicator) for Excel.

    Columns have plain-word headings ("Code", "Name", then the fields of
    :func:`reference_sheet`); rows follow the order of ``selection``.
    Example:

    >>> from phcpm.catalogue import catalogue
    >>> frame = reference_sheets_frame(["ANC4_COV", "PENTA3_COV"], catalogue())
    >>> frame["Code"].tolist(), list(frame.columns[:3])
    (['ANC4_COV', 'PENTA3_COV'], ['Code', 'Name', 'Definition'])
    """
    _require_table(catalogue, [ID, "name", "definition"], "catalogue")
    ids = _selected_ids(selection, catalogue)
    rows = _rows(ids, catalogue)
    records = []
    for row in rows.to_dict("records"):  # one sheet per selected indicator (a short list)
        values = _sheet_values(row)
        record = {"Code": row[ID], "Name": row["name"]}
        record.update({label: values[key] for key, label in _SHEET_FIELDS})
        records.append(record)
    return pd.DataFrame(records, columns=["Code", "Name"] + [lab for _, lab in _SHEET_FIELDS])


def reference_sheets_markdown(
    selection: pd.DataFrame | Iterable[str],
    catalogue: pd.DataFrame,
    title: str = "Indicator reference sheets",
) -> str:
    """The Markdown reference sheets of a selection, as one document under ``title``.

    One :func:`reference_sheet` per indicator, in the order of ``selection``.
    Example:

    >>> from phcpm.catalogue import catalogue
    >>> text = reference_sheets_markdown(["ANC4_COV"], catalogue())
    >>> text.splitlines()[:3]
    ['# Indicator reference sheets', '', '### Antenatal care coverage: at least four visits (`ANC4_COV`)']
    """
    _require_table(catalogue, [ID, "name", "definition"], "catalogue")
    rows = _rows(_selected_ids(selection, catalogue), catalogue)
    sheets = [reference_sheet(row) for _, row in rows.iterrows()]
    return f"# {title}\n\n" + "\n".join(sheets)
