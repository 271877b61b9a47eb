"""Reading DHIS2 JSON downloads into a table.

* A data value set: ``{"dataValues": [{"dataElement": ..., "period": ...,
  "orgUnit": ..., "categoryOptionCombo": ..., "attributeOptionCombo": ...,
  "value": ...}, ...]}``, where ``period``, ``orgUnit`` and
  ``attributeOptionCombo`` may instead be given once for the whole set
  (DHIS2 Developer Manual, "Data values").
* An analytics response: ``{"headers": [{"name": "dx", "column": "Data"}, ...],
  "rows": [[...], ...], "metaData": {"items": {uid: {"name": ...}}}}``
  (DHIS2 Developer Manual, "Analytics"); names are taken from
  ``metaData.items``. It becomes the columns of a plain data source download
  (``Data ID, Data, Period ID, Period, Organisation unit ID, Organisation unit,
  Value`` and any category columns).
"""

from __future__ import annotations

import json

import pandas as pd

from phcpm.errors import InputError
from phcpm.io._common import FIX_FILE, name_list

__all__ = ["looks_like_json", "read_json"]

_DVS_FIELDS = [
    ("dataElement", "dataelement"),
    ("period", "period"),
    ("orgUnit", "orgunit"),
    ("categoryOptionCombo", "categoryoptioncombo"),
    ("attributeOptionCombo", "attributeoptioncombo"),
    ("value", "value"),
    ("comment", "comment"),
    ("deleted", "deleted"),
]
_SET_DEFAULTS = ("period", "orgUnit", "attributeOptionCombo")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def looks_like_json(data: bytes) -> bool:
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start in (b"{", b"[")


def read_json(data: bytes, notes: list[str]) -> tuple[pd.DataFrame, str]:
    """``(frame, layout name)`` of a DHIS2 JSON download; InputError for any other JSON."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InputError(
            "This is a web or data document (JSON or HTML), not a table we can read",
            todo=FIX_FILE,
        ) from None
    if isinstance(doc, dict) and isinstance(doc.get("dataValues"), list):
        return _data_value_set(doc, notes), "dhis2-datavalueset"
    if isinstance(doc, dict) and isinstance(doc.get("headers"), list) and "rows" in doc:
        return _analytics(doc, notes), "dhis2-pivot"
    raise InputError(
        "This is a JSON data document, but not a DHIS2 data value set or analytics response",
        todo="Download the data from DHIS2 as CSV, Excel, or JSON data values",
    )


def _data_value_set(doc: dict, notes: list[str]) -> pd.DataFrame:
    values = doc["dataValues"]
    defaults = {k: doc.get(k) for k in _SET_DEFAULTS if doc.get(k) not in (None, "")}
    rows = []
    for item in values:
        if not isinstance(item, dict):
            raise InputError(
                "The data value set has an entry that is not a data value",
                where=f"dataValues entry {len(rows) + 1}",
                todo="Download the data value set again from DHIS2",
            )
        rows.append([_text(item.get(key, defaults.get(key))) for key, _ in _DVS_FIELDS])
    frame = pd.DataFrame(rows, columns=[name for _, name in _DVS_FIELDS], dtype=object)
    frame = frame.loc[
        :,
        [c for c in frame.columns if c not in ("comment", "deleted")]
        + [c for c in ("comment", "deleted") if c in frame.columns],
    ]
    frame.index = pd.RangeIndex(1, 1 + len(frame))
    notes.append(
        f"This is a DHIS2 data value set in JSON with {len(frame):,} data values; "
        "rows are numbered in the order of the data values."
    )
    if defaults:
        notes.append(
            "The set gives " + ", ".join(f"'{k}'" for k in defaults) + " once for all its values."
        )
    return frame


_HEADER_COLUMNS = {
    "dx": ("Data ID", "Data"),
    "pe": ("Period ID", "Period"),
    "ou": ("Organisation unit ID", "Organisation unit"),
}


def _analytics(doc: dict, notes: list[str]) -> pd.DataFrame:
    headers = [h.get("name") if isinstance(h, dict) else h for h in doc["headers"]]
    labels = [
        (h.get("column") or h.get("name")) if isinstance(h, dict) else str(h)
        for h in doc["headers"]
    ]
    items = (doc.get("metaData") or {}).get("items") or {}

    def name_of(uid):
        item = items.get(uid)
        return item.get("name", uid) if isinstance(item, dict) else uid

    if not {"dx", "pe", "ou", "value"} <= set(headers):
        raise InputError(
            "This DHIS2 analytics response does not have data, period, org unit and value "
            "as columns",
            where="columns: " + name_list([str(h) for h in headers], quote=False),
            todo="Download it again with data, period and org unit as dimensions (not filters)",
        )
    rows = doc.get("rows") or []
    table: dict[str, list] = {}
    for pos, (key, label) in enumerate(zip(headers, labels, strict=True)):
        cells = [_text(r[pos]) if isinstance(r, list) and pos < len(r) else "" for r in rows]
        if key in _HEADER_COLUMNS:
            id_col, name_col = _HEADER_COLUMNS[key]
            table[id_col] = cells
            table[name_col] = [name_of(c) for c in cells]
        elif key == "value":
            table["Value"] = cells
        elif key in ("numerator", "denominator", "factor", "multiplier", "divisor"):
            continue
        else:
            table[label or key] = [name_of(c) for c in cells]
    frame = pd.DataFrame(table, dtype=object)
    frame.index = pd.RangeIndex(1, 1 + len(frame))
    notes.append(
        f"This is a DHIS2 analytics response (JSON) with {len(frame):,} rows; names were "
        "taken from its metadata."
    )
    return frame
