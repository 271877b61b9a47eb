"""The one column check: plain messages that name what is missing and what is there."""

from __future__ import annotations

import pandas as pd
import pytest

from phcpm.errors import SHOWN_COLUMNS, InputError, require_columns


def test_a_table_with_the_columns_passes():
    require_columns(pd.DataFrame({"a": [1], "b": [2]}), ["b", "a"], "the visits")


def test_missing_columns_are_named_with_the_columns_the_table_has():
    with pytest.raises(InputError) as err:
        require_columns(pd.DataFrame({"a": [1]}), ["a", "b", "c"], "the visits")
    assert err.value.what == "The visits lacks the column(s) b, c"
    assert err.value.where == "the visits (its columns are: a)"
    assert err.value.todo == "Use a table with the columns a, b, c"


def test_the_todo_can_be_given():
    with pytest.raises(InputError) as err:
        require_columns(pd.DataFrame(), ["x"], "the list", todo="Add a column x")
    assert err.value.todo == "Add a column x"
    assert err.value.where == "the list (its columns are: none)"


def test_a_wide_table_lists_only_its_first_columns():
    wide = pd.DataFrame({f"col{i}": [i] for i in range(SHOWN_COLUMNS + 5)})
    with pytest.raises(InputError) as err:
        require_columns(wide, ["value"], "the download")
    assert err.value.where.endswith(f"col{SHOWN_COLUMNS - 1} and 5 more)")
    assert f"col{SHOWN_COLUMNS}," not in err.value.where


@pytest.mark.parametrize("thing", [None, [1, 2], "org_unit,value", {"value": [1]}])
def test_something_that_is_not_a_table_is_refused_in_plain_words(thing):
    with pytest.raises(InputError, match="The routine data is not a table"):
        require_columns(thing, ["value"], "the routine data")
