"""``find_mapping`` and ``format_mapping`` (``crossplan mapping``) on the fixture data sets.

Expected answers come from reading tests/fixtures/query/plans/*.yaml (plans north and south); the ``store`` and
``mini`` fixtures are in conftest.py.
"""

from __future__ import annotations

import json

import pytest

from crossplan.graph.errors import CrossplanError, UnknownIdError
from crossplan.graph.questions.mapping import MappingLink, find_mapping, format_mapping


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
            to_label="Train staff who work with young adults.",
            to_text="Train staff who work with young adults.",
            source="north-source",
            source_title="The North Plan",
            recommendation_text="Train staff who work with young adults.",
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
5 of 8 North Plan recommendations link to South Strategy work (2 state a dependency, 3 overlap; 2
stated in the documents, 2 judged by a curator, 1 suggested by the tool and not yet reviewed):
Housing 3, Health and Wellbeing 2; Oversight none. The other 3 link to none of it.

    north                             workstream  south                            link
--  --------------------------------  ----------  -------------------------------  ----------------
r1  Find homes for children before    Housing     housing-1                        overlaps
    they leave custody.                           Secure a home for every child    judged
    owners: North Housing Team                    leaving custody.

r2  Train staff who work with young   Health and  the workstream as a whole        feeds into
    adults.                           Wellbeing                                    explicit
    owners: Training Lead

r3  Publish data on outcomes every    Health and  health-1                         is duplicated by
    quarter.                          Wellbeing   Publish data on outcomes every   explicit
    owners: North Board                           quarter.

r4  Review the transitions protocol.  Housing     housing-1 (via                   overlaps
                                                  housing-1-update-1)              judged
                                                  Secure a home for every child
                                                  leaving custody.

r5  Recommendation 5 (removed)        —

r6  Improve education in custody.     Housing     from r6-action-1: housing-2      overlaps
    owners: Head of Learning                      Offer education in every secure  suggested
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
    Housing       Health and           Oversight
                  Wellbeing
--  ------------  -------------------  ---------
r1  #1 overlaps*
r2                ws feeds into
r3                #1 is duplicated by
r4  #1 overlaps*
r5
r6  #2 overlaps~
r7
r8"""
    )


def test_format_mapping_csv_and_json(store):
    mapping = find_mapping(store, "north", "south")
    lines = format_mapping(mapping, "csv").splitlines()
    assert (
        lines[0]
        == "recommendation,number,label,text,owners,to_workstream,to_recommendation,to_node,from_node,relation,"
        "relation_class,words,basis,direction,quote"
    )
    assert (
        lines[1]
        == "north/r1,1,Find homes for children before they leave custody.,Find homes for children before they leave "
        "custody.,North Housing Team,south/housing,south/housing-1,south/housing-1,north/r1,related-to,overlap,overlaps,"
        "judged,out,Find homes for children"
    )
    assert lines[5] == "north/r5,5,Recommendation 5 (removed),,,,,,,,,,,,"
    assert len(lines) == 9
    data = json.loads(format_mapping(mapping, "json"))
    assert data["unmapped"] == ["north/r5", "north/r7", "north/r8"]
    assert data["workstreams"][0] == {"id": "south/housing", "title": "Housing"}
