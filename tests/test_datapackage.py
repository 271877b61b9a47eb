"""datasets/datapackage.json describes every file and validates (Frictionless Data Package v1)."""

from __future__ import annotations

import csv
import json

import frictionless
import pytest

from phcpm.paths import DATASETS

PACKAGE = DATASETS / "datapackage.json"


@pytest.fixture(scope="module")
def descriptor() -> dict:
    return json.loads(PACKAGE.read_text(encoding="utf-8"))


def test_every_csv_is_a_resource(descriptor):
    described = {r["path"] for r in descriptor["resources"]}
    on_disk = {p.relative_to(DATASETS).as_posix() for p in DATASETS.rglob("*.csv")}
    assert described == on_disk


def test_fields_match_the_csv_headers(descriptor):
    for res in descriptor["resources"]:
        with open(DATASETS / res["path"], encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert [f["name"] for f in res["schema"]["fields"]] == header, res["path"]
        assert all(f.get("description") for f in res["schema"]["fields"]), res["path"]


def test_service_data_has_no_primary_key(descriptor):
    """The planted duplicate rows would break one, so service data declares none."""
    [sd] = [r for r in descriptor["resources"] if r["path"] == "service_data.csv"]
    assert "primaryKey" not in sd["schema"]


def test_the_readme_documents_every_file(descriptor):
    text = (DATASETS / "README.md").read_text(encoding="utf-8")
    for res in descriptor["resources"]:
        assert f"`{res['path']}`" in text, res["path"]
        for field in res["schema"]["fields"]:
            assert f"`{field['name']}`" in text


@pytest.mark.slow
def test_package_validates():
    report = frictionless.validate(str(PACKAGE))
    problems = [f"{task.name}: {err.message}" for task in report.tasks for err in task.errors[:3]]
    assert report.valid, problems[:20]


def test_validation_catches_a_broken_file(tmp_path, descriptor):
    """A value outside its enum makes the package invalid: the validation test can fail."""
    [res] = [r for r in descriptor["resources"] if r["path"] == "process_steps.csv"]
    rows = (DATASETS / res["path"]).read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",start,", ",beginning,")
    (tmp_path / "process_steps.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    pkg = {"name": "broken", "resources": [res]}
    (tmp_path / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    assert not frictionless.validate(str(tmp_path / "datapackage.json")).valid
