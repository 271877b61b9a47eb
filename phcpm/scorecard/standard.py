"""The standard set of primary health care indicators and their definitions."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from phcpm.catalogue import catalogue, reference_table
from phcpm.errors import InputError

__all__ = ["STANDARD_INDICATORS", "default_definitions"]

#: The standard scorecard indicators, read from
#: ``phcpm/reference/scorecard_standard_set.csv`` (validated against its Table
#: Schema by the tests). ``kind`` says how each is computed:
#:
#: * ``coverage``: a service count over a target population for the period
#:   (annual population x months in the period / 12), times ``factor``;
#: * ``ratio``: one data element over another, times ``factor``;
#: * ``dropout``: (first dose - last dose) / first dose x 100;
#: * ``average``: the total of a data element over the number of monthly values
#:   reported (for example stock-out days per facility per month);
#: * ``reporting``: reports received (or on time) over reports expected x 100.
#:
#: Each row names its indicator in the catalogue (``catalogue_id``); its target is
#: the catalogue's ``typical_target`` unless the row gives its own, with the reason
#: (``target_reason``). ``source`` says where the target comes from. The lower
#: "fair" boundaries are teaching defaults chosen for this curriculum, not
#: international standards: a district sets its own.
STANDARD_INDICATORS: tuple[dict, ...]


def _standard_indicators() -> tuple[dict, ...]:
    """The rows of the standard set, each target filled from the catalogue where the
    set gives none; an unknown catalogue code or a missing target is an error."""
    table = reference_table("scorecard_standard_set")
    targets = catalogue().set_index("indicator_id")["typical_target"]
    rows = []
    for row in table.to_dict("records"):
        code = row["catalogue_id"]
        if code not in targets.index:
            raise ValueError(
                f"scorecard_standard_set.csv: {row['indicator']} names {code!r}, "
                "which is not in indicator_catalogue.csv"
            )
        own = row["target"] == row["target"]  # not NaN
        if own and not row["target_reason"]:
            raise ValueError(
                f"scorecard_standard_set.csv: {row['indicator']} has its own target "
                "but no target_reason"
            )
        target = float(row["target"]) if own else float(targets[code])
        if target != target:
            raise ValueError(
                f"scorecard_standard_set.csv: {row['indicator']} has no target, "
                f"and the catalogue gives none for {code}"
            )
        rows.append(
            {
                "indicator": row["indicator"],
                "name": row["name"],
                "kind": row["kind"],
                "numerator": row["numerator"],
                "denominator": row["denominator"],
                "factor": float(row["factor"]),
                "unit": row["unit"],
                "decimals": int(row["decimals"]),
                "higher_is_better": bool(row["higher_is_better"]),
                "target": target,
                "thresholds": (target, float(row["fair"])),
                "source": row["source"],
            }
        )
    return tuple(rows)


STANDARD_INDICATORS = _standard_indicators()


def default_definitions(indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """The standard scorecard indicator set, as a definitions table for :func:`scorecard`.

    Eleven PHC indicators that :func:`district_indicators` computes from the
    monthly PHC report, the population projections and the report register:
    ANC4, skilled birth, postnatal care, Penta3 and MCV1 coverage, Penta1-3
    dropout (lower is better), malaria testing, outpatient visits per person,
    ACT stock-out days (lower is better), reporting completeness and
    timeliness. Columns: ``indicator``, ``name``, ``higher_is_better``,
    ``target``, ``thresholds`` (``(good, fair)`` cut-offs, see the module
    docstring), ``unit``, ``decimals``, ``factor``, ``aggregation`` ("ratio":
    districts are computed from summed numerators and denominators),
    ``kind``, ``numerator``, ``denominator`` and ``source`` (where the target
    comes from; the fair boundaries are teaching defaults to be set locally).

    ``indicators`` keeps only those codes, in the order given.
    """
    table = pd.DataFrame(list(STANDARD_INDICATORS))
    table["aggregation"] = "ratio"
    if indicators is not None:
        wanted = [str(i) for i in indicators]
        unknown = [i for i in wanted if i not in set(table["indicator"])]
        if unknown:
            raise InputError(
                "Unknown indicator(s): " + ", ".join(unknown),
                where="the list of indicators",
                todo="Choose from " + ", ".join(table["indicator"]),
            )
        table = table.set_index("indicator").loc[wanted].reset_index()
    return table.reset_index(drop=True)
