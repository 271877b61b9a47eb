"""Descriptions of the routine data files and of the reference files: organisation units,
data elements, monthly service data, reporting, population, district scores, the
answer key, the indicator catalogue and the DHIS2 downloads.
"""

from __future__ import annotations

from phcpm.synth import problems, services, surveys
from phcpm.synth.fields import BIN, MONTH, ORG, UID, field
from phcpm.synth.geography import FACILITY_TYPES, LOW_DENOMINATOR_DISTRICT

__all__ = ["REFERENCE", "ROUTINE"]

#: file -> title, description, primary key (or None), fields, foreign keys
ROUTINE: dict[str, dict] = {
    "org_units.csv": {
        "title": "Organisation units",
        "description": "The country, its regions, districts and health facilities (one row each).",
        "primaryKey": ["org_unit_id"],
        "fields": [
            field(
                "org_unit_id",
                "string",
                "DHIS2-style ID (a letter and 10 letters or digits)",
                required=True,
                **UID,
            ),
            field("name", "string", "Name as a manager would use it", required=True),
            field(
                "level",
                "integer",
                "1 country, 2 region, 3 district, 4 facility",
                required=True,
                enum=[1, 2, 3, 4],
            ),
            field(
                "level_name",
                "string",
                "Country, Region, District or Facility",
                required=True,
                enum=["Country", "Region", "District", "Facility"],
            ),
            field("parent_id", "string", "ID of the unit one level up (empty for the country)"),
            field("region", "string", "Region name (empty for the country)"),
            field("district", "string", "District name (empty above district level)"),
            field(
                "facility_type",
                "string",
                "hospital, health_centre, health_post or community_clinic (empty above facilities)",
                enum=FACILITY_TYPES,
            ),
            field(
                "urban_rural", "string", "urban or rural (facilities only)", enum=["urban", "rural"]
            ),
            field(
                "catchment_population",
                "integer",
                "Real catchment population in 2023 (sum of facilities for districts, regions and the country)",
                "people",
                required=True,
                minimum=0,
            ),
            field("opened_year", "integer", "Year the facility opened (facilities only)", "year"),
        ],
    },
    "data_elements.csv": {
        "title": "Data elements",
        "description": "The counts in the monthly PHC report.",
        "primaryKey": ["data_element"],
        "fields": [
            field("data_element", "string", "Short code used in service_data.csv", required=True),
            field(
                "uid",
                "string",
                "DHIS2-style ID, used in dhis2/datavalueset.csv",
                required=True,
                **UID,
            ),
            field("name", "string", "Name as shown in reports", required=True),
            field("description", "string", "What is counted", required=True),
            field("unit", "string", "What one unit of the count is", required=True),
            field(
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
            field("period", "string", "Month, YYYY-MM", required=True, **MONTH),
            field(
                "data_element",
                "string",
                "Code from data_elements.csv",
                required=True,
                enum=services.CODES,
            ),
            field(
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
            field("period", "string", "Month the report covers, YYYY-MM", required=True, **MONTH),
            field(
                "dataset",
                "string",
                "Name of the report form",
                required=True,
                enum=["PHC monthly report"],
            ),
            field(
                "expected", "integer", "1: a report was expected", "reports", required=True, **BIN
            ),
            field(
                "received",
                "integer",
                "1 received, 0 not received",
                "reports",
                required=True,
                **BIN,
            ),
            field("submitted_on", "date", "Date the report was entered (empty if not received)"),
            field("deadline", "date", "Deadline: the 15th of the following month", required=True),
            field(
                "on_time",
                "integer",
                "1 by the deadline, 0 late, empty if not received",
                "reports",
                **BIN,
            ),
        ],
    },
    "population.csv": {
        "title": "Official population and target groups",
        "description": f"Official projections used as denominators, for facilities and districts. The figures for {LOW_DENOMINATOR_DISTRICT} District and its facilities are too low on purpose (see answer_key.csv).",
        "primaryKey": ["org_unit_id", "year"],
        "fields": [
            field("org_unit_id", "string", "ID of a facility or a district", required=True, **UID),
            field("year", "integer", "Year", "year", required=True),
            field(
                "total_population",
                "integer",
                "Total population (2.5 % growth a year from 2023)",
                "people",
                required=True,
                minimum=0,
            ),
            field(
                "expected_pregnancies",
                "integer",
                "Live births x 1.05",
                "women",
                required=True,
                minimum=0,
            ),
            field(
                "live_births",
                "integer",
                "3.5 % of the population",
                "births",
                required=True,
                minimum=0,
            ),
            field(
                "surviving_infants",
                "integer",
                "3.3 % of the population",
                "children",
                required=True,
                minimum=0,
            ),
            field(
                "under5", "integer", "16 % of the population", "children", required=True, minimum=0
            ),
        ],
    },
}

#: The reference files and DHIS2 downloads, in the same form.
REFERENCE: dict[str, dict] = {
    "district_scores.csv": {
        "title": "District performance scores",
        "description": "Scores (0-100) from the national district performance assessment, by domain and year; each district has clear strengths and weaknesses.",
        "primaryKey": ["district", "domain", "year"],
        "fields": [
            field("district", "string", "District", required=True),
            field(
                "domain", "string", "Area of performance", required=True, enum=surveys.SCORE_DOMAINS
            ),
            field("year", "integer", "Year", "year", required=True),
            field(
                "score", "integer", "Score", "points (0-100)", required=True, minimum=0, maximum=100
            ),
        ],
    },
    "answer_key.csv": {
        "title": "Answer key: problems put in on purpose",
        "description": "Every data problem placed in the files on purpose, with the true and the recorded value.",
        "primaryKey": ["problem_id"],
        "fields": [
            field("problem_id", "string", "Problem number", required=True),
            field(
                "problem_type",
                "string",
                "Kind of problem",
                required=True,
                enum=[*problems.HOW_MANY, "missing_reports", "denominator_too_low"],
            ),
            field("file", "string", "File where the problem is", required=True),
            field("org_unit_id", "string", "Facility or district concerned", **UID),
            field("period", "string", "Month (YYYY-MM), range of months (YYYY-MM/YYYY-MM) or year"),
            field("data_element", "string", "Data element or column concerned"),
            field("true_value", "integer", "What the value should be (empty when there is none)"),
            field(
                "recorded_value",
                "integer",
                "What is in the file (for reports: days late or months missing)",
            ),
            field("description", "string", "The problem in plain words", required=True),
        ],
    },
    "indicator_catalogue.csv": {
        "title": "Indicator catalogue",
        "description": "PHC indicators with their definitions, data sources and references.",
        "primaryKey": ["indicator_id"],
        "fields": [
            field("indicator_id", "string", "Indicator ID", required=True),
            field("name", "string", "Indicator name", required=True),
            field("definition", "string", "What the indicator measures"),
            field("numerator", "string", "Numerator"),
            field("denominator", "string", "Denominator"),
            field("data_elements", "string", "Data elements used"),
            field("data_source", "string", "Where the data come from"),
            field("frequency", "string", "How often it is reported"),
            field("level", "string", "Level at which it is used"),
            field("framework_domain", "string", "Domain of the PHC performance framework"),
            field("results_chain", "string", "Input, process, output, outcome or impact"),
            field("higher_is_better", "boolean", "True when a higher value is better"),
            field("dimension", "string", "Performance dimension most directly measured"),
            field("unit", "string", "Unit of the indicator"),
            field("typical_target", "number", "A usual target, in the indicator's unit"),
            field("target_source", "string", "Where the target comes from"),
            field("disaggregation", "string", "Usual breakdowns, separated by ';'"),
            field("reference", "string", "Source of the definition"),
        ],
    },
    "dhis2/datavalueset.csv": {
        "title": "DHIS2 data value set download",
        "description": "Service data of Ruvo District for 2025 as a DHIS2 data value set CSV.",
        "primaryKey": None,
        "fields": [
            field(
                "dataelement",
                "string",
                "Data element UID (data_elements.csv)",
                required=True,
                **UID,
            ),
            field("period", "string", "Month, YYYYMM", required=True, pattern="^[0-9]{6}$"),
            field("orgunit", "string", "Facility UID", required=True, **UID),
            field(
                "categoryoptioncombo",
                "string",
                "Category option combination (default)",
                required=True,
            ),
            field(
                "attributeoptioncombo",
                "string",
                "Attribute option combination (default)",
                required=True,
            ),
            field("value", "integer", "The value", required=True),
            field("storedby", "string", "User who entered the value"),
            field("lastupdated", "datetime", "When the value was last changed"),
            field("comment", "string", "Comment"),
            field("followup", "boolean", "Marked for follow-up"),
        ],
    },
    "dhis2/pivot.csv": {
        "title": "DHIS2 pivot table download",
        "description": "The same data as a DHIS2 pivot table export, with names instead of codes. dhis2/pivot.xlsx has the same table below two title rows and a blank row.",
        "primaryKey": None,
        "fields": [
            field("Data", "string", "Data element name", required=True),
            field("Period", "string", "Month as a name, e.g. 'January 2025'", required=True),
            field("Organisation unit", "string", "Facility name", required=True),
            field("Value", "integer", "The value", required=True),
        ],
    },
}
