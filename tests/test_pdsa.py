"""The improvement-project store: validation, concurrency, crash safety, export/import.

The cycle fields are those of the IHI PDSA Worksheet (Institute for Healthcare
Improvement, QI Essentials Toolkit, 2017); measure kinds follow Provost & Murray,
*The Health Care Data Guide* (2011), chapter 2. Places and people are fictional.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phcpm import pdsa
from phcpm.errors import InputError
from phcpm.pdsa import (
    TEAM_SLUG_MAX,
    ProjectStore,
    check_value,
    default_store_path,
    default_team,
    team_slug,
    team_store_path,
)

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2024, 6, 30)


def fixed_clock():
    counter = itertools.count()
    return lambda: f"2024-06-01T08:{next(counter) % 60:02d}:00+00:00"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "projects.sqlite"


@pytest.fixture
def store(db):
    with ProjectStore(db, clock=fixed_clock()) as s:
        yield s


@pytest.fixture
def project(store):
    """A fictional malaria-testing project at Mbaleni health centre."""
    pid = store.create_project(
        "Malaria testing at Mbaleni",
        user="Amina Odhiambo",
        aim="By June 2024, 95% of febrile children under five are tested for malaria",
        team="Amina Odhiambo; Peter Wekesa",
    )
    tested = store.add_measure(
        pid,
        "Febrile under-5s tested",
        "proportion",
        user="Amina Odhiambo",
        unit="%",
        definition="Children under 5 with fever tested by RDT, from the OPD register",
    )
    wait = store.add_measure(
        pid,
        "Waiting time",
        "measurement",
        user="Amina Odhiambo",
        unit="minutes",
        higher_is_better=False,
    )
    stockouts = store.add_measure(pid, "RDT stock-out days", "count", user="Peter Wekesa")
    weeks = pd.date_range("2024-01-01", periods=6, freq="7D")
    for week, (num, den) in zip(
        weeks, [(20, 40), (22, 41), (25, 39), (31, 40), (35, 42), (38, 40)], strict=True
    ):
        store.add_value(
            tested, week.date(), numerator=num, denominator=den, user="Peter Wekesa", today=TODAY
        )
    store.add_value(wait, "2024-01-01", value=47.5, user="Peter Wekesa", today=TODAY)
    store.add_value(
        stockouts,
        "2024-01-01",
        value=3,
        user="Peter Wekesa",
        today=TODAY,
        comment="=SUM(A1:A3) typed by mistake",
    )
    store.add_cycle(
        pid,
        user="Amina Odhiambo",
        title="RDT kit at triage",
        start_date="2024-01-09",
        end_date="2024-01-20",
        act_decision="adopt",
        objective="Test whether keeping RDT kits at triage raises testing",
        predictions="Testing rises above 70% within two weeks",
    )
    store.add_cycle(
        pid,
        user="Peter Wekesa",
        title="second nurse at triage",
        start_date="2024-01-24",
        act_decision="adapt",
        plan_who="Nurse in charge",
        plan_what="Add a second nurse on market days",
        plan_when="Tuesdays",
        plan_where="Triage room",
    )
    return {"project": pid, "tested": tested, "wait": wait, "stockouts": stockouts}


# --------------------------------------------------------------------------- the file


def test_file_settings_protect_saved_work(store):
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000


def test_default_path_comes_from_the_environment(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "mine.sqlite"
    monkeypatch.setenv("PHCPM_PDSA_DB", str(target))
    with ProjectStore() as s:
        assert s.path == target
    assert target.exists()


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    bad = tmp_path / "notes.sqlite"
    bad.write_bytes(b"this is a shopping list, not a database" * 100)
    with pytest.raises(InputError, match="not a project file"):
        ProjectStore(bad)


# --------------------------------------------------------------------------- reading back


def test_measure_series_is_ready_for_a_run_chart(store, project):
    series = store.measure_series(project["tested"])
    assert list(series.columns) == ["period", "numerator", "denominator", "value"]
    assert series["period"].dtype.kind == "M"
    assert series["period"].is_monotonic_increasing
    assert series["numerator"].tolist() == [20, 22, 25, 31, 35, 38]
    # the value is numerator / denominator, unrounded
    assert series["value"].tolist() == pytest.approx(
        [20 / 40, 22 / 41, 25 / 39, 31 / 40, 35 / 42, 38 / 40], rel=1e-12
    )
    counts = store.measure_series(project["stockouts"])
    assert counts["denominator"].isna().all() and counts["value"].tolist() == [3.0]


def test_cycle_annotations_label_each_cycle(store, project):
    notes = store.cycle_annotations(project["project"])
    assert notes == {
        pd.Timestamp("2024-01-09"): "PDSA 1: RDT kit at triage (adopt)",
        pd.Timestamp("2024-01-24"): "PDSA 2: second nurse at triage (adapt)",
    }
    # placed on the week that contains each start date
    weeks = store.measure_series(project["tested"])["period"]
    on_chart = store.cycle_annotations(project["project"], periods=weeks)
    assert on_chart == {
        pd.Timestamp("2024-01-08"): "PDSA 1: RDT kit at triage (adopt)",
        pd.Timestamp("2024-01-22"): "PDSA 2: second nurse at triage (adapt)",
    }


def test_cycle_numbers_run_one_two_three_per_project(store, project):
    other = store.create_project("Stock management at Kivuli", user="Grace Mutua")
    first = store.add_cycle(other, user="Grace Mutua", title="Weekly stock count")
    third = store.add_cycle(project["project"], user="Amina Odhiambo", title="Reminder poster")
    assert first["number"] == 1
    assert third["number"] == 3
    assert store.list_cycles(project["project"])["number"].tolist() == [1, 2, 3]


# --------------------------------------------------------------------------- validation


def test_numerator_above_denominator_is_refused(store, project):
    with pytest.raises(InputError) as info:
        store.add_value(
            project["tested"],
            "2024-03-04",
            numerator=45,
            denominator=40,
            user="Peter Wekesa",
            today=TODAY,
        )
    message = str(info.value)
    assert "numerator (45) is larger than the denominator (40)" in message
    assert "Febrile under-5s tested" in message and "What to do:" in message


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"numerator": -1, "denominator": 40}, "cannot be negative"),
        ({"numerator": 0, "denominator": 0}, "denominator for 'Febrile under-5s tested' is zero"),
        ({"numerator": 12}, "needs both a numerator and a denominator"),
        ({"numerator": "twelve", "denominator": 40}, "'twelve' is not a number"),
        ({"numerator": 10, "denominator": 40, "value": 0.5}, "does not equal numerator"),
    ],
)
def test_bad_proportions_are_refused_in_plain_words(store, project, kwargs, words):
    with pytest.raises(InputError, match=words):
        store.add_value(project["tested"], "2024-03-04", user="Peter Wekesa", today=TODAY, **kwargs)


def test_counts_and_measurements_are_checked(store, project):
    with pytest.raises(InputError, match="not a whole number"):
        store.add_value(project["stockouts"], "2024-03-04", value=2.5, user="P", today=TODAY)
    with pytest.raises(InputError, match="is negative"):
        store.add_value(project["wait"], "2024-03-04", value=-5, user="P", today=TODAY)
    with pytest.raises(InputError, match="takes one value"):
        store.add_value(
            project["wait"], "2024-03-04", numerator=3, denominator=4, user="P", today=TODAY
        )


def test_future_periods_are_refused(store, project):
    with pytest.raises(InputError, match=r"2024-07-01 is in the future \(today is 2024-06-30\)"):
        store.add_value(
            project["tested"], "2024-07-01", numerator=1, denominator=2, user="P", today=TODAY
        )
    # the period that starts today is allowed
    store.add_value(
        project["tested"], "2024-06-30", numerator=1, denominator=2, user="P", today=TODAY
    )


def test_a_second_entry_for_a_period_needs_replace_and_is_audited(store, project):
    with pytest.raises(
        InputError,
        match="already has a result for the period starting "
        "2024-01-01 \\(20 out of 40, entered by Peter Wekesa\\)",
    ):
        store.add_value(
            project["tested"],
            "2024-01-01",
            numerator=21,
            denominator=40,
            user="Amina Odhiambo",
            today=TODAY,
        )
    assert store.measure_series(project["tested"])["numerator"].iloc[0] == 20
    store.add_value(
        project["tested"],
        "2024-01-01",
        numerator=21,
        denominator=40,
        user="Amina Odhiambo",
        today=TODAY,
        replace=True,
        comment="recounted",
    )
    assert store.measure_series(project["tested"])["numerator"].iloc[0] == 21
    log = store.audit_log(project["project"])
    change = log[(log["table"] == "value") & (log["field"] == "numerator")]
    assert change[["old", "new", "user"]].values.tolist() == [["20", "21", "Amina Odhiambo"]]
    assert set(log[log["user"] == "Amina Odhiambo"]["field"]) >= {"numerator", "value", "comment"}


def test_cycle_dates_and_decisions_are_checked(store, project):
    pid = project["project"]
    with pytest.raises(InputError, match=r"ends \(2024-02-01\) before it starts \(2024-02-10\)"):
        store.add_cycle(pid, user="A", title="Late", start_date="2024-02-10", end_date="2024-02-01")
    with pytest.raises(InputError, match="adopt, adapt, abandon or undecided"):
        store.add_cycle(pid, user="A", title="Odd", act_decision="maybe")
    with pytest.raises(InputError, match="not a date"):
        store.add_cycle(pid, user="A", title="Odd", start_date="next Tuesday")
    cycle = store.get_cycle(store.list_cycles(pid)["id"].iloc[0])
    with pytest.raises(InputError, match="ends"):
        store.update_cycle(
            cycle["id"], expected_version=cycle["version"], user="A", end_date="2024-01-01"
        )
    # nothing was added or changed by the refused saves
    assert len(store.list_cycles(pid)) == 2
    assert store.get_cycle(cycle["id"]) == cycle


def test_every_change_needs_a_name(store, project):
    with pytest.raises(InputError, match="No name was given"):
        store.add_cycle(project["project"], user="  ", title="Anonymous")


@settings(max_examples=40, deadline=None)
@given(den=st.integers(1, 10_000), data=st.data())
def test_proportion_value_is_numerator_over_denominator(den, data):
    num = data.draw(st.integers(0, den))
    assert check_value("proportion", numerator=num, denominator=den) == (num, den, num / den)
    with pytest.raises(InputError, match="larger than the denominator"):
        check_value("proportion", numerator=den + data.draw(st.integers(1, 50)), denominator=den)


# --------------------------------------------------------------------------- concurrency


def test_two_stores_editing_one_cycle_lose_nothing(db, project):
    """Two browser tabs (two store objects on one file) open the same cycle."""
    tab1, tab2 = ProjectStore(db), ProjectStore(db)
    try:
        cid = int(tab1.list_cycles(project["project"])["id"].iloc[1])
        seen1, seen2 = tab1.get_cycle(cid), tab2.get_cycle(cid)
        assert seen1["version"] == seen2["version"] == 1
        saved = tab1.update_cycle(
            cid,
            expected_version=seen1["version"],
            user="Amina Odhiambo",
            study_results="Waiting fell from 47 to 30 minutes",
        )
        assert saved["version"] == 2
        with pytest.raises(
            InputError, match="Someone else changed this PDSA cycle since you opened it"
        ):
            tab2.update_cycle(
                cid,
                expected_version=seen2["version"],
                user="Peter Wekesa",
                study_results="No change seen",
            )
        kept = tab2.get_cycle(cid)
        assert kept["study_results"] == "Waiting fell from 47 to 30 minutes"
        # after reopening, the second person's edit goes through on top of the first
        final = tab2.update_cycle(
            cid,
            expected_version=kept["version"],
            user="Peter Wekesa",
            act_next_steps="Extend to all weekdays",
        )
        assert final["version"] == 3
        assert final["study_results"] == "Waiting fell from 47 to 30 minutes"
        assert final["act_next_steps"] == "Extend to all weekdays"
        log = tab1.audit_log(project["project"])
        edits = log[
            (log["table"] == "cycle") & (log["row_id"] == cid) & (log["field"] != "created")
        ]
        assert edits[["field", "user"]].values.tolist() == [
            ["study_results", "Amina Odhiambo"],
            ["act_next_steps", "Peter Wekesa"],
        ]
    finally:
        tab1.close()
        tab2.close()


def test_project_and_measure_edits_are_optimistic_too(db, project):
    a, b = ProjectStore(db), ProjectStore(db)
    try:
        v = a.update_project(project["project"], expected_version=1, user="A", team="Amina")
        assert v == 2
        with pytest.raises(InputError, match="Someone else changed this project"):
            b.update_project(project["project"], expected_version=1, user="B", aim="Other")
        a.update_measure(project["wait"], expected_version=1, user="A", unit="min")
        with pytest.raises(InputError, match="Someone else changed this measure"):
            b.update_measure(project["wait"], expected_version=1, user="B", unit="hours")
        assert b.get_measure(project["wait"])["unit"] == "min"
    finally:
        a.close()
        b.close()


def _run_python(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


ADD_CYCLES = """
    import sys
    from phcpm.pdsa import ProjectStore
    db, pid, who, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    store = ProjectStore(db, busy_timeout_ms=30_000)
    for i in range(n):
        store.add_cycle(pid, user=who, title=f"{who} idea {i}")
