"""phcpm.datasets: the example files and the facility → district → region look-ups."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from phcpm import datasets
from phcpm.errors import InputError
from phcpm.paths import dataset_path


def test_doctests():
    result = doctest.testmod(datasets)
    assert result.attempted >= 6 and result.failed == 0


def test_every_facility_has_a_district_and_a_region_from_the_hierarchy():
    units = pd.read_csv(dataset_path("org_units.csv"))
    places = datasets.places()
    facilities = places[places["level"] == 4]
    assert len(facilities) == 145
    assert facilities[["district_id", "district", "region_id", "region"]].notna().all().all()
    # The hierarchy and the file's own short names agree, district by district.
    short = units.set_index("org_unit_id")["district"]
    for row in facilities.itertuples():
        assert row.district == f"{short[row.org_unit_id]} District"
    assert sorted(places.loc[places["level"] == 3, "district"].unique()) == sorted(
        units.loc[units["level"] == 3, "name"]
    )


def test_lookups_by_id_and_by_name_agree():
    by_id, by_name, ids = datasets.district_of(), datasets.district_of("name"), datasets.ids()
    assert len(by_id) == len(by_name) == 145 + 6
    for name, unit in ids.items():
        if unit in by_id:
            assert by_name[name] == by_id[unit]
    assert set(datasets.region_of().values()) == {"Kalindi Region", "Mosoro Region"}
    assert datasets.names()[ids["Ruvo District"]] == "Ruvo District"


def test_a_copy_is_returned_so_a_lesson_cannot_spoil_the_next_one():
    units = datasets.org_units()
    units["name"] = "x"
    places = datasets.places()
    places["org_unit_id"] = "x"
    assert datasets.org_units()["name"].ne("x").all()
    assert datasets.places()["org_unit_id"].ne("x").all()


def test_load_reads_as_pandas_does_and_refuses_unknown_names():
    pd.testing.assert_frame_equal(
        datasets.load("reporting"), pd.read_csv(dataset_path("reporting.csv"))
    )
    pd.testing.assert_frame_equal(
        datasets.load("dhis2/pivot.csv"), pd.read_csv(dataset_path("dhis2/pivot.csv"))
    )
    with pytest.raises(InputError, match="no example file called 'servise_data'"):
        datasets.load("servise_data")
    with pytest.raises(InputError, match="Cannot look up units by"):
        datasets.district_of("code")
