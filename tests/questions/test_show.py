"""``describe_node`` and ``format_node`` (``crossplan show``) on the fixture data sets.

Expected answers come from reading tests/fixtures/query/plans/*.yaml (plans north and south); the ``store`` and
``mini`` fixtures are in conftest.py.
"""

from __future__ import annotations

import json

import pytest

from crossplan.graph.errors import UnknownIdError
from crossplan.graph.questions.show import ItemSummary, LinkView, Reference, describe_node, format_node


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
            other_text="Train staff who work with young adults.",
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
            other_text="Secure a home for every child leaving custody.",
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
            other_text="Offer education in every secure home.",
        )
    ]
    assert [(o.id, o.label, o.via) for o in node.owners] == [(None, "Head of Learning", "north/r6")]
    assert node.owners_as_printed == ["Head of Learning"] and node.owned_by == []


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
        "  owner                   Training Lead\n"
        "  target date as printed  15 June 2020\n"
        "  target date as printed  May 2020\n"
        "  target dates            2020-05, 2020-06-15\n"
        "\n"
        "Updates (1)\n"
        "  north/r2-update-1 2020-12 [complete]  Final update\n"
        "    All staff have been trained.\n"
        "\n"
        "Links out (1): 1 dependency (stated in the documents)\n"
        "  → feeds into (feeds-into) south/health (explicit)  Health and Wellbeing\n"
        "      “The training will feed the South health work.”\n"
        "\n"
        "Links in (1): 1 dependency (stated in the documents)\n"
        "  ← is fed by (feeds-into) north/r1 (explicit)  Find homes for children before they leave custody.\n"
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
    assert (
        "link out,→ feeds into (feeds-into) south/health (explicit): The training will feed the South health work."
        in lines
    )
    data = json.loads(format_node(description, "json"))
    assert data["id"] == "north/r2" and data["updates"][0]["status"] == "complete"
