"""The table of steps as a manager edits it: one row per step, drop-down lists for the next step.

:func:`steps_rows` turns a checked steps table into editor rows, :func:`steps_table`
turns editor rows back into the table :meth:`~phcpm.process.ProcessMap.from_table`
reads, and :func:`editor_row`, :func:`next_step_choices`, :func:`lanes_in_use` and
:func:`new_step_id` are the small rules the editor follows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from phcpm.errors import InputError
from phcpm.process.maps import ProcessMap, _clean

__all__ = [
    "KIND_WORDS",
    "EDITOR_BRANCHES",
    "STEP_COLUMNS",
    "steps_rows",
    "steps_table",
    "new_step_id",
    "editor_row",
    "next_step_choices",
    "lanes_in_use",
]

# --------------------------------------------------------------------------- editing the steps

#: Words for each kind of step, as the table editor offers them.
KIND_WORDS: dict[str, str] = {
    "start": "Start",
    "step": "Work done",
    "decision": "Question (two answers)",
    "wait": "Waiting",
    "end": "End",
}
#: Answers a question step has in the table editor.
EDITOR_BRANCHES = 2
STEP_COLUMNS = ("step_id", "label", "lane", "kind", "next", "next_labels")


def steps_rows(table: pd.DataFrame) -> list[dict]:
    """A steps table (the CSV layout of :meth:`ProcessMap.from_table`) as editor rows.

    Each row is a dict: ``step_id``, ``label``, ``lane``, ``kind``, ``next`` (a
    list of step ids) and ``answers`` (the branch labels, as many as ``next``
    for a question). Headings are matched without regard to case; the map is
    checked with :meth:`ProcessMap.from_table` first, so only a valid map is
    loaded. A question with more than :data:`EDITOR_BRANCHES` answers is
    refused, naming the step: the editor shows two.


    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "step_id": ["S1", "S2", "S3"],
    ...     "label": ["Arrives", "Registers", "Leaves"],
    ...     "lane": ["Patient", "Clerk", "Patient"],
    ...     "kind": ["start", "step", "end"],
    ...     "next": ["S2", "S3", ""],
    ... })
    >>> [row["next"] for row in steps_rows(table)]
    [['S2'], ['S3'], []]"""
    pmap = ProcessMap.from_table(table)
    rows = []
    for step in pmap.steps.itertuples(index=False):
        out = pmap.edges[pmap.edges["source"] == step.step_id]
        if step.kind == "decision" and len(out) > EDITOR_BRANCHES:
            raise InputError(
                f"The question {step.step_id} ('{step.label}') has {len(out)} answers; the "
                f"table of steps takes {EDITOR_BRANCHES}",
                todo="Split it into two yes/no questions, one after the other",
            )
        rows.append(
            {
                "step_id": str(step.step_id),
                "label": str(step.label),
                "lane": str(step.lane),
                "kind": str(step.kind),
                "next": [str(t) for t in out["target"]],
                "answers": [str(a) for a in out["label"]] if step.kind == "decision" else [],
            }
        )
    return rows


def steps_table(rows: Sequence[Mapping]) -> pd.DataFrame:
    """Editor rows (see :func:`steps_rows`) as a steps table, ready for
    :meth:`ProcessMap.from_table` or to be saved as CSV. Empty next steps are
    left out; a question keeps its answers in the order of its next steps.


    >>> rows = [{"step_id": "S4", "label": "Sick?", "lane": "Nurse", "kind": "decision",
    ...          "next": ["S5", "S6"], "answers": ["yes", "no"]}]
    >>> steps_table(rows)[["next", "next_labels"]].iloc[0].tolist()
    ['S5;S6', 'yes;no']"""
    records = []
    for row in rows:
        pairs = list(zip(row.get("next") or [], row.get("answers") or [], strict=False))
        nxt = [str(t) for t in (row.get("next") or []) if str(t).strip()]
        if row.get("kind") == "decision":
            pairs = [(str(t), str(a).strip()) for t, a in pairs if str(t).strip()]
            nxt = [t for t, _ in pairs]
            labels = ";".join(a for _, a in pairs)
        else:
            labels = ""
        records.append(
            {
                "step_id": _clean(row.get("step_id")),
                "label": _clean(row.get("label")),
                "lane": _clean(row.get("lane")),
                "kind": _clean(row.get("kind")),
                "next": ";".join(nxt),
                "next_labels": labels,
            }
        )
    return pd.DataFrame(records, columns=list(STEP_COLUMNS))


def new_step_id(ids: Sequence[str]) -> str:
    """An id for a new step: ``S`` and the first number above those already used.


    >>> new_step_id(["S1", "S7", "lab"])
    'S8'"""
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(r"S(\d+)", str(i)))]
    return f"S{max(numbers, default=0) + 1}"


def editor_row(
    step_id: str,
    label: str,
    lane: str,
    kind: str,
    next_steps: Sequence[str] = (),
    answers: Sequence[str] = (),
) -> dict:
    """One editor row (see :func:`steps_rows`) from what the boxes of a step hold.

    An end has no next step; a question (kind ``decision``) keeps its first
    :data:`EDITOR_BRANCHES` next steps and their answers; any other step keeps
    only its first next step. Empty choices stay empty, so that
    :meth:`~phcpm.process.ProcessMap.from_table` can say which step leads nowhere.

    >>> editor_row("S2", "Triage", "Nurse", "step", ["S3", "S4"], ["yes", "no"])["next"]
    ['S3']
    >>> editor_row("S4", "Sick?", "Nurse", "decision", ["S5", "S6"], ["yes", "no"])["answers"]
    ['yes', 'no']
    >>> editor_row("S9", "Leaves", "Patient", "end", ["S1"])["next"]
    []
    """
    kind = _clean(kind)
    chosen = [_clean(t) for t in next_steps]
    if kind == "end":
        nxt: list[str] = []
    elif kind == "decision":
        nxt = (chosen + [""] * EDITOR_BRANCHES)[:EDITOR_BRANCHES]
    else:
        nxt = chosen[:1] or [""]
    words = [_clean(a) for a in answers]
    return {
        "step_id": _clean(step_id),
        "label": _clean(label),
        "lane": _clean(lane),
        "kind": kind,
        "next": nxt,
        "answers": (words + [""] * EDITOR_BRANCHES)[:EDITOR_BRANCHES] if kind == "decision" else [],
    }


def next_step_choices(rows: Sequence[Mapping]) -> list[tuple[str, str]]:
    """The steps a "next step" list offers, as (words shown, step id) pairs in table order.

    >>> next_step_choices([{"step_id": "S1", "label": "Arrives"}, {"step_id": "S2", "label": ""}])
    [('S1: Arrives', 'S1'), ('S2: (no name)', 'S2')]
    """
    return [
        (
            f"{_clean(r.get('step_id'))}: {_clean(r.get('label')) or '(no name)'}",
            _clean(r.get("step_id")),
        )
        for r in rows
    ]


def lanes_in_use(rows: Sequence[Mapping]) -> list[str]:
    """The lanes (roles) the rows name, once each, in the order they first appear.

    >>> lanes_in_use([{"lane": "Nurse"}, {"lane": " "}, {"lane": "Clerk"}, {"lane": "Nurse"}])
    ['Nurse', 'Clerk']
    """
    return list(dict.fromkeys(lane for r in rows if (lane := _clean(r.get("lane")))))
