"""The synthetic Republic of Sendara: its files, and who belongs to which district.

Every lesson and tool reads the example data through this module, so the
look-ups (facility → district → region) are built once, the same way, from
the hierarchy in ``org_units.csv`` (each unit's ``parent_id``), not from
names typed into another column.

The files are described in ``datasets/datapackage.json``. In a source
checkout they are read from the repository's ``datasets/`` folder; an
installed copy of the package (``pip install .``) carries them inside
(see :mod:`phcpm.paths`).

>>> units = org_units()
>>> int((units["level"] == 4).sum())
145
>>> district_of()[ids()["Lusako District Hospital"]]
'Lusako District'
"""

from __future__ import annotations

import json
from functools import cache

import pandas as pd

from phcpm.errors import InputError
from phcpm.paths import dataset_path

__all__ = [
    "LEVELS",
    "district_of",
    "files",
    "ids",
    "load",
    "names",
    "org_units",
    "places",
    "region_of",
]

#: Levels of the hierarchy of Sendara, as in ``org_units.csv``.
LEVELS = {1: "Country", 2: "Region", 3: "District", 4: "Facility"}


@cache
def files() -> dict[str, str]:
    """Each dataset's name and its file, from ``datapackage.json``.

    >>> files()["org_units"]
    'org_units.csv'
    """
    package = json.loads(dataset_path("datapackage.json").read_text(encoding="utf-8"))
    return {resource["name"]: resource["path"] for resource in package["resources"]}


def load(name: str, **read_csv: object) -> pd.DataFrame:
    """One example file as a table: ``name`` is its dataset name (``"service_data"``)
    or its file name (``"service_data.csv"``, ``"dhis2/pivot.csv"``).

    Extra keyword arguments go to :func:`pandas.read_csv` (``parse_dates=[...]``
    for example); the table is read exactly as :func:`pandas.read_csv` reads it.

    >>> load("population").columns.tolist()[:3]
    ['org_unit_id', 'year', 'total_population']
    """
    known = files()
    path = known.get(name, name)
    if path not in known.values():
        raise InputError(
            f"There is no example file called {name!r}",
            todo="Use one of: " + ", ".join(sorted(known)),
        )
    if not path.endswith(".csv"):
        raise InputError(
            f"The example file {path!r} is not a CSV table",
            todo="Read it with phcpm.io.read_table(phcpm.paths.dataset_path(...))",
        )
    return pd.read_csv(dataset_path(path), **read_csv)


@cache
def _org_units() -> pd.DataFrame:
    return pd.read_csv(dataset_path("org_units.csv"))


def org_units() -> pd.DataFrame:
    """``org_units.csv``: every unit of Sendara with its level and parent (a copy)."""
    return _org_units().copy()


def names() -> dict[str, str]:
    """Each unit's DHIS2-style ID and its name.

    >>> names()["JMqBp75g19Y"]
    'Republic of Sendara'
    """
    units = _org_units()
    return dict(zip(units["org_unit_id"], units["name"], strict=True))


def ids() -> dict[str, str]:
    """Each unit's name and its ID (names are unique in Sendara)."""
    units = _org_units()
    return dict(zip(units["name"], units["org_unit_id"], strict=True))


@cache
def _places() -> pd.DataFrame:
    units = _org_units()
    parent = dict(zip(units["org_unit_id"], units["parent_id"], strict=True))
    level = dict(zip(units["org_unit_id"], units["level"], strict=True))
    label = names()

    def ancestor(unit: str, wanted: int) -> str | None:
        while isinstance(unit, str) and level.get(unit, 0) > wanted:
            unit = parent.get(unit)
        return unit if isinstance(unit, str) and level.get(unit) == wanted else None

    rows = []
    for unit in units["org_unit_id"]:
        district, region = ancestor(unit, 3), ancestor(unit, 2)
        rows.append(
            {
                "org_unit_id": unit,
                "name": label[unit],
                "level": int(level[unit]),
                "level_name": LEVELS.get(int(level[unit]), str(level[unit])),
                "district_id": district,
                "district": label.get(district),
                "region_id": region,
                "region": label.get(region),
            }
        )
    return pd.DataFrame(rows)


def places() -> pd.DataFrame:
    """Every unit with the district and region it belongs to (IDs and names).

    Walks the ``parent_id`` hierarchy; a unit above district level has no
    district (empty), the country has no region.

    >>> row = places().set_index("name").loc["Lusako District Hospital"]
    >>> (row["district"], row["region"])
    ('Lusako District', 'Kalindi Region')
    """
    return _places().copy()


def district_of(by: str = "id") -> dict[str, str]:
    """Each facility and district (itself) and the name of its district.

    ``by="id"`` keys the look-up on unit IDs, ``by="name"`` on unit names.
    """
    return _lookup("district", by)


def region_of(by: str = "id") -> dict[str, str]:
    """Each facility, district and region (itself) and the name of its region."""
    return _lookup("region", by)


def _lookup(column: str, by: str) -> dict[str, str]:
    if by not in ("id", "name"):
        raise InputError(f"Cannot look up units by {by!r}", todo="Use by='id' or by='name'")
    table = _places().dropna(subset=[column])
    key = "org_unit_id" if by == "id" else "name"
    return dict(zip(table[key], table[column], strict=True))
