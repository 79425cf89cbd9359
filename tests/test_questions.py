"""The ready-made questions on the fixture data sets: show, mapping, overdue, gaps.

Expected answers come from reading tests/fixtures/query/plans/*.yaml (plans north and south).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import CrossplanError, UnknownIdError
from crossplan.graph.questions.show import (
    ItemSummary,
    LinkView,
    MappingLink,
    Reference,
    describe_node,
    due_date,
    find_gaps,
    find_mapping,
    find_overdue,
    format_gaps,
    format_mapping,
    format_node,
    format_overdue,
)
from crossplan.graph.stores.embedded import memory_store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def store():
    return memory_store(load_dataset(FIXTURES / "query"))


@pytest.fixture(scope="module")
def mini():
    return memory_store(load_dataset(FIXTURES / "mini"))


# -- show -------------------------------------------------------------------------------------------


def test_describe_a_recommendation_with_its_updates_and_links(store):
    node = describe_node(store, "r1")
    assert (node.id, node.type, node.number, node.plan, node.plan_title) == (
        "north/r1",
        "recommendation",
        "1",
        "north",
        "The North Plan",
    )
    assert node.text == "Find homes for children before they leave custody."
    assert (node.response, node.status, node.addressed_to, node.addressee_text) == (
        "agreed",
        None,
        ["board"],
        "The North Board should:",
    )
    assert node.names["board"] == "North Board"
    assert node.updates == [
        ItemSummary(
            "north/r1-update-1",
            "update",
            "January update",
            "January update",
            "Work has started with councils.",
            "2020-01",
            None,
            None,
            ["Head of Housing"],
            ["March 2020"],
        ),
        ItemSummary(
            "north/r1-update-2",
            "update",
            "December update",
            "December update",
            "The work continues into next year.",
            "2020-12",
            "ongoing",
            "Ongoing",
            [],
            ["By the end of 2021"],
        ),
    ]
    assert node.links_out == [
        LinkView(
            "out",
            "feeds-into",
            "north/r2",
            "Train staff who work with young adults.",
            "explicit",
            "Homes found for children will shape the training of staff.",
            document="north-source",
        ),
        LinkView(
            "out",
            "related-to",
            "south/housing-1",
            "Secure a home for every child leaving custody.",
            "judged",
            "Find homes for children",
            target_quote="Secure a home for every child leaving custody.",
            document="north-source",
        ),
    ]
    assert node.links_in == [
        LinkView(
            "in",
            "duplicate-of",
            "north/r5",
            "Recommendation 5 (removed)",
            "explicit",
            "Recommendation 5 was removed as a duplicate of recommendation 1.",
            document="north-source",
        ),
    ]


def test_describe_shows_actions_with_their_own_links(store):
    node = describe_node(store, "north/r6")
    assert [(a.id, a.status, a.target_dates) for a in node.actions] == [
        ("north/r6-action-1", "ongoing", ["September 2020"]),
        ("north/r6-action-2", "complete", ["2019"]),
    ]
    assert node.actions[0].links == [
        LinkView(
            "out",
            "related-to",
            "south/housing-2",
            "Offer education in every secure home.",
            "suggested",
            "Open a virtual campus.",
        )
    ]
    assert node.owners == ["Head of Learning"] and node.owned_by == []


def test_describe_an_action_names_its_parent(store):
    node = describe_node(store, "r6-action-1")
    assert (node.type, node.parent, node.parent_label, node.target_date_values) == (
        "action",
        "north/r6",
        "Improve education in custody.",
        ["2020-09"],
    )


def test_describe_an_organisation_lists_what_refers_to_it(store):
    node = describe_node(store, "board")
    assert (node.type, node.label, node.abbreviations) == ("organisation", "North Board", ["NB"])
    assert node.referenced_by == [
        Reference("addressed to", "north/r1", "Find homes for children before they leave custody."),
        Reference("owned by", "north", "The North Plan"),
        Reference("owned by", "north/r3", "Publish data on outcomes every quarter."),
        Reference("part of", "housing-team", "North Housing Team"),
        Reference("published by", "north-source", "The North Plan"),
    ]


def test_describe_a_workstream_lists_its_recommendations(store):
    node = describe_node(store, "south/health")
    assert [(ref.relation, ref.id) for ref in node.referenced_by] == [
        ("in workstream", "south/health-1"),
        ("in workstream", "south/health-2"),
    ]
    assert [(link.relation, link.other) for link in node.links_out] == [("delegated-to", "housing-fund")]


def test_describe_an_unknown_or_ambiguous_id(store, mini):
    with pytest.raises(UnknownIdError) as caught:
        describe_node(store, "nort/r1")
    assert str(caught.value) == "no node with id 'nort/r1' (did you mean 'north/r1'?)"
    with pytest.raises(UnknownIdError) as caught:
        describe_node(store, "r9")
    assert str(caught.value) == "no node with id 'r9'"


def test_format_node_table(store):
    text = format_node(describe_node(store, "r2"), "table", width=100)
    assert text == (
        "north/r2 (recommendation 2 of north)\n"
        "Train staff who work with young adults.\n"
        "\n"
        "  number                  2\n"
        "  plan                    north: The North Plan\n"
        "  response                partly-agreed\n"
        "  addressed to            housing-team (North Housing Team)\n"
        "  owner as printed        Training Lead\n"
        "  target date as printed  15 June 2020\n"
        "  target date as printed  May 2020\n"
        "  target dates            2020-05, 2020-06-15\n"
        "\n"
        "Updates (1)\n"
        "  north/r2-update-1 2020-12 [complete]  Final update\n"
        "    All staff have been trained.\n"
        "\n"
        "Links out (1)\n"
        "  → feeds-into south/health (explicit)  Health and Wellbeing\n"
        "      “The training will feed the South health work.”\n"
        "\n"
        "Links in (1)\n"
        "  ← feeds-into north/r1 (explicit)  Find homes for children before they leave custody.\n"
        "      “Homes found for children will shape the training of staff.”\n"
    )


def test_format_node_csv_and_json(store):
    description = describe_node(store, "r2")
    lines = format_node(description, "csv").splitlines()
    assert lines[:4] == [
        "field,value",
        "id,north/r2",
        "type,recommendation",
        "label,Train staff who work with young adults.",
    ]
    assert "link out,→ feeds-into south/health (explicit): The training will feed the South health work." in lines
    data = json.loads(format_node(description, "json"))
    assert data["id"] == "north/r2" and data["updates"][0]["status"] == "complete"


# -- mapping ----------------------------------------------------------------------------------------


def test_mapping_has_one_row_per_recommendation_in_plan_order(store):
    mapping = find_mapping(store, "north", "south")
    assert [row.recommendation for row in mapping.rows] == [f"north/r{n}" for n in range(1, 9)]
    assert mapping.unmapped == ["north/r5", "north/r7", "north/r8"]
    assert mapping.workstreams == [
        ("south/housing", "Housing"),
        ("south/health", "Health and Wellbeing"),
        ("south/oversight", "Oversight"),
    ]
    links = {
        row.recommendation: [
            (
                link.from_node,
                link.to_node,
                link.workstream,
                link.recommendation,
                link.relation,
                link.basis,
                link.direction,
            )
            for link in row.links
        ]
        for row in mapping.rows
    }
    assert links == {
        "north/r1": [
            ("north/r1", "south/housing-1", "south/housing", "south/housing-1", "related-to", "judged", "out")
        ],
        # a link to a workstream as a whole
        "north/r2": [("north/r2", "south/health", "south/health", None, "feeds-into", "explicit", "out")],
        # a link from the TO plan (the other direction)
        "north/r3": [
            ("north/r3", "south/health-1", "south/health", "south/health-1", "duplicate-of", "explicit", "in")
        ],
        # a link from an update of a TO recommendation implies the recommendation and its workstream
        "north/r4": [
            ("north/r4", "south/housing-1-update-1", "south/housing", "south/housing-1", "related-to", "judged", "in")
        ],
        "north/r5": [],
        # a link from an action of the FROM recommendation counts as the recommendation's
        "north/r6": [
            (
                "north/r6-action-1",
                "south/housing-2",
                "south/housing",
                "south/housing-2",
                "related-to",
                "suggested",
                "out",
            )
        ],
        "north/r7": [],
        "north/r8": [],
    }


def test_mapping_the_other_way_puts_workstream_links_aside(store):
    mapping = find_mapping(store, "south", "north")
    assert [row.recommendation for row in mapping.rows] == [
        "south/housing-1",
        "south/housing-2",
        "south/health-1",
        "south/health-2",
        "south/oversight-1",
    ]
    assert [row.workstream for row in mapping.rows] == [
        "south/housing",
        "south/housing",
        "south/health",
        "south/health",
        "south/oversight",
    ]
    assert mapping.unmapped == ["south/health-2", "south/oversight-1"]
    assert [(link.from_node, link.to_node, link.direction) for link in mapping.rows[0].links] == [
        ("south/housing-1", "north/r1", "in"),
        ("south/housing-1-update-1", "north/r4", "out"),
    ]
    assert mapping.other_links == [
        MappingLink(
            "south/health",
            "north/r2",
            None,
            None,
            "north/r2",
            "Train staff who work with young adults.",
            "feeds-into",
            "explicit",
            "in",
            "The training will feed the South health work.",
        )
    ]


def test_mapping_accepts_short_forms_and_refuses_what_is_not_two_plans(store):
    with pytest.raises(CrossplanError) as caught:
        find_mapping(store, "north", "r1")
    assert str(caught.value) == "'north/r1' is not a plan (plans: north, south)"
    with pytest.raises(CrossplanError) as caught:
        find_mapping(store, "north", "north")
    assert str(caught.value) == "FROM and TO are the same plan 'north': give two different plans"
    with pytest.raises(UnknownIdError) as caught:
        find_mapping(store, "nrth", "south")
    assert str(caught.value) == "no plan with id 'nrth' (did you mean 'north'?) (plans: north, south)"


def test_mapping_on_the_mini_data_set(mini):
    mapping = find_mapping(mini, "alpha", "beta")
    assert [
        (row.recommendation, [(link.recommendation, link.workstream, link.relation) for link in row.links])
        for row in mapping.rows
    ] == [
        ("alpha/r1", [("beta/resettlement-1", "beta/resettlement", "related-to")]),
        ("alpha/r2", []),
    ]


def test_format_mapping_table(store):
    assert (
        format_mapping(find_mapping(store, "north", "south"), width=100)
        == """\
