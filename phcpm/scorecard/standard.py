"""The standard set of primary health care indicators and their definitions."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from phcpm.errors import InputError

__all__ = ["STANDARD_INDICATORS", "default_definitions"]

#: The standard scorecard indicators. ``kind`` says how each is computed:
#:
#: * ``coverage``: a service count over a target population for the period
#:   (annual population x months in the period / 12), times ``factor``;
#: * ``ratio``: one data element over another, times ``factor``;
#: * ``dropout``: (first dose - last dose) / first dose x 100;
#: * ``average``: the total of a data element over the number of monthly values
#:   reported (for example stock-out days per facility per month);
#: * ``reporting``: reports received (or on time) over reports expected x 100.
#:
#: Targets come from the global sources named in ``source`` (the same ones as
#: the indicator catalogue, ``datasets/indicator_catalogue.csv``). The lower
#: "fair" boundaries are teaching defaults chosen for this curriculum, not
#: international standards: a district sets its own.
STANDARD_INDICATORS: tuple[dict, ...] = (
    {
        "indicator": "ANC4_COV",
        "name": "ANC4 coverage",
        "kind": "coverage",
        "numerator": "ANC4",
        "denominator": "expected_pregnancies",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 60.0),
        "source": "WHO, UNICEF & UNFPA, ENAP and EPMM coverage targets for 2025 (2021)",
    },
    {
        "indicator": "SBA_COV",
        "name": "Skilled birth attendance",
        "kind": "coverage",
        "numerator": "SBA_DELIVERY",
        "denominator": "live_births",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 60.0),
        "source": "WHO, UNICEF & UNFPA, ENAP and EPMM coverage targets for 2025 (2021)",
    },
    {
        "indicator": "PNC48_COV",
        "name": "Postnatal care within 2 days",
        "kind": "coverage",
        "numerator": "PNC_48H",
        "denominator": "live_births",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 80.0,
        "thresholds": (80.0, 50.0),
        "source": "WHO, UNICEF & UNFPA, ENAP and EPMM coverage targets for 2025 (2021)",
    },
    {
        "indicator": "PENTA3_COV",
        "name": "Penta3 coverage",
        "kind": "coverage",
        "numerator": "PENTA3",
        "denominator": "surviving_infants",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 80.0),
        "source": "WHO, Immunization Agenda 2030 (2020); 80 % is the former GVAP "
        "district goal (WHO, Global Vaccine Action Plan 2011-2020, 2013)",
    },
    {
        "indicator": "MCV1_COV",
        "name": "Measles (MCV1) coverage",
        "kind": "coverage",
        "numerator": "MCV1",
        "denominator": "surviving_infants",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 95.0,
        "thresholds": (95.0, 80.0),
        "source": "WHO, Measles vaccines: WHO position paper (2017)",
    },
    {
        "indicator": "PENTA_DROPOUT",
        "name": "Penta1 to Penta3 dropout",
        "kind": "dropout",
        "numerator": "PENTA1",
        "denominator": "PENTA3",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": False,
        "target": 10.0,
        "thresholds": (10.0, 20.0),
        "source": "WHO AFRO, Reaching Every District (RED) guide (2017): above 10 % "
        "is a problem of use of services",
    },
    {
        "indicator": "MAL_TEST_RATE",
        "name": "Suspected malaria tested",
        "kind": "ratio",
        "numerator": "MAL_TESTED",
        "denominator": "MAL_SUSPECTED",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 95.0,
        "thresholds": (95.0, 80.0),
        "source": "WHO, T3: Test. Treat. Track. (2012) asks that every suspected case "
        "be tested; 95 % is the teaching target used here",
    },
    {
        "indicator": "OPD_PER_CAPITA",
        "name": "OPD visits per person per year",
        "kind": "coverage",
        "numerator": "OPD_TOTAL",
        "denominator": "total_population",
        "factor": 1.0,
        "unit": "visits",
        "decimals": 1,
        "higher_is_better": True,
        "target": 1.0,
        "thresholds": (1.0, 0.5),
        "source": "WHO, SARA reference manual v2.2 (2015) gives 5 visits per person "
        "per year as a general benchmark; 1 visit is the first-level PHC target used here",
    },
    {
        "indicator": "ACT_STOCKOUT_DAYS",
        "name": "ACT stock-out days per month",
        "kind": "average",
        "numerator": "STOCKOUT_DAYS_ACT",
        "denominator": "",
        "factor": 1.0,
        "unit": "days",
        "decimals": 1,
        "higher_is_better": False,
        "target": 0.0,
        "thresholds": (0.0, 3.0),
        "source": "WHO, Analysis and use of health facility data (2019): tracer "
        "medicines should never be out of stock; 3 days is the teaching boundary",
    },
    {
        "indicator": "REPORT_COMPLETE",
        "name": "Reporting completeness",
        "kind": "reporting",
        "numerator": "received",
        "denominator": "expected",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 80.0),
        "source": "WHO, Data quality review, Module 1: Framework and metrics (2017): "
        "completeness of facility reporting at least 90 %; the 'needs attention' band "
        "from 80 % is a choice of this toolkit",
    },
    {
        "indicator": "REPORT_TIMELY",
        "name": "Reporting timeliness",
        "kind": "reporting",
        "numerator": "on_time",
        "denominator": "expected",
        "factor": 100.0,
        "unit": "%",
        "decimals": 0,
        "higher_is_better": True,
        "target": 90.0,
        "thresholds": (90.0, 75.0),
        "source": "Target of 90 %: a choice of this toolkit, not a WHO figure; the "
        "'needs attention' band starts at 75 %, below which WHO, Data quality review, "
        "Module 1: Framework and metrics (2017) flags the timeliness of facility reporting",
    },
)


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
