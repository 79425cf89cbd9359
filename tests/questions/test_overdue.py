"""``find_overdue``, ``format_overdue`` and ``due_date`` (``crossplan overdue``) on the fixture data sets.

Expected answers come from reading tests/fixtures/query/plans/*.yaml (plans north and south); the ``store`` and
``mini`` fixtures are in conftest.py.
"""

from __future__ import annotations

import datetime
import json

import pytest

from crossplan.graph.errors import CrossplanError
from crossplan.graph.model.dates import due_date
from crossplan.graph.questions.overdue import find_overdue, format_overdue


def test_due_date_is_the_end_of_the_month_or_year():
    assert due_date("2021-02") == datetime.date(2021, 2, 28)
    assert due_date("2024-02") == datetime.date(2024, 2, 29)
    assert due_date("2019") == datetime.date(2019, 12, 31)
    assert due_date("2020-06-15") == datetime.date(2020, 6, 15)


def test_overdue_items_on_a_day(store):
    overdue = find_overdue(store, "2021-06-01")
    assert [(i.id, i.target, i.target_text, i.due, i.days_overdue, i.status, i.status_of) for i in overdue.items] == [
        ("north/r6-action-1", "2020-09", "September 2020", "2020-09-30", 244, "ongoing", "north/r6-action-1"),
        ("south/health-1", "2021-04", "April 2021", "2021-04-30", 32, "ongoing", "south/health-1"),
    ]


def test_overdue_uses_the_latest_target_date_including_those_of_updates(store):
    # north/r1: March 2020 (January update) and 2021 (December update): due at the end of 2021.
    assert "north/r1" not in [item.id for item in find_overdue(store, "2021-12-31").items]
    item = next(item for item in find_overdue(store, datetime.date(2022, 1, 1)).items if item.id == "north/r1")
    assert (item.target, item.due, item.target_of, item.target_text) == (
        "2021",
        "2021-12-31",
        "north/r1-update-2",
        "By the end of 2021",
    )
    # no status of its own: the one its latest update reports
    assert (item.status, item.status_text, item.status_of) == ("ongoing", "Ongoing", "north/r1-update-2")


def test_overdue_is_the_day_after_the_due_date(store):
    assert [i.id for i in find_overdue(store, "2021-04-30").items] == ["north/r6-action-1"]
    assert [i.id for i in find_overdue(store, "2021-05-01").items] == ["north/r6-action-1", "south/health-1"]
    assert find_overdue(store, "2020-09-30").items == []


def test_complete_items_are_never_overdue(store):
    ids = [item.id for item in find_overdue(store, "2030-01-01").items]
    # r2 is complete through its update, r3 and r6-action-2 are complete themselves
    assert ids == ["north/r6-action-1", "south/health-1", "north/r1"]


def test_overdue_of_one_plan_and_bad_dates(store):
    assert [item.id for item in find_overdue(store, "2030-01-01", plan="south").items] == ["south/health-1"]
    with pytest.raises(CrossplanError) as caught:
        find_overdue(store, "1 April 2021")
    assert str(caught.value) == "'1 April 2021' is not a date (write YYYY-MM-DD)"
    with pytest.raises(CrossplanError) as caught:
        find_overdue(store, "2021-01-01", plan="r1")
    assert str(caught.value) == "'north/r1' is not a plan (plans: north, south)"


def test_overdue_defaults_to_today(store):
    assert find_overdue(store).as_of == datetime.date.today().isoformat()


def test_overdue_on_the_mini_data_set(mini):
    # alpha/r1 has a March 2020 target and no status.
    assert [item.id for item in find_overdue(mini, "2020-03-31").items] == []
    assert [(item.id, item.status) for item in find_overdue(mini, "2020-04-01").items] == [("alpha/r1", None)]


def test_format_overdue(store):
    overdue = find_overdue(store, "2021-06-01")
    assert format_overdue(overdue, width=100) == (
        "2 items overdue on 2021-06-01\n"
        "\n"
        "item               target          due         days  status   owners      label\n"
        "-----------------  --------------  ----------  ----  -------  ----------  ------------------------\n"
        "north/r6-action-1  September 2020  2020-09-30  244   ongoing  not stated  Open a virtual campus.\n"
        "\n"
        "south/health-1     April 2021      2021-04-30  32    ongoing  not stated  Publish data on outcomes\n"
        "                                                                          every quarter.\n"
    )
    assert format_overdue(find_overdue(store, "2020-01-01")) == "Nothing is overdue on 2020-01-01.\n"
    assert format_overdue(overdue, "csv").splitlines()[1] == (
        "north/r6-action-1,action,north,Open a virtual campus.,Open a virtual campus.,,2020-09,September 2020,2020-09-30,"
        "244,north/r6-action-1,ongoing,Ongoing"
    )
    assert json.loads(format_overdue(overdue, "json"))["items"][1]["id"] == "south/health-1"
