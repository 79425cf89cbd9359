"""Reading printed dates, responses, statuses, update headings and bullets (graph.importing.printed)."""

from __future__ import annotations

import pytest

from crossplan.graph.importing.printed import (
    BULLET,
    fold,
    paragraphs,
    parse_printed_date,
    parse_response,
    parse_status,
    slug,
    update_heading,
)
from crossplan.graph.model.nodes import Response, Status


@pytest.mark.parametrize(
    "text, date",
    [
        ("2023", "2023"),
        ("2021-04", "2021-04"),
        ("2021-04-30", "2021-04-30"),
        ("March 2020", "2020-03"),
        (" Sept. 2021. ", "2021-09"),
        ("March, 2020", "2020-03"),
        ("1st March 2021", "2021-03-01"),
        ("22nd Dec 2020", "2020-12-22"),
        ("31/03/2021", "2021-03-31"),  # day first, as printed in the UK
        ("1.4.2021", "2021-04-01"),
    ],
)
def test_printed_dates(text, date):
    assert parse_printed_date(text) == date


@pytest.mark.parametrize(
    "text",
    ["Q1 2021", "Spring 2021", "31/02/2021", "2021-13", "2021-02-30", "Smarch 2020", "by March 2020", "ongoing", ""],
)
def test_what_is_not_a_whole_valid_date(text):
    assert parse_printed_date(text) is None


def test_responses_in_their_printed_spellings():
    assert [parse_response(t) for t in ("Agreed.", "ACCEPTED", "Partially agreed", "Agreed in part")] == [
        Response.AGREED,
        Response.AGREED,
        Response.PARTLY_AGREED,
        Response.PARTLY_AGREED,
    ]
    assert [parse_response(t) for t in ("Not\nAgreed", "Rejected", "declined")] == [Response.NOT_AGREED] * 3
    # anything more than the answer itself is not a response
    assert [parse_response(t) for t in ("Agreed with caveats", "Yes", "")] == [None, None, None]


def test_statuses_and_the_timescale_printed_after_them():
    assert parse_status("COMPLETE") == (Status.COMPLETE, None)
    assert parse_status("Completed.") == (Status.COMPLETE, None)
    assert parse_status("Ongoing – by March 2022") == (Status.ONGOING, "by March 2022")
    assert parse_status("In progress: medium term") == (Status.ONGOING, "medium term")
    assert parse_status("on-going") == (Status.ONGOING, None)
    assert parse_status("Not applicable") == (Status.NOT_APPLICABLE, None)
    assert parse_status("Withdrawn - duplicate") == (Status.REMOVED, "duplicate")
    assert parse_status("Red") is None
    assert parse_status("Completion expected - 2022") is None


def test_update_headings():
    assert update_heading("Action Plan Update (December 2020)") == ("Action Plan Update (December 2020)", "2020-12")
    assert update_heading("  Update (2021):") == ("Update (2021)", "2021")
    assert update_heading("Progress (1st March 2021)") == ("Progress (1st March 2021)", "2021-03-01")
    # a month the date reader does not know still makes a heading, without a date
    assert update_heading("Update (Spring 2021)") == ("Update (Spring 2021)", None)
    # a sentence is not a heading, even when it ends with a date in brackets
    assert update_heading("Work began. Update (2021)") is None
    assert update_heading("The MoJ is reviewing the provision of accommodation.") is None


def test_paragraphs_split_at_blank_lines():
    assert paragraphs("Divisional Director\n(NPS Midlands)\n \n\nHead of\n  Service\n\n") == [
        "Divisional Director (NPS Midlands)",
        "Head of Service",
    ]
    assert paragraphs("  \n ") == []


def test_slugs_are_ids_cut_at_a_hyphen():
    assert slug("Children’s Services (North)") == "childrens-services-north"
    assert slug("  --Main  Recommendations!! ") == "main-recommendations"
    assert slug("alpha beta gamma", width=12) == "alpha-beta"
    assert slug("£ & %") == ""


def test_fold_keeps_the_length_so_spans_stay_valid():
    text = "Her Majesty’s\nPrison ‘Service’"
    assert fold(text) == "Her Majesty's Prison 'Service'"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize("line", ["• Map measures", "  - Consult", "1. First", "12) Twelfth", "– dash", "* star"])
def test_bullets(line):
    assert BULLET.match(line)


@pytest.mark.parametrize("line", ["1.5 million children", "-minus", "Map measures", "2021 review"])
def test_not_bullets(line):
    assert not BULLET.match(line)