"""


def test_two_processes_adding_cycles_at_once_never_clash(db, project):
    pid = project["project"]
    writers = [_run_python(ADD_CYCLES, str(db), str(pid), who, "25") for who in ("Ali", "Bea")]
    for w in writers:
        _, err = w.communicate(timeout=60)
        assert w.returncode == 0, err
    with ProjectStore(db) as s:
        cycles = s.list_cycles(pid)
    assert cycles["number"].tolist() == list(range(1, 53))  # 2 from the fixture + 50
    titles = set(cycles["title"])
    assert all(f"{who} idea {i}" in titles for who in ("Ali", "Bea") for i in range(25))


# --------------------------------------------------------------------------- crash safety


def integrity(db):
    """SQLite's own full check of the file, through a fresh connection."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


BLOCKED_WRITER = """
    import sys, time
    from pathlib import Path
    from phcpm.pdsa import ProjectStore

    class Blocking(ProjectStore):
        stop_at = None
        def _before_commit(self):
            if self.stop_at is not None:
                Path(self.stop_at).write_text("inside the transaction")
                time.sleep(120)  # killed here, before the commit

    db, pid, event = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    store = Blocking(db)
    for i in range(5):
        store.add_cycle(pid, user="Writer", title=f"saved {i}", study_results="x" * 5000)
    print("committed", flush=True)
    store._conn.execute("PRAGMA cache_size = 2")  # spill pages to disk before the commit
    store.stop_at = event
    store.add_cycle(pid, user="Writer", title="never committed",
                    do_observations="y" * 400_000)
"""


