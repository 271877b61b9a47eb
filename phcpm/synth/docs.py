"""The data dictionary (``README.md``) and the Frictionless data package (``datapackage.json``).

Both are written from the one description of every file below, so the two can
never disagree. The package follows the Frictionless Data Package and Table
Schema specifications (Frictionless Data, v1, 2017-2021).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from phcpm.synth import dhis2, problems, services, surveys, workforce
from phcpm.synth.geography import (
    COUNTRY,
    FACILITY_TYPES,
    LOW_DENOMINATOR_DISTRICT,
    REGIONS,
)

_UID = {"pattern": "^[A-Za-z][A-Za-z0-9]{10}$"}
_MONTH = {"pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}
_BIN = {"enum": [0, 1]}


def _f(name, type_, description, unit="", required=False, **constraints):
    return {
        "name": name,
        "type": type_,
        "description": description,
        "unit": unit,
        "required": required,
        "constraints": constraints,
    }


ORG = _f("org_unit_id", "string", "DHIS2-style ID of the facility", required=True, **_UID)

#: file -> (title, description, primary key or None, fields, foreign keys)
RESOURCES: dict[str, dict] = {
    "org_units.csv": {
        "title": "Organisation units",
        "description": "The country, its regions, districts and health facilities (one row each).",
        "primaryKey": ["org_unit_id"],
        "fields": [
            _f(
                "org_unit_id",
                "string",
                "DHIS2-style ID (a letter and 10 letters or digits)",
                required=True,
                **_UID,
            ),
            _f("name", "string", "Name as a manager would use it", required=True),
            _f(
                "level",
                "integer",
                "1 country, 2 region, 3 district, 4 facility",
                required=True,
                enum=[1, 2, 3, 4],
            ),
            _f(
                "level_name",
                "string",
                "Country, Region, District or Facility",
                required=True,
                enum=["Country", "Region", "District", "Facility"],
            ),
            _f("parent_id", "string", "ID of the unit one level up (empty for the country)"),
            _f("region", "string", "Region name (empty for the country)"),
            _f("district", "string", "District name (empty above district level)"),
            _f(
                "facility_type",
                "string",
                "hospital, health_centre, health_post or community_clinic (empty above facilities)",
                enum=FACILITY_TYPES,
            ),
            _f(
                "urban_rural", "string", "urban or rural (facilities only)", enum=["urban", "rural"]
            ),
            _f(
                "catchment_population",
                "integer",
                "Real catchment population in 2023 (sum of facilities for districts, regions and the country)",
                "people",
                required=True,
                minimum=0,
            ),
            _f("opened_year", "integer", "Year the facility opened (facilities only)", "year"),
        ],
    },
    "data_elements.csv": {
        "title": "Data elements",
        "description": "The counts in the monthly PHC report.",
        "primaryKey": ["data_element"],
        "fields": [
            _f("data_element", "string", "Short code used in service_data.csv", required=True),
            _f(
                "uid",
                "string",
                "DHIS2-style ID, used in dhis2/datavalueset.csv",
                required=True,
                **_UID,
            ),
            _f("name", "string", "Name as shown in reports", required=True),
            _f("description", "string", "What is counted", required=True),
            _f("unit", "string", "What one unit of the count is", required=True),
            _f(
                "aggregation",
                "string",
                "How values add up over facilities and months",
                required=True,
                enum=["sum"],
            ),
        ],
    },
    "service_data.csv": {
        "title": "Monthly service data",
        "description": "One row per facility, month and data element, for received reports and services the facility offers. Contains the problems listed in answer_key.csv, including duplicate rows, so it has no primary key.",
        "primaryKey": None,
        "fields": [
            ORG,
            _f("period", "string", "Month, YYYY-MM", required=True, **_MONTH),
            _f(
                "data_element",
                "string",
                "Code from data_elements.csv",
                required=True,
                enum=services.CODES,
            ),
            _f(
                "value",
                "integer",
                "The count reported (see data_elements.csv for the unit)",
                required=True,
            ),
        ],
        "foreignKeys": [
            {
                "fields": "org_unit_id",
                "reference": {"resource": "org_units", "fields": "org_unit_id"},
            },
            {
                "fields": "data_element",
                "reference": {"resource": "data_elements", "fields": "data_element"},
            },
        ],
    },
    "reporting.csv": {
        "title": "Report submission",
        "description": "One row per facility and month: was the monthly report received, and on time?",
        "primaryKey": ["org_unit_id", "period", "dataset"],
        "fields": [
            ORG,
            _f("period", "string", "Month the report covers, YYYY-MM", required=True, **_MONTH),
            _f(
                "dataset",
                "string",
                "Name of the report form",
                required=True,
                enum=["PHC monthly report"],
            ),
            _f("expected", "integer", "1: a report was expected", "reports", required=True, **_BIN),
            _f(
                "received",
                "integer",
                "1 received, 0 not received",
                "reports",
                required=True,
                **_BIN,
            ),
            _f("submitted_on", "date", "Date the report was entered (empty if not received)"),
            _f("deadline", "date", "Deadline: the 15th of the following month", required=True),
            _f(
                "on_time",
                "integer",
                "1 by the deadline, 0 late, empty if not received",
                "reports",
                **_BIN,
            ),
        ],
    },
    "population.csv": {
        "title": "Official population and target groups",
        "description": f"Official projections used as denominators, for facilities and districts. The figures for {LOW_DENOMINATOR_DISTRICT} District and its facilities are too low on purpose (see answer_key.csv).",
        "primaryKey": ["org_unit_id", "year"],
        "fields": [
            _f("org_unit_id", "string", "ID of a facility or a district", required=True, **_UID),
            _f("year", "integer", "Year", "year", required=True),
            _f(
                "total_population",
                "integer",
                "Total population (2.5 % growth a year from 2023)",
                "people",
                required=True,
                minimum=0,
            ),
            _f(
                "expected_pregnancies",
                "integer",
                "Live births x 1.05",
                "women",
                required=True,
                minimum=0,
            ),
            _f(
                "live_births",
                "integer",
                "3.5 % of the population",
                "births",
                required=True,
                minimum=0,
            ),
            _f(
                "surviving_infants",
                "integer",
                "3.3 % of the population",
                "children",
                required=True,
                minimum=0,
            ),
            _f("under5", "integer", "16 % of the population", "children", required=True, minimum=0),
        ],
    },
    "staff.csv": {
        "title": "Staff",
        "description": "Health workers posted to each facility.",
        "primaryKey": ["staff_id"],
        "fields": [
            _f("staff_id", "string", "Staff number", required=True),
            ORG,
            _f("cadre", "string", "Professional group", required=True, enum=workforce.CADRES),
            _f(
                "on_post",
                "integer",
                "1 working at the facility now, 0 posted but away (study leave, long absence)",
                required=True,
                **_BIN,
            ),
            _f("started", "date", "Date the person started at the facility", required=True),
        ],
    },
    "attendance.csv": {
        "title": "Daily attendance",
        "description": f"Attendance register, working days {workforce.ATTENDANCE_START} to {workforce.ATTENDANCE_END}, for staff on post in {workforce.ATTENDANCE_DISTRICT} District only.",
        "primaryKey": ["staff_id", "date"],
        "fields": [
            _f("staff_id", "string", "Staff number (staff.csv)", required=True),
            _f("date", "date", "Working day", required=True),
            _f(
                "status",
                "string",
                "present, late, absent_authorised or absent_unauthorised",
                required=True,
                enum=["present", "late", "absent_authorised", "absent_unauthorised"],
            ),
        ],
    },
    "supervision_visits.csv": {
        "title": "Supportive supervision visits",
        "description": "Quarterly planned district supervision visits to each facility (done or not), plus a few unplanned visits. For each planned visit that did not take place, the one main reason the supervisors gave; transport and competing duties are the most frequent, and roads close mostly in the rainy season.",
        "primaryKey": None,
        "fields": [
            ORG,
            _f("date", "date", "Date of the visit (planned date if not done)", required=True),
            _f(
                "supervisor_cadre",
                "string",
                "Who leads the visit",
                required=True,
                enum=workforce.SUPERVISORS,
            ),
            _f("planned", "integer", "1 in the quarterly plan, 0 unplanned", required=True, **_BIN),
            _f("done", "integer", "1 the visit took place, 0 it did not", required=True, **_BIN),
            _f(
                "checklist_score",
                "integer",
                "Score on the supervision checklist (empty if not done)",
                "points (0-100)",
                minimum=0,
                maximum=100,
            ),
            _f(
                "missed_reason",
                "string",
                "Main reason a planned visit did not take place (empty if done or unplanned)",
                enum=workforce.MISSED_REASONS,
            ),
        ],
    },
    "appraisals.csv": {
        "title": "Performance appraisals",
        "description": "Yearly appraisal of each staff member: due once the person has worked at least six months of the year.",
        "primaryKey": ["staff_id", "year"],
        "fields": [
            _f("staff_id", "string", "Staff number (staff.csv)", required=True),
            _f("year", "integer", "Year", "year", required=True),
            _f("due", "integer", "1 an appraisal was due", required=True, **_BIN),
            _f("done", "integer", "1 the appraisal was done", required=True, **_BIN),
        ],
    },
    "lqas_survey.csv": {
        "title": "LQAS household survey",
        "description": f"Lot quality assurance sampling: {surveys.LQAS_N} respondents in each of 5 supervision areas per district; 1 yes, 0 no.",
        "primaryKey": ["supervision_area", "respondent"],
        "fields": [
            _f("district", "string", "District", required=True),
            _f("supervision_area", "string", "Supervision area (the LQAS 'lot')", required=True),
            _f(
                "respondent",
                "integer",
                f"Respondent number, 1 to {surveys.LQAS_N}",
                required=True,
                minimum=1,
                maximum=surveys.LQAS_N,
            ),
            _f(
                "anc4",
                "integer",
                "Mother of a child aged 0-11 months had 4 or more antenatal visits",
                **_BIN,
            ),
            _f(
                "skilled_birth",
                "integer",
                "That child's birth was attended by a skilled health worker",
                **_BIN,
            ),
            _f("penta3", "integer", "Child aged 12-23 months received Penta 3", **_BIN),
            _f("mcv1", "integer", "Child aged 12-23 months received measles vaccine", **_BIN),
            _f(
                "itn_slept",
                "integer",
                "Child under five slept under a treated net last night",
                **_BIN,
            ),
            _f(
                "fp_modern",
                "integer",
                "Woman 15-49 not wanting a child now uses a modern method",
                **_BIN,
            ),
        ],
    },
    "lqas_true_coverage.csv": {
        "title": "LQAS true coverages (answer key)",
        "description": "The true coverage in each supervision area that the LQAS sample was drawn from, so lessons can show how often the decision rule classifies an area wrongly.",
        "primaryKey": ["supervision_area", "indicator"],
        "fields": [
            _f("district", "string", "District", required=True),
            _f("supervision_area", "string", "Supervision area", required=True),
            _f(
                "indicator",
                "string",
                "Column of lqas_survey.csv",
                required=True,
                enum=surveys.LQAS_INDICATORS,
            ),
            _f(
                "true_coverage",
                "number",
                "True share of 'yes' in the whole area",
                "proportion (0-1)",
                required=True,
                minimum=0,
                maximum=1,
            ),
            _f(
                "sample_yes",
                "integer",
                "Number of 'yes' answers in the sample",
                "respondents",
                required=True,
                minimum=0,
            ),
            _f("sample_size", "integer", "Respondents sampled", "respondents", required=True),
        ],
    },
    "patient_register.csv": {
        "title": "Under-five OPD register",
        "description": f"Records from the under-five outpatient registers of eight health centres, in register order: {surveys.REGISTER_PER_DAY} records each working day. Thursday is the busy under-five clinic day, when care is rushed. Quality criteria: 1 met, 0 not met, empty not applicable.",
        "primaryKey": ["record_id"],
        "fields": [
            _f("record_id", "string", "Record number, in register order", required=True),
            ORG,
            _f("district", "string", "District", required=True),
            _f("visit_date", "date", "Date of the visit", required=True),
            _f(
                "age_months",
                "integer",
                "Age of the child",
                "months",
                required=True,
                minimum=0,
                maximum=59,
            ),
            _f("sex", "string", "F or M", required=True, enum=["F", "M"]),
            _f(
                "diagnosis",
                "string",
                "malaria, pneumonia, diarrhoea or other",
                required=True,
                enum=["malaria", "pneumonia", "diarrhoea", "other"],
            ),
            _f("weight_recorded", "integer", "Weight written in the register", **_BIN),
            _f("temperature_recorded", "integer", "Temperature written in the register", **_BIN),
            _f(
                "malaria_test_done",
                "integer",
                "Child with fever tested for malaria (empty: no fever)",
                **_BIN,
            ),
            _f(
                "correct_treatment",
                "integer",
                "Treatment follows national guidelines (empty for 'other')",
                **_BIN,
            ),
            _f(
                "follow_up_given",
                "integer",
                "Follow-up visit date given (pneumonia and diarrhoea only)",
                **_BIN,
            ),
        ],
    },
    "patient_flow.csv": {
        "title": "Patient flow time stamps",
        "description": "Time-and-motion study: when each patient arrived, started each step and left, at three health centres over five days. Lab is empty when no test was needed. One centre has a single triage nurse.",
        "primaryKey": ["patient_id"],
        "fields": [
            _f("patient_id", "string", "Visit number", required=True),
            ORG,
            _f("date", "date", "Day of the study", required=True),
            _f("arrival", "datetime", "Arrival at the facility", required=True),
            _f("registration", "datetime", "Registration started", required=True),
            _f("triage", "datetime", "Triage started", required=True),
            _f("consultation", "datetime", "Consultation started", required=True),
            _f("lab", "datetime", "Laboratory test started (empty: no test)"),
            _f("pharmacy", "datetime", "Dispensing started", required=True),
            _f("exit", "datetime", "Left the facility", required=True),
        ],
    },
    "process_steps.csv": {
        "title": "Process map of a health centre visit",
        "description": "Steps of a patient's journey, with who does each step and where it goes next.",
        "primaryKey": ["step_id"],
        "fields": [
            _f("step_id", "string", "Step ID", required=True),
            _f("label", "string", "What happens", required=True),
            _f(
                "lane",
                "string",
                "Who does it",
                required=True,
                enum=["Patient", "Registration clerk", "Nurse", "Clinician", "Lab", "Pharmacy"],
            ),
            _f(
                "kind",
                "string",
                "start, step, decision, wait or end",
                required=True,
                enum=["start", "step", "decision", "wait", "end"],
            ),
            _f("next", "string", "Next step IDs, separated by ';' (empty at the end)"),
            _f(
                "next_labels", "string", "Labels of the branches after a decision, separated by ';'"
            ),
        ],
    },
    "pdsa_measure.csv": {
        "title": "Improvement project: weekly measure",
        "description": "Weekly numerator and denominator of the improvement project's measure.",
        "primaryKey": ["project", "week_start"],
        "fields": [
            _f("project", "string", "Project name", required=True),
            ORG,
            _f("week_start", "date", "Monday of the week", required=True),
            _f(
                "numerator",
                "integer",
                "Under-five fever cases tested for malaria",
                "children",
                required=True,
                minimum=0,
            ),
            _f(
                "denominator",
                "integer",
                "Under-five fever cases seen",
                "children",
                required=True,
                minimum=0,
            ),
        ],
    },
    "pdsa_cycles.csv": {
        "title": "Improvement project: PDSA cycles",
        "description": "Plan-Do-Study-Act cycles of the project: the change tried, the prediction, what happened and the decision.",
        "primaryKey": ["project", "cycle"],
        "fields": [
            _f("project", "string", "Project name", required=True),
            _f("cycle", "integer", "Cycle number", required=True),
            _f("start", "date", "First day of the test", required=True),
            _f("end", "date", "Last day of the test", required=True),
            _f("change_idea", "string", "The change tested", required=True),
            _f("prediction", "string", "What the team expected", required=True),
            _f("result", "string", "What happened", required=True),
            _f(
                "decision",
                "string",
                "adopt, adapt or abandon",
                required=True,
                enum=["adopt", "adapt", "abandon"],
            ),
        ],
    },
    "pdsa_family_of_measures.csv": {
        "title": "Improvement project: family of measures",
        "description": "The improvement project's outcome, process and balancing measures, week by week, in long form (one row per week and measure). The process rows hold the same numbers as pdsa_measure.csv. The outcome rises less than the process, because some children with a negative test are still given an antimalarial; the wait at the test corner grows when every child with fever is sent there, then settles above its old level; test kits run out on a few days while the kit order still follows the old consumption.",
        "primaryKey": ["project", "week_start", "measure"],
        "fields": [
            _f("project", "string", "Project name (as in pdsa_measure.csv)", required=True),
            ORG,
            _f("week_start", "date", "Monday of the week", required=True),
            _f(
                "measure",
                "string",
                "Fever cases treated according to the test result (children with fever tested "
                "and given an antimalarial only if positive, of all children with fever seen); "
                "Fever cases tested for malaria; Minutes waited at the test corner (median of "
                "the children timed on one morning of the week); Days without malaria test "
                "kits (clinic days of 5)",
                required=True,
                enum=[name for name, _, _ in surveys.PDSA_FAMILY],
            ),
            _f(
                "kind",
                "string",
                "outcome, process or balancing",
                required=True,
                enum=["outcome", "process", "balancing"],
            ),
            _f(
                "numerator",
                "integer",
                "Children counted (proportions only; empty for minutes and days)",
                "children",
                minimum=0,
            ),
            _f(
                "denominator",
                "integer",
                "Under-five fever cases seen (proportions only; empty for minutes and days)",
                "children",
                minimum=0,
            ),
            _f(
                "value",
                "number",
                "The measure: numerator / denominator for proportions, else minutes or days",
                "see unit",
                required=True,
                minimum=0,
            ),
            _f(
                "unit",
                "string",
                "Unit of value",
                required=True,
                enum=sorted({unit for _, _, unit in surveys.PDSA_FAMILY}),
            ),
        ],
    },
    "pdsa_ramp.csv": {
        "title": "Improvement project: a ramp of PDSA cycles",
        "description": "A second health centre tests the change adopted at Pezali Lake Health Centre as a ramp: one change, on a growing scale (one nurse one morning, then two days, one week, the busy Thursday clinic, the whole clinic). A step that meets its prediction goes up a scale; one that falls short is adapted and repeated at the same scale, and its adaptation is kept.",
        "primaryKey": ["project", "cycle"],
        "fields": [
            _f("project", "string", "Project name", required=True),
            ORG,
            _f("cycle", "integer", "Cycle number, in order", required=True, minimum=1),
            _f("start", "date", "First day of the test", required=True),
            _f("end", "date", "Last day of the test", required=True),
            _f("scale", "string", "Who, when and how many: the scale of the test", required=True),
            _f("change_idea", "string", "The change tested, with its adaptations", required=True),
            _f("prediction", "string", "What the team expected, written before", required=True),
            _f(
                "fever_cases",
                "integer",
                "Under-five fever cases seen during the test",
                "children",
                required=True,
                minimum=0,
            ),
            _f(
                "tested",
                "integer",
                "Of them, tested for malaria before they saw the clinician",
                "children",
                required=True,
                minimum=0,
            ),
            _f("result", "string", "What happened, against the prediction", required=True),
            _f(
                "decision",
                "string",
                "scale up (test at the next scale), adapt (change and repeat at the same "
                "scale), abandon, or adopt (make it the routine)",
                required=True,
                enum=["scale up", "adapt", "abandon", "adopt"],
            ),
        ],
    },
    "district_scores.csv": {
        "title": "District performance scores",
        "description": "Scores (0-100) from the national district performance assessment, by domain and year; each district has clear strengths and weaknesses.",
        "primaryKey": ["district", "domain", "year"],
        "fields": [
            _f("district", "string", "District", required=True),
            _f(
                "domain", "string", "Area of performance", required=True, enum=surveys.SCORE_DOMAINS
            ),
            _f("year", "integer", "Year", "year", required=True),
            _f(
                "score", "integer", "Score", "points (0-100)", required=True, minimum=0, maximum=100
            ),
        ],
    },
    "answer_key.csv": {
        "title": "Answer key: problems put in on purpose",
        "description": "Every data problem placed in the files on purpose, with the true and the recorded value.",
        "primaryKey": ["problem_id"],
        "fields": [
            _f("problem_id", "string", "Problem number", required=True),
            _f(
                "problem_type",
                "string",
                "Kind of problem",
                required=True,
                enum=[*problems.HOW_MANY, "missing_reports", "denominator_too_low"],
            ),
            _f("file", "string", "File where the problem is", required=True),
            _f("org_unit_id", "string", "Facility or district concerned", **_UID),
            _f("period", "string", "Month (YYYY-MM), range of months (YYYY-MM/YYYY-MM) or year"),
            _f("data_element", "string", "Data element or column concerned"),
            _f("true_value", "integer", "What the value should be (empty when there is none)"),
            _f(
                "recorded_value",
                "integer",
                "What is in the file (for reports: days late or months missing)",
            ),
            _f("description", "string", "The problem in plain words", required=True),
        ],
    },
    "indicator_catalogue.csv": {
        "title": "Indicator catalogue",
        "description": "PHC indicators with their definitions, data sources and references.",
        "primaryKey": ["indicator_id"],
        "fields": [
            _f("indicator_id", "string", "Indicator ID", required=True),
            _f("name", "string", "Indicator name", required=True),
            _f("definition", "string", "What the indicator measures"),
            _f("numerator", "string", "Numerator"),
            _f("denominator", "string", "Denominator"),
            _f("data_elements", "string", "Data elements used"),
            _f("data_source", "string", "Where the data come from"),
            _f("frequency", "string", "How often it is reported"),
            _f("level", "string", "Level at which it is used"),
            _f("framework_domain", "string", "Domain of the PHC performance framework"),
            _f("results_chain", "string", "Input, process, output, outcome or impact"),
            _f("higher_is_better", "boolean", "True when a higher value is better"),
            _f("dimension", "string", "Performance dimension most directly measured"),
            _f("unit", "string", "Unit of the indicator"),
            _f("typical_target", "number", "A usual target, in the indicator's unit"),
            _f("target_source", "string", "Where the target comes from"),
            _f("disaggregation", "string", "Usual breakdowns, separated by ';'"),
            _f("reference", "string", "Source of the definition"),
        ],
    },
    "dhis2/datavalueset.csv": {
        "title": "DHIS2 data value set download",
        "description": "Service data of Ruvo District for 2025 as a DHIS2 data value set CSV.",
        "primaryKey": None,
        "fields": [
            _f(
                "dataelement",
                "string",
                "Data element UID (data_elements.csv)",
                required=True,
                **_UID,
            ),
            _f("period", "string", "Month, YYYYMM", required=True, pattern="^[0-9]{6}$"),
            _f("orgunit", "string", "Facility UID", required=True, **_UID),
            _f(
                "categoryoptioncombo",
                "string",
                "Category option combination (default)",
                required=True,
            ),
            _f(
                "attributeoptioncombo",
                "string",
                "Attribute option combination (default)",
                required=True,
            ),
            _f("value", "integer", "The value", required=True),
            _f("storedby", "string", "User who entered the value"),
            _f("lastupdated", "datetime", "When the value was last changed"),
            _f("comment", "string", "Comment"),
            _f("followup", "boolean", "Marked for follow-up"),
        ],
    },
    "dhis2/pivot.csv": {
        "title": "DHIS2 pivot table download",
        "description": "The same data as a DHIS2 pivot table export, with names instead of codes. dhis2/pivot.xlsx has the same table below two title rows and a blank row.",
        "primaryKey": None,
        "fields": [
            _f("Data", "string", "Data element name", required=True),
            _f("Period", "string", "Month as a name, e.g. 'January 2025'", required=True),
            _f("Organisation unit", "string", "Facility name", required=True),
            _f("Value", "integer", "The value", required=True),
        ],
    },
}

RESOURCES.update(dhis2.RESOURCES)  # the other DHIS2 download layouts

_PANDAS_TYPE = {"b": "boolean", "i": "integer", "f": "number"}


def _catalogue_spec(df: pd.DataFrame) -> dict:
    """The catalogue's description, following the columns the catalogue really has."""
    spec = dict(RESOURCES["indicator_catalogue.csv"])
    known = {f["name"]: f for f in spec["fields"]}
    fields = []
    for col in df.columns:
        kind = _PANDAS_TYPE.get(df[col].dtype.kind, "string")
        f = dict(known.get(col, _f(col, kind, col.replace("_", " ").capitalize())))
        f["type"] = kind
        fields.append(f)
    spec["fields"] = fields
    return spec


