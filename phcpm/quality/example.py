"""The synthetic district, ready for the data quality review.

The review reads facility names as its org units (a manager's list of flags
names facilities, not codes), so the example's service data and reports get
the facility's name, and the org unit table is given by name too, for the
facility, district and region levels of :func:`phcpm.quality.review`.
"""

from __future__ import annotations

import pandas as pd

from phcpm.paths import dataset_path

__all__ = ["example_data", "example_org_units"]


def example_data() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """The synthetic district data with facility names: service data, reporting, and
    each facility's district (``"<name> District"``, indexed by facility name).

    >>> service, reporting, district = example_data()
    >>> service["org_unit"].isna().any(), reporting["org_unit"].isna().any()
    (np.False_, np.False_)
    >>> district.str.endswith(" District").all()
    np.True_
    """
    units = pd.read_csv(dataset_path("org_units.csv"))
    names = units.set_index("org_unit_id")["name"]
    service = pd.read_csv(dataset_path("service_data.csv"))
    service["org_unit"] = service["org_unit_id"].map(names)
    reporting = pd.read_csv(dataset_path("reporting.csv"))
    reporting["org_unit"] = reporting["org_unit_id"].map(names)
    facilities = units[units["level_name"] == "Facility"]
    district = pd.Series(
        (facilities["district"] + " District").to_numpy(), index=facilities["name"].to_numpy()
    )
    return service, reporting, district


def example_org_units() -> pd.DataFrame:
    """The example's org unit table (``datasets/org_units.csv``) with names as ids:
    columns ``org_unit_id``, ``name`` and ``parent_id``, each parent named too.

    >>> units = example_org_units()
    >>> list(units.columns)
    ['org_unit_id', 'name', 'parent_id']
    >>> bool((units["org_unit_id"] == units["name"]).all())
    True
    """
    units = pd.read_csv(dataset_path("org_units.csv"))
    return units.assign(org_unit_id=units["name"])[["org_unit_id", "name", "parent_id"]].assign(
        parent_id=units["parent_id"].map(units.set_index("org_unit_id")["name"])
    )
