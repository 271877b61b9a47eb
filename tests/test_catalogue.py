"""Integrity of the PHC indicator catalogue and of the selection criteria."""

from __future__ import annotations

import ast
import doctest
import inspect
import re

import pandas as pd
import pytest

import phcpm.catalogue
from phcpm.catalogue import (
    COLUMNS,
    DATA_SOURCES,
    DIMENSIONS,
    DOMAINS,
    FREQUENCIES,
    LEVELS,
    RESULTS_CHAIN,
    catalogue,
    criteria,
    schema,
    sources,
)
from phcpm.paths import DATASETS

CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
YEAR = re.compile(r"\b(?:19|20)\d\d\b")

# The data element codes this project's synthetic datasets use.
PROJECT_ELEMENTS = (
    "ANC1 ANC4 FAC_DELIVERY SBA_DELIVERY PNC_48H BCG PENTA1 PENTA3 MCV1 OPD_TOTAL OPD_U5 "
    "MAL_SUSPECTED MAL_TESTED MAL_CONFIRMED MAL_TREATED TB_NOTIFIED FP_NEW FP_REVISITS "
    "STOCKOUT_DAYS_ACT STOCKOUT_DAYS_AMOX POP_TOTAL POP_PREGNANCIES POP_LIVE_BIRTHS "
    "POP_SURVIVING_INFANTS POP_U5"
).split()

REQUIRED_TEXT = [
    "indicator_id",
    "name",
    "definition",
    "numerator",
    "denominator",
    "data_elements",
    "data_source",
    "frequency",
    "level",
    "framework_domain",
    "results_chain",
    "unit",
    "disaggregation",
    "reference",
]


@pytest.fixture(scope="module")
def cat() -> pd.DataFrame:
    return catalogue()


def test_columns_and_size(cat):
    assert list(cat.columns) == list(COLUMNS)
    assert len(cat) >= 55
    assert cat["indicator_id"].is_unique
    assert cat["indicator_id"].nunique() >= 50


def test_required_fields_are_filled(cat):
    for col in REQUIRED_TEXT:
        empty = cat.loc[cat[col].fillna("").astype(str).str.strip() == "", "indicator_id"]
        assert empty.empty, f"{col} empty for {list(empty)}"
    assert cat["higher_is_better"].dtype == bool


def test_categorical_columns_use_allowed_values(cat):
    assert set(cat["results_chain"]) <= set(RESULTS_CHAIN)
    assert set(cat["framework_domain"]) <= set(DOMAINS)
    assert set(cat["dimension"]) <= set(DIMENSIONS)
    assert set(cat["frequency"]) <= set(FREQUENCIES)
    assert set(cat["level"]) <= set(LEVELS)
    assert set(cat["data_source"]) <= set(DATA_SOURCES)


def test_codes_are_well_formed(cat):
    bad_ids = [i for i in cat["indicator_id"] if not CODE.match(i)]
    assert not bad_ids
    for _, row in cat.iterrows():
        parts = row["data_elements"].split(";")
        assert all(CODE.match(p) for p in parts), (row["indicator_id"], parts)
        assert len(parts) == len(set(parts)), row["indicator_id"]


def test_every_project_data_element_is_used(cat):
    used = set(";".join(cat["data_elements"]).split(";"))
    assert set(PROJECT_ELEMENTS) <= used, set(PROJECT_ELEMENTS) - used


def test_references_name_a_year(cat):
    assert cat["reference"].str.len().min() > 10
    no_year = cat.loc[~cat["reference"].str.contains(YEAR), "indicator_id"]
    assert no_year.empty, list(no_year)


def test_targets_have_a_source_and_a_sensible_value(cat):
    has_target = cat["typical_target"].notna()
    assert (cat.loc[has_target, "target_source"].str.strip() != "").all()
    assert (cat.loc[~has_target, "target_source"] == "").all()
    pct = cat[has_target & (cat["unit"] == "%")]
    assert pct["typical_target"].between(0, 100).all()


