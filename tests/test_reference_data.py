"""The reference tables in phcpm/reference/: valid against their Table Schemas, linked
by source keys, read with clear errors, and shipped in the installed package."""

from __future__ import annotations

import fnmatch
import shutil
import tomllib
from pathlib import Path

import frictionless
import pytest

import phcpm.catalogue as cat_module
from phcpm.catalogue import REFERENCE_DIR, catalogue, criteria, schema, sources

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("indicator_catalogue", "selection_criteria", "sources", "scorecard_standard_set")


def validate(folder: Path, name: str) -> frictionless.Report:
    """Validate ``folder/<name>.csv`` against the package's schema for ``name``."""
    resource = frictionless.Resource(
        path=f"{name}.csv",
        basepath=str(folder),
        schema=frictionless.Schema.from_descriptor(schema(name)),
    )
    return resource.validate()


def errors(report: frictionless.Report) -> list[str]:
    return [f"{err.type}: {err.message}" for task in report.tasks for err in task.errors]


@pytest.mark.parametrize("name", TABLES)
def test_each_file_is_valid_against_its_schema(name):
    report = validate(REFERENCE_DIR, name)
    assert report.valid, errors(report)[:10]


@pytest.mark.parametrize("name", TABLES)
def test_each_schema_has_types_required_fields_and_a_unique_key(name):
    sch = schema(name)
    assert frictionless.Schema.validate_descriptor(sch).valid
    assert len(sch["primaryKey"]) == 1
    [key] = [f for f in sch["fields"] if f["name"] == sch["primaryKey"][0]]
    assert key["constraints"]["required"] and key["constraints"]["unique"]
    for field in sch["fields"]:
        assert field["type"] in {"string", "number", "boolean"}, field["name"]
        assert field["description"], field["name"]


def test_categorical_columns_have_allowed_values():
    enums = {
        f["name"]
        for f in schema("indicator_catalogue")["fields"]
        if "enum" in f.get("constraints", {})
    }
    categorical = "data_source frequency level framework_domain results_chain dimension"
    assert enums == set(categorical.split())
    [group] = [f for f in schema("selection_criteria")["fields"] if f["name"] == "group"]
    assert group["constraints"]["enum"] == ["SMART", "RACER", "practical"]


def broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of one file with the first ``old`` replaced by ``new``."""
    text = (REFERENCE_DIR / f"{name}.csv").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / f"{name}.csv").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "old", "new", "field"),
    [
        # framework_domain and results_chain swapped in the first row
        ("indicator_catalogue", ",performance,outcome,", ",outcome,performance,", "results_chain"),
        # a frequency outside the list
        ("indicator_catalogue", ",monthly,", ",weekly,", "frequency"),
        # a target that is not a number
        ("indicator_catalogue", ",%,90,", ",%,ninety,", "typical_target"),
        # a direction that is not true or false
        ("indicator_catalogue", ",true,", ",yes,", "higher_is_better"),
        # a group outside the list
        ("selection_criteria", ",SMART,", ",smart,", "group"),
        # the same key twice
        ("sources", "CORE100,", "COVERAGE2025,", "source_id"),
        # a scorecard indicator computed in a way the tools do not know
        ("scorecard_standard_set", ",coverage,", ",rate,", "kind"),
        # a boundary that is not a number
        ("scorecard_standard_set", ",60,", ",sixty,", "fair"),
    ],
)
def test_validation_reports_a_broken_copy(tmp_path, name, old, new, field):
    report = validate(broken_copy(tmp_path, name, old, new), name)
    assert not report.valid
    assert field in " ".join(errors(report)), errors(report)


@pytest.fixture
def reference_copy(tmp_path, monkeypatch):
    """A copy of the reference folder that catalogue() and criteria() read instead."""
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    monkeypatch.setattr(cat_module, "REFERENCE_DIR", folder)
    cat_module._read.cache_clear()
    cat_module._schema.cache_clear()
    yield folder
    cat_module._read.cache_clear()
    cat_module._schema.cache_clear()


def test_every_source_key_is_defined_and_used():
    keys = set(sources()["source_id"])
    used = set()
    for name, cols in (
        ("indicator_catalogue", ("reference", "target_source")),
        ("selection_criteria", ("reference",)),
    ):
        table = cat_module._read(name)
        for col in cols:
            used |= {k for cell in table[col] if cell for k in cell.split("; ")}
    assert used <= keys, sorted(used - keys)
    assert keys <= used, f"sources.csv has keys no table uses: {sorted(keys - used)}"


def test_an_unknown_source_key_is_an_error(reference_copy):
    broken_copy(reference_copy, "indicator_catalogue", "CORE100; RMNCAH", "CORE100; RMNCH")
    with pytest.raises(ValueError, match=r"indicator_catalogue\.csv, column reference.*RMNCH"):
        catalogue()


def test_a_file_whose_columns_differ_from_its_schema_is_an_error(reference_copy):
    broken_copy(reference_copy, "selection_criteria", "group,definition", "definition,group")
    with pytest.raises(ValueError, match="selection_criteria.csv has the columns"):
        criteria()


def test_a_bad_boolean_is_an_error(reference_copy):
    broken_copy(reference_copy, "indicator_catalogue", ",true,", ",yes,")
    with pytest.raises(ValueError, match="higher_is_better.*yes"):
        catalogue()


def test_the_installed_package_ships_every_reference_file():
    """pyproject.toml's package-data covers every file of phcpm/reference/ (a wheel built
    with ``pip wheel .`` then holds them; an editable install alone would not show a gap)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["phcpm.reference"]
    files = [p.name for p in REFERENCE_DIR.iterdir() if p.is_file() and p.suffix != ".py"]
    assert {f"{n}.csv" for n in TABLES} | {f"{n}.schema.json" for n in TABLES} <= set(files)
    missing = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert not missing, f"add these to package-data in pyproject.toml: {missing}"
    assert (REFERENCE_DIR / "__init__.py").is_file()  # found by setuptools as a package