def test_killing_a_writer_mid_save_keeps_every_committed_cycle(db, tmp_path, project):
    pid = project["project"]
    event = tmp_path / "inside.txt"
    wal = Path(f"{db}-wal")
    writer = _run_python(BLOCKED_WRITER, str(db), str(pid), str(event))
    try:
        deadline = time.monotonic() + 60
        while not event.exists():
            assert writer.poll() is None, writer.stderr.read()
            assert time.monotonic() < deadline, "the writer never reached its save"
            time.sleep(0.05)
        # the unfinished save has already written pages to the log file
        assert wal.stat().st_size > 400_000
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
        assert writer.returncode == -signal.SIGKILL
        assert writer.stdout.read().strip() == "committed"
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.stdout.close()
        writer.stderr.close()
    assert integrity(db) == [("ok",)]
    with ProjectStore(db) as s:
        cycles = s.list_cycles(pid)
        assert cycles["title"].tolist() == [
            "RDT kit at triage",
            "second nurse at triage",
            *(f"saved {i}" for i in range(5)),
        ]
        assert (cycles["study_results"].iloc[2:] == "x" * 5000).all()
        # the store still works after the crash, and the lost save's number is free again
        assert s.add_cycle(pid, user="Amina", title="after the crash")["number"] == 8


LOOP_WRITER = """
    import sys
    from phcpm.pdsa import ProjectStore
    store = ProjectStore(sys.argv[1])
    pid = int(sys.argv[2])
    for i in range(100_000):
        cycle = store.add_cycle(pid, user="Writer", title=f"loop {i}", objective="z" * 2000)
        print(cycle["number"], flush=True)
"""


def test_killing_a_writer_saving_in_a_loop_loses_no_committed_cycle(db, project):
    pid = project["project"]
    writer = _run_python(LOOP_WRITER, str(db), str(pid))
    reported = []
    try:
        while len(reported) < 30:
            line = writer.stdout.readline()
            assert line, writer.stderr.read()
            reported.append(int(line))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
        reported += [int(x) for x in writer.stdout.read().split()]
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.stdout.close()
        writer.stderr.close()
    assert integrity(db) == [("ok",)]
    with ProjectStore(db) as s:
        numbers = s.list_cycles(pid)["number"].tolist()
    assert set(reported) <= set(numbers)
    assert numbers == list(range(1, len(numbers) + 1))  # no gaps, no half-saved cycle
    assert len(numbers) - 2 - len(reported) in (0, 1)  # at most the one save not yet reported


# --------------------------------------------------------------------------- export / import


def test_json_round_trip_is_exact(store, project, tmp_path):
    cid = int(store.list_cycles(project["project"])["id"].iloc[0])
    store.update_cycle(cid, expected_version=1, user="Peter Wekesa", study_results="Rose to 78%")
    text = store.export_json(project["project"])
    data = json.loads(text)
    assert [m["key"] for m in data["measures"]] == [1, 2, 3]
    assert len(data["values"]) == 8 and len(data["cycles"]) == 2
    with ProjectStore(tmp_path / "other.sqlite") as other:
        other.create_project("Something else first", user="X")  # so ids differ
        new = other.import_json(text, today=TODAY)
        assert other.export_json(new) == text
        assert other.measure_series(other.list_measures(new)["id"].iloc[0]).equals(
            store.measure_series(project["tested"])
        )