def _schema(spec: dict) -> dict:
    fields = []
    for f in spec["fields"]:
        field = {"name": f["name"], "type": f["type"], "description": f["description"]}
        if f["type"] == "boolean":
            field["trueValues"] = ["true", "True"]
            field["falseValues"] = ["false", "False"]
        cons = dict(f["constraints"])
        if f["required"]:
            cons["required"] = True
        if cons:
            field["constraints"] = cons
        fields.append(field)
    schema = {"fields": fields, "missingValues": [""]}
    if spec.get("primaryKey"):
        schema["primaryKey"] = spec["primaryKey"]
    if spec.get("foreignKeys"):
        schema["foreignKeys"] = spec["foreignKeys"]
    return schema


def _resource_name(path: str) -> str:
    return path.removesuffix(".csv").replace("/", "_")


def _spec(path: str, tables: dict[str, pd.DataFrame]) -> dict:
    if path == "indicator_catalogue.csv":
        return _catalogue_spec(tables[path])
    return RESOURCES[path]


def datapackage(files: list[str], tables: dict[str, pd.DataFrame]) -> dict:
    """The data package descriptor for the CSV files in ``files``."""
    resources = []
    for path in files:
        spec = _spec(path, tables)
        resources.append(
            {
                "name": _resource_name(path),
                "path": path,
                "title": spec["title"],
                "description": spec["description"],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(spec),
            }
        )
    return {
        "name": "sendara-phc-district-data",
        "title": f"Synthetic primary health care data for the {COUNTRY}",
        "description": "Fictional, computer-generated district health data for learning to use data "
        "to manage primary health care performance. No real place or person is described.",
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}],
        "version": "1.0.0",
        "resources": resources,
    }


