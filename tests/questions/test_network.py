"""Impact and paths (``network``), on the fixture plans north and south.

In tests/fixtures/query: north/r1 feeds into north/r2, which feeds into the south/health workstream, which is
delegated to the housing-fund programme; north/r5 duplicates north/r1; south/health-2 duplicates
south/health-1, which duplicates north/r3; north/r4 and south/oversight-1 print the same text.
The ``store`` fixture is in conftest.py.
"""

from __future__ import annotations

import json

import pytest

from crossplan.graph.errors import CrossplanError, UnknownIdError
from crossplan.graph.questions.network import (
    ImpactItem,
    PathStep,
    find_impact,
    find_paths,
    format_impact,
    format_paths,
)
from crossplan.graph.stores.walk import PART_OF


def test_impact_downstream(store):
    impact = find_impact(store, "r1")
    assert impact.items == [
        ImpactItem(
            "north/r2",
            "recommendation",
            "Train staff who work with young adults.",
            "north",
            1,
            "north/r1",
            "feeds-into",
            "explicit",
            "Train staff who work with young adults.",
        ),
        ImpactItem(
            "south/health", "workstream", "Health and Wellbeing", "south", 2, "north/r2", "feeds-into", "explicit"
        ),
        ImpactItem("housing-fund", "programme", "Housing Fund", None, 3, "south/health", "delegated-to", "explicit"),
    ]
    assert impact.starts == ["north/r1-update-1", "north/r1-update-2"]


def test_impact_depth_and_upstream(store):
    assert [item.id for item in find_impact(store, "north/r1", depth=2).items] == ["north/r2", "south/health"]
    upstream = find_impact(store, "housing-fund", "upstream")
    assert [(item.id, item.distance, item.via) for item in upstream.items] == [
        ("south/health", 1, "housing-fund"),
        ("north/r2", 2, "south/health"),
        ("north/r1", 3, "north/r2"),
    ]


def test_impact_counts_the_links_of_actions_and_updates(store):
    # north/r4 has no links of its own; south/housing-1's update relates to it (not a flow), so nothing flows.
    assert find_impact(store, "south/housing-1", relations=("feeds-into",)).items == []
    related = find_impact(store, "south/housing-1", relations=("related-to",))
    assert [(item.id, item.via) for item in related.items] == [("north/r4", "south/housing-1-update-1")]


def test_impact_with_other_relations_and_errors(store):
    assert [item.id for item in find_impact(store, "south/health-2", relations=("duplicate-of",)).items] == [
        "south/health-1",
        "north/r3",
    ]
    with pytest.raises(CrossplanError) as caught:
        find_impact(store, "r1", relations=("feeds",))
    assert (
        str(caught.value)
        == "unknown relation 'feeds' (one of: duplicate-of, feeds-into, delegated-to, supersedes, references, related-to)"
    )
    with pytest.raises(CrossplanError) as caught:
        find_impact(store, "r1", "sideways")
    assert str(caught.value) == "direction must be downstream or upstream, not 'sideways'"
    with pytest.raises(UnknownIdError):
        find_impact(store, "r99")


def test_format_impact(store):
    impact = find_impact(store, "r1")
    assert format_impact(impact, width=100) == (
        "north/r1 feeds into 3 items (along feeds-into and delegated-to links); its actions and updates count\n"
        "as its own.\n"
        "The links followed: 3 stated in the documents.\n"
        "Its other links, not followed: 1 dependency (stated in the documents), 1 overlap (judged by a\n"
        "curator). An overlap or a citation is not a dependency (crossplan show north/r1).\n"
        "\n"
        "hops  item          relation         via           label\n"
        "----  ------------  ---------------  ------------  ---------------------------------------\n"
        "1     north/r2      feeds into                     Train staff who work with young adults.\n"
        "2     south/health  feeds into       north/r2      Health and Wellbeing\n"
        "3     housing-fund  is delegated to  south/health  Housing Fund\n"
    )
    assert impact.not_followed == {"dependency": {"explicit": 1}, "overlap": {"judged": 1}}
    assert (
        format_impact(find_impact(store, "north/r8"))
        == "north/r8 feeds into nothing (along feeds-into and delegated-to links).\n"
    )
    assert (
        format_impact(impact, "csv").splitlines()[1]
        == "1,north/r2,recommendation,north,feeds-into,north/r1,explicit,Train staff who work with young adults.,"
        "Train staff who work with young adults."
    )
    assert json.loads(format_impact(impact, "json"))["items"][2]["id"] == "housing-fund"


def test_paths_follow_links_either_way_and_the_part_of_structure(store):
    paths = find_paths(store, "north/r3", "south/health-2")
    assert [path.nodes for path in paths.paths] == [
        ["north/r3", "south/health-1", "south/health-2"],
        ["north/r3", "south/health-1", "south/health", "south/health-2"],
    ]
    assert paths.paths[0].steps == [
        PathStep("north/r3", "south/health-1", ["duplicate-of"], False),
        PathStep("south/health-1", "south/health-2", ["duplicate-of"], False),
    ]
    assert paths.paths[1].steps[1] == PathStep("south/health-1", "south/health", [PART_OF], True)


def test_paths_limits_and_no_path(store):
    assert [len(path.steps) for path in find_paths(store, "north/r3", "south/health-2", max_length=2).paths] == [2]
    assert len(find_paths(store, "north/r3", "south/health-2", limit=1).paths) == 1
    assert find_paths(store, "north/r8", "r1").paths == []
    with pytest.raises(CrossplanError) as caught:
        find_paths(store, "r1", "north/r1")
    assert str(caught.value) == "'north/r1' is both ends: give two different nodes"


def test_paths_never_run_through_organisations(store):
    # north/r1 and north/r3 share no link; both name the board, which does not join them.
    paths = find_paths(store, "north/r1", "north/r3").paths
    assert paths[0].nodes == ["north/r1", "north/r2", "south/health", "south/health-1", "north/r3"]
    for path in paths:
        assert "board" not in path.nodes


def test_format_paths(store):
    text = format_paths(find_paths(store, "r1", "housing-fund"), width=100)
    assert text == (
        "1 chain connects north/r1 and housing-fund\n"
        "\n"
        "1. north/r1 —feeds into→ north/r2 —feeds into→ south/health —is delegated to→ housing-fund\n"
        "\n"
        "Nodes:\n"
        "  housing-fund: Housing Fund\n"
        "  north/r1: Find homes for children before they leave custody.\n"
        "  north/r2: Train staff who work with young adults.\n"
        "  south/health: Health and Wellbeing\n"
    )
    assert (
        format_paths(find_paths(store, "north/r8", "r1"))
        == "No chain of at most 6 links connects north/r8 and north/r1.\n"
    )
    assert format_paths(find_paths(store, "r1", "housing-fund"), "csv") == (
        "path,step,from,relation,direction,to\r\n"
        "1,1,north/r1,feeds-into,forward,north/r2\r\n"
        "1,2,north/r2,feeds-into,forward,south/health\r\n"
        "1,3,south/health,delegated-to,forward,housing-fund\r\n"
    )
