"""Descriptions of the fieldwork files: staff, attendance, supervision and appraisals;
the LQAS survey; the patient register and patient flow; the process steps; the PDSA
project files.
"""

from __future__ import annotations

from phcpm.synth import surveys, workforce
from phcpm.synth.fields import BIN, ORG, field

__all__ = ["FIELDWORK"]

#: file -> title, description, primary key (or None), fields, foreign keys
FIELDWORK: dict[str, dict] = {
    "staff.csv": {
        "title": "Staff",
        "description": "Health workers posted to each facility.",
        "primaryKey": ["staff_id"],
        "fields": [
            field("staff_id", "string", "Staff number", required=True),
            ORG,
            field("cadre", "string", "Professional group", required=True, enum=workforce.CADRES),
            field(
                "on_post",
                "integer",
                "1 working at the facility now, 0 posted but away (study leave, long absence)",
                required=True,
                **BIN,
            ),
            field("started", "date", "Date the person started at the facility", required=True),
        ],
    },
    "attendance.csv": {
        "title": "Daily attendance",
        "description": f"Attendance register, working days {workforce.ATTENDANCE_START} to {workforce.ATTENDANCE_END}, for staff on post in {workforce.ATTENDANCE_DISTRICT} District only.",
        "primaryKey": ["staff_id", "date"],
        "fields": [
            field("staff_id", "string", "Staff number (staff.csv)", required=True),
            field("date", "date", "Working day", required=True),
            field(
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
            field("date", "date", "Date of the visit (planned date if not done)", required=True),
            field(
                "supervisor_cadre",
                "string",
                "Who leads the visit",
                required=True,
                enum=workforce.SUPERVISORS,
            ),
            field(
                "planned", "integer", "1 in the quarterly plan, 0 unplanned", required=True, **BIN
            ),
            field("done", "integer", "1 the visit took place, 0 it did not", required=True, **BIN),
            field(
                "checklist_score",
                "integer",
                "Score on the supervision checklist (empty if not done)",
                "points (0-100)",
                minimum=0,
                maximum=100,
            ),
            field(
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
            field("staff_id", "string", "Staff number (staff.csv)", required=True),
            field("year", "integer", "Year", "year", required=True),
            field("due", "integer", "1 an appraisal was due", required=True, **BIN),
            field("done", "integer", "1 the appraisal was done", required=True, **BIN),
        ],
    },
    "lqas_survey.csv": {
        "title": "LQAS household survey",
        "description": f"Lot quality assurance sampling: {surveys.LQAS_N} respondents in each of 5 supervision areas per district; 1 yes, 0 no.",
        "primaryKey": ["supervision_area", "respondent"],
        "fields": [
            field("district", "string", "District", required=True),
            field("supervision_area", "string", "Supervision area (the LQAS 'lot')", required=True),
            field(
                "respondent",
                "integer",
                f"Respondent number, 1 to {surveys.LQAS_N}",
                required=True,
                minimum=1,
                maximum=surveys.LQAS_N,
            ),
            field(
                "anc4",
                "integer",
                "Mother of a child aged 0-11 months had 4 or more antenatal visits",
                **BIN,
            ),
            field(
                "skilled_birth",
                "integer",
                "That child's birth was attended by a skilled health worker",
                **BIN,
            ),
            field("penta3", "integer", "Child aged 12-23 months received Penta 3", **BIN),
            field("mcv1", "integer", "Child aged 12-23 months received measles vaccine", **BIN),
            field(
                "itn_slept",
                "integer",
                "Child under five slept under a treated net last night",
                **BIN,
            ),
            field(
                "fp_modern",
                "integer",
                "Woman 15-49 not wanting a child now uses a modern method",
                **BIN,
            ),
        ],
    },
    "lqas_true_coverage.csv": {
        "title": "LQAS true coverages (answer key)",
        "description": "The true coverage in each supervision area that the LQAS sample was drawn from, so lessons can show how often the decision rule classifies an area wrongly.",
        "primaryKey": ["supervision_area", "indicator"],
        "fields": [
            field("district", "string", "District", required=True),
            field("supervision_area", "string", "Supervision area", required=True),
            field(
                "indicator",
                "string",
                "Column of lqas_survey.csv",
                required=True,
                enum=surveys.LQAS_INDICATORS,
            ),
            field(
                "true_coverage",
                "number",
                "True share of 'yes' in the whole area",
                "proportion (0-1)",
                required=True,
                minimum=0,
                maximum=1,
            ),
            field(
                "sample_yes",
                "integer",
                "Number of 'yes' answers in the sample",
                "respondents",
                required=True,
                minimum=0,
            ),
            field("sample_size", "integer", "Respondents sampled", "respondents", required=True),
        ],
    },
    "patient_register.csv": {
        "title": "Under-five OPD register",
        "description": f"Records from the under-five outpatient registers of eight health centres, in register order: {surveys.REGISTER_PER_DAY} records each working day. Thursday is the busy under-five clinic day, when care is rushed. Quality criteria: 1 met, 0 not met, empty not applicable.",
        "primaryKey": ["record_id"],
        "fields": [
            field("record_id", "string", "Record number, in register order", required=True),
            ORG,
            field("district", "string", "District", required=True),
            field("visit_date", "date", "Date of the visit", required=True),
            field(
                "age_months",
                "integer",
                "Age of the child",
                "months",
                required=True,
                minimum=0,
                maximum=59,
            ),
            field("sex", "string", "F or M", required=True, enum=["F", "M"]),
            field(
                "diagnosis",
                "string",
                "malaria, pneumonia, diarrhoea or other",
                required=True,
                enum=["malaria", "pneumonia", "diarrhoea", "other"],
            ),
            field("weight_recorded", "integer", "Weight written in the register", **BIN),
            field("temperature_recorded", "integer", "Temperature written in the register", **BIN),
            field(
                "malaria_test_done",
                "integer",
                "Child with fever tested for malaria (empty: no fever)",
                **BIN,
            ),
            field(
                "correct_treatment",
                "integer",
                "Treatment follows national guidelines (empty for 'other')",
                **BIN,
            ),
            field(
                "follow_up_given",
                "integer",
                "Follow-up visit date given (pneumonia and diarrhoea only)",
                **BIN,
            ),
        ],
    },
    "patient_flow.csv": {
        "title": "Patient flow time stamps",
        "description": "Time-and-motion study: when each patient arrived, started each step and left, at three health centres over five days. Lab is empty when no test was needed. One centre has a single triage nurse.",
        "primaryKey": ["patient_id"],
        "fields": [
            field("patient_id", "string", "Visit number", required=True),
            ORG,
            field("date", "date", "Day of the study", required=True),
            field("arrival", "datetime", "Arrival at the facility", required=True),
            field("registration", "datetime", "Registration started", required=True),
            field("triage", "datetime", "Triage started", required=True),
            field("consultation", "datetime", "Consultation started", required=True),
            field("lab", "datetime", "Laboratory test started (empty: no test)"),
            field("pharmacy", "datetime", "Dispensing started", required=True),
            field("exit", "datetime", "Left the facility", required=True),
        ],
    },
    "process_steps.csv": {
        "title": "Process map of a health centre visit",
        "description": "Steps of a patient's journey, with who does each step and where it goes next.",
        "primaryKey": ["step_id"],
        "fields": [
            field("step_id", "string", "Step ID", required=True),
            field("label", "string", "What happens", required=True),
            field(
                "lane",
                "string",
                "Who does it",
                required=True,
                enum=["Patient", "Registration clerk", "Nurse", "Clinician", "Lab", "Pharmacy"],
            ),
            field(
                "kind",
                "string",
                "start, step, decision, wait or end",
                required=True,
                enum=["start", "step", "decision", "wait", "end"],
            ),
            field("next", "string", "Next step IDs, separated by ';' (empty at the end)"),
            field(
                "next_labels", "string", "Labels of the branches after a decision, separated by ';'"
            ),
        ],
    },
    "pdsa_measure.csv": {
        "title": "Improvement project: weekly measure",
        "description": "Weekly numerator and denominator of the improvement project's measure.",
        "primaryKey": ["project", "week_start"],
        "fields": [
            field("project", "string", "Project name", required=True),
            ORG,
            field("week_start", "date", "Monday of the week", required=True),
            field(
                "numerator",
                "integer",
                "Under-five fever cases tested for malaria",
                "children",
                required=True,
                minimum=0,
            ),
            field(
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
            field("project", "string", "Project name", required=True),
            field("cycle", "integer", "Cycle number", required=True),
            field("start", "date", "First day of the test", required=True),
            field("end", "date", "Last day of the test", required=True),
            field("change_idea", "string", "The change tested", required=True),
            field("prediction", "string", "What the team expected", required=True),
            field("result", "string", "What happened", required=True),
            field(
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
            field("project", "string", "Project name (as in pdsa_measure.csv)", required=True),
            ORG,
            field("week_start", "date", "Monday of the week", required=True),
            field(
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
            field(
                "kind",
                "string",
                "outcome, process or balancing",
                required=True,
                enum=["outcome", "process", "balancing"],
            ),
            field(
                "numerator",
                "integer",
                "Children counted (proportions only; empty for minutes and days)",
                "children",
                minimum=0,
            ),
            field(
                "denominator",
                "integer",
                "Under-five fever cases seen (proportions only; empty for minutes and days)",
                "children",
                minimum=0,
            ),
            field(
                "value",
                "number",
                "The measure: numerator / denominator for proportions, else minutes or days",
                "see unit",
                required=True,
                minimum=0,
            ),
            field(
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
            field("project", "string", "Project name", required=True),
            ORG,
            field("cycle", "integer", "Cycle number, in order", required=True, minimum=1),
            field("start", "date", "First day of the test", required=True),
            field("end", "date", "Last day of the test", required=True),
            field(
                "scale", "string", "Who, when and how many: the scale of the test", required=True
            ),
            field(
                "change_idea", "string", "The change tested, with its adaptations", required=True
            ),
            field("prediction", "string", "What the team expected, written before", required=True),
            field(
                "fever_cases",
                "integer",
                "Under-five fever cases seen during the test",
                "children",
                required=True,
                minimum=0,
            ),
            field(
                "tested",
                "integer",
                "Of them, tested for malaria before they saw the clinician",
                "children",
                required=True,
                minimum=0,
            ),
            field("result", "string", "What happened, against the prediction", required=True),
            field(
                "decision",
                "string",
                "scale up (test at the next scale), adapt (change and repeat at the same "
                "scale), abandon, or adopt (make it the routine)",
                required=True,
                enum=["scale up", "adapt", "abandon", "adopt"],
            ),
        ],
    },
}