north → south: 8 recommendations, 5 linked, 3 map onto nothing

    north                             workstream  south                            link
--  --------------------------------  ----------  -------------------------------  --------------
r1  Find homes for children before    Housing     housing-1                        → related-to
    they leave custody.                           Secure a home for every child    judged
                                                  leaving custody.

r2  Train staff who work with young   Health and  the workstream as a whole        → feeds-into
    adults.                           Wellbeing                                    explicit

r3  Publish data on outcomes every    Health and  health-1                         ← duplicate-of
    quarter.                          Wellbeing   Publish data on outcomes every   explicit
                                                  quarter.

r4  Review the transitions protocol.  Housing     housing-1 (via                   ← related-to
                                                  housing-1-update-1)              judged
                                                  Secure a home for every child
                                                  leaving custody.

r5  Recommendation 5 (removed)        —

r6  Improve education in custody.     Housing     from r6-action-1: housing-2      → related-to
                                                  Offer education in every secure  suggested
                                                  home.

r7  Stop work that is no longer       —
    needed.

r8  Write a plan for the summer.      —

Map onto nothing: r5, r7, r8
"""
    )


def test_format_mapping_matrix(store):
    text = format_mapping(find_mapping(store, "north", "south"), width=100, matrix=True)
    assert (
        text.split("\n\n")[1]
        == """\
    Housing          Health and        Oversight
                     Wellbeing
