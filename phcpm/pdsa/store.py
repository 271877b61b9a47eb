"""The project store: one SQLite file with projects, measures, values, cycles and history."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from phcpm.errors import InputError
from phcpm.pdsa.cycles import CycleRecords
from phcpm.pdsa.schema import SCHEMA_VERSION, create_tables
from phcpm.pdsa.tables import cell_text, role_words
from phcpm.pdsa.transfer import ProjectTransfer
from phcpm.pdsa.validate import (
    KINDS,
    MEASURE_FIELDS,
    PROJECT_FIELDS,
    ROLES,
    audit_text,
    clean_text,
    measure_direction,
    measure_role,
    now_utc,
    record_key,
    user_name,
)
from phcpm.pdsa.values import ValueRecords
from phcpm.pdsa.workspace import DEFAULT_PATH, ENV_VAR, access_code_matches, hash_access_code

__all__ = ["ProjectStore"]


# --------------------------------------------------------------------------- the store


class ProjectStore(ValueRecords, CycleRecords, ProjectTransfer):
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
    ) -> None:
        if path is None:
            path = os.environ.get(ENV_VAR) or DEFAULT_PATH
        self.path = Path(path)
        self._clock = clock or now_utc
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
        with self._write() as conn:
            create_tables(conn)

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
                (project_id, table, row_id, field, audit_text(old), audit_text(new), user, at)
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

    def _need_project(self, conn: sqlite3.Connection, project_id: int) -> None:
        """Refuse, inside a write, a project number that is not in the file."""
        rows = conn.execute("SELECT id FROM project WHERE id = ?", [project_id]).fetchall()
        self._one(rows, "project", project_id)

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
        name = clean_text(name, "project name", required=True)
        user = user_name(user)
        at = self._clock()
        created = clean_text(created, "creation time") or at
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO project (name, aim, team, created) VALUES (?, ?, ?, ?)",
                (name, clean_text(aim, "aim"), clean_text(team, "team"), created),
            )
            pid = int(cur.lastrowid)
            self._audit(conn, pid, "project", pid, [("created", None, name)], user, at)
        return pid

    def get_project(self, project_id: int) -> dict[str, Any]:
        """One project as a dict (``id, name, aim, team, created, version``)."""
        project_id = record_key(project_id)
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
        project_id = record_key(project_id)
        clean = {}
        for field, value in changes.items():
            if field not in PROJECT_FIELDS:
                raise InputError(f"A project has no field called '{field}'")
            clean[field] = clean_text(value, field, required=field == "name")
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
        higher_is_better: bool | str | None = True,
        definition: str = "",
        role: str = "",
    ) -> int:
        """Add a measure to a project; returns its id.

        ``higher_is_better`` says which way is better: True or "higher", False
        or "lower" (:func:`measure_direction`); ``None`` (not chosen) is refused.
        ``definition`` is the operational definition: exactly what is counted,
        from which register, by whom (Provost & Murray 2011, chapter 2).
        ``role`` is its place in the family of measures (:data:`ROLES`), or ""
        when not stated.
        """
        project_id = record_key(project_id)
        name = clean_text(name, "measure name", required=True)
        kind = clean_text(kind, "kind of measure").lower()
        if kind not in KINDS:
            raise InputError(
                f"'{kind}' is not a kind of measure",
                todo="Choose proportion (numerator out of denominator), count or measurement",
            )
        role = measure_role(role)
        higher = measure_direction(higher_is_better)
        definition = clean_text(definition, "definition")
        user = user_name(user)
        at = self._clock()
        with self._write() as conn:
            self._need_project(conn, project_id)
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
                    clean_text(unit, "unit"),
                    int(higher),
                    definition,
                    role,
                ),
            )
            mid = int(cur.lastrowid)
            self._audit(conn, project_id, "measure", mid, [("created", None, name)], user, at)
        return mid

    def get_measure(self, measure_id: int) -> dict[str, Any]:
        measure_id = record_key(measure_id)
        rows = self._read("SELECT * FROM measure WHERE id = ?", [measure_id])
        row = self._one(rows, "measure", measure_id)
        row["higher_is_better"] = bool(row["higher_is_better"])
        return row

    def list_measures(self, project_id: int) -> pd.DataFrame:
        project_id = record_key(project_id)
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
        chapter 2). Columns in words: role, measure, kind, unit, direction ("Better
        when": higher or lower), how it is counted (the operational definition), and
        how many periods have a result and the latest of them.
        """
        measures = self.list_measures(project_id)
        counts = self._frame(
            "SELECT v.measure_id, COUNT(*), MAX(v.period) FROM value v "
            "JOIN measure m ON v.measure_id = m.id WHERE m.project_id = ? GROUP BY v.measure_id",
            [record_key(project_id)],
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
                "How it is counted": [cell_text(d) for d in data["definition"]],
                "Periods entered": [int(n) if n == n else 0 for n in data["periods"]],
                "Latest period": [cell_text(t) for t in data["latest"]],
            }
        )

    def update_measure(
        self, measure_id: int, *, expected_version: int, user: str, **changes: Any
    ) -> int:
        """Change a measure's name, role, unit, direction or definition.

        Its kind can change only while it has no values.
        """
        measure_id = record_key(measure_id)
        current = self.get_measure(measure_id)
        clean: dict[str, Any] = {}
        for field, value in changes.items():
            if field not in MEASURE_FIELDS:
                raise InputError(f"A measure has no field called '{field}'")
            if field == "higher_is_better":
                clean[field] = int(measure_direction(value))
            elif field == "kind":
                kind = clean_text(value, "kind").lower()
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
                clean[field] = measure_role(value)
            else:
                clean[field] = clean_text(value, field, required=field == "name")
        return self._update("measure", measure_id, expected_version, user, clean)

    def _update(
        self, table: str, row_id: int, expected_version: int, user: str, clean: dict[str, Any]
    ) -> int:
        """Optimistic update of ``table`` row ``row_id``; returns the new version."""
        user = user_name(user)
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
        project_id = record_key(project_id)
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
