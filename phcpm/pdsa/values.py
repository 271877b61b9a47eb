"""Results of measures for periods: the part of :class:`ProjectStore` that enters and reads them."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from phcpm.errors import InputError
from phcpm.pdsa.schema import VALUE_COLUMNS
from phcpm.pdsa.validate import (
    check_period,
    check_value,
    clean_text,
    number_text,
    record_key,
    user_name,
)

__all__ = ["ValueRecords"]


class ValueRecords:
    """Entering and reading the results of measures (mixed into :class:`ProjectStore`)."""

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
        measure_id = record_key(measure_id)
        user = user_name(user)
        start = check_period(period, today)
        comment = clean_text(comment, "comment")
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
        measure_id = record_key(measure_id)
        user = user_name(user)
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
                comment = clean_text(row.get("comment"), "comment")
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
            return f"{number_text(row['numerator'])} out of {number_text(row['denominator'])}"
        return number_text(row["value"])

    def values(self, measure_id: int) -> pd.DataFrame:
        """Every entry for one measure with who entered it and when, by period."""
        measure_id = record_key(measure_id)
        cols = ["id", *VALUE_COLUMNS, "version"]
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
        measure_id = record_key(measure_id)
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
