"""The result of the desk review: every flag, and the one-page summary of the checks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from phcpm.errors import require_columns
from phcpm.quality.annual import AnnualReview
from phcpm.quality.preparation import (
    _BAD_SEVERITIES,
    _NO_DATA,
    _S_FLAGGED,
    _S_NO_DATA,
    COLUMNS_TODO,
    _empty_result,
)

__all__ = ["SUMMARY_COLUMNS", "ReviewResult", "filter_flags"]


@dataclass
class ReviewResult:
    """Everything :func:`review` found: one table per check and the summary.

    Each table holds the flagged rows only (columns :data:`RESULT_COLUMNS`).
    ``summary`` has one row per check: ``dimension, rule, data_element, threshold,
    checked, flagged, percent_flagged, counted`` (what was counted: values, org
    units, ...).
    """

    outliers: pd.DataFrame
    modified_z: pd.DataFrame
    over_time: pd.DataFrame
    between: pd.DataFrame
    internal: pd.DataFrame
    completeness: pd.DataFrame | None
    timeliness: pd.DataFrame | None
    element_completeness: pd.DataFrame
    summary: pd.DataFrame
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    year: int | None = None
    annual: AnnualReview | None = None
    verify: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def flagged(self) -> pd.DataFrame:
        """All flagged rows of every check in one table."""
        parts = [
            t
            for t in (
                self.completeness,
                self.timeliness,
                self.element_completeness,
                self.outliers,
                self.modified_z,
                self.over_time,
                self.between,
                self.internal,
                *self.extra.values(),
            )
            if t is not None and len(t)
        ]
        return pd.concat(parts, ignore_index=True) if parts else _empty_result()


_DIMENSION = {
    "reporting_completeness": "1. Completeness and timeliness",
    "reporting_timeliness": "1. Completeness and timeliness",
    "data_element_completeness": "1. Completeness and timeliness",
    "outlier_sd": "2. Internal consistency",
    "outlier_modified_z": "2. Internal consistency",
    "consistency_over_time": "2. Internal consistency",
    "related_indicators": "2. Internal consistency",
    "internal_check": "2. Internal consistency",
    "external_comparison": "3. External comparison",
    "denominator_consistency": "4. Consistency of population data",
    "coverage_over_100": "4. Consistency of population data",
}


def _summary_rows(full: pd.DataFrame, counted: str) -> list[dict]:
    """One summary row per data element: rows checked and flagged (no_data not checked)."""
    if full is None or full.empty:
        return []
    rule = str(full["rule"].iloc[0])
    tested = full[full["severity"].ne(_NO_DATA).to_numpy()]
    rows = []
    for element, sev in tested.groupby("data_element", observed=True, sort=True)["severity"]:
        rows.append(
            _summary_row(
                rule,
                str(element),
                float(full["threshold"].min()),
                len(sev),
                int(sev.isin(_BAD_SEVERITIES).sum()),
                counted,
            )
        )
    return rows


def _summary_by_code(rule, severity, codes, names, threshold, counted) -> list[dict]:
    """What :func:`_summary_rows` gives for a full table, from severity codes.

    ``codes`` number the data element (or pair) of every row in the sorted order of
    ``names``; one row per name that has rows that could be checked.
    """
    tested = severity != _S_NO_DATA
    checked = np.bincount(codes[tested], minlength=len(names))
    flagged = np.bincount(codes[tested & (severity >= _S_FLAGGED)], minlength=len(names))
    return [
        _summary_row(
            rule, str(names[c]), float(threshold), int(checked[c]), int(flagged[c]), counted
        )
        for c in np.flatnonzero(checked)
    ]


def _summary_row(rule, element, threshold, checked, flagged, counted, label=None) -> dict:
    return {
        "dimension": _DIMENSION[rule],
        "rule": rule if label is None else f"{rule} ({label})",
        "data_element": element,
        "threshold": threshold,
        "checked": checked,
        "flagged": flagged,
        "percent_flagged": 100.0 * flagged / checked if checked else np.nan,
        "counted": counted,
    }


def _flagged(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["severity"].isin(_BAD_SEVERITIES).to_numpy()].reset_index(drop=True)


SUMMARY_COLUMNS = [
    "dimension",
    "rule",
    "data_element",
    "threshold",
    "checked",
    "flagged",
    "percent_flagged",
    "counted",
]


def filter_flags(
    flags: pd.DataFrame,
    district: str | None = None,
    org_unit: str | None = None,
    check: str | None = None,
) -> pd.DataFrame:
    """The flags (from :func:`phcpm.report.flag_table`) of one district, org unit or check.

    Each of ``district``, ``org_unit`` and ``check`` keeps only the rows whose
    column of that name equals it (compared as text); ``None`` keeps every row.
    A table without a ``district`` column cannot be narrowed by district, so the
    district is then ignored. This is the "values to verify with each facility"
    list of the WHO desk review, narrowed for follow-up (WHO, *Data quality
    review, Module 2: Desk review of data quality*, 2017). Returns a new
    DataFrame; the index of the kept rows is kept, so a row can be found again
    in ``flags``.
    """
    require_columns(flags, [], "the flag table", COLUMNS_TODO)
    keep = np.ones(len(flags), dtype=bool)
    for column, wanted in (("district", district), ("org_unit", org_unit), ("check", check)):
        if wanted is None or (column == "district" and column not in flags.columns):
            continue
        require_columns(flags, [column], "the flag table", COLUMNS_TODO)
        keep &= (flags[column].astype("string") == str(wanted)).fillna(False).to_numpy(bool)
    return flags.loc[keep].copy()


#: The reporting metrics of a DHIS2 data set and the column of the reporting
#: table (see :func:`reporting_completeness`) that each count fills. DHIS2
#: analytics names them ``<data set>.<METRIC>`` (for example
#: ``QX4ZTUbOt3a.ACTUAL_REPORTS``); pivot tables downloaded with names write the
#: data set's name followed by "Actual reports", "Expected reports" and so on.
