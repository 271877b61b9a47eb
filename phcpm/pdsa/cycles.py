"""PDSA cycles: the part of :class:`ProjectStore` that keeps them and notes them on a run chart."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd

from phcpm.errors import InputError
from phcpm.pdsa.validate import (
    CYCLE_FIELDS,
    CYCLE_TEXT_FIELDS,
    check_dates,
    clean_text,
    cycle_decision,
    read_date,
    record_key,
    user_name,
)

__all__ = ["CycleRecords"]


class CycleRecords:
    """PDSA cycles of a project (mixed into :class:`ProjectStore`)."""

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
        project_id = record_key(project_id)
        user = user_name(user)
        for field in fields:
            if field not in CYCLE_TEXT_FIELDS:
                raise InputError(f"A PDSA cycle has no field called '{field}'")
        text = {f: clean_text(fields.get(f), f.replace("_", " ")) for f in CYCLE_TEXT_FIELDS}
        text["title"] = clean_text(title, "cycle title", required=True)
        start = read_date(start_date, "start date")
        end = read_date(end_date, "end date")
        check_dates(start, end, f"cycle '{text['title']}'")
        decision = cycle_decision(act_decision)
        at = self._clock()
        with self._write() as conn:
            self._need_project(conn, project_id)
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
        cycle_id = record_key(cycle_id)
        rows = self._read("SELECT * FROM cycle WHERE id = ?", [cycle_id])
        return self._one(rows, "PDSA cycle", cycle_id)

    def list_cycles(self, project_id: int) -> pd.DataFrame:
        """All cycles of a project in number order, every worksheet field."""
        project_id = record_key(project_id)
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
        cycle_id = record_key(cycle_id)
        current = self.get_cycle(cycle_id)
        clean: dict[str, Any] = {}
        for field, value in changes.items():
            if field in CYCLE_TEXT_FIELDS:
                clean[field] = clean_text(value, field.replace("_", " "), required=field == "title")
            elif field == "act_decision":
                clean[field] = cycle_decision(value)
            elif field in ("start_date", "end_date"):
                day = read_date(value, field.replace("_", " "))
                clean[field] = day.isoformat() if day else None
            else:
                raise InputError(f"A PDSA cycle has no field called '{field}'")
        merged = {**current, **clean}
        check_dates(
            read_date(merged["start_date"], "start date"),
            read_date(merged["end_date"], "end date"),
            f"PDSA cycle {current['number']}",
        )
        self._update("cycle", cycle_id, expected_version, user, clean)
        return self.get_cycle(cycle_id)

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
        project_id = record_key(project_id)
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