def _fields_table(spec: dict) -> str:
    lines = ["| Field | Type | Unit | Meaning |", "|---|---|---|---|"]
    for f in spec["fields"]:
        extra = []
        if f["required"]:
            extra.append("always filled")
        if "enum" in f["constraints"]:
            extra.append("one of: " + ", ".join(str(v) for v in f["constraints"]["enum"]))
        note = f" ({'; '.join(extra)})" if extra else ""
        lines.append(f"| `{f['name']}` | {f['type']} | {f['unit']} | {f['description']}{note} |")
    return "\n".join(lines)


def _ramp_sentence(ramp: pd.DataFrame | None) -> str:
    """One sentence on the ramp of PDSA cycles, with its numbers from the data."""
    if ramp is None or ramp.empty:
        return ""
    site = str(ramp["project"].iloc[0]).rsplit(", ", 1)[-1]
    adapted = int((ramp["decision"] == "adapt").sum())
    times = {0: "without adapting it", 1: "adapting it once", 2: "adapting it twice"}.get(
        adapted, f"adapting it {adapted} times"
    )
    return (
        f" {site} then tests the same change as a ramp of {len(ramp)} cycles, {times} on the way."
    )


def readme(files: list[str], tables: dict[str, pd.DataFrame]) -> str:
    """The data dictionary, in Markdown."""
    units = tables["org_units.csv"]
    fac = units.loc[units["level"] == 4]
    key = tables["answer_key.csv"]
    by_type = key.groupby("problem_type", sort=False).size()
    n_type = fac["facility_type"].value_counts().reindex(FACILITY_TYPES)
    districts = ", ".join(f"{r} ({', '.join(ds)})" for r, ds in REGIONS.items())
    out = [
        f"# Synthetic district data: the {COUNTRY}",
        "",
        f"Every file here describes the {COUNTRY}, a country that does not exist.",
        "All names of places and people are invented.",
        "The data are made by a computer program, with realistic patterns and with known problems put in on purpose, so that lessons can show how to find them.",
        "",
        "Do not edit these files by hand: they are written by `python -m phcpm.synth` (seed 20240501), which always writes exactly the same bytes.",
        "`datapackage.json` describes the same files for machines (Frictionless Data Package).",
        "",
        "## The country",
        "",
        f"- Two regions and six districts: {districts}.",
        f"- {len(fac)} health facilities: "
        + ", ".join(f"{int(n)} {t.replace('_', ' ')}s" for t, n in n_type.items())
        + ".",
        "- Catchment populations (2023) are lognormal by facility type: hospitals 40,000-120,000 people, health centres 10,000-30,000, health posts 3,000-8,000, community clinics 1,000-3,000.",
        "- 36 months of data, January 2023 to December 2025. Population grows 2.5 % a year.",
        "- Service counts follow population x rates (live births 3.5 % of the population a year, surviving infants 3.3 %), with differences between facilities, mild upward trends in antenatal care and immunisation, and random variation.",
        "- Malaria rises in the rainy season (November to April, peak in March-April) and is lower in the highlands of Kalindi Region.",
        "- Community clinics offer no antenatal care, deliveries or immunisation; most health posts have no delivery room; only hospitals and health centres diagnose tuberculosis. A service a facility does not offer has no rows at all (not zeros); its clients go to the district hospital and health centres.",
        "- Report completeness is between 80 % and 95 % in every district; a few facilities are often late and three fall silent for months.",
        "- Workforce problems: absenteeism and few appraisals in Tembwe; weak supportive supervision (visits not done, low scores) and few appraisals in Lusako; frequent stock-outs in Kavira.",
        "- Supervision visits that were missed carry one main reason each: no vehicle or fuel comes first, most of all in Lusako, then supervisors called to other duties; roads close mostly in the rainy season.",
        "- An improvement project at Pezali Lake Health Centre (Ruvo) raises the share of under-five fever cases tested for malaria from about 60 % to about 85 % in 2025. Its family of measures shows the costs as well: the treatment outcome rises less than testing, the wait at the test corner grows and then settles above its old level, and test kits run out on a few days."
        + _ramp_sentence(tables.get("pdsa_ramp.csv")),
        "",
        "## Problems put in on purpose",
        "",
        "`answer_key.csv` lists every one, with the true and the recorded value. Lessons use it to check what a data quality review finds.",
        "",
        "| Problem type | How many | File |",
        "|---|---|---|",
    ]
    for t, n in by_type.items():
        file = key.loc[key["problem_type"] == t, "file"].iloc[0]
        out.append(f"| {t.replace('_', ' ')} | {n} | `{file}` |")
    out += [
        "",
        f"The official population of {LOW_DENOMINATOR_DISTRICT} District (and of its facilities) in `population.csv` is too low, so coverage there is above 100 %.",
        "`lqas_true_coverage.csv` is the answer key for the LQAS survey: the true coverage each sample was drawn from.",
        "",
        "## Files",
        "",
    ]
    for path in files:
        spec = _spec(path, tables)
        df = tables.get(path)
        rows = f" {len(df):,} rows." if df is not None else ""
        key_text = (
            "Primary key: " + ", ".join(f"`{k}`" for k in spec["primaryKey"]) + "."
            if spec.get("primaryKey")
            else "No primary key."
        )
        out += [
            f"### `{path}`: {spec['title']}",
            "",
            spec["description"] + rows + " " + key_text,
            "",
        ]
        out += [_fields_table(spec), ""]
    out += [
        "### `dhis2/pivot.xlsx`",
        "",
        "The pivot table of `dhis2/pivot.csv` as an Excel workbook: a title row, a row naming the dimensions, a blank row, then the header `Data, Period, Organisation unit, Value`.",
        "",
        *dhis2.README_LINES,
        "## Larger data for speed tests",
        "",
        "`python -m phcpm.synth --facilities 10000 --out DIR` writes `org_units.csv`, `reporting.csv` and `service_data.csv` for 10,000 facilities to `DIR` (never into this folder).",
        "",
    ]
    return "\n".join(out)


def write_docs(out: Path, csv_files: list[str], tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Write ``README.md`` and ``datapackage.json``; return their paths."""
    files = [f for f in RESOURCES if f in csv_files or f.startswith("dhis2/")]
    pkg = datapackage(files, tables)
    pkg_path = out / "datapackage.json"
    pkg_path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path = out / "README.md"
    md_path.write_text(readme(files, tables), encoding="utf-8")
    return [pkg_path, md_path]