def test_excel_round_trip_is_exact_and_text_stays_text(store, project, tmp_path):
    from openpyxl import load_workbook

    data = store.export_excel(project["project"])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Project", "Measures", "Values", "Cycles", "Audit"]
    comments = [c for c in book["Values"]["H"] if c.value and str(c.value).startswith("=")]
    assert comments and all(c.data_type == "s" for c in comments)  # not a formula
    with ProjectStore(tmp_path / "other.sqlite") as other:
        new = other.import_excel(data, today=TODAY)
        assert other.export_json(new) == store.export_json(project["project"])


def test_import_refuses_bad_json_in_plain_words(store):
    with pytest.raises(InputError, match=r"not valid JSON\. Where: line 1, column 12"):
        store.import_json('{"format": ')
    with pytest.raises(InputError, match="not an exported improvement project"):
        store.import_json("[1, 2, 3]")


def test_import_checks_every_record_and_imports_nothing_on_error(store, project):
    data = json.loads(store.export_json(project["project"]))
    data["values"][2]["numerator"] = 99  # 99 out of 39
    before = len(store.list_projects())
    with pytest.raises(InputError, match=r"larger than the denominator.*Where: JSON file, value 3"):
        store.import_json(json.dumps(data), today=TODAY)
    data = json.loads(store.export_json(project["project"]))
    data["cycles"][1]["number"] = 1
    with pytest.raises(InputError, match="Two cycles have the number 1"):
        store.import_json(json.dumps(data), today=TODAY)
    data = json.loads(store.export_json(project["project"]))
    del data["cycles"]
    with pytest.raises(InputError, match="no 'cycles' section"):
        store.import_json(json.dumps(data), today=TODAY)
    assert len(store.list_projects()) == before


def test_import_excel_refuses_other_files(store, project):
    with pytest.raises(InputError, match="not an Excel workbook"):
        store.import_excel(b"PK\x03\x04 not really a zip")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(store.export_excel(project["project"])))
    del book["Cycles"]
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InputError, match="no sheet called 'Cycles'"):
        store.import_excel(out.getvalue())


def test_reading_returns_new_frames(store, project):
    first = store.measure_series(project["tested"])
    first.loc[0, "value"] = -1
    assert store.measure_series(project["tested"])["value"].iloc[0] == 0.5
    assert isinstance(store.list_cycles(project["project"]), pd.DataFrame)
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] > 0
    finally:
        conn.close()


# --------------------------------------------------------------------------- team workspaces
# Normalisation facts used below: Unicode Standard Annex #15 (Unicode Normalization
# Forms): NFKD splits "É" (U+00C9) into "E" + U+0301 and NFKC turns the ligature "ﬁ"
# (U+FB01) into "fi" and "²" into "2"; Unicode CaseFolding.txt folds "ß" (U+00DF) to "ss".

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_team_slug_is_a_plain_file_name_part():
    assert team_slug("Ruvo district team") == "ruvo-district-team"
    assert team_slug("Équipe de Ruvo") == "equipe-de-ruvo"
    assert team_slug("ﬁeld team ²") == "field-team-2"
    assert team_slug("Straße Kalembo") == "strasse-kalembo"
    assert team_slug("../../etc/passwd") == "etc-passwd"
    assert team_slug(r"C:\Users\Ruvo team") == "c-users-ruvo-team"
    assert team_slug("Team_7") == "team-7"


def test_team_names_that_differ_only_in_case_spacing_or_accents_share_a_workspace():
    names = ["Ruvo District Team", "  ruvo   district-team ", "RUVO district team!", "Rúvo team"]
    assert {team_slug(n) for n in names[:3]} == {"ruvo-district-team"}
    assert team_slug(names[3]) == "ruvo-team"
    assert team_slug("Ruvo team") != team_slug("Ruvo district team")


def test_names_in_other_scripts_get_distinct_workspaces():
    first, second = team_slug("Команда 1"), team_slug("Команда 2")
    assert first != second
    assert first == team_slug("  КОМАНДА   1 ")  # case and spacing still do not matter
    # the convention: the ASCII part, then 8 hex digits of SHA-256 of the joined word runs
    assert first == "1-" + hashlib.sha256("команда-1".encode()).hexdigest()[:8]
    only_other = team_slug("ቡድን ሩቮ")  # Ge'ez script: nothing has an ASCII form
    assert re.fullmatch(r"team-[0-9a-f]{8}", only_other)
    assert only_other != team_slug("ቡድን ካለምቦ")


def test_long_team_names_are_bounded_and_stay_distinct():
    long_a = "Ruvo district health management team " * 4 + "north"
    long_b = "Ruvo district health management team " * 4 + "south"
    slug_a, slug_b = team_slug(long_a), team_slug(long_b)
    assert len(slug_a) <= TEAM_SLUG_MAX and len(slug_b) <= TEAM_SLUG_MAX
    assert slug_a != slug_b
    assert SLUG.match(slug_a) and SLUG.match(slug_b)
    exact = "a" * TEAM_SLUG_MAX
    assert team_slug(exact) == exact  # up to the limit the name is kept as it is


def test_a_team_name_without_letters_is_refused_in_plain_words():
    with pytest.raises(InputError, match="has no letter or digit"):
        team_slug("!!! ---")
    with pytest.raises(InputError, match="The team name is empty"):
        team_slug("   ")
    with pytest.raises(InputError, match="The team name is empty"):
        team_slug(None)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120))
def test_any_team_name_gives_a_safe_file_next_to_the_shared_one(name):
    default = Path("/srv/cohort/pdsa_projects.sqlite")
    try:
        path = team_store_path(name, default)
    except InputError as err:
        assert "team name" in str(err)
        assert not any(ch.isalnum() for ch in name)
        return
    if not name.strip():
        assert path == default
        return
    slug = team_slug(name)
    assert SLUG.match(slug) and len(slug) <= TEAM_SLUG_MAX
    assert path.parent == default.parent
    assert path.name == f"pdsa_projects-{slug}.sqlite"
    assert path != default


