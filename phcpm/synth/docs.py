"""The data dictionary (``README.md``) and the Frictionless data package (``datapackage.json``).

Both are written from the one description of every file
(:mod:`phcpm.synth.routine_files`, :mod:`phcpm.synth.fieldwork_files` and the DHIS2
download layouts in :mod:`phcpm.synth.dhis2`), so the two can never disagree. The package follows the Frictionless Data Package and Table
Schema specifications (Frictionless Data, v1, 2017-2021).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from phcpm.synth import dhis2
from phcpm.synth.fields import field
from phcpm.synth.fieldwork_files import FIELDWORK
from phcpm.synth.geography import (
    COUNTRY,
    FACILITY_TYPES,
    LOW_DENOMINATOR_DISTRICT,
    REGIONS,
)
from phcpm.synth.routine_files import REFERENCE, ROUTINE

__all__ = ["RESOURCES", "datapackage", "readme", "write_docs"]

#: file -> (title, description, primary key or None, fields, foreign keys), in the
#: order of the data dictionary
RESOURCES: dict[str, dict] = {**ROUTINE, **FIELDWORK, **REFERENCE}
RESOURCES.update(dhis2.RESOURCES)  # the other DHIS2 download layouts

_PANDAS_TYPE = {"b": "boolean", "i": "integer", "f": "number"}


def _catalogue_spec(df: pd.DataFrame) -> dict:
    """The catalogue's description, following the columns the catalogue really has."""
    spec = dict(RESOURCES["indicator_catalogue.csv"])
    known = {f["name"]: f for f in spec["fields"]}
    fields = []
    for col in df.columns:
        kind = _PANDAS_TYPE.get(df[col].dtype.kind, "string")
        f = dict(known.get(col, field(col, kind, col.replace("_", " ").capitalize())))
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
