"""What every step of choosing indicators shares: constants and input checks.

The constants describe the catalogue of :func:`phcpm.catalogue.catalogue`: how
often each frequency reports, which data sources facility staff fill in, which
disaggregations show gaps between groups. The private helpers check the tables
and lists of indicator codes that the other modules of :mod:`phcpm.selection`
receive, with messages in plain words.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from phcpm.catalogue import criteria as _criteria
from phcpm.errors import InputError, require_columns

__all__ = ["EQUITY_STRATIFIERS", "ID", "REPORTS_PER_YEAR", "ROUTINE_SOURCES"]

#: The column that holds an indicator's code.
ID = "indicator_id"

#: How many reports a year each catalogue frequency means.
REPORTS_PER_YEAR: dict[str, float] = {
    "monthly": 12.0,
    "quarterly": 4.0,
    "annual": 1.0,
    "every 3-5 years": 0.25,
}

#: Data sources whose values facility staff record and report themselves, and which
#: therefore count in the facility data-collection burden.
ROUTINE_SOURCES: tuple[str, ...] = ("HMIS routine", "LMIS", "supervision checklist")

#: Disaggregations that show gaps between groups of people (used by
#: :func:`phcpm.selection.balance.balance`).
EQUITY_STRATIFIERS: tuple[str, ...] = ("sex", "wealth quintile", "urban/rural", "education")

_CATALOGUE_COLUMNS = (
    ID,
    "name",
    "data_elements",
    "data_source",
    "frequency",
    "level",
    "framework_domain",
    "results_chain",
    "dimension",
    "disaggregation",
)


def _require_table(frame: object, columns: Iterable[str], what: str) -> None:
    """Check that ``frame`` is a table holding ``columns``; ``what`` names it ("catalogue")."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"The {what} must be a table (a DataFrame)",
            todo=f"Pass the {what} as a table with one row per indicator",
        )
    require_columns(
        frame,
        list(columns),
        f"the {what}",
        todo="Use the indicator catalogue of this toolkit (phcpm.catalogue.catalogue()), "
        "or add the missing columns",
    )


def _selected_ids(selection: object, catalogue: pd.DataFrame) -> list[str]:
    """Indicator codes from a list of codes or a table with an indicator_id column."""
    if isinstance(selection, pd.DataFrame):
        _require_table(selection, [ID], "selection")
        raw = selection[ID].tolist()
    elif isinstance(selection, str):
        raw = [selection]
    elif isinstance(selection, Iterable):
        raw = list(selection)
    else:
        raise InputError(
            "The selection must be a list of indicator codes",
            todo="Give the codes, for example ['ANC4_COV', 'PENTA3_COV']",
        )
    ids = list(dict.fromkeys(str(i).strip() for i in raw))
    if not ids:
        raise InputError(
            "No indicator was selected", todo="Select at least one indicator and try again"
        )
    unknown = [i for i in ids if i not in set(catalogue[ID])]
    if unknown:
        raise InputError(
            f"These indicator codes are not in the catalogue: {', '.join(unknown)}",
            where="the selection",
            todo="Check the spelling of the codes against the catalogue's indicator_id column",
        )
    return ids


def _rows(ids: list[str], catalogue: pd.DataFrame) -> pd.DataFrame:
    """Catalogue rows for ``ids``, in the order of ``ids``."""
    return catalogue.set_index(ID).loc[ids].reset_index()


def _criterion_codes() -> list[str]:
    """The criterion codes of :func:`phcpm.catalogue.criteria`, in their order."""
    return _criteria()["criterion"].tolist()