def test_team_store_path_names_and_defaults(tmp_path, monkeypatch):
    shared = tmp_path / "projects.sqlite"
    assert team_store_path("", shared) == shared
    assert team_store_path(None, shared) == shared
    assert team_store_path("Ruvo district team", shared) == (
        tmp_path / "projects-ruvo-district-team.sqlite"
    )
    assert team_store_path("Ruvo", tmp_path / "store.db") == tmp_path / "store-ruvo.db"
    assert team_store_path("Ruvo", tmp_path / "store") == tmp_path / "store-ruvo.sqlite"
    monkeypatch.setenv("PHCPM_PDSA_DB", str(shared))
    assert default_store_path() == shared
    assert team_store_path("Kalembo") == tmp_path / "projects-kalembo.sqlite"
    monkeypatch.delenv("PHCPM_PDSA_DB")
    assert default_store_path() == Path.home() / ".phcpm" / "pdsa_projects.sqlite"
    monkeypatch.setenv("PHCPM_PDSA_TEAM", "  Ruvo district team ")
    assert default_team() == "Ruvo district team"
    monkeypatch.delenv("PHCPM_PDSA_TEAM")
    assert default_team() == ""


def test_team_workspaces_keep_their_projects_apart(tmp_path):
    shared = tmp_path / "projects.sqlite"
    with ProjectStore(shared) as store:
        store.create_project("Waiting time at Kalembo", user="Amina Odhiambo")
    with ProjectStore(team_store_path("Ruvo district team", shared)) as store:
        assert store.list_projects().empty
        store.create_project("Malaria testing at Mbaleni", user="Peter Wekesa")
    with ProjectStore(team_store_path("RUVO District-Team", shared)) as store:
        assert store.list_projects()["name"].tolist() == ["Malaria testing at Mbaleni"]
    with ProjectStore(team_store_path("Pezali team", shared)) as store:
        assert store.list_projects().empty
    with ProjectStore(shared) as store:
        assert store.list_projects()["name"].tolist() == ["Waiting time at Kalembo"]


# --------------------------------------------------------------------------- periods and pasted values


def test_check_period_is_the_one_future_rule():
    assert pdsa.check_period("2024-06-30", TODAY) == date(2024, 6, 30)  # today has started
    with pytest.raises(InputError, match=r"2024-07-01 is in the future \(today is 2024-06-30\)"):
        pdsa.check_period("2024-07-01", TODAY)
    with pytest.raises(InputError, match="period start is missing"):
        pdsa.check_period("  ", TODAY)
    with pytest.raises(InputError, match="'1st June' is not a date"):
        pdsa.check_period("1st June", TODAY)


def test_pasted_lines_take_commas_semicolons_and_tabs_and_keep_line_numbers():
    text = "2024-01-01, 17, 30\n\n2024-01-08;18;31\n2024-01-15\t19\t32\t\n"
    frame = pdsa.parse_value_lines(text, "proportion")
    assert list(frame.columns) == ["period", "numerator", "denominator", "where"]
    assert frame["period"].tolist() == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert frame["numerator"].tolist() == ["17", "18", "19"]
    assert frame["where"].tolist() == ["line 1", "line 3", "line 4"]  # the empty line counts
    counts = pdsa.parse_value_lines("2024-01-01, 3", "count")
    assert list(counts.columns) == ["period", "value", "where"]


@pytest.mark.parametrize(
    ("text", "kind", "where"),
    [
        ("2024-01-01, 17, 30\n2024-01-08, 18\n", "proportion", "line 2"),
        ("2024-01-01, 3, 4\n", "count", "line 1"),  # a count takes one value
        ("\n\n2024-01-01\n", "measurement", "line 3"),
    ],
)
def test_pasted_lines_of_the_wrong_shape_name_their_line(text, kind, where):
    with pytest.raises(InputError) as err:
        pdsa.parse_value_lines(text, kind)
    assert err.value.where == where


def test_nothing_pasted_is_refused():
    with pytest.raises(InputError, match="Nothing was pasted"):
        pdsa.parse_value_lines(" \n\n", "count")


def test_an_uploaded_table_matches_headings_without_case_and_numbers_rows_as_excel():
    table = pd.DataFrame({" Period ": ["2024-01-01", "2024-01-08"], "VALUE": [3, 4], "x": [1, 2]})
    frame = pdsa.value_table(table, "count", source="file 'weeks.csv'")
    assert frame["value"].tolist() == [3, 4]
    assert frame["where"].tolist() == ["row 2 of file 'weeks.csv'", "row 3 of file 'weeks.csv'"]
    assert list(table.columns) == [" Period ", "VALUE", "x"]  # the user's table is not changed
    with pytest.raises(InputError, match="no column 'numerator', 'denominator'"):
        pdsa.value_table(table, "proportion")
    with pytest.raises(InputError, match="no rows"):
        pdsa.value_table(table.iloc[:0], "count")


def test_add_values_is_all_or_nothing_and_names_the_row(store, project):
    before = store.values(project["tested"])
    frame = pdsa.parse_value_lines(
        "2024-02-12, 30, 40\n2024-02-19, 41, 40\n2024-02-26, 30, 40", "proportion"
    )
    with pytest.raises(InputError, match="larger than the denominator") as err:
        store.add_values(project["tested"], frame, user="P", today=TODAY)
    assert err.value.where == "line 2"
    pd.testing.assert_frame_equal(store.values(project["tested"]), before)
    frame.loc[1, "numerator"] = "31"
    assert store.add_values(project["tested"], frame, user="P", today=TODAY) == 3
    assert len(store.values(project["tested"])) == len(before) + 3


