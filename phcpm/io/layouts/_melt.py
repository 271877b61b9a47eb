"""Turning a table with several values per row into one row per value, fast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.io.layouts._base import Long

__all__ = ["melt"]


def _tile(values: pd.Series, k: int):
    """A column repeated ``k`` times (as categories: each distinct text once)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cat = values.array
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        cat = pd.Categorical.from_codes(
            codes, categories=pd.Index(uniques, dtype=object), validate=False
        )
    codes = np.tile(np.asarray(cat.codes), k)
    return pd.Categorical.from_codes(codes, categories=cat.categories, validate=False)


def melt(
    frame: pd.DataFrame,
    row_roles: dict[str, str],
    value_cols: list,
    column_roles: dict[str, list],
    keep: list,
) -> Long:
    """One row per cell of ``value_cols``, all cells of the first column first
    (as :meth:`pandas.DataFrame.melt`).

    ``row_roles`` is ``{role: column}`` for roles read from each row (the place,
    the period, ...); ``column_roles`` is ``{role: [one value per value
    column]}`` for roles read from the headings (the period, the data
    element, ...). The index is the row number in the file, repeated.
    """
    n, k = len(frame), len(value_cols)
    data: dict[str, object] = {}
    for role, col in row_roles.items():
        data[role] = _tile(frame[col], k)
    for col in keep:
        data[col] = _tile(frame[col], k)
    for role, per_col in column_roles.items():
        cats = pd.Index(pd.unique(pd.Series(per_col, dtype=object)), dtype=object)
        codes = cats.get_indexer(pd.Series(per_col, dtype=object))
        data[role] = pd.Categorical.from_codes(np.repeat(codes, n), categories=cats, validate=False)
    block = frame[value_cols]
    dtypes = set(block.dtypes)
    if all(pd.api.types.is_numeric_dtype(d) and not pd.api.types.is_bool_dtype(d) for d in dtypes):
        values = np.concatenate(
            [block[c].to_numpy(dtype=float, na_value=np.nan) for c in value_cols]
        )
    else:
        values = np.concatenate([block[c].to_numpy(dtype=object) for c in value_cols])
    data["value"] = values
    index = np.tile(np.asarray(frame.index), k)
    long = pd.DataFrame(data, index=pd.Index(index))
    source = {"value": np.repeat(np.array([str(c) for c in value_cols], dtype=object), n)}
    for role in column_roles:
        source[role] = source["value"]
    for role, col in row_roles.items():
        source[role] = col
    return Long(frame=long, source=source, n_read=n, wide=True)
