"""What the Data Quality Review tool shows, worked out in phcpm.quality.screen and the
example data of the review in phcpm.quality.example."""

from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from phcpm import quality, report  # noqa: E402
from phcpm.quality import example, screen  # noqa: E402


@pytest.mark.parametrize("module", [screen, example])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.fixture(scope="module")
def review():
    service, reporting, district = example.example_data()
    data = service[["org_unit", "period", "data_element", "value"]]
    result = quality.review(data, reporting, org_units=example.example_org_units())
    return data, result, district


def test_complete_years_need_all_twelve_months():
    months = [f"2023-{m:02d}" for m in range(2, 13)] + [f"2024-{m:02d}" for m in range(1, 13)]
    data = pd.DataFrame({"period": months * 2})  # repeated months count once
    assert screen.complete_years(data) == [2024]
    assert screen.complete_years(data.iloc[:0]) == []


def test_example_years_and_the_review_year(review):
    data, result, _ = review
    years = screen.complete_years(data)
    assert years and result.year == years[-1]  # the review takes the last complete year


def test_levels_follow_the_drill_down(review):
    _, result, _ = review
    levels = result.annual.levels
    assert screen.level_and_boundary(levels) == ("region", None)
    region = result.annual.boundaries("region")[0]
    assert screen.level_and_boundary(levels, region=region) == ("district", region)
    districts = screen.districts_in(result.annual.units, region)
    assert districts and set(districts) <= set(screen.districts_in(result.annual.units))
    assert screen.level_and_boundary(levels, region, districts[0]) == ("facility", districts[0])
    assert screen.level_and_boundary([]) == ("facility", None)


def test_values_to_verify_inside_a_district_keep_the_ranking(review):
    _, result, _ = review
    table = report.verify_table(result)
    district = str(table["District"].dropna().iloc[0])
    inside = screen.verify_within(table, district)
    assert len(inside) and (inside["District"].astype(str) == district).all()
    # the order is the whole list's order
    assert list(inside.index) == [i for i in table.index if i in set(inside.index)]
    assert screen.verify_within(table, None) is table
    assert screen.verify_within(table, "No such place").empty


def test_flags_listing_and_the_series_they_open(review):
    _, result, district = review
    flags = screen.with_district(report.flag_table(result), district)
    assert list(flags.columns[:2]) == ["check", "district"]
    assert flags["district"].str.endswith(" District").all()
    listing = screen.flag_listing(flags, 5)
    assert len(listing) == min(5, len(flags))
    assert list(listing.columns) == [c for c in screen.FLAG_HEADINGS if c in listing]
    choices = screen.series_choices(flags)
    assert choices, "the example has monthly flags"
    label, index = choices[0]
    row, same = screen.same_series(flags, index)
    assert row["org_unit"] in label and str(row["data_element"]) in label
    assert (same["org_unit"] == row["org_unit"]).all() and index in same.index
    assert all(len(str(flags.loc[i, "period"])) == 7 for _, i in choices)


def test_facilities_to_look_at_with_their_interval(review):
    _, result, _ = review
    metric = "reporting_timeliness"
    funnel = quality.reporting_funnel(result, metric, "facility")
    look = funnel.look_here()
    assert len(look), "the example has facilities outside the funnel"
    intervals = quality.unit_proportions(result, metric, "facility")
    table = screen.look_here_table(funnel, intervals, "timeliness", "Reports on time")
    assert list(table["Facility"]) == list(look["name"])
    first = look.iloc[0]
    bounds = intervals.set_index("org_unit").loc[first["org_unit"]]
    assert table.iloc[0]["95 % interval"] == f"{bounds['lower']:.1f} – {bounds['upper']:.1f} %"
    assert table.iloc[0]["Reports on time"] == first["numerator"]
    positions = funnel.table["position"]
    assert screen.between_limits(funnel.table) == int(
        ((positions == "above_95") | (positions == "below_95")).sum()
    )


def test_funnel_picture_ticks_at_the_reports_expected(review):
    import matplotlib.pyplot as plt

    _, result, _ = review
    funnel = quality.reporting_funnel(result, "reporting_completeness", "facility")
    fig = screen.funnel_figure(funnel, "t", "x", "y")
    try:
        sizes = sorted(set(funnel.table["denominator"].dropna()) - {0})
        if len(sizes) <= 6:
            assert sorted(fig.axes[0].get_xticks()) == pytest.approx(sizes)
    finally:
        plt.close(fig)
