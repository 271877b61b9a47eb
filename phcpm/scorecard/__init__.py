"""Performance scorecards: colour bands, trends, ranks and facility feedback.

A scorecard shows, for one reporting period, every org unit (rows) against a
handful of indicators (columns). Each cell carries a value, a performance band
(good / fair / poor, or "no data" / "not applicable"), the change since a
comparison period and the org unit's rank among its peers. The layout follows
the DHIS2 Scorecard app (HISP Tanzania) and the RMNCAH scorecards promoted by
the African Leaders Malaria Alliance (ALMA Scorecard for Accountability and Action).

Inputs
------
``data``: tidy indicator values, one row per ``org_unit``, ``period`` (a
:class:`pandas.Period`), ``indicator`` and ``value`` (float; NaN means no data).
Optional ``numerator`` and ``denominator`` columns let values be recomputed
correctly when org units are combined (see :func:`aggregate_to_level`).

``definitions``: one row per indicator with

* ``indicator`` - the code used in ``data``;
* ``name`` - the name people read (optional; the code is used if missing);
* ``higher_is_better`` - True for coverage, False for stock-out days or dropout;
* ``target`` - the number an org unit should reach (may be empty);
* ``thresholds`` - the band boundaries, in one of two forms (see below);
* optional ``unit`` ("%", "days"), ``decimals`` (digits shown, default 0),
  ``tolerance`` (the change treated as "no change", default ``flat_tolerance``),
  ``factor`` (100 for a percentage, used when values are rebuilt from numerators
  and denominators) and ``aggregation`` ("ratio", "mean" or "sum").

Two ways to write band boundaries
---------------------------------
1. **Two cut-offs** ``(good, fair)`` (or ``{"good": 80, "fair": 50}``, or
   separate ``good`` and ``fair`` columns). Both cut-offs belong to the better
   band: for a higher-is-better indicator, good if value >= good, fair if
   value >= fair, else poor; for a lower-is-better indicator, good if
   value <= good, fair if value <= fair, else poor. So with (80, 50) a coverage
   of exactly 80 % is good and exactly 50 % is fair; with (10, 20) exactly
   10 stock-out days is good and exactly 20 is fair.

2. **A legend**: a list of ``(start, end, band)`` ranges, as in a DHIS2 legend
   set. DHIS2 places a value in the legend whose start value is less than or
   equal to it and whose end value is greater than it: the start is inclusive
   and the end exclusive (``startValue <= value < endValue``; DHIS2 analytics
   library, ``src/modules/legends.js``, function ``getLegendByValueFromLegendSet``,
   HISP Centre, University of Oslo). This module follows that rule, with one
   documented difference: a value equal to the end of the highest range belongs
   to that range (so 100 % is coloured when the top range is 80-100, where DHIS2
   leaves it uncoloured). Ranges must follow one another without gaps or
   overlaps. The first start and the last end may be ``None`` (no limit).
   Values below the first range or above the last one are placed in the nearest
   range and flagged in the column ``outside_legend`` (a coverage above 100 %
   usually means the population estimate is too low, which is a data-quality
   question for the manager, not a reason to hide the value).

Note the two forms differ for lower-is-better indicators: the cut-off form puts
a value equal to the cut-off in the better band (value <= 10 is good), a legend
puts it in the range that starts there (10 is in the range 10-20).

Not applicable versus no data
-----------------------------
"No data" means the indicator applies to the org unit but no value was
reported. "Not applicable" means the indicator does not apply at all (for
example, deliveries at a health post that offers no delivery service). Not
applicable org units are left out of ranks, averages and on-target counts; org
units with no data are counted as applicable but not on target.

Give not-applicable pairs as a set of ``(org_unit, indicator)`` tuples, a
DataFrame with ``org_unit`` and ``indicator`` columns, or a rule by facility
type ``{"FAC_DELIVERY_RATE": ["health_post", "community_clinic"]}`` (this needs
the ``org_units`` table with a ``facility_type`` column).

Where things are
----------------
The package has one module per idea; everything is imported from here:

* :mod:`~phcpm.scorecard.definitions`: indicator definitions and band legends;
* :mod:`~phcpm.scorecard.checks`: checks of the inputs, and periods;
* :mod:`~phcpm.scorecard.hierarchy`: combining org units up the hierarchy;
* :mod:`~phcpm.scorecard.bands`: placing values in bands;
* :mod:`~phcpm.scorecard.card`: the scorecard of one period;
* :mod:`~phcpm.scorecard.summaries`: summaries by indicator and by org unit;
* :mod:`~phcpm.scorecard.display`: values as text, the wide table;
* :mod:`~phcpm.scorecard.standard`: the standard indicator set;
* :mod:`~phcpm.scorecard.district`: district indicators and a user's own values.

The one-page feedback sheet (:class:`FeedbackSheet`, :func:`feedback_sheet_data`)
lives in :mod:`phcpm.feedback.sheet`; both names can still be imported from here.
"""

from __future__ import annotations

from phcpm.scorecard.bands import band
from phcpm.scorecard.card import scorecard
from phcpm.scorecard.checks import period_text
from phcpm.scorecard.definitions import ARROWS, CARD_BANDS, FLAT_TOLERANCE, PERFORMANCE_BANDS
from phcpm.scorecard.display import format_value, format_values, scorecard_wide
from phcpm.scorecard.district import (
    COUNT_NOT_PERCENT,
    district_indicators,
    indicator_values,
    not_offered,
    own_definitions,
    own_place_names,
)
from phcpm.scorecard.hierarchy import aggregate_to_level
from phcpm.scorecard.standard import STANDARD_INDICATORS, default_definitions
from phcpm.scorecard.summaries import check_card, summary_by_indicator, summary_by_org_unit

__all__ = [
    "ARROWS",
    "CARD_BANDS",
    "COUNT_NOT_PERCENT",
    "FLAT_TOLERANCE",
    "PERFORMANCE_BANDS",
    "STANDARD_INDICATORS",
    "FeedbackSheet",
    "aggregate_to_level",
    "band",
    "check_card",
    "default_definitions",
    "district_indicators",
    "feedback_sheet_data",
    "format_value",
    "format_values",
    "indicator_values",
    "not_offered",
    "own_definitions",
    "own_place_names",
    "period_text",
    "scorecard",
    "scorecard_wide",
    "summary_by_indicator",
    "summary_by_org_unit",
]

#: Names that live in :mod:`phcpm.feedback.sheet` and are also offered here. They
#: are imported when first asked for (PEP 562), because the feedback sheet is
#: built on this package and importing it here at once would make a loop.
_FEEDBACK_NAMES = ("FeedbackSheet", "feedback_sheet_data")


def __getattr__(name: str):
    if name in _FEEDBACK_NAMES:
        from phcpm.feedback import sheet

        return getattr(sheet, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FEEDBACK_NAMES))
