"""Choosing a balanced, affordable set of PHC indicators.

The modules follow the steps a district team goes through when it chooses the
indicators it will review every month or quarter:

1. :mod:`~phcpm.selection.candidates`: the candidates, from the catalogue's
   filters or from the team's own list;
2. :mod:`~phcpm.selection.ratings`: rate them against the selection criteria
   (:func:`default_ratings` gives a transparent starting point, the team adjusts it);
3. :mod:`~phcpm.selection.scoring`: combine the ratings with the team's weights
   into one score (:func:`score`) and keep the best (:func:`shortlist`);
4. :mod:`~phcpm.selection.balance`: check that the set is balanced across the
   results chain, the PHCPI Vital Signs domains and the performance dimensions;
5. :mod:`~phcpm.selection.burden`: count what the set costs facilities in staff
   time (:func:`burden`, :func:`compare_burden`);
6. :mod:`~phcpm.selection.sheets`: write an indicator reference sheet for each
   indicator kept.

:func:`~phcpm.selection.pipeline.select` runs steps 1 to 5 in one call;
:mod:`~phcpm.selection.worked_example` holds the inputs of the book's worked
selection. Every function takes DataFrames and returns new ones; inputs are never
changed. The catalogue is :func:`phcpm.catalogue.catalogue`.
"""

from phcpm.selection.balance import BalanceResult, balance
from phcpm.selection.burden import burden, burden_totals, compare_burden
from phcpm.selection.candidates import (
    REQUIRED_LIST_COLUMNS,
    filter_catalogue,
    validate_indicator_list,
)
from phcpm.selection.common import EQUITY_STRATIFIERS, ID, REPORTS_PER_YEAR, ROUTINE_SOURCES
from phcpm.selection.pipeline import Selection, select
from phcpm.selection.ratings import (
    ADJUSTMENT_COLUMNS,
    DEFAULT_RATING_RULES,
    apply_adjustments,
    default_ratings,
)
from phcpm.selection.scoring import score, shortlist
from phcpm.selection.sheets import (
    reference_sheet,
    reference_sheets_frame,
    reference_sheets_markdown,
)
from phcpm.selection.worked_example import worked_example, worked_example_shortlist

__all__ = [
    "ADJUSTMENT_COLUMNS",
    "DEFAULT_RATING_RULES",
    "EQUITY_STRATIFIERS",
    "ID",
    "REPORTS_PER_YEAR",
    "REQUIRED_LIST_COLUMNS",
    "ROUTINE_SOURCES",
    "BalanceResult",
    "Selection",
    "apply_adjustments",
    "balance",
    "burden",
    "burden_totals",
    "compare_burden",
    "default_ratings",
    "filter_catalogue",
    "reference_sheet",
    "reference_sheets_frame",
    "reference_sheets_markdown",
    "score",
    "select",
    "shortlist",
    "validate_indicator_list",
    "worked_example",
    "worked_example_shortlist",
]
