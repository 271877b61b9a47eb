"""Small helpers shared by the generator: random streams, UIDs, CSV writing."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["FIRST_MONTH", "N_MONTHS", "make_uids", "months", "stream", "write_csv"]

_LETTERS = np.array(list(string.ascii_letters))
_ALNUM = np.array(list(string.ascii_letters + string.digits))

#: Start and end of the 36 reporting months.
FIRST_MONTH = "2023-01"
N_MONTHS = 36


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream for one part of the data.

    Each part (org units, service data, workforce, ...) draws from its own stream,
    so changing one part never shifts the numbers of another.
    """
    key = [int(seed)] + [ord(c) for c in name]
    return np.random.default_rng(key)


def make_uids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct DHIS2-style identifiers: a letter, then 10 letters or digits.

    DHIS2 identifiers are 11 characters, start with a letter and use only
    ASCII letters and digits (DHIS2 Developer Manual, "Identifier schemes").
    """
    out = np.empty(0, dtype="<U11")
    while out.size < n:
        k = n - out.size
        first = _LETTERS[rng.integers(0, _LETTERS.size, k)][:, None]
        rest = _ALNUM[rng.integers(0, _ALNUM.size, (k, 10))]
        uids = np.ascontiguousarray(np.concatenate([first, rest], axis=1)).view("<U11").ravel()
        merged = np.concatenate([out, uids])
        _, first_seen = np.unique(merged, return_index=True)
        out = merged[np.sort(first_seen)]
    return out


def months(n: int = N_MONTHS, start: str = FIRST_MONTH) -> pd.PeriodIndex:
    """The reporting months as a monthly PeriodIndex."""
    return pd.period_range(start=start, periods=n, freq="M")


def write_csv(df: pd.DataFrame, path: Path, float_format: str = "%.3f") -> None:
    """Write a CSV that is byte-identical every time the same frame is written.

    Unix line endings, no index, floats with a fixed number of decimals, UTF-8.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", float_format=float_format, encoding="utf-8")
