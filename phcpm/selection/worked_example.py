"""The worked selection of Module 1: the inputs the lesson and the app share.

:func:`worked_example` gives the inputs of the Sendara district team's selection;
:func:`worked_example_shortlist` the shortlist they lead to.
"""

from __future__ import annotations

import pandas as pd

from phcpm.selection.common import ID, _require_table
from phcpm.selection.ratings import ADJUSTMENT_COLUMNS, apply_adjustments, default_ratings
from phcpm.selection.scoring import score, shortlist

__all__ = ["worked_example", "worked_example_shortlist"]


_WORKED_ADJUSTMENTS: tuple[tuple[str, str, int, str], ...] = (
    ("ANC4_COV", "relevant", 5, "Four antenatal visits is a national target for 2025."),
    ("SBA_COV", "relevant", 5, "Skilled birth attendance is a national target for 2025."),
    ("PENTA3_COV", "relevant", 5, "Penta 3 coverage is the district's main immunisation target."),
    (
        "PENTA_DROPOUT",
        "relevant",
        5,
        "Children who start and do not finish their vaccines are the district's biggest gap.",
    ),
    ("MAL_TEST_RATE", "relevant", 5, "Malaria peaks every rainy season; testing guides treatment."),
    (
        "ACT_NO_STOCKOUT",
        "relevant",
        5,
        "Stock-outs of malaria medicines are frequent in Kavira District.",
    ),
    (
        "REPORT_COMPLETE",
        "relevant",
        5,
        "Completeness is only 80-95 %: every other indicator depends on it.",
    ),
    (
        "SUPERVISION_DONE",
        "relevant",
        5,
        "Supervision visits are often not done in Lusako District.",
    ),
    ("ANC1_12W", "relevant", 4, "Early first visits are needed to act on risks in pregnancy."),
    ("HTN_CONTROL", "relevant", 4, "Hypertension clinics started in every health centre."),
    ("AMOX_NO_STOCKOUT", "relevant", 4, "Amoxicillin is the tracer medicine for child pneumonia."),
    ("PNEU_AMOX", "relevant", 4, "Pneumonia is a leading cause of death in young children."),
    (
        "ANC1_COV",
        "relevant",
        2,
        "Almost every pregnant woman makes a first visit: little to learn.",
    ),
    ("BCG_COV", "relevant", 2, "BCG is given at birth: delivery indicators already show it."),
    ("PENTA1_COV", "relevant", 2, "The dropout rate already uses Penta 1."),
    ("FAC_DELIV_COV", "relevant", 2, "Skilled birth attendance says more about safe delivery."),
    (
        "OPD_PER_CLINICIAN",
        "data_available",
        2,
        "Clinician full-time equivalents are not in the monthly report.",
    ),
)


def worked_example(catalogue: pd.DataFrame | None = None) -> dict[str, object]:
    """The inputs of the worked selection in the book, in one place.

    The Module 1 lesson "A worked selection" and the Indicator Selector app's
    "Load the worked example" button both read these inputs, so they always give the
    same shortlist. The district team of the synthetic Republic of Sendara chooses
    12 indicators for its quarterly performance review.

    Returns a dict with:

    ``current``
        Codes of the district's current review list: every catalogue indicator that
        the monthly HMIS report produces (data source ``HMIS routine``).
    ``adjustments``
        The team's changes to :func:`default_ratings` (``indicator_id``,
        ``criterion``, ``rating``, ``reason``), for :func:`apply_adjustments`.
    ``weights``
        Criterion weights for :func:`score` (criteria left out weigh 0).
    ``k``, ``must_include``, ``exclude``
        Arguments of :func:`shortlist`.
    ``facilities``
        Number of reporting facilities in ``datasets/org_units.csv`` (level 4).
    ``minutes_per_value``
        Staff minutes to count, check and report one value (the team's estimate
        from timing a records clerk; an assumption, not a published figure).
    Example:

    >>> example = worked_example()
    >>> example["k"], example["must_include"], example["minutes_per_value"]
    (12, ['SUPERVISION_DONE'], 2.0)
    """
    from phcpm.catalogue import catalogue as _catalogue
    from phcpm.paths import dataset_path

    cat = _catalogue() if catalogue is None else catalogue
    _require_table(cat, [ID, "data_source"], "catalogue")
    org = pd.read_csv(dataset_path("org_units.csv"), usecols=["level"])
    return {
        "current": cat.loc[cat["data_source"] == "HMIS routine", ID].tolist(),
        "adjustments": pd.DataFrame(list(_WORKED_ADJUSTMENTS), columns=list(ADJUSTMENT_COLUMNS)),
        "weights": {
            "relevant": 3.0,
            "actionable": 3.0,
            "data_available": 2.0,
            "sensitive": 2.0,
            "low_burden": 2.0,
            "accepted": 1.0,
            "equity": 1.0,
            "credible": 1.0,
            "robust": 1.0,
        },
        "k": 12,
        "must_include": ["SUPERVISION_DONE"],
        "exclude": ["MAL_TREAT_CONF"],
        "facilities": int((org["level"] == 4).sum()),
        "minutes_per_value": 2.0,
    }


def worked_example_shortlist(catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """The shortlist of :func:`worked_example`: default ratings, adjustments, score, shortlist.

    Example:

    >>> chosen = worked_example_shortlist()
    >>> len(chosen), "SUPERVISION_DONE" in set(chosen["indicator_id"])
    (12, True)
    """
    from phcpm.catalogue import catalogue as _catalogue

    cat = _catalogue() if catalogue is None else catalogue
    ex = worked_example(cat)
    ratings = apply_adjustments(default_ratings(cat), ex["adjustments"])
    scored = score(cat, ratings, ex["weights"])
    return shortlist(scored, ex["k"], must_include=ex["must_include"], exclude=ex["exclude"])
