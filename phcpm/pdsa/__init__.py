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

Each measure also says which way is better (``higher_is_better``: a fall in
waiting time is an improvement, a fall in testing a worsening) and how it is
counted (``definition``, its operational definition). The direction is never
guessed (:func:`~phcpm.pdsa.validate.measure_direction`); the run chart reads a
shift by it (:func:`~phcpm.pdsa.chart.direction_reading`).

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
  :mod:`~phcpm.pdsa.transfer` (JSON and printable page; Excel in
  :mod:`~phcpm.pdsa.transfer_excel`) and
  :mod:`~phcpm.pdsa.schema` (the tables of the file);
* :mod:`phcpm.pdsa.example` -- the worked example project;
* :mod:`phcpm.pdsa.tables` -- tables in plain words;
* :mod:`phcpm.pdsa.workspace` -- team workspaces and access codes.
"""

from __future__ import annotations

from phcpm.pdsa import chart, example, store, tables, validate, workspace
from phcpm.pdsa.chart import *  # noqa: F403
from phcpm.pdsa.example import *  # noqa: F403
from phcpm.pdsa.schema import SCHEMA_VERSION
from phcpm.pdsa.store import *  # noqa: F403
from phcpm.pdsa.tables import *  # noqa: F403
from phcpm.pdsa.transfer import FORMAT_NAME, FORMAT_VERSION
from phcpm.pdsa.validate import *  # noqa: F403
from phcpm.pdsa.workspace import *  # noqa: F403

__all__ = [
    *validate.__all__,
    *store.__all__,
    "SCHEMA_VERSION",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    *chart.__all__,
    *example.__all__,
    *tables.__all__,
    *workspace.__all__,
]
