"""Cause lists as a manager types them: one cause per line for a fishbone, "cause, count" for a Pareto chart.

:func:`cause_lists` reads the fishbone's boxes; :func:`pareto_lines` writes counts
as the lines :func:`phcpm.problems.parse_pareto_text` reads back, so a list
filled from a file or from an example can be edited like a typed one.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from phcpm.errors import require_columns

__all__ = ["cause_lists", "pareto_lines"]


def cause_lists(texts: Mapping[str, str | None]) -> dict[str, list[str]]:
    """The causes in each box of a fishbone: one per line, empty lines and spaces left out.

    >>> cause_lists({"People": "Low morale\\n\\n  No roster ", "Methods": ""})
    {'People': ['Low morale', 'No roster'], 'Methods': []}
    """
    return {
        str(box): [line.strip() for line in str(text or "").splitlines() if line.strip()]
        for box, text in texts.items()
    }


def _number(value: float) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.10g}"


def pareto_lines(table: pd.DataFrame, category: str = "category", count: str = "count") -> str:
    """Categories and counts as text, one "cause, count" line each, in the table's order.

    Whole counts are written without decimals and large ones without an exponent,
    so the text reads back to the same counts.

    >>> import pandas as pd
    >>> print(pareto_lines(pd.DataFrame({"category": ["No fuel", "Rain"], "count": [12, 2.5]})))
    No fuel, 12
    Rain, 2.5
    >>> pareto_lines(pd.DataFrame({"category": ["Stock-out"], "count": [1234567.0]}))
    'Stock-out, 1234567'
    """
    require_columns(table, [category, count], "the table of counts")
    return "\n".join(
        f"{c}, {_number(n)}" for c, n in zip(table[category], table[count], strict=True)
    )
