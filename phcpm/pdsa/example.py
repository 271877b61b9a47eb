"""The worked example project: Pezali Lake Health Centre's malaria testing project."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd

from phcpm.errors import InputError
from phcpm.pdsa.store import ProjectStore
from phcpm.pdsa.transfer import FORMAT_NAME, FORMAT_VERSION
from phcpm.pdsa.validate import (
    CYCLE_TEXT_FIELDS,
    ROLES,
    check_value,
    number_text,
)

__all__ = [
    "EXAMPLE_USER",
    "EXAMPLE_AIM",
    "EXAMPLE_TEAM",
    "EXAMPLE_MEASURE",
    "EXAMPLE_DEFINITION",
    "EXAMPLE_FAMILY",
    "example_project_data",
    "load_example_project",
]


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
            "new": f"{v['period']}: {number_text(v['numerator'])} out of "
            f"{number_text(v['denominator'])}"
            if v["numerator"] is not None
            else f"{v['period']}: {number_text(v['value'])}",
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
