"""The PDSA tracker without a browser, and the example project it loads.

Cycle fields follow the IHI PDSA Worksheet (IHI, QI Essentials Toolkit, 2017).
The example project's numbers are those of datasets/pdsa_measure.csv and
datasets/pdsa_cycles.csv; the pooled share during cycle 1 is worked out by hand
from the four weekly rows of the file (27/34, 31/43, 24/37, 26/40 → 108/154).
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
from datetime import date

import pandas as pd
import pytest

from phcpm import pdsa
from phcpm.errors import InputError
from phcpm.paths import dataset_path
from tests.widget_helpers import upload
from widgets.pdsa import CONFLICT_MESSAGE, UNSAVED_MESSAGE, PdsaTracker

TODAY = date(2025, 12, 31)


def clock():
    counter = itertools.count()
    return lambda: f"2025-11-01T08:{next(counter) % 60:02d}:00+00:00"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "projects.sqlite"


def tracker(db, user="Neema Otieno"):
    return PdsaTracker(db, user=user, today=TODAY, clock=clock())


# --------------------------------------------------------------------------- phcpm additions


def test_example_project_matches_the_dataset_files(db):
    with pdsa.ProjectStore(db) as store:
        pid = pdsa.load_example_project(store, today=TODAY)
        measure = pd.read_csv(dataset_path("pdsa_measure.csv"))
        cycles = pd.read_csv(dataset_path("pdsa_cycles.csv"))
        mid = int(store.list_measures(pid)["id"].iloc[0])
        series = store.measure_series(mid)
        assert len(series) == len(measure)
        assert series["numerator"].sum() == measure["numerator"].sum()
        assert series["denominator"].sum() == measure["denominator"].sum()
        stored = store.list_cycles(pid)
        assert stored["act_decision"].tolist() == cycles["decision"].tolist()
        assert stored["title"].tolist() == cycles["change_idea"].tolist()
        assert stored["predictions"].tolist() == cycles["prediction"].tolist()
        # loading twice does not make a copy
        assert pdsa.load_example_project(store, today=TODAY) == pid
        assert len(store.list_projects()) == 1


def test_example_project_holds_the_whole_family_of_measures(db):
    family = pd.read_csv(dataset_path("pdsa_family_of_measures.csv"))
    with pdsa.ProjectStore(db) as store:
        pid = pdsa.load_example_project(store, today=TODAY)
        measures = store.list_measures(pid)
        assert measures["role"].tolist() == ["process", "outcome", "balancing", "balancing"]
        assert measures["kind"].tolist() == ["proportion", "proportion", "measurement", "count"]
        assert measures["higher_is_better"].tolist() == [True, True, False, False]
        assert measures["name"].tolist()[1:] == [
            "Fever cases treated according to the test result",
            "Minutes waited at the test corner",
            "Days without malaria test kits",
        ]
        for m in measures.to_dict("records")[1:]:
            rows = family[family["measure"] == m["name"]].sort_values("week_start")
            series = store.measure_series(m["id"])
            assert len(series) == len(rows) == 40
            assert series["value"].tolist() == pytest.approx(rows["value"].tolist(), abs=5e-4)
            if m["kind"] == "proportion":
                assert series["numerator"].sum() == rows["numerator"].sum()
                assert series["denominator"].sum() == rows["denominator"].sum()
        # the process rows of the family file are the weekly measure file
        process = family[family["kind"] == "process"].sort_values("week_start")
        series = store.measure_series(int(measures["id"].iloc[0]))
        assert series["numerator"].tolist() == process["numerator"].tolist()
        page = store.export_html(pid)
        assert "<h2>Outcome measure: Fever cases treated according to the test result</h2>" in page


def test_the_example_refuses_a_family_whose_process_rows_differ(db):
    measure = pd.read_csv(dataset_path("pdsa_measure.csv"))
    cycles = pd.read_csv(dataset_path("pdsa_cycles.csv"))
    family = pd.read_csv(dataset_path("pdsa_family_of_measures.csv"))
    changed = family.copy()
    first = changed.index[changed["kind"] == "process"][0]
    changed.loc[first, "numerator"] += 1
    with pytest.raises(InputError, match="does not hold the same numbers"):
        pdsa.example_project_data(measure, cycles, family=changed)
    changed = family.copy()
    changed.loc[changed.index[0], "kind"] = "impact"
    with pytest.raises(InputError, match="'impact' is not a role"):
        pdsa.example_project_data(measure, cycles, family=changed)
    # without the family the project holds the process measure only, its role not stated
    data = pdsa.example_project_data(measure, cycles)
    assert [m["role"] for m in data["measures"]] == [""]
    assert family.equals(pd.read_csv(dataset_path("pdsa_family_of_measures.csv")))


def test_example_project_is_the_same_every_time(tmp_path):
    exports = []
    for name in ("a.sqlite", "b.sqlite"):
        with pdsa.ProjectStore(tmp_path / name) as store:
            exports.append(store.export_json(pdsa.load_example_project(store, today=TODAY)))
    assert exports[0] == exports[1]
    data = json.loads(exports[0])
    assert data["values"][0]["entered_at"] == "2025-01-13T09:00:00+00:00"  # Monday after week 1


def test_cycle_summary_pools_numerators_and_denominators(db):
    with pdsa.ProjectStore(db) as store:
        pid = pdsa.load_example_project(store, today=TODAY)
        mid = int(store.list_measures(pid)["id"].iloc[0])
        summary = pdsa.cycle_summary(store.measure_series(mid), store.list_cycles(pid))
    first = summary.iloc[0]
    # weeks starting 2025-03-31 .. 2025-04-21 (cycle 1: 2025-03-31 to 2025-04-25)
    assert first["periods"] == 4
    assert (first["numerator"], first["denominator"]) == (108, 154)
    assert first["value"] == pytest.approx(108 / 154)


def test_cycle_summary_for_counts_and_empty_cycles():
    series = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20"]),
            "numerator": [None, None, None],
            "denominator": [None, None, None],
            "value": [2.0, 4.0, 9.0],
        }
    )
    cycles = pd.DataFrame(
        {
            "number": [1, 2],
            "start_date": ["2025-01-06", "2025-03-01"],
            "end_date": ["2025-01-13", "2025-03-31"],
        }
    )
    out = pdsa.cycle_summary(series, cycles)
    assert out["periods"].tolist() == [2, 0]
    assert out["value"].iloc[0] == pytest.approx(3.0)  # mean of 2 and 4
    assert pd.isna(out["value"].iloc[1])
    assert series["value"].tolist() == [2.0, 4.0, 9.0]  # input unchanged


def test_cycle_summary_names_missing_columns():
    with pytest.raises(InputError, match="no column 'start_date'"):
        pdsa.cycle_summary(pd.DataFrame({"period": [], "value": []}), pd.DataFrame({"number": []}))


# --------------------------------------------------------------------------- the tool


def test_starts_empty_and_loads_the_example(db):
    tool = tracker(db)
    assert tool.project.options == ()
    assert "phcpm-app" in tool.widget._dom_classes
    tool.example_button.click()
    assert tool.project_id is not None
    assert "Pezali Lake" in tool.project.label
    assert "2025-10-06" in tool.values_table.value
    assert "<img" not in tool.chart.value  # drawn only when its tab is opened
    tool.tabs.selected_index = 2
    assert "<img" in tool.chart.value and "alt=" in tool.chart.value
    assert "PDSA 2" in tool.chart.value  # the cycles are named in the alt text
    assert "phcpm-download" in tool.chart_download.value
    assert "PDSA 2" in tool.cycle.options[2][0]
    assert "Example data" in tool.audit.value
    assert not tool.json_download.built  # built only when asked for
    tool.json_download.button.click()
    assert "phcpm-download" in tool.json_download.link.value
    bundle = tool._repr_mimebundle_()
    assert bundle["text/plain"] == "PDSA tracker"


def test_the_tool_shows_each_measure_of_the_family_with_its_role(db):
    import io

    from openpyxl import load_workbook

    tool = tracker(db)
    tool.load_example()
    family = tool.family_table.value
    for words in ("Outcome", "Process", "Balancing", "Minutes waited at the test corner"):
        assert words in family
    labels = [label for label, _ in tool.measure.options]
    assert labels == [
        "Process measure: Under-five fever cases tested for malaria",
        "Outcome measure: Fever cases treated according to the test result",
        "Balancing measure: Minutes waited at the test corner",
        "Balancing measure: Days without malaria test kits",
    ]
    tool.measure.value = tool.measure.options[2][1]
    assert "Value (minutes)" in tool.values_table.value
    tool.tabs.selected_index = 2
    assert "Balancing measure: Minutes waited at the test corner" in tool.chart.value
    # the whole-project workbook carries every measure and its role
    data = json.loads(tool.store.export_json(tool.project_id))
    assert [m["role"] for m in data["measures"]] == ["process", "outcome", "balancing", "balancing"]
    book = load_workbook(io.BytesIO(tool.store.export_excel(tool.project_id)))
    roles = [row[3] for row in book["Measures"].iter_rows(min_row=2, values_only=True)]
    assert roles == ["process", "outcome", "balancing", "balancing"]
    page = tool._printable_bytes().decode("utf-8")
    assert "<h2>Family of measures</h2>" in page and "Days without malaria test kits" in page
    # a new measure gets the role chosen for it
    tool.new_measure_name.value = "Children sent home without a test"
    tool.new_measure_kind.value = "count"
    tool.new_measure_role.value = "balancing"
    tool.new_measure_direction.value = "lower"
    mid = tool.add_measure()
    assert tool.store.get_measure(mid)["role"] == "balancing"
    assert tool.measure.label == "Balancing measure: Children sent home without a test"
    assert "Children sent home without a test" in tool.family_table.value
    assert tool.new_measure_role.value == ""  # the next measure's role is asked again


def test_a_lower_is_better_measure_keeps_its_direction_and_definition(db, tmp_path):
    tool = tracker(db)
    tool.new_name.value = "Shorter waiting at Kalembo dispensary"
    tool.create_button.click()
    definition = (
        "Numerator: none. Value: median minutes from arrival to the consultation, of the "
        "children timed on Tuesday morning, from the timing sheet kept by the clerk."
    )
    tool.new_measure_name.value = "Minutes waited for the consultation"
    tool.new_measure_kind.value = "measurement"
    tool.new_measure_unit.value = "minutes"
    tool.new_measure_role.value = "balancing"
    tool.new_measure_direction.value = "lower"
    tool.new_measure_definition.value = definition
    assert tool.guard.unsaved  # typed, not yet added: the page asks before it is left
    tool.new_measure_button.click()
    assert tool.message.value == ""
    mid = tool.measure.value
    saved = tool.store.get_measure(mid)
    assert saved["higher_is_better"] is False
    assert saved["definition"] == definition
    assert not tool.guard.unsaved
    # the form is empty again, and the next measure's direction is asked again
    assert tool.new_measure_definition.value == "" and tool.new_measure_direction.value is None
    assert "Better when lower" in tool.notes.value
    # the family table, the notes under the measure and the run chart say which way is better
    rows = re.findall(r"<tr>.*?</tr>", tool.family_table.value, flags=re.S)
    row = next(r for r in rows if "Minutes waited for the consultation" in r)
    assert "<td>Lower</td>" in row and html.escape(definition) in row
    assert "Better when lower: a fall is an improvement" in tool.measure_notes.value
    assert html.escape(definition) in tool.measure_notes.value
    tool.paste.value = "2025-09-01, 55\n2025-09-08, 48\n2025-09-15, 50"
    tool.paste_button.click()
    tool.tabs.selected_index = 2
    assert "(better when lower)" in tool.chart.value
    assert "Better when lower: a fall is an improvement" in tool.chart.value
    assert html.escape(definition) in tool.chart.value
    # a reload (a new tool on the same file) shows it the same way
    again = tracker(db)
    again.project.value = tool.project_id
    again.measure.value = mid
    assert "Better when lower" in again.measure_notes.value
    assert html.escape(definition) in again.measure_notes.value
    # the backup file and the workbook carry both, and bring them back
    other = tracker(tmp_path / "other.sqlite")
    for data, name in [
        (tool.store.export_json(tool.project_id).encode("utf-8"), "backup.json"),
        (tool.store.export_excel(tool.project_id), "project.xlsx"),
    ]:
        pid = other.store.import_file(data, name, today=TODAY)
        measures = other.store.list_measures(pid).set_index("name")
        assert not measures.loc["Minutes waited for the consultation", "higher_is_better"]
        assert measures.loc["Minutes waited for the consultation", "definition"] == definition


def test_a_measure_without_a_direction_is_refused_plainly(db):
    tool = tracker(db)
    tool.load_example()
    before = len(tool.store.list_measures(tool.project_id))
    tool.new_measure_name.value = "Missed follow-up visits"
    tool.new_measure_kind.value = "count"
    tool.new_measure_role.value = "outcome"
    tool.new_measure_definition.value = "Follow-up visits booked and not attended, register"
    assert tool.new_measure_direction.value is None  # nothing is chosen for the user
    tool.new_measure_button.click()
    message = html.unescape(tool.message.value)
    assert "better when its value is higher or lower" in message
    assert "Choose 'higher' or 'lower'" in message
    assert "Traceback" not in message
    assert len(tool.store.list_measures(tool.project_id)) == before
    # what was typed stays, to be completed
    assert tool.new_measure_name.value == "Missed follow-up visits"
    assert tool.new_measure_definition.value.startswith("Follow-up visits booked")
    tool.new_measure_direction.value = "lower"
    tool.new_measure_button.click()
    assert tool.message.value == ""
    assert tool.store.get_measure(tool.measure.value)["higher_is_better"] is False


def test_entering_a_value_checks_as_typed_and_keeps_the_form(db):
    tool = tracker(db)
    tool.load_example()
    tool.period.value = "2025-10-20"
    tool.numerator.value = "40"
    tool.denominator.value = "35"
    assert "larger than the denominator" in tool.message.value
    tool.save_button.click()
    assert "larger than the denominator" in tool.message.value
    assert (tool.period.value, tool.numerator.value, tool.denominator.value) == (
        "2025-10-20",
        "40",
        "35",
    )
    tool.numerator.value = "30"
    assert tool.message.value == ""
    tool.values_download.button.click()  # built before the value is saved
    tool.audit_download.button.click()
    tool.save_button.click()
    assert tool.message.value == ""
    assert "Saved the result" in tool.notes.value
    # files built before the save hold the old values: they are gone, not offered
    assert not tool.values_download.built and tool.values_download.link.value == ""
    assert not tool.audit_download.built
    saved = tool.values_download.build()
    values = pd.read_excel(io.BytesIO(saved), sheet_name=None)
    assert any(
        values[sheet].astype(str).apply(lambda col: col.str.contains("2025-10-20")).any().any()
        for sheet in values
    )
    assert "2025-10-20" in tool.values_table.value
    assert "Neema Otieno" in tool.audit.value
    assert tool.numerator.value == ""


def test_future_periods_and_duplicates_are_refused(db):
    tool = tracker(db)
    tool.load_example()
    tool.period.value = "2026-02-02"
    assert "in the future" in tool.message.value
    tool.period.value = "2025-10-06"  # already entered in the example
    tool.numerator.value = "30"
    tool.denominator.value = "35"
    tool.save_button.click()
    assert "already has a result" in tool.message.value
    assert tool.numerator.value == "30"


def test_a_name_is_needed(db):
    tool = tracker(db, user="")
    tool.load_example()
    tool.period.value = "2025-10-20"
    tool.numerator.value = "30"
    tool.denominator.value = "35"
    tool.save_button.click()
    assert "Your name is empty" in tool.message.value


def test_paste_is_all_or_nothing(db):
    tool = tracker(db)
    tool.load_example()
    before = len(tool.store.values(tool.measure.value))
    tool.paste.value = "2025-10-20, 30, 35\n2025-10-27, 36, 33\n"
    tool.paste_button.click()
    assert "line 2" in tool.message.value
    assert len(tool.store.values(tool.measure.value)) == before
    assert tool.paste.value.startswith("2025-10-20")  # kept for correction
    tool.paste.value = "2025-10-20, 30, 35\n2025-10-27; 31; 33\n"
    tool.paste_button.click()
    assert tool.message.value == ""
    assert len(tool.store.values(tool.measure.value)) == before + 2


def test_upload_values_from_a_csv(db):
    tool = tracker(db)
    tool.load_example()
    data = b"period,numerator,denominator\n2025-10-20,30,35\n"
    tool.values_upload.value = upload("weeks.csv", data)
    assert tool.message.value == ""
    assert "2025-10-20" in tool.values_table.value


def test_new_project_measure_and_cycle(db):
    tool = tracker(db)
    tool.new_name.value = "Shorter waiting at Kalembo dispensary"
    tool.new_aim.value = "By March 2026, half of patients wait less than 30 minutes"
    tool.create_button.click()
    assert tool.project_id is not None and tool.message.value == ""
    tool.new_measure_name.value = "Median waiting time"
    tool.new_measure_kind.value = "measurement"
    tool.new_measure_unit.value = "minutes"
    tool.new_measure_direction.value = "lower"
    tool.new_measure_button.click()
    assert tool.value.layout.display == "" and tool.numerator.layout.display == "none"
    tool.tabs.selected_index = 2
    assert "No measure" not in tool.chart.value
    tool.paste.value = "2025-09-01, 55\n2025-09-08, 48\n2025-09-15, 50"
    tool.paste_button.click()
    assert tool.message.value == ""
    assert "<img" in tool.chart.value
    tool.fields["title"].value = "Second registration desk on Mondays"
    tool.fields["predictions"].value = "Median wait falls below 40 minutes"
    tool.start_date.value = "2025-09-22"
    tool.cycle_save.click()
    assert tool.message.value == ""
    cycles = tool.store.list_cycles(tool.project_id)
    assert cycles["title"].tolist() == ["Second registration desk on Mondays"]
    tool.end_date.value = "2025-09-01"  # before the start
    tool.cycle_save.click()
    assert "ends" in tool.message.value and "before it starts" in tool.message.value


def test_two_trackers_editing_the_same_cycle(db):
    first = tracker(db, user="Neema Otieno")
    first.load_example()
    second = tracker(db, user="Baraka Chande")
    second.project.value = first.project_id
    cycle_id = first.cycle.options[2][1]  # PDSA 2
    first.cycle.value = cycle_id
    second.cycle.value = cycle_id
    first.fields["do_observations"].value = "Mothers found the test corner easily"
    first.cycle_save.click()
    assert first.message.value == ""
    second.fields["do_observations"].value = "Queue at the test corner on Monday mornings"
    second.cycle_save.click()
    assert "Someone else changed this cycle" in second.message.value
    assert CONFLICT_MESSAGE.split(",")[0] in second.message.value
    assert "Queue at the test corner" in second.kept.value
    assert second.kept.layout.display == ""
    assert second.fields["do_observations"].value == "Queue at the test corner on Monday mornings"
    saved = second.store.get_cycle(cycle_id)
    assert saved["do_observations"] == "Mothers found the test corner easily"
    second.cycle_reload.click()
    assert second.fields["do_observations"].value == "Mothers found the test corner easily"
    assert "Queue at the test corner" in second.kept.value


def test_export_and_import_round_trip(db, tmp_path):
    tool = tracker(db)
    pid = tool.load_example()
    text = tool.store.export_json(pid).encode("utf-8")
    other = tracker(tmp_path / "other.sqlite")
    other.import_upload.value = upload("project.json", text)
    assert other.message.value == ""
    assert other.store.export_json(other.project_id) == text.decode("utf-8")
    book = tool.store.export_excel(pid)
    third = tracker(tmp_path / "third.sqlite")
    third.import_bytes(book, "project.xlsx")
    assert len(third.store.values(third.measure.value)) == 40
    third.import_upload.value = upload("broken.json", b"{not json")
    assert "not valid JSON" in third.message.value


def test_default_path_comes_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "from_env.sqlite"
    monkeypatch.setenv(pdsa.ENV_VAR, str(path))
    tool = PdsaTracker()
    assert tool.store.path == path
    assert str(tmp_path) not in tool._repr_mimebundle_()["text/plain"]


# --------------------------------------------------------------------------- team workspaces


def shown(box):
    """The text of a message box as the user reads it (HTML entities decoded)."""
    return html.unescape(box.value)


def open_team(tool, name):
    """Type a team name and click 'Open', as a user does."""
    tool.team.value = name
    tool.team_button.click()


def project_names(tool):
    return [label for label, _ in tool.project.options]


def test_team_workspaces_show_only_their_own_projects(db):
    tool = tracker(db)
    tool.load_example()
    assert "shared (no team name)" in tool.workspace_text.value
    tool.json_download.button.click()
    assert tool.json_download.built
    tool.team.value = "Ruvo district team"
    tool.team_button.click()
    assert shown(tool.message) == ""
    assert "The workspace 'ruvo-district-team' is open: 0 projects." in shown(tool.notes)
    assert "ruvo-district-team" in tool.workspace_text.value
    assert "team workspace" in tool.workspace_text.value
    assert tool.store.path == db.parent / "projects-ruvo-district-team.sqlite"
    assert project_names(tool) == [] and tool.project_id is None
    assert "No project yet" in tool.aim_text.value
    assert "Example data" not in tool.audit.value  # nothing of the other workspace is shown
    # the backup built in the shared workspace has gone with it
    assert not tool.json_download.built and tool.json_download.link.value == ""
    assert tool.values_table.value == "<p>No measure yet.</p>"
    tool.json_download.button.click()  # no project here: a plain message, no file
    assert tool.json_download.link.value == ""
    assert "No project is open" in shown(tool.json_download.error)
    tool.new_name.value = "Shorter waiting at Ruvo dispensary"
    tool.create_button.click()
    assert project_names(tool) == ["Shorter waiting at Ruvo dispensary"]

    open_team(tool, "Kalembo team")
    assert project_names(tool) == []
    # another person of the Ruvo team, typing the name differently, sees the project
    colleague = tracker(db, user="Baraka Chande")
    open_team(colleague, "  RUVO District-Team ")
    assert project_names(colleague) == ["Shorter waiting at Ruvo dispensary"]
    assert "ruvo-district-team" in colleague.workspace_text.value

    open_team(tool, "")
    assert "The shared workspace is open: 1 project." in shown(tool.notes)
    assert "shared (no team name)" in tool.workspace_text.value
    assert len(project_names(tool)) == 1 and "Pezali Lake" in project_names(tool)[0]
    assert tool.project_id is not None and "2025-10-06" in tool.values_table.value
    assert tool.store.path == db
    with pdsa.ProjectStore(db) as shared:  # nothing was moved or lost
        assert len(shared.list_projects()) == 1


def test_switching_is_refused_while_a_new_cycle_is_not_saved(db):
    tool = tracker(db)
    tool.load_example()
    pid = tool.project_id
    tool.fields["title"].value = "Test corner open at lunchtime"
    tool.decision.value = "adapt"
    tool.team.value = "Ruvo district team"
    tool.team_button.click()
    assert UNSAVED_MESSAGE in shown(tool.message)
    assert "'Change tested (title)', 'Act: decision'" in shown(tool.message)
    assert "Save the cycle" in shown(tool.message)
    # nothing changed: same workspace, same project, the text is still in the form
    assert tool.store.path == db and tool.project_id == pid
    assert tool.fields["title"].value == "Test corner open at lunchtime"
    assert tool.decision.value == "adapt"
    assert tool.team.value == "Ruvo district team"
    assert "shared" in tool.workspace_text.value
    tool.cycle_save.click()
    assert shown(tool.message) == ""
    tool.team_button.click()
    assert shown(tool.message) == ""
    assert "ruvo-district-team" in tool.workspace_text.value
    assert tool.fields["title"].value == ""  # an empty form for the new workspace
    with pdsa.ProjectStore(db) as shared:
        titles = shared.list_cycles(pid)["title"].tolist()
    assert titles[-1] == "Test corner open at lunchtime"


def test_switching_is_refused_while_a_saved_cycle_has_changes(db):
    tool = tracker(db)
    tool.load_example()
    tool.cycle.value = tool.cycle.options[2][1]  # PDSA 2, as saved
    assert tool.unsaved_cycle_fields() == []
    tool.fields["do_observations"].value = "Queue at the test corner on Monday mornings"
    open_team(tool, "Ruvo district team")
    assert UNSAVED_MESSAGE in shown(tool.message)
    assert "'Do: observations'" in shown(tool.message)
    assert "Reload the cycle" in shown(tool.message)
    assert tool.store.path == db
    assert tool.fields["do_observations"].value == "Queue at the test corner on Monday mornings"
    tool.fields["do_observations"].value += "  "  # spaces at the ends do not count
    assert tool.unsaved_cycle_fields() == ["Do: observations"]
    tool.cycle_reload.click()  # drop the changes
    open_team(tool, "Ruvo district team")
    assert shown(tool.message) == ""
    assert tool.store.path == db.parent / "projects-ruvo-district-team.sqlite"


def test_text_kept_after_a_clash_also_stops_a_switch(db):
    first = tracker(db, user="Neema Otieno")
    first.load_example()
    second = tracker(db, user="Baraka Chande")
    cycle_id = first.cycle.options[2][1]
    first.cycle.value = second.cycle.value = cycle_id
    first.fields["do_observations"].value = "Mothers found the test corner easily"
    first.cycle_save.click()
    second.fields["do_observations"].value = "Queue at the test corner on Monday mornings"
    second.cycle_save.click()
    assert "Someone else changed this cycle" in shown(second.message)
    second.cycle_reload.click()  # the form shows the saved version; the text is kept below
    assert second.unsaved_cycle_fields() == ["Your text (not saved)"]
    open_team(second, "Ruvo district team")
    assert UNSAVED_MESSAGE in shown(second.message)
    assert "empty that box" in shown(second.message)
    assert "Queue at the test corner" in second.kept.value
    second.kept.value = ""
    open_team(second, "Ruvo district team")
    assert shown(second.message) == ""
    assert second.kept.layout.display == "none"


def test_a_name_without_letters_leaves_the_workspace_open(db):
    tool = tracker(db)
    pid = tool.load_example()
    open_team(tool, "?!")
    assert "has no letter or digit" in shown(tool.message)
    assert tool.store.path == db and tool.project_id == pid
    assert "shared" in tool.workspace_text.value
    assert sorted(p.name for p in db.parent.glob("*.sqlite")) == ["projects.sqlite"]


def test_the_team_from_the_environment_opens_first(tmp_path, monkeypatch):
    shared = tmp_path / "cohort.sqlite"
    monkeypatch.setenv(pdsa.ENV_VAR, str(shared))
    monkeypatch.setenv(pdsa.TEAM_ENV_VAR, "Pezali Lake team")
    tool = PdsaTracker(user="Neema Otieno", today=TODAY)
    assert tool.team.value == "Pezali Lake team"
    assert tool.store.path == tmp_path / "cohort-pezali-lake-team.sqlite"
    assert "pezali-lake-team" in tool.workspace_text.value
    assert shown(tool.message) == ""
    assert str(tmp_path) not in tool.workspace_text.value + shown(tool.notes)
    # an explicit empty team keeps the shared workspace
    plain = PdsaTracker(user="Neema Otieno", today=TODAY, team="")
    assert plain.team.value == "" and plain.store.path == shared
    # a facilitator's mistake in the variable is shown, and the shared workspace opens
    monkeypatch.setenv(pdsa.TEAM_ENV_VAR, "***")
    wrong = PdsaTracker(user="Neema Otieno", today=TODAY)
    assert "has no letter or digit" in shown(wrong.message)
    assert wrong.store.path == shared and "shared" in wrong.workspace_text.value
    assert "No project yet" in wrong.aim_text.value


# --------------------------------------------------------------------------- reloads and access codes


def test_the_team_in_the_page_address_opens_its_workspace(db):
    first = tracker(db)
    open_team(first, "Ruvo district team")
    assert first.guard.address == {"team": "Ruvo district team"}  # written into the address
    first.new_name.value = "Shorter waiting at Ruvo dispensary"
    first.create_button.click()
    # a reload: a new tool reads the page's query string
    again = PdsaTracker(db, user="", today=TODAY, clock=clock(), query="team=Ruvo+district+team")
    assert again.team.value == "Ruvo district team"
    assert again.workspace == "ruvo-district-team"
    assert project_names(again) == ["Shorter waiting at Ruvo dispensary"]
    open_team(again, "")
    assert again.guard.address == {"team": ""}  # the shared workspace takes it out


def test_the_remembered_name_fills_an_empty_name_box_only(db):
    tool = tracker(db, user="")
    tool.guard.remembered_name = "Neema Otieno"
    assert tool.user.value == "Neema Otieno"
    tool.user.value = "Baraka Chande"
    assert tool.guard.name == "Baraka Chande"  # what the browser will remember
    tool.guard.remembered_name = "Someone else"
    assert tool.user.value == "Baraka Chande"


def test_unsaved_cycle_text_and_pasted_values_ask_before_leaving(db):
    tool = tracker(db)
    tool.load_example()
    assert tool.guard.unsaved is False
    tool.fields["objective"].value = "See whether a second nurse shortens waiting"
    assert tool.guard.unsaved is True
    assert "Not saved yet: Objective" in shown(tool.cycle_status)
    tool.fields["title"].value = "Second nurse"
    tool.cycle_save.click()
    assert shown(tool.message) == ""
    assert tool.guard.unsaved is False and tool.cycle_status.value == ""
    tool.paste.value = "2025-10-20, 30, 35"
    assert tool.guard.unsaved is True and tool.cycle_status.value == ""
    tool.paste_button.click()
    assert tool.guard.unsaved is False


def protect(tool, code):
    tool.new_code.value = tool.new_code_again.value = code
    tool.code_button.click()


def test_a_protected_workspace_opens_only_with_its_code(db):
    tool = tracker(db)
    protect(tool, "mango tree at noon")
    assert "cannot have an access code" in shown(tool.message)  # not the shared workspace
    open_team(tool, "Ruvo district team")
    tool.new_code.value, tool.new_code_again.value = "mango tree at noon", "mango tree at nine"
    tool.code_button.click()
    assert "not the same" in shown(tool.message)
    protect(tool, "mango tree at noon")
    assert shown(tool.message) == "" and "now protected" in shown(tool.notes)
    assert "protected by the team's access code" in tool.workspace_text.value
    tool.new_name.value = "Shorter waiting at Ruvo dispensary"
    tool.create_button.click()

    other = tracker(db, user="Baraka Chande")
    other.fields["objective"].value = "Typed before opening"  # unsaved text stops a switch
    other.fields["objective"].value = ""
    other.team.value = "Ruvo district team"
    other.code.value = "mango tree at nine"
    other.team_button.click()
    assert "not right" in shown(other.message)
    assert other.team.value == "Ruvo district team"  # what was typed stays
    assert other.code.value == "mango tree at nine"
    assert other.workspace == "" and project_names(other) == []
    other.code.value = "mango tree at noon"
    other.team_button.click()
    assert shown(other.message) == ""
    assert project_names(other) == ["Shorter waiting at Ruvo dispensary"]
    assert other.code.value == ""  # not left on screen once used


def test_a_reload_into_a_protected_workspace_waits_for_the_code(db):
    tool = tracker(db)
    tool.load_example()  # the shared workspace has a project: it must not show instead
    open_team(tool, "Ruvo district team")
    protect(tool, "mango tree at noon")
    tool.new_name.value = "Shorter waiting at Ruvo dispensary"
    tool.create_button.click()

    again = PdsaTracker(db, user="", today=TODAY, clock=clock(), query="team=Ruvo+district+team")
    assert again.locked == "Ruvo district team"
    assert again.body.layout.display == "none"  # no project of any workspace is shown
    assert "protected by an access code" in shown(again.workspace_text)
    assert "protected by an access code" in shown(again.message)
    again.code.value = "wrong code, typed"
    again.team_button.click()
    assert again.locked and again.body.layout.display == "none"
    again.code.value = "mango tree at noon"
    again.team_button.click()
    assert not again.locked and again.body.layout.display == ""
    assert project_names(again) == ["Shorter waiting at Ruvo dispensary"]


def test_tables_and_downloads_speak_plainly(db):
    tool = tracker(db)
    tool.load_example()
    tool.fields["title"].value = "Second nurse"
    tool.cycle_save.click()
    for box in (tool.values_table, tool.cycles_table, tool.audit):
        headings = re.findall(r"<th>(.*?)</th>", box.value)
        assert headings and all("_" not in h for h in headings), headings
        text = shown(box)
        for word in ("NaN", "None", "True", "False", "nan"):
            assert not re.search(rf"\b{word}\b", text), (word, text[:300])
    assert "Not decided yet" in tool.cycles_table.value
    for download in (tool.values_download, tool.audit_download, tool.json_download):
        download.button.click()
    assert 'download="pdsa_values.xlsx"' in tool.values_download.link.value
    assert 'download="pdsa_history.xlsx"' in tool.audit_download.link.value
    assert tool.json_download.button.description == "Backup file of the project"
    assert 'download="pdsa_project_backup.json"' in tool.json_download.link.value
    for button in (tool.example_button, tool.code_button, tool.cycle_save):
        assert button.layout.width == "auto"


def test_a_printable_page_of_the_open_project(db):
    tool = tracker(db)
    tool.load_example()
    page = tool.printable.build().decode("utf-8")
    assert "<h1>" in page and "Pezali Lake" in page and "PDSA 1" in page
    assert "data:image/png" not in page  # no chart drawn yet
    tool.tabs.selected_index = 2  # the run chart is drawn
    assert tool.printable.build() is not None and tool.printable.built
    page = tool._printable_bytes().decode("utf-8")
    assert "data:image/png;base64," in page
    open_team(tool, "Another team")
    assert tool.printable.built is False  # the page of the other workspace's project went