def test_add_values_refuses_future_periods_and_duplicates(store, project):
    future = pdsa.parse_value_lines("2024-07-01, 3", "count")
    with pytest.raises(InputError, match="in the future"):
        store.add_values(project["stockouts"], future, user="P", today=TODAY)
    twice = pdsa.parse_value_lines("2024-02-05, 3\n2024-02-05, 4", "count")
    with pytest.raises(InputError, match="given twice") as err:
        store.add_values(project["stockouts"], twice, user="P", today=TODAY)
    assert err.value.where == "line 2"
    entered = pdsa.parse_value_lines("2024-01-01, 5", "count")  # the fixture entered 3 there
    with pytest.raises(InputError, match="already has a result"):
        store.add_values(project["stockouts"], entered, user="P", today=TODAY)
    assert store.add_values(project["stockouts"], entered, user="P", replace=True, today=TODAY)
    assert store.values(project["stockouts"])["value"].tolist() == [5.0]
    history = store.audit_log(project["project"])
    assert ((history["field"] == "value") & (history["new"] == "5")).any()


class _StopBeforeCommit(ProjectStore):
    def _before_commit(self) -> None:
        raise RuntimeError("the program stopped in the middle of the save")


def test_add_values_saves_in_one_transaction(db, project):
    frame = pdsa.parse_value_lines("2024-02-12, 30, 40\n2024-02-19, 31, 40", "proportion")
    with _StopBeforeCommit(db) as broken:
        before = len(broken.values(project["tested"]))
        with pytest.raises(RuntimeError):
            broken.add_values(project["tested"], frame, user="P", today=TODAY)
        assert len(broken.values(project["tested"])) == before


# --------------------------------------------------------------------------- access codes


def test_access_codes_are_kept_only_as_salted_scrypt():
    one = pdsa.hash_access_code("mango tree at noon")
    two = pdsa.hash_access_code("mango tree at noon")
    assert one != two  # a new salt each time
    assert "mango" not in one
    scheme, log_n, r, p, salt, key = one.split("$")
    assert (scheme, log_n, r, p) == ("scrypt", "15", "8", "1")
    # the same derivation by hand (RFC 7914 scrypt, N = 2**15, r = 8, p = 1)
    expected = hashlib.scrypt(
        b"mango tree at noon",
        salt=base64.b64decode(salt),
        n=2**15,
        r=8,
        p=1,
        maxmem=64 * 2**20,
        dklen=32,
    )
    assert base64.b64decode(key) == expected
    assert pdsa.access_code_matches("mango tree at noon", one)
    assert not pdsa.access_code_matches("mango tree at noon ", one)
    assert not pdsa.access_code_matches("Mango tree at noon", one)
    assert not pdsa.access_code_matches("mango tree at noon", "not a stored code")


def test_scrypt_matches_the_rfc_7914_test_vector():
    # RFC 7914, section 12, second vector: P = "password", S = "NaCl", N = 1024, r = 8, p = 16
    key = pdsa.scrypt_key("password", b"NaCl", 10, 8, 16)
    assert key.hex()[:32] == "fdbabe1c9d3472007856e7190d01e9fe"


def test_short_access_codes_are_refused():
    with pytest.raises(InputError, match="too short"):
        pdsa.hash_access_code("1234567")


def test_a_store_with_a_code_opens_only_with_it(db, project):
    with ProjectStore(db) as store:
        assert not store.has_access_code()
        store.check_access_code("")  # no code: anything opens it
        store.set_access_code("mango tree at noon")
        assert store.has_access_code()
        stored = store._setting("access_code")
        assert stored.startswith("scrypt$") and "mango" not in stored
    with ProjectStore(db) as store:
        store.check_access_code("mango tree at noon")
        with pytest.raises(InputError, match="not right"):
            store.check_access_code("mango tree at nine")
        with pytest.raises(InputError, match="protected by an access code"):
            store.check_access_code("")
        with pytest.raises(InputError, match="current access code is not right"):
            store.set_access_code("a new code for us", current="wrong code")
        store.check_access_code("mango tree at noon")  # unchanged after the refusal
        store.set_access_code("a new code for us", current="mango tree at noon")
        store.check_access_code("a new code for us")
        with pytest.raises(InputError):
            store.check_access_code("mango tree at noon")


def test_a_file_of_the_first_version_gains_the_setting_table(db, project):
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE setting")
        conn.execute("PRAGMA user_version = 1")
    with ProjectStore(db) as store:
        assert not store.has_access_code()
        store.set_access_code("mango tree at noon")
        assert len(store.list_projects()) == 1  # the projects are all still there
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == pdsa.SCHEMA_VERSION


# --------------------------------------------------------------------------- tables for people

_PROGRAMMER = re.compile(r"\b[a-z]+_[a-z_]+\b|\bNaN\b|\bNone\b|\bTrue\b|\bFalse\b|\bnan\b")


def test_tables_for_people_have_word_headings_and_no_missing_markers(store, project):
    tested = pdsa.readable_values(store.values(project["tested"]), "proportion")
    assert list(tested.columns)[:4] == ["Period start", "Numerator", "Denominator", "Value (%)"]
    assert tested["Value (%)"].tolist()[:2] == ["50.0", "53.7"]  # 20/40 and 22/41
    assert tested["Numerator"].tolist()[0] == "20"  # not 20.0
    assert (
        tested["Entered at (UTC)"].tolist()[0] == "2024-06-01 08:04"
    )  # the fifth save of the fixture
    wait = pdsa.readable_values(store.values(project["wait"]), "measurement", "minutes")
    assert wait["Value (minutes)"].tolist() == ["47.5"]
    cycles = pdsa.readable_cycles(store.list_cycles(project["project"]))
    assert cycles["Decision"].tolist() == ["Adopt", "Adapt"]
    assert cycles["End date"].tolist() == ["2024-01-20", ""]
    history = pdsa.readable_history(store.audit_log(project["project"]))
    assert "PDSA cycle 1" in history["Record"].tolist()
    for table in (tested, wait, cycles, history):
        text = table.to_csv(index=False)
        assert not _PROGRAMMER.findall(text), _PROGRAMMER.findall(text)
    empty = pdsa.readable_values(store.values(project["tested"]).iloc[:0], "count", "visits")
    assert list(empty.columns)[:2] == ["Period start", "Value (visits)"]


