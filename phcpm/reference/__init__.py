"""Reference tables as data: the indicator catalogue, the selection criteria and their sources.

Each ``<name>.csv`` has its Table Schema in ``<name>.schema.json``;
:mod:`phcpm.catalogue` reads them.
"""

__all__: list[str] = []
