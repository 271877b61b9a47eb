"""The older module names give exactly the names of the packages that replaced them."""

from __future__ import annotations

import pytest

from phcpm import indicators, problem_analysis, problems, selection


@pytest.mark.parametrize(
    ("old", "new"),
    [(indicators, selection), (problems, problem_analysis)],
    ids=["indicators", "problems"],
)
def test_an_old_name_lists_and_gives_the_same_objects_as_its_package(old, new):
    assert old.__all__ == new.__all__ and len(new.__all__) >= 20
    for name in new.__all__:
        assert getattr(old, name) is getattr(new, name), name