def test_the_excel_workbook_has_headings_in_words(store, project):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(store.export_excel(project["project"])))
    for sheet in book.worksheets:
        headings = [c.value for c in sheet[1]]
        assert all("_" not in str(h) for h in headings), (sheet.title, headings)
    assert [c.value for c in book["Values"][1]][:3] == [
        "Measure number",
        "Period start",
        "Numerator",
    ]
    first_column = [r[0].value for r in book["Project"].iter_rows(min_row=2)]
    assert first_column[:2] == ["File format", "File format version"]


def test_a_workbook_with_the_older_field_name_headings_still_imports(store, project, tmp_path):
    from openpyxl import load_workbook

    data = store.export_excel(project["project"])
    book = load_workbook(io.BytesIO(data))
    for title, (_, cols) in store._SHEETS.items():
        words = {store._heading(c): c for c in cols}
        for cell in book[title][1]:
            cell.value = words.get(cell.value, cell.value)
    fields = {store._heading(f): f for f in ("format", "format_version", "name", "created")}
    for row in book["Project"].iter_rows(min_row=2):
        row[0].value = fields.get(row[0].value, row[0].value)
    assert book["Values"]["B1"].value == "period"
    old = io.BytesIO()
    book.save(old)
    with ProjectStore(tmp_path / "other.sqlite") as other:
        new = other.import_excel(old.getvalue(), today=TODAY)
        assert other.export_json(new) == store.export_json(project["project"])


def test_the_printable_page_lays_out_each_cycle_as_the_worksheet(store, project):
    store.add_cycle(project["project"], user="P", title="<script>alert(1)</script>")
    page = store.export_html(project["project"], chart_png=b"\x89PNG fake")
    assert page.startswith("<!DOCTYPE html>") and "<h1>Malaria testing at Mbaleni</h1>" in page
    assert "PDSA 1: RDT kit at triage" in page and "PDSA 2: second nurse at triage" in page
    assert "<dt>Act: decision</dt><dd>Adopt</dd>" in page
    assert "<dt>Plan: who</dt><dd>Nurse in charge</dd>" in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "data:image/png;base64," in page
    assert "<th>Period start</th>" in page and "Value (%)" in page
    text = re.sub(r"<[^>]+>|data:image[^']+", " ", page)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b|\bNaN\b|\bNone\b|\bnan\b", text)


def test_changed_cycle_fields_compare_the_form_with_what_is_saved(store, project):
    new_form = {"title": "", "objective": " ", "act_decision": "undecided", "start_date": None}
    assert pdsa.changed_cycle_fields(new_form) == []
    new_form.update(objective="Try a second nurse", act_decision="adopt")
    assert pdsa.changed_cycle_fields(new_form) == ["objective", "act_decision"]
    saved = store.get_cycle(int(store.list_cycles(project["project"])["id"].iloc[0]))
    form = {f: saved[f] for f in pdsa.CYCLE_FIELDS}
    form["title"] = f"  {saved['title']} "  # spaces at the ends are not a change
    assert pdsa.changed_cycle_fields(form, saved) == []
    form["predictions"] = "Testing rises above 75%"
    form["end_date"] = "2024-01-21"
    assert pdsa.changed_cycle_fields(form, saved) == ["predictions", "end_date"]


# --------------------------------------------------------------------------- family of measures


def test_a_measure_keeps_its_role_in_the_family_of_measures(store, project):
    pid = project["project"]
    assert store.get_measure(project["tested"])["role"] == ""  # not stated: never guessed
    mid = store.add_measure(
        pid,
        "Children treated by the test result",
        "proportion",
        user="Amina Odhiambo",
        role="Outcome",
    )
    assert store.get_measure(mid)["role"] == "outcome"
    version = store.get_measure(project["wait"])["version"]
    store.update_measure(project["wait"], expected_version=version, user="P", role="balancing")
    roles = dict(
        zip(store.list_measures(pid)["name"], store.list_measures(pid)["role"], strict=True)
    )
    assert roles["Waiting time"] == "balancing" and roles["RDT stock-out days"] == ""
    history = store.audit_log(pid)
    assert ((history["field"] == "role") & (history["new"] == "balancing")).any()
    with pytest.raises(InputError, match="'result' is not a role"):
        store.add_measure(pid, "Other", "count", user="P", role="result")
    with pytest.raises(InputError, match="not a role"):
        store.update_measure(mid, expected_version=1, user="P", role="impact")
    page = store.export_html(pid)
    assert "<h2>Outcome measure: Children treated by the test result</h2>" in page
    assert "<h2>Balancing measure: Waiting time</h2>" in page
    assert "<h2>Measure: RDT stock-out days</h2>" in page


def test_roles_survive_json_and_excel_and_older_files_import_without_them(store, project, tmp_path):
    from openpyxl import load_workbook

    pid = project["project"]
    version = store.get_measure(project["tested"])["version"]
    store.update_measure(project["tested"], expected_version=version, user="P", role="process")
    text = store.export_json(pid)
    assert json.loads(text)["measures"][0]["role"] == "process"
    book = load_workbook(io.BytesIO(store.export_excel(pid)))
    assert "Outcome, process or balancing" in [c.value for c in book["Measures"][1]]
    with ProjectStore(tmp_path / "other.sqlite") as other:
        assert other.export_json(other.import_json(text, today=TODAY)) == text
        assert other.export_json(other.import_excel(store.export_excel(pid), today=TODAY)) == text
        # a backup file written before measures had a role
        old = json.loads(text)
        for m in old["measures"]:
            del m["role"]
        new = other.import_json(json.dumps(old), today=TODAY)
        assert other.list_measures(new)["role"].tolist() == ["", "", ""]
        # a workbook written before measures had a role
        heading = [c.value for c in book["Measures"][1]].index("Outcome, process or balancing")
        book["Measures"].delete_cols(heading + 1)
        data = io.BytesIO()
        book.save(data)
        new = other.import_excel(data.getvalue(), today=TODAY)
        assert other.list_measures(new)["role"].tolist() == ["", "", ""]
        bad = json.loads(text)
        bad["measures"][0]["role"] = "impact"
        with pytest.raises(InputError, match="not a role") as error:
            other.import_json(json.dumps(bad), today=TODAY)
        assert "measure 1" in str(error.value)


