"""The tables of a project file and how an older file is brought up to date."""

from __future__ import annotations

import sqlite3

__all__ = ["SCHEMA_VERSION", "VALUE_COLUMNS", "create_tables"]


SCHEMA_VERSION = 3

#: The columns of a stored value that an export carries (the table adds ``id``,
#: ``measure_id`` and ``version``).
VALUE_COLUMNS = (
    "period",
    "numerator",
    "denominator",
    "value",
    "entered_by",
    "entered_at",
    "comment",
)
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


def create_tables(conn: sqlite3.Connection) -> None:
    """Create the tables of a project file, or bring an older file up to date.

    Runs inside the caller's write transaction. Every statement is
    ``CREATE ... IF NOT EXISTS``, so running them all also brings a file of an
    older version up to date (version 2 added the ``setting`` table); version 3
    added the measure's role, which older measures get as "" (not stated).
    """
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