def test_mix_covers_the_whole_results_chain(cat):
    chain = cat["results_chain"].value_counts()
    assert chain.get("input", 0) >= 5
    assert chain.get("process", 0) >= 5
    assert chain.get("impact", 0) >= 3
    # Service use and coverage (outputs and outcomes) are the bulk, as in country lists.
    assert chain.get("output", 0) + chain.get("outcome", 0) > len(cat) / 2
    assert (cat["dimension"] == "quality").sum() >= 10
    assert set(DOMAINS) <= set(cat["framework_domain"])


def test_quality_examples_named_in_the_curriculum_are_present(cat):
    by_id = cat.set_index("indicator_id")
    assert by_id.loc["MAL_TEST_RATE", "dimension"] == "quality"
    assert by_id.loc["IMCI_ADHERENCE", "dimension"] == "quality"
    assert by_id.loc["SUPERVISION_DONE", "results_chain"] == "process"
    assert by_id.loc["TRACER_MED_AVAIL", "results_chain"] == "input"


def test_denominators_follow_the_source_definitions(cat):
    """WHO immunization guidance (2018): BCG uses live births, DTP and MCV use surviving
    infants; WHO RMNCAH guidance (2019): ANC uses expected pregnancies, delivery and
    postnatal care use expected live births."""
    by_id = cat.set_index("indicator_id")["data_elements"]
    assert by_id["BCG_COV"] == "BCG;POP_LIVE_BIRTHS"
    for code, element in [("PENTA3_COV", "PENTA3"), ("MCV1_COV", "MCV1")]:
        assert by_id[code] == f"{element};POP_SURVIVING_INFANTS"
    assert by_id["ANC4_COV"] == "ANC4;POP_PREGNANCIES"
    assert by_id["SBA_COV"] == "SBA_DELIVERY;POP_LIVE_BIRTHS"
    assert by_id["PNC48_COV"] == "PNC_48H;POP_LIVE_BIRTHS"


@pytest.mark.parametrize(
    ("code", "target", "source_word"),
    [
        ("MMR", 70.0, "SDG"),  # UN SDG target 3.1: below 70 per 100,000 live births (2015)
        ("NMR", 12.0, "SDG"),  # UN SDG target 3.2: at most 12 per 1,000 live births
        ("U5MR", 25.0, "SDG"),  # UN SDG target 3.2: at most 25 per 1,000 live births
        ("HW_DENSITY", 44.5, "Workforce 2030"),  # WHO Workforce 2030 (2016) SDG threshold
        ("PENTA3_COV", 90.0, "Immunization Agenda 2030"),  # IA2030: 90 % DTP3
        ("OPD_PER_CAPITA", 5.0, "Service Availability"),  # SARA benchmark, 5 visits/person/yr
        ("FAC_DENSITY", 2.0, "Service Availability"),  # SARA benchmark, 2 per 10,000
        ("TB_TSR", 90.0, "End TB"),  # End TB Strategy (2015): success rate of 90 % or more
    ],
)
def test_published_targets(cat, code, target, source_word):
    row = cat.set_index("indicator_id").loc[code]
    assert row["typical_target"] == target
    assert source_word in row["target_source"]


def test_direction_of_harmful_measures(cat):
    by_id = cat.set_index("indicator_id")["higher_is_better"]
    for code in ("MMR", "U5MR", "PENTA_DROPOUT", "OOP_SHARE", "PROVIDER_ABSENCE"):
        assert not by_id[code], code
    for code in ("ANC4_COV", "MAL_TEST_RATE", "REPORT_COMPLETE"):
        assert by_id[code], code


def test_each_call_returns_a_new_frame():
    first = catalogue()
    first.loc[0, "name"] = "changed"
    assert catalogue().loc[0, "name"] != "changed"


