"""The process table and its checks: which steps there are, who does them and what comes next.

:class:`ProcessMap` reads a table of steps (one row per step: id, label, lane, kind,
next), checks it and keeps its steps and arrows; :func:`describe` writes the map in
words, a text alternative to the drawing. The kinds of step are the usual flowchart
symbols (Institute for Healthcare Improvement, *Flowchart* tool, 2017; Langley et al.,
*The Improvement Guide*, 2nd ed., 2009): an oval (terminator) for the start and the
end, a rectangle for a step, a diamond for a decision and a "D" shape for a wait.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from phcpm.errors import InputError, require_columns

__all__ = [
    "KINDS",
    "REQUIRED_COLUMNS",
    "ProcessMap",
    "describe",
]

#: Kinds of step a process table may use, with the symbol drawn for each.
KINDS: dict[str, str] = {
    "start": "oval (terminator)",
    "step": "rectangle",
    "decision": "diamond",
    "wait": "D shape (delay)",
    "end": "oval (terminator)",
}
REQUIRED_COLUMNS = ("step_id", "label", "lane", "kind", "next")


# --------------------------------------------------------------------------- reading


def _split(cell: object) -> list[str]:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA:
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def _clean(cell: object) -> str:
    if cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return str(cell).strip()


@dataclass(frozen=True)
class ProcessMap:
    """A checked process: its steps (one row each) and its arrows (one row each).

    ``steps`` has columns step_id, label, lane, kind; ``edges`` has source, target and
    label (the branch label after a decision, empty otherwise). Build one with
    :meth:`from_table`.
    """

    steps: pd.DataFrame
    edges: pd.DataFrame

    @classmethod
    def from_table(cls, df: pd.DataFrame) -> ProcessMap:
        """Check a steps table and build the map.

        The table needs the columns step_id, label, lane, kind (start, step, decision,
        wait or end) and next (the ids of the next steps, separated by ';'); an optional
        next_labels column gives the branch labels after a decision, in the same order.
        Rules: ids are unique and filled; every kind is known; every next id exists;
        there is exactly one start; every step can be reached from the start; an end can
        be reached; a decision has at least two branches, each labelled; an end has no
        next step; every other step has one.
        Raises :class:`InputError` naming the step at fault.


        >>> import pandas as pd
        >>> table = pd.DataFrame({
        ...     "step_id": ["S1", "S2", "S3"],
        ...     "label": ["Arrives", "Registers", "Leaves"],
        ...     "lane": ["Patient", "Clerk", "Patient"],
        ...     "kind": ["start", "step", "end"],
        ...     "next": ["S2", "S3", ""],
        ... })
        >>> pmap = ProcessMap.from_table(table)
        >>> pmap.start, pmap.lanes
        ('S1', ['Patient', 'Clerk'])"""
        if not isinstance(df, pd.DataFrame) or df.empty:
            raise InputError(
                "The process table is empty",
                todo="Give one row per step with the columns " + ", ".join(REQUIRED_COLUMNS),
            )
        # headings are matched without regard to case or spaces around them
        named = df.rename(columns=lambda c: str(c).strip().lower())
        named = named.loc[:, ~named.columns.duplicated(keep="last")]
        require_columns(
            named,
            REQUIRED_COLUMNS,
            "the process table",
            todo="Name the columns " + ", ".join(REQUIRED_COLUMNS) + " (and next_labels)",
        )
        get = {name: named[name] for name in REQUIRED_COLUMNS}
        labels_col = named["next_labels"] if "next_labels" in named.columns else None
        ids = [_clean(v) for v in get["step_id"]]
        rows = []
        edges = []
        for i, sid in enumerate(ids):
            where = f"row {i + 2} of the table"
            if not sid:
                raise InputError("A step has no id", where=where, todo="Give every step an id")
            kind = _clean(get["kind"].iloc[i]).lower()
            if kind not in KINDS:
                raise InputError(
                    f"Step {sid} has the kind '{kind}', which is not known",
                    where=where,
                    todo="Use one of: " + ", ".join(KINDS),
                )
            label = _clean(get["label"].iloc[i]) or sid
            lane = _clean(get["lane"].iloc[i])
            if not lane:
                raise InputError(
                    f"Step {sid} has no lane (who does it)",
                    where=where,
                    todo="Write the role that does this step, for example 'Nurse'",
                )
            nxt = _split(get["next"].iloc[i])
            branch = _split(labels_col.iloc[i]) if labels_col is not None else []
            if kind == "end" and nxt:
                raise InputError(
                    f"Step {sid} is an end but has next steps ({'; '.join(nxt)})",
                    where=where,
                    todo="Leave 'next' empty for an end, or change its kind to 'step'",
                )
            if kind != "end" and not nxt:
                raise InputError(
                    f"Step {sid} ('{label}') leads nowhere",
                    where=where,
                    todo="Choose the step that comes next (in a file: its id in the column "
                    "'next'), or make this step an end",
                )
            if kind == "decision":
                if len(nxt) < 2:
                    raise InputError(
                        f"Decision {sid} ('{label}') has only one branch",
                        where=where,
                        todo="A decision needs two or more next steps, for example 'S7;S8'",
                    )
                if len(branch) != len(nxt):
                    raise InputError(
                        f"Decision {sid} ('{label}') has {len(nxt)} branches but "
                        f"{len(branch)} branch labels",
                        where=where,
                        todo="Write an answer for each branch (in a file: in the column "
                        "next_labels, for example 'yes;no')",
                    )
            rows.append({"step_id": sid, "label": label, "lane": lane, "kind": kind})
            for j, target in enumerate(nxt):
                text = branch[j] if kind == "decision" or len(branch) == len(nxt) else ""
                edges.append({"source": sid, "target": target, "label": text})
        seen: set[str] = set()
        for i, sid in enumerate(ids):
            if sid in seen:
                raise InputError(
                    f"The step id {sid} is used twice",
                    where=f"row {i + 2} of the table",
                    todo="Give each step its own id",
                )
            seen.add(sid)
        for e in edges:
            if e["target"] not in seen:
                raise InputError(
                    f"Step {e['source']} leads to {e['target']}, which is not in the table",
                    todo=f"Add a step {e['target']} or correct the 'next' of step {e['source']}",
                )
        starts = [r["step_id"] for r in rows if r["kind"] == "start"]
        if len(starts) != 1:
            raise InputError(
                f"The process has {len(starts)} start steps"
                + (f" ({', '.join(starts)})" if starts else ""),
                todo="Make exactly one step a start",
            )
        graph = {r["step_id"]: [] for r in rows}
        for e in edges:
            graph[e["source"]].append(e["target"])
        reached = _reachable(graph, starts[0])
        unreached = [sid for sid in ids if sid not in reached]
        if unreached:
            raise InputError(
                "These steps cannot be reached from the start: " + ", ".join(unreached),
                todo="Choose them as the next step of another step, or remove them",
            )
        kinds = {r["step_id"]: r["kind"] for r in rows}
        if not any(kinds[s] == "end" for s in reached):
            raise InputError(
                "No end can be reached from the start",
                todo="Add a step of the kind 'end' and make it the next step of the last one",
            )
        steps = pd.DataFrame(rows, columns=["step_id", "label", "lane", "kind"])
        edge_df = pd.DataFrame(edges, columns=["source", "target", "label"])
        return cls(steps=steps, edges=edge_df)

    @property
    def start(self) -> str:
        return str(self.steps.loc[self.steps["kind"] == "start", "step_id"].iloc[0])

    @property
    def lanes(self) -> list[str]:
        """Lanes in the order they first appear in the table."""
        return list(dict.fromkeys(self.steps["lane"]))


def _reachable(graph: Mapping[str, Sequence[str]], start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for nxt in graph[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def describe(pmap: ProcessMap) -> str:
    """The process as plain text, one line per step: a text alternative to the drawing.


    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "step_id": ["S1", "S2", "S3"],
    ...     "label": ["Arrives", "Registers", "Leaves"],
    ...     "lane": ["Patient", "Clerk", "Patient"],
    ...     "kind": ["start", "step", "end"],
    ...     "next": ["S2", "S3", ""],
    ... })
    >>> print(describe(ProcessMap.from_table(table)))
    1. Start (Patient): Arrives [S1] then go to S2.
    2. Step (Clerk): Registers [S2] then go to S3.
    3. End (Patient): Leaves [S3]."""
    nxt = pmap.edges.groupby("source", sort=False)
    lines = []
    for n, row in enumerate(pmap.steps.itertuples(index=False), start=1):
        kind = {"start": "Start", "end": "End", "decision": "Decision", "wait": "Wait"}.get(
            row.kind, "Step"
        )
        text = f"{n}. {kind} ({row.lane}): {row.label}"
        if row.step_id in nxt.groups:
            out = nxt.get_group(row.step_id)
            targets = [
                (f"if {lab}, " if lab else "") + f"go to {tgt}"
                for tgt, lab in zip(out["target"], out["label"], strict=True)
            ]
            text += f" [{row.step_id}] then " + "; ".join(targets) + "."
        else:
            text += f" [{row.step_id}]."
        lines.append(text)
    return "\n".join(lines)
