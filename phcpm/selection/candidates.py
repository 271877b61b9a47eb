"""The candidate indicators: the catalogue filtered, or a user's own list checked.

:func:`filter_catalogue` keeps the indicators that match the filters and a search
word; :func:`validate_indicator_list` checks a list uploaded by a user and puts it
in the catalogue's form.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from phcpm.catalogue import RESULTS_CHAIN
from phcpm.errors import InputError
from phcpm.selection.common import ID, _require_table

__all__ = ["REQUIRED_LIST_COLUMNS", "filter_catalogue", "validate_indicator_list"]


def filter_catalogue(
    catalogue: pd.DataFrame, filters: Mapping[str, object] | None = None, text: str = ""
) -> pd.DataFrame:
    """The indicators of ``catalogue`` that match every filter and contain ``text``.

    ``filters`` maps a column name to the value wanted; values are compared as
    text, and ``None`` or an empty text means "any value". ``text`` is looked for,
    ignoring upper and lower case, as a plain piece of text (not a pattern) in the
    indicator code, the name and the definition. These are the candidates the
    Indicator Selector scores (a convention of this toolkit, not a published
    method). Returns a new DataFrame numbered from 0; the catalogue is not changed.
    Example:

    >>> table = pd.DataFrame(
    ...     {"indicator_id": ["A", "B"], "name": ["Malaria tests", "Visits"], "level": ["x", "y"]}
    ... )
    >>> filter_catalogue(table, {"level": None}, "MALARIA")["indicator_id"].tolist()
    ['A']
    """
    _require_table(catalogue, [], "catalogue")
    keep = np.ones(len(catalogue), dtype=bool)
    for column, wanted in (filters or {}).items():
        if wanted is None or str(wanted) == "":
            continue
        _require_table(catalogue, [column], "catalogue")
        keep &= (catalogue[column].astype("string").fillna("") == str(wanted)).to_numpy(bool)
    words = str(text or "").strip()
    if words:
        fields = [c for c in (ID, "name", "definition") if c in catalogue.columns]
        if not fields:
            _require_table(catalogue, [ID, "name"], "catalogue")
        hay = catalogue[fields[0]].astype("string").fillna("")
        for column in fields[1:]:
            hay = hay + " " + catalogue[column].astype("string").fillna("")
        keep &= hay.str.contains(words, case=False, regex=False).fillna(False).to_numpy(bool)
    return catalogue.loc[keep].reset_index(drop=True)


#: Columns an uploaded indicator list must have (the rest of the catalogue's columns
#: are optional and filled with empty values).
REQUIRED_LIST_COLUMNS: tuple[str, ...] = (
    ID,
    "name",
    "data_elements",
    "data_source",
    "frequency",
    "results_chain",
)

_OPTIONAL_DEFAULTS: dict[str, object] = {
    "definition": "",
    "numerator": "",
    "denominator": "",
    "level": "district",
    "framework_domain": "performance",
    "dimension": "",
    "higher_is_better": True,
    "unit": "",
    "typical_target": np.nan,
    "target_source": "",
    "disaggregation": "",
    "reference": "",
}


def validate_indicator_list(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a user's own indicator list and return it in catalogue form (a new table).

    The list needs the columns of :data:`REQUIRED_LIST_COLUMNS`; the other columns of
    :func:`phcpm.catalogue.catalogue` are added when missing (level ``district``,
    domain ``performance``, higher is better, no target). Column names are matched
    without regard to case or surrounding spaces. Codes must be filled and unique;
    ``frequency`` and ``results_chain`` must use the catalogue's values, because the
    burden and balance calculations depend on them. An empty ``definition`` is
    replaced by the name, so reference sheets can still be written.
    Example: a list with only the required columns.

    >>> mine = pd.DataFrame(
    ...     {
    ...         "Indicator_ID": ["OPD"],
    ...         "name": ["Outpatient visits"],
    ...         "data_elements": ["OPD_VISITS"],
    ...         "data_source": ["HMIS routine"],
    ...         "frequency": ["Monthly"],
    ...         "results_chain": ["output"],
    ...     }
    ... )
    >>> row = validate_indicator_list(mine).iloc[0]
    >>> row["frequency"], row["level"], row["definition"]
    ('monthly', 'district', 'Outpatient visits')
    """
    from phcpm.catalogue import COLUMNS, FREQUENCIES

    if not isinstance(frame, pd.DataFrame):
        raise InputError("The indicator list must be a table", todo="Upload a CSV or Excel file")
    renamed = frame.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in REQUIRED_LIST_COLUMNS if c not in renamed.columns]
    if missing:
        raise InputError(
            f"The indicator list has no column named {', '.join(repr(m) for m in missing)}",
            where="the first row (the column headings) of your file",
            todo="Add these columns, spelt as in the catalogue download; "
            f"the list needs at least {', '.join(REQUIRED_LIST_COLUMNS)}",
        )
    out = pd.DataFrame(index=range(len(renamed)))
    for col in COLUMNS:
        if col in renamed.columns:
            out[col] = renamed[col].to_numpy()
        else:
            out[col] = _OPTIONAL_DEFAULTS[col]
    if out.empty:
        raise InputError("The indicator list has no rows", todo="Add one row per indicator")
    text_cols = [c for c in COLUMNS if c not in ("higher_is_better", "typical_target")]
    for col in text_cols:
        out[col] = out[col].astype("object").where(out[col].notna(), "").astype(str).str.strip()
    for col in ("frequency", "results_chain", "level", "framework_domain", "dimension"):
        out[col] = out[col].str.lower()
    blank = out[ID] == ""
    if blank.any():
        raise InputError(
            "Some rows have no indicator code",
            where=f"row {int(np.flatnonzero(blank.to_numpy())[0]) + 2} of your file",
            todo="Give every indicator a short code in the indicator_id column",
        )
    dup = out[ID].duplicated()
    if dup.any():
        raise InputError(
            f"The code {out.loc[dup, ID].iloc[0]} is used on more than one row",
            where="the indicator_id column",
            todo="Give each indicator its own code",
        )
    checks = (("frequency", FREQUENCIES), ("results_chain", RESULTS_CHAIN))
    for col, allowed in checks:
        bad = ~out[col].isin(allowed)
        if bad.any():
            first = out.loc[bad].iloc[0]
            raise InputError(
                f"Indicator {first[ID]} has {col} '{first[col]}', which is not a known value",
                where=f"the {col} column",
                todo=f"Use one of: {', '.join(allowed)}",
            )
    out["definition"] = out["definition"].where(out["definition"] != "", out["name"])
    hib = out["higher_is_better"].astype(str).str.strip().str.lower()
    out["higher_is_better"] = ~hib.isin(["false", "0", "no", "n"])
    out["typical_target"] = pd.to_numeric(out["typical_target"], errors="coerce").astype("float64")
    return out