# --- The standard scorecard set, keyed on the catalogue -----------------------------


def test_the_standard_set_names_catalogue_indicators_and_agrees_on_direction():
    from phcpm.catalogue import reference_table

    standard = reference_table("scorecard_standard_set")
    cat = catalogue().set_index("indicator_id")
    assert set(standard["catalogue_id"]) <= set(cat.index)
    for row in standard.itertuples():
        assert bool(cat.loc[row.catalogue_id, "higher_is_better"]) == row.higher_is_better, row


def test_the_standard_set_gives_its_own_target_only_where_it_differs_with_a_reason():
    from phcpm.catalogue import reference_table
    from phcpm.scorecard import default_definitions

    standard = reference_table("scorecard_standard_set").set_index("indicator")
    cat = catalogue().set_index("indicator_id")["typical_target"]
    own = standard["target"].notna()
    for code, row in standard.iterrows():
        catalogue_target = cat[row["catalogue_id"]]
        if own[code]:
            assert row["target"] != catalogue_target and row["target_reason"], code
        else:
            assert catalogue_target == catalogue_target and not row["target_reason"], code
    defs = default_definitions().set_index("indicator")
    # Penta3: WHO Immunization Agenda 2030, 90 %, from the catalogue
    assert defs.loc["PENTA3_COV", "target"] == 90.0 and not own["PENTA3_COV"]
    # Malaria testing: the scorecard's own 95 % against the catalogue's 100 %
    assert defs.loc["MAL_TEST_RATE", "target"] == 95.0 and cat["MAL_TEST_RATE"] == 100.0
    assert defs.loc["ACT_STOCKOUT_DAYS", "thresholds"] == (0.0, 3.0)
    assert (defs["thresholds"].str[0] == defs["target"]).all()


def test_a_standard_target_without_its_reason_is_an_error(reference_copy):
    from phcpm.scorecard import standard

    text = (reference_copy / "scorecard_standard_set.csv").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("PENTA3_COV,"))
    changed = row.replace(",true,,,80,", ",true,85,,80,")
    assert changed != row
    (reference_copy / "scorecard_standard_set.csv").write_text(
        text.replace(row, changed), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="PENTA3_COV has its own target but no target_reason"):
        standard._standard_indicators()


def test_a_standard_row_naming_an_unknown_catalogue_indicator_is_an_error(reference_copy):
    from phcpm.scorecard import standard

    broken_copy(reference_copy, "scorecard_standard_set", "SBA_COV,SBA_COV,", "SBA_COV,SBA_RATE,")
    with pytest.raises(ValueError, match="SBA_RATE"):
        standard._standard_indicators()
