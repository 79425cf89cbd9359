"""When a target falls due (graph/model/dates.py): a day, the end of a month, or the end of a year."""

from __future__ import annotations

import datetime

import pytest

from crossplan.graph.model.dates import due_date


@pytest.mark.parametrize(
    "value, due",
    [
        ("2020-03-15", datetime.date(2020, 3, 15)),
        ("2020-03", datetime.date(2020, 3, 31)),
        ("2020-04", datetime.date(2020, 4, 30)),
        ("2020-12", datetime.date(2020, 12, 31)),
        ("2021", datetime.date(2021, 12, 31)),
    ],
)
def test_a_target_falls_due_at_the_end_of_what_it_names(value, due):
    assert due_date(value) == due


def test_february_ends_on_the_29th_in_a_leap_year_only():
    assert due_date("2020-02") == datetime.date(2020, 2, 29)
    assert due_date("2021-02") == datetime.date(2021, 2, 28)
    assert due_date("1900-02") == datetime.date(1900, 2, 28)  # a century, not a leap year
    assert due_date("2000-02") == datetime.date(2000, 2, 29)


def test_a_date_with_a_time_falls_due_on_its_day():
    assert due_date("2020-03-15T23:59:00") == datetime.date(2020, 3, 15)


@pytest.mark.parametrize("value", ["2020-13", "2020-00", "2020-02-30", "20", "March 2020"])
def test_a_value_that_is_no_date_is_a_value_error(value):
    with pytest.raises(ValueError):
        due_date(value)
