"""Periods: DHIS2 codes and human forms.

The DHIS2 codes and their meanings are the examples of the DHIS2 Web API
documentation, "Date and period format" table (HISP Centre, University of Oslo):
20040315 = 15 March 2004, 2004W10 = week 10 of 2004, 2015WedW5 = week 5 of 2015
starting on Wednesday, 2015BiW1 = weeks 1-2 of 2015, 200403 = March 2004,
200401B = January-February 2004, 2004Q1 = January-March 2004, 2004S1 =
January-June 2004, 2004AprilS1 = April-September 2004, 2004April = April 2004 -
March 2005, 2004July = July 2004 - June 2005, 2004Oct = October 2004 - September
2005. Week rule: DHIS2 core WeeklyAbstractPeriodType (week 1 holds 4 January).
FinancialNov: DHIS2 core FinancialNovemberPeriodType labels the year by its end
(2025Nov = November 2024 - October 2025).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phcpm.errors import InputError
from phcpm.periods import format_period, parse_period, parse_period_series, period_kind

DHIS2_EXAMPLES = [
    # code, first day, last day, DHIS2 period type
    ("20040315", "2004-03-15", "2004-03-15", "Daily"),
    ("2004W10", "2004-03-01", "2004-03-07", "Weekly"),
    ("2015WedW5", "2015-01-28", "2015-02-03", "WeeklyWednesday"),
    ("2015ThuW6", "2015-02-05", "2015-02-11", "WeeklyThursday"),
    ("2015SatW7", "2015-02-14", "2015-02-20", "WeeklySaturday"),
    ("2015SunW8", "2015-02-22", "2015-02-28", "WeeklySunday"),
    ("2015BiW1", "2014-12-29", "2015-01-11", "BiWeekly"),
    ("200403", "2004-03-01", "2004-03-31", "Monthly"),
    ("200401B", "2004-01-01", "2004-02-29", "BiMonthly"),
    ("2004Q1", "2004-01-01", "2004-03-31", "Quarterly"),
    ("2004S1", "2004-01-01", "2004-06-30", "SixMonthly"),
    ("2004AprilS1", "2004-04-01", "2004-09-30", "SixMonthlyApril"),
    ("2004AprilS2", "2004-10-01", "2005-03-31", "SixMonthlyApril"),
    ("2004", "2004-01-01", "2004-12-31", "Yearly"),
    ("2004April", "2004-04-01", "2005-03-31", "FinancialApril"),
    ("2004July", "2004-07-01", "2005-06-30", "FinancialJuly"),
    ("2004Oct", "2004-10-01", "2005-09-30", "FinancialOct"),
    ("2025Nov", "2024-11-01", "2025-10-31", "FinancialNov"),
    ("2025NovQ1", "2024-11-01", "2025-01-31", "QuarterlyNov"),
    ("2025NovS2", "2025-05-01", "2025-10-31", "SixMonthlyNov"),
]


@pytest.mark.parametrize(("code", "first", "last", "kind"), DHIS2_EXAMPLES)
def test_dhis2_codes(code, first, last, kind):
    period = parse_period(code)
    assert isinstance(period, pd.Period)
    assert period.start_time.date().isoformat() == first
    assert period.end_time.date().isoformat() == last
    assert period_kind(period) == kind
    assert format_period(period) == code


def test_iso_weeks_agree_with_python_calendar():
    # ISO 8601 weeks as computed by Python's datetime.date.fromisocalendar.
    for year in (2015, 2020, 2021, 2024, 2026):
        for week in (1, 2, 26, 52):
            period = parse_period(f"{year}W{week}")
            assert period.start_time.date() == dt.date.fromisocalendar(year, week, 1)
            assert period.freqstr == "W-SUN"


def test_week_53_exists_only_in_long_years():
    assert parse_period("2020W53").start_time.date() == dt.date(2020, 12, 28)
    with pytest.raises(InputError, match="Week 53 does not exist in 2021"):
        parse_period("2021W53")


def test_weeks_with_other_start_days_use_the_right_pandas_anchor():
    assert parse_period("2015WedW5").freqstr == "W-TUE"
    assert parse_period("2015ThuW6").freqstr == "W-WED"
    assert parse_period("2015SatW7").freqstr == "W-FRI"
    assert parse_period("2015SunW8").freqstr == "W-SAT"
    # week 1 holds 4 January (DHIS2 WeeklyAbstractPeriodType)
    for code in ("2016WedW1", "2016ThuW1", "2016SatW1", "2016SunW1", "2016W1"):
        p = parse_period(code)
        assert p.start_time <= pd.Timestamp("2016-01-04") <= p.end_time


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("January 2024", "202401"),
        ("Jan 2024", "202401"),
        ("Jan-24", "202401"),
        ("2024-01", "202401"),
        ("01/2024", "202401"),
        ("2024/01", "202401"),
        ("2024 Q1", "2024Q1"),
        ("Q1 2024", "2024Q1"),
        ("février 2024", "202402"),
        ("Março 2024", "202403"),
        ("2024-01-15", "20240115"),
        (" 202401 ", "202401"),
    ],
)
def test_human_forms(text, code):
    assert format_period(parse_period(text)) == code


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("202413", "Month 13 does not exist"),
        ("202400", "Month 0 does not exist"),
        ("2024Q5", "Quarter 5 does not exist"),
        ("2024S3", "Half-year 3 does not exist"),
        ("202407B", "Bi-month 7 does not exist"),
        ("20240230", "Day 30 does not exist"),
        ("2024W0", "Week 0 does not exist"),
        ("2024BiW28", "Bi-week 28 does not exist"),
        ("", "The period is empty"),
        ("next month", "not a period we can read"),
        ("3024", "The year 3024 looks wrong"),
    ],
)
def test_invalid_periods_raise_plain_errors(text, fragment):
    with pytest.raises(InputError) as info:
        parse_period(text)
    assert fragment in str(info.value)
    assert "dtype" not in str(info.value)


def test_numbers_and_dates_from_spreadsheets():
    assert format_period(parse_period(202401)) == "202401"
    assert format_period(parse_period(202401.0)) == "202401"
    assert format_period(parse_period(dt.date(2024, 3, 5))) == "20240305"
    with pytest.raises(InputError):
        parse_period(None)


def test_format_period_refuses_periods_without_a_dhis2_code():
    with pytest.raises(InputError):
        format_period(pd.Period("2024-02", freq="2M"))  # bi-months start in odd months
    with pytest.raises(InputError):
        format_period(pd.Period("2024-01-01 10:00", freq="h"))


def test_parse_period_series_parses_each_text_once_and_groups_equal_periods():
    values = pd.Series(["202401", "Jan 2024", "202413", None, "202402"])
    periods, problems, codes = parse_period_series(values, with_codes=True)
    assert periods[0] == periods[1] == pd.Period("2024-01", freq="M")
    assert codes[0] == codes[1] != codes[4]
    assert codes[2] == codes[3] == -1
    assert problems[2].startswith("Month 13")
    assert problems[3] == "The period is empty"
    assert problems[[0, 1, 4]].isna().all()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_gives_a_period_or_input_error(text):
    try:
        result = parse_period(text)
    except InputError as err:
        assert str(err)
    else:
        assert isinstance(result, pd.Period)


dhis2_like = st.builds(
    lambda y, kind, n: f"{y}{kind}{n}",
    st.integers(1890, 2210),
    st.sampled_from(["W", "WedW", "ThuW", "SatW", "SunW", "BiW", "Q", "S", "AprilS", "NovQ", ""]),
    st.integers(0, 60),
)


@settings(max_examples=300, deadline=None)
@given(dhis2_like)
def test_dhis2_like_codes_round_trip_or_fail_plainly(code):
    try:
        period = parse_period(code)
    except InputError:
        return
    assert parse_period(format_period(period)) == period
