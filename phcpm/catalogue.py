"""A curated catalogue of primary health care (PHC) indicators and selection criteria.

The catalogue is reference data, kept as data files in ``phcpm/reference/``:
``indicator_catalogue.csv`` (one row per indicator), ``selection_criteria.csv`` and
``sources.csv`` (the short citations the other two name by key). Each file has a
Table Schema beside it (``<name>.schema.json``, Frictionless Table Schema v1) that
gives its columns, types, required values, unique key and the allowed values of the
categorical columns; the lists of allowed values below are read from those schemas.
The rows were typed in by hand from the published sources named in each row's
``reference`` column:

* WHO, *2018 Global Reference List of 100 Core Health Indicators (plus
  health-related SDGs)*, 2018.
* WHO and UNICEF, *Primary health care measurement framework and indicators:
  monitoring health systems through a primary health care lens*, 2022.
* Primary Health Care Performance Initiative (PHCPI), *Vital Signs Profile*
  methodology, 2018.
* WHO, *Service Availability and Readiness Assessment (SARA): reference manual*,
  version 2.2, 2015.
* WHO, *Data quality review: a toolkit for facility data quality assessment*, 2017.
* WHO, *Analysis and use of health facility data* guidance (RMNCAH, immunization,
  malaria and tuberculosis modules), 2018-2019, the basis of the DHIS2 WHO
  health data toolkit packages.
* Programme sources for definitions and targets (malaria, tuberculosis,
  immunization, maternal and newborn health, hypertension, workforce).

Column meanings
---------------
``framework_domain``
    One of the four domains of the PHCPI Vital Signs Profile: ``financing``
    (how much is spent on PHC and how), ``capacity`` (the inputs and systems
    that make care possible: workforce, medicines, facilities, information,
    management), ``performance`` (access, quality and coverage of the services
    people get, and the health results) and ``equity`` (gaps between groups:
    rich and poor, districts, urban and rural). Each row has exactly one domain.
``results_chain``
    Level in the results chain of the WHO/UNICEF PHC measurement framework
    (2022): ``input`` (structures and resources), ``process`` (how the system
    is run: supervision, reporting, planning), ``output`` (what services
    deliver: availability, use, quality of care), ``outcome`` (coverage of the
    people who need a service, risk factors) and ``impact`` (health status,
    financial protection). In that framework coverage of a service is an
    *outcome*; many programme log-frames call it an output instead.
``dimension``
    The performance dimension most directly measured: ``access``, ``quality``,
    ``coverage``, ``efficiency``, ``equity``, ``resilience``, or empty when
    none fits (for example reporting completeness).
``frequency``
    How often the value can be produced: ``monthly``, ``quarterly``,
    ``annual`` or ``every 3-5 years`` (household and facility surveys).
``data_elements``
    The raw values needed, as upper-case codes separated by ``;``. Codes
    beginning with ``POP_`` are population estimates (census projections),
    which facilities do not collect.
``typical_target``
    A commonly used target in the unit given in ``unit``, taken from the
    source named in ``target_source``; empty when no widely used target exists.
``reference`` and ``target_source``
    Full citations in the tables returned here; in the data file, keys into
    ``sources.csv`` separated by ``;`` so that each citation is written once.

To add an indicator, add a row to ``indicator_catalogue.csv`` (and its sources to
``sources.csv``); the tests check every file against its schema.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import pandas as pd

__all__ = [
    "COLUMNS",
    "DATA_SOURCES",
    "DIMENSIONS",
    "DOMAINS",
    "FREQUENCIES",
    "LEVELS",
    "REFERENCE_DIR",
    "RESULTS_CHAIN",
    "catalogue",
    "criteria",
    "reference_table",
    "schema",
    "sources",
]

#: Folder of the reference data files and of their Table Schemas.
REFERENCE_DIR: Path = Path(__file__).resolve().parent / "reference"

#: Separates several source keys (or citations) in one cell.
_SEP = "; "


@cache
def _schema(name: str) -> dict:
    return json.loads((REFERENCE_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def schema(name: str) -> dict:
    """Return the Table Schema of one reference file (a new dict).

    ``name`` is the file name without extension: ``"indicator_catalogue"``,
    ``"selection_criteria"`` or ``"sources"``.

    >>> [f["name"] for f in schema("sources")["fields"]]
    ['source_id', 'citation']
    """
    return copy.deepcopy(_schema(name))


def _allowed(name: str, column: str) -> tuple[str, ...]:
    """The allowed values of one column: the ``enum`` constraint in its schema."""
    [field] = [f for f in _schema(name)["fields"] if f["name"] == column]
    return tuple(field["constraints"]["enum"])


#: Columns of :func:`catalogue`, in order.
COLUMNS: tuple[str, ...] = tuple(f["name"] for f in _schema("indicator_catalogue")["fields"])
#: Allowed values of the categorical columns (read from the catalogue's schema).
RESULTS_CHAIN: tuple[str, ...] = _allowed("indicator_catalogue", "results_chain")
DOMAINS: tuple[str, ...] = _allowed("indicator_catalogue", "framework_domain")
#: The empty string stands for "no dimension fits" (an empty cell in the file).
DIMENSIONS: tuple[str, ...] = (*_allowed("indicator_catalogue", "dimension"), "")
FREQUENCIES: tuple[str, ...] = _allowed("indicator_catalogue", "frequency")
LEVELS: tuple[str, ...] = _allowed("indicator_catalogue", "level")
DATA_SOURCES: tuple[str, ...] = _allowed("indicator_catalogue", "data_source")


def _number(text: str, where: str) -> float:
    if text == "":
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a number") from None


@cache
def _read(name: str) -> pd.DataFrame:
    """One reference file as a table typed by its schema (cached: callers copy it).

    Text stays text, with ``""`` for an empty cell; ``boolean`` fields become bool
    using the schema's ``trueValues`` and ``falseValues``; ``number`` fields become
    float64, with NaN for an empty cell.
    """
    path = REFERENCE_DIR / f"{name}.csv"
    fields = _schema(name)["fields"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    names = [f["name"] for f in fields]
    if list(frame.columns) != names:
        raise ValueError(f"{path.name} has the columns {list(frame.columns)}, its schema {names}")
    for field in fields:
        col, kind = field["name"], field["type"]
        if kind == "boolean":
            values = dict.fromkeys(field["trueValues"], True)
            values.update(dict.fromkeys(field["falseValues"], False))
            bad = sorted(set(frame[col]) - set(values))
            if bad:
                raise ValueError(f"{path.name}, column {col}: {bad} are not {list(values)}")
            frame[col] = frame[col].map(values).astype(bool)
        elif kind == "number":
            where = f"{path.name}, column {col}"
            frame[col] = pd.Series(
                [_number(v, where) for v in frame[col]], index=frame.index, dtype="float64"
            )
    return frame


def _cited(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """A new copy of one reference file, the source keys in ``columns`` replaced by
    their citations from ``sources.csv``."""
    citation = _read("sources").set_index("source_id")["citation"].to_dict()
    frame = _read(name)
    out = frame.copy()
    for col in columns:
        unknown = sorted({k for cell in out[col] if cell for k in cell.split(_SEP)} - set(citation))
        if unknown:
            raise ValueError(
                f"{name}.csv, column {col}: the source keys {unknown} are not in sources.csv"
            )
        out[col] = [
            _SEP.join(citation[k] for k in cell.split(_SEP)) if cell else "" for cell in out[col]
        ]
        out[col] = out[col].astype(frame[col].dtype)
    return out


def reference_table(name: str) -> pd.DataFrame:
    """One reference file of ``phcpm/reference/`` as a new table typed by its schema.

    Text stays text (``""`` when empty), ``boolean`` columns are bool and
    ``number`` columns float (NaN when empty). ``name`` is the file name without
    extension, for example ``"scorecard_standard_set"``.

    >>> reference_table("scorecard_standard_set").set_index("indicator").loc["PENTA3_COV", "fair"]
    np.float64(80.0)
    """
    if not (REFERENCE_DIR / f"{name}.csv").is_file():
        raise ValueError(f"There is no reference table {name!r} in {REFERENCE_DIR}")
    return _read(name).copy()


def sources() -> pd.DataFrame:
    """Return the short citations used by the reference tables (a new DataFrame).

    Columns ``source_id`` (the key written in the data files) and ``citation``.
    """
    return _read("sources").copy()


def catalogue() -> pd.DataFrame:
    """Return the PHC indicator catalogue as a new DataFrame (one row per indicator).

    Rows are curated from the sources listed in this module's docstring; each row's
    ``reference`` column names its own source and ``target_source`` the source of its
    ``typical_target``. See the module docstring for the meaning of every column.
    ``higher_is_better`` is bool, ``typical_target`` float (NaN when there is no
    target) and every other column text (``""`` when empty).

    >>> cat = catalogue()
    >>> list(cat.columns) == list(COLUMNS) and cat["indicator_id"].is_unique
    True
    >>> penta3 = cat.set_index("indicator_id").loc["PENTA3_COV"]
    >>> print(penta3["name"])
    Pentavalent 3 (DTP3) coverage
    >>> print(penta3["typical_target"], penta3["unit"], "-", penta3["target_source"])
    90.0 % - WHO, Immunization Agenda 2030, 2020
    """
    return _cited("indicator_catalogue", ("target_source", "reference"))


def criteria() -> pd.DataFrame:
    """Return indicator selection criteria with plain-word definitions (a new DataFrame).

    Columns: ``criterion`` (code used as a column name in rating tables), ``group``
    (``SMART``, ``RACER`` or ``practical``), ``definition``, ``question`` (a question a
    district team can ask itself) and ``reference``.

    Sources: SMART from Doran GT, "There's a S.M.A.R.T. way to write management's goals
    and objectives", *Management Review* 70(11), 1981. RACER (Relevant, Accepted,
    Credible, Easy, Robust) from the European Commission *Impact Assessment Guidelines*,
    SEC(2005) 791, 2005, kept in SEC(2009) 92, 2009. RACER's "relevant" is coded
    ``racer_relevant`` so it can sit next to SMART's ``relevant``. The practical
    criteria are this curriculum's own list for district use.

    >>> criteria().groupby("group", sort=False).size().to_dict()
    {'SMART': 5, 'RACER': 5, 'practical': 5}
    """
    return _cited("selection_criteria", ("reference",))