def test_a_file_of_the_second_version_gains_the_role_column(db, project):
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE measure DROP COLUMN role")
        conn.execute("PRAGMA user_version = 2")
    with ProjectStore(db) as store:
        pid = int(store.list_projects()["id"].iloc[0])
        assert store.list_measures(pid)["role"].tolist() == ["", "", ""]
        store.add_measure(pid, "Treated by the test result", "proportion", user="P", role="outcome")
        assert store.list_measures(pid)["role"].tolist() == ["", "", "", "outcome"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == pdsa.SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE measure SET role = 'impact'")


# --------------------------------------------------------------------------- which way is better


@pytest.mark.parametrize(
    ("given", "higher"),
    [
        (True, True),
        (False, False),
        ("higher", True),
        ("Lower", False),
        (" lower ", False),
        (1, True),
        (0, False),
        (1.0, True),
        ("0", False),
        ("yes", True),
        ("FALSE", False),
    ],
)
def test_which_way_is_better_is_read_from_words_flags_and_workbook_numbers(given, higher):
    assert pdsa.measure_direction(given) is higher


@pytest.mark.parametrize("given", [None, "", "   ", float("nan")])
def test_which_way_is_better_is_never_guessed(given):
    with pytest.raises(InputError, match="better when its value is higher or lower") as err:
        pdsa.measure_direction(given, "the form")
    assert "Choose 'higher' or 'lower'" in str(err.value)
    assert err.value.where == "the form"


@pytest.mark.parametrize("given", ["maybe", "up", 2, -1, "0.5"])
def test_a_direction_that_is_neither_higher_nor_lower_is_refused(given):
    with pytest.raises(InputError, match="does not say whether higher or lower is better"):
        pdsa.measure_direction(given)


def test_a_measure_is_stored_with_the_direction_and_definition_given(store, project):
    pid = project["project"]
    definition = "Numerator: none. Follow-up visits booked and not attended, from the register"
    mid = store.add_measure(
        pid,
        "Missed follow-up visits",
        "count",
        user="Amina Odhiambo",
        role="outcome",
        higher_is_better="lower",
        definition=f"  {definition}  ",
    )
    saved = store.get_measure(mid)
    assert saved["higher_is_better"] is False and saved["definition"] == definition
    with pytest.raises(InputError, match="higher or lower"):
        store.add_measure(pid, "Staff on duty", "count", user="P", higher_is_better=None)
    with pytest.raises(InputError, match="does not say whether higher or lower"):
        store.update_measure(mid, expected_version=1, user="P", higher_is_better="sideways")
    assert "Staff on duty" not in store.list_measures(pid)["name"].tolist()
    version = store.update_measure(mid, expected_version=1, user="P", higher_is_better="higher")
    assert store.get_measure(mid)["higher_is_better"] is True and version == 2


def test_the_family_table_and_the_printable_page_say_which_way_and_how_counted(store, project):
    pid = project["project"]
    family = store.family_of_measures(pid).set_index("Measure")
    assert family.loc["Waiting time", "Better when"] == "Lower"
    assert family.loc["Febrile under-5s tested", "Better when"] == "Higher"
    assert family.loc["Febrile under-5s tested", "How it is counted"] == (
        "Children under 5 with fever tested by RDT, from the OPD register"
    )
    assert family.loc["Waiting time", "How it is counted"] == ""
    page = store.export_html(pid)
    waiting = page[page.index("<h2>Measure: Waiting time</h2>") :]
    assert waiting.index("Better when lower: a fall is an improvement") < waiting.index("<table")
    assert "not written for this measure" in waiting[: waiting.index("<table")]
    tested = page[page.index("<h2>Measure: Febrile under-5s tested</h2>") :]
    assert tested.index("Better when higher: a rise is an improvement") < tested.index("<table")


def test_measure_notes_read_the_numbers_by_direction():
    lower = pdsa.measure_notes({"higher_is_better": False, "definition": "Minutes, timing sheet"})
    assert lower == [
        "Better when lower: a fall is an improvement, a rise is a worsening.",
        "How it is counted: Minutes, timing sheet",
    ]
    higher = pdsa.measure_notes({"higher_is_better": True, "definition": ""})
    assert higher[0] == "Better when higher: a rise is an improvement, a fall is a worsening."
    assert "not written" in higher[1]
    assert pdsa.direction_words(False) == "Better when lower"


def test_imported_measures_need_a_clear_direction(store, project, tmp_path):
    from openpyxl import load_workbook

    pid = project["project"]
    text = store.export_json(pid)
    with ProjectStore(tmp_path / "other.sqlite") as other:
        for wrong in ("maybe", None, ""):
            bad = json.loads(text)
            bad["measures"][1]["higher_is_better"] = wrong
            with pytest.raises(InputError, match="higher or lower") as err:
                other.import_json(json.dumps(bad), today=TODAY)
            assert err.value.where == "JSON file, measure 2"
        # a workbook whose direction cell was emptied is refused, not read as "lower"
        book = load_workbook(io.BytesIO(store.export_excel(pid)))
        heading = [c.value for c in book["Measures"][1]].index("Higher is better (1 yes, 0 no)")
        book["Measures"].cell(row=2, column=heading + 1).value = None
        data = io.BytesIO()
        book.save(data)
        with pytest.raises(InputError, match="higher or lower"):
            other.import_excel(data.getvalue(), today=TODAY)
        assert other.list_projects().empty
        # words a person may type in a workbook are read
        book["Measures"].cell(row=2, column=heading + 1).value = "higher"
        book["Measures"].cell(row=3, column=heading + 1).value = "lower"
        data = io.BytesIO()
        book.save(data)
        new = other.import_excel(data.getvalue(), today=TODAY)
        assert other.list_measures(new)["higher_is_better"].tolist() == [True, False, True]
