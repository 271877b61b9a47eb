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
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import io
import json
import math
import operator
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError

#: Environment variable naming the default project file.
ENV_VAR = "PHCPM_PDSA_DB"
#: Where the project file goes when neither an argument nor ``PHCPM_PDSA_DB`` names one.
DEFAULT_PATH = Path.home() / ".phcpm" / "pdsa_projects.sqlite"

KINDS = ("proportion", "count", "measurement")
#: Roles of a measure in the family of measures ("" = not stated).
ROLES = ("outcome", "process", "balancing")
DECISIONS = ("adopt", "adapt", "abandon", "undecided")

#: Free-text fields of a cycle, in the order of the IHI PDSA worksheet.
CYCLE_TEXT_FIELDS = (
    "title",
    "objective",
    "questions",
    "predictions",
    "plan_who",
    "plan_what",
    "plan_when",
    "plan_where",
    "do_observations",
    "study_results",
    "act_next_steps",
)
CYCLE_FIELDS = (*CYCLE_TEXT_FIELDS, "act_decision", "start_date", "end_date")
PROJECT_FIELDS = ("name", "aim", "team")
MEASURE_FIELDS = ("name", "kind", "role", "unit", "higher_is_better", "definition")

FORMAT_NAME = "phcpm-pdsa-project"
FORMAT_VERSION = 1
SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS project (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    aim TEXT NOT NULL DEFAULT '',
    team TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS measure (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('proportion', 'count', 'measurement')),
    unit TEXT NOT NULL DEFAULT '',
    higher_is_better INTEGER NOT NULL DEFAULT 1 CHECK (higher_is_better IN (0, 1)),
    definition TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    role TEXT NOT NULL DEFAULT '' CHECK (role IN ('', 'outcome', 'process', 'balancing')),
    UNIQUE (project_id, name)
);
CREATE TABLE IF NOT EXISTS value (
    id INTEGER PRIMARY KEY,
    measure_id INTEGER NOT NULL REFERENCES measure(id),
    period TEXT NOT NULL,
    numerator REAL,
    denominator REAL,
    value REAL NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (measure_id, period)
);
CREATE TABLE IF NOT EXISTS cycle (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    number INTEGER NOT NULL CHECK (number >= 1),
    title TEXT NOT NULL DEFAULT '',
    objective TEXT NOT NULL DEFAULT '',
    questions TEXT NOT NULL DEFAULT '',
    predictions TEXT NOT NULL DEFAULT '',
    plan_who TEXT NOT NULL DEFAULT '',
    plan_what TEXT NOT NULL DEFAULT '',
    plan_when TEXT NOT NULL DEFAULT '',
    plan_where TEXT NOT NULL DEFAULT '',
    do_observations TEXT NOT NULL DEFAULT '',
    study_results TEXT NOT NULL DEFAULT '',
    act_decision TEXT NOT NULL DEFAULT 'undecided'
        CHECK (act_decision IN ('adopt', 'adapt', 'abandon', 'undecided')),
    act_next_steps TEXT NOT NULL DEFAULT '',
    start_date TEXT,
    end_date TEXT,
    entered_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (project_id, number)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    old TEXT,
    new TEXT,
    user TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_project ON audit (project_id);
CREATE INDEX IF NOT EXISTS measure_project ON measure (project_id);
CREATE INDEX IF NOT EXISTS cycle_project ON cycle (project_id);
CREATE TABLE IF NOT EXISTS setting (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


# --------------------------------------------------------------------------- helpers


def _now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _text(value: Any, what: str, *, required: bool = False) -> str:
    """Clean a free-text entry: ``None`` becomes empty text; surrounding spaces go."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if required and not value:
        raise InputError(f"The {what} is empty", todo=f"Type a {what}")
    return value


def _user(user: Any) -> str:
    name = _text(user, "name")
    if not name:
        raise InputError(
            "No name was given for the person making this change",
            todo="Type your name, so the history shows who made each change",
        )
    return name


def _as_date(value: Any, what: str, *, required: bool = False) -> date | None:
    """Read a date given as ``datetime.date``, ``datetime`` or ISO text (YYYY-MM-DD)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(f"The {what} is missing", todo="Enter a date as YYYY-MM-DD")
        return None
    if isinstance(value, float) and math.isnan(value):
        return _as_date(None, what, required=required)
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return _as_date(None, what, required=required)
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"The {what} '{text}' is not a date this tool can read",
            todo="Write the date as year-month-day, for example 2024-03-04",
        ) from None


def _number(value: Any, what: str) -> float | None:
    """A finite number, or ``None`` when the entry is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InputError(f"The {what} should be a number, not yes/no", todo="Type a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"The {what} '{value}' is not a number", todo="Type a number, for example 12"
        ) from None
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise InputError(f"The {what} is infinite", todo="Type an ordinary number")
    return number


def _fmt_number(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _key(value: Any) -> int:
    """A record id as a plain ``int`` (ids often arrive as numpy integers from a DataFrame)."""
    try:
        return operator.index(value)
    except TypeError:
        raise InputError(f"'{value}' is not the number of a record") from None


def _audit_text(value: Any) -> str | None:
    """Audit values are text; empty text and ``None`` are both kept as ``None``."""
    if value is None:
        return None
    if isinstance(value, float):
        text = _fmt_number(value)
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    return text or None


def check_period(value: Any, today: date | None = None, *, what: str = "period start") -> date:
    """The first day of a period, checked: given, a readable date, and not in the future.

    ``value`` is a date or ISO text (YYYY-MM-DD); ``today`` is the date to
    compare with (default: the computer's). A period that starts after today
    has no result yet, so it is refused with a plain :class:`InputError`; this
    is the one place the rule is written.
    """
    day = _as_date(value, what, required=True)
    today = today or date.today()
    if day > today:
        raise InputError(
            f"The period starting {day.isoformat()} is in the future (today is "
            f"{today.isoformat()})",
            todo="Enter results only for periods that have started; check the date",
        )
    return day


def value_columns(kind: str) -> list[str]:
    """The columns a table of values needs for a measure of ``kind``."""
    if kind == "proportion":
        return ["period", "numerator", "denominator"]
    if kind in ("count", "measurement"):
        return ["period", "value"]
    raise InputError(
        f"'{kind}' is not a kind of measure", todo="Use proportion, count or measurement"
    )


_SEPARATORS = re.compile(r"[,;\t]")


def parse_value_lines(text: str, kind: str) -> pd.DataFrame:
    """Pasted lines of values as a table for :meth:`ProjectStore.add_values`.

    One period a line; the parts are separated by commas, semicolons or tabs
    (what a spreadsheet gives when cells are copied): ``period, numerator,
    denominator`` for a proportion, ``period, value`` for a count or a
    measurement. Empty lines are skipped. A line with fewer parts is refused
    with its line number; parts beyond those are ignored only when they are
    empty. The result has the columns of :func:`value_columns` plus ``where``
    ("line N", counting every line of the text). Nothing is checked beyond the
    shape here: :meth:`ProjectStore.add_values` checks the dates and numbers.
    """
    columns = value_columns(kind)
    example = "2025-01-06, 17, 30" if kind == "proportion" else "2025-01-06, 12"
    rows = []
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in _SEPARATORS.split(line)]
        while len(parts) > len(columns) and not parts[-1]:
            parts.pop()
        if len(parts) != len(columns):
            needs = (
                "a period, a numerator and a denominator"
                if kind == "proportion"
                else "a period and a value"
            )
            raise InputError(
                f"This line has {len(parts)} part{'s' if len(parts) != 1 else ''}, but each "
                f"line needs {needs}",
                where=f"line {number}",
                todo=f"Write for example {example}",
            )
        rows.append([*parts, f"line {number}"])
    if not rows:
        raise InputError("Nothing was pasted", todo=f"Paste one period a line, e.g. {example}")
    return pd.DataFrame(rows, columns=[*columns, "where"], dtype=object)


def value_table(table: pd.DataFrame, kind: str, source: str = "the file") -> pd.DataFrame:
    """An uploaded table of values as a table for :meth:`ProjectStore.add_values`.

    Headings are matched without regard to case or surrounding spaces; the
    columns of :func:`value_columns` are needed (a ``comment`` column is kept
    when there is one). A missing column is named in the message. ``where``
    names each row as a spreadsheet does: the headings are row 1, so the first
    value is "row 2 of <source>". ``table`` is not changed.
    """
    columns = value_columns(kind)
    names = {str(c).strip().lower(): c for c in table.columns}
    missing = [c for c in columns if c not in names]
    if missing:
        raise InputError(
            f"The file has no column {', '.join(repr(c) for c in missing)}",
            where=source,
            todo=f"Name the columns {', '.join(columns)} in the first row",
        )
    keep = columns + (["comment"] if "comment" in names else [])
    out = pd.DataFrame({c: table[names[c]].to_numpy(dtype=object) for c in keep})
    if out.empty:
        raise InputError(
            "The file has headings but no rows of values", where=source, todo="Add the values"
        )
    out["where"] = [f"row {i} of {source}" for i in range(2, len(out) + 2)]
    return out


def check_value(
    kind: str,
    *,
    numerator: Any = None,
    denominator: Any = None,
    value: Any = None,
    measure_name: str = "this measure",
) -> tuple[float | None, float | None, float]:
    """Check one entry for a measure of ``kind``; return ``(numerator, denominator, value)``.

    Rules (plain-language :class:`InputError` when broken):

    * proportion: numerator and denominator both given, neither negative,
      denominator above zero, numerator not above denominator; the value is
      ``numerator / denominator`` (a fraction, unrounded). A ``value`` typed
      in as well must agree with it.
    * count: a value that is a whole number and not negative; no numerator or
      denominator.
    * measurement: a value that is not negative (waiting times, days, weights);
      no numerator or denominator.
    """
    num = _number(numerator, f"numerator of '{measure_name}'")
    den = _number(denominator, f"denominator of '{measure_name}'")
    val = _number(value, f"value of '{measure_name}'")
    if kind == "proportion":
        if num is None or den is None:
            raise InputError(
                f"'{measure_name}' is a proportion, so it needs both a numerator and a denominator",
                todo="Enter how many met the criterion (numerator) and how many were "
                "counted in all (denominator)",
            )
        if num < 0 or den < 0:
            raise InputError(
                f"A count cannot be negative (numerator {_fmt_number(num)}, denominator "
                f"{_fmt_number(den)} for '{measure_name}')",
                todo="Check the numbers and enter zero or more",
            )
        if den == 0:
            raise InputError(
                f"The denominator for '{measure_name}' is zero, so no proportion can be worked out",
                todo="Enter the number of people or events counted; if none were seen this "
                "period, leave the period out",
            )
        if num > den:
            raise InputError(
                f"The numerator ({_fmt_number(num)}) is larger than the denominator "
                f"({_fmt_number(den)}) for '{measure_name}'",
                todo="The numerator counts those in the denominator who met the criterion, "
                "so it can be at most the denominator: check both numbers",
            )
        computed = num / den
        if val is not None and not math.isclose(val, computed, rel_tol=1e-9, abs_tol=1e-12):
            raise InputError(
                f"The value {val:g} does not equal numerator ÷ denominator "
                f"({_fmt_number(num)} ÷ {_fmt_number(den)}) for '{measure_name}'",
                todo="Leave the value empty; it is worked out from the numerator and denominator",
            )
        return num, den, computed
    if kind not in ("count", "measurement"):
        raise InputError(
            f"'{kind}' is not a kind of measure", todo="Use proportion, count or measurement"
        )
    if num is not None or den is not None:
        raise InputError(
            f"'{measure_name}' is a {kind}, so it takes one value, not a numerator and a "
            "denominator",
            todo="Enter the value only",
        )
    if val is None:
        raise InputError(f"No value was entered for '{measure_name}'", todo="Enter the value")
    if val < 0:
        raise InputError(
            f"The value {val:g} for '{measure_name}' is negative",
            todo="Check the number; a count or measurement here cannot be below zero",
        )
    if kind == "count" and not val.is_integer():
        raise InputError(
            f"The value {val:g} for '{measure_name}' is not a whole number, but this measure "
            "counts events",
            todo="Enter a whole number",
        )
    return None, None, val


def changed_cycle_fields(
    form: Mapping[str, Any], saved: Mapping[str, Any] | None = None
) -> list[str]:
    """The fields of a cycle form (:data:`CYCLE_FIELDS`) whose entry is not saved.

    ``saved`` is the saved cycle (:meth:`ProjectStore.get_cycle`), or None for a
    new cycle, which counts as empty text with the decision "undecided". Spaces
    at either end do not count as a change; fields missing from ``form`` are
    not compared. The fields are returned in the order of ``form``.
    """
    blank: dict[str, Any] = {f: "" for f in CYCLE_FIELDS}
    blank["act_decision"] = "undecided"
    base = blank if saved is None else saved
    return [
        f
        for f, value in form.items()
        if f in CYCLE_FIELDS and _text(value, f) != _text(base.get(f), f)
    ]


def _check_dates(start: date | None, end: date | None, where: str) -> None:
    if start is not None and end is not None and end < start:
        raise InputError(
            f"The cycle ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            where=where,
            todo="Check the start and end dates; the end date must be on or after the start",
        )


def _role(value: Any, where: str | None = None) -> str:
    """A measure's role in the family of measures: outcome, process, balancing or ""."""
    role = _text(value, "role of the measure").lower()
    if role in ("", "not stated"):
        return ""
    if role not in ROLES:
        raise InputError(
            f"'{role}' is not a role in the family of measures",
            where=where,
            todo="Choose outcome, process or balancing (or leave it empty)",
        )
    return role


def _decision(value: Any) -> str:
    text = _text(value, "decision").lower() or "undecided"
    if text not in DECISIONS:
        raise InputError(
            f"'{value}' is not one of the decisions at the end of a cycle",
            todo="Choose adopt, adapt, abandon or undecided",
        )
    return text


# --------------------------------------------------------------------------- the store


class ProjectStore:
    """Improvement projects kept in one SQLite file.

    Parameters
    ----------
    path:
        The SQLite file. When ``None``: the ``PHCPM_PDSA_DB`` environment
        variable, otherwise ``~/.phcpm/pdsa_projects.sqlite``. It is created
        (with its folder) when missing.
    busy_timeout_ms:
        How long a save waits for another program that is saving to the same
        file before giving up with a plain message.
    clock:
        Returns the current time as ISO text (for the ``entered_at``,
        ``updated_at`` and audit times); by default UTC to the second.

    Every method that writes runs in one ``BEGIN IMMEDIATE`` transaction
    (taken under the write lock at the start, so the checks made inside it
    cannot be invalidated by another writer before the commit).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        busy_timeout_ms: int = 10_000,
        clock: Callable[[], str] | None = None,
    ):
        if path is None:
            path = os.environ.get(ENV_VAR) or DEFAULT_PATH
        self.path = Path(path)
        self._clock = clock or _now_utc
        self._lock = threading.RLock()
        if self.path.is_dir():
            raise InputError(
                "The place given for the project file is a folder",
                where=str(self.path),
                todo="Give a file name, for example pdsa_projects.sqlite",
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(self.path),
                timeout=busy_timeout_ms / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except (OSError, sqlite3.Error) as error:
            raise InputError(
                "The project file cannot be opened",
                where=str(self.path),
                todo=f"Check that the folder exists and that you may write to it ({error})",
            ) from None
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self._conn.execute("PRAGMA journal_mode = WAL").fetchone()
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._create_schema()
        except InputError:
            self._conn.close()
            raise
        except sqlite3.DatabaseError:
            self._conn.close()
            raise InputError(
                "This file is not a project file made by this tool, or it is damaged",
                where=str(self.path),
                todo="Open the right file, or restore it from a saved JSON or Excel export",
            ) from None

    # ------------------------------------------------------------------ plumbing

    def _create_schema(self) -> None:
        found = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise InputError(
                "This project file was made by a newer version of the tool",
                where=str(self.path),
                todo="Update the tool before opening this file",
            )
        if found == SCHEMA_VERSION:
            return
        # Every statement is CREATE ... IF NOT EXISTS, so running them all also brings a
        # file of an older version up to date (version 2 added the ``setting`` table);
        # version 3 added the measure's role, which older measures get as "" (not stated).
        with self._write() as conn:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(measure)")}
            if "role" not in columns:
                conn.execute(
                    "ALTER TABLE measure ADD COLUMN role TEXT NOT NULL DEFAULT '' "
                    "CHECK (role IN ('', 'outcome', 'process', 'balancing'))"
                )
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the file (saved work is already on disk)."""
        self._conn.close()

    def __enter__(self) -> ProjectStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _before_commit(self) -> None:
        """Runs inside every write transaction just before the commit.

        Does nothing. Subclasses can override it, for instance to stop a
        program in the middle of a save when testing that a crash loses nothing.
        """

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` ... commit, or roll back on any error."""
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                raise InputError(
                    "The project file is busy: someone else is saving to it right now",
                    where=str(self.path),
                    todo="Wait a moment and save again",
                ) from None
            with conn:  # commits when the block ends normally, rolls back on an error
                yield conn
                self._before_commit()

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def _audit(
        self,
        conn: sqlite3.Connection,
        project_id: int,
        table: str,
        row_id: int,
        changes: Iterable[tuple[str, Any, Any]],
        user: str,
        at: str,
    ) -> None:
        conn.executemany(
            "INSERT INTO audit (project_id, table_name, row_id, field, old, new, user, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (project_id, table, row_id, field, _audit_text(old), _audit_text(new), user, at)
                for field, old, new in changes
            ],
        )

    @staticmethod
    def _one(rows: list[sqlite3.Row], what: str, key: Any) -> dict[str, Any]:
        if not rows:
            raise InputError(
                f"There is no {what} with number {key} in this project file",
                todo=f"Choose a {what} from the list",
            )
        return dict(rows[0])

    # ------------------------------------------------------------------ access code

    def _setting(self, name: str) -> str | None:
        rows = self._read("SELECT value FROM setting WHERE name = ?", [name])
        return str(rows[0][0]) if rows else None

    def has_access_code(self) -> bool:
        """Whether this project file is protected by an access code."""
        return self._setting("access_code") is not None

    def check_access_code(self, code: Any) -> None:
        """Refuse, with a plain :class:`InputError`, a code that is not this file's code.

        A file with no access code accepts anything. See :func:`access_code_matches`.
        """
        stored = self._setting("access_code")
        if stored is None:
            return
        text = "" if code is None else str(code)
        if not text:
            raise InputError(
                "This team workspace is protected by an access code",
                todo="Type the team's access code and click 'Open' again",
            )
        if not access_code_matches(text, stored):
            raise InputError(
                "The access code is not right for this team workspace, so it was not opened",
                todo="Check the code (capital letters count) and try again; the team member "
                "who chose it knows it",
            )

    def set_access_code(self, code: Any, *, current: Any = None) -> None:
        """Protect this file with an access code, or change its code.

        When the file already has a code, ``current`` must be that code. Only
        the scrypt form of the code is kept (:func:`hash_access_code`).
        """
        stored = hash_access_code(code)
        with self._write() as conn:
            rows = conn.execute("SELECT value FROM setting WHERE name = 'access_code'").fetchall()
            if rows and not access_code_matches(
                "" if current is None else str(current), rows[0][0]
            ):
                raise InputError(
                    "The current access code is not right, so the code was not changed",
                    todo="Type the code the workspace has now, then the new code",
                )
            conn.execute(
                "INSERT INTO setting (name, value) VALUES ('access_code', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [stored],
            )

    # ------------------------------------------------------------------ projects

    def create_project(
        self, name: str, *, user: str, aim: str = "", team: str = "", created: str | None = None
    ) -> int:
        """Start a project; returns its id. ``created`` defaults to now."""
        name = _text(name, "project name", required=True)
        user = _user(user)
        at = self._clock()
        created = _text(created, "creation time") or at
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO project (name, aim, team, created) VALUES (?, ?, ?, ?)",
                (name, _text(aim, "aim"), _text(team, "team"), created),
            )
            pid = int(cur.lastrowid)
            self._audit(conn, pid, "project", pid, [("created", None, name)], user, at)
        return pid

    def get_project(self, project_id: int) -> dict[str, Any]:
        """One project as a dict (``id, name, aim, team, created, version``)."""
        project_id = _key(project_id)
        rows = self._read("SELECT * FROM project WHERE id = ?", [project_id])
        return self._one(rows, "project", project_id)

    def list_projects(self) -> pd.DataFrame:
        """All projects, oldest first."""
        return self._frame(
            "SELECT id, name, aim, team, created, version FROM project ORDER BY id",
            [],
            ["id", "name", "aim", "team", "created", "version"],
        )

    def update_project(
        self, project_id: int, *, expected_version: int, user: str, **changes: Any
    ) -> int:
        """Change ``name``, ``aim`` or ``team``; returns the new version (see :meth:`update_cycle`)."""
        project_id = _key(project_id)
        clean = {}
        for field, value in changes.items():
            if field not in PROJECT_FIELDS:
                raise InputError(f"A project has no field called '{field}'")
            clean[field] = _text(value, field, required=field == "name")
        return self._update("project", project_id, expected_version, user, clean)

    # ------------------------------------------------------------------ measures

    def add_measure(
        self,
        project_id: int,
        name: str,
        kind: str,
        *,
        user: str,
        unit: str = "",
        higher_is_better: bool = True,
        definition: str = "",
        role: str = "",
    ) -> int:
        """Add a measure to a project; returns its id.

        ``definition`` is the operational definition: exactly what is counted,
        from which register, by whom (Provost & Murray 2011, chapter 2).
        ``role`` is its place in the family of measures (:data:`ROLES`), or ""
        when not stated.
        """
        project_id = _key(project_id)
        name = _text(name, "measure name", required=True)
        kind = _text(kind, "kind of measure").lower()
        if kind not in KINDS:
            raise InputError(
                f"'{kind}' is not a kind of measure",
                todo="Choose proportion (numerator out of denominator), count or measurement",
            )
        role = _role(role)
        user = _user(user)
        at = self._clock()
        with self._write() as conn:
            self._one(
                conn.execute("SELECT id FROM project WHERE id = ?", [project_id]).fetchall(),
                "project",
                project_id,
            )
            if conn.execute(
                "SELECT 1 FROM measure WHERE project_id = ? AND name = ?", [project_id, name]
            ).fetchall():
                raise InputError(
                    f"This project already has a measure called '{name}'",
                    todo="Give the new measure a different name",
                )
            cur = conn.execute(
                "INSERT INTO measure (project_id, name, kind, unit, higher_is_better, definition,"
                " role) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    project_id,
                    name,
                    kind,
                    _text(unit, "unit"),
                    int(bool(higher_is_better)),
                    _text(definition, "definition"),
                    role,
                ),
            )
            mid = int(cur.lastrowid)
            self._audit(conn, project_id, "measure", mid, [("created", None, name)], user, at)
        return mid

    def get_measure(self, measure_id: int) -> dict[str, Any]:
        measure_id = _key(measure_id)
        rows = self._read("SELECT * FROM measure WHERE id = ?", [measure_id])
        row = self._one(rows, "measure", measure_id)
        row["higher_is_better"] = bool(row["higher_is_better"])
        return row

    def list_measures(self, project_id: int) -> pd.DataFrame:
        project_id = _key(project_id)
        cols = ["id", "name", "kind", "role", "unit", "higher_is_better", "definition", "version"]
        frame = self._frame(
            f"SELECT {', '.join(cols)} FROM measure WHERE project_id = ? ORDER BY id",
            [project_id],
            cols,
        )
        frame["higher_is_better"] = frame["higher_is_better"].astype(bool)
        return frame

    def family_of_measures(self, project_id: int) -> pd.DataFrame:
        """The project's measures as a table for people, outcome first, then process,
        then balancing, then those whose role is not stated (Provost & Murray 2011,
        chapter 2). Columns in words: role, measure, kind, unit, direction, and how
        many periods have a result and the latest of them.
        """
        measures = self.list_measures(project_id)
        counts = self._frame(
            "SELECT v.measure_id, COUNT(*), MAX(v.period) FROM value v "
            "JOIN measure m ON v.measure_id = m.id WHERE m.project_id = ? GROUP BY v.measure_id",
            [_key(project_id)],
            ["id", "periods", "latest"],
        )
        data = measures.merge(counts, on="id", how="left")
        order = {role: i for i, role in enumerate(ROLES)}
        data["order"] = data["role"].map(lambda r: order.get(r, len(ROLES)))
        data = data.sort_values(["order", "id"], kind="stable")
        kinds = {"proportion": "Proportion", "count": "Count", "measurement": "Measurement"}
        return pd.DataFrame(
            {
                "Role": [role_words(r) for r in data["role"]],
                "Measure": data["name"].astype(str).tolist(),
                "Kind of measure": [kinds.get(k, k) for k in data["kind"]],
                "Unit": data["unit"].astype(str).tolist(),
                "Better when": ["Higher" if h else "Lower" for h in data["higher_is_better"]],
                "Periods entered": [int(n) if n == n else 0 for n in data["periods"]],
                "Latest period": [_words(t) for t in data["latest"]],
            }
        )

    def update_measure(
        self, measure_id: int, *, expected_version: int, user: str, **changes: Any
    ) -> int:
        """Change a measure's name, role, unit, direction or definition.

        Its kind can change only while it has no values.
        """
        measure_id = _key(measure_id)
        current = self.get_measure(measure_id)
        clean: dict[str, Any] = {}
        for field, value in changes.items():
            if field not in MEASURE_FIELDS:
                raise InputError(f"A measure has no field called '{field}'")
            if field == "higher_is_better":
                clean[field] = int(bool(value))
            elif field == "kind":
                kind = _text(value, "kind").lower()
                if kind not in KINDS:
                    raise InputError(
                        f"'{kind}' is not a kind of measure",
                        todo="Choose proportion, count or measurement",
                    )
                if kind != current["kind"] and self._read(
                    "SELECT 1 FROM value WHERE measure_id = ? LIMIT 1", [measure_id]
                ):
                    raise InputError(
                        f"'{current['name']}' already has values, so its kind cannot change",
                        todo="Create a new measure of the other kind instead",
                    )
                clean[field] = kind
            elif field == "role":
                clean[field] = _role(value)
            else:
                clean[field] = _text(value, field, required=field == "name")
        return self._update("measure", measure_id, expected_version, user, clean)

    # ------------------------------------------------------------------ values

    def add_value(
        self,
        measure_id: int,
        period: Any,
        *,
        user: str,
        numerator: Any = None,
        denominator: Any = None,
        value: Any = None,
        comment: str = "",
        replace: bool = False,
        today: date | None = None,
    ) -> int:
        """Enter the result of one measure for one period; returns the value's id.

        ``period`` is the first day of the period (ISO date). A period that
        starts after ``today`` (default: the computer's date) is refused (see
        :func:`check_period`). A second entry for the same measure and period
        is refused unless ``replace=True``; the replaced numbers stay in the
        audit log. See :func:`check_value` for the rules on the numbers.
        """
        measure_id = _key(measure_id)
        user = _user(user)
        start = check_period(period, today)
        comment = _text(comment, "comment")
        at = self._clock()
        with self._write() as conn:
            measure = self._measure_row(conn, measure_id)
            num, den, val = check_value(
                measure["kind"],
                numerator=numerator,
                denominator=denominator,
                value=value,
                measure_name=measure["name"],
            )
            return self._put_value(
                conn, measure, start, (num, den, val), comment, user, at, replace=replace
            )

    def add_values(
        self,
        measure_id: int,
        frame: pd.DataFrame,
        *,
        user: str,
        replace: bool = False,
        today: date | None = None,
    ) -> int:
        """Enter several periods at once, all or nothing; returns how many were saved.

        ``frame`` has a ``period`` column and ``numerator`` and ``denominator``
        (proportions) or ``value`` (counts and measurements), and optionally
        ``comment`` and ``where`` (how to name a row in a message, for example
        "line 3"; by default "row N"): what :func:`parse_value_lines` and
        :func:`value_table` give. Every row is checked as :meth:`add_value`
        checks one; a period given twice in ``frame``, or one that already has
        a result when ``replace`` is false, is refused. The first mistake is
        reported with its row and nothing is saved; otherwise every row is saved
        in one transaction, so a stop in the middle saves none of them.
        """
        measure_id = _key(measure_id)
        user = _user(user)
        measure = self.get_measure(measure_id)
        if frame is None or len(frame) == 0:
            raise InputError(
                "There are no periods to add",
                todo="Paste one period a line, or upload a file with one period a row",
            )
        existing = set(self.values(measure_id)["period"])
        seen: dict[str, str] = {}
        clean: list[tuple[date, tuple[float | None, float | None, float], str]] = []
        for number, row in enumerate(frame.to_dict("records"), start=1):
            where = str(row.get("where") or f"row {number}")
            try:
                start = check_period(row.get("period"), today)
                checked = check_value(
                    measure["kind"],
                    numerator=row.get("numerator"),
                    denominator=row.get("denominator"),
                    value=row.get("value"),
                    measure_name=measure["name"],
                )
                comment = _text(row.get("comment"), "comment")
            except InputError as err:
                raise InputError(
                    err.what, where=where, todo=err.todo or "Correct this row"
                ) from None
            key = start.isoformat()
            if key in seen:
                raise InputError(
                    f"The period starting {key} is given twice (also at {seen[key]})",
                    where=where,
                    todo="Keep one of the two",
                )
            if key in existing and not replace:
                raise InputError(
                    f"'{measure['name']}' already has a result for the period starting {key}",
                    where=where,
                    todo="Remove this one, or choose 'replace' to correct the result entered "
                    "before (the old numbers are kept in the history)",
                )
            seen[key] = where
            clean.append((start, checked, comment))
        at = self._clock()
        with self._write() as conn:
            row = self._measure_row(conn, measure_id)
            for start, checked, comment in clean:
                self._put_value(conn, row, start, checked, comment, user, at, replace=replace)
        return len(clean)

    def _measure_row(self, conn: sqlite3.Connection, measure_id: int) -> dict[str, Any]:
        return self._one(
            conn.execute("SELECT * FROM measure WHERE id = ?", [measure_id]).fetchall(),
            "measure",
            measure_id,
        )

    def _put_value(
        self,
        conn: sqlite3.Connection,
        measure: Mapping[str, Any],
        start: date,
        checked: tuple[float | None, float | None, float],
        comment: str,
        user: str,
        at: str,
        *,
        replace: bool,
    ) -> int:
        """Insert or replace one checked value inside an open write transaction."""
        num, den, val = checked
        measure_id = measure["id"]
        existing = conn.execute(
            "SELECT * FROM value WHERE measure_id = ? AND period = ?",
            [measure_id, start.isoformat()],
        ).fetchall()
        new = {
            "numerator": num,
            "denominator": den,
            "value": val,
            "comment": comment,
            "entered_by": user,
            "entered_at": at,
        }
        if existing:
            old = dict(existing[0])
            if not replace:
                raise InputError(
                    f"'{measure['name']}' already has a result for the period starting "
                    f"{start.isoformat()} ({self._describe(old)}, entered by "
                    f"{old['entered_by']})",
                    todo="To correct it, choose 'replace'; the old numbers are kept in the history",
                )
            conn.execute(
                "UPDATE value SET numerator = ?, denominator = ?, value = ?, comment = ?, "
                "entered_by = ?, entered_at = ?, version = version + 1 WHERE id = ?",
                (num, den, val, comment, user, at, old["id"]),
            )
            changes = [
                (field, old[field], new[field])
                for field in ("numerator", "denominator", "value", "comment")
                if old[field] != new[field]
            ] or [("replaced", None, "same numbers entered again")]
            self._audit(conn, measure["project_id"], "value", old["id"], changes, user, at)
            return int(old["id"])
        cur = conn.execute(
            "INSERT INTO value (measure_id, period, numerator, denominator, value, "
            "entered_by, entered_at, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (measure_id, start.isoformat(), num, den, val, user, at, comment),
        )
        vid = int(cur.lastrowid)
        self._audit(
            conn,
            measure["project_id"],
            "value",
            vid,
            [("created", None, f"{start.isoformat()}: {self._describe(new)}")],
            user,
            at,
        )
        return vid

    @staticmethod
    def _describe(row: Mapping[str, Any]) -> str:
        if row["denominator"] is not None:
            return f"{_fmt_number(row['numerator'])} out of {_fmt_number(row['denominator'])}"
        return _fmt_number(row["value"])

    def values(self, measure_id: int) -> pd.DataFrame:
        """Every entry for one measure with who entered it and when, by period."""
        measure_id = _key(measure_id)
        cols = [
            "id",
            "period",
            "numerator",
            "denominator",
            "value",
            "entered_by",
            "entered_at",
            "comment",
            "version",
        ]
        return self._frame(
            f"SELECT {', '.join(cols)} FROM value WHERE measure_id = ? ORDER BY period",
            [measure_id],
            cols,
        )

    def measure_series(self, measure_id: int) -> pd.DataFrame:
        """One measure over time, ready for a run chart.

        Columns ``period`` (datetime, the first day of each period, sorted),
        ``numerator``, ``denominator`` (empty for counts and measurements) and
        ``value`` (float; a fraction for proportions). A new DataFrame each call.
        """
        measure_id = _key(measure_id)
        self.get_measure(measure_id)
        rows = self._read(
            "SELECT period, numerator, denominator, value FROM value WHERE measure_id = ? "
            "ORDER BY period",
            [measure_id],
        )
        frame = pd.DataFrame(
            [tuple(r) for r in rows], columns=["period", "numerator", "denominator", "value"]
        )
        frame["period"] = pd.to_datetime(frame["period"], format="%Y-%m-%d")
        for col in ("numerator", "denominator", "value"):
            frame[col] = pd.to_numeric(frame[col]).astype("float64")
        return frame

    # ------------------------------------------------------------------ cycles

    def add_cycle(
        self,
        project_id: int,
        *,
        user: str,
        title: str,
        start_date: Any = None,
        end_date: Any = None,
        act_decision: str = "undecided",
        **fields: Any,
    ) -> dict[str, Any]:
        """Add the next PDSA cycle to a project; returns the saved cycle (with ``number``).

        The number (1, 2, 3 ... within the project) is given out inside the
        saving transaction, so two people adding cycles at the same moment get
        different numbers. Other worksheet fields (``objective``,
        ``questions``, ``predictions``, ``plan_who`` ... ``act_next_steps``)
        go in ``fields``. The end date may not be before the start date; dates
        in the future are allowed, because a cycle is planned before it is run.
        """
        project_id = _key(project_id)
        user = _user(user)
        for field in fields:
            if field not in CYCLE_TEXT_FIELDS:
                raise InputError(f"A PDSA cycle has no field called '{field}'")
        text = {f: _text(fields.get(f), f.replace("_", " ")) for f in CYCLE_TEXT_FIELDS}
        text["title"] = _text(title, "cycle title", required=True)
        start = _as_date(start_date, "start date")
        end = _as_date(end_date, "end date")
        _check_dates(start, end, f"cycle '{text['title']}'")
        decision = _decision(act_decision)
        at = self._clock()
        with self._write() as conn:
            self._one(
                conn.execute("SELECT id FROM project WHERE id = ?", [project_id]).fetchall(),
                "project",
                project_id,
            )
            number = conn.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM cycle WHERE project_id = ?",
                [project_id],
            ).fetchone()[0]
            cid = self._insert_cycle(
                conn,
                project_id,
                number,
                text,
                decision,
                start,
                end,
                entered_by=user,
                updated_at=at,
            )
            self._audit(
                conn, project_id, "cycle", cid, [("created", None, text["title"])], user, at
            )
        return self.get_cycle(cid)

    @staticmethod
    def _insert_cycle(
        conn: sqlite3.Connection,
        project_id: int,
        number: int,
        text: Mapping[str, str],
        decision: str,
        start: date | None,
        end: date | None,
        *,
        entered_by: str,
        updated_at: str,
    ) -> int:
        cols = ["project_id", "number", *CYCLE_TEXT_FIELDS, "act_decision"]
        cols += ["start_date", "end_date", "entered_by", "updated_at"]
        values = [project_id, number, *(text[f] for f in CYCLE_TEXT_FIELDS), decision]
        values += [
            start.isoformat() if start else None,
            end.isoformat() if end else None,
            entered_by,
            updated_at,
        ]
        cur = conn.execute(
            f"INSERT INTO cycle ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            values,
        )
        return int(cur.lastrowid)

    def get_cycle(self, cycle_id: int) -> dict[str, Any]:
        """One cycle as a dict, including its ``version`` (needed to save an edit)."""
        cycle_id = _key(cycle_id)
        rows = self._read("SELECT * FROM cycle WHERE id = ?", [cycle_id])
        return self._one(rows, "PDSA cycle", cycle_id)

    def list_cycles(self, project_id: int) -> pd.DataFrame:
        """All cycles of a project in number order, every worksheet field."""
        project_id = _key(project_id)
        cols = ["id", "number", *CYCLE_FIELDS, "entered_by", "updated_at", "version"]
        return self._frame(
            f"SELECT {', '.join(cols)} FROM cycle WHERE project_id = ? ORDER BY number",
            [project_id],
            cols,
        )

    def update_cycle(
        self, cycle_id: int, *, expected_version: int, user: str, **changes: Any
    ) -> dict[str, Any]:
        """Save edits to a cycle; returns the saved cycle with its new ``version``.

        ``expected_version`` is the version the editor had when they opened the
        cycle. If someone else has saved the cycle since, nothing is written
        and an :class:`InputError` says so (optimistic concurrency), so one
        person's edit never silently wipes out another's. Each changed field
        goes into the audit log.
        """
        cycle_id = _key(cycle_id)
        current = self.get_cycle(cycle_id)
        clean: dict[str, Any] = {}
        for field, value in changes.items():
            if field in CYCLE_TEXT_FIELDS:
                clean[field] = _text(value, field.replace("_", " "), required=field == "title")
            elif field == "act_decision":
                clean[field] = _decision(value)
            elif field in ("start_date", "end_date"):
                day = _as_date(value, field.replace("_", " "))
                clean[field] = day.isoformat() if day else None
            else:
                raise InputError(f"A PDSA cycle has no field called '{field}'")
        merged = {**current, **clean}
        _check_dates(
            _as_date(merged["start_date"], "start date"),
            _as_date(merged["end_date"], "end date"),
            f"PDSA cycle {current['number']}",
        )
        self._update("cycle", cycle_id, expected_version, user, clean)
        return self.get_cycle(cycle_id)

    def _update(
        self, table: str, row_id: int, expected_version: int, user: str, clean: dict[str, Any]
    ) -> int:
        """Optimistic update of ``table`` row ``row_id``; returns the new version."""
        user = _user(user)
        at = self._clock()
        label = {"cycle": "PDSA cycle", "project": "project", "measure": "measure"}[table]
        with self._write() as conn:
            rows = conn.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id]).fetchall()
            old = self._one(rows, label, row_id)
            if old["version"] != expected_version:
                raise InputError(
                    f"Someone else changed this {label} since you opened it (you opened "
                    f"version {expected_version}; the saved one is now version "
                    f"{old['version']}). Your changes were not saved, so nothing of theirs "
                    "was lost",
                    todo="Reopen it to see their changes, then make yours again",
                )
            changed = {f: v for f, v in clean.items() if old[f] != v}
            if not changed:
                return int(old["version"])
            if (
                table == "measure"
                and "name" in changed
                and conn.execute(
                    "SELECT 1 FROM measure WHERE project_id = ? AND name = ? AND id != ?",
                    [old["project_id"], changed["name"], row_id],
                ).fetchall()
            ):
                raise InputError(
                    f"This project already has a measure called '{changed['name']}'",
                    todo="Choose a different name",
                )
            sets = ", ".join(f"{f} = ?" for f in changed)
            params: list[Any] = list(changed.values())
            if table == "cycle":
                sets += ", updated_at = ?"
                params.append(at)
            cur = conn.execute(
                f"UPDATE {table} SET {sets}, version = version + 1 WHERE id = ? AND version = ?",
                [*params, row_id, expected_version],
            )
            if cur.rowcount != 1:  # cannot happen under BEGIN IMMEDIATE; kept as a guard
                raise InputError(f"Someone else changed this {label} since you opened it")
            project_id = row_id if table == "project" else old["project_id"]
            self._audit(
                conn,
                project_id,
                table,
                row_id,
                [(f, old[f], v) for f, v in changed.items()],
                user,
                at,
            )
            return int(old["version"]) + 1

    # ------------------------------------------------------------------ audit

    def audit_log(self, project_id: int) -> pd.DataFrame:
        """Every change to a project: ``table, row_id, field, old, new, user, at``, oldest first."""
        project_id = _key(project_id)
        cols = ["table_name", "row_id", "field", "old", "new", "user", "at"]
        frame = self._frame(
            f"SELECT {', '.join(cols)} FROM audit WHERE project_id = ? ORDER BY id",
            [project_id],
            cols,
        )
        return frame.rename(columns={"table_name": "table"})

    def _frame(self, sql: str, params: list[Any], cols: list[str]) -> pd.DataFrame:
        rows = self._read(sql, params)
        return pd.DataFrame([tuple(r) for r in rows], columns=cols)

    # ------------------------------------------------------------------ run-chart notes

    def cycle_annotations(
        self, project_id: int, periods: Iterable[Any] | None = None
    ) -> dict[pd.Timestamp, str]:
        """Labels for the PDSA cycles on a run chart: ``{period_start: "PDSA 2: title (adapt)"}``.

        Each cycle is placed at its start date. When ``periods`` (the period
        starts on the chart, e.g. ``measure_series(...)["period"]``) is given,
        it is placed at the last period that starts on or before the cycle's
        start date, so the note sits on a plotted point; cycles that start
        before the first period are placed at the first period. Cycles without
        a start date are left out. Two cycles at the same point share one
        label, joined by "; ". Annotating the chart with the changes tested is
        the practice of Provost & Murray (2011), chapter 3.
        """
        project_id = _key(project_id)
        self.get_project(project_id)
        cycles = self.list_cycles(project_id)
        cycles = cycles[cycles["start_date"].notna()]
        if cycles.empty:
            return {}
        starts = pd.to_datetime(cycles["start_date"], format="%Y-%m-%d")
        if periods is not None:
            grid = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(periods)))).sort_values()
            grid = grid.dropna().unique()
            if len(grid):
                pos = grid.searchsorted(starts.to_numpy(), side="right") - 1
                starts = pd.Series(grid[pos.clip(min=0)], index=cycles.index)
        labels: dict[pd.Timestamp, str] = {}
        for number, title, decision, at in zip(
            cycles["number"], cycles["title"], cycles["act_decision"], starts, strict=True
        ):
            label = f"PDSA {number}: {title}"
            if decision != "undecided":
                label += f" ({decision})"
            key = pd.Timestamp(at)
            labels[key] = f"{labels[key]}; {label}" if key in labels else label
        return dict(sorted(labels.items()))

    # ------------------------------------------------------------------ export / import

    def _export_dict(self, project_id: int) -> dict[str, Any]:
        project_id = _key(project_id)
        project = self.get_project(project_id)
        measures = self._read(
            "SELECT * FROM measure WHERE project_id = ? ORDER BY id", [project_id]
        )
        keys = {m["id"]: i for i, m in enumerate(measures, start=1)}
        values = self._read(
            "SELECT v.* FROM value v JOIN measure m ON v.measure_id = m.id "
            "WHERE m.project_id = ? ORDER BY v.measure_id, v.period",
            [project_id],
        )
        value_refs = {v["id"]: f"value:{keys[v['measure_id']]}:{v['period']}" for v in values}
        cycles = self._read(
            "SELECT * FROM cycle WHERE project_id = ? ORDER BY number", [project_id]
        )
        cycle_refs = {c["id"]: f"cycle:{c['number']}" for c in cycles}
        refs = {
            "project": {project_id: "project"},
            "measure": {mid: f"measure:{key}" for mid, key in keys.items()},
            "value": value_refs,
            "cycle": cycle_refs,
        }
        audit = self._read("SELECT * FROM audit WHERE project_id = ? ORDER BY id", [project_id])
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "project": {f: project[f] for f in ("name", "aim", "team", "created")},
            "measures": [
                {
                    "key": keys[m["id"]],
                    "name": m["name"],
                    "kind": m["kind"],
                    "role": m["role"],
                    "unit": m["unit"],
                    "higher_is_better": bool(m["higher_is_better"]),
                    "definition": m["definition"],
                }
                for m in measures
            ],
            "values": [
                {
                    "measure": keys[v["measure_id"]],
                    "period": v["period"],
                    "numerator": v["numerator"],
                    "denominator": v["denominator"],
                    "value": v["value"],
                    "entered_by": v["entered_by"],
                    "entered_at": v["entered_at"],
                    "comment": v["comment"],
                }
                for v in values
            ],
            "cycles": [
                {
                    "number": c["number"],
                    **{f: c[f] for f in CYCLE_FIELDS},
                    "entered_by": c["entered_by"],
                    "updated_at": c["updated_at"],
                }
                for c in cycles
            ],
            "audit": [
                {
                    "table": a["table_name"],
                    "ref": refs[a["table_name"]].get(a["row_id"], f"{a['table_name']}:?"),
                    "field": a["field"],
                    "old": a["old"],
                    "new": a["new"],
                    "user": a["user"],
                    "at": a["at"],
                }
                for a in audit
            ],
        }

    def export_json(self, project_id: int) -> str:
        """The whole project (measures, values, cycles, audit log) as JSON text.

        Records refer to each other by measure key (1, 2, ...), period and
        cycle number rather than by database ids, so the file can be imported
        into any project file. ``import_json(export_json(p))`` gives a project
        whose export is identical, character for character.
        """
        return json.dumps(self._export_dict(project_id), ensure_ascii=False, indent=2)

    def export_html(self, project_id: int, chart_png: bytes | None = None) -> str:
        """The project as a printable page: aim, team, each measure's values, and every
        PDSA cycle laid out as the IHI PDSA Worksheet (IHI, QI Essentials Toolkit, 2017).

        ``chart_png`` (a run chart) is put under the values when given. Every
        text is escaped; headings are words; the page prints on A4 (one cycle
        does not split across pages where the browser can avoid it).
        """
        project = self.get_project(project_id)
        esc = html.escape

        def table(frame: pd.DataFrame) -> str:
            if frame.empty:
                return "<p>None yet.</p>"
            return frame.to_html(index=False, border=0, escape=True, na_rep="")

        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{esc(project['name'])}</title><style>",
            "body{font-family:sans-serif;max-width:48em;margin:1em auto;color:#1a1a1a}",
            "table{border-collapse:collapse;margin:0.5em 0}",
            "th,td{border:1px solid #999;padding:0.2em 0.5em;text-align:left;vertical-align:top}",
            "section{page-break-inside:avoid;break-inside:avoid;margin-top:1.5em}",
            "dt{font-weight:bold;margin-top:0.4em}dd{margin-left:1em;white-space:pre-wrap}",
            "@page{size:A4;margin:15mm}</style></head><body>",
            f"<h1>{esc(project['name'])}</h1>",
            f"<p><b>Aim:</b> {esc(project['aim'] or '(none written yet)')}<br>",
            f"<b>Team:</b> {esc(project['team'] or '(none written yet)')}</p>",
            "<h2>Family of measures</h2>",
            table(self.family_of_measures(project_id)),
        ]
        for measure in self.list_measures(project_id).to_dict("records"):
            values = readable_values(
                self.values(measure["id"]), measure["kind"], measure["unit"]
            ).drop(columns=["Entered at (UTC)"])
            parts.append(f"<h2>{esc(measure_title(measure['name'], measure['role']))}</h2>")
            if measure["definition"]:
                parts.append(f"<p>{esc(str(measure['definition']))}</p>")
            parts.append(table(values))
        if chart_png:
            payload = base64.b64encode(bytes(chart_png)).decode("ascii")
            parts.append(
                f"<p><img src='data:image/png;base64,{payload}' alt='Run chart' "
                "style='max-width:100%'></p>"
            )
        cycles = self.list_cycles(project_id)
        parts.append("<h2>PDSA cycles</h2>")
        if cycles.empty:
            parts.append("<p>No cycle yet.</p>")
        for cycle in cycles.to_dict("records"):
            dates = " to ".join(
                d for d in (_words(cycle["start_date"]), _words(cycle["end_date"])) if d
            )
            parts.append(
                f"<section><h3>PDSA {int(cycle['number'])}: {esc(_words(cycle['title']))}</h3>"
                + (f"<p>{esc(dates)}</p>" if dates else "")
                + "<dl>"
            )
            for field in CYCLE_TEXT_FIELDS[1:]:
                if field == "act_next_steps":
                    decision = DECISION_WORDS.get(cycle["act_decision"], cycle["act_decision"])
                    parts.append(f"<dt>Act: decision</dt><dd>{esc(decision)}</dd>")
                parts.append(
                    f"<dt>{esc(FIELD_WORDS[field])}</dt><dd>{esc(_words(cycle[field]))}</dd>"
                )
            parts.append(
                f"<dt>Last changed by</dt><dd>{esc(_words(cycle['entered_by']))}, "
                f"{esc(_when(cycle['updated_at']))} (UTC)</dd></dl></section>"
            )
        parts.append("</body></html>")
        return "".join(parts)

    def import_json(self, text: str | bytes, *, today: date | None = None) -> int:
        """Add a project from :meth:`export_json` text; returns the new project's id.

        Every record is checked with the same rules as when it is typed in; a
        problem gives an :class:`InputError` naming the record, and then
        nothing at all is imported. The audit log in the file is kept as it is.
        """
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InputError(
                    "The file is not a text (JSON) file",
                    todo="Choose a file saved with 'export to JSON'",
                ) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                "The file is not valid JSON",
                where=f"line {error.lineno}, column {error.colno}",
                todo="Choose a file saved with 'export to JSON', and do not edit it by hand",
            ) from None
        return self._import(data, today=today, source="JSON file")

    def _import(self, data: Any, *, today: date | None, source: str) -> int:
        today = today or date.today()
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise InputError(
                f"The {source} is not an exported improvement project",
                todo="Choose a file saved with the export button of this tool",
            )
        if data.get("format_version") != FORMAT_VERSION:
            raise InputError(
                f"The {source} was made by another version of the tool "
                f"(format version {data.get('format_version')})",
                todo="Export it again with this version of the tool",
            )
        parts = {}
        for part, kind in (
            ("project", dict),
            ("measures", list),
            ("values", list),
            ("cycles", list),
            ("audit", list),
        ):
            if not isinstance(data.get(part), kind):
                raise InputError(
                    f"The {source} has no '{part}' section, or it is damaged",
                    todo="Export the project again",
                )
            for i, item in enumerate(data[part] if kind is list else [data[part]], start=1):
                if not isinstance(item, dict):
                    raise InputError(
                        f"An entry in the '{part}' section is damaged",
                        where=f"{source}, {part} entry {i}",
                    )
            parts[part] = data[part]

        def need(record: dict[str, Any], field: str, where: str) -> Any:
            if field not in record:
                raise InputError(f"The field '{field}' is missing", where=where)
            return record[field]

        project = parts["project"]
        name = _text(need(project, "name", f"{source}, project"), "project name", required=True)
        created = _text(need(project, "created", f"{source}, project"), "creation time")
        measures: dict[Any, dict[str, Any]] = {}
        for i, m in enumerate(parts["measures"], start=1):
            where = f"{source}, measure {i}"
            key = need(m, "key", where)
            if key in measures:
                raise InputError(f"Two measures have the key {key}", where=where)
            kind = _text(need(m, "kind", where), "kind").lower()
            if kind not in KINDS:
                raise InputError(
                    f"'{kind}' is not a kind of measure",
                    where=where,
                    todo="Use proportion, count or measurement",
                )
            hib = need(m, "higher_is_better", where)
            if isinstance(hib, str):
                hib = hib.strip().lower() in ("true", "yes", "1")
            mname = _text(need(m, "name", where), "measure name", required=True)
            if any(other["name"] == mname for other in measures.values()):
                raise InputError(f"Two measures are called '{mname}'", where=where)
            measures[key] = {
                "name": mname,
                "kind": kind,
                "role": _role(m.get("role"), where),
                "unit": _text(m.get("unit"), "unit"),
                "higher_is_better": int(bool(hib)),
                "definition": _text(m.get("definition"), "definition"),
            }
        values = []
        seen_periods: set[tuple[Any, str]] = set()
        for i, v in enumerate(parts["values"], start=1):
            where = f"{source}, value {i}"
            key = need(v, "measure", where)
            if key not in measures:
                raise InputError(f"The value refers to measure {key}, which is not there", where)
            start = _as_date(need(v, "period", where), "period start", required=True)
            if start > today:
                raise InputError(
                    f"The period starting {start.isoformat()} is in the future", where=where
                )
            try:
                num, den, val = check_value(
                    measures[key]["kind"],
                    numerator=v.get("numerator"),
                    denominator=v.get("denominator"),
                    value=v.get("value"),
                    measure_name=measures[key]["name"],
                )
            except InputError as error:
                raise InputError(error.what, where=where, todo=error.todo) from None
            if (key, start.isoformat()) in seen_periods:
                raise InputError(
                    f"Two results for '{measures[key]['name']}' in the period starting "
                    f"{start.isoformat()}",
                    where=where,
                    todo="Keep only one of them",
                )
            seen_periods.add((key, start.isoformat()))
            values.append(
                (
                    key,
                    start.isoformat(),
                    num,
                    den,
                    val,
                    _user(v.get("entered_by")),
                    _text(need(v, "entered_at", where), "entry time", required=True),
                    _text(v.get("comment"), "comment"),
                )
            )
        cycles = []
        numbers: set[int] = set()
        for i, c in enumerate(parts["cycles"], start=1):
            where = f"{source}, cycle {i}"
            number = need(c, "number", where)
            if isinstance(number, float) and number.is_integer():
                number = int(number)
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise InputError(f"The cycle number '{number}' is not 1, 2, 3 ...", where=where)
            if number in numbers:
                raise InputError(f"Two cycles have the number {number}", where=where)
            numbers.add(number)
            text = {f: _text(c.get(f), f.replace("_", " ")) for f in CYCLE_TEXT_FIELDS}
            if not text["title"]:
                raise InputError("A cycle has no title", where=where)
            try:
                start = _as_date(c.get("start_date"), "start date")
                end = _as_date(c.get("end_date"), "end date")
                decision = _decision(c.get("act_decision"))
            except InputError as error:
                raise InputError(error.what, where=where, todo=error.todo) from None
            _check_dates(start, end, where)
            cycles.append(
                (
                    number,
                    text,
                    decision,
                    start,
                    end,
                    _user(c.get("entered_by")),
                    _text(need(c, "updated_at", where), "update time", required=True),
                )
            )
        value_refs = {f"value:{k}:{p}" for k, p, *_ in values}
        audit = []
        for i, a in enumerate(parts["audit"], start=1):
            where = f"{source}, history entry {i}"
            table = need(a, "table", where)
            ref = need(a, "ref", where)
            ok = (
                (table == "project" and ref == "project")
                or (table == "measure" and ref in {f"measure:{k}" for k in measures})
                or (table == "value" and ref in value_refs)
                or (table == "cycle" and ref in {f"cycle:{n}" for n in numbers})
            )
            if not ok:
                raise InputError(
                    f"A history entry refers to '{ref}', which is not in the file", where=where
                )
            audit.append(
                (
                    table,
                    ref,
                    _text(need(a, "field", where), "field", required=True),
                    _audit_text(a.get("old")),
                    _audit_text(a.get("new")),
                    _user(a.get("user")),
                    _text(need(a, "at", where), "time", required=True),
                )
            )

        with self._write() as conn:
            pid = int(
                conn.execute(
                    "INSERT INTO project (name, aim, team, created) VALUES (?, ?, ?, ?)",
                    (
                        name,
                        _text(project.get("aim"), "aim"),
                        _text(project.get("team"), "team"),
                        created,
                    ),
                ).lastrowid
            )
            ids: dict[str, int] = {"project": pid}
            mids = {}
            for key, m in measures.items():
                mid = conn.execute(
                    "INSERT INTO measure (project_id, name, kind, unit, higher_is_better, "
                    "definition, role) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        pid,
                        m["name"],
                        m["kind"],
                        m["unit"],
                        m["higher_is_better"],
                        m["definition"],
                        m["role"],
                    ),
                ).lastrowid
                mids[key] = mid
                ids[f"measure:{key}"] = mid
            for key, period, num, den, val, by, at, comment in values:
                ids[f"value:{key}:{period}"] = conn.execute(
                    "INSERT INTO value (measure_id, period, numerator, denominator, value, "
                    "entered_by, entered_at, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (mids[key], period, num, den, val, by, at, comment),
                ).lastrowid
            for number, text, decision, start, end, by, at in sorted(cycles, key=lambda c: c[0]):
                ids[f"cycle:{number}"] = self._insert_cycle(
                    conn, pid, number, text, decision, start, end, entered_by=by, updated_at=at
                )
            conn.executemany(
                "INSERT INTO audit (project_id, table_name, row_id, field, old, new, user, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(pid, t, ids[ref], f, o, n, u, at) for t, ref, f, o, n, u, at in audit],
            )
        return pid

    # Excel: one sheet per section, one row per record, column names as in the JSON.
    _SHEETS = {
        "Measures": (
            "measures",
            ["key", "name", "kind", "role", "unit", "higher_is_better", "definition"],
        ),
        "Values": (
            "values",
            [
                "measure",
                "period",
                "numerator",
                "denominator",
                "value",
                "entered_by",
                "entered_at",
                "comment",
            ],
        ),
        "Cycles": ("cycles", ["number", *CYCLE_FIELDS, "entered_by", "updated_at"]),
        "Audit": ("audit", ["table", "ref", "field", "old", "new", "user", "at"]),
    }

    #: The headings a person reads in the workbook, for the fields of the JSON format.
    _EXCEL_HEADINGS = {
        "key": "Measure number",
        "measure": "Measure number",
        "number": "Cycle",
        "entered_by": "Entered by",
        "entered_at": "Entered at (UTC)",
        "updated_at": "Last changed at (UTC)",
        "higher_is_better": "Higher is better (1 yes, 0 no)",
        "table": "Record",
        "ref": "Record number",
        "field": "What changed",
        "old": "Before",
        "new": "After",
        "user": "Who",
        "at": "When (UTC)",
        "format": "File format",
        "format_version": "File format version",
    }

    #: Columns a workbook may lack: workbooks saved before measures had a role.
    _OPTIONAL_COLUMNS = frozenset({"role"})

    @classmethod
    def _heading(cls, field: str) -> str:
        return cls._EXCEL_HEADINGS.get(field) or FIELD_WORDS.get(field) or field

    def export_excel(self, project_id: int) -> bytes:
        """The whole project as an Excel workbook (.xlsx bytes).

        Sheets: Project (what, value), Measures, Values, Cycles, Audit, with
        headings in words ("Period start", "Entered by"). Text that starts
        with "=" is stored as text, never as a formula. :meth:`import_excel`
        reads it back exactly (and also reads workbooks whose headings are the
        field names of the JSON format, as earlier versions wrote them).
        """
        from openpyxl import Workbook

        data = self._export_dict(project_id)
        book = Workbook()
        sheet = book.active
        sheet.title = "Project"
        sheet.append(["What", "Value"])
        rows: list[tuple[str, Any]] = [
            ("format", data["format"]),
            ("format_version", data["format_version"]),
            *data["project"].items(),
        ]
        for field, value in rows:
            self._append(sheet, [self._heading(field), value])
        for title, (part, cols) in self._SHEETS.items():
            sheet = book.create_sheet(title)
            sheet.append([self._heading(c) for c in cols])
            for record in data[part]:
                self._append(sheet, [record[c] for c in cols])
            sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.properties.creator = "phcpm"
        book.save(out)
        return out.getvalue()

    @staticmethod
    def _append(sheet: Any, row: list[Any]) -> None:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # keep it as text: never run user text as a formula

    def import_excel(self, data: bytes, *, today: date | None = None) -> int:
        """Add a project from :meth:`export_excel` bytes; returns the new project's id.

        Checked like :meth:`import_json`; nothing is imported if anything is wrong.
        """
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds of error for a bad file
            raise InputError(
                "The file is not an Excel workbook this tool can read",
                todo="Choose an .xlsx file saved with 'export to Excel'",
            ) from None
        try:
            missing = [s for s in ("Project", *self._SHEETS) if s not in book.sheetnames]
            if missing:
                raise InputError(
                    f"The workbook has no sheet called {', '.join(repr(s) for s in missing)}",
                    todo="Choose a workbook saved with 'export to Excel', with all its sheets",
                )
            result: dict[str, Any] = {}
            project: dict[str, Any] = {}
            known = ("format", "format_version", *PROJECT_FIELDS, "created")
            fields = {self._heading(f): f for f in known}
            for row in list(book["Project"].iter_rows(values_only=True))[1:]:
                if row and row[0] is not None:
                    name = str(row[0]).strip()
                    project[fields.get(name, name)] = _cell(row[1] if len(row) > 1 else None)
            result["format"] = project.pop("format", None)
            version = project.pop("format_version", None)
            result["format_version"] = int(version) if isinstance(version, int | float) else version
            result["project"] = project
            for title, (part, cols) in self._SHEETS.items():
                rows = list(book[title].iter_rows(values_only=True))
                header = [
                    str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])
                ]
                # the heading in words, or the field name written by earlier versions
                index = {}
                for c in cols:
                    for name in (self._heading(c), c):
                        if name in header:
                            index[c] = header.index(name)
                            break
                absent = [
                    self._heading(c)
                    for c in cols
                    if c not in index and c not in self._OPTIONAL_COLUMNS
                ]
                if absent:
                    raise InputError(
                        f"The sheet '{title}' has no column {', '.join(repr(c) for c in absent)}",
                        where=f"sheet '{title}', first row",
                        todo="Put the column names back as they were exported",
                    )
                records = []
                for row in rows[1:]:
                    if row is None or all(cell is None for cell in row):
                        continue
                    records.append(
                        {c: _cell(row[i] if i < len(row) else None) for c, i in index.items()}
                    )
                result[part] = records
        finally:
            book.close()
        for record in result["cycles"]:
            for f in ("start_date", "end_date"):
                if record[f] is not None:
                    record[f] = _as_date(record[f], f.replace("_", " ")).isoformat()
        for record in result["values"]:
            record["period"] = _as_date(record["period"], "period start", required=True).isoformat()
        return self._import(result, today=today, source="Excel workbook")


def _cell(value: Any) -> Any:
    """An Excel cell value in the form the JSON export uses (dates as ISO text)."""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- example project

#: Who the example project's records are attributed to in its history.
EXAMPLE_USER = "Example data"
#: The example project's aim and team (the numbers come from the datasets).
EXAMPLE_AIM = (
    "By the end of June 2025, test at least 85 % of children under five who come to "
    "Pezali Lake Health Centre with fever for malaria before they are treated"
)
EXAMPLE_TEAM = "Pezali Lake Health Centre improvement team, Ruvo District"
EXAMPLE_MEASURE = "Under-five fever cases tested for malaria"
EXAMPLE_DEFINITION = (
    "Numerator: children under five with fever who had a malaria test (rapid test or "
    "microscopy) in the week, counted from the outpatient register. Denominator: children "
    "under five with fever seen in the week. Weeks start on Monday."
)
#: The other measures of the example's family of measures, by their name in
#: ``datasets/pdsa_family_of_measures.csv``: whether higher is better, and the
#: operational definition (from the data dictionary, ``datasets/README.md``).
EXAMPLE_FAMILY = {
    "Fever cases treated according to the test result": (
        True,
        "Numerator: children under five with fever who were tested for malaria and given an "
        "antimalarial only if the test was positive, in the week, from the outpatient "
        "register. Denominator: children under five with fever seen in the week.",
    ),
    "Minutes waited at the test corner": (
        False,
        "Median minutes from arrival at the test corner to the test, of the children timed "
        "on one morning of the week.",
    ),
    "Days without malaria test kits": (
        False,
        "Clinic days of the week (out of 5) on which the health centre had no malaria test "
        "kit, from the stock card.",
    ),
}
#: How each unit of the family file is kept: (kind of measure, unit shown).
_FAMILY_UNITS = {
    "proportion (0-1)": ("proportion", "%"),
    "minutes": ("measurement", "minutes"),
    "days": ("count", "days"),
}


def example_project_data(
    measure: pd.DataFrame,
    cycles: pd.DataFrame,
    *,
    project: str | None = None,
    family: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The example improvement project in the export format of :meth:`ProjectStore.export_json`.

    ``measure`` has the columns of ``datasets/pdsa_measure.csv`` (``project,
    week_start, numerator, denominator``) and ``cycles`` those of
    ``datasets/pdsa_cycles.csv`` (``project, cycle, start, end, change_idea,
    prediction, result, decision``). ``project`` picks one project name (default:
    the first in ``measure``). The worksheet fields are filled as the IHI PDSA
    Worksheet (IHI, QI Essentials Toolkit, 2017) places them: the change is the
    cycle's title and plan (what), the prediction goes under predictions, the
    result under study and the decision under act. Each value is recorded as
    entered on the Monday after its week, and each cycle as updated on its end
    date, so the history is the same every time the example is loaded. The
    inputs are not changed.

    ``family`` (the columns of ``datasets/pdsa_family_of_measures.csv``:
    ``project, week_start, measure, kind, numerator, denominator, value, unit``)
    adds the project's whole family of measures (Provost & Murray 2011,
    chapter 2): the process measure stays measure 1, with the numbers of
    ``measure`` (the family's process rows must hold the same numbers, or the
    files are refused); the outcome and balancing measures follow, in the
    order of the file, each with its role. Without ``family`` the project holds
    the process measure only, with no role stated.
    """
    need = {
        "measure": (measure, ["project", "week_start", "numerator", "denominator"]),
        "cycles": (cycles, ["project", "cycle", "start", "end", "change_idea", "prediction"]),
    }
    for what, (frame, cols) in need.items():
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputError(
                f"The example {what} table has no column {', '.join(repr(c) for c in missing)}",
                todo="Use the files pdsa_measure.csv and pdsa_cycles.csv from the datasets folder",
            )
    name = project if project is not None else str(measure["project"].iloc[0])
    others = _example_family(family, name, measure) if family is not None else []
    weeks = measure[measure["project"] == name].sort_values("week_start")
    steps = cycles[cycles["project"] == name].sort_values("cycle")
    if weeks.empty:
        raise InputError(f"There are no weekly values for the project '{name}'")
    week_start = pd.to_datetime(weeks["week_start"]).dt.strftime("%Y-%m-%d")
    entered = (pd.to_datetime(weeks["week_start"]) + pd.Timedelta(days=7)).dt.strftime(
        "%Y-%m-%dT09:00:00+00:00"
    )
    first_entry = entered.iloc[0]
    values = [
        {
            "measure": 1,
            "period": period,
            "numerator": float(num),
            "denominator": float(den),
            "value": float(num) / float(den),
            "entered_by": EXAMPLE_USER,
            "entered_at": at,
            "comment": "",
        }
        for period, num, den, at in zip(
            week_start, weeks["numerator"], weeks["denominator"], entered, strict=True
        )
    ]
    for key, (_, _, rows) in enumerate(others, start=2):
        values += [
            {**row, "measure": key, "entered_by": EXAMPLE_USER, "comment": ""} for row in rows
        ]
    start = pd.to_datetime(steps["start"]).dt.strftime("%Y-%m-%d")
    end = pd.to_datetime(steps["end"]).dt.strftime("%Y-%m-%d")
    results = steps["result"] if "result" in steps.columns else [""] * len(steps)
    decisions = steps["decision"] if "decision" in steps.columns else ["undecided"] * len(steps)
    texts = zip(steps["change_idea"], steps["prediction"], results, decisions, strict=True)
    cycle_records = []
    for number, s, e, (idea, prediction, result, decision) in zip(
        steps["cycle"], start, end, texts, strict=True
    ):
        record = {f: "" for f in CYCLE_TEXT_FIELDS}
        record.update(
            title=str(idea),
            objective=f"Find out whether this change raises the share of {EXAMPLE_MEASURE.lower()}",
            questions="Does the share of fever cases tested rise while the change is in place?",
            predictions=str(prediction),
            plan_who="Triage nurse and clinicians of the under-five clinic",
            plan_what=str(idea),
            plan_when=f"{s} to {e}",
            plan_where="Pezali Lake Health Centre, under-five clinic",
            study_results=str(result),
        )
        cycle_records.append(
            {
                "number": int(number),
                **record,
                "act_decision": str(decision),
                "start_date": s,
                "end_date": e,
                "entered_by": EXAMPLE_USER,
                "updated_at": f"{e}T16:00:00+00:00",
            }
        )
    audit = [
        {
            "table": "project",
            "ref": "project",
            "field": "created",
            "old": None,
            "new": name,
            "user": EXAMPLE_USER,
            "at": first_entry,
        },
    ]
    audit += [
        {
            "table": "measure",
            "ref": f"measure:{key}",
            "field": "created",
            "old": None,
            "new": mname,
            "user": EXAMPLE_USER,
            "at": first_entry,
        }
        for key, mname in enumerate([EXAMPLE_MEASURE, *(m["name"] for m, _, _ in others)], start=1)
    ]
    audit += [
        {
            "table": "value",
            "ref": f"value:{v['measure']}:{v['period']}",
            "field": "created",
            "old": None,
            "new": f"{v['period']}: {_fmt_number(v['numerator'])} out of "
            f"{_fmt_number(v['denominator'])}"
            if v["numerator"] is not None
            else f"{v['period']}: {_fmt_number(v['value'])}",
            "user": EXAMPLE_USER,
            "at": v["entered_at"],
        }
        for v in values
    ]
    audit += [
        {
            "table": "cycle",
            "ref": f"cycle:{c['number']}",
            "field": "created",
            "old": None,
            "new": c["title"],
            "user": EXAMPLE_USER,
            "at": f"{c['start_date']}T08:00:00+00:00",
        }
        for c in cycle_records
    ]
    audit.sort(key=lambda a: a["at"])  # stable: records of one time keep their order
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "project": {"name": name, "aim": EXAMPLE_AIM, "team": EXAMPLE_TEAM, "created": first_entry},
        "measures": [
            {
                "key": 1,
                "name": EXAMPLE_MEASURE,
                "kind": "proportion",
                "role": "process" if family is not None else "",
                "unit": "%",
                "higher_is_better": True,
                "definition": EXAMPLE_DEFINITION,
            },
            *({"key": key, **m} for key, (m, _, _) in enumerate(others, start=2)),
        ],
        "values": values,
        "cycles": cycle_records,
        "audit": audit,
    }


def _example_family(
    family: pd.DataFrame, name: str, measure: pd.DataFrame
) -> list[tuple[dict[str, Any], str, list[dict[str, Any]]]]:
    """The outcome and balancing measures of the family file, checked against ``measure``.

    Returns, for each measure other than the process one, its record, its role
    and its values (export format, without the measure key).
    """
    cols = ["project", "week_start", "measure", "kind", "numerator", "denominator", "value", "unit"]
    missing = [c for c in cols if c not in family.columns]
    if missing:
        raise InputError(
            f"The family of measures table has no column {', '.join(repr(c) for c in missing)}",
            todo="Use the file pdsa_family_of_measures.csv from the datasets folder",
        )
    rows = family[family["project"] == name]
    if rows.empty:
        raise InputError(f"The family of measures has no rows for the project '{name}'")
    bad = sorted(set(rows["kind"]) - set(ROLES))
    if bad:
        raise InputError(
            f"'{bad[0]}' is not a role in the family of measures",
            where="pdsa_family_of_measures.csv, column 'kind'",
            todo="Use outcome, process or balancing",
        )
    process = rows[rows["kind"] == "process"]
    if process["measure"].nunique() != 1:
        raise InputError(
            "The family of measures must have exactly one process measure",
            where="pdsa_family_of_measures.csv",
        )
    mine = measure[measure["project"] == name]
    left = mine.set_index(pd.to_datetime(mine["week_start"]))[["numerator", "denominator"]]
    right = process.set_index(pd.to_datetime(process["week_start"]))[["numerator", "denominator"]]
    if not left.sort_index().astype(float).equals(right.sort_index().astype(float)):
        raise InputError(
            "The process measure in the family of measures does not hold the same numbers as "
            "the weekly measure file",
            where="pdsa_family_of_measures.csv and pdsa_measure.csv",
            todo="Use the two files from the same datasets folder",
        )
    out = []
    for mname, group in rows[rows["kind"] != "process"].groupby("measure", sort=False):
        units = set(group["unit"])
        if len(units) != 1 or next(iter(units)) not in _FAMILY_UNITS:
            raise InputError(
                f"The measure '{mname}' has the unit(s) {', '.join(sorted(map(str, units)))}",
                where="pdsa_family_of_measures.csv, column 'unit'",
                todo="Use one of: " + ", ".join(_FAMILY_UNITS),
            )
        kind, unit = _FAMILY_UNITS[next(iter(units))]
        role = str(group["kind"].iloc[0])
        higher, definition = EXAMPLE_FAMILY.get(str(mname), (role != "balancing", ""))
        group = group.sort_values("week_start")
        weeks = pd.to_datetime(group["week_start"])
        values = []
        for week, num, den, val in zip(
            weeks, group["numerator"], group["denominator"], group["value"], strict=True
        ):
            if kind == "proportion":
                num, den, val = check_value(
                    "proportion", numerator=num, denominator=den, measure_name=str(mname)
                )
            else:
                num, den, val = check_value(kind, value=val, measure_name=str(mname))
            values.append(
                {
                    "period": week.strftime("%Y-%m-%d"),
                    "numerator": num,
                    "denominator": den,
                    "value": val,
                    "entered_at": (week + pd.Timedelta(days=7)).strftime("%Y-%m-%dT09:00:00+00:00"),
                }
            )
        record = {
            "name": str(mname),
            "kind": kind,
            "role": role,
            "unit": unit,
            "higher_is_better": bool(higher),
            "definition": definition,
        }
        out.append((record, role, values))
    order = {"outcome": 0, "balancing": 1}
    return sorted(out, key=lambda item: order[item[1]])


def load_example_project(store: ProjectStore, *, today: date | None = None) -> int:
    """Put the synthetic improvement project into ``store``; returns its project id.

    The project is the weekly malaria-testing measure of Pezali Lake Health
    Centre (``datasets/pdsa_measure.csv``) with the rest of its family of
    measures (``datasets/pdsa_family_of_measures.csv``: the outcome and two
    balancing measures) and its four PDSA cycles
    (``datasets/pdsa_cycles.csv``), built by :func:`example_project_data` and
    added with :meth:`ProjectStore.import_json` in one transaction. If the
    store already has a project with that name, nothing is added and the id of
    the first such project is returned, so loading the example twice does not
    make a copy.
    """
    from phcpm.paths import dataset_path

    measure = pd.read_csv(dataset_path("pdsa_measure.csv"))
    cycles = pd.read_csv(dataset_path("pdsa_cycles.csv"))
    family = pd.read_csv(dataset_path("pdsa_family_of_measures.csv"))
    data = example_project_data(measure, cycles, family=family)
    projects = store.list_projects()
    same = projects[projects["name"] == data["project"]["name"]]
    if not same.empty:
        return int(same["id"].iloc[0])
    return store.import_json(json.dumps(data, ensure_ascii=False), today=today)


def cycle_summary(series: pd.DataFrame, cycles: pd.DataFrame) -> pd.DataFrame:
    """The measure during each PDSA cycle: the "Study" step in numbers.

    ``series`` is :meth:`ProjectStore.measure_series` (``period, numerator,
    denominator, value``) and ``cycles`` is :meth:`ProjectStore.list_cycles`.
    A period belongs to a cycle when its first day falls between the cycle's
    start and end dates, both included. For a proportion the result is the
    pooled share, ``sum(numerator) / sum(denominator)`` over those periods (as
    the centre line of a P chart: Provost & Murray, *The Health Care Data
    Guide*, 2011, chapter 6), not the mean of the weekly shares; for counts and
    measurements it is the mean value. Not rounded.

    Returns one row per cycle with a start and end date: ``number, title,
    predictions, act_decision, start_date, end_date, periods`` (how many
    periods fell in the cycle), ``numerator, denominator`` (sums; empty for
    counts and measurements) and ``value``. A cycle with no period in it has
    ``periods`` 0 and an empty ``value``.
    """
    needed = {"series": ["period", "value"], "cycles": ["number", "start_date", "end_date"]}
    for what, frame in (("series", series), ("cycles", cycles)):
        missing = [c for c in needed[what] if c not in frame.columns]
        if missing:
            raise InputError(
                f"The {what} table has no column {', '.join(repr(c) for c in missing)}",
                todo="Use measure_series() and list_cycles() from the project store",
            )
    dated = cycles[cycles["start_date"].notna() & cycles["end_date"].notna()]
    periods = pd.to_datetime(series["period"]).to_numpy()
    starts = pd.to_datetime(dated["start_date"], format="%Y-%m-%d").to_numpy()
    ends = pd.to_datetime(dated["end_date"], format="%Y-%m-%d").to_numpy()
    inside = (periods[None, :] >= starts[:, None]) & (periods[None, :] <= ends[:, None])
    proportion = "denominator" in series.columns and series["denominator"].notna().all()
    count = inside.sum(axis=1)
    if proportion and len(series):
        num = inside @ series["numerator"].to_numpy(dtype="float64")
        den = inside @ series["denominator"].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    else:
        num = den = np.full(len(dated), np.nan)
        total = inside @ series["value"].to_numpy(dtype="float64") if len(series) else 0
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    keep = [c for c in ("number", "title", "predictions", "act_decision") if c in dated.columns]
    out = dated[[*keep, "start_date", "end_date"]].reset_index(drop=True)
    out["periods"] = count.astype("int64")
    out["numerator"] = num
    out["denominator"] = den
    out["value"] = value
    return out


# --------------------------------------------------------------------------- tables for people

#: Words for the fields of every record, as a manager reads them.
FIELD_WORDS = {
    "name": "Name",
    "aim": "Aim",
    "team": "Team",
    "kind": "Kind of measure",
    "role": "Outcome, process or balancing",
    "unit": "Unit",
    "higher_is_better": "Higher is better",
    "definition": "Definition",
    "period": "Period start",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "value": "Value",
    "comment": "Comment",
    "title": "Change tested (title)",
    "objective": "Objective",
    "questions": "Questions",
    "predictions": "Predictions",
    "plan_who": "Plan: who",
    "plan_what": "Plan: what",
    "plan_when": "Plan: when",
    "plan_where": "Plan: where",
    "do_observations": "Do: observations",
    "study_results": "Study: results compared with predictions",
    "act_decision": "Act: decision",
    "act_next_steps": "Act: next steps",
    "start_date": "Start date",
    "end_date": "End date",
    "created": "Created",
    "replaced": "Replaced",
}
ROLE_WORDS = {
    "outcome": "Outcome",
    "process": "Process",
    "balancing": "Balancing",
    "": "Not stated",
}


def role_words(role: Any) -> str:
    """A measure's role as a manager reads it ("Outcome", "Balancing", "Not stated")."""
    return ROLE_WORDS.get(_words(role).lower(), ROLE_WORDS[""])


def measure_title(name: Any, role: Any) -> str:
    """The measure's name after its role ("Outcome measure: ..."), or "Measure: ..."."""
    words = role_words(role) if _words(role) in ROLES else ""
    return f"{words} measure: {_words(name)}" if words else f"Measure: {_words(name)}"


DECISION_WORDS = {
    "adopt": "Adopt",
    "adapt": "Adapt",
    "abandon": "Abandon",
    "undecided": "Not decided yet",
}
_RECORD_WORDS = {
    "project": "Project",
    "measure": "Measure",
    "value": "Result",
    "cycle": "PDSA cycle",
}


def _when(text: Any) -> str:
    """An ISO time in UTC as ``YYYY-MM-DD HH:MM`` (empty stays empty)."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text):
        return ""
    stamp = pd.Timestamp(str(text))
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d %H:%M")


def _words(value: Any) -> str:
    """A stored value as text for a table: numbers without ``.0``, nothing for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return _fmt_number(float(value))
    return str(value)


def readable_values(values: pd.DataFrame, kind: str, unit: str = "") -> pd.DataFrame:
    """The values of one measure (:meth:`ProjectStore.values`) as a table for people.

    Headings are words; a proportion's value is a percentage with one
    decimal; empty cells are empty text; times are UTC to the minute.
    """
    rows = []
    for row in values.to_dict("records"):
        out = {"Period start": str(row["period"])}
        if kind == "proportion":
            out["Numerator"] = _words(row["numerator"])
            out["Denominator"] = _words(row["denominator"])
            out["Value (%)"] = f"{100 * float(row['value']):.1f}"
        else:
            out[f"Value ({unit})" if unit else "Value"] = _words(row["value"])
        out["Entered by"] = _words(row["entered_by"])
        out["Entered at (UTC)"] = _when(row["entered_at"])
        out["Comment"] = _words(row["comment"])
        rows.append(out)
    if rows:
        return pd.DataFrame(rows)
    head = ["Period start", "Numerator", "Denominator", "Value (%)"]
    if kind != "proportion":
        head = ["Period start", f"Value ({unit})" if unit else "Value"]
    return pd.DataFrame(columns=[*head, "Entered by", "Entered at (UTC)", "Comment"])


def readable_cycles(cycles: pd.DataFrame) -> pd.DataFrame:
    """The cycles of a project (:meth:`ProjectStore.list_cycles`) in brief, for people."""
    return pd.DataFrame(
        {
            "Cycle": [f"PDSA {int(n)}" for n in cycles["number"]],
            "Change tested": [_words(t) for t in cycles["title"]],
            "Start date": [_words(d) for d in cycles["start_date"]],
            "End date": [_words(d) for d in cycles["end_date"]],
            "Decision": [DECISION_WORDS.get(str(d), _words(d)) for d in cycles["act_decision"]],
            "Last changed by": [_words(u) for u in cycles["entered_by"]],
        }
    )


def readable_history(audit: pd.DataFrame) -> pd.DataFrame:
    """A project's history (:meth:`ProjectStore.audit_log`) with words for records and fields."""

    def word(field: Any, value: Any) -> str:
        text = _words(value)
        return DECISION_WORDS.get(text, text) if field == "act_decision" else text

    return pd.DataFrame(
        {
            "When (UTC)": [_when(t) for t in audit["at"]],
            "Who": [_words(u) for u in audit["user"]],
            "Record": [
                f"{_RECORD_WORDS.get(str(t), str(t))} {int(i)}"
                for t, i in zip(audit["table"], audit["row_id"], strict=True)
            ],
            "What changed": [FIELD_WORDS.get(str(f), str(f)) for f in audit["field"]],
            "Before": [word(f, v) for f, v in zip(audit["field"], audit["old"], strict=True)],
            "After": [word(f, v) for f, v in zip(audit["field"], audit["new"], strict=True)],
        }
    )


# --------------------------------------------------------------------------- team workspaces

#: Environment variable naming a team whose workspace opens first (empty: the shared store).
TEAM_ENV_VAR = "PHCPM_PDSA_TEAM"
#: Longest workspace name (slug) made from a team name, in characters.
TEAM_SLUG_MAX = 48
_HASH_LENGTH = 8
_WORD = re.compile(r"[^\W_]+")
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")


def _ascii(text: str) -> str:
    """``text`` without accents and without what has no ASCII form (NFKD, then ASCII only)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def team_slug(team: Any) -> str:
    """The workspace name for a team name: a safe file-name part, never empty.

    Convention: the name is put in Unicode compatibility form and case-folded
    (NFKC and full case folding: Unicode Standard Annex #15, *Unicode
    Normalization Forms*, and the Unicode Standard, section 3.13, Unicode
    Consortium), its runs of letters and digits are joined with hyphens, and
    accents are taken off (NFKD, keeping the ASCII letters: "Équipe" becomes
    "equipe"). The result has only lower-case ``a-z``, digits and single
    hyphens, no hyphen at either end, at most :data:`TEAM_SLUG_MAX` characters,
    so it can never name a folder, climb out of one (``..``) or be empty.

    Two names that differ only in case, spacing, punctuation or accents give
    the same workspace ("Ruvo District Team" and "ruvo-district team"). When a
    letter has no ASCII form (for example a name in Cyrillic, Ge'ez or Arabic
    script) or the name is too long, the first 8 hexadecimal digits of the
    SHA-256 digest (NIST FIPS 180-4, 2015) of the joined runs are added, so
    different names of that kind still get different workspaces.

    A name with no letter or digit at all is refused with :class:`InputError`;
    an empty name is refused too (the shared store has no team name: see
    :func:`team_store_path`).
    """
    text = "" if team is None else str(team)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    words = "-".join(_WORD.findall(folded))
    if not words:
        if not text.strip():
            raise InputError(
                "The team name is empty",
                todo="Type the team's name, for example Ruvo district team",
            )
        raise InputError(
            f"The team name '{text.strip()}' has no letter or digit",
            todo="Type the team's name with letters, for example Ruvo district team",
        )
    ascii_words = _NOT_ASCII_WORD.sub("-", _ascii(words).lower()).strip("-")
    lost = any(not _ascii(ch) for ch in words if ch != "-")
    if not lost and len(ascii_words) <= TEAM_SLUG_MAX:
        return ascii_words
    digest = hashlib.sha256(words.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    keep = TEAM_SLUG_MAX - _HASH_LENGTH - 1
    start = ascii_words[:keep].rstrip("-") or "team"
    return f"{start}-{digest}"


def default_store_path() -> Path:
    """The shared project file: ``PHCPM_PDSA_DB`` if set, else ``~/.phcpm/pdsa_projects.sqlite``.

    The same rule :class:`ProjectStore` follows when it is given no path.
    """
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def team_store_path(team: Any, default: str | os.PathLike[str] | None = None) -> Path:
    """The project file of a team's workspace, next to the shared file ``default``.

    ``default`` is the shared project file (by default :func:`default_store_path`).
    An empty or blank ``team`` gives ``default`` itself, so a single user, or a
    group that works on shared projects, keeps using the one file as before.
    Otherwise the file is in the same folder, named ``<stem>-<slug><suffix>``
    (``pdsa_projects-ruvo-district-team.sqlite``), where the slug is
    :func:`team_slug`; a file with no suffix gets ``.sqlite``. The file is not
    created here: :class:`ProjectStore` creates it when it is first opened.
    """
    base = Path(default) if default is not None else default_store_path()
    if team is None or not str(team).strip():
        return base
    return base.with_name(f"{base.stem}-{team_slug(team)}{base.suffix or '.sqlite'}")


def default_team() -> str:
    """The team named by ``PHCPM_PDSA_TEAM`` (surrounding spaces removed), or empty text."""
    return os.environ.get(TEAM_ENV_VAR, "").strip()


# --------------------------------------------------------------------------- access codes

#: Shortest access code a team may choose, in characters.
ACCESS_CODE_MIN = 8
#: scrypt cost parameters (RFC 7914, section 2): N = 2**15, r = 8, p = 1 uses 32 MiB.
_SCRYPT_LOG_N, _SCRYPT_R, _SCRYPT_P = 15, 8, 1
_SALT_BYTES = 16
_KEY_BYTES = 32


def _scrypt(code: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        unicodedata.normalize("NFC", code).encode("utf-8"),
        salt=salt,
        n=2**log_n,
        r=r,
        p=p,
        maxmem=256 * r * 2**log_n,
        dklen=_KEY_BYTES,
    )


def hash_access_code(code: str, *, salt: bytes | None = None) -> str:
    """The stored form of a team's access code: ``scrypt$logN$r$p$salt$key``.

    The code is put in Unicode NFC form and derived with scrypt (Percival C &
    Josefsson S, *The scrypt Password-Based Key Derivation Function*, RFC 7914,
    IETF 2016) at N = 2**15, r = 8, p = 1 with a random 16-byte salt
    (:func:`os.urandom`), so the same code gives a different stored text each
    time and the code itself is never kept. Salt and key are base64 text.
    A code shorter than :data:`ACCESS_CODE_MIN` characters is refused.
    """
    text = "" if code is None else str(code)
    if len(text.strip()) < ACCESS_CODE_MIN:
        raise InputError(
            f"The access code is too short ({len(text.strip())} characters)",
            todo=f"Choose a code of at least {ACCESS_CODE_MIN} characters, for example four "
            "words the team will remember",
        )
    salt = os.urandom(_SALT_BYTES) if salt is None else bytes(salt)
    key = _scrypt(text, salt, _SCRYPT_LOG_N, _SCRYPT_R, _SCRYPT_P)
    parts = [
        "scrypt",
        str(_SCRYPT_LOG_N),
        str(_SCRYPT_R),
        str(_SCRYPT_P),
        base64.b64encode(salt).decode("ascii"),
        base64.b64encode(key).decode("ascii"),
    ]
    return "$".join(parts)


def access_code_matches(code: str, stored: str) -> bool:
    """Whether ``code`` is the access code whose stored form is ``stored``.

    The comparison takes the same time wherever the keys differ
    (:func:`hmac.compare_digest`). A stored text this tool cannot read gives
    False, never an error.
    """
    try:
        scheme, log_n, r, p, salt, key = str(stored).split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key, validate=True)
        found = _scrypt(
            "" if code is None else str(code),
            base64.b64decode(salt, validate=True),
            int(log_n),
            int(r),
            int(p),
        )
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(found, expected)