--  ---------------  ----------------  ---------
r1  #1 related-to*
r2                   ws feeds-into
r3                   ←#1 duplicate-of
r4  ←#1 related-to*
r5
r6  #2 related-to~
r7
r8"""
    )


def test_format_mapping_csv_and_json(store):
    mapping = find_mapping(store, "north", "south")
    lines = format_mapping(mapping, "csv").splitlines()
    assert (
        lines[0]
        == "recommendation,number,label,to_workstream,to_recommendation,to_node,from_node,relation,basis,direction,quote"
    )
    assert (
        lines[1]
        == "north/r1,1,Find homes for children before they leave custody.,south/housing,south/housing-1,south/housing-1,north/r1,related-to,judged,out,Find homes for children"
    )
    assert lines[5] == "north/r5,5,Recommendation 5 (removed),,,,,,,,"
    assert len(lines) == 9
    data = json.loads(format_mapping(mapping, "json"))
    assert data["unmapped"] == ["north/r5", "north/r7", "north/r8"]
    assert data["workstreams"][0] == {"id": "south/housing", "title": "Housing"}


# -- overdue ----------------------------------------------------------------------------------------


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
        "item               target          due         days  status   label\n"
        "-----------------  --------------  ----------  ----  -------  ------------------------------\n"
        "north/r6-action-1  September 2020  2020-09-30  244   ongoing  Open a virtual campus.\n"
        "\n"
        "south/health-1     April 2021      2021-04-30  32    ongoing  Publish data on outcomes every\n"
        "                                                              quarter.\n"
    )
    assert format_overdue(find_overdue(store, "2020-01-01")) == "Nothing is overdue on 2020-01-01.\n"
    assert format_overdue(overdue, "csv").splitlines()[1] == (
        "north/r6-action-1,action,north,Open a virtual campus.,2020-09,September 2020,2020-09-30,244,north/r6-action-1,ongoing,Ongoing"
    )
    assert json.loads(format_overdue(overdue, "json"))["items"][1]["id"] == "south/health-1"


# -- gaps -------------------------------------------------------------------------------------------


def test_gaps(store):
    assert [(gap.id, gap.missing) for gap in find_gaps(store)] == [
        ("north/r4", ["owner", "target date"]),  # a link from south's update counts
        ("north/r8", ["owner", "target date", "action or link"]),
        ("south/housing-1", ["owner", "target date"]),  # it has an action
        ("south/housing-2", ["owner", "target date"]),
        ("south/health-1", ["owner"]),
        ("south/health-2", ["owner", "target date"]),
        ("south/oversight-1", ["owner", "target date", "action or link"]),
    ]
    # r1 (owner and dates on its updates), r2, r3, r6 (dates on its actions) have none; r5 is removed, r7 not applicable
    assert [gap.id for gap in find_gaps(store, plan="north")] == ["north/r4", "north/r8"]


def test_gaps_on_the_mini_data_set(mini):
    assert [(gap.id, gap.missing) for gap in find_gaps(mini)] == [("beta/resettlement-1", ["owner", "target date"])]


def test_format_gaps(store):
    gaps = find_gaps(store, plan="north")
    assert format_gaps(gaps, width=100) == (
        "2 recommendations with gaps\n"
        "\n"
        "recommendation  missing                             label\n"
        "--------------  ----------------------------------  --------------------------------\n"
        "north/r4        owner, target date                  Review the transitions protocol.\n"
        "north/r8        owner, target date, action or link  Write a plan for the summer.\n"
    )
    assert format_gaps(gaps, "csv") == (
        "id,plan,label,status,no owner,no target date,no action or link\r\n"
        "north/r4,north,Review the transitions protocol.,,yes,yes,no\r\n"
        "north/r8,north,Write a plan for the summer.,,yes,yes,yes\r\n"
    )
    assert json.loads(format_gaps(gaps, "json"))[0] == {
        "id": "north/r4",
        "plan": "north",
        "label": "Review the transitions protocol.",
        "status": None,
        "missing": ["owner", "target date"],
    }
    assert format_gaps([]) == "Every recommendation has an owner, a target date, and an action or link.\n"
