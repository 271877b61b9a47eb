"""How a column of a synthetic file is described, in the Frictionless Table Schema.

Source: Frictionless Data, Table Schema specification v1 (field descriptors:
``name``, ``type``, ``description``, ``constraints``); ``unit`` and
``required`` are this project's additions, shown in the data dictionary.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BIN", "MONTH", "ORG", "UID", "field"]

#: A DHIS2-style ID: a letter, then 10 letters or digits.
UID = {"pattern": "^[A-Za-z][A-Za-z0-9]{10}$"}
#: A month written yyyy-mm.
MONTH = {"pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}
#: A yes (1) or no (0).
BIN = {"enum": [0, 1]}


def field(
    name: str,
    type_: str,
    description: str,
    unit: str = "",
    required: bool = False,
    **constraints: Any,
) -> dict[str, Any]:
    """The description of one column: its name, type, meaning, unit and constraints.

    >>> field("visits", "integer", "Visits in the month", unit="visits", minimum=0)["constraints"]
    {'minimum': 0}
    """
    return {
        "name": name,
        "type": type_,
        "description": description,
        "unit": unit,
        "required": required,
        "constraints": constraints,
    }


#: The facility column that most files share.
ORG = field("org_unit_id", "string", "DHIS2-style ID of the facility", required=True, **UID)
