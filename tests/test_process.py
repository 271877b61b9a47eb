"""Tests for phcpm.process: process maps, step times and the queue model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phcpm import process
from phcpm.errors import InputError
from phcpm.paths import dataset_path

STEPS = pd.DataFrame(
    {
        "step_id": ["A", "B", "C", "D", "E"],
        "label": ["Arrives", "Waits", "Seen?", "Treated", "Leaves"],
        "lane": ["Patient", "Patient", "Nurse", "Nurse", "Patient"],
        "kind": ["start", "wait", "decision", "step", "end"],
        "next": ["B", "C", "D;E", "E", ""],
        "next_labels": ["", "", "yes;no", "", ""],
    }
)


def table(**changes):
    df = STEPS.copy()
    for col, (i, value) in changes.items():
        df.loc[i, col] = value
    return df


# --------------------------------------------------------------------------- maps


def test_reads_the_synthetic_process():
    pmap = process.ProcessMap.from_table(pd.read_csv(dataset_path("process_steps.csv")))
    assert len(pmap.steps) == 16
    assert pmap.start == "S1"
    assert pmap.lanes[0] == "Patient"
    assert set(pmap.edges.loc[pmap.edges["source"] == "S6", "label"]) == {"yes", "no"}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"step_id": (1, "A")}, "used twice"),
        ({"kind": (3, "task")}, "not known"),
        ({"next": (3, "Z")}, "not in the table"),
        ({"kind": (1, "start")}, "2 start steps"),
        ({"next_labels": (2, "yes")}, "branch labels"),
        ({"next": (2, "D"), "next_labels": (2, "yes")}, "only one branch"),
        ({"next": (4, "A")}, "is an end but has next steps"),
        ({"next": (3, "")}, "leads nowhere"),
        ({"lane": (3, "")}, "no lane"),
    ],
)
def test_bad_tables_are_explained(changes, words):
    with pytest.raises(InputError, match=words):
        process.ProcessMap.from_table(table(**changes))


def test_unreachable_step_is_named():
    extra = pd.concat(
        [STEPS, pd.DataFrame([["F", "Lost", "Nurse", "step", "E", ""]], columns=STEPS.columns)]
    )
    with pytest.raises(InputError, match="cannot be reached from the start: F"):
        process.ProcessMap.from_table(extra)


def test_no_reachable_end():
    df = table(kind=(4, "step"), next=(4, "D"))
    with pytest.raises(InputError, match="No end"):
        process.ProcessMap.from_table(df)


def test_missing_column():
    with pytest.raises(InputError, match=r"lacks the column\(s\) kind"):
        process.ProcessMap.from_table(STEPS.drop(columns="kind"))


def test_headings_match_without_case_or_spaces():
    shouted = STEPS.rename(columns=lambda c: f" {c.upper()} ")
    assert process.describe(process.ProcessMap.from_table(shouted)) == process.describe(
        process.ProcessMap.from_table(STEPS)
    )


def test_time_stamps_without_exit_name_the_column():
    flow = pd.read_csv(dataset_path("patient_flow.csv")).head(20).drop(columns="exit")
    with pytest.raises(InputError, match=r"lacks the column\(s\) exit"):
        process.step_times(flow)


def test_time_stamps_without_any_step_say_so():
    flow = pd.DataFrame({"arrival": ["2025-03-10 08:00"], "exit": ["2025-03-10 08:30"]})
    with pytest.raises(InputError, match="no column for a step"):
        process.step_times(flow)


def test_layout_columns_are_longest_paths_and_lanes_are_rows():
    lay = process.layout(process.ProcessMap.from_table(STEPS))
    col = dict(zip(lay.nodes["step_id"], lay.nodes["column"], strict=True))
    # E is reached by A-B-C-E (3 arrows) and A-B-C-D-E (4): the longest path wins
    assert col == {"A": 0, "B": 1, "C": 2, "D": 3, "E": 4}
    lane = dict(zip(lay.nodes["step_id"], lay.nodes["lane_index"], strict=True))
    assert lane == {"A": 0, "B": 0, "C": 1, "D": 1, "E": 0}
    # every arrow points right
    for pts in lay.edges["points"]:
        assert pts[-1][0] > pts[0][0]


def test_layout_is_deterministic_and_separates_same_cell():
    df = pd.DataFrame(
        {
            "step_id": ["s", "a", "b", "e"],
            "label": ["start", "a", "b", "end"],
            "lane": ["X", "Y", "Y", "X"],
            "kind": ["start", "step", "step", "end"],
            "next": ["a;b", "e", "e", ""],
            "next_labels": ["", "", "", ""],
        }
    )
    pmap = process.ProcessMap.from_table(df)
    one, two = process.layout(pmap), process.layout(pmap)
    pd.testing.assert_frame_equal(one.nodes, two.nodes)
    cells = list(zip(one.nodes["lane_index"], one.nodes["column"], strict=True))
    assert len(set(cells)) == len(cells)
    assert process.render_svg(one) == process.render_svg(two)


def test_loops_are_allowed_and_drawn():
    df = table(next=(3, "E;B"), next_labels=(3, ""))
    lay = process.layout(process.ProcessMap.from_table(df))
    back = lay.edges[(lay.edges["source"] == "D") & (lay.edges["target"] == "B")]
    assert len(back) == 1


def test_svg_has_symbols_lanes_labels_and_minutes():
    lay = process.layout(process.ProcessMap.from_table(STEPS))
    svg = process.render_svg(lay, minutes={"B": 25.0})
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert svg.count("<polygon") == 1  # the decision diamond
    assert svg.count(' rx="31.0"') == 2  # start and end ovals
    assert "A31.0,31.0" in svg  # the arc of the wait "D" shape
    assert ">Patient</text>" in svg and ">Nurse</text>" in svg
    assert ">yes</text>" in svg and ">no</text>" in svg
    assert "25 min wait" in svg
    assert process.wait_colour(25.0) in svg
    assert "<title>" in svg and "<desc>" in svg


def test_minutes_for_unknown_step_are_refused():
    lay = process.layout(process.ProcessMap.from_table(STEPS))
    with pytest.raises(InputError, match="not on the map"):
        process.render_svg(lay, minutes={"Q": 3.0})


def test_wait_colour_classes():
    assert process.wait_colour(0) == process.WAIT_SCALE[0]
    assert process.wait_colour(5) == process.WAIT_SCALE[0]
    assert process.wait_colour(5.1) == process.WAIT_SCALE[1]
    assert process.wait_colour(45) == process.WAIT_SCALE[4]


def test_png_from_the_same_layout():
    lay = process.layout(process.ProcessMap.from_table(STEPS))
    png = process.to_png(lay, {"B": 12.0})
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_describe_lists_every_step():
    text = process.describe(process.ProcessMap.from_table(STEPS))
    assert text.count("\n") == 4
    assert "if yes, go to D" in text


# --------------------------------------------------------------------------- step times

FLOW = pd.DataFrame(
    {
        "patient_id": ["P1", "P2", "P3"],
        "org_unit_id": ["X", "X", "X"],
        "arrival": ["2025-03-10 08:00", "2025-03-10 08:00", "2025-03-10 08:10"],
        "registration": ["2025-03-10 08:05", "2025-03-10 08:02", "2025-03-10 08:10"],
        "triage": ["2025-03-10 08:20", "2025-03-10 08:05", "2025-03-10 08:13"],
        "lab": ["", "2025-03-10 08:30", ""],
        "pharmacy": ["2025-03-10 08:30", "2025-03-10 08:50", "2025-03-10 08:20"],
        "exit": ["2025-03-10 08:34", "2025-03-10 08:55", "2025-03-10 08:26"],
    }
)
HAND = {"registration": 3.0, "triage": 5.0, "lab": 15.0}


def test_step_times_hand_worked():
    """Hand-worked with typical service 3 min (registration), 5 (triage), 15 (lab).

    P1: arrival 08:00, registration 08:05 (wait 5), triage 08:20 (15 after
    registration: 3 service + 12 wait), pharmacy 08:30 (10 after triage: 5 service + 5
    wait), exit 08:34 (4 service). Total 34 = waits 22 + service 12.
    """
    t = process.step_times(
        FLOW, service_minutes=HAND, steps=["registration", "triage", "lab", "pharmacy"]
    )
    v = t.visits.set_index(["visit_id", "step"])
    assert v.loc[("P1", "registration"), "wait_min"] == 5
    assert v.loc[("P1", "triage"), "wait_min"] == 12
    assert v.loc[("P1", "pharmacy"), "wait_min"] == 5
    assert v.loc[("P1", "pharmacy"), "service_min"] == 4
    # P2: registration->triage is 3 minutes: 3 service, no wait; triage->lab 25: 5 + 20
    assert v.loc[("P2", "triage"), "wait_min"] == 0
    assert v.loc[("P2", "lab"), "wait_min"] == 20
    assert v.loc[("P2", "pharmacy"), "wait_min"] == 5  # 20 min after lab start, 15 service
    # P3: triage 08:13 -> pharmacy 08:20 is 7 minutes: 5 service and 2 wait
    assert v.loc[("P3", "pharmacy"), "wait_min"] == 2
    assert ("P1", "lab") not in v.index  # skipped steps have no row
    tot = t.totals.set_index("visit_id")
    assert tot.loc["P1", "total_min"] == 34
    assert tot.loc["P1", "wait_min"] == 22 and tot.loc["P1", "service_min"] == 12
    s = t.summary.set_index("step")
    assert s.loc["lab", "visits"] == 1
    assert s.loc["lab", "share_of_visits"] == pytest.approx(1 / 3)
    # triage waits 12, 0, 0 (P3: 3 after registration = 3 service): median 0
    assert s.loc["triage", "median_wait"] == 0
    assert s.loc["lab", "median_wait"] == 20
    assert t.bottleneck == "lab"
    assert t.value_added_share == pytest.approx(tot["service_min"].sum() / tot["total_min"].sum())


def test_step_times_estimated_service_uses_the_quantile():
    t = process.step_times(FLOW, steps=["registration", "triage", "lab", "pharmacy"])
    # registration -> triage intervals are 15, 3, 3 minutes; their 10th centile is 3
    v = t.visits.set_index(["visit_id", "step"])
    assert v.loc[("P1", "triage"), "wait_min"] == 12


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 30),
            st.integers(0, 30),
            st.integers(0, 30),
            st.integers(1, 20),
            st.booleans(),
        ),
        min_size=2,
        max_size=12,
    )
)
def test_waiting_plus_service_is_the_time_in_clinic(rows):
    base = pd.Timestamp("2025-01-06 08:00")
    recs = []
    for i, (a, r, t, p, lab) in enumerate(rows):
        arr = base + pd.Timedelta(minutes=i)
        reg = arr + pd.Timedelta(minutes=a)
        tri = reg + pd.Timedelta(minutes=r)
        labt = tri + pd.Timedelta(minutes=t) if lab else pd.NaT
        pha = (labt if lab else tri) + pd.Timedelta(minutes=t + 1)
        recs.append([f"V{i}", arr, reg, tri, labt, pha, pha + pd.Timedelta(minutes=p)])
    flow = pd.DataFrame(
        recs, columns=["patient_id", "arrival", "registration", "triage", "lab", "pharmacy", "exit"]
    )
    t = process.step_times(flow)
    diff = t.totals["total_min"] - t.totals["wait_min"] - t.totals["service_min"]
    assert np.allclose(diff, 0)
    assert (t.visits["wait_min"] >= -1e-9).all() and (t.visits["service_min"] >= -1e-9).all()


def test_times_out_of_order_are_explained():
    bad = FLOW.copy()
    bad.loc[0, "triage"] = "2025-03-10 08:01"
    with pytest.raises(InputError, match="earlier than the step before"):
        process.step_times(bad)


def test_text_in_a_time_column_is_explained():
    bad = FLOW.copy()
    bad.loc[1, "triage"] = "soon"
    with pytest.raises(InputError, match="not a date and time: 'soon'"):
        process.step_times(bad)


def test_synthetic_bottleneck_is_triage_at_the_single_nurse_centre():
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    t = process.step_times(flow)
    ov = t.overview.set_index("org_unit_id")
    # the README: one centre has a single triage nurse
    assert ov.loc["gCifNzD4vSd", "bottleneck"] == "triage"
    triage = t.summary[t.summary["step"] == "triage"].set_index("org_unit_id")["median_wait"]
    assert triage.idxmax() == "gCifNzD4vSd"
    assert ((ov["value_added_share"] > 0) & (ov["value_added_share"] < 1)).all()


def test_wait_minutes_on_the_map():
    pmap = process.ProcessMap.from_table(pd.read_csv(dataset_path("process_steps.csv")))
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    t = process.step_times(flow[flow["org_unit_id"] == "gCifNzD4vSd"])
    mins = process.wait_minutes_on_map(t, pmap)
    assert set(mins) == {"S2", "S4", "S8", "S11", "S14"}
    med = t.summary.set_index("step")["median_wait"]
    assert mins["S4"] == med["triage"]


# --------------------------------------------------------------------------- queues


def test_queue_hand_worked_one_server():
    """Arrivals 0, 1, 2; service 3 each; one server: starts 0, 3, 6; waits 0, 2, 4."""
    q = process.simulate_queue([0, 1, 2], [3, 3, 3], servers=1)
    assert q["start"].tolist() == [0, 3, 6]
    assert q["wait"].tolist() == [0, 2, 4]
    assert q["end"].tolist() == [3, 6, 9]


def test_queue_hand_worked_two_servers_and_order():
    """Arrivals 0, 0, 0, 5 (given out of order); service 4, 4, 4, 1; two servers.

    Two start at 0; the third waits until 4; the fourth arrives at 5, a server is
    free (the first ended at 4, the third ends at 8): starts at 5, no wait.
    """
    q = process.simulate_queue([5, 0, 0, 0], [1, 4, 4, 4], servers=2)
    assert q["start"].tolist() == [5, 0, 0, 4]
    assert q["wait"].tolist() == [0, 0, 0, 4]


def test_erlang_c_textbook_values():
    # M/M/1, lambda 0.8, mu 1: Wq = rho / (mu - lambda) = 0.8 / 0.2 = 4.0
    assert process.erlang_c_wait(0.8, 1.0, 1) == pytest.approx(4.0)
    # M/M/2, lambda 1, mu 1 (rho 0.5): Lq = 2 rho^3 / (1 - rho^2) = 1/3, Wq = Lq / lambda
    # (Gross, Shortle, Thompson & Harris 2008, M/M/c with c = 2)
    assert process.erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)
    with pytest.raises(InputError, match="grows without end"):
        process.erlang_c_wait(1.0, 1.0, 1)


@pytest.mark.parametrize(("lam", "mu", "c", "tol"), [(0.8, 1.0, 1, 0.35), (1.6, 1.0, 2, 0.25)])
def test_simulation_matches_erlang_c(lam, mu, c, tol):
    """A long seeded M/M/c run: mean wait within tolerance of the Erlang C formula."""
    rng = np.random.default_rng(11)
    n = 200_000
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    q = process.simulate_queue(arrivals, 1 / mu, servers=c, seed=12)
    burn = n // 10
    assert q["wait"].iloc[burn:].mean() == pytest.approx(process.erlang_c_wait(lam, mu, c), abs=tol)


def test_simulation_is_seeded():
    a = process.simulate_queue(np.arange(50.0), 2.0, servers=1, seed=5)
    b = process.simulate_queue(np.arange(50.0), 2.0, servers=1, seed=5)
    pd.testing.assert_frame_equal(a, b)


def test_queue_input_errors():
    with pytest.raises(InputError, match="whole number"):
        process.simulate_queue([0, 1], [1, 1], servers=0)
    with pytest.raises(InputError, match="one service time per arrival"):
        process.simulate_queue([0, 1], [1], servers=1)


def test_what_if_second_triage_nurse():
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    w = process.what_if(flow, "triage", servers=2, org_unit="gCifNzD4vSd", runs=30, seed=3)
    tab = w.table.set_index("situation")["median_wait"]
    assert tab.iloc[2] < tab.iloc[1]
    assert tab.iloc[2] < tab.iloc[0]
    assert "2 staff instead of 1" in w.explanation
    again = process.what_if(flow, "triage", servers=2, org_unit="gCifNzD4vSd", runs=30, seed=3)
    pd.testing.assert_frame_equal(w.table, again.table)


def test_what_if_needs_one_facility():
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    with pytest.raises(InputError, match="several facilities"):
        process.what_if(flow, "triage")


# --------------------------------------------------------------------------- the table editor


def test_editor_rows_round_trip_the_steps_table():
    rows = process.steps_rows(STEPS)
    assert rows[2] == {
        "step_id": "C",
        "label": "Seen?",
        "lane": "Nurse",
        "kind": "decision",
        "next": ["D", "E"],
        "answers": ["yes", "no"],
    }
    assert rows[4]["next"] == [] and rows[0]["answers"] == []
    pd.testing.assert_frame_equal(process.steps_table(rows), STEPS)
    example = pd.read_csv(dataset_path("process_steps.csv"), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(process.steps_table(process.steps_rows(example)), example)


def test_editor_rows_take_headings_in_any_case():
    upper = STEPS.rename(columns=str.upper)
    assert process.steps_rows(upper) == process.steps_rows(STEPS)


def test_editor_rows_load_only_a_valid_map():
    with pytest.raises(InputError, match="kind 'finish'"):
        process.steps_rows(table(kind=(4, "finish")))


def test_a_question_with_three_answers_is_refused_by_the_editor():
    three = pd.DataFrame(
        {
            "step_id": ["A", "B", "C", "D", "E"],
            "label": ["Arrives", "Which service?", "ANC", "Child", "Leaves"],
            "lane": ["Patient"] * 5,
            "kind": ["start", "decision", "step", "step", "end"],
            "next": ["B", "C;D;E", "E", "E", ""],
            "next_labels": ["", "pregnant;child;other", "", "", ""],
        }
    )
    process.ProcessMap.from_table(three)  # a valid map ...
    with pytest.raises(InputError, match="3 answers"):
        process.steps_rows(three)  # ... that the two-answer editor cannot show


def test_steps_table_drops_empty_next_steps_and_keeps_answers_in_order():
    rows = [
        {"step_id": "A", "label": "Go", "lane": "P", "kind": "start", "next": ["B", ""]},
        {
            "step_id": "B",
            "label": "Q?",
            "lane": "P",
            "kind": "decision",
            "next": ["", "C"],
            "answers": ["yes", "no"],
        },
    ]
    out = process.steps_table(rows)
    assert out["next"].tolist() == ["B", "C"]
    assert out["next_labels"].tolist() == ["", "no"]  # the answer follows its step
    with pytest.raises(InputError, match="only one branch"):
        process.ProcessMap.from_table(out)


def test_new_step_ids_follow_the_highest_number():
    assert process.new_step_id(["S1", "S2", "S16", "X9"]) == "S17"
    assert process.new_step_id([]) == "S1"
    assert process.new_step_id(["A", "B"]) == "S1"


def test_editor_row_gives_back_each_row_of_the_table():
    for row in process.steps_rows(STEPS):
        nxt = row["next"] + ["Z"]  # a stale choice past the branches a step has is dropped
        again = process.editor_row(
            row["step_id"], row["label"], row["lane"], row["kind"], nxt, row["answers"]
        )
        assert again == row


def test_editor_row_keeps_an_empty_choice_so_the_map_check_names_it():
    row = process.editor_row("B", "Registers", "Clerk", "step", [""])
    assert row["next"] == [""]
    rows = [process.steps_rows(STEPS)[0] | {"next": ["B"]}, row]
    with pytest.raises(InputError, match="Step B \\('Registers'\\) leads nowhere"):
        process.ProcessMap.from_table(process.steps_table(rows))


def test_next_step_choices_and_lanes_follow_the_table_order():
    rows = process.steps_rows(STEPS)
    choices = process.next_step_choices(rows)
    assert [sid for _, sid in choices] == ["A", "B", "C", "D", "E"]
    assert choices[2] == ("C: Seen?", "C")
    assert process.lanes_in_use(rows) == ["Patient", "Nurse"]


# --------------------------------------------------------------------------- facilities and findings


def test_facility_choices_name_the_facilities_of_the_stamps():
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    units = pd.read_csv(dataset_path("org_units.csv"))
    names = dict(zip(units["org_unit_id"], units["name"], strict=True))
    choices, first = process.facility_choices(flow, names, preferred="gCifNzD4vSd")
    ids = sorted(flow["org_unit_id"].astype(str).unique())
    assert [i for _, i in choices] == ids
    assert all(label == names[i] for label, i in choices)
    assert first == "gCifNzD4vSd"
    _, fallback = process.facility_choices(flow, names, preferred="not there")
    assert fallback == ids[-1]


def test_flow_for_facility_keeps_only_its_visits():
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    one = flow["org_unit_id"].iloc[0]
    chosen = process.flow_for_facility(flow, one)
    assert len(chosen) == (flow["org_unit_id"] == one).sum() > 0
    assert "org_unit_id" not in process.flow_for_facility(flow, "")
    with pytest.raises(InputError, match="no visits for the facility 'nowhere'"):
        process.flow_for_facility(flow, "nowhere")


def test_times_findings_state_the_overview():
    flow = pd.read_csv(dataset_path("patient_flow.csv"))
    one = process.flow_for_facility(flow, "gCifNzD4vSd")
    times = process.step_times(one)
    ov = times.overview.iloc[0]
    found = process.times_findings(times)
    assert found[0].startswith(f"{len(one)} visits; half spent more than")
    assert f"The bottleneck is {ov['bottleneck']}:" in found[1]
    assert f"{ov['value_added_share']:.0%}" in found[2]


# --------------------------------------------------------------------------- cause lists


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="abcdefghij klm-", min_size=1, max_size=12).filter(
                lambda t: t.strip() == t and t
            ),
            st.one_of(st.integers(1, 10**9), st.floats(0.5, 1e6).map(lambda x: round(x, 3))),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda p: p[0],
    )
)
def test_pareto_lines_read_back_to_the_same_counts(pairs):
    from phcpm import problems

    table = pd.DataFrame(pairs, columns=["category", "count"])
    back = problems.parse_pareto_text(process.pareto_lines(table))
    assert back["category"].tolist() == table["category"].tolist()
    np.testing.assert_allclose(back["count"].astype(float), table["count"].astype(float))


def test_pareto_lines_need_a_count_column():
    with pytest.raises(InputError, match=r"lacks the column\(s\) count"):
        process.pareto_lines(pd.DataFrame({"category": ["Rain"]}))


def test_cause_lists_drop_empty_lines_and_spaces():
    assert process.cause_lists({"People": " Tired \n\n\nLate", "Methods": None}) == {
        "People": ["Tired", "Late"],
        "Methods": [],
    }
