"""Process maps, patient-flow times and a simple queue model for a health facility.

Three tools for the manager's question "where do patients lose their time, and what
would help?", one module per idea:

- :mod:`phcpm.process.maps`: :class:`ProcessMap` reads a table of steps (who does
  what, and what comes next) and checks it; :func:`describe` writes it in words.
- :mod:`phcpm.process.editor`: the table of steps as the tool edits it.
- :mod:`phcpm.process.positions`: :func:`layout` puts the steps in swimlanes.
- :mod:`phcpm.process.drawing`: :func:`render_svg`, :func:`render_matplotlib` and
  :func:`to_png` draw the map with the usual flowchart symbols.
- :mod:`phcpm.process.times`: :func:`step_times` turns time-and-motion stamps into
  waiting and service minutes, the bottleneck and the value-added share.
- :mod:`phcpm.process.queues`: :func:`simulate_queue`, :func:`erlang_c_wait` and
  :func:`what_if` ("what if this step had one more nurse?").
- :mod:`phcpm.process.lists`: the cause lists of the fishbone and Pareto chart as text.

Everything here is pure Python, numpy and pandas (matplotlib only inside
:func:`render_matplotlib`): no graphviz or other drawing program is needed. Every
name is importable from ``phcpm.process`` itself.
"""

from __future__ import annotations

from phcpm.process.drawing import (
    WAIT_BREAKS,
    WAIT_SCALE,
    render_matplotlib,
    render_svg,
    to_png,
    wait_colour,
)
from phcpm.process.editor import (
    EDITOR_BRANCHES,
    KIND_WORDS,
    STEP_COLUMNS,
    editor_row,
    lanes_in_use,
    new_step_id,
    next_step_choices,
    steps_rows,
    steps_table,
)
from phcpm.process.lists import cause_lists, pareto_lines
from phcpm.process.maps import KINDS, REQUIRED_COLUMNS, ProcessMap, describe
from phcpm.process.positions import (
    BOX_HEIGHT,
    BOX_WIDTH,
    COL_WIDTH,
    FONT_SIZE,
    LANE_HEIGHT,
    LANE_LABEL_WIDTH,
    MARGIN,
    WRAP,
    Layout,
    layout,
)
from phcpm.process.queues import WhatIf, erlang_c_wait, simulate_queue, what_if
from phcpm.process.times import (
    DEFAULT_STEPS,
    StepTimes,
    facility_choices,
    flow_for_facility,
    match_wait_steps,
    step_times,
    times_findings,
    wait_minutes_on_map,
)

__all__ = [
    "BOX_HEIGHT",
    "BOX_WIDTH",
    "COL_WIDTH",
    "DEFAULT_STEPS",
    "EDITOR_BRANCHES",
    "FONT_SIZE",
    "KINDS",
    "KIND_WORDS",
    "LANE_HEIGHT",
    "LANE_LABEL_WIDTH",
    "MARGIN",
    "REQUIRED_COLUMNS",
    "STEP_COLUMNS",
    "WAIT_BREAKS",
    "WAIT_SCALE",
    "WRAP",
    "Layout",
    "ProcessMap",
    "StepTimes",
    "WhatIf",
    "cause_lists",
    "describe",
    "editor_row",
    "erlang_c_wait",
    "facility_choices",
    "flow_for_facility",
    "lanes_in_use",
    "layout",
    "match_wait_steps",
    "new_step_id",
    "next_step_choices",
    "pareto_lines",
    "render_matplotlib",
    "render_svg",
    "simulate_queue",
    "step_times",
    "steps_rows",
    "steps_table",
    "times_findings",
    "to_png",
    "wait_colour",
    "wait_minutes_on_map",
    "what_if",
]