def test_criteria_table():
    crit = criteria()
    assert list(crit.columns) == ["criterion", "group", "definition", "question", "reference"]
    assert crit["criterion"].is_unique
    assert all(c.isidentifier() for c in crit["criterion"])
    groups = crit.groupby("group")["criterion"].apply(list).to_dict()
    assert groups["SMART"] == ["specific", "measurable", "achievable", "relevant", "time_bound"]
    assert groups["RACER"] == ["racer_relevant", "accepted", "credible", "easy", "robust"]
    assert {"data_available", "low_burden", "actionable", "sensitive", "equity"} <= set(
        groups["practical"]
    )
    for col in ("definition", "question", "reference"):
        assert (crit[col].str.len() > 10).all(), col
    assert crit.loc[crit["group"] == "RACER", "reference"].str.contains("European Commission").all()


def test_catalogue_writes_the_committed_dataset_byte_for_byte(tmp_path):
    """The data files give exactly the table the datasets were generated from (written
    as ``python -m phcpm.synth`` writes it)."""
    path = tmp_path / "indicator_catalogue.csv"
    catalogue().to_csv(path, index=False, lineterminator="\n", float_format="%.10g")
    assert path.read_bytes() == (DATASETS / "indicator_catalogue.csv").read_bytes()


def test_column_types():
    cat = catalogue()
    assert cat["typical_target"].dtype == "float64"
    assert cat["higher_is_better"].dtype == bool
    text = [c for c in COLUMNS if c not in ("typical_target", "higher_is_better")]
    for col in text:
        assert pd.api.types.is_string_dtype(cat[col]), col
        assert cat[col].notna().all(), col  # an empty cell is "", never NaN


def test_citations_are_written_out_in_full(cat):
    keys = set(sources()["source_id"])
    for col in ("reference", "target_source"):
        parts = {p for cell in cat[col] if cell for p in cell.split("; ")}
        assert not parts & keys, col
    assert not set(criteria()["reference"]) & keys
    assert (
        cat.set_index("indicator_id").loc["MAL_TEST_RATE", "target_source"]
        == "WHO, T3: Test. Treat. Track. Scaling up diagnostic testing, treatment and "
        "surveillance for malaria, 2012"
    )


def test_allowed_values_are_the_schema_enums():
    fields = {f["name"]: f for f in schema("indicator_catalogue")["fields"]}
    enum = {name: tuple(f.get("constraints", {}).get("enum", ())) for name, f in fields.items()}
    assert (
        RESULTS_CHAIN
        == enum["results_chain"]
        == ("input", "process", "output", "outcome", "impact")
    )
    assert DOMAINS == enum["framework_domain"]
    assert DIMENSIONS == (*enum["dimension"], "")
    assert FREQUENCIES == enum["frequency"]
    assert LEVELS == enum["level"]
    assert DATA_SOURCES == enum["data_source"]
    assert COLUMNS == tuple(fields)


def test_no_list_of_allowed_values_is_repeated_in_the_code():
    """The schemas are the one place for allowed values: the module's code (its
    docstrings aside) holds none of them."""
    allowed = set()
    for name in ("indicator_catalogue", "selection_criteria"):
        for field in schema(name)["fields"]:
            allowed |= set(field.get("constraints", {}).get("enum", ()))
    tree = ast.parse(inspect.getsource(phcpm.catalogue))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    strings = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    }
    assert not strings & allowed, sorted(strings & allowed)


def test_docstring_examples_run():
    result = doctest.testmod(phcpm.catalogue)
    assert result.attempted >= 3
    assert result.failed == 0


def test_public_names_are_listed_and_typed():
    assert set(phcpm.catalogue.__all__) >= {"catalogue", "criteria", "sources", "schema"}
    for name in ("catalogue", "criteria", "sources", "schema"):
        hints = inspect.get_annotations(getattr(phcpm.catalogue, name))
        assert "return" in hints, name
