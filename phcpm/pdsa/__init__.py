"""A store for improvement projects: aims, measures, weekly values and PDSA cycles.

An improvement team works through the Model for Improvement: three questions
(what are we trying to accomplish, how will we know that a change is an
improvement, what change can we make) followed by tests of change in
Plan-Do-Study-Act cycles (Langley GJ, Moen RD, Nolan KM, Nolan TW, Norman CL,
Provost LP. *The Improvement Guide*, 2nd edition, Jossey-Bass, 2009). The
fields of a cycle follow the Institute for Healthcare Improvement's *PDSA
Worksheet* (IHI, QI Essentials Toolkit, 2017): objective, questions and
predictions, the plan (who, what, when, where), observations while doing,
results of the study, and the decision to adopt, adapt or abandon the change.

Measures are of three kinds, as in Provost LP & Murray SK, *The Health Care
Data Guide: Learning from Data for Improvement* (Jossey-Bass, 2011), chapter 2:

* ``proportion`` -- a numerator out of a denominator (for example febrile
  children tested for malaria out of febrile children seen). The stored
  ``value`` is the fraction ``numerator / denominator`` (between 0 and 1),
  unrounded; multiply by 100 to show a percentage.
* ``count`` -- a whole number of events (stock-outs, referrals).
* ``measurement`` -- a quantity on a continuous scale (minutes of waiting time).

A project usually follows a *family of measures* (Provost & Murray 2011,
chapter 2; Langley et al. 2009): each measure has a role, kept as ``role``:

* ``outcome`` -- the result for patients the aim is about;
* ``process`` -- whether the changed work is being done;
* ``balancing`` -- what could get worse elsewhere because of the change.

A measure saved before roles were kept has no role (``""``, shown as "not
stated"): the tool does not guess it.

Everything is kept in one SQLite file, so no server is needed. The file is
opened in write-ahead-log mode with ``synchronous=FULL``: each save is a single
transaction, so if the computer or the program stops in the middle of a save,
every record saved before it is still there and the half-finished save is
simply not there. Two people (two browser tabs) can work on the same project:
new records never clash, because numbers are given out inside the saving
transaction, and an edit never silently overwrites someone else's edit,
because each record carries a ``version`` that must still match when the edit
is saved (optimistic concurrency). Every change is written to an audit log:
which table and record, which field, old and new value, who and when.

The package is laid out by job; every name below can be imported from
``phcpm.pdsa`` itself:

* :mod:`phcpm.pdsa.validate` -- checks on entries and the period rules;
* :mod:`phcpm.pdsa.store` -- :class:`ProjectStore`, with its parts in
  :mod:`~phcpm.pdsa.values`, :mod:`~phcpm.pdsa.cycles`,
  :mod:`~phcpm.pdsa.transfer` (JSON, Excel and printable page) and
  :mod:`~phcpm.pdsa.schema` (the tables of the file);
* :mod:`phcpm.pdsa.example` -- the worked example project;
* :mod:`phcpm.pdsa.tables` -- tables in plain words;
* :mod:`phcpm.pdsa.workspace` -- team workspaces and access codes.
"""

from __future__ import annotations

from phcpm.pdsa.chart import MeasureChart, run_chart
from phcpm.pdsa.example import (
    EXAMPLE_AIM,
    EXAMPLE_DEFINITION,
    EXAMPLE_FAMILY,
    EXAMPLE_MEASURE,
    EXAMPLE_TEAM,
    EXAMPLE_USER,
    example_project_data,
    load_example_project,
)
from phcpm.pdsa.schema import SCHEMA_VERSION
from phcpm.pdsa.store import ProjectStore
from phcpm.pdsa.tables import (
    DECISION_WORDS,
    FIELD_WORDS,
    ROLE_WORDS,
    cycle_summary,
    measure_title,
    readable_cycles,
    readable_history,
    readable_values,
    role_words,
)
from phcpm.pdsa.transfer import FORMAT_NAME, FORMAT_VERSION
from phcpm.pdsa.validate import (
    CYCLE_FIELDS,
    CYCLE_TEXT_FIELDS,
    DECISIONS,
    KINDS,
    MEASURE_FIELDS,
    PROJECT_FIELDS,
    ROLES,
    changed_cycle_fields,
    check_entry,
    check_period,
    check_value,
    parse_value_lines,
    read_date,
    value_columns,
    value_table,
)
from phcpm.pdsa.workspace import (
    ACCESS_CODE_MIN,
    DEFAULT_PATH,
    ENV_VAR,
    TEAM_ENV_VAR,
    TEAM_SLUG_MAX,
    access_code_matches,
    default_store_path,
    default_team,
    hash_access_code,
    scrypt_key,
    team_slug,
    team_store_path,
)

__all__ = [
    "ENV_VAR",
    "DEFAULT_PATH",
    "KINDS",
    "ROLES",
    "DECISIONS",
    "CYCLE_TEXT_FIELDS",
    "CYCLE_FIELDS",
    "PROJECT_FIELDS",
    "MEASURE_FIELDS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "SCHEMA_VERSION",
    "check_period",
    "value_columns",
    "parse_value_lines",
    "value_table",
    "check_value",
    "changed_cycle_fields",
    "ProjectStore",
    "EXAMPLE_USER",
    "EXAMPLE_AIM",
    "EXAMPLE_TEAM",
    "EXAMPLE_MEASURE",
    "EXAMPLE_DEFINITION",
    "EXAMPLE_FAMILY",
    "example_project_data",
    "load_example_project",
    "cycle_summary",
    "FIELD_WORDS",
    "ROLE_WORDS",
    "role_words",
    "measure_title",
    "DECISION_WORDS",
    "readable_values",
    "readable_cycles",
    "readable_history",
    "TEAM_ENV_VAR",
    "TEAM_SLUG_MAX",
    "team_slug",
    "default_store_path",
    "team_store_path",
    "default_team",
    "ACCESS_CODE_MIN",
    "hash_access_code",
    "access_code_matches",
    "scrypt_key",
    "read_date",
    "check_entry",
    "MeasureChart",
    "run_chart",
]
