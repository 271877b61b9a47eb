"""Choosing a balanced, affordable set of PHC indicators (the names of :mod:`phcpm.selection`).

The functions live in the modules of :mod:`phcpm.selection`, one per step:
candidates, ratings, scoring, balance, burden, reference sheets, the worked
example, and :func:`~phcpm.selection.pipeline.select`, which runs the steps in
one call. This module gives them all under one name, as the lessons use them::

    from phcpm import indicators as ind
    ind.score(...)
"""

from phcpm.selection import (
    ADJUSTMENT_COLUMNS,
    DEFAULT_RATING_RULES,
    EQUITY_STRATIFIERS,
    ID,
    REPORTS_PER_YEAR,
    REQUIRED_LIST_COLUMNS,
    ROUTINE_SOURCES,
    BalanceResult,
    Selection,
    apply_adjustments,
    balance,
    burden,
    burden_totals,
    compare_burden,
    default_ratings,
    filter_catalogue,
    reference_sheet,
    reference_sheets_frame,
    reference_sheets_markdown,
    score,
    select,
    shortlist,
    validate_indicator_list,
    worked_example,
    worked_example_shortlist,
)

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
