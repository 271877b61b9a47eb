"""A project as a JSON file or a printable page, and back (Excel: :mod:`phcpm.pdsa.transfer_excel`)."""

from __future__ import annotations

import base64
import html
import json
from datetime import date
from typing import Any

import pandas as pd

from phcpm.errors import InputError
from phcpm.pdsa.tables import (
    DECISION_WORDS,
    FIELD_WORDS,
    cell_text,
    measure_notes,
    measure_title,
    readable_values,
    utc_minute,
)
from phcpm.pdsa.transfer_excel import ExcelTransfer
from phcpm.pdsa.validate import (
    CYCLE_FIELDS,
    CYCLE_TEXT_FIELDS,
    KINDS,
    audit_text,
    check_dates,
    check_period,
    check_value,
    clean_text,
    cycle_decision,
    measure_direction,
    measure_role,
    read_date,
    record_key,
    user_name,
)

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "ProjectTransfer"]


FORMAT_NAME = "phcpm-pdsa-project"
FORMAT_VERSION = 1


class ProjectTransfer(ExcelTransfer):
    """Export and import of whole projects (mixed into :class:`ProjectStore`)."""

    def _export_dict(self, project_id: int) -> dict[str, Any]:
        project_id = record_key(project_id)
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
            parts.extend(f"<p>{esc(sentence)}</p>" for sentence in measure_notes(measure))
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
                d for d in (cell_text(cycle["start_date"]), cell_text(cycle["end_date"])) if d
            )
            parts.append(
                f"<section><h3>PDSA {int(cycle['number'])}: {esc(cell_text(cycle['title']))}</h3>"
                + (f"<p>{esc(dates)}</p>" if dates else "")
                + "<dl>"
            )
            for field in CYCLE_TEXT_FIELDS[1:]:
                if field == "act_next_steps":
                    decision = DECISION_WORDS.get(cycle["act_decision"], cycle["act_decision"])
                    parts.append(f"<dt>Act: decision</dt><dd>{esc(decision)}</dd>")
                parts.append(
                    f"<dt>{esc(FIELD_WORDS[field])}</dt><dd>{esc(cell_text(cycle[field]))}</dd>"
                )
            parts.append(
                f"<dt>Last changed by</dt><dd>{esc(cell_text(cycle['entered_by']))}, "
                f"{esc(utc_minute(cycle['updated_at']))} (UTC)</dd></dl></section>"
            )
        parts.append("</body></html>")
        return "".join(parts)

    def import_file(self, data: bytes, name: str = "", *, today: date | None = None) -> int:
        """Add the project in a file this tool saved; returns the new project's id.

        An Excel workbook (name ending in ``.xlsx``, or content that starts
        as a zip file does) goes to :meth:`import_excel`; anything else is read
        as a backup file (:meth:`import_json`).
        """
        if name.lower().endswith(".xlsx") or bytes(data[:2]) == b"PK":
            return self.import_excel(data, today=today)
        return self.import_json(data, today=today)

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
        name = clean_text(
            need(project, "name", f"{source}, project"), "project name", required=True
        )
        created = clean_text(need(project, "created", f"{source}, project"), "creation time")
        measures: dict[Any, dict[str, Any]] = {}
        for i, m in enumerate(parts["measures"], start=1):
            where = f"{source}, measure {i}"
            key = need(m, "key", where)
            if key in measures:
                raise InputError(f"Two measures have the key {key}", where=where)
            kind = clean_text(need(m, "kind", where), "kind").lower()
            if kind not in KINDS:
                raise InputError(
                    f"'{kind}' is not a kind of measure",
                    where=where,
                    todo="Use proportion, count or measurement",
                )
            hib = measure_direction(need(m, "higher_is_better", where), where)
            mname = clean_text(need(m, "name", where), "measure name", required=True)
            if any(other["name"] == mname for other in measures.values()):
                raise InputError(f"Two measures are called '{mname}'", where=where)
            measures[key] = {
                "name": mname,
                "kind": kind,
                "role": measure_role(m.get("role"), where),
                "unit": clean_text(m.get("unit"), "unit"),
                "higher_is_better": int(hib),
                "definition": clean_text(m.get("definition"), "definition"),
            }
        values = []
        seen_periods: set[tuple[Any, str]] = set()
        for i, v in enumerate(parts["values"], start=1):
            where = f"{source}, value {i}"
            key = need(v, "measure", where)
            if key not in measures:
                raise InputError(f"The value refers to measure {key}, which is not there", where)
            period = need(v, "period", where)
            try:
                start = check_period(period, today)
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
                    user_name(v.get("entered_by")),
                    clean_text(need(v, "entered_at", where), "entry time", required=True),
                    clean_text(v.get("comment"), "comment"),
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
            text = {f: clean_text(c.get(f), f.replace("_", " ")) for f in CYCLE_TEXT_FIELDS}
            if not text["title"]:
                raise InputError("A cycle has no title", where=where)
            try:
                start = read_date(c.get("start_date"), "start date")
                end = read_date(c.get("end_date"), "end date")
                decision = cycle_decision(c.get("act_decision"))
            except InputError as error:
                raise InputError(error.what, where=where, todo=error.todo) from None
            check_dates(start, end, where)
            cycles.append(
                (
                    number,
                    text,
                    decision,
                    start,
                    end,
                    user_name(c.get("entered_by")),
                    clean_text(need(c, "updated_at", where), "update time", required=True),
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
                    clean_text(need(a, "field", where), "field", required=True),
                    audit_text(a.get("old")),
                    audit_text(a.get("new")),
                    user_name(a.get("user")),
                    clean_text(need(a, "at", where), "time", required=True),
                )
            )

        with self._write() as conn:
            pid = int(
                conn.execute(
                    "INSERT INTO project (name, aim, team, created) VALUES (?, ?, ?, ?)",
                    (
                        name,
                        clean_text(project.get("aim"), "aim"),
                        clean_text(project.get("team"), "team"),
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
